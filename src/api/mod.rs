//! The JSON/image API under `/api/v1`, plus `/healthz`. Errors are problem+json.

pub mod batch_access;
mod batches;
mod body;
pub mod code_ops;
mod codes;
mod designs;
pub mod health;
mod logos;
mod params;
pub mod parsed;
mod payments;
mod preview;
mod qr;
mod signed_urls;
mod usage;
mod via;

use actix_web::web;

pub use crate::gate::{KeyCheck, KeyHolder};
pub use crate::problem::Problem;
pub use codes::csv_response as codes_csv;
pub use preview::studio as studio_preview;
pub use qr::{serve_account, validate_json, validate_query};
pub use signed_urls::{SignedUrl, expires_in_field, sign_for};
pub use usage::DAILY_USAGE_PARAMS;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::check))
        .route("/metrics", web::get().to(health::metrics))
        .service(only("/webhooks/payment", "POST").route(web::post().to(payments::payment)))
        .service(
            web::scope("/api")
                .service(only("/v1/usage", "GET").route(web::get().to(usage::show)))
                .service(only("/v1/usage/daily", "GET").route(web::get().to(usage::daily)))
                .service(only("/v1/qr/{type}", "GET").route(web::get().to(qr::get)))
                .service(only("/v1/qr", "POST").route(web::post().to(qr::post)))
                .service(
                    only("/v1/logos", "GET, POST")
                        .route(web::post().to(logos::upload))
                        .route(web::get().to(logos::list)),
                )
                .service(only("/v1/logos/{id}", "DELETE").route(web::delete().to(logos::delete)))
                .service(only("/v1/batches", "POST").route(web::post().to(batches::create)))
                .service(
                    only("/v1/batches/{id}", "GET, DELETE")
                        .route(web::get().to(batches::show))
                        .route(web::delete().to(batches::delete)),
                )
                .service(
                    only("/v1/batches/{id}/result.zip", "GET")
                        .route(web::get().to(batches::result)),
                )
                .service(
                    only("/v1/codes", "GET, POST")
                        .route(web::post().to(codes::create))
                        .route(web::get().to(codes::list)),
                )
                .service(
                    only("/v1/codes/{id}", "GET, PATCH, DELETE")
                        .route(web::get().to(codes::show))
                        .route(web::patch().to(codes::update))
                        .route(web::delete().to(codes::delete)),
                )
                .service(only("/v1/codes/{id}/scans", "GET").route(web::get().to(codes::scans)))
                .service(only("/v1/signed-urls", "POST").route(web::post().to(signed_urls::create)))
                .service(only("/v1/s/{token}", "GET").route(web::get().to(signed_urls::fetch)))
                .default_service(web::to(not_found)),
        );
}

/// A resource that answers other methods with 405, `Allow: <allowed>` and problem+json
/// (rather than a 404 that would suggest the path is wrong).
fn only(path: &str, allowed: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<actix_web::HttpResponse, Problem>(
            Problem::new(
                405,
                "method-not-allowed",
                "Method not allowed",
                format!("this endpoint answers {allowed}"),
            )
            .header("allow", allowed),
        )
    }))
}

async fn not_found() -> Result<actix_web::HttpResponse, Problem> {
    Err(Problem::new(
        404,
        "not-found",
        "Not found",
        "There is no API endpoint at this path.",
    ))
}
