//! Mask selection for the `qrcode` crate's canvas, fast.
//!
//! `Canvas::apply_best_mask` scores each of the 8 masks with a module-by-module penalty
//! that allocates per position; it is ~95% of an encode. Here the masked symbol is held
//! as one bit set per row (bit x = column x is dark) and each rule of ISO/IEC 18004
//! §7.8.3 is a few word operations per row: shifts look along a row, AND/OR of
//! neighbouring rows looks down every column at once. The rules are the crate's own
//! variant, so the chosen mask, and therefore the symbol, is identical to its choice.

use std::ops::{BitAnd, BitOr, BitXor, Not, Shl, Shr};
use std::sync::OnceLock;

use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::{Color, EcLevel, Version};

/// The masks in the order the crate tries them; on equal scores the first one wins.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// Where format bit 14 − `i` goes, twice, in a symbol `width` modules wide (the
/// crate's `FORMAT_INFO_COORDS_QR_MAIN` and `_SIDE`).
fn format_coords(i: usize, width: usize) -> [(usize, usize); 2] {
    let beside_top_left = match i {
        0..=5 => (i, 8),
        6 => (7, 8),
        7 => (8, 8),
        8 => (8, 7),
        _ => (8, 14 - i),
    };
    let by_the_others = if i < 7 {
        (8, width - 1 - i)
    } else {
        (width - 15 + i, 8)
    };
    [beside_top_left, by_the_others]
}

/// The dark modules, row-major, of the symbol `canvas.apply_best_mask()` would make
/// (format information included): the chosen mask applied to the bit rows the search
/// already holds, without masking the canvas module by module and reading it back.
pub fn masked_symbol(canvas: Canvas, version: Version, ec_level: EcLevel) -> Vec<bool> {
    let width = version.width() as usize;
    match version {
        Version::Normal(_) if width <= 64 => search::<u64>(&canvas, width, ec_level).1,
        Version::Normal(_) if width <= 128 => search::<u128>(&canvas, width, ec_level).1,
        Version::Normal(_) => search::<Wide>(&canvas, width, ec_level).1,
        Version::Micro(_) => canvas
            .apply_best_mask()
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect(),
    }
}

/// The symbol `masked_symbol` makes from a canvas with these codewords drawn, placed
/// straight into bit rows from a per-version template instead of through the canvas
/// (whose module-by-module drawing and reading back cost as much as the mask search).
/// Normal (not micro) versions only.
pub fn symbol_from_codewords(version: i16, ec_level: EcLevel, data: &[u8], ec: &[u8]) -> Vec<bool> {
    let width = Version::Normal(version).width() as usize;
    let template = template(version);
    if width <= 64 {
        search_unmasked(&Unmasked::<u64>::place(template, data, ec), ec_level).1
    } else if width <= 128 {
        search_unmasked(&Unmasked::<u128>::place(template, data, ec), ec_level).1
    } else {
        search_unmasked(&Unmasked::<Wide>::place(template, data, ec), ec_level).1
    }
}

/// The codewords, data and error correction, a normal symbol of `version` (1–40) holds:
/// its data modules over 8 (the few left over are remainder bits).
pub fn total_codewords(version: i16) -> usize {
    template(version).positions.len() / 8
}

/// What a normal version's symbol holds before any data: its functional patterns as
/// bit rows (192 bits, the widest symbol's 177 modules), which modules the mask may
/// invert, and the data modules in placement order as (y, x): kept apart, as dividing
/// a combined index by the width for every bit placed cost more than the placing.
struct Template {
    dark: Vec<[u64; 3]>,
    maskable: Vec<[u64; 3]>,
    positions: Vec<(u8, u8)>,
}

/// The template of `version` (1–40), built on first use from the crate's canvas: the
/// patterns are the crate's by construction, and the placement order is its
/// `DataModuleIter` (two-module columns from the right, alternately up and down,
/// stepping over the vertical timing pattern), keeping the modules the canvas left empty.
fn template(version: i16) -> &'static Template {
    static TEMPLATES: [OnceLock<Template>; 40] = [const { OnceLock::new() }; 40];
    let index = usize::try_from(version - 1).expect("a normal version, 1 to 40");
    TEMPLATES[index].get_or_init(|| {
        let qr_version = Version::Normal(version);
        let width = qr_version.width() as usize;
        let mut canvas = Canvas::new(qr_version, EcLevel::L);
        canvas.draw_all_functional_patterns();
        let mut dark = vec![[0u64; 3]; width];
        let mut maskable = vec![[0u64; 3]; width];
        for y in 0..width {
            for x in 0..width {
                let (word, bit) = (x / 64, 1u64 << (x % 64));
                match canvas.get(x as i16, y as i16) {
                    Module::Empty => maskable[y][word] |= bit,
                    Module::Masked(Color::Dark) | Module::Unmasked(Color::Dark) => {
                        dark[y][word] |= bit
                    }
                    Module::Masked(Color::Light) | Module::Unmasked(Color::Light) => {}
                }
            }
        }
        let is_empty = |x: usize, y: usize| maskable[y][x / 64] >> (x % 64) & 1 == 1;
        let mut positions = Vec::new();
        let (mut right, mut upward) = (width - 1, true);
        loop {
            for i in 0..width {
                let y = if upward { width - 1 - i } else { i };
                for x in [right, right - 1] {
                    if is_empty(x, y) {
                        positions.push((y as u8, x as u8));
                    }
                }
            }
            if right < 3 {
                break;
            }
            upward = !upward;
            right -= 2;
            if right == 6 {
                right = 5; // the vertical timing pattern's column is skipped
            }
        }
        Template {
            dark,
            maskable,
            positions,
        }
    })
}

/// The mask `Canvas::apply_best_mask` picks for a normal (not micro) QR canvas of
/// `width` modules.
pub fn best_mask(canvas: &Canvas, width: usize, ec_level: EcLevel) -> MaskPattern {
    // The narrowest word that holds a row: versions 1–11, 12–27, 28–40.
    if width <= 64 {
        search::<u64>(canvas, width, ec_level).0
    } else if width <= 128 {
        search::<u128>(canvas, width, ec_level).0
    } else {
        search::<Wide>(canvas, width, ec_level).0
    }
}

/// The best mask and the symbol it makes, as dark modules row-major.
fn search<R: Row>(canvas: &Canvas, width: usize, ec_level: EcLevel) -> (MaskPattern, Vec<bool>) {
    search_unmasked(&Unmasked::<R>::read(canvas, width), ec_level)
}

fn search_unmasked<R: Row>(unmasked: &Unmasked<R>, ec_level: EcLevel) -> (MaskPattern, Vec<bool>) {
    let width = unmasked.width;
    let all = R::low(width);
    // The mask being scored and the best so far, their rows between light padding, on
    // the stack: no allocation per encode.
    let mut buffers = [[R::ZERO; MAX_PADDED]; 2];
    let mut scoring = 0;
    let mut best: Option<(u16, MaskPattern)> = None;
    for pattern in MASKS {
        let rows = &mut buffers[scoring][..PAD_ABOVE + width + PAD_BELOW];
        unmasked.mask_into(pattern, ec_level, &mut rows[PAD_ABOVE..][..width]);
        let score = penalty(rows, width, all, best.map(|(lowest, _)| lowest));
        // Strictly lower: the first of equal minimums wins, as in the crate.
        if let Some(score) = score.filter(|&score| best.is_none_or(|(lowest, _)| score < lowest)) {
            best = Some((score, pattern));
            scoring ^= 1; // keep these rows; score the next mask in the other buffer
        }
    }
    let pattern = best.map_or(MASKS[0], |(_, pattern)| pattern);
    let best_rows = &buffers[scoring ^ 1][PAD_ABOVE..][..width];
    (pattern, rows_to_modules(best_rows, width))
}

/// Light rows above and below a symbol's rows for `penalty`, which looks up to 4 rows
/// above and 10 below each row: with them, it reads every row it needs from one window
/// of fixed size, with no check for the edges.
const PAD_ABOVE: usize = 4;
const PAD_BELOW: usize = 10;

/// The widest symbol's modules (version 40), and its rows with the padding.
const MAX_WIDTH: usize = 177;
const MAX_PADDED: usize = PAD_ABOVE + MAX_WIDTH + PAD_BELOW;

/// Bit rows as dark modules, row-major.
fn rows_to_modules<R: Row>(rows: &[R], width: usize) -> Vec<bool> {
    let mut modules = Vec::with_capacity(width * width);
    for &row in rows {
        modules.extend((0..width).map(|x| row & R::bit(x) != R::ZERO));
    }
    modules
}

/// A canvas before masking, as bit rows (the first `width` of each array).
struct Unmasked<R> {
    width: usize,
    /// Dark modules (data placed, functional patterns drawn, format info still light).
    dark: [R; MAX_WIDTH],
    /// Modules the mask inverts: data, error correction and remainder bits.
    maskable: [R; MAX_WIDTH],
}

impl<R: Row> Unmasked<R> {
    fn read(canvas: &Canvas, width: usize) -> Self {
        let mut dark = [R::ZERO; MAX_WIDTH];
        let mut maskable = [R::ZERO; MAX_WIDTH];
        for y in 0..width {
            for x in 0..width {
                let (is_dark, is_maskable) = match canvas.get(x as i16, y as i16) {
                    Module::Empty => (false, true),
                    Module::Unmasked(c) => (c == Color::Dark, true),
                    Module::Masked(c) => (c == Color::Dark, false),
                };
                if is_dark {
                    dark[y] = dark[y] | R::bit(x);
                }
                if is_maskable {
                    maskable[y] = maskable[y] | R::bit(x);
                }
            }
        }
        Self {
            width,
            dark,
            maskable,
        }
    }

    /// The canvas `template` describes with `data` then `ec` drawn: codeword bits, most
    /// significant first, into the data modules in order; modules left over (remainder
    /// bits) stay light.
    fn place(template: &Template, data: &[u8], ec: &[u8]) -> Self {
        let width = template.dark.len();
        let (mut dark, mut maskable) = ([R::ZERO; MAX_WIDTH], [R::ZERO; MAX_WIDTH]);
        for (y, (&d, &m)) in template.dark.iter().zip(&template.maskable).enumerate() {
            (dark[y], maskable[y]) = (R::from_words(d), R::from_words(m));
        }
        let mut positions = template.positions.chunks_exact(8);
        for (&byte, eight) in data.iter().chain(ec).zip(&mut positions) {
            for (i, &position) in eight.iter().enumerate() {
                if byte << i & 0x80 != 0 {
                    let (y, x) = (usize::from(position.0), usize::from(position.1));
                    dark[y] = dark[y] | R::bit(x);
                }
            }
        }
        Self {
            width,
            dark,
            maskable,
        }
    }

    /// Writes the symbol `canvas.apply_mask(pattern)` makes, format info included.
    fn mask_into(&self, pattern: MaskPattern, ec_level: EcLevel, rows: &mut [R]) {
        let period: [R; 12] = MASK_PERIODS[pattern as usize].map(R::periodic);
        for (y, row) in rows.iter_mut().enumerate() {
            *row = self.dark[y] ^ (period[y % 12] & self.maskable[y]);
        }
        let format = format_info(ec_level, pattern);
        for i in 0..15 {
            for (x, y) in format_coords(i, self.width) {
                rows[y] = if format >> (14 - i) & 1 == 1 {
                    rows[y] | R::bit(x)
                } else {
                    rows[y] & !R::bit(x)
                };
            }
        }
    }
}

/// Every mask repeats every 6 columns and 12 rows: bit x of `MASK_PERIODS[p][y]` is
/// whether the mask numbered p inverts module (x, y).
const MASK_PERIODS: [[u8; 12]; 8] = {
    let mut periods = [[0u8; 12]; 8];
    let mut m = 0;
    while m < MASKS.len() {
        let pattern = MASKS[m];
        let mut y = 0;
        while y < 12 {
            let mut x = 0;
            while x < 6 {
                if inverts(pattern, x, y) {
                    periods[pattern as usize][y] |= 1 << x;
                }
                x += 1;
            }
            y += 1;
        }
        m += 1;
    }
    periods
};

/// Whether `pattern` inverts module (x, y): the crate's `mask_functions`.
const fn inverts(pattern: MaskPattern, x: usize, y: usize) -> bool {
    match pattern {
        MaskPattern::Checkerboard => (x + y).is_multiple_of(2),
        MaskPattern::HorizontalLines => y.is_multiple_of(2),
        MaskPattern::VerticalLines => x.is_multiple_of(3),
        MaskPattern::DiagonalLines => (x + y).is_multiple_of(3),
        MaskPattern::LargeCheckerboard => (y / 2 + x / 3).is_multiple_of(2),
        MaskPattern::Fields => (x * y) % 2 + (x * y) % 3 == 0,
        MaskPattern::Diamonds => ((x * y) % 2 + (x * y) % 3).is_multiple_of(2),
        MaskPattern::Meadow => ((x + y) % 2 + (x * y) % 3).is_multiple_of(2),
    }
}

/// The 15-bit format information: ECC level and mask, BCH(15,5)-protected, XOR 0x5412.
fn format_info(ec_level: EcLevel, pattern: MaskPattern) -> u16 {
    // The standard's level bits are L=01, M=00, Q=11, H=10: the crate's index XOR 1.
    let data = ((ec_level as u16) ^ 1) << 3 | pattern as u16;
    let mut rem = data << 10;
    for bit in (10..15).rev() {
        if rem >> bit & 1 == 1 {
            rem ^= 0x537 << (bit - 10);
        }
    }
    (data << 10 | rem) ^ 0x5412
}

/// The penalty `Canvas::compute_total_penalty_scores` gives a masked symbol, including
/// its departures from the standard: N3 counts `#.###.#` with four light modules (or
/// the edge) on at least one side, once, then takes off the 18 matches the finder
/// patterns themselves make; N4 is |⌊200·dark/total⌋ − 100|, not rounded to 5% steps.
/// The crate adds in `u16`, which wraps in release builds; so does this.
///
/// Dark and light runs (or blocks) never share a bit, so each pair is counted as one set.
/// `padded` holds the rows between `PAD_ABOVE` and `PAD_BELOW` light rows;
/// `all` is `R::low(width)`.
///
/// With `to_beat` (the best score so far), it stops and returns `None` once the score is
/// sure not to be lower: every rule only adds, so the sum so far is a floor for the
/// total, and a mask is given up as soon as that floor reaches the best, provided the
/// rows left cannot carry the sum past `u16` (where the crate's wrapping would make a
/// large total small again).
fn penalty<R: Row>(padded: &[R], width: usize, all: R, to_beat: Option<u16>) -> Option<u16> {
    debug_assert_eq!(padded.len(), PAD_ABOVE + width + PAD_BELOW);
    // The most one row can add: N1 6·width (a row and a column set, each counted once
    // and its first bits twice more), N2 3·width, N3 40·2·width.
    let most_per_row = 89 * width as u32;
    let give_up_at = to_beat.map_or(u32::MAX, |best| u32::from(best) + 2 * 360);
    let narrow = width <= 32;
    let (mut runs, mut blocks, mut finders) = (0, 0, 0);
    let mut prev_down = R::ZERO;
    // Counting bits is much of the work (no popcount instruction in the baseline
    // target), so sets are counted in pairs where they fit one word: N2's sets two rows
    // at a time (`held` waits for the next row's); N3's are almost always empty.
    let mut held = R::ZERO;
    for (y, p) in padded.windows(PAD_ABOVE + 1 + PAD_BELOW).enumerate() {
        // p[4] is row y; p[0..4] the four above it, p[5..] the ten below (light past
        // the edge).
        let r = p[4];
        // N1 along the row, and down every column (bit x set when rows y..y+5 share a
        // colour there); see `run_score`. Lines of the same weight are counted in pairs.
        let along = five(r) | five(!r & all);
        if y + 5 <= width {
            let dark5 = r & p[5] & p[6] & p[7] & p[8];
            let any5 = r | p[5] | p[6] | p[7] | p[8];
            let down = dark5 | (!any5 & all);
            // run_score(along, along << 1) + run_score(down, prev_down), paired.
            let (along_first, down_first) = (along & !(along << 1), down & !prev_down);
            runs += R::count_pair(along, down, narrow)
                + 2 * R::count_pair(along_first, down_first, narrow);
            prev_down = down;
        } else {
            runs += run_score(along, along << 1);
        }
        // N2: 2×2 blocks of one colour.
        if y + 1 < width {
            let (both_dark, both_light) = (r & p[5], !(r | p[5]) & all);
            let set = both_dark & both_dark >> 1 | both_light & both_light >> 1;
            if y % 2 == 0 {
                held = set;
            } else {
                blocks += R::count_pair(held, set, narrow);
                held = R::ZERO;
            }
        }
        // N3 along the row: `r` is zero beyond the edge, so shifts read the edge as light.
        let core = r & !(r >> 1) & r >> 2 & r >> 3 & r >> 4 & !(r >> 5) & r >> 6;
        let dark_before = r << 1 | r << 2 | r << 3 | r << 4;
        let dark_after = r >> 7 | r >> 8 | r >> 9 | r >> 10;
        let along = core & !(dark_before & dark_after);
        // N3 down every column.
        if y + 7 <= width {
            let core = r & !p[5] & p[6] & p[7] & p[8] & !p[9] & p[10];
            let before = p[0] | p[1] | p[2] | p[3];
            let after = p[11] | p[12] | p[13] | p[14];
            let down = core & !(before & after);
            if along | down != R::ZERO {
                finders += R::count_pair(along, down, narrow);
            }
        } else if along != R::ZERO {
            finders += along.count();
        }
        let floor = runs + 3 * blocks + 40 * finders;
        if floor >= give_up_at {
            // N4 adds at most 100; below this the total stays under 2¹⁶ + 720, unwrapped.
            let ceiling = floor + (width - 1 - y) as u32 * most_per_row + 100;
            if ceiling < (1 << 16) + 2 * 360 {
                return None;
            }
        }
    }
    if held != R::ZERO {
        blocks += held.count();
    }
    // N4 last, rows two at a time: a mask given up above never needs it.
    let dark: u32 = padded[PAD_ABOVE..][..width]
        .chunks(2)
        .map(|rows| match *rows {
            [a, b] => R::count_pair(a, b, narrow),
            [a] => a.count(),
            _ => 0,
        })
        .sum();
    let ratio = dark as usize * 200 / (width * width);
    let balance = ratio.abs_diff(100) as u32;
    let total = (runs + 3 * blocks + 40 * finders + balance).wrapping_sub(2 * 360);
    Some(total as u16)
}

/// Bit x set where modules x..x+5 of `set` are all set.
fn five<R: Row>(set: R) -> R {
    set & set >> 1 & set >> 2 & set >> 3 & set >> 4
}

/// N1 from the `five` bits of a line's runs: a run of n ≥ 5 modules scores n − 2 and
/// has n − 4 `five` bits, of which only the first has none in `previous` (`five`
/// moved one module on).
fn run_score<R: Row>(five: R, previous: R) -> u32 {
    five.count() + 2 * (five & !previous).count()
}

/// A row of modules, bit x = column x, in a word wide enough for the symbol.
trait Row:
    Copy
    + PartialEq
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + BitXor<Output = Self>
    + Not<Output = Self>
    + Shl<u32, Output = Self>
    + Shr<u32, Output = Self>
{
    const ZERO: Self;
    fn bit(x: usize) -> Self;
    /// Bit x set where bit `x % 6` of `six` is.
    fn periodic(six: u8) -> Self;
    fn count(self) -> u32;
    /// `a.count() + b.count()`; `narrow` says both are within the low 32 bits, where a
    /// word can hold the pair and count it at once (versions 1–3, the usual short URL:
    /// without a popcount instruction in the baseline target, counting is much of the
    /// penalty's work).
    fn count_pair(a: Self, b: Self, _narrow: bool) -> u32 {
        a.count() + b.count()
    }
    /// The row from its first 192 bits (those beyond the type's width are zero).
    fn from_words(words: [u64; 3]) -> Self;

    /// Bits 0..n.
    fn low(n: usize) -> Self {
        (0..n).fold(Self::ZERO, |acc, x| acc | Self::bit(x))
    }
}

/// `six` repeated through a u64, starting at bit 0.
fn repeat(six: u8) -> u64 {
    u64::from(six).wrapping_mul(0x1041_0410_4104_1041)
}

/// `six` as seen from a word starting `offset` columns into the period.
fn rotate(six: u8, offset: u32) -> u8 {
    (six >> offset | six << (6 - offset)) & 0x3f
}

impl Row for u64 {
    const ZERO: Self = 0;
    fn bit(x: usize) -> Self {
        1 << x
    }
    fn periodic(six: u8) -> Self {
        repeat(six)
    }
    fn count(self) -> u32 {
        self.count_ones()
    }
    fn count_pair(a: Self, b: Self, narrow: bool) -> u32 {
        if narrow {
            (a | b << 32).count_ones()
        } else {
            a.count_ones() + b.count_ones()
        }
    }
    fn from_words(words: [u64; 3]) -> Self {
        words[0]
    }
}

impl Row for u128 {
    const ZERO: Self = 0;
    fn bit(x: usize) -> Self {
        1 << x
    }
    fn periodic(six: u8) -> Self {
        u128::from(repeat(six)) | u128::from(repeat(rotate(six, 64 % 6))) << 64
    }
    fn count(self) -> u32 {
        self.count_ones()
    }
    fn from_words(words: [u64; 3]) -> Self {
        u128::from(words[0]) | u128::from(words[1]) << 64
    }
}

/// 192 bits, for versions 28–40 (up to 177 modules). Shifts are by 1–63 only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wide([u64; 3]);

impl Row for Wide {
    const ZERO: Self = Wide([0; 3]);
    fn bit(x: usize) -> Self {
        let mut words = [0; 3];
        words[x / 64] = 1 << (x % 64);
        Wide(words)
    }
    fn periodic(six: u8) -> Self {
        Wide([
            repeat(six),
            repeat(rotate(six, 64 % 6)),
            repeat(rotate(six, 128 % 6)),
        ])
    }
    fn count(self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
    fn from_words(words: [u64; 3]) -> Self {
        Wide(words)
    }
}

impl Shl<u32> for Wide {
    type Output = Self;
    fn shl(self, k: u32) -> Self {
        debug_assert!((1..64).contains(&k));
        let [a, b, c] = self.0;
        Wide([a << k, b << k | a >> (64 - k), c << k | b >> (64 - k)])
    }
}

impl Shr<u32> for Wide {
    type Output = Self;
    fn shr(self, k: u32) -> Self {
        debug_assert!((1..64).contains(&k));
        let [a, b, c] = self.0;
        Wide([a >> k | b << (64 - k), b >> k | c << (64 - k), c >> k])
    }
}

macro_rules! wide_bitwise {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl $trait for Wide {
            type Output = Self;
            fn $method(self, other: Self) -> Self {
                let (a, b) = (self.0, other.0);
                Wide([a[0] $op b[0], a[1] $op b[1], a[2] $op b[2]])
            }
        }
    )*};
}
wide_bitwise!(BitAnd bitand &, BitOr bitor |, BitXor bitxor ^);

impl Not for Wide {
    type Output = Self;
    fn not(self) -> Self {
        Wide(self.0.map(|w| !w))
    }
}

#[cfg(test)]
mod tests {
    use qrcode::bits::Bits;
    use qrcode::ec::construct_codewords;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    const LEVELS: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    /// Canvases of all three row widths: u64, u128 and `Wide`, at their extremes.
    const TIER_VERSIONS: [i16; 6] = [1, 11, 12, 27, 28, 40];

    #[derive(Debug, Clone, Copy)]
    enum Content {
        Numeric,
        Alphanumeric,
        Bytes,
        Utf8WithEci,
        /// Data codewords from a tiny palette, for long runs and repeats after masking.
        RawCodewords,
    }

    /// The data codewords of a random `content` filling up to all of `version`.
    fn data_codewords(rng: &mut StdRng, version: i16, level: EcLevel, content: Content) -> Vec<u8> {
        let mut bits = Bits::new(Version::Normal(version));
        let capacity = bits.max_len(level).unwrap();
        // Room left after the longest mode, count and ECI headers.
        let room = capacity - 4 - 16 - 12;
        let push = match content {
            Content::Numeric => {
                let len = rng.gen_range(0..=room * 3 / 10);
                let text: Vec<u8> = (0..len).map(|_| rng.gen_range(b'0'..=b'9')).collect();
                bits.push_numeric_data(&text)
            }
            Content::Alphanumeric => {
                const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
                let len = rng.gen_range(0..=room * 2 / 11);
                let text: Vec<u8> = (0..len)
                    .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())])
                    .collect();
                bits.push_alphanumeric_data(&text)
            }
            Content::Bytes => {
                let len = rng.gen_range(0..=room / 8);
                let bytes: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
                bits.push_byte_data(&bytes)
            }
            Content::Utf8WithEci => {
                const CHARS: [char; 8] = ['a', 'Z', '7', '/', 'é', 'ß', '漢', '🙂'];
                let target = rng.gen_range(0..=room / 8);
                let mut text = String::new();
                loop {
                    let c = CHARS[rng.gen_range(0..CHARS.len())];
                    if text.len() + c.len_utf8() > target {
                        break;
                    }
                    text.push(c);
                }
                bits.push_eci_designator(26)
                    .and_then(|()| bits.push_byte_data(text.as_bytes()))
            }
            Content::RawCodewords => {
                const PALETTES: [&[u8]; 4] = [&[0x00], &[0xff], &[0x00, 0xff], &[0x0f, 0xf0, 0x5d]];
                let palette = PALETTES[rng.gen_range(0..PALETTES.len())];
                return (0..capacity / 8)
                    .map(|_| palette[rng.gen_range(0..palette.len())])
                    .collect();
            }
        };
        push.unwrap();
        bits.push_terminator(level).unwrap();
        bits.into_bytes()
    }

    /// The canvas `QrCode::with_bits` masks: functional patterns and data, unmasked.
    fn unmasked(data: &[u8], version: i16, level: EcLevel) -> Canvas {
        let version = Version::Normal(version);
        let (data, ec) = construct_codewords(data, version, level).unwrap();
        let mut canvas = Canvas::new(version, level);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        canvas
    }

    fn random_canvas(rng: &mut StdRng, version: i16) -> (Canvas, EcLevel, Content) {
        let level = LEVELS[rng.gen_range(0..4)];
        let content = [
            Content::Numeric,
            Content::Alphanumeric,
            Content::Bytes,
            Content::Utf8WithEci,
            Content::RawCodewords,
        ][rng.gen_range(0..5)];
        let data = data_codewords(rng, version, level, content);
        (unmasked(&data, version, level), level, content)
    }

    fn dark_modules(canvas: Canvas) -> Vec<bool> {
        canvas
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect()
    }

    fn width(version: i16) -> usize {
        Version::Normal(version).width() as usize
    }

    /// The crate's (private) penalty rules, transcribed module by module.
    fn reference_penalty(dark: &[bool], width: usize) -> u32 {
        let w = width as isize;
        let mut score = 0i64;
        for horizontal in [true, false] {
            for i in 0..width {
                let line: Vec<bool> = (0..width)
                    .map(|j| {
                        if horizontal {
                            dark[i * width + j]
                        } else {
                            dark[j * width + i]
                        }
                    })
                    .collect();
                let mut start = 0;
                while start < width {
                    let end = (start..width)
                        .find(|&k| line[k] != line[start])
                        .unwrap_or(width);
                    if end - start >= 5 {
                        score += (end - start) as i64 - 2;
                    }
                    start = end;
                }
                let light =
                    |from: isize| (from..from + 4).all(|k| k < 0 || k >= w || !line[k as usize]);
                for j in 0..width - 6 {
                    let finder_like =
                        line[j..j + 7] == [true, false, true, true, true, false, true];
                    if finder_like && (light(j as isize - 4) || light(j as isize + 7)) {
                        score += 40;
                    }
                }
            }
            score -= 360;
        }
        for y in 0..width - 1 {
            for x in 0..width - 1 {
                let at = |dx, dy| dark[(y + dy) * width + x + dx];
                if at(0, 0) == at(1, 0) && at(0, 0) == at(0, 1) && at(0, 0) == at(1, 1) {
                    score += 3;
                }
            }
        }
        let ratio = (dark.iter().filter(|&&d| d).count() * 200 / dark.len()) as i64;
        (score + (ratio - 100).abs()) as u32
    }

    fn check_masks_and_penalties<R: Row>(rng: &mut StdRng, version: i16) {
        let (canvas, level, content) = random_canvas(rng, version);
        let width = width(version);
        let ours = Unmasked::<R>::read(&canvas, width);
        let mut rows = vec![R::ZERO; PAD_ABOVE + width + PAD_BELOW];
        for pattern in MASKS {
            ours.mask_into(pattern, level, &mut rows[PAD_ABOVE..][..width]);
            let mut theirs = canvas.clone();
            theirs.apply_mask(pattern);
            let theirs = dark_modules(theirs);
            let context = format!("version {version} {level:?} {content:?} {pattern:?}");
            assert!(
                rows_to_modules(&rows[PAD_ABOVE..][..width], width) == theirs,
                "{context}"
            );
            let score = penalty(&rows, width, R::low(width), None).expect("no score to beat");
            assert_eq!(
                u32::from(score),
                reference_penalty(&theirs, width),
                "{context}"
            );
            // Given a score to beat, it gives up only on a score that does not beat it,
            // and otherwise scores the same.
            for to_beat in [
                0,
                score / 2,
                score.saturating_sub(1),
                score,
                score + 1,
                u16::MAX,
            ] {
                match penalty(&rows, width, R::low(width), Some(to_beat)) {
                    None => assert!(
                        score >= to_beat,
                        "{context}: gave up on {score} < {to_beat}"
                    ),
                    Some(got) => assert_eq!(got, score, "{context}, to beat {to_beat}"),
                }
            }
        }
    }

    #[test]
    fn format_info_matches_the_standard_table() {
        assert_eq!(format_info(EcLevel::L, MaskPattern::Checkerboard), 0x77c4);
        assert_eq!(
            format_info(EcLevel::L, MaskPattern::HorizontalLines),
            0x72f3
        );
        assert_eq!(format_info(EcLevel::M, MaskPattern::Checkerboard), 0x5412);
        assert_eq!(format_info(EcLevel::Q, MaskPattern::Checkerboard), 0x355f);
        assert_eq!(format_info(EcLevel::H, MaskPattern::Checkerboard), 0x1689);
    }

    #[test]
    fn a_pattern_repeats_every_six_columns_in_every_row_width() {
        let six = 0b01_1001;
        let expected = |x: usize| six >> (x % 6) & 1 == 1;
        let w = Wide::periodic(six);
        for x in 0..192 {
            assert_eq!(w & Wide::bit(x) != Wide::ZERO, expected(x), "wide bit {x}");
        }
        for x in 0..128 {
            assert_eq!(
                u128::periodic(six) >> x & 1 == 1,
                expected(x),
                "u128 bit {x}"
            );
        }
        for x in 0..64 {
            assert_eq!(u64::periodic(six) >> x & 1 == 1, expected(x), "u64 bit {x}");
        }
    }

    #[test]
    fn wide_shifts_carry_between_words() {
        let w = Wide::bit(63) | Wide::bit(64) | Wide::bit(128);
        assert_eq!(w << 1, Wide::bit(64) | Wide::bit(65) | Wide::bit(129));
        assert_eq!(w >> 3, Wide::bit(60) | Wide::bit(61) | Wide::bit(125));
        assert_eq!(Wide::low(130).count(), 130);
    }

    #[test]
    fn a_run_of_n_modules_scores_n_minus_two_from_five_on() {
        let score = |set: u64| run_score(five(set), five(set) << 1);
        assert_eq!(score(0b1111), 0);
        assert_eq!(score(0b11111), 3);
        assert_eq!(score(0b111_1111 << 3), 5);
        assert_eq!(score(0b11111 | 0b11_1111 << 6), 3 + 4);
        let wide = five(Wide::low(177));
        assert_eq!(run_score(wide, wide << 1), 175);
    }

    #[test]
    fn every_mask_and_its_penalty_match_the_crate_in_every_row_width() {
        let mut rng = StdRng::seed_from_u64(7);
        for version in TIER_VERSIONS {
            for _ in 0..2 {
                match width(version) {
                    0..=64 => check_masks_and_penalties::<u64>(&mut rng, version),
                    65..=128 => check_masks_and_penalties::<u128>(&mut rng, version),
                    _ => check_masks_and_penalties::<Wide>(&mut rng, version),
                }
            }
        }
    }

    /// The mask read back from a symbol's format information.
    fn mask_in(dark: &[bool], width: usize, level: EcLevel) -> Option<MaskPattern> {
        let format = (0..15).fold(0, |acc, i| {
            let (x, y) = format_coords(i, width)[0];
            acc << 1 | u16::from(dark[y * width + x])
        });
        MASKS.into_iter().find(|&p| format_info(level, p) == format)
    }

    #[test]
    fn codewords_placed_from_the_template_are_the_canvas_the_crate_draws() {
        let mut rng = StdRng::seed_from_u64(0x91ace);
        for version in 1..=40 {
            for level in LEVELS {
                let data = data_codewords(&mut rng, version, level, Content::RawCodewords);
                let (data, ec) =
                    construct_codewords(&data, Version::Normal(version), level).unwrap();
                let mut canvas = Canvas::new(Version::Normal(version), level);
                canvas.draw_all_functional_patterns();
                canvas.draw_data(&data, &ec);
                let width = width(version);
                let placed = Unmasked::<Wide>::place(template(version), &data, &ec);
                let drawn = Unmasked::<Wide>::read(&canvas, width);
                assert!(
                    placed.dark == drawn.dark,
                    "version {version} {level:?}: dark"
                );
                assert!(
                    placed.maskable == drawn.maskable,
                    "version {version} {level:?}"
                );
                assert!(
                    symbol_from_codewords(version, level, &data, &ec)
                        == dark_modules(canvas.apply_best_mask()),
                    "version {version} {level:?}: symbol"
                );
            }
        }
    }

    #[test]
    fn the_chosen_mask_and_symbol_are_the_crates_over_thousands_of_random_inputs() {
        let mut rng = StdRng::seed_from_u64(0x5eed);
        // The crate's own search costs ~70 ns per module and mask, so small versions
        // (the common case) get most of the inputs; every version gets some.
        let mut checked = 0;
        for version in 1..=40 {
            let inputs = match version {
                1..=4 => 400,
                5..=10 => 100,
                11..=20 => 12,
                _ => 4,
            };
            for _ in 0..inputs {
                let (canvas, level, content) = random_canvas(&mut rng, version);
                let width = width(version);
                let expected = dark_modules(canvas.apply_best_mask());
                let chosen = best_mask(&canvas, width, level);
                let context = format!("version {version} {level:?} {content:?}, ours {chosen:?}");
                assert_eq!(
                    mask_in(&expected, width, level).map(|p| p as u8),
                    Some(chosen as u8),
                    "{context}"
                );
                assert!(
                    masked_symbol(canvas.clone(), Version::Normal(version), level) == expected,
                    "{context}"
                );
                let mut ours = canvas;
                ours.apply_mask(chosen);
                assert!(dark_modules(ours) == expected, "{context}");
                checked += 1;
            }
        }
        assert_eq!(checked, 4 * 400 + 6 * 100 + 10 * 12 + 20 * 4);
    }
}
