//! Invoices, credit notes, payments and their allocations, factors, reference
//! rates, reminder plans, the reminders sent and the portal links. Every write to
//! invoices bumps the workspace's `invoice_generation` in the same transaction.

use crate::bulk::{insert_rows, Insertable};
use crate::{bind_args, dialect, with_conn, Arg, Conn, DbError, DbResult, Engine, SqlBuilder};
use bilan_domain::invoices::invoice::Invoice;
use bilan_domain::invoices::terms::{Eom45Method, PaymentTerms};
use bilan_domain::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(format!("invoices.{what}"))
}

/// An invoice as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InvoiceRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `number`.
    pub number: String,
    /// Column `issued_on`.
    pub issued_on: NaiveDate,
    /// Column `delivered_on`.
    pub delivered_on: Option<NaiveDate>,
    /// Column `terms_kind`.
    pub terms_kind: String,
    /// Column `terms_days`.
    pub terms_days: Option<i64>,
    /// Column `terms_method`.
    pub terms_method: Option<String>,
    /// Column `due_on`.
    pub due_on: NaiveDate,
    /// Column `terms_beyond_legal_max`.
    pub terms_beyond_legal_max: bool,
    /// Column `amount_excl_minor`.
    pub amount_excl_minor: i64,
    /// Column `amount_incl_minor`.
    pub amount_incl_minor: i64,
    /// Column `currency`.
    pub currency: String,
    /// Column `vat_lines`.
    pub vat_lines: Option<String>,
    /// Column `paid_minor`.
    pub paid_minor: i64,
    /// Column `credited_minor`.
    pub credited_minor: i64,
    /// Column `open_minor`.
    pub open_minor: i64,
    /// Column `settled_on`.
    pub settled_on: Option<NaiveDate>,
    /// Column `sent_on`.
    pub sent_on: Option<NaiveDate>,
    /// Column `factor_id`.
    pub factor_id: Option<Uuid>,
    /// Column `factored_on`.
    pub factored_on: Option<NaiveDate>,
    /// Column `source`.
    pub source: String,
    /// Column `version`.
    pub version: i64,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
    /// Column `updated_at`.
    pub updated_at: DateTime<Utc>,
}

const INVOICE_COLUMNS: &[&str] = &[
    "id",
    "workspace_id",
    "account_id",
    "number",
    "issued_on",
    "delivered_on",
    "terms_kind",
    "terms_days",
    "terms_method",
    "due_on",
    "terms_beyond_legal_max",
    "amount_excl_minor",
    "amount_incl_minor",
    "currency",
    "vat_lines",
    "paid_minor",
    "credited_minor",
    "open_minor",
    "settled_on",
    "sent_on",
    "factor_id",
    "factored_on",
    "source",
    "version",
    "created_at",
    "updated_at",
];

fn cols(prefix: &str, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Insertable for InvoiceRow {
    const TABLE: &'static str = "invoices";
    const COLUMNS: &'static [&'static str] = INVOICE_COLUMNS;
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.account_id),
            Arg::Text(self.number.clone()),
            Arg::Date(self.issued_on),
            Arg::OptDate(self.delivered_on),
            Arg::Text(self.terms_kind.clone()),
            Arg::OptI64(self.terms_days),
            Arg::OptText(self.terms_method.clone()),
            Arg::Date(self.due_on),
            Arg::Bool(self.terms_beyond_legal_max),
            Arg::I64(self.amount_excl_minor),
            Arg::I64(self.amount_incl_minor),
            Arg::Text(self.currency.clone()),
            Arg::OptText(self.vat_lines.clone()),
            Arg::I64(self.paid_minor),
            Arg::I64(self.credited_minor),
            Arg::I64(self.open_minor),
            Arg::OptDate(self.settled_on),
            Arg::OptDate(self.sent_on),
            Arg::OptUuid(self.factor_id),
            Arg::OptDate(self.factored_on),
            Arg::Text(self.source.clone()),
            Arg::I64(self.version),
            Arg::Instant(self.created_at),
            Arg::Instant(self.updated_at),
        ]
    }
}

impl InvoiceRow {
    /// The row of an invoice.
    pub fn from_invoice(i: &Invoice) -> Self {
        let (terms_kind, terms_days, terms_method) = match i.terms {
            PaymentTerms::Days { days } => ("days", Some(i64::from(days)), None),
            PaymentTerms::Eom45 { method } => ("eom45", None, Some(method.code().to_owned())),
            PaymentTerms::DueOn { .. } => ("due_on", None, None),
            PaymentTerms::NotAgreed => ("not_agreed", None, None),
        };
        InvoiceRow {
            id: i.id,
            workspace_id: i.workspace_id,
            account_id: i.account_id,
            number: i.number.clone(),
            issued_on: i.issued_on,
            delivered_on: i.delivered_on,
            terms_kind: terms_kind.to_owned(),
            terms_days,
            terms_method,
            due_on: i.due_on,
            terms_beyond_legal_max: i.terms_beyond_legal_max,
            amount_excl_minor: i.amount_excl_tax.minor,
            amount_incl_minor: i.amount_incl_tax.minor,
            currency: i.amount_incl_tax.currency.as_str().to_owned(),
            vat_lines: None,
            paid_minor: i.paid_minor,
            credited_minor: i.credited_minor,
            open_minor: i.open().minor,
            settled_on: i.settled_on,
            sent_on: i.sent_on,
            factor_id: i.factor_id,
            factored_on: i.factored_on,
            source: i.source.clone(),
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }

    /// The invoice this row stores.
    pub fn into_invoice(self) -> DbResult<Invoice> {
        let currency = Currency::parse(&self.currency).ok_or_else(|| corrupt("currency"))?;
        let terms = match self.terms_kind.as_str() {
            "days" => PaymentTerms::Days {
                days: self
                    .terms_days
                    .and_then(|d| u32::try_from(d).ok())
                    .ok_or_else(|| corrupt("terms_days"))?,
            },
            "eom45" => PaymentTerms::Eom45 {
                method: self
                    .terms_method
                    .as_deref()
                    .and_then(Eom45Method::parse)
                    .ok_or_else(|| corrupt("terms_method"))?,
            },
            "due_on" => PaymentTerms::DueOn { due_on: self.due_on },
            "not_agreed" => PaymentTerms::NotAgreed,
            _ => return Err(corrupt("terms_kind")),
        };
        Ok(Invoice {
            id: self.id,
            workspace_id: self.workspace_id,
            account_id: self.account_id,
            number: self.number,
            issued_on: self.issued_on,
            delivered_on: self.delivered_on,
            terms,
            due_on: self.due_on,
            terms_beyond_legal_max: self.terms_beyond_legal_max,
            amount_excl_tax: Money {
                minor: self.amount_excl_minor,
                currency,
            },
            amount_incl_tax: Money {
                minor: self.amount_incl_minor,
                currency,
            },
            paid_minor: self.paid_minor,
            credited_minor: self.credited_minor,
            settled_on: self.settled_on,
            sent_on: self.sent_on,
            factor_id: self.factor_id,
            factored_on: self.factored_on,
            source: self.source,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Marks the workspace's invoice figures as changed (in the writer's transaction).
pub async fn touch(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE workspaces SET invoice_generation = invoice_generation + 1 WHERE id = $1"
    )
    .bind(workspace)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many times the workspace's invoice figures changed.
pub async fn generation(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT invoice_generation FROM workspaces WHERE id = $1"
    )
    .bind(workspace)
    .fetch_one(&mut **c)
    .await)?)
}

/// Stores new invoices (one by hand, thousands from an import or the demo).
pub async fn insert(conn: &mut Conn<'_>, rows: &[InvoiceRow]) -> DbResult<()> {
    insert_rows(conn, rows).await?;
    let mut ws: Vec<Uuid> = rows.iter().map(|r| r.workspace_id).collect();
    ws.sort();
    ws.dedup();
    for w in ws {
        touch(conn, w).await?;
    }
    Ok(())
}

fn select_invoices(prefix: &str) -> String {
    cols(prefix, INVOICE_COLUMNS)
}

/// An invoice of the workspace.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Invoice>> {
    let sql = format!(
        "SELECT {} FROM invoices WHERE workspace_id = $1 AND id = $2",
        select_invoices("")
    );
    let row: Option<InvoiceRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(InvoiceRow::into_invoice).transpose()
}

/// The workspace's invoices carrying these numbers.
pub async fn by_numbers(conn: &mut Conn<'_>, workspace: Uuid, numbers: &[String]) -> DbResult<Vec<Invoice>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        let mut b = SqlBuilder::new(&format!(
            "SELECT {} FROM invoices WHERE workspace_id = ",
            select_invoices("")
        ));
        b.bind(Arg::Uuid(workspace)).push(" AND number IN (");
        for (i, n) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Arg::Text(n.clone()));
        }
        b.push(")");
        let rows: Vec<InvoiceRow> = with_conn!(&mut *conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
            .fetch_all(&mut **c)
            .await)?;
        for r in rows {
            out.push(r.into_invoice()?);
        }
    }
    Ok(out)
}

/// Writes what an invoice owes, who reminds and whether it was sent, if it is still
/// at `expected` version (then bumped); false when someone changed it meanwhile.
pub async fn update(conn: &mut Conn<'_>, i: &Invoice, expected: i64) -> DbResult<bool> {
    let r = InvoiceRow::from_invoice(i);
    let n = with_conn!(&mut *conn, |c| sqlx::query(
        "UPDATE invoices SET paid_minor = $3, credited_minor = $4, open_minor = $5, settled_on = $6, \
         sent_on = $7, factor_id = $8, factored_on = $9, updated_at = $10, version = version + 1 \
         WHERE workspace_id = $1 AND id = $2 AND version = $11"
    )
    .bind(r.workspace_id)
    .bind(r.id)
    .bind(r.paid_minor)
    .bind(r.credited_minor)
    .bind(r.open_minor)
    .bind(r.settled_on)
    .bind(r.sent_on)
    .bind(r.factor_id)
    .bind(r.factored_on)
    .bind(r.updated_at)
    .bind(expected)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 1 {
        touch(conn, r.workspace_id).await?;
    }
    Ok(n == 1)
}

/// Locks invoices for the rest of the transaction (PostgreSQL; SQLite's writer
/// already holds the database), so two payments cannot both read the same balance.
pub async fn lock(conn: &mut Conn<'_>, workspace: Uuid, ids: &[Uuid]) -> DbResult<()> {
    if conn.engine() != Engine::Postgres || ids.is_empty() {
        return Ok(());
    }
    let mut b = SqlBuilder::new("SELECT id FROM invoices WHERE workspace_id = ");
    b.bind(Arg::Uuid(workspace)).push(" AND ");
    b.push_in("id", ids);
    b.push(" FOR UPDATE");
    let locked: Vec<Uuid> = with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?;
    drop(locked);
    Ok(())
}

/// The list's filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceFilter {
    /// One account.
    pub account_id: Option<Uuid>,
    /// Accounts of one owner.
    pub owner_id: Option<Uuid>,
    /// Accounts of one segment (company size code).
    pub segment: Option<String>,
    /// Only invoices still owing something.
    pub open_only: bool,
    /// Only invoices owing something past their due date before this day.
    pub overdue_before: Option<NaiveDate>,
    /// Only settled invoices.
    pub settled_only: bool,
    /// One number, exactly.
    pub number: Option<String>,
    /// Invoices of accounts whose name matches these search terms.
    pub account_terms: Vec<String>,
    /// Issued on or after.
    pub issued_from: Option<NaiveDate>,
    /// Issued on or before.
    pub issued_to: Option<NaiveDate>,
}

/// An invoice with its account's name, as lists show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListedInvoice {
    /// The invoice.
    pub invoice: Invoice,
    /// Its account's name.
    pub account_name: String,
}

#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    row: InvoiceRow,
    account_name: String,
}

/// A page of invoices, most recent first.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoicePage {
    /// The invoices.
    pub items: Vec<ListedInvoice>,
    /// Where the next page starts (`issued_on` and id of the last one).
    pub next: Option<(NaiveDate, Uuid)>,
}

fn push_filter(b: &mut SqlBuilder, engine: Engine, workspace: Uuid, f: &InvoiceFilter) {
    b.push(" WHERE i.workspace_id = ").bind(Arg::Uuid(workspace));
    if let Some(a) = f.account_id {
        b.push(" AND i.account_id = ").bind(Arg::Uuid(a));
    }
    if let Some(o) = f.owner_id {
        b.push(" AND a.owner_id = ").bind(Arg::Uuid(o));
    }
    if let Some(s) = &f.segment {
        b.push(" AND a.size = ").bind(Arg::Text(s.clone()));
    }
    if f.open_only || f.overdue_before.is_some() {
        b.push(" AND i.open_minor > 0");
    }
    if let Some(d) = f.overdue_before {
        b.push(" AND i.due_on < ").bind(Arg::Date(d));
    }
    if f.settled_only {
        b.push(" AND i.settled_on IS NOT NULL");
    }
    if let Some(n) = &f.number {
        b.push(" AND i.number = ").bind(Arg::Text(n.clone()));
    }
    if !f.account_terms.is_empty() {
        b.push(" AND ");
        dialect::push_text_match(b, engine, "accounts", "a", &f.account_terms);
    }
    if let Some(d) = f.issued_from {
        b.push(" AND i.issued_on >= ").bind(Arg::Date(d));
    }
    if let Some(d) = f.issued_to {
        b.push(" AND i.issued_on <= ").bind(Arg::Date(d));
    }
}

/// Lists invoices: open ones by due date (oldest first) when `filter.open_only`,
/// otherwise the most recent first; a page at a time.
pub async fn list(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    filter: &InvoiceFilter,
    after: Option<(NaiveDate, Uuid)>,
    limit: u32,
) -> DbResult<InvoicePage> {
    let by_due = filter.open_only || filter.overdue_before.is_some();
    let mut b = SqlBuilder::new(&format!(
        "SELECT {}, a.name AS account_name FROM invoices i JOIN accounts a ON a.id = i.account_id",
        select_invoices("i.")
    ));
    push_filter(&mut b, conn.engine(), workspace, filter);
    let key = if by_due { "i.due_on" } else { "i.issued_on" };
    if let Some((d, id)) = after {
        if by_due {
            b.push(&format!(" AND ({key}, i.id) > ("));
        } else {
            b.push(&format!(" AND ({key}, i.id) < ("));
        }
        b.bind(Arg::Date(d)).push(", ").bind(Arg::Uuid(id)).push(")");
    }
    if by_due {
        b.push(&format!(" ORDER BY {key}, i.id LIMIT "));
    } else {
        b.push(&format!(" ORDER BY {key} DESC, i.id DESC LIMIT "));
    }
    b.bind(Arg::I64(i64::from(limit) + 1));
    let rows: Vec<ListedRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(ListedInvoice {
            account_name: r.account_name,
            invoice: r.row.into_invoice()?,
        });
    }
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|x| {
            let d = if by_due { x.invoice.due_on } else { x.invoice.issued_on };
            (d, x.invoice.id)
        })
    } else {
        None
    };
    Ok(InvoicePage { items, next })
}

/// Sums behind the workspace's figures, per group (an account, an owner, a segment,
/// or the whole workspace) and currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct AgingRow {
    /// The group's key (an id or a code; empty for the whole workspace or "not set").
    pub grp: Option<String>,
    /// Currency.
    pub currency: String,
    /// Not due.
    pub not_due: i64,
    /// 1–30 days late.
    pub d1_30: i64,
    /// 31–60.
    pub d31_60: i64,
    /// 61–90.
    pub d61_90: i64,
    /// Over 90.
    pub over_90: i64,
    /// Open invoices.
    pub open_invoices: i64,
}

/// How figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One line for the workspace.
    Workspace,
    /// Per account.
    Account,
    /// Per account owner.
    Owner,
    /// Per segment (company size).
    Segment,
}

impl Grouping {
    fn expr(self, engine: Engine) -> &'static str {
        match (self, engine) {
            (Self::Workspace, _) => "''",
            (Self::Account, Engine::Postgres) => "CAST(i.account_id AS TEXT)",
            (Self::Owner, Engine::Postgres) => "CAST(a.owner_id AS TEXT)",
            (Self::Account, Engine::Sqlite) => "lower(hex(i.account_id))",
            (Self::Owner, Engine::Sqlite) => "lower(hex(a.owner_id))",
            (Self::Segment, _) => "a.size",
        }
    }
}

/// The FROM clause of the figures: accounts are joined only when a group or a filter needs them.
fn figures_from(grouping: Grouping, f: &InvoiceFilter) -> &'static str {
    let needs = matches!(grouping, Grouping::Owner | Grouping::Segment)
        || f.owner_id.is_some()
        || f.segment.is_some()
        || !f.account_terms.is_empty();
    if needs {
        " FROM invoices i JOIN accounts a ON a.id = i.account_id"
    } else {
        " FROM invoices i"
    }
}

/// The GROUP BY clause (PostgreSQL refuses a constant in it: the workspace's one group has none).
fn group_by(grouping: Grouping, expr: &str, by_currency: bool) -> String {
    match (grouping, by_currency) {
        (Grouping::Workspace, true) => " GROUP BY i.currency".to_owned(),
        (Grouping::Workspace, false) => String::new(),
        (_, true) => format!(" GROUP BY {expr}, i.currency"),
        (_, false) => format!(" GROUP BY {expr}"),
    }
}

/// Parses a group key back into an id (SQLite gives hex without dashes).
pub fn group_id(key: &str) -> Option<Uuid> {
    Uuid::parse_str(key).ok()
}

/// The aging sums at `today` (bucket borders from the domain's `late_edges`).
pub async fn aging(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    grouping: Grouping,
    filter: &InvoiceFilter,
    today: NaiveDate,
    edges: [NaiveDate; 3],
) -> DbResult<Vec<AgingRow>> {
    let g = grouping.expr(conn.engine());
    let mut b = SqlBuilder::new(&format!("SELECT {g} AS grp, i.currency, "));
    let sum = |b: &mut SqlBuilder, cond: &str, d: Option<NaiveDate>, alias: &str| {
        b.push(&format!("CAST(COALESCE(SUM(CASE WHEN {cond}"));
        if let Some(d) = d {
            b.bind(Arg::Date(d));
        }
        b.push(&format!(" THEN i.open_minor ELSE 0 END), 0) AS BIGINT) AS {alias}, "));
    };
    sum(&mut b, "i.due_on >= ", Some(today), "not_due");
    sum(&mut b, "i.due_on >= ", Some(edges[0]), "d1_30");
    sum(&mut b, "i.due_on >= ", Some(edges[1]), "d31_60");
    sum(&mut b, "i.due_on >= ", Some(edges[2]), "d61_90");
    sum(&mut b, "1 = 1", None, "over_90");
    b.push("COUNT(*) AS open_invoices");
    b.push(figures_from(grouping, filter));
    let mut f = filter.clone();
    f.open_only = true;
    push_filter(&mut b, conn.engine(), workspace, &f);
    b.push(&group_by(grouping, g, true));
    let rows: Vec<AgingRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?;
    // The CASE sums are cumulative from the newest bucket: turn them into bands.
    Ok(rows
        .into_iter()
        .map(|r| AgingRow {
            over_90: r.over_90 - r.d61_90,
            d61_90: r.d61_90 - r.d31_60,
            d31_60: r.d31_60 - r.d1_30,
            d1_30: r.d1_30 - r.not_due,
            ..r
        })
        .collect())
}

/// Revenue (amounts including VAT invoiced) per group and currency over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct RevenueRow {
    /// Group key.
    pub grp: Option<String>,
    /// Currency.
    pub currency: String,
    /// Invoiced, minus credit notes are not deducted (they are rare and dated apart).
    pub invoiced: i64,
}

/// What was invoiced from `from` to `to` (included), per group.
pub async fn revenue(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    grouping: Grouping,
    filter: &InvoiceFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<RevenueRow>> {
    let g = grouping.expr(conn.engine());
    let mut b = SqlBuilder::new(&format!(
        "SELECT {g} AS grp, i.currency, CAST(COALESCE(SUM(i.amount_incl_minor), 0) AS BIGINT) AS invoiced{}",
        figures_from(grouping, filter)
    ));
    let mut f = filter.clone();
    f.issued_from = Some(from);
    f.issued_to = Some(to);
    push_filter(&mut b, conn.engine(), workspace, &f);
    b.push(&group_by(grouping, g, true));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Payment behaviour sums per group: invoices settled in a period, the late ones
/// and their days late.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct BehaviourRow {
    /// Group key.
    pub grp: Option<String>,
    /// Settled.
    pub invoices: i64,
    /// Settled after their due date.
    pub late: i64,
    /// Their days late, summed.
    pub days_late: i64,
}

/// Payment behaviour sums of invoices settled from `from` to `to`.
pub async fn behaviour(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    grouping: Grouping,
    filter: &InvoiceFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<BehaviourRow>> {
    let engine = conn.engine();
    let g = grouping.expr(engine);
    let late = dialect::days_between(engine, "i.due_on", "i.settled_on");
    let mut b = SqlBuilder::new(&format!(
        "SELECT {g} AS grp, COUNT(*) AS invoices, \
         CAST(COALESCE(SUM(CASE WHEN i.settled_on > i.due_on THEN 1 ELSE 0 END), 0) AS BIGINT) AS late, \
         CAST(COALESCE(SUM(CASE WHEN i.settled_on > i.due_on THEN {late} ELSE 0 END), 0) AS BIGINT) AS days_late{}",
        figures_from(grouping, filter)
    ));
    let mut f = filter.clone();
    f.settled_only = true;
    push_filter(&mut b, engine, workspace, &f);
    b.push(" AND i.settled_on >= ").bind(Arg::Date(from));
    b.push(" AND i.settled_on <= ").bind(Arg::Date(to));
    b.push(&group_by(grouping, g, false));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// A credit note as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct CreditNoteRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `invoice_id`.
    pub invoice_id: Option<Uuid>,
    /// Column `number`.
    pub number: String,
    /// Column `issued_on`.
    pub issued_on: NaiveDate,
    /// Column `amount_excl_minor`.
    pub amount_excl_minor: i64,
    /// Column `amount_incl_minor`.
    pub amount_incl_minor: i64,
    /// Column `currency`.
    pub currency: String,
    /// Column `source`.
    pub source: String,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
}

const CREDIT_COLUMNS: &[&str] = &[
    "id",
    "workspace_id",
    "account_id",
    "invoice_id",
    "number",
    "issued_on",
    "amount_excl_minor",
    "amount_incl_minor",
    "currency",
    "source",
    "created_at",
];

impl Insertable for CreditNoteRow {
    const TABLE: &'static str = "credit_notes";
    const COLUMNS: &'static [&'static str] = CREDIT_COLUMNS;
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.account_id),
            Arg::OptUuid(self.invoice_id),
            Arg::Text(self.number.clone()),
            Arg::Date(self.issued_on),
            Arg::I64(self.amount_excl_minor),
            Arg::I64(self.amount_incl_minor),
            Arg::Text(self.currency.clone()),
            Arg::Text(self.source.clone()),
            Arg::Instant(self.created_at),
        ]
    }
}

/// Stores credit notes.
pub async fn insert_credit_notes(conn: &mut Conn<'_>, rows: &[CreditNoteRow]) -> DbResult<()> {
    insert_rows(conn, rows).await
}

/// Credit note numbers of the workspace already stored among `numbers`.
pub async fn existing_credit_notes(conn: &mut Conn<'_>, workspace: Uuid, numbers: &[String]) -> DbResult<Vec<String>> {
    existing_values(conn, "credit_notes", "number", workspace, numbers).await
}

/// The values of `column` of a workspace's `table` found among `values`, 500 at a time.
async fn existing_values(
    conn: &mut Conn<'_>,
    table: &str,
    column: &str,
    workspace: Uuid,
    values: &[String],
) -> DbResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in values.chunks(500) {
        let mut b = SqlBuilder::new(&format!("SELECT {column} FROM {table} WHERE workspace_id = "));
        b.bind(Arg::Uuid(workspace)).push(&format!(" AND {column} IN ("));
        for (i, n) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Arg::Text(n.clone()));
        }
        b.push(")");
        let found: Vec<String> = with_conn!(&mut *conn, |c| bind_args!(sqlx::query_scalar(&b.sql), &b.args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(found);
    }
    Ok(out)
}

/// An invoice's credit notes.
pub async fn credit_notes_of(conn: &mut Conn<'_>, workspace: Uuid, invoice: Uuid) -> DbResult<Vec<CreditNoteRow>> {
    let sql = format!(
        "SELECT {} FROM credit_notes WHERE workspace_id = $1 AND invoice_id = $2 ORDER BY issued_on, id",
        CREDIT_COLUMNS.join(", ")
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(invoice)
        .fetch_all(&mut **c)
        .await)?)
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PaymentRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `paid_on`.
    pub paid_on: NaiveDate,
    /// Column `amount_minor`.
    pub amount_minor: i64,
    /// Column `currency`.
    pub currency: String,
    /// Column `reference`.
    pub reference: Option<String>,
    /// Column `dedup_key`.
    pub dedup_key: String,
    /// Column `unallocated_minor`.
    pub unallocated_minor: i64,
    /// Column `source`.
    pub source: String,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
}

const PAYMENT_COLUMNS: &[&str] = &[
    "id",
    "workspace_id",
    "account_id",
    "paid_on",
    "amount_minor",
    "currency",
    "reference",
    "dedup_key",
    "unallocated_minor",
    "source",
    "created_at",
];

impl Insertable for PaymentRow {
    const TABLE: &'static str = "payments";
    const COLUMNS: &'static [&'static str] = PAYMENT_COLUMNS;
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.account_id),
            Arg::Date(self.paid_on),
            Arg::I64(self.amount_minor),
            Arg::Text(self.currency.clone()),
            Arg::OptText(self.reference.clone()),
            Arg::Text(self.dedup_key.clone()),
            Arg::I64(self.unallocated_minor),
            Arg::Text(self.source.clone()),
            Arg::Instant(self.created_at),
        ]
    }
}

/// A payment's part on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AllocationRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `payment_id`.
    pub payment_id: Uuid,
    /// Column `invoice_id`.
    pub invoice_id: Uuid,
    /// Column `amount_minor`.
    pub amount_minor: i64,
}

const ALLOCATION_COLUMNS: &[&str] = &["id", "workspace_id", "payment_id", "invoice_id", "amount_minor"];

impl Insertable for AllocationRow {
    const TABLE: &'static str = "payment_allocations";
    const COLUMNS: &'static [&'static str] = ALLOCATION_COLUMNS;
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.payment_id),
            Arg::Uuid(self.invoice_id),
            Arg::I64(self.amount_minor),
        ]
    }
}

/// Stores payments with their allocations.
pub async fn insert_payments(conn: &mut Conn<'_>, payments: &[PaymentRow], parts: &[AllocationRow]) -> DbResult<()> {
    insert_rows(conn, payments).await?;
    insert_rows(conn, parts).await
}

/// Which of these dedup keys are already stored.
pub async fn existing_payment_keys(conn: &mut Conn<'_>, workspace: Uuid, keys: &[String]) -> DbResult<Vec<String>> {
    existing_values(conn, "payments", "dedup_key", workspace, keys).await
}

/// A payment as seen from one invoice: its day, its part here, and the whole.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct InvoicePayment {
    /// The payment.
    pub payment_id: Uuid,
    /// Day received.
    pub paid_on: NaiveDate,
    /// Its part on this invoice.
    pub amount_minor: i64,
    /// The whole payment.
    pub payment_minor: i64,
    /// Reference.
    pub reference: Option<String>,
}

/// An invoice's payments, oldest first.
pub async fn payments_of(conn: &mut Conn<'_>, workspace: Uuid, invoice: Uuid) -> DbResult<Vec<InvoicePayment>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT p.id AS payment_id, p.paid_on, pa.amount_minor, p.amount_minor AS payment_minor, p.reference \
         FROM payment_allocations pa JOIN payments p ON p.id = pa.payment_id \
         WHERE pa.invoice_id = $2 AND pa.workspace_id = $1 ORDER BY p.paid_on, p.id"
    )
    .bind(workspace)
    .bind(invoice)
    .fetch_all(&mut **c)
    .await)?)
}

/// An account's latest payments (at most `limit`).
pub async fn payments_of_account(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    limit: i64,
) -> DbResult<Vec<PaymentRow>> {
    let sql = format!(
        "SELECT {} FROM payments WHERE workspace_id = $1 AND account_id = $2 ORDER BY paid_on DESC, id DESC LIMIT $3",
        PAYMENT_COLUMNS.join(", ")
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(account)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// A factor (société d'affacturage).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct FactorRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `name`.
    pub name: String,
    /// Column `email`.
    pub email: Option<String>,
    /// Column `phone`.
    pub phone: Option<String>,
    /// Column `details`.
    pub details: Option<String>,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
}

const FACTOR_COLUMNS: &[&str] = &["id", "workspace_id", "name", "email", "phone", "details", "created_at"];

impl Insertable for FactorRow {
    const TABLE: &'static str = "factors";
    const COLUMNS: &'static [&'static str] = FACTOR_COLUMNS;
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Text(self.name.clone()),
            Arg::OptText(self.email.clone()),
            Arg::OptText(self.phone.clone()),
            Arg::OptText(self.details.clone()),
            Arg::Instant(self.created_at),
        ]
    }
}

/// Stores factors.
pub async fn insert_factors(conn: &mut Conn<'_>, rows: &[FactorRow]) -> DbResult<()> {
    insert_rows(conn, rows).await
}

/// The workspace's factors, by name.
pub async fn factors(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<FactorRow>> {
    let sql = format!(
        "SELECT {} FROM factors WHERE workspace_id = $1 ORDER BY name",
        FACTOR_COLUMNS.join(", ")
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .fetch_all(&mut **c)
        .await)?)
}

/// A reference rate as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RateRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `year`.
    pub year: i64,
    /// Column `half`.
    pub half: i64,
    /// Column `rate` (percent, decimal text).
    pub rate: String,
    /// Column `updated_at`.
    pub updated_at: DateTime<Utc>,
}

/// Sets the reference rate of a half-year (insert or replace).
pub async fn save_rate(conn: &mut Conn<'_>, r: &RateRow) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "INSERT INTO reference_rates (id, workspace_id, year, half, rate, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (workspace_id, year, half) DO UPDATE SET rate = excluded.rate, updated_at = excluded.updated_at"
    )
    .bind(r.id)
    .bind(r.workspace_id)
    .bind(r.year)
    .bind(r.half)
    .bind(&r.rate)
    .bind(r.updated_at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    touch(conn, r.workspace_id).await
}

/// The workspace's reference rates, oldest first.
pub async fn rates(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<RateRow>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT id, workspace_id, year, half, rate, updated_at FROM reference_rates WHERE workspace_id = $1 \
         ORDER BY year, half"
    )
    .bind(workspace)
    .fetch_all(&mut **c)
    .await)?)
}

/// The workspace's invoice settings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SettingsRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `contractual_rate`.
    pub contractual_rate: Option<String>,
    /// Column `version`.
    pub version: i64,
    /// Column `updated_at`.
    pub updated_at: DateTime<Utc>,
}

/// The settings, if ever saved.
pub async fn settings(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Option<SettingsRow>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT id, workspace_id, contractual_rate, version, updated_at FROM invoice_settings WHERE workspace_id = $1"
    )
    .bind(workspace)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Saves the settings (insert or replace).
pub async fn save_settings(conn: &mut Conn<'_>, r: &SettingsRow) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "INSERT INTO invoice_settings (id, workspace_id, contractual_rate, version, updated_at) \
         VALUES ($1, $2, $3, 1, $4) ON CONFLICT (workspace_id) DO UPDATE SET \
         contractual_rate = excluded.contractual_rate, version = invoice_settings.version + 1, \
         updated_at = excluded.updated_at"
    )
    .bind(r.id)
    .bind(r.workspace_id)
    .bind(&r.contractual_rate)
    .bind(r.updated_at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    touch(conn, r.workspace_id).await
}

/// A reminder plan as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `segment`.
    pub segment: String,
    /// Column `steps` (JSON).
    pub steps: String,
    /// Column `owner_notice_days`.
    pub owner_notice_days: Option<i64>,
    /// Column `add_late_charges`.
    pub add_late_charges: bool,
    /// Column `version`.
    pub version: i64,
    /// Column `updated_at`.
    pub updated_at: DateTime<Utc>,
}

/// The workspace's plans.
pub async fn plans(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<PlanRow>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT id, workspace_id, segment, steps, owner_notice_days, add_late_charges, version, updated_at \
         FROM reminder_plans WHERE workspace_id = $1 ORDER BY segment"
    )
    .bind(workspace)
    .fetch_all(&mut **c)
    .await)?)
}

/// Saves a segment's plan (insert or replace).
pub async fn save_plan(conn: &mut Conn<'_>, r: &PlanRow) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "INSERT INTO reminder_plans (id, workspace_id, segment, steps, owner_notice_days, add_late_charges, version, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT (workspace_id, segment) DO UPDATE SET \
         steps = excluded.steps, owner_notice_days = excluded.owner_notice_days, \
         add_late_charges = excluded.add_late_charges, version = reminder_plans.version + 1, \
         updated_at = excluded.updated_at"
    )
    .bind(r.id)
    .bind(r.workspace_id)
    .bind(&r.segment)
    .bind(&r.steps)
    .bind(r.owner_notice_days)
    .bind(r.add_late_charges)
    .bind(r.updated_at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a segment's own plan (it follows the default again).
pub async fn delete_plan(conn: &mut Conn<'_>, workspace: Uuid, segment: &str) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM reminder_plans WHERE workspace_id = $1 AND segment = $2"
    )
    .bind(workspace)
    .bind(segment)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A reminder (or a notice to the owner) sent for an invoice.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ReminderRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `invoice_id`.
    pub invoice_id: Uuid,
    /// Column `step_index`.
    pub step_index: i64,
    /// Column `kind`: `reminder` or `owner_notice`.
    pub kind: String,
    /// Column `channel`.
    pub channel: String,
    /// Column `tone`.
    pub tone: String,
    /// Column `sent_on`.
    pub sent_on: NaiveDate,
    /// Column `contact_id`.
    pub contact_id: Option<Uuid>,
    /// Column `interaction_id`.
    pub interaction_id: Option<Uuid>,
    /// Column `with_late_charges`.
    pub with_late_charges: bool,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
}

const REMINDER_COLUMNS: &[&str] = &[
    "id",
    "workspace_id",
    "invoice_id",
    "step_index",
    "kind",
    "channel",
    "tone",
    "sent_on",
    "contact_id",
    "interaction_id",
    "with_late_charges",
    "created_at",
];

impl Insertable for ReminderRow {
    const TABLE: &'static str = "invoice_reminders";
    const COLUMNS: &'static [&'static str] = REMINDER_COLUMNS;
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.invoice_id),
            Arg::I64(self.step_index),
            Arg::Text(self.kind.clone()),
            Arg::Text(self.channel.clone()),
            Arg::Text(self.tone.clone()),
            Arg::Date(self.sent_on),
            Arg::OptUuid(self.contact_id),
            Arg::OptUuid(self.interaction_id),
            Arg::Bool(self.with_late_charges),
            Arg::Instant(self.created_at),
        ]
    }
}

/// Records reminders (the demo, bulk); see [`claim_reminder`] for the job.
pub async fn insert_reminders(conn: &mut Conn<'_>, rows: &[ReminderRow]) -> DbResult<()> {
    insert_rows(conn, rows).await
}

/// Records one reminder unless that step was already recorded for the invoice:
/// true when this call recorded it (and so must send it).
pub async fn claim_reminder(conn: &mut Conn<'_>, r: &ReminderRow) -> DbResult<bool> {
    let sql = format!(
        "INSERT INTO invoice_reminders ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (invoice_id, kind, step_index) DO NOTHING",
        REMINDER_COLUMNS.join(", ")
    );
    let n = with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(r.invoice_id)
        .bind(r.step_index)
        .bind(&r.kind)
        .bind(&r.channel)
        .bind(&r.tone)
        .bind(r.sent_on)
        .bind(r.contact_id)
        .bind(r.interaction_id)
        .bind(r.with_late_charges)
        .bind(r.created_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The reminders recorded for these invoices, oldest first.
pub async fn reminders_of(conn: &mut Conn<'_>, workspace: Uuid, invoices: &[Uuid]) -> DbResult<Vec<ReminderRow>> {
    let mut out = Vec::new();
    for chunk in invoices.chunks(500) {
        let mut b = SqlBuilder::new(&format!(
            "SELECT {} FROM invoice_reminders WHERE workspace_id = ",
            REMINDER_COLUMNS.join(", ")
        ));
        b.bind(Arg::Uuid(workspace)).push(" AND ");
        b.push_in("invoice_id", chunk);
        let rows: Vec<ReminderRow> = with_conn!(&mut *conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(rows);
    }
    // Sorted here: an ORDER BY lets SQLite prefer walking every reminder of the
    // workspace in date order over looking the 500 invoices up (measured: 480 ms a page).
    out.sort_by_key(|r| (r.sent_on, r.created_at, r.id));
    Ok(out)
}

/// An open invoice the morning job looks at, with what the plan needs to know.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `due_on`.
    pub due_on: NaiveDate,
    /// Column `factor_id`.
    pub factor_id: Option<Uuid>,
    /// The account's size (the plan's segment).
    pub segment: Option<String>,
    /// The account's owner.
    pub owner_id: Option<Uuid>,
    /// Whether a complaint about it is open.
    pub disputed: bool,
}

/// Open invoices due on or before `until`, by due date, a page at a time after `after`.
pub async fn due_invoices(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    until: NaiveDate,
    open_states: &[&str],
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> DbResult<Vec<DueRow>> {
    let mut b = SqlBuilder::new(
        "SELECT i.id, i.account_id, i.due_on, i.factor_id, a.size AS segment, a.owner_id, \
         EXISTS (SELECT 1 FROM complaints k WHERE k.invoice_id = i.id AND k.state IN (",
    );
    for (i, s) in open_states.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::Text((*s).to_owned()));
    }
    b.push(")) AS disputed FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.workspace_id = ");
    b.bind(Arg::Uuid(workspace));
    b.push(" AND i.open_minor > 0 AND i.due_on <= ").bind(Arg::Date(until));
    if let Some((d, id)) = after {
        b.push(" AND (i.due_on, i.id) > (")
            .bind(Arg::Date(d))
            .push(", ")
            .bind(Arg::Uuid(id))
            .push(")");
    }
    b.push(" ORDER BY i.due_on, i.id LIMIT ").bind(Arg::I64(limit));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Open complaints about an invoice (their ids).
pub async fn open_complaints_of(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    invoice: Uuid,
    open_states: &[&str],
) -> DbResult<Vec<Uuid>> {
    let mut b = SqlBuilder::new("SELECT id FROM complaints WHERE workspace_id = ");
    b.bind(Arg::Uuid(workspace));
    b.push(" AND invoice_id = ").bind(Arg::Uuid(invoice));
    b.push(" AND state IN (");
    for (i, s) in open_states.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::Text((*s).to_owned()));
    }
    b.push(") ORDER BY id");
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// A portal link as stored (its secret is not: only its hash).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PortalLinkRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `token_hash`.
    #[serde(skip)]
    pub token_hash: String,
    /// Column `lang`.
    pub lang: String,
    /// Column `expires_at`.
    pub expires_at: DateTime<Utc>,
    /// Column `revoked_at`.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Column `created_by`.
    pub created_by: Option<Uuid>,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
    /// Column `last_used_at`.
    pub last_used_at: Option<DateTime<Utc>>,
}

const PORTAL_COLUMNS: &[&str] = &[
    "id",
    "workspace_id",
    "account_id",
    "token_hash",
    "lang",
    "expires_at",
    "revoked_at",
    "created_by",
    "created_at",
    "last_used_at",
];

impl Insertable for PortalLinkRow {
    const TABLE: &'static str = "portal_links";
    const COLUMNS: &'static [&'static str] = PORTAL_COLUMNS;
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.account_id),
            Arg::Text(self.token_hash.clone()),
            Arg::Text(self.lang.clone()),
            Arg::Instant(self.expires_at),
            Arg::OptInstant(self.revoked_at),
            Arg::OptUuid(self.created_by),
            Arg::Instant(self.created_at),
            Arg::OptInstant(self.last_used_at),
        ]
    }
}

/// Stores a portal link.
pub async fn insert_portal_link(conn: &mut Conn<'_>, r: &PortalLinkRow) -> DbResult<()> {
    insert_rows(conn, std::slice::from_ref(r)).await
}

/// The link with this secret's hash, whatever its workspace (the portal knows no one).
pub async fn portal_link_by_hash(conn: &mut Conn<'_>, hash: &str) -> DbResult<Option<PortalLinkRow>> {
    let sql = format!(
        "SELECT {} FROM portal_links WHERE token_hash = $1",
        PORTAL_COLUMNS.join(", ")
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(hash)
        .fetch_optional(&mut **c)
        .await)?)
}

/// An account's links, newest first.
pub async fn portal_links_of(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Vec<PortalLinkRow>> {
    let sql = format!(
        "SELECT {} FROM portal_links WHERE workspace_id = $1 AND account_id = $2 ORDER BY created_at DESC",
        PORTAL_COLUMNS.join(", ")
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(account)
        .fetch_all(&mut **c)
        .await)?)
}

/// Revokes a link of the workspace; false when there is none (or it was already revoked).
pub async fn revoke_portal_link(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid, at: DateTime<Utc>) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE portal_links SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL"
    )
    .bind(workspace)
    .bind(id)
    .bind(at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Notes that a link was used.
pub async fn portal_link_used(conn: &mut Conn<'_>, id: Uuid, at: DateTime<Utc>) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE portal_links SET last_used_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

macro_rules! copier {
    ($name:ident, $row:ty, $table:literal, $columns:expr) => {
        /// `bilan db copy` of one table.
        pub fn $name<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
            Box::pin(async move {
                let mut after = None;
                let mut copied = 0usize;
                let columns = $columns.join(", ");
                loop {
                    let rows: Vec<$row> = crate::tables::rows_after(&mut *s, $table, &columns, ws, after, 2000).await?;
                    let Some(last) = rows.last() else { break };
                    after = Some(last.id);
                    insert_rows(&mut *t, &rows).await?;
                    copied += rows.len();
                }
                Ok(copied)
            })
        }
    };
}

copier!(copy_factors, FactorRow, "factors", FACTOR_COLUMNS);
copier!(copy_invoices, InvoiceRow, "invoices", INVOICE_COLUMNS);
copier!(copy_credit_notes, CreditNoteRow, "credit_notes", CREDIT_COLUMNS);
copier!(copy_payments, PaymentRow, "payments", PAYMENT_COLUMNS);
copier!(
    copy_allocations,
    AllocationRow,
    "payment_allocations",
    ALLOCATION_COLUMNS
);
copier!(copy_reminders, ReminderRow, "invoice_reminders", REMINDER_COLUMNS);
copier!(copy_portal_links, PortalLinkRow, "portal_links", PORTAL_COLUMNS);

/// `bilan db copy`: reference rates, settings and plans.
pub fn copy_rates<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let rows = rates(s, ws).await?;
        for r in &rows {
            save_rate(t, r).await?;
        }
        Ok(rows.len())
    })
}

/// `bilan db copy`: the invoice settings.
pub fn copy_settings<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let Some(row) = settings(s, ws).await? else {
            return Ok(0);
        };
        save_settings(t, &row).await?;
        Ok(1)
    })
}

/// `bilan db copy`: the reminder plans.
pub fn copy_plans<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let rows = plans(s, ws).await?;
        for r in &rows {
            save_plan(t, r).await?;
        }
        Ok(rows.len())
    })
}

/// Whom reminders of an account's invoices are addressed to: a current contact
/// with an address, the client's finance people first, then its buyers.
pub async fn billing_contact(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Option<Uuid>> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM contacts WHERE workspace_id = $1 AND account_id = $2 AND email IS NOT NULL \
         AND left_on IS NULL ORDER BY CASE WHEN roles LIKE '%finance%' THEN 0 WHEN roles LIKE '%buyer%' THEN 1 \
         ELSE 2 END, sort_name, id LIMIT 1"
    )
    .bind(workspace)
    .bind(account)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Completes a recorded reminder once sent: the exchange it left, to whom, whether
/// it carried the late-payment amounts, and the channel it actually went by.
pub async fn set_reminder_details(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    interaction: Option<Uuid>,
    contact: Option<Uuid>,
    with_late_charges: bool,
    channel: &str,
) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE invoice_reminders SET interaction_id = $3, contact_id = $4, with_late_charges = $5, channel = $6 \
         WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .bind(interaction)
    .bind(contact)
    .bind(with_late_charges)
    .bind(channel)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Links the open complaints about an invoice (category `invoice`) that name none to
/// the oldest invoice their account still owes (the demo generator's last step).
pub async fn link_open_invoice_complaints(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<u64> {
    Ok(with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE complaints SET invoice_id = (SELECT i.id FROM invoices i WHERE i.workspace_id = complaints.workspace_id \
         AND i.account_id = complaints.account_id AND i.open_minor > 0 ORDER BY i.due_on, i.id LIMIT 1) \
         WHERE workspace_id = $1 AND category = 'invoice' AND invoice_id IS NULL \
         AND state IN ('received', 'acknowledged', 'investigating', 'answered', 'in_mediation', 'in_court')"
    )
    .bind(workspace)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?)
}
