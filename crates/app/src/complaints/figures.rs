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
///
/// The complaints page shows them on every view: they are kept per workspace,
/// filter and day, with the workspace's case fingerprint
/// ([`bilan_db::complaints::fingerprint`]), so any change to any case — through any
/// server — is seen by the next request, and an unchanged workspace costs one
/// index read instead of a pass over every case.
pub async fn complaint_figures(app: &App, actor: &Actor, query: &ComplaintQuery) -> AppResult<ComplaintFigures> {
    actor.require(Permission::ReadComplaints)?;
    let today = today(app);
    let (filter, _, _) = query.parse(today)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let print = store::fingerprint(&mut c, ws).await?;
    let key = (ws, format!("{filter:?}"), today);
    let counted = match app.complaint_figures_cache.get(&key, print) {
        Some(hit) => hit,
        None => {
            let rows = store::facts(&mut c, ws, &filter).await?;
            let facts: Vec<CaseFacts> = rows.iter().filter_map(facts_of).collect();
            let mut counts: std::collections::HashMap<Uuid, u64> = std::collections::HashMap::new();
            for r in &rows {
                *counts.entry(r.account_id).or_default() += 1;
            }
            let mut top: Vec<(Uuid, u64)> = counts.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            top.truncate(10);
            let counted = std::sync::Arc::new((compute(&facts, today), top));
            app.complaint_figures_cache
                .put(key, print, std::sync::Arc::clone(&counted));
            counted
        }
    };
    let (figures, top) = &*counted;
    // Names are read each time: an account renamed since shows its new name.
    let ids: Vec<Uuid> = top.iter().map(|(id, _)| *id).collect();
    let names: std::collections::HashMap<Uuid, String> = bilan_db::imports::accounts_by_ids(&mut c, ws, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(ComplaintFigures {
        figures: figures.clone(),
        by_account: top
            .iter()
            .map(|(id, n)| (*id, names.get(id).cloned().unwrap_or_default(), *n))
            .collect(),
    })
}

/// Figures computed and their accounts with most cases, as cached.
type Counted = std::sync::Arc<(Figures, Vec<(Uuid, u64)>)>;

/// The cache key: workspace, filter, day (what is late depends on the day).
type CacheKey = (Uuid, String, chrono::NaiveDate);

/// The fingerprint an entry was computed at (see [`bilan_db::complaints::fingerprint`]).
type Fingerprint = (i64, i64, i64);

/// The cache's entries.
type Entries = std::collections::HashMap<CacheKey, (Fingerprint, Counted)>;

/// Complaint figures computed lately; see [`complaint_figures`].
#[derive(Debug, Default)]
pub struct FiguresCache {
    entries: std::sync::Mutex<Entries>,
}

/// Most entries kept; past it the cache starts again empty.
const CACHE_MAX: usize = 512;

impl FiguresCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic elsewhere while holding the lock leaves plain data: keep using it.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, key: &CacheKey, print: Fingerprint) -> Option<Counted> {
        let entries = self.lock();
        let (at, counted) = entries.get(key)?;
        (*at == print).then(|| std::sync::Arc::clone(counted))
    }

    fn put(&self, key: CacheKey, print: Fingerprint, counted: Counted) {
        let mut entries = self.lock();
        if entries.len() >= CACHE_MAX {
            entries.clear();
        }
        entries.insert(key, (print, counted));
    }
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
