//! Payments and credit notes as typed — in a form, an API body or a line of an
//! accounting export — checked before they touch an invoice.

use crate::accounts::parse_date;
use crate::money::{parse_amount, Currency, Money};
use crate::validation::{clean, optional_text, required_text, ValidationErrors};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Longest payment reference.
pub const REFERENCE_MAX: usize = 100;

/// A payment as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentInput {
    /// Day received.
    pub paid_on: Option<String>,
    /// Amount received (including VAT).
    pub amount: Option<String>,
    /// Bank or accounting reference.
    pub reference: Option<String>,
}

/// A checked payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// Day received.
    pub paid_on: NaiveDate,
    /// Amount, in the invoice's currency.
    pub amount: Money,
    /// Reference.
    pub reference: Option<String>,
}

fn positive_amount(e: &mut ValidationErrors, field: &str, raw: Option<&str>, currency: Currency) -> Option<Money> {
    let Some(v) = clean(raw) else {
        e.add(field, "required");
        return None;
    };
    match parse_amount(&v) {
        None => {
            e.add(field, "amount.invalid");
            None
        }
        Some(d) if d <= Decimal::ZERO => {
            e.add(field, "amount.not_positive");
            None
        }
        Some(d) => Money::from_decimal(d, currency).or_else(|| {
            e.add(field, "amount.precision");
            None
        }),
    }
}

fn day(e: &mut ValidationErrors, field: &str, raw: Option<&str>, today: NaiveDate) -> Option<NaiveDate> {
    let Some(v) = clean(raw) else {
        e.add(field, "required");
        return None;
    };
    match parse_date(&v) {
        None => {
            e.add(field, "date.invalid");
            None
        }
        Some(d) if d > today => {
            e.add(field, "date.future");
            None
        }
        Some(d) => Some(d),
    }
}

impl PaymentInput {
    /// Checks a payment in `currency` received at the latest `today`.
    pub fn validate(&self, currency: Currency, today: NaiveDate) -> Result<NewPayment, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let paid_on = day(&mut e, "paid_on", self.paid_on.as_deref(), today);
        let amount = positive_amount(&mut e, "amount", self.amount.as_deref(), currency);
        let reference = optional_text(&mut e, "reference", self.reference.as_deref(), REFERENCE_MAX);
        e.into_result()?;
        match (paid_on, amount) {
            (Some(paid_on), Some(amount)) => Ok(NewPayment {
                paid_on,
                amount,
                reference,
            }),
            _ => Err(ValidationErrors::single("amount", "required")),
        }
    }
}

/// The key that tells an imported payment already stored: its reference when it
/// has one, otherwise the invoice, the day and the amount.
pub fn dedup_key(reference: Option<&str>, invoice_number: &str, paid_on: NaiveDate, amount: Money) -> String {
    match reference.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("ref:{r}"),
        None => format!("inv:{invoice_number}:{paid_on}:{}", amount.minor),
    }
}

/// A credit note as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditNoteInput {
    /// Its number.
    pub number: Option<String>,
    /// Issue date.
    pub issued_on: Option<String>,
    /// Amount excluding VAT.
    pub amount_excl_tax: Option<String>,
    /// Amount including VAT.
    pub amount_incl_tax: Option<String>,
}

/// A checked credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCreditNote {
    /// Number.
    pub number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Excluding VAT.
    pub amount_excl_tax: Money,
    /// Including VAT.
    pub amount_incl_tax: Money,
}

impl CreditNoteInput {
    /// Checks a credit note in `currency` on an invoice still owing `open` (minor units)
    /// and issued on `invoice_issued_on`.
    pub fn validate(
        &self,
        currency: Currency,
        invoice_issued_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<NewCreditNote, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let number = required_text(&mut e, "number", self.number.as_deref(), super::invoice::NUMBER_MAX);
        let issued_on = day(&mut e, "issued_on", self.issued_on.as_deref(), today);
        if issued_on.is_some_and(|d| d < invoice_issued_on) {
            e.add("issued_on", "credit_note.before_invoice");
        }
        let excl = positive_amount(&mut e, "amount_excl_tax", self.amount_excl_tax.as_deref(), currency);
        let incl = positive_amount(&mut e, "amount_incl_tax", self.amount_incl_tax.as_deref(), currency);
        if let (Some(x), Some(i)) = (excl, incl) {
            if i.minor < x.minor {
                e.add("amount_incl_tax", "invoice.incl_below_excl");
            }
        }
        e.into_result()?;
        match (issued_on, excl, incl) {
            (Some(issued_on), Some(amount_excl_tax), Some(amount_incl_tax)) => Ok(NewCreditNote {
                number,
                issued_on,
                amount_excl_tax,
                amount_incl_tax,
            }),
            _ => Err(ValidationErrors::single("number", "required")),
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
    fn a_payment_is_checked_field_by_field() {
        let ok = PaymentInput {
            paid_on: Some("12/11/2026".into()),
            amount: Some("1 200,50".into()),
            reference: Some("VIR 4411".into()),
        }
        .validate(Currency::EUR, d("2026-12-04"))
        .unwrap();
        assert_eq!(ok.amount.minor, 120_050);
        assert_eq!(ok.paid_on, d("2026-11-12"));
        let bad = PaymentInput {
            paid_on: Some("2027-01-01".into()),
            amount: Some("-5".into()),
            reference: None,
        }
        .validate(Currency::EUR, d("2026-12-04"))
        .unwrap_err();
        assert_eq!(bad.code_of("paid_on"), Some("date.future"));
        assert_eq!(bad.code_of("amount"), Some("amount.not_positive"));
        let cents = PaymentInput {
            paid_on: Some("2026-12-01".into()),
            amount: Some("10.001".into()),
            reference: None,
        }
        .validate(Currency::EUR, d("2026-12-04"))
        .unwrap_err();
        assert_eq!(cents.code_of("amount"), Some("amount.precision"));
    }

    #[test]
    fn dedup_keys_prefer_the_reference() {
        let m = Money {
            minor: 100,
            currency: Currency::EUR,
        };
        assert_eq!(dedup_key(Some(" VIR-1 "), "F1", d("2026-01-02"), m), "ref:VIR-1");
        assert_eq!(dedup_key(None, "F1", d("2026-01-02"), m), "inv:F1:2026-01-02:100");
    }

    #[test]
    fn a_credit_note_cannot_predate_its_invoice() {
        let e = CreditNoteInput {
            number: Some("AV-1".into()),
            issued_on: Some("2026-01-01".into()),
            amount_excl_tax: Some("100".into()),
            amount_incl_tax: Some("90".into()),
        }
        .validate(Currency::EUR, d("2026-02-01"), d("2026-12-04"))
        .unwrap_err();
        assert_eq!(e.code_of("issued_on"), Some("credit_note.before_invoice"));
        assert_eq!(e.code_of("amount_incl_tax"), Some("invoice.incl_below_excl"));
    }
}
