//! Multi-row inserts for tables whose rows are written in bulk (imports, the demo
//! generator, `bilan db copy`): a row type names its table and columns and binds
//! its values; [`insert_rows`] batches them per engine.

use crate::{bind_args, dialect, with_conn, Arg, Conn, DbResult, SqlBuilder};

/// A row that can be inserted with others in one statement.
pub trait Insertable {
    /// Table.
    const TABLE: &'static str;
    /// Columns, in the order [`Insertable::values`] gives them.
    const COLUMNS: &'static [&'static str];
    /// The row's values.
    fn values(&self) -> Vec<Arg>;
}

/// Inserts `rows`, as many per statement as the engine takes well.
pub async fn insert_rows<T: Insertable>(conn: &mut Conn<'_>, rows: &[T]) -> DbResult<()> {
    insert_values(conn, T::TABLE, &T::COLUMNS.join(", "), rows, T::values).await
}

/// Inserts rows given as their values in the order of `columns` (comma-separated):
/// `COPY` on PostgreSQL, multi-row `INSERT`s on SQLite, each statement built while
/// the previous one runs.
pub(crate) async fn insert_values<T>(
    conn: &mut Conn<'_>,
    table: &str,
    columns: &str,
    rows: &[T],
    values: impl Fn(&T) -> Vec<Arg>,
) -> DbResult<()> {
    if let Conn::Postgres(c) = conn {
        crate::pg_copy::copy_rows(c, table, columns, rows, values).await?;
        return Ok(());
    }
    let engine = conn.engine();
    let per = dialect::rows_per_insert(engine, columns.split(',').count()).max(1);
    let head = format!("INSERT INTO {table} ({columns}) VALUES ");
    let statements = rows
        .chunks(per)
        .map(|chunk| values_statement(&head, engine, chunk, &values));
    crate::execute_all(conn, statements).await?;
    Ok(())
}

/// `head` followed by one `(…)` of placeholders per row of `chunk`.
fn values_statement<T>(head: &str, engine: crate::Engine, chunk: &[T], values: &impl Fn(&T) -> Vec<Arg>) -> SqlBuilder {
    let mut b = SqlBuilder::bulk(head, engine);
    for (i, r) in chunk.iter().enumerate() {
        b.push(if i > 0 { ", (" } else { "(" });
        for (j, v) in values(r).into_iter().enumerate() {
            if j > 0 {
                b.push(", ");
            }
            b.bind(v);
        }
        b.push(")");
    }
    b
}

/// Inserts `rows` or, where one conflicts, does what `on_conflict` says (the
/// columns of the unique index, then `DO UPDATE SET …` with `excluded.`).
pub async fn upsert_rows<T: Insertable>(conn: &mut Conn<'_>, rows: &[T], on_conflict: &str) -> DbResult<()> {
    let per = dialect::rows_per_insert(conn.engine(), T::COLUMNS.len()).max(1);
    let head = format!("INSERT INTO {} ({}) VALUES ", T::TABLE, T::COLUMNS.join(", "));
    for chunk in rows.chunks(per) {
        let mut b = values_statement(&head, conn.engine(), chunk, &T::values);
        b.push(" ON CONFLICT ").push(on_conflict);
        crate::execute(conn, b).await?;
    }
    Ok(())
}

/// Declares a stored row: the struct (read with `sqlx::FromRow`) and its
/// [`Insertable`] table and columns, each field with the [`crate::Arg`] variant
/// that binds it.
#[macro_export]
macro_rules! table_row {
    ($(#[$m:meta])* $vis:vis struct $name:ident in $table:literal {
        $($(#[$fm:meta])* $field:ident : $ty:ty => $arg:ident),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
        $vis struct $name {
            $($(#[$fm])* pub $field: $ty),*
        }

        impl $crate::bulk::Insertable for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn values(&self) -> Vec<$crate::Arg> {
                vec![$($crate::Arg::$arg(self.$field.clone())),*]
            }
        }
    };
}

/// The insert columns of `T`, comma-separated, as a SELECT list.
pub(crate) fn columns<T: Insertable>() -> String {
    T::COLUMNS.join(", ")
}

/// Rows of `T`'s table in one workspace whose columns equal the values of
/// `filter` (column names fixed by the caller, values bound), in `order`.
pub(crate) async fn select<T>(
    conn: &mut Conn<'_>,
    workspace: uuid::Uuid,
    filter: &[(&str, Arg)],
    order: &str,
) -> DbResult<Vec<T>>
where
    T: Insertable
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let mut b = SqlBuilder::new(&format!(
        "SELECT {} FROM {} WHERE workspace_id = ",
        columns::<T>(),
        T::TABLE
    ));
    b.bind(Arg::Uuid(workspace));
    for (column, value) in filter {
        b.push(" AND ").push(column).push(" = ").bind(value.clone());
    }
    if !order.is_empty() {
        b.push(" ORDER BY ").push(order);
    }
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}
