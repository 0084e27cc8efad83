//! Reading an API key from a request, and hashing it for lookup.

use actix_web::HttpRequest;
use actix_web::http::header;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::{ApiKey, KeyFormatError};
use crate::store::ServerSecret;

pub const KEY_HEADER: &str = "x-api-key";
pub const KEY_QUERY_PARAM: &str = "api_key";

/// HMAC-SHA-256 of the key under the installation's secret.
pub fn key_hash(secret: &ServerSecret, key: &ApiKey) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key length");
    mac.update(key.expose().as_bytes());
    mac.finalize().into_bytes().into()
}

/// The token of an `Authorization: Bearer TOKEN` header (the scheme in any case).
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The key the request carries, from `X-API-Key`, `Authorization: Bearer` or `api_key=`
/// (in that order). `None` when it carries none.
pub fn key_from_request(req: &HttpRequest) -> Option<Result<ApiKey, KeyFormatError>> {
    let headers = req.headers();
    let from_header = headers
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let from_bearer = || bearer_token(req).map(str::to_owned);
    let from_query = || {
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .ok()?
            .into_iter()
            .find(|(name, _)| name == KEY_QUERY_PARAM)
            .map(|(_, value)| value.trim().to_owned())
    };
    let raw = from_header.or_else(from_bearer).or_else(from_query)?;
    Some(ApiKey::parse(&raw))
}
