//! The workspace's minutes template: its accent colour, the line at the foot of
//! each page, and which sections of the data pack the minutes show.

use crate::{Actor, App, AppResult};
use bilan_db::reviews::{self as store, ReviewSettingsRow};
use bilan_db::Conn;
use bilan_domain::roles::Permission;
use bilan_domain::validation::{text_fault, ValidationErrors};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How the minutes look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = MinutesTemplate))]
pub struct MinutesTemplate {
    /// Accent colour of titles and charts, `#rrggbb`.
    pub accent: String,
    /// The line at the foot of each page (empty: the company's name).
    pub footer: String,
    /// Show the satisfaction section (scores and verbatims).
    pub satisfaction: bool,
    /// Show the complaints section.
    pub complaints: bool,
    /// Show invoices and payment behaviour.
    pub invoices: bool,
    /// Show usage.
    pub usage: bool,
    /// Show health and its trend.
    pub health: bool,
    /// List the interventions beyond the contract.
    pub beyond_contract: bool,
}

impl Default for MinutesTemplate {
    fn default() -> Self {
        MinutesTemplate {
            accent: "#1f4e8c".into(),
            footer: String::new(),
            satisfaction: true,
            complaints: true,
            invoices: true,
            usage: true,
            health: true,
            beyond_contract: true,
        }
    }
}

impl MinutesTemplate {
    /// Checks the template (a colour that is one, a footer of one short line).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let hex = self.accent.trim().trim_start_matches('#');
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            e.add("accent", "review.colour_invalid");
        }
        if self.footer.chars().count() > 120 {
            e.add("footer", "too_long");
        } else if self.footer.contains('\n') {
            e.add("footer", "review.footer_one_line");
        } else if let Some(code) = text_fault(&self.footer) {
            e.add("footer", code);
        }
        e.into_result()
    }
}

/// The template of a workspace, read in the caller's transaction.
pub(crate) async fn template_in(c: &mut Conn<'_>, workspace: Uuid) -> AppResult<MinutesTemplate> {
    Ok(store::settings(c, workspace)
        .await?
        .and_then(|r| serde_json::from_str(&r.settings_json).ok())
        .unwrap_or_default())
}

/// The workspace's minutes template.
pub async fn template(app: &App, actor: &Actor) -> AppResult<MinutesTemplate> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    template_in(&mut pc.conn(), actor.workspace_id).await
}

/// Saves the workspace's minutes template.
pub async fn save_template(app: &App, actor: &Actor, t: &MinutesTemplate) -> AppResult<MinutesTemplate> {
    t.validate()?;
    let mut w = app.write(actor, Permission::ManageProgramme).await?;
    let ws = w.workspace_id();
    let before = template_in(&mut w.conn(), ws).await?;
    let mut after = t.clone();
    after.accent = format!("#{}", t.accent.trim().trim_start_matches('#').to_ascii_lowercase());
    after.footer = t.footer.trim().to_owned();
    let row = ReviewSettingsRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        settings_json: serde_json::to_string(&after).map_err(|e| crate::AppError::Internal(e.to_string()))?,
        updated_at: w.now(),
    };
    store::save_settings(&mut w.conn(), &row).await?;
    w.audit_entry(
        bilan_domain::audit::AuditAction::Update,
        "minutes_template",
        ws,
        Some(&before),
        Some(&after),
    );
    w.commit().await?;
    Ok(after)
}
