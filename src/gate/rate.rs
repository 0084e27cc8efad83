//! Rate limiting for API requests: a valid key at its plan's rate, anything else per
//! client IP. Every API response carries `RateLimit-Limit`, `RateLimit-Remaining` and
//! `RateLimit-Reset`; a refused one is a 429 problem with `Retry-After`.

use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::http::header::{HeaderName, HeaderValue};

use super::KeyCheck;
use crate::gate::limits::{Decision, IpClass};
use crate::problem::Problem;
use crate::state::AppState;

pub fn decide(req: &HttpRequest, state: &AppState, check: &KeyCheck) -> Decision {
    let decision = match check {
        KeyCheck::Known(holder) if check.rejection().is_none() => state
            .limiters
            .check_key(&holder.standing.plan, holder.account.id),
        _ => state
            .limiters
            .check_ip(IpClass::Keyless, state.client_ip(req)),
    };
    if decision.refused() {
        state.metrics.rate_limited();
    }
    decision
}

/// The 429 for a refused decision.
pub fn refusal(decision: &Decision) -> Option<Problem> {
    let retry = decision.retry_after?;
    let problem = Problem::new(
        429,
        "rate-limited",
        "Too many requests",
        format!("the rate limit of this key (or of this address, without a key) is reached; retry in {retry} s"),
    )
    .header("retry-after", &retry.to_string());
    Some(with_headers(problem, decision))
}

const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

fn values(decision: &Decision) -> [(&'static str, String); 3] {
    [
        ("ratelimit-limit", decision.limit.to_string()),
        ("ratelimit-remaining", decision.remaining.to_string()),
        ("ratelimit-reset", decision.reset_secs.to_string()),
    ]
}

/// A problem with the rate-limit headers added.
pub fn stamp_problem(problem: Problem, decision: &Decision) -> Problem {
    with_headers(problem, decision)
}

fn with_headers(mut problem: Problem, decision: &Decision) -> Problem {
    for (name, value) in values(decision) {
        problem = problem.header(name, &value);
    }
    problem
}

/// Adds the rate-limit headers to whatever the handler answered.
pub fn stamp(
    result: Result<HttpResponse, Problem>,
    decision: &Decision,
) -> Result<HttpResponse, Problem> {
    match result {
        Ok(mut response) => {
            // Numbers straight into header values: no string is formatted on this path.
            let headers = response.headers_mut();
            headers.insert(RATELIMIT_LIMIT, HeaderValue::from(decision.limit));
            headers.insert(RATELIMIT_REMAINING, HeaderValue::from(decision.remaining));
            headers.insert(RATELIMIT_RESET, HeaderValue::from(decision.reset_secs));
            Ok(response)
        }
        Err(problem) => Err(with_headers(problem, decision)),
    }
}
