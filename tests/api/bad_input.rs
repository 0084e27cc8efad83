//! Bad input of every kind gets a problem+json naming the parameter, and the server stays
//! healthy.

use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp};

/// (type, query, expected status, expected `parameter`).
type QueryCase = (&'static str, &'static str, u16, &'static str);

const QUERY_CASES: &[QueryCase] = &[
    ("url", "url=https://a.org&size=63", 400, "size"),
    ("url", "url=https://a.org&size=4097", 400, "size"),
    ("url", "url=https://a.org&size=abc", 400, "size"),
    ("url", "url=https://a.org&size=-5", 400, "size"),
    (
        "url",
        "url=https://a.org&size=99999999999999999999",
        400,
        "size",
    ),
    ("url", "url=https://a.org&margin=17", 400, "margin"),
    ("url", "url=https://a.org&margin=1.5", 400, "margin"),
    ("url", "url=https://a.org&ecc=X", 400, "ecc"),
    ("url", "url=https://a.org&format=gif", 400, "format"),
    ("url", "url=https://a.org&fg=red", 400, "fg"),
    ("url", "url=https://a.org&fg=%23ff00", 400, "fg"),
    ("url", "url=https://a.org&bg=%23zzzzzz", 400, "bg"),
    (
        "url",
        "url=https://a.org&fg=%23777777&bg=%23888888",
        400,
        "fg",
    ),
    (
        "url",
        "url=https://a.org&fg=%23ffffff&bg=%23000000",
        400,
        "fg",
    ),
    (
        "url",
        "url=https://a.org&eye_color=%23fafafa",
        400,
        "eye_color",
    ),
    (
        "url",
        "url=https://a.org&module_shape=heart",
        400,
        "module_shape",
    ),
    ("url", "url=https://a.org&eye_shape=heart", 400, "eye_shape"),
    ("url", "url=https://a.org&download=perhaps", 400, "download"),
    ("url", "url=https://a.org&logo=lg_doesnotexist", 400, "logo"),
    ("url", "url=https://a.org&logo=..%2Fetc", 400, "logo"),
    ("url", "url=https://a.org&colour=red", 400, "colour"),
    ("url", "", 400, "url"),
    ("url", "url=javascript:alert(1)", 400, "url"),
    ("nosuchtype", "text=x", 400, "type"),
    ("text", "text=", 400, "text"),
    ("text", "text=%FF%FE%FD", 400, "text"),
    ("text", "text=%E2%82", 400, "text"),
    ("text", "text=a%00b", 400, "text"),
    ("email", "to=not-an-address", 400, "to"),
    ("phone", "number=call-me-maybe", 400, "number"),
    ("sms", "message=hi", 400, "number"),
    ("wifi", "password=secret123", 400, "ssid"),
    ("wifi", "ssid=Home&security=WPA3", 400, "security"),
    ("wifi", "ssid=Home&password=short", 400, "password"),
    ("vcard", "note=only+a+note", 400, "first_name"),
    ("geo", "lat=91&lng=0", 400, "lat"),
    ("geo", "lat=0&lng=181", 400, "lng"),
    ("geo", "lat=NaN&lng=0", 400, "lat"),
    ("event", "title=Party&start=tomorrow", 400, "start"),
    (
        "event",
        "title=Party&start=2026-12-01T18:00Z&end=2026-12-01T17:00Z",
        400,
        "end",
    ),
    ("event", "title=Party&start=2026-12-01T18:00", 400, "start"),
];

async fn assert_problem(
    response: reqwest::Response,
    status: u16,
    parameter: &str,
    case: &str,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "{case}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{case}"
    );
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["parameter"], parameter, "{case}: {problem}");
    assert_eq!(problem["status"], status, "{case}");
    for field in ["type", "title", "detail"] {
        assert!(problem[field].is_string(), "{case}: {field}");
    }
    problem
}

#[tokio::test]
async fn every_bad_query_gets_a_problem_naming_its_parameter() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let client = Browser::plain_client();
    for (kind, query, status, parameter) in QUERY_CASES {
        let url = format!("{}/api/v1/qr/{kind}?{query}", app.address);
        let response = client
            .get(url)
            .header("X-API-Key", &key)
            .send()
            .await
            .unwrap();
        assert_problem(response, *status, parameter, &format!("{kind}?{query}")).await;
    }
    assert!(QUERY_CASES.len() >= 30);
    let usage: serde_json::Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["used"], 0, "no error was counted");
}

#[tokio::test]
async fn data_too_long_for_the_ecc_level_states_both_numbers() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let text = "a".repeat(1300);
    let response = app
        .qr(Some(&key), "text", &[("text", &text), ("ecc", "H")])
        .await;
    let problem = assert_problem(response, 400, "text", "capacity").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("1300") && detail.contains("1273"),
        "{detail}"
    );
    assert_eq!(
        (problem["bytes"].as_u64(), problem["max_bytes"].as_u64()),
        (Some(1300), Some(1273))
    );
}

#[tokio::test]
async fn a_size_too_small_for_the_data_says_how_large_it_must_be() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let text = "b".repeat(1500);
    let response = app
        .qr(Some(&key), "text", &[("text", &text), ("size", "64")])
        .await;
    let problem = assert_problem(response, 400, "size", "too small").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("at least"),
        "{problem}"
    );
}

#[tokio::test]
async fn malformed_json_bodies_get_a_problem() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let client = Browser::plain_client();
    let url = format!("{}/api/v1/qr", app.address);
    let cases: &[(&str, u16, &str)] = &[
        ("{", 400, "body"),
        ("[]", 400, "body"),
        ("{\"data\":{}}", 400, "type"),
        ("{\"type\":7}", 400, "type"),
        ("{\"type\":\"url\",\"data\":[1]}", 400, "data"),
        (
            "{\"type\":\"url\",\"data\":{\"url\":{\"nested\":1}}}",
            400,
            "data.url",
        ),
        (
            "{\"type\":\"url\",\"data\":{\"url\":\"a.org\"},\"design\":{\"size\":\"big\"}}",
            400,
            "size",
        ),
        (
            "{\"type\":\"url\",\"data\":{\"url\":\"a.org\"},\"surprise\":1}",
            400,
            "surprise",
        ),
    ];
    for (body, status, parameter) in cases {
        let response = client
            .post(&url)
            .header("X-API-Key", &key)
            .header("content-type", "application/json")
            .body(*body)
            .send()
            .await
            .unwrap();
        assert_problem(response, *status, parameter, body).await;
    }
    let huge = format!(
        "{{\"type\":\"text\",\"data\":{{\"text\":\"{}\"}}}}",
        "x".repeat(70 * 1024)
    );
    let response = client
        .post(&url)
        .header("X-API-Key", &key)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_problem(response, 413, "body", "huge JSON").await;
    assert_eq!(
        client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn oversized_and_malicious_logos_are_refused() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let client = Browser::plain_client();
    let url = format!("{}/api/v1/logos", app.address);
    let mut bomb = crate::qr_api::logo_png();
    bomb[16..24].copy_from_slice(&[0, 1, 0, 0, 0, 1, 0, 0]); // declares 65536×65536
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (vec![0u8; 256 * 1024 + 1], 413),
        (bomb, 400),
        (b"GIF89a\x01\x00\x01\x00".to_vec(), 400),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"file:///etc/passwd\"/></svg>"
                .to_vec(),
            400,
        ),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            400,
        ),
        (Vec::new(), 400),
    ];
    for (body, status) in cases {
        let response = client
            .post(&url)
            .header("X-API-Key", &key)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_problem(response, status, "body", "logo").await;
    }
    assert_eq!(app.logos(&key).await.len(), 0, "nothing was stored");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_that_names_the_right_ones() {
    let app = TestApp::spawn().await;
    let client = crate::helpers::Browser::plain_client();
    for (method, path, allow) in [
        (reqwest::Method::GET, "/api/v1/qr", "POST"),
        (reqwest::Method::PUT, "/api/v1/qr/url", "GET"),
        (reqwest::Method::POST, "/api/v1/usage", "GET"),
        (reqwest::Method::DELETE, "/api/v1/logos", "GET, POST"),
        (reqwest::Method::GET, "/api/v1/logos/lg_1", "DELETE"),
        (reqwest::Method::GET, "/webhooks/payment", "POST"),
    ] {
        let response = client
            .request(method.clone(), format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}
