//! `/dashboard/studio`: pick a QR type, fill its fields, choose every design option and
//! see a live preview; the exact API request is written beside it. The preview is the
//! PREVIEW-watermarked image (free, not counted, at most 512 px, from the previews' own
//! budget and a per-account rate), so the page cannot be used to get codes for free;
//! **Download** is a CSRF-checked POST that makes one real generation, counted like a
//! request with the account's key (which the page never holds).
//!
//! **Get a signed URL** (a CSRF-checked POST too) signs the request for the account's
//! current key, so the code can go in a public page's `<img src>` without the key.
//!
//! Without JavaScript the form is a GET to this page, which draws the chosen design;
//! `static/studio.js` updates the preview and the request as fields change.

mod form;
mod sign;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use super::context::PageContext;
use super::forms::{self, has_csrf};
use super::origin::SiteOrigin;
use super::{Nav, PageError};
use crate::api::{KeyHolder, Problem, serve_account, studio_preview, validate_query};
use crate::state::{AppState, blocking};
use form::{ApiRequest, Field, Request, api_request};
pub use sign::sign;

#[derive(Template)]
#[template(path = "studio/studio.html")]
struct StudioPage {
    nav: Nav,
    csrf: String,
    kinds: Vec<(&'static str, bool)>,
    kind: &'static str,
    content: Vec<Field>,
    design: Vec<Field>,
    /// The preview's URL (this page's query on the preview route).
    preview: String,
    /// What is wrong with the request as it stands, if anything.
    problem: Option<String>,
    /// The pairs the Download form sends.
    pairs: Vec<(String, String)>,
    api: ApiRequest,
    used: u64,
    quota: u64,
    /// Whether the account has a key to sign URLs with.
    has_key: bool,
    /// `expires_in` choices for a signed URL: value, label, selected.
    expiries: Vec<(&'static str, &'static str, bool)>,
    /// The URL just signed, and when it stops working.
    signed: Option<(String, String)>,
    /// Why signing failed.
    sign_problem: Option<String>,
}

fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let request = Request::from_query(&query_pairs(&req));
    let page = page(&req, &state, &ctx, &request).await?;
    ctx.render(StatusCode::OK, &page)
}

/// The page for `request`, with nothing signed yet.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    ctx: &PageContext,
    request: &Request,
) -> Result<StudioPage, PageError> {
    let account = ctx.account()?;
    let (store, id) = (state.store.clone(), account.id);
    let logos = blocking(move || Ok(store.logos(id)?))
        .await
        .map_err(|_| PageError::Busy)?
        .into_iter()
        .map(|logo| logo.id)
        .collect::<Vec<_>>();
    // The same checks as the API, so the page says what the API would.
    let problem = validate_query(request.kind.as_str(), &request.query())
        .err()
        .map(|p| p.detail().to_owned())
        .or_else(|| unknown_logo(&request.significant(), &logos));
    let standing = state.standing(account).await?;
    let origin = SiteOrigin::of_request(req, state).to_string();
    Ok(StudioPage {
        nav: ctx.nav("studio"),
        csrf: ctx.csrf_token().to_owned(),
        kinds: crate::qr::payload::QrType::ALL
            .iter()
            .map(|k| (k.as_str(), *k == request.kind))
            .collect(),
        kind: request.kind.as_str(),
        content: request.content_fields(),
        design: request.design_fields(&logos),
        preview: format!(
            "/dashboard/studio/preview?type={}&{}",
            request.kind.as_str(),
            request.query()
        ),
        problem,
        pairs: request.significant(),
        api: api_request(&origin, request),
        used: standing.used,
        quota: standing.quota,
        has_key: account.key.is_some(),
        expiries: sign::expiries(sign::DEFAULT_EXPIRY),
        signed: None,
        sign_problem: None,
    })
}

/// A `logo` the account does not have, said as Download would find it (the preview
/// draws no logo, so it would not tell).
fn unknown_logo(pairs: &[(String, String)], logos: &[String]) -> Option<String> {
    let (_, id) = pairs.iter().find(|(name, _)| name == "logo")?;
    (!id.is_empty() && !logos.contains(id)).then(|| {
        format!("logo: this account has no logo `{id}`; upload one on the Logos page or choose (no logo)")
    })
}

/// The live preview: PNG, watermarked, 200; a 400 problem naming the parameter when the
/// request is wrong (the page shows its detail).
pub async fn preview(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let decision = state.limiters.check_studio(account.id);
    if let Some(retry) = decision.retry_after {
        return Err(PageError::TooMany(retry));
    }
    // The page's own URL carries the examples already; a field the person cleared is
    // named as missing, not drawn as the example.
    let request = Request::from_form(&query_pairs(&req));
    let kind = request.kind.as_str().to_owned();
    if let Err(problem) = validate_query(&kind, &request.query()) {
        return Ok(problem.error_response());
    }
    // Always a PNG: the page shows it in an <img>; the format is the download's.
    let mut pairs = request.significant();
    pairs.retain(|(n, _)| n != "format");
    Ok(studio_preview(&state, kind, pairs)
        .await
        .unwrap_or_else(|problem: Problem| problem.error_response()))
}

/// The Download and Get a signed URL forms: the request's pairs and the CSRF token.
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct DownloadForm {
    csrf_token: String,
    pub(super) pairs: Vec<(String, String)>,
}

impl From<Vec<(String, String)>> for DownloadForm {
    fn from(mut pairs: Vec<(String, String)>) -> Self {
        let csrf_token = pairs
            .iter()
            .find(|(n, _)| n == "csrf_token")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        pairs.retain(|(n, _)| n != "csrf_token");
        Self { csrf_token, pairs }
    }
}

has_csrf!(DownloadForm);

/// One real generation for the signed-in account, counted against its plan like a
/// request with its key, sent as a file.
pub async fn download(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let form: DownloadForm = forms::parse(&req, &state, payload).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let request = Request::from_form(&form.pairs);
    let standing = state.standing(account).await?;
    let decision = state.limiters.check_key(&standing.plan, account.id);
    if let Some(retry) = decision.retry_after {
        return Err(PageError::TooMany(retry));
    }
    let mut pairs = request.significant();
    pairs.retain(|(n, _)| n != "download");
    pairs.push(("download".into(), "true".into()));
    // Signed in, not through the key: the key's referrer and network rules do not apply.
    let holder = KeyHolder {
        account: std::sync::Arc::new(account.clone()),
        standing,
        restricted: None,
    };
    Ok(
        serve_account(&req, &state, holder, request.kind.as_str(), pairs)
            .await
            .unwrap_or_else(|problem| problem.error_response()),
    )
}
