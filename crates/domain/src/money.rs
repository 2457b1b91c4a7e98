//! Exact money: integer minor units with a currency; decimals only in computation.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount in minor units (cents) of an ISO 4217 currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units.
    pub minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: Currency,
}

/// An ISO 4217 currency code (three upper-case letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The euro.
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parses a three-letter code, any case.
    pub fn parse(code: &str) -> Option<Currency> {
        let up = code.trim().to_ascii_uppercase();
        let b = up.as_bytes();
        (b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)).then(|| Currency([b[0], b[1], b[2]]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("EUR")
    }

    /// Digits after the decimal point (0 for JPY-like currencies).
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 0,
            _ => 2,
        }
    }
}

impl Money {
    /// The amount as an exact decimal in major units.
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_digits())
    }

    /// Builds an amount from a decimal, refusing sub-minor precision and overflow.
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Option<Money> {
        let scaled = amount * Decimal::from(10i64.pow(currency.minor_digits()));
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        let minor: i64 = scaled.trunc().try_into().ok()?;
        Some(Money { minor, currency })
    }

    /// Formats for people: French style (`12 345,67 €`) or English (`€12,345.67`).
    pub fn format(&self, french: bool) -> String {
        let d = self.to_decimal().round_dp(self.currency.minor_digits());
        let s = format!("{:.*}", self.currency.minor_digits() as usize, d.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let sep = if french { '\u{202f}' } else { ',' };
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(sep);
            }
            grouped.push(c);
        }
        let sign = if d.is_sign_negative() && !d.is_zero() { "-" } else { "" };
        let symbol = match self.currency.as_str() {
            "EUR" => "€",
            "GBP" => "£",
            "USD" => "$",
            "CHF" => "CHF",
            other => other,
        };
        let number = if frac.is_empty() {
            grouped
        } else if french {
            format!("{grouped},{frac}")
        } else {
            format!("{grouped}.{frac}")
        };
        if french {
            format!("{sign}{number}\u{a0}{symbol}")
        } else {
            format!("{sign}{symbol}{number}")
        }
    }
}

/// Parses an amount as people type it: `12 345,67`, `12,345.67`, `12345.67`, `1 234 €`.
pub fn parse_amount(raw: &str) -> Option<Decimal> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '€' | '$' | '£' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if s.is_empty() {
        return None;
    }
    let last_comma = s.rfind(',');
    let last_dot = s.rfind('.');
    let normalised = match (last_comma, last_dot) {
        (Some(c), Some(d)) if c > d => s.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => s.replace(',', ""),
        (Some(c), None) => {
            // "1,234" alone is ambiguous; French spreadsheets write decimals with a comma.
            if s.matches(',').count() > 1 {
                let _ = c;
                s.replace(',', "")
            } else {
                s.replace(',', ".")
            }
        }
        _ => s,
    };
    normalised.parse::<Decimal>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn parses_french_and_english_amounts() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(parse_amount("12 345,67"), Some(d("12345.67")));
        assert_eq!(parse_amount("12,345.67"), Some(d("12345.67")));
        assert_eq!(parse_amount("12.345,67 €"), Some(d("12345.67")));
        assert_eq!(parse_amount("1,5"), Some(d("1.5")));
        assert_eq!(parse_amount("1,234,567"), Some(d("1234567")));
        assert_eq!(parse_amount("-40"), Some(d("-40")));
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount(""), None);
    }

    #[test]
    fn money_round_trip_and_format() {
        let m = Money::from_decimal(Decimal::from_str("12345.67").unwrap(), Currency::EUR).unwrap();
        assert_eq!(m.minor, 1_234_567);
        assert_eq!(m.format(true), "12\u{202f}345,67\u{a0}€");
        assert_eq!(m.format(false), "€12,345.67");
        assert!(Money::from_decimal(Decimal::from_str("1.234").unwrap(), Currency::EUR).is_none());
        assert_eq!(Currency::parse("eur"), Some(Currency::EUR));
        assert_eq!(Currency::parse("EURO"), None);
    }
}
