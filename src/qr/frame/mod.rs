//! Frames around a code and their call-to-action captions, as geometry: where the code's
//! square goes inside the image (it shrinks so that `size` stays the whole image), and
//! the frame's outlines in image pixels. The code keeps its own quiet zone (`margin`)
//! inside the frame, so nothing of the frame touches a module. The caption is fitted
//! in `caption.rs`.

mod caption;
mod styles;

pub use caption::{Caption, CaptionError, MAX_CAPTION_CHARS, fit};
pub use styles::FrameStyle;

use crate::qr::render::path::Path;

/// A rectangle in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Where things go in a framed image.
#[derive(Debug, Clone)]
pub struct FrameLayout {
    /// Top-left corner of the code's square (quiet zone included), whole pixels.
    pub code_x: u32,
    pub code_y: u32,
    /// Side of the code's square, whole pixels.
    pub code_size: u32,
    /// The frame's parts, each filled on its own with the even-odd rule (a ring is an
    /// outline with its hole inside).
    pub parts: Vec<Path>,
    /// Where the caption is centred, and whether it sits on the frame's colour (else on
    /// the background).
    pub caption_box: Option<Rect>,
    pub caption_on_frame: bool,
}

/// The frame's geometry for an image `size` pixels wide; `captioned` reserves room for a
/// caption.
pub fn layout(style: FrameStyle, size: u32, captioned: bool) -> FrameLayout {
    styles::layout(style, f64::from(size), captioned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framed_code_fits_inside_the_image_clear_of_its_caption() {
        for &style in FrameStyle::ALL {
            for size in [64, 100, 512, 4096] {
                for captioned in [false, true] {
                    let l = layout(style, size, captioned);
                    let (_, y, c) = (
                        f64::from(l.code_x),
                        f64::from(l.code_y),
                        f64::from(l.code_size),
                    );
                    assert!(
                        l.code_size > 0 && l.code_x + l.code_size <= size,
                        "{style:?}"
                    );
                    assert!(l.code_y + l.code_size <= size, "{style:?} {size}");
                    if let Some(b) = l.caption_box {
                        let apart = b.y >= y + c || b.y + b.h <= y;
                        assert!(apart, "{style:?} {size}: caption overlaps the code");
                        assert!(b.x >= 0.0 && b.x + b.w <= f64::from(size) + 1e-9);
                    }
                    if style == FrameStyle::None && !captioned {
                        assert_eq!((l.code_x, l.code_y, l.code_size), (0, 0, size));
                    }
                }
            }
        }
    }

    #[test]
    fn a_frame_takes_a_fair_share_not_most_of_the_image() {
        for &style in FrameStyle::ALL {
            let l = layout(style, 512, true);
            assert!(l.code_size >= 512 * 3 / 4, "{style:?}: {}", l.code_size);
        }
    }
}
