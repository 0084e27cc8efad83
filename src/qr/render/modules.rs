//! The outline of one data module in each shape, in its cell of `s` pixels at (x, y).
//! Shapes that join their neighbours read which of the four sides touch a dark module.
//!
//! Every shape keeps the middle of its cell dark: decoders sample module centres, and a
//! camera's blur spreads the light around a small shape into the centre, so the smallest
//! shapes still cover a square of half a module around it.

use super::path::{Path, Pt, pt};
use crate::qr::design::ModuleShape;

/// Dark neighbours of a module, one bit per side and one per corner (diagonal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sides(u8);

impl Sides {
    pub const NORTH: u8 = 1;
    pub const EAST: u8 = 2;
    pub const SOUTH: u8 = 4;
    pub const WEST: u8 = 8;
    pub const NORTH_EAST: u8 = 16;
    pub const SOUTH_EAST: u8 = 32;
    pub const SOUTH_WEST: u8 = 64;
    pub const NORTH_WEST: u8 = 128;
    /// How many distinct values there are (sprites keep one per variant).
    pub const VARIANTS: usize = 256;

    pub fn new(north: bool, east: bool, south: bool, west: bool) -> Self {
        Self(
            (u8::from(north) * Self::NORTH)
                | (u8::from(east) * Self::EAST)
                | (u8::from(south) * Self::SOUTH)
                | (u8::from(west) * Self::WEST),
        )
    }

    /// The same sides, with the diagonal neighbours (clockwise from the top right).
    pub fn with_corners(self, ne: bool, se: bool, sw: bool, nw: bool) -> Self {
        Self(
            self.0
                | (u8::from(ne) * Self::NORTH_EAST)
                | (u8::from(se) * Self::SOUTH_EAST)
                | (u8::from(sw) * Self::SOUTH_WEST)
                | (u8::from(nw) * Self::NORTH_WEST),
        )
    }

    pub fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    fn has(self, side: u8) -> bool {
        self.0 & side != 0
    }

    pub fn bits(self) -> u8 {
        self.0
    }
}

/// Which neighbours change the shape's outline (so that sprites are drawn per variant).
pub fn sides_that_matter(shape: ModuleShape) -> u8 {
    let all = Sides::NORTH | Sides::EAST | Sides::SOUTH | Sides::WEST;
    match shape {
        ModuleShape::ExtraRounded | ModuleShape::Connected | ModuleShape::Classy => all,
        // Its small corners (top right, bottom left) also read their diagonal neighbour.
        ModuleShape::ClassyRounded => all | Sides::NORTH_EAST | Sides::SOUTH_WEST,
        ModuleShape::VerticalBars => Sides::NORTH | Sides::SOUTH,
        ModuleShape::HorizontalBars => Sides::EAST | Sides::WEST,
        _ => 0,
    }
}

/// Below this many pixels a module, every pixel of a dark module's cell is kept dark
/// enough to read dark (`fine`): a decoder that samples a pixel off the centre of a
/// module, diagonally, reads its corner pixel.
///
/// rqrr builds its grid from the finder corners and then nudges it to fit the timing and
/// finder patterns; the fit it settles on may be a percent small, so that across a
/// symbol its samples drift up to a pixel off the module centres, both ways at once
/// towards the far corner. At 3 px a module that is the corner pixel of the cell, and
/// shapes that leave it mostly light read light there: `diamond` (seed
/// 10600155812558453733 case 273, a 134 px code: 25 dark modules read light, all in the
/// bottom-right quarter), `vertical_bars` whose round ends left a lone bar's corners
/// light (case 280, 113 px), `extra_rounded` (seed 18261308307974457263 case 188, a
/// 154 px code: 24 dark modules read light, all at a rounded corner) and `small_dot`
/// beside a logo (seed 15268308029558748215 cases 185 and 296, 104 and 131 px).
/// Over 60 sample designs at 3 px a module binarised as rqrr does, the corner pixels of
/// dark modules read light in 94 % of cells for `star`, 90 % `diamond`, 31 %
/// `vertical_bars`, 22 % `small_square`, 17 % `horizontal_bars`, 16 % `dot`,
/// `small_dot` and `leaf`, 5 % `classy` and `classy_rounded`, under 1 % `octagon` and
/// `cross`, and never for `square`, `rounded` and `connected`; drawn as `fine` and
/// `module` draw them here, in at most 0.01 % for any shape. At 4 px a module the
/// centre pixel has two neighbours on one side, so a pixel's drift reaches the corner
/// only one way; no miss has been found there.
pub const MIN_FINE_MODULE: f64 = 4.0;
/// The most a corner is rounded below `MIN_FINE_MODULE`, in modules: `connected`'s
/// quarter module, which keeps 88 % of the corner pixel.
const FINE_ROUND: f64 = 0.25;

/// The shape drawn for `shape` at `s` pixels a module: below `MIN_FINE_MODULE`, the
/// shapes that leave a cell's corners light are drawn as the nearest one that does not
/// (a dot as a rounded square, a diamond or star as a cross, a small square as a
/// square; at 3 px a module each pair looks alike anyway). The others keep their shape
/// and `module` draws them fuller there: corners rounded by at most `FINE_ROUND`
/// (`extra_rounded` is then `connected`), bars with square ends, `octagon` cut by 0.2
/// module, not 0.28.
pub fn fine(shape: ModuleShape, s: f64) -> ModuleShape {
    if s >= MIN_FINE_MODULE {
        return shape;
    }
    match shape {
        ModuleShape::Dot | ModuleShape::SmallDot => ModuleShape::Rounded,
        ModuleShape::Diamond | ModuleShape::Star => ModuleShape::Cross,
        ModuleShape::SmallSquare => ModuleShape::Square,
        other => other,
    }
}

/// Appends the module's outline to `path`.
pub fn module(path: &mut Path, shape: ModuleShape, x: f64, y: f64, s: f64, sides: Sides) {
    let (cx, cy) = (x + s / 2.0, y + s / 2.0);
    // A corner's radius in pixels, from one in modules (at most `FINE_ROUND` below
    // `MIN_FINE_MODULE`).
    let round = |r: f64| {
        if s < MIN_FINE_MODULE {
            r.min(FINE_ROUND) * s
        } else {
            r * s
        }
    };
    match shape {
        ModuleShape::Square => path.rect(x, y, s, s),
        ModuleShape::Dot => path.circle(cx, cy, 0.45 * s),
        ModuleShape::SmallDot => path.circle(cx, cy, 0.375 * s),
        ModuleShape::Rounded => rounded_rect(path, x, y, s, s, [round(0.3); 4]),
        ModuleShape::SmallSquare => path.rect(x + 0.125 * s, y + 0.125 * s, 0.75 * s, 0.75 * s),
        ModuleShape::Leaf => rounded_rect(path, x, y, s, s, [round(0.5), 0.0, round(0.5), 0.0]),
        ModuleShape::Diamond => path.polygon(&[pt(cx, y), pt(x + s, cy), pt(cx, y + s), pt(x, cy)]),
        ModuleShape::Octagon => {
            // Cut by 0.28 module; by 0.2 below MIN_FINE_MODULE, which keeps 82 % of the
            // corner pixel at 3 px, not 65 %.
            let c = if s < MIN_FINE_MODULE {
                0.2 * s
            } else {
                0.28 * s
            };
            path.polygon(&[
                pt(x + c, y),
                pt(x + s - c, y),
                pt(x + s, y + c),
                pt(x + s, y + s - c),
                pt(x + s - c, y + s),
                pt(x + c, y + s),
                pt(x, y + s - c),
                pt(x, y + c),
            ]);
        }
        ModuleShape::Cross => {
            let (a, b) = (0.2 * s, 0.8 * s);
            path.polygon(&[
                pt(x + a, y),
                pt(x + b, y),
                pt(x + b, y + a),
                pt(x + s, y + a),
                pt(x + s, y + b),
                pt(x + b, y + b),
                pt(x + b, y + s),
                pt(x + a, y + s),
                pt(x + a, y + b),
                pt(x, y + b),
                pt(x, y + a),
                pt(x + a, y + a),
            ]);
        }
        ModuleShape::Star => {
            // Points on the middle of each side, waist on the diagonals at 0.3 module from
            // the centre: a broad four-pointed star.
            let w = 0.3 * s / std::f64::consts::SQRT_2;
            path.polygon(&[
                pt(cx, y),
                pt(cx + w, cy - w),
                pt(x + s, cy),
                pt(cx + w, cy + w),
                pt(cx, y + s),
                pt(cx - w, cy + w),
                pt(x, cy),
                pt(cx - w, cy - w),
            ]);
        }
        ModuleShape::ExtraRounded => joined(path, x, y, s, sides, [round(0.5); 4]),
        ModuleShape::Connected => joined(path, x, y, s, sides, [round(0.25); 4]),
        ModuleShape::Classy => joined(path, x, y, s, sides, [round(0.5), 0.0, round(0.5), 0.0]),
        ModuleShape::ClassyRounded => {
            let (large, small) = (round(0.5), round(0.15));
            joined(path, x, y, s, sides, [large, small, large, small]);
        }
        ModuleShape::VerticalBars => {
            // A bar 0.8 module wide, its free ends round; square below MIN_FINE_MODULE,
            // where a round end left a lone bar's corner pixels light.
            let end = if s < MIN_FINE_MODULE { 0.0 } else { 0.4 * s };
            let top = if sides.has(Sides::NORTH) { 0.0 } else { end };
            let bottom = if sides.has(Sides::SOUTH) { 0.0 } else { end };
            rounded_rect(path, x + 0.1 * s, y, 0.8 * s, s, [top, top, bottom, bottom]);
        }
        ModuleShape::HorizontalBars => {
            let end = if s < MIN_FINE_MODULE { 0.0 } else { 0.4 * s };
            let left = if sides.has(Sides::WEST) { 0.0 } else { end };
            let right = if sides.has(Sides::EAST) { 0.0 } else { end };
            rounded_rect(path, x, y + 0.1 * s, s, 0.8 * s, [left, right, right, left]);
        }
    }
}

/// The whole cell, with a corner rounded (by `radii` pixels, in the order top-left,
/// top-right, bottom-right, bottom-left) only where both sides at it are free, and the
/// diagonal neighbour there too when the shape reads it (`sides_that_matter`).
///
/// `classy_rounded` keeps a small corner sharp against a dark diagonal neighbour, so the
/// two touch at a point as square modules do. Rounded by 0.15 module, the corner opened
/// a hairline between them, which a binariser closes or not by a pixel's grey; where it
/// stays open, a run of modules shaped like a cup, with a pair of modules over its mouth
/// touching it only at such corners, becomes a dark ring with a separate dark centre whose
/// rows read 1:1:3:1:1, and rqrr took it for a fourth finder and grouped it with two true
/// ones (seed 13091448093252809476 case 9: a 1,379 px code at 18 px a module, read at
/// 9). `classy`, whose small corners are square, read that code. The large corners keep
/// their round whatever the diagonal: their gap is wide and does not close.
fn joined(path: &mut Path, x: f64, y: f64, s: f64, sides: Sides, radii: [f64; 4]) {
    let free = |a: u8, b: u8, diagonal: u8| !sides.has(a) && !sides.has(b) && !sides.has(diagonal);
    let corner = [
        free(Sides::NORTH, Sides::WEST, Sides::NORTH_WEST),
        free(Sides::NORTH, Sides::EAST, Sides::NORTH_EAST),
        free(Sides::SOUTH, Sides::EAST, Sides::SOUTH_EAST),
        free(Sides::SOUTH, Sides::WEST, Sides::SOUTH_WEST),
    ];
    let mut r = [0.0; 4];
    for i in 0..4 {
        if corner[i] {
            r[i] = radii[i];
        }
    }
    rounded_rect(path, x, y, s, s, r);
}

/// A rectangle whose corners (top-left, top-right, bottom-right, bottom-left) are
/// rounded by the given radii (0 = sharp), traced clockwise.
pub fn rounded_rect(path: &mut Path, x: f64, y: f64, w: f64, h: f64, r: [f64; 4]) {
    let [tl, tr, br, bl] = r;
    let corner = |path: &mut Path, radius: f64, center: Pt, end: Pt| {
        if radius > 0.0 {
            path.arc_to(center, end, true);
        }
    };
    // Straight stretches of no length are left out (a fully round end has none).
    let side = |path: &mut Path, length: f64, end: Pt| {
        if length > 1e-9 {
            path.line_to(end);
        }
    };
    path.move_to(pt(x + tl, y));
    side(path, w - tl - tr, pt(x + w - tr, y));
    corner(path, tr, pt(x + w - tr, y + tr), pt(x + w, y + tr));
    side(path, h - tr - br, pt(x + w, y + h - br));
    corner(path, br, pt(x + w - br, y + h - br), pt(x + w - br, y + h));
    side(path, w - br - bl, pt(x + bl, y + h));
    corner(path, bl, pt(x + bl, y + h - bl), pt(x, y + h - bl));
    if tl > 0.0 {
        side(path, h - bl - tl, pt(x, y + tl));
        corner(path, tl, pt(x + tl, y + tl), pt(x + tl, y));
    }
    path.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(shape: ModuleShape, sides: Sides) -> Path {
        let mut path = Path::new();
        module(&mut path, shape, 0.0, 0.0, 10.0, sides);
        path
    }

    fn outline_at(shape: ModuleShape, s: f64) -> Path {
        let mut path = Path::new();
        module(&mut path, shape, 0.0, 0.0, s, Sides::default());
        path
    }

    #[test]
    fn below_4_px_a_module_shapes_keep_their_corner_pixels() {
        // Corners round by at most a quarter module: `extra_rounded` is `connected`.
        assert_eq!(
            outline_at(ModuleShape::ExtraRounded, 3.0),
            outline_at(ModuleShape::Connected, 3.0)
        );
        assert_ne!(
            outline_at(ModuleShape::ExtraRounded, 4.0),
            outline_at(ModuleShape::Connected, 4.0)
        );
        // Shapes with light corners are drawn as the nearest full one, from 4 px as asked.
        for (shape, drawn) in [
            (ModuleShape::Dot, ModuleShape::Rounded),
            (ModuleShape::SmallDot, ModuleShape::Rounded),
            (ModuleShape::Diamond, ModuleShape::Cross),
            (ModuleShape::Star, ModuleShape::Cross),
            (ModuleShape::SmallSquare, ModuleShape::Square),
            (ModuleShape::Leaf, ModuleShape::Leaf),
        ] {
            assert_eq!(fine(shape, 3.0), drawn, "{shape:?}");
            assert_eq!(fine(shape, 4.0), shape, "{shape:?}");
        }
    }

    #[test]
    fn classy_rounded_keeps_a_small_corner_sharp_against_a_dark_diagonal_neighbour() {
        let alone = Sides::default();
        let diagonals = alone.with_corners(true, false, true, false);
        // Alone, its small corners are round; with dark modules beyond both, it is
        // `classy` (whose small corners are square), so the diagonals touch.
        assert_ne!(
            outline(ModuleShape::ClassyRounded, alone),
            outline(ModuleShape::Classy, alone)
        );
        assert_eq!(
            outline(ModuleShape::ClassyRounded, diagonals),
            outline(ModuleShape::Classy, alone)
        );
        // The large corners keep their round whatever lies beyond them.
        let matter = Sides::from_bits(sides_that_matter(ModuleShape::ClassyRounded));
        assert!(!matter.has(Sides::NORTH_WEST) && !matter.has(Sides::SOUTH_EAST));
    }
}
