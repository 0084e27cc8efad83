//! `verify=true`: the image is decoded in the server before it is sent, by rqrr (the quirc
//! algorithm): as drawn, and as a phone camera would see it (reduced to about four pixels
//! a module, then slightly blurred; at three neighbouring scales, two of which must
//! read). When the payload does not come back exactly, the design is tried again with one
//! choice at a time put back to its default, and the first change that makes it scan is
//! named in the answer.
//!
//! What it costs is in `benches/render.rs` ("verify=true"): a decode of the image and of
//! two or three smaller copies, most of it the decode at full size.

use super::design::{Design, Paint};
use super::render::LogoImage;
use super::{Deadline, QrError, TimedOut, generate_unverified};
use crate::qr::color::Rgb;

/// rqrr computes line intersections in `i32` and overflows on images much over 2000
/// pixels: larger images are box-reduced first.
const MAX_DECODE_SIDE: u32 = 1200;
/// The camera copy: about four pixels a module after reduction, then a slight blur.
const CAMERA_PER_MODULE: f64 = 4.0;

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
    // A camera sees a code at no particular scale, and a decoder's luck with how modules
    // fall on pixels varies from one scale to the next (rqrr reads a code at 3.3 pixels a
    // module and misses it at 4.3): the copy is taken at three neighbouring scales, as a
    // phone takes several frames, and two of them must read.
    let centre = (module_px / CAMERA_PER_MODULE).round().max(1.0) as u32;
    let factors: Vec<u32> = [centre.saturating_sub(1), centre, centre + 1]
        .into_iter()
        .filter(|&f| f >= 1 && module_px / f64::from(f) >= 2.5)
        .collect();
    let needed = factors.len().min(2);
    let (mut read_back, mut missed) = (0, 0);
    for f in factors.iter().copied() {
        if read(&blur(&reduce(&grey, side, f))).as_deref() == Some(payload) {
            read_back += 1;
        } else {
            missed += 1;
        }
        // Stop as soon as the answer is known: two reads, or too many misses.
        if read_back >= needed || factors.len() - missed < needed {
            break;
        }
    }
    read_back >= needed
}

/// Decides what to change when `design` does not scan: each choice put back to its default
/// in turn (the shapes, the colours, the logo, the margin), re-rendered and decoded. The
/// first that scans is named; otherwise the size. The trials stop at the request's
/// deadline like any render.
pub fn diagnose(
    payload: &str,
    design: &Design,
    logo: Option<&LogoImage>,
    deadline: Deadline,
) -> Result<Unscannable, TimedOut> {
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
        if scans(payload, &changed, logo, deadline)? {
            return Ok(Unscannable {
                parameter,
                detail: format!(
                    "this code would not scan reliably: {}; with {parameter} changed it does ({advice})",
                    describe(parameter, design)
                ),
            });
        }
    }
    if logo.is_some() && scans(payload, &trial, None, deadline)? {
        return Ok(Unscannable {
            parameter: "logo",
            detail: "this code would not scan reliably with the logo: use a higher ecc, a larger size, or no logo".into(),
        });
    }
    Ok(Unscannable {
        parameter: "size",
        detail: format!(
            "this code would not scan reliably at {} pixels: use a larger size, or shorten the content",
            design.size
        ),
    })
}

fn scans(
    payload: &str,
    design: &Design,
    logo: Option<&LogoImage>,
    deadline: Deadline,
) -> Result<bool, TimedOut> {
    match generate_unverified(payload, design, logo, deadline) {
        Ok((image, module_px)) => Ok(decodes(&image.bytes, design, payload, module_px)),
        Err(QrError::TimedOut(t)) => Err(t),
        Err(QrError::Unscannable(_) | QrError::Capacity(_) | QrError::TooSmall(_)) => Ok(false),
        Err(QrError::Raster(_)) => Ok(false),
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

/// A slight blur, as an out-of-focus lens spreads each point: the 3×3 binomial kernel
/// (a Gaussian of about a fifth of a module at four pixels a module).
fn blur(image: &Grey) -> Grey {
    const KERNEL: [[u32; 3]; 3] = [[1, 2, 1], [2, 4, 2], [1, 2, 1]];
    let n = image.side as isize;
    let at = |x: isize, y: isize| {
        let (x, y) = (x.clamp(0, n - 1), y.clamp(0, n - 1));
        u32::from(image.pixels[(y * n + x) as usize])
    };
    let mut out = Vec::with_capacity(image.pixels.len());
    for y in 0..n {
        for x in 0..n {
            let mut sum = 0;
            for (dy, row) in KERNEL.iter().enumerate() {
                for (dx, weight) in row.iter().enumerate() {
                    sum += weight * at(x + dx as isize - 1, y + dy as isize - 1);
                }
            }
            out.push((sum / 16) as u8);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::design::shape_choices;
    use crate::qr::generate;

    fn design(pairs: &[(&str, &str)]) -> Design {
        Design::from_params(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
            .expect("a valid design")
    }

    const URL: &str = "https://example.org/menu/table-1?lang=en";

    #[test]
    fn every_shipped_shape_passes_verification() {
        for (name, value) in shape_choices() {
            for (size, format) in [("512", "png"), ("300", "svg"), ("1500", "png")] {
                let pairs = [
                    (name, value),
                    ("verify", "true"),
                    ("size", size),
                    ("format", format),
                ];
                assert!(
                    generate(URL, &design(&pairs), None, Deadline::none()).is_ok(),
                    "{pairs:?}"
                );
            }
        }
    }

    #[test]
    fn styled_coloured_codes_pass_verification() {
        let pairs = [
            ("module_shape", "dot"),
            ("eye_shape", "rounded"),
            ("fg", "#1d4ed8"),
            ("eye_color", "#b91c1c"),
            ("verify", "true"),
        ];
        for size in ["300", "512", "777"] {
            let mut pairs = pairs.to_vec();
            pairs.push(("size", size));
            assert!(
                generate(URL, &design(&pairs), None, Deadline::none()).is_ok(),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn a_code_without_contrast_fails_and_names_the_colours() {
        let pairs = [
            ("verify", "true"),
            ("fg", "#8a8a8a"),
            ("bg", "#909090"),
            ("allow_low_contrast", "true"),
        ];
        match generate(URL, &design(&pairs), None, Deadline::none()) {
            Err(QrError::Unscannable(e)) => assert_eq!(e.parameter, "fg", "{e}"),
            other => panic!("{other:?}"),
        }
    }
}
