//! SQLite's WAL checkpoints, taken off the writer's path.
//!
//! By default the connection that commits past 1,000 WAL pages copies them back
//! into the database file itself, inside its `COMMIT`: a tenth of a batch import's
//! time, and a stall for whoever waits on the single writer. A background task
//! makes a `PASSIVE` checkpoint a few times a second on a reader connection
//! instead, on another core, without blocking readers or the writer; the writer
//! keeps a larger automatic checkpoint only as a bound on the WAL in case the task
//! falls behind.

use sqlx::SqlitePool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the background task checkpoints.
const EVERY: Duration = Duration::from_millis(250);

/// WAL pages after which the writer checkpoints by itself (the fallback).
pub(crate) const WRITER_FALLBACK_PAGES: u32 = 4_000;

/// The background checkpoint task of one database; stops when dropped.
#[derive(Debug)]
pub struct Checkpointer {
    task: tokio::task::JoinHandle<()>,
    pages: Arc<AtomicU64>,
}

impl Checkpointer {
    /// Starts checkpointing the database behind `pool`.
    pub(crate) fn start(pool: SqlitePool) -> Self {
        let pages = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&pages);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !pool.is_closed() {
                tick.tick().await;
                // (busy, frames in the WAL, frames copied back); an error (the pool
                // closing, a full disk) is the next tick's or the writer's to meet.
                let copied = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&pool)
                    .await;
                match copied {
                    Ok((_, _, frames)) if frames > 0 => {
                        counted.fetch_add(frames.unsigned_abs(), Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::debug!(error = %e, "background checkpoint skipped"),
                }
            }
        });
        Self { task, pages }
    }

    /// WAL frames copied back so far (cumulative over checkpoints, so a frame the
    /// WAL held through several checkpoints counts each time).
    pub(crate) fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }

    /// Stops the task.
    pub(crate) fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use crate::{Db, Tx};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn new_files_get_large_pages_and_the_writer_leaves_checkpoints_to_the_task() {
        let dir = std::env::temp_dir().join(format!("bilan-checkpoint-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.join("c.db").display()), &Default::default())
            .await
            .unwrap();
        let Db::Sqlite { read, .. } = &db else {
            panic!("not SQLite")
        };
        let page: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(read).await.unwrap();
        assert_eq!(page, 16384);
        let Tx::Sqlite(mut tx) = db.begin().await.unwrap() else {
            panic!("not SQLite")
        };
        sqlx::query("CREATE TABLE t (x TEXT)").execute(&mut *tx).await.unwrap();
        sqlx::query(
            "WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500) \
             INSERT INTO t SELECT hex(randomblob(200)) FROM s",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Far below the writer's fallback threshold: only the task copies pages back.
        let mut waited = 0;
        while db.background_checkpoint_pages() == 0 && waited < 100 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            waited += 1;
        }
        assert!(db.background_checkpoint_pages() > 0, "no background checkpoint in 5 s");
        db.close().await;
        drop(std::fs::remove_dir_all(&dir));
    }
}
