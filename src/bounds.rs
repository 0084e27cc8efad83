//! Bounds on the request head, checked before routing: a URI of at most 8 KiB (414
//! beyond) and at most 16 KiB of headers (431 beyond). Bodies are bounded where they are
//! read (forms 16 KiB, JSON 64 KiB, logos 256 KiB).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use crate::problem::Problem;

pub const MAX_URI_BYTES: usize = 8 * 1024;
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

pub async fn request_head(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let uri_bytes = uri_len(req.uri());
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

/// The length of the URI as written, without writing it: a request's URI is almost always
/// a path and query (origin form); other forms are measured through their `Display`.
fn uri_len(uri: &Uri) -> usize {
    if uri.scheme().is_none() && uri.authority().is_none() {
        return uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    }
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = std::fmt::write(&mut count, format_args!("{uri}"));
    count.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uri_length_is_that_of_the_uri_as_written() {
        for uri in [
            "/",
            "/api/v1/qr/url?size=300&url=https%3A%2F%2Fexample.org",
            "/x?",
            "*",
            "http://example.org:8080/a/b?c=d",
            "example.org:443",
        ] {
            let parsed: Uri = uri.parse().unwrap();
            assert_eq!(uri_len(&parsed), parsed.to_string().len(), "{uri}");
        }
    }
}
