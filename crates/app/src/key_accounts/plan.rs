//! The living account plan of a key account: SMART objectives, the stakeholder
//! map, the roadmap and value milestones, the risk register and the financial
//! hypotheses beside their actuals.

use crate::unit_of_work::audited;
use crate::{Actor, App, AppError, AppResult};
use bilan_db::key_accounts::{self as store, FinancialsRow, ObjectiveRow, PlanItemRow, RiskRow, StakeholderRow};
use bilan_domain::contacts::BuyingRole;
use bilan_domain::health::components::key_contact_gap;
use bilan_domain::key_accounts::objectives::{progress, ObjectiveInput};
use bilan_domain::key_accounts::plan::{nrr, Financials, FinancialsInput, PlanItemInput};
use bilan_domain::key_accounts::risks::{exposure, severity, RiskInput};
use bilan_domain::key_accounts::stakeholders::{is_threat, Attitude, Influence};
use bilan_domain::roles::Permission;
use bilan_domain::timeline::local_day;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

audited!(ObjectiveRow, "objective");
audited!(RiskRow, "plan_risk");
audited!(PlanItemRow, "plan_item");
audited!(StakeholderRow, "stakeholder", health);
audited!(FinancialsRow, "plan_financials");

/// People of the buying centre shown on the map and its table.
const STAKEHOLDERS_SHOWN: i64 = 60;

fn decimal(raw: &Option<String>) -> Option<Decimal> {
    raw.as_deref().and_then(|s| Decimal::from_str(s).ok())
}

fn text(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.normalize().to_string())
}

async fn existing_account(w: &mut crate::Work, account: Uuid) -> AppResult<bilan_domain::accounts::Account> {
    let ws = w.workspace_id();
    bilan_db::accounts::find(&mut w.conn(), ws, account)
        .await?
        .ok_or(AppError::NotFound)
}

async fn check_user(w: &mut crate::Work, field: &str, user: Option<Uuid>) -> AppResult<()> {
    let ws = w.workspace_id();
    if let Some(u) = user {
        if bilan_db::users::find(&mut w.conn(), ws, u).await?.is_none() {
            return Err(AppError::field(field, "user.unknown"));
        }
    }
    Ok(())
}

/// An objective as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectiveView {
    /// Identifier.
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// What is to be achieved.
    pub title: String,
    /// What measures it.
    pub metric: String,
    /// Where it starts (exact decimal as text).
    pub baseline: Option<String>,
    /// Where it must get.
    pub target: String,
    /// Where it is now.
    pub current: Option<String>,
    /// By when.
    pub due_on: NaiveDate,
    /// Who answers for it.
    pub owner_id: Option<Uuid>,
    /// `open`, `achieved`, `missed`, `dropped`.
    pub status: String,
    /// From baseline to target, per cent.
    pub progress: Option<String>,
    /// Open and past its date.
    pub overdue: bool,
}

pub(crate) fn objective_view(r: &ObjectiveRow, today: NaiveDate) -> ObjectiveView {
    let target = Decimal::from_str(&r.target).unwrap_or_default();
    ObjectiveView {
        id: r.id,
        account_id: r.account_id,
        title: r.title.clone(),
        metric: r.metric.clone(),
        baseline: r.baseline.clone(),
        target: r.target.clone(),
        current: r.current_value.clone(),
        due_on: r.due_on,
        owner_id: r.owner_id,
        status: r.status.clone(),
        progress: progress(decimal(&r.baseline), target, decimal(&r.current_value)).map(|p| p.to_string()),
        overdue: r.status == "open" && r.due_on < today,
    }
}

/// Adds a SMART objective to an account's plan; a vague one is refused with the
/// missing part named.
pub async fn add_objective(
    app: &App,
    actor: &Actor,
    account: Uuid,
    input: &ObjectiveInput,
) -> AppResult<ObjectiveView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    let today = local_day(now);
    let acc = existing_account(&mut w, account).await?;
    let o = input.validate(today, true)?;
    check_user(&mut w, "owner_id", o.owner_id).await?;
    let row = ObjectiveRow {
        id: bilan_db::new_id(),
        workspace_id: w.workspace_id(),
        account_id: account,
        title: o.title,
        metric: o.metric,
        baseline: text(o.baseline),
        target: o.target.normalize().to_string(),
        current_value: text(o.current),
        due_on: o.due_on,
        owner_id: o.owner_id.or(acc.owner_id),
        status: o.status.code().to_owned(),
        created_at: now,
        updated_at: now,
        review_id: None,
    };
    store::insert_objective(&mut w.conn(), &row).await?;
    w.audit_created(&row);
    w.commit().await?;
    Ok(objective_view(&row, today))
}

/// Changes an objective (its current value, status, anything); every field is
/// given again, as in the form.
pub async fn update_objective(app: &App, actor: &Actor, id: Uuid, input: &ObjectiveInput) -> AppResult<ObjectiveView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let today = local_day(now);
    let before = store::objective(&mut w.conn(), ws, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let o = input.validate(today, false)?;
    check_user(&mut w, "owner_id", o.owner_id).await?;
    let after = ObjectiveRow {
        title: o.title,
        metric: o.metric,
        baseline: text(o.baseline),
        target: o.target.normalize().to_string(),
        current_value: text(o.current),
        due_on: o.due_on,
        owner_id: o.owner_id.or(before.owner_id),
        status: o.status.code().to_owned(),
        updated_at: now,
        ..before.clone()
    };
    store::update_objective(&mut w.conn(), &after).await?;
    w.audit_updated(&before, &after);
    w.commit().await?;
    Ok(objective_view(&after, today))
}

/// An account's objectives.
pub async fn objectives(app: &App, actor: &Actor, account: Uuid) -> AppResult<Vec<ObjectiveView>> {
    actor.require(Permission::ReadAccounts)?;
    let today = local_day(app.now());
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    if bilan_db::accounts::find(&mut c, actor.workspace_id, account)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    Ok(store::objectives(&mut c, actor.workspace_id, account)
        .await?
        .iter()
        .map(|r| objective_view(r, today))
        .collect())
}

/// A risk as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskView {
    /// Identifier.
    pub id: Uuid,
    /// What could go wrong.
    pub title: String,
    /// 1–5.
    pub probability: i32,
    /// 1–5.
    pub impact: i32,
    /// Probability × impact, 1–25.
    pub exposure: u8,
    /// `high`, `medium`, `low`.
    pub severity: String,
    /// What is done about it.
    pub mitigation: Option<String>,
    /// Who watches it.
    pub owner_id: Option<Uuid>,
    /// `open` or `closed`.
    pub status: String,
}

fn risk_view(r: &RiskRow) -> RiskView {
    let e = exposure(
        u8::try_from(r.probability).unwrap_or(1),
        u8::try_from(r.impact).unwrap_or(1),
    );
    RiskView {
        id: r.id,
        title: r.title.clone(),
        probability: r.probability,
        impact: r.impact,
        exposure: e,
        severity: severity(e).to_owned(),
        mitigation: r.mitigation.clone(),
        owner_id: r.owner_id,
        status: r.status.clone(),
    }
}

/// Adds a risk to an account's register.
pub async fn add_risk(app: &App, actor: &Actor, account: Uuid, input: &RiskInput) -> AppResult<RiskView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    let acc = existing_account(&mut w, account).await?;
    let r = input.validate()?;
    check_user(&mut w, "owner_id", r.owner_id).await?;
    let row = RiskRow {
        id: bilan_db::new_id(),
        workspace_id: w.workspace_id(),
        account_id: account,
        title: r.title,
        probability: i32::from(r.probability),
        impact: i32::from(r.impact),
        mitigation: r.mitigation,
        owner_id: r.owner_id.or(acc.owner_id),
        status: r.status.code().to_owned(),
        created_at: now,
        updated_at: now,
    };
    store::insert_risk(&mut w.conn(), &row).await?;
    w.audit_created(&row);
    w.commit().await?;
    Ok(risk_view(&row))
}

/// Changes a risk (mitigation, levels, closing it).
pub async fn update_risk(app: &App, actor: &Actor, id: Uuid, input: &RiskInput) -> AppResult<RiskView> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let before = store::risk(&mut w.conn(), ws, id).await?.ok_or(AppError::NotFound)?;
    let r = input.validate()?;
    check_user(&mut w, "owner_id", r.owner_id).await?;
    let after = RiskRow {
        title: r.title,
        probability: i32::from(r.probability),
        impact: i32::from(r.impact),
        mitigation: r.mitigation,
        owner_id: r.owner_id.or(before.owner_id),
        status: r.status.code().to_owned(),
        updated_at: now,
        ..before.clone()
    };
    store::update_risk(&mut w.conn(), &after).await?;
    w.audit_updated(&before, &after);
    w.commit().await?;
    Ok(risk_view(&after))
}

/// A contact placed on the map, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StakeholderInput {
    /// The contact.
    pub contact_id: Option<String>,
    /// `high`, `medium`, `low`.
    pub influence: Option<String>,
    /// `champion`, `supporter`, `neutral`, `sceptic`, `opponent`.
    pub attitude: Option<String>,
    /// What to know about them.
    pub notes: Option<String>,
}

/// Places a contact of the account on its stakeholder map (or moves them).
pub async fn save_stakeholder(app: &App, actor: &Actor, account: Uuid, input: &StakeholderInput) -> AppResult<()> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    existing_account(&mut w, account).await?;
    let mut e = bilan_domain::ValidationErrors::new();
    let contact = match input.contact_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("contact_id", "required");
            None
        }
        Some(raw) => match Uuid::parse_str(raw) {
            Ok(id) => match bilan_db::contacts::find(&mut w.conn(), ws, id).await? {
                Some(c) if c.account_id == account => Some(c),
                _ => {
                    e.add("contact_id", "stakeholder.contact_unknown");
                    None
                }
            },
            Err(_) => {
                e.add("contact_id", "id.invalid");
                None
            }
        },
    };
    let influence = input.influence.as_deref().and_then(Influence::parse);
    if influence.is_none() {
        e.add("influence", "stakeholder.influence_invalid");
    }
    let attitude = input.attitude.as_deref().and_then(Attitude::parse);
    if attitude.is_none() {
        e.add("attitude", "stakeholder.attitude_invalid");
    }
    let notes = bilan_domain::validation::optional_text(&mut e, "notes", input.notes.as_deref(), 2_000);
    let (Some(contact), Some(influence), Some(attitude)) = (contact, influence, attitude) else {
        return Err(AppError::Validation(e));
    };
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let row = StakeholderRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        account_id: account,
        contact_id: contact.id,
        influence: influence.code().to_owned(),
        attitude: attitude.code().to_owned(),
        notes,
        updated_at: now,
    };
    store::save_stakeholder(&mut w.conn(), &row).await?;
    w.audit_created(&row);
    w.commit().await?;
    Ok(())
}

/// Adds a roadmap project or a value milestone.
pub async fn add_item(app: &App, actor: &Actor, account: Uuid, input: &PlanItemInput) -> AppResult<PlanItemRow> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let now = w.now();
    existing_account(&mut w, account).await?;
    let i = input.validate()?;
    let row = PlanItemRow {
        id: bilan_db::new_id(),
        workspace_id: w.workspace_id(),
        account_id: account,
        kind: i.kind.code().to_owned(),
        title: i.title,
        starts_on: i.starts_on,
        due_on: i.due_on,
        value: i.value,
        status: i.status.code().to_owned(),
        created_at: now,
        updated_at: now,
    };
    store::insert_item(&mut w.conn(), &row).await?;
    w.audit_created(&row);
    w.commit().await?;
    Ok(row)
}

/// Saves an account plan's financial hypotheses and actuals.
pub async fn save_financials(app: &App, actor: &Actor, account: Uuid, input: &FinancialsInput) -> AppResult<()> {
    let mut w = app.write(actor, Permission::WritePlans).await?;
    let ws = w.workspace_id();
    let now = w.now();
    existing_account(&mut w, account).await?;
    let f = input.validate()?;
    let before = store::financials(&mut w.conn(), ws, account).await?;
    let row = FinancialsRow {
        id: before.as_ref().map_or_else(bilan_db::new_id, |b| b.id),
        workspace_id: ws,
        account_id: account,
        nrr_target: text(f.nrr_target),
        margin_target: text(f.margin_target),
        margin_actual: text(f.margin_actual),
        cac_payback_target: text(f.cac_payback_target),
        cac_payback_actual: text(f.cac_payback_actual),
        updated_at: now,
    };
    store::save_financials(&mut w.conn(), &row).await?;
    match &before {
        Some(b) => w.audit_updated(b, &row),
        None => w.audit_created(&row),
    }
    w.commit().await?;
    Ok(())
}

/// A person on the stakeholder map.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StakeholderView {
    /// The contact.
    pub contact_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their job title.
    pub job_title: Option<String>,
    /// Their buying roles (codes).
    pub roles: Vec<String>,
    /// `high`, `medium`, `low`; null when not placed yet.
    pub influence: Option<String>,
    /// `champion` … `opponent`; null when not placed yet.
    pub attitude: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Day of the last exchange with them.
    pub last_contact: Option<NaiveDate>,
    /// An influential sceptic or opponent.
    pub threat: bool,
}

/// A roadmap item as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanItemView {
    /// Identifier.
    pub id: Uuid,
    /// `project` or `milestone`.
    pub kind: String,
    /// Its name.
    pub title: String,
    /// A project's start.
    pub starts_on: Option<NaiveDate>,
    /// End or date.
    pub due_on: NaiveDate,
    /// The value it brings.
    pub value: Option<String>,
    /// `planned`, `in_progress`, `done`.
    pub status: String,
}

/// The financial hypotheses beside the actuals.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinancialsView {
    /// As typed.
    pub hypotheses: Financials,
    /// The account's NRR over the last twelve months, from its invoices, per cent.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub nrr_actual: Option<Decimal>,
}

/// The whole plan of an account.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub account_name: String,
    /// SMART objectives.
    pub objectives: Vec<ObjectiveView>,
    /// The stakeholder map: the buying centre's current people (a role, or placed), placed first.
    pub stakeholders: Vec<StakeholderView>,
    /// People of the buying centre beyond those shown.
    pub stakeholders_hidden: usize,
    /// No decision maker or sponsor known, or none met within the workspace's gap.
    pub key_contact_gap: bool,
    /// The gap, in days.
    pub key_contact_gap_days: u32,
    /// Roadmap projects and value milestones, by date.
    pub items: Vec<PlanItemView>,
    /// Risks, most exposed first.
    pub risks: Vec<RiskView>,
    /// Financial hypotheses and actuals.
    pub financials: FinancialsView,
}

/// An account's plan.
pub async fn plan(app: &App, actor: &Actor, account: Uuid) -> AppResult<PlanView> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let today = local_day(app.now());
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let acc = bilan_db::accounts::find(&mut c, ws, account)
        .await?
        .ok_or(AppError::NotFound)?;
    let objectives = store::objectives(&mut c, ws, account).await?;
    let placed = store::stakeholders(&mut c, ws, account).await?;
    // The buying centre: the current contacts holding a role, and anyone placed.
    let contacts = bilan_db::contacts::buying_centre(&mut c, ws, account, STAKEHOLDERS_SHOWN).await?;
    let centre_size = bilan_db::contacts::buying_centre_size(&mut c, ws, account).await?;
    let (_, settings) = crate::health::settings(&mut c, ws).await?;
    let inputs = bilan_db::health_inputs::read(
        &mut c,
        ws,
        &[account],
        today,
        bilan_domain::timeline::local_day_start(today - Duration::days(90)),
        today - Duration::days(365),
        &crate::health::facts::KEY_ROLES,
    )
    .await?;
    let all_ids: Vec<Uuid> = contacts.iter().map(|c| c.id).collect();
    let last = bilan_db::health_inputs::last_met(&mut c, ws, &all_ids).await?;
    let facts = crate::health::facts::assemble(&inputs, today);
    let gap = facts
        .get(&account)
        .is_none_or(|f| key_contact_gap(f, settings.key_contact_gap_days));
    let stakeholders = contacts
        .iter()
        .map(|c| {
            let p = placed.iter().find(|p| p.contact_id == c.id);
            let influence = p.and_then(|p| Influence::parse(&p.influence));
            let attitude = p.and_then(|p| Attitude::parse(&p.attitude));
            StakeholderView {
                contact_id: c.id,
                name: c.full_name(),
                job_title: c.job_title.clone(),
                roles: c.roles.iter().map(|r: &BuyingRole| r.code().to_owned()).collect(),
                influence: influence.map(|i| i.code().to_owned()),
                attitude: attitude.map(|a| a.code().to_owned()),
                notes: p.and_then(|p| p.notes.clone()),
                last_contact: last
                    .iter()
                    .find(|(id, _)| *id == c.id)
                    .and_then(|(_, at)| at.map(local_day)),
                threat: influence.zip(attitude).is_some_and(|(i, a)| is_threat(i, a)),
            }
        })
        .collect();
    let items = store::items(&mut c, ws, account)
        .await?
        .into_iter()
        .map(|r| PlanItemView {
            id: r.id,
            kind: r.kind,
            title: r.title,
            starts_on: r.starts_on,
            due_on: r.due_on,
            value: r.value,
            status: r.status,
        })
        .collect();
    let risks = store::risks(&mut c, ws, account).await?.iter().map(risk_view).collect();
    let fin = store::financials(&mut c, ws, account).await?;
    let year = today - Duration::days(365);
    let last_12 = store::invoiced_between(&mut c, ws, account, year, today + Duration::days(1)).await?;
    let previous_12 = store::invoiced_between(&mut c, ws, account, year - Duration::days(365), year).await?;
    Ok(PlanView {
        account_id: account,
        account_name: acc.name,
        stakeholders_hidden: usize::try_from(centre_size).unwrap_or(0).saturating_sub(contacts.len()),
        objectives: objectives.iter().map(|r| objective_view(r, today)).collect(),
        stakeholders,
        key_contact_gap: gap,
        key_contact_gap_days: settings.key_contact_gap_days,
        items,
        risks,
        financials: FinancialsView {
            hypotheses: fin
                .map(|f| Financials {
                    nrr_target: decimal(&f.nrr_target),
                    margin_target: decimal(&f.margin_target),
                    margin_actual: decimal(&f.margin_actual),
                    cac_payback_target: decimal(&f.cac_payback_target),
                    cac_payback_actual: decimal(&f.cac_payback_actual),
                })
                .unwrap_or_default(),
            nrr_actual: nrr(last_12, previous_12),
        },
    })
}
