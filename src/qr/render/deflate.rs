//! A zlib stream (RFC 1950 around RFC 1951 deflate) written from what the caller knows
//! about its data instead of searched for. A plain QR PNG's scanlines are a few distinct
//! rows, each repeated over a module's height, and the rows themselves are runs of a few
//! byte values. So the caller states the structure, `bytes` (literals, with runs of one
//! value as copies at distance 1) and `repeat` (the last unit again, as copies at the
//! unit's distance), and this module codes the result in one block with Huffman codes
//! built for it. Compared with a general compressor run over every pixel row, the work
//! is per distinct byte, not per pixel, and the dynamic codes make the file a fraction of
//! the size (the profile showed PNG encoding at 29 % of an uncached request).

/// Deflate's limits: the longest copy, and the longest distance back.
const MAX_COPY: usize = 258;
const MIN_COPY: usize = 3;
const MAX_DISTANCE: usize = 32_768;

/// Base values and extra bits of the length symbols 257..=285 and distance symbols 0..=29.
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which the code length code's lengths are sent.
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];
const END_OF_BLOCK: usize = 256;

#[derive(Clone, Copy, Debug)]
enum Token {
    Literal(u8),
    /// `len` bytes copied from `dist` bytes back (the ranges may overlap).
    Copy {
        len: u16,
        dist: u16,
    },
}

/// Adler-32 of the uncompressed data, kept as it is described.
#[derive(Clone, Copy)]
struct Adler {
    a: u64,
    b: u64,
}

const ADLER_MOD: u64 = 65_521;

impl Adler {
    fn new() -> Self {
        Self { a: 1, b: 0 }
    }

    fn bytes(&mut self, data: &[u8]) {
        // 5552 bytes is the most that cannot overflow before the modulo (zlib's NMAX);
        // with u64 sums that holds with room to spare.
        for chunk in data.chunks(5552) {
            for &x in chunk {
                self.a += u64::from(x);
                self.b += self.a;
            }
            self.a %= ADLER_MOD;
            self.b %= ADLER_MOD;
        }
    }

    /// Appends a unit whose byte sum is `sum` and whose weighted sum, Σ xᵢ·(len − i) for
    /// i from 0, is `weighted`: a' = a + sum, b' = b + len·a + weighted.
    fn unit(&mut self, len: u64, sum: u64, weighted: u64) {
        self.b = (self.b + len * self.a + weighted) % ADLER_MOD;
        self.a = (self.a + sum) % ADLER_MOD;
    }

    fn value(self) -> u32 {
        ((self.b as u32) << 16) | self.a as u32
    }
}

/// Bytes that can be repeated: their length and the sums that update the Adler-32 for
/// each repeat in constant time, and the first two bytes (a repeat shorter than a copy,
/// 1–2 bytes in all, is sent as literals).
pub struct Unit {
    len: usize,
    sum: u64,
    weighted: u64,
    head: [u8; 2],
}

impl Unit {
    pub fn new(bytes: &[u8]) -> Self {
        // Σ xᵢ·(len − i) is the sum of the running sums, as in the Adler-32's b; u64
        // holds it unreduced for any row here (< 2⁶⁴ up to ~380 million bytes).
        let (mut sum, mut weighted) = (0u64, 0u64);
        for &x in bytes {
            sum += u64::from(x);
            weighted += sum;
        }
        let mut head = [0; 2];
        let n = bytes.len().min(2);
        head[..n].copy_from_slice(&bytes[..n]);
        Self {
            len: bytes.len(),
            sum: sum % ADLER_MOD,
            weighted: weighted % ADLER_MOD,
            head,
        }
    }
}

/// A zlib stream being described; `finish` codes it.
pub struct Zlib {
    tokens: Vec<Token>,
    /// How often each literal/length and distance symbol occurs, kept as tokens are
    /// added: the Huffman codes are built from them without another pass.
    literal_counts: [u32; 286],
    distance_counts: [u32; 30],
    adler: Adler,
    /// Bytes described so far (a copy may only reach back this far).
    written: usize,
}

impl Zlib {
    pub fn new() -> Self {
        let mut literal_counts = [0u32; 286];
        literal_counts[END_OF_BLOCK] = 1;
        Self {
            tokens: Vec::new(),
            literal_counts,
            distance_counts: [0; 30],
            adler: Adler::new(),
            written: 0,
        }
    }

    fn literal(&mut self, byte: u8) {
        self.literal_counts[usize::from(byte)] += 1;
        self.tokens.push(Token::Literal(byte));
    }

    fn copy_token(&mut self, len: u16, dist: u16) {
        self.literal_counts[257 + length_symbol(len)] += 1;
        self.distance_counts[distance_symbol(dist)] += 1;
        self.tokens.push(Token::Copy { len, dist });
    }

    /// Appends `data`, coding each run of four or more equal bytes as one literal and a
    /// copy at distance 1.
    pub fn bytes(&mut self, data: &[u8]) {
        self.adler.bytes(data);
        self.literals(data);
    }

    /// Appends `data` and returns it as a unit for `repeat`: its sums update the
    /// Adler-32, so the bytes are read once.
    pub fn unit(&mut self, data: &[u8]) -> Unit {
        let unit = Unit::new(data);
        self.adler.unit(unit.len as u64, unit.sum, unit.weighted);
        self.literals(data);
        unit
    }

    /// The tokens for `data` (the Adler-32 is the caller's).
    fn literals(&mut self, data: &[u8]) {
        // At most one token per byte: one reservation instead of a check per push.
        self.tokens.reserve(data.len());
        let mut i = 0;
        while i < data.len() {
            let byte = data[i];
            let mut end = i + 1;
            while end < data.len() && data[end] == byte {
                end += 1;
            }
            let run = end - i;
            self.literal(byte);
            if run > MIN_COPY {
                self.copy(run - 1, 1);
            } else {
                for _ in 1..run {
                    self.literal(byte);
                }
            }
            i = end;
        }
        self.written += data.len();
    }

    /// Appends `unit`, which must be the last `unit.len()` bytes appended, `times` more
    /// times.
    pub fn repeat(&mut self, unit: &Unit, times: usize) {
        let len = unit.len;
        assert!(
            len <= self.written && len <= MAX_DISTANCE,
            "a repeat reaches back past the data"
        );
        let total = len * times;
        if total < MIN_COPY {
            for _ in 0..times {
                self.bytes(&unit.head[..len]);
            }
            return;
        }
        for _ in 0..times {
            self.adler.unit(len as u64, unit.sum, unit.weighted);
        }
        self.copy(total, len);
        self.written += total;
    }

    /// Copies of `len` (at least 3) bytes from `dist` back, in pieces deflate can code.
    fn copy(&mut self, mut len: usize, dist: usize) {
        debug_assert!(len >= MIN_COPY);
        let dist = dist as u16;
        while len > MAX_COPY {
            // Never leave a remainder too short to be a copy.
            let take = if len - MAX_COPY < MIN_COPY {
                len - MIN_COPY
            } else {
                MAX_COPY
            };
            self.copy_token(take as u16, dist);
            len -= take;
        }
        self.copy_token(len as u16, dist);
    }

    /// The zlib stream: header, one final dynamic-Huffman block, Adler-32.
    pub fn finish(self) -> Vec<u8> {
        let literal_lengths = code_lengths(&self.literal_counts, 15);
        let distance_lengths = code_lengths(&self.distance_counts, 15);
        let literal_codes = canonical_codes(&literal_lengths);
        let distance_codes = canonical_codes(&distance_lengths);

        let mut out = BitWriter::new(self.tokens.len() / 2 + 64);
        out.bytes(&[0x78, 0x01]); // deflate, 32 KiB window, "fastest" level, no dictionary
        out.bits(1, 1); // final block
        out.bits(2, 2); // dynamic Huffman codes
        write_code_lengths(&mut out, &literal_lengths, &distance_lengths);
        for token in &self.tokens {
            match *token {
                Token::Literal(byte) => out.code(literal_codes[usize::from(byte)]),
                Token::Copy { len, dist } => {
                    let l = length_symbol(len);
                    out.code(literal_codes[257 + l]);
                    out.bits(u64::from(len - LENGTH_BASE[l]), LENGTH_EXTRA[l]);
                    let d = distance_symbol(dist);
                    out.code(distance_codes[d]);
                    out.bits(u64::from(dist - DISTANCE_BASE[d]), DISTANCE_EXTRA[d]);
                }
            }
        }
        out.code(literal_codes[END_OF_BLOCK]);
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.adler.value().to_be_bytes());
        bytes
    }
}

/// The length symbol (0..=28, sent as 257 + it) of a copy of `len` (3..=258) bytes: a
/// table, as this runs for every copy.
fn length_symbol(len: u16) -> usize {
    usize::from(LENGTH_SYMBOLS[usize::from(len)])
}

/// `LENGTH_SYMBOLS[len]`: the symbol whose base is the largest not above `len`.
const LENGTH_SYMBOLS: [u8; MAX_COPY + 1] = {
    let mut table = [0u8; MAX_COPY + 1];
    let mut symbol = 0;
    let mut len = MIN_COPY;
    while len <= MAX_COPY {
        while symbol + 1 < LENGTH_BASE.len() && LENGTH_BASE[symbol + 1] as usize <= len {
            symbol += 1;
        }
        table[len] = symbol as u8;
        len += 1;
    }
    table
};

/// The distance symbol (0..=29) of `dist` (1..=32,768). Past 4, each pair of symbols
/// covers a power of two: the symbol is twice the position of the highest set bit of
/// `dist - 1`, plus the bit below it.
fn distance_symbol(dist: u16) -> usize {
    let d = u32::from(dist) - 1;
    if d < 4 {
        return d as usize;
    }
    let high = 31 - d.leading_zeros();
    (2 * high + ((d >> (high - 1)) & 1)) as usize
}

/// The most symbols an alphabet has here (literal/length: 286).
const MAX_SYMBOLS: usize = 286;

/// Huffman code lengths for `counts`, none longer than `limit`. Over the limit, the counts
/// are flattened (halved, keeping every used symbol) until the tree is shallow enough:
/// not optimal, but it only happens for skewed counts, where it costs little. At least
/// two symbols get a code, as some decoders refuse a code of one symbol.
fn code_lengths(original: &[u32], limit: u8) -> Vec<u8> {
    let mut buffer = [0u32; MAX_SYMBOLS];
    let counts = &mut buffer[..original.len()];
    counts.copy_from_slice(original);
    for i in 0..2 {
        if counts.iter().filter(|&&c| c > 0).count() < 2 && counts[i] == 0 {
            counts[i] = 1;
        }
    }
    loop {
        let lengths = huffman_lengths(counts);
        if lengths.iter().all(|&l| l <= limit) {
            return lengths;
        }
        for count in counts.iter_mut().filter(|c| **c > 0) {
            *count = (*count >> 1).max(1);
        }
    }
}

/// Optimal (unlimited) Huffman code lengths: merge the two lightest nodes until one is
/// left; a symbol's length is its leaf's depth. Ties go to the lower node number
/// (symbols first, then merged nodes in the order they were made), so the codes, and
/// the files, are the same on every run.
///
/// No heap is needed: with the leaves sorted, merged nodes are made in order of weight,
/// so the lightest node is always at the front of one of the two lists. Everything is
/// on the stack; this runs three times per PNG.
fn huffman_lengths(counts: &[u32]) -> Vec<u8> {
    debug_assert!(counts.len() <= MAX_SYMBOLS);
    let mut leaves = [(0u64, 0u16); MAX_SYMBOLS];
    let mut used = 0;
    for (symbol, &count) in counts.iter().enumerate() {
        if count > 0 {
            leaves[used] = (u64::from(count), symbol as u16);
            used += 1;
        }
    }
    let leaves = &mut leaves[..used];
    leaves.sort_unstable(); // (weight, symbol) pairs are all different

    // Node numbers: symbols 0..counts.len(), then merged nodes in the order made.
    let base = counts.len();
    let mut merged = [0u64; MAX_SYMBOLS];
    let mut parent = [u16::MAX; 2 * MAX_SYMBOLS];
    let (mut next_leaf, mut next_merged) = (0, 0);
    for made in 0..used.saturating_sub(1) {
        let mut lightest = || {
            let leaf = leaves.get(next_leaf).copied();
            let node = merged[..made].get(next_merged).copied();
            match (leaf, node) {
                (Some((weight, symbol)), Some(m)) if weight <= m => {
                    next_leaf += 1;
                    (weight, usize::from(symbol))
                }
                (Some((weight, symbol)), None) => {
                    next_leaf += 1;
                    (weight, usize::from(symbol))
                }
                (_, Some(m)) => {
                    next_merged += 1;
                    (m, base + next_merged - 1)
                }
                (None, None) => unreachable!("two nodes are left while merging"),
            }
        };
        let (w1, n1) = lightest();
        let (w2, n2) = lightest();
        merged[made] = w1 + w2;
        parent[n1] = (base + made) as u16;
        parent[n2] = (base + made) as u16;
    }
    // A merged node comes after both of its children, so walking the nodes backwards
    // meets every parent before its children: one pass gives every depth.
    let nodes = base + used.saturating_sub(1);
    let mut depth = [0u8; 2 * MAX_SYMBOLS];
    for node in (0..nodes).rev() {
        if parent[node] != u16::MAX {
            depth[node] = depth[usize::from(parent[node])] + 1;
        }
    }
    depth[..base].to_vec()
}

/// A Huffman code as deflate sends it: its bits reversed (deflate writes codes starting
/// from their most significant bit into a least-significant-first stream), and its length.
#[derive(Clone, Copy, Default)]
struct Code {
    bits: u16,
    len: u8,
}

/// The canonical codes for `lengths` (RFC 1951, 3.2.2).
fn canonical_codes(lengths: &[u8]) -> Vec<Code> {
    let mut per_length = [0u16; 16];
    for &l in lengths.iter().filter(|&&l| l > 0) {
        per_length[usize::from(l)] += 1;
    }
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + per_length[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&len| {
            if len == 0 {
                return Code::default();
            }
            let code = next[usize::from(len)];
            next[usize::from(len)] += 1;
            Code {
                bits: code.reverse_bits() >> (16 - len),
                len,
            }
        })
        .collect()
}

/// The block header after BTYPE: the two code length sequences, run-length coded with
/// symbols 16 (repeat the previous 3–6 times), 17 (3–10 zeros) and 18 (11–138 zeros),
/// themselves Huffman coded.
fn write_code_lengths(out: &mut BitWriter, literal: &[u8], distance: &[u8]) {
    let hlit = literal
        .iter()
        .rposition(|&l| l > 0)
        .map_or(0, |i| i + 1)
        .max(257);
    let hdist = distance
        .iter()
        .rposition(|&l| l > 0)
        .map_or(0, |i| i + 1)
        .max(1);
    let all: Vec<u8> = literal[..hlit]
        .iter()
        .chain(&distance[..hdist])
        .copied()
        .collect();

    // (symbol, extra bits value, extra bits count)
    let mut runs: Vec<(usize, u64, u8)> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let len = all[i];
        let run = all[i..].iter().take_while(|&&l| l == len).count();
        let mut left = run;
        if len == 0 {
            while left >= 11 {
                let n = left.min(138);
                runs.push((18, (n - 11) as u64, 7));
                left -= n;
            }
            if left >= 3 {
                runs.push((17, (left - 3) as u64, 3));
                left = 0;
            }
        } else {
            runs.push((usize::from(len), 0, 0));
            left -= 1;
            while left >= 3 {
                let n = left.min(6);
                runs.push((16, (n - 3) as u64, 2));
                left -= n;
            }
        }
        runs.extend(std::iter::repeat_n((usize::from(len), 0, 0), left));
        i += run;
    }

    let mut counts = [0u32; 19];
    for &(symbol, _, _) in &runs {
        counts[symbol] += 1;
    }
    let lengths = code_lengths(&counts, 7);
    let codes = canonical_codes(&lengths);
    let hclen = CODE_LENGTH_ORDER
        .iter()
        .rposition(|&s| lengths[s] > 0)
        .map_or(0, |i| i + 1)
        .max(4);

    out.bits((hlit - 257) as u64, 5);
    out.bits((hdist - 1) as u64, 5);
    out.bits((hclen - 4) as u64, 4);
    for &symbol in &CODE_LENGTH_ORDER[..hclen] {
        out.bits(u64::from(lengths[symbol]), 3);
    }
    for (symbol, extra, extra_len) in runs {
        out.code(codes[symbol]);
        out.bits(extra, extra_len);
    }
}

/// Bits, least significant first, into bytes.
struct BitWriter {
    out: Vec<u8>,
    buffer: u64,
    count: u8,
}

impl BitWriter {
    fn new(capacity: usize) -> Self {
        Self {
            out: Vec::with_capacity(capacity),
            buffer: 0,
            count: 0,
        }
    }

    /// Appends the low `count` bits of `value`. The buffer holds fewer than 32 bits
    /// between calls, so it is emptied four bytes at a time rather than byte by byte.
    fn bits(&mut self, value: u64, count: u8) {
        debug_assert!(count <= 32 && value >> count == 0);
        self.buffer |= value << self.count;
        self.count += count;
        if self.count >= 32 {
            self.out
                .extend_from_slice(&(self.buffer as u32).to_le_bytes());
            self.buffer >>= 32;
            self.count -= 32;
        }
    }

    fn code(&mut self, code: Code) {
        debug_assert!(code.len > 0, "a symbol without a code");
        self.bits(u64::from(code.bits), code.len);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        debug_assert_eq!(self.count, 0);
        self.out.extend_from_slice(bytes);
    }

    fn into_bytes(mut self) -> Vec<u8> {
        while self.count > 0 {
            self.out.push(self.buffer as u8);
            self.buffer >>= 8;
            self.count = self.count.saturating_sub(8);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inflate(stream: &[u8]) -> Vec<u8> {
        // miniz_oxide checks the zlib header and the Adler-32 against the data.
        miniz_oxide::inflate::decompress_to_vec_zlib(stream).expect("a valid zlib stream")
    }

    #[test]
    fn rows_and_repeats_come_back_exactly() {
        let mut z = Zlib::new();
        let mut expected = Vec::new();
        let row: Vec<u8> = (0..39u8)
            .map(|i| if i % 5 < 2 { 0xff } else { i })
            .collect();
        z.bytes(&row);
        expected.extend_from_slice(&row);
        z.repeat(&Unit::new(&row), 7);
        for _ in 0..7 {
            expected.extend_from_slice(&row);
        }
        let up: Vec<u8> = std::iter::once(2).chain([0; 38]).collect();
        z.bytes(&up);
        z.repeat(&Unit::new(&up), 300);
        for _ in 0..301 {
            expected.extend_from_slice(&up);
        }
        let stream = z.finish();
        assert_eq!(inflate(&stream), expected);
        assert!(stream.len() < 120, "{} bytes", stream.len());
    }

    #[test]
    fn symbol_lookups_agree_with_the_base_tables() {
        // The symbol of a value is the one whose base is the largest not above it.
        let by_search = |bases: &[u16], value: u16| bases.partition_point(|&b| b <= value) - 1;
        for len in MIN_COPY as u16..=MAX_COPY as u16 {
            assert_eq!(
                length_symbol(len),
                by_search(&LENGTH_BASE, len),
                "length {len}"
            );
        }
        for dist in 1..=MAX_DISTANCE as u16 {
            assert_eq!(
                distance_symbol(dist),
                by_search(&DISTANCE_BASE, dist),
                "distance {dist}"
            );
        }
    }

    #[test]
    fn an_empty_stream_is_valid() {
        assert_eq!(inflate(&Zlib::new().finish()), Vec::<u8>::new());
    }

    #[test]
    fn long_runs_and_short_repeats_split_correctly() {
        for n in [1, 2, 3, 4, 5, 258, 259, 260, 261, 262, 516, 517, 1000] {
            let mut z = Zlib::new();
            let data = vec![7u8; n];
            z.bytes(&data);
            z.repeat(&Unit::new(&[7]), 1);
            z.repeat(&Unit::new(&data[..1]), 2);
            let mut expected = data;
            expected.extend([7, 7, 7]);
            assert_eq!(inflate(&z.finish()), expected, "run of {n}");
        }
    }

    #[test]
    fn skewed_counts_keep_codes_within_fifteen_bits() {
        // Fibonacci counts make an unlimited Huffman tree as deep as there are symbols.
        let mut z = Zlib::new();
        let (mut a, mut b) = (1usize, 1usize);
        let mut expected = Vec::new();
        for symbol in 0..26u8 {
            // Alternate values so that no run turns into a copy.
            let data: Vec<u8> = (0..a)
                .map(|i| if i % 2 == 0 { symbol } else { 200 })
                .collect();
            z.bytes(&data);
            expected.extend(data);
            (a, b) = (b, a + b);
        }
        assert_eq!(inflate(&z.finish()), expected);
    }

    /// The textbook construction with a binary heap, ties to the lower node number.
    fn heap_lengths(counts: &[u32]) -> Vec<u8> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut heap: BinaryHeap<Reverse<(u64, usize)>> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(symbol, &c)| Reverse((u64::from(c), symbol)))
            .collect();
        let mut parent = vec![usize::MAX; counts.len()];
        while heap.len() > 1 {
            let Reverse((w1, n1)) = heap.pop().unwrap();
            let Reverse((w2, n2)) = heap.pop().unwrap();
            parent.push(usize::MAX);
            let node = parent.len() - 1;
            (parent[n1], parent[n2]) = (node, node);
            heap.push(Reverse((w1 + w2, node)));
        }
        (0..counts.len())
            .map(|mut node| {
                let mut depth = 0;
                while parent[node] != usize::MAX {
                    (node, depth) = (parent[node], depth + 1);
                }
                depth
            })
            .collect()
    }

    proptest! {
        /// Same lengths as the heap, ties included: the PNG files stay byte for byte
        /// what they were.
        #[test]
        fn lengths_are_the_heap_constructions(
            counts in proptest::collection::vec(prop_oneof![Just(0u32), 1u32..4, 1u32..100_000], 1..286)
        ) {
            prop_assert_eq!(huffman_lengths(&counts), heap_lengths(&counts));
        }
    }

    #[test]
    fn limited_lengths_form_a_complete_code() {
        let mut fibonacci = vec![1u32, 1];
        while fibonacci.len() < 30 {
            fibonacci.push(fibonacci[fibonacci.len() - 1] + fibonacci[fibonacci.len() - 2]);
        }
        assert!(*huffman_lengths(&fibonacci).iter().max().unwrap() > 15);
        let lengths = code_lengths(&fibonacci, 15);
        assert!(lengths.iter().all(|&l| (1..=15).contains(&l)));
        // Kraft: a complete prefix code uses the whole code space.
        let space: u64 = lengths.iter().map(|&l| 1u64 << (15 - l)).sum();
        assert_eq!(space, 1 << 15);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_description_inflates_to_its_bytes(
            parts in proptest::collection::vec(
                (proptest::collection::vec(prop_oneof![Just(0u8), Just(255u8), any::<u8>()], 1..80),
                 0usize..20),
                0..12,
            )
        ) {
            let mut z = Zlib::new();
            let mut expected = Vec::new();
            for (unit, times) in parts {
                // Both ways of sending a unit: as bytes with its sums apart, and at once.
                if times % 2 == 0 {
                    z.bytes(&unit);
                    z.repeat(&Unit::new(&unit), times);
                } else {
                    let sent = z.unit(&unit);
                    z.repeat(&sent, times);
                }
                for _ in 0..=times {
                    expected.extend_from_slice(&unit);
                }
            }
            prop_assert_eq!(inflate(&z.finish()), expected);
        }
    }
}
