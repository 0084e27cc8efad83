//! Each shape as a phone camera sees it: the PNG downscaled to 3 pixels a module, blurred
//! by a Gaussian of a quarter module, and re-encoded as JPEG at quality 40, each alone and
//! all three together. At least two of the three decoder families (both, where ZBar is
//! not installed) must still read it. A shape that fails here is changed, not the test.

use image::RgbImage;
use qrgate::qr::design::{EyeBall, EyeFrame, ModuleShape};

use crate::decode::{blur, decode_all, downscale, grey, jpeg, png_rgb};
use crate::support::{PAYLOAD, design, module_px, render};

/// 12 pixels a module before the camera's copies.
const SIZE: &str = "444";
const PER_MODULE_AFTER_DOWNSCALE: f64 = 3.0;
const JPEG_QUALITY: u8 = 40;

fn camera_copies(image: &RgbImage, module: f64) -> Vec<(&'static str, RgbImage)> {
    let small = downscale(image, module, PER_MODULE_AFTER_DOWNSCALE);
    let all = jpeg(
        &blur(&small, PER_MODULE_AFTER_DOWNSCALE / 4.0),
        JPEG_QUALITY,
    );
    vec![
        ("downscaled", small),
        ("blurred", blur(image, module / 4.0)),
        ("jpeg", jpeg(image, JPEG_QUALITY)),
        ("all three", all),
    ]
}

fn assert_survives(pairs: &[(&str, &str)]) {
    let mut pairs = pairs.to_vec();
    pairs.push(("size", SIZE));
    let d = design(&pairs);
    let module = module_px(PAYLOAD, &d, false);
    let image = png_rgb(&render(PAYLOAD, &pairs, None).bytes);
    // Two of three; where ZBar is missing, that is both of the other two.
    let needed = 2;
    for (what, copy) in camera_copies(&image, module) {
        let readings = decode_all(&grey(&copy));
        let agreeing = readings.agreeing(PAYLOAD);
        assert!(
            agreeing.len() >= needed,
            "{pairs:?}, {what}: only {agreeing:?} read it; {}",
            readings.failures(PAYLOAD)
        );
    }
}

#[test]
fn every_module_shape_survives_a_camera() {
    for shape in ModuleShape::NAMES {
        assert_survives(&[("module_shape", shape)]);
    }
}

#[test]
fn every_eye_frame_survives_a_camera() {
    for frame in EyeFrame::NAMES {
        assert_survives(&[("eye_frame", frame)]);
    }
}

#[test]
fn every_eye_ball_survives_a_camera() {
    for ball in EyeBall::NAMES {
        assert_survives(&[("eye_ball", ball)]);
    }
}

#[test]
fn a_coloured_styled_code_survives_a_camera() {
    assert_survives(&[
        ("module_shape", "dot"),
        ("eye_frame", "leaf"),
        ("eye_ball", "circle"),
        ("fg", "#1d4ed8"),
        ("eye_frame_color", "#7c2d12"),
        ("eye_ball_color", "#b91c1c"),
        ("bg", "#fffbeb"),
    ]);
}
