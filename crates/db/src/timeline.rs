//! Interactions: bulk storage, the keyset-paginated timeline, follow-ups, and
//! first responses kept up to date incrementally.
//!
//! First responses are maintained by recomputing a window of one account's
//! timeline with [`bilan_domain::timeline::first_responses`], never by loading the
//! whole timeline: see [`Touches`] for why the window is enough.

use crate::accounts::UpdateOutcome;
use crate::{bind_args, dialect, execute, execute_all, with_conn, Arg, Conn, DbError, DbResult, Engine, SqlBuilder};
use bilan_domain::pagination::Cursor;
use bilan_domain::timeline::{first_responses, Channel, Direction, FollowUp, Interaction, NewInteraction};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// An interaction row as stored (contacts live in `interaction_contacts`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InteractionRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Channel code.
    pub channel: String,
    /// Direction code.
    pub direction: String,
    /// When, whole seconds.
    pub occurred_at: DateTime<Utc>,
    /// Supplier-side user.
    pub user_id: Uuid,
    /// Subject.
    pub subject: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Tags, comma-separated.
    pub tags: String,
    /// Value delivered beyond the contract.
    pub beyond_contract: bool,
    /// Linked record kind.
    pub related_kind: Option<String>,
    /// Linked record id.
    pub related_id: Option<Uuid>,
    /// External reference.
    pub external_ref: Option<String>,
    /// Answering outbound (inbounds only).
    pub answered_by: Option<Uuid>,
    /// Seconds to that answer.
    pub response_seconds: Option<i64>,
    /// Whether a person chose the answer.
    pub answer_linked: bool,
    /// Follow-up: what.
    pub follow_up_what: Option<String>,
    /// Follow-up: who.
    pub follow_up_user_id: Option<Uuid>,
    /// Follow-up: due date.
    pub follow_up_due: Option<NaiveDate>,
    /// Follow-up: done at.
    pub follow_up_done_at: Option<DateTime<Utc>>,
    /// Normalised search text.
    pub search_text: String,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

/// Column list shared by every interaction query (alias `i`).
pub const COLUMNS: &str = "i.id, i.workspace_id, i.account_id, i.channel, i.direction, i.occurred_at, i.user_id, \
    i.subject, i.summary, i.tags, i.beyond_contract, i.related_kind, i.related_id, i.external_ref, i.answered_by, \
    i.response_seconds, i.answer_linked, i.follow_up_what, i.follow_up_user_id, i.follow_up_due, \
    i.follow_up_done_at, i.search_text, i.version, i.created_at, i.updated_at";

const INSERT_COLUMNS: &str = "id, workspace_id, account_id, channel, direction, occurred_at, user_id, subject, \
    summary, tags, beyond_contract, related_kind, related_id, external_ref, answered_by, response_seconds, \
    answer_linked, follow_up_what, follow_up_user_id, follow_up_due, follow_up_done_at, search_text, version, \
    created_at, updated_at";

impl InteractionRow {
    /// Converts to the domain type, refusing values the code never writes.
    pub fn into_interaction(self, contact_ids: Vec<Uuid>) -> DbResult<Interaction> {
        let corrupt = |what: &str| DbError::Corrupt(format!("interactions.{what} of {}", self.id));
        let channel = Channel::parse(&self.channel).ok_or_else(|| corrupt("channel"))?;
        let direction = Direction::parse(&self.direction).ok_or_else(|| corrupt("direction"))?;
        let follow_up = match (self.follow_up_what, self.follow_up_user_id, self.follow_up_due) {
            (Some(what), Some(user_id), Some(due)) => Some(FollowUp {
                what,
                user_id,
                due,
                done_at: self.follow_up_done_at,
            }),
            (None, None, None) => None,
            _ => return Err(corrupt("follow_up")),
        };
        Ok(Interaction {
            id: self.id,
            workspace_id: self.workspace_id,
            account_id: self.account_id,
            channel,
            direction,
            occurred_at: self.occurred_at,
            user_id: self.user_id,
            contact_ids,
            subject: self.subject,
            summary: self.summary,
            tags: self
                .tags
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            beyond_contract: self.beyond_contract,
            related_kind: self.related_kind,
            related_id: self.related_id,
            external_ref: self.external_ref,
            answered_by: self.answered_by,
            response_seconds: self.response_seconds,
            answer_linked: self.answer_linked,
            follow_up,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    /// Builds the row of a validated interaction; `user_id` is the resolved user
    /// (the input's, or the person logging it), also the default follow-up owner.
    pub fn from_new(id: Uuid, workspace: Uuid, user_id: Uuid, n: &NewInteraction, now: DateTime<Utc>) -> Self {
        let f = n.follow_up.as_ref();
        InteractionRow {
            id,
            workspace_id: workspace,
            account_id: n.account_id,
            channel: n.channel.code().to_owned(),
            direction: n.direction.code().to_owned(),
            occurred_at: n.occurred_at,
            user_id,
            subject: n.subject.clone(),
            summary: n.summary.clone(),
            tags: n.tags.join(","),
            beyond_contract: n.beyond_contract,
            related_kind: n.related_kind.clone(),
            related_id: n.related_id,
            external_ref: n.external_ref.clone(),
            answered_by: None,
            response_seconds: None,
            answer_linked: false,
            follow_up_what: f.map(|f| f.what.clone()),
            follow_up_user_id: f.map(|f| f.user_id.unwrap_or(user_id)),
            follow_up_due: f.map(|f| f.due),
            follow_up_done_at: None,
            search_text: n.search_text(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The direction, read back.
    pub fn direction(&self) -> Option<Direction> {
        Direction::parse(&self.direction)
    }
}

/// A value of a bulk statement: bound, or a literal for the nullable types
/// [`Arg`] has no variant for (a typed NULL, so PostgreSQL infers the column).
enum Val {
    Bind(Arg),
    Lit(&'static str),
}

fn push_val(b: &mut SqlBuilder, v: Val) {
    match v {
        Val::Bind(a) => {
            b.bind(a);
        }
        Val::Lit(l) => {
            b.push(l);
        }
    }
}

fn opt_i64(v: Option<i64>) -> Val {
    v.map_or(Val::Lit("CAST(NULL AS BIGINT)"), |v| Val::Bind(Arg::I64(v)))
}

fn row_values(r: &InteractionRow) -> [Val; 25] {
    use Val::Bind;
    [
        Bind(Arg::Uuid(r.id)),
        Bind(Arg::Uuid(r.workspace_id)),
        Bind(Arg::Uuid(r.account_id)),
        Bind(Arg::Text(r.channel.clone())),
        Bind(Arg::Text(r.direction.clone())),
        Bind(Arg::Instant(r.occurred_at)),
        Bind(Arg::Uuid(r.user_id)),
        Bind(Arg::OptText(r.subject.clone())),
        Bind(Arg::OptText(r.summary.clone())),
        Bind(Arg::Text(r.tags.clone())),
        Bind(Arg::Bool(r.beyond_contract)),
        Bind(Arg::OptText(r.related_kind.clone())),
        Bind(Arg::OptUuid(r.related_id)),
        Bind(Arg::OptText(r.external_ref.clone())),
        Bind(Arg::OptUuid(r.answered_by)),
        opt_i64(r.response_seconds),
        Bind(Arg::Bool(r.answer_linked)),
        Bind(Arg::OptText(r.follow_up_what.clone())),
        Bind(Arg::OptUuid(r.follow_up_user_id)),
        Bind(Arg::OptDate(r.follow_up_due)),
        // INSERT coerces a bare NULL to the column's type on both engines.
        r.follow_up_done_at.map_or(Val::Lit("NULL"), |d| Bind(Arg::Instant(d))),
        Bind(Arg::Text(r.search_text.clone())),
        Bind(Arg::I64(r.version)),
        Bind(Arg::Instant(r.created_at)),
        Bind(Arg::Instant(r.updated_at)),
    ]
}

/// Inserts many rows as they are (copies, generated histories, rows whose answers
/// are computed) with multi-row `INSERT`s, their contacts (`(workspace,
/// interaction, contact)` triples) and, on SQLite, their search index entries in
/// one set-based statement. First responses are not computed here: see
/// [`insert_new`] and [`Touches`].
pub async fn insert_rows(
    conn: &mut Conn<'_>,
    rows: &[InteractionRow],
    contacts: &[(Uuid, Uuid, Uuid)],
) -> DbResult<()> {
    let mark = dialect::search_mark(conn, "interactions").await?;
    let engine = conn.engine();
    let statements = rows.chunks(dialect::rows_per_insert(engine, 25)).map(|chunk| {
        let mut b = SqlBuilder::bulk(&format!("INSERT INTO interactions ({INSERT_COLUMNS}) VALUES "), engine);
        for (i, r) in chunk.iter().enumerate() {
            b.push(if i == 0 { "(" } else { ", (" });
            for (j, v) in row_values(r).into_iter().enumerate() {
                if j > 0 {
                    b.push(", ");
                }
                push_val(&mut b, v);
            }
            b.push(")");
        }
        b
    });
    execute_all(conn, statements).await?;
    insert_contacts(conn, contacts).await?;
    dialect::index_new_rows(conn, "interactions", mark).await?;
    Ok(())
}

/// Stored rows read at most per account by [`insert_new`]; past it the account's
/// answers are left to [`Touches`] (an import overlapping a long history).
const WINDOW_CAP: usize = 2_000;

/// Inserts interactions being logged (unanswered, unlinked) and records them in
/// `touches`, which then brings first responses up to date.
///
/// On SQLite, when the stored part of an account's touched window is small (new
/// exchanges arrive near the end of the history, as they mostly do), it is read
/// before the insert and the window's answers are computed here: new inbounds are
/// inserted with theirs and only stored inbounds whose answer changes are
/// rewritten. Writing every new inbound twice was a sixth of a batch import's
/// time, and SQLite hands rows back one at a time. PostgreSQL, and larger windows,
/// go through [`Touches`].
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
    if dialect::answers_from_additions(conn.engine()) {
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
    } else {
        rows.iter().for_each(|r| touches.row(r));
    }
    insert_rows(conn, rows, contacts).await?;
    changes.sort_by_key(|c| c.0);
    write_answers(conn, workspace, &changes).await?;
    Ok(())
}

/// A stored account window for [`insert_new`]: its automatic inbounds and outbounds
/// after the last outbound before the window, and the first outbound after it.
struct StoredWindow {
    rows: Vec<WindowRow>,
    next: Option<Outbound>,
}

/// `(id, direction, instant, answered_by, response_seconds)` of a stored row.
type WindowRow = (Uuid, String, DateTime<Utc>, Option<Uuid>, Option<i64>);

/// Reads the stored part of the account's window `[lo, hi]` (`None`: unbounded)
/// widened back to the previous outbound, or `None` when it holds more than `cap` rows.
async fn read_window(
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
type Answer = (Option<Uuid>, Option<i64>);

/// A stored inbound's new answer: `(id, answered_by, response_seconds)`.
type AnswerChange = (Uuid, Option<Uuid>, Option<i64>);

/// The first responses of a stored window with `added` rows `(id, direction,
/// instant)` in it: the answers of the added inbounds, and the stored inbounds
/// whose answer changes as `(id, answered_by, response_seconds)`, in id order.
fn window_answers(
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

async fn insert_contacts(conn: &mut Conn<'_>, links: &[(Uuid, Uuid, Uuid)]) -> DbResult<()> {
    for chunk in links.chunks(dialect::rows_per_insert(conn.engine(), 3)) {
        let mut b = SqlBuilder::bulk(
            "INSERT INTO interaction_contacts (workspace_id, interaction_id, contact_id) VALUES ",
            conn.engine(),
        );
        for (i, (w, n, c)) in chunk.iter().enumerate() {
            b.push(if i == 0 { "(" } else { ", (" });
            b.bind(Arg::Uuid(*w)).push(", ").bind(Arg::Uuid(*n)).push(", ");
            b.bind(Arg::Uuid(*c)).push(")");
        }
        execute(conn, b).await?;
    }
    Ok(())
}

/// The contacts of each of these interactions, by interaction id.
pub async fn contacts_of(conn: &mut Conn<'_>, workspace: Uuid, ids: &[Uuid]) -> DbResult<HashMap<Uuid, Vec<Uuid>>> {
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut b = SqlBuilder::bulk(
            "SELECT interaction_id, contact_id FROM interaction_contacts WHERE workspace_id = ",
            conn.engine(),
        );
        b.bind(Arg::Uuid(workspace)).push(" AND ");
        b.push_in("interaction_id", chunk);
        let (sql, args) = (b.sql, b.args);
        let pairs: Vec<(Uuid, Uuid)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        for (i, c) in pairs {
            out.entry(i).or_default().push(c);
        }
    }
    Ok(out)
}

async fn with_contacts(conn: &mut Conn<'_>, workspace: Uuid, rows: Vec<InteractionRow>) -> DbResult<Vec<Interaction>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut contacts = contacts_of(conn, workspace, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let c = contacts.remove(&r.id).unwrap_or_default();
            r.into_interaction(c)
        })
        .collect()
}

/// The tables whose ids an interaction may reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefTable {
    /// Accounts.
    Accounts,
    /// Contacts.
    Contacts,
    /// Users.
    Users,
}

/// Which of `ids` exist in `table` within the workspace (one query per 500 ids).
pub async fn existing_ids(
    conn: &mut Conn<'_>,
    table: RefTable,
    workspace: Uuid,
    ids: &[Uuid],
) -> DbResult<HashSet<Uuid>> {
    let name = match table {
        RefTable::Accounts => "accounts",
        RefTable::Contacts => "contacts",
        RefTable::Users => "users",
    };
    let mut found = HashSet::new();
    for chunk in ids.chunks(500) {
        let mut b = SqlBuilder::bulk(&format!("SELECT id FROM {name} WHERE workspace_id = "), conn.engine());
        b.bind(Arg::Uuid(workspace)).push(" AND ");
        b.push_in("id", chunk);
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<Uuid> = with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        found.extend(rows);
    }
    Ok(found)
}

/// The interactions already holding any of these external references, by reference.
pub async fn ids_by_external_ref(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    refs: &[String],
) -> DbResult<HashMap<String, Uuid>> {
    let mut out = HashMap::new();
    for chunk in refs.chunks(500) {
        let mut b = SqlBuilder::bulk(
            "SELECT external_ref, id FROM interactions WHERE workspace_id = ",
            conn.engine(),
        );
        b.bind(Arg::Uuid(workspace)).push(" AND external_ref IN (");
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Arg::Text(r.clone()));
        }
        b.push(")");
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<(String, Uuid)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Serialises writers of these accounts' timelines until the transaction ends, so
/// two transactions never compute first responses from each other's stale view.
///
/// PostgreSQL takes row locks in id order (no deadlock between two batches);
/// SQLite already has a single writer, so nothing is needed there.
pub async fn lock_accounts(conn: &mut Conn<'_>, workspace: Uuid, accounts: &[Uuid]) -> DbResult<()> {
    if let Conn::Postgres(c) = conn {
        let mut ids = accounts.to_vec();
        ids.sort();
        ids.dedup();
        sqlx::query("SELECT id FROM accounts WHERE workspace_id = $1 AND id = ANY($2) ORDER BY id FOR NO KEY UPDATE")
            .bind(workspace)
            .bind(&ids)
            .fetch_all(&mut **c)
            .await?;
    }
    Ok(())
}

/// Finds a stored row of the workspace.
pub async fn find_row(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<InteractionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM interactions i WHERE i.workspace_id = $1 AND i.id = $2");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Finds an interaction of the workspace with its contacts.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Interaction>> {
    match find_row(conn, workspace, id).await? {
        Some(row) => Ok(with_contacts(conn, workspace, vec![row]).await?.pop()),
        None => Ok(None),
    }
}

/// Replaces an interaction's fields if its version is still `expected_version`.
///
/// `reset_answer` clears the row's own first response (its instant, direction or
/// account changed); the follow-up's done mark is kept unless the follow-up is removed.
pub async fn update(
    conn: &mut Conn<'_>,
    expected_version: i64,
    r: &InteractionRow,
    contacts: &[Uuid],
    reset_answer: bool,
) -> DbResult<UpdateOutcome<()>> {
    let mut b = SqlBuilder::new("UPDATE interactions SET account_id = ");
    b.bind(Arg::Uuid(r.account_id));
    b.push(", channel = ").bind(Arg::Text(r.channel.clone()));
    b.push(", direction = ").bind(Arg::Text(r.direction.clone()));
    b.push(", occurred_at = ").bind(Arg::Instant(r.occurred_at));
    b.push(", user_id = ").bind(Arg::Uuid(r.user_id));
    b.push(", subject = ").bind(Arg::OptText(r.subject.clone()));
    b.push(", summary = ").bind(Arg::OptText(r.summary.clone()));
    b.push(", tags = ").bind(Arg::Text(r.tags.clone()));
    b.push(", beyond_contract = ").bind(Arg::Bool(r.beyond_contract));
    b.push(", related_kind = ").bind(Arg::OptText(r.related_kind.clone()));
    b.push(", related_id = ").bind(Arg::OptUuid(r.related_id));
    b.push(", external_ref = ").bind(Arg::OptText(r.external_ref.clone()));
    b.push(", follow_up_what = ")
        .bind(Arg::OptText(r.follow_up_what.clone()));
    b.push(", follow_up_user_id = ").bind(Arg::OptUuid(r.follow_up_user_id));
    b.push(", follow_up_due = ").bind(Arg::OptDate(r.follow_up_due));
    if r.follow_up_what.is_none() {
        b.push(", follow_up_done_at = NULL");
    }
    if reset_answer {
        b.push(", answered_by = NULL, response_seconds = NULL, answer_linked = FALSE");
    }
    b.push(", search_text = ").bind(Arg::Text(r.search_text.clone()));
    b.push(", version = version + 1, updated_at = ")
        .bind(Arg::Instant(r.updated_at));
    b.push(" WHERE workspace_id = ").bind(Arg::Uuid(r.workspace_id));
    b.push(" AND id = ").bind(Arg::Uuid(r.id));
    b.push(" AND version = ").bind(Arg::I64(expected_version));
    if execute(conn, b).await? == 0 {
        return Ok(match current_version(conn, r.workspace_id, r.id).await? {
            Some(v) => UpdateOutcome::Stale(v),
            None => UpdateOutcome::NotFound,
        });
    }
    with_conn!(conn, |c| sqlx::query(
        "DELETE FROM interaction_contacts WHERE workspace_id = $1 AND interaction_id = $2"
    )
    .bind(r.workspace_id)
    .bind(r.id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    let links: Vec<_> = contacts.iter().map(|c| (r.workspace_id, r.id, *c)).collect();
    insert_contacts(conn, &links).await?;
    Ok(UpdateOutcome::Updated(()))
}

async fn current_version(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<i64>> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT version FROM interactions WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Deletes an interaction (its contact links go with it).
pub async fn delete(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM interactions WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
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
async fn write_answers(
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

type Outbound = (Uuid, DateTime<Utc>);

/// The account's nearest outbound strictly before (`before = true`) or after `at`.
async fn outbound_near(
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
const ADDITIONS_PER_STATEMENT: usize = 1_000;

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
async fn answer_additions(
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
    accounts: BTreeMap<Uuid, Touched>,
}

#[derive(Debug, Default)]
struct Touched {
    lo: Option<DateTime<Utc>>,
    hi: Option<DateTime<Utc>>,
    /// An outbound left or moved: recompute the whole window.
    outbound_removed: bool,
    /// Outbounds that appeared, `(id, instant)`.
    added: Vec<(Uuid, DateTime<Utc>)>,
    inbounds: Vec<(Uuid, DateTime<Utc>)>,
}

impl Touched {
    fn widen(&mut self, at: DateTime<Utc>) {
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
    fn widen(&mut self, account: Uuid, at: DateTime<Utc>) {
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
            n += if t.outbound_removed || !dialect::answers_from_additions(conn.engine()) {
                refresh_window(conn, workspace, account, t.lo, t.hi).await?
            } else {
                answer_additions(conn, workspace, account, &t.added, &t.inbounds).await?
            };
        }
        Ok(n)
    }
}

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
struct FollowUpRow {
    #[sqlx(flatten)]
    row: InteractionRow,
    account_name: String,
}

/// A user's open follow-ups due on or before `until`, soonest first, at most `limit`.
pub async fn open_follow_ups(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    user: Uuid,
    until: NaiveDate,
    limit: i64,
) -> DbResult<Vec<FollowUpItem>> {
    let sql = format!(
        "SELECT {COLUMNS}, a.name AS account_name FROM interactions i \
         JOIN accounts a ON a.workspace_id = i.workspace_id AND a.id = i.account_id \
         WHERE i.workspace_id = $1 AND i.follow_up_user_id = $2 AND i.follow_up_done_at IS NULL \
         AND i.follow_up_due <= $3 ORDER BY i.follow_up_due, i.id LIMIT $4"
    );
    let rows: Vec<FollowUpRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(user)
        .bind(until)
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
