//! `GET /healthz`: 200 when the database answers a read, 503 otherwise.

use actix_web::HttpResponse;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::Data;

use crate::state::{AppState, blocking};

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
