//! A password candidate that meets the length rules. Its `Debug` never shows the text.

use std::fmt;

/// Upper bound on length, so that hashing cost stays bounded (NIST allows capping at 64+).
pub const MAX_PASSWORD_CHARS: usize = 128;

pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {0} characters long")]
    TooShort(usize),
    #[error("the password must be at most {MAX_PASSWORD_CHARS} characters long")]
    TooLong,
}

impl Password {
    /// Checks a new password: length in characters (not bytes), no composition rules.
    pub fn parse_new(raw: String, min_chars: usize) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < min_chars {
            Err(PasswordError::TooShort(min_chars))
        } else if chars > MAX_PASSWORD_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Self(raw))
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
    fn debug_hides_the_password() {
        let p = Password::parse_new("correct horse battery".into(), 12).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
