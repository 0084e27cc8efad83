//! QR code generation: payloads, encoding and rendering. Pure: no HTTP, no storage.
//!
//! `generate` makes a scannable image; `preview` makes the watermarked one that must not
//! scan. Both take a payload string (from `payload::build_payload`) and a `Design`.

pub mod color;
pub mod deadline;
pub mod design;
pub mod encode;
pub mod frame;
pub mod gradient;
pub mod layout;
pub mod logo;
pub mod mask;
pub mod payload;
mod preview;
mod reed_solomon;
pub mod render;
pub mod text;
pub mod verify;

pub use deadline::{Deadline, TimedOut};
use design::{Design, Ecc, Format};
use encode::{CapacityError, encode};
use layout::TooSmall;
use render::{LogoImage, RasterError, RenderError, Scene, render};

/// Content shown in a preview whose requested content cannot be encoded.
const GENERIC_PREVIEW: &str = "qrgate preview";

/// The largest preview drawn, in pixels: a preview only has to look like the code, so a
/// larger `size` is drawn at this size (in the requested format), which keeps previews
/// cheap whatever a keyless client asks for.
pub const PREVIEW_MAX_SIZE: u32 = 512;

/// A rendered image.
#[derive(Debug, Clone)]
pub struct QrImage {
    pub bytes: Vec<u8>,
    pub format: Format,
    /// The QR version (1–40) of the symbol.
    pub version: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error(transparent)]
    Capacity(#[from] CapacityError),
    #[error(transparent)]
    TooSmall(#[from] TooSmall),
    #[error(transparent)]
    Raster(#[from] RasterError),
    /// `verify=true`, and the image did not decode to its payload.
    #[error(transparent)]
    Unscannable(#[from] verify::Unscannable),
    #[error(transparent)]
    TimedOut(#[from] TimedOut),
    /// The caption does not fit its frame at a readable size.
    #[error(transparent)]
    Caption(#[from] frame::CaptionError),
    #[error("{0}")]
    Encode(String),
}

impl From<RenderError> for QrError {
    fn from(e: RenderError) -> Self {
        match e {
            RenderError::TooSmall(e) => Self::TooSmall(e),
            RenderError::Raster(e) => Self::Raster(e),
            RenderError::TimedOut(e) => Self::TimedOut(e),
            RenderError::Caption(e) => Self::Caption(e),
            RenderError::Encode(e) => Self::Encode(e),
        }
    }
}

/// The error correction actually used: a logo hides modules, so it needs at least Q.
pub fn effective_ecc(design: &Design, has_logo: bool) -> Ecc {
    if has_logo {
        design.ecc.max(Ecc::Q)
    } else {
        design.ecc
    }
}

/// The image of `payload` in `design`; with `verify=true`, only once it decoded back to
/// `payload` (`verify.rs`).
pub fn generate(
    payload: &str,
    design: &Design,
    logo: Option<&LogoImage>,
    deadline: Deadline,
) -> Result<QrImage, QrError> {
    let (image, module_px) = generate_unverified(payload, design, logo, deadline)?;
    if design.verify {
        deadline.check("verify")?;
        let scans = match design.format {
            // A PDF or EPS file is the same drawing as the PNG, which is what is decoded.
            Format::Pdf | Format::Eps => {
                let png = Design {
                    format: Format::Png,
                    ..design.clone()
                };
                let (bitmap, module_px) = generate_unverified(payload, &png, logo, deadline)?;
                verify::decodes(&bitmap.bytes, &png, payload, module_px)
            }
            _ => verify::decodes(&image.bytes, design, payload, module_px),
        };
        if !scans {
            return Err(verify::diagnose(payload, design, logo, deadline)?.into());
        }
    }
    Ok(image)
}

/// The image, and the pixels a module it was drawn with.
fn generate_unverified(
    payload: &str,
    design: &Design,
    logo: Option<&LogoImage>,
    deadline: Deadline,
) -> Result<(QrImage, f64), QrError> {
    deadline.check("start")?;
    let matrix = encode(payload, effective_ecc(design, logo.is_some()))?;
    let code_size = render::code_size(design)?;
    let module_px = layout::layout(code_size, matrix.width, design.margin)?.module;
    let bytes = render(
        &Scene {
            matrix: &matrix,
            design,
            logo,
            watermark: false,
        },
        deadline,
    )?;
    let image = QrImage {
        bytes,
        format: design.format,
        version: matrix.version,
    };
    Ok((image, module_px))
}

/// The design a preview is drawn with: the requested one without its logo, at most
/// `PREVIEW_MAX_SIZE` pixels.
pub fn preview_design(design: &Design) -> Design {
    Design {
        logo: None,
        size: design.size.min(PREVIEW_MAX_SIZE),
        ..design.clone()
    }
}

/// The unscannable preview of `payload` (or of a generic text when there is no usable
/// payload, or it does not fit the requested size), drawn with `preview_design`.
pub fn preview(
    payload: Option<&str>,
    design: &Design,
    deadline: Deadline,
) -> Result<QrImage, QrError> {
    let attempt = |content: &str, design: &Design| -> Result<QrImage, QrError> {
        deadline.check("start")?;
        let mut matrix = encode(content, Ecc::L)?;
        preview::spoil(&mut matrix, content);
        let bytes = render(
            &Scene {
                matrix: &matrix,
                design,
                logo: None,
                watermark: true,
            },
            deadline,
        )?;
        Ok(QrImage {
            bytes,
            format: design.format,
            version: matrix.version,
        })
    };
    let design = preview_design(design);
    match payload.map(|p| attempt(p, &design)) {
        Some(Ok(image)) => Ok(image),
        // Out of time is final: a second attempt would only run later still.
        Some(Err(QrError::TimedOut(e))) => Err(e.into()),
        _ => attempt(GENERIC_PREVIEW, &design),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn styled(size: &str) -> Design {
        let pairs = [("module_shape", "dot"), ("size", size)];
        Design::from_params(|n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)).unwrap()
    }

    #[test]
    fn a_render_whose_deadline_has_passed_times_out_before_it_starts() {
        let past = Deadline::after(Duration::ZERO);
        let err = generate("https://example.org", &styled("512"), None, past).unwrap_err();
        assert!(
            matches!(err, QrError::TimedOut(TimedOut { stage: "start" })),
            "{err:?}"
        );
        let err = preview(Some("https://example.org"), &styled("512"), past).unwrap_err();
        assert!(matches!(err, QrError::TimedOut(_)), "{err:?}");
    }

    #[test]
    fn a_large_render_with_a_tiny_deadline_stops_at_a_later_stage() {
        // A styled 4096 px PNG takes far longer than a millisecond to draw.
        let tiny = Deadline::after(Duration::from_millis(1));
        let err = generate("https://example.org", &styled("4096"), None, tiny).unwrap_err();
        match err {
            QrError::TimedOut(TimedOut { stage }) => {
                assert!(
                    ["build", "parse", "draw", "encode"].contains(&stage),
                    "{stage}"
                )
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[test]
    fn a_preview_is_never_larger_than_512_px_and_keeps_its_format() {
        let design = Design {
            format: Format::Svg,
            ..styled("4096")
        };
        let capped = preview_design(&design);
        assert_eq!(
            (capped.size, capped.format),
            (PREVIEW_MAX_SIZE, Format::Svg)
        );
        assert_eq!(preview_design(&styled("200")).size, 200);
        let image = preview(Some("x"), &styled("4096"), Deadline::none()).unwrap();
        assert_eq!(imagesize::blob_size(&image.bytes).unwrap().width, 512);
    }
}
