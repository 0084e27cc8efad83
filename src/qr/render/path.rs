//! Outlines in output pixels: straight lines, cubic curves and circular arcs. One outline
//! is written as SVG path data (compact: relative commands, two decimals), rasterised
//! through tiny-skia (arcs become cubics), and can be written to any other vector format
//! from the same segments.

use std::fmt::Write;

use resvg::tiny_skia;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

pub const fn pt(x: f64, y: f64) -> Pt {
    Pt { x, y }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    Move(Pt),
    Line(Pt),
    Cubic(Pt, Pt, Pt),
    /// A circular arc of at most half a turn around `center`, from the current point to
    /// `to`, clockwise on screen (y down) when `clockwise`.
    Arc {
        center: Pt,
        to: Pt,
        clockwise: bool,
    },
    Close,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Path {
    segs: Vec<Seg>,
}

impl Path {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(segments: usize) -> Self {
        Self {
            segs: Vec::with_capacity(segments),
        }
    }

    pub fn segments(&self) -> &[Seg] {
        &self.segs
    }

    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    // Points are kept on the hundredth-of-a-pixel grid the SVG text is written on, so
    // that every renderer draws exactly the same outline (the sprites and resvg, which
    // reads the SVG, agree to the anti-aliasing level).

    pub fn move_to(&mut self, p: Pt) {
        self.segs.push(Seg::Move(snap(p)));
    }

    pub fn line_to(&mut self, p: Pt) {
        self.segs.push(Seg::Line(snap(p)));
    }

    pub fn cubic_to(&mut self, c1: Pt, c2: Pt, to: Pt) {
        self.segs.push(Seg::Cubic(snap(c1), snap(c2), snap(to)));
    }

    /// `to` must lie on the circle around `center` through the current point; arcs the
    /// shapes draw are quarter and half turns, whose ends stay exact on the grid.
    pub fn arc_to(&mut self, center: Pt, to: Pt, clockwise: bool) {
        self.segs.push(Seg::Arc {
            center: snap(center),
            to: snap(to),
            clockwise,
        });
    }

    pub fn close(&mut self) {
        self.segs.push(Seg::Close);
    }

    pub fn append(&mut self, other: &Path) {
        self.segs.extend_from_slice(&other.segs);
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.move_to(pt(x, y));
        self.line_to(pt(x + w, y));
        self.line_to(pt(x + w, y + h));
        self.line_to(pt(x, y + h));
        self.close();
    }

    pub fn circle(&mut self, cx: f64, cy: f64, r: f64) {
        let (cx, cy, r) = (on_grid(cx), on_grid(cy), on_grid(r));
        let c = pt(cx, cy);
        self.move_to(pt(cx - r, cy));
        self.arc_to(c, pt(cx + r, cy), true);
        self.arc_to(c, pt(cx - r, cy), true);
        self.close();
    }

    pub fn polygon(&mut self, points: &[Pt]) {
        if let Some((first, rest)) = points.split_first() {
            self.move_to(*first);
            for p in rest {
                self.line_to(*p);
            }
            self.close();
        }
    }

    /// The outline split into parts whose boxes do not overlap (sub-paths that overlap,
    /// such as a ring and its hole, stay together), so that each part can be rasterised
    /// over its own box: one eye at a time, not the box around all three.
    pub fn parts(&self) -> Vec<Path> {
        let mut parts: Vec<(Bounds, Path)> = Vec::new();
        let mut start = 0;
        for end in 1..=self.segs.len() {
            if end < self.segs.len() && !matches!(self.segs[end], Seg::Move(_)) {
                continue;
            }
            let sub = &self.segs[start..end];
            start = end;
            let bounds = Bounds::of(sub);
            match parts.iter_mut().find(|(b, _)| b.overlaps(&bounds)) {
                Some((b, path)) => {
                    *b = b.union(&bounds);
                    path.segs.extend_from_slice(sub);
                }
                None => parts.push((bounds, Path { segs: sub.to_vec() })),
            }
        }
        parts.into_iter().map(|(_, path)| path).collect()
    }

    /// SVG path data: each sub-path starts absolute, the rest is relative to the rounded
    /// previous point, so rounding never accumulates.
    pub fn write_svg(&self, out: &mut String) {
        let mut last = (0i64, 0i64);
        let mut start = (0i64, 0i64);
        for seg in &self.segs {
            match *seg {
                Seg::Move(p) => {
                    let q = hundredths(p);
                    out.push('M');
                    pair(out, q.0, q.1);
                    last = q;
                    start = q;
                }
                Seg::Line(p) => {
                    let q = hundredths(p);
                    let (dx, dy) = (q.0 - last.0, q.1 - last.1);
                    match (dx, dy) {
                        (_, 0) => {
                            out.push('h');
                            number(out, dx);
                        }
                        (0, _) => {
                            out.push('v');
                            number(out, dy);
                        }
                        _ => {
                            out.push('l');
                            pair(out, dx, dy);
                        }
                    }
                    last = q;
                }
                Seg::Cubic(c1, c2, p) => {
                    let (a, b, q) = (hundredths(c1), hundredths(c2), hundredths(p));
                    out.push('c');
                    pair(out, a.0 - last.0, a.1 - last.1);
                    out.push(' ');
                    pair(out, b.0 - last.0, b.1 - last.1);
                    out.push(' ');
                    pair(out, q.0 - last.0, q.1 - last.1);
                    last = q;
                }
                Seg::Arc {
                    center,
                    to,
                    clockwise,
                } => {
                    let q = hundredths(to);
                    let r = ((center.x - to.x).hypot(center.y - to.y) * 100.0).round() as i64;
                    out.push('a');
                    pair(out, r, r);
                    let _ = write!(out, " 0 0 {} ", u8::from(clockwise));
                    pair(out, q.0 - last.0, q.1 - last.1);
                    last = q;
                }
                Seg::Close => {
                    out.push('z');
                    last = start;
                }
            }
        }
    }

    /// The outline for tiny-skia, translated by (`dx`, `dy`); `None` when it is empty.
    pub fn to_skia(&self, dx: f64, dy: f64) -> Option<tiny_skia::Path> {
        let mut b = tiny_skia::PathBuilder::with_capacity(self.segs.len() * 2, self.segs.len() * 6);
        let f = |p: Pt| ((p.x + dx) as f32, (p.y + dy) as f32);
        let mut current = pt(0.0, 0.0);
        let mut start = current;
        for seg in &self.segs {
            match *seg {
                Seg::Move(p) => {
                    let (x, y) = f(p);
                    b.move_to(x, y);
                    current = p;
                    start = p;
                }
                Seg::Line(p) => {
                    let (x, y) = f(p);
                    b.line_to(x, y);
                    current = p;
                }
                Seg::Cubic(c1, c2, p) => {
                    let ((x1, y1), (x2, y2), (x, y)) = (f(c1), f(c2), f(p));
                    b.cubic_to(x1, y1, x2, y2, x, y);
                    current = p;
                }
                Seg::Arc {
                    center,
                    to,
                    clockwise,
                } => {
                    for (c1, c2, p) in arc_as_cubics(current, center, to, clockwise) {
                        let ((x1, y1), (x2, y2), (x, y)) = (f(c1), f(c2), f(p));
                        b.cubic_to(x1, y1, x2, y2, x, y);
                    }
                    current = to;
                }
                Seg::Close => {
                    b.close();
                    current = start;
                }
            }
        }
        b.finish()
    }
}

/// A box around a sub-path's points (arc centres and control points included, so it
/// covers the curve).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: Pt,
    max: Pt,
}

impl Bounds {
    fn of(segs: &[Seg]) -> Self {
        let mut b = Bounds {
            min: pt(f64::INFINITY, f64::INFINITY),
            max: pt(f64::NEG_INFINITY, f64::NEG_INFINITY),
        };
        let mut add = |p: Pt| {
            b.min = pt(b.min.x.min(p.x), b.min.y.min(p.y));
            b.max = pt(b.max.x.max(p.x), b.max.y.max(p.y));
        };
        for seg in segs {
            match *seg {
                Seg::Move(p) | Seg::Line(p) => add(p),
                Seg::Cubic(a, c, p) => {
                    add(a);
                    add(c);
                    add(p);
                }
                Seg::Arc { center, to, .. } => {
                    let r = (center.x - to.x).hypot(center.y - to.y);
                    add(pt(center.x - r, center.y - r));
                    add(pt(center.x + r, center.y + r));
                }
                Seg::Close => {}
            }
        }
        b
    }

    fn overlaps(&self, other: &Bounds) -> bool {
        self.min.x <= other.max.x
            && other.min.x <= self.max.x
            && self.min.y <= other.max.y
            && other.min.y <= self.max.y
    }

    fn union(&self, other: &Bounds) -> Bounds {
        Bounds {
            min: pt(self.min.x.min(other.min.x), self.min.y.min(other.min.y)),
            max: pt(self.max.x.max(other.max.x), self.max.y.max(other.max.y)),
        }
    }
}

/// A circular arc as cubic Béziers of at most a quarter turn each (error under 0.03 % of
/// the radius).
pub fn arc_as_cubics(from: Pt, center: Pt, to: Pt, clockwise: bool) -> Vec<(Pt, Pt, Pt)> {
    let r = (from.x - center.x).hypot(from.y - center.y);
    let a0 = (from.y - center.y).atan2(from.x - center.x);
    let a1 = (to.y - center.y).atan2(to.x - center.x);
    let tau = std::f64::consts::TAU;
    // Screen "clockwise" (y down) is increasing angle.
    let mut sweep = if clockwise { a1 - a0 } else { a0 - a1 };
    sweep = sweep.rem_euclid(tau);
    if sweep < 1e-9 {
        // A half turn computed as a full one is still a half turn.
        sweep = if (from.x - to.x).abs() + (from.y - to.y).abs() < 1e-9 {
            0.0
        } else {
            std::f64::consts::PI
        };
    }
    let pieces = (sweep / std::f64::consts::FRAC_PI_2 - 1e-9).ceil().max(1.0) as usize;
    let step = sweep / pieces as f64 * if clockwise { 1.0 } else { -1.0 };
    let k = 4.0 / 3.0 * (step / 4.0).tan();
    let mut out = Vec::with_capacity(pieces);
    let mut a = a0;
    for i in 0..pieces {
        let b = a + step;
        let (p0, p3) = (
            pt(center.x + r * a.cos(), center.y + r * a.sin()),
            if i + 1 == pieces {
                to
            } else {
                pt(center.x + r * b.cos(), center.y + r * b.sin())
            },
        );
        let c1 = tidy(pt(p0.x - k * r * a.sin(), p0.y + k * r * a.cos()));
        let c2 = tidy(pt(p3.x + k * r * b.sin(), p3.y - k * r * b.cos()));
        out.push((c1, c2, tidy(p3)));
        a = b;
    }
    out
}

fn on_grid(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn snap(p: Pt) -> Pt {
    pt(on_grid(p.x), on_grid(p.y))
}

/// Rounded to a billionth, so that the cosine of a right angle is 0, not 6e-17: a curve
/// must not stray past a cell's edge by rounding.
fn tidy(p: Pt) -> Pt {
    pt((p.x * 1e9).round() / 1e9, (p.y * 1e9).round() / 1e9)
}

fn hundredths(p: Pt) -> (i64, i64) {
    ((p.x * 100.0).round() as i64, (p.y * 100.0).round() as i64)
}

fn pair(out: &mut String, a: i64, b: i64) {
    number(out, a);
    if b >= 0 {
        out.push(',');
    }
    number(out, b);
}

/// A value in hundredths, with no trailing zeros: `1250` → `12.5`, `-7` → `-0.07`.
fn number(out: &mut String, v: i64) {
    if v < 0 {
        out.push('-');
    }
    let v = v.unsigned_abs();
    let _ = write!(out, "{}", v / 100);
    match v % 100 {
        0 => {}
        f if f % 10 == 0 => {
            let _ = write!(out, ".{}", f / 10);
        }
        f => {
            let _ = write!(out, ".{f:02}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_data_is_relative_compact_and_exact() {
        let mut p = Path::new();
        p.rect(10.0, 20.0, 15.0, 15.0);
        p.move_to(pt(0.5, 0.25));
        p.line_to(pt(3.0, 4.125));
        p.close();
        let mut d = String::new();
        p.write_svg(&mut d);
        assert_eq!(d, "M10,20h15v15h-15zM0.5,0.25l2.5,3.88z");
    }

    #[test]
    fn an_outline_splits_into_parts_that_do_not_overlap() {
        let mut p = Path::new();
        p.rect(0.0, 0.0, 10.0, 10.0);
        p.rect(2.0, 2.0, 6.0, 6.0);
        p.rect(50.0, 0.0, 10.0, 10.0);
        p.circle(55.0, 5.0, 2.0);
        p.rect(0.0, 50.0, 10.0, 10.0);
        let parts = p.parts();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].segments().len(), 10);
        assert_eq!(parts[1].segments().len(), 9);
    }

    #[test]
    fn circles_are_two_half_arcs() {
        let mut p = Path::new();
        p.circle(10.0, 10.0, 6.75);
        let mut d = String::new();
        p.write_svg(&mut d);
        assert_eq!(
            d,
            "M3.25,10a6.75,6.75 0 0 1 13.5,0a6.75,6.75 0 0 1 -13.5,0z"
        );
    }

    #[test]
    fn arcs_become_cubics_on_the_circle() {
        for (clockwise, to) in [
            (true, pt(0.0, 1.0)),
            (false, pt(0.0, -1.0)),
            (true, pt(-1.0, 0.0)),
        ] {
            let cubics = arc_as_cubics(pt(1.0, 0.0), pt(0.0, 0.0), to, clockwise);
            let last = cubics.last().unwrap().2;
            assert_eq!(last, to);
            for (c1, c2, p) in &cubics {
                // The curve's midpoint lies on the unit circle.
                let start = cubics
                    .iter()
                    .position(|c| c.2 == *p)
                    .map(|i| {
                        if i == 0 {
                            pt(1.0, 0.0)
                        } else {
                            cubics[i - 1].2
                        }
                    })
                    .unwrap();
                let mid = pt(
                    (start.x + 3.0 * c1.x + 3.0 * c2.x + p.x) / 8.0,
                    (start.y + 3.0 * c1.y + 3.0 * c2.y + p.y) / 8.0,
                );
                assert!((mid.x.hypot(mid.y) - 1.0).abs() < 3e-4, "{mid:?}");
            }
        }
        assert_eq!(
            arc_as_cubics(pt(1.0, 0.0), pt(0.0, 0.0), pt(-1.0, 0.0), true).len(),
            2
        );
    }
}
