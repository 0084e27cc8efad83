//! Background jobs on their own threads: the usage flush every interval, the rate-limiter
//! clean-up every minute. A thread (not an async task) runs the same under any runtime,
//! and its blocking work never sits on the executor. Stopping runs the job once more, so
//! the last usage counts are written at shutdown.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Periodic {
    stop: Sender<()>,
    thread: JoinHandle<()>,
}

impl Periodic {
    pub fn start(
        name: &str,
        interval: Duration,
        mut job: impl FnMut() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                loop {
                    let last = !matches!(
                        stopped.recv_timeout(interval),
                        Err(RecvTimeoutError::Timeout)
                    );
                    job();
                    if last {
                        break;
                    }
                }
            })?;
        Ok(Self { stop, thread })
    }

    /// Runs the job one last time and waits for the thread to finish.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}
