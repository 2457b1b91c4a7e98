//! SMART objectives of an account plan: specific (a title), measurable (a metric,
//! a baseline and a target), achievable and relevant (people judge that), and
//! time-bound (a deadline). Bilan refuses an objective without a measurable target
//! or a date, and says which part is missing.

use crate::validation::{optional_text, required_text};
use crate::ValidationErrors;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest title.
pub const TITLE_MAX: usize = 300;
/// Longest metric name.
pub const METRIC_MAX: usize = 120;

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ObjectiveStatus {
    /// Being worked on.
    Open,
    /// Reached.
    Achieved,
    /// Its date passed without reaching it.
    Missed,
    /// Given up on purpose.
    Dropped,
}

impl ObjectiveStatus {
    /// Every status.
    pub const ALL: [ObjectiveStatus; 4] = [Self::Open, Self::Achieved, Self::Missed, Self::Dropped];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Achieved => "achieved",
            Self::Missed => "missed",
            Self::Dropped => "dropped",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == raw.trim())
    }
}

/// An objective as typed in a form, an API body or a CLI command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveInput {
    /// What is to be achieved.
    pub title: Option<String>,
    /// What measures it (`revenue`, `NPS`, `sites equipped`).
    pub metric: Option<String>,
    /// Where it starts.
    pub baseline: Option<String>,
    /// Where it must get.
    pub target: Option<String>,
    /// Where it is now.
    pub current: Option<String>,
    /// By when (YYYY-MM-DD).
    pub due_on: Option<String>,
    /// Who answers for it.
    pub owner_id: Option<String>,
    /// `open`, `achieved`, `missed`, `dropped` (default `open`).
    pub status: Option<String>,
}

/// A checked objective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewObjective {
    /// What is to be achieved.
    pub title: String,
    /// What measures it.
    pub metric: String,
    /// Where it starts.
    pub baseline: Option<Decimal>,
    /// Where it must get.
    pub target: Decimal,
    /// Where it is now.
    pub current: Option<Decimal>,
    /// By when.
    pub due_on: NaiveDate,
    /// Who answers for it (`None`: the account's key-account manager).
    pub owner_id: Option<Uuid>,
    /// Where it stands.
    pub status: ObjectiveStatus,
}

fn number(e: &mut ValidationErrors, field: &str, raw: Option<&str>, required: bool) -> Option<Decimal> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty());
    match raw {
        None => {
            if required {
                e.add(
                    field,
                    if field == "target" {
                        "objective.target_missing"
                    } else {
                        "required"
                    },
                );
            }
            None
        }
        Some(t) => match crate::money::parse_amount(t.trim_end_matches('%').trim()) {
            Some(v) => Some(v),
            None => {
                e.add(field, "objective.not_a_number");
                None
            }
        },
    }
}

impl ObjectiveInput {
    /// Checks the objective on `today` (a new deadline may not be in the past).
    pub fn validate(&self, today: NaiveDate, is_new: bool) -> Result<NewObjective, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = required_text(&mut e, "title", self.title.as_deref(), TITLE_MAX);
        let metric = optional_text(&mut e, "metric", self.metric.as_deref(), METRIC_MAX);
        if metric.is_none() {
            e.add("metric", "objective.metric_missing");
        }
        let baseline = number(&mut e, "baseline", self.baseline.as_deref(), false);
        let target = number(&mut e, "target", self.target.as_deref(), true);
        let current = number(&mut e, "current", self.current.as_deref(), false);
        if let (Some(b), Some(t)) = (baseline, target) {
            if b == t {
                e.add("target", "objective.target_is_baseline");
            }
        }
        let due_on = match self.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.add("due_on", "objective.date_missing");
                None
            }
            Some(raw) => match crate::accounts::parse_date(raw) {
                None => {
                    e.add("due_on", "date.invalid");
                    None
                }
                Some(d) if is_new && d < today => {
                    e.add("due_on", "objective.date_past");
                    None
                }
                Some(d) if d > today + chrono::Duration::days(366 * 5) => {
                    e.add("due_on", "objective.date_too_far");
                    None
                }
                Some(d) => Some(d),
            },
        };
        let owner_id = match self.owner_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => match Uuid::parse_str(raw) {
                Ok(id) => Some(id),
                Err(_) => {
                    e.add("owner_id", "id.invalid");
                    None
                }
            },
        };
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ObjectiveStatus::Open,
            Some(raw) => ObjectiveStatus::parse(raw).unwrap_or_else(|| {
                e.add("status", "objective.status_invalid");
                ObjectiveStatus::Open
            }),
        };
        e.into_result()?;
        match (target, due_on, metric) {
            (Some(target), Some(due_on), Some(metric)) => Ok(NewObjective {
                title,
                metric,
                baseline,
                target,
                current,
                due_on,
                owner_id,
                status,
            }),
            _ => Err(ValidationErrors::single("target", "objective.target_missing")),
        }
    }
}

/// How far an objective has come from its baseline to its target, in per cent
/// (0–100, more when exceeded); `None` without a current value or a baseline.
pub fn progress(baseline: Option<Decimal>, target: Decimal, current: Option<Decimal>) -> Option<Decimal> {
    let (b, c) = (baseline?, current?);
    if target == b {
        return None;
    }
    let p = (c - b) * Decimal::ONE_HUNDRED / (target - b);
    Some(p.max(Decimal::ZERO).round_dp(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn input() -> ObjectiveInput {
        ObjectiveInput {
            title: Some("Équiper les 12 sites".into()),
            metric: Some("sites équipés".into()),
            baseline: Some("4".into()),
            target: Some("12".into()),
            due_on: Some("2027-06-30".into()),
            ..ObjectiveInput::default()
        }
    }

    #[test]
    fn a_smart_objective_is_accepted() {
        let o = input().validate(today(), true).unwrap();
        assert_eq!(o.target, Decimal::from(12));
        assert_eq!(o.status, ObjectiveStatus::Open);
    }

    #[test]
    fn a_vague_objective_is_refused_with_the_missing_part_named() {
        let vague = ObjectiveInput {
            target: None,
            due_on: None,
            ..input()
        };
        let e = vague.validate(today(), true).unwrap_err();
        assert_eq!(e.code_of("target"), Some("objective.target_missing"));
        assert_eq!(e.code_of("due_on"), Some("objective.date_missing"));
        let no_metric = ObjectiveInput {
            metric: None,
            ..input()
        };
        assert_eq!(
            no_metric.validate(today(), true).unwrap_err().code_of("metric"),
            Some("objective.metric_missing")
        );
        let same = ObjectiveInput {
            target: Some("4".into()),
            ..input()
        };
        assert_eq!(
            same.validate(today(), true).unwrap_err().code_of("target"),
            Some("objective.target_is_baseline")
        );
        let past = ObjectiveInput {
            due_on: Some("2026-01-31".into()),
            ..input()
        };
        assert_eq!(
            past.validate(today(), true).unwrap_err().code_of("due_on"),
            Some("objective.date_past")
        );
        assert!(past.validate(today(), false).is_ok(), "an old objective may be edited");
        let words = ObjectiveInput {
            target: Some("beaucoup".into()),
            ..input()
        };
        assert_eq!(
            words.validate(today(), true).unwrap_err().code_of("target"),
            Some("objective.not_a_number")
        );
    }

    #[test]
    fn progress_goes_from_baseline_to_target() {
        let p = progress(Some(Decimal::from(4)), Decimal::from(12), Some(Decimal::from(8)));
        assert_eq!(p, Some(Decimal::from(50)));
        // A falling target (fewer incidents) counts the same way.
        let p = progress(Some(Decimal::from(20)), Decimal::from(10), Some(Decimal::from(15)));
        assert_eq!(p, Some(Decimal::from(50)));
        assert_eq!(progress(None, Decimal::from(12), Some(Decimal::ONE)), None);
    }
}
