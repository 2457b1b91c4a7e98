//! When a sign-in attempt must wait: growing delays that slow a password guesser
//! down without letting anyone lock a real user out.
//!
//! Failures are counted three ways over a window: for the pair (account, address),
//! for the account from any address, and for the address on any account. The rule:
//! - an address that has not failed (for this account, or at all) is never made to
//!   wait: a correct password from the real user's own machine always gets through,
//!   whatever an attacker elsewhere is doing to the account;
//! - the pair waits a delay that doubles with each failure after the first three
//!   (1 s, 2 s, 4 s … up to 15 min): a guesser on one address is slowed down to a
//!   few dozen guesses an hour;
//! - an address that failed on many accounts (a guesser spraying one password) waits
//!   a short delay that grows with its failures, capped at one minute, so the people
//!   behind the same office address are slowed, never shut out;
//! - an account guessed at from many addresses makes each of those addresses wait a
//!   growing delay, up to 5 min.
//!
//! Waiting is counted from the last failure of the count that asks for it.

use chrono::{DateTime, Duration, Utc};

/// Failures of one kind within the window, and when the last one happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// How many.
    pub count: i64,
    /// The latest, if any.
    pub last: Option<DateTime<Utc>>,
}

/// The failures that bear on one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttemptHistory {
    /// For this account from this address.
    pub pair: Failures,
    /// For this account from any address.
    pub account: Failures,
    /// From this address on any account.
    pub address: Failures,
}

/// Failures of a pair tolerated before delays start.
pub const PAIR_FREE: i64 = 3;
/// Longest wait for a pair.
pub const PAIR_MAX_SECS: i64 = 15 * 60;
/// Failures of an address (on any account) tolerated before delays start.
pub const ADDRESS_FREE: i64 = 10;
/// Longest wait for an address.
pub const ADDRESS_MAX_SECS: i64 = 60;
/// Failures of an account (from any address) tolerated before delays start.
pub const ACCOUNT_FREE: i64 = 10;
/// Longest wait imposed by an account's failures.
pub const ACCOUNT_MAX_SECS: i64 = 5 * 60;

/// Seconds of delay after `count` failures when `free` are tolerated: doubles from 1 s.
fn doubling(count: i64, free: i64, max: i64) -> i64 {
    if count < free {
        return 0;
    }
    let steps = (count - free).min(30) as u32;
    2_i64.saturating_pow(steps).min(max)
}

/// How long this attempt must still wait, or `None` when it may go ahead.
pub fn wait_before_attempt(h: &AttemptHistory, now: DateTime<Utc>) -> Option<Duration> {
    let address_failed = h.pair.count > 0 || h.address.count > 0;
    if !address_failed {
        return None;
    }
    let address_delay = if h.address.count < ADDRESS_FREE {
        0
    } else {
        (h.address.count - ADDRESS_FREE + 1).min(ADDRESS_MAX_SECS)
    };
    let delays = [
        (h.pair, doubling(h.pair.count, PAIR_FREE, PAIR_MAX_SECS)),
        (h.address, address_delay),
        (h.account, doubling(h.account.count, ACCOUNT_FREE, ACCOUNT_MAX_SECS)),
    ];
    delays
        .iter()
        .filter_map(|(f, secs)| {
            let until = f.last? + Duration::seconds(*secs);
            (*secs > 0 && until > now).then(|| until - now)
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).single().unwrap_or_default() + Duration::seconds(secs)
    }

    fn failures(count: i64, last: i64) -> Failures {
        Failures {
            count,
            last: Some(t(last)),
        }
    }

    #[test]
    fn an_address_that_never_failed_never_waits() {
        let h = AttemptHistory {
            pair: Failures::default(),
            account: failures(10_000, 0),
            address: Failures::default(),
        };
        assert_eq!(
            wait_before_attempt(&h, t(0)),
            None,
            "an attack elsewhere does not lock the user out"
        );
    }

    #[test]
    fn a_guesser_waits_longer_after_each_failure() {
        let wait = |count| {
            let h = AttemptHistory {
                pair: failures(count, 0),
                account: failures(count, 0),
                address: failures(count, 0),
            };
            wait_before_attempt(&h, t(0)).map(|d| d.num_seconds()).unwrap_or(0)
        };
        assert_eq!(wait(1), 0);
        assert_eq!(wait(2), 0);
        assert_eq!(wait(3), 1);
        assert_eq!(wait(4), 2);
        assert_eq!(wait(8), 32);
        assert_eq!(wait(40), PAIR_MAX_SECS, "capped");
        let mut last = 0;
        for n in 0..60 {
            let w = wait(n);
            assert!(w >= last, "never shorter after one more failure ({n})");
            last = w;
        }
    }

    #[test]
    fn the_wait_runs_from_the_last_failure() {
        let h = AttemptHistory {
            pair: failures(5, 0),
            account: failures(5, 0),
            address: failures(5, 0),
        };
        assert_eq!(wait_before_attempt(&h, t(1)).map(|d| d.num_seconds()), Some(3));
        assert_eq!(wait_before_attempt(&h, t(4)), None);
    }

    #[test]
    fn an_office_address_is_slowed_never_shut_out() {
        // 500 failures on other accounts from the office's one address.
        let h = AttemptHistory {
            pair: Failures::default(),
            account: Failures::default(),
            address: failures(500, 0),
        };
        let w = wait_before_attempt(&h, t(0)).map(|d| d.num_seconds());
        assert_eq!(w, Some(ADDRESS_MAX_SECS));
        assert_eq!(wait_before_attempt(&h, t(ADDRESS_MAX_SECS)), None);
    }
}
