//! A small SQL builder for dynamic filters: it numbers `$n` placeholders and keeps
//! the values to bind, so a filtered query is still written once for both engines.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Text.
    Text(String),
    /// Nullable text.
    OptText(Option<String>),
    /// Integer.
    I64(i64),
    /// Nullable 64-bit integer.
    OptI64(Option<i64>),
    /// 32-bit integer (PostgreSQL INTEGER columns).
    I32(i32),
    /// Nullable 32-bit integer.
    OptI32(Option<i32>),
    /// Identifier.
    Uuid(Uuid),
    /// Nullable identifier.
    OptUuid(Option<Uuid>),
    /// Boolean.
    Bool(bool),
    /// Calendar date.
    Date(NaiveDate),
    /// Nullable calendar date.
    OptDate(Option<NaiveDate>),
    /// Instant in UTC.
    Instant(DateTime<Utc>),
    /// Nullable instant in UTC.
    OptInstant(Option<DateTime<Utc>>),
    /// Bytes (a document's content).
    Bytes(Vec<u8>),
}

/// SQL text under construction plus its bound values.
#[derive(Debug, Default, Clone)]
pub struct SqlBuilder {
    /// The SQL so far.
    pub sql: String,
    /// Values, in placeholder order.
    pub args: Vec<Arg>,
    /// Anonymous `?` placeholders instead of `$n`.
    positional: bool,
}

impl SqlBuilder {
    /// Starts with a fragment.
    pub fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_owned(),
            args: Vec::new(),
            positional: false,
        }
    }

    /// For statements with many values (bulk inserts): SQLite resolves each named
    /// `$n` by a linear scan, so n of them cost O(n²); anonymous `?` do not.
    /// PostgreSQL only knows `$n`.
    pub fn bulk(sql: &str, engine: crate::Engine) -> Self {
        Self {
            sql: sql.to_owned(),
            args: Vec::new(),
            positional: engine == crate::Engine::Sqlite,
        }
    }

    /// Appends raw SQL (never user input).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends `column IN (…)` with a placeholder per id (the list must not be empty).
    pub fn push_in(&mut self, column: &str, ids: &[Uuid]) -> &mut Self {
        self.push(column).push(" IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Arg::Uuid(*id));
        }
        self.push(")")
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        if self.positional {
            self.sql.push('?');
        } else {
            self.sql.push('$');
            self.sql.push_str(&self.args.len().to_string());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders() {
        let mut b = SqlBuilder::new("SELECT 1 WHERE a = ");
        b.bind(Arg::I64(1)).push(" AND b = ").bind(Arg::Text("x".into()));
        assert_eq!(b.sql, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(b.args.len(), 2);
        let mut p = SqlBuilder::bulk("VALUES (", crate::Engine::Sqlite);
        p.bind(Arg::I64(1)).push(", ").bind(Arg::I64(2)).push(")");
        assert_eq!(p.sql, "VALUES (?, ?)");
        let mut q = SqlBuilder::bulk("VALUES (", crate::Engine::Postgres);
        q.bind(Arg::I64(1));
        assert_eq!(q.sql, "VALUES ($1");
    }
}
