//! Bilan's storage: one SQL code path over SQLite and PostgreSQL.
//!
//! Queries are written once, in the dialect both accept (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`); [`with_conn!`] expands a query body once per driver
//! so each is type-checked against both. The few real differences live in [`dialect`].

pub mod accounts;
pub mod audit;
pub mod builder;
pub mod bulk;
pub mod checkpoint;
pub mod complaints;
pub mod contacts;
pub mod copy;
pub mod dialect;
pub mod events;
pub mod health;
pub mod health_inputs;
pub mod imports;
pub mod invitations;
pub mod invoices;
pub mod jobs;
pub mod key_accounts;
pub mod my_day;
pub mod outbox;
pub mod pg_copy;
pub mod review_pack;
pub mod reviews;
pub mod sessions;
pub mod sites;
pub mod surveys;
pub mod tables;
pub mod timeline;
pub mod tokens;
pub mod users;
pub mod workspaces;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use builder::{Arg, SqlBuilder};

/// Storage failures. Constraint violations are told apart so use cases can answer 409.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique constraint refused the write (duplicate e-mail, external reference…).
    #[error("duplicate value for {0}")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("reference to a missing row: {0}")]
    MissingReference(String),
    /// The database URL cannot be used.
    #[error("unsupported database URL (use sqlite://PATH or postgres://…): {0}")]
    BadUrl(String),
    /// Stored data that the code cannot read back (a bug or a manual edit).
    #[error("corrupt stored value in {0}")]
    Corrupt(String),
    /// Any other driver error.
    #[error(transparent)]
    Sqlx(sqlx::Error),
    /// Migration failure.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let what = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return DbError::Conflict(what),
                sqlx::error::ErrorKind::ForeignKeyViolation => return DbError::MissingReference(what),
                _ => {}
            }
        }
        DbError::Sqlx(e)
    }
}

/// Result of a storage call.
pub type DbResult<T> = Result<T, DbError>;

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A connection pool on one of the two engines.
///
/// SQLite gets a separate single-connection writer pool: writers queue in-process
/// instead of failing with `SQLITE_BUSY` on lock upgrades.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: readers and the single writer.
    Sqlite {
        /// Readers.
        read: SqlitePool,
        /// The one writer.
        write: SqlitePool,
        /// The background WAL checkpoints (see [`checkpoint`]).
        checkpointer: Arc<checkpoint::Checkpointer>,
    },
    /// PostgreSQL.
    Postgres(PgPool),
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    /// On SQLite.
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A pooled connection for reads outside a transaction.
pub enum Pooled {
    /// On SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// On PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

/// A borrowed connection, the one type every query function takes.
pub enum Conn<'c> {
    /// On SQLite.
    Sqlite(&'c mut SqliteConnection),
    /// On PostgreSQL.
    Postgres(&'c mut PgConnection),
}

/// Runs the same query code against whichever driver `conn` holds.
///
/// `with_conn!(conn, |c| sqlx::query("…").execute(&mut **c).await.map(|r| r.rows_affected()))`
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Postgres($c) => $body,
        }
    };
}

/// Page cache of each SQLite reading connection, in KiB.
const SQLITE_CACHE_KIB: u32 = 65_536;

/// Page cache of the SQLite writing connection, in KiB.
const SQLITE_WRITER_CACHE_KIB: u32 = 16_384;

/// Refreshes the planner's statistics of tables a bulk write just filled: without
/// them PostgreSQL plans as if they were empty (a server with autovacuum off served
/// the contacts list at 120 requests/s instead of 2,150). On SQLite, `PRAGMA
/// optimize` does the same for the tables that need it. Outside any transaction.
/// Only names of the workspace-table registry are used.
pub async fn refresh_statistics(conn: &mut Conn<'_>, tables: &[&str]) -> DbResult<()> {
    match conn {
        Conn::Postgres(c) => {
            let names: Vec<&str> = tables::WORKSPACE_TABLES
                .iter()
                .map(|t| t.name)
                .filter(|n| tables.contains(n))
                .collect();
            if !names.is_empty() {
                sqlx::query(&format!("ANALYZE {}", names.join(", ")))
                    .execute(&mut **c)
                    .await?;
            }
        }
        Conn::Sqlite(c) => {
            // Sampling (about 1,000 rows an index) with a small page cache: the
            // pooled connection's own 64 MiB cache would otherwise fill with the
            // rows just written, on top of the writer's (a third of a large
            // import's peak memory).
            sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut **c).await?;
            sqlx::query("PRAGMA cache_size = -4096").execute(&mut **c).await?;
            let optimized = sqlx::query("PRAGMA optimize").execute(&mut **c).await;
            sqlx::query(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
                .execute(&mut **c)
                .await?;
            optimized?;
        }
    }
    Ok(())
}

/// Runs one statement built with [`SqlBuilder`]; returns the rows it changed.
pub(crate) async fn execute(conn: &mut Conn<'_>, b: SqlBuilder) -> DbResult<u64> {
    let (sql, args) = (b.sql, b.args);
    Ok(with_conn!(conn, |c| crate::bind_owned_args!(sqlx::query(&sql), args)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?)
}

/// Runs statements in order, building each next one while the database runs the
/// current one (SQLite's driver runs it on its own thread, PostgreSQL on the
/// server), so a bulk write's SQL text and values cost no extra time. Returns the
/// rows changed.
pub(crate) async fn execute_all(
    conn: &mut Conn<'_>,
    mut statements: impl Iterator<Item = SqlBuilder>,
) -> DbResult<u64> {
    let mut changed = 0;
    let mut next = statements.next();
    while let Some(b) = next.take() {
        // Biased: the statement is sent first, then the next one is built.
        let (done, following) = tokio::join!(biased; execute(conn, b), async { statements.next() });
        changed += done?;
        next = following;
    }
    Ok(changed)
}

/// Binds a list of [`Arg`]s the statement owns to a query, in order: its texts
/// are moved, not copied (a bulk insert binds a million of them).
#[macro_export]
macro_rules! bind_owned_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                $crate::Arg::Text(v) => q.bind(v),
                $crate::Arg::OptText(v) => q.bind(v),
                $crate::Arg::I64(v) => q.bind(v),
                $crate::Arg::OptI64(v) => q.bind(v),
                $crate::Arg::I32(v) => q.bind(v),
                $crate::Arg::OptI32(v) => q.bind(v),
                $crate::Arg::Uuid(v) => q.bind(v),
                $crate::Arg::OptUuid(v) => q.bind(v),
                $crate::Arg::Bool(v) => q.bind(v),
                $crate::Arg::Date(v) => q.bind(v),
                $crate::Arg::OptDate(v) => q.bind(v),
                $crate::Arg::Instant(v) => q.bind(v),
                $crate::Arg::OptInstant(v) => q.bind(v),
                $crate::Arg::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Binds a list of [`Arg`]s to a query, in order (copies of them: see
/// [`bind_owned_args`] for a statement's own).
#[macro_export]
macro_rules! bind_args {
    ($query:expr, $args:expr) => {
        $crate::bind_owned_args!($query, ($args).iter().cloned())
    };
}

/// Pool tuning read from configuration.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Maximum connections (readers on SQLite).
    pub max_connections: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self { max_connections: 16 }
    }
}

impl Db {
    /// Opens a pool from `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, opts: &PoolOptions) -> DbResult<Db> {
        if url.starts_with("sqlite:") {
            let base = SqliteConnectOptions::from_str(url)
                .map_err(|_| DbError::BadUrl(redact(url)))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
                .pragma("temp_store", "memory")
                .pragma("wal_autocheckpoint", checkpoint::WRITER_FALLBACK_PAGES.to_string())
                // New databases only (an existing file keeps its page size): a
                // third fewer WAL frames and b-tree splits per write than the
                // default 4 KiB; 32 KiB measured slower again (BENCHMARKS.md).
                .page_size(16384);
            // The writer's reads are few and its pages are in the OS cache: a
            // million-row import into thirteen indexes ran as fast with 16 MiB as
            // with 64 (13.8 s and 15.3 s, BENCHMARKS.md), and 48 MiB less is a third
            // of that import's peak memory.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(base.clone().pragma("cache_size", format!("-{SQLITE_WRITER_CACHE_KIB}")))
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.max(1))
                .connect_with(base.read_only(false))
                .await?;
            let checkpointer = Arc::new(checkpoint::Checkpointer::start(read.clone()));
            Ok(Db::Sqlite {
                read,
                write,
                checkpointer,
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let o = PgConnectOptions::from_str(url).map_err(|_| DbError::BadUrl(redact(url)))?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(o)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(DbError::BadUrl(redact(url)))
        }
    }

    /// WAL pages the background task copied back into a SQLite database file so
    /// far (0 on PostgreSQL): the writer no longer does it inside its commits.
    pub fn background_checkpoint_pages(&self) -> u64 {
        match self {
            Db::Sqlite { checkpointer, .. } => checkpointer.pages(),
            Db::Postgres(_) => 0,
        }
    }

    /// The engine behind this pool.
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// The migrations already applied, as `(version, description)`, oldest first
    /// (none on a new database).
    pub async fn applied_migrations(&self) -> DbResult<Vec<(i64, String)>> {
        let sql = "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version";
        let rows = match self {
            Db::Sqlite { read, .. } => sqlx::query_as(sql).fetch_all(read).await,
            Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        };
        // Before the first migration the bookkeeping table does not exist yet.
        Ok(rows.unwrap_or_default())
    }

    /// Creates or upgrades the schema.
    pub async fn migrate(&self) -> DbResult<()> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("../../migrations/sqlite").run(write).await?,
            Db::Postgres(pool) => sqlx::migrate!("../../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Takes a connection for reads.
    pub async fn acquire(&self) -> DbResult<Pooled> {
        Ok(match self {
            Db::Sqlite { read, .. } => Pooled::Sqlite(read.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        let r = match self {
            Db::Sqlite { read, .. } => sqlx::query("SELECT 1").execute(read).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        r.is_ok()
    }

    /// Writes a consistent copy of a SQLite database to `path` (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, path: &str) -> DbResult<()> {
        match self {
            Db::Sqlite { write, .. } => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(write).await?;
                Ok(())
            }
            Db::Postgres(_) => Err(DbError::BadUrl("backup_sqlite on PostgreSQL".into())),
        }
    }

    /// Creates a database on a PostgreSQL server (tests and benchmarks).
    pub async fn create_database(&self, name: &str) -> DbResult<()> {
        check_db_name(name)?;
        if let Db::Postgres(pool) = self {
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(pool).await?;
        }
        Ok(())
    }

    /// Drops a database of a PostgreSQL server, disconnecting its sessions.
    pub async fn drop_database(&self, name: &str) -> DbResult<()> {
        check_db_name(name)?;
        if let Db::Postgres(pool) = self {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Closes every connection (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        match self {
            Db::Sqlite {
                read,
                write,
                checkpointer,
            } => {
                checkpointer.stop();
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// The transaction's connection.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    /// Commits.
    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Rolls back explicitly (dropping does the same).
    pub async fn rollback(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

impl Pooled {
    /// The pooled connection.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Conn<'_> {
    /// The engine of this connection.
    pub fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }
}

/// A database URL without its password, safe to print.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Every (table, column) of the application's schema, for comparing engines.
pub async fn schema_columns(conn: &mut Conn<'_>) -> DbResult<Vec<(String, String)>> {
    Ok(match conn {
        Conn::Sqlite(c) => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' AND m.name NOT LIKE '%_fts%'",
            )
            .fetch_all(&mut **c)
            .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&mut **c)
            .await?
        }
    })
}

fn check_db_name(name: &str) -> DbResult<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbError::BadUrl(format!("database name {name:?}")));
    }
    Ok(())
}

/// The same PostgreSQL URL pointing at another database.
pub fn replace_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let after_scheme = head.find("://").map(|p| p + 3).unwrap_or(0);
    let base = match head[after_scheme..].find('/') {
        Some(i) => &head[..after_scheme + i],
        None => head,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A fresh UUIDv7 (time-ordered, so new rows append to indexes).
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_database_name() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(super::replace_database("postgres://u@h", "x"), "postgres://u@h/x");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://bilan:s3cret@db:5432/x"),
            "postgres://bilan:***@db:5432/x"
        );
        assert_eq!(super::redact("sqlite://data/bilan.db"), "sqlite://data/bilan.db");
    }
}
