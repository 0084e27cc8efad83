//! How scans are aggregated and asked for: UTC hour and day buckets, the breakdown
//! dimensions, the `group` of a query and its date range, each checked with an error that
//! names the parameter.

use time::{Date, OffsetDateTime, macros::format_description};

pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;
/// Hourly queries cover at most this many days (744 rows).
pub const MAX_HOURLY_DAYS: i64 = 31;
/// Distinct values kept per code, day and dimension; the rest count as `other`.
pub const MAX_VALUES_PER_DAY: usize = 50;
pub const OTHER: &str = "other";

pub fn day_of(unix: i64) -> i64 {
    unix.div_euclid(DAY)
}

pub fn hour_of(unix: i64) -> i64 {
    unix.div_euclid(HOUR)
}

/// What a scan is broken down by, per code and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Os,
    Browser,
    Device,
    Referrer,
    Language,
    /// Which bot or preview fetcher (bots are counted apart from scans).
    Bot,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Self::Os,
        Self::Browser,
        Self::Device,
        Self::Referrer,
        Self::Language,
        Self::Bot,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Os => "os",
            Self::Browser => "browser",
            Self::Device => "device",
            Self::Referrer => "referrer",
            Self::Language => "language",
            Self::Bot => "bot",
        }
    }

    /// The stored form (part of a table key).
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The `group` of a scans query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Day,
    Hour,
    By(Dimension),
}

impl Group {
    pub const NAMES: [&'static str; 8] = [
        "day", "hour", "os", "browser", "device", "referrer", "language", "bot",
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "day" => Some(Self::Day),
            "hour" => Some(Self::Hour),
            other => Dimension::ALL
                .into_iter()
                .find(|d| d.as_str() == other)
                .map(Self::By),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Hour => "hour",
            Self::By(d) => d.as_str(),
        }
    }
}

/// Days `from..=to` (day numbers since the epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct RangeError {
    pub parameter: &'static str,
    pub detail: String,
}

impl DayRange {
    /// The range from the `from` and `to` parameters (`YYYY-MM-DD`, UTC, both included):
    /// by default the 30 days up to today; at most `max_days` long (31 for hours).
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: i64,
        max_days: i64,
    ) -> Result<Self, RangeError> {
        let from = from.map(|raw| parse_day("from", raw)).transpose()?;
        let to = match to {
            Some(raw) => parse_day("to", raw)?,
            None => today,
        };
        let from = from.unwrap_or(to - 29.min(max_days - 1));
        if from > to {
            return Err(RangeError {
                parameter: "from",
                detail: format!("`from` ({}) is after `to` ({})", date(from), date(to)),
            });
        }
        let days = to - from + 1;
        if days > max_days {
            return Err(RangeError {
                parameter: "to",
                detail: format!(
                    "the range covers {days} days; at most {max_days} can be asked for at once"
                ),
            });
        }
        Ok(Self { from, to })
    }

    pub fn days(&self) -> impl Iterator<Item = i64> {
        self.from..=self.to
    }
}

fn parse_day(parameter: &'static str, raw: &str) -> Result<i64, RangeError> {
    let shown: String = raw.chars().take(30).collect();
    let bad = || RangeError {
        parameter,
        detail: format!("`{parameter}` must be a date as YYYY-MM-DD (UTC); got `{shown}`"),
    };
    if raw.len() != 10 {
        return Err(bad());
    }
    let parsed =
        Date::parse(raw, format_description!("[year]-[month]-[day]")).map_err(|_| bad())?;
    if parsed.year() < 2000 {
        return Err(RangeError {
            parameter,
            detail: format!("`{parameter}` must be in the year 2000 or later; got `{shown}`"),
        });
    }
    Ok(day_of(parsed.midnight().assume_utc().unix_timestamp()))
}

/// `YYYY-MM-DD` of a day number.
pub fn date(day: i64) -> String {
    OffsetDateTime::from_unix_timestamp(day * DAY)
        .ok()
        .map(|t| t.date().to_string())
        .unwrap_or_else(|| day.to_string())
}

/// `YYYY-MM-DDTHH:00:00Z` of an hour number.
pub fn hour_label(hour: i64) -> String {
    crate::clock::rfc3339(hour * HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: i64 = 20_717; // 2026-09-21

    #[test]
    fn buckets_are_utc_hours_and_days_also_before_1970() {
        assert_eq!(day_of(DAY - 1), 0);
        assert_eq!(day_of(-1), -1);
        assert_eq!(hour_of(2 * HOUR + 5), 2);
        assert_eq!(date(TODAY), "2026-09-21");
        assert_eq!(hour_label(TODAY * 24 + 14), "2026-09-21T14:00:00Z");
    }

    #[test]
    fn the_default_range_is_the_last_thirty_days() {
        let range = DayRange::parse(None, None, TODAY, 400).unwrap();
        assert_eq!((range.from, range.to), (TODAY - 29, TODAY));
        let hourly = DayRange::parse(None, None, TODAY, MAX_HOURLY_DAYS).unwrap();
        assert_eq!(hourly.days().count(), 30);
    }

    #[test]
    fn dates_are_parsed_and_bad_ranges_name_their_parameter() {
        let range = DayRange::parse(Some("2026-09-01"), Some("2026-09-21"), TODAY, 400).unwrap();
        assert_eq!(range.days().count(), 21);
        for (from, to, parameter) in [
            (Some("2026-9-1"), None, "from"),
            (Some("yesterday"), None, "from"),
            (None, Some("2026-02-30"), "to"),
            (Some("1999-12-31"), None, "from"),
            (Some("2026-09-22"), Some("2026-09-21"), "from"),
            (Some("2024-01-01"), Some("2026-09-21"), "to"),
            (Some("+10000-01-01"), None, "from"),
        ] {
            let err = DayRange::parse(from, to, TODAY, 400).unwrap_err();
            assert_eq!(err.parameter, parameter, "{from:?} {to:?}: {err}");
        }
        assert!(DayRange::parse(Some("2026-08-01"), None, TODAY, MAX_HOURLY_DAYS).is_err());
    }

    #[test]
    fn groups_parse_by_name_only() {
        for name in Group::NAMES {
            assert_eq!(Group::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(Group::parse("DAY"), None);
        assert_eq!(Group::parse(""), None);
    }
}
