//! The review's data pack: the year with the client in figures, assembled by
//! Bilan from everything it holds for the period and frozen when the review is
//! prepared, so the minutes say what was true that day. Every figure here comes
//! from the formula the rest of the product uses (NPS/CSAT/CES from
//! [`crate::surveys::Summary`], DSO and payment behaviour from
//! [`crate::invoices::behaviour`], health from [`crate::health`]); this module
//! adds only the pack's own ratios.

use crate::invoices::behaviour::PaymentBehaviour;
use crate::surveys::Summary;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most beyond-contract exchanges, complaints and verbatims listed in a pack
/// (the counts cover them all).
pub const LIST_LIMIT: usize = 100;

/// The data pack of a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPack))]
pub struct Pack {
    /// The account.
    pub account: PackAccount,
    /// First day of the period.
    pub period_from: NaiveDate,
    /// Last day of the period.
    pub period_to: NaiveDate,
    /// When it was assembled.
    pub taken_at: DateTime<Utc>,
    /// Whether it is frozen (prepared) or a live preview.
    pub frozen: bool,
    /// Currency of every amount.
    pub currency: String,
    /// The exchanges of the period.
    pub exchanges: ExchangeFigures,
    /// Interventions marked "beyond the contract", newest first.
    pub beyond_contract: Vec<ExchangeLine>,
    /// How many there were in all.
    pub beyond_contract_count: u64,
    /// Hot satisfaction of the period.
    pub satisfaction: SatisfactionFigures,
    /// Complaints received in the period and how they were handled.
    pub complaints: ComplaintFigures,
    /// Invoices and payment behaviour.
    pub invoices: InvoiceFigures,
    /// Revenue and margin.
    pub revenue: RevenueFigures,
    /// Usage figures of the period, per metric.
    pub usage: Vec<UsageLine>,
    /// Health today and over the period.
    pub health: Option<HealthFigures>,
    /// The account plan's objectives due in or after the period, with what became of each.
    pub objectives: Vec<ObjectiveLine>,
    /// The action items of earlier reviews and what became of each.
    pub actions: ActionFigures,
}

/// Who the pack is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackAccount))]
pub struct PackAccount {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Owner's name.
    pub owner: Option<String>,
}

/// Exchanges counted by channel and the time taken to answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackExchanges))]
pub struct ExchangeFigures {
    /// All exchanges.
    pub total: u64,
    /// From the client.
    pub inbound: u64,
    /// To the client.
    pub outbound: u64,
    /// Per channel.
    pub by_channel: Vec<ChannelCount>,
    /// Inbound exchanges that were answered.
    pub answered: u64,
    /// Mean time to answer, in hours (one decimal).
    pub mean_response_hours: Option<Decimal>,
}

/// Exchanges of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackChannel))]
pub struct ChannelCount {
    /// Channel code.
    pub channel: String,
    /// From the client.
    pub inbound: u64,
    /// To the client.
    pub outbound: u64,
}

/// One exchange as listed in the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackExchange))]
pub struct ExchangeLine {
    /// Exchange id.
    pub id: Uuid,
    /// Day (workspace's zone).
    pub on: NaiveDate,
    /// Channel code.
    pub channel: String,
    /// Subject.
    pub subject: Option<String>,
    /// Summary.
    pub summary: Option<String>,
}

/// Satisfaction of the period, with what clients wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackSatisfaction))]
pub struct SatisfactionFigures {
    /// NPS, CSAT, CES and their answer counts (SPEC "Formulas").
    #[serde(flatten)]
    pub summary: Summary,
    /// Comments, newest first.
    pub verbatims: Vec<Verbatim>,
}

/// A comment left with an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackVerbatim))]
pub struct Verbatim {
    /// Day answered.
    pub on: NaiveDate,
    /// `nps`, `csat` or `ces`.
    pub kind: String,
    /// Score given.
    pub score: i16,
    /// Who answered.
    pub contact: Option<String>,
    /// What they wrote.
    pub comment: String,
}

/// Complaints of the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackComplaints))]
pub struct ComplaintFigures {
    /// Received in the period.
    pub received: u64,
    /// Of those, resolved.
    pub resolved: u64,
    /// Of those, still open.
    pub open: u64,
    /// Mean days from receipt to resolution (one decimal).
    pub mean_days_to_resolve: Option<Decimal>,
    /// The complaints, newest first.
    pub items: Vec<ComplaintLine>,
}

/// A complaint as listed in the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackComplaint))]
pub struct ComplaintLine {
    /// Id.
    pub id: Uuid,
    /// Reference.
    pub reference: String,
    /// What it is about.
    pub subject: String,
    /// Day received.
    pub received_on: NaiveDate,
    /// State code.
    pub state: String,
    /// Day resolved.
    pub resolved_on: Option<NaiveDate>,
}

/// Invoicing and payment of the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackInvoices))]
pub struct InvoiceFigures {
    /// Invoices issued in the period.
    pub issued: u64,
    /// Their total, tax included.
    pub invoiced_amount: Decimal,
    /// Still owed on the day the pack was taken, every invoice of the account.
    pub open_amount: Decimal,
    /// Of which past its due date.
    pub overdue_amount: Decimal,
    /// Days sales outstanding over the period (receivables at its end ÷ its revenue × its days).
    pub dso: Option<Decimal>,
    /// How settled invoices were paid.
    pub behaviour: PaymentBehaviour,
}

/// Revenue of the period and the one before, and the margin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackRevenue))]
pub struct RevenueFigures {
    /// Invoiced in the period, excluding tax, net of credit notes.
    pub revenue: Decimal,
    /// The same over the period of the same length just before.
    pub previous_revenue: Decimal,
    /// Change, in percent (one decimal).
    pub growth_pct: Option<Decimal>,
    /// Margin rate of the account plan, in percent, when known.
    pub margin_rate_pct: Option<Decimal>,
    /// Revenue × margin rate.
    pub margin: Option<Decimal>,
}

/// One usage metric over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackUsage))]
pub struct UsageLine {
    /// Metric.
    pub metric: String,
    /// First figure of the period.
    pub first: Decimal,
    /// Last figure.
    pub last: Decimal,
    /// Change from first to last, in percent.
    pub change_pct: Option<Decimal>,
    /// Every figure, oldest first.
    pub points: Vec<DayValue>,
}

/// Health on the day and over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackHealth))]
pub struct HealthFigures {
    /// Score 0–100.
    pub score: u8,
    /// `healthy`, `watch` or `at_risk`.
    pub band: String,
    /// Score at the start of the period, when known.
    pub score_at_start: Option<u8>,
    /// Each component's score.
    pub components: Vec<NamedScore>,
    /// Daily scores of the period known, oldest first.
    pub history: Vec<DayScore>,
}

/// A figure of a day (a usage period starts that day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackDayValue))]
pub struct DayValue {
    /// Day.
    pub on: NaiveDate,
    /// Value.
    pub value: Decimal,
}

/// A health score of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackDayScore))]
pub struct DayScore {
    /// Day.
    pub on: NaiveDate,
    /// Score 0–100.
    pub score: u8,
}

/// A health component's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackComponent))]
pub struct NamedScore {
    /// Component code.
    pub name: String,
    /// Score 0–100.
    pub score: u8,
}

/// An objective and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackObjective))]
pub struct ObjectiveLine {
    /// Title.
    pub title: String,
    /// Metric.
    pub metric: String,
    /// Target.
    pub target: String,
    /// Current value.
    pub current: Option<String>,
    /// Due day.
    pub due_on: NaiveDate,
    /// Status code.
    pub status: String,
    /// Progress in percent.
    pub progress_pct: Option<Decimal>,
}

/// Earlier reviews' action items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackActions))]
pub struct ActionFigures {
    /// Done out of those not dropped, in percent.
    pub progress_pct: Option<u32>,
    /// Late on the day the pack was taken.
    pub overdue: u64,
    /// The items.
    pub items: Vec<ActionLine>,
}

/// An action item as listed in the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReviewPackAction))]
pub struct ActionLine {
    /// What.
    pub what: String,
    /// Who.
    pub owner: String,
    /// By when.
    pub due_on: NaiveDate,
    /// Status code.
    pub status: String,
    /// Day done.
    pub done_on: Option<NaiveDate>,
    /// Late on the day the pack was taken.
    pub overdue: bool,
}

fn one_decimal(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// Mean time to answer in hours, one decimal, from the seconds summed over `count` answers.
pub fn mean_response_hours(seconds: i64, count: u64) -> Option<Decimal> {
    (count > 0).then(|| one_decimal(Decimal::from(seconds) / Decimal::from(count) / Decimal::from(3600)))
}

/// Mean days from receipt to resolution, one decimal.
pub fn mean_days(total_days: i64, count: u64) -> Option<Decimal> {
    (count > 0).then(|| one_decimal(Decimal::from(total_days) / Decimal::from(count)))
}

/// Change from `before` to `after`, in percent, one decimal; `None` from zero.
pub fn change_pct(before: Decimal, after: Decimal) -> Option<Decimal> {
    (before != Decimal::ZERO).then(|| one_decimal((after - before) * Decimal::ONE_HUNDRED / before.abs()))
}

/// Margin: revenue × rate %, to the cent.
pub fn margin(revenue: Decimal, rate_pct: Decimal) -> Decimal {
    (revenue * rate_pct / Decimal::ONE_HUNDRED).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The period of the same length just before `from..=to`.
pub fn previous_period(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let days = (to - from).num_days() + 1;
    let prev_to = from.pred_opt().unwrap_or(from);
    (prev_to - chrono::Duration::days(days - 1), prev_to)
}

/// Days in `from..=to`.
pub fn days_in(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}
