//! Every shape, clean, read by all three decoder families: each module shape, each eye
//! frame and each eye ball on its own (PNG and SVG), and every frame with every ball.

use qrgate::qr::design::{EyeBall, EyeFrame, ModuleShape};

use crate::decode::{decode_all, grey};
use crate::support::{PAYLOAD, pixels, render};

fn assert_scans(pairs: &[(&str, &str)]) {
    let image = render(PAYLOAD, pairs, None);
    decode_all(&grey(&pixels(&image))).assert_every_decoder(PAYLOAD, &format!("{pairs:?}"));
}

#[test]
fn every_module_shape_scans_in_all_three_families_in_both_formats() {
    for shape in ModuleShape::NAMES {
        for format in ["png", "svg"] {
            for size in ["120", "512"] {
                assert_scans(&[("module_shape", shape), ("format", format), ("size", size)]);
            }
        }
    }
}

#[test]
fn every_eye_frame_scans_in_all_three_families_in_both_formats() {
    for frame in EyeFrame::NAMES {
        for format in ["png", "svg"] {
            for size in ["120", "512"] {
                assert_scans(&[("eye_frame", frame), ("format", format), ("size", size)]);
            }
        }
    }
}

#[test]
fn every_eye_ball_scans_in_all_three_families_in_both_formats() {
    for ball in EyeBall::NAMES {
        for format in ["png", "svg"] {
            for size in ["120", "512"] {
                assert_scans(&[("eye_ball", ball), ("format", format), ("size", size)]);
            }
        }
    }
}

#[test]
fn every_frame_scans_with_every_ball() {
    for frame in EyeFrame::NAMES {
        for ball in EyeBall::NAMES {
            assert_scans(&[("eye_frame", frame), ("eye_ball", ball), ("size", "200")]);
        }
    }
}

#[test]
fn the_old_eye_shapes_still_work_as_shorthands_and_scan() {
    for shape in ["square", "rounded", "circle"] {
        assert_scans(&[("eye_shape", shape), ("module_shape", "dot")]);
    }
}
