//! Independent decoding of generated images: PNG (or SVG rasterised with resvg) →
//! greyscale → the `rqrr` decoder; and, where installed, ZBar's `zbarimg`.

use std::io::Write;
use std::process::Command;

/// Size, in pixels, and greyscale of a PNG composited on white.
pub fn png_luma(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let channels = info.color_type.samples();
    let luma = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| {
            let (rgb, alpha) = match channels {
                1 => ([p[0]; 3], 255),
                2 => ([p[0]; 3], p[1]),
                3 => ([p[0], p[1], p[2]], 255),
                _ => ([p[0], p[1], p[2]], p[3]),
            };
            let grey = (0.299 * f64::from(rgb[0])
                + 0.587 * f64::from(rgb[1])
                + 0.114 * f64::from(rgb[2])) as u32;
            // Composite on white.
            ((grey * u32::from(alpha) + 255 * (255 - u32::from(alpha))) / 255) as u8
        })
        .collect();
    (info.width, info.height, luma)
}

/// The text of the one QR code in the PNG, per rqrr.
pub fn rqrr_png(bytes: &[u8]) -> Result<String, String> {
    let (w, h, luma) = png_luma(bytes);
    let (w, h, luma) = shrink_for_rqrr(w, h, luma);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
        luma[y * w as usize + x]
    });
    let grids = image.detect_grids();
    let grid = grids.first().ok_or("no QR code found")?;
    let mut out = Vec::new();
    grid.decode_to(&mut out).map_err(|e| format!("{e:?}"))?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// rqrr computes line intersections in `i32` and overflows on images much over 2000 px
/// (rqrr 0.11, geometry.rs). Larger images are reduced by a whole factor with box
/// averaging first, as a camera would see a large print from further away.
fn shrink_for_rqrr(w: u32, h: u32, luma: Vec<u8>) -> (u32, u32, Vec<u8>) {
    let factor = w.div_ceil(1200).max(1);
    if factor == 1 {
        return (w, h, luma);
    }
    let (sw, sh) = (w / factor, h / factor);
    let mut out = Vec::with_capacity((sw * sh) as usize);
    for y in 0..sh {
        for x in 0..sw {
            let mut sum = 0u32;
            for dy in 0..factor {
                for dx in 0..factor {
                    sum += u32::from(luma[((y * factor + dy) * w + x * factor + dx) as usize]);
                }
            }
            out.push((sum / (factor * factor)) as u8);
        }
    }
    (sw, sh, out)
}

/// An SVG rasterised by resvg at its own size, as PNG bytes.
pub fn svg_to_png(svg: &[u8]) -> Vec<u8> {
    let tree =
        resvg::usvg::Tree::from_data(svg, &resvg::usvg::Options::default()).expect("a valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().unwrap()
}

/// Whether `zbarimg` is on this machine (CI installs it; `.ci/run`).
pub fn zbar_available() -> bool {
    Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The text ZBar reads from a PNG, or an error when it finds none.
pub fn zbar_png(bytes: &[u8]) -> Result<String, String> {
    let mut file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    file.write_all(bytes).unwrap();
    let output = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(file.path())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("zbarimg exit {:?}", output.status.code()));
    }
    let text = String::from_utf8(output.stdout).map_err(|e| e.to_string())?;
    // zbarimg ends its output with one newline.
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}
