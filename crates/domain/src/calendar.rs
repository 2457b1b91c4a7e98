//! Calendar arithmetic for legal deadlines: months that clamp to the month's last
//! day, and working days that skip weekends and French public holidays.
//!
//! Deadlines are calendar dates, never instants: "two months from receipt" is a
//! day on the calendar, whatever the time zone of whoever reads it.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// `date` plus `months`, clamped to the last day of the target month (31 January
/// plus one month is 28 or 29 February; 29 February plus twelve months is 28
/// February). `None` only past the calendar's end.
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    // chrono's `checked_add_months` already clamps to the month's last day.
    date.checked_add_months(Months::new(months))
}

/// `date` plus `days` calendar days.
pub fn add_days(date: NaiveDate, days: u64) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(days))
}

/// Easter Sunday of `year` (Gregorian computus, anonymous algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Whether `date` is a French public holiday (jour férié, Code du travail L3133-1):
/// 1 January, Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July,
/// 15 August, 1 November, 11 November, 25 December. The two extra days of
/// Alsace-Moselle are not counted.
pub fn is_french_public_holiday(date: NaiveDate) -> bool {
    const FIXED: [(u32, u32); 8] = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)];
    let fixed = FIXED.contains(&(date.month(), date.day()));
    if fixed {
        return true;
    }
    let Some(easter) = easter_sunday(date.year()) else {
        return false;
    };
    [1u64, 39, 50]
        .iter()
        .filter_map(|d| easter.checked_add_days(Days::new(*d)))
        .any(|d| d == date)
}

/// Whether `date` is a working day (jour ouvré): Monday to Friday and not a
/// French public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_french_public_holiday(date)
}

/// The `n`-th working day after `date` (`date` itself does not count: a letter
/// received on Friday with two working days to acknowledge is due on Tuesday).
/// With `n` = 0, `date` itself.
pub fn add_working_days(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt()?;
        if is_working_day(d) {
            left -= 1;
        }
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        assert_eq!(add_months(d("2026-01-31"), 1), Some(d("2026-02-28")));
        assert_eq!(add_months(d("2028-01-31"), 1), Some(d("2028-02-29")));
        assert_eq!(add_months(d("2028-02-29"), 12), Some(d("2029-02-28")));
        assert_eq!(add_months(d("2026-12-31"), 2), Some(d("2027-02-28")));
        assert_eq!(add_months(d("2026-10-31"), 2), Some(d("2026-12-31")));
        assert_eq!(add_months(d("2026-08-31"), 1), Some(d("2026-09-30")));
        assert_eq!(add_months(d("2026-12-15"), 0), Some(d("2026-12-15")));
    }

    #[test]
    fn easter_dates() {
        for (y, e) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(y), Some(d(e)), "{y}");
        }
    }

    #[test]
    fn holidays_of_2026() {
        for h in [
            "2026-01-01",
            "2026-04-06",
            "2026-05-01",
            "2026-05-08",
            "2026-05-14",
            "2026-05-25",
            "2026-07-14",
            "2026-08-15",
            "2026-11-01",
            "2026-11-11",
            "2026-12-25",
        ] {
            assert!(is_french_public_holiday(d(h)), "{h}");
        }
        assert!(
            !is_french_public_holiday(d("2026-04-05")),
            "Easter Sunday is a Sunday anyway"
        );
        assert!(!is_french_public_holiday(d("2026-12-26")));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 4 December 2026 + 2 working days = Tuesday 8 December.
        assert_eq!(add_working_days(d("2026-12-04"), 2), Some(d("2026-12-08")));
        // Received on Saturday: Monday and Tuesday.
        assert_eq!(add_working_days(d("2026-12-05"), 2), Some(d("2026-12-08")));
        // Thursday 24 December: Christmas and the weekend are skipped.
        assert_eq!(add_working_days(d("2026-12-24"), 2), Some(d("2026-12-29")));
        // Thursday 31 December 2026: 1 January is a holiday, then the weekend.
        assert_eq!(add_working_days(d("2026-12-31"), 2), Some(d("2027-01-05")));
        // Friday 1 May 2026 → Monday 4, Tuesday 5 (8 May is a Friday).
        assert_eq!(add_working_days(d("2026-05-01"), 2), Some(d("2026-05-05")));
        // Around Ascension (Thursday 14 May 2026).
        assert_eq!(add_working_days(d("2026-05-13"), 1), Some(d("2026-05-15")));
        assert_eq!(add_working_days(d("2026-12-04"), 0), Some(d("2026-12-04")));
    }

    /// Properties over every day from 1990 to 2100 (exhaustive rather than sampled).
    #[test]
    fn properties_hold_on_every_day() {
        let mut day = d("1990-01-01");
        let end = d("2100-12-31");
        while day <= end {
            for m in [1u32, 2, 12] {
                let later = add_months(day, m).unwrap();
                assert!(later > day);
                let months = (later.year() - day.year()) * 12 + later.month() as i32 - day.month() as i32;
                assert_eq!(months, m as i32, "{day} + {m} months lands in the right month");
                if later.day() != day.day() {
                    assert!(later.day() < day.day(), "{day} + {m}: clamped down, never up");
                    assert!(
                        later.succ_opt().unwrap().day() == 1,
                        "{day} + {m}: clamped to the month's end"
                    );
                }
            }
            for n in [1u32, 2, 5] {
                let due = add_working_days(day, n).unwrap();
                assert!(is_working_day(due), "{day} + {n} working days is a working day");
                let mut count = 0;
                let mut x = day;
                while x < due {
                    x = x.succ_opt().unwrap();
                    if is_working_day(x) {
                        count += 1;
                    }
                }
                assert_eq!(count, n, "{day} + {n}: exactly {n} working days after");
                assert!(due.signed_duration_since(day).num_days() <= i64::from(n) * 2 + 5);
            }
            day = day.succ_opt().unwrap();
        }
    }
}
