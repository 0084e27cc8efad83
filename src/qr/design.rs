//! Design parameters shared by every QR type. They are declared once, in
//! [`DESIGN_SPECS`]: the same table drives their validation (through the generic
//! parameter checks), the list of accepted names, the docs page and the OpenAPI document.

use super::color::{Rgb, contrast_ratio};
use super::payload::{ParamKind, ParamSpec, Params, PayloadError, validate_params};

/// WCAG's minimum contrast for graphics (1.4.11); below it many phone cameras fail.
pub const MIN_CONTRAST: f64 = 3.0;
pub const MIN_SIZE: u32 = 64;
pub const MAX_SIZE: u32 = 4096;
pub const MAX_MARGIN: u32 = 16;

const FORMATS: &[&str] = &["png", "svg"];
const ECC_LEVELS: &[&str] = &["L", "M", "Q", "H"];
const MODULE_SHAPES: &[&str] = &["square", "dot", "rounded"];
const EYE_SHAPES: &[&str] = &["square", "rounded", "circle"];

/// Every design parameter, in the order the docs show them. Defaults here are the
/// defaults the API applies; ranges and allowed values here are what it accepts.
pub const DESIGN_SPECS: &[ParamSpec] = &[
    ParamSpec {
        name: "format",
        required: false,
        kind: ParamKind::Enum(FORMATS),
        max_bytes: 16,
        default: Some("png"),
        description: "Image format: png (a bitmap) or svg (a vector image that scales to any size).",
        example: "png",
    },
    ParamSpec {
        name: "size",
        required: false,
        kind: ParamKind::Integer {
            min: MIN_SIZE,
            max: MAX_SIZE,
            unit: "pixels",
        },
        max_bytes: 16,
        default: Some("512"),
        description: "Width and height of the image in pixels, margin included.",
        example: "512",
    },
    ParamSpec {
        name: "ecc",
        required: false,
        kind: ParamKind::Enum(ECC_LEVELS),
        max_bytes: 16,
        default: Some("M"),
        description: "Error correction: about 7 % (L), 15 % (M), 25 % (Q) or 30 % (H) of the code can be damaged and still read. Higher levels make denser codes.",
        example: "M",
    },
    ParamSpec {
        name: "margin",
        required: false,
        kind: ParamKind::Integer {
            min: 0,
            max: MAX_MARGIN,
            unit: "modules",
        },
        max_bytes: 16,
        default: Some("4"),
        description: "The quiet zone around the code, in modules. Scanners want 4; less works when the code sits on a plain background.",
        example: "4",
    },
    ParamSpec {
        name: "fg",
        required: false,
        kind: ParamKind::Color { transparent: false },
        max_bytes: 16,
        default: Some("#000000"),
        description: "Colour of the dark modules.",
        example: "#0f172a",
    },
    ParamSpec {
        name: "bg",
        required: false,
        kind: ParamKind::Color { transparent: true },
        max_bytes: 16,
        default: Some("#ffffff"),
        description: "Background colour, or transparent (checked for contrast against white).",
        example: "#ffffff",
    },
    ParamSpec {
        name: "module_shape",
        required: false,
        kind: ParamKind::Enum(MODULE_SHAPES),
        max_bytes: 16,
        default: Some("square"),
        description: "Shape of the data modules.",
        example: "rounded",
    },
    ParamSpec {
        name: "eye_shape",
        required: false,
        kind: ParamKind::Enum(EYE_SHAPES),
        max_bytes: 16,
        default: Some("square"),
        description: "Shape of the three finder patterns (the eyes) in the corners.",
        example: "rounded",
    },
    ParamSpec {
        name: "eye_color",
        required: false,
        kind: ParamKind::Color { transparent: false },
        max_bytes: 16,
        // No default of its own: the eyes take the `fg` colour.
        default: None,
        description: "Colour of the eyes; the fg colour when not given.",
        example: "#1d4ed8",
    },
    ParamSpec {
        name: "logo",
        required: false,
        kind: ParamKind::Identifier,
        max_bytes: 64,
        default: None,
        description: "Id of a logo uploaded with POST /api/v1/logos, drawn in the centre. Raises ecc to at least Q.",
        // A logo id exists only after an upload, so no example works on its own.
        example: "",
    },
    ParamSpec {
        name: "download",
        required: false,
        kind: ParamKind::Bool,
        max_bytes: 16,
        default: Some("false"),
        description: "true sends Content-Disposition: attachment, so a browser saves the file instead of showing it.",
        example: "false",
    },
    ParamSpec {
        name: "allow_low_contrast",
        required: false,
        kind: ParamKind::Bool,
        max_bytes: 16,
        default: Some("false"),
        description: "true accepts colours that many scanners miss: too little contrast, or light modules on a dark background.",
        example: "false",
    },
];

/// The query parameter that may carry the API key; it is not a design parameter, but a
/// request may carry it next to them.
pub const KEY_PARAM: &str = "api_key";

/// Every name a request may carry besides its type's content parameters: the design
/// parameters (derived from [`DESIGN_SPECS`]) and the key.
pub const DESIGN_PARAMS: [&str; DESIGN_SPECS.len() + 1] = {
    let mut names = [KEY_PARAM; DESIGN_SPECS.len() + 1];
    let mut i = 0;
    while i < DESIGN_SPECS.len() {
        names[i] = DESIGN_SPECS[i].name;
        i += 1;
    }
    names
};

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
        let fg = clean_value(&clean, "fg", Rgb::parse)?;
        let design = Design {
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
            fg,
            bg: clean_value(&clean, "bg", |v| match v {
                "transparent" => Some(Background::Transparent),
                _ => Rgb::parse(v).map(Background::Color),
            })?,
            module_shape: clean_value(&clean, "module_shape", |v| match v {
                "square" => Some(ModuleShape::Square),
                "dot" => Some(ModuleShape::Dot),
                "rounded" => Some(ModuleShape::Rounded),
                _ => None,
            })?,
            eye_shape: clean_value(&clean, "eye_shape", |v| match v {
                "square" => Some(EyeShape::Square),
                "rounded" => Some(EyeShape::Rounded),
                "circle" => Some(EyeShape::Circle),
                _ => None,
            })?,
            eye_color: match clean.get("eye_color") {
                Some(_) => clean_value(&clean, "eye_color", Rgb::parse)?,
                None => fg,
            },
            logo: clean.get("logo").map(str::to_owned),
            download: clean_value(&clean, "download", parse_bool)?,
        };
        if !clean_value(&clean, "allow_low_contrast", parse_bool)? {
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
mod tests {
    use super::*;
    use crate::qr::payload::check_value;

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
    fn the_table_drives_validation() {
        let mut specs = DESIGN_SPECS.to_vec();
        let size = specs.iter_mut().find(|s| s.name == "size").unwrap();
        size.kind = ParamKind::Integer {
            min: 64,
            max: 1000,
            unit: "pixels",
        };
        size.default = Some("300");
        let get = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        };
        assert_eq!(Design::from_table(&specs, get(&[])).unwrap().size, 300);
        let err = Design::from_table(&specs, get(&[("size", "2000")])).unwrap_err();
        assert_eq!(err.parameter, "size");
        assert!(err.message.contains("64 to 1000 pixels"), "{}", err.message);
        assert_eq!(parse(&[("size", "2000")]).unwrap().size, 2000);
    }

    #[test]
    fn every_allowed_value_of_every_enum_is_usable() {
        for spec in DESIGN_SPECS {
            if let ParamKind::Enum(allowed) = spec.kind {
                for value in allowed {
                    assert!(
                        parse(&[(spec.name, value)]).is_ok(),
                        "{}={value}",
                        spec.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_examples_and_defaults_are_valid_and_make_a_design_together() {
        for spec in DESIGN_SPECS {
            assert!(!spec.required, "{} must be optional", spec.name);
            assert!(!spec.description.is_empty());
            for value in spec.default.into_iter().chain([spec.example]) {
                if !value.is_empty() {
                    assert!(check_value(spec, value).is_ok(), "{}={value}", spec.name);
                }
            }
        }
        let examples: Vec<(&str, &str)> = DESIGN_SPECS
            .iter()
            .map(|spec| (spec.name, spec.example))
            .collect();
        let design = parse(&examples).unwrap();
        assert_eq!(design.module_shape, ModuleShape::Rounded);
        assert_eq!(design.eye_color, Rgb(0x1d, 0x4e, 0xd8));
    }

    #[test]
    fn the_accepted_names_are_the_table_plus_the_key_and_clash_with_no_content_name() {
        assert_eq!(DESIGN_PARAMS.len(), DESIGN_SPECS.len() + 1);
        for spec in DESIGN_SPECS {
            assert!(DESIGN_PARAMS.contains(&spec.name));
        }
        assert!(DESIGN_PARAMS.contains(&"allow_low_contrast"));
        assert!(DESIGN_PARAMS.contains(&"api_key"));
        for (i, name) in DESIGN_PARAMS.iter().enumerate() {
            assert!(!DESIGN_PARAMS[..i].contains(name), "duplicate {name}");
            for kind in crate::qr::payload::QrType::ALL {
                assert!(
                    kind.params().iter().all(|p| p.name != *name),
                    "{name} is also a {} parameter",
                    kind.as_str()
                );
            }
        }
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
