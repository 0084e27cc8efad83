//! Query strings and JSON bodies for every QR type: validation never panics, and what it
//! accepts is a payload that fits in a QR code or a clear error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrgate::api::{validate_json, validate_query};
use qrgate::qr::payload::QrType;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    if selector & 1 == 0 {
        let _ = validate_json(rest);
    } else {
        let kind = QrType::ALL[usize::from(selector >> 1) % QrType::ALL.len()];
        let query = String::from_utf8_lossy(rest);
        if let Ok((payload, design)) = validate_query(kind.as_str(), &query) {
            assert!(!payload.is_empty());
            assert!((64..=4096).contains(&design.size));
        }
    }
});
