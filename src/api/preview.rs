//! The watermarked preview for callers that may not generate (a key missing, unknown,
//! expired, over quota, disabled or restricted; a signed URL changed or expired): the
//! requested code made unscannable, at most 512 px, drawn from
//! the previews' own budget (`preview_budget`) so that no number of them slows paying
//! customers' renders.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};

use super::Problem;
use super::params::Pairs;
use super::qr::{
    RENDER_VERSION, digest, image_response, last, render_cost, render_deadline, render_problem,
};
use super::via::Refusal;
use crate::qr::design::Design;
use crate::qr::payload::{Params, QrType, build_payload};
use crate::qr::{preview, preview_design};
use crate::render_cache::Cached;
use crate::state::{AppState, Busy, blocking};

/// The watermarked preview for a caller that may not generate, with the refusal's status
/// and reason. The content is the requested one when it is valid, else a generic one.
pub(super) async fn respond(
    state: &AppState,
    input: Option<(String, Pairs)>,
    refusal: Refusal,
) -> Result<HttpResponse, Problem> {
    let Refusal {
        status,
        reason,
        detail,
        rule,
    } = refusal;
    let (kind, payload, design) = match &input {
        Some((kind, pairs)) => {
            let kind = QrType::parse(kind);
            let payload = kind.and_then(|k| {
                let mut content = Params::new();
                for (name, value) in pairs {
                    content.insert(name, value.clone());
                }
                build_payload(k, &content).ok()
            });
            let design = Design::from_params(|name| last(pairs, name)).unwrap_or_default();
            (kind, payload, design)
        }
        None => (None, None, Design::default()),
    };
    // At most 512 px whatever was asked, so the key and the cost below are the real ones.
    let design = preview_design(&design);
    state.metrics.preview(reason);
    // Previews are always drawn through the rasteriser (for PNG), so they take budget: a
    // small one of their own, never the paying customers'. When it is used up the
    // client hears so at once; nothing waits. The same preview for the same content and
    // design, whatever the reason: cached.
    let format = design.format;
    let key = format!(
        "preview:{}",
        digest(&[
            RENDER_VERSION,
            payload.as_deref().unwrap_or(""),
            &format!("{design:?}")
        ])
    );
    let image = match state.render_cache.get(&key) {
        Some(hit) => hit,
        None => {
            let slot = state
                .previews
                .take(render_cost(&design, true))
                .map_err(|Busy| budget_used_up())?;
            let deadline = render_deadline(state);
            let image = blocking(move || Ok(preview(payload.as_deref(), &design, deadline)))
                .await?
                .map_err(|e| render_problem(e, QrType::Text))?;
            drop(slot);
            let image = Cached::new(image.bytes, image.version);
            state.render_cache.insert(&key, image.clone());
            image
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut response = image_response(
        status,
        format,
        image.version,
        kind.unwrap_or(QrType::Text),
        false,
    );
    response
        .insert_header(("x-qr-preview", reason))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"qrgate\""));
    }
    // The reason in words, for people reading the headers (the body is the image).
    if let Some(value) = detail.and_then(|d| HeaderValue::from_str(&d).ok()) {
        response.insert_header(("x-qr-preview-detail", value));
    }
    if let Some(rule) = rule {
        response.insert_header(("x-qr-restriction", rule));
    }
    Ok(response.body(image.bytes))
}

/// The live preview of `/dashboard/studio` for a signed-in account: the same watermarked
/// image, cap and budget as any preview, answered 200 (nothing is refused: a preview is
/// what was asked for) and never counted.
pub async fn studio(state: &AppState, kind: String, pairs: Pairs) -> Result<HttpResponse, Problem> {
    let refusal = Refusal {
        status: 200,
        reason: "studio",
        detail: None,
        rule: None,
    };
    respond(state, Some((kind, pairs)), refusal).await
}

/// The previews' budget is used up for the moment: said at once, never waited for.
fn budget_used_up() -> Problem {
    Problem::new(
        503,
        "busy",
        "Server busy",
        "previews are drawn from a small budget of their own, which is used up right now; retry in a second (with a valid key the image is drawn from your plan's budget)",
    )
    .header("retry-after", "1")
}
