//! `POST /api/v1/batches` (a CSV or a JSON list) → `202 Accepted` with `Location`;
//! `GET /api/v1/batches/{id}` (status and progress), `GET /api/v1/batches/{id}/result.zip`
//! and `DELETE /api/v1/batches/{id}` (cancels a batch that runs, removes one that has
//! finished). Batches belong to the key's account: another account's id is a 404.

use std::collections::HashMap;

use actix_web::body::SizedStream;
use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::web::{self, Bytes, Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::stream;
use serde::Serialize;

use super::{Problem, body, logos, params};
use crate::batches::admission::{self, Refused, Submission};
use crate::batches::csv_batch::CsvBatch;
use crate::batches::intake::{self, IntakeError};
use crate::batches::items::{Defaults, DefaultsError, Entry, Failure, Validator};
use crate::batches::queue::Cancel;
use crate::batches::{finish, json_batch, upkeep};
use crate::clock::rfc3339;
use crate::domain::AccountStatus;
use crate::error::AppError;
use crate::gate::limits::Decision;
use crate::gate::{KeyCheck, KeyHolder, rate};
use crate::qr::design::KEY_PARAM;
use crate::state::{AppState, blocking};
use crate::store::{BatchRecord, BatchStatus, RowError};

/// A batch as the API (and the dashboard's progress script) shows it.
#[derive(Serialize)]
pub struct BatchView {
    pub id: String,
    pub status: &'static str,
    pub total: u32,
    pub done: u32,
    pub failed: u32,
    pub created: String,
    pub started: Option<String>,
    pub finished: Option<String>,
    /// When a finished batch and its ZIP will be removed.
    pub expires: Option<String>,
    /// Why the batch as a whole failed.
    pub error: Option<String>,
    /// The first rows that made no file.
    pub errors: Vec<RowError>,
    /// Where the ZIP is, once done.
    pub result: Option<String>,
}

impl BatchView {
    pub fn of(record: BatchRecord, keep_hours: u32, result: Option<String>) -> Self {
        let expires = record
            .finished_at
            .map(|at| rfc3339(at + i64::from(keep_hours) * 3600));
        Self {
            status: record.status.as_str(),
            total: record.total,
            done: record.done,
            failed: record.failed,
            created: rfc3339(record.created_at),
            started: record.started_at.map(rfc3339),
            finished: record.finished_at.map(rfc3339),
            expires,
            result: result.filter(|_| record.status == BatchStatus::Done),
            error: record.error,
            errors: record.row_errors,
            id: record.id,
        }
    }
}

pub async fn create(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = logos::active_holder(&req, &state).await?;
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
        "text/csv" => {
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
    let record = accept(state, holder.account.id, holder.standing.remaining, entries)
        .await
        .map_err(not_accepted_problem)?;
    let location = format!("/api/v1/batches/{}", record.id);
    let view = BatchView::of(record, config.keep_hours, None);
    Ok(HttpResponse::Accepted()
        .insert_header((LOCATION, location))
        .insert_header(("cache-control", "no-store"))
        .json(view))
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

/// Why a checked batch was not taken.
pub enum NotAccepted {
    Refused(Refused),
    Failed(AppError),
}

/// Loads the logos the rows name (a row naming one the account lacks fails), then records
/// and queues the batch. The dashboard's upload comes through here too.
pub async fn accept(
    state: &AppState,
    account_id: u64,
    remaining: Option<u64>,
    mut entries: Vec<Entry>,
) -> Result<BatchRecord, NotAccepted> {
    let mut loaded = HashMap::new();
    let mut missing: HashMap<String, String> = HashMap::new();
    for entry in &mut entries {
        let Entry::Ready(item) = entry else { continue };
        let Some(id) = item.design.logo.clone() else {
            continue;
        };
        if !loaded.contains_key(&id) && !missing.contains_key(&id) {
            match logos::load(state, account_id, &id).await {
                Ok((_, image)) => {
                    loaded.insert(id.clone(), image);
                }
                Err(problem) => {
                    missing.insert(id.clone(), format!("logo: {}", problem.detail()));
                }
            }
        }
        if let Some(error) = missing.get(&id) {
            *entry = Entry::Failed(Failure {
                row: item.row,
                filename: item.filename.clone(),
                error: error.clone(),
            });
        }
    }
    let submission = Submission {
        account_id,
        remaining,
        entries,
        logos: loaded,
        now: state.clock.now(),
    };
    let (store, files, batches) = (
        state.store.clone(),
        state.batch_files.clone(),
        state.batches.clone(),
    );
    let config = state.config.batches.clone();
    let submitted = blocking(move || {
        Ok(admission::submit(
            &store, &files, &batches, &config, submission,
        ))
    })
    .await
    .map_err(NotAccepted::Failed)?;
    submitted.map_err(NotAccepted::Refused)
}

pub async fn show(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = reader(&req, &state).await?;
    let answer = async {
        let record = batch(&state, holder.account.id, &id).await?;
        let result = format!("/api/v1/batches/{}/result.zip", record.id);
        let view = BatchView::of(record, state.config.batches.keep_hours, Some(result));
        Ok(HttpResponse::Ok()
            .insert_header(("cache-control", "no-store"))
            .json(view))
    };
    rate::stamp(answer.await, &decision)
}

pub async fn result(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = reader(&req, &state).await?;
    let answer = async {
        let record = batch(&state, holder.account.id, &id).await?;
        zip_response(&state, holder.account.id, &record)
            .await
            .map_err(|e| e.problem())
    };
    rate::stamp(answer.await, &decision)
}

pub async fn delete(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let (holder, decision) = reader(&req, &state).await?;
    let answer = async {
        let record = batch(&state, holder.account.id, &id).await?;
        remove(&state, holder.account.id, &record.id).await?;
        Ok(HttpResponse::NoContent().finish())
    };
    rate::stamp(answer.await, &decision)
}

/// Cancels a batch that is queued or running (it stops at its next row and stays, as
/// `cancelled`), or removes a finished one and its ZIP.
pub async fn remove(state: &AppState, account_id: u64, id: &str) -> Result<(), AppError> {
    let (store, files, batches) = (
        state.store.clone(),
        state.batch_files.clone(),
        state.batches.clone(),
    );
    let (now, target) = (state.clock.now(), id.to_owned());
    blocking(move || {
        match batches.cancel(account_id, &target) {
            Cancel::Stopping => {}
            Cancel::Waiting(job) => finish::cancel_waiting(&store, &files, &batches, job, now),
            Cancel::NotHeld => {
                store.remove_batch(account_id, &target)?;
                files.remove(account_id, &target);
            }
        }
        Ok(())
    })
    .await
}

/// The account's batch `id`, or a 404.
async fn batch(state: &AppState, account_id: u64, id: &str) -> Result<BatchRecord, Problem> {
    lookup(state, account_id, id)
        .await?
        .ok_or_else(|| no_such_batch(id))
}

/// The account's batch `id` with its live progress; `None` when there is none, or it has
/// expired (it goes now, with its ZIP).
pub async fn lookup(
    state: &AppState,
    account_id: u64,
    id: &str,
) -> Result<Option<BatchRecord>, AppError> {
    let (store, target) = (state.store.clone(), id.to_owned());
    let Some(record) = blocking(move || Ok(store.batch(account_id, &target)?)).await? else {
        return Ok(None);
    };
    let keep_hours = state.config.batches.keep_hours;
    if upkeep::expired(&record, state.clock.now(), keep_hours) {
        let (store, files, target) = (
            state.store.clone(),
            state.batch_files.clone(),
            id.to_owned(),
        );
        blocking(move || {
            store.remove_batch(account_id, &target)?;
            files.remove(account_id, &target);
            Ok(())
        })
        .await?;
        return Ok(None);
    }
    Ok(Some(live(state, account_id, record)))
}

/// A stored record with this process's live progress laid over it.
pub fn live(state: &AppState, account_id: u64, mut record: BatchRecord) -> BatchRecord {
    if let Some(now) = state.batches.progress(account_id, &record.id) {
        (record.status, record.done, record.failed) = (now.status, now.done, now.failed);
    }
    record
}

/// Why a ZIP cannot be sent.
pub enum NotReady {
    /// Still queued or running: done and total.
    Running(u32, u32),
    Ended(BatchStatus, Option<String>),
    Missing,
}

impl NotReady {
    pub fn message(&self) -> String {
        match self {
            NotReady::Running(done, total) => format!(
                "the batch is not finished yet ({done} of {total} rows drawn); ask again when its status is done"
            ),
            NotReady::Ended(status, reason) => format!(
                "the batch {} and has no ZIP{}",
                match status {
                    BatchStatus::Cancelled => "was cancelled",
                    _ => "failed",
                },
                reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            NotReady::Missing => "the batch's ZIP is gone; submit the batch again".into(),
        }
    }

    fn problem(&self) -> Problem {
        let problem = Problem::new(
            409,
            "batch-not-ready",
            "Batch has no result",
            self.message(),
        )
        .parameter("id");
        match self {
            NotReady::Running(..) => problem.header("retry-after", "2"),
            _ => problem,
        }
    }
}

/// The finished ZIP, streamed from its file (never read whole into memory).
pub async fn zip_response(
    state: &AppState,
    account_id: u64,
    record: &BatchRecord,
) -> Result<HttpResponse, NotReady> {
    match record.status {
        BatchStatus::Done => {}
        BatchStatus::Queued | BatchStatus::Running => {
            return Err(NotReady::Running(record.done, record.total));
        }
        status => return Err(NotReady::Ended(status, record.error.clone())),
    }
    let (files, id) = (state.batch_files.clone(), record.id.clone());
    let (file, len) = web::block(move || files.open_result(account_id, &id))
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(NotReady::Missing)?;
    let chunks = stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = web::block(move || {
            let mut buf = vec![0u8; 256 * 1024];
            let n = std::io::Read::read(&mut file, &mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((file, buf))) => Some((Ok(Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(actix_web::Error::from(e)), None)),
            Err(e) => Some((Err(actix_web::Error::from(e)), None)),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"qrgate-{}.zip\"", record.id),
        ))
        .insert_header(("cache-control", "private, no-store"))
        .body(SizedStream::new(len, Box::pin(chunks))))
}

/// The caller's key, if it may read its batches: any known key whose account is not
/// disabled, so that a batch that used up the quota can still be fetched.
async fn reader(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(Box<KeyHolder>, Decision), Problem> {
    let check = KeyCheck::from_request(req, state).await?;
    let decision = rate::decide(req, state, &check);
    if let Some(problem) = rate::refusal(&decision) {
        return Err(problem);
    }
    let problem = check.problem();
    match check {
        KeyCheck::Known(holder) if holder.standing.status != AccountStatus::Disabled => {
            Ok((holder, decision))
        }
        _ => Err(rate::stamp_problem(
            problem.unwrap_or_else(|| no_such_batch("")),
            &decision,
        )),
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

fn intake_problem(error: IntakeError) -> Problem {
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
    let detail = refused.to_string();
    match refused {
        Refused::Quota { needed, remaining } => {
            Problem::new(402, "batch-over-quota", "Not enough quota", detail)
                .parameter("body")
                .extension("items", needed)
                .extension("remaining", remaining)
        }
        Refused::AccountBusy { limit } => {
            Problem::new(429, "batches-busy", "Too many batches", detail)
                .header("retry-after", "10")
                .extension("max_active", limit)
        }
        Refused::Full { .. } => {
            Problem::new(503, "busy", "Server busy", detail).header("retry-after", "30")
        }
        Refused::StorageFull { stored, limit } => {
            Problem::new(409, "batch-storage-full", "Batch storage full", detail)
                .extension("stored_bytes", stored)
                .extension("max_stored_bytes", limit)
        }
        Refused::Store(e) => AppError::from(e).into(),
    }
}
