//! Logging set-up and the access log. The access log never records secrets: `api_key`
//! query values are replaced, and no header or body is logged.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing_subscriber::EnvFilter;

use crate::auth::api_key::KEY_QUERY_PARAM;

/// Structured logs to stderr; `RUST_LOG` adjusts the level (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

/// One log line per request: method, path (query redacted), status, duration.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = redacted_path(req.path(), req.query_string());
    let state = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .cloned();
    let response = next.call(req).await?;
    if let Some(state) = state {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".to_owned());
        state.metrics.request(&route, response.status().as_u16());
    }
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}

/// The path with its query, where any `api_key` value is replaced by `REDACTED`.
pub fn redacted_path(path: &str, query: &str) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let query: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let decoded = percent_decoded_name(name);
            if decoded.eq_ignore_ascii_case(KEY_QUERY_PARAM) {
                format!("{name}=REDACTED")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", query.join("&"))
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
    fn other_queries_are_kept() {
        assert_eq!(redacted_path("/x", ""), "/x");
        assert_eq!(redacted_path("/x", "url=https://a.b"), "/x?url=https://a.b");
    }
}
