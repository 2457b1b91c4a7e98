//! Server-rendered pages. Each handler renders a full page, or only its partial
//! when htmx asks (`HX-Request`), from askama templates checked at compile time.

pub mod accounts;
pub mod audit;
pub mod complaints;
pub mod contacts;
pub mod home;
pub mod imports;
pub mod invitations;
pub mod invoices;
pub mod jobs;
pub mod key_accounts;
pub mod login;
pub mod mail_import;
pub mod me;
pub mod portal;
pub mod reviews;
pub mod satisfaction;
pub mod search;
pub mod survey_link;
pub mod surveys;
pub mod timeline;
pub mod users;

use crate::session::is_htmx;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use bilan_app::{Actor, AppError};
use bilan_domain::money::Money;
use bilan_domain::roles::Permission;
use bilan_domain::ValidationErrors;
use bilan_i18n::{Lang, Tr};
use chrono::{DateTime, NaiveDate, Utc};

/// What the common layout needs: language, user, CSRF token, a notice.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Translator.
    pub tr: Tr,
    /// The logged-in user, if any.
    pub actor: Option<Actor>,
    /// The session's CSRF token for forms.
    pub csrf: String,
    /// A one-line notice (saved, created…).
    pub notice: Option<String>,
    /// The current search text, kept in the header search box.
    pub q: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
}

impl Layout {
    /// Layout of a logged-in page.
    pub fn for_user(user: &crate::session::PageUser, nav: &'static str) -> Self {
        Self {
            tr: Tr(user.lang),
            actor: Some(user.actor.clone()),
            csrf: user.session.csrf_token.clone(),
            notice: None,
            q: String::new(),
            nav,
        }
    }

    /// Layout of a page seen without signing in (login, invitations, errors).
    pub fn anonymous(lang: Lang) -> Self {
        Self {
            tr: Tr(lang),
            actor: None,
            csrf: String::new(),
            notice: None,
            q: String::new(),
            nav: "",
        }
    }

    /// Message for `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    /// Message for a dynamic key made of a prefix and a code (`status.` + `active`).
    pub fn tk(&self, prefix: &str, code: &str) -> String {
        bilan_i18n::t(self.tr.0, &format!("{prefix}{code}")).to_owned()
    }

    /// Whether the user may do something (to show or hide actions).
    pub fn can(&self, permission: &str) -> bool {
        let p = Permission::ALL.into_iter().find(|p| p.code() == permission);
        match (&self.actor, p) {
            (Some(a), Some(p)) => a.can(p),
            _ => false,
        }
    }

    /// A date for people.
    pub fn date(&self, d: &Option<NaiveDate>) -> String {
        crate::format::opt_date(self.tr.0, d)
    }

    /// A calendar date for people.
    pub fn day(&self, d: &NaiveDate) -> String {
        crate::format::date(self.tr.0, d)
    }

    /// A day written out: "vendredi 4 décembre 2026" / "Friday 4 December 2026".
    pub fn long_day(&self, d: &NaiveDate) -> String {
        bilan_i18n::format::long_date(self.tr.0, *d)
    }

    /// An instant in the workspace's zone.
    pub fn instant(&self, t: &DateTime<Utc>) -> String {
        crate::format::instant(self.tr.0, t)
    }

    /// An optional instant.
    pub fn opt_instant(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref()
            .map(|t| self.instant(t))
            .unwrap_or_else(|| self.t("me.never").to_owned())
    }

    /// An amount.
    pub fn money(&self, m: &Money) -> String {
        crate::format::money(self.tr.0, m)
    }

    /// A whole number with the language's thousands separator.
    pub fn num<N: Count>(&self, n: N) -> String {
        bilan_i18n::format::integer(self.tr.0, n.as_i64())
    }

    /// A score as computed (NPS one decimal, CES two) in the language's notation.
    pub fn score(&self, d: &rust_decimal::Decimal) -> String {
        bilan_i18n::format::score(self.tr.0, *d)
    }

    /// An optional score, or a dash.
    pub fn opt_score(&self, d: &Option<rust_decimal::Decimal>) -> String {
        d.as_ref().map(|d| self.score(d)).unwrap_or_else(|| "—".into())
    }

    /// A percentage (0–100) with `places` decimals: `80 %` / `80%`.
    pub fn pct(&self, d: &rust_decimal::Decimal, places: u32) -> String {
        bilan_i18n::format::percent(self.tr.0, *d, places)
    }

    /// `n` with the right plural form of message `key` (`key.one` / `key.other`).
    pub fn plural<N: Count>(&self, key: &str, n: N) -> String {
        bilan_i18n::plural_t(self.tr.0, key, u64::try_from(n.as_i64()).unwrap_or(0))
    }

    /// The "label: value" separator of the language.
    pub fn colon(&self) -> &'static str {
        bilan_i18n::format::colon(self.tr.0)
    }

    /// A quoted text with the language's quotation marks.
    pub fn quoted(&self, text: &str) -> String {
        bilan_i18n::format::quoted(self.tr.0, text)
    }

    /// A tag as people read it: the tags Bilan sets itself (`survey`, `nps`…) in
    /// the page's language, the users' own tags as they typed them.
    pub fn tag(&self, tag: &str) -> String {
        let key = format!("tag.{tag}");
        if bilan_i18n::has(&key) {
            bilan_i18n::t(self.tr.0, &key).to_owned()
        } else {
            tag.to_owned()
        }
    }

    /// The language to switch to.
    pub fn other_lang(&self) -> &'static str {
        match self.tr.0 {
            Lang::Fr => "en",
            Lang::En => "fr",
        }
    }

    /// The page's language code.
    pub fn lang(&self) -> &'static str {
        self.tr.0.code()
    }
}

/// Whatever templates count with (lengths, counters), by value or by reference.
pub trait Count {
    /// The number as an `i64` (saturating).
    fn as_i64(&self) -> i64;
}

macro_rules! count_impl {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn as_i64(&self) -> i64 {
                i64::try_from(*self).unwrap_or(i64::MAX)
            }
        }
    )*};
}
count_impl!(usize, u64, u32, i64, i32);

impl<T: Count + ?Sized> Count for &T {
    fn as_i64(&self) -> i64 {
        (**self).as_i64()
    }
}

/// A form that was refused and what was typed in it, so the page shows it again
/// as typed (pages with several forms: which one failed, and its fields).
#[derive(Debug, Clone, Default)]
pub struct Refilled(Option<(String, Vec<(String, String)>)>);

impl Refilled {
    /// Nothing refused.
    pub fn none() -> Self {
        Refilled(None)
    }

    /// `form` was refused holding `pairs`.
    pub fn of(form: impl Into<String>, pairs: Vec<(String, String)>) -> Self {
        Refilled(Some((form.into(), pairs)))
    }

    /// Whether a form was refused.
    pub fn any(&self) -> bool {
        self.0.is_some()
    }

    /// Whether `form` is the one refused.
    pub fn is(&self, form: &str) -> bool {
        matches!(&self.0, Some((f, _)) if f == form)
    }

    /// What was typed in `form`'s field `name` (empty when left empty), if `form` was refused.
    pub fn typed(&self, form: &str, name: &str) -> Option<String> {
        match &self.0 {
            Some((f, pairs)) if f == form => Some(field(pairs, name).unwrap_or("").to_owned()),
            _ => None,
        }
    }

    /// What was typed in `form`'s field `name`, or `default` when `form` was not refused.
    pub fn typed_or(&self, form: &str, name: &str, default: &str) -> String {
        self.typed(form, name).unwrap_or_else(|| default.to_owned())
    }

    /// Every value typed under `name` in `form` (repeated fields), if `form` was refused.
    pub fn all(&self, form: &str, name: &str) -> Option<Vec<String>> {
        match &self.0 {
            Some((f, pairs)) if f == form => Some(
                pairs
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// Field errors of a form, with their messages.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    errors: ValidationErrors,
    /// A message for the whole form (stale version, duplicate…).
    pub general: Option<String>,
    lang: Lang,
}

impl FormErrors {
    /// No errors.
    pub fn none(lang: Lang) -> Self {
        Self {
            errors: ValidationErrors::new(),
            general: None,
            lang,
        }
    }

    /// From a use-case error: field errors stay on their fields, others go on top.
    pub fn from_error(lang: Lang, e: &AppError) -> Self {
        match e {
            AppError::Validation(v) => Self {
                errors: v.clone(),
                general: Some(Tr(lang).t("common.fix_errors").to_owned()),
                lang,
            },
            other => Self {
                errors: ValidationErrors::new(),
                general: Some(crate::error::message(lang, other)),
                lang,
            },
        }
    }

    /// The message for a field, or empty.
    pub fn of(&self, field: &str) -> String {
        self.errors
            .for_field(field)
            .map(|e| Tr(self.lang).error(&e.code).to_owned())
            .unwrap_or_default()
    }

    /// Whether a field has an error.
    pub fn has(&self, field: &str) -> bool {
        self.errors.for_field(field).is_some()
    }

    /// The messages of every field whose name starts with `prefix` (a list's
    /// lines: `attendees[2].email`), each with its field.
    pub fn matching(&self, prefix: &str) -> Vec<(String, String)> {
        self.errors
            .0
            .iter()
            .filter(|e| e.field.starts_with(prefix))
            .map(|e| (e.field.clone(), Tr(self.lang).error(&e.code).to_owned()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    message: String,
    operation: Option<String>,
}

/// Renders a use-case error as a page with the right status.
pub fn error_page(lang: Lang, actor: Option<&Actor>, e: &AppError) -> Response {
    let l = Layout {
        actor: actor.cloned(),
        ..Layout::anonymous(lang)
    };
    error_page_in(l, e)
}

/// The message of an error with each field at fault spelled out ("Nom : Caractère
/// nul interdit"), for refusals that happen before any form can be shown again.
pub fn detailed_message(lang: Lang, e: &AppError) -> String {
    let tr = Tr(lang);
    let mut msg = crate::error::message(lang, e);
    if let AppError::Validation(v) = e {
        for f in &v.0 {
            let key = format!("field.{}", f.field);
            let label = if bilan_i18n::has(&key) {
                tr.t(&key).to_owned()
            } else {
                f.field.clone()
            };
            msg.push_str(&format!(
                " {label}{} {}.",
                bilan_i18n::format::colon(lang),
                tr.error(&f.code)
            ));
        }
    }
    msg
}

/// An error page with every field at fault named (see [`detailed_message`]).
pub fn detailed_error_page(lang: Lang, e: &AppError) -> Response {
    let l = Layout::anonymous(lang);
    let status = crate::error::status_of(e);
    let page = ErrorPage {
        l,
        status: status.as_u16(),
        message: detailed_message(lang, e),
        operation: None,
    };
    crate::error::with_retry_after(e, (status, render(&page)).into_response())
}

/// Renders an error inside a given layout (a signed-in person keeps a working menu).
fn error_page_in(l: Layout, e: &AppError) -> Response {
    let lang = l.tr.0;
    let status = crate::error::status_of(e);
    let operation = crate::error::log_if_internal(e);
    let page = ErrorPage {
        l,
        status: status.as_u16(),
        message: crate::error::message(lang, e),
        operation,
    };
    crate::error::with_retry_after(e, (status, render(&page)).into_response())
}

/// Any address nothing answers: a problem for the API, otherwise a page with the
/// menu (for a signed-in person) and a way back, in the person's language.
pub async fn not_found(State(state): State<AppState>, req: axum::extract::Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return crate::api::problem::ApiError::from(AppError::NotFound).into_response();
    }
    let (mut parts, _) = req.into_parts();
    let user =
        <crate::session::PageUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, &state)
            .await
            .ok();
    match user {
        Some(u) => error_response(&u, &parts.headers, &AppError::NotFound),
        None => error_page(
            crate::session::resolve_lang(None, &parts.headers),
            None,
            &AppError::NotFound,
        ),
    }
}

/// An error as a page, or as a toast fragment for htmx requests.
pub fn error_response(user: &crate::session::PageUser, headers: &HeaderMap, e: &AppError) -> Response {
    if is_htmx(headers) {
        let status = crate::error::status_of(e);
        let op = crate::error::log_if_internal(e);
        let msg = crate::error::message(user.lang, e);
        let body = format!(
            "<div class=\"toast error\" role=\"alert\">{}{}</div>",
            askama::filters::escape(&msg, askama::filters::Html)
                .map(|m| m.to_string())
                .unwrap_or_default(),
            op.map(|o| format!(" <small>({o})</small>")).unwrap_or_default()
        );
        return (
            status,
            [("hx-retarget", "#toasts"), ("hx-reswap", "innerHTML")],
            Html(body),
        )
            .into_response();
    }
    error_page_in(Layout::for_user(user, ""), e)
}

/// Renders a template; a rendering failure is logged and answered 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "rendering failed").into_response()
        }
    }
}

/// Redirect after a successful POST (303, so the browser GETs the target).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Parses a url-encoded body into pairs, keeping repeated keys (checkbox lists).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// The `version` a form was rendered with (0 when absent or unreadable: then stale).
pub fn form_version(pairs: &[(String, String)]) -> i64 {
    field(pairs, "version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)
}

/// A re-rendered form answers 409 when the record changed meanwhile.
pub fn conflict_if_stale(mut res: Response, e: &AppError) -> Response {
    if matches!(e, AppError::Stale { .. }) {
        *res.status_mut() = StatusCode::CONFLICT;
    }
    res
}

/// The first value of a form field.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Every page route.
pub fn router(state: AppState) -> Router<AppState> {
    drop(state);
    Router::new()
        .route("/", get(home::show_home))
        .route("/login", get(login::show_login).post(login::submit_login))
        .route("/logout", post(login::logout))
        .route("/language", post(login::switch_language))
        .route("/accounts", get(accounts::list_accounts).post(accounts::create_account))
        .route("/accounts/new", get(accounts::new_account))
        .route("/accounts/export.csv", get(imports::export_accounts))
        .route(
            "/accounts/{id}",
            get(accounts::show_account).post(accounts::update_account),
        )
        .route("/accounts/{id}/edit", get(accounts::edit_account))
        .route("/accounts/{id}/history", get(audit::account_history))
        .route("/accounts/{id}/timeline", get(timeline::account_timeline))
        .route("/accounts/{id}/interactions", post(timeline::log_interaction))
        .route("/accounts/{id}/contact-picker", get(timeline::contact_picker))
        .route("/interactions/{id}/delete", post(timeline::delete_interaction))
        .route("/interactions/{id}/answer", post(timeline::link_answer))
        .route("/search", get(search::search))
        .route("/search/suggest", get(search::suggest))
        .route("/follow-ups", get(timeline::my_follow_ups))
        .route("/follow-ups/{id}/done", post(timeline::complete_follow_up))
        .route("/follow-ups/{id}/snooze", post(home::snooze_follow_up))
        .route("/my-day/badge", get(home::badge))
        .route("/response-times", get(timeline::response_times))
        .route("/satisfaction", get(satisfaction::show_satisfaction))
        .route("/satisfaction/answers", get(satisfaction::list_answers))
        .route("/satisfaction/answers.csv", get(satisfaction::export_answers))
        .route("/surveys", get(surveys::list_surveys).post(surveys::create_survey))
        .route("/surveys/settings", post(surveys::update_settings))
        .route("/surveys/min-answers", post(surveys::update_min_answers))
        .route("/surveys/{id}", get(surveys::show_survey).post(surveys::update_survey))
        .route("/surveys/{id}/rules", post(surveys::add_rule))
        .route("/survey-rules/{id}/delete", post(surveys::delete_rule))
        .route("/accounts/{id}/surveys/send", post(surveys::send_survey))
        .route("/accounts/{id}/satisfaction", get(satisfaction::account_card))
        .route(
            "/complaints",
            get(complaints::list_complaints).post(complaints::create_complaint),
        )
        .route("/complaints/new", get(complaints::new_complaint))
        .route("/complaints/export.csv", get(complaints::export_csv))
        .route(
            "/complaints/settings",
            get(complaints::show_settings).post(complaints::update_settings),
        )
        .route("/complaints/letters/{kind}/{lang}", post(complaints::save_letter))
        .route("/complaints/{id}", get(complaints::show_complaint))
        .route("/complaints/{id}/transitions", post(complaints::move_complaint))
        .route("/complaints/{id}/edit", post(complaints::edit_complaint))
        .route("/accounts/{id}/complaints", get(complaints::account_section))
        .route("/at-risk", get(key_accounts::at_risk_page))
        .route("/at-risk/recompute", post(key_accounts::recompute))
        .route("/health-alerts/{id}/done", post(key_accounts::close_alert))
        .route("/key-accounts", get(key_accounts::programme_page))
        .route(
            "/key-accounts/settings",
            get(key_accounts::show_settings).post(key_accounts::save_settings),
        )
        .route("/accounts/{id}/health", get(key_accounts::health_card))
        .route("/accounts/{id}/plan", get(key_accounts::show_plan))
        .route("/accounts/{id}/plan.json", get(key_accounts::export_plan))
        .route("/accounts/{id}/plan/admission", post(key_accounts::admit))
        .route("/accounts/{id}/plan/remove", post(key_accounts::remove))
        .route("/accounts/{id}/plan/objectives", post(key_accounts::add_objective))
        .route("/accounts/{id}/plan/risks", post(key_accounts::add_risk))
        .route(
            "/accounts/{id}/plan/stakeholders",
            post(key_accounts::place_stakeholder),
        )
        .route("/accounts/{id}/plan/items", post(key_accounts::add_item))
        .route("/accounts/{id}/plan/financials", post(key_accounts::save_financials))
        .route("/accounts/{id}/plan/usage", post(key_accounts::import_usage))
        .route("/objectives/{id}", post(key_accounts::update_objective))
        .route("/reviews", get(reviews::list_page).post(reviews::create))
        .route("/reviews/new", get(reviews::new_form))
        .route(
            "/reviews/template",
            get(reviews::template_page).post(reviews::save_template),
        )
        .route("/reviews/{id}", get(reviews::show))
        .route("/reviews/{id}/edit", get(reviews::edit_form).post(reviews::replan))
        .route("/reviews/{id}/invite", post(reviews::invite))
        .route("/reviews/{id}/cancel", post(reviews::cancel))
        .route("/reviews/{id}/prepare", post(reviews::prepare))
        .route("/reviews/{id}/meeting", get(reviews::meeting))
        .route("/reviews/{id}/draft", post(reviews::draft))
        .route("/reviews/{id}/hold", post(reviews::hold))
        .route("/reviews/{id}/minutes/send", post(reviews::send_minutes))
        .route("/reviews/{id}/close", post(reviews::close))
        .route("/reviews/{id}/minutes.pdf", get(reviews::minutes_pdf))
        .route("/reviews/{id}/minutes.docx", get(reviews::minutes_docx))
        .route("/reviews/{id}/invitation.ics", get(reviews::ics))
        .route("/review-actions", get(reviews::actions))
        .route("/accounts/{id}/reviews", get(reviews::account_card))
        .route("/review-actions/{id}", post(reviews::update_action))
        .route("/risks/{id}", post(key_accounts::update_risk))
        .route("/invoices", get(invoices::list_invoices).post(invoices::create_invoice))
        .route("/invoices/new", get(invoices::new_invoice))
        .route("/invoices/figures", get(invoices::figures))
        .route("/invoices/figures.csv", get(invoices::figures_csv))
        .route("/invoices/settings", get(invoices::show_settings))
        .route("/invoices/settings/rates", post(invoices::save_rate))
        .route("/invoices/settings/contractual", post(invoices::save_contractual))
        .route("/invoices/settings/plans/{segment}", post(invoices::save_plan))
        .route("/invoices/settings/plans/{segment}/reset", post(invoices::reset_plan))
        .route("/invoices/settings/factors", post(invoices::create_factor))
        .route("/invoices/reminders/run", post(invoices::run_reminders))
        .route("/invoices/import", get(invoices::show_import))
        .route("/invoices/import/einvoice", post(invoices::import_einvoice))
        .route("/invoices/{id}", get(invoices::show_invoice))
        .route("/invoices/{id}/payments", post(invoices::record_payment))
        .route(
            "/invoices/{id}/reminders/{reminder}/letter.pdf",
            get(invoices::reminder_letter),
        )
        .route("/invoices/{id}/credit-notes", post(invoices::add_credit_note))
        .route("/invoices/{id}/sent", post(invoices::mark_sent))
        .route("/invoices/{id}/factor", post(invoices::assign_factor))
        .route("/payments", post(invoices::record_account_payment))
        .route("/accounts/{id}/invoices", get(invoices::account_section))
        .route("/accounts/{id}/portal-links", post(invoices::create_portal_link))
        .route("/portal-links/{id}/revoke", post(invoices::revoke_portal_link))
        .route("/portal/{secret}", get(portal::show_portal))
        .route("/portal/{secret}/invoices/{id}/flag", post(portal::flag_problem))
        .route("/jobs", get(jobs::list_jobs))
        .route("/jobs/{id}/retry", post(jobs::retry_job))
        .route("/outbox", get(surveys::show_outbox))
        .route("/outbox/{id}", get(surveys::show_outbox_message))
        .route("/outbox/{id}/retry", post(surveys::retry_outbox))
        .route(
            "/s/{secret}",
            get(survey_link::show_answer_page).post(survey_link::submit_answer),
        )
        .route(
            "/s/{secret}/stop",
            get(survey_link::show_stop).post(survey_link::submit_stop),
        )
        .route("/accounts/{id}/delete", post(accounts::delete_account))
        .route("/accounts/{id}/sites", post(accounts::add_site))
        .route("/accounts/{id}/sites/{site}/delete", post(accounts::delete_site))
        .route("/contacts", get(contacts::list_contacts).post(contacts::create_contact))
        .route("/contacts/new", get(contacts::new_contact))
        .route("/contacts/export.csv", get(imports::export_contacts))
        .route(
            "/contacts/{id}",
            get(contacts::show_contact).post(contacts::update_contact),
        )
        .route("/contacts/{id}/edit", get(contacts::edit_contact))
        .route("/contacts/{id}/history", get(audit::contact_history))
        .route("/contacts/{id}/delete", post(contacts::delete_contact))
        .route("/users", get(users::list_users).post(users::create_user))
        .route("/users/{id}", post(users::update_user))
        .route("/users/invite", post(users::invite_user))
        .route(
            "/invitations/{secret}",
            get(invitations::show).post(invitations::accept),
        )
        .route("/users/{id}/history", get(audit::user_history))
        .route("/me", get(me::show_me))
        .route("/me/sessions/{id}/revoke", post(me::revoke_session))
        .route("/me/tokens", post(me::create_token))
        .route("/me/tokens/{id}/revoke", post(me::revoke_token))
        .route("/import", get(imports::show_import))
        .route("/import/preview", post(imports::preview_import))
        .route("/import/commit", post(imports::commit_import))
        .route(
            "/import/mail",
            get(mail_import::show_mail_import).post(mail_import::post_mail_import),
        )
        .layer(axum::middleware::from_fn(crate::csrf::capture))
}
