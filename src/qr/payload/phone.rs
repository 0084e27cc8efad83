//! `phone`: a `tel:` link (RFC 3966) that scanners offer to call.

use super::{ParamKind, ParamSpec, Params, PayloadError, required};

pub const PARAMS: &[ParamSpec] = &[NUMBER];

/// Shared with `sms`, which takes the same kind of number.
pub(super) const NUMBER: ParamSpec = ParamSpec {
    name: "number",
    required: true,
    kind: ParamKind::Phone,
    max_bytes: 40,
    default: None,
    description: "The phone number, ideally in international form with a leading +.",
    example: "+49 30 1234567",
};

/// Digits in a phone number (E.164 allows 15; the slack covers extensions and local
/// prefixes, while still refusing things that are plainly not phone numbers).
const DIGITS: std::ops::RangeInclusive<usize> = 3..=20;

pub fn build(params: &Params) -> Result<String, PayloadError> {
    let number = required(params, "number")?;
    let dial = dial_string(number).map_err(|message| PayloadError::new("number", message))?;
    Ok(format!("tel:{dial}"))
}

/// The number as dialled: an optional leading `+` and the digits, with the usual
/// separators (space, `-`, `.`, `(`, `)`) removed. Anything else is refused rather than
/// dropped, since a letter or `*` usually means the value is not what the caller thinks.
pub(super) fn dial_string(value: &str) -> Result<String, String> {
    let mut dial = String::with_capacity(value.len());
    for (position, c) in value.chars().enumerate() {
        match c {
            '0'..='9' => dial.push(c),
            '+' if position == 0 => dial.push(c),
            '+' => return Err("may only have a + at the very start".into()),
            ' ' | '-' | '.' | '(' | ')' => {}
            other => {
                return Err(format!(
                    "may only contain digits, a leading + and the separators space - . ( ); \
                     found {other:?}"
                ));
            }
        }
    }
    let digits = dial.trim_start_matches('+').len();
    if !DIGITS.contains(&digits) {
        return Err(format!(
            "must have {} to {} digits; it has {digits}",
            DIGITS.start(),
            DIGITS.end()
        ));
    }
    Ok(dial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn phone(value: &str) -> Result<String, PayloadError> {
        build_payload(QrType::Phone, &[("number", value)].into_iter().collect())
    }

    #[test]
    fn separators_are_removed_and_the_plus_is_kept() {
        assert_eq!(phone("+49 (30) 123-45.6").unwrap(), "tel:+4930123456");
        assert_eq!(phone("  030 123456 ").unwrap(), "tel:030123456");
        assert_eq!(phone("112").unwrap(), "tel:112");
    }

    #[test]
    fn letters_and_other_symbols_are_refused() {
        for (bad, found) in [
            ("+1 800 FLOWERS", "'F'"),
            ("123#45", "'#'"),
            ("*100#", "'*'"),
            ("12/34", "'/'"),
        ] {
            assert_eq!(
                phone(bad).unwrap_err().message,
                format!(
                    "may only contain digits, a leading + and the separators space - . ( ); \
                     found {found}"
                )
            );
        }
    }

    #[test]
    fn a_plus_anywhere_but_the_start_is_refused() {
        assert_eq!(
            phone("49+30123").unwrap_err().message,
            "may only have a + at the very start"
        );
        assert!(phone("++4930123").is_err());
        assert!(phone("(+49) 30123").is_err());
    }

    #[test]
    fn numbers_need_3_to_20_digits() {
        assert_eq!(
            phone("+12").unwrap_err().message,
            "must have 3 to 20 digits; it has 2"
        );
        assert_eq!(
            phone("- . ()").unwrap_err().message,
            "must have 3 to 20 digits; it has 0"
        );
        assert!(phone(&"1".repeat(20)).is_ok());
        assert_eq!(
            phone(&"1".repeat(21)).unwrap_err().message,
            "must have 3 to 20 digits; it has 21"
        );
    }

    #[test]
    fn a_missing_or_overlong_number_is_refused() {
        assert_eq!(
            phone("").unwrap_err(),
            PayloadError::new("number", "is required")
        );
        assert_eq!(
            phone(&"1-".repeat(21)).unwrap_err().message,
            "is 42 bytes long; at most 40 are allowed"
        );
    }
}
