//! Session tokens: 256 random bits in an HttpOnly cookie; only their SHA-256 is stored.
//!
//! With `server.secure_cookies`, cookies carry the `__Host-` prefix: browsers then accept
//! them only with `Secure`, `Path=/` and no `Domain`, so a page on a sibling subdomain
//! (or plain HTTP) cannot set one over ours. Browsers refuse such cookies over plain
//! HTTP, so without secure cookies the names stay plain.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use rand::RngCore;
use sha2::{Digest, Sha256};

const SESSION_COOKIE: &str = "qrgate_session";
const SECURE_SESSION_COOKIE: &str = "__Host-qrgate_session";

/// The session cookie's name: `__Host-`-prefixed when cookies are secure.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session token the request's cookie carries, if any.
pub fn token_in(req: &HttpRequest, secure: bool) -> Option<String> {
    req.cookie(cookie_name(secure))
        .map(|cookie| cookie.value().to_owned())
}

pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the store keeps for a session token (also used for lookups).
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub fn session_cookie(token: &SessionToken, secure: bool, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(cookie_name(secure), token.as_str().to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(Duration::seconds(max_age_secs))
        .finish()
}

/// A cookie that tells the browser to forget its session cookie.
pub fn removal_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(cookie_name(secure), "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    cookie.make_removal();
    cookie
}
