//! Uploaded logos, per account: metadata and bytes in two tables so listing never reads
//! the images.

use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use super::tables::*;
use super::{Store, StoreError, decode, encode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoRecord {
    pub id: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
    /// SHA-256 of the bytes, hex: part of the ETag of codes that use the logo.
    pub sha256: String,
    pub created_at: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum LogoAdded {
    Added,
    LimitReached,
}

impl Store {
    pub fn add_logo(
        &self,
        account_id: u64,
        record: &LogoRecord,
        data: &[u8],
        max_logos: usize,
    ) -> Result<LogoAdded, StoreError> {
        let txn = self.begin_write()?;
        {
            let mut meta = txn.open_table(LOGO_META)?;
            let count = meta
                .range((account_id, "")..)?
                .take_while(|e| e.as_ref().is_ok_and(|(k, _)| k.value().0 == account_id))
                .count();
            if count >= max_logos {
                return Ok(LogoAdded::LimitReached);
            }
            meta.insert((account_id, record.id.as_str()), encode(record).as_slice())?;
            txn.open_table(LOGO_DATA)?
                .insert((account_id, record.id.as_str()), data)?;
        }
        self.commit(txn)?;
        Ok(LogoAdded::Added)
    }

    /// The account's logos, by id.
    pub fn logos(&self, account_id: u64) -> Result<Vec<LogoRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(LOGO_META)?;
        let mut out = Vec::new();
        for entry in meta.range((account_id, "")..)? {
            let (key, value) = entry?;
            if key.value().0 != account_id {
                break;
            }
            out.push(decode("logo_meta", value.value())?);
        }
        Ok(out)
    }

    pub fn logo(
        &self,
        account_id: u64,
        id: &str,
    ) -> Result<Option<(LogoRecord, Vec<u8>)>, StoreError> {
        let txn = self.db.begin_read()?;
        let Some(meta) = txn
            .open_table(LOGO_META)?
            .get((account_id, id))?
            .map(|v| v.value().to_vec())
        else {
            return Ok(None);
        };
        let data = txn
            .open_table(LOGO_DATA)?
            .get((account_id, id))?
            .map(|v| v.value().to_vec());
        data.map(|data| decode("logo_meta", &meta).map(|record| (record, data)))
            .transpose()
    }

    /// Deletes a logo; `false` if the account has no logo with this id.
    pub fn delete_logo(&self, account_id: u64, id: &str) -> Result<bool, StoreError> {
        let txn = self.begin_write()?;
        let existed = {
            let existed = txn
                .open_table(LOGO_META)?
                .remove((account_id, id))?
                .is_some();
            txn.open_table(LOGO_DATA)?.remove((account_id, id))?;
            existed
        };
        self.commit(txn)?;
        Ok(existed)
    }
}
