//! Settings of the use cases (sessions, throttling, hashing cost).

use chrono::Duration;

/// Settings of the use cases, with production defaults.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session unused for this long expires.
    pub session_idle: Duration,
    /// A session expires this long after login, however active.
    pub session_absolute: Duration,
    /// How far back failed logins count (see `bilan_domain::login_throttle`).
    pub throttle_window: Duration,
    /// Argon2id memory cost in KiB (OWASP: 19 MiB).
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    pub argon2_iterations: u32,
    /// Audit entries older than this many days are deleted by the nightly job.
    pub audit_retention_days: i64,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::hours(2),
            session_absolute: Duration::hours(12),
            throttle_window: Duration::hours(1),
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            audit_retention_days: 3650,
        }
    }
}

impl AppConfig {
    /// Cheap hashing for test suites (still Argon2id).
    pub fn for_tests() -> Self {
        Self {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..Self::default()
        }
    }
}
