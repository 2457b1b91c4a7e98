//! What a review's data pack reads about one account and one period, each a
//! query summed where the rows are (the largest account has a million exchanges).
//! Invoice figures come from [`crate::invoices`]' own sums, health history from
//! [`crate::health`], objectives and usage from [`crate::key_accounts`].

use crate::{with_conn, Conn, DbResult};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// Exchanges per channel and direction from `from` (included) to `to` (excluded).
pub async fn exchanges_by_channel(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> DbResult<Vec<(String, String, i64)>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT channel, direction, COUNT(*) FROM interactions WHERE workspace_id = $1 AND account_id = $2 \
         AND occurred_at >= $3 AND occurred_at < $4 GROUP BY channel, direction ORDER BY channel, direction"
    )
    .bind(workspace)
    .bind(account)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await)?)
}

/// Inbound exchanges answered in the period and their response times summed, in seconds.
pub async fn response_totals(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> DbResult<(i64, i64)> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(response_seconds), 0) AS BIGINT) FROM interactions \
         WHERE workspace_id = $1 AND account_id = $2 AND direction = 'inbound' \
         AND occurred_at >= $3 AND occurred_at < $4 AND response_seconds IS NOT NULL"
    )
    .bind(workspace)
    .bind(account)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **c)
    .await)?)
}

/// An exchange beyond the contract.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct BeyondRow {
    /// Id.
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Channel.
    pub channel: String,
    /// Subject.
    pub subject: Option<String>,
    /// Summary.
    pub summary: Option<String>,
}

/// The interventions beyond the contract of the period, newest first, at most
/// `limit`, and how many there are in all.
pub async fn beyond_contract(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> DbResult<(Vec<BeyondRow>, i64)> {
    let flag = match conn.engine() {
        crate::Engine::Sqlite => "beyond_contract = 1",
        crate::Engine::Postgres => "beyond_contract",
    };
    let list = format!(
        "SELECT id, occurred_at, channel, subject, summary FROM interactions WHERE workspace_id = $1 \
         AND account_id = $2 AND {flag} AND occurred_at >= $3 AND occurred_at < $4 \
         ORDER BY occurred_at DESC, id LIMIT $5"
    );
    let count = format!(
        "SELECT COUNT(*) FROM interactions WHERE workspace_id = $1 AND account_id = $2 AND {flag} \
         AND occurred_at >= $3 AND occurred_at < $4"
    );
    let rows = with_conn!(conn, |c| sqlx::query_as(&list)
        .bind(workspace)
        .bind(account)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?;
    let n: i64 = with_conn!(conn, |c| sqlx::query_scalar(&count)
        .bind(workspace)
        .bind(account)
        .bind(from)
        .bind(to)
        .fetch_one(&mut **c)
        .await)?;
    Ok((rows, n))
}

/// Survey answers of the period grouped by kind and score.
pub async fn answer_counts(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, i32, i64)>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT kind, score, COUNT(*) FROM survey_answers WHERE workspace_id = $1 AND account_id = $2 \
         AND answered_on >= $3 AND answered_on <= $4 GROUP BY kind, score"
    )
    .bind(workspace)
    .bind(account)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await)?)
}

/// A comment left with an answer.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct VerbatimRow {
    /// Day.
    pub answered_on: NaiveDate,
    /// Kind.
    pub kind: String,
    /// Score.
    pub score: i32,
    /// Comment.
    pub comment: String,
    /// Contact's first name.
    pub first_name: Option<String>,
    /// Contact's last name.
    pub last_name: Option<String>,
}

/// The comments of the period, newest first, at most `limit`.
pub async fn verbatims(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> DbResult<Vec<VerbatimRow>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT s.answered_on, s.kind, s.score, s.comment, p.first_name, p.last_name FROM survey_answers s \
         LEFT JOIN contacts p ON p.id = s.contact_id AND p.workspace_id = s.workspace_id \
         WHERE s.workspace_id = $1 AND s.account_id = $2 AND s.answered_on >= $3 AND s.answered_on <= $4 \
         AND s.comment IS NOT NULL AND s.comment <> '' ORDER BY s.answered_at DESC, s.id LIMIT $5"
    )
    .bind(workspace)
    .bind(account)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&mut **c)
    .await)?)
}

/// A complaint of the period.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ComplaintRow {
    /// Id.
    pub id: Uuid,
    /// Number.
    pub number: i64,
    /// Category code.
    pub category: String,
    /// Summary.
    pub summary: String,
    /// Received.
    pub received_on: NaiveDate,
    /// State code.
    pub state: String,
    /// Resolved.
    pub resolved_on: Option<NaiveDate>,
}

/// The complaints received in the period, newest first.
pub async fn complaints(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<ComplaintRow>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT id, number, category, summary, received_on, state, resolved_on FROM complaints \
         WHERE workspace_id = $1 AND account_id = $2 AND received_on >= $3 AND received_on <= $4 \
         ORDER BY received_on DESC, number DESC"
    )
    .bind(workspace)
    .bind(account)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await)?)
}

/// Revenue of the period in `currency`, excluding tax, net of credit notes, in minor units.
pub async fn revenue_excl(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    let invoiced: i64 = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_excl_minor), 0) AS BIGINT) FROM invoices WHERE workspace_id = $1 \
         AND account_id = $2 AND currency = $3 AND issued_on >= $4 AND issued_on <= $5"
    )
    .bind(workspace)
    .bind(account)
    .bind(currency)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **c)
    .await)?;
    let credited: i64 = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_excl_minor), 0) AS BIGINT) FROM credit_notes WHERE workspace_id = $1 \
         AND account_id = $2 AND currency = $3 AND issued_on >= $4 AND issued_on <= $5"
    )
    .bind(workspace)
    .bind(account)
    .bind(currency)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **c)
    .await)?;
    Ok(invoiced - credited)
}

/// Invoices issued in the period in `currency`: how many.
pub async fn invoices_issued(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM invoices WHERE workspace_id = $1 AND account_id = $2 AND currency = $3 \
         AND issued_on >= $4 AND issued_on <= $5"
    )
    .bind(workspace)
    .bind(account)
    .bind(currency)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **c)
    .await)?)
}
