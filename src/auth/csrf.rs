//! CSRF protection as a signed double-submit: the browser holds a random value in an
//! HttpOnly, SameSite=Strict cookie, and every form carries HMAC(server secret, value).
//! A cross-site page can neither read the cookie nor compute the HMAC, and it works the
//! same before login (sign-up, login) and after.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::store::ServerSecret;

pub const CSRF_COOKIE: &str = "qrgate_csrf";
/// The hidden form field every POST form carries.
pub const CSRF_FIELD: &str = "csrf_token";

/// The token to put in a page's forms, and the cookie to set if the browser had none.
pub struct CsrfToken {
    pub token: String,
    pub new_cookie: Option<Cookie<'static>>,
}

/// Reuses the browser's CSRF cookie when it has a well-formed one, else makes a new one.
pub fn prepare(req: &HttpRequest, secret: &ServerSecret, secure: bool) -> CsrfToken {
    if let Some(value) = cookie_value(req) {
        return CsrfToken {
            token: sign(secret, &value),
            new_cookie: None,
        };
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let value = hex::encode(bytes);
    let cookie = Cookie::build(CSRF_COOKIE, value.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    CsrfToken {
        token: sign(secret, &value),
        new_cookie: Some(cookie),
    }
}

/// Whether the submitted token matches the browser's cookie (constant-time compare).
pub fn verify(req: &HttpRequest, secret: &ServerSecret, submitted: Option<&str>) -> bool {
    match (cookie_value(req), submitted) {
        (Some(value), Some(submitted)) => {
            let expected = sign(secret, &value);
            expected.as_bytes().ct_eq(submitted.as_bytes()).into()
        }
        _ => false,
    }
}

fn cookie_value(req: &HttpRequest) -> Option<String> {
    let cookie = req.cookie(CSRF_COOKIE)?;
    let value = cookie.value();
    (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| value.to_owned())
}

fn sign(secret: &ServerSecret, value: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key length");
    mac.update(b"qrgate-csrf:");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}
