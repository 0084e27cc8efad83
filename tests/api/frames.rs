//! Frames and captions through the API: every style with a caption scans in every
//! decoder family; captions the font cannot draw, that are too long, invisible, or
//! cannot fit at a readable size are refused naming `caption`; a repeated caption is
//! drawn from the shaping cache.

use reqwest::StatusCode;
use serde_json::Value;

use crate::decode::{decode_all, grey, png_rgb, svg_to_png};
use crate::helpers::TestApp;

const URL: &str = "https://example.org/menu?table=12";

#[tokio::test]
async fn every_frame_style_with_a_caption_scans_in_every_decoder_at_its_full_size() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let styles = [
        "none",
        "box",
        "rounded_box",
        "banner_bottom",
        "banner_top",
        "bubble",
        "badge",
    ];
    for (i, style) in styles.into_iter().enumerate() {
        let format = if i % 2 == 0 { "png" } else { "svg" };
        let response = app
            .qr(
                Some(&key),
                "url",
                &[
                    ("url", URL),
                    ("frame", style),
                    ("caption", "Scan for the menu"),
                    ("frame_color", "#1d4ed8"),
                    ("format", format),
                    ("size", "360"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{style}");
        let bytes = response.bytes().await.unwrap();
        let png = if format == "svg" {
            let svg = String::from_utf8(bytes.to_vec()).unwrap();
            // Letters are outlines: no text element, no font needed.
            assert!(!svg.contains("<text") && !svg.contains("font"), "{style}");
            svg_to_png(svg.as_bytes())
        } else {
            bytes.to_vec()
        };
        let image = png_rgb(&png);
        assert_eq!(
            image.dimensions(),
            (360, 360),
            "{style}: size is the whole image"
        );
        decode_all(&grey(&image)).assert_every_decoder(URL, style);
    }
}

async fn refusal(app: &TestApp, key: &str, pairs: &[(&str, &str)]) -> Value {
    let mut query = vec![("url", URL), ("frame", "banner_bottom")];
    query.extend_from_slice(pairs);
    let response = app.qr(Some(key), "url", &query).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{pairs:?}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn captions_that_cannot_be_drawn_well_are_refused_naming_caption_and_count_nothing() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let missing = refusal(&app, &key, &[("caption", "扫码 Menu")]).await;
    let detail = missing["detail"].as_str().unwrap();
    assert!(
        detail.contains("caption") && detail.contains("U+626B"),
        "{detail}"
    );
    let long = "A".repeat(49);
    let too_long = refusal(&app, &key, &[("caption", &long)]).await;
    assert!(
        too_long["detail"].as_str().unwrap().contains("48"),
        "{too_long}"
    );
    for invisible in ["SCAN\u{202E}EM", "a\u{200B}b"] {
        let body = refusal(&app, &key, &[("caption", invisible)]).await;
        assert!(
            body["detail"].as_str().unwrap().contains("caption"),
            "{body}"
        );
    }
    let crowded = refusal(
        &app,
        &key,
        &[
            ("caption", "Scan this code to see the whole menu and order"),
            ("size", "128"),
        ],
    )
    .await;
    let detail = crowded["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("`caption`") && detail.contains("raise size"),
        "{detail}"
    );
    let usage: Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["used"], 0, "refusals are not counted");
}
