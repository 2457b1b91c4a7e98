//! Browser sessions and login throttling, kept in the database so any number of
//! server processes can share them.

use crate::{with_conn, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A session as stored; `id` is the SHA-256 of the cookie value, never the value.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SessionRow {
    /// Hash of the session cookie.
    pub id: String,
    /// Workspace.
    pub workspace_id: Uuid,
    /// User.
    pub user_id: Uuid,
    /// Per-session CSRF token embedded in forms.
    pub csrf_token: String,
    /// Login instant.
    pub created_at: DateTime<Utc>,
    /// Last request instant (idle expiry counts from here).
    pub last_seen_at: DateTime<Utc>,
    /// Absolute expiry.
    pub expires_at: DateTime<Utc>,
    /// Browser, as it said.
    pub user_agent: Option<String>,
    /// Client address.
    pub ip: Option<String>,
}

const COLUMNS: &str = "id, workspace_id, user_id, csrf_token, created_at, last_seen_at, expires_at, user_agent, ip";

/// Stores a new session.
pub async fn insert(conn: &mut Conn<'_>, s: &SessionRow) -> DbResult<()> {
    let sql = format!("INSERT INTO sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(&s.id)
        .bind(s.workspace_id)
        .bind(s.user_id)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(&s.user_agent)
        .bind(&s.ip)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Finds a session by the hash of its cookie.
pub async fn find(conn: &mut Conn<'_>, id: &str) -> DbResult<Option<SessionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE id = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Records activity on a session.
pub async fn touch(conn: &mut Conn<'_>, id: &str, now: DateTime<Utc>) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE sessions SET last_seen_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes one session (logout).
pub async fn delete(conn: &mut Conn<'_>, id: &str) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A user's sessions, newest first.
pub async fn list_for_user(conn: &mut Conn<'_>, workspace: Uuid, user: Uuid) -> DbResult<Vec<SessionRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM sessions WHERE workspace_id = $1 AND user_id = $2 ORDER BY created_at DESC");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(user)
        .fetch_all(&mut **c)
        .await)?)
}

/// Revokes one of a user's own sessions; false when it is not theirs.
pub async fn delete_for_user(conn: &mut Conn<'_>, workspace: Uuid, user: Uuid, id: &str) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2 AND id = $3"
    )
    .bind(workspace)
    .bind(user)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Ends every session of a user (disabled user, password change).
pub async fn delete_all_for_user(conn: &mut Conn<'_>, workspace: Uuid, user: Uuid) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2"
    )
    .bind(workspace)
    .bind(user)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes expired sessions and old login failures.
pub async fn purge(conn: &mut Conn<'_>, now: DateTime<Utc>, failures_before: DateTime<Utc>) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    with_conn!(conn, |c| sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(failures_before)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed login for a scope (`email` or `ip`) and key.
pub async fn record_login_failure(conn: &mut Conn<'_>, scope: &str, key: &str, now: DateTime<Utc>) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "INSERT INTO login_failures (scope, key, at) VALUES ($1, $2, $3)"
    )
    .bind(scope)
    .bind(key)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Failed logins for a scope and key since an instant: how many, and the latest.
pub async fn login_failures(
    conn: &mut Conn<'_>,
    scope: &str,
    key: &str,
    since: DateTime<Utc>,
) -> DbResult<(i64, Option<DateTime<Utc>>)> {
    let count: i64 = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_failures WHERE scope = $1 AND key = $2 AND at >= $3"
    )
    .bind(scope)
    .bind(key)
    .bind(since)
    .fetch_one(&mut **c)
    .await)?;
    if count == 0 {
        return Ok((0, None));
    }
    let last: Option<DateTime<Utc>> = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT at FROM login_failures WHERE scope = $1 AND key = $2 ORDER BY at DESC LIMIT 1"
    )
    .bind(scope)
    .bind(key)
    .fetch_optional(&mut **c)
    .await)?;
    Ok((count, last))
}

/// Forgets failures after a successful login.
pub async fn clear_login_failures(conn: &mut Conn<'_>, scope: &str, key: &str) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "DELETE FROM login_failures WHERE scope = $1 AND key = $2"
    )
    .bind(scope)
    .bind(key)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
