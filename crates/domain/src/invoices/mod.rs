//! Invoices, payments and humane reminders (SPEC C5): payment terms checked against
//! the law, the late-payment interest and the fixed recovery indemnity, aging, and
//! the dunning rules deciding which reminder is due today. Pure functions, tested
//! on hand-computed cases; storage, pages and jobs build on them.

pub mod aging;
pub mod behaviour;
pub mod dunning;
pub mod einvoice;
pub mod invoice;
pub mod late_payment;
pub mod payment;
pub mod plan;
pub mod reminders;
pub mod terms;
