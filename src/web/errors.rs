//! Page errors, rendered as HTML pages with their real status.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::Nav;
use super::context::{html_response, see_other};
use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("login required")]
    LoginRequired,
    #[error("CSRF check failed")]
    Csrf,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("malformed form: {0}")]
    BadForm(&'static str),
    #[error(transparent)]
    Internal(#[from] AppError),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    status: u16,
    title: &'static str,
    message: &'static str,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::LoginRequired => StatusCode::SEE_OTHER,
            Self::Csrf | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadForm(_) => StatusCode::BAD_REQUEST,
            Self::Internal(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            Self::LoginRequired => return see_other("/login"),
            Self::Csrf => (
                "This form has expired",
                "The form was not sent from this site's page, or it is out of date. Go back, reload the page and try again.",
            ),
            Self::Forbidden => ("Not allowed", "Your account cannot open this page."),
            Self::NotFound => ("Page not found", "There is no page at this address."),
            Self::BadForm(_) => (
                "Bad request",
                "The form could not be read. Reload the page and try again.",
            ),
            Self::Internal(e) => {
                e.log();
                if e.is_unavailable() {
                    (
                        "Temporarily unavailable",
                        "The server could not complete this now. Please try again in a moment.",
                    )
                } else {
                    (
                        "Something went wrong",
                        "The server hit an internal error. It has been logged.",
                    )
                }
            }
        };
        let status = self.status_code();
        let page = ErrorPage {
            nav: Nav::anonymous(),
            status: status.as_u16(),
            title,
            message,
        };
        let body = page
            .render()
            .unwrap_or_else(|_| format!("{} {title}", status.as_u16()));
        html_response(status, body)
    }
}
