//! A drawing as a JPEG: rasterised by resvg from its SVG, laid on white where it is
//! transparent (JPEG has no alpha), and encoded by `jpeg-encoder` at the requested
//! quality with full-resolution colour (4:4:4: halving the chroma would blur coloured
//! module edges). With `print_size`, the JFIF header records the resolution.

use jpeg_encoder::{ColorType, Encoder, PixelDensity, SamplingFactor};
use resvg::{tiny_skia, usvg};

use super::RenderError;
use super::raster::RasterError;
use crate::qr::design::Design;

pub fn write(svg: &str, design: &Design) -> Result<Vec<u8>, RenderError> {
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).map_err(RasterError::from)?;
    let size = design.size;
    let mut pixmap = tiny_skia::Pixmap::new(size, size).ok_or(RasterError::Allocate(size))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    // Opaque now, so the premultiplied channels are the colours.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = Encoder::new(&mut out, design.quality);
    encoder.set_sampling_factor(SamplingFactor::R_4_4_4);
    if let Some(print) = design.print_size {
        let dpi = print
            .dots_per_inch(size)
            .round()
            .clamp(1.0, f64::from(u16::MAX));
        encoder.set_density(PixelDensity::dpi(dpi as u16));
    }
    let side = u16::try_from(size).map_err(|_| RasterError::Allocate(size))?;
    encoder
        .encode(&rgb, side, side, ColorType::Rgb)
        .map_err(|e| RenderError::Encode(e.to_string()))?;
    Ok(out)
}
