//! `text`: plain text, shown as is. No escaping: scanners display the decoded bytes.

use super::{ParamKind, ParamSpec, Params, PayloadError, required};

pub const PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "text",
    required: true,
    kind: ParamKind::Multiline,
    // Above any QR code's capacity on purpose: the encoder reports the real limit, which
    // depends on the error correction level and the characters used.
    max_bytes: 7000,
    default: None,
    description: "The text to show; line breaks are kept.",
    example: "Table 12 · Ask for today's specials",
}];

pub fn build(params: &Params) -> Result<String, PayloadError> {
    required(params, "text").map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn text(value: &str) -> Result<String, PayloadError> {
        build_payload(QrType::Text, &[("text", value)].into_iter().collect())
    }

    #[test]
    fn text_is_output_exactly_as_given() {
        for given in [
            "Hello, world",
            "  indented\r\nsecond line\n\ttabbed\n",
            "Grüße aus Köln · 東京 · مرحبا",
            "🎉🚀 emoji 👩‍👩‍👧 and flags 🇫🇷",
            "WIFI:T:WPA;S:looks like;P:but is text;;",
        ] {
            assert_eq!(text(given).unwrap(), given);
        }
    }

    #[test]
    fn blank_text_is_required() {
        assert_eq!(
            text(" \n ").unwrap_err(),
            PayloadError::new("text", "is required")
        );
    }

    #[test]
    fn text_over_7000_bytes_is_refused() {
        assert!(text(&"é".repeat(3500)).is_ok());
        assert_eq!(
            text(&"é".repeat(3501)).unwrap_err().message,
            "is 7002 bytes long; at most 7000 are allowed"
        );
    }

    #[test]
    fn text_with_control_characters_is_refused() {
        let err = text("bell\u{7}").unwrap_err();
        assert_eq!(err.parameter, "text");
        assert!(
            err.message
                .starts_with("contains the control character U+0007 at character 5")
        );
    }
}
