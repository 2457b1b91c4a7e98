//! The morning reminders (relances): for each workspace, each open invoice past
//! its due date is put to the domain's dunning rules; what is due goes out — an
//! e-mail through the outbox, a letter to print, or a call for the account's
//! owner — and lands on the timeline. A step is recorded once per invoice, however
//! often the job runs or on however many workers. A key account's owner hears
//! before a firm step.

use super::plans::{pick, plans_in, SegmentPlan};
use super::rates::rates_in;
use crate::jobs::{JobContext, JobKind};
use crate::outbox::Outgoing;
use crate::{App, AppResult, Work};
use bilan_db::invoices::{self as store, DueRow, ReminderRow};
use bilan_domain::invoices::dunning::{
    decide, next_date, owner_notice_due, Channel, Decision, Hold, InvoiceState, Step,
};
use bilan_domain::invoices::invoice::Invoice;
use bilan_domain::invoices::plan::Plan;
use bilan_domain::invoices::reminders::{default_template, late_payment_paragraph};
use bilan_domain::money::{Currency, Money};
use bilan_domain::timeline::{local_day, Channel as Via, Direction, NewFollowUp, NewInteraction};
use bilan_i18n::{format::long_date, t, Lang};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The tag reminders leave on the timeline.
pub const REMINDER_TAG: &str = "reminder";
/// Invoices looked at per unit of work.
const PAGE: i64 = 500;

/// Sends one workspace's reminders due today (scheduled daily at 08:00 in the
/// workspace's zone; `bilan invoices remind` runs it at once).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InvoiceReminders {}

impl JobKind for InvoiceReminders {
    const KIND: &'static str = "invoice_reminders";

    async fn run(self, app: &App, job: &JobContext) -> AppResult<()> {
        let Some(ws) = job.workspace_id else {
            return Ok(());
        };
        let r = run_reminders(app, ws).await?;
        tracing::info!(workspace.id = %ws, examined = r.examined, sent = r.sent, held = r.held_disputed + r.held_factored, "invoice reminders run");
        Ok(())
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReminderReport {
    /// Open invoices past their due date looked at.
    pub examined: usize,
    /// Reminders sent (e-mails, letters and calls together).
    pub sent: usize,
    /// Of which e-mails queued.
    pub emails: usize,
    /// Letters to print.
    pub letters: usize,
    /// Calls given to owners.
    pub calls: usize,
    /// Steps due but held by an open complaint.
    pub held_disputed: usize,
    /// Steps due but left to the factor.
    pub held_factored: usize,
    /// Owners told before a firm step.
    pub owner_notices: usize,
}

/// What the plan does next for one invoice, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextReminder {
    /// The step's index in the plan, if one is left.
    pub step: Option<usize>,
    /// The step itself.
    pub planned: Option<Step>,
    /// The day it may go out.
    pub on: Option<NaiveDate>,
    /// Why it would not go out.
    pub held: Option<Hold>,
    /// Nothing more: settled, or every step sent.
    pub done: bool,
}

fn state_of(invoice_due: NaiveDate, factored: bool, disputed: bool, reminders: &[&ReminderRow]) -> InvoiceState {
    let sent: Vec<usize> = reminders
        .iter()
        .filter(|r| r.kind == "reminder")
        .filter_map(|r| usize::try_from(r.step_index).ok())
        .collect();
    InvoiceState {
        due_on: invoice_due,
        paid: false,
        credited: false,
        factored,
        disputed,
        sent,
        last_sent_on: reminders
            .iter()
            .filter(|r| r.kind == "reminder")
            .map(|r| r.sent_on)
            .max(),
    }
}

/// What the plan does next for `invoice`, given its reminders.
pub fn next_reminder(
    plan: &Plan,
    invoice: &Invoice,
    reminders: &[ReminderRow],
    disputed: bool,
    today: NaiveDate,
) -> NextReminder {
    let refs: Vec<&ReminderRow> = reminders.iter().collect();
    let st = state_of(invoice.due_on, invoice.factor_id.is_some(), disputed, &refs);
    if invoice.open().minor == 0 {
        return NextReminder {
            step: None,
            planned: None,
            on: None,
            held: None,
            done: true,
        };
    }
    match next_date(&plan.steps, &st) {
        None => NextReminder {
            step: None,
            planned: None,
            on: None,
            held: None,
            done: true,
        },
        Some((i, on)) => NextReminder {
            step: Some(i),
            planned: plan.steps.get(i).copied(),
            on: Some(on.max(today)),
            held: if st.factored {
                Some(Hold::Factored)
            } else if st.disputed {
                Some(Hold::Disputed)
            } else {
                None
            },
            done: false,
        },
    }
}

/// Runs one workspace's reminders for today.
pub async fn run_reminders(app: &App, ws: Uuid) -> AppResult<ReminderReport> {
    let mut report = ReminderReport::default();
    let open_states = super::open_state_codes();
    let mut after: Option<(NaiveDate, Uuid)> = None;
    let today = local_day(app.now());
    let (plans, rates, company) = {
        let mut pc = app.db.acquire().await?;
        let mut c = pc.conn();
        (
            plans_in(&mut c, ws).await?,
            rates_in(&mut c, ws).await?,
            bilan_db::workspaces::find(&mut c, ws)
                .await?
                .map(|r| r.name)
                .unwrap_or_default(),
        )
    };
    let mut ctx = Context {
        plans,
        rates,
        company,
        today,
        users: HashMap::new(),
        fallback_user: None,
    };
    loop {
        let started = std::time::Instant::now();
        let mut w = app.write_unchecked(ws, None).await?;
        let page = store::due_invoices(&mut w.conn(), ws, today, &open_states, after, PAGE).await?;
        let read_ms = started.elapsed().as_millis();
        let Some(last) = page.last() else {
            w.commit().await?;
            break;
        };
        after = Some((last.due_on, last.id));
        let ids: Vec<Uuid> = page.iter().map(|r| r.id).collect();
        let sent = store::reminders_of(&mut w.conn(), ws, &ids).await?;
        for row in &page {
            report.examined += 1;
            let mine: Vec<&ReminderRow> = sent.iter().filter(|r| r.invoice_id == row.id).collect();
            handle(&mut w, &mut ctx, row, &mine, &mut report).await?;
        }
        w.commit().await?;
        tracing::debug!(
            invoices = page.len(),
            sent = report.sent,
            read_ms,
            total_ms = started.elapsed().as_millis(),
            "reminders page"
        );
        if page.len() < PAGE as usize {
            break;
        }
    }
    Ok(report)
}

struct Context {
    plans: Vec<SegmentPlan>,
    rates: bilan_domain::invoices::late_payment::Rates,
    company: String,
    today: NaiveDate,
    users: HashMap<Uuid, Option<bilan_db::users::UserRow>>,
    fallback_user: Option<Uuid>,
}

impl Context {
    async fn user(&mut self, w: &mut Work, id: Uuid) -> AppResult<Option<bilan_db::users::UserRow>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.users.entry(id) {
            let ws = w.workspace_id();
            slot.insert(bilan_db::users::find(&mut w.conn(), ws, id).await?);
        }
        Ok(self.users.get(&id).cloned().flatten())
    }

    /// Who a reminder is logged for when the account has no owner: an administrator.
    async fn fallback(&mut self, w: &mut Work) -> AppResult<Option<Uuid>> {
        if self.fallback_user.is_none() {
            let ws = w.workspace_id();
            self.fallback_user = bilan_db::users::list(&mut w.conn(), ws)
                .await?
                .into_iter()
                .find(|u| u.role == "admin" && u.disabled_at.is_none())
                .map(|u| u.id);
        }
        Ok(self.fallback_user)
    }
}

async fn handle(
    w: &mut Work,
    ctx: &mut Context,
    row: &DueRow,
    reminders: &[&ReminderRow],
    report: &mut ReminderReport,
) -> AppResult<()> {
    let plan = pick(&ctx.plans, row.segment.as_deref());
    let st = state_of(row.due_on, row.factor_id.is_some(), row.disputed, reminders);
    if let Some(days) = plan.owner_notice_days {
        let noticed: Vec<usize> = reminders
            .iter()
            .filter(|r| r.kind == "owner_notice")
            .filter_map(|r| usize::try_from(r.step_index).ok())
            .collect();
        if let Some(i) = owner_notice_due(&plan.steps, &st, ctx.today, days, &noticed) {
            if notify_owner(w, ctx, row, &plan, i).await? {
                report.owner_notices += 1;
            }
        }
    }
    match decide(&plan.steps, &st, ctx.today) {
        Decision::Nothing => {}
        Decision::Held {
            hold: Hold::Disputed, ..
        } => report.held_disputed += 1,
        Decision::Held {
            hold: Hold::Factored, ..
        } => report.held_factored += 1,
        Decision::Send { step } => {
            if let Some(via) = send(w, ctx, row, &plan, step).await? {
                report.sent += 1;
                match via {
                    Channel::Email => report.emails += 1,
                    Channel::Letter => report.letters += 1,
                    Channel::PhoneTask => report.calls += 1,
                }
            }
        }
    }
    Ok(())
}

/// The words of one reminder, filled for one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderText {
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Whether the late-payment amounts were added.
    pub with_late_charges: bool,
}

/// Fills the reminder of `step` for `invoice` in `lang`.
#[allow(clippy::too_many_arguments)]
pub fn reminder_text(
    lang: Lang,
    step: Step,
    invoice: &Invoice,
    late: &super::LateCharges,
    add_late_charges: bool,
    contact_name: &str,
    account: &str,
    owner: &str,
    company: &str,
    today: NaiveDate,
) -> ReminderText {
    let template = default_template(step.tone, lang.code());
    let fr = lang == Lang::Fr;
    let eur = |d: rust_decimal::Decimal| {
        Money::from_decimal(d, Currency::EUR)
            .map(|m| m.format(fr))
            .unwrap_or_default()
    };
    let amount = invoice.open().format(fr);
    let days_late = (today - invoice.due_on).num_days().max(0).to_string();
    let (interest, indemnity) = late
        .amounts
        .as_ref()
        .map(|l| (eur(l.interest), eur(l.indemnity)))
        .unwrap_or_default();
    let with_late_charges = add_late_charges && step.tone.is_firm() && late.amounts.is_some();
    let paragraph = if with_late_charges {
        late_payment_paragraph(lang.code(), &interest, &indemnity)
    } else {
        String::new()
    };
    let issued = long_date(lang, invoice.issued_on);
    let due = long_date(lang, invoice.due_on);
    let value = |k: &str| -> Option<&str> {
        Some(match k {
            "contact_name" => contact_name,
            "account" => account,
            "company" => company,
            "invoice" => invoice.number.as_str(),
            "issued_on" => issued.as_str(),
            "due_on" => due.as_str(),
            "amount" => amount.as_str(),
            "days_late" => days_late.as_str(),
            "interest" => interest.as_str(),
            "indemnity" => indemnity.as_str(),
            "late_payment" => paragraph.as_str(),
            "owner" => owner,
            _ => return None,
        })
    };
    let body = bilan_domain::templates::fill(&template.body, value);
    ReminderText {
        subject: bilan_domain::templates::fill(&template.subject, value),
        body,
        with_late_charges,
    }
}

/// Sends step `i` of `plan` for one invoice; the channel it went by, or none when
/// another run recorded it first.
async fn send(w: &mut Work, ctx: &mut Context, row: &DueRow, plan: &Plan, i: usize) -> AppResult<Option<Channel>> {
    let ws = w.workspace_id();
    let Some(step) = plan.steps.get(i).copied() else {
        return Ok(None);
    };
    let Some(invoice) = store::find(&mut w.conn(), ws, row.id).await? else {
        return Ok(None);
    };
    let now = w.now();
    let mut rec = ReminderRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        invoice_id: row.id,
        step_index: i64::try_from(i).unwrap_or(0),
        kind: "reminder".to_owned(),
        channel: step.channel.code().to_owned(),
        tone: step.tone.code().to_owned(),
        sent_on: ctx.today,
        contact_id: None,
        interaction_id: None,
        with_late_charges: false,
        created_at: now,
    };
    if !store::claim_reminder(&mut w.conn(), &rec).await? {
        return Ok(None);
    }
    let contact = match store::billing_contact(&mut w.conn(), ws, row.account_id).await? {
        Some(id) => bilan_db::contacts::find(&mut w.conn(), ws, id).await?,
        None => None,
    };
    let account = bilan_db::accounts::find(&mut w.conn(), ws, row.account_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let owner_id = match row.owner_id {
        Some(o) => Some(o),
        None => ctx.fallback(w).await?,
    };
    let owner = match owner_id {
        Some(o) => ctx.user(w, o).await?,
        None => None,
    };
    let owner_name = owner.as_ref().map(|u| u.display_name.clone()).unwrap_or_default();
    let lang = contact
        .as_ref()
        .and_then(|c| Lang::parse(c.language.code()))
        .unwrap_or(Lang::Fr);
    let payments = store::payments_of(&mut w.conn(), ws, row.id).await?;
    let late = super::late_charges_at(&invoice, &payments, ctx.today, &ctx.rates);
    let contact_name = contact.as_ref().map(|c| c.full_name()).unwrap_or_default();
    let text = reminder_text(
        lang,
        step,
        &invoice,
        &late,
        plan.add_late_charges,
        &contact_name,
        &account,
        &owner_name,
        &ctx.company,
        ctx.today,
    );
    rec.with_late_charges = text.with_late_charges;
    rec.contact_id = contact.as_ref().map(|c| c.id);
    // An e-mail needs an address; without one the owner calls instead.
    let address = contact.as_ref().and_then(|c| c.email.clone());
    let via = match (step.channel, &address) {
        (Channel::Email, None) => Channel::PhoneTask,
        (c, _) => c,
    };
    let Some(user) = owner_id else {
        // No one to log it for: the workspace has no administrator left.
        return Ok(None);
    };
    if via == Channel::Email {
        if let (Some(to), Some(c)) = (&address, &contact) {
            w.queue_mail(Outgoing {
                purpose: "invoice_reminder",
                subject_id: Some(invoice.id),
                to_address: to.clone(),
                to_name: Some(c.full_name()),
                subject: text.subject.clone(),
                html: crate::complaints::letters::html_of(&text.body),
                text: text.body.clone(),
                not_before: now,
                attachments: Vec::new(),
            });
        }
    }
    let follow_up = match via {
        Channel::Email => None,
        Channel::Letter => Some(NewFollowUp {
            what: t(lang_of(&owner), "invoices.task.letter").replace("{invoice}", &invoice.number),
            user_id: Some(user),
            due: ctx.today,
        }),
        Channel::PhoneTask => Some(NewFollowUp {
            what: t(lang_of(&owner), "invoices.task.call")
                .replace("{invoice}", &invoice.number)
                .replace("{contact}", &contact_name),
            user_id: Some(user),
            due: ctx.today,
        }),
    };
    let new = NewInteraction {
        account_id: invoice.account_id,
        occurred_at: now,
        channel: match via {
            Channel::Email => Via::Email,
            Channel::Letter => Via::Letter,
            Channel::PhoneTask => Via::Phone,
        },
        direction: Direction::Outbound,
        user_id: Some(user),
        contact_ids: contact.iter().map(|c| c.id).collect(),
        subject: Some(text.subject.clone()),
        summary: Some(text.body.clone()),
        tags: vec![REMINDER_TAG.to_owned()],
        beyond_contract: false,
        related_kind: Some("invoice".to_owned()),
        related_id: Some(invoice.id),
        external_ref: None,
        follow_up,
    };
    let interaction = crate::timeline::insert_one(&mut w.conn(), ws, user, &new, now).await?;
    store::set_reminder_details(
        &mut w.conn(),
        ws,
        rec.id,
        Some(interaction.id),
        rec.contact_id,
        rec.with_late_charges,
        via.code(),
    )
    .await?;
    Ok(Some(via))
}

fn lang_of(user: &Option<bilan_db::users::UserRow>) -> Lang {
    user.as_ref()
        .and_then(|u| u.language.as_deref())
        .and_then(Lang::parse)
        .unwrap_or(Lang::Fr)
}

/// Tells the account's owner that step `i` (firm) is coming for one invoice.
async fn notify_owner(w: &mut Work, ctx: &mut Context, row: &DueRow, plan: &Plan, i: usize) -> AppResult<bool> {
    let ws = w.workspace_id();
    let (Some(step), Some(owner_id)) = (plan.steps.get(i).copied(), row.owner_id) else {
        return Ok(false);
    };
    let rec = ReminderRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        invoice_id: row.id,
        step_index: i64::try_from(i).unwrap_or(0),
        kind: "owner_notice".to_owned(),
        channel: "email".to_owned(),
        tone: step.tone.code().to_owned(),
        sent_on: ctx.today,
        contact_id: None,
        interaction_id: None,
        with_late_charges: false,
        created_at: w.now(),
    };
    if !store::claim_reminder(&mut w.conn(), &rec).await? {
        return Ok(false);
    }
    let Some(owner) = ctx.user(w, owner_id).await? else {
        return Ok(false);
    };
    if owner.disabled_at.is_some() {
        return Ok(false);
    }
    let Some(invoice) = store::find(&mut w.conn(), ws, row.id).await? else {
        return Ok(false);
    };
    let account = bilan_db::accounts::find(&mut w.conn(), ws, row.account_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let lang = lang_of(&Some(owner.clone()));
    let on = row
        .due_on
        .checked_add_days(chrono::Days::new(u64::from(step.days_after_due)))
        .unwrap_or(row.due_on)
        .max(ctx.today);
    let fill = |s: &str| {
        s.replace("{invoice}", &invoice.number)
            .replace("{account}", &account)
            .replace("{amount}", &invoice.open().format(lang == Lang::Fr))
            .replace("{date}", &long_date(lang, on))
    };
    let subject = fill(t(lang, "invoices.notice.subject"));
    let text = format!(
        "{}\n\n{}/invoices/{}",
        fill(t(lang, "invoices.notice.body")),
        crate::outbox::PUBLIC_URL_MARKER,
        invoice.id
    );
    w.queue_mail(Outgoing {
        purpose: "invoice_owner_notice",
        subject_id: Some(invoice.id),
        to_address: owner.email.clone(),
        to_name: Some(owner.display_name.clone()),
        subject,
        html: crate::complaints::letters::html_of(&text),
        text,
        not_before: w.now(),
        attachments: Vec::new(),
    });
    Ok(true)
}
