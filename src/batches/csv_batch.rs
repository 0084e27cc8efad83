//! A batch CSV, read as it arrives: the header names the columns (`type`, content and
//! design parameters, `filename`; see `columns`), then every row becomes an entry, checked
//! as it is read. Structural faults (an unknown or repeated column, a row with the wrong
//! number of fields, anything `csv_in` refuses) reject the whole file with the line;
//! a row whose values are wrong is only that row's failure.

use super::columns::{self, Column};
use super::csv_in::{CsvError, CsvLimits, CsvReader, Record};
use super::items::{Defaults, Entry, RawItem, Validator};

pub struct CsvBatch {
    reader: CsvReader,
    parsed: Parsed,
}

/// What the records so far made: the columns, once the header is read, and the entries.
struct Parsed {
    columns: Option<Vec<Column>>,
    validator: Validator,
    entries: Vec<Entry>,
}

impl CsvBatch {
    pub fn new(defaults: Defaults, max_items: usize) -> Self {
        let limits = CsvLimits {
            // Longer than any parameter allows, so a value just too long is that row's
            // failure with the parameter's own message; far longer is the file's fault.
            max_field_bytes: (columns::longest_value() * 2).max(16 * 1024),
            max_fields: columns::max_columns(),
            max_records: max_items + 1,
        };
        Self {
            reader: CsvReader::new(limits),
            parsed: Parsed {
                columns: None,
                validator: Validator::new(defaults, max_items),
                entries: Vec::new(),
            },
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), CsvError> {
        let parsed = &mut self.parsed;
        self.reader.feed(chunk, &mut |record| parsed.take(record))
    }

    /// The entries, once the whole file is read.
    pub fn finish(mut self) -> Result<Vec<Entry>, CsvError> {
        let parsed = &mut self.parsed;
        self.reader.finish(&mut |record| parsed.take(record))?;
        if self.parsed.columns.is_none() {
            return Err(CsvError {
                line: 1,
                message: "the file is empty; its first line names the columns, e.g. type,url"
                    .into(),
            });
        }
        if self.parsed.entries.is_empty() {
            return Err(CsvError {
                line: 2,
                message: "the file has a header but no rows".into(),
            });
        }
        Ok(self.parsed.entries)
    }
}

impl Parsed {
    fn take(&mut self, record: Record) -> Result<(), CsvError> {
        match &self.columns {
            None => {
                self.columns = Some(header(&record)?);
                Ok(())
            }
            Some(columns) => {
                let raw = row(columns, record, self.entries.len() + 1)?;
                let entry = self.validator.check(raw);
                self.entries.push(entry);
                Ok(())
            }
        }
    }
}

fn header(record: &Record) -> Result<Vec<Column>, CsvError> {
    let fail = |message: String| CsvError {
        line: record.line,
        message,
    };
    let mut columns: Vec<Column> = Vec::with_capacity(record.fields.len());
    for (i, name) in record.fields.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(fail(format!(
                "column {} of the header has no name; every column needs one",
                i + 1
            )));
        }
        let column = Column::named(name).ok_or_else(|| {
            fail(format!(
                "`{}` is not a column a batch can have: use type, filename, a QR type's parameters or a design parameter (the templates on /dashboard/batches list them)",
                clip(name)
            ))
        })?;
        if columns.contains(&column) {
            return Err(fail(format!(
                "the column `{}` appears twice",
                column.name()
            )));
        }
        columns.push(column);
    }
    if !columns.contains(&Column::Type) {
        return Err(fail(
            "the header has no `type` column, which says what each row's code holds".into(),
        ));
    }
    Ok(columns)
}

fn row(columns: &[Column], record: Record, number: usize) -> Result<RawItem, CsvError> {
    if record.fields.len() != columns.len() {
        return Err(CsvError {
            line: record.line,
            message: format!(
                "this row has {} fields, but the header has {} columns",
                record.fields.len(),
                columns.len()
            ),
        });
    }
    let mut item = RawItem {
        row: number,
        ..RawItem::default()
    };
    for (column, value) in columns.iter().zip(record.fields) {
        // A blank cell is an absent value: another type's column, or the default.
        if value.trim().is_empty() {
            continue;
        }
        match column {
            Column::Type => item.kind = value,
            Column::Filename => item.filename = Some(value),
            Column::Content(name) => item.content.push((name.to_string(), value)),
            Column::Design(name) => item.design.push((name.to_string(), value)),
        }
    }
    Ok(item)
}

fn clip(text: &str) -> String {
    text.trim().chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Entry>, CsvError> {
        let mut batch = CsvBatch::new(Defaults::default(), 100);
        for chunk in text.as_bytes().chunks(5) {
            batch.feed(chunk)?;
        }
        batch.finish()
    }

    #[test]
    fn rows_become_entries_with_their_columns() {
        let entries = read(
            "Type,url,text,SSID,security,fg,filename\r\n\
             url,example.org,,,,#1d4ed8,menu\r\n\
             text,,hello,,,,\r\n\
             wifi,,,Home,nopass,,\r\n\
             text,,,,,,\r\n",
        )
        .unwrap();
        assert_eq!(entries.len(), 4);
        let Entry::Ready(menu) = &entries[0] else {
            panic!("{entries:?}")
        };
        assert_eq!(
            (menu.filename.as_str(), menu.payload.as_str()),
            ("menu.png", "https://example.org")
        );
        assert!(matches!(&entries[2], Entry::Ready(w) if w.filename == "row-0003-wifi.png"));
        let Entry::Failed(failure) = &entries[3] else {
            panic!("a text row without text")
        };
        assert_eq!(failure.row, 4);
        assert!(failure.error.starts_with("text: is required"));
    }

    #[test]
    fn a_bad_header_is_the_files_fault() {
        for (text, wanted) in [
            ("url,text\nx,y\n", "no `type` column"),
            ("type,colour\nurl,red\n", "`colour` is not a column"),
            ("type,url,URL\n", "`url` appears twice"),
            ("type,,url\n", "column 2 of the header has no name"),
            ("", "the file is empty"),
            ("type,url\n", "no rows"),
        ] {
            let err = read(text).unwrap_err();
            assert!(err.to_string().contains(wanted), "{text:?}: {err}");
        }
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields_names_its_line() {
        let err = read("type,url\nurl,a.org\nurl,b.org,extra\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("3 fields, but the header has 2"),
            "{err}"
        );
    }
}
