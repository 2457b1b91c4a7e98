//! `/api/v1/audit`: the audit trail of a record or of a user.

use super::problem::{ApiResult, Problem};
use super::{parse_id, ApiQuery};
use crate::session::ApiActor;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use bilan_app::audit as uc;
use bilan_app::audit::AuditScope;
use bilan_app::AppError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One changed field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeResponse {
    /// Field name.
    pub field: String,
    /// Value before (JSON).
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    /// Value after (JSON).
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// Entry id.
    pub id: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who; null for the command line.
    pub user_id: Option<String>,
    /// create, update or delete.
    pub action: String,
    /// account, site, contact, user or token.
    pub entity: String,
    /// The record.
    pub entity_id: String,
    /// What changed.
    pub changes: Vec<FieldChangeResponse>,
}

/// A page of entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// Entries.
    pub items: Vec<AuditEntryResponse>,
    /// Cursor of older entries.
    pub next_cursor: Option<String>,
}

/// Which history to read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    record: Option<String>,
    user: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

/// The audit trail of one record (`record=ID`) or one user (`user=ID`), newest first (admins and managers).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("record" = Option<String>, Query, description = "Record id"), ("user" = Option<String>, Query, description = "User id"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"), ("limit" = Option<u32>, Query, description = "1 to 200")),
    responses((status = 200, body = AuditList), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_audit"))))]
pub async fn list_audit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditList>> {
    let scope = match (q.record.as_deref(), q.user.as_deref()) {
        (Some(r), None) => AuditScope::Record(parse_id(r)?),
        (None, Some(u)) => AuditScope::User(parse_id(u)?),
        _ => return Err(AppError::field("record", "audit.scope").into()),
    };
    let page = uc::history(&state.app, &actor, scope, q.cursor.as_deref(), q.limit.unwrap_or(50)).await?;
    Ok(Json(AuditList {
        items: page
            .items
            .into_iter()
            .map(|e| AuditEntryResponse {
                id: e.id.to_string(),
                at: e.at.to_rfc3339(),
                user_id: e.user_id.map(|u| u.to_string()),
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id.to_string(),
                changes: e
                    .changes
                    .into_iter()
                    .map(|c| FieldChangeResponse {
                        field: c.field,
                        before: c.before,
                        after: c.after,
                    })
                    .collect(),
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}
