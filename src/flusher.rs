//! The background thread that writes usage counts to the store every interval, and once
//! more when asked to stop. A thread (not an async task) so that it runs the same under
//! any runtime, and its blocking redb commits never sit on the executor.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::metering::UsageMeter;
use crate::store::Store;

pub struct Flusher {
    stop: Sender<()>,
    thread: JoinHandle<()>,
}

impl Flusher {
    pub fn start(meter: UsageMeter, store: Store, interval: Duration) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("usage-flusher".into())
            .spawn(move || {
                loop {
                    let last = match stopped.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => false,
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => true,
                    };
                    if let Err(e) = meter.flush(&store) {
                        // The counts stay in memory and are retried at the next interval.
                        tracing::error!(error = %e, "usage counts could not be written");
                    }
                    if last {
                        break;
                    }
                }
            })?;
        Ok(Self { stop, thread })
    }

    /// Flushes one last time and waits for the thread to finish.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}
