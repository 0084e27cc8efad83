//! Matrix + design → image bytes. Plain designs go straight to a palette PNG. Styled ones
//! are first described as a [`Drawing`] (`drawing.rs`: fills over regions), which is
//! written as SVG, or for PNG stamped from pre-rasterised module sprites (`sprites.rs`)
//! when every fill is one colour, or else rasterised by resvg from its SVG (gradients,
//! logos, the preview watermark). `render` is the one entry point.

mod deflate;
pub mod drawing;
mod eyes;
mod glyphs;
mod modules;
pub mod path;
mod plain_png;
mod png_file;
mod raster;
mod samples;
mod sprites;
mod svg;

use super::deadline::{Deadline, TimedOut};
use super::design::{Design, Format};
use super::encode::Matrix;
use super::layout::{TooSmall, layout};

pub use drawing::Drawing;
pub use raster::RasterError;
pub use samples::shape_picture;

/// A logo to place in the centre: the bitmap made at upload, and the sanitised SVG.
pub use super::logo::LogoImage;

/// Everything one image is drawn from.
pub struct Scene<'a> {
    pub matrix: &'a Matrix,
    pub design: &'a Design,
    pub logo: Option<&'a LogoImage>,
    /// Draw the PREVIEW banner (the matrix is already spoiled by `preview`).
    pub watermark: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    TooSmall(#[from] TooSmall),
    #[error(transparent)]
    Raster(#[from] RasterError),
    #[error(transparent)]
    TimedOut(#[from] TimedOut),
}

/// `deadline` is checked between stages (and inside the rasteriser's), see `Deadline`.
pub fn render(scene: &Scene, deadline: Deadline) -> Result<Vec<u8>, RenderError> {
    let design = scene.design;
    let layout = layout(design.size, scene.matrix.width, design.margin)?;
    let plain = design.is_plain() && scene.logo.is_none() && !scene.watermark;
    Ok(match design.format {
        Format::Svg => svg::write(&Drawing::new(scene, &layout)).into_bytes(),
        Format::Png if plain => plain_png::encode(scene.matrix, design, &layout),
        Format::Png => {
            let drawing = Drawing::new(scene, &layout);
            deadline.check("build")?;
            match sprites::render(&drawing, deadline)? {
                Some(png) => png,
                None => {
                    // A logo's or the banner's many colours rarely fit a palette: not
                    // worth trying.
                    let few_colours = scene.logo.is_none() && !scene.watermark;
                    raster::rasterize(&svg::write(&drawing), design, few_colours, deadline)?
                }
            }
        }
    })
}

/// A PNG drawn the general way, by resvg from the SVG, even where sprites could draw it:
/// the reference the sprite path is measured against (benches, tests).
pub fn render_with_resvg(scene: &Scene) -> Result<Vec<u8>, RenderError> {
    let design = scene.design;
    let layout = layout(design.size, scene.matrix.width, design.margin)?;
    let drawing = Drawing::new(scene, &layout);
    let few_colours = scene.logo.is_none() && !scene.watermark;
    raster::rasterize(&svg::write(&drawing), design, few_colours, Deadline::none())
}

/// The square of modules cleared for a logo: (first module, side in modules). It stays
/// well under the 20 % of the symbol's area the API promises, and small enough for the
/// error correction (at least Q) to recover the modules it hides.
pub fn logo_area(matrix: &Matrix) -> (usize, usize) {
    let mut side = (matrix.width as f64 * 0.24).round() as usize;
    if side % 2 != matrix.width % 2 {
        side += 1; // same parity as the symbol, so the square is exactly centred
    }
    ((matrix.width - side) / 2, side)
}
