//! Dynamic codes through the API and the short link: create, scan, retarget, count,
//! pause, delete; plan quotas, other accounts, lapsed plans; hostile input; privacy of
//! what is stored; and the code's image decoding to exactly its short link.

use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::decode::rqrr_png;
use crate::helpers::{Browser, TestApp};

pub const SITE: &str = "https://qr.example.org";
pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";
const WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0";

/// An app whose short links live at `SITE`, flushing counts every 10 ms.
pub async fn app() -> TestApp {
    TestApp::spawn_with(|config| {
        config.server.public_url = SITE.to_owned().try_into().unwrap();
        config.usage.flush_interval_ms = 10;
    })
    .await
}

/// Calls to `/api/v1/codes` with one account's key.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub key: String,
}

impl Api<'_> {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        Browser::plain_client()
            .request(method, format!("{}/api/v1/codes{path}", self.app.address))
            .header("X-API-Key", &self.key)
    }

    pub async fn create(&self, body: Value) -> Response {
        self.request(Method::POST, "")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a code that must be accepted; its JSON.
    pub async fn code(&self, body: Value) -> Value {
        let response = self.create(body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    pub async fn patch(&self, id: &str, body: Value) -> Response {
        let path = format!("/{id}");
        self.request(Method::PATCH, &path)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, id: &str) -> Response {
        self.request(Method::DELETE, &format!("/{id}"))
            .send()
            .await
            .unwrap()
    }

    pub async fn scans(&self, id: &str, query: &str) -> Value {
        let response = self.get(&format!("/{id}/scans?{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "scans?{query}");
        response.json().await.unwrap()
    }
}

pub async fn api<'a>(app: &'a TestApp, email: &str) -> Api<'a> {
    let (_, key) = app.user_with_key(email).await;
    Api { app, key }
}

/// `GET /r/{slug}` (not followed) with these headers.
pub async fn scan(app: &TestApp, slug: &str, headers: &[(&str, &str)]) -> Response {
    let request = Browser::plain_client().get(format!("{}/r/{slug}", app.address));
    headers
        .iter()
        .fold(request, |r, (name, value)| r.header(*name, *value))
        .send()
        .await
        .unwrap()
}

/// Waits (at most 10 s) until `check` passes on the scans report: counts reach the
/// store with the next flush, 10 ms away.
pub async fn report_until(
    api: &Api<'_>,
    id: &str,
    query: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let report = api.scans(id, query).await;
        if check(&report) {
            return report;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never true: {report}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn location(response: &Response) -> &str {
    response.headers()["location"].to_str().unwrap()
}

/// `{key: count}` of a report's rows.
fn counts(report: &Value) -> std::collections::BTreeMap<String, u64> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_printed_code_follows_its_new_target_and_every_scan_is_counted_by_kind() {
    let app = app().await;
    let api = api(&app, "owner@example.org").await;
    let code = api
        .code(json!({"target": "example.org/summer", "name": "Menu", "design": {"size": 300}}))
        .await;
    let (id, slug) = (code["id"].as_str().unwrap(), code["slug"].as_str().unwrap());
    assert_eq!(code["target"], "https://example.org/summer");
    assert_eq!(code["short_url"], format!("{SITE}/r/{slug}"));
    assert!(
        code["image_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{SITE}/api/v1/qr/url?url="))
    );
    assert_eq!(slug.len(), 8);

    let iphone = [
        ("user-agent", IPHONE),
        ("accept-language", "en-US,en;q=0.9"),
    ];
    let first = scan(&app, slug, &iphone).await;
    assert_eq!(first.status(), StatusCode::FOUND);
    assert_eq!(location(&first), "https://example.org/summer");
    assert_eq!(first.headers()["cache-control"], "no-store");
    assert_eq!(first.headers()["referrer-policy"], "no-referrer");

    let edited = api
        .patch(id, json!({"target": "https://example.org/winter"}))
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    // The same printed code (the same slug) now lands on the new target.
    let again = scan(&app, &slug.to_uppercase(), &iphone).await;
    assert_eq!(location(&again), "https://example.org/winter");
    scan(&app, slug, &iphone).await;
    let android = [
        ("user-agent", ANDROID),
        ("accept-language", "de-DE,de"),
        ("referer", "https://News.example.org/story?id=1"),
    ];
    scan(&app, slug, &android).await;
    scan(&app, slug, &android).await;
    scan(&app, slug, &[("user-agent", WINDOWS)]).await;
    for bot in [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0 A",
        "curl/8.5.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ] {
        let fetched = scan(&app, slug, &[("user-agent", bot)]).await;
        assert_eq!(
            fetched.status(),
            StatusCode::FOUND,
            "bots are redirected too"
        );
    }
    let head = Browser::plain_client()
        .head(format!("{}/r/{slug}", app.address))
        .header("user-agent", IPHONE)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::FOUND, "HEAD answers, uncounted");

    let days = report_until(&api, id, "group=day", |r| r["scans"] == 6 && r["bots"] == 5).await;
    let today = days["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(days["to"], "2026-09-21");
    assert_eq!(
        days["rows"].as_array().unwrap().len(),
        30,
        "the last 30 days, zeros included"
    );
    assert_eq!(
        today,
        json!({"key": "2026-09-21", "count": 6, "bots": 5, "unique": 3})
    );

    let by = |group: &str| {
        let api = &api;
        let query = format!("group={group}");
        async move { counts(&api.scans(id, &query).await) }
    };
    let expect = |pairs: &[(&str, u64)]| pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    assert_eq!(
        by("device").await,
        expect(&[("phone", 5), ("desktop", 1), ("bot", 5)])
    );
    assert_eq!(
        by("os").await,
        expect(&[("iOS", 3), ("Android", 2), ("Windows", 1)])
    );
    assert_eq!(
        by("browser").await,
        expect(&[("Safari", 3), ("Chrome", 2), ("Edge", 1)])
    );
    assert_eq!(
        by("language").await,
        expect(&[("en-us", 3), ("de-de", 2), ("(none)", 1)])
    );
    assert_eq!(
        by("referrer").await,
        expect(&[("(direct)", 4), ("news.example.org", 2)])
    );
    assert_eq!(
        by("bot").await,
        expect(&[("Slack", 2), ("WhatsApp", 1), ("curl", 1), ("Google", 1)])
    );
    let hours = api
        .scans(id, "group=hour&from=2026-09-21&to=2026-09-21")
        .await;
    let hours = counts(&hours);
    assert_eq!(hours.len(), 24);
    assert_eq!(
        hours["2026-09-21T14:00:00Z"], 6,
        "1_790_000_000 is 14:13 UTC"
    );
    assert_eq!(hours.values().sum::<u64>(), 6);

    let csv = api
        .get(&format!(
            "/{id}/scans?format=csv&from=2026-09-20&to=2026-09-21"
        ))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(
        csv.text().await.unwrap(),
        "day,scans,bots,unique\r\n2026-09-20,0,0,0\r\n2026-09-21,6,5,3\r\n"
    );
}

#[tokio::test]
async fn the_code_image_decodes_to_exactly_the_short_url_and_counts_as_a_generation() {
    let app = app().await;
    let api = api(&app, "print@example.org").await;
    let code = api.code(json!({"target": "https://example.org/", "slug": "Print-Me_01", "design": {"size": 400, "module_shape": "dot"}})).await;
    assert_eq!(code["short_url"], format!("{SITE}/r/Print-Me_01"));
    let used_before = app.usage(&api.key).await.json::<Value>().await.unwrap()["used"].clone();
    assert_eq!(
        used_before, 0,
        "creating a code renders nothing and counts nothing"
    );
    let image = Browser::plain_client()
        .get(
            code["image_url"]
                .as_str()
                .unwrap()
                .replace(SITE, &app.address),
        )
        .header("X-API-Key", &api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    let decoded = rqrr_png(&image.bytes().await.unwrap()).unwrap();
    assert_eq!(decoded, code["short_url"].as_str().unwrap());
    let used = app.usage(&api.key).await.json::<Value>().await.unwrap()["used"].clone();
    assert_eq!(used, 1);
}

#[tokio::test]
async fn paused_and_deleted_codes_show_a_neutral_410_and_their_slug_is_never_reused() {
    let app = app().await;
    let api = api(&app, "pause@example.org").await;
    let code = api
        .code(json!({"target": "https://example.org/", "slug": "spring-sale"}))
        .await;
    let id = code["id"].as_str().unwrap();

    let paused = api
        .patch(id, json!({"paused": true}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(paused["paused"], true);
    let page = scan(&app, "spring-sale", &[("user-agent", IPHONE)]).await;
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(
        page.headers().get("location").is_none(),
        "never a redirect elsewhere"
    );
    assert!(page.text().await.unwrap().contains("id=\"code-paused\""));
    api.patch(id, json!({"paused": false})).await;
    assert_eq!(
        scan(&app, "spring-sale", &[]).await.status(),
        StatusCode::FOUND
    );

    assert_eq!(api.delete(id).await.status(), StatusCode::NO_CONTENT);
    let gone = scan(&app, "spring-sale", &[]).await;
    assert_eq!(gone.status(), StatusCode::GONE);
    assert!(gone.text().await.unwrap().contains("id=\"code-gone\""));
    assert_eq!(
        api.get(&format!("/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(api.delete(id).await.status(), StatusCode::NOT_FOUND);
    let reused = api
        .create(json!({"target": "https://evil.example/", "slug": "SPRING-sale"}))
        .await;
    assert_eq!(reused.status(), StatusCode::CONFLICT);
    let problem: Value = reused.json().await.unwrap();
    assert_eq!(problem["parameter"], "slug");
    assert_eq!(
        scan(&app, "spring-sale", &[]).await.status(),
        StatusCode::GONE
    );

    let unknown = scan(&app, "never-issued", &[]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(
        unknown.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(
        scan(&app, "a%2Fb", &[]).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn each_plan_holds_its_number_of_codes() {
    let app = app().await;
    let api = api(&app, "quota@example.org").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let code = api
            .code(json!({"target": format!("https://example.org/{i}")}))
            .await;
        ids.push(code["id"].as_str().unwrap().to_owned());
    }
    let refused = api.create(json!({"target": "https://example.org/4"})).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(
        (problem["limit"].clone(), problem["type"].clone()),
        (json!(3), json!("urn:qrgate:problem:code-limit"))
    );
    api.delete(&ids[0]).await;
    assert_eq!(
        api.create(json!({"target": "https://example.org/4"}))
            .await
            .status(),
        StatusCode::CREATED
    );
    let admin = app.admin().await;
    admin.grant("quota@example.org", "basic").await;
    assert_eq!(
        api.create(json!({"target": "https://example.org/5"}))
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn another_accounts_key_cannot_read_edit_or_delete_a_code() {
    let app = app().await;
    let alice = api(&app, "alice@example.org").await;
    let bob = api(&app, "bob@example.org").await;
    let code = alice
        .code(json!({"target": "https://alice.example/", "slug": "alice-menu"}))
        .await;
    let id = code["id"].as_str().unwrap();
    assert_eq!(
        bob.get(&format!("/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bob.get(&format!("/{id}/scans")).await.status(),
        StatusCode::NOT_FOUND
    );
    let edit = bob
        .patch(id, json!({"target": "https://bob.example/"}))
        .await;
    assert_eq!(edit.status(), StatusCode::NOT_FOUND);
    assert_eq!(edit.json::<Value>().await.unwrap()["parameter"], "id");
    assert_eq!(bob.delete(id).await.status(), StatusCode::NOT_FOUND);
    let listed: Value = bob.get("").await.json().await.unwrap();
    assert_eq!(listed["codes"], json!([]));
    assert_eq!(
        location(&scan(&app, "alice-menu", &[]).await),
        "https://alice.example/"
    );
    let no_key = Browser::plain_client()
        .get(format!("{}/api/v1/codes", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_read_only_key_reads_codes_but_may_not_create_edit_or_delete_them() {
    let app = app().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let ada = Api { app: &app, key };
    let code = ada.code(json!({"target": "https://ada.example/"})).await;
    let id = code["id"].as_str().unwrap();
    let (status, _) = crate::restrictions::restrict(&browser, &[("read_only", "on")]).await;
    assert_eq!(status, StatusCode::OK);

    for refused in [
        ada.create(json!({"target": "https://ada.example/2"})).await,
        ada.patch(id, json!({"target": "https://elsewhere.example/"}))
            .await,
        ada.delete(id).await,
    ] {
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["rule"], "read_only", "{problem}");
    }
    assert_eq!(ada.get(&format!("/{id}")).await.status(), StatusCode::OK);
    assert_eq!(
        ada.get(&format!("/{id}/scans")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        location(&scan(&app, code["slug"].as_str().unwrap(), &[]).await),
        "https://ada.example/",
        "the target is unchanged"
    );
}

#[tokio::test]
async fn codes_are_listed_newest_first_a_page_at_a_time() {
    let app = app().await;
    let api = api(&app, "pages@example.org").await;
    app.admin().await.grant("pages@example.org", "basic").await;
    for i in 0..5 {
        api.code(json!({"target": format!("https://example.org/{i}"), "name": format!("n{i}")}))
            .await;
    }
    let mut names = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let page: Value = api.get(&query).await.json().await.unwrap();
        let codes = page["codes"].as_array().unwrap();
        assert!(codes.len() <= 2);
        names.extend(codes.iter().map(|c| c["name"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names, ["n4", "n3", "n2", "n1", "n0"]);
}

#[tokio::test]
async fn without_a_public_url_dynamic_codes_are_refused_saying_what_to_set() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("early@example.org").await;
    let api = Api { app: &app, key };
    let refused = api.create(json!({"target": "https://example.org/"})).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["parameter"], "server.public_url");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("server.public_url")
    );
}

#[tokio::test]
async fn a_lapsed_plan_redirects_through_the_grace_days_then_pauses_until_a_plan_is_granted() {
    let app = app().await;
    let api = api(&app, "lapse@example.org").await;
    let code = api
        .code(json!({"target": "https://example.org/", "slug": "lapsing"}))
        .await;
    let id = code["id"].as_str().unwrap();
    let day = 86_400;
    app.clock.advance(14 * day + 29 * day); // the trial ended 29 days ago
    assert_eq!(scan(&app, "lapsing", &[]).await.status(), StatusCode::FOUND);
    let edit = api.patch(id, json!({"name": "late"})).await;
    assert_eq!(
        edit.status(),
        StatusCode::PAYMENT_REQUIRED,
        "no changes without a plan"
    );
    assert_eq!(
        api.get(&format!("/{id}/scans")).await.status(),
        StatusCode::OK,
        "reading still works"
    );
    app.clock.advance(day);
    let paused = scan(&app, "lapsing", &[]).await;
    assert_eq!(paused.status(), StatusCode::GONE);
    assert!(paused.text().await.unwrap().contains("id=\"code-paused\""));
    app.admin().await.grant("lapse@example.org", "basic").await;
    let back = scan(&app, "lapsing", &[]).await;
    assert_eq!(
        back.status(),
        StatusCode::FOUND,
        "a granted plan brings the code back at once"
    );
}

#[tokio::test]
async fn hostile_input_is_refused_naming_the_parameter() {
    let app = app().await;
    let api = api(&app, "hostile@example.org").await;
    let long_target = format!("https://example.org/{}", "a".repeat(2040));
    let cases = [
        (
            json!({"target": "javascript:alert(document.cookie)"}),
            "target",
        ),
        (json!({"target": "JAVASCRIPT:alert(1)"}), "target"),
        (
            json!({"target": "data:text/html,<script>alert(1)</script>"}),
            "target",
        ),
        (json!({"target": "file:///etc/passwd"}), "target"),
        (
            json!({"target": "https://paypal.com@evil.example/"}),
            "target",
        ),
        (
            json!({"target": "https://qr.example.org/r/loop-me1"}),
            "target",
        ),
        (
            json!({"target": "HTTPS://QR.EXAMPLE.ORG/r/anything"}),
            "target",
        ),
        (json!({"target": long_target}), "target"),
        (json!({"target": ""}), "target"),
        (json!({"target": "https://example.org/a b"}), "target"),
        (json!({"target": 42}), "target"),
        (json!({"name": "no target"}), "target"),
        (
            json!({"target": "https://example.org/", "slug": "short"}),
            "slug",
        ),
        (
            json!({"target": "https://example.org/", "slug": "../../etc"}),
            "slug",
        ),
        (
            json!({"target": "https://example.org/", "slug": "dashboard"}),
            "slug",
        ),
        (
            json!({"target": "https://example.org/", "slug": "a".repeat(33)}),
            "slug",
        ),
        (
            json!({"target": "https://example.org/", "name": "n".repeat(101)}),
            "name",
        ),
        (
            json!({"target": "https://example.org/", "name": "line\nbreak"}),
            "name",
        ),
        (
            json!({"target": "https://example.org/", "design": {"size": 5000}}),
            "design.size",
        ),
        (
            json!({"target": "https://example.org/", "design": {"shape": "x"}}),
            "design.shape",
        ),
        (
            json!({"target": "https://example.org/", "design": {"fg": ["x"]}}),
            "design.fg",
        ),
        (
            json!({"target": "https://example.org/", "owner": 1}),
            "owner",
        ),
    ];
    for (body, parameter) in cases {
        let response = api.create(body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["parameter"], parameter, "{body}: {problem}");
    }
    let raw = api
        .request(Method::POST, "")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.json::<Value>().await.unwrap()["parameter"], "body");

    let code = api
        .code(json!({"target": "https://example.org/", "slug": "Taken-01"}))
        .await;
    let id = code["id"].as_str().unwrap();
    let taken = api
        .create(json!({"target": "https://example.org/", "slug": "taken-01"}))
        .await;
    assert_eq!(
        taken.status(),
        StatusCode::CONFLICT,
        "slugs are unique whatever their case"
    );
    for (body, parameter) in [
        (json!({}), "body"),
        (json!({"paused": "yes"}), "paused"),
        (json!({"target": "javascript:x"}), "target"),
        (json!({"target": format!("{SITE}/r/Taken-01")}), "target"),
        (json!({"slug": "changed1"}), "slug"),
    ] {
        let response = api.patch(id, body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["parameter"],
            parameter,
            "{body}"
        );
    }
    for (query, parameter) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=abc", "limit"),
        ("?cursor=zzz", "cursor"),
        ("?cursor=c99999999999999999999999", "cursor"),
        ("?page=2", "page"),
        (&format!("/{id}/scans?group=week"), "group"),
        (&format!("/{id}/scans?from=2026-13-01"), "from"),
        (&format!("/{id}/scans?to=21/09/2026"), "to"),
        (
            &format!("/{id}/scans?from=2026-09-21&to=2026-09-01"),
            "from",
        ),
        (&format!("/{id}/scans?from=2020-01-01"), "from"),
        (&format!("/{id}/scans?group=hour&from=2026-08-01"), "from"),
        (&format!("/{id}/scans?format=xml"), "format"),
        (&format!("/{id}/scans?from=1970-01-01&to=1970-01-02"), "to"),
    ] {
        let response = api.get(query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["parameter"],
            parameter,
            "{query}"
        );
    }
    for bad_id in ["nope", "dc_", "dc_ZZZZZZZZZZZZZZZZ", "dc_00000000000000000"] {
        assert_eq!(
            api.get(&format!("/{bad_id}")).await.status(),
            StatusCode::NOT_FOUND,
            "{bad_id}"
        );
    }
    let huge = api
        .request(Method::POST, "")
        .header("content-type", "application/json")
        .body(vec![b' '; 20_000])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn neither_the_address_nor_the_user_agent_of_a_scanner_is_stored() {
    let dir_app = TestApp::spawn_with(|config| {
        config.server.public_url = SITE.to_owned().try_into().unwrap();
        config.usage.flush_interval_ms = 10;
        config.server.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let app = &dir_app;
    let api = api(app, "private@example.org").await;
    let code = api
        .code(json!({"target": "https://example.org/", "slug": "private1"}))
        .await;
    let id = code["id"].as_str().unwrap();
    let agent = "Mozilla/5.0 (Linux; Android 14; Probe-Device-7731) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36";
    let headers = [
        ("user-agent", agent),
        ("x-forwarded-for", "198.51.100.77"),
        ("referer", "https://-sneaky.example/secret-path?token=abc"),
    ];
    for _ in 0..3 {
        scan(app, "private1", &headers).await;
    }
    report_until(&api, id, "", |r| r["scans"] == 3).await;
    let csv = api
        .get(&format!("/{id}/scans?group=referrer&format=csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("\"'-sneaky.example\""),
        "a cell starting with - is neutralised: {csv}"
    );
    assert!(
        !csv.contains("secret-path"),
        "only the referring host is kept"
    );
    let file = std::fs::read(app.data_dir.join("qrgate.redb")).unwrap();
    let contains = |needle: &[u8]| file.windows(needle.len()).any(|w| w == needle);
    assert!(
        !contains(b"Probe-Device-7731"),
        "the User-Agent is not stored"
    );
    assert!(!contains(b"198.51.100.77"), "the address is not stored");
    assert!(!contains(b"secret-path"));
    assert!(
        contains(b"sneaky.example"),
        "the check can see what is stored"
    );
}
