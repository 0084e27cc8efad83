//! The dashboard's batch upload: a `multipart/form-data` form with the CSRF token first,
//! then the design defaults, then the CSV file, in that order (the order of the fields
//! on the page, which browsers keep). The token is checked before anything else is read;
//! the file goes to the same streaming CSV reader as the API's, with the same bounds.

use actix_multipart::{Field, Multipart};
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::web::Payload;
use futures_util::StreamExt;

use super::{PageError, SiteOrigin, forms};
use crate::auth::csrf::{self, CSRF_FIELD};
use crate::batches::csv_batch::CsvBatch;
use crate::batches::intake::{self, IntakeError};
use crate::batches::items::{Defaults, Entry};
use crate::state::AppState;

/// Form fields that carry a design default are named `design_<parameter>`.
pub const DESIGN_PREFIX: &str = "design_";
pub const FILE_FIELD: &str = "file";
/// The longest value of a small field (the token, a design default).
const MAX_SMALL_FIELD: usize = 1024;
/// Fields other than the file a form may have.
const MAX_FIELDS: usize = 64;

/// Why an upload was not read: a page error (forged, malformed), or a message to show
/// above the form with its status.
pub enum UploadError {
    Page(PageError),
    Message(StatusCode, String),
}

impl From<PageError> for UploadError {
    fn from(error: PageError) -> Self {
        Self::Page(error)
    }
}

fn message(status: StatusCode, text: impl Into<String>) -> UploadError {
    UploadError::Message(status, text.into())
}

/// Reads the form into checked entries.
pub async fn read(
    req: &HttpRequest,
    state: &AppState,
    payload: Payload,
) -> Result<Vec<Entry>, UploadError> {
    if !forms::same_site(req, &SiteOrigin::of_request(req, state)) {
        tracing::warn!(path = %req.path(), "upload refused: sent from another site");
        return Err(PageError::CrossSite.into());
    }
    let config = &state.config.batches;
    let mut form = Multipart::new(req.headers(), payload);
    let mut token_checked = false;
    let mut defaults = Vec::new();
    let mut fields = 0;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| PageError::BadForm("body"))?;
        let name = field.name().unwrap_or_default().to_owned();
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(PageError::BadForm("fields").into());
        }
        if name == CSRF_FIELD {
            let token = small(&mut field).await?;
            let secure = state.config.server.secure_cookies;
            if !csrf::verify(req, &state.secret, secure, Some(&token)) {
                tracing::warn!(path = %req.path(), "upload refused: CSRF token missing or wrong");
                return Err(PageError::Csrf.into());
            }
            token_checked = true;
            continue;
        }
        if !token_checked {
            return Err(PageError::Csrf.into());
        }
        if let Some(parameter) = name.strip_prefix(DESIGN_PREFIX) {
            let value = small(&mut field).await?;
            defaults.push((parameter.to_owned(), value));
        } else if name == FILE_FIELD {
            let defaults = Defaults::parse(std::mem::take(&mut defaults)).map_err(|e| {
                message(
                    StatusCode::BAD_REQUEST,
                    format!("Design default {}: {}", e.parameter, e.message),
                )
            })?;
            let batch = CsvBatch::new(defaults, config.max_items);
            let entries = intake::read_csv(&mut field, config.max_body_bytes, batch).await;
            return entries.map_err(|e| match e {
                IntakeError::Csv(e) if e.line == 1 && e.message.contains("is empty") => {
                    message(StatusCode::BAD_REQUEST, "Choose a CSV file to upload.")
                }
                IntakeError::TooLarge { limit } => message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "The file is larger than the {} MiB a batch may be.",
                        limit >> 20
                    ),
                ),
                IntakeError::Csv(e) => message(
                    StatusCode::BAD_REQUEST,
                    format!("The CSV could not be read: {e}"),
                ),
                IntakeError::Read(_) => UploadError::Page(PageError::BadForm("body")),
            });
        } else {
            return Err(PageError::BadForm("field").into());
        }
    }
    Err(message(
        StatusCode::BAD_REQUEST,
        "Choose a CSV file to upload.",
    ))
}

/// A small text field, bounded.
async fn small(field: &mut Field) -> Result<String, UploadError> {
    let mut value = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| PageError::BadForm("body"))?;
        if value.len() + chunk.len() > MAX_SMALL_FIELD {
            return Err(PageError::BadForm("field too long").into());
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).map_err(|_| PageError::BadForm("utf-8").into())
}
