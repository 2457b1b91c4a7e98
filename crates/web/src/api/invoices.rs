//! `/api/v1/invoices` and around: invoices, payments, credit notes, factors, the
//! late-payment rates, reminder plans, the aging and payment figures, imports of
//! accounting exports and electronic invoices, and the clients' portal links.

use super::bodies::{
    AccountPaymentCreate, CreditNoteCreate, FactorAssignment, FactorCreate, InvoiceCreate, InvoiceSettingsBody,
    PaymentCreate, PlanBody, PortalLinkCreate, RateBody, SentBody,
};
use super::imports::{answer, options};
use super::problem::{parse_json, ApiResult, Problem};
use super::{parse_id, ApiQuery};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::invoices::{self as uc, figures as fig, import as imp, plans, portal, rates, InvoiceQuery};
use bilan_domain::invoices::invoice::Invoice;
use bilan_domain::invoices::terms::PaymentTerms;
use bilan_domain::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn dec(m: Money) -> String {
    m.to_decimal().to_string()
}

/// Payment terms as agreed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermsResponse {
    /// days, eom45, due_on or not_agreed.
    pub kind: String,
    /// For days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// For eom45: then_end_of_month or end_of_month_then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

fn terms(t: PaymentTerms) -> TermsResponse {
    match t {
        PaymentTerms::Days { days } => TermsResponse {
            kind: "days".into(),
            days: Some(days),
            method: None,
        },
        PaymentTerms::Eom45 { method } => TermsResponse {
            kind: "eom45".into(),
            days: None,
            method: Some(method.code().into()),
        },
        PaymentTerms::DueOn { .. } => TermsResponse {
            kind: "due_on".into(),
            days: None,
            method: None,
        },
        PaymentTerms::NotAgreed => TermsResponse {
            kind: "not_agreed".into(),
            days: None,
            method: None,
        },
    }
}

/// What an invoice owes for paying late (Code de commerce L441-10).
#[derive(Debug, Serialize, ToSchema)]
pub struct LatePaymentResponse {
    /// Days late: to the day it was paid in full, or to today.
    pub days_late: i64,
    /// Interest at the legal (or contractual) rate, decimal string in the invoice's
    /// currency; null until the reference rate of a half-year it spans is entered.
    pub interest: Option<String>,
    /// The fixed recovery indemnity: "40.00" (euros) once late, "0" otherwise.
    pub indemnity: String,
    /// The half-year (`2026-2`) whose reference rate is missing, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_rate: Option<String>,
}

/// A payment as one invoice sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoicePaymentResponse {
    /// The payment.
    pub payment_id: String,
    /// Day received.
    pub paid_on: String,
    /// Its part on this invoice (decimal).
    pub amount: String,
    /// The whole payment (decimal).
    pub payment_amount: String,
    /// Reference.
    pub reference: Option<String>,
}

/// A credit note.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteResponse {
    /// Identifier.
    pub id: String,
    /// Number.
    pub number: String,
    /// Issue date.
    pub issued_on: String,
    /// Excluding VAT.
    pub amount_excl_tax: String,
    /// Including VAT.
    pub amount_incl_tax: String,
}

/// A reminder sent (or a notice to the account's owner).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderResponse {
    /// Identifier (a letter's PDF is at `…/reminders/{id}/letter`).
    pub id: String,
    /// The plan's step.
    pub step: i64,
    /// reminder or owner_notice.
    pub kind: String,
    /// email, letter or phone_task.
    pub channel: String,
    /// helping, reminder, firm or final.
    pub tone: String,
    /// Day sent.
    pub sent_on: String,
    /// The exchange it left on the timeline.
    pub interaction_id: Option<String>,
    /// Whether it carried the late-payment interest and indemnity.
    pub with_late_charges: bool,
}

/// What the reminder plan does next.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextReminderResponse {
    /// The plan's step, if one is left.
    pub step: Option<usize>,
    /// Its channel.
    pub channel: Option<String>,
    /// Its tone.
    pub tone: Option<String>,
    /// The day it may go out.
    pub on: Option<String>,
    /// disputed (an open complaint holds it) or factored (the factor reminds).
    pub held: Option<String>,
    /// Nothing more: settled, or every step sent.
    pub done: bool,
}

/// An invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceResponse {
    /// Identifier (UUIDv7).
    pub id: String,
    /// The client company.
    pub account_id: String,
    /// Its name (lists and details).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// Number.
    pub number: String,
    /// Issue date.
    pub issued_on: String,
    /// Delivery date.
    pub delivered_on: Option<String>,
    /// Terms as agreed.
    pub terms: TermsResponse,
    /// Due date, from the terms.
    pub due_on: String,
    /// Whether the terms go beyond the legal maximum (60 days, or 45 days end of month).
    pub terms_beyond_legal_max: bool,
    /// Excluding VAT (decimal).
    pub amount_excl_tax: String,
    /// Including VAT (decimal).
    pub amount_incl_tax: String,
    /// ISO 4217.
    pub currency: String,
    /// Received so far (decimal).
    pub paid: String,
    /// Cancelled by credit notes (decimal).
    pub credited: String,
    /// Still owed (decimal).
    pub open: String,
    /// open, partly_paid, overdue, paid or credited.
    pub status: String,
    /// Paid in full or credited on.
    pub settled_on: Option<String>,
    /// Sent to the client on.
    pub sent_on: Option<String>,
    /// The factor it was assigned to.
    pub factor_id: Option<String>,
    /// Since when.
    pub factored_on: Option<String>,
    /// form, api, csv, facturx, ubl, cii or demo.
    pub source: String,
    /// Late-payment interest and indemnity (details only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_payment: Option<LatePaymentResponse>,
    /// Payments (details only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<Vec<InvoicePaymentResponse>>,
    /// Credit notes (details only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_notes: Option<Vec<CreditNoteResponse>>,
    /// Reminders sent (details only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminders: Option<Vec<ReminderResponse>>,
    /// Open complaints about it, which hold its reminders (details only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_complaints: Option<Vec<String>>,
    /// What the reminder plan does next (details only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_reminder: Option<NextReminderResponse>,
    /// Version.
    pub version: i64,
    /// Created (UTC).
    pub created_at: String,
    /// Last change (UTC).
    pub updated_at: String,
}

impl InvoiceResponse {
    fn of(i: Invoice, account_name: Option<String>, today: chrono::NaiveDate) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        let cur = i.amount_incl_tax.currency;
        let m = |minor| Money { minor, currency: cur };
        InvoiceResponse {
            id: i.id.to_string(),
            account_id: i.account_id.to_string(),
            account_name,
            number: i.number.clone(),
            issued_on: i.issued_on.to_string(),
            delivered_on: d(i.delivered_on),
            terms: terms(i.terms),
            due_on: i.due_on.to_string(),
            terms_beyond_legal_max: i.terms_beyond_legal_max,
            amount_excl_tax: dec(i.amount_excl_tax),
            amount_incl_tax: dec(i.amount_incl_tax),
            currency: cur.as_str().to_owned(),
            paid: dec(m(i.paid_minor)),
            credited: dec(m(i.credited_minor)),
            open: dec(i.open()),
            status: serde_json::to_value(i.status(today))
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            settled_on: d(i.settled_on),
            sent_on: d(i.sent_on),
            factor_id: i.factor_id.map(|f| f.to_string()),
            factored_on: d(i.factored_on),
            source: i.source.clone(),
            late_payment: None,
            payments: None,
            credit_notes: None,
            reminders: None,
            open_complaints: None,
            next_reminder: None,
            version: i.version,
            created_at: i.created_at.to_rfc3339(),
            updated_at: i.updated_at.to_rfc3339(),
        }
    }

    fn detail(d: uc::InvoiceDetail, today: chrono::NaiveDate) -> Self {
        let cur = d.invoice.amount_incl_tax.currency;
        let m = |minor| dec(Money { minor, currency: cur });
        let mut r = InvoiceResponse::of(d.invoice, Some(d.account_name), today);
        r.late_payment = Some(match d.late.amounts {
            Some(l) => LatePaymentResponse {
                days_late: l.days_late,
                interest: Some(l.interest.to_string()),
                indemnity: l.indemnity.to_string(),
                missing_rate: None,
            },
            None => LatePaymentResponse {
                days_late: (today - chrono::NaiveDate::parse_from_str(&r.due_on, "%Y-%m-%d").unwrap_or(today))
                    .num_days()
                    .max(0),
                interest: None,
                indemnity: "0".into(),
                missing_rate: d.late.missing_rate,
            },
        });
        r.payments = Some(
            d.payments
                .into_iter()
                .map(|p| InvoicePaymentResponse {
                    payment_id: p.payment_id.to_string(),
                    paid_on: p.paid_on.to_string(),
                    amount: m(p.amount_minor),
                    payment_amount: m(p.payment_minor),
                    reference: p.reference,
                })
                .collect(),
        );
        r.credit_notes = Some(
            d.credit_notes
                .into_iter()
                .map(|c| CreditNoteResponse {
                    id: c.id.to_string(),
                    number: c.number,
                    issued_on: c.issued_on.to_string(),
                    amount_excl_tax: m(c.amount_excl_minor),
                    amount_incl_tax: m(c.amount_incl_minor),
                })
                .collect(),
        );
        r.reminders = Some(
            d.reminders
                .into_iter()
                .map(|x| ReminderResponse {
                    id: x.id.to_string(),
                    step: x.step_index,
                    kind: x.kind,
                    channel: x.channel,
                    tone: x.tone,
                    sent_on: x.sent_on.to_string(),
                    interaction_id: x.interaction_id.map(|i| i.to_string()),
                    with_late_charges: x.with_late_charges,
                })
                .collect(),
        );
        r.open_complaints = Some(d.open_complaints.iter().map(|c| c.to_string()).collect());
        let n = d.next_reminder;
        r.next_reminder = Some(NextReminderResponse {
            step: n.step,
            channel: n.planned.map(|s| s.channel.code().to_owned()),
            tone: n.planned.map(|s| s.tone.code().to_owned()),
            on: n.on.map(|d| d.to_string()),
            held: n.held.map(|h| {
                serde_json::to_value(h)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            done: n.done,
        });
        r
    }
}

fn with_etag(status: StatusCode, body: InvoiceResponse) -> Response {
    let etag = format!("\"{}\"", body.version);
    (status, [(header::ETAG, etag)], Json(body)).into_response()
}

/// A page of invoices.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceList {
    /// The invoices: still owing ones by due date for `status=open|overdue`, otherwise the newest first.
    pub items: Vec<InvoiceResponse>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Lists invoices.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoices",
    params(
        ("q" = Option<String>, Query, description = "An invoice number, or words of its account's name"),
        ("status" = Option<String>, Query, description = "all (default, newest first), open, overdue (oldest due first) or paid"),
        ("account" = Option<String>, Query, description = "Account id"),
        ("owner" = Option<String>, Query, description = "The accounts' owner (user id)"),
        ("segment" = Option<String>, Query, description = "The accounts' size: micro, small, intermediate or large"),
        ("from" = Option<String>, Query, description = "Issued on or after (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Issued on or before (YYYY-MM-DD)"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)"),
    ),
    responses((status = 200, body = InvoiceList), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn list_invoices(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<InvoiceQuery>,
) -> ApiResult<Json<InvoiceList>> {
    let page = uc::list_invoices(&state.app, &actor, &q).await?;
    let today = uc::today(&state.app);
    Ok(Json(InvoiceList {
        items: page
            .items
            .into_iter()
            .map(|x| InvoiceResponse::of(x.invoice, Some(x.account_name), today))
            .collect(),
        next_cursor: uc::encode_cursor(page.next),
    }))
}

/// Enters an invoice: its due date comes from its terms (at most 60 days from the
/// invoice date, or 45 days end of month counted either way; 30 days after
/// delivery when nothing is agreed); terms beyond the legal maximum are flagged.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "invoices", request_body = InvoiceCreate,
    responses((status = 201, body = InvoiceResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn create_invoice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Response> {
    let input = parse_json::<InvoiceCreate>(&body)?.into_input()?;
    let inv = uc::create_invoice(&state.app, &actor, &input, "api").await?;
    let location = format!("/api/v1/invoices/{}", inv.id);
    let mut res = with_etag(
        StatusCode::CREATED,
        InvoiceResponse::of(inv, None, uc::today(&state.app)),
    );
    if let Ok(v) = location.parse() {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// An invoice with its payments, credit notes, reminders, late-payment interest
/// and indemnity, and what the reminder plan does next.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices", params(("id" = String, Path, description = "Invoice id")),
    responses((status = 200, body = InvoiceResponse), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn find_invoice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d = uc::invoice_detail(&state.app, &actor, parse_id(&id)?).await?;
    Ok(with_etag(
        StatusCode::OK,
        InvoiceResponse::detail(d, uc::today(&state.app)),
    ))
}

/// A file name safe in a Content-Disposition header.
pub fn safe_file_name(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A letter reminder as a PDF to print (letters only: e-mails and calls have none).
#[utoipa::path(get, path = "/api/v1/invoices/{id}/reminders/{reminder}/letter", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id"), ("reminder" = String, Path, description = "Reminder id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn reminder_letter(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, reminder)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (name, bytes) = uc::reminder_letter(&state.app, &actor, parse_id(&id)?, parse_id(&reminder)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", safe_file_name(&name)),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// What a payment came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentResponse {
    /// The payment.
    pub payment_id: String,
    /// Its part on each invoice.
    pub allocations: Vec<AllocationResponse>,
    /// What no invoice took (decimal).
    pub unallocated: String,
    /// Invoices it paid in full.
    pub settled: Vec<String>,
}

/// A payment's part on one invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationResponse {
    /// The invoice.
    pub invoice_id: String,
    /// The part (decimal).
    pub amount: String,
}

fn payment_response(r: uc::PaymentRecorded, currency: bilan_domain::money::Currency) -> PaymentResponse {
    let m = |minor| dec(Money { minor, currency });
    PaymentResponse {
        payment_id: r.payment_id.to_string(),
        allocations: r
            .allocations
            .iter()
            .map(|(i, a)| AllocationResponse {
                invoice_id: i.to_string(),
                amount: m(*a),
            })
            .collect(),
        unallocated: m(r.unallocated_minor),
        settled: r.settled.iter().map(|i| i.to_string()).collect(),
    }
}

/// Records a payment of an invoice (partial or full; never more than it owes). Paying
/// it in full raises `invoice_paid`.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/payments", tag = "invoices", params(("id" = String, Path, description = "Invoice id")),
    request_body = PaymentCreate,
    responses((status = 201, body = PaymentResponse), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn create_payment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let input = parse_json::<PaymentCreate>(&body)?.into_input();
    let inv = uc::find_invoice(&state.app, &actor, id).await?;
    let r = uc::record_payment(&state.app, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(payment_response(r, inv.amount_incl_tax.currency)),
    )
        .into_response())
}

/// Records one payment from an account spread over several invoices (the oldest due
/// first when none are named); what no invoice takes stays unallocated.
#[utoipa::path(post, path = "/api/v1/payments", tag = "invoices", request_body = AccountPaymentCreate,
    responses((status = 201, body = PaymentResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn create_account_payment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Response> {
    let b = parse_json::<AccountPaymentCreate>(&body)?;
    let input = uc::AccountPaymentInput {
        account_id: Some(b.account_id.to_string()),
        payment: bilan_domain::invoices::payment::PaymentInput {
            paid_on: Some(b.paid_on.to_string()),
            amount: Some(super::bodies::AsText::as_text(&b.amount)),
            reference: b.reference,
        },
        invoice_ids: b
            .invoice_ids
            .unwrap_or_default()
            .iter()
            .map(|i| i.to_string())
            .collect(),
    };
    let r = uc::record_account_payment(&state.app, &actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(payment_response(r, bilan_domain::money::Currency::EUR)),
    )
        .into_response())
}

/// Adds a credit note to an invoice (at most what it still owes); covering it all
/// cancels the invoice and stops its reminders.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/credit-notes", tag = "invoices", params(("id" = String, Path, description = "Invoice id")),
    request_body = CreditNoteCreate,
    responses((status = 201, body = InvoiceResponse), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn create_credit_note(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let b = parse_json::<CreditNoteCreate>(&body)?;
    use super::bodies::AsText;
    let input = bilan_domain::invoices::payment::CreditNoteInput {
        number: Some(b.number),
        issued_on: Some(b.issued_on.as_text()),
        amount_excl_tax: Some(b.amount_excl_tax.as_text()),
        amount_incl_tax: Some(b.amount_incl_tax.as_text()),
    };
    let inv = uc::add_credit_note(&state.app, &actor, id, &input).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        InvoiceResponse::of(inv, None, uc::today(&state.app)),
    ))
}

/// Marks an invoice as sent (raises `invoice_sent`, which survey rules may follow).
#[utoipa::path(post, path = "/api/v1/invoices/{id}/sent", tag = "invoices", params(("id" = String, Path, description = "Invoice id")),
    request_body = SentBody,
    responses((status = 200, body = InvoiceResponse), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn mark_sent(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let b = parse_json::<SentBody>(&body)?;
    let on = b.sent_on.map(|d| d.to_string());
    let inv = uc::mark_sent(&state.app, &actor, id, on.as_deref()).await?;
    Ok(with_etag(
        StatusCode::OK,
        InvoiceResponse::of(inv, None, uc::today(&state.app)),
    ))
}

/// Assigns an invoice to a factor (its reminders stop: the factor reminds), or
/// takes it back with `factor_id: null`.
#[utoipa::path(put, path = "/api/v1/invoices/{id}/factor", tag = "invoices", params(("id" = String, Path, description = "Invoice id")),
    request_body = FactorAssignment,
    responses((status = 200, body = InvoiceResponse), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn assign_factor(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let b = parse_json::<FactorAssignment>(&body)?;
    let f = b.factor_id.map(|f| f.to_string());
    let on = b.factored_on.map(|d| d.to_string());
    let inv = uc::assign_factor(&state.app, &actor, id, f.as_deref(), on.as_deref()).await?;
    Ok(with_etag(
        StatusCode::OK,
        InvoiceResponse::of(inv, None, uc::today(&state.app)),
    ))
}

/// A factor.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactorResponse {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Where the client pays now.
    pub details: Option<String>,
}

impl From<uc::Factor> for FactorResponse {
    fn from(f: uc::Factor) -> Self {
        FactorResponse {
            id: f.id.to_string(),
            name: f.name,
            email: f.email,
            phone: f.phone,
            details: f.details,
        }
    }
}

/// The workspace's factors.
#[utoipa::path(get, path = "/api/v1/factors", tag = "invoices",
    responses((status = 200, body = [FactorResponse])),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn list_factors(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<FactorResponse>>> {
    Ok(Json(
        uc::list_factors(&state.app, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Adds a factor.
#[utoipa::path(post, path = "/api/v1/factors", tag = "invoices", request_body = FactorCreate,
    responses((status = 201, body = FactorResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_invoices"))))]
pub async fn create_factor(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Response> {
    let b = parse_json::<FactorCreate>(&body)?;
    let f = uc::create_factor(
        &state.app,
        &actor,
        &uc::FactorInput {
            name: Some(b.name),
            email: b.email,
            phone: b.phone,
            details: b.details,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(FactorResponse::from(f))).into_response())
}

/// One half-year's reference rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceRateResponse {
    /// Year.
    pub year: i32,
    /// 1 (January–June) or 2 (July–December).
    pub half: u8,
    /// The ECB rate in percent (decimal string).
    pub rate: String,
    /// The late-payment annual rate: rate + 10 points.
    pub annual_rate: String,
}

impl From<rates::ReferenceRate> for ReferenceRateResponse {
    fn from(r: rates::ReferenceRate) -> Self {
        ReferenceRateResponse {
            year: r.year,
            half: r.half,
            rate: r.rate.to_string(),
            annual_rate: r.annual.to_string(),
        }
    }
}

/// The workspace's late-payment rates.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatesResponse {
    /// Reference rates, newest first.
    pub reference_rates: Vec<ReferenceRateResponse>,
    /// The contractual rate, when set (it replaces ECB + 10 points).
    pub contractual_rate: Option<String>,
}

impl From<rates::RateSettings> for RatesResponse {
    fn from(s: rates::RateSettings) -> Self {
        RatesResponse {
            reference_rates: s.reference.into_iter().map(Into::into).collect(),
            contractual_rate: s.contractual_rate.map(|r| r.to_string()),
        }
    }
}

/// The reference rates and the contractual rate.
#[utoipa::path(get, path = "/api/v1/reference-rates", tag = "invoices",
    responses((status = 200, body = RatesResponse)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn list_rates(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<RatesResponse>> {
    Ok(Json(rates::rate_settings(&state.app, &actor).await?.into()))
}

/// Path of a half-year.
#[derive(Debug, Deserialize)]
pub struct HalfPath {
    year: String,
    half: String,
}

/// Sets the ECB reference rate of a half-year (the rate in force on 1 January for
/// January–June, on 1 July for July–December); interest runs at it + 10 points.
#[utoipa::path(put, path = "/api/v1/reference-rates/{year}/{half}", tag = "invoices",
    params(("year" = i32, Path, description = "Year, 2000 to 2100"), ("half" = i32, Path, description = "1 or 2")),
    request_body = RateBody,
    responses((status = 200, body = ReferenceRateResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_invoices"))))]
pub async fn set_rate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(p): Path<HalfPath>,
    body: Bytes,
) -> ApiResult<Json<ReferenceRateResponse>> {
    let year: i32 = p
        .year
        .parse()
        .map_err(|_| bilan_app::AppError::field("year", "rate.year_invalid"))?;
    let half: u8 = p
        .half
        .parse()
        .map_err(|_| bilan_app::AppError::field("half", "rate.half_invalid"))?;
    let b = parse_json::<RateBody>(&body)?;
    let r = rates::set_reference_rate(&state.app, &actor, year, half, &super::bodies::AsText::as_text(&b.rate)).await?;
    Ok(Json(r.into()))
}

/// Sets or removes the contractual late-payment rate.
#[utoipa::path(put, path = "/api/v1/invoice-settings", tag = "invoices", request_body = InvoiceSettingsBody,
    responses((status = 200, body = RatesResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_invoices"))))]
pub async fn update_invoice_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Json<RatesResponse>> {
    let b = parse_json::<InvoiceSettingsBody>(&body)?;
    let r = b.contractual_rate.map(|r| super::bodies::AsText::as_text(&r));
    Ok(Json(
        rates::set_contractual_rate(&state.app, &actor, r.as_deref())
            .await?
            .into(),
    ))
}

/// One step of a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanStepResponse {
    /// Days after the due date.
    pub days_after_due: u32,
    /// email, letter or phone_task.
    pub channel: String,
    /// helping, reminder, firm or final.
    pub tone: String,
}

/// A segment's reminder plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResponse {
    /// default, micro, small, intermediate or large.
    pub segment: String,
    /// Steps by days after the due date.
    pub steps: Vec<PlanStepResponse>,
    /// Days before a firm step the account's owner is told (none: never).
    pub owner_notice_days: Option<u32>,
    /// Whether firm and final reminders carry the late-payment amounts.
    pub add_late_charges: bool,
    /// Whether the workspace wrote it (otherwise Bilan's).
    pub custom: bool,
}

impl From<plans::SegmentPlan> for PlanResponse {
    fn from(p: plans::SegmentPlan) -> Self {
        PlanResponse {
            segment: p.segment.to_owned(),
            steps: p
                .plan
                .steps
                .iter()
                .map(|s| PlanStepResponse {
                    days_after_due: s.days_after_due,
                    channel: s.channel.code().to_owned(),
                    tone: s.tone.code().to_owned(),
                })
                .collect(),
            owner_notice_days: p.plan.owner_notice_days,
            add_late_charges: p.plan.add_late_charges,
            custom: p.custom,
        }
    }
}

/// Every segment's reminder plan.
#[utoipa::path(get, path = "/api/v1/reminder-plans", tag = "invoices",
    responses((status = 200, body = [PlanResponse])),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn list_plans(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<PlanResponse>>> {
    Ok(Json(
        plans::list_plans(&state.app, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Writes the workspace's own plan for a segment.
#[utoipa::path(put, path = "/api/v1/reminder-plans/{segment}", tag = "invoices",
    params(("segment" = String, Path, description = "default, micro, small, intermediate or large")),
    request_body = PlanBody,
    responses((status = 200, body = PlanResponse), (status = 400, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_invoices"))))]
pub async fn save_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(segment): Path<String>,
    body: Bytes,
) -> ApiResult<Json<PlanResponse>> {
    let input = parse_json::<PlanBody>(&body)?.into_input();
    Ok(Json(
        plans::save_plan(&state.app, &actor, &segment, &input).await?.into(),
    ))
}

/// Puts Bilan's plan for a segment back.
#[utoipa::path(delete, path = "/api/v1/reminder-plans/{segment}", tag = "invoices",
    params(("segment" = String, Path, description = "default, micro, small, intermediate or large")),
    responses((status = 200, body = PlanResponse), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_invoices"))))]
pub async fn reset_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(segment): Path<String>,
) -> ApiResult<Json<PlanResponse>> {
    Ok(Json(plans::reset_plan(&state.app, &actor, &segment).await?.into()))
}

/// One line of figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceFiguresLine {
    /// Account or owner id, segment code; empty for the total or "not set".
    pub key: String,
    /// Name.
    pub name: String,
    /// Currency.
    pub currency: String,
    /// Not due yet.
    pub not_due: String,
    /// 1 to 30 days late.
    pub days_1_30: String,
    /// 31 to 60 days late.
    pub days_31_60: String,
    /// 61 to 90 days late.
    pub days_61_90: String,
    /// Over 90 days late.
    pub over_90: String,
    /// Still owed in all.
    pub open: String,
    /// Of which past due.
    pub overdue: String,
    /// Invoices still owing.
    pub open_invoices: i64,
    /// Invoiced over the last 12 months (including VAT).
    pub invoiced: String,
    /// Days sales outstanding: owed ÷ invoiced over 12 months × 365.
    pub dso_days: Option<String>,
    /// Invoices settled over the last 12 months.
    pub settled_invoices: u64,
    /// Share of them settled by their due date, percent.
    pub on_time_pct: Option<String>,
    /// Mean days late over them (on time counts 0).
    pub mean_days_late: Option<String>,
}

fn figures_line(l: &fig::Line) -> InvoiceFiguresLine {
    let m = |minor| dec(l.money(minor));
    let b = |i: usize| m(l.aging.get(i).map_or(0, |x| x.1));
    InvoiceFiguresLine {
        key: l.key.clone(),
        name: l.name.clone(),
        currency: l.currency.clone(),
        not_due: b(0),
        days_1_30: b(1),
        days_31_60: b(2),
        days_61_90: b(3),
        over_90: b(4),
        open: m(l.open_minor),
        overdue: m(l.overdue_minor),
        open_invoices: l.open_invoices,
        invoiced: m(l.invoiced_minor),
        dso_days: l.dso.map(|d| d.to_string()),
        settled_invoices: l.behaviour.invoices,
        on_time_pct: l.behaviour.on_time_pct.map(|d| d.to_string()),
        mean_days_late: l.behaviour.mean_days_late.map(|d| d.to_string()),
    }
}

/// Aging, DSO and payment behaviour.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceFiguresResponse {
    /// Day computed.
    pub today: String,
    /// First day of the 12 months looked back over.
    pub from: String,
    /// The selection's totals, one per currency.
    pub total: Vec<InvoiceFiguresLine>,
    /// Per group, largest balances first (at most 50).
    pub lines: Vec<InvoiceFiguresLine>,
}

/// The figures' parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FiguresQuery {
    by: Option<String>,
    account: Option<String>,
    owner: Option<String>,
    segment: Option<String>,
}

/// Parses the figures' parameters.
pub fn figures_params(q: &FiguresQuery) -> Result<(uc::Grouping, uc::InvoiceFilter), bilan_app::AppError> {
    let grouping =
        fig::parse_grouping(q.by.as_deref()).ok_or_else(|| bilan_app::AppError::field("by", "grouping.invalid"))?;
    let (filter, _, _) = InvoiceQuery {
        account: q.account.clone(),
        owner: q.owner.clone(),
        segment: q.segment.clone(),
        ..Default::default()
    }
    .parse(chrono::NaiveDate::MIN)?;
    Ok((grouping, filter))
}

/// What is owed by how late (not due, 1–30, 31–60, 61–90, over 90 days), days sales
/// outstanding over 12 months, and payment behaviour, for the workspace or per
/// account, owner or segment.
#[utoipa::path(get, path = "/api/v1/invoice-figures", tag = "invoices",
    params(
        ("by" = Option<String>, Query, description = "workspace (default), account, owner or segment"),
        ("account" = Option<String>, Query, description = "Only this account"),
        ("owner" = Option<String>, Query, description = "Only this owner's accounts"),
        ("segment" = Option<String>, Query, description = "Only this segment: micro, small, intermediate or large"),
    ),
    responses((status = 200, body = InvoiceFiguresResponse), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn figures(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Json<InvoiceFiguresResponse>> {
    let (grouping, filter) = figures_params(&q)?;
    let f = fig::invoice_figures(&state.app, &actor, grouping, &filter).await?;
    Ok(Json(InvoiceFiguresResponse {
        today: f.today.to_string(),
        from: f.from.to_string(),
        total: f.total.iter().map(figures_line).collect(),
        lines: f.lines.iter().map(figures_line).collect(),
    }))
}

/// Imports an accounting export (CSV): invoices, credit notes (« avoir » or negative
/// amounts) and payments. A number already stored is skipped, a payment already
/// recorded too; all or nothing unless `skip_invalid`; `dry_run` writes nothing.
#[utoipa::path(post, path = "/api/v1/imports/invoices", tag = "imports", request_body(content = String, content_type = "text/csv"),
    params(("dry_run" = Option<bool>, Query, description = "Report only"), ("skip_invalid" = Option<bool>, Query, description = "Import the valid lines"),
           ("account" = Option<String>, Query, description = "Account of every line"), ("map" = Option<String>, Query, description = "Column override `Header=field`")),
    responses((status = 200, body = super::imports::ImportReportResponse), (status = 422, body = super::imports::ImportReportResponse), (status = 403, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn import_invoices(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let opts = options(raw.as_deref())?;
    Ok(answer(imp::import_invoices(&state.app, &actor, &body, &opts).await?))
}

/// What an electronic invoice came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct EinvoiceResponse {
    /// cii or ubl.
    pub syntax: String,
    /// Whether it came inside a Factur-X PDF.
    pub from_pdf: bool,
    /// invoice or credit_note.
    pub kind: String,
    /// The invoice created (or corrected by the credit note).
    pub invoice_id: String,
    /// The document's number.
    pub number: String,
    /// False when it was already there (nothing written).
    pub created: bool,
}

/// The e-invoice import's parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EinvoiceQuery {
    account: Option<String>,
}

/// Imports one electronic invoice: a Factur-X PDF (its embedded CII XML) or a CII or
/// UBL XML document. Its buyer is found by SIREN, VAT number or exact name unless
/// `account` is given; a credit note applies to the invoice it names.
#[utoipa::path(post, path = "/api/v1/imports/einvoice", tag = "imports", request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The Factur-X PDF or the CII / UBL XML, as is"),
    params(("account" = Option<String>, Query, description = "The buyer's account, when its identifiers do not find it")),
    responses((status = 201, body = EinvoiceResponse), (status = 200, body = EinvoiceResponse), (status = 422, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_invoices"))))]
pub async fn import_einvoice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<EinvoiceQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    let account = match q.account.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(uuid::Uuid::parse_str(s).map_err(|_| bilan_app::AppError::field("account", "id.invalid"))?),
    };
    let r = imp::import_einvoice(&state.app, &actor, &body, account).await?;
    let status = if r.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(EinvoiceResponse {
            syntax: r.syntax.to_owned(),
            from_pdf: r.from_pdf,
            kind: r.kind.to_owned(),
            invoice_id: r.invoice_id.to_string(),
            number: r.number,
            created: r.created,
        }),
    )
        .into_response())
}

/// A client portal link (its secret is shown once, at creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalLinkResponse {
    /// Identifier (to revoke it).
    pub id: String,
    /// The account.
    pub account_id: String,
    /// fr or en.
    pub lang: String,
    /// Expires (UTC).
    pub expires_at: String,
    /// Revoked (UTC).
    pub revoked_at: Option<String>,
    /// Last opened (UTC).
    pub last_used_at: Option<String>,
    /// The path to give the client (`/portal/<secret>`), at creation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

fn link_response(l: uc::PortalLink, path: Option<String>) -> PortalLinkResponse {
    PortalLinkResponse {
        id: l.id.to_string(),
        account_id: l.account_id.to_string(),
        lang: l.lang,
        expires_at: l.expires_at.to_rfc3339(),
        revoked_at: l.revoked_at.map(|t| t.to_rfc3339()),
        last_used_at: l.last_used_at.map(|t| t.to_rfc3339()),
        path,
    }
}

/// Makes a private portal link for an account: it shows the client its invoices,
/// payments, reminders and open complaints, and lets it flag a problem with an invoice.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/portal-links", tag = "invoices", params(("id" = String, Path, description = "Account id")),
    request_body = PortalLinkCreate,
    responses((status = 201, body = PortalLinkResponse), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("share_portal"))))]
pub async fn create_portal_link(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let account = parse_id(&id)?;
    let b = parse_json::<PortalLinkCreate>(&body)?;
    let days = b.days.map(|d| d.0.to_string());
    let l = portal::create_link(&state.app, &actor, account, b.lang.as_deref(), days.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(link_response(l.link, Some(l.path)))).into_response())
}

/// An account's portal links, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/portal-links", tag = "invoices", params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = [PortalLinkResponse]), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_invoices"))))]
pub async fn list_portal_links(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<PortalLinkResponse>>> {
    let account = parse_id(&id)?;
    Ok(Json(
        portal::links(&state.app, &actor, account)
            .await?
            .into_iter()
            .map(|l| link_response(l, None))
            .collect(),
    ))
}

/// Revokes a portal link at once.
#[utoipa::path(delete, path = "/api/v1/portal-links/{id}", tag = "invoices", params(("id" = String, Path, description = "Link id")),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("share_portal"))))]
pub async fn revoke_portal_link(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    portal::revoke_link(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a reminders run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemindersRunResponse {
    /// Open invoices past due looked at.
    pub examined: usize,
    /// Reminders sent.
    pub sent: usize,
    /// E-mails queued.
    pub emails: usize,
    /// Letters to print.
    pub letters: usize,
    /// Calls given to owners.
    pub calls: usize,
    /// Held by an open complaint.
    pub held_disputed: usize,
    /// Left to the factor.
    pub held_factored: usize,
    /// Owners told before a firm step.
    pub owner_notices: usize,
}

/// Runs today's reminders now (the job runs them every morning at 08:00).
#[utoipa::path(post, path = "/api/v1/invoice-reminders/run", tag = "invoices",
    responses((status = 200, body = RemindersRunResponse)),
    security(("bearer" = [])), extensions(("x-permission" = json!("configure_invoices"))))]
pub async fn run_reminders(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<RemindersRunResponse>> {
    actor.require(bilan_domain::roles::Permission::ConfigureInvoices)?;
    let r = uc::dunning::run_reminders(&state.app, actor.workspace_id).await?;
    Ok(Json(RemindersRunResponse {
        examined: r.examined,
        sent: r.sent,
        emails: r.emails,
        letters: r.letters,
        calls: r.calls,
        held_disputed: r.held_disputed,
        held_factored: r.held_factored,
        owner_notices: r.owner_notices,
    }))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_invoices, create_invoice))
        .routes(routes!(find_invoice))
        .routes(routes!(reminder_letter))
        .routes(routes!(create_payment))
        .routes(routes!(create_account_payment))
        .routes(routes!(create_credit_note))
        .routes(routes!(mark_sent))
        .routes(routes!(assign_factor))
        .routes(routes!(list_factors, create_factor))
        .routes(routes!(list_rates))
        .routes(routes!(set_rate))
        .routes(routes!(update_invoice_settings))
        .routes(routes!(list_plans))
        .routes(routes!(save_plan, reset_plan))
        .routes(routes!(figures))
        .routes(routes!(import_invoices))
        .routes(routes!(import_einvoice))
        .routes(routes!(create_portal_link, list_portal_links))
        .routes(routes!(revoke_portal_link))
        .routes(routes!(run_reminders))
}
