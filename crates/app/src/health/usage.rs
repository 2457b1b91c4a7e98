//! Usage figures (account, metric, period, value), given one by one through the
//! API and the CLI or imported by CSV; each marks its account for a health recompute.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::key_accounts::UsageRow;
use bilan_domain::health::usage::{metric_name, parse_period};
use bilan_domain::roles::Permission;
use bilan_domain::ValidationErrors;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// One figure as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageInput {
    /// The account: its id, its reference in the source system, or its exact name.
    pub account: Option<String>,
    /// The metric (`logins`, `orders`, `active users`…).
    pub metric: Option<String>,
    /// The period: a month `2026-11` or the first day of a week `2026-11-16`.
    pub period: Option<String>,
    /// The value (a number; a decimal comma is fine).
    pub value: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageReport {
    /// Figures stored (new or replaced).
    pub saved: usize,
    /// Accounts whose health will be recomputed.
    pub accounts: usize,
}

/// An error on one line of a usage file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageLineError {
    /// Line in the file (the header is line 1).
    pub line: usize,
    /// Field at fault.
    pub field: String,
    /// Error code.
    pub code: String,
}

struct Checked {
    account: Uuid,
    metric: String,
    period: NaiveDate,
    value: Decimal,
}

async fn check(
    c: &mut bilan_db::Conn<'_>,
    ws: Uuid,
    input: &UsageInput,
) -> AppResult<Result<Checked, ValidationErrors>> {
    let mut e = ValidationErrors::new();
    let metric = metric_name(&mut e, input.metric.as_deref());
    let period = match input.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("period", "required");
            None
        }
        Some(p) => parse_period(p).or_else(|| {
            e.add("period", "usage.period_invalid");
            None
        }),
    };
    let value = match input.value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("value", "required");
            None
        }
        Some(v) => bilan_domain::money::parse_amount(v).or_else(|| {
            e.add("value", "objective.not_a_number");
            None
        }),
    };
    let account = match input.account.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("account", "required");
            None
        }
        Some(raw) => {
            let by_id = match Uuid::parse_str(raw) {
                Ok(id) => bilan_db::accounts::find(c, ws, id).await?.map(|a| a.id),
                Err(_) => None,
            };
            let by_ref = match by_id {
                Some(id) => Some(id),
                None => bilan_db::accounts::find_by_import_key(c, ws, Some(raw), None)
                    .await?
                    .map(|a| a.id),
            };
            let found = match by_ref {
                Some(id) => Some(id),
                None => bilan_db::accounts::find_id_by_name(c, ws, raw).await?,
            };
            if found.is_none() {
                e.add("account", "usage.account_unknown");
            }
            found
        }
    };
    Ok(match (e.is_empty(), account, period, value) {
        (true, Some(account), Some(period), Some(value)) => Ok(Checked {
            account,
            metric,
            period,
            value,
        }),
        _ => Err(e),
    })
}

/// Stores figures, all or none: any invalid one refuses the lot and says where.
pub async fn save(app: &App, actor: &Actor, inputs: &[UsageInput]) -> Result<UsageReport, UsageFailure> {
    let mut w = app.write(actor, Permission::ImportData).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let mut rows = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        match check(&mut w.conn(), ws, input).await? {
            Ok(c) => rows.push(UsageRow {
                id: bilan_db::new_id(),
                workspace_id: ws,
                account_id: c.account,
                metric: c.metric,
                period_start: c.period,
                value: c.value.normalize().to_string(),
                imported_at: now,
            }),
            Err(e) => errors.extend(e.0.into_iter().map(|f| UsageLineError {
                line: i + 2,
                field: f.field,
                code: f.code,
            })),
        }
    }
    if !errors.is_empty() {
        w.rollback().await?;
        return Err(UsageFailure::Invalid(errors));
    }
    // The same account, metric and period twice in one file: the last one counts.
    let mut seen = HashSet::new();
    let mut unique: Vec<UsageRow> = rows
        .into_iter()
        .rev()
        .filter(|r| seen.insert((r.account_id, r.metric.clone(), r.period_start)))
        .collect();
    unique.reverse();
    bilan_db::key_accounts::save_usage(&mut w.conn(), &unique).await?;
    let accounts: HashSet<Uuid> = unique.iter().map(|r| r.account_id).collect();
    for a in &accounts {
        w.touch_health(*a);
    }
    w.audit_entry(
        bilan_domain::audit::AuditAction::Create,
        "usage_import",
        bilan_db::new_id(),
        None,
        Some(&serde_json::json!({ "figures": unique.len(), "accounts": accounts.len() })),
    );
    w.commit().await?;
    Ok(UsageReport {
        saved: unique.len(),
        accounts: accounts.len(),
    })
}

/// Why figures were not stored.
#[derive(Debug)]
pub enum UsageFailure {
    /// Lines at fault; nothing was written.
    Invalid(Vec<UsageLineError>),
    /// Anything else.
    App(AppError),
}

impl From<AppError> for UsageFailure {
    fn from(e: AppError) -> Self {
        UsageFailure::App(e)
    }
}

impl From<bilan_db::DbError> for UsageFailure {
    fn from(e: bilan_db::DbError) -> Self {
        UsageFailure::App(e.into())
    }
}

/// Reads a usage CSV (comma or semicolon; headers `account`/`compte`,
/// `metric`/`indicateur`, `period`/`période`, `value`/`valeur`) into inputs, or says
/// which header is missing.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<UsageInput>, Vec<UsageLineError>> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(bilan_domain::search::normalize).collect(),
        Err(_) => Vec::new(),
    };
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let columns = [
        (
            "account",
            find(&["account", "compte", "client", "account id", "account_id"]),
        ),
        ("metric", find(&["metric", "indicateur", "metrique", "mesure"])),
        ("period", find(&["period", "periode", "mois", "month"])),
        ("value", find(&["value", "valeur"])),
    ];
    let missing: Vec<UsageLineError> = columns
        .iter()
        .filter(|(_, i)| i.is_none())
        .map(|(name, _)| UsageLineError {
            line: 1,
            field: (*name).to_owned(),
            code: "usage.column_missing".to_owned(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let at = |r: &csv::StringRecord, k: usize| columns[k].1.and_then(|i| r.get(i)).map(str::to_owned);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) if r.iter().all(|f| f.trim().is_empty()) => {}
            Ok(r) => out.push(UsageInput {
                account: at(&r, 0),
                metric: at(&r, 1),
                period: at(&r, 2),
                value: at(&r, 3),
            }),
            Err(_) => errors.push(UsageLineError {
                line: i + 2,
                field: "line".to_owned(),
                code: "usage.line_unreadable".to_owned(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_french_spreadsheet_is_read() {
        let csv = "Compte;Indicateur;Période;Valeur\nAcme;Connexions;2026-11;1 204,5\n;;;\n";
        let rows = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].value.as_deref(), Some("1 204,5"));
        let e = read_csv(b"account,metric,value\n").unwrap_err();
        assert_eq!((e[0].line, e[0].field.as_str()), (1, "period"));
    }
}
