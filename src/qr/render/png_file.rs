//! The parts of a PNG file both direct writers share: an indexed-colour file written
//! chunk by chunk, and scanlines coded as a zlib stream whose repeated rows are copies.

use super::deflate::{Unit, Zlib};

/// A PNG's filtered scanlines as a zlib stream. Each row is sent once with filter None;
/// its repeats below it with filter Up, which makes them all zeros, and then as copies of
/// the row before. So the stream costs a few operations per distinct row.
pub struct Scanlines {
    zlib: Zlib,
    /// An Up-filtered repeat: filter byte 2, then zeros.
    up: Unit,
    /// The last row pushed (to merge equal neighbours); empty before the first.
    last: Vec<u8>,
}

impl Scanlines {
    pub fn new(row_bytes: usize) -> Self {
        let mut up = vec![0u8; row_bytes + 1];
        up[0] = 2;
        Self {
            zlib: Zlib::new(),
            up: Unit::new(up),
            last: Vec::with_capacity(row_bytes),
        }
    }

    /// `count` pixel rows of `row`.
    pub fn push(&mut self, row: &[u8], count: usize) {
        if count == 0 {
            return;
        }
        let mut repeats = count;
        if self.last != row {
            self.zlib.bytes(&[0]); // filter: None
            self.zlib.bytes(row);
            self.last.clear();
            self.last.extend_from_slice(row);
            repeats -= 1;
        }
        if repeats > 0 {
            // The first Up row is written out, the rest copy it. (Writing it even after
            // an Up row keeps this simple; it costs a few bytes per distinct row.)
            self.zlib.bytes(self.up.bytes());
            self.zlib.repeat(&self.up, repeats - 1);
        }
    }

    pub fn finish(self) -> Vec<u8> {
        self.zlib.finish()
    }
}

/// A PNG file written chunk by chunk: an indexed-colour image, not interlaced.
pub struct PngFile {
    out: Vec<u8>,
}

impl PngFile {
    /// A file of about `capacity` bytes (reserved at once: the chunks are appended).
    pub fn new(size: u32, bit_depth: u8, capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        let mut file = Self { out };
        let mut header = [0u8; 13];
        header[..4].copy_from_slice(&size.to_be_bytes());
        header[4..8].copy_from_slice(&size.to_be_bytes());
        // Bit depth, colour type 3 (palette), compression 0, filter method 0, interlace 0.
        header[8..].copy_from_slice(&[bit_depth, 3, 0, 0, 0]);
        file.chunk(b"IHDR", &header);
        file
    }

    pub fn chunk(&mut self, kind: &[u8; 4], data: &[u8]) {
        let len = u32::try_from(data.len()).expect("a PNG chunk under 4 GiB");
        self.out.extend_from_slice(&len.to_be_bytes());
        self.out.extend_from_slice(kind);
        self.out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        self.out.extend_from_slice(&crc.finalize().to_be_bytes());
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.chunk(b"IEND", &[]);
        self.out
    }
}
