//! Export: account and contact cells, and a formula-safe CSV writer.

use super::*;

/// Columns of an accounts export: Bilan's own field names, so it re-imports as is
/// (the owner by id; `owner`, a name or e-mail, is for other systems' files).
#[rustfmt::skip]
pub const ACCOUNT_EXPORT_COLUMNS: [&str; 28] = [
    "id", "name", "legal_name", "siren", "siret", "vat_number", "sector", "size", "country", "address", "postal_code",
    "city", "status", "lost_on", "lost_reason", "owner_id", "sponsor_id", "contract_start", "renewal_date",
    "annual_value", "currency", "tags", "external_ref", "website", "phone", "revenue", "headcount", "notice_days",
];

/// Columns of a contacts export.
#[rustfmt::skip]
pub const CONTACT_EXPORT_COLUMNS: [&str; 14] = [
    "id", "account_id", "account_ref", "first_name", "last_name", "email", "phone", "job_title", "roles", "site_id",
    "language", "survey_consent", "left_on", "external_ref",
];

/// An account's cells in [`ACCOUNT_EXPORT_COLUMNS`] order; amounts with a decimal
/// comma for French spreadsheets when `decimal_comma`.
pub fn account_cells(a: &Account, decimal_comma: bool) -> Vec<String> {
    let i = a.to_input();
    let value = i.annual_value.unwrap_or_default();
    let value = if decimal_comma { value.replace('.', ",") } else { value };
    let o = |v: Option<String>| v.unwrap_or_default();
    vec![
        a.id.to_string(),
        o(i.name),
        o(i.legal_name),
        o(i.siren),
        o(i.siret),
        o(i.vat_number),
        o(i.sector),
        o(i.size),
        o(i.country),
        o(i.address),
        o(i.postal_code),
        o(i.city),
        o(i.status),
        o(i.lost_on),
        o(i.lost_reason),
        o(i.owner_id),
        o(i.sponsor_id),
        o(i.contract_start),
        o(i.renewal_date),
        value,
        o(i.currency),
        o(i.tags),
        o(i.external_ref),
        o(i.website),
        o(i.phone),
        o(i.revenue).replace('.', if decimal_comma { "," } else { "." }),
        o(i.headcount),
        o(i.notice_days),
    ]
}

/// A contact's cells in [`CONTACT_EXPORT_COLUMNS`] order; `account_ref` names the
/// account for people and for imports into another workspace.
pub fn contact_cells(c: &Contact, account_ref: &str) -> Vec<String> {
    let i = c.to_input();
    let o = |v: Option<String>| v.unwrap_or_default();
    vec![
        c.id.to_string(),
        c.account_id.to_string(),
        account_ref.to_owned(),
        o(i.first_name),
        o(i.last_name),
        o(i.email),
        o(i.phone),
        o(i.job_title),
        o(i.roles),
        o(i.site_id),
        o(i.language),
        o(i.survey_consent),
        o(i.left_on),
        o(i.external_ref),
    ]
}

/// The best reference to an account in a contacts export: external reference, SIREN, or name.
pub fn account_ref_of(a: &Account) -> String {
    a.external_ref
        .clone()
        .or_else(|| a.siren.clone())
        .unwrap_or_else(|| a.name.clone())
}

/// Writes CSV for spreadsheets: UTF-8 with BOM, CRLF, quotes where needed and
/// formula injection neutralised.
#[derive(Debug, Clone)]
pub struct CsvWriter {
    pub(super) out: Vec<u8>,
    pub(super) sep: char,
    pub(super) numeric: Vec<usize>,
}

impl CsvWriter {
    /// Starts a file; `numeric` lists the columns whose plain numbers need no guard.
    pub fn new(sep: char, numeric: &[usize]) -> Self {
        let mut out = Vec::with_capacity(64 * 1024);
        out.extend_from_slice(b"\xEF\xBB\xBF");
        CsvWriter {
            out,
            sep,
            numeric: numeric.to_vec(),
        }
    }

    /// Appends one record.
    pub fn record<S: AsRef<str>>(&mut self, cells: &[S]) {
        let mut buf = [0u8; 4];
        let sep = self.sep.encode_utf8(&mut buf).as_bytes().to_vec();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.extend_from_slice(&sep);
            }
            let v = guard_formula(cell.as_ref(), self.numeric.contains(&i));
            let needs_quotes = v.contains(self.sep)
                || v.contains(['"', '\n', '\r'])
                || v.starts_with(char::is_whitespace)
                || v.ends_with(char::is_whitespace);
            if needs_quotes {
                self.out.push(b'"');
                self.out.extend_from_slice(v.replace('"', "\"\"").as_bytes());
                self.out.push(b'"');
            } else {
                self.out.extend_from_slice(v.as_bytes());
            }
        }
        self.out.extend_from_slice(b"\r\n");
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}
