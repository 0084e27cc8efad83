//! `vcard`: a vCard 3.0 contact card (RFC 2426). Version 3.0 rather than 4.0 because it
//! is the one every phone's contact import understands.

use super::text_rules::{content_lines, escape_text};
use super::{ParamKind, ParamSpec, Params, PayloadError};

/// Most fields are one line of text, at most 200 bytes.
const fn field(
    name: &'static str,
    kind: ParamKind,
    description: &'static str,
    example: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        required: false,
        kind,
        max_bytes: 200,
        default: None,
        description,
        example,
    }
}

pub const PARAMS: &[ParamSpec] = &[
    field(
        "first_name",
        ParamKind::Text,
        "Given name; one of first_name, last_name or org is required.",
        "Ada",
    ),
    field("last_name", ParamKind::Text, "Family name.", "Lovelace"),
    field(
        "org",
        ParamKind::Text,
        "Company or organisation.",
        "Analytical Engines Ltd",
    ),
    field("title", ParamKind::Text, "Job title.", "Head of Research"),
    field(
        "phone",
        ParamKind::Phone,
        "Phone number, kept in the format given.",
        "+44 20 7946 0018",
    ),
    field(
        "email",
        ParamKind::Email,
        "Email address.",
        "ada@example.org",
    ),
    field(
        "website",
        ParamKind::Url,
        "Web address; https:// is added when no scheme is given.",
        "https://example.org",
    ),
    field(
        "street",
        ParamKind::Text,
        "Street and number of the work address.",
        "12 St James's Square",
    ),
    field(
        "city",
        ParamKind::Text,
        "City of the work address.",
        "London",
    ),
    field(
        "region",
        ParamKind::Text,
        "State, county or region of the work address.",
        "Greater London",
    ),
    field(
        "postcode",
        ParamKind::Text,
        "Postal code of the work address.",
        "SW1Y 4JH",
    ),
    field(
        "country",
        ParamKind::Text,
        "Country of the work address.",
        "United Kingdom",
    ),
    ParamSpec {
        name: "note",
        required: false,
        kind: ParamKind::Multiline,
        max_bytes: 1000,
        default: None,
        description: "A free-form note; line breaks are kept.",
        example: "Met at the Difference Engine demo.\nPrefers email.",
    },
];

/// Address parts in ADR order, after the (unused) post office box and extended address.
const ADDRESS: [&str; 5] = ["street", "city", "region", "postcode", "country"];

pub fn build(params: &Params) -> Result<String, PayloadError> {
    let first = params.get("first_name");
    let last = params.get("last_name");
    let org = params.get("org");
    // FN is mandatory in vCard 3.0, so there must be something to call the contact.
    let full_name = match (first, last, org) {
        (Some(first), Some(last), _) => format!("{first} {last}"),
        (Some(name), None, _) | (None, Some(name), _) | (None, None, Some(name)) => name.to_owned(),
        (None, None, None) => {
            return Err(PayloadError::new(
                "first_name",
                "is required unless last_name or org is given",
            ));
        }
    };
    let text = |name: &str| params.get(name).map(escape_text);

    let mut lines = vec!["BEGIN:VCARD".to_owned(), "VERSION:3.0".to_owned()];
    // N is mandatory too; an organisation's card has it with empty components.
    lines.push(format!(
        "N:{};{};;;",
        text("last_name").unwrap_or_default(),
        text("first_name").unwrap_or_default()
    ));
    lines.push(format!("FN:{}", escape_text(&full_name)));
    let mut push = |property: &str, value: Option<String>| {
        if let Some(value) = value {
            lines.push(format!("{property}:{value}"));
        }
    };
    push("ORG", text("org"));
    push("TITLE", text("title"));
    // Phone, email and URL values are not TEXT: the validation already keeps `,` `;`
    // and `\` out of phones and emails, and URIs are not escaped in vCard (RFC 2426 §4).
    push("TEL;TYPE=CELL", params.get("phone").map(str::to_owned));
    push(
        "EMAIL;TYPE=INTERNET",
        params.get("email").map(str::to_owned),
    );
    push("URL", params.get("website").map(str::to_owned));
    if ADDRESS.iter().any(|part| params.get(part).is_some()) {
        let parts: Vec<String> = ADDRESS
            .iter()
            .map(|part| text(part).unwrap_or_default())
            .collect();
        push("ADR;TYPE=WORK", Some(format!(";;{}", parts.join(";"))));
    }
    push("NOTE", text("note"));
    lines.push("END:VCARD".to_owned());
    Ok(content_lines(&lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn vcard(pairs: &[(&str, &str)]) -> Result<String, PayloadError> {
        build_payload(QrType::Vcard, &pairs.iter().copied().collect())
    }

    #[test]
    fn a_full_card_has_every_line_in_order() {
        let card = vcard(&[
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("org", "Analytical Engines"),
            ("title", "Countess"),
            ("phone", " +44 (20) 7946-0018 "),
            ("email", "ada@example.org"),
            ("website", "example.org/ada"),
            ("street", "12 St James's Square"),
            ("city", "London"),
            ("postcode", "SW1Y 4JH"),
            ("country", "UK"),
            ("note", "Hi"),
        ])
        .unwrap();
        assert_eq!(
            card,
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n\
             ORG:Analytical Engines\r\nTITLE:Countess\r\nTEL;TYPE=CELL:+44 (20) 7946-0018\r\n\
             EMAIL;TYPE=INTERNET:ada@example.org\r\nURL:https://example.org/ada\r\n\
             ADR;TYPE=WORK:;;12 St James's Square;London;;SW1Y 4JH;UK\r\nNOTE:Hi\r\nEND:VCARD"
        );
    }

    #[test]
    fn a_minimal_card_has_only_the_mandatory_lines() {
        assert_eq!(
            vcard(&[("first_name", "Ada")]).unwrap(),
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;Ada;;;\r\nFN:Ada\r\nEND:VCARD"
        );
        assert_eq!(
            vcard(&[("last_name", "Lovelace")]).unwrap(),
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;;;;\r\nFN:Lovelace\r\nEND:VCARD"
        );
    }

    #[test]
    fn an_organisation_alone_names_the_card() {
        assert_eq!(
            vcard(&[("org", "Acme, Inc.")]).unwrap(),
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Acme\\, Inc.\r\nORG:Acme\\, Inc.\r\nEND:VCARD"
        );
    }

    #[test]
    fn commas_semicolons_backslashes_and_newlines_are_escaped() {
        assert_eq!(
            vcard(&[
                ("first_name", "Jean-Luc; \"JL\""),
                ("last_name", "O'Neil, Jr."),
                ("city", "Paris\\Nord"),
                ("note", "line 1\r\nline 2\nline 3\r"),
            ])
            .unwrap(),
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:O'Neil\\, Jr.;Jean-Luc\\; \"JL\";;;\r\n\
             FN:Jean-Luc\\; \"JL\" O'Neil\\, Jr.\r\nADR;TYPE=WORK:;;;Paris\\\\Nord;;;\r\n\
             NOTE:line 1\\nline 2\\nline 3\\n\r\nEND:VCARD"
        );
    }

    #[test]
    fn non_ascii_and_emoji_are_kept() {
        assert_eq!(
            vcard(&[
                ("first_name", "Zoë"),
                ("last_name", "Åström"),
                ("title", "Chief 🍰 Officer")
            ])
            .unwrap(),
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Åström;Zoë;;;\r\nFN:Zoë Åström\r\n\
             TITLE:Chief 🍰 Officer\r\nEND:VCARD"
        );
    }

    #[test]
    fn a_long_note_is_folded_at_75_octets() {
        let note = "Ünïcödé ".repeat(12);
        let card = vcard(&[("org", "X"), ("note", &note)]).unwrap();
        let note_line = format!("NOTE:{note}");
        let folded = card
            .split("\r\n")
            .skip_while(|line| !line.starts_with("NOTE:"))
            .take_while(|line| *line != "END:VCARD")
            .collect::<Vec<_>>();
        assert!(folded.len() > 1);
        assert!(folded.iter().all(|line| line.len() <= 75));
        assert!(folded[1..].iter().all(|line| line.starts_with(' ')));
        assert_eq!(folded.join("\r\n").replace("\r\n ", ""), note_line);
        // "é" is two octets: it would end the first line at 76, so it moves down; the
        // second line then ends at exactly 75.
        assert_eq!(
            folded[..2],
            [
                "NOTE:Ünïcödé Ünïcödé Ünïcödé Ünïcödé Ünïcödé Ünïcöd",
                " é Ünïcödé Ünïcödé Ünïcödé Ünïcödé Ünïcödé Ünïcödé"
            ]
        );
        assert_eq!((folded[0].len(), folded[1].len()), (74, 75));
    }

    #[test]
    fn a_card_needs_a_first_name_last_name_or_org() {
        let err = vcard(&[("title", "CEO"), ("first_name", "  ")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "first_name: is required unless last_name or org is given"
        );
    }

    #[test]
    fn phone_email_and_website_follow_their_own_rules() {
        let err = vcard(&[("org", "X"), ("phone", "ext. 12")]).unwrap_err();
        assert_eq!(err.parameter, "phone");
        let err = vcard(&[("org", "X"), ("email", "not-an-email")]).unwrap_err();
        assert_eq!(err.parameter, "email");
        let err = vcard(&[("org", "X"), ("website", "javascript:alert(1)")]).unwrap_err();
        assert_eq!(err.parameter, "website");
    }

    #[test]
    fn overlong_fields_and_line_breaks_in_text_fields_are_refused() {
        let err = vcard(&[("org", &"o".repeat(201))]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "org: is 201 bytes long; at most 200 are allowed"
        );
        let err = vcard(&[("org", "X"), ("street", "1 Main St\nApt 2")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "street: must be a single line; line breaks are not allowed"
        );
    }
}
