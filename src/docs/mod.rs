//! Built-in documentation: the interactive `/docs` page and `/openapi.json`. Both are
//! generated from the same declarations: the operation catalogue here, and the parameter
//! tables of the QR types and of the design (`crate::qr`), which also drive validation.

mod batches;
mod catalog;
mod components;
mod curl;
mod openapi;
mod page;
mod params;
mod responses;
mod shapes;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::state::AppState;
use crate::web::SiteOrigin;

pub use openapi::document;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/docs", web::get().to(page::show))
        .route(
            "/docs/shapes/{parameter}/{file}",
            web::get().to(shapes::show),
        )
        .route("/openapi.json", web::get().to(openapi_json));
}

/// The document, with this server's address as it is reached (`SiteOrigin`).
async fn openapi_json(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let mut doc = document();
    let origin = SiteOrigin::of_request(&req, &state).to_string();
    doc["servers"] = serde_json::json!([{ "url": origin, "description": "This server" }]);
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(doc.to_string())
}
