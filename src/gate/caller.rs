//! Who is calling: the API key read from the request, resolved to its account and the
//! account's standing. Verification is a keyed hash and one read, never argon2.

use std::sync::Arc;

use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

use crate::auth::api_key::{key_from_request, key_hash};
use crate::domain::{Account, AccountStatus, KeyFormatError};
use crate::error::AppError;
use crate::gate::restrictions::{self, Restricted};
use crate::gate::standing::Standing;
use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// A caller whose key is the current key of an account (in any standing).
pub struct KeyHolder {
    /// Shared with the key cache.
    pub account: Arc<Account>,
    pub standing: Standing,
    /// Set when the key's referrer or network restriction refuses this request.
    pub restricted: Option<Restricted>,
}

pub enum KeyCheck {
    Missing,
    Malformed(KeyFormatError),
    /// Well-formed, but no account's current key (never issued, or renewed away).
    Unknown,
    Known(Box<KeyHolder>),
}

impl KeyCheck {
    pub async fn from_request(req: &HttpRequest, state: &AppState) -> Result<Self, AppError> {
        let key = match key_from_request(req) {
            None => return Ok(Self::Missing),
            Some(Err(e)) => return Ok(Self::Malformed(e)),
            Some(Ok(key)) => key,
        };
        let hash = key_hash(&state.secret, &key);
        // Read the generation first: a commit after this point makes the entry stale.
        let generation = state.store.generation();
        let account = match state.key_cache.get(&hash, generation) {
            Some(account) => Some(account),
            None => {
                let store = state.store.clone();
                let account = blocking(move || Ok(store.account_by_key_hash(&hash)?))
                    .await?
                    .map(Arc::new);
                if let Some(account) = &account {
                    state
                        .key_cache
                        .insert(hash, Arc::clone(account), generation);
                }
                account
            }
        };
        // The index said this hash belongs to the account; confirm against the account's
        // own record in constant time, so a stale index entry can never authorise.
        let current = account.filter(|a| {
            a.key.as_ref().is_some_and(|k| {
                let mut stored = [0u8; 32];
                hex::decode_to_slice(&k.hash, &mut stored).is_ok()
                    && bool::from(stored.ct_eq(&hash))
            })
        });
        let Some(account) = current else {
            return Ok(Self::Unknown);
        };
        let restricted =
            restrictions::check_request(&account.restrictions, req, state.client_ip(req));
        let standing = state.standing(&account).await?;
        Ok(Self::Known(Box::new(KeyHolder {
            account,
            standing,
            restricted,
        })))
    }

    /// The key's restriction that refuses this request, if one does.
    pub fn restricted(&self) -> Option<&Restricted> {
        match self {
            Self::Known(holder) => holder.restricted.as_ref(),
            _ => None,
        }
    }

    /// The reason a request with this key is not served, as `X-QR-Preview` and problem
    /// type name it; `None` for an active key.
    pub fn rejection(&self) -> Option<(u16, &'static str)> {
        match self {
            Self::Missing => Some((401, "missing_key")),
            Self::Malformed(_) | Self::Unknown => Some((401, "invalid_key")),
            Self::Known(holder) if holder.restricted.is_some() => Some((403, "restricted")),
            Self::Known(holder) => match holder.standing.status {
                AccountStatus::Active => None,
                AccountStatus::Expired => Some((402, "expired")),
                AccountStatus::OverQuota => Some((402, "over_quota")),
                AccountStatus::Disabled => Some((403, "disabled")),
            },
        }
    }

    /// The problem+json for a caller that cannot be served; `None` for an active key.
    pub fn problem(&self) -> Option<Problem> {
        if let Some(restricted) = self.restricted() {
            return Some(restricted.problem());
        }
        let (status, reason) = self.rejection()?;
        let detail = match self {
            Self::Missing => "Send your API key in the X-API-Key header, as `Authorization: Bearer KEY`, or as the api_key query parameter. Create one at /dashboard/api.".to_owned(),
            Self::Malformed(e) => format!("The API key is malformed: {e}."),
            Self::Unknown => "This API key is not valid. If it was renewed, use the new key shown on /dashboard/api.".to_owned(),
            Self::Known(holder) => match holder.standing.status {
                AccountStatus::Expired => format!(
                    "The {} plan's period ended at {}. The key works again as soon as a plan is granted.",
                    holder.standing.plan,
                    crate::clock::rfc3339(holder.standing.period_end)
                ),
                AccountStatus::OverQuota => format!(
                    "The quota of {} generations for this period is used up; it renews at {}.",
                    holder.standing.quota,
                    crate::clock::rfc3339(holder.standing.period_end)
                ),
                _ => "This account is disabled. Contact the operator of this server.".to_owned(),
            },
        };
        let title = match status {
            401 => "Unauthorized",
            402 => "Payment required",
            _ => "Forbidden",
        };
        let mut problem = Problem::new(status, reason, title, detail).parameter("api_key");
        if status == 401 {
            problem = problem.header("www-authenticate", "Bearer realm=\"qrgate\"");
        }
        Some(problem)
    }
}
