//! `GET /api/v1/qr/{type}` and `POST /api/v1/qr`: validate, check the key and quota,
//! render off the executor, and answer with cache validators and quota headers. Keys that
//! may not generate get the watermarked preview instead, with 401/402/403.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::params::{self, Pairs};
use super::{Problem, logos};
use crate::gate::{KeyCheck, KeyHolder, rate};
use crate::qr::design::{DESIGN_PARAMS, Design, Format};
use crate::qr::payload::{Params, QrType, build_payload};
use crate::qr::render::LogoImage;
use crate::qr::{QrError, generate, preview};
use crate::render_cache::Cached;
use crate::state::{AppState, Busy, blocking};

/// Changes whenever rendering changes, so that old ETags stop matching.
const RENDER_VERSION: &str = "1";
const CACHE_CONTROL: &str = "private, max-age=86400";

/// A request that passed validation.
struct QrRequest {
    kind: QrType,
    payload: String,
    design: Design,
}

pub async fn get(
    req: HttpRequest,
    kind: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let pairs = params::from_query(req.query_string());
    serve(&req, &state, pairs.map(|p| (kind.into_inner(), p))).await
}

/// JSON bodies: `{"type", "data", "design"}` are small; 64 KiB is plenty.
const MAX_JSON_BYTES: usize = 64 * 1024;

pub async fn post(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let input = match super::body::read_capped(payload, MAX_JSON_BYTES, "JSON body").await {
        Ok(body) => params::from_json(&body),
        Err(problem) => Err(problem),
    };
    serve(&req, &state, input).await
}

async fn serve(
    req: &HttpRequest,
    state: &AppState,
    input: Result<(String, Pairs), Problem>,
) -> Result<HttpResponse, Problem> {
    let check = KeyCheck::from_request(req, state).await?;
    let decision = rate::decide(req, state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    let answer = match check.rejection() {
        Some((status, reason)) => preview_response(state, &check, input.ok(), status, reason).await,
        None => match check {
            KeyCheck::Known(holder) => generate_for(req, state, *holder, input).await,
            _ => unreachable!("only a known key has no rejection"),
        },
    };
    rate::stamp(answer, &decision)
}

async fn generate_for(
    req: &HttpRequest,
    state: &AppState,
    holder: KeyHolder,
    input: Result<(String, Pairs), Problem>,
) -> Result<HttpResponse, Problem> {
    let (kind, pairs) = input?;
    let request = parse(&kind, &pairs)?;
    let logo = match &request.design.logo {
        Some(id) => Some(logos::load(state, holder.account.id, id).await?),
        None => None,
    };
    let etag = etag(&request, logo.as_ref().map(|(sha, _)| sha.as_str()));
    if matches_etag(req, &etag) {
        // Revalidation of what the client already has: served, but not counted.
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
            .finish());
    }
    let (id, start, quota) = (
        holder.account.id,
        holder.standing.period_start,
        holder.standing.quota,
    );
    let Ok(used) = state.meter.try_count(id, start, quota) else {
        return preview_response(
            state,
            &KeyCheck::Known(Box::new(holder)),
            Some((kind, pairs)),
            402,
            "over_quota",
        )
        .await;
    };
    let QrRequest {
        kind: qr_type,
        payload,
        design,
    } = request;
    let (download, format) = (design.download, design.format);
    let image = match state.render_cache.get(&etag) {
        Some(hit) => hit,
        None => match render(state, payload, design, logo).await {
            Ok(image) => {
                state.render_cache.insert(&etag, image.clone());
                image
            }
            Err(problem) => {
                state.meter.refund(id, start);
                return Err(problem.unwrap_or_else(|e| render_problem(e, qr_type)));
            }
        },
    };
    Ok(
        image_response(StatusCode::OK, format, image.version, qr_type, download)
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
            .insert_header(("x-quota-remaining", quota_remaining(&holder, quota, used)))
            .body(image.bytes),
    )
}

/// Draws an image within the render budget, off the executor, timing it.
async fn render(
    state: &AppState,
    payload: String,
    design: Design,
    logo: Option<(String, LogoImage)>,
) -> Result<Cached, Result<Problem, QrError>> {
    let slot = state
        .render_slot(render_cost(&design, logo.is_some()))
        .await
        .map_err(|Busy| Ok(busy()))?;
    let svg = design.format == Format::Svg;
    let started = std::time::Instant::now();
    let rendered =
        blocking(move || Ok(generate(&payload, &design, logo.map(|(_, l)| l).as_ref()))).await;
    drop(slot);
    state.metrics.render(svg, started.elapsed());
    match rendered {
        Ok(Ok(image)) => Ok(Cached::new(image.bytes, image.version)),
        Ok(Err(e)) => Err(Err(e)),
        Err(e) => Err(Ok(e.into())),
    }
}

/// Validates a `GET /api/v1/qr/{type}` query exactly as the endpoint does and returns
/// the payload and design (no key, no rendering): the seam the fuzzers drive.
pub fn validate_query(kind: &str, query: &str) -> Result<(String, Design), Problem> {
    let request = parse(kind, &params::from_query(query)?)?;
    Ok((request.payload, request.design))
}

/// The same for a `POST /api/v1/qr` JSON body.
pub fn validate_json(body: &[u8]) -> Result<(String, Design), Problem> {
    let (kind, pairs) = params::from_json(body)?;
    let request = parse(&kind, &pairs)?;
    Ok((request.payload, request.design))
}

/// Validates the type, every parameter name, the content and the design.
fn parse(kind: &str, pairs: &Pairs) -> Result<QrRequest, Problem> {
    let kind = QrType::parse(kind).ok_or_else(|| {
        let known: Vec<&str> = QrType::ALL.iter().map(|t| t.as_str()).collect();
        invalid(
            "type",
            format!(
                "`{}` is not a QR type; use one of {}",
                clip(kind),
                known.join(", ")
            ),
        )
    })?;
    let content_names: Vec<&str> = kind.params().iter().map(|p| p.name).collect();
    let mut content = Params::new();
    for (name, value) in pairs {
        if content_names.contains(&name.as_str()) {
            content.insert(name, value.clone());
        } else if !DESIGN_PARAMS.contains(&name.as_str()) {
            return Err(invalid(
                name,
                format!(
                    "`{}` is not a parameter of the {} type; it takes {}",
                    clip(name),
                    kind.as_str(),
                    content_names.join(", ")
                ),
            ));
        }
    }
    let payload = build_payload(kind, &content).map_err(|e| invalid(e.parameter, e.to_string()))?;
    let design = Design::from_params(|name| last(pairs, name))
        .map_err(|e| invalid(e.parameter, e.to_string()))?;
    Ok(QrRequest {
        kind,
        payload,
        design,
    })
}

fn last<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn render_problem(error: QrError, kind: QrType) -> Problem {
    match error {
        QrError::Capacity(e) => {
            // Name the type's main content parameter; the numbers say the rest.
            let parameter = kind.params().first().map_or("data", |p| p.name);
            invalid(parameter, format!("`{parameter}`: {e}"))
                .extension("bytes", e.bytes)
                .extension("max_bytes", e.max_bytes)
                .extension("ecc", e.ecc.as_str())
        }
        QrError::TooSmall(e) => {
            invalid("size", format!("`size`: {e}")).extension("min_size", e.modules)
        }
        QrError::Raster(e) => {
            tracing::error!(error = %e, "rasterising failed");
            Problem::new(
                500,
                "internal",
                "Internal server error",
                "The image could not be drawn. It has been logged.",
            )
        }
    }
}

/// The watermarked preview for a key that may not generate, with its status and reason.
/// The content is the requested one when it is valid, else a generic one.
async fn preview_response(
    state: &AppState,
    check: &KeyCheck,
    input: Option<(String, Pairs)>,
    status: u16,
    reason: &'static str,
) -> Result<HttpResponse, Problem> {
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
    state.metrics.preview(reason);
    // Previews are always drawn through the rasteriser (for PNG), so they take budget.
    // The same preview for the same content and design, whatever the reason: cached.
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
                .render_slot(render_cost(&design, true))
                .await
                .map_err(|Busy| busy())?;
            let image = blocking(move || Ok(preview(payload.as_deref(), &design)))
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
    if let Some(problem) = check.problem() {
        // The reason in words, for people reading the headers (the body is the image).
        if let Ok(value) = HeaderValue::from_str(&problem.detail_ascii()) {
            response.insert_header(("x-qr-preview-detail", value));
        }
    }
    Ok(response.body(image.bytes))
}

/// Pixels charged against the render budget: the full image when it goes through the
/// rasteriser (4 bytes a pixel and more), a sixteenth on the palette fast path, nothing
/// for SVG text.
fn render_cost(design: &Design, rasterised: bool) -> u64 {
    let pixels = u64::from(design.size).pow(2);
    match design.format {
        Format::Svg => 0,
        Format::Png if rasterised || !design.is_plain() => pixels,
        Format::Png => pixels / 16,
    }
}

pub(super) fn busy() -> Problem {
    Problem::new(
        503,
        "busy",
        "Server busy",
        "the server is drawing as many images as it can right now; retry in a second",
    )
    .header("retry-after", "1")
}

fn image_response(
    status: StatusCode,
    format: Format,
    version: u8,
    kind: QrType,
    download: bool,
) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::build(status);
    response
        .content_type(format.content_type())
        .insert_header(("x-qr-version", version.to_string()))
        .insert_header(("x-content-type-options", "nosniff"));
    let disposition = if download { "attachment" } else { "inline" };
    let filename = format!("qr-{}.{}", kind.as_str(), format.extension());
    response.insert_header((
        header::CONTENT_DISPOSITION,
        format!("{disposition}; filename=\"{filename}\""),
    ));
    response
}

/// A strong ETag over everything that decides the bytes: same request, same tag.
fn etag(request: &QrRequest, logo_sha: Option<&str>) -> String {
    let design = format!("{:?}", request.design);
    format!(
        "\"{}\"",
        digest(&[
            RENDER_VERSION,
            request.kind.as_str(),
            &request.payload,
            &design,
            logo_sha.unwrap_or("")
        ])
    )
}

/// A hash of length-prefixed parts (so no two part lists collide by concatenation).
fn digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

fn matches_etag(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .any(|list| {
            list.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
}

fn quota_remaining(holder: &KeyHolder, quota: u64, used: u64) -> String {
    if holder.standing.is_unlimited() {
        "unlimited".into()
    } else {
        quota.saturating_sub(used).to_string()
    }
}

fn invalid(parameter: &str, detail: impl Into<String>) -> Problem {
    Problem::new(400, "invalid-parameter", "Invalid parameter", detail).parameter(parameter)
}

fn clip(v: &str) -> String {
    v.chars().take(40).collect()
}
