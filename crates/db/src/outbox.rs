//! The outbox: e-mail written in the transaction that decided to send it, claimed
//! by workers (never two on one message), and its delivery or failure recorded.

use crate::{dialect, with_conn, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A message as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// What it is for (`survey_invitation`…).
    pub purpose: String,
    /// The record it is about (an invitation…).
    pub subject_id: Option<Uuid>,
    /// Recipient address.
    pub to_address: String,
    /// Recipient name.
    pub to_name: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text part (emptied once sent: it may hold a link's secret).
    pub body_text: String,
    /// HTML part (emptied once sent).
    pub body_html: String,
    /// `Message-ID`, the same on every attempt.
    pub message_id: String,
    /// Status code (see `bilan_domain::outbox::OutboxStatus`).
    pub status: String,
    /// Not to be sent before.
    pub not_before: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: i32,
    /// The worker holding it.
    pub claimed_by: Option<String>,
    /// Until when that worker holds it.
    pub claimed_until: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, workspace_id, purpose, subject_id, to_address, to_name, subject, body_text, body_html, \
    message_id, status, not_before, attempts, claimed_by, claimed_until, last_error, sent_at, created_at";

/// One message of a workspace.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<OutboxRow>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE workspace_id = $1 AND id = $2");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// The account a survey invitation's message is about, with its name.
pub async fn invitation_account(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    invitation: Uuid,
) -> DbResult<Option<(Uuid, String)>> {
    Ok(with_conn!(conn, |c| {
        sqlx::query_as(
        "SELECT a.id, a.name FROM survey_invitations i JOIN accounts a ON a.workspace_id = i.workspace_id AND a.id = i.account_id \
         WHERE i.workspace_id = $1 AND i.id = $2"
    )
    .bind(workspace)
    .bind(invitation)
    .fetch_optional(&mut **c)
    .await
    })?)
}

/// Queues a message, in the caller's transaction.
pub async fn insert(conn: &mut Conn<'_>, r: &OutboxRow) -> DbResult<()> {
    let sql = format!(
        "INSERT INTO outbox ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    );
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(&r.purpose)
        .bind(r.subject_id)
        .bind(&r.to_address)
        .bind(&r.to_name)
        .bind(&r.subject)
        .bind(&r.body_text)
        .bind(&r.body_html)
        .bind(&r.message_id)
        .bind(&r.status)
        .bind(r.not_before)
        .bind(r.attempts)
        .bind(&r.claimed_by)
        .bind(r.claimed_until)
        .bind(&r.last_error)
        .bind(r.sent_at)
        .bind(r.created_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims up to `limit` due messages for `worker` until `lease_until`, in one
/// statement: pending ones whose time has come, and ones whose previous worker's
/// lease ran out (it died mid-send). Each attempt is counted here.
pub async fn claim(
    conn: &mut Conn<'_>,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<OutboxRow>> {
    let sql = dialect::claim_due(conn.engine(), "outbox", "not_before", "sending", COLUMNS);
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// Records that the SMTP server accepted a message `worker` holds; false when the
/// worker had lost it (its lease ran out and another worker took it).
pub async fn mark_sent(conn: &mut Conn<'_>, id: Uuid, worker: &str, now: DateTime<Utc>) -> DbResult<bool> {
    let n = with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $3, claimed_by = NULL, claimed_until = NULL, last_error = NULL, \
         body_text = '', body_html = '' WHERE id = $1 AND claimed_by = $2 AND status = 'sending'"
    )
    .bind(id)
    .bind(worker)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Records a failed attempt: back to `status` (pending for a retry at `not_before`, or failed).
pub async fn mark_failed(
    conn: &mut Conn<'_>,
    id: Uuid,
    worker: &str,
    status: &str,
    not_before: DateTime<Utc>,
    error: &str,
) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE outbox SET status = $3, not_before = $4, last_error = $5, claimed_by = NULL, claimed_until = NULL \
         WHERE id = $1 AND claimed_by = $2 AND status = 'sending'"
    )
    .bind(id)
    .bind(worker)
    .bind(status)
    .bind(not_before)
    .bind(error)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Puts a failed message back in the queue, to be sent at once.
pub async fn requeue(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE outbox SET status = 'pending', not_before = $3, attempts = 0 \
         WHERE workspace_id = $1 AND id = $2 AND status = 'failed'"
    )
    .bind(workspace)
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The workspace's messages, newest first.
pub async fn list(conn: &mut Conn<'_>, workspace: Uuid, limit: i64) -> DbResult<Vec<OutboxRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM outbox WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// How many of the workspace's messages are in each status.
pub async fn counts(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<(String, i64)>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT status, COUNT(*) FROM outbox WHERE workspace_id = $1 GROUP BY status ORDER BY status"
    )
    .bind(workspace)
    .fetch_all(&mut **c)
    .await)?)
}

crate::table_row! {
    /// A file sent with a queued message.
    pub struct AttachmentRow in "outbox_attachments" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `outbox_id`.
        outbox_id: Uuid => Uuid,
        /// Column `filename`.
        filename: String => Text,
        /// Column `content_type` (`text/calendar; method=REQUEST`, `application/pdf`…).
        content_type: String => Text,
        /// Column `content`.
        content: Vec<u8> => Bytes,
        /// Column `position`.
        position: i32 => I32,
    }
}

/// Stores a message's attachments.
pub async fn insert_attachments(conn: &mut Conn<'_>, rows: &[AttachmentRow]) -> DbResult<()> {
    crate::bulk::insert_rows(conn, rows).await
}

/// The attachments of some messages, by message then position.
pub async fn attachments_of(conn: &mut Conn<'_>, messages: &[Uuid]) -> DbResult<Vec<AttachmentRow>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = crate::SqlBuilder::new(
        "SELECT id, workspace_id, outbox_id, filename, content_type, content, position FROM outbox_attachments WHERE ",
    );
    b.push_in("outbox_id", messages);
    b.push(" ORDER BY outbox_id, position");
    Ok(with_conn!(conn, |c| crate::bind_args!(
        sqlx::query_as(&b.sql),
        &b.args
    )
    .fetch_all(&mut **c)
    .await)?)
}
