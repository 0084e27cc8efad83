//! SVG logos: the upload's allow-list check and the rasteriser on arbitrary text. Any
//! input must be refused or converted, without a panic, within libFuzzer's time and
//! memory limits (an input that runs past them is a finding: the bounds in
//! `qr::logo::limits` did not hold). Inputs are wrapped in an `<svg>` root when they lack
//! one, so the fuzzer spends its time inside the checker rather than on the sniffing.
//!
//! Run (stable toolchain, from `fuzz/`):
//!
//! ```sh
//! RUSTC_BOOTSTRAP=1 cargo fuzz run -s none svg_logo corpus/svg_logo seeds/svg_logo -- \
//!     -rss_limit_mb=256 -timeout=2 -max_len=65536 -max_total_time=120
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrgate::qr::logo::{MAX_LOGO_PIXELS, convert};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let wrapped;
    let svg = if text.contains("<svg") {
        data
    } else {
        wrapped = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">{text}</svg>"#);
        wrapped.as_bytes()
    };
    if let Ok(converted) = convert(svg) {
        assert!(converted.info.width >= 1 && converted.info.width <= MAX_LOGO_PIXELS);
        assert!(converted.info.height >= 1 && converted.info.height <= MAX_LOGO_PIXELS);
        let clean = converted.image.svg.expect("an SVG logo keeps its sanitised SVG");
        // The sanitised form passes the check again, unchanged.
        let again = convert(clean.as_bytes()).expect("the sanitised SVG is accepted");
        assert_eq!(again.image.svg.as_deref(), Some(clean.as_str()));
    }
});
