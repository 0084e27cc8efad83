//! `sms`: `SMSTO:number:message`, the form ZXing and ZBar based scanners turn into a
//! pre-filled text message.

use super::{ParamKind, ParamSpec, Params, PayloadError, phone, required};

pub const PARAMS: &[ParamSpec] = &[
    phone::NUMBER,
    ParamSpec {
        name: "message",
        required: false,
        kind: ParamKind::Multiline,
        max_bytes: 1000,
        default: None,
        description: "The message text, filled in for the sender.",
        example: "STOP",
    },
];

pub fn build(params: &Params) -> Result<String, PayloadError> {
    let number = required(params, "number")?;
    let dial =
        phone::dial_string(number).map_err(|message| PayloadError::new("number", message))?;
    // No escaping: readers take everything after the second colon as the message, colons
    // and all, so the text goes in verbatim.
    let message = params.get("message").unwrap_or_default();
    Ok(format!("SMSTO:{dial}:{message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn sms(pairs: &[(&str, &str)]) -> Result<String, PayloadError> {
        build_payload(QrType::Sms, &pairs.iter().copied().collect())
    }

    #[test]
    fn number_and_message_are_joined_with_colons() {
        assert_eq!(
            sms(&[("number", "+44 (20) 7946-0018"), ("message", "JOIN")]).unwrap(),
            "SMSTO:+442079460018:JOIN"
        );
    }

    #[test]
    fn without_a_message_the_payload_ends_with_a_colon() {
        assert_eq!(sms(&[("number", "12345")]).unwrap(), "SMSTO:12345:");
        assert_eq!(
            sms(&[("number", "12345"), ("message", " \n ")]).unwrap(),
            "SMSTO:12345:"
        );
    }

    #[test]
    fn the_message_is_kept_verbatim() {
        assert_eq!(
            sms(&[
                ("number", "12345"),
                ("message", " Time: 18:00; café ☕\nsee you 👋 ")
            ])
            .unwrap(),
            "SMSTO:12345: Time: 18:00; café ☕\nsee you 👋 "
        );
    }

    #[test]
    fn the_number_follows_the_phone_rules() {
        assert_eq!(
            sms(&[("message", "hi")]).unwrap_err(),
            PayloadError::new("number", "is required")
        );
        let err = sms(&[("number", "call me")]).unwrap_err();
        assert_eq!(err.parameter, "number");
        assert!(err.message.starts_with("may only contain digits"));
    }

    #[test]
    fn an_overlong_message_is_refused() {
        let err = sms(&[("number", "12345"), ("message", &"m".repeat(1001))]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "message: is 1001 bytes long; at most 1000 are allowed"
        );
    }
}
