//! Quota metering. Counts live in memory, where every check-and-count is exact (a mutex,
//! so 20 concurrent trial requests get 20 images and the 21st a 402), and are written to
//! the store as absolute totals in one transaction per interval and at shutdown. A crash
//! loses at most the last interval's counts and never counts a request twice. The scan
//! counts of dynamic codes ride in the same transaction (`flush_with`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::links::ScanTally;
use crate::store::{Store, StoreError, UsageTotal};

#[derive(Debug, Clone, Copy)]
struct Count {
    period_start: i64,
    used: u64,
    /// The value last committed to the store.
    flushed: u64,
}

#[derive(Default, Clone)]
pub struct UsageMeter {
    counts: Arc<Mutex<HashMap<u64, Count>>>,
}

/// The quota is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExhausted;

impl UsageMeter {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Count>> {
        // A panic while holding this lock cannot leave the map inconsistent (each update
        // is a single assignment), so a poisoned lock is safe to keep using.
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Usage in the period starting at `period_start`; `stored` is the store's count for
    /// it, used when the meter has not seen this account's period yet.
    pub fn used(&self, account_id: u64, period_start: i64, stored: u64) -> u64 {
        let mut counts = self.lock();
        let count = counts.entry(account_id).or_insert(Count {
            period_start,
            used: stored,
            flushed: stored,
        });
        if count.period_start != period_start {
            *count = Count {
                period_start,
                used: stored,
                flushed: stored,
            };
        }
        count.used
    }

    /// Usage in this period if the meter already holds it (no store read needed).
    pub fn peek(&self, account_id: u64, period_start: i64) -> Option<u64> {
        self.lock()
            .get(&account_id)
            .filter(|c| c.period_start == period_start)
            .map(|c| c.used)
    }

    /// Counts one generation unless the quota (0 = unlimited) is used up; returns the
    /// usage after counting. Call `used` first so the account's period is loaded.
    pub fn try_count(
        &self,
        account_id: u64,
        period_start: i64,
        quota: u64,
    ) -> Result<u64, QuotaExhausted> {
        let mut counts = self.lock();
        let count = counts.entry(account_id).or_insert(Count {
            period_start,
            used: 0,
            flushed: 0,
        });
        if count.period_start != period_start {
            return Err(QuotaExhausted); // the period changed under us; the caller retries later
        }
        if quota > 0 && count.used >= quota {
            return Err(QuotaExhausted);
        }
        count.used += 1;
        Ok(count.used)
    }

    /// Takes back a count whose request failed after counting (it served nothing).
    pub fn refund(&self, account_id: u64, period_start: i64) {
        let mut counts = self.lock();
        if let Some(count) = counts.get_mut(&account_id)
            && count.period_start == period_start
        {
            count.used = count.used.saturating_sub(1);
        }
    }

    /// Drops a deleted account's count.
    pub fn forget(&self, account_id: u64) {
        self.lock().remove(&account_id);
    }

    /// Writes every changed count to the store in one transaction; returns how many.
    pub fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        self.flush_with(store, &ScanTally::default(), 0)
    }

    /// `flush`, with the scan counts of dynamic codes (taken at `now`) in the same
    /// transaction: as increments, which a failed commit hands back to `scans`, so that a
    /// batch is written exactly once.
    pub fn flush_with(
        &self,
        store: &Store,
        scans: &ScanTally,
        now: i64,
    ) -> Result<usize, StoreError> {
        let changed: Vec<UsageTotal> = self
            .lock()
            .iter()
            .filter(|(_, c)| c.used != c.flushed)
            .map(|(&id, c)| (id, c.period_start, c.used))
            .collect();
        let batch = scans.take(now);
        if changed.is_empty() && batch.is_empty() {
            return Ok(0);
        }
        if let Err(e) = store.write_counts(&changed, &batch) {
            scans.restore(batch);
            return Err(e);
        }
        let mut counts = self.lock();
        for (id, period_start, used) in &changed {
            if let Some(count) = counts.get_mut(id)
                && count.period_start == *period_start
            {
                count.flushed = *used;
            }
        }
        Ok(changed.len() + batch.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_stops_exactly_at_the_quota() {
        let meter = UsageMeter::default();
        assert_eq!(meter.used(1, 100, 18), 18);
        assert_eq!(meter.try_count(1, 100, 20), Ok(19));
        assert_eq!(meter.try_count(1, 100, 20), Ok(20));
        assert_eq!(meter.try_count(1, 100, 20), Err(QuotaExhausted));
        meter.refund(1, 100);
        assert_eq!(meter.try_count(1, 100, 20), Ok(20));
    }

    #[test]
    fn a_zero_quota_is_unlimited() {
        let meter = UsageMeter::default();
        meter.used(1, 0, 0);
        for i in 1..=1000 {
            assert_eq!(meter.try_count(1, 0, 0), Ok(i));
        }
    }

    #[test]
    fn a_new_period_starts_from_the_stored_count() {
        let meter = UsageMeter::default();
        meter.used(1, 100, 5);
        meter.try_count(1, 100, 20).unwrap();
        assert_eq!(meter.used(1, 200, 0), 0);
        assert_eq!(
            meter.try_count(1, 100, 20),
            Err(QuotaExhausted),
            "an old period is not counted"
        );
    }

    #[test]
    fn concurrent_counting_never_exceeds_the_quota() {
        let meter = UsageMeter::default();
        meter.used(7, 0, 0);
        let served: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        (0..100)
                            .filter(|_| meter.try_count(7, 0, 20).is_ok())
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(served, 20);
    }
}
