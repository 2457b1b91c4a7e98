//! Cell values: formula guards, full names, CRM status and size words, and overlaying a file's values on a record.

use super::*;

/// Characters that make a spreadsheet read a cell as a formula.
pub(super) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `value` is a plain number (`-40`, `12,5`, `1234.56`), harmless in a spreadsheet.
pub fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let mut parts = digits.splitn(2, ['.', ',']);
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Neutralises formula injection: a cell starting with `=`, `+`, `-`, `@`, tab
/// or carriage return gets a leading `'`, except a plain number in a numeric column.
pub fn guard_formula(value: &str, numeric: bool) -> Cow<'_, str> {
    match value.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) && !(numeric && is_plain_number(value)) => {
            Cow::Owned(format!("'{value}"))
        }
        _ => Cow::Borrowed(value),
    }
}

/// Undoes [`guard_formula`] on import, so an export re-imports unchanged.
pub fn unguard_formula(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

/// Splits one "full name" cell: "Marie Dupont", "DUPONT Marie", "Dupont, Marie".
pub fn split_full_name(raw: &str) -> (Option<String>, Option<String>) {
    if let Some((last, first)) = raw.split_once(',') {
        let (first, last) = (first.trim(), last.trim());
        if !first.is_empty() && !last.is_empty() {
            return (Some(first.to_owned()), Some(last.to_owned()));
        }
    }
    let words: Vec<&str> = raw.split_whitespace().collect();
    let join = |w: &[&str]| Some(w.join(" "));
    // French usage writes the family name in capitals, before or after the first name.
    let caps = |w: &str| w.chars().filter(|c| c.is_alphabetic()).count() > 1 && !w.chars().any(char::is_lowercase);
    match words.len() {
        0 => (None, None),
        1 => (None, join(&words)),
        len => {
            let lead = words.iter().take_while(|w| caps(w)).count();
            if lead > 0 && lead < len {
                return (join(&words[lead..]), join(&words[..lead]));
            }
            let trail = words.iter().rev().take_while(|w| caps(w)).count();
            if trail > 0 && trail < len {
                return (join(&words[..len - trail]), join(&words[len - trail..]));
            }
            (join(&words[..1]), join(&words[1..]))
        }
    }
}

/// Words spreadsheets use for "no value" in enumerated columns.
pub(super) fn is_null_word(raw: &str) -> bool {
    matches!(
        normalize(raw).as_str(),
        "" | "nn" | "na" | "n a" | "non renseigne" | "inconnu" | "unknown" | "none"
    )
}

/// Maps the lifecycle values of common CRMs to Bilan's statuses.
pub(super) fn crm_status(raw: &str) -> Option<String> {
    if is_null_word(raw) {
        return None;
    }
    if AccountStatus::parse(raw).is_some() {
        return Some(raw.to_owned());
    }
    let n = normalize(raw);
    let code = if n.starts_with("customer") || n.starts_with("client") || n == "evangelist" {
        "active"
    } else if n.contains("lead") || n.starts_with("prospect") || n == "subscriber" || n == "suspect" {
        "prospect"
    } else if n.starts_with("former") || n.starts_with("ex client") || n.contains("churn") || n.starts_with("resilie") {
        "lost"
    } else {
        return Some(raw.to_owned());
    };
    Some(code.to_owned())
}

/// Reads head-count bands as exports write them ("De 10 à 19 salariés", "1 000 et
/// plus"): their first number, thousands separators included, decides the band.
pub(super) fn crm_size(raw: &str) -> Option<String> {
    if is_null_word(raw) {
        return None;
    }
    let chars: Vec<char> = raw.chars().collect();
    let Some(first) = chars.iter().position(char::is_ascii_digit) else {
        return Some(raw.to_owned());
    };
    let mut number = String::new();
    let mut i = first;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            number.push(chars[i]);
            i += 1;
        } else if matches!(chars[i], ' ' | '\u{a0}' | '\u{202f}' | '.')
            && chars.len() >= i + 4
            && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            i += 1;
        } else {
            break;
        }
    }
    Some(number)
}

/// Keeps the first address of a cell listing several ("a@x.fr; b@x.fr").
pub(super) fn first_email(raw: &str) -> String {
    raw.split([';', ',', ' '])
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or(raw)
        .to_owned()
}

pub(super) fn account_slot<'a>(a: &'a mut AccountInput, field: &str) -> Option<&'a mut Option<String>> {
    Some(match field {
        "name" => &mut a.name,
        "legal_name" => &mut a.legal_name,
        "siren" => &mut a.siren,
        "siret" => &mut a.siret,
        "vat_number" => &mut a.vat_number,
        "sector" => &mut a.sector,
        "size" => &mut a.size,
        "country" => &mut a.country,
        "address" => &mut a.address,
        "postal_code" => &mut a.postal_code,
        "city" => &mut a.city,
        "status" => &mut a.status,
        "lost_on" => &mut a.lost_on,
        "lost_reason" => &mut a.lost_reason,
        "owner_id" => &mut a.owner_id,
        "sponsor_id" => &mut a.sponsor_id,
        "contract_start" => &mut a.contract_start,
        "renewal_date" => &mut a.renewal_date,
        "notice_days" => &mut a.notice_days,
        "annual_value" => &mut a.annual_value,
        "currency" => &mut a.currency,
        "tags" => &mut a.tags,
        "external_ref" => &mut a.external_ref,
        "website" => &mut a.website,
        "phone" => &mut a.phone,
        "revenue" => &mut a.revenue,
        "headcount" => &mut a.headcount,
        _ => return None,
    })
}

pub(super) fn contact_slot<'a>(c: &'a mut ContactInput, field: &str) -> Option<&'a mut Option<String>> {
    Some(match field {
        "account_id" => &mut c.account_id,
        "first_name" => &mut c.first_name,
        "last_name" => &mut c.last_name,
        "email" => &mut c.email,
        "phone" => &mut c.phone,
        "job_title" => &mut c.job_title,
        "roles" => &mut c.roles,
        "site_id" => &mut c.site_id,
        "language" => &mut c.language,
        "survey_consent" => &mut c.survey_consent,
        "left_on" => &mut c.left_on,
        "external_ref" => &mut c.external_ref,
        "account_ref" => &mut c.account_ref,
        _ => return None,
    })
}

/// Overlays the fields the file provides on an existing account's input, so a
/// re-import updates those columns and keeps everything else.
pub fn overlay_account(base: &mut AccountInput, file: &AccountInput, mapping: &Mapping) {
    let mut file = file.clone();
    for f in mapping.present_fields() {
        if let (Some(dst), Some(src)) = (account_slot(base, f), account_slot(&mut file, f)) {
            dst.clone_from(src);
        }
    }
    if mapping.has("id") && file.external_ref.is_some() {
        base.external_ref.clone_from(&file.external_ref);
    }
}

/// Overlays the fields the file provides on an existing contact's input (the
/// account is set by the caller once resolved).
pub fn overlay_contact(base: &mut ContactInput, file: &ContactInput, mapping: &Mapping) {
    let mut file = file.clone();
    for f in mapping.present_fields() {
        if matches!(f, "account_id" | "account_ref") {
            continue;
        }
        if let (Some(dst), Some(src)) = (contact_slot(base, f), contact_slot(&mut file, f)) {
            dst.clone_from(src);
        }
    }
    if mapping.has("id") && file.external_ref.is_some() {
        base.external_ref.clone_from(&file.external_ref);
    }
}
