//! The weighted score of an account (scoring pondéré): each criterion rated from 1
//! to 5, weighted as the workspace chose, explained criterion by criterion.
//!
//! The seed's potential × probability × profitability is the core: those three
//! carry most of the default weight, and a nil one (rated 1) takes its whole share
//! away. Risk counts the other way: a riskier account scores lower.

use super::Tier;
use crate::health::largest_remainder;
use crate::ValidationErrors;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A criterion of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Criterion {
    /// Potentiel de chiffre d'affaires: share of wallet, expansion, cross-sell.
    Potential,
    /// Probabilité de le réaliser.
    Probability,
    /// Rentabilité nette: margin, cost to serve.
    Profitability,
    /// Impact stratégique: reference, co-innovation, barrier to competitors.
    StrategicImpact,
    /// Alignement culturel et fit solution/métier.
    Fit,
    /// Risque et concentration: dependence, contract length, churn (higher is worse).
    Risk,
}

impl Criterion {
    /// Every criterion, in the order forms show them.
    pub const ALL: [Criterion; 6] = [
        Self::Potential,
        Self::Probability,
        Self::Profitability,
        Self::StrategicImpact,
        Self::Fit,
        Self::Risk,
    ];

    /// Stable code, also the form and API field name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Potential => "potential",
            Self::Probability => "probability",
            Self::Profitability => "profitability",
            Self::StrategicImpact => "strategic_impact",
            Self::Fit => "fit",
            Self::Risk => "risk",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == raw.trim())
    }

    /// Whether a higher rating lowers the score.
    pub fn is_inverse(self) -> bool {
        self == Self::Risk
    }
}

/// Lowest rating.
pub const RATING_MIN: u8 = 1;
/// Highest rating.
pub const RATING_MAX: u8 = 5;

/// The workspace's scoring rules: weights, eligibility, tier thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringRules {
    /// Weight per criterion (only ratios matter).
    pub weights: Vec<(Criterion, u32)>,
    /// Lowest score admitted to the programme.
    pub eligible_from: u8,
    /// Lowest score suggested as strategic.
    pub strategic_from: u8,
    /// Lowest score suggested as key.
    pub key_from: u8,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            weights: vec![
                (Criterion::Potential, 30),
                (Criterion::Probability, 20),
                (Criterion::Profitability, 20),
                (Criterion::StrategicImpact, 15),
                (Criterion::Fit, 5),
                (Criterion::Risk, 10),
            ],
            eligible_from: 50,
            strategic_from: 80,
            key_from: 65,
        }
    }
}

impl ScoringRules {
    /// The weight of `c`.
    pub fn weight(&self, c: Criterion) -> u32 {
        self.weights.iter().find(|(k, _)| *k == c).map_or(0, |(_, w)| *w)
    }

    /// The tier a score suggests.
    pub fn suggested_tier(&self, score: u8) -> Tier {
        if score >= self.strategic_from {
            Tier::Strategic
        } else if score >= self.key_from {
            Tier::Key
        } else {
            Tier::Developing
        }
    }

    /// Checks rules typed by a person.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        for (c, w) in &self.weights {
            if *w > 100 {
                e.add(&format!("weight_{}", c.code()), "scoring.weight_range");
            }
        }
        if self.weights.iter().all(|(_, w)| *w == 0) {
            e.add("weights", "scoring.weights_all_zero");
        }
        for (field, v) in [
            ("eligible_from", self.eligible_from),
            ("key_from", self.key_from),
            ("strategic_from", self.strategic_from),
        ] {
            if v > 100 {
                e.add(field, "scoring.threshold_range");
            }
        }
        if self.strategic_from < self.key_from {
            e.add("strategic_from", "scoring.threshold_order");
        }
        e.into_result()
    }
}

/// An account's ratings, one per criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ratings(pub Vec<(Criterion, u8)>);

impl Ratings {
    /// The rating of `c`, if given.
    pub fn of(&self, c: Criterion) -> Option<u8> {
        self.0.iter().find(|(k, _)| *k == c).map(|(_, r)| *r)
    }

    /// Reads ratings as typed (`criterion` → text); each must be 1 to 5, all are required.
    pub fn parse(raw: &[(Criterion, Option<&str>)]) -> Result<Ratings, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut out = Vec::new();
        for c in Criterion::ALL {
            let text = raw.iter().find(|(k, _)| *k == c).and_then(|(_, v)| *v).map(str::trim);
            match text.filter(|t| !t.is_empty()) {
                None => e.add(c.code(), "required"),
                Some(t) => match t.parse::<u8>() {
                    Ok(r) if (RATING_MIN..=RATING_MAX).contains(&r) => out.push((c, r)),
                    _ => e.add(c.code(), "scoring.rating_range"),
                },
            }
        }
        e.into_result().map(|()| Ratings(out))
    }
}

/// One criterion in a score's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionScore {
    /// Which criterion.
    pub criterion: Criterion,
    /// Its rating, 1–5.
    pub rating: u8,
    /// Its weight.
    pub weight: u32,
    /// The points it brings; the criteria's points add up to the score.
    pub points: u8,
}

/// An account's weighted score and its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountScore {
    /// 0–100.
    pub score: u8,
    /// Whether it reaches the programme's threshold.
    pub eligible: bool,
    /// The tier it suggests.
    pub suggested_tier: Tier,
    /// Criterion by criterion.
    pub criteria: Vec<CriterionScore>,
}

/// The weighted score of `ratings` under `rules`: each rating spread from 0 (rated
/// 1) to 1 (rated 5), inverted for risk, weighted, on 100.
pub fn score(ratings: &Ratings, rules: &ScoringRules) -> AccountScore {
    let total_weight: u32 = Criterion::ALL.iter().map(|c| rules.weight(*c)).sum();
    let span = Decimal::from(RATING_MAX - RATING_MIN);
    let exact: Vec<Decimal> = Criterion::ALL
        .iter()
        .map(|c| {
            let r = ratings.of(*c).unwrap_or(RATING_MIN).clamp(RATING_MIN, RATING_MAX);
            let level = Decimal::from(r - RATING_MIN) / span;
            let level = if c.is_inverse() { Decimal::ONE - level } else { level };
            if total_weight == 0 {
                Decimal::ZERO
            } else {
                Decimal::from(rules.weight(*c)) * level * Decimal::ONE_HUNDRED / Decimal::from(total_weight)
            }
        })
        .collect();
    let total: Decimal = exact.iter().copied().sum();
    let score = total
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_u8()
        .unwrap_or(0)
        .min(100);
    let points = largest_remainder(&exact, u32::from(score));
    AccountScore {
        score,
        eligible: score >= rules.eligible_from,
        suggested_tier: rules.suggested_tier(score),
        criteria: Criterion::ALL
            .iter()
            .zip(points)
            .map(|(c, p)| CriterionScore {
                criterion: *c,
                rating: ratings.of(*c).unwrap_or(RATING_MIN),
                weight: rules.weight(*c),
                points: u8::try_from(p).unwrap_or(100),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ratings(r: [u8; 6]) -> Ratings {
        Ratings(Criterion::ALL.into_iter().zip(r).collect())
    }

    #[test]
    fn a_hand_computed_score() {
        // potential 5 (30), probability 4 (20 × 0.75), profitability 3 (20 × 0.5),
        // strategic 2 (15 × 0.25), fit 5 (5), risk 2 (10 × 0.75): 30 + 15 + 10 + 3.75 + 5 + 7.5.
        let s = score(&ratings([5, 4, 3, 2, 5, 2]), &ScoringRules::default());
        assert_eq!(s.score, 71);
        assert!(s.eligible);
        assert_eq!(s.suggested_tier, Tier::Key);
        let points: Vec<u8> = s.criteria.iter().map(|c| c.points).collect();
        assert_eq!(
            points,
            [30, 15, 10, 4, 5, 7],
            "3.75 takes the missing point, 7.5 does not"
        );
    }

    #[test]
    fn ratings_are_required_and_on_the_scale() {
        let e = Ratings::parse(&[
            (Criterion::Potential, Some("6")),
            (Criterion::Probability, Some("beaucoup")),
            (Criterion::Profitability, Some(" 3 ")),
        ])
        .unwrap_err();
        assert_eq!(e.code_of("potential"), Some("scoring.rating_range"));
        assert_eq!(e.code_of("probability"), Some("scoring.rating_range"));
        assert_eq!(e.code_of("profitability"), None);
        assert_eq!(e.code_of("risk"), Some("required"));
    }

    #[test]
    fn tiers_follow_the_thresholds() {
        let rules = ScoringRules::default();
        assert_eq!(
            score(&ratings([5, 5, 5, 5, 5, 1]), &rules).suggested_tier,
            Tier::Strategic
        );
        let low = score(&ratings([1, 1, 1, 1, 1, 5]), &rules);
        assert_eq!(
            (low.score, low.eligible, low.suggested_tier),
            (0, false, Tier::Developing)
        );
        assert_eq!(Tier::parse("Stratégique"), Some(Tier::Strategic));
    }

    proptest! {
        #[test]
        fn scores_are_bounded_monotone_and_add_up(r in prop::array::uniform6(1_u8..=5), k in 0_usize..6) {
            let rules = ScoringRules::default();
            let s = score(&ratings(r), &rules);
            prop_assert!(s.score <= 100);
            prop_assert_eq!(s.criteria.iter().map(|c| u32::from(c.points)).sum::<u32>(), u32::from(s.score));
            // A better rating (lower for risk) never lowers the score.
            let mut better = r;
            if Criterion::ALL[k].is_inverse() { better[k] = better[k].saturating_sub(1).max(1) } else { better[k] = (better[k] + 1).min(5) }
            prop_assert!(score(&ratings(better), &rules).score >= s.score);
        }
    }
}
