//! `bilan db copy`: moves one workspace, complete, from one database to another,
//! table by table in the order of the registry ([`crate::tables`]).

use crate::tables::{Copied, WORKSPACE_TABLES};
use crate::{workspaces, Db, DbError, DbResult};
use std::collections::BTreeMap;

/// What a copy moved: rows per table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Rows copied, by table name (tables copied with their parent are counted there).
    pub rows: BTreeMap<&'static str, usize>,
}

impl CopyReport {
    /// Rows copied of `table`.
    pub fn of(&self, table: &str) -> usize {
        self.rows.get(table).copied().unwrap_or(0)
    }

    /// One line for people: `users 3, accounts 2,000, …` (tables with rows only).
    pub fn summary(&self) -> String {
        self.rows
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Copies the workspace named `name` from `from` into `to` in one transaction on
/// the target: it lands whole or not at all. Rows keep their ids and timestamps.
pub async fn copy_workspace(from: &Db, to: &Db, name: &str) -> DbResult<CopyReport> {
    let mut src = from.acquire().await?;
    let mut s = src.conn();
    let ws = workspaces::find_by_name(&mut s, name)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("no workspace named {name:?} in the source")))?;
    let mut tx = to.begin().await?;
    let mut t = tx.conn();
    if workspaces::find_by_name(&mut t, name).await?.is_some() {
        return Err(DbError::Conflict(format!(
            "workspace {name:?} already exists in the target"
        )));
    }
    workspaces::insert(&mut t, &ws).await?;
    let mut report = CopyReport::default();
    for table in WORKSPACE_TABLES {
        if let Copied::Rows(copy) = table.copied {
            let n = copy(&mut s, &mut t, ws.id).await?;
            report.rows.insert(table.name, n);
        }
    }
    tx.commit().await?;
    Ok(report)
}
