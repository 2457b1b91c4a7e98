//! The operator's use cases on the database itself: open and migrate it, copy a
//! workspace to another database, back a SQLite file up, and scratch databases
//! for benchmarks.

use crate::{App, AppConfig, AppError, AppResult, Clock};
use bilan_db::{Db, PoolOptions};
use std::sync::Arc;

pub use bilan_db::copy::CopyReport;
pub use bilan_db::{redact, Engine};

impl App {
    /// Opens the database at `url` (created if missing on SQLite), brings its
    /// schema up to date, and builds the application on it.
    pub async fn open(url: &str, max_connections: u32, config: AppConfig, clock: Arc<dyn Clock>) -> AppResult<App> {
        let db = Db::connect(url, &PoolOptions { max_connections }).await?;
        db.migrate().await?;
        Ok(App::new(db, config, clock))
    }

    /// Brings the schema at `url` up to date; returns the migrations it applied
    /// now, as `"0007 min answers"`, oldest first (none when it was up to date).
    pub async fn migrate(url: &str) -> AppResult<Vec<String>> {
        let db = Db::connect(url, &PoolOptions { max_connections: 2 }).await?;
        let before = db.applied_migrations().await?;
        db.migrate().await?;
        let after = db.applied_migrations().await?;
        db.close().await;
        Ok(after
            .into_iter()
            .filter(|m| !before.contains(m))
            .map(|(v, d)| format!("{v:04} {d}"))
            .collect())
    }

    /// Closes every connection (checkpointing SQLite's write-ahead log).
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Whether the database answers (readiness probes).
    pub async fn database_ready(&self) -> bool {
        self.db.ping().await
    }

    /// The engine behind this application.
    pub fn engine(&self) -> Engine {
        self.db.engine()
    }
}

/// Copies the workspace named `name` from `from` into `to`, whole or not at all,
/// then refreshes the target's statistics: without them PostgreSQL plans the
/// copied tables as if empty (the nightly health recompute ran 5 times slower).
pub async fn copy_workspace(from: &App, to: &App, name: &str) -> AppResult<CopyReport> {
    let report = bilan_db::copy::copy_workspace(&from.db, &to.db, name).await?;
    let every_table: Vec<&str> = bilan_db::tables::WORKSPACE_TABLES.iter().map(|t| t.name).collect();
    refresh_statistics(to, &every_table).await;
    Ok(report)
}

/// Writes a consistent copy of a SQLite database to `path`.
pub async fn backup(app: &App, path: &str) -> AppResult<()> {
    if app.engine() == Engine::Postgres {
        return Err(AppError::Conflict(
            "on PostgreSQL use pg_dump (or `bilan db copy` to another database)".into(),
        ));
    }
    Ok(app.db.backup_sqlite(path).await?)
}

/// A throw-away database on a PostgreSQL server (benchmarks), dropped by [`ScratchDatabase::drop_now`].
pub struct ScratchDatabase {
    server: Db,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl ScratchDatabase {
    /// Creates a database with a fresh name on the server at `server_url`.
    pub async fn create(server_url: &str) -> AppResult<ScratchDatabase> {
        let server = Db::connect(server_url, &PoolOptions { max_connections: 2 }).await?;
        let name = format!("bilan_bench_{}", uuid::Uuid::new_v4().simple());
        server.create_database(&name).await?;
        let url = bilan_db::replace_database(server_url, &name);
        Ok(ScratchDatabase { server, name, url })
    }

    /// Drops the database, disconnecting its sessions.
    pub async fn drop_now(self) -> AppResult<()> {
        self.server.drop_database(&self.name).await?;
        self.server.close().await;
        Ok(())
    }
}

/// Refreshes the planner's statistics of `tables` after a bulk write committed
/// (see [`bilan_db::refresh_statistics`]). A failure is logged, not returned: the
/// data is written, and the nightly autovacuum will catch up.
pub async fn refresh_statistics(app: &App, tables: &[&str]) {
    let result = async {
        let mut pc = app.db.acquire().await?;
        bilan_db::refresh_statistics(&mut pc.conn(), tables).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, ?tables, "refreshing statistics after a bulk write failed");
    }
}
