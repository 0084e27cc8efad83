//! Logging set-up and the access log. The access log never records secrets: `api_key`
//! query values are replaced, and no header or body is logged.

mod access;
mod lines;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing_subscriber::EnvFilter;

use crate::auth::api_key::KEY_QUERY_PARAM;
pub use access::{buffer_to as buffer_access_log, flush_access_log};
pub use lines::{LineWriter, StderrLines};

/// Structured logs to stderr; `RUST_LOG` adjusts the level (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(StderrLines::shared())
        .try_init();
    if !ansi {
        access::buffer_to(StderrLines::shared());
    }
}

/// One log line per request: method, path (query redacted), status, duration. Nothing
/// is copied before the request is served: the path is read back from the response's
/// request and redacted while the line is written.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let response = next.call(req).await?;
    let request = response.request();
    let status = response.status().as_u16();
    if let Some(state) = request.app_data::<actix_web::web::Data<crate::state::AppState>>() {
        let route = request.match_pattern();
        state
            .metrics
            .request(route.as_deref().unwrap_or("(unmatched)"), status);
    }
    let path = Redacted::new(request.path(), request.query_string());
    let micros = started.elapsed().as_micros() as u64;
    if !access::write(request.method().as_str(), &path, status, micros) {
        tracing::info!(method = %request.method(), path = %path, status, micros, "request");
    }
    Ok(response)
}

/// The path with its query, where any `api_key` value is replaced by `REDACTED`.
pub fn redacted_path(path: &str, query: &str) -> String {
    Redacted::new(path, query).to_string()
}

/// A path and query that writes itself with any `api_key` value replaced by `REDACTED`.
pub struct Redacted<'a> {
    path: &'a str,
    query: &'a str,
}

impl<'a> Redacted<'a> {
    pub fn new(path: &'a str, query: &'a str) -> Self {
        Self { path, query }
    }
}

impl std::fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path)?;
        if self.query.is_empty() {
            return Ok(());
        }
        f.write_str("?")?;
        for (i, pair) in self.query.split('&').enumerate() {
            if i > 0 {
                f.write_str("&")?;
            }
            let name = pair.split('=').next().unwrap_or_default();
            if names_the_key(name) {
                write!(f, "{name}=REDACTED")?;
            } else {
                f.write_str(pair)?;
            }
        }
        Ok(())
    }
}

/// Whether a raw (still encoded) parameter name decodes to `api_key`, in any case. A name
/// without `%` or `+` is its own decoding.
pub fn names_the_key(name: &str) -> bool {
    if name.contains(['%', '+']) {
        percent_decoded_name(name).eq_ignore_ascii_case(KEY_QUERY_PARAM)
    } else {
        name.eq_ignore_ascii_case(KEY_QUERY_PARAM)
    }
}

fn percent_decoded_name(name: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(name)
        .ok()
        .and_then(|pairs| pairs.into_iter().next())
        .map(|(n, _)| n)
        .unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_in_the_query_are_redacted() {
        assert_eq!(
            redacted_path("/api/v1/usage", "a=1&api_key=qrg_secret&b=2"),
            "/api/v1/usage?a=1&api_key=REDACTED&b=2"
        );
    }

    #[test]
    fn an_encoded_parameter_name_is_redacted_too() {
        assert_eq!(
            redacted_path("/x", "api%5Fkey=qrg_secret"),
            "/x?api%5Fkey=REDACTED"
        );
    }

    #[test]
    fn a_name_spelt_with_a_plus_or_in_other_case_is_redacted_too() {
        assert_eq!(
            redacted_path("/x", "API_KEY=s&%61pi_key=t&api_key+=u"),
            "/x?API_KEY=REDACTED&%61pi_key=REDACTED&api_key+=u"
        );
    }

    #[test]
    fn other_queries_are_kept() {
        assert_eq!(redacted_path("/x", ""), "/x");
        assert_eq!(redacted_path("/x", "url=https://a.b"), "/x?url=https://a.b");
    }
}
