//! Bilan's business types and rules: plain data and pure functions, no I/O.
//!
//! Each capability of SPEC.md has its module here, named as in every other layer.

/// Defines a code enum: variants with their stable codes, `ALL`, `code`, `parse`.
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Stable code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// Parses a code (any case; spaces or hyphens for underscores).
            pub fn parse(raw: &str) -> Option<Self> {
                let code = crate::search::normalize(raw).replace([' ', '-'], "_");
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

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
pub mod reviews;
pub mod roles;
pub mod search;
pub mod surveys;
pub mod templates;
pub mod timeline;
pub mod validation;

pub use validation::{FieldError, ValidationErrors};
