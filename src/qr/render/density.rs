//! The physical size of a PNG (`print_size`): a pHYs chunk, in pixels per metre, put
//! right after the header chunk. Done on the finished file, so every PNG path (the plain
//! fast path, sprites, resvg) stays as it is and pays nothing without `print_size`.

use crate::qr::design::PrintSize;

/// The signature (8 bytes) and the IHDR chunk (4 length + 4 type + 13 data + 4 CRC).
const AFTER_HEADER: usize = 8 + 4 + 4 + 13 + 4;

pub fn set_png_density(png: &mut Vec<u8>, print: PrintSize, pixels: u32) {
    if png.len() < AFTER_HEADER || &png[12..16] != b"IHDR" {
        return;
    }
    let per_metre = (f64::from(pixels) * 1000.0 / print.millimetres()).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&per_metre.to_be_bytes());
    chunk.extend_from_slice(&per_metre.to_be_bytes());
    chunk.push(1); // unit: the metre
    let crc = crc32fast::hash(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    png.splice(AFTER_HEADER..AFTER_HEADER, chunk);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_records_its_print_size_as_pixels_per_metre() {
        let mut file = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut file, 300, 300);
            encoder.set_color(png::ColorType::Grayscale);
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&vec![255; 300 * 300]).unwrap();
        }
        set_png_density(&mut file, PrintSize::parse("1in").unwrap(), 300);
        let decoder = png::Decoder::new(std::io::Cursor::new(file));
        let reader = decoder.read_info().unwrap();
        let dims = reader.info().pixel_dims.unwrap();
        // 300 px over 25.4 mm: 11,811 px a metre (300 DPI).
        assert_eq!((dims.xppu, dims.yppu), (11811, 11811));
        assert_eq!(dims.unit, png::Unit::Meter);
    }
}
