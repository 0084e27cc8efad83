//! The generic checks every parameter goes through, driven by its [`ParamSpec`]. The
//! builders then see only clean values: trimmed, defaulted, normalised, and absent when
//! the caller left them empty.

use super::{ParamKind, ParamSpec, Params, PayloadError, datetime, email, phone, url};
use crate::qr::color::Rgb;
use crate::qr::gradient::Gradient;

/// How much of a caller's value an error message may quote: enough to recognise it,
/// not enough to turn error logs into a copy of the payloads.
const MAX_ECHO_CHARS: usize = 60;

pub(super) fn validate(specs: &[ParamSpec], raw: &Params) -> Result<Params, PayloadError> {
    let mut clean = Params::new();
    for spec in specs {
        let value = match present(spec, raw.get(spec.name)) {
            Some(value) => value,
            None if spec.required => return Err(PayloadError::new(spec.name, "is required")),
            None => match spec.default {
                Some(default) => default,
                None => continue,
            },
        };
        let value = check(spec, value).map_err(|message| PayloadError::new(spec.name, message))?;
        clean.insert(spec.name, value);
    }
    Ok(clean)
}

/// The value to check, or `None` if it is missing or blank. Multiline values keep their
/// whitespace, since leading indentation or a trailing newline can be deliberate.
fn present<'a>(spec: &ParamSpec, value: Option<&'a str>) -> Option<&'a str> {
    let value = value?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        None
    } else if spec.kind == ParamKind::Multiline {
        Some(value)
    } else {
        Some(trimmed)
    }
}

/// Checks one present value against its spec and returns it normalised.
pub(super) fn check(spec: &ParamSpec, value: &str) -> Result<String, String> {
    if value.len() > spec.max_bytes {
        return Err(format!(
            "is {} bytes long; at most {} are allowed",
            value.len(),
            spec.max_bytes
        ));
    }
    check_controls(value, spec.kind == ParamKind::Multiline)?;
    match spec.kind {
        ParamKind::Text | ParamKind::Multiline => Ok(value.to_owned()),
        ParamKind::Email => email::check_address(value).map(|()| value.to_owned()),
        ParamKind::Url => url::normalise(value),
        // The digits are checked here; each type decides how much formatting to keep.
        ParamKind::Phone => phone::dial_string(value).map(|_| value.to_owned()),
        ParamKind::Enum(allowed) => check_enum(value, allowed),
        ParamKind::Bool => check_bool(value),
        ParamKind::Number { min, max } => check_number(value, min, max),
        ParamKind::DateTime => datetime::parse_when(value).map(|_| value.to_owned()),
        ParamKind::Date => crate::domain::days::parse_day("date", value)
            .map(|_| value.to_owned())
            .map_err(|_| {
                format!(
                    "must be a date as YYYY-MM-DD (UTC), from the year 2000 on; got {}",
                    echo(value)
                )
            }),
        ParamKind::Integer { min, max, unit } => check_integer(value, min, max, unit),
        ParamKind::Color { transparent } => check_color(value, transparent),
        ParamKind::Identifier => check_identifier(value),
        ParamKind::Gradient => Gradient::parse(value).map(|g| g.to_string()),
    }
}

/// Control characters are invisible in most scanners and can break the payload formats
/// (a newline ends a vCard line, NUL truncates strings in some readers). Tab is harmless.
/// Beyond the C0 set this also refuses DEL and the C1 controls, which no real text needs.
fn check_controls(value: &str, multiline: bool) -> Result<(), String> {
    for (position, c) in value.chars().enumerate() {
        match c {
            '\t' => {}
            '\r' | '\n' if multiline => {}
            '\r' | '\n' => return Err("must be a single line; line breaks are not allowed".into()),
            c if c.is_control() => {
                return Err(format!(
                    "contains the control character U+{:04X} at character {}; \
                     control characters other than tab are not allowed",
                    c as u32,
                    position + 1
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_enum(value: &str, allowed: &[&str]) -> Result<String, String> {
    allowed
        .iter()
        .find(|option| option.eq_ignore_ascii_case(value))
        .map(|option| (*option).to_owned())
        .ok_or_else(|| format!("must be one of {}; got {}", allowed.join(", "), echo(value)))
}

fn check_bool(value: &str) -> Result<String, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok("true".into()),
        "false" | "0" | "no" => Ok("false".into()),
        _ => Err(format!(
            "must be true or false (1/0 and yes/no also work); got {}",
            echo(value)
        )),
    }
}

/// The caller's own digits are kept (no float round trip), so `48.85840` stays as given.
fn check_number(value: &str, min: f64, max: f64) -> Result<String, String> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parsed = value.parse::<f64>().ok();
    match parsed {
        Some(number) if all_digits(whole) && fraction.is_none_or(all_digits) => {
            if (min..=max).contains(&number) {
                Ok(value.to_owned())
            } else {
                Err(format!(
                    "must be between {min} and {max}; got {}",
                    echo(value)
                ))
            }
        }
        _ => Err(format!(
            "must be a plain decimal number like 48.8584 (no exponent, no thousands separator); \
             got {}",
            echo(value)
        )),
    }
}

/// Digits only: no sign, no fraction, no exponent. Leading zeros are dropped.
fn check_integer(value: &str, min: u32, max: u32, unit: &str) -> Result<String, String> {
    let digits = value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<u64>() {
        Ok(n) if digits && (u64::from(min)..=u64::from(max)).contains(&n) => Ok(n.to_string()),
        Ok(_) if digits => Err(format!(
            "is out of range; use {min} to {max} {unit}; got {}",
            echo(value)
        )),
        _ => Err(format!(
            "must be a whole number from {min} to {max} {unit}; got {}",
            echo(value)
        )),
    }
}

fn check_color(value: &str, transparent: bool) -> Result<String, String> {
    if transparent && value.eq_ignore_ascii_case("transparent") {
        return Ok("transparent".into());
    }
    Rgb::parse(value).map(|rgb| rgb.to_string()).ok_or_else(|| {
        let or_transparent = if transparent { " or transparent" } else { "" };
        format!(
            "is not a colour; use #RRGGBB or RRGGBB{or_transparent}; got {}",
            echo(value)
        )
    })
}

fn check_identifier(value: &str) -> Result<String, String> {
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "is not an id; ids are ASCII letters, digits and _; got {}",
            echo(value)
        ))
    }
}

/// A caller's value quoted for an error message, cut to [`MAX_ECHO_CHARS`].
pub(super) fn echo(value: &str) -> String {
    match value.char_indices().nth(MAX_ECHO_CHARS) {
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
        None => format!("{value:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: ParamKind, max_bytes: usize) -> ParamSpec {
        ParamSpec {
            name: "p",
            required: true,
            kind,
            max_bytes,
            default: None,
            description: "A test parameter.",
            example: "x",
        }
    }

    fn run(spec: ParamSpec, value: &str) -> Result<Option<String>, PayloadError> {
        let raw: Params = [("p", value)].into_iter().collect();
        validate(&[spec], &raw).map(|clean| clean.get("p").map(str::to_owned))
    }

    #[test]
    fn values_are_trimmed_except_multiline_ones() {
        assert_eq!(
            run(spec(ParamKind::Text, 10), "  a b \t").unwrap().unwrap(),
            "a b"
        );
        assert_eq!(
            run(spec(ParamKind::Multiline, 10), "  a\nb \n")
                .unwrap()
                .unwrap(),
            "  a\nb \n"
        );
    }

    #[test]
    fn missing_or_blank_required_values_are_refused() {
        let raw = Params::new();
        let err = validate(&[spec(ParamKind::Text, 10)], &raw).unwrap_err();
        assert_eq!(err, PayloadError::new("p", "is required"));
        for blank in ["", "   ", " \n\t "] {
            assert_eq!(
                run(spec(ParamKind::Multiline, 10), blank)
                    .unwrap_err()
                    .message,
                "is required"
            );
        }
    }

    #[test]
    fn blank_optional_values_are_absent_or_take_their_default() {
        let mut optional = spec(ParamKind::Text, 10);
        optional.required = false;
        assert_eq!(run(optional, "  ").unwrap(), None);
        optional.default = Some("fallback");
        assert_eq!(run(optional, "").unwrap().unwrap(), "fallback");
        assert_eq!(
            validate(&[optional], &Params::new()).unwrap().get("p"),
            Some("fallback")
        );
    }

    #[test]
    fn too_long_values_are_refused_with_both_lengths() {
        let err = run(spec(ParamKind::Text, 4000), &"a".repeat(5000)).unwrap_err();
        assert_eq!(err.message, "is 5000 bytes long; at most 4000 are allowed");
        // Bytes, not characters: é is two bytes.
        let err = run(spec(ParamKind::Text, 5), "ééé").unwrap_err();
        assert_eq!(err.message, "is 6 bytes long; at most 5 are allowed");
    }

    #[test]
    fn control_characters_are_refused_except_tab() {
        let err = run(spec(ParamKind::Multiline, 50), "ab\u{0}c").unwrap_err();
        assert_eq!(
            err.message,
            "contains the control character U+0000 at character 3; \
             control characters other than tab are not allowed"
        );
        assert!(run(spec(ParamKind::Text, 50), "a\u{1b}[31m").is_err());
        assert!(run(spec(ParamKind::Text, 50), "a\u{7f}").is_err());
        assert!(run(spec(ParamKind::Text, 50), "a\tb").is_ok());
    }

    #[test]
    fn line_breaks_are_refused_outside_multiline() {
        for kind in [
            ParamKind::Text,
            ParamKind::Email,
            ParamKind::Url,
            ParamKind::Phone,
        ] {
            let err = run(spec(kind, 50), "a\r\nb").unwrap_err();
            assert_eq!(
                err.message,
                "must be a single line; line breaks are not allowed"
            );
        }
        assert!(run(spec(ParamKind::Multiline, 50), "a\r\nb\rc\nd").is_ok());
    }

    #[test]
    fn enums_match_case_insensitively_and_take_the_listed_spelling() {
        let kind = ParamKind::Enum(&["WPA", "WEP", "nopass"]);
        assert_eq!(run(spec(kind, 10), "wpa").unwrap().unwrap(), "WPA");
        assert_eq!(run(spec(kind, 10), "NOPASS").unwrap().unwrap(), "nopass");
        let err = run(spec(kind, 10), "WPA3").unwrap_err();
        assert_eq!(err.message, "must be one of WPA, WEP, nopass; got \"WPA3\"");
    }

    #[test]
    fn booleans_accept_true_false_one_zero_yes_no() {
        for (given, expected) in [
            ("TRUE", "true"),
            ("1", "true"),
            ("Yes", "true"),
            ("false", "false"),
            ("0", "false"),
            ("NO", "false"),
        ] {
            assert_eq!(
                run(spec(ParamKind::Bool, 10), given).unwrap().unwrap(),
                expected
            );
        }
        let err = run(spec(ParamKind::Bool, 10), "on").unwrap_err();
        assert_eq!(
            err.message,
            "must be true or false (1/0 and yes/no also work); got \"on\""
        );
    }

    #[test]
    fn numbers_must_be_plain_decimals_within_range() {
        let kind = ParamKind::Number {
            min: -90.0,
            max: 90.0,
        };
        for good in ["0", "-0", "90", "-90", "48.8584", "-12.50"] {
            assert_eq!(run(spec(kind, 20), good).unwrap().unwrap(), good);
        }
        for bad in [
            "1e2", "+5", ".5", "5.", "1,5", "NaN", "inf", "--1", "0x10", "١٢",
        ] {
            let err = run(spec(kind, 20), bad).unwrap_err();
            assert!(
                err.message.starts_with("must be a plain decimal number"),
                "{bad}"
            );
        }
        let err = run(spec(kind, 20), "90.0001").unwrap_err();
        assert_eq!(err.message, "must be between -90 and 90; got \"90.0001\"");
    }

    #[test]
    fn integers_are_plain_digits_within_range() {
        let kind = ParamKind::Integer {
            min: 64,
            max: 4096,
            unit: "pixels",
        };
        assert_eq!(run(spec(kind, 20), "64").unwrap().unwrap(), "64");
        assert_eq!(run(spec(kind, 20), "0512").unwrap().unwrap(), "512");
        let err = run(spec(kind, 20), "4097").unwrap_err();
        assert_eq!(
            err.message,
            "is out of range; use 64 to 4096 pixels; got \"4097\""
        );
        for bad in ["12.5", "+100", "-1", "1e3", "", "99999999999999999999999"] {
            let result = run(spec(kind, 40), bad);
            if bad.is_empty() {
                assert_eq!(result.unwrap_err().message, "is required");
            } else {
                let message = result.unwrap_err().message;
                assert!(
                    message.starts_with("must be a whole number from 64 to 4096 pixels"),
                    "{bad}: {message}"
                );
            }
        }
    }

    #[test]
    fn colours_are_normalised_and_transparent_only_where_declared() {
        let opaque = ParamKind::Color { transparent: false };
        let either = ParamKind::Color { transparent: true };
        assert_eq!(run(spec(opaque, 20), "1D4ED8").unwrap().unwrap(), "#1d4ed8");
        assert_eq!(
            run(spec(either, 20), "Transparent").unwrap().unwrap(),
            "transparent"
        );
        let err = run(spec(opaque, 20), "transparent").unwrap_err();
        assert_eq!(
            err.message,
            "is not a colour; use #RRGGBB or RRGGBB; got \"transparent\""
        );
        assert!(
            run(spec(either, 20), "blue")
                .unwrap_err()
                .message
                .contains("or transparent")
        );
    }

    #[test]
    fn identifiers_are_letters_digits_and_underscores() {
        assert_eq!(
            run(spec(ParamKind::Identifier, 64), "lg_0a1B")
                .unwrap()
                .unwrap(),
            "lg_0a1B"
        );
        for bad in ["../etc", "lg-1", "lg 1", "lg_é"] {
            assert!(run(spec(ParamKind::Identifier, 64), bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_messages_quote_at_most_sixty_characters() {
        let long = "x".repeat(500);
        let err = run(spec(ParamKind::Bool, 1000), &long).unwrap_err();
        assert!(err.message.contains(&format!("\"{}\"…", "x".repeat(60))));
        assert!(!err.message.contains(&"x".repeat(61)));
        assert_eq!(echo("😀".repeat(61).as_str()).chars().count(), 60 + 3);
    }
}
