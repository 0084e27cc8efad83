//! What a declared parameter looks like to readers: its JSON Schema (OpenAPI), its type
//! in words (the docs tables), its values as typed JSON, and the form control that edits
//! it. Everything here is read from the [`ParamSpec`]; nothing is restated.

use serde_json::{Value, json};

use crate::qr::payload::{ParamKind, ParamSpec};

/// Allowed colours, as the validator accepts them (`transparent` in any case).
const COLOR_PATTERN: &str = "^#?[0-9A-Fa-f]{6}$";
const COLOR_OR_TRANSPARENT_PATTERN: &str =
    "^(#?[0-9A-Fa-f]{6}|[Tt][Rr][Aa][Nn][Ss][Pp][Aa][Rr][Ee][Nn][Tt])$";
const IDENTIFIER_PATTERN: &str = "^[A-Za-z0-9_]+$";
/// The gradient syntax (`crate::qr::gradient`); the validator checks the rest (the angle's
/// range, 2 to 4 colours) and says what is wrong.
const GRADIENT_PATTERN: &str =
    r"^\s*(linear:\s*[0-9]{1,3}\s*:|radial:)\s*#?[0-9A-Fa-f]{6}(\s*,\s*#?[0-9A-Fa-f]{6}){1,3}\s*$";
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// The JSON Schema of the parameter's values, with its default.
pub fn schema(spec: &ParamSpec) -> Value {
    let mut schema = match spec.kind {
        ParamKind::Text | ParamKind::Multiline | ParamKind::Url | ParamKind::Phone => {
            json!({ "type": "string", "maxLength": spec.max_bytes })
        }
        ParamKind::Email => {
            json!({ "type": "string", "format": "email", "maxLength": spec.max_bytes })
        }
        ParamKind::DateTime => json!({ "type": "string", "maxLength": spec.max_bytes }),
        ParamKind::Date => json!({ "type": "string", "format": "date", "pattern": DATE_PATTERN }),
        ParamKind::Enum(allowed) => json!({ "type": "string", "enum": allowed }),
        ParamKind::Bool => json!({ "type": "boolean" }),
        ParamKind::Number { min, max } => {
            json!({ "type": "number", "minimum": min, "maximum": max })
        }
        ParamKind::Integer { min, max, .. } => {
            json!({ "type": "integer", "minimum": min, "maximum": max })
        }
        ParamKind::Color { transparent } => {
            let pattern = if transparent {
                COLOR_OR_TRANSPARENT_PATTERN
            } else {
                COLOR_PATTERN
            };
            json!({ "type": "string", "pattern": pattern })
        }
        ParamKind::Identifier => {
            json!({ "type": "string", "pattern": IDENTIFIER_PATTERN, "maxLength": spec.max_bytes })
        }
        ParamKind::Gradient => {
            json!({ "type": "string", "pattern": GRADIENT_PATTERN, "maxLength": spec.max_bytes })
        }
    };
    if let Some(default) = spec.default {
        schema["default"] = typed(spec, default);
    }
    schema
}

/// A value as JSON of the parameter's type: numbers and booleans unquoted.
pub fn typed(spec: &ParamSpec, value: &str) -> Value {
    match spec.kind {
        ParamKind::Bool => Value::Bool(matches!(value, "true" | "1" | "yes")),
        ParamKind::Integer { .. } => value
            .parse::<u64>()
            .map_or_else(|_| json!(value), Value::from),
        ParamKind::Number { .. } => value
            .parse::<f64>()
            .map_or_else(|_| json!(value), Value::from),
        _ => Value::String(value.to_owned()),
    }
}

/// The type in words, for the docs tables.
pub fn kind_text(spec: &ParamSpec) -> String {
    let bytes = spec.max_bytes;
    match spec.kind {
        ParamKind::Text => format!("text, one line, at most {bytes} bytes"),
        ParamKind::Multiline => format!("text, line breaks allowed, at most {bytes} bytes"),
        ParamKind::Email => "email address".into(),
        ParamKind::Url => format!("http or https address, at most {bytes} bytes"),
        ParamKind::Phone => "phone number: digits, with + ( ) - . and spaces allowed".into(),
        ParamKind::Enum(allowed) => format!("one of {}", allowed.join(", ")),
        ParamKind::Bool => "true or false".into(),
        ParamKind::Number { min, max } => format!("decimal number from {min} to {max}"),
        ParamKind::DateTime => {
            "date and time with offset (2026-12-01T18:00+01:00), or a date (2026-12-01)".into()
        }
        ParamKind::Date => "date as YYYY-MM-DD (a UTC day)".into(),
        ParamKind::Integer { min, max, unit } => format!("whole number of {unit}, {min} to {max}"),
        ParamKind::Color { transparent: false } => "colour: #RRGGBB or RRGGBB".into(),
        ParamKind::Color { transparent: true } => {
            "colour: #RRGGBB or RRGGBB, or transparent".into()
        }
        ParamKind::Identifier => "id: letters, digits and _".into(),
        ParamKind::Gradient => {
            "gradient: linear:ANGLE:COLOURS or radial:COLOURS, 2 to 4 colours".into()
        }
    }
}

/// How the docs page's form edits a parameter.
pub struct Control {
    /// `input`, `textarea` or `select`.
    pub element: &'static str,
    /// The `type` of an `input`.
    pub input_type: &'static str,
    /// The `inputmode` hint for phone keyboards; empty for none.
    pub input_mode: &'static str,
    /// The choices of a `select`.
    pub options: Vec<&'static str>,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

pub fn control(spec: &ParamSpec) -> Control {
    let input = |input_type, input_mode| Control {
        element: "input",
        input_type,
        input_mode,
        options: Vec::new(),
        min: None,
        max: None,
    };
    match spec.kind {
        ParamKind::Multiline => Control {
            element: "textarea",
            ..input("", "")
        },
        ParamKind::Enum(allowed) => Control {
            element: "select",
            options: allowed.to_vec(),
            ..input("", "")
        },
        ParamKind::Bool => Control {
            element: "select",
            options: vec!["true", "false"],
            ..input("", "")
        },
        ParamKind::Integer { min, max, .. } => Control {
            min: Some(min),
            max: Some(max),
            ..input("number", "numeric")
        },
        ParamKind::Date => input("date", ""),
        ParamKind::Email => input("email", "email"),
        ParamKind::Url => input("text", "url"),
        ParamKind::Phone => input("tel", "tel"),
        ParamKind::Number { .. } => input("text", "decimal"),
        ParamKind::Text
        | ParamKind::DateTime
        | ParamKind::Color { .. }
        | ParamKind::Identifier
        | ParamKind::Gradient => input("text", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::design::DESIGN_SPECS;

    fn design(name: &str) -> &'static ParamSpec {
        DESIGN_SPECS.iter().find(|s| s.name == name).unwrap()
    }

    #[test]
    fn schemas_carry_the_declared_ranges_choices_and_typed_defaults() {
        assert_eq!(
            schema(design("size")),
            json!({"type": "integer", "minimum": 64, "maximum": 4096, "default": 512})
        );
        assert_eq!(
            schema(design("format")),
            json!({"type": "string", "enum": ["png", "svg"], "default": "png"})
        );
        assert_eq!(schema(design("download"))["default"], json!(false));
    }

    #[test]
    fn types_in_words_name_the_declared_range_and_choices() {
        assert_eq!(
            kind_text(design("size")),
            "whole number of pixels, 64 to 4096"
        );
        assert_eq!(kind_text(design("ecc")), "one of L, M, Q, H");
        assert_eq!(
            kind_text(design("bg")),
            "colour: #RRGGBB or RRGGBB, or transparent"
        );
    }

    #[test]
    fn numbers_and_booleans_are_typed() {
        assert_eq!(typed(design("size"), "300"), json!(300));
        assert_eq!(typed(design("download"), "true"), json!(true));
        assert_eq!(typed(design("fg"), "#000000"), json!("#000000"));
    }
}
