//! SVG → PNG through resvg/tiny-skia, encoded with the `png` crate's fast deflate (tiny-skia's
//! own encoder uses a slow default level), as an 8-bit palette image when the drawing has
//! at most 256 colours (a styled 300 px code: 43 KB as RGB, 13 KB with a palette).

use std::collections::HashMap;

use resvg::{tiny_skia, usvg};

use super::RenderError;
use crate::qr::deadline::Deadline;
use crate::qr::design::{Background, Design};

#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("the drawing could not be parsed: {0}")]
    Parse(#[from] usvg::Error),
    #[error("an image of {0} pixels could not be allocated")]
    Allocate(u32),
}

/// `few_colours`: the drawing has only the design's colours (no logo), so a palette is
/// worth trying. The deadline is checked after each stage.
pub fn rasterize(
    svg: &str,
    design: &Design,
    few_colours: bool,
    deadline: Deadline,
) -> Result<Vec<u8>, RenderError> {
    let options = usvg::Options::default();
    let tree = usvg::Tree::from_str(svg, &options).map_err(RasterError::from)?;
    deadline.check("parse")?;
    let size = design.size;
    let mut pixmap = tiny_skia::Pixmap::new(size, size).ok_or(RasterError::Allocate(size))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    deadline.check("draw")?;

    let transparent = design.bg == Background::Transparent;
    let png = encode(&pixmap, transparent, few_colours);
    deadline.check("encode")?;
    Ok(png)
}

/// The pixmap as a PNG file.
fn encode(pixmap: &tiny_skia::Pixmap, transparent: bool, few_colours: bool) -> Vec<u8> {
    let size = pixmap.width();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let palette = if few_colours {
        indexed(pixmap.pixels())
    } else {
        None
    };
    let data: Vec<u8> = match palette {
        // A code has few colours: two or three, and their blends along anti-aliased
        // edges. An 8-bit palette image is a third (opaque) or a quarter of the bytes to
        // compress, so it is both smaller and quicker to write.
        Some((palette, indices)) => {
            encoder.set_color(png::ColorType::Indexed);
            // Indices are not intensities: differences to the left mean nothing, but rows
            // repeat down a module, which Up turns into zeros.
            encoder.set_filter(png::Filter::Up);
            encoder.set_palette(
                palette
                    .iter()
                    .flat_map(|c| [c[0], c[1], c[2]])
                    .collect::<Vec<u8>>(),
            );
            if transparent {
                encoder.set_trns(palette.iter().map(|c| c[3]).collect::<Vec<u8>>());
            }
            indices
        }
        None if transparent => {
            encoder.set_color(png::ColorType::Rgba);
            pixmap.pixels().iter().flat_map(|&p| straight(p)).collect()
        }
        None => {
            // An opaque background means every pixel has alpha 255: drop the channel.
            encoder.set_color(png::ColorType::Rgb);
            pixmap
                .data()
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect()
        }
    };
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer
        .write_image_data(&data)
        .expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

fn straight(pixel: tiny_skia::PremultipliedColorU8) -> [u8; 4] {
    let c = pixel.demultiply();
    [c.red(), c.green(), c.blue(), c.alpha()]
}

/// The image as a palette of straight RGBA colours and one index per pixel, when it has
/// at most 256 colours. Pixels are compared premultiplied (each premultiplied value has
/// one straight colour), so only the palette entries are converted.
fn indexed(pixels: &[tiny_skia::PremultipliedColorU8]) -> Option<(Vec<[u8; 4]>, Vec<u8>)> {
    let mut palette = Vec::new();
    let mut index_of: HashMap<u32, u8> = HashMap::new();
    let mut indices = Vec::with_capacity(pixels.len());
    let mut last = None;
    for &pixel in pixels {
        let key = u32::from_ne_bytes([pixel.red(), pixel.green(), pixel.blue(), pixel.alpha()]);
        // Runs of one colour are most of the image: skip the map for them.
        let index = match last {
            Some((k, i)) if k == key => i,
            _ => match index_of.get(&key) {
                Some(&i) => i,
                None => {
                    let i = u8::try_from(palette.len()).ok()?;
                    palette.push(straight(pixel));
                    index_of.insert(key, i);
                    i
                }
            },
        };
        last = Some((key, index));
        indices.push(index);
    }
    Some((palette, indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded_rgba(png_bytes: &[u8]) -> Vec<u8> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        pixels
    }

    #[test]
    fn a_palette_image_has_exactly_the_pixels_of_the_full_colour_one() {
        for (bg, transparent) in [("#ffffff", false), ("transparent", true)] {
            let pairs = [
                ("module_shape", "dot"),
                ("eye_shape", "circle"),
                ("fg", "#1d4ed8"),
                ("eye_frame_color", "#b91c1c"),
                ("eye_ball_color", "#15803d"),
                ("bg", bg),
                ("size", "200"),
            ];
            let design =
                Design::from_params(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
                    .unwrap();
            let matrix = crate::qr::encode::encode("https://example.org/p", design.ecc).unwrap();
            let layout = crate::qr::layout::layout(200, matrix.width, design.margin).unwrap();
            let scene = super::super::Scene {
                matrix: &matrix,
                design: &design,
                logo: None,
                watermark: false,
            };
            let svg = super::super::svg::write(&super::super::Drawing::new(&scene, &layout));
            let palette = rasterize(&svg, &design, true, Deadline::none()).unwrap();
            let full = rasterize(&svg, &design, false, Deadline::none()).unwrap();
            assert_eq!(palette[25], 3, "colour type 3: indexed ({bg})");
            assert!(
                palette.len() * 2 < full.len(),
                "{} vs {}",
                palette.len(),
                full.len()
            );
            assert!(
                decoded_rgba(&palette) == decoded_rgba(&full),
                "pixels differ ({bg}, transparent: {transparent})"
            );
        }
    }

    #[test]
    fn more_than_256_colours_keep_full_colour() {
        let opaque = |r, g| tiny_skia::PremultipliedColorU8::from_rgba(r, g, 0, 255).unwrap();
        let few: Vec<_> = (0..=255u8).map(|i| opaque(i, 0)).collect();
        let (palette, indices) = indexed(&few).unwrap();
        assert_eq!(palette.len(), 256);
        assert!(
            indices
                .iter()
                .zip(&few)
                .all(|(&i, &p)| palette[usize::from(i)] == straight(p))
        );
        let mut many = few;
        many.push(opaque(0, 1));
        assert!(indexed(&many).is_none());
    }
}
