//! Scan statistics: hourly and daily counts and the daily breakdowns, per code. Written
//! by the flush as increments inside the same transaction as the usage totals, so a
//! flush lands whole or not at all (and the caller keeps a batch that did not land); read
//! back by day, hour or breakdown; pruned past the retention.

use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

use super::tables::*;
use super::{Store, StoreError, decode};
use crate::links::stats::{DayRange, Dimension, MAX_VALUES_PER_DAY, OTHER};
use crate::links::{DynamicCode, ScanBatch};

/// A day's stored counts: (scans by people, bot fetches, unique scanners).
pub type DayTotals = (u64, u64, u64);

impl Store {
    /// Writes a scan batch (increments) in a transaction of its own; the flush writes
    /// it with the usage counts instead (`Store::write_usage_flush_with`).
    pub fn write_scans(&self, scans: &ScanBatch) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        add_scans(&txn, scans)?;
        self.commit(txn)?;
        Ok(())
    }

    /// The stored days of `range` that have counts.
    pub fn scan_days(
        &self,
        code_id: u64,
        range: DayRange,
    ) -> Result<Vec<(i64, DayTotals)>, StoreError> {
        let txn = self.db.begin_read()?;
        let days = txn.open_table(CODE_SCAN_DAYS)?;
        let mut out = Vec::new();
        for entry in days.range((code_id, range.from)..=(code_id, range.to))? {
            let (key, value) = entry?;
            out.push((key.value().1, value.value()));
        }
        Ok(out)
    }

    /// The stored hours of `range`'s days that have counts.
    pub fn scan_hours(&self, code_id: u64, range: DayRange) -> Result<Vec<(i64, u64)>, StoreError> {
        let txn = self.db.begin_read()?;
        let hours = txn.open_table(CODE_SCAN_HOURS)?;
        let mut out = Vec::new();
        let (first, last) = (range.from * 24, range.to * 24 + 23);
        for entry in hours.range((code_id, first)..=(code_id, last))? {
            let (key, value) = entry?;
            out.push((key.value().1, value.value()));
        }
        Ok(out)
    }

    /// A breakdown summed over `range`'s days, largest first.
    pub fn scan_values(
        &self,
        code_id: u64,
        range: DayRange,
        dimension: Dimension,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let txn = self.db.begin_read()?;
        let values = txn.open_table(CODE_SCAN_VALUES)?;
        let mut sums: std::collections::HashMap<String, u64> = Default::default();
        for day in range.days() {
            let prefix = (code_id, day, dimension.code());
            for entry in values
                .range((prefix.0, prefix.1, prefix.2, "")..(prefix.0, prefix.1, prefix.2 + 1, ""))?
            {
                let (key, n) = entry?;
                *sums.entry(key.value().3.to_owned()).or_default() += n.value();
            }
        }
        let mut out: Vec<(String, u64)> = sums.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(out)
    }

    /// Removes the statistics of days before `first_kept` for every code; returns how
    /// many codes were looked at.
    pub fn prune_scans(&self, first_kept: i64) -> Result<usize, StoreError> {
        let txn = self.begin_write()?;
        let ids: Vec<u64> = {
            let codes = txn.open_table(CODE_ID_TO_CODE)?;
            let mut ids = Vec::new();
            for entry in codes.iter()? {
                ids.push(entry?.0.value());
            }
            ids
        };
        {
            let mut days = txn.open_table(CODE_SCAN_DAYS)?;
            let mut hours = txn.open_table(CODE_SCAN_HOURS)?;
            let mut values = txn.open_table(CODE_SCAN_VALUES)?;
            for &id in &ids {
                days.retain_in((id, i64::MIN)..(id, first_kept), |_, _| false)?;
                hours.retain_in((id, i64::MIN)..(id, first_kept * 24), |_, _| false)?;
                values.retain_in((id, i64::MIN, 0, "")..(id, first_kept, 0, ""), |_, _| false)?;
            }
        }
        self.commit(txn)?;
        Ok(ids.len())
    }
}

/// Adds a batch of scan counts inside `txn`. Counts of codes deleted meanwhile are
/// dropped.
pub(super) fn add_scans(txn: &WriteTransaction, scans: &ScanBatch) -> Result<(), StoreError> {
    if scans.is_empty() {
        return Ok(());
    }
    let codes = txn.open_table(CODE_ID_TO_CODE)?;
    let mut days = txn.open_table(CODE_SCAN_DAYS)?;
    let mut hours = txn.open_table(CODE_SCAN_HOURS)?;
    let mut values = txn.open_table(CODE_SCAN_VALUES)?;
    for (&(code_id, day), counts) in scans {
        let live = match codes.get(code_id)? {
            Some(bytes) => !decode::<DynamicCode>("dynamic_codes", bytes.value())?.is_deleted(),
            None => false,
        };
        if !live {
            continue;
        }
        let (scans, bots, unique) = days.get((code_id, day))?.map_or((0, 0, 0), |v| v.value());
        days.insert(
            (code_id, day),
            (
                scans + counts.scans,
                bots + counts.bots,
                unique + counts.unique,
            ),
        )?;
        for (offset, &n) in counts.hours.iter().enumerate().filter(|(_, n)| **n > 0) {
            let hour = day * 24 + offset as i64;
            let stored = hours.get((code_id, hour))?.map_or(0, |v| v.value());
            hours.insert((code_id, hour), stored + n)?;
        }
        for dimension in Dimension::ALL {
            for (value, &n) in &counts.values[dimension.index()] {
                add_value(&mut values, (code_id, day, dimension.code()), value, n)?;
            }
        }
    }
    Ok(())
}

/// Adds `n` to a value of a day's breakdown; a new value past the day's limit of
/// distinct values is added to `other` instead.
fn add_value(
    values: &mut redb::Table<(u64, i64, u8, &'static str), u64>,
    (code_id, day, dimension): (u64, i64, u8),
    value: &str,
    n: u64,
) -> Result<(), StoreError> {
    let existing = values
        .get((code_id, day, dimension, value))?
        .map(|v| v.value());
    let key_value = match existing {
        Some(_) => value,
        None => {
            let distinct = values
                .range((code_id, day, dimension, "")..(code_id, day, dimension + 1, ""))?
                .count();
            if distinct >= MAX_VALUES_PER_DAY {
                OTHER
            } else {
                value
            }
        }
    };
    let stored = values
        .get((code_id, day, dimension, key_value))?
        .map_or(0, |v| v.value());
    values.insert((code_id, day, dimension, key_value), stored + n)?;
    Ok(())
}

/// Removes all statistics of a code (in the deleting transaction).
pub(super) fn erase_scans(txn: &WriteTransaction, code_id: u64) -> Result<(), StoreError> {
    txn.open_table(CODE_SCAN_DAYS)?
        .retain_in((code_id, i64::MIN)..=(code_id, i64::MAX), |_, _| false)?;
    txn.open_table(CODE_SCAN_HOURS)?
        .retain_in((code_id, i64::MIN)..=(code_id, i64::MAX), |_, _| false)?;
    txn.open_table(CODE_SCAN_VALUES)?.retain_in(
        (code_id, i64::MIN, 0, "")..=(code_id, i64::MAX, u8::MAX, "\u{10FFFF}"),
        |_, _| false,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, PlanPeriod, Role};
    use crate::links::tally::DayCounts;
    use crate::store::{CodeCreated, NewAccount, NewCode};

    fn store_with_code() -> (tempfile::TempDir, Store, DynamicCode) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let account = store
            .create_account(NewAccount {
                email: Email::parse("a@example.org").unwrap(),
                password_hash: String::new(),
                role: Role::User,
                period: PlanPeriod {
                    plan: "trial".into(),
                    start: 0,
                    end: 100,
                },
                now: 0,
            })
            .unwrap()
            .unwrap();
        let new = NewCode {
            account_id: account.id,
            slug: None,
            target: "https://example.org/".into(),
            name: String::new(),
            design: Default::default(),
            now: 0,
            limit: 3,
        };
        let CodeCreated::Created(code) = store.create_code(new).unwrap() else {
            panic!("created")
        };
        (dir, store, code)
    }

    fn batch(code_id: u64, day: i64, scans: u64, referrers: &[&str]) -> ScanBatch {
        let mut counts = DayCounts {
            scans,
            bots: 1,
            unique: 1,
            ..Default::default()
        };
        counts.hours[3] = scans;
        for referrer in referrers {
            counts.values[Dimension::Referrer.index()].insert((*referrer).into(), 1);
        }
        [((code_id, day), counts)].into_iter().collect()
    }

    #[test]
    fn batches_add_up_and_counts_of_deleted_codes_are_dropped() {
        let (_dir, store, code) = store_with_code();
        store
            .write_scans(&batch(code.id, 10, 2, &["a.example"]))
            .unwrap();
        store
            .write_scans(&batch(code.id, 10, 3, &["a.example"]))
            .unwrap();
        let range = DayRange { from: 10, to: 10 };
        assert_eq!(
            store.scan_days(code.id, range).unwrap(),
            vec![(10, (5, 2, 2))]
        );
        assert_eq!(store.scan_hours(code.id, range).unwrap(), vec![(243, 5)]);
        let referrers = store
            .scan_values(code.id, range, Dimension::Referrer)
            .unwrap();
        assert_eq!(referrers, vec![("a.example".to_owned(), 2)]);

        assert!(
            store
                .delete_code(code.account_id, code.id, 5)
                .unwrap()
                .is_some()
        );
        assert!(
            store.scan_days(code.id, range).unwrap().is_empty(),
            "erased with the code"
        );
        store.write_scans(&batch(code.id, 10, 4, &[])).unwrap();
        assert!(
            store.scan_days(code.id, range).unwrap().is_empty(),
            "a late flush adds nothing"
        );
    }

    #[test]
    fn a_day_keeps_a_bounded_number_of_values_and_counts_the_rest_as_other() {
        let (_dir, store, code) = store_with_code();
        let hosts: Vec<String> = (0..MAX_VALUES_PER_DAY + 20)
            .map(|i| format!("h{i}.example"))
            .collect();
        for chunk in hosts.chunks(7) {
            let names: Vec<&str> = chunk.iter().map(String::as_str).collect();
            store.write_scans(&batch(code.id, 10, 1, &names)).unwrap();
        }
        let values = store
            .scan_values(code.id, DayRange { from: 10, to: 10 }, Dimension::Referrer)
            .unwrap();
        assert_eq!(values.len(), MAX_VALUES_PER_DAY + 1);
        assert_eq!(values[0], (OTHER.to_owned(), 20));
    }

    #[test]
    fn days_before_the_retention_are_pruned_and_later_ones_kept() {
        let (_dir, store, code) = store_with_code();
        for day in [8, 9, 10, 11] {
            store
                .write_scans(&batch(code.id, day, 1, &["a.example"]))
                .unwrap();
        }
        store.prune_scans(10).unwrap();
        let all = DayRange { from: 0, to: 20 };
        let days: Vec<i64> = store
            .scan_days(code.id, all)
            .unwrap()
            .iter()
            .map(|d| d.0)
            .collect();
        assert_eq!(days, vec![10, 11]);
        let hours: Vec<i64> = store
            .scan_hours(code.id, all)
            .unwrap()
            .iter()
            .map(|h| h.0 / 24)
            .collect();
        assert_eq!(hours, vec![10, 11]);
        let kept = store
            .scan_values(code.id, all, Dimension::Referrer)
            .unwrap();
        assert_eq!(kept, vec![("a.example".to_owned(), 2)]);
    }
}
