//! "My day" through the API: what the caller should do first today, and putting a follow-up off.

use super::accounts::AccountResponse;
use super::parse_id;
use super::problem::{ApiResult, Problem};
use super::timeline::InteractionResponse;
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use bilan_app::timeline::FollowUpItem;
use bilan_app::AppError;
use bilan_domain::my_day::{is_satisfaction_callback, Snooze};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A follow-up with its account's name.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpEntry {
    /// The exchange holding the follow-up.
    pub interaction: InteractionResponse,
    /// Its account's name.
    pub account_name: String,
    /// A call back to a client who answered a survey badly.
    pub satisfaction_callback: bool,
}

impl From<FollowUpItem> for FollowUpEntry {
    fn from(i: FollowUpItem) -> Self {
        FollowUpEntry {
            satisfaction_callback: is_satisfaction_callback(&i.interaction),
            account_name: i.account_name,
            interaction: i.interaction.into(),
        }
    }
}

/// An account whose satisfaction fell over the last 90 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionFallResponse {
    /// Account id.
    pub account_id: String,
    /// Its name.
    pub account_name: String,
    /// nps, csat or ces.
    pub score: String,
    /// The score over the 90 days before (decimal as text).
    pub before: String,
    /// The score over the last 90 days.
    pub now: String,
    /// Answers behind the recent score.
    pub recent_answers: usize,
}

/// What the caller should see first today.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyDayResponse {
    /// The workspace's today (YYYY-MM-DD).
    pub today: String,
    /// Due today, calls back to unhappy clients first.
    pub due_today: Vec<FollowUpEntry>,
    /// Late, the most recently missed first (at most 50).
    pub overdue: Vec<FollowUpEntry>,
    /// How many are late in all.
    pub overdue_total: i64,
    /// The caller's accounts renewing within 90 days or lapsed within 90 days, soonest first (at most 50).
    pub renewals: Vec<AccountResponse>,
    /// How many renewals in all.
    pub renewals_total: i64,
    /// The caller's accounts whose satisfaction fell.
    pub satisfaction_falls: Vec<SatisfactionFallResponse>,
    /// The fewest answers a score needs before it is compared.
    pub min_answers: u32,
    /// The caller's open complaints with a deadline tomorrow or passed, the most urgent first.
    pub complaints_due: Vec<ComplaintDueEntry>,
    /// The caller's review action items due within three days or late, the oldest date first.
    pub review_actions: Vec<bilan_app::reviews::ActionView>,
}

/// A complaint deadline in the caller's day.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintDueEntry {
    /// The case.
    pub complaint_id: String,
    /// Its reference.
    pub reference: String,
    /// Its account.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// acknowledge, answer or mediation_conclusion.
    pub deadline: String,
    /// By when.
    pub by: String,
    /// Whether the day has passed.
    pub overdue: bool,
}

/// The caller's day: follow-ups due and late, renewals coming, satisfaction falling.
#[utoipa::path(get, path = "/api/v1/my-day", tag = "timeline",
    responses((status = 200, body = MyDayResponse)), security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn my_day(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<MyDayResponse>> {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let d = bilan_app::my_day::my_day(&state.app, &actor, today, bilan_app::my_day::LIST_MAX).await?;
    Ok(Json(MyDayResponse {
        today: d.today.to_string(),
        due_today: d.due_today.into_iter().map(FollowUpEntry::from).collect(),
        overdue: d.overdue.into_iter().map(FollowUpEntry::from).collect(),
        overdue_total: d.overdue_total,
        renewals: d.renewals.into_iter().map(AccountResponse::from).collect(),
        renewals_total: d.renewals_total,
        satisfaction_falls: d
            .satisfaction_falls
            .into_iter()
            .map(|f| SatisfactionFallResponse {
                account_id: f.account_id.to_string(),
                account_name: f.account_name,
                score: f.score.code().to_owned(),
                before: f.before.to_string(),
                now: f.now.to_string(),
                recent_answers: f.recent_answers,
            })
            .collect(),
        min_answers: d.min_answers,
        review_actions: d.review_actions.clone(),
        complaints_due: d
            .complaints_due
            .into_iter()
            .filter_map(|x| {
                let due = x.complaint.next_due()?;
                Some(ComplaintDueEntry {
                    complaint_id: x.complaint.id.to_string(),
                    reference: x.complaint.reference(),
                    account_id: x.complaint.account_id.to_string(),
                    account_name: x.account_name,
                    deadline: due.kind.code().to_owned(),
                    by: due.by.to_string(),
                    overdue: due.is_overdue(d.today),
                })
            })
            .collect(),
    }))
}

/// How long to put a follow-up off.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SnoozeBody {
    /// `tomorrow` or `next_week` (the next Monday).
    pub snooze: String,
}

/// Puts a follow-up off to tomorrow or next Monday.
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/snooze", tag = "timeline", params(("id" = String, Path, description = "Interaction id")),
    request_body = SnoozeBody,
    responses((status = 200, body = InteractionResponse), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_interactions")), ("x-permission-others" = json!("edit_any_interaction"))))]
pub async fn snooze_follow_up(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<InteractionResponse>> {
    let b: SnoozeBody = super::problem::parse_json(&body)?;
    let snooze = Snooze::parse(&b.snooze).ok_or_else(|| AppError::field("snooze", "snooze.invalid"))?;
    let i = bilan_app::timeline::snooze_follow_up(&state.app, &actor, parse_id(&id)?, snooze).await?;
    Ok(Json(i.into()))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_day))
        .routes(routes!(snooze_follow_up))
}
