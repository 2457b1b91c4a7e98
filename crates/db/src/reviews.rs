//! Reviews: the meeting with its attendees, agenda, frozen pack and what was
//! recorded; the action items and the reminders sent about them; the minutes
//! produced; the workspace's minutes template.

use crate::bulk::{columns, insert_rows, select, upsert_rows, Insertable};
use crate::health::copier;
use crate::{bind_args, table_row, with_conn, Arg, Conn, DbResult, SqlBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

table_row! {
    /// A review.
    pub struct ReviewRow in "reviews" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `kind`.
        kind: String => Text,
        /// Column `state`.
        state: String => Text,
        /// Column `period_from`.
        period_from: NaiveDate => Date,
        /// Column `period_to`.
        period_to: NaiveDate => Date,
        /// Column `planned_on`.
        planned_on: NaiveDate => Date,
        /// Column `starts_at` (local HH:MM).
        starts_at: String => Text,
        /// Column `duration_minutes`.
        duration_minutes: i32 => I32,
        /// Column `location`.
        location: Option<String> => OptText,
        /// Column `lang`.
        lang: String => Text,
        /// Column `agenda_json`.
        agenda_json: String => Text,
        /// Column `ics_sequence`.
        ics_sequence: i32 => I32,
        /// Column `invitation_sent_at`.
        invitation_sent_at: Option<DateTime<Utc>> => OptInstant,
        /// Column `pack_json`.
        pack_json: Option<String> => OptText,
        /// Column `prepared_at`.
        prepared_at: Option<DateTime<Utc>> => OptInstant,
        /// Column `draft_json`.
        draft_json: Option<String> => OptText,
        /// Column `held_on`.
        held_on: Option<NaiveDate> => OptDate,
        /// Column `held_at`.
        held_at: Option<DateTime<Utc>> => OptInstant,
        /// Column `round_table_json`.
        round_table_json: Option<String> => OptText,
        /// Column `decisions_json`.
        decisions_json: Option<String> => OptText,
        /// Column `notes`.
        notes: Option<String> => OptText,
        /// Column `minutes_sent_at`.
        minutes_sent_at: Option<DateTime<Utc>> => OptInstant,
        /// Column `closed_at`.
        closed_at: Option<DateTime<Utc>> => OptInstant,
        /// Column `cancelled_at`.
        cancelled_at: Option<DateTime<Utc>> => OptInstant,
        /// Column `follows_id`.
        follows_id: Option<Uuid> => OptUuid,
        /// Column `created_by`.
        created_by: Option<Uuid> => OptUuid,
        /// Column `version`.
        version: i64 => I64,
        /// Column `created_at`.
        created_at: DateTime<Utc> => Instant,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// Someone at a review.
    pub struct AttendeeRow in "review_attendees" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `review_id`.
        review_id: Uuid => Uuid,
        /// Column `side`.
        side: String => Text,
        /// Column `role`.
        role: String => Text,
        /// Column `contact_id`.
        contact_id: Option<Uuid> => OptUuid,
        /// Column `user_id`.
        user_id: Option<Uuid> => OptUuid,
        /// Column `name`.
        name: String => Text,
        /// Column `email`.
        email: Option<String> => OptText,
        /// Column `position`.
        position: i32 => I32,
    }
}

table_row! {
    /// An action item of a review's plan.
    pub struct ActionRow in "review_actions" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `review_id`.
        review_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `what`.
        what: String => Text,
        /// Column `side`.
        side: String => Text,
        /// Column `owner_user_id`.
        owner_user_id: Option<Uuid> => OptUuid,
        /// Column `owner_contact_id`.
        owner_contact_id: Option<Uuid> => OptUuid,
        /// Column `owner_name`.
        owner_name: String => Text,
        /// Column `due_on`.
        due_on: NaiveDate => Date,
        /// Column `status`.
        status: String => Text,
        /// Column `done_on`.
        done_on: Option<NaiveDate> => OptDate,
        /// Column `note`.
        note: Option<String> => OptText,
        /// Column `position`.
        position: i32 => I32,
        /// Column `version`.
        version: i64 => I64,
        /// Column `created_at`.
        created_at: DateTime<Utc> => Instant,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// A reminder sent about an action item.
    pub struct ReminderRow in "review_action_reminders" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `action_id`.
        action_id: Uuid => Uuid,
        /// Column `step`.
        step: String => Text,
        /// Column `sent_at`.
        sent_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// The minutes in one format.
    pub struct DocumentRow in "review_documents" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `review_id`.
        review_id: Uuid => Uuid,
        /// Column `format` (`pdf`, `docx`).
        format: String => Text,
        /// Column `lang`.
        lang: String => Text,
        /// Column `filename`.
        filename: String => Text,
        /// Column `content`.
        content: Vec<u8> => Bytes,
        /// Column `created_at`.
        created_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// The workspace's minutes template.
    pub struct ReviewSettingsRow in "review_settings" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `settings_json`.
        settings_json: String => Text,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

/// Stores a new review.
pub async fn insert(conn: &mut Conn<'_>, row: &ReviewRow) -> DbResult<()> {
    insert_rows(conn, std::slice::from_ref(row)).await
}

/// A review.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<ReviewRow>> {
    Ok(select(conn, workspace, &[("id", Arg::Uuid(id))], "")
        .await?
        .into_iter()
        .next())
}

/// Writes every column of a review if it is still at `expected` (its version is
/// raised by one); false when someone else changed it first.
pub async fn update(conn: &mut Conn<'_>, row: &ReviewRow, expected: i64) -> DbResult<bool> {
    let mut b = SqlBuilder::new("UPDATE reviews SET ");
    let values = row.values();
    let mut first = true;
    for (column, value) in ReviewRow::COLUMNS.iter().zip(values) {
        if matches!(*column, "id" | "workspace_id" | "version" | "created_at" | "created_by") {
            continue;
        }
        if !first {
            b.push(", ");
        }
        first = false;
        b.push(column).push(" = ").bind(value);
    }
    b.push(", version = version + 1 WHERE workspace_id = ")
        .bind(Arg::Uuid(row.workspace_id))
        .push(" AND id = ")
        .bind(Arg::Uuid(row.id))
        .push(" AND version = ")
        .bind(Arg::I64(expected));
    let n = with_conn!(conn, |c| bind_args!(sqlx::query(&b.sql), &b.args)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A review as lists show it, with its account's name and its action plan's state.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListedReview {
    /// Review id.
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Account name.
    pub account_name: String,
    /// Account owner.
    pub owner_id: Option<Uuid>,
    /// Kind code.
    pub kind: String,
    /// State code.
    pub state: String,
    /// Day planned.
    pub planned_on: NaiveDate,
    /// Day held.
    pub held_on: Option<NaiveDate>,
    /// Period start.
    pub period_from: NaiveDate,
    /// Period end.
    pub period_to: NaiveDate,
    /// Action items.
    pub actions: i64,
    /// Of which open.
    pub open_actions: i64,
}

/// Which reviews a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// One account.
    pub account_id: Option<Uuid>,
    /// Accounts of one owner.
    pub owner_id: Option<Uuid>,
    /// One state.
    pub state: Option<String>,
    /// One kind.
    pub kind: Option<String>,
    /// Planned on or after.
    pub from: Option<NaiveDate>,
    /// Planned on or before.
    pub to: Option<NaiveDate>,
}

/// Reviews matching `f`, by day planned (newest first when `newest_first`), at most `limit`.
pub async fn list(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    f: &ReviewFilter,
    newest_first: bool,
    limit: i64,
) -> DbResult<Vec<ListedReview>> {
    let mut b = SqlBuilder::new(
        "SELECT r.id, r.account_id, a.name AS account_name, a.owner_id, r.kind, r.state, r.planned_on, r.held_on, \
         r.period_from, r.period_to, \
         (SELECT COUNT(*) FROM review_actions x WHERE x.workspace_id = r.workspace_id AND x.review_id = r.id) AS actions, \
         (SELECT COUNT(*) FROM review_actions x WHERE x.workspace_id = r.workspace_id AND x.review_id = r.id \
          AND x.status = 'open') AS open_actions \
         FROM reviews r JOIN accounts a ON a.workspace_id = r.workspace_id AND a.id = r.account_id \
         WHERE r.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace));
    if let Some(a) = f.account_id {
        b.push(" AND r.account_id = ").bind(Arg::Uuid(a));
    }
    if let Some(o) = f.owner_id {
        b.push(" AND a.owner_id = ").bind(Arg::Uuid(o));
    }
    if let Some(s) = &f.state {
        b.push(" AND r.state = ").bind(Arg::Text(s.clone()));
    }
    if let Some(k) = &f.kind {
        b.push(" AND r.kind = ").bind(Arg::Text(k.clone()));
    }
    if let Some(d) = f.from {
        b.push(" AND r.planned_on >= ").bind(Arg::Date(d));
    }
    if let Some(d) = f.to {
        b.push(" AND r.planned_on <= ").bind(Arg::Date(d));
    }
    b.push(if newest_first {
        " ORDER BY r.planned_on DESC, r.id"
    } else {
        " ORDER BY r.planned_on, r.id"
    });
    b.push(" LIMIT ").bind(Arg::I64(limit));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// A review's attendees, in order.
pub async fn attendees(conn: &mut Conn<'_>, workspace: Uuid, review: Uuid) -> DbResult<Vec<AttendeeRow>> {
    select(conn, workspace, &[("review_id", Arg::Uuid(review))], "position").await
}

/// Replaces a review's attendees.
pub async fn replace_attendees(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    review: Uuid,
    rows: &[AttendeeRow],
) -> DbResult<()> {
    with_conn!(conn, |c| sqlx::query(
        "DELETE FROM review_attendees WHERE workspace_id = $1 AND review_id = $2"
    )
    .bind(workspace)
    .bind(review)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    insert_rows(conn, rows).await
}

/// Stores action items.
pub async fn insert_actions(conn: &mut Conn<'_>, rows: &[ActionRow]) -> DbResult<()> {
    insert_rows(conn, rows).await
}

/// A review's action items, in order.
pub async fn actions_of(conn: &mut Conn<'_>, workspace: Uuid, review: Uuid) -> DbResult<Vec<ActionRow>> {
    select(conn, workspace, &[("review_id", Arg::Uuid(review))], "position").await
}

/// One action item.
pub async fn action(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<ActionRow>> {
    Ok(select(conn, workspace, &[("id", Arg::Uuid(id))], "")
        .await?
        .into_iter()
        .next())
}

/// Changes an action item's status, date done, note, owner and due date if still at `expected`.
pub async fn update_action(conn: &mut Conn<'_>, row: &ActionRow, expected: i64) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE review_actions SET status = $3, done_on = $4, note = $5, due_on = $6, owner_user_id = $7, \
         owner_contact_id = $8, owner_name = $9, side = $10, what = $11, updated_at = $12, version = version + 1 \
         WHERE workspace_id = $1 AND id = $2 AND version = $13"
    )
    .bind(row.workspace_id)
    .bind(row.id)
    .bind(&row.status)
    .bind(row.done_on)
    .bind(&row.note)
    .bind(row.due_on)
    .bind(row.owner_user_id)
    .bind(row.owner_contact_id)
    .bind(&row.owner_name)
    .bind(&row.side)
    .bind(&row.what)
    .bind(row.updated_at)
    .bind(expected)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// An action item as lists show it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListedAction {
    /// The item's columns.
    #[sqlx(flatten)]
    pub action: ActionRow,
    /// Account name.
    pub account_name: String,
    /// The review's day.
    pub review_on: NaiveDate,
    /// The review's kind.
    pub review_kind: String,
}

/// Which action items a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFilter {
    /// One account.
    pub account_id: Option<Uuid>,
    /// One owner (a user).
    pub owner_user_id: Option<Uuid>,
    /// One status.
    pub status: Option<String>,
    /// Due before this day (overdue when combined with `open`).
    pub due_before: Option<NaiveDate>,
    /// Due on or before this day.
    pub due_until: Option<NaiveDate>,
}

/// Action items matching `f`, by due date, at most `limit`.
pub async fn list_actions(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    f: &ActionFilter,
    limit: i64,
) -> DbResult<Vec<ListedAction>> {
    let cols: Vec<String> = ActionRow::COLUMNS.iter().map(|c| format!("x.{c}")).collect();
    let mut b = SqlBuilder::new(&format!(
        "SELECT {}, a.name AS account_name, COALESCE(r.held_on, r.planned_on) AS review_on, r.kind AS review_kind \
         FROM review_actions x JOIN reviews r ON r.workspace_id = x.workspace_id AND r.id = x.review_id \
         JOIN accounts a ON a.workspace_id = x.workspace_id AND a.id = x.account_id WHERE x.workspace_id = ",
        cols.join(", ")
    ));
    b.bind(Arg::Uuid(workspace));
    if let Some(a) = f.account_id {
        b.push(" AND x.account_id = ").bind(Arg::Uuid(a));
    }
    if let Some(o) = f.owner_user_id {
        b.push(" AND x.owner_user_id = ").bind(Arg::Uuid(o));
    }
    if let Some(s) = &f.status {
        b.push(" AND x.status = ").bind(Arg::Text(s.clone()));
    }
    if let Some(d) = f.due_before {
        b.push(" AND x.due_on < ").bind(Arg::Date(d));
    }
    if let Some(d) = f.due_until {
        b.push(" AND x.due_on <= ").bind(Arg::Date(d));
    }
    b.push(" ORDER BY x.due_on, x.id LIMIT ").bind(Arg::I64(limit));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Open action items due on or before `until` (the reminder run's candidates),
/// after `after` in id order, `limit` at a time.
pub async fn open_actions_due(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    until: NaiveDate,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<ActionRow>> {
    let sql = format!(
        "SELECT {} FROM review_actions WHERE workspace_id = $1 AND status = 'open' AND due_on <= $2 \
         AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4",
        columns::<ActionRow>()
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(until)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// Reminders already sent about these items: (item, step).
pub async fn reminders_sent(conn: &mut Conn<'_>, workspace: Uuid, actions: &[Uuid]) -> DbResult<Vec<(Uuid, String)>> {
    if actions.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new("SELECT action_id, step FROM review_action_reminders WHERE workspace_id = ");
    b.bind(Arg::Uuid(workspace)).push(" AND ");
    b.push_in("action_id", actions);
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Records a reminder; false when it was already recorded (another run sent it).
pub async fn record_reminder(conn: &mut Conn<'_>, row: &ReminderRow) -> DbResult<bool> {
    let n = with_conn!(conn, |c| {
        sqlx::query(
        "INSERT INTO review_action_reminders (id, workspace_id, action_id, step, sent_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (workspace_id, action_id, step) DO NOTHING"
    )
    .bind(row.id)
    .bind(row.workspace_id)
    .bind(row.action_id)
    .bind(&row.step)
    .bind(row.sent_at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Stores (or replaces) the minutes in one format.
pub async fn save_document(conn: &mut Conn<'_>, row: &DocumentRow) -> DbResult<()> {
    upsert_rows(
        conn,
        std::slice::from_ref(row),
        "(workspace_id, review_id, format) DO UPDATE SET id = excluded.id, lang = excluded.lang, \
         filename = excluded.filename, content = excluded.content, created_at = excluded.created_at",
    )
    .await
}

/// The minutes of a review in one format.
pub async fn document(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    review: Uuid,
    format: &str,
) -> DbResult<Option<DocumentRow>> {
    Ok(select(
        conn,
        workspace,
        &[
            ("review_id", Arg::Uuid(review)),
            ("format", Arg::Text(format.to_owned())),
        ],
        "",
    )
    .await?
    .into_iter()
    .next())
}

/// A document as listed (without its content).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DocumentInfo {
    /// Format.
    pub format: String,
    /// File name.
    pub filename: String,
    /// Size in bytes.
    pub size: i64,
    /// Made at.
    pub created_at: DateTime<Utc>,
}

/// The documents of a review, without their content.
pub async fn documents(conn: &mut Conn<'_>, workspace: Uuid, review: Uuid) -> DbResult<Vec<DocumentInfo>> {
    Ok(with_conn!(conn, |c| sqlx::query_as(
        "SELECT format, filename, CAST(LENGTH(content) AS BIGINT) AS size, created_at FROM review_documents \
         WHERE workspace_id = $1 AND review_id = $2 ORDER BY format"
    )
    .bind(workspace)
    .bind(review)
    .fetch_all(&mut **c)
    .await)?)
}

/// The workspace's minutes template, if saved.
pub async fn settings(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Option<ReviewSettingsRow>> {
    Ok(select(conn, workspace, &[], "").await?.into_iter().next())
}

/// Saves the minutes template.
pub async fn save_settings(conn: &mut Conn<'_>, row: &ReviewSettingsRow) -> DbResult<()> {
    upsert_rows(
        conn,
        std::slice::from_ref(row),
        "(workspace_id) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at",
    )
    .await
}

/// A key account and where its reviews stand.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProgrammeReviewRow {
    /// Account.
    pub account_id: Uuid,
    /// Name.
    pub name: String,
    /// Key-account manager.
    pub manager_id: Uuid,
    /// Tier.
    pub tier: String,
    /// Last annual review held.
    pub last_held_on: Option<NaiveDate>,
    /// Next review planned (not held, not cancelled).
    pub next_planned_on: Option<NaiveDate>,
    /// Kind of that next review.
    pub next_kind: Option<String>,
    /// Its id.
    pub next_id: Option<Uuid>,
    /// Open action items.
    pub open_actions: i64,
    /// Of which late on `today`.
    pub overdue_actions: i64,
}

/// Every key account with its last annual review and next planned one.
pub async fn programme_reviews(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    manager: Option<Uuid>,
    today: NaiveDate,
) -> DbResult<Vec<ProgrammeReviewRow>> {
    let mut b = SqlBuilder::new(
        "SELECT k.account_id, a.name, k.manager_id, k.tier, \
         (SELECT MAX(r.held_on) FROM reviews r WHERE r.workspace_id = k.workspace_id AND r.account_id = k.account_id \
          AND r.kind = 'annual' AND r.held_on IS NOT NULL) AS last_held_on, \
         n.planned_on AS next_planned_on, n.kind AS next_kind, n.id AS next_id, \
         (SELECT COUNT(*) FROM review_actions x WHERE x.workspace_id = k.workspace_id AND x.account_id = k.account_id \
          AND x.status = 'open') AS open_actions, \
         (SELECT COUNT(*) FROM review_actions x WHERE x.workspace_id = k.workspace_id AND x.account_id = k.account_id \
          AND x.status = 'open' AND x.due_on < ",
    );
    b.bind(Arg::Date(today));
    b.push(
        ") AS overdue_actions \
         FROM key_accounts k JOIN accounts a ON a.workspace_id = k.workspace_id AND a.id = k.account_id \
         LEFT JOIN reviews n ON n.workspace_id = k.workspace_id AND n.id = (SELECT r.id FROM reviews r \
          WHERE r.workspace_id = k.workspace_id AND r.account_id = k.account_id AND r.state IN ('planned', 'prepared') \
          ORDER BY r.planned_on, r.id LIMIT 1) \
         WHERE k.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace));
    if let Some(m) = manager {
        b.push(" AND k.manager_id = ").bind(Arg::Uuid(m));
    }
    b.push(" ORDER BY a.sort_name, k.account_id");
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

copier!(copy_reviews, ReviewRow, "reviews", &columns::<ReviewRow>());
copier!(
    copy_attendees,
    AttendeeRow,
    "review_attendees",
    &columns::<AttendeeRow>()
);
copier!(copy_actions, ActionRow, "review_actions", &columns::<ActionRow>());
copier!(
    copy_reminders,
    ReminderRow,
    "review_action_reminders",
    &columns::<ReminderRow>()
);
copier!(
    copy_documents,
    DocumentRow,
    "review_documents",
    &columns::<DocumentRow>()
);
copier!(
    copy_settings,
    ReviewSettingsRow,
    "review_settings",
    &columns::<ReviewSettingsRow>()
);
