//! A drawing flattened for the print writers (PDF, EPS): every shape in image pixels
//! (y down), in painting order, each with its fill and fill rule: the background, the
//! frame and caption, the code's layers moved into the frame, the logo, and the PREVIEW
//! banner. Both writers then only translate pieces into their own operators.

use super::LogoImage;
use super::drawing::{Drawing, Fill, Region};
use super::glyphs::{GLYPH_ROWS, text_outline};
use super::path::{Path, Pt, Seg, arc_as_cubics, pt};
use crate::qr::color::Rgb;

pub struct Piece {
    pub fill: Fill,
    pub path: Path,
    pub even_odd: bool,
    /// 1 is opaque; the banner's band lets the code show through a little.
    pub opacity: f64,
}

pub struct LogoPlace<'a> {
    pub image: &'a LogoImage,
    /// Left, top and side in image pixels.
    pub x: f64,
    pub y: f64,
    pub side: f64,
    /// What is under the logo's transparent pixels: the plate's colour, else white.
    pub under: Rgb,
}

pub struct Flat<'a> {
    pub size: f64,
    /// Everything under the logo.
    pub below: Vec<Piece>,
    pub logo: Option<LogoPlace<'a>>,
    /// Everything over it (the banner).
    pub above: Vec<Piece>,
}

pub fn flatten<'a>(drawing: &'a Drawing) -> Flat<'a> {
    let size = f64::from(drawing.image_size());
    let offset = drawing.frame.as_ref().map_or(pt(0.0, 0.0), |f| f.code_at);
    let shift = |p: Pt| pt(p.x + offset.x, p.y + offset.y);
    let mut below = Vec::new();
    if let Some(fill) = &drawing.background {
        let mut path = Path::new();
        path.rect(0.0, 0.0, size, size);
        below.push(piece(fill.clone(), path, false));
    }
    if let Some(frame) = &drawing.frame {
        for part in &frame.parts {
            below.push(piece(part.fill.clone(), part.path.clone(), part.even_odd));
        }
    }
    if let Some(ground) = &drawing.symbol_background {
        let mut path = Path::new();
        path.rect(ground.at, ground.at, ground.side, ground.side);
        below.push(piece(
            shift_fill(&ground.fill, offset),
            path.map(shift),
            false,
        ));
    }
    for layer in &drawing.layers {
        let (path, even_odd) = match &layer.region {
            Region::Modules(grid) => (grid.path(), false),
            Region::Outline(path) => (path.clone(), true),
        };
        if path.is_empty() {
            continue;
        }
        below.push(piece(
            shift_fill(&layer.fill, offset),
            path.map(shift),
            even_odd,
        ));
    }
    let logo = drawing.logo.as_ref().map(|spot| {
        let layout = &drawing.layout;
        let x = layout.at(spot.first);
        let w = layout.module * spot.side as f64;
        let mut under = Rgb::WHITE;
        if let Some(fill) = drawing.plate() {
            // The plate, as the SVG writer draws it, in the paint under the symbol.
            let mut plate = Path::new();
            plate.rect(x + offset.x, x + offset.y, w, w);
            below.push(piece(shift_fill(fill, offset), plate, false));
            if let Fill::Solid(c) = fill {
                under = *c;
            }
        }
        let pad = layout.module * 0.5;
        LogoPlace {
            image: spot.image,
            x: x + pad + offset.x,
            y: x + pad + offset.y,
            side: w - 2.0 * pad,
            under,
        }
    });
    let above = if drawing.watermark {
        banner(size)
    } else {
        Vec::new()
    };
    Flat {
        size,
        below,
        logo,
        above,
    }
}

fn piece(fill: Fill, path: Path, even_odd: bool) -> Piece {
    Piece {
        fill,
        path,
        even_odd,
        opacity: 1.0,
    }
}

fn shift_fill(fill: &Fill, by: Pt) -> Fill {
    let moved = |p: Pt| pt(p.x + by.x, p.y + by.y);
    match fill {
        Fill::Solid(c) => Fill::Solid(*c),
        Fill::Linear { from, to, stops } => Fill::Linear {
            from: moved(*from),
            to: moved(*to),
            stops: stops.clone(),
        },
        Fill::Radial {
            center,
            radius,
            stops,
        } => Fill::Radial {
            center: moved(*center),
            radius: *radius,
            stops: stops.clone(),
        },
    }
}

/// The PREVIEW banner as the SVG writer draws it: a band across the image turned 35°
/// up, white at 88 %, with the word in red block letters.
fn banner(size: f64) -> Vec<Piece> {
    let centre = size / 2.0;
    let band = size * 0.2;
    let cell = band * 0.6 / GLYPH_ROWS as f64;
    let (letters, width) = text_outline("PREVIEW", cell);
    let scale = (size * 1.1 / width).min(1.0);
    let text_height = cell * GLYPH_ROWS as f64;
    let (sin, cos) = (-35f64).to_radians().sin_cos();
    let turn = move |p: Pt| {
        let (dx, dy) = (p.x - centre, p.y - centre);
        pt(centre + dx * cos - dy * sin, centre + dx * sin + dy * cos)
    };
    let mut strip = Path::new();
    strip.rect(-size * 0.5, centre - band / 2.0, size * 2.0, band);
    let (left, top) = (
        centre - width * scale / 2.0,
        centre - text_height * scale / 2.0,
    );
    let word = letters.map(|p| turn(pt(left + p.x * scale, top + p.y * scale)));
    vec![
        Piece {
            opacity: 0.88,
            ..piece(Fill::Solid(Rgb::WHITE), strip.map(turn), false)
        },
        piece(Fill::Solid(Rgb(0xc0, 0x16, 0x2c)), word, false),
    ]
}

/// The logo's bitmap (made at upload) as 8-bit RGB on `under`, row by row: print writers
/// draw it as an image with no transparency to handle.
pub fn logo_rgb(place: &LogoPlace) -> Option<(u32, u32, Vec<u8>)> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(place.image.bitmap.as_slice()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let channels = info.color_type.samples();
    let under = place.under.to_array();
    let rgb = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .flat_map(|p| {
            let (c, a) = match channels {
                1 => ([p[0]; 3], 255),
                2 => ([p[0]; 3], p[1]),
                3 => ([p[0], p[1], p[2]], 255),
                _ => ([p[0], p[1], p[2]], p[3]),
            };
            let a = u32::from(a);
            [0, 1, 2].map(|i| ((u32::from(c[i]) * a + u32::from(under[i]) * (255 - a)) / 255) as u8)
        })
        .collect();
    Some((info.width, info.height, rgb))
}

/// A gradient's geometry as PDF and PostScript shadings take it: axial `[x0 y0 x1 y1]`
/// or radial `[x0 y0 r0 x1 y1 r1]`.
pub struct Shade<'f> {
    pub radial: bool,
    pub coords: Vec<f64>,
    pub stops: &'f [Rgb],
}

impl<'f> Shade<'f> {
    pub fn of(fill: &'f Fill) -> Option<Self> {
        match fill {
            Fill::Solid(_) => None,
            Fill::Linear { from, to, stops } => Some(Self {
                radial: false,
                coords: vec![from.x, from.y, to.x, to.y],
                stops,
            }),
            Fill::Radial {
                center,
                radius,
                stops,
            } => Some(Self {
                radial: true,
                coords: vec![center.x, center.y, 0.0, center.x, center.y, *radius],
                stops,
            }),
        }
    }
}

/// Stops of a gradient spread evenly from 0 to 1, as (offset, colour).
pub fn stops(colours: &[Rgb]) -> impl Iterator<Item = (f64, Rgb)> + '_ {
    let last = (colours.len().max(2) - 1) as f64;
    colours
        .iter()
        .enumerate()
        .map(move |(i, c)| (i as f64 / last, *c))
}

/// A colour channel as 0–1.
pub fn unit(c: u8) -> f64 {
    f64::from(c) / 255.0
}

/// A path operator of the print formats, which have no arcs.
pub enum Op {
    Move(Pt),
    Line(Pt),
    Cubic(Pt, Pt, Pt),
    Close,
}

/// Calls `emit` for each operator of `path`, arcs as cubic curves.
pub fn walk(path: &Path, mut emit: impl FnMut(Op)) {
    let mut current = pt(0.0, 0.0);
    let mut start = current;
    for seg in path.segments() {
        match *seg {
            Seg::Move(p) => {
                emit(Op::Move(p));
                (current, start) = (p, p);
            }
            Seg::Line(p) => {
                emit(Op::Line(p));
                current = p;
            }
            Seg::Cubic(a, b, p) => {
                emit(Op::Cubic(a, b, p));
                current = p;
            }
            Seg::Arc {
                center,
                to,
                clockwise,
            } => {
                for (a, b, p) in arc_as_cubics(current, center, to, clockwise) {
                    emit(Op::Cubic(a, b, p));
                }
                current = to;
            }
            Seg::Close => {
                emit(Op::Close);
                current = start;
            }
        }
    }
}
