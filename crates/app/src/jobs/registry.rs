//! The registries of background work: every job kind, and the recurring
//! schedules. A new capability adds one line to each list it needs.

use super::{JobKind, Registered};
use crate::{AppError, AppResult};
use bilan_domain::jobs::Recurrence;

/// Every kind of job a worker can run.
pub const JOBS: &[Registered] = &[
    Registered::of::<crate::auth::PurgeSessions>(),
    Registered::of::<crate::audit::ApplyAuditRetention>(),
    Registered::of::<super::PurgeFinishedJobs>(),
    Registered::of::<crate::complaints::deadlines::ComplaintDeadlines>(),
    Registered::of::<crate::invoices::dunning::InvoiceReminders>(),
    Registered::of::<crate::health::RecomputeChangedHealth>(),
    Registered::of::<crate::health::NightlyHealth>(),
    Registered::of::<crate::reviews::reminders::ActionReminders>(),
];

/// Every recurring job.
pub const SCHEDULES: &[Schedule] = &[
    Schedule::of::<crate::auth::PurgeSessions>(Recurrence::EveryMinutes(10), Scope::Installation),
    Schedule::of::<crate::audit::ApplyAuditRetention>(Recurrence::DailyAt { hour: 3, minute: 0 }, Scope::Installation),
    Schedule::of::<super::PurgeFinishedJobs>(Recurrence::DailyAt { hour: 3, minute: 30 }, Scope::Installation),
    Schedule::of::<crate::complaints::deadlines::ComplaintDeadlines>(
        Recurrence::DailyAt { hour: 7, minute: 0 },
        Scope::EachWorkspace,
    ),
    // After the complaints' deadlines: a case opened overnight holds its invoice's reminder.
    Schedule::of::<crate::invoices::dunning::InvoiceReminders>(
        Recurrence::DailyAt { hour: 8, minute: 0 },
        Scope::EachWorkspace,
    ),
    // Every night, for what time alone changes (recency, days late, renewals).
    Schedule::of::<crate::health::NightlyHealth>(Recurrence::DailyAt { hour: 2, minute: 30 }, Scope::EachWorkspace),
    // A safety net: a change whose job was taken while it committed waits at most this long.
    Schedule::of::<crate::health::RecomputeChangedHealth>(Recurrence::EveryMinutes(15), Scope::EachWorkspace),
    Schedule::of::<crate::reviews::reminders::ActionReminders>(
        Recurrence::DailyAt { hour: 7, minute: 15 },
        Scope::EachWorkspace,
    ),
];

/// Whom a recurring job runs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once for the whole installation; daily slots in UTC.
    Installation,
    /// Once per workspace; daily slots in the workspace's time zone.
    EachWorkspace,
}

/// A job that recurs: its kind (with default parameters), when, and for whom.
#[derive(Clone, Copy)]
pub struct Schedule {
    /// The job kind, also the schedule's name.
    pub kind: &'static str,
    /// How often.
    pub recurrence: Recurrence,
    /// For whom.
    pub scope: Scope,
    payload: fn() -> AppResult<String>,
}

impl Schedule {
    /// `J` with its default parameters, at `recurrence`, for `scope`.
    pub const fn of<J: JobKind + Default>(recurrence: Recurrence, scope: Scope) -> Schedule {
        Schedule {
            kind: J::KIND,
            recurrence,
            scope,
            payload: default_payload::<J>,
        }
    }

    /// The stored parameters of each slot's job.
    pub fn payload(&self) -> AppResult<String> {
        (self.payload)()
    }
}

fn default_payload<J: JobKind + Default>() -> AppResult<String> {
    serde_json::to_string(&J::default())
        .map_err(|e| AppError::Internal(format!("a {} job cannot be written: {e}", J::KIND)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_and_every_schedule_runs_a_registered_kind() {
        let mut kinds: Vec<&str> = JOBS.iter().map(|r| r.kind).collect();
        kinds.sort_unstable();
        let before = kinds.len();
        kinds.dedup();
        assert_eq!(before, kinds.len(), "a job kind is registered twice");
        for s in SCHEDULES {
            assert!(kinds.contains(&s.kind), "schedule {} runs an unregistered kind", s.kind);
            assert!(s.payload().is_ok());
        }
    }
}
