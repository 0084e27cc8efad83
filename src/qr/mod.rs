//! QR code generation: payloads, encoding and rendering. Pure: no HTTP, no storage.
//!
//! `generate` makes a scannable image; `preview` makes the watermarked one that must not
//! scan. Both take a payload string (from `payload::build_payload`) and a `Design`.

pub mod color;
pub mod design;
pub mod encode;
pub mod frame;
pub mod gradient;
pub mod layout;
pub mod logo;
pub mod mask;
pub mod payload;
mod preview;
pub mod render;
pub mod text;
pub mod verify;

use design::{Design, Ecc, Format};
use encode::{CapacityError, encode};
use layout::TooSmall;
use render::{LogoImage, RasterError, RenderError, Scene, render};

/// Content shown in a preview whose requested content cannot be encoded.
const GENERIC_PREVIEW: &str = "qrgate preview";

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
    Caption(#[from] frame::CaptionError),
    #[error("{0}")]
    Encode(String),
}

impl From<RenderError> for QrError {
    fn from(e: RenderError) -> Self {
        match e {
            RenderError::TooSmall(e) => Self::TooSmall(e),
            RenderError::Raster(e) => Self::Raster(e),
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
) -> Result<QrImage, QrError> {
    let (image, module_px) = generate_unverified(payload, design, logo)?;
    if design.verify {
        let scans = match design.format {
            // A PDF or EPS file is the same drawing as the PNG, which is what is decoded.
            Format::Pdf | Format::Eps => {
                let png = Design {
                    format: Format::Png,
                    ..design.clone()
                };
                let (bitmap, module_px) = generate_unverified(payload, &png, logo)?;
                verify::decodes(&bitmap.bytes, &png, payload, module_px)
            }
            _ => verify::decodes(&image.bytes, design, payload, module_px),
        };
        if !scans {
            return Err(verify::diagnose(payload, design, logo).into());
        }
    }
    Ok(image)
}

/// The image, and the pixels a module it was drawn with.
fn generate_unverified(
    payload: &str,
    design: &Design,
    logo: Option<&LogoImage>,
) -> Result<(QrImage, f64), QrError> {
    let matrix = encode(payload, effective_ecc(design, logo.is_some()))?;
    let code_size = render::code_size(design)?;
    let module_px = layout::layout(code_size, matrix.width, design.margin)?.module;
    let bytes = render(&Scene {
        matrix: &matrix,
        design,
        logo,
        watermark: false,
    })?;
    let image = QrImage {
        bytes,
        format: design.format,
        version: matrix.version,
    };
    Ok((image, module_px))
}

/// The unscannable preview of `payload` (or of a generic text when there is no usable
/// payload, or it does not fit the requested size).
pub fn preview(payload: Option<&str>, design: &Design) -> Result<QrImage, QrError> {
    let attempt = |content: &str, design: &Design| -> Result<QrImage, QrError> {
        let mut matrix = encode(content, Ecc::L)?;
        preview::spoil(&mut matrix, content);
        let bytes = render(&Scene {
            matrix: &matrix,
            design,
            logo: None,
            watermark: true,
        })?;
        Ok(QrImage {
            bytes,
            format: design.format,
            version: matrix.version,
        })
    };
    let design = Design {
        logo: None,
        ..design.clone()
    };
    match payload.map(|p| attempt(p, &design)) {
        Some(Ok(image)) => Ok(image),
        _ => attempt(GENERIC_PREVIEW, &design),
    }
}
