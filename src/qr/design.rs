//! Design parameters shared by every QR type: parsed, range-checked and normalised here,
//! with each problem naming its parameter.

use super::color::{Rgb, contrast_ratio};

/// WCAG's minimum contrast for graphics (1.4.11); below it many phone cameras fail.
pub const MIN_CONTRAST: f64 = 3.0;
pub const MIN_SIZE: u32 = 64;
pub const MAX_SIZE: u32 = 4096;
pub const MAX_MARGIN: u32 = 16;

/// Every design parameter name; anything else in a request is content (or the key).
pub const DESIGN_PARAMS: [&str; 13] = [
    "format",
    "size",
    "ecc",
    "margin",
    "fg",
    "bg",
    "module_shape",
    "eye_shape",
    "eye_color",
    "logo",
    "download",
    "allow_low_contrast",
    "api_key",
];

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModuleShape {
    Square,
    Dot,
    Rounded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EyeShape {
    Square,
    Rounded,
    Circle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Background {
    Color(Rgb),
    Transparent,
}

impl Background {
    /// The colour a transparent image is most likely shown on, for contrast checks.
    pub fn assumed(self) -> Rgb {
        match self {
            Self::Color(c) => c,
            Self::Transparent => Rgb::WHITE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Design {
    pub format: Format,
    pub size: u32,
    pub ecc: Ecc,
    pub margin: u32,
    pub fg: Rgb,
    pub bg: Background,
    pub module_shape: ModuleShape,
    pub eye_shape: EyeShape,
    pub eye_color: Rgb,
    pub logo: Option<String>,
    pub download: bool,
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

impl Default for Design {
    fn default() -> Self {
        Self {
            format: Format::Png,
            size: 512,
            ecc: Ecc::M,
            margin: 4,
            fg: Rgb::BLACK,
            bg: Background::Color(Rgb::WHITE),
            module_shape: ModuleShape::Square,
            eye_shape: EyeShape::Square,
            eye_color: Rgb::BLACK,
            logo: None,
            download: false,
        }
    }
}

impl Design {
    /// Reads the design from request parameters; absent ones take their defaults.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, DesignError> {
        let value = |name: &str| get(name).map(str::trim).filter(|v| !v.is_empty());
        let mut design = Design::default();
        if let Some(v) = value("format") {
            design.format = match v.to_ascii_lowercase().as_str() {
                "png" => Format::Png,
                "svg" => Format::Svg,
                _ => {
                    return Err(error(
                        "format",
                        format!("`{}` is not supported; use png or svg", clip(v)),
                    ));
                }
            };
        }
        if let Some(v) = value("size") {
            design.size = parse_range(v, "size", MIN_SIZE, MAX_SIZE, "pixels")?;
        }
        if let Some(v) = value("ecc") {
            design.ecc = match v.to_ascii_uppercase().as_str() {
                "L" => Ecc::L,
                "M" => Ecc::M,
                "Q" => Ecc::Q,
                "H" => Ecc::H,
                _ => {
                    return Err(error(
                        "ecc",
                        format!("`{}` is not a level; use L, M, Q or H", clip(v)),
                    ));
                }
            };
        }
        if let Some(v) = value("margin") {
            design.margin = parse_range(v, "margin", 0, MAX_MARGIN, "modules")?;
        }
        if let Some(v) = value("fg") {
            design.fg = parse_color(v, "fg")?;
        }
        design.eye_color = design.fg;
        if let Some(v) = value("bg") {
            design.bg = if v.eq_ignore_ascii_case("transparent") {
                Background::Transparent
            } else {
                Background::Color(parse_color(v, "bg")?)
            };
        }
        if let Some(v) = value("eye_color") {
            design.eye_color = parse_color(v, "eye_color")?;
        }
        if let Some(v) = value("module_shape") {
            design.module_shape = match v.to_ascii_lowercase().as_str() {
                "square" => ModuleShape::Square,
                "dot" => ModuleShape::Dot,
                "rounded" => ModuleShape::Rounded,
                _ => {
                    return Err(error(
                        "module_shape",
                        format!("`{}` is not a shape; use square, dot or rounded", clip(v)),
                    ));
                }
            };
        }
        if let Some(v) = value("eye_shape") {
            design.eye_shape = match v.to_ascii_lowercase().as_str() {
                "square" => EyeShape::Square,
                "rounded" => EyeShape::Rounded,
                "circle" => EyeShape::Circle,
                _ => {
                    return Err(error(
                        "eye_shape",
                        format!(
                            "`{}` is not a shape; use square, rounded or circle",
                            clip(v)
                        ),
                    ));
                }
            };
        }
        if let Some(v) = value("logo") {
            let valid = v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                return Err(error(
                    "logo",
                    "is not a logo id (ids come from POST /api/v1/logos)",
                ));
            }
            design.logo = Some(v.to_owned());
        }
        design.download = match value("download") {
            Some(v) => parse_bool(v, "download")?,
            None => false,
        };
        let allow_low_contrast = match value("allow_low_contrast") {
            Some(v) => parse_bool(v, "allow_low_contrast")?,
            None => false,
        };
        if !allow_low_contrast {
            design.check_contrast()?;
        }
        Ok(design)
    }

    /// Refuses colours that many scanners cannot read: too little contrast, or light
    /// modules on a dark background (inverted codes, which older readers do not try).
    fn check_contrast(&self) -> Result<(), DesignError> {
        let bg = self.bg.assumed();
        for (parameter, color) in [("fg", self.fg), ("eye_color", self.eye_color)] {
            let ratio = contrast_ratio(color, bg);
            if ratio < MIN_CONTRAST {
                return Err(error(
                    parameter,
                    format!(
                        "contrast between {color} and the background {bg} is {ratio:.2}:1; at least {MIN_CONTRAST}:1 is needed to scan reliably (set allow_low_contrast=true to override)"
                    ),
                ));
            }
            if color.luminance() > bg.luminance() {
                return Err(error(
                    parameter,
                    format!(
                        "{color} is lighter than the background {bg}; inverted codes are missed by many scanners (set allow_low_contrast=true to override)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether the direct PNG path can draw this design (no shapes, no logo).
    pub fn is_plain(&self) -> bool {
        self.module_shape == ModuleShape::Square
            && self.eye_shape == EyeShape::Square
            && self.logo.is_none()
    }
}

fn parse_range(
    v: &str,
    parameter: &'static str,
    min: u32,
    max: u32,
    unit: &str,
) -> Result<u32, DesignError> {
    match v.parse::<u64>() {
        Ok(n) if (u64::from(min)..=u64::from(max)).contains(&n) => Ok(n as u32),
        Ok(n) => Err(error(
            parameter,
            format!("{n} is out of range; use {min} to {max} {unit}"),
        )),
        Err(_) => Err(error(
            parameter,
            format!(
                "`{}` is not a whole number; use {min} to {max} {unit}",
                clip(v)
            ),
        )),
    }
}

fn parse_color(v: &str, parameter: &'static str) -> Result<Rgb, DesignError> {
    Rgb::parse(v).ok_or_else(|| {
        error(
            parameter,
            format!("`{}` is not a colour; use #RRGGBB or RRGGBB", clip(v)),
        )
    })
}

fn parse_bool(v: &str, parameter: &'static str) -> Result<bool, DesignError> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(error(
            parameter,
            format!("`{}` is not true or false", clip(v)),
        )),
    }
}

/// At most 40 characters of a user's value, for messages.
fn clip(v: &str) -> String {
    let clipped: String = v.chars().take(40).collect();
    if clipped.len() < v.len() {
        format!("{clipped}…")
    } else {
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Design, DesignError> {
        Design::from_params(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }

    #[test]
    fn no_parameters_give_the_documented_defaults() {
        let d = parse(&[]).unwrap();
        assert_eq!(
            (d.format, d.size, d.ecc, d.margin),
            (Format::Png, 512, Ecc::M, 4)
        );
        assert_eq!(
            (d.fg, d.bg, d.eye_color),
            (Rgb::BLACK, Background::Color(Rgb::WHITE), Rgb::BLACK)
        );
        assert!(d.is_plain() && !d.download);
    }

    #[test]
    fn sizes_and_margins_are_range_checked() {
        assert_eq!(parse(&[("size", "64")]).unwrap().size, 64);
        assert_eq!(parse(&[("size", "4096")]).unwrap().size, 4096);
        assert_eq!(parse(&[("size", "63")]).unwrap_err().parameter, "size");
        assert_eq!(parse(&[("size", "4097")]).unwrap_err().parameter, "size");
        assert_eq!(parse(&[("size", "12.5")]).unwrap_err().parameter, "size");
        assert_eq!(parse(&[("margin", "17")]).unwrap_err().parameter, "margin");
        assert_eq!(parse(&[("margin", "-1")]).unwrap_err().parameter, "margin");
    }

    #[test]
    fn low_contrast_is_refused_unless_allowed() {
        let err = parse(&[("fg", "#777777"), ("bg", "#888888")]).unwrap_err();
        assert_eq!(err.parameter, "fg");
        assert!(err.message.contains(":1"), "{}", err.message);
        assert!(
            parse(&[
                ("fg", "#777777"),
                ("bg", "#888888"),
                ("allow_low_contrast", "true")
            ])
            .is_ok()
        );
    }

    #[test]
    fn inverted_colours_are_refused_unless_allowed() {
        let err = parse(&[("fg", "#ffffff"), ("bg", "#000000")]).unwrap_err();
        assert!(err.message.contains("lighter"), "{}", err.message);
        assert!(
            parse(&[
                ("fg", "#ffffff"),
                ("bg", "#000000"),
                ("allow_low_contrast", "1")
            ])
            .is_ok()
        );
    }

    #[test]
    fn a_pale_eye_colour_is_checked_too() {
        assert_eq!(
            parse(&[("eye_color", "#eeeeee")]).unwrap_err().parameter,
            "eye_color"
        );
    }

    #[test]
    fn transparent_backgrounds_are_checked_against_white() {
        assert!(parse(&[("bg", "transparent")]).is_ok());
        assert_eq!(
            parse(&[("bg", "transparent"), ("fg", "#dddddd")])
                .unwrap_err()
                .parameter,
            "fg"
        );
    }

    #[test]
    fn unknown_values_name_their_parameter() {
        for (name, value) in [
            ("format", "gif"),
            ("ecc", "X"),
            ("module_shape", "star"),
            ("eye_shape", "heart"),
            ("fg", "blue"),
            ("download", "maybe"),
            ("logo", "../etc"),
        ] {
            assert_eq!(
                parse(&[(name, value)]).unwrap_err().parameter,
                name,
                "{name}={value}"
            );
        }
    }
}
