//! Scan counts batched in memory between flushes. Recording a scan takes one short lock
//! and allocates only for a referrer or language not yet seen in the batch. A flush
//! takes the whole batch (and the unique-visitor growth), writes it as increments inside
//! one transaction, and drops it only once that transaction committed: a failed commit
//! puts the batch back, so nothing is lost or counted twice, and a crash loses only the
//! batch not yet flushed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

use super::agent::{BOT_DEVICE, Client};
use super::stats::{Dimension, MAX_VALUES_PER_DAY, OTHER, day_of, hour_of};
use super::uniques::Uniques;

/// One code's counts for one UTC day, since the last flush.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DayCounts {
    pub scans: u64,
    pub bots: u64,
    pub unique: u64,
    /// Scans by hour of the day.
    pub hours: [u64; 24],
    /// Counts by dimension (`Dimension::index`) and value.
    pub values: [HashMap<Box<str>, u64>; 6],
}

impl DayCounts {
    fn add_value(&mut self, dimension: Dimension, value: &str, n: u64) {
        let values = &mut self.values[dimension.index()];
        if let Some(count) = values.get_mut(value) {
            *count += n;
        } else if values.len() < MAX_VALUES_PER_DAY {
            values.insert(value.into(), n);
        } else {
            *values.entry(OTHER.into()).or_default() += n;
        }
    }

    fn merge(&mut self, other: DayCounts) {
        self.scans += other.scans;
        self.bots += other.bots;
        self.unique += other.unique;
        for (mine, theirs) in self.hours.iter_mut().zip(other.hours) {
            *mine += theirs;
        }
        for (dimension, values) in Dimension::ALL.into_iter().zip(other.values) {
            for (value, n) in values {
                self.add_value(dimension, &value, n);
            }
        }
    }
}

/// Counts to write: by (code id, day).
pub type ScanBatch = HashMap<(u64, i64), DayCounts>;

/// One scan as the redirect saw it; the header values are already reduced.
pub struct Scan<'a> {
    pub code_id: u64,
    pub at: i64,
    pub client: Client,
    pub referrer: Option<&'a str>,
    pub language: Option<&'a str>,
    pub ip: IpAddr,
    pub agent: &'a str,
}

#[derive(Default)]
pub struct ScanTally {
    pending: Mutex<ScanBatch>,
    uniques: Mutex<Uniques>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update is a few additions; a panic between them cannot break an invariant.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl ScanTally {
    pub fn record(&self, scan: &Scan<'_>) {
        let day = day_of(scan.at);
        if let Client::Person { .. } = scan.client {
            locked(&self.uniques).observe(scan.code_id, day, scan.ip, scan.agent);
        }
        let mut pending = locked(&self.pending);
        let counts = pending.entry((scan.code_id, day)).or_default();
        match scan.client {
            Client::Bot(name) => {
                counts.bots += 1;
                counts.add_value(Dimension::Bot, name, 1);
                counts.add_value(Dimension::Device, BOT_DEVICE, 1);
            }
            Client::Person {
                device,
                os,
                browser,
            } => {
                counts.scans += 1;
                let hour = (hour_of(scan.at) - day * 24).clamp(0, 23) as usize;
                counts.hours[hour] += 1;
                counts.add_value(Dimension::Device, device.as_str(), 1);
                counts.add_value(Dimension::Os, os, 1);
                counts.add_value(Dimension::Browser, browser, 1);
                counts.add_value(Dimension::Referrer, scan.referrer.unwrap_or("(direct)"), 1);
                counts.add_value(Dimension::Language, scan.language.unwrap_or("(none)"), 1);
            }
        }
    }

    /// Takes everything counted since the last take, with the unique-visitor growth.
    /// `now` decides which days' visitor sketches are finished.
    pub fn take(&self, now: i64) -> ScanBatch {
        let growth = locked(&self.uniques).take_growth(day_of(now));
        let mut batch = std::mem::take(&mut *locked(&self.pending));
        for (key, unique) in growth {
            batch.entry(key).or_default().unique += unique;
        }
        batch
    }

    /// Puts back a batch whose write failed, to be written with the next one.
    pub fn restore(&self, batch: ScanBatch) {
        let mut pending = locked(&self.pending);
        for (key, counts) in batch {
            pending.entry(key).or_default().merge(counts);
        }
    }

    /// Drops what is pending for codes that no longer exist.
    pub fn forget(&self, code_id: u64) {
        locked(&self.pending).retain(|(id, _), _| *id != code_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::agent::Device;
    use std::net::Ipv4Addr;

    fn scan(code_id: u64, at: i64, client: Client, ip: u32) -> Scan<'static> {
        Scan {
            code_id,
            at,
            client,
            referrer: None,
            language: Some("en"),
            ip: IpAddr::V4(Ipv4Addr::from(ip)),
            agent: "agent",
        }
    }

    const PHONE: Client = Client::Person {
        device: Device::Phone,
        os: "iOS",
        browser: "Safari",
    };

    #[test]
    fn people_and_bots_are_counted_apart_by_hour_and_breakdown() {
        let tally = ScanTally::default();
        let day = 20_000 * 86_400;
        tally.record(&scan(1, day + 3_600 + 5, PHONE, 1));
        tally.record(&scan(1, day + 3_600 + 9, PHONE, 1));
        tally.record(&scan(1, day + 7_200, PHONE, 2));
        tally.record(&scan(1, day + 10, Client::Bot("Slack"), 3));
        let batch = tally.take(day + 7_300);
        let counts = &batch[&(1, 20_000)];
        assert_eq!((counts.scans, counts.bots, counts.unique), (3, 1, 2));
        assert_eq!(
            (counts.hours[1], counts.hours[2], counts.hours[0]),
            (2, 1, 0)
        );
        assert_eq!(counts.values[Dimension::Os.index()]["iOS"], 3);
        assert_eq!(counts.values[Dimension::Device.index()]["bot"], 1);
        assert_eq!(counts.values[Dimension::Bot.index()]["Slack"], 1);
        assert_eq!(counts.values[Dimension::Referrer.index()]["(direct)"], 3);
        assert!(tally.take(day + 7_300).is_empty(), "taken once");
    }

    #[test]
    fn a_restored_batch_is_counted_with_the_next() {
        let tally = ScanTally::default();
        tally.record(&scan(1, 0, PHONE, 1));
        let batch = tally.take(0);
        tally.record(&scan(1, 5, PHONE, 2));
        tally.restore(batch);
        let again = tally.take(0);
        assert_eq!(again[&(1, 0)].scans, 2);
        assert_eq!(again[&(1, 0)].unique, 2);
    }

    #[test]
    fn distinct_values_per_day_are_bounded() {
        let tally = ScanTally::default();
        let hosts: Vec<String> = (0..200).map(|i| format!("h{i}.example")).collect();
        for host in &hosts {
            let mut s = scan(1, 0, PHONE, 1);
            s.referrer = Some(host);
            tally.record(&s);
        }
        let batch = tally.take(0);
        let referrers = &batch[&(1, 0)].values[Dimension::Referrer.index()];
        assert_eq!(referrers.len(), MAX_VALUES_PER_DAY + 1);
        assert_eq!(referrers.values().sum::<u64>(), 200);
    }
}
