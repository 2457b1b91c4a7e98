//! The one worker loop: each pass enqueues the recurring schedules' due slots,
//! runs due jobs, and sends due e-mail from the outbox.

use super::registry::{Scope, SCHEDULES};
use super::{find_kind, JobContext};
use crate::outbox::Mailer;
use crate::{App, AppResult};
use bilan_db::jobs::{self as store, JobRow};
use bilan_domain::jobs::{retry_at, slot_key, JobStatus};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::time::Instant;
use uuid::Uuid;

/// How long a worker holds a claimed job before another may take it over.
const LEASE: Duration = Duration::minutes(10);

/// What one pass of a worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Jobs that finished.
    pub done: usize,
    /// Jobs that failed and will be tried again.
    pub retried: usize,
    /// Jobs given up (shown to admins).
    pub failed: usize,
}

impl JobReport {
    /// Jobs handled.
    pub fn handled(&self) -> usize {
        self.done + self.retried + self.failed
    }
}

/// The slots a worker already enqueued, so an idle pass writes nothing.
#[derive(Debug, Default)]
pub struct SlotMemory(HashMap<String, DateTime<Utc>>);

/// Enqueues the latest slot of every schedule that this worker has not enqueued
/// yet. Each slot's job has a unique key, so workers racing for a slot, or one
/// catching up after downtime, insert it once; missed slots coalesce into the
/// latest. Returns the jobs that were new.
pub async fn enqueue_due_slots(app: &App, memory: &mut SlotMemory) -> AppResult<usize> {
    let now = app.now();
    let workspaces: Vec<(Uuid, Tz)> = if SCHEDULES.iter().any(|s| s.scope == Scope::EachWorkspace) {
        let mut pc = app.db.acquire().await?;
        bilan_db::workspaces::list(&mut pc.conn())
            .await?
            .into_iter()
            .map(|w| (w.id, w.timezone.parse::<Tz>().unwrap_or(chrono_tz::Europe::Paris)))
            .collect()
    } else {
        Vec::new()
    };
    let mut rows: Vec<(String, DateTime<Utc>, JobRow)> = Vec::new();
    for schedule in SCHEDULES {
        let scopes: Vec<(Option<Uuid>, Tz)> = match schedule.scope {
            Scope::Installation => vec![(None, chrono_tz::UTC)],
            Scope::EachWorkspace => workspaces.iter().map(|(id, tz)| (Some(*id), *tz)).collect(),
        };
        for (workspace, tz) in scopes {
            let slot = schedule.recurrence.latest_slot(tz, now);
            let key = slot_key(schedule.kind, workspace, slot);
            let memo = format!("{}:{workspace:?}", schedule.kind);
            if memory.0.get(&memo) == Some(&slot) {
                continue;
            }
            let row = JobRow {
                id: bilan_db::new_id(),
                workspace_id: workspace,
                kind: schedule.kind.to_owned(),
                payload: schedule.payload()?,
                status: JobStatus::Pending.code().to_owned(),
                run_at: slot,
                attempts: 0,
                unique_key: Some(key),
                claimed_by: None,
                claimed_until: None,
                last_error: None,
                created_at: now,
                finished_at: None,
            };
            rows.push((memo, slot, row));
        }
    }
    if rows.is_empty() {
        return Ok(0);
    }
    let mut tx = app.db.begin().await?;
    let new = store::insert(
        &mut tx.conn(),
        &rows.iter().map(|(_, _, r)| r.clone()).collect::<Vec<_>>(),
    )
    .await?;
    tx.commit().await?;
    for (memo, slot, _) in rows {
        memory.0.insert(memo, slot);
    }
    Ok(usize::try_from(new).unwrap_or(0))
}

/// Claims up to `limit` due jobs for `worker`, runs each, and records its outcome.
pub async fn run_pending(app: &App, worker: &str, limit: i64) -> AppResult<JobReport> {
    let now = app.now();
    let claimed = {
        let mut tx = app.db.begin().await?;
        let rows = store::claim(&mut tx.conn(), worker, now, now + LEASE, limit).await?;
        tx.commit().await?;
        rows
    };
    let mut report = JobReport::default();
    for job in claimed {
        let started = Instant::now();
        let context = JobContext {
            id: job.id,
            workspace_id: job.workspace_id,
            attempt: job.attempts,
        };
        let outcome = match find_kind(&job.kind) {
            Some(kind) => (kind.run)(app, &context, &job.payload).await,
            None => Err(crate::AppError::Internal(format!(
                "no job kind {:?} is registered in this version of Bilan",
                job.kind
            ))),
        };
        let done_at = app.now();
        let (status, run_at, error) = match &outcome {
            Ok(()) => (JobStatus::Done, job.run_at, None),
            Err(e) => match retry_at(job.attempts, done_at) {
                Some(at) => (JobStatus::Pending, at, Some(e.to_string())),
                None => (JobStatus::Failed, job.run_at, Some(e.to_string())),
            },
        };
        let mut tx = app.db.begin().await?;
        let recorded = store::finish(
            &mut tx.conn(),
            job.id,
            worker,
            status.code(),
            run_at,
            error.as_deref(),
            done_at,
        )
        .await?;
        tx.commit().await?;
        if !recorded {
            tracing::warn!(job.id = %job.id, job.kind = %job.kind, "job finished after its lease ran out; another worker took it over");
            continue;
        }
        let ms = started.elapsed().as_millis();
        match status {
            JobStatus::Done => {
                report.done += 1;
                tracing::info!(job.id = %job.id, job.kind = %job.kind, elapsed_ms = ms, "job done");
            }
            JobStatus::Pending => {
                report.retried += 1;
                tracing::warn!(job.id = %job.id, job.kind = %job.kind, attempts = job.attempts, error = ?error, "job failed; retrying later");
            }
            _ => {
                report.failed += 1;
                tracing::error!(job.id = %job.id, job.kind = %job.kind, attempts = job.attempts, error = ?error, "job given up");
            }
        }
    }
    Ok(report)
}

/// Runs until `shutdown` resolves: schedules, jobs and (with a mailer) the
/// outbox's e-mail, polling every `poll` when there was nothing to do.
pub async fn run_worker(
    app: App,
    mailer: Option<Mailer>,
    worker: String,
    poll: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    tracing::info!(worker = %worker, mail = %mailer.as_ref().map_or("off".to_owned(), Mailer::describe), "worker started");
    let mut memory = SlotMemory::default();
    loop {
        let mut busy = false;
        if let Err(e) = enqueue_due_slots(&app, &mut memory).await {
            tracing::error!(error = %e, "scheduling pass failed");
        }
        match run_pending(&app, &worker, 20).await {
            Ok(r) => busy |= r.handled() > 0,
            Err(e) => tracing::error!(error = %e, "jobs pass failed"),
        }
        if let Some(m) = &mailer {
            match crate::outbox::deliver_due(&app, m, &worker, 100).await {
                Ok(r) => busy |= r.handled() > 0,
                Err(e) => tracing::error!(error = %e, "outbox pass failed"),
            }
        }
        if !busy {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }
    tracing::info!(worker = %worker, "worker stopped");
}
