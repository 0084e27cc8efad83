//! The connection, before any route sees a request: how many connections one client
//! address may hold (`cap`), how long a request body may take to arrive (`body`), and a
//! watch for connections stalled inside a later request's head (`idle`). With actix's
//! head timeout and keep-alive they make sure that a client which opens connections and
//! stalls holds nothing for long.

mod body;
mod cap;
mod idle;

use std::any::Any;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::Error;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::rt::net::TcpStream;
use actix_web::web::{Bytes, Data};

pub use body::{body_timeout_problem, is_body_timeout};
pub use cap::{ConnectionCap, Slot};
use idle::{Connection, InFlight};

use crate::client_ip::client_network;
use crate::config::ServerConfig;
use crate::state::AppState;

/// actix's `on_connect` hook: admits each new connection under the cap (and watches it),
/// or resets it at once.
pub struct ConnectionGuard {
    cap: Arc<ConnectionCap>,
    /// See `idle`: longer than keep-alive plus the head timeout.
    window: Duration,
}

impl ConnectionGuard {
    pub fn new(config: &ServerConfig) -> Self {
        Self {
            cap: ConnectionCap::new(config.max_connections_per_ip),
            window: Duration::from_secs(
                config.keep_alive_secs + config.client_request_timeout_secs + 1,
            ),
        }
    }

    pub fn on_connect(&self, io: &dyn Any, data: &mut Extensions) {
        let Some(stream) = io.downcast_ref::<TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return; // already gone
        };
        match self.cap.admit(peer.ip()) {
            Some(slot) => {
                data.insert(Connection::watch(slot, stream, self.window));
            }
            None => {
                let network = client_network(peer.ip());
                tracing::debug!(%network, "connection refused: over max_connections_per_ip");
                // A zero linger makes the close a reset: the client learns at once.
                let _ = stream.set_zero_linger();
                if let Ok(socket) = stream.as_fd().try_clone_to_owned() {
                    idle::shut_down(socket);
                }
            }
        }
    }
}

/// Middleware around every route: counts the request as in progress on its connection
/// until its response is written, and puts its body (if any) under the body deadline.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<Guarded>, Error> {
    let in_flight = req.conn_data::<Connection>().map(Connection::begin_request);
    let limit = req
        .app_data::<Data<AppState>>()
        .map(|state| Duration::from_secs(state.config.server.client_body_timeout_secs));
    let watched = limit.and_then(|limit| body::watch(&mut req, limit));
    let response = next.call(req).await?.map_into_boxed_body();
    let (response, held) = match watched {
        Some(watched) => body::settle(response, watched),
        None => (response, None),
    };
    Ok(response.map_body(|_, body| Guarded {
        body,
        _in_flight: in_flight,
        _request_body: held,
    }))
}

/// A response body carrying what must live until it has been written.
pub struct Guarded {
    body: BoxBody,
    _in_flight: Option<InFlight>,
    _request_body: Option<body::HeldBody>,
}

impl MessageBody for Guarded {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}
