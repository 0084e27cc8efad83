//! The parts of a PNG file both direct writers share: an indexed-colour file written
//! chunk by chunk, and scanlines coded as a zlib stream whose repeated rows are copies.

use super::deflate::{Deflated, Unit, Zlib};

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
    /// Rows of `row_bytes` bytes, of which about `distinct` differ from the row above.
    pub fn new(row_bytes: usize, distinct: usize) -> Self {
        Self {
            zlib: Zlib::with_capacity(distinct * (row_bytes + 1)),
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

    /// The stream, its codes built and its length known, to be written into the file.
    pub fn finish(self) -> Deflated {
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
        self.chunk_with(kind, |out| out.extend_from_slice(data));
    }

    /// A chunk whose data `write` appends to the file itself: the image data is written
    /// in place rather than built apart and copied in.
    pub fn chunk_with(&mut self, kind: &[u8; 4], write: impl FnOnce(&mut Vec<u8>)) {
        let start = self.out.len();
        self.out.extend_from_slice(&[0; 4]); // the length, once known
        self.out.extend_from_slice(kind);
        write(&mut self.out);
        let len = self.out.len() - start - 8;
        let len = u32::try_from(len).expect("a PNG chunk under 4 GiB");
        self.out[start..start + 4].copy_from_slice(&len.to_be_bytes());
        // The CRC covers the chunk's type and data.
        let crc = crc32fast::hash(&self.out[start + 4..]);
        self.out.extend_from_slice(&crc.to_be_bytes());
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.chunk(b"IEND", &[]);
        self.out
    }
}
