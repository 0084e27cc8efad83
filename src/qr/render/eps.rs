//! A drawing as Encapsulated PostScript (EPSF-3.0): one page whose `%%BoundingBox` is
//! the image, `print_size` or the pixels at 96 per inch. Written from the same flattened
//! pieces as the PDF: filled paths, gradients as `shfill` (LanguageLevel 3) inside a
//! clip, an uploaded logo as an `image` with its data in hex after the operator. No
//! dates, so the same request gives the same bytes.

use std::fmt::Write;

use super::drawing::{Drawing, Fill};
use super::vector::{self, Op, Piece, Shade};
use crate::qr::design::PrintSize;

const POINTS_PER_PIXEL: f64 = 0.75;

pub fn write(drawing: &Drawing, print_size: Option<PrintSize>) -> Vec<u8> {
    let flat = vector::flatten(drawing);
    let page = print_size.map_or(flat.size * POINTS_PER_PIXEL, PrintSize::points);
    let scale = page / flat.size;
    let mut out = String::with_capacity(32 * 1024);
    // The integer box must hold the page; the high-resolution one is exact.
    let _ = write!(
        out,
        "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 {box} {box}\n%%HiResBoundingBox: 0 0 {page:.4} {page:.4}\n%%Creator: qrgate\n%%Title: QR code\n%%LanguageLevel: 3\n%%Pages: 1\n%%EndComments\n%%BeginProlog\n/m {{moveto}} bind def /l {{lineto}} bind def /c {{curveto}} bind def /h {{closepath}} bind def\n%%EndProlog\n%%Page: 1 1\nsave\n",
        box = page.ceil() as u64,
    );
    // Pixels, y down, to points, y up.
    let _ = writeln!(out, "[{} 0 0 {} 0 {}] concat", n(scale), n(-scale), n(page));
    for piece in &flat.below {
        paint(&mut out, piece);
    }
    if let Some(place) = &flat.logo
        && let Some((width, height, rgb)) = vector::logo_rgb(place)
    {
        let _ = writeln!(
            out,
            "gsave {} {} translate {} {} scale /DeviceRGB setcolorspace\n<< /ImageType 1 /Width {width} /Height {height} /BitsPerComponent 8 /Decode [0 1 0 1 0 1] /ImageMatrix [{width} 0 0 {height} 0 0] /DataSource currentfile /ASCIIHexDecode filter >> image",
            n(place.x),
            n(place.y),
            n(place.side),
            n(place.side),
        );
        for row in rgb.chunks(40) {
            out.push_str(&hex::encode(row));
            out.push('\n');
        }
        out.push_str(">\ngrestore\n");
    }
    for piece in &flat.above {
        paint(&mut out, piece);
    }
    out.push_str("restore\nshowpage\n%%Trailer\n%%EOF\n");
    out.into_bytes()
}

fn paint(out: &mut String, piece: &Piece) {
    out.push_str("gsave newpath\n");
    path(out, piece);
    match &piece.fill {
        Fill::Solid(c) => {
            // PostScript has no transparency: the banner's band is drawn opaque.
            let [r, g, b] = c.to_array().map(vector::unit);
            let _ = writeln!(
                out,
                "{} {} {} setrgbcolor {}",
                n(r),
                n(g),
                n(b),
                if piece.even_odd { "eofill" } else { "fill" }
            );
        }
        Fill::Linear { .. } | Fill::Radial { .. } => {
            if let Some(shade) = Shade::of(&piece.fill) {
                out.push_str(if piece.even_odd { "eoclip\n" } else { "clip\n" });
                shading(out, &shade);
            }
        }
    }
    out.push_str("grestore\n");
}

fn path(out: &mut String, piece: &Piece) {
    let mut line_start = out.len();
    vector::walk(&piece.path, |op| {
        let _ = match op {
            Op::Move(p) => write!(out, "{} {} m ", n(p.x), n(p.y)),
            Op::Line(p) => write!(out, "{} {} l ", n(p.x), n(p.y)),
            Op::Cubic(a, b, p) => write!(
                out,
                "{} {} {} {} {} {} c ",
                n(a.x),
                n(a.y),
                n(b.x),
                n(b.y),
                n(p.x),
                n(p.y)
            ),
            Op::Close => write!(out, "h "),
        };
        // DSC wants lines of at most 255 characters.
        if out.len() - line_start > 190 {
            out.push('\n');
            line_start = out.len();
        }
    });
    out.push('\n');
}

/// `shfill` with an axial (2) or radial (3) shading; colours between stops by a
/// stitching function of linear pieces.
fn shading(out: &mut String, shade: &Shade) {
    let stops: Vec<_> = vector::stops(shade.stops).collect();
    let rgb = |c: crate::qr::color::Rgb| {
        let [r, g, b] = c.to_array().map(vector::unit);
        format!("[{} {} {}]", n(r), n(g), n(b))
    };
    let mut functions = String::new();
    for pair in stops.windows(2) {
        let _ = writeln!(
            functions,
            "<< /FunctionType 2 /Domain [0 1] /C0 {} /C1 {} /N 1 >>",
            rgb(pair[0].1),
            rgb(pair[1].1)
        );
    }
    let bounds: Vec<String> = stops[1..stops.len() - 1]
        .iter()
        .map(|(at, _)| n(*at))
        .collect();
    let encode = vec!["0 1"; stops.len() - 1].join(" ");
    let coords: Vec<String> = shade.coords.iter().map(|&v| n(v)).collect();
    let _ = writeln!(
        out,
        "<< /ShadingType {} /ColorSpace /DeviceRGB /Coords [{}] /Extend [true true]\n/Function << /FunctionType 3 /Domain [0 1] /Functions [\n{functions}] /Bounds [{}] /Encode [{encode}] >> >> shfill",
        if shade.radial { 3 } else { 2 },
        coords.join(" "),
        bounds.join(" "),
    );
}

/// A number with at most four decimals and no trailing zeros.
fn n(v: f64) -> String {
    let rounded = (v * 10_000.0).round() / 10_000.0;
    let text = format!("{rounded:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}
