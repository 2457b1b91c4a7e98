//! Hot satisfaction: surveys and their sending rules, invitations scheduled after
//! events (or sent by hand), the public single-use answer link, and the figures of
//! the satisfaction page.
//!
//! `schedule` applies the sending rules to events, `mail` renders the invitation,
//! `link` serves the public answer link, `figures` computes the satisfaction page,
//! `answers` lists and exports answers; survey and rule management is here.

mod answers;
mod figures;
mod link;
mod mail;
mod schedule;

pub use answers::*;
pub use bilan_db::surveys::AnswerView;
pub use figures::*;
pub use link::*;
pub use mail::*;
pub(crate) use schedule::on_events;
pub use schedule::*;

use crate::{Actor, App, AppError, AppResult, Audited};
use bilan_db::surveys as store;
use bilan_domain::audit::AuditAction;
use bilan_domain::roles::Permission;
use bilan_domain::surveys::{RuleInput, Survey, SurveyInput, SurveyRule};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Longest interval between two surveys of one contact that a workspace may set.
pub const INTERVAL_DAYS_MAX: u32 = 365;

// ---------------------------------------------------------------- surveys and rules

/// Creates a survey.
pub async fn create_survey(app: &App, actor: &Actor, input: &SurveyInput) -> AppResult<Survey> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::ManageSurveys).await?;
    let new = new?;
    let now = w.now();
    let creator = (!actor.via_cli).then_some(actor.user_id);
    let survey = store::insert_survey(
        &mut w.conn(),
        actor.workspace_id,
        bilan_db::new_id(),
        &new,
        creator,
        now,
    )
    .await?;
    w.audit_created(&survey);
    w.commit().await?;
    Ok(survey)
}

/// Replaces a survey's fields if nobody changed it since `version`.
pub async fn update_survey(app: &App, actor: &Actor, id: Uuid, version: i64, input: &SurveyInput) -> AppResult<Survey> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::ManageSurveys).await?;
    let new = new?;
    let now = w.now();
    let before = store::find_survey(&mut w.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let after = store::update_survey(&mut w.conn(), actor.workspace_id, id, version, &new, now)
        .await?
        .ok_or(AppError::Stale {
            current_version: before.version,
        })?;
    w.audit_updated(&before, &after);
    w.commit().await?;
    Ok(after)
}

/// A survey with its sending rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyWithRules {
    /// The survey.
    pub survey: Survey,
    /// Its rules.
    pub rules: Vec<SurveyRule>,
}

/// The workspace's surveys with their rules, and the anti-over-surveying interval.
pub async fn list_surveys(app: &App, actor: &Actor) -> AppResult<(Vec<SurveyWithRules>, u32)> {
    actor.require(Permission::ReadSatisfaction)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let ws = actor.workspace_id;
    let surveys = store::list_surveys(&mut c, ws).await?;
    let mut rules: HashMap<Uuid, Vec<SurveyRule>> = HashMap::new();
    for r in store::list_rules(&mut c, ws).await? {
        rules.entry(r.rule.survey_id).or_default().push(r);
    }
    let interval = store::interval_days(&mut c, ws).await?;
    let list = surveys
        .into_iter()
        .map(|survey| SurveyWithRules {
            rules: rules.remove(&survey.id).unwrap_or_default(),
            survey,
        })
        .collect();
    Ok((list, interval))
}

/// One survey with its rules.
pub async fn find_survey(app: &App, actor: &Actor, id: Uuid) -> AppResult<SurveyWithRules> {
    let (list, _) = list_surveys(app, actor).await?;
    list.into_iter().find(|s| s.survey.id == id).ok_or(AppError::NotFound)
}

/// Adds a sending rule to a survey.
pub async fn add_rule(app: &App, actor: &Actor, input: &RuleInput) -> AppResult<SurveyRule> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::ManageSurveys).await?;
    let new = new?;
    let now = w.now();
    if store::find_survey(&mut w.conn(), actor.workspace_id, new.survey_id)
        .await?
        .is_none()
    {
        return Err(AppError::field("survey_id", "survey.unknown"));
    }
    let rule = store::insert_rule(&mut w.conn(), actor.workspace_id, bilan_db::new_id(), &new, now).await?;
    w.audit_created(&rule);
    w.commit().await?;
    Ok(rule)
}

/// Deletes a sending rule (invitations it scheduled stay).
pub async fn delete_rule(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::ManageSurveys).await?;
    let gone = store::delete_rule(&mut w.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    w.audit_deleted(&gone);
    w.commit().await?;
    Ok(())
}

/// Sets how many days must pass between two surveys of one contact, whatever the rules.
pub async fn set_interval(app: &App, actor: &Actor, raw: &str) -> AppResult<u32> {
    Ok(update_settings(app, actor, Some(raw), None).await?.0)
}

/// Most answers a workspace may require before a score shows.
pub const MIN_ANSWERS_MAX: u32 = 100;

/// The fewest answers a score needs before trends, breakdowns and "my day" show it.
pub async fn min_answers(app: &App, actor: &Actor) -> AppResult<u32> {
    actor.require(Permission::ReadSatisfaction)?;
    let mut pc = app.db.acquire().await?;
    Ok(store::min_answers(&mut pc.conn(), actor.workspace_id).await?)
}

/// Sets the fewest answers a score needs before it shows (1–100).
pub async fn set_min_answers(app: &App, actor: &Actor, raw: &str) -> AppResult<u32> {
    Ok(update_settings(app, actor, None, Some(raw)).await?.1)
}

/// Sets the survey settings given (the interval in days, the minimum answers), all
/// checked before anything is written and written in one transaction; returns both
/// as they now stand.
pub async fn update_settings(
    app: &App,
    actor: &Actor,
    interval_days: Option<&str>,
    min_answers: Option<&str>,
) -> AppResult<(u32, u32)> {
    actor.require(Permission::ManageSurveys)?;
    let mut e = bilan_domain::ValidationErrors::new();
    let mut within = |raw: Option<&str>, range: std::ops::RangeInclusive<u32>, field: &str| {
        let n = raw?.trim().parse::<u32>().ok().filter(|n| range.contains(n));
        if n.is_none() {
            e.add(field, &format!("{field}.out_of_range"));
        }
        n
    };
    let days = within(interval_days, 0..=INTERVAL_DAYS_MAX, "interval_days");
    let n = within(min_answers, 1..=MIN_ANSWERS_MAX, "min_answers");
    e.into_result()?;
    let ws = actor.workspace_id;
    let mut w = app.write(actor, Permission::ManageSurveys).await?;
    let before = (
        store::interval_days(&mut w.conn(), ws).await?,
        store::min_answers(&mut w.conn(), ws).await?,
    );
    if let Some(d) = days {
        store::set_interval_days(&mut w.conn(), ws, d).await?;
    }
    if let Some(n) = n {
        store::set_min_answers(&mut w.conn(), ws, n).await?;
    }
    let after = (days.unwrap_or(before.0), n.unwrap_or(before.1));
    if after != before {
        w.audit_entry(
            AuditAction::Update,
            "survey_settings",
            ws,
            Some(&serde_json::json!({ "interval_days": before.0, "min_answers": before.1 })),
            Some(&serde_json::json!({ "interval_days": after.0, "min_answers": after.1 })),
        );
    }
    w.commit().await?;
    Ok(after)
}

impl Audited for Survey {
    const ENTITY: &'static str = "survey";

    fn audit_id(&self) -> Uuid {
        self.id
    }
}

impl Audited for SurveyRule {
    const ENTITY: &'static str = "survey_rule";

    fn audit_id(&self) -> Uuid {
        self.id
    }
}
