//! Reading the history: the keyset-paginated timeline, follow-ups, response-time
//! samples, search, and the rows `bilan db copy` moves.

use super::*;

/// Filters of a timeline; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    /// Search words (normalised) over subject, summary and tags.
    pub terms: Vec<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Direction.
    pub direction: Option<Direction>,
    /// Supplier-side user.
    pub user_id: Option<Uuid>,
    /// Client contact involved.
    pub contact_id: Option<Uuid>,
    /// Tag (lower case).
    pub tag: Option<String>,
    /// From this instant, inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Until this instant, exclusive.
    pub until: Option<DateTime<Utc>>,
}

/// One page of a timeline, newest first.
#[derive(Debug)]
pub struct TimelinePage {
    /// The interactions.
    pub items: Vec<Interaction>,
    /// Where the next (older) page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// The timeline query: newest first in `interactions_timeline` index order, the
/// cursor as a row comparison and `LIMIT` (no `OFFSET`, no `COUNT`), so a page
/// costs the same on the millionth row as on the first.
pub fn timeline_sql(
    engine: Engine,
    workspace: Uuid,
    account: Uuid,
    filter: &TimelineFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u32,
) -> SqlBuilder {
    let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM interactions i WHERE i.workspace_id = "));
    b.bind(Arg::Uuid(workspace));
    b.push(" AND i.account_id = ").bind(Arg::Uuid(account));
    if let Some(c) = filter.channel {
        b.push(" AND i.channel = ").bind(Arg::Text(c.code().to_owned()));
    }
    if let Some(d) = filter.direction {
        b.push(" AND i.direction = ").bind(Arg::Text(d.code().to_owned()));
    }
    if let Some(u) = filter.user_id {
        b.push(" AND i.user_id = ").bind(Arg::Uuid(u));
    }
    if let Some(c) = filter.contact_id {
        b.push(" AND i.id IN (SELECT ic.interaction_id FROM interaction_contacts ic WHERE ic.workspace_id = ");
        b.bind(Arg::Uuid(workspace))
            .push(" AND ic.contact_id = ")
            .bind(Arg::Uuid(c));
        b.push(")");
    }
    if let Some(t) = &filter.tag {
        let escaped = t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        b.push(" AND (',' || i.tags || ',') LIKE ")
            .bind(Arg::Text(format!("%,{escaped},%")));
        b.push(" ESCAPE '\\'");
    }
    if let Some(f) = filter.from {
        b.push(" AND i.occurred_at >= ").bind(Arg::Instant(f));
    }
    if let Some(u) = filter.until {
        b.push(" AND i.occurred_at < ").bind(Arg::Instant(u));
    }
    if !filter.terms.is_empty() {
        b.push(" AND ");
        dialect::push_text_match(&mut b, engine, "interactions", "i", &filter.terms);
    }
    if let Some((at, id)) = after {
        b.push(" AND (i.occurred_at, i.id) < (").bind(Arg::Instant(at));
        b.push(", ").bind(Arg::Uuid(id)).push(")");
    }
    b.push(" ORDER BY i.occurred_at DESC, i.id DESC LIMIT ");
    b.bind(Arg::I64(i64::from(limit) + 1));
    b
}

/// Decodes a timeline cursor; `None` when it was not made by [`timeline`].
pub fn cursor_position(cursor: &Cursor) -> Option<(DateTime<Utc>, Uuid)> {
    let at = DateTime::parse_from_rfc3339(&cursor.key).ok()?.with_timezone(&Utc);
    Some((at, Uuid::parse_str(&cursor.id).ok()?))
}

/// One page of an account's timeline, newest first, `limit` at a time after `after`.
pub async fn timeline(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    filter: &TimelineFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u32,
) -> DbResult<TimelinePage> {
    let b = timeline_sql(conn.engine(), workspace, account, filter, after, limit);
    let (sql, args) = (b.sql, b.args);
    let mut rows: Vec<InteractionRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| Cursor {
            key: r.occurred_at.to_rfc3339(),
            id: r.id.to_string(),
        })
    } else {
        None
    };
    let items = with_contacts(conn, workspace, rows).await?;
    Ok(TimelinePage { items, next })
}

/// A follow-up to do, with the account it concerns.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FollowUpItem {
    /// The interaction holding the follow-up.
    pub interaction: Interaction,
    /// Its account's name.
    pub account_name: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct FollowUpRow {
    #[sqlx(flatten)]
    pub(super) row: InteractionRow,
    pub(super) account_name: String,
}

/// A user's open follow-ups due on or before `until`, soonest first, at most `limit`.
pub async fn open_follow_ups(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    user: Uuid,
    until: NaiveDate,
    limit: i64,
) -> DbResult<Vec<FollowUpItem>> {
    open_follow_ups_between(conn, workspace, user, (None, until), false, limit).await
}

/// A user's open follow-ups due in `[from, until]`, the latest due first when
/// `latest_first` (what is late: the most recently missed first), at most `limit`.
pub async fn open_follow_ups_between(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    user: Uuid,
    (from, until): (Option<NaiveDate>, NaiveDate),
    latest_first: bool,
    limit: i64,
) -> DbResult<Vec<FollowUpItem>> {
    let order = if latest_first { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {COLUMNS}, a.name AS account_name FROM interactions i \
         JOIN accounts a ON a.workspace_id = i.workspace_id AND a.id = i.account_id \
         WHERE i.workspace_id = $1 AND i.follow_up_user_id = $2 AND i.follow_up_done_at IS NULL \
         AND i.follow_up_due <= $3 AND ($4 IS NULL OR i.follow_up_due >= $4) \
         ORDER BY i.follow_up_due {order}, i.id {order} LIMIT $5"
    );
    let rows: Vec<FollowUpRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(user)
        .bind(until)
        .bind(from)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?;
    let names: Vec<String> = rows.iter().map(|r| r.account_name.clone()).collect();
    let items = with_contacts(conn, workspace, rows.into_iter().map(|r| r.row).collect()).await?;
    Ok(items
        .into_iter()
        .zip(names)
        .map(|(interaction, account_name)| FollowUpItem {
            interaction,
            account_name,
        })
        .collect())
}

/// Marks a follow-up done; false when there is no open follow-up on that interaction.
pub async fn complete_follow_up(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE interactions SET follow_up_done_at = $3, version = version + 1, updated_at = $3 \
         WHERE workspace_id = $1 AND id = $2 AND follow_up_what IS NOT NULL AND follow_up_done_at IS NULL"
    )
    .bind(workspace)
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Puts an open follow-up off to `due`; false when there is no open follow-up on it.
pub async fn snooze_follow_up(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    due: NaiveDate,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE interactions SET follow_up_due = $3, version = version + 1, updated_at = $4 \
         WHERE workspace_id = $1 AND id = $2 AND follow_up_what IS NOT NULL AND follow_up_done_at IS NULL"
    )
    .bind(workspace)
    .bind(id)
    .bind(due)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// How many open follow-ups a user has due on or before `until` (the menu's badge).
pub async fn count_open_follow_ups(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    user: Uuid,
    until: NaiveDate,
) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM interactions \
         WHERE workspace_id = $1 AND follow_up_user_id = $2 AND follow_up_done_at IS NULL AND follow_up_due <= $3"
    )
    .bind(workspace)
    .bind(user)
    .bind(until)
    .fetch_one(&mut **c)
    .await)?)
}

/// Which answered inbounds response statistics cover.
#[derive(Debug, Clone, Default)]
pub struct ResponseFilter {
    /// One account.
    pub account_id: Option<Uuid>,
    /// The channel the client used.
    pub channel: Option<Channel>,
    /// The user who answered.
    pub user_id: Option<Uuid>,
    /// Inbounds from this instant, inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Inbounds until this instant, exclusive.
    pub until: Option<DateTime<Utc>>,
}

/// `(inbound channel, answering user, seconds)` of every answered inbound matching the filter.
pub async fn response_samples(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    filter: &ResponseFilter,
) -> DbResult<Vec<(Channel, Uuid, i64)>> {
    let mut b = SqlBuilder::new(
        "SELECT i.channel, o.user_id, i.response_seconds FROM interactions i \
         JOIN interactions o ON o.workspace_id = i.workspace_id AND o.id = i.answered_by \
         WHERE i.response_seconds IS NOT NULL AND i.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace));
    if let Some(a) = filter.account_id {
        b.push(" AND i.account_id = ").bind(Arg::Uuid(a));
    }
    if let Some(c) = filter.channel {
        b.push(" AND i.channel = ").bind(Arg::Text(c.code().to_owned()));
    }
    if let Some(u) = filter.user_id {
        b.push(" AND o.user_id = ").bind(Arg::Uuid(u));
    }
    if let Some(f) = filter.from {
        b.push(" AND i.occurred_at >= ").bind(Arg::Instant(f));
    }
    if let Some(u) = filter.until {
        b.push(" AND i.occurred_at < ").bind(Arg::Instant(u));
    }
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<(String, Uuid, i64)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter()
        .map(|(c, u, s)| {
            Channel::parse(&c)
                .map(|c| (c, u, s))
                .ok_or_else(|| DbError::Corrupt(format!("interactions.channel {c:?}")))
        })
        .collect()
}

/// Every interaction row of a workspace in id order, a batch at a time (export, copy).
pub async fn rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<InteractionRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM interactions i WHERE i.workspace_id = $1 AND ($2 IS NULL OR i.id > $2) \
         ORDER BY i.id LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// The engine's plan for a timeline query, one line per step (`EXPLAIN QUERY
/// PLAN` on SQLite, `EXPLAIN` on PostgreSQL): to check that pages walk the index.
pub async fn explain_timeline(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    filter: &TimelineFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u32,
) -> DbResult<Vec<String>> {
    let b = timeline_sql(conn.engine(), workspace, account, filter, after, limit);
    Ok(match conn {
        Conn::Sqlite(c) => {
            let sql = format!("EXPLAIN QUERY PLAN {}", b.sql);
            let rows: Vec<(i64, i64, i64, String)> =
                bind_args!(sqlx::query_as(&sql), &b.args).fetch_all(&mut **c).await?;
            rows.into_iter().map(|r| r.3).collect()
        }
        Conn::Postgres(c) => {
            let sql = format!("EXPLAIN {}", b.sql);
            bind_args!(sqlx::query_scalar(&sql), &b.args)
                .fetch_all(&mut **c)
                .await?
        }
    })
}

/// How many interactions match `terms`, counted up to `cap` (a search's group total:
/// past the cap, "more than" is all a person needs).
pub async fn count_matches(conn: &mut Conn<'_>, workspace: Uuid, terms: &[String], cap: i64) -> DbResult<i64> {
    if terms.is_empty() {
        return Ok(0);
    }
    let mut b = SqlBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM ");
    match conn.engine() {
        Engine::Sqlite => {
            let q: Vec<String> = terms.iter().map(|t| format!("\"{}\"*", t.replace('"', ""))).collect();
            b.push("interactions_fts f CROSS JOIN interactions i ON i.rowid = f.rowid WHERE interactions_fts MATCH ");
            b.bind(Arg::Text(q.join(" ")));
            b.push(" AND i.workspace_id = ").bind(Arg::Uuid(workspace));
        }
        Engine::Postgres => {
            b.push("interactions i WHERE i.workspace_id = ")
                .bind(Arg::Uuid(workspace))
                .push(" AND ");
            dialect::push_text_match(&mut b, Engine::Postgres, "interactions", "i", terms);
        }
    }
    b.push(" LIMIT ").bind(Arg::I64(cap)).push(") m");
    let (sql, args) = (b.sql, b.args);
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&sql), &args)
        .fetch_one(&mut **c)
        .await)?)
}

/// The workspace's interactions matching every term, newest first, at most `limit`.
///
/// On SQLite the candidates are the most recently written matches (FTS5 reads its
/// doclists backwards by rowid without scoring every match), so a common word on a
/// 2,000,000-interaction history stays cheap; they are then ordered by date.
pub async fn search(conn: &mut Conn<'_>, workspace: Uuid, terms: &[String], limit: u32) -> DbResult<Vec<Interaction>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let limit = i64::from(limit.clamp(1, 200));
    let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM "));
    match conn.engine() {
        Engine::Sqlite => {
            let q: Vec<String> = terms.iter().map(|t| format!("\"{}\"*", t.replace('"', ""))).collect();
            b.push("(SELECT rowid AS r FROM interactions_fts WHERE interactions_fts MATCH ");
            b.bind(Arg::Text(q.join(" ")));
            // Over-fetch: some candidates may belong to other workspaces.
            b.push(" ORDER BY rowid DESC LIMIT ").bind(Arg::I64(limit * 20));
            b.push(") m CROSS JOIN interactions i ON i.rowid = m.r WHERE i.workspace_id = ");
            b.bind(Arg::Uuid(workspace));
        }
        Engine::Postgres => {
            b.push("interactions i WHERE i.workspace_id = ")
                .bind(Arg::Uuid(workspace))
                .push(" AND ");
            dialect::push_text_match(&mut b, Engine::Postgres, "interactions", "i", terms);
        }
    }
    b.push(" ORDER BY i.occurred_at DESC, i.id DESC LIMIT ")
        .bind(Arg::I64(limit));
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<InteractionRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    with_contacts(conn, workspace, rows).await
}

/// `bilan db copy`: this table's rows of a workspace, with the contacts each involves (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let mut after = None;
        let mut copied = 0;
        loop {
            let rows = rows_after(s, ws, after, 2000).await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id);
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let links: Vec<(Uuid, Uuid, Uuid)> = contacts_of(s, ws, &ids)
                .await?
                .into_iter()
                .flat_map(|(interaction, contacts)| contacts.into_iter().map(move |c| (ws, interaction, c)))
                .collect();
            insert_rows(t, &rows, &links).await?;
            copied += rows.len();
        }
        Ok(copied)
    })
}
