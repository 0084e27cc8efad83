//! Arbitrary parameters for every type: whatever payload the builder accepts must encode,
//! and a decoder must read back exactly that text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrgate::qr::design::Ecc;
use qrgate::qr::encode::encode;
use qrgate::qr::payload::{Params, QrType, build_payload};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let kind = QrType::ALL[usize::from(selector) % QrType::ALL.len()];
    let text = String::from_utf8_lossy(rest);
    // Fields are separated by U+001F; each goes to the next parameter of the type.
    let mut params = Params::new();
    for (spec, value) in kind.params().iter().zip(text.split('\u{1f}')) {
        params.insert(spec.name, value.to_owned());
    }
    let Ok(payload) = build_payload(kind, &params) else { return };
    let Ok(matrix) = encode(&payload, Ecc::L) else { return };
    // Draw 3 px per module with a 4-module quiet zone and decode it.
    let (scale, quiet) = (3, 4);
    let size = (matrix.width + 2 * quiet) * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        let (mx, my) = ((x / scale).wrapping_sub(quiet), (y / scale).wrapping_sub(quiet));
        if mx < matrix.width && my < matrix.width && matrix.get(mx, my) { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one code found for {payload:?}");
    let mut decoded = Vec::new();
    grids[0].decode_to(&mut decoded).expect("the code decodes");
    assert_eq!(String::from_utf8(decoded).expect("UTF-8"), payload);
});
