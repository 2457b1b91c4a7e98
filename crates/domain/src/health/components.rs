//! Each component of health from its facts: a score from 0 to 100 that a worse
//! fact never raises, and the facts that explain it.

use super::{Component, ComponentScore, Reason};
use crate::contacts::BuyingRole;
use crate::surveys::SurveyKind;
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// What an account's history says on a given day: everything health is computed from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HealthFacts {
    /// The day health is computed for.
    pub today: NaiveDate,
    /// Survey answers of the last 12 months: kind, score, day answered.
    pub answers: Vec<(SurveyKind, i16, NaiveDate)>,
    /// Day of the last exchange the client started.
    pub last_inbound: Option<NaiveDate>,
    /// Day of the last exchange we started.
    pub last_outbound: Option<NaiveDate>,
    /// Exchanges the client started in the last 90 days.
    pub inbound_90: u32,
    /// Exchanges we started in the last 90 days.
    pub outbound_90: u32,
    /// Whether the account was invoiced in the last 12 months or still owes something.
    pub invoiced: bool,
    /// Amount past its due date, in minor units.
    pub overdue_minor: i64,
    /// Amount invoiced over the last 12 months, in minor units (the yardstick of the overdue amount).
    pub invoiced_12m_minor: i64,
    /// Days past due of the oldest unpaid invoice (0 when none is late).
    pub max_days_late: i64,
    /// Average days late of the invoices settled in the last 12 months.
    pub average_days_late: Option<Decimal>,
    /// Currency of the amounts, to say them.
    pub currency: String,
    /// Open complaints.
    pub open_complaints: u32,
    /// Open complaints past a legal or promised deadline.
    pub overdue_complaints: u32,
    /// Open complaints about an invoice (disputes).
    pub disputes: u32,
    /// Complaints closed in the last 90 days.
    pub recently_closed_complaints: u32,
    /// Usage metrics with at least two periods.
    pub usage: Vec<UsageTrend>,
    /// Client-side contacts in a buying role who left in the last 12 months.
    pub departures: Vec<Departure>,
    /// Whether the account has a decision maker or a sponsor among its current contacts.
    pub has_key_contact: bool,
    /// Day of the last exchange with a current decision maker or sponsor.
    pub last_key_contact_met: Option<NaiveDate>,
    /// The contract's renewal date, on an active account.
    pub renewal: Option<NaiveDate>,
    /// Days of notice before the renewal date (the last day to give notice).
    pub notice_days: Option<u32>,
}

/// A usage metric's latest period against the periods before it.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageTrend {
    /// The metric's name (`logins`, `orders`…).
    pub metric: String,
    /// The latest period's value.
    pub latest: Decimal,
    /// The mean of up to three periods before it.
    pub before: Decimal,
}

/// A contact in a buying role who left the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    /// Their name.
    pub name: String,
    /// Their roles.
    pub roles: Vec<BuyingRole>,
    /// When they left.
    pub left_on: NaiveDate,
}

/// Departures named in the reasons; more are counted.
const DEPARTURES_NAMED: usize = 3;

/// The prior of satisfaction: an account nobody asked counts as one answer of 70.
const SATISFACTION_PRIOR: Decimal = Decimal::from_parts(70, 0, 0, false, 0);

/// Judges every component, in [`Component::ALL`] order.
pub fn judge(f: &HealthFacts, key_contact_gap_days: u32) -> Vec<ComponentScore> {
    Component::ALL
        .into_iter()
        .map(|c| match c {
            Component::Satisfaction => satisfaction(f),
            Component::Engagement => engagement(f),
            Component::Payment => payment(f),
            Component::Complaints => complaints(f),
            Component::Usage => usage(f),
            Component::Relationship => relationship(f, key_contact_gap_days),
            Component::Renewal => renewal(f),
        })
        .collect()
}

fn clamp_score(x: Decimal) -> u8 {
    x.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
        .clamp(0, 100) as u8
}

/// An answer on a 0–100 scale: NPS ×10, CSAT 1–5 and CES 1–7 spread from 0 to 100.
pub fn answer_points(kind: SurveyKind, score: i16) -> Decimal {
    let (min, max) = (Decimal::from(kind.min()), Decimal::from(kind.max()));
    let s = Decimal::from(score.clamp(kind.min(), kind.max()));
    (s - min) * Decimal::ONE_HUNDRED / (max - min)
}

fn satisfaction(f: &HealthFacts) -> ComponentScore {
    let mut reasons = Vec::new();
    let n = Decimal::from(f.answers.len());
    let sum: Decimal = f.answers.iter().map(|(k, s, _)| answer_points(*k, *s)).sum();
    // A prior of one answer at 70, so one answer moves the score without deciding it alone.
    let mean = (SATISFACTION_PRIOR + sum) / (Decimal::ONE + n);
    // What the last 90 days say weighs on its own, however good the year was: the
    // component is at most 20 points above their mean (a lone recent detractor
    // pulls a small account down; one among a hundred happy users does not).
    let recent: Vec<Decimal> = f
        .answers
        .iter()
        .filter(|(_, _, d)| (f.today - *d).num_days() <= 90)
        .map(|(k, s, _)| answer_points(*k, *s))
        .collect();
    let score = if recent.is_empty() {
        mean
    } else {
        let recent_mean = recent.iter().copied().sum::<Decimal>() / Decimal::from(recent.len());
        mean.min(recent_mean + Decimal::from(20))
    };
    if f.answers.is_empty() {
        reasons.push(Reason::new("satisfaction_none", &[]));
    } else {
        reasons.push(Reason::new(
            "satisfaction_answers",
            &[
                ("count", f.answers.len().to_string()),
                ("mean", clamp_score(sum / n).to_string()),
            ],
        ));
    }
    let mut negative: Vec<&(SurveyKind, i16, NaiveDate)> = f
        .answers
        .iter()
        .filter(|(k, s, _)| crate::surveys::is_negative(*k, *s))
        .collect();
    negative.sort_by_key(|(_, _, d)| std::cmp::Reverse(*d));
    for (k, s, d) in negative.into_iter().take(3) {
        let code = if *k == SurveyKind::Nps {
            "satisfaction_detractor"
        } else {
            "satisfaction_negative"
        };
        reasons.insert(
            0,
            Reason::new(
                code,
                &[
                    ("kind", k.code().to_uppercase()),
                    ("score", s.to_string()),
                    ("date", d.to_string()),
                ],
            ),
        );
    }
    ComponentScore {
        component: Component::Satisfaction,
        score: Some(clamp_score(score)),
        reasons,
    }
}

/// Full marks up to two weeks since the last exchange, none after four months.
fn recency_points(days: Option<i64>) -> Decimal {
    match days {
        None => Decimal::ZERO,
        Some(d) if d <= 14 => Decimal::ONE_HUNDRED,
        Some(d) if d >= 120 => Decimal::ZERO,
        Some(d) => Decimal::from(120 - d) * Decimal::ONE_HUNDRED / Decimal::from(106),
    }
}

/// Up to six exchanges each way in 90 days count; a one-way relation scores half.
fn frequency_points(inbound: u32, outbound: u32) -> Decimal {
    let side = |n: u32| Decimal::from(n.min(6)) * Decimal::from(50) / Decimal::from(6);
    side(inbound) + side(outbound)
}

fn engagement(f: &HealthFacts) -> ComponentScore {
    let last = f.last_inbound.max(f.last_outbound);
    let days = last.map(|d| (f.today - d).num_days().max(0));
    let score = (recency_points(days) + frequency_points(f.inbound_90, f.outbound_90)) / Decimal::TWO;
    let mut reasons = Vec::new();
    match days {
        None => reasons.push(Reason::new("engagement_never", &[])),
        Some(d) if d > 30 => reasons.push(Reason::new("engagement_silent", &[("days", d.to_string())])),
        Some(d) => reasons.push(Reason::new("engagement_recent", &[("days", d.to_string())])),
    }
    if f.inbound_90 == 0 && f.outbound_90 > 0 {
        reasons.push(Reason::new(
            "engagement_one_way",
            &[("outbound", f.outbound_90.to_string())],
        ));
    }
    reasons.push(Reason::new(
        "engagement_frequency",
        &[
            ("inbound", f.inbound_90.to_string()),
            ("outbound", f.outbound_90.to_string()),
        ],
    ));
    ComponentScore {
        component: Component::Engagement,
        score: Some(clamp_score(score)),
        reasons,
    }
}

/// An amount as a reason's argument: minor units and currency (`123450 EUR`),
/// formatted in the reader's language when the reason is said.
fn money(minor: i64, currency: &str) -> String {
    format!("{minor} {currency}")
}

fn payment(f: &HealthFacts) -> ComponentScore {
    if !f.invoiced && f.overdue_minor <= 0 {
        return ComponentScore {
            component: Component::Payment,
            score: None,
            reasons: vec![Reason::new("payment_none", &[])],
        };
    }
    let hundred = Decimal::ONE_HUNDRED;
    // Ninety days late is as bad as it gets.
    let late = hundred - Decimal::from(f.max_days_late.clamp(0, 90)) * hundred / Decimal::from(90);
    // Owing half a year's invoicing past due is as bad as it gets.
    let yardstick = Decimal::from(f.invoiced_12m_minor.max(f.overdue_minor).max(1));
    let share = (Decimal::from(f.overdue_minor.max(0)) / yardstick * Decimal::TWO).min(Decimal::ONE);
    let owed = hundred - share * hundred;
    // A habit of paying two months late is as bad as it gets.
    let habit = match f.average_days_late {
        Some(d) => hundred - d.clamp(Decimal::ZERO, Decimal::from(60)) * hundred / Decimal::from(60),
        None => hundred,
    };
    let score = late * Decimal::new(4, 1) + owed * Decimal::new(3, 1) + habit * Decimal::new(3, 1);
    let mut reasons = Vec::new();
    if f.overdue_minor > 0 {
        reasons.push(Reason::new(
            "payment_overdue",
            &[
                ("amount", money(f.overdue_minor, &f.currency)),
                ("days", f.max_days_late.to_string()),
            ],
        ));
    }
    if let Some(d) = f.average_days_late.filter(|d| *d > Decimal::ZERO) {
        reasons.push(Reason::new("payment_habit", &[("days", d.round_dp(0).to_string())]));
    }
    if reasons.is_empty() {
        reasons.push(Reason::new("payment_fine", &[]));
    }
    ComponentScore {
        component: Component::Payment,
        score: Some(clamp_score(score)),
        reasons,
    }
}

fn complaints(f: &HealthFacts) -> ComponentScore {
    let penalty = 30 * i64::from(f.open_complaints)
        + 20 * i64::from(f.overdue_complaints)
        + 10 * i64::from(f.disputes)
        + 10 * i64::from(f.recently_closed_complaints);
    let mut reasons = Vec::new();
    if f.open_complaints > 0 {
        reasons.push(Reason::new(
            "complaints_open",
            &[("count", f.open_complaints.to_string())],
        ));
    }
    if f.overdue_complaints > 0 {
        reasons.push(Reason::new(
            "complaints_overdue",
            &[("count", f.overdue_complaints.to_string())],
        ));
    }
    if f.disputes > 0 {
        reasons.push(Reason::new("complaints_disputes", &[("count", f.disputes.to_string())]));
    }
    if f.recently_closed_complaints > 0 {
        reasons.push(Reason::new(
            "complaints_closed_recently",
            &[("count", f.recently_closed_complaints.to_string())],
        ));
    }
    if reasons.is_empty() {
        reasons.push(Reason::new("complaints_fine", &[]));
    }
    ComponentScore {
        component: Component::Complaints,
        score: Some(clamp_score(Decimal::from(100 - penalty.min(100)))),
        reasons,
    }
}

/// A metric's trend on 0–100: half its former level or less scores 0, ten per
/// cent growth or more scores 100, steady use about 83.
fn trend_points(t: &UsageTrend) -> Decimal {
    if t.before <= Decimal::ZERO {
        return if t.latest > Decimal::ZERO {
            Decimal::ONE_HUNDRED
        } else {
            Decimal::ZERO
        };
    }
    let ratio = t.latest / t.before;
    let (low, high) = (Decimal::new(5, 1), Decimal::new(11, 1));
    let clamped = ratio.clamp(low, high);
    (clamped - low) * Decimal::ONE_HUNDRED / (high - low)
}

fn usage(f: &HealthFacts) -> ComponentScore {
    if f.usage.is_empty() {
        return ComponentScore {
            component: Component::Usage,
            score: None,
            reasons: vec![Reason::new("usage_none", &[])],
        };
    }
    let sum: Decimal = f.usage.iter().map(trend_points).sum();
    let score = sum / Decimal::from(f.usage.len());
    let mut reasons = Vec::new();
    let mut trends: Vec<&UsageTrend> = f.usage.iter().collect();
    trends.sort_by_key(|t| trend_points(t));
    for t in trends.into_iter().take(3) {
        let change = if t.before > Decimal::ZERO {
            ((t.latest - t.before) * Decimal::ONE_HUNDRED / t.before).round_dp(0)
        } else {
            Decimal::ZERO
        };
        let code = if change < Decimal::ZERO {
            "usage_falling"
        } else {
            "usage_steady"
        };
        reasons.push(Reason::new(
            code,
            &[
                ("metric", t.metric.clone()),
                ("latest", t.latest.normalize().to_string()),
                ("before", t.before.round_dp(1).normalize().to_string()),
                ("change", change.to_string()),
            ],
        ));
    }
    ComponentScore {
        component: Component::Usage,
        score: Some(clamp_score(score)),
        reasons,
    }
}

fn relationship(f: &HealthFacts, gap_days: u32) -> ComponentScore {
    let mut penalty = 0_i64;
    let mut reasons = Vec::new();
    for (i, d) in f.departures.iter().enumerate() {
        let (cost, code) = if d.roles.contains(&BuyingRole::Sponsor) {
            (50, "relationship_sponsor_left")
        } else if d.roles.contains(&BuyingRole::DecisionMaker) {
            (35, "relationship_decision_maker_left")
        } else {
            (15, "relationship_key_contact_left")
        };
        penalty += cost;
        // The first few by name (sponsors and decision makers first); the rest counted.
        if i < DEPARTURES_NAMED {
            reasons.push(Reason::new(
                code,
                &[("name", d.name.clone()), ("date", d.left_on.to_string())],
            ));
        }
    }
    if f.departures.len() > DEPARTURES_NAMED {
        reasons.push(Reason::new(
            "relationship_more_left",
            &[("count", (f.departures.len() - DEPARTURES_NAMED).to_string())],
        ));
    }
    if !f.has_key_contact {
        penalty += 25;
        reasons.push(Reason::new("relationship_no_decision_maker", &[]));
    } else {
        let since = f.last_key_contact_met.map(|d| (f.today - d).num_days().max(0));
        match since {
            None => {
                penalty += 25;
                reasons.push(Reason::new("relationship_decision_maker_never_met", &[]));
            }
            Some(days) if days > i64::from(gap_days) => {
                penalty += 25;
                reasons.push(Reason::new(
                    "relationship_decision_maker_not_met",
                    &[("days", days.to_string())],
                ));
            }
            Some(_) => {}
        }
    }
    if reasons.is_empty() {
        reasons.push(Reason::new("relationship_fine", &[]));
    }
    ComponentScore {
        component: Component::Relationship,
        score: Some(clamp_score(Decimal::from(100 - penalty.min(100)))),
        reasons,
    }
}

/// Whether the signals of a gap hold: no decision maker or sponsor known, or none
/// met for more than `gap_days`. The account plan flags it on the stakeholder map.
pub fn key_contact_gap(f: &HealthFacts, gap_days: u32) -> bool {
    !f.has_key_contact
        || f.last_key_contact_met
            .is_none_or(|d| (f.today - d).num_days() > i64::from(gap_days))
}

fn renewal(f: &HealthFacts) -> ComponentScore {
    let Some(date) = f.renewal else {
        return ComponentScore {
            component: Component::Renewal,
            score: Some(100),
            reasons: vec![Reason::new("renewal_none", &[])],
        };
    };
    let days = (date - f.today).num_days();
    let notice = i64::from(f.notice_days.unwrap_or(0));
    // Calm beyond six months; the closer, the more exposed, down to 40 on the day;
    // a lapsed renewal runs without a decision.
    let score = if days < 0 {
        Decimal::from(20)
    } else if days >= 180 {
        Decimal::ONE_HUNDRED
    } else {
        Decimal::from(40) + Decimal::from(days) * Decimal::from(60) / Decimal::from(180)
    };
    let mut reasons = Vec::new();
    if days < 0 {
        reasons.push(Reason::new(
            "renewal_lapsed",
            &[("date", date.to_string()), ("days", (-days).to_string())],
        ));
    } else if days < 180 {
        reasons.push(Reason::new(
            "renewal_soon",
            &[("date", date.to_string()), ("days", days.to_string())],
        ));
        if notice > 0 && days >= notice {
            let last_day = date - chrono::Duration::days(notice);
            reasons.push(Reason::new("renewal_notice", &[("date", last_day.to_string())]));
        }
    } else {
        reasons.push(Reason::new("renewal_later", &[("date", date.to_string())]));
    }
    ComponentScore {
        component: Component::Renewal,
        score: Some(clamp_score(score)),
        reasons,
    }
}
