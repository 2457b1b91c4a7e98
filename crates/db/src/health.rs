//! Account health: today's explained score, the day-by-day history, the accounts
//! waiting to be recomputed, the alerts raised on crossing into risk, and the
//! batch reads of everything health is computed from.

use crate::bulk::Insertable;
use crate::{bind_args, with_conn, Arg, Conn, DbResult, SqlBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// Today's health of an account, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HealthScoreRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `score`.
    pub score: i32,
    /// Column `band`.
    pub band: String,
    /// Column `components_json`.
    pub components_json: String,
    /// Column `computed_at`.
    pub computed_at: DateTime<Utc>,
}

impl Insertable for HealthScoreRow {
    const TABLE: &'static str = "health_scores";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "workspace_id",
        "account_id",
        "score",
        "band",
        "components_json",
        "computed_at",
    ];
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.account_id),
            Arg::I32(self.score),
            Arg::Text(self.band.clone()),
            Arg::Text(self.components_json.clone()),
            Arg::Instant(self.computed_at),
        ]
    }
}

/// One day of an account's health.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HealthDayRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `day`.
    pub day: NaiveDate,
    /// Column `score`.
    pub score: i32,
}

impl Insertable for HealthDayRow {
    const TABLE: &'static str = "health_history";
    const COLUMNS: &'static [&'static str] = &["id", "workspace_id", "account_id", "day", "score"];
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.account_id),
            Arg::Date(self.day),
            Arg::I32(self.score),
        ]
    }
}

/// Stores today's scores and the day's history rows of many accounts, replacing
/// what was there for the same account (and day): one statement per batch.
pub async fn save_scores(conn: &mut Conn<'_>, scores: &[HealthScoreRow], days: &[HealthDayRow]) -> DbResult<()> {
    crate::bulk::upsert_rows(
        conn,
        scores,
        "(workspace_id, account_id) DO UPDATE SET score = excluded.score, band = excluded.band, \
         components_json = excluded.components_json, computed_at = excluded.computed_at",
    )
    .await?;
    crate::bulk::upsert_rows(
        conn,
        days,
        "(workspace_id, account_id, day) DO UPDATE SET score = excluded.score",
    )
    .await
}

/// Today's health of an account.
pub async fn score_of(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Option<HealthScoreRow>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT id, workspace_id, account_id, score, band, components_json, computed_at \
         FROM health_scores WHERE workspace_id = $1 AND account_id = $2"
    )
    .bind(workspace)
    .bind(account)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Today's scores of some accounts (those known).
pub async fn scores_of(conn: &mut Conn<'_>, workspace: Uuid, accounts: &[Uuid]) -> DbResult<Vec<HealthScoreRow>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new(
        "SELECT id, workspace_id, account_id, score, band, components_json, computed_at \
         FROM health_scores WHERE workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace))
        .push(" AND ")
        .push_in("account_id", accounts);
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// An account's history from `since` on, oldest first.
pub async fn history(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    since: NaiveDate,
) -> DbResult<Vec<(NaiveDate, i32)>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT day, score FROM health_history WHERE workspace_id = $1 AND account_id = $2 AND day >= $3 ORDER BY day"
    )
    .bind(workspace)
    .bind(account)
    .bind(since)
    .fetch_all(&mut **c)
    .await)?)
}

/// The histories of some accounts from `since` on, by account then day.
pub async fn histories(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    accounts: &[Uuid],
    since: NaiveDate,
) -> DbResult<Vec<(Uuid, NaiveDate, i32)>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new("SELECT account_id, day, score FROM health_history WHERE workspace_id = ");
    b.bind(Arg::Uuid(workspace))
        .push(" AND ")
        .push_in("account_id", accounts);
    b.push(" AND day >= ")
        .bind(Arg::Date(since))
        .push(" ORDER BY account_id, day");
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Marks accounts for recomputation (the latest mark wins).
pub async fn mark_dirty(conn: &mut Conn<'_>, workspace: Uuid, accounts: &[Uuid], at: DateTime<Utc>) -> DbResult<()> {
    #[derive(Clone)]
    struct Dirty(Uuid, Uuid, Uuid, DateTime<Utc>);
    impl Insertable for Dirty {
        const TABLE: &'static str = "health_dirty";
        const COLUMNS: &'static [&'static str] = &["id", "workspace_id", "account_id", "marked_at"];
        fn values(&self) -> Vec<Arg> {
            vec![
                Arg::Uuid(self.0),
                Arg::Uuid(self.1),
                Arg::Uuid(self.2),
                Arg::Instant(self.3),
            ]
        }
    }
    if accounts.is_empty() {
        return Ok(());
    }
    // A change that deleted its account leaves nothing to recompute.
    let mut existing: Vec<Uuid> = Vec::with_capacity(accounts.len());
    for chunk in accounts.chunks(1_000) {
        let mut b = SqlBuilder::new("SELECT id FROM accounts WHERE workspace_id = ");
        b.bind(Arg::Uuid(workspace)).push(" AND ").push_in("id", chunk);
        let found: Vec<Uuid> = with_conn!(&mut *conn, |c| bind_args!(sqlx::query_scalar(&b.sql), &b.args)
            .fetch_all(&mut **c)
            .await)?;
        existing.extend(found);
    }
    let rows: Vec<Dirty> = existing
        .iter()
        .map(|a| Dirty(crate::new_id(), workspace, *a, at))
        .collect();
    crate::bulk::upsert_rows(
        conn,
        &rows,
        "(workspace_id, account_id) DO UPDATE SET marked_at = excluded.marked_at",
    )
    .await
}

/// Up to `limit` accounts waiting for recomputation, with when they were marked.
pub async fn dirty(conn: &mut Conn<'_>, workspace: Uuid, limit: i64) -> DbResult<Vec<(Uuid, DateTime<Utc>)>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT account_id, marked_at FROM health_dirty WHERE workspace_id = $1 ORDER BY marked_at LIMIT $2"
    )
    .bind(workspace)
    .bind(limit)
    .fetch_all(&mut **c)
    .await)?)
}

/// Unmarks accounts recomputed, unless marked again since.
pub async fn clear_dirty(conn: &mut Conn<'_>, workspace: Uuid, done: &[(Uuid, DateTime<Utc>)]) -> DbResult<()> {
    for (account, marked_at) in done {
        with_conn!(&mut *conn, |c| sqlx::query(
            "DELETE FROM health_dirty WHERE workspace_id = $1 AND account_id = $2 AND marked_at <= $3"
        )
        .bind(workspace)
        .bind(*account)
        .bind(*marked_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// When an account was marked for recomputation, if it is.
pub async fn marked_at(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Option<DateTime<Utc>>> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT marked_at FROM health_dirty WHERE workspace_id = $1 AND account_id = $2"
    )
    .bind(workspace)
    .bind(account)
    .fetch_optional(&mut **c)
    .await)?)
}

/// How many accounts wait for recomputation.
pub async fn dirty_count(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM health_dirty WHERE workspace_id = $1"
    )
    .bind(workspace)
    .fetch_one(&mut **c)
    .await)?)
}

/// A page of the workspace's active accounts in id order, after `after`: the
/// nightly recompute walks them all.
pub async fn active_accounts_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<Uuid>> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM accounts WHERE workspace_id = $1 AND status = 'active' AND ($2 IS NULL OR id > $2) \
         ORDER BY id LIMIT $3"
    )
    .bind(workspace)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut **c)
    .await)?)
}

/// An account at risk as the at-risk page lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AtRiskRow {
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its owner.
    pub owner_id: Option<Uuid>,
    /// Its segment.
    pub size: Option<String>,
    /// Its renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Contract value, minor units.
    pub annual_value_minor: i64,
    /// Currency.
    pub currency: String,
    /// Score.
    pub score: i32,
    /// Band.
    pub band: String,
    /// Components, as JSON.
    pub components_json: String,
    /// When computed.
    pub computed_at: DateTime<Utc>,
}

/// Accounts scoring below `below`, lowest first, optionally of one owner; `limit`
/// of them after skipping `offset`. Only active accounts have a score (the
/// recompute drops the others'), so the list walks the score index and stops.
pub async fn at_risk(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    below: i32,
    owner: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<AtRiskRow>> {
    let mut b = SqlBuilder::new(
        "SELECT h.account_id, a.name, a.owner_id, a.size, a.renewal_date, a.annual_value_minor, a.currency, \
         h.score, h.band, h.components_json, h.computed_at \
         FROM health_scores h JOIN accounts a ON a.workspace_id = h.workspace_id AND a.id = h.account_id \
         WHERE h.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace))
        .push(" AND h.score < ")
        .bind(Arg::I32(below));
    if let Some(o) = owner {
        b.push(" AND a.owner_id = ").bind(Arg::Uuid(o));
    }
    b.push(" ORDER BY h.score, h.account_id LIMIT ")
        .bind(Arg::I64(limit))
        .push(" OFFSET ")
        .bind(Arg::I64(offset));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// How many accounts score below `below` (of one owner).
pub async fn at_risk_count(conn: &mut Conn<'_>, workspace: Uuid, below: i32, owner: Option<Uuid>) -> DbResult<i64> {
    let mut b = match owner {
        None => SqlBuilder::new("SELECT COUNT(*) FROM health_scores h WHERE h.workspace_id = "),
        Some(_) => SqlBuilder::new(
            "SELECT COUNT(*) FROM health_scores h JOIN accounts a ON a.workspace_id = h.workspace_id \
             AND a.id = h.account_id WHERE h.workspace_id = ",
        ),
    };
    b.bind(Arg::Uuid(workspace))
        .push(" AND h.score < ")
        .bind(Arg::I32(below));
    if let Some(o) = owner {
        b.push(" AND a.owner_id = ").bind(Arg::Uuid(o));
    }
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&b.sql), &b.args)
        .fetch_one(&mut **c)
        .await)?)
}

/// Drops the scores of accounts that are no longer active (lost, back to prospect):
/// health is about the clients one keeps. Their history stays.
pub async fn drop_scores(conn: &mut Conn<'_>, workspace: Uuid, accounts: &[Uuid]) -> DbResult<()> {
    if accounts.is_empty() {
        return Ok(());
    }
    let mut b = SqlBuilder::new("DELETE FROM health_scores WHERE workspace_id = ");
    b.bind(Arg::Uuid(workspace))
        .push(" AND ")
        .push_in("account_id", accounts);
    crate::execute(conn, b).await?;
    Ok(())
}

/// A follow-up raised when an account crossed into risk.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HealthAlertRow {
    /// Column `id`.
    pub id: Uuid,
    /// Column `workspace_id`.
    pub workspace_id: Uuid,
    /// Column `account_id`.
    pub account_id: Uuid,
    /// Column `owner_id`.
    pub owner_id: Option<Uuid>,
    /// Column `crossed_on`.
    pub crossed_on: NaiveDate,
    /// Column `score`.
    pub score: i32,
    /// Column `previous_score`.
    pub previous_score: Option<i32>,
    /// Column `reasons_json`.
    pub reasons_json: String,
    /// Column `done_at`.
    pub done_at: Option<DateTime<Utc>>,
    /// Column `done_by`.
    pub done_by: Option<Uuid>,
    /// Column `created_at`.
    pub created_at: DateTime<Utc>,
}

impl Insertable for HealthAlertRow {
    const TABLE: &'static str = "health_alerts";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "workspace_id",
        "account_id",
        "owner_id",
        "crossed_on",
        "score",
        "previous_score",
        "reasons_json",
        "done_at",
        "done_by",
        "created_at",
    ];
    fn values(&self) -> Vec<Arg> {
        vec![
            Arg::Uuid(self.id),
            Arg::Uuid(self.workspace_id),
            Arg::Uuid(self.account_id),
            Arg::OptUuid(self.owner_id),
            Arg::Date(self.crossed_on),
            Arg::I32(self.score),
            Arg::OptI32(self.previous_score),
            Arg::Text(self.reasons_json.clone()),
            Arg::OptInstant(self.done_at),
            Arg::OptUuid(self.done_by),
            Arg::Instant(self.created_at),
        ]
    }
}

const ALERT_COLUMNS: &str = "id, workspace_id, account_id, owner_id, crossed_on, score, previous_score, reasons_json, \
                             done_at, done_by, created_at";

/// Stores alerts.
pub async fn insert_alerts(conn: &mut Conn<'_>, rows: &[HealthAlertRow]) -> DbResult<()> {
    crate::bulk::insert_rows(conn, rows).await
}

/// Open alerts, newest first, optionally of one owner or one account.
pub async fn open_alerts(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    owner: Option<Uuid>,
    account: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<HealthAlertRow>> {
    let mut b = SqlBuilder::new(&format!(
        "SELECT {ALERT_COLUMNS} FROM health_alerts WHERE workspace_id = "
    ));
    b.bind(Arg::Uuid(workspace)).push(" AND done_at IS NULL");
    if let Some(o) = owner {
        b.push(" AND owner_id = ").bind(Arg::Uuid(o));
    }
    if let Some(a) = account {
        b.push(" AND account_id = ").bind(Arg::Uuid(a));
    }
    b.push(" ORDER BY crossed_on DESC, id DESC LIMIT ")
        .bind(Arg::I64(limit));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// One open alert.
pub async fn open_alert(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<HealthAlertRow>> {
    let sql =
        format!("SELECT {ALERT_COLUMNS} FROM health_alerts WHERE workspace_id = $1 AND id = $2 AND done_at IS NULL");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Marks an open alert done; false when unknown or already done.
pub async fn close_alert(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> DbResult<bool> {
    let n = with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE health_alerts SET done_at = $3, done_by = $4 WHERE workspace_id = $1 AND id = $2 AND done_at IS NULL"
    )
    .bind(workspace)
    .bind(id)
    .bind(at)
    .bind(by)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// `bilan db copy` of the health tables, each in id order.
macro_rules! copier {
    ($name:ident, $row:ty, $table:literal, $columns:expr) => {
        /// `bilan db copy`: one of the health and programme tables.
        pub fn $name<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
            async fn read(c: &mut Conn<'_>, ws: Uuid, after: Option<Uuid>, limit: i64) -> DbResult<Vec<$row>> {
                crate::tables::rows_after(c, $table, $columns, ws, after, limit).await
            }
            Box::pin(async move { crate::tables::copy_batches!(s, t, ws, read, crate::bulk::insert_rows) })
        }
    };
}
pub(crate) use copier;

copier!(
    copy_scores,
    HealthScoreRow,
    "health_scores",
    &HealthScoreRow::COLUMNS.join(", ")
);
copier!(
    copy_history,
    HealthDayRow,
    "health_history",
    &HealthDayRow::COLUMNS.join(", ")
);
copier!(copy_alerts, HealthAlertRow, "health_alerts", ALERT_COLUMNS);
