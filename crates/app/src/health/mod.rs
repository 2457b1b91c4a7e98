//! Account health (SPEC C7): computed from the account's history, stored with its
//! explanation, kept day by day, recomputed when an input changes (the unit of
//! work marks the account; a job recomputes it) and every night (recency decays),
//! listed on the at-risk page, and a follow-up for the owner when an account
//! crosses into risk.

pub mod facts;
pub mod usage;

use crate::jobs::{JobContext, JobKind};
use crate::{Actor, App, AppError, AppResult};
use bilan_db::health::{self as store, HealthAlertRow, HealthDayRow, HealthScoreRow};
use bilan_db::Conn;
use bilan_domain::health::{health, Band, Component, Health, HealthSettings, Reason};
use bilan_domain::key_accounts::scoring::ScoringRules;
use bilan_domain::roles::Permission;
use bilan_domain::timeline::{local_day, local_day_start};
use bilan_i18n::Lang;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Accounts recomputed per batch: one read of each input for all of them.
const BATCH: usize = 400;

/// How long after a change its job recomputes the accounts marked.
pub const RECOMPUTE_DELAY_SECONDS: i64 = 60;

/// Up to this many marked accounts, the at-risk page recomputes them before it
/// lists (a bulk import marks more; its job follows within the minute).
const INLINE_RECOMPUTE_MAX: i64 = 500;

/// The workspace's scoring rules and health settings (the defaults until saved).
pub async fn settings(conn: &mut Conn<'_>, workspace: Uuid) -> AppResult<(ScoringRules, HealthSettings)> {
    let row = bilan_db::key_accounts::settings(conn, workspace).await?;
    Ok(match row {
        Some(r) => (
            serde_json::from_str(&r.scoring_json).unwrap_or_default(),
            serde_json::from_str(&r.health_json).unwrap_or_default(),
        ),
        None => (ScoringRules::default(), HealthSettings::default()),
    })
}

/// Today in the workspace's zone.
pub fn today(app: &App) -> NaiveDate {
    local_day(app.now())
}

/// Computes the health of `accounts` as of now and stores it: today's score, the
/// day's history row, and an alert for each account that crossed into risk.
/// Returns how many were computed.
pub async fn recompute(app: &App, workspace: Uuid, accounts: &[Uuid]) -> AppResult<usize> {
    let now = app.now();
    let today = local_day(now);
    let mut done = 0;
    for batch in accounts.chunks(BATCH) {
        let (settings, inputs, previous) = {
            let mut pc = app.db.acquire().await?;
            let mut c = pc.conn();
            let (_, settings) = settings(&mut c, workspace).await?;
            let inputs = bilan_db::health_inputs::read(
                &mut c,
                workspace,
                batch,
                today,
                local_day_start(today - Duration::days(90)),
                today - Duration::days(365),
                &facts::KEY_ROLES,
            )
            .await?;
            let previous = store::scores_of(&mut c, workspace, batch).await?;
            (settings, inputs, previous)
        };
        let facts = facts::assemble(&inputs, today);
        let mut scores = Vec::with_capacity(facts.len());
        let mut days = Vec::with_capacity(facts.len());
        let mut alerts = Vec::new();
        let mut inactive = Vec::new();
        for a in &inputs.accounts {
            if a.status != "active" {
                inactive.push(a.id);
                continue;
            }
            let Some(f) = facts.get(&a.id) else { continue };
            let h = health(f, &settings);
            let before = previous.iter().find(|p| p.account_id == a.id);
            if h.band == Band::AtRisk && before.is_some_and(|p| p.band != Band::AtRisk.code()) {
                alerts.push(HealthAlertRow {
                    id: bilan_db::new_id(),
                    workspace_id: workspace,
                    account_id: a.id,
                    owner_id: a.owner_id,
                    crossed_on: today,
                    score: i32::from(h.score),
                    previous_score: before.map(|p| p.score),
                    reasons_json: serde_json::to_string(&h.main_reasons(3)).unwrap_or_else(|_| "[]".into()),
                    done_at: None,
                    done_by: None,
                    created_at: now,
                });
            }
            scores.push(HealthScoreRow {
                id: bilan_db::new_id(),
                workspace_id: workspace,
                account_id: a.id,
                score: i32::from(h.score),
                band: h.band.code().to_owned(),
                components_json: serde_json::to_string(&h.components)
                    .map_err(|e| AppError::Internal(format!("health cannot be written: {e}")))?,
                computed_at: now,
            });
            days.push(HealthDayRow {
                id: bilan_db::new_id(),
                workspace_id: workspace,
                account_id: a.id,
                day: today,
                score: i32::from(h.score),
            });
        }
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        store::save_scores(&mut c, &scores, &days).await?;
        store::drop_scores(&mut c, workspace, &inactive).await?;
        if !alerts.is_empty() {
            store::insert_alerts(&mut c, &alerts).await?;
        }
        tx.commit().await?;
        done += scores.len();
    }
    Ok(done)
}

/// Recomputes the accounts whose inputs changed: enqueued by the unit of work
/// that changed them, once while one is pending.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecomputeChangedHealth {}

impl JobKind for RecomputeChangedHealth {
    const KIND: &'static str = "recompute_changed_health";

    async fn run(self, app: &App, job: &JobContext) -> AppResult<()> {
        let Some(ws) = job.workspace_id else { return Ok(()) };
        recompute_changed(app, ws).await.map(|_| ())
    }
}

/// Recomputes every account marked since its last computation; returns how many.
pub async fn recompute_changed(app: &App, workspace: Uuid) -> AppResult<usize> {
    let mut total = 0;
    loop {
        let marked = {
            let mut pc = app.db.acquire().await?;
            store::dirty(&mut pc.conn(), workspace, BATCH as i64).await?
        };
        if marked.is_empty() {
            return Ok(total);
        }
        let ids: Vec<Uuid> = marked.iter().map(|(a, _)| *a).collect();
        total += recompute(app, workspace, &ids).await?;
        let mut tx = app.db.begin().await?;
        store::clear_dirty(&mut tx.conn(), workspace, &marked).await?;
        tx.commit().await?;
        if marked.len() < BATCH {
            return Ok(total);
        }
    }
}

/// Every night: every active account again, for what time alone changes (recency,
/// days late, the renewal coming closer), and a history row for the day.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NightlyHealth {}

impl JobKind for NightlyHealth {
    const KIND: &'static str = "nightly_health";

    async fn run(self, app: &App, job: &JobContext) -> AppResult<()> {
        let Some(ws) = job.workspace_id else { return Ok(()) };
        let n = recompute_all(app, ws).await?;
        tracing::info!(workspace = %ws, accounts = n, "health recomputed");
        Ok(())
    }
}

/// Recomputes every active account of the workspace; returns how many.
pub async fn recompute_all(app: &App, workspace: Uuid) -> AppResult<usize> {
    let mut after = None;
    let mut total = 0;
    loop {
        let ids = {
            let mut pc = app.db.acquire().await?;
            store::active_accounts_after(&mut pc.conn(), workspace, after, 2_000).await?
        };
        let Some(last) = ids.last() else { return Ok(total) };
        after = Some(*last);
        total += recompute(app, workspace, &ids).await?;
    }
}

/// Recomputes every active account now (administrators, managers; the CLI).
pub async fn recompute_workspace(app: &App, actor: &Actor) -> AppResult<usize> {
    actor.require(Permission::ManageProgramme)?;
    recompute_all(app, actor.workspace_id).await
}

/// A reason said in `lang`: its message with the arguments put in (amounts and
/// dates written the reader's way).
pub fn say(reason: &Reason, lang: Lang) -> String {
    let mut text = bilan_i18n::t(lang, &format!("health.reason.{}", reason.code)).to_owned();
    for (name, value) in &reason.args {
        let shown = match name.as_str() {
            "amount" => value
                .split_once(' ')
                .and_then(|(minor, cur)| {
                    let m = bilan_domain::money::Money {
                        minor: minor.parse().ok()?,
                        currency: bilan_domain::money::Currency::parse(cur)?,
                    };
                    Some(m.format(lang == Lang::Fr))
                })
                .unwrap_or_else(|| value.clone()),
            "date" => match (NaiveDate::parse_from_str(value, "%Y-%m-%d"), lang) {
                (Ok(d), Lang::Fr) => d.format("%d/%m/%Y").to_string(),
                _ => value.clone(),
            },
            "kind" | "metric" | "name" => value.clone(),
            _ => match (value.parse::<rust_decimal::Decimal>(), lang) {
                (Ok(d), Lang::Fr) => d.to_string().replace('.', ","),
                _ => value.clone(),
            },
        };
        text = text.replace(&format!("{{{name}}}"), &shown);
    }
    text
}

/// One component of an account's health, said for people.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentView {
    /// Component code: `satisfaction`, `engagement`, `payment`, `complaints`, `usage`, `relationship`, `renewal`.
    pub name: String,
    /// Its own score, 0–100; null when there was nothing to judge it on (its weight went to the others).
    pub score: Option<u8>,
    /// Its configured weight.
    pub weight: u32,
    /// The points it brings to the total: the components' points add up to the score.
    pub points: u8,
    /// The facts behind it, in the reader's language.
    pub reasons: Vec<String>,
}

/// An account's health, explained.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthView {
    /// Account.
    pub account_id: Uuid,
    /// 0–100.
    pub score: u8,
    /// `at_risk`, `watch` or `healthy`.
    pub band: String,
    /// Every component.
    pub components: Vec<ComponentView>,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
    /// One score per day, oldest first (the last 90 days).
    pub history: Vec<HealthDay>,
    /// The workspace's threshold under which an account is at risk.
    pub at_risk_below: u8,
}

/// One day of history.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthDay {
    /// The day.
    pub day: NaiveDate,
    /// The score that day.
    pub score: i32,
}

/// The explained components stored with a score, said in `lang`.
pub fn components_of(json: &str, lang: Lang) -> Vec<ComponentView> {
    let explained: Vec<bilan_domain::health::Explained> = serde_json::from_str(json).unwrap_or_default();
    explained
        .into_iter()
        .map(|e| ComponentView {
            name: e.component.code().to_owned(),
            score: e.score,
            weight: e.weight,
            points: e.points,
            reasons: e.reasons.iter().map(|r| say(r, lang)).collect(),
        })
        .collect()
}

/// An account's health, computed now if it never was (a new account).
pub async fn account_health(app: &App, actor: &Actor, account: Uuid, lang: Lang) -> AppResult<HealthView> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let (row, marked) = {
        let mut pc = app.db.acquire().await?;
        let mut c = pc.conn();
        let acc = bilan_db::accounts::find(&mut c, ws, account)
            .await?
            .ok_or(AppError::NotFound)?;
        if acc.status != bilan_domain::accounts::AccountStatus::Active {
            drop(pc);
            return unstored_health(app, ws, account, lang).await;
        }
        (
            store::score_of(&mut c, ws, account).await?,
            store::marked_at(&mut c, ws, account).await?,
        )
    };
    // Changed since computed: recomputed now, so a page never shows stale health.
    let row = match (row, marked) {
        (Some(_), Some(at)) => {
            recompute(app, ws, &[account]).await?;
            let mut tx = app.db.begin().await?;
            store::clear_dirty(&mut tx.conn(), ws, &[(account, at)]).await?;
            tx.commit().await?;
            None
        }
        (row, _) => row,
    };
    let row = match row {
        Some(r) => r,
        None => {
            recompute(app, ws, &[account]).await?;
            let mut pc = app.db.acquire().await?;
            store::score_of(&mut pc.conn(), ws, account)
                .await?
                .ok_or(AppError::NotFound)?
        }
    };
    let (history, s) = {
        let mut pc = app.db.acquire().await?;
        let mut c = pc.conn();
        let h = store::history(&mut c, ws, account, today(app) - Duration::days(90)).await?;
        (h, settings(&mut c, ws).await?.1)
    };
    Ok(HealthView {
        account_id: account,
        score: u8::try_from(row.score).unwrap_or(0),
        band: row.band,
        components: components_of(&row.components_json, lang),
        computed_at: row.computed_at,
        history: history
            .into_iter()
            .map(|(day, score)| HealthDay { day, score })
            .collect(),
        at_risk_below: s.at_risk_below,
    })
}

/// The health of an account that is not active (a prospect, a lost client):
/// computed for the page, not kept — the at-risk list and the history are about
/// the clients one keeps.
async fn unstored_health(app: &App, ws: Uuid, account: Uuid, lang: Lang) -> AppResult<HealthView> {
    let now = app.now();
    let today = local_day(now);
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let (_, s) = settings(&mut c, ws).await?;
    let inputs = bilan_db::health_inputs::read(
        &mut c,
        ws,
        &[account],
        today,
        local_day_start(today - Duration::days(90)),
        today - Duration::days(365),
        &facts::KEY_ROLES,
    )
    .await?;
    let f = facts::assemble(&inputs, today)
        .remove(&account)
        .ok_or(AppError::NotFound)?;
    let h = health(&f, &s);
    let history = store::history(&mut c, ws, account, today - Duration::days(90)).await?;
    let json = serde_json::to_string(&h.components).map_err(|e| AppError::Internal(format!("health: {e}")))?;
    Ok(HealthView {
        account_id: account,
        score: h.score,
        band: h.band.code().to_owned(),
        components: components_of(&json, lang),
        computed_at: now,
        history: history
            .into_iter()
            .map(|(day, score)| HealthDay { day, score })
            .collect(),
        at_risk_below: s.at_risk_below,
    })
}

/// An account on the at-risk page.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AtRiskItem {
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub name: String,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Health, 0–100.
    pub score: i32,
    /// `at_risk` or `watch`.
    pub band: String,
    /// What pulls it down most, said in the reader's language.
    pub reasons: Vec<String>,
    /// Score 30 days ago, if known: the trend.
    pub score_30_days_ago: Option<i32>,
    /// The last 90 days, oldest first (the sparkline).
    pub history: Vec<HealthDay>,
    /// Renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Contract value, minor units.
    pub annual_value_minor: i64,
    /// Currency.
    pub currency: String,
}

/// A page of the at-risk list.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AtRiskPage {
    /// Accounts, lowest score first.
    pub items: Vec<AtRiskItem>,
    /// How many in all.
    pub total: i64,
    /// The threshold below which an account is at risk.
    pub at_risk_below: u8,
    /// The threshold below which an account is watched.
    pub watch_below: u8,
}

/// Accounts at risk (with `watch`, also those to watch), optionally of one owner.
pub async fn at_risk(
    app: &App,
    actor: &Actor,
    owner: Option<Uuid>,
    include_watch: bool,
    limit: u32,
    offset: u32,
    lang: Lang,
) -> AppResult<AtRiskPage> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let waiting = {
        let mut pc = app.db.acquire().await?;
        store::dirty_count(&mut pc.conn(), ws).await?
    };
    if waiting > 0 && waiting <= INLINE_RECOMPUTE_MAX {
        recompute_changed(app, ws).await?;
    }
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let (_, s) = settings(&mut c, ws).await?;
    let below = i32::from(if include_watch { s.watch_below } else { s.at_risk_below });
    let limit = i64::from(limit.clamp(1, 200));
    let rows = store::at_risk(&mut c, ws, below, owner, limit, i64::from(offset)).await?;
    let total = store::at_risk_count(&mut c, ws, below, owner).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.account_id).collect();
    let today = local_day(app.now());
    let histories = store::histories(&mut c, ws, &ids, today - Duration::days(90)).await?;
    let owners: std::collections::HashMap<Uuid, String> = bilan_db::users::list(&mut c, ws)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let items = rows
        .into_iter()
        .map(|r| {
            let explained: Vec<bilan_domain::health::Explained> =
                serde_json::from_str(&r.components_json).unwrap_or_default();
            let h = Health {
                score: u8::try_from(r.score).unwrap_or(0),
                band: s.band(u8::try_from(r.score).unwrap_or(0)),
                components: explained,
            };
            let history: Vec<HealthDay> = histories
                .iter()
                .filter(|(a, _, _)| *a == r.account_id)
                .map(|(_, day, score)| HealthDay {
                    day: *day,
                    score: *score,
                })
                .collect();
            let month_ago = today - Duration::days(30);
            let score_30_days_ago = history.iter().rev().find(|d| d.day <= month_ago).map(|d| d.score);
            AtRiskItem {
                account_id: r.account_id,
                owner_name: r.owner_id.and_then(|o| owners.get(&o).cloned()),
                name: r.name,
                owner_id: r.owner_id,
                score: r.score,
                band: h.band.code().to_owned(),
                reasons: h.main_reasons(3).into_iter().map(|x| say(x, lang)).collect(),
                score_30_days_ago,
                history,
                renewal_date: r.renewal_date,
                annual_value_minor: r.annual_value_minor,
                currency: r.currency,
            }
        })
        .collect();
    Ok(AtRiskPage {
        items,
        total,
        at_risk_below: s.at_risk_below,
        watch_below: s.watch_below,
    })
}

/// A follow-up raised when an account crossed into risk.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertView {
    /// Identifier.
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub account_name: String,
    /// Who must follow it up.
    pub owner_id: Option<Uuid>,
    /// The day it crossed.
    pub crossed_on: NaiveDate,
    /// Its score then.
    pub score: i32,
    /// Its score before.
    pub previous_score: Option<i32>,
    /// Why, in the reader's language.
    pub reasons: Vec<String>,
}

/// Open follow-ups of accounts that crossed into risk: the actor's own, or every
/// owner's for those who run the programme (`all`).
pub async fn alerts(app: &App, actor: &Actor, all: bool, lang: Lang) -> AppResult<Vec<AlertView>> {
    actor.require(Permission::ReadAccounts)?;
    let owner = if all && actor.role.can(Permission::ManageProgramme) {
        None
    } else {
        Some(actor.user_id)
    };
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let rows = store::open_alerts(&mut c, actor.workspace_id, owner, None, 200).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.account_id).collect();
    let names: std::collections::HashMap<Uuid, String> =
        bilan_db::imports::accounts_by_ids(&mut c, actor.workspace_id, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
    let out = rows
        .into_iter()
        .map(|r| {
            let reasons: Vec<Reason> = serde_json::from_str(&r.reasons_json).unwrap_or_default();
            AlertView {
                id: r.id,
                account_name: names.get(&r.account_id).cloned().unwrap_or_default(),
                account_id: r.account_id,
                owner_id: r.owner_id,
                crossed_on: r.crossed_on,
                score: r.score,
                previous_score: r.previous_score,
                reasons: reasons.iter().map(|x| say(x, lang)).collect(),
            }
        })
        .collect();
    Ok(out)
}

/// Marks a follow-up done (its owner, or those who run the programme).
pub async fn close_alert(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::ReadAccounts).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let mine = store::open_alert(&mut w.conn(), ws, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if mine.owner_id != Some(actor.user_id) && !actor.role.can(Permission::ManageProgramme) {
        return Err(AppError::Forbidden);
    }
    store::close_alert(&mut w.conn(), ws, id, Some(actor.user_id), now).await?;
    w.audit_entry(
        bilan_domain::audit::AuditAction::Update,
        "health_alert",
        id,
        Some(&serde_json::json!({ "done": false })),
        Some(&serde_json::json!({ "done": true })),
    );
    w.commit().await?;
    Ok(())
}

/// The component codes, for forms and documentation.
pub fn component_codes() -> Vec<&'static str> {
    Component::ALL.iter().map(|c| c.code()).collect()
}
