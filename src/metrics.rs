//! Operational metrics in the Prometheus text format, kept by hand: a few counters and
//! histograms need no registry crate. Labels are bounded: routes are the matched route
//! patterns (not raw paths), reasons and formats are fixed sets.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// A latency histogram with fixed buckets.
#[derive(Default)]
pub struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Sum in microseconds.
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    #[cfg(test)]
    pub fn write_for_test(&self, out: &mut String) {
        self.write(out, "h", "");
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let total = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {total}");
        let _ = writeln!(
            out,
            "{name}_sum{{{labels}}} {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count{{{labels}}} {total}");
    }
}

#[derive(Default)]
pub struct Metrics {
    /// Requests by route pattern, then status: a route seen before is counted without
    /// allocating.
    requests: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
    render_png: Histogram,
    render_svg: Histogram,
    previews: Mutex<BTreeMap<&'static str, u64>>,
    quota_rejections: AtomicU64,
    rate_limited: AtomicU64,
    /// Unix time of the last successful usage flush.
    last_flush: AtomicI64,
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(statuses) = requests.get_mut(route) {
            *statuses.entry(status).or_default() += 1;
            return;
        }
        requests
            .entry(route.to_owned())
            .or_default()
            .insert(status, 1);
    }

    pub fn render(&self, svg: bool, elapsed: Duration) {
        if svg {
            &self.render_svg
        } else {
            &self.render_png
        }
        .observe(elapsed);
    }

    pub fn preview(&self, reason: &'static str) {
        *self
            .previews
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(reason)
            .or_default() += 1;
        if reason == "over_quota" {
            self.quota_rejections.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub fn flushed(&self, now: i64) {
        self.last_flush.store(now, Ordering::Relaxed);
    }

    /// The exposition text. `commits` is the store's commit-latency histogram.
    pub fn render_text(&self, commits: &Histogram, now: i64) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP qrgate_http_requests_total HTTP requests by route pattern and status.\n# TYPE qrgate_http_requests_total counter\n");
        for (route, statuses) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let route = escape(route);
            for (status, count) in statuses {
                let _ = writeln!(
                    out,
                    "qrgate_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP qrgate_render_seconds Time to encode and draw one image, by format.\n# TYPE qrgate_render_seconds histogram\n");
        self.render_png
            .write(&mut out, "qrgate_render_seconds", "format=\"png\"");
        self.render_svg
            .write(&mut out, "qrgate_render_seconds", "format=\"svg\"");
        out.push_str("# HELP qrgate_previews_total Watermarked previews served, by reason.\n# TYPE qrgate_previews_total counter\n");
        for (reason, count) in self
            .previews
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(out, "qrgate_previews_total{{reason=\"{reason}\"}} {count}");
        }
        let quota = self.quota_rejections.load(Ordering::Relaxed);
        let limited = self.rate_limited.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP qrgate_quota_rejections_total Requests refused because the quota was used up.\n# TYPE qrgate_quota_rejections_total counter\nqrgate_quota_rejections_total {quota}"
        );
        let _ = writeln!(
            out,
            "# HELP qrgate_rate_limited_total Requests refused with 429.\n# TYPE qrgate_rate_limited_total counter\nqrgate_rate_limited_total {limited}"
        );
        out.push_str("# HELP qrgate_redb_commit_seconds Time to commit one durable write transaction.\n# TYPE qrgate_redb_commit_seconds histogram\n");
        commits.write(&mut out, "qrgate_redb_commit_seconds", "");
        let last = self.last_flush.load(Ordering::Relaxed);
        let lag = if last == 0 { 0 } else { (now - last).max(0) };
        let _ = writeln!(
            out,
            "# HELP qrgate_usage_flush_lag_seconds Seconds since usage counts were last written.\n# TYPE qrgate_usage_flush_lag_seconds gauge\nqrgate_usage_flush_lag_seconds {lag}"
        );
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(300));
        h.observe(Duration::from_millis(20));
        let mut out = String::new();
        h.write(&mut out, "x", "");
        assert!(out.contains("x_bucket{le=\"0.0005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.025\"} 2\n"), "{out}");
        assert!(
            out.contains("x_bucket{le=\"+Inf\"} 2\n") && out.contains("x_count{} 2\n"),
            "{out}"
        );
    }

    #[test]
    fn requests_are_counted_by_route_and_status() {
        let m = Metrics::default();
        m.request("/api/v1/qr/{type}", 200);
        m.request("/api/v1/qr/{type}", 200);
        m.preview("over_quota");
        let text = m.render_text(&Histogram::default(), 0);
        assert!(
            text.contains(
                "qrgate_http_requests_total{route=\"/api/v1/qr/{type}\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("qrgate_previews_total{reason=\"over_quota\"} 1"));
        assert!(text.contains("qrgate_quota_rejections_total 1"));
    }
}
