//! CSV export of scan counts. Cells that a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) get a leading `'`, so that an
//! exported referrer or language can never become `=HYPERLINK(...)` in someone's sheet.

/// The CSV text of a header and rows (RFC 4180: CRLF line ends, quoted when needed).
pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    line(&mut out, header.iter().copied());
    for row in rows {
        line(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str("\r\n");
}

fn push_cell(out: &mut String, cell: &str) {
    let neutralised = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = neutralised || cell.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if neutralised {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_cells_are_written_as_they_are_with_crlf_lines() {
        let csv = to_csv(&["day", "scans"], &[vec!["2026-09-21".into(), "3".into()]]);
        assert_eq!(csv, "day,scans\r\n2026-09-21,3\r\n");
    }

    #[test]
    fn formula_looking_cells_are_neutralised() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+1", "\"'+1\""),
            ("-1", "\"'-1\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
        ] {
            assert_eq!(
                to_csv(&["k"], &[vec![cell.into()]]),
                format!("k\r\n{written}\r\n")
            );
        }
    }

    #[test]
    fn separators_and_quotes_are_quoted() {
        assert_eq!(to_csv(&["a,b"], &[]), "\"a,b\"\r\n");
        assert_eq!(to_csv(&["say \"hi\""], &[]), "\"say \"\"hi\"\"\"\r\n");
    }
}
