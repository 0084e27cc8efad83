//! The payment webhook: a signed event grants its plan once and reactivates the key;
//! anything unsigned, stale, tampered or malformed is refused with a problem naming what
//! is wrong, and changes nothing.

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{Browser, TestApp};

pub const SECRET: &str = "test-webhook-secret-0123456789abcdef";

async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.payments.webhook_secret = SECRET.into()).await
}

/// The `X-Qrgate-Signature` value for `body` signed at `t` with `secret`.
pub fn signature(t: i64, body: &str, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

async fn post(app: &TestApp, body: &str, signature: Option<String>) -> reqwest::Response {
    let mut request = Browser::plain_client()
        .post(format!("{}/webhooks/payment", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("X-Qrgate-Signature", signature);
    }
    request.send().await.unwrap()
}

async fn signed(app: &TestApp, body: &str) -> reqwest::Response {
    post(app, body, Some(signature(app.clock.now(), body, SECRET))).await
}

async fn problem(response: reqwest::Response, status: StatusCode, parameter: &str) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["parameter"], parameter, "{problem}");
    problem
}

async fn plan_of(app: &TestApp, key: &str) -> Value {
    app.usage(key).await.json().await.unwrap()
}

#[tokio::test]
async fn without_a_secret_the_webhook_does_not_exist() {
    let app = TestApp::spawn().await;
    let body = r#"{"event_id":"evt_1","email":"ada@example.org","plan":"pro"}"#;
    let response = post(&app, body, Some(signature(app.clock.now(), body, ""))).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_signed_payment_reactivates_the_expired_key_and_counts_once() {
    let app = app().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    app.clock.advance(14 * 86_400);
    let expired: Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(expired["status"], "expired");

    let body = json!({"event_id": "evt_1", "email": "Ada@Example.org", "plan": "pro"}).to_string();
    let response = signed(&app, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let granted: Value = response.json().await.unwrap();
    let period_end = qrgate::clock::rfc3339(app.clock.now() + 30 * 86_400);
    assert_eq!(granted["status"], "granted");
    assert_eq!(granted["plan"], "pro");
    assert_eq!(granted["period_end"], period_end);

    let usage = app.usage(&key).await;
    assert_eq!(usage.status(), StatusCode::OK, "the same key works again");
    let image = app.qr(Some(&key), "text", &[("text", "paid")]).await;
    assert_eq!(image.status(), StatusCode::OK);

    // The provider retries the same event (a timeout on its side): nothing changes.
    app.clock.advance(60);
    let response = signed(&app, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let again: Value = response.json().await.unwrap();
    assert_eq!(again["status"], "already_applied");
    assert_eq!(plan_of(&app, &key).await["period_end"], period_end);

    // A new event for the same plan extends it by a period, as an admin grant would.
    let body = json!({"event_id": "evt_2", "email": "ada@example.org", "plan": "pro"}).to_string();
    assert_eq!(signed(&app, &body).await.status(), StatusCode::OK);
    assert_eq!(
        plan_of(&app, &key).await["period_end"],
        qrgate::clock::rfc3339(app.clock.now() - 60 + 60 * 86_400)
    );
}

#[tokio::test]
async fn unsigned_stale_or_tampered_events_are_refused_and_change_nothing() {
    let app = app().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let body = r#"{"event_id":"evt_1","email":"ada@example.org","plan":"pro"}"#;
    let now = app.clock.now();
    let tampered = body.replace("pro", "enterprise");
    let cases = [
        (body.to_owned(), None),
        (
            body.to_owned(),
            Some(signature(now, body, "another-secret-0123456789abcdef!!")),
        ),
        (body.to_owned(), Some(signature(now - 301, body, SECRET))),
        (body.to_owned(), Some(signature(now + 301, body, SECRET))),
        (tampered, Some(signature(now, body, SECRET))),
        (body.to_owned(), Some("t=1,v1=".to_owned())),
        (body.to_owned(), Some(format!("v1={}", "0".repeat(64)))),
    ];
    for (sent, header) in cases {
        let problem = problem(
            post(&app, &sent, header.clone()).await,
            StatusCode::UNAUTHORIZED,
            "X-Qrgate-Signature",
        )
        .await;
        assert_eq!(
            problem["type"], "urn:qrgate:problem:bad-signature",
            "{header:?}"
        );
    }
    assert_eq!(plan_of(&app, &key).await["plan"], "trial");
}

#[tokio::test]
async fn malformed_events_name_the_field() {
    let app = app().await;
    app.user_with_key("ada@example.org").await;
    for (body, status, parameter) in [
        ("not json", StatusCode::BAD_REQUEST, "body"),
        (
            r#"{"event_id":"e","email":"ada@example.org"}"#,
            StatusCode::BAD_REQUEST,
            "plan",
        ),
        (
            r#"{"event_id":7,"email":"ada@example.org","plan":"pro"}"#,
            StatusCode::BAD_REQUEST,
            "event_id",
        ),
        (
            r#"{"event_id":"e","email":"ada@example.org","plan":"pro","x":1}"#,
            StatusCode::BAD_REQUEST,
            "x",
        ),
        (
            r#"{"event_id":" ","email":"ada@example.org","plan":"pro"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "event_id",
        ),
        (
            r#"{"event_id":"e","email":"not-an-email","plan":"pro"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            r#"{"event_id":"e","email":"nobody@example.org","plan":"pro"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
        (
            r#"{"event_id":"e","email":"ada@example.org","plan":"gold"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "plan",
        ),
    ] {
        let response = signed(&app, body).await;
        let problem = problem(response, status, parameter).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("`{parameter}`")),
            "{body}: {problem}"
        );
    }
    let huge = format!(
        r#"{{"event_id":"{}","email":"a@b.org","plan":"pro"}}"#,
        "e".repeat(20_000)
    );
    problem(
        signed(&app, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body",
    )
    .await;
}
