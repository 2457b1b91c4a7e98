//! Reminder plans (plans de relance), one per segment: a key account is not
//! reminded like a one-off buyer. Bilan ships a plan per company size; a workspace
//! may write its own.

use super::dunning::{Channel, Step, Tone};
use crate::accounts::CompanySize;
use crate::validation::{clean, ValidationErrors};
use serde::{Deserialize, Serialize};

/// The segment of the plan used when an account's segment has none of its own.
pub const DEFAULT_SEGMENT: &str = "default";
/// Most steps in a plan.
pub const MAX_STEPS: usize = 10;
/// Latest step, in days after the due date.
pub const MAX_DAYS: u32 = 365;

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Letter, Channel::PhoneTask];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Letter => "letter",
            Channel::PhoneTask => "phone_task",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == raw.trim())
    }
}

impl Tone {
    /// Every tone, gentlest first.
    pub const ALL: [Tone; 4] = [Tone::Helping, Tone::Reminder, Tone::Firm, Tone::Final];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Tone::Helping => "helping",
            Tone::Reminder => "reminder",
            Tone::Firm => "firm",
            Tone::Final => "final",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == raw.trim())
    }

    /// Whether the amounts owed for paying late may be added (firm and final steps).
    pub fn is_firm(self) -> bool {
        matches!(self, Tone::Firm | Tone::Final)
    }
}

/// A segment's reminder plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Steps, by days after the due date.
    pub steps: Vec<Step>,
    /// Tell the account's owner this many days before a firm step (none: never).
    pub owner_notice_days: Option<u32>,
    /// Add the late-payment interest and indemnity to firm and final reminders.
    pub add_late_charges: bool,
}

fn step(days_after_due: u32, channel: Channel, tone: Tone) -> Step {
    Step {
        days_after_due,
        channel,
        tone,
    }
}

/// Bilan's plan for a segment (a company size code, or [`DEFAULT_SEGMENT`]): large
/// companies get more time, a call from their owner before anything firm, and
/// their owner hears before a firm step; micro-companies are reminded sooner.
pub fn default_plan(segment: &str) -> Plan {
    use Channel::*;
    use Tone::*;
    match CompanySize::parse(segment) {
        Some(CompanySize::Large) => Plan {
            steps: vec![
                step(7, Email, Helping),
                step(21, Email, Reminder),
                step(35, PhoneTask, Reminder),
                step(50, Email, Firm),
                step(75, Letter, Final),
            ],
            owner_notice_days: Some(5),
            add_late_charges: true,
        },
        Some(CompanySize::Micro) => Plan {
            steps: vec![
                step(1, Email, Helping),
                step(10, Email, Reminder),
                step(20, Email, Firm),
                step(35, Letter, Final),
            ],
            owner_notice_days: None,
            add_late_charges: true,
        },
        _ => Plan {
            steps: vec![
                step(3, Email, Helping),
                step(15, Email, Reminder),
                step(30, PhoneTask, Reminder),
                step(40, Email, Firm),
                step(60, Letter, Final),
            ],
            owner_notice_days: None,
            add_late_charges: true,
        },
    }
}

/// The segments a plan can be written for: the default, then each company size.
pub fn segments() -> Vec<&'static str> {
    std::iter::once(DEFAULT_SEGMENT)
        .chain(CompanySize::ALL.iter().map(|s| s.code()))
        .collect()
}

/// One step as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepInput {
    /// Days after the due date.
    pub days_after_due: Option<String>,
    /// Channel code.
    pub channel: Option<String>,
    /// Tone code.
    pub tone: Option<String>,
}

/// A plan as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanInput {
    /// Steps (empty rows of a form are skipped).
    pub steps: Vec<StepInput>,
    /// Days before a firm step the owner is told (empty: never).
    pub owner_notice_days: Option<String>,
    /// `true` or `false`.
    pub add_late_charges: Option<String>,
}

impl PlanInput {
    /// Checks every step (`steps[2].tone`…): days from 0 to 365, each day once,
    /// known channels and tones, at most ten steps, at least one.
    pub fn validate(&self) -> Result<Plan, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut steps = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            let (d, c, t) = (
                clean(s.days_after_due.as_deref()),
                clean(s.channel.as_deref()),
                clean(s.tone.as_deref()),
            );
            if d.is_none() && t.is_none() {
                continue;
            }
            let field = |f: &str| format!("steps[{i}].{f}");
            let days = match d.as_deref().map(str::parse::<u32>) {
                None => {
                    e.add(&field("days_after_due"), "required");
                    None
                }
                Some(Ok(n)) if n <= MAX_DAYS => Some(n),
                Some(_) => {
                    e.add(&field("days_after_due"), "plan.days_invalid");
                    None
                }
            };
            let channel = c.as_deref().map_or(Some(Channel::Email), Channel::parse);
            if channel.is_none() {
                e.add(&field("channel"), "plan.channel_invalid");
            }
            let tone = t.as_deref().and_then(Tone::parse);
            if tone.is_none() {
                e.add(
                    &field("tone"),
                    if t.is_none() { "required" } else { "plan.tone_invalid" },
                );
            }
            if let Some(n) = days {
                if steps.iter().any(|s: &Step| s.days_after_due == n) {
                    e.add(&field("days_after_due"), "plan.day_repeated");
                }
            }
            if let (Some(days_after_due), Some(channel), Some(tone)) = (days, channel, tone) {
                steps.push(Step {
                    days_after_due,
                    channel,
                    tone,
                });
            }
        }
        if steps.is_empty() && e.is_empty() {
            e.add("steps", "plan.empty");
        }
        if steps.len() > MAX_STEPS {
            e.add("steps", "plan.too_many");
        }
        let owner_notice_days = match clean(self.owner_notice_days.as_deref()) {
            None => None,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n <= 60 => Some(n),
                _ => {
                    e.add("owner_notice_days", "plan.notice_invalid");
                    None
                }
            },
        };
        let add_late_charges = match clean(self.add_late_charges.as_deref()) {
            None => false,
            Some(v) => crate::contacts::parse_bool(&v).unwrap_or_else(|| {
                e.add("add_late_charges", "bool.invalid");
                false
            }),
        };
        e.into_result()?;
        steps.sort_by_key(|s| s.days_after_due);
        Ok(Plan {
            steps,
            owner_notice_days,
            add_late_charges,
        })
    }
}

impl Plan {
    /// The plan as typed (to prefill a form).
    pub fn to_input(&self) -> PlanInput {
        PlanInput {
            steps: self
                .steps
                .iter()
                .map(|s| StepInput {
                    days_after_due: Some(s.days_after_due.to_string()),
                    channel: Some(s.channel.code().to_owned()),
                    tone: Some(s.tone.code().to_owned()),
                })
                .collect(),
            owner_notice_days: self.owner_notice_days.map(|d| d.to_string()),
            add_late_charges: Some(self.add_late_charges.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_plan_starts_gently_and_ends_firm() {
        for s in segments() {
            let p = default_plan(s);
            assert_eq!(p.steps[0].tone, Tone::Helping, "{s}");
            assert!(p.steps.last().is_some_and(|x| x.tone.is_firm()), "{s}");
            assert!(p.steps.windows(2).all(|w| w[0].days_after_due < w[1].days_after_due));
            assert_eq!(p.to_input().validate(), Ok(p.clone()), "{s} round-trips");
        }
        assert!(default_plan("large").owner_notice_days.is_some());
    }

    #[test]
    fn a_plan_is_checked_step_by_step() {
        let input = PlanInput {
            steps: vec![
                StepInput {
                    days_after_due: Some("10".into()),
                    channel: Some("email".into()),
                    tone: Some("helping".into()),
                },
                StepInput::default(),
                StepInput {
                    days_after_due: Some("10".into()),
                    channel: Some("fax".into()),
                    tone: Some("angry".into()),
                },
                StepInput {
                    days_after_due: Some("400".into()),
                    channel: None,
                    tone: Some("firm".into()),
                },
            ],
            owner_notice_days: Some("x".into()),
            add_late_charges: Some("yes".into()),
        };
        let e = input.validate().unwrap_err();
        assert_eq!(e.code_of("steps[2].days_after_due"), Some("plan.day_repeated"));
        assert_eq!(e.code_of("steps[2].channel"), Some("plan.channel_invalid"));
        assert_eq!(e.code_of("steps[2].tone"), Some("plan.tone_invalid"));
        assert_eq!(e.code_of("steps[3].days_after_due"), Some("plan.days_invalid"));
        assert_eq!(e.code_of("owner_notice_days"), Some("plan.notice_invalid"));
        assert_eq!(e.code_of("steps[1].tone"), None, "an empty row is skipped");
        assert_eq!(
            PlanInput::default().validate().unwrap_err().code_of("steps"),
            Some("plan.empty")
        );
    }
}
