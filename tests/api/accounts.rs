use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn sign_up_log_out_and_log_in_again() {
    let app = TestApp::spawn().await;
    let browser = app.browser();

    let response = browser.signup("Ada@Example.org", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/dashboard");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("qrgate_session="));
    let cookie = cookie.expect("a session cookie is set");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let (status, body) = browser.page("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("ada@example.org"),
        "the email is shown normalised"
    );
    assert!(body.contains("trial"));

    let response = browser.logout().await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browser.get("/dashboard").await.status(),
        StatusCode::SEE_OTHER,
        "logged out"
    );

    let response = browser.login("ADA@example.org", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.page("/dashboard").await.0, StatusCode::OK);
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser.signup("ada@example.org", PASSWORD).await;
    // Keep a copy of the session cookie, as someone who stole it would.
    let stolen = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("qrgate_session="))
        .unwrap();
    browser.logout().await;
    let replay = crate::helpers::Browser::plain_client()
        .get(format!("{}/dashboard", app.address))
        .header("cookie", stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::SEE_OTHER,
        "the old session no longer works"
    );
}

#[tokio::test]
async fn a_session_ends_after_two_idle_hours_but_not_while_in_use() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("ada@example.org").await;
    for _ in 0..4 {
        app.clock.advance(100 * 60); // 100 minutes apart: never two idle hours
        assert_eq!(browser.get("/dashboard").await.status(), StatusCode::OK);
    }
    app.clock.advance(121 * 60);
    assert_eq!(
        browser.get("/dashboard").await.status(),
        StatusCode::SEE_OTHER,
        "idle too long"
    );
}

#[tokio::test]
async fn a_common_password_is_refused_at_sign_up() {
    let app = TestApp::spawn().await;
    let response = app
        .browser()
        .signup("ada@example.org", "1qaz2wsx3edc")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("most commonly used")
    );
}

#[tokio::test]
async fn forms_sent_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let token = browser.csrf("/signup").await;
    let form = [
        ("csrf_token", token.as_str()),
        ("email", "ada@example.org"),
        ("password", PASSWORD),
    ];
    let url = format!("{}/signup", app.address);
    let cross = browser
        .client
        .post(&url)
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let foreign = browser
        .client
        .post(&url)
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let same = browser
        .client
        .post(&url)
        .header("sec-fetch-site", "same-origin")
        .header("origin", app.address.as_str())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        same.status(),
        StatusCode::SEE_OTHER,
        "the same form from this site works"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.signed_up("ada@example.org").await;

    let wrong_password = app
        .browser()
        .login("ada@example.org", "not the right password")
        .await;
    let wrong_status = wrong_password.status();
    let wrong_body = wrong_password.text().await.unwrap();
    let unknown_email = app.browser().login("nobody@example.org", PASSWORD).await;
    let unknown_status = unknown_email.status();
    let unknown_body = unknown_email.text().await.unwrap();

    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, wrong_status);
    let message = "Incorrect email or password.";
    assert!(wrong_body.contains(message) && unknown_body.contains(message));
    let strip = |body: &str, email: &str| {
        body.replace(email, "").replace(
            &crate::helpers::between(body, "csrf_token\" value=\"", "\"").unwrap(),
            "",
        )
    };
    assert_eq!(
        strip(&wrong_body, "ada@example.org"),
        strip(&unknown_body, "nobody@example.org")
    );
}

#[tokio::test]
async fn a_duplicate_email_is_refused_whatever_its_case() {
    let app = TestApp::spawn().await;
    app.signed_up("ada@example.org").await;
    let response = app
        .browser()
        .signup("ADA@example.org", "another long password")
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("already exists"));
}

#[tokio::test]
async fn a_short_password_or_an_invalid_email_is_refused_with_a_message_on_the_form() {
    let app = TestApp::spawn().await;
    let browser = app.browser();

    let response = browser.signup("ada@example.org", "short").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.text().await.unwrap();
    assert!(body.contains("at least 12 characters"), "{body}");
    assert!(body.contains("id=\"signup\""), "the form is shown again");
    assert!(
        body.contains("value=\"ada@example.org\""),
        "the email is kept"
    );

    let response = browser.signup("not-an-email", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("not an email address")
    );

    let response = browser.signup("ada@example.org", &"x".repeat(129)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("at most 128"));

    // None of these created an account.
    assert_eq!(
        app.browser()
            .login("ada@example.org", "short")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pages_that_need_an_account_redirect_to_login() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for path in ["/dashboard", "/dashboard/api", "/admin"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
    for path in [
        "/",
        "/signup",
        "/login",
        "/dashboard/plans",
        "/healthz",
        "/static/app.css",
    ] {
        assert_eq!(browser.get(path).await.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_real_404() {
    let app = TestApp::spawn().await;
    let (status, body) = app.browser().page("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    let response = app.browser().get("/api/v1/nothing").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_are_not_cached() {
    let app = TestApp::spawn().await;
    let response = app.browser().get("/login").await;
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn deleting_an_account_erases_it_ends_its_key_and_frees_the_email() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let client = crate::helpers::Browser::plain_client();
    let uploaded = client
        .post(format!("{}/api/v1/logos", app.address))
        .header("X-API-Key", &key)
        .body(crate::qr_api::logo_png())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let (status, page) = browser.page("/dashboard/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<form id=\"delete-account\""));

    // Without the email typed out, or with a wrong password, nothing happens.
    let browser = &browser;
    let attempt = |confirm: &'static str, password: &'static str| async move {
        let fields = [("confirm_email", confirm), ("password", password)];
        browser
            .submit("/dashboard/account", "/dashboard/account", &fields)
            .await
    };
    let response = attempt("bob@example.org", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("Type your account"));
    let response = attempt("ada@example.org", "not the password at all").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Incorrect password.")
    );
    assert_eq!(app.usage(&key).await.status(), StatusCode::OK);

    let response = attempt("Ada@Example.org", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"account-deleted\"")
    );

    assert_eq!(
        app.usage(&key).await.status(),
        StatusCode::UNAUTHORIZED,
        "the key died with the account"
    );
    let (status, _) = browser.page("/dashboard").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session ended");
    let response = browser.login("ada@example.org", PASSWORD).await;
    assert_ne!(
        response.status(),
        StatusCode::SEE_OTHER,
        "no account to log in to"
    );
    let (_, admin_page) = app.admin().await.page("/admin").await;
    assert!(!admin_page.contains("ada@example.org"));

    // The email is free again, for a new trial with nothing carried over.
    let (_, new_key) = app.user_with_key("ada@example.org").await;
    let usage: serde_json::Value = app.usage(&new_key).await.json().await.unwrap();
    assert_eq!(
        (usage["plan"].as_str(), usage["used"].as_u64()),
        (Some("trial"), Some(0))
    );
    assert_eq!(app.logos(&new_key).await.len(), 0);
}
