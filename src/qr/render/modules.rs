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

/// Appends the module's outline to `path`.
pub fn module(path: &mut Path, shape: ModuleShape, x: f64, y: f64, s: f64, sides: Sides) {
    let (cx, cy) = (x + s / 2.0, y + s / 2.0);
    match shape {
        ModuleShape::Square => path.rect(x, y, s, s),
        ModuleShape::Dot => path.circle(cx, cy, 0.45 * s),
        ModuleShape::SmallDot => path.circle(cx, cy, 0.375 * s),
        ModuleShape::Rounded => rounded_rect(path, x, y, s, s, [0.3 * s; 4]),
        ModuleShape::SmallSquare => path.rect(x + 0.125 * s, y + 0.125 * s, 0.75 * s, 0.75 * s),
        ModuleShape::Leaf => rounded_rect(path, x, y, s, s, [0.5 * s, 0.0, 0.5 * s, 0.0]),
        ModuleShape::Diamond => path.polygon(&[pt(cx, y), pt(x + s, cy), pt(cx, y + s), pt(x, cy)]),
        ModuleShape::Octagon => {
            let c = 0.28 * s;
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
        ModuleShape::ExtraRounded => joined(path, x, y, s, sides, [0.5; 4]),
        ModuleShape::Connected => joined(path, x, y, s, sides, [0.25; 4]),
        ModuleShape::Classy => joined(path, x, y, s, sides, [0.5, 0.0, 0.5, 0.0]),
        ModuleShape::ClassyRounded => joined(path, x, y, s, sides, [0.5, 0.15, 0.5, 0.15]),
        ModuleShape::VerticalBars => {
            let w = 0.8 * s;
            let top = if sides.has(Sides::NORTH) {
                0.0
            } else {
                w / 2.0
            };
            let bottom = if sides.has(Sides::SOUTH) {
                0.0
            } else {
                w / 2.0
            };
            rounded_rect(path, x + 0.1 * s, y, w, s, [top, top, bottom, bottom]);
        }
        ModuleShape::HorizontalBars => {
            let h = 0.8 * s;
            let left = if sides.has(Sides::WEST) { 0.0 } else { h / 2.0 };
            let right = if sides.has(Sides::EAST) { 0.0 } else { h / 2.0 };
            rounded_rect(path, x, y + 0.1 * s, s, h, [left, right, right, left]);
        }
    }
}

/// The whole cell, with a corner rounded (by `radii` × s, in the order top-left,
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
            r[i] = radii[i] * s;
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
