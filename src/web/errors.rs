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
    #[error("cross-site form submission")]
    CrossSite,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("malformed form: {0}")]
    BadForm(&'static str),
    #[error("the form body is too large")]
    TooLarge,
    /// Rate limited; retry after this many seconds.
    #[error("rate limited for {0} s")]
    TooMany(u64),
    #[error("server busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] AppError),
}

impl From<crate::state::Busy> for PageError {
    fn from(_: crate::state::Busy) -> Self {
        Self::Busy
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    status: u16,
    title: &'static str,
    message: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::LoginRequired => StatusCode::SEE_OTHER,
            Self::Csrf | Self::CrossSite | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadForm(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message): (&'static str, String) = match self {
            Self::LoginRequired => return see_other("/login"),
            Self::Csrf => (
                "This form has expired",
                "The form was not sent from this site's page, or it is out of date. Go back, reload the page and try again.".into(),
            ),
            Self::CrossSite => (
                "Form refused",
                "This form was sent from another site. Open this site directly and try again.".into(),
            ),
            Self::Forbidden => ("Not allowed", "Your account cannot open this page.".into()),
            Self::NotFound => ("Page not found", "There is no page at this address.".into()),
            Self::BadForm(_) => ("Bad request", "The form could not be read. Reload the page and try again.".into()),
            Self::TooLarge => ("Form too large", "The form sent more data than any of this site's forms needs.".into()),
            Self::TooMany(secs) => (
                "Too many attempts",
                format!("Too many attempts from your network. Please wait {secs} seconds and try again."),
            ),
            Self::Busy => ("Busy", "The server is very busy right now. Please try again in a few seconds.".into()),
            Self::Internal(e) => {
                e.log();
                if e.is_unavailable() {
                    ("Temporarily unavailable", "The server could not complete this now. Please try again in a moment.".into())
                } else {
                    ("Something went wrong", "The server hit an internal error. It has been logged.".into())
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
        let mut response = html_response(status, body);
        let retry_after = match self {
            Self::TooMany(secs) => Some(*secs),
            Self::Busy => Some(2),
            _ => None,
        };
        if let Some(secs) = retry_after
            && let Ok(value) = secs.to_string().parse()
        {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        response
    }
}
