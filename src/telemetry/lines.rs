//! Log lines to stderr without the process-wide lock of `std::io::stderr()`, and the
//! access log's buffers, which this writer flushes before any other line of the same
//! thread so that a thread's lines keep their order.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsFd;
use std::sync::{OnceLock, RwLock};

/// Log lines to stderr, each in one `write`, without the process-wide lock of
/// `std::io::stderr()`. That lock is held across the write system call, so with one
/// access-log line per request the workers queued on it (measured: about one futex call
/// per request, and half the cache-hit throughput; see the README's performance section).
/// A line of at most 512 bytes (POSIX's smallest `PIPE_BUF`) is written whole by one `write` to a pipe, file or
/// terminal, so such lines only share a lock for reading (no waiting); a longer line (a
/// long URL) takes it exclusively, so that it is never interleaved with another.
pub struct StderrLines {
    /// A duplicate of descriptor 2; `None` if it could not be made (then the standard
    /// handle is used).
    file: Option<File>,
    long_lines: RwLock<()>,
}

/// POSIX's smallest PIPE_BUF: writes up to it are atomic on a pipe.
const ATOMIC_WRITE: usize = 512;

impl StderrLines {
    /// The one writer of the process (`init` gives it to `tracing` and the access log).
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<StderrLines> = OnceLock::new();
        SHARED.get_or_init(Self::new)
    }

    pub fn new() -> Self {
        Self {
            file: std::io::stderr()
                .as_fd()
                .try_clone_to_owned()
                .ok()
                .map(File::from),
            long_lines: RwLock::new(()),
        }
    }

    /// Lines to another file (the allocation-budget test writes them to `/dev/null`).
    pub fn to_file(file: File) -> Self {
        Self {
            file: Some(file),
            long_lines: RwLock::new(()),
        }
    }
}

impl Default for StderrLines {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for StderrLines {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self)
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for &'static StderrLines {
    type Writer = LineWriter<'static>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self)
    }
}

impl StderrLines {
    /// Writes a block of whole lines (an access-log buffer) alone: longer than a pipe
    /// writes atomically, so no other line may be written meanwhile.
    pub(super) fn write_block(&self, block: &[u8]) {
        let Some(mut file) = self.file.as_ref() else {
            let _ = std::io::stderr().write_all(block);
            return;
        };
        let _alone = self.long_lines.write().unwrap_or_else(|e| e.into_inner());
        // Nowhere to report a failed log write; the next block tries again.
        let _ = file.write_all(block);
    }
}

/// Writes one formatted line (`tracing` hands each event to `write_all` once).
pub struct LineWriter<'a>(&'a StderrLines);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        // This thread's buffered access lines came first.
        super::access::flush_this_thread();
        let Some(mut file) = self.0.file.as_ref() else {
            return std::io::stderr().write_all(buf);
        };
        let lock = &self.0.long_lines;
        if buf.len() <= ATOMIC_WRITE {
            let _shared = lock.read().unwrap_or_else(|e| e.into_inner());
            file.write_all(buf)
        } else {
            let _alone = lock.write().unwrap_or_else(|e| e.into_inner());
            file.write_all(buf)
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
