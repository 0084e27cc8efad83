//! The outline of one data module in each shape, in its cell of `s` pixels at (x, y).
//! Shapes that join their neighbours read which of the four sides touch a dark module.
//!
//! Every shape keeps the middle of its cell dark: decoders sample module centres, and a
//! camera's blur spreads the light around a small shape into the centre, so the smallest
//! shapes still cover a square of half a module around it.

use super::path::{Path, Pt, pt};
use crate::qr::design::ModuleShape;

/// Dark neighbours of a module, one bit per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sides(u8);

impl Sides {
    pub const NORTH: u8 = 1;
    pub const EAST: u8 = 2;
    pub const SOUTH: u8 = 4;
    pub const WEST: u8 = 8;

    pub fn new(north: bool, east: bool, south: bool, west: bool) -> Self {
        Self(
            (u8::from(north) * Self::NORTH)
                | (u8::from(east) * Self::EAST)
                | (u8::from(south) * Self::SOUTH)
                | (u8::from(west) * Self::WEST),
        )
    }

    pub fn from_bits(bits: u8) -> Self {
        Self(bits & 0xf)
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
        ModuleShape::ExtraRounded
        | ModuleShape::Connected
        | ModuleShape::Classy
        | ModuleShape::ClassyRounded => all,
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
/// top-right, bottom-right, bottom-left) only where both sides at it are free.
fn joined(path: &mut Path, x: f64, y: f64, s: f64, sides: Sides, radii: [f64; 4]) {
    let free = |a: u8, b: u8| !sides.has(a) && !sides.has(b);
    let corner = [
        free(Sides::NORTH, Sides::WEST),
        free(Sides::NORTH, Sides::EAST),
        free(Sides::SOUTH, Sides::EAST),
        free(Sides::SOUTH, Sides::WEST),
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
