//! The fast raster path for drawings filled with plain colours: module edges fall on whole
//! pixels (the layout gives every module a whole number of pixels), so each shape variant
//! is anti-aliased once, by tiny-skia, into a sprite of one module, and stamped into the
//! image wherever it occurs, instead of filling one outline per module. The eyes and other
//! outlines are rasterised once each over their own box. Pixels are palette indices from
//! the start, and the file is written by the `png` crate's fast deflate.
//!
//! Coverage is kept in 64 steps (a difference of at most 2 levels of 255 from resvg's
//! drawing of the same outlines), so that a background and three colours with every
//! anti-aliasing step fit in one 8-bit palette. A drawing that does not fit (rare: outlines
//! crossing one another's edges) returns `None`, and resvg draws it.

use std::collections::HashMap;

use resvg::tiny_skia::{FillRule, Mask, Transform};

use super::drawing::{Drawing, Fill, ModuleGrid, Region};
use super::modules;
use super::path::Path;
use crate::qr::color::Rgb;
use crate::qr::deadline::{Deadline, TimedOut};
use crate::qr::design::ModuleShape;

/// The PNG, or `None` when this path cannot draw the drawing (gradients, a logo, the
/// banner, a layout off the pixel grid, or more than 256 colours). The deadline is
/// checked after drawing and after writing the file, as resvg's path checks it.
pub fn render(drawing: &Drawing, deadline: Deadline) -> Result<Option<Vec<u8>>, TimedOut> {
    let Some(canvas) = draw(drawing) else {
        return Ok(None);
    };
    deadline.check("draw")?;
    let png = canvas.encode();
    deadline.check("encode")?;
    Ok(Some(png))
}

fn draw(drawing: &Drawing) -> Option<Canvas> {
    if drawing.logo.is_some() || drawing.watermark || drawing.symbol_background.is_some() {
        return None;
    }
    let layout = &drawing.layout;
    if layout.module.fract() != 0.0 || layout.offset.fract() != 0.0 {
        return None;
    }
    let background = match &drawing.background {
        Some(Fill::Solid(c)) => Some(*c),
        None => None,
        Some(_) => return None,
    };
    let size = drawing.size as usize;
    let mut canvas = Canvas {
        size,
        pixels: vec![0; size * size],
        palette: Palette::new(background),
    };
    for layer in &drawing.layers {
        let Fill::Solid(colour) = layer.fill else {
            return None;
        };
        match &layer.region {
            Region::Modules(grid) => canvas.stamp_modules(grid, colour)?,
            Region::Outline(path) => {
                for part in path.parts() {
                    canvas.fill_outline(&part, colour)?;
                }
            }
        }
    }
    Some(canvas)
}

/// Coverage (0–255) rounded to a multiple of 4, so that it takes 65 values.
fn quantise(coverage: u8) -> u8 {
    ((u16::from(coverage) + 2) & !3).min(255) as u8
}

struct Canvas {
    size: usize,
    /// Palette indices, row by row; 0 is the background.
    pixels: Vec<u8>,
    palette: Palette,
}

impl Canvas {
    /// Every module of the grid, from one sprite per outline variant.
    fn stamp_modules(&mut self, grid: &ModuleGrid, colour: Rgb) -> Option<()> {
        let s = grid.layout.module as usize;
        let offset = grid.layout.offset as usize;
        // One sprite per outline variant: the grid's shape, or square (alignment
        // patterns), by the neighbours its shape reads.
        let mut sprites: Vec<Option<Vec<u8>>> = vec![None; 2 * modules::Sides::VARIANTS];
        let width = grid.matrix.width;
        for y in 0..width {
            for x in 0..width {
                if !grid.is_drawn(x, y) {
                    continue;
                }
                let (shape, sides) = (grid.shape_at(x, y), grid.sides(x, y));
                let key = usize::from(sides.bits())
                    + usize::from(shape == ModuleShape::Square) * modules::Sides::VARIANTS;
                if sprites[key].is_none() {
                    sprites[key] = Some(self.sprite(shape, s, sides, colour)?);
                }
                let sprite = sprites[key].as_deref().unwrap_or_default();
                let (left, top) = (offset + x * s, offset + y * s);
                for row in 0..s {
                    let at = (top + row) * self.size + left;
                    self.pixels[at..at + s].copy_from_slice(&sprite[row * s..row * s + s]);
                }
            }
        }
        Some(())
    }

    /// One module's pixels as palette indices over the background.
    fn sprite(
        &mut self,
        shape: ModuleShape,
        s: usize,
        sides: modules::Sides,
        colour: Rgb,
    ) -> Option<Vec<u8>> {
        let table = self.palette.table(colour);
        if shape == ModuleShape::Square {
            let full = self.palette.shade(table, 255)?;
            return Some(vec![full; s * s]);
        }
        let mut path = Path::with_capacity(12);
        modules::module(&mut path, shape, 0.0, 0.0, s as f64, sides);
        let coverage = coverage(&path, s, s, 0, 0, FillRule::Winding)?;
        coverage
            .iter()
            .map(|&c| self.palette.shade(table, c))
            .collect()
    }

    /// An outline (filled even-odd) over its bounding box of whole pixels.
    fn fill_outline(&mut self, path: &Path, colour: Rgb) -> Option<()> {
        let skia = path.to_skia(0.0, 0.0)?;
        let bounds = skia.bounds();
        let left = (bounds.left().floor().max(0.0)) as usize;
        let top = (bounds.top().floor().max(0.0)) as usize;
        let right = (bounds.right().ceil() as usize).min(self.size);
        let bottom = (bounds.bottom().ceil() as usize).min(self.size);
        if right <= left || bottom <= top {
            return Some(());
        }
        let (w, h) = (right - left, bottom - top);
        let coverage = coverage(path, w, h, left, top, FillRule::EvenOdd)?;
        let table = self.palette.table(colour);
        for row in 0..h {
            let line = (top + row) * self.size + left;
            for (column, &c) in coverage[row * w..row * w + w].iter().enumerate() {
                if c != 0 {
                    let pixel = &mut self.pixels[line + column];
                    *pixel = match *pixel {
                        0 => self.palette.shade(table, c)?,
                        under => self.palette.over(under, colour, c)?,
                    };
                }
            }
        }
        Some(())
    }

    /// An 8-bit palette PNG, compressed by the `png` crate's fast deflate, which codes
    /// these rows (a few values in long runs, Up-filtered against the row above) quicker
    /// than a general compressor.
    fn encode(self) -> Vec<u8> {
        let size = self.size as u32;
        let mut out = Vec::with_capacity(self.pixels.len() / 8);
        let mut encoder = png::Encoder::new(&mut out, size, size);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::Filter::Up);
        let colours = &self.palette.colours;
        encoder.set_palette(
            colours
                .iter()
                .flat_map(|c| [c[0], c[1], c[2]])
                .collect::<Vec<u8>>(),
        );
        // Alpha only up to the last entry that is not opaque.
        if let Some(last) = colours.iter().rposition(|c| c[3] != 255) {
            encoder.set_trns(colours[..=last].iter().map(|c| c[3]).collect::<Vec<u8>>());
        }
        let mut writer = encoder.write_header().expect("PNG header into memory");
        writer
            .write_image_data(&self.pixels)
            .expect("PNG data into memory");
        writer.finish().expect("PNG end into memory");
        out
    }
}

/// Anti-aliased coverage of `path` over a `w`×`h` box whose top-left is (`left`, `top`),
/// quantised. It is drawn with a pixel of room on every side, as resvg draws it inside a
/// whole image: tiny-skia anti-aliases a path that reaches its canvas's edge by another
/// route, whose coverage differs by up to a fifth.
fn coverage(
    path: &Path,
    w: usize,
    h: usize,
    left: usize,
    top: usize,
    rule: FillRule,
) -> Option<Vec<u8>> {
    let skia = path.to_skia(1.0 - left as f64, 1.0 - top as f64)?;
    let stride = w + 2;
    let mut mask = Mask::new(stride as u32, (h + 2) as u32)?;
    mask.fill_path(&skia, rule, true, Transform::identity());
    let data = mask.data();
    Some(
        (0..h)
            .flat_map(|row| &data[(row + 1) * stride + 1..(row + 1) * stride + 1 + w])
            .map(|&c| quantise(c))
            .collect(),
    )
}

/// The image's colours as straight RGBA; entry 0 is the background.
struct Palette {
    colours: Vec<[u8; 4]>,
    index: HashMap<[u8; 4], u8>,
    /// Each fill colour's index over the background at each coverage, once looked up
    /// (`NONE` until then): the lookup every stamped pixel makes.
    over_background: Vec<(Rgb, [u16; 256])>,
}

const NONE: u16 = u16::MAX;

impl Palette {
    fn new(background: Option<Rgb>) -> Self {
        let first = match background {
            Some(c) => [c.0, c.1, c.2, 255],
            None => [0, 0, 0, 0],
        };
        Self {
            colours: vec![first],
            index: HashMap::from([(first, 0)]),
            over_background: Vec::new(),
        }
    }

    /// The table of `colour` over the background (made on first use).
    fn table(&mut self, colour: Rgb) -> usize {
        match self.over_background.iter().position(|(c, _)| *c == colour) {
            Some(t) => t,
            None => {
                self.over_background.push((colour, [NONE; 256]));
                self.over_background.len() - 1
            }
        }
    }

    /// The index of a table's colour at `coverage` over the background.
    fn shade(&mut self, table: usize, coverage: u8) -> Option<u8> {
        match self.over_background[table].1[usize::from(coverage)] {
            NONE => {
                let colour = self.over_background[table].0;
                self.over(0, colour, coverage)
            }
            known => Some(known as u8),
        }
    }

    /// The index of `colour` at `coverage` laid over the colour at index `under`; `None`
    /// when the palette is full.
    fn over(&mut self, under: u8, colour: Rgb, coverage: u8) -> Option<u8> {
        if coverage == 0 {
            return Some(under);
        }
        let table = self.table(colour);
        let mixed = blend(self.colours[usize::from(under)], colour, coverage);
        let i = match self.index.get(&mixed) {
            Some(&i) => i,
            None => {
                let i = u8::try_from(self.colours.len()).ok()?;
                self.colours.push(mixed);
                self.index.insert(mixed, i);
                i
            }
        };
        if under == 0 {
            self.over_background[table].1[usize::from(coverage)] = u16::from(i);
        }
        Some(i)
    }
}

/// Source-over of `colour` with alpha `coverage` on `under`, in straight RGBA.
fn blend(under: [u8; 4], colour: Rgb, coverage: u8) -> [u8; 4] {
    let a = f32::from(coverage) / 255.0;
    let under_a = f32::from(under[3]) / 255.0;
    let out_a = a + under_a * (1.0 - a);
    if out_a <= 0.0 {
        return [0, 0, 0, 0];
    }
    let channel = |c: u8, u: u8| {
        ((f32::from(c) * a + f32::from(u) * under_a * (1.0 - a)) / out_a).round() as u8
    };
    [
        channel(colour.0, under[0]),
        channel(colour.1, under[1]),
        channel(colour.2, under[2]),
        (out_a * 255.0).round() as u8,
    ]
}
