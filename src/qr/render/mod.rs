//! Matrix + design → image bytes. Plain designs go straight to a palette PNG. Styled ones
//! are first described as a [`Drawing`] (`drawing.rs`: fills over regions), which is
//! written as SVG, or for PNG stamped from pre-rasterised module sprites (`sprites.rs`)
//! when every fill is one colour, or else rasterised by resvg from its SVG (gradients,
//! logos, the preview watermark). `render` is the one entry point.

mod deflate;
mod density;
pub mod drawing;
mod eps;
mod eyes;
mod framed;
mod glyphs;
mod jpeg;
mod modules;
pub mod path;
mod pdf;
mod plain_png;
mod png_file;
mod raster;
mod samples;
mod sprites;
mod svg;
mod vector;

use super::deadline::{Deadline, TimedOut};
use super::design::{Design, Format};
use super::encode::Matrix;
use super::frame::CaptionError;
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
    /// The caption does not fit its frame at a readable size.
    #[error(transparent)]
    Caption(#[from] CaptionError),
    #[error("the image could not be encoded: {0}")]
    Encode(String),
    #[error(transparent)]
    TimedOut(#[from] TimedOut),
}

/// `deadline` is checked between stages (and inside the rasteriser's), see `Deadline`.
pub fn render(scene: &Scene, deadline: Deadline) -> Result<Vec<u8>, RenderError> {
    let design = scene.design;
    let plan = framed::plan(design)?;
    let code_size = plan.as_ref().map_or(design.size, framed::Plan::code_size);
    let layout = layout(code_size, scene.matrix.width, design.margin)?;
    let plain = design.is_plain() && scene.logo.is_none() && !scene.watermark;
    let drawing = || {
        let mut drawing = Drawing::new(scene, &layout);
        if let Some(plan) = plan {
            framed::attach(&mut drawing, plan, design);
        }
        drawing
    };
    let mut bytes = match design.format {
        Format::Svg => svg::write(&drawing()).into_bytes(),
        Format::Png if plain => plain_png::encode(scene.matrix, design, &layout),
        Format::Png => {
            let drawing = drawing();
            deadline.check("build")?;
            // Sprites stamp the code alone; a frame goes through resvg with the rest.
            let stamped = match drawing.frame {
                None => sprites::render(&drawing, deadline)?,
                Some(_) => None,
            };
            match stamped {
                Some(png) => png,
                None => {
                    // A logo's or the banner's many colours rarely fit a palette: not
                    // worth trying.
                    let few_colours = scene.logo.is_none() && !scene.watermark;
                    raster::rasterize(&svg::write(&drawing), design, few_colours, deadline)?
                }
            }
        }
        Format::Jpeg => {
            let svg = svg::write(&drawing());
            deadline.check("build")?;
            jpeg::write(&svg, design)?
        }
        Format::Pdf => pdf::write(&drawing(), design.print_size),
        Format::Eps => eps::write(&drawing(), design.print_size),
    };
    if let (Format::Png, Some(print)) = (design.format, design.print_size) {
        density::set_png_density(&mut bytes, print, design.size);
    }
    Ok(bytes)
}

/// The side of the code's own square in pixels: the whole image, or what its frame
/// leaves it.
pub fn code_size(design: &super::design::Design) -> Result<u32, RenderError> {
    Ok(framed::plan(design)?.map_or(design.size, |plan| plan.code_size()))
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

/// The widest, in pixels, a logo's picture is drawn over an alignment pattern.
///
/// ZBar binarises against the mean of a window of at most 256 × 256 pixels (less in
/// small images), and reads a pixel dark only if it is darker than that mean: inside a
/// uniform dark area wider than the window, dark reads as light. A dark logo much wider
/// than 256 px (a 10-module disc at ~38 px a module) comes out as a dark ring around a
/// light hole a few modules wide, which matches ZBar's 5 × 5 alignment template (dark
/// ring, light ring, dark centre) within the 6 misses it forgives. Where the logo
/// covers an alignment pattern (the centre one from version 7), ZBar searches 2 modules
/// around it, takes that false match, a module off the true one, and bends its sampling
/// grid round the centre: the code is lost even at ecc H (seeds 6601075462269017931,
/// 16386020933960394074, 5758268396822948366 and a sweep of sizes 1,900–1,950 px
/// found it; a white, a ring-shaped or a smaller picture read). A picture no wider than
/// the window has no such hole.
const LOGO_OVER_ALIGNMENT_MAX_PX: f64 = 256.0;

/// The square of modules cleared for a logo: (first module, side in modules). It stays
/// well under the 20 % of the symbol's area the API promises, and small enough for the
/// error correction (at least Q) to recover the modules it hides. Where it would cover
/// an alignment pattern (centres in `alignments`), the picture inside it (a module
/// narrower) is kept within [`LOGO_OVER_ALIGNMENT_MAX_PX`], so large images draw the
/// logo smaller.
pub fn logo_area(matrix: &Matrix, module_px: f64, alignments: &[(usize, usize)]) -> (usize, usize) {
    let width = matrix.width;
    let mut side = (width as f64 * 0.24).round() as usize;
    if side % 2 != width % 2 {
        side += 1; // same parity as the symbol, so the square is exactly centred
    }
    let first = (width - side) / 2;
    // An alignment pattern reaches 2 modules from its centre.
    let covers_alignment = alignments.iter().any(|&(x, y)| {
        let near = |c: usize| c + 2 >= first && c < first + side + 2;
        near(x) && near(y)
    });
    let most = (LOGO_OVER_ALIGNMENT_MAX_PX / module_px).floor() as usize + 1;
    if covers_alignment && side > most {
        side = most;
        if side % 2 != width % 2 {
            side -= 1;
        }
        side = side.max(1);
    }
    ((width - side) / 2, side)
}
