//! Designs random samples once found that one decoder family missed, kept as fixed cases:
//! each must now be read by rqrr, rxing and ZBar (where installed), exactly.

use qrgate::qr::design::ModuleShape;

use crate::decode::{decode_all, grey};
use crate::sample::{check, on_background, sample_case};
use crate::support::{PAYLOAD, design, logo, module_px, pixels};

/// (seed, case) of the sample (`QRGATE_DESIGN_SEED=seed QRGATE_DESIGN_CASES=case`
/// replays one). The first three: ZBar with the dark test logo at 31–38 pixels a module
/// over the centre alignment pattern (see `render::logo_area`); the last: rxing with a
/// radial `eye_gradient` lighter at the centre (see `drawing::ball_fill`); then rqrr
/// with `small_dot` at 3 px a module beside a logo, then with `extra_rounded` at 3 px
/// (both see `modules::MIN_FINE_MODULE`); then rqrr with `classy_rounded` taking data
/// modules for a finder (see `modules::joined`), and rxing with a radial `bg_gradient`
/// whose outer colour made a quiet zone darker than the ground around it (see
/// `drawing::background_fill`); then rxing with a 4-stop linear `eye_gradient` lightest
/// inside the balls (see `drawing::flat_eye`), rqrr with `diamond` and `vertical_bars`
/// at 3 px a module (see `modules::MIN_FINE_MODULE`), and rxing with a 4-stop radial
/// `eye_gradient` lightest inside the rings (`flat_eye` again).
const FOUND: [(u64, usize); 13] = [
    (6601075462269017931, 207),
    (16386020933960394074, 26),
    (5758268396822948366, 314),
    (6832598297201975622, 129),
    (15268308029558748215, 185),
    (15268308029558748215, 296),
    (18261308307974457263, 188),
    (13091448093252809476, 9),
    (13091448093252809476, 162),
    (10600155812558453733, 87),
    (10600155812558453733, 273),
    (10600155812558453733, 280),
    (4596755634763292758, 64),
];

#[test]
fn sample_cases_that_once_missed_now_scan_in_every_family() {
    let logo = logo();
    let failures: Vec<String> = FOUND
        .iter()
        .filter_map(|&(seed, index)| {
            let (payload, pairs, with_logo) = sample_case(seed, index);
            check(index, &payload, &pairs, with_logo.then_some(&logo))
                .err()
                .map(|why| format!("seed {seed} case {index}: {why}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_dark_logo_over_the_centre_alignment_pattern_scans_in_zbar_at_large_sizes() {
    // Each of these missed ZBar when the logo's picture was 24 % of the symbol wide
    // whatever the pixels: ZBar's binariser hollowed the dark disc into a false
    // alignment pattern (versions 8–11, 31–38 px a module).
    let logo = logo();
    for (size, len, margin, ecc) in [
        ("1900", 50, "0", "H"),
        ("1900", 50, "2", "H"),
        ("1900", 70, "0", "Q"),
        ("1900", 70, "2", "Q"),
        ("1900", 90, "2", "H"),
        ("1900", 110, "0", "Q"),
        ("1950", 70, "0", "H"),
        ("1950", 110, "0", "H"),
    ] {
        let payload: String = format!(
            "https://example.org/{}",
            "a1b2c3d4e5".repeat(12).get(..len).expect("long enough")
        );
        let pairs = [("size", size), ("margin", margin), ("ecc", ecc)];
        let d = design(&pairs);
        let image = qrgate::qr::generate(&payload, &d, Some(&logo), qrgate::qr::Deadline::none())
            .expect("generated");
        // Padded to the 4-module quiet zone on white, as the sample decodes.
        let module = module_px(&payload, &d, true);
        let pad = (4u32.saturating_sub(d.margin) as f64 * module) as u32;
        let seen = on_background(&pixels(&image), pad, image::Rgb([255; 3]));
        decode_all(&grey(&seen)).assert_every_decoder(&payload, &format!("{pairs:?} {len}"));
    }
}

#[test]
fn a_framed_code_keeps_a_quiet_zone_inside_its_frame_at_margin_0() {
    // Seed 6219405504233229093 case 268 (a 104 px code under a `banner_top`, margin 0)
    // was read by none of the three: the banner lay against the top finders. A framed
    // code now keeps `MIN_FRAMED_MARGIN` modules inside its frame, whatever its margin.
    // The case itself can no longer be drawn at 3 px a module (the sample drops its
    // frame), so each frame (and a caption alone) is checked here at sizes that can.
    let mut failures = Vec::new();
    for frame in qrgate::qr::frame::FrameStyle::NAMES {
        for (format, size) in [("png", "104"), ("svg", "120"), ("png", "140")] {
            let mut pairs = vec![
                ("frame", *frame),
                ("frame_color", "#025406"),
                ("bg", "#d9ead9"),
                ("fg", "#2a4846"),
                ("margin", "0"),
                ("size", size),
                ("format", format),
            ];
            if *frame == "none" {
                pairs.push(("caption", "Menu"));
            }
            let d = design(&pairs);
            assert!(d.margin >= qrgate::qr::design::MIN_FRAMED_MARGIN);
            let image = qrgate::qr::generate(PAYLOAD, &d, None, qrgate::qr::Deadline::none())
                .expect("generated");
            let seen = on_background(&pixels(&image), 16, image::Rgb([0xd9, 0xea, 0xd9]));
            let readings = decode_all(&grey(&seen));
            if readings.agreeing(PAYLOAD).len() != readings.0.len() {
                failures.push(format!("{pairs:?}: {}", readings.failures(PAYLOAD)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn at_3_px_a_module_every_pixel_of_a_dark_module_binarises_dark() {
    // rqrr may sample a pixel off a module's centre, both ways at once (seed
    // 10600155812558453733 cases 273 and 280): at 3 px a module that is a corner pixel
    // of the cell, so each shape must leave it dark enough to binarise dark. Counted
    // here with rqrr's own binariser over every dark data module of a few codes, at
    // each of the four corner pixels (diamond read light at 90 % of them, star 94 %,
    // vertical_bars 31 %, dot 16 % before they were drawn fuller below 4 px).
    let payloads = [
        "https://example.org/a",
        "https://example.org/menu?table=12&lang=en",
        "https://example.org/8f3k2-mq9z/r?u=7&v=q1w2e3r4t5y6u7i8o9p0",
    ];
    let colours = [("#1f2a44", "#f4f1e8"), ("#3e360e", "#e6efe0")];
    let mut failures = Vec::new();
    for shape in ModuleShape::NAMES {
        let (mut light, mut cells) = (0usize, 0usize);
        for (p, payload) in payloads.iter().enumerate() {
            for (fg, bg) in colours {
                for format in ["png", "svg"] {
                    let width = qrgate::qr::encode::encode(payload, qrgate::qr::design::Ecc::M)
                        .expect("fits")
                        .width as u32;
                    let (margin, spare) = (p as u32 % 3, p as u32);
                    let size = (3 * (width + 2 * margin) + spare).to_string();
                    let margin = margin.to_string();
                    let pairs = [
                        ("module_shape", *shape),
                        ("fg", fg),
                        ("bg", bg),
                        ("format", format),
                        ("ecc", "M"),
                        ("margin", margin.as_str()),
                        ("size", size.as_str()),
                    ];
                    let (l, c) = corner_pixels_read_light(payload, &pairs);
                    light += l;
                    cells += c;
                }
            }
        }
        // At most one corner pixel in a thousand (octagon's and cross's rarely flip).
        if light * 1000 > cells {
            failures.push(format!(
                "{shape}: {light} of {cells} corner pixels read light"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// How many corner pixels of the dark data modules binarise light (rqrr's binariser, on
/// the code padded to a 4-module quiet zone as the sample decodes it), and of how many.
fn corner_pixels_read_light(payload: &str, pairs: &[(&str, &str)]) -> (usize, usize) {
    let d = design(pairs);
    let matrix = qrgate::qr::encode::encode(payload, d.ecc).expect("fits");
    let image =
        qrgate::qr::generate(payload, &d, None, qrgate::qr::Deadline::none()).expect("generated");
    let layout = qrgate::qr::layout::layout(d.size, matrix.width, d.margin).expect("fits");
    assert_eq!(layout.module, 3.0, "{pairs:?}");
    let pad = 4u32.saturating_sub(d.margin) * 3;
    let seen = grey(&on_background(
        &pixels(&image),
        pad,
        image::Rgb(d.bg.plain().to_array()),
    ));
    let w = seen.width() as usize;
    let prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, w, |x, y| seen.as_raw()[y * w + x]);
    let origin = pad as usize + layout.offset as usize;
    let (mut light, mut cells) = (0, 0);
    for y in 0..matrix.width {
        for x in 0..matrix.width {
            if !matrix.get(x, y) || matrix.in_finder(x, y) {
                continue;
            }
            let (left, top) = (origin + 3 * x, origin + 3 * y);
            for (dx, dy) in [(0, 0), (2, 0), (0, 2), (2, 2)] {
                cells += 1;
                if u8::from(prepared.get_pixel_at(left + dx, top + dy)) == 0 {
                    light += 1;
                }
            }
        }
    }
    (light, cells)
}
