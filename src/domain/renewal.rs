//! Why a key was created or renewed, and the log entry written each time.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalReason {
    /// The first key of the account (logged, but not a renewal).
    Created,
    Expiration,
    Compromise,
    AccessChange,
    /// The key's restrictions were changed (the key itself stays).
    AccessChanged,
}

impl RenewalReason {
    /// The reasons a user may pick when renewing, in form order.
    pub const CHOICES: [RenewalReason; 3] =
        [Self::Expiration, Self::Compromise, Self::AccessChange];

    /// Parses a renewal form value; `created` is not something a user can choose.
    pub fn parse_choice(raw: &str) -> Option<Self> {
        Self::CHOICES.into_iter().find(|r| r.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Expiration => "expiration",
            Self::Compromise => "compromise",
            Self::AccessChange => "access_change",
            Self::AccessChanged => "access_changed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Key created",
            Self::Expiration => "Expiration",
            Self::Compromise => "Compromise",
            Self::AccessChange => "Change in access level",
            Self::AccessChanged => "Access changed",
        }
    }

    /// Whether this entry counts against the daily renewal limit.
    pub fn is_renewal(self) -> bool {
        matches!(
            self,
            Self::Expiration | Self::Compromise | Self::AccessChange
        )
    }
}

/// One row of the renewal log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalRecord {
    pub at: i64,
    pub reason: RenewalReason,
    pub old_prefix: Option<String>,
    pub new_prefix: String,
    pub ip: String,
    pub user_agent: String,
    /// What changed, for entries that are not about the key itself (`AccessChanged`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The renewal limit applies to any rolling window of this many seconds.
pub const RENEWAL_WINDOW_SECS: i64 = 24 * 60 * 60;

/// Where an account stands against the rolling renewal limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenewalAllowance {
    /// Renewals inside the last 24 hours.
    pub used: u32,
    /// When the limit is reached: the moment the oldest counted renewal leaves the window.
    pub next_allowed_at: Option<i64>,
}

impl RenewalAllowance {
    /// Applies the rule to a log: only renewals (not the first creation) within the last
    /// 24 hours count, and at most `limit` of them may exist.
    pub fn from_log<'a>(
        log: impl IntoIterator<Item = &'a RenewalRecord>,
        now: i64,
        limit: u32,
    ) -> Self {
        let mut recent: Vec<i64> = log
            .into_iter()
            .filter(|r| r.reason.is_renewal() && r.at > now - RENEWAL_WINDOW_SECS)
            .map(|r| r.at)
            .collect();
        recent.sort_unstable();
        let used = recent.len() as u32;
        let next_allowed_at = (used >= limit).then(|| {
            // Once this many of the oldest leave the window, one renewal is free again.
            let must_expire = (used - limit) as usize;
            recent[must_expire] + RENEWAL_WINDOW_SECS
        });
        Self {
            used,
            next_allowed_at,
        }
    }

    pub fn remaining(&self, limit: u32) -> u32 {
        limit.saturating_sub(self.used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, reason: RenewalReason) -> RenewalRecord {
        RenewalRecord {
            at,
            reason,
            old_prefix: None,
            new_prefix: String::new(),
            ip: String::new(),
            user_agent: String::new(),
            detail: None,
        }
    }

    #[test]
    fn renewals_older_than_a_day_and_creations_do_not_count() {
        let now = 200_000;
        let log = [
            entry(now - RENEWAL_WINDOW_SECS, RenewalReason::Expiration),
            entry(now - 10, RenewalReason::Created),
            entry(now - 8, RenewalReason::AccessChanged),
            entry(now - 5, RenewalReason::Compromise),
        ];
        let allowance = RenewalAllowance::from_log(&log, now, 5);
        assert_eq!(
            allowance,
            RenewalAllowance {
                used: 1,
                next_allowed_at: None
            }
        );
        assert_eq!(allowance.remaining(5), 4);
    }

    #[test]
    fn at_the_limit_the_next_renewal_waits_for_the_oldest_to_leave_the_window() {
        let now = 200_000;
        let log: Vec<_> = (0..5)
            .map(|i| entry(now - 1000 + i * 100, RenewalReason::Expiration))
            .collect();
        let allowance = RenewalAllowance::from_log(&log, now, 5);
        assert_eq!(allowance.used, 5);
        assert_eq!(
            allowance.next_allowed_at,
            Some(now - 1000 + RENEWAL_WINDOW_SECS)
        );
        assert_eq!(allowance.remaining(5), 0);
    }

    #[test]
    fn only_the_three_user_reasons_parse() {
        assert_eq!(
            RenewalReason::parse_choice("compromise"),
            Some(RenewalReason::Compromise)
        );
        assert_eq!(
            RenewalReason::parse_choice("access_change"),
            Some(RenewalReason::AccessChange)
        );
        assert_eq!(RenewalReason::parse_choice("created"), None);
        assert_eq!(RenewalReason::parse_choice(""), None);
    }
}
