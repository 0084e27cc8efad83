use reqwest::StatusCode;

use crate::helpers::{START, TestApp};

#[tokio::test]
async fn a_new_account_is_on_the_trial_with_twenty_generations_for_fourteen_days() {
    let app = TestApp::spawn_with(|c| c.plans = qrgate::config::Config::defaults().plans).await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let response = app.usage(&key).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let usage: serde_json::Value = response.json().await.unwrap();
    assert_eq!(usage["plan"], "trial");
    assert_eq!(usage["status"], "active");
    assert_eq!(usage["quota"], 20);
    assert_eq!(usage["used"], 0);
    assert_eq!(usage["remaining"], 20);
    assert_eq!(usage["rate_per_second"], 2);
    assert_eq!(
        usage["period_end"],
        qrgate::clock::rfc3339(START + 14 * 86_400)
    );
    assert_eq!(usage["key_prefix"], key[..10]);
}

#[tokio::test]
async fn an_expired_trial_gets_402_and_a_grant_reactivates_the_same_key() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    app.clock.advance(14 * 86_400);

    let image = app.qr(Some(&key), "text", &[("text", "late")]).await;
    assert_eq!(image.status(), StatusCode::PAYMENT_REQUIRED);
    assert_eq!(image.headers()["x-qr-preview"], "expired");
    let response = app.usage(&key).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the usage answers when generation does not"
    );
    let usage: serde_json::Value = response.json().await.unwrap();
    assert_eq!(usage["status"], "expired");
    // The week-long session has ended too; log in again to see the dashboard.
    assert_eq!(
        browser
            .login("ada@example.org", crate::helpers::PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (_, dashboard) = browser.page("/dashboard").await;
    assert!(dashboard.contains("Expired") && dashboard.contains("period has ended"));

    let admin = app.admin().await;
    let response = admin.grant("ada@example.org", "pro").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("works again"));

    let response = app.usage(&key).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the same key works again"
    );
    let usage: serde_json::Value = response.json().await.unwrap();
    assert_eq!(usage["plan"], "pro");
    assert_eq!(usage["quota"], 100_000);
    assert_eq!(
        usage["period_end"],
        qrgate::clock::rfc3339(app.clock.now() + 30 * 86_400)
    );
}

#[tokio::test]
async fn granting_the_running_plan_again_extends_it_by_a_period() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let admin = app.admin().await;
    admin.grant("ada@example.org", "basic").await;
    let granted_at = app.clock.now();
    app.clock.advance(86_400);
    admin
        .login(crate::helpers::ADMIN_EMAIL, crate::helpers::PASSWORD)
        .await; // idle a day: logged out
    admin.grant("ada@example.org", "basic").await;
    let usage: serde_json::Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(
        usage["period_end"],
        qrgate::clock::rfc3339(granted_at + 60 * 86_400)
    );
}

#[tokio::test]
async fn the_plans_page_lists_every_configured_plan() {
    let app = TestApp::spawn_with(|c| c.plans = qrgate::config::Config::defaults().plans).await;
    let (status, body) = app.browser().page("/dashboard/plans").await;
    assert_eq!(status, StatusCode::OK);
    for plan in ["trial", "basic", "standard", "pro", "enterprise"] {
        assert!(
            body.contains(&format!("<th scope=\"row\">{plan}")),
            "{plan}"
        );
    }
    assert!(body.contains("Unlimited"), "enterprise is unlimited");
    assert!(body.contains("100/s"), "rates are shown");
}
