//! Account health and churn risk (SPEC C7, santé du compte, signaux de churn): a
//! score from 0 to 100, explained component by component with the facts behind
//! each, from what the account's history says — satisfaction, engagement, payment
//! behaviour, complaints and disputes, usage trend, the people who left, the
//! renewal ahead.
//!
//! Three promises, property-tested below: the score stays within 0–100; a worse
//! input never raises it (each component is monotone in its facts and the score is
//! their weighted mean); and the components' points add up to the score.
//!
//! A component without data to judge (usage when no figures were imported, payment
//! when the account was never invoiced) is left out and its weight shared among
//! the others, rather than counted as good or bad.

pub mod components;
pub mod usage;

pub use components::{Departure, HealthFacts, UsageTrend};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One of the things health is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Component {
    /// Recent NPS, CSAT and CES answers.
    Satisfaction,
    /// Recency and frequency of exchanges, both ways.
    Engagement,
    /// Days late, overdue amount, payment habit.
    Payment,
    /// Open complaints and disputes.
    Complaints,
    /// The trend of the usage figures imported per period.
    Usage,
    /// The sponsor or a key contact gone; the decision makers not met.
    Relationship,
    /// The renewal approaching.
    Renewal,
}

impl Component {
    /// Every component, in the order pages show them.
    pub const ALL: [Component; 7] = [
        Self::Satisfaction,
        Self::Engagement,
        Self::Payment,
        Self::Complaints,
        Self::Usage,
        Self::Relationship,
        Self::Renewal,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Satisfaction => "satisfaction",
            Self::Engagement => "engagement",
            Self::Payment => "payment",
            Self::Complaints => "complaints",
            Self::Usage => "usage",
            Self::Relationship => "relationship",
            Self::Renewal => "renewal",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == raw.trim())
    }
}

/// How much each component counts, and where risk starts; per workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthSettings {
    /// Weight per component (any non-negative integers; only their ratios matter).
    pub weights: Vec<(Component, u32)>,
    /// Below this score an account is at risk.
    pub at_risk_below: u8,
    /// Below this score (and not at risk) an account is watched.
    pub watch_below: u8,
    /// Days without meeting a decision maker or the sponsor before it is a gap.
    pub key_contact_gap_days: u32,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings {
            weights: vec![
                (Component::Satisfaction, 25),
                (Component::Engagement, 20),
                (Component::Payment, 20),
                (Component::Complaints, 15),
                (Component::Usage, 10),
                (Component::Relationship, 5),
                (Component::Renewal, 5),
            ],
            at_risk_below: 60,
            watch_below: 75,
            key_contact_gap_days: 90,
        }
    }
}

impl HealthSettings {
    /// The weight of `component` (0 when not listed).
    pub fn weight(&self, component: Component) -> u32 {
        self.weights
            .iter()
            .find(|(c, _)| *c == component)
            .map_or(0, |(_, w)| *w)
    }

    /// The band a score falls in.
    pub fn band(&self, score: u8) -> Band {
        if score < self.at_risk_below {
            Band::AtRisk
        } else if score < self.watch_below {
            Band::Watch
        } else {
            Band::Healthy
        }
    }

    /// Checks settings typed by a person: weights up to 100 and not all zero,
    /// thresholds in order, a gap of 1 to 730 days.
    pub fn validate(&self) -> Result<(), crate::ValidationErrors> {
        let mut e = crate::ValidationErrors::new();
        for (c, w) in &self.weights {
            if *w > 100 {
                e.add(&format!("weight_{}", c.code()), "health.weight_range");
            }
        }
        if self.weights.iter().all(|(_, w)| *w == 0) {
            e.add("weights", "health.weights_all_zero");
        }
        if self.at_risk_below > 100 {
            e.add("at_risk_below", "health.threshold_range");
        }
        if self.watch_below > 100 || self.watch_below < self.at_risk_below {
            e.add("watch_below", "health.threshold_order");
        }
        if !(1..=730).contains(&self.key_contact_gap_days) {
            e.add("key_contact_gap_days", "health.gap_range");
        }
        e.into_result()
    }
}

/// Where a score stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Band {
    /// Below the risk threshold: churn risk.
    AtRisk,
    /// Between the two thresholds: to watch.
    Watch,
    /// Above both.
    Healthy,
}

impl Band {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::AtRisk => "at_risk",
            Self::Watch => "watch",
            Self::Healthy => "healthy",
        }
    }
}

/// A fact behind a component's score, as a message key and its arguments, so pages,
/// API, e-mails and documents say it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Message key under `health.reason.`.
    pub code: String,
    /// Named arguments of the message.
    pub args: Vec<(String, String)>,
}

impl Reason {
    /// A reason with its arguments.
    pub fn new(code: &str, args: &[(&str, String)]) -> Self {
        Reason {
            code: code.to_owned(),
            args: args.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        }
    }
}

/// One component's judgement: its score and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentScore {
    /// Which component.
    pub component: Component,
    /// 0–100; `None` when there is nothing to judge it on (its weight goes to the others).
    pub score: Option<u8>,
    /// The facts behind it.
    pub reasons: Vec<Reason>,
}

/// One component in the explanation of a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explained {
    /// Which component.
    pub component: Component,
    /// Its own score, 0–100 (`None`: not judged).
    pub score: Option<u8>,
    /// Its configured weight.
    pub weight: u32,
    /// The points it brings to the total: the components' points add up to the score.
    pub points: u8,
    /// The facts behind it.
    pub reasons: Vec<Reason>,
}

/// A health score and its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// 0–100.
    pub score: u8,
    /// Its band under the workspace's thresholds.
    pub band: Band,
    /// Every component, judged or not, in [`Component::ALL`] order.
    pub components: Vec<Explained>,
}

impl Health {
    /// The reasons of the components that pull the score down most, worst first:
    /// what the at-risk page shows in a line.
    pub fn main_reasons(&self, n: usize) -> Vec<&Reason> {
        let mut judged: Vec<&Explained> = self
            .components
            .iter()
            .filter(|c| c.score.is_some_and(|s| s < 70) && c.weight > 0)
            .collect();
        judged.sort_by_key(|c| (c.score, std::cmp::Reverse(c.weight)));
        judged
            .into_iter()
            .flat_map(|c| c.reasons.iter().filter(|r| !r.code.ends_with("_fine")).take(1))
            .take(n)
            .collect()
    }
}

/// The health of an account from its facts, under `settings`.
pub fn health(facts: &HealthFacts, settings: &HealthSettings) -> Health {
    combine(components::judge(facts, settings.key_contact_gap_days), settings)
}

/// The weighted mean of judged components, with each one's points: the exact
/// contributions rounded by largest remainder, so they add up to the rounded total.
pub fn combine(scores: Vec<ComponentScore>, settings: &HealthSettings) -> Health {
    let judged_weight: u32 = scores
        .iter()
        .filter(|c| c.score.is_some())
        .map(|c| settings.weight(c.component))
        .sum();
    let exact: Vec<Decimal> = scores
        .iter()
        .map(|c| match (c.score, judged_weight) {
            (Some(s), w) if w > 0 => Decimal::from(settings.weight(c.component)) * Decimal::from(s) / Decimal::from(w),
            _ => Decimal::ZERO,
        })
        .collect();
    let total: Decimal = exact.iter().copied().sum();
    let score = if judged_weight == 0 {
        // Nothing to judge at all: neither good nor bad.
        50
    } else {
        total
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .to_u8()
            .unwrap_or(0)
            .min(100)
    };
    let points = if judged_weight == 0 {
        vec![0; exact.len()]
    } else {
        largest_remainder(&exact, u32::from(score))
    };
    let components = scores
        .into_iter()
        .zip(points)
        .map(|(c, p)| Explained {
            weight: settings.weight(c.component),
            component: c.component,
            score: c.score,
            points: u8::try_from(p).unwrap_or(100),
            reasons: c.reasons,
        })
        .collect();
    Health {
        score,
        band: settings.band(score),
        components,
    }
}

/// Integers close to `exact` that add up to `total`: floors first, then one more
/// to the largest remainders (ties to the earlier component).
///
/// `total` is the rounded sum of `exact`, so at most one point goes to each
/// component with a remainder.
pub fn largest_remainder(exact: &[Decimal], total: u32) -> Vec<u32> {
    let mut out: Vec<u32> = exact.iter().map(|x| x.floor().to_u32().unwrap_or(0)).collect();
    let floors: u32 = out.iter().sum();
    let missing = usize::try_from(total.saturating_sub(floors)).unwrap_or(0);
    let mut order: Vec<usize> = (0..exact.len()).filter(|k| exact[*k].fract() > Decimal::ZERO).collect();
    order.sort_by(|a, b| exact[*b].fract().cmp(&exact[*a].fract()).then(a.cmp(b)));
    for k in order.into_iter().take(missing) {
        out[k] += 1;
    }
    out
}

#[cfg(test)]
mod tests;
