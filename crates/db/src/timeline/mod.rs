//! Interactions: bulk storage, the keyset-paginated timeline, follow-ups, and
//! first responses kept up to date incrementally.
//!
//! First responses are maintained by recomputing a window of one account's
//! timeline with [`bilan_domain::timeline::first_responses`], never by loading the
//! whole timeline: see [`Touches`] for why the window is enough.

use crate::accounts::UpdateOutcome;
use crate::{bind_args, dialect, execute, with_conn, Arg, Conn, DbError, DbResult, Engine, SqlBuilder};
use bilan_domain::pagination::Cursor;
use bilan_domain::timeline::{first_responses, Channel, Direction, FollowUp, Interaction, NewInteraction};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

mod answers;
mod reads;

pub use answers::*;
pub use reads::*;

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

/// A value of a `VALUES` list: bound, or a typed NULL literal, so PostgreSQL
/// infers the column of a list that is not inserted into a table.
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

/// A row's values in the order of `INSERT_COLUMNS`.
fn row_args(r: &InteractionRow) -> Vec<Arg> {
    vec![
        Arg::Uuid(r.id),
        Arg::Uuid(r.workspace_id),
        Arg::Uuid(r.account_id),
        Arg::Text(r.channel.clone()),
        Arg::Text(r.direction.clone()),
        Arg::Instant(r.occurred_at),
        Arg::Uuid(r.user_id),
        Arg::OptText(r.subject.clone()),
        Arg::OptText(r.summary.clone()),
        Arg::Text(r.tags.clone()),
        Arg::Bool(r.beyond_contract),
        Arg::OptText(r.related_kind.clone()),
        Arg::OptUuid(r.related_id),
        Arg::OptText(r.external_ref.clone()),
        Arg::OptUuid(r.answered_by),
        Arg::OptI64(r.response_seconds),
        Arg::Bool(r.answer_linked),
        Arg::OptText(r.follow_up_what.clone()),
        Arg::OptUuid(r.follow_up_user_id),
        Arg::OptDate(r.follow_up_due),
        Arg::OptInstant(r.follow_up_done_at),
        Arg::Text(r.search_text.clone()),
        Arg::I64(r.version),
        Arg::Instant(r.created_at),
        Arg::Instant(r.updated_at),
    ]
}

/// Inserts many rows as they are (copies, generated histories, rows whose answers
/// are computed) in bulk, their contacts (`(workspace,
/// interaction, contact)` triples) and, on SQLite, their search index entries in
/// one set-based statement. First responses are not computed here: see
/// [`insert_new`] and [`Touches`].
pub async fn insert_rows(
    conn: &mut Conn<'_>,
    rows: &[InteractionRow],
    contacts: &[(Uuid, Uuid, Uuid)],
) -> DbResult<()> {
    let mark = dialect::search_mark(conn, "interactions").await?;
    crate::bulk::insert_values(conn, "interactions", INSERT_COLUMNS, rows, row_args).await?;
    insert_contacts(conn, contacts).await?;
    dialect::index_new_rows(conn, "interactions", mark).await?;
    dialect::refresh_statistics(conn, "interactions", rows.len()).await?;
    Ok(())
}

async fn insert_contacts(conn: &mut Conn<'_>, links: &[(Uuid, Uuid, Uuid)]) -> DbResult<()> {
    let columns = "workspace_id, interaction_id, contact_id";
    crate::bulk::insert_values(conn, "interaction_contacts", columns, links, |(w, n, c)| {
        vec![Arg::Uuid(*w), Arg::Uuid(*n), Arg::Uuid(*c)]
    })
    .await
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
    /// Interactions.
    Interactions,
    /// Survey answers.
    SurveyAnswers,
    /// Complaints.
    Complaints,
}

impl RefTable {
    /// The table an interaction's `related_kind` points into.
    pub fn of_related_kind(kind: &str) -> Option<RefTable> {
        match kind {
            "account" => Some(RefTable::Accounts),
            "contact" => Some(RefTable::Contacts),
            "interaction" => Some(RefTable::Interactions),
            "survey_answer" => Some(RefTable::SurveyAnswers),
            "complaint" => Some(RefTable::Complaints),
            _ => None,
        }
    }
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
        RefTable::Interactions => "interactions",
        RefTable::SurveyAnswers => "survey_answers",
        RefTable::Complaints => "complaints",
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

/// The exchanges about a record (`related_kind`, `related_id`), oldest first.
pub async fn related_to(conn: &mut Conn<'_>, workspace: Uuid, kind: &str, id: Uuid) -> DbResult<Vec<Interaction>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM interactions i WHERE i.related_id = $2 AND i.workspace_id = $1 AND i.related_kind = $3 \
         ORDER BY i.occurred_at, i.id LIMIT 500"
    );
    let rows: Vec<InteractionRow> = with_conn!(&mut *conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .bind(kind)
        .fetch_all(&mut **c)
        .await)?;
    with_contacts(conn, workspace, rows).await
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
