//! `GET /healthz`: 200 when the database answers a read (and no commit has failed), 503
//! otherwise; and `GET /metrics`.

use actix_web::HttpResponse;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::Data;

use crate::state::{AppState, blocking};

/// `GET /metrics`: Prometheus text exposition (counts and timings only, no secrets).
pub async fn metrics(state: Data<AppState>) -> HttpResponse {
    let text = state
        .metrics
        .render_text(state.store.commit_latency(), state.clock.now());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(text)
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
