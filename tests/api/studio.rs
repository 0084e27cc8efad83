//! `/dashboard/studio` over HTTP: signed-in only; the page carries every design option
//! and the request in three spellings with no key; the live preview is watermarked, not
//! counted, does not decode and has its own per-account limit; Download is a CSRF-checked
//! POST that makes exactly one counted generation, which decodes; Get a signed URL is a
//! CSRF-checked POST that signs the request for the account's key, with no key on the
//! page or in the URL. (The browser test below drives the same page with JavaScript.)

use reqwest::StatusCode;
use serde_json::Value;

use crate::decode::{decode_all, grey, png_rgb};
use crate::helpers::{TestApp, between};

const QUERY: &str = "type=url&url=https%3A%2F%2Fexample.org%2Fstudio&module_shape=dot&frame=banner_bottom&caption=SCAN+ME";

async fn used(app: &TestApp, key: &str) -> u64 {
    let usage: Value = app.usage(key).await.json().await.unwrap();
    usage["used"].as_u64().unwrap()
}

#[tokio::test]
async fn the_studio_is_for_signed_in_people_and_shows_every_option_and_the_request() {
    let app = TestApp::spawn().await;
    let stranger = app.browser();
    let (status, _) = stranger.page("/dashboard/studio").await;
    assert!(
        status.is_redirection() || status == StatusCode::UNAUTHORIZED,
        "{status}"
    );
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let (status, body) = browser.page(&format!("/dashboard/studio?{QUERY}")).await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "module_shape",
        "eye_frame",
        "fg_gradient",
        "frame",
        "caption",
        "print_size",
        "quality",
        "logo",
    ] {
        assert!(body.contains(&format!("name=\"{name}\"")), "{name}");
    }
    assert!(
        body.contains("/docs/shapes/module_shape/dot.svg"),
        "shape pictures"
    );
    let url = between(&body, "<code id=\"studio-url\">", "</code>").unwrap();
    let url = url.replace("&#38;", "&");
    assert!(
        url.contains("/api/v1/qr/url?url=https%3A%2F%2Fexample.org%2Fstudio&module_shape=dot"),
        "{url}"
    );
    assert!(url.ends_with("api_key=YOUR_API_KEY"));
    assert!(!body.contains(&key), "the page never holds the key");
    assert!(body.contains("id=\"studio-json\""));
    // A wrong value is named on the page, as the API would name it.
    let (_, wrong) = browser
        .page("/dashboard/studio?type=url&url=example.org&size=9")
        .await;
    let shown = between(
        &wrong,
        "id=\"studio-problem\" class=\"error\" role=\"alert\">",
        "</p>",
    )
    .unwrap();
    assert!(shown.contains("size") && shown.contains("64"), "{shown}");
}

#[tokio::test]
async fn the_live_preview_is_watermarked_free_unscannable_and_limited_per_account() {
    let app = TestApp::spawn_with(|c| {
        (
            c.limits.studio_preview_burst,
            c.limits.studio_previews_per_second,
        ) = (4, 1)
    })
    .await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let preview = browser
        .get(&format!("/dashboard/studio/preview?{QUERY}&format=pdf"))
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["x-qr-preview"], "studio");
    assert_eq!(preview.headers()["content-type"], "image/png");
    let image = png_rgb(&preview.bytes().await.unwrap());
    assert!(image.width() <= 512);
    let readings = decode_all(&grey(&image));
    assert!(
        readings.agreeing("https://example.org/studio").is_empty(),
        "must not scan"
    );
    let bad = browser
        .get("/dashboard/studio/preview?type=url&url=x.org&caption=%E6%89%AB")
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let problem: Value = bad.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("caption"));
    // A cleared URL field is named, not drawn as the first visit's example.
    let cleared = browser
        .get("/dashboard/studio/preview?type=url&size=300")
        .await;
    assert_eq!(cleared.status(), StatusCode::BAD_REQUEST);
    let problem: Value = cleared.json().await.unwrap();
    assert_eq!(problem["parameter"], "url", "{problem}");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            browser
                .get(&format!("/dashboard/studio/preview?{QUERY}"))
                .await
                .status(),
        );
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(used(&app, &key).await, 0, "previews are free");
    let stranger = app.browser();
    let anonymous = stranger
        .get(&format!("/dashboard/studio/preview?{QUERY}"))
        .await;
    assert_ne!(anonymous.status(), StatusCode::OK);
}

#[tokio::test]
async fn download_is_a_csrf_checked_post_that_counts_exactly_one_generation() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let fields = [
        ("type", "url"),
        ("url", "https://example.org/studio"),
        ("module_shape", "rounded"),
        ("frame", "badge"),
        ("caption", "Menu"),
        ("format", "png"),
    ];
    let forged = browser
        .post_form("/dashboard/studio/download", &fields)
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "no CSRF token");
    assert_eq!(used(&app, &key).await, 0);
    let response = browser
        .submit("/dashboard/studio", "/dashboard/studio/download", &fields)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment") && disposition.ends_with(".png\""));
    let image = png_rgb(&response.bytes().await.unwrap());
    decode_all(&grey(&image)).assert_every_decoder("https://example.org/studio", "download");
    assert_eq!(used(&app, &key).await, 1);
}

/// The signed URL the page shows, unescaped.
fn signed_url_on(page: &str) -> String {
    between(page, "id=\"studio-signed-url\">", "</code>")
        .expect("the page shows the signed URL")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn get_a_signed_url_signs_the_request_without_the_key_and_a_fetch_counts_once() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let fields = [
        ("type", "url"),
        ("url", "https://example.org/signed"),
        ("module_shape", "dot"),
        ("expires_in", "86400"),
    ];
    let forged = browser.post_form("/dashboard/studio/sign", &fields).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "no CSRF token");

    // Without JavaScript: the page again, with the URL.
    let response = browser
        .submit("/dashboard/studio", "/dashboard/studio/sign", &fields)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(
        !page.contains(&key) && !page.contains(&key[4..]),
        "no key on the page"
    );
    let url = signed_url_on(&page);
    assert!(
        url.starts_with(&format!("{}/api/v1/s/", app.address)),
        "{url}"
    );
    assert!(
        !url.contains("qrg_") && !url.contains(&key[4..]),
        "no key in {url}"
    );
    assert!(
        page.contains("It works until"),
        "the page says when it expires"
    );
    assert!(
        page.contains("value=\"86400\" selected"),
        "the chosen expiry stays chosen"
    );
    assert_eq!(used(&app, &key).await, 0, "signing is not a generation");

    let image = reqwest::get(&url).await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert!(image.headers().get("x-qr-preview").is_none());
    let png = png_rgb(&image.bytes().await.unwrap());
    decode_all(&grey(&png)).assert_every_decoder("https://example.org/signed", "signed URL");
    assert_eq!(used(&app, &key).await, 1, "a fetch is one generation");

    // The script's way: JSON, with a URL that does not expire.
    let token = browser.csrf("/dashboard/studio").await;
    let answer: Value = browser
        .client
        .post(format!("{}/dashboard/studio/sign", app.address))
        .header("accept", "application/json")
        .form(&[
            ("csrf_token", token.as_str()),
            ("type", "text"),
            ("text", "hello"),
            ("expires_in", ""),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["expires"], Value::Null, "{answer}");
    let url = answer["url"].as_str().unwrap();
    let png = png_rgb(&reqwest::get(url).await.unwrap().bytes().await.unwrap());
    decode_all(&grey(&png)).assert_every_decoder("hello", "signed URL from JSON");
}

#[tokio::test]
async fn signing_in_the_studio_names_what_is_wrong_on_the_page() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.user_with_key("ada@example.org").await;
    let sign = |fields: Vec<(&'static str, &'static str)>| {
        let browser = &browser;
        async move {
            let response = browser
                .submit("/dashboard/studio", "/dashboard/studio/sign", &fields)
                .await;
            (response.status(), response.text().await.unwrap())
        }
    };
    let url = ("url", "https://example.org/x");
    let (status, page) = sign(vec![("type", "url"), url, ("expires_in", "forever")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("`expires_in` must be"), "{page}");
    let (status, page) = sign(vec![("type", "url"), url, ("expires_in", "31536001")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("`expires_in` must be"));
    let (status, page) = sign(vec![("type", "url"), url, ("logo", "nope")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a logo the account lacks");
    assert!(page.contains("logo"));
    assert!(
        !page.contains("id=\"studio-signed-url\">http"),
        "nothing signed"
    );
    // A cleared field is missing, not the example the first visit shows.
    let (status, page) = sign(vec![("type", "url"), ("expires_in", "3600")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("url") && page.contains("is required"),
        "{page}"
    );
    assert!(!page.contains("id=\"studio-signed-url\">http"));

    // An account without a key is told to make one; the page offers no button.
    let keyless = app.signed_up("bob@example.org").await;
    let (_, page) = keyless.page("/dashboard/studio").await;
    assert!(!page.contains("id=\"studio-sign-button\""));
    assert!(page.contains("create a key"));
    let response = keyless
        .submit(
            "/dashboard/studio",
            "/dashboard/studio/sign",
            &[("type", "url"), url],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("no API key yet"));
}

/// The sign form is new input: oversized, undecodable and out-of-range bodies are named
/// (413, 400 with the field), quickly, sign nothing, and leave the page working.
#[tokio::test]
async fn hostile_sign_forms_are_refused_quickly_and_sign_nothing() {
    let app = TestApp::spawn().await;
    let (browser, key) = app.user_with_key("ada@example.org").await;
    let token = browser.csrf("/dashboard/studio").await;
    let post = |body: Vec<u8>| {
        browser
            .client
            .post(format!("{}/dashboard/studio/sign", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let started = std::time::Instant::now();
    let huge = format!("csrf_token={token}&type=url&url={}", "a".repeat(64 * 1024));
    assert_eq!(
        post(huge.into_bytes()).await.unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let mut invalid = format!("csrf_token={token}&type=text&text=").into_bytes();
    invalid.extend_from_slice(&[0xff, 0xfe, b'%', b'z']);
    // Forms decode lossily, as browsers expect: named or signed, never a server error.
    assert!(!post(invalid).await.unwrap().status().is_server_error());
    for expires in ["99999999999999999999999", "-5", "0", "1e9", "3600.5", "%00"] {
        let body = format!(
            "csrf_token={token}&type=url&url=https%3A%2F%2Fexample.org&expires_in={expires}"
        );
        let response = post(body.into_bytes()).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "expires_in={expires}"
        );
        let page = response.text().await.unwrap();
        assert!(
            page.contains("`expires_in` must be"),
            "expires_in={expires}"
        );
        assert!(!page.contains("/api/v1/s/"), "nothing signed for {expires}");
    }
    let control = format!("csrf_token={token}&type=text&text=a%00b&expires_in=3600");
    let page = post(control.into_bytes())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("control character"), "{page}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(used(&app, &key).await, 0);
    let (status, _) = browser.page("/dashboard/studio").await;
    assert_eq!(status, StatusCode::OK, "the page still works");
}

#[tokio::test]
async fn a_person_changes_shape_and_colour_sees_the_preview_change_and_downloads_one_counted_code()
{
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let saved = crate::docs::screenshot_dir().join("studio-download.png");
    let _ = std::fs::remove_file(&saved);
    let _ = std::fs::remove_file(crate::docs::screenshot_dir().join("studio-signed-url.txt"));
    let env: [(&str, &std::ffi::OsStr); 2] = [
        ("QRGATE_EMAIL", "ada@example.org".as_ref()),
        ("QRGATE_PASSWORD", crate::helpers::PASSWORD.as_ref()),
    ];
    if crate::docs::run_browser_script("studio.mjs", &app.address, &env)
        .await
        .is_none()
    {
        return;
    }
    let file = std::fs::read(&saved).expect("the downloaded file");
    decode_all(&grey(&png_rgb(&file)))
        .assert_every_decoder("https://example.org/menu", "the studio's download");
    assert_eq!(used(&app, &key).await, 1, "one download, one generation");
    assert!(
        crate::docs::screenshot_dir()
            .join("studio-screenshot.png")
            .exists()
    );
    let signed =
        std::fs::read_to_string(crate::docs::screenshot_dir().join("studio-signed-url.txt"))
            .expect("the signed URL the page showed");
    assert!(!signed.contains(&key[4..]), "no key in {signed}");
    let image = reqwest::get(signed.trim()).await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    decode_all(&grey(&png_rgb(&image.bytes().await.unwrap())))
        .assert_every_decoder("https://example.org/menu", "the studio's signed URL");
    assert_eq!(
        used(&app, &key).await,
        2,
        "the signed URL's fetch counts once"
    );
}

#[tokio::test]
async fn the_home_page_shows_codes_the_server_drew_in_several_designs_and_they_scan() {
    let app = TestApp::spawn().await;
    let (status, body) = app.browser().page("/").await;
    assert_eq!(status, StatusCode::OK);
    let mut pictures = 0;
    for piece in body.split("src=\"data:image/svg+xml;base64,").skip(1) {
        let data = &piece[..piece.find('"').unwrap()];
        use base64::Engine;
        let svg = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        let png = crate::decode::svg_to_png(&svg);
        decode_all(&grey(&png_rgb(&png))).assert_every_decoder("Drawn by qrgate", "gallery");
        pictures += 1;
    }
    assert!(pictures >= 6, "{pictures} pictures");
}

/// Hostile values in the studio's query: each is named on the page (or by the preview's
/// problem) and answered quickly; nothing is a server error, and the page still works.
#[tokio::test]
async fn hostile_input_is_named_on_the_page_and_in_the_preview_and_breaks_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.user_with_key("ada@example.org").await;
    let long_caption = "W".repeat(4_000);
    let cases: Vec<(String, &str)> = vec![
        (
            format!("type=url&url=x.org&caption={long_caption}"),
            "caption",
        ),
        ("type=url&url=x.org&caption=a%00b".into(), "caption"),
        ("type=url&url=x.org&caption=%E2%80%AEevil".into(), "caption"),
        ("type=url&url=x.org&print_size=99999mm".into(), "print_size"),
        ("type=url&url=x.org&print_size=-3in".into(), "print_size"),
        ("type=url&url=x.org&quality=1000".into(), "quality"),
        (
            "type=url&url=x.org&size=99999999999999999999".into(),
            "size",
        ),
        ("type=url&url=x.org&frame=%FF%FE".into(), "frame"),
        (
            "type=url&url=x.org&fg_gradient=linear:9e99:#000,#111".into(),
            "fg_gradient",
        ),
    ];
    for (query, name) in &cases {
        let started = std::time::Instant::now();
        let (status, body) = browser.page(&format!("/dashboard/studio?{query}")).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "{query}: {status}"
        );
        let shown = between(
            &body,
            "id=\"studio-problem\" class=\"error\" role=\"alert\">",
            "</p>",
        )
        .unwrap_or_default();
        assert!(shown.contains(name), "{query}: the page says {shown:?}");
        let preview = browser
            .get(&format!("/dashboard/studio/preview?{query}"))
            .await;
        assert!(
            preview.status().is_client_error(),
            "{query}: {}",
            preview.status()
        );
        let problem: Value = preview.json().await.unwrap();
        let said = format!("{} {}", problem["detail"], problem["parameter"]);
        assert!(said.contains(name), "{query}: {said}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{query} took {:?}",
            started.elapsed()
        );
    }
    // A logo the account does not have: named on the page (the preview draws no logo).
    let (_, body) = browser
        .page("/dashboard/studio?type=url&url=x.org&logo=lg_not_mine")
        .await;
    let shown = between(
        &body,
        "id=\"studio-problem\" class=\"error\" role=\"alert\">",
        "</p>",
    )
    .unwrap_or_default();
    assert!(
        shown.contains("logo") && shown.contains("lg_not_mine"),
        "{shown}"
    );
    // A query past the URI bound is refused before the studio reads it.
    let huge = format!(
        "/dashboard/studio?type=url&url=x.org&caption={}",
        "x".repeat(20_000)
    );
    assert!(browser.get(&huge).await.status().is_client_error());
    // And the page still draws a good request afterwards.
    let (status, body) = browser.page(&format!("/dashboard/studio?{QUERY}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"studio-problem\" class=\"error\" role=\"alert\" hidden"));
}
