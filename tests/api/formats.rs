//! The print formats through the API: PDF rasterised by poppler's `pdftoppm` and EPS by
//! Ghostscript decode in every decoder; neither holds a raster image of the code; EPS
//! follows the EPSF-3.0 structure with the page as its bounding box; JPEG quality and
//! density; `print_size` in every format; same request, same bytes.

use std::process::Command;

use reqwest::StatusCode;

use crate::decode::{decode_all, grey, png_rgb};
use crate::helpers::TestApp;

const URL: &str = "https://example.org/menu?table=12";

/// Whether `program` runs here; in CI (`CI` set) a missing one fails the test instead
/// of skipping it, as `.ci/run` installs it.
fn have(program: &str, package: &str) -> bool {
    let runs = Command::new(program)
        .arg(if program == "gs" { "--version" } else { "-v" })
        .output()
        .is_ok();
    if !runs {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is missing in CI (apt-get install {package})"
        );
        eprintln!("skipping: {program} is missing (apt-get install {package})");
    }
    runs
}

/// A PDF page rasterised by poppler at `dpi`, as PNG bytes.
fn pdf_to_png(pdf: &[u8], dpi: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("code.pdf");
    std::fs::write(&input, pdf).unwrap();
    let out = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png", "-singlefile"])
        .arg(&input)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm failed");
    std::fs::read(dir.path().join("page.png")).unwrap()
}

/// An EPS file rasterised by Ghostscript at `dpi` within its bounding box.
fn eps_to_png(eps: &[u8], dpi: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("code.eps");
    std::fs::write(&input, eps).unwrap();
    let out = dir.path().join("page.png");
    let output = Command::new("gs")
        .args(["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dEPSCrop"])
        .args(["-sDEVICE=png16m", &format!("-r{dpi}")])
        .arg(format!("-sOutputFile={}", out.display()))
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "gs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(out).unwrap()
}

fn assert_decodes(png: &[u8], what: &str) {
    decode_all(&grey(&png_rgb(png))).assert_every_decoder(URL, what);
}

/// Designs from plain to busy: gradients (shadings in PDF and EPS), shapes, a frame with
/// a caption.
const DESIGNS: &[&[(&str, &str)]] = &[
    &[],
    &[
        ("module_shape", "rounded"),
        ("eye_frame", "rounded"),
        ("eye_ball", "circle"),
        ("fg_gradient", "linear:45:#1d4ed8,#7e22ce,#0f172a"),
    ],
    &[
        ("module_shape", "dot"),
        ("bg_gradient", "radial:#ffffff,#e0f2fe"),
        ("eye_color", "#b91c1c"),
    ],
    &[
        ("frame", "banner_bottom"),
        ("caption", "SCAN ME"),
        ("frame_color", "#1d4ed8"),
    ],
];

async fn fetch(app: &TestApp, key: &str, format: &str, design: &[(&str, &str)]) -> Vec<u8> {
    let mut query = vec![("url", URL), ("format", format), ("size", "400")];
    query.extend_from_slice(design);
    let response = app.qr(Some(key), "url", &query).await;
    assert_eq!(response.status(), StatusCode::OK, "{format} {design:?}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn pdfs_rasterised_by_poppler_decode_and_hold_no_raster_image() {
    if !have("pdftoppm", "poppler-utils") {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    for design in DESIGNS {
        let pdf = fetch(&app, &key, "pdf", design).await;
        assert!(pdf.starts_with(b"%PDF-"), "{design:?}");
        let text = String::from_utf8_lossy(&pdf);
        assert!(!text.contains("/Image"), "{design:?}: an image XObject");
        assert!(!text.contains("/CreationDate") && !text.contains("/ID"));
        // 400 px at 96 per inch: a 300 pt page.
        assert!(text.contains("/MediaBox [0 0 300 300]"), "{design:?}");
        assert_decodes(&pdf_to_png(&pdf, 96), &format!("pdf {design:?}"));
    }
}

#[tokio::test]
async fn eps_files_rasterised_by_ghostscript_decode_and_have_the_epsf_structure() {
    if !have("gs", "ghostscript") {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    for design in DESIGNS {
        let eps = fetch(&app, &key, "eps", design).await;
        let text = String::from_utf8(eps.clone()).expect("EPS is text");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "%!PS-Adobe-3.0 EPSF-3.0");
        assert_eq!(lines[1], "%%BoundingBox: 0 0 300 300");
        assert!(text.contains("%%EndComments\n") && text.trim_end().ends_with("%%EOF"));
        assert!(lines.iter().all(|l| l.len() <= 255), "DSC line length");
        assert!(!text.contains(" image"), "{design:?}: a raster image");
        assert_decodes(&eps_to_png(&eps, 96), &format!("eps {design:?}"));
    }
}

#[tokio::test]
async fn print_size_sets_the_page_of_pdf_and_eps_and_the_dpi_of_png_and_jpeg() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let sized = [("print_size", "1in")];
    let pdf = String::from_utf8_lossy(&fetch(&app, &key, "pdf", &sized).await).into_owned();
    assert!(pdf.contains("/MediaBox [0 0 72 72]"), "{pdf}");
    let eps = String::from_utf8(fetch(&app, &key, "eps", &[("print_size", "30mm")]).await).unwrap();
    // 30 mm = 85.0394 pt.
    assert!(eps.contains("%%BoundingBox: 0 0 86 86\n%%HiResBoundingBox: 0 0 85.0394 85.0394"));
    // 400 px over one inch.
    let png = fetch(&app, &key, "png", &sized).await;
    let reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let dims = reader.info().pixel_dims.expect("a pHYs chunk");
    assert_eq!((dims.xppu, dims.unit), (15748, png::Unit::Meter));
    let jpeg = fetch(&app, &key, "jpeg", &sized).await;
    // JFIF APP0: units 1 (per inch), then X and Y density.
    let jfif = jpeg
        .windows(5)
        .position(|w| w == b"JFIF\0")
        .expect("a JFIF header");
    assert_eq!(&jpeg[jfif + 7..jfif + 12], &[1, 1, 144, 1, 144]);
    for bad in ["30", "5mm", "2m", "1e2mm"] {
        let response = app
            .qr(Some(&key), "url", &[("url", URL), ("print_size", bad)])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains("print_size"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn jpegs_decode_shrink_with_quality_and_lay_transparency_on_white() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let best = fetch(&app, &key, "jpeg", &[("quality", "100")]).await;
    let small = fetch(&app, &key, "jpeg", &[("quality", "20")]).await;
    assert!(
        small.len() < best.len(),
        "{} vs {}",
        small.len(),
        best.len()
    );
    for jpeg in [&best, &fetch(&app, &key, "jpeg", &[]).await] {
        let image = image::load_from_memory(jpeg).unwrap().to_luma8();
        assert_eq!(image.dimensions(), (400, 400));
        decode_all(&image).assert_every_decoder(URL, "jpeg");
    }
    let clear = fetch(&app, &key, "jpeg", &[("bg", "transparent")]).await;
    let image = image::load_from_memory(&clear).unwrap().to_rgb8();
    assert!(
        image.get_pixel(2, 2).0.iter().all(|&c| c > 250),
        "white corner"
    );
    for bad in ["0", "101", "high"] {
        let response = app
            .qr(
                Some(&key),
                "url",
                &[("url", URL), ("format", "jpeg"), ("quality", bad)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn every_format_gives_the_same_bytes_for_the_same_request_with_its_type_and_extension() {
    let app = TestApp::spawn().await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    for (format, mime, extension) in [
        ("png", "image/png", "png"),
        ("svg", "image/svg+xml", "svg"),
        ("jpeg", "image/jpeg", "jpg"),
        ("pdf", "application/pdf", "pdf"),
        ("eps", "application/postscript", "eps"),
    ] {
        let query = [
            ("url", URL),
            ("format", format),
            ("download", "true"),
            ("fg_gradient", "linear:90:#1d4ed8,#0f172a"),
            ("frame", "badge"),
            ("caption", "Menu"),
        ];
        let first = app.qr(Some(&key), "url", &query).await;
        assert_eq!(first.status(), StatusCode::OK, "{format}");
        assert_eq!(first.headers()["content-type"], mime);
        let disposition = first.headers()["content-disposition"].to_str().unwrap();
        assert_eq!(
            disposition,
            format!("attachment; filename=\"qr-url.{extension}\"")
        );
        let etag = first.headers()["etag"].clone();
        let first = first.bytes().await.unwrap();
        // A second app: nothing cached, drawn again from scratch.
        let other = TestApp::spawn().await;
        let (_, other_key) = other.user_with_key("bo@example.org").await;
        let second = other.qr(Some(&other_key), "url", &query).await;
        assert_eq!(second.headers()["etag"], etag, "{format}");
        assert_eq!(second.bytes().await.unwrap(), first, "{format}");
    }
}
