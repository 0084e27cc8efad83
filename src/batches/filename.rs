//! The names of the files in a batch's ZIP. A name given in the `filename` column is used
//! only when it is plainly safe on every system that may unpack it: letters, digits,
//! spaces and `- _ . ( )`, no path, no leading dot or dash, no trailing dot or space, no
//! Windows device name, and no two alike ignoring case. Anything else is a row error, not
//! a silent rewrite, so the manifest always names the file the row asked for. Rows
//! without a name get `row-0001-url.png`.

use std::collections::HashSet;

use crate::qr::payload::QrType;

/// The longest name (without its extension), in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The same bound in bytes, for the CSV reader's field limit.
pub const MAX_NAME_BYTES: usize = MAX_NAME_CHARS * 4;

const DEVICE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The default name of a row's file: its row number (zero-padded to `width` digits, at
/// least 4), its type and the format's extension.
pub fn default_name(row: usize, kind: QrType, extension: &str, width: usize) -> String {
    format!(
        "row-{row:0width$}-{}.{extension}",
        kind.as_str(),
        width = width.max(4)
    )
}

/// Digits of the largest row number, for zero-padding.
pub fn row_width(rows: usize) -> usize {
    rows.max(1).to_string().len()
}

/// Checks a requested name and returns it with the extension (added unless it already
/// ends in it).
pub fn checked(requested: &str, extension: &str) -> Result<String, String> {
    let name = requested.trim();
    let suffix = format!(".{extension}");
    let stem = match name.len().checked_sub(suffix.len()) {
        Some(cut) if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(&suffix) => {
            &name[..cut]
        }
        _ => name,
    };
    if stem.is_empty() {
        return Err("is empty; leave the cell blank for the default name".into());
    }
    if stem.chars().count() > MAX_NAME_CHARS {
        return Err(format!("is longer than {MAX_NAME_CHARS} characters"));
    }
    if let Some(bad) = stem
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')')))
    {
        return Err(format!(
            "may hold only letters, digits, spaces and - _ . ( ); `{}` is not allowed (no paths)",
            bad.escape_default()
        ));
    }
    if stem.starts_with(['.', '-']) || stem.ends_with(['.', ' ']) {
        return Err("may not start with a dot or dash, nor end with a dot or space".into());
    }
    let base = stem.split('.').next().unwrap_or(stem).to_ascii_lowercase();
    if DEVICE_NAMES.contains(&base.as_str()) {
        return Err(format!("`{stem}` is a reserved device name on Windows"));
    }
    Ok(format!("{stem}{suffix}"))
}

/// The names already given in one ZIP, compared ignoring case (as Windows and macOS
/// file systems do).
#[derive(Debug, Default)]
pub struct FileNames {
    taken: HashSet<String>,
}

impl FileNames {
    /// Reserves `name`, or says which earlier name it collides with.
    pub fn claim(&mut self, name: &str) -> Result<(), String> {
        if self.taken.insert(name.to_lowercase()) {
            Ok(())
        } else {
            Err(format!(
                "`{name}` is already the name of an earlier row's file"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_carry_the_padded_row_and_the_type() {
        assert_eq!(
            default_name(7, QrType::Url, "png", row_width(5000)),
            "row-0007-url.png"
        );
        assert_eq!(
            default_name(12, QrType::Wifi, "svg", row_width(20_000)),
            "row-00012-wifi.svg"
        );
    }

    #[test]
    fn safe_names_get_their_extension_once() {
        assert_eq!(checked("Table 12", "png").unwrap(), "Table 12.png");
        assert_eq!(checked("menu.PNG", "png").unwrap(), "menu.png");
        assert_eq!(
            checked("Café-menu_v2 (final)", "svg").unwrap(),
            "Café-menu_v2 (final).svg"
        );
        assert_eq!(checked("menu.svg", "png").unwrap(), "menu.svg.png");
    }

    #[test]
    fn paths_and_tricky_names_are_refused() {
        for bad in [
            "../etc/passwd",
            "a/b",
            "a\\b",
            "C:evil",
            ".hidden",
            "-rf",
            "trailing.",
            "nul",
            "COM1.txt",
            "tab\there",
            "bidi\u{202e}gnp",
            "=cmd|' /C calc'!A0",
            "",
            ".png",
        ] {
            assert!(checked(bad, "png").is_err(), "{bad:?}");
        }
        assert!(checked(&"x".repeat(MAX_NAME_CHARS + 1), "png").is_err());
        assert!(checked(&"é".repeat(MAX_NAME_CHARS), "png").is_ok());
    }

    #[test]
    fn a_name_is_given_once_ignoring_case() {
        let mut names = FileNames::default();
        assert!(names.claim("Menu.png").is_ok());
        assert!(names.claim("menu.PNG").is_err());
        assert!(names.claim("menu.svg").is_ok());
    }
}
