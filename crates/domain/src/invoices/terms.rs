//! Payment terms (Code de commerce L441-10): at most 60 days from the invoice date,
//! or 45 days end of month when agreed — counted either "invoice date + 45 days,
//! then end of month" or "end of month, then + 45 days" —, and 30 days after
//! delivery (or the service done) when nothing is agreed.

use crate::calendar::add_days;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The legal maximum, in days from the invoice date, of ordinary terms.
pub const LEGAL_MAX_DAYS: u64 = 60;
/// The days of the "45 days end of month" terms.
pub const EOM_DAYS: u64 = 45;
/// Days after delivery when nothing is agreed.
pub const DEFAULT_DAYS_AFTER_DELIVERY: u64 = 30;

/// The two ways of counting "45 days end of month".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Eom45Method {
    /// Invoice date + 45 days, then to the end of that month (« 45 jours puis fin de mois »).
    ThenEndOfMonth,
    /// End of the invoice's month, then + 45 days (« fin de mois puis 45 jours »).
    EndOfMonthThen,
}

impl Eom45Method {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::ThenEndOfMonth => "then_end_of_month",
            Self::EndOfMonthThen => "end_of_month_then",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::ThenEndOfMonth, Self::EndOfMonthThen]
            .into_iter()
            .find(|m| m.code() == raw.trim())
    }
}

/// What was agreed on when an invoice is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentTerms {
    /// So many days from the invoice date.
    Days {
        /// Days.
        days: u32,
    },
    /// 45 days end of month, counted one of the two ways.
    Eom45 {
        /// How.
        method: Eom45Method,
    },
    /// A date written on the invoice.
    DueOn {
        /// The date.
        due_on: NaiveDate,
    },
    /// Nothing agreed: 30 days after delivery (or after the invoice date without one).
    NotAgreed,
}

/// The last day of `date`'s month.
pub fn end_of_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(date)
}

impl PaymentTerms {
    /// The due date of an invoice issued on `issued_on` (delivered on `delivered_on`).
    pub fn due_on(self, issued_on: NaiveDate, delivered_on: Option<NaiveDate>) -> NaiveDate {
        let plus = |d: NaiveDate, n: u64| add_days(d, n).unwrap_or(d);
        match self {
            Self::Days { days } => plus(issued_on, u64::from(days)),
            Self::Eom45 {
                method: Eom45Method::ThenEndOfMonth,
            } => end_of_month(plus(issued_on, EOM_DAYS)),
            Self::Eom45 {
                method: Eom45Method::EndOfMonthThen,
            } => plus(end_of_month(issued_on), EOM_DAYS),
            Self::DueOn { due_on } => due_on,
            Self::NotAgreed => plus(delivered_on.unwrap_or(issued_on), DEFAULT_DAYS_AFTER_DELIVERY),
        }
    }

    /// Whether the terms go beyond what the law allows: a due date more than 60 days
    /// after the invoice date, unless "45 days end of month" was agreed (which may
    /// reach further, by either count). Flagged, not refused: the invoice exists.
    pub fn beyond_legal_max(self, issued_on: NaiveDate, delivered_on: Option<NaiveDate>) -> bool {
        match self {
            Self::Eom45 { .. } | Self::NotAgreed => false,
            Self::Days { .. } | Self::DueOn { .. } => {
                self.due_on(issued_on, delivered_on) > add_days(issued_on, LEGAL_MAX_DAYS).unwrap_or(issued_on)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn due_dates_by_kind() {
        let issued = d("2026-01-15");
        assert_eq!(PaymentTerms::Days { days: 30 }.due_on(issued, None), d("2026-02-14"));
        assert_eq!(PaymentTerms::Days { days: 60 }.due_on(issued, None), d("2026-03-16"));
        // 15 January + 45 days = 1 March, then end of month: 31 March.
        let then_eom = PaymentTerms::Eom45 {
            method: Eom45Method::ThenEndOfMonth,
        };
        assert_eq!(then_eom.due_on(issued, None), d("2026-03-31"));
        // End of January, then + 45 days: 17 March.
        let eom_then = PaymentTerms::Eom45 {
            method: Eom45Method::EndOfMonthThen,
        };
        assert_eq!(eom_then.due_on(issued, None), d("2026-03-17"));
        assert_eq!(
            PaymentTerms::NotAgreed.due_on(issued, Some(d("2026-01-20"))),
            d("2026-02-19"),
            "30 days after delivery"
        );
        assert_eq!(PaymentTerms::NotAgreed.due_on(issued, None), d("2026-02-14"));
        // Year ends and leap years.
        assert_eq!(then_eom.due_on(d("2027-12-31"), None), d("2028-02-29"));
        assert_eq!(eom_then.due_on(d("2026-12-10"), None), d("2027-02-14"));
    }

    #[test]
    fn terms_beyond_sixty_days_are_flagged() {
        let issued = d("2026-01-15");
        assert!(!PaymentTerms::Days { days: 60 }.beyond_legal_max(issued, None));
        assert!(PaymentTerms::Days { days: 61 }.beyond_legal_max(issued, None));
        assert!(PaymentTerms::DueOn {
            due_on: d("2026-03-17")
        }
        .beyond_legal_max(issued, None));
        assert!(!PaymentTerms::DueOn {
            due_on: d("2026-03-16")
        }
        .beyond_legal_max(issued, None));
        let eom = PaymentTerms::Eom45 {
            method: Eom45Method::ThenEndOfMonth,
        };
        assert!(
            !eom.beyond_legal_max(issued, None),
            "agreed 45 days end of month is legal"
        );
    }

    #[test]
    fn ends_of_months() {
        assert_eq!(end_of_month(d("2026-02-10")), d("2026-02-28"));
        assert_eq!(end_of_month(d("2028-02-01")), d("2028-02-29"));
        assert_eq!(end_of_month(d("2026-12-31")), d("2026-12-31"));
        assert_eq!(
            Eom45Method::parse("end_of_month_then"),
            Some(Eom45Method::EndOfMonthThen)
        );
    }
}
