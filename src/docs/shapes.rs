//! `GET /docs/shapes/{parameter}/{value}.svg`: a picture of one shape choice, drawn by the
//! renderer itself (so the docs can never show a shape the API draws differently), and the
//! galleries of them on the docs page.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::web::Path;

use crate::qr::payload::{ParamKind, ParamSpec};
use crate::qr::render::shape_picture;
use crate::web::PageError;

/// The design parameters whose values are shapes, shown as pictures.
pub const SHAPE_PARAMETERS: [&str; 3] = ["module_shape", "eye_frame", "eye_ball"];

/// One picture of a gallery.
pub struct Picture {
    pub value: &'static str,
    pub url: String,
}

/// The pictures of a shape parameter's values, in the table's order; none for others.
pub fn gallery(spec: &ParamSpec) -> Vec<Picture> {
    match spec.kind {
        ParamKind::Enum(values) if SHAPE_PARAMETERS.contains(&spec.name) => values
            .iter()
            .map(|value| Picture {
                value,
                url: format!("/docs/shapes/{}/{value}.svg", spec.name),
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub async fn show(path: Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (parameter, file) = path.into_inner();
    let svg = file
        .strip_suffix(".svg")
        .and_then(|value| shape_picture(&parameter, value))
        .ok_or(PageError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(svg))
}
