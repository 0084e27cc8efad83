//! `GET /api/v1/qr/{type}` and `POST /api/v1/qr`: validate, check the key and quota,
//! render off the executor, and answer with cache validators and quota headers. Keys that
//! may not generate get the watermarked preview instead, with 401/402/403.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::designs::DesignMemo;
use super::params::{self, Pairs};
pub(super) use super::via::{Refusal, Via};
use super::{Problem, logos, preview};
use crate::gate::{KeyCheck, KeyHolder, rate};
use crate::qr::design::{DESIGN_PARAMS, Design, Format};
use crate::qr::payload::{Params, QrType, build_payload};
use crate::qr::render::LogoImage;
use crate::qr::{Deadline, QrError, generate};
use crate::render_cache::Cached;
use crate::state::{AppState, Busy, blocking};

/// Changes whenever rendering changes, so that old ETags stop matching.
pub(super) const RENDER_VERSION: &str = "1";
pub(super) const CACHE_CONTROL: &str = "private, max-age=86400";

/// A request that passed validation.
#[derive(Clone)]
pub(super) struct QrRequest {
    pub kind: QrType,
    pub payload: String,
    pub design: Design,
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
pub(super) const MAX_JSON_BYTES: usize = 64 * 1024;

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
    serve_checked(req, state, check, input, Via::Key).await
}

/// The shared serve path once the caller is known: the rate limit, a preview for a
/// caller that may not generate, else the image.
pub(super) async fn serve_checked(
    req: &HttpRequest,
    state: &AppState,
    check: KeyCheck,
    input: Result<(String, Pairs), Problem>,
    via: Via,
) -> Result<HttpResponse, Problem> {
    let decision = rate::decide(req, state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    let answer = match check.rejection() {
        Some((status, reason)) => {
            let refusal = Refusal::of(&check, status, reason, via);
            preview::respond(state, input.ok(), refusal).await
        }
        None => match check {
            KeyCheck::Known(holder) => generate_for(req, state, *holder, input, via).await,
            _ => unreachable!("only a known key has no rejection"),
        },
    };
    rate::stamp(answer, &decision)
}

/// Serves a QR request for an account that is known without a key (the dashboard's
/// downloads of a dynamic code, for the signed-in owner): the same validation, quota
/// count, cache, headers and previews as a request with the account's key.
pub async fn serve_account(
    req: &HttpRequest,
    state: &AppState,
    holder: KeyHolder,
    kind: &str,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let check = KeyCheck::Known(Box::new(holder));
    let input = (kind.to_owned(), pairs);
    match (check.rejection(), check) {
        (None, KeyCheck::Known(holder)) => {
            generate_for(req, state, *holder, Ok(input), Via::Key).await
        }
        (Some((status, reason)), check) => {
            let refusal = Refusal::of(&check, status, reason, Via::Key);
            preview::respond(state, Some(input), refusal).await
        }
        (None, _) => unreachable!("only a known key has no rejection"),
    }
}

async fn generate_for(
    req: &HttpRequest,
    state: &AppState,
    holder: KeyHolder,
    input: Result<(String, Pairs), Problem>,
    via: Via,
) -> Result<HttpResponse, Problem> {
    let input = input?;
    // A request seen before comes validated, with its ETag, from the memo.
    let remembered = state.parsed_requests.get(&input);
    let request = match &remembered {
        Some(parsed) => Cow::Borrowed(&parsed.request),
        None => Cow::Owned(parse_with(
            &input.0,
            &input.1,
            Some(&state.parsed_requests.designs),
        )?),
    };
    if let Err(restricted) = holder.check_type(request.kind.as_str()) {
        let refusal = Refusal::restricted(&restricted, via);
        return preview::respond(state, Some(input), refusal).await;
    }
    let logo = match &request.design.logo {
        Some(id) => Some(logos::load(state, holder.account.id, id).await?),
        None => None,
    };
    let etag = match &remembered {
        Some(parsed) => Cow::Borrowed(parsed.etag.as_str()),
        None => Cow::Owned(etag(&request, logo.as_ref().map(|(sha, _)| sha.as_str()))),
    };
    let cache_control = via.cache_control();
    if matches_etag(req, &etag) {
        // Revalidation of what the client already has: served, but not counted.
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag.into_owned()))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .finish());
    }
    let (id, start, quota) = (
        holder.account.id,
        holder.standing.period_start,
        holder.standing.quota,
    );
    let Ok(used) = state.meter.try_count(id, start, quota) else {
        let check = KeyCheck::Known(Box::new(holder));
        let refusal = Refusal::of(&check, 402, "over_quota", via);
        return preview::respond(state, Some(input), refusal).await;
    };
    let cached = state.render_cache.get(&etag);
    if cached.is_some() && remembered.is_none() {
        // Seen before: the next time it skips the parse.
        state.parsed_requests.remember(&input, &request, &etag);
    }
    let design = &request.design;
    let (qr_type, download, format, verified) =
        (request.kind, design.download, design.format, design.verify);
    let image = match cached {
        Some(hit) => hit,
        None => {
            let QrRequest {
                payload, design, ..
            } = request.into_owned();
            match render(state, payload, design, logo).await {
                Ok(image) => {
                    state.render_cache.offer(&etag, image.clone());
                    image
                }
                Err(problem) => {
                    state.meter.refund(id, start);
                    return Err(problem.unwrap_or_else(|e| render_problem(e, qr_type)));
                }
            }
        }
    };
    let mut response = image_response(StatusCode::OK, format, image.version, qr_type, download);
    if verified {
        // Decoded before it was cached or sent (`qr::verify`); the ETag covers verify.
        response.insert_header(("x-scan-verified", "true"));
    }
    response
        .insert_header((header::ETAG, etag.into_owned()))
        .insert_header((header::CACHE_CONTROL, cache_control));
    if via == Via::Key {
        response.insert_header((X_QUOTA_REMAINING, quota_remaining(&holder, quota, used)));
    }
    Ok(response.body(image.bytes))
}

/// Draws an image within the render budget and its deadline, off the executor, timing it;
/// a small plain one on the worker itself (see [`draws_inline`]).
async fn render(
    state: &AppState,
    payload: String,
    design: Design,
    logo: Option<(String, LogoImage)>,
) -> Result<Cached, Result<Problem, QrError>> {
    if logo.is_none() && draws_inline(&payload, &design) {
        let started = std::time::Instant::now();
        let drawn = generate(&payload, &design, None, render_deadline(state));
        state
            .metrics
            .render(design.format == Format::Svg, started.elapsed());
        return drawn
            .map(|image| Cached::new(image.bytes, image.version))
            .map_err(Err);
    }
    let slot = state
        .render_slot(render_cost(&design, logo.is_some()))
        .await
        .map_err(|Busy| Ok(busy()))?;
    let svg = design.format == Format::Svg;
    let started = std::time::Instant::now();
    let deadline = render_deadline(state);
    let rendered = blocking(move || {
        Ok(generate(
            &payload,
            &design,
            logo.map(|(_, l)| l).as_ref(),
            deadline,
        ))
    })
    .await;
    drop(slot);
    state.metrics.render(svg, started.elapsed());
    match rendered {
        Ok(Ok(image)) => Ok(Cached::new(image.bytes, image.version)),
        Ok(Err(e)) => Err(Err(e)),
        Err(e) => Err(Ok(e.into())),
    }
}

/// The longest payload drawn inline: up to version ~13 at any error correction.
const INLINE_PAYLOAD_BYTES: usize = 300;
/// The largest plain PNG drawn inline (its side, in pixels).
const INLINE_PNG_SIZE: u32 = 512;

/// Whether an image is cheap enough to draw on the worker that received the request:
/// a plain PNG up to 512 px of a payload up to 300 bytes takes tens of microseconds
/// (`cargo bench --bench render`), about what handing it to the blocking pool and waking
/// the worker again costs. Measured in alternated loadbench runs of (a): 93–96 µs of CPU
/// a request against 100–102 through the pool, p99 13–14 ms against 19–20, req/s the
/// same within the noise. Everything else (shapes, gradients, logos, frames, SVG, JPEG,
/// PDF, EPS, verify, larger sizes) goes to the pool, bounded by the render budget.
fn draws_inline(payload: &str, design: &Design) -> bool {
    design.format == Format::Png
        && design.size <= INLINE_PNG_SIZE
        && design.is_plain()
        && !design.verify
        && payload.len() <= INLINE_PAYLOAD_BYTES
}

/// Whether the request will draw: its content fits a QR symbol at its error correction,
/// and the symbol fits the image size. Checked when a URL is signed, so that a signed URL
/// cannot fail the same way on every fetch.
pub(super) fn check_fits(request: &QrRequest, has_logo: bool) -> Result<(), Problem> {
    let ecc = crate::qr::effective_ecc(&request.design, has_logo);
    let matrix = crate::qr::encode::encode(&request.payload, ecc)
        .map_err(|e| render_problem(e.into(), request.kind))?;
    let design = &request.design;
    crate::qr::layout::layout(design.size, matrix.width, design.margin)
        .map_err(|e| render_problem(e.into(), request.kind))?;
    Ok(())
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
pub(super) fn parse(kind: &str, pairs: &Pairs) -> Result<QrRequest, Problem> {
    parse_with(kind, pairs, None)
}

/// [`parse`], taking the design from `designs` when its parameters were seen before.
fn parse_with(
    kind: &str,
    pairs: &Pairs,
    designs: Option<&DesignMemo>,
) -> Result<QrRequest, Problem> {
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
    let design = match designs {
        Some(memo) => memo.design(pairs),
        None => Design::from_params(|name| last(pairs, name)),
    }
    .map_err(|e| invalid(e.parameter, e.to_string()))?;
    Ok(QrRequest {
        kind,
        payload,
        design,
    })
}

pub(super) fn last<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub(super) fn render_problem(error: QrError, kind: QrType) -> Problem {
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
        // verify=true and the image did not decode: the design choice to change.
        QrError::Unscannable(e) => Problem::new(
            422,
            "unscannable",
            "The code would not scan",
            format!("`{}`: {e}", e.parameter),
        )
        .parameter(e.parameter),
        QrError::Caption(e) => invalid("caption", format!("`caption`: {e}")),
        QrError::Encode(e) => {
            tracing::error!(error = %e, "encoding failed");
            Problem::new(
                500,
                "internal",
                "Internal server error",
                "The image could not be drawn. It has been logged.",
            )
        }
        QrError::TimedOut(e) => {
            tracing::warn!(stage = e.stage, "a render was stopped at its deadline");
            Problem::new(
                503,
                "render-timeout",
                "Render took too long",
                "drawing this image took longer than the server allows (render.max_render_ms), so it was stopped and not counted; retry in a moment, or ask for a smaller size",
            )
            .header("retry-after", "1")
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

/// Pixels charged against the render budget: the full image when it goes through the
/// rasteriser (4 bytes a pixel and more), a sixteenth on the palette fast path, nothing
/// for SVG text.
pub(super) fn render_cost(design: &Design, rasterised: bool) -> u64 {
    let pixels = u64::from(design.size).pow(2);
    match design.format {
        Format::Svg => 0,
        Format::Png if rasterised || !design.is_plain() => pixels,
        Format::Png => pixels / 16,
        // Rasterised by resvg, then encoded.
        Format::Jpeg => pixels,
        // Outlines only; a PDF or EPS of a code with a logo carries its bitmap.
        Format::Pdf | Format::Eps => pixels / 16,
    }
}

/// The wall-clock limit of a render that starts now (`render.max_render_ms`).
pub(super) fn render_deadline(state: &AppState) -> Deadline {
    Deadline::after(std::time::Duration::from_millis(
        state.config.render.max_render_ms,
    ))
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

const X_QR_VERSION: HeaderName = HeaderName::from_static("x-qr-version");
const X_QUOTA_REMAINING: HeaderName = HeaderName::from_static("x-quota-remaining");

pub(super) fn image_response(
    status: StatusCode,
    format: Format,
    version: u8,
    kind: QrType,
    download: bool,
) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::build(status);
    response
        .content_type(HeaderValue::from_static(format.content_type()))
        .insert_header((X_QR_VERSION, HeaderValue::from(u16::from(version))))
        .insert_header((
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(kind, format, download),
        ));
    response
}

/// `Content-Disposition` for every type, format and disposition, written once: a clone
/// is a reference count, where writing it for each image was two allocations.
fn disposition(kind: QrType, format: Format, download: bool) -> HeaderValue {
    static TABLE: OnceLock<Vec<HeaderValue>> = OnceLock::new();
    const FORMATS: [Format; 5] = [
        Format::Png,
        Format::Svg,
        Format::Jpeg,
        Format::Pdf,
        Format::Eps,
    ];
    let index = |kind: QrType, format: Format, download: bool| {
        let k = QrType::ALL.iter().position(|t| *t == kind).unwrap_or(0);
        // Exhaustive, so a new format cannot fall back to another's name unnoticed.
        let f = match format {
            Format::Png => 0,
            Format::Svg => 1,
            Format::Jpeg => 2,
            Format::Pdf => 3,
            Format::Eps => 4,
        };
        (k * FORMATS.len() + f) * 2 + usize::from(download)
    };
    let table = TABLE.get_or_init(|| {
        let size = QrType::ALL.len() * FORMATS.len() * 2;
        let mut table = vec![HeaderValue::from_static("inline"); size];
        for kind in QrType::ALL {
            for format in FORMATS {
                for download in [false, true] {
                    let disposition = if download { "attachment" } else { "inline" };
                    let (name, ext) = (kind.as_str(), format.extension());
                    let value = format!("{disposition}; filename=\"qr-{name}.{ext}\"");
                    if let Ok(value) = HeaderValue::try_from(value) {
                        table[index(kind, format, download)] = value;
                    }
                }
            }
        }
        table
    });
    table[index(kind, format, download)].clone()
}

/// A strong ETag over everything that decides the bytes: same request, same tag. The
/// design goes in through its derived `Hash` (every field in order, a length before each
/// list and a byte UTF-8 never has after each string, so no two designs feed the same
/// bytes), which costs a tenth of formatting its `Debug` text and allocates nothing. `Hash` output is fixed for a build;
/// a new compiler may change it, which only makes clients revalidate once.
fn etag(request: &QrRequest, logo_sha: Option<&str>) -> String {
    let mut hash = Sha256::new();
    for part in [RENDER_VERSION, request.kind.as_str(), &request.payload] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    request.design.hash(&mut ShaFeed(&mut hash));
    let logo_sha = logo_sha.unwrap_or("");
    hash.update((logo_sha.len() as u64).to_le_bytes());
    hash.update(logo_sha.as_bytes());
    let mut hex = [0u8; 32];
    // 16 bytes always fit 32 hex digits.
    let _ = hex::encode_to_slice(&hash.finalize()[..16], &mut hex);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    tag.extend(hex.iter().map(|&b| char::from(b)));
    tag.push('"');
    tag
}

/// Feeds what `Hash` writes into SHA-256.
struct ShaFeed<'a>(&'a mut Sha256);

impl Hasher for ShaFeed<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        0 // never asked: the digest is read from the SHA-256 state
    }
}

/// A hash of length-prefixed parts (so no two part lists collide by concatenation).
pub(super) fn digest(parts: &[&str]) -> String {
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

fn quota_remaining(holder: &KeyHolder, quota: u64, used: u64) -> HeaderValue {
    if holder.standing.is_unlimited() {
        HeaderValue::from_static("unlimited")
    } else {
        HeaderValue::from(quota.saturating_sub(used))
    }
}

fn invalid(parameter: &str, detail: impl Into<String>) -> Problem {
    Problem::new(400, "invalid-parameter", "Invalid parameter", detail).parameter(parameter)
}

fn clip(v: &str) -> String {
    v.chars().take(40).collect()
}
