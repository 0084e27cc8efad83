//! Encode + render costs per format and design (`cargo bench --bench render`).
//! The payload is a 40-byte URL, the size 512 px unless named.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use qrcode::{Color, EcLevel, QrCode};
use qrgate::qr::design::{Design, Ecc};
use qrgate::qr::encode::encode;
use qrgate::qr::render::{LogoImage, Scene};
use qrgate::qr::{Deadline, generate};

const URL: &str = "https://example.org/menu/table-1?lang=en";

fn design(pairs: &[(&str, &str)]) -> Design {
    Design::from_params(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)).unwrap()
}

fn logo() -> LogoImage {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 64, 64);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[200u8; 64 * 64 * 3]).unwrap();
    writer.finish().unwrap();
    // As an upload is converted: the bench draws what renders draw.
    qrgate::qr::logo::convert(&bytes).unwrap().image
}

fn benches(c: &mut Criterion) {
    assert_eq!(URL.len(), 40);
    c.bench_function("encode 40-byte URL (ecc M)", |b| {
        b.iter(|| encode(black_box(URL), Ecc::M).unwrap())
    });
    // The same symbol through the crate's own mask search, for a ratio within one run.
    c.bench_function("encode via qrcode apply_best_mask (ecc M)", |b| {
        b.iter(|| {
            let code = QrCode::with_error_correction_level(black_box(URL), EcLevel::M).unwrap();
            let dark = code.into_colors().into_iter().map(|c| c == Color::Dark);
            dark.collect::<Vec<bool>>()
        })
    });
    // The raster and PNG writer alone, from a matrix already encoded.
    let matrix = encode(URL, Ecc::M).unwrap();
    let plain_300 = design(&[("size", "300")]);
    c.bench_function("plain PNG 300 px, render only (no encode)", |b| {
        b.iter(|| {
            qrgate::qr::render::render(
                &Scene {
                    matrix: black_box(&matrix),
                    design: &plain_300,
                    logo: None,
                    watermark: false,
                },
                Deadline::none(),
            )
            .unwrap()
        })
    });
    // The styled design of the speed target: dots, rounded eyes, two colours.
    let styled: &[(&str, &str)] = &[
        ("module_shape", "dot"),
        ("eye_shape", "rounded"),
        ("fg", "#1d4ed8"),
        ("eye_color", "#b91c1c"),
    ];
    let styled_design = design(styled);
    let styled_matrix = encode(URL, styled_design.ecc).unwrap();
    let styled_scene = Scene {
        matrix: &styled_matrix,
        design: &styled_design,
        logo: None,
        watermark: false,
    };
    c.bench_function("styled PNG 512 px, render only, sprites", |b| {
        b.iter(|| qrgate::qr::render::render(black_box(&styled_scene), Deadline::none()).unwrap())
    });
    c.bench_function("styled PNG 512 px, render only, resvg (before)", |b| {
        b.iter(|| qrgate::qr::render::render_with_resvg(black_box(&styled_scene)).unwrap())
    });
    let cases: [(&str, &[(&str, &str)]); 9] = [
        ("plain PNG 512 px (fast path)", &[]),
        ("plain PNG 300 px (fast path)", &[("size", "300")]),
        ("plain SVG", &[("format", "svg")]),
        ("styled PNG 512 px (dots, rounded eyes, colours)", styled),
        (
            "styled PNG 300 px (loadbench d)",
            &[
                ("module_shape", "dot"),
                ("eye_shape", "rounded"),
                ("fg", "#1d4ed8"),
                ("eye_color", "#b91c1c"),
                ("size", "300"),
            ],
        ),
        (
            "styled PNG 512 px, verify=true",
            &[
                ("module_shape", "dot"),
                ("eye_shape", "rounded"),
                ("fg", "#1d4ed8"),
                ("eye_color", "#b91c1c"),
                ("verify", "true"),
            ],
        ),
        (
            "gradient PNG 512 px via resvg",
            &[
                ("module_shape", "extra_rounded"),
                ("fg_gradient", "linear:45:#1d4ed8,#9333ea"),
                ("eye_gradient", "radial:#b91c1c,#7f1d1d"),
            ],
        ),
        (
            "styled SVG (dots, rounded eyes)",
            &[
                ("module_shape", "dot"),
                ("eye_shape", "rounded"),
                ("format", "svg"),
            ],
        ),
        (
            "gradient SVG",
            &[
                ("module_shape", "extra_rounded"),
                ("fg_gradient", "linear:45:#1d4ed8,#9333ea"),
                ("format", "svg"),
            ],
        ),
    ];
    for (name, pairs) in cases {
        let d = design(pairs);
        c.bench_function(name, |b| {
            b.iter(|| generate(black_box(URL), &d, None, Deadline::none()).unwrap())
        });
    }
    let with_logo = design(&[]);
    let logo = logo();
    c.bench_function("PNG with logo via resvg", |b| {
        b.iter(|| generate(black_box(URL), &with_logo, Some(&logo), Deadline::none()).unwrap())
    });
    let preview_design = design(&[]);
    c.bench_function("preview PNG", |b| {
        b.iter(|| {
            qrgate::qr::preview(Some(black_box(URL)), &preview_design, Deadline::none()).unwrap()
        })
    });
}

criterion_group! {
    name = render;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches
}
criterion_main!(render);
