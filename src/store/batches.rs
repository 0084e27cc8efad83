//! Batch records, per account: what a batch is doing, its counts and first row errors.
//! The images live in a ZIP file under the data dir (see `batches::files`); the record
//! says whether that file is complete (`done`). Records are small and rewritten whole at
//! each change of status.

use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use super::tables::*;
use super::{Store, StoreError, decode, encode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl BatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the batch will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Cancelled)
    }
}

/// One row that made no file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: u32,
    pub filename: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRecord {
    pub id: String,
    pub status: BatchStatus,
    pub total: u32,
    /// Rows drawn into the ZIP.
    pub done: u32,
    /// Rows that made no file (bad values, or a render that failed).
    pub failed: u32,
    pub created_at: i64,
    #[serde(default)]
    pub started_at: Option<i64>,
    #[serde(default)]
    pub finished_at: Option<i64>,
    /// Size of the finished ZIP.
    #[serde(default)]
    pub zip_bytes: u64,
    /// Why the batch as a whole failed.
    #[serde(default)]
    pub error: Option<String>,
    /// The first row errors (the ZIP's manifest lists them all).
    #[serde(default)]
    pub row_errors: Vec<RowError>,
}

impl Store {
    pub fn add_batch(&self, account_id: u64, record: &BatchRecord) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        txn.open_table(ACCOUNT_BATCH_TO_BATCH)?
            .insert((account_id, record.id.as_str()), encode(record).as_slice())?;
        self.commit(txn)
    }

    /// Replaces a batch's record; `false` (and nothing written) when it is gone, because
    /// it was removed or its account deleted.
    pub fn update_batch(&self, account_id: u64, record: &BatchRecord) -> Result<bool, StoreError> {
        let txn = self.begin_write()?;
        let exists = {
            let mut table = txn.open_table(ACCOUNT_BATCH_TO_BATCH)?;
            let key = (account_id, record.id.as_str());
            let exists = table.get(key)?.is_some();
            if exists {
                table.insert(key, encode(record).as_slice())?;
            }
            exists
        };
        if exists {
            self.commit(txn)?;
        }
        Ok(exists)
    }

    pub fn batch(&self, account_id: u64, id: &str) -> Result<Option<BatchRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ACCOUNT_BATCH_TO_BATCH)?;
        let found = table.get((account_id, id))?.map(|v| v.value().to_vec());
        found.map(|bytes| decode("batches", &bytes)).transpose()
    }

    /// The account's batches, newest first.
    pub fn batches(&self, account_id: u64) -> Result<Vec<BatchRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ACCOUNT_BATCH_TO_BATCH)?;
        let mut out: Vec<BatchRecord> = Vec::new();
        for entry in table.range((account_id, "")..(account_id + 1, ""))? {
            let (_, value) = entry?;
            out.push(decode("batches", value.value())?);
        }
        out.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(out)
    }

    /// Every batch of every account, for the sweeps at start and every minute.
    pub fn all_batches(&self) -> Result<Vec<(u64, BatchRecord)>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ACCOUNT_BATCH_TO_BATCH)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (key, value) = entry?;
            out.push((key.value().0, decode("batches", value.value())?));
        }
        Ok(out)
    }

    pub fn remove_batch(&self, account_id: u64, id: &str) -> Result<bool, StoreError> {
        let txn = self.begin_write()?;
        let removed = txn
            .open_table(ACCOUNT_BATCH_TO_BATCH)?
            .remove((account_id, id))?
            .is_some();
        self.commit(txn)?;
        Ok(removed)
    }

    /// At start: batches left queued or running by the previous process can never
    /// finish (their rows were in its memory), so they are marked failed with `reason`.
    /// Returns how many.
    pub fn interrupt_batches(&self, now: i64, reason: &str) -> Result<usize, StoreError> {
        let txn = self.begin_write()?;
        let mut count = 0;
        {
            let mut table = txn.open_table(ACCOUNT_BATCH_TO_BATCH)?;
            let mut changed = Vec::new();
            for entry in table.iter()? {
                let (key, value) = entry?;
                let mut record: BatchRecord = decode("batches", value.value())?;
                if !record.status.is_finished() {
                    record.status = BatchStatus::Failed;
                    record.finished_at = Some(now);
                    record.error = Some(reason.to_owned());
                    changed.push((key.value().0, record));
                }
            }
            for (account_id, record) in &changed {
                table.insert((*account_id, record.id.as_str()), encode(record).as_slice())?;
            }
            count += changed.len();
        }
        self.commit(txn)?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, created_at: i64, status: BatchStatus) -> BatchRecord {
        BatchRecord {
            id: id.into(),
            status,
            total: 3,
            done: 0,
            failed: 0,
            created_at,
            started_at: None,
            finished_at: None,
            zip_bytes: 0,
            error: None,
            row_errors: Vec::new(),
        }
    }

    #[test]
    fn batches_belong_to_their_account_and_list_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        store
            .add_batch(1, &record("bt_a", 10, BatchStatus::Done))
            .unwrap();
        store
            .add_batch(1, &record("bt_b", 20, BatchStatus::Queued))
            .unwrap();
        store
            .add_batch(2, &record("bt_c", 30, BatchStatus::Queued))
            .unwrap();
        let ids: Vec<String> = store
            .batches(1)
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(ids, vec!["bt_b", "bt_a"]);
        assert!(store.batch(2, "bt_a").unwrap().is_none());
        assert!(store.remove_batch(1, "bt_a").unwrap());
        assert!(!store.remove_batch(1, "bt_a").unwrap());
        let gone = record("bt_a", 10, BatchStatus::Done);
        assert!(
            !store.update_batch(1, &gone).unwrap(),
            "a removed batch stays removed"
        );
        assert!(store.batch(1, "bt_a").unwrap().is_none());
    }

    #[test]
    fn unfinished_batches_are_marked_failed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        store
            .add_batch(1, &record("bt_q", 1, BatchStatus::Queued))
            .unwrap();
        store
            .add_batch(1, &record("bt_r", 2, BatchStatus::Running))
            .unwrap();
        store
            .add_batch(1, &record("bt_d", 3, BatchStatus::Done))
            .unwrap();
        assert_eq!(store.interrupt_batches(99, "restarted").unwrap(), 2);
        let running = store.batch(1, "bt_r").unwrap().unwrap();
        assert_eq!(running.status, BatchStatus::Failed);
        assert_eq!(
            (running.finished_at, running.error.as_deref()),
            (Some(99), Some("restarted"))
        );
        assert_eq!(
            store.batch(1, "bt_d").unwrap().unwrap().status,
            BatchStatus::Done
        );
        assert_eq!(store.all_batches().unwrap().len(), 3);
    }
}
