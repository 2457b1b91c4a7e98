//! Workspaces: one per supplier company; every other row belongs to one.

use crate::{with_conn, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A workspace as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WorkspaceRow {
    /// Identifier.
    pub id: Uuid,
    /// Unique name (the supplier company).
    pub name: String,
    /// IANA time zone used to show instants.
    pub timezone: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, timezone, created_at";

/// Inserts a workspace row as given.
pub async fn insert(conn: &mut Conn<'_>, row: &WorkspaceRow) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "INSERT INTO workspaces (id, name, timezone, created_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(row.id)
    .bind(&row.name)
    .bind(&row.timezone)
    .bind(row.created_at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Finds a workspace by its exact name.
pub async fn find_by_name(conn: &mut Conn<'_>, name: &str) -> DbResult<Option<WorkspaceRow>> {
    let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE name = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(name)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Finds a workspace by id.
pub async fn find(conn: &mut Conn<'_>, id: Uuid) -> DbResult<Option<WorkspaceRow>> {
    let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Every workspace, by name.
pub async fn list(conn: &mut Conn<'_>) -> DbResult<Vec<WorkspaceRow>> {
    let sql = format!("SELECT {COLUMNS} FROM workspaces ORDER BY name");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql).fetch_all(&mut **c).await)?)
}

/// Marks the workspace's satisfaction figures as changed (an answer, an invitation,
/// a setting), in the writer's transaction: every server's cached dashboards compare
/// [`satisfaction_generation`] before serving one.
pub async fn touch_satisfaction(conn: &mut Conn<'_>, id: Uuid) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE workspaces SET satisfaction_generation = satisfaction_generation + 1 WHERE id = $1"
    )
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many times the workspace's satisfaction figures changed (see [`touch_satisfaction`]).
pub async fn satisfaction_generation(conn: &mut Conn<'_>, id: Uuid) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT satisfaction_generation FROM workspaces WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut **c)
    .await)?
    .unwrap_or(0))
}
