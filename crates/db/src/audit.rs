//! The audit trail's storage: append-only rows, read newest first per record or per user.

use crate::{bind_args, with_conn, Arg, Conn, DbResult, SqlBuilder};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuditRow {
    /// Identifier (UUIDv7, so id order is time order).
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who; `None` for the command line and background jobs.
    pub user_id: Option<Uuid>,
    /// create, update or delete.
    pub action: String,
    /// Kind of record (account, site, contact, user, token…).
    pub entity: String,
    /// The record.
    pub entity_id: Uuid,
    /// The record before, as JSON.
    pub before_json: Option<String>,
    /// The record after, as JSON.
    pub after_json: Option<String>,
}

const COLUMNS: &str = "id, workspace_id, at, user_id, action, entity, entity_id, before_json, after_json";

/// Appends entries (many per statement for imports).
pub async fn insert_rows(conn: &mut Conn<'_>, rows: &[AuditRow]) -> DbResult<()> {
    crate::bulk::insert_values(conn, "audit_log", COLUMNS, rows, |r| {
        vec![
            Arg::Uuid(r.id),
            Arg::Uuid(r.workspace_id),
            Arg::Instant(r.at),
            Arg::OptUuid(r.user_id),
            Arg::Text(r.action.clone()),
            Arg::Text(r.entity.clone()),
            Arg::Uuid(r.entity_id),
            Arg::OptText(r.before_json.clone()),
            Arg::OptText(r.after_json.clone()),
        ]
    })
    .await
}

/// Which entries to list.
#[derive(Debug, Clone, Copy)]
pub enum AuditScope {
    /// Every entry about one record.
    Record(Uuid),
    /// Every entry written by one user.
    User(Uuid),
}

/// Entries of a scope, newest first, `limit` at a time before the entry `before`.
pub async fn list(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    scope: AuditScope,
    before: Option<Uuid>,
    limit: u32,
) -> DbResult<Vec<AuditRow>> {
    let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM audit_log WHERE workspace_id = "));
    b.bind(Arg::Uuid(workspace));
    match scope {
        AuditScope::Record(id) => b.push(" AND entity_id = ").bind(Arg::Uuid(id)),
        AuditScope::User(id) => b.push(" AND user_id = ").bind(Arg::Uuid(id)),
    };
    if let Some(cursor) = before {
        b.push(" AND id < ").bind(Arg::Uuid(cursor));
    }
    b.push(" ORDER BY id DESC LIMIT ").bind(Arg::I64(i64::from(limit)));
    let (sql, args) = (b.sql, b.args);
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Every entry of a workspace in id order, a batch at a time (for copying).
pub async fn rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<AuditRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// Deletes entries older than `cutoff` (the retention policy); returns how many.
pub async fn purge_before(conn: &mut Conn<'_>, cutoff: DateTime<Utc>) -> DbResult<u64> {
    Ok(with_conn!(conn, |c| sqlx::query(
        "DELETE FROM audit_log WHERE at < $1"
    )
    .bind(cutoff)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// `bilan db copy`: this table's rows of a workspace (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, rows_after, insert_rows) })
}
