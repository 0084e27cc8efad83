use reqwest::StatusCode;

use crate::helpers::{ADMIN_EMAIL, TestApp};

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
