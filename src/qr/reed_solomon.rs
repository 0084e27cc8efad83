//! Error correction codewords (ISO/IEC 18004 §7.5): the data codewords split into blocks,
//! each block's Reed–Solomon remainder, and both interleaved block by block. The `qrcode`
//! crate's `construct_codewords` does the same, multiplying through log and antilog tables
//! for every coefficient and allocating for every block: about a sixth of an encode, the
//! profile showed. Here a block's remainder is a shift register of 32 bytes, and each data
//! byte XORs into it one row of a product table built once for its generator polynomial.

use std::sync::OnceLock;

use qrcode::EcLevel;

/// (error correction codewords per block, blocks) by version 1–40 and level L, M, Q, H
/// (ISO/IEC 18004 table 9). The data codewords are shared out in that many blocks, the
/// last `total % blocks` of them one codeword longer.
const BLOCKS: [[(u8, u8); 4]; 40] = [
    [(7, 1), (10, 1), (13, 1), (17, 1)],      // 1
    [(10, 1), (16, 1), (22, 1), (28, 1)],     // 2
    [(15, 1), (26, 1), (18, 2), (22, 2)],     // 3
    [(20, 1), (18, 2), (26, 2), (16, 4)],     // 4
    [(26, 1), (24, 2), (18, 4), (22, 4)],     // 5
    [(18, 2), (16, 4), (24, 4), (28, 4)],     // 6
    [(20, 2), (18, 4), (18, 6), (26, 5)],     // 7
    [(24, 2), (22, 4), (22, 6), (26, 6)],     // 8
    [(30, 2), (22, 5), (20, 8), (24, 8)],     // 9
    [(18, 4), (26, 5), (24, 8), (28, 8)],     // 10
    [(20, 4), (30, 5), (28, 8), (24, 11)],    // 11
    [(24, 4), (22, 8), (26, 10), (28, 11)],   // 12
    [(26, 4), (22, 9), (24, 12), (22, 16)],   // 13
    [(30, 4), (24, 9), (20, 16), (24, 16)],   // 14
    [(22, 6), (24, 10), (30, 12), (24, 18)],  // 15
    [(24, 6), (28, 10), (24, 17), (30, 16)],  // 16
    [(28, 6), (28, 11), (28, 16), (28, 19)],  // 17
    [(30, 6), (26, 13), (28, 18), (28, 21)],  // 18
    [(28, 7), (26, 14), (26, 21), (26, 25)],  // 19
    [(28, 8), (26, 16), (30, 20), (28, 25)],  // 20
    [(28, 8), (26, 17), (28, 23), (30, 25)],  // 21
    [(28, 9), (28, 17), (30, 23), (24, 34)],  // 22
    [(30, 9), (28, 18), (30, 25), (30, 30)],  // 23
    [(30, 10), (28, 20), (30, 27), (30, 32)], // 24
    [(26, 12), (28, 21), (30, 29), (30, 35)], // 25
    [(28, 12), (28, 23), (28, 34), (30, 37)], // 26
    [(30, 12), (28, 25), (30, 34), (30, 40)], // 27
    [(30, 13), (28, 26), (30, 35), (30, 42)], // 28
    [(30, 14), (28, 28), (30, 38), (30, 45)], // 29
    [(30, 15), (28, 29), (30, 40), (30, 48)], // 30
    [(30, 16), (28, 31), (30, 43), (30, 51)], // 31
    [(30, 17), (28, 33), (30, 45), (30, 54)], // 32
    [(30, 18), (28, 35), (30, 48), (30, 57)], // 33
    [(30, 19), (28, 37), (30, 51), (30, 60)], // 34
    [(30, 19), (28, 38), (30, 53), (30, 63)], // 35
    [(30, 20), (28, 40), (30, 56), (30, 66)], // 36
    [(30, 21), (28, 43), (30, 59), (30, 70)], // 37
    [(30, 22), (28, 45), (30, 62), (30, 74)], // 38
    [(30, 24), (28, 47), (30, 65), (30, 77)], // 39
    [(30, 25), (28, 49), (30, 68), (30, 81)], // 40
];

/// The most error correction codewords a block has.
const MAX_EC: usize = 30;

/// The data codewords, interleaved, and the error correction codewords, interleaved, of
/// a normal (not micro) symbol of `version` at `level` holding `data` (all its data
/// codewords, padding included): what `qrcode::ec::construct_codewords` returns.
pub fn codewords(version: i16, level: EcLevel, data: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (ec_len, blocks) =
        BLOCKS[usize::try_from(version - 1).expect("a version, 1 to 40")][level as usize];
    let (ec_len, blocks) = (usize::from(ec_len), usize::from(blocks));
    debug_assert_eq!(
        data.len() + ec_len * blocks,
        crate::qr::mask::total_codewords(version),
        "the data codewords of version {version} at {level:?}"
    );
    let short = data.len() / blocks;
    let long_blocks = data.len() % blocks;
    // Block j starts after j short blocks and the long ones before it (long blocks last).
    let start = |j: usize| j * short + j.saturating_sub(blocks - long_blocks);
    let block = |j: usize| &data[start(j)..start(j + 1)];

    let mut interleaved = Vec::with_capacity(data.len());
    for i in 0..=short {
        for j in 0..blocks {
            if let Some(&byte) = block(j).get(i) {
                interleaved.push(byte);
            }
        }
    }
    let generator = generator(ec_len);
    let mut ec = vec![0u8; ec_len * blocks];
    for j in 0..blocks {
        let remainder = generator.remainder(block(j));
        for (i, &byte) in remainder[..ec_len].iter().enumerate() {
            ec[i * blocks + j] = byte;
        }
    }
    (interleaved, ec)
}

/// The generator polynomial of `ec_len` codewords as a product table: row `f` is the
/// polynomial's coefficients after its leading 1, each multiplied by `f`, highest degree
/// first, padded with zeros to 32 bytes.
struct Generator {
    rows: Box<[[u8; 32]; 256]>,
}

impl Generator {
    /// The remainder of `block`·x^n divided by the generator (n its degree): its
    /// coefficients highest first in the first n bytes. The register holds the remainder
    /// so far, its highest coefficient in the lowest byte; each data byte shifts it one
    /// coefficient up and adds the generator times the coefficient that left.
    fn remainder(&self, block: &[u8]) -> [u8; 32] {
        let (mut low, mut high) = (0u128, 0u128);
        for &byte in block {
            let row = &self.rows[usize::from(byte ^ low as u8)];
            let (row_low, row_high) = (
                u128::from_le_bytes(row[..16].try_into().expect("16 bytes")),
                u128::from_le_bytes(row[16..].try_into().expect("16 bytes")),
            );
            low = (low >> 8 | high << 120) ^ row_low;
            high = high >> 8 ^ row_high;
        }
        let mut out = [0u8; 32];
        out[..16].copy_from_slice(&low.to_le_bytes());
        out[16..].copy_from_slice(&high.to_le_bytes());
        out
    }
}

/// The generator of `ec_len` (at most 30) codewords, built on first use.
fn generator(ec_len: usize) -> &'static Generator {
    static GENERATORS: [OnceLock<Generator>; MAX_EC + 1] = [const { OnceLock::new() }; MAX_EC + 1];
    GENERATORS[ec_len].get_or_init(|| {
        // Π (x − αⁱ) for i in 0..n, coefficients highest first; in GF(2⁸) − is +.
        let mut poly = vec![1u8];
        let mut alpha_i = 1u8;
        for _ in 0..ec_len {
            let mut next = vec![0u8; poly.len() + 1];
            for (k, &c) in poly.iter().enumerate() {
                next[k] ^= c;
                next[k + 1] ^= multiply(c, alpha_i);
            }
            poly = next;
            alpha_i = multiply(alpha_i, 2);
        }
        let mut rows = Box::new([[0u8; 32]; 256]);
        for (f, row) in rows.iter_mut().enumerate() {
            for (out, &c) in row.iter_mut().zip(&poly[1..]) {
                *out = multiply(f as u8, c);
            }
        }
        Generator { rows }
    })
}

/// Multiplication in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1 (0x11d), the field QR codes
/// use; only used to build the tables.
fn multiply(a: u8, b: u8) -> u8 {
    let (mut a, mut b, mut product) = (u16::from(a), b, 0u16);
    while b != 0 {
        if b & 1 == 1 {
            product ^= a;
        }
        a <<= 1;
        if a & 0x100 != 0 {
            a ^= 0x11d;
        }
        b >>= 1;
    }
    product as u8
}

#[cfg(test)]
mod tests {
    use qrcode::{EcLevel, Version, ec};

    use super::*;

    const LEVELS: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    /// Every version and level, with data of every byte value: the same codewords as the
    /// crate's, block structure and interleaving included.
    #[test]
    fn codewords_match_the_crate_for_every_version_and_level() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for version in 1..=40i16 {
            for level in LEVELS {
                let (ec_len, blocks) =
                    BLOCKS[usize::try_from(version - 1).unwrap()][level as usize];
                // The data codewords the crate expects: all but the error correction ones.
                let total = crate::qr::mask::total_codewords(version);
                let len = total - usize::from(ec_len) * usize::from(blocks);
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed as u8
                    })
                    .collect();
                let expected = ec::construct_codewords(&data, Version::Normal(version), level)
                    .unwrap_or_else(|e| panic!("version {version} {level:?}: {e:?}"));
                assert_eq!(
                    codewords(version, level, &data),
                    expected,
                    "version {version} {level:?}"
                );
            }
        }
    }

    #[test]
    fn multiplication_is_the_field_of_qr_codes() {
        // α⁸ = α⁴ + α³ + α² + 1 = 0x1d, and α has order 255.
        let mut power = 1u8;
        for i in 1..=255 {
            power = multiply(power, 2);
            assert_eq!(power == 1, i == 255, "α^{i}");
            if i == 8 {
                assert_eq!(power, 0x1d);
            }
        }
        assert_eq!(multiply(0, 0xff), 0);
        assert_eq!(multiply(0x53, 0xca), multiply(0xca, 0x53));
    }
}
