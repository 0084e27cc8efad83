//! Quota: exact under concurrency, not spent by errors, 304s or previews.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn thirty_simultaneous_requests_on_a_trial_get_exactly_twenty_images() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let requests = (0..30).map(|i| {
        let url = format!("{}/api/v1/qr/text?text=n{i}", app.address);
        let key = key.clone();
        tokio::spawn(async move {
            let response = crate::helpers::Browser::plain_client()
                .get(url)
                .header("X-API-Key", key)
                .send()
                .await
                .unwrap();
            let preview = response
                .headers()
                .get("x-qr-preview")
                .map(|v| v.to_str().unwrap().to_owned());
            (response.status(), preview)
        })
    });
    let mut served = 0;
    let mut refused = 0;
    for request in requests {
        match request.await.unwrap() {
            (StatusCode::OK, None) => served += 1,
            (StatusCode::PAYMENT_REQUIRED, Some(reason)) if reason == "over_quota" => refused += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((served, refused), (20, 10));
    let response = app.usage(&key).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a used-up quota still answers with the usage"
    );
    let usage: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (usage["used"].as_u64(), usage["remaining"].as_u64()),
        (Some(20), Some(0))
    );
    assert_eq!(usage["status"], "over_quota");
}

#[tokio::test]
async fn errors_do_not_count() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    assert_eq!(
        app.qr(Some(&key), "geo", &[("lat", "91"), ("lng", "0")])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let too_long = "x".repeat(2400);
    assert_eq!(
        app.qr(Some(&key), "text", &[("text", &too_long), ("ecc", "H")])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let usage: serde_json::Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["used"], 0);
}

#[tokio::test]
async fn an_unlimited_plan_reports_unlimited_remaining() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    app.admin()
        .await
        .grant("ada@example.org", "enterprise")
        .await;
    let response = app
        .qr(Some(&key), "text", &[("text", "big customer")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-quota-remaining"], "unlimited");
}
