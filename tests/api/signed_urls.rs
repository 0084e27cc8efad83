//! Signed image URLs end to end: signing, a keyless round trip decoded by a real
//! decoder, every single-byte change refused, expiry, invalidation by renewal, quota and
//! rate limits of the owner, and no key anywhere in what is handed out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::decode::rqrr_png;
use crate::helpers::{Browser, START, TestApp};
use crate::restrictions::{renewed, restrict};

const MENU: &str = "https://example.org/menu";

/// `POST /api/v1/signed-urls` with the key.
pub async fn sign(app: &TestApp, key: &str, body: &Value) -> Response {
    Browser::plain_client()
        .post(format!("{}/api/v1/signed-urls", app.address))
        .header("X-API-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The signed URL for the menu code, expiring in `expires_in` seconds (or never).
async fn signed_menu(app: &TestApp, key: &str, expires_in: Option<u32>) -> String {
    let body = json!({"type": "url", "data": {"url": MENU}, "design": {"size": 300}, "expires_in": expires_in});
    let response = sign(app, key, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    answer["url"].as_str().unwrap().to_owned()
}

/// A keyless GET, as an `<img src>` would make it.
async fn fetch(url: &str) -> Response {
    Browser::plain_client().get(url).send().await.unwrap()
}

async fn used(app: &TestApp, key: &str) -> u64 {
    let usage: Value = app.usage(key).await.json().await.unwrap();
    // Over quota, the figures may come as the `usage` member of a 402 problem.
    usage["used"]
        .as_u64()
        .or_else(|| usage["usage"]["used"].as_u64())
        .expect("usage figures")
}

fn assert_preview(response: &Response, status: StatusCode, reason: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["x-qr-preview"], reason);
    assert_eq!(response.headers()["content-type"], "image/png");
}

#[tokio::test]
async fn a_signed_url_round_trips_to_its_code_without_a_key() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let body = json!({"type": "url", "data": {"url": MENU}, "design": {"size": 300, "fg": "1d4ed8"}, "expires_in": 3600});
    let response = sign(&app, &key, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    let url = answer["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/api/v1/s/", app.address)),
        "{url}"
    );
    assert_eq!(
        answer["token"].as_str().unwrap(),
        url.rsplit('/').next().unwrap()
    );
    assert_eq!(answer["expires"], qrgate::clock::rfc3339(START + 3600));
    assert_eq!(used(&app, &key).await, 0, "signing is not a generation");

    let image = fetch(url).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert!(
        image.headers().get("x-quota-remaining").is_none(),
        "the owner's quota is theirs"
    );
    let cache = image.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        cache, "public, max-age=3600",
        "never cached past the expiry"
    );
    let png = image.bytes().await.unwrap();
    assert_eq!(crate::decode::png_luma(&png).0, 300);
    assert_eq!(rqrr_png(&png).unwrap(), MENU);
    assert_eq!(used(&app, &key).await, 1);
}

#[tokio::test]
async fn no_key_is_in_the_url_or_the_answer() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let body = json!({"type": "text", "data": {"text": "hello"}});
    let answer = sign(&app, &key, &body).await.text().await.unwrap();
    let secret_part = &key[4..];
    assert!(
        !answer.contains(&key) && !answer.contains(secret_part),
        "{answer}"
    );
    assert!(!answer.contains("qrg_"), "not even the prefix: {answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let token = answer["token"].as_str().unwrap();
    let payload = URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap())
        .unwrap();
    let payload = String::from_utf8(payload).unwrap();
    assert!(payload.contains("hello"), "the request is in it: {payload}");
    assert!(
        !payload.contains("qrg_") && !payload.contains(secret_part),
        "{payload}"
    );
    assert_eq!(
        answer["expires"],
        Value::Null,
        "no expiry asked, none given"
    );
}

#[tokio::test]
async fn every_single_byte_change_of_the_path_is_refused() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let url = signed_menu(&app, &key, None).await;
    let path = url.strip_prefix(&app.address).unwrap().to_owned();
    assert_eq!(fetch(&url).await.status(), StatusCode::OK);
    let token_starts = "/api/v1/s/".len();
    let client = Browser::plain_client();
    // The leading `/` is where the path begins, not part of it.
    for i in 1..path.len() {
        let mut bytes = path.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        let response = client
            .get(format!("{}{tampered}", app.address))
            .send()
            .await
            .unwrap();
        if i >= token_starts {
            assert_preview(&response, StatusCode::UNAUTHORIZED, "invalid_signature");
        } else {
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{tampered}");
        }
    }
    for tampered in [
        format!("{path}A"),
        path[..path.len() - 1].to_owned(),
        path.replacen('.', "", 1),
        format!("{path}.AAAA"),
    ] {
        let response = fetch(&format!("{}{tampered}", app.address)).await;
        assert_preview(&response, StatusCode::UNAUTHORIZED, "invalid_signature");
    }
    assert_eq!(
        used(&app, &key).await,
        1,
        "only the untouched fetch counted"
    );
}

#[tokio::test]
async fn an_expired_url_gets_the_preview_with_410() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let url = signed_menu(&app, &key, Some(60)).await;
    app.clock.advance(59);
    assert_eq!(fetch(&url).await.status(), StatusCode::OK);
    app.clock.advance(1);
    let expired = fetch(&url).await;
    assert_preview(&expired, StatusCode::GONE, "expired_link");
    assert!(rqrr_png(&expired.bytes().await.unwrap()).is_err());
    assert_eq!(used(&app, &key).await, 1);
}

#[tokio::test]
async fn renewing_the_key_voids_every_url_signed_before() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let first = signed_menu(&app, &key, None).await;
    let second = signed_menu(&app, &key, Some(86_400)).await;
    assert_eq!(fetch(&first).await.status(), StatusCode::OK);

    let (_, renewed) = renewed(&browser).await;
    for url in [&first, &second] {
        assert_preview(
            &fetch(url).await,
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
        );
    }
    let fresh = signed_menu(&app, &renewed, None).await;
    assert_ne!(fresh, first);
    assert_eq!(fetch(&fresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn each_fetch_counts_once_and_revalidation_is_not_counted() {
    let app = TestApp::spawn_with(|c| c.plans.get_mut("trial").unwrap().quota = 3).await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let url = signed_menu(&app, &key, None).await;
    let first = fetch(&url).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(used(&app, &key).await, 1);
    for _ in 0..3 {
        let revalidated = Browser::plain_client()
            .get(&url)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    }
    assert_eq!(used(&app, &key).await, 1, "304s are not counted");
    assert_eq!(fetch(&url).await.status(), StatusCode::OK);
    assert_eq!(fetch(&url).await.status(), StatusCode::OK);
    assert_eq!(used(&app, &key).await, 3);
    let over = fetch(&url).await;
    assert_preview(&over, StatusCode::PAYMENT_REQUIRED, "over_quota");
    let detail = over.headers()["x-qr-preview-detail"].to_str().unwrap();
    assert!(
        !detail.contains('3'),
        "the viewer is not told the owner's figures: {detail}"
    );
}

#[tokio::test]
async fn fetches_are_limited_at_the_owners_plan_rate() {
    let app = TestApp::spawn_with(|c| {
        let trial = c.plans.get_mut("trial").unwrap();
        (trial.rate_per_second, trial.burst) = (1, 4);
    })
    .await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let url = signed_menu(&app, &key, None).await;
    let first = fetch(&url).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        first.headers()["ratelimit-limit"],
        "4",
        "the owner's plan burst, not the per-address one"
    );
    // One request a second comes back; a burst of twenty at once cannot all pass.
    let mut limited = None;
    for _ in 0..20 {
        let response = fetch(&url).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let limited = limited.expect("a 429 within the burst of twenty");
    assert!(limited.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn an_owner_whose_plan_ended_or_whose_account_is_disabled_gets_previews() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let url = signed_menu(&app, &key, None).await;
    let admin = app.admin().await;
    admin.set_disabled("ada@example.org", true).await;
    assert_preview(&fetch(&url).await, StatusCode::FORBIDDEN, "disabled");
    admin.set_disabled("ada@example.org", false).await;
    assert_eq!(fetch(&url).await.status(), StatusCode::OK);
    app.clock.advance(15 * 86_400);
    assert_preview(&fetch(&url).await, StatusCode::PAYMENT_REQUIRED, "expired");
}

#[tokio::test]
async fn the_owners_type_restriction_applies_but_not_referrers_or_networks() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let url = signed_menu(&app, &key, None).await;
    let text = sign(&app, &key, &json!({"type": "text", "data": {"text": "hi"}})).await;
    let text: Value = text.json().await.unwrap();
    let fields = [
        ("referrers", "example.org"),
        ("networks", "10.0.0.0/8"),
        ("type_url", "on"),
    ];
    assert_eq!(restrict(&browser, &fields).await.0, StatusCode::OK);
    let public = Browser::plain_client()
        .get(&url)
        .header("referer", "https://elsewhere.test/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        public.status(),
        StatusCode::OK,
        "a public link works from any page"
    );
    let refused = fetch(text["url"].as_str().unwrap()).await;
    assert_preview(&refused, StatusCode::FORBIDDEN, "restricted");
    assert_eq!(refused.headers()["x-qr-restriction"], "type");
}

#[tokio::test]
async fn signing_checks_the_request_and_names_what_is_wrong() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let cases = [
        (
            json!({"type": "url", "data": {"url": MENU}, "design": {"size": 5000}}),
            "size",
        ),
        (json!({"type": "nope", "data": {}}), "type"),
        (
            json!({"type": "url", "data": {"url": MENU}, "expires_in": 0}),
            "expires_in",
        ),
        (
            json!({"type": "url", "data": {"url": MENU}, "expires_in": -5}),
            "expires_in",
        ),
        (
            json!({"type": "url", "data": {"url": MENU}, "expires_in": 31_536_001}),
            "expires_in",
        ),
        (
            json!({"type": "url", "data": {"url": MENU}, "expires_in": "3600"}),
            "expires_in",
        ),
        (
            json!({"type": "url", "data": {"url": MENU}, "expires_in": 1.5}),
            "expires_in",
        ),
        (
            json!({"type": "url", "data": {"url": MENU}, "api_key": key}),
            "api_key",
        ),
        (
            json!({"type": "url", "data": {"url": MENU}, "design": {"logo": "lg_0000000000000000"}}),
            "logo",
        ),
        (
            json!({"type": "text", "data": {"text": "x".repeat(3000)}, "design": {"ecc": "H"}}),
            "text",
        ),
        (
            json!({"type": "text", "data": {"text": "x".repeat(7000)}}),
            "text",
        ),
    ];
    for (body, parameter) in cases {
        let response = sign(&app, &key, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["parameter"], parameter, "{problem}");
    }
    let problem: Value = sign(
        &app,
        &key,
        &json!({"type": "text", "data": {"text": "x".repeat(7000)}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("8192") && detail.contains("`text`"),
        "{detail}"
    );
    let year = json!({"type": "url", "data": {"url": MENU}, "expires_in": 31_536_000});
    assert_eq!(
        sign(&app, &key, &year).await.status(),
        StatusCode::OK,
        "a year is allowed"
    );
}

#[tokio::test]
async fn signing_needs_a_valid_key() {
    let app = TestApp::spawn().await;
    let body = json!({"type": "url", "data": {"url": MENU}});
    let response = Browser::plain_client()
        .post(format!("{}/api/v1/signed-urls", app.address))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let made_up = format!("{}/api/v1/s/not-a-token", app.address);
    assert_preview(
        &fetch(&made_up).await,
        StatusCode::UNAUTHORIZED,
        "invalid_signature",
    );
}
