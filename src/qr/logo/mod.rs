//! Logo uploads: PNG, JPEG or a self-contained SVG, at most 256 KiB. Each is converted
//! once, at upload, into what renders draw: a PNG bitmap of at most 1024×1024 (raster
//! outputs) and, for SVG logos, the sanitised SVG (vector outputs). Renders never see
//! the upload, so a logo costs a render no more than its output size does.
//!
//! - `raster`: PNG and JPEG, metadata bounded, decoded once with the decoders' limits.
//! - `svg_check` and `svg_values`: the SVG allow-list, on a plain XML parse.
//! - `svg_write`: the clean tree back to SVG text, nothing outside the allow-list.
//! - `svg_raster`: the clean SVG into its bitmap, with a fill bound and a deadline.
//! - `limits`: every bound.

mod limits;
mod raster;
mod svg_check;
mod svg_raster;
mod svg_values;
mod svg_write;

pub use limits::{MAX_LOGO_BYTES, MAX_LOGO_PIXELS};
use svg_check::Refusal;

/// What was uploaded: its type and size in pixels (an SVG's declared size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogoInfo {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

/// A logo ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoImage {
    /// RGBA PNG of at most 1024×1024, made at upload: what raster outputs draw.
    pub bitmap: Vec<u8>,
    /// The sanitised SVG (SVG logos only): what vector outputs embed.
    pub svg: Option<String>,
}

/// An accepted upload and what it was converted into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub info: LogoInfo,
    pub image: LogoImage,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error("the logo is empty")]
    Empty,
    #[error("the logo is {0} bytes; at most {MAX_LOGO_BYTES} bytes (256 KiB) are accepted")]
    TooLarge(usize),
    #[error("the logo must be a PNG, JPEG or SVG image")]
    UnknownFormat,
    #[error(
        "the logo is {width}×{height} pixels; at most {MAX_LOGO_PIXELS}×{MAX_LOGO_PIXELS} are accepted"
    )]
    TooManyPixels { width: u64, height: u64 },
    #[error("the logo could not be decoded: {0}")]
    Corrupt(String),
    #[error("the SVG logo refers to something outside itself ({0}); embed everything it needs")]
    ExternalReference(String),
    #[error("the SVG logo is not accepted: {0}")]
    UnsafeSvg(String),
}

impl From<Refusal> for LogoError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Malformed(why) => Self::Corrupt(why),
            Refusal::External(what) => Self::ExternalReference(what),
            Refusal::Unsafe(why) => Self::UnsafeSvg(why),
        }
    }
}

/// Straight (not premultiplied) RGBA pixels.
#[derive(Debug)]
struct Bitmap {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

/// Checks an upload and converts it into what renders draw. CPU-bound (up to a few
/// hundred milliseconds for an SVG): call it off the async executor.
pub fn convert(bytes: &[u8]) -> Result<Converted, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge(bytes.len()));
    }
    let (mime, bitmap, svg, (width, height)) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let bitmap = raster::decode_png(bytes)?;
        let size = (bitmap.width, bitmap.height);
        ("image/png", encode_png(&bitmap), None, size)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let bitmap = raster::decode_jpeg(bytes)?;
        let size = (bitmap.width, bitmap.height);
        ("image/jpeg", encode_png(&bitmap), None, size)
    } else if looks_like_svg(bytes) {
        let text =
            std::str::from_utf8(bytes).map_err(|_| LogoError::Corrupt("not UTF-8".into()))?;
        let clean = svg_check::check(text)?;
        let raster_form = svg_write::write_for_raster(&clean);
        // The checks above keep the renderer within its tested ground; should it still
        // panic on some input, that logo is refused rather than the request failing.
        let drawn = std::panic::catch_unwind(|| svg_raster::rasterise(&raster_form))
            .map_err(|_| LogoError::UnsafeSvg("the renderer could not draw it".into()))?;
        let (pixmap, size) = drawn?;
        let bitmap = pixmap
            .encode_png()
            .map_err(|e| LogoError::Corrupt(e.to_string()))?;
        (
            "image/svg+xml",
            bitmap,
            Some(svg_write::write(&clean)),
            size,
        )
    } else {
        return Err(LogoError::UnknownFormat);
    };
    Ok(Converted {
        info: LogoInfo {
            mime,
            width,
            height,
        },
        image: LogoImage { bitmap, svg },
    })
}

fn check_pixels(width: u64, height: u64) -> Result<(u32, u32), LogoError> {
    if width == 0 || height == 0 {
        return Err(LogoError::Corrupt("it has no pixels".into()));
    }
    if width > u64::from(MAX_LOGO_PIXELS) || height > u64::from(MAX_LOGO_PIXELS) {
        return Err(LogoError::TooManyPixels { width, height });
    }
    Ok((width as u32, height as u32))
}

/// The bitmap as an RGBA PNG (written into memory, so it cannot fail).
fn encode_png(bitmap: &Bitmap) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, bitmap.width, bitmap.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer
        .write_image_data(&bitmap.rgba)
        .expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with("<?xml") || text.starts_with("<svg") || text.starts_with("<!--"))
        && text.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn tiny_png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer
            .write_image_data(&vec![128; (width * height) as usize])
            .unwrap();
        writer.finish().unwrap();
        out
    }

    fn info(bytes: &[u8]) -> Result<LogoInfo, LogoError> {
        convert(bytes).map(|c| c.info)
    }

    /// Width, height and the first pixel of a bitmap.
    fn bitmap(png_bytes: &[u8]) -> (u32, u32, [u8; 4]) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        assert_eq!(frame.color_type, png::ColorType::Rgba);
        (frame.width, frame.height, buf[..4].try_into().unwrap())
    }

    #[test]
    fn a_small_png_is_accepted_with_its_size_and_kept_as_an_rgba_bitmap() {
        let converted = convert(&tiny_png(40, 30)).unwrap();
        assert_eq!(
            converted.info,
            LogoInfo {
                mime: "image/png",
                width: 40,
                height: 30
            }
        );
        assert_eq!(
            bitmap(&converted.image.bitmap),
            (40, 30, [128, 128, 128, 255])
        );
        assert_eq!(converted.image.svg, None);
    }

    #[test]
    fn an_svg_logo_becomes_a_1024_pixel_bitmap_and_its_sanitised_svg() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32" onload="x()"><rect width="64" height="32" fill="#ff0000"/></svg>"##;
        let converted = convert(svg).unwrap();
        assert_eq!(converted.info.mime, "image/svg+xml");
        assert_eq!((converted.info.width, converted.info.height), (64, 32));
        assert_eq!(
            bitmap(&converted.image.bitmap),
            (1024, 512, [255, 0, 0, 255])
        );
        assert_eq!(
            converted.image.svg.as_deref(),
            Some(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"><rect width="64" height="32" fill="#ff0000"/></svg>"##
            )
        );
    }

    #[test]
    fn a_png_declaring_huge_dimensions_is_refused_from_its_header() {
        let mut png = tiny_png(8, 8);
        // IHDR width and height live at bytes 16..24; the CRC no longer matches either.
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert_eq!(
            info(&png),
            Err(LogoError::TooManyPixels {
                width: 100_000,
                height: 100_000
            })
        );
    }

    #[test]
    fn a_truncated_png_is_refused() {
        let png = tiny_png(64, 64);
        assert!(matches!(
            info(&png[..png.len() - 20]),
            Err(LogoError::Corrupt(_))
        ));
    }

    #[test]
    fn a_self_contained_svg_is_accepted() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><linearGradient id="g"/></defs><circle cx="50" cy="50" r="40" fill="url(#g)"/></svg>"##;
        assert_eq!(info(svg).unwrap().mime, "image/svg+xml");
    }

    #[test]
    fn svg_references_outside_the_document_are_refused() {
        for svg in [
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/passwd"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/p)"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);</style></svg>"#,
        ] {
            assert!(
                matches!(info(svg.as_bytes()), Err(LogoError::ExternalReference(_))),
                "{svg}"
            );
        }
    }

    #[test]
    fn scripts_entities_and_huge_viewports_are_refused() {
        let script = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(matches!(info(script), Err(LogoError::UnsafeSvg(_))));
        let entity = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
        assert!(matches!(info(entity), Err(LogoError::UnsafeSvg(_))));
        let huge = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="10" height="10"/></svg>"#;
        assert!(matches!(info(huge), Err(LogoError::TooManyPixels { .. })));
    }

    #[test]
    fn other_formats_and_oversized_files_are_refused() {
        assert_eq!(info(b"GIF89a...."), Err(LogoError::UnknownFormat));
        assert_eq!(
            info(&[0x1f, 0x8b, 8, 0]),
            Err(LogoError::UnknownFormat),
            "gzip-compressed SVG"
        );
        assert_eq!(
            info(&vec![0u8; MAX_LOGO_BYTES + 1]),
            Err(LogoError::TooLarge(MAX_LOGO_BYTES + 1))
        );
        assert_eq!(info(b""), Err(LogoError::Empty));
    }
}
