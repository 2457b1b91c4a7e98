//! Events: what happened to an account, stored in the transaction of the change
//! that caused it, so a subscriber (surveys today, health scores tomorrow) never
//! sees an event whose cause was rolled back.

use crate::{with_conn, Arg, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An event row as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EventRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Event kind code (`delivery`, `meeting`, `invoice_sent`…).
    pub kind: String,
    /// The account it happened to.
    pub account_id: Uuid,
    /// Contacts concerned, comma-separated UUIDs.
    pub contact_ids: String,
    /// What caused it (`interaction`, `manual`…).
    pub source_kind: String,
    /// The causing record.
    pub source_id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, workspace_id, kind, account_id, contact_ids, source_kind, source_id, occurred_at, created_at";

/// Stores an event.
pub async fn insert(conn: &mut Conn<'_>, e: &EventRow) -> DbResult<()> {
    let sql = format!("INSERT INTO events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(e.id)
        .bind(e.workspace_id)
        .bind(&e.kind)
        .bind(e.account_id)
        .bind(&e.contact_ids)
        .bind(&e.source_kind)
        .bind(e.source_id)
        .bind(e.occurred_at)
        .bind(e.created_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores events in as few statements as the engine allows.
pub async fn insert_many(conn: &mut Conn<'_>, rows: &[EventRow]) -> DbResult<()> {
    crate::bulk::insert_values(conn, "events", COLUMNS, rows, |e| {
        vec![
            Arg::Uuid(e.id),
            Arg::Uuid(e.workspace_id),
            Arg::Text(e.kind.clone()),
            Arg::Uuid(e.account_id),
            Arg::Text(e.contact_ids.clone()),
            Arg::Text(e.source_kind.clone()),
            Arg::Uuid(e.source_id),
            Arg::Instant(e.occurred_at),
            Arg::Instant(e.created_at),
        ]
    })
    .await
}

/// Events after `after` in id order (`bilan db copy`).
pub async fn rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<EventRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// `bilan db copy`: this table's rows of a workspace (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, rows_after, insert_many) })
}
