//! Quota metering. Counts live in memory, where every check-and-count is exact (a mutex,
//! so 20 concurrent trial requests get 20 images and the 21st a 402), and are written to
//! the store as absolute totals in one transaction per interval and at shutdown. A crash
//! loses at most the last interval's counts and never counts a request twice.
//!
//! Each generation is also counted for its account and UTC day. The flush writes those
//! changes in the transaction that writes the period totals (`Store::write_usage_flush`),
//! so on disk a day's count and the period's total always agree, and it prunes days older
//! than `KEEP_DAYS` a bounded batch at a time. The scan counts of dynamic codes ride in
//! the same transaction (`flush_with`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::clock::Clock;
use crate::domain::days::{DayRange, day_of};
use crate::links::ScanTally;
use crate::store::{DayChange, KEEP_DAYS, PRUNE_BATCH, Store, StoreError, UsageFlush, UsageTotal};

#[derive(Debug, Clone, Copy)]
struct Count {
    period_start: i64,
    used: u64,
    /// The value last committed to the store.
    flushed: u64,
}

#[derive(Default)]
struct Counts {
    /// Account id → its count in its current period.
    periods: HashMap<u64, Count>,
    /// (account id, UTC day) → generations not yet added to the store's day count (a
    /// refund after a flush can make it negative).
    days: HashMap<(u64, i64), i64>,
}

#[derive(Default)]
struct FlushState {
    /// The day whose old counts are pruned completely.
    pruned_for: Option<i64>,
}

#[derive(Clone)]
pub struct UsageMeter {
    counts: Arc<Mutex<Counts>>,
    /// Held through a whole flush and by readers of the daily counts: a day's change is
    /// added to the store once, and a reader never sees it both stored and pending.
    flushing: Arc<Mutex<FlushState>>,
    clock: Clock,
}

/// A meter on the system clock's days.
impl Default for UsageMeter {
    fn default() -> Self {
        Self::new(Clock::system())
    }
}

/// The quota is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExhausted;

/// A panic while holding these locks cannot leave the data inconsistent (each update is a
/// single assignment), so a poisoned lock is safe to keep using.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl UsageMeter {
    /// A meter that counts generations on the days of `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            counts: Arc::default(),
            flushing: Arc::default(),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        lock(&self.counts)
    }

    /// Usage in the period starting at `period_start`; `stored` is the store's count for
    /// it, used when the meter has not seen this account's period yet.
    pub fn used(&self, account_id: u64, period_start: i64, stored: u64) -> u64 {
        let mut counts = self.lock();
        let count = counts.periods.entry(account_id).or_insert(Count {
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
            .periods
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
        let today = day_of(self.clock.now());
        let mut counts = self.lock();
        let count = counts.periods.entry(account_id).or_insert(Count {
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
        let used = count.used;
        *counts.days.entry((account_id, today)).or_default() += 1;
        Ok(used)
    }

    /// Takes back a count whose request failed after counting (it served nothing). The
    /// day taken back is today's: a render does not outlast a second, let alone a day.
    pub fn refund(&self, account_id: u64, period_start: i64) {
        let today = day_of(self.clock.now());
        let mut counts = self.lock();
        if let Some(count) = counts.periods.get_mut(&account_id)
            && count.period_start == period_start
        {
            count.used = count.used.saturating_sub(1);
            *counts.days.entry((account_id, today)).or_default() -= 1;
        }
    }

    /// Drops a deleted account's counts.
    pub fn forget(&self, account_id: u64) {
        let mut counts = self.lock();
        counts.periods.remove(&account_id);
        counts.days.retain(|&(id, _), _| id != account_id);
    }

    /// Writes every changed count and day to the store in one transaction, pruning old
    /// days on the way; returns how many counts and days were written.
    pub fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        self.flush_with(store, None)
    }

    /// `flush`, with the scan counts of dynamic codes taken from `scans` in the same
    /// transaction: as increments, which a failed commit hands back to `scans`, so that a
    /// batch is written exactly once.
    pub fn flush_with(
        &self,
        store: &Store,
        scans: Option<&ScanTally>,
    ) -> Result<usize, StoreError> {
        let mut state = lock(&self.flushing);
        let today = day_of(self.clock.now());
        let (totals, days) = {
            let counts = self.lock();
            let totals: Vec<UsageTotal> = counts
                .periods
                .iter()
                .filter(|(_, c)| c.used != c.flushed)
                .map(|(&id, c)| (id, c.period_start, c.used))
                .collect();
            let days: Vec<DayChange> = counts
                .days
                .iter()
                .filter(|(_, change)| **change != 0)
                .map(|(&(id, day), &change)| (id, day, change))
                .collect();
            (totals, days)
        };
        let prune_before = (state.pruned_for != Some(today)).then_some(today - (KEEP_DAYS - 1));
        let batch = scans.map(|s| s.take(self.clock.now())).unwrap_or_default();
        let flush = UsageFlush {
            totals: &totals,
            days: &days,
            prune_before,
        };
        let pruned = match store.write_usage_flush_with(&flush, &batch) {
            Ok(pruned) => pruned,
            Err(e) => {
                if let Some(scans) = scans {
                    scans.restore(batch);
                }
                return Err(e);
            }
        };
        if pruned < PRUNE_BATCH {
            state.pruned_for = Some(today);
        }
        let mut counts = self.lock();
        for (id, period_start, used) in &totals {
            if let Some(count) = counts.periods.get_mut(id)
                && count.period_start == *period_start
            {
                count.flushed = *used;
            }
        }
        for (id, day, change) in &days {
            if let Some(pending) = counts.days.get_mut(&(*id, *day)) {
                *pending -= change;
                if *pending == 0 {
                    counts.days.remove(&(*id, *day));
                }
            }
        }
        Ok(totals.len() + days.len() + batch.len())
    }

    /// The account's generations on each day of `range`, oldest first: the stored counts
    /// plus those not yet flushed, so they agree with `used` at every moment.
    pub fn daily(
        &self,
        store: &Store,
        account_id: u64,
        range: DayRange,
    ) -> Result<Vec<u64>, StoreError> {
        let _no_flush = lock(&self.flushing);
        let mut counts = store.daily_usage(account_id, range)?;
        let pending = self.lock();
        for (count, day) in counts.iter_mut().zip(range.days()) {
            if let Some(&change) = pending.days.get(&(account_id, day)) {
                *count = count.saturating_add_signed(change);
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_stops_exactly_at_the_quota() {
        let meter = UsageMeter::new(Clock::manual(0));
        assert_eq!(meter.used(1, 100, 18), 18);
        assert_eq!(meter.try_count(1, 100, 20), Ok(19));
        assert_eq!(meter.try_count(1, 100, 20), Ok(20));
        assert_eq!(meter.try_count(1, 100, 20), Err(QuotaExhausted));
        meter.refund(1, 100);
        assert_eq!(meter.try_count(1, 100, 20), Ok(20));
    }

    #[test]
    fn a_zero_quota_is_unlimited() {
        let meter = UsageMeter::new(Clock::manual(0));
        meter.used(1, 0, 0);
        for i in 1..=1000 {
            assert_eq!(meter.try_count(1, 0, 0), Ok(i));
        }
    }

    #[test]
    fn a_new_period_starts_from_the_stored_count() {
        let meter = UsageMeter::new(Clock::manual(0));
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
        let meter = UsageMeter::new(Clock::manual(0));
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

    /// A store with one account (counts of accounts that do not exist are dropped).
    fn store_with_account() -> (tempfile::TempDir, Store, u64) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let new = crate::store::NewAccount::for_tests("ada@example.org");
        let id = store.create_account(new).unwrap().unwrap().id;
        (dir, store, id)
    }

    const DAY: i64 = crate::domain::days::DAY;
    /// 2026-09-21 08:00 UTC.
    const MORNING: i64 = 20_717 * DAY + 8 * 3_600;

    fn last_days(meter: &UsageMeter, store: &Store, id: u64, days: i64) -> Vec<u64> {
        let today = day_of(meter.clock.now());
        meter
            .daily(store, id, DayRange::ending(today, days))
            .unwrap()
    }

    #[test]
    fn each_generation_counts_on_its_utc_day() {
        let (_dir, store, id) = store_with_account();
        let clock = Clock::manual(MORNING);
        let meter = UsageMeter::new(clock.clone());
        meter.used(id, 0, 0);
        for _ in 0..3 {
            meter.try_count(id, 0, 0).unwrap();
        }
        clock.advance(16 * 3_600); // 00:00 the next day
        meter.try_count(id, 0, 0).unwrap();
        assert_eq!(
            last_days(&meter, &store, id, 3),
            vec![0, 3, 1],
            "before a flush"
        );
        meter.flush(&store).unwrap();
        assert_eq!(last_days(&meter, &store, id, 3), vec![0, 3, 1], "after it");
        assert_eq!(
            store.daily_usage(id, DayRange::ending(20_718, 2)).unwrap(),
            vec![3, 1]
        );
    }

    #[test]
    fn a_flushed_batch_is_added_once_and_agrees_with_the_period_total() {
        let (_dir, store, id) = store_with_account();
        let meter = UsageMeter::new(Clock::manual(MORNING));
        meter.used(id, 0, 0);
        for _ in 0..5 {
            meter.try_count(id, 0, 0).unwrap();
        }
        meter.flush(&store).unwrap();
        let generation = store.generation();
        assert_eq!(meter.flush(&store).unwrap(), 0, "nothing new");
        assert_eq!(store.generation(), generation, "and nothing written");
        meter.try_count(id, 0, 0).unwrap();
        meter.flush(&store).unwrap();
        let period = crate::domain::PlanPeriod {
            plan: "trial".into(),
            start: 0,
            end: 1,
        };
        assert_eq!(store.usage(id, &period).unwrap(), 6);
        assert_eq!(
            store.daily_usage(id, DayRange::ending(20_717, 1)).unwrap(),
            vec![6]
        );
    }

    #[test]
    fn a_refund_after_a_flush_takes_the_day_back_too() {
        let (_dir, store, id) = store_with_account();
        let meter = UsageMeter::new(Clock::manual(MORNING));
        meter.used(id, 0, 0);
        meter.try_count(id, 0, 0).unwrap();
        meter.try_count(id, 0, 0).unwrap();
        meter.flush(&store).unwrap();
        meter.refund(id, 0);
        assert_eq!(last_days(&meter, &store, id, 1), vec![1], "pending refund");
        meter.flush(&store).unwrap();
        assert_eq!(
            store.daily_usage(id, DayRange::ending(20_717, 1)).unwrap(),
            vec![1]
        );
    }

    #[test]
    fn a_forgotten_account_has_nothing_left_to_flush() {
        let (_dir, store, id) = store_with_account();
        let meter = UsageMeter::new(Clock::manual(MORNING));
        meter.used(id, 0, 0);
        meter.try_count(id, 0, 0).unwrap();
        meter.forget(id);
        assert_eq!(meter.flush(&store).unwrap(), 0);
        assert_eq!(last_days(&meter, &store, id, 1), vec![0]);
    }
}
