//! Usage counters: successful generations per account in its current period. A counter
//! belongs to the period that started at its stored start time, so a new period (a plan
//! grant) begins at zero without rewriting anything.

use redb::{ReadableDatabase, ReadableTable};

use super::tables::*;
use super::{Store, StoreError};
use crate::domain::PlanPeriod;

impl Store {
    /// Generations counted in this period.
    pub fn usage(&self, account_id: u64, period: &PlanPeriod) -> Result<u64, StoreError> {
        let txn = self.db.begin_read()?;
        let usage = txn.open_table(ACCOUNT_ID_TO_USAGE)?;
        used_in_period(&usage, account_id, period)
    }
}

/// The stored count of `period`: 0 when the stored one belongs to an earlier period.
pub(super) fn used_in_period(
    usage: &impl ReadableTable<u64, (i64, u64)>,
    account_id: u64,
    period: &PlanPeriod,
) -> Result<u64, StoreError> {
    Ok(match usage.get(account_id)?.map(|v| v.value()) {
        Some((start, used)) if start == period.start => used,
        _ => 0,
    })
}

/// One account's count to persist: (account id, period start, generations in that period).
pub type UsageTotal = (u64, i64, u64);

impl Store {
    /// Writes absolute counts (not increments) in one transaction, so writing the same
    /// snapshot twice, or after a crash, can never count a request twice. Counts of
    /// accounts deleted meanwhile are dropped.
    pub fn write_usage(&self, totals: &[UsageTotal]) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put_usage(&txn, totals)?;
        self.commit(txn)?;
        Ok(())
    }
}

/// Writes absolute usage totals inside `txn` (see [`Store::write_usage`]).
pub(super) fn put_usage(
    txn: &redb::WriteTransaction,
    totals: &[UsageTotal],
) -> Result<(), StoreError> {
    let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
    let mut usage = txn.open_table(ACCOUNT_ID_TO_USAGE)?;
    for &(account_id, period_start, used) in totals {
        if accounts.get(account_id)?.is_some() {
            usage.insert(account_id, (period_start, used))?;
        }
    }
    Ok(())
}
