//! What previews are drawn from, apart from paying customers' renders, in two measures:
//! pixels in flight (`render.preview_pixels_in_flight`: the memory of the pixmaps) and
//! drawing time per second (`render.preview_ms_per_second`: the CPU). Rate limits hold
//! each keyless address to a few previews a second, but a crowd of addresses is not
//! held by them; the time budget caps what all previews together take from the machine,
//! however cheap or dear one preview is on it. A preview that finds either used up is
//! refused at once (the caller answers 503); nothing waits.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::state::{Busy, permits_for};

pub struct PreviewBudget {
    pixels: Semaphore,
    time: Mutex<TimeBucket>,
}

/// Drawing time as a token bucket in milliseconds: refilled at `per_second`, holding at
/// most one second's worth. Renders are charged what they took once they are done, so
/// the balance may go below zero; no preview starts until it is positive again.
#[derive(Debug)]
struct TimeBucket {
    balance_ms: f64,
    per_second: f64,
    refilled: Instant,
}

impl TimeBucket {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.balance_ms = (self.balance_ms + elapsed * self.per_second).min(self.per_second);
        self.refilled = now;
    }

    fn spend(&mut self, took: Duration, now: Instant) {
        self.refill(now);
        self.balance_ms -= took.as_secs_f64() * 1000.0;
    }
}

/// One preview's share; drawing time is charged when it is dropped.
pub struct PreviewPermit<'a> {
    budget: &'a PreviewBudget,
    _pixels: SemaphorePermit<'a>,
    started: Instant,
}

impl Drop for PreviewPermit<'_> {
    fn drop(&mut self) {
        let now = Instant::now();
        self.budget.time().spend(now - self.started, now);
    }
}

impl PreviewBudget {
    pub fn new(pixels_in_flight: u64, ms_per_second: u64) -> Self {
        let per_second = ms_per_second as f64;
        Self {
            pixels: Semaphore::new(permits_for(pixels_in_flight) as usize),
            time: Mutex::new(TimeBucket {
                balance_ms: per_second,
                per_second,
                refilled: Instant::now(),
            }),
        }
    }

    /// A share for drawing a preview of `pixels` pixels, now or not at all.
    pub fn take(&self, pixels: u64) -> Result<PreviewPermit<'_>, Busy> {
        let now = Instant::now();
        {
            let mut time = self.time();
            time.refill(now);
            if time.balance_ms <= 0.0 {
                return Err(Busy);
            }
        }
        let pixels = self
            .pixels
            .try_acquire_many(permits_for(pixels))
            .map_err(|_| Busy)?;
        Ok(PreviewPermit {
            budget: self,
            _pixels: pixels,
            started: now,
        })
    }

    fn time(&self) -> MutexGuard<'_, TimeBucket> {
        self.time.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREVIEW: u64 = 512 * 512;

    #[test]
    fn previews_beyond_the_pixels_in_flight_are_refused_until_one_finishes() {
        let budget = PreviewBudget::new(2 * PREVIEW, 1000);
        let first = budget.take(PREVIEW).unwrap();
        let _second = budget.take(PREVIEW).unwrap();
        assert!(budget.take(PREVIEW).is_err());
        drop(first);
        assert!(budget.take(PREVIEW).is_ok());
    }

    #[test]
    fn drawing_time_beyond_the_share_is_refused_until_it_is_earned_back() {
        let start = Instant::now();
        let mut bucket = TimeBucket {
            balance_ms: 100.0,
            per_second: 100.0,
            refilled: start,
        };
        // One slow preview (250 ms) overdraws a budget of 100 ms a second...
        bucket.spend(Duration::from_millis(250), start);
        bucket.refill(start + Duration::from_secs(1));
        assert!(bucket.balance_ms <= 0.0, "{bucket:?}");
        // ...which is earned back at 100 ms a second, and never saved beyond one second.
        bucket.refill(start + Duration::from_millis(1600));
        assert!(bucket.balance_ms > 0.0, "{bucket:?}");
        bucket.refill(start + Duration::from_secs(60));
        assert_eq!(bucket.balance_ms, 100.0);
    }

    #[test]
    fn a_budget_whose_time_is_spent_refuses_at_once() {
        let budget = PreviewBudget::new(2 * PREVIEW, 10);
        budget
            .time()
            .spend(Duration::from_millis(500), Instant::now());
        assert!(budget.take(PREVIEW).is_err());
    }
}
