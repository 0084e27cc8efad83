//! `/dashboard/codes`: the signed-in owner makes, edits, downloads and deletes dynamic
//! codes through forms that carry CSRF tokens, and reads the scan charts without
//! JavaScript.

use reqwest::StatusCode;

use crate::codes::{IPHONE, SITE, app, scan};
use crate::decode::rqrr_png;
use crate::helpers::{Browser, between};

/// The id of the code whose page a 303 leads to.
fn code_id(location: &str) -> String {
    let rest = location
        .strip_prefix("/dashboard/codes/")
        .expect("a code's page");
    rest.split('?').next().unwrap().to_owned()
}

async fn create(browser: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("action", "create")];
    form.extend_from_slice(fields);
    browser
        .submit("/dashboard/codes", "/dashboard/codes", &form)
        .await
}

#[tokio::test]
async fn the_owner_makes_edits_downloads_and_deletes_a_code_from_the_dashboard() {
    let app = app().await;
    let browser = app.signed_up("page@example.org").await;
    let (status, list) = browser.page("/dashboard/codes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("<form id=\"create-code\""));
    assert!(list.contains("href=\"/dashboard/codes\" aria-current=\"page\""));

    let made = create(
        &browser,
        &[
            ("target", "example.org/menu"),
            ("name", "Lunch <menu>"),
            ("slug", "lunch-menu"),
        ],
    )
    .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let page_path = made.headers()["location"].to_str().unwrap().to_owned();
    let id = code_id(&page_path);
    let (_, page) = browser.page(&page_path).await;
    assert!(page.contains(&format!(
        "<code id=\"short-url\">{SITE}/r/lunch-menu</code>"
    )));
    assert!(
        page.contains("Lunch &#60;menu&#62;") && !page.contains("<menu>"),
        "names are escaped"
    );
    assert!(
        page.contains("<svg class=\"chart bars\""),
        "the chart is drawn on the server"
    );
    assert!(page.contains("<form id=\"edit-code\"") && page.contains("<form id=\"delete-code\""));
    for format in ["png", "svg"] {
        assert!(page.contains(&format!("/dashboard/codes/{id}/download?format={format}")));
    }

    scan(&app, "lunch-menu", &[("user-agent", IPHONE)]).await;
    let edit_page = format!("/dashboard/codes/{id}");
    let edited = browser
        .submit(
            &edit_page,
            &edit_page,
            &[
                ("action", "edit"),
                ("target", "https://example.org/dinner"),
                ("name", "Dinner"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let moved = scan(&app, "lunch-menu", &[]).await;
    assert_eq!(moved.headers()["location"], "https://example.org/dinner");

    let refused = browser
        .submit(
            &edit_page,
            &edit_page,
            &[
                ("action", "edit"),
                ("target", "javascript:alert(1)"),
                ("name", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("`target` must be an http or https address")
    );

    let download = browser
        .get(&format!("/dashboard/codes/{id}/download?format=png"))
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let decoded = rqrr_png(&download.bytes().await.unwrap()).unwrap();
    assert_eq!(decoded, format!("{SITE}/r/lunch-menu"));
    let (_, overview) = browser.page("/dashboard").await;
    assert!(
        overview.contains("<p class=\"big\" id=\"usage\">1 "),
        "the download counted once"
    );

    let csv = browser
        .get(&format!("/dashboard/codes/{id}/scans.csv?group=os"))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.text().await.unwrap().starts_with("os,count\r\n"));

    let unconfirmed = browser
        .submit(&edit_page, &edit_page, &[("action", "delete")])
        .await;
    assert_eq!(unconfirmed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        scan(&app, "lunch-menu", &[]).await.status(),
        StatusCode::FOUND,
        "nothing deleted"
    );
    let deleted = browser
        .submit(
            &edit_page,
            &edit_page,
            &[("action", "delete"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        scan(&app, "lunch-menu", &[]).await.status(),
        StatusCode::GONE
    );
    assert_eq!(browser.page(&edit_page).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn code_forms_need_their_csrf_token_and_codes_stay_with_their_owner() {
    let app = app().await;
    let owner = app.signed_up("own@example.org").await;
    let made = create(&owner, &[("target", "https://example.org/")]).await;
    let page = made.headers()["location"].to_str().unwrap().to_owned();
    let id = code_id(&page);

    let forged = owner
        .post_form(
            "/dashboard/codes",
            &[("action", "create"), ("target", "https://evil.example/")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let forged = owner
        .post_form(
            &page,
            &[
                ("csrf_token", "forged"),
                ("action", "delete"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let stranger = app.signed_up("stranger@example.org").await;
    assert_eq!(stranger.page(&page).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger
            .get(&format!("/dashboard/codes/{id}/download"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, list) = stranger.page("/dashboard/codes").await;
    assert!(!list.contains(&id));
    let anonymous = Browser::new(&app.address).get("/dashboard/codes").await;
    assert_eq!(
        anonymous.status(),
        StatusCode::SEE_OTHER,
        "to the login page"
    );

    let (_, list) = owner.page("/dashboard/codes").await;
    let row = between(&list, "<table id=\"codes\">", "</table>").unwrap();
    assert!(
        row.contains("<svg class=\"chart spark\""),
        "a sparkline per code"
    );
    assert!(row.contains("https://example.org/"));
}
