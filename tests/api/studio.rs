//! `/dashboard/studio` over HTTP: signed-in only; the page carries every design option
//! and the request in three spellings with no key; the live preview is watermarked, not
//! counted, does not decode and has its own per-account limit; Download is a CSRF-checked
//! POST that makes exactly one counted generation, which decodes. (The browser test,
//! `studio_browser.rs`, drives the same page with JavaScript.)

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

#[tokio::test]
async fn a_person_changes_shape_and_colour_sees_the_preview_change_and_downloads_one_counted_code()
{
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let saved = crate::docs::screenshot_dir().join("studio-download.png");
    let _ = std::fs::remove_file(&saved);
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
