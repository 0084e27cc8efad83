//! Key restrictions end to end: set on /dashboard/api with the password, each rule's
//! allowed and refused requests with the exact status and rule, the renewal log, and
//! renewal keeping or clearing them.

use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::behind_proxy::trusting_loopback;
use crate::decode::rqrr_png;
use crate::helpers::{Browser, PASSWORD, TestApp, api_key_in, between, renewal_log_rows};
use crate::logos::SVG_LOGO;

/// Submits the restrictions form with these fields (and the password).
pub async fn restrict(browser: &Browser, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let mut form = vec![("action", "restrict"), ("password", PASSWORD)];
    form.extend_from_slice(fields);
    let response = browser
        .submit("/dashboard/api", "/dashboard/api", &form)
        .await;
    (response.status(), response.text().await.unwrap())
}

/// Renews the key (for a compromise) and returns the page and the new key.
pub async fn renewed(browser: &Browser) -> (String, String) {
    let response = browser.renew_key(PASSWORD, "compromise").await;
    let page = response.text().await.unwrap();
    let key = api_key_in(&page).expect("the new key is shown");
    (page, key)
}

/// A user whose key carries these restrictions.
async fn restricted_key(app: &TestApp, fields: &[(&str, &str)]) -> (Browser, String) {
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let (status, page) = restrict(&browser, fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    (browser, key)
}

fn get(app: &TestApp, path: &str, key: &str) -> RequestBuilder {
    Browser::plain_client()
        .get(format!("{}{path}", app.address))
        .header("X-API-Key", key)
}

/// `GET /api/v1/usage` with these extra headers.
async fn usage_with(app: &TestApp, key: &str, headers: &[(&str, &str)]) -> Response {
    let request = headers
        .iter()
        .fold(get(app, "/api/v1/usage", key), |r, (name, value)| {
            r.header(*name, *value)
        });
    request.send().await.unwrap()
}

/// Asserts a 403 problem naming `rule`, and returns its detail.
async fn refused_by(response: Response, rule: &str) -> String {
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        problem["type"], "urn:qrgate:problem:restricted",
        "{problem}"
    );
    assert_eq!(problem["rule"], rule, "{problem}");
    assert!(
        problem.get("usage").is_none(),
        "nothing of the account: {problem}"
    );
    problem["detail"].as_str().unwrap().to_owned()
}

/// Usage figures, asked from an allowed site.
async fn used(app: &TestApp, key: &str) -> u64 {
    let response = usage_with(app, key, &[("origin", "https://example.org")]).await;
    let usage: Value = response.json().await.unwrap();
    usage["used"].as_u64().expect("usage figures")
}

#[tokio::test]
async fn a_listed_referrer_is_served_and_another_site_gets_403_naming_the_referrer_rule() {
    let app = TestApp::spawn().await;
    let (_, key) = restricted_key(&app, &[("referrers", "example.org")]).await;
    for allowed in [
        ("origin", "https://example.org"),
        ("origin", "http://EXAMPLE.org:8080"),
        ("referer", "https://example.org/menu?table=4"),
    ] {
        let response = usage_with(&app, &key, &[allowed]).await;
        assert_eq!(response.status(), StatusCode::OK, "{allowed:?}");
    }
    let detail = refused_by(
        usage_with(&app, &key, &[("origin", "https://evil.test")]).await,
        "referrer",
    )
    .await;
    assert!(detail.contains("evil.test"), "{detail}");
    let daily = get(&app, "/api/v1/usage/daily", &key)
        .header("origin", "https://evil.test")
        .send()
        .await
        .unwrap();
    refused_by(daily, "referrer").await;
    for refused in [
        ("origin", "https://www.example.org"),
        ("origin", "https://example.org.evil.test"),
        ("origin", "null"),
        ("referer", "file:///home/page.html"),
    ] {
        refused_by(usage_with(&app, &key, &[refused]).await, "referrer").await;
    }
}

#[tokio::test]
async fn a_wildcard_referrer_admits_hosts_below_the_domain_but_not_the_domain() {
    let app = TestApp::spawn().await;
    let (_, key) = restricted_key(&app, &[("referrers", "*.example.org")]).await;
    for host in ["https://www.example.org", "https://a.b.example.org"] {
        let response = usage_with(&app, &key, &[("origin", host)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{host}");
    }
    for host in ["https://example.org", "https://badexample.org"] {
        refused_by(
            usage_with(&app, &key, &[("origin", host)]).await,
            "referrer",
        )
        .await;
    }
}

#[tokio::test]
async fn a_request_without_a_referrer_passes_only_with_the_tick() {
    let app = TestApp::spawn().await;
    let (browser, key) = restricted_key(&app, &[("referrers", "example.org")]).await;
    let detail = refused_by(usage_with(&app, &key, &[]).await, "referrer").await;
    assert!(
        detail.contains("neither an Origin nor a Referer"),
        "{detail}"
    );

    let fields = [("referrers", "example.org"), ("allow_no_referrer", "on")];
    assert_eq!(restrict(&browser, &fields).await.0, StatusCode::OK);
    assert_eq!(usage_with(&app, &key, &[]).await.status(), StatusCode::OK);
    refused_by(
        usage_with(&app, &key, &[("origin", "https://evil.test")]).await,
        "referrer",
    )
    .await;
}

#[tokio::test]
async fn a_restricted_away_image_request_gets_the_uncounted_preview_with_403() {
    let app = TestApp::spawn().await;
    let (_, key) = restricted_key(&app, &[("referrers", "example.org")]).await;
    let response = get(&app, "/api/v1/qr/url?url=example.org/menu", &key)
        .header("origin", "https://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()["x-qr-preview"], "restricted");
    assert_eq!(response.headers()["x-qr-restriction"], "referrer");
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(
        rqrr_png(&response.bytes().await.unwrap()).is_err(),
        "a preview does not scan"
    );

    let response = get(&app, "/api/v1/qr/url?url=example.org/menu", &key)
        .header("referer", "https://example.org/")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = rqrr_png(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(text, "https://example.org/menu");
    assert_eq!(used(&app, &key).await, 1, "only the served image counts");
}

#[tokio::test]
async fn an_ipv4_network_admits_the_clients_inside_it() {
    let app = TestApp::spawn_with(trusting_loopback).await;
    let (_, key) = restricted_key(&app, &[("networks", "198.51.100.0/24")]).await;
    let inside = usage_with(&app, &key, &[("x-forwarded-for", "198.51.100.7")]).await;
    assert_eq!(inside.status(), StatusCode::OK);
    let detail = refused_by(
        usage_with(&app, &key, &[("x-forwarded-for", "203.0.113.5")]).await,
        "network",
    )
    .await;
    assert!(detail.contains("203.0.113.5"), "{detail}");
}

#[tokio::test]
async fn an_ipv6_network_admits_the_clients_inside_it() {
    let app = TestApp::spawn_with(trusting_loopback).await;
    let (_, key) = restricted_key(&app, &[("networks", "2001:db8::/32\n192.0.2.1")]).await;
    for inside in ["2001:db8:7::1", "192.0.2.1"] {
        let response = usage_with(&app, &key, &[("x-forwarded-for", inside)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{inside}");
    }
    for outside in ["2001:db9::1", "192.0.2.2"] {
        let response = usage_with(&app, &key, &[("x-forwarded-for", outside)]).await;
        refused_by(response, "network").await;
    }
    let preview = get(&app, "/api/v1/qr/text?text=hi", &key)
        .header("x-forwarded-for", "2001:db9::1")
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::FORBIDDEN);
    assert_eq!(preview.headers()["x-qr-restriction"], "network");
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_does_not_get_a_request_in() {
    // No trusted proxies: the client is the socket peer, 127.0.0.1, whatever it claims.
    let app = TestApp::spawn().await;
    let (browser, key) = restricted_key(&app, &[("networks", "198.51.100.0/24")]).await;
    let spoofed = usage_with(&app, &key, &[("x-forwarded-for", "198.51.100.7")]).await;
    let detail = refused_by(spoofed, "network").await;
    assert!(detail.contains("127.0.0.1"), "{detail}");
    // The real address is let in once it is listed.
    let fields = [("networks", "198.51.100.0/24\n127.0.0.0/8")];
    assert_eq!(restrict(&browser, &fields).await.0, StatusCode::OK);
    assert_eq!(usage_with(&app, &key, &[]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_type_the_key_may_not_generate_gets_the_403_preview_and_allowed_types_are_served() {
    let app = TestApp::spawn().await;
    let (_, key) = restricted_key(&app, &[("type_url", "on"), ("type_geo", "on")]).await;
    let refused = app.qr(Some(&key), "text", &[("text", "hello")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused.headers()["x-qr-preview"], "restricted");
    assert_eq!(refused.headers()["x-qr-restriction"], "type");
    let detail = refused.headers()["x-qr-preview-detail"].to_str().unwrap();
    assert!(detail.contains("url, geo"), "{detail}");

    let posted = Browser::plain_client()
        .post(format!("{}/api/v1/qr", app.address))
        .header("X-API-Key", &key)
        .json(&json!({"type": "wifi", "data": {"ssid": "Home", "security": "nopass"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    assert_eq!(posted.headers()["x-qr-restriction"], "type");

    let served = app.qr(Some(&key), "url", &[("url", "example.org")]).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(used(&app, &key).await, 1);
}

#[tokio::test]
async fn a_read_only_key_renders_and_reads_but_may_not_upload_or_delete_logos_or_sign() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let upload = |key: String| {
        let url = format!("{}/api/v1/logos", app.address);
        async move {
            Browser::plain_client()
                .post(url)
                .header("X-API-Key", key)
                .body(SVG_LOGO)
                .send()
                .await
                .unwrap()
        }
    };
    let uploaded: Value = upload(key.clone()).await.json().await.unwrap();
    let logo = uploaded["id"].as_str().unwrap().to_owned();
    assert_eq!(
        restrict(&browser, &[("read_only", "on")]).await.0,
        StatusCode::OK
    );

    let detail = refused_by(upload(key.clone()).await, "read_only").await;
    assert!(detail.contains("read-only"), "{detail}");
    let delete = Browser::plain_client()
        .delete(format!("{}/api/v1/logos/{logo}", app.address))
        .header("X-API-Key", &key)
        .send()
        .await
        .unwrap();
    refused_by(delete, "read_only").await;
    let sign = Browser::plain_client()
        .post(format!("{}/api/v1/signed-urls", app.address))
        .header("X-API-Key", &key)
        .json(&json!({"type": "text", "data": {"text": "hi"}}))
        .send()
        .await
        .unwrap();
    refused_by(sign, "read_only").await;

    assert_eq!(app.logos(&key).await.len(), 1, "the logo is still there");
    let usage: Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["restrictions"]["read_only"], true);
    let served = app
        .qr(
            Some(&key),
            "url",
            &[("url", "example.org"), ("logo", &logo)],
        )
        .await;
    assert_eq!(
        served.status(),
        StatusCode::OK,
        "rendering with the logo is fine"
    );
}

#[tokio::test]
async fn every_change_is_a_row_of_the_renewal_log_with_what_changed_and_who() {
    let app = TestApp::spawn_with(trusting_loopback).await;
    let (browser, _key) = app.user_with_key("ada@example.org").await;
    let fields = [
        ("action", "restrict"),
        ("password", PASSWORD),
        ("referrers", "Example.org *.shop.example"),
        ("networks", "10.1.2.3/16"),
        ("type_url", "on"),
    ];
    let page = browser
        .submit_with_headers(
            "/dashboard/api",
            "/dashboard/api",
            &fields,
            &[("x-forwarded-for", "198.51.100.9")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(renewal_log_rows(&page), 2, "the creation and the change");
    let log = between(&page, "<table id=\"renewal-log\">", "</table>").unwrap();
    let row = between(&log, "<tbody>", "</tr>").unwrap();
    assert!(row.contains("Access changed"), "{row}");
    assert!(
        row.contains("referrers: any → example.org, *.shop.example"),
        "{row}"
    );
    assert!(row.contains("client networks: any → 10.1.0.0/16"), "{row}");
    assert!(row.contains("QR types: any → url"), "{row}");
    assert!(row.contains("198.51.100.9"), "{row}");
    assert!(row.contains("qrgate-tests/1.0"), "{row}");

    // The same restrictions again: nothing changed, nothing logged.
    let (status, page) = restrict(
        &browser,
        &[
            ("referrers", "example.org\n*.shop.example"),
            ("networks", "10.1.0.0/16"),
            ("type_url", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Nothing changed"));
    assert_eq!(renewal_log_rows(&page), 2);
}

#[tokio::test]
async fn a_renewal_keeps_the_restrictions_unless_the_owner_clears_them() {
    let app = TestApp::spawn().await;
    let (browser, key) = restricted_key(&app, &[("networks", "10.0.0.0/8")]).await;
    refused_by(app.usage(&key).await, "network").await;

    let (page, renewed) = renewed(&browser).await;
    refused_by(app.usage(&renewed).await, "network").await;
    assert!(page.contains("10.0.0.0/8"), "the page shows them");

    let fields = [
        ("action", "renew"),
        ("password", PASSWORD),
        ("reason", "access_change"),
        ("clear_restrictions", "on"),
    ];
    let response = browser
        .submit("/dashboard/api", "/dashboard/api", &fields)
        .await;
    let page = response.text().await.unwrap();
    let cleared = api_key_in(&page).expect("a new key");
    let usage = app.usage(&cleared).await;
    assert_eq!(usage.status(), StatusCode::OK);
    let usage: Value = usage.json().await.unwrap();
    assert_eq!(
        usage["restrictions"],
        json!({"referrers": [], "allow_no_referrer": false, "networks": [], "types": [], "read_only": false})
    );
    let log = between(&page, "<tbody>", "</tbody>").unwrap();
    assert!(
        log.contains("client networks: 10.0.0.0/8 → any"),
        "the clearing is logged: {log}"
    );
}

#[tokio::test]
async fn remove_all_restrictions_clears_them() {
    let app = TestApp::spawn().await;
    let (browser, key) = restricted_key(&app, &[("read_only", "on"), ("type_text", "on")]).await;
    let form = [("action", "unrestrict"), ("password", PASSWORD)];
    let response = browser
        .submit("/dashboard/api", "/dashboard/api", &form)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("works from anywhere again")
    );
    let usage: Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["restrictions"]["read_only"], false);
    assert_eq!(usage["restrictions"]["types"], json!([]));
}

#[tokio::test]
async fn usage_shows_the_restrictions_in_canonical_form() {
    let app = TestApp::spawn().await;
    let fields = [
        ("referrers", "Bücher.example, *.example.org"),
        ("allow_no_referrer", "on"),
        ("networks", "127.0.0.1 2001:DB8::/32"),
        ("type_wifi", "on"),
        ("type_url", "on"),
    ];
    let (_, key) = restricted_key(&app, &fields).await;
    let usage: Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(
        usage["restrictions"],
        json!({
            "referrers": ["xn--bcher-kva.example", "*.example.org"],
            "allow_no_referrer": true,
            "networks": ["127.0.0.1", "2001:db8::/32"],
            "types": ["url", "wifi"],
            "read_only": false,
        })
    );
}

#[tokio::test]
async fn a_bad_entry_is_named_on_the_page_kept_for_editing_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let cases = [
        (
            ("referrers", "example.org\nhttps://shop.example/cart"),
            "Allowed referrers: `https://shop.example/cart` is a web address; write only its host, `shop.example`",
        ),
        (
            ("networks", "10.0.0.0/40"),
            "Allowed client networks: `10.0.0.0/40`: the prefix length of an IPv4 range is at most 32",
        ),
        (
            ("type_bitcoin", "on"),
            "Allowed QR types: `bitcoin` is not a QR type",
        ),
    ];
    for ((field, value), message) in cases {
        let (status, page) = restrict(&browser, &[(field, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}");
        let shown = message.replace('`', "&#96;");
        assert!(
            page.contains(message) || page.contains(&shown),
            "{field}: {message}\n{}",
            between(&page, "class=\"error\"", "</p>").unwrap_or_default()
        );
        assert!(page.contains("aria-invalid=\"true\"") || field.starts_with("type_"));
        if field != "type_bitcoin" {
            let typed = value.replace('/', "&#x2f;");
            assert!(
                page.contains(value) || page.contains(&typed),
                "what was typed stays in the form"
            );
        }
    }
    let too_many: Vec<String> = (0..21).map(|i| format!("10.0.{i}.0/24")).collect();
    let (status, page) = restrict(&browser, &[("networks", &too_many.join("\n"))]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("at most 20 entries"), "bounded");
    let usage: Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(
        usage["restrictions"]["networks"],
        json!([]),
        "nothing was saved"
    );
}

#[tokio::test]
async fn restrictions_are_changed_only_with_the_password_and_the_forms_token() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let form = [
        ("action", "restrict"),
        ("password", "not the password at all"),
        ("networks", "10.0.0.0/8"),
    ];
    let response = browser
        .submit("/dashboard/api", "/dashboard/api", &form)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let page = response.text().await.unwrap();
    assert!(page.contains("Incorrect password"));
    assert!(
        page.contains("10.0.0.0/8"),
        "what was typed stays in the form"
    );

    let without_token = [
        ("action", "restrict"),
        ("password", PASSWORD),
        ("networks", "10.0.0.0/8"),
    ];
    let response = browser.post_form("/dashboard/api", &without_token).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.usage(&key).await.status(),
        StatusCode::OK,
        "still unrestricted"
    );
}
