//! Batches on the real binary: `kill -9` in the middle of a batch, and the server's memory
//! while it draws a large styled batch (read from `/proc/PID/status`).

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;

use crate::batches::{accepted_id, finished, post_csv, result_zip, status, used, wait_for};
use crate::process::{key_on, start};

/// A trial with room for big batches, counts flushed often.
const ENV: &[(&str, &str)] = &[
    ("QRGATE_PLANS__TRIAL__QUOTA", "1000000"),
    ("QRGATE_USAGE__FLUSH_INTERVAL_MS", "250"),
    // A debug build draws a styled 1024 px code in ~150 ms alone, seconds on a busy CI
    // machine: the render deadline has its own test (tests/api/hardening/budget.rs).
    ("QRGATE_RENDER__MAX_RENDER_MS", "60000"),
];

/// `rows` URL codes (the design comes with the query).
fn labels(rows: usize) -> String {
    let mut csv = "type,url\n".to_owned();
    for i in 0..rows {
        csv.push_str(&format!("url,https://example.org/label/{i:05}\n"));
    }
    csv
}

const STYLE: &str = "module_shape=dot&eye_shape=rounded&fg=%231d4ed8&eye_color=%23b91c1c";

fn batch_files(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("batches"))
        .map(|dir| {
            dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_batch_cut_by_kill_9_is_failed_after_restart_with_no_partial_zip_and_no_count_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), ENV).await;
    let key = key_on(&server.address, "crash@example.org").await;
    let query = format!("size=1024&{STYLE}");
    let id = accepted_id(post_csv(&server.address, &key, &query, labels(2000)).await).await;

    // Rows drawn well over the flush bound before the kill must have been counted.
    let started = wait_for(&server.address, &key, &id, |s| {
        s["done"].as_u64() >= Some(3)
    })
    .await;
    let flushed = started["done"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let last = status(&server.address, &key, &id).await;
    assert_eq!(last["status"], "running");
    let drawn = last["done"].as_u64().unwrap();
    server.child.kill().await.unwrap(); // SIGKILL
    assert!(
        batch_files(dir.path())
            .iter()
            .any(|f| f.ends_with(".zip.part")),
        "the ZIP was being written: {:?}",
        batch_files(dir.path())
    );

    let server = start(dir.path(), ENV).await;
    let after = status(&server.address, &key, &id).await;
    assert_eq!(after["status"], "failed", "{after}");
    assert!(
        after["error"].as_str().unwrap().contains("restarted"),
        "{after}"
    );
    let zip = result_zip(&server.address, &key, &id).await;
    assert_eq!(
        zip.status(),
        StatusCode::CONFLICT,
        "no partial ZIP is served"
    );
    assert!(
        batch_files(dir.path()).is_empty(),
        "orphans removed at start: {:?}",
        batch_files(dir.path())
    );
    let counted = used(&server.address, &key).await;
    // One row may have been counted and not yet drawn when the status was read, and a
    // couple more drawn between that read and the kill.
    assert!(
        (flushed..=drawn + 3).contains(&counted),
        "counted {counted}; {flushed} drawn over a second before the kill, {drawn} just before it"
    );

    // The restarted server takes batches again.
    let id = accepted_id(post_csv(&server.address, &key, "size=128", labels(3)).await).await;
    assert_eq!(finished(&server.address, &key, &id).await["status"], "done");
}

/// A field of `/proc/PID/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// 5,000 rows (in a release build, or `BATCH_MEMORY_ROWS`); fewer in a debug build, whose
/// unoptimised drawing takes about 150 ms a code. The peak does not depend on the number
/// of rows (each is drawn, written to the ZIP file and dropped), which is the point.
fn memory_rows() -> usize {
    std::env::var("BATCH_MEMORY_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 300 } else { 5000 })
}

#[tokio::test]
async fn a_large_batch_of_1024_px_styled_codes_keeps_peak_rss_within_64_mib_of_idle() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = ENV.to_vec();
    env.push(("QRGATE_BATCHES__WORKERS", "2"));
    env.push(("QRGATE_BATCHES__MAX_ITEMS", "5000"));
    let server = start(dir.path(), &env).await;
    let pid = server.child.id().unwrap();
    let key = key_on(&server.address, "memory@example.org").await;
    // Idle: after sign-up and key creation; the high-water mark restarts from here.
    let idle = status_kib(pid, "VmRSS");
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();

    let rows = memory_rows();
    let query = format!("size=1024&{STYLE}");
    let id = accepted_id(post_csv(&server.address, &key, &query, labels(rows)).await).await;
    let done = finished(&server.address, &key, &id).await;
    assert_eq!(done["done"].as_u64(), Some(rows as u64), "{done}");
    let mut zip = result_zip(&server.address, &key, &id).await;
    let mut bytes = 0;
    while let Some(chunk) = zip.chunk().await.unwrap() {
        bytes += chunk.len();
    }
    let peak = status_kib(pid, "VmHWM");
    let grew = peak.saturating_sub(idle);
    println!(
        "{rows} styled 1024 px codes, ZIP {} MiB: idle {} MiB, peak {} MiB (+{} MiB)",
        bytes >> 20,
        idle >> 10,
        peak >> 10,
        grew >> 10
    );
    assert!(bytes > rows * 10_000, "a ZIP of {rows} images");
    assert!(grew <= 64 * 1024, "peak RSS grew by {} MiB", grew >> 10);
}
