//! The preview for keys that may not generate: the requested code, made unreadable on
//! purpose. A banner alone would leave most codes decodable (error correction repairs it),
//! so the symbol itself is spoiled where decoders depend on it:
//! - the three finder patterns lose their 1:1:3:1:1 profile (drawn in `render::svg`);
//! - both copies of the format information and the timing patterns are scrambled;
//! - 40 % of the remaining modules are flipped, beyond what level H (30 %) can repair;
//! - a PREVIEW banner crosses the image.
//!
//! The result still looks like a QR code of the same content size and style.

use super::encode::Matrix;

/// Share of data modules flipped, as a fraction of 2^16.
const FLIP_SHARE: u32 = 26_214; // 40 %

pub fn spoil(matrix: &mut Matrix, seed: &str) {
    let mut state = fnv1a(seed.as_bytes()) | 1;
    let mut next = move || {
        // xorshift64*: deterministic, so the same request gives the same bytes (ETag).
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    };
    let width = matrix.width;
    for y in 0..width {
        for x in 0..width {
            if matrix.in_finder(x, y) {
                continue;
            }
            let format_info =
                (y == 8 && (x < 9 || x >= width - 8)) || (x == 8 && (y < 9 || y >= width - 8));
            let timing = x == 6 || y == 6;
            let flip = if format_info || timing {
                next() & 1 == 1
            } else {
                next() % 65_536 < FLIP_SHARE
            };
            if flip {
                let dark = matrix.get(x, y);
                matrix.set(x, y, !dark);
            }
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::design::Ecc;
    use crate::qr::encode::encode;

    #[test]
    fn spoiling_flips_far_more_than_error_correction_repairs() {
        let original = encode("https://example.org/some/page", Ecc::M).unwrap();
        let mut spoiled = original.clone();
        spoil(&mut spoiled, "seed");
        let changed = original
            .dark
            .iter()
            .zip(&spoiled.dark)
            .filter(|(a, b)| a != b)
            .count();
        let share = changed as f64 / original.dark.len() as f64;
        assert!(share > 0.3, "{share}");
    }

    #[test]
    fn spoiling_is_deterministic() {
        let mut a = encode("same", Ecc::L).unwrap();
        let mut b = a.clone();
        spoil(&mut a, "seed");
        spoil(&mut b, "seed");
        assert_eq!(a, b);
    }
}
