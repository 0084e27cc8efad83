//! `GET /api/v1/usage`: the key's plan, status, quota and usage.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::{KeyCheck, Problem};
use crate::clock::rfc3339;
use crate::domain::{AccountStatus, Restrictions};
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
    /// The key's restrictions; empty lists mean "any".
    restrictions: RestrictionsBody,
}

#[derive(Serialize)]
struct RestrictionsBody {
    referrers: Vec<String>,
    allow_no_referrer: bool,
    networks: Vec<String>,
    types: Vec<String>,
    read_only: bool,
}

impl RestrictionsBody {
    fn of(r: &Restrictions) -> Self {
        Self {
            referrers: r.referrers().iter().map(|p| p.to_string()).collect(),
            allow_no_referrer: r.allow_no_referrer(),
            networks: r.networks().iter().map(|n| n.to_string()).collect(),
            types: r.types().to_vec(),
            read_only: r.read_only(),
        }
    }
}

pub async fn show(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Problem> {
    let check = KeyCheck::from_request(&req, &state).await?;
    let decision = rate::decide(&req, &state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    // A request the key's restrictions refuse learns nothing of the account.
    if let Some(restricted) = check.restricted() {
        return Err(rate::stamp_problem(restricted.problem(), &decision));
    }
    rate::stamp(answer(check), &decision)
}

fn answer(check: KeyCheck) -> Result<HttpResponse, Problem> {
    let problem = check.problem();
    let KeyCheck::Known(holder) = check else {
        return Err(problem.expect("only a known key can be served"));
    };
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
        restrictions: RestrictionsBody::of(&holder.account.restrictions),
    };
    // An expired or used-up key is refused with its figures attached, so a client can
    // see why; a disabled account learns nothing more.
    match problem {
        None => Ok(HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(body)),
        Some(problem) if standing.status == AccountStatus::Disabled => Err(problem),
        Some(problem) => Err(problem.extension("usage", body)),
    }
}
