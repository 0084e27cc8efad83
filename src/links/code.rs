//! A dynamic code as stored, and the rule for its name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Most characters of a code's name.
pub const MAX_NAME_CHARS: usize = 100;

/// A dynamic code. A deleted code stays as a tombstone (`deleted_at`, with its target
/// and name erased) so that its slug is never given to another code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DynamicCode {
    /// Random, never reused; shown as [`public_id`](Self::public_id).
    pub id: u64,
    pub account_id: u64,
    /// Orders an account's codes, newest last.
    pub seq: u64,
    pub slug: String,
    pub target: String,
    pub name: String,
    pub paused: bool,
    /// Design parameters for the code's image, as given (validated at creation).
    #[serde(default)]
    pub design: BTreeMap<String, String>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(default)]
    pub deleted_at: Option<i64>,
}

impl DynamicCode {
    /// `dc_` and 16 hex digits.
    pub fn public_id(&self) -> String {
        format_id(self.id)
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

pub fn format_id(id: u64) -> String {
    format!("dc_{id:016x}")
}

/// The internal id of a public one, if it is well-formed.
pub fn parse_id(public: &str) -> Option<u64> {
    let hex = public.strip_prefix("dc_")?;
    (hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u64::from_str_radix(hex, 16).ok())
        .flatten()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("is {0} characters long; at most {MAX_NAME_CHARS} are accepted")]
    TooLong(usize),
    #[error("must not contain control characters or line breaks")]
    Control,
}

/// A code's name: trimmed, at most 100 characters, one line.
pub fn parse_name(raw: &str) -> Result<String, NameError> {
    let name = raw.trim();
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong(chars));
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(NameError::Control);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_round_trip_and_malformed_ones_do_not_parse() {
        for id in [0, 1, u64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(parse_id(&format_id(id)), Some(id));
        }
        for bad in [
            "",
            "dc_",
            "dc_123",
            "xx_0123456789abcdef",
            "dc_0123456789abcdeg",
            "dc_+123456789abcdef",
        ] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_bounded_and_single_line() {
        assert_eq!(parse_name("  Menu  ").unwrap(), "Menu");
        assert_eq!(parse_name(&"é".repeat(100)).unwrap().chars().count(), 100);
        assert_eq!(parse_name(&"é".repeat(101)), Err(NameError::TooLong(101)));
        assert_eq!(parse_name("a\nb"), Err(NameError::Control));
        assert_eq!(parse_name("a\u{2028}b"), Err(NameError::Control));
    }
}
