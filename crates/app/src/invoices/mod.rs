//! Invoice use cases (SPEC C5): enter or import invoices, record payments (one
//! payment may settle several invoices) and credit notes, assign an invoice to a
//! factor, and read an invoice with what it owes for paying late. Paying an invoice
//! in full raises `invoice_paid`, sending it `invoice_sent`; both feed the survey
//! rules.

pub mod dunning;
pub mod facturx;
pub mod figures;
pub mod import;
pub mod letter_pdf;
pub mod plans;
pub mod portal;
pub mod rates;

use crate::events::Event;
use crate::{Actor, App, AppError, AppResult, Audited};
use bilan_db::invoices::{
    self as store, AllocationRow, CreditNoteRow, FactorRow, InvoicePayment, InvoiceRow, PaymentRow, ReminderRow,
};
pub use bilan_db::invoices::{
    CreditNoteRow as CreditNote, FactorRow as Factor, Grouping, InvoiceFilter, InvoicePage, ListedInvoice,
    PaymentRow as Payment, PortalLinkRow as PortalLink, ReminderRow as Reminder,
};
use bilan_db::timeline::{self as timeline_store, RefTable};
use bilan_domain::events::EventKind;
use bilan_domain::invoices::behaviour::allocate;
use bilan_domain::invoices::invoice::{Invoice, InvoiceInput, InvoiceStatus};
use bilan_domain::invoices::late_payment::{late_payment, LatePayment, Paid};
use bilan_domain::invoices::payment::{dedup_key, CreditNoteInput, PaymentInput};
use bilan_domain::pagination::{page_size, Cursor};
use bilan_domain::roles::Permission;
use bilan_domain::timeline::{local_day, LOCAL_TZ};
use bilan_domain::ValidationErrors;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

impl Audited for Invoice {
    const ENTITY: &'static str = "invoice";

    fn audit_id(&self) -> Uuid {
        self.id
    }

    fn health_account(&self) -> Option<Uuid> {
        Some(self.account_id)
    }
}

/// Today in the workspace's zone.
pub fn today(app: &App) -> NaiveDate {
    local_day(app.now())
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The list's parameters, as text from a query string or CLI flags.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct InvoiceQuery {
    /// An invoice number, or words of its account's name.
    pub q: Option<String>,
    /// `open` (still owing, oldest due first), `overdue`, `paid` or `all` (newest first; the default).
    pub status: Option<String>,
    /// Account id.
    pub account: Option<String>,
    /// The accounts' owner (user id).
    pub owner: Option<String>,
    /// The accounts' segment (company size code).
    pub segment: Option<String>,
    /// Issued on or after.
    pub from: Option<String>,
    /// Issued on or before.
    pub to: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
}

/// Where a page of invoices starts: the day (due or issued) and id of the last one before.
pub type PageStart = Option<(NaiveDate, Uuid)>;

/// The statuses a list can be filtered by.
pub const LIST_STATUSES: [&str; 4] = ["all", "open", "overdue", "paid"];

impl InvoiceQuery {
    /// Parses the parameters at `today`; unknown values are errors naming the parameter.
    pub fn parse(&self, today: NaiveDate) -> AppResult<(InvoiceFilter, PageStart, u32)> {
        let mut e = ValidationErrors::new();
        let mut f = InvoiceFilter::default();
        match nonempty(&self.status).as_deref() {
            None | Some("all") => {}
            Some("open") => f.open_only = true,
            Some("overdue") => f.overdue_before = Some(today),
            Some("paid") => f.settled_only = true,
            Some(_) => e.add("status", "status.invalid"),
        }
        let id = |e: &mut ValidationErrors, field: &str, v: &Option<String>| {
            nonempty(v).and_then(|s| Uuid::parse_str(&s).map_err(|_| e.add(field, "id.invalid")).ok())
        };
        f.account_id = id(&mut e, "account", &self.account);
        f.owner_id = id(&mut e, "owner", &self.owner);
        f.segment = nonempty(&self.segment).and_then(|s| {
            let ok = bilan_domain::accounts::CompanySize::parse(&s);
            if ok.is_none() {
                e.add("segment", "segment.invalid");
            }
            ok.map(|s| s.code().to_owned())
        });
        let mut date = |field: &str, v: &Option<String>| {
            nonempty(v).and_then(|s| {
                let d = bilan_domain::accounts::parse_date(&s);
                if d.is_none() {
                    e.add(field, "date.invalid");
                }
                d
            })
        };
        f.issued_from = date("from", &self.from);
        f.issued_to = date("to", &self.to);
        let cursor = nonempty(&self.cursor).and_then(|c| {
            let cur = Cursor::decode(&c).and_then(|cur| {
                Some((
                    NaiveDate::parse_from_str(&cur.key, "%Y-%m-%d").ok()?,
                    Uuid::parse_str(&cur.id).ok()?,
                ))
            });
            if cur.is_none() {
                e.add("cursor", "cursor.invalid");
            }
            cur
        });
        e.into_result()?;
        if let Some(q) = nonempty(&self.q) {
            let terms = bilan_domain::search::query_terms(&q);
            // A number is looked up as typed; words search the accounts' names.
            if q.chars().any(|c| c.is_ascii_digit()) && !q.contains(' ') {
                f.number = Some(q);
            } else {
                f.account_terms = terms;
            }
        }
        Ok((f, cursor, page_size(self.limit)))
    }
}

/// The cursor of a page's end, as text.
pub fn encode_cursor(next: Option<(NaiveDate, Uuid)>) -> Option<String> {
    next.map(|(d, id)| {
        Cursor {
            key: d.format("%Y-%m-%d").to_string(),
            id: id.to_string(),
        }
        .encode()
    })
}

/// Lists invoices.
pub async fn list_invoices(app: &App, actor: &Actor, query: &InvoiceQuery) -> AppResult<InvoicePage> {
    actor.require(Permission::ReadInvoices)?;
    let (filter, cursor, limit) = query.parse(today(app))?;
    let mut pc = app.db.acquire().await?;
    Ok(store::list(&mut pc.conn(), actor.workspace_id, &filter, cursor, limit).await?)
}

/// An invoice of the workspace (404 for another's).
pub async fn find_invoice(app: &App, actor: &Actor, id: Uuid) -> AppResult<Invoice> {
    actor.require(Permission::ReadInvoices)?;
    let mut pc = app.db.acquire().await?;
    store::find(&mut pc.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// What an invoice owes for paying late, or the half-year whose reference rate is missing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LateCharges {
    /// The amounts, when every rate needed is known.
    pub amounts: Option<LatePayment>,
    /// `2026-2`: the half-year whose reference rate must be entered first.
    pub missing_rate: Option<String>,
}

/// The late-payment interest and indemnity of `invoice` as of `today` (or the day
/// it was settled), with `payments`, at the workspace's rates.
pub async fn late_charges(
    c: &mut bilan_db::Conn<'_>,
    invoice: &Invoice,
    payments: &[InvoicePayment],
    today: NaiveDate,
) -> AppResult<LateCharges> {
    let rates = rates::rates_in(c, invoice.workspace_id).await?;
    Ok(late_charges_at(invoice, payments, today, &rates))
}

/// [`late_charges`] with the rates at hand (the morning job reads them once).
pub fn late_charges_at(
    invoice: &Invoice,
    payments: &[InvoicePayment],
    today: NaiveDate,
    rates: &bilan_domain::invoices::late_payment::Rates,
) -> LateCharges {
    let cur = invoice.amount_incl_tax.currency;
    let to_dec = |minor: i64| bilan_domain::money::Money { minor, currency: cur }.to_decimal();
    let owed = to_dec(invoice.amount_incl_tax.minor - invoice.credited_minor);
    let paid: Vec<Paid> = payments
        .iter()
        .map(|p| Paid {
            on: p.paid_on,
            amount: to_dec(p.amount_minor),
        })
        .collect();
    let until = invoice.settled_on.unwrap_or(today).min(today);
    match late_payment(owed, invoice.due_on, &paid, until, rates) {
        Ok(l) => LateCharges {
            amounts: Some(l),
            missing_rate: None,
        },
        Err((y, h)) => LateCharges {
            amounts: None,
            missing_rate: Some(format!("{y}-{h}")),
        },
    }
}

/// An invoice with everything its page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InvoiceDetail {
    /// The invoice.
    pub invoice: Invoice,
    /// Where it stands today.
    pub status: InvoiceStatus,
    /// Its account's name.
    pub account_name: String,
    /// Payments, oldest first.
    pub payments: Vec<InvoicePayment>,
    /// Credit notes.
    pub credit_notes: Vec<CreditNoteRow>,
    /// Reminders sent (and notices to the owner).
    pub reminders: Vec<ReminderRow>,
    /// Late-payment interest and indemnity.
    pub late: LateCharges,
    /// Open complaints about it (they hold its reminders).
    pub open_complaints: Vec<Uuid>,
    /// The factor it was assigned to.
    pub factor: Option<FactorRow>,
    /// What the reminder plan does next.
    pub next_reminder: dunning::NextReminder,
}

/// An invoice with its payments, credit notes, reminders and late charges.
pub async fn invoice_detail(app: &App, actor: &Actor, id: Uuid) -> AppResult<InvoiceDetail> {
    actor.require(Permission::ReadInvoices)?;
    let ws = actor.workspace_id;
    let today = today(app);
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let invoice = store::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    let account = bilan_db::accounts::find(&mut c, ws, invoice.account_id).await?;
    let account_name = account.as_ref().map(|a| a.name.clone()).unwrap_or_default();
    let payments = store::payments_of(&mut c, ws, id).await?;
    let credit_notes = store::credit_notes_of(&mut c, ws, id).await?;
    let reminders = store::reminders_of(&mut c, ws, &[id]).await?;
    let late = late_charges(&mut c, &invoice, &payments, today).await?;
    let open_complaints = store::open_complaints_of(&mut c, ws, id, &open_state_codes()).await?;
    let factor = match invoice.factor_id {
        Some(f) => store::factors(&mut c, ws).await?.into_iter().find(|x| x.id == f),
        None => None,
    };
    let segment = account.as_ref().and_then(|a| a.size.map(|s| s.code().to_owned()));
    let plan = plans::plan_for(&mut c, ws, segment.as_deref()).await?;
    let next_reminder = dunning::next_reminder(&plan, &invoice, &reminders, !open_complaints.is_empty(), today);
    Ok(InvoiceDetail {
        status: invoice.status(today),
        invoice,
        account_name,
        payments,
        credit_notes,
        reminders,
        late,
        open_complaints,
        factor,
        next_reminder,
    })
}

/// The complaint states that hold reminders.
pub fn open_state_codes() -> Vec<&'static str> {
    bilan_domain::complaints::ComplaintState::open_states()
        .into_iter()
        .map(|s| s.code())
        .collect()
}

/// A new invoice's account and the day it was sent, besides its own fields.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct NewInvoiceInput {
    /// The client company.
    pub account_id: Option<String>,
    /// The invoice's fields.
    #[serde(flatten)]
    pub invoice: InvoiceInput,
    /// The day it was sent to the client (raises `invoice_sent`).
    pub sent_on: Option<String>,
}

/// An event dated now when it happened today, otherwise at noon of its day (a
/// past payment logged late is not hot and sends no survey).
fn event_at(on: NaiveDate, now: DateTime<Utc>) -> DateTime<Utc> {
    if on == local_day(now) {
        now
    } else {
        on.and_hms_opt(12, 0, 0)
            .and_then(|t| LOCAL_TZ.from_local_datetime(&t).earliest())
            .map_or(now, |t| t.with_timezone(&Utc))
    }
}

pub(crate) fn invoice_event(kind: EventKind, i: &Invoice, on: NaiveDate, now: DateTime<Utc>) -> Event {
    Event {
        kind,
        account_id: i.account_id,
        contact_ids: Vec::new(),
        source_kind: "invoice",
        source_id: i.id,
        occurred_at: event_at(on, now),
    }
}

fn optional_day(e: &mut ValidationErrors, field: &str, raw: &Option<String>, today: NaiveDate) -> Option<NaiveDate> {
    let v = nonempty(raw)?;
    match bilan_domain::accounts::parse_date(&v) {
        None => {
            e.add(field, "date.invalid");
            None
        }
        Some(d) if d > today => {
            e.add(field, "date.future");
            None
        }
        Some(d) => Some(d),
    }
}

/// Enters one invoice (by hand or through the API): its fields checked, its due
/// date from its terms, its number unique in the workspace.
pub async fn create_invoice(app: &App, actor: &Actor, input: &NewInvoiceInput, source: &str) -> AppResult<Invoice> {
    let today = today(app);
    let mut e = ValidationErrors::new();
    let account_id = match nonempty(&input.account_id) {
        None => {
            e.add("account_id", "required");
            None
        }
        Some(s) => Uuid::parse_str(&s).map_err(|_| e.add("account_id", "id.invalid")).ok(),
    };
    let sent_on = optional_day(&mut e, "sent_on", &input.sent_on, today);
    let checked = input.invoice.validate();
    let mut w = app.write(actor, Permission::WriteInvoices).await?;
    let new = match checked {
        Ok(n) => Some(n),
        Err(v) => {
            e.0.extend(v.0);
            None
        }
    };
    let ws = actor.workspace_id;
    if let Some(a) = account_id {
        if !timeline_store::existing_ids(&mut w.conn(), RefTable::Accounts, ws, &[a])
            .await?
            .contains(&a)
        {
            e.add("account_id", "account.unknown");
        }
    }
    if let (Some(n), Some(s)) = (&new, sent_on) {
        if s < n.issued_on {
            e.add("sent_on", "invoice.sent_before_issue");
        }
    }
    if let Some(n) = &new {
        if !store::by_numbers(&mut w.conn(), ws, std::slice::from_ref(&n.number))
            .await?
            .is_empty()
        {
            e.add("number", "invoice.number_taken");
        }
    }
    e.into_result()?;
    let (Some(new), Some(account_id)) = (new, account_id) else {
        return Err(AppError::field("number", "required"));
    };
    let now = w.now();
    let invoice = Invoice {
        id: bilan_db::new_id(),
        workspace_id: ws,
        account_id,
        number: new.number,
        issued_on: new.issued_on,
        delivered_on: new.delivered_on,
        terms: new.terms,
        due_on: new.due_on,
        terms_beyond_legal_max: new.terms_beyond_legal_max,
        amount_excl_tax: new.amount_excl_tax,
        amount_incl_tax: new.amount_incl_tax,
        paid_minor: 0,
        credited_minor: 0,
        settled_on: None,
        sent_on,
        factor_id: None,
        factored_on: None,
        source: source.to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(&mut w.conn(), &[InvoiceRow::from_invoice(&invoice)]).await?;
    w.audit_created(&invoice);
    if let Some(s) = sent_on {
        w.raise(invoice_event(EventKind::InvoiceSent, &invoice, s, now));
    }
    w.commit().await?;
    tracing::info!(invoice.id = %invoice.id, account.id = %account_id, "invoice entered");
    Ok(invoice)
}

/// Marks an invoice as sent on a day (raises `invoice_sent`).
pub async fn mark_sent(app: &App, actor: &Actor, id: Uuid, on: Option<&str>) -> AppResult<Invoice> {
    let today = today(app);
    let mut e = ValidationErrors::new();
    let on = optional_day(&mut e, "sent_on", &on.map(str::to_owned), today).unwrap_or(today);
    e.into_result()?;
    let mut w = app.write(actor, Permission::WriteInvoices).await?;
    let before = store::find(&mut w.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if on < before.issued_on {
        return Err(AppError::field("sent_on", "invoice.sent_before_issue"));
    }
    if before.sent_on.is_some() {
        return Err(AppError::field("sent_on", "invoice.already_sent"));
    }
    let mut after = before.clone();
    after.sent_on = Some(on);
    after.updated_at = w.now();
    if !store::update(&mut w.conn(), &after, before.version).await? {
        return Err(AppError::Stale {
            current_version: before.version + 1,
        });
    }
    after.version += 1;
    w.audit_updated(&before, &after);
    let now = w.now();
    w.raise(invoice_event(EventKind::InvoiceSent, &after, on, now));
    w.commit().await?;
    Ok(after)
}

/// What a payment came to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PaymentRecorded {
    /// The payment.
    pub payment_id: Uuid,
    /// Its part on each invoice.
    pub allocations: Vec<(Uuid, i64)>,
    /// What no invoice took (an advance, an overpayment to look at), in minor units.
    pub unallocated_minor: i64,
    /// Invoices it paid in full.
    pub settled: Vec<Uuid>,
}

/// Records a payment of one invoice. It may not exceed what the invoice still owes.
pub async fn record_payment(
    app: &App,
    actor: &Actor,
    invoice: Uuid,
    input: &PaymentInput,
) -> AppResult<PaymentRecorded> {
    let today = today(app);
    let mut w = app.write(actor, Permission::WriteInvoices).await?;
    let ws = actor.workspace_id;
    store::lock(&mut w.conn(), ws, &[invoice]).await?;
    let inv = store::find(&mut w.conn(), ws, invoice)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = input.validate(inv.amount_incl_tax.currency, today)?;
    let open = inv.open().minor;
    if open == 0 {
        return Err(AppError::field("amount", "payment.nothing_owed"));
    }
    if p.amount.minor > open {
        return Err(AppError::field("amount", "payment.more_than_owed"));
    }
    if p.paid_on < inv.issued_on {
        return Err(AppError::field("paid_on", "payment.before_invoice"));
    }
    let key = dedup_key(p.reference.as_deref(), &inv.number, p.paid_on, p.amount);
    if !store::existing_payment_keys(&mut w.conn(), ws, std::slice::from_ref(&key))
        .await?
        .is_empty()
    {
        return Err(AppError::field(
            if p.reference.is_some() { "reference" } else { "amount" },
            "payment.duplicate",
        ));
    }
    let rec = apply_payment(
        &mut w,
        inv.account_id,
        p.paid_on,
        p.amount,
        p.reference,
        key,
        vec![(inv, p.amount.minor)],
        0,
        "form",
    )
    .await?;
    w.commit().await?;
    Ok(rec)
}

/// A payment from an account that names several invoices (or none: it goes to the
/// oldest due first), as a bank statement line reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AccountPaymentInput {
    /// The paying account.
    pub account_id: Option<String>,
    /// The payment.
    #[serde(flatten)]
    pub payment: PaymentInput,
    /// The invoices it pays (ids); empty: the oldest due first.
    pub invoice_ids: Vec<String>,
}

/// Records one payment spread over an account's invoices.
pub async fn record_account_payment(
    app: &App,
    actor: &Actor,
    input: &AccountPaymentInput,
) -> AppResult<PaymentRecorded> {
    let today = today(app);
    let mut e = ValidationErrors::new();
    let account = nonempty(&input.account_id)
        .and_then(|s| Uuid::parse_str(&s).ok())
        .or_else(|| {
            e.add("account_id", "account.unknown");
            None
        });
    let mut ids = Vec::new();
    for (i, s) in input.invoice_ids.iter().enumerate() {
        match Uuid::parse_str(s.trim()) {
            Ok(id) => ids.push(id),
            Err(_) => e.add(&format!("invoice_ids[{i}]"), "id.invalid"),
        }
    }
    let mut w = app.write(actor, Permission::WriteInvoices).await?;
    e.into_result()?;
    let Some(account) = account else {
        return Err(AppError::field("account_id", "account.unknown"));
    };
    let ws = actor.workspace_id;
    let mut e = ValidationErrors::new();
    let candidates: Vec<Invoice> = if ids.is_empty() {
        let filter = InvoiceFilter {
            account_id: Some(account),
            open_only: true,
            ..Default::default()
        };
        store::list(&mut w.conn(), ws, &filter, None, 200)
            .await?
            .items
            .into_iter()
            .map(|l| l.invoice)
            .collect()
    } else {
        store::lock(&mut w.conn(), ws, &ids).await?;
        let mut v = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            match store::find(&mut w.conn(), ws, *id).await? {
                Some(inv) if inv.account_id == account => v.push(inv),
                _ => e.add(&format!("invoice_ids[{i}]"), "invoice.unknown"),
            }
        }
        v
    };
    e.into_result()?;
    if candidates.is_empty() {
        let accounts = timeline_store::existing_ids(&mut w.conn(), RefTable::Accounts, ws, &[account]).await?;
        if !accounts.contains(&account) {
            return Err(AppError::field("account_id", "account.unknown"));
        }
    }
    let currency = candidates
        .first()
        .map_or(bilan_domain::money::Currency::EUR, |i| i.amount_incl_tax.currency);
    let p = input.payment.validate(currency, today)?;
    if candidates.iter().any(|i| i.amount_incl_tax.currency != currency) {
        return Err(AppError::field("invoice_ids", "payment.mixed_currencies"));
    }
    let open: Vec<(usize, NaiveDate, i64)> = candidates
        .iter()
        .enumerate()
        .map(|(k, i)| (k, i.due_on, i.open().minor))
        .collect();
    let (parts, left) = allocate(p.amount.minor, &open);
    let key = dedup_key(
        p.reference.as_deref(),
        &format!("account:{account}"),
        p.paid_on,
        p.amount,
    );
    if !store::existing_payment_keys(&mut w.conn(), ws, std::slice::from_ref(&key))
        .await?
        .is_empty()
    {
        return Err(AppError::field("reference", "payment.duplicate"));
    }
    let split: Vec<(Invoice, i64)> = parts.into_iter().map(|(k, m)| (candidates[k].clone(), m)).collect();
    let rec = apply_payment(
        &mut w,
        account,
        p.paid_on,
        p.amount,
        p.reference,
        key,
        split,
        left,
        "form",
    )
    .await?;
    w.commit().await?;
    Ok(rec)
}

/// Writes a payment and its parts, brings each invoice's balance up to date, and
/// raises `invoice_paid` for those it settles.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply_payment(
    w: &mut crate::Work,
    account: Uuid,
    paid_on: NaiveDate,
    amount: bilan_domain::money::Money,
    reference: Option<String>,
    key: String,
    parts: Vec<(Invoice, i64)>,
    unallocated: i64,
    source: &str,
) -> AppResult<PaymentRecorded> {
    let ws = w.workspace_id();
    let now = w.now();
    let payment = PaymentRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        account_id: account,
        paid_on,
        amount_minor: amount.minor,
        currency: amount.currency.as_str().to_owned(),
        reference,
        dedup_key: key,
        unallocated_minor: unallocated,
        source: source.to_owned(),
        created_at: now,
    };
    let allocations: Vec<AllocationRow> = parts
        .iter()
        .map(|(inv, m)| AllocationRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            payment_id: payment.id,
            invoice_id: inv.id,
            amount_minor: *m,
        })
        .collect();
    store::insert_payments(&mut w.conn(), std::slice::from_ref(&payment), &allocations).await?;
    let mut settled = Vec::new();
    for (before, m) in &parts {
        let mut after = before.clone();
        after.paid_minor += m;
        if after.open().minor == 0 && after.settled_on.is_none() {
            after.settled_on = Some(paid_on.max(before.issued_on));
            settled.push(after.id);
            w.raise(invoice_event(EventKind::InvoicePaid, &after, paid_on, now));
        }
        after.updated_at = now;
        if !store::update(&mut w.conn(), &after, before.version).await? {
            return Err(AppError::Stale {
                current_version: before.version + 1,
            });
        }
        after.version += 1;
        w.audit_updated(before, &after);
    }
    Ok(PaymentRecorded {
        payment_id: payment.id,
        allocations: parts.iter().map(|(i, m)| (i.id, *m)).collect(),
        unallocated_minor: unallocated,
        settled,
    })
}

/// Adds a credit note to an invoice: it lowers what is owed (and cancels the
/// invoice when it covers it all). It may not exceed what is still owed.
pub async fn add_credit_note(app: &App, actor: &Actor, invoice: Uuid, input: &CreditNoteInput) -> AppResult<Invoice> {
    let today = today(app);
    let mut w = app.write(actor, Permission::WriteInvoices).await?;
    let ws = actor.workspace_id;
    store::lock(&mut w.conn(), ws, &[invoice]).await?;
    let before = store::find(&mut w.conn(), ws, invoice)
        .await?
        .ok_or(AppError::NotFound)?;
    let n = input.validate(before.amount_incl_tax.currency, before.issued_on, today)?;
    if n.amount_incl_tax.minor > before.open().minor {
        return Err(AppError::field("amount_incl_tax", "credit_note.more_than_owed"));
    }
    if !store::existing_credit_notes(&mut w.conn(), ws, std::slice::from_ref(&n.number))
        .await?
        .is_empty()
    {
        return Err(AppError::field("number", "credit_note.number_taken"));
    }
    let now = w.now();
    store::insert_credit_notes(
        &mut w.conn(),
        &[CreditNoteRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            account_id: before.account_id,
            invoice_id: Some(before.id),
            number: n.number,
            issued_on: n.issued_on,
            amount_excl_minor: n.amount_excl_tax.minor,
            amount_incl_minor: n.amount_incl_tax.minor,
            currency: n.amount_incl_tax.currency.as_str().to_owned(),
            source: "form".to_owned(),
            created_at: now,
        }],
    )
    .await?;
    let mut after = before.clone();
    after.credited_minor += n.amount_incl_tax.minor;
    if after.open().minor == 0 && after.settled_on.is_none() {
        after.settled_on = Some(n.issued_on);
    }
    after.updated_at = now;
    if !store::update(&mut w.conn(), &after, before.version).await? {
        return Err(AppError::Stale {
            current_version: before.version + 1,
        });
    }
    after.version += 1;
    w.audit_updated(&before, &after);
    w.commit().await?;
    Ok(after)
}

/// A factor as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FactorInput {
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Where the client pays now (the notice printed on assigned invoices).
    pub details: Option<String>,
}

/// The workspace's factors.
pub async fn list_factors(app: &App, actor: &Actor) -> AppResult<Vec<FactorRow>> {
    actor.require(Permission::ReadInvoices)?;
    let mut pc = app.db.acquire().await?;
    Ok(store::factors(&mut pc.conn(), actor.workspace_id).await?)
}

/// Adds a factor.
pub async fn create_factor(app: &App, actor: &Actor, input: &FactorInput) -> AppResult<FactorRow> {
    use bilan_domain::validation::{optional_text, required_text};
    let mut e = ValidationErrors::new();
    let name = required_text(&mut e, "name", input.name.as_deref(), 200);
    let email = optional_text(&mut e, "email", input.email.as_deref(), 254);
    if email
        .as_deref()
        .is_some_and(|m| !bilan_domain::validation::is_plausible_email(m))
    {
        e.add("email", "email.invalid");
    }
    let phone = optional_text(&mut e, "phone", input.phone.as_deref(), 40);
    let details = optional_text(&mut e, "details", input.details.as_deref(), 2_000);
    let mut w = app.write(actor, Permission::ConfigureInvoices).await?;
    e.into_result()?;
    let ws = actor.workspace_id;
    if store::factors(&mut w.conn(), ws).await?.iter().any(|f| f.name == name) {
        return Err(AppError::field("name", "factor.name_taken"));
    }
    let row = FactorRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        name,
        email,
        phone,
        details,
        created_at: w.now(),
    };
    store::insert_factors(&mut w.conn(), std::slice::from_ref(&row)).await?;
    w.audit_entry(
        bilan_domain::audit::AuditAction::Create,
        "factor",
        row.id,
        None::<&FactorRow>,
        Some(&row),
    );
    w.commit().await?;
    Ok(row)
}

/// Assigns an invoice to a factor from a day (its reminders stop: the factor
/// reminds), or takes it back (`factor` none).
pub async fn assign_factor(
    app: &App,
    actor: &Actor,
    invoice: Uuid,
    factor: Option<&str>,
    on: Option<&str>,
) -> AppResult<Invoice> {
    let today = today(app);
    let mut e = ValidationErrors::new();
    let factor_id = factor
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| Uuid::parse_str(s).map_err(|_| e.add("factor_id", "id.invalid")).ok());
    let on = optional_day(&mut e, "factored_on", &on.map(str::to_owned), today).unwrap_or(today);
    let mut w = app.write(actor, Permission::WriteInvoices).await?;
    e.into_result()?;
    let ws = actor.workspace_id;
    if let Some(f) = factor_id {
        if !store::factors(&mut w.conn(), ws).await?.iter().any(|x| x.id == f) {
            return Err(AppError::field("factor_id", "factor.unknown"));
        }
    }
    let before = store::find(&mut w.conn(), ws, invoice)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut after = before.clone();
    after.factor_id = factor_id;
    after.factored_on = factor_id.map(|_| on);
    after.updated_at = w.now();
    if !store::update(&mut w.conn(), &after, before.version).await? {
        return Err(AppError::Stale {
            current_version: before.version + 1,
        });
    }
    after.version += 1;
    w.audit_updated(&before, &after);
    w.commit().await?;
    Ok(after)
}

/// An account's invoices (the latest 200) and payments (the latest 50).
pub async fn account_invoices(
    app: &App,
    actor: &Actor,
    account: Uuid,
) -> AppResult<(Vec<ListedInvoice>, Vec<PaymentRow>)> {
    actor.require(Permission::ReadInvoices)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let filter = InvoiceFilter {
        account_id: Some(account),
        ..Default::default()
    };
    let invoices = store::list(&mut c, ws, &filter, None, 200).await?.items;
    let payments = store::payments_of_account(&mut c, ws, account, 50).await?;
    Ok((invoices, payments))
}

/// A letter reminder as a PDF to print: the letter the morning run wrote for
/// `reminder` of `invoice`, with the client's address. Returns a file name and the bytes.
pub async fn reminder_letter(app: &App, actor: &Actor, invoice: Uuid, reminder: Uuid) -> AppResult<(String, Vec<u8>)> {
    actor.require(Permission::ReadInvoices)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let inv = store::find(&mut c, ws, invoice).await?.ok_or(AppError::NotFound)?;
    let rem = store::reminders_of(&mut c, ws, &[invoice])
        .await?
        .into_iter()
        .find(|r| r.id == reminder && r.kind == "reminder")
        .ok_or(AppError::NotFound)?;
    let exchange = match rem.interaction_id {
        Some(i) => timeline_store::find(&mut c, ws, i).await?,
        None => None,
    }
    .ok_or(AppError::NotFound)?;
    let account = bilan_db::accounts::find(&mut c, ws, inv.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = match rem.contact_id {
        Some(id) => bilan_db::contacts::find(&mut c, ws, id).await?,
        None => None,
    };
    let company = bilan_db::workspaces::find(&mut c, ws)
        .await?
        .map(|w| w.name)
        .unwrap_or_default();
    let lang = contact
        .as_ref()
        .and_then(|p| bilan_i18n::Lang::parse(p.language.code()))
        .unwrap_or(bilan_i18n::Lang::Fr);
    let mut recipient = vec![account.name.clone()];
    if let Some(p) = &contact {
        recipient.push(p.full_name());
    }
    recipient.extend(account.address.clone());
    let town = [account.postal_code.clone(), account.city.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !town.is_empty() {
        recipient.push(town);
    }
    let day = bilan_i18n::format::long_date(lang, rem.sent_on);
    let letter = letter_pdf::Letter {
        sender: vec![company],
        recipient,
        place_date: match lang {
            bilan_i18n::Lang::Fr => format!("Le {day}"),
            bilan_i18n::Lang::En => day,
        },
        subject: exchange.subject.unwrap_or_default(),
        body: exchange.summary.unwrap_or_default(),
    };
    let bytes = letter_pdf::render(&letter).map_err(AppError::Internal)?;
    Ok((format!("relance-{}-{}.pdf", inv.number, rem.sent_on), bytes))
}
