//! Addresses and URLs behind a reverse proxy: absolute URLs come from `server.public_url`,
//! or from forwarded headers only when a trusted proxy sent them; the renewal log records
//! the client behind a trusted proxy, not the proxy.

use qrgate::config::Config;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, PASSWORD, TestApp, between};

/// The tests' own connections (from 127.0.0.1) come through a trusted proxy.
pub fn trusting_loopback(config: &mut Config) {
    config.server.trusted_proxies = vec!["127.0.0.1".into()];
}

fn with_public_url(config: &mut Config) {
    config.server.public_url = "https://qr.example.org".to_owned().try_into().unwrap();
}

const SPOOFED: [(&str, &str); 3] = [
    ("x-forwarded-host", "evil.example"),
    ("x-forwarded-proto", "https"),
    ("forwarded", "host=evil.example;proto=https"),
];

/// `/docs` and `/openapi.json` fetched with these headers: the first curl example's URL
/// and the document's server URL.
async fn urls(app: &TestApp, headers: &[(&str, &str)]) -> (String, String) {
    let client = Browser::plain_client();
    let mut docs = client.get(format!("{}/docs", app.address));
    let mut openapi = client.get(format!("{}/openapi.json", app.address));
    for (name, value) in headers {
        docs = docs.header(*name, *value);
        openapi = openapi.header(*name, *value);
    }
    let page = docs.send().await.unwrap().text().await.unwrap();
    assert!(
        !page.contains("evil.example"),
        "a spoofed host reached the page"
    );
    let curl = between(&page, "&#39;http", "/api/v1/qr/url")
        .map(|u| format!("http{u}"))
        .expect("a curl example for the url type");
    let doc: Value = openapi.send().await.unwrap().json().await.unwrap();
    let server = doc["servers"][0]["url"].as_str().unwrap().to_owned();
    (curl, server)
}

#[tokio::test]
async fn docs_urls_ignore_forwarded_hosts_from_an_untrusted_peer() {
    let app = TestApp::spawn().await;
    let (curl, server) = urls(&app, &SPOOFED).await;
    assert_eq!(curl, app.address);
    assert_eq!(server, app.address);
}

#[tokio::test]
async fn docs_urls_follow_a_trusted_proxys_forwarded_host_and_scheme() {
    let app = TestApp::spawn_with(trusting_loopback).await;
    let headers = [
        ("x-forwarded-host", "qr.proxy.example"),
        ("x-forwarded-proto", "https"),
    ];
    let (curl, server) = urls(&app, &headers).await;
    assert_eq!(curl, "https://qr.proxy.example");
    assert_eq!(server, "https://qr.proxy.example");
}

#[tokio::test]
async fn docs_urls_come_from_the_public_url_when_it_is_set() {
    let app = TestApp::spawn_with(|c| {
        trusting_loopback(c);
        with_public_url(c);
    })
    .await;
    let (curl, server) = urls(&app, &SPOOFED).await;
    assert_eq!(curl, "https://qr.example.org");
    assert_eq!(server, "https://qr.example.org");
}

#[tokio::test]
async fn a_form_from_the_public_origin_is_accepted_though_the_proxy_passes_another_host() {
    let app = TestApp::spawn_with(with_public_url).await;
    let sign_up = |origin: &'static str, email: &'static str| {
        let browser = app.browser();
        async move {
            let fields = [("email", email), ("password", PASSWORD)];
            browser
                .submit_with_headers("/signup", "/signup", &fields, &[("origin", origin)])
                .await
                .status()
        }
    };
    assert_eq!(
        sign_up("https://qr.example.org", "ada@example.org").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_up("https://evil.example", "bob@example.org").await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_renewal_log_records_the_client_behind_a_trusted_proxy() {
    let app = TestApp::spawn_with(trusting_loopback).await;
    let browser = app.signed_up("ada@example.org").await;
    let page = browser
        .submit_with_headers(
            "/dashboard/api",
            "/dashboard/api",
            &[("action", "create"), ("password", PASSWORD)],
            &[("x-forwarded-for", "198.51.100.7")],
        )
        .await
        .text()
        .await
        .unwrap();
    let log = between(&page, "<table id=\"renewal-log\">", "</table>").unwrap();
    assert!(log.contains("198.51.100.7"), "{log}");
    assert!(!log.contains("127.0.0.1"), "not the proxy: {log}");
}
