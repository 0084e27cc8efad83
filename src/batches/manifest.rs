//! `manifest.csv`, the last file of every batch ZIP: one line per row of the batch with
//! its file name, `ok` or `error`, and the error. People open it in spreadsheets, which
//! run a cell that starts with `=`, `+`, `-` or `@` as a formula (`=cmd|' /C calc'!A0`),
//! and the manifest repeats text from the upload (a requested file name, a quoted bad
//! value): every such cell is written with a leading `'`, which spreadsheets show as
//! text (OWASP's advice for CSV injection).

use super::columns::csv_line;

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    pub row: usize,
    pub filename: String,
    /// `None` when the file is in the ZIP.
    pub error: Option<String>,
}

pub const HEADER: [&str; 4] = ["row", "filename", "status", "error"];

/// The manifest as CSV bytes (UTF-8, CRLF).
pub fn write(rows: &[ManifestRow]) -> Vec<u8> {
    let mut text = csv_line(&HEADER);
    for row in rows {
        let number = row.row.to_string();
        let filename = neutralise(&row.filename);
        let (status, error) = match &row.error {
            None => ("ok", String::new()),
            Some(error) => ("error", neutralise(error)),
        };
        text.push_str(&csv_line(&[&number, &filename, status, &error]));
    }
    text.into_bytes()
}

/// A cell a spreadsheet would evaluate, made inert with a leading apostrophe. Tab and
/// carriage return count too: some spreadsheets skip them before looking for `=`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_become_text() {
        for formula in [
            "=cmd|' /C calc'!A0",
            "+1+1",
            "-2",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert!(neutralise(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(neutralise("Table 12.png"), "Table 12.png");
        assert_eq!(neutralise("a=b"), "a=b");
    }

    #[test]
    fn the_manifest_lists_every_row_with_its_status() {
        let rows = [
            ManifestRow {
                row: 1,
                filename: "row-0001-url.png".into(),
                error: None,
            },
            ManifestRow {
                row: 2,
                filename: "=cmd|' /C calc'!A0.png".into(),
                error: Some("filename: may hold only letters, \"digits\"".into()),
            },
        ];
        let text = String::from_utf8(write(&rows)).unwrap();
        assert_eq!(
            text,
            "row,filename,status,error\r\n\
             1,row-0001-url.png,ok,\r\n\
             2,'=cmd|' /C calc'!A0.png,error,\"filename: may hold only letters, \"\"digits\"\"\"\r\n"
        );
    }
}
