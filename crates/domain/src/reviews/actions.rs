//! The action plan followed until done: where an item stands, whether it is late,
//! and which reminder its owner gets — a few days before its date and the day
//! after it — each sent once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Where an action item stands.
    ActionStatus {
        /// To do.
        Open => "open",
        /// Done.
        Done => "done",
        /// Given up (with the reason in its note).
        Dropped => "dropped",
    }
}

code_enum! {
    /// A reminder of an action item.
    ReminderStep {
        /// [`DAYS_BEFORE`] days before its date.
        Before => "before",
        /// The day after its date, when still open.
        After => "after",
    }
}

/// How many days ahead the owner is reminded.
pub const DAYS_BEFORE: i64 = 3;

/// Whether an item is late on `today`.
pub fn is_overdue(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status == ActionStatus::Open && due_on < today
}

/// Days late on `today` (0 when not late).
pub fn days_late(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> i64 {
    if is_overdue(status, due_on, today) {
        (today - due_on).num_days()
    } else {
        0
    }
}

/// The reminder an open item is owed on `today`, given those already sent: the
/// "after" one once its date has passed, otherwise the "before" one within
/// [`DAYS_BEFORE`] days of it. An item created the day before its date is not
/// reminded that it is due; one whose date passed while a worker was down gets
/// the "after" one once, not both.
pub fn reminder_due(
    status: ActionStatus,
    due_on: NaiveDate,
    created_on: NaiveDate,
    today: NaiveDate,
    sent: &[ReminderStep],
) -> Option<ReminderStep> {
    if status != ActionStatus::Open {
        return None;
    }
    if today > due_on {
        return (!sent.contains(&ReminderStep::After)).then_some(ReminderStep::After);
    }
    let window_opens = due_on - chrono::Duration::days(DAYS_BEFORE);
    let created_inside = created_on > window_opens;
    (today >= window_opens && !created_inside && !sent.contains(&ReminderStep::Before)).then_some(ReminderStep::Before)
}

/// Progress of an action plan: items done out of those not dropped, in percent.
pub fn progress(statuses: &[ActionStatus]) -> Option<u32> {
    let counted = statuses.iter().filter(|s| **s != ActionStatus::Dropped).count();
    let done = statuses.iter().filter(|s| **s == ActionStatus::Done).count();
    (counted > 0).then(|| u32::try_from(done * 100 / counted).unwrap_or(100))
}
