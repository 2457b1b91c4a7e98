//! Aging (balance âgée): what is owed, by how late it is.

use chrono::NaiveDate;
use serde::Serialize;

/// How late an open amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Not due yet (due today included).
    NotDue,
    /// 1 to 30 days past due.
    Days1To30,
    /// 31 to 60 days.
    Days31To60,
    /// 61 to 90 days.
    Days61To90,
    /// Over 90 days.
    Over90,
}

impl Bucket {
    /// Every bucket, in order.
    pub const ALL: [Bucket; 5] = [
        Self::NotDue,
        Self::Days1To30,
        Self::Days31To60,
        Self::Days61To90,
        Self::Over90,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotDue => "not_due",
            Self::Days1To30 => "1_30",
            Self::Days31To60 => "31_60",
            Self::Days61To90 => "61_90",
            Self::Over90 => "over_90",
        }
    }
}

/// The bucket of an amount due on `due_on`, at `today`.
pub fn bucket(due_on: NaiveDate, today: NaiveDate) -> Bucket {
    match today.signed_duration_since(due_on).num_days() {
        i64::MIN..=0 => Bucket::NotDue,
        1..=30 => Bucket::Days1To30,
        31..=60 => Bucket::Days31To60,
        61..=90 => Bucket::Days61To90,
        _ => Bucket::Over90,
    }
}

/// The earliest due date of each late bucket at `today` (1–30, 31–60, 61–90): an
/// amount due on or after `edges[0]`… falls in the bucket; due on or after `today`
/// it is not due; before `edges[2]` it is over 90 days. Lets a database sum by
/// bucket with the same borders as [`bucket`].
pub fn late_edges(today: NaiveDate) -> [NaiveDate; 3] {
    let back = |n: u64| today.checked_sub_days(chrono::Days::new(n)).unwrap_or(today);
    [back(30), back(60), back(90)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_agree_with_buckets() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let [e30, e60, e90] = late_edges(today);
        for back in 0..200u64 {
            let due = today.checked_sub_days(chrono::Days::new(back)).unwrap();
            let by_edges = if due >= today {
                Bucket::NotDue
            } else if due >= e30 {
                Bucket::Days1To30
            } else if due >= e60 {
                Bucket::Days31To60
            } else if due >= e90 {
                Bucket::Days61To90
            } else {
                Bucket::Over90
            };
            assert_eq!(by_edges, bucket(due, today), "{back} days back");
        }
    }

    #[test]
    fn buckets_at_their_borders() {
        let due = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let at = |days: u64| bucket(due, due.checked_add_days(chrono::Days::new(days)).unwrap());
        assert_eq!(bucket(due, due.pred_opt().unwrap()), Bucket::NotDue);
        assert_eq!(at(0), Bucket::NotDue, "due today is not late");
        assert_eq!(at(1), Bucket::Days1To30);
        assert_eq!(at(30), Bucket::Days1To30);
        assert_eq!(at(31), Bucket::Days31To60);
        assert_eq!(at(60), Bucket::Days31To60);
        assert_eq!(at(61), Bucket::Days61To90);
        assert_eq!(at(90), Bucket::Days61To90);
        assert_eq!(at(91), Bucket::Over90);
        assert_eq!(
            Bucket::ALL.map(Bucket::code),
            ["not_due", "1_30", "31_60", "61_90", "over_90"]
        );
    }
}
