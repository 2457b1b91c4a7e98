//! `/api/v1/complaints`: cases with their deadlines, their steps, figures,
//! settings and letter templates.

use super::accounts::MoneyResponse;
use super::bodies::{ComplaintCreate, ComplaintPatch, ComplaintSettingsPatch, LetterBody, TransitionCreate};
use super::problem::{parse_json, ApiResult, Problem};
use super::{parse_id, ApiQuery, ExpectedVersion};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::complaints::{self as uc, figures as fig, settings as cfg, ComplaintQuery};
use bilan_domain::complaints::{Complaint, Gesture, Step};
use bilan_domain::money::Money;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn money(m: Money) -> MoneyResponse {
    MoneyResponse {
        amount: m.to_decimal().to_string(),
        currency: m.currency.as_str().to_owned(),
    }
}

/// A case's deadlines, as calendar dates (`YYYY-MM-DD`).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlinesResponse {
    /// Acknowledge receipt by (working days from receipt).
    pub acknowledge_by: String,
    /// Answer by (end of the direct-handling period).
    pub answer_by: String,
    /// For a consumer: the last day to ask the consumer mediator (a year after the complaint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mediation_request_by: Option<String>,
    /// Once in mediation: the day the mediator must conclude by (90 days after notification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mediation_concludes_by: Option<String>,
}

/// A deadline still due.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueResponse {
    /// acknowledge, answer or mediation_conclusion.
    pub kind: String,
    /// By when.
    pub by: String,
    /// Whether the day has passed.
    pub overdue: bool,
}

/// A commercial gesture.
#[derive(Debug, Serialize, ToSchema)]
pub struct GestureResponse {
    /// credit_note, discount, replacement or free_service.
    pub kind: String,
    /// Its value.
    pub amount: MoneyResponse,
}

fn gesture(g: Gesture) -> GestureResponse {
    GestureResponse {
        kind: g.kind.code().to_owned(),
        amount: money(g.amount),
    }
}

/// A letter that went out with a step.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterResponse {
    /// acknowledgement or answer.
    pub kind: String,
    /// The address it went to.
    pub to: String,
    /// Its subject.
    pub subject: String,
    /// The exchange it left on the account's timeline.
    pub interaction_id: String,
}

/// A complaint case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintResponse {
    /// Identifier (UUIDv7).
    pub id: String,
    /// Reference quoted in letters, e.g. R-2026-0042.
    pub reference: String,
    /// The account.
    pub account_id: String,
    /// The account's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// Who complained.
    pub contact_id: Option<String>,
    /// The exchange it came from.
    pub interaction_id: Option<String>,
    /// When the written complaint was received.
    pub received_on: String,
    /// How it came.
    pub channel: String,
    /// business or consumer.
    pub client_kind: String,
    /// delivery, quality, invoice, service, price or other.
    pub category: String,
    /// low, medium, high or critical.
    pub severity: String,
    /// What it concerns.
    pub concerns: Option<String>,
    /// The client's own words.
    pub summary: String,
    /// Who handles it.
    pub owner_id: String,
    /// received, acknowledged, investigating, answered, resolved, refused, in_mediation, in_court or closed.
    pub state: String,
    /// The states it may move to next.
    pub next_states: Vec<String>,
    /// Its deadlines.
    pub deadlines: DeadlinesResponse,
    /// What is still due, soonest first.
    pub due: Vec<DueResponse>,
    /// Whether a deadline still due has passed.
    pub overdue: bool,
    /// When mediation was notified to the parties.
    pub mediation_notified_on: Option<String>,
    /// When receipt was acknowledged.
    pub acknowledged_on: Option<String>,
    /// When the first answer went out.
    pub answered_on: Option<String>,
    /// When it was resolved.
    pub resolved_on: Option<String>,
    /// When it was closed.
    pub closed_on: Option<String>,
    /// The gesture granted.
    pub gesture: Option<GestureResponse>,
    /// The letter sent with the step just made (transitions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letter: Option<LetterResponse>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Creation instant (UTC, RFC 3339).
    pub created_at: String,
    /// Last update instant (UTC, RFC 3339).
    pub updated_at: String,
}

impl ComplaintResponse {
    fn of(c: Complaint, account_name: Option<String>, today: chrono::NaiveDate) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        ComplaintResponse {
            id: c.id.to_string(),
            reference: c.reference(),
            account_id: c.account_id.to_string(),
            account_name,
            contact_id: c.contact_id.map(|x| x.to_string()),
            interaction_id: c.interaction_id.map(|x| x.to_string()),
            received_on: c.received_on.to_string(),
            channel: c.channel.code().to_owned(),
            client_kind: c.client_kind.code().to_owned(),
            category: c.category.code().to_owned(),
            severity: c.severity.code().to_owned(),
            concerns: c.concerns.clone(),
            summary: c.summary.clone(),
            owner_id: c.owner_id.to_string(),
            state: c.state.code().to_owned(),
            next_states: c.state.next().iter().map(|s| s.code().to_owned()).collect(),
            deadlines: DeadlinesResponse {
                acknowledge_by: c.deadlines.acknowledge_by.to_string(),
                answer_by: c.deadlines.answer_by.to_string(),
                mediation_request_by: d(c.deadlines.mediation_request_by),
                mediation_concludes_by: d(c.deadlines.mediation_concludes_by),
            },
            due: c
                .due()
                .into_iter()
                .map(|x| DueResponse {
                    kind: x.kind.code().to_owned(),
                    by: x.by.to_string(),
                    overdue: x.is_overdue(today),
                })
                .collect(),
            overdue: c.is_overdue(today),
            mediation_notified_on: d(c.mediation_notified_on),
            acknowledged_on: d(c.acknowledged_on),
            answered_on: d(c.answered_on),
            resolved_on: d(c.resolved_on),
            closed_on: d(c.closed_on),
            gesture: c.gesture.map(gesture),
            letter: None,
            version: c.version,
            created_at: c.created_at.to_rfc3339(),
            updated_at: c.updated_at.to_rfc3339(),
        }
    }
}

fn with_etag(status: StatusCode, body: ComplaintResponse) -> Response {
    let etag = format!("\"{}\"", body.version);
    (status, [(header::ETAG, etag)], Json(body)).into_response()
}

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintList {
    /// The cases, next deadline first (overdue ones first of all).
    pub items: Vec<ComplaintResponse>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Lists cases by next deadline, overdue ones first.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints",
    params(
        ("q" = Option<String>, Query, description = "A case's reference (R-2026-0042, or its number) or words of its account's name"),
        ("state" = Option<String>, Query, description = "A state, `open` (received, acknowledged, investigating, answered, in mediation or in court) or `all` (default)"),
        ("owner" = Option<String>, Query, description = "Owner user id"),
        ("category" = Option<String>, Query, description = "delivery, quality, invoice, service, price or other"),
        ("severity" = Option<String>, Query, description = "low, medium, high or critical"),
        ("account" = Option<String>, Query, description = "Account id"),
        ("from" = Option<String>, Query, description = "Received on or after (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Received on or before (YYYY-MM-DD)"),
        ("overdue" = Option<bool>, Query, description = "true: only cases with a deadline passed"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)"),
    ),
    responses((status = 200, body = ComplaintList), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_complaints"))))]
pub async fn list_complaints(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ComplaintQuery>,
) -> ApiResult<Json<ComplaintList>> {
    let page = uc::list_complaints(&state.app, &actor, &q).await?;
    let today = uc::today(&state.app);
    Ok(Json(ComplaintList {
        items: page
            .items
            .into_iter()
            .map(|x| ComplaintResponse::of(x.complaint, Some(x.account_name), today))
            .collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// Opens a case; its deadlines are computed from the workspace's rules.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = ComplaintCreate,
    responses((status = 201, body = ComplaintResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_complaints"))))]
pub async fn create_complaint(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Response> {
    let input = parse_json::<ComplaintCreate>(&body)?.into_input()?;
    let c = uc::open_complaint(&state.app, &actor, &input).await?;
    let location = format!("/api/v1/complaints/{}", c.id);
    let mut res = with_etag(
        StatusCode::CREATED,
        ComplaintResponse::of(c, None, uc::today(&state.app)),
    );
    if let Ok(v) = location.parse() {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Finds a case (404 for another workspace's id).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints", params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = ComplaintResponse), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_complaints"))))]
pub async fn find_complaint(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d = uc::complaint_detail(&state.app, &actor, parse_id(&id)?).await?;
    Ok(with_etag(
        StatusCode::OK,
        ComplaintResponse::of(d.complaint, Some(d.account_name), uc::today(&state.app)),
    ))
}

/// Corrects a case's description (owner, contact, business or consumer, category,
/// severity, what it concerns). Send the `version` you read (409 if stale) or `If-Match` (412).
#[utoipa::path(patch, path = "/api/v1/complaints/{id}", tag = "complaints", params(("id" = String, Path, description = "Case id")), request_body = ComplaintPatch,
    responses((status = 200, body = ComplaintResponse), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_complaints"))))]
pub async fn update_complaint(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let raw: serde_json::Value = parse_json(&body)?;
    let patch: ComplaintPatch = super::problem::from_value(raw.clone())?;
    let expected = ExpectedVersion::from_request(&headers, &raw)?;
    let c = uc::edit_complaint(&state.app, &actor, id, expected.value(), &patch.into_input(&raw))
        .await
        .map_err(|e| expected.map_err(e))?;
    Ok(with_etag(
        StatusCode::OK,
        ComplaintResponse::of(c, None, uc::today(&state.app)),
    ))
}

/// Moves a case by one dated step. Refused with 422 naming the field when the
/// step is not allowed from the case's state (`to`), dated before the receipt or
/// the last step or after today (`on`), a refusal without a reason, a gesture
/// without a resolution, or a consumer's mediation outside its legal window;
/// 409 when the version is stale. Granting a gesture, refusing, and going to
/// mediation or court take `settle_complaints`.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/transitions", tag = "complaints", params(("id" = String, Path, description = "Case id")), request_body = TransitionCreate,
    responses((status = 200, body = ComplaintResponse), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_complaints")), ("x-permission-settle" = json!("settle_complaints"))))]
pub async fn move_complaint(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let raw: serde_json::Value = parse_json(&body)?;
    let step: TransitionCreate = super::problem::from_value(raw.clone())?;
    let expected = ExpectedVersion::from_request(&headers, &raw)?;
    let moved = uc::move_complaint(&state.app, &actor, id, expected.value(), &step.into_input())
        .await
        .map_err(|e| expected.map_err(e))?;
    let mut body = ComplaintResponse::of(moved.complaint, None, uc::today(&state.app));
    body.letter = moved.letter.map(|l| LetterResponse {
        kind: l.kind.code().to_owned(),
        to: l.to,
        subject: l.subject,
        interaction_id: l.interaction_id.to_string(),
    });
    Ok(with_etag(StatusCode::OK, body))
}

/// A dated step of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepResponse {
    /// Identifier.
    pub id: String,
    /// From (absent for the opening).
    pub from_state: Option<String>,
    /// To.
    pub to_state: String,
    /// The day it happened.
    pub on: String,
    /// Who made it.
    pub user_id: Option<String>,
    /// Why, or the answer's text.
    pub reason: Option<String>,
    /// A gesture granted with it.
    pub gesture: Option<GestureResponse>,
    /// When it was recorded (UTC).
    pub created_at: String,
}

impl From<Step> for StepResponse {
    fn from(s: Step) -> Self {
        StepResponse {
            id: s.id.to_string(),
            from_state: s.from_state.map(|x| x.code().to_owned()),
            to_state: s.to_state.code().to_owned(),
            on: s.on.to_string(),
            user_id: s.user_id.map(|u| u.to_string()),
            reason: s.reason,
            gesture: s.gesture.map(gesture),
            created_at: s.created_at.to_rfc3339(),
        }
    }
}

/// A case's steps, oldest first.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/steps", tag = "complaints", params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = [StepResponse]), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_complaints"))))]
pub async fn list_steps(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<StepResponse>>> {
    let d = uc::complaint_detail(&state.app, &actor, parse_id(&id)?).await?;
    Ok(Json(d.steps.into_iter().map(StepResponse::from).collect()))
}

/// Cases of one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCount {
    /// The category.
    pub category: String,
    /// Cases.
    pub cases: u64,
}

/// Cases of one account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountCount {
    /// The account.
    pub account_id: String,
    /// Its name.
    pub account_name: String,
    /// Cases.
    pub cases: u64,
}

/// Complaint figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintFiguresResponse {
    /// Cases counted.
    pub cases: u64,
    /// Open cases.
    pub open: u64,
    /// Open cases with a deadline passed.
    pub overdue: u64,
    /// Median days from receipt to acknowledgement (decimal text).
    pub median_days_to_acknowledge: Option<String>,
    /// Median days from receipt to resolution (decimal text).
    pub median_days_to_resolve: Option<String>,
    /// Share of answered cases answered within the period, percent (decimal text, one decimal).
    pub answered_within_period_pct: Option<String>,
    /// Cases by category, largest first.
    pub by_category: Vec<CategoryCount>,
    /// Accounts with the most cases (at most 10).
    pub by_account: Vec<AccountCount>,
    /// Gestures granted, total per currency.
    pub gestures: Vec<MoneyResponse>,
    /// Cases with a gesture.
    pub gesture_count: u64,
}

impl From<fig::ComplaintFigures> for ComplaintFiguresResponse {
    fn from(x: fig::ComplaintFigures) -> Self {
        let f = x.figures;
        ComplaintFiguresResponse {
            cases: f.cases,
            open: f.open,
            overdue: f.overdue,
            median_days_to_acknowledge: f.median_days_to_acknowledge.map(|d| d.normalize().to_string()),
            median_days_to_resolve: f.median_days_to_resolve.map(|d| d.normalize().to_string()),
            answered_within_period_pct: f.answered_within_period_pct.map(|d| format!("{d:.1}")),
            by_category: f
                .by_category
                .into_iter()
                .map(|(c, n)| CategoryCount {
                    category: c.code().to_owned(),
                    cases: n,
                })
                .collect(),
            by_account: x
                .by_account
                .into_iter()
                .map(|(id, name, n)| AccountCount {
                    account_id: id.to_string(),
                    account_name: name,
                    cases: n,
                })
                .collect(),
            gestures: f.gestures.into_iter().map(money).collect(),
            gesture_count: f.gesture_count,
        }
    }
}

/// Figures of the cases the filters select: open, overdue, median days to
/// acknowledge and to resolve, share answered within the period, by category and
/// account, gestures in total.
#[utoipa::path(get, path = "/api/v1/complaints/figures", tag = "complaints", operation_id = "complaint_figures",
    params(
        ("q" = Option<String>, Query, description = "A case's reference or words of its account's name"),
        ("state" = Option<String>, Query, description = "A state, `open` or `all` (default)"),
        ("owner" = Option<String>, Query, description = "Owner user id"),
        ("category" = Option<String>, Query, description = "Category"),
        ("severity" = Option<String>, Query, description = "Severity"),
        ("account" = Option<String>, Query, description = "Account id"),
        ("from" = Option<String>, Query, description = "Received on or after (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Received on or before (YYYY-MM-DD)"),
    ),
    responses((status = 200, body = ComplaintFiguresResponse), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_complaints"))))]
pub async fn figures(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ComplaintQuery>,
) -> ApiResult<Json<ComplaintFiguresResponse>> {
    Ok(Json(fig::complaint_figures(&state.app, &actor, &q).await?.into()))
}

/// One letter template.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterTemplateResponse {
    /// acknowledgement or answer.
    pub kind: String,
    /// fr or en.
    pub lang: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Whether the workspace wrote it (otherwise Bilan's).
    pub custom: bool,
}

impl From<cfg::Letter> for LetterTemplateResponse {
    fn from(l: cfg::Letter) -> Self {
        LetterTemplateResponse {
            kind: l.kind.code().to_owned(),
            lang: l.lang.to_owned(),
            subject: l.template.subject,
            body: l.template.body,
            custom: l.custom,
        }
    }
}

/// The workspace's complaint settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsResponse {
    /// Working days to acknowledge.
    pub acknowledge_working_days: u32,
    /// Months to answer.
    pub answer_months: u32,
    /// Whether owners get an e-mail on a deadline's eve and once it passed.
    pub alert_by_email: bool,
    /// The consumer mediator.
    pub mediator: Option<String>,
    /// Letter templates, each kind in each language.
    pub letters: Vec<LetterTemplateResponse>,
    /// Version (0 before the first save).
    pub version: i64,
}

impl From<cfg::ComplaintSettings> for SettingsResponse {
    fn from(s: cfg::ComplaintSettings) -> Self {
        SettingsResponse {
            acknowledge_working_days: s.rules.acknowledge_working_days,
            answer_months: s.rules.answer_months,
            alert_by_email: s.alert_by_email,
            mediator: s.mediator,
            letters: s.letters.into_iter().map(Into::into).collect(),
            version: s.version,
        }
    }
}

/// The deadlines, alerts, mediator and letters.
#[utoipa::path(get, path = "/api/v1/complaints/settings", tag = "complaints",
    responses((status = 200, body = SettingsResponse)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_complaints"))))]
pub async fn show_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<SettingsResponse>> {
    Ok(Json(cfg::settings(&state.app, &actor).await?.into()))
}

/// Changes the deadlines (for cases opened from now on), alerts and mediator.
#[utoipa::path(patch, path = "/api/v1/complaints/settings", tag = "complaints", operation_id = "update_complaint_settings", request_body = ComplaintSettingsPatch,
    responses((status = 200, body = SettingsResponse), (status = 400, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_complaints"))))]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<SettingsResponse>> {
    let raw: serde_json::Value = parse_json(&body)?;
    let patch: ComplaintSettingsPatch = super::problem::from_value(raw.clone())?;
    let expected = ExpectedVersion::from_request(&headers, &raw)?;
    let current = cfg::settings(&state.app, &actor).await?;
    let has = |k: &str| raw.get(k).is_some();
    let input = cfg::SettingsInput {
        acknowledge_working_days: Some(
            patch
                .acknowledge_working_days
                .map_or(current.rules.acknowledge_working_days.to_string(), |w| w.0.to_string()),
        ),
        answer_months: Some(
            patch
                .answer_months
                .map_or(current.rules.answer_months.to_string(), |w| w.0.to_string()),
        ),
        alert_by_email: Some(patch.alert_by_email.unwrap_or(current.alert_by_email).to_string()),
        mediator: if has("mediator") {
            patch.mediator
        } else {
            current.mediator
        },
    };
    let s = cfg::update_settings(&state.app, &actor, expected.value(), &input)
        .await
        .map_err(|e| expected.map_err(e))?;
    Ok(Json(s.into()))
}

/// Replaces a letter template with the workspace's own.
#[utoipa::path(put, path = "/api/v1/complaints/letters/{kind}/{lang}", tag = "complaints",
    params(("kind" = String, Path, description = "acknowledgement or answer"), ("lang" = String, Path, description = "fr or en")),
    request_body = LetterBody,
    responses((status = 200, body = LetterTemplateResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_complaints"))))]
pub async fn save_letter(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((kind, lang)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<LetterTemplateResponse>> {
    let input = parse_json::<LetterBody>(&body)?.into_input();
    Ok(Json(
        cfg::save_letter(&state.app, &actor, &kind, &lang, &input).await?.into(),
    ))
}

/// Puts Bilan's letter template back.
#[utoipa::path(delete, path = "/api/v1/complaints/letters/{kind}/{lang}", tag = "complaints",
    params(("kind" = String, Path, description = "acknowledgement or answer"), ("lang" = String, Path, description = "fr or en")),
    responses((status = 204), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_complaints"))))]
pub async fn reset_letter(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((kind, lang)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    cfg::reset_letter(&state.app, &actor, &kind, &lang).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_complaints, create_complaint))
        .routes(routes!(figures))
        .routes(routes!(show_settings, update_settings))
        .routes(routes!(save_letter, reset_letter))
        .routes(routes!(find_complaint, update_complaint))
        .routes(routes!(move_complaint))
        .routes(routes!(list_steps))
}
