//! **Get a signed URL**: the studio's request signed for the signed-in account's current
//! key, as `POST /api/v1/signed-urls` would sign it, so the owner can put the code in a
//! public page without the key (the page never holds the key, and the URL has none).
//! The script asks for JSON and shows the URL in place; without it the page is drawn
//! again with the URL.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::ACCEPT;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::json;

use super::form::Request;
use super::{DownloadForm, page};
use crate::api::{KeyHolder, Problem, SignedUrl, expires_in_field, sign_for};
use crate::clock::rfc3339;
use crate::domain::Account;
use crate::state::AppState;
use crate::web::PageError;
use crate::web::context::PageContext;
use crate::web::forms;

/// What the page offers: `expires_in` value and label. Empty is "never".
const EXPIRIES: &[(&str, &str)] = &[
    ("3600", "1 hour"),
    ("86400", "1 day"),
    ("2592000", "30 days"),
    ("31536000", "1 year"),
    ("", "never"),
];
pub const DEFAULT_EXPIRY: &str = "86400";

/// The choices with `chosen` selected.
pub fn expiries(chosen: &str) -> Vec<(&'static str, &'static str, bool)> {
    EXPIRIES
        .iter()
        .map(|&(value, label)| (value, label, value == chosen))
        .collect()
}

pub async fn sign(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let mut form: DownloadForm = forms::parse(&req, &state, payload).await?;
    let ctx = PageContext::load(&req, &state).await?;
    let account = ctx.account()?;
    let expires = form
        .pairs
        .iter()
        .rposition(|(name, _)| name == "expires_in")
        .map(|at| form.pairs.remove(at).1)
        .unwrap_or_default();
    form.pairs.retain(|(name, _)| name != "expires_in");
    let request = Request::from_form(&form.pairs);
    let outcome = signed(&req, &state, account, &request, &expires).await?;
    if wants_json(&req) {
        return Ok(match outcome {
            Ok(url) => HttpResponse::Ok()
                .insert_header(("cache-control", "no-store"))
                .json(json!({ "url": url.url, "expires": url.expires.map(rfc3339) })),
            Err(problem) => problem.error_response(),
        });
    }
    let mut page = page(&req, &state, &ctx, &request).await?;
    page.expiries = expiries(&expires);
    let status = match outcome {
        Ok(url) => {
            page.signed = Some((url.url, until(url.expires)));
            StatusCode::OK
        }
        Err(problem) => {
            page.sign_problem = Some(problem.detail().to_owned());
            problem.status_code()
        }
    };
    ctx.render(status, &page)
}

/// The signed URL, or the problem to show. Rate-limited as a request with the key is.
async fn signed(
    req: &HttpRequest,
    state: &AppState,
    account: &Account,
    request: &Request,
    expires: &str,
) -> Result<Result<SignedUrl, Problem>, PageError> {
    if account.key.is_none() {
        return Ok(Err(Problem::new(
            409,
            "no-key",
            "No API key",
            "This account has no API key yet: create one on the API key page first. A signed URL is bound to the key, and renewing the key invalidates it.",
        )));
    }
    let standing = state.standing(account).await?;
    let decision = state.limiters.check_key(&standing.plan, account.id);
    if let Some(retry) = decision.retry_after {
        return Err(PageError::TooMany(retry));
    }
    let expires_in = match expires_in_field(expires) {
        Ok(seconds) => seconds,
        Err(problem) => return Ok(Err(problem)),
    };
    // Signed in with the password: the key's referrer and network rules do not apply
    // (they are about where the key is used), its QR types do (a fetch checks them).
    let holder = KeyHolder {
        account: Arc::new(account.clone()),
        standing,
        restricted: None,
    };
    let kind = request.kind.as_str();
    Ok(sign_for(req, state, &holder, kind, request.significant(), expires_in).await)
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn until(expires: Option<i64>) -> String {
    expires.map_or_else(
        || "It does not expire; renewing the key invalidates it.".to_owned(),
        |at| {
            format!(
                "It works until {} (UTC); renewing the key invalidates it sooner.",
                rfc3339(at).replace('T', " ").trim_end_matches('Z')
            )
        },
    )
}
