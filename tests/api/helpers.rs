//! Test harness: the real application on a random port with a temporary data dir and a
//! manual clock, and a `Browser` that keeps cookies and fills forms like a person would.

use std::path::PathBuf;

use qrgate::clock::Clock;
use qrgate::config::Config;
use qrgate::startup::Application;
use reqwest::{Response, StatusCode};
use tempfile::TempDir;

pub const ADMIN_EMAIL: &str = "admin@example.org";
pub const PASSWORD: &str = "correct horse battery staple";
/// A fixed start time (2026-09-21), so tests do not depend on the real date.
pub const START: i64 = 1_790_000_000;

pub struct TestApp {
    pub address: String,
    pub clock: Clock,
    pub data_dir: PathBuf,
    _dir: TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with the shipped defaults, adjusted by `adjust`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = Config::defaults();
        config.server.bind = "127.0.0.1:0".into();
        config.server.workers = 2;
        config.storage.data_dir = dir.path().to_path_buf();
        config.admin.emails = vec![ADMIN_EMAIL.into()];
        // Rate limits are tested on their own (tests/api/limits.rs); elsewhere they
        // would only make tests that sign up many accounts from 127.0.0.1 flaky.
        let l = &mut config.limits;
        (
            l.signup_burst,
            l.login_burst,
            l.key_change_burst,
            l.keyless_burst,
        ) = (10_000, 10_000, 10_000, 10_000);
        for plan in config.plans.values_mut() {
            (plan.rate_per_second, plan.burst) = (10_000, 10_000);
        }
        // The same for the previews' share of drawing time (tests/api/hardening/): a test
        // build draws a preview some fifty times slower than a release build.
        config.render.preview_ms_per_second = 1_000_000;
        // And for the render deadline, which a debug build's large styled codes can pass
        // on a busy machine; tests/api/hardening/budget.rs tests it with its own value.
        config.render.max_render_ms = 60_000;
        adjust(&mut config);
        let clock = Clock::manual(START);
        let app = Application::build(config, clock.clone()).expect("the app builds");
        let address = format!("http://{}", app.local_addr());
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            clock,
            data_dir: dir.path().to_path_buf(),
            _dir: dir,
        }
    }

    /// Submits the form on `page` (to the same path) from a new browser, with the
    /// `X-Forwarded-For` a proxy in front would add for a client at `forwarded_for`.
    pub async fn submit_from(
        &self,
        forwarded_for: &str,
        page: &str,
        fields: &[(&str, &str)],
    ) -> StatusCode {
        let headers = [("x-forwarded-for", forwarded_for)];
        self.browser()
            .submit_with_headers(page, page, fields, &headers)
            .await
            .status()
    }

    /// A new browser with its own cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// A browser signed in to a fresh account with the given email.
    pub async fn signed_up(&self, email: &str) -> Browser {
        let browser = self.browser();
        let response = browser.signup(email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-up of {email} failed"
        );
        browser
    }

    /// A signed-in browser and the account's freshly created API key.
    pub async fn user_with_key(&self, email: &str) -> (Browser, String) {
        let browser = self.signed_up(email).await;
        let body = browser.create_key(PASSWORD).await.text().await.unwrap();
        let key = api_key_in(&body).expect("the new key is shown");
        (browser, key)
    }

    pub async fn admin(&self) -> Browser {
        self.signed_up(ADMIN_EMAIL).await
    }

    /// `GET /api/v1/qr/{kind}` with these query pairs and (if given) the key as a header.
    pub async fn qr(&self, key: Option<&str>, kind: &str, query: &[(&str, &str)]) -> Response {
        let mut request = Browser::plain_client()
            .get(format!("{}/api/v1/qr/{kind}", self.address))
            .query(query);
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        request.send().await.unwrap()
    }

    /// `GET /api/v1/logos` with the key: the account's logos as listed.
    pub async fn logos(&self, key: &str) -> Vec<serde_json::Value> {
        let listed: serde_json::Value = Browser::plain_client()
            .get(format!("{}/api/v1/logos", self.address))
            .header("X-API-Key", key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        listed["logos"].as_array().expect("a logos array").clone()
    }

    pub async fn usage(&self, key: &str) -> Response {
        Browser::plain_client()
            .get(format!("{}/api/v1/usage", self.address))
            .header("X-API-Key", key)
            .send()
            .await
            .unwrap()
    }
}

pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("qrgate-tests/1.0")
            .build()
            .unwrap();
        Self {
            base: base.to_owned(),
            client,
        }
    }

    pub fn plain_client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.unwrap())
    }

    /// The CSRF token of the form on `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, body) = self.page(path).await;
        between(&body, "name=\"csrf_token\" value=\"", "\"").expect("the page has a CSRF field")
    }

    /// Posts a form with the page's CSRF token added.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(page).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        form.extend_from_slice(fields);
        self.post_form(action, &form).await
    }

    /// Posts a form with the page's CSRF token and these request headers, as a proxy
    /// (`X-Forwarded-For`) or a browser (`Origin`) would add them.
    pub async fn submit_with_headers(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf(page).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        form.extend_from_slice(fields);
        let request = self
            .client
            .post(format!("{}{action}", self.base))
            .form(&form);
        let request = headers.iter().fold(request, |request, (name, value)| {
            request.header(*name, *value)
        });
        request.send().await.unwrap()
    }

    pub async fn post_form(&self, action: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{action}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn signup(&self, email: &str, password: &str) -> Response {
        self.submit(
            "/signup",
            "/signup",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn logout(&self) -> Response {
        self.submit("/dashboard", "/logout", &[]).await
    }

    pub async fn create_key(&self, password: &str) -> Response {
        self.submit(
            "/dashboard/api",
            "/dashboard/api",
            &[("action", "create"), ("password", password)],
        )
        .await
    }

    pub async fn renew_key(&self, password: &str, reason: &str) -> Response {
        let fields = [
            ("action", "renew"),
            ("password", password),
            ("reason", reason),
        ];
        self.submit("/dashboard/api", "/dashboard/api", &fields)
            .await
    }

    // The `_checked` variants report a lost connection instead of panicking: the crash
    // test kills the server under them.

    /// Posts a form (with the page's CSRF token) and returns the page it answers.
    pub async fn post_checked(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<(StatusCode, String), reqwest::Error> {
        let form_page = self
            .client
            .get(format!("{}{page}", self.base))
            .send()
            .await?
            .text()
            .await?;
        let token = between(&form_page, "name=\"csrf_token\" value=\"", "\"").unwrap_or_default();
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        form.extend_from_slice(fields);
        let response = self
            .client
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await?;
        Ok((response.status(), response.text().await?))
    }

    pub async fn submit_checked(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Option<StatusCode> {
        self.post_checked(page, action, fields)
            .await
            .ok()
            .map(|(status, _)| status)
    }

    pub async fn create_key_checked(&self, password: &str) -> Result<String, reqwest::Error> {
        let fields = [("action", "create"), ("password", password)];
        Ok(self
            .post_checked("/dashboard/api", "/dashboard/api", &fields)
            .await?
            .1)
    }

    pub async fn renew_key_checked(
        &self,
        password: &str,
        reason: &str,
    ) -> Result<String, reqwest::Error> {
        let fields = [
            ("action", "renew"),
            ("password", password),
            ("reason", reason),
        ];
        Ok(self
            .post_checked("/dashboard/api", "/dashboard/api", &fields)
            .await?
            .1)
    }

    pub async fn grant(&self, email: &str, plan: &str) -> Response {
        self.submit(
            "/admin",
            "/admin/grant",
            &[("email", email), ("plan", plan)],
        )
        .await
    }

    pub async fn set_disabled(&self, email: &str, disabled: bool) -> Response {
        let action = if disabled { "disable" } else { "enable" };
        self.submit(
            "/admin",
            "/admin/status",
            &[("email", email), ("action", action)],
        )
        .await
    }
}

/// The text between the first `start` and the next `end`.
pub fn between(body: &str, start: &str, end: &str) -> Option<String> {
    let from = body.find(start)? + start.len();
    let len = body[from..].find(end)?;
    Some(body[from..from + len].to_owned())
}

/// The full key shown in `<code id="api-key">`.
pub fn api_key_in(body: &str) -> Option<String> {
    between(body, "<code id=\"api-key\">", "</code>")
}

/// The rows of `<table id="renewal-log">`'s body.
pub fn renewal_log_rows(body: &str) -> usize {
    let table =
        between(body, "<table id=\"renewal-log\">", "</table>").expect("the renewal log table");
    table.matches("<tr><td>").count()
}
