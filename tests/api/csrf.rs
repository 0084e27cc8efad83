//! CSRF: the token every form carries, bound to the session once there is one, and the
//! cookies' `__Host-` names under `server.secure_cookies`.

use reqwest::StatusCode;

use crate::helpers::{Browser, PASSWORD, TestApp, between};

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

/// The value a response sets for cookie `name`, and the whole `Set-Cookie` line.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with(&format!("{name}=")))
        .map(|line| {
            let value = line[name.len() + 1..].split(';').next().unwrap_or_default();
            (value.to_owned(), line.to_owned())
        })
}

/// A client that keeps no cookies: each request carries exactly the ones given.
pub struct Manual {
    pub base: String,
    client: reqwest::Client,
}

impl Manual {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.address.clone(),
            client: Browser::plain_client(),
        }
    }

    pub async fn get(&self, path: &str, cookies: &str) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if !cookies.is_empty() {
            request = request.header("cookie", cookies);
        }
        request.send().await.unwrap()
    }

    pub async fn post(
        &self,
        path: &str,
        cookies: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.base)).form(form);
        if !cookies.is_empty() {
            request = request.header("cookie", cookies);
        }
        request.send().await.unwrap()
    }

    /// The CSRF token of the form on `path` for a request carrying `cookies`.
    pub async fn token(&self, path: &str, cookies: &str) -> String {
        let body = self.get(path, cookies).await.text().await.unwrap();
        between(&body, "name=\"csrf_token\" value=\"", "\"").expect("a CSRF field")
    }
}

/// A fresh pre-login CSRF cookie value and its token, as anyone can get for himself.
async fn own_csrf_pair(manual: &Manual) -> (String, String) {
    let response = manual.get("/signup", "").await;
    let (cookie, _) = set_cookie(&response, "qrgate_csrf").expect("a CSRF cookie");
    let body = response.text().await.unwrap();
    let token = between(&body, "name=\"csrf_token\" value=\"", "\"").unwrap();
    (cookie, token)
}

/// Signs up `email` by hand and returns its session cookie value.
async fn session_of(manual: &Manual, email: &str) -> String {
    let (csrf, token) = own_csrf_pair(manual).await;
    let response = manual
        .post(
            "/signup",
            &format!("qrgate_csrf={csrf}"),
            &[
                ("csrf_token", &token),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    set_cookie(&response, "qrgate_session")
        .expect("a session")
        .0
}

#[tokio::test]
async fn an_attackers_own_cookie_and_token_do_not_pass_against_the_victims_session() {
    let app = TestApp::spawn().await;
    let manual = Manual::new(&app);
    let victim = session_of(&manual, "victim@example.org").await;
    let create = |token: String| {
        [
            ("csrf_token", token),
            ("action", "create".to_owned()),
            ("password", PASSWORD.to_owned()),
        ]
    };
    let post = |cookies: String, token: String| {
        let manual = &manual;
        async move {
            let form = create(token);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            manual
                .post("/dashboard/api", &cookies, &form)
                .await
                .status()
        }
    };

    // A pre-login pair planted next to the victim's session.
    let (planted, planted_token) = own_csrf_pair(&manual).await;
    let cookies = format!("qrgate_session={victim}; qrgate_csrf={planted}");
    assert_eq!(post(cookies, planted_token).await, StatusCode::FORBIDDEN);

    // The attacker's token from his own signed-in session.
    let attacker = session_of(&manual, "attacker@example.org").await;
    let attacker_token = manual
        .token("/dashboard/api", &format!("qrgate_session={attacker}"))
        .await;
    let cookies = format!("qrgate_session={victim}; qrgate_csrf={planted}");
    assert_eq!(post(cookies, attacker_token).await, StatusCode::FORBIDDEN);

    let page = manual
        .get("/dashboard/api", &format!("qrgate_session={victim}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"create-key\""), "no key was made");

    // The victim's own page token works, with or without the planted cookie.
    let own = manual
        .token("/dashboard/api", &format!("qrgate_session={victim}"))
        .await;
    let cookies = format!("qrgate_session={victim}; qrgate_csrf={planted}");
    assert_eq!(post(cookies, own).await, StatusCode::OK);
}

#[tokio::test]
async fn a_token_from_before_login_is_refused_after_login() {
    let app = TestApp::spawn().await;
    app.signed_up("ada@example.org").await;
    let browser = app.browser();
    let before = browser.csrf("/login").await;
    assert_eq!(
        browser.login("ada@example.org", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let form = [
        ("csrf_token", before.as_str()),
        ("action", "create"),
        ("password", PASSWORD),
    ];
    assert_eq!(
        browser.post_form("/dashboard/api", &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let after = browser.csrf("/dashboard/api").await;
    assert_ne!(after, before);
    assert_eq!(
        browser.create_key(PASSWORD).await.status(),
        StatusCode::OK,
        "the signed-in page's own token works"
    );
}

#[tokio::test]
async fn with_secure_cookies_both_cookies_are_host_prefixed_and_forms_work_with_them() {
    let app = TestApp::spawn_with(|c| c.server.secure_cookies = true).await;
    let manual = Manual::new(&app);
    let response = manual.get("/signup", "").await;
    let (csrf, line) = set_cookie(&response, "__Host-qrgate_csrf").expect("a __Host- CSRF cookie");
    assert_host_only(&line);
    assert!(set_cookie(&response, "qrgate_csrf").is_none());
    let body = response.text().await.unwrap();
    let token = between(&body, "name=\"csrf_token\" value=\"", "\"").unwrap();

    // A plain-named cookie (as a sibling site could plant) is not the CSRF cookie.
    let planted = manual
        .post(
            "/signup",
            &format!("qrgate_csrf={csrf}"),
            &[
                ("csrf_token", &token),
                ("email", "ada@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(planted.status(), StatusCode::FORBIDDEN);

    let signed_up = manual
        .post(
            "/signup",
            &format!("__Host-qrgate_csrf={csrf}"),
            &[
                ("csrf_token", &token),
                ("email", "ada@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), StatusCode::SEE_OTHER);
    let (session, line) =
        set_cookie(&signed_up, "__Host-qrgate_session").expect("a __Host- session cookie");
    assert_host_only(&line);
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax"),
        "{line}"
    );

    let cookies = format!("__Host-qrgate_session={session}");
    assert_eq!(
        manual.get("/dashboard", &cookies).await.status(),
        StatusCode::OK
    );
    let plain = format!("qrgate_session={session}");
    assert_eq!(
        manual.get("/dashboard", &plain).await.status(),
        StatusCode::SEE_OTHER,
        "the session is read under its __Host- name only"
    );

    let token = manual.token("/dashboard/api", &cookies).await;
    let created = manual
        .post(
            "/dashboard/api",
            &cookies,
            &[
                ("csrf_token", &token),
                ("action", "create"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    assert!(created.text().await.unwrap().contains("id=\"api-key\""));

    let logout = manual
        .post("/logout", &cookies, &[("csrf_token", &token)])
        .await;
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let (_, removal) = set_cookie(&logout, "__Host-qrgate_session").expect("a removal");
    assert_host_only(&removal);
    assert_eq!(
        manual.get("/dashboard", &cookies).await.status(),
        StatusCode::SEE_OTHER,
        "logged out"
    );
}

/// What browsers demand of a `__Host-` cookie: Secure, Path=/, no Domain.
fn assert_host_only(line: &str) {
    assert!(line.contains("Secure"), "{line}");
    assert!(line.contains("Path=/"), "{line}");
    assert!(!line.to_ascii_lowercase().contains("domain="), "{line}");
}
