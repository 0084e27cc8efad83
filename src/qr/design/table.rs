//! The design parameters, declared once: this table drives their validation (through the
//! generic parameter checks), the list of accepted names, the docs page and the OpenAPI
//! document. Defaults here are the defaults the API applies; ranges and allowed values here
//! are what it accepts.

use super::shapes::{EYE_SHAPES, EyeBall, EyeFrame, ModuleShape};
use crate::qr::frame::{FrameStyle, MAX_CAPTION_CHARS};
use crate::qr::payload::{ParamKind, ParamSpec};
use crate::qr::text::CaptionFont;

pub const MIN_SIZE: u32 = 64;
pub const MAX_SIZE: u32 = 4096;
pub const MAX_MARGIN: u32 = 16;

const FORMATS: &[&str] = &["png", "svg", "jpeg", "pdf", "eps"];
const ECC_LEVELS: &[&str] = &["L", "M", "Q", "H"];
/// Longest gradient spelling: `linear:360:` and four colours with commas, plus some room
/// for spaces a caller may put after the commas.
const GRADIENT_BYTES: usize = 64;

const fn color(
    name: &'static str,
    default: Option<&'static str>,
    description: &'static str,
    example: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        required: false,
        kind: ParamKind::Color { transparent: false },
        max_bytes: 16,
        default,
        description,
        example,
    }
}

const fn gradient(
    name: &'static str,
    description: &'static str,
    example: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        required: false,
        kind: ParamKind::Gradient,
        max_bytes: GRADIENT_BYTES,
        default: None,
        description,
        example,
    }
}

const fn choice(
    name: &'static str,
    allowed: &'static [&'static str],
    default: Option<&'static str>,
    description: &'static str,
    example: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        required: false,
        kind: ParamKind::Enum(allowed),
        max_bytes: 16,
        default,
        description,
        example,
    }
}

const fn flag(name: &'static str, description: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        required: false,
        kind: ParamKind::Bool,
        max_bytes: 16,
        default: Some("false"),
        description,
        example: "false",
    }
}

/// Every design parameter, in the order the docs show them.
pub const DESIGN_SPECS: &[ParamSpec] = &[
    choice(
        "format",
        FORMATS,
        Some("png"),
        "Image format: png (a bitmap), svg (a vector image that scales to any size), jpeg (a bitmap for photo tools; see quality), pdf or eps (vector files for print, one page exactly the code's size; see print_size).",
        "png",
    ),
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
    choice(
        "ecc",
        ECC_LEVELS,
        Some("M"),
        "Error correction: about 7 % (L), 15 % (M), 25 % (Q) or 30 % (H) of the code can be damaged and still read. Higher levels make denser codes.",
        "M",
    ),
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
        description: "The quiet zone around the code, in modules. Scanners want 4; less works when the code sits on a plain background. A framed or captioned code keeps at least 2 inside its frame.",
        example: "4",
    },
    color(
        "fg",
        Some("#000000"),
        "Colour of the dark modules.",
        "#0f172a",
    ),
    gradient(
        "fg_gradient",
        "A gradient across the data modules instead of the fg colour: linear:ANGLE:COLOURS (ANGLE in degrees, 0 = left to right, 90 = top to bottom) or radial:COLOURS (centre outwards), with 2 to 4 colours (#RRGGBB or RRGGBB, so a URL needs no %23), e.g. linear:45:#1d4ed8,#9333ea. Every colour must pass the contrast check. The eyes follow it unless they have colours of their own.",
        "linear:45:#1d4ed8,#9333ea",
    ),
    ParamSpec {
        name: "bg",
        required: false,
        kind: ParamKind::Color { transparent: true },
        max_bytes: 16,
        default: Some("#ffffff"),
        description: "Background colour, or transparent (checked for contrast against white).",
        example: "#ffffff",
    },
    gradient(
        "bg_gradient",
        "A gradient background instead of the bg colour, in the fg_gradient syntax, e.g. radial:#ffffff,#e0f2fe. Every colour must contrast with every module and eye colour.",
        "radial:#ffffff,#e0f2fe",
    ),
    choice(
        "module_shape",
        ModuleShape::NAMES,
        Some("square"),
        "Shape of the data modules; the pictures below show each one.",
        "rounded",
    ),
    choice(
        "eye_frame",
        EyeFrame::NAMES,
        Some("square"),
        "Shape of the outer 7×7 ring of the three finder patterns (the eyes) in the corners.",
        "rounded",
    ),
    choice(
        "eye_ball",
        EyeBall::NAMES,
        Some("square"),
        "Shape of the 3×3 centre of the eyes.",
        "circle",
    ),
    choice(
        "eye_shape",
        EYE_SHAPES,
        // No default of its own: it is a shorthand for eye_frame and eye_ball.
        None,
        "Shorthand that sets eye_frame and eye_ball to the same shape; eye_frame or eye_ball given beside it win.",
        "rounded",
    ),
    color(
        "eye_frame_color",
        None,
        "Colour of the eyes' outer rings; eye_gradient, eye_color or the module colour when not given.",
        "#1d4ed8",
    ),
    color(
        "eye_ball_color",
        None,
        "Colour of the eyes' centres; eye_gradient, eye_color or the module colour when not given.",
        "#b91c1c",
    ),
    color(
        "eye_color",
        None,
        "Shorthand for eye_frame_color and eye_ball_color together; the module colour when not given.",
        "#1d4ed8",
    ),
    gradient(
        "eye_gradient",
        "A gradient across each eye, in the fg_gradient syntax, e.g. linear:90:#1d4ed8,#0f172a: for the rings and centres without a colour of their own; it replaces eye_color.",
        "linear:90:#1d4ed8,#0f172a",
    ),
    ParamSpec {
        name: "quality",
        required: false,
        kind: ParamKind::Integer {
            min: 1,
            max: 100,
            unit: "percent",
        },
        max_bytes: 16,
        default: Some("90"),
        description: "JPEG quality, 1 (smallest file) to 100 (best); only format=jpeg uses it.",
        example: "90",
    },
    ParamSpec {
        name: "print_size",
        required: false,
        kind: ParamKind::Text,
        max_bytes: 16,
        default: None,
        description: "Printed side of the image with a unit, mm or in (10mm to 1000mm), e.g. 30mm or 1.5in: the page size of pdf and eps files and the resolution (DPI) recorded in png and jpeg files. size stays the width in pixels.",
        example: "30mm",
    },
    choice(
        "frame",
        FrameStyle::NAMES,
        Some("none"),
        "A frame around the code: box, rounded_box, banner_bottom, banner_top, bubble (a speech bubble under the code) or badge. The code shrinks inside it, keeping its quiet zone, so size stays the whole image.",
        "banner_bottom",
    ),
    color(
        "frame_color",
        Some("#000000"),
        "Colour of the frame.",
        "#1d4ed8",
    ),
    ParamSpec {
        name: "caption",
        required: false,
        kind: ParamKind::Text,
        // 48 characters of up to 4 bytes each.
        max_bytes: 4 * MAX_CAPTION_CHARS,
        default: None,
        description: "A call to action written in the frame, e.g. SCAN ME: one line of up to 48 characters in the Latin, Greek or Cyrillic scripts, drawn as outlines (no font needed to view the file). Long captions shrink to fit; one that cannot fit at a readable size is refused. With frame=none it is written under the code.",
        example: "SCAN ME",
    },
    color(
        "caption_color",
        None,
        "Colour of the caption; white or black, whichever stands out from what it is written on, when not given.",
        "#ffffff",
    ),
    choice(
        "caption_font",
        CaptionFont::NAMES,
        Some("bold"),
        "Face of the caption: Noto Sans bold or regular.",
        "bold",
    ),
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
    flag(
        "download",
        "true sends Content-Disposition: attachment, so a browser saves the file instead of showing it.",
    ),
    flag(
        "verify",
        "true decodes the image in the server before answering, at the requested size and as a blurred, downscaled copy like a phone camera sees: 422 with the design choice to change when it would not scan (not counted), X-Scan-Verified: true when it does. It costs about 25 ms of server time for a 512 px code (the decodes), against under 1 ms for drawing it.",
    ),
    flag(
        "allow_low_contrast",
        "true accepts colours that many scanners miss: too little contrast, or light modules on a dark background.",
    ),
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
