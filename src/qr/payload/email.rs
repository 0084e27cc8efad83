//! `email`: a `mailto:` link (RFC 6068) to one address, with an optional subject and body.

use super::text_rules::percent_encode;
use super::{ParamKind, ParamSpec, Params, PayloadError, required};

pub const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "to",
        required: true,
        kind: ParamKind::Email,
        max_bytes: 254,
        default: None,
        description: "The address the email is sent to.",
        example: "ada@example.org",
    },
    ParamSpec {
        name: "subject",
        required: false,
        kind: ParamKind::Text,
        max_bytes: 500,
        default: None,
        description: "The subject line, filled in for the sender.",
        example: "Table booking for Friday",
    },
    ParamSpec {
        name: "body",
        required: false,
        kind: ParamKind::Multiline,
        max_bytes: 2000,
        default: None,
        description: "The message text, filled in for the sender; line breaks are kept.",
        example: "Hello,\nI would like to book a table for four at 8 pm.",
    },
];

/// RFC 5321: 64 octets for the local part (the whole address is capped by `max_bytes`).
const MAX_LOCAL: usize = 64;

/// Characters allowed unencoded in the address part of a mailto URI (RFC 6068 `qchar`
/// minus the ones our address rules refuse anyway). `%`, `?`, `#`, `&`, `/` and the like
/// are valid in a local part but must be percent-encoded there.
const ADDRESS_SAFE: &[u8] = b"@!$'*+";

pub fn build(params: &Params) -> Result<String, PayloadError> {
    let to = required(params, "to")?;
    let mut uri = format!("mailto:{}", percent_encode(to, ADDRESS_SAFE));
    let mut fields = Vec::new();
    if let Some(subject) = params.get("subject") {
        fields.push(format!("subject={}", percent_encode(subject, b"")));
    }
    if let Some(body) = params.get("body") {
        fields.push(format!("body={}", percent_encode(&crlf(body), b"")));
    }
    if !fields.is_empty() {
        uri.push('?');
        uri.push_str(&fields.join("&"));
    }
    Ok(uri)
}

/// RFC 6068 §5: line breaks in a body are encoded as `%0D%0A`, whatever the sender typed.
fn crlf(body: &str) -> String {
    body.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

/// One address, `local@domain` with a dotted domain. Deliberately plain: no display
/// names, no lists, no quoted local parts, which mail apps handle inconsistently.
pub(super) fn check_address(value: &str) -> Result<(), String> {
    const EXPECTED: &str = "must be one email address like name@example.org";
    if value.chars().any(char::is_whitespace) {
        return Err(format!("{EXPECTED}, without spaces"));
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return Err(format!("{EXPECTED}; there is no @"));
    };
    if local.contains('@') {
        return Err(format!("{EXPECTED}; there is more than one @"));
    }
    if local.is_empty() || local.len() > MAX_LOCAL {
        return Err(format!(
            "{EXPECTED}; the part before @ must be 1 to {MAX_LOCAL} bytes"
        ));
    }
    if let Some(c) = local.chars().find(|c| "<>()[]\\,;:\"".contains(*c)) {
        return Err(format!("{EXPECTED}; {c:?} is not allowed before the @"));
    }
    if !crate::domain::is_valid_domain(domain) {
        return Err(format!(
            "{EXPECTED}; the domain after @ must be like example.org"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn email(pairs: &[(&str, &str)]) -> Result<String, PayloadError> {
        build_payload(QrType::Email, &pairs.iter().copied().collect())
    }

    #[test]
    fn an_address_alone_is_a_bare_mailto() {
        assert_eq!(
            email(&[("to", " ada@example.org ")]).unwrap(),
            "mailto:ada@example.org"
        );
    }

    #[test]
    fn subject_comes_before_body_and_both_are_percent_encoded() {
        assert_eq!(
            email(&[("to", "ada@example.org"), ("subject", "Hi & bye")]).unwrap(),
            "mailto:ada@example.org?subject=Hi%20%26%20bye"
        );
        assert_eq!(
            email(&[
                ("body", "Is 2+2=4?\nYes: 100%!"),
                ("subject", "Quiz #1 / a?b"),
                ("to", "ada@example.org"),
            ])
            .unwrap(),
            "mailto:ada@example.org?subject=Quiz%20%231%20%2F%20a%3Fb\
             &body=Is%202%2B2%3D4%3F%0D%0AYes%3A%20100%25%21"
        );
    }

    #[test]
    fn a_body_alone_has_no_subject_field() {
        assert_eq!(
            email(&[("to", "ada@example.org"), ("body", "hi there")]).unwrap(),
            "mailto:ada@example.org?body=hi%20there"
        );
    }

    #[test]
    fn every_line_break_in_the_body_becomes_crlf() {
        assert_eq!(
            email(&[("to", "a@b.example"), ("body", "one\ntwo\r\nthree\rfour\n")]).unwrap(),
            "mailto:a@b.example?body=one%0D%0Atwo%0D%0Athree%0D%0Afour%0D%0A"
        );
    }

    #[test]
    fn non_ascii_is_percent_encoded_as_utf8() {
        assert_eq!(
            email(&[("to", "zoë@bücher.example"), ("subject", "Grüße 😀")]).unwrap(),
            "mailto:zo%C3%AB@b%C3%BCcher.example?subject=Gr%C3%BC%C3%9Fe%20%F0%9F%98%80"
        );
    }

    #[test]
    fn reserved_characters_in_the_address_are_encoded() {
        assert_eq!(
            email(&[("to", "a+b&c%d?e#f@example.org")]).unwrap(),
            "mailto:a+b%26c%25d%3Fe%23f@example.org"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@localhost",
            "ada@example..org",
            "ada@-example.org",
            "ada lovelace@example.org",
            "ada@example.org,bob@example.org",
            "Ada <ada@example.org>",
            "a@b@example.org",
        ] {
            let err = email(&[("to", bad)]).unwrap_err();
            assert_eq!(err.parameter, "to", "{bad}");
            assert!(
                err.message.starts_with("must be one email address"),
                "{bad}"
            );
        }
    }

    #[test]
    fn missing_address_and_overlong_fields_are_refused() {
        let err = email(&[("subject", "hello")]).unwrap_err();
        assert_eq!(err, PayloadError::new("to", "is required"));
        let err = email(&[("to", "a@b.example"), ("subject", &"s".repeat(501))]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "subject: is 501 bytes long; at most 500 are allowed"
        );
    }

    #[test]
    fn a_subject_with_a_line_break_is_refused() {
        let err = email(&[("to", "a@b.example"), ("subject", "one\ntwo")]).unwrap_err();
        assert_eq!(err.parameter, "subject");
    }
}
