//! Bounds on the request head, checked before routing: a URI of at most 8 KiB (414
//! beyond) and at most 16 KiB of headers (431 beyond). Bodies are bounded where they are
//! read (forms 16 KiB, JSON 64 KiB, logos 256 KiB).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use crate::problem::Problem;

pub const MAX_URI_BYTES: usize = 8 * 1024;
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

pub async fn request_head(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let uri_bytes = req.uri().to_string().len();
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let refusal = if uri_bytes > MAX_URI_BYTES {
        Some(
            Problem::new(414, "uri-too-long", "URI too long", format!("the URI is {uri_bytes} bytes; at most {MAX_URI_BYTES} are accepted (send large content with POST /api/v1/qr)"))
                .parameter("uri"),
        )
    } else if header_bytes > MAX_HEADER_BYTES {
        Some(
            Problem::new(
                431,
                "headers-too-large",
                "Request headers too large",
                format!(
                    "the headers are {header_bytes} bytes; at most {MAX_HEADER_BYTES} are accepted"
                ),
            )
            .parameter("headers"),
        )
    } else {
        None
    };
    match refusal {
        Some(problem) => {
            let response = problem.error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}
