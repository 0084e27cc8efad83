//! The design range through the API: verify=true, gradients and their errors, the
//! contrast rule on every stop, compact deterministic SVG, and the shape pictures of /docs.

use qrgate::qr::design::shape_choices;
use reqwest::StatusCode;
use serde_json::Value;

use crate::decode::{rqrr_png, svg_to_png};
use crate::helpers::TestApp;

const URL: &str = "https://example.org/menu?table=12";

#[tokio::test]
async fn verify_true_answers_a_scannable_code_with_x_scan_verified() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    for format in ["png", "svg"] {
        let response = app
            .qr(
                Some(&key),
                "url",
                &[
                    ("url", URL),
                    ("verify", "true"),
                    ("module_shape", "dot"),
                    ("eye_frame", "leaf"),
                    ("format", format),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        assert_eq!(response.headers()["x-scan-verified"], "true");
        let bytes = response.bytes().await.unwrap();
        let png = if format == "svg" {
            svg_to_png(&bytes)
        } else {
            bytes.to_vec()
        };
        assert_eq!(rqrr_png(&png).as_deref(), Ok(URL));
    }
    // Without verify, no claim is made.
    let plain = app.qr(Some(&key), "url", &[("url", URL)]).await;
    assert!(plain.headers().get("x-scan-verified").is_none());
}

#[tokio::test]
async fn verify_true_refuses_a_code_that_would_not_scan_names_the_choice_and_counts_nothing() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let response = app
        .qr(
            Some(&key),
            "url",
            &[
                ("url", URL),
                ("verify", "true"),
                ("fg", "#8a8a8a"),
                ("bg", "#909090"),
                ("allow_low_contrast", "true"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["parameter"], "fg", "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("would not scan"), "{detail}");
    // Nothing was counted: the next image still has the whole trial left but one.
    let next = app.qr(Some(&key), "url", &[("url", URL)]).await;
    assert_eq!(next.headers()["x-quota-remaining"], "19");
}

#[tokio::test]
async fn gradients_render_and_scan_in_both_formats() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let design = [
        ("url", URL),
        ("module_shape", "extra_rounded"),
        ("fg_gradient", "linear:45:1d4ed8,9333ea"),
        ("eye_gradient", "radial:#b91c1c,#7f1d1d"),
        ("bg_gradient", "linear:90:#ffffff,#e0f2fe"),
    ];
    let svg = app
        .qr(
            Some(&key),
            "url",
            &[&design[..], &[("format", "svg")]].concat(),
        )
        .await;
    assert_eq!(svg.status(), StatusCode::OK);
    let svg = svg.bytes().await.unwrap();
    let text = std::str::from_utf8(&svg).unwrap();
    // Gradients once in <defs>; one path per region: the modules, each eye's frame (its
    // own gradient) — three — and the three balls in the radial gradient's centre colour
    // (one solid region, see render::drawing::ball_fill).
    assert_eq!(text.matches("<defs>").count(), 1, "{text}");
    assert_eq!(text.matches("<linearGradient").count(), 2, "{text}");
    assert_eq!(text.matches("<radialGradient").count(), 3, "{text}");
    assert_eq!(text.matches("<path").count(), 5, "{text}");
    assert_eq!(rqrr_png(&svg_to_png(&svg)).as_deref(), Ok(URL));
    let png = app.qr(Some(&key), "url", &design).await;
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(rqrr_png(&png.bytes().await.unwrap()).as_deref(), Ok(URL));
}

#[tokio::test]
async fn the_same_design_gives_the_same_svg_bytes_and_etag() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let query = [
        ("url", URL),
        ("format", "svg"),
        ("module_shape", "classy_rounded"),
        ("eye_frame", "pointed"),
        ("eye_ball", "squircle"),
        ("fg_gradient", "radial:#0f172a,#1d4ed8,#312e81"),
    ];
    let first = app.qr(Some(&key), "url", &query).await;
    let etag = first.headers()["etag"].clone();
    let first = first.bytes().await.unwrap();
    let second = app.qr(Some(&key), "url", &query).await;
    assert_eq!(second.headers()["etag"], etag);
    assert_eq!(second.bytes().await.unwrap(), first);
    assert!(
        resvg::usvg::Tree::from_data(&first, &resvg::usvg::Options::default()).is_ok(),
        "valid SVG"
    );
}

#[tokio::test]
async fn bad_gradients_are_refused_naming_the_parameter_and_the_fault() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    for (name, value, says) in [
        ("fg_gradient", "linear:45:#1d4ed8", "2 to 4 colours"),
        ("bg_gradient", "conic:#ffffff,#eeeeee", "linear: or radial:"),
        ("eye_gradient", "linear:400:#000000,#111111", "0 to 360"),
    ] {
        let response = app
            .qr(Some(&key), "url", &[("url", URL), (name, value)])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["parameter"], name);
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn a_pale_gradient_stop_or_eye_colour_is_refused_with_the_ratio() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    for (name, value) in [
        ("fg_gradient", "linear:0:#000000,#bbbbbb"),
        ("eye_ball_color", "#cccccc"),
        ("bg_gradient", "radial:#ffffff,#333333"),
    ] {
        let response = app
            .qr(Some(&key), "url", &[("url", URL), (name, value)])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["parameter"], name);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(":1") && detail.contains("3:1"), "{detail}");
    }
}

#[tokio::test]
async fn docs_show_every_shape_as_a_picture_the_server_draws() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let (status, page) = browser.page("/docs").await;
    assert_eq!(status, StatusCode::OK);
    for (parameter, value) in shape_choices() {
        let url = format!("/docs/shapes/{parameter}/{value}.svg");
        assert!(page.contains(&url), "the page shows {url}");
        let response = browser.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        let svg = response.bytes().await.unwrap();
        assert!(
            resvg::usvg::Tree::from_data(&svg, &resvg::usvg::Options::default()).is_ok(),
            "{url} is a valid SVG"
        );
    }
    for missing in [
        "/docs/shapes/module_shape/heart.svg",
        "/docs/shapes/fg/square.svg",
        "/docs/shapes/eye_ball/circle.png",
    ] {
        assert_eq!(browser.get(missing).await.status(), StatusCode::NOT_FOUND);
    }
}
