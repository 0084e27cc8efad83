//! Scan statistics: hourly and daily counts and the daily breakdowns, per code. Written
//! by the flush as increments inside the same transaction as the usage totals, so a
//! flush lands whole or not at all (and the caller keeps a batch that did not land); read
//! back by day, hour or breakdown; pruned past the retention.

use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

use super::tables::*;
use super::usage::put_usage;
use super::{Store, StoreError, UsageTotal, decode};
use crate::links::stats::{DayRange, Dimension, MAX_VALUES_PER_DAY, OTHER};
use crate::links::{DynamicCode, ScanBatch};

/// A day's stored counts: (scans by people, bot fetches, unique scanners).
pub type DayTotals = (u64, u64, u64);

impl Store {
    /// Writes the usage totals (absolute) and the scan batch (increments) in one
    /// transaction. Counts of codes deleted meanwhile are dropped.
    pub fn write_counts(&self, usage: &[UsageTotal], scans: &ScanBatch) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put_usage(&txn, usage)?;
        {
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
                    (scans + counts.scans, bots + counts.bots, unique + counts.unique),
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
        }
        self.commit(txn)?;
        Ok(())
    }

    /// The stored days of `range` that have counts.
    pub fn scan_days(&self, code_id: u64, range: DayRange) -> Result<Vec<(i64, DayTotals)>, StoreError> {
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
            for entry in values.range((prefix.0, prefix.1, prefix.2, "")..(prefix.0, prefix.1, prefix.2 + 1, ""))? {
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

/// Adds `n` to a value of a day's breakdown; a new value past the day's limit of
/// distinct values is added to `other` instead.
fn add_value(
    values: &mut redb::Table<(u64, i64, u8, &'static str), u64>,
    (code_id, day, dimension): (u64, i64, u8),
    value: &str,
    n: u64,
) -> Result<(), StoreError> {
    let existing = values.get((code_id, day, dimension, value))?.map(|v| v.value());
    let key_value = match existing {
        Some(_) => value,
        None => {
            let distinct = values
                .range((code_id, day, dimension, "")..(code_id, day, dimension + 1, ""))?
                .count();
            if distinct >= MAX_VALUES_PER_DAY { OTHER } else { value }
        }
    };
    let stored = values.get((code_id, day, dimension, key_value))?.map_or(0, |v| v.value());
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
