//! The background jobs page (admins): what Bilan did on its own, what failed and
//! why, and a button to run a failed job again.

use super::{error_response, render, see_other, FormErrors, Layout};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::jobs::JobView;
use serde::Deserialize;
use uuid::Uuid;

/// The jobs page.
#[derive(Template)]
#[template(path = "jobs/list.html")]
pub struct JobsPage {
    /// Layout.
    pub l: Layout,
    /// Jobs, newest first.
    pub jobs: Vec<JobView>,
    /// Count per status.
    pub counts: Vec<(String, i64)>,
    /// The status shown (empty: all).
    pub status: String,
    /// The statuses to filter on.
    pub statuses: &'static [&'static str],
    /// A filter that could not be read, shown at its field.
    pub errors: FormErrors,
}

/// The page's filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobsFilter {
    /// pending, running, done or failed.
    pub status: Option<String>,
}

/// GET /jobs
pub async fn list_jobs(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(filter): Query<JobsFilter>,
) -> Response {
    let status = filter.status.unwrap_or_default();
    // A status typed into the address that does not exist: every job, and the
    // error at the filter, rather than an error page.
    let (listed, errors) = match bilan_app::jobs::list_jobs(&state.app, &user.actor, Some(&status), 200).await {
        Err(e @ bilan_app::AppError::Validation(_)) => (
            bilan_app::jobs::list_jobs(&state.app, &user.actor, None, 200).await,
            FormErrors::from_error(user.lang, &e),
        ),
        other => (other, FormErrors::none(user.lang)),
    };
    match listed {
        Ok(o) => render(&JobsPage {
            l: Layout::for_user(&user, "users"),
            jobs: o.items,
            counts: o.counts,
            status,
            statuses: &["pending", "running", "done", "failed"],
            errors,
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /jobs/{id}/retry
pub async fn retry_job(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match bilan_app::jobs::retry_job(&state.app, &user.actor, id).await {
        Ok(()) => see_other("/jobs?status=pending"),
        Err(e) => error_response(&user, &headers, &e),
    }
}
