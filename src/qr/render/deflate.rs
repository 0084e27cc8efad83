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

/// A piece of the stream, packed in a word: `COPY | len << 16 | dist` is a copy of `len`
/// bytes from `dist` bytes back (the ranges may overlap); any other value is that many
/// literals, the next bytes of the stream's literal bytes. Literals are kept as the
/// bytes themselves, so describing a row is a copy of it and coding it a tight loop.
type Piece = u32;
const COPY: Piece = 1 << 31;

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

    /// Appends a unit of `len` bytes whose byte sum is `sum` and whose weighted sum,
    /// Σ xᵢ·(len − i) for i from 0, is `weighted`, `times` times over. Once:
    /// a' = a + sum, b' = b + len·a + weighted. After k times, a gained k·sum and b
    /// gained k·(len·a + weighted) plus len·sum for each earlier copy's bytes, taken
    /// k(k−1)/2 times: constant time for any number of repeats.
    fn units(&mut self, len: u64, sum: u64, weighted: u64, times: u64) {
        let k = times % ADLER_MOD;
        let pairs = (times * times.saturating_sub(1) / 2) % ADLER_MOD;
        let len = len % ADLER_MOD;
        let step = (len * self.a + weighted) % ADLER_MOD;
        self.b = (self.b + k * step + pairs * (len * sum % ADLER_MOD)) % ADLER_MOD;
        self.a = (self.a + k * sum) % ADLER_MOD;
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
        // Σ xᵢ·(len − i) = len·Σ xᵢ − Σ i·xᵢ. Taken as the sum of running sums (as the
        // Adler-32's b) each byte waited on the one before; as two plain sums the
        // processor adds many bytes at once. Chunks of 4,096 keep Σ i·xᵢ within u32
        // (255·4,095·4,096/2 < 2³²); u64 holds the totals unreduced for any row here.
        let (mut sum, mut indexed) = (0u64, 0u64);
        for (chunk, base) in bytes.chunks(4096).zip((0u64..).step_by(4096)) {
            let (mut chunk_sum, mut chunk_indexed) = (0u32, 0u32);
            for (i, &x) in (0u32..).zip(chunk) {
                chunk_sum += u32::from(x);
                chunk_indexed += i * u32::from(x);
            }
            sum += u64::from(chunk_sum);
            indexed += u64::from(chunk_indexed) + base * u64::from(chunk_sum);
        }
        let weighted = bytes.len() as u64 * sum - indexed;
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
    /// The bytes sent as literals, in order.
    literal_bytes: Vec<u8>,
    pieces: Vec<Piece>,
    /// How often each literal/length and distance symbol occurs: lengths and distances
    /// counted as copies are added, literal bytes all at once in `finish`.
    literal_counts: [u32; 286],
    distance_counts: [u32; 30],
    adler: Adler,
    /// Bytes described so far (a copy may only reach back this far).
    written: usize,
}

impl Zlib {
    #[cfg(test)]
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// A stream expected to hold about `literals` literal bytes: reserved at once, not
    /// grown (and copied) as they come.
    pub fn with_capacity(literals: usize) -> Self {
        let mut literal_counts = [0u32; 286];
        literal_counts[END_OF_BLOCK] = 1;
        Self {
            literal_bytes: Vec::with_capacity(literals),
            // Each run of equal bytes makes a literal piece and a copy: a 300 px code
            // outgrew `literals / 8` pieces every time (one regrowth per request).
            pieces: Vec::with_capacity(literals / 4),
            literal_counts,
            distance_counts: [0; 30],
            adler: Adler::new(),
            written: 0,
        }
    }

    fn copy_piece(&mut self, len: u16, dist: u16) {
        self.literal_counts[257 + length_symbol(len)] += 1;
        self.distance_counts[distance_symbol(dist)] += 1;
        self.pieces
            .push(COPY | u32::from(len) << 16 | u32::from(dist));
    }

    /// Appends `data`, coding each run of four or more equal bytes as one literal and a
    /// copy at distance 1.
    pub fn bytes(&mut self, data: &[u8]) {
        self.adler.bytes(data);
        self.literals(data);
    }

    /// Appends `data` and returns it as a unit for `repeat`.
    pub fn unit(&mut self, data: &[u8]) -> Unit {
        let unit = Unit::new(data);
        self.adler
            .units(unit.len as u64, unit.sum, unit.weighted, 1);
        self.literals(data);
        unit
    }

    /// The pieces for `data` (the Adler-32 is the caller's).
    fn literals(&mut self, data: &[u8]) {
        let mut start = 0; // of the literals not yet added
        let mut i = 0;
        // A run of four equal bytes is rare in a row of packed pixels: each byte is
        // compared with the next eight at a time, which rules out six starts at once
        // (one comparison of four bytes per start was the loop's whole cost).
        while i + 4 <= data.len() {
            if i + 9 <= data.len() {
                let at = |k: usize| u64::from_le_bytes(data[k..k + 8].try_into().expect("8 bytes"));
                let equal = zero_bytes(at(i) ^ at(i + 1)); // byte j: data[i + j] == data[i + j + 1]
                let runs = equal & equal >> 8 & equal >> 16; // byte j < 6: a run of 4 from i + j
                if runs == 0 {
                    i += 6;
                    continue;
                }
                i += runs.trailing_zeros() as usize / 8;
            }
            let byte = data[i];
            let four = u32::from_le_bytes(data[i..i + 4].try_into().expect("four bytes"));
            if four != u32::from(byte) * 0x0101_0101 {
                i += 1;
                continue;
            }
            let mut end = i + 4;
            while end < data.len() && data[end] == byte {
                end += 1;
            }
            self.literal_run(&data[start..=i]);
            self.copy(end - i - 1, 1);
            (i, start) = (end, end);
        }
        self.literal_run(&data[start..]);
        self.written += data.len();
    }

    /// `bytes` as literals.
    fn literal_run(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        // Counted in `finish`, all at once.
        self.literal_bytes.extend_from_slice(bytes);
        match self.pieces.last_mut() {
            Some(last) if *last & COPY == 0 => *last += bytes.len() as u32,
            _ => self.pieces.push(bytes.len() as u32),
        }
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
        self.adler
            .units(len as u64, unit.sum, unit.weighted, times as u64);
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
            self.copy_piece(take as u16, dist);
            len -= take;
        }
        self.copy_piece(len as u16, dist);
    }

    /// Adds the literal bytes to the symbol counts. A row of packed pixels has a few
    /// byte values, so counting into one table would wait on the previous increment
    /// of the same counter at almost every byte: four tables, summed, do not.
    fn count_literals(&mut self) {
        let mut tables = [[0u32; 256]; 4];
        let mut fours = self.literal_bytes.chunks_exact(4);
        for four in &mut fours {
            for (table, &byte) in tables.iter_mut().zip(four) {
                table[usize::from(byte)] += 1;
            }
        }
        for &byte in fours.remainder() {
            tables[0][usize::from(byte)] += 1;
        }
        for (byte, count) in self.literal_counts[..256].iter_mut().enumerate() {
            *count += tables.iter().map(|table| table[byte]).sum::<u32>();
        }
    }

    /// Builds the Huffman codes and measures the stream; `Deflated::write` writes it.
    pub fn finish(mut self) -> Deflated {
        self.count_literals();
        let literal_lengths = code_lengths::<286>(&self.literal_counts, 15);
        let distance_lengths = code_lengths::<30>(&self.distance_counts, 15);
        let header = Header::new(&literal_lengths, &distance_lengths);
        // Every token's bits from the counts: each symbol's code and its extra bits.
        // Literals and end of block have no extra bits: kept apart, that sum is one
        // the processor does several symbols at a time.
        let mut bits = 16 + 3 + header.bits + 32;
        bits += weighted_sum(
            &self.literal_counts[..257],
            &literal_lengths[..257],
            &[0; 257],
        );
        bits += weighted_sum(
            &self.literal_counts[257..],
            &literal_lengths[257..],
            &LENGTH_EXTRA,
        );
        bits += weighted_sum(&self.distance_counts, &distance_lengths, &DISTANCE_EXTRA);
        Deflated {
            literal_bytes: self.literal_bytes,
            pieces: self.pieces,
            literal_codes: canonical_codes(&literal_lengths),
            distance_codes: canonical_codes(&distance_lengths),
            header,
            adler: self.adler.value(),
            len: bits.div_ceil(8),
        }
    }

    /// The whole zlib stream as bytes (`finish`, then `write`).
    #[cfg(test)]
    pub fn into_bytes(self) -> Vec<u8> {
        let deflated = self.finish();
        let mut out = Vec::with_capacity(deflated.len());
        deflated.write(&mut out);
        assert_eq!(out.len(), deflated.len, "the measured length");
        out
    }
}

/// Σ countᵢ·(lengthᵢ + extraᵢ): the bits a symbol count costs under these codes.
fn weighted_sum(counts: &[u32], lengths: &[u8], extra: &[u8]) -> usize {
    counts
        .iter()
        .zip(lengths)
        .zip(extra)
        .map(|((&count, &length), &extra)| count as usize * usize::from(length + extra))
        .sum()
}

/// A described stream with its codes built, ready to write.
pub struct Deflated {
    literal_bytes: Vec<u8>,
    pieces: Vec<Piece>,
    literal_codes: [Code; 286],
    distance_codes: [Code; 30],
    header: Header,
    adler: u32,
    /// The stream's length in bytes, known before it is written.
    len: usize,
}

impl Deflated {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends the zlib stream: header, one final dynamic-Huffman block, Adler-32.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        // The bit writer stores whole words: room for one past the end.
        out.resize(start + self.len + 8, 0);
        let mut writer = BitWriter::new(&mut out[start..]);
        writer.bits(0x0178, 16); // deflate, 32 KiB window, "fastest" level, no dictionary
        writer.bits(1, 1); // final block
        writer.bits(2, 2); // dynamic Huffman codes
        self.header.write(&mut writer);
        let (literal, distance) = (&self.literal_codes, &self.distance_codes);
        let mut next_literal = 0;
        for &piece in &self.pieces {
            if piece & COPY == 0 {
                let end = next_literal + piece as usize;
                // Three codes (15 bits at most each) per store into the bit buffer, on
                // the loop that runs for every literal.
                let mut threes = self.literal_bytes[next_literal..end].chunks_exact(3);
                for three in &mut threes {
                    let a = literal[usize::from(three[0])];
                    let b = literal[usize::from(three[1])];
                    let c = literal[usize::from(three[2])];
                    writer.bits(
                        u64::from(a.bits)
                            | u64::from(b.bits) << a.len
                            | u64::from(c.bits) << (a.len + b.len),
                        a.len + b.len + c.len,
                    );
                }
                for &byte in threes.remainder() {
                    writer.code(literal[usize::from(byte)]);
                }
                next_literal = end;
            } else {
                let (len, dist) = ((piece >> 16 & 0x1ff) as u16, piece as u16);
                // Length code and extra bits, distance code and extra bits: 15 + 5 +
                // 15 + 13 bits at most, one store.
                let (l, d) = (length_symbol(len), distance_symbol(dist));
                let (length_code, distance_code) = (literal[257 + l], distance[d]);
                let mut value = u64::from(length_code.bits);
                let mut count = length_code.len;
                value |= u64::from(len - LENGTH_BASE[l]) << count;
                count += LENGTH_EXTRA[l];
                value |= u64::from(distance_code.bits) << count;
                count += distance_code.len;
                value |= u64::from(dist - DISTANCE_BASE[d]) << count;
                count += DISTANCE_EXTRA[d];
                writer.bits(value, count);
            }
        }
        writer.code(literal[END_OF_BLOCK]);
        let at = writer.finish();
        debug_assert_eq!(at + 4, self.len);
        out.truncate(start + at);
        out.extend_from_slice(&self.adler.to_be_bytes());
    }
}

/// The top bit of each byte of `x` that is zero, no other bit.
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !((x & LOW7).wrapping_add(LOW7) | x | LOW7)
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

/// Huffman code lengths for `counts`, none longer than `limit`. Over the limit, the counts
/// are flattened (halved, keeping every used symbol) until the tree is shallow enough:
/// not optimal, but it only happens for skewed counts, where it costs little. At least
/// two symbols get a code, as some decoders refuse a code of one symbol.
///
/// `N` is the alphabet's size (286, 30 or 19, at least `counts.len()`): the work
/// arrays are that long, not all the longest alphabet's.
fn code_lengths<const N: usize>(counts: &[u32], limit: u8) -> [u8; N] {
    let mut buffer = [0u64; N];
    let mut n = leaves(counts, &mut buffer);
    for (symbol, &count) in counts.iter().enumerate().take(2) {
        if n < 2 && count == 0 {
            buffer[n] = 1 << 16 | symbol as u64;
            n += 1;
        }
    }
    let leaves = &mut buffer[..n];
    loop {
        leaves.sort_unstable();
        let lengths = sorted_lengths(leaves);
        // The lightest leaf is the deepest.
        if leaves
            .first()
            .is_none_or(|&l| lengths[(l & 0xffff) as usize] <= limit)
        {
            return lengths;
        }
        for leaf in leaves.iter_mut() {
            let count = (*leaf >> 16 >> 1).max(1);
            *leaf = count << 16 | (*leaf & 0xffff);
        }
    }
}

/// Writes the used symbols of `counts` into `leaves` as (count, symbol) in one word
/// each, so that sorting the words sorts by weight, then symbol; returns how many.
fn leaves<const N: usize>(counts: &[u32], leaves: &mut [u64; N]) -> usize {
    debug_assert!(counts.len() <= N);
    let mut n = 0;
    for (symbol, &count) in counts.iter().enumerate() {
        if count > 0 {
            leaves[n] = u64::from(count) << 16 | symbol as u64;
            n += 1;
        }
    }
    n
}

/// Optimal (unlimited) Huffman code lengths for `counts`.
#[cfg(test)]
fn huffman_lengths<const N: usize>(counts: &[u32]) -> [u8; N] {
    let mut buffer = [0u64; N];
    let n = leaves(counts, &mut buffer);
    let leaves = &mut buffer;
    leaves[..n].sort_unstable();
    sorted_lengths(&leaves[..n])
}

/// Optimal (unlimited) Huffman code lengths for `leaves`, sorted: merge the two lightest
/// nodes until one is left; a symbol's length is its leaf's depth. Ties go to the lower
/// node number (symbols first, then merged nodes in the order they were made), so the
/// codes, and the files, are the same on every run.
///
/// Done in place over the leaves' weights (Moffat and Katajainen's method): with the
/// leaves sorted, merged nodes are made in order of weight, so the lightest node is
/// always at the front of the leaves or of the merged nodes, and the one array holds
/// first the merged weights and parent links, then the nodes' depths, then the leaves'
/// depths. Each merge prefers a leaf on a tie, as the lower node number. A leaf taken
/// earlier is never shallower than one taken later, so the depths go to the leaves in
/// sorted order by how many leaves each depth has.
fn sorted_lengths<const N: usize>(leaves: &[u64]) -> [u8; N] {
    let mut lengths = [0u8; N];
    let n = leaves.len();
    if n < 2 {
        return lengths; // one leaf is the root: depth 0
    }
    let mut a = [0u64; N];
    for (weight, &leaf) in a.iter_mut().zip(leaves.iter()) {
        *weight = leaf >> 16;
    }
    let a = &mut a[..n];

    // Merges: node `next` takes the two lightest of the leaves from `leaf` on and the
    // merged nodes from `root` to `next`; a merged node, once used, holds its parent.
    a[0] += a[1];
    let (mut root, mut leaf) = (0, 2);
    for next in 1..n - 1 {
        if leaf >= n || a[root] < a[leaf] {
            a[next] = a[root];
            a[root] = next as u64;
            root += 1;
        } else {
            a[next] = a[leaf];
            leaf += 1;
        }
        if leaf >= n || (root < next && a[root] < a[leaf]) {
            a[next] += a[root];
            a[root] = next as u64;
            root += 1;
        } else {
            a[next] += a[leaf];
            leaf += 1;
        }
    }
    // Depths of the merged nodes: the last is the root, every other's parent is later.
    a[n - 2] = 0;
    for next in (0..n - 2).rev() {
        a[next] = a[a[next] as usize] + 1;
    }
    // Leaves' depths: at each depth, the places not taken by merged nodes are leaves,
    // given from the heaviest (last) leaf down.
    let (mut available, mut depth) = (1usize, 0u64);
    let (mut merged, mut place) = (n - 1, n);
    while available > 0 {
        let mut internal = 0;
        while merged > 0 && a[merged - 1] == depth {
            internal += 1;
            merged -= 1;
        }
        while available > internal {
            place -= 1;
            a[place] = depth;
            available -= 1;
        }
        available = 2 * internal;
        depth += 1;
    }
    for (&leaf, &depth) in leaves.iter().zip(a.iter()) {
        lengths[(leaf & 0xffff) as usize] = depth.min(255) as u8;
    }
    lengths
}

/// A Huffman code as deflate sends it: its bits reversed (deflate writes codes starting
/// from their most significant bit into a least-significant-first stream), and its length.
#[derive(Clone, Copy, Default)]
struct Code {
    bits: u16,
    len: u8,
}

/// The canonical codes for `lengths` (RFC 1951, 3.2.2), by symbol: the first `N`.
fn canonical_codes<const N: usize>(lengths: &[u8]) -> [Code; N] {
    let mut per_length = [0u16; 16];
    for (_, len) in used(lengths) {
        per_length[usize::from(len)] += 1;
    }
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + per_length[bits - 1]) << 1;
        next[bits] = code;
    }
    let mut codes = [Code::default(); N];
    for (symbol, len) in used(lengths) {
        let code = next[usize::from(len)];
        next[usize::from(len)] += 1;
        codes[symbol] = Code {
            bits: code.reverse_bits() >> (16 - len),
            len,
        };
    }
    codes
}

/// The symbols with a code, and their lengths. Most of the 286 literal/length symbols
/// have none, in no order the processor could predict: eight lengths of zero are passed
/// over at once.
fn used(lengths: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    (0..)
        .step_by(8)
        .zip(lengths.chunks(8))
        .filter(|(_, eight)| {
            <[u8; 8]>::try_from(*eight).map_or(true, |w| u64::from_le_bytes(w) != 0)
        })
        .flat_map(|(base, eight)| (base..).zip(eight.iter().copied()))
        .filter(|&(_, len)| len > 0)
}

/// The most code length symbols the block header can need: one per literal/length and
/// distance code length.
const MAX_HEADER_RUNS: usize = 286 + 30;

/// The block header after BTYPE: the two code length sequences, run-length coded with
/// symbols 16 (repeat the previous 3–6 times), 17 (3–10 zeros) and 18 (11–138 zeros),
/// themselves Huffman coded.
struct Header {
    hlit: usize,
    hdist: usize,
    hclen: usize,
    /// (symbol, extra bits value); the count of extra bits follows from the symbol.
    runs: [(u8, u8); MAX_HEADER_RUNS],
    run_count: usize,
    lengths: [u8; 19],
    codes: [Code; 19],
    /// Its length in bits.
    bits: usize,
}

impl Header {
    fn new(literal: &[u8], distance: &[u8]) -> Self {
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
        let mut all = [0u8; MAX_HEADER_RUNS];
        all[..hlit].copy_from_slice(&literal[..hlit]);
        all[hlit..hlit + hdist].copy_from_slice(&distance[..hdist]);
        let all = &all[..hlit + hdist];

        let mut runs = [(0u8, 0u8); MAX_HEADER_RUNS];
        let mut run_count = 0;
        let mut push = |run: (u8, u8)| {
            runs[run_count] = run;
            run_count += 1;
        };
        let mut i = 0;
        while i < all.len() {
            let len = all[i];
            let run = run_length(&all[i..]);
            let mut left = run;
            if len == 0 {
                while left >= 11 {
                    let n = left.min(138);
                    push((18, (n - 11) as u8));
                    left -= n;
                }
                if left >= 3 {
                    push((17, (left - 3) as u8));
                    left = 0;
                }
            } else {
                push((len, 0));
                left -= 1;
                while left >= 3 {
                    let n = left.min(6);
                    push((16, (n - 3) as u8));
                    left -= n;
                }
            }
            for _ in 0..left {
                push((len, 0));
            }
            i += run;
        }

        let mut counts = [0u32; 19];
        for &(symbol, _) in &runs[..run_count] {
            counts[usize::from(symbol)] += 1;
        }
        let lengths = code_lengths::<19>(&counts, 7);
        let codes = canonical_codes(&lengths);
        let hclen = CODE_LENGTH_ORDER
            .iter()
            .rposition(|&s| lengths[s] > 0)
            .map_or(0, |i| i + 1)
            .max(4);
        let bits = 5
            + 5
            + 4
            + 3 * hclen
            + runs[..run_count]
                .iter()
                .map(|&(symbol, _)| usize::from(lengths[usize::from(symbol)] + extra_bits(symbol)))
                .sum::<usize>();
        Self {
            hlit,
            hdist,
            hclen,
            runs,
            run_count,
            lengths,
            codes,
            bits,
        }
    }

    fn write(&self, out: &mut BitWriter) {
        out.bits((self.hlit - 257) as u64, 5);
        out.bits((self.hdist - 1) as u64, 5);
        out.bits((self.hclen - 4) as u64, 4);
        for &symbol in &CODE_LENGTH_ORDER[..self.hclen] {
            out.bits(u64::from(self.lengths[symbol]), 3);
        }
        for &(symbol, extra) in &self.runs[..self.run_count] {
            out.code(self.codes[usize::from(symbol)]);
            out.bits(u64::from(extra), extra_bits(symbol));
        }
    }
}

/// How many bytes at the start of `data` (not empty) equal its first: eight compared at
/// a time, as the code lengths sent in a header are mostly long runs of zeros.
fn run_length(data: &[u8]) -> usize {
    let repeated = u64::from(data[0]) * 0x0101_0101_0101_0101;
    let mut words = data.chunks_exact(8);
    let mut run = 0;
    for word in &mut words {
        let differ = !zero_bytes(u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ repeated);
        let differ = differ & 0x8080_8080_8080_8080;
        if differ != 0 {
            return run + differ.trailing_zeros() as usize / 8;
        }
        run += 8;
    }
    run + words
        .remainder()
        .iter()
        .take_while(|&&b| b == data[0])
        .count()
}

/// The extra bits after a code length symbol: 16 (repeat 3–6 times) 2, 17 (3–10 zeros)
/// 3, 18 (11–138 zeros) 7, a length none.
fn extra_bits(symbol: u8) -> u8 {
    match symbol {
        16 => 2,
        17 => 3,
        18 => 7,
        _ => 0,
    }
}

/// Bits, least significant first, into a buffer sized for them (plus one word).
struct BitWriter<'a> {
    out: &'a mut [u8],
    /// Bytes complete in `out`.
    at: usize,
    buffer: u64,
    count: u8,
}

impl<'a> BitWriter<'a> {
    fn new(out: &'a mut [u8]) -> Self {
        Self {
            out,
            at: 0,
            buffer: 0,
            count: 0,
        }
    }

    /// Appends the low `count` (at most 56) bits of `value`. Fewer than 8 bits wait in
    /// the buffer between calls: each call stores the whole word and moves on by the
    /// bytes it completed. Storing only when a word was full cost a branch that went
    /// either way with the code lengths, which the processor mispredicted often.
    fn bits(&mut self, value: u64, count: u8) {
        debug_assert!(count <= 56 && value >> count == 0);
        self.buffer |= value << self.count;
        self.count += count;
        self.out[self.at..self.at + 8].copy_from_slice(&self.buffer.to_le_bytes());
        let complete = self.count / 8;
        self.at += usize::from(complete);
        self.buffer >>= 8 * complete;
        self.count &= 7;
    }

    fn code(&mut self, code: Code) {
        debug_assert!(code.len > 0, "a symbol without a code");
        self.bits(u64::from(code.bits), code.len);
    }

    /// The length written, in bytes (the last one partly, if bits wait: `bits` stored it).
    fn finish(self) -> usize {
        self.at + usize::from(self.count > 0)
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
        let stream = z.into_bytes();
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
        assert_eq!(inflate(&Zlib::new().into_bytes()), Vec::<u8>::new());
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
            assert_eq!(inflate(&z.into_bytes()), expected, "run of {n}");
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
        assert_eq!(inflate(&z.into_bytes()), expected);
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
            prop_assert_eq!(huffman_lengths::<286>(&counts)[..counts.len()].to_vec(), heap_lengths(&counts));
        }
    }

    #[test]
    fn limited_lengths_form_a_complete_code() {
        let mut fibonacci = vec![1u32, 1];
        while fibonacci.len() < 30 {
            fibonacci.push(fibonacci[fibonacci.len() - 1] + fibonacci[fibonacci.len() - 2]);
        }
        assert!(*huffman_lengths::<286>(&fibonacci).iter().max().unwrap() > 15);
        let lengths = &code_lengths::<286>(&fibonacci, 15)[..fibonacci.len()];
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
            prop_assert_eq!(inflate(&z.into_bytes()), expected);
        }
    }
}
