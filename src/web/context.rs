//! What every page handler starts from: the signed-in account (if any), the CSRF token for
//! its forms, and a helper that renders a template into a response.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::PageError;
use super::session;
use crate::auth::csrf::{self, CsrfToken};
use crate::domain::{Account, Email};
use crate::state::AppState;

/// The navigation bar's data; every page template has one.
pub struct Nav {
    /// The signed-in account's email as shown (`Email::shown`).
    pub email: Option<String>,
    pub is_admin: bool,
    /// For the logout form in the bar.
    pub csrf: String,
    /// Which top-level link is current.
    pub active: &'static str,
}

impl Nav {
    /// A bar for pages rendered without a request context (error pages).
    pub fn anonymous() -> Self {
        Self {
            email: None,
            is_admin: false,
            csrf: String::new(),
            active: "",
        }
    }
}

pub struct PageContext {
    pub user: Option<session::SignedIn>,
    csrf: CsrfToken,
}

impl PageContext {
    pub async fn load(req: &HttpRequest, state: &AppState) -> Result<Self, PageError> {
        let user = session::current(req, state).await?;
        let csrf = csrf::prepare(req, &state.secret, state.config.server.secure_cookies);
        Ok(Self { user, csrf })
    }

    /// The signed-in account, or a redirect to the login page.
    pub fn account(&self) -> Result<&Account, PageError> {
        self.user
            .as_ref()
            .map(|u| &u.account)
            .ok_or(PageError::LoginRequired)
    }

    /// The signed-in account if it is an admin; 403 for other accounts.
    pub fn admin(&self) -> Result<&Account, PageError> {
        let account = self.account()?;
        if account.is_admin() {
            Ok(account)
        } else {
            Err(PageError::Forbidden)
        }
    }

    pub fn csrf_token(&self) -> &str {
        &self.csrf.token
    }

    pub fn nav(&self, active: &'static str) -> Nav {
        let account = self.user.as_ref().map(|u| &u.account);
        Nav {
            email: account.map(|a| Email::shown(&a.email)),
            is_admin: account.is_some_and(Account::is_admin),
            csrf: self.csrf.token.clone(),
            active,
        }
    }

    /// Renders `page` with `status`. Pages are never cached: they show account data and,
    /// once, a full API key.
    pub fn render(
        &self,
        status: StatusCode,
        page: &impl Template,
    ) -> Result<HttpResponse, PageError> {
        let body = page.render().map_err(crate::error::AppError::from)?;
        let mut response = html_response(status, body);
        if let Some(cookie) = &self.csrf.new_cookie {
            response
                .add_cookie(cookie)
                .map_err(|_| PageError::BadForm("cookie"))?;
        }
        Ok(response)
    }
}

pub fn html_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body)
}

/// A 303 redirect after a successful POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish()
}
