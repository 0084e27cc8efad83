//! Reading form bodies. Every field is optional at parse time, so a missing field becomes
//! a message on the form instead of a bare 400; the CSRF token is checked first.

use actix_web::HttpRequest;
use serde::de::DeserializeOwned;

use super::PageError;
use crate::auth::csrf;
use crate::state::AppState;

/// Parses an `application/x-www-form-urlencoded` body and checks its CSRF token.
pub fn parse<T: DeserializeOwned + HasCsrf>(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<T, PageError> {
    let form: T = serde_urlencoded::from_bytes(body).map_err(|_| PageError::BadForm("body"))?;
    if !csrf::verify(req, &state.secret, Some(form.csrf_token())) {
        tracing::warn!(path = %req.path(), "form refused: CSRF token missing or wrong");
        return Err(PageError::Csrf);
    }
    Ok(form)
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
