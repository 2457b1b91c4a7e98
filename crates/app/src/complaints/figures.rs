//! Complaint figures and the CSV export: one formula
//! ([`bilan_domain::complaints::figures`]) behind the page, the API and the CLI.

use super::{today, ComplaintQuery};
use crate::{Actor, App, AppResult};
use bilan_db::complaints::{self as store, ComplaintFilter};
use bilan_domain::complaints::{figures as compute, CaseFacts, Category, ComplaintState, Figures};
use bilan_domain::money::{Currency, Money};
use bilan_domain::pagination::Cursor;
use bilan_domain::roles::Permission;
use serde::Serialize;
use uuid::Uuid;

/// The figures of the cases a query selects, and the accounts with most cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintFigures {
    /// The figures.
    pub figures: Figures,
    /// Accounts with the most cases: id, name, cases (at most 10).
    pub by_account: Vec<(Uuid, String, u64)>,
}

fn facts_of(r: &store::FactsRow) -> Option<CaseFacts> {
    Some(CaseFacts {
        received_on: r.received_on,
        state: ComplaintState::parse(&r.state)?,
        acknowledged_on: r.acknowledged_on,
        answered_on: r.answered_on,
        resolved_on: r.resolved_on,
        answer_by: r.answer_by,
        next_due_on: r.next_due_on,
        category: Category::parse(&r.category)?,
        gesture: match (r.gesture_minor, r.gesture_currency.as_deref().and_then(Currency::parse)) {
            (Some(minor), Some(currency)) => Some(Money { minor, currency }),
            _ => None,
        },
    })
}

/// The figures of the cases `query` selects (state, owner, category, severity,
/// account, period; its cursor and page size are ignored).
pub async fn complaint_figures(app: &App, actor: &Actor, query: &ComplaintQuery) -> AppResult<ComplaintFigures> {
    actor.require(Permission::ReadComplaints)?;
    let today = today(app);
    let (filter, _, _) = query.parse(today)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let rows = store::facts(&mut c, actor.workspace_id, &filter).await?;
    let facts: Vec<CaseFacts> = rows.iter().filter_map(facts_of).collect();
    let mut counts: std::collections::HashMap<Uuid, u64> = std::collections::HashMap::new();
    for r in &rows {
        *counts.entry(r.account_id).or_default() += 1;
    }
    let mut top: Vec<(Uuid, u64)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(10);
    let ids: Vec<Uuid> = top.iter().map(|(id, _)| *id).collect();
    let names: std::collections::HashMap<Uuid, String> = store::account_names(&mut c, actor.workspace_id, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(ComplaintFigures {
        figures: compute(&facts, today),
        by_account: top
            .into_iter()
            .map(|(id, n)| (id, names.get(&id).cloned().unwrap_or_default(), n))
            .collect(),
    })
}

/// The CSV columns of the export.
pub const EXPORT_HEADER: [&str; 25] = [
    "reference",
    "id",
    "account_id",
    "account",
    "contact_id",
    "received_on",
    "channel",
    "client_kind",
    "category",
    "severity",
    "concerns",
    "summary",
    "owner_id",
    "state",
    "acknowledge_by",
    "answer_by",
    "mediation_request_by",
    "mediation_concludes_by",
    "next_due_on",
    "acknowledged_on",
    "answered_on",
    "resolved_on",
    "gesture_kind",
    "gesture_amount",
    "gesture_currency",
];

/// The cases `query` selects as CSV (UTF-8, comma, one line per case, next
/// deadline first), walked a page at a time.
pub async fn export_csv(app: &App, actor: &Actor, query: &ComplaintQuery) -> AppResult<String> {
    actor.require(Permission::ReadComplaints)?;
    actor.require(Permission::ExportData)?;
    let (filter, _, _) = query.parse(today(app))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| crate::AppError::Internal(format!("csv: {e}"));
    out.write_record(EXPORT_HEADER).map_err(fail)?;
    let mut pc = app.db.acquire().await?;
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = store::list(&mut pc.conn(), actor.workspace_id, &filter, cursor.as_ref(), 200).await?;
        for x in &page.items {
            out.write_record(record(x, &filter)).map_err(fail)?;
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| crate::AppError::Internal(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| crate::AppError::Internal(format!("csv: {e}")))
}

fn record(x: &store::ListedComplaint, _: &ComplaintFilter) -> Vec<String> {
    let c = &x.complaint;
    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    vec![
        c.reference(),
        c.id.to_string(),
        c.account_id.to_string(),
        x.account_name.clone(),
        c.contact_id.map(|i| i.to_string()).unwrap_or_default(),
        c.received_on.to_string(),
        c.channel.code().to_owned(),
        c.client_kind.code().to_owned(),
        c.category.code().to_owned(),
        c.severity.code().to_owned(),
        c.concerns.clone().unwrap_or_default(),
        c.summary.clone(),
        c.owner_id.to_string(),
        c.state.code().to_owned(),
        c.deadlines.acknowledge_by.to_string(),
        c.deadlines.answer_by.to_string(),
        d(c.deadlines.mediation_request_by),
        d(c.deadlines.mediation_concludes_by),
        d(c.next_due().map(|x| x.by)),
        d(c.acknowledged_on),
        d(c.answered_on),
        d(c.resolved_on),
        c.gesture.map(|g| g.kind.code().to_owned()).unwrap_or_default(),
        c.gesture.map(|g| g.amount.to_decimal().to_string()).unwrap_or_default(),
        c.gesture
            .map(|g| g.amount.currency.as_str().to_owned())
            .unwrap_or_default(),
    ]
}
