//! PNG and JPEG logos: dimensions from the header before anything is decoded (so a
//! decompression bomb costs nothing), metadata bounded by walking the file's structure
//! (PNG chunks, JPEG segments), then one decode, with the decoders' own limits set, into
//! straight RGBA.

use std::io::Cursor;

use super::limits::*;
use super::{Bitmap, LogoError, check_pixels};

pub fn decode_png(bytes: &[u8]) -> Result<Bitmap, LogoError> {
    header_size(bytes)?;
    check_png_chunks(bytes)?;
    let corrupt = |e: png::DecodingError| LogoError::Corrupt(e.to_string());
    let limits = png::Limits {
        bytes: MAX_PNG_DECODER_BYTES,
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_transformations(
        png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
    );
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let (width, height) = check_pixels(reader.info().width.into(), reader.info().height.into())?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| LogoError::Corrupt("too large".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(corrupt)?;
    buf.truncate(frame.buffer_size());
    let rgba = match frame.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        other => {
            return Err(LogoError::Corrupt(format!(
                "unexpected colour type {other:?}"
            )));
        }
    };
    Ok(Bitmap {
        width,
        height,
        rgba,
    })
}

pub fn decode_jpeg(bytes: &[u8]) -> Result<Bitmap, LogoError> {
    header_size(bytes)?;
    check_jpeg_segments(bytes)?;
    let options = zune_core::options::DecoderOptions::default()
        .set_max_width(MAX_LOGO_PIXELS as usize)
        .set_max_height(MAX_LOGO_PIXELS as usize)
        .jpeg_set_max_scans(MAX_JPEG_SCANS)
        .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::RGBA);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    let rgba = decoder
        .decode()
        .map_err(|e| LogoError::Corrupt(format!("{e:?}")))?;
    let (w, h) = decoder
        .dimensions()
        .ok_or_else(|| LogoError::Corrupt("no dimensions".into()))?;
    let (width, height) = check_pixels(w as u64, h as u64)?;
    if rgba.len() != 4 * width as usize * height as usize {
        return Err(LogoError::Corrupt(
            "the decoded image has the wrong size".into(),
        ));
    }
    Ok(Bitmap {
        width,
        height,
        rgba,
    })
}

/// Dimensions from the file header only.
fn header_size(bytes: &[u8]) -> Result<(u32, u32), LogoError> {
    let size = imagesize::blob_size(bytes).map_err(|e| LogoError::Corrupt(e.to_string()))?;
    check_pixels(size.width as u64, size.height as u64)
}

/// Walks the chunk headers (no decoding): every chunk must fit in the file; text chunks
/// (which decoders may inflate) and other metadata (ICC profiles, EXIF) must stay small;
/// animations are refused (only a still image is drawn).
fn check_png_chunks(bytes: &[u8]) -> Result<(), LogoError> {
    let mut at = 8;
    let (mut text, mut metadata) = (0usize, 0usize);
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
        match kind {
            b"tEXt" | b"zTXt" | b"iTXt" => text += length,
            b"acTL" | b"fcTL" | b"fdAT" => {
                return Err(LogoError::Corrupt("animated PNGs are not accepted".into()));
            }
            b"IDAT" => image_data.extend_from_slice(&bytes[at + 8..end - 4]),
            b"IEND" => return check_png_data_size(bytes, &image_data),
            b"IHDR" | b"PLTE" | b"tRNS" => {}
            _ => metadata += length,
        }
        if text > MAX_PNG_TEXT_BYTES {
            return Err(LogoError::Corrupt(format!(
                "it carries more than {MAX_PNG_TEXT_BYTES} bytes of text metadata"
            )));
        }
        if metadata > MAX_PNG_METADATA_BYTES {
            return Err(LogoError::Corrupt(format!(
                "it carries more than {MAX_PNG_METADATA_BYTES} bytes of metadata (ICC profile, EXIF…)"
            )));
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

/// Walks the JPEG's segments up to its first scan: APPn (EXIF, ICC, XMP) and COM
/// segments together stay under `MAX_JPEG_METADATA_BYTES`. (The decoder itself bounds
/// the scans of a progressive image.)
fn check_jpeg_segments(bytes: &[u8]) -> Result<(), LogoError> {
    let mut at = 2; // after SOI
    let mut metadata = 0usize;
    while at + 2 <= bytes.len() {
        if bytes[at] != 0xFF {
            return Err(LogoError::Corrupt(
                "a segment does not start with a marker".into(),
            ));
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            return Ok(()); // start of scan (or end of image): the headers are done
        }
        let Some(&[high, low]) = bytes.get(at + 2..at + 4) else {
            break;
        };
        let length = usize::from(u16::from_be_bytes([high, low]));
        if matches!(marker, 0xE0..=0xEF | 0xFE) {
            metadata += length;
            if metadata > MAX_JPEG_METADATA_BYTES {
                return Err(LogoError::Corrupt(format!(
                    "it carries more than {MAX_JPEG_METADATA_BYTES} bytes of metadata (EXIF, ICC profile, comments…)"
                )));
            }
        }
        at += 2 + length;
    }
    Err(LogoError::Corrupt("the file ends in its headers".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
        out
    }

    /// A grey 8×8 PNG with `extra` chunks after its header.
    fn png_with(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut ihdr = 8u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&8u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(chunk(b"IHDR", &ihdr));
        for c in extra {
            out.extend_from_slice(c);
        }
        let rows = [[0u8; 9]; 8].concat();
        out.extend(chunk(
            b"IDAT",
            &miniz_oxide::deflate::compress_to_vec_zlib(&rows, 6),
        ));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn a_grey_png_decodes_to_opaque_rgba() {
        let bitmap = decode_png(&png_with(&[])).unwrap();
        assert_eq!((bitmap.width, bitmap.height), (8, 8));
        assert_eq!(&bitmap.rgba[..4], &[0, 0, 0, 255]);
        assert_eq!(bitmap.rgba.len(), 8 * 8 * 4);
    }

    #[test]
    fn a_png_with_a_large_icc_profile_is_refused_before_decoding() {
        let icc = chunk(b"iCCP", &vec![0u8; MAX_PNG_METADATA_BYTES + 1]);
        let refused = decode_png(&png_with(&[icc])).unwrap_err();
        assert!(refused.to_string().contains("metadata"), "{refused}");
        let small = chunk(b"eXIf", &[0u8; 64]);
        assert!(decode_png(&png_with(&[small])).is_ok());
    }

    #[test]
    fn a_png_with_much_text_is_refused() {
        let text = chunk(b"tEXt", &[b'a'; MAX_PNG_TEXT_BYTES + 1]);
        assert!(
            decode_png(&png_with(&[text]))
                .unwrap_err()
                .to_string()
                .contains("text")
        );
    }

    #[test]
    fn an_animated_png_is_refused() {
        let actl = chunk(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]);
        assert!(
            decode_png(&png_with(&[actl]))
                .unwrap_err()
                .to_string()
                .contains("animated")
        );
    }

    /// A JPEG header with `app` bytes of APP1 segments (EXIF) and no image.
    fn jpeg_with_app(app: usize) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        let mut left = app;
        while left > 0 {
            let n = left.min(60_000);
            out.extend_from_slice(&[0xFF, 0xE1]);
            out.extend_from_slice(&((n + 2) as u16).to_be_bytes());
            out.extend(std::iter::repeat_n(0u8, n));
            left -= n;
        }
        out.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    #[test]
    fn jpeg_metadata_is_bounded_before_decoding() {
        let refused = check_jpeg_segments(&jpeg_with_app(MAX_JPEG_METADATA_BYTES + 10));
        assert!(refused.unwrap_err().to_string().contains("metadata"));
        assert!(check_jpeg_segments(&jpeg_with_app(1000)).is_ok());
        assert!(check_jpeg_segments(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF]).is_err());
    }
}
