//! `GET /api/v1/usage`: the key's plan, status, quota and usage, and
//! `GET /api/v1/usage/daily`: its generations per UTC day. Both answer `200` for every
//! known key, expired and over-quota ones included.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::params;
use super::{KeyCheck, KeyHolder, Problem};
use crate::clock::rfc3339;
use crate::domain::days::{DayRange, day_of};
use crate::domain::{AccountStatus, Restrictions};
use crate::gate::rate;
use crate::qr::design::KEY_PARAM;
use crate::qr::payload::{ParamKind, ParamSpec, Params, validate_params};
use crate::state::AppState;

/// Longest range one daily request may ask for: the days that are kept.
pub const MAX_DAILY_DAYS: i64 = crate::store::KEEP_DAYS;

/// The query parameters of `GET /api/v1/usage/daily`, for validation and the docs.
pub const DAILY_USAGE_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "from",
        required: false,
        kind: ParamKind::Date,
        max_bytes: 10,
        default: None,
        description: "The first day (UTC), included. Without it, the 30 days up to `to`.",
        example: "2026-09-01",
    },
    ParamSpec {
        name: "to",
        required: false,
        kind: ParamKind::Date,
        max_bytes: 10,
        default: None,
        description: "The last day (UTC), included; today without it. At most 400 days from `from`.",
        example: "2026-09-30",
    },
];

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
    rate::stamp(answer(check), &decision)
}

pub async fn daily(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Problem> {
    let check = KeyCheck::from_request(&req, &state).await?;
    let decision = rate::decide(&req, &state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    let answer = match known_holder(check) {
        Ok(holder) => daily_answer(&req, &state, holder.account.id).await,
        Err(problem) => Err(problem),
    };
    rate::stamp(answer, &decision)
}

/// Every day of the asked range with its count, days without generations included.
async fn daily_answer(
    req: &HttpRequest,
    state: &AppState,
    account_id: u64,
) -> Result<HttpResponse, Problem> {
    let range = daily_range(req.query_string(), day_of(state.clock.now()))?;
    let body = state.daily(account_id, range).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(body))
}

/// The range a daily query asks for; unknown parameters and bad dates are refused with
/// the parameter named.
fn daily_range(query: &str, today: i64) -> Result<DayRange, Problem> {
    let mut raw = Params::new();
    for (name, value) in params::from_query(query)? {
        if name == KEY_PARAM {
            continue;
        }
        if !DAILY_USAGE_PARAMS.iter().any(|spec| spec.name == name) {
            let shown: String = name.chars().take(40).collect();
            return Err(invalid(
                &shown,
                format!("`{shown}` is not a parameter of this endpoint; it takes from and to"),
            ));
        }
        raw.insert(&name, value);
    }
    let clean = validate_params(DAILY_USAGE_PARAMS, &raw)
        .map_err(|e| invalid(e.parameter, e.to_string()))?;
    DayRange::parse(clean.get("from"), clean.get("to"), today, MAX_DAILY_DAYS)
        .map_err(|e| invalid(e.parameter, e.detail))
}

fn invalid(parameter: &str, detail: impl Into<String>) -> Problem {
    Problem::new(400, "invalid-parameter", "Invalid parameter", detail).parameter(parameter)
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
        restrictions: RestrictionsBody::of(&holder.account.restrictions),
    };
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(body))
}

/// The holder of a known key in any standing but disabled; otherwise the refusal. A
/// request the key's restrictions refuse learns nothing of the account either.
pub(super) fn known_holder(check: KeyCheck) -> Result<Box<KeyHolder>, Problem> {
    let refusal = check.problem();
    match check {
        KeyCheck::Known(holder)
            if holder.standing.status != AccountStatus::Disabled && holder.restricted.is_none() =>
        {
            Ok(holder)
        }
        _ => Err(refusal.unwrap_or_else(|| {
            Problem::new(403, "disabled", "Forbidden", "This account is disabled.")
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: i64 = 20_717; // 2026-09-21

    fn refused(query: &str) -> String {
        let problem = daily_range(query, TODAY).unwrap_err();
        format!("{problem}")
    }

    #[test]
    fn the_declared_examples_are_valid() {
        for spec in DAILY_USAGE_PARAMS {
            assert!(crate::qr::payload::check_value(spec, spec.example).is_ok());
        }
        let range = daily_range("from=2026-09-01&to=2026-09-30", TODAY).unwrap();
        assert_eq!(range.day_count(), 30);
    }

    #[test]
    fn without_dates_the_last_thirty_days_are_asked_for() {
        let range = daily_range("", TODAY).unwrap();
        assert_eq!((range.from, range.to), (TODAY - 29, TODAY));
        let blank = daily_range("from=&to=&api_key=qrg_x", TODAY).unwrap();
        assert_eq!(blank, range, "blank values and the key are not dates");
    }

    #[test]
    fn bad_queries_name_the_parameter() {
        assert!(refused("from=2026-02-30").contains("from"));
        assert!(refused("to=tomorrow").contains("to"));
        assert!(refused("from=2026-09-22&to=2026-09-21").contains("after"));
        assert!(refused("from=2024-01-01").contains("at most 400"));
        assert!(refused("since=2026-09-01").contains("`since`"));
        assert!(refused("from=%FF").contains("from"));
    }
}
