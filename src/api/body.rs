//! Reading request bodies with a hard cap, so that an oversized body gets a problem+json
//! 413 naming the limit (actix's own payload limit answers in plain text), and a body
//! that stops arriving gets 408 at `server.client_body_timeout_secs` (the deadline is
//! `conn::guard`'s, which also closes the connection).

use actix_web::web::{Bytes, BytesMut, Payload};
use futures_util::StreamExt;

use super::Problem;
use crate::conn::{body_timeout_problem, is_body_timeout};

pub async fn read_capped(mut payload: Payload, limit: usize, what: &str) -> Result<Bytes, Problem> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if is_body_timeout(&e) {
                return body_timeout_problem();
            }
            Problem::new(
                400,
                "bad-body",
                "Bad request body",
                format!("the body could not be read: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(Problem::new(
                413,
                "body-too-large",
                "Request body too large",
                format!("the {what} is larger than the {limit} bytes accepted"),
            )
            .parameter("body")
            .extension("max_bytes", limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
