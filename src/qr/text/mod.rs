//! Captions as outlines: text shaped with an embedded open-licence font (Noto Sans, OFL
//! 1.1, `assets/fonts/`) by rustybuzz and turned into path outlines, so every writer
//! (SVG, PDF, EPS, the rasteriser) draws the same letters with no font installed.
//!
//! Shaping happens once per (text, font): the outline is kept in font units in a small
//! bounded cache (`cache.rs`) and scaled to whatever size the frame asks for.

mod cache;
mod fonts;
mod outline;

pub use fonts::CaptionFont;

use crate::qr::render::path::Path;

/// A caption shaped in font units: its outline (y down, baseline at 0) and its extent.
#[derive(Debug, Clone)]
pub struct Shaped {
    pub outline: Path,
    /// Advance width of the whole line, in font units.
    pub advance: f64,
    /// Height of a capital letter above the baseline, in font units (for centring).
    pub cap_height: f64,
    pub units_per_em: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error(
        "the font has no letters for {0}; use characters of the Latin, Greek or Cyrillic scripts"
    )]
    Missing(String),
}

/// The caption shaped in `font` (from the cache when it was shaped before).
pub fn shape(text: &str, font: CaptionFont) -> Result<std::sync::Arc<Shaped>, TextError> {
    cache::shaped(text, font)
}

/// Characters of `text` the font has no glyph for, quoted and listed once each.
fn missing_characters(text: &str, font: CaptionFont) -> Option<String> {
    let face = fonts::face(font);
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars() {
        // Spaces and joiners need no glyph of their own; marks are covered by shaping.
        if c.is_whitespace() || missing.contains(&c) {
            continue;
        }
        if face.glyph_index(c).is_none() {
            missing.push(c);
        }
    }
    if missing.is_empty() {
        return None;
    }
    Some(
        missing
            .iter()
            .map(|c| format!("\u{2018}{c}\u{2019} (U+{:04X})", *c as u32))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Shapes `text` without the cache.
fn shape_uncached(text: &str, font: CaptionFont) -> Result<Shaped, TextError> {
    if let Some(list) = missing_characters(text, font) {
        return Err(TextError::Missing(list));
    }
    let face = fonts::face(font);
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let glyphs = rustybuzz::shape(face, &[], buffer);
    let mut path = Path::new();
    let mut pen = 0.0;
    for (info, position) in glyphs.glyph_infos().iter().zip(glyphs.glyph_positions()) {
        let x = pen + f64::from(position.x_offset);
        let y = f64::from(position.y_offset);
        let id = rustybuzz::ttf_parser::GlyphId(info.glyph_id as u16);
        outline::glyph(face, id, x, y, &mut path);
        pen += f64::from(position.x_advance);
    }
    let units_per_em = f64::from(face.units_per_em());
    let cap_height = face.capital_height().map_or(units_per_em * 0.7, f64::from);
    Ok(Shaped {
        outline: path,
        advance: pen,
        cap_height,
        units_per_em,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_greek_and_cyrillic_captions_have_outlines() {
        for text in ["SCAN ME", "Café à la carte", "Σάρωσέ με", "Сканируй меня"]
        {
            let shaped = shape(text, CaptionFont::Bold).unwrap();
            assert!(!shaped.outline.is_empty(), "{text}");
            assert!(shaped.advance > 0.0);
        }
    }

    #[test]
    fn characters_the_font_lacks_are_named() {
        let err = shape("Menu 菜单", CaptionFont::Regular).unwrap_err();
        let TextError::Missing(list) = err;
        assert!(list.contains("U+83DC") && list.contains("U+5355"), "{list}");
        assert!(!list.contains("U+004D"));
    }

    #[test]
    fn kerning_makes_av_narrower_than_its_letters_apart() {
        let pair = shape("AV", CaptionFont::Regular).unwrap().advance;
        let apart = shape("A", CaptionFont::Regular).unwrap().advance
            + shape("V", CaptionFont::Regular).unwrap().advance;
        assert!(pair < apart, "{pair} vs {apart}");
    }

    #[test]
    fn a_combining_accent_is_placed_over_its_letter() {
        // e + U+0301 shapes to one letter's width, like the precomposed é.
        let combined = shape("e\u{301}", CaptionFont::Regular).unwrap().advance;
        let precomposed = shape("é", CaptionFont::Regular).unwrap().advance;
        assert_eq!(combined, precomposed);
    }
}
