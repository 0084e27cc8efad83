//! The sprite rasteriser (PNG of a design in plain colours) draws what resvg draws from
//! the same design's SVG: the same size, nearly every pixel within a few levels (coverage
//! is kept in 64 steps), and the rest only edge pixels of small curves (tiny-skia's
//! coverage of a curve one module wide differs slightly from resvg's own arc-to-curve
//! conversion), never by more than a tenth.

use crate::decode::{png_rgb, svg_to_png};
use crate::support::{PAYLOAD, design, render};

/// A few levels: what most pixels must stay within.
const FEW_LEVELS: u8 = 4;
/// Share of channel values allowed beyond a few levels, the most any may differ, and the
/// largest mean difference.
const MAX_SHARE_BEYOND: f64 = 0.005;
const MAX_LEVELS: u8 = 25;
const MAX_MEAN: f64 = 0.25;

fn assert_same_pixels(pairs: &[(&str, &str)]) {
    let png = render(PAYLOAD, pairs, None);
    let mut svg_pairs = pairs.to_vec();
    svg_pairs.push(("format", "svg"));
    let svg = render(PAYLOAD, &svg_pairs, None);
    let (ours, theirs) = (png_rgb(&png.bytes), png_rgb(&svg_to_png(&svg.bytes)));
    let d = design(pairs);
    assert_eq!(ours.dimensions(), (d.size, d.size), "{pairs:?}");
    assert_eq!(ours.dimensions(), theirs.dimensions());
    let (mut worst, mut total, mut at, mut beyond) = (0u8, 0u64, 0, 0usize);
    for (i, (a, b)) in ours.as_raw().iter().zip(theirs.as_raw()).enumerate() {
        let diff = a.abs_diff(*b);
        beyond += usize::from(diff > FEW_LEVELS);
        if diff > worst {
            worst = diff;
            at = i / 3;
        }
        total += u64::from(diff);
    }
    let at = (at as u32 % d.size, at as u32 / d.size);
    let values = ours.as_raw().len() as f64;
    let (mean, share) = (total as f64 / values, beyond as f64 / values);
    assert!(
        worst <= MAX_LEVELS && mean <= MAX_MEAN && share <= MAX_SHARE_BEYOND,
        "{pairs:?}: largest difference {worst} at {at:?}, mean {mean:.3}, {:.3} % beyond {FEW_LEVELS}",
        share * 100.0
    );
}

#[test]
fn sprites_draw_what_resvg_draws_for_every_module_shape() {
    for shape in qrgate::qr::design::ModuleShape::NAMES {
        for size in ["200", "512"] {
            assert_same_pixels(&[("module_shape", shape), ("size", size)]);
        }
    }
}

#[test]
fn sprites_draw_what_resvg_draws_for_eyes_and_colours() {
    for frame in qrgate::qr::design::EyeFrame::NAMES {
        assert_same_pixels(&[
            ("eye_frame", frame),
            ("eye_ball", "circle"),
            ("module_shape", "dot"),
            ("fg", "#1d4ed8"),
            ("eye_frame_color", "#7c2d12"),
            ("eye_ball_color", "#15803d"),
            ("bg", "#fffbeb"),
            ("size", "333"),
        ]);
    }
    for ball in qrgate::qr::design::EyeBall::NAMES {
        assert_same_pixels(&[
            ("eye_ball", ball),
            ("eye_frame", "rounded"),
            ("size", "300"),
        ]);
    }
    assert_same_pixels(&[("module_shape", "extra_rounded"), ("bg", "transparent")]);
}
