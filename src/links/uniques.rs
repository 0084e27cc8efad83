//! Unique scanners per code per day, estimated without keeping who scanned. Each scan's
//! (client address, User-Agent) goes through HMAC-SHA-256 under a key drawn at random
//! for the day and held only in memory, never written; the key is replaced when the UTC
//! day changes, so yesterday's hashes cannot be linked to today's, and after a restart
//! nothing links to anything. Per code and day, a sketch keeps up to 32 of those hashes
//! exactly, then 256 one-byte HyperLogLog registers instead (about 6.5 % standard
//! error): at most 256 bytes a code a day, and at most `MAX_SKETCHES` sketches.
//!
//! The store gets each sketch's growth since the last flush (a delta), so restarts add
//! up: a visitor seen before and after a restart on the same day counts twice, which is
//! the price of never writing the key.

use std::collections::HashMap;
use std::net::IpAddr;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Distinct hashes kept exactly before switching to registers.
const EXACT_LIMIT: usize = 32;
const REGISTER_BITS: u32 = 8;
const REGISTERS: usize = 1 << REGISTER_BITS;
/// Sketches held at once (about 25 MiB at most); scans of further codes that day are
/// still counted, only not as unique visitors.
pub const MAX_SKETCHES: usize = 100_000;

#[derive(Debug, Clone)]
enum Sketch {
    Exact(Vec<u64>),
    Registers(Box<[u8; REGISTERS]>),
}

impl Sketch {
    fn insert(&mut self, hash: u64) {
        match self {
            Self::Exact(seen) => {
                if seen.contains(&hash) {
                    return;
                }
                if seen.len() < EXACT_LIMIT {
                    seen.push(hash);
                    return;
                }
                let mut registers = Box::new([0u8; REGISTERS]);
                for &h in seen.iter().chain(std::iter::once(&hash)) {
                    observe(&mut registers, h);
                }
                *self = Self::Registers(registers);
            }
            Self::Registers(registers) => observe(registers, hash),
        }
    }

    fn estimate(&self) -> u64 {
        match self {
            Self::Exact(seen) => seen.len() as u64,
            Self::Registers(registers) => hll_estimate(registers),
        }
    }
}

fn observe(registers: &mut [u8; REGISTERS], hash: u64) {
    let index = (hash >> (64 - REGISTER_BITS)) as usize;
    let rest = hash << REGISTER_BITS;
    let rank = (rest.leading_zeros().min(64 - REGISTER_BITS) + 1) as u8;
    registers[index] = registers[index].max(rank);
}

/// HyperLogLog's estimate with linear counting for small cardinalities.
fn hll_estimate(registers: &[u8; REGISTERS]) -> u64 {
    let m = REGISTERS as f64;
    let alpha = 0.7213 / (1.0 + 1.079 / m);
    let sum: f64 = registers.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
    let raw = alpha * m * m / sum;
    let zeros = registers.iter().filter(|&&r| r == 0).count();
    let estimate = if raw <= 2.5 * m && zeros > 0 {
        m * (m / zeros as f64).ln()
    } else {
        raw
    };
    estimate.round() as u64
}

struct Entry {
    sketch: Sketch,
    /// The estimate already handed to the store.
    flushed: u64,
}

/// Today's key and the sketches.
pub struct Uniques {
    day: i64,
    key: Hmac<Sha256>,
    sketches: HashMap<(u64, i64), Entry>,
}

impl Default for Uniques {
    fn default() -> Self {
        Self {
            day: i64::MIN,
            key: fresh_key(),
            sketches: HashMap::new(),
        }
    }
}

fn fresh_key() -> Hmac<Sha256> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    Hmac::new_from_slice(&key).expect("HMAC takes a key of any length")
}

impl Uniques {
    /// Notes a scan of `code_id` on `day` by the client (`ip`, `agent`).
    pub fn observe(&mut self, code_id: u64, day: i64, ip: IpAddr, agent: &str) {
        if day != self.day {
            // A new day: yesterday's key is dropped, so nothing links the two days.
            self.key = fresh_key();
            self.day = day;
        }
        let mut mac = self.key.clone();
        match ip {
            IpAddr::V4(v4) => mac.update(&v4.octets()),
            IpAddr::V6(v6) => mac.update(&v6.octets()),
        }
        mac.update(&[0]);
        mac.update(agent.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let hash = u64::from_le_bytes(first);
        if !self.sketches.contains_key(&(code_id, day)) && self.sketches.len() >= MAX_SKETCHES {
            return;
        }
        self.sketches
            .entry((code_id, day))
            .or_insert_with(|| Entry {
                sketch: Sketch::Exact(Vec::new()),
                flushed: 0,
            })
            .sketch
            .insert(hash);
    }

    /// Each sketch's growth since the last call, as `((code, day), delta)`; sketches of
    /// days before `today` are dropped after their last delta.
    pub fn take_growth(&mut self, today: i64) -> Vec<((u64, i64), u64)> {
        let mut growth = Vec::new();
        for (&key, entry) in &mut self.sketches {
            let estimate = entry.sketch.estimate();
            if estimate > entry.flushed {
                growth.push((key, estimate - entry.flushed));
                entry.flushed = estimate;
            }
        }
        self.sketches.retain(|&(_, day), _| day >= today);
        growth
    }

    pub fn len(&self) -> usize {
        self.sketches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sketches.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(n))
    }

    #[test]
    fn the_same_client_counts_once_and_others_each_once_while_few() {
        let mut uniques = Uniques::default();
        for _ in 0..5 {
            uniques.observe(1, 10, ip(1), "phone");
        }
        uniques.observe(1, 10, ip(1), "other phone");
        uniques.observe(1, 10, ip(2), "phone");
        assert_eq!(uniques.take_growth(10), vec![((1, 10), 3)]);
        uniques.observe(1, 10, ip(2), "phone");
        assert!(uniques.take_growth(10).is_empty(), "no growth, no delta");
    }

    /// SplitMix64: reproducible, well-spread stand-ins for the HMAC's hashes, so the
    /// estimate is checked the same way on every run (the day's key is random).
    fn spread(n: u64) -> u64 {
        let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn many_clients_are_estimated_within_a_few_percent() {
        // Twenty draws of distinct visitors, each seen twice; every estimate within four
        // standard errors and their mean within a few percent.
        for (count, each, mean) in [(100u64, 0.2, 0.03), (20_000, 0.26, 0.05)] {
            let estimates: Vec<f64> = (0..20u64)
                .map(|draw| {
                    let mut sketch = Sketch::Exact(Vec::new());
                    for n in 0..count {
                        let hash = spread(draw << 32 | n);
                        sketch.insert(hash);
                        sketch.insert(hash);
                    }
                    sketch.estimate() as f64
                })
                .collect();
            let target = count as f64;
            for e in &estimates {
                assert!((e - target).abs() / target < each, "{count}: {estimates:?}");
            }
            let average = estimates.iter().sum::<f64>() / estimates.len() as f64;
            assert!(
                (average - target).abs() / target < mean,
                "{count}: {average}"
            );
        }
        // And through the keyed hash: a client seen twice is one visitor.
        let mut uniques = Uniques::default();
        for n in 0..1_000 {
            uniques.observe(7, 10, ip(n), "agent");
            uniques.observe(7, 10, ip(n), "agent");
        }
        let estimate = uniques.take_growth(10)[0].1 as f64;
        assert!((estimate - 1_000.0).abs() / 1_000.0 < 0.5, "{estimate}");
    }

    #[test]
    fn a_new_day_draws_a_new_key_and_old_sketches_go_after_their_last_delta() {
        let mut uniques = Uniques::default();
        uniques.observe(1, 10, ip(1), "a");
        let key_day_10 = uniques.key.clone().finalize().into_bytes();
        uniques.observe(1, 11, ip(1), "a");
        assert_ne!(uniques.key.clone().finalize().into_bytes(), key_day_10);
        let mut growth = uniques.take_growth(11);
        growth.sort();
        assert_eq!(growth, vec![((1, 10), 1), ((1, 11), 1)]);
        assert_eq!(uniques.len(), 1, "day 10 is gone");
    }

    #[test]
    fn the_number_of_sketches_is_bounded() {
        let mut uniques = Uniques::default();
        for code in 0..(MAX_SKETCHES as u64 + 50) {
            uniques.observe(code, 1, ip(1), "a");
        }
        assert_eq!(uniques.len(), MAX_SKETCHES);
    }
}
