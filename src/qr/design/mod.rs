//! Design parameters shared by every QR type, read into a typed [`Design`]. They are
//! declared once, in [`DESIGN_SPECS`] (`table.rs`); the shapes in `shapes.rs`, what each
//! part is painted with in `paint.rs`, and the contrast rule in `contrast.rs`.

mod contrast;
mod paint;
mod print;
mod shapes;
mod table;

pub use contrast::MIN_CONTRAST;
pub use paint::{Background, Paint, Span};
pub use print::PrintSize;
pub use shapes::{EyeBall, EyeFrame, ModuleShape, shape_choices};
pub use table::{DESIGN_PARAMS, DESIGN_SPECS, KEY_PARAM, MAX_MARGIN, MAX_SIZE, MIN_SIZE};

use crate::qr::color::Rgb;
use crate::qr::frame::{Caption, FrameStyle};
use crate::qr::payload::{ParamSpec, Params, PayloadError, validate_params};
use crate::qr::text::CaptionFont;

/// The narrowest quiet zone, in modules, a framed code keeps inside its frame (a smaller
/// `margin` is raised to it). A code on its own gets its quiet zone from the page around
/// it; inside a frame the frame is that page, and at margin 0 a banner or border in the
/// frame colour lies against the finder patterns and extends their dark rings, so no
/// decoder finds them (seed 6219405504233229093 case 268: a 104 px code under a
/// `banner_top`, read by none of the three; with 2 modules that frame at that size reads
/// in all three, `tests/designs/misses.rs`).
pub const MIN_FRAMED_MARGIN: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Png,
    Svg,
    Jpeg,
    Pdf,
    Eps,
}

impl Format {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "png" => Some(Self::Png),
            "svg" => Some(Self::Svg),
            "jpeg" => Some(Self::Jpeg),
            "pdf" => Some(Self::Pdf),
            "eps" => Some(Self::Eps),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
            Self::Jpeg => "image/jpeg",
            Self::Pdf => "application/pdf",
            Self::Eps => "application/postscript",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
            Self::Jpeg => "jpg",
            Self::Pdf => "pdf",
            Self::Eps => "eps",
        }
    }

    /// Written as outlines (no pixels): SVG, PDF and EPS.
    pub fn is_vector(self) -> bool {
        matches!(self, Self::Svg | Self::Pdf | Self::Eps)
    }
}

/// Error-correction level: how much of the symbol can be damaged and still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecc {
    L,
    M,
    Q,
    H,
}

impl Ecc {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::L => "L",
            Self::M => "M",
            Self::Q => "Q",
            Self::H => "H",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Design {
    pub format: Format,
    pub size: u32,
    pub ecc: Ecc,
    pub margin: u32,
    /// The data modules' paint: `fg`, or `fg_gradient`.
    pub fg: Paint,
    pub bg: Background,
    pub module_shape: ModuleShape,
    pub eye_frame: EyeFrame,
    pub eye_ball: EyeBall,
    pub eye_frame_color: Paint,
    pub eye_ball_color: Paint,
    pub logo: Option<String>,
    pub download: bool,
    /// Decode the image before answering (`verify=true`).
    pub verify: bool,
    /// JPEG quality, 1–100.
    pub quality: u8,
    pub print_size: Option<PrintSize>,
    pub frame: FrameStyle,
    pub frame_color: Rgb,
    pub caption: Option<Caption>,
    /// `None`: white or black, whichever contrasts with what the caption sits on.
    pub caption_color: Option<Rgb>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct DesignError {
    pub parameter: &'static str,
    pub message: String,
}

fn error(parameter: &'static str, message: impl Into<String>) -> DesignError {
    DesignError {
        parameter,
        message: message.into(),
    }
}

impl From<PayloadError> for DesignError {
    fn from(e: PayloadError) -> Self {
        error(e.parameter, e.message)
    }
}

impl Default for Design {
    /// The table's defaults. They are valid by construction: a unit test parses them.
    fn default() -> Self {
        Design::from_params(|_| None).expect("the defaults in DESIGN_SPECS make a design")
    }
}

impl Design {
    /// Reads the design from request parameters; absent ones take their defaults.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, DesignError> {
        Self::from_table(DESIGN_SPECS, get)
    }

    /// Validates against `specs` (defaults, ranges, allowed values), then reads the clean
    /// values into the typed design.
    fn from_table<'a>(
        specs: &[ParamSpec],
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Self, DesignError> {
        let raw: Params = specs
            .iter()
            .filter_map(|spec| get(spec.name).map(|value| (spec.name, value)))
            .collect();
        let clean = validate_params(specs, &raw)?;
        let paints = paint::resolve(&clean)?;
        if !clean_value(&clean, "allow_low_contrast", parse_bool)? {
            contrast::check(&paints)?;
        }
        // A part's own shape wins over the `eye_shape` shorthand, which wins over the
        // defaults. (Blank values count as not given, as the generic checks treat them.)
        let given = |name: &str| get(name).is_some_and(|v| !v.trim().is_empty());
        let shorthand = match clean.get("eye_shape") {
            Some(value) => Some(
                shapes::eye_shape_parts(value)
                    .ok_or_else(|| error("eye_shape", format!("`{value}` is not supported yet")))?,
            ),
            None => None,
        };
        let eye_frame = match shorthand {
            Some((frame, _)) if !given("eye_frame") => frame,
            _ => clean_value(&clean, "eye_frame", EyeFrame::parse)?,
        };
        let eye_ball = match shorthand {
            Some((_, ball)) if !given("eye_ball") => ball,
            _ => clean_value(&clean, "eye_ball", EyeBall::parse)?,
        };
        let mut design = Design {
            format: clean_value(&clean, "format", Format::parse)?,
            size: clean_value(&clean, "size", |v| v.parse().ok())?,
            ecc: clean_value(&clean, "ecc", |v| match v {
                "L" => Some(Ecc::L),
                "M" => Some(Ecc::M),
                "Q" => Some(Ecc::Q),
                "H" => Some(Ecc::H),
                _ => None,
            })?,
            margin: clean_value(&clean, "margin", |v| v.parse().ok())?,
            fg: paints.modules.value,
            bg: paints.background.value,
            module_shape: clean_value(&clean, "module_shape", ModuleShape::parse)?,
            eye_frame,
            eye_ball,
            eye_frame_color: paints.eye_frame.value,
            eye_ball_color: paints.eye_ball.value,
            logo: clean.get("logo").map(str::to_owned),
            download: clean_value(&clean, "download", parse_bool)?,
            verify: clean_value(&clean, "verify", parse_bool)?,
            quality: clean_value(&clean, "quality", |v| v.parse().ok())?,
            print_size: match clean.get("print_size") {
                Some(v) => Some(PrintSize::parse(v).map_err(|m| error("print_size", m))?),
                None => None,
            },
            frame: clean_value(&clean, "frame", FrameStyle::parse)?,
            frame_color: clean_value(&clean, "frame_color", Rgb::parse)?,
            caption: match clean.get("caption") {
                Some(text) => {
                    let font = clean_value(&clean, "caption_font", CaptionFont::parse)?;
                    let caption =
                        Caption::parse(text, font).map_err(|e| error("caption", e.to_string()))?;
                    Some(caption)
                }
                None => None,
            },
            caption_color: clean.get("caption_color").and_then(Rgb::parse),
        };
        if design.is_framed() {
            design.margin = design.margin.max(MIN_FRAMED_MARGIN);
        }
        Ok(design)
    }

    /// Whether the direct PNG path can draw this design: square modules and eyes, solid
    /// colours, no logo.
    pub fn is_plain(&self) -> bool {
        self.module_shape == ModuleShape::Square
            && self.eye_frame == EyeFrame::Square
            && self.eye_ball == EyeBall::Square
            && self.logo.is_none()
            && self.has_solid_colors()
            && !self.is_framed()
    }

    /// Whether a frame or a caption surrounds the code.
    pub fn is_framed(&self) -> bool {
        self.frame != FrameStyle::None || self.caption.is_some()
    }

    /// Whether every part is one colour (no gradient anywhere).
    pub fn has_solid_colors(&self) -> bool {
        [&self.fg, &self.eye_frame_color, &self.eye_ball_color]
            .iter()
            .all(|p| p.solid().is_some())
            && !matches!(self.bg, Background::Gradient(_))
    }
}

/// A validated value (or its default) read into its type. The generic checks already
/// accepted it, so a failure here means the table allows a value this code cannot use
/// yet (a unit test maps every allowed value, so that is caught before release).
fn clean_value<T>(
    clean: &Params,
    parameter: &'static str,
    read: impl Fn(&str) -> Option<T>,
) -> Result<T, DesignError> {
    let value = clean
        .get(parameter)
        .ok_or_else(|| error(parameter, "is required"))?;
    read(value).ok_or_else(|| error(parameter, format!("`{value}` is not supported yet")))
}

/// The generic checks normalise booleans to `true`/`false`.
fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
