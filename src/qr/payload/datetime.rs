//! Dates and times for events: the strict RFC 3339 subset we accept, and the iCalendar
//! forms we write.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::validate::echo;

/// A parsed `start` or `end`: a whole day, or an instant already converted to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Day(Date),
    At(OffsetDateTime),
}

/// The iCalendar form: `YYYYMMDD` for a day, `YYYYMMDDTHHMMSSZ` for an instant in UTC.
pub(super) fn ical(when: When) -> String {
    match when {
        When::Day(day) => format!(
            "{:04}{:02}{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        ),
        When::At(at) => format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        ),
    }
}

pub(super) fn iso_date(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// Parses `YYYY-MM-DD` (all day) or RFC 3339 `YYYY-MM-DDTHH:MM[:SS][.fraction](Z|±HH:MM)`,
/// seconds optional. A time without a zone is refused: the scanner's phone would read it
/// in its own zone, and a code printed on a poster travels. Fractions of a second are
/// dropped, since iCalendar has none.
pub(super) fn parse_when(value: &str) -> Result<When, String> {
    let malformed = || {
        format!(
            "must be a date like 2026-12-01 or a date and time with a zone like \
             2026-12-01T18:00+01:00; got {}",
            echo(value)
        )
    };
    let bytes = value.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u16> {
        let digits = bytes.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + u16::from(d - b'0')))
    };
    let separator =
        |at: usize, expected: &[u8]| bytes.get(at).is_some_and(|b| expected.contains(b));

    let (Some(year), Some(month), Some(day), true, true) = (
        number(0..4),
        number(5..7),
        number(8..10),
        separator(4, b"-"),
        separator(7, b"-"),
    ) else {
        return Err(malformed());
    };
    let date = u8::try_from(month)
        .ok()
        .and_then(|month| Month::try_from(month).ok())
        .and_then(|month| Date::from_calendar_date(i32::from(year), month, day as u8).ok())
        .ok_or_else(|| format!("is not a real date: {}", echo(value)))?;
    if bytes.len() == 10 {
        return Ok(When::Day(date));
    }

    let (Some(hour), Some(minute), true, true) = (
        number(11..13),
        number(14..16),
        separator(10, b"Tt"),
        separator(13, b":"),
    ) else {
        return Err(malformed());
    };
    let mut at = 16;
    let mut second = 0;
    if separator(at, b":") {
        second = number(at + 1..at + 3).ok_or_else(malformed)?;
        at += 3;
    }
    if separator(at, b".") {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err(malformed());
        }
        at += 1 + digits;
    }
    let time = Time::from_hms(hour as u8, minute as u8, second as u8)
        .map_err(|_| format!("is not a real time of day: {}", echo(value)))?;
    let offset = parse_offset(&bytes[at..]).map_err(|problem| problem.unwrap_or_else(malformed))?;

    PrimitiveDateTime::new(date, time)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
        .filter(|utc| (0..=9999).contains(&utc.year()))
        .map(When::At)
        .ok_or_else(|| format!("is outside the years 0000 to 9999 in UTC: {}", echo(value)))
}

/// `Z` or `±HH:MM`. The error is `None` for plain malformed input, or a specific hint.
fn parse_offset(zone: &[u8]) -> Result<UtcOffset, Option<String>> {
    let sign: i8 = match zone.first() {
        None => {
            return Err(Some(
                "has no time zone; add Z for UTC or an offset like +01:00 (2026-12-01T18:00+01:00)"
                    .into(),
            ));
        }
        Some(b'Z' | b'z') if zone.len() == 1 => return Ok(UtcOffset::UTC),
        Some(b'+') => 1,
        Some(b'-') => -1,
        // A `+` in an unencoded query string arrives as a space.
        Some(b' ') => {
            return Err(Some(
                "has a space before its offset; in a query string, write + as %2B".into(),
            ));
        }
        Some(_) => return Err(None),
    };
    let two = |range: std::ops::Range<usize>| -> Option<i8> {
        let digits = zone.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| (digits[0] - b'0') as i8 * 10 + (digits[1] - b'0') as i8)
    };
    match (zone.len(), zone.get(3), two(1..3), two(4..6)) {
        (6, Some(b':'), Some(hours @ 0..=23), Some(minutes @ 0..=59)) => {
            UtcOffset::from_hms(sign * hours, sign * minutes, 0).map_err(|_| None)
        }
        _ => Err(Some(
            "has an offset that is not ±HH:MM with HH up to 23 (like +01:00 or -05:30)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(value: &str) -> String {
        ical(parse_when(value).unwrap())
    }

    fn problem(value: &str) -> String {
        parse_when(value).unwrap_err()
    }

    #[test]
    fn dates_alone_are_whole_days() {
        assert_eq!(
            parse_when("2028-02-29").unwrap(),
            When::Day(time::macros::date!(2028 - 02 - 29))
        );
        assert_eq!(utc("2026-07-14"), "20260714");
    }

    #[test]
    fn date_times_are_converted_to_utc_with_seconds_optional_and_fractions_dropped() {
        assert_eq!(utc("2026-12-01T18:00+01:00"), "20261201T170000Z");
        assert_eq!(utc("2026-03-29T01:59:59.999Z"), "20260329T015959Z");
        assert_eq!(utc("2026-03-29t01:59:07z"), "20260329T015907Z");
        assert_eq!(utc("2026-03-29T05:45+05:45"), "20260329T000000Z");
        assert_eq!(utc("2026-03-29T00:00-00:00"), "20260329T000000Z");
        assert_eq!(utc("2026-02-28T23:00:00-02:00"), "20260301T010000Z");
        assert_eq!(utc("2026-12-31T23:30-05:00"), "20270101T043000Z");
    }

    #[test]
    fn a_time_without_a_zone_is_refused() {
        assert_eq!(
            problem("2026-12-01T18:00"),
            "has no time zone; add Z for UTC or an offset like +01:00 (2026-12-01T18:00+01:00)"
        );
        assert_eq!(
            problem("2026-12-01T18:00 01:00"),
            "has a space before its offset; in a query string, write + as %2B"
        );
        for bad in [
            "2026-12-01T18:00+0100",
            "2026-12-01T18:00+24:00",
            "2026-12-01T18:00+01:60",
            "2026-12-01T18:00+01:00Z",
        ] {
            assert_eq!(
                problem(bad),
                "has an offset that is not ±HH:MM with HH up to 23 (like +01:00 or -05:30)",
                "{bad}"
            );
        }
    }

    #[test]
    fn malformed_dates_and_times_are_refused() {
        for bad in [
            "01.12.2026",
            "2026-12-1",
            "2026/12/01",
            "2026-12-01 18:00Z",
            "2026-12-01T18Z",
            "2026-12-01T18:00:5Z",
            "2026-12-01T18:00.Z",
            "2026-12-01T18:00UTC",
            "2026-12-01T1８:00Z",
            "tomorrow",
        ] {
            assert!(
                problem(bad).starts_with("must be a date like 2026-12-01 or a date and time"),
                "{bad}"
            );
        }
        assert_eq!(problem("2026-02-30"), "is not a real date: \"2026-02-30\"");
        assert_eq!(problem("2026-13-01"), "is not a real date: \"2026-13-01\"");
        assert_eq!(
            problem("2026-12-01T24:00Z"),
            "is not a real time of day: \"2026-12-01T24:00Z\""
        );
        assert!(problem("2026-12-01T18:60:00Z").starts_with("is not a real time of day"));
        assert!(problem("2026-12-01T23:59:60Z").starts_with("is not a real time of day"));
        assert_eq!(
            problem("0000-01-01T00:00+01:00"),
            "is outside the years 0000 to 9999 in UTC: \"0000-01-01T00:00+01:00\""
        );
    }
}
