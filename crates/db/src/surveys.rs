//! Surveys, sending rules, single-use invitations and answers; the grouped counts
//! the satisfaction figures are computed from.

use crate::contacts::{ContactRow, COLUMNS as CONTACT_COLUMNS};
use crate::{bind_args, dialect, with_conn, Arg, Conn, DbError, DbResult, SqlBuilder};
use bilan_domain::contacts::BuyingRole;
use bilan_domain::events::EventKind;
use bilan_domain::surveys::{NewRule, NewSurvey, Survey, SurveyKind, SurveyRule};
use bilan_domain::timeline::local_day_start;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// A survey row as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SurveyRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Name.
    pub name: String,
    /// Kind code.
    pub kind: String,
    /// Question in French.
    pub question_fr: Option<String>,
    /// Question in English.
    pub question_en: Option<String>,
    /// Free-text question in French.
    pub comment_question_fr: Option<String>,
    /// Free-text question in English.
    pub comment_question_en: Option<String>,
    /// Days a link stays valid.
    pub expiry_days: i32,
    /// Usable.
    pub active: bool,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

const SURVEY_COLUMNS: &str = "id, workspace_id, name, kind, question_fr, question_en, comment_question_fr, \
    comment_question_en, expiry_days, active, created_by, version, created_at, updated_at";

impl SurveyRow {
    /// Converts to the domain type.
    pub fn into_survey(self) -> DbResult<Survey> {
        Ok(Survey {
            kind: SurveyKind::parse(&self.kind)
                .ok_or_else(|| DbError::Corrupt(format!("surveys.kind of {}", self.id)))?,
            id: self.id,
            name: self.name,
            question_fr: self.question_fr,
            question_en: self.question_en,
            comment_question_fr: self.comment_question_fr,
            comment_question_en: self.comment_question_en,
            expiry_days: u32::try_from(self.expiry_days).unwrap_or(1),
            active: self.active,
            version: self.version,
            created_at: self.created_at,
        })
    }
}

/// Stores a new survey.
pub async fn insert_survey(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    s: &NewSurvey,
    created_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> DbResult<Survey> {
    let sql = format!(
        "INSERT INTO surveys ({SURVEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) \
         RETURNING {SURVEY_COLUMNS}"
    );
    let expiry = i32::try_from(s.expiry_days).unwrap_or(i32::MAX);
    let row: SurveyRow = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(workspace)
        .bind(&s.name)
        .bind(s.kind.code())
        .bind(&s.question_fr)
        .bind(&s.question_en)
        .bind(&s.comment_question_fr)
        .bind(&s.comment_question_en)
        .bind(expiry)
        .bind(s.active)
        .bind(created_by)
        .bind(now)
        .fetch_one(&mut **c)
        .await)?;
    row.into_survey()
}

/// Replaces a survey's fields if its version is still `version`; `None` when it is not.
pub async fn update_survey(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    version: i64,
    s: &NewSurvey,
    now: DateTime<Utc>,
) -> DbResult<Option<Survey>> {
    let sql = format!(
        "UPDATE surveys SET name = $3, kind = $4, question_fr = $5, question_en = $6, comment_question_fr = $7, \
         comment_question_en = $8, expiry_days = $9, active = $10, version = version + 1, updated_at = $11 \
         WHERE workspace_id = $1 AND id = $2 AND version = $12 RETURNING {SURVEY_COLUMNS}"
    );
    let expiry = i32::try_from(s.expiry_days).unwrap_or(i32::MAX);
    let row: Option<SurveyRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .bind(&s.name)
        .bind(s.kind.code())
        .bind(&s.question_fr)
        .bind(&s.question_en)
        .bind(&s.comment_question_fr)
        .bind(&s.comment_question_en)
        .bind(expiry)
        .bind(s.active)
        .bind(now)
        .bind(version)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(SurveyRow::into_survey).transpose()
}

/// One survey.
pub async fn find_survey(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Survey>> {
    let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE workspace_id = $1 AND id = $2");
    let row: Option<SurveyRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(SurveyRow::into_survey).transpose()
}

/// The workspace's surveys, by name.
pub async fn list_surveys(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<Survey>> {
    let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE workspace_id = $1 ORDER BY name, id");
    let rows: Vec<SurveyRow> = with_conn!(conn, |c| sqlx::query_as(&sql).bind(workspace).fetch_all(&mut **c).await)?;
    rows.into_iter().map(SurveyRow::into_survey).collect()
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    survey_id: Uuid,
    event_kind: String,
    delay_hours: i32,
    roles: String,
}

impl RuleRow {
    fn into_rule(self) -> DbResult<SurveyRule> {
        let corrupt = |what: &str| DbError::Corrupt(format!("survey_rules.{what} of {}", self.id));
        Ok(SurveyRule {
            id: self.id,
            rule: NewRule {
                survey_id: self.survey_id,
                event_kind: EventKind::parse(&self.event_kind).ok_or_else(|| corrupt("event_kind"))?,
                delay_hours: u32::try_from(self.delay_hours).map_err(|_| corrupt("delay_hours"))?,
                roles: BuyingRole::parse_list(&self.roles).map_err(|_| corrupt("roles"))?,
            },
        })
    }
}

/// Stores a sending rule.
pub async fn insert_rule(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    r: &NewRule,
    now: DateTime<Utc>,
) -> DbResult<SurveyRule> {
    let delay = i32::try_from(r.delay_hours).unwrap_or(i32::MAX);
    with_conn!(conn, |c| sqlx::query(
        "INSERT INTO survey_rules (id, workspace_id, survey_id, event_kind, delay_hours, roles, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id)
    .bind(workspace)
    .bind(r.survey_id)
    .bind(r.event_kind.code())
    .bind(delay)
    .bind(BuyingRole::join(&r.roles))
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(SurveyRule { id, rule: r.clone() })
}

/// Deletes a rule; false when there was none.
pub async fn delete_rule(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<SurveyRule>> {
    let row: Option<RuleRow> = with_conn!(conn, |c| sqlx::query_as(
        "DELETE FROM survey_rules WHERE workspace_id = $1 AND id = $2 \
         RETURNING id, survey_id, event_kind, delay_hours, roles"
    )
    .bind(workspace)
    .bind(id)
    .fetch_optional(&mut **c)
    .await)?;
    row.map(RuleRow::into_rule).transpose()
}

/// The workspace's rules, survey by survey.
pub async fn list_rules(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<SurveyRule>> {
    let rows: Vec<RuleRow> = with_conn!(conn, |c| sqlx::query_as(
        "SELECT id, survey_id, event_kind, delay_hours, roles FROM survey_rules WHERE workspace_id = $1 \
         ORDER BY survey_id, event_kind, id"
    )
    .bind(workspace)
    .fetch_all(&mut **c)
    .await)?;
    rows.into_iter().map(RuleRow::into_rule).collect()
}

/// The rules of active surveys that an event of `kind` triggers.
pub async fn rules_for_event(conn: &mut Conn<'_>, workspace: Uuid, kind: EventKind) -> DbResult<Vec<SurveyRule>> {
    let rows: Vec<RuleRow> = with_conn!(conn, |c| sqlx::query_as(
        "SELECT r.id, r.survey_id, r.event_kind, r.delay_hours, r.roles FROM survey_rules r \
         JOIN surveys s ON s.workspace_id = r.workspace_id AND s.id = r.survey_id \
         WHERE r.workspace_id = $1 AND r.event_kind = $2 AND s.active = $3 ORDER BY r.id"
    )
    .bind(workspace)
    .bind(kind.code())
    .bind(true)
    .fetch_all(&mut **c)
    .await)?;
    rows.into_iter().map(RuleRow::into_rule).collect()
}

/// The workspace's minimum number of days between two surveys of one contact.
pub async fn interval_days(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<u32> {
    let days: Option<i32> = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT survey_interval_days FROM workspaces WHERE id = $1"
    )
    .bind(workspace)
    .fetch_optional(&mut **c)
    .await)?;
    Ok(days.and_then(|d| u32::try_from(d).ok()).unwrap_or(30))
}

/// Sets the workspace's minimum number of days between two surveys of one contact.
pub async fn set_interval_days(conn: &mut Conn<'_>, workspace: Uuid, days: u32) -> DbResult<()> {
    let days = i32::try_from(days).unwrap_or(i32::MAX);
    with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE workspaces SET survey_interval_days = $2, satisfaction_generation = satisfaction_generation + 1 WHERE id = $1"
    )
    .bind(workspace)
    .bind(days)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Answer counts per `(account, kind, score)` of `ids` since `since` (a list's scores).
pub async fn counts_by_account(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    ids: &[Uuid],
    since: NaiveDate,
) -> DbResult<Counted<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut b =
        SqlBuilder::new("SELECT a.account_id, a.kind, a.score, COUNT(*) FROM survey_answers a WHERE a.workspace_id = ");
    b.bind(Arg::Uuid(workspace))
        .push(" AND a.answered_on >= ")
        .bind(Arg::Date(since));
    b.push(" AND a.account_id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::Uuid(*id));
    }
    b.push(") GROUP BY a.account_id, a.kind, a.score");
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<(Uuid, String, i32, i64)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    counted(rows)
}

/// The fewest answers a score needs before it is shown.
pub async fn min_answers(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<u32> {
    let n: Option<i32> = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT min_answers FROM workspaces WHERE id = $1"
    )
    .bind(workspace)
    .fetch_optional(&mut **c)
    .await)?;
    Ok(n.and_then(|d| u32::try_from(d).ok()).unwrap_or(5))
}

/// Sets the fewest answers a score needs before it is shown.
pub async fn set_min_answers(conn: &mut Conn<'_>, workspace: Uuid, n: u32) -> DbResult<()> {
    let n = i32::try_from(n).unwrap_or(i32::MAX);
    with_conn!(conn, |c| sqlx::query(
        "UPDATE workspaces SET min_answers = $2, satisfaction_generation = satisfaction_generation + 1 WHERE id = $1"
    )
    .bind(workspace)
    .bind(n)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Contacts of an account: the given ones, or all of them when `ids` is empty.
pub async fn account_contacts(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    ids: &[Uuid],
) -> DbResult<Vec<ContactRow>> {
    let mut b = SqlBuilder::new(&format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.workspace_id = "
    ));
    b.bind(Arg::Uuid(workspace))
        .push(" AND c.account_id = ")
        .bind(Arg::Uuid(account));
    if !ids.is_empty() {
        b.push(" AND ").push_in("c.id", ids);
    }
    b.push(" ORDER BY c.sort_name, c.id");
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// For each contact, the latest `send_at` of its invitations before `before`.
pub async fn last_surveyed_before(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    contacts: &[Uuid],
    before: DateTime<Utc>,
) -> DbResult<HashMap<Uuid, DateTime<Utc>>> {
    if contacts.is_empty() {
        return Ok(HashMap::new());
    }
    let mut b = SqlBuilder::new("SELECT contact_id, MAX(send_at) FROM survey_invitations WHERE workspace_id = ");
    b.bind(Arg::Uuid(workspace))
        .push(" AND send_at < ")
        .bind(Arg::Instant(before));
    b.push(" AND ")
        .push_in("contact_id", contacts)
        .push(" GROUP BY contact_id");
    let rows: Vec<(Uuid, DateTime<Utc>)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows.into_iter().collect())
}

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InvitationRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Survey.
    pub survey_id: Uuid,
    /// The event it follows.
    pub event_id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Contact asked.
    pub contact_id: Uuid,
    /// SHA-256 of the link's secret.
    pub token_hash: String,
    /// Language of the e-mail and page.
    pub language: String,
    /// When the e-mail goes out.
    pub send_at: DateTime<Utc>,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

const INVITATION_COLUMNS: &str = "id, workspace_id, survey_id, event_id, account_id, contact_id, token_hash, \
    language, send_at, expires_at, answered_at, created_at";

/// Stores an invitation; false when this survey already asked this contact about this event.
pub async fn insert_invitation(conn: &mut Conn<'_>, r: &InvitationRow) -> DbResult<bool> {
    let sql = format!(
        "INSERT INTO survey_invitations ({INVITATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (workspace_id, survey_id, event_id, contact_id) DO NOTHING"
    );
    let n = with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(r.survey_id)
        .bind(r.event_id)
        .bind(r.account_id)
        .bind(r.contact_id)
        .bind(&r.token_hash)
        .bind(&r.language)
        .bind(r.send_at)
        .bind(r.expires_at)
        .bind(r.answered_at)
        .bind(r.created_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 1 {
        crate::workspaces::touch_satisfaction(conn, r.workspace_id).await?;
    }
    Ok(n == 1)
}

/// The invitation a link's secret hashes to, in whichever workspace.
pub async fn find_invitation_by_token(conn: &mut Conn<'_>, token_hash: &str) -> DbResult<Option<InvitationRow>> {
    let sql = format!("SELECT {INVITATION_COLUMNS} FROM survey_invitations WHERE token_hash = $1");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(token_hash)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Marks an invitation answered; false when it already was (a second click lost the race).
pub async fn mark_answered(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid, now: DateTime<Utc>) -> DbResult<bool> {
    let n = with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE survey_invitations SET answered_at = $3 WHERE workspace_id = $1 AND id = $2 AND answered_at IS NULL"
    )
    .bind(workspace)
    .bind(id)
    .bind(now)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// An answer as stored, with the breakdown keys as they stood when it was given.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AnswerRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// The invitation answered.
    pub invitation_id: Uuid,
    /// Survey.
    pub survey_id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Contact.
    pub contact_id: Uuid,
    /// Kind code.
    pub kind: String,
    /// Score.
    pub score: i32,
    /// Verbatim.
    pub comment: Option<String>,
    /// When.
    pub answered_at: DateTime<Utc>,
    /// The local calendar day of `answered_at` (periods are made of days).
    pub answered_on: NaiveDate,
    /// The contact's site or business unit then.
    pub site_id: Option<Uuid>,
    /// The contact's buying-centre role codes then.
    pub roles: String,
    /// The account's segment (size) then.
    pub segment: Option<String>,
    /// The account's owner then.
    pub owner_id: Option<Uuid>,
    /// The timeline entry showing it.
    pub interaction_id: Option<Uuid>,
}

const ANSWER_COLUMNS: &str = "a.id, a.workspace_id, a.invitation_id, a.survey_id, a.account_id, a.contact_id, a.kind, \
    a.score, a.comment, a.answered_at, a.answered_on, a.site_id, a.roles, a.segment, a.owner_id, a.interaction_id";

/// Stores answers (one from the public page, many from the demo generator).
pub async fn insert_answers(conn: &mut Conn<'_>, rows: &[AnswerRow]) -> DbResult<()> {
    let columns = ANSWER_COLUMNS.replace("a.", "");
    let per = dialect::rows_per_insert(conn.engine(), 16);
    for chunk in rows.chunks(per.max(1)) {
        let mut b = SqlBuilder::bulk(
            &format!("INSERT INTO survey_answers ({columns}) VALUES "),
            conn.engine(),
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.push("(");
            b.bind(Arg::Uuid(r.id)).push(", ");
            b.bind(Arg::Uuid(r.workspace_id)).push(", ");
            b.bind(Arg::Uuid(r.invitation_id)).push(", ");
            b.bind(Arg::Uuid(r.survey_id)).push(", ");
            b.bind(Arg::Uuid(r.account_id)).push(", ");
            b.bind(Arg::Uuid(r.contact_id)).push(", ");
            b.bind(Arg::Text(r.kind.clone())).push(", ");
            b.bind(Arg::I32(r.score)).push(", ");
            b.bind(Arg::OptText(r.comment.clone())).push(", ");
            b.bind(Arg::Instant(r.answered_at)).push(", ");
            b.bind(Arg::Date(r.answered_on)).push(", ");
            b.bind(Arg::OptUuid(r.site_id)).push(", ");
            b.bind(Arg::Text(r.roles.clone())).push(", ");
            b.bind(Arg::OptText(r.segment.clone())).push(", ");
            b.bind(Arg::OptUuid(r.owner_id)).push(", ");
            b.bind(Arg::OptUuid(r.interaction_id));
            b.push(")");
        }
        with_conn!(conn, |c| bind_args!(sqlx::query(&b.sql), &b.args)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    touch_workspaces(conn, rows.iter().map(|r| r.workspace_id)).await?;
    Ok(())
}

/// Marks the satisfaction figures of the workspaces rows were written for as changed.
async fn touch_workspaces(conn: &mut Conn<'_>, ids: impl Iterator<Item = Uuid>) -> DbResult<()> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        crate::workspaces::touch_satisfaction(conn, id).await?;
    }
    Ok(())
}

/// Stores invitations in bulk (the demo generator), skipping none.
pub async fn insert_invitations(conn: &mut Conn<'_>, rows: &[InvitationRow]) -> DbResult<()> {
    let per = dialect::rows_per_insert(conn.engine(), 12);
    for chunk in rows.chunks(per.max(1)) {
        let mut b = SqlBuilder::bulk(
            &format!("INSERT INTO survey_invitations ({INVITATION_COLUMNS}) VALUES "),
            conn.engine(),
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.push("(");
            b.bind(Arg::Uuid(r.id)).push(", ");
            b.bind(Arg::Uuid(r.workspace_id)).push(", ");
            b.bind(Arg::Uuid(r.survey_id)).push(", ");
            b.bind(Arg::Uuid(r.event_id)).push(", ");
            b.bind(Arg::Uuid(r.account_id)).push(", ");
            b.bind(Arg::Uuid(r.contact_id)).push(", ");
            b.bind(Arg::Text(r.token_hash.clone())).push(", ");
            b.bind(Arg::Text(r.language.clone())).push(", ");
            b.bind(Arg::Instant(r.send_at)).push(", ");
            b.bind(Arg::Instant(r.expires_at)).push(", ");
            b.bind(Arg::OptInstant(r.answered_at)).push(", ");
            b.bind(Arg::Instant(r.created_at));
            b.push(")");
        }
        with_conn!(conn, |c| bind_args!(sqlx::query(&b.sql), &b.args)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    touch_workspaces(conn, rows.iter().map(|r| r.workspace_id)).await?;
    Ok(())
}

/// Which answers a figure is computed over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerFilter {
    /// First local day, included.
    pub from: Option<NaiveDate>,
    /// Last local day, included.
    pub to: Option<NaiveDate>,
    /// One account only.
    pub account_id: Option<Uuid>,
    /// One survey kind only.
    pub kind: Option<SurveyKind>,
    /// One contact only.
    pub contact_id: Option<Uuid>,
}

/// How a filter's days are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DaysBy {
    /// On the stored local day: the figures' covering indexes start with it.
    Day,
    /// On the instants bounding those days: lists walk the time index newest first
    /// and stop at their limit instead of sorting the whole period.
    Instant,
}

fn push_filter(b: &mut SqlBuilder, workspace: Uuid, f: &AnswerFilter, days: DaysBy) {
    b.push(" WHERE a.workspace_id = ").bind(Arg::Uuid(workspace));
    match days {
        DaysBy::Day => {
            if let Some(d) = f.from {
                b.push(" AND a.answered_on >= ").bind(Arg::Date(d));
            }
            if let Some(d) = f.to {
                b.push(" AND a.answered_on <= ").bind(Arg::Date(d));
            }
        }
        DaysBy::Instant => {
            if let Some(d) = f.from {
                b.push(" AND a.answered_at >= ").bind(Arg::Instant(local_day_start(d)));
            }
            if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
                b.push(" AND a.answered_at < ").bind(Arg::Instant(local_day_start(d)));
            }
        }
    }
    if let Some(a) = f.account_id {
        b.push(" AND a.account_id = ").bind(Arg::Uuid(a));
    }
    if let Some(k) = f.kind {
        b.push(" AND a.kind = ").bind(Arg::Text(k.code().to_owned()));
    }
    if let Some(c) = f.contact_id {
        b.push(" AND a.contact_id = ").bind(Arg::Uuid(c));
    }
}

/// A text key answers are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKey {
    /// The calendar month of the answer, as its first day (`2026-03-01`).
    Month,
    /// The contact's buying-centre role codes (a comma-separated set).
    Roles,
    /// The account's segment.
    Segment,
}

/// An id key answers are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKey {
    /// The contact's site or business unit.
    Site,
    /// The account's owner.
    Owner,
}

fn grouped(key: &str, workspace: Uuid, f: &AnswerFilter) -> SqlBuilder {
    let mut b = SqlBuilder::new(&format!(
        "SELECT {key} AS k, a.kind, a.score, COUNT(*) FROM survey_answers a"
    ));
    push_filter(&mut b, workspace, f, DaysBy::Day);
    // Grouped by plain columns, SQLite walks the (workspace, key, kind, score, day)
    // index in order and needs no temporary b-tree.
    b.push(&format!(" GROUP BY {key}, a.kind, a.score"));
    b
}

type Counted<K> = Vec<(K, SurveyKind, i16, u64)>;

fn counted<K>(rows: Vec<(K, String, i32, i64)>) -> DbResult<Counted<K>> {
    rows.into_iter()
        .map(|(k, kind, score, n)| {
            let kind = SurveyKind::parse(&kind).ok_or_else(|| DbError::Corrupt("survey_answers.kind".into()))?;
            let score = i16::try_from(score).map_err(|_| DbError::Corrupt("survey_answers.score".into()))?;
            Ok((k, kind, score, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}

/// Answer counts per `(text key, kind, score)`; `None` for answers without the key.
pub async fn counts_by_text(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    f: &AnswerFilter,
    key: TextKey,
) -> DbResult<Counted<Option<String>>> {
    let column = match key {
        TextKey::Month => dialect::month_start_text(conn.engine(), "a.answered_on"),
        TextKey::Roles => "a.roles".to_owned(),
        TextKey::Segment => "a.segment".to_owned(),
    };
    let b = grouped(&column, workspace, f);
    let rows: Vec<(Option<String>, String, i32, i64)> =
        with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
            .fetch_all(&mut **c)
            .await)?;
    counted(rows)
}

/// Answer counts per `(id key, kind, score)`; `None` for answers without the key.
pub async fn counts_by_id(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    f: &AnswerFilter,
    key: IdKey,
) -> DbResult<Counted<Option<Uuid>>> {
    let column = match key {
        IdKey::Site => "a.site_id",
        IdKey::Owner => "a.owner_id",
    };
    let b = grouped(column, workspace, f);
    let rows: Vec<(Option<Uuid>, String, i32, i64)> =
        with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
            .fetch_all(&mut **c)
            .await)?;
    counted(rows)
}

/// Invitations sent in a period (their `send_at` local day within it and already
/// past `now`) and how many of them were answered, per survey kind.
pub async fn sent_and_answered(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    account: Option<Uuid>,
    now: DateTime<Utc>,
) -> DbResult<Vec<(SurveyKind, u64, u64)>> {
    // Grouped by survey on the invitations' covering index, then by kind here: a join
    // to surveys would read every invitation's row.
    let mut b = SqlBuilder::new(
        "SELECT i.survey_id, COUNT(*), COUNT(i.answered_at) FROM survey_invitations i WHERE i.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace))
        .push(" AND i.send_at <= ")
        .bind(Arg::Instant(now));
    if let Some(t) = from {
        b.push(" AND i.send_at >= ").bind(Arg::Instant(t));
    }
    if let Some(t) = until {
        b.push(" AND i.send_at < ").bind(Arg::Instant(t));
    }
    if let Some(a) = account {
        b.push(" AND i.account_id = ").bind(Arg::Uuid(a));
    }
    b.push(" GROUP BY i.survey_id");
    let rows: Vec<(Uuid, i64, i64)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?;
    let kinds: HashMap<Uuid, SurveyKind> = list_surveys(conn, workspace)
        .await?
        .into_iter()
        .map(|s| (s.id, s.kind))
        .collect();
    let mut per_kind: Vec<(SurveyKind, u64, u64)> = Vec::new();
    for (survey, sent, answered) in rows {
        let kind = *kinds
            .get(&survey)
            .ok_or_else(|| DbError::Corrupt(format!("survey_invitations.survey_id {survey}")))?;
        let (sent, answered) = (u64::try_from(sent).unwrap_or(0), u64::try_from(answered).unwrap_or(0));
        match per_kind.iter_mut().find(|(k, ..)| *k == kind) {
            Some(slot) => {
                slot.1 += sent;
                slot.2 += answered;
            }
            None => per_kind.push((kind, sent, answered)),
        }
    }
    Ok(per_kind)
}

/// An answer with the names people read beside it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AnswerView {
    /// The answer.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub answer: AnswerRow,
    /// The survey's name.
    pub survey_name: String,
    /// The account's name.
    pub account_name: String,
    /// The contact's first name.
    pub contact_first_name: Option<String>,
    /// The contact's last name.
    pub contact_last_name: String,
}

impl AnswerView {
    /// "First Last" of the contact.
    pub fn contact_name(&self) -> String {
        match &self.contact_first_name {
            Some(f) => format!("{f} {}", self.contact_last_name),
            None => self.contact_last_name.clone(),
        }
    }
}

/// Answers newest first, after the keyset position `(answered_at, id)` when given;
/// with `verbatims_only`, only those with a comment.
pub async fn list_answers(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    f: &AnswerFilter,
    verbatims_only: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<AnswerView>> {
    let mut b = SqlBuilder::new(&format!(
        "SELECT {ANSWER_COLUMNS}, s.name AS survey_name, acc.name AS account_name, \
         c.first_name AS contact_first_name, c.last_name AS contact_last_name FROM survey_answers a \
         JOIN surveys s ON s.workspace_id = a.workspace_id AND s.id = a.survey_id \
         JOIN accounts acc ON acc.workspace_id = a.workspace_id AND acc.id = a.account_id \
         JOIN contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id"
    ));
    push_filter(&mut b, workspace, f, DaysBy::Instant);
    if verbatims_only {
        b.push(" AND a.comment IS NOT NULL");
    }
    if let Some((at, id)) = after {
        b.push(" AND (a.answered_at < ").bind(Arg::Instant(at));
        b.push(" OR (a.answered_at = ").bind(Arg::Instant(at));
        b.push(" AND a.id < ").bind(Arg::Uuid(id)).push("))");
    }
    b.push(" ORDER BY a.answered_at DESC, a.id DESC LIMIT ")
        .bind(Arg::I64(limit));
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Sites and business units by id: their kind code and "name (account)", since
/// two clients' "Division Industrie" are not the same.
pub async fn site_names(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    ids: &[Uuid],
) -> DbResult<HashMap<Uuid, (String, String)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut b = SqlBuilder::new(
        "SELECT s.id, s.kind, s.name, a.name FROM sites s \
         JOIN accounts a ON a.workspace_id = s.workspace_id AND a.id = s.account_id WHERE s.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace)).push(" AND ").push_in("s.id", ids);
    let rows: Vec<(Uuid, String, String, String)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, name, account)| (id, (kind, format!("{name} ({account})"))))
        .collect())
}

/// Who created a survey, if a user did.
pub async fn survey_creator(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Uuid>> {
    let v: Option<Option<Uuid>> = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT created_by FROM surveys WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .fetch_optional(&mut **c)
    .await)?;
    Ok(v.flatten())
}

/// The workspace's surveys as stored (`bilan db copy`).
pub async fn survey_rows(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Vec<SurveyRow>> {
    let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE workspace_id = $1 ORDER BY id");
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .fetch_all(&mut **c)
        .await)?)
}

/// Stores a survey row as given (`bilan db copy`).
pub async fn insert_survey_row(conn: &mut Conn<'_>, r: &SurveyRow) -> DbResult<()> {
    let sql = format!(
        "INSERT INTO surveys ({SURVEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    );
    with_conn!(conn, |c| sqlx::query(&sql)
        .bind(r.id)
        .bind(r.workspace_id)
        .bind(&r.name)
        .bind(&r.kind)
        .bind(&r.question_fr)
        .bind(&r.question_en)
        .bind(&r.comment_question_fr)
        .bind(&r.comment_question_en)
        .bind(r.expiry_days)
        .bind(r.active)
        .bind(r.created_by)
        .bind(r.version)
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Invitations after `after` in id order (`bilan db copy`).
pub async fn invitation_rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<InvitationRow>> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM survey_invitations WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) \
         ORDER BY id LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// Answers after `after` in id order (`bilan db copy`).
pub async fn answer_rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<AnswerRow>> {
    let sql = format!(
        "SELECT {ANSWER_COLUMNS} FROM survey_answers a WHERE a.workspace_id = $1 AND ($2 IS NULL OR a.id > $2) \
         ORDER BY a.id LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// `bilan db copy`: the workspace's surveys, and its interval against over-surveying.
pub fn copy_surveys<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        set_interval_days(t, ws, interval_days(s, ws).await?).await?;
        let rows = survey_rows(s, ws).await?;
        for r in &rows {
            insert_survey_row(t, r).await?;
        }
        Ok(rows.len())
    })
}

/// A sending rule as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredRule {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Its survey.
    pub survey_id: Uuid,
    /// The event kind code.
    pub event_kind: String,
    /// Hours between event and e-mail.
    pub delay_hours: i32,
    /// Buying-centre role codes, comma-separated.
    pub roles: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

const RULE_COLUMNS: &str = "id, workspace_id, survey_id, event_kind, delay_hours, roles, created_at";

/// `bilan db copy`: the workspace's sending rules as stored, their own timestamps kept.
pub fn copy_rules<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move {
        let sql = format!("SELECT {RULE_COLUMNS} FROM survey_rules WHERE workspace_id = $1 ORDER BY id");
        let rows: Vec<StoredRule> = with_conn!(s, |c| sqlx::query_as(&sql).bind(ws).fetch_all(&mut **c).await)?;
        let insert = format!("INSERT INTO survey_rules ({RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        for r in &rows {
            with_conn!(&mut *t, |c| sqlx::query(&insert)
                .bind(r.id)
                .bind(r.workspace_id)
                .bind(r.survey_id)
                .bind(&r.event_kind)
                .bind(r.delay_hours)
                .bind(&r.roles)
                .bind(r.created_at)
                .execute(&mut **c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(rows.len())
    })
}

/// `bilan db copy`: the workspace's invitations (see [`crate::tables`]).
pub fn copy_invitations<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, invitation_rows_after, insert_invitations) })
}

/// `bilan db copy`: the workspace's answers (see [`crate::tables`]).
pub fn copy_answers<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, answer_rows_after, insert_answers) })
}
