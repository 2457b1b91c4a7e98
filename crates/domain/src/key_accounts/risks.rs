//! The risk register of an account plan: probability × impact, a mitigation and
//! an owner.

use crate::validation::{optional_text, required_text};
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a risk stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RiskStatus {
    /// Watched.
    Open,
    /// Mitigated or gone.
    Closed,
}

impl RiskStatus {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// A risk as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskInput {
    /// What could go wrong.
    pub title: Option<String>,
    /// 1 (unlikely) to 5 (almost certain).
    pub probability: Option<String>,
    /// 1 (minor) to 5 (critical).
    pub impact: Option<String>,
    /// What is done about it.
    pub mitigation: Option<String>,
    /// Who watches it.
    pub owner_id: Option<String>,
    /// `open` or `closed`.
    pub status: Option<String>,
}

/// A checked risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRisk {
    /// What could go wrong.
    pub title: String,
    /// 1–5.
    pub probability: u8,
    /// 1–5.
    pub impact: u8,
    /// What is done about it.
    pub mitigation: Option<String>,
    /// Who watches it.
    pub owner_id: Option<Uuid>,
    /// Where it stands.
    pub status: RiskStatus,
}

fn level(e: &mut ValidationErrors, field: &str, raw: Option<&str>) -> u8 {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add(field, "required");
            1
        }
        Some(t) => match t.parse::<u8>() {
            Ok(v) if (1..=5).contains(&v) => v,
            _ => {
                e.add(field, "risk.level_range");
                1
            }
        },
    }
}

impl RiskInput {
    /// Checks the risk.
    pub fn validate(&self) -> Result<NewRisk, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = required_text(&mut e, "title", self.title.as_deref(), 300);
        let probability = level(&mut e, "probability", self.probability.as_deref());
        let impact = level(&mut e, "impact", self.impact.as_deref());
        let mitigation = optional_text(&mut e, "mitigation", self.mitigation.as_deref(), 5_000);
        let owner_id = match self.owner_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Uuid::parse_str(raw).map_or_else(
                |_| {
                    e.add("owner_id", "id.invalid");
                    None
                },
                Some,
            ),
        };
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => RiskStatus::Open,
            Some(raw) => RiskStatus::parse(raw).unwrap_or_else(|| {
                e.add("status", "risk.status_invalid");
                RiskStatus::Open
            }),
        };
        e.into_result()?;
        Ok(NewRisk {
            title,
            probability,
            impact,
            mitigation,
            owner_id,
            status,
        })
    }
}

/// A risk's exposure: probability × impact, 1 to 25.
pub fn exposure(probability: u8, impact: u8) -> u8 {
    probability.clamp(1, 5) * impact.clamp(1, 5)
}

/// How serious an exposure is: `high` from 15, `medium` from 8, `low` below.
pub fn severity(exposure: u8) -> &'static str {
    match exposure {
        15.. => "high",
        8..=14 => "medium",
        _ => "low",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_risk_needs_a_title_and_levels_on_the_scale() {
        let e = RiskInput {
            probability: Some("7".into()),
            ..RiskInput::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.code_of("title"), Some("required"));
        assert_eq!(e.code_of("probability"), Some("risk.level_range"));
        assert_eq!(e.code_of("impact"), Some("required"));
        let r = RiskInput {
            title: Some("Départ du DSI".into()),
            probability: Some("3".into()),
            impact: Some("5".into()),
            ..RiskInput::default()
        }
        .validate()
        .unwrap();
        assert_eq!(exposure(r.probability, r.impact), 15);
        assert_eq!(severity(15), "high");
        assert_eq!(severity(8), "medium");
        assert_eq!(severity(4), "low");
    }
}
