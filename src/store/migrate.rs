//! Schema versions and the migrations between them. A data file written by an earlier
//! release opens in a later one: new tables are created at open (see
//! `Store::initialise`), and records whose shape changed are rewritten here, one step per
//! version, each step in the same write transaction that records the new version, so a
//! crash leaves either the old version with old records or the new one with new records.
//!
//! Before the first step runs, the file is copied beside itself
//! (`qrgate.redb.schema-N.bak`): a release that migrated cannot be undone by starting the
//! old binary (it refuses the newer version), and the copy is the way back.
//!
//! Adding a migration: bump `SCHEMA_VERSION`, append a step to `STEPS` whose `from` is the
//! previous version, and extend the upgrade test (`tests/api/upgrade.rs`), which opens a
//! data file of every earlier release kept under `tests/fixtures/`.

use std::path::{Path, PathBuf};

use redb::WriteTransaction;

use super::StoreError;

/// One migration: rewrites the records of version `from` into those of `from + 1`.
pub struct Step {
    pub from: u32,
    pub what: &'static str,
    pub run: fn(&WriteTransaction) -> Result<(), StoreError>,
}

/// Every migration, oldest first.
pub const STEPS: &[Step] = &[Step {
    from: 1,
    what: "logos are checked again and converted to the bitmap and sanitised SVG that \
           renders draw (release 1 drew the upload itself); one that no longer passes is \
           kept and marked unusable",
    run: super::logos::migrate_v1_logos,
}];

/// The steps that take a file from `found` to `current`, or an error when the file is newer
/// than this release or a step is missing.
pub fn plan<'a>(
    steps: &'a [Step],
    found: u32,
    current: u32,
    path: &Path,
) -> Result<Vec<&'a Step>, StoreError> {
    if found > current {
        return Err(StoreError::SchemaMismatch {
            path: path.to_path_buf(),
            found: found.to_string(),
            expected: current,
        });
    }
    (found..current)
        .map(|version| {
            steps
                .iter()
                .find(|s| s.from == version)
                .ok_or_else(|| StoreError::SchemaMismatch {
                    path: path.to_path_buf(),
                    found: format!("{found} (no migration from {version} is known)"),
                    expected: current,
                })
        })
        .collect()
}

/// Where the file is copied before it is migrated from `version`.
pub fn backup_path(path: &Path, version: u32) -> PathBuf {
    path.with_extension(format!("redb.schema-{version}.bak"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing(_: &WriteTransaction) -> Result<(), StoreError> {
        Ok(())
    }

    const TWO_STEPS: &[Step] = &[
        Step {
            from: 1,
            what: "first",
            run: nothing,
        },
        Step {
            from: 2,
            what: "second",
            run: nothing,
        },
    ];

    #[test]
    fn an_old_file_runs_every_step_after_its_version_in_order() {
        let path = Path::new("qrgate.redb");
        let steps = plan(TWO_STEPS, 1, 3, path).unwrap();
        assert_eq!(
            steps.iter().map(|s| s.what).collect::<Vec<_>>(),
            ["first", "second"]
        );
        assert!(plan(TWO_STEPS, 3, 3, path).unwrap().is_empty());
    }

    #[test]
    fn a_newer_file_or_a_missing_step_is_refused_with_both_versions() {
        let path = Path::new("qrgate.redb");
        let newer = plan(TWO_STEPS, 4, 3, path).err().unwrap().to_string();
        assert!(
            newer.contains("schema version 4") && newer.contains("version 3"),
            "{newer}"
        );
        let gap = plan(TWO_STEPS, 0, 3, path).err().unwrap().to_string();
        assert!(gap.contains("no migration from 0"), "{gap}");
    }

    #[test]
    fn every_shipped_step_leads_to_the_current_version() {
        let path = Path::new("qrgate.redb");
        assert!(plan(STEPS, 1, super::super::SCHEMA_VERSION, path).is_ok());
    }
}
