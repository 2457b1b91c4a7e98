//! The invoices pages: the list with the aging summary, entering an invoice, the
//! invoice page (payments, credit notes, factor, reminders, late charges), the
//! figures per owner, segment or account with their charts and CSV, the settings
//! (rates, plans, factors), the imports, the account page's section with its
//! portal links, and the client's portal itself.

use super::{error_response, field, form_pairs, render, see_other, FormErrors, Layout};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::invoices::{
    self as uc, figures as fig, import as imp, plans, portal, rates, AccountPaymentInput, Factor, FactorInput,
    InvoiceDetail, InvoiceQuery, ListedInvoice, NewInvoiceInput, Payment, PortalLink,
};
use bilan_app::users::User;
use bilan_app::{users, AppError};
use bilan_domain::invoices::aging::Bucket;
use bilan_domain::invoices::dunning::{Channel, Tone};
use bilan_domain::invoices::invoice::{Invoice, InvoiceInput};
use bilan_domain::invoices::payment::{CreditNoteInput, PaymentInput};
use bilan_domain::invoices::plan::{PlanInput, StepInput};
use bilan_domain::money::{Currency, Money};
use chrono::NaiveDate;
use uuid::Uuid;

fn query<T: serde::de::DeserializeOwned + Default>(raw: Option<&str>) -> T {
    raw.and_then(|r| serde_urlencoded::from_str(r).ok()).unwrap_or_default()
}

fn val(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// The aging of one line drawn as a horizontal stacked bar per group.
fn aging_chart(l: &Layout, title: &str, lines: &[(String, &fig::Line)]) -> String {
    let rows: Vec<crate::charts::StackedRow> = lines
        .iter()
        .map(|(label, line)| crate::charts::StackedRow {
            label: label.clone(),
            parts: line
                .aging
                .iter()
                .map(|(b, v)| (i64_f64(*v), format!("bucket-{}", b.code())))
                .collect(),
            total: l.money(&line.money(line.open_minor)),
        })
        .collect();
    let legend: Vec<(String, String)> = Bucket::ALL
        .iter()
        .map(|b| (l.tk("invoices.bucket.", b.code()), format!("bucket-{}", b.code())))
        .collect();
    crate::charts::stacked_bars(title, &rows, &legend)
}

fn i64_f64(v: i64) -> f64 {
    // Chart geometry only: amounts themselves are never computed in floating point.
    v as f64
}

/// The list page.
#[derive(Template)]
#[template(path = "invoices/list.html")]
struct ListPage {
    l: Layout,
    items: Vec<ListedInvoice>,
    next: Option<String>,
    q: InvoiceQuery,
    total: Vec<fig::Line>,
    chart: String,
    errors: FormErrors,
    team: Vec<User>,
    segments: Vec<&'static str>,
    today: NaiveDate,
}

impl ListPage {
    fn m(&self, line: &fig::Line, minor: impl std::borrow::Borrow<i64>) -> String {
        self.l.money(&line.money(*minor.borrow()))
    }

    fn owed(&self, i: &Invoice) -> String {
        self.l.money(&i.open())
    }

    fn status(&self, i: &Invoice) -> &'static str {
        i.status(self.today).code()
    }

    fn days_late(&self, i: &Invoice) -> i64 {
        if i.open().minor > 0 {
            (self.today - i.due_on).num_days().max(0)
        } else {
            0
        }
    }

    fn next_page(&self, cursor: &str) -> String {
        let mut q = self.q.clone();
        q.cursor = Some(cursor.to_owned());
        format!("/invoices?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
    }

    fn selected(&self, v: &Option<String>, code: &str) -> bool {
        val(v) == code
    }
}

/// GET /invoices
pub async fn list_invoices(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q: InvoiceQuery = query(raw.as_deref());
    let today = uc::today(&state.app);
    let (page, errors) = match uc::list_invoices(&state.app, &user.actor, &q).await {
        Err(e @ AppError::Validation(_)) => (
            uc::list_invoices(&state.app, &user.actor, &InvoiceQuery::default()).await,
            FormErrors::from_error(user.lang, &e),
        ),
        other => (other, FormErrors::none(user.lang)),
    };
    let page = match page {
        Ok(p) => p,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let filter = InvoiceQuery {
        owner: q.owner.clone(),
        segment: q.segment.clone(),
        account: q.account.clone(),
        ..Default::default()
    }
    .parse(today)
    .map(|(f, _, _)| f)
    .unwrap_or_default();
    let l = {
        let mut l = Layout::for_user(&user, "invoices");
        l.notice = super::accounts::notice(&user, raw.as_deref());
        l
    };
    let total = fig::invoice_figures(&state.app, &user.actor, uc::Grouping::Workspace, &filter)
        .await
        .map(|f| f.total.clone())
        .unwrap_or_default();
    let chart = aging_chart(
        &l,
        l.t("invoices.aging"),
        &total.iter().map(|t| (t.currency.clone(), t)).collect::<Vec<_>>(),
    );
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    render(&ListPage {
        l,
        items: page.items,
        next: uc::encode_cursor(page.next),
        q,
        total,
        chart,
        errors,
        team,
        segments: bilan_domain::accounts::CompanySize::ALL
            .iter()
            .map(|s| s.code())
            .collect(),
        today,
    })
}

/// The form that enters an invoice.
#[derive(Template)]
#[template(path = "invoices/new.html")]
struct NewPage {
    l: Layout,
    v: NewInvoiceInput,
    terms_kind: String,
    terms_days: String,
    errors: FormErrors,
    account_name: Option<String>,
    found: Vec<(Uuid, String)>,
    search: String,
}

impl NewPage {
    fn val<'a>(&self, v: &'a Option<String>) -> &'a str {
        val(v)
    }
}

/// Reads the terms fields of the form into the invoice's input.
fn terms_from_form(pairs: &[(String, String)], v: &mut InvoiceInput) -> (String, String) {
    let kind = field(pairs, "terms_kind").unwrap_or("days").to_owned();
    let days = field(pairs, "terms_days").unwrap_or("").trim().to_owned();
    v.terms = match kind.as_str() {
        "days" => Some(if days.is_empty() {
            String::new()
        } else {
            format!("{days} jours")
        }),
        "eom45_then" => Some("45 jours fin de mois".into()),
        "eom45_first" => Some("fin de mois 45 jours".into()),
        "not_agreed" => Some("non convenu".into()),
        _ => None,
    };
    if kind == "days" && days.is_empty() {
        v.terms = Some("jours".into());
    }
    if kind != "due_on" {
        v.due_on = None;
    }
    (kind, days)
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    v: NewInvoiceInput,
    terms: (String, String),
    errors: FormErrors,
    search: String,
) -> Response {
    let account_name = match v.account_id.as_deref().and_then(|a| Uuid::parse_str(a).ok()) {
        Some(id) => bilan_app::accounts::find_account(&state.app, &user.actor, id)
            .await
            .ok()
            .map(|a| a.name),
        None => None,
    };
    let found = if account_name.is_none() && !search.trim().is_empty() {
        bilan_app::accounts::list_accounts(
            &state.app,
            &user.actor,
            &bilan_app::accounts::AccountQuery {
                q: Some(search.clone()),
                limit: Some(20),
                ..Default::default()
            },
        )
        .await
        .map(|p| p.items.into_iter().map(|a| (a.id, a.name)).collect())
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    let status = if errors.general.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(&NewPage {
            l: Layout::for_user(user, "invoices"),
            v,
            terms_kind: terms.0,
            terms_days: terms.1,
            errors,
            account_name,
            found,
            search,
        }),
    )
        .into_response()
}

/// GET /invoices/new
pub async fn new_invoice(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(e) = user.actor.require(bilan_domain::roles::Permission::WriteInvoices) {
        return error_response(&user, &headers, &e);
    }
    let pairs: Vec<(String, String)> = query(raw.as_deref());
    let today = uc::today(&state.app).to_string();
    let v = NewInvoiceInput {
        account_id: field(&pairs, "account").map(str::to_owned),
        invoice: InvoiceInput {
            issued_on: Some(today),
            currency: Some("EUR".into()),
            ..Default::default()
        },
        sent_on: None,
    };
    let search = field(&pairs, "q").unwrap_or("").to_owned();
    new_page(
        &state,
        &user,
        v,
        ("days".into(), "30".into()),
        FormErrors::none(user.lang),
        search,
    )
    .await
}

/// POST /invoices
pub async fn create_invoice(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let get = |k: &str| field(&pairs, k).map(str::to_owned);
    let mut inv = InvoiceInput {
        number: get("number"),
        issued_on: get("issued_on"),
        delivered_on: get("delivered_on"),
        due_on: get("due_on"),
        amount_excl_tax: get("amount_excl_tax"),
        amount_incl_tax: get("amount_incl_tax"),
        currency: get("currency"),
        ..Default::default()
    };
    let terms = terms_from_form(&pairs, &mut inv);
    let input = NewInvoiceInput {
        account_id: get("account_id"),
        invoice: inv,
        sent_on: get("sent_on"),
    };
    match uc::create_invoice(&state.app, &user.actor, &input, "form").await {
        Ok(i) => see_other(&format!("/invoices/{}?done=created", i.id)),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            new_page(&state, &user, input, terms, errors, String::new()).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The invoice page.
#[derive(Template)]
#[template(path = "invoices/show.html")]
struct ShowPage {
    l: Layout,
    d: InvoiceDetail,
    today: NaiveDate,
    factors: Vec<Factor>,
    /// Which form failed (`payment`, `credit_note`, `factor`, `sent`), what it held and why.
    failed: Option<(&'static str, Vec<(String, String)>)>,
    errors: FormErrors,
}

impl ShowPage {
    fn m(&self, minor: impl std::borrow::Borrow<i64>) -> String {
        self.l.money(&Money {
            minor: *minor.borrow(),
            currency: self.d.invoice.amount_incl_tax.currency,
        })
    }

    fn owed(&self) -> String {
        self.l.money(&self.d.invoice.open())
    }

    fn is_factor(&self, f: &Factor) -> bool {
        self.d.invoice.factor_id == Some(f.id)
    }

    fn eur(&self, d: &rust_decimal::Decimal) -> String {
        Money::from_decimal(*d, Currency::EUR)
            .map(|m| self.l.money(&m))
            .unwrap_or_default()
    }

    fn terms(&self) -> String {
        use bilan_domain::invoices::terms::{Eom45Method, PaymentTerms};
        match self.d.invoice.terms {
            PaymentTerms::Days { days } => self.l.t("invoices.terms.days").replace("{n}", &days.to_string()),
            PaymentTerms::Eom45 {
                method: Eom45Method::ThenEndOfMonth,
            } => self.l.t("invoices.terms.eom45_then").to_owned(),
            PaymentTerms::Eom45 {
                method: Eom45Method::EndOfMonthThen,
            } => self.l.t("invoices.terms.eom45_first").to_owned(),
            PaymentTerms::DueOn { .. } => self.l.t("invoices.terms.due_on").to_owned(),
            PaymentTerms::NotAgreed => self.l.t("invoices.terms.not_agreed").to_owned(),
        }
    }

    fn typed(&self, form: &str, name: &str) -> String {
        match &self.failed {
            Some((f, pairs)) if *f == form => field(pairs, name).unwrap_or("").to_owned(),
            _ => String::new(),
        }
    }

    fn failed_is(&self, form: &str) -> bool {
        matches!(&self.failed, Some((f, _)) if *f == form)
    }

    fn channel(&self, c: &str) -> String {
        self.l.tk("invoices.channel.", c)
    }

    fn tone(&self, c: &str) -> String {
        self.l.tk("invoices.tone.", c)
    }
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    failed: Option<(&'static str, Vec<(String, String)>)>,
    errors: FormErrors,
    notice: Option<String>,
) -> Response {
    let d = match uc::invoice_detail(&state.app, &user.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_response(user, headers, &e),
    };
    let factors = uc::list_factors(&state.app, &user.actor).await.unwrap_or_default();
    let mut l = Layout::for_user(user, "invoices");
    l.notice = notice;
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(&ShowPage {
            l,
            d,
            today: uc::today(&state.app),
            factors,
            failed,
            errors,
        }),
    )
        .into_response()
}

/// GET /invoices/{id}
pub async fn show_invoice(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = super::accounts::notice(&user, raw.as_deref());
    show_page(&state, &user, &headers, id, None, FormErrors::none(user.lang), notice).await
}

/// A form on the invoice page: done → back to the page; refused → the page again with the form's errors.
async fn after_form<T>(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    form: &'static str,
    pairs: Vec<(String, String)>,
    result: Result<T, AppError>,
) -> Response {
    match result {
        Ok(_) => see_other(&format!("/invoices/{id}?done=saved#{form}")),
        Err(e @ (AppError::Validation(_) | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            show_page(state, user, headers, id, Some((form, pairs)), errors, None).await
        }
        Err(e) => error_response(user, headers, &e),
    }
}

/// GET /invoices/{id}/reminders/{reminder}/letter.pdf
pub async fn reminder_letter(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path((id, reminder)): Path<(Uuid, Uuid)>,
) -> Response {
    match uc::reminder_letter(&state.app, &user.actor, id, reminder).await {
        Ok((name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{}\"", crate::api::invoices::safe_file_name(&name)),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /invoices/{id}/payments
pub async fn record_payment(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = PaymentInput {
        paid_on: field(&pairs, "paid_on").map(str::to_owned),
        amount: field(&pairs, "amount").map(str::to_owned),
        reference: field(&pairs, "reference").map(str::to_owned),
    };
    let r = uc::record_payment(&state.app, &user.actor, id, &input).await;
    after_form(&state, &user, &headers, id, "payment", pairs, r).await
}

/// POST /invoices/{id}/credit-notes
pub async fn add_credit_note(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let get = |k: &str| field(&pairs, k).map(str::to_owned);
    let input = CreditNoteInput {
        number: get("number"),
        issued_on: get("issued_on"),
        amount_excl_tax: get("amount_excl_tax"),
        amount_incl_tax: get("amount_incl_tax"),
    };
    let r = uc::add_credit_note(&state.app, &user.actor, id, &input).await;
    after_form(&state, &user, &headers, id, "credit_note", pairs, r).await
}

/// POST /invoices/{id}/sent
pub async fn mark_sent(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let on = field(&pairs, "sent_on").map(str::to_owned);
    let r = uc::mark_sent(&state.app, &user.actor, id, on.as_deref()).await;
    after_form(&state, &user, &headers, id, "sent", pairs, r).await
}

/// POST /invoices/{id}/factor
pub async fn assign_factor(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let f = field(&pairs, "factor_id").map(str::to_owned);
    let on = field(&pairs, "factored_on").map(str::to_owned);
    let r = uc::assign_factor(&state.app, &user.actor, id, f.as_deref(), on.as_deref()).await;
    after_form(&state, &user, &headers, id, "factor", pairs, r).await
}

/// The figures page.
#[derive(Template)]
#[template(path = "invoices/figures.html")]
struct FiguresPage {
    l: Layout,
    by: String,
    f: std::sync::Arc<fig::InvoiceFigures>,
    chart: String,
    errors: FormErrors,
}

impl FiguresPage {
    fn m(&self, line: &fig::Line, minor: impl std::borrow::Borrow<i64>) -> String {
        self.l.money(&line.money(*minor.borrow()))
    }

    fn name(&self, line: &fig::Line) -> String {
        match self.by.as_str() {
            "segment" if line.key.is_empty() => self.l.t("invoices.no_segment").to_owned(),
            "segment" => self.l.tk("size.", &line.key),
            "owner" if line.name.is_empty() => self.l.t("invoices.no_owner").to_owned(),
            _ => line.name.clone(),
        }
    }

    fn link(&self, line: &fig::Line) -> String {
        match self.by.as_str() {
            "account" => format!("/accounts/{}", line.key),
            "owner" if !line.key.is_empty() => format!("/invoices?owner={}&status=open", line.key),
            "segment" if !line.key.is_empty() => format!("/invoices?segment={}&status=open", line.key),
            _ => "/invoices?status=open".to_owned(),
        }
    }

    fn opt_days(&self, d: &Option<rust_decimal::Decimal>) -> String {
        d.map(|d| {
            self.l
                .t("invoices.n_days")
                .replace("{n}", &bilan_i18n::format::decimal(self.l.tr.0, d, 1))
        })
        .unwrap_or_else(|| "—".into())
    }
}

/// GET /invoices/figures
pub async fn figures(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> = query(raw.as_deref());
    let by = field(&pairs, "by").unwrap_or("owner").to_owned();
    let (grouping, errors) = match fig::parse_grouping(Some(&by)) {
        Some(g) => (g, FormErrors::none(user.lang)),
        None => (
            uc::Grouping::Owner,
            FormErrors::from_error(user.lang, &AppError::field("by", "grouping.invalid")),
        ),
    };
    let f = match fig::invoice_figures(&state.app, &user.actor, grouping, &Default::default()).await {
        Ok(f) => f,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let l = Layout::for_user(&user, "invoices");
    let page = FiguresPage {
        by: if errors.general.is_some() { "owner".into() } else { by },
        chart: String::new(),
        f,
        errors,
        l,
    };
    let labelled: Vec<(String, &fig::Line)> = page.f.lines.iter().take(15).map(|x| (page.name(x), x)).collect();
    let chart = aging_chart(&page.l, page.l.t("invoices.aging"), &labelled);
    let status = if page.errors.general.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(&FiguresPage { chart, ..page })).into_response()
}

/// GET /invoices/figures.csv
pub async fn figures_csv(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> = query(raw.as_deref());
    let Some(grouping) = fig::parse_grouping(field(&pairs, "by")) else {
        return error_response(&user, &headers, &AppError::field("by", "grouping.invalid"));
    };
    match fig::export_csv(&state.app, &user.actor, grouping).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"invoice-figures.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The settings page: rates, plans, factors.
#[derive(Template)]
#[template(path = "invoices/settings.html")]
struct SettingsPage {
    l: Layout,
    rates: rates::RateSettings,
    plans: Vec<plans::SegmentPlan>,
    factors: Vec<Factor>,
    /// Which form failed (`rate`, `contractual`, `plan-<segment>`, `factor`) and what it held.
    failed: super::Refilled,
    errors: FormErrors,
    run: Option<bilan_app::invoices::dunning::ReminderReport>,
    channels: Vec<&'static str>,
    tones: Vec<&'static str>,
}

impl SettingsPage {
    fn typed_or(&self, form: &str, name: &str, default: &str) -> String {
        self.failed.typed_or(form, name, default)
    }

    fn failed_is(&self, form: &str) -> bool {
        self.failed.is(form)
    }

    /// The rows of a plan's form: its steps (or what was typed) and two blank rows.
    fn plan_rows(&self, p: &plans::SegmentPlan) -> Vec<(usize, String, String, String)> {
        let form = format!("plan-{}", p.segment);
        let typed = (
            self.failed.all(&form, "days_after_due"),
            self.failed.all(&form, "channel"),
            self.failed.all(&form, "tone"),
        );
        let mut rows: Vec<(usize, String, String, String)> = match typed {
            (Some(d), Some(c), Some(t)) => (0..d.len())
                .map(|i| {
                    (
                        i,
                        d[i].clone(),
                        c.get(i).cloned().unwrap_or_default(),
                        t.get(i).cloned().unwrap_or_default(),
                    )
                })
                .collect(),
            _ => p
                .plan
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    (
                        i,
                        s.days_after_due.to_string(),
                        s.channel.code().to_owned(),
                        s.tone.code().to_owned(),
                    )
                })
                .collect(),
        };
        let n = rows.len();
        if !self.failed_is(&form) {
            rows.push((n, String::new(), "email".into(), String::new()));
            rows.push((n + 1, String::new(), "email".into(), String::new()));
        }
        rows
    }

    fn plan_error(&self, p: &plans::SegmentPlan, i: usize) -> String {
        if !self.failed_is(&format!("plan-{}", p.segment)) {
            return String::new();
        }
        ["days_after_due", "channel", "tone"]
            .iter()
            .map(|f| self.errors.of(&format!("steps[{i}].{f}")))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn segment_name(&self, s: &str) -> String {
        if s == "default" {
            self.l.t("invoices.segment.default").to_owned()
        } else {
            self.l.tk("size.", s)
        }
    }
}

async fn settings_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    failed: super::Refilled,
    errors: FormErrors,
    notice: Option<String>,
    run: Option<bilan_app::invoices::dunning::ReminderReport>,
) -> Response {
    let (r, p, f) = (
        rates::rate_settings(&state.app, &user.actor).await,
        plans::list_plans(&state.app, &user.actor).await,
        uc::list_factors(&state.app, &user.actor).await,
    );
    let (rates, plans, factors) = match (r, p, f) {
        (Ok(r), Ok(p), Ok(f)) => (r, p, f),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_response(user, headers, &e),
    };
    let mut l = Layout::for_user(user, "invoices");
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
            rates,
            plans,
            factors,
            failed,
            errors,
            run,
            channels: Channel::ALL.iter().map(|c| c.code()).collect(),
            tones: Tone::ALL.iter().map(|t| t.code()).collect(),
        }),
    )
        .into_response()
}

/// GET /invoices/settings
pub async fn show_settings(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = super::accounts::notice(&user, raw.as_deref());
    settings_page(
        &state,
        &user,
        &headers,
        super::Refilled::none(),
        FormErrors::none(user.lang),
        notice,
        None,
    )
    .await
}

async fn after_settings<T>(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    form: String,
    pairs: Vec<(String, String)>,
    result: Result<T, AppError>,
) -> Response {
    match result {
        Ok(_) => see_other(&format!("/invoices/settings?done=saved#{form}")),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            settings_page(
                state,
                user,
                headers,
                super::Refilled::of(form, pairs),
                errors,
                None,
                None,
            )
            .await
        }
        Err(e) => error_response(user, headers, &e),
    }
}

/// POST /invoices/settings/rates
pub async fn save_rate(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let year = field(&pairs, "year")
        .and_then(|y| y.trim().parse::<i32>().ok())
        .unwrap_or(0);
    let half = field(&pairs, "half")
        .and_then(|y| y.trim().parse::<u8>().ok())
        .unwrap_or(0);
    let rate = field(&pairs, "rate").unwrap_or("").to_owned();
    let r = rates::set_reference_rate(&state.app, &user.actor, year, half, &rate).await;
    after_settings(&state, &user, &headers, "rate".into(), pairs, r).await
}

/// POST /invoices/settings/contractual
pub async fn save_contractual(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let rate = field(&pairs, "contractual_rate").map(str::to_owned);
    let r = rates::set_contractual_rate(&state.app, &user.actor, rate.as_deref()).await;
    after_settings(&state, &user, &headers, "contractual".into(), pairs, r).await
}

/// POST /invoices/settings/plans/{segment}
pub async fn save_plan(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(segment): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let all = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let (d, c, t) = (all("days_after_due"), all("channel"), all("tone"));
    let input = PlanInput {
        steps: (0..d.len())
            .map(|i| StepInput {
                days_after_due: d.get(i).cloned(),
                channel: c.get(i).cloned(),
                tone: t.get(i).cloned(),
            })
            .collect(),
        owner_notice_days: field(&pairs, "owner_notice_days").map(str::to_owned),
        add_late_charges: Some(field(&pairs, "add_late_charges").is_some().to_string()),
    };
    let r = plans::save_plan(&state.app, &user.actor, &segment, &input).await;
    after_settings(&state, &user, &headers, format!("plan-{segment}"), pairs, r).await
}

/// POST /invoices/settings/plans/{segment}/reset
pub async fn reset_plan(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(segment): Path<String>,
) -> Response {
    let r = plans::reset_plan(&state.app, &user.actor, &segment).await;
    after_settings(&state, &user, &headers, format!("plan-{segment}"), Vec::new(), r).await
}

/// POST /invoices/settings/factors
pub async fn create_factor(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let get = |k: &str| field(&pairs, k).map(str::to_owned);
    let input = FactorInput {
        name: get("name"),
        email: get("email"),
        phone: get("phone"),
        details: get("details"),
    };
    let r = uc::create_factor(&state.app, &user.actor, &input).await;
    after_settings(&state, &user, &headers, "factor".into(), pairs, r).await
}

/// POST /invoices/reminders/run — today's reminders now.
pub async fn run_reminders(State(state): State<AppState>, user: PageUser, headers: HeaderMap) -> Response {
    if let Err(e) = user.actor.require(bilan_domain::roles::Permission::ConfigureInvoices) {
        return error_response(&user, &headers, &e);
    }
    match uc::dunning::run_reminders(&state.app, user.actor.workspace_id).await {
        Ok(r) => {
            settings_page(
                &state,
                &user,
                &headers,
                super::Refilled::none(),
                FormErrors::none(user.lang),
                None,
                Some(r),
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The imports page: an accounting export, or one electronic invoice.
#[derive(Template)]
#[template(path = "invoices/import.html")]
struct ImportPage {
    l: Layout,
    error: Option<String>,
    done: Option<imp::EinvoiceReport>,
}

/// GET /invoices/import
pub async fn show_import(user: PageUser, headers: HeaderMap) -> Response {
    if let Err(e) = user.actor.require(bilan_domain::roles::Permission::WriteInvoices) {
        return error_response(&user, &headers, &e);
    }
    render(&ImportPage {
        l: Layout::for_user(&user, "invoices"),
        error: None,
        done: None,
    })
}

/// POST /invoices/import/einvoice — one Factur-X PDF, CII or UBL file.
pub async fn import_einvoice(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let mut content: Vec<u8> = Vec::new();
    while let Ok(Some(f)) = multipart.next_field().await {
        if f.name() == Some("file") {
            content = f.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        }
    }
    let result = if content.is_empty() {
        Err(AppError::field("file", "import.empty"))
    } else {
        imp::import_einvoice(&state.app, &user.actor, &content, None).await
    };
    match result {
        Ok(r) => render(&ImportPage {
            l: Layout::for_user(&user, "invoices"),
            error: None,
            done: Some(r),
        }),
        Err(e @ AppError::Validation(_)) => {
            let message = match &e {
                AppError::Validation(v) => {
                    v.0.iter()
                        .map(|f| bilan_i18n::Tr(user.lang).error(&f.code).to_owned())
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                _ => String::new(),
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&ImportPage {
                    l: Layout::for_user(&user, "invoices"),
                    error: Some(message),
                    done: None,
                }),
            )
                .into_response()
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The account page's invoices section.
#[derive(Template)]
#[template(path = "invoices/_account.html")]
struct AccountSection {
    l: Layout,
    account: Uuid,
    invoices: Vec<ListedInvoice>,
    payments: Vec<Payment>,
    line: Option<fig::Line>,
    links: Vec<PortalLink>,
    new_link: Option<String>,
    error: Option<String>,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
}

impl AccountSection {
    fn status(&self, i: &Invoice) -> &'static str {
        i.status(self.today).code()
    }

    fn pay(&self, p: &Payment) -> String {
        self.l.money(&Money {
            minor: p.amount_minor,
            currency: Currency::parse(&p.currency).unwrap_or(Currency::EUR),
        })
    }

    fn m(&self, line: &fig::Line, minor: impl std::borrow::Borrow<i64>) -> String {
        self.l.money(&line.money(*minor.borrow()))
    }

    fn owed(&self, i: &Invoice) -> String {
        self.l.money(&i.open())
    }

    fn live(&self, link: &PortalLink) -> bool {
        portal::is_live(link, self.now)
    }
}

async fn account_section_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    new_link: Option<String>,
    error: Option<String>,
) -> Response {
    let (invoices, payments) = match uc::account_invoices(&state.app, &user.actor, id).await {
        Ok(x) => x,
        Err(e) => return error_response(user, headers, &e),
    };
    let filter = InvoiceQuery {
        account: Some(id.to_string()),
        ..Default::default()
    }
    .parse(uc::today(&state.app))
    .map(|(f, _, _)| f)
    .unwrap_or_default();
    let line = fig::invoice_figures(&state.app, &user.actor, uc::Grouping::Workspace, &filter)
        .await
        .ok()
        .and_then(|f| f.total.first().cloned());
    let links = portal::links(&state.app, &user.actor, id).await.unwrap_or_default();
    render(&AccountSection {
        l: Layout::for_user(user, "accounts"),
        account: id,
        invoices,
        payments,
        line,
        links,
        new_link,
        error,
        today: uc::today(&state.app),
        now: state.app.now(),
    })
}

/// GET /accounts/{id}/invoices
pub async fn account_section(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    account_section_page(&state, &user, &headers, id, None, None).await
}

/// POST /accounts/{id}/portal-links — answers the section with the new link shown once.
pub async fn create_portal_link(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    match portal::create_link(
        &state.app,
        &user.actor,
        id,
        field(&pairs, "lang"),
        field(&pairs, "days"),
    )
    .await
    {
        Ok(l) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let scheme = if state.config.secure_cookies { "https" } else { "http" };
            let url = format!("{scheme}://{host}{}", l.path);
            if crate::session::is_htmx(&headers) {
                account_section_page(&state, &user, &headers, id, Some(url), None).await
            } else {
                // Without scripts: a page of its own shows the link (it is shown only once).
                render(&PortalLinkPage {
                    l: Layout::for_user(&user, "accounts"),
                    url,
                    account: id,
                })
            }
        }
        Err(e @ AppError::Validation(_)) => {
            let msg = crate::error::message(user.lang, &e);
            let detail = FormErrors::from_error(user.lang, &e);
            let text = format!("{msg} {}{}", detail.of("days"), detail.of("lang"));
            account_section_page(&state, &user, &headers, id, None, Some(text)).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The new link, shown once, when the form was sent without scripts.
#[derive(Template)]
#[template(path = "invoices/portal_link.html")]
struct PortalLinkPage {
    l: Layout,
    url: String,
    account: Uuid,
}

/// POST /portal-links/{id}/revoke
pub async fn revoke_portal_link(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let account = field(&pairs, "account").and_then(|a| Uuid::parse_str(a).ok());
    match portal::revoke_link(&state.app, &user.actor, id).await {
        Ok(()) => match account {
            Some(a) => see_other(&format!("/accounts/{a}?done=saved#invoices")),
            None => see_other("/invoices?done=saved"),
        },
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /payments — one payment spread over an account's invoices (from the account page).
pub async fn record_account_payment(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = AccountPaymentInput {
        account_id: field(&pairs, "account_id").map(str::to_owned),
        payment: PaymentInput {
            paid_on: field(&pairs, "paid_on").map(str::to_owned),
            amount: field(&pairs, "amount").map(str::to_owned),
            reference: field(&pairs, "reference").map(str::to_owned),
        },
        invoice_ids: pairs
            .iter()
            .filter(|(k, _)| k == "invoice_ids")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let account = field(&pairs, "account_id").and_then(|a| Uuid::parse_str(a).ok());
    match uc::record_account_payment(&state.app, &user.actor, &input).await {
        Ok(_) => match account {
            Some(a) => see_other(&format!("/accounts/{a}?done=saved#invoices")),
            None => see_other("/invoices?done=saved"),
        },
        Err(e @ AppError::Validation(_)) => match account {
            Some(a) => {
                let f = FormErrors::from_error(user.lang, &e);
                let text = format!(
                    "{} {}{}{}",
                    crate::error::message(user.lang, &e),
                    f.of("amount"),
                    f.of("paid_on"),
                    f.of("reference")
                );
                let mut res = account_section_page(&state, &user, &headers, a, None, Some(text)).await;
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                res
            }
            None => error_response(&user, &headers, &e),
        },
        Err(e) => error_response(&user, &headers, &e),
    }
}
