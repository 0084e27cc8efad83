//! The decode harness every design test uses: generated images (PNG, or SVG rasterised by
//! resvg) decoded by three independent decoder families, each compared with the payload:
//! - rqrr, the Rust port of quirc (in-process);
//! - rxing, the Rust port of ZXing (in-process);
//! - ZBar's `zbarimg`, where installed (CI installs it; `.ci/run`).
//!
//! And the camera-like copies the robustness tests make: downscaled to a few pixels per
//! module, blurred, and re-encoded as JPEG.
// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::io::Write;
use std::process::Command;
use std::sync::OnceLock;

use image::{GrayImage, ImageBuffer, Luma, Rgb, RgbImage};

/// Size, in pixels, and greyscale of a PNG composited on white.
pub fn png_luma(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let rgb = png_rgb(bytes);
    let grey = grey(&rgb);
    (grey.width(), grey.height(), grey.into_raw())
}

/// A PNG composited on white, as RGB.
pub fn png_rgb(bytes: &[u8]) -> RgbImage {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let channels = info.color_type.samples();
    let data = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .flat_map(|p| {
            let (rgb, alpha) = match channels {
                1 => ([p[0]; 3], 255),
                2 => ([p[0]; 3], p[1]),
                3 => ([p[0], p[1], p[2]], 255),
                _ => ([p[0], p[1], p[2]], p[3]),
            };
            let a = u32::from(alpha);
            rgb.map(|c| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8)
        })
        .collect();
    RgbImage::from_raw(info.width, info.height, data).expect("whole rows")
}

/// Greyscale by the usual luma weights (what the decoders binarise).
pub fn grey(rgb: &RgbImage) -> GrayImage {
    ImageBuffer::from_fn(rgb.width(), rgb.height(), |x, y| {
        let Rgb([r, g, b]) = *rgb.get_pixel(x, y);
        let v = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
        Luma([v.round() as u8])
    })
}

/// An SVG rasterised by resvg at its own size, as PNG bytes.
pub fn svg_to_png(svg: &[u8]) -> Vec<u8> {
    let tree =
        resvg::usvg::Tree::from_data(svg, &resvg::usvg::Options::default()).expect("a valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().unwrap()
}

/// The text of the one QR code in the PNG, per rqrr.
pub fn rqrr_png(bytes: &[u8]) -> Result<String, String> {
    rqrr_grey(&grey(&png_rgb(bytes)))
}

pub fn rqrr_grey(image: &GrayImage) -> Result<String, String> {
    let image = shrink_for_rqrr(image);
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| image.as_raw()[y * w + x]);
    let grids = prepared.detect_grids();
    let grid = grids.first().ok_or("no QR code found")?;
    let mut out = Vec::new();
    grid.decode_to(&mut out).map_err(|e| format!("{e:?}"))?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// rqrr computes line intersections in `i32` and overflows on images much over 2000 px
/// (rqrr 0.11, geometry.rs). Larger images are reduced by a whole factor with box
/// averaging first, as a camera would see a large print from further away.
fn shrink_for_rqrr(image: &GrayImage) -> std::borrow::Cow<'_, GrayImage> {
    let factor = image.width().div_ceil(1200).max(1);
    if factor == 1 {
        return std::borrow::Cow::Borrowed(image);
    }
    let (w, h) = (image.width() / factor, image.height() / factor);
    std::borrow::Cow::Owned(ImageBuffer::from_fn(w, h, |x, y| {
        let mut sum = 0u32;
        for dy in 0..factor {
            for dx in 0..factor {
                sum += u32::from(image.get_pixel(x * factor + dx, y * factor + dy).0[0]);
            }
        }
        Luma([(sum / (factor * factor)) as u8])
    }))
}

/// The text rxing (ZXing) reads, in its default mode (no "try harder").
pub fn rxing_grey(image: &GrayImage) -> Result<String, String> {
    let mut hints = rxing::DecodeHints {
        TryHarder: Some(false),
        ..Default::default()
    };
    rxing::helpers::detect_in_luma_with_hints(
        image.as_raw().clone(),
        image.width(),
        image.height(),
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .map(|r| r.getText().to_owned())
    .map_err(|e| e.to_string())
}

/// Whether `zbarimg` is on this machine (CI installs it; `.ci/run`).
pub fn zbar_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("zbarimg")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The text ZBar reads from a PNG, or an error when it finds none.
pub fn zbar_png(bytes: &[u8]) -> Result<String, String> {
    let mut file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    file.write_all(bytes).unwrap();
    let output = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(file.path())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("zbarimg exit {:?}", output.status.code()));
    }
    let text = String::from_utf8(output.stdout).map_err(|e| e.to_string())?;
    // zbarimg ends its output with one newline.
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}

pub fn zbar_grey(image: &GrayImage) -> Result<String, String> {
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .map_err(|e| e.to_string())?;
    zbar_png(&bytes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoder {
    Rqrr,
    Rxing,
    Zbar,
}

impl Decoder {
    pub fn name(self) -> &'static str {
        match self {
            Self::Rqrr => "rqrr (quirc)",
            Self::Rxing => "rxing (ZXing)",
            Self::Zbar => "ZBar",
        }
    }
}

/// What each decoder read, run side by side; ZBar only where installed.
pub struct Readings(pub Vec<(Decoder, Result<String, String>)>);

pub fn decode_all(image: &GrayImage) -> Readings {
    std::thread::scope(|scope| {
        let rqrr = scope.spawn(|| rqrr_grey(image));
        let rxing = scope.spawn(|| rxing_grey(image));
        let zbar = zbar_available().then(|| scope.spawn(|| zbar_grey(image)));
        let mut readings = vec![
            (Decoder::Rqrr, rqrr.join().expect("rqrr did not panic")),
            (Decoder::Rxing, rxing.join().expect("rxing did not panic")),
        ];
        if let Some(zbar) = zbar {
            readings.push((Decoder::Zbar, zbar.join().expect("zbar did not panic")));
        }
        Readings(readings)
    })
}

impl Readings {
    /// The decoders that read exactly `payload`.
    pub fn agreeing(&self, payload: &str) -> Vec<Decoder> {
        self.0
            .iter()
            .filter(|(_, r)| r.as_deref() == Ok(payload))
            .map(|(d, _)| *d)
            .collect()
    }

    /// The decoders that did not, with what they said.
    pub fn failures(&self, payload: &str) -> String {
        self.0
            .iter()
            .filter(|(_, r)| r.as_deref() != Ok(payload))
            .map(|(d, r)| format!("{}: {r:?}", d.name()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Panics, naming the design and what each failing decoder said, unless every
    /// decoder read exactly `payload`.
    pub fn assert_every_decoder(&self, payload: &str, what: &str) {
        assert!(
            self.agreeing(payload).len() == self.0.len(),
            "{what}: {}",
            self.failures(payload)
        );
    }
}

/// The image reduced so that a module is `per_module` pixels (box-averaged, as a camera
/// sensor integrates light), given its current pixels per module.
pub fn downscale(image: &RgbImage, module_px: f64, per_module: f64) -> RgbImage {
    let scale = per_module / module_px;
    let w = ((f64::from(image.width()) * scale).round() as u32).max(1);
    image::imageops::resize(image, w, w, image::imageops::FilterType::Triangle)
}

/// A Gaussian blur of standard deviation `sigma` pixels.
pub fn blur(image: &RgbImage, sigma: f64) -> RgbImage {
    image::imageops::blur(image, sigma as f32)
}

/// Re-encoded as JPEG at `quality` and decoded again.
pub fn jpeg(image: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .expect("JPEG into memory");
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .expect("our own JPEG")
        .to_rgb8()
}
