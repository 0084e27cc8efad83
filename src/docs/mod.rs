//! Built-in documentation: the interactive `/docs` page and `/openapi.json`. Both are
//! generated from the same declarations: the operation catalogue here, and the parameter
//! tables of the QR types and of the design (`crate::qr`), which also drive validation.

mod catalog;
mod components;
mod curl;
mod openapi;
mod page;
mod params;
mod responses;
mod shapes;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

pub use openapi::document;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/docs", web::get().to(page::show))
        .route(
            "/docs/shapes/{parameter}/{file}",
            web::get().to(shapes::show),
        )
        .route("/openapi.json", web::get().to(openapi_json));
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(document().to_string())
}
