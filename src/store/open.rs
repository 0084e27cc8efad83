//! Opening the database file without ever making things worse. redb's own `create` starts
//! a brand-new database in an empty file, repairs a damaged one in place, trusts pages it
//! has not checked, and some damage makes it panic. For an operator all of these are worse
//! than refusing: an empty or unreadable file usually means a truncated copy or a failed
//! disk, and the right answer is to stop and restore the backup, with the original left
//! exactly as it was.
//!
//! So before redb may write, the file is looked at: it must be absent (a new installation)
//! or carry redb's signature; then redb's integrity check (every page checksum, and the
//! repair every crash leaves to do) runs over an `Overlay` of the file, whose writes stay in
//! memory. Only a file that passes is opened for writing. Every call into redb here runs
//! under `catch_unwind`, so a panic inside redb becomes an error that names the file.

use std::any::Any;
use std::fs;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use redb::{Database, DatabaseError};

use super::StoreError;
use super::overlay::Overlay;

/// The first bytes of every redb file.
const REDB_SIGNATURE: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];

/// What the file looked like before redb was allowed to write to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file yet: a new installation.
    Absent,
    /// A redb file that was closed cleanly.
    Clean,
    /// A redb file that was not closed cleanly (a crash); redb repairs it at open.
    NeedsRepair,
}

/// Opens the database for writing: creates it when absent, and otherwise only after the
/// file has passed `verify`.
pub fn open(path: &Path) -> Result<(Database, FileState), StoreError> {
    let state = inspect(path)?;
    if state != FileState::Absent {
        drop(verify(path)?);
    }
    let db = guarded(path, || Database::create(path))?.map_err(|e| opening_error(path, e))?;
    Ok((db, state))
}

/// Runs redb's integrity check (and the repair of a crash) over an in-memory overlay of the
/// file and returns that view, checked, for reading; the file itself is not written.
pub fn verify(path: &Path) -> Result<Database, StoreError> {
    let overlay = Overlay::open(path).map_err(|e| StoreError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let opened = guarded(path, || {
        redb::Builder::new()
            .set_check_integrity_on_open(true)
            .create_with_backend(overlay)
    })?;
    opened.map_err(|e| opening_error(path, e))
}

fn opening_error(path: &Path, error: DatabaseError) -> StoreError {
    match error {
        DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(path.to_path_buf()),
        DatabaseError::UpgradeRequired(found) => StoreError::SchemaMismatch {
            path: path.to_path_buf(),
            found: format!("(redb file format {found})"),
            expected: super::SCHEMA_VERSION,
        },
        other => StoreError::Damaged {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    }
}

/// Looks at the file without writing to it.
pub fn inspect(path: &Path) -> Result<FileState, StoreError> {
    let unreadable = |source: std::io::Error| StoreError::Unreadable {
        path: path.to_path_buf(),
        reason: source.to_string(),
    };
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Absent),
        Err(e) => return Err(unreadable(e)),
    };
    if !metadata.is_file() {
        return Err(StoreError::Unreadable {
            path: path.to_path_buf(),
            reason: "it is not a regular file".into(),
        });
    }
    if metadata.len() == 0 {
        return Err(StoreError::EmptyFile(path.to_path_buf()));
    }
    let mut signature = [0u8; REDB_SIGNATURE.len()];
    let read = fs::File::open(path).and_then(|mut f| f.read_exact(&mut signature));
    match read {
        Ok(()) if signature == REDB_SIGNATURE => {}
        Ok(()) => {
            return Err(not_a_database(
                path,
                "it does not start with redb's signature",
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(not_a_database(path, "it is shorter than a database header"));
        }
        Err(e) => return Err(unreadable(e)),
    }
    // A read-only open never repairs: it tells a clean file from a crashed one, and takes
    // the lock, so a running qrgate is noticed before anything else is tried.
    let opened = guarded(path, || redb::Builder::new().open_read_only(path))?;
    match opened {
        Ok(db) => {
            drop(db);
            Ok(FileState::Clean)
        }
        Err(DatabaseError::RepairAborted) => Ok(FileState::NeedsRepair),
        Err(e) => Err(opening_error(path, e)),
    }
}

/// Runs `work` (a call into redb on `path`), turning a panic into an error naming the file.
pub fn guarded<T>(path: &Path, work: impl FnOnce() -> T) -> Result<T, StoreError> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|panic| StoreError::Damaged {
        path: path.to_path_buf(),
        reason: format!(
            "the storage engine stopped on it ({})",
            panic_message(panic.as_ref())
        ),
    })
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    text.chars().take(200).collect()
}

fn not_a_database(path: &Path, reason: &str) -> StoreError {
    StoreError::NotADatabase {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_file_is_a_new_installation() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            inspect(&dir.path().join("qrgate.redb")).unwrap(),
            FileState::Absent
        );
    }

    #[test]
    fn an_empty_file_is_refused_and_left_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qrgate.redb");
        fs::write(&path, b"").unwrap();
        let err = inspect(&path).unwrap_err();
        assert!(matches!(err, StoreError::EmptyFile(_)), "{err}");
        assert!(err.to_string().contains("qrgate.redb"), "{err}");
        assert_eq!(fs::metadata(&path).unwrap().len(), 0);
    }

    #[test]
    fn a_file_of_another_kind_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qrgate.redb");
        for content in [b"SQLite format 3\0 and more".as_slice(), b"redb"] {
            fs::write(&path, content).unwrap();
            let err = inspect(&path).unwrap_err();
            assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
        }
    }

    #[test]
    fn a_panic_inside_the_engine_becomes_an_error_naming_the_file() {
        let path = Path::new("/srv/qrgate.redb");
        let err = guarded(path, || -> u32 { panic!("index out of bounds") }).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("/srv/qrgate.redb") && text.contains("index out of bounds"),
            "{text}"
        );
    }

    #[test]
    fn a_damaged_page_is_refused_and_the_file_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qrgate.redb");
        {
            let db = Database::create(&path).unwrap();
            let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("t");
            let txn = db.begin_write().unwrap();
            txn.open_table(table)
                .unwrap()
                .insert(1, [7u8; 3000].as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        let mut bytes = fs::read(&path).unwrap();
        // Flip every byte of the page that holds the record (a run of 7s).
        let at = bytes
            .windows(64)
            .position(|w| w.iter().all(|b| *b == 7))
            .unwrap();
        for b in &mut bytes[at..at + 64] {
            *b ^= 0xA5;
        }
        fs::write(&path, &bytes).unwrap();
        let err = open(&path).map(|_| ()).unwrap_err();
        assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), bytes, "the file is untouched");
    }

    #[test]
    fn a_cleanly_closed_database_is_clean() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qrgate.redb");
        drop(Database::create(&path).unwrap());
        assert_eq!(inspect(&path).unwrap(), FileState::Clean);
    }
}
