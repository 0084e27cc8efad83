//! A scans report: the stored counts of a date range turned into rows for one `group`,
//! with every day (or hour) of the range present, zeros included, so that charts and
//! exports show the gaps.

use super::stats::{DayRange, Group, date, hour_label};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// A date, an hour (RFC 3339) or a breakdown value.
    pub key: String,
    /// Scans by people; in the `bot` group (and the `device` group's `bot` row) fetches
    /// by bots.
    pub count: u64,
    /// Day rows: bot fetches and unique scanners that day.
    pub bots: Option<u64>,
    pub unique: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub group: Group,
    pub range: DayRange,
    /// Scans by people and bot fetches over the range.
    pub scans: u64,
    pub bots: u64,
    pub rows: Vec<Row>,
}

/// Day rows from the stored `(day, (scans, bots, unique))` entries of the range.
pub fn day_rows(range: DayRange, stored: &[(i64, (u64, u64, u64))]) -> Vec<Row> {
    range
        .days()
        .map(|day| {
            let (scans, bots, unique) = stored
                .iter()
                .find(|(d, _)| *d == day)
                .map_or((0, 0, 0), |(_, totals)| *totals);
            Row {
                key: date(day),
                count: scans,
                bots: Some(bots),
                unique: Some(unique),
            }
        })
        .collect()
}

/// Hour rows from the stored `(hour, scans)` entries of the range's days.
pub fn hour_rows(range: DayRange, stored: &[(i64, u64)]) -> Vec<Row> {
    (range.from * 24..=range.to * 24 + 23)
        .map(|hour| Row {
            key: hour_label(hour),
            count: stored
                .iter()
                .find(|(h, _)| *h == hour)
                .map_or(0, |(_, n)| *n),
            bots: None,
            unique: None,
        })
        .collect()
}

/// Breakdown rows, largest first, as the store sums them.
pub fn value_rows(stored: Vec<(String, u64)>) -> Vec<Row> {
    stored
        .into_iter()
        .map(|(key, count)| Row {
            key,
            count,
            bots: None,
            unique: None,
        })
        .collect()
}

impl Report {
    /// The CSV columns and cells of the rows.
    pub fn table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        match self.group {
            Group::Day => (
                vec!["day", "scans", "bots", "unique"],
                self.rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.key.clone(),
                            r.count.to_string(),
                            r.bots.unwrap_or(0).to_string(),
                            r.unique.unwrap_or(0).to_string(),
                        ]
                    })
                    .collect(),
            ),
            group => (
                vec![group.as_str(), "count"],
                self.rows
                    .iter()
                    .map(|r| vec![r.key.clone(), r.count.to_string()])
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_the_range_has_a_row_with_zeros_for_gaps() {
        let range = DayRange { from: 10, to: 12 };
        let rows = day_rows(range, &[(11, (5, 2, 4))]);
        let counts: Vec<(u64, Option<u64>)> = rows.iter().map(|r| (r.count, r.bots)).collect();
        assert_eq!(counts, vec![(0, Some(0)), (5, Some(2)), (0, Some(0))]);
        assert_eq!(rows[0].key, "1970-01-11");
    }

    #[test]
    fn every_hour_of_the_range_has_a_row() {
        let rows = hour_rows(DayRange { from: 0, to: 0 }, &[(5, 3)]);
        assert_eq!(rows.len(), 24);
        assert_eq!(
            (rows[5].key.as_str(), rows[5].count),
            ("1970-01-01T05:00:00Z", 3)
        );
    }

    #[test]
    fn a_breakdown_table_names_its_group() {
        let report = Report {
            group: Group::By(super::super::stats::Dimension::Os),
            range: DayRange { from: 0, to: 0 },
            scans: 3,
            bots: 0,
            rows: value_rows(vec![("iOS".into(), 3)]),
        };
        assert_eq!(
            report.table(),
            (vec!["os", "count"], vec![vec!["iOS".into(), "3".into()]])
        );
    }
}
