//! A per-client-address limit on the public pages (the survey answer page), so
//! nobody can probe link secrets by the thousand. In memory: each server process
//! counts its own requests, which bounds a prober per process well enough.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts requests per address over fixed windows.
#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Addresses remembered before old windows are swept.
const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    /// At most `max` requests per address per `window`; 0 means no limit.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `ip`; `Err(seconds to wait)` when over the limit.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        if self.max == 0 {
            return Ok(());
        }
        let Ok(mut hits) = self.hits.lock() else {
            // A poisoned lock only means another request panicked: do not lock everybody out.
            return Ok(());
        };
        if hits.len() >= SWEEP_AT {
            let window = self.window;
            hits.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = hits.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_the_limit_waits_for_the_next_window() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!(l.check(a, t0).is_ok());
        assert!(l.check(a, t0).is_ok());
        assert_eq!(l.check(a, t0 + Duration::from_secs(20)), Err(40));
        assert!(l.check(b, t0).is_ok(), "another address has its own count");
        assert!(l.check(a, t0 + Duration::from_secs(60)).is_ok());
        let off = RateLimiter::new(0, Duration::from_secs(60));
        assert!((0..100).all(|_| off.check(a, t0).is_ok()), "0 turns the limit off");
    }
}
