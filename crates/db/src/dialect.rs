//! The few places where SQLite and PostgreSQL really differ: full-text search,
//! bulk placeholders, and updates joined to a list of values.

use crate::{Arg, Conn, DbResult, Engine, SqlBuilder};
use uuid::Uuid;

/// Appends a condition that `alias`'s row of `table` matches every search term as
/// a word prefix: FTS5 on SQLite, a GIN-indexed `tsvector` on PostgreSQL. Terms are
/// already normalised (lower case, no accents, alphanumeric only).
pub fn push_text_match(b: &mut SqlBuilder, engine: Engine, table: &str, alias: &str, terms: &[String]) {
    match engine {
        Engine::Sqlite => {
            let expr: Vec<String> = terms.iter().map(|t| format!("\"{}\"*", t.replace('"', ""))).collect();
            b.push(&format!(
                "{alias}.rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH "
            ));
            b.bind(Arg::Text(expr.join(" ")));
            b.push(")");
        }
        Engine::Postgres => {
            let expr: Vec<String> = terms
                .iter()
                .map(|t| format!("{}:*", t.replace(['\'', '&', '|', '!', ':', '(', ')', '\\'], "")))
                .collect();
            b.push(&format!("{alias}.search_vector @@ to_tsquery('simple', "));
            b.bind(Arg::Text(expr.join(" & ")));
            b.push(")");
        }
    }
}

/// Below this many full-text matches, a search reads the matches and sorts them;
/// above, matches are dense enough that walking the sort index finds a page quickly.
pub const FTS_DRIVEN_MAX: i64 = 20_000;

/// How a text search should be run on SQLite, decided by counting its matches
/// (FTS5 counts cheaply): `true` when the query should start from the matches.
pub async fn search_from_matches(conn: &mut Conn<'_>, table: &str, terms: &[String]) -> DbResult<bool> {
    let Conn::Sqlite(c) = conn else { return Ok(false) };
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {table}_fts WHERE {table}_fts MATCH $1 LIMIT {})",
        FTS_DRIVEN_MAX + 1
    );
    let n: i64 = sqlx::query_scalar(&sql)
        .bind(fts5_query(terms))
        .fetch_one(&mut **c)
        .await?;
    Ok(n <= FTS_DRIVEN_MAX)
}

/// The `FROM` clause of a search that starts from the full-text matches: SQLite's
/// `CROSS JOIN` keeps the match list as the outer loop, so a rare term does not
/// walk a million-row index.
pub fn push_from_matches(b: &mut SqlBuilder, table: &str, alias: &str, terms: &[String]) {
    b.push(&format!("(SELECT rowid AS r FROM {table}_fts WHERE {table}_fts MATCH "));
    b.bind(Arg::Text(fts5_query(terms)));
    b.push(&format!(") m CROSS JOIN {table} {alias} ON {alias}.rowid = m.r"));
}

fn fts5_query(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{}\"*", t.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a table's rows end before a batch insert (SQLite's largest rowid), so the
/// new rows can be indexed for search in one statement afterwards. Writers are
/// serialised on SQLite, so the rows after the mark are exactly the batch's.
pub async fn search_mark(conn: &mut Conn<'_>, table: &str) -> DbResult<Option<i64>> {
    match conn {
        Conn::Sqlite(c) => {
            let sql = format!("SELECT COALESCE(MAX(rowid), 0) FROM {table}");
            Ok(Some(sqlx::query_scalar(&sql).fetch_one(&mut **c).await?))
        }
        // PostgreSQL keeps its search vector as a generated column.
        Conn::Postgres(_) => Ok(None),
    }
}

/// Adds the rows inserted since `mark` to the table's FTS5 index.
pub async fn index_new_rows(conn: &mut Conn<'_>, table: &str, mark: Option<i64>) -> DbResult<()> {
    if let (Conn::Sqlite(c), Some(mark)) = (conn, mark) {
        let sql = format!(
            "INSERT INTO {table}_fts (rowid, search_text) SELECT rowid, search_text FROM {table} WHERE rowid > $1"
        );
        sqlx::query(&sql).bind(mark).execute(&mut **c).await?;
    }
    Ok(())
}

/// SQL for the whole days from date column `from` to date column `to`.
pub fn days_between(engine: Engine, from: &str, to: &str) -> String {
    match engine {
        Engine::Sqlite => format!("CAST(julianday({to}) - julianday({from}) AS INTEGER)"),
        Engine::Postgres => format!("({to} - {from})"),
    }
}

/// Rows per `INSERT` statement for bulk writes, measured with `bilan bench`: on
/// SQLite about 3,000 values per statement is the sweet spot (with `?` placeholders,
/// see [`SqlBuilder::bulk`]); PostgreSQL pays a round trip per statement, so more.
pub fn rows_per_insert(engine: Engine, columns: usize) -> usize {
    match engine {
        Engine::Sqlite => (3_000 / columns.max(1)).clamp(1, 100),
        // Stay well under PostgreSQL's 65,535 parameters per statement.
        Engine::Postgres => (60_000 / columns.max(1)).clamp(1, 500),
    }
}

/// Appends `UPDATE table SET columns = v.columns … WHERE workspace_id = $ws` for
/// rows matched by `id` to a preceding `WITH v (id, columns…) AS (VALUES …)`.
///
/// SQLite is driven by the ids (an `UPDATE … FROM v` walks the workspace's rows
/// there); PostgreSQL hash-joins `v` (the id-driven form would run a subquery per row).
pub fn push_update_from_values(b: &mut SqlBuilder, engine: Engine, table: &str, columns: &[&str], workspace: Uuid) {
    let list = columns.join(", ");
    match engine {
        Engine::Sqlite => {
            let picked: Vec<String> = columns.iter().map(|c| format!("v.{c}")).collect();
            b.push(&format!(
                "UPDATE {table} SET ({list}) = (SELECT {} FROM v WHERE v.id = {table}.id) WHERE {table}.workspace_id = ",
                picked.join(", ")
            ));
            b.bind(Arg::Uuid(workspace))
                .push(&format!(" AND {table}.id IN (SELECT v.id FROM v)"));
        }
        Engine::Postgres => {
            let set: Vec<String> = columns.iter().map(|c| format!("{c} = v.{c}")).collect();
            b.push(&format!(
                "UPDATE {table} SET {} FROM v WHERE {table}.workspace_id = ",
                set.join(", ")
            ));
            b.bind(Arg::Uuid(workspace)).push(&format!(" AND {table}.id = v.id"));
        }
    }
}

/// Whether the first responses of exchanges left to [`crate::timeline::Touches`]
/// (a window too long to read before the insert) are found from the additions'
/// own ranges, whose SQL compares instants stored as text (SQLite), rather than
/// by re-reading the touched window (PostgreSQL).
pub fn answers_from_ranges(engine: Engine) -> bool {
    engine == Engine::Sqlite
}

/// SQL text of the first day of the month of a date column, `2026-03-01`.
pub fn month_start_text(engine: Engine, column: &str) -> String {
    match engine {
        // Dates are stored as ISO text.
        Engine::Sqlite => format!("substr({column}, 1, 7) || '-01'"),
        Engine::Postgres => format!("to_char({column}, 'YYYY-MM-01')"),
    }
}

/// The statement a worker claims due rows of a queue table with (the outbox, jobs):
/// rows `pending` whose `due_column` has come, and rows `running_status` whose
/// previous worker's lease ran out (it died), at most `$4`, for worker `$1` until
/// `$2`, as of `$3`; each claim counts an attempt. One statement, so two workers
/// never claim one row (`SKIP LOCKED` on PostgreSQL; SQLite has one writer).
pub fn claim_due(engine: Engine, table: &str, due_column: &str, running_status: &str, returning: &str) -> String {
    let lock = skip_locked(engine);
    format!(
        "UPDATE {table} SET status = '{running_status}', claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM {table} WHERE (status = 'pending' AND {due_column} <= $3) \
         OR (status = '{running_status}' AND claimed_until < $3) ORDER BY {due_column}, id LIMIT $4{lock}) \
         RETURNING {returning}"
    )
}

/// The row lock of a claim subquery: PostgreSQL workers skip rows another worker
/// is claiming instead of waiting for them; SQLite serialises writers, so its
/// `UPDATE … RETURNING` is already atomic.
fn skip_locked(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "",
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
    }
}

/// Refreshes PostgreSQL's statistics of `table` when they count fewer rows than a
/// bulk insert just added (never analysed, or analysed while nearly empty). The planner plans with the statistics of the last
/// `ANALYZE`: after a large insert it still believes the table empty, and in the
/// same transaction a lookup by an indexed key scans the whole table instead
/// (measured: 1.8 s per 500-key SIREN lookup in a 100,000-row import). Once they
/// know the table's row density the planner scales it by the table's current size,
/// so one refresh early in a bulk write is enough. SQLite plans without row counts.
pub async fn refresh_statistics(conn: &mut Conn<'_>, table: &str, inserted: usize) -> DbResult<()> {
    let Conn::Postgres(c) = conn else { return Ok(()) };
    if inserted < 1_000 {
        return Ok(());
    }
    let known: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = $1::regclass")
        .bind(table)
        .fetch_optional(&mut **c)
        .await?
        .unwrap_or(-1.0);
    // -1: never analysed; the rows inserted so far in this transaction are not counted.
    let threshold = f32::from(u16::try_from(inserted.min(60_000)).unwrap_or(u16::MAX));
    if known < threshold {
        sqlx::query(&format!("ANALYZE {table}")).execute(&mut **c).await?;
    }
    Ok(())
}
