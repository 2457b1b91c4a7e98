//! First responses kept up to date as exchanges are logged, moved, linked or deleted:
//! computed before the insert where the window is small, else recomputed by [`Touches`].

use super::*;

/// Stored rows read at most per account by [`insert_new`]; past it the account's
/// answers are left to [`Touches`] (an import overlapping a long history).
pub(super) const WINDOW_CAP: usize = 2_000;

/// Inserts interactions being logged (unanswered, unlinked) and records them in
/// `touches`, which then brings first responses up to date.
///
/// When the stored part of an account's touched window is small (new exchanges
/// arrive near the end of the history, as they mostly do), it is read before the
/// insert and the window's answers are computed here: new inbounds are inserted
/// with theirs and only stored inbounds whose answer changes are rewritten.
/// Writing every new inbound twice was a sixth of a batch import's time on
/// SQLite, and a quarter on PostgreSQL, where updating a row just inserted writes
/// a new version into every index. Larger windows go through [`Touches`].
pub async fn insert_new(
    conn: &mut Conn<'_>,
    rows: &mut [InteractionRow],
    contacts: &[(Uuid, Uuid, Uuid)],
    touches: &mut Touches,
) -> DbResult<()> {
    let Some(workspace) = rows.first().map(|r| r.workspace_id) else {
        return Ok(());
    };
    let mut changes = Vec::new();
    // Each account's rows, by index, so a batch over many accounts is walked once.
    let mut by_account: BTreeMap<Uuid, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_account.entry(r.account_id).or_default().push(i);
    }
    for (account, indices) in by_account {
        let instants = indices.iter().map(|&i| rows[i].occurred_at);
        let span = (instants.clone().min(), instants.max());
        let Some(window) = read_window(conn, workspace, account, span, Some(WINDOW_CAP)).await? else {
            indices.iter().for_each(|&i| touches.row(&rows[i]));
            continue;
        };
        let added: Vec<(Uuid, Direction, DateTime<Utc>)> = indices
            .iter()
            .filter_map(|&i| Some((rows[i].id, rows[i].direction()?, rows[i].occurred_at)))
            .collect();
        let (mut answers, stored) = window_answers(window, &added)?;
        for &i in &indices {
            let r = &mut rows[i];
            if let Some((by, secs)) = answers.remove(&r.id) {
                (r.answered_by, r.response_seconds) = (by, secs);
            }
            touches.widen(account, r.occurred_at);
        }
        changes.extend(stored);
    }
    insert_rows(conn, rows, contacts).await?;
    changes.sort_by_key(|c| c.0);
    write_answers(conn, workspace, &changes).await?;
    Ok(())
}

/// A stored account window for [`insert_new`]: its automatic inbounds and outbounds
/// after the last outbound before the window, and the first outbound after it.
pub(super) struct StoredWindow {
    pub(super) rows: Vec<WindowRow>,
    pub(super) next: Option<Outbound>,
}

/// `(id, direction, instant, answered_by, response_seconds)` of a stored row.
pub(super) type WindowRow = (Uuid, String, DateTime<Utc>, Option<Uuid>, Option<i64>);

/// Reads the stored part of the account's window `[lo, hi]` (`None`: unbounded)
/// widened back to the previous outbound, or `None` when it holds more than `cap` rows.
pub(super) async fn read_window(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    (lo, hi): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    cap: Option<usize>,
) -> DbResult<Option<StoredWindow>> {
    let floor = match lo {
        Some(lo) => outbound_near(conn, workspace, account, lo, true).await?.map(|o| o.1),
        None => None,
    };
    let mut b = SqlBuilder::new(
        "SELECT id, direction, occurred_at, answered_by, response_seconds FROM interactions WHERE workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace))
        .push(" AND account_id = ")
        .bind(Arg::Uuid(account));
    if let Some(f) = floor {
        b.push(" AND occurred_at > ").bind(Arg::Instant(f));
    }
    if let Some(h) = hi {
        b.push(" AND occurred_at <= ").bind(Arg::Instant(h));
    }
    b.push(" AND (direction = 'outbound' OR answer_linked = FALSE)");
    if let Some(cap) = cap {
        b.push(" LIMIT ").bind(Arg::I64(cap as i64 + 1));
    }
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<WindowRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    if cap.is_some_and(|cap| rows.len() > cap) {
        return Ok(None);
    }
    let next = match hi {
        Some(h) => outbound_near(conn, workspace, account, h, false).await?,
        None => None,
    };
    Ok(Some(StoredWindow { rows, next }))
}

/// An inbound's automatic answer: `(answered_by, response_seconds)`.
pub(super) type Answer = (Option<Uuid>, Option<i64>);

/// A stored inbound's new answer: `(id, answered_by, response_seconds)`.
pub(super) type AnswerChange = (Uuid, Option<Uuid>, Option<i64>);

/// The first responses of a stored window with `added` rows `(id, direction,
/// instant)` in it: the answers of the added inbounds, and the stored inbounds
/// whose answer changes as `(id, answered_by, response_seconds)`, in id order.
pub(super) fn window_answers(
    window: StoredWindow,
    added: &[(Uuid, Direction, DateTime<Utc>)],
) -> DbResult<(HashMap<Uuid, Answer>, Vec<AnswerChange>)> {
    let mut events = Vec::with_capacity(window.rows.len() + added.len() + 1);
    let mut current: HashMap<Uuid, Answer> = HashMap::new();
    for (id, dir, at, by, secs) in window.rows {
        let dir = Direction::parse(&dir).ok_or_else(|| DbError::Corrupt(format!("interactions.direction of {id}")))?;
        if dir == Direction::Inbound {
            current.insert(id, (by, secs));
        }
        events.push((id, dir, at, None));
    }
    events.extend(added.iter().map(|&(id, dir, at)| (id, dir, at, None)));
    if let Some((id, at)) = window.next {
        events.push((id, Direction::Outbound, at, None));
    }
    let mut desired: HashMap<Uuid, Answer> = first_responses(&events)
        .into_iter()
        .map(|(i, o, s)| (i, (Some(o), Some(s))))
        .collect();
    let mut changes: Vec<AnswerChange> = current
        .into_iter()
        .filter_map(|(id, now)| {
            let want = desired.remove(&id).unwrap_or((None, None));
            (want != now).then_some((id, want.0, want.1))
        })
        .collect();
    changes.sort_by_key(|c| c.0);
    Ok((desired, changes))
}

/// Turns the explicit answer links pointing at `outbound` back to automatic and
/// returns those inbounds (id, account, instant), now unanswered, to [`Touches::inbound`].
pub async fn release_links_to(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    outbound: Uuid,
) -> DbResult<Vec<(Uuid, Uuid, DateTime<Utc>)>> {
    let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = with_conn!(conn, |c| sqlx::query_as(
        "SELECT id, account_id, occurred_at FROM interactions \
         WHERE workspace_id = $1 AND answered_by = $2 AND answer_linked = TRUE"
    )
    .bind(workspace)
    .bind(outbound)
    .fetch_all(&mut **c)
    .await)?;
    if !rows.is_empty() {
        with_conn!(conn, |c| sqlx::query(
            "UPDATE interactions SET answered_by = NULL, response_seconds = NULL, answer_linked = FALSE \
             WHERE workspace_id = $1 AND answered_by = $2 AND answer_linked = TRUE"
        )
        .bind(workspace)
        .bind(outbound)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(rows)
}

/// Records that a person chose `outbound` as the answer to `inbound`.
pub async fn set_link(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    inbound: Uuid,
    outbound: Uuid,
    seconds: i64,
    now: DateTime<Utc>,
) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE interactions SET answered_by = $3, response_seconds = $4, answer_linked = TRUE, \
         version = version + 1, updated_at = $5 WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(inbound)
    .bind(outbound)
    .bind(seconds)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes an explicit answer link (the automatic rule applies again once the
/// inbound goes through [`Touches::inbound`]).
pub async fn clear_link(conn: &mut Conn<'_>, workspace: Uuid, inbound: Uuid, now: DateTime<Utc>) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "UPDATE interactions SET answered_by = NULL, response_seconds = NULL, answer_linked = FALSE, \
         version = version + 1, updated_at = $3 WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(inbound)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes automatic answers `(inbound, answering outbound, seconds)`, many per statement.
pub(super) async fn write_answers(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    answers: &[(Uuid, Option<Uuid>, Option<i64>)],
) -> DbResult<()> {
    for chunk in answers.chunks(dialect::rows_per_insert(conn.engine(), 3)) {
        let mut b = SqlBuilder::bulk("WITH v (id, answered_by, response_seconds) AS (VALUES ", conn.engine());
        for (i, (id, by, secs)) in chunk.iter().enumerate() {
            b.push(if i == 0 { "(" } else { ", (" });
            b.bind(Arg::Uuid(*id)).push(", ").bind(Arg::OptUuid(*by)).push(", ");
            push_val(&mut b, opt_i64(*secs));
            b.push(")");
        }
        b.push(") ");
        dialect::push_update_from_values(
            &mut b,
            conn.engine(),
            "interactions",
            &["answered_by", "response_seconds"],
            workspace,
        );
        execute(conn, b).await?;
    }
    Ok(())
}

pub(super) type Outbound = (Uuid, DateTime<Utc>);

/// The account's nearest outbound strictly before (`before = true`) or after `at`.
pub(super) async fn outbound_near(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    at: DateTime<Utc>,
    before: bool,
) -> DbResult<Option<Outbound>> {
    let sql = if before {
        "SELECT id, occurred_at FROM interactions WHERE workspace_id = $1 AND account_id = $2 \
         AND direction = 'outbound' AND occurred_at < $3 ORDER BY occurred_at DESC, id DESC LIMIT 1"
    } else {
        "SELECT id, occurred_at FROM interactions WHERE workspace_id = $1 AND account_id = $2 \
         AND direction = 'outbound' AND occurred_at > $3 ORDER BY occurred_at, id LIMIT 1"
    };
    Ok(with_conn!(conn, |c| sqlx::query_as(sql)
        .bind(workspace)
        .bind(account)
        .bind(at)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Values per statement in [`answer_additions`], per list.
pub(super) const ADDITIONS_PER_STATEMENT: usize = 1_000;

/// Brings first responses up to date when outbounds were only added (no outbound
/// removed or moved) and some inbounds were stored unanswered: work in proportion
/// to the change, not to the account's history, in one statement per thousand
/// additions that returns nothing (SQLite hands rows over one at a time, so
/// reading the candidates back cost more than the update itself).
///
/// An added outbound `o` can only become the answer of inbounds after the
/// previous outbound `P` and not after `o`: nothing lies between `P` and `o`, so
/// their first outbound at or after them is at `o`'s instant. Those inbounds and
/// the new ones take the first outbound at or after them in the stored timeline,
/// added ones included; every other inbound keeps its answer. SQLite only
/// (`unixepoch`, `MATERIALIZED`): PostgreSQL recomputes the window instead.
pub(super) async fn answer_additions(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    outbounds: &[(Uuid, DateTime<Utc>)],
    inbounds: &[(Uuid, DateTime<Utc>)],
) -> DbResult<usize> {
    let mut instants: Vec<DateTime<Utc>> = outbounds.iter().map(|o| o.1).collect();
    instants.sort();
    instants.dedup();
    let ids: Vec<Uuid> = inbounds.iter().map(|i| i.0).collect();
    let statements = instants
        .len()
        .div_ceil(ADDITIONS_PER_STATEMENT)
        .max(ids.len().div_ceil(ADDITIONS_PER_STATEMENT));
    let part =
        |k: usize, len: usize| (k * ADDITIONS_PER_STATEMENT).min(len)..((k + 1) * ADDITIONS_PER_STATEMENT).min(len);
    let mut changed = 0;
    for k in 0..statements {
        let (ats, news) = (&instants[part(k, instants.len())], &ids[part(k, ids.len())]);
        let mut b = SqlBuilder::bulk("WITH ", conn.engine());
        if !ats.is_empty() {
            b.push("o (at) AS (VALUES ");
            for (i, at) in ats.iter().enumerate() {
                b.push(if i == 0 { "(" } else { ", (" });
                b.bind(Arg::Instant(*at)).push(")");
            }
            // Materialised, so each range bound is a constant when the inbounds are
            // read: a correlated bound defeats SQLite's range planning.
            b.push("), r (lo, hi) AS MATERIALIZED (SELECT COALESCE((SELECT MAX(p.occurred_at) FROM interactions p WHERE p.workspace_id = ");
            b.bind(Arg::Uuid(workspace))
                .push(" AND p.account_id = ")
                .bind(Arg::Uuid(account));
            b.push(" AND p.direction = 'outbound' AND p.occurred_at < o.at), ''), o.at FROM o), ");
        }
        b.push("t (id) AS (");
        if !ats.is_empty() {
            // CROSS JOIN keeps SQLite from scanning the account's inbounds once per range.
            b.push("SELECT i.id FROM r CROSS JOIN interactions i WHERE i.workspace_id = ");
            b.bind(Arg::Uuid(workspace))
                .push(" AND i.account_id = ")
                .bind(Arg::Uuid(account));
            b.push(" AND i.direction = 'inbound' AND i.occurred_at > r.lo AND i.occurred_at <= r.hi AND i.answer_linked = FALSE");
            if !news.is_empty() {
                b.push(" UNION ALL ");
            }
        }
        if !news.is_empty() {
            b.push("VALUES ");
            for (i, id) in news.iter().enumerate() {
                b.push(if i == 0 { "(" } else { ", (" });
                b.bind(Arg::Uuid(*id)).push(")");
            }
        }
        // No outbound at or after: the subquery has no row and both columns become
        // NULL. Rows already right (most, when exchanges arrive in time order) are
        // not rewritten.
        let first = "(SELECT n.id, unixepoch(n.occurred_at) - unixepoch(interactions.occurred_at) \
             FROM interactions n WHERE n.workspace_id = interactions.workspace_id \
             AND n.account_id = interactions.account_id AND n.direction = 'outbound' \
             AND n.occurred_at >= interactions.occurred_at ORDER BY n.occurred_at, n.id LIMIT 1)";
        b.push(&format!(
            ") UPDATE interactions SET (answered_by, response_seconds) = {first} WHERE workspace_id = "
        ));
        b.bind(Arg::Uuid(workspace)).push(" AND id IN (SELECT id FROM t)");
        b.push(&format!(" AND (answered_by, response_seconds) IS NOT {first}"));
        changed += execute(conn, b).await?;
    }
    Ok(changed as usize)
}

/// Recomputes the automatic answers of the account's inbounds after outbounds
/// changed somewhere in `[lo, hi]` (`None`: unbounded), writing only those that differ.
pub async fn refresh_window(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    lo: Option<DateTime<Utc>>,
    hi: Option<DateTime<Utc>>,
) -> DbResult<usize> {
    let Some(window) = read_window(conn, workspace, account, (lo, hi), None).await? else {
        return Ok(0);
    };
    let (_, changes) = window_answers(window, &[])?;
    write_answers(conn, workspace, &changes).await?;
    Ok(changes.len())
}

/// What changed on which timelines in one transaction, to bring first responses
/// up to date once at the end.
///
/// The answer of an inbound is the first outbound at or after it. When outbounds
/// change only within `[lo, hi]`, an inbound at or before the last outbound `L`
/// before `lo` keeps its answer (that outbound is unchanged and comes first), and
/// an inbound after `hi` too (nothing after it changed): only inbounds in `(L, hi]`
/// are recomputed, from the outbounds there plus the first one after `hi`. When
/// no outbound changed, only the touched inbounds can change.
#[derive(Debug, Default)]
pub struct Touches {
    pub(super) accounts: BTreeMap<Uuid, Touched>,
}

#[derive(Debug, Default)]
pub(super) struct Touched {
    pub(super) lo: Option<DateTime<Utc>>,
    pub(super) hi: Option<DateTime<Utc>>,
    /// An outbound left or moved: recompute the whole window.
    pub(super) outbound_removed: bool,
    /// Outbounds that appeared, `(id, instant)`.
    pub(super) added: Vec<(Uuid, DateTime<Utc>)>,
    pub(super) inbounds: Vec<(Uuid, DateTime<Utc>)>,
}

impl Touched {
    pub(super) fn widen(&mut self, at: DateTime<Utc>) {
        self.lo = Some(self.lo.map_or(at, |l| l.min(at)));
        self.hi = Some(self.hi.map_or(at, |h| h.max(at)));
    }
}

impl Touches {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// An outbound left instant `at` of `account`'s timeline (deleted, moved or turned inbound).
    pub fn outbound(&mut self, account: Uuid, at: DateTime<Utc>) {
        let t = self.accounts.entry(account).or_default();
        t.widen(at);
        t.outbound_removed = true;
    }

    /// Outbound `id` appeared at `at` of `account`'s timeline.
    pub fn outbound_added(&mut self, account: Uuid, id: Uuid, at: DateTime<Utc>) {
        let t = self.accounts.entry(account).or_default();
        t.widen(at);
        t.added.push((id, at));
    }

    /// Inbound `id` at `at` is stored unanswered and unlinked and needs its answer.
    pub fn inbound(&mut self, account: Uuid, id: Uuid, at: DateTime<Utc>) {
        let t = self.accounts.entry(account).or_default();
        t.widen(at);
        t.inbounds.push((id, at));
    }

    /// A row stored at `at` of `account`'s timeline with its answer already right:
    /// only the window grows.
    pub(super) fn widen(&mut self, account: Uuid, at: DateTime<Utc>) {
        self.accounts.entry(account).or_default().widen(at);
    }

    /// Records a new or changed row (unanswered, unlinked) by its direction.
    pub fn row(&mut self, r: &InteractionRow) {
        match r.direction() {
            Some(Direction::Outbound) => self.outbound_added(r.account_id, r.id, r.occurred_at),
            Some(Direction::Inbound) => self.inbound(r.account_id, r.id, r.occurred_at),
            None => {}
        }
    }

    /// The accounts touched, in id order (the order to lock them in).
    pub fn accounts(&self) -> Vec<Uuid> {
        self.accounts.keys().copied().collect()
    }

    /// Brings the first responses of every touched timeline up to date; returns
    /// how many inbounds had their answer written (possibly with the same value).
    pub async fn apply(self, conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<usize> {
        let mut n = 0;
        for (account, t) in self.accounts {
            n += if t.outbound_removed || !dialect::answers_from_ranges(conn.engine()) {
                refresh_window(conn, workspace, account, t.lo, t.hi).await?
            } else {
                answer_additions(conn, workspace, account, &t.added, &t.inbounds).await?
            };
        }
        Ok(n)
    }
}
