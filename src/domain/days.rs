//! UTC days as numbers (days since 1970-01-01), the unit of the daily counts, and the
//! `from`/`to` range a daily query asks for, checked with an error naming the parameter.

use time::{Date, OffsetDateTime, macros::format_description};

pub const DAY: i64 = 86_400;

/// The UTC day of a unix time (also before 1970).
pub fn day_of(unix: i64) -> i64 {
    unix.div_euclid(DAY)
}

/// `YYYY-MM-DD` of a day number.
pub fn date(day: i64) -> String {
    OffsetDateTime::from_unix_timestamp(day.saturating_mul(DAY))
        .ok()
        .map(|t| t.date().to_string())
        .unwrap_or_else(|| day.to_string())
}

/// Days `from..=to` (day numbers, UTC), `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: i64,
    pub to: i64,
}

/// A `from` or `to` that cannot be used; `parameter` names which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct RangeError {
    pub parameter: &'static str,
    pub detail: String,
}

/// One day's count, as `/api/v1/usage/daily` answers it and the dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub count: u64,
}

/// Ranges without a `from` cover this many days up to `to`.
pub const DEFAULT_DAYS: i64 = 30;

impl DayRange {
    /// The range from the `from` and `to` parameters (`YYYY-MM-DD`, UTC, both included):
    /// `to` defaults to today and `from` to 30 days up to `to` (fewer when `max_days` is
    /// smaller); at most `max_days` long.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: i64,
        max_days: i64,
    ) -> Result<Self, RangeError> {
        let to = match to {
            Some(raw) => parse_day("to", raw)?,
            None => today,
        };
        let from = match from {
            Some(raw) => parse_day("from", raw)?,
            None => to - (DEFAULT_DAYS.min(max_days) - 1),
        };
        if from > to {
            return Err(RangeError {
                parameter: "from",
                detail: format!("`from` ({}) is after `to` ({})", date(from), date(to)),
            });
        }
        let days = to - from + 1;
        if days > max_days {
            return Err(RangeError {
                parameter: "from",
                detail: format!(
                    "`from` to `to` covers {days} days; at most {max_days} can be asked for at once"
                ),
            });
        }
        Ok(Self { from, to })
    }

    /// The last `days` days up to and including `to`.
    pub fn ending(to: i64, days: i64) -> Self {
        Self {
            from: to - (days.max(1) - 1),
            to,
        }
    }

    pub fn days(&self) -> impl Iterator<Item = i64> {
        self.from..=self.to
    }

    /// `counts`, one per day of the range (oldest first), with their dates.
    pub fn dated(&self, counts: Vec<u64>) -> Vec<DayCount> {
        self.days()
            .zip(counts)
            .map(|(day, count)| DayCount {
                date: date(day),
                count,
            })
            .collect()
    }

    /// How many days the range covers (at least one).
    pub fn day_count(&self) -> usize {
        (self.to - self.from + 1) as usize
    }
}

/// A strict `YYYY-MM-DD` with a four-digit year from 2000 on (no usage is older).
pub fn parse_day(parameter: &'static str, raw: &str) -> Result<i64, RangeError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: i64 = 20_717; // 2026-09-21

    #[test]
    fn days_are_utc_days_also_before_1970() {
        assert_eq!(day_of(DAY - 1), 0);
        assert_eq!(day_of(DAY), 1);
        assert_eq!(day_of(-1), -1);
        assert_eq!(date(TODAY), "2026-09-21");
        assert_eq!(date(0), "1970-01-01");
    }

    #[test]
    fn the_default_range_is_the_thirty_days_up_to_today() {
        let range = DayRange::parse(None, None, TODAY, 400).unwrap();
        assert_eq!((range.from, range.to), (TODAY - 29, TODAY));
        assert_eq!(range.day_count(), 30);
        assert_eq!(range.days().count(), 30);
        let short = DayRange::parse(None, None, TODAY, 7).unwrap();
        assert_eq!(short.day_count(), 7, "never longer than allowed");
        let before = DayRange::parse(None, Some("2026-01-31"), TODAY, 400).unwrap();
        assert_eq!(date(before.from), "2026-01-02");
    }

    #[test]
    fn a_range_of_exactly_the_longest_length_is_allowed() {
        let range = DayRange::parse(Some("2025-08-18"), Some("2026-09-21"), TODAY, 400).unwrap();
        assert_eq!(range.day_count(), 400);
        let one_day = DayRange::parse(Some("2026-09-21"), Some("2026-09-21"), TODAY, 400).unwrap();
        assert_eq!(one_day.day_count(), 1);
    }

    #[test]
    fn bad_dates_and_ranges_name_their_parameter() {
        for (from, to, parameter) in [
            (Some("2026-9-1"), None, "from"),
            (Some("yesterday"), None, "from"),
            (Some("2026-09-01T00:00:00Z"), None, "from"),
            (None, Some("2026-02-30"), "to"),
            (None, Some("2026-13-01"), "to"),
            (None, Some("２０２６-09-01"), "to"),
            (Some("1999-12-31"), None, "from"),
            (Some("+10000-01-01"), None, "from"),
            (Some("2026-09-22"), Some("2026-09-21"), "from"),
            (Some("2025-08-17"), Some("2026-09-21"), "from"),
        ] {
            let err = DayRange::parse(from, to, TODAY, 400).unwrap_err();
            assert_eq!(err.parameter, parameter, "{from:?} {to:?}: {err}");
            assert!(err.detail.contains(parameter), "{err}");
        }
    }

    #[test]
    fn leap_days_are_dates() {
        assert!(parse_day("to", "2028-02-29").is_ok());
        assert!(parse_day("to", "2027-02-29").is_err());
    }

    #[test]
    fn counts_are_dated_day_by_day() {
        let dated = DayRange::ending(TODAY, 2).dated(vec![3, 0]);
        assert_eq!(
            dated[0],
            DayCount {
                date: "2026-09-20".into(),
                count: 3
            }
        );
        assert_eq!(dated[1].date, "2026-09-21");
    }

    #[test]
    fn a_range_ending_today_counts_back() {
        let range = DayRange::ending(TODAY, 30);
        assert_eq!(
            (range.from, range.to, range.day_count()),
            (TODAY - 29, TODAY, 30)
        );
    }
}
