//! How a batch ends: its record (counts, status, the first row errors) written once more,
//! its files removed unless it is done, and its place in the queue freed. Also used for a
//! batch cancelled while it still waited for a worker.

use super::files::BatchFiles;
use super::manifest::ManifestRow;
use super::queue::{Batches, Job, Progress};
use crate::store::{BatchRecord, BatchStatus, RowError, Store};

/// Row errors kept in the record (and shown on the page); the manifest has all.
pub const LISTED_ERRORS: usize = 100;

/// A batch cancelled before a worker took it: recorded as cancelled at once.
pub fn cancel_waiting(store: &Store, files: &BatchFiles, batches: &Batches, job: Job, now: i64) {
    let mut end = Finish::new(store, now, &job.progress);
    end.status(BatchStatus::Cancelled, None);
    end.save(store, files, now, batches);
}

/// The record as it will be saved when the batch ends, and the manifest's rows.
pub struct Finish {
    pub record: BatchRecord,
    pub manifest: Vec<ManifestRow>,
    account_id: u64,
    progress_id: String,
}

impl Finish {
    pub fn new(store: &Store, now: i64, progress: &Progress) -> Self {
        let mut record = store
            .batch(progress.account_id, &progress.id)
            .ok()
            .flatten()
            .unwrap_or_else(|| BatchRecord {
                id: progress.id.clone(),
                status: BatchStatus::Queued,
                total: progress.total,
                done: 0,
                failed: 0,
                created_at: now,
                started_at: None,
                finished_at: None,
                zip_bytes: 0,
                error: None,
                row_errors: Vec::new(),
            });
        // Listed again, in row order, as the rows are gone through.
        record.row_errors.clear();
        Self {
            record,
            manifest: Vec::new(),
            account_id: progress.account_id,
            progress_id: progress.id.clone(),
        }
    }

    pub fn row(&mut self, row: usize, filename: &str, error: Option<&str>) {
        if let Some(error) = error
            && self.record.row_errors.len() < LISTED_ERRORS
        {
            self.record.row_errors.push(RowError {
                row: u32::try_from(row).unwrap_or(u32::MAX),
                filename: filename.to_owned(),
                error: error.to_owned(),
            });
        }
        self.manifest.push(ManifestRow {
            row,
            filename: filename.to_owned(),
            error: error.map(str::to_owned),
        });
    }

    pub fn counts(&mut self, progress: &Progress) {
        let now = progress.snapshot();
        (self.record.done, self.record.failed) = (now.done, now.failed);
    }

    pub fn status(&mut self, status: BatchStatus, error: Option<String>) {
        self.record.status = status;
        self.record.error = error;
    }

    /// Writes the final record, removes what must not stay, and frees the batch's place.
    pub fn save(mut self, store: &Store, files: &BatchFiles, now: i64, batches: &Batches) {
        if let Some(progress) = batches.progress_of(&self.progress_id) {
            self.counts(&progress);
        }
        self.record.finished_at = Some(now);
        let (account_id, id) = (self.account_id, self.record.id.clone());
        let kept = match store.update_batch(account_id, &self.record) {
            Ok(kept) => kept,
            Err(e) => {
                tracing::error!(batch = %id, error = %e, "a batch's record could not be saved");
                false
            }
        };
        if !kept || self.record.status != BatchStatus::Done {
            files.remove(account_id, &id);
        }
        batches.finished(&id);
    }
}
