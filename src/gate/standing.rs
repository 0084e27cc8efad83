//! An account's standing against its plan: quota, usage, status and period, computed in
//! one place for the dashboard, the admin list and `/api/v1/usage`.

use crate::config::Config;
use crate::domain::{Account, AccountStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub plan: String,
    /// Generations per period; 0 means unlimited.
    pub quota: u64,
    pub used: u64,
    /// `None` when unlimited.
    pub remaining: Option<u64>,
    pub status: AccountStatus,
    pub period_start: i64,
    pub period_end: i64,
    pub rate_per_second: u32,
    pub burst: u32,
}

impl Standing {
    pub fn of(account: &Account, config: &Config, used: u64, now: i64) -> Self {
        let plan = config.plan(&account.period.plan);
        let quota = plan.map_or(0, |p| p.quota);
        Self {
            plan: account.period.plan.clone(),
            quota,
            used,
            remaining: (quota > 0).then(|| quota.saturating_sub(used)),
            status: account.status(now, plan.map(|p| p.quota), used),
            period_start: account.period.start,
            period_end: account.period.end,
            rate_per_second: plan.map_or(0, |p| p.rate_per_second),
            burst: plan.map_or(0, |p| p.burst),
        }
    }

    pub fn is_unlimited(&self) -> bool {
        self.quota == 0
    }
}
