//! The audit trail: every create, update and delete is recorded through the
//! unit of work of the change (so a rolled-back change leaves no entry, see
//! [`crate::unit_of_work`]), and admins and managers read it per record or per user.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::audit;

pub use bilan_db::audit::AuditScope;
use bilan_domain::audit::{diff, FieldChange};
use bilan_domain::roles::Permission;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// An entry as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// Entry id (also the cursor).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`None`: command line or background job).
    pub user_id: Option<Uuid>,
    /// Their name at reading time.
    pub user_name: Option<String>,
    /// What happened.
    pub action: String,
    /// Kind of record.
    pub entity: String,
    /// The record.
    pub entity_id: Uuid,
    /// Fields that changed.
    pub changes: Vec<FieldChange>,
}

/// A page of entries, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    /// Entries.
    pub items: Vec<AuditEntry>,
    /// Cursor of the next (older) page.
    pub next_cursor: Option<String>,
}

/// Entries about one record (`Record`) or by one user (`User`).
pub async fn history(
    app: &App,
    actor: &Actor,
    scope: AuditScope,
    cursor: Option<&str>,
    limit: u32,
) -> AppResult<AuditPage> {
    actor.require(Permission::ReadAudit)?;
    let before = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(Uuid::parse_str(c).map_err(|_| AppError::field("cursor", "cursor.invalid"))?),
        None => None,
    };
    let limit = limit.clamp(1, 200);
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let rows = audit::list(&mut c, actor.workspace_id, scope, before, limit + 1).await?;
    let users = bilan_db::users::list(&mut c, actor.workspace_id).await?;
    let mut items: Vec<AuditEntry> = rows
        .into_iter()
        .map(|r| {
            let parse = |j: &Option<String>| j.as_deref().and_then(|s| serde_json::from_str(s).ok());
            let (b, a): (Option<serde_json::Value>, Option<serde_json::Value>) =
                (parse(&r.before_json), parse(&r.after_json));
            AuditEntry {
                id: r.id,
                at: r.at,
                user_id: r.user_id,
                user_name: r
                    .user_id
                    .and_then(|u| users.iter().find(|x| x.id == u).map(|x| x.display_name.clone())),
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                changes: diff(b.as_ref(), a.as_ref()),
            }
        })
        .collect();
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(AuditPage { items, next_cursor })
}

/// Applies the retention policy: entries older than `days` are deleted.
pub async fn purge(app: &App, days: i64) -> AppResult<u64> {
    let cutoff = app.now() - chrono::Duration::days(days.max(1));
    let mut tx = app.db.begin().await?;
    let n = audit::purge_before(&mut tx.conn(), cutoff).await?;
    tx.commit().await?;
    Ok(n)
}

/// The nightly job that applies the retention period of the settings
/// (`BILAN_AUDIT_RETENTION_DAYS`).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct ApplyAuditRetention {}

impl crate::jobs::JobKind for ApplyAuditRetention {
    const KIND: &'static str = "apply_audit_retention";

    async fn run(self, app: &App, _job: &crate::jobs::JobContext) -> AppResult<()> {
        let n = purge(app, app.config.audit_retention_days).await?;
        tracing::info!(audit.purged = n, "applied the audit retention period");
        Ok(())
    }
}
