//! Complaints: cases, their steps, the alerts sent about their deadlines, and each
//! workspace's rules and letter templates.

use crate::{bind_args, with_conn, Arg, Conn, DbError, DbResult, SqlBuilder};
use bilan_domain::complaints::{
    Category, ClientKind, Complaint, ComplaintRules, ComplaintState, Deadlines, Gesture, GestureKind, Severity, Step,
};
use bilan_domain::money::{Currency, Money};
use bilan_domain::pagination::Cursor;
use bilan_domain::timeline::Channel;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// The list's order key of a case with nothing due: after every dated one.
pub fn nothing_due() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ComplaintRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `number`.
    pub number: i64,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `contact_id`.
    pub contact_id: Option<Uuid>,
    /// Column `interaction_id`.
    pub interaction_id: Option<Uuid>,
    /// Column `invoice_id`.
    pub invoice_id: Option<Uuid>,
    /// Column `received_on`.
    pub received_on: NaiveDate,
    /// Column `channel`.
    pub channel: String,
    /// Column `client_kind`.
    pub client_kind: String,
    /// Column `category`.
    pub category: String,
    /// Column `severity`.
    pub severity: String,
    /// Column `concerns`.
    pub concerns: Option<String>,
    /// Column `summary`.
    pub summary: String,
    /// Column `owner_id`.
    pub owner_id: Uuid,
    /// Column `state`.
    pub state: String,
    /// Column `acknowledge_by`.
    pub acknowledge_by: NaiveDate,
    /// Column `answer_by`.
    pub answer_by: NaiveDate,
    /// Column `mediation_request_by`.
    pub mediation_request_by: Option<NaiveDate>,
    /// Column `mediation_notified_on`.
    pub mediation_notified_on: Option<NaiveDate>,
    /// Column `mediation_concludes_by`.
    pub mediation_concludes_by: Option<NaiveDate>,
    /// Column `next_due_on`.
    pub next_due_on: Option<NaiveDate>,
    /// Column `sort_due`.
    pub sort_due: NaiveDate,
    /// Column `acknowledged_on`.
    pub acknowledged_on: Option<NaiveDate>,
    /// Column `answered_on`.
    pub answered_on: Option<NaiveDate>,
    /// Column `resolved_on`.
    pub resolved_on: Option<NaiveDate>,
    /// Column `closed_on`.
    pub closed_on: Option<NaiveDate>,
    /// Column `gesture_kind`.
    pub gesture_kind: Option<String>,
    /// Column `gesture_minor`.
    pub gesture_minor: Option<i64>,
    /// Column `gesture_currency`.
    pub gesture_currency: Option<String>,
    /// Column `version`.
    pub version: i64,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
    /// Column `updated_at`.
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, workspace_id, number, account_id, contact_id, interaction_id, received_on, channel, \
client_kind, category, severity, concerns, summary, owner_id, state, acknowledge_by, answer_by, \
mediation_request_by, mediation_notified_on, mediation_concludes_by, next_due_on, sort_due, acknowledged_on, \
answered_on, resolved_on, closed_on, gesture_kind, gesture_minor, gesture_currency, version, created_at, updated_at, \
invoice_id";

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(format!("complaints.{what}"))
}

fn gesture_of(kind: Option<&str>, minor: Option<i64>, currency: Option<&str>) -> Option<Gesture> {
    Some(Gesture {
        kind: GestureKind::parse(kind?)?,
        amount: Money {
            minor: minor?,
            currency: Currency::parse(currency?)?,
        },
    })
}

impl ComplaintRow {
    /// The row of a case.
    pub fn from_complaint(c: &Complaint) -> Self {
        let next_due_on = c.next_due().map(|d| d.by);
        ComplaintRow {
            id: c.id,
            workspace_id: c.workspace_id,
            number: c.number,
            account_id: c.account_id,
            contact_id: c.contact_id,
            interaction_id: c.interaction_id,
            invoice_id: c.invoice_id,
            received_on: c.received_on,
            channel: c.channel.code().to_owned(),
            client_kind: c.client_kind.code().to_owned(),
            category: c.category.code().to_owned(),
            severity: c.severity.code().to_owned(),
            concerns: c.concerns.clone(),
            summary: c.summary.clone(),
            owner_id: c.owner_id,
            state: c.state.code().to_owned(),
            acknowledge_by: c.deadlines.acknowledge_by,
            answer_by: c.deadlines.answer_by,
            mediation_request_by: c.deadlines.mediation_request_by,
            mediation_notified_on: c.mediation_notified_on,
            mediation_concludes_by: c.deadlines.mediation_concludes_by,
            next_due_on,
            sort_due: next_due_on.unwrap_or_else(nothing_due),
            acknowledged_on: c.acknowledged_on,
            answered_on: c.answered_on,
            resolved_on: c.resolved_on,
            closed_on: c.closed_on,
            gesture_kind: c.gesture.map(|g| g.kind.code().to_owned()),
            gesture_minor: c.gesture.map(|g| g.amount.minor),
            gesture_currency: c.gesture.map(|g| g.amount.currency.as_str().to_owned()),
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }

    /// The case this row stores.
    pub fn into_complaint(self) -> DbResult<Complaint> {
        Ok(Complaint {
            id: self.id,
            workspace_id: self.workspace_id,
            number: self.number,
            account_id: self.account_id,
            contact_id: self.contact_id,
            interaction_id: self.interaction_id,
            invoice_id: self.invoice_id,
            received_on: self.received_on,
            channel: Channel::parse(&self.channel).ok_or_else(|| corrupt("channel"))?,
            client_kind: ClientKind::parse(&self.client_kind).ok_or_else(|| corrupt("client_kind"))?,
            category: Category::parse(&self.category).ok_or_else(|| corrupt("category"))?,
            severity: Severity::parse(&self.severity).ok_or_else(|| corrupt("severity"))?,
            concerns: self.concerns,
            summary: self.summary,
            owner_id: self.owner_id,
            state: ComplaintState::parse(&self.state).ok_or_else(|| corrupt("state"))?,
            deadlines: Deadlines {
                acknowledge_by: self.acknowledge_by,
                answer_by: self.answer_by,
                mediation_request_by: self.mediation_request_by,
                mediation_concludes_by: self.mediation_concludes_by,
            },
            mediation_notified_on: self.mediation_notified_on,
            acknowledged_on: self.acknowledged_on,
            answered_on: self.answered_on,
            resolved_on: self.resolved_on,
            closed_on: self.closed_on,
            gesture: gesture_of(
                self.gesture_kind.as_deref(),
                self.gesture_minor,
                self.gesture_currency.as_deref(),
            ),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Takes the workspace's next case number (atomic: concurrent openings get distinct numbers).
pub async fn next_number(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "UPDATE workspaces SET complaint_seq = complaint_seq + 1 WHERE id = $1 RETURNING complaint_seq"
    )
    .bind(workspace)
    .fetch_one(&mut **c)
    .await)?)
}

/// Sets the workspace's last case number (after a bulk load such as the demo).
pub async fn set_number(conn: &mut Conn<'_>, workspace: Uuid, number: i64) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE workspaces SET complaint_seq = $2 WHERE id = $1"
    )
    .bind(workspace)
    .bind(number)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

macro_rules! bind_row {
    ($q:expr, $r:expr) => {
        $q.bind($r.id)
            .bind($r.workspace_id)
            .bind($r.number)
            .bind($r.account_id)
            .bind($r.contact_id)
            .bind($r.interaction_id)
            .bind($r.received_on)
            .bind(&$r.channel)
            .bind(&$r.client_kind)
            .bind(&$r.category)
            .bind(&$r.severity)
            .bind(&$r.concerns)
            .bind(&$r.summary)
            .bind($r.owner_id)
            .bind(&$r.state)
            .bind($r.acknowledge_by)
            .bind($r.answer_by)
            .bind($r.mediation_request_by)
            .bind($r.mediation_notified_on)
            .bind($r.mediation_concludes_by)
            .bind($r.next_due_on)
            .bind($r.sort_due)
            .bind($r.acknowledged_on)
            .bind($r.answered_on)
            .bind($r.resolved_on)
            .bind($r.closed_on)
            .bind(&$r.gesture_kind)
            .bind($r.gesture_minor)
            .bind(&$r.gesture_currency)
            .bind($r.version)
            .bind($r.created_at)
            .bind($r.updated_at)
            .bind($r.invoice_id)
    };
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Stores a new case.
pub async fn insert(conn: &mut Conn<'_>, r: &ComplaintRow) -> DbResult<()> {
    let sql = format!("INSERT INTO complaints ({COLUMNS}) VALUES ({})", placeholders(33));
    with_conn!(conn, |c| bind_row!(sqlx::query(&sql), r)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes a case's new state if it is still at `expected` version (then bumped);
/// false when someone changed it meanwhile.
pub async fn update(conn: &mut Conn<'_>, r: &ComplaintRow, expected: i64) -> DbResult<bool> {
    let sql = "UPDATE complaints SET owner_id = $3, state = $4, mediation_notified_on = $5, \
        mediation_concludes_by = $6, next_due_on = $7, sort_due = $8, acknowledged_on = $9, answered_on = $10, \
        resolved_on = $11, closed_on = $12, gesture_kind = $13, gesture_minor = $14, gesture_currency = $15, \
        version = version + 1, updated_at = $16, contact_id = $18, client_kind = $19, category = $20, \
        severity = $21, concerns = $22, mediation_request_by = $23 \
        WHERE workspace_id = $1 AND id = $2 AND version = $17";
    let n = with_conn!(conn, |c| sqlx::query(sql)
        .bind(r.workspace_id)
        .bind(r.id)
        .bind(r.owner_id)
        .bind(&r.state)
        .bind(r.mediation_notified_on)
        .bind(r.mediation_concludes_by)
        .bind(r.next_due_on)
        .bind(r.sort_due)
        .bind(r.acknowledged_on)
        .bind(r.answered_on)
        .bind(r.resolved_on)
        .bind(r.closed_on)
        .bind(&r.gesture_kind)
        .bind(r.gesture_minor)
        .bind(&r.gesture_currency)
        .bind(r.updated_at)
        .bind(expected)
        .bind(r.contact_id)
        .bind(&r.client_kind)
        .bind(&r.category)
        .bind(&r.severity)
        .bind(&r.concerns)
        .bind(r.mediation_request_by)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A case of the workspace.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Complaint>> {
    let sql = format!("SELECT {COLUMNS} FROM complaints WHERE workspace_id = $1 AND id = $2");
    let row: Option<ComplaintRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(ComplaintRow::into_complaint).transpose()
}

/// The cases opened from an exchange.
pub async fn ids_of_interaction(conn: &mut Conn<'_>, workspace: Uuid, interaction: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM complaints WHERE interaction_id = $2 AND workspace_id = $1 ORDER BY id"
    )
    .bind(workspace)
    .bind(interaction)
    .fetch_all(&mut **c)
    .await)?)
}

/// The list's filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComplaintFilter {
    /// These states only (empty: any).
    pub states: Vec<ComplaintState>,
    /// One owner.
    pub owner_id: Option<Uuid>,
    /// One category.
    pub category: Option<Category>,
    /// One severity.
    pub severity: Option<Severity>,
    /// One account.
    pub account_id: Option<Uuid>,
    /// Received on or after.
    pub received_from: Option<NaiveDate>,
    /// Received on or before.
    pub received_to: Option<NaiveDate>,
    /// Only cases with a deadline passed before this day.
    pub overdue_before: Option<NaiveDate>,
    /// Only cases with a deadline on or before this day (due soon or late).
    pub due_until: Option<NaiveDate>,
    /// One case by its number (the reference people quote).
    pub number: Option<i64>,
    /// Cases of accounts whose name or identifiers match these search terms.
    pub account_terms: Vec<String>,
}

fn filtered(engine: crate::Engine, workspace: Uuid, f: &ComplaintFilter, select: &str) -> SqlBuilder {
    let mut b = SqlBuilder::new(select);
    b.push(" WHERE k.workspace_id = ").bind(Arg::Uuid(workspace));
    if let Some(n) = f.number {
        b.push(" AND k.number = ").bind(Arg::I64(n));
    }
    if !f.account_terms.is_empty() {
        b.push(" AND ");
        crate::dialect::push_text_match(&mut b, engine, "accounts", "a", &f.account_terms);
    }
    if !f.states.is_empty() {
        b.push(" AND k.state IN (");
        for (i, s) in f.states.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Arg::Text(s.code().to_owned()));
        }
        b.push(")");
    }
    if let Some(o) = f.owner_id {
        b.push(" AND k.owner_id = ").bind(Arg::Uuid(o));
    }
    if let Some(cat) = f.category {
        b.push(" AND k.category = ").bind(Arg::Text(cat.code().to_owned()));
    }
    if let Some(s) = f.severity {
        b.push(" AND k.severity = ").bind(Arg::Text(s.code().to_owned()));
    }
    if let Some(a) = f.account_id {
        b.push(" AND k.account_id = ").bind(Arg::Uuid(a));
    }
    if let Some(d) = f.received_from {
        b.push(" AND k.received_on >= ").bind(Arg::Date(d));
    }
    if let Some(d) = f.received_to {
        b.push(" AND k.received_on <= ").bind(Arg::Date(d));
    }
    if let Some(d) = f.overdue_before {
        b.push(" AND k.sort_due < ").bind(Arg::Date(d));
    }
    if let Some(d) = f.due_until {
        b.push(" AND k.sort_due <= ").bind(Arg::Date(d));
    }
    b
}

/// A case with its account's name, as lists show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListedComplaint {
    /// The case.
    pub complaint: Complaint,
    /// Its account's name.
    pub account_name: String,
}

#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    row: ComplaintRow,
    account_name: String,
}

/// A page of cases.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintPage {
    /// The cases, next deadline first (overdue ones first of all), then those with
    /// nothing due.
    pub items: Vec<ListedComplaint>,
    /// Where the next page starts.
    pub next: Option<Cursor>,
}

fn prefixed_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("k.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Lists cases by next deadline, a page at a time.
pub async fn list(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    filter: &ComplaintFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> DbResult<ComplaintPage> {
    let select = format!(
        "SELECT {}, a.name AS account_name FROM complaints k JOIN accounts a ON a.id = k.account_id",
        prefixed_columns()
    );
    let mut b = filtered(conn.engine(), workspace, filter, &select);
    if let Some(cur) = after {
        if let (Ok(key), Ok(id)) = (
            NaiveDate::parse_from_str(&cur.key, "%Y-%m-%d"),
            Uuid::parse_str(&cur.id),
        ) {
            b.push(" AND (k.sort_due, k.id) > (");
            b.bind(Arg::Date(key)).push(", ").bind(Arg::Uuid(id)).push(")");
        }
    }
    b.push(" ORDER BY k.sort_due, k.id LIMIT ");
    b.bind(Arg::I64(i64::from(limit) + 1));
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<ListedRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(ListedComplaint {
            account_name: r.account_name,
            complaint: r.row.into_complaint()?,
        });
    }
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|x| Cursor {
            key: x
                .complaint
                .next_due()
                .map_or_else(nothing_due, |d| d.by)
                .format("%Y-%m-%d")
                .to_string(),
            id: x.complaint.id.to_string(),
        })
    } else {
        None
    };
    Ok(ComplaintPage { items, next })
}

/// How many of an owner's cases have a deadline on or before `day`.
pub async fn count_due_of_owner(conn: &mut Conn<'_>, workspace: Uuid, owner: Uuid, day: NaiveDate) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM complaints WHERE workspace_id = $1 AND owner_id = $2 AND sort_due <= $3"
    )
    .bind(workspace)
    .bind(owner)
    .bind(day)
    .fetch_one(&mut **c)
    .await)?)
}

/// What changes whenever a workspace's cases change: how many there are, the sum of
/// their versions (every step and reassignment bumps one) and the last number taken
/// (an opening after a deletion still moves it). Read from one covering index, it
/// lets the figures be cached without every write path — a use case, the demo, an
/// account deleted with its cases — having to say so.
pub async fn fingerprint(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<(i64, i64, i64)> {
    let (n, versions, last): (i64, Option<i64>, Option<i64>) = with_conn!(conn, |c| sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(version) AS BIGINT), MAX(number) FROM complaints WHERE workspace_id = $1"
    )
    .bind(workspace)
    .fetch_one(&mut **c)
    .await)?;
    Ok((n, versions.unwrap_or(0), last.unwrap_or(0)))
}

/// The facts the figures are computed from, for the cases matching `filter`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FactsRow {
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `received_on`.
    pub received_on: NaiveDate,
    /// Column `state`.
    pub state: String,
    /// Column `acknowledged_on`.
    pub acknowledged_on: Option<NaiveDate>,
    /// Column `answered_on`.
    pub answered_on: Option<NaiveDate>,
    /// Column `resolved_on`.
    pub resolved_on: Option<NaiveDate>,
    /// Column `answer_by`.
    pub answer_by: NaiveDate,
    /// Column `next_due_on`.
    pub next_due_on: Option<NaiveDate>,
    /// Column `category`.
    pub category: String,
    /// Column `gesture_minor`.
    pub gesture_minor: Option<i64>,
    /// Column `gesture_currency`.
    pub gesture_currency: Option<String>,
}

/// Every matching case's facts (a few columns, no text).
pub async fn facts(conn: &mut Conn<'_>, workspace: Uuid, filter: &ComplaintFilter) -> DbResult<Vec<FactsRow>> {
    // The accounts are joined only when their names are searched.
    let from = if filter.account_terms.is_empty() {
        "FROM complaints k"
    } else {
        "FROM complaints k JOIN accounts a ON a.id = k.account_id"
    };
    let b = filtered(
        conn.engine(),
        workspace,
        filter,
        &format!(
            "SELECT k.account_id, k.received_on, k.state, k.acknowledged_on, k.answered_on, k.resolved_on, \
             k.answer_by, k.next_due_on, k.category, k.gesture_minor, k.gesture_currency {from}"
        ),
    );
    let (sql, args) = (b.sql, b.args);
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?)
}

/// A step as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StepRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `complaint_id`.
    pub complaint_id: Uuid,
    /// Column `from_state`.
    pub from_state: Option<String>,
    /// Column `to_state`.
    pub to_state: String,
    /// Column `happened_on`.
    pub happened_on: NaiveDate,
    /// Column `user_id`.
    pub user_id: Option<Uuid>,
    /// Column `reason`.
    pub reason: Option<String>,
    /// Column `gesture_kind`.
    pub gesture_kind: Option<String>,
    /// Column `gesture_minor`.
    pub gesture_minor: Option<i64>,
    /// Column `gesture_currency`.
    pub gesture_currency: Option<String>,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
}

const STEP_COLUMNS: &str = "id, workspace_id, complaint_id, from_state, to_state, happened_on, user_id, reason, \
gesture_kind, gesture_minor, gesture_currency, created_at";

impl StepRow {
    /// The row of a step of `workspace`.
    pub fn from_step(workspace: Uuid, s: &Step) -> Self {
        StepRow {
            id: s.id,
            workspace_id: workspace,
            complaint_id: s.complaint_id,
            from_state: s.from_state.map(|x| x.code().to_owned()),
            to_state: s.to_state.code().to_owned(),
            happened_on: s.on,
            user_id: s.user_id,
            reason: s.reason.clone(),
            gesture_kind: s.gesture.map(|g| g.kind.code().to_owned()),
            gesture_minor: s.gesture.map(|g| g.amount.minor),
            gesture_currency: s.gesture.map(|g| g.amount.currency.as_str().to_owned()),
            created_at: s.created_at,
        }
    }

    /// The step this row stores.
    pub fn into_step(self) -> DbResult<Step> {
        Ok(Step {
            id: self.id,
            complaint_id: self.complaint_id,
            from_state: match self.from_state.as_deref() {
                None => None,
                Some(s) => Some(ComplaintState::parse(s).ok_or_else(|| corrupt("steps.from_state"))?),
            },
            to_state: ComplaintState::parse(&self.to_state).ok_or_else(|| corrupt("steps.to_state"))?,
            on: self.happened_on,
            user_id: self.user_id,
            reason: self.reason,
            gesture: gesture_of(
                self.gesture_kind.as_deref(),
                self.gesture_minor,
                self.gesture_currency.as_deref(),
            ),
            created_at: self.created_at,
        })
    }
}

/// Stores steps.
pub async fn insert_steps(conn: &mut Conn<'_>, rows: &[StepRow]) -> DbResult<()> {
    let sql = format!(
        "INSERT INTO complaint_steps ({STEP_COLUMNS}) VALUES ({})",
        placeholders(12)
    );
    for r in rows {
        with_conn!(&mut *conn, |c| sqlx::query(&sql)
            .bind(r.id)
            .bind(r.workspace_id)
            .bind(r.complaint_id)
            .bind(&r.from_state)
            .bind(&r.to_state)
            .bind(r.happened_on)
            .bind(r.user_id)
            .bind(&r.reason)
            .bind(&r.gesture_kind)
            .bind(r.gesture_minor)
            .bind(&r.gesture_currency)
            .bind(r.created_at)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A case's steps, oldest first.
pub async fn steps(conn: &mut Conn<'_>, workspace: Uuid, complaint: Uuid) -> DbResult<Vec<Step>> {
    let sql = format!(
        "SELECT {STEP_COLUMNS} FROM complaint_steps WHERE complaint_id = $2 AND workspace_id = $1 \
         ORDER BY happened_on, created_at, id"
    );
    let rows: Vec<StepRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(complaint)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(StepRow::into_step).collect()
}

/// The day of a case's last step.
pub async fn last_step_on(conn: &mut Conn<'_>, workspace: Uuid, complaint: Uuid) -> DbResult<Option<NaiveDate>> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT MAX(happened_on) FROM complaint_steps WHERE complaint_id = $2 AND workspace_id = $1"
    )
    .bind(workspace)
    .bind(complaint)
    .fetch_one(&mut **c)
    .await)?)
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AlertRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `complaint_id`.
    pub complaint_id: Uuid,
    /// Column `deadline`.
    pub deadline: String,
    /// Column `stage`.
    pub stage: String,
    /// Column `due_on`.
    pub due_on: NaiveDate,
    /// Column `owner_id`.
    pub owner_id: Uuid,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
}

const ALERT_COLUMNS: &str = "id, workspace_id, complaint_id, deadline, stage, due_on, owner_id, created_at";

/// Records an alert unless this case, deadline and stage already had one; true
/// when it is new (the owner is to be told).
pub async fn insert_alert(conn: &mut Conn<'_>, r: &AlertRow) -> DbResult<bool> {
    let sql = format!(
        "INSERT INTO complaint_alerts ({ALERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (complaint_id, deadline, stage) DO NOTHING"
    );
    let n = with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(r.complaint_id)
        .bind(&r.deadline)
        .bind(&r.stage)
        .bind(r.due_on)
        .bind(r.owner_id)
        .bind(r.created_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A case's alerts, oldest first.
pub async fn alerts(conn: &mut Conn<'_>, workspace: Uuid, complaint: Uuid) -> DbResult<Vec<AlertRow>> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM complaint_alerts WHERE complaint_id = $2 AND workspace_id = $1 ORDER BY created_at, id"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(complaint)
        .fetch_all(&mut **c)
        .await)?)
}

/// A workspace's complaint settings as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SettingsRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `acknowledge_working_days`.
    pub acknowledge_working_days: i32,
    /// Column `answer_months`.
    pub answer_months: i32,
    /// Column `alert_by_email`.
    pub alert_by_email: bool,
    /// Column `mediator`.
    pub mediator: Option<String>,
    /// Column `version`.
    pub version: i64,
    /// Column `updated_at`.
    pub updated_at: DateTime<Utc>,
}

const SETTINGS_COLUMNS: &str =
    "id, workspace_id, acknowledge_working_days, answer_months, alert_by_email, mediator, version, updated_at";

impl SettingsRow {
    /// The rules these settings set.
    pub fn rules(&self) -> ComplaintRules {
        ComplaintRules {
            acknowledge_working_days: u32::try_from(self.acknowledge_working_days).unwrap_or(2),
            answer_months: u32::try_from(self.answer_months).unwrap_or(2),
        }
    }
}

/// The workspace's settings, if it ever saved any.
pub async fn settings(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Option<SettingsRow>> {
    let sql = format!("SELECT {SETTINGS_COLUMNS} FROM complaint_settings WHERE workspace_id = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Saves the workspace's settings (insert or replace); false when `expected`
/// is not the stored version.
pub async fn save_settings(conn: &mut Conn<'_>, r: &SettingsRow, expected: Option<i64>) -> DbResult<bool> {
    let sql = format!(
        "INSERT INTO complaint_settings ({SETTINGS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) \
         ON CONFLICT (workspace_id) DO UPDATE SET acknowledge_working_days = $3, answer_months = $4, \
         alert_by_email = $5, mediator = $6, version = complaint_settings.version + 1, updated_at = $7 \
         WHERE complaint_settings.version = $8"
    );
    let n = with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(r.acknowledge_working_days)
        .bind(r.answer_months)
        .bind(r.alert_by_email)
        .bind(&r.mediator)
        .bind(r.updated_at)
        .bind(expected.unwrap_or(0))
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A letter template as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LetterRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `kind`.
    pub kind: String,
    /// Column `lang`.
    pub lang: String,
    /// Column `subject`.
    pub subject: String,
    /// Column `body`.
    pub body: String,
    /// Column `updated_at`.
    pub updated_at: DateTime<Utc>,
}

const LETTER_COLUMNS: &str = "id, workspace_id, kind, lang, subject, body, updated_at";

/// The workspace's own letter templates (the others are Bilan's).
pub async fn letters(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<LetterRow>> {
    let sql = format!("SELECT {LETTER_COLUMNS} FROM complaint_letters WHERE workspace_id = $1 ORDER BY kind, lang");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .fetch_all(&mut **c)
        .await)?)
}

/// Saves a template (insert or replace).
pub async fn save_letter(conn: &mut Conn<'_>, r: &LetterRow) -> DbResult<()> {
    let sql = format!(
        "INSERT INTO complaint_letters ({LETTER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (workspace_id, kind, lang) DO UPDATE SET subject = $5, body = $6, updated_at = $7"
    );
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(&r.kind)
        .bind(&r.lang)
        .bind(&r.subject)
        .bind(&r.body)
        .bind(r.updated_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a workspace's own template (Bilan's applies again).
pub async fn delete_letter(conn: &mut Conn<'_>, workspace: Uuid, kind: &str, lang: &str) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM complaint_letters WHERE workspace_id = $1 AND kind = $2 AND lang = $3"
    )
    .bind(workspace)
    .bind(kind)
    .bind(lang)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

async fn complaint_rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<ComplaintRow>> {
    crate::tables::rows_after(conn, "complaints", COLUMNS, workspace, after, limit).await
}

async fn insert_complaint_rows(conn: &mut Conn<'_>, rows: &[ComplaintRow]) -> DbResult<()> {
    for r in rows {
        insert(conn, r).await?;
    }
    Ok(())
}

async fn step_rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<StepRow>> {
    crate::tables::rows_after(conn, "complaint_steps", STEP_COLUMNS, workspace, after, limit).await
}

async fn alert_rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<AlertRow>> {
    crate::tables::rows_after(conn, "complaint_alerts", ALERT_COLUMNS, workspace, after, limit).await
}

async fn insert_alert_rows(conn: &mut Conn<'_>, rows: &[AlertRow]) -> DbResult<()> {
    for r in rows {
        insert_alert(conn, r).await?;
    }
    Ok(())
}

/// `bilan db copy`: the cases, and the workspace's case counter.
pub fn copy_complaints<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let seq: i64 = with_conn!(&mut *s, |c| sqlx::query_scalar(
            "SELECT complaint_seq FROM workspaces WHERE id = $1"
        )
        .bind(ws)
        .fetch_one(&mut **c)
        .await)?;
        with_conn!(&mut *t, |c| sqlx::query(
            "UPDATE workspaces SET complaint_seq = $2 WHERE id = $1"
        )
        .bind(ws)
        .bind(seq)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
        crate::tables::copy_batches!(s, t, ws, complaint_rows_after, insert_complaint_rows)
    })
}

/// `bilan db copy`: the cases' steps.
pub fn copy_steps<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, step_rows_after, insert_steps) })
}

/// `bilan db copy`: the alerts already sent (so none is sent twice after a move).
pub fn copy_alerts<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, alert_rows_after, insert_alert_rows) })
}

/// `bilan db copy`: the settings and the workspace's own letter templates.
pub fn copy_settings<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let Some(row) = settings(s, ws).await? else {
            return Ok(0);
        };
        save_settings(t, &row, None).await?;
        Ok(1)
    })
}

/// `bilan db copy`: the workspace's letter templates.
pub fn copy_letters<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let rows = letters(s, ws).await?;
        for r in &rows {
            save_letter(t, r).await?;
        }
        Ok(rows.len())
    })
}
