//! The access log's lines, in the format `tracing` gives the other lines
//! (`2026-11-30T19:47:09.589924Z  INFO request method=GET path=/healthz status=200
//! micros=204`), gathered in a buffer per thread and written as one block when it holds
//! 16 KiB, every 100 ms (a thread of its own), before any other log line of the same
//! thread (so a thread's lines keep their order), and at shutdown.
//!
//! Why: one `write` system call per request to a log file or pipe, and formatting the line
//! through `tracing`, were together the largest cost of a cached request after the
//! network itself (perf, cpu-clock: ~6 % of the server's time each). The price: a
//! `kill -9` loses at most the last 100 ms of access lines. Other lines (warnings,
//! security events) are still written at once. On a terminal the access log goes through
//! `tracing` as before (colours, no delay).

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Redacted;
use super::lines::StderrLines;

/// A buffer is written when it holds this much.
const FLUSH_BYTES: usize = 16 * 1024;
/// And at least this often.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

struct Sink {
    lines: &'static StderrLines,
    /// Whether the log filter (`RUST_LOG`) lets `info` lines through.
    enabled: bool,
}

static SINK: OnceLock<Sink> = OnceLock::new();
/// Every thread's buffer, for the flusher.
static BUFFERS: Mutex<Vec<Arc<Mutex<Buffer>>>> = Mutex::new(Vec::new());

thread_local! {
    static MINE: OnceLock<Arc<Mutex<Buffer>>> = const { OnceLock::new() };
}

#[derive(Default)]
struct Buffer {
    bytes: Vec<u8>,
    /// The second `stamp` was formatted for.
    second: u64,
    /// `YYYY-MM-DDTHH:MM:SS` of `second`.
    stamp: String,
}

/// From now on, access lines go to `lines` through the buffers. Called once, after the
/// `tracing` subscriber is installed (its filter decides whether access lines are wanted).
pub fn buffer_to(lines: &'static StderrLines) {
    let enabled = tracing::enabled!(target: "qrgate::telemetry", tracing::Level::INFO);
    if SINK.set(Sink { lines, enabled }).is_err() {
        return;
    }
    let flusher = std::thread::Builder::new()
        .name("access-log".into())
        .spawn(|| {
            loop {
                std::thread::sleep(FLUSH_EVERY);
                flush_access_log();
            }
        });
    if let Err(e) = flusher {
        tracing::warn!(error = %e, "cannot start the access log's flusher; lines are written when 16 KiB gather");
    }
}

/// Adds one request's line to this thread's buffer. `false` when no buffered sink is
/// installed (tests, a terminal): then the caller logs it through `tracing`.
pub fn write(method: &str, path: &Redacted<'_>, status: u16, micros: u64) -> bool {
    let Some(sink) = SINK.get() else {
        return false;
    };
    if !sink.enabled {
        return true;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let _ = MINE.try_with(|mine| {
        let buffer = mine.get_or_init(register);
        let mut buffer = lock(buffer);
        buffer.line(now, method, path, status, micros);
        if buffer.bytes.len() >= FLUSH_BYTES {
            sink.lines.write_block(&buffer.bytes);
            buffer.bytes.clear();
        }
    });
    true
}

/// Writes what this thread has gathered (before another line of this thread).
pub fn flush_this_thread() {
    let Some(sink) = SINK.get() else {
        return;
    };
    let _ = MINE.try_with(|mine| {
        if let Some(buffer) = mine.get() {
            flush(sink, &mut lock(buffer));
        }
    });
}

/// Writes every thread's gathered lines: every 100 ms, and at shutdown.
pub fn flush_access_log() {
    let Some(sink) = SINK.get() else {
        return;
    };
    let mut buffers = lock(&BUFFERS);
    for buffer in buffers.iter() {
        flush(sink, &mut lock(buffer));
    }
    // A thread that has ended left its buffer here alone; it is empty now.
    buffers.retain(|buffer| Arc::strong_count(buffer) > 1);
}

fn flush(sink: &Sink, buffer: &mut Buffer) {
    if !buffer.bytes.is_empty() {
        sink.lines.write_block(&buffer.bytes);
        buffer.bytes.clear();
    }
}

fn register() -> Arc<Mutex<Buffer>> {
    let buffer = Arc::new(Mutex::new(Buffer {
        bytes: Vec::with_capacity(FLUSH_BYTES + 1024),
        ..Buffer::default()
    }));
    lock(&BUFFERS).push(Arc::clone(&buffer));
    buffer
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Buffer {
    fn line(&mut self, now: Duration, method: &str, path: &Redacted<'_>, status: u16, micros: u64) {
        let second = now.as_secs();
        if second != self.second || self.stamp.is_empty() {
            self.second = second;
            let mut stamp = crate::clock::rfc3339(second as i64);
            stamp.truncate(19); // without the `Z`
            self.stamp = stamp;
        }
        let bytes = &mut self.bytes;
        bytes.extend_from_slice(self.stamp.as_bytes());
        bytes.push(b'.');
        push_digits(bytes, u64::from(now.subsec_micros()), 6);
        bytes.extend_from_slice(b"Z  INFO request method=");
        bytes.extend_from_slice(method.as_bytes());
        bytes.extend_from_slice(b" path=");
        // Writing into a Vec cannot fail.
        let _ = write!(bytes, "{path}");
        bytes.extend_from_slice(b" status=");
        push_digits(bytes, u64::from(status), 1);
        bytes.extend_from_slice(b" micros=");
        push_digits(bytes, micros, 1);
        bytes.push(b'\n');
    }
}

/// `n` in decimal, zero-padded to `width` digits.
fn push_digits(bytes: &mut Vec<u8>, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for _ in (digits.len() - at)..width {
        bytes.push(b'0');
    }
    bytes.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_as_tracing_writes_the_other_lines() {
        let mut buffer = Buffer::default();
        let at = Duration::new(1_790_000_000, 5_000);
        let path = Redacted::new("/api/v1/usage", "api_key=qrg_secret&x=1");
        buffer.line(at, "GET", &path, 200, 1234);
        buffer.line(
            at + Duration::from_secs(61),
            "POST",
            &Redacted::new("/x", ""),
            404,
            7,
        );
        assert_eq!(
            String::from_utf8(buffer.bytes).unwrap(),
            "2026-09-21T14:13:20.000005Z  INFO request method=GET path=/api/v1/usage?api_key=REDACTED&x=1 status=200 micros=1234\n\
             2026-09-21T14:14:21.000005Z  INFO request method=POST path=/x status=404 micros=7\n"
        );
    }

    #[test]
    fn digits_are_padded_only_to_the_width_asked() {
        let mut bytes = Vec::new();
        push_digits(&mut bytes, 0, 1);
        bytes.push(b' ');
        push_digits(&mut bytes, 42, 6);
        bytes.push(b' ');
        push_digits(&mut bytes, u64::MAX, 1);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "0 000042 18446744073709551615"
        );
    }
}
