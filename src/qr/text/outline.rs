//! A glyph's outline from the font, in font units with y pointing down (as the drawing's
//! pixels do), appended to a path. Quadratic curves (TrueType) become exact cubics.

use rustybuzz::Face;
use rustybuzz::ttf_parser::{GlyphId, OutlineBuilder};

use crate::qr::render::path::{Path, Pt, pt};

struct Builder<'p> {
    path: &'p mut Path,
    x: f64,
    y: f64,
    last: Pt,
}

impl Builder<'_> {
    fn at(&self, x: f32, y: f32) -> Pt {
        pt(self.x + f64::from(x), self.y - f64::from(y))
    }
}

impl OutlineBuilder for Builder<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.path.move_to(p);
        self.last = p;
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.path.line_to(p);
        self.last = p;
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (c, p) = (self.at(x1, y1), self.at(x, y));
        let l = self.last;
        let c1 = pt(l.x + 2.0 / 3.0 * (c.x - l.x), l.y + 2.0 / 3.0 * (c.y - l.y));
        let c2 = pt(p.x + 2.0 / 3.0 * (c.x - p.x), p.y + 2.0 / 3.0 * (c.y - p.y));
        self.path.cubic_to(c1, c2, p);
        self.last = p;
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let p = self.at(x, y);
        self.path.cubic_to(self.at(x1, y1), self.at(x2, y2), p);
        self.last = p;
    }

    fn close(&mut self) {
        self.path.close();
    }
}

/// Appends glyph `id` with its origin at (`x`, `y`) font units (y up in the font).
pub fn glyph(face: &Face, id: GlyphId, x: f64, y: f64, path: &mut Path) {
    let mut builder = Builder {
        path,
        x,
        y: -y,
        last: pt(0.0, 0.0),
    };
    // A glyph without an outline (a space) draws nothing.
    let _ = face.outline_glyph(id, &mut builder);
}
