//! Slugs: the last part of a short link (`/r/{slug}`). 6 to 32 characters of
//! `[A-Za-z0-9_-]`, unique per server without regard to case (so `Menu2024` and
//! `menu2024` cannot be two different codes that people mistake for each other), and
//! never reused: a deleted code keeps its slug, so a printed code can never come to lead
//! somewhere its owner did not choose.

use rand::Rng;

pub const MIN_LEN: usize = 6;
pub const MAX_LEN: usize = 32;
/// Length of a generated slug: 8 characters of a 36-letter alphabet, 41.4 random bits.
pub const GENERATED_LEN: usize = 8;
/// Lower case and digits: generated slugs read aloud and type without ambiguity of case.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Words a chosen slug may not be (compared without regard to case, `-` and `_`): names
/// of this site's own pages and words that would lend a stranger's link our authority.
const RESERVED: &[&str] = &[
    "account",
    "accounts",
    "admin",
    "administrator",
    "api",
    "apikey",
    "billing",
    "dashboard",
    "docs",
    "download",
    "healthz",
    "login",
    "logout",
    "metrics",
    "official",
    "openapi",
    "password",
    "payment",
    "payments",
    "qrgate",
    "redirect",
    "security",
    "settings",
    "signin",
    "signup",
    "static",
    "support",
    "update",
    "verify",
    "verification",
    "webhook",
    "webhooks",
];

/// A valid slug, as given (case kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("must be {MIN_LEN} to {MAX_LEN} characters long; got {0}")]
    Length(usize),
    #[error("may hold only the letters A-Z and a-z, digits, `-` and `_`")]
    Characters,
    #[error("`{0}` is a reserved word; choose another slug")]
    Reserved(String),
}

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let len = raw.chars().count();
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(SlugError::Length(len));
        }
        if !raw.bytes().all(is_slug_byte) {
            return Err(SlugError::Characters);
        }
        let bare: String = raw
            .bytes()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        if RESERVED.contains(&bare.as_str()) {
            return Err(SlugError::Reserved(raw.to_owned()));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A fresh random slug (41 bits from the OS's generator).
    pub fn generate() -> Self {
        let mut rng = rand::rngs::OsRng;
        let slug = (0..GENERATED_LEN)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        Self(slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form that is unique per server and that lookups use.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// The lookup form of a slug from a request path, or `None` when it cannot be a slug at
/// all (so a hostile path costs no map lookup and no allocation beyond the fold).
pub fn fold_request(raw: &str) -> Option<String> {
    ((MIN_LEN..=MAX_LEN).contains(&raw.len()) && raw.bytes().all(is_slug_byte))
        .then(|| raw.to_ascii_lowercase())
}

fn is_slug_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_of_six_to_thirty_two_slug_characters_are_accepted() {
        for ok in ["abc123", "Menu-2026_Spring", &"a".repeat(32)] {
            assert_eq!(Slug::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn slugs_of_the_wrong_length_are_refused_with_the_length() {
        assert_eq!(Slug::parse("abc12"), Err(SlugError::Length(5)));
        assert_eq!(Slug::parse(&"a".repeat(33)), Err(SlugError::Length(33)));
        assert_eq!(Slug::parse(""), Err(SlugError::Length(0)));
    }

    #[test]
    fn slugs_with_other_characters_are_refused() {
        for bad in [
            "abc 123",
            "abc/123",
            "abc.123",
            "ab%2F123",
            "abcdé1",
            "abc\u{0}12",
        ] {
            assert_eq!(Slug::parse(bad), Err(SlugError::Characters), "{bad:?}");
        }
    }

    #[test]
    fn reserved_words_are_refused_whatever_their_case_or_separators() {
        for bad in ["Dashboard", "QR_gate", "log-out", "SIGN_UP", "support"] {
            assert!(
                matches!(Slug::parse(bad), Err(SlugError::Reserved(_))),
                "{bad}"
            );
        }
        assert!(
            Slug::parse("dashboard2").is_ok(),
            "only the words themselves"
        );
    }

    #[test]
    fn generated_slugs_are_valid_distinct_and_carry_at_least_36_random_bits() {
        let bits = (ALPHABET.len() as f64).log2() * GENERATED_LEN as f64;
        assert!(bits >= 36.0, "{bits}");
        let slugs: std::collections::HashSet<String> =
            (0..1000).map(|_| Slug::generate().folded()).collect();
        assert_eq!(slugs.len(), 1000);
        assert!(slugs.iter().all(|s| Slug::parse(s).is_ok()));
    }

    #[test]
    fn request_paths_fold_only_when_they_can_be_slugs() {
        assert_eq!(fold_request("AbC123").as_deref(), Some("abc123"));
        assert_eq!(fold_request("abc"), None);
        assert_eq!(fold_request("abc/../x"), None);
    }
}
