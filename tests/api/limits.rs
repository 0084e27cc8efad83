//! Rate limits, the client address behind proxies, login back-off, and request bounds,
//! each tested at the limit and one past it.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

use crate::helpers::{Browser, PASSWORD, TestApp};

#[tokio::test]
async fn a_key_past_its_plan_rate_gets_429_with_retry_after_and_ratelimit_headers() {
    let app = TestApp::spawn_with(|c| c.plans = qrgate::config::Config::defaults().plans).await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let burst = qrgate::config::Config::defaults().trial().burst; // 5
    for i in 0..burst {
        let response = app.usage(&key).await;
        assert_eq!(response.status(), StatusCode::OK, "request {i}");
        assert_eq!(
            response.headers()["ratelimit-limit"],
            burst.to_string().as_str()
        );
        assert_eq!(
            response.headers()["ratelimit-remaining"],
            (burst - i - 1).to_string().as_str()
        );
        assert!(response.headers().contains_key("ratelimit-reset"));
    }
    let refused = app
        .qr(Some(&key), "text", &[("text", "one too many")])
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(refused.headers()["ratelimit-remaining"], "0");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn keyless_requests_are_limited_per_address() {
    let app =
        TestApp::spawn_with(|c| (c.limits.keyless_burst, c.limits.keyless_per_second) = (3, 1))
            .await;
    for _ in 0..3 {
        assert_eq!(
            app.qr(None, "text", &[("text", "x"), ("size", "64")])
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let refused = app.qr(None, "text", &[("text", "x")]).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn logins_past_the_burst_get_a_readable_429_page() {
    let app = TestApp::spawn_with(|c| c.limits.login_burst = 10).await;
    let browser = app.browser();
    // Different emails each time, so the per-account back-off does not step in first.
    for i in 0..10 {
        assert_eq!(
            browser
                .login(&format!("nobody{i}@example.org"), "wrong password x")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let refused = browser
        .login("nobody10@example.org", "wrong password x")
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((30..=60).contains(&retry), "about a minute: {retry}");
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Too many attempts") && page.contains("<html"),
        "a page, not a bare status"
    );
}

#[tokio::test]
async fn a_spoofed_forwarded_header_from_an_untrusted_peer_is_ignored() {
    let app = TestApp::spawn_with(|c| c.limits.signup_burst = 2).await;
    for i in 0..2 {
        let response =
            signup_from(&app, &format!("10.9.9.{i}"), &format!("u{i}@example.org")).await;
        assert_eq!(response, StatusCode::SEE_OTHER);
    }
    // A new claimed address does not buy a new allowance.
    assert_eq!(
        signup_from(&app, "10.9.9.200", "u3@example.org").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_trusted_proxy_s_forwarded_address_is_used() {
    let app = TestApp::spawn_with(|c| {
        c.limits.signup_burst = 2;
        c.server.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    for i in 0..2 {
        assert_eq!(
            signup_from(&app, "198.51.100.1", &format!("a{i}@example.org")).await,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        signup_from(&app, "198.51.100.1", "a3@example.org").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        signup_from(&app, "198.51.100.2", "b1@example.org").await,
        StatusCode::SEE_OTHER,
        "another client behind the proxy"
    );
}

async fn signup_from(app: &TestApp, forwarded_for: &str, email: &str) -> StatusCode {
    let fields = [("email", email), ("password", PASSWORD)];
    app.submit_from(forwarded_for, "/signup", &fields).await
}

#[tokio::test]
async fn repeated_failed_logins_back_off_for_that_account_only() {
    let app = TestApp::spawn().await;
    app.signed_up("ada@example.org").await;
    app.signed_up("bob@example.org").await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser
                .login("ada@example.org", "not the password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let refused = browser.login("ada@example.org", PASSWORD).await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert_eq!(
        browser.login("bob@example.org", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(2);
    assert_eq!(
        app.browser()
            .login("ada@example.org", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER,
        "the wait is short and ends"
    );
}

#[tokio::test]
async fn form_bodies_are_accepted_up_to_16_kib() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let token = browser.csrf("/login").await;
    let prefix = format!("csrf_token={token}&email=a%40b.org&password=xxxxxxxxxxxx&pad=");
    let at_limit = format!("{prefix}{}", "p".repeat(16 * 1024 - prefix.len()));
    let send = |body: String| {
        browser
            .client
            .post(format!("{}/login", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    assert_eq!(
        send(at_limit.clone()).await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "read and answered"
    );
    let refused = send(format!("{at_limit}p")).await.unwrap();
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn json_bodies_are_accepted_up_to_64_kib() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let send = |body: String| {
        Browser::plain_client()
            .post(format!("{}/api/v1/qr", app.address))
            .header("X-API-Key", &key)
            .body(body)
            .send()
    };
    let head = r#"{"type":"text","data":{"text":"hi"},"design":{"size":"300"},"pad":""#;
    let at_limit = format!("{head}{}\"}}", " ".repeat(64 * 1024 - head.len() - 2));
    assert_eq!(at_limit.len(), 64 * 1024);
    let response = send(at_limit.replace(r#","pad":""#, r#","x":""#))
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "read, and refused for its unknown field, not its size"
    );
    let over = format!("{at_limit} ");
    assert_eq!(
        send(over).await.unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn logo_uploads_are_accepted_up_to_256_kib() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let send = |body: Vec<u8>| {
        Browser::plain_client()
            .post(format!("{}/api/v1/logos", app.address))
            .header("X-API-Key", &key)
            .body(body)
            .send()
    };
    // At the limit it is read and judged on content (not a PNG); one byte more is 413.
    assert_eq!(
        send(vec![b'x'; 256 * 1024]).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send(vec![b'x'; 256 * 1024 + 1]).await.unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn uris_are_accepted_up_to_8_kib_and_headers_up_to_16_kib() {
    let app = TestApp::spawn().await;
    let client = Browser::plain_client();
    let base = format!("{}/healthz?pad=", app.address);
    let path_len = "/healthz?pad=".len();
    let at_limit = format!("{base}{}", "a".repeat(8 * 1024 - path_len));
    assert_eq!(
        client.get(&at_limit).send().await.unwrap().status(),
        StatusCode::OK
    );
    let over = client.get(format!("{at_limit}a")).send().await.unwrap();
    assert_eq!(over.status(), StatusCode::URI_TOO_LONG);
    assert_eq!(over.headers()["content-type"], "application/problem+json");

    let big = "h".repeat(15 * 1024);
    assert_eq!(
        client
            .get(format!("{}/healthz", app.address))
            .header("x-big", &big)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let bigger = "h".repeat(17 * 1024);
    let refused = client
        .get(format!("{}/healthz", app.address))
        .header("x-big", &bigger)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
}

#[tokio::test]
async fn two_hundred_slow_connections_do_not_stop_normal_requests() {
    let app = TestApp::spawn().await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(stream); // never finishes its headers
    }
    let started = Instant::now();
    let response = Browser::plain_client()
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "served in {:?}",
        started.elapsed()
    );
    drop(slow);
}

#[tokio::test]
async fn two_hundred_simultaneous_logins_all_get_answers() {
    let app = TestApp::spawn().await;
    let started = Instant::now();
    let logins = (0..200).map(|i| {
        let browser = app.browser();
        tokio::spawn(async move {
            browser
                .login(&format!("nobody{i}@example.org"), "wrong password x")
                .await
                .status()
        })
    });
    for login in logins {
        let status = login.await.unwrap();
        assert!(matches!(status.as_u16(), 401 | 429 | 503), "{status}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "answered in {:?}",
        started.elapsed()
    );
}
