//! `GET /api/v1/usage`: the key's plan, status, quota and usage. It answers `200` for
//! every known key, expired and over-quota ones included.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::{KeyCheck, KeyHolder, Problem};
use crate::clock::rfc3339;
use crate::domain::AccountStatus;
use crate::gate::rate;
use crate::state::AppState;

#[derive(Serialize)]
struct UsageBody {
    plan: String,
    status: &'static str,
    /// Generations per period; 0 means unlimited.
    quota: u64,
    used: u64,
    /// `null` when the plan is unlimited.
    remaining: Option<u64>,
    period_start: String,
    period_end: String,
    rate_per_second: u32,
    burst: u32,
    key_prefix: String,
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Problem> {
    let check = KeyCheck::from_request(&req, &state).await?;
    let decision = rate::decide(&req, &state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    rate::stamp(answer(check), &decision)
}

/// The usage of a known key, whatever its standing: a client asks precisely when it is
/// out of quota or its plan has ended, so those answer `200` with `status` saying which.
/// A missing or unknown key is `401`; a disabled account is `403` and learns nothing more.
fn answer(check: KeyCheck) -> Result<HttpResponse, Problem> {
    let holder = known_holder(check)?;
    let standing = &holder.standing;
    let body = UsageBody {
        plan: standing.plan.clone(),
        status: standing.status.as_str(),
        quota: standing.quota,
        used: standing.used,
        remaining: standing.remaining,
        period_start: rfc3339(standing.period_start),
        period_end: rfc3339(standing.period_end),
        rate_per_second: standing.rate_per_second,
        burst: standing.burst,
        key_prefix: holder
            .account
            .key
            .as_ref()
            .map(|k| k.prefix.clone())
            .unwrap_or_default(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(body))
}

/// The holder of a known key in any standing but disabled; otherwise the refusal.
fn known_holder(check: KeyCheck) -> Result<Box<KeyHolder>, Problem> {
    let refusal = check.problem();
    match check {
        KeyCheck::Known(holder) if holder.standing.status != AccountStatus::Disabled => Ok(holder),
        _ => Err(refusal.unwrap_or_else(|| {
            Problem::new(403, "disabled", "Forbidden", "This account is disabled.")
        })),
    }
}
