//! Client review pages: the reviews and where each key account stands this year,
//! planning one (attendees, agenda), the review with its data pack, the meeting
//! page made for typing while listening (autosaved), the minutes, and the action
//! plans followed until done.

use super::{error_response, field, form_pairs, render, see_other, FormErrors, Layout, Refilled};
use crate::charts::{sparkline, stacked_bars, StackedRow};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::reviews::settings::{self, MinutesTemplate};
use bilan_app::reviews::{
    self as uc, ActionQuery, ActionUpdate, ActionView, Candidate, ListedReviewView, MinutesFormat, PlanInput,
    ProgrammeReview, ReviewQuery, ReviewView,
};
use bilan_app::AppError;
use bilan_domain::key_accounts::objectives::ObjectiveInput;
use bilan_domain::key_accounts::risks::RiskInput;
use bilan_domain::money::{Currency, Money};
use bilan_domain::reviews::hold::{ActionItemInput, HoldInput, RoundTableInput};
use bilan_domain::reviews::pack::Pack;
use bilan_domain::reviews::{agenda, AttendeeInput, AttendeeRole, ReviewInput, ReviewKind, ReviewState, Side};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

fn opt(pairs: &[(String, String)], name: &str) -> Option<String> {
    field(pairs, name).map(str::to_owned)
}

/// The reviews page.
#[derive(Template)]
#[template(path = "reviews/list.html")]
pub struct ListPage {
    l: Layout,
    reviews: Vec<ListedReviewView>,
    programme: Vec<ProgrammeReview>,
    filter: ListFilter,
    states: Vec<&'static str>,
    kinds: Vec<&'static str>,
}

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListFilter {
    /// One state.
    #[serde(default)]
    pub state: String,
    /// One kind.
    #[serde(default)]
    pub kind: String,
    /// Only my accounts.
    #[serde(default)]
    pub mine: Option<String>,
    /// One account.
    pub account: Option<Uuid>,
}

impl ListPage {
    fn counts(&self, status: &str) -> usize {
        self.programme.iter().filter(|p| p.status == status).count()
    }
}

/// GET /reviews
pub async fn list_page(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(filter): Query<ListFilter>,
) -> Response {
    let mine = filter.mine.is_some();
    let q = ReviewQuery {
        mine,
        account_id: filter.account,
        state: Some(filter.state.clone()).filter(|s| !s.is_empty()),
        kind: Some(filter.kind.clone()).filter(|s| !s.is_empty()),
        ..ReviewQuery::default()
    };
    let reviews = match uc::list_reviews(&state.app, &user.actor, &q).await {
        Ok(r) => r,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let programme = match uc::programme_reviews(&state.app, &user.actor, mine).await {
        Ok(p) => p,
        Err(e) => return error_response(&user, &headers, &e),
    };
    render(&ListPage {
        l: Layout::for_user(&user, "reviews"),
        reviews,
        programme,
        filter,
        states: ReviewState::ALL.iter().map(|s| s.code()).collect(),
        kinds: ReviewKind::ALL.iter().map(|k| k.code()).collect(),
    })
}

/// The form to plan (or re-plan) a review.
#[derive(Template)]
#[template(path = "reviews/new.html")]
pub struct PlanPage {
    l: Layout,
    account_id: Uuid,
    account_name: String,
    candidates: Vec<Candidate>,
    /// The review re-planned, if it is one.
    review: Option<ReviewView>,
    failed: Refilled,
    errors: FormErrors,
    kinds: Vec<&'static str>,
    client_roles: Vec<&'static str>,
    supplier_roles: Vec<&'static str>,
    default_agenda: String,
    today: NaiveDate,
}

impl PlanPage {
    fn typed_or(&self, name: &str, default: &str) -> String {
        self.failed.typed_or("plan", name, default)
    }

    fn saved(&self, f: impl Fn(&ReviewView) -> String, default: &str) -> String {
        self.review.as_ref().map_or_else(|| default.to_owned(), f)
    }

    fn value(&self, name: &str) -> String {
        let saved = match name {
            "kind" => self.saved(|r| r.kind.clone(), "annual"),
            "planned_on" => self.saved(|r| r.planned_on.to_string(), ""),
            "starts_at" => self.saved(|r| r.starts_at.clone(), "10:00"),
            "duration_minutes" => self.saved(|r| r.duration_minutes.to_string(), "120"),
            "location" => self.saved(|r| r.location.clone().unwrap_or_default(), ""),
            "lang" => self.saved(|r| r.lang.clone(), ""),
            "period_from" => self.saved(|r| r.period_from.to_string(), ""),
            "period_to" => self.saved(|r| r.period_to.to_string(), ""),
            "agenda" => self.saved(|r| agenda::to_text(&r.agenda), &self.default_agenda),
            _ => String::new(),
        };
        self.typed_or(name, &saved)
    }

    fn err(&self, name: &str) -> String {
        self.errors.of(name)
    }

    fn bad(&self, name: &str) -> bool {
        self.errors.has(name)
    }

    /// The role chosen for a candidate ("" when not invited).
    fn role_of(&self, c: &Candidate) -> String {
        let key = format!("{}:{}", c.kind, c.id);
        if let Some(t) = self.failed.typed("plan", &key) {
            return t;
        }
        if let Some(r) = &self.review {
            return r
                .attendees
                .iter()
                .find(|a| a.contact_id == Some(c.id) || a.user_id == Some(c.id))
                .map(|a| a.role.clone())
                .unwrap_or_default();
        }
        c.default_role.unwrap_or("").to_owned()
    }

    fn roles_for(&self, c: &Candidate) -> &Vec<&'static str> {
        if c.kind == "contact" {
            &self.client_roles
        } else {
            &self.supplier_roles
        }
    }

    fn errors_of_attendees(&self) -> Vec<String> {
        self.errors.matching("attendees[").into_iter().map(|(_, m)| m).collect()
    }

    fn agenda_error(&self) -> String {
        self.errors
            .matching("agenda")
            .into_iter()
            .map(
                |(f, m)| match f.strip_prefix("agenda[").and_then(|r| r.strip_suffix(']')) {
                    Some(line) => format!("{} {line} : {m}", self.l.t("reviews.line")),
                    None => m,
                },
            )
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Attendees typed by name (not contacts or users): at least one empty line.
    fn guests(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = match (&self.review, self.failed.any()) {
            (_, true) => (0..5)
                .filter_map(|i| {
                    let g = |f: &str| self.failed.typed("plan", &format!("guest{i}_{f}")).unwrap_or_default();
                    let row = (g("name"), g("email"), g("role"));
                    (!row.0.is_empty() || !row.1.is_empty()).then_some(row)
                })
                .collect(),
            (Some(r), false) => r
                .attendees
                .iter()
                .filter(|a| a.contact_id.is_none() && a.user_id.is_none())
                .map(|a| (a.name.clone(), a.email.clone().unwrap_or_default(), a.role.clone()))
                .collect(),
            (None, false) => Vec::new(),
        };
        out.push((String::new(), String::new(), String::new()));
        out
    }
}

fn plan_input(pairs: &[(String, String)], account: Uuid, candidates: &[Candidate]) -> PlanInput {
    let mut attendees = Vec::new();
    for c in candidates {
        let role = field(pairs, &format!("{}:{}", c.kind, c.id)).unwrap_or("");
        if role.is_empty() {
            continue;
        }
        attendees.push(AttendeeInput {
            contact_id: (c.kind == "contact").then(|| c.id.to_string()),
            user_id: (c.kind == "user").then(|| c.id.to_string()),
            role: Some(role.to_owned()),
            ..AttendeeInput::default()
        });
    }
    for i in 0..5 {
        let g = |f: &str| opt(pairs, &format!("guest{i}_{f}")).filter(|s| !s.trim().is_empty());
        if g("name").is_some() || g("email").is_some() {
            attendees.push(AttendeeInput {
                name: g("name"),
                email: g("email"),
                role: g("role"),
                ..AttendeeInput::default()
            });
        }
    }
    PlanInput {
        account_id: Some(account.to_string()),
        review: ReviewInput {
            kind: opt(pairs, "kind"),
            period_from: opt(pairs, "period_from"),
            period_to: opt(pairs, "period_to"),
            planned_on: opt(pairs, "planned_on"),
            starts_at: opt(pairs, "starts_at"),
            duration_minutes: opt(pairs, "duration_minutes"),
            location: opt(pairs, "location"),
            lang: opt(pairs, "lang").filter(|s| !s.is_empty()),
        },
        attendees: Some(attendees),
        agenda: opt(pairs, "agenda"),
    }
}

async fn plan_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    account: Uuid,
    review: Option<ReviewView>,
    failed: Refilled,
    errors: FormErrors,
) -> Response {
    let acc = match bilan_app::accounts::find_account(&state.app, &user.actor, account).await {
        Ok(a) => a,
        Err(e) => return error_response(user, headers, &e),
    };
    let candidates = match uc::candidates(&state.app, &user.actor, account).await {
        Ok(c) => c,
        Err(e) => return error_response(user, headers, &e),
    };
    let status = if failed.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PlanPage {
        l: Layout::for_user(user, "reviews"),
        account_id: account,
        account_name: acc.name,
        candidates,
        review,
        failed,
        errors,
        kinds: ReviewKind::ALL.iter().map(|k| k.code()).collect(),
        client_roles: AttendeeRole::of_side(Side::Client).iter().map(|r| r.code()).collect(),
        supplier_roles: AttendeeRole::of_side(Side::Supplier).iter().map(|r| r.code()).collect(),
        default_agenda: agenda::to_text(&uc::template_agenda(ReviewKind::Annual, user.lang)),
        today: bilan_app::health::today(&state.app),
    };
    (status, render(&page)).into_response()
}

/// Which account a new review is for.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    /// The account.
    pub account: Uuid,
}

/// GET /reviews/new?account=…
pub async fn new_form(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Response {
    if !user.actor.can(bilan_domain::roles::Permission::WritePlans) {
        return error_response(&user, &headers, &AppError::Forbidden);
    }
    plan_page(
        &state,
        &user,
        &headers,
        q.account,
        None,
        Refilled::none(),
        FormErrors::none(user.lang),
    )
    .await
}

/// POST /reviews
pub async fn create(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let Some(account) = field(&pairs, "account_id").and_then(|a| Uuid::parse_str(a).ok()) else {
        return error_response(&user, &headers, &AppError::field("account_id", "required"));
    };
    let candidates = uc::candidates(&state.app, &user.actor, account)
        .await
        .unwrap_or_default();
    match uc::plan_review(&state.app, &user.actor, &plan_input(&pairs, account, &candidates)).await {
        Ok(r) => see_other(&format!("/reviews/{}?done=planned", r.id)),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            plan_page(
                &state,
                &user,
                &headers,
                account,
                None,
                Refilled::of("plan", pairs),
                errors,
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// GET /reviews/{id}/edit
pub async fn edit_form(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match uc::review(&state.app, &user.actor, id).await {
        Ok(r) => {
            let account = r.account_id;
            plan_page(
                &state,
                &user,
                &headers,
                account,
                Some(r),
                Refilled::none(),
                FormErrors::none(user.lang),
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /reviews/{id}/edit
pub async fn replan(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let before = match uc::review(&state.app, &user.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let version = field(&pairs, "version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(before.version);
    let candidates = uc::candidates(&state.app, &user.actor, before.account_id)
        .await
        .unwrap_or_default();
    let input = plan_input(&pairs, before.account_id, &candidates);
    match uc::replan_review(&state.app, &user.actor, id, version, &input).await {
        Ok(r) => see_other(&format!("/reviews/{}?done=saved", r.id)),
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            let account = before.account_id;
            plan_page(
                &state,
                &user,
                &headers,
                account,
                Some(before),
                Refilled::of("plan", pairs),
                errors,
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The review page.
#[derive(Template)]
#[template(path = "reviews/show.html")]
pub struct ShowPage {
    l: Layout,
    r: ReviewView,
    pack: Option<Pack>,
    /// Channels as bars, drawn.
    channels_chart: String,
    /// Health over the period, drawn.
    health_chart: String,
    errors: FormErrors,
}

impl ShowPage {
    fn money(&self, d: &Decimal) -> String {
        let cur = self
            .pack
            .as_ref()
            .and_then(|p| Currency::parse(&p.currency))
            .unwrap_or(Currency::EUR);
        Money::from_decimal(d.round_dp(cur.minor_digits()), cur).map_or_else(|| d.to_string(), |m| self.l.money(&m))
    }

    fn dec(&self, d: &Option<Decimal>, places: u32) -> String {
        d.map_or_else(
            || "—".to_owned(),
            |d| bilan_i18n::format::decimal(self.l.tr.0, d, places),
        )
    }

    fn pct(&self, d: &Option<Decimal>) -> String {
        d.map_or_else(|| "—".to_owned(), |d| bilan_i18n::format::percent(self.l.tr.0, d, 1))
    }

    fn state(&self) -> ReviewState {
        ReviewState::parse(&self.r.state).unwrap_or(ReviewState::Planned)
    }

    fn can_plan(&self) -> bool {
        self.l.can("write_plans") && self.state().is_open_for_planning()
    }

    fn held(&self) -> bool {
        self.state().was_held()
    }

    fn frozen_text(&self) -> String {
        self.r
            .prepared_at
            .map(|t| self.l.t("review.pack.frozen").replace("{date}", &self.l.instant(&t)))
            .unwrap_or_default()
    }

    fn kb(&self, size: &i64) -> String {
        format!("{} Ko", (size + 1023) / 1024)
    }
}

fn charts(l: &Layout, pack: &Option<Pack>) -> (String, String) {
    let Some(p) = pack else {
        return (String::new(), String::new());
    };
    let rows: Vec<StackedRow> = p
        .exchanges
        .by_channel
        .iter()
        .map(|c| StackedRow {
            label: l.tk("channel.", &c.channel),
            parts: vec![
                (c.inbound as f64, "dir-inbound".into()),
                (c.outbound as f64, "dir-outbound".into()),
            ],
            total: l.num(i64::try_from(c.inbound + c.outbound).unwrap_or(0)),
        })
        .collect();
    let channels = if rows.is_empty() {
        String::new()
    } else {
        stacked_bars(
            l.t("review.pack.by_channel"),
            &rows,
            &[
                (l.t("direction.inbound").to_owned(), "dir-inbound".to_owned()),
                (l.t("direction.outbound").to_owned(), "dir-outbound".to_owned()),
            ],
        )
    };
    let health = p
        .health
        .as_ref()
        .filter(|h| h.history.len() > 1)
        .map(|h| {
            let scores: Vec<i32> = h.history.iter().map(|d| i32::from(d.score)).collect();
            sparkline(l.t("review.pack.health"), &scores, 60)
        })
        .unwrap_or_default();
    (channels, health)
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    errors: FormErrors,
    notice: Option<String>,
) -> Response {
    let r = match uc::review(&state.app, &user.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_response(user, headers, &e),
    };
    let pack = if r.state == ReviewState::Cancelled.code() {
        None
    } else {
        uc::review_pack(&state.app, &user.actor, id).await.ok()
    };
    let mut l = Layout::for_user(user, "reviews");
    l.notice = notice;
    let (channels_chart, health_chart) = charts(&l, &pack);
    let status = if errors.general.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(&ShowPage {
            l,
            r,
            pack,
            channels_chart,
            health_chart,
            errors,
        }),
    )
        .into_response()
}

fn done_notice(user: &PageUser, raw: Option<&str>) -> Option<String> {
    let done = raw.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))?;
    let key = match done {
        "planned" => "review.done.planned",
        "saved" => "common.saved",
        "invited" => "review.done.invited",
        "cancelled" => "review.done.cancelled",
        "prepared" => "review.done.prepared",
        "held" => "review.done.held",
        "minutes" => "review.done.minutes",
        "closed" => "review.done.closed",
        _ => return None,
    };
    Some(bilan_i18n::t(user.lang, key).to_owned())
}

/// GET /reviews/{id}
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = done_notice(&user, raw.as_deref());
    show_page(&state, &user, &headers, id, FormErrors::none(user.lang), notice).await
}

async fn step_result(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    done: &str,
    r: Result<ReviewView, AppError>,
) -> Response {
    match r {
        Ok(_) => see_other(&format!("/reviews/{id}?done={done}")),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            let errors = FormErrors {
                general: Some(crate::error::message(user.lang, &e)),
                ..errors
            };
            show_page(state, user, headers, id, errors, None).await
        }
        Err(e) => error_response(user, headers, &e),
    }
}

/// POST /reviews/{id}/invite
pub async fn invite(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let r = uc::send_invitation(&state.app, &user.actor, id).await;
    step_result(&state, &user, &headers, id, "invited", r).await
}

/// POST /reviews/{id}/cancel
pub async fn cancel(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let r = uc::cancel_review(&state.app, &user.actor, id).await;
    step_result(&state, &user, &headers, id, "cancelled", r).await
}

/// POST /reviews/{id}/prepare
pub async fn prepare(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let r = uc::prepare_review(&state.app, &user.actor, id).await;
    step_result(&state, &user, &headers, id, "prepared", r).await
}

/// POST /reviews/{id}/minutes/send
pub async fn send_minutes(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let r = uc::send_minutes(&state.app, &user.actor, id).await;
    step_result(&state, &user, &headers, id, "minutes", r).await
}

/// POST /reviews/{id}/close
pub async fn close(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let r = uc::close_review(&state.app, &user.actor, id).await;
    step_result(&state, &user, &headers, id, "closed", r).await
}

fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    crate::api::invoices::safe_file_name(name)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// GET /reviews/{id}/minutes.pdf
pub async fn minutes_pdf(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match uc::minutes_file(&state.app, &user.actor, id, MinutesFormat::Pdf).await {
        Ok(f) => download(&f.filename, f.content_type, f.bytes),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// GET /reviews/{id}/minutes.docx
pub async fn minutes_docx(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match uc::minutes_file(&state.app, &user.actor, id, MinutesFormat::Docx).await {
        Ok(f) => download(&f.filename, f.content_type, f.bytes),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// GET /reviews/{id}/invitation.ics
pub async fn ics(State(state): State<AppState>, user: PageUser, headers: HeaderMap, Path(id): Path<Uuid>) -> Response {
    match uc::invitation_ics(&state.app, &user.actor, id).await {
        Ok(t) => download("invitation.ics", "text/calendar; charset=utf-8", t.into_bytes()),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The meeting page: everything said, typed fast, autosaved.
#[derive(Template)]
#[template(path = "reviews/meeting.html")]
pub struct MeetingPage {
    l: Layout,
    r: ReviewView,
    input: HoldInput,
    errors: FormErrors,
    /// Names offered for owners: attendees and team.
    owners: Vec<String>,
}

impl MeetingPage {
    fn err(&self, name: &str) -> String {
        self.errors.of(name)
    }

    fn bad(&self, name: &str) -> bool {
        self.errors.has(name)
    }

    fn decisions_text(&self) -> String {
        self.input.decisions.join("\n")
    }

    fn decisions_error(&self) -> String {
        (0..self.input.decisions.len().max(1))
            .map(|i| self.err(&format!("decisions[{i}]")))
            .find(|e| !e.is_empty())
            .unwrap_or_default()
    }

    fn v(o: &Option<String>) -> String {
        o.clone().unwrap_or_default()
    }
}

/// Reads the meeting form: `round_table[0].attendee`, `action_items[2].due_on`,
/// `objectives[0].target`, `risks[0].title`, `decisions` (one a line), `notes`.
pub fn hold_input(pairs: &[(String, String)]) -> HoldInput {
    use std::collections::BTreeMap;
    let mut rows: BTreeMap<(String, usize), BTreeMap<String, String>> = BTreeMap::new();
    let mut input = HoldInput {
        held_on: opt(pairs, "held_on").filter(|s| !s.is_empty()),
        notes: opt(pairs, "notes").filter(|s| !s.trim().is_empty()),
        decisions: field(pairs, "decisions")
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        ..HoldInput::default()
    };
    for (name, value) in pairs {
        let Some((list, rest)) = name.split_once('[') else {
            continue;
        };
        let Some((index, field_name)) = rest.split_once("].") else {
            continue;
        };
        let Ok(i) = index.parse::<usize>() else {
            continue;
        };
        if i >= 100 {
            continue;
        }
        rows.entry((list.to_owned(), i))
            .or_default()
            .insert(field_name.to_owned(), value.clone());
    }
    let get = |m: &BTreeMap<String, String>, k: &str| m.get(k).cloned().filter(|s| !s.trim().is_empty());
    for ((list, _), m) in &rows {
        match list.as_str() {
            "round_table" => input.round_table.push(RoundTableInput {
                attendee: get(m, "attendee"),
                satisfactions: get(m, "satisfactions"),
                irritants: get(m, "irritants"),
            }),
            "objectives" => input.objectives.push(ObjectiveInput {
                title: get(m, "title"),
                metric: get(m, "metric"),
                baseline: get(m, "baseline"),
                target: get(m, "target"),
                due_on: get(m, "due_on"),
                ..ObjectiveInput::default()
            }),
            "risks" => input.risks.push(RiskInput {
                title: get(m, "title"),
                probability: get(m, "probability"),
                impact: get(m, "impact"),
                mitigation: get(m, "mitigation"),
                ..RiskInput::default()
            }),
            "action_items" => input.action_items.push(ActionItemInput {
                what: get(m, "what"),
                owner: get(m, "owner"),
                due_on: get(m, "due_on"),
            }),
            _ => {}
        }
    }
    input
}

/// The meeting form's rows as shown: what was typed (or the draft), with room to type more.
fn with_room(r: &ReviewView, mut input: HoldInput) -> HoldInput {
    if input.round_table.is_empty() {
        input.round_table = r
            .attendees
            .iter()
            .map(|a| RoundTableInput {
                attendee: Some(a.name.clone()),
                ..RoundTableInput::default()
            })
            .collect();
    }
    if input.round_table.is_empty() {
        input.round_table.push(RoundTableInput::default());
    }
    while input.objectives.len() < 2 {
        input.objectives.push(ObjectiveInput::default());
    }
    if input.risks.is_empty() {
        input.risks.push(RiskInput::default());
    }
    let blank_actions = input
        .action_items
        .iter()
        .filter(|a| a.what.is_none() && a.owner.is_none() && a.due_on.is_none())
        .count();
    for _ in blank_actions..3 {
        input.action_items.push(ActionItemInput::default());
    }
    input
}

async fn meeting_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    typed: Option<HoldInput>,
    errors: FormErrors,
) -> Response {
    let r = match uc::review(&state.app, &user.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_response(user, headers, &e),
    };
    if !user.actor.can(bilan_domain::roles::Permission::WritePlans) {
        return error_response(user, headers, &AppError::Forbidden);
    }
    if ReviewState::parse(&r.state).is_some_and(ReviewState::was_held) {
        return see_other(&format!("/reviews/{id}"));
    }
    let status = if typed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let input = with_room(&r, typed.or_else(|| r.draft.clone()).unwrap_or_default());
    let mut owners: Vec<String> = r.attendees.iter().map(|a| a.name.clone()).collect();
    for u in bilan_app::users::list_users(&state.app, &user.actor)
        .await
        .unwrap_or_default()
    {
        if !owners.contains(&u.display_name) {
            owners.push(u.display_name);
        }
    }
    let page = MeetingPage {
        l: Layout::for_user(user, "reviews"),
        r,
        input,
        errors,
        owners,
    };
    (status, render(&page)).into_response()
}

/// GET /reviews/{id}/meeting
pub async fn meeting(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    meeting_page(&state, &user, &headers, id, None, FormErrors::none(user.lang)).await
}

/// POST /reviews/{id}/draft — the meeting page's autosave (answers 204, or the error's status).
pub async fn draft(State(state): State<AppState>, user: PageUser, Path(id): Path<Uuid>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    match uc::save_draft(&state.app, &user.actor, id, &hold_input(&pairs)).await {
        Ok(at) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            bilan_i18n::t(user.lang, "review.meeting.saved_at")
                .replace("{time}", &crate::format::instant(user.lang, &at)),
        )
            .into_response(),
        Err(e) => (
            crate::error::status_of(&e),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            crate::error::message(user.lang, &e),
        )
            .into_response(),
    }
}

/// POST /reviews/{id}/hold
pub async fn hold(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = hold_input(&pairs);
    match uc::hold_review(&state.app, &user.actor, id, &input).await {
        Ok(_) => see_other(&format!("/reviews/{id}?done=held")),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            meeting_page(&state, &user, &headers, id, Some(input), errors).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            show_page(&state, &user, &headers, id, errors, None).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The action plans page.
#[derive(Template)]
#[template(path = "reviews/actions.html")]
pub struct ActionsPage {
    l: Layout,
    items: Vec<ActionView>,
    filter: ActionFilter,
    account_name: Option<String>,
    errors: FormErrors,
    failed_id: Option<Uuid>,
}

impl ActionsPage {
    fn query(&self) -> String {
        let mut q = Vec::new();
        if self.filter.mine.is_some() {
            q.push("mine=1".to_owned());
        }
        if self.filter.overdue.is_some() {
            q.push("overdue=1".to_owned());
        }
        if let Some(a) = self.filter.account {
            q.push(format!("account={a}"));
        }
        if !self.filter.status.is_empty() {
            q.push(format!("status={}", self.filter.status));
        }
        q.join("&")
    }

    fn is_failed(&self, a: &ActionView) -> bool {
        self.failed_id == Some(a.id)
    }

    fn can_change(&self, a: &ActionView) -> bool {
        self.l.can("write_plans")
            || self
                .l
                .actor
                .as_ref()
                .is_some_and(|u| a.owner_user_id == Some(u.user_id))
    }
}

/// The action plans' filters.
#[derive(Debug, Default, Deserialize)]
pub struct ActionFilter {
    /// Only mine.
    pub mine: Option<String>,
    /// Only the late ones.
    pub overdue: Option<String>,
    /// One account.
    pub account: Option<Uuid>,
    /// One status (default: open).
    #[serde(default)]
    pub status: String,
}

async fn actions_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    filter: ActionFilter,
    errors: FormErrors,
    failed_id: Option<Uuid>,
) -> Response {
    let status = if filter.status.is_empty() {
        Some("open".to_owned())
    } else if filter.status == "all" {
        None
    } else {
        Some(filter.status.clone())
    };
    let q = ActionQuery {
        account_id: filter.account,
        mine: filter.mine.is_some(),
        overdue: filter.overdue.is_some(),
        status,
        ..ActionQuery::default()
    };
    let items = match uc::action_items(&state.app, &user.actor, &q).await {
        Ok(i) => i,
        Err(e) => return error_response(user, headers, &e),
    };
    let account_name = match filter.account {
        Some(a) => bilan_app::accounts::find_account(&state.app, &user.actor, a)
            .await
            .ok()
            .map(|a| a.name),
        None => None,
    };
    let code = if failed_id.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        code,
        render(&ActionsPage {
            l: Layout::for_user(user, "actions"),
            items,
            filter,
            account_name,
            errors,
            failed_id,
        }),
    )
        .into_response()
}

/// GET /review-actions
pub async fn actions(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(filter): Query<ActionFilter>,
) -> Response {
    actions_page(&state, &user, &headers, filter, FormErrors::none(user.lang), None).await
}

/// POST /review-actions/{id} — done, dropped, reopened, a note, a new date.
pub async fn update_action(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = ActionUpdate {
        status: opt(&pairs, "status"),
        note: opt(&pairs, "note"),
        due_on: opt(&pairs, "due_on").filter(|s| !s.is_empty()),
        ..ActionUpdate::default()
    };
    let back = field(&pairs, "back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or("/review-actions")
        .to_owned();
    match uc::update_action(&state.app, &user.actor, id, &input).await {
        Ok(_) => see_other(&back),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            let filter = ActionFilter {
                mine: back.contains("mine=").then(|| "1".to_owned()),
                overdue: back.contains("overdue=").then(|| "1".to_owned()),
                ..ActionFilter::default()
            };
            actions_page(&state, &user, &headers, filter, errors, Some(id)).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The minutes template page.
#[derive(Template)]
#[template(path = "reviews/template.html")]
pub struct TemplatePage {
    l: Layout,
    t: MinutesTemplate,
    errors: FormErrors,
    sections: Vec<(&'static str, bool)>,
}

fn sections_of(t: &MinutesTemplate) -> Vec<(&'static str, bool)> {
    vec![
        ("satisfaction", t.satisfaction),
        ("complaints", t.complaints),
        ("invoices", t.invoices),
        ("usage", t.usage),
        ("health", t.health),
        ("beyond_contract", t.beyond_contract),
    ]
}

/// GET /reviews/template
pub async fn template_page(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    match settings::template(&state.app, &user.actor).await {
        Ok(t) => {
            let mut l = Layout::for_user(&user, "reviews");
            if raw.as_deref().is_some_and(|q| q.contains("done=saved")) {
                l.notice = Some(l.t("common.saved").to_owned());
            }
            render(&TemplatePage {
                l,
                sections: sections_of(&t),
                t,
                errors: FormErrors::none(user.lang),
            })
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /reviews/template
pub async fn save_template(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let on = |n: &str| field(&pairs, n).is_some();
    let t = MinutesTemplate {
        accent: opt(&pairs, "accent").unwrap_or_default(),
        footer: opt(&pairs, "footer").unwrap_or_default(),
        satisfaction: on("satisfaction"),
        complaints: on("complaints"),
        invoices: on("invoices"),
        usage: on("usage"),
        health: on("health"),
        beyond_contract: on("beyond_contract"),
    };
    match settings::save_template(&state.app, &user.actor, &t).await {
        Ok(_) => see_other("/reviews/template?done=saved"),
        Err(e @ AppError::Validation(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&TemplatePage {
                l: Layout::for_user(&user, "reviews"),
                sections: sections_of(&t),
                t,
                errors: FormErrors::from_error(user.lang, &e),
            }),
        )
            .into_response(),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The reviews card of the account page.
#[derive(Template)]
#[template(path = "reviews/_card.html")]
pub struct AccountCard {
    l: Layout,
    account: Uuid,
    reviews: Vec<ListedReviewView>,
    open_actions: usize,
    overdue_actions: usize,
}

impl AccountCard {
    fn held(&self, r: &ListedReviewView) -> bool {
        ReviewState::parse(&r.state).is_some_and(ReviewState::was_held)
    }
}

/// GET /accounts/{id}/reviews (the account page's card): its reviews, newest
/// first, with their minutes, and its open action items.
pub async fn account_card(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let q = ReviewQuery {
        account_id: Some(id),
        newest_first: true,
        ..ReviewQuery::default()
    };
    let reviews = match uc::list_reviews(&state.app, &user.actor, &q).await {
        Ok(mut r) => {
            r.truncate(8);
            r
        }
        Err(e) => return error_response(&user, &headers, &e),
    };
    let open = uc::action_items(
        &state.app,
        &user.actor,
        &ActionQuery {
            account_id: Some(id),
            status: Some("open".into()),
            ..ActionQuery::default()
        },
    )
    .await
    .unwrap_or_default();
    render(&AccountCard {
        l: Layout::for_user(&user, "accounts"),
        account: id,
        reviews,
        overdue_actions: open.iter().filter(|a| a.overdue).count(),
        open_actions: open.len(),
    })
}
