//! A batch as an account sees it, for both front doors (the API and the dashboard):
//! taking in a checked batch (its logos loaded, then admission), finding one with its
//! live progress (an expired one goes when it is looked for), cancelling or removing it,
//! and streaming its ZIP. The handlers add authentication and their own answers.

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::body::SizedStream;
use actix_web::web::{self, Bytes};
use futures_util::stream;
use serde::Serialize;

use super::{Problem, logos};
use crate::batches::admission::{self, Refused, Submission};
use crate::batches::items::{Entry, Failure};
use crate::batches::queue::Cancel;
use crate::batches::{finish, upkeep};
use crate::clock::rfc3339;
use crate::domain::Account;
use crate::error::AppError;
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

/// Why a checked batch was not taken.
pub enum NotAccepted {
    Refused(Refused),
    Failed(AppError),
}

/// The status a refusal is answered with, on the API and on the dashboard alike.
pub fn refusal_status(refused: &Refused) -> u16 {
    match refused {
        Refused::Quota { .. } => 402,
        Refused::AccountBusy { .. } => 429,
        Refused::StorageFull { .. } => 409,
        Refused::Full { .. } | Refused::Store(_) => 503,
    }
}

/// Loads the logos the rows name (a row naming one the account lacks fails), then records
/// and queues the batch. The dashboard's upload comes through here too.
pub async fn accept(
    state: &AppState,
    account: &Account,
    mut entries: Vec<Entry>,
) -> Result<BatchRecord, NotAccepted> {
    let account_id = account.id;
    // The quota is read now, after the body, with what unfinished batches still needed
    // just before: rows they draw meanwhile are counted in one or both, never neither.
    let reserved = state.batches.reserved(account_id);
    let remaining = state
        .standing(account)
        .await
        .map_err(NotAccepted::Failed)?
        .remaining;
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
        reserved,
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

    pub fn problem(&self) -> Problem {
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
