//! Background jobs: everything deferred or periodic, in one table and one worker
//! loop. A capability defines a job as a type implementing [`JobKind`], registers
//! it in [`registry::JOBS`] (and, if it recurs, in [`registry::SCHEDULES`]), and
//! enqueues it through the unit of work, in the transaction that decided it.
//!
//! Jobs run at least once: a worker that dies mid-job leaves it claimed, and
//! another takes it over when the lease runs out. Handlers are written to be
//! repeatable (a purge, a recompute, a reminder that checks it was not sent).

pub mod registry;
pub mod worker;

use crate::{Actor, App, AppError, AppResult};
use bilan_db::jobs::{self as store, JobRow};
use bilan_domain::jobs::JobStatus;
use bilan_domain::roles::Permission;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

pub use worker::{run_pending, run_worker, JobReport};

/// A kind of job: its stable name and what running it does.
pub trait JobKind: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stable name, stored with each job (`purge_sessions`).
    const KIND: &'static str;

    /// Does the work. An error is retried with backoff, then shown to admins.
    fn run(self, app: &App, job: &JobContext) -> impl Future<Output = AppResult<()>> + Send;
}

/// What a running job knows about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobContext {
    /// The job's id.
    pub id: Uuid,
    /// Its workspace (`None`: the whole installation).
    pub workspace_id: Option<Uuid>,
    /// This attempt's number, from 1.
    pub attempt: i32,
}

/// A future a registered job returns.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = AppResult<()>> + Send + 'a>>;

/// A job kind as the worker finds it: its name and how to run a stored payload.
#[derive(Clone, Copy)]
pub struct Registered {
    /// The kind's name.
    pub kind: &'static str,
    run: for<'a> fn(&'a App, &'a JobContext, &'a str) -> JobFuture<'a>,
}

impl Registered {
    /// Registers `J`.
    pub const fn of<J: JobKind>() -> Registered {
        Registered {
            kind: J::KIND,
            run: run_payload::<J>,
        }
    }
}

fn run_payload<'a, J: JobKind>(app: &'a App, job: &'a JobContext, payload: &'a str) -> JobFuture<'a> {
    Box::pin(async move {
        let parsed: J = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("the payload of a {} job cannot be read: {e}", J::KIND)))?;
        parsed.run(app, job).await
    })
}

/// The registered kind named `kind`.
pub fn find_kind(kind: &str) -> Option<&'static Registered> {
    registry::JOBS.iter().find(|r| r.kind == kind)
}

/// A pending job row for `workspace` (or the installation) to run at `when`.
pub(crate) fn new_row<J: JobKind>(
    workspace: Option<Uuid>,
    job: &J,
    when: DateTime<Utc>,
    unique_key: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<JobRow> {
    debug_assert!(find_kind(J::KIND).is_some(), "job kind {} is not registered", J::KIND);
    let payload = serde_json::to_string(job)
        .map_err(|e| AppError::Internal(format!("a {} job cannot be written: {e}", J::KIND)))?;
    Ok(JobRow {
        id: bilan_db::new_id(),
        workspace_id: workspace,
        kind: J::KIND.to_owned(),
        payload,
        status: JobStatus::Pending.code().to_owned(),
        run_at: when,
        attempts: 0,
        unique_key,
        claimed_by: None,
        claimed_until: None,
        last_error: None,
        created_at: now,
        finished_at: None,
    })
}

/// Jobs and their counts by status, as the jobs page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct JobsOverview {
    /// Jobs, newest first.
    pub items: Vec<JobView>,
    /// How many jobs are in each status.
    pub counts: Vec<(String, i64)>,
}

/// One job as people read it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobView {
    /// Identifier.
    pub id: Uuid,
    /// Workspace (`None`: the whole installation).
    pub workspace_id: Option<Uuid>,
    /// What it does.
    pub kind: String,
    /// `pending`, `running`, `done` or `failed`.
    pub status: String,
    /// When it is (or was) to run.
    pub run_at: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Finished (done or given up).
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<JobRow> for JobView {
    fn from(r: JobRow) -> Self {
        JobView {
            id: r.id,
            workspace_id: r.workspace_id,
            kind: r.kind,
            status: r.status,
            run_at: r.run_at,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

/// Reads an optional status filter; an unknown status names the field.
fn parse_status(status: Option<&str>) -> AppResult<Option<JobStatus>> {
    match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => JobStatus::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::field("status", "job_status.invalid")),
    }
}

/// The workspace's jobs and the installation's own (purges, retention), newest
/// first, optionally in one status (admins).
pub async fn list_jobs(app: &App, actor: &Actor, status: Option<&str>, limit: u32) -> AppResult<JobsOverview> {
    actor.require(Permission::ManageJobs)?;
    let status = parse_status(status)?;
    overview(app, Some(actor.workspace_id), status, limit).await
}

/// Every job of the installation (the operator, at the command line).
pub async fn list_all_jobs(app: &App, status: Option<&str>, limit: u32) -> AppResult<JobsOverview> {
    let status = parse_status(status)?;
    overview(app, None, status, limit).await
}

async fn overview(
    app: &App,
    workspace: Option<Uuid>,
    status: Option<JobStatus>,
    limit: u32,
) -> AppResult<JobsOverview> {
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let rows = store::list(
        &mut c,
        workspace,
        status.map(JobStatus::code),
        i64::from(limit.clamp(1, 500)),
    )
    .await?;
    let counts = store::counts(&mut c, workspace).await?;
    Ok(JobsOverview {
        items: rows.into_iter().map(JobView::from).collect(),
        counts,
    })
}

/// Puts a failed job of the workspace or of the installation back in the queue,
/// to run at once (admins).
pub async fn retry_job(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::ManageJobs).await?;
    let now = w.now();
    if !store::requeue(&mut w.conn(), Some(actor.workspace_id), id, now).await? {
        // Unknown in this workspace, or not failed: either way nothing to retry.
        return Err(AppError::NotFound);
    }
    w.audit_entry(
        bilan_domain::audit::AuditAction::Update,
        "job",
        id,
        Some(&serde_json::json!({ "status": "failed" })),
        Some(&serde_json::json!({ "status": "pending" })),
    );
    w.commit().await?;
    Ok(())
}

/// Puts any failed job back in the queue (the operator, at the command line).
pub async fn retry_any_job(app: &App, id: Uuid) -> AppResult<()> {
    let job = {
        let mut pc = app.db.acquire().await?;
        store::find(&mut pc.conn(), id).await?.ok_or(AppError::NotFound)?
    };
    // A workspace's job is audited in its workspace (by the command line); the
    // installation's own belong to no workspace's trail.
    match job.workspace_id {
        Some(ws) => {
            let mut w = app.write_unchecked(ws, None).await?;
            let now = w.now();
            if !store::requeue(&mut w.conn(), None, id, now).await? {
                return Err(AppError::NotFound);
            }
            w.audit_entry(
                bilan_domain::audit::AuditAction::Update,
                "job",
                id,
                Some(&serde_json::json!({ "status": "failed" })),
                Some(&serde_json::json!({ "status": "pending" })),
            );
            w.commit().await?;
        }
        None => {
            let mut tx = app.db.begin().await?;
            if !store::requeue(&mut tx.conn(), None, id, app.now()).await? {
                return Err(AppError::NotFound);
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Deletes finished jobs after 30 days (a recurring slot's after a year: its
/// unique key is what keeps the slot from running twice).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct PurgeFinishedJobs {}

impl JobKind for PurgeFinishedJobs {
    const KIND: &'static str = "purge_finished_jobs";

    async fn run(self, app: &App, _job: &JobContext) -> AppResult<()> {
        let now = app.now();
        let mut tx = app.db.begin().await?;
        let n = store::purge_finished(
            &mut tx.conn(),
            now - chrono::Duration::days(30),
            now - chrono::Duration::days(400),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(jobs.purged = n, "purged finished jobs");
        Ok(())
    }
}
