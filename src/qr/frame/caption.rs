//! A caption: read from the request (bounded, one line, printable), then fitted into its
//! box: the letters shrink until the line fits the box's width, down to a readable
//! size; below that the caption is refused, never clipped or overflowing.

use super::Rect;
#[cfg(test)]
use crate::qr::render::path::Seg;
use crate::qr::render::path::{Path, pt};
use crate::qr::text::{self, CaptionFont, TextError};

pub const MAX_CAPTION_CHARS: usize = 48;
/// Letters are never drawn smaller than this many pixels to the em (about 5 px capitals):
/// smaller text is unreadable on screen and in print.
const MIN_EM_PX: f64 = 7.0;
/// Nor smaller than this share of the size the band was made for.
const MIN_EM_SHARE: f64 = 0.3;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caption {
    pub text: String,
    pub font: CaptionFont,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaptionError {
    #[error("is {0} characters long; at most {MAX_CAPTION_CHARS} are allowed")]
    TooLong(usize),
    #[error("contains the invisible or formatting character U+{0:04X}; use visible characters")]
    Invisible(u32),
    #[error(transparent)]
    Missing(#[from] TextError),
    #[error(
        "does not fit the frame at a readable letter size ({needed:.0} pixels of width are needed, {room:.0} are there); {advice}"
    )]
    TooWide {
        needed: f64,
        room: f64,
        /// The smallest `size` at which it would fit, when a larger image helps at all.
        min_size: Option<u32>,
        advice: String,
    },
}

impl Caption {
    /// A caption as the request gave it (already one line with no control characters,
    /// within its byte bound: the generic checks did that).
    pub fn parse(text: &str, font: CaptionFont) -> Result<Self, CaptionError> {
        let count = text.chars().count();
        if count > MAX_CAPTION_CHARS {
            return Err(CaptionError::TooLong(count));
        }
        // Format characters (bidi overrides, zero-width joiners and spaces) make the
        // line read differently from how it looks; tabs and other controls likewise.
        if let Some(c) = text.chars().find(|&c| c.is_control() || is_format(c)) {
            return Err(CaptionError::Invisible(c as u32));
        }
        text::shape(text, font)?;
        Ok(Self {
            text: text.to_owned(),
            font,
        })
    }
}

/// Unicode general category Cf, and the line and paragraph separators.
fn is_format(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// The caption's outline, centred in `area` (image pixels) at the largest size that fits
/// its width, up to the size the band is made for. `image` is the image's side, for the
/// size to suggest when the caption does not fit.
pub fn fit(caption: &Caption, area: Rect, image: u32) -> Result<Path, CaptionError> {
    let shaped = text::shape(&caption.text, caption.font)?;
    let upem = shaped.units_per_em;
    let nominal = area.h * 0.5;
    let pad = area.h * 0.3;
    let room = (area.w - 2.0 * pad).max(0.0);
    let width_per_em = shaped.advance / upem;
    let em = if width_per_em > 0.0 {
        nominal.min(room / width_per_em)
    } else {
        nominal
    };
    let smallest = MIN_EM_PX.max(nominal * MIN_EM_SHARE);
    if em < smallest {
        let needed = width_per_em * smallest;
        // Box and letters grow with the image, so a larger image helps only while the
        // floor in pixels is what binds; past it, the line is too long for any size.
        let min_size = (f64::from(image) * needed / room.max(1.0)).ceil() as u32;
        let helps = room > 0.0 && em >= nominal * MIN_EM_SHARE;
        let min_size = helps.then_some(min_size);
        let advice = match min_size {
            Some(size) => format!("shorten it, or raise size to at least {size}"),
            None => "shorten it".to_owned(),
        };
        return Err(CaptionError::TooWide {
            needed,
            room,
            min_size,
            advice,
        });
    }
    let scale = em / upem;
    let width = shaped.advance * scale;
    let x = area.x + (area.w - width) / 2.0;
    let baseline = area.y + area.h / 2.0 + shaped.cap_height * scale / 2.0;
    Ok(shaped
        .outline
        .map(|p| pt(x + p.x * scale, baseline + p.y * scale)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption(text: &str) -> Caption {
        Caption::parse(text, CaptionFont::Bold).unwrap()
    }

    fn extent(path: &Path) -> (f64, f64) {
        let xs: Vec<f64> = path
            .segments()
            .iter()
            .filter_map(|s| match s {
                Seg::Move(p) | Seg::Line(p) | Seg::Cubic(_, _, p) => Some(p.x),
                _ => None,
            })
            .collect();
        let min = xs.iter().cloned().fold(f64::MAX, f64::min);
        let max = xs.iter().cloned().fold(f64::MIN, f64::max);
        (min, max)
    }

    #[test]
    fn a_short_caption_is_centred_in_its_box() {
        let area = Rect::new(0.0, 400.0, 512.0, 80.0);
        let path = fit(&caption("SCAN ME"), area, 512).unwrap();
        let (left, right) = extent(&path);
        assert!((left + right - 512.0).abs() < 8.0, "{left} {right}");
    }

    #[test]
    fn a_long_caption_shrinks_to_stay_inside_its_box() {
        let area = Rect::new(10.0, 400.0, 480.0, 80.0);
        let text = "Scan to see today's menu and order at the table";
        let path = fit(&caption(text), area, 512).unwrap();
        let (left, right) = extent(&path);
        assert!(left >= 10.0 && right <= 490.0, "{left} {right}");
    }

    #[test]
    fn a_caption_that_cannot_fit_readably_is_refused_with_a_size_that_would_do() {
        let text = "Scan to see today's menu and order at the table";
        let err = fit(&caption(text), Rect::new(0.0, 100.0, 128.0, 19.0), 128).unwrap_err();
        let CaptionError::TooWide {
            min_size: Some(min_size),
            ..
        } = err
        else {
            panic!("{err:?}")
        };
        assert!(min_size > 128);
        let bigger = f64::from(min_size) / 128.0;
        let area = Rect::new(0.0, 100.0, 128.0 * bigger, 19.0 * bigger);
        assert!(fit(&caption(text), area, min_size).is_ok());
    }

    #[test]
    fn overlong_invisible_and_uncovered_captions_are_refused() {
        let long = "x".repeat(MAX_CAPTION_CHARS + 1);
        assert!(matches!(
            Caption::parse(&long, CaptionFont::Bold),
            Err(CaptionError::TooLong(49))
        ));
        for text in ["SCAN\u{202E}EM", "a\u{200B}b", "tab\there"] {
            assert!(
                matches!(
                    Caption::parse(text, CaptionFont::Bold),
                    Err(CaptionError::Invisible(_))
                ),
                "{text:?}"
            );
        }
        assert!(matches!(
            Caption::parse("Menü ☕", CaptionFont::Bold),
            Err(CaptionError::Missing(_))
        ));
    }
}
