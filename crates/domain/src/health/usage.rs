//! Usage figures imported per period (account, metric, period, value) and the
//! trend health reads from them.

use super::UsageTrend;
use crate::ValidationErrors;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// Longest metric name.
pub const METRIC_MAX: usize = 80;

/// Reads a period as its first day: a month `2026-11` (or `11/2026`), or a day
/// `2026-11-15` for weekly or daily figures.
pub fn parse_period(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim();
    if let Some(d) = crate::accounts::parse_date(t) {
        return Some(d);
    }
    let (y, m) = if let Some((y, m)) = t.split_once('-') {
        (y, m)
    } else {
        let (m, y) = t.split_once('/')?;
        (y, m)
    };
    let (y, m) = (y.trim().parse::<i32>().ok()?, m.trim().parse::<u32>().ok()?);
    if !(2000..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// Checks a metric name: required, at most [`METRIC_MAX`] characters, stored
/// lower-case and trimmed so "Logins" and "logins " are one metric.
pub fn metric_name(e: &mut ValidationErrors, raw: Option<&str>) -> String {
    let m = crate::validation::required_text(e, "metric", raw, METRIC_MAX);
    m.to_lowercase()
}

/// The trend of one metric from its periods (any order): the latest period against
/// the mean of up to three before it; `None` with fewer than two periods.
pub fn trend(metric: &str, periods: &[(NaiveDate, Decimal)]) -> Option<UsageTrend> {
    let mut p: Vec<&(NaiveDate, Decimal)> = periods.iter().collect();
    p.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
    let (latest, rest) = p.split_first()?;
    let before: Vec<Decimal> = rest.iter().take(3).map(|(_, v)| *v).collect();
    if before.is_empty() {
        return None;
    }
    let mean = before.iter().copied().sum::<Decimal>() / Decimal::from(before.len());
    Some(UsageTrend {
        metric: metric.to_owned(),
        latest: latest.1,
        before: mean,
    })
}

/// The first day of `day`'s month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_read_as_months_or_days() {
        assert_eq!(parse_period("2026-11"), Some(d("2026-11-01")));
        assert_eq!(parse_period("11/2026"), Some(d("2026-11-01")));
        assert_eq!(parse_period("2026-11-15"), Some(d("2026-11-15")));
        assert_eq!(parse_period("2026-13"), None);
        assert_eq!(parse_period("novembre"), None);
    }

    #[test]
    fn the_trend_is_the_latest_against_up_to_three_before() {
        let p = [
            (d("2026-07-01"), Decimal::from(1000)),
            (d("2026-10-01"), Decimal::from(300)),
            (d("2026-08-01"), Decimal::from(400)),
            (d("2026-09-01"), Decimal::from(500)),
            (d("2026-11-01"), Decimal::from(320)),
        ];
        let t = trend("logins", &p).unwrap();
        assert_eq!((t.latest, t.before), (Decimal::from(320), Decimal::from(400)));
        assert_eq!(trend("logins", &p[..1]), None);
    }
}
