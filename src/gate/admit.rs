//! The door for key-authenticated JSON endpoints (logos, signed URLs, and what comes
//! after): the key, the rate limit, the account's standing, the key's restrictions and
//! the permission the endpoint needs, in that order, with one answer for each refusal.

use actix_web::HttpRequest;

use super::limits::Decision;
use super::{KeyCheck, KeyHolder, rate};
use crate::domain::Permission;
use crate::problem::Problem;
use crate::state::AppState;

/// The caller's key, if it may do `permission` now, and the rate decision to stamp on the
/// answer (`rate::stamp`). Refusals come back as problems that carry the rate headers.
pub async fn admit(
    req: &HttpRequest,
    state: &AppState,
    permission: Permission,
) -> Result<(Box<KeyHolder>, Decision), Problem> {
    let check = KeyCheck::from_request(req, state).await?;
    let decision = rate::decide(req, state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    let holder = match (check.problem(), check) {
        (None, KeyCheck::Known(holder)) => holder,
        (Some(problem), _) => return Err(rate::stamp_problem(problem, &decision)),
        (None, _) => unreachable!("every check but a known key has a problem"),
    };
    match holder.require(permission) {
        Ok(()) => Ok((holder, decision)),
        Err(problem) => Err(rate::stamp_problem(problem, &decision)),
    }
}
