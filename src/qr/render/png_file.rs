//! The parts of a PNG file both direct writers share: an indexed-colour file written
//! chunk by chunk, and scanlines coded as a zlib stream whose repeated rows are copies.

use super::deflate::{Unit, Zlib};

/// A PNG's filtered scanlines as a zlib stream. Each distinct row is sent once, with
/// filter None, and its repeats below it as one copy of it: so the stream costs a few
/// operations per distinct row, and each row's bytes are read once.
pub struct Scanlines {
    zlib: Zlib,
    /// The last row pushed, with its filter byte; empty before the first.
    last: Vec<u8>,
    /// The last row as the zlib stream holds it, for its repeats.
    unit: Option<Unit>,
}

impl Scanlines {
    pub fn new(row_bytes: usize) -> Self {
        Self {
            zlib: Zlib::new(),
            last: Vec::with_capacity(row_bytes + 1),
            unit: None,
        }
    }

    /// `count` pixel rows of `row`.
    pub fn push(&mut self, row: &[u8], count: usize) {
        if count == 0 {
            return;
        }
        let mut repeats = count;
        let unit = match self.unit.take() {
            Some(unit) if self.last[1..] == *row => unit,
            _ => {
                self.last.clear();
                self.last.push(0); // filter: None
                self.last.extend_from_slice(row);
                repeats -= 1;
                self.zlib.unit(&self.last)
            }
        };
        self.zlib.repeat(&unit, repeats);
        self.unit = Some(unit);
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
