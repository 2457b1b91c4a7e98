//! What is owed and how clients pay, per account, owner, segment or for the whole
//! workspace: the aging balance, days sales outstanding over the last twelve
//! months, and payment behaviour over the invoices settled in them. The sums are
//! made by the database; every formula is the domain's. Results are cached per
//! workspace until its invoices change (`invoice_generation`) or the day turns.

use crate::{Actor, App, AppResult};
use bilan_db::invoices::{self as store, group_id, Grouping, InvoiceFilter};
use bilan_domain::invoices::aging::{late_edges, Bucket};
use bilan_domain::invoices::behaviour::{dso, BehaviourTotals, PaymentBehaviour};
use bilan_domain::money::{Currency, Money};
use bilan_domain::roles::Permission;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// Days of the period DSO and payment behaviour look back over.
pub const PERIOD_DAYS: i64 = 365;
/// Most lines per grouping (the largest balances first).
pub const MAX_LINES: usize = 50;

/// One line of figures: a group (or the workspace) in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The group: an account or owner id, a segment code; empty for the workspace or "not set".
    pub key: String,
    /// Its name as people know it (an account's or owner's name; the code for a segment).
    pub name: String,
    /// Currency of the amounts.
    pub currency: String,
    /// Still owed, by bucket (minor units), in bucket order.
    pub aging: Vec<(Bucket, i64)>,
    /// Still owed in all (minor units).
    pub open_minor: i64,
    /// Of which past due.
    pub overdue_minor: i64,
    /// Invoices still owing something.
    pub open_invoices: i64,
    /// Invoiced over the period (minor units, including VAT).
    pub invoiced_minor: i64,
    /// Days sales outstanding (one decimal), when something was invoiced.
    pub dso: Option<Decimal>,
    /// How the group paid over the period.
    pub behaviour: PaymentBehaviour,
}

impl Line {
    /// An amount of this line as money.
    pub fn money(&self, minor: i64) -> Money {
        Money {
            minor,
            currency: Currency::parse(&self.currency).unwrap_or(Currency::EUR),
        }
    }
}

/// The figures a page, the API or the CLI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceFigures {
    /// The day they are computed at.
    pub today: NaiveDate,
    /// First day of the period.
    pub from: NaiveDate,
    /// The whole selection, one line per currency.
    pub total: Vec<Line>,
    /// Per group (largest balances first, at most [`MAX_LINES`]); empty for the workspace grouping.
    pub lines: Vec<Line>,
}

/// Figures computed lately, per workspace, grouping, filter and day.
#[derive(Debug, Default)]
pub struct FiguresCache {
    entries: std::sync::Mutex<HashMap<CacheKey, (i64, Arc<InvoiceFigures>)>>,
}

type CacheKey = (Uuid, String, NaiveDate);

impl FiguresCache {
    fn get(&self, key: &CacheKey, generation: i64) -> Option<Arc<InvoiceFigures>> {
        let e = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (at, f) = e.get(key)?;
        (*at == generation).then(|| Arc::clone(f))
    }

    fn put(&self, key: CacheKey, generation: i64, f: Arc<InvoiceFigures>) {
        let mut e = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if e.len() >= 256 {
            e.clear();
        }
        e.insert(key, (generation, f));
    }
}

/// Parses a grouping code: `workspace`, `account`, `owner`, `segment`.
pub fn parse_grouping(raw: Option<&str>) -> Option<Grouping> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("workspace") => Some(Grouping::Workspace),
        Some("account") => Some(Grouping::Account),
        Some("owner") => Some(Grouping::Owner),
        Some("segment") => Some(Grouping::Segment),
        Some(_) => None,
    }
}

fn normal_key(raw: Option<String>) -> String {
    let k = raw.unwrap_or_default();
    group_id(&k).map_or(k, |id| id.to_string())
}

/// The figures of the invoices matching `filter`, grouped by `grouping`.
pub async fn invoice_figures(
    app: &App,
    actor: &Actor,
    grouping: Grouping,
    filter: &InvoiceFilter,
) -> AppResult<Arc<InvoiceFigures>> {
    actor.require(Permission::ReadInvoices)?;
    let ws = actor.workspace_id;
    let today = super::today(app);
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let generation = store::generation(&mut c, ws).await?;
    let key = (ws, format!("{grouping:?}|{filter:?}"), today);
    if let Some(f) = app.invoice_figures_cache.get(&key, generation) {
        return Ok(f);
    }
    let from = today
        .checked_sub_days(chrono::Days::new(PERIOD_DAYS as u64 - 1))
        .unwrap_or(today);
    let (aging, revenue, behaviour) = (
        store::aging(&mut c, ws, grouping, filter, today, late_edges(today)).await?,
        store::revenue(&mut c, ws, grouping, filter, from, today).await?,
        store::behaviour(&mut c, ws, grouping, filter, from, today).await?,
    );
    // Per (group, currency): aging and revenue; per group: behaviour.
    let mut lines: BTreeMap<(String, String), Line> = BTreeMap::new();
    let blank = |key: &str, currency: &str| Line {
        key: key.to_owned(),
        name: String::new(),
        currency: currency.to_owned(),
        aging: Bucket::ALL.iter().map(|b| (*b, 0)).collect(),
        open_minor: 0,
        overdue_minor: 0,
        open_invoices: 0,
        invoiced_minor: 0,
        dso: None,
        behaviour: BehaviourTotals::default().behaviour(),
    };
    for a in aging {
        let k = normal_key(a.grp);
        let l = lines
            .entry((k.clone(), a.currency.clone()))
            .or_insert_with(|| blank(&k, &a.currency));
        l.aging = vec![
            (Bucket::NotDue, a.not_due),
            (Bucket::Days1To30, a.d1_30),
            (Bucket::Days31To60, a.d31_60),
            (Bucket::Days61To90, a.d61_90),
            (Bucket::Over90, a.over_90),
        ];
        l.open_minor = a.not_due + a.d1_30 + a.d31_60 + a.d61_90 + a.over_90;
        l.overdue_minor = l.open_minor - a.not_due;
        l.open_invoices = a.open_invoices;
    }
    for r in revenue {
        let k = normal_key(r.grp);
        let l = lines
            .entry((k.clone(), r.currency.clone()))
            .or_insert_with(|| blank(&k, &r.currency));
        l.invoiced_minor = r.invoiced;
    }
    let mut by_group: HashMap<String, PaymentBehaviour> = HashMap::new();
    let mut workspace_totals = BehaviourTotals::default();
    for b in behaviour {
        let t = BehaviourTotals {
            invoices: u64::try_from(b.invoices).unwrap_or(0),
            late: u64::try_from(b.late).unwrap_or(0),
            days_late: b.days_late,
        };
        workspace_totals.invoices += t.invoices;
        workspace_totals.late += t.late;
        workspace_totals.days_late += t.days_late;
        by_group.insert(normal_key(b.grp), t.behaviour());
    }
    let finish = |l: &mut Line| {
        let m = |minor| l.money(minor).to_decimal();
        l.dso = dso(m(l.open_minor), m(l.invoiced_minor), PERIOD_DAYS);
    };
    let mut all: Vec<Line> = lines.into_values().collect();
    for l in &mut all {
        finish(l);
        if let Some(b) = by_group.get(&l.key) {
            l.behaviour = b.clone();
        }
    }
    // The selection's total per currency.
    let mut totals: BTreeMap<String, Line> = BTreeMap::new();
    for l in &all {
        let t = totals
            .entry(l.currency.clone())
            .or_insert_with(|| blank("", &l.currency));
        for (i, (_, v)) in l.aging.iter().enumerate() {
            t.aging[i].1 += v;
        }
        t.open_minor += l.open_minor;
        t.overdue_minor += l.overdue_minor;
        t.open_invoices += l.open_invoices;
        t.invoiced_minor += l.invoiced_minor;
    }
    let mut total: Vec<Line> = totals.into_values().collect();
    for t in &mut total {
        finish(t);
        t.behaviour = workspace_totals.behaviour();
    }
    if total.is_empty() {
        total.push(blank("", "EUR"));
    }
    let lines = if grouping == Grouping::Workspace {
        Vec::new()
    } else {
        all.sort_by(|a, b| {
            b.open_minor
                .cmp(&a.open_minor)
                .then(b.invoiced_minor.cmp(&a.invoiced_minor))
        });
        all.truncate(MAX_LINES);
        name_lines(&mut c, ws, grouping, &mut all).await?;
        all
    };
    let figures = Arc::new(InvoiceFigures {
        today,
        from,
        total,
        lines,
    });
    app.invoice_figures_cache.put(key, generation, Arc::clone(&figures));
    Ok(figures)
}

async fn name_lines(c: &mut bilan_db::Conn<'_>, ws: Uuid, grouping: Grouping, lines: &mut [Line]) -> AppResult<()> {
    match grouping {
        Grouping::Account => {
            let ids: Vec<Uuid> = lines.iter().filter_map(|l| Uuid::parse_str(&l.key).ok()).collect();
            let names: HashMap<String, String> = bilan_db::imports::accounts_by_ids(c, ws, &ids)
                .await?
                .into_iter()
                .map(|a| (a.id.to_string(), a.name))
                .collect();
            for l in lines {
                l.name = names.get(&l.key).cloned().unwrap_or_default();
            }
        }
        Grouping::Owner => {
            let users: HashMap<String, String> = bilan_db::users::list(c, ws)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.display_name))
                .collect();
            for l in lines {
                l.name = users.get(&l.key).cloned().unwrap_or_default();
            }
        }
        Grouping::Segment | Grouping::Workspace => {
            for l in lines {
                l.name = l.key.clone();
            }
        }
    }
    Ok(())
}

/// The CSV columns of the figures export.
pub const EXPORT_HEADER: [&str; 16] = [
    "group",
    "name",
    "currency",
    "not_due",
    "days_1_30",
    "days_31_60",
    "days_61_90",
    "over_90",
    "open",
    "overdue",
    "open_invoices",
    "invoiced_12_months",
    "dso_days",
    "settled_invoices",
    "on_time_pct",
    "mean_days_late",
];

/// One line as CSV cells (amounts as decimals in major units).
pub fn export_row(l: &Line) -> Vec<String> {
    let m = |minor: i64| l.money(minor).to_decimal().to_string();
    let opt = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut row = vec![l.key.clone(), l.name.clone(), l.currency.clone()];
    row.extend(l.aging.iter().map(|(_, v)| m(*v)));
    row.push(m(l.open_minor));
    row.push(m(l.overdue_minor));
    row.push(l.open_invoices.to_string());
    row.push(m(l.invoiced_minor));
    row.push(opt(l.dso));
    row.push(l.behaviour.invoices.to_string());
    row.push(opt(l.behaviour.on_time_pct));
    row.push(opt(l.behaviour.mean_days_late));
    row
}

/// The figures as CSV (`;`-separated, amounts as decimals): the total lines, then each group's.
pub async fn export_csv(app: &App, actor: &Actor, grouping: Grouping) -> AppResult<String> {
    actor.require(Permission::ExportData)?;
    let f = invoice_figures(app, actor, grouping, &InvoiceFilter::default()).await?;
    let mut out = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    let fail = |e: csv::Error| crate::AppError::Internal(format!("csv: {e}"));
    out.write_record(EXPORT_HEADER).map_err(fail)?;
    for l in f.total.iter().chain(f.lines.iter()) {
        out.write_record(export_row(l)).map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| crate::AppError::Internal(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| crate::AppError::Internal(format!("csv: {e}")))
}
