//! `/api/v1` shared history: an account's interactions (single and batch),
//! answers, follow-ups and first-response times.

use super::bodies::{InteractionCreate, InteractionPatch};
use super::problem::{ApiResult, Problem};
use super::{parse_id, ApiQuery, ExpectedVersion};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use bilan_app::timeline::{self as uc, ResponseQuery, TimelineQuery};
use bilan_domain::timeline::{Interaction, ResponseFigures};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A follow-up promised in an interaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpResponse {
    /// What to do.
    pub what: String,
    /// Who does it.
    pub user_id: String,
    /// Due date.
    pub due: String,
    /// When it was done.
    pub done_at: Option<String>,
}

/// An interaction of the shared history.
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionResponse {
    /// Identifier.
    pub id: String,
    /// Account.
    pub account_id: String,
    /// email, phone, meeting, visit, chat, whatsapp, linkedin, web_form, letter, portal.
    pub channel: String,
    /// inbound or outbound.
    pub direction: String,
    /// When (UTC, RFC 3339).
    pub occurred_at: String,
    /// Who on our side.
    pub user_id: String,
    /// Contacts involved.
    pub contact_ids: Vec<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Value delivered beyond the contract.
    pub beyond_contract: bool,
    /// Linked record kind (invoice, complaint, review…).
    pub related_kind: Option<String>,
    /// Linked record id.
    pub related_id: Option<String>,
    /// External reference (e.g. e-mail Message-ID).
    pub external_ref: Option<String>,
    /// The outbound interaction that answered this inbound one.
    pub answered_by: Option<String>,
    /// Seconds to that answer.
    pub response_seconds: Option<i64>,
    /// Follow-up.
    pub follow_up: Option<FollowUpResponse>,
    /// Version for optimistic concurrency.
    pub version: i64,
}

impl From<Interaction> for InteractionResponse {
    fn from(i: Interaction) -> Self {
        InteractionResponse {
            id: i.id.to_string(),
            account_id: i.account_id.to_string(),
            channel: i.channel.code().to_owned(),
            direction: i.direction.code().to_owned(),
            occurred_at: i.occurred_at.to_rfc3339(),
            user_id: i.user_id.to_string(),
            contact_ids: i.contact_ids.iter().map(|c| c.to_string()).collect(),
            subject: i.subject,
            summary: i.summary,
            tags: i.tags,
            beyond_contract: i.beyond_contract,
            related_kind: i.related_kind,
            related_id: i.related_id.map(|r| r.to_string()),
            external_ref: i.external_ref,
            answered_by: i.answered_by.map(|a| a.to_string()),
            response_seconds: i.response_seconds,
            follow_up: i.follow_up.map(|f| FollowUpResponse {
                what: f.what,
                user_id: f.user_id.to_string(),
                due: f.due.to_string(),
                done_at: f.done_at.map(|d| d.to_rfc3339()),
            }),
            version: i.version,
        }
    }
}

/// A page of the timeline, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionList {
    /// Interactions.
    pub items: Vec<InteractionResponse>,
    /// Cursor of older interactions.
    pub next_cursor: Option<String>,
}

/// An account's timeline, newest first, with filters.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/interactions", tag = "timeline",
    params(("id" = String, Path, description = "Account id"), ("q" = Option<String>, Query, description = "Words in subject, summary, tags"),
        ("channel" = Option<String>, Query, description = "Channel"), ("direction" = Option<String>, Query, description = "inbound or outbound"),
        ("user" = Option<String>, Query, description = "User id"), ("contact" = Option<String>, Query, description = "Contact id"),
        ("tag" = Option<String>, Query, description = "Tag"), ("from" = Option<String>, Query, description = "From date"),
        ("to" = Option<String>, Query, description = "To date"), ("cursor" = Option<String>, Query, description = "next_cursor"),
        ("limit" = Option<u32>, Query, description = "1 to 200")),
    responses((status = 200, body = InteractionList), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn list_interactions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> ApiResult<Json<InteractionList>> {
    let page = uc::timeline(&state.app, &actor, parse_id(&id)?, &q).await?;
    Ok(Json(InteractionList {
        items: page.items.into_iter().map(InteractionResponse::from).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// Logs an interaction on an account (`account_id` taken from the path).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/interactions", tag = "timeline", params(("id" = String, Path, description = "Account id")),
    request_body = InteractionCreate,
    responses((status = 201, body = InteractionResponse), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_interactions"))))]
pub async fn create_interaction(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<InteractionResponse>)> {
    let mut input = super::problem::parse_json::<InteractionCreate>(&body)?.into_input()?;
    input.account_id = Some(parse_id(&id)?.to_string());
    let i = uc::log_interaction(&state.app, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

/// A batch to log.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// Up to 1,000 interactions, each with its `account_id`.
    #[schema(max_items = 1000)]
    pub items: Vec<InteractionCreate>,
}

/// What a batch did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// Interactions written.
    pub inserted: usize,
    /// Items skipped because their `external_ref` was already imported.
    pub skipped_duplicates: usize,
    /// Id of each item, in order.
    pub ids: Vec<String>,
}

/// Logs up to 1,000 interactions at once, all or nothing (errors name `items[N].field`).
#[utoipa::path(post, path = "/api/v1/interactions/batch", tag = "timeline", request_body = BatchBody,
    responses((status = 201, body = BatchResponse), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_interactions"))))]
pub async fn create_batch(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<BatchResponse>)> {
    let batch: BatchBody = super::problem::parse_json(&body)?;
    let inputs = batch
        .items
        .into_iter()
        .map(InteractionCreate::into_input)
        .collect::<ApiResult<Vec<_>>>()?;
    let report = uc::log_batch(&state.app, &actor, &inputs).await?;
    Ok((
        StatusCode::CREATED,
        Json(BatchResponse {
            inserted: report.inserted,
            skipped_duplicates: report.skipped_duplicates,
            ids: report.items.iter().map(|i| i.id.to_string()).collect(),
        }),
    ))
}

/// Finds an interaction.
#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "timeline", params(("id" = String, Path, description = "Interaction id")),
    responses((status = 200, body = InteractionResponse), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn find_interaction(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<InteractionResponse>> {
    Ok(Json(
        uc::find_interaction(&state.app, &actor, parse_id(&id)?).await?.into(),
    ))
}

/// Updates an interaction (JSON merge patch with `version` or `If-Match`).
#[utoipa::path(patch, path = "/api/v1/interactions/{id}", tag = "timeline", params(("id" = String, Path, description = "Interaction id")),
    request_body = InteractionPatch,
    responses((status = 200, body = InteractionResponse), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_interactions")), ("x-permission-others" = json!("edit_any_interaction"))))]
pub async fn update_interaction(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<InteractionResponse>> {
    let id = parse_id(&id)?;
    let patch: serde_json::Value = super::problem::parse_json(&body)?;
    let expected = ExpectedVersion::from_request(&headers, &patch)?;
    let current = uc::find_interaction(&state.app, &actor, id).await?;
    // Whose exchange it is decides before what the patch says.
    uc::require_own(&actor, &current, false)?;
    let input = InteractionPatch::apply(&patch, &current.to_input())?;
    let i = uc::update_interaction(&state.app, &actor, id, expected.value(), &input)
        .await
        .map_err(|e| expected.map_err(e))?;
    Ok(Json(i.into()))
}

/// Deletes an interaction.
#[utoipa::path(delete, path = "/api/v1/interactions/{id}", tag = "timeline", params(("id" = String, Path, description = "Interaction id")),
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_interactions")), ("x-permission-others" = json!("edit_any_interaction"))))]
pub async fn delete_interaction(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    uc::delete_interaction(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The answer to link.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    /// The outbound interaction that answered this inbound one.
    pub outbound_id: String,
}

/// Links the outbound interaction that answered an inbound one (response time follows).
#[utoipa::path(post, path = "/api/v1/interactions/{id}/answer", tag = "timeline", params(("id" = String, Path, description = "Inbound interaction id")),
    request_body = AnswerBody, responses((status = 200, body = InteractionResponse), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_interactions"))))]
pub async fn link_answer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<InteractionResponse>> {
    let b: AnswerBody = super::problem::parse_json(&body)?;
    let i = uc::link_answer(&state.app, &actor, parse_id(&id)?, parse_id(&b.outbound_id)?).await?;
    Ok(Json(i.into()))
}

/// The caller's open follow-ups.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    /// Late.
    pub overdue: Vec<InteractionResponse>,
    /// Due within a week.
    pub due_soon: Vec<InteractionResponse>,
}

/// The caller's follow-ups: overdue and due within a week.
#[utoipa::path(get, path = "/api/v1/follow-ups", tag = "timeline", responses((status = 200, body = FollowUpList)), security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn list_follow_ups(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<FollowUpList>> {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let f = uc::my_follow_ups(&state.app, &actor, today).await?;
    let conv = |v: Vec<bilan_app::timeline::FollowUpItem>| {
        v.into_iter()
            .map(|i| InteractionResponse::from(i.interaction))
            .collect()
    };
    Ok(Json(FollowUpList {
        overdue: conv(f.overdue),
        due_soon: conv(f.due_soon),
    }))
}

/// Marks a follow-up done.
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/done", tag = "timeline", params(("id" = String, Path, description = "Interaction id")),
    responses((status = 200, body = InteractionResponse), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_interactions")), ("x-permission-others" = json!("edit_any_interaction"))))]
pub async fn complete_follow_up(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<InteractionResponse>> {
    Ok(Json(
        uc::complete_follow_up(&state.app, &actor, parse_id(&id)?).await?.into(),
    ))
}

/// Response-time figures of one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresResponse {
    /// Channel code or user id.
    pub key: String,
    /// Answered requests.
    pub count: usize,
    /// Mean seconds.
    pub mean_seconds: Option<i64>,
    /// Median seconds.
    pub median_seconds: Option<i64>,
}

/// First-response times.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseStatsResponse {
    /// Answered requests.
    pub count: usize,
    /// Mean seconds.
    pub mean_seconds: Option<i64>,
    /// Median seconds.
    pub median_seconds: Option<i64>,
    /// By the channel the client used.
    pub by_channel: Vec<FiguresResponse>,
    /// By the person who answered.
    pub by_user: Vec<FiguresResponse>,
}

fn figures(key: String, f: &ResponseFigures) -> FiguresResponse {
    FiguresResponse {
        key,
        count: f.count,
        mean_seconds: f.mean_seconds,
        median_seconds: f.median_seconds,
    }
}

/// First-response times of inbound requests, overall, by channel and by person.
#[utoipa::path(get, path = "/api/v1/response-times", tag = "timeline",
    params(("account" = Option<String>, Query, description = "Account id"), ("channel" = Option<String>, Query, description = "Channel"),
           ("user" = Option<String>, Query, description = "User id"), ("from" = Option<String>, Query, description = "From date"), ("to" = Option<String>, Query, description = "To date")),
    responses((status = 200, body = ResponseStatsResponse)), security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn response_times(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ResponseQuery>,
) -> ApiResult<Json<ResponseStatsResponse>> {
    let s = uc::response_stats(&state.app, &actor, &q).await?;
    Ok(Json(ResponseStatsResponse {
        count: s.count,
        mean_seconds: s.mean_seconds,
        median_seconds: s.median_seconds,
        by_channel: s
            .by_channel
            .iter()
            .map(|(c, f)| figures(c.code().to_owned(), f))
            .collect(),
        by_user: s.by_user.iter().map(|(u, f)| figures(u.to_string(), f)).collect(),
    }))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_interactions, create_interaction))
        .routes(routes!(create_batch))
        .routes(routes!(find_interaction, update_interaction, delete_interaction))
        .routes(routes!(link_answer))
        .routes(routes!(list_follow_ups))
        .routes(routes!(complete_follow_up))
        .routes(routes!(response_times))
}
