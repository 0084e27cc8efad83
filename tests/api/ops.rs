//! Operability: health and Prometheus metrics.

use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp};

#[tokio::test]
async fn metrics_count_requests_renders_previews_and_commits() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    assert_eq!(
        app.qr(Some(&key), "text", &[("text", "m")]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.qr(Some(&key), "text", &[("text", "m"), ("format", "svg")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.qr(None, "text", &[("text", "m")]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = Browser::plain_client()
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for expected in [
        "qrgate_http_requests_total{route=\"/api/v1/qr/{type}\",status=\"200\"} 2",
        "qrgate_http_requests_total{route=\"/api/v1/qr/{type}\",status=\"401\"} 1",
        "qrgate_render_seconds_count{format=\"png\"} 1",
        "qrgate_render_seconds_count{format=\"svg\"} 1",
        "qrgate_previews_total{reason=\"missing_key\"} 1",
        "qrgate_quota_rejections_total 0",
        "qrgate_rate_limited_total 0",
        "# TYPE qrgate_redb_commit_seconds histogram",
        "qrgate_usage_flush_lag_seconds",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in\n{text}");
    }
    assert!(!text.contains(&key), "no secrets in metrics");
}

#[tokio::test]
async fn with_a_token_metrics_need_it() {
    let token = "scrape-token-0123456789";
    let app = TestApp::spawn_with(|c| c.server.metrics_token = token.into()).await;
    let get = |authorization: Option<String>| {
        let mut request = Browser::plain_client().get(format!("{}/metrics", app.address));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        request.send()
    };
    for wrong in [None, Some("Bearer nope".to_owned()), Some(token.to_owned())] {
        let response = get(wrong.clone()).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{wrong:?}");
        assert!(response.headers().contains_key("www-authenticate"));
    }
    let response = get(Some(format!("Bearer {token}"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("qrgate_http_requests_total")
    );
}
