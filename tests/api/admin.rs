use std::time::Instant;

use qrgate::domain::{Email, PlanPeriod, Role};
use qrgate::store::{NewAccount, Store};
use reqwest::StatusCode;

use crate::helpers::{ADMIN_EMAIL, START, TestApp, between};

#[tokio::test]
async fn only_admins_open_the_admin_pages() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("ada@example.org").await;
    assert_eq!(user.get("/admin").await.status(), StatusCode::FORBIDDEN);
    let token = user.csrf("/dashboard").await;
    let form = [
        ("csrf_token", token.as_str()),
        ("email", "ada@example.org"),
        ("plan", "pro"),
    ];
    assert_eq!(
        user.post_form("/admin/grant", &form).await.status(),
        StatusCode::FORBIDDEN
    );

    let admin = app.admin().await;
    let (status, body) = admin.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"grant-plan\""));
    assert!(body.contains("ada@example.org") && body.contains(ADMIN_EMAIL));
}

#[tokio::test]
async fn the_account_list_shows_plan_status_usage_and_key_prefix() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let (_, body) = app.admin().await.page("/admin").await;
    let row = crate::helpers::between(&body, "ada@example.org", "</tr>").unwrap();
    assert!(
        row.contains("trial") && row.contains("Active") && row.contains("0 / 20"),
        "{row}"
    );
    assert!(row.contains(&key[..10]) && !body.contains(&key));
}

#[tokio::test]
async fn a_disabled_account_gets_403_on_the_api_and_cannot_log_in_until_enabled() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let admin = app.admin().await;

    assert_eq!(
        admin.set_disabled("ada@example.org", true).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.usage(&key).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/dashboard").await.status(),
        StatusCode::SEE_OTHER,
        "its session ends"
    );
    let response = app
        .browser()
        .login("ada@example.org", crate::helpers::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("disabled"));

    assert_eq!(
        admin.set_disabled("ada@example.org", false).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.usage(&key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_admin_input_gets_a_message() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = admin.grant("nobody@example.org", "pro").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("no account with the email nobody@example.org")
    );
    let response = admin.grant(ADMIN_EMAIL, "platinum").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("no plan named"));
    let response = admin.set_disabled(ADMIN_EMAIL, true).await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "an admin cannot lock themself out"
    );
}

/// Accounts written straight into the store before the app starts: `(email, plan,
/// generations this period, disabled)`, each period running 30 days from `START`.
fn seed(config: &qrgate::config::Config, accounts: &[(String, &str, u64, bool)]) {
    let (store, _) = Store::open(&config.storage.data_dir).unwrap();
    let batch = accounts
        .iter()
        .map(|(email, plan, _, _)| NewAccount {
            email: Email::parse(email).unwrap(),
            password_hash: String::new(),
            role: Role::User,
            period: PlanPeriod {
                plan: (*plan).into(),
                start: START,
                end: START + 30 * 86_400,
            },
            now: START,
        })
        .collect();
    let created = store.create_accounts(batch).unwrap();
    let totals: Vec<(u64, i64, u64)> = created
        .iter()
        .zip(accounts)
        .filter(|(_, (_, _, used, _))| *used > 0)
        .map(|(account, (_, _, used, _))| (account.as_ref().unwrap().id, START, *used))
        .collect();
    store.write_usage(&totals).unwrap();
    for (email, ..) in accounts.iter().filter(|(.., disabled)| *disabled) {
        store
            .set_disabled(&Email::parse(email).unwrap(), true)
            .unwrap();
    }
}

/// The emails in the rows of `<table id="accounts">`, in order.
fn listed(body: &str) -> Vec<String> {
    let table = between(body, "<table id=\"accounts\">", "</table>").expect("the accounts table");
    table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|row| row[..row.find('<').unwrap()].trim().to_owned())
        .collect()
}

/// The link of `rel` (`next` or `first`) on an admin page.
fn link(body: &str, rel: &str) -> Option<String> {
    let end = body.find(&format!("\" rel=\"{rel}\""))?;
    let start = body[..end].rfind("href=\"")? + 6;
    Some(body[start..end].replace("&#38;", "&"))
}

/// The rows of a summary table (`plan-totals` or `busiest`), as their cells' text.
fn summary_rows(body: &str, id: &str) -> Vec<Vec<String>> {
    let table = between(body, &format!("<table id=\"{id}\">"), "</table>").unwrap();
    let body = between(&table, "<tbody>", "</tbody>").unwrap();
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split(['<', '>'])
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, text)| text.trim().to_owned())
                .filter(|text| !text.is_empty())
                .collect()
        })
        .collect()
}

fn users(n: usize, plan: impl Fn(usize) -> &'static str) -> Vec<(String, &'static str, u64, bool)> {
    (0..n)
        .map(|i| (format!("u{i:03}@example.org"), plan(i), 0, false))
        .collect()
}

#[tokio::test]
async fn the_admin_page_shows_totals_per_plan_and_the_ten_busiest_accounts() {
    let mut accounts = users(14, |i| if i < 4 { "pro" } else { "trial" });
    for (i, account) in accounts.iter_mut().enumerate() {
        account.2 = [0, 300, 7, 12, 20, 5, 1, 9, 3, 2, 14, 6, 0, 11][i];
    }
    accounts[13].3 = true;
    let app = TestApp::spawn_with(|c| seed(c, &accounts)).await;
    let (_, body) = app.admin().await.page("/admin").await;

    let totals = summary_rows(&body, "plan-totals");
    let row = |plan: &str| totals.iter().find(|r| r[0] == plan).unwrap().clone();
    // Plan, accounts, active, expired, quota used up, disabled, generations.
    assert_eq!(row("pro"), ["pro", "4", "4", "0", "0", "0", "319"]);
    assert_eq!(
        row("trial"),
        ["trial", "11", "9", "0", "1", "1", "71"],
        "the admin is a trial account too; u004 used all 20; u013 is disabled"
    );
    assert_eq!(row("enterprise")[1], "0", "every configured plan is listed");

    let busiest = summary_rows(&body, "busiest");
    let emails: Vec<&str> = busiest.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        emails,
        [
            "u001@example.org",
            "u004@example.org",
            "u010@example.org",
            "u003@example.org",
            "u013@example.org",
            "u007@example.org",
            "u002@example.org",
            "u011@example.org",
            "u005@example.org",
            "u008@example.org",
        ]
    );
    assert_eq!(busiest[0][1..], ["pro", "300", "/ 100000"]);
}

#[tokio::test]
async fn search_filters_orders_and_pages_of_fifty_reach_every_account() {
    let mut accounts = users(120, |i| if i % 3 == 0 { "pro" } else { "trial" });
    accounts[7].3 = true;
    accounts[8].2 = 20;
    let app = TestApp::spawn_with(|c| seed(c, &accounts)).await;
    let admin = app.admin().await;

    // Every account, a page of 50 at a time, following the Next links.
    let mut seen = Vec::new();
    let mut path = Some("/admin".to_owned());
    while let Some(next) = path {
        let (status, body) = admin.page(&next).await;
        assert_eq!(status, StatusCode::OK);
        let rows = listed(&body);
        assert!(rows.len() <= 50);
        seen.extend(rows);
        path = link(&body, "next");
        if path.is_some() {
            assert_eq!(link(&body, "first").is_some(), next != "/admin");
        }
    }
    let mut expected: Vec<String> = accounts.iter().map(|a| a.0.clone()).collect();
    expected.push(ADMIN_EMAIL.to_owned());
    expected.sort();
    assert_eq!(seen, expected, "each account once, in email order");

    let (_, body) = admin.page("/admin?q=U10").await;
    assert_eq!(
        listed(&body),
        (100..110)
            .map(|i| format!("u{i}@example.org"))
            .collect::<Vec<_>>()
    );
    assert!(
        body.contains("value=\"u10\""),
        "the search box keeps the search"
    );
    let (_, body) = admin.page("/admin?q=u01&plan=pro").await;
    assert_eq!(
        listed(&body),
        ["u012@example.org", "u015@example.org", "u018@example.org"]
    );
    let (_, body) = admin.page("/admin?status=disabled").await;
    assert_eq!(listed(&body), ["u007@example.org"]);
    let (_, body) = admin.page("/admin?status=over_quota&plan=trial").await;
    assert_eq!(listed(&body), ["u008@example.org"]);
    let (_, body) = admin.page("/admin?q=zz").await;
    assert!(listed(&body).is_empty() && body.contains("No accounts match."));

    let (_, body) = admin.page("/admin?sort=email_desc").await;
    assert_eq!(listed(&body)[0], "u119@example.org");
    let (_, body) = admin.page("/admin?sort=newest").await;
    assert_eq!(listed(&body)[0], ADMIN_EMAIL, "signed up last");
    let (_, body) = admin.page("/admin?sort=oldest&plan=pro").await;
    assert_eq!(listed(&body)[..2], ["u000@example.org", "u003@example.org"]);
    let next = link(&body, "next");
    assert!(next.is_none(), "40 pro accounts fit one page: {next:?}");

    let (status, body) = admin.page("/admin?plan=platinum&sort=sideways").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("no plan named `platinum`") && body.contains("`sideways`"));
    assert_eq!(listed(&body).len(), 50, "the page still lists what it can");
}

#[tokio::test]
async fn the_forms_answer_with_the_same_search_filter_and_page() {
    let accounts = users(120, |i| if i % 2 == 0 { "pro" } else { "trial" });
    let app = TestApp::spawn_with(|c| seed(c, &accounts)).await;
    let admin = app.admin().await;
    let (_, first) = admin.page("/admin?plan=pro").await;
    let second = link(&first, "next").expect("60 pro accounts make two pages");
    let (_, page) = admin.page(&second).await;
    let rows = listed(&page);
    assert_eq!(rows.first().map(String::as_str), Some("u100@example.org"));
    let query = &second["/admin".len()..];
    assert!(page.contains(&format!(
        "action=\"/admin/status{}\"",
        query.replace('&', "&#38;")
    )));
    assert!(page.contains(&format!(
        "action=\"/admin/grant{}\"",
        query.replace('&', "&#38;")
    )));

    let form = [("email", "u102@example.org"), ("action", "disable")];
    let response = admin
        .submit(&second, &format!("/admin/status{query}"), &form)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.contains("u102@example.org is disabled."));
    assert_eq!(listed(&body), rows, "the same page of the same filter");
    assert!(link(&body, "first").is_some());

    let grant = [("email", "u101@example.org"), ("plan", "pro")];
    let response = admin
        .submit(&second, &format!("/admin/grant{query}"), &grant)
        .await;
    let body = response.text().await.unwrap();
    assert!(body.contains("u101@example.org is on the pro plan"));
    assert!(
        listed(&body).contains(&"u101@example.org".to_owned()),
        "now a pro account"
    );
    assert!(
        body.contains("<option value=\"pro\" selected>"),
        "the filter stays chosen"
    );
}

#[tokio::test]
async fn a_page_over_twenty_thousand_accounts_renders_well_under_100_ms_and_search_finds_one() {
    let accounts: Vec<(String, &str, u64, bool)> = (0..20_000)
        .map(|i| {
            let plan = match i % 25 {
                0 => "basic",
                n if n % 5 == 0 => "pro",
                _ => "trial",
            };
            (
                format!("user{i:05}@example.org"),
                plan,
                (i % 7) as u64,
                i % 4_000 == 1,
            )
        })
        .collect();
    let app = TestApp::spawn_with(|c| seed(c, &accounts)).await;
    let admin = app.admin().await;
    // The first view counts the totals over every account; later views reuse them.
    let started = Instant::now();
    let (status, body) = admin.page("/admin").await;
    let first_view = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Accounts: 20001, counted at"),
        "the totals are there"
    );

    let (_, page) = admin.page("/admin?q=user123").await;
    let next = link(&page, "next").expect("100 matches make two pages");
    let mut timings = Vec::new();
    for path in [
        "/admin",
        "/admin?q=user12345",
        "/admin?q=user123",
        next.as_str(),
        "/admin?plan=pro&status=active",
        "/admin?sort=newest&plan=basic",
        "/admin?sort=email_desc",
        "/admin?status=disabled",
    ] {
        let mut runs = Vec::new();
        let mut body = String::new();
        for _ in 0..5 {
            let started = Instant::now();
            let (status, page) = admin.page(path).await;
            runs.push(started.elapsed());
            assert_eq!(status, StatusCode::OK, "{path}");
            body = page;
        }
        runs.sort();
        let median = runs[2];
        println!(
            "{path}: median {median:?} of 5 (fastest {:?}, slowest {:?}), {} rows",
            runs[0],
            runs[4],
            listed(&body).len()
        );
        timings.push((path.to_owned(), median, body));
    }
    println!("the first view, counting the totals over 20,001 accounts: {first_view:?}");
    for (path, median, _) in &timings {
        assert!(median.as_millis() < 100, "{path}: {median:?}");
    }
    assert_eq!(
        listed(&timings[1].2),
        ["user12345@example.org"],
        "search finds the account"
    );
    assert_eq!(listed(&timings[2].2).len(), 50);
    assert_eq!(listed(&timings[3].2)[0], "user12350@example.org");
    // A rare status: each page looks through at most 1,000 accounts and says so.
    let sparse = &timings[7].2;
    assert_eq!(listed(sparse), ["user00001@example.org"]);
    assert!(sparse.contains("Looked through 1000 accounts for this page"));
    let mut disabled = Vec::new();
    let mut path = Some("/admin?status=disabled".to_owned());
    while let Some(next) = path {
        let (_, body) = admin.page(&next).await;
        disabled.extend(listed(&body));
        path = link(&body, "next");
    }
    assert_eq!(disabled.len(), 5, "{disabled:?}");
}
