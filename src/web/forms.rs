//! Reading form bodies: capped at `FORM_LIMIT_BYTES` (a 413 page beyond), sent from this
//! site (`Sec-Fetch-Site` / `Origin`), and carrying the right CSRF token, all checked
//! before anything else. Every field is optional at parse time, so a missing field
//! becomes a message on the form instead of a bare 400.

use actix_web::HttpRequest;
use actix_web::http::header::{HOST, ORIGIN};
use actix_web::web::{BytesMut, Payload};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::{FORM_LIMIT_BYTES, PageError, SiteOrigin};
use crate::auth::csrf;
use crate::state::AppState;

/// Reads, checks and parses an `application/x-www-form-urlencoded` body.
pub async fn parse<T: DeserializeOwned + HasCsrf>(
    req: &HttpRequest,
    state: &AppState,
    mut payload: Payload,
) -> Result<T, PageError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        // A body that stops arriving fails here at server.client_body_timeout_secs;
        // `conn::guard` then answers 408 and closes the connection.
        let chunk = chunk.map_err(|_| PageError::BadForm("body"))?;
        if body.len() + chunk.len() > FORM_LIMIT_BYTES {
            return Err(PageError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    if !same_site(req, &SiteOrigin::of_request(req, state)) {
        tracing::warn!(path = %req.path(), "form refused: sent from another site");
        return Err(PageError::CrossSite);
    }
    let form: T = serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadForm("body"))?;
    let secure = state.config.server.secure_cookies;
    if !csrf::verify(req, &state.secret, secure, Some(form.csrf_token())) {
        tracing::warn!(path = %req.path(), "form refused: CSRF token missing or wrong");
        return Err(PageError::Csrf);
    }
    Ok(form)
}

/// Browsers say where a form came from: `Sec-Fetch-Site` (modern browsers) and `Origin`
/// (all browsers on POST). Either one naming another site refuses the form, on top of the
/// CSRF token. Clients that send neither (scripts, old browsers) rely on the token alone.
/// `Origin` may name the `Host` the browser connected to or the site's public origin (a
/// proxy may pass on another `Host`).
pub(super) fn same_site(req: &HttpRequest, site: &SiteOrigin) -> bool {
    let headers = req.headers();
    if let Some(fetch_site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(fetch_site, "same-origin" | "none")
    {
        return false;
    }
    match (
        headers.get(ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), host) => origin.split_once("://").is_some_and(|(_, authority)| {
            Some(authority) == host || authority.eq_ignore_ascii_case(site.authority())
        }),
        _ => true,
    }
}

/// A form that carries the CSRF field.
pub trait HasCsrf {
    fn csrf_token(&self) -> &str;
}

/// Implements `HasCsrf` for form structs with a `csrf_token: String` field.
macro_rules! has_csrf {
    ($($form:ty),*) => {$(
        impl $crate::web::forms::HasCsrf for $form {
            fn csrf_token(&self) -> &str {
                &self.csrf_token
            }
        }
    )*};
}
pub(crate) use has_csrf;
