//! RFC 9457 problem details: every API error is `application/problem+json` with `type`,
//! `title`, `status`, `detail`, and where it applies the offending `parameter`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::AppError;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Boxed, so that `Result<_, Problem>` stays small on the hot path.
#[derive(Debug)]
pub struct Problem(Box<ProblemBody>);

#[derive(Debug, Serialize)]
struct ProblemBody {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<String>,
    /// Extension members (RFC 9457 §3.2), e.g. the usage figures on a 402.
    #[serde(flatten)]
    extensions: Map<String, Value>,
    #[serde(skip)]
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Problem {
    /// `slug` names the problem type; it becomes `urn:qrgate:problem:<slug>`.
    pub fn new(status: u16, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemBody {
            kind: format!("urn:qrgate:problem:{slug}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            parameter: None,
            extensions: Map::new(),
            headers: Vec::new(),
        }))
    }

    /// Names the request parameter the problem is about.
    pub fn parameter(mut self, name: &str) -> Self {
        self.0.parameter = Some(name.to_owned());
        self
    }

    pub fn extension(mut self, name: &str, value: impl Serialize) -> Self {
        self.0.extensions.insert(
            name.to_owned(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.0.status = status;
        self
    }

    pub fn detail(&self) -> &str {
        &self.0.detail
    }

    /// The detail with anything outside printable ASCII replaced, for use in a header.
    pub fn detail_ascii(&self) -> String {
        self.0
            .detail
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.0.headers.push((HeaderName::from_static(name), value));
        }
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.0.status, self.0.title, self.0.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response
            .content_type(PROBLEM_CONTENT_TYPE)
            .insert_header((CACHE_CONTROL, "no-store"));
        for header in &self.0.headers {
            response.insert_header(header.clone());
        }
        response.body(serde_json::to_string(&self.0).unwrap_or_default())
    }
}

impl From<AppError> for Problem {
    /// Internal failures are logged in full and answered opaquely.
    fn from(error: AppError) -> Self {
        error.log();
        if error.is_unavailable() {
            Problem::new(
                503,
                "unavailable",
                "Service unavailable",
                "The server could not complete this request now; try again shortly.",
            )
            .header("retry-after", "1")
        } else {
            Problem::new(
                500,
                "internal",
                "Internal server error",
                "The server hit an internal error. It has been logged.",
            )
        }
    }
}
