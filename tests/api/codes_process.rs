//! Scan counts of dynamic codes in the real binary: exact across SIGTERM, and across
//! `kill -9` never more than was sent and never less than what was flushed.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::codes::IPHONE;
use crate::helpers::{Browser, PASSWORD, api_key_in};
use crate::process::{Server, signal, start};

const SITE: (&str, &str) = ("QRGATE_SERVER__PUBLIC_URL", "https://qr.example.org");

/// An account's key and a new code's (id, slug) on `server`.
async fn code_on(server: &Server) -> (String, String, String) {
    let browser = Browser::new(&server.address);
    browser.signup("scans@example.org", PASSWORD).await;
    let key = api_key_in(&browser.create_key(PASSWORD).await.text().await.unwrap()).unwrap();
    let code: Value = Browser::plain_client()
        .post(format!("{}/api/v1/codes", server.address))
        .header("X-API-Key", &key)
        .json(&json!({"target": "https://example.org/"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, slug) = (code["id"].as_str().unwrap(), code["slug"].as_str().unwrap());
    (key, id.to_owned(), slug.to_owned())
}

async fn scans(server: &Server, n: usize, slug: &str) {
    for _ in 0..n {
        let response = Browser::plain_client()
            .get(format!("{}/r/{slug}", server.address))
            .header("user-agent", IPHONE)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
    }
}

async fn counted(server: &Server, key: &str, id: &str) -> u64 {
    let report: Value = Browser::plain_client()
        .get(format!("{}/api/v1/codes/{id}/scans", server.address))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    report["scans"].as_u64().unwrap()
}

#[tokio::test]
async fn scan_counts_survive_sigterm_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // A long flush interval: only the shutdown flush can have written the counts.
    let env = [SITE, ("QRGATE_USAGE__FLUSH_INTERVAL_MS", "60000")];
    let mut server = start(dir.path(), &env).await;
    let (key, id, slug) = code_on(&server).await;
    scans(&server, 9, &slug).await;
    signal(&server.child, "TERM");
    let status = tokio::time::timeout(Duration::from_secs(30), server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let server = start(dir.path(), &env).await;
    assert_eq!(counted(&server, &key, &id).await, 9);
}

#[tokio::test]
async fn kill_9_during_scans_loses_at_most_the_last_flush_interval() {
    let dir = tempfile::tempdir().unwrap();
    let env = [SITE, ("QRGATE_USAGE__FLUSH_INTERVAL_MS", "200")];
    let mut server = start(dir.path(), &env).await;
    let (key, id, slug) = code_on(&server).await;
    scans(&server, 30, &slug).await;
    tokio::time::sleep(Duration::from_millis(800)).await; // several intervals: all 30 written
    scans(&server, 20, &slug).await;
    server.child.kill().await.unwrap();
    let server = start(dir.path(), &env).await;
    let counted = counted(&server, &key, &id).await;
    assert!(
        (30..=50).contains(&counted),
        "counted {counted}: flushed counts are kept, none counted twice"
    );
}
