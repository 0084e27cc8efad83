//! The SVG drawing of a design: one path for the data modules (horizontal runs merged for
//! square modules), one for the three eyes, the logo, and the optional PREVIEW banner.
//! Coordinates are in output pixels, on the layout's whole-pixel grid.

use std::fmt::Write;

use base64::Engine;

use super::glyphs::{GLYPH_ROWS, text_path};
use super::{LogoImage, Scene, logo_area};
use crate::qr::design::{Background, EyeShape, Format, ModuleShape};
use crate::qr::layout::Layout;

pub fn build(scene: &Scene, layout: &Layout) -> String {
    let design = scene.design;
    let size = layout.size;
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">"#
    );
    if let Background::Color(bg) = design.bg {
        let _ = write!(out, r#"<rect width="{size}" height="{size}" fill="{bg}"/>"#);
    }
    let cleared = scene.logo.map(|_| logo_area(scene.matrix));
    let rendering = if design.module_shape == ModuleShape::Square {
        "crispEdges"
    } else {
        "geometricPrecision"
    };
    let _ = write!(
        out,
        r#"<path fill="{}" shape-rendering="{rendering}" d="{}"/>"#,
        design.fg,
        modules_path(scene, layout, cleared)
    );
    let _ = write!(
        out,
        r#"<path fill="{}" fill-rule="evenodd" d="{}"/>"#,
        design.eye_color,
        eyes_path(scene, layout)
    );
    if let (Some(image), Some(area)) = (scene.logo, cleared) {
        let vector = design.format == Format::Svg;
        logo(&mut out, layout, area, design.bg, image, vector);
    }
    if scene.watermark {
        banner(&mut out, size);
    }
    out.push_str("</svg>");
    out
}

/// The logo in its cleared square of modules (`area`: first module, side): a plate in
/// the background colour, then the image inset by half a module. Vector output embeds
/// the sanitised SVG, raster output the bitmap made at upload; both as an `<image>`, so
/// the logo's ids and styles cannot reach the code's own elements.
fn logo(
    out: &mut String,
    layout: &Layout,
    (first, side): (usize, usize),
    bg: Background,
    image: &LogoImage,
    vector: bool,
) {
    let x = layout.at(first);
    let w = layout.module * side as f64;
    if let Background::Color(bg) = bg {
        let _ = write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{bg}"/>"#,
            n(x),
            n(x),
            n(w),
            n(w)
        );
    }
    let (mime, bytes) = match &image.svg {
        Some(svg) if vector => ("image/svg+xml", svg.as_bytes()),
        _ => ("image/png", image.bitmap.as_slice()),
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

/// Data and timing modules outside the eyes (and outside the logo's square).
fn modules_path(scene: &Scene, layout: &Layout, cleared: Option<(usize, usize)>) -> String {
    let m = scene.matrix;
    let s = layout.module;
    let skip = |x: usize, y: usize| {
        m.in_finder(x, y)
            || cleared.is_some_and(|(first, side)| {
                (first..first + side).contains(&x) && (first..first + side).contains(&y)
            })
    };
    let mut d = String::with_capacity(m.width * m.width * 4);
    for y in 0..m.width {
        let py = layout.at(y);
        let mut x = 0;
        while x < m.width {
            if !m.get(x, y) || skip(x, y) {
                x += 1;
                continue;
            }
            match scene.design.module_shape {
                ModuleShape::Square => {
                    let start = x;
                    while x < m.width && m.get(x, y) && !skip(x, y) {
                        x += 1;
                    }
                    let w = s * (x - start) as f64;
                    let _ = write!(
                        d,
                        "M{},{}h{}v{}h-{}z",
                        n(layout.at(start)),
                        n(py),
                        n(w),
                        n(s),
                        n(w)
                    );
                    continue;
                }
                ModuleShape::Dot => circle(&mut d, layout.at(x) + s / 2.0, py + s / 2.0, s * 0.45),
                ModuleShape::Rounded => rounded_rect(&mut d, layout.at(x), py, s, s, s * 0.3),
            }
            x += 1;
        }
    }
    d
}

/// The three finder patterns in the chosen shape: a ring of 7 modules and a 3-module core.
/// A preview shrinks the core to one module: the eye still looks like one, but its
/// 1:1:3:1:1 profile, which every decoder searches for first, is gone.
///
/// Decoders of the quirc family (rqrr) take the perspective from the corners of each
/// eye's outer ring, so the outer ring keeps near-square corners in every style; the
/// styles differ in how round the rest is.
fn eyes_path(scene: &Scene, layout: &Layout) -> String {
    let s = layout.module;
    let (core, inset) = if scene.watermark {
        (1.0, 3.0)
    } else {
        (3.0, 2.0)
    };
    let mut d = String::new();
    for (ox, oy) in scene.matrix.finder_origins() {
        let (x, y) = (layout.at(ox), layout.at(oy));
        let (cx, cy) = (x + 3.5 * s, y + 3.5 * s);
        match scene.design.eye_shape {
            EyeShape::Square => {
                rounded_rect(&mut d, x, y, 7.0 * s, 7.0 * s, 0.0);
                rounded_rect(&mut d, x + s, y + s, 5.0 * s, 5.0 * s, 0.0);
                rounded_rect(
                    &mut d,
                    x + inset * s,
                    y + inset * s,
                    core * s,
                    core * s,
                    0.0,
                );
            }
            EyeShape::Rounded => {
                rounded_rect(&mut d, x, y, 7.0 * s, 7.0 * s, 1.0 * s);
                rounded_rect(&mut d, x + s, y + s, 5.0 * s, 5.0 * s, 0.6 * s);
                rounded_rect(
                    &mut d,
                    x + inset * s,
                    y + inset * s,
                    core * s,
                    core * s,
                    0.2 * core * s,
                );
            }
            EyeShape::Circle => {
                rounded_rect(&mut d, x, y, 7.0 * s, 7.0 * s, 1.0 * s);
                circle(&mut d, cx, cy, 2.5 * s);
                circle(&mut d, cx, cy, core / 2.0 * s);
            }
        }
    }
    d
}

fn circle(d: &mut String, cx: f64, cy: f64, r: f64) {
    let (r2, dia) = (n(r), n(2.0 * r));
    let _ = write!(
        d,
        "M{},{}a{r2},{r2} 0 1 0 {dia},0a{r2},{r2} 0 1 0 -{dia},0z",
        n(cx - r),
        n(cy)
    );
}

fn rounded_rect(d: &mut String, x: f64, y: f64, w: f64, h: f64, r: f64) {
    if r <= 0.0 {
        let _ = write!(d, "M{},{}h{}v{}h-{}z", n(x), n(y), n(w), n(h), n(w));
        return;
    }
    let (iw, ih, r_) = (n(w - 2.0 * r), n(h - 2.0 * r), n(r));
    let _ = write!(
        d,
        "M{},{}h{iw}a{r_},{r_} 0 0 1 {r_},{r_}v{ih}a{r_},{r_} 0 0 1 -{r_},{r_}h-{iw}a{r_},{r_} 0 0 1 -{r_},-{r_}v-{ih}a{r_},{r_} 0 0 1 {r_},-{r_}z",
        n(x + r),
        n(y)
    );
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
