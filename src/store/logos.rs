//! Uploaded logos, per account, in four tables so that listing never reads images and
//! rendering never reads the upload: the record (`LOGO_META`), the upload as received
//! (`LOGO_DATA`, kept so a later release can convert it again), and what renders draw:
//! the bitmap (`LOGO_BITMAP`) and, for SVG logos, the sanitised SVG (`LOGO_VECTOR`).

#[cfg(test)]
use redb::ReadableTableMetadata;
use redb::{ReadableDatabase, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::tables::*;
use super::{Store, StoreError, decode, encode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoRecord {
    pub id: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
    /// SHA-256 of what renders draw (`LogoDrawing::sha256`), hex: part of the ETag of
    /// codes that use the logo. (Release 1 hashed the upload.)
    pub sha256: String,
    pub created_at: i64,
    /// Why the logo can no longer be drawn: a logo an earlier release accepted that
    /// fails today's checks. Kept (and listed) so its owner sees why, never dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unusable: Option<String>,
}

/// What renders draw of a logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoDrawing {
    /// PNG bitmap.
    pub bitmap: Vec<u8>,
    /// Sanitised SVG, for SVG logos.
    pub svg: Option<String>,
}

impl LogoDrawing {
    /// SHA-256 (hex) over the bitmap and the SVG.
    pub fn sha256(&self) -> String {
        let mut hash = Sha256::new();
        hash.update((self.bitmap.len() as u64).to_le_bytes());
        hash.update(&self.bitmap);
        hash.update(self.svg.as_deref().unwrap_or_default());
        hex::encode(hash.finalize())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum LogoAdded {
    Added,
    LimitReached,
}

/// A logo as a render finds it.
#[derive(Debug, PartialEq, Eq)]
pub enum StoredLogo {
    Ready(LogoRecord, LogoDrawing),
    /// Kept but no longer drawable; the record says why.
    Unusable(LogoRecord),
}

/// What converting the logos of an earlier release did.
#[derive(Debug, Default, PartialEq, Eq)]
struct LogosUpgraded {
    converted: usize,
    unusable: usize,
}

/// Converts an upload into its drawing, its size, or says why it cannot be drawn.
type ConvertLogo<'a> = &'a dyn Fn(&[u8]) -> Result<(LogoDrawing, u32, u32), String>;

impl Store {
    pub fn add_logo(
        &self,
        account_id: u64,
        record: &LogoRecord,
        upload: &[u8],
        drawing: &LogoDrawing,
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
            let key = (account_id, record.id.as_str());
            meta.insert(key, encode(record).as_slice())?;
            txn.open_table(LOGO_DATA)?.insert(key, upload)?;
            put_drawing(&txn, key, drawing)?;
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

    /// A logo with what renders draw of it; `None` if the account has no such logo.
    pub fn logo(&self, account_id: u64, id: &str) -> Result<Option<StoredLogo>, StoreError> {
        let txn = self.db.begin_read()?;
        let key = (account_id, id);
        let Some(meta) = txn.open_table(LOGO_META)?.get(key)? else {
            return Ok(None);
        };
        let record: LogoRecord = decode("logo_meta", meta.value())?;
        let bitmap = txn.open_table(LOGO_BITMAP)?.get(key)?;
        let svg = txn.open_table(LOGO_VECTOR)?.get(key)?;
        Ok(Some(match (bitmap, &record.unusable) {
            (Some(bitmap), None) => {
                let svg = svg
                    .map(|v| String::from_utf8(v.value().to_vec()))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt {
                        table: "logo_vector",
                        message: e.to_string(),
                    })?;
                let bitmap = bitmap.value().to_vec();
                StoredLogo::Ready(record, LogoDrawing { bitmap, svg })
            }
            _ => StoredLogo::Unusable(record),
        }))
    }

    /// Deletes a logo; `false` if the account has no logo with this id.
    pub fn delete_logo(&self, account_id: u64, id: &str) -> Result<bool, StoreError> {
        let txn = self.begin_write()?;
        let key = (account_id, id);
        let existed = txn.open_table(LOGO_META)?.remove(key)?.is_some();
        txn.open_table(LOGO_DATA)?.remove(key)?;
        txn.open_table(LOGO_BITMAP)?.remove(key)?;
        txn.open_table(LOGO_VECTOR)?.remove(key)?;
        self.commit(txn)?;
        Ok(existed)
    }
}

/// Converts every logo that has no drawing yet and is not known to be unusable (the
/// logos of release 1, stored as uploaded). One that no longer passes is kept and marked
/// unusable with the reason.
fn upgrade_logos_in(
    txn: &WriteTransaction,
    convert: ConvertLogo,
) -> Result<LogosUpgraded, StoreError> {
    let mut pending = Vec::new();
    {
        let meta = txn.open_table(LOGO_META)?;
        let bitmaps = txn.open_table(LOGO_BITMAP)?;
        for entry in meta.iter()? {
            let (key, value) = entry?;
            let (account_id, id) = key.value();
            let record: LogoRecord = decode("logo_meta", value.value())?;
            if record.unusable.is_none() && bitmaps.get((account_id, id))?.is_none() {
                pending.push((account_id, record));
            }
        }
    }
    let mut done = LogosUpgraded::default();
    for (account_id, mut record) in pending {
        let key = (account_id, record.id.as_str());
        let upload = txn
            .open_table(LOGO_DATA)?
            .get(key)?
            .map(|v| v.value().to_vec());
        let converted = match upload {
            Some(upload) => convert(&upload),
            None => Err("its image data is missing".to_owned()),
        };
        match converted {
            Ok((drawing, width, height)) => {
                put_drawing(txn, key, &drawing)?;
                (record.width, record.height) = (width, height);
                record.sha256 = drawing.sha256();
                done.converted += 1;
            }
            Err(why) => {
                record.unusable = Some(why);
                done.unusable += 1;
            }
        }
        txn.open_table(LOGO_META)?
            .insert((account_id, record.id.as_str()), encode(&record).as_slice())?;
    }
    Ok(done)
}

/// The migration step from schema 1 (logos stored as uploaded, SVG drawn from the upload
/// at every render) to 2 (logos converted at upload): every logo is checked again and
/// converted, or kept and marked unusable with the reason.
pub(super) fn migrate_v1_logos(txn: &WriteTransaction) -> Result<(), StoreError> {
    let done = upgrade_logos_in(txn, &convert_upload)?;
    if done == LogosUpgraded::default() {
        return Ok(());
    }
    tracing::info!(
        converted = done.converted,
        unusable = done.unusable,
        "logos of release 1 converted"
    );
    Ok(())
}

/// Today's checks and conversion (`qr::logo`, pure code), as the store needs them.
fn convert_upload(upload: &[u8]) -> Result<(LogoDrawing, u32, u32), String> {
    let converted = crate::qr::logo::convert(upload).map_err(|e| e.to_string())?;
    let drawing = LogoDrawing {
        bitmap: converted.image.bitmap,
        svg: converted.image.svg,
    };
    Ok((drawing, converted.info.width, converted.info.height))
}

/// Removes every logo of an account (for account deletion).
pub(super) fn remove_account_logos(
    txn: &WriteTransaction,
    account_id: u64,
) -> Result<(), StoreError> {
    let logos = (account_id, "")..(account_id + 1, "");
    for table in [LOGO_META, LOGO_DATA, LOGO_BITMAP, LOGO_VECTOR] {
        txn.open_table(table)?
            .retain_in(logos.clone(), |_, _| false)?;
    }
    Ok(())
}

fn put_drawing(
    txn: &WriteTransaction,
    key: (u64, &str),
    drawing: &LogoDrawing,
) -> Result<(), StoreError> {
    txn.open_table(LOGO_BITMAP)?
        .insert(key, drawing.bitmap.as_slice())?;
    if let Some(svg) = &drawing.svg {
        txn.open_table(LOGO_VECTOR)?.insert(key, svg.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> LogoRecord {
        LogoRecord {
            id: id.into(),
            mime: "image/svg+xml".into(),
            width: 64,
            height: 64,
            bytes: 3,
            sha256: "of the upload".into(),
            created_at: 1,
            unusable: None,
        }
    }

    /// Writes a logo as release 1 did: record and upload, nothing converted.
    fn add_v1_logo(store: &Store, account_id: u64, id: &str, upload: &[u8]) {
        let txn = store.db.begin_write().unwrap();
        let key = (account_id, id);
        txn.open_table(LOGO_META)
            .unwrap()
            .insert(key, encode(&record(id)).as_slice())
            .unwrap();
        txn.open_table(LOGO_DATA)
            .unwrap()
            .insert(key, upload)
            .unwrap();
        txn.commit().unwrap();
    }

    fn fake_convert(upload: &[u8]) -> Result<(LogoDrawing, u32, u32), String> {
        match upload {
            b"good" => Ok((
                LogoDrawing {
                    bitmap: b"bitmap".to_vec(),
                    svg: Some("<svg/>".into()),
                },
                32,
                16,
            )),
            _ => Err("<pattern> elements are not accepted".into()),
        }
    }

    #[test]
    fn a_release_1_logo_is_converted_or_kept_and_marked_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        add_v1_logo(&store, 7, "lg_good", b"good");
        add_v1_logo(&store, 7, "lg_bad", b"hostile");
        assert!(
            matches!(
                store.logo(7, "lg_good").unwrap(),
                Some(StoredLogo::Unusable(_))
            ),
            "not drawable before the upgrade"
        );

        let txn = store.db.begin_write().unwrap();
        let done = upgrade_logos_in(&txn, &fake_convert).unwrap();
        txn.commit().unwrap();
        assert_eq!(
            done,
            LogosUpgraded {
                converted: 1,
                unusable: 1
            }
        );

        let Some(StoredLogo::Ready(good, drawing)) = store.logo(7, "lg_good").unwrap() else {
            panic!("the good logo is ready");
        };
        assert_eq!((good.width, good.height), (32, 16));
        assert_eq!(good.sha256, drawing.sha256());
        assert_eq!(drawing.svg.as_deref(), Some("<svg/>"));
        let Some(StoredLogo::Unusable(bad)) = store.logo(7, "lg_bad").unwrap() else {
            panic!("the hostile logo is kept");
        };
        assert_eq!(
            bad.unusable.as_deref(),
            Some("<pattern> elements are not accepted")
        );
        assert_eq!(store.logos(7).unwrap().len(), 2, "both still listed");

        // Running it again changes nothing.
        let txn = store.db.begin_write().unwrap();
        let again = upgrade_logos_in(&txn, &fake_convert).unwrap();
        txn.commit().unwrap();
        assert_eq!(again, LogosUpgraded::default());
    }

    #[test]
    fn deleting_a_logo_or_its_account_removes_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let (drawing, _, _) = fake_convert(b"good").unwrap();
        for id in ["lg_1", "lg_2"] {
            store
                .add_logo(3, &record(id), b"good", &drawing, 20)
                .unwrap();
        }
        assert!(store.delete_logo(3, "lg_1").unwrap());
        let txn = store.db.begin_write().unwrap();
        remove_account_logos(&txn, 3).unwrap();
        txn.commit().unwrap();
        let txn = store.db.begin_read().unwrap();
        for table in [LOGO_META, LOGO_DATA, LOGO_BITMAP, LOGO_VECTOR] {
            assert_eq!(txn.open_table(table).unwrap().len().unwrap(), 0);
        }
    }
}
