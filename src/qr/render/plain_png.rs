//! The fast path for plain designs: square modules straight into a 1- or 2-bit palette
//! PNG (no SVG, no anti-aliasing). The file is written here rather than by the `png`
//! crate, whose general encoder filtered and compressed every pixel row: the zlib stream
//! is described row by row (`deflate.rs`), so its cost follows the number of modules,
//! not of pixels.

use crate::qr::color::Rgb;
use crate::qr::design::{Background, Design, Paint};
use crate::qr::encode::Matrix;
use crate::qr::layout::Layout;

use super::png_file::{PngFile, Scanlines};

pub fn encode(matrix: &Matrix, design: &Design, layout: &Layout) -> Vec<u8> {
    let size = layout.size as usize;
    // Palette: the background first, then the modules', the eye frames' and the eye balls'
    // colours, each once.
    let bg = match design.bg {
        Background::Color(c) => c,
        _ => Rgb::WHITE,
    };
    let solid = |paint: &Paint| paint.solid().unwrap_or(Rgb::BLACK);
    let (mut palette, mut colours) = ([bg.to_array(); 4], 1);
    let mut index_for = |colour: Rgb| -> u8 {
        let rgb = colour.to_array();
        match palette[1..colours].iter().position(|c| *c == rgb) {
            Some(i) => (i + 1) as u8,
            None => {
                palette[colours] = rgb;
                colours += 1;
                (colours - 1) as u8
            }
        }
    };
    let module_index = index_for(solid(&design.fg));
    let frame_index = index_for(solid(&design.eye_frame_color));
    let ball_index = index_for(solid(&design.eye_ball_color));
    let palette = &palette[..colours];
    let bits: usize = if palette.len() <= 2 { 1 } else { 2 };

    // Each module row covers `s` pixel rows: build its pixels once, a run of equal
    // modules at a time, and describe the other rows as repeats.
    let s = layout.module as usize;
    let offset = layout.offset as usize;
    let row_bytes = (size * bits).div_ceil(8);
    // At most a distinct row per module row, and the margins above and below.
    let mut rows = Scanlines::new(row_bytes, matrix.width + 2);
    // Zero is palette index 0, the background: the row starts as the top margin.
    let mut module_row = vec![0u8; row_bytes + PACK_SLACK];
    rows.push(&module_row[..row_bytes], offset);
    if bits == 1 && s <= 32 {
        // Two colours: a pixel is its module's dark bit, so rows are packed straight
        // from the matrix, a module's bits shifted in at a time.
        for dark in matrix.dark.chunks_exact(matrix.width) {
            pack_row(&mut module_row, offset, s, dark);
            rows.push(&module_row[..row_bytes], s);
        }
        module_row.fill(0);
        rows.push(&module_row[..row_bytes], size - offset - matrix.width * s);
        return write_file(rows, palette, design, layout.size, bits);
    }
    let index_of = |mx: usize, my: usize| match (matrix.get(mx, my), matrix.in_finder(mx, my)) {
        (false, _) => 0u8,
        (true, false) => module_index,
        (true, true) if in_ball(matrix, mx, my) => ball_index,
        (true, true) => frame_index,
    };
    // The palette index of each module of the current row, looked up once.
    let mut indices = vec![0u8; matrix.width];
    for my in 0..matrix.width {
        if (7..matrix.width - 7).contains(&my) {
            // Between the finder patterns' rows every dark module is a data module.
            let dark = &matrix.dark[my * matrix.width..(my + 1) * matrix.width];
            for (index, &is_dark) in indices.iter_mut().zip(dark) {
                *index = u8::from(is_dark) * module_index;
            }
        } else {
            for (mx, index) in indices.iter_mut().enumerate() {
                *index = index_of(mx, my);
            }
        }
        module_row.fill(0);
        let mut mx = 0;
        while mx < matrix.width {
            let index = indices[mx];
            let run = indices[mx..].iter().take_while(|&&i| i == index).count();
            if index != 0 {
                // Pixels are `bits` wide, most significant first: the run's pixels are a
                // range of bits, filled with the index repeated across each byte.
                let pattern = if bits == 1 { 0xff } else { index * 0x55 };
                let first = (offset + mx * s) * bits;
                fill_bits(&mut module_row, first, first + run * s * bits, pattern);
            }
            mx += run;
        }
        rows.push(&module_row[..row_bytes], s);
    }
    module_row.fill(0);
    rows.push(&module_row[..row_bytes], size - offset - matrix.width * s);
    write_file(rows, palette, design, layout.size, bits)
}

/// The file around the image data.
fn write_file(
    rows: Scanlines,
    palette: &[[u8; 3]],
    design: &Design,
    size: u32,
    bits: usize,
) -> Vec<u8> {
    let idat = rows.finish();
    // Signature, IHDR, PLTE, tRNS, IDAT and IEND: 8 + 25 + (12 + 3·n) + 13 + 12 + 12,
    // and 8 bytes the zlib writer's last word may touch before it is cut off.
    let capacity = 82 + 3 * palette.len() + idat.len() + 8;
    let mut png = PngFile::new(size, bits as u8, capacity);
    png.chunk_with(b"PLTE", |out| {
        palette.iter().for_each(|rgb| out.extend_from_slice(rgb))
    });
    if design.bg == Background::Transparent {
        png.chunk(b"tRNS", &[0]);
    }
    png.chunk_with(b"IDAT", |out| idat.write(out));
    let file = png.finish();
    debug_assert!(file.len() <= capacity, "{} > {capacity}", file.len());
    file
}

/// Writes one module row of a two-colour image into `row`: `s` pixels (bits) per module
/// from pixel `offset` on, dark as 1. Only the symbol's bytes are written, and zeros
/// after them (the background): `row` has `PACK_SLACK` bytes past the image's row for
/// the last word stored.
fn pack_row(row: &mut [u8], offset: usize, s: usize, dark: &[bool]) {
    debug_assert!((1..=32).contains(&s));
    let ones = (1u64 << s) - 1;
    // Bits not yet stored, the oldest highest: at most 64 of them. Whole bytes go out
    // a word at a time when the next module would not fit, not a byte per module: the
    // loop that runs for every module is then a shift, an OR and an add.
    let (mut pending, mut count) = (0u64, offset % 8);
    let mut at = offset / 8;
    for &is_dark in dark {
        if count + s > 64 {
            let word = pending << (64 - count);
            row[at..at + 8].copy_from_slice(&word.to_be_bytes());
            at += count / 8;
            count %= 8;
            pending &= (1 << count) - 1;
        }
        pending = pending << s | (ones * u64::from(is_dark));
        count += s;
    }
    if count > 0 {
        let word = pending << (64 - count);
        row[at..at + 8].copy_from_slice(&word.to_be_bytes());
    }
}

/// Bytes past an image row that `pack_row` may write (zeros).
const PACK_SLACK: usize = 8;

/// Whether (x, y), inside a finder pattern, is in its 3×3 centre.
fn in_ball(matrix: &Matrix, x: usize, y: usize) -> bool {
    let far = matrix.width - 7;
    let inside = |v: usize| (2..5).contains(&(if v >= far { v - far } else { v }));
    inside(x) && inside(y)
}

/// Sets bits `start..end` of `row` (most significant bit of each byte first) from
/// `pattern`, which holds the value for every bit position of a byte.
fn fill_bits(row: &mut [u8], start: usize, end: usize, pattern: u8) {
    debug_assert!(start < end);
    let (first, last) = (start / 8, (end - 1) / 8);
    let head = 0xffu8 >> (start % 8);
    let tail = 0xffu8 << (7 - (end - 1) % 8);
    if first == last {
        row[first] |= pattern & head & tail;
        return;
    }
    row[first] |= pattern & head;
    for byte in &mut row[first + 1..last] {
        *byte |= pattern;
    }
    row[last] |= pattern & tail;
}

#[cfg(test)]
mod tests {
    use crate::qr::color::Rgb;
    use crate::qr::design::{Background, Design, Ecc, Paint};
    use crate::qr::encode::encode;
    use crate::qr::layout::layout;

    /// Decodes with the `png` crate (which checks every chunk's CRC) after inflating the
    /// image data with miniz_oxide (which checks the Adler-32), and compares every pixel
    /// with the colour it must have, computed from the matrix pixel by pixel.
    fn assert_pixels(text: &str, size: u32, margin: u32, design: &Design) {
        let matrix = encode(text, design.ecc).unwrap();
        let layout = layout(size, matrix.width, margin).unwrap();
        let file = super::encode(&matrix, design, &layout);

        let idat_start = file.windows(4).position(|w| w == b"IDAT").unwrap();
        let len = u32::from_be_bytes(file[idat_start - 4..idat_start].try_into().unwrap());
        let idat = &file[idat_start + 4..idat_start + 4 + len as usize];
        miniz_oxide::inflate::decompress_to_vec_zlib(idat).expect("valid zlib with Adler-32");

        let mut decoder = png::Decoder::new(std::io::Cursor::new(&file));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (size, size));
        let channels = info.color_type.samples();
        let (s, offset) = (layout.module as usize, layout.offset as usize);
        for y in 0..size as usize {
            for x in 0..size as usize {
                let module = |p: usize| {
                    (p >= offset && p < offset + matrix.width * s).then(|| (p - offset) / s)
                };
                let (colour, alpha) = match (module(x), module(y)) {
                    (Some(mx), Some(my)) if matrix.get(mx, my) => (
                        if !matrix.in_finder(mx, my) {
                            design.fg.solid().unwrap()
                        } else if super::in_ball(&matrix, mx, my) {
                            design.eye_ball_color.solid().unwrap()
                        } else {
                            design.eye_frame_color.solid().unwrap()
                        },
                        255,
                    ),
                    _ => match design.bg {
                        Background::Color(c) => (c, 255),
                        _ => (Rgb::WHITE, 0),
                    },
                };
                let at = (y * size as usize + x) * channels;
                assert_eq!(
                    &pixels[at..at + 3],
                    &colour.to_array(),
                    "pixel ({x}, {y}) of {text:?} at {size} px"
                );
                if channels == 4 {
                    assert_eq!(pixels[at + 3], alpha, "alpha of ({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn every_pixel_is_the_colour_of_its_module() {
        let plain = Design::default();
        let eyes = Design {
            fg: Paint::Solid(Rgb(20, 40, 160)),
            eye_frame_color: Paint::Solid(Rgb(190, 20, 20)),
            eye_ball_color: Paint::Solid(Rgb(20, 120, 20)),
            bg: Background::Color(Rgb(250, 250, 240)),
            ..Design::default()
        };
        let transparent = Design {
            bg: Background::Transparent,
            ..Design::default()
        };
        for (text, size, margin) in [
            ("https://example.org/item/00000000000000", 300, 4),
            ("x", 21, 0),
            ("x", 64, 4),
            ("https://example.org/menu/table-1?lang=en", 333, 4),
            ("https://example.org/menu/table-1?lang=en", 512, 0),
            // Modules over 32 pixels: two colours drawn run by run, not packed.
            ("x", 1000, 0),
        ] {
            for design in [&plain, &eyes, &transparent] {
                assert_pixels(text, size, margin, design);
            }
        }
        // Version 40 at its largest: long copies, wide rows.
        let long = "A".repeat(4000);
        assert_pixels(
            &long,
            2000,
            4,
            &Design {
                ecc: Ecc::L,
                ..Design::default()
            },
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Any payload, size, margin and palette (1 or 2 bits, opaque or transparent).
        #[test]
        fn any_plain_code_has_the_right_pixels(
            text in "[ -~]{1,200}",
            extra in 0u32..300,
            margin in 0u32..8,
            eye in proptest::bool::ANY,
            transparent in proptest::bool::ANY,
        ) {
            let design = Design {
                eye_frame_color: Paint::Solid(if eye { Rgb(200, 0, 0) } else { Rgb::BLACK }),
                bg: if transparent { Background::Transparent } else { Background::Color(Rgb::WHITE) },
                ..Design::default()
            };
            let width = encode(&text, design.ecc).unwrap().width as u32;
            assert_pixels(&text, width + 2 * margin + extra, margin, &design);
        }
    }

    #[test]
    fn a_plain_300_px_code_stays_small() {
        let matrix = encode("https://example.org/menu/table-1?lang=en", Ecc::M).unwrap();
        let design = Design {
            size: 300,
            ..Design::default()
        };
        let png = super::encode(&matrix, &design, &layout(300, matrix.width, 4).unwrap());
        assert!(png.len() < 1_000, "{} bytes", png.len());
    }
}
