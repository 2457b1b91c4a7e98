//! The key-account programme (SPEC C6, comptes clés): scoring accounts on the
//! criteria the company chose, eligibility and tiers, each manager's load, and the
//! living account plan — SMART objectives, the stakeholder map, roadmap, value
//! milestones, risks and financial hypotheses.

pub mod load;
pub mod objectives;
pub mod plan;
pub mod risks;
pub mod scoring;
pub mod stakeholders;

use serde::{Deserialize, Serialize};

/// A tier of the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tier {
    /// Compte stratégique: the few that shape the company's future.
    Strategic,
    /// Compte clé.
    Key,
    /// Compte à développer: admitted for its potential.
    Developing,
}

impl Tier {
    /// Every tier, highest first.
    pub const ALL: [Tier; 3] = [Self::Strategic, Self::Key, Self::Developing];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Strategic => "strategic",
            Self::Key => "key",
            Self::Developing => "developing",
        }
    }

    /// Parses a code or a French/English label.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).as_str() {
            "strategic" | "strategique" => Some(Self::Strategic),
            "key" | "cle" => Some(Self::Key),
            "developing" | "a developper" | "developpement" => Some(Self::Developing),
            _ => None,
        }
    }
}
