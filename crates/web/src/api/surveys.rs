//! `/api/v1` hot satisfaction: surveys and their sending rules, surveys sent by
//! hand, the satisfaction figures, answers (JSON and CSV) and the outbox.

use super::bodies::{RuleCreate, SurveyCreate, SurveyPatch};
use super::problem::{ApiResult, Problem};
use super::{parse_id, ApiQuery, ExpectedVersion};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use bilan_app::surveys::AnswerView;
use bilan_app::surveys::{self as uc, BreakdownLine, Dashboard, ResponseRate, SatisfactionQuery, SurveyWithRules};
use bilan_app::AppError;
use bilan_domain::surveys::{Summary, SurveyRule};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A sending rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResponse {
    /// Identifier.
    pub id: String,
    /// The survey it sends.
    pub survey_id: String,
    /// delivery, intervention, support_exchange, meeting, invoice_sent, invoice_paid, complaint_resolved, review_held.
    pub event_kind: String,
    /// Hours between the event and the e-mail.
    pub delay_hours: u32,
    /// Buying-centre roles asked (empty: the event's contacts).
    pub roles: Vec<String>,
}

impl From<SurveyRule> for RuleResponse {
    fn from(r: SurveyRule) -> Self {
        RuleResponse {
            id: r.id.to_string(),
            survey_id: r.rule.survey_id.to_string(),
            event_kind: r.rule.event_kind.code().to_owned(),
            delay_hours: r.rule.delay_hours,
            roles: r.rule.roles.iter().map(|x| x.code().to_owned()).collect(),
        }
    }
}

/// A survey with its rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyResponse {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// nps (0–10), csat (1–5) or ces (1–7).
    pub kind: String,
    /// Scored question, French.
    pub question_fr: Option<String>,
    /// Scored question, English.
    pub question_en: Option<String>,
    /// Free-text question, French.
    pub comment_question_fr: Option<String>,
    /// Free-text question, English.
    pub comment_question_en: Option<String>,
    /// Days a link stays valid.
    pub expiry_days: u32,
    /// Usable by rules and manual sends.
    pub active: bool,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Sending rules.
    pub rules: Vec<RuleResponse>,
}

impl From<SurveyWithRules> for SurveyResponse {
    fn from(s: SurveyWithRules) -> Self {
        let v = s.survey;
        SurveyResponse {
            id: v.id.to_string(),
            name: v.name,
            kind: v.kind.code().to_owned(),
            question_fr: v.question_fr,
            question_en: v.question_en,
            comment_question_fr: v.comment_question_fr,
            comment_question_en: v.comment_question_en,
            expiry_days: v.expiry_days,
            active: v.active,
            version: v.version,
            rules: s.rules.into_iter().map(RuleResponse::from).collect(),
        }
    }
}

/// The workspace's surveys and its anti-over-surveying interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyList {
    /// Surveys, by name.
    pub surveys: Vec<SurveyResponse>,
    /// A contact is not surveyed twice within this many days.
    pub interval_days: u32,
    /// The fewest answers a score needs before trends and breakdowns show it.
    pub min_answers: u32,
}

/// Lists surveys with their rules.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys", responses((status = 200, body = SurveyList)), security(("bearer" = [])), extensions(("x-permission" = json!("read_satisfaction"))))]
pub async fn list_surveys(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<SurveyList>> {
    let (list, interval_days) = uc::list_surveys(&state.app, &actor).await?;
    let min_answers = uc::min_answers(&state.app, &actor).await?;
    Ok(Json(SurveyList {
        surveys: list.into_iter().map(SurveyResponse::from).collect(),
        interval_days,
        min_answers,
    }))
}

/// Creates a survey.
#[utoipa::path(post, path = "/api/v1/surveys", tag = "surveys", request_body = SurveyCreate,
    responses((status = 201, body = SurveyResponse), (status = 422, body = Problem), (status = 403, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_surveys"))))]
pub async fn create_survey(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<SurveyResponse>)> {
    let input = super::problem::parse_json::<SurveyCreate>(&body)?.into_input()?;
    let survey = uc::create_survey(&state.app, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(SurveyResponse::from(SurveyWithRules { survey, rules: vec![] })),
    ))
}

/// One survey with its rules.
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys", params(("id" = String, Path, description = "Survey id")),
    responses((status = 200, body = SurveyResponse), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_satisfaction"))))]
pub async fn find_survey(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<SurveyResponse>> {
    Ok(Json(uc::find_survey(&state.app, &actor, parse_id(&id)?).await?.into()))
}

/// Changes a survey (JSON merge patch; `If-Match` or `version` required).
#[utoipa::path(patch, path = "/api/v1/surveys/{id}", tag = "surveys", params(("id" = String, Path, description = "Survey id")),
    request_body = SurveyPatch,
    responses((status = 200, body = SurveyResponse), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_surveys"))))]
pub async fn update_survey(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<SurveyResponse>> {
    let id = parse_id(&id)?;
    let patch: serde_json::Value = super::problem::parse_json(&body)?;
    let expected = ExpectedVersion::from_request(&headers, &patch)?;
    let current = uc::find_survey(&state.app, &actor, id).await?;
    let as_input = current.survey.to_input();
    let input = SurveyPatch::apply(&patch, &as_input)?;
    let survey = uc::update_survey(&state.app, &actor, id, expected.value(), &input)
        .await
        .map_err(|e| expected.map_err(e))?;
    Ok(Json(
        SurveyWithRules {
            survey,
            rules: current.rules,
        }
        .into(),
    ))
}

/// Adds a sending rule to a survey.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/rules", tag = "surveys", params(("id" = String, Path, description = "Survey id")),
    request_body = RuleCreate, responses((status = 201, body = RuleResponse), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_surveys"))))]
pub async fn create_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<RuleResponse>)> {
    let survey = parse_id(&id)?;
    let mut input = super::problem::parse_json::<RuleCreate>(&body)?.into_input()?;
    input.survey_id = Some(survey.to_string());
    let rule = uc::add_rule(&state.app, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// Deletes a sending rule.
#[utoipa::path(delete, path = "/api/v1/survey-rules/{id}", tag = "surveys", params(("id" = String, Path, description = "Rule id")),
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_surveys"))))]
pub async fn delete_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    uc::delete_rule(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The workspace's survey settings; each field given is set, the others kept.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct SettingsBody {
    /// A contact is not surveyed twice within this many days (0–365).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 365)]
    pub interval_days: Option<super::bodies::Whole>,
    /// The fewest answers a score needs before trends, breakdowns and "my day" show it (1–100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub min_answers: Option<super::bodies::Whole>,
}

/// Sets the anti-over-surveying interval.
#[utoipa::path(put, path = "/api/v1/survey-settings", tag = "surveys", request_body = SettingsBody,
    responses((status = 200, body = SettingsBody), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_surveys"))))]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Json<SettingsBody>> {
    let b: SettingsBody = super::problem::parse_json(&body)?;
    let interval = b.interval_days.map(|v| v.0.to_string());
    let min = b.min_answers.map(|v| v.0.to_string());
    let (days, min) = uc::update_settings(&state.app, &actor, interval.as_deref(), min.as_deref()).await?;
    Ok(Json(SettingsBody {
        interval_days: Some(super::bodies::Whole(days.into())),
        min_answers: Some(super::bodies::Whole(min.into())),
    }))
}

/// Whom to send a survey to, now.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendBody {
    /// The account.
    pub account_id: String,
    /// Its contacts to ask.
    pub contact_ids: Vec<String>,
}

/// What happened to one contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOutcomeResponse {
    /// The contact.
    pub contact_id: String,
    /// Name.
    pub name: String,
    /// eligible (scheduled), no_consent, left_company, no_email or surveyed_recently.
    pub outcome: String,
}

/// What a manual send came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct SendResponse {
    /// Invitations scheduled.
    pub scheduled: usize,
    /// Per contact.
    pub contacts: Vec<ContactOutcomeResponse>,
}

/// Sends a survey by hand to contacts of one account; ineligible ones are reported, not sent.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/send", tag = "surveys", params(("id" = String, Path, description = "Survey id")),
    request_body = SendBody, responses((status = 200, body = SendResponse), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("send_surveys"))))]
pub async fn send_survey(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<SendResponse>> {
    let b: SendBody = super::problem::parse_json(&body)?;
    let account = uuid::Uuid::parse_str(&b.account_id).map_err(|_| AppError::field("account_id", "id.invalid"))?;
    let mut contacts = Vec::with_capacity(b.contact_ids.len());
    for (i, c) in b.contact_ids.iter().enumerate() {
        contacts
            .push(uuid::Uuid::parse_str(c).map_err(|_| AppError::field(&format!("contact_ids.{i}"), "id.invalid"))?);
    }
    let r = uc::send_survey(&state.app, &actor, parse_id(&id)?, account, &contacts).await?;
    Ok(Json(SendResponse {
        scheduled: r.scheduled,
        contacts: r
            .contacts
            .into_iter()
            .map(|c| ContactOutcomeResponse {
                contact_id: c.contact_id.to_string(),
                name: c.name,
                outcome: c.outcome.code().to_owned(),
            })
            .collect(),
    }))
}

/// Scores of a set of answers (SPEC formulas); decimals as strings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryResponse {
    /// NPS answers.
    pub nps_answers: usize,
    /// 9–10.
    pub promoters: usize,
    /// 7–8.
    pub passives: usize,
    /// 0–6.
    pub detractors: usize,
    /// % promoters − % detractors, one decimal.
    pub nps: Option<String>,
    /// CSAT answers.
    pub csat_answers: usize,
    /// CSAT 4–5.
    pub csat_satisfied: usize,
    /// Share of 4–5 in %, one decimal.
    pub csat: Option<String>,
    /// CES answers.
    pub ces_answers: usize,
    /// Mean CES, two decimals.
    pub ces: Option<String>,
}

impl From<&Summary> for SummaryResponse {
    fn from(s: &Summary) -> Self {
        SummaryResponse {
            nps_answers: s.nps_answers,
            promoters: s.promoters,
            passives: s.passives,
            detractors: s.detractors,
            nps: s.nps.map(|d| d.to_string()),
            csat_answers: s.csat_answers,
            csat_satisfied: s.csat_satisfied,
            csat: s.csat.map(|d| d.to_string()),
            ces_answers: s.ces_answers,
            ces: s.ces.map(|d| d.to_string()),
        }
    }
}

/// One line of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownResponse {
    /// Id or code; null for "not set".
    pub key: Option<String>,
    /// Label.
    pub label: String,
    /// Scores.
    pub summary: SummaryResponse,
}

fn breakdown(lines: &[BreakdownLine]) -> Vec<BreakdownResponse> {
    lines
        .iter()
        .map(|l| BreakdownResponse {
            key: l.key.clone(),
            label: l.label.clone(),
            summary: (&l.summary).into(),
        })
        .collect()
}

/// One period of the trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPoint {
    /// "2026-03" or "2026-Q1".
    pub period: String,
    /// Scores (null figures for an empty period).
    pub summary: SummaryResponse,
}

/// Sent and answered invitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateResponse {
    /// nps, csat, ces (or "all").
    pub kind: String,
    /// Sent in the period.
    pub sent: u64,
    /// Answered.
    pub answered: u64,
    /// In %, one decimal.
    pub rate: Option<String>,
}

fn rate(r: &ResponseRate, kind: &str) -> RateResponse {
    RateResponse {
        kind: kind.to_owned(),
        sent: r.sent,
        answered: r.answered,
        rate: r.rate.map(|d| d.to_string()),
    }
}

/// An answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResponse {
    /// Identifier.
    pub id: String,
    /// When (UTC).
    pub answered_at: String,
    /// Survey id.
    pub survey_id: String,
    /// Survey name.
    pub survey_name: String,
    /// nps, csat, ces.
    pub kind: String,
    /// Score.
    pub score: i32,
    /// Verbatim.
    pub comment: Option<String>,
    /// Account.
    pub account_id: String,
    /// Account name.
    pub account_name: String,
    /// Contact.
    pub contact_id: String,
    /// Contact name.
    pub contact_name: String,
    /// The timeline entry showing it.
    pub interaction_id: Option<String>,
}

impl From<&AnswerView> for AnswerResponse {
    fn from(v: &AnswerView) -> Self {
        let a = &v.answer;
        AnswerResponse {
            id: a.id.to_string(),
            answered_at: a.answered_at.to_rfc3339(),
            survey_id: a.survey_id.to_string(),
            survey_name: v.survey_name.clone(),
            kind: a.kind.clone(),
            score: a.score,
            comment: a.comment.clone(),
            account_id: a.account_id.to_string(),
            account_name: v.account_name.clone(),
            contact_id: a.contact_id.to_string(),
            contact_name: v.contact_name(),
            interaction_id: a.interaction_id.map(|i| i.to_string()),
        }
    }
}

/// The satisfaction figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionResponse {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// month or quarter.
    pub period: String,
    /// Over the whole period.
    pub overall: SummaryResponse,
    /// Per month or quarter, empty ones included.
    pub trend: Vec<TrendPoint>,
    /// Per site.
    pub by_site: Vec<BreakdownResponse>,
    /// Per business unit.
    pub by_business_unit: Vec<BreakdownResponse>,
    /// Per buying-centre role.
    pub by_role: Vec<BreakdownResponse>,
    /// Per segment (company size).
    pub by_segment: Vec<BreakdownResponse>,
    /// Per account owner.
    pub by_owner: Vec<BreakdownResponse>,
    /// Response rates per kind, then all kinds.
    pub response_rates: Vec<RateResponse>,
    /// Latest verbatims.
    pub verbatims: Vec<AnswerResponse>,
}

impl From<&Dashboard> for SatisfactionResponse {
    fn from(d: &Dashboard) -> Self {
        let mut rates: Vec<RateResponse> = d.rates.iter().map(|r| rate(r, r.kind.code())).collect();
        rates.push(rate(&d.total_rate, "all"));
        SatisfactionResponse {
            from: d.from.to_string(),
            to: d.to.to_string(),
            period: d.period.code().to_owned(),
            overall: (&d.overall).into(),
            trend: d
                .trend
                .iter()
                .map(|(p, s)| TrendPoint {
                    period: p.clone(),
                    summary: s.into(),
                })
                .collect(),
            by_site: breakdown(&d.by_site),
            by_business_unit: breakdown(&d.by_unit),
            by_role: breakdown(&d.by_role),
            by_segment: breakdown(&d.by_segment),
            by_owner: breakdown(&d.by_owner),
            response_rates: rates,
            verbatims: d.verbatims.iter().map(AnswerResponse::from).collect(),
        }
    }
}

/// NPS, CSAT and CES over a period: trend, breakdowns, response rates, verbatims.
#[utoipa::path(get, path = "/api/v1/satisfaction", tag = "surveys",
    params(("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default: 12 months back)"),
           ("to" = Option<String>, Query, description = "Last day (default today)"),
           ("period" = Option<String>, Query, description = "month or quarter"),
           ("account" = Option<String>, Query, description = "One account only")),
    responses((status = 200, body = SatisfactionResponse), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_satisfaction"))))]
pub async fn satisfaction(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<SatisfactionQuery>,
) -> ApiResult<Json<SatisfactionResponse>> {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let range = q.parse(today)?;
    let d = uc::satisfaction(&state.app, &actor, &range).await?;
    Ok(Json((&d).into()))
}

/// A page of answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerPage {
    /// Answers, newest first.
    pub items: Vec<AnswerResponse>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// Query of the answers list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswersQuery {
    #[serde(flatten)]
    range: SatisfactionQuery,
    cursor: Option<String>,
    limit: Option<String>,
}

/// Encodes a keyset position of the answers list.
pub fn answer_cursor(v: &AnswerView) -> String {
    format!("{}_{}", v.answer.answered_at.timestamp_micros(), v.answer.id.simple())
}

/// Decodes [`answer_cursor`].
pub fn parse_answer_cursor(raw: &str) -> Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)> {
    let (t, id) = raw.split_once('_')?;
    Some((
        chrono::DateTime::from_timestamp_micros(t.parse().ok()?)?,
        uuid::Uuid::parse_str(id).ok()?,
    ))
}

/// Lists answers of a period, newest first (keyset-paginated).
#[utoipa::path(get, path = "/api/v1/survey-answers", tag = "surveys",
    params(("from" = Option<String>, Query, description = "First day"), ("to" = Option<String>, Query, description = "Last day"),
           ("account" = Option<String>, Query, description = "One account only"), ("cursor" = Option<String>, Query, description = "From next_cursor"),
           ("limit" = Option<String>, Query, description = "1–200, default 50")),
    responses((status = 200, body = AnswerPage), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_satisfaction"))))]
pub async fn list_answers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<AnswersQuery>,
) -> ApiResult<Json<AnswerPage>> {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let range = q.range.parse(today)?;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(parse_answer_cursor(c).ok_or_else(|| AppError::field("cursor", "cursor.invalid"))?),
        None => None,
    };
    let limit = match q.limit.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=uc::ANSWERS_PAGE_MAX).contains(n))
            .ok_or_else(|| AppError::field("limit", "limit.invalid"))?,
        None => 50,
    };
    let items = uc::list_answers(&state.app, &actor, &range, after, limit).await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(answer_cursor))
        .flatten();
    Ok(Json(AnswerPage {
        items: items.iter().map(AnswerResponse::from).collect(),
        next_cursor,
    }))
}

/// Exports answers of a period as CSV (UTF-8 with BOM; `;` by default).
#[utoipa::path(get, path = "/api/v1/exports/survey-answers", tag = "surveys",
    params(("from" = Option<String>, Query, description = "First day"), ("to" = Option<String>, Query, description = "Last day"),
           ("account" = Option<String>, Query, description = "One account only"), ("separator" = Option<String>, Query, description = "; or ,")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("export_data"))))]
pub async fn export_answers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<SatisfactionQuery>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let range = q.parse(today)?;
    let sep = super::imports::separator(&super::imports::export_query(raw.as_deref()));
    let bytes = uc::export_answers(&state.app, &actor, &range, sep).await?;
    Ok(super::imports::csv_download("survey-answers.csv", bytes))
}

/// A message of the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessage {
    /// Identifier.
    pub id: String,
    /// What it is for.
    pub purpose: String,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// pending, sending, sent or failed.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Not before (UTC).
    pub not_before: String,
    /// When accepted by SMTP.
    pub sent_at: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// The outbox: latest messages and counts per status.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxResponse {
    /// Count per status.
    pub counts: std::collections::BTreeMap<String, i64>,
    /// Latest 100 messages.
    pub messages: Vec<OutboxMessage>,
}

/// The workspace's outgoing e-mail and its delivery.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "surveys", responses((status = 200, body = OutboxResponse), (status = 403, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_surveys"))))]
pub async fn outbox(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<OutboxResponse>> {
    let (rows, counts) = bilan_app::outbox::overview(&state.app, &actor, 100).await?;
    Ok(Json(OutboxResponse {
        counts: counts.into_iter().collect(),
        messages: rows
            .into_iter()
            .map(|r| OutboxMessage {
                id: r.id.to_string(),
                purpose: r.purpose,
                to: r.to_address,
                subject: r.subject,
                status: r.status,
                attempts: r.attempts,
                not_before: r.not_before.to_rfc3339(),
                sent_at: r.sent_at.map(|t| t.to_rfc3339()),
                last_error: r.last_error,
            })
            .collect(),
    }))
}

/// Puts a failed message back in the queue, to be sent at once.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "surveys", params(("id" = String, Path, description = "Message id")),
    responses((status = 204), (status = 404, body = Problem), (status = 403, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_surveys"))))]
pub async fn retry_outbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    bilan_app::outbox::retry(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_surveys, create_survey))
        .routes(routes!(find_survey, update_survey))
        .routes(routes!(create_rule))
        .routes(routes!(delete_rule))
        .routes(routes!(update_settings))
        .routes(routes!(send_survey))
        .routes(routes!(satisfaction))
        .routes(routes!(list_answers))
        .routes(routes!(export_answers))
        .routes(routes!(outbox))
        .routes(routes!(retry_outbox))
}
