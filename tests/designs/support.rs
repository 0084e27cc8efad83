//! Designs from parameter pairs, rendered and turned into the images the decoders read.

use image::RgbImage;
use qrgate::qr::design::{Design, Format};
use qrgate::qr::render::LogoImage;
use qrgate::qr::{Deadline, QrImage, generate};

use crate::decode::{png_rgb, svg_to_png};

pub const PAYLOAD: &str = "https://example.org/menu?table=12";

pub fn design(pairs: &[(&str, &str)]) -> Design {
    Design::from_params(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
        .unwrap_or_else(|e| panic!("{pairs:?}: {e}"))
}

/// The image as pixels: a PNG as it is, an SVG rasterised by resvg.
pub fn pixels(image: &QrImage) -> RgbImage {
    match image.format {
        Format::Png => png_rgb(&image.bytes),
        Format::Svg => png_rgb(&svg_to_png(&image.bytes)),
    }
}

pub fn render(payload: &str, pairs: &[(&str, &str)], logo: Option<&LogoImage>) -> QrImage {
    generate(payload, &design(pairs), logo, Deadline::none())
        .unwrap_or_else(|e| panic!("{pairs:?}: {e}"))
}

/// Pixels per module of the rendered image (the layout gives whole pixels).
pub fn module_px(payload: &str, design: &Design, has_logo: bool) -> f64 {
    let ecc = qrgate::qr::effective_ecc(design, has_logo);
    let matrix = qrgate::qr::encode::encode(payload, ecc).expect("fits");
    qrgate::qr::layout::layout(design.size, matrix.width, design.margin)
        .expect("fits")
        .module
}

/// A small logo: a two-colour PNG badge.
pub fn logo() -> LogoImage {
    let (w, h) = (48u32, 48u32);
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let inside = (x as i32 - 24).pow(2) + (y as i32 - 24).pow(2) < 20 * 20;
            pixels.extend_from_slice(if inside {
                &[200, 30, 60]
            } else {
                &[250, 250, 250]
            });
        }
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    // As an upload is converted: the tests draw what renders draw.
    qrgate::qr::logo::convert(&bytes)
        .expect("a valid logo")
        .image
}
