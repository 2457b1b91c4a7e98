//! French company identifiers: SIREN (9 digits), SIRET (14 digits) and the
//! intra-EU VAT number, each checked by its key.

/// Why an identifier was refused; `code()` gives the stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierError {
    /// Not the expected number of digits (or not digits at all).
    Format,
    /// The right shape, but the check key does not match.
    Key,
}

impl IdentifierError {
    /// Stable error code suffix (`format` or `invalid_key`).
    pub fn code(self) -> &'static str {
        match self {
            IdentifierError::Format => "format",
            IdentifierError::Key => "invalid_key",
        }
    }
}

fn digits_only(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect()
}

/// The Luhn checksum, as INSEE uses for SIREN and SIRET.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// Normalises and checks a SIREN (spaces allowed: "552 100 554").
pub fn parse_siren(raw: &str) -> Result<String, IdentifierError> {
    let d = digits_only(raw);
    if d.len() != 9 || !d.chars().all(|c| c.is_ascii_digit()) {
        return Err(IdentifierError::Format);
    }
    if !luhn_valid(&d) {
        return Err(IdentifierError::Key);
    }
    Ok(d)
}

/// Normalises and checks a SIRET. La Poste's establishments (SIREN 356000000)
/// do not follow Luhn; INSEE checks them by the sum of their digits modulo 5.
pub fn parse_siret(raw: &str) -> Result<String, IdentifierError> {
    let d = digits_only(raw);
    if d.len() != 14 || !d.chars().all(|c| c.is_ascii_digit()) {
        return Err(IdentifierError::Format);
    }
    let ok = if d.starts_with("356000000") {
        d.chars().filter_map(|c| c.to_digit(10)).sum::<u32>() % 5 == 0
    } else {
        luhn_valid(&d)
    };
    if !ok {
        return Err(IdentifierError::Key);
    }
    Ok(d)
}

/// The SIREN part of a SIRET (its first nine digits).
pub fn siren_of_siret(siret: &str) -> Option<&str> {
    siret.get(..9)
}

/// The French VAT key of a SIREN: (12 + 3 × (SIREN mod 97)) mod 97.
pub fn french_vat_key(siren: &str) -> Option<u32> {
    let n: u64 = siren.parse().ok()?;
    Some(((12 + 3 * (n % 97)) % 97) as u32)
}

/// The French intra-EU VAT number of a SIREN, e.g. `FR44732829320`.
pub fn french_vat_number(siren: &str) -> Option<String> {
    Some(format!("FR{:02}{}", french_vat_key(siren)?, siren))
}

/// Normalises and checks an intra-EU VAT number. French numbers (FR + 2-digit key
/// + SIREN) are checked by their key; other member states by their shape.
pub fn parse_vat_number(raw: &str) -> Result<String, IdentifierError> {
    let v: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect::<String>()
        .to_uppercase();
    if v.len() < 4 || !v.is_char_boundary(2) {
        return Err(IdentifierError::Format);
    }
    let (country, rest) = v.split_at(2);
    if !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(IdentifierError::Format);
    }
    if country == "FR" {
        if rest.len() != 11 {
            return Err(IdentifierError::Format);
        }
        let (key, siren) = rest.split_at(2);
        if !siren.chars().all(|c| c.is_ascii_digit()) {
            return Err(IdentifierError::Format);
        }
        // Keys holding letters are the "new" French format issued without a SIREN key.
        if key.chars().all(|c| c.is_ascii_digit()) {
            let expected = french_vat_key(siren).ok_or(IdentifierError::Format)?;
            if key.parse::<u32>().ok() != Some(expected) {
                return Err(IdentifierError::Key);
            }
        } else if !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(IdentifierError::Format);
        }
        return Ok(v);
    }
    let shape_ok = match country {
        "DE" | "EE" | "PT" | "EL" => rest.len() == 9 && rest.chars().all(|c| c.is_ascii_digit()),
        "BE" => rest.len() == 10 && rest.chars().all(|c| c.is_ascii_digit()),
        "IT" | "LV" | "HR" => rest.len() == 11 && rest.chars().all(|c| c.is_ascii_digit()),
        "NL" => rest.len() == 12 && rest.chars().all(|c| c.is_ascii_alphanumeric()),
        "LU" | "DK" | "FI" | "HU" | "MT" | "SI" => rest.len() == 8 && rest.chars().all(|c| c.is_ascii_digit()),
        "ES" | "IE" | "CY" | "AT" | "CZ" | "LT" | "PL" | "RO" | "SK" | "BG" | "SE" | "XI" => {
            (2..=12).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_alphanumeric())
        }
        _ => return Err(IdentifierError::Format),
    };
    if shape_ok {
        Ok(v)
    } else {
        Err(IdentifierError::Format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_sirens() {
        // Danone, Renault, Michelin: published SIRENs.
        assert_eq!(parse_siren("552 032 534"), Ok("552032534".into()));
        assert_eq!(parse_siren("441639465"), Ok("441639465".into()));
        assert_eq!(parse_siren("855200887"), Ok("855200887".into()));
        assert_eq!(parse_siren("552032535"), Err(IdentifierError::Key));
        assert_eq!(parse_siren("55203253"), Err(IdentifierError::Format));
        assert_eq!(parse_siren("55203253a"), Err(IdentifierError::Format));
    }

    #[test]
    fn known_sirets() {
        assert_eq!(parse_siret("552 032 534 00018"), Ok("55203253400018".into()));
        assert_eq!(parse_siret("55203253400013"), Err(IdentifierError::Key));
        // A La Poste establishment: digit sum divisible by 5.
        assert!(parse_siret("35600000000051").is_ok());
        assert_eq!(siren_of_siret("55203253400018"), Some("552032534"));
    }

    #[test]
    fn french_vat() {
        assert_eq!(french_vat_number("552032534").as_deref(), Some("FR27552032534"));
        assert_eq!(parse_vat_number("fr 27 552 032 534"), Ok("FR27552032534".into()));
        assert_eq!(parse_vat_number("FR28552032534"), Err(IdentifierError::Key));
        assert_eq!(parse_vat_number("FR2755203253"), Err(IdentifierError::Format));
        assert_eq!(parse_vat_number("DE123456789"), Ok("DE123456789".into()));
        assert_eq!(parse_vat_number("DE12345678"), Err(IdentifierError::Format));
        assert_eq!(parse_vat_number("ZZ123"), Err(IdentifierError::Format));
        assert_eq!(parse_vat_number("éé123"), Err(IdentifierError::Format));
    }

    proptest! {
        #[test]
        fn every_luhn_completed_siren_is_accepted(base in 10_000_000u64..99_999_999) {
            let body = base.to_string();
            let key = (0..10).find(|k| luhn_valid(&format!("{body}{k}"))).unwrap();
            let siren = format!("{body}{key}");
            prop_assert!(parse_siren(&siren).is_ok());
            let vat = french_vat_number(&siren).unwrap();
            prop_assert_eq!(parse_vat_number(&vat), Ok(vat.clone()));
        }

        #[test]
        fn one_changed_digit_is_caught(base in 10_000_000u64..99_999_999, pos in 0usize..9, delta in 1u32..10) {
            let body = base.to_string();
            let key = (0..10).find(|k| luhn_valid(&format!("{body}{k}"))).unwrap();
            let mut digits: Vec<u32> = format!("{body}{key}").chars().filter_map(|c| c.to_digit(10)).collect();
            digits[pos] = (digits[pos] + delta) % 10;
            let altered: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            prop_assert_eq!(parse_siren(&altered), Err(IdentifierError::Key));
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            drop(parse_siren(&s));
            drop(parse_siret(&s));
            drop(parse_vat_number(&s));
        }
    }
}
