//! `POST /api/v1/signed-urls` signs a QR request for the key's account; `GET
//! /api/v1/s/{token}` serves it to anyone, without a key, until it expires or the key is
//! renewed. A fetch is a normal generation of the owner's: counted against their quota
//! and rate-limited at their plan's rate, `304` not counted, previews when their plan
//! has ended, their quota is used up or their account is disabled.
//!
//! Which of the owner's restrictions apply to a fetch: the QR types (a signed URL of a
//! type the key may no longer make gets the `restricted` preview). Not the referrers or
//! networks: a signed URL is made to be put in public pages, fetched by any browser from
//! any network, often without a referrer; its limits are its expiry and the key's
//! generation. Not read-only either: a fetch only renders, which a read-only key may do
//! (signing one is a change, which it may not).

use std::sync::Arc;

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::params::{self, Pairs};
use super::qr::{self, MAX_JSON_BYTES};
use super::via::{Refusal, Via};
use super::{Problem, body, logos, preview};
use crate::bounds::MAX_URI_BYTES;
use crate::clock::rfc3339;
use crate::domain::Account;
use crate::error::AppError;
use crate::gate::signed::{MAX_EXPIRES_IN_SECS, SIGNED_PATH, SignedRequest, UrlSigner};
use crate::gate::{KeyCheck, KeyHolder, Permission, admit, rate};
use crate::qr::design::DESIGN_PARAMS;
use crate::state::{AppState, blocking};
use crate::web::SiteOrigin;

/// How long a cache may keep a signed image at most (as keyed images).
const MAX_AGE_SECS: i64 = 86_400;

pub async fn create(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = admit(&req, &state, Permission::Write).await?;
    rate::stamp(sign(&req, &state, &holder, payload).await, &decision)
}

async fn sign(
    req: &HttpRequest,
    state: &AppState,
    holder: &KeyHolder,
    payload: Payload,
) -> Result<HttpResponse, Problem> {
    let body = body::read_capped(payload, MAX_JSON_BYTES, "JSON body").await?;
    let mut root = params::json_body(&body)?;
    let expires_in = match root.as_object_mut() {
        Some(fields) => expires_in(fields.remove("expires_in"))?,
        None => None,
    };
    let (kind, pairs) = params::from_value(root)?;
    let signed = sign_for(req, state, holder, &kind, pairs, expires_in).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(json!({
            "url": signed.url,
            "token": signed.token,
            "expires": signed.expires.map(rfc3339),
        })))
}

/// A URL made by [`sign_for`].
pub struct SignedUrl {
    /// This server's origin, the signed path and the token.
    pub url: String,
    pub token: String,
    /// When it stops working (Unix seconds), if ever.
    pub expires: Option<i64>,
}

/// Signs `kind` and `pairs` for the holder's account and current key, after the checks a
/// generation would make (parameters, the key's QR types, the logo, the code's size), so
/// a URL that is handed out works. Shared by the API and the studio.
pub async fn sign_for(
    req: &HttpRequest,
    state: &AppState,
    holder: &KeyHolder,
    kind: &str,
    pairs: Pairs,
    expires_in: Option<i64>,
) -> Result<SignedUrl, Problem> {
    let request = qr::parse(kind, &pairs)?;
    holder
        .check_type(request.kind.as_str())
        .map_err(|restricted| restricted.problem())?;
    if let Some(logo) = &request.design.logo {
        logos::load(state, holder.account.id, logo).await?;
    }
    let now = state.clock.now();
    let signed = SignedRequest {
        account_id: holder.account.id,
        key_generation: holder.account.key_generation,
        key_created: holder.account.key.as_ref().map_or(0, |k| k.created_at),
        expires: expires_in.map(|secs| now + secs),
        kind: request.kind.as_str().to_owned(),
        pairs: pairs.clone(),
    };
    let path = format!(
        "{SIGNED_PATH}{}",
        UrlSigner::new(&state.secret).sign(&signed)
    );
    if path.len() > MAX_URI_BYTES {
        return Err(too_long(path.len(), &pairs));
    }
    let has_logo = request.design.logo.is_some();
    blocking(move || Ok(qr::check_fits(&request, has_logo))).await??;
    let origin = SiteOrigin::of_request(req, state);
    Ok(SignedUrl {
        url: format!("{origin}{path}"),
        token: path[SIGNED_PATH.len()..].to_owned(),
        expires: signed.expires,
    })
}

/// `expires_in` as a form sends it: empty for a URL that does not expire, else whole
/// seconds (checked as the API checks them).
pub fn expires_in_field(text: &str) -> Result<Option<i64>, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value = text
        .parse::<i64>()
        .map_or(Value::String(String::new()), Value::from);
    expires_in(Some(value))
}

/// `expires_in`: whole seconds up to a year, or absent or null for a URL that does not
/// expire.
fn expires_in(value: Option<Value>) -> Result<Option<i64>, Problem> {
    let seconds = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64(),
        Some(_) => None,
    };
    match seconds {
        Some(s) if (1..=MAX_EXPIRES_IN_SECS).contains(&s) => Ok(Some(s)),
        _ => Err(invalid(
            "expires_in",
            format!(
                "`expires_in` must be a whole number of seconds from 1 to {MAX_EXPIRES_IN_SECS} (one year), or null for a URL that does not expire"
            ),
        )),
    }
}

/// The URL would not fit in a request line: name the longest parameter, which is the one
/// to shorten.
fn too_long(bytes: usize, pairs: &Pairs) -> Problem {
    let longest = pairs
        .iter()
        .max_by_key(|(_, value)| value.len())
        .map(|(name, _)| {
            let section = if DESIGN_PARAMS.contains(&name.as_str()) {
                "design"
            } else {
                "data"
            };
            (name.as_str(), section)
        })
        .unwrap_or(("data", "body"));
    let (name, section) = longest;
    invalid(
        name,
        format!(
            "the signed URL would be {bytes} bytes long, over the {MAX_URI_BYTES} a URL may have; `{name}` (in {section}) is its longest part. Shorten it, or send this request to POST /api/v1/qr with the key"
        ),
    )
    .extension("max_bytes", MAX_URI_BYTES)
}

fn invalid(parameter: &str, detail: String) -> Problem {
    Problem::new(400, "invalid-parameter", "Invalid parameter", detail).parameter(parameter)
}

/// `GET /api/v1/s/{token}`.
pub async fn fetch(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Problem> {
    // The token as it arrived, not percent-decoded: any other spelling is not the one
    // that was signed.
    let token = req.path().strip_prefix(SIGNED_PATH).unwrap_or_default();
    let Ok(link) = UrlSigner::new(&state.secret).verify(token) else {
        return refuse(&req, &state, None, invalid_signature()).await;
    };
    let account = account(&state, link.account_id).await?;
    // A deleted account, or a key renewed since signing: the URL is void.
    let Some(account) = account.filter(|a| {
        a.key_generation == link.key_generation
            && a.key
                .as_ref()
                .is_some_and(|k| k.created_at == link.key_created)
    }) else {
        return refuse(&req, &state, None, invalid_signature()).await;
    };
    let now = state.clock.now();
    let input = Ok((link.kind.clone(), link.pairs.clone()));
    if link.is_expired(now) {
        let refusal = Refusal {
            status: 410,
            reason: "expired_link",
            detail: Some("This signed URL has expired; ask its owner for a new one.".to_owned()),
            rule: None,
        };
        return refuse(&req, &state, input.ok(), refusal).await;
    }
    let standing = state.standing(&account).await?;
    let holder = KeyHolder {
        account,
        standing,
        restricted: None,
    };
    let max_age = link
        .expires
        .map_or(MAX_AGE_SECS, |at| (at - now).min(MAX_AGE_SECS));
    let via = Via::SignedUrl { max_age };
    qr::serve_checked(&req, &state, KeyCheck::Known(Box::new(holder)), input, via).await
}

/// The account, from memory while no commit has happened since it was read (as keys are
/// checked), else from the store.
async fn account(state: &AppState, id: u64) -> Result<Option<Arc<Account>>, AppError> {
    let generation = state.store.generation();
    if let Some(account) = state.account_cache.get(&id, generation) {
        return Ok(Some(account));
    }
    let store = state.store.clone();
    let account = blocking(move || Ok(store.account(id)?))
        .await?
        .map(Arc::new);
    if let Some(account) = &account {
        state
            .account_cache
            .insert(id, Arc::clone(account), generation);
    }
    Ok(account)
}

fn invalid_signature() -> Refusal {
    Refusal {
        status: 401,
        reason: "invalid_signature",
        detail: Some(
            "This is not a valid signed URL: it was changed, or its key was renewed since it was signed."
                .to_owned(),
        ),
        rule: None,
    }
}

/// A preview for a URL that is not (or no longer) good, rate-limited per client address
/// like any request without a valid key.
async fn refuse(
    req: &HttpRequest,
    state: &AppState,
    input: Option<(String, Pairs)>,
    refusal: Refusal,
) -> Result<HttpResponse, Problem> {
    let decision = rate::decide(req, state, &KeyCheck::Unknown);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    rate::stamp(preview::respond(state, input, refusal).await, &decision)
}
