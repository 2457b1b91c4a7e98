//! Key accounts and health through the API: an account's explained health, the
//! at-risk list and the follow-ups of accounts that crossed into risk, usage
//! figures, the programme (admission, load), and the account plan (objectives,
//! stakeholders, risks, roadmap, financials).

use super::bodies::Whole;
use super::problem::{parse_json, ApiResult, Problem};
use super::{parse_id, ApiQuery};
use crate::session::{resolve_lang, ApiActor};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::health::usage::{self, UsageFailure, UsageInput, UsageReport};
use bilan_app::health::{self as h, AlertView, AtRiskPage, HealthView};
use bilan_app::key_accounts::plan::{self as p, ObjectiveView, PlanView, RiskView, StakeholderInput};
use bilan_app::key_accounts::settings::{self, ProgrammeSettings, SettingsInput};
use bilan_app::key_accounts::{self as ka, AdmissionInput, KeyAccountView, Programme};
use bilan_domain::key_accounts::objectives::ObjectiveInput;
use bilan_domain::key_accounts::plan::{FinancialsInput, PlanItemInput};
use bilan_domain::key_accounts::risks::RiskInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A SMART objective to add or change; numbers as text or JSON numbers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveBody {
    /// What is to be achieved.
    pub title: Option<String>,
    /// What measures it.
    pub metric: Option<String>,
    /// Where it starts.
    #[schema(value_type = Option<String>)]
    pub baseline: Option<serde_json::Value>,
    /// Where it must get (required).
    #[schema(value_type = Option<String>)]
    pub target: Option<serde_json::Value>,
    /// Where it is now.
    #[schema(value_type = Option<String>)]
    pub current: Option<serde_json::Value>,
    /// By when, YYYY-MM-DD (required).
    pub due_on: Option<String>,
    /// Who answers for it (default: the account's owner).
    pub owner_id: Option<String>,
    /// open, achieved, missed or dropped.
    pub status: Option<String>,
}

fn number_text(v: &Option<serde_json::Value>) -> Option<String> {
    match v {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Null) | None => None,
        // Anything else is kept as written, so the check refuses it as not a number.
        Some(other) => Some(other.to_string()),
    }
}

impl ObjectiveBody {
    pub(crate) fn input(&self) -> ObjectiveInput {
        ObjectiveInput {
            title: self.title.clone(),
            metric: self.metric.clone(),
            baseline: number_text(&self.baseline),
            target: number_text(&self.target),
            current: number_text(&self.current),
            due_on: self.due_on.clone(),
            owner_id: self.owner_id.clone(),
            status: self.status.clone(),
        }
    }
}

/// A risk to add or change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskBody {
    /// What could go wrong.
    pub title: Option<String>,
    /// 1 (unlikely) to 5 (almost certain).
    #[schema(value_type = Option<i64>)]
    pub probability: Option<serde_json::Value>,
    /// 1 (minor) to 5 (critical).
    #[schema(value_type = Option<i64>)]
    pub impact: Option<serde_json::Value>,
    /// What is done about it.
    pub mitigation: Option<String>,
    /// Who watches it (default: the account's owner).
    pub owner_id: Option<String>,
    /// open or closed.
    pub status: Option<String>,
}

impl RiskBody {
    pub(crate) fn input(&self) -> RiskInput {
        RiskInput {
            title: self.title.clone(),
            probability: number_text(&self.probability),
            impact: number_text(&self.impact),
            mitigation: self.mitigation.clone(),
            owner_id: self.owner_id.clone(),
            status: self.status.clone(),
        }
    }
}

/// A roadmap project or value milestone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemBody {
    /// project (default) or milestone.
    pub kind: Option<String>,
    /// Its name.
    pub title: Option<String>,
    /// A project's start, YYYY-MM-DD.
    pub starts_on: Option<String>,
    /// A project's end or a milestone's date, YYYY-MM-DD.
    pub due_on: Option<String>,
    /// The value it brings the client, in words.
    pub value: Option<String>,
    /// planned, in_progress or done.
    pub status: Option<String>,
}

/// Financial hypotheses and actuals, per cent or months, as text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinancialsBody {
    /// NRR aimed at, per cent.
    pub nrr_target: Option<String>,
    /// Gross margin aimed at, per cent.
    pub margin_target: Option<String>,
    /// Gross margin reached, per cent.
    pub margin_actual: Option<String>,
    /// CAC payback aimed at, months.
    pub cac_payback_target: Option<String>,
    /// CAC payback reached, months.
    pub cac_payback_actual: Option<String>,
}

/// Usage figures to store.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageBody {
    /// The figures; all are stored or none.
    pub figures: Vec<UsageInput>,
}

/// Lines of a usage import at fault; nothing was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageErrors {
    /// Always `usage_invalid`.
    pub code: String,
    /// Each error: line (the header is 1; in a JSON body, the figure's index + 2), field, code.
    pub errors: Vec<usage::UsageLineError>,
}

fn usage_answer(r: Result<UsageReport, UsageFailure>) -> ApiResult<Response> {
    match r {
        Ok(report) => Ok((StatusCode::OK, Json(report)).into_response()),
        Err(UsageFailure::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(UsageErrors {
                code: "usage_invalid".into(),
                errors,
            }),
        )
            .into_response()),
        Err(UsageFailure::App(e)) => Err(e.into()),
    }
}

/// The furthest an at-risk page may start: beyond any workspace's accounts.
const MAX_OFFSET: u32 = 1_000_000;

/// The at-risk list's parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtRiskQuery {
    /// Only this owner's accounts.
    pub owner: Option<String>,
    /// Also the accounts to watch.
    pub watch: Option<bool>,
    /// Page size.
    pub limit: Option<u32>,
    /// Accounts skipped.
    pub offset: Option<u32>,
}

/// An account's health: its score from 0 to 100, explained component by
/// component with the facts behind each, and its last 90 days.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/health", tag = "health",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = HealthView), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn account_health(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<HealthView>> {
    let lang = resolve_lang(Some(&actor), &headers);
    Ok(Json(h::account_health(&state.app, &actor, parse_id(&id)?, lang).await?))
}

/// Accounts at risk, lowest health first, with what pulls each down and its trend.
#[utoipa::path(get, path = "/api/v1/health/at-risk", tag = "health",
    params(
        ("owner" = Option<String>, Query, description = "Only this owner's accounts (user id)"),
        ("watch" = Option<bool>, Query, description = "Also the accounts to watch"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)"),
        ("offset" = Option<u32>, Query, maximum = 1000000, description = "Accounts skipped, at most 1,000,000"),
    ),
    responses((status = 200, body = AtRiskPage), (status = 400, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn at_risk(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<AtRiskQuery>,
) -> ApiResult<Json<AtRiskPage>> {
    let lang = resolve_lang(Some(&actor), &headers);
    let owner = match q.owner.as_deref().filter(|s| !s.is_empty()) {
        Some(o) => Some(parse_id(o)?),
        None => None,
    };
    let offset = q.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(bilan_app::AppError::field("offset", "offset.too_large").into());
    }
    let page = h::at_risk(
        &state.app,
        &actor,
        owner,
        q.watch.unwrap_or(false),
        q.limit.unwrap_or(50),
        offset,
        lang,
    )
    .await?;
    Ok(Json(page))
}

/// The caller's open follow-ups of accounts that crossed into risk (`all=true`:
/// everyone's, for those who run the programme).
#[utoipa::path(get, path = "/api/v1/health/alerts", tag = "health",
    params(("all" = Option<bool>, Query, description = "Every owner's (managers)")),
    responses((status = 200, body = Vec<AlertView>)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn alerts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> ApiResult<Json<Vec<AlertView>>> {
    let lang = resolve_lang(Some(&actor), &headers);
    Ok(Json(h::alerts(&state.app, &actor, q.all.unwrap_or(false), lang).await?))
}

/// `all` of the alerts list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AllQuery {
    /// Every owner's.
    pub all: Option<bool>,
}

/// Marks a follow-up done.
#[utoipa::path(post, path = "/api/v1/health/alerts/{id}/done", tag = "health",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn close_alert(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    h::close_alert(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores usage figures (account, metric, period, value); each account's health
/// is recomputed. All or nothing.
#[utoipa::path(post, path = "/api/v1/usage", tag = "health", request_body = UsageBody,
    responses((status = 200, body = UsageReport), (status = 400, body = Problem), (status = 422, body = UsageErrors)),
    security(("bearer" = [])), extensions(("x-permission" = json!("import_data"))))]
pub async fn post_usage(State(state): State<AppState>, ApiActor(actor): ApiActor, body: Bytes) -> ApiResult<Response> {
    let b = parse_json::<UsageBody>(&body)?;
    usage_answer(usage::save(&state.app, &actor, &b.figures).await)
}

/// Imports usage figures from a CSV file (columns account, metric, period, value;
/// French headers too). All or nothing.
#[utoipa::path(post, path = "/api/v1/usage/import", tag = "health",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = UsageReport), (status = 422, body = UsageErrors)),
    security(("bearer" = [])), extensions(("x-permission" = json!("import_data"))))]
pub async fn import_usage(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Response> {
    match usage::read_csv(&body) {
        Ok(rows) => usage_answer(usage::save(&state.app, &actor, &rows).await),
        Err(errors) => usage_answer(Err(UsageFailure::Invalid(errors))),
    }
}

/// The key-account programme: its accounts and each manager's load.
#[utoipa::path(get, path = "/api/v1/key-accounts", tag = "key_accounts",
    params(("manager" = Option<String>, Query, description = "Only this manager's (user id)")),
    responses((status = 200, body = Programme)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn programme(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ManagerQuery>,
) -> ApiResult<Json<Programme>> {
    let manager = match q.manager.as_deref().filter(|s| !s.is_empty()) {
        Some(m) => Some(parse_id(m)?),
        None => None,
    };
    Ok(Json(ka::programme(&state.app, &actor, manager).await?))
}

/// `manager` of the programme list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ManagerQuery {
    /// A manager's id.
    pub manager: Option<String>,
}

/// An account's place in the programme and its weighted score, explained.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/key-account", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = KeyAccountView), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn key_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<KeyAccountView>> {
    Ok(Json(ka::view(&state.app, &actor, parse_id(&id)?).await?))
}

/// Rates an account on every criterion (1–5) and admits it to the programme, or
/// changes its tier and people; refused below the eligibility threshold.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/key-account", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")), request_body = AdmissionInput,
    responses((status = 200, body = KeyAccountView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_programme"))))]
pub async fn admit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<KeyAccountView>> {
    let input = parse_json::<AdmissionInput>(&body)?;
    Ok(Json(ka::admit(&state.app, &actor, parse_id(&id)?, &input).await?))
}

/// Takes an account out of the programme.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/key-account", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_programme"))))]
pub async fn remove(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    ka::remove(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account's plan: objectives, stakeholder map (with the key-contact gap),
/// roadmap and milestones, risks, financial hypotheses beside the actuals.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/plan", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = PlanView), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(p::plan(&state.app, &actor, parse_id(&id)?).await?))
}

/// An account's SMART objectives.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/objectives", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = Vec<ObjectiveView>), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn list_objectives(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ObjectiveView>>> {
    Ok(Json(p::objectives(&state.app, &actor, parse_id(&id)?).await?))
}

/// Adds a SMART objective; one without a measurable target or a date is refused
/// (422) naming the missing field.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/objectives", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")), request_body = ObjectiveBody,
    responses((status = 201, body = ObjectiveView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn add_objective(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ObjectiveView>)> {
    let b = parse_json::<ObjectiveBody>(&body)?;
    let o = p::add_objective(&state.app, &actor, parse_id(&id)?, &b.input()).await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// Changes an objective (every field given again).
#[utoipa::path(put, path = "/api/v1/objectives/{id}", tag = "key_accounts",
    params(("id" = String, Path, description = "Objective id")), request_body = ObjectiveBody,
    responses((status = 200, body = ObjectiveView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn update_objective(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<ObjectiveView>> {
    let b = parse_json::<ObjectiveBody>(&body)?;
    Ok(Json(
        p::update_objective(&state.app, &actor, parse_id(&id)?, &b.input()).await?,
    ))
}

/// Adds a risk to an account's register.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/risks", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")), request_body = RiskBody,
    responses((status = 201, body = RiskView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn add_risk(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<RiskView>)> {
    let b = parse_json::<RiskBody>(&body)?;
    Ok((
        StatusCode::CREATED,
        Json(p::add_risk(&state.app, &actor, parse_id(&id)?, &b.input()).await?),
    ))
}

/// Changes a risk (levels, mitigation, closing it).
#[utoipa::path(put, path = "/api/v1/risks/{id}", tag = "key_accounts",
    params(("id" = String, Path, description = "Risk id")), request_body = RiskBody,
    responses((status = 200, body = RiskView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn update_risk(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<RiskView>> {
    let b = parse_json::<RiskBody>(&body)?;
    Ok(Json(
        p::update_risk(&state.app, &actor, parse_id(&id)?, &b.input()).await?,
    ))
}

/// Places a contact of the account on its stakeholder map.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/stakeholders", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")), request_body = StakeholderInput,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn save_stakeholder(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let b = parse_json::<StakeholderInput>(&body)?;
    p::save_stakeholder(&state.app, &actor, parse_id(&id)?, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a roadmap project or a value milestone.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/plan-items", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")), request_body = PlanItemBody,
    responses((status = 201), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn add_item(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let b = parse_json::<PlanItemBody>(&body)?;
    let input = PlanItemInput {
        kind: b.kind,
        title: b.title,
        starts_on: b.starts_on,
        due_on: b.due_on,
        value: b.value,
        status: b.status,
    };
    p::add_item(&state.app, &actor, parse_id(&id)?, &input).await?;
    Ok(StatusCode::CREATED)
}

/// Saves an account plan's financial hypotheses and actuals.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/financials", tag = "key_accounts",
    params(("id" = String, Path, description = "Account id")), request_body = FinancialsBody,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_plans"))))]
pub async fn save_financials(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let b = parse_json::<FinancialsBody>(&body)?;
    let input = FinancialsInput {
        nrr_target: b.nrr_target,
        margin_target: b.margin_target,
        margin_actual: b.margin_actual,
        cac_payback_target: b.cac_payback_target,
        cac_payback_actual: b.cac_payback_actual,
    };
    p::save_financials(&state.app, &actor, parse_id(&id)?, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Recomputes every active account's health now (otherwise nightly and on change).
#[utoipa::path(post, path = "/api/v1/health/recompute", tag = "health",
    responses((status = 200, body = RecomputeReport), (status = 403, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_programme"))))]
pub async fn recompute(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<RecomputeReport>> {
    let accounts = h::recompute_workspace(&state.app, &actor).await?;
    Ok(Json(RecomputeReport { accounts }))
}

/// What a recompute did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecomputeReport {
    /// Accounts recomputed.
    pub accounts: usize,
}

/// The programme's settings to change; a field left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeSettingsBody {
    /// Weight of revenue potential (0–100; only ratios matter).
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub weight_potential: Option<Whole>,
    /// Weight of probability.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub weight_probability: Option<Whole>,
    /// Weight of profitability.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub weight_profitability: Option<Whole>,
    /// Weight of strategic impact.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub weight_strategic_impact: Option<Whole>,
    /// Weight of fit.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub weight_fit: Option<Whole>,
    /// Weight of risk (counted the other way).
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub weight_risk: Option<Whole>,
    /// Lowest score admitted to the programme.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub eligible_from: Option<Whole>,
    /// Lowest score suggested as key.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub key_from: Option<Whole>,
    /// Lowest score suggested as strategic (at least key_from).
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub strategic_from: Option<Whole>,
    /// Weight of satisfaction in health.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub health_weight_satisfaction: Option<Whole>,
    /// Weight of engagement.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub health_weight_engagement: Option<Whole>,
    /// Weight of payment behaviour.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub health_weight_payment: Option<Whole>,
    /// Weight of complaints.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub health_weight_complaints: Option<Whole>,
    /// Weight of the usage trend.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub health_weight_usage: Option<Whole>,
    /// Weight of the relationship (people gone, decision makers not met).
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub health_weight_relationship: Option<Whole>,
    /// Weight of the renewal ahead.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub health_weight_renewal: Option<Whole>,
    /// Under this health an account is at risk.
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub at_risk_below: Option<Whole>,
    /// Under this health an account is watched (at least at_risk_below).
    #[schema(minimum = 0, maximum = 100)]
    #[schema(value_type = Option<i64>)]
    pub watch_below: Option<Whole>,
    /// Days without meeting a decision maker or sponsor before it is a gap.
    #[schema(minimum = 1, maximum = 730)]
    #[schema(value_type = Option<i64>)]
    pub key_contact_gap_days: Option<Whole>,
}

impl ProgrammeSettingsBody {
    fn input(&self) -> SettingsInput {
        let mut m = SettingsInput::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                m.insert(k.to_owned(), v);
            }
        };
        let s = |v: Option<Whole>| v.map(|x| x.0.to_string());
        let b = s;
        put("weight_potential", s(self.weight_potential));
        put("weight_probability", s(self.weight_probability));
        put("weight_profitability", s(self.weight_profitability));
        put("weight_strategic_impact", s(self.weight_strategic_impact));
        put("weight_fit", s(self.weight_fit));
        put("weight_risk", s(self.weight_risk));
        put("eligible_from", b(self.eligible_from));
        put("key_from", b(self.key_from));
        put("strategic_from", b(self.strategic_from));
        put("health_weight_satisfaction", s(self.health_weight_satisfaction));
        put("health_weight_engagement", s(self.health_weight_engagement));
        put("health_weight_payment", s(self.health_weight_payment));
        put("health_weight_complaints", s(self.health_weight_complaints));
        put("health_weight_usage", s(self.health_weight_usage));
        put("health_weight_relationship", s(self.health_weight_relationship));
        put("health_weight_renewal", s(self.health_weight_renewal));
        put("at_risk_below", b(self.at_risk_below));
        put("watch_below", b(self.watch_below));
        put("key_contact_gap_days", s(self.key_contact_gap_days));
        m
    }
}

/// The programme's settings: scoring weights and thresholds, health weights and thresholds.
#[utoipa::path(get, path = "/api/v1/key-accounts/settings", tag = "key_accounts",
    responses((status = 200, body = ProgrammeSettings)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn get_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<ProgrammeSettings>> {
    Ok(Json(settings::programme_settings(&state.app, &actor).await?))
}

/// Changes the programme's settings; every account's health is recomputed at once
/// by a job. Thresholds out of order are refused (422) naming the field.
#[utoipa::path(put, path = "/api/v1/key-accounts/settings", tag = "key_accounts", request_body = ProgrammeSettingsBody,
    responses((status = 200, body = ProgrammeSettings), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_programme"))))]
pub async fn put_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Json<ProgrammeSettings>> {
    let b = parse_json::<ProgrammeSettingsBody>(&body)?;
    Ok(Json(
        settings::save_programme_settings(&state.app, &actor, &b.input()).await?,
    ))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(account_health))
        .routes(routes!(at_risk))
        .routes(routes!(alerts))
        .routes(routes!(close_alert))
        .routes(routes!(post_usage))
        .routes(routes!(import_usage))
        .routes(routes!(recompute))
        .routes(routes!(programme))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(key_account, admit, remove))
        .routes(routes!(plan))
        .routes(routes!(list_objectives, add_objective))
        .routes(routes!(update_objective))
        .routes(routes!(add_risk))
        .routes(routes!(update_risk))
        .routes(routes!(save_stakeholder))
        .routes(routes!(add_item))
        .routes(routes!(save_financials))
}
