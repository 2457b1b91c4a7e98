//! Bulk inserts on PostgreSQL through `COPY … FROM STDIN` (text format): the
//! server parses each value with its column type's input function, as for a
//! literal, without planning and evaluating a `VALUES` list of thousands of
//! parameters per statement.

use std::fmt::Write as _;

use sqlx::PgConnection;

use crate::{Arg, DbResult};

/// Bytes sent to the server at a time: large enough to amortise a round of the
/// protocol, small enough that the next piece is encoded while this one travels.
const SEND_BYTES: usize = 256 * 1024;

/// Copies rows (each the values of `columns`, comma-separated, in order) into `table`.
pub async fn copy_rows<T>(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    rows: &[T],
    values: impl Fn(&T) -> Vec<Arg>,
) -> DbResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let statement = format!("COPY {table} ({columns}) FROM STDIN");
    let mut copy = conn.copy_in_raw(&statement).await?;
    let mut buf = String::with_capacity(SEND_BYTES + 4096);
    for row in rows {
        encode_row(&mut buf, values(row));
        if buf.len() >= SEND_BYTES {
            if let Err(e) = copy.send(std::mem::take(&mut buf).into_bytes()).await {
                // The connection must leave COPY mode before the error is reported.
                let _aborted = copy.abort("bulk insert failed").await;
                return Err(e.into());
            }
            buf.reserve(SEND_BYTES + 4096);
        }
    }
    if !buf.is_empty() {
        if let Err(e) = copy.send(buf.into_bytes()).await {
            let _aborted = copy.abort("bulk insert failed").await;
            return Err(e.into());
        }
    }
    Ok(copy.finish().await?)
}

/// Appends one row in COPY's text format: tab-separated, `\N` for NULL, a line
/// feed at the end.
pub(crate) fn encode_row(buf: &mut String, values: Vec<Arg>) {
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        encode_value(buf, v);
    }
    buf.push('\n');
}

/// One value as COPY's text format spells it.
fn encode_value(buf: &mut String, value: Arg) {
    // `write!` into a String cannot fail.
    match value {
        Arg::Text(s) => escape(buf, &s),
        Arg::I64(n) => {
            let _ = write!(buf, "{n}");
        }
        Arg::I32(n) => {
            let _ = write!(buf, "{n}");
        }
        Arg::Uuid(u) => {
            let _ = write!(buf, "{}", u.hyphenated());
        }
        Arg::Bool(b) => buf.push(if b { 't' } else { 'f' }),
        Arg::Date(d) => {
            let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
        }
        Arg::Instant(t) => {
            let _ = write!(buf, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
        }
        Arg::Bytes(b) => {
            // bytea's hex input, its backslash escaped for the text format.
            buf.push_str("\\\\x");
            for byte in b {
                let _ = write!(buf, "{byte:02x}");
            }
        }
        Arg::OptText(v) => optional(buf, v.map(Arg::Text)),
        Arg::OptI64(v) => optional(buf, v.map(Arg::I64)),
        Arg::OptI32(v) => optional(buf, v.map(Arg::I32)),
        Arg::OptUuid(v) => optional(buf, v.map(Arg::Uuid)),
        Arg::OptDate(v) => optional(buf, v.map(Arg::Date)),
        Arg::OptInstant(v) => optional(buf, v.map(Arg::Instant)),
    }
}

fn optional(buf: &mut String, value: Option<Arg>) {
    match value {
        Some(v) => encode_value(buf, v),
        None => buf.push_str("\\N"),
    }
}

/// Escapes the characters COPY's text format gives a meaning to.
fn escape(buf: &mut String, s: &str) {
    if !s.contains(['\\', '\t', '\n', '\r']) {
        buf.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use uuid::Uuid;

    #[test]
    fn encodes_values_as_copy_text() {
        let mut buf = String::new();
        encode_row(
            &mut buf,
            vec![
                Arg::Text("a\tb\\c\nd\re".into()),
                Arg::OptText(None),
                Arg::I64(-42),
                Arg::OptI32(Some(7)),
                Arg::Uuid(Uuid::nil()),
                Arg::Bool(true),
                Arg::Date(NaiveDate::from_ymd_opt(2026, 2, 3).unwrap_or_default()),
                Arg::Instant(Utc.with_ymd_and_hms(2026, 12, 5, 8, 9, 10).single().unwrap_or_default()),
                Arg::Bytes(vec![0, 255]),
                Arg::Text("Société Générale — Île".into()),
            ],
        );
        assert_eq!(
            buf,
            "a\\tb\\\\c\\nd\\re\t\\N\t-42\t7\t00000000-0000-0000-0000-000000000000\tt\t2026-02-03\t\
             2026-12-05 08:09:10.000000+00\t\\\\x00ff\tSociété Générale — Île\n"
        );
    }

    #[test]
    fn a_literal_backslash_n_is_not_null() {
        let mut buf = String::new();
        encode_row(
            &mut buf,
            vec![Arg::Text("\\N".into()), Arg::OptText(Some(String::new()))],
        );
        assert_eq!(buf, "\\\\N\t\n");
    }
}
