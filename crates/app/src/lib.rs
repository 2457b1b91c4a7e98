//! Bilan's use cases: each one checks access, writes through one unit of work
//! ([`unit_of_work`]), and returns domain types. Pages, API and CLI all call
//! these, never the database.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod complaints;
pub mod config;
pub mod contacts;
pub mod database;
pub mod demo;
pub mod error;
pub mod events;
pub mod exports;
pub mod health;
pub mod imports;
pub mod invitations;
pub mod invoices;
pub mod jobs;
pub mod key_accounts;
pub mod mail_import;
pub mod my_day;
pub mod outbox;
pub mod reviews;
pub mod search;
pub mod surveys;
pub mod timeline;
pub mod unit_of_work;
pub mod users;

pub use access::Actor;
pub use clock::Clock;
pub use config::AppConfig;
pub use error::{AppError, AppResult};
pub use unit_of_work::{Audited, Work};

use bilan_db::Db;
use std::sync::Arc;

/// Everything a use case needs: the database, configuration and the clock.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub db: Db,
    /// Settings.
    pub config: Arc<AppConfig>,
    /// The time source (a fake one in tests).
    pub clock: Arc<dyn Clock>,
    /// Satisfaction dashboards computed recently.
    pub satisfaction_cache: Arc<surveys::DashboardCache>,
    /// Complaint figures computed recently.
    pub complaint_figures_cache: Arc<complaints::figures::FiguresCache>,
    /// Invoice figures computed lately.
    pub invoice_figures_cache: Arc<invoices::figures::FiguresCache>,
}

impl App {
    /// Builds the application on an open database.
    pub fn new(db: Db, config: AppConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            config: Arc::new(config),
            clock,
            satisfaction_cache: Arc::default(),
            complaint_figures_cache: Arc::default(),
            invoice_figures_cache: Arc::default(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
