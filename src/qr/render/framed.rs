//! A frame and caption added to a code's drawing: the frame's geometry (`qr::frame`) in
//! the frame colour, the caption's outline in its colour, and where the code goes. The
//! code itself is drawn as always, at the smaller size the frame leaves it, and moved
//! into place by each writer.

use super::drawing::{Drawing, Fill};
use super::path::{Path, Pt, pt};
use crate::qr::color::Rgb;
use crate::qr::design::Design;
use crate::qr::frame::{self, CaptionError, FrameLayout};

pub struct FrameArt {
    /// Side of the whole image.
    pub size: u32,
    /// The code's top-left corner in the image.
    pub code_at: Pt,
    /// Drawn in order over the background, before the code.
    pub parts: Vec<Part>,
}

pub struct Part {
    pub fill: Fill,
    pub path: Path,
    /// Frame rings are outlines with holes (even-odd); letters use the font's own
    /// non-zero winding, where overlapping contours stay filled.
    pub even_odd: bool,
}

/// The frame of a framed design, with its caption fitted; `None` for a bare code.
pub struct Plan {
    layout: FrameLayout,
    caption: Option<Path>,
}

impl Plan {
    pub fn code_size(&self) -> u32 {
        self.layout.code_size
    }
}

pub fn plan(design: &Design) -> Result<Option<Plan>, CaptionError> {
    if !design.is_framed() {
        return Ok(None);
    }
    let layout = frame::layout(design.frame, design.size, design.caption.is_some());
    let caption = match (&design.caption, layout.caption_box) {
        (Some(caption), Some(area)) => Some(frame::fit(caption, area, design.size)?),
        _ => None,
    };
    Ok(Some(Plan { layout, caption }))
}

/// Puts `drawing` (of the code alone) into its frame.
pub fn attach(drawing: &mut Drawing, plan: Plan, design: &Design) {
    // The drawing's background (flat, see `drawing::background_fill`) spans the whole
    // image, frame included; a gradient stays on the symbol.
    let size = design.size;
    let mut parts: Vec<Part> = plan
        .layout
        .parts
        .into_iter()
        .map(|path| Part {
            fill: Fill::Solid(design.frame_color),
            path,
            even_odd: true,
        })
        .collect();
    if let Some(path) = plan.caption {
        let ground = if plan.layout.caption_on_frame {
            design.frame_color
        } else {
            design.bg.plain()
        };
        let colour = design.caption_color.unwrap_or(if ground.luminance() < 0.4 {
            Rgb::WHITE
        } else {
            Rgb::BLACK
        });
        parts.push(Part {
            fill: Fill::Solid(colour),
            path,
            even_odd: false,
        });
    }
    drawing.frame = Some(FrameArt {
        size,
        code_at: pt(f64::from(plan.layout.code_x), f64::from(plan.layout.code_y)),
        parts,
    });
}
