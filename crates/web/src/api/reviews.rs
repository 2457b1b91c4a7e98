//! Client reviews through the API: plan one, invite, freeze and read its data
//! pack, hold it, get and send its minutes, follow the action items, and see
//! which key accounts had their review.

use super::key_accounts::{ObjectiveBody, RiskBody};
use super::problem::{parse_json, ApiResult, Problem};
use super::{parse_id, ApiQuery};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::reviews::settings::{self, MinutesTemplate};
use bilan_app::reviews::{
    self as uc, ActionQuery, ActionUpdate, ActionView, ListedReviewView, MinutesFormat, PlanInput, ProgrammeReview,
    ReviewQuery, ReviewView,
};
use bilan_domain::reviews::hold::{ActionItemInput, HoldInput, RoundTableInput};
use bilan_domain::reviews::pack::Pack;
use bilan_domain::reviews::{AttendeeInput, ReviewInput};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Someone at the review: a contact of the account, one of our users, or a name and address.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewAttendeeBody {
    /// A contact of the account (client side).
    pub contact_id: Option<String>,
    /// A user (our side).
    pub user_id: Option<String>,
    /// A name, for someone Bilan does not know.
    pub name: Option<String>,
    /// Their address.
    pub email: Option<String>,
    /// decision_maker, buyer, prescriber, user, sponsor (client); account_manager, customer_success, support, finance, executive (us).
    pub role: Option<String>,
}

/// A review to plan (or re-plan: `account_id` is then ignored and `version` required).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewPlanBody {
    /// The account (required to plan).
    pub account_id: Option<String>,
    /// annual (default), checkpoint or steering.
    pub kind: Option<String>,
    /// First day looked back on (default: twelve months, or three for a checkpoint, before the meeting).
    pub period_from: Option<String>,
    /// Last day looked back on (default: the day before the meeting).
    pub period_to: Option<String>,
    /// Day of the meeting, YYYY-MM-DD (required).
    pub planned_on: Option<String>,
    /// Local start time, HH:MM (default 10:00).
    pub starts_at: Option<String>,
    /// Length in minutes (default 120).
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Option<serde_json::Value>,
    /// Where.
    pub location: Option<String>,
    /// Language of the minutes: fr or en (default: the first client attendee's).
    pub lang: Option<String>,
    /// Who attends (default: the account's decision makers, sponsor and buyers with an address, and its manager).
    pub attendees: Option<Vec<ReviewAttendeeBody>>,
    /// The agenda, one point a line, "Title — 30 min" (default: the kind's template).
    pub agenda: Option<String>,
    /// The version read, when re-planning.
    #[schema(value_type = Option<i64>)]
    pub version: Option<super::bodies::Whole>,
}

impl ReviewPlanBody {
    fn input(&self) -> PlanInput {
        let n = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        PlanInput {
            account_id: self.account_id.clone(),
            review: ReviewInput {
                kind: self.kind.clone(),
                period_from: self.period_from.clone(),
                period_to: self.period_to.clone(),
                planned_on: self.planned_on.clone(),
                starts_at: self.starts_at.clone(),
                duration_minutes: n(&self.duration_minutes),
                location: self.location.clone(),
                lang: self.lang.clone(),
            },
            attendees: self.attendees.as_ref().map(|list| {
                list.iter()
                    .map(|a| AttendeeInput {
                        contact_id: a.contact_id.clone(),
                        user_id: a.user_id.clone(),
                        name: a.name.clone(),
                        email: a.email.clone(),
                        role: a.role.clone(),
                    })
                    .collect()
            }),
            agenda: self.agenda.clone(),
        }
    }
}

/// What was said and decided at the meeting.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewHoldBody {
    /// Day held, YYYY-MM-DD (default: the planned day).
    pub held_on: Option<String>,
    /// Each attendee's satisfactions and irritants.
    #[serde(default)]
    pub round_table: Vec<RoundTableInput>,
    /// Decisions, one each.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// SMART objectives for the period ahead (they join the account plan).
    #[serde(default)]
    pub objectives: Vec<ObjectiveBody>,
    /// Risks raised (they join the account plan's register).
    #[serde(default)]
    pub risks: Vec<RiskBody>,
    /// The action plan: what, owner (a user's id, e-mail or name, a contact's id or name, any name), due_on.
    #[serde(default)]
    pub action_items: Vec<ActionItemInput>,
    /// Free notes.
    pub notes: Option<String>,
}

impl ReviewHoldBody {
    fn input(&self) -> HoldInput {
        HoldInput {
            held_on: self.held_on.clone(),
            round_table: self.round_table.clone(),
            decisions: self.decisions.clone(),
            objectives: self.objectives.iter().map(ObjectiveBody::input).collect(),
            risks: self.risks.iter().map(RiskBody::input).collect(),
            action_items: self.action_items.clone(),
            notes: self.notes.clone(),
        }
    }
}

/// Which reviews to list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewListQuery {
    /// One account.
    pub account_id: Option<String>,
    /// Only the accounts I own.
    #[serde(default)]
    pub mine: bool,
    /// planned, prepared, held, minutes_sent, closed or cancelled.
    pub state: Option<String>,
    /// annual, checkpoint or steering.
    pub kind: Option<String>,
    /// Planned on or after, YYYY-MM-DD.
    pub from: Option<String>,
    /// Planned on or before.
    pub to: Option<String>,
    /// Newest first (default: soonest first).
    #[serde(default)]
    pub newest_first: bool,
}

/// An id of a query string: empty is absent, anything else must be one (422 naming it).
fn query_id(field: &str, raw: Option<&str>) -> ApiResult<Option<Uuid>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(r) => Uuid::parse_str(r)
            .map(Some)
            .map_err(|_| bilan_app::AppError::field(field, "id.invalid").into()),
    }
}

/// A day of a query string (YYYY-MM-DD): empty is absent, anything else must be one.
fn query_day(field: &str, raw: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(r) => NaiveDate::parse_from_str(r, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bilan_app::AppError::field(field, "date.invalid").into()),
    }
}

/// Reviews, at most 500.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews", params(
        ("account_id" = Option<String>, Query, description = "One account"),
        ("mine" = Option<bool>, Query, description = "Only the accounts I own"),
        ("state" = Option<String>, Query, description = "planned, prepared, held, minutes_sent, closed or cancelled"),
        ("kind" = Option<String>, Query, description = "annual, checkpoint or steering"),
        ("from" = Option<String>, Query, description = "Planned on or after, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "Planned on or before, YYYY-MM-DD"),
        ("newest_first" = Option<bool>, Query, description = "Newest first (default: soonest first)")),
    responses((status = 200, body = Vec<ListedReviewView>), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn list_reviews(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ReviewListQuery>,
) -> ApiResult<Json<Vec<ListedReviewView>>> {
    let q = ReviewQuery {
        account_id: query_id("account_id", q.account_id.as_deref())?,
        mine: q.mine,
        state: q.state.filter(|s| !s.is_empty()),
        kind: q.kind.filter(|s| !s.is_empty()),
        from: query_day("from", q.from.as_deref())?,
        to: query_day("to", q.to.as_deref())?,
        newest_first: q.newest_first,
    };
    Ok(Json(uc::list_reviews(&state.app, &actor, &q).await?))
}

/// Plans a review (201); its attendees and agenda default from the account and the kind.
#[utoipa::path(post, path = "/api/v1/reviews", tag = "reviews", request_body = ReviewPlanBody,
    responses((status = 201, body = ReviewView), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn plan_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let b = parse_json::<ReviewPlanBody>(&body)?;
    Ok((
        StatusCode::CREATED,
        Json(uc::plan_review(&state.app, &actor, &b.input()).await?),
    ))
}

/// One review with its attendees, agenda, what was recorded and its action plan.
#[utoipa::path(get, path = "/api/v1/reviews/{id}", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn find_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(uc::review(&state.app, &actor, parse_id(&id)?).await?))
}

/// Re-plans a review not yet held (day, time, place, period, attendees, agenda),
/// if still at `version`; an invitation already sent goes again as an update.
#[utoipa::path(patch, path = "/api/v1/reviews/{id}", tag = "reviews", request_body = ReviewPlanBody,
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn replan_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<ReviewView>> {
    let b = parse_json::<ReviewPlanBody>(&body)?;
    let version = b
        .version
        .ok_or_else(|| bilan_app::AppError::field("version", "required"))?;
    Ok(Json(
        uc::replan_review(&state.app, &actor, parse_id(&id)?, version.0, &b.input()).await?,
    ))
}

/// Sends the calendar invitation to every attendee with an address.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/invitation", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn invite_to_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(uc::send_invitation(&state.app, &actor, parse_id(&id)?).await?))
}

/// The invitation as an iCalendar file (METHOD:REQUEST, or CANCEL once cancelled).
#[utoipa::path(get, path = "/api/v1/reviews/{id}/invitation.ics", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn review_invitation_ics(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let text = uc::invitation_ics(&state.app, &actor, parse_id(&id)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"invitation.ics\"".to_owned(),
            ),
        ],
        text,
    )
        .into_response())
}

/// Calls the review off; invited attendees get the cancellation.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/cancel", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn cancel_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(uc::cancel_review(&state.app, &actor, parse_id(&id)?).await?))
}

/// Freezes the data pack as it stands now: later changes do not alter it.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/prepare", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn prepare_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(uc::prepare_review(&state.app, &actor, parse_id(&id)?).await?))
}

/// The data pack: frozen once prepared (`frozen: true`), a live preview before.
#[utoipa::path(get, path = "/api/v1/reviews/{id}/pack", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = Pack), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn review_pack(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Pack>> {
    Ok(Json(uc::review_pack(&state.app, &actor, parse_id(&id)?).await?))
}

/// When a draft was saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftSaved {
    /// Saved at.
    pub saved_at: DateTime<Utc>,
}

/// Saves what is typed during the meeting, unchecked (the meeting page autosaves it).
#[utoipa::path(put, path = "/api/v1/reviews/{id}/draft", tag = "reviews", request_body = ReviewHoldBody,
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = DraftSaved), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn save_review_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<DraftSaved>> {
    let b = parse_json::<ReviewHoldBody>(&body)?;
    let saved_at = uc::save_draft(&state.app, &actor, parse_id(&id)?, &b.input()).await?;
    Ok(Json(DraftSaved { saved_at }))
}

/// Records the meeting: round table, decisions, objectives, risks, action items
/// (each: what, owner, due_on); freezes the pack if it was not; raises `review_held`.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/hold", tag = "reviews", request_body = ReviewHoldBody,
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn hold_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<ReviewView>> {
    let b = parse_json::<ReviewHoldBody>(&body)?;
    Ok(Json(
        uc::hold_review(&state.app, &actor, parse_id(&id)?, &b.input()).await?,
    ))
}

async fn minutes(state: &AppState, actor: &bilan_app::Actor, id: &str, format: MinutesFormat) -> ApiResult<Response> {
    let f = uc::minutes_file(&state.app, actor, parse_id(id)?, format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    super::invoices::safe_file_name(&f.filename)
                ),
            ),
        ],
        f.bytes,
    )
        .into_response())
}

/// The minutes as a PDF, once the review is held (409 before).
#[utoipa::path(get, path = "/api/v1/reviews/{id}/minutes.pdf", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn review_minutes_pdf(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    minutes(&state, &actor, &id, MinutesFormat::Pdf).await
}

/// The minutes as an editable Word document, once the review is held (409 before).
#[utoipa::path(get, path = "/api/v1/reviews/{id}/minutes.docx", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn review_minutes_docx(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    minutes(&state, &actor, &id, MinutesFormat::Docx).await
}

/// Writes the minutes, keeps them on the review and e-mails them to the attendees.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/minutes/send", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn send_review_minutes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(uc::send_minutes(&state.app, &actor, parse_id(&id)?).await?))
}

/// Closes a held review.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/close", tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn close_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(uc::close_review(&state.app, &actor, parse_id(&id)?).await?))
}

/// Which action items to list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionListQuery {
    /// One account.
    pub account_id: Option<String>,
    /// One owner (a user).
    pub owner_id: Option<String>,
    /// Only mine.
    #[serde(default)]
    pub mine: bool,
    /// open, done or dropped.
    pub status: Option<String>,
    /// Only the late ones.
    #[serde(default)]
    pub overdue: bool,
}

/// Action items of the reviews, soonest due first, at most 1,000.
#[utoipa::path(get, path = "/api/v1/review-actions", tag = "reviews", params(
        ("account_id" = Option<String>, Query, description = "One account"),
        ("owner_id" = Option<String>, Query, description = "One owner (a user)"),
        ("mine" = Option<bool>, Query, description = "Only mine"),
        ("status" = Option<String>, Query, description = "open, done or dropped"),
        ("overdue" = Option<bool>, Query, description = "Only the late ones")),
    responses((status = 200, body = Vec<ActionView>), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn list_review_actions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ActionListQuery>,
) -> ApiResult<Json<Vec<ActionView>>> {
    let q = ActionQuery {
        account_id: query_id("account_id", q.account_id.as_deref())?,
        owner_id: query_id("owner_id", q.owner_id.as_deref())?,
        mine: q.mine,
        status: q.status.filter(|s| !s.is_empty()),
        overdue: q.overdue,
    };
    Ok(Json(uc::action_items(&state.app, &actor, &q).await?))
}

/// A change to an action item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewActionBody {
    /// open, done or dropped.
    pub status: Option<String>,
    /// A note on its progress.
    pub note: Option<String>,
    /// A new due date (keepers of account plans only).
    pub due_on: Option<String>,
    /// A new owner (keepers of account plans only).
    pub owner: Option<String>,
    /// A new wording (keepers of account plans only).
    pub what: Option<String>,
}

/// Marks an action item done or dropped, notes its progress; its owner may, and
/// so may anyone who keeps account plans (who may also change its date, owner, wording).
#[utoipa::path(patch, path = "/api/v1/review-actions/{id}", tag = "reviews", request_body = ReviewActionBody,
    params(("id" = String, Path, description = "Action item id")),
    responses((status = 200, body = ActionView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("authenticated")), ("x-permission-others" = json!("write_plans"))))]
pub async fn update_review_action(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<ActionView>> {
    let id = parse_id(&id)?;
    uc::check_action_access(&state.app, &actor, id).await?;
    let b = parse_json::<ReviewActionBody>(&body)?;
    let input = ActionUpdate {
        status: b.status,
        note: b.note,
        due_on: b.due_on,
        owner: b.owner,
        what: b.what,
    };
    Ok(Json(uc::update_action(&state.app, &actor, id, &input).await?))
}

/// Whose reviews to see.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeQuery {
    /// Only the accounts I manage.
    #[serde(default)]
    pub mine: bool,
}

/// Every key account with its last annual review, the next one planned, its
/// status this year (held, planned, due, overdue) and its open action items.
#[utoipa::path(get, path = "/api/v1/key-accounts/reviews", tag = "reviews", params(("mine" = Option<bool>, Query, description = "Only the accounts I manage")),
    responses((status = 200, body = Vec<ProgrammeReview>), (status = 400, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn programme_reviews(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ProgrammeQuery>,
) -> ApiResult<Json<Vec<ProgrammeReview>>> {
    Ok(Json(uc::programme_reviews(&state.app, &actor, q.mine).await?))
}

/// The workspace's minutes template.
#[utoipa::path(get, path = "/api/v1/review-template", tag = "reviews",
    responses((status = 200, body = MinutesTemplate)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn get_minutes_template(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<MinutesTemplate>> {
    Ok(Json(settings::template(&state.app, &actor).await?))
}

/// The minutes template to save (every field).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesTemplateBody {
    /// Accent colour, #rrggbb.
    pub accent: String,
    /// The line at the foot of each page (empty: the company's name).
    pub footer: String,
    /// Show satisfaction.
    pub satisfaction: bool,
    /// Show complaints.
    pub complaints: bool,
    /// Show invoices.
    pub invoices: bool,
    /// Show usage.
    pub usage: bool,
    /// Show health.
    pub health: bool,
    /// List the interventions beyond the contract.
    pub beyond_contract: bool,
}

/// Saves the minutes template.
#[utoipa::path(put, path = "/api/v1/review-template", tag = "reviews", request_body = MinutesTemplateBody,
    responses((status = 200, body = MinutesTemplate), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_programme"))))]
pub async fn put_minutes_template(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Json<MinutesTemplate>> {
    let b = parse_json::<MinutesTemplateBody>(&body)?;
    let t = MinutesTemplate {
        accent: b.accent,
        footer: b.footer,
        satisfaction: b.satisfaction,
        complaints: b.complaints,
        invoices: b.invoices,
        usage: b.usage,
        health: b.health,
        beyond_contract: b.beyond_contract,
    };
    Ok(Json(settings::save_template(&state.app, &actor, &t).await?))
}

/// The reviews' operations.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reviews, plan_review))
        .routes(routes!(find_review, replan_review))
        .routes(routes!(invite_to_review))
        .routes(routes!(review_invitation_ics))
        .routes(routes!(cancel_review))
        .routes(routes!(prepare_review))
        .routes(routes!(review_pack))
        .routes(routes!(save_review_draft))
        .routes(routes!(hold_review))
        .routes(routes!(review_minutes_pdf))
        .routes(routes!(review_minutes_docx))
        .routes(routes!(send_review_minutes))
        .routes(routes!(close_review))
        .routes(routes!(list_review_actions))
        .routes(routes!(update_review_action))
        .routes(routes!(programme_reviews))
        .routes(routes!(get_minutes_template, put_minutes_template))
}
