//! The annual client review (SPEC C8, le bilan annuel client): planning it with
//! its attendees from both sides, its agenda, the data pack frozen when it is
//! prepared, what is said and decided when it is held, the minutes, and the action
//! plan followed until every item is done.

pub mod actions;
pub mod agenda;
pub mod hold;
pub mod pack;

use crate::validation::{optional_text, ValidationErrors};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// What kind of meeting a review is.
    ReviewKind {
        /// Le bilan annuel: the year looked back on and the next one decided.
        Annual => "annual",
        /// Point d'étape trimestriel: the action plan's progress.
        Checkpoint => "checkpoint",
        /// Comité de pilotage: governance of a large account.
        Steering => "steering",
    }
}

code_enum! {
    /// Where a review stands; each step is dated.
    ReviewState {
        /// Planned: date, attendees and agenda.
        Planned => "planned",
        /// Prepared: its data pack is frozen.
        Prepared => "prepared",
        /// Held: round table, decisions, objectives and actions recorded.
        Held => "held",
        /// Its minutes were sent to the attendees.
        MinutesSent => "minutes_sent",
        /// Closed: nothing more to do on the review itself.
        Closed => "closed",
        /// Called off (the invitation was cancelled).
        Cancelled => "cancelled",
    }
}

impl ReviewState {
    /// Whether the review can still be moved in the calendar or its attendees changed.
    pub fn is_open_for_planning(self) -> bool {
        matches!(self, Self::Planned | Self::Prepared)
    }

    /// Whether the meeting took place (minutes can be produced).
    pub fn was_held(self) -> bool {
        matches!(self, Self::Held | Self::MinutesSent | Self::Closed)
    }
}

/// Why a step cannot be taken from the review's state: the error code, named after the step.
pub fn check_step(state: ReviewState, to: ReviewState) -> Result<(), &'static str> {
    use ReviewState::*;
    let ok = match to {
        Prepared => matches!(state, Planned | Prepared),
        Held => matches!(state, Planned | Prepared | Held),
        MinutesSent => matches!(state, Held | MinutesSent),
        Closed => matches!(state, Held | MinutesSent),
        Cancelled => matches!(state, Planned | Prepared),
        Planned => matches!(state, Planned | Prepared),
    };
    if ok {
        Ok(())
    } else {
        Err(match to {
            Prepared => "review.cannot_prepare",
            Held => "review.cannot_hold",
            MinutesSent => "review.not_held",
            Closed => "review.cannot_close",
            Cancelled => "review.cannot_cancel",
            Planned => "review.cannot_replan",
        })
    }
}

code_enum! {
    /// Which side of the relationship an attendee is on.
    Side {
        /// The client's people.
        Client => "client",
        /// The supplier's people (our team).
        Supplier => "supplier",
    }
}

code_enum! {
    /// The part an attendee plays in the review.
    AttendeeRole {
        /// Client: décideur.
        DecisionMaker => "decision_maker",
        /// Client: acheteur.
        Buyer => "buyer",
        /// Client: prescripteur.
        Prescriber => "prescriber",
        /// Client: utilisateur.
        User => "user",
        /// Client: sponsor.
        Sponsor => "sponsor",
        /// Supplier: responsable du compte.
        AccountManager => "account_manager",
        /// Supplier: customer success.
        CustomerSuccess => "customer_success",
        /// Supplier: support.
        Support => "support",
        /// Supplier: finance.
        Finance => "finance",
        /// Supplier: direction.
        Executive => "executive",
    }
}

impl AttendeeRole {
    /// The side a role belongs to.
    pub fn side(self) -> Side {
        match self {
            Self::DecisionMaker | Self::Buyer | Self::Prescriber | Self::User | Self::Sponsor => Side::Client,
            Self::AccountManager | Self::CustomerSuccess | Self::Support | Self::Finance | Self::Executive => {
                Side::Supplier
            }
        }
    }

    /// The roles of one side.
    pub fn of_side(side: Side) -> Vec<AttendeeRole> {
        Self::ALL.iter().copied().filter(|r| r.side() == side).collect()
    }
}

/// Longest period a review looks back on (two years and a day or two).
pub const MAX_PERIOD_DAYS: i64 = 732;
/// Meeting length when none is given.
pub const DEFAULT_MINUTES: u32 = 120;
/// Start time when none is given (local time).
pub const DEFAULT_START: &str = "10:00";

/// A review as typed when planning it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// `annual`, `checkpoint` or `steering`.
    pub kind: Option<String>,
    /// First day of the period looked back on.
    pub period_from: Option<String>,
    /// Last day of the period.
    pub period_to: Option<String>,
    /// Day of the meeting.
    pub planned_on: Option<String>,
    /// Local start time, `HH:MM` (default 10:00).
    pub starts_at: Option<String>,
    /// Length in minutes (default 120).
    pub duration_minutes: Option<String>,
    /// Where (a room, an address, a video link).
    pub location: Option<String>,
    /// Language of the minutes: `fr` or `en`.
    pub lang: Option<String>,
}

/// A checked review plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReview {
    /// Kind.
    pub kind: ReviewKind,
    /// First day looked back on.
    pub period_from: NaiveDate,
    /// Last day looked back on.
    pub period_to: NaiveDate,
    /// Day of the meeting.
    pub planned_on: NaiveDate,
    /// Local start time.
    pub starts_at: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// Where.
    pub location: Option<String>,
    /// Language of the minutes, when chosen.
    pub lang: Option<String>,
}

fn date(e: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add(field, "required");
            None
        }
        Some(r) => crate::accounts::parse_date(r).or_else(|| {
            e.add(field, "date.invalid");
            None
        }),
    }
}

/// The period a review of `kind` held on `planned_on` looks back on by default:
/// the twelve months before it for an annual review or a steering committee, the
/// three months before it for a checkpoint.
pub fn default_period(kind: ReviewKind, planned_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let months = if kind == ReviewKind::Checkpoint { 3 } else { 12 };
    let to = planned_on.pred_opt().unwrap_or(planned_on);
    let from = planned_on
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(planned_on);
    (from, to)
}

impl ReviewInput {
    /// Checks the plan on `today` (a new review may not be planned in the past).
    pub fn validate(&self, today: NaiveDate, is_new: bool) -> Result<NewReview, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(ReviewKind::Annual),
            Some(raw) => ReviewKind::parse(raw).or_else(|| {
                e.add("kind", "review.kind_invalid");
                None
            }),
        };
        let planned_on = date(&mut e, "planned_on", self.planned_on.as_deref());
        if let Some(d) = planned_on {
            if is_new && d < today {
                e.add("planned_on", "review.date_past");
            } else if d > today + chrono::Duration::days(2 * 366) {
                e.add("planned_on", "review.date_too_far");
            }
        }
        let blank = |s: &Option<String>| s.as_deref().map(str::trim).is_none_or(str::is_empty);
        let (from, to) = match (kind, planned_on) {
            (Some(k), Some(p)) if blank(&self.period_from) && blank(&self.period_to) => {
                let (f, t) = default_period(k, p);
                (Some(f), Some(t))
            }
            _ => (
                date(&mut e, "period_from", self.period_from.as_deref()),
                date(&mut e, "period_to", self.period_to.as_deref()),
            ),
        };
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add("period_to", "review.period_reversed");
            } else if (t - f).num_days() > MAX_PERIOD_DAYS {
                e.add("period_to", "review.period_too_long");
            }
        }
        let starts_at = match self.starts_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => NaiveTime::from_hms_opt(10, 0, 0),
            Some(raw) => NaiveTime::parse_from_str(raw, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(raw, "%Hh%M"))
                .or_else(|_| NaiveTime::parse_from_str(&format!("{raw}00"), "%Hh%M"))
                .ok()
                .or_else(|| {
                    e.add("starts_at", "review.time_invalid");
                    None
                }),
        };
        let duration_minutes = match self
            .duration_minutes
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(DEFAULT_MINUTES),
            Some(raw) => match raw.parse::<u32>() {
                Ok(m) if (15..=600).contains(&m) => Some(m),
                _ => {
                    e.add("duration_minutes", "review.duration_invalid");
                    None
                }
            },
        };
        let location = optional_text(&mut e, "location", self.location.as_deref(), 300);
        let lang = match self.lang.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(l) if l == "fr" || l == "en" => Some(l.to_owned()),
            Some(_) => {
                e.add("lang", "review.lang_invalid");
                None
            }
        };
        e.into_result()?;
        match (kind, from, to, planned_on, starts_at, duration_minutes) {
            (
                Some(kind),
                Some(period_from),
                Some(period_to),
                Some(planned_on),
                Some(starts_at),
                Some(duration_minutes),
            ) => Ok(NewReview {
                kind,
                period_from,
                period_to,
                planned_on,
                starts_at,
                duration_minutes,
                location,
                lang,
            }),
            _ => Err(ValidationErrors::single("planned_on", "required")),
        }
    }
}

/// An attendee as typed: one of the account's contacts, one of our users, or a
/// name and address for someone Bilan does not know yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeInput {
    /// A contact of the account (client side).
    pub contact_id: Option<String>,
    /// A user of the workspace (supplier side).
    pub user_id: Option<String>,
    /// Name, when neither is given.
    pub name: Option<String>,
    /// E-mail address, when neither is given.
    pub email: Option<String>,
    /// Role code (see [`AttendeeRole`]).
    pub role: Option<String>,
}

/// A checked attendee; the contact or user is looked up by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAttendee {
    /// Contact, when one.
    pub contact_id: Option<Uuid>,
    /// User, when one.
    pub user_id: Option<Uuid>,
    /// Name typed.
    pub name: Option<String>,
    /// Address typed.
    pub email: Option<String>,
    /// Role.
    pub role: AttendeeRole,
}

fn id(e: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<Uuid> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    Uuid::parse_str(raw).ok().or_else(|| {
        e.add(field, "id.invalid");
        None
    })
}

impl AttendeeInput {
    /// Checks the attendee; `prefix` names it in a list (`attendees[2].`).
    pub fn check(&self, e: &mut ValidationErrors, prefix: &str) -> Option<NewAttendee> {
        let f = |name: &str| format!("{prefix}{name}");
        let before = e.0.len();
        let contact_id = id(e, &f("contact_id"), self.contact_id.as_deref());
        let user_id = id(e, &f("user_id"), self.user_id.as_deref());
        let name = optional_text(e, &f("name"), self.name.as_deref(), 200);
        let email = optional_text(e, &f("email"), self.email.as_deref(), 254);
        if let Some(m) = &email {
            if !crate::validation::is_plausible_email(m) {
                e.add(&f("email"), "email.invalid");
            }
        }
        if contact_id.is_some() && user_id.is_some() {
            e.add(&f("user_id"), "review.attendee_both");
        }
        if contact_id.is_none() && user_id.is_none() && name.is_none() && e.0.len() == before {
            e.add(&f("name"), "review.attendee_missing");
        }
        let role = match self.role.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None if user_id.is_some() => Some(AttendeeRole::AccountManager),
            None => Some(AttendeeRole::DecisionMaker),
            Some(raw) => AttendeeRole::parse(raw).or_else(|| {
                e.add(&f("role"), "review.role_invalid");
                None
            }),
        };
        if let Some(r) = role {
            if (user_id.is_some() && r.side() == Side::Client) || (contact_id.is_some() && r.side() == Side::Supplier) {
                e.add(&f("role"), "review.role_wrong_side");
            }
        }
        if e.0.len() > before {
            return None;
        }
        Some(NewAttendee {
            contact_id,
            user_id,
            name,
            email,
            role: role?,
        })
    }
}

/// Checks a list of attendees, naming each error by its place in the list.
pub fn check_attendees(inputs: &[AttendeeInput]) -> Result<Vec<NewAttendee>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut out = Vec::new();
    for (i, a) in inputs.iter().enumerate() {
        if let Some(ok) = a.check(&mut e, &format!("attendees[{i}].")) {
            out.push(ok);
        }
    }
    if inputs.len() > 60 {
        e.add("attendees", "review.too_many_attendees");
    }
    e.into_result()?;
    Ok(out)
}

/// The review due next for an account whose last annual review was held on
/// `last_held` (a year later), or `None` when it never had one.
pub fn next_annual_due(last_held: Option<NaiveDate>) -> Option<NaiveDate> {
    last_held.and_then(|d| crate::calendar::add_months(d, 12))
}

/// The days of the quarterly checkpoints after a review held on `held_on`: three,
/// six and nine months later.
pub fn checkpoints_after(held_on: NaiveDate) -> Vec<NaiveDate> {
    [3, 6, 9]
        .into_iter()
        .filter_map(|m| crate::calendar::add_months(held_on, m))
        .collect()
}

#[cfg(test)]
mod tests;
