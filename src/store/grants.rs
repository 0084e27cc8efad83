//! Plan grants: an admin, or a verified payment event, puts an account on a plan. The
//! account's existing key keeps its value and simply works again.

use redb::{ReadableDatabase, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::accounts::update_in;
use super::tables::*;
use super::{Store, StoreError, decode, encode, next_counter};
use crate::config::PlanConfig;
use crate::domain::{Account, Email, PlanPeriod};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRecord {
    pub at: i64,
    pub plan: String,
    pub granted_by: String,
    pub period: PlanPeriod,
}

/// What a payment event did.
#[derive(Debug)]
pub enum PaymentGrant {
    Granted(Account),
    /// The event was already applied (a provider's retry): nothing changed.
    AlreadyApplied {
        account_id: u64,
        plan: String,
    },
    NoSuchAccount,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PaymentEventRecord {
    at: i64,
    account_id: u64,
    plan: String,
}

impl Store {
    /// Grants `plan`. The same plan, still running, is extended by one period and keeps
    /// its usage; anything else starts a fresh period (and so a fresh quota) now.
    pub fn grant_plan(
        &self,
        email: &Email,
        plan: &str,
        plan_config: &PlanConfig,
        now: i64,
        granted_by: &str,
    ) -> Result<Option<Account>, StoreError> {
        let txn = self.begin_write()?;
        let account = grant_in(&txn, email, plan, plan_config, now, granted_by)?;
        if account.is_some() {
            self.commit(txn)?;
        }
        Ok(account)
    }

    /// Grants `plan` for the payment event `event_id`, once: the event is recorded in the
    /// same transaction as the grant, so a delivery retried after a timeout or a crash
    /// does not extend the plan twice.
    pub fn grant_plan_for_payment(
        &self,
        event_id: &str,
        email: &Email,
        plan: &str,
        plan_config: &PlanConfig,
        now: i64,
    ) -> Result<PaymentGrant, StoreError> {
        let txn = self.begin_write()?;
        let seen = txn
            .open_table(PAYMENT_EVENTS)?
            .get(event_id)?
            .map(|record| decode::<PaymentEventRecord>("payment_events", record.value()))
            .transpose()?;
        if let Some(seen) = seen {
            return Ok(PaymentGrant::AlreadyApplied {
                account_id: seen.account_id,
                plan: seen.plan,
            });
        }
        let granted_by = format!("payment event {event_id}");
        let Some(account) = grant_in(&txn, email, plan, plan_config, now, &granted_by)? else {
            return Ok(PaymentGrant::NoSuchAccount);
        };
        let record = PaymentEventRecord {
            at: now,
            account_id: account.id,
            plan: plan.to_owned(),
        };
        txn.open_table(PAYMENT_EVENTS)?
            .insert(event_id, encode(&record).as_slice())?;
        self.commit(txn)?;
        Ok(PaymentGrant::Granted(account))
    }

    /// The account's grants, oldest first.
    pub fn grants(&self, account_id: u64) -> Result<Vec<GrantRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let grants = txn.open_table(PLAN_GRANTS)?;
        grants
            .range((account_id, 0)..=(account_id, u64::MAX))?
            .map(|entry| {
                let (_, value) = entry?;
                decode("plan_grants", value.value())
            })
            .collect()
    }
}

/// The grant itself, inside the caller's transaction; `None` when no account has `email`.
fn grant_in(
    txn: &WriteTransaction,
    email: &Email,
    plan: &str,
    plan_config: &PlanConfig,
    now: i64,
    granted_by: &str,
) -> Result<Option<Account>, StoreError> {
    let period_secs = i64::from(plan_config.period_days) * 86_400;
    let changed = update_in(txn, email, |account| {
        account.period = if account.period.plan == plan && now < account.period.end {
            PlanPeriod {
                end: account.period.end + period_secs,
                ..account.period.clone()
            }
        } else {
            PlanPeriod {
                plan: plan.to_owned(),
                start: now,
                end: now + period_secs,
            }
        };
    })?;
    let Some((account, ())) = changed else {
        return Ok(None);
    };
    let grant = GrantRecord {
        at: now,
        plan: plan.to_owned(),
        granted_by: granted_by.to_owned(),
        period: account.period.clone(),
    };
    let seq = next_counter(&mut txn.open_table(META)?, META_NEXT_SEQUENCE)?;
    txn.open_table(PLAN_GRANTS)?
        .insert((account.id, seq), encode(&grant).as_slice())?;
    Ok(Some(account))
}
