//! The annual client review (SPEC C8): plan it with its attendees and agenda,
//! send the calendar invitation, freeze its data pack, hold it (round table,
//! decisions, objectives, risks, action plan), produce and send the minutes, and
//! follow the action items until done.

pub mod document;
pub mod docx;
pub mod invitation;
pub mod minutes;
pub mod pack;
pub mod pdf;
pub mod reminders;
pub mod settings;

use crate::events::Event;
use crate::outbox::{Attachment, Outgoing};
use crate::unit_of_work::audited;
use crate::{Actor, App, AppError, AppResult, Work};
use bilan_db::key_accounts::{ObjectiveRow, RiskRow};
use bilan_db::reviews::{self as store, ActionFilter, ActionRow, AttendeeRow, ReviewFilter, ReviewRow};
use bilan_domain::audit::AuditAction;
use bilan_domain::contacts::BuyingRole;
use bilan_domain::events::EventKind;
use bilan_domain::reviews::actions::{self, ActionStatus};
use bilan_domain::reviews::agenda::{self, AgendaItem};
use bilan_domain::reviews::hold::{check_action, ActionItemInput, HoldInput, RoundTableEntry};
use bilan_domain::reviews::pack::Pack;
use bilan_domain::reviews::{
    check_attendees, check_step, checkpoints_after, AttendeeInput, AttendeeRole, ReviewInput, ReviewKind, ReviewState,
    Side,
};
use bilan_domain::roles::Permission;
use bilan_domain::timeline::{local_day, LOCAL_TZ};
use bilan_domain::validation::ValidationErrors;
use bilan_i18n::{t, Lang};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

audited!(ActionRow, "review_action");

/// What a review's audit entries hold: the review without its pack and draft,
/// which are large and said elsewhere.
#[derive(Debug, Serialize)]
struct ReviewSnapshot<'a> {
    kind: &'a str,
    state: &'a str,
    account_id: Uuid,
    period_from: NaiveDate,
    period_to: NaiveDate,
    planned_on: NaiveDate,
    starts_at: &'a str,
    duration_minutes: i32,
    location: &'a Option<String>,
    lang: &'a str,
    ics_sequence: i32,
    held_on: Option<NaiveDate>,
}

fn snapshot(r: &ReviewRow) -> ReviewSnapshot<'_> {
    ReviewSnapshot {
        kind: &r.kind,
        state: &r.state,
        account_id: r.account_id,
        period_from: r.period_from,
        period_to: r.period_to,
        planned_on: r.planned_on,
        starts_at: &r.starts_at,
        duration_minutes: r.duration_minutes,
        location: &r.location,
        lang: &r.lang,
        ics_sequence: r.ics_sequence,
        held_on: r.held_on,
    }
}

fn audit_review(w: &mut Work, before: Option<&ReviewRow>, after: &ReviewRow) {
    let action = if before.is_some() {
        AuditAction::Update
    } else {
        AuditAction::Create
    };
    let b = before.map(snapshot);
    w.audit_entry(action, "review", after.id, b.as_ref(), Some(&snapshot(after)));
}

fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

fn parse_json<T: for<'de> Deserialize<'de> + Default>(raw: Option<&str>) -> T {
    raw.and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
}

fn state_of(r: &ReviewRow) -> ReviewState {
    ReviewState::parse(&r.state).unwrap_or(ReviewState::Planned)
}

fn step(r: &ReviewRow, to: ReviewState) -> AppResult<()> {
    check_step(state_of(r), to).map_err(|code| AppError::Conflict(code.to_owned()))
}

fn lang_of(r: &ReviewRow) -> Lang {
    Lang::parse(&r.lang).unwrap_or(Lang::Fr)
}

/// When the meeting starts and ends, in UTC.
pub fn meeting_times(r: &ReviewRow) -> (DateTime<Utc>, DateTime<Utc>) {
    let time = NaiveTime::parse_from_str(&r.starts_at, "%H:%M").unwrap_or(NaiveTime::MIN);
    let start = LOCAL_TZ
        .from_local_datetime(&r.planned_on.and_time(time))
        .earliest()
        .map_or_else(|| r.planned_on.and_time(time).and_utc(), |t| t.with_timezone(&Utc));
    (start, start + Duration::minutes(i64::from(r.duration_minutes)))
}

/// Someone at the review, as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewAttendee))]
pub struct AttendeeView {
    /// Id.
    pub id: Uuid,
    /// `client` or `supplier`.
    pub side: String,
    /// Role code.
    pub role: String,
    /// The contact, on the client's side.
    pub contact_id: Option<Uuid>,
    /// The user, on ours.
    pub user_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Address the invitation and the minutes go to.
    pub email: Option<String>,
}

/// An action item, as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewActionItem))]
pub struct ActionView {
    /// Id.
    pub id: Uuid,
    /// The review that decided it.
    pub review_id: Uuid,
    /// The account.
    pub account_id: Uuid,
    /// The account's name.
    pub account_name: Option<String>,
    /// What is to be done.
    pub what: String,
    /// `client` or `supplier`.
    pub side: String,
    /// The owner, when one of our users.
    pub owner_user_id: Option<Uuid>,
    /// The owner, when one of the client's contacts.
    pub owner_contact_id: Option<Uuid>,
    /// The owner's name.
    pub owner: String,
    /// By when.
    pub due_on: NaiveDate,
    /// `open`, `done` or `dropped`.
    pub status: String,
    /// Day done.
    pub done_on: Option<NaiveDate>,
    /// A note on its progress.
    pub note: Option<String>,
    /// Late today.
    pub overdue: bool,
    /// Days late today.
    pub days_late: i64,
    /// Version, for changes.
    pub version: i64,
}

pub(crate) fn action_view(a: &ActionRow, account_name: Option<String>, today: NaiveDate) -> ActionView {
    let status = ActionStatus::parse(&a.status).unwrap_or(ActionStatus::Open);
    ActionView {
        id: a.id,
        review_id: a.review_id,
        account_id: a.account_id,
        account_name,
        what: a.what.clone(),
        side: a.side.clone(),
        owner_user_id: a.owner_user_id,
        owner_contact_id: a.owner_contact_id,
        owner: a.owner_name.clone(),
        due_on: a.due_on,
        status: a.status.clone(),
        done_on: a.done_on,
        note: a.note.clone(),
        overdue: actions::is_overdue(status, a.due_on, today),
        days_late: actions::days_late(status, a.due_on, today),
        version: a.version,
    }
}

/// A stored minutes document, as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewDocument))]
pub struct DocumentView {
    /// `pdf` or `docx`.
    pub format: String,
    /// File name.
    pub filename: String,
    /// Size in bytes.
    pub size: i64,
    /// Made at.
    pub created_at: DateTime<Utc>,
}

/// A review with everything recorded about it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Review))]
pub struct ReviewView {
    /// Id.
    pub id: Uuid,
    /// The account.
    pub account_id: Uuid,
    /// Its name.
    pub account_name: String,
    /// `annual`, `checkpoint` or `steering`.
    pub kind: String,
    /// `planned`, `prepared`, `held`, `minutes_sent`, `closed` or `cancelled`.
    pub state: String,
    /// First day looked back on.
    pub period_from: NaiveDate,
    /// Last day looked back on.
    pub period_to: NaiveDate,
    /// Day of the meeting.
    pub planned_on: NaiveDate,
    /// Local start time, HH:MM.
    pub starts_at: String,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// Where.
    pub location: Option<String>,
    /// Language of the minutes.
    pub lang: String,
    /// The agenda.
    pub agenda: Vec<AgendaItem>,
    /// Who attends.
    pub attendees: Vec<AttendeeView>,
    /// The invitation's SEQUENCE.
    pub ics_sequence: i32,
    /// When the invitation was last sent.
    pub invitation_sent_at: Option<DateTime<Utc>>,
    /// When the pack was frozen.
    pub prepared_at: Option<DateTime<Utc>>,
    /// Day held.
    pub held_on: Option<NaiveDate>,
    /// When it was recorded as held.
    pub held_at: Option<DateTime<Utc>>,
    /// The round table.
    pub round_table: Vec<RoundTableEntry>,
    /// Decisions.
    pub decisions: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
    /// The action plan.
    pub action_items: Vec<ActionView>,
    /// Objectives set at this review (they are the account plan's).
    pub objectives: Vec<crate::key_accounts::plan::ObjectiveView>,
    /// When the minutes were sent.
    pub minutes_sent_at: Option<DateTime<Utc>>,
    /// The minutes kept.
    pub documents: Vec<DocumentView>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
    /// Cancelled at.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The review this one was scheduled from.
    pub follows_id: Option<Uuid>,
    /// What was typed during the meeting and autosaved, before it was held.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub draft: Option<HoldInput>,
    /// Version, for changes.
    pub version: i64,
}

async fn view(c: &mut bilan_db::Conn<'_>, r: ReviewRow, today: NaiveDate) -> AppResult<ReviewView> {
    let ws = r.workspace_id;
    let account_name = bilan_db::accounts::find(c, ws, r.account_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let attendees = store::attendees(c, ws, r.id)
        .await?
        .into_iter()
        .map(|a| AttendeeView {
            id: a.id,
            side: a.side,
            role: a.role,
            contact_id: a.contact_id,
            user_id: a.user_id,
            name: a.name,
            email: a.email,
        })
        .collect();
    let action_items = store::actions_of(c, ws, r.id)
        .await?
        .iter()
        .map(|a| action_view(a, Some(account_name.clone()), today))
        .collect();
    let objectives = bilan_db::key_accounts::objectives(c, ws, r.account_id)
        .await?
        .into_iter()
        .filter(|o| o.review_id == Some(r.id))
        .map(|o| crate::key_accounts::plan::objective_view(&o, today))
        .collect();
    let documents = store::documents(c, ws, r.id)
        .await?
        .into_iter()
        .map(|d| DocumentView {
            format: d.format,
            filename: d.filename,
            size: d.size,
            created_at: d.created_at,
        })
        .collect();
    let draft: Option<HoldInput> = r.draft_json.as_deref().and_then(|s| serde_json::from_str(s).ok());
    Ok(ReviewView {
        id: r.id,
        account_id: r.account_id,
        account_name,
        agenda: parse_json(Some(&r.agenda_json)),
        round_table: parse_json(r.round_table_json.as_deref()),
        decisions: parse_json(r.decisions_json.as_deref()),
        kind: r.kind,
        state: r.state,
        period_from: r.period_from,
        period_to: r.period_to,
        planned_on: r.planned_on,
        starts_at: r.starts_at,
        duration_minutes: r.duration_minutes,
        location: r.location,
        lang: r.lang,
        attendees,
        ics_sequence: r.ics_sequence,
        invitation_sent_at: r.invitation_sent_at,
        prepared_at: r.prepared_at,
        held_on: r.held_on,
        held_at: r.held_at,
        notes: r.notes,
        action_items,
        objectives,
        minutes_sent_at: r.minutes_sent_at,
        documents,
        closed_at: r.closed_at,
        cancelled_at: r.cancelled_at,
        follows_id: r.follows_id,
        draft,
        version: r.version,
    })
}

/// A review as planned through a form, the API or the CLI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    /// The account (ignored when re-planning).
    pub account_id: Option<String>,
    /// Kind, period, day, time, length, place, language.
    #[serde(flatten)]
    pub review: ReviewInput,
    /// Who attends (default: the account's decision makers, sponsor and buyers
    /// with an address, and its key-account manager or owner).
    pub attendees: Option<Vec<AttendeeInput>>,
    /// The agenda, one point a line (default: the kind's template).
    pub agenda: Option<String>,
}

async fn existing(w: &mut Work, id: Uuid) -> AppResult<ReviewRow> {
    let ws = w.workspace_id();
    store::find(&mut w.conn(), ws, id).await?.ok_or(AppError::NotFound)
}

/// Resolves checked attendees to rows: contacts of the account, users of the
/// workspace, or people named with their address.
async fn attendee_rows(
    w: &mut Work,
    review: Uuid,
    account: Uuid,
    inputs: &[AttendeeInput],
) -> AppResult<Vec<AttendeeRow>> {
    let ws = w.workspace_id();
    let checked = check_attendees(inputs)?;
    let mut e = ValidationErrors::new();
    let mut rows = Vec::new();
    for (i, a) in checked.into_iter().enumerate() {
        let (name, email) = if let Some(cid) = a.contact_id {
            match bilan_db::contacts::find(&mut w.conn(), ws, cid).await? {
                Some(p) if p.account_id == account => (p.full_name(), a.email.or(p.email)),
                _ => {
                    e.add(&format!("attendees[{i}].contact_id"), "review.contact_unknown");
                    continue;
                }
            }
        } else if let Some(uid) = a.user_id {
            match bilan_db::users::find(&mut w.conn(), ws, uid).await? {
                Some(u) => (u.display_name, a.email.or(Some(u.email))),
                None => {
                    e.add(&format!("attendees[{i}].user_id"), "user.unknown");
                    continue;
                }
            }
        } else {
            (a.name.clone().unwrap_or_default(), a.email)
        };
        rows.push(AttendeeRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            review_id: review,
            side: a.role.side().code().to_owned(),
            role: a.role.code().to_owned(),
            contact_id: a.contact_id,
            user_id: a.user_id,
            name,
            email,
            position: i32::try_from(i).unwrap_or(i32::MAX),
        });
    }
    e.into_result()?;
    Ok(rows)
}

/// The role a contact is invited with by default: decision makers, sponsors and
/// buyers are; the rest of the buying centre is not.
fn invited_role(roles: &[BuyingRole]) -> Option<AttendeeRole> {
    [
        (BuyingRole::DecisionMaker, AttendeeRole::DecisionMaker),
        (BuyingRole::Sponsor, AttendeeRole::Sponsor),
        (BuyingRole::Buyer, AttendeeRole::Buyer),
    ]
    .into_iter()
    .find(|(b, _)| roles.contains(b))
    .map(|(_, a)| a)
}

/// The attendees a review starts with: the account's decision makers, sponsors
/// and buyers who have an address, and its key-account manager (or owner).
async fn default_attendees(w: &mut Work, account: &bilan_domain::accounts::Account) -> AppResult<Vec<AttendeeInput>> {
    let ws = w.workspace_id();
    let mut out = Vec::new();
    let manager = bilan_db::key_accounts::key_account(&mut w.conn(), ws, account.id)
        .await?
        .map(|k| k.manager_id)
        .or(account.owner_id);
    if let Some(m) = manager {
        out.push(AttendeeInput {
            user_id: Some(m.to_string()),
            role: Some(AttendeeRole::AccountManager.code().into()),
            ..AttendeeInput::default()
        });
    }
    for p in bilan_db::contacts::buying_centre(&mut w.conn(), ws, account.id, 60).await? {
        if p.left_on.is_some() || p.email.is_none() {
            continue;
        }
        let Some(role) = invited_role(&p.roles) else {
            continue;
        };
        out.push(AttendeeInput {
            contact_id: Some(p.id.to_string()),
            role: Some(role.code().into()),
            ..AttendeeInput::default()
        });
        if out.len() >= 6 {
            break;
        }
    }
    Ok(out)
}

/// The agenda of a kind in a language, from the template.
pub fn template_agenda(kind: ReviewKind, lang: Lang) -> Vec<AgendaItem> {
    agenda::template(kind)
        .iter()
        .map(|(key, minutes)| AgendaItem {
            title: t(lang, key).to_owned(),
            minutes: *minutes,
        })
        .collect()
}

/// The language of the minutes: the one chosen, else the first client
/// attendee's, else French.
async fn minutes_lang(w: &mut Work, chosen: Option<&str>, attendees: &[AttendeeRow]) -> AppResult<String> {
    if let Some(l) = chosen {
        return Ok(l.to_owned());
    }
    let ws = w.workspace_id();
    for a in attendees.iter().filter(|a| a.side == "client") {
        if let Some(cid) = a.contact_id {
            if let Some(p) = bilan_db::contacts::find(&mut w.conn(), ws, cid).await? {
                return Ok(p.language.code().to_owned());
            }
        }
    }
    Ok("fr".to_owned())
}

fn parse_id(field: &str, raw: Option<&str>) -> AppResult<Uuid> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(AppError::field(field, "required")),
        Some(r) => Uuid::parse_str(r).map_err(|_| AppError::field(field, "id.invalid")),
    }
}

/// Plans a review of an account.
pub async fn plan_review(app: &App, actor: &Actor, input: &PlanInput) -> AppResult<ReviewView> {
    let today = local_day(app.now());
    let mut errors = ValidationErrors::new();
    let account_id = match parse_id("account_id", input.account_id.as_deref()) {
        Ok(a) => Some(a),
        Err(AppError::Validation(e)) => {
            errors.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    let plan = input.review.validate(today, true);
    let agenda_items = input.agenda.as_deref().map(agenda::parse).transpose();
    if let Err(e) = &plan {
        errors.0.extend(e.0.clone());
    }
    if let Err(e) = &agenda_items {
        errors.0.extend(e.0.clone());
    }
    errors.into_result()?;
    let (Some(account_id), Ok(plan), Ok(agenda_items)) = (account_id, plan, agenda_items) else {
        return Err(AppError::field("planned_on", "required"));
    };
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let account = bilan_db::accounts::find(&mut w.conn(), ws, account_id)
        .await?
        .ok_or_else(|| AppError::field("account_id", "account.unknown"))?;
    let id = bilan_db::new_id();
    let inputs = match &input.attendees {
        Some(a) => a.clone(),
        None => default_attendees(&mut w, &account).await?,
    };
    let attendees = attendee_rows(&mut w, id, account_id, &inputs).await?;
    let lang = minutes_lang(&mut w, plan.lang.as_deref(), &attendees).await?;
    let agenda_items =
        agenda_items.unwrap_or_else(|| template_agenda(plan.kind, Lang::parse(&lang).unwrap_or(Lang::Fr)));
    let row = ReviewRow {
        id,
        workspace_id: ws,
        account_id,
        kind: plan.kind.code().to_owned(),
        state: ReviewState::Planned.code().to_owned(),
        period_from: plan.period_from,
        period_to: plan.period_to,
        planned_on: plan.planned_on,
        starts_at: plan.starts_at.format("%H:%M").to_string(),
        duration_minutes: i32::try_from(plan.duration_minutes).unwrap_or(120),
        location: plan.location,
        lang,
        agenda_json: json(&agenda_items)?,
        ics_sequence: 0,
        invitation_sent_at: None,
        pack_json: None,
        prepared_at: None,
        draft_json: None,
        held_on: None,
        held_at: None,
        round_table_json: None,
        decisions_json: None,
        notes: None,
        minutes_sent_at: None,
        closed_at: None,
        cancelled_at: None,
        follows_id: None,
        created_by: (!actor.via_cli).then_some(actor.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(&mut w.conn(), &row).await?;
    store::replace_attendees(&mut w.conn(), ws, id, &attendees).await?;
    audit_review(&mut w, None, &row);
    let v = view(&mut w.conn(), row, today).await?;
    w.commit().await?;
    Ok(v)
}

/// Changes a planned review (day, time, place, period, attendees, agenda) if it is
/// still at `version`; an invitation already sent goes again as an update.
pub async fn replan_review(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: &PlanInput,
) -> AppResult<ReviewView> {
    let today = local_day(app.now());
    let mut errors = ValidationErrors::new();
    let plan = input.review.validate(today, false);
    let agenda_items = input.agenda.as_deref().map(agenda::parse).transpose();
    if let Err(e) = &plan {
        errors.0.extend(e.0.clone());
    }
    if let Err(e) = &agenda_items {
        errors.0.extend(e.0.clone());
    }
    errors.into_result()?;
    let (Ok(plan), Ok(agenda_items)) = (plan, agenda_items) else {
        return Err(AppError::field("planned_on", "required"));
    };
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let before = existing(&mut w, id).await?;
    if before.version != version {
        return Err(AppError::Stale {
            current_version: before.version,
        });
    }
    step(&before, ReviewState::Planned)?;
    let attendees = match &input.attendees {
        Some(a) => Some(attendee_rows(&mut w, id, before.account_id, a).await?),
        None => None,
    };
    let mut after = ReviewRow {
        kind: plan.kind.code().to_owned(),
        period_from: plan.period_from,
        period_to: plan.period_to,
        planned_on: plan.planned_on,
        starts_at: plan.starts_at.format("%H:%M").to_string(),
        duration_minutes: i32::try_from(plan.duration_minutes).unwrap_or(120),
        location: plan.location,
        lang: plan.lang.unwrap_or_else(|| before.lang.clone()),
        agenda_json: match agenda_items {
            Some(a) => json(&a)?,
            None => before.agenda_json.clone(),
        },
        updated_at: now,
        ..before.clone()
    };
    let moved = after.planned_on != before.planned_on
        || after.starts_at != before.starts_at
        || after.duration_minutes != before.duration_minutes
        || after.location != before.location
        || attendees.is_some();
    if let Some(a) = &attendees {
        store::replace_attendees(&mut w.conn(), ws, id, a).await?;
    }
    if moved && before.invitation_sent_at.is_some() {
        after.ics_sequence += 1;
        queue_invitation(&mut w, &after, invitation::Method::Request).await?;
        after.invitation_sent_at = Some(now);
    }
    if !store::update(&mut w.conn(), &after, before.version).await? {
        return Err(AppError::Stale {
            current_version: before.version + 1,
        });
    }
    after.version += 1;
    audit_review(&mut w, Some(&before), &after);
    let v = view(&mut w.conn(), after, today).await?;
    w.commit().await?;
    Ok(v)
}

/// The invitation of a review as it stands.
async fn invitation_of(
    c: &mut bilan_db::Conn<'_>,
    now: DateTime<Utc>,
    r: &ReviewRow,
    method: invitation::Method,
) -> AppResult<invitation::Invitation> {
    let ws = r.workspace_id;
    let lang = lang_of(r);
    let account = bilan_db::accounts::find(c, ws, r.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attendees = store::attendees(c, ws, r.id).await?;
    let organizer = match attendees.iter().find(|a| a.side == "supplier" && a.email.is_some()) {
        Some(a) => (a.name.clone(), a.email.clone().unwrap_or_default()),
        None => ("Bilan".to_owned(), "no-reply@bilan.invalid".to_owned()),
    };
    let agenda: Vec<AgendaItem> = parse_json(Some(&r.agenda_json));
    let kind = format!("review.kind.{}", r.kind);
    let mut description = format!("{}\n\n", t(lang, "review.invitation.intro"));
    for item in &agenda {
        if item.minutes > 0 {
            description.push_str(&format!("- {} ({} min)\n", item.title, item.minutes));
        } else {
            description.push_str(&format!("- {}\n", item.title));
        }
    }
    let (starts, ends) = meeting_times(r);
    Ok(invitation::Invitation {
        review_id: r.id,
        sequence: u32::try_from(r.ics_sequence).unwrap_or(0),
        method,
        summary: format!("{} — {}", t(lang, &kind), account.name),
        description,
        location: r.location.clone(),
        starts,
        ends,
        organizer,
        attendees: attendees
            .iter()
            .filter_map(|a| Some((a.name.clone(), a.email.clone()?)))
            .collect(),
        stamp: now,
    })
}

/// Queues the invitation (or its cancellation) to every attendee with an address.
async fn queue_invitation(w: &mut Work, r: &ReviewRow, method: invitation::Method) -> AppResult<usize> {
    let now = w.now();
    let inv = invitation_of(&mut w.conn(), now, r, method).await?;
    let ics = invitation::ics(&inv);
    let lang = lang_of(r);
    let (subject_key, body_key) = match method {
        invitation::Method::Request if r.ics_sequence > 0 => {
            ("review.mail.updated_subject", "review.mail.updated_body")
        }
        invitation::Method::Request => ("review.mail.invitation_subject", "review.mail.invitation_body"),
        invitation::Method::Cancel => ("review.mail.cancel_subject", "review.mail.cancel_body"),
    };
    let day = bilan_i18n::format::long_date(lang, r.planned_on);
    let fill = |s: &str| {
        s.replace("{title}", &inv.summary)
            .replace("{date}", &day)
            .replace("{time}", &r.starts_at)
            .replace("{place}", r.location.as_deref().unwrap_or("—"))
    };
    let subject = fill(t(lang, subject_key));
    let text = fill(t(lang, body_key)) + "\n\n" + &inv.description;
    let mut n = 0;
    for (name, address) in &inv.attendees {
        w.queue_mail(Outgoing {
            purpose: "review_invitation",
            subject_id: Some(r.id),
            to_address: address.clone(),
            to_name: Some(name.clone()),
            subject: subject.clone(),
            html: crate::complaints::letters::html_of(&text),
            text: text.clone(),
            not_before: w.now(),
            attachments: vec![Attachment {
                filename: "invitation.ics".into(),
                content_type: invitation::content_type(method),
                content: ics.clone().into_bytes(),
            }],
        });
        n += 1;
    }
    Ok(n)
}

/// Sends the calendar invitation to every attendee with an address (again, as
/// the same version, when nothing changed since).
pub async fn send_invitation(app: &App, actor: &Actor, id: Uuid) -> AppResult<ReviewView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    let before = existing(&mut w, id).await?;
    step(&before, ReviewState::Planned)?;
    let after = ReviewRow {
        invitation_sent_at: Some(now),
        updated_at: now,
        ..before.clone()
    };
    if queue_invitation(&mut w, &after, invitation::Method::Request).await? == 0 {
        return Err(AppError::field("attendees", "review.no_address"));
    }
    let v = save(&mut w, &before, after, local_day(now)).await?;
    w.commit().await?;
    Ok(v)
}

/// The invitation's iCalendar file as it stands (a cancellation once cancelled).
pub async fn invitation_ics(app: &App, actor: &Actor, id: Uuid) -> AppResult<String> {
    actor.require(Permission::ReadAccounts)?;
    // A read: a pooled connection, never the writer.
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let r = store::find(&mut c, actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let method = if state_of(&r) == ReviewState::Cancelled {
        invitation::Method::Cancel
    } else {
        invitation::Method::Request
    };
    let inv = invitation_of(&mut c, app.now(), &r, method).await?;
    Ok(invitation::ics(&inv))
}

async fn save(w: &mut Work, before: &ReviewRow, mut after: ReviewRow, today: NaiveDate) -> AppResult<ReviewView> {
    if !store::update(&mut w.conn(), &after, before.version).await? {
        return Err(AppError::Stale {
            current_version: before.version + 1,
        });
    }
    after.version += 1;
    audit_review(w, Some(before), &after);
    view(&mut w.conn(), after, today).await
}

/// Calls a review off; attendees who were invited get the cancellation.
pub async fn cancel_review(app: &App, actor: &Actor, id: Uuid) -> AppResult<ReviewView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    let before = existing(&mut w, id).await?;
    step(&before, ReviewState::Cancelled)?;
    let mut after = ReviewRow {
        state: ReviewState::Cancelled.code().to_owned(),
        cancelled_at: Some(now),
        updated_at: now,
        ..before.clone()
    };
    if before.invitation_sent_at.is_some() {
        after.ics_sequence += 1;
        queue_invitation(&mut w, &after, invitation::Method::Cancel).await?;
    }
    let v = save(&mut w, &before, after, local_day(now)).await?;
    w.commit().await?;
    Ok(v)
}

/// Freezes the review's data pack as it stands now (again, while still only prepared).
pub async fn prepare_review(app: &App, actor: &Actor, id: Uuid) -> AppResult<ReviewView> {
    actor.require(Permission::WritePlans)?;
    let r = {
        let mut pc = app.db.acquire().await?;
        store::find(&mut pc.conn(), actor.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    step(&r, ReviewState::Prepared)?;
    // Assembled before the write: reading a large account's year does not hold the writer.
    let mut p = pack::assemble(app, actor, r.account_id, r.period_from, r.period_to, Some(r.id)).await?;
    p.frozen = true;
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    let before = existing(&mut w, id).await?;
    step(&before, ReviewState::Prepared)?;
    let after = ReviewRow {
        state: ReviewState::Prepared.code().to_owned(),
        pack_json: Some(json(&p)?),
        prepared_at: Some(now),
        updated_at: now,
        ..before.clone()
    };
    let v = save(&mut w, &before, after, local_day(now)).await?;
    w.commit().await?;
    tracing::info!(review.id = %id, "review pack frozen");
    Ok(v)
}

/// The review's data pack: the frozen one once prepared, a live preview before.
pub async fn review_pack(app: &App, actor: &Actor, id: Uuid) -> AppResult<Pack> {
    actor.require(Permission::ReadAccounts)?;
    let r = {
        let mut pc = app.db.acquire().await?;
        store::find(&mut pc.conn(), actor.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if let Some(frozen) = r
        .pack_json
        .as_deref()
        .and_then(|s| serde_json::from_str::<Pack>(s).ok())
    {
        return Ok(frozen);
    }
    pack::assemble(app, actor, r.account_id, r.period_from, r.period_to, Some(r.id)).await
}

/// Saves what is being typed during the meeting, unchecked; returns when it was saved.
pub async fn save_draft(app: &App, actor: &Actor, id: Uuid, draft: &HoldInput) -> AppResult<DateTime<Utc>> {
    let raw = json(draft)?;
    if raw.len() > 512 * 1024 {
        return Err(AppError::field("draft", "too_long"));
    }
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    let before = existing(&mut w, id).await?;
    step(&before, ReviewState::Held)?;
    if state_of(&before).was_held() {
        return Err(AppError::Conflict("review.already_held".into()));
    }
    let after = ReviewRow {
        draft_json: Some(raw),
        updated_at: now,
        ..before.clone()
    };
    // A draft is saved every few seconds: it is not worth an audit entry each time.
    if !store::update(&mut w.conn(), &after, before.version).await? {
        return Err(AppError::Stale {
            current_version: before.version + 1,
        });
    }
    w.commit().await?;
    Ok(now)
}

/// The people an action item's owner may be: the workspace's users and the
/// account's contacts, read once for a whole action plan.
struct Owners {
    users: Vec<bilan_db::users::UserRow>,
    contacts: Vec<bilan_domain::contacts::Contact>,
}

impl Owners {
    async fn of(w: &mut Work, account: Uuid) -> AppResult<Owners> {
        let ws = w.workspace_id();
        Ok(Owners {
            users: bilan_db::users::list(&mut w.conn(), ws).await?,
            contacts: bilan_db::contacts::buying_centre(&mut w.conn(), ws, account, 500).await?,
        })
    }

    /// Who `raw` is: one of our users (by id, address or name), one of the
    /// account's contacts (by id or name), or a name as typed (client side).
    fn resolve(&self, raw: &str) -> (Side, Option<Uuid>, Option<Uuid>, String) {
        let raw = raw.trim();
        let wanted = bilan_domain::search::normalize(raw);
        if let Some(u) = self.users.iter().find(|u| {
            u.id.to_string() == raw
                || u.email.eq_ignore_ascii_case(raw)
                || bilan_domain::search::normalize(&u.display_name) == wanted
        }) {
            return (Side::Supplier, Some(u.id), None, u.display_name.clone());
        }
        match self
            .contacts
            .iter()
            .find(|p| p.id.to_string() == raw || bilan_domain::search::normalize(&p.full_name()) == wanted)
        {
            Some(p) => (Side::Client, None, Some(p.id), p.full_name()),
            None => (Side::Client, None, None, raw.to_owned()),
        }
    }
}

/// Records the meeting: round table, decisions, objectives and risks (into the
/// account plan), the action plan; freezes the pack if it was not, raises
/// `review_held`, and after an annual review plans the next one and its three
/// checkpoints.
pub async fn hold_review(app: &App, actor: &Actor, id: Uuid, input: &HoldInput) -> AppResult<ReviewView> {
    actor.require(Permission::WritePlans)?;
    let r = {
        let mut pc = app.db.acquire().await?;
        store::find(&mut pc.conn(), actor.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    step(&r, ReviewState::Held)?;
    if state_of(&r).was_held() {
        return Err(AppError::Conflict("review.already_held".into()));
    }
    let today = local_day(app.now());
    let held = input.validate(r.planned_on, today)?;
    let frozen = match r.pack_json {
        Some(_) => None,
        None => {
            let mut p = pack::assemble(app, actor, r.account_id, r.period_from, r.period_to, Some(r.id)).await?;
            p.frozen = true;
            Some(p)
        }
    };
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let before = existing(&mut w, id).await?;
    if state_of(&before).was_held() {
        return Err(AppError::Conflict("review.already_held".into()));
    }
    let account = bilan_db::accounts::find(&mut w.conn(), ws, before.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    for o in &held.objectives {
        let row = ObjectiveRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            account_id: before.account_id,
            title: o.title.clone(),
            metric: o.metric.clone(),
            baseline: o.baseline.map(|d| d.normalize().to_string()),
            target: o.target.normalize().to_string(),
            current_value: o.current.map(|d| d.normalize().to_string()),
            due_on: o.due_on,
            owner_id: o.owner_id.or(account.owner_id),
            status: o.status.code().to_owned(),
            created_at: now,
            updated_at: now,
            review_id: Some(id),
        };
        bilan_db::key_accounts::insert_objective(&mut w.conn(), &row).await?;
        w.audit_created(&row);
    }
    for rk in &held.risks {
        let row = RiskRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            account_id: before.account_id,
            title: rk.title.clone(),
            probability: i32::from(rk.probability),
            impact: i32::from(rk.impact),
            mitigation: rk.mitigation.clone(),
            owner_id: rk.owner_id.or(account.owner_id),
            status: rk.status.code().to_owned(),
            created_at: now,
            updated_at: now,
        };
        bilan_db::key_accounts::insert_risk(&mut w.conn(), &row).await?;
        w.audit_created(&row);
    }
    let mut action_rows = Vec::new();
    let owners = Owners::of(&mut w, before.account_id).await?;
    for (i, a) in held.action_items.iter().enumerate() {
        let (side, user, contact, name) = owners.resolve(&a.owner);
        let row = ActionRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            review_id: id,
            account_id: before.account_id,
            what: a.what.clone(),
            side: side.code().to_owned(),
            owner_user_id: user,
            owner_contact_id: contact,
            owner_name: name,
            due_on: a.due_on,
            status: ActionStatus::Open.code().to_owned(),
            done_on: None,
            note: None,
            position: i32::try_from(i).unwrap_or(i32::MAX),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        w.audit_created(&row);
        action_rows.push(row);
    }
    store::insert_actions(&mut w.conn(), &action_rows).await?;
    let mut after = ReviewRow {
        state: ReviewState::Held.code().to_owned(),
        held_on: Some(held.held_on),
        held_at: Some(now),
        round_table_json: Some(json(&held.round_table)?),
        decisions_json: Some(json(&held.decisions)?),
        notes: held.notes.clone(),
        draft_json: None,
        updated_at: now,
        ..before.clone()
    };
    if let Some(p) = &frozen {
        after.pack_json = Some(json(p)?);
        after.prepared_at = Some(now);
    }
    let attendees = store::attendees(&mut w.conn(), ws, id).await?;
    if before.kind == ReviewKind::Annual.code() {
        schedule_next(&mut w, &after, &attendees).await?;
    }
    w.raise(Event {
        kind: EventKind::ReviewHeld,
        account_id: before.account_id,
        contact_ids: attendees.iter().filter_map(|a| a.contact_id).collect(),
        source_kind: "review",
        source_id: id,
        occurred_at: if held.held_on == local_day(now) {
            now
        } else {
            meeting_times(&after).1
        },
    });
    let v = save(&mut w, &before, after, today).await?;
    w.commit().await?;
    tracing::info!(review.id = %id, actions = action_rows.len(), "review held");
    Ok(v)
}

/// After an annual review: the three quarterly checkpoints and next year's
/// review, with the same attendees, unless the account already has one planned then.
async fn schedule_next(w: &mut Work, held: &ReviewRow, attendees: &[AttendeeRow]) -> AppResult<()> {
    let ws = w.workspace_id();
    let now = w.now();
    let Some(held_on) = held.held_on else {
        return Ok(());
    };
    let planned = store::list(
        &mut w.conn(),
        ws,
        &ReviewFilter {
            account_id: Some(held.account_id),
            from: Some(held_on.succ_opt().unwrap_or(held_on)),
            ..ReviewFilter::default()
        },
        false,
        50,
    )
    .await?;
    let lang = lang_of(held);
    let mut next: Vec<(ReviewKind, NaiveDate)> = checkpoints_after(held_on)
        .into_iter()
        .map(|d| (ReviewKind::Checkpoint, d))
        .collect();
    if let Some(d) = bilan_domain::reviews::next_annual_due(Some(held_on)) {
        next.push((ReviewKind::Annual, d));
    }
    for (kind, day) in next {
        let taken = planned.iter().any(|p| {
            p.kind == kind.code()
                && p.state != ReviewState::Cancelled.code()
                && (p.planned_on - day).num_days().abs() < 45
        });
        if taken {
            continue;
        }
        let (from, to) = bilan_domain::reviews::default_period(kind, day);
        let id = bilan_db::new_id();
        let row = ReviewRow {
            id,
            kind: kind.code().to_owned(),
            state: ReviewState::Planned.code().to_owned(),
            period_from: from,
            period_to: to,
            planned_on: day,
            agenda_json: json(&template_agenda(kind, lang))?,
            ics_sequence: 0,
            invitation_sent_at: None,
            pack_json: None,
            prepared_at: None,
            draft_json: None,
            held_on: None,
            held_at: None,
            round_table_json: None,
            decisions_json: None,
            notes: None,
            minutes_sent_at: None,
            closed_at: None,
            cancelled_at: None,
            follows_id: Some(held.id),
            version: 1,
            created_at: now,
            updated_at: now,
            ..held.clone()
        };
        store::insert(&mut w.conn(), &row).await?;
        let copies: Vec<AttendeeRow> = attendees
            .iter()
            .map(|a| AttendeeRow {
                id: bilan_db::new_id(),
                review_id: id,
                ..a.clone()
            })
            .collect();
        store::replace_attendees(&mut w.conn(), ws, id, &copies).await?;
        audit_review(w, None, &row);
    }
    Ok(())
}

/// A minutes document: file name, MIME type, bytes.
pub struct MinutesFile {
    /// File name.
    pub filename: String,
    /// MIME type.
    pub content_type: &'static str,
    /// Content.
    pub bytes: Vec<u8>,
}

/// The formats the minutes come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinutesFormat {
    /// PDF, to read and print.
    Pdf,
    /// Word (.docx), to edit.
    Docx,
}

impl MinutesFormat {
    /// Extension and stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
        }
    }

    /// MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
}

async fn render_minutes(
    c: &mut bilan_db::Conn<'_>,
    today: NaiveDate,
    r: &ReviewRow,
    format: MinutesFormat,
) -> AppResult<MinutesFile> {
    let ws = r.workspace_id;
    let v = view(c, r.clone(), today).await?;
    let p: Option<Pack> = r.pack_json.as_deref().and_then(|s| serde_json::from_str(s).ok());
    let template = settings::template_in(c, ws).await?;
    let company = bilan_db::workspaces::find(c, ws)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    let doc = minutes::document(&v, p.as_ref(), &template, &company, lang_of(r));
    let bytes = match format {
        MinutesFormat::Pdf => pdf::render(&doc),
        MinutesFormat::Docx => docx::render(&doc),
    }
    .map_err(|e| AppError::Internal(format!("the minutes could not be written: {e}")))?;
    Ok(MinutesFile {
        filename: minutes::filename(&v, lang_of(r), format.code()),
        content_type: format.content_type(),
        bytes,
    })
}

/// The minutes of a held review: those kept once sent, otherwise written now.
pub async fn minutes_file(app: &App, actor: &Actor, id: Uuid, format: MinutesFormat) -> AppResult<MinutesFile> {
    actor.require(Permission::ReadAccounts)?;
    // A read: a pooled connection, never the writer, even while the PDF is set.
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let r = store::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    if !state_of(&r).was_held() {
        return Err(AppError::Conflict("review.not_held".into()));
    }
    Ok(match store::document(&mut c, ws, id, format.code()).await? {
        Some(d) => MinutesFile {
            filename: d.filename,
            content_type: format.content_type(),
            bytes: d.content,
        },
        None => render_minutes(&mut c, local_day(app.now()), &r, format).await?,
    })
}

/// Writes the minutes (PDF and Word), keeps them on the review and e-mails them
/// to every attendee with an address.
pub async fn send_minutes(app: &App, actor: &Actor, id: Uuid) -> AppResult<ReviewView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let before = existing(&mut w, id).await?;
    step(&before, ReviewState::MinutesSent)?;
    let lang = lang_of(&before);
    let mut files = Vec::new();
    for format in [MinutesFormat::Pdf, MinutesFormat::Docx] {
        let today = local_day(now);
        let f = render_minutes(&mut w.conn(), today, &before, format).await?;
        store::save_document(
            &mut w.conn(),
            &bilan_db::reviews::DocumentRow {
                id: bilan_db::new_id(),
                workspace_id: ws,
                review_id: id,
                format: format.code().to_owned(),
                lang: lang.code().to_owned(),
                filename: f.filename.clone(),
                content: f.bytes.clone(),
                created_at: now,
            },
        )
        .await?;
        files.push(f);
    }
    let account = bilan_db::accounts::find(&mut w.conn(), ws, before.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = t(lang, &format!("review.kind.{}", before.kind)).to_owned();
    let day = bilan_i18n::format::long_date(lang, before.held_on.unwrap_or(before.planned_on));
    let fill = |s: &str| {
        s.replace("{title}", &format!("{kind} — {}", account.name))
            .replace("{date}", &day)
    };
    let subject = fill(t(lang, "review.mail.minutes_subject"));
    let text = fill(t(lang, "review.mail.minutes_body"));
    let mut sent = 0;
    for a in store::attendees(&mut w.conn(), ws, id).await? {
        let Some(address) = a.email.clone() else {
            continue;
        };
        w.queue_mail(Outgoing {
            purpose: "review_minutes",
            subject_id: Some(id),
            to_address: address,
            to_name: Some(a.name.clone()),
            subject: subject.clone(),
            html: crate::complaints::letters::html_of(&text),
            text: text.clone(),
            not_before: now,
            attachments: files
                .iter()
                .map(|f| Attachment {
                    filename: f.filename.clone(),
                    content_type: f.content_type.to_owned(),
                    content: f.bytes.clone(),
                })
                .collect(),
        });
        sent += 1;
    }
    if sent == 0 {
        return Err(AppError::field("attendees", "review.no_address"));
    }
    let after = ReviewRow {
        state: ReviewState::MinutesSent.code().to_owned(),
        minutes_sent_at: Some(now),
        updated_at: now,
        ..before.clone()
    };
    let v = save(&mut w, &before, after, local_day(now)).await?;
    w.commit().await?;
    Ok(v)
}

/// Closes a held review.
pub async fn close_review(app: &App, actor: &Actor, id: Uuid) -> AppResult<ReviewView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    let before = existing(&mut w, id).await?;
    step(&before, ReviewState::Closed)?;
    let after = ReviewRow {
        state: ReviewState::Closed.code().to_owned(),
        closed_at: Some(now),
        updated_at: now,
        ..before.clone()
    };
    let v = save(&mut w, &before, after, local_day(now)).await?;
    w.commit().await?;
    Ok(v)
}

/// One review.
pub async fn review(app: &App, actor: &Actor, id: Uuid) -> AppResult<ReviewView> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let r = store::find(&mut c, actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    view(&mut c, r, local_day(app.now())).await
}

/// A review as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewListItem))]
pub struct ListedReviewView {
    /// Id.
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub account_name: String,
    /// Kind.
    pub kind: String,
    /// State.
    pub state: String,
    /// Day planned.
    pub planned_on: NaiveDate,
    /// Day held.
    pub held_on: Option<NaiveDate>,
    /// Period.
    pub period_from: NaiveDate,
    /// Period end.
    pub period_to: NaiveDate,
    /// Action items.
    pub actions: i64,
    /// Of which still open.
    pub open_actions: i64,
}

/// Which reviews to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReviewQuery {
    /// One account.
    pub account_id: Option<Uuid>,
    /// Only the accounts I own.
    pub mine: bool,
    /// One state.
    pub state: Option<String>,
    /// One kind.
    pub kind: Option<String>,
    /// Planned from.
    pub from: Option<NaiveDate>,
    /// Planned until.
    pub to: Option<NaiveDate>,
    /// Newest first (default: soonest first).
    pub newest_first: bool,
}

/// Reviews, at most 500.
pub async fn list_reviews(app: &App, actor: &Actor, q: &ReviewQuery) -> AppResult<Vec<ListedReviewView>> {
    actor.require(Permission::ReadAccounts)?;
    if let Some(s) = &q.state {
        if ReviewState::parse(s).is_none() {
            return Err(AppError::field("state", "review.state_invalid"));
        }
    }
    if let Some(k) = &q.kind {
        if ReviewKind::parse(k).is_none() {
            return Err(AppError::field("kind", "review.kind_invalid"));
        }
    }
    let mut pc = app.db.acquire().await?;
    let rows = store::list(
        &mut pc.conn(),
        actor.workspace_id,
        &ReviewFilter {
            account_id: q.account_id,
            owner_id: q.mine.then_some(actor.user_id),
            state: q.state.clone(),
            kind: q.kind.clone(),
            from: q.from,
            to: q.to,
        },
        q.newest_first,
        500,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ListedReviewView {
            id: r.id,
            account_id: r.account_id,
            account_name: r.account_name,
            kind: r.kind,
            state: r.state,
            planned_on: r.planned_on,
            held_on: r.held_on,
            period_from: r.period_from,
            period_to: r.period_to,
            actions: r.actions,
            open_actions: r.open_actions,
        })
        .collect())
}

/// Which action items to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ActionQuery {
    /// One account.
    pub account_id: Option<Uuid>,
    /// One owner (a user).
    pub owner_id: Option<Uuid>,
    /// Only mine.
    pub mine: bool,
    /// `open`, `done`, `dropped` (default: every status).
    pub status: Option<String>,
    /// Only the late ones.
    pub overdue: bool,
}

/// Action items, soonest due first, at most 1,000.
pub async fn action_items(app: &App, actor: &Actor, q: &ActionQuery) -> AppResult<Vec<ActionView>> {
    actor.require(Permission::ReadAccounts)?;
    let today = local_day(app.now());
    if let Some(s) = &q.status {
        if ActionStatus::parse(s).is_none() {
            return Err(AppError::field("status", "review.action_status_invalid"));
        }
    }
    let mut pc = app.db.acquire().await?;
    let rows = store::list_actions(
        &mut pc.conn(),
        actor.workspace_id,
        &ActionFilter {
            account_id: q.account_id,
            owner_user_id: if q.mine { Some(actor.user_id) } else { q.owner_id },
            status: if q.overdue {
                Some(ActionStatus::Open.code().to_owned())
            } else {
                q.status.clone()
            },
            due_before: q.overdue.then_some(today),
            due_until: None,
        },
        1000,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|l| action_view(&l.action, Some(l.account_name), today))
        .collect())
}

/// A change to an action item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewActionUpdate))]
pub struct ActionUpdate {
    /// `open`, `done` or `dropped`.
    pub status: Option<String>,
    /// A note on its progress.
    pub note: Option<String>,
    /// A new due date.
    pub due_on: Option<String>,
    /// A new owner.
    pub owner: Option<String>,
    /// A new wording.
    pub what: Option<String>,
}

/// Refuses someone who may not change the action item `id`: only its owner and
/// the keepers of account plans may (checked before the request is read).
pub async fn check_action_access(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    if actor.can(Permission::WritePlans) {
        return Ok(());
    }
    let mut pc = app.db.acquire().await?;
    match store::action(&mut pc.conn(), actor.workspace_id, id).await? {
        Some(a) if a.owner_user_id == Some(actor.user_id) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Changes an action item: its owner may mark it done or note its progress;
/// someone who keeps account plans may change anything.
pub async fn update_action(app: &App, actor: &Actor, id: Uuid, input: &ActionUpdate) -> AppResult<ActionView> {
    let mut w = app.write_own(actor).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let today = local_day(now);
    let may_plan = actor.can(Permission::WritePlans);
    let before = match store::action(&mut w.conn(), ws, id).await? {
        Some(a) => a,
        // Someone who may only change their own items learns nothing of others'.
        None if !may_plan => return Err(AppError::Forbidden),
        None => return Err(AppError::NotFound),
    };
    if !may_plan && before.owner_user_id != Some(actor.user_id) {
        return Err(AppError::Forbidden);
    }
    let mut e = ValidationErrors::new();
    let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => ActionStatus::parse(&before.status).unwrap_or(ActionStatus::Open),
        Some(raw) => ActionStatus::parse(raw).unwrap_or_else(|| {
            e.add("status", "review.action_status_invalid");
            ActionStatus::Open
        }),
    };
    let note =
        bilan_domain::validation::optional_text(&mut e, "note", input.note.as_deref(), 2000).or(before.note.clone());
    let changes_plan = input.due_on.is_some() || input.owner.is_some() || input.what.is_some();
    if changes_plan && !may_plan {
        return Err(AppError::Forbidden);
    }
    let checked = if changes_plan {
        check_action(
            &mut e,
            "",
            &ActionItemInput {
                what: input.what.clone().or(Some(before.what.clone())),
                owner: input.owner.clone().or(Some(before.owner_name.clone())),
                due_on: input.due_on.clone().or(Some(before.due_on.to_string())),
            },
            before.created_at.date_naive().min(today),
        )
    } else {
        None
    };
    // Field names without the list prefix the checker adds.
    let e = ValidationErrors(
        e.0.into_iter()
            .map(|f| bilan_domain::validation::FieldError {
                field: f.field.trim_start_matches('.').to_owned(),
                code: f.code,
            })
            .collect(),
    );
    e.into_result()?;
    let mut after = ActionRow {
        status: status.code().to_owned(),
        done_on: match status {
            ActionStatus::Done => before.done_on.or(Some(today)),
            _ => None,
        },
        note,
        updated_at: now,
        ..before.clone()
    };
    if let Some(c) = checked {
        if input.owner.is_some() && c.owner != before.owner_name {
            let (side, user, contact, name) = Owners::of(&mut w, before.account_id).await?.resolve(&c.owner);
            after.side = side.code().to_owned();
            after.owner_user_id = user;
            after.owner_contact_id = contact;
            after.owner_name = name;
        }
        after.what = c.what;
        after.due_on = c.due_on;
    }
    if !store::update_action(&mut w.conn(), &after, before.version).await? {
        return Err(AppError::Stale {
            current_version: before.version + 1,
        });
    }
    after.version += 1;
    w.audit_updated(&before, &after);
    w.commit().await?;
    Ok(action_view(&after, None, today))
}

/// Where a key account's reviews stand this year.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewProgrammeLine))]
pub struct ProgrammeReview {
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
    /// Next review planned.
    pub next_planned_on: Option<NaiveDate>,
    /// Its kind.
    pub next_kind: Option<String>,
    /// Its id.
    pub next_review_id: Option<Uuid>,
    /// `held` (this year), `planned`, `due` (none held in twelve months, none planned) or `overdue` (due, and the last one more than fifteen months ago).
    pub status: String,
    /// Open action items.
    pub open_actions: i64,
    /// Of which late.
    pub overdue_actions: i64,
}

/// Where a key account's annual review stands on `today`.
pub fn review_status(last_held: Option<NaiveDate>, next_planned: Option<NaiveDate>, today: NaiveDate) -> &'static str {
    use chrono::Datelike;
    if last_held.is_some_and(|d| d.year() == today.year()) {
        "held"
    } else if next_planned.is_some() {
        "planned"
    } else if last_held.is_some_and(|d| (today - d).num_days() > 456) {
        "overdue"
    } else if last_held.is_some_and(|d| (today - d).num_days() < 365) {
        "held"
    } else {
        "due"
    }
}

/// Every key account (or mine) with its last annual review, next review and open actions.
pub async fn programme_reviews(app: &App, actor: &Actor, mine: bool) -> AppResult<Vec<ProgrammeReview>> {
    actor.require(Permission::ReadAccounts)?;
    let today = local_day(app.now());
    let mut pc = app.db.acquire().await?;
    let rows =
        store::programme_reviews(&mut pc.conn(), actor.workspace_id, mine.then_some(actor.user_id), today).await?;
    Ok(rows
        .into_iter()
        .map(|r| ProgrammeReview {
            status: review_status(r.last_held_on, r.next_planned_on, today).to_owned(),
            account_id: r.account_id,
            name: r.name,
            manager_id: r.manager_id,
            tier: r.tier,
            last_held_on: r.last_held_on,
            next_planned_on: r.next_planned_on,
            next_kind: r.next_kind,
            next_review_id: r.next_id,
            open_actions: r.open_actions,
            overdue_actions: r.overdue_actions,
        })
        .collect())
}

/// Someone who could attend a review: a contact of the account or one of us.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Candidate {
    /// `contact` or `user`.
    pub kind: &'static str,
    /// Their id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Address.
    pub email: Option<String>,
    /// Job title, or role in the team.
    pub detail: String,
    /// The role they would have when invited by default; `None`: not invited by default.
    pub default_role: Option<&'static str>,
}

/// The people a review of `account` can invite: its buying centre (still there)
/// and the team, with those invited by default marked.
pub async fn candidates(app: &App, actor: &Actor, account: Uuid) -> AppResult<Vec<Candidate>> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let acc = bilan_db::accounts::find(&mut c, ws, account)
        .await?
        .ok_or(AppError::NotFound)?;
    let manager = bilan_db::key_accounts::key_account(&mut c, ws, account)
        .await?
        .map(|k| k.manager_id)
        .or(acc.owner_id);
    let mut out = Vec::new();
    let mut invited = 0;
    for p in bilan_db::contacts::buying_centre(&mut c, ws, account, 60).await? {
        if p.left_on.is_some() {
            continue;
        }
        let default_role = invited_role(&p.roles)
            .filter(|_| p.email.is_some() && invited < 5)
            .map(AttendeeRole::code);
        invited += usize::from(default_role.is_some());
        out.push(Candidate {
            kind: "contact",
            id: p.id,
            name: p.full_name(),
            email: p.email.clone(),
            detail: p.job_title.clone().unwrap_or_default(),
            default_role,
        });
    }
    for u in bilan_db::users::list(&mut c, ws).await? {
        if u.disabled_at.is_some() {
            continue;
        }
        out.push(Candidate {
            kind: "user",
            id: u.id,
            default_role: (Some(u.id) == manager).then_some(AttendeeRole::AccountManager.code()),
            name: u.display_name,
            email: Some(u.email),
            detail: u.role,
        });
    }
    Ok(out)
}
