//! An account as stored, and the rules that derive its status.

use serde::{Deserialize, Serialize};

use super::restrictions::Restrictions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Admin,
}

/// The account's current key: only its hash and displayable prefix are ever stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// HMAC-SHA-256 of the key under the server secret, hex encoded.
    pub hash: String,
    pub prefix: String,
    pub created_at: i64,
}

/// The plan an account is on and the period it currently covers (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPeriod {
    pub plan: String,
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: u64,
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub created_at: i64,
    pub role: Role,
    pub disabled: bool,
    pub period: PlanPeriod,
    pub key: Option<KeyRecord>,
    /// What the current key may do, from where; kept when the key is renewed.
    #[serde(default)]
    pub restrictions: Restrictions,
    /// Counts every key creation and renewal, so that what was signed for one key (signed
    /// URLs) stops working with the next.
    #[serde(default)]
    pub key_generation: u64,
}

/// What an account may do right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    /// The trial or plan period has ended.
    Expired,
    /// The period's quota is used up.
    OverQuota,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::OverQuota => "over_quota",
            Self::Disabled => "disabled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::OverQuota => "Quota used up",
            Self::Disabled => "Disabled",
        }
    }
}

impl Account {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Status from the period, the quota (0 = unlimited) and the usage in this period.
    /// A disabled account is disabled whatever else holds; then an ended period; then quota.
    pub fn status(&self, now: i64, quota: Option<u64>, used: u64) -> AccountStatus {
        match quota {
            _ if self.disabled => AccountStatus::Disabled,
            // A plan that is no longer configured cannot be served.
            None => AccountStatus::Expired,
            Some(_) if now >= self.period.end => AccountStatus::Expired,
            Some(q) if q > 0 && used >= q => AccountStatus::OverQuota,
            Some(_) => AccountStatus::Active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(end: i64, disabled: bool) -> Account {
        Account {
            id: 1,
            email: "a@x.org".into(),
            password_hash: String::new(),
            created_at: 0,
            role: Role::User,
            disabled,
            period: PlanPeriod {
                plan: "trial".into(),
                start: 0,
                end,
            },
            key: None,
            restrictions: Restrictions::default(),
            key_generation: 0,
        }
    }

    #[test]
    fn an_account_inside_its_period_with_quota_left_is_active() {
        assert_eq!(
            account(100, false).status(50, Some(20), 19),
            AccountStatus::Active
        );
    }

    #[test]
    fn the_period_end_is_exclusive() {
        assert_eq!(
            account(100, false).status(100, Some(20), 0),
            AccountStatus::Expired
        );
    }

    #[test]
    fn a_used_up_quota_is_over_quota() {
        assert_eq!(
            account(100, false).status(50, Some(20), 20),
            AccountStatus::OverQuota
        );
    }

    #[test]
    fn a_zero_quota_is_unlimited() {
        assert_eq!(
            account(100, false).status(50, Some(0), 1_000_000),
            AccountStatus::Active
        );
    }

    #[test]
    fn disabled_wins_over_everything() {
        assert_eq!(
            account(0, true).status(50, Some(20), 20),
            AccountStatus::Disabled
        );
    }

    #[test]
    fn a_record_written_before_restrictions_and_key_generations_still_reads() {
        let old = r#"{"id":1,"email":"a@x.org","password_hash":"","created_at":0,"role":"user","disabled":false,"period":{"plan":"trial","start":0,"end":1},"key":null}"#;
        let account: Account = serde_json::from_str(old).unwrap();
        assert!(account.restrictions.is_empty());
        assert_eq!(account.key_generation, 0);
    }

    #[test]
    fn an_unconfigured_plan_is_expired() {
        assert_eq!(
            account(100, false).status(50, None, 0),
            AccountStatus::Expired
        );
    }
}
