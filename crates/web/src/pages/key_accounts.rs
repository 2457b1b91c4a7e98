//! Key accounts and health pages: the accounts at risk with their reasons and
//! trend, the programme with each manager's load and the renewal calendar, the
//! living account plan of an account, and the health card on the account page.

use super::{error_response, field, form_pairs, render, see_other, FormErrors, Layout, Refilled};
use crate::charts::{sparkline, stakeholder_map, MapPerson};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::health::usage::{self, UsageFailure};
use bilan_app::health::{self as h, AlertView, AtRiskPage, HealthView};
use bilan_app::key_accounts::plan::{self as p, PlanView, StakeholderInput};
use bilan_app::key_accounts::{self as ka, AdmissionInput, KeyAccountView, Programme};
use bilan_app::users::{self, User};
use bilan_app::AppError;
use bilan_domain::key_accounts::objectives::ObjectiveInput;
use bilan_domain::key_accounts::plan::{FinancialsInput, PlanItemInput};
use bilan_domain::key_accounts::risks::RiskInput;
use bilan_domain::key_accounts::scoring::Criterion;
use bilan_domain::key_accounts::stakeholders::{Attitude, Influence};
use bilan_domain::money::{Currency, Money};
use serde::Deserialize;
use uuid::Uuid;

fn money(minor: i64, currency: &str) -> Money {
    Money {
        minor,
        currency: Currency::parse(currency).unwrap_or(Currency::EUR),
    }
}

/// The at-risk page.
#[derive(Template)]
#[template(path = "key_accounts/at_risk.html")]
pub struct AtRiskView {
    l: Layout,
    page: AtRiskPage,
    alerts: Vec<AlertView>,
    watch: bool,
    mine: bool,
    /// The page shown, from 1.
    page_number: u32,
}

/// Accounts per page of the at-risk list.
const AT_RISK_PAGE: u32 = 50;

impl AtRiskView {
    /// The address of page `n` with the same filters.
    fn page_link(&self, n: impl std::borrow::Borrow<u32>) -> String {
        let n = *n.borrow();
        let mut q = vec![format!("page={n}")];
        if self.watch {
            q.push("watch=1".into());
        }
        if self.mine {
            q.push("mine=1".into());
        }
        format!("/at-risk?{}", q.join("&"))
    }

    fn has_next(&self) -> bool {
        i64::from(self.page_number * AT_RISK_PAGE) < self.page.total
    }

    fn spark(&self, name: &str, history: &[h::HealthDay]) -> String {
        let scores: Vec<i32> = history.iter().map(|d| d.score).collect();
        sparkline(
            &format!("{name} — {}", self.l.t("health.trend_90")),
            &scores,
            self.page.at_risk_below,
        )
    }

    fn value(&self, i: &h::AtRiskItem) -> String {
        self.l.money(&money(i.annual_value_minor, &i.currency))
    }

    fn intro(&self) -> String {
        self.l
            .t("at_risk.intro")
            .replace("{below}", &self.page.at_risk_below.to_string())
    }

    fn crossed(&self, a: &AlertView) -> String {
        self.l
            .t("at_risk.crossed")
            .replace("{date}", &self.l.day(&a.crossed_on))
            .replace("{before}", &a.previous_score.map_or("—".into(), |s| s.to_string()))
            .replace("{score}", &a.score.to_string())
    }
}

/// The at-risk page's filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtRiskFilter {
    /// `1`: include the accounts to watch.
    pub watch: Option<String>,
    /// `1`: only the caller's accounts.
    pub mine: Option<String>,
    /// A notice to show (`recomputed`, `closed`).
    pub done: Option<String>,
    /// How many were recomputed.
    pub count: Option<usize>,
    /// The page, from 1.
    pub page: Option<u32>,
}

/// GET /at-risk
pub async fn at_risk_page(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(f): Query<AtRiskFilter>,
) -> Response {
    let watch = f.watch.as_deref() == Some("1");
    let mine = f.mine.as_deref() == Some("1");
    let owner = mine.then_some(user.actor.user_id);
    let page_number = f.page.unwrap_or(1).clamp(1, 10_000);
    let offset = (page_number - 1) * AT_RISK_PAGE;
    let page = match h::at_risk(&state.app, &user.actor, owner, watch, AT_RISK_PAGE, offset, user.lang).await {
        Ok(p) => p,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let alerts = h::alerts(&state.app, &user.actor, !mine, user.lang)
        .await
        .unwrap_or_default();
    let mut l = Layout::for_user(&user, "at_risk");
    l.notice = match f.done.as_deref() {
        Some("recomputed") => Some(
            l.t("at_risk.recomputed")
                .replace("{count}", &f.count.unwrap_or(0).to_string()),
        ),
        Some("closed") => Some(l.t("at_risk.alert_closed").to_owned()),
        _ => None,
    };
    render(&AtRiskView {
        l,
        page,
        alerts,
        watch,
        mine,
        page_number,
    })
}

/// POST /at-risk/recompute
pub async fn recompute(State(state): State<AppState>, user: PageUser, headers: HeaderMap) -> Response {
    match h::recompute_workspace(&state.app, &user.actor).await {
        Ok(n) => see_other(&format!("/at-risk?done=recomputed&count={n}")),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /health-alerts/{id}/done
pub async fn close_alert(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match h::close_alert(&state.app, &user.actor, id).await {
        Ok(()) => see_other("/at-risk?done=closed"),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The programme page.
#[derive(Template)]
#[template(path = "key_accounts/programme.html")]
pub struct ProgrammeView {
    l: Layout,
    programme: Programme,
    /// The key accounts by renewal date (those with one).
    calendar: Vec<ka::ProgrammeItem>,
}

impl ProgrammeView {
    fn value(&self, i: &ka::ProgrammeItem) -> String {
        self.l.money(&money(i.annual_value_minor, &i.currency))
    }

    fn warned(&self, m: &ka::ManagerLoad) -> bool {
        ka::is_warned(m)
    }
}

/// GET /key-accounts
pub async fn programme_page(State(state): State<AppState>, user: PageUser, headers: HeaderMap) -> Response {
    match ka::programme(&state.app, &user.actor, None).await {
        Ok(programme) => {
            let mut calendar: Vec<ka::ProgrammeItem> = programme
                .items
                .iter()
                .filter(|i| i.renewal_date.is_some())
                .cloned()
                .collect();
            calendar.sort_by_key(|i| (i.renewal_date, i.name.clone()));
            render(&ProgrammeView {
                l: Layout::for_user(&user, "key_accounts"),
                programme,
                calendar,
            })
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The account plan page.
#[derive(Template)]
#[template(path = "key_accounts/plan.html")]
pub struct PlanPage {
    l: Layout,
    plan: PlanView,
    membership: KeyAccountView,
    health: Option<HealthView>,
    team: Vec<User>,
    /// The form that failed and what was typed in it.
    failed: Refilled,
    errors: FormErrors,
    /// Lines of a usage file at fault.
    usage_errors: Vec<String>,
    /// The stakeholder map, drawn.
    map: String,
    criteria: Vec<&'static str>,
    tiers: Vec<&'static str>,
    influences: Vec<&'static str>,
    attitudes: Vec<&'static str>,
}

impl PlanPage {
    fn typed(&self, form: &str, name: &str) -> Option<String> {
        self.failed.typed(form, name)
    }

    fn typed_or(&self, form: &str, name: &str, default: &str) -> String {
        self.failed.typed_or(form, name, default)
    }

    fn failed_is(&self, form: &str) -> bool {
        self.failed.is(form)
    }

    /// An error of `field` in `form`, only when that form failed.
    fn err(&self, form: &str, name: &str) -> String {
        if self.failed_is(form) {
            self.errors.of(name)
        } else {
            String::new()
        }
    }

    /// What was wrong with an objective's update in its row, if that row's form failed.
    fn objective_error(&self, id: impl std::borrow::Borrow<Uuid>) -> String {
        let form = format!("objective-{}", id.borrow());
        ["current", "status", "target", "due_on", "title", "metric", "baseline"]
            .iter()
            .map(|f| self.err(&form, f))
            .filter(|e| !e.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn bad(&self, form: &str, name: &str) -> bool {
        self.failed_is(form) && self.errors.has(name)
    }

    /// A criterion's rating as shown in the admission form.
    fn rating(&self, c: &str) -> String {
        let saved = self.membership.score.as_ref().and_then(|s| {
            s.criteria
                .iter()
                .find(|x| x.criterion.code() == c)
                .map(|x| x.rating.to_string())
        });
        self.typed_or("admission", c, saved.as_deref().unwrap_or("3"))
    }

    fn user_name(&self, id: &Option<Uuid>) -> String {
        id.and_then(|i| self.team.iter().find(|u| u.id == i))
            .map_or_else(|| "—".to_owned(), |u| u.display_name.clone())
    }

    fn selected_user(&self, form: &str, name: &str, current: &Option<Uuid>) -> String {
        self.typed(form, name)
            .unwrap_or_else(|| current.map(|c| c.to_string()).unwrap_or_default())
    }

    fn gap_text(&self) -> String {
        self.l
            .t("plan.gap")
            .replace("{days}", &self.plan.key_contact_gap_days.to_string())
    }

    fn admitted_text(&self) -> String {
        self.membership
            .admitted_on
            .map(|d| self.l.t("plan.admitted").replace("{date}", &self.l.day(&d)))
            .unwrap_or_default()
    }

    fn pct(&self, v: &Option<rust_decimal::Decimal>) -> String {
        v.map_or_else(String::new, |d| d.normalize().to_string())
    }

    fn roles(&self, roles: &[String]) -> String {
        roles
            .iter()
            .map(|r| self.l.tk("role.", r))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn map_of(l: &Layout, plan: &PlanView) -> String {
    let rows = Influence::ALL.map(|i| l.tk("influence.", i.code()));
    let columns = Attitude::ALL.map(|a| l.tk("attitude.", a.code()));
    let people: Vec<MapPerson> = plan
        .stakeholders
        .iter()
        .filter_map(|s| {
            let row = Influence::ALL
                .iter()
                .position(|i| Some(i.code()) == s.influence.as_deref())?;
            let column = Attitude::ALL
                .iter()
                .position(|a| Some(a.code()) == s.attitude.as_deref())?;
            Some(MapPerson {
                name: s.name.clone(),
                roles: s.roles.iter().map(|r| l.tk("role.", r)).collect::<Vec<_>>().join(", "),
                row,
                column,
                threat: s.threat,
            })
        })
        .collect();
    stakeholder_map(l.t("plan.stakeholders"), &rows, &columns, &people)
}

/// What went wrong in a plan form, to show it again: the form and what was typed,
/// the field errors, or the lines of a usage file at fault.
struct Refused {
    failed: Refilled,
    errors: FormErrors,
    usage_errors: Vec<String>,
}

impl Refused {
    fn nothing(user: &PageUser) -> Self {
        Refused {
            failed: Refilled::none(),
            errors: FormErrors::none(user.lang),
            usage_errors: Vec::new(),
        }
    }

    fn form(form: &str, pairs: Vec<(String, String)>, errors: FormErrors) -> Self {
        Refused {
            failed: Refilled::of(form, pairs),
            errors,
            usage_errors: Vec::new(),
        }
    }
}

async fn plan_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    account: Uuid,
    refused: Refused,
    notice: Option<String>,
) -> Response {
    let Refused {
        failed,
        errors,
        usage_errors,
    } = refused;
    let plan = match p::plan(&state.app, &user.actor, account).await {
        Ok(p) => p,
        Err(e) => return error_response(user, headers, &e),
    };
    let membership = match ka::view(&state.app, &user.actor, account).await {
        Ok(m) => m,
        Err(e) => return error_response(user, headers, &e),
    };
    let health = h::account_health(&state.app, &user.actor, account, user.lang)
        .await
        .ok();
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    let mut l = Layout::for_user(user, "key_accounts");
    l.notice = notice;
    let map = map_of(&l, &plan);
    let status = if failed.any() || !usage_errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PlanPage {
        l,
        plan,
        membership,
        health,
        team,
        failed,
        errors,
        usage_errors,
        map,
        criteria: Criterion::ALL.iter().map(|c| c.code()).collect(),
        tiers: vec!["strategic", "key", "developing"],
        influences: Influence::ALL.iter().map(|i| i.code()).collect(),
        attitudes: Attitude::ALL.iter().map(|a| a.code()).collect(),
    };
    (status, render(&page)).into_response()
}

fn done_notice(user: &PageUser, raw: Option<&str>) -> Option<String> {
    let done = raw.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))?;
    let count = raw
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("count=")))
        .unwrap_or("0");
    let key = match done {
        "admitted" => "plan.saved_admission",
        "removed" => "plan.removed",
        "objective" => "plan.objective.added",
        "risk" => "plan.risk.added",
        "risk_closed" => "plan.risk.closed",
        "stakeholder" => "plan.stakeholder.placed",
        "item" => "plan.item.added",
        "financials" => "plan.financials.saved",
        "usage" => "plan.usage.imported",
        "saved" => "common.saved",
        _ => return None,
    };
    Some(bilan_i18n::t(user.lang, key).replace("{count}", count))
}

/// GET /accounts/{id}/plan
pub async fn show_plan(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = done_notice(&user, raw.as_deref());
    plan_page(&state, &user, &headers, id, Refused::nothing(&user), notice).await
}

/// GET /accounts/{id}/plan.json — the plan, the membership and the health, to keep or share.
pub async fn export_plan(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let plan = match p::plan(&state.app, &user.actor, id).await {
        Ok(p) => p,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let membership = ka::view(&state.app, &user.actor, id).await.ok();
    let health = h::account_health(&state.app, &user.actor, id, user.lang).await.ok();
    let body = serde_json::json!({ "plan": plan, "key_account": membership, "health": health });
    let name = format!("attachment; filename=\"plan-{}.json\"", id.simple());
    let mut res = Json(body).into_response();
    if let Ok(v) = name.parse() {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// After a plan form: back to the plan with a notice, or the plan again with the
/// typed input kept and the errors at their fields.
async fn after(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    account: Uuid,
    form: &str,
    pairs: Vec<(String, String)>,
    result: Result<(), AppError>,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/accounts/{account}/plan?done={form}#{form}")),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            plan_page(state, user, headers, account, Refused::form(form, pairs, errors), None).await
        }
        Err(e) => error_response(user, headers, &e),
    }
}

fn opt(pairs: &[(String, String)], name: &str) -> Option<String> {
    field(pairs, name).map(str::to_owned)
}

/// POST /accounts/{id}/plan/admission
pub async fn admit(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = AdmissionInput {
        potential: opt(&pairs, "potential"),
        probability: opt(&pairs, "probability"),
        profitability: opt(&pairs, "profitability"),
        strategic_impact: opt(&pairs, "strategic_impact"),
        fit: opt(&pairs, "fit"),
        risk: opt(&pairs, "risk"),
        tier: opt(&pairs, "tier"),
        manager_id: opt(&pairs, "manager_id"),
        executive_sponsor_id: opt(&pairs, "executive_sponsor_id"),
        notes: opt(&pairs, "notes"),
    };
    let r = ka::admit(&state.app, &user.actor, id, &input).await.map(|_| ());
    match r {
        Ok(()) => see_other(&format!("/accounts/{id}/plan?done=admitted")),
        other => after(&state, &user, &headers, id, "admission", pairs, other).await,
    }
}

/// POST /accounts/{id}/plan/remove
pub async fn remove(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match ka::remove(&state.app, &user.actor, id).await {
        Ok(()) => see_other(&format!("/accounts/{id}/plan?done=removed")),
        Err(e) => error_response(&user, &headers, &e),
    }
}

fn objective_input(pairs: &[(String, String)]) -> ObjectiveInput {
    ObjectiveInput {
        title: opt(pairs, "title"),
        metric: opt(pairs, "metric"),
        baseline: opt(pairs, "baseline"),
        target: opt(pairs, "target"),
        current: opt(pairs, "current"),
        due_on: opt(pairs, "due_on"),
        owner_id: opt(pairs, "owner_id"),
        status: opt(pairs, "status"),
    }
}

/// POST /accounts/{id}/plan/objectives
pub async fn add_objective(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let r = p::add_objective(&state.app, &user.actor, id, &objective_input(&pairs))
        .await
        .map(|_| ());
    after(&state, &user, &headers, id, "objective", pairs, r).await
}

/// POST /objectives/{id} — the current value and status from the plan's table.
pub async fn update_objective(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let account = field(&pairs, "account").and_then(|a| Uuid::parse_str(a).ok());
    let r = p::update_objective(&state.app, &user.actor, id, &objective_input(&pairs)).await;
    match (r, account) {
        (Ok(o), _) => see_other(&format!("/accounts/{}/plan?done=saved#objectives", o.account_id)),
        (Err(e @ AppError::Validation(_)), Some(a)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            plan_page(
                &state,
                &user,
                &headers,
                a,
                Refused::form(&format!("objective-{id}"), pairs, errors),
                None,
            )
            .await
        }
        (Err(e), _) => error_response(&user, &headers, &e),
    }
}

fn risk_input(pairs: &[(String, String)]) -> RiskInput {
    RiskInput {
        title: opt(pairs, "title"),
        probability: opt(pairs, "probability"),
        impact: opt(pairs, "impact"),
        mitigation: opt(pairs, "mitigation"),
        owner_id: opt(pairs, "owner_id"),
        status: opt(pairs, "status"),
    }
}

/// POST /accounts/{id}/plan/risks
pub async fn add_risk(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let r = p::add_risk(&state.app, &user.actor, id, &risk_input(&pairs))
        .await
        .map(|_| ());
    after(&state, &user, &headers, id, "risk", pairs, r).await
}

/// POST /risks/{id} — close (or reopen) a risk from the register.
pub async fn update_risk(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let account = field(&pairs, "account").and_then(|a| Uuid::parse_str(a).ok());
    match (
        p::update_risk(&state.app, &user.actor, id, &risk_input(&pairs)).await,
        account,
    ) {
        (Ok(_), Some(a)) => see_other(&format!("/accounts/{a}/plan?done=risk_closed#risks")),
        (Ok(_), None) => see_other("/key-accounts"),
        (Err(e), _) => error_response(&user, &headers, &e),
    }
}

/// POST /accounts/{id}/plan/stakeholders
pub async fn place_stakeholder(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = StakeholderInput {
        contact_id: opt(&pairs, "contact_id"),
        influence: opt(&pairs, "influence"),
        attitude: opt(&pairs, "attitude"),
        notes: opt(&pairs, "notes"),
    };
    let r = p::save_stakeholder(&state.app, &user.actor, id, &input).await;
    after(&state, &user, &headers, id, "stakeholder", pairs, r).await
}

/// POST /accounts/{id}/plan/items
pub async fn add_item(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = PlanItemInput {
        kind: opt(&pairs, "kind"),
        title: opt(&pairs, "title"),
        starts_on: opt(&pairs, "starts_on"),
        due_on: opt(&pairs, "due_on"),
        value: opt(&pairs, "value"),
        status: opt(&pairs, "status"),
    };
    let r = p::add_item(&state.app, &user.actor, id, &input).await.map(|_| ());
    after(&state, &user, &headers, id, "item", pairs, r).await
}

/// POST /accounts/{id}/plan/financials
pub async fn save_financials(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = FinancialsInput {
        nrr_target: opt(&pairs, "nrr_target"),
        margin_target: opt(&pairs, "margin_target"),
        margin_actual: opt(&pairs, "margin_actual"),
        cac_payback_target: opt(&pairs, "cac_payback_target"),
        cac_payback_actual: opt(&pairs, "cac_payback_actual"),
    };
    let r = p::save_financials(&state.app, &user.actor, id, &input).await;
    after(&state, &user, &headers, id, "financials", pairs, r).await
}

/// POST /accounts/{id}/plan/usage — a usage CSV.
pub async fn import_usage(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    mut multipart: Multipart,
) -> Response {
    let mut content: Vec<u8> = Vec::new();
    while let Ok(Some(f)) = multipart.next_field().await {
        if f.name() == Some("file") {
            content = f.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        }
    }
    let tr = bilan_i18n::Tr(user.lang);
    let result = if content.is_empty() {
        Err(UsageFailure::App(AppError::field("file", "import.empty")))
    } else {
        match usage::read_csv(&content) {
            Ok(rows) => usage::save(&state.app, &user.actor, &rows).await,
            Err(errors) => Err(UsageFailure::Invalid(errors)),
        }
    };
    match result {
        Ok(r) => see_other(&format!("/accounts/{id}/plan?done=usage&count={}#usage", r.saved)),
        Err(UsageFailure::Invalid(errors)) => {
            let lines = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}{} {} — {}",
                        tr.t("plan.usage.line").replace("{line}", &e.line.to_string()),
                        bilan_i18n::format::colon(user.lang),
                        e.field,
                        tr.error(&e.code)
                    )
                })
                .collect();
            plan_page(
                &state,
                &user,
                &headers,
                id,
                Refused {
                    usage_errors: lines,
                    ..Refused::nothing(&user)
                },
                None,
            )
            .await
        }
        Err(UsageFailure::App(e @ AppError::Validation(_))) => {
            let errors = FormErrors::from_error(user.lang, &e);
            plan_page(
                &state,
                &user,
                &headers,
                id,
                Refused::form("usage", Vec::new(), errors),
                None,
            )
            .await
        }
        Err(UsageFailure::App(e)) => error_response(&user, &headers, &e),
    }
}

/// The health card of the account page.
#[derive(Template)]
#[template(path = "key_accounts/_health.html")]
pub struct HealthCard {
    l: Layout,
    account: Uuid,
    health: HealthView,
    membership: Option<KeyAccountView>,
    spark: String,
}

/// GET /accounts/{id}/health (the account page's card)
pub async fn health_card(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match h::account_health(&state.app, &user.actor, id, user.lang).await {
        Ok(health) => {
            let l = Layout::for_user(&user, "accounts");
            let scores: Vec<i32> = health.history.iter().map(|d| d.score).collect();
            let spark = sparkline(l.t("health.trend_90"), &scores, health.at_risk_below);
            render(&HealthCard {
                membership: ka::view(&state.app, &user.actor, id).await.ok(),
                l,
                account: id,
                health,
                spark,
            })
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The programme's settings page.
#[derive(Template)]
#[template(path = "key_accounts/settings.html")]
pub struct SettingsPage {
    l: Layout,
    settings: bilan_app::key_accounts::settings::ProgrammeSettings,
    failed: Refilled,
    errors: FormErrors,
}

impl SettingsPage {
    /// A field's value: as typed when the form was refused, else as saved.
    fn value(&self, name: &str, saved: impl std::fmt::Display) -> String {
        self.failed.typed_or("settings", name, &saved.to_string())
    }

    fn criterion_weight(&self, code: &str) -> String {
        let saved = self.settings.criteria_weights.get(code).copied().unwrap_or(0);
        self.value(&format!("weight_{code}"), saved)
    }

    fn health_weight(&self, code: &str) -> String {
        let saved = self.settings.health_weights.get(code).copied().unwrap_or(0);
        self.value(&format!("health_weight_{code}"), saved)
    }
}

async fn settings_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    failed: Refilled,
    errors: FormErrors,
    notice: Option<String>,
) -> Response {
    let settings = match bilan_app::key_accounts::settings::programme_settings(&state.app, &user.actor).await {
        Ok(s) => s,
        Err(e) => return error_response(user, headers, &e),
    };
    let mut l = Layout::for_user(user, "key_accounts");
    l.notice = notice;
    let status = if failed.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(&SettingsPage {
            l,
            settings,
            failed,
            errors,
        }),
    )
        .into_response()
}

/// GET /key-accounts/settings
pub async fn show_settings(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = done_notice(&user, raw.as_deref());
    settings_page(
        &state,
        &user,
        &headers,
        Refilled::none(),
        FormErrors::none(user.lang),
        notice,
    )
    .await
}

/// POST /key-accounts/settings
pub async fn save_settings(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let input: bilan_app::key_accounts::settings::SettingsInput = pairs
        .iter()
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match bilan_app::key_accounts::settings::save_programme_settings(&state.app, &user.actor, &input).await {
        Ok(_) => see_other("/key-accounts/settings?done=saved"),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            settings_page(&state, &user, &headers, Refilled::of("settings", pairs), errors, None).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}
