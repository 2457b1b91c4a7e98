//! What is recorded when the review is held: the round table (each attendee's
//! satisfactions and irritants), decisions, SMART objectives for the coming
//! period, risks, and the action plan — what, who (on either side), by when.

use crate::key_accounts::objectives::{NewObjective, ObjectiveInput};
use crate::key_accounts::risks::{NewRisk, RiskInput};
use crate::validation::{optional_text, required_text, text_fault, FieldError, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One attendee's turn at the round table, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundTableInput {
    /// Who spoke (a name, as it will read in the minutes).
    pub attendee: Option<String>,
    /// What satisfies them.
    pub satisfactions: Option<String>,
    /// What irritates them.
    pub irritants: Option<String>,
}

/// One attendee's turn at the round table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundTableEntry {
    /// Who spoke.
    pub attendee: String,
    /// What satisfies them.
    pub satisfactions: String,
    /// What irritates them.
    pub irritants: String,
}

/// An action item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItemInput {
    /// What is to be done.
    pub what: Option<String>,
    /// Who does it: a user's id, e-mail or name, a contact's id or name, or any name.
    pub owner: Option<String>,
    /// By when (YYYY-MM-DD or DD/MM/YYYY).
    pub due_on: Option<String>,
}

/// A checked action item; its owner is found by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewActionItem {
    /// What is to be done.
    pub what: String,
    /// Who, as typed.
    pub owner: String,
    /// By when.
    pub due_on: NaiveDate,
}

/// Everything recorded at the meeting, as typed (also the autosaved draft).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldInput {
    /// Day it was held (default: the planned day).
    pub held_on: Option<String>,
    /// The round table.
    #[serde(default)]
    pub round_table: Vec<RoundTableInput>,
    /// Decisions, one each.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// SMART objectives for the coming period (they join the account plan).
    #[serde(default)]
    pub objectives: Vec<ObjectiveInput>,
    /// Risks raised (they join the account plan's register).
    #[serde(default)]
    pub risks: Vec<RiskInput>,
    /// The action plan.
    #[serde(default)]
    pub action_items: Vec<ActionItemInput>,
    /// Free notes.
    pub notes: Option<String>,
}

/// What a held review recorded, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held {
    /// Day held.
    pub held_on: NaiveDate,
    /// The round table.
    pub round_table: Vec<RoundTableEntry>,
    /// Decisions.
    pub decisions: Vec<String>,
    /// Objectives.
    pub objectives: Vec<NewObjective>,
    /// Risks.
    pub risks: Vec<NewRisk>,
    /// Action items.
    pub action_items: Vec<NewActionItem>,
    /// Notes.
    pub notes: Option<String>,
}

/// Longest list of any part (round table, decisions, objectives, risks, actions).
pub const MAX_LINES: usize = 100;

fn nested(e: &mut ValidationErrors, prefix: &str, inner: ValidationErrors) {
    for FieldError { field, code } in inner.0 {
        e.add(&format!("{prefix}.{field}"), &code);
    }
}

fn too_many(e: &mut ValidationErrors, field: &str, n: usize) {
    if n > MAX_LINES {
        e.add(field, "review.too_many_lines");
    }
}

/// Checks one action item; `today` is the day the plan is made.
pub fn check_action(
    e: &mut ValidationErrors,
    prefix: &str,
    a: &ActionItemInput,
    since: NaiveDate,
) -> Option<NewActionItem> {
    let before = e.0.len();
    let what = required_text(e, &format!("{prefix}.what"), a.what.as_deref(), 500);
    let owner = required_text(e, &format!("{prefix}.owner"), a.owner.as_deref(), 200);
    let due_field = format!("{prefix}.due_on");
    let due_on = match a.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add(&due_field, "review.action_date_missing");
            None
        }
        Some(raw) => match crate::accounts::parse_date(raw) {
            None => {
                e.add(&due_field, "date.invalid");
                None
            }
            Some(d) if d < since => {
                e.add(&due_field, "review.action_date_past");
                None
            }
            Some(d) if (d - since).num_days() > 3 * 366 => {
                e.add(&due_field, "review.action_date_too_far");
                None
            }
            Some(d) => Some(d),
        },
    };
    if e.0.len() > before {
        return None;
    }
    Some(NewActionItem {
        what,
        owner,
        due_on: due_on?,
    })
}

impl HoldInput {
    /// Whether nothing at all was typed (an empty draft).
    pub fn is_empty(&self) -> bool {
        self.round_table.is_empty()
            && self.decisions.iter().all(|d| d.trim().is_empty())
            && self.objectives.is_empty()
            && self.risks.is_empty()
            && self.action_items.is_empty()
            && self.notes.as_deref().is_none_or(|n| n.trim().is_empty())
    }

    /// Checks what was recorded, held by default on `planned_on`, on `today`
    /// (a review is not held in the future). Lines left wholly blank are skipped;
    /// errors name their line (`action_items[1].due_on`).
    pub fn validate(&self, planned_on: NaiveDate, today: NaiveDate) -> Result<Held, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let held_on = match self.held_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(planned_on.min(today)),
            Some(raw) => match crate::accounts::parse_date(raw) {
                None => {
                    e.add("held_on", "date.invalid");
                    None
                }
                Some(d) if d > today => {
                    e.add("held_on", "review.held_in_future");
                    None
                }
                Some(d) => Some(d),
            },
        };
        let since = held_on.unwrap_or(today);
        let mut round_table = Vec::new();
        too_many(&mut e, "round_table", self.round_table.len());
        for (i, r) in self.round_table.iter().enumerate() {
            // A line with a name and nothing said (the page lists every attendee) is skipped.
            let blank = |s: &Option<String>| s.as_deref().is_none_or(|v| v.trim().is_empty());
            if blank(&r.satisfactions) && blank(&r.irritants) {
                continue;
            }
            let p = format!("round_table[{i}]");
            let attendee = required_text(&mut e, &format!("{p}.attendee"), r.attendee.as_deref(), 200);
            let satisfactions = optional_text(&mut e, &format!("{p}.satisfactions"), r.satisfactions.as_deref(), 4000);
            let irritants = optional_text(&mut e, &format!("{p}.irritants"), r.irritants.as_deref(), 4000);
            round_table.push(RoundTableEntry {
                attendee,
                satisfactions: satisfactions.unwrap_or_default(),
                irritants: irritants.unwrap_or_default(),
            });
        }
        too_many(&mut e, "decisions", self.decisions.len());
        let mut decisions = Vec::new();
        for (i, d) in self.decisions.iter().enumerate() {
            let d = d.trim();
            if d.is_empty() {
                continue;
            }
            let f = format!("decisions[{i}]");
            if d.chars().count() > 2000 {
                e.add(&f, "too_long");
            } else if let Some(code) = text_fault(d) {
                e.add(&f, code);
            } else {
                decisions.push(d.to_owned());
            }
        }
        too_many(&mut e, "objectives", self.objectives.len());
        let mut objectives = Vec::new();
        for (i, o) in self.objectives.iter().enumerate() {
            if *o == ObjectiveInput::default() {
                continue;
            }
            match o.validate(since, true) {
                Ok(ok) => objectives.push(ok),
                Err(inner) => nested(&mut e, &format!("objectives[{i}]"), inner),
            }
        }
        too_many(&mut e, "risks", self.risks.len());
        let mut risks = Vec::new();
        for (i, r) in self.risks.iter().enumerate() {
            if *r == RiskInput::default() {
                continue;
            }
            match r.validate() {
                Ok(ok) => risks.push(ok),
                Err(inner) => nested(&mut e, &format!("risks[{i}]"), inner),
            }
        }
        too_many(&mut e, "action_items", self.action_items.len());
        let mut action_items = Vec::new();
        for (i, a) in self.action_items.iter().enumerate() {
            if *a == ActionItemInput::default()
                || [&a.what, &a.owner, &a.due_on]
                    .iter()
                    .all(|s| s.as_deref().is_none_or(|v| v.trim().is_empty()))
            {
                continue;
            }
            if let Some(ok) = check_action(&mut e, &format!("action_items[{i}]"), a, since) {
                action_items.push(ok);
            }
        }
        let notes = optional_text(&mut e, "notes", self.notes.as_deref(), 20_000);
        e.into_result()?;
        Ok(Held {
            held_on: held_on.unwrap_or(today),
            round_table,
            decisions,
            objectives,
            risks,
            action_items,
            notes,
        })
    }
}
