//! Matrix + design → image bytes. Plain designs go straight to a palette PNG; styled
//! designs (shapes, logos, the preview watermark) are drawn as SVG and, for PNG output,
//! rasterised by resvg. `render` is the one entry point, so a renderer can be replaced.

mod deflate;
mod glyphs;
mod plain_png;
mod raster;
mod svg;

use super::deadline::{Deadline, TimedOut};
use super::design::{Design, Format};
use super::encode::Matrix;
use super::layout::{TooSmall, layout};

pub use raster::RasterError;

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
        Format::Svg => svg::build(scene, &layout).into_bytes(),
        Format::Png if plain => plain_png::encode(scene.matrix, design, &layout),
        Format::Png => {
            // A logo's or the banner's many colours rarely fit a palette: not worth trying.
            let few_colours = scene.logo.is_none() && !scene.watermark;
            let drawing = svg::build(scene, &layout);
            deadline.check("build")?;
            raster::rasterize(&drawing, design, few_colours, deadline)?
        }
    })
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
