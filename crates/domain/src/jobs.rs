//! Background jobs: their states, when a failed one is tried again, and the slots
//! of recurring schedules ("every day at 06:00 Europe/Paris").
//!
//! A recurring schedule fires once per slot: the slot's instant is part of the
//! job's unique key, so workers racing for it, or one catching up after downtime,
//! insert it once. Missed slots coalesce into the latest one: every periodic job
//! works from the state at its run time (a purge, a nightly recompute, a dunning
//! run), so running it three times in a row after three days down would only
//! repeat the same work.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for its time, or for a worker.
    Pending,
    /// Claimed by a worker (until its lease runs out).
    Running,
    /// Finished.
    Done,
    /// Given up after its last attempt; an admin may retry it.
    Failed,
}

impl JobStatus {
    /// Every status.
    pub const ALL: [JobStatus; 4] = [Self::Pending, Self::Running, Self::Done, Self::Failed];

    /// Stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == raw.trim())
    }
}

/// Attempts before a job is given up.
pub const MAX_ATTEMPTS: i32 = 5;

/// When a job that failed its `attempts`-th attempt is tried again, or `None`
/// when it is given up: 1 minute, then 5, 25, 125 (about two hours).
pub fn retry_at(attempts: i32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exponent = u32::try_from(attempts.max(1) - 1).unwrap_or(0);
    Some(now + Duration::minutes(5_i64.saturating_pow(exponent)))
}

/// How often a recurring job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    /// Every so many minutes, on the clock (every 10 minutes: :00, :10, …, in UTC).
    EveryMinutes(u32),
    /// Every day at this local hour and minute, in the time zone of the schedule.
    DailyAt {
        /// Hour, 0–23.
        hour: u32,
        /// Minute, 0–59.
        minute: u32,
    },
}

impl Recurrence {
    /// The latest slot at or before `now`, as a UTC instant; `tz` places daily slots.
    ///
    /// A local time that does not exist that day (the spring change to summer time)
    /// falls one hour later; one that happens twice (autumn) is taken the first time.
    pub fn latest_slot(self, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Recurrence::EveryMinutes(m) => {
                let period = i64::from(m.max(1)) * 60;
                let secs = now.timestamp();
                let slot = secs - secs.rem_euclid(period);
                DateTime::from_timestamp(slot, 0).unwrap_or(now)
            }
            Recurrence::DailyAt { hour, minute } => {
                let time = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), 0).unwrap_or(NaiveTime::MIN);
                let today = now.with_timezone(&tz).date_naive();
                let at = |day: chrono::NaiveDate| -> DateTime<Utc> {
                    let local = day.and_time(time);
                    tz.from_local_datetime(&local)
                        .earliest()
                        .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())
                        .map_or(now, |d| d.with_timezone(&Utc))
                };
                let candidate = at(today);
                if candidate <= now {
                    candidate
                } else {
                    today.pred_opt().map_or(candidate, at)
                }
            }
        }
    }
}

/// The unique key of one slot of one schedule, in one workspace or for all.
pub fn slot_key(schedule: &str, scope: Option<uuid::Uuid>, slot: DateTime<Utc>) -> String {
    match scope {
        Some(ws) => format!("{schedule}:{}:{}", ws.simple(), slot.timestamp()),
        None => format!("{schedule}:*:{}", slot.timestamp()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn statuses_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.code()), Some(s));
        }
        assert_eq!(JobStatus::parse("lost"), None);
    }

    #[test]
    fn retries_back_off_then_give_up() {
        let now = at("2026-12-04T10:00:00Z");
        assert_eq!(retry_at(1, now), Some(at("2026-12-04T10:01:00Z")));
        assert_eq!(retry_at(2, now), Some(at("2026-12-04T10:05:00Z")));
        assert_eq!(retry_at(4, now), Some(at("2026-12-04T12:05:00Z")));
        assert_eq!(retry_at(MAX_ATTEMPTS, now), None);
    }

    #[test]
    fn minute_slots_are_on_the_clock() {
        let r = Recurrence::EveryMinutes(10);
        assert_eq!(
            r.latest_slot(chrono_tz::UTC, at("2026-12-04T10:17:42Z")),
            at("2026-12-04T10:10:00Z")
        );
        assert_eq!(
            r.latest_slot(chrono_tz::UTC, at("2026-12-04T10:20:00Z")),
            at("2026-12-04T10:20:00Z")
        );
    }

    #[test]
    fn daily_slots_follow_the_local_clock() {
        let six = Recurrence::DailyAt { hour: 6, minute: 0 };
        let paris = chrono_tz::Europe::Paris;
        // Winter: 06:00 in Paris is 05:00 UTC.
        assert_eq!(
            six.latest_slot(paris, at("2026-12-04T05:30:00Z")),
            at("2026-12-04T05:00:00Z")
        );
        assert_eq!(
            six.latest_slot(paris, at("2026-12-04T04:59:59Z")),
            at("2026-12-03T05:00:00Z"),
            "before today's slot, yesterday's is the latest"
        );
        // Summer: 06:00 in Paris is 04:00 UTC.
        assert_eq!(
            six.latest_slot(paris, at("2026-07-01T04:00:00Z")),
            at("2026-07-01T04:00:00Z")
        );
        // 02:30 does not exist on 29 March 2026 in Paris: it runs at 03:30 local.
        let half_two = Recurrence::DailyAt { hour: 2, minute: 30 };
        assert_eq!(
            half_two.latest_slot(paris, at("2026-03-29T12:00:00Z")),
            at("2026-03-29T01:30:00Z")
        );
    }

    #[test]
    fn slot_keys_name_schedule_scope_and_instant() {
        let slot = at("2026-12-04T05:00:00Z");
        assert_eq!(slot_key("purge", None, slot), "purge:*:1796360400");
        let ws = uuid::Uuid::nil();
        assert!(slot_key("health", Some(ws), slot).starts_with("health:00000000000000000000000000000000:"));
    }
}
