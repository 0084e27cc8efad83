//! Design parameters shared by every QR type, read into a typed [`Design`]. They are
//! declared once, in [`DESIGN_SPECS`] (`table.rs`); the shapes in `shapes.rs`, what each
//! part is painted with in `paint.rs`, and the contrast rule in `contrast.rs`.

mod contrast;
mod paint;
mod shapes;
mod table;

pub use contrast::MIN_CONTRAST;
pub use paint::{Background, Paint, Span};
pub use shapes::{EyeBall, EyeFrame, ModuleShape, shape_choices};
pub use table::{DESIGN_PARAMS, DESIGN_SPECS, KEY_PARAM, MAX_MARGIN, MAX_SIZE, MIN_SIZE};

use crate::qr::payload::{ParamSpec, Params, PayloadError, validate_params};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
        }
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
        Ok(Design {
            format: clean_value(&clean, "format", |v| match v {
                "png" => Some(Format::Png),
                "svg" => Some(Format::Svg),
                _ => None,
            })?,
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
        })
    }

    /// Whether the direct PNG path can draw this design: square modules and eyes, solid
    /// colours, no logo.
    pub fn is_plain(&self) -> bool {
        self.module_shape == ModuleShape::Square
            && self.eye_frame == EyeFrame::Square
            && self.eye_ball == EyeBall::Square
            && self.logo.is_none()
            && self.has_solid_colors()
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
