//! The JSON/image API under `/api/v1`, plus `/healthz`. Errors are problem+json.

mod caller;
mod health;
mod problem;
mod usage;

use actix_web::web;

pub use caller::{KeyCheck, KeyHolder};
pub use problem::Problem;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::check)).service(
        web::scope("/api")
            .route("/v1/usage", web::get().to(usage::show))
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
