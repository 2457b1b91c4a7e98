//! Users of a workspace: identity, role, password hash, preferred language.

use crate::{with_conn, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Login e-mail, lower case, unique across the installation.
    pub email: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role code (see `bilan_domain::roles::Role`).
    pub role: String,
    /// Argon2id PHC string; `None` for a user who cannot log in with a password.
    pub password_hash: Option<String>,
    /// Preferred interface language code.
    pub language: Option<String>,
    /// When the user was disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last update instant.
    pub updated_at: DateTime<Utc>,
    /// When the user last signed in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Bumped by every change an admin makes (optimistic concurrency).
    pub version: i64,
}

const COLUMNS: &str = "id, workspace_id, email, display_name, role, password_hash, language, disabled_at, created_at, \
    updated_at, last_login_at, version";

/// Inserts a user row as given.
pub async fn insert(conn: &mut Conn<'_>, u: &UserRow) -> DbResult<()> {
    let sql = format!("INSERT INTO users ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(u.id)
        .bind(u.workspace_id)
        .bind(&u.email)
        .bind(&u.display_name)
        .bind(&u.role)
        .bind(&u.password_hash)
        .bind(&u.language)
        .bind(u.disabled_at)
        .bind(u.created_at)
        .bind(u.updated_at)
        .bind(u.last_login_at)
        .bind(u.version)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Finds a user by login e-mail, whatever the workspace (login only).
pub async fn find_by_email(conn: &mut Conn<'_>, email: &str) -> DbResult<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(email)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Finds a user of a workspace.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE workspace_id = $1 AND id = $2");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Every user of a workspace, by name.
pub async fn list(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE workspace_id = $1 ORDER BY display_name, id");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .fetch_all(&mut **c)
        .await)?)
}

/// Changes role, display name and disabled state; false when no such user or its
/// version is no longer the one expected.
pub async fn update_admin_fields(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    change: &AdminChange<'_>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let r = with_conn!(conn, |c| {
        sqlx::query(
            "UPDATE users SET display_name = $3, role = $4, disabled_at = $5, updated_at = $6, version = version + 1 \
         WHERE workspace_id = $1 AND id = $2 AND ($7 IS NULL OR version = $7)",
        )
        .bind(workspace)
        .bind(id)
        .bind(change.display_name)
        .bind(change.role)
        .bind(change.disabled_at)
        .bind(now)
        .bind(change.expected_version)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(r == 1)
}

/// What an admin changes on a user.
#[derive(Debug, Clone)]
pub struct AdminChange<'a> {
    /// Name shown.
    pub display_name: &'a str,
    /// Role code.
    pub role: &'a str,
    /// Disabled since, or enabled.
    pub disabled_at: Option<DateTime<Utc>>,
    /// The version the admin read; `None` only at the command line.
    pub expected_version: Option<i64>,
}

/// Stores a user's preferred language.
pub async fn set_language(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid, language: &str) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE users SET language = $3 WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .bind(language)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces a user's password hash.
pub async fn set_password_hash(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE users SET password_hash = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .bind(hash)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a successful sign-in.
pub async fn touch_login(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid, now: DateTime<Utc>) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE users SET last_login_at = $3 WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Number of enabled admins of a workspace (the last one may not be demoted).
pub async fn count_active_admins(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE workspace_id = $1 AND role = 'admin' AND disabled_at IS NULL"
    )
    .bind(workspace)
    .fetch_one(&mut **c)
    .await)?)
}

/// `bilan db copy`: this table's rows of a workspace (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let rows = list(s, ws).await?;
        for u in &rows {
            insert(t, u).await?;
        }
        Ok(rows.len())
    })
}
