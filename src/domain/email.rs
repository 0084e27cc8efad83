//! An email address, normalised so that one mailbox is one account: NFKC (so fullwidth
//! `ａｄａ` is `ada`), then lower case. New addresses must also be safe to show: no
//! invisible, control or direction-changing characters, and no domain that mixes writing
//! systems or imitates an ASCII one (see `email_safety`).
//!
//! Accounts made before those rules may hold addresses they now refuse. Such an address
//! is still found at login and on `/admin` through [`Email::lookup_forms`], and is shown
//! through [`Email::shown`], which makes every unsafe character visible.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use super::email_safety::{self, Refusal};

/// RFC 5321 limits: 64 octets for the local part, 254 for the whole address.
const MAX_LOCAL: usize = 64;
const MAX_TOTAL: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("an email address is at most {MAX_TOTAL} characters")]
    TooLong,
    #[error("this is not an email address (expected name@example.org)")]
    Malformed,
    #[error(
        "the email address contains an invisible, control or text-direction character ({0}); type it again by hand"
    )]
    Invisible(String),
    #[error("the email address contains a character that addresses do not use ({0})")]
    Unusual(String),
    #[error(
        "the domain `{0}` mixes writing systems (e.g. a Cyrillic letter among Latin ones), which is how look-alike domains are made"
    )]
    MixedScripts(String),
    #[error("the domain `{0}` is written in letters that imitate `{1}`")]
    LookAlike(String, String),
}

impl Email {
    /// Parses an address for a new account (or any place that names one): normalised,
    /// well-formed and safe to show.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let email = normalise(raw);
        email_safety::check_characters(&email).map_err(refusal)?;
        let (_, domain) = split(&email)?;
        email_safety::check_domain(domain).map_err(refusal)?;
        Ok(Self(email))
    }

    /// The forms under which an account for `raw` may be stored, best match first: the
    /// text as accounts made before NFKC and the safety checks stored it (lower case,
    /// trimmed), then the normalised form new accounts get. For look-ups only (login,
    /// admin forms); at most two, and one when they agree, as they do for plain ASCII.
    pub fn lookup_forms(raw: &str) -> Vec<Email> {
        let earlier = raw.trim().to_lowercase();
        let mut forms = Vec::with_capacity(2);
        if split(&earlier).is_ok() && !earlier.chars().any(char::is_control) {
            forms.push(Self(earlier));
        }
        if let Ok(current) = Self::parse(raw)
            && !forms.contains(&current)
        {
            forms.push(current);
        }
        forms
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stored address (`Account::email`) as a page shows it: unchanged when today's
    /// rules accept it, else with the characters they refuse escaped as `\u{202E}`.
    pub fn shown(stored: &str) -> String {
        email_safety::shown(stored)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// NFKC, lower case, and NFKC again: compatibility forms may decompose into capitals
/// (`ℌ` is `H`), and lower-casing may leave a sequence that composes.
fn normalise(raw: &str) -> String {
    let folded: String = raw.trim().nfkc().collect::<String>().to_lowercase();
    folded.nfkc().collect::<String>().trim().to_owned()
}

/// The structural rules every stored address has always met: a local part and a domain
/// of dot-separated labels, within RFC 5321's lengths.
fn split(email: &str) -> Result<(&str, &str), EmailError> {
    if email.is_empty() {
        return Err(EmailError::Empty);
    }
    if email.len() > MAX_TOTAL {
        return Err(EmailError::TooLong);
    }
    let (local, domain) = email.rsplit_once('@').ok_or(EmailError::Malformed)?;
    let local_ok = !local.is_empty()
        && local.len() <= MAX_LOCAL
        && !local.contains('@')
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"".contains(c));
    if local_ok && is_valid_domain(domain) {
        Ok((local, domain))
    } else {
        Err(EmailError::Malformed)
    }
}

fn refusal(refused: Refusal) -> EmailError {
    match refused {
        Refusal::Invisible(c) => EmailError::Invisible(email_safety::escaped(c)),
        Refusal::Unusual(c) => EmailError::Unusual(email_safety::escaped(c)),
        Refusal::BadPunycode => EmailError::Malformed,
        Refusal::MixedScripts(label) => {
            EmailError::MixedScripts(email_safety::escaped_non_ascii(&label))
        }
        Refusal::LookAlike { label, imitates } => {
            EmailError::LookAlike(email_safety::escaped_non_ascii(&label), imitates)
        }
    }
}

/// A domain of at least two dot-separated labels of letters, digits and inner hyphens
/// (63 characters each at most). Shared by account emails and `mailto:` payloads.
pub fn is_valid_domain(domain: &str) -> bool {
    domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.ORG ").unwrap().as_str(),
            "ada@example.org"
        );
    }

    #[test]
    fn fullwidth_and_other_compatibility_forms_are_normalised_by_nfkc() {
        let email = Email::parse("ＡＤＡ＠ｅｘａｍｐｌｅ．ｏｒｇ").unwrap();
        assert_eq!(email.as_str(), "ada@example.org");
        assert_eq!(
            Email::parse("ℌello@example.org").unwrap().as_str(),
            "hello@example.org"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@ex..org",
            "ada@-x.org",
            "a,b@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn overlong_emails_are_refused() {
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
        let long_local = format!("{}@example.org", "a".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(EmailError::Malformed));
    }

    #[test]
    fn international_domains_are_accepted() {
        for good in [
            "jo@bücher.de",
            "ivan@пример.рф",
            "jo@例え.jp",
            "kim@한국어abc.kr",
        ] {
            assert!(
                Email::parse(good).is_ok(),
                "{good}: {:?}",
                Email::parse(good)
            );
        }
    }

    #[test]
    fn invisible_and_direction_changing_characters_are_refused_by_code_point() {
        let err = Email::parse("ada\u{202E}gro.elpmaxe@example.org").unwrap_err();
        assert_eq!(err, EmailError::Invisible("\\u{202E}".into()));
        assert!(err.to_string().contains("\\u{202E}"), "{err}");
        for bad in [
            "ad\u{200B}a@example.org",
            "ada@exam\u{200D}ple.org",
            "\u{FEFF}ada@example.org",
            "ad\u{00AD}a@example.org",
        ] {
            assert!(
                matches!(Email::parse(bad), Err(EmailError::Invisible(_))),
                "{bad:?}: {:?}",
                Email::parse(bad)
            );
        }
    }

    #[test]
    fn a_domain_mixing_cyrillic_and_latin_is_refused() {
        let err = Email::parse("ada@p\u{0430}ypal.com").unwrap_err();
        assert!(matches!(err, EmailError::MixedScripts(_)), "{err:?}");
    }

    #[test]
    fn an_all_cyrillic_imitation_of_a_latin_domain_is_refused() {
        // "аррӏе": every letter Cyrillic, and together they read as "apple".
        let err = Email::parse("ada@\u{0430}\u{0440}\u{0440}\u{04CF}\u{0435}.com").unwrap_err();
        assert_eq!(
            err,
            EmailError::LookAlike(
                "\\u{430}\\u{440}\\u{440}\\u{4CF}\\u{435}".into(),
                "apple".into()
            )
        );
    }

    #[test]
    fn a_punycode_label_is_checked_as_the_text_it_stands_for() {
        let ascii = idna::domain_to_ascii("p\u{0430}ypal.com").unwrap();
        assert!(ascii.starts_with("xn--"), "{ascii}");
        let err = Email::parse(&format!("ada@{ascii}")).unwrap_err();
        assert!(matches!(err, EmailError::MixedScripts(_)), "{err:?}");
        assert!(Email::parse("jo@xn--bcher-kva.de").is_ok());
        assert_eq!(
            Email::parse("jo@xn--zz.de").unwrap_err(),
            EmailError::Malformed,
            "not valid punycode"
        );
    }

    #[test]
    fn an_address_stored_before_the_checks_is_still_found_under_its_old_form() {
        let old = "ad\u{202E}a@example.org";
        assert_eq!(
            Email::lookup_forms(old)
                .iter()
                .map(Email::as_str)
                .collect::<Vec<_>>(),
            vec![old]
        );
        let forms = Email::lookup_forms(" ＡＤＡ@example.org");
        let forms: Vec<&str> = forms.iter().map(Email::as_str).collect();
        assert_eq!(forms, vec!["ａｄａ@example.org", "ada@example.org"]);
        assert_eq!(Email::lookup_forms("Ada@Example.org").len(), 1);
        assert!(Email::lookup_forms("not an email").is_empty());
    }
}
