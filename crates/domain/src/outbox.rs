//! The outbox's rules: states of a message to send and when a failed send is retried.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Where a message of the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its time or for a worker.
    Pending,
    /// Claimed by a worker that is handing it to SMTP.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up: refused for good, or too many temporary failures.
    Failed,
}

impl OutboxStatus {
    /// Every status.
    pub const ALL: [OutboxStatus; 4] = [Self::Pending, Self::Sending, Self::Sent, Self::Failed];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == raw)
    }
}

/// How a send attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Worth retrying: connection refused, timeout, SMTP 4xx.
    Transient(String),
    /// Never worth retrying: SMTP 5xx, an address that cannot be written.
    Permanent(String),
}

impl SendFailure {
    /// The reason, for the record.
    pub fn reason(&self) -> &str {
        match self {
            Self::Transient(r) | Self::Permanent(r) => r,
        }
    }
}

/// Attempts after which a message failing temporarily is given up (about a day and a half).
pub const MAX_ATTEMPTS: i32 = 8;

/// How long to wait before attempt `attempts + 1`, after `attempts` failures:
/// 1, 2, 4, 8… minutes, at most 12 hours, so a short SMTP outage costs minutes
/// and a long one does not hammer the server.
pub fn retry_delay(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    let minutes = 1i64.checked_shl(exponent).unwrap_or(i64::MAX).min(12 * 60);
    Duration::minutes(minutes)
}

/// What to do with a message after a failed attempt (`attempts` counts it).
pub fn after_failure(failure: &SendFailure, attempts: i32, now: DateTime<Utc>) -> (OutboxStatus, DateTime<Utc>) {
    match failure {
        SendFailure::Permanent(_) => (OutboxStatus::Failed, now),
        SendFailure::Transient(_) if attempts >= MAX_ATTEMPTS => (OutboxStatus::Failed, now),
        SendFailure::Transient(_) => (OutboxStatus::Pending, now + retry_delay(attempts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_twelve_hours() {
        let minutes: Vec<i64> = (1..=12).map(|a| retry_delay(a).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 720, 720]);
        assert_eq!(retry_delay(0).num_minutes(), 1);
        assert_eq!(retry_delay(i32::MAX).num_minutes(), 720);
    }

    #[test]
    fn a_permanent_failure_or_the_last_attempt_gives_up() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let t = SendFailure::Transient("451".into());
        assert_eq!(
            after_failure(&t, 1, now),
            (OutboxStatus::Pending, now + Duration::minutes(1))
        );
        assert_eq!(after_failure(&t, MAX_ATTEMPTS, now).0, OutboxStatus::Failed);
        let p = SendFailure::Permanent("554".into());
        assert_eq!(after_failure(&p, 1, now).0, OutboxStatus::Failed);
        assert_eq!(OutboxStatus::parse("sent"), Some(OutboxStatus::Sent));
        assert_eq!(OutboxStatus::parse("nope"), None);
    }
}
