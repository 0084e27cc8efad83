//! Where batch results live: `<data dir>/batches/<account>-<batch id>.zip`. A ZIP is
//! built under `.zip.part` and renamed only when complete, so a file with the final name
//! is always a whole archive; the store's record says whether it may be served (`done`).
//! Anything else in the folder of ours (a `.part` no worker is writing, a ZIP whose
//! record is gone or not done) is an orphan and is removed by `sweep`.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

pub const FOLDER: &str = "batches";
const DONE: &str = ".zip";
const PARTIAL: &str = ".zip.part";

#[derive(Debug, Clone)]
pub struct BatchFiles {
    dir: PathBuf,
}

/// A file in the folder, by the batch it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub account_id: u64,
    pub id: String,
    pub partial: bool,
}

impl BatchFiles {
    /// The folder under `data_dir`, created if missing.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let dir = data_dir.join(FOLDER);
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    pub fn result(&self, account_id: u64, id: &str) -> PathBuf {
        self.dir.join(format!("{account_id}-{id}{DONE}"))
    }

    pub fn partial(&self, account_id: u64, id: &str) -> PathBuf {
        self.dir.join(format!("{account_id}-{id}{PARTIAL}"))
    }

    /// A finished ZIP, opened for reading, with its length.
    pub fn open_result(&self, account_id: u64, id: &str) -> io::Result<(File, u64)> {
        let file = File::open(self.result(account_id, id))?;
        let len = file.metadata()?.len();
        Ok((file, len))
    }

    /// Removes both files of a batch (those that exist).
    pub fn remove(&self, account_id: u64, id: &str) {
        for path in [self.result(account_id, id), self.partial(account_id, id)] {
            remove_quietly(&path);
        }
    }

    /// Removes every batch file that `keep` does not claim; returns how many went.
    /// Files that are not batch files are left alone.
    pub fn sweep(&self, keep: impl Fn(&FileName) -> bool) -> io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().and_then(FileName::parse) else {
                continue;
            };
            if !keep(&name) {
                remove_quietly(&entry.path());
                removed += 1;
            }
        }
        Ok(removed)
    }
}

impl FileName {
    fn parse(name: &str) -> Option<Self> {
        let (stem, partial) = match name.strip_suffix(PARTIAL) {
            Some(stem) => (stem, true),
            None => (name.strip_suffix(DONE)?, false),
        };
        let (account, id) = stem.split_once('-')?;
        let valid_id = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        Some(Self {
            account_id: account.parse().ok()?,
            id: id.to_owned(),
            partial,
        })
        .filter(|_| valid_id)
    }
}

fn remove_quietly(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "a batch file could not be removed")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_removes_only_unclaimed_batch_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = BatchFiles::open(dir.path()).unwrap();
        for path in [
            files.result(1, "bt_keep"),
            files.result(1, "bt_orphan"),
            files.partial(2, "bt_cut"),
        ] {
            std::fs::write(path, b"x").unwrap();
        }
        let stranger = dir.path().join(FOLDER).join("README");
        std::fs::write(&stranger, b"not ours").unwrap();
        let removed = files
            .sweep(|name| name.id == "bt_keep" && !name.partial)
            .unwrap();
        assert_eq!(removed, 2);
        assert!(files.result(1, "bt_keep").exists());
        assert!(!files.result(1, "bt_orphan").exists());
        assert!(!files.partial(2, "bt_cut").exists());
        assert!(stranger.exists());
        assert_eq!(files.open_result(1, "bt_keep").unwrap().1, 1);
    }

    #[test]
    fn only_well_formed_names_are_batch_files() {
        assert_eq!(
            FileName::parse("12-bt_0a.zip.part"),
            Some(FileName {
                account_id: 12,
                id: "bt_0a".into(),
                partial: true
            })
        );
        for other in ["x-bt.zip", "12-.zip", "12-a/b.zip", "12-bt.png", "bt.zip"] {
            assert_eq!(FileName::parse(other), None, "{other}");
        }
    }
}
