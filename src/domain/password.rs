//! A password candidate that meets the length rules. Its `Debug` never shows the text.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

/// Upper bound on length, so that hashing cost stays bounded (NIST allows capping at 64+).
pub const MAX_PASSWORD_CHARS: usize = 128;

pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {0} characters long")]
    TooShort(usize),
    #[error("the password must be at most {MAX_PASSWORD_CHARS} characters long")]
    TooLong,
    #[error("this password is one of the most commonly used ones; choose another")]
    Common,
}

/// The embedded list of common passwords (see the file's header for its source).
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

impl Password {
    /// Checks a new password: length in characters (not bytes), not a common password,
    /// and no composition rules (NIST SP 800-63B).
    pub fn parse_new(raw: String, min_chars: usize) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < min_chars {
            Err(PasswordError::TooShort(min_chars))
        } else if chars > MAX_PASSWORD_CHARS {
            Err(PasswordError::TooLong)
        } else if common_passwords().contains(raw.to_lowercase().as_str()) {
            Err(PasswordError::Common)
        } else {
            Ok(Self(raw))
        }
    }

    /// Checks a password typed to prove who one is (login). No account's password is
    /// longer than [`MAX_PASSWORD_CHARS`], so a longer one is refused whole, before any
    /// hashing: nothing is cut, so nothing can be cut inside a character.
    pub fn check_typed(raw: &str) -> Result<(), PasswordError> {
        if raw.chars().count() > MAX_PASSWORD_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(())
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_password_over_the_limit_is_refused_whole_wherever_its_bytes_fall() {
        let at_limit = "é".repeat(MAX_PASSWORD_CHARS);
        assert_eq!(Password::check_typed(&at_limit), Ok(()));
        let over = format!("{}é", "a".repeat(1023));
        assert_eq!(Password::check_typed(&over), Err(PasswordError::TooLong));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(
            Password::parse_new("elevenchars".into(), 12).unwrap_err(),
            PasswordError::TooShort(12)
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Password::parse_new("éééééééééééé".into(), 12).is_ok());
    }

    #[test]
    fn overlong_passwords_are_refused() {
        assert_eq!(
            Password::parse_new("x".repeat(129), 12).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["1qaz2wsx3edc", "Q1W2E3R4T5Y6", "123qweasdzxc"] {
            assert_eq!(
                Password::parse_new(common.into(), 12).unwrap_err(),
                PasswordError::Common,
                "{common}"
            );
        }
        assert_eq!(
            Password::parse_new("password".into(), 8).unwrap_err(),
            PasswordError::Common
        );
        assert!(common_passwords().len() > 5000);
    }

    #[test]
    fn debug_hides_the_password() {
        let p = Password::parse_new("correct horse battery".into(), 12).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
