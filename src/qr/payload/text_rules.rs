//! Escaping and line rules shared by the formats: vCard/iCalendar text values and line
//! folding (RFC 6350 and RFC 5545 use the same rules), and URI percent-encoding.

/// RFC 5545 §3.1 / RFC 6350 §3.2: a content line is at most 75 octets, excluding the
/// line break.
const MAX_LINE_OCTETS: usize = 75;

/// Escapes a TEXT value: backslash, comma and semicolon are structural in both formats,
/// and a value must stay on one content line, so any line break becomes `\n`.
pub(super) fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                // CRLF is one line break, not two.
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line: after 75 octets, CRLF and a space start a continuation line
/// (the space counts towards its 75). Breaks fall between characters, never inside a
/// UTF-8 sequence, since a decoder would otherwise see two invalid halves.
pub(super) fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 24);
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out
}

/// Folds each line and joins them with CRLF. There is no CRLF after the last line: the
/// payload ends where the QR code ends.
pub(super) fn content_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| fold(line))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// RFC 3986 unreserved characters, never percent-encoded.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes every UTF-8 byte that is neither unreserved nor in `keep`, as `%XX`
/// with uppercase hex.
pub(super) fn percent_encode(value: &str, keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        if is_unreserved(byte) || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_escape_backslash_comma_semicolon_and_line_breaks() {
        assert_eq!(
            escape_text("a\\b,c;d\r\ne\rf\ng:h"),
            "a\\\\b\\,c\\;d\\ne\\nf\\ng:h"
        );
        assert_eq!(escape_text("\n\n"), "\\n\\n");
        assert_eq!(escape_text("\r\r\n"), "\\n\\n");
    }

    #[test]
    fn short_lines_are_not_folded() {
        let line = "x".repeat(75);
        assert_eq!(fold(&line), line);
    }

    #[test]
    fn long_ascii_lines_fold_at_75_octets_with_a_leading_space() {
        let folded = fold(&"a".repeat(200));
        let lines: Vec<&str> = folded.split("\r\n").collect();
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1], format!(" {}", "a".repeat(74)));
        assert_eq!(lines[2], format!(" {}", "a".repeat(51)));
    }

    #[test]
    fn folding_never_splits_a_utf8_character_and_keeps_lines_within_75_octets() {
        let pieces = ["é", "€", "😀", "👩‍👩‍👧", "a", "ab"];
        for prefix in 0..8 {
            for piece in pieces {
                let line = format!("{}{}", "p".repeat(prefix), piece.repeat(90));
                let folded = fold(&line);
                // Splitting on CRLF works on &str, so every physical line is valid UTF-8
                // by construction; check the lengths and that unfolding restores the line.
                for (i, physical) in folded.split("\r\n").enumerate() {
                    assert!(physical.len() <= 75, "{} octets", physical.len());
                    assert!(i == 0 || physical.starts_with(' '));
                }
                assert_eq!(folded.replace("\r\n ", ""), line);
            }
        }
    }

    #[test]
    fn content_lines_are_joined_by_crlf_without_a_trailing_one() {
        let lines = ["BEGIN:X".to_owned(), "END:X".to_owned()];
        assert_eq!(content_lines(&lines), "BEGIN:X\r\nEND:X");
    }

    #[test]
    fn percent_encoding_keeps_unreserved_and_encodes_utf8_bytes_in_uppercase() {
        assert_eq!(percent_encode("aZ09-._~", b""), "aZ09-._~");
        assert_eq!(percent_encode("a b&c?\n", b""), "a%20b%26c%3F%0A");
        assert_eq!(percent_encode("é😀", b""), "%C3%A9%F0%9F%98%80");
        assert_eq!(percent_encode("a@b+c", b"@+"), "a@b+c");
    }
}
