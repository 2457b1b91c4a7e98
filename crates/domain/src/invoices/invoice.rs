//! An invoice as typed — in a form, an API body or a line of an accounting
//! export — checked into a new invoice: its number, dates, terms read the way
//! French invoices write them, amounts in exact money, and what it still owes.

use super::terms::{Eom45Method, PaymentTerms};
use crate::accounts::parse_date;
use crate::money::{parse_amount, Currency, Money};
use crate::search::normalize;
use crate::validation::{clean, required_text, ValidationErrors};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Longest invoice number.
pub const NUMBER_MAX: usize = 50;

/// Reads payment terms as invoices and accounting exports write them: `30 jours`,
/// `60 jours net`, `45 jours fin de mois` (45 days, then end of month),
/// `fin de mois 45 jours` (end of month, then 45 days), `à réception`, `comptant`,
/// their English forms, a bare number of days, or a due date.
pub fn parse_terms(raw: &str) -> Option<PaymentTerms> {
    let t = normalize(raw).replace(['-', '_', ','], " ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return None;
    }
    if let Some(d) = parse_date(raw) {
        return Some(PaymentTerms::DueOn { due_on: d });
    }
    match t.as_str() {
        "a reception" | "reception" | "comptant" | "upon receipt" | "on receipt" | "due on receipt" | "cash" => {
            return Some(PaymentTerms::Days { days: 0 })
        }
        "non convenu" | "not agreed" | "none" | "aucun" => return Some(PaymentTerms::NotAgreed),
        _ => {}
    }
    let eom = ["fin de mois", "fdm", "end of month", "eom"];
    let has_eom = eom.iter().any(|e| t.contains(e));
    let days: Option<u32> = t
        .split(' ')
        .find_map(|w| w.trim_end_matches('j').trim_end_matches("jours").parse::<u32>().ok());
    match (has_eom, days) {
        (true, Some(45)) => {
            let eom_first = eom.iter().filter_map(|e| t.find(e)).min().unwrap_or(usize::MAX);
            let days_at = t.find("45").unwrap_or(0);
            Some(PaymentTerms::Eom45 {
                method: if eom_first < days_at {
                    Eom45Method::EndOfMonthThen
                } else {
                    Eom45Method::ThenEndOfMonth
                },
            })
        }
        (true, _) => None,
        (false, Some(days)) if days <= 365 => Some(PaymentTerms::Days { days }),
        _ => None,
    }
}

/// An invoice as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvoiceInput {
    /// Invoice number, unique in the workspace.
    pub number: Option<String>,
    /// Issue date.
    pub issued_on: Option<String>,
    /// Delivery (or service) date.
    pub delivered_on: Option<String>,
    /// Terms as written (`30 jours`, `45 jours fin de mois`…), when no due date is given.
    pub terms: Option<String>,
    /// A due date, when the invoice states one.
    pub due_on: Option<String>,
    /// Amount excluding VAT.
    pub amount_excl_tax: Option<String>,
    /// Amount including VAT.
    pub amount_incl_tax: Option<String>,
    /// ISO 4217 currency (default EUR).
    pub currency: Option<String>,
    /// Terms already structured (the API's `terms` object); they win over `terms`.
    #[serde(skip)]
    pub structured_terms: Option<PaymentTerms>,
}

/// A checked new invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoice {
    /// Number.
    pub number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Delivery date.
    pub delivered_on: Option<NaiveDate>,
    /// Terms.
    pub terms: PaymentTerms,
    /// Due date, from the terms.
    pub due_on: NaiveDate,
    /// Whether the terms go beyond the legal maximum (flagged, not refused).
    pub terms_beyond_legal_max: bool,
    /// Excluding VAT.
    pub amount_excl_tax: Money,
    /// Including VAT (what is owed, and what interest runs on).
    pub amount_incl_tax: Money,
}

fn amount(e: &mut ValidationErrors, field: &str, raw: Option<&str>, currency: Currency) -> Option<Money> {
    let Some(v) = clean(raw) else {
        e.add(field, "required");
        return None;
    };
    match parse_amount(&v) {
        None => {
            e.add(field, "amount.invalid");
            None
        }
        Some(d) if d < Decimal::ZERO => {
            e.add(field, "amount.negative");
            None
        }
        Some(d) => {
            let m = Money::from_decimal(d, currency);
            if m.is_none() {
                e.add(field, "amount.precision");
            }
            m
        }
    }
}

fn date(e: &mut ValidationErrors, field: &str, raw: Option<&str>, required: bool) -> Option<NaiveDate> {
    match clean(raw) {
        None => {
            if required {
                e.add(field, "required");
            }
            None
        }
        Some(v) => {
            let d = parse_date(&v);
            if d.is_none() {
                e.add(field, "date.invalid");
            }
            d
        }
    }
}

impl InvoiceStatus {
    /// Every status.
    pub const ALL: [InvoiceStatus; 5] = [Self::Open, Self::PartlyPaid, Self::Overdue, Self::Paid, Self::Credited];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartlyPaid => "partly_paid",
            Self::Overdue => "overdue",
            Self::Paid => "paid",
            Self::Credited => "credited",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == raw.trim())
    }
}

impl InvoiceInput {
    /// Checks every field: the number, the dates, the terms (or a due date), the
    /// amounts (including VAT at least the amount excluding it), the currency.
    pub fn validate(&self) -> Result<NewInvoice, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let number = required_text(&mut e, "number", self.number.as_deref(), NUMBER_MAX);
        let issued_on = date(&mut e, "issued_on", self.issued_on.as_deref(), true);
        let delivered_on = date(&mut e, "delivered_on", self.delivered_on.as_deref(), false);
        let stated_due = date(&mut e, "due_on", self.due_on.as_deref(), false);
        let terms = match (stated_due, clean(self.terms.as_deref())) {
            _ if self.structured_terms.is_some() => self.structured_terms,
            (Some(d), _) => Some(PaymentTerms::DueOn { due_on: d }),
            (None, None) => Some(PaymentTerms::NotAgreed),
            (None, Some(t)) => {
                let parsed = parse_terms(&t);
                if parsed.is_none() {
                    e.add("terms", "terms.invalid");
                }
                parsed
            }
        };
        let currency = match clean(self.currency.as_deref()) {
            None => Currency::EUR,
            Some(c) => Currency::parse(&c).unwrap_or_else(|| {
                e.add("currency", "currency.invalid");
                Currency::EUR
            }),
        };
        let excl = amount(&mut e, "amount_excl_tax", self.amount_excl_tax.as_deref(), currency);
        let incl = amount(&mut e, "amount_incl_tax", self.amount_incl_tax.as_deref(), currency);
        if let (Some(x), Some(i)) = (excl, incl) {
            if i.minor < x.minor {
                e.add("amount_incl_tax", "invoice.incl_below_excl");
            }
        }
        if let (Some(i), Some(t)) = (issued_on, terms) {
            if t.due_on(i, delivered_on) < i {
                e.add("due_on", "invoice.due_before_issue");
            }
        }
        e.into_result()?;
        match (issued_on, terms, excl, incl) {
            (Some(issued_on), Some(terms), Some(amount_excl_tax), Some(amount_incl_tax)) => Ok(NewInvoice {
                number,
                issued_on,
                delivered_on,
                due_on: terms.due_on(issued_on, delivered_on),
                terms_beyond_legal_max: terms.beyond_legal_max(issued_on, delivered_on),
                terms,
                amount_excl_tax,
                amount_incl_tax,
            }),
            _ => {
                let mut e = ValidationErrors::new();
                e.add("number", "required");
                Err(e)
            }
        }
    }
}

/// An invoice as stored: what it owes, what was paid and credited, and who reminds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    /// Identifier.
    pub id: uuid::Uuid,
    /// Workspace.
    pub workspace_id: uuid::Uuid,
    /// The client company.
    pub account_id: uuid::Uuid,
    /// Number, unique in the workspace.
    pub number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Delivery (or service) date.
    pub delivered_on: Option<NaiveDate>,
    /// Terms as agreed.
    pub terms: PaymentTerms,
    /// Due date.
    pub due_on: NaiveDate,
    /// Terms beyond the legal maximum.
    pub terms_beyond_legal_max: bool,
    /// Excluding VAT.
    pub amount_excl_tax: Money,
    /// Including VAT.
    pub amount_incl_tax: Money,
    /// Received so far, in minor units.
    pub paid_minor: i64,
    /// Cancelled by credit notes, in minor units.
    pub credited_minor: i64,
    /// The day it was paid in full or credited.
    pub settled_on: Option<NaiveDate>,
    /// The day it was sent to the client.
    pub sent_on: Option<NaiveDate>,
    /// The factor it was assigned to.
    pub factor_id: Option<uuid::Uuid>,
    /// Since when.
    pub factored_on: Option<NaiveDate>,
    /// Where it came from (`form`, `api`, `csv`, `facturx`, `ubl`, `demo`).
    pub source: String,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation instant.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last change.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// What is still owed on an invoice of `amount` with `paid` received and `credited`: never below zero.
pub fn open_minor(amount: i64, paid: i64, credited: i64) -> i64 {
    (amount - paid - credited).max(0)
}

impl Invoice {
    /// What is still owed.
    pub fn open(&self) -> Money {
        Money {
            minor: open_minor(self.amount_incl_tax.minor, self.paid_minor, self.credited_minor),
            currency: self.amount_incl_tax.currency,
        }
    }

    /// Where it stands at `today`.
    pub fn status(&self, today: NaiveDate) -> InvoiceStatus {
        status(
            self.amount_incl_tax,
            self.paid_minor,
            self.credited_minor,
            self.due_on,
            today,
        )
    }
}

/// Where an invoice stands, as lists and the portal show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Nothing paid, not due yet.
    Open,
    /// Partly paid, not due yet.
    PartlyPaid,
    /// Past its due date with something still owed.
    Overdue,
    /// Paid in full.
    Paid,
    /// Cancelled by a credit note.
    Credited,
}

/// The status of an invoice owing `amount`, with `paid` received and `credited`
/// by credit notes, due on `due_on`, at `today`.
pub fn status(amount: Money, paid: i64, credited: i64, due_on: NaiveDate, today: NaiveDate) -> InvoiceStatus {
    let owed = amount.minor - credited;
    if credited > 0 && owed <= 0 {
        return InvoiceStatus::Credited;
    }
    if paid >= owed {
        return InvoiceStatus::Paid;
    }
    if today > due_on {
        return InvoiceStatus::Overdue;
    }
    if paid > 0 {
        InvoiceStatus::PartlyPaid
    } else {
        InvoiceStatus::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn terms_as_invoices_write_them() {
        use Eom45Method::*;
        assert_eq!(parse_terms("30 jours"), Some(PaymentTerms::Days { days: 30 }));
        assert_eq!(parse_terms("60 jours net"), Some(PaymentTerms::Days { days: 60 }));
        assert_eq!(parse_terms("30j"), Some(PaymentTerms::Days { days: 30 }));
        assert_eq!(parse_terms("45"), Some(PaymentTerms::Days { days: 45 }));
        assert_eq!(parse_terms("Net 30"), Some(PaymentTerms::Days { days: 30 }));
        assert_eq!(
            parse_terms("45 jours fin de mois"),
            Some(PaymentTerms::Eom45 { method: ThenEndOfMonth })
        );
        assert_eq!(
            parse_terms("Fin de mois + 45 jours"),
            Some(PaymentTerms::Eom45 { method: EndOfMonthThen })
        );
        assert_eq!(
            parse_terms("45 days end of month"),
            Some(PaymentTerms::Eom45 { method: ThenEndOfMonth })
        );
        assert_eq!(parse_terms("À réception"), Some(PaymentTerms::Days { days: 0 }));
        assert_eq!(parse_terms("comptant"), Some(PaymentTerms::Days { days: 0 }));
        assert_eq!(
            parse_terms("15/03/2026"),
            Some(PaymentTerms::DueOn {
                due_on: d("2026-03-15")
            })
        );
        assert_eq!(
            parse_terms("30 jours fin de mois"),
            None,
            "only 45 days end of month is a legal form"
        );
        assert_eq!(parse_terms("quand vous voulez"), None);
        assert_eq!(parse_terms(""), None);
    }

    #[test]
    fn an_invoice_is_checked() {
        let ok = InvoiceInput {
            number: Some("F-2026-0118".into()),
            issued_on: Some("15/01/2026".into()),
            terms: Some("45 jours fin de mois".into()),
            amount_excl_tax: Some("1 000,00".into()),
            amount_incl_tax: Some("1 200,00".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.due_on, d("2026-03-31"));
        assert!(!ok.terms_beyond_legal_max);
        assert_eq!(ok.amount_incl_tax.minor, 120_000);
        let long = InvoiceInput {
            terms: Some("90 jours".into()),
            ..ok_input()
        }
        .validate()
        .unwrap();
        assert!(long.terms_beyond_legal_max, "flagged, not refused");
        let nothing_agreed = InvoiceInput {
            terms: None,
            delivered_on: Some("2026-01-20".into()),
            ..ok_input()
        }
        .validate()
        .unwrap();
        assert_eq!(nothing_agreed.due_on, d("2026-02-19"), "30 days after delivery");
        let e = InvoiceInput {
            number: None,
            issued_on: Some("31/02/2026".into()),
            terms: Some("quand vous voulez".into()),
            amount_excl_tax: Some("1000".into()),
            amount_incl_tax: Some("900".into()),
            currency: Some("EURO".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        for (field, code) in [
            ("number", "required"),
            ("issued_on", "date.invalid"),
            ("terms", "terms.invalid"),
            ("amount_incl_tax", "invoice.incl_below_excl"),
            ("currency", "currency.invalid"),
        ] {
            assert_eq!(e.for_field(field).map(|f| f.code.as_str()), Some(code), "{field}");
        }
        let e = InvoiceInput {
            due_on: Some("2026-01-10".into()),
            ..ok_input()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("due_on").unwrap().code, "invoice.due_before_issue");
    }

    fn ok_input() -> InvoiceInput {
        InvoiceInput {
            number: Some("F-1".into()),
            issued_on: Some("2026-01-15".into()),
            amount_excl_tax: Some("100".into()),
            amount_incl_tax: Some("120".into()),
            ..Default::default()
        }
    }

    #[test]
    fn statuses() {
        let m = Money {
            minor: 120_000,
            currency: Currency::EUR,
        };
        let due = d("2026-03-31");
        assert_eq!(status(m, 0, 0, due, d("2026-03-31")), InvoiceStatus::Open);
        assert_eq!(status(m, 50_000, 0, due, d("2026-03-01")), InvoiceStatus::PartlyPaid);
        assert_eq!(status(m, 50_000, 0, due, d("2026-04-01")), InvoiceStatus::Overdue);
        assert_eq!(status(m, 120_000, 0, due, d("2026-04-01")), InvoiceStatus::Paid);
        assert_eq!(status(m, 0, 120_000, due, d("2026-04-01")), InvoiceStatus::Credited);
        assert_eq!(
            status(m, 100_000, 20_000, due, d("2026-04-01")),
            InvoiceStatus::Paid,
            "paid what the credit left"
        );
    }
}
