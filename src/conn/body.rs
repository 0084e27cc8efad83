//! A request body must arrive in full within `server.client_body_timeout_secs` of its
//! head; actix's `client_request_timeout` covers only the head. Handlers read the body
//! through a stream that fails with a timeout at that deadline (readers turn it into
//! 408), and afterwards `settle` makes sure the connection cannot be held by a body that
//! never ends:
//!
//! - a body that timed out gets `408` and `Connection: close`, whatever the handler said;
//! - a body the handler did not read to its end (a GET or a 405 announcing a body, a
//!   413, a refused form) closes the connection after the response.
//!
//! For the second point the unread body is kept alive until the response is written.
//! actix-http (3.x) closes a connection whose request body is unfinished and still owned
//! when the response goes out (after `client_disconnect_timeout` of discarding what
//! arrives), but a *chunked* body whose reader was dropped is drained instead, with no
//! timer at all: a client that stalls mid-chunk would hold that connection for ever.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, ResponseError};
use futures_util::Stream;
use tokio::time::Sleep;

use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    Arriving,
    Complete,
    TimedOut,
}

/// The request's body, shared by the stream the handler reads and the middleware, which
/// keeps it alive after the handler is done with it.
pub struct Watched {
    inner: RefCell<Payload>,
    deadline: RefCell<Pin<Box<Sleep>>>,
    progress: Cell<Progress>,
}

/// What handlers read instead of the raw body.
struct TimedPayload(Rc<Watched>);

impl Stream for TimedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let watched = &self.0;
        if watched.progress.get() != Progress::Arriving {
            return Poll::Ready(None);
        }
        // What has arrived is delivered even at the deadline; only waiting is cut short.
        match Pin::new(&mut *watched.inner.borrow_mut()).poll_next(cx) {
            Poll::Ready(None) => {
                watched.progress.set(Progress::Complete);
                Poll::Ready(None)
            }
            Poll::Ready(Some(item)) => Poll::Ready(Some(item)),
            Poll::Pending => match watched.deadline.borrow_mut().as_mut().poll(cx) {
                Poll::Ready(()) => {
                    watched.progress.set(Progress::TimedOut);
                    Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the request body did not arrive in time",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Whether a body read failed because the body did not arrive in time.
pub fn is_body_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}

/// The 408 for a body that did not arrive in time.
pub fn body_timeout_problem() -> Problem {
    Problem::new(
        408,
        "body-timeout",
        "Request body timeout",
        "the request body did not arrive in full within server.client_body_timeout_secs of its headers; the connection is closed",
    )
    .parameter("body")
}

/// A request body kept alive until the response has been written (see above).
pub struct HeldBody {
    _body: Rc<Watched>,
}

/// Hands the handler `req`'s body through the deadline `limit` from now. `None` when the
/// request has no body.
pub fn watch(req: &mut ServiceRequest, limit: Duration) -> Option<Rc<Watched>> {
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        req.set_payload(payload);
        return None;
    }
    let watched = Rc::new(Watched {
        inner: RefCell::new(payload),
        deadline: RefCell::new(Box::pin(tokio::time::sleep(limit))),
        progress: Cell::new(Progress::Arriving),
    });
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(TimedPayload(watched.clone()));
    req.set_payload(Payload::from(stream));
    Some(watched)
}

/// After the handler: a body read to its end needs nothing more; otherwise the response
/// closes the connection (a 408 if the body timed out) and the body is held until then.
pub fn settle(
    mut response: ServiceResponse<BoxBody>,
    watched: Rc<Watched>,
) -> (ServiceResponse<BoxBody>, Option<HeldBody>) {
    let progress = watched.progress.get();
    if progress == Progress::Complete {
        return (response, None);
    }
    if progress == Progress::TimedOut && response.status() != StatusCode::REQUEST_TIMEOUT {
        // Whatever the handler made of the failed read, the answer is the timeout.
        response = response.into_response(body_timeout_problem().error_response());
    }
    response
        .response_mut()
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    (response, Some(HeldBody { _body: watched }))
}
