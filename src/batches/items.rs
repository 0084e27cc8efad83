//! One batch row, from a CSV line or a JSON item, checked exactly as `/api/v1/qr` checks
//! a request: the type, its content parameters through the type's table, the design
//! (the batch's defaults overlaid by the row's own values) through the design table, and
//! the file name. A row that fails becomes a failure with its message; it never stops
//! the batch.

use super::filename::{self, FileNames};
use crate::qr::design::{DESIGN_SPECS, Design};
use crate::qr::payload::{Params, QrType, build_payload};

/// A row as received: names and values, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawItem {
    /// 1-based position in the batch (data rows of a CSV, items of a JSON list).
    pub row: usize,
    pub kind: String,
    pub content: Vec<(String, String)>,
    pub design: Vec<(String, String)>,
    pub filename: Option<String>,
}

/// A row ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub row: usize,
    pub kind: QrType,
    pub payload: String,
    pub design: Design,
    /// The file's name in the ZIP, extension included.
    pub filename: String,
}

/// A row that cannot be drawn, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub row: usize,
    /// The file name the row asked for, if any (for the manifest).
    pub filename: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Ready(Item),
    Failed(Failure),
}

impl Entry {
    pub fn row(&self) -> usize {
        match self {
            Entry::Ready(item) => item.row,
            Entry::Failed(failure) => failure.row,
        }
    }
}

/// The design values every row starts from, checked once for the whole batch.
#[derive(Debug, Clone, Default)]
pub struct Defaults(Vec<(String, String)>);

/// A default that is not a design parameter, or a set of defaults that make no design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultsError {
    pub parameter: String,
    pub message: String,
}

impl Defaults {
    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self, DefaultsError> {
        if let Some((name, _)) = pairs
            .iter()
            .find(|(name, _)| !DESIGN_SPECS.iter().any(|spec| spec.name == name))
        {
            return Err(DefaultsError {
                parameter: clip(name),
                message: "is not a design parameter".into(),
            });
        }
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .collect();
        Design::from_params(|name| find(&pairs, name)).map_err(|e| DefaultsError {
            parameter: e.parameter.to_owned(),
            message: e.message,
        })?;
        Ok(Self(pairs))
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Checks rows one by one, giving each good row a file name no earlier row has.
pub struct Validator {
    defaults: Defaults,
    names: FileNames,
    /// Digits of the default names' row numbers.
    width: usize,
}

impl Validator {
    pub fn new(defaults: Defaults, max_rows: usize) -> Self {
        Self {
            defaults,
            names: FileNames::default(),
            width: filename::row_width(max_rows),
        }
    }

    pub fn check(&mut self, raw: RawItem) -> Entry {
        match self.item(&raw) {
            Ok(item) => Entry::Ready(item),
            Err(error) => Entry::Failed(Failure {
                row: raw.row,
                filename: raw
                    .filename
                    .as_deref()
                    .map(|name| name.chars().take(filename::MAX_NAME_CHARS).collect())
                    .unwrap_or_default(),
                error,
            }),
        }
    }

    fn item(&mut self, raw: &RawItem) -> Result<Item, String> {
        let kind = QrType::parse(raw.kind.trim()).ok_or_else(|| {
            let known: Vec<&str> = QrType::ALL.iter().map(|k| k.as_str()).collect();
            if raw.kind.trim().is_empty() {
                format!("type: is required; use one of {}", known.join(", "))
            } else {
                format!(
                    "type: `{}` is not a QR type; use one of {}",
                    clip(&raw.kind),
                    known.join(", ")
                )
            }
        })?;
        let specs = kind.params();
        if let Some((name, _)) = raw
            .content
            .iter()
            .find(|(name, _)| !specs.iter().any(|spec| spec.name == name))
        {
            let takes: Vec<&str> = specs.iter().map(|spec| spec.name).collect();
            return Err(format!(
                "{}: is not a parameter of the {} type, which takes {}",
                clip(name),
                kind.as_str(),
                takes.join(", ")
            ));
        }
        if let Some((name, _)) = raw
            .design
            .iter()
            .find(|(name, _)| !DESIGN_SPECS.iter().any(|spec| spec.name == name))
        {
            return Err(format!("{}: is not a design parameter", clip(name)));
        }
        let content: Params = raw.content.iter().cloned().collect();
        let payload = build_payload(kind, &content).map_err(|e| e.to_string())?;
        let own: Vec<&(String, String)> = raw
            .design
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .collect();
        let design = Design::from_params(|name| {
            own.iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .or_else(|| find(self.defaults.pairs(), name))
        })
        .map_err(|e| e.to_string())?;
        let extension = design.format.extension();
        let filename = match raw.filename.as_deref().filter(|f| !f.trim().is_empty()) {
            Some(requested) => {
                filename::checked(requested, extension).map_err(|e| format!("filename: {e}"))?
            }
            None => filename::default_name(raw.row, kind, extension, self.width),
        };
        self.names
            .claim(&filename)
            .map_err(|e| format!("filename: {e}"))?;
        Ok(Item {
            row: raw.row,
            kind,
            payload,
            design,
            filename,
        })
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::design::{Format, ModuleShape};

    fn raw(row: usize, kind: &str, content: &[(&str, &str)], design: &[(&str, &str)]) -> RawItem {
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        RawItem {
            row,
            kind: kind.into(),
            content: pairs(content),
            design: pairs(design),
            filename: None,
        }
    }

    fn validator(defaults: &[(&str, &str)]) -> Validator {
        let defaults = defaults
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        Validator::new(Defaults::parse(defaults).unwrap(), 5000)
    }

    fn error(entry: Entry) -> String {
        match entry {
            Entry::Failed(failure) => failure.error,
            Entry::Ready(item) => panic!("row {} passed", item.row),
        }
    }

    #[test]
    fn a_good_row_gets_its_payload_design_and_default_name() {
        let mut v = validator(&[("size", "300"), ("module_shape", "dot")]);
        let Entry::Ready(item) = v.check(raw(7, "url", &[("url", "example.org")], &[])) else {
            panic!("a valid row")
        };
        assert_eq!(item.payload, "https://example.org");
        assert_eq!(item.design.size, 300);
        assert_eq!(item.design.module_shape, ModuleShape::Dot);
        assert_eq!(item.filename, "row-0007-url.png");
    }

    #[test]
    fn a_rows_own_design_overrides_the_defaults_and_a_blank_cell_does_not() {
        let mut v = validator(&[("size", "300"), ("format", "svg")]);
        let Entry::Ready(item) = v.check(raw(
            1,
            "text",
            &[("text", "hi")],
            &[("size", "128"), ("format", " ")],
        )) else {
            panic!("a valid row")
        };
        assert_eq!((item.design.size, item.design.format), (128, Format::Svg));
        assert!(item.filename.ends_with(".svg"));
    }

    #[test]
    fn bad_rows_fail_with_a_message_naming_the_parameter() {
        let mut v = validator(&[]);
        assert!(error(v.check(raw(1, "qr", &[], &[]))).starts_with("type: `qr` is not a QR type"));
        assert!(error(v.check(raw(1, "", &[], &[]))).starts_with("type: is required"));
        assert!(error(v.check(raw(2, "url", &[], &[]))).starts_with("url: is required"));
        assert!(
            error(v.check(raw(3, "url", &[("url", "x.org"), ("ssid", "a")], &[])))
                .starts_with("ssid: is not a parameter of the url type")
        );
        assert!(
            error(v.check(raw(4, "url", &[("url", "x.org")], &[("fg", "#eeeeee")])))
                .starts_with("fg: contrast")
        );
        assert!(
            error(v.check(raw(5, "text", &[("text", &"x".repeat(8000))], &[])))
                .starts_with("text: is 8000 bytes long")
        );
    }

    #[test]
    fn file_names_are_checked_and_given_once() {
        let mut v = validator(&[]);
        let mut named = |row, name: &str| {
            let mut item = raw(row, "text", &[("text", "hi")], &[]);
            item.filename = Some(name.into());
            v.check(item)
        };
        assert!(matches!(named(1, "Table 1"), Entry::Ready(i) if i.filename == "Table 1.png"));
        let Entry::Failed(failure) = named(2, "table 1.PNG") else {
            panic!("a second file of the same name")
        };
        assert!(
            failure.error.contains("already the name"),
            "{}",
            failure.error
        );
        assert_eq!(failure.filename, "table 1.PNG");
        let Entry::Failed(failure) = named(3, "../../etc/passwd") else {
            panic!("a path")
        };
        assert!(failure.error.starts_with("filename: may hold only"));
    }

    #[test]
    fn defaults_are_checked_for_the_whole_batch() {
        let parse = |pairs: &[(&str, &str)]| {
            Defaults::parse(
                pairs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            )
        };
        assert_eq!(parse(&[("size", "10")]).unwrap_err().parameter, "size");
        assert_eq!(parse(&[("url", "x")]).unwrap_err().parameter, "url");
        assert!(parse(&[("fg", "#1d4ed8"), ("size", "")]).is_ok());
    }
}
