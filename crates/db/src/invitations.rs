//! Invitations to join a workspace: a single-use, expiring link per colleague.

use crate::{with_conn, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InvitationRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// The colleague invited.
    pub user_id: Uuid,
    /// SHA-256 of the link's secret.
    pub token_hash: String,
    /// Until when the link works.
    pub expires_at: DateTime<Utc>,
    /// When it was used (it works once).
    pub used_at: Option<DateTime<Utc>>,
    /// Who invited.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, workspace_id, user_id, token_hash, expires_at, used_at, created_by, created_at";

/// Stores an invitation.
pub async fn insert(conn: &mut Conn<'_>, r: &InvitationRow) -> DbResult<()> {
    let sql = format!("INSERT INTO user_invitations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(r.user_id)
        .bind(&r.token_hash)
        .bind(r.expires_at)
        .bind(r.used_at)
        .bind(r.created_by)
        .bind(r.created_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The invitation a link's secret stands for (any workspace: the link is all the visitor has).
pub async fn find_by_token_hash(conn: &mut Conn<'_>, hash: &str) -> DbResult<Option<InvitationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM user_invitations WHERE token_hash = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(hash)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Marks an invitation used; false when it already was (two clicks racing: one wins).
pub async fn mark_used(conn: &mut Conn<'_>, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE user_invitations SET used_at = $2 WHERE id = $1 AND used_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The users of a workspace with an invitation still open at `now`.
pub async fn pending_users(conn: &mut Conn<'_>, workspace: Uuid, now: DateTime<Utc>) -> DbResult<Vec<Uuid>> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM user_invitations WHERE workspace_id = $1 AND used_at IS NULL AND expires_at > $2"
    )
    .bind(workspace)
    .bind(now)
    .fetch_all(&mut **c)
    .await)?)
}
