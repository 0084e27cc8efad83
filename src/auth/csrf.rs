//! CSRF tokens. With a session cookie, a form's token is HMAC(server secret, session
//! token): only pages served to that session carry it, so a cookie and token pair that an
//! attacker obtained for himself (and planted, e.g. from a sibling subdomain) does not
//! validate against the victim's session, and a token from before login stops working
//! at login, when the session changes.
//!
//! Before login (the sign-up and login forms) it is a signed double-submit: the browser
//! holds a random value in an HttpOnly, SameSite=Strict cookie, and the form carries
//! HMAC(server secret, value). A cross-site page can neither read the cookie nor compute
//! the HMAC. Tokens are compared in constant time.
//!
//! Which of the two a request needs is decided by the session cookie's presence alone,
//! the same way when the page is drawn and when its form comes back, whether or not the
//! session is still live.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::session;
use crate::store::ServerSecret;

const CSRF_COOKIE: &str = "qrgate_csrf";
const SECURE_CSRF_COOKIE: &str = "__Host-qrgate_csrf";
/// The hidden form field every POST form carries.
pub const CSRF_FIELD: &str = "csrf_token";

/// Domain separation between the two kinds of token.
const SESSION_LABEL: &[u8] = b"qrgate-csrf-session:";
const BROWSER_LABEL: &[u8] = b"qrgate-csrf:";

/// The CSRF cookie's name: `__Host-`-prefixed when cookies are secure.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_CSRF_COOKIE
    } else {
        CSRF_COOKIE
    }
}

/// The token to put in a page's forms, and the cookie to set if the browser needs one.
pub struct CsrfToken {
    pub token: String,
    pub new_cookie: Option<Cookie<'static>>,
}

/// The token for this request's forms: bound to its session when it has a session
/// cookie; otherwise to the browser's CSRF cookie, made new when missing or malformed.
pub fn prepare(req: &HttpRequest, secret: &ServerSecret, secure: bool) -> CsrfToken {
    if let Some(session) = session::token_in(req, secure) {
        return CsrfToken {
            token: sign(secret, SESSION_LABEL, &session),
            new_cookie: None,
        };
    }
    if let Some(value) = cookie_value(req, secure) {
        return CsrfToken {
            token: sign(secret, BROWSER_LABEL, &value),
            new_cookie: None,
        };
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let value = hex::encode(bytes);
    let cookie = Cookie::build(cookie_name(secure), value.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    CsrfToken {
        token: sign(secret, BROWSER_LABEL, &value),
        new_cookie: Some(cookie),
    }
}

/// Whether the submitted token is the one `prepare` gives this request.
pub fn verify(
    req: &HttpRequest,
    secret: &ServerSecret,
    secure: bool,
    submitted: Option<&str>,
) -> bool {
    let expected = match session::token_in(req, secure) {
        Some(session) => sign(secret, SESSION_LABEL, &session),
        None => match cookie_value(req, secure) {
            Some(value) => sign(secret, BROWSER_LABEL, &value),
            None => return false,
        },
    };
    submitted.is_some_and(|submitted| expected.as_bytes().ct_eq(submitted.as_bytes()).into())
}

fn cookie_value(req: &HttpRequest, secure: bool) -> Option<String> {
    let cookie = req.cookie(cookie_name(secure))?;
    let value = cookie.value();
    (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| value.to_owned())
}

fn sign(secret: &ServerSecret, label: &[u8], value: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key length");
    mac.update(label);
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn secret() -> ServerSecret {
        static SECRET: std::sync::OnceLock<ServerSecret> = std::sync::OnceLock::new();
        SECRET
            .get_or_init(|| {
                let dir = tempfile::tempdir().unwrap();
                crate::store::Store::open(dir.path()).unwrap().1
            })
            .clone()
    }

    fn request(cookies: &[(&str, &str)]) -> HttpRequest {
        cookies
            .iter()
            .fold(TestRequest::default(), |req, (name, value)| {
                req.cookie(Cookie::new(name.to_string(), value.to_string()))
            })
            .to_http_request()
    }

    #[test]
    fn with_a_session_the_token_depends_on_the_session_not_the_csrf_cookie() {
        let browser = "a".repeat(64);
        let victim = request(&[("qrgate_session", "victim"), ("qrgate_csrf", &browser)]);
        let token = prepare(&victim, &secret(), false).token;
        assert!(verify(&victim, &secret(), false, Some(&token)));
        let attacker = request(&[("qrgate_session", "attacker"), ("qrgate_csrf", &browser)]);
        assert!(!verify(&attacker, &secret(), false, Some(&token)));
    }

    #[test]
    fn a_double_submit_token_does_not_pass_once_a_session_exists() {
        let browser = "b".repeat(64);
        let before = request(&[("qrgate_csrf", &browser)]);
        let token = prepare(&before, &secret(), false).token;
        assert!(verify(&before, &secret(), false, Some(&token)));
        let after = request(&[("qrgate_csrf", &browser), ("qrgate_session", "s")]);
        assert!(!verify(&after, &secret(), false, Some(&token)));
    }

    #[test]
    fn secure_cookies_are_read_and_set_only_under_their_host_prefixed_names() {
        let browser = "c".repeat(64);
        let plain = request(&[("qrgate_csrf", &browser)]);
        let fresh = prepare(&plain, &secret(), true);
        let cookie = fresh.new_cookie.expect("the plain cookie is not taken");
        assert_eq!(cookie.name(), "__Host-qrgate_csrf");
        assert_eq!(
            (cookie.secure(), cookie.path(), cookie.domain()),
            (Some(true), Some("/"), None)
        );
        let prefixed = request(&[("__Host-qrgate_csrf", &browser)]);
        let token = prepare(&prefixed, &secret(), true).token;
        assert!(verify(&prefixed, &secret(), true, Some(&token)));
        assert!(!verify(&plain, &secret(), true, Some(&token)));
    }
}
