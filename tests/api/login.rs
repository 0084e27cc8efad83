//! Login edges: over-long passwords, and the failed-login back-off that a stranger must not
//! be able to turn against an account's owner.

use std::net::IpAddr;

use reqwest::StatusCode;

use crate::behind_proxy::trusting_loopback;
use crate::helpers::{Browser, PASSWORD, TestApp};

#[tokio::test]
async fn a_password_cut_inside_a_character_at_1024_bytes_gets_a_message_not_a_panic() {
    let app = TestApp::spawn().await;
    app.signed_up("ada@example.org").await;
    // 1023 ASCII bytes, then "é" (2 bytes): byte 1024 falls inside the character.
    let password = format!("{}é and more", "a".repeat(1023));
    let response = app.browser().login("ada@example.org", &password).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"login\""), "the form again: {body}");
    assert!(body.contains("at most 128 characters"), "{body}");
    assert_eq!(
        app.browser()
            .login("ada@example.org", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER,
        "the server still answers and the account is not held back"
    );
}

/// A browser whose connections come from `local` (any 127.x address reaches the server).
fn browser_from(app: &TestApp, local: [u8; 4]) -> Browser {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::from(local))
        .build()
        .unwrap();
    Browser {
        base: app.address.clone(),
        client,
    }
}

/// A login through a trusted proxy that says the client is `forwarded_for`.
async fn login_via_proxy(app: &TestApp, forwarded_for: &str, password: &str) -> StatusCode {
    let fields = [("email", "ada@example.org"), ("password", password)];
    app.submit_from(forwarded_for, "/login", &fields).await
}

#[tokio::test]
async fn a_stranger_who_keeps_failing_from_another_address_never_holds_back_the_owner() {
    let app = TestApp::spawn().await;
    app.signed_up("ada@example.org").await;
    let stranger = browser_from(&app, [127, 0, 0, 2]);
    let mut refused = 0;
    for _ in 0..12 {
        let status = stranger
            .login("ada@example.org", "guess guess guess")
            .await
            .status();
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&status),
            "{status}"
        );
        refused += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(refused, 7, "five free failures, then the stranger waits");
    assert_eq!(
        stranger.login("ada@example.org", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits at the stranger's address"
    );
    let owner = browser_from(&app, [127, 0, 0, 1]);
    assert_eq!(
        owner.login("ada@example.org", PASSWORD).await.status(),
        StatusCode::SEE_OTHER,
        "the owner's address has no failures and logs in at once"
    );
    assert_eq!(owner.page("/dashboard").await.0, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_back_off_follows_the_forwarded_client() {
    let app = TestApp::spawn_with(trusting_loopback).await;
    app.signed_up("ada@example.org").await;
    for _ in 0..5 {
        assert_eq!(
            login_via_proxy(&app, "198.51.100.66", "guess guess guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_via_proxy(&app, "198.51.100.66", "guess guess guess").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_via_proxy(&app, "198.51.100.7", PASSWORD).await,
        StatusCode::SEE_OTHER,
        "another client behind the same proxy"
    );
}

#[tokio::test]
async fn the_account_ceiling_slows_a_guesser_spread_over_many_addresses_but_not_the_owner() {
    let app = TestApp::spawn_with(|c| {
        trusting_loopback(c);
        c.limits.login_account_failures_ceiling = 4;
    })
    .await;
    app.signed_up("ada@example.org").await;
    // One guess from each of four addresses reaches the ceiling...
    for i in 1..=4 {
        let client = format!("203.0.113.{i}");
        assert_eq!(
            login_via_proxy(&app, &client, "guess guess guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    // ...after which an address that has failed waits, though it failed only once,
    for i in 1..=4 {
        let client = format!("203.0.113.{i}");
        assert_eq!(
            login_via_proxy(&app, &client, "guess guess guess").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{client}"
        );
    }
    // ...each new address gets a single guess,
    for i in 5..=9 {
        let client = format!("203.0.113.{i}");
        assert_eq!(
            login_via_proxy(&app, &client, "guess guess guess").await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login_via_proxy(&app, &client, "guess guess guess").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{client}'s second guess"
        );
    }
    // ...and the owner, from an address with no failures, logs in at once.
    assert_eq!(
        login_via_proxy(&app, "198.51.100.7", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    // The waits end by themselves (at most login_backoff_max_secs).
    app.clock.advance(300);
    assert_eq!(
        login_via_proxy(&app, "203.0.113.1", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_back_off_answers_alike_for_an_email_with_no_account() {
    let app = TestApp::spawn().await;
    app.signed_up("ada@example.org").await;
    let browser = app.browser();
    let mut statuses = Vec::new();
    for email in ["ada@example.org", "nobody@example.org"] {
        let mut these = Vec::new();
        for _ in 0..7 {
            these.push(browser.login(email, "guess guess guess").await.status());
        }
        statuses.push(these);
    }
    assert_eq!(statuses[0], statuses[1]);
    assert_eq!(statuses[0][6], StatusCode::TOO_MANY_REQUESTS);
}
