//! Daily usage: successful generations per account and UTC day, kept `KEEP_DAYS` days.
//!
//! The meter collects each generation's day in memory and the usage flush writes the
//! changes in the same transaction as the period totals (`write_usage_flush`), so a day's
//! count and the period's total are always written together: a crash loses both or
//! neither. Day counts are written as increments, which a failed commit leaves pending in
//! the meter; one flush at a time (the meter's lock) keeps a batch from being added twice.
//! Pruning removes the oldest days first, at most `PRUNE_BATCH` rows per flush.

use redb::{ReadTransaction, ReadableDatabase, ReadableTable, WriteTransaction};

use super::tables::*;
use super::usage::put_usage;
use super::{Store, StoreError, UsageTotal};
use crate::domain::days::DayRange;
use crate::links::ScanBatch;

/// Days of daily counts kept, today included.
pub const KEEP_DAYS: i64 = 400;
/// Most rows one flush prunes; the next flush goes on where it stopped.
pub const PRUNE_BATCH: usize = 1_000;

/// A change to one account's count for one day: (account id, UTC day number, generations
/// added; negative when a refund outweighs the day's new generations).
pub type DayChange = (u64, i64, i64);

/// What one usage flush writes, in one transaction.
#[derive(Debug, Default)]
pub struct UsageFlush<'a> {
    /// Absolute period totals.
    pub totals: &'a [UsageTotal],
    pub days: &'a [DayChange],
    /// Prune daily counts of days before this one.
    pub prune_before: Option<i64>,
}

impl Store {
    /// Writes the period totals and the day changes in one transaction and prunes at most
    /// `PRUNE_BATCH` of the oldest rows; returns how many rows were pruned. Counts of
    /// accounts deleted meanwhile are dropped. Nothing is written when there is nothing to
    /// write or prune.
    pub fn write_usage_flush(&self, flush: &UsageFlush) -> Result<usize, StoreError> {
        self.write_usage_flush_with(flush, &ScanBatch::new())
    }

    /// `write_usage_flush`, adding the scan counts of dynamic codes in the same
    /// transaction (`store::scans`).
    pub fn write_usage_flush_with(
        &self,
        flush: &UsageFlush,
        scans: &ScanBatch,
    ) -> Result<usize, StoreError> {
        let needs_pruning = match flush.prune_before {
            Some(day) => self.has_days_before(day)?,
            None => false,
        };
        if flush.totals.is_empty() && flush.days.is_empty() && scans.is_empty() && !needs_pruning {
            return Ok(0);
        }
        let txn = self.begin_write()?;
        put_usage(&txn, flush.totals)?;
        add_days(&txn, flush.days)?;
        super::scans::add_scans(&txn, scans)?;
        let pruned = match flush.prune_before {
            Some(day) if needs_pruning => prune(&txn, day, PRUNE_BATCH)?,
            _ => 0,
        };
        self.commit(txn)?;
        Ok(pruned)
    }

    /// The account's stored count for each day of `range`, oldest first (0 for days
    /// without generations).
    pub fn daily_usage(&self, account_id: u64, range: DayRange) -> Result<Vec<u64>, StoreError> {
        let txn = self.db.begin_read()?;
        let daily = txn.open_table(ACCOUNT_DAY_TO_GENERATIONS)?;
        let mut counts = vec![0; range.day_count()];
        for entry in daily.range((account_id, range.from)..=(account_id, range.to))? {
            let (key, count) = entry?;
            let (_, day) = key.value();
            counts[(day - range.from) as usize] = count.value();
        }
        Ok(counts)
    }

    fn has_days_before(&self, day: i64) -> Result<bool, StoreError> {
        let txn = self.db.begin_read()?;
        let by_day = txn.open_table(DAY_ACCOUNT_WITH_GENERATIONS)?;
        Ok(by_day.range(..(day, 0))?.next().is_some())
    }
}

/// Adds the changes to the stored day counts, keeping the by-day index in step.
fn add_days(txn: &WriteTransaction, changes: &[DayChange]) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let accounts = txn.open_table(ACCOUNT_ID_TO_ACCOUNT)?;
    let mut daily = txn.open_table(ACCOUNT_DAY_TO_GENERATIONS)?;
    let mut by_day = txn.open_table(DAY_ACCOUNT_WITH_GENERATIONS)?;
    for &(account_id, day, change) in changes {
        if change == 0 || accounts.get(account_id)?.is_none() {
            continue;
        }
        let old = daily.get((account_id, day))?.map_or(0, |v| v.value());
        let new = old.saturating_add_signed(change);
        if new == 0 {
            daily.remove((account_id, day))?;
            by_day.remove((day, account_id))?;
        } else {
            daily.insert((account_id, day), new)?;
            if old == 0 {
                by_day.insert((day, account_id), ())?;
            }
        }
    }
    Ok(())
}

/// Removes up to `limit` rows of days before `before`, oldest first; returns how many.
fn prune(txn: &WriteTransaction, before: i64, limit: usize) -> Result<usize, StoreError> {
    let mut by_day = txn.open_table(DAY_ACCOUNT_WITH_GENERATIONS)?;
    let mut daily = txn.open_table(ACCOUNT_DAY_TO_GENERATIONS)?;
    let old = by_day
        .range(..(before, 0))?
        .take(limit)
        .map(|entry| entry.map(|(key, _)| key.value()))
        .collect::<Result<Vec<(i64, u64)>, _>>()?;
    for &(day, account_id) in &old {
        by_day.remove((day, account_id))?;
        daily.remove((account_id, day))?;
    }
    Ok(old.len())
}

/// Inside an account's deletion: removes its daily counts.
pub(super) fn remove_account_days(
    txn: &WriteTransaction,
    account_id: u64,
) -> Result<(), StoreError> {
    let mut daily = txn.open_table(ACCOUNT_DAY_TO_GENERATIONS)?;
    let all_days = (account_id, i64::MIN)..=(account_id, i64::MAX);
    let days = daily
        .range(all_days.clone())?
        .map(|entry| entry.map(|(key, _)| key.value().1))
        .collect::<Result<Vec<i64>, _>>()?;
    let mut by_day = txn.open_table(DAY_ACCOUNT_WITH_GENERATIONS)?;
    for day in days {
        by_day.remove((day, account_id))?;
    }
    daily.retain_in(all_days, |_, _| false)?;
    Ok(())
}

/// For `qrgate check`: every row is indexed by its day and every index entry names a row;
/// returns the number of rows.
pub(super) fn check_daily(txn: &ReadTransaction) -> Result<usize, StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        table: "daily_usage",
        message,
    };
    let (Some(daily), Some(by_day)) = (
        super::check::table(txn, ACCOUNT_DAY_TO_GENERATIONS)?,
        super::check::table(txn, DAY_ACCOUNT_WITH_GENERATIONS)?,
    ) else {
        return Ok(0);
    };
    let mut rows = 0;
    for entry in daily.iter()? {
        let (key, count) = entry?;
        let (account_id, day) = key.value();
        if count.value() == 0 || by_day.get((day, account_id))?.is_none() {
            return Err(corrupt(format!(
                "the row of account {account_id} for day {day} is empty or not indexed"
            )));
        }
        rows += 1;
    }
    let indexed = by_day.iter()?.count();
    if indexed != rows {
        return Err(corrupt(format!("{indexed} index entries for {rows} rows")));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PlanPeriod;
    use crate::store::NewAccount;

    const TODAY: i64 = 20_717;

    fn store_with_accounts(n: usize) -> (tempfile::TempDir, Store, Vec<u64>) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let ids = (0..n)
            .map(|i| {
                let new = NewAccount::for_tests(&format!("user{i}@example.org"));
                store.create_account(new).unwrap().unwrap().id
            })
            .collect();
        (dir, store, ids)
    }

    fn days(store: &Store, account: u64) -> Vec<u64> {
        store
            .daily_usage(account, DayRange::ending(TODAY, 3))
            .unwrap()
    }

    #[test]
    fn day_changes_add_up_and_a_day_back_at_zero_is_removed() {
        let (_dir, store, ids) = store_with_accounts(1);
        let a = ids[0];
        let flush = |days: &[DayChange]| {
            store
                .write_usage_flush(&UsageFlush {
                    days,
                    ..Default::default()
                })
                .unwrap()
        };
        flush(&[(a, TODAY - 1, 4), (a, TODAY, 2)]);
        flush(&[(a, TODAY, 3)]);
        assert_eq!(days(&store, a), vec![0, 4, 5]);
        flush(&[(a, TODAY - 1, -4)]);
        assert_eq!(days(&store, a), vec![0, 0, 5]);
        let txn = store.db.begin_read().unwrap();
        assert_eq!(check_daily(&txn).unwrap(), 1, "the emptied day left no row");
    }

    #[test]
    fn totals_and_days_are_written_in_one_transaction_and_deleted_accounts_are_skipped() {
        let (_dir, store, ids) = store_with_accounts(2);
        let (a, gone) = (ids[0], ids[1]);
        assert!(store.delete_account(gone).unwrap());
        let before = store.generation();
        store
            .write_usage_flush(&UsageFlush {
                totals: &[(a, 0, 6), (gone, 0, 6)],
                days: &[(a, TODAY, 6), (gone, TODAY, 6)],
                prune_before: None,
            })
            .unwrap();
        assert_eq!(store.generation(), before + 1, "one commit");
        let period = PlanPeriod {
            plan: "trial".into(),
            start: 0,
            end: 1,
        };
        assert_eq!(store.usage(a, &period).unwrap(), 6);
        assert_eq!(days(&store, a), vec![0, 0, 6]);
        assert_eq!(days(&store, gone), vec![0, 0, 0]);
    }

    #[test]
    fn pruning_removes_the_oldest_days_first_a_batch_at_a_time() {
        let (_dir, store, ids) = store_with_accounts(3);
        let old: Vec<DayChange> = (0..PRUNE_BATCH as i64)
            .flat_map(|d| ids.iter().map(move |&a| (a, TODAY - 1_000 + d, 1)))
            .collect();
        let flush = |days: &[DayChange], prune_before| {
            store
                .write_usage_flush(&UsageFlush {
                    days,
                    totals: &[],
                    prune_before,
                })
                .unwrap()
        };
        flush(&old, None);
        flush(&[(ids[0], TODAY, 1)], None);
        let cutoff = TODAY - (KEEP_DAYS - 1);
        let rows = |store: &Store| {
            let txn = store.db.begin_read().unwrap();
            check_daily(&txn).unwrap()
        };
        let mut pruned = Vec::new();
        loop {
            let n = flush(&[], Some(cutoff));
            if n == 0 {
                break;
            }
            pruned.push(n);
        }
        let expected_old = ((cutoff - (TODAY - 1_000)) * 3) as usize;
        assert_eq!(pruned.iter().sum::<usize>(), expected_old);
        assert!(pruned.iter().all(|&n| n <= PRUNE_BATCH), "{pruned:?}");
        assert_eq!(rows(&store), old.len() + 1 - expected_old);
        let kept = store
            .daily_usage(ids[1], DayRange::ending(cutoff, 2))
            .unwrap();
        assert_eq!(
            kept,
            vec![0, 1],
            "the day before the cutoff is gone, the cutoff kept"
        );
        let before = store.generation();
        assert_eq!(flush(&[], Some(cutoff)), 0);
        assert_eq!(
            store.generation(),
            before,
            "nothing to prune writes nothing"
        );
    }

    #[test]
    fn deleting_an_account_removes_its_days_and_only_its_days() {
        let (_dir, store, ids) = store_with_accounts(2);
        let changes: Vec<DayChange> = ids
            .iter()
            .flat_map(|&a| [(a, TODAY - 2, 1), (a, TODAY, 2)])
            .collect();
        store
            .write_usage_flush(&UsageFlush {
                days: &changes,
                ..Default::default()
            })
            .unwrap();
        assert!(store.delete_account(ids[0]).unwrap());
        assert_eq!(days(&store, ids[0]), vec![0, 0, 0]);
        assert_eq!(days(&store, ids[1]), vec![1, 0, 2]);
        let txn = store.db.begin_read().unwrap();
        assert_eq!(check_daily(&txn).unwrap(), 2, "the index agrees");
    }
}
