//! Rate limits, built from config and owned by the application (no globals): per key at
//! its plan's rate, and per client IP for keyless API requests, sign-up, login and key
//! changes; plus the back-off after failed logins (`auth::backoff`). Limiters forget idle
//! keys when `retain_recent` runs (periodically), so memory stays bounded.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};

use crate::client_ip::client_network;
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::auth::backoff::LoginBackoff;
use crate::config::Config;

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// What a limiter said about one request, with the numbers for the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Requests allowed at once (the burst).
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the full burst is available again.
    pub reset_secs: u64,
    /// Set when the request is refused: seconds until it may be retried.
    pub retry_after: Option<u64>,
}

impl Decision {
    pub fn refused(&self) -> bool {
        self.retry_after.is_some()
    }
}

/// The per-IP limit classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpClass {
    Keyless,
    Signup,
    Login,
    KeyChange,
}

struct Limiter<K: Hash + Eq + Clone> {
    inner: Keyed<K>,
    burst: u32,
    /// Time to replenish one request.
    interval: Duration,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(per: Duration, count: u32, burst: u32) -> Self {
        let count = NonZeroU32::new(count.max(1)).expect("max(1) is non-zero");
        let burst = NonZeroU32::new(burst.max(1)).expect("max(1) is non-zero");
        let interval = per / count.get();
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(count))
            .allow_burst(burst);
        Self {
            inner: RateLimiter::keyed(quota).with_middleware(),
            burst: burst.get(),
            interval,
        }
    }

    fn check(&self, key: &K) -> Decision {
        match self.inner.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let missing = self.burst.saturating_sub(remaining);
                Decision {
                    limit: self.burst,
                    remaining,
                    reset_secs: seconds(self.interval * missing),
                    retry_after: None,
                }
            }
            Err(not_until) => {
                // The limiter's own clock: making a new one runs CPUID to calibrate, which
                // a virtual machine traps (a third of a cached request's time, measured).
                let wait = not_until.wait_time_from(self.inner.clock().now());
                Decision {
                    limit: self.burst,
                    remaining: 0,
                    reset_secs: seconds(self.interval * self.burst),
                    retry_after: Some(seconds(wait).max(1)),
                }
            }
        }
    }
}

fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

pub struct Limiters {
    per_plan: BTreeMap<String, Limiter<u64>>,
    keyless: Limiter<IpAddr>,
    studio: Limiter<u64>,
    signup: Limiter<IpAddr>,
    login: Limiter<IpAddr>,
    key_change: Limiter<IpAddr>,
    login_failures: LoginBackoff,
}

impl Limiters {
    pub fn new(config: &Config) -> Self {
        let l = &config.limits;
        let per_plan = config
            .plans
            .iter()
            .map(|(name, plan)| {
                (
                    name.clone(),
                    Limiter::new(Duration::from_secs(1), plan.rate_per_second, plan.burst),
                )
            })
            .collect();
        Self {
            per_plan,
            keyless: Limiter::new(
                Duration::from_secs(1),
                l.keyless_per_second,
                l.keyless_burst,
            ),
            studio: Limiter::new(
                Duration::from_secs(1),
                l.studio_previews_per_second,
                l.studio_preview_burst,
            ),
            signup: Limiter::new(
                Duration::from_secs(3600),
                l.signups_per_hour,
                l.signup_burst,
            ),
            login: Limiter::new(Duration::from_secs(60), l.logins_per_minute, l.login_burst),
            key_change: Limiter::new(
                Duration::from_secs(3600),
                l.key_changes_per_hour,
                l.key_change_burst,
            ),
            login_failures: LoginBackoff::new(l),
        }
    }

    /// A request with a valid key, at its plan's rate. An unknown plan is not limited
    /// here (such an account is expired and gets previews, limited per IP).
    pub fn check_key(&self, plan: &str, account_id: u64) -> Decision {
        match self.per_plan.get(plan) {
            Some(limiter) => limiter.check(&account_id),
            None => self.keyless.check(&IpAddr::from([0, 0, 0, 0])),
        }
    }

    /// A live preview of the studio, per signed-in account.
    pub fn check_studio(&self, account_id: u64) -> Decision {
        self.studio.check(&account_id)
    }

    pub fn check_ip(&self, class: IpClass, ip: IpAddr) -> Decision {
        match class {
            IpClass::Keyless => self.keyless.check(&client_network(ip)),
            IpClass::Signup => self.signup.check(&client_network(ip)),
            IpClass::Login => self.login.check(&client_network(ip)),
            IpClass::KeyChange => self.key_change.check(&client_network(ip)),
        }
    }

    /// Forgets keys whose limit has fully replenished, and gives the memory back.
    pub fn retain_recent(&self, now: i64) {
        for limiter in self.per_plan.values() {
            limiter.inner.retain_recent();
            limiter.inner.shrink_to_fit();
        }
        for limiter in [&self.keyless, &self.signup, &self.login, &self.key_change] {
            limiter.inner.retain_recent();
            limiter.inner.shrink_to_fit();
        }
        self.studio.inner.retain_recent();
        self.studio.inner.shrink_to_fit();
        self.login_failures.forget_idle(now);
    }

    /// Keys currently held across all limiters.
    pub fn len(&self) -> usize {
        self.per_plan.values().map(|l| l.inner.len()).sum::<usize>()
            + [&self.keyless, &self.signup, &self.login, &self.key_change]
                .iter()
                .map(|l| l.inner.len())
                .sum::<usize>()
            + self.studio.inner.len()
            + self.login_failures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The back-off after failed logins.
    pub fn login_failures(&self) -> &LoginBackoff {
        &self.login_failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiters() -> Limiters {
        Limiters::new(&Config::defaults())
    }

    #[test]
    fn a_trial_key_gets_its_burst_then_429_with_a_retry_time() {
        let l = limiters();
        let burst = Config::defaults().trial().burst;
        for i in 0..burst {
            let d = l.check_key("trial", 1);
            assert!(!d.refused(), "request {i}");
            assert_eq!(d.remaining, burst - i - 1);
        }
        let refused = l.check_key("trial", 1);
        assert_eq!(refused.retry_after, Some(1));
        assert!(
            !l.check_key("trial", 2).refused(),
            "other keys are not affected"
        );
    }

    #[test]
    fn logins_allow_a_burst_of_ten_then_about_one_a_minute() {
        let l = limiters();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..10 {
            assert!(!l.check_ip(IpClass::Login, ip).refused());
        }
        let refused = l.check_ip(IpClass::Login, ip);
        assert!(
            (50..=60).contains(&refused.retry_after.unwrap()),
            "{refused:?}"
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_ipv4_clients_by_their_address() {
        let key = |s: &str| client_network(s.parse().unwrap());
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_eq!(
            key("2001:db8:1:2::1"),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("192.0.2.7"), "192.0.2.7".parse::<IpAddr>().unwrap());
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
        // Seen through a dual-stack socket, IPv4 clients keep their own addresses.
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
        assert_ne!(key("::ffff:192.0.2.7"), key("::ffff:192.0.2.8"));
    }

    #[test]
    fn every_per_address_limit_counts_an_ipv6_client_by_its_64() {
        let l = limiters();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for class in [IpClass::Signup, IpClass::Login, IpClass::KeyChange] {
            let mut i = 0u32;
            // Each request from a new address of the same /64 spends the same allowance.
            while !l
                .check_ip(class, ip(&format!("2001:db8:0:7::{:x}", i + 1)))
                .refused()
            {
                i += 1;
                assert!(i < 1000, "{class:?} never refused");
            }
            assert!(
                !l.check_ip(class, ip("2001:db8:0:8::1")).refused(),
                "{class:?}: another /64 has its own"
            );
        }
    }

    #[test]
    fn two_keyless_clients_in_one_64_share_a_limit_and_another_64_has_its_own() {
        let mut config = Config::defaults();
        (
            config.limits.keyless_per_second,
            config.limits.keyless_burst,
        ) = (1, 3);
        let l = Limiters::new(&config);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for _ in 0..3 {
            assert!(
                !l.check_ip(IpClass::Keyless, ip("2001:db8:0:1::a"))
                    .refused()
            );
        }
        assert!(
            l.check_ip(IpClass::Keyless, ip("2001:db8:0:1::b"))
                .refused()
        );
        assert!(
            !l.check_ip(IpClass::Keyless, ip("2001:db8:0:2::a"))
                .refused()
        );
    }

    #[test]
    fn a_million_keys_are_forgotten_once_their_limits_replenish() {
        let mut config = Config::defaults();
        config.limits.keyless_per_second = 1_000_000;
        config.limits.keyless_burst = 1;
        let l = Limiters::new(&config);
        for i in 0..1_000_000u32 {
            l.check_ip(IpClass::Keyless, IpAddr::from(i.to_be_bytes()));
        }
        assert!(l.len() >= 1_000_000);
        std::thread::sleep(Duration::from_millis(20));
        l.retain_recent(0);
        assert!(l.is_empty(), "{} keys left", l.len());
    }
}
