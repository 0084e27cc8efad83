//! Every design option must scan: render through the library, decode with rqrr (and ZBar
//! where installed), compare the text exactly.

use qrgate::qr::design::Design;
use qrgate::qr::{Deadline, PREVIEW_MAX_SIZE, QrImage, generate, preview};

use crate::decode::{png_luma, rqrr_png, svg_to_png, zbar_available, zbar_png};

fn design(pairs: &[(&str, &str)]) -> Design {
    Design::from_params(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
        .expect("a valid design")
}

/// The PNG an image becomes for decoding (SVG rasterised by resvg).
fn as_png(image: &QrImage) -> Vec<u8> {
    match image.format {
        qrgate::qr::design::Format::Png => image.bytes.clone(),
        qrgate::qr::design::Format::Svg => svg_to_png(&image.bytes),
        other => panic!("{other:?} is decoded in formats.rs"),
    }
}

fn assert_scans(payload: &str, pairs: &[(&str, &str)]) {
    let d = design(pairs);
    let image =
        generate(payload, &d, None, Deadline::none()).unwrap_or_else(|e| panic!("{pairs:?}: {e}"));
    let png = as_png(&image);
    let (w, h, _) = png_luma(&png);
    assert_eq!((w, h), (d.size, d.size), "{pairs:?}");
    assert_eq!(rqrr_png(&png).as_deref(), Ok(payload), "rqrr, {pairs:?}");
}

#[test]
fn every_module_and_eye_shape_scans_in_both_formats() {
    for module in ["square", "dot", "rounded"] {
        for eye in ["square", "rounded", "circle"] {
            for format in ["png", "svg"] {
                assert_scans(
                    "https://example.org/menu?table=12",
                    &[
                        ("module_shape", module),
                        ("eye_shape", eye),
                        ("format", format),
                    ],
                );
            }
        }
    }
}

#[test]
fn every_ecc_level_size_and_margin_scans() {
    for ecc in ["L", "M", "Q", "H"] {
        for size in ["64", "333", "1000", "4096"] {
            for margin in ["0", "4"] {
                assert_scans(
                    "https://example.org",
                    &[("ecc", ecc), ("size", size), ("margin", margin)],
                );
            }
        }
    }
}

#[test]
fn colours_and_transparent_backgrounds_scan() {
    let cases: &[&[(&str, &str)]] = &[
        &[("fg", "#1d4ed8"), ("bg", "#fffbeb")],
        &[("fg", "7c2d12"), ("eye_color", "#b91c1c")],
        &[("bg", "transparent")],
        &[
            ("bg", "transparent"),
            ("module_shape", "dot"),
            ("format", "svg"),
        ],
        &[
            ("fg", "#14532d"),
            ("eye_color", "#0f172a"),
            ("module_shape", "rounded"),
            ("eye_shape", "circle"),
            ("size", "333"),
        ],
    ];
    for pairs in cases {
        assert_scans("WIFI:T:WPA;S:Home;P:secret123;;", pairs);
    }
}

#[test]
fn zbar_agrees_on_every_shape() {
    if !zbar_available() {
        eprintln!("zbarimg not installed; skipping the second decoder (CI installs it)");
        return;
    }
    let payload = "https://example.org/zbar";
    for module in ["square", "dot", "rounded"] {
        for eye in ["square", "rounded", "circle"] {
            let image = generate(
                payload,
                &design(&[("module_shape", module), ("eye_shape", eye)]),
                None,
                Deadline::none(),
            )
            .unwrap();
            assert_eq!(
                zbar_png(&image.bytes).as_deref(),
                Ok(payload),
                "{module}/{eye}"
            );
        }
    }
}

#[test]
fn previews_do_not_decode_and_keep_the_requested_size_up_to_512_px() {
    for pairs in [
        &[][..],
        &[("format", "svg")],
        &[("module_shape", "dot"), ("eye_shape", "circle")],
        &[("size", "64")],
        &[("size", "1000"), ("ecc", "H")],
    ] {
        let d = design(pairs);
        let image = preview(
            Some("https://example.org/paid-content"),
            &d,
            Deadline::none(),
        )
        .unwrap();
        let png = as_png(&image);
        let (w, _, _) = png_luma(&png);
        assert_eq!(w, d.size.min(PREVIEW_MAX_SIZE));
        assert!(
            rqrr_png(&png).is_err(),
            "rqrr must not read a preview: {pairs:?}"
        );
        if zbar_available() {
            assert!(
                zbar_png(&png).is_err(),
                "zbar must not read a preview: {pairs:?}"
            );
        }
    }
}
