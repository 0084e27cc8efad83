//! A drawing as SVG: gradients once in `<defs>`, the background, one path per layer (one
//! fill, one region), the logo, and the optional PREVIEW banner. Coordinates are output
//! pixels on the layout's whole-pixel grid; the text depends only on the drawing, so the
//! same request gives the same bytes (the ETag relies on it).

use std::fmt::Write;

use base64::Engine;

use super::drawing::{Drawing, Fill, LogoSpot, Region};
use super::glyphs::{GLYPH_ROWS, text_path};
use crate::qr::design::ModuleShape;
use crate::qr::layout::Layout;

pub fn write(drawing: &Drawing) -> String {
    let size = drawing.image_size();
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">"#
    );
    let gradients = Gradients::collect(drawing);
    gradients.write_defs(&mut out);
    if let Some(fill) = &drawing.background {
        let _ = write!(
            out,
            r#"<rect width="{size}" height="{size}" fill="{}"/>"#,
            gradients.paint(fill)
        );
    }
    let mut d = String::with_capacity(16 * 1024);
    if let Some(frame) = &drawing.frame {
        for part in &frame.parts {
            d.clear();
            part.path.write_svg(&mut d);
            let rule = if part.even_odd {
                r#" fill-rule="evenodd""#
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<path fill="{}"{rule} d="{d}"/>"#,
                gradients.paint(&part.fill)
            );
        }
        // The code's own layers and logo, moved to their place in the frame.
        let at = frame.code_at;
        let _ = write!(out, r#"<g transform="translate({} {})">"#, n(at.x), n(at.y));
    }
    if let Some(ground) = &drawing.symbol_background {
        let _ = write!(
            out,
            r#"<rect x="{at}" y="{at}" width="{side}" height="{side}" fill="{}"/>"#,
            gradients.paint(&ground.fill),
            at = n(ground.at),
            side = n(ground.side)
        );
    }
    for layer in &drawing.layers {
        d.clear();
        let attributes = match &layer.region {
            Region::Modules(grid) => {
                grid.path().write_svg(&mut d);
                if grid.shape == ModuleShape::Square {
                    r#" shape-rendering="crispEdges""#
                } else {
                    r#" shape-rendering="geometricPrecision""#
                }
            }
            Region::Outline(path) => {
                path.write_svg(&mut d);
                r#" fill-rule="evenodd""#
            }
        };
        if d.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            r#"<path fill="{}"{attributes} d="{d}"/>"#,
            gradients.paint(&layer.fill)
        );
    }
    if let Some(spot) = &drawing.logo {
        let plate = drawing.plate().map(|f| gradients.paint(f));
        logo(
            &mut out,
            spot,
            &drawing.layout,
            plate.as_deref(),
            drawing.vector,
        );
    }
    if drawing.frame.is_some() {
        out.push_str("</g>");
    }
    if drawing.watermark {
        banner(&mut out, size);
    }
    out.push_str("</svg>");
    out
}

/// The logo in its cleared square of modules: a plate in the background's paint (none
/// when transparent), then the image inset by half a module. Vector output embeds the
/// sanitised SVG, raster output the bitmap made at upload; both as an `<image>`, so the
/// logo's ids and styles cannot reach the code's own elements.
fn logo(out: &mut String, spot: &LogoSpot, layout: &Layout, plate: Option<&str>, vector: bool) {
    let x = layout.at(spot.first);
    let w = layout.module * spot.side as f64;
    if let Some(paint) = plate {
        let _ = write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{paint}"/>"#,
            n(x),
            n(x),
            n(w),
            n(w)
        );
    }
    let (mime, bytes) = match &spot.image.svg {
        Some(svg) if vector => ("image/svg+xml", svg.as_bytes()),
        _ => ("image/png", spot.image.bitmap.as_slice()),
    };
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    let pad = layout.module * 0.5;
    let _ = write!(
        out,
        r#"<image x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="xMidYMid meet" href="data:{mime};base64,{data}"/>"#,
        n(x + pad),
        n(x + pad),
        n(w - 2.0 * pad),
        n(w - 2.0 * pad),
    );
}

/// The drawing's distinct gradients, numbered in order of first use.
struct Gradients<'d> {
    fills: Vec<&'d Fill>,
}

impl<'d> Gradients<'d> {
    fn collect(drawing: &'d Drawing) -> Self {
        let mut fills: Vec<&Fill> = Vec::new();
        let all = drawing
            .background
            .iter()
            .chain(drawing.symbol_background.iter().map(|b| &b.fill))
            .chain(drawing.layers.iter().map(|l| &l.fill));
        for fill in all {
            if !matches!(fill, Fill::Solid(_)) && !fills.contains(&fill) {
                fills.push(fill);
            }
        }
        Self { fills }
    }

    fn write_defs(&self, out: &mut String) {
        if self.fills.is_empty() {
            return;
        }
        out.push_str("<defs>");
        for (i, fill) in self.fills.iter().enumerate() {
            let stops = match fill {
                Fill::Solid(_) => continue,
                Fill::Linear { from, to, stops } => {
                    let _ = write!(
                        out,
                        r#"<linearGradient id="g{i}" gradientUnits="userSpaceOnUse" x1="{}" y1="{}" x2="{}" y2="{}">"#,
                        n(from.x),
                        n(from.y),
                        n(to.x),
                        n(to.y)
                    );
                    stops
                }
                Fill::Radial {
                    center,
                    radius,
                    stops,
                } => {
                    let _ = write!(
                        out,
                        r#"<radialGradient id="g{i}" gradientUnits="userSpaceOnUse" cx="{}" cy="{}" r="{}">"#,
                        n(center.x),
                        n(center.y),
                        n(*radius)
                    );
                    stops
                }
            };
            let last = (stops.len() - 1).max(1) as f64;
            for (j, stop) in stops.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"<stop offset="{}" stop-color="{stop}"/>"#,
                    n(j as f64 / last)
                );
            }
            out.push_str(match fill {
                Fill::Radial { .. } => "</radialGradient>",
                _ => "</linearGradient>",
            });
        }
        out.push_str("</defs>");
    }

    /// The value of a `fill` attribute.
    fn paint(&self, fill: &Fill) -> String {
        match fill {
            Fill::Solid(c) => c.to_string(),
            _ => {
                let i = self.fills.iter().position(|f| *f == fill).unwrap_or(0);
                format!("url(#g{i})")
            }
        }
    }
}

/// A diagonal band across the whole image with PREVIEW in block letters.
fn banner(out: &mut String, size: u32) {
    let size = f64::from(size);
    let centre = size / 2.0;
    let band = size * 0.2;
    let cell = band * 0.6 / GLYPH_ROWS as f64;
    let (text, width) = text_path("PREVIEW", 0.0, 0.0, cell);
    let scale_to_fit = (size * 1.1 / width).min(1.0);
    let text_height = cell * GLYPH_ROWS as f64;
    let _ = write!(
        out,
        r##"<g transform="rotate(-35 {c} {c})"><rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" fill-opacity="0.88"/><path fill="#c0162c" transform="translate({} {}) scale({})" d="{text}"/></g>"##,
        n(-size * 0.5),
        n(centre - band / 2.0),
        n(size * 2.0),
        n(band),
        n(centre - width * scale_to_fit / 2.0),
        n(centre - text_height * scale_to_fit / 2.0),
        n(scale_to_fit),
        c = n(centre)
    );
}

/// A number with at most two decimals and no trailing zeros: compact and exact enough.
fn n(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}
