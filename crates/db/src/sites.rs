//! Sites and business units of an account.

use crate::{with_conn, Conn, DbError, DbResult};
use bilan_domain::accounts::{NewSite, Site, SiteKind};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A site row as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SiteRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// City.
    pub city: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, workspace_id, account_id, kind, name, city, country, created_at";

impl SiteRow {
    /// Converts to the domain type.
    pub fn into_site(self) -> DbResult<Site> {
        Ok(Site {
            kind: SiteKind::parse(&self.kind).ok_or_else(|| DbError::Corrupt(format!("sites.kind of {}", self.id)))?,
            id: self.id,
            account_id: self.account_id,
            name: self.name,
            city: self.city,
            country: self.country,
        })
    }
}

/// Inserts a site row as given.
pub async fn insert_row(conn: &mut Conn<'_>, r: &SiteRow) -> DbResult<()> {
    let sql = format!("INSERT INTO sites ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(r.account_id)
        .bind(&r.kind)
        .bind(&r.name)
        .bind(&r.city)
        .bind(&r.country)
        .bind(r.created_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds a site to an account.
pub async fn insert(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    s: &NewSite,
    now: DateTime<Utc>,
) -> DbResult<Site> {
    let row = SiteRow {
        id: crate::new_id(),
        workspace_id: workspace,
        account_id: account,
        kind: s.kind.code().to_owned(),
        name: s.name.clone(),
        city: s.city.clone(),
        country: s.country.clone(),
        created_at: now,
    };
    insert_row(conn, &row).await?;
    row.into_site()
}

/// An account's sites, by name.
pub async fn list_for_account(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Vec<Site>> {
    let sql = format!("SELECT {COLUMNS} FROM sites WHERE workspace_id = $1 AND account_id = $2 ORDER BY name, id");
    let rows: Vec<SiteRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(account)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(SiteRow::into_site).collect()
}

/// Finds a site of a workspace.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Site>> {
    let sql = format!("SELECT {COLUMNS} FROM sites WHERE workspace_id = $1 AND id = $2");
    let row: Option<SiteRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(SiteRow::into_site).transpose()
}

/// Deletes a site of an account.
pub async fn delete(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid, id: Uuid) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM sites WHERE workspace_id = $1 AND account_id = $2 AND id = $3"
    )
    .bind(workspace)
    .bind(account)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Every site row of a workspace (for copying).
pub async fn rows_for_workspace(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<SiteRow>> {
    let sql = format!("SELECT {COLUMNS} FROM sites WHERE workspace_id = $1 ORDER BY id");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .fetch_all(&mut **c)
        .await)?)
}

/// `bilan db copy`: this table's rows of a workspace (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let rows = rows_for_workspace(s, ws).await?;
        for r in &rows {
            insert_row(t, r).await?;
        }
        Ok(rows.len())
    })
}
