//! How scans are aggregated and asked for: UTC hour and day buckets, the breakdown
//! dimensions and the `group` of a query (its date range is `domain::days::DayRange`).

pub use crate::domain::days::{DAY, DayRange, RangeError, date, day_of};

pub const HOUR: i64 = 3_600;
/// Hourly queries cover at most this many days (744 rows).
pub const MAX_HOURLY_DAYS: i64 = 31;
/// Distinct values kept per code, day and dimension; the rest count as `other`.
pub const MAX_VALUES_PER_DAY: usize = 50;
pub const OTHER: &str = "other";

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
    fn groups_parse_by_name_only() {
        for name in Group::NAMES {
            assert_eq!(Group::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(Group::parse("DAY"), None);
        assert_eq!(Group::parse(""), None);
    }
}
