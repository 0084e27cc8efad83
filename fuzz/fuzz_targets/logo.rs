//! The logo conversion never panics on any bytes, and what it accepts has sane dimensions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrgate::qr::logo::{MAX_LOGO_PIXELS, convert};

fuzz_target!(|data: &[u8]| {
    if let Ok(converted) = convert(data) {
        let info = converted.info;
        assert!(info.width >= 1 && info.width <= MAX_LOGO_PIXELS);
        assert!(info.height >= 1 && info.height <= MAX_LOGO_PIXELS);
    }
});
