//! Reading a batch CSV as it arrives, chunk by chunk, with every size bounded before
//! anything is allocated: a field is read into one fixed buffer (a longer field is an
//! error, however long it goes on), a record has at most `max_fields` fields, and the
//! file at most `max_records` records. Tokenising is `csv-core`'s (RFC 4180 quoting, a
//! BOM skipped, CRLF or LF); this layer adds what it leaves out: line numbers for every
//! message, UTF-8 checks, and refusing a quote that is never closed (which `csv-core`
//! would read as one field running to the end of the file).

use csv_core::{ReadFieldResult, Reader};

/// Bounds of one file.
#[derive(Debug, Clone, Copy)]
pub struct CsvLimits {
    pub max_field_bytes: usize,
    pub max_fields: usize,
    /// Records, the header included.
    pub max_records: usize,
}

/// Why a file cannot be read, at which line (1-based, as an editor counts them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    pub line: u64,
    pub message: String,
}

/// One record: the line it starts on and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub fields: Vec<String>,
}

pub struct CsvReader {
    core: Reader,
    limits: CsvLimits,
    /// The field being read; its length is the limit, `filled` how much is used.
    field: Vec<u8>,
    filled: usize,
    fields: Vec<String>,
    /// The first record, kept to name columns in messages.
    header: Vec<String>,
    records: usize,
    lines: Lines,
    /// The line where the current record starts.
    record_line: u64,
    /// The next byte that is not a line break starts a record.
    awaiting_record: bool,
    /// The file's first bytes, held until it is clear whether they are a UTF-8 BOM
    /// (`csv-core` skips one only when it arrives whole in the first chunk); `None` after.
    opening: Option<Vec<u8>>,
}

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Line and quote bookkeeping over the bytes the tokeniser consumed. Every `"` toggles
/// `in_quote`: in RFC 4180 quotes come in pairs (open and close, or a doubled quote
/// inside), so an odd count at the end is a quote that was never closed.
#[derive(Debug, Clone, Copy)]
struct Lines {
    line: u64,
    after_cr: bool,
    in_quote: bool,
    quote_line: u64,
}

impl CsvReader {
    pub fn new(limits: CsvLimits) -> Self {
        Self {
            core: Reader::new(),
            field: vec![0; limits.max_field_bytes],
            filled: 0,
            fields: Vec::new(),
            header: Vec::new(),
            records: 0,
            lines: Lines {
                line: 1,
                after_cr: false,
                in_quote: false,
                quote_line: 0,
            },
            record_line: 1,
            awaiting_record: true,
            opening: Some(Vec::new()),
            limits,
        }
    }

    /// Reads `input`, the next part of the file, handing each complete record to `sink`.
    pub fn feed(
        &mut self,
        input: &[u8],
        sink: &mut impl FnMut(Record) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        let Some(opening) = &mut self.opening else {
            return self.tokenise(input, sink);
        };
        let wanted = BOM.len().saturating_sub(opening.len()).min(input.len());
        opening.extend_from_slice(&input[..wanted]);
        if opening.len() < BOM.len() && BOM.starts_with(opening) {
            return Ok(());
        }
        let opening = self.opening.take().unwrap_or_default();
        let start = if opening == BOM {
            &[][..]
        } else {
            &opening[..]
        };
        self.tokenise(start, sink)?;
        self.tokenise(&input[wanted..], sink)
    }

    fn tokenise(
        &mut self,
        mut input: &[u8],
        sink: &mut impl FnMut(Record) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        while !input.is_empty() {
            let (result, read) = self.step(input)?;
            input = &input[read..];
            if let ReadFieldResult::Field { record_end } = result {
                self.end_field(record_end, sink)?;
            }
        }
        Ok(())
    }

    /// The end of the file: the last record, and the check that every quote was closed.
    pub fn finish(
        &mut self,
        sink: &mut impl FnMut(Record) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        if let Some(opening) = self.opening.take()
            && opening != BOM
        {
            self.tokenise(&opening, sink)?;
        }
        if self.lines.in_quote {
            return Err(CsvError {
                line: self.lines.quote_line,
                message: "a quoted field starts here and is never closed: a closing \" is missing (a quote inside a field is written twice, \"\")".into(),
            });
        }
        loop {
            match self.step(&[])?.0 {
                ReadFieldResult::Field { record_end } => self.end_field(record_end, sink)?,
                ReadFieldResult::End => return Ok(()),
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
            }
        }
    }

    /// Data records read so far (the header not counted).
    pub fn rows(&self) -> usize {
        self.records.saturating_sub(1)
    }

    fn step(&mut self, input: &[u8]) -> Result<(ReadFieldResult, usize), CsvError> {
        let (result, read, written) = self.core.read_field(input, &mut self.field[self.filled..]);
        self.track(&input[..read]);
        self.filled += written;
        if result == ReadFieldResult::OutputFull {
            return Err(self.too_long());
        }
        Ok((result, read))
    }

    fn track(&mut self, consumed: &[u8]) {
        for &byte in consumed {
            if self.awaiting_record && byte != b'\r' && byte != b'\n' {
                self.record_line = self.lines.line;
                self.awaiting_record = false;
            }
            let lines = &mut self.lines;
            match byte {
                b'\n' if lines.after_cr => lines.after_cr = false,
                b'\n' | b'\r' => {
                    lines.line += 1;
                    lines.after_cr = byte == b'\r';
                }
                _ => {
                    lines.after_cr = false;
                    if byte == b'"' {
                        lines.in_quote = !lines.in_quote;
                        if lines.in_quote {
                            lines.quote_line = lines.line;
                        }
                    }
                }
            }
        }
    }

    fn end_field(
        &mut self,
        record_end: bool,
        sink: &mut impl FnMut(Record) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        if self.fields.len() == self.limits.max_fields {
            return Err(self.error(format!(
                "has more than {} fields; a batch has at most one column per parameter",
                self.limits.max_fields
            )));
        }
        let bytes = &self.field[..self.filled];
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let column = self.column_name(self.fields.len());
            self.error(format!(
                "{column} is not valid UTF-8 (at byte {} of the field); save the file as UTF-8",
                e.valid_up_to() + 1
            ))
        })?;
        self.fields.push(text.to_owned());
        self.filled = 0;
        if !record_end {
            return Ok(());
        }
        let record = Record {
            line: self.record_line,
            fields: std::mem::take(&mut self.fields),
        };
        self.awaiting_record = true;
        // Blank lines, and rows of empty cells that spreadsheets leave at the end.
        if self.records > 0 && record.fields.iter().all(|f| f.trim().is_empty()) {
            return Ok(());
        }
        if self.records == self.limits.max_records {
            return Err(CsvError {
                line: record.line,
                message: format!(
                    "more than {} rows; a batch holds at most {} items",
                    self.limits.max_records - 1,
                    self.limits.max_records - 1
                ),
            });
        }
        if self.records == 0 {
            self.header = record.fields.clone();
        }
        self.records += 1;
        sink(record)
    }

    fn too_long(&self) -> CsvError {
        let column = self.column_name(self.fields.len());
        let limit = self.limits.max_field_bytes;
        if self.lines.in_quote {
            CsvError {
                line: self.lines.quote_line,
                message: format!(
                    "a quoted field ({column}) starts here and runs on for more than {limit} bytes: is its closing \" missing?"
                ),
            }
        } else {
            self.error(format!(
                "{column} is longer than {limit} bytes, more than any parameter takes"
            ))
        }
    }

    /// `column `url`` once the header is known, else `field 3`.
    fn column_name(&self, index: usize) -> String {
        match self.header.get(index) {
            Some(name) if self.records > 0 => format!("the field in column `{}`", clip(name)),
            _ => format!("field {}", index + 1),
        }
    }

    fn error(&self, message: String) -> CsvError {
        CsvError {
            line: self.record_line,
            message,
        }
    }
}

fn clip(text: &str) -> String {
    text.trim().chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: CsvLimits = CsvLimits {
        max_field_bytes: 64,
        max_fields: 4,
        max_records: 6,
    };

    /// Reads `text` in chunks of `chunk` bytes.
    fn read_in(text: &[u8], chunk: usize) -> Result<Vec<Record>, CsvError> {
        let mut reader = CsvReader::new(LIMITS);
        let mut records = Vec::new();
        let mut sink = |r: Record| {
            records.push(r);
            Ok(())
        };
        for part in text.chunks(chunk) {
            reader.feed(part, &mut sink)?;
        }
        reader.finish(&mut sink)?;
        Ok(records)
    }

    fn read(text: &str) -> Result<Vec<Record>, CsvError> {
        read_in(text.as_bytes(), 7)
    }

    fn fields(records: &[Record]) -> Vec<Vec<&str>> {
        records
            .iter()
            .map(|r| r.fields.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn quoted_fields_carry_commas_quotes_and_line_breaks() {
        let records = read("type,text\r\ntext,\"a, \"\"b\"\"\nc\"\r\ntext,plain").unwrap();
        assert_eq!(
            fields(&records),
            vec![
                vec!["type", "text"],
                vec!["text", "a, \"b\"\nc"],
                vec!["text", "plain"]
            ]
        );
        assert_eq!(
            records.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![1, 2, 4]
        );
    }

    #[test]
    fn every_chunking_reads_the_same() {
        let text = "\u{feff}type,text\nurl,\"x\"\"y\"\n\n,\n text , z \n";
        let whole = read_in(text.as_bytes(), text.len()).unwrap();
        for chunk in 1..text.len() {
            assert_eq!(read_in(text.as_bytes(), chunk).unwrap(), whole, "{chunk}");
        }
        assert_eq!(
            fields(&whole),
            vec![
                vec!["type", "text"],
                vec!["url", "x\"y"],
                vec![" text ", " z "]
            ]
        );
        assert_eq!(whole[2].line, 5, "blank rows are skipped but still counted");
    }

    #[test]
    fn an_unclosed_quote_names_the_line_it_opens_on() {
        let err = read("type,text\ntext,ok\ntext,\"never closed\ntext,more\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("never closed"), "{err}");
        let long = format!("type,text\ntext,\"{}\n", "x".repeat(100));
        let err = read(&long).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("closing \" missing"), "{err}");
    }

    #[test]
    fn a_long_field_is_refused_at_its_line_without_reading_on() {
        let text = format!("type,text\ntext,ok\ntext,{}", "x".repeat(10_000));
        let err = read(&text).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message
                .contains("column `text` is longer than 64 bytes"),
            "{err}"
        );
    }

    #[test]
    fn too_many_fields_or_records_are_refused() {
        let err = read("a,b,c,d,e,f,g\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("more than 4 fields"), "{err}");
        let rows = "type\n".to_owned() + &"url\n".repeat(6);
        let err = read(&rows).unwrap_err();
        assert_eq!(err.line, 7);
        assert!(err.message.contains("more than 5 rows"), "{err}");
    }

    #[test]
    fn invalid_utf8_names_its_line_and_column() {
        let err = read_in(b"type,text\ntext,ok\r\ntext,caf\xe9\r\n", 5).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("column `text` is not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_file_has_no_records() {
        assert!(read("").unwrap().is_empty());
        assert!(read("\u{feff}").unwrap().is_empty());
    }
}
