//! Logo uploads: PNG, JPEG or a self-contained SVG, at most 256 KiB and 1024×1024 pixels.
//! Raster dimensions are read from the header and checked before anything is decoded, so
//! a decompression bomb costs nothing; then the whole image is decoded once to prove it is
//! intact. SVG is parsed as XML and refused if it refers to anything outside itself.

use std::io::Cursor;

use resvg::usvg;

pub const MAX_LOGO_BYTES: usize = 256 * 1024;
pub const MAX_LOGO_PIXELS: u32 = 1024;
/// Bounds on an SVG logo's structure, far above any real logo.
const MAX_SVG_ELEMENTS: usize = 5_000;
const MAX_SVG_DEPTH: usize = 48;
const MAX_SVG_USES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogoInfo {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
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

pub fn validate(bytes: &[u8]) -> Result<LogoInfo, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge(bytes.len()));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let (width, height) = header_size(bytes)?;
        check_png_chunks(bytes)?;
        decode_png(bytes)?;
        Ok(LogoInfo {
            mime: "image/png",
            width,
            height,
        })
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let (width, height) = header_size(bytes)?;
        decode_jpeg(bytes)?;
        Ok(LogoInfo {
            mime: "image/jpeg",
            width,
            height,
        })
    } else if looks_like_svg(bytes) {
        let (width, height) = check_svg(bytes)?;
        Ok(LogoInfo {
            mime: "image/svg+xml",
            width,
            height,
        })
    } else {
        Err(LogoError::UnknownFormat)
    }
}

/// Dimensions from the file header only.
fn header_size(bytes: &[u8]) -> Result<(u32, u32), LogoError> {
    let size = imagesize::blob_size(bytes).map_err(|e| LogoError::Corrupt(e.to_string()))?;
    check_pixels(size.width as u64, size.height as u64)
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

/// Compressed text a logo may carry (a few notes at most); more is a bomb in waiting.
const MAX_PNG_TEXT_BYTES: usize = 4096;

/// Walks the chunk headers (no decoding): every chunk must fit in the file, and text
/// chunks (tEXt, zTXt, iTXt), which decoders may inflate later, must stay small.
fn check_png_chunks(bytes: &[u8]) -> Result<(), LogoError> {
    let mut at = 8;
    let mut text = 0usize;
    let mut image_data = Vec::new();
    while at + 8 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let kind = &bytes[at + 4..at + 8];
        let end = at
            .checked_add(12)
            .and_then(|a| a.checked_add(length))
            .filter(|end| *end <= bytes.len());
        let Some(end) = end else {
            return Err(LogoError::Corrupt(
                "a chunk runs past the end of the file".into(),
            ));
        };
        if matches!(kind, b"tEXt" | b"zTXt" | b"iTXt") {
            text += length;
            if text > MAX_PNG_TEXT_BYTES {
                return Err(LogoError::Corrupt(format!(
                    "it carries more than {MAX_PNG_TEXT_BYTES} bytes of text metadata"
                )));
            }
        }
        if kind == b"IDAT" {
            image_data.extend_from_slice(&bytes[at + 8..end - 4]);
        }
        if kind == b"IEND" {
            return check_png_data_size(bytes, &image_data);
        }
        at = end;
    }
    Err(LogoError::Corrupt(
        "the file ends before its last chunk".into(),
    ))
}

/// The image data must not inflate to more than its dimensions need: extra data is
/// ignored by decoders but is how a small file hides a large inflation.
fn check_png_data_size(bytes: &[u8], compressed: &[u8]) -> Result<(), LogoError> {
    let ihdr = bytes
        .get(16..29)
        .ok_or_else(|| LogoError::Corrupt("no header".into()))?;
    let width = u64::from(u32::from_be_bytes(ihdr[0..4].try_into().expect("4 bytes")));
    let height = u64::from(u32::from_be_bytes(ihdr[4..8].try_into().expect("4 bytes")));
    let (depth, color, interlaced) = (u64::from(ihdr[8]), ihdr[9], ihdr[12] != 0);
    let channels = match color {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        _ => 4,
    };
    let row = (width * depth * channels).div_ceil(8) + 1;
    // Interlacing adds a filter byte per row of each of its 7 passes.
    let needed = row * height + if interlaced { 7 * height + 64 } else { 0 };
    let inflated =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, needed as usize);
    match inflated {
        Ok(_) => Ok(()),
        Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Err(
            LogoError::Corrupt("its image data is larger than its dimensions need".into()),
        ),
        Err(_) => Err(LogoError::Corrupt(
            "its image data cannot be inflated".into(),
        )),
    }
}

fn decode_png(bytes: &[u8]) -> Result<(), LogoError> {
    let corrupt = |e: png::DecodingError| LogoError::Corrupt(e.to_string());
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        // Room for 1024×1024 RGBA at 16 bits plus metadata; text chunks cannot exceed it.
        png::Limits {
            bytes: 10 * 1024 * 1024,
        },
    );
    decoder.set_ignore_text_chunk(true);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let info = reader.info();
    check_pixels(info.width.into(), info.height.into())?;
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .ok_or_else(|| LogoError::Corrupt("too large".into()))?
    ];
    reader.next_frame(&mut buf).map_err(corrupt)?;
    Ok(())
}

fn decode_jpeg(bytes: &[u8]) -> Result<(), LogoError> {
    let options = zune_core::options::DecoderOptions::default()
        .set_max_width(MAX_LOGO_PIXELS as usize)
        .set_max_height(MAX_LOGO_PIXELS as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    decoder
        .decode()
        .map_err(|e| LogoError::Corrupt(format!("{e:?}")))?;
    Ok(())
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with("<?xml") || text.starts_with("<svg") || text.starts_with("<!--"))
        && text.contains("<svg")
}

/// Parses the SVG as XML and refuses anything that reaches outside it or is built to
/// exhaust a renderer; then lets usvg parse it to be sure it draws.
fn check_svg(bytes: &[u8]) -> Result<(u32, u32), LogoError> {
    let text = std::str::from_utf8(bytes).map_err(|_| LogoError::Corrupt("not UTF-8".into()))?;
    if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
        return Err(LogoError::UnsafeSvg(
            "document type declarations and entities are not allowed".into(),
        ));
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| LogoError::Corrupt(e.to_string()))?;
    let mut elements = 0;
    let mut uses = 0;
    for node in doc.descendants().filter(|n| n.is_element()) {
        elements += 1;
        let name = node.tag_name().name();
        if matches!(
            name,
            "script" | "foreignObject" | "iframe" | "audio" | "video"
        ) {
            return Err(LogoError::UnsafeSvg(format!(
                "<{name}> elements are not allowed"
            )));
        }
        uses += usize::from(name == "use");
        let depth = node.ancestors().count();
        if elements > MAX_SVG_ELEMENTS || uses > MAX_SVG_USES || depth > MAX_SVG_DEPTH {
            return Err(LogoError::UnsafeSvg(
                "it is too complex (elements, nesting or <use> references)".into(),
            ));
        }
        for attribute in node.attributes() {
            check_reference(attribute.name(), attribute.value())?;
        }
        if name == "style" {
            let css = node.text().unwrap_or_default();
            if css.contains("@import") {
                return Err(LogoError::ExternalReference("@import".into()));
            }
            check_reference("style", css)?;
        }
    }
    let options = usvg::Options::default();
    let tree =
        usvg::Tree::from_data(bytes, &options).map_err(|e| LogoError::Corrupt(e.to_string()))?;
    let size = tree.size();
    check_pixels(size.width().ceil() as u64, size.height().ceil() as u64)
}

/// An `href` may only point inside the document (`#id`) or hold inline PNG/JPEG data;
/// `url(...)` in any attribute or style may only point inside the document.
fn check_reference(name: &str, value: &str) -> Result<(), LogoError> {
    let value = value.trim();
    if name == "href" {
        let inline = value.starts_with("data:image/png;") || value.starts_with("data:image/jpeg;");
        if !value.starts_with('#') && !inline {
            return Err(LogoError::ExternalReference(clip(value)));
        }
    }
    let mut rest = value;
    while let Some(at) = rest.find("url(") {
        let target = rest[at + 4..].trim_start().trim_start_matches(['\'', '"']);
        if !target.starts_with('#') {
            return Err(LogoError::ExternalReference(clip(&rest[at..])));
        }
        rest = &rest[at + 4..];
    }
    Ok(())
}

fn clip(v: &str) -> String {
    v.chars().take(40).collect()
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

    #[test]
    fn a_small_png_is_accepted_with_its_size() {
        assert_eq!(
            validate(&tiny_png(40, 30)),
            Ok(LogoInfo {
                mime: "image/png",
                width: 40,
                height: 30
            })
        );
    }

    #[test]
    fn a_png_declaring_huge_dimensions_is_refused_from_its_header() {
        let mut png = tiny_png(8, 8);
        // IHDR width and height live at bytes 16..24; the CRC no longer matches either.
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert_eq!(
            validate(&png),
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
            validate(&png[..png.len() - 20]),
            Err(LogoError::Corrupt(_))
        ));
    }

    #[test]
    fn a_self_contained_svg_is_accepted() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><linearGradient id="g"/></defs><circle cx="50" cy="50" r="40" fill="url(#g)"/></svg>"##;
        assert_eq!(validate(svg).unwrap().mime, "image/svg+xml");
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
                matches!(
                    validate(svg.as_bytes()),
                    Err(LogoError::ExternalReference(_))
                ),
                "{svg}"
            );
        }
    }

    #[test]
    fn scripts_entities_and_huge_viewports_are_refused() {
        let script = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(matches!(validate(script), Err(LogoError::UnsafeSvg(_))));
        let entity = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
        assert!(matches!(validate(entity), Err(LogoError::UnsafeSvg(_))));
        let huge = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="10" height="10"/></svg>"#;
        assert!(matches!(
            validate(huge),
            Err(LogoError::TooManyPixels { .. })
        ));
    }

    #[test]
    fn other_formats_and_oversized_files_are_refused() {
        assert_eq!(validate(b"GIF89a...."), Err(LogoError::UnknownFormat));
        assert_eq!(
            validate(&[0x1f, 0x8b, 8, 0]),
            Err(LogoError::UnknownFormat),
            "gzip-compressed SVG"
        );
        assert_eq!(
            validate(&vec![0u8; MAX_LOGO_BYTES + 1]),
            Err(LogoError::TooLarge(MAX_LOGO_BYTES + 1))
        );
        assert_eq!(validate(b""), Err(LogoError::Empty));
    }
}
