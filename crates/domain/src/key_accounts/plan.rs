//! The rest of a living account plan: the roadmap of projects, value milestones,
//! and the financial hypotheses (NRR, margin, CAC payback) beside their actuals.

use crate::validation::{optional_text, required_text};
use crate::ValidationErrors;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What kind of plan item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemKind {
    /// A project of the roadmap, from a start to an end.
    Project,
    /// A value milestone (jalon de valeur): a result the client sees, on a date.
    Milestone,
}

impl ItemKind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Milestone => "milestone",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "project" => Some(Self::Project),
            "milestone" => Some(Self::Milestone),
            _ => None,
        }
    }
}

/// Where a plan item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemStatus {
    /// Not started.
    Planned,
    /// Under way.
    InProgress,
    /// Delivered or reached.
    Done,
}

impl ItemStatus {
    /// Every status.
    pub const ALL: [ItemStatus; 3] = [Self::Planned, Self::InProgress, Self::Done];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == raw.trim())
    }
}

/// A project or milestone as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItemInput {
    /// `project` or `milestone`.
    pub kind: Option<String>,
    /// Its name.
    pub title: Option<String>,
    /// A project's start.
    pub starts_on: Option<String>,
    /// A project's end or a milestone's date.
    pub due_on: Option<String>,
    /// The value it brings the client, in words ("−20 % de délai de livraison").
    pub value: Option<String>,
    /// `planned`, `in_progress`, `done`.
    pub status: Option<String>,
}

/// A checked plan item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPlanItem {
    /// Project or milestone.
    pub kind: ItemKind,
    /// Its name.
    pub title: String,
    /// A project's start.
    pub starts_on: Option<NaiveDate>,
    /// End or date.
    pub due_on: NaiveDate,
    /// The value it brings.
    pub value: Option<String>,
    /// Where it stands.
    pub status: ItemStatus,
}

fn date(e: &mut ValidationErrors, field: &str, raw: Option<&str>, required: bool) -> Option<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if required {
                e.add(field, "required");
            }
            None
        }
        Some(t) => crate::accounts::parse_date(t).or_else(|| {
            e.add(field, "date.invalid");
            None
        }),
    }
}

impl PlanItemInput {
    /// Checks the item: a project ends after it starts.
    pub fn validate(&self) -> Result<NewPlanItem, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ItemKind::Project,
            Some(raw) => ItemKind::parse(raw).unwrap_or_else(|| {
                e.add("kind", "plan_item.kind_invalid");
                ItemKind::Project
            }),
        };
        let title = required_text(&mut e, "title", self.title.as_deref(), 300);
        let starts_on = if kind == ItemKind::Project {
            date(&mut e, "starts_on", self.starts_on.as_deref(), false)
        } else {
            None
        };
        let due_on = date(&mut e, "due_on", self.due_on.as_deref(), true);
        if let (Some(s), Some(d)) = (starts_on, due_on) {
            if d < s {
                e.add("due_on", "plan_item.ends_before_start");
            }
        }
        let value = optional_text(&mut e, "value", self.value.as_deref(), 500);
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ItemStatus::Planned,
            Some(raw) => ItemStatus::parse(raw).unwrap_or_else(|| {
                e.add("status", "plan_item.status_invalid");
                ItemStatus::Planned
            }),
        };
        e.into_result()?;
        let due_on = due_on.ok_or_else(|| ValidationErrors::single("due_on", "required"))?;
        Ok(NewPlanItem {
            kind,
            title,
            starts_on,
            due_on,
            value,
            status,
        })
    }
}

/// Financial hypotheses of a plan and the actuals typed beside them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Financials {
    /// Net revenue retention aimed at, in per cent (110 = grow by a tenth).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub nrr_target: Option<Decimal>,
    /// Gross margin aimed at, in per cent.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub margin_target: Option<Decimal>,
    /// Gross margin reached, in per cent (from the controller).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub margin_actual: Option<Decimal>,
    /// Months to earn back the cost of winning the account, aimed at.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cac_payback_target: Option<Decimal>,
    /// Months it took or will take.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cac_payback_actual: Option<Decimal>,
}

/// Financials as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinancialsInput {
    /// NRR target, per cent.
    pub nrr_target: Option<String>,
    /// Margin target, per cent.
    pub margin_target: Option<String>,
    /// Margin reached, per cent.
    pub margin_actual: Option<String>,
    /// CAC payback target, months.
    pub cac_payback_target: Option<String>,
    /// CAC payback reached, months.
    pub cac_payback_actual: Option<String>,
}

impl FinancialsInput {
    /// Checks the figures: per cents from −100 to 1,000, months from 0 to 240.
    pub fn validate(&self) -> Result<Financials, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut read = |field: &str, raw: &Option<String>, min: i64, max: i64| -> Option<Decimal> {
            let t = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            match crate::money::parse_amount(t.trim_end_matches('%').trim()) {
                Some(v) if v >= Decimal::from(min) && v <= Decimal::from(max) => Some(v),
                Some(_) => {
                    e.add(field, "financials.out_of_range");
                    None
                }
                None => {
                    e.add(field, "objective.not_a_number");
                    None
                }
            }
        };
        let f = Financials {
            nrr_target: read("nrr_target", &self.nrr_target, 0, 1000),
            margin_target: read("margin_target", &self.margin_target, -100, 100),
            margin_actual: read("margin_actual", &self.margin_actual, -100, 100),
            cac_payback_target: read("cac_payback_target", &self.cac_payback_target, 0, 240),
            cac_payback_actual: read("cac_payback_actual", &self.cac_payback_actual, 0, 240),
        };
        e.into_result().map(|()| f)
    }
}

/// An account's net revenue retention: what it was invoiced over the last twelve
/// months (net of credit notes) against the twelve before, in per cent, one
/// decimal; `None` when nothing was invoiced before.
pub fn nrr(last_12m_minor: i64, previous_12m_minor: i64) -> Option<Decimal> {
    if previous_12m_minor <= 0 {
        return None;
    }
    Some((Decimal::from(last_12m_minor) * Decimal::ONE_HUNDRED / Decimal::from(previous_12m_minor)).round_dp(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_ends_after_it_starts() {
        let e = PlanItemInput {
            title: Some("Déploiement Lyon".into()),
            starts_on: Some("2027-03-01".into()),
            due_on: Some("2027-02-01".into()),
            ..PlanItemInput::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.code_of("due_on"), Some("plan_item.ends_before_start"));
        let m = PlanItemInput {
            kind: Some("milestone".into()),
            title: Some("Premier site en production".into()),
            starts_on: Some("n'importe quoi".into()),
            due_on: Some("2027-04-15".into()),
            ..PlanItemInput::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            (m.kind, m.starts_on),
            (ItemKind::Milestone, None),
            "a milestone has one date"
        );
    }

    #[test]
    fn financials_are_numbers_in_range() {
        let e = FinancialsInput {
            nrr_target: Some("110 %".into()),
            margin_target: Some("140".into()),
            cac_payback_target: Some("vite".into()),
            ..FinancialsInput::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.code_of("nrr_target"), None);
        assert_eq!(e.code_of("margin_target"), Some("financials.out_of_range"));
        assert_eq!(e.code_of("cac_payback_target"), Some("objective.not_a_number"));
        assert_eq!(nrr(110_000, 100_000), Some(Decimal::new(1100, 1)));
        assert_eq!(nrr(5, 0), None);
    }
}
