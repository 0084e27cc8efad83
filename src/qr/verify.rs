//! `verify=true`: the image is decoded in the server before it is sent, by rqrr (the quirc
//! algorithm), twice: as drawn, and as a phone camera would see it (reduced to about three
//! pixels a module, then blurred by a third of a module). When the payload does not come
//! back exactly, the design is tried again with one choice at a time put back to its
//! default, and the first change that makes it scan is named in the answer.
//!
//! What it costs is in `benches/render.rs` ("verify=true"): a decode of the image and one
//! of a smaller copy, a few milliseconds for a 512 px code.

use super::Deadline;
use super::design::{Design, Paint};
use super::render::LogoImage;
use super::{QrError, generate_unverified};
use crate::qr::color::Rgb;

/// rqrr computes line intersections in `i32` and overflows on images much over 2000
/// pixels: larger images are box-reduced first.
const MAX_DECODE_SIDE: u32 = 1200;
/// The camera copy: pixels a module after reduction, and the blur's radius in pixels.
const CAMERA_PER_MODULE: f64 = 3.0;
const CAMERA_BLUR: usize = 1;

/// Why a design would not scan, and what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Unscannable {
    /// The design parameter to change.
    pub parameter: &'static str,
    pub detail: String,
}

/// Checks that `bytes` (the image of `payload` in `design`) decodes to `payload`, as drawn
/// and as a camera copy. `module_px` is the drawn module size.
pub fn decodes(bytes: &[u8], design: &Design, payload: &str, module_px: f64) -> bool {
    let Some(grey) = greyscale(bytes, design) else {
        return false;
    };
    let side = design.size;
    let full = reduce(&grey, side, side.div_ceil(MAX_DECODE_SIDE).max(1));
    if read(&full).as_deref() != Some(payload) {
        return false;
    }
    let factor = ((module_px / CAMERA_PER_MODULE).floor() as u32).max(1);
    let camera = blur(&reduce(&grey, side, factor));
    read(&camera).as_deref() == Some(payload)
}

/// Decides what to change when `design` does not scan: each choice put back to its default
/// in turn (the shapes, the colours, the logo, the margin), re-rendered and decoded. The
/// first that scans is named; otherwise the size.
pub fn diagnose(
    payload: &str,
    design: &Design,
    logo: Option<&LogoImage>,
    deadline: Deadline,
) -> Unscannable {
    let plain = Design::default();
    let black = Paint::Solid(Rgb::BLACK);
    type Change = (&'static str, &'static str, fn(&mut Design, &Design, &Paint));
    let changes: [Change; 6] = [
        (
            "module_shape",
            "use module_shape=square or another shape",
            |d, p, _| d.module_shape = p.module_shape,
        ),
        (
            "eye_frame",
            "use eye_frame=square or another frame",
            |d, p, _| d.eye_frame = p.eye_frame,
        ),
        (
            "eye_ball",
            "use eye_ball=square or another ball",
            |d, p, _| d.eye_ball = p.eye_ball,
        ),
        (
            "fg",
            "use darker module colours or a lighter background, with more contrast",
            |d, p, black| {
                d.fg = black.clone();
                d.eye_frame_color = black.clone();
                d.eye_ball_color = black.clone();
                d.bg = p.bg.clone();
            },
        ),
        ("margin", "use a margin of at least 2 modules", |d, p, _| {
            d.margin = p.margin
        }),
        (
            "ecc",
            "use a higher ecc, so that more of the code may be damaged",
            |d, _, _| d.ecc = super::design::Ecc::H,
        ),
    ];
    let mut trial = design.clone();
    trial.verify = false;
    for (parameter, advice, change) in changes {
        let mut changed = trial.clone();
        change(&mut changed, &plain, &black);
        if changed == trial {
            continue;
        }
        if scans(payload, &changed, logo, deadline) {
            return Unscannable {
                parameter,
                detail: format!(
                    "this code would not scan reliably: {}; with {parameter} changed it does ({advice})",
                    describe(parameter, design)
                ),
            };
        }
    }
    if logo.is_some() && scans(payload, &trial, None, deadline) {
        return Unscannable {
            parameter: "logo",
            detail: "this code would not scan reliably with the logo: use a higher ecc, a larger size, or no logo".into(),
        };
    }
    Unscannable {
        parameter: "size",
        detail: format!(
            "this code would not scan reliably at {} pixels: use a larger size, or shorten the content",
            design.size
        ),
    }
}

fn scans(payload: &str, design: &Design, logo: Option<&LogoImage>, deadline: Deadline) -> bool {
    match generate_unverified(payload, design, logo, deadline) {
        Ok((image, module_px)) => decodes(&image.bytes, design, payload, module_px),
        Err(QrError::Unscannable(_) | QrError::Capacity(_) | QrError::TooSmall(_)) => false,
        Err(
            QrError::Raster(_) | QrError::Caption(_) | QrError::Encode(_) | QrError::TimedOut(_),
        ) => false,
    }
}

fn describe(parameter: &str, design: &Design) -> String {
    match parameter {
        "module_shape" => format!("module_shape={}", design.module_shape.name()),
        "eye_frame" => format!("eye_frame={}", design.eye_frame.name()),
        "eye_ball" => format!("eye_ball={}", design.eye_ball.name()),
        "margin" => format!("margin={}", design.margin),
        "ecc" => format!("ecc={}", design.ecc.as_str()),
        _ => "its colours have too little contrast for a camera".into(),
    }
}

/// The image as greyscale on white (transparent pixels are shown on white).
fn greyscale(bytes: &[u8], design: &Design) -> Option<Vec<u8>> {
    let size = design.size;
    let rgba = match design.format {
        super::design::Format::Png => png_rgba(bytes, size)?,
        super::design::Format::Svg => svg_rgba(bytes, size)?,
        super::design::Format::Jpeg => jpeg_rgba(bytes, size)?,
        // Checked through their PNG (`qr::generate`).
        super::design::Format::Pdf | super::design::Format::Eps => return None,
    };
    Some(
        rgba.chunks_exact(4)
            .map(|p| {
                let luma =
                    (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000;
                let a = u32::from(p[3]);
                ((luma * a + 255 * (255 - a)) / 255) as u8
            })
            .collect(),
    )
}

fn png_rgba(bytes: &[u8], size: u32) -> Option<Vec<u8>> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    if (info.width, info.height) != (size, size) || info.color_type.samples() != 4 {
        return None;
    }
    buf.truncate(info.buffer_size());
    Some(buf)
}

/// Our own JPEG, decoded by zune-jpeg, as RGBA.
fn jpeg_rgba(bytes: &[u8], size: u32) -> Option<Vec<u8>> {
    let options = zune_core::options::DecoderOptions::default()
        .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::RGBA);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    let pixels = decoder.decode().ok()?;
    (pixels.len() == (size * size * 4) as usize).then_some(pixels)
}

/// Our own SVG (no external references), drawn by resvg.
fn svg_rgba(bytes: &[u8], size: u32) -> Option<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let tree = usvg::Tree::from_data(bytes, &usvg::Options::default()).ok()?;
    let mut pixmap = tiny_skia::Pixmap::new(size, size)?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    Some(
        pixmap
            .pixels()
            .iter()
            .flat_map(|p| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            })
            .collect(),
    )
}

/// A square greyscale image of `side` pixels reduced by a whole `factor` (box average).
struct Grey {
    side: usize,
    pixels: Vec<u8>,
}

fn reduce(pixels: &[u8], side: u32, factor: u32) -> Grey {
    let (side, factor) = (side as usize, factor as usize);
    let out_side = side / factor;
    let mut out = Vec::with_capacity(out_side * out_side);
    for y in 0..out_side {
        for x in 0..out_side {
            let mut sum = 0u32;
            for dy in 0..factor {
                let row = (y * factor + dy) * side + x * factor;
                sum += pixels[row..row + factor]
                    .iter()
                    .map(|&v| u32::from(v))
                    .sum::<u32>();
            }
            out.push((sum / (factor * factor) as u32) as u8);
        }
    }
    Grey {
        side: out_side,
        pixels: out,
    }
}

/// A box blur of radius `CAMERA_BLUR`, as an out-of-focus lens spreads each point.
fn blur(image: &Grey) -> Grey {
    let n = image.side as isize;
    let r = CAMERA_BLUR as isize;
    let at = |x: isize, y: isize| {
        let (x, y) = (x.clamp(0, n - 1), y.clamp(0, n - 1));
        u32::from(image.pixels[(y * n + x) as usize])
    };
    let mut out = Vec::with_capacity(image.pixels.len());
    let area = ((2 * r + 1) * (2 * r + 1)) as u32;
    for y in 0..n {
        for x in 0..n {
            let mut sum = 0;
            for dy in -r..=r {
                for dx in -r..=r {
                    sum += at(x + dx, y + dy);
                }
            }
            out.push((sum / area) as u8);
        }
    }
    Grey {
        side: image.side,
        pixels: out,
    }
}

/// The text rqrr reads from the first code it finds. rqrr is given only our own images,
/// reduced below the size where its arithmetic overflows; a panic is still caught, so that
/// a decoder fault reads as "does not scan" rather than failing the request.
fn read(image: &Grey) -> Option<String> {
    let n = image.side;
    std::panic::catch_unwind(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(n, n, |x, y| image.pixels[y * n + x]);
        let grids = prepared.detect_grids();
        let mut out = Vec::new();
        grids.first()?.decode_to(&mut out).ok()?;
        String::from_utf8(out).ok()
    })
    .ok()
    .flatten()
}
