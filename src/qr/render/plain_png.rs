//! The fast path for plain designs: square modules straight into a 1- or 2-bit palette
//! PNG (no SVG, no anti-aliasing), compressed with the `png` crate's fast deflate.

use crate::qr::design::{Background, Design};
use crate::qr::encode::Matrix;
use crate::qr::layout::Layout;

pub fn encode(matrix: &Matrix, design: &Design, layout: &Layout) -> Vec<u8> {
    let size = layout.size as usize;
    // Palette: 0 = background, 1 = modules, 2 = eyes (only when their colour differs).
    let bg = design.bg.assumed();
    let mut palette = vec![bg.to_array(), design.fg.to_array()];
    let eye_index = if design.eye_color == design.fg {
        1
    } else {
        palette.push(design.eye_color.to_array());
        2
    };
    let bits: usize = if palette.len() <= 2 { 1 } else { 2 };

    // Module rows repeat over `s` pixel rows: build each once, a module at a time (each
    // module covers `s` pixels), and copy it for the other pixel rows.
    let s = layout.module as usize;
    let offset = layout.offset as usize;
    let row_bytes = (size * bits).div_ceil(8);
    let mut image = vec![0u8; row_bytes * size];
    let mut module_row = vec![0u8; row_bytes];
    for my in 0..matrix.width {
        module_row.fill(0);
        for mx in (0..matrix.width).filter(|&mx| matrix.get(mx, my)) {
            let index = if matrix.in_finder(mx, my) {
                eye_index
            } else {
                1
            };
            let first = offset + mx * s;
            for x in first..first + s {
                let bit = x * bits;
                module_row[bit / 8] |= (index as u8) << (8 - bits - bit % 8);
            }
        }
        let top = offset + my * s;
        for y in top..top + s {
            image[y * row_bytes..(y + 1) * row_bytes].copy_from_slice(&module_row);
        }
    }

    let mut out = Vec::with_capacity(image.len() / 8 + 256);
    let mut encoder = png::Encoder::new(&mut out, layout.size, layout.size);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(if bits == 1 {
        png::BitDepth::One
    } else {
        png::BitDepth::Two
    });
    encoder.set_palette(palette.concat());
    if design.bg == Background::Transparent {
        encoder.set_trns(vec![0u8]);
    }
    encoder.set_compression(png::Compression::Fast);
    // A fixed "Up" filter: each module row repeats over several pixel rows, and Up turns
    // every repeat into zeros that deflate to almost nothing, at a fraction of the cost of
    // adaptive filtering (which was an eighth of an uncached request's instructions).
    encoder.set_filter(png::Filter::Up);
    // Writing to a Vec cannot fail, and the header matches the data by construction.
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer
        .write_image_data(&image)
        .expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

#[cfg(test)]
mod tests {
    use crate::qr::design::{Design, Ecc};
    use crate::qr::encode::encode;
    use crate::qr::layout::layout;

    #[test]
    fn a_plain_300_px_code_stays_small() {
        let matrix = encode("https://example.org/menu/table-1?lang=en", Ecc::M).unwrap();
        let design = Design {
            size: 300,
            ..Design::default()
        };
        let png = super::encode(&matrix, &design, &layout(300, matrix.width, 4).unwrap());
        assert!(png.len() < 2_500, "{} bytes", png.len());
    }
}
