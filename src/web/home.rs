//! The front page: what qrgate is, the way in, and a gallery of codes the server draws
//! itself in several designs (each one a real code that scans).

use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use base64::Engine;

use super::context::PageContext;
use super::{Nav, PageError};
use crate::qr::design::Design;
use crate::qr::{Deadline, generate};
use crate::state::AppState;

/// A gallery picture: an SVG drawn by the renderer, as a `data:` URL, and what it shows.
struct Sample {
    src: String,
    title: &'static str,
    query: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    signed_in: bool,
    trial_quota: u64,
    trial_days: u32,
    gallery: &'static [Sample],
}

/// The designs shown, as request parameters (so each caption is also how to ask for it).
const DESIGNS: &[(&str, &[(&str, &str)])] = &[
    ("Plain", &[]),
    (
        "Dots and round eyes",
        &[
            ("module_shape", "dot"),
            ("eye_frame", "rounded"),
            ("eye_ball", "circle"),
            ("fg", "#1d4ed8"),
        ],
    ),
    (
        "Gradient",
        &[
            ("module_shape", "rounded"),
            ("fg_gradient", "linear:45:#7e22ce,#1d4ed8"),
            ("eye_shape", "leaf"),
        ],
    ),
    (
        "Banner with a caption",
        &[
            ("frame", "banner_bottom"),
            ("caption", "SCAN ME"),
            ("frame_color", "#0f766e"),
            ("module_shape", "connected"),
        ],
    ),
    (
        "Speech bubble",
        &[
            ("frame", "bubble"),
            ("caption", "Menu"),
            ("frame_color", "#b91c1c"),
            ("module_shape", "diamond"),
        ],
    ),
    (
        "Badge",
        &[
            ("frame", "badge"),
            ("caption", "Wi-Fi"),
            ("frame_color", "#0f172a"),
            ("eye_frame", "pointed"),
            ("bg", "#fef9c3"),
        ],
    ),
];

/// A text code: it reads the same on any site, whatever its address.
const GALLERY_CONTENT: &str = "Drawn by qrgate";

/// Drawn once per process: the pictures depend only on the renderer.
fn gallery() -> &'static [Sample] {
    static GALLERY: OnceLock<Vec<Sample>> = OnceLock::new();
    GALLERY.get_or_init(|| {
        DESIGNS
            .iter()
            .filter_map(|(title, pairs)| {
                let mut all: Vec<(&str, &str)> = vec![("format", "svg"), ("size", "240")];
                all.extend_from_slice(pairs);
                let get = |name: &str| all.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| *v);
                let design = Design::from_params(get).ok()?;
                let image = generate(GALLERY_CONTENT, &design, None, Deadline::none()).ok()?;
                let data = base64::engine::general_purpose::STANDARD.encode(&image.bytes);
                let query = pairs
                    .iter()
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect::<Vec<_>>()
                    .join("&");
                Some(Sample {
                    src: format!("data:image/svg+xml;base64,{data}"),
                    title,
                    query,
                })
            })
            .collect()
    })
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let trial = state.config.trial();
    let page = HomePage {
        nav: ctx.nav("home"),
        signed_in: ctx.user.is_some(),
        trial_quota: trial.quota,
        trial_days: trial.period_days,
        gallery: gallery(),
    };
    ctx.render(StatusCode::OK, &page)
}
