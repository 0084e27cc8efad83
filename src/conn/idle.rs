//! A watch on each connection for the one stall actix has no timer for: once a
//! connection has served a request, the head of the next one is not timed (actix's
//! `client_request_timeout` covers only a connection's first request, and its keep-alive
//! timer stops at the first byte of the next). A client that sends one request and then
//! a few bytes of another would hold the connection for ever.
//!
//! Every `window` (longer than keep-alive plus the head timeout, so an honest connection
//! has either started a request or been closed by actix within it) the watch looks at
//! the connection: if it has had no request in progress for a whole window, the client is
//! stuck inside a request head, and the connection is shut down. A response still being
//! written counts as in progress until it is done.

use std::cell::Cell;
use std::net::Shutdown;
use std::os::fd::{AsFd, OwnedFd};
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::rt::net::TcpStream;
use futures_util::future::{Either, select};
use tokio::sync::oneshot;

use super::cap::Slot;

/// What the watch knows of a connection: requests in progress, and since when there
/// have been none.
struct Activity {
    in_flight: Cell<u32>,
    idle_since: Cell<Instant>,
}

impl Activity {
    fn stalled_for(&self, window: Duration) -> bool {
        self.in_flight.get() == 0 && self.idle_since.get().elapsed() >= window
    }
}

/// A request in progress; dropped when its response has been written.
pub struct InFlight(Rc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        a.in_flight.set(a.in_flight.get().saturating_sub(1));
        if a.in_flight.get() == 0 {
            a.idle_since.set(Instant::now());
        }
    }
}

/// An admitted connection, kept in its connection data until actix drops it: its place
/// under the cap, and the end of its watch.
pub struct Connection {
    _slot: Slot,
    activity: Rc<Activity>,
    /// Dropping it ends the watch at once.
    _stop: Option<oneshot::Sender<()>>,
}

impl Connection {
    /// Starts watching `stream` (on the current worker's runtime).
    pub fn watch(slot: Slot, stream: &TcpStream, window: Duration) -> Self {
        let activity = Rc::new(Activity {
            in_flight: Cell::new(0),
            idle_since: Cell::new(Instant::now()),
        });
        // actix owns the socket; the watch shuts it down through a duplicate descriptor,
        // which shares the connection. Without one (out of descriptors) there is no watch.
        let stop = stream.as_fd().try_clone_to_owned().ok().map(|socket| {
            let (stop, stopped) = oneshot::channel();
            actix_web::rt::spawn(watch(activity.clone(), socket, window, stopped));
            stop
        });
        Self {
            _slot: slot,
            activity,
            _stop: stop,
        }
    }

    pub fn begin_request(&self) -> InFlight {
        let a = &self.activity;
        a.in_flight.set(a.in_flight.get() + 1);
        InFlight(self.activity.clone())
    }
}

async fn watch(
    activity: Rc<Activity>,
    socket: OwnedFd,
    window: Duration,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        let tick = Box::pin(tokio::time::sleep(window));
        if let Either::Right(_) = select(tick, &mut stopped).await {
            return; // the connection ended
        }
        if activity.stalled_for(window) {
            tracing::debug!("connection closed: stalled inside a request head");
            shut_down(socket);
            return;
        }
    }
}

/// Shuts both directions of a connection whose socket actix owns, through a duplicate
/// descriptor: actix sees the end at its next read and closes its own.
pub fn shut_down(socket: OwnedFd) {
    let _ = std::net::TcpStream::from(socket).shutdown(Shutdown::Both);
}
