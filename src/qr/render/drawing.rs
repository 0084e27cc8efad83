//! A code as a drawing, described once: a background, then layers, each one fill (a
//! colour or a gradient with its geometry in pixels) over one region (the data modules in
//! a shape, or an outline such as the eyes), then the logo and the preview banner. The SVG
//! writer, the sprite rasteriser and resvg (through the SVG) all draw from this, and a
//! vector format such as PDF can be written from it the same way.

use super::eyes::{Eye, Placement};
use super::modules::{self, Sides};
use super::path::{Path, Pt, pt};
use super::{LogoImage, Scene, logo_area};
use crate::qr::color::Rgb;
use crate::qr::design::{Background, EyeBall, EyeFrame, ModuleShape, Paint, Span};
use crate::qr::encode::Matrix;
use crate::qr::gradient::{Gradient, GradientKind};
use crate::qr::layout::Layout;

/// Below this many pixels a module, shapes are drawn square: there are too few pixels to
/// show a shape, and its anti-aliased edges would only grey the modules out.
///
/// From 3 to 4 pixels a module, shapes are drawn so every pixel of a dark module reads
/// dark (`modules::MIN_FINE_MODULE`).
pub const MIN_SHAPED_MODULE: f64 = 3.0;

/// How a region is filled, with a gradient's geometry in output pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    Solid(Rgb),
    /// Stops spread evenly from `from` to `to`, padded beyond.
    Linear {
        from: Pt,
        to: Pt,
        stops: Vec<Rgb>,
    },
    /// Stops spread evenly from the centre out to `radius`.
    Radial {
        center: Pt,
        radius: f64,
        stops: Vec<Rgb>,
    },
}

/// The dark data modules of a matrix in one shape (finder patterns and the logo's square
/// are not among them). Alignment patterns keep square modules whatever the shape: quirc
/// finds one by the area of its dark centre, which it expects within half to twice a
/// module's, and the smaller shapes fall below that (a sample of random designs with
/// small dots failed one time in three at versions 5 and up).
pub struct ModuleGrid<'a> {
    pub matrix: &'a Matrix,
    pub shape: ModuleShape,
    pub layout: Layout,
    pub cleared: Option<(usize, usize)>,
    /// Alignment pattern centres (module coordinates).
    pub alignments: Vec<(usize, usize)>,
}

pub enum Region<'a> {
    Modules(ModuleGrid<'a>),
    /// Filled even-odd, so that an outline inside another is a hole.
    Outline(Path),
}

pub struct Layer<'a> {
    pub fill: Fill,
    pub region: Region<'a>,
}

/// A fill over the symbol's square: from (`at`, `at`), `side` pixels wide, in the code's
/// coordinates.
pub struct SymbolBackground {
    pub fill: Fill,
    pub at: f64,
    pub side: f64,
}

/// The logo and the square of modules cleared for it.
pub struct LogoSpot<'a> {
    pub image: &'a LogoImage,
    pub first: usize,
    pub side: usize,
}

pub struct Drawing<'a> {
    pub size: u32,
    pub layout: Layout,
    /// Over the whole image, flat (see `background_fill`); `None`: transparent.
    pub background: Option<Fill>,
    /// A gradient background, over the symbol's square alone (and the logo's plate).
    pub symbol_background: Option<SymbolBackground>,
    pub layers: Vec<Layer<'a>>,
    pub logo: Option<LogoSpot<'a>>,
    pub watermark: bool,
    /// Written as a vector image (SVG output), so a logo may be embedded as SVG.
    pub vector: bool,
    /// A frame and caption around the code (`framed.rs`): then the image is larger than
    /// the code, whose layers and logo are drawn moved to their place in the frame.
    pub frame: Option<super::framed::FrameArt>,
}

impl<'a> Drawing<'a> {
    pub fn new(scene: &Scene<'a>, layout: &Layout) -> Self {
        let design = scene.design;
        let matrix = scene.matrix;
        let symbol = Box2::new(
            layout.at(0),
            layout.at(0),
            layout.module * matrix.width as f64,
        );
        let alignments = alignment_centres(matrix);
        let cleared = scene
            .logo
            .map(|_| logo_area(matrix, layout.module, &alignments));
        let shaped = layout.module >= MIN_SHAPED_MODULE;
        let module_shape = if shaped {
            modules::fine(design.module_shape, layout.module)
        } else {
            ModuleShape::Square
        };
        let (eye_frame, eye_ball) = if shaped {
            (design.eye_frame, design.eye_ball)
        } else {
            (EyeFrame::Square, EyeBall::Square)
        };
        let mut layers = vec![Layer {
            fill: fill(&design.fg, symbol, symbol),
            region: Region::Modules(ModuleGrid {
                matrix,
                shape: module_shape,
                layout: *layout,
                cleared,
                alignments,
            }),
        }];
        let s = layout.module;
        let placements = [0, 1, 3];
        for ((ox, oy), outer_corner) in matrix.finder_origins().into_iter().zip(placements) {
            let eye = Eye {
                x: layout.at(ox),
                y: layout.at(oy),
                s,
                placement: Placement { outer_corner },
            };
            let own = Box2::new(eye.x, eye.y, 7.0 * s);
            let mut frame = Path::with_capacity(16);
            eye.frame(eye_frame, &mut frame);
            add(
                &mut layers,
                frame_fill(&design.eye_frame_color, symbol, own),
                frame,
            );
            let mut ball = Path::with_capacity(8);
            eye.ball(eye_ball, scene.watermark, &mut ball);
            add(
                &mut layers,
                ball_fill(&design.eye_ball_color, symbol, own),
                ball,
            );
        }
        let symbol_background = match &design.bg {
            Background::Gradient(g) => Some(SymbolBackground {
                fill: gradient_fill(g, symbol),
                at: symbol.x,
                side: symbol.side,
            }),
            _ => None,
        };
        Drawing {
            size: layout.size,
            layout: *layout,
            background: background_fill(&design.bg),
            symbol_background,
            layers,
            logo: scene
                .logo
                .zip(cleared)
                .map(|(image, (first, side))| LogoSpot { image, first, side }),
            watermark: scene.watermark,
            vector: design.format == crate::qr::design::Format::Svg,
            frame: None,
        }
    }

    /// The side of the whole image in pixels (the frame's, when there is one).
    pub fn image_size(&self) -> u32 {
        self.frame.as_ref().map_or(self.size, |f| f.size)
    }

    /// The paint of the plate under the logo: what lies under the symbol.
    pub fn plate(&self) -> Option<&Fill> {
        self.symbol_background
            .as_ref()
            .map(|b| &b.fill)
            .or(self.background.as_ref())
    }
}

/// The fill of the whole image (quiet zone and frame included); `None` when transparent.
///
/// A gradient background is laid across the symbol only (`symbol_background`), and the
/// image around it is flat, in the gradient's lightest colour. Across the whole image, a
/// radial gradient left the quiet zone its outer colour, which may be darker than the
/// symbol's middle and than the page around the code; ZXing's hybrid binariser then read
/// the whole quiet zone dark. It gives an 8 × 8 block with little contrast (flat) the
/// black point of its neighbours above and to the left when its own pixels are darker,
/// so from a lighter edge (the page, or a lighter stop) "dark" spreads block by block
/// through a flat margin, swallows the light ring around the top-left eye, and only two
/// finders are found (seed 13091448093252809476 case 162: a 1,317 px code, a 2-module
/// margin in #dfdff1 on a ground of the first stop, #faffff). A flat margin in the
/// lightest stop is never darker than the symbol beside it, nor than a page of any of
/// the gradient's colours; on a lighter page it is as safe as a plain background of
/// that colour. Flat, it also draws the same in SVG, PDF and resvg's PNG, and costs the
/// SVG one rectangle.
pub(super) fn background_fill(bg: &Background) -> Option<Fill> {
    match bg {
        Background::Transparent => None,
        Background::Color(_) | Background::Gradient(_) => Some(Fill::Solid(bg.plain())),
    }
}

/// Adds an eye part to the layer of the same fill (so equal fills share one region), or
/// to a new one.
fn add(layers: &mut Vec<Layer>, fill: Fill, path: Path) {
    let existing = layers[1..]
        .iter_mut()
        .find(|layer| layer.fill == fill && matches!(layer.region, Region::Outline(_)));
    match existing {
        Some(Layer {
            region: Region::Outline(p),
            ..
        }) => p.append(&path),
        _ => layers.push(Layer {
            fill,
            region: Region::Outline(path),
        }),
    }
}

/// A square box: left, top and side.
#[derive(Debug, Clone, Copy)]
struct Box2 {
    x: f64,
    y: f64,
    side: f64,
}

impl Box2 {
    fn new(x: f64, y: f64, side: f64) -> Self {
        Self { x, y, side }
    }
}

fn fill(paint: &Paint, symbol: Box2, eye: Box2) -> Fill {
    match paint {
        Paint::Solid(c) => Fill::Solid(*c),
        Paint::Gradient(g, Span::Symbol) => gradient_fill(g, symbol),
        Paint::Gradient(g, Span::EachEye) => gradient_fill(g, eye),
    }
}

/// The frame's fill: as `fill`, except that an eye gradient whose lightness peaks inside
/// the eye (`lighter_inside`) paints the frame in one colour, the gradient's at the
/// eye's centre. Seed 4596755634763292758 case 64, a 1,718 px code at 68 px a module
/// with a radial `eye_gradient` whose third of four stops was lighter than the two
/// around it: that stop's circle ran through the rings, and rxing found no bottom-left
/// finder, its ring read with a light line across it.
fn frame_fill(paint: &Paint, symbol: Box2, eye: Box2) -> Fill {
    match flat_eye(paint) {
        Some(colour) => Fill::Solid(colour),
        None => fill(paint, symbol, eye),
    }
}

/// The ball's fill: as `fill`, except that a radial gradient across its own eye paints
/// the ball in its centre colour, and so does one whose lightness peaks inside the eye
/// (`flat_eye`). A radial gradient is lightest or darkest at the centre, and a ball
/// lighter in its middle than at its edge reads as a ball with a hole (rxing missed
/// such a code at 20 px a module, seed 6832598297201975622 case 129).
fn ball_fill(paint: &Paint, symbol: Box2, eye: Box2) -> Fill {
    if let Some(colour) = flat_eye(paint) {
        return Fill::Solid(colour);
    }
    match (paint, fill(paint, symbol, eye)) {
        (Paint::Gradient(_, Span::EachEye), Fill::Radial { ref stops, .. })
            if !stops.is_empty() =>
        {
            Fill::Solid(stops[0])
        }
        (_, other) => other,
    }
}

/// The one colour an eye is painted in when its gradient (across each eye) is lighter
/// somewhere inside the eye than on both sides of it: the gradient's colour at the
/// eye's centre. ZXing's binariser compares each pixel with the mean of the 5 × 5
/// blocks of 8 pixels around it; inside a ring or ball wider than that window the mean
/// is the part's own dark, so a band of it lighter than the dark on both sides falls
/// above the mean and reads light, a gap in the ring or a hole in the ball, and the
/// 1:1:3:1:1 profile is broken on the lines through the centre. Stops lie evenly
/// across the eye, so any but the first and last lie inside it: a middle stop lighter
/// than its neighbours draws such a band (seed 10600155812558453733 case 87: a linear
/// gradient at 60°, 24 px a module, whose third of four stops, #594c6d, lay between
/// two darker ones; its band crossed each ball). Gradients that darken or lighten one
/// way, or are darker in the middle, keep their look: their lighter parts lie against
/// the light gap or the quiet zone, whose blocks raise the mean there.
fn flat_eye(paint: &Paint) -> Option<Rgb> {
    let Paint::Gradient(g, Span::EachEye) = paint else {
        return None;
    };
    if !lighter_inside(&g.stops) {
        return None;
    }
    Some(match g.kind {
        GradientKind::Linear { .. } => colour_at(&g.stops, 0.5),
        GradientKind::Radial => g.stops[0],
    })
}

/// Whether the lightness of evenly spread `stops` rises and then falls: a middle stop
/// lighter than the colours on both sides of it. Lightness is taken as the decoders'
/// grey (BT.601 luma), which is linear in the sRGB channels the gradient interpolates,
/// so it moves straight between stops and can turn only at one.
fn lighter_inside(stops: &[Rgb]) -> bool {
    let steps: Vec<f64> = stops.windows(2).map(|w| luma(w[1]) - luma(w[0])).collect();
    steps
        .iter()
        .position(|&d| d > 0.0)
        .is_some_and(|rise| steps[rise..].iter().any(|&d| d < 0.0))
}

/// The colour of evenly spread `stops` at `t` (0 to 1), interpolated in sRGB as SVG does.
fn colour_at(stops: &[Rgb], t: f64) -> Rgb {
    let last = stops.len().saturating_sub(1);
    if last == 0 {
        return stops.first().copied().unwrap_or(Rgb::BLACK);
    }
    let at = t.clamp(0.0, 1.0) * last as f64;
    let i = (at.floor() as usize).min(last - 1);
    let f = at - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    Rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The grey a decoder sees for a colour (BT.601 luma, 0–255).
fn luma(c: Rgb) -> f64 {
    0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2)
}

/// A gradient across a box: a linear one runs through the centre at its angle and reaches
/// the corners with its end colours (as CSS does); a radial one reaches the corners.
fn gradient_fill(g: &Gradient, area: Box2) -> Fill {
    let half = area.side / 2.0;
    let center = pt(area.x + half, area.y + half);
    let stops = g.stops.clone();
    match g.kind {
        GradientKind::Linear { angle } => {
            let (sin, cos) = f64::from(angle).to_radians().sin_cos();
            let reach = half * (cos.abs() + sin.abs());
            Fill::Linear {
                from: pt(center.x - cos * reach, center.y - sin * reach),
                to: pt(center.x + cos * reach, center.y + sin * reach),
                stops,
            }
        }
        GradientKind::Radial => Fill::Radial {
            center,
            radius: half * std::f64::consts::SQRT_2,
            stops,
        },
    }
}

/// The alignment patterns' centres of a symbol (ISO/IEC 18004 annex E): a grid of
/// positions from 6 to width − 7, less the three under the finder patterns.
fn alignment_centres(matrix: &Matrix) -> Vec<(usize, usize)> {
    let version = usize::from(matrix.version);
    if version < 2 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    let mut positions = vec![6];
    let mut p = matrix.width - 7;
    let mut rest = Vec::new();
    while positions.len() + rest.len() < count {
        rest.push(p);
        p = p.saturating_sub(step);
    }
    positions.extend(rest.into_iter().rev());
    let mut centres = Vec::new();
    for &y in &positions {
        for &x in &positions {
            if !matrix.in_finder(x, y) {
                centres.push((x, y));
            }
        }
    }
    centres
}

impl ModuleGrid<'_> {
    /// The shape module (x, y) is drawn in: square inside an alignment pattern.
    pub fn shape_at(&self, x: usize, y: usize) -> ModuleShape {
        let in_alignment = self
            .alignments
            .iter()
            .any(|&(cx, cy)| x.abs_diff(cx) <= 2 && y.abs_diff(cy) <= 2);
        if in_alignment {
            ModuleShape::Square
        } else {
            self.shape
        }
    }

    /// Whether module (x, y) is drawn in this region.
    pub fn is_drawn(&self, x: usize, y: usize) -> bool {
        self.matrix.get(x, y)
            && !self.matrix.in_finder(x, y)
            && !self.cleared.is_some_and(|(first, side)| {
                (first..first + side).contains(&x) && (first..first + side).contains(&y)
            })
    }

    /// The drawn neighbours of module (x, y), as far as its shape cares.
    pub fn sides(&self, x: usize, y: usize) -> Sides {
        let matter = modules::sides_that_matter(self.shape_at(x, y));
        if matter == 0 {
            return Sides::default();
        }
        let w = self.matrix.width;
        let drawn = |dx: isize, dy: isize| {
            let (nx, ny) = (x as isize + dx, y as isize + dy);
            nx >= 0
                && ny >= 0
                && (nx as usize) < w
                && (ny as usize) < w
                && self.is_drawn(nx as usize, ny as usize)
        };
        let sides = Sides::new(drawn(0, -1), drawn(1, 0), drawn(0, 1), drawn(-1, 0)).with_corners(
            drawn(1, -1),
            drawn(1, 1),
            drawn(-1, 1),
            drawn(-1, -1),
        );
        Sides::from_bits(sides.bits() & matter)
    }

    /// Every drawn module's outline; square modules as one rectangle per horizontal run.
    pub fn path(&self) -> Path {
        let m = self.matrix;
        let s = self.layout.module;
        let mut path = Path::with_capacity(m.width * m.width * 3);
        for y in 0..m.width {
            let py = self.layout.at(y);
            let mut x = 0;
            while x < m.width {
                if !self.is_drawn(x, y) {
                    x += 1;
                    continue;
                }
                let shape = self.shape_at(x, y);
                if shape == ModuleShape::Square {
                    let start = x;
                    while x < m.width
                        && self.is_drawn(x, y)
                        && self.shape_at(x, y) == ModuleShape::Square
                    {
                        x += 1;
                    }
                    path.rect(self.layout.at(start), py, s * (x - start) as f64, s);
                    continue;
                }
                modules::module(&mut path, shape, self.layout.at(x), py, s, self.sides(x, y));
                x += 1;
            }
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_centres_follow_the_standard_table() {
        // ISO/IEC 18004 table E.1.
        for (version, positions) in [
            (1u8, vec![]),
            (2, vec![6, 18]),
            (7, vec![6, 22, 38]),
            (11, vec![6, 30, 54]),
            (14, vec![6, 26, 46, 66]),
            (32, vec![6, 34, 60, 86, 112, 138]),
            (36, vec![6, 24, 50, 76, 102, 128, 154]),
            (40, vec![6, 30, 58, 86, 114, 142, 170]),
        ] {
            let width = 17 + 4 * usize::from(version);
            let m = Matrix {
                width,
                dark: vec![true; width * width],
                version,
            };
            let mut expected = Vec::new();
            for &y in &positions {
                for &x in &positions {
                    if !m.in_finder(x, y) {
                        expected.push((x, y));
                    }
                }
            }
            assert_eq!(alignment_centres(&m), expected, "version {version}");
        }
    }

    fn each_eye(gradient: &str) -> Paint {
        Paint::Gradient(
            Gradient::parse(gradient).expect("a gradient"),
            Span::EachEye,
        )
    }

    #[test]
    fn an_eye_gradient_lighter_inside_the_eye_paints_it_in_its_centre_colour() {
        let eye = Box2::new(0.0, 0.0, 70.0);
        // Seed 10600155812558453733 case 87: the third of four stops is the lightest,
        // with darker ones on both sides of it; rxing read a hole in each ball.
        let banded = each_eye("linear:60:3a1950,061e1a,594c6d,04512f");
        // Halfway from #061e1a to #594c6d.
        let centre = Fill::Solid(Rgb(0x30, 0x35, 0x44));
        assert_eq!(ball_fill(&banded, eye, eye), centre);
        assert_eq!(frame_fill(&banded, eye, eye), centre);
        // Seed 4596755634763292758 case 64: radial, the third stop lighter; rxing read a
        // gap in a ring. The centre colour is the first stop.
        let ringed = each_eye("radial:175368,3f2633,563161,140104");
        let first = Fill::Solid(Rgb(0x17, 0x53, 0x68));
        assert_eq!(ball_fill(&ringed, eye, eye), first);
        assert_eq!(frame_fill(&ringed, eye, eye), first);
        // A gradient across the symbol is left alone.
        let symbol = Paint::Gradient(
            Gradient::parse("linear:0:000000,404040,000000").expect("a gradient"),
            Span::Symbol,
        );
        assert!(matches!(frame_fill(&symbol, eye, eye), Fill::Linear { .. }));
    }

    #[test]
    fn an_eye_gradient_that_moves_one_way_or_is_darker_inside_keeps_its_look() {
        let eye = Box2::new(0.0, 0.0, 70.0);
        for steady in [
            "linear:45:000000,505050",
            "linear:90:000000,202020,505050",
            "linear:90:505050,404040,101010,000000",
            "linear:0:404040,000000,404040",
            "linear:0:101010,000000,000000,101010",
        ] {
            let paint = each_eye(steady);
            assert_eq!(
                frame_fill(&paint, eye, eye),
                fill(&paint, eye, eye),
                "{steady}"
            );
            assert_eq!(
                ball_fill(&paint, eye, eye),
                fill(&paint, eye, eye),
                "{steady}"
            );
        }
        // A radial one keeps it on the frame; its ball is its centre colour, as before.
        let radial = each_eye("radial:000000,303030,505050");
        assert!(matches!(frame_fill(&radial, eye, eye), Fill::Radial { .. }));
        assert_eq!(ball_fill(&radial, eye, eye), Fill::Solid(Rgb(0, 0, 0)));
    }

    #[test]
    fn a_logo_over_an_alignment_pattern_is_drawn_at_most_256_px_wide() {
        let symbol = |version: u8| {
            let width = 17 + 4 * usize::from(version);
            Matrix {
                width,
                dark: vec![false; width * width],
                version,
            }
        };
        // Version 8 (49 modules) at 38 px a module: 24 % would be 13 modules (456 px of
        // picture); over the centre alignment pattern it keeps 7 (228 px).
        let v8 = symbol(8);
        assert_eq!(logo_area(&v8, 38.0, &alignment_centres(&v8)), (21, 7));
        // At 10 px a module the 24 % fits the bound and stays.
        assert_eq!(logo_area(&v8, 10.0, &alignment_centres(&v8)), (18, 13));
        // Version 6 has no alignment pattern under its logo: 24 % at any size.
        let v6 = symbol(6);
        assert_eq!(logo_area(&v6, 45.0, &alignment_centres(&v6)), (15, 11));
    }
}
