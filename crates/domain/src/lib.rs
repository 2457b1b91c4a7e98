//! Bilan's business types and rules: plain data and pure functions, no I/O.
//!
//! Each capability of SPEC.md has its module here, named as in every other layer.

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod complaint_letters;
pub mod complaints;
pub mod contacts;
pub mod events;
pub mod health;
pub mod identifiers;
pub mod imports;
pub mod invoices;
pub mod jobs;
pub mod key_accounts;
pub mod login_throttle;
pub mod mail;
pub mod money;
pub mod my_day;
pub mod outbox;
pub mod pagination;
pub mod roles;
pub mod search;
pub mod surveys;
pub mod templates;
pub mod timeline;
pub mod validation;

pub use validation::{FieldError, ValidationErrors};
