//! The stakeholder map (cartographie des parties prenantes): each person of the
//! client's buying centre with their influence and their attitude towards us.

use serde::{Deserialize, Serialize};

/// How much weight a person carries in the client's decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Influence {
    /// Decides or vetoes.
    High,
    /// Is listened to.
    Medium,
    /// Is informed.
    Low,
}

impl Influence {
    /// Every level, highest first (the map's rows).
    pub const ALL: [Influence; 3] = [Self::High, Self::Medium, Self::Low];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    /// Parses a code or a French label.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).as_str() {
            "high" | "forte" | "fort" | "haute" => Some(Self::High),
            "medium" | "moyenne" | "moyen" => Some(Self::Medium),
            "low" | "faible" | "basse" => Some(Self::Low),
            _ => None,
        }
    }
}

/// Where a person stands towards us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Attitude {
    /// Promotes us inside (ambassadeur).
    Champion,
    /// Favourable.
    Supporter,
    /// Neither.
    Neutral,
    /// Has doubts.
    Sceptic,
    /// Works against us (opposant).
    Opponent,
}

impl Attitude {
    /// Every attitude, warmest first (the map's columns).
    pub const ALL: [Attitude; 5] = [
        Self::Champion,
        Self::Supporter,
        Self::Neutral,
        Self::Sceptic,
        Self::Opponent,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Champion => "champion",
            Self::Supporter => "supporter",
            Self::Neutral => "neutral",
            Self::Sceptic => "sceptic",
            Self::Opponent => "opponent",
        }
    }

    /// Parses a code or a French label.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).as_str() {
            "champion" | "ambassadeur" => Some(Self::Champion),
            "supporter" | "favorable" | "soutien" => Some(Self::Supporter),
            "neutral" | "neutre" => Some(Self::Neutral),
            "sceptic" | "skeptic" | "sceptique" => Some(Self::Sceptic),
            "opponent" | "opposant" | "hostile" => Some(Self::Opponent),
            _ => None,
        }
    }
}

/// Whether a person at this influence and attitude needs attention first: an
/// influential sceptic or opponent.
pub fn is_threat(influence: Influence, attitude: Attitude) -> bool {
    influence != Influence::Low && matches!(attitude, Attitude::Sceptic | Attitude::Opponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_in_both_languages() {
        assert_eq!(Influence::parse("Forte"), Some(Influence::High));
        assert_eq!(Attitude::parse("opposant"), Some(Attitude::Opponent));
        for a in Attitude::ALL {
            assert_eq!(Attitude::parse(a.code()), Some(a));
        }
        assert!(is_threat(Influence::High, Attitude::Sceptic));
        assert!(!is_threat(Influence::Low, Attitude::Opponent));
    }
}
