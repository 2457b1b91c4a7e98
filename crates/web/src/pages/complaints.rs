//! The complaints pages: the list by next deadline with its figures, opening a
//! case (from an account or an exchange), the case page with one form per step,
//! the settings (deadlines, alerts, mediator, letters), the account page's section
//! and the CSV export.

use super::{
    conflict_if_stale, error_response, field, form_pairs, form_version, render, see_other, FormErrors, Layout,
};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::complaints::{
    self as uc, figures as fig, settings as cfg, ComplaintDetail, ComplaintQuery, ListedComplaint,
};
use bilan_app::users::User;
use bilan_app::{users, AppError};
use bilan_domain::complaints::{
    required_permission, Category, ClientKind, ComplaintInput, ComplaintState, DeadlineKind, EditInput, GestureKind,
    Severity, TransitionInput,
};
use bilan_domain::contacts::Contact;
use bilan_domain::timeline::Channel;
use chrono::NaiveDate;
use uuid::Uuid;

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|x| code(*x)).collect()
}

/// The list page.
#[derive(Template)]
#[template(path = "complaints/list.html")]
struct ListPage {
    l: Layout,
    items: Vec<ListedComplaint>,
    next: Option<String>,
    q: ComplaintQuery,
    query_string: String,
    figures: Option<fig::ComplaintFigures>,
    errors: FormErrors,
    team: Vec<User>,
    account_name: Option<String>,
    today: NaiveDate,
    states: Vec<&'static str>,
    categories: Vec<&'static str>,
    severities: Vec<&'static str>,
}

impl ListPage {
    fn owner_name(&self, id: &Uuid) -> String {
        self.team
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    }

    fn val<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    fn state_selected(&self, s: &str) -> bool {
        self.q.state.as_deref().unwrap_or("open") == s
    }

    fn is_overdue(&self, x: &ListedComplaint) -> bool {
        x.complaint.is_overdue(self.today)
    }

    fn next_due(&self, x: &ListedComplaint) -> Option<(String, NaiveDate)> {
        x.complaint
            .next_due()
            .map(|d| (format!("complaints.deadline.{}", d.kind.code()), d.by))
    }

    /// A median number of days ("3 jours", "2,5 jours"), or a dash.
    fn days(&self, d: &Option<rust_decimal::Decimal>) -> String {
        match d {
            None => "—".to_owned(),
            Some(d) => {
                let lang = self.l.tr.0;
                let n = bilan_i18n::format::decimal(lang, *d, if d.fract().is_zero() { 0 } else { 1 });
                // French counts everything below two as one ("1,5 jour").
                let one = match lang {
                    bilan_i18n::Lang::Fr => *d < rust_decimal::Decimal::TWO,
                    bilan_i18n::Lang::En => *d == rust_decimal::Decimal::ONE,
                };
                let word = if one {
                    bilan_i18n::t(lang, "complaints.days.one")
                } else {
                    bilan_i18n::t(lang, "complaints.days.other")
                };
                word.replace("{n}", &n)
            }
        }
    }

    fn next_page(&self, cursor: &str) -> String {
        let mut q = self.q.clone();
        q.cursor = Some(cursor.to_owned());
        format!("/complaints?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
    }
}

/// GET /complaints
pub async fn list_complaints(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut q: ComplaintQuery = raw
        .as_deref()
        .and_then(|r| serde_urlencoded::from_str(r).ok())
        .unwrap_or_default();
    if q.state.is_none() {
        q.state = Some("open".into());
    }
    let today = uc::today(&state.app);
    // A filter that cannot be read shows at its field, over the unfiltered list.
    let (page, errors) = match uc::list_complaints(&state.app, &user.actor, &q).await {
        Err(e @ AppError::Validation(_)) => {
            let fallback = ComplaintQuery {
                state: Some("open".into()),
                ..Default::default()
            };
            (
                uc::list_complaints(&state.app, &user.actor, &fallback).await,
                FormErrors::from_error(user.lang, &e),
            )
        }
        other => (other, FormErrors::none(user.lang)),
    };
    let page = match page {
        Ok(p) => p,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let figures = if errors.general.is_none() {
        // The figures are those of every case of the selection, whatever its state:
        // a median time to resolve over open cases alone would say nothing.
        let mut fq = q.clone();
        fq.cursor = None;
        fq.state = None;
        fq.overdue = None;
        fig::complaint_figures(&state.app, &user.actor, &fq).await.ok()
    } else {
        None
    };
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    let account_name = match q.account.as_deref().and_then(|a| Uuid::parse_str(a).ok()) {
        Some(id) => bilan_app::accounts::find_account(&state.app, &user.actor, id)
            .await
            .ok()
            .map(|a| a.name),
        None => None,
    };
    let mut export_q = q.clone();
    export_q.cursor = None;
    let mut l = Layout::for_user(&user, "complaints");
    l.notice = super::accounts::notice(&user, raw.as_deref());
    render(&ListPage {
        l,
        items: page.items,
        next: page.next.map(|c| c.encode()),
        query_string: serde_urlencoded::to_string(&export_q).unwrap_or_default(),
        q,
        figures,
        errors,
        team,
        account_name,
        today,
        states: codes(ComplaintState::ALL, ComplaintState::code),
        categories: codes(Category::ALL, Category::code),
        severities: codes(Severity::ALL, Severity::code),
    })
}

/// GET /complaints/export.csv
pub async fn export_csv(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q: ComplaintQuery = raw
        .as_deref()
        .and_then(|r| serde_urlencoded::from_str(r).ok())
        .unwrap_or_default();
    match fig::export_csv(&state.app, &user.actor, &q).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"complaints.csv\""),
            ],
            csv,
        )
            .into_response(),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The form that opens a case.
#[derive(Template)]
#[template(path = "complaints/new.html")]
struct NewPage {
    l: Layout,
    v: ComplaintInput,
    errors: FormErrors,
    account_name: Option<String>,
    contacts: Vec<Contact>,
    team: Vec<User>,
    /// Accounts found by the account search (no account chosen yet).
    found: Vec<(Uuid, String)>,
    search: String,
    channels: Vec<&'static str>,
    categories: Vec<&'static str>,
    severities: Vec<&'static str>,
    kinds: Vec<&'static str>,
}

impl NewPage {
    fn val<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
}

/// The first 200 contacts of an account for a select, with `chosen` among them
/// even when the account has more: a large account's contact picked from an
/// exchange must not silently drop out of the form.
async fn contact_choices(state: &AppState, user: &PageUser, account: Uuid, chosen: Option<&str>) -> Vec<Contact> {
    let cq = bilan_app::contacts::ContactQuery {
        account: Some(account.to_string()),
        limit: Some(200),
        ..Default::default()
    };
    let mut contacts = bilan_app::contacts::list_contacts(&state.app, &user.actor, &cq)
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    if let Some(id) = chosen.and_then(|c| Uuid::parse_str(c.trim()).ok()) {
        if !contacts.iter().any(|c| c.id == id) {
            if let Ok(c) = bilan_app::contacts::find_contact(&state.app, &user.actor, id).await {
                contacts.insert(0, c);
            }
        }
    }
    contacts
}

fn input_of(pairs: &[(String, String)]) -> ComplaintInput {
    let get = |k: &str| field(pairs, k).map(str::to_owned);
    ComplaintInput {
        account_id: get("account_id"),
        contact_id: get("contact_id"),
        interaction_id: get("interaction_id"),
        invoice_id: get("invoice_id"),
        received_on: get("received_on"),
        channel: get("channel"),
        client_kind: get("client_kind"),
        category: get("category"),
        severity: get("severity"),
        concerns: get("concerns"),
        summary: get("summary"),
        owner_id: get("owner_id"),
    }
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    v: ComplaintInput,
    errors: FormErrors,
    search: String,
) -> Response {
    let account = v.account_id.as_deref().and_then(|a| Uuid::parse_str(a).ok());
    let account_name = match account {
        Some(id) => match bilan_app::accounts::find_account(&state.app, &user.actor, id).await {
            Ok(a) => Some(a.name),
            Err(e) => return error_response(user, headers, &e),
        },
        None => None,
    };
    let contacts = match account {
        Some(id) => contact_choices(state, user, id, v.contact_id.as_deref()).await,
        None => Vec::new(),
    };
    let found = if account.is_none() && !search.trim().is_empty() {
        let aq = bilan_app::accounts::AccountQuery {
            q: Some(search.clone()),
            limit: Some(20),
            ..Default::default()
        };
        bilan_app::accounts::list_accounts(&state.app, &user.actor, &aq)
            .await
            .map(|p| p.items.into_iter().map(|a| (a.id, a.name)).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    let status = if errors.general.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = NewPage {
        l: Layout::for_user(user, "complaints"),
        v,
        errors,
        account_name,
        contacts,
        team,
        found,
        search,
        channels: codes(&Channel::ALL, Channel::code),
        categories: codes(Category::ALL, Category::code),
        severities: codes(Severity::ALL, Severity::code),
        kinds: codes(ClientKind::ALL, ClientKind::code),
    };
    (status, render(&page)).into_response()
}

/// GET /complaints/new?account=…|interaction=…|q=…
pub async fn new_complaint(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(e) = user.actor.require(bilan_domain::roles::Permission::WriteComplaints) {
        return error_response(&user, &headers, &e);
    }
    let pairs: Vec<(String, String)> = raw
        .as_deref()
        .and_then(|r| serde_urlencoded::from_str(r).ok())
        .unwrap_or_default();
    let today = uc::today(&state.app).to_string();
    let mut v = match field(&pairs, "interaction").and_then(|i| Uuid::parse_str(i).ok()) {
        Some(iid) => match uc::input_from_interaction(&state.app, &user.actor, iid).await {
            Ok(v) => v,
            Err(e) => return error_response(&user, &headers, &e),
        },
        None => ComplaintInput {
            account_id: field(&pairs, "account").map(str::to_owned),
            received_on: Some(today),
            channel: Some("email".into()),
            ..Default::default()
        },
    };
    // From an invoice's page: the case is about that invoice (its reminders wait).
    if let Some(inv) = field(&pairs, "invoice").and_then(|i| Uuid::parse_str(i).ok()) {
        match bilan_app::invoices::find_invoice(&state.app, &user.actor, inv).await {
            Ok(i) => {
                v.account_id = Some(i.account_id.to_string());
                v.invoice_id = Some(i.id.to_string());
                v.category = Some("invoice".into());
                v.concerns = Some(i.number);
            }
            Err(e) => return error_response(&user, &headers, &e),
        }
    }
    v.owner_id = Some(user.actor.user_id.to_string());
    v.severity.get_or_insert_with(|| "medium".into());
    v.client_kind.get_or_insert_with(|| "business".into());
    let search = field(&pairs, "q").unwrap_or("").to_owned();
    new_page(&state, &user, &headers, v, FormErrors::none(user.lang), search).await
}

/// POST /complaints
pub async fn create_complaint(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = input_of(&form_pairs(&body));
    match uc::open_complaint(&state.app, &user.actor, &input).await {
        Ok(c) => see_other(&format!("/complaints/{}?done=created", c.id)),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            new_page(&state, &user, &headers, input, errors, String::new()).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// A deadline as the case page shows it.
struct DeadlineView {
    label: &'static str,
    by: NaiveDate,
    /// `done`, `due`, `overdue` or `info`.
    status: &'static str,
    done_on: Option<NaiveDate>,
}

/// A step the user may take, with its form's values and errors.
struct StepForm {
    to: &'static str,
    open: bool,
    v: TransitionInput,
    errors: FormErrors,
    letter: bool,
    gesture: bool,
}

/// The case page.
#[derive(Template)]
#[template(path = "complaints/show.html")]
struct ShowPage {
    l: Layout,
    d: ComplaintDetail,
    deadlines: Vec<DeadlineView>,
    forms: Vec<StepForm>,
    team: Vec<User>,
    /// The description form's values (what was typed when it failed) and errors.
    edit: EditInput,
    edit_errors: FormErrors,
    /// Whether the description form is open (it failed).
    edit_open: bool,
    contacts: Vec<Contact>,
    categories: Vec<&'static str>,
    severities: Vec<&'static str>,
    kinds: Vec<&'static str>,
    gesture_kinds: Vec<&'static str>,
    overdue: bool,
    /// A step refused that has no form here (a stale page asked for a state no
    /// longer reachable): its message, on top.
    top_error: Option<String>,
}

impl ShowPage {
    fn user_name(&self, id: &Option<Uuid>) -> String {
        id.and_then(|id| self.d.step_users.iter().find(|(u, _)| *u == id))
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| self.l.t("complaints.by_system").to_owned())
    }

    fn val<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    fn letter_to(&self) -> Option<String> {
        self.d.contact.as_ref().and_then(|(_, _, e)| e.clone())
    }
}

fn deadline_views(d: &ComplaintDetail, today: NaiveDate) -> Vec<DeadlineView> {
    let c = &d.complaint;
    let due = c.due();
    let status_of = |kind: DeadlineKind, by: NaiveDate, done: Option<NaiveDate>| -> &'static str {
        if due.iter().any(|x| x.kind == kind) {
            if by < today {
                "overdue"
            } else {
                "due"
            }
        } else if done.is_some() {
            "done"
        } else {
            "info"
        }
    };
    let mut out = vec![
        DeadlineView {
            label: "complaints.deadline.acknowledge",
            by: c.deadlines.acknowledge_by,
            status: status_of(DeadlineKind::Acknowledge, c.deadlines.acknowledge_by, c.acknowledged_on),
            done_on: c.acknowledged_on,
        },
        DeadlineView {
            label: "complaints.deadline.answer",
            by: c.deadlines.answer_by,
            status: status_of(DeadlineKind::Answer, c.deadlines.answer_by, c.answered_on),
            done_on: c.answered_on,
        },
    ];
    if let Some(by) = c.deadlines.mediation_request_by {
        out.push(DeadlineView {
            label: "complaints.deadline.mediation_request",
            by,
            status: "info",
            done_on: c.mediation_notified_on,
        });
    }
    if let Some(by) = c.deadlines.mediation_concludes_by {
        out.push(DeadlineView {
            label: "complaints.deadline.mediation_conclusion",
            by,
            status: status_of(DeadlineKind::MediationConclusion, by, None),
            done_on: None,
        });
    }
    out
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    failed: Option<(TransitionInput, FormErrors)>,
    edit_failed: Option<(EditInput, FormErrors)>,
    notice: Option<String>,
) -> Response {
    let d = match uc::complaint_detail(&state.app, &user.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_response(user, headers, &e),
    };
    let today = uc::today(&state.app);
    let failed_to = failed.as_ref().and_then(|(v, _)| v.to.clone());
    let reachable = d
        .complaint
        .state
        .next()
        .iter()
        .any(|to| Some(to.code()) == failed_to.as_deref() && user.actor.can(required_permission(*to, false)));
    let top_error = match &failed {
        Some((_, e)) if !reachable => Some(format!("{} {}", e.general.clone().unwrap_or_default(), e.of("to"))),
        _ => None,
    };
    let mut failed = failed;
    let forms: Vec<StepForm> = d
        .complaint
        .state
        .next()
        .iter()
        .filter(|to| user.actor.can(required_permission(**to, false)))
        .map(|to| {
            let mine = failed_to.as_deref() == Some(to.code());
            let (v, errors) = match (mine, failed.take()) {
                (true, Some((v, e))) => (v, e),
                (_, other) => {
                    failed = other;
                    (
                        TransitionInput {
                            to: Some(to.code().to_owned()),
                            on: Some(today.to_string()),
                            ..Default::default()
                        },
                        FormErrors::none(user.lang),
                    )
                }
            };
            StepForm {
                to: to.code(),
                open: mine,
                v,
                errors,
                letter: matches!(
                    to,
                    ComplaintState::Acknowledged
                        | ComplaintState::Answered
                        | ComplaintState::Refused
                        | ComplaintState::Resolved
                ),
                gesture: *to == ComplaintState::Resolved
                    && user.actor.can(bilan_domain::roles::Permission::SettleComplaints),
            }
        })
        .collect();
    let status = if forms.iter().any(|f| f.errors.general.is_some()) || edit_failed.is_some() || top_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    let contacts = if user.actor.can(bilan_domain::roles::Permission::WriteComplaints) {
        let chosen = d.complaint.contact_id.map(|c| c.to_string());
        contact_choices(state, user, d.complaint.account_id, chosen.as_deref()).await
    } else {
        Vec::new()
    };
    let c = &d.complaint;
    let edit_open = edit_failed.is_some();
    let (edit, edit_errors) = edit_failed.unwrap_or_else(|| {
        (
            EditInput {
                contact_id: Some(c.contact_id.map(|x| x.to_string()).unwrap_or_default()),
                client_kind: Some(c.client_kind.code().to_owned()),
                category: Some(c.category.code().to_owned()),
                severity: Some(c.severity.code().to_owned()),
                concerns: Some(c.concerns.clone().unwrap_or_default()),
                owner_id: Some(c.owner_id.to_string()),
            },
            FormErrors::none(user.lang),
        )
    });
    let mut l = Layout::for_user(user, "complaints");
    l.notice = notice;
    let page = ShowPage {
        l,
        deadlines: deadline_views(&d, today),
        overdue: d.complaint.is_overdue(today),
        d,
        forms,
        team,
        edit,
        edit_errors,
        edit_open,
        contacts,
        categories: codes(Category::ALL, Category::code),
        severities: codes(Severity::ALL, Severity::code),
        kinds: codes(ClientKind::ALL, ClientKind::code),
        gesture_kinds: codes(GestureKind::ALL, GestureKind::code),
        top_error,
    };
    (status, render(&page)).into_response()
}

/// GET /complaints/{id}
pub async fn show_complaint(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut notice = super::accounts::notice(&user, raw.as_deref());
    if raw.as_deref().is_some_and(|r| r.contains("done=moved")) {
        notice = Some(bilan_i18n::t(user.lang, "complaints.moved").to_owned());
    }
    if raw.as_deref().is_some_and(|r| r.contains("letter=sent")) {
        if let Some(n) = notice.as_mut() {
            n.push(' ');
            n.push_str(bilan_i18n::t(user.lang, "complaints.letter_sent"));
        }
    }
    show_page(&state, &user, &headers, id, None, None, notice).await
}

/// POST /complaints/{id}/transitions
pub async fn move_complaint(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let get = |k: &str| field(&pairs, k).map(str::to_owned);
    let input = TransitionInput {
        to: get("to"),
        on: get("on"),
        reason: get("reason"),
        gesture_kind: get("gesture_kind"),
        gesture_amount: get("gesture_amount"),
        gesture_currency: get("gesture_currency"),
        // An unticked box sends nothing: no letter.
        send_letter: Some(if get("send_letter").is_some() { "true" } else { "false" }.to_owned()),
    };
    let version = form_version(&pairs);
    match uc::move_complaint(&state.app, &user.actor, id, version, &input).await {
        Ok(m) => {
            let letter = if m.letter.is_some() { "&letter=sent" } else { "" };
            see_other(&format!("/complaints/{id}?done=moved{letter}"))
        }
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            conflict_if_stale(
                show_page(&state, &user, &headers, id, Some((input, errors)), None, None).await,
                &e,
            )
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /complaints/{id}/edit
pub async fn edit_complaint(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let get = |k: &str| Some(field(&pairs, k).unwrap_or("").to_owned());
    let input = EditInput {
        contact_id: get("contact_id"),
        client_kind: get("client_kind"),
        category: get("category"),
        severity: get("severity"),
        concerns: get("concerns"),
        owner_id: get("owner_id"),
    };
    match uc::edit_complaint(&state.app, &user.actor, id, form_version(&pairs), &input).await {
        Ok(_) => see_other(&format!("/complaints/{id}?done=saved")),
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            conflict_if_stale(
                show_page(&state, &user, &headers, id, None, Some((input, errors)), None).await,
                &e,
            )
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The account page's complaints section.
#[derive(Template)]
#[template(path = "complaints/_account.html")]
struct AccountSection {
    l: Layout,
    account: Uuid,
    open: Vec<ListedComplaint>,
    settled: Vec<ListedComplaint>,
    today: NaiveDate,
}

/// GET /accounts/{id}/complaints (htmx partial of the account page)
pub async fn account_section(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match uc::account_complaints(&state.app, &user.actor, id).await {
        Ok(all) => {
            let (open, settled): (Vec<_>, Vec<_>) = all.into_iter().partition(|x| x.complaint.state.is_open());
            render(&AccountSection {
                l: Layout::for_user(&user, "accounts"),
                account: id,
                open,
                settled,
                today: uc::today(&state.app),
            })
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The settings page.
#[derive(Template)]
#[template(path = "complaints/settings.html")]
struct SettingsPage {
    l: Layout,
    s: cfg::ComplaintSettings,
    v: cfg::SettingsInput,
    errors: FormErrors,
    /// The letter whose form failed (`kind/lang`), its values and errors.
    letter_failed: Option<(String, bilan_domain::complaint_letters::TemplateInput, FormErrors)>,
    placeholders: Vec<&'static str>,
}

impl SettingsPage {
    fn val<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    /// The subject and body shown in a letter's form: what was typed when it failed.
    fn letter_values(&self, letter: &cfg::Letter) -> (String, String) {
        let key = format!("{}/{}", letter.kind.code(), letter.lang);
        match &self.letter_failed {
            Some((k, v, _)) if *k == key => (
                v.subject.clone().unwrap_or_default(),
                v.body.clone().unwrap_or_default(),
            ),
            _ => (letter.template.subject.clone(), letter.template.body.clone()),
        }
    }

    fn letter_error(&self, letter: &cfg::Letter, f: &str) -> String {
        let key = format!("{}/{}", letter.kind.code(), letter.lang);
        match &self.letter_failed {
            Some((k, _, e)) if *k == key => e.of(f),
            _ => String::new(),
        }
    }
}

async fn settings_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    v: Option<cfg::SettingsInput>,
    errors: FormErrors,
    letter_failed: Option<(String, bilan_domain::complaint_letters::TemplateInput, FormErrors)>,
    notice: Option<String>,
) -> Response {
    if let Err(e) = user.actor.require(bilan_domain::roles::Permission::ConfigureComplaints) {
        return error_response(user, headers, &e);
    }
    let s = match cfg::settings(&state.app, &user.actor).await {
        Ok(s) => s,
        Err(e) => return error_response(user, headers, &e),
    };
    let v = v.unwrap_or_else(|| cfg::SettingsInput {
        acknowledge_working_days: Some(s.rules.acknowledge_working_days.to_string()),
        answer_months: Some(s.rules.answer_months.to_string()),
        alert_by_email: Some(s.alert_by_email.to_string()),
        mediator: s.mediator.clone(),
    });
    let failed = errors.general.is_some() || letter_failed.is_some();
    let mut l = Layout::for_user(user, "complaints");
    l.notice = notice;
    let page = SettingsPage {
        l,
        s,
        v,
        errors,
        letter_failed,
        placeholders: bilan_domain::complaint_letters::PLACEHOLDERS.to_vec(),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}

/// GET /complaints/settings
pub async fn show_settings(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = super::accounts::notice(&user, raw.as_deref());
    settings_page(&state, &user, &headers, None, FormErrors::none(user.lang), None, notice).await
}

/// POST /complaints/settings
pub async fn update_settings(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let get = |k: &str| field(&pairs, k).map(str::to_owned);
    let input = cfg::SettingsInput {
        acknowledge_working_days: get("acknowledge_working_days"),
        answer_months: get("answer_months"),
        alert_by_email: Some(get("alert_by_email").is_some().to_string()),
        mediator: get("mediator"),
    };
    match cfg::update_settings(&state.app, &user.actor, form_version(&pairs), &input).await {
        Ok(_) => see_other("/complaints/settings?done=saved"),
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            conflict_if_stale(
                settings_page(&state, &user, &headers, Some(input), errors, None, None).await,
                &e,
            )
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /complaints/letters/{kind}/{lang}
pub async fn save_letter(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path((kind, lang)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = bilan_domain::complaint_letters::TemplateInput {
        subject: field(&pairs, "subject").map(str::to_owned),
        body: field(&pairs, "body").map(str::to_owned),
    };
    let reset = field(&pairs, "reset").is_some();
    let result = if reset {
        cfg::reset_letter(&state.app, &user.actor, &kind, &lang).await
    } else {
        cfg::save_letter(&state.app, &user.actor, &kind, &lang, &input)
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => see_other(&format!("/complaints/settings?done=saved#letter-{kind}-{lang}")),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            settings_page(
                &state,
                &user,
                &headers,
                None,
                FormErrors::none(user.lang),
                Some((format!("{kind}/{lang}"), input, errors)),
                None,
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}
