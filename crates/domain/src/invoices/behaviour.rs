//! How an account pays: days sales outstanding, the share of invoices paid on
//! time and the mean days late, the aging balance, and how a payment that does
//! not name its invoices is spread over them. One formula each, for the account
//! page, the workspace's figures, the API, the CLI and the review's data pack.

use super::aging::{bucket, Bucket};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// DSO = receivables ÷ revenue of the period × days in the period (SPEC
/// "Formulas"), one decimal; `None` without revenue in the period.
pub fn dso(receivables: Decimal, revenue: Decimal, days_in_period: i64) -> Option<Decimal> {
    (revenue > Decimal::ZERO).then(|| {
        (receivables / revenue * Decimal::from(days_in_period))
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// A settled invoice: when it was due and when its last payment came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// Due date.
    pub due_on: NaiveDate,
    /// Day of the payment that settled it.
    pub settled_on: NaiveDate,
}

/// How an account (or a team, a segment) pays its invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentBehaviour {
    /// Invoices settled in the period.
    pub invoices: u64,
    /// Share settled by their due date, in percent (one decimal).
    pub on_time_pct: Option<Decimal>,
    /// Mean days late over every settled invoice (on time counts 0), one decimal.
    pub mean_days_late: Option<Decimal>,
    /// Mean days late over the late ones only, one decimal.
    pub mean_days_late_when_late: Option<Decimal>,
}

fn one_decimal(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// What payment behaviour is computed from, summed where the invoices are (a
/// database sums them over hundreds of thousands of invoices).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BehaviourTotals {
    /// Invoices settled.
    pub invoices: u64,
    /// Of which settled after their due date.
    pub late: u64,
    /// Their days late, summed.
    pub days_late: i64,
}

impl BehaviourTotals {
    /// Adds one settled invoice.
    pub fn add(&mut self, s: Settled) {
        let late = s.settled_on.signed_duration_since(s.due_on).num_days().max(0);
        self.invoices += 1;
        if late > 0 {
            self.late += 1;
            self.days_late += late;
        }
    }

    /// The behaviour these totals show.
    pub fn behaviour(self) -> PaymentBehaviour {
        let n = self.invoices;
        let per = |sum: i64, count: u64| (count > 0).then(|| one_decimal(Decimal::from(sum) / Decimal::from(count)));
        PaymentBehaviour {
            invoices: n,
            on_time_pct: (n > 0)
                .then(|| one_decimal(Decimal::from(n - self.late.min(n)) * Decimal::from(100) / Decimal::from(n))),
            mean_days_late: per(self.days_late, n),
            mean_days_late_when_late: per(self.days_late, self.late),
        }
    }
}

/// The payment behaviour shown by `settled` invoices.
pub fn payment_behaviour(settled: &[Settled]) -> PaymentBehaviour {
    let mut t = BehaviourTotals::default();
    for s in settled {
        t.add(*s);
    }
    t.behaviour()
}

/// What is still owed, by bucket, in minor units of one currency.
pub fn aging_balance(open: &[(NaiveDate, i64)], today: NaiveDate) -> Vec<(Bucket, i64)> {
    Bucket::ALL
        .iter()
        .map(|b| {
            let total = open
                .iter()
                .filter(|(due, _)| bucket(*due, today) == *b)
                .map(|(_, minor)| *minor)
                .sum();
            (*b, total)
        })
        .collect()
}

/// Spreads a payment of `amount` (minor units) that names no invoice over `open`
/// invoices (id, due date, amount still owed), the oldest due first; returns what
/// each receives and what is left over (an advance, or an overpayment to look at).
pub fn allocate<Id: Copy>(amount: i64, open: &[(Id, NaiveDate, i64)]) -> (Vec<(Id, i64)>, i64) {
    let mut order: Vec<&(Id, NaiveDate, i64)> = open.iter().filter(|(_, _, owed)| *owed > 0).collect();
    order.sort_by_key(|(_, due, _)| *due);
    let mut left = amount.max(0);
    let mut out = Vec::new();
    for (id, _, owed) in order {
        if left == 0 {
            break;
        }
        let part = left.min(*owed);
        out.push((*id, part));
        left -= part;
    }
    (out, left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn days_sales_outstanding() {
        // 150,000 € owed on 900,000 € of revenue over 90 days: 15.0 days.
        assert_eq!(
            dso(Decimal::from(150_000), Decimal::from(900_000), 90),
            Some(Decimal::from_str("15.0").unwrap())
        );
        assert_eq!(
            dso(Decimal::from(100), Decimal::from(300), 365),
            Some(Decimal::from_str("121.7").unwrap())
        );
        assert_eq!(dso(Decimal::from(100), Decimal::ZERO, 90), None);
    }

    #[test]
    fn behaviour_on_hand_computed_invoices() {
        let s = |due: &str, paid: &str| Settled {
            due_on: d(due),
            settled_on: d(paid),
        };
        // On time, 10 days late, 5 days early (on time), 20 days late.
        let b = payment_behaviour(&[
            s("2026-01-31", "2026-01-31"),
            s("2026-02-28", "2026-03-10"),
            s("2026-03-31", "2026-03-26"),
            s("2026-04-30", "2026-05-20"),
        ]);
        assert_eq!(b.invoices, 4);
        assert_eq!(b.on_time_pct, Some(Decimal::from_str("50.0").unwrap()));
        assert_eq!(
            b.mean_days_late,
            Some(Decimal::from_str("7.5").unwrap()),
            "(0 + 10 + 0 + 20) / 4"
        );
        assert_eq!(b.mean_days_late_when_late, Some(Decimal::from(15)));
        let none = payment_behaviour(&[]);
        assert_eq!((none.on_time_pct, none.mean_days_late), (None, None));
    }

    #[test]
    fn aging_sums_by_bucket() {
        let today = d("2026-06-30");
        let open = [
            (d("2026-07-15"), 1_000),
            (d("2026-06-30"), 500),
            (d("2026-06-29"), 200),
            (d("2026-05-31"), 300),
            (d("2026-05-30"), 400),
            (d("2026-01-01"), 7_000),
        ];
        let a = aging_balance(&open, today);
        assert_eq!(
            a,
            vec![
                (Bucket::NotDue, 1_500),
                (Bucket::Days1To30, 500),
                (Bucket::Days31To60, 400),
                (Bucket::Days61To90, 0),
                (Bucket::Over90, 7_000),
            ]
        );
    }

    #[test]
    fn a_payment_goes_to_the_oldest_invoices_first() {
        let open = [
            (1, d("2026-03-31"), 10_000),
            (2, d("2026-01-31"), 5_000),
            (3, d("2026-02-28"), 0),
        ];
        assert_eq!(allocate(12_000, &open), (vec![(2, 5_000), (1, 7_000)], 0));
        assert_eq!(
            allocate(20_000, &open),
            (vec![(2, 5_000), (1, 10_000)], 5_000),
            "an overpayment is left over"
        );
        assert_eq!(allocate(0, &open), (vec![], 0));
        assert_eq!(allocate(-5, &open), (vec![], 0));
    }
}
