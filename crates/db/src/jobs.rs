//! Jobs as stored: inserted in the caller's transaction, claimed by one worker at
//! a time (an atomic claim; `SKIP LOCKED` on PostgreSQL), and finished, retried or
//! given up.

use crate::{dialect, with_conn, Conn, DbResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A job as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct JobRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace (`None`: the whole installation).
    pub workspace_id: Option<Uuid>,
    /// What to do (a registered kind: `purge_sessions`…).
    pub kind: String,
    /// Its parameters, JSON.
    pub payload: String,
    /// Status code (see `bilan_domain::jobs::JobStatus`).
    pub status: String,
    /// Not before.
    pub run_at: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: i32,
    /// A recurring slot's key, unique.
    pub unique_key: Option<String>,
    /// The worker holding it.
    pub claimed_by: Option<String>,
    /// Until when that worker holds it.
    pub claimed_until: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Finished (done or given up).
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, workspace_id, kind, payload, status, run_at, attempts, unique_key, claimed_by, \
    claimed_until, last_error, created_at, finished_at";

/// Inserts jobs in the caller's transaction; a job whose `unique_key` is already
/// taken (a slot another worker enqueued) is skipped. Returns how many were new.
pub async fn insert(conn: &mut Conn<'_>, rows: &[JobRow]) -> DbResult<u64> {
    let sql = format!(
        "INSERT INTO jobs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (unique_key) DO NOTHING"
    );
    let mut inserted = 0;
    for r in rows {
        inserted += with_conn!(&mut *conn, |c| sqlx::query(&sql)
            .bind(r.id)
            .bind(r.workspace_id)
            .bind(&r.kind)
            .bind(&r.payload)
            .bind(&r.status)
            .bind(r.run_at)
            .bind(r.attempts)
            .bind(&r.unique_key)
            .bind(&r.claimed_by)
            .bind(r.claimed_until)
            .bind(&r.last_error)
            .bind(r.created_at)
            .bind(r.finished_at)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(inserted)
}

/// Claims up to `limit` due jobs for `worker` until `lease_until`: pending ones
/// whose time has come, and running ones whose worker's lease ran out (it died).
/// Each attempt is counted here.
pub async fn claim(
    conn: &mut Conn<'_>,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<JobRow>> {
    let sql = dialect::claim_due(conn.engine(), "jobs", "run_at", "running", COLUMNS);
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// Records the end of a job `worker` holds: `done`, `pending` again at `run_at`
/// (a retry), or `failed`. False when the worker had lost it to another.
pub async fn finish(
    conn: &mut Conn<'_>,
    id: Uuid,
    worker: &str,
    status: &str,
    run_at: DateTime<Utc>,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE jobs SET status = $3, run_at = $4, last_error = $5, claimed_by = NULL, claimed_until = NULL, \
         finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $6 END \
         WHERE id = $1 AND claimed_by = $2 AND status = 'running'"
    )
    .bind(id)
    .bind(worker)
    .bind(status)
    .bind(run_at)
    .bind(error)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Puts a failed job back in the queue, to run at once: a job of `workspace` or of
/// the installation; `None` may retry any job (the operator at the command line).
pub async fn requeue(conn: &mut Conn<'_>, workspace: Option<Uuid>, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE jobs SET status = 'pending', run_at = $3, attempts = 0, finished_at = NULL \
         WHERE id = $2 AND status = 'failed' AND ($1 IS NULL OR workspace_id = $1 OR workspace_id IS NULL)"
    )
    .bind(workspace)
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Jobs newest first, optionally in one status: those of one workspace and the
/// installation's own (`Some`: what its admins see), or every job (`None`).
pub async fn list(
    conn: &mut Conn<'_>,
    workspace: Option<Uuid>,
    status: Option<&str>,
    limit: i64,
) -> DbResult<Vec<JobRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE ($1 IS NULL OR workspace_id = $1 OR workspace_id IS NULL) \
         AND ($2 IS NULL OR status = $2) ORDER BY created_at DESC, id DESC LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(status)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// How many jobs are in each status: of one workspace and the installation, or of all.
pub async fn counts(conn: &mut Conn<'_>, workspace: Option<Uuid>) -> DbResult<Vec<(String, i64)>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT status, COUNT(*) FROM jobs WHERE ($1 IS NULL OR workspace_id = $1 OR workspace_id IS NULL) \
         GROUP BY status ORDER BY status"
    )
    .bind(workspace)
    .fetch_all(&mut **c)
    .await)?)
}

/// Deletes finished jobs older than `before`. Done slots of recurring schedules
/// are kept a year: their unique key is what stops a slot from running twice.
pub async fn purge_finished(conn: &mut Conn<'_>, before: DateTime<Utc>, slots_before: DateTime<Utc>) -> DbResult<u64> {
    Ok(with_conn!(conn, |c| sqlx::query(
        "DELETE FROM jobs WHERE status IN ('done', 'failed') AND \
         ((unique_key IS NULL AND finished_at < $1) OR finished_at < $2)"
    )
    .bind(before)
    .bind(slots_before)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// One job by id, whichever its workspace (the operator at the command line).
pub async fn find(conn: &mut Conn<'_>, id: Uuid) -> DbResult<Option<JobRow>> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Whether a job of `kind` is waiting to run in `workspace` (not yet claimed): a
/// change then need not enqueue another.
pub async fn pending_exists(conn: &mut Conn<'_>, workspace: Uuid, kind: &str) -> DbResult<bool> {
    let n: i64 = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE workspace_id = $1 AND kind = $2 AND status = 'pending'"
    )
    .bind(workspace)
    .bind(kind)
    .fetch_one(&mut **c)
    .await)?;
    Ok(n > 0)
}
