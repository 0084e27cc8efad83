//! The wait after failed logins. Failures are counted per (account, client network), so
//! a stranger who keeps guessing holds back only his own address, never the owner's:
//! an address with no failures for an account is never made to wait. A second count per
//! account, over every address, slows a guesser who spreads out: once it passes
//! `limits.login_account_failures_ceiling`, every address that has failed for that
//! account waits as well, doubling with each further failure, so each new address buys
//! a single guess. Both waits double up to `limits.login_backoff_max_secs` and end by
//! themselves; nothing locks an account for good.
//!
//! Accounts are keyed by the email *asked for*, known or not, so the wait says nothing
//! about which emails have accounts; the key is a hash with a per-process random seed,
//! so neither emails nor chosen collisions sit in memory. IPv6 clients count per /64,
//! the block one subscriber usually gets.
//!
//! Entries are only made by failed logins, each of which cost a password hash, and are
//! dropped by `forget_idle` once idle for twice the longest wait; so the maps hold at
//! most what the hashing pool can verify in that time.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

use crate::client_ip::client_network;
use crate::config::LimitsConfig;

/// One login attempt's keys: the account asked for and the client's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attempt {
    account: u64,
    /// Where it comes from: an IPv4 address, or an IPv6 /64 block (`client_network`).
    network: IpAddr,
}

/// Failures in a row and when the last one happened.
#[derive(Debug, Clone, Copy, Default)]
struct Streak {
    count: u32,
    last: i64,
}

impl Streak {
    fn record(&mut self, now: i64) {
        self.count = self.count.saturating_add(1);
        self.last = now;
    }

    /// When the next attempt may come, once `count` passes `free` failures.
    fn until(&self, free: u32, max_wait: u64) -> Option<i64> {
        let over = self.count.checked_sub(free)?;
        let wait = 1u64.checked_shl(over).unwrap_or(u64::MAX).min(max_wait);
        Some(self.last.saturating_add(wait as i64))
    }
}

#[derive(Default)]
struct Failures {
    by_client: HashMap<Attempt, Streak>,
    by_account: HashMap<u64, Streak>,
}

pub struct LoginBackoff {
    free_per_client: u32,
    account_ceiling: u32,
    max_wait: u64,
    seed: RandomState,
    failures: Mutex<Failures>,
}

impl LoginBackoff {
    pub fn new(limits: &LimitsConfig) -> Self {
        Self {
            free_per_client: limits.login_failures_before_backoff,
            account_ceiling: limits.login_account_failures_ceiling,
            max_wait: limits.login_backoff_max_secs,
            seed: RandomState::new(),
            failures: Mutex::default(),
        }
    }

    /// The keys of a login for `email` (as normalised for look-up) from `client`.
    pub fn attempt(&self, email: &str, client: IpAddr) -> Attempt {
        Attempt {
            account: self.seed.hash_one(email),
            network: client_network(client),
        }
    }

    /// Seconds this attempt must wait, if any. None for an address that has not failed
    /// for this account, whatever happens from other addresses.
    pub fn wait(&self, attempt: &Attempt, now: i64) -> Option<u64> {
        let failures = self.failures();
        let own = failures.by_client.get(attempt)?;
        let own_until = own.until(self.free_per_client, self.max_wait);
        let account_until = failures
            .by_account
            .get(&attempt.account)
            .and_then(|all| all.until(self.account_ceiling, self.max_wait));
        let until = own_until.max(account_until)?;
        (now < until).then(|| (until - now) as u64)
    }

    pub fn failed(&self, attempt: &Attempt, now: i64) {
        let mut failures = self.failures();
        failures.by_client.entry(*attempt).or_default().record(now);
        failures
            .by_account
            .entry(attempt.account)
            .or_default()
            .record(now);
    }

    /// The right password from this address clears its own streak. The account's count
    /// over all addresses stays until it goes idle: someone else may still be guessing.
    pub fn succeeded(&self, attempt: &Attempt) {
        self.failures().by_client.remove(attempt);
    }

    /// Drops streaks idle for twice the longest wait.
    pub fn forget_idle(&self, now: i64) {
        let horizon = 2 * self.max_wait as i64;
        let mut failures = self.failures();
        failures.by_client.retain(|_, s| now - s.last < horizon);
        failures.by_account.retain(|_, s| now - s.last < horizon);
        failures.by_client.shrink_to_fit();
        failures.by_account.shrink_to_fit();
    }

    /// Streaks held, per client and per account.
    pub fn len(&self) -> usize {
        let failures = self.failures();
        failures.by_client.len() + failures.by_account.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn failures(&self) -> MutexGuard<'_, Failures> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// IPv4 addresses count one by one; IPv6 per /64 (IPv4-mapped ones as IPv4).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn backoff(adjust: impl FnOnce(&mut LimitsConfig)) -> LoginBackoff {
        let mut limits = Config::defaults().limits;
        adjust(&mut limits);
        LoginBackoff::new(&limits)
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn failures_from_one_address_back_off_doubling_and_never_lock_for_good() {
        let b = backoff(|_| {});
        let a = b.attempt("ada@example.org", ip("192.0.2.1"));
        for _ in 0..5 {
            b.failed(&a, 1000);
        }
        assert_eq!(b.wait(&a, 1000), Some(1));
        for _ in 0..20 {
            b.failed(&a, 1000);
        }
        assert_eq!(b.wait(&a, 1000), Some(300), "capped");
        assert_eq!(b.wait(&a, 1300), None, "and over after the cap");
        b.succeeded(&a);
        assert_eq!(b.wait(&a, 1000), None);
    }

    #[test]
    fn a_strangers_failures_never_hold_back_an_address_with_none() {
        let b = backoff(|l| l.login_account_failures_ceiling = 3);
        let stranger = b.attempt("ada@example.org", ip("192.0.2.66"));
        for _ in 0..50 {
            b.failed(&stranger, 1000);
        }
        assert_eq!(b.wait(&stranger, 1000), Some(300));
        let owner = b.attempt("ada@example.org", ip("198.51.100.7"));
        assert_eq!(b.wait(&owner, 1000), None);
    }

    #[test]
    fn past_the_account_ceiling_every_address_that_failed_waits_and_new_ones_get_one_try() {
        let b = backoff(|l| {
            l.login_account_failures_ceiling = 4;
            l.login_failures_before_backoff = 5;
        });
        let spread: Vec<Attempt> = (0..8)
            .map(|i| b.attempt("ada@example.org", IpAddr::from([203, 0, 113, i])))
            .collect();
        for (i, attempt) in spread.iter().enumerate() {
            b.failed(attempt, 1000);
            let waits = b.wait(attempt, 1000);
            if i < 3 {
                assert_eq!(waits, None, "under the ceiling, one failure is free");
            } else {
                assert_eq!(waits, Some(1 << (i - 3)), "doubling past the ceiling");
            }
        }
        assert_eq!(
            b.wait(&spread[0], 1000),
            Some(16),
            "an earlier address waits on the account's count"
        );
        let fresh = b.attempt("ada@example.org", ip("203.0.113.200"));
        assert_eq!(b.wait(&fresh, 1000), None);
        let other_account = b.attempt("bob@example.org", IpAddr::from([203, 0, 113, 0]));
        assert_eq!(b.wait(&other_account, 1000), None);
    }

    #[test]
    fn an_ipv6_client_counts_per_64_block() {
        let b = backoff(|l| l.login_failures_before_backoff = 1);
        let first = b.attempt("ada@example.org", ip("2001:db8:1:2::1"));
        b.failed(&first, 1000);
        let same_block = b.attempt("ada@example.org", ip("2001:db8:1:2:ffff::9"));
        assert_eq!(b.wait(&same_block, 1000), Some(1));
        let next_block = b.attempt("ada@example.org", ip("2001:db8:1:3::1"));
        assert_eq!(b.wait(&next_block, 1000), None);
        let mapped = b.attempt("ada@example.org", ip("::ffff:192.0.2.1"));
        assert_eq!(mapped, b.attempt("ada@example.org", ip("192.0.2.1")));
    }

    #[test]
    fn idle_streaks_are_forgotten() {
        let b = backoff(|_| {});
        for i in 0..1000u32 {
            let a = b.attempt(&format!("u{i}@example.org"), IpAddr::from(i.to_be_bytes()));
            b.failed(&a, 1000);
        }
        assert_eq!(b.len(), 2000);
        b.forget_idle(1599);
        assert_eq!(b.len(), 2000, "still within twice the longest wait");
        b.forget_idle(1600);
        assert!(b.is_empty());
    }
}
