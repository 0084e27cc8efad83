//! The three finder patterns ("eyes"): a ring 7 modules wide (the frame) around a 3-module
//! centre (the ball), each in one of a family of outlines.
//!
//! # What decoders need from an eye, and the rules that follow
//!
//! Every decoder finds eyes first, by their 1:1:3:1:1 profile: dark ring, light gap, dark
//! ball, light gap, dark ring.
//! - ZXing (rxing, the Java original) scans rows for the profile, then confirms it along
//!   the column and along one diagonal through the candidate centre, each run within
//!   half a module (three quarters on the diagonal) of its share of the total width.
//! - ZXing-C++, which most Android scanning apps use, checks the profile along the row,
//!   the column *and both diagonals* through the centre, measuring the dark runs against
//!   each other: on every one of those lines the ball's run must be between about 1.7 and 6
//!   times each ring run. Then it follows the gap and the ring all the way round to
//!   fine-tune the centre, so the ring must be closed and the gap go all the way round.
//! - quirc (rqrr) checks the profile along rows, then takes each eye's perspective from
//!   the four outermost points of its ring, read as the ring's corners, and from those the
//!   timing patterns' position and the grid. A corner rounded away moves its outermost
//!   point inwards along the diagonal by 0.29 of the radius on each axis, and the timing
//!   scans start and end on the ring's corners. Tried at 2 to 20 pixels a module, rqrr
//!   misses the grid once all four corners round by a module; a circle has no corners.
//!   Sharp corners are still read only to a pixel: where the edges are part-covered (a
//!   reduced image), quirc's row threshold is higher along a top eye's top edge (beside
//!   the quiet zone) than along its bottom edge (after the ring's dark arm), and a
//!   mid-dark eye can lose both bottom corner pixels, a trapezoid that puts one of the
//!   other eyes 40 % too far (seed 2714511785197765894 case 5; plain #3a2735 codes at 16 px
//!   a module reduced by 3). No outline or ground under the eye fixed that; only a
//!   darker eye colour does (README, "Three decoder families").
//!
//! The old circle eye (a rounded-square ring with a round hole, and a round ball) failed
//! ZXing-C++ on the diagonals: there the ring was 1.44 modules thick and the ball only
//! 2.1 modules across, a ratio of 1.5.
//!
//! So, for every frame and every ball:
//! 1. **A frame's four outer corners are sharp** (quirc). Rounding some corners and not
//!    others skews the square quirc reads; rounding all four moves the points it takes
//!    for corners inwards, and the grid it fits from them drifts across larger symbols:
//!    with dots, at versions 7 to 16, rqrr missed one code in eight whose frames rounded
//!    by 0.4 module, one in fifty at 0.25, none with sharp corners (70
//!    codes each, sizes 300–1500 px, ecc L and H). So no frame is a circle, and the frames
//!    differ in their holes: `eye_shape=circle` is a round ball in the `round_hole` frame,
//!    the roundest all three families read.
//! 2. **Along both diagonals the ring is at most 1.21 modules thick** (ZXing): the hole
//!    is the outer outline scaled by 5/7 about the centre, or a square whose corners round
//!    by at most 0.7 module (or are cut by 0.36) inside square outer corners.
//! 3. **A ball reaches between 0.7 and 1 of a square's reach along the diagonals** (a
//!    circle 0.707), so the ball's diagonal run stays at least 1.75 ring runs and both
//!    gaps stay open (at least a quarter module).
//!
//! The tests decode every frame and every ball with all three families, clean and as a
//! camera sees them.

use super::path::{Path, pt};
use crate::qr::design::{EyeBall, EyeFrame};

/// Half the width of the frame's outline, of its hole and of the ball, in modules.
const FRAME_HALF: f64 = 3.5;
const HOLE_HALF: f64 = 2.5;
const BALL_HALF: f64 = 1.5;

/// Hole corners, in modules: the roundest rule 2 allows inside sharp outer corners, and
/// two gentler ones.
const HOLE_ROUND: f64 = 0.7;
const HOLE_ROUNDED: f64 = 0.5;
const HOLE_SOFT: f64 = 0.3;

/// How one corner of an outline is drawn, sized in modules at the outline's own size.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Corner {
    Sharp,
    Round(f64),
    Cut(f64),
}

impl Corner {
    fn scaled(self, factor: f64) -> Self {
        match self {
            Self::Sharp => Self::Sharp,
            Self::Round(r) => Self::Round(r * factor),
            Self::Cut(c) => Self::Cut(c * factor),
        }
    }
}

/// An outline of the family: each corner by its role (the one at the symbol's corner,
/// the one facing the symbol's centre, and the two beside them), or a squircle.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outline {
    Corners {
        outer: Corner,
        inner: Corner,
        sides: Corner,
    },
    Squircle,
}

impl Outline {
    fn scaled(self, factor: f64) -> Self {
        match self {
            Self::Corners {
                outer,
                inner,
                sides,
            } => Self::Corners {
                outer: outer.scaled(factor),
                inner: inner.scaled(factor),
                sides: sides.scaled(factor),
            },
            Self::Squircle => Self::Squircle,
        }
    }
}

const fn same(corner: Corner) -> Outline {
    Outline::Corners {
        outer: corner,
        inner: corner,
        sides: corner,
    }
}

const fn roles(outer: Corner, inner: Corner, sides: Corner) -> Outline {
    Outline::Corners {
        outer,
        inner,
        sides,
    }
}

/// A frame's outer outline (at half-width 3.5) and its hole (at 2.5).
fn frame_outlines(frame: EyeFrame) -> (Outline, Outline) {
    use Corner::{Cut, Round, Sharp};
    let square = same(Sharp);
    let round = Round(HOLE_ROUND);
    match frame {
        EyeFrame::Square => (square, square),
        EyeFrame::Soft => (square, same(Round(HOLE_SOFT))),
        EyeFrame::Rounded => (square, same(Round(HOLE_ROUNDED))),
        EyeFrame::RoundHole => (square, same(round)),
        EyeFrame::Leaf => (square, roles(round, round, Sharp)),
        EyeFrame::LeafInverse => (square, roles(Sharp, Sharp, round)),
        EyeFrame::Pointed => (square, roles(round, Sharp, round)),
        EyeFrame::PointedOut => (square, roles(Sharp, round, round)),
        EyeFrame::Tab => (square, roles(round, Sharp, Sharp)),
        EyeFrame::TabIn => (square, roles(Sharp, round, Sharp)),
        EyeFrame::Octagon => (square, same(Cut(0.36))),
    }
}

/// A ball's outline, at half-width 1.5.
fn ball_outline(ball: EyeBall) -> Outline {
    use Corner::{Cut, Round, Sharp};
    let full = Round(BALL_HALF);
    match ball {
        EyeBall::Square => same(Sharp),
        EyeBall::Soft => same(Round(0.3)),
        EyeBall::Rounded => same(Round(0.6)),
        EyeBall::Circle => same(full),
        EyeBall::Leaf => roles(full, full, Sharp),
        EyeBall::LeafInverse => roles(Sharp, Sharp, full),
        EyeBall::Pointed => roles(full, Sharp, full),
        EyeBall::PointedOut => roles(Sharp, full, full),
        EyeBall::Tab => roles(Round(1.0), Sharp, Sharp),
        EyeBall::TabIn => roles(Sharp, Round(1.0), Sharp),
        EyeBall::Squircle => Outline::Squircle,
        // A regular octagon: each corner loses 2 − √2 of the half-width.
        EyeBall::Octagon => same(Cut((2.0 - std::f64::consts::SQRT_2) * BALL_HALF)),
        EyeBall::Bevel => roles(Cut(0.75), Sharp, Sharp),
    }
}

/// Which corner of an eye lies at the symbol's corner: 0 top-left, 1 top-right,
/// 3 bottom-left (clockwise numbering). The corner facing the centre is opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub outer_corner: usize,
}

/// One eye whose 7×7 box starts at (`x`, `y`), modules of `s` pixels.
pub struct Eye {
    pub x: f64,
    pub y: f64,
    pub s: f64,
    pub placement: Placement,
}

impl Eye {
    /// The ring: its outline and the hole inside it (fill even-odd).
    pub fn frame(&self, frame: EyeFrame, path: &mut Path) {
        let (outer, hole) = frame_outlines(frame);
        self.outline(outer, FRAME_HALF, path);
        self.outline(hole, HOLE_HALF, path);
    }

    /// The centre; a preview's is one module instead of three, so that the eye keeps its
    /// look but loses the 1:1:3:1:1 profile every decoder searches for first.
    pub fn ball(&self, ball: EyeBall, spoiled: bool, path: &mut Path) {
        let outline = ball_outline(ball);
        if spoiled {
            self.outline(outline.scaled(0.5 / BALL_HALF), 0.5, path);
        } else {
            self.outline(outline, BALL_HALF, path);
        }
    }

    fn outline(&self, outline: Outline, half_modules: f64, path: &mut Path) {
        let (cx, cy) = (self.x + 3.5 * self.s, self.y + 3.5 * self.s);
        let h = half_modules * self.s;
        match outline {
            Outline::Squircle => squircle(path, cx, cy, h),
            Outline::Corners {
                outer,
                inner,
                sides,
            } => {
                let o = self.placement.outer_corner;
                let mut corners = [sides.scaled(self.s); 4];
                corners[o] = outer.scaled(self.s);
                corners[(o + 2) % 4] = inner.scaled(self.s);
                cornered(path, cx, cy, h, corners);
            }
        }
    }
}

/// A square of half-width `h` around (cx, cy), corners clockwise from the top-left, their
/// sizes in pixels.
fn cornered(path: &mut Path, cx: f64, cy: f64, h: f64, corners: [Corner; 4]) {
    // Corner positions, and the directions of the edge arriving at and leaving each.
    let at = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    let arriving = [(0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)];
    let leaving = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)];
    let inset = |c: Corner| match c {
        Corner::Sharp => 0.0,
        Corner::Round(d) | Corner::Cut(d) => d.min(h),
    };
    // Start just after the top-left corner, on the top edge.
    let d0 = inset(corners[0]);
    path.move_to(pt(cx - h + d0, cy - h));
    for step in 1..=4 {
        let i = step % 4;
        let (px, py) = (cx + at[i].0 * h, cy + at[i].1 * h);
        let d = inset(corners[i]);
        let before = pt(px - arriving[i].0 * d, py - arriving[i].1 * d);
        let after = pt(px + leaving[i].0 * d, py + leaving[i].1 * d);
        // The straight stretch, left out when the corners on both ends use it all.
        let previous_inset = inset(corners[(i + 3) % 4]);
        if 2.0 * h - previous_inset - d > 1e-9 && !(i == 0 && d == 0.0) {
            path.line_to(before);
        }
        match corners[i] {
            Corner::Sharp => {}
            Corner::Cut(_) => path.line_to(after),
            Corner::Round(_) => path.arc_to(
                pt(before.x + leaving[i].0 * d, before.y + leaving[i].1 * d),
                after,
                true,
            ),
        }
    }
    path.close();
}

/// A squircle of half-width `h`: four cubic quarters whose handles (0.82 of h) give the
/// shape a diagonal reach of 0.81 of a square's.
fn squircle(path: &mut Path, cx: f64, cy: f64, h: f64) {
    let k = 0.82 * h;
    path.move_to(pt(cx, cy - h));
    path.cubic_to(pt(cx + k, cy - h), pt(cx + h, cy - k), pt(cx + h, cy));
    path.cubic_to(pt(cx + h, cy + k), pt(cx + k, cy + h), pt(cx, cy + h));
    path.cubic_to(pt(cx - k, cy + h), pt(cx - h, cy + k), pt(cx - h, cy));
    path.cubic_to(pt(cx - h, cy - k), pt(cx - k, cy - h), pt(cx, cy - h));
    path.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How far an outline drawn at `half` modules reaches from the eye's centre along the
    /// diagonal towards `corner`, in modules: rasterised at 100 pixels a module.
    fn diagonal_reach(outline: Outline, half: f64, corner: usize) -> f64 {
        let mut path = Path::new();
        let eye = Eye {
            x: 0.0,
            y: 0.0,
            s: 100.0,
            placement: Placement { outer_corner: 0 },
        };
        eye.outline(outline, half, &mut path);
        let skia = path.to_skia(0.0, 0.0).unwrap();
        let mut mask = resvg::tiny_skia::Mask::new(700, 700).unwrap();
        mask.fill_path(
            &skia,
            resvg::tiny_skia::FillRule::Winding,
            false,
            resvg::tiny_skia::Transform::identity(),
        );
        let (dx, dy) = [(-1i32, -1i32), (1, -1), (1, 1), (-1, 1)][corner];
        let mut t = 0;
        while t < 350 && mask.data()[((350 + dy * t) * 700 + 350 + dx * t) as usize] > 0 {
            t += 1;
        }
        f64::from(t) / 100.0
    }

    #[test]
    fn frames_keep_the_sharp_corners_quirc_reads() {
        for frame in EyeFrame::ALL {
            let (outer, _) = frame_outlines(*frame);
            for corner in 0..4 {
                let reach = diagonal_reach(outer, FRAME_HALF, corner);
                assert!(reach >= 3.49, "{} corner {corner}: {reach}", frame.name());
            }
        }
    }

    #[test]
    fn rings_stay_thin_along_the_diagonals() {
        for frame in EyeFrame::ALL {
            let (outer, hole) = frame_outlines(*frame);
            for corner in 0..4 {
                let ring = diagonal_reach(outer, FRAME_HALF, corner)
                    - diagonal_reach(hole, HOLE_HALF, corner);
                assert!(
                    (0.69..=1.21).contains(&ring),
                    "{} corner {corner}: {ring}",
                    frame.name()
                );
            }
        }
    }

    #[test]
    fn balls_reach_between_a_circle_and_a_square_along_the_diagonals() {
        for ball in EyeBall::ALL {
            for corner in 0..4 {
                let reach = diagonal_reach(ball_outline(*ball), BALL_HALF, corner) / BALL_HALF;
                assert!(
                    (0.69..=1.01).contains(&reach),
                    "{} corner {corner}: {reach}",
                    ball.name()
                );
            }
        }
    }

    #[test]
    fn a_square_outline_is_the_plain_square() {
        let mut path = Path::new();
        cornered(&mut path, 10.0, 10.0, 5.0, [Corner::Sharp; 4]);
        let mut d = String::new();
        path.write_svg(&mut d);
        assert_eq!(d, "M5,5h10v10h-10z");
    }
}
