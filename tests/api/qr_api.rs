//! The QR endpoints end to end: images that decode to the right payload, headers,
//! caching, previews for every refusal, and logos.

use reqwest::StatusCode;

use crate::decode::{png_luma, rqrr_png, svg_to_png, zbar_available, zbar_png};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_url_code_decodes_to_the_url_and_carries_its_headers() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let response = app
        .qr(
            Some(&key),
            "url",
            &[("url", "example.org/menu"), ("size", "333")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["cache-control"], "private, max-age=86400");
    assert_eq!(headers["x-quota-remaining"], "19");
    assert_eq!(headers["x-qr-version"], "2");
    assert!(headers["etag"].to_str().unwrap().starts_with('"'));
    let png = response.bytes().await.unwrap();
    assert_eq!(png_luma(&png).0, 333);
    assert_eq!(rqrr_png(&png).as_deref(), Ok("https://example.org/menu"));
}

#[tokio::test]
async fn the_key_works_from_the_query_so_a_url_pastes_into_a_browser() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let response = app
        .qr(
            None,
            "text",
            &[("text", "hello"), ("api_key", &key), ("format", "svg")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.bytes().await.unwrap();
    assert!(
        svg.starts_with(b"<svg") && svg.len() < 20_000,
        "compact SVG: {} bytes",
        svg.len()
    );
    assert_eq!(rqrr_png(&svg_to_png(&svg)).as_deref(), Ok("hello"));
}

#[tokio::test]
async fn post_takes_the_same_names_in_json() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let body = serde_json::json!({"type": "geo", "data": {"lat": 48.8584, "lng": 2.2945}, "design": {"size": 300, "ecc": "Q"}});
    let response = crate::helpers::Browser::plain_client()
        .post(format!("{}/api/v1/qr", app.address))
        .bearer_auth(&key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        rqrr_png(&response.bytes().await.unwrap()).as_deref(),
        Ok("geo:48.8584,2.2945")
    );
}

#[tokio::test]
async fn the_same_request_gives_the_same_bytes_and_a_304_that_is_not_counted() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let query = [("text", "same"), ("module_shape", "dot")];
    let first = app.qr(Some(&key), "text", &query).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let first = first.bytes().await.unwrap();
    let second = app.qr(Some(&key), "text", &query).await;
    assert_eq!(second.headers()["etag"], etag.as_str());
    assert_eq!(second.bytes().await.unwrap(), first);

    let revalidated = crate::helpers::Browser::plain_client()
        .get(format!("{}/api/v1/qr/text", app.address))
        .query(&query)
        .header("X-API-Key", &key)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    let usage: serde_json::Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["used"], 2, "two images, the 304 not counted");
}

#[tokio::test]
async fn download_asks_for_an_attachment() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let response = app
        .qr(
            Some(&key),
            "phone",
            &[("number", "+49 30 1234567"), ("download", "true")],
        )
        .await;
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"qr-phone.png\""
    );
}

#[tokio::test]
async fn previews_for_every_refusal_and_format_do_not_scan_and_are_not_counted() {
    let app = TestApp::spawn().await;
    let (_, active) = app.user_with_key("active@example.org").await;
    let (_, expired) = app.user_with_key("expired@example.org").await;
    let (_, used_up) = app.user_with_key("usedup@example.org").await;
    let (_, disabled) = app.user_with_key("disabled@example.org").await;
    let (renewer, renewed_away) = app.user_with_key("renewed@example.org").await;
    renewer
        .renew_key(crate::helpers::PASSWORD, "compromise")
        .await;
    for _ in 0..20 {
        assert_eq!(
            app.qr(Some(&used_up), "text", &[("text", "x")])
                .await
                .status(),
            StatusCode::OK
        );
    }
    let admin = app.admin().await;
    admin.set_disabled("disabled@example.org", true).await;
    // Expire one account: move past the trial, then re-grant a plan to everyone else.
    app.clock.advance(15 * 86_400);
    admin
        .login(crate::helpers::ADMIN_EMAIL, crate::helpers::PASSWORD)
        .await;
    for email in [
        "active@example.org",
        "usedup@example.org",
        "disabled@example.org",
    ] {
        admin.grant(email, "trial").await;
    }
    // A fresh trial period resets the used-up account; use it up again.
    for _ in 0..20 {
        app.qr(Some(&used_up), "text", &[("text", "x")]).await;
    }
    let cases: [(Option<&str>, u16, &str); 6] = [
        (None, 401, "missing_key"),
        (Some("qrg_not-a-key"), 401, "invalid_key"),
        (Some(&renewed_away), 401, "invalid_key"),
        (Some(&expired), 402, "expired"),
        (Some(&used_up), 402, "over_quota"),
        (Some(&disabled), 403, "disabled"),
    ];
    let usage_before: serde_json::Value = app.usage(&used_up).await.json().await.unwrap();
    for (key, status, reason) in cases {
        for format in ["png", "svg"] {
            let response = app
                .qr(
                    key,
                    "url",
                    &[
                        ("url", "https://example.org/secret"),
                        ("size", "400"),
                        ("format", format),
                    ],
                )
                .await;
            assert_eq!(response.status().as_u16(), status, "{reason} {format}");
            assert_eq!(response.headers()["x-qr-preview"], reason);
            assert_eq!(response.headers()["cache-control"], "no-store");
            let bytes = response.bytes().await.unwrap();
            let png = if format == "svg" {
                svg_to_png(&bytes)
            } else {
                bytes.to_vec()
            };
            assert_eq!(png_luma(&png).0, 400, "previews keep the requested size");
            assert!(
                rqrr_png(&png).is_err(),
                "rqrr read a preview: {reason} {format}"
            );
            if zbar_available() {
                assert!(
                    zbar_png(&png).is_err(),
                    "zbar read a preview: {reason} {format}"
                );
            }
        }
    }
    let usage_after: serde_json::Value = app.usage(&used_up).await.json().await.unwrap();
    assert_eq!(
        usage_before["used"], usage_after["used"],
        "previews are not counted"
    );
    assert_eq!(
        app.qr(Some(&active), "text", &[("text", "ok")])
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_preview_of_content_that_cannot_be_built_is_still_an_image() {
    let app = TestApp::spawn().await;
    let response = app.qr(None, "geo", &[("lat", "999")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(rqrr_png(&response.bytes().await.unwrap()).is_err());
}

#[tokio::test]
async fn a_logo_is_uploaded_listed_used_and_deleted() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let client = crate::helpers::Browser::plain_client();
    let logos = format!("{}/api/v1/logos", app.address);
    let response = client
        .post(&logos)
        .header("X-API-Key", &key)
        .body(logo_png())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let logo: serde_json::Value = response.json().await.unwrap();
    let id = logo["id"].as_str().unwrap().to_owned();
    assert_eq!(logo["content_type"], "image/png");

    assert_eq!(app.logos(&key).await[0]["id"], id.as_str());

    for format in ["png", "svg"] {
        for ecc in ["L", "M", "H"] {
            let query = [
                ("url", "https://example.org/with-logo"),
                ("logo", id.as_str()),
                ("format", format),
                ("ecc", ecc),
                ("size", "600"),
            ];
            let response = app.qr(Some(&key), "url", &query).await;
            assert_eq!(response.status(), StatusCode::OK);
            let bytes = response.bytes().await.unwrap();
            let png = if format == "svg" {
                svg_to_png(&bytes)
            } else {
                bytes.to_vec()
            };
            assert_eq!(
                rqrr_png(&png).as_deref(),
                Ok("https://example.org/with-logo"),
                "{format} {ecc}"
            );
            if zbar_available() {
                assert_eq!(
                    zbar_png(&png).as_deref(),
                    Ok("https://example.org/with-logo"),
                    "zbar {format} {ecc}"
                );
            }
        }
    }

    let deleted = client
        .delete(format!("{logos}/{id}"))
        .header("X-API-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = app
        .qr(Some(&key), "url", &[("url", "example.org"), ("logo", &id)])
        .await;
    assert_eq!(gone.status(), StatusCode::BAD_REQUEST);
    let problem: serde_json::Value = gone.json().await.unwrap();
    assert_eq!(problem["parameter"], "logo");
}

/// A 96×96 two-colour PNG, like a simple brand mark.
pub fn logo_png() -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 96, 96);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..96 * 96)
        .flat_map(|i| {
            let (x, y) = (i % 96, i / 96);
            if (x - 48i32).pow(2) + (y - 48i32).pow(2) < 40 * 40 {
                [220, 38, 38]
            } else {
                [255, 255, 255]
            }
        })
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

#[tokio::test]
async fn a_repeated_request_is_kept_the_second_time_and_counted_every_time() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let query = [("url", "https://example.org/popular"), ("size", "300")];
    let first = app
        .qr(Some(&key), "url", &query)
        .await
        .bytes()
        .await
        .unwrap();
    for _ in 0..4 {
        let again = app.qr(Some(&key), "url", &query).await;
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(again.bytes().await.unwrap(), first);
    }
    let usage: serde_json::Value = app.usage(&key).await.json().await.unwrap();
    assert_eq!(usage["used"], 5, "cached images count like fresh ones");
    let metrics = crate::helpers::Browser::plain_client()
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The render cache keeps an image the second time it is asked for (a code asked for
    // once is not cached): drawn twice, then served from the cache three times.
    assert!(
        metrics.contains("qrgate_render_seconds_count{format=\"png\"} 2\n"),
        "drawn twice:\n{metrics}"
    );
}
