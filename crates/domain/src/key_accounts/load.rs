//! Each key-account manager's load (charge par KAM): three to eight key accounts is
//! a sustainable range; outside it Bilan warns.

use serde::Serialize;

/// Fewest key accounts a manager should hold to know the programme's work.
pub const LOAD_MIN: u32 = 3;
/// Most key accounts one manager can serve well.
pub const LOAD_MAX: u32 = 8;

/// What a manager's load says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadWarning {
    /// Within 3–8.
    None,
    /// Fewer than three.
    Light,
    /// More than eight.
    Overloaded,
}

impl LoadWarning {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Light => "light",
            Self::Overloaded => "overloaded",
        }
    }
}

/// The warning for a manager holding `key_accounts`.
pub fn warning(key_accounts: u32) -> LoadWarning {
    if key_accounts > LOAD_MAX {
        LoadWarning::Overloaded
    } else if key_accounts < LOAD_MIN {
        LoadWarning::Light
    } else {
        LoadWarning::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_to_eight_is_sustainable() {
        assert_eq!(warning(2), LoadWarning::Light);
        assert_eq!(warning(3), LoadWarning::None);
        assert_eq!(warning(8), LoadWarning::None);
        assert_eq!(warning(9), LoadWarning::Overloaded);
    }
}
