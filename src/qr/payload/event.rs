//! `event`: an iCalendar event (RFC 5545) that scanners offer to add to the calendar.
//!
//! Deterministic on purpose: the same parameters always give the same bytes, so the UID
//! is a hash of the event and DTSTAMP is derived from the start, not from the clock.

use sha2::{Digest, Sha256};
use time::Duration;

use super::datetime::{When, ical, iso_date, parse_when};
use super::text_rules::{content_lines, escape_text};
use super::{ParamKind, ParamSpec, Params, PayloadError, required};

pub const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "title",
        required: true,
        kind: ParamKind::Text,
        max_bytes: 200,
        default: None,
        description: "The event's name.",
        example: "Winter concert",
    },
    ParamSpec {
        name: "start",
        required: true,
        kind: ParamKind::DateTime,
        max_bytes: 64,
        default: None,
        description: "Start, with a zone (2026-12-01T18:00+01:00), or a date for an all-day event.",
        example: "2026-12-01T18:00+01:00",
    },
    ParamSpec {
        name: "end",
        required: false,
        kind: ParamKind::DateTime,
        max_bytes: 64,
        default: None,
        description: "End, in the same form as start; defaults to one hour (or one day) later.",
        example: "2026-12-01T21:30+01:00",
    },
    ParamSpec {
        name: "location",
        required: false,
        kind: ParamKind::Text,
        max_bytes: 200,
        default: None,
        description: "Where the event takes place.",
        example: "Town Hall, 1 Market Square",
    },
    ParamSpec {
        name: "description",
        required: false,
        kind: ParamKind::Multiline,
        max_bytes: 1000,
        default: None,
        description: "More about the event; line breaks are kept.",
        example: "Doors open at 17:30.\nFree entry.",
    },
];

pub fn build(params: &Params) -> Result<String, PayloadError> {
    let title = required(params, "title")?;
    let start =
        parse_param(params, "start")?.ok_or_else(|| PayloadError::new("start", "is required"))?;
    let end = match parse_param(params, "end")? {
        Some(end) => end,
        None => default_end(start).ok_or_else(|| {
            PayloadError::new("start", "is too late: the event would end after 9999")
        })?,
    };
    check_order(start, end)?;
    let location = params.get("location");
    let description = params.get("description");

    let (start_text, end_text) = (ical(start), ical(end));
    let uid_input = [
        title,
        &start_text,
        &end_text,
        location.unwrap_or_default(),
        description.unwrap_or_default(),
    ]
    .join("\n");
    let uid = &hex::encode(Sha256::digest(uid_input.as_bytes()))[..16];
    let (stamp, date_param) = match start {
        When::Day(_) => (format!("{start_text}T000000Z"), ";VALUE=DATE"),
        When::At(_) => (start_text.clone(), ""),
    };

    let mut lines: Vec<String> = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//qrgate//EN",
        "BEGIN:VEVENT",
    ]
    .map(str::to_owned)
    .to_vec();
    lines.push(format!("UID:{uid}@qrgate"));
    lines.push(format!("DTSTAMP:{stamp}"));
    lines.push(format!("DTSTART{date_param}:{start_text}"));
    lines.push(format!("DTEND{date_param}:{end_text}"));
    lines.push(format!("SUMMARY:{}", escape_text(title)));
    if let Some(location) = location {
        lines.push(format!("LOCATION:{}", escape_text(location)));
    }
    if let Some(description) = description {
        lines.push(format!("DESCRIPTION:{}", escape_text(description)));
    }
    lines.extend(["END:VEVENT".to_owned(), "END:VCALENDAR".to_owned()]);
    Ok(content_lines(&lines))
}

fn parse_param(params: &Params, name: &'static str) -> Result<Option<When>, PayloadError> {
    params
        .get(name)
        .map(|value| parse_when(value).map_err(|message| PayloadError::new(name, message)))
        .transpose()
}

/// One hour for a timed event; for an all-day event, that day only (DTEND is exclusive).
fn default_end(start: When) -> Option<When> {
    match start {
        When::Day(day) => day.next_day().map(When::Day),
        When::At(at) => at
            .checked_add(Duration::hours(1))
            .filter(|end| end.year() <= 9999)
            .map(When::At),
    }
}

fn check_order(start: When, end: When) -> Result<(), PayloadError> {
    match (start, end) {
        (When::At(start), When::At(end)) if end <= start => {
            Err(PayloadError::new("end", "must be after start"))
        }
        (When::Day(start), When::Day(end)) if end <= start => {
            // A common slip: giving the last day of the event rather than the day after.
            let next = start.next_day().map(iso_date).unwrap_or_default();
            Err(PayloadError::new(
                "end",
                format!(
                    "must be after start; the end date is exclusive, \
                     so a one-day event on {} ends on {next}",
                    iso_date(start)
                ),
            ))
        }
        (When::At(_), When::At(_)) | (When::Day(_), When::Day(_)) => Ok(()),
        _ => Err(PayloadError::new(
            "end",
            "must have the same form as start: both dates (2026-12-01) for an all-day event, \
             or both dates with a time and zone (2026-12-01T21:00+01:00)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::payload::{QrType, build_payload};

    fn event(pairs: &[(&str, &str)]) -> Result<String, PayloadError> {
        build_payload(QrType::Event, &pairs.iter().copied().collect())
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        event(pairs).unwrap_err().to_string()
    }

    /// The expected UIDs below were computed independently (Python's hashlib).
    #[test]
    fn a_timed_event_is_converted_to_utc() {
        assert_eq!(
            event(&[
                ("title", "Winter concert"),
                ("start", "2026-12-01T18:00+01:00"),
                ("end", "2026-12-01T21:30+01:00"),
                ("location", "Town Hall, 1 Market Square"),
                ("description", "Doors open at 17:30.\nFree entry."),
            ])
            .unwrap(),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//qrgate//EN\r\nBEGIN:VEVENT\r\n\
             UID:8b4e79112f9d6242@qrgate\r\nDTSTAMP:20261201T170000Z\r\n\
             DTSTART:20261201T170000Z\r\nDTEND:20261201T203000Z\r\nSUMMARY:Winter concert\r\n\
             LOCATION:Town Hall\\, 1 Market Square\r\n\
             DESCRIPTION:Doors open at 17:30.\\nFree entry.\r\nEND:VEVENT\r\nEND:VCALENDAR"
        );
    }

    #[test]
    fn a_negative_offset_can_move_the_event_into_the_next_year_and_end_defaults_to_one_hour() {
        assert_eq!(
            event(&[
                ("title", "New Year 🎆"),
                ("start", "2026-12-31T23:30-05:00")
            ])
            .unwrap(),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//qrgate//EN\r\nBEGIN:VEVENT\r\n\
             UID:0e7c0529fc4e60ce@qrgate\r\nDTSTAMP:20270101T043000Z\r\n\
             DTSTART:20270101T043000Z\r\nDTEND:20270101T053000Z\r\nSUMMARY:New Year 🎆\r\n\
             END:VEVENT\r\nEND:VCALENDAR"
        );
    }

    #[test]
    fn an_all_day_event_uses_dates_and_ends_the_next_day_by_default() {
        assert_eq!(
            event(&[("title", "Bastille Day"), ("start", "2026-07-14")]).unwrap(),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//qrgate//EN\r\nBEGIN:VEVENT\r\n\
             UID:3dc8ef7050c8e294@qrgate\r\nDTSTAMP:20260714T000000Z\r\n\
             DTSTART;VALUE=DATE:20260714\r\nDTEND;VALUE=DATE:20260715\r\n\
             SUMMARY:Bastille Day\r\nEND:VEVENT\r\nEND:VCALENDAR"
        );
    }

    #[test]
    fn a_multi_day_event_escapes_its_text() {
        assert_eq!(
            event(&[
                ("title", "Festival; day 1, 2 & 3"),
                ("start", "2026-07-14"),
                ("end", "2026-07-17"),
                ("location", "Parc de la Villette, Paris"),
            ])
            .unwrap(),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//qrgate//EN\r\nBEGIN:VEVENT\r\n\
             UID:3d0d1db17d7e84b6@qrgate\r\nDTSTAMP:20260714T000000Z\r\n\
             DTSTART;VALUE=DATE:20260714\r\nDTEND;VALUE=DATE:20260717\r\n\
             SUMMARY:Festival\\; day 1\\, 2 & 3\r\nLOCATION:Parc de la Villette\\, Paris\r\n\
             END:VEVENT\r\nEND:VCALENDAR"
        );
    }

    #[test]
    fn seconds_fractions_and_lowercase_separators_are_accepted_through_the_api() {
        let cases = [
            ("2026-03-29T01:59:59.999Z", "20260329T015959Z"),
            ("2026-03-29t01:59:07z", "20260329T015907Z"),
            ("2026-03-29T05:45+05:45", "20260329T000000Z"),
            ("2026-03-29T00:00-00:00", "20260329T000000Z"),
            ("2026-02-28T23:00:00-02:00", "20260301T010000Z"),
        ];
        for (given, utc) in cases {
            let payload = event(&[("title", "x"), ("start", given)]).unwrap();
            assert!(
                payload.contains(&format!("\r\nDTSTART:{utc}\r\n")),
                "{given}"
            );
        }
    }

    #[test]
    fn the_same_event_always_gives_the_same_bytes_whatever_the_offset() {
        let paris = [("title", "Call"), ("start", "2026-12-01T18:00+01:00")];
        let utc = [("title", "Call"), ("start", "2026-12-01T17:00Z")];
        assert_eq!(event(&paris).unwrap(), event(&paris).unwrap());
        assert_eq!(event(&paris).unwrap(), event(&utc).unwrap());
        let other = [("title", "Call!"), ("start", "2026-12-01T17:00Z")];
        let uid = |payload: String| {
            payload
                .lines()
                .find(|l| l.starts_with("UID:"))
                .unwrap()
                .to_owned()
        };
        assert_ne!(uid(event(&utc).unwrap()), uid(event(&other).unwrap()));
    }

    #[test]
    fn a_long_description_is_folded_without_splitting_characters() {
        let description = "Bring snacks 🍿 and a blanket; it gets cold after dark.\n".repeat(6);
        let payload = event(&[
            ("title", "Open-air cinema"),
            ("start", "2026-08-01"),
            ("description", &description),
        ])
        .unwrap();
        assert!(payload.split("\r\n").all(|line| line.len() <= 75));
        let unfolded = payload.replace("\r\n ", "");
        let expected = format!("DESCRIPTION:{}", escape_text(&description));
        assert!(unfolded.split("\r\n").any(|line| line == expected));
        assert!(
            payload
                .split("\r\n")
                .filter(|line| line.starts_with(' '))
                .count()
                >= 5
        );
    }

    #[test]
    fn the_end_must_be_after_the_start() {
        let start = ("start", "2026-12-01T18:00+01:00");
        assert_eq!(
            error(&[("title", "x"), start, ("end", "2026-12-01T16:59Z")]),
            "end: must be after start"
        );
        assert_eq!(
            error(&[("title", "x"), start, ("end", "2026-12-01T17:00Z")]),
            "end: must be after start"
        );
        assert_eq!(
            error(&[
                ("title", "x"),
                ("start", "2026-12-01"),
                ("end", "2026-12-01")
            ]),
            "end: must be after start; the end date is exclusive, so a one-day event on 2026-12-01 ends on 2026-12-02"
        );
    }

    #[test]
    fn start_and_end_must_have_the_same_form() {
        for (start, end) in [
            ("2026-12-01", "2026-12-02T10:00Z"),
            ("2026-12-01T10:00Z", "2026-12-02"),
        ] {
            let message = error(&[("title", "x"), ("start", start), ("end", end)]);
            assert!(
                message.starts_with("end: must have the same form as start"),
                "{message}"
            );
        }
    }

    #[test]
    fn dates_and_times_are_checked_through_the_api_with_the_parameter_named() {
        assert_eq!(
            error(&[("title", "x"), ("start", "2026-12-01T18:00")]),
            "start: has no time zone; add Z for UTC or an offset like +01:00 (2026-12-01T18:00+01:00)"
        );
        assert_eq!(
            error(&[
                ("title", "x"),
                ("start", "2026-12-01"),
                ("end", "2026-02-30")
            ]),
            "end: is not a real date: \"2026-02-30\""
        );
    }

    #[test]
    fn an_event_that_would_end_after_9999_is_refused() {
        assert!(
            error(&[("title", "x"), ("start", "9999-12-31T23:30Z")])
                .starts_with("start: is too late")
        );
        assert!(
            error(&[("title", "x"), ("start", "9999-12-31")]).starts_with("start: is too late")
        );
    }

    #[test]
    fn missing_overlong_and_control_character_values_are_refused() {
        assert_eq!(error(&[("start", "2026-12-01")]), "title: is required");
        assert_eq!(error(&[("title", "x")]), "start: is required");
        assert_eq!(
            error(&[("title", &"t".repeat(201)), ("start", "2026-12-01")]),
            "title: is 201 bytes long; at most 200 are allowed"
        );
        assert!(
            error(&[("title", "a\u{1}b"), ("start", "2026-12-01")])
                .starts_with("title: contains the control character U+0001")
        );
        assert_eq!(
            error(&[
                ("title", "x"),
                ("start", "2026-12-01"),
                ("location", "a\nb")
            ]),
            "location: must be a single line; line breaks are not allowed"
        );
    }
}
