//! A view of a database file that redb may write to while the file stays exactly as it
//! was. redb's integrity check verifies every page checksum, but it also repairs and
//! commits; run over this backend, its writes land in memory (only the blocks written are
//! held), so a damaged file can be judged without being touched — at start-up before
//! the real open, and by `qrgate check`.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

use redb::StorageBackend;

const BLOCK: u64 = 4096;

#[derive(Debug)]
pub struct Overlay {
    file: File,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The length redb sees.
    len: u64,
    /// Bytes of the file still visible (a shrink hides the rest, even if the view grows again).
    file_len: u64,
    /// Blocks written, by block number.
    written: HashMap<u64, Box<[u8]>>,
}

impl Overlay {
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self {
            file,
            state: Mutex::new(State {
                len,
                file_len: len,
                written: HashMap::new(),
            }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The block's current bytes: written ones, else the file's (zeros past its end).
    fn block(&self, state: &State, number: u64) -> io::Result<Box<[u8]>> {
        if let Some(block) = state.written.get(&number) {
            return Ok(block.clone());
        }
        let mut block = vec![0u8; BLOCK as usize].into_boxed_slice();
        let start = number * BLOCK;
        let from_file = state.file_len.saturating_sub(start).min(BLOCK) as usize;
        if from_file > 0 {
            self.file.read_exact_at(&mut block[..from_file], start)?;
        }
        Ok(block)
    }
}

fn out_of_range() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "read or write past the end")
}

/// The blocks a byte range touches, each with the part of it the range covers:
/// (block number, offset in the block, offset in the range, length).
fn pieces(offset: u64, len: usize) -> impl Iterator<Item = (u64, usize, usize, usize)> {
    let end = offset + len as u64;
    let mut at = offset;
    std::iter::from_fn(move || {
        (at < end).then(|| {
            let number = at / BLOCK;
            let in_block = (at % BLOCK) as usize;
            let take = (BLOCK as usize - in_block).min((end - at) as usize);
            let piece = (number, in_block, (at - offset) as usize, take);
            at += take as u64;
            piece
        })
    })
}

impl StorageBackend for Overlay {
    fn len(&self) -> Result<u64, io::Error> {
        Ok(self.state().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), io::Error> {
        let state = self.state();
        if offset
            .checked_add(out.len() as u64)
            .is_none_or(|end| end > state.len)
        {
            return Err(out_of_range());
        }
        for (number, in_block, in_out, take) in pieces(offset, out.len()) {
            let target = &mut out[in_out..in_out + take];
            match state.written.get(&number) {
                Some(block) => target.copy_from_slice(&block[in_block..in_block + take]),
                None => {
                    target.copy_from_slice(&self.block(&state, number)?[in_block..in_block + take])
                }
            }
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        let mut state = self.state();
        if len < state.len {
            state.file_len = state.file_len.min(len);
            state.written.retain(|number, _| number * BLOCK < len);
            // The bytes past the new end in the last block must read as zeros if it grows.
            let last = len / BLOCK;
            if let Some(block) = state.written.get_mut(&last) {
                block[(len % BLOCK) as usize..].fill(0);
            }
        }
        state.len = len;
        Ok(())
    }

    fn sync_data(&self) -> Result<(), io::Error> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        let mut state = self.state();
        if offset
            .checked_add(data.len() as u64)
            .is_none_or(|end| end > state.len)
        {
            return Err(out_of_range());
        }
        for (number, in_block, in_data, take) in pieces(offset, data.len()) {
            let mut block = match state.written.remove(&number) {
                Some(block) => block,
                None => self.block(&state, number)?,
            };
            block[in_block..in_block + take].copy_from_slice(&data[in_data..in_data + take]);
            state.written.insert(number, block);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlay_of(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf, Overlay) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, bytes).unwrap();
        let overlay = Overlay::open(&path).unwrap();
        (dir, path, overlay)
    }

    fn read(o: &Overlay, offset: u64, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        o.read(offset, &mut out).unwrap();
        out
    }

    #[test]
    fn writes_are_seen_through_the_view_and_never_reach_the_file() {
        let original: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let (_dir, path, o) = overlay_of(&original);
        o.write(4090, b"0123456789").unwrap();
        let mut expected = original.clone();
        expected[4090..4100].copy_from_slice(b"0123456789");
        assert_eq!(read(&o, 0, 10_000), expected);
        assert_eq!(std::fs::read(&path).unwrap(), original);
    }

    #[test]
    fn shrinking_then_growing_reads_zeros_past_the_old_end() {
        let (_dir, _path, o) = overlay_of(&[7u8; 9000]);
        o.write(4100, &[1, 2, 3]).unwrap();
        o.set_len(4101).unwrap();
        o.set_len(9000).unwrap();
        let after = read(&o, 4096, 10);
        assert_eq!(after, [7, 7, 7, 7, 1, 0, 0, 0, 0, 0]);
        assert_eq!(read(&o, 8990, 10), [0; 10]);
        assert!(o.read(8995, &mut [0; 10]).is_err(), "past the end");
    }

    #[test]
    fn a_redb_database_can_be_written_through_it_leaving_the_file_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        drop(redb::Database::create(&path).unwrap());
        let before = std::fs::read(&path).unwrap();
        let db = redb::Builder::new()
            .create_with_backend(Overlay::open(&path).unwrap())
            .unwrap();
        let table: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("t");
        let txn = db.begin_write().unwrap();
        txn.open_table(table).unwrap().insert(1, 2).unwrap();
        txn.commit().unwrap();
        use redb::ReadableDatabase;
        let read = db.begin_read().unwrap();
        assert_eq!(
            read.open_table(table)
                .unwrap()
                .get(1)
                .unwrap()
                .unwrap()
                .value(),
            2
        );
        drop(read);
        drop(db);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
