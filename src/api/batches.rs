//! `POST /api/v1/batches` (a CSV or a JSON list) → `202 Accepted` with `Location`;
//! `GET /api/v1/batches/{id}` (status and progress), `GET /api/v1/batches/{id}/result.zip`
//! and `DELETE /api/v1/batches/{id}` (cancels a batch that runs, removes one that has
//! finished). Batches belong to the key's account: another account's id is a 404.

use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};

use super::batch_access::{
    BatchView, NotAccepted, accept, lookup, refusal_status, remove, zip_response,
};
use super::usage::known_holder;
use super::{Problem, body, params};
use crate::batches::admission::Refused;
use crate::batches::csv_batch::CsvBatch;
use crate::batches::intake::{self, IntakeError};
use crate::batches::items::{Defaults, DefaultsError, Entry, Failure, Validator};
use crate::batches::json_batch;
use crate::conn::{body_timeout_problem, is_body_timeout};
use crate::error::AppError;
use crate::gate::limits::Decision;
use crate::gate::{KeyCheck, KeyHolder, Permission, admit, rate};
use crate::qr::design::KEY_PARAM;
use crate::state::AppState;
use crate::store::BatchRecord;

pub async fn create(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = admit(&req, &state, Permission::Write).await?;
    rate::stamp(create_for(&req, &state, &holder, payload).await, &decision)
}

async fn create_for(
    req: &HttpRequest,
    state: &AppState,
    holder: &KeyHolder,
    payload: Payload,
) -> Result<HttpResponse, Problem> {
    let config = &state.config.batches;
    let media = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let entries = match media.as_str() {
        "text/csv" | "application/csv" => {
            let defaults = query_defaults(req.query_string())?;
            let batch = CsvBatch::new(defaults, config.max_items);
            intake::read_csv(payload, config.max_body_bytes, batch)
                .await
                .map_err(intake_problem)?
        }
        "application/json" => {
            let body = body::read_capped(payload, config.max_body_bytes, "batch").await?;
            json_entries(&body, config.max_items)?
        }
        _ => {
            return Err(Problem::new(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                "send the batch as text/csv or application/json (Content-Type)",
            )
            .parameter("content-type"));
        }
    };
    let entries = entries
        .into_iter()
        .map(|entry| refuse_restricted_type(holder, entry))
        .collect();
    let record = accept(state, &holder.account, entries)
        .await
        .map_err(not_accepted_problem)?;
    let location = format!("/api/v1/batches/{}", record.id);
    let view = BatchView::of(record, config.keep_hours, None);
    Ok(HttpResponse::Accepted()
        .insert_header((LOCATION, location))
        .insert_header(("cache-control", "no-store"))
        .json(view))
}

/// A row of a QR type the key may not generate fails, as that request alone would.
fn refuse_restricted_type(holder: &KeyHolder, entry: Entry) -> Entry {
    match entry {
        Entry::Ready(item) => match holder.check_type(item.kind.as_str()) {
            Ok(()) => Entry::Ready(item),
            Err(restricted) => Entry::Failed(Failure {
                row: item.row,
                filename: item.filename,
                error: format!("type: {}", restricted.detail),
            }),
        },
        failed => failed,
    }
}

/// Design defaults for a CSV, from the query string (`?size=300&fg=...`).
fn query_defaults(query: &str) -> Result<Defaults, Problem> {
    let pairs = params::from_query(query)?
        .into_iter()
        .filter(|(name, _)| name != KEY_PARAM)
        .collect();
    Defaults::parse(pairs).map_err(|e| defaults_problem(e, ""))
}

fn json_entries(body: &[u8], max_items: usize) -> Result<Vec<Entry>, Problem> {
    let batch = json_batch::parse(body, max_items).map_err(|e| {
        let path = e.path.clone();
        invalid_body(format!("`{path}`: {}", e.message)).parameter(&path)
    })?;
    let defaults = Defaults::parse(batch.defaults).map_err(|e| defaults_problem(e, "design."))?;
    let mut validator = Validator::new(defaults, max_items);
    Ok(batch
        .items
        .into_iter()
        .map(|raw| validator.check(raw))
        .collect())
}

pub async fn show(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (_, record, decision) = own_batch(&req, &state, &id, Permission::Read).await?;
    let result = format!("/api/v1/batches/{}/result.zip", record.id);
    let view = BatchView::of(record, state.config.batches.keep_hours, Some(result));
    let answer = HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(view);
    rate::stamp(Ok(answer), &decision)
}

pub async fn result(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (account_id, record, decision) = own_batch(&req, &state, &id, Permission::Read).await?;
    let zip = zip_response(&state, account_id, &record).await;
    rate::stamp(zip.map_err(|e| e.problem()), &decision)
}

pub async fn delete(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (account_id, record, decision) = own_batch(&req, &state, &id, Permission::Write).await?;
    let removed = remove(&state, account_id, &record.id).await;
    let answer = removed.map(|()| HttpResponse::NoContent().finish());
    rate::stamp(answer.map_err(Problem::from), &decision)
}

/// The caller's batch `id`, if the key may do `permission` (any known key whose account
/// is not disabled, so that a batch that used up the quota can still be fetched; its
/// restrictions apply), with the rate decision to stamp on the answer; a 404 when the
/// account has no such batch.
async fn own_batch(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    permission: Permission,
) -> Result<(u64, BatchRecord, Decision), Problem> {
    let check = KeyCheck::from_request(req, state).await?;
    let decision = rate::decide(req, state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    let stamp = |problem| rate::stamp_problem(problem, &decision);
    let holder = known_holder(check).map_err(stamp)?;
    holder.require(permission).map_err(stamp)?;
    let account_id = holder.account.id;
    match lookup(state, account_id, id).await {
        Ok(Some(record)) => Ok((account_id, record, decision)),
        Ok(None) => Err(rate::stamp_problem(no_such_batch(id), &decision)),
        Err(e) => Err(rate::stamp_problem(e.into(), &decision)),
    }
}

fn no_such_batch(id: &str) -> Problem {
    let shown: String = id.chars().take(40).collect();
    Problem::new(
        404,
        "no-such-batch",
        "No such batch",
        format!("this account has no batch with the id `{shown}` (finished batches are kept for a while, then removed)"),
    )
    .parameter("id")
}

fn invalid_body(detail: String) -> Problem {
    Problem::new(400, "invalid-batch", "Invalid batch", detail).parameter("body")
}

fn intake_problem(error: IntakeError<PayloadError>) -> Problem {
    match error {
        IntakeError::TooLarge { limit } => Problem::new(
            413,
            "body-too-large",
            "Request body too large",
            format!("the batch is larger than the {limit} bytes accepted (batches.max_body_bytes)"),
        )
        .parameter("body")
        .extension("max_bytes", limit),
        IntakeError::Csv(e) => {
            invalid_body(format!("the CSV could not be read: {e}")).extension("line", e.line)
        }
        IntakeError::Read(e) if is_body_timeout(&e) => body_timeout_problem(),
        IntakeError::Read(e) => Problem::new(
            400,
            "bad-body",
            "Bad request body",
            format!("the body could not be read: {e}"),
        ),
    }
}

fn defaults_problem(error: DefaultsError, prefix: &str) -> Problem {
    let parameter = format!("{prefix}{}", error.parameter);
    Problem::new(
        400,
        "invalid-parameter",
        "Invalid parameter",
        format!("`{parameter}`: {}", error.message),
    )
    .parameter(&parameter)
}

fn not_accepted_problem(error: NotAccepted) -> Problem {
    let refused = match error {
        NotAccepted::Refused(refused) => refused,
        NotAccepted::Failed(e) => return e.into(),
    };
    let (detail, status) = (refused.to_string(), refusal_status(&refused));
    match refused {
        Refused::Quota { needed, remaining } => {
            Problem::new(status, "batch-over-quota", "Not enough quota", detail)
                .parameter("body")
                .extension("items", needed)
                .extension("remaining", remaining)
        }
        Refused::AccountBusy { limit } => {
            Problem::new(status, "batches-busy", "Too many batches", detail)
                .header("retry-after", "10")
                .extension("max_active", limit)
        }
        Refused::Full { .. } => {
            Problem::new(status, "busy", "Server busy", detail).header("retry-after", "30")
        }
        Refused::StorageFull { stored, limit } => {
            Problem::new(status, "batch-storage-full", "Batch storage full", detail)
                .extension("stored_bytes", stored)
                .extension("max_stored_bytes", limit)
        }
        Refused::Store(e) => AppError::from(e).into(),
    }
}
