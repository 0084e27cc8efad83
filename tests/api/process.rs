//! Tests of the real binary: durability across `kill -9`, SIGTERM, and start-up errors.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::{Browser, PASSWORD, api_key_in};

const BINARY: &str = env!("CARGO_BIN_EXE_qrgate");

pub struct Server {
    pub child: Child,
    pub address: String,
}

/// Starts the binary on a free port with `data_dir` and waits for its "listening" line.
pub async fn start(data_dir: &Path, env: &[(&str, &str)]) -> Server {
    start_logging(data_dir, env, Stdio::null()).await
}

async fn start_logging(data_dir: &Path, env: &[(&str, &str)], log: Stdio) -> Server {
    let mut child = Command::new(BINARY)
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .envs(env.iter().copied())
        .env("QRGATE_SERVER__WORKERS", "1")
        // These tests send requests faster than a trial key's rate limit allows.
        .env("QRGATE_PLANS__TRIAL__RATE_PER_SECOND", "1000")
        .env("QRGATE_PLANS__TRIAL__BURST", "1000")
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the server announces itself in time")
        .unwrap()
        .expect("a line on stdout");
    let address = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the line names the address")
        .to_owned();
    Server { child, address }
}

pub fn signal(child: &Child, name: &str) {
    let pid = child.id().expect("the process is running").to_string();
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn usage_status(address: &str, key: &str) -> StatusCode {
    Browser::plain_client()
        .get(format!("{address}/api/v1/usage"))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn accounts_and_keys_survive_kill_9_and_admins_are_promoted_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &[]).await;
    let mut accounts = Vec::new();
    for i in 0..3 {
        let email = format!("user{i}@example.org");
        let browser = Browser::new(&server.address);
        assert_eq!(
            browser.signup(&email, PASSWORD).await.status(),
            StatusCode::SEE_OTHER
        );
        let mut key =
            api_key_in(&browser.create_key(PASSWORD).await.text().await.unwrap()).unwrap();
        if i == 2 {
            key = api_key_in(
                &browser
                    .renew_key(PASSWORD, "compromise")
                    .await
                    .text()
                    .await
                    .unwrap(),
            )
            .unwrap();
        }
        accounts.push((email, key));
    }
    // SIGKILL straight after the last acknowledged write.
    server.child.kill().await.unwrap();

    let server = start(dir.path(), &[("QRGATE_ADMIN__EMAILS", "user0@example.org")]).await;
    for (email, key) in &accounts {
        let browser = Browser::new(&server.address);
        assert_eq!(
            browser.login(email, PASSWORD).await.status(),
            StatusCode::SEE_OTHER,
            "{email} logs in"
        );
        assert_eq!(
            usage_status(&server.address, key).await,
            StatusCode::OK,
            "{email}'s key verifies"
        );
    }
    let admin = Browser::new(&server.address);
    admin.login("user0@example.org", PASSWORD).await;
    assert_eq!(
        admin.get("/admin").await.status(),
        StatusCode::OK,
        "promoted from config at start-up"
    );
}

/// Signs up, creates a key and returns it (against a spawned binary).
pub async fn key_on(address: &str, email: &str) -> String {
    let browser = Browser::new(address);
    assert_eq!(
        browser.signup(email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    api_key_in(&browser.create_key(PASSWORD).await.text().await.unwrap()).unwrap()
}

async fn generate(address: &str, key: &str, n: usize) {
    for i in 0..n {
        let response = Browser::plain_client()
            .get(format!("{address}/api/v1/qr/text?text=count{i}"))
            .header("X-API-Key", key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

/// The JSON a key-authenticated GET answers.
async fn key_json(address: &str, path: &str, key: &str) -> serde_json::Value {
    Browser::plain_client()
        .get(format!("{address}{path}"))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn used(address: &str, key: &str) -> u64 {
    key_json(address, "/api/v1/usage", key).await["used"]
        .as_u64()
        .unwrap()
}

/// The key's generations per day over the last three days (a test may run across
/// midnight UTC), summed.
async fn daily_total(address: &str, key: &str) -> u64 {
    use qrgate::domain::days::{date, day_of};
    let today = day_of(qrgate::clock::Clock::system().now());
    let path = format!("/api/v1/usage/daily?from={}", date(today - 2));
    let days = key_json(address, &path, key).await;
    days.as_array()
        .expect("an array of days")
        .iter()
        .map(|day| day["count"].as_u64().unwrap())
        .sum()
}

async fn stop(server: &mut Server) {
    signal(&server.child, "TERM");
    let status = tokio::time::timeout(Duration::from_secs(30), server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn usage_and_daily_counts_equal_the_generations_sent_across_sigterm_restarts() {
    let dir = tempfile::tempdir().unwrap();
    // A long flush interval: only the shutdown flushes can have written the counts.
    let slow_flush = [("QRGATE_USAGE__FLUSH_INTERVAL_MS", "60000")];
    let mut server = start(dir.path(), &slow_flush).await;
    let key = key_on(&server.address, "ada@example.org").await;
    generate(&server.address, &key, 7).await;
    assert_eq!(
        daily_total(&server.address, &key).await,
        7,
        "counted before any flush"
    );
    stop(&mut server).await;

    let mut server = start(dir.path(), &slow_flush).await;
    assert_eq!(used(&server.address, &key).await, 7);
    assert_eq!(daily_total(&server.address, &key).await, 7);
    generate(&server.address, &key, 5).await;
    stop(&mut server).await;

    let server = start(dir.path(), &slow_flush).await;
    assert_eq!(
        used(&server.address, &key).await,
        12,
        "every count, exactly"
    );
    assert_eq!(daily_total(&server.address, &key).await, 12);
    assert_eq!(used(&server.address, &key).await, 12);
}

#[tokio::test]
async fn kill_9_loses_at_most_the_last_flush_interval_of_counts_and_days_agree_with_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &[("QRGATE_USAGE__FLUSH_INTERVAL_MS", "200")]).await;
    let key = key_on(&server.address, "ada@example.org").await;
    generate(&server.address, &key, 5).await;
    tokio::time::sleep(Duration::from_millis(600)).await; // several intervals: all 5 written
    generate(&server.address, &key, 4).await;
    server.child.kill().await.unwrap();

    let server = start(dir.path(), &[]).await;
    let days = daily_total(&server.address, &key).await;
    assert!(
        (5..=9).contains(&days),
        "counted {days}: flushed counts are kept, none counted twice"
    );
    assert_eq!(
        days,
        used(&server.address, &key).await,
        "the days and the period total are written in one transaction"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_with_exit_code_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &[]).await;
    assert_eq!(
        Browser::new(&server.address).get("/healthz").await.status(),
        StatusCode::OK
    );
    stop(&mut server).await;
    // The next start on the same data is clean.
    let server = start(dir.path(), &[]).await;
    assert_eq!(
        Browser::new(&server.address).get("/healthz").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_bad_configuration_value_stops_start_up_with_a_message_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value, key) in [
        (
            "QRGATE_KEYS__RENEWALS_PER_DAY",
            "five",
            "keys.renewals_per_day",
        ),
        (
            "QRGATE_PLANS__TRIAL__PERIOD_DAYS",
            "0",
            "plans.trial.period_days",
        ),
        ("QRGATE_SERVER__NO_SUCH_KEY", "1", "server.no_such_key"),
    ] {
        let output = Command::new(BINARY)
            .args(["--bind", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .env(var, value)
            .output()
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("configuration error") && stderr.contains(key),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let output = Command::new(BINARY)
        .args(["--config", "/no/such/file.toml"])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/file.toml"));
}

#[tokio::test]
async fn the_log_records_security_events_but_never_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("qrgate.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = start_logging(dir.path(), &[("RUST_LOG", "debug")], Stdio::from(log)).await;
    let browser = Browser::new(&server.address);
    assert_eq!(
        browser.signup("ada@example.org", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let first = api_key_in(&browser.create_key(PASSWORD).await.text().await.unwrap()).unwrap();
    let second = api_key_in(
        &browser
            .renew_key(PASSWORD, "compromise")
            .await
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let session_cookie = browser
        .client
        .get(format!("{}/dashboard", server.address))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(session_cookie, StatusCode::OK);
    Browser::new(&server.address)
        .login("ada@example.org", "a wrong password here")
        .await;
    Browser::new(&server.address)
        .login("ada@example.org", PASSWORD)
        .await;
    for key in [&first, &second] {
        Browser::plain_client()
            .get(format!("{}/api/v1/usage?api_key={key}", server.address))
            .send()
            .await
            .unwrap();
        Browser::plain_client()
            .get(format!(
                "{}/api/v1/qr/text?text=hi&api_key={key}",
                server.address
            ))
            .send()
            .await
            .unwrap();
    }
    signal(&server.child, "TERM");
    server.child.wait().await.unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    for event in [
        "account created",
        "api key issued",
        "login failed",
        "login succeeded",
    ] {
        assert!(log.contains(event), "the log records `{event}`");
    }
    assert!(
        log.contains("api_key=REDACTED"),
        "request paths are logged, redacted"
    );
    for secret in [
        first.as_str(),
        &first[4..],
        second.as_str(),
        &second[4..],
        PASSWORD,
        "a wrong password here",
    ] {
        assert!(
            !log.contains(secret),
            "the log contains a secret: {}…",
            &secret[..6]
        );
    }
    assert!(
        !log.contains("qrgate_session="),
        "no session cookie in the log"
    );
}

/// Access lines are gathered per worker and written in blocks (`telemetry::access`): one
/// arrives within a moment while the server runs, in the order of the thread's other
/// lines, and every one is written by a SIGTERM shutdown.
#[tokio::test]
async fn access_lines_arrive_within_a_moment_and_all_of_them_by_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("qrgate.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = start_logging(dir.path(), &[], Stdio::from(log)).await;
    let client = Browser::plain_client();
    let get = |path: String| client.get(format!("{}{path}", server.address)).send();
    assert_eq!(
        get("/healthz?first".into()).await.unwrap().status(),
        StatusCode::OK
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(&log_path).unwrap();
        if text.contains("path=/healthz?first status=200") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no access line after 5 s:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for i in 0..300 {
        get(format!("/healthz?n={i}")).await.unwrap();
    }
    signal(&server.child, "TERM");
    server.child.wait().await.unwrap();
    let text = std::fs::read_to_string(&log_path).unwrap();
    let seen: Vec<usize> = text
        .lines()
        .filter_map(|line| line.split("path=/healthz?n=").nth(1))
        .map(|rest| rest.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        seen,
        (0..300).collect::<Vec<_>>(),
        "every line, in order, whole"
    );
    assert!(
        text.lines().last().unwrap().ends_with("INFO stopped"),
        "the access lines came before the last line"
    );
}

#[tokio::test]
async fn sigterm_under_load_finishes_in_flight_requests_and_keeps_every_count() {
    let dir = tempfile::tempdir().unwrap();
    let slow_flush = [
        ("QRGATE_USAGE__FLUSH_INTERVAL_MS", "60000"),
        ("QRGATE_PLANS__TRIAL__QUOTA", "0"),
    ];
    let mut server = start(dir.path(), &slow_flush).await;
    let key = key_on(&server.address, "ada@example.org").await;
    // Large styled images take long enough to be in flight when the signal arrives.
    let requests: Vec<_> = (0..24)
        .map(|i| {
            let url = format!(
                "{}/api/v1/qr/text?text=load{i}&size=2000&module_shape=dot",
                server.address
            );
            let key = key.clone();
            tokio::spawn(async move {
                let response = Browser::plain_client()
                    .get(url)
                    .header("X-API-Key", key)
                    .send()
                    .await
                    .ok()?;
                let status = response.status();
                let complete = response.bytes().await.is_ok();
                Some((status, complete))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    signal(&server.child, "TERM");
    let mut served = 0;
    for request in requests {
        match request.await.unwrap() {
            Some((StatusCode::OK, true)) => served += 1,
            // The render budget was full: a complete, uncounted refusal.
            Some((StatusCode::SERVICE_UNAVAILABLE, true)) => {}
            Some((status, complete)) => {
                panic!("an accepted request ended badly: {status} complete={complete}")
            }
            None => {} // sent after the listener closed: refused, never accepted
        }
    }
    let status = tokio::time::timeout(Duration::from_secs(60), server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(served > 0, "some requests were in flight");
    let server = start(dir.path(), &slow_flush).await;
    assert_eq!(
        used(&server.address, &key).await,
        served as u64,
        "every served image counted, once"
    );
}

/// Resident memory of a process, from /proc, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn sixty_four_simultaneous_4096_pixel_styled_images_stay_within_a_few_hundred_mib() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(
        dir.path(),
        &[
            ("QRGATE_PLANS__TRIAL__QUOTA", "0"),
            ("QRGATE_RENDER__RENDER_WAIT_MS", "2000"),
            // A test build draws a 4096 px image in over a second, slower still beside
            // the other tests; this test is about memory, not the render deadline.
            ("QRGATE_RENDER__MAX_RENDER_MS", "60000"),
        ],
    )
    .await;
    let key = key_on(&server.address, "ada@example.org").await;
    let pid = server.child.id().unwrap();
    let requests: Vec<_> = (0..64)
        .map(|i| {
            let url = format!(
                "{}/api/v1/qr/text?text=big{i}&size=4096&module_shape=dot&eye_shape=circle",
                server.address
            );
            let key = key.clone();
            tokio::spawn(async move {
                let response = Browser::plain_client()
                    .get(url)
                    .header("X-API-Key", key)
                    .send()
                    .await
                    .unwrap();
                let retry = response.headers().contains_key("retry-after");
                (
                    response.status(),
                    retry,
                    response.bytes().await.unwrap().len(),
                )
            })
        })
        .collect();
    let mut peak = 0;
    while !requests.iter().all(|r| r.is_finished()) {
        peak = peak.max(rss_kib(pid));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut served = 0;
    for request in requests {
        match request.await.unwrap() {
            (StatusCode::OK, _, bytes) => {
                served += 1;
                assert!(bytes > 0);
            }
            (StatusCode::SERVICE_UNAVAILABLE, true, _) => {}
            other => panic!("unexpected answer {other:?}"),
        }
    }
    println!(
        "64 requests for 4096 px styled PNGs: {served} served, the rest 503; peak RSS {} MiB",
        peak / 1024
    );
    assert!(served >= 2, "the budget serves some at once");
    assert!(peak < 512 * 1024, "peak RSS {} MiB", peak / 1024);
    server.child.kill().await.unwrap();
}
