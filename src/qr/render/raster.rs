//! SVG → PNG through resvg/tiny-skia, encoded with the `png` crate's fast deflate (tiny-skia's
//! own encoder uses a slow default level).

use resvg::{tiny_skia, usvg};

use crate::qr::design::{Background, Design};

#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("the drawing could not be parsed: {0}")]
    Parse(#[from] usvg::Error),
    #[error("an image of {0} pixels could not be allocated")]
    Allocate(u32),
}

pub fn rasterize(svg: &str, design: &Design) -> Result<Vec<u8>, RasterError> {
    let options = usvg::Options::default();
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = design.size;
    let mut pixmap = tiny_skia::Pixmap::new(size, size).ok_or(RasterError::Allocate(size))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );

    let transparent = design.bg == Background::Transparent;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let data: Vec<u8> = if transparent {
        encoder.set_color(png::ColorType::Rgba);
        pixmap
            .pixels()
            .iter()
            .flat_map(|p| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            })
            .collect()
    } else {
        // An opaque background means every pixel has alpha 255: drop the channel.
        encoder.set_color(png::ColorType::Rgb);
        pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect()
    };
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer
        .write_image_data(&data)
        .expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    Ok(out)
}
