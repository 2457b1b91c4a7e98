//! The workspace's reminder plans: Bilan's plan for each segment until the
//! workspace writes its own.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::invoices::{self as store, PlanRow};
use bilan_db::Conn;
use bilan_domain::audit::AuditAction;
use bilan_domain::invoices::plan::{default_plan, segments, Plan, PlanInput, DEFAULT_SEGMENT};
use bilan_domain::roles::Permission;
use serde::Serialize;
use uuid::Uuid;

/// One segment's plan, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentPlan {
    /// `default` or a company size code.
    pub segment: &'static str,
    /// The plan in force.
    pub plan: Plan,
    /// Whether the workspace wrote it (otherwise Bilan's).
    pub custom: bool,
}

fn from_row(r: &PlanRow) -> Option<Plan> {
    let steps = serde_json::from_str(&r.steps).ok()?;
    Some(Plan {
        steps,
        owner_notice_days: r.owner_notice_days.and_then(|d| u32::try_from(d).ok()),
        add_late_charges: r.add_late_charges,
    })
}

/// Every segment's plan in force.
pub(crate) async fn plans_in(c: &mut Conn<'_>, ws: Uuid) -> AppResult<Vec<SegmentPlan>> {
    let rows = store::plans(c, ws).await?;
    Ok(segments()
        .into_iter()
        .map(
            |segment| match rows.iter().find(|r| r.segment == segment).and_then(from_row) {
                Some(plan) => SegmentPlan {
                    segment,
                    plan,
                    custom: true,
                },
                None => SegmentPlan {
                    segment,
                    plan: default_plan(segment),
                    custom: false,
                },
            },
        )
        .collect())
}

/// The plan of an account of `segment` (its company size; none: the default plan).
pub(crate) fn pick(plans: &[SegmentPlan], segment: Option<&str>) -> Plan {
    let wanted = segment.unwrap_or(DEFAULT_SEGMENT);
    plans
        .iter()
        .find(|p| p.segment == wanted)
        .or_else(|| plans.iter().find(|p| p.segment == DEFAULT_SEGMENT))
        .map_or_else(|| default_plan(wanted), |p| p.plan.clone())
}

/// The plan in force for an account of `segment`.
pub(crate) async fn plan_for(c: &mut Conn<'_>, ws: Uuid, segment: Option<&str>) -> AppResult<Plan> {
    Ok(pick(&plans_in(c, ws).await?, segment))
}

/// Every segment's plan.
pub async fn list_plans(app: &App, actor: &Actor) -> AppResult<Vec<SegmentPlan>> {
    actor.require(Permission::ReadInvoices)?;
    let mut pc = app.db.acquire().await?;
    plans_in(&mut pc.conn(), actor.workspace_id).await
}

fn segment_code(raw: &str) -> AppResult<&'static str> {
    segments()
        .into_iter()
        .find(|s| *s == raw.trim())
        .ok_or_else(|| AppError::field("segment", "segment.invalid"))
}

/// Saves the workspace's own plan for a segment.
pub async fn save_plan(app: &App, actor: &Actor, segment: &str, input: &PlanInput) -> AppResult<SegmentPlan> {
    let segment = segment_code(segment);
    let plan = input.validate();
    let mut w = app.write(actor, Permission::ConfigureInvoices).await?;
    let segment = segment?;
    let plan = plan?;
    let ws = actor.workspace_id;
    let before = pick(&plans_in(&mut w.conn(), ws).await?, Some(segment));
    let steps = serde_json::to_string(&plan.steps).map_err(|e| AppError::Internal(e.to_string()))?;
    let now = w.now();
    store::save_plan(
        &mut w.conn(),
        &PlanRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            segment: segment.to_owned(),
            steps,
            owner_notice_days: plan.owner_notice_days.map(i64::from),
            add_late_charges: plan.add_late_charges,
            version: 1,
            updated_at: now,
        },
    )
    .await?;
    w.audit_entry(AuditAction::Update, "reminder_plan", ws, Some(&before), Some(&plan));
    w.commit().await?;
    Ok(SegmentPlan {
        segment,
        plan,
        custom: true,
    })
}

/// Puts Bilan's plan for a segment back.
pub async fn reset_plan(app: &App, actor: &Actor, segment: &str) -> AppResult<SegmentPlan> {
    let segment = segment_code(segment);
    let mut w = app.write(actor, Permission::ConfigureInvoices).await?;
    let segment = segment?;
    let ws = actor.workspace_id;
    let before = pick(&plans_in(&mut w.conn(), ws).await?, Some(segment));
    if store::delete_plan(&mut w.conn(), ws, segment).await? {
        w.audit_entry(
            AuditAction::Update,
            "reminder_plan",
            ws,
            Some(&before),
            Some(&default_plan(segment)),
        );
    }
    w.commit().await?;
    Ok(SegmentPlan {
        segment,
        plan: default_plan(segment),
        custom: false,
    })
}
