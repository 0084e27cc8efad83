use reqwest::StatusCode;

use crate::helpers::{Browser, PASSWORD, TestApp, api_key_in, renewal_log_rows};

#[tokio::test]
async fn creating_a_key_needs_the_account_password() {
    let app = TestApp::spawn().await;
    let browser = app.signed_up("ada@example.org").await;
    let response = browser.create_key("not my password at all").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = response.text().await.unwrap();
    assert!(body.contains("Incorrect password"));
    assert!(api_key_in(&body).is_none());

    let response = browser.create_key(PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let key = api_key_in(&response.text().await.unwrap()).expect("the key is shown");
    assert!(key.starts_with("qrg_") && key.len() == 32, "{key}");
    assert_eq!(app.usage(&key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_full_key_is_shown_once_then_only_its_prefix() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let (_, body) = browser.page("/dashboard/api").await;
    assert!(!body.contains(&key), "the full key is never shown again");
    assert!(api_key_in(&body).is_none());
    assert!(body.contains(&key[..10]), "its prefix is shown");
    let (_, dashboard) = browser.page("/dashboard").await;
    assert!(!dashboard.contains(&key) && dashboard.contains(&key[..10]));
    // A second creation is refused: renewal is the way to a new key.
    assert_eq!(
        browser.create_key(PASSWORD).await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn the_database_holds_neither_the_key_nor_the_password_in_clear() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let bytes = std::fs::read(app.data_dir.join(qrgate::store::DB_FILE)).unwrap();
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"ada@example.org"), "the file is the right one");
    assert!(!contains(key.as_bytes()), "the key is stored hashed");
    assert!(
        !contains(&key.as_bytes()[4..]),
        "not even without its prefix"
    );
    assert!(
        !contains(PASSWORD.as_bytes()),
        "the password is stored hashed"
    );
}

#[tokio::test]
async fn the_key_is_accepted_in_a_header_as_a_bearer_token_and_in_the_query() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let client = Browser::plain_client();
    let url = format!("{}/api/v1/usage", app.address);
    let by_bearer = client.get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(by_bearer.status(), StatusCode::OK);
    let by_query = client
        .get(format!("{url}?api_key={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_query.status(), StatusCode::OK);
    let body: serde_json::Value = by_query.json().await.unwrap();
    assert_eq!(body["key_prefix"], key[..10]);
    assert!(
        !body.to_string().contains(&key),
        "the full key is never echoed"
    );
}

#[tokio::test]
async fn a_mistyped_or_unknown_key_is_refused_with_401() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let mut typo = key.clone().into_bytes();
    typo[8] = if typo[8] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    let never_issued = qrgate::domain::ApiKey::generate();
    for bad in [typo.as_str(), "qrg_", "hello", never_issued.expose()] {
        let response = app.usage(bad).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["parameter"], "api_key");
        assert!(
            !problem.to_string().contains(bad) || bad.len() < 8,
            "the key is not echoed"
        );
    }
}

#[tokio::test]
async fn five_renewals_work_each_retiring_the_old_key_and_the_sixth_is_refused() {
    let app = TestApp::spawn().await;
    let (browser, mut key) = app.user_with_key("ada@example.org").await;
    for (i, reason) in [
        "expiration",
        "compromise",
        "access_change",
        "expiration",
        "compromise",
    ]
    .iter()
    .enumerate()
    {
        app.clock.advance(60);
        let response = browser.renew_key(PASSWORD, reason).await;
        assert_eq!(response.status(), StatusCode::OK, "renewal {}", i + 1);
        let new_key = api_key_in(&response.text().await.unwrap()).expect("the new key is shown");
        assert_ne!(new_key, key);
        assert_eq!(
            app.usage(&key).await.status(),
            StatusCode::UNAUTHORIZED,
            "the old key stops at once"
        );
        assert_eq!(app.usage(&new_key).await.status(), StatusCode::OK);
        key = new_key;
    }
    let response = browser.renew_key(PASSWORD, "expiration").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = response.text().await.unwrap();
    assert!(api_key_in(&body).is_none());
    assert!(
        body.contains("next renewal is possible at"),
        "the page says when"
    );
    assert_eq!(
        app.usage(&key).await.status(),
        StatusCode::OK,
        "the current key keeps working"
    );

    let (_, page) = browser.page("/dashboard/api").await;
    assert_eq!(
        renewal_log_rows(&page),
        6,
        "one row for the creation and one per renewal"
    );
    assert!(page.contains("Compromise") && page.contains("Change in access level"));
    assert!(
        page.contains("127.0.0.1") && page.contains("qrgate-tests/1.0"),
        "IP and user agent are logged"
    );

    // The window rolls: a day after the first renewal, one more is allowed.
    app.clock.advance(24 * 3600 - 4 * 60);
    // A day idle has also ended the session.
    assert_eq!(
        browser.login("ada@example.org", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        browser.renew_key(PASSWORD, "expiration").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        browser.renew_key(PASSWORD, "expiration").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn ten_simultaneous_renewals_yield_at_most_five_new_keys() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.user_with_key("ada@example.org").await;
    let token = browser.csrf("/dashboard/api").await;
    let attempts = (0..10).map(|_| {
        let form = [
            ("csrf_token", token.clone()),
            ("action", "renew".into()),
            ("password", PASSWORD.into()),
            ("reason", "compromise".into()),
        ];
        let request = browser
            .client
            .post(format!("{}/dashboard/api", browser.base))
            .form(&form);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status(),
                api_key_in(&response.text().await.unwrap()),
            )
        }
    });
    let results = futures_join_all(attempts).await;
    let issued: Vec<String> = results.iter().filter_map(|(_, key)| key.clone()).collect();
    let refused = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(issued.len(), 5, "{results:?}");
    assert_eq!(refused, 5);
    // Exactly one of the issued keys, the last committed, works.
    let mut working = 0;
    for key in &issued {
        working += usize::from(app.usage(key).await.status() == StatusCode::OK);
    }
    assert_eq!(working, 1);
    let (_, page) = browser.page("/dashboard/api").await;
    assert_eq!(renewal_log_rows(&page), 6);
}

#[tokio::test]
async fn a_renewal_needs_the_password_and_a_known_reason() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    assert_eq!(
        browser
            .renew_key("wrong password here", "expiration")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let response = browser.renew_key(PASSWORD, "boredom").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("Choose a reason"));
    assert_eq!(
        app.usage(&key).await.status(),
        StatusCode::OK,
        "nothing changed"
    );
}

/// Runs futures concurrently on the test runtime.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
