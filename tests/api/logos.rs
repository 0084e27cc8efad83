//! Logos end to end: the hostile corpus against the real binary (peak RSS, answer times,
//! health afterwards), accepted SVG and PNG logos in codes that still scan, and the
//! logos of a release-1 data file after the upgrade.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;

use crate::decode::{rqrr_png, svg_to_png};
use crate::helpers::{Browser, PASSWORD, TestApp, api_key_in};
use crate::process;

#[path = "../logo_cases/mod.rs"]
mod logo_cases;

/// The fixture's password for every account (see tests/fixtures/v1/fixture.env).
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v1");

/// A gradient, a clip path and a stroke: an SVG logo as an editor would write it.
pub const SVG_LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><defs><linearGradient id="g" x2="1"><stop offset="0" stop-color="#1d4ed8"/><stop offset="1" stop-color="#9333ea"/></linearGradient><clipPath id="c"><rect width="64" height="64" rx="12"/></clipPath></defs><g clip-path="url(#c)"><rect width="64" height="64" fill="url(#g)"/><path d="M20 32h24" stroke="#fff" stroke-width="6"/></g></svg>"##;

async fn upload(
    client: &reqwest::Client,
    address: &str,
    key: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    client
        .post(format!("{address}/api/v1/logos"))
        .header("X-API-Key", key)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn render(
    client: &reqwest::Client,
    address: &str,
    key: &str,
    logo: &str,
    format: &str,
    size: &str,
) -> reqwest::Response {
    client
        .get(format!("{address}/api/v1/qr/url"))
        .query(&[
            ("url", "https://example.org/logo"),
            ("logo", logo),
            ("format", format),
            ("size", size),
        ])
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap()
}

/// The code's payload, decoded from a PNG or (rasterised by resvg) SVG answer.
async fn decoded(response: reqwest::Response, format: &str) -> Result<String, String> {
    assert_eq!(response.status(), StatusCode::OK, "{format}");
    let bytes = response.bytes().await.unwrap();
    let png = if format == "svg" {
        svg_to_png(&bytes)
    } else {
        bytes.to_vec()
    };
    rqrr_png(&png)
}

/// Peak resident memory of a process (VmHWM), in bytes.
/// CPU time the process has used so far (user + system), from `/proc/PID/stat`: what a
/// request cost the server, whatever else the machine was doing meanwhile.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Linux reports in clock ticks of 1/100 s (USER_HZ) on every common platform.
    Duration::from_millis(ticks * 10)
}

fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status");
    kib * 1024
}

#[tokio::test]
async fn accepted_svg_and_png_logos_draw_codes_that_still_scan() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let client = Browser::plain_client();
    for body in [SVG_LOGO.as_bytes().to_vec(), crate::qr_api::logo_png()] {
        let response = upload(&client, &app.address, &key, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let logo: serde_json::Value = response.json().await.unwrap();
        assert_eq!(logo["usable"], true);
        let id = logo["id"].as_str().unwrap();
        for format in ["png", "svg"] {
            let response = render(&client, &app.address, &key, id, format, "600").await;
            assert_eq!(
                decoded(response, format).await.as_deref(),
                Ok("https://example.org/logo"),
                "{} {format}",
                logo["content_type"]
            );
        }
    }
    // The SVG output embeds the sanitised SVG, not the bitmap.
    let id = app.logos(&key).await[0]["id"].as_str().unwrap().to_owned();
    let svg = render(&client, &app.address, &key, &id, "svg", "300")
        .await
        .text()
        .await
        .unwrap();
    assert!(svg.contains("data:image/svg+xml;base64,") || svg.contains("data:image/png;base64,"));
}

#[tokio::test]
async fn a_refused_svg_logo_is_a_400_naming_the_body_and_the_reason() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let client = Browser::plain_client();
    let pattern = br#"<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><pattern id="p" width="9" height="9"><rect width="9" height="9" fill="url(#p)"/></pattern><rect width="16" height="16" fill="url(#p)"/></svg>"#;
    let response = upload(&client, &app.address, &key, pattern.to_vec()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["parameter"], "body");
    assert!(
        problem["detail"].as_str().unwrap().contains("<pattern>"),
        "{problem}"
    );
}

/// Starts the binary on a data dir with a key whose quota and logo slots suffice.
async fn server_with_key(dir: &Path) -> (process::Server, String) {
    let env = [
        ("QRGATE_PLANS__TRIAL__QUOTA", "0"),
        // A test build draws a 4096 px code with a logo in over a second, slower still
        // beside the other tests; the render deadline is tested in hardening/budget.rs.
        ("QRGATE_RENDER__MAX_RENDER_MS", "60000"),
    ];
    let server = process::start(dir, &env).await;
    let browser = Browser::new(&server.address);
    browser.signup("corpus@example.org", PASSWORD).await;
    let key = api_key_in(&browser.create_key(PASSWORD).await.text().await.unwrap()).unwrap();
    (server, key)
}

#[tokio::test]
async fn the_hostile_corpus_leaves_the_real_server_answering_within_its_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (server, key) = server_with_key(dir.path()).await;
    let pid = server.child.id().unwrap();
    let (address, client) = (server.address.as_str(), Browser::plain_client());

    // Warm up with an ordinary logo at the largest size: the baseline is what a 4096 px
    // code with a logo costs anyway.
    let warm: serde_json::Value = upload(&client, address, &key, SVG_LOGO.as_bytes().to_vec())
        .await
        .json()
        .await
        .unwrap();
    let mut slowest_ordinary = Duration::ZERO;
    for format in ["png", "svg"] {
        let started = cpu_time(pid);
        let response = render(
            &client,
            address,
            &key,
            warm["id"].as_str().unwrap(),
            format,
            "4096",
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().await.unwrap();
        slowest_ordinary = slowest_ordinary.max(cpu_time(pid) - started);
    }
    let baseline = peak_rss(pid);

    let (mut accepted, mut refused) = (0, 0);
    for case in logo_cases::corpus() {
        let started = cpu_time(pid);
        let response = upload(&client, address, &key, case.bytes.clone()).await;
        let status = response.status();
        let answer: serde_json::Value = response.json().await.unwrap();
        let took = cpu_time(pid) - started;
        assert!(
            took < Duration::from_secs(1),
            "{}: the upload cost the server {took:?} of CPU",
            case.name
        );
        match case.expect {
            logo_cases::Expect::Refused => {
                assert!(status.is_client_error(), "{}: {status}", case.name);
                assert_eq!(answer["parameter"], "body", "{}", case.name);
                refused += 1;
            }
            logo_cases::Expect::Accepted => {
                assert_eq!(status, StatusCode::CREATED, "{}: {answer}", case.name);
                let id = answer["id"].as_str().unwrap();
                for format in ["png", "svg"] {
                    let started = cpu_time(pid);
                    let response = render(&client, address, &key, id, format, "4096").await;
                    assert_eq!(response.status(), StatusCode::OK, "{} {format}", case.name);
                    response.bytes().await.unwrap();
                    let took = cpu_time(pid) - started;
                    assert!(
                        took < 2 * slowest_ordinary + Duration::from_millis(500),
                        "{} {format}: {took:?} (an ordinary logo: {slowest_ordinary:?})",
                        case.name
                    );
                }
                let deleted = client
                    .delete(format!("{address}/api/v1/logos/{id}"))
                    .header("X-API-Key", &key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
                accepted += 1;
            }
        }
    }
    let growth = peak_rss(pid).saturating_sub(baseline);
    println!(
        "{refused} refused, {accepted} accepted and drawn at 4096 px; peak RSS grew {} KiB",
        growth >> 10
    );
    assert!(growth < 64 << 20, "peak RSS grew by {} MiB", growth >> 20);
    let health = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_logos_of_a_release_1_data_file_draw_after_the_upgrade() {
    let env = std::fs::read_to_string(format!("{FIXTURE}/fixture.env")).unwrap();
    let value = |name: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in fixture.env"))
            .to_owned()
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        format!("{FIXTURE}/qrgate.redb"),
        dir.path().join("qrgate.redb"),
    )
    .unwrap();
    let server = process::start(dir.path(), &[]).await;
    let (address, client, key) = (
        server.address.as_str(),
        Browser::plain_client(),
        value("ADA_KEY"),
    );
    let listed: serde_json::Value = client
        .get(format!("{address}/api/v1/logos"))
        .header("X-API-Key", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["logos"].as_array().unwrap().len(), 2, "{listed}");
    for logo in [value("PNG_LOGO"), value("SVG_LOGO")] {
        for format in ["png", "svg"] {
            let response = render(&client, address, &key, &logo, format, "512").await;
            assert_eq!(
                decoded(response, format).await.as_deref(),
                Ok("https://example.org/logo"),
                "{logo} {format}"
            );
        }
    }
}
