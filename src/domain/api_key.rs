//! API keys: `qrg_` + 22 base62 characters of randomness (131 bits) + a 6-character
//! base62 CRC-32 of those, so secret scanners can spot a leaked key and a mistyped key is
//! refused before any lookup.

use std::fmt;

use rand::Rng;
use rand::distributions::Uniform;

pub const KEY_PREFIX: &str = "qrg_";
const RANDOM_LEN: usize = 22;
const CHECK_LEN: usize = 6;
const KEY_LEN: usize = KEY_PREFIX.len() + RANDOM_LEN + CHECK_LEN;
/// How much of the random part the dashboard shows after creation.
const VISIBLE_LEN: usize = 6;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A full API key. `Debug` shows only its prefix.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error("an API key starts with `qrg_`")]
    Prefix,
    #[error("an API key is {KEY_LEN} characters long")]
    Length,
    #[error("an API key contains only letters and digits after `qrg_`")]
    Charset,
    #[error("the API key's checksum does not match (a typo, or a truncated key)")]
    Checksum,
}

impl ApiKey {
    pub fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let index = Uniform::from(0..BASE62.len());
        let random: String = (0..RANDOM_LEN)
            .map(|_| BASE62[rng.sample(index)] as char)
            .collect();
        let check = checksum(&random);
        Self(format!("{KEY_PREFIX}{random}{check}"))
    }

    pub fn parse(raw: &str) -> Result<Self, KeyFormatError> {
        let body = raw.strip_prefix(KEY_PREFIX).ok_or(KeyFormatError::Prefix)?;
        if raw.len() != KEY_LEN {
            return Err(KeyFormatError::Length);
        }
        if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(KeyFormatError::Charset);
        }
        let (random, check) = body.split_at(RANDOM_LEN);
        if checksum(random) != check {
            return Err(KeyFormatError::Checksum);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The full secret, for showing once and for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The part that may be shown and logged: `qrg_` and the first characters.
    pub fn prefix(&self) -> String {
        self.0[..KEY_PREFIX.len() + VISIBLE_LEN].to_owned()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}…)", self.prefix())
    }
}

fn checksum(random: &str) -> String {
    let mut value = crc32fast::hash(random.as_bytes()) as u64;
    let mut out = [b'0'; CHECK_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(out.to_vec()).expect("base62 is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_back() {
        for _ in 0..1000 {
            let key = ApiKey::generate();
            assert_eq!(key.expose().len(), KEY_LEN);
            assert_eq!(ApiKey::parse(key.expose()).unwrap(), key);
        }
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(ApiKey::generate(), ApiKey::generate());
    }

    #[test]
    fn a_single_typo_fails_the_checksum() {
        let key = ApiKey::generate();
        let mut chars: Vec<char> = key.expose().chars().collect();
        chars[10] = if chars[10] == 'a' { 'b' } else { 'a' };
        let typo: String = chars.into_iter().collect();
        assert_eq!(ApiKey::parse(&typo), Err(KeyFormatError::Checksum));
    }

    #[test]
    fn malformed_keys_are_refused_by_kind() {
        let key = ApiKey::generate();
        assert_eq!(ApiKey::parse("abc"), Err(KeyFormatError::Prefix));
        assert_eq!(
            ApiKey::parse(&key.expose()[..20]),
            Err(KeyFormatError::Length)
        );
        let bad = format!("{}!{}", &key.expose()[..10], &key.expose()[11..]);
        assert_eq!(ApiKey::parse(&bad), Err(KeyFormatError::Charset));
    }

    #[test]
    fn debug_shows_only_the_prefix() {
        let key = ApiKey::generate();
        let shown = format!("{key:?}");
        assert!(shown.contains(&key.prefix()));
        assert!(!shown.contains(key.expose()));
    }
}
