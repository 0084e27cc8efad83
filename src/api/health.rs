//! `GET /healthz`: 200 when the database answers a read (and no commit has failed), 503
//! otherwise; and `GET /metrics`.

use actix_web::http::header::{CACHE_CONTROL, WWW_AUTHENTICATE};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::api_key::bearer_token;
use crate::state::{AppState, blocking};

/// `GET /metrics`: Prometheus text exposition (counts and timings only, no secrets),
/// behind `server.metrics_token` when one is set.
pub async fn metrics(req: HttpRequest, state: Data<AppState>) -> HttpResponse {
    let token = &state.config.server.metrics_token;
    if !token.is_empty() && !bearer_matches(&req, token.expose()) {
        return HttpResponse::Unauthorized()
            .insert_header((WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
            .insert_header((CACHE_CONTROL, "no-store"))
            .body(
                "401 Unauthorized: /metrics needs `Authorization: Bearer <server.metrics_token>`\n",
            );
    }
    let text = state
        .metrics
        .render_text(state.store.commit_latency(), state.clock.now());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(text)
}

/// Compares in constant time, so the response time says nothing about the token.
fn bearer_matches(req: &HttpRequest, token: &str) -> bool {
    let sent = bearer_token(req).unwrap_or("");
    // Hashing first makes the comparison's length independent of the token's.
    let (sent, token) = (
        Sha256::digest(sent.as_bytes()),
        Sha256::digest(token.as_bytes()),
    );
    bool::from(sent.ct_eq(&token))
}

pub async fn check(state: Data<AppState>) -> HttpResponse {
    let store = state.store.clone();
    let healthy = blocking(move || Ok(store.ping()?)).await;
    let (mut response, status) = match healthy {
        Ok(()) => (HttpResponse::Ok(), "ok"),
        Err(e) => {
            e.log();
            (HttpResponse::ServiceUnavailable(), "unavailable")
        }
    };
    response
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "status": status }))
}
