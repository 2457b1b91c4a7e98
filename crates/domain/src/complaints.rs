//! Complaints and disputes (SPEC C4, "réclamations et litiges"): a written
//! complaint opens a case with its legal deadlines; the case moves through its
//! states by dated steps; a commercial gesture is recorded in exact money; and
//! the route beyond (consumer or inter-company mediation, then the court) is
//! dated too.
//!
//! The law (Code de la consommation L612-2, R612-5): the consumer writes to the
//! professional first; they may go to the consumer mediator once the complaint is
//! unanswered or unresolved, at the latest one year after the written complaint;
//! the mediator concludes within 90 days of notifying the parties. Between
//! businesses, inter-company mediation has no such deadlines.

use crate::calendar::{add_days, add_months, add_working_days};
use crate::money::{parse_amount, Currency, Money};
use crate::roles::Permission;
use crate::timeline::Channel;
use crate::validation::{clean, optional_text, required_text, ValidationErrors};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest summary (the client's own words), in characters.
pub const SUMMARY_MAX: usize = 20_000;
/// Longest "what it concerns" (an invoice number, a delivery, a site).
pub const CONCERNS_MAX: usize = 300;
/// Longest reason of a step, in characters (an answer letter's text fits).
pub const REASON_MAX: usize = 10_000;
/// Months after the written complaint during which a consumer may ask the mediator.
pub const CONSUMER_MEDIATION_MONTHS: u32 = 12;
/// Days the mediator has to conclude, from notifying the parties.
pub const MEDIATION_DAYS: u64 = 90;

code_enum! {
    /// Where a case stands.
    ComplaintState {
        /// Received, nothing sent yet.
        Received => "received",
        /// Receipt acknowledged to the client.
        Acknowledged => "acknowledged",
        /// Being looked into.
        Investigating => "investigating",
        /// The answer went out; waiting for the client.
        Answered => "answered",
        /// Settled to the client's satisfaction.
        Resolved => "resolved",
        /// Refused (the claim is not founded).
        Refused => "refused",
        /// Before a mediator.
        InMediation => "in_mediation",
        /// Before a court.
        InCourt => "in_court",
        /// Closed for good.
        Closed => "closed",
    }
}

code_enum! {
    /// What the complaint is about.
    Category {
        /// Delivery (late, incomplete, damaged).
        Delivery => "delivery",
        /// Quality of the product or the work.
        Quality => "quality",
        /// An invoice (amount, terms, error).
        Invoice => "invoice",
        /// The service (support, attitude, response time).
        Service => "service",
        /// The price.
        Price => "price",
        /// Anything else.
        Other => "other",
    }
}

code_enum! {
    /// How serious the complaint is.
    Severity {
        /// Low.
        Low => "low",
        /// Medium.
        Medium => "medium",
        /// High.
        High => "high",
        /// Critical: the relationship is at stake.
        Critical => "critical",
    }
}

code_enum! {
    /// Whether the client acts as a business or as a consumer (a sole trader may be
    /// either), which decides the route to mediation.
    ClientKind {
        /// A business: inter-company mediation.
        Business => "business",
        /// A consumer: consumer mediation with its legal deadlines.
        Consumer => "consumer",
    }
}

code_enum! {
    /// A commercial gesture granted to settle a case.
    GestureKind {
        /// A credit note (avoir).
        CreditNote => "credit_note",
        /// A discount on a next order.
        Discount => "discount",
        /// A replacement.
        Replacement => "replacement",
        /// A free service.
        FreeService => "free_service",
    }
}

code_enum! {
    /// A deadline of a case.
    DeadlineKind {
        /// Acknowledge receipt.
        Acknowledge => "acknowledge",
        /// Answer within the direct-handling period.
        Answer => "answer",
        /// The mediator's conclusion.
        MediationConclusion => "mediation_conclusion",
    }
}

impl ComplaintState {
    /// The states a case may move to from this one.
    pub fn next(self) -> &'static [ComplaintState] {
        use ComplaintState::*;
        match self {
            Received => &[Acknowledged, Investigating, Answered, Resolved, Refused],
            Acknowledged => &[Investigating, Answered, Resolved, Refused, InMediation],
            Investigating => &[Answered, Resolved, Refused, InMediation],
            Answered => &[Investigating, Resolved, Refused, InMediation, InCourt, Closed],
            Resolved => &[Closed, InMediation, InCourt],
            Refused => &[InMediation, InCourt, Closed],
            InMediation => &[Resolved, Refused, InCourt, Closed],
            InCourt => &[Resolved, Closed],
            Closed => &[],
        }
    }

    /// Whether the case still asks something of someone (everything but resolved,
    /// refused and closed).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ComplaintState::Resolved | ComplaintState::Refused | ComplaintState::Closed
        )
    }

    /// The states counted as open.
    pub fn open_states() -> Vec<ComplaintState> {
        Self::ALL.iter().copied().filter(|s| s.is_open()).collect()
    }
}

/// The permission a step takes: handling a case (acknowledge, investigate, answer,
/// resolve without a gesture, close) is everyday work; granting a gesture,
/// refusing a claim and going to mediation or court commit the company.
pub fn required_permission(to: ComplaintState, with_gesture: bool) -> Permission {
    use ComplaintState::*;
    match to {
        Refused | InMediation | InCourt => Permission::SettleComplaints,
        Resolved if with_gesture => Permission::SettleComplaints,
        _ => Permission::WriteComplaints,
    }
}

/// A workspace's rules: how long it gives itself to acknowledge and to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRules {
    /// Working days to acknowledge receipt (default 2).
    pub acknowledge_working_days: u32,
    /// Months to answer, from receipt (default 2: the direct-handling period).
    pub answer_months: u32,
}

impl Default for ComplaintRules {
    fn default() -> Self {
        Self {
            acknowledge_working_days: 2,
            answer_months: 2,
        }
    }
}

/// Allowed working days to acknowledge.
pub const ACKNOWLEDGE_DAYS: std::ops::RangeInclusive<u32> = 0..=30;
/// Allowed months to answer (the consumer may go to the mediator after two).
pub const ANSWER_MONTHS: std::ops::RangeInclusive<u32> = 1..=12;

/// A case's deadlines, as calendar dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// Acknowledge receipt by.
    pub acknowledge_by: NaiveDate,
    /// Answer by (end of the direct-handling period).
    pub answer_by: NaiveDate,
    /// For a consumer: the last day they may ask the consumer mediator.
    pub mediation_request_by: Option<NaiveDate>,
    /// Once in mediation: the day by which the mediator must conclude.
    pub mediation_concludes_by: Option<NaiveDate>,
}

/// The deadlines of a complaint received on `received_on`, under `rules`.
pub fn deadlines(
    rules: ComplaintRules,
    received_on: NaiveDate,
    client: ClientKind,
    mediation_notified_on: Option<NaiveDate>,
) -> Deadlines {
    Deadlines {
        acknowledge_by: add_working_days(received_on, rules.acknowledge_working_days).unwrap_or(received_on),
        answer_by: add_months(received_on, rules.answer_months).unwrap_or(received_on),
        mediation_request_by: (client == ClientKind::Consumer)
            .then(|| add_months(received_on, CONSUMER_MEDIATION_MONTHS))
            .flatten(),
        mediation_concludes_by: mediation_notified_on.and_then(|d| add_days(d, MEDIATION_DAYS)),
    }
}

/// A deadline that still asks something of the supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    /// Which deadline.
    pub kind: DeadlineKind,
    /// By when.
    pub by: NaiveDate,
}

impl Due {
    /// Whether the day has passed at `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.by < today
    }
}

/// What is still due in `state`, soonest first: the acknowledgement until it is
/// sent, the answer until it is given, the mediator's conclusion while in mediation.
pub fn due(state: ComplaintState, d: &Deadlines) -> Vec<Due> {
    use ComplaintState::*;
    let mut out = Vec::new();
    if state == Received {
        out.push(Due {
            kind: DeadlineKind::Acknowledge,
            by: d.acknowledge_by,
        });
    }
    if matches!(state, Received | Acknowledged | Investigating) {
        out.push(Due {
            kind: DeadlineKind::Answer,
            by: d.answer_by,
        });
    }
    if state == InMediation {
        if let Some(by) = d.mediation_concludes_by {
            out.push(Due {
                kind: DeadlineKind::MediationConclusion,
                by,
            });
        }
    }
    out.sort_by_key(|x| x.by);
    out
}

/// Whether a deadline on `by` calls for an alert at `today`, and which: the eve
/// (the day before) or overdue (the day after, and each day after that until
/// it is met — but an alert is sent once per stage).
pub fn alert_stage(by: NaiveDate, today: NaiveDate) -> Option<AlertStage> {
    if by.pred_opt() == Some(today) || by == today {
        Some(AlertStage::Eve)
    } else if by < today {
        Some(AlertStage::Overdue)
    } else {
        None
    }
}

code_enum! {
    /// The moment an owner is told about a deadline.
    AlertStage {
        /// The day before (or the day itself, for a deadline set at short notice).
        Eve => "eve",
        /// The deadline passed.
        Overdue => "overdue",
    }
}

/// A complaint as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaint {
    /// UUIDv7 identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Number in the workspace, for letters ("R-2026-0042" is built from it).
    pub number: i64,
    /// The account.
    pub account_id: Uuid,
    /// Who complained.
    pub contact_id: Option<Uuid>,
    /// The exchange it came from (its first entry).
    pub interaction_id: Option<Uuid>,
    /// The invoice it is about: its reminders wait while the case is open.
    pub invoice_id: Option<Uuid>,
    /// When the written complaint was received.
    pub received_on: NaiveDate,
    /// How it came.
    pub channel: Channel,
    /// Business or consumer.
    pub client_kind: ClientKind,
    /// Category.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// What it concerns (an invoice number, a delivery, a site).
    pub concerns: Option<String>,
    /// The client's own words.
    pub summary: String,
    /// Who handles it.
    pub owner_id: Uuid,
    /// Where it stands.
    pub state: ComplaintState,
    /// Its deadlines.
    pub deadlines: Deadlines,
    /// When mediation was notified to the parties.
    pub mediation_notified_on: Option<NaiveDate>,
    /// When receipt was acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// When the (first) answer went out: answered, resolved or refused.
    pub answered_on: Option<NaiveDate>,
    /// When it was resolved.
    pub resolved_on: Option<NaiveDate>,
    /// When it was closed.
    pub closed_on: Option<NaiveDate>,
    /// The gesture granted, if any.
    pub gesture: Option<Gesture>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation instant.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last update instant.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Complaint {
    /// The reference people quote: `R-2026-0042` (year of receipt, number).
    pub fn reference(&self) -> String {
        reference(self.received_on, self.number)
    }

    /// What is still due, soonest first.
    pub fn due(&self) -> Vec<Due> {
        due(self.state, &self.deadlines)
    }

    /// The next deadline still due.
    pub fn next_due(&self) -> Option<Due> {
        self.due().into_iter().next()
    }

    /// Whether a deadline still due has passed at `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.next_due().is_some_and(|d| d.is_overdue(today))
    }
}

/// The reference of case `number` received on `received_on`.
pub fn reference(received_on: NaiveDate, number: i64) -> String {
    format!("R-{}-{number:04}", chrono::Datelike::year(&received_on))
}

/// A commercial gesture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gesture {
    /// Its kind.
    pub kind: GestureKind,
    /// Its value.
    pub amount: Money,
}

/// A dated step of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Identifier.
    pub id: Uuid,
    /// The case.
    pub complaint_id: Uuid,
    /// From (none for the opening).
    pub from_state: Option<ComplaintState>,
    /// To.
    pub to_state: ComplaintState,
    /// The day it happened.
    pub on: NaiveDate,
    /// Who moved it (none for the command line or a job).
    pub user_id: Option<Uuid>,
    /// Why, or the answer's text.
    pub reason: Option<String>,
    /// A gesture granted with it.
    pub gesture: Option<Gesture>,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A complaint as typed in a form, the API or a CSV file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ComplaintInput {
    /// Account id.
    pub account_id: Option<String>,
    /// Contact id.
    pub contact_id: Option<String>,
    /// The exchange it came from.
    pub interaction_id: Option<String>,
    /// The invoice it is about.
    pub invoice_id: Option<String>,
    /// Date of receipt.
    pub received_on: Option<String>,
    /// Channel code.
    pub channel: Option<String>,
    /// Business or consumer.
    pub client_kind: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Severity code.
    pub severity: Option<String>,
    /// What it concerns.
    pub concerns: Option<String>,
    /// The client's words.
    pub summary: Option<String>,
    /// Owner user id.
    pub owner_id: Option<String>,
}

/// A validated new complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComplaint {
    /// Account.
    pub account_id: Uuid,
    /// Contact.
    pub contact_id: Option<Uuid>,
    /// Source exchange.
    pub interaction_id: Option<Uuid>,
    /// The invoice it is about.
    pub invoice_id: Option<Uuid>,
    /// Receipt.
    pub received_on: NaiveDate,
    /// Channel.
    pub channel: Channel,
    /// Business or consumer.
    pub client_kind: ClientKind,
    /// Category.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// What it concerns.
    pub concerns: Option<String>,
    /// The client's words.
    pub summary: String,
    /// Owner (default: whoever opens it).
    pub owner_id: Option<Uuid>,
}

fn opt_id(e: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<Uuid> {
    let v = clean(raw)?;
    match Uuid::parse_str(&v) {
        Ok(id) => Some(id),
        Err(_) => {
            e.add(field, "id.invalid");
            None
        }
    }
}

fn required_code<T>(
    e: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    match clean(raw) {
        None => {
            e.add(field, "required");
            None
        }
        Some(v) => {
            let parsed = parse(&v);
            if parsed.is_none() {
                e.add(field, &format!("{field}.invalid"));
            }
            parsed
        }
    }
}

/// A code checked when the field is present at all.
fn present_code<T>(
    e: &mut ValidationErrors,
    field: &str,
    raw: &Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    raw.as_ref()
        .and_then(|_| required_code(e, field, raw.as_deref(), parse))
}

fn required_date(e: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    match clean(raw) {
        None => {
            e.add(field, "required");
            None
        }
        Some(v) => {
            let d = crate::accounts::parse_date(&v);
            if d.is_none() {
                e.add(field, "date.invalid");
            }
            d
        }
    }
}

impl ComplaintInput {
    /// Validates every field; a missing severity is medium, a missing client kind
    /// a business (Bilan's users sell to companies).
    pub fn validate(&self, today: NaiveDate) -> Result<NewComplaint, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let account_id = match clean(self.account_id.as_deref()) {
            None => {
                e.add("account_id", "required");
                None
            }
            Some(_) => opt_id(&mut e, "account_id", self.account_id.as_deref()),
        };
        let contact_id = opt_id(&mut e, "contact_id", self.contact_id.as_deref());
        let interaction_id = opt_id(&mut e, "interaction_id", self.interaction_id.as_deref());
        let invoice_id = opt_id(&mut e, "invoice_id", self.invoice_id.as_deref());
        let owner_id = opt_id(&mut e, "owner_id", self.owner_id.as_deref());
        let received_on = required_date(&mut e, "received_on", self.received_on.as_deref());
        if received_on.is_some_and(|d| d > today) {
            e.add("received_on", "date.future");
        }
        let channel = required_code(&mut e, "channel", self.channel.as_deref(), Channel::parse);
        let client_kind = match clean(self.client_kind.as_deref()) {
            None => Some(ClientKind::Business),
            Some(_) => required_code(&mut e, "client_kind", self.client_kind.as_deref(), ClientKind::parse),
        };
        let category = required_code(&mut e, "category", self.category.as_deref(), Category::parse);
        let severity = match clean(self.severity.as_deref()) {
            None => Some(Severity::Medium),
            Some(_) => required_code(&mut e, "severity", self.severity.as_deref(), Severity::parse),
        };
        let concerns = optional_text(&mut e, "concerns", self.concerns.as_deref(), CONCERNS_MAX);
        let summary = required_text(&mut e, "summary", self.summary.as_deref(), SUMMARY_MAX);
        e.into_result()?;
        match (account_id, received_on, channel, client_kind, category, severity) {
            (Some(account_id), Some(received_on), Some(channel), Some(client_kind), Some(category), Some(severity)) => {
                Ok(NewComplaint {
                    account_id,
                    contact_id,
                    interaction_id,
                    invoice_id,
                    received_on,
                    channel,
                    client_kind,
                    category,
                    severity,
                    concerns,
                    summary,
                    owner_id,
                })
            }
            _ => {
                let mut e = ValidationErrors::new();
                e.add("account_id", "required");
                Err(e)
            }
        }
    }
}

/// A step as typed: the target state, its date, a reason, a gesture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransitionInput {
    /// Target state code.
    pub to: Option<String>,
    /// The day it happened.
    pub on: Option<String>,
    /// Why, or the answer's text.
    pub reason: Option<String>,
    /// Gesture kind code.
    pub gesture_kind: Option<String>,
    /// Gesture amount, decimal text.
    pub gesture_amount: Option<String>,
    /// Gesture currency (default EUR).
    pub gesture_currency: Option<String>,
    /// Whether to send the client the letter this step calls for (default yes).
    pub send_letter: Option<String>,
}

/// A step checked against the case it moves.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// From.
    pub from: ComplaintState,
    /// To.
    pub to: ComplaintState,
    /// The day.
    pub on: NaiveDate,
    /// Why.
    pub reason: Option<String>,
    /// A gesture.
    pub gesture: Option<Gesture>,
    /// Whether the client gets the step's letter.
    pub send_letter: bool,
}

impl TransitionInput {
    /// Checks the step against `case`, whose last step was on `last_step_on`, at
    /// `today`: the move must be allowed from the case's state, dated between the
    /// last step and today, a refusal must say why, a gesture goes with a
    /// resolution, and a consumer may ask the mediator only once the answer period
    /// is over or the answer given, and at the latest a year after the complaint.
    pub fn check(
        &self,
        case: &Complaint,
        last_step_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Transition, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let to = required_code(&mut e, "to", self.to.as_deref(), ComplaintState::parse);
        let on = required_date(&mut e, "on", self.on.as_deref());
        let reason = optional_text(&mut e, "reason", self.reason.as_deref(), REASON_MAX);
        let gesture = self.gesture(&mut e);
        let send_letter = match clean(self.send_letter.as_deref()) {
            None => true,
            Some(v) => crate::contacts::parse_bool(&v).unwrap_or_else(|| {
                e.add("send_letter", "bool.invalid");
                true
            }),
        };
        if let Some(to) = to {
            if !case.state.next().contains(&to) {
                e.add("to", "complaint.transition_not_allowed");
            }
            if to == ComplaintState::Refused && reason.is_none() {
                e.add("reason", "complaint.reason_required");
            }
            if gesture.is_some() && to != ComplaintState::Resolved {
                e.add("gesture_kind", "complaint.gesture_on_resolution");
            }
        }
        if let Some(on) = on {
            if on < case.received_on {
                e.add("on", "complaint.before_receipt");
            } else if on < last_step_on {
                e.add("on", "complaint.before_last_step");
            }
            if on > today {
                e.add("on", "date.future");
            }
            if to == Some(ComplaintState::InMediation) && case.client_kind == ClientKind::Consumer {
                let answered = case.answered_on.is_some();
                if !answered && on <= case.deadlines.answer_by {
                    e.add("on", "complaint.mediation_too_early");
                }
                if case.deadlines.mediation_request_by.is_some_and(|by| on > by) {
                    e.add("on", "complaint.mediation_too_late");
                }
            }
        }
        e.into_result()?;
        match (to, on) {
            (Some(to), Some(on)) => Ok(Transition {
                from: case.state,
                to,
                on,
                reason,
                gesture,
                send_letter,
            }),
            _ => {
                let mut e = ValidationErrors::new();
                e.add("to", "required");
                Err(e)
            }
        }
    }

    fn gesture(&self, e: &mut ValidationErrors) -> Option<Gesture> {
        let kind_raw = clean(self.gesture_kind.as_deref());
        let amount_raw = clean(self.gesture_amount.as_deref());
        if kind_raw.is_none() && amount_raw.is_none() {
            return None;
        }
        let kind = required_code(e, "gesture_kind", self.gesture_kind.as_deref(), GestureKind::parse);
        let currency = match clean(self.gesture_currency.as_deref()) {
            None => Some(Currency::EUR),
            Some(c) => {
                let parsed = Currency::parse(&c);
                if parsed.is_none() {
                    e.add("gesture_currency", "currency.invalid");
                }
                parsed
            }
        };
        let amount = match amount_raw {
            None => {
                // A replacement or a free service may have no stated value.
                if matches!(kind, Some(GestureKind::CreditNote | GestureKind::Discount)) {
                    e.add("gesture_amount", "required");
                }
                Some(Decimal::ZERO)
            }
            Some(raw) => match parse_amount(&raw) {
                Some(d) if d < Decimal::ZERO => {
                    e.add("gesture_amount", "amount.negative");
                    None
                }
                Some(d)
                    if d == Decimal::ZERO && matches!(kind, Some(GestureKind::CreditNote | GestureKind::Discount)) =>
                {
                    e.add("gesture_amount", "amount.zero");
                    None
                }
                Some(d) => Some(d),
                None => {
                    e.add("gesture_amount", "amount.invalid");
                    None
                }
            },
        };
        let (kind, currency, amount) = (kind?, currency?, amount?);
        match Money::from_decimal(amount, currency) {
            Some(m) => Some(Gesture { kind, amount: m }),
            None => {
                e.add("gesture_amount", "amount.precision");
                None
            }
        }
    }
}

/// The case after `t`: its state, the dates each state sets the first time, and
/// the mediator's deadline once mediation is notified.
pub fn apply(case: &Complaint, t: &Transition) -> Complaint {
    use ComplaintState::*;
    let mut c = case.clone();
    c.state = t.to;
    match t.to {
        Acknowledged => {
            c.acknowledged_on.get_or_insert(t.on);
        }
        Answered | Refused => {
            c.answered_on.get_or_insert(t.on);
        }
        Resolved => {
            c.answered_on.get_or_insert(t.on);
            c.resolved_on = Some(t.on);
        }
        InMediation => {
            c.mediation_notified_on = Some(t.on);
            c.deadlines.mediation_concludes_by = add_days(t.on, MEDIATION_DAYS);
        }
        Closed => c.closed_on = Some(t.on),
        Received | Investigating | InCourt => {}
    }
    // Answering before acknowledging acknowledges too: the client heard from us.
    if c.acknowledged_on.is_none() && t.to != Investigating {
        c.acknowledged_on = Some(t.on);
    }
    if let Some(g) = t.gesture {
        c.gesture = Some(g);
    }
    c
}

/// Changes to a case's description, as typed: each field present replaces, an
/// empty text clears the optional ones (contact, what it concerns).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditInput {
    /// Contact id (empty: none).
    pub contact_id: Option<String>,
    /// Business or consumer.
    pub client_kind: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Severity code.
    pub severity: Option<String>,
    /// What it concerns (empty: nothing).
    pub concerns: Option<String>,
    /// Owner user id.
    pub owner_id: Option<String>,
}

/// A checked edit: `None` keeps the field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edit {
    /// Contact.
    pub contact_id: Option<Option<Uuid>>,
    /// Business or consumer.
    pub client_kind: Option<ClientKind>,
    /// Category.
    pub category: Option<Category>,
    /// Severity.
    pub severity: Option<Severity>,
    /// What it concerns.
    pub concerns: Option<Option<String>>,
    /// Owner.
    pub owner_id: Option<Uuid>,
}

impl EditInput {
    /// Checks each field present.
    pub fn validate(&self) -> Result<Edit, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let edit = Edit {
            contact_id: self
                .contact_id
                .as_ref()
                .map(|_| opt_id(&mut e, "contact_id", self.contact_id.as_deref())),
            client_kind: present_code(&mut e, "client_kind", &self.client_kind, ClientKind::parse),
            category: present_code(&mut e, "category", &self.category, Category::parse),
            severity: present_code(&mut e, "severity", &self.severity, Severity::parse),
            concerns: self
                .concerns
                .as_ref()
                .map(|_| optional_text(&mut e, "concerns", self.concerns.as_deref(), CONCERNS_MAX)),
            owner_id: match clean(self.owner_id.as_deref()) {
                None if self.owner_id.is_some() => {
                    e.add("owner_id", "required");
                    None
                }
                None => None,
                Some(_) => opt_id(&mut e, "owner_id", self.owner_id.as_deref()),
            },
        };
        e.into_result()?;
        Ok(edit)
    }
}

/// The case after `edit`. Changing whether the client is a consumer changes the
/// route to mediation: the date until which a consumer may ask the mediator
/// appears or goes; the other deadlines stay as announced.
pub fn apply_edit(case: &Complaint, edit: &Edit) -> Complaint {
    let mut c = case.clone();
    if let Some(x) = edit.contact_id {
        c.contact_id = x;
    }
    if let Some(k) = edit.client_kind {
        c.client_kind = k;
        c.deadlines.mediation_request_by = (k == ClientKind::Consumer)
            .then(|| add_months(c.received_on, CONSUMER_MEDIATION_MONTHS))
            .flatten();
    }
    if let Some(x) = edit.category {
        c.category = x;
    }
    if let Some(x) = edit.severity {
        c.severity = x;
    }
    if let Some(x) = &edit.concerns {
        c.concerns = x.clone();
    }
    if let Some(x) = edit.owner_id {
        c.owner_id = x;
    }
    c
}

/// Settings of a workspace's complaint handling, as typed in the settings form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RulesInput {
    /// Working days to acknowledge.
    pub acknowledge_working_days: Option<String>,
    /// Months to answer.
    pub answer_months: Option<String>,
}

impl RulesInput {
    /// Validates the ranges.
    pub fn validate(&self) -> Result<ComplaintRules, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut number =
            |field: &str, raw: Option<&str>, range: std::ops::RangeInclusive<u32>, default: u32| match clean(raw) {
                None => default,
                Some(v) => match v.parse::<u32>() {
                    Ok(n) if range.contains(&n) => n,
                    _ => {
                        e.add(field, &format!("complaint.{field}.range"));
                        default
                    }
                },
            };
        let d = ComplaintRules::default();
        let acknowledge_working_days = number(
            "acknowledge_working_days",
            self.acknowledge_working_days.as_deref(),
            ACKNOWLEDGE_DAYS,
            d.acknowledge_working_days,
        );
        let answer_months = number(
            "answer_months",
            self.answer_months.as_deref(),
            ANSWER_MONTHS,
            d.answer_months,
        );
        e.into_result()?;
        Ok(ComplaintRules {
            acknowledge_working_days,
            answer_months,
        })
    }
}

/// One case's facts for the figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseFacts {
    /// Received.
    pub received_on: NaiveDate,
    /// State.
    pub state: ComplaintState,
    /// Acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// Answered.
    pub answered_on: Option<NaiveDate>,
    /// Resolved.
    pub resolved_on: Option<NaiveDate>,
    /// Answer deadline.
    pub answer_by: NaiveDate,
    /// Next deadline still due.
    pub next_due_on: Option<NaiveDate>,
    /// Category.
    pub category: Category,
    /// Gesture value, if any.
    pub gesture: Option<Money>,
}

/// The complaint figures, one formula for pages, API, CLI and exports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Cases counted.
    pub cases: u64,
    /// Open cases.
    pub open: u64,
    /// Open cases with a deadline passed.
    pub overdue: u64,
    /// Median days from receipt to acknowledgement.
    pub median_days_to_acknowledge: Option<Decimal>,
    /// Median days from receipt to resolution.
    pub median_days_to_resolve: Option<Decimal>,
    /// Share of answered cases answered within the period, in percent (one decimal).
    pub answered_within_period_pct: Option<Decimal>,
    /// Cases by category, largest first.
    pub by_category: Vec<(Category, u64)>,
    /// Gestures granted, total per currency.
    pub gestures: Vec<Money>,
    /// Cases with a gesture.
    pub gesture_count: u64,
}

/// The median of `values` (the mean of the two middle ones for an even count).
pub fn median(values: &mut [i64]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    let mid = n / 2;
    Some(if n % 2 == 1 {
        Decimal::from(values[mid])
    } else {
        (Decimal::from(values[mid - 1]) + Decimal::from(values[mid])) / Decimal::from(2)
    })
}

/// Computes the figures of `cases` at `today`.
pub fn figures(cases: &[CaseFacts], today: NaiveDate) -> Figures {
    let days = |from: NaiveDate, to: NaiveDate| to.signed_duration_since(from).num_days();
    let mut ack: Vec<i64> = cases
        .iter()
        .filter_map(|c| c.acknowledged_on.map(|a| days(c.received_on, a)))
        .collect();
    let mut res: Vec<i64> = cases
        .iter()
        .filter_map(|c| c.resolved_on.map(|r| days(c.received_on, r)))
        .collect();
    let answered: Vec<&CaseFacts> = cases.iter().filter(|c| c.answered_on.is_some()).collect();
    let within = answered
        .iter()
        .filter(|c| c.answered_on.is_some_and(|a| a <= c.answer_by))
        .count();
    let pct = (!answered.is_empty()).then(|| {
        (Decimal::from(within as u64) * Decimal::from(100) / Decimal::from(answered.len() as u64))
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    });
    let mut by_category: Vec<(Category, u64)> = Category::ALL
        .iter()
        .map(|k| (*k, cases.iter().filter(|c| c.category == *k).count() as u64))
        .filter(|(_, n)| *n > 0)
        .collect();
    by_category.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut gestures: Vec<Money> = Vec::new();
    for g in cases.iter().filter_map(|c| c.gesture) {
        match gestures.iter_mut().find(|m| m.currency == g.currency) {
            Some(m) => m.minor = m.minor.saturating_add(g.minor),
            None => gestures.push(g),
        }
    }
    gestures.sort_by(|a, b| a.currency.as_str().cmp(b.currency.as_str()));
    Figures {
        cases: cases.len() as u64,
        open: cases.iter().filter(|c| c.state.is_open()).count() as u64,
        overdue: cases
            .iter()
            .filter(|c| c.next_due_on.is_some_and(|d| d < today))
            .count() as u64,
        median_days_to_acknowledge: median(&mut ack),
        median_days_to_resolve: median(&mut res),
        answered_within_period_pct: pct,
        by_category,
        gesture_count: cases.iter().filter(|c| c.gesture.is_some()).count() as u64,
        gestures,
    }
}

/// The next deadline still due in `state`, as stored for sorting and filtering.
pub fn next_due_on(state: ComplaintState, d: &Deadlines) -> Option<NaiveDate> {
    due(state, d).first().map(|x| x.by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn case(received: &str, kind: ClientKind, state: ComplaintState) -> Complaint {
        let received_on = d(received);
        Complaint {
            id: Uuid::nil(),
            workspace_id: Uuid::nil(),
            number: 1,
            account_id: Uuid::nil(),
            contact_id: None,
            interaction_id: None,
            invoice_id: None,
            received_on,
            channel: Channel::Email,
            client_kind: kind,
            category: Category::Delivery,
            severity: Severity::Medium,
            concerns: None,
            summary: "Livraison incomplète".into(),
            owner_id: Uuid::nil(),
            state,
            deadlines: deadlines(ComplaintRules::default(), received_on, kind, None),
            mediation_notified_on: None,
            acknowledged_on: None,
            answered_on: None,
            resolved_on: None,
            closed_on: None,
            gesture: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn step(to: &str, on: &str) -> TransitionInput {
        TransitionInput {
            to: Some(to.into()),
            on: Some(on.into()),
            ..Default::default()
        }
    }

    #[test]
    fn deadlines_on_hand_computed_dates() {
        let r = ComplaintRules::default();
        // Received on Saturday 31 January 2026 (consumer).
        let x = deadlines(r, d("2026-01-31"), ClientKind::Consumer, None);
        assert_eq!(x.acknowledge_by, d("2026-02-03"), "Monday 2 and Tuesday 3 February");
        assert_eq!(x.answer_by, d("2026-03-31"), "two months, 31st kept");
        assert_eq!(x.mediation_request_by, Some(d("2027-01-31")));
        // 31 December 2026: 1 January is a holiday, 2–3 are a weekend.
        let y = deadlines(r, d("2026-12-31"), ClientKind::Business, None);
        assert_eq!(y.acknowledge_by, d("2027-01-05"));
        assert_eq!(
            y.answer_by,
            d("2027-02-28"),
            "31 December + 2 months clamps to 28 February"
        );
        assert_eq!(y.mediation_request_by, None, "no consumer deadline between businesses");
        // 29 February 2028 (a Tuesday).
        let z = deadlines(r, d("2028-02-29"), ClientKind::Consumer, Some(d("2028-06-01")));
        assert_eq!(z.acknowledge_by, d("2028-03-02"));
        assert_eq!(z.answer_by, d("2028-04-29"));
        assert_eq!(
            z.mediation_request_by,
            Some(d("2029-02-28")),
            "a year later clamps to 28 February"
        );
        assert_eq!(
            z.mediation_concludes_by,
            Some(d("2028-08-30")),
            "90 days after notification"
        );
        // A month-end receipt with a one-month period.
        let one = ComplaintRules {
            acknowledge_working_days: 5,
            answer_months: 1,
        };
        let w = deadlines(one, d("2026-01-30"), ClientKind::Business, None);
        assert_eq!(w.answer_by, d("2026-02-28"));
        assert_eq!(w.acknowledge_by, d("2026-02-06"));
    }

    #[test]
    fn what_is_due_follows_the_state() {
        let c = case("2026-11-02", ClientKind::Business, ComplaintState::Received);
        let due = c.due();
        assert_eq!(due.len(), 2);
        assert_eq!(due[0].kind, DeadlineKind::Acknowledge);
        assert_eq!(due[0].by, d("2026-11-04"));
        assert!(c.is_overdue(d("2026-11-05")));
        assert!(!c.is_overdue(d("2026-11-04")), "due today is not late");
        let mut a = c.clone();
        a.state = ComplaintState::Investigating;
        assert_eq!(a.next_due().unwrap().kind, DeadlineKind::Answer);
        a.state = ComplaintState::Answered;
        assert!(a.due().is_empty(), "waiting for the client");
        assert_eq!(next_due_on(ComplaintState::Closed, &a.deadlines), None);
    }

    #[test]
    fn every_transition_is_allowed_or_refused_by_state() {
        for from in ComplaintState::ALL {
            for to in ComplaintState::ALL {
                let mut c = case("2026-01-05", ClientKind::Business, *from);
                c.answered_on = Some(d("2026-01-10"));
                let mut s = step(to.code(), "2026-02-01");
                s.reason = Some("Motif".into());
                let r = s.check(&c, d("2026-01-10"), d("2026-12-04"));
                let allowed = from.next().contains(to);
                assert_eq!(r.is_ok(), allowed, "{from:?} → {to:?}: {r:?}");
                if !allowed {
                    assert!(r.unwrap_err().for_field("to").is_some());
                }
            }
        }
        assert!(ComplaintState::Closed.next().is_empty(), "closed is final");
    }

    #[test]
    fn settling_takes_more_than_handling() {
        use ComplaintState::*;
        assert_eq!(required_permission(Acknowledged, false), Permission::WriteComplaints);
        assert_eq!(required_permission(Resolved, false), Permission::WriteComplaints);
        assert_eq!(required_permission(Resolved, true), Permission::SettleComplaints);
        assert_eq!(required_permission(Refused, false), Permission::SettleComplaints);
        assert_eq!(required_permission(InMediation, false), Permission::SettleComplaints);
        assert_eq!(required_permission(Closed, false), Permission::WriteComplaints);
    }

    #[test]
    fn steps_are_dated_between_receipt_and_today() {
        let c = case("2026-11-10", ClientKind::Business, ComplaintState::Received);
        let e = step("answered", "2026-11-09")
            .check(&c, d("2026-11-10"), d("2026-12-04"))
            .unwrap_err();
        assert_eq!(e.for_field("on").unwrap().code, "complaint.before_receipt");
        let e = step("answered", "2026-11-12")
            .check(&c, d("2026-11-15"), d("2026-12-04"))
            .unwrap_err();
        assert_eq!(e.for_field("on").unwrap().code, "complaint.before_last_step");
        let e = step("answered", "2026-12-05")
            .check(&c, d("2026-11-10"), d("2026-12-04"))
            .unwrap_err();
        assert_eq!(e.for_field("on").unwrap().code, "date.future");
        let e = step("answered", "31/02/2026")
            .check(&c, d("2026-11-10"), d("2026-12-04"))
            .unwrap_err();
        assert_eq!(e.for_field("on").unwrap().code, "date.invalid");
        assert!(step("answered", "10/11/2026")
            .check(&c, d("2026-11-10"), d("2026-12-04"))
            .is_ok());
    }

    #[test]
    fn refusals_say_why_and_gestures_settle() {
        let c = case("2026-11-10", ClientKind::Business, ComplaintState::Investigating);
        let e = step("refused", "2026-11-20")
            .check(&c, d("2026-11-10"), d("2026-12-04"))
            .unwrap_err();
        assert_eq!(e.for_field("reason").unwrap().code, "complaint.reason_required");
        let mut s = step("resolved", "2026-11-20");
        s.gesture_kind = Some("credit_note".into());
        s.gesture_amount = Some("1 250,50".into());
        let t = s.check(&c, d("2026-11-10"), d("2026-12-04")).unwrap();
        assert_eq!(t.gesture.unwrap().amount.minor, 125_050);
        s.gesture_amount = Some("12.345".into());
        let e = s.check(&c, d("2026-11-10"), d("2026-12-04")).unwrap_err();
        assert_eq!(e.for_field("gesture_amount").unwrap().code, "amount.precision");
        s.gesture_amount = Some("-5".into());
        assert!(s.check(&c, d("2026-11-10"), d("2026-12-04")).is_err());
        s.gesture_amount = None;
        assert_eq!(
            s.check(&c, d("2026-11-10"), d("2026-12-04"))
                .unwrap_err()
                .for_field("gesture_amount")
                .unwrap()
                .code,
            "required"
        );
        s.gesture_kind = Some("replacement".into());
        assert!(
            s.check(&c, d("2026-11-10"), d("2026-12-04")).is_ok(),
            "a replacement may have no stated value"
        );
        let mut g = step("answered", "2026-11-20");
        g.gesture_kind = Some("discount".into());
        g.gesture_amount = Some("100".into());
        let e = g.check(&c, d("2026-11-10"), d("2026-12-04")).unwrap_err();
        assert_eq!(
            e.for_field("gesture_kind").unwrap().code,
            "complaint.gesture_on_resolution"
        );
    }

    #[test]
    fn consumer_mediation_has_its_window() {
        let c = case("2025-11-10", ClientKind::Consumer, ComplaintState::Investigating);
        // Unanswered and still within the two months: too early.
        let e = step("in_mediation", "2025-12-01")
            .check(&c, d("2025-11-10"), d("2026-12-04"))
            .unwrap_err();
        assert_eq!(e.for_field("on").unwrap().code, "complaint.mediation_too_early");
        // Unanswered after the period: allowed.
        assert!(step("in_mediation", "2026-01-12")
            .check(&c, d("2025-11-10"), d("2026-12-04"))
            .is_ok());
        // More than a year after the complaint: too late.
        let e = step("in_mediation", "2026-11-11")
            .check(&c, d("2025-11-10"), d("2026-12-04"))
            .unwrap_err();
        assert_eq!(e.for_field("on").unwrap().code, "complaint.mediation_too_late");
        // Between businesses, no legal window.
        let b = case("2025-11-10", ClientKind::Business, ComplaintState::Investigating);
        assert!(step("in_mediation", "2025-12-01")
            .check(&b, d("2025-11-10"), d("2026-12-04"))
            .is_ok());
        // Mediation notified sets the mediator's deadline.
        let t = step("in_mediation", "2026-01-12")
            .check(&c, d("2025-11-10"), d("2026-12-04"))
            .unwrap();
        let after = apply(&c, &t);
        assert_eq!(after.deadlines.mediation_concludes_by, Some(d("2026-04-12")));
        assert_eq!(after.next_due().unwrap().kind, DeadlineKind::MediationConclusion);
    }

    #[test]
    fn applying_steps_dates_the_milestones() {
        let c = case("2026-11-02", ClientKind::Business, ComplaintState::Received);
        let t = step("acknowledged", "2026-11-03")
            .check(&c, d("2026-11-02"), d("2026-12-04"))
            .unwrap();
        let c = apply(&c, &t);
        assert_eq!(c.acknowledged_on, Some(d("2026-11-03")));
        let t = step("resolved", "2026-11-20")
            .check(&c, d("2026-11-03"), d("2026-12-04"))
            .unwrap();
        let c = apply(&c, &t);
        assert_eq!(
            (c.answered_on, c.resolved_on),
            (Some(d("2026-11-20")), Some(d("2026-11-20")))
        );
        assert!(!c.state.is_open());
    }

    #[test]
    fn alerts_on_the_eve_and_after() {
        assert_eq!(alert_stage(d("2026-12-05"), d("2026-12-04")), Some(AlertStage::Eve));
        assert_eq!(alert_stage(d("2026-12-04"), d("2026-12-04")), Some(AlertStage::Eve));
        assert_eq!(alert_stage(d("2026-12-03"), d("2026-12-04")), Some(AlertStage::Overdue));
        assert_eq!(alert_stage(d("2026-12-06"), d("2026-12-04")), None);
    }

    #[test]
    fn figures_have_one_formula() {
        let eur = |minor| Money {
            minor,
            currency: Currency::EUR,
        };
        let f = |rec: &str, ack: Option<&str>, ans: Option<&str>, res: Option<&str>, state, cat, g| CaseFacts {
            received_on: d(rec),
            state,
            acknowledged_on: ack.map(d),
            answered_on: ans.map(d),
            resolved_on: res.map(d),
            answer_by: add_months(d(rec), 2).unwrap(),
            next_due_on: None,
            category: cat,
            gesture: g,
        };
        use ComplaintState as S;
        let mut cases = vec![
            f(
                "2026-01-05",
                Some("2026-01-06"),
                Some("2026-01-20"),
                Some("2026-01-20"),
                S::Resolved,
                Category::Delivery,
                Some(eur(10_000)),
            ),
            f(
                "2026-02-02",
                Some("2026-02-05"),
                Some("2026-05-01"),
                None,
                S::Refused,
                Category::Invoice,
                None,
            ),
            f(
                "2026-03-02",
                Some("2026-03-03"),
                Some("2026-03-30"),
                Some("2026-04-01"),
                S::Resolved,
                Category::Delivery,
                Some(eur(5_050)),
            ),
            f("2026-11-20", None, None, None, S::Received, Category::Quality, None),
        ];
        cases[3].next_due_on = Some(d("2026-11-24"));
        let x = figures(&cases, d("2026-12-04"));
        assert_eq!(x.cases, 4);
        assert_eq!(x.open, 1);
        assert_eq!(x.overdue, 1);
        assert_eq!(x.median_days_to_acknowledge, Some(Decimal::from(1)));
        assert_eq!(x.median_days_to_resolve, Some(Decimal::new(225, 1)), "15 and 30 days");
        assert_eq!(x.answered_within_period_pct, Some(Decimal::new(667, 1)), "2 of 3");
        assert_eq!(x.by_category[0], (Category::Delivery, 2));
        assert_eq!(x.gestures, vec![eur(15_050)]);
        assert_eq!(x.gesture_count, 2);
        let empty = figures(&[], d("2026-12-04"));
        assert_eq!(
            (empty.median_days_to_resolve, empty.answered_within_period_pct),
            (None, None)
        );
    }

    #[test]
    fn inputs_name_their_faults() {
        let today = d("2026-12-04");
        let e = ComplaintInput::default().validate(today).unwrap_err();
        for f in ["account_id", "received_on", "channel", "category", "summary"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let ok = ComplaintInput {
            account_id: Some(Uuid::now_v7().to_string()),
            received_on: Some("2026-12-01".into()),
            channel: Some("courrier".into()),
            category: Some("delivery".into()),
            summary: Some("Palettes abîmées".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!(ok.channel, Channel::Letter);
        assert_eq!((ok.client_kind, ok.severity), (ClientKind::Business, Severity::Medium));
        let bad = ComplaintInput {
            client_kind: Some("alien".into()),
            received_on: Some("2026-12-05".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(bad.for_field("client_kind").unwrap().code, "client_kind.invalid");
        assert_eq!(bad.for_field("received_on").unwrap().code, "date.future");
    }

    #[test]
    fn rules_have_ranges() {
        assert_eq!(RulesInput::default().validate().unwrap(), ComplaintRules::default());
        let e = RulesInput {
            acknowledge_working_days: Some("31".into()),
            answer_months: Some("0".into()),
        }
        .validate()
        .unwrap_err();
        assert!(e.for_field("acknowledge_working_days").is_some() && e.for_field("answer_months").is_some());
    }

    #[test]
    fn edits_replace_clear_and_keep() {
        let c = case("2026-03-02", ClientKind::Business, ComplaintState::Investigating);
        let edit = EditInput {
            client_kind: Some("consumer".into()),
            category: Some("invoice".into()),
            concerns: Some(String::new()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let after = apply_edit(&c, &edit);
        assert_eq!(after.client_kind, ClientKind::Consumer);
        assert_eq!(after.deadlines.mediation_request_by, Some(d("2027-03-02")));
        assert_eq!(
            after.deadlines.answer_by, c.deadlines.answer_by,
            "announced deadlines stay"
        );
        assert_eq!(after.category, Category::Invoice);
        assert_eq!(after.severity, c.severity, "absent keeps");
        assert_eq!(after.concerns, None);
        let back = apply_edit(
            &after,
            &EditInput {
                client_kind: Some("business".into()),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        );
        assert_eq!(back.deadlines.mediation_request_by, None);
        let e = EditInput {
            severity: Some("apocalyptic".into()),
            owner_id: Some(" ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("severity").unwrap().code, "severity.invalid");
        assert_eq!(e.for_field("owner_id").unwrap().code, "required");
    }

    #[test]
    fn references_read_well() {
        assert_eq!(reference(d("2026-03-02"), 42), "R-2026-0042");
        assert_eq!(reference(d("2026-03-02"), 12345), "R-2026-12345");
    }
}
