//! The columns a batch may name, derived from the QR types' parameter tables and the design
//! table: `type`, `filename`, every content parameter of any type and every design
//! parameter. A parameter added to a table is a column at once; nothing here lists them.
//! The same derivation writes the downloadable templates and the sample.

use crate::qr::design::DESIGN_SPECS;
use crate::qr::payload::{ParamSpec, QrType};

pub const TYPE_COLUMN: &str = "type";
pub const FILENAME_COLUMN: &str = "filename";

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Type,
    Filename,
    /// A content parameter of one or more QR types.
    Content(&'static str),
    /// A design parameter.
    Design(&'static str),
}

impl Column {
    /// The column named `name` (its header cell, trimmed and in any case).
    pub fn named(name: &str) -> Option<Column> {
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            TYPE_COLUMN => return Some(Column::Type),
            FILENAME_COLUMN => return Some(Column::Filename),
            _ => {}
        }
        if let Some(spec) = DESIGN_SPECS.iter().find(|spec| spec.name == name) {
            return Some(Column::Design(spec.name));
        }
        QrType::ALL
            .iter()
            .flat_map(|kind| kind.params())
            .find(|spec| spec.name == name)
            .map(|spec| Column::Content(spec.name))
    }

    pub fn name(self) -> &'static str {
        match self {
            Column::Type => TYPE_COLUMN,
            Column::Filename => FILENAME_COLUMN,
            Column::Content(name) | Column::Design(name) => name,
        }
    }
}

/// Every distinct column name, in a stable order: type, the content parameters type by
/// type, the design parameters, filename.
pub fn all_names() -> Vec<&'static str> {
    let mut names = vec![TYPE_COLUMN];
    let content = QrType::ALL.iter().flat_map(|kind| kind.params());
    for spec in content.chain(DESIGN_SPECS) {
        if !names.contains(&spec.name) {
            names.push(spec.name);
        }
    }
    names.push(FILENAME_COLUMN);
    names
}

/// The most columns a header can have: each known name once.
pub fn max_columns() -> usize {
    all_names().len()
}

/// The longest value any column accepts, in bytes.
pub fn longest_value() -> usize {
    let content = QrType::ALL.iter().flat_map(|kind| kind.params());
    content
        .chain(DESIGN_SPECS)
        .map(|spec| spec.max_bytes)
        .max()
        .unwrap_or(0)
        .max(super::filename::MAX_NAME_BYTES)
}

/// The CSV template for one type: its columns and one row of the declared examples.
pub fn template(kind: QrType) -> String {
    let specs: Vec<&ParamSpec> = kind.params().iter().collect();
    let mut header = vec![TYPE_COLUMN];
    header.extend(specs.iter().map(|spec| spec.name));
    header.push(FILENAME_COLUMN);
    let mut row = vec![kind.as_str()];
    row.extend(specs.iter().map(|spec| spec.example));
    let name = format!("example-{}", kind.as_str());
    row.push(&name);
    [csv_line(&header), csv_line(&row)].concat()
}

/// A sample batch: one row per type from the declared examples, in one file whose columns
/// are the union of the types' columns, plus two design columns set on some rows.
pub fn sample() -> String {
    let mut header: Vec<&str> = vec![TYPE_COLUMN];
    for spec in QrType::ALL.iter().flat_map(|kind| kind.params()) {
        if !header.contains(&spec.name) {
            header.push(spec.name);
        }
    }
    let design = ["fg", "module_shape"];
    let design: Vec<&ParamSpec> = DESIGN_SPECS
        .iter()
        .filter(|spec| design.contains(&spec.name))
        .collect();
    header.extend(design.iter().map(|spec| spec.name));
    header.push(FILENAME_COLUMN);
    let mut text = csv_line(&header);
    for (i, kind) in QrType::ALL.iter().enumerate() {
        let name = format!("sample-{}", kind.as_str());
        let row: Vec<&str> = header
            .iter()
            .map(|column| match *column {
                TYPE_COLUMN => kind.as_str(),
                FILENAME_COLUMN => &name,
                column => {
                    let styled = i % 2 == 1;
                    design
                        .iter()
                        .find(|spec| spec.name == column)
                        .map(|spec| if styled { spec.example } else { "" })
                        .or_else(|| {
                            kind.params()
                                .iter()
                                .find(|spec| spec.name == column)
                                .map(|spec| spec.example)
                        })
                        .unwrap_or("")
                }
            })
            .collect();
        text.push_str(&csv_line(&row));
    }
    text
}

/// One CSV line (RFC 4180: CRLF, fields quoted when they hold a comma, quote or line
/// break, quotes doubled).
pub fn csv_line(cells: &[&str]) -> String {
    let cells: Vec<String> = cells.iter().map(|cell| quote(cell)).collect();
    format!("{}\r\n", cells.join(","))
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_of_every_table_is_a_column() {
        for kind in QrType::ALL {
            for spec in kind.params() {
                assert_eq!(Column::named(spec.name), Some(Column::Content(spec.name)));
            }
        }
        for spec in DESIGN_SPECS {
            assert_eq!(Column::named(spec.name), Some(Column::Design(spec.name)));
        }
        assert_eq!(Column::named(" Type "), Some(Column::Type));
        assert_eq!(Column::named("FILENAME"), Some(Column::Filename));
        assert_eq!(
            Column::named("api_key"),
            None,
            "a key never travels in a batch"
        );
        assert_eq!(Column::named("colour"), None);
    }

    #[test]
    fn type_and_filename_clash_with_no_parameter() {
        for spec in QrType::ALL
            .iter()
            .flat_map(|k| k.params())
            .chain(DESIGN_SPECS)
        {
            assert!(spec.name != TYPE_COLUMN && spec.name != FILENAME_COLUMN);
        }
        let names = all_names();
        for (i, name) in names.iter().enumerate() {
            assert!(!names[..i].contains(name), "{name} twice");
        }
        assert_eq!(max_columns(), names.len());
    }

    #[test]
    fn a_template_has_the_types_columns_and_an_example_row() {
        let wifi = template(QrType::Wifi);
        let mut lines = wifi.split("\r\n");
        assert_eq!(
            lines.next(),
            Some("type,ssid,password,security,hidden,filename")
        );
        assert_eq!(
            lines.next(),
            Some("wifi,Café Guest,correct horse battery,WPA,false,example-wifi")
        );
        let email = template(QrType::Email);
        assert!(
            email.contains("\"Hello,\nI would like"),
            "a value with a comma and a line break is quoted: {email}"
        );
    }

    #[test]
    fn the_sample_has_a_row_per_type_under_one_header() {
        let sample = sample();
        let header = sample.lines().next().unwrap();
        assert!(header.starts_with("type,url,text,"));
        assert!(header.ends_with(",fg,module_shape,filename"));
        for kind in QrType::ALL {
            assert!(sample.contains(&format!("sample-{}", kind.as_str())));
        }
    }
}
