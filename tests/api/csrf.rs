use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_sign_up_without_a_csrf_token_is_refused_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.page("/signup").await; // the browser holds a CSRF cookie, but the form omits the token
    let response = browser
        .post_form(
            "/signup",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.browser()
            .login("ada@example.org", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_token_from_another_browser_is_refused() {
    let app = TestApp::spawn().await;
    let attacker = app.browser();
    let token = attacker.csrf("/signup").await;
    let victim = app.browser();
    victim.page("/signup").await;
    let form = [
        ("csrf_token", token.as_str()),
        ("email", "ada@example.org"),
        ("password", PASSWORD),
    ];
    assert_eq!(
        victim.post_form("/signup", &form).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_key_creation_with_a_wrong_token_is_refused_and_creates_no_key() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("ada@example.org").await;
    let form = [
        ("csrf_token", "0".repeat(64)),
        ("action", "create".into()),
        ("password", PASSWORD.into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = browser.post_form("/dashboard/api", &form).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, body) = browser.page("/dashboard/api").await;
    assert!(body.contains("id=\"create-key\""), "still no key");
}

#[tokio::test]
async fn logout_and_admin_forms_check_the_token_too() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.signed_up("ada@example.org").await;
    let grant = [("email", "ada@example.org"), ("plan", "pro")];
    assert_eq!(
        admin.post_form("/admin/grant", &grant).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.post_form("/logout", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.page("/dashboard").await.0,
        StatusCode::OK,
        "still logged in"
    );
}
