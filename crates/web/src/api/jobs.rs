//! Background jobs through the API: what ran, what failed and why; retry a failed one (admins).

use super::problem::{ApiResult, Problem};
use super::{parse_id, ApiQuery};
use crate::session::ApiActor;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobResponse {
    /// Identifier.
    pub id: String,
    /// What it does (`purge_sessions`, `apply_audit_retention`…).
    pub kind: String,
    /// pending, running, done or failed.
    pub status: String,
    /// When it is (or was) due, UTC.
    pub run_at: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Created, UTC.
    pub created_at: String,
    /// Finished (done or given up), UTC.
    pub finished_at: Option<String>,
}

/// The workspace's jobs, newest first, and the count per status.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobsResponse {
    /// Count per status.
    pub counts: std::collections::BTreeMap<String, i64>,
    /// Jobs, newest first.
    pub items: Vec<JobResponse>,
}

/// Filters of the job list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobsQuery {
    /// pending, running, done or failed.
    pub status: Option<String>,
    /// How many (1–500, default 100).
    pub limit: Option<u32>,
}

/// Lists the workspace's background jobs, failed ones with their error.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    params(
        ("status" = Option<String>, Query, description = "pending, running, done or failed"),
        ("limit" = Option<u32>, Query, description = "How many, 1 to 500 (default 100)"),
    ),
    responses((status = 200, body = JobsResponse), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_jobs"))))]
pub async fn list_jobs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<JobsQuery>,
) -> ApiResult<Json<JobsResponse>> {
    let o = bilan_app::jobs::list_jobs(&state.app, &actor, q.status.as_deref(), q.limit.unwrap_or(100)).await?;
    Ok(Json(JobsResponse {
        counts: o.counts.into_iter().collect(),
        items: o
            .items
            .into_iter()
            .map(|j| JobResponse {
                id: j.id.to_string(),
                kind: j.kind,
                status: j.status,
                run_at: j.run_at.to_rfc3339(),
                attempts: j.attempts,
                last_error: j.last_error,
                created_at: j.created_at.to_rfc3339(),
                finished_at: j.finished_at.map(|t| t.to_rfc3339()),
            })
            .collect(),
    }))
}

/// Puts a failed job back in the queue, to run at once.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses((status = 204), (status = 404, body = Problem), (status = 403, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_jobs"))))]
pub async fn retry_job(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    bilan_app::jobs::retry_job(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs))
        .routes(routes!(retry_job))
}
