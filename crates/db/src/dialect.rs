//! The few places where SQLite and PostgreSQL really differ: full-text search.

use crate::{Arg, Engine, SqlBuilder};

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
