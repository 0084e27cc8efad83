//! The key parser never panics, and what it accepts round-trips with a valid prefix.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrgate::domain::ApiKey;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(key) = ApiKey::parse(text) {
        assert_eq!(key.expose(), text);
        assert!(text.starts_with(&key.prefix()));
        assert_eq!(ApiKey::parse(key.expose()), Ok(key));
    }
});
