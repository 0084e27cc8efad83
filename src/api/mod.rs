//! The JSON/image API under `/api/v1`, plus `/healthz`. Errors are problem+json.

mod body;
mod caller;
mod health;
mod logos;
mod params;
mod payments;
mod problem;
mod qr;
mod rate;
mod usage;

use actix_web::web;

pub use caller::{KeyCheck, KeyHolder};
pub use problem::Problem;
pub use qr::{validate_json, validate_query};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::check))
        .route("/metrics", web::get().to(health::metrics))
        .route("/webhooks/payment", web::post().to(payments::payment))
        .service(
            web::scope("/api")
                .route("/v1/usage", web::get().to(usage::show))
                .route("/v1/qr/{type}", web::get().to(qr::get))
                .route("/v1/qr", web::post().to(qr::post))
                .route("/v1/logos", web::post().to(logos::upload))
                .route("/v1/logos", web::get().to(logos::list))
                .route("/v1/logos/{id}", web::delete().to(logos::delete))
                .default_service(web::to(not_found)),
        );
}

async fn not_found() -> Result<actix_web::HttpResponse, Problem> {
    Err(Problem::new(
        404,
        "not-found",
        "Not found",
        "There is no API endpoint at this path.",
    ))
}
