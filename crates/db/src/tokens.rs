//! API tokens: shown once at creation, stored as a SHA-256 hash.

use crate::{with_conn, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An API token as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TokenRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// The user the token acts as.
    pub user_id: Uuid,
    /// Label chosen by the user.
    pub name: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revocation instant.
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, workspace_id, user_id, name, token_hash, created_at, last_used_at, revoked_at";

/// Stores a token.
pub async fn insert(conn: &mut Conn<'_>, t: &TokenRow) -> DbResult<()> {
    let sql = format!("INSERT INTO api_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(t.id)
        .bind(t.workspace_id)
        .bind(t.user_id)
        .bind(&t.name)
        .bind(&t.token_hash)
        .bind(t.created_at)
        .bind(t.last_used_at)
        .bind(t.revoked_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Finds a live (not revoked) token by hash.
pub async fn find_live_by_hash(conn: &mut Conn<'_>, hash: &str) -> DbResult<Option<TokenRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(hash)
        .fetch_optional(&mut **c)
        .await)?)
}

/// A user's tokens, newest first.
pub async fn list_for_user(conn: &mut Conn<'_>, workspace: Uuid, user: Uuid) -> DbResult<Vec<TokenRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE workspace_id = $1 AND user_id = $2 ORDER BY id DESC");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(user)
        .fetch_all(&mut **c)
        .await)?)
}

/// Every token of a workspace (for copying).
pub async fn list_for_workspace(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<TokenRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE workspace_id = $1 ORDER BY id");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .fetch_all(&mut **c)
        .await)?)
}

/// Revokes a token of a user (or of anyone in the workspace when `user` is None).
pub async fn revoke(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    user: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let n = with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE api_tokens SET revoked_at = $4 WHERE workspace_id = $1 AND id = $2 AND ($3 IS NULL OR user_id = $3) AND revoked_at IS NULL"
    )
    .bind(workspace)
    .bind(id)
    .bind(user)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Notes when a token was last used (at most once a minute, by the caller).
pub async fn touch(conn: &mut Conn<'_>, id: Uuid, now: DateTime<Utc>) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// `bilan db copy`: this table's rows of a workspace (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let rows = list_for_workspace(s, ws).await?;
        for r in &rows {
            insert(t, r).await?;
        }
        Ok(rows.len())
    })
}
