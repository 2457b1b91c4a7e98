//! The programme's settings per workspace: the scoring criteria's weights, the
//! eligibility and tier thresholds, and health's component weights, risk
//! thresholds and key-contact gap. Saving them recomputes every account's health.

use crate::health::NightlyHealth;
use crate::{Actor, App, AppError, AppResult};
use bilan_db::key_accounts::{self as store, SettingsRow};
use bilan_domain::health::{Component, HealthSettings};
use bilan_domain::key_accounts::scoring::{Criterion, ScoringRules};
use bilan_domain::roles::Permission;
use bilan_domain::ValidationErrors;
use serde::Serialize;
use std::collections::BTreeMap;

/// The settings as shown and as the API returns them.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeSettings {
    /// Weight per scoring criterion (`potential`, `probability`, `profitability`, `strategic_impact`, `fit`, `risk`).
    pub criteria_weights: BTreeMap<String, u32>,
    /// Lowest score admitted to the programme.
    pub eligible_from: u8,
    /// Lowest score suggested as key.
    pub key_from: u8,
    /// Lowest score suggested as strategic.
    pub strategic_from: u8,
    /// Weight per health component.
    pub health_weights: BTreeMap<String, u32>,
    /// Under this health an account is at risk.
    pub at_risk_below: u8,
    /// Under this health (and not at risk) an account is watched.
    pub watch_below: u8,
    /// Days without meeting a decision maker or sponsor before it is a gap.
    pub key_contact_gap_days: u32,
}

fn view(rules: &ScoringRules, health: &HealthSettings) -> ProgrammeSettings {
    ProgrammeSettings {
        criteria_weights: Criterion::ALL
            .iter()
            .map(|c| (c.code().to_owned(), rules.weight(*c)))
            .collect(),
        eligible_from: rules.eligible_from,
        key_from: rules.key_from,
        strategic_from: rules.strategic_from,
        health_weights: Component::ALL
            .iter()
            .map(|c| (c.code().to_owned(), health.weight(*c)))
            .collect(),
        at_risk_below: health.at_risk_below,
        watch_below: health.watch_below,
        key_contact_gap_days: health.key_contact_gap_days,
    }
}

/// The workspace's settings.
pub async fn programme_settings(app: &App, actor: &Actor) -> AppResult<ProgrammeSettings> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    let (rules, health) = crate::health::settings(&mut pc.conn(), actor.workspace_id).await?;
    Ok(view(&rules, &health))
}

/// Settings as typed: every field by its name (`weight_<criterion>`,
/// `health_weight_<component>`, `eligible_from`, `key_from`, `strategic_from`,
/// `at_risk_below`, `watch_below`, `key_contact_gap_days`); a field left out keeps
/// its value.
pub type SettingsInput = BTreeMap<String, String>;

fn number<T: std::str::FromStr + Copy>(e: &mut ValidationErrors, input: &SettingsInput, field: &str, current: T) -> T {
    match input.get(field).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => current,
        Some(v) => v.parse().unwrap_or_else(|_| {
            e.add(field, "settings.not_a_whole_number");
            current
        }),
    }
}

/// Saves the settings (those who run the programme); every account's health is
/// recomputed by a job at once.
pub async fn save_programme_settings(app: &App, actor: &Actor, input: &SettingsInput) -> AppResult<ProgrammeSettings> {
    let mut w = app.write(actor, Permission::ManageProgramme).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let (before_rules, before_health) = crate::health::settings(&mut w.conn(), ws).await?;
    let known: Vec<String> = Criterion::ALL
        .iter()
        .map(|c| format!("weight_{}", c.code()))
        .chain(Component::ALL.iter().map(|c| format!("health_weight_{}", c.code())))
        .chain(
            [
                "eligible_from",
                "key_from",
                "strategic_from",
                "at_risk_below",
                "watch_below",
                "key_contact_gap_days",
            ]
            .map(str::to_owned),
        )
        .collect();
    let mut e = ValidationErrors::new();
    for k in input.keys() {
        if !known.contains(k) {
            e.add(k, "settings.unknown");
        }
    }
    let rules = ScoringRules {
        weights: Criterion::ALL
            .iter()
            .map(|c| {
                (
                    *c,
                    number(&mut e, input, &format!("weight_{}", c.code()), before_rules.weight(*c)),
                )
            })
            .collect(),
        eligible_from: number(&mut e, input, "eligible_from", before_rules.eligible_from),
        key_from: number(&mut e, input, "key_from", before_rules.key_from),
        strategic_from: number(&mut e, input, "strategic_from", before_rules.strategic_from),
    };
    let health = HealthSettings {
        weights: Component::ALL
            .iter()
            .map(|c| {
                let field = format!("health_weight_{}", c.code());
                (*c, number(&mut e, input, &field, before_health.weight(*c)))
            })
            .collect(),
        at_risk_below: number(&mut e, input, "at_risk_below", before_health.at_risk_below),
        watch_below: number(&mut e, input, "watch_below", before_health.watch_below),
        key_contact_gap_days: number(
            &mut e,
            input,
            "key_contact_gap_days",
            before_health.key_contact_gap_days,
        ),
    };
    if let Err(v) = rules.validate() {
        e.0.extend(v.0);
    }
    if let Err(v) = health.validate() {
        e.0.extend(v.0.into_iter().map(|mut f| {
            if let Some(c) = f.field.strip_prefix("weight_") {
                f.field = format!("health_weight_{c}");
            }
            f
        }));
    }
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let written = |e: serde_json::Error| AppError::Internal(format!("settings cannot be written: {e}"));
    let row = SettingsRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        scoring_json: serde_json::to_string(&rules).map_err(written)?,
        health_json: serde_json::to_string(&health).map_err(written)?,
        updated_at: now,
    };
    store::save_settings(&mut w.conn(), &row).await?;
    let (before, after) = (view(&before_rules, &before_health), view(&rules, &health));
    w.audit_entry(
        bilan_domain::audit::AuditAction::Update,
        "programme_settings",
        ws,
        Some(&before),
        Some(&after),
    );
    w.enqueue(&NightlyHealth::default())?;
    w.commit().await?;
    Ok(after)
}
