//! Keeping the batch folder and records tidy: at start, batches the previous process left
//! unfinished are marked failed and every file no finished batch owns is removed; every
//! minute (and at start), finished batches older than `batches.keep_hours` go with their
//! files; before a new batch is recorded, an account's oldest finished batches beyond
//! `MAX_KEPT` make room.

use std::collections::HashSet;

use super::files::BatchFiles;
use super::queue::Batches;
use crate::store::{BatchRecord, BatchStatus, Store, StoreError};

/// Batches one account keeps at most (finished ones are removed oldest first).
pub const MAX_KEPT: usize = 50;

const INTERRUPTED: &str =
    "the server restarted before this batch finished, so it was stopped; submit it again";

/// Whether a finished batch is past its keeping time.
pub fn expired(record: &BatchRecord, now: i64, keep_hours: u32) -> bool {
    let since = record.finished_at.unwrap_or(record.created_at);
    record.status.is_finished() && now - since >= i64::from(keep_hours) * 3600
}

/// At start, before any worker runs.
pub fn recover(
    store: &Store,
    files: &BatchFiles,
    batches: &Batches,
    now: i64,
    keep_hours: u32,
) -> Result<(), StoreError> {
    let interrupted = store.interrupt_batches(now, INTERRUPTED)?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "batches left unfinished by the previous run were marked failed"
        );
    }
    sweep(store, files, batches, now, keep_hours)?;
    Ok(())
}

/// Removes expired batches and orphaned files; returns how many records and files went.
pub fn sweep(
    store: &Store,
    files: &BatchFiles,
    batches: &Batches,
    now: i64,
    keep_hours: u32,
) -> Result<usize, StoreError> {
    let mut removed = 0;
    let mut done = HashSet::new();
    for (account_id, record) in store.all_batches()? {
        if expired(&record, now, keep_hours) {
            store.remove_batch(account_id, &record.id)?;
            files.remove(account_id, &record.id);
            removed += 1;
        } else if record.status == BatchStatus::Done {
            done.insert((account_id, record.id));
        }
    }
    let orphans = files.sweep(|file| {
        if file.partial {
            batches.holds(&file.id)
        } else {
            done.contains(&(file.account_id, file.id.clone())) || batches.holds(&file.id)
        }
    });
    match orphans {
        Ok(count) => removed += count,
        Err(e) => tracing::warn!(error = %e, "the batch folder could not be swept"),
    }
    Ok(removed)
}

/// Removes the account's oldest finished batches until a new one fits under `MAX_KEPT`.
pub fn make_room(store: &Store, files: &BatchFiles, account_id: u64) -> Result<(), StoreError> {
    let kept = store.batches(account_id)?; // newest first
    let finished = kept
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, b)| b.status.is_finished());
    let mut count = kept.len();
    for (_, record) in finished {
        if count < MAX_KEPT {
            break;
        }
        store.remove_batch(account_id, &record.id)?;
        files.remove(account_id, &record.id);
        count -= 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, status: BatchStatus, finished_at: Option<i64>) -> BatchRecord {
        BatchRecord {
            id: id.into(),
            status,
            total: 1,
            done: 0,
            failed: 0,
            created_at: 0,
            started_at: None,
            finished_at,
            zip_bytes: 0,
            error: None,
            row_errors: Vec::new(),
        }
    }

    #[test]
    fn only_finished_batches_expire_after_the_keeping_time() {
        let done = record("a", BatchStatus::Done, Some(1000));
        assert!(!expired(&done, 1000 + 3599, 1));
        assert!(expired(&done, 1000 + 3600, 1));
        let running = record("b", BatchStatus::Running, None);
        assert!(!expired(&running, 1_000_000, 1));
    }

    #[test]
    fn recovery_fails_the_unfinished_and_clears_what_no_finished_batch_owns() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let files = BatchFiles::open(dir.path()).unwrap();
        let batches = Batches::new(2, 2);
        store
            .add_batch(1, &record("bt_done", BatchStatus::Done, Some(200)))
            .unwrap();
        store
            .add_batch(1, &record("bt_run", BatchStatus::Running, None))
            .unwrap();
        store
            .add_batch(1, &record("bt_old", BatchStatus::Done, Some(0)))
            .unwrap();
        for path in [
            files.result(1, "bt_done"),
            files.result(1, "bt_run"),
            files.partial(1, "bt_run"),
            files.result(1, "bt_old"),
        ] {
            std::fs::write(path, b"zip").unwrap();
        }
        recover(&store, &files, &batches, 3700, 1).unwrap();
        assert!(files.result(1, "bt_done").exists());
        assert!(
            !files.result(1, "bt_run").exists(),
            "a ZIP whose record is not done"
        );
        assert!(!files.partial(1, "bt_run").exists());
        assert!(!files.result(1, "bt_old").exists(), "expired");
        assert!(store.batch(1, "bt_old").unwrap().is_none());
        let run = store.batch(1, "bt_run").unwrap().unwrap();
        assert_eq!(run.status, BatchStatus::Failed);
        assert!(run.error.unwrap().contains("restarted"));
    }

    #[test]
    fn making_room_removes_the_oldest_finished_batches() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let files = BatchFiles::open(dir.path()).unwrap();
        for i in 0..MAX_KEPT {
            let mut r = record(&format!("bt_{i:03}"), BatchStatus::Done, Some(0));
            r.created_at = i as i64;
            store.add_batch(7, &r).unwrap();
        }
        make_room(&store, &files, 7).unwrap();
        let kept = store.batches(7).unwrap();
        assert_eq!(kept.len(), MAX_KEPT - 1);
        assert!(kept.iter().all(|b| b.id != "bt_000"), "the oldest went");
    }
}
