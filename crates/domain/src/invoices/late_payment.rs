//! Late-payment interest and the fixed recovery indemnity (Code de commerce L441-10).
//!
//! Interest runs from the day after the due date on the unpaid amount including VAT:
//! unpaid × annual rate × days late ÷ 365. The annual rate is the ECB's main
//! refinancing rate plus 10 points, unless the contract sets another; the ECB rate
//! in force on 1 January applies to January–June and the one in force on 1 July to
//! July–December, so a delay across both halves is split. A payment made on a day
//! still counts that day late, on the balance before it. A late invoice also owes
//! a fixed 40 € indemnity for recovery costs.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// Points added to the reference rate (« taux BCE + 10 points »).
pub const LEGAL_MARGIN_POINTS: Decimal = Decimal::from_parts(10, 0, 0, false, 0);
/// The fixed recovery indemnity per late invoice, in euros.
pub const RECOVERY_INDEMNITY_EUR: Decimal = Decimal::from_parts(40, 0, 0, false, 0);
/// The days of the year interest is counted over.
pub const DAYS_PER_YEAR: i64 = 365;

/// Half of a year: 1 (January–June) or 2 (July–December).
pub fn half_of(day: NaiveDate) -> u8 {
    if day.month() <= 6 {
        1
    } else {
        2
    }
}

/// The rates a workspace counts interest with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rates {
    /// Reference rates in percent, by (year, half): the ECB rate in force on the half's first day.
    pub reference: Vec<((i32, u8), Decimal)>,
    /// A contractual annual rate in percent, replacing reference + 10 points.
    pub contractual: Option<Decimal>,
}

impl Rates {
    /// The annual rate in percent that applies on `day`, or the half whose
    /// reference rate is missing.
    pub fn annual_on(&self, day: NaiveDate) -> Result<Decimal, (i32, u8)> {
        if let Some(c) = self.contractual {
            return Ok(c);
        }
        let key = (day.year(), half_of(day));
        self.reference
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, r)| *r + LEGAL_MARGIN_POINTS)
            .ok_or(key)
    }
}

/// A payment received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paid {
    /// When.
    pub on: NaiveDate,
    /// How much (including VAT).
    pub amount: Decimal,
}

/// What an invoice owes for paying late, as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LatePayment {
    /// Days late: from the due date to the day it was paid in full, or to the day asked.
    pub days_late: i64,
    /// The interest, rounded to the cent.
    pub interest: Decimal,
    /// The fixed recovery indemnity (40 € once the invoice is late).
    pub indemnity: Decimal,
}

/// The interest and indemnity of an invoice of `amount` (including VAT) due on
/// `due_on`, with `payments`, counted up to `until` (today, for an invoice still
/// open). `Err` names a half-year whose reference rate is missing.
pub fn late_payment(
    amount: Decimal,
    due_on: NaiveDate,
    payments: &[Paid],
    until: NaiveDate,
    rates: &Rates,
) -> Result<LatePayment, (i32, u8)> {
    let mut payments: Vec<Paid> = payments.to_vec();
    payments.sort_by_key(|p| p.on);
    // Payments on or before the due date are simply on time.
    let mut balance = amount;
    let mut later = Vec::new();
    for p in payments {
        if p.on <= due_on {
            balance -= p.amount;
        } else {
            later.push(p);
        }
    }
    let mut interest = Decimal::ZERO;
    let mut day = due_on;
    let mut last_late_day = due_on;
    let mut next_payment = later.iter().peekable();
    // Segments of constant balance and rate: up to the next payment day (which still
    // counts on the old balance) or the end of the half-year, whichever comes first.
    while balance > Decimal::ZERO && day < until {
        let start = day.succ_opt().unwrap_or(day);
        let half_end = if half_of(start) == 1 {
            NaiveDate::from_ymd_opt(start.year(), 6, 30)
        } else {
            NaiveDate::from_ymd_opt(start.year(), 12, 31)
        }
        .unwrap_or(start);
        let pay_day = next_payment.peek().map(|p| p.on);
        let mut end = half_end.min(until);
        if let Some(p) = pay_day {
            end = end.min(p);
        }
        let days = end.signed_duration_since(start).num_days() + 1;
        let rate = rates.annual_on(start)?;
        interest += balance * rate / Decimal::from(100) * Decimal::from(days) / Decimal::from(DAYS_PER_YEAR);
        last_late_day = end;
        day = end;
        while next_payment.peek().is_some_and(|p| p.on == end) {
            if let Some(p) = next_payment.next() {
                balance -= p.amount;
            }
        }
    }
    let days_late = last_late_day.signed_duration_since(due_on).num_days().max(0);
    Ok(LatePayment {
        days_late,
        interest: interest.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        indemnity: if days_late > 0 {
            RECOVERY_INDEMNITY_EUR
        } else {
            Decimal::ZERO
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn rates() -> Rates {
        Rates {
            reference: vec![
                ((2026, 1), dec("2.15")),
                ((2026, 2), dec("2.40")),
                ((2027, 1), dec("2.00")),
            ],
            contractual: None,
        }
    }

    #[test]
    fn a_delay_across_two_half_years_is_split() {
        // 1,200.00 € due 31 May 2026, still unpaid on 14 August:
        // June (30 days) at 12.15 %, 1 July–14 August (45 days) at 12.40 %.
        // 1200 × 0.1215 × 30/365 = 11.98356…; 1200 × 0.1240 × 45/365 = 18.34520…
        let x = late_payment(dec("1200.00"), d("2026-05-31"), &[], d("2026-08-14"), &rates()).unwrap();
        assert_eq!(x.days_late, 75);
        assert_eq!(x.interest, dec("30.33"));
        assert_eq!(x.indemnity, dec("40"));
    }

    #[test]
    fn partial_payments_reduce_the_balance_from_the_next_day() {
        // 1,000 € due 31 March; 400 € paid 10 April, 600 € paid 30 April, at 12.15 %:
        // 1–10 April on 1,000 (10 days): 3.32876…; 11–30 April on 600 (20 days): 3.99452…
        let paid = [
            Paid {
                on: d("2026-04-10"),
                amount: dec("400"),
            },
            Paid {
                on: d("2026-04-30"),
                amount: dec("600"),
            },
        ];
        let x = late_payment(dec("1000"), d("2026-03-31"), &paid, d("2026-12-04"), &rates()).unwrap();
        assert_eq!(x.days_late, 30, "paid in full on 30 April");
        assert_eq!(x.interest, dec("7.32"));
    }

    #[test]
    fn on_time_owes_nothing() {
        let paid = [Paid {
            on: d("2026-03-31"),
            amount: dec("1000"),
        }];
        let x = late_payment(dec("1000"), d("2026-03-31"), &paid, d("2026-12-04"), &rates()).unwrap();
        assert_eq!(
            (x.days_late, x.interest, x.indemnity),
            (0, Decimal::ZERO, Decimal::ZERO)
        );
        let early = late_payment(dec("1000"), d("2026-12-31"), &[], d("2026-12-04"), &rates()).unwrap();
        assert_eq!(early.days_late, 0, "not yet due");
        // Paid the day after the due date: one day late.
        let paid = [Paid {
            on: d("2026-04-01"),
            amount: dec("1000"),
        }];
        let x = late_payment(dec("1000"), d("2026-03-31"), &paid, d("2026-12-04"), &rates()).unwrap();
        assert_eq!(x.days_late, 1);
        assert_eq!(x.interest, dec("0.33"), "1000 × 12.15 % / 365");
    }

    #[test]
    fn a_contractual_rate_replaces_the_legal_one_and_a_missing_rate_is_named() {
        let contractual = Rates {
            reference: Vec::new(),
            contractual: Some(dec("9")),
        };
        // 3,650 € × 9 % × 10/365 = 9.00 €.
        let x = late_payment(dec("3650"), d("2026-01-10"), &[], d("2026-01-20"), &contractual).unwrap();
        assert_eq!(x.interest, dec("9.00"));
        let missing = late_payment(dec("100"), d("2025-12-20"), &[], d("2026-01-05"), &rates());
        assert_eq!(missing, Err((2025, 2)));
        // Across the year end into a half whose rate is known.
        let x = late_payment(dec("365"), d("2026-12-30"), &[], d("2027-01-02"), &rates()).unwrap();
        // 30–31 December: 1 day (31st) at 12.40 %; 1–2 January: 2 days at 12.00 %.
        assert_eq!(x.days_late, 3);
        assert_eq!(x.interest, dec("0.36"), "365 × (0.124 + 2 × 0.12) / 365 = 0.364");
    }
}
