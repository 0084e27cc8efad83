//! Text → module matrix, through the `qrcode` crate (segmentation), `reed_solomon` (its
//! error correction codewords, faster) and `mask` (placement and its mask choice,
//! faster). The one function here is the seam where the encoder can change.

use qrcode::bits::{self, Bits};
use qrcode::canvas::Canvas;
use qrcode::{EcLevel, QrResult, Version, ec};

use super::design::Ecc;
use super::{mask, reed_solomon};

/// A QR symbol without quiet zone: `width`×`width` modules, row-major, `true` = dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub width: usize,
    pub dark: Vec<bool>,
    pub version: u8,
}

impl Matrix {
    pub fn get(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    pub fn set(&mut self, x: usize, y: usize, dark: bool) {
        self.dark[y * self.width + x] = dark;
    }

    /// Whether (x, y) lies in one of the three 7×7 finder patterns.
    pub fn in_finder(&self, x: usize, y: usize) -> bool {
        let far = self.width - 7;
        (x < 7 && (y < 7 || y >= far)) || (x >= far && y < 7)
    }

    /// Top-left corners of the three finder patterns.
    pub fn finder_origins(&self) -> [(usize, usize); 3] {
        let far = self.width - 7;
        [(0, 0), (far, 0), (0, far)]
    }
}

/// The data does not fit in a version-40 symbol at this ECC level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the data is {bytes} bytes; a QR code at error correction {ecc:?} holds at most {max_bytes} bytes \
     (use a lower ecc, or shorten the content)"
)]
pub struct CapacityError {
    pub bytes: usize,
    pub max_bytes: usize,
    pub ecc: Ecc,
}

/// Byte-mode capacity of a version-40 symbol (ISO/IEC 18004 table 7).
pub fn max_bytes(ecc: Ecc) -> usize {
    match ecc {
        Ecc::L => 2953,
        Ecc::M => 2331,
        Ecc::Q => 1663,
        Ecc::H => 1273,
    }
}

/// The UTF-8 Extended Channel Interpretation designator (AIM ECI 26).
const ECI_UTF8: u32 = 26;
/// The ECI header (4-bit mode + 8-bit designator) costs this many bytes of capacity at
/// version 40 (12 bits, of which the byte-mode tables leave 4 spare).
const ECI_OVERHEAD_BYTES: usize = 1;

/// Encodes `data` in the smallest version that holds it. ASCII text takes the encoder's
/// optimal mix of numeric, alphanumeric and byte segments. Other text is one byte segment
/// preceded by the UTF-8 ECI: without it, readers guess the charset, and ZBar, for one,
/// reads a lone `·` (C2 B7) as Shift-JIS.
pub fn encode(data: &str, ecc: Ecc) -> Result<Matrix, CapacityError> {
    let level = level(ecc);
    let overhead = if data.is_ascii() {
        0
    } else {
        ECI_OVERHEAD_BYTES
    };
    let too_long = || CapacityError {
        bytes: data.len(),
        max_bytes: max_bytes(ecc) - overhead,
        ecc,
    };
    // With automatic version selection and byte data, the only possible failure is
    // `DataTooLong`; any other is answered the same way rather than with a panic.
    let bits = if data.is_ascii() {
        bits::encode_auto(data.as_bytes(), level)
    } else {
        utf8_with_eci(data.as_bytes(), level)
    };
    bits.and_then(|bits| symbol(bits, level))
        .map_err(|_| too_long())
}

fn level(ecc: Ecc) -> EcLevel {
    match ecc {
        Ecc::L => EcLevel::L,
        Ecc::M => EcLevel::M,
        Ecc::Q => EcLevel::Q,
        Ecc::H => EcLevel::H,
    }
}

/// What `QrCode::with_bits` does, with the codewords placed and masked by `mask` (the
/// crate's canvas only draws each version's functional patterns once).
fn symbol(bits: Bits, level: EcLevel) -> QrResult<Matrix> {
    let version = bits.version();
    let dark = match version {
        Version::Normal(v) => {
            let (data, ec) = reed_solomon::codewords(v, level, &bits.into_bytes());
            mask::symbol_from_codewords(v, level, &data, &ec)
        }
        Version::Micro(_) => {
            let (data, ec) = ec::construct_codewords(&bits.into_bytes(), version, level)?;
            let mut canvas = Canvas::new(version, level);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&data, &ec);
            mask::masked_symbol(canvas, version, level)
        }
    };
    let number = match version {
        Version::Normal(v) | Version::Micro(v) => v,
    };
    Ok(Matrix {
        width: version.width() as usize,
        dark,
        version: number as u8,
    })
}

/// The smallest version whose capacity holds the ECI header and the bytes (binary search:
/// capacity grows with the version).
fn utf8_with_eci(data: &[u8], level: EcLevel) -> QrResult<Bits> {
    let build = |version: i16| -> QrResult<Bits> {
        let mut bits = Bits::new(Version::Normal(version));
        bits.push_eci_designator(ECI_UTF8)?;
        bits.push_byte_data(data)?;
        bits.push_terminator(level)?;
        Ok(bits)
    };
    let (mut low, mut high) = (1, 40);
    build(high)?;
    while low < high {
        let mid = (low + high) / 2;
        if build(mid).is_ok() {
            high = mid
        } else {
            low = mid + 1
        }
    }
    build(low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_url_fits_a_small_version() {
        let m = encode("https://example.org", Ecc::M).unwrap();
        assert_eq!(m.version, 2);
        assert_eq!(m.width, 25);
        assert_eq!(m.dark.len(), 25 * 25);
        assert!(
            m.get(0, 0) && m.get(6, 6) && !m.get(7, 7),
            "finder pattern corners"
        );
    }

    #[test]
    fn data_at_capacity_fits_and_one_more_byte_does_not() {
        for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
            // Lower-case letters force byte mode, so capacity is the byte table's.
            let max = max_bytes(ecc);
            assert_eq!(encode(&"a".repeat(max), ecc).unwrap().version, 40);
            let err = encode(&"a".repeat(max + 1), ecc)
                .map(|m| m.version)
                .unwrap_err();
            assert_eq!((err.bytes, err.max_bytes), (max + 1, max));
        }
    }

    #[test]
    fn non_ascii_capacity_allows_for_the_eci_header() {
        for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
            // "é" is two bytes; pad with one ASCII byte to hit odd limits exactly.
            let max = max_bytes(ecc) - ECI_OVERHEAD_BYTES;
            let text = format!("{}{}", "é".repeat(max / 2), "a".repeat(max % 2));
            assert_eq!(text.len(), max);
            assert_eq!(encode(&text, ecc).unwrap().version, 40, "{ecc:?}");
            let err = encode(&format!("{text}a"), ecc)
                .map(|m| m.version)
                .unwrap_err();
            assert_eq!((err.bytes, err.max_bytes), (max + 1, max));
        }
    }

    #[test]
    fn short_non_ascii_text_gets_a_small_version() {
        assert_eq!(encode("Grüße", Ecc::M).unwrap().version, 1);
    }

    #[test]
    fn symbols_are_the_ones_the_qrcode_crate_makes_with_its_own_mask_search() {
        let long_ascii = "table-12 ".repeat(120);
        let long_utf8 = "Grüße ".repeat(90);
        let texts = [
            "https://example.org/menu/table-12?lang=en",
            "0123456789012345678901234567890123456789",
            "HELLO WORLD $%*+-./: 42",
            "Grüße aus Köln",
            "漢字 🙂",
            &long_ascii,
            &long_utf8,
        ];
        for text in texts {
            for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
                let ours = encode(text, ecc).unwrap();
                let level = level(ecc);
                let bits = if text.is_ascii() {
                    bits::encode_auto(text.as_bytes(), level)
                } else {
                    utf8_with_eci(text.as_bytes(), level)
                };
                let theirs = qrcode::QrCode::with_bits(bits.unwrap(), level).unwrap();
                let dark: Vec<bool> = theirs
                    .to_colors()
                    .iter()
                    .map(|&c| c == qrcode::Color::Dark)
                    .collect();
                assert_eq!(ours.width, theirs.width(), "{text:.20} {ecc:?}");
                assert!(ours.dark == dark, "{text:.20} {ecc:?}");
            }
        }
    }
}
