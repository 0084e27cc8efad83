//! What an address may hold so that what a person reads is what the address is (Unicode
//! Technical Standard #39, through `unicode-security`): no invisible, control or
//! text-direction characters; outside ASCII only characters UTS 39 allows in identifiers;
//! and domain labels in one writing system (Latin with Han, Kana or Hangul counts as one,
//! as "highly restrictive" allows) that do not imitate an ASCII label letter for letter.
//! The same rules decide what [`shown`] escapes when it displays an older address.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::{
    GeneralSecurityProfile, RestrictionLevel, RestrictionLevelDetection, skeleton,
};

/// Why an address is not safe to accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    Invisible(char),
    Unusual(char),
    BadPunycode,
    /// The label (as Unicode) mixes scripts.
    MixedScripts(String),
    /// The label (as Unicode) reads as the ASCII text `imitates`.
    LookAlike {
        label: String,
        imitates: String,
    },
}

/// Every character is printable or a letter UTS 39 allows in identifiers.
pub(super) fn check_characters(text: &str) -> Result<(), Refusal> {
    for c in text.chars() {
        if is_invisible(c) {
            return Err(Refusal::Invisible(c));
        }
        if is_unusual(c) {
            return Err(Refusal::Unusual(c));
        }
    }
    Ok(())
}

/// Each label of a (syntactically valid) domain, decoded from punycode where it is an
/// `xn--` label, is in one script and does not imitate an ASCII label.
pub(super) fn check_domain(domain: &str) -> Result<(), Refusal> {
    for label in domain.split('.') {
        let text = match label.strip_prefix("xn--") {
            Some(encoded) => {
                let decoded =
                    idna::punycode::decode_to_string(encoded).ok_or(Refusal::BadPunycode)?;
                check_characters(&decoded)?;
                decoded
            }
            None => label.to_owned(),
        };
        check_label(text)?;
    }
    Ok(())
}

fn check_label(label: String) -> Result<(), Refusal> {
    if label.is_ascii() {
        return Ok(());
    }
    if label.detect_restriction_level() > RestrictionLevel::HighlyRestrictive {
        return Err(Refusal::MixedScripts(label));
    }
    let imitates: String = skeleton(&label).collect();
    if imitates.is_ascii() {
        return Err(Refusal::LookAlike { label, imitates });
    }
    Ok(())
}

/// Characters a reader cannot see, or that change how the text around them is shown:
/// controls, format characters (bidirectional overrides, zero-width joiners and spaces,
/// soft hyphens), separators, and other default-ignorable code points (fillers).
fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::SpaceSeparator
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
}

/// Outside ASCII, anything UTS 39 restricts in identifiers: symbols, emoji, private-use
/// and unassigned code points, obsolete and technical letters.
fn is_unusual(c: char) -> bool {
    !c.is_ascii() && !c.identifier_allowed()
}

/// `\u{202E}`: how one refused character is written in messages and displays.
pub(super) fn escaped(c: char) -> String {
    format!("\\u{{{:X}}}", u32::from(c))
}

/// A domain label with every non-ASCII character escaped, so a message shows which
/// letters are not what they seem.
pub(super) fn escaped_non_ascii(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                escaped(c)
            }
        })
        .collect()
}

/// A stored address as a page may show it. Addresses accepted today come back
/// unchanged; in an older one, every character today's rules refuse is escaped
/// (`ada\u{202E}@example.org`), and a look-alike domain is shown with its non-ASCII
/// letters escaped, so an admin sees what the address really is.
pub(super) fn shown(stored: &str) -> String {
    let (local, domain) = stored.rsplit_once('@').unwrap_or((stored, ""));
    let escape_unsafe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if is_invisible(c) || is_unusual(c) {
                    escaped(c)
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    let shown_domain = match check_domain(domain) {
        Err(Refusal::MixedScripts(_) | Refusal::LookAlike { .. }) => escaped_non_ascii(domain),
        _ => escape_unsafe(domain),
    };
    if stored.contains('@') {
        format!("{}@{shown_domain}", escape_unsafe(local))
    } else {
        escape_unsafe(local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_accepted_today_is_shown_unchanged() {
        for email in [
            "ada@example.org",
            "jo@bücher.de",
            "ivan@пример.рф",
            "a+b@x.org",
        ] {
            assert_eq!(shown(email), email);
        }
    }

    #[test]
    fn invisible_and_direction_characters_of_an_older_address_are_shown_escaped() {
        assert_eq!(
            shown("ada\u{202E}gro.elpmaxe@example.org"),
            "ada\\u{202E}gro.elpmaxe@example.org"
        );
        assert_eq!(shown("a\u{200B}da@example.org"), "a\\u{200B}da@example.org");
        assert_eq!(shown("a\u{3164}@example.org"), "a\\u{3164}@example.org");
    }

    #[test]
    fn a_look_alike_domain_of_an_older_address_is_shown_escaped() {
        assert_eq!(shown("ada@p\u{0430}ypal.com"), "ada@p\\u{430}ypal.com");
    }

    #[test]
    fn hyphens_and_digits_keep_a_label_in_its_script() {
        assert_eq!(check_label("bücher-24".into()), Ok(()));
        assert_eq!(check_label("例え-jp".into()), Ok(()), "Japanese with Latin");
    }

    #[test]
    fn emoji_and_private_use_characters_are_unusual_not_invisible() {
        assert_eq!(check_characters("a😀"), Err(Refusal::Unusual('😀')));
        assert_eq!(
            check_characters("a\u{E000}"),
            Err(Refusal::Unusual('\u{E000}'))
        );
        assert_eq!(
            check_characters("a\u{2066}"),
            Err(Refusal::Invisible('\u{2066}'))
        );
    }
}
