//! Usage: `/api/v1/usage` answers every known key (expired and over quota included),
//! `/api/v1/usage/daily` counts each UTC day, and the dashboard draws both as SVG.

use qrgate::domain::days::{DAY, date, day_of};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, START, TestApp, between};

const USAGE: &str = "/api/v1/usage";
const DAILY: &str = "/api/v1/usage/daily";

/// `GET path` with the key (if any) in the X-API-Key header.
async fn get(app: &TestApp, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = Browser::plain_client().get(format!("{}{path}", app.address));
    if let Some(key) = key {
        request = request.header("X-API-Key", key);
    }
    request.send().await.unwrap()
}

async fn json(app: &TestApp, path: &str, key: &str) -> (StatusCode, Value) {
    let response = get(app, path, Some(key)).await;
    (response.status(), response.json().await.unwrap())
}

async fn generate(app: &TestApp, key: &str, n: usize) {
    for i in 0..n {
        let response = app
            .qr(Some(key), "text", &[("text", &format!("n{i}"))])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

/// The counts of a daily answer, oldest first, after checking its dates run day by day.
fn counts(days: &Value) -> Vec<u64> {
    let days = days.as_array().expect("an array of days");
    for pair in days.windows(2) {
        let (a, b) = (
            pair[0]["date"].as_str().unwrap(),
            pair[1]["date"].as_str().unwrap(),
        );
        assert!(a < b, "{a} before {b}");
    }
    days.iter().map(|d| d["count"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn an_over_quota_key_gets_its_usage_with_status_over_quota() {
    let app = TestApp::spawn_with(|c| c.plans.get_mut("trial").unwrap().quota = 2).await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    generate(&app, &key, 2).await;
    let refused = app.qr(Some(&key), "text", &[("text", "third")]).await;
    assert_eq!(refused.status(), StatusCode::PAYMENT_REQUIRED);

    let (status, usage) = json(&app, USAGE, &key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(usage["status"], "over_quota");
    assert_eq!(
        (usage["used"].as_u64(), usage["remaining"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(usage["key_prefix"], key[..10]);
    let (status, daily) = json(&app, DAILY, &key).await;
    assert_eq!(status, StatusCode::OK, "the daily counts answer too");
    assert_eq!(counts(&daily).last(), Some(&2));
}

#[tokio::test]
async fn an_expired_key_gets_its_usage_with_status_expired() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    generate(&app, &key, 3).await;
    app.clock.advance(14 * DAY);

    let (status, usage) = json(&app, USAGE, &key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(usage["status"], "expired");
    assert_eq!(usage["used"], 3);
    let (status, daily) = json(&app, DAILY, &key).await;
    assert_eq!(status, StatusCode::OK);
    let counts = counts(&daily);
    assert_eq!(counts.len(), 30);
    assert_eq!(counts[29 - 14], 3, "counted on the day they were made");
    assert_eq!(counts.iter().sum::<u64>(), 3);
}

#[tokio::test]
async fn missing_malformed_unknown_and_renewed_keys_get_401_on_both_endpoints() {
    let app = TestApp::spawn().await;
    let (browser, old) = app.user_with_key("ada@example.org").await;
    browser
        .renew_key(crate::helpers::PASSWORD, "compromise")
        .await;
    let unknown = format!("qrg_{}", "A".repeat(28));
    for path in [USAGE, DAILY] {
        for key in [
            None,
            Some("not-a-key"),
            Some(unknown.as_str()),
            Some(old.as_str()),
        ] {
            let response = get(&app, path, key).await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{path} {key:?}"
            );
            assert!(response.headers().contains_key("www-authenticate"));
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["parameter"], "api_key");
            assert!(problem.get("used").is_none());
        }
    }
}

#[tokio::test]
async fn a_disabled_account_gets_403_and_no_figures_on_both_endpoints() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    generate(&app, &key, 1).await;
    app.admin()
        .await
        .set_disabled("ada@example.org", true)
        .await;
    for path in [USAGE, DAILY] {
        let (status, problem) = json(&app, path, &key).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(problem["type"], "urn:qrgate:problem:disabled");
        assert!(problem.get("used").is_none() && problem.get("usage").is_none());
        assert!(!problem.to_string().contains("\"count\""));
    }
}

#[tokio::test]
async fn daily_counts_follow_each_utc_day_with_empty_days_included() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    generate(&app, &key, 3).await;
    app.clock.advance(2 * DAY);
    generate(&app, &key, 2).await;
    // An error and a revalidation are not generations.
    let bad = app
        .qr(Some(&key), "geo", &[("lat", "91"), ("lng", "0")])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let (status, daily) = json(&app, DAILY, &key).await;
    assert_eq!(status, StatusCode::OK);
    let days = daily.as_array().unwrap();
    assert_eq!(days.len(), 30, "the last 30 days by default");
    let today = day_of(app.clock.now());
    assert_eq!(days[29]["date"], date(today));
    assert_eq!(days[0]["date"], date(today - 29));
    let counts = counts(&daily);
    assert_eq!(&counts[26..], &[0, 3, 0, 2]);
    let (_, usage) = json(&app, USAGE, &key).await;
    assert_eq!(
        counts.iter().sum::<u64>(),
        usage["used"].as_u64().unwrap(),
        "the days add up to the period's count"
    );
}

#[tokio::test]
async fn a_chosen_range_is_answered_day_by_day() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    generate(&app, &key, 4).await;
    let today = day_of(START);
    let path = format!("{DAILY}?from={}&to={}", date(today - 2), date(today + 1));
    let (status, daily) = json(&app, &path, &key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(counts(&daily), vec![0, 0, 4, 0]);
    assert_eq!(
        daily[0],
        serde_json::json!({"date": date(today - 2), "count": 0})
    );

    let longest = format!("{DAILY}?from={}&to={}", date(today - 399), date(today));
    let (status, daily) = json(&app, &longest, &key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(daily.as_array().unwrap().len(), 400);
}

#[tokio::test]
async fn bad_dates_and_unknown_parameters_get_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    for (query, parameter) in [
        ("from=2026-02-30", "from"),
        ("from=21-09-2026", "from"),
        ("to=tomorrow", "to"),
        ("to=2026-09-21T00:00:00Z", "to"),
        ("from=2026-09-22&to=2026-09-21", "from"),
        ("from=2025-08-16&to=2026-09-21", "from"),
        ("from=1999-12-31&to=2000-01-01", "from"),
        ("day=2026-09-21", "day"),
        ("from=%FF", "from"),
    ] {
        let response = get(&app, &format!("{DAILY}?{query}"), Some(&key)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["parameter"], parameter, "{query}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(parameter),
            "{problem}"
        );
    }
}

/// The inline SVG that follows `marker` in `page`, checked to be well-formed XML.
fn svg_after(page: &str, marker: &str) -> String {
    let from = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} on the page"));
    let svg = between(&page[from..], "<svg", "</svg>").expect("an inline SVG");
    let svg = format!("<svg{svg}</svg>");
    roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    svg
}

#[tokio::test]
async fn the_dashboard_draws_thirty_days_and_the_quota_as_accessible_svg() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    app.clock.advance(DAY);
    generate(&app, &key, 3).await;
    app.clock.advance(DAY);
    generate(&app, &key, 2).await;

    let browser = app.browser();
    browser
        .login("ada@example.org", crate::helpers::PASSWORD)
        .await;
    let (status, page) = browser.page("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    let chart = svg_after(&page, "id=\"daily-usage\"");
    let doc = roxmltree::Document::parse(&chart).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("role"), Some("img"));
    let child_text = |name: &str| {
        root.children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(child_text("title").contains("last 30 days"));
    let today = day_of(app.clock.now());
    assert_eq!(
        child_text("desc"),
        format!(
            "5 generations in the last 30 days; the most, 3, on {}.",
            date(today - 1)
        )
    );
    let bar_titles: Vec<String> = root
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .map(|bar| {
            let title = bar.children().find(|n| n.has_tag_name("title")).unwrap();
            title.text().unwrap().to_owned()
        })
        .collect();
    assert_eq!(bar_titles.len(), 30, "a bar per day");
    assert_eq!(bar_titles[29], format!("{}: 2", date(today)));
    assert_eq!(bar_titles[28], format!("{}: 3", date(today - 1)));
    assert_eq!(bar_titles[0], format!("{}: 0", date(today - 29)));
    // The same figures as a table, for readers who cannot see the chart.
    let table = between(&page, "<table id=\"daily-usage-table\">", "</table>").unwrap();
    assert_eq!(table.matches("<tr><th scope=\"row\">").count(), 30);
    assert!(table.contains(&format!("{}</time></th><td>3</td>", date(today - 1))));

    let gauge = svg_after(&page, "id=\"quota-gauge\"");
    assert!(gauge.contains("<title>Quota used this period"), "{gauge}");
    assert!(gauge.contains("5 of 20 used (25 %)"), "{gauge}");
    assert!(
        gauge.contains("14 % of the period passed"),
        "2 of 14 days: {gauge}"
    );
    assert!(
        !page.contains(" style="),
        "no inline styles: the CSP forbids them"
    );
}
