//! The key-account programme (SPEC C6): rating accounts, admitting them with a
//! tier, a manager and an executive sponsor, each manager's load, and the living
//! account plan (see [`plan`]).

pub mod plan;
pub mod settings;

use crate::unit_of_work::audited;
use crate::{Actor, App, AppError, AppResult};
use bilan_db::key_accounts::{self as store, KeyAccountRow, RatingsRow};
use bilan_domain::key_accounts::load::{warning, LoadWarning};
use bilan_domain::key_accounts::scoring::{score, AccountScore, Criterion, Ratings};
use bilan_domain::key_accounts::Tier;
use bilan_domain::roles::Permission;
use bilan_domain::timeline::local_day;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

audited!(KeyAccountRow, "key_account");

/// An admission (or a change of it) as typed: the ratings, the tier, the people.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AdmissionInput {
    /// Revenue potential, 1–5.
    pub potential: Option<String>,
    /// Probability of realising it, 1–5.
    pub probability: Option<String>,
    /// Net profitability, 1–5.
    pub profitability: Option<String>,
    /// Strategic impact, 1–5.
    pub strategic_impact: Option<String>,
    /// Cultural and solution fit, 1–5.
    pub fit: Option<String>,
    /// Risk and concentration, 1–5 (higher is riskier).
    pub risk: Option<String>,
    /// `strategic`, `key` or `developing` (default: the tier the score suggests).
    pub tier: Option<String>,
    /// The key-account manager (default: the account's owner).
    pub manager_id: Option<String>,
    /// The executive sponsor on our side.
    pub executive_sponsor_id: Option<String>,
    /// Why this account, in a few words.
    pub notes: Option<String>,
}

impl AdmissionInput {
    fn ratings(&self) -> Result<Ratings, bilan_domain::ValidationErrors> {
        Ratings::parse(&[
            (Criterion::Potential, self.potential.as_deref()),
            (Criterion::Probability, self.probability.as_deref()),
            (Criterion::Profitability, self.profitability.as_deref()),
            (Criterion::StrategicImpact, self.strategic_impact.as_deref()),
            (Criterion::Fit, self.fit.as_deref()),
            (Criterion::Risk, self.risk.as_deref()),
        ])
    }
}

/// An account's place in the programme and its score, explained.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyAccountView {
    /// Account.
    pub account_id: Uuid,
    /// Whether it is in the programme.
    pub admitted: bool,
    /// Its tier, when admitted.
    pub tier: Option<String>,
    /// Its key-account manager.
    pub manager_id: Option<Uuid>,
    /// Its executive sponsor.
    pub executive_sponsor_id: Option<Uuid>,
    /// When admitted.
    pub admitted_on: Option<NaiveDate>,
    /// Notes.
    pub notes: Option<String>,
    /// The weighted score, when rated.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub score: Option<AccountScore>,
}

fn parse_user(e: &mut bilan_domain::ValidationErrors, field: &str, raw: Option<&str>) -> Option<Uuid> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    Uuid::parse_str(raw).map_or_else(
        |_| {
            e.add(field, "id.invalid");
            None
        },
        Some,
    )
}

fn ratings_of(r: &RatingsRow) -> Ratings {
    let v = |x: i32| u8::try_from(x).unwrap_or(1);
    Ratings(vec![
        (Criterion::Potential, v(r.potential)),
        (Criterion::Probability, v(r.probability)),
        (Criterion::Profitability, v(r.profitability)),
        (Criterion::StrategicImpact, v(r.strategic_impact)),
        (Criterion::Fit, v(r.fit)),
        (Criterion::Risk, v(r.risk)),
    ])
}

/// An account's programme membership and score.
pub async fn view(app: &App, actor: &Actor, account: Uuid) -> AppResult<KeyAccountView> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    if bilan_db::accounts::find(&mut c, ws, account).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let (rules, _) = crate::health::settings(&mut c, ws).await?;
    let ratings = store::ratings(&mut c, ws, account).await?;
    let member = store::key_account(&mut c, ws, account).await?;
    Ok(KeyAccountView {
        account_id: account,
        admitted: member.is_some(),
        tier: member.as_ref().map(|m| m.tier.clone()),
        manager_id: member.as_ref().map(|m| m.manager_id),
        executive_sponsor_id: member.as_ref().and_then(|m| m.executive_sponsor_id),
        admitted_on: member.as_ref().map(|m| m.admitted_on),
        notes: member.and_then(|m| m.notes),
        score: ratings.map(|r| score(&ratings_of(&r), &rules)),
    })
}

/// Rates an account and admits it to the programme (or changes its admission):
/// refused below the workspace's eligibility threshold, naming the score.
pub async fn admit(app: &App, actor: &Actor, account: Uuid, input: &AdmissionInput) -> AppResult<KeyAccountView> {
    let mut w = app.write(actor, Permission::ManageProgramme).await?;
    let ws = w.workspace_id();
    let now = w.now();
    let acc = bilan_db::accounts::find(&mut w.conn(), ws, account)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = bilan_domain::ValidationErrors::new();
    let ratings = match input.ratings() {
        Ok(r) => Some(r),
        Err(errs) => {
            e.0.extend(errs.0);
            None
        }
    };
    let tier = match input.tier.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(t) => Tier::parse(t).or_else(|| {
            e.add("tier", "key_account.tier_invalid");
            None
        }),
    };
    let manager = parse_user(&mut e, "manager_id", input.manager_id.as_deref()).or(acc.owner_id);
    let sponsor = parse_user(&mut e, "executive_sponsor_id", input.executive_sponsor_id.as_deref());
    let notes = bilan_domain::validation::optional_text(&mut e, "notes", input.notes.as_deref(), 2_000);
    for (field, user) in [("manager_id", manager), ("executive_sponsor_id", sponsor)] {
        if let Some(u) = user {
            if bilan_db::users::find(&mut w.conn(), ws, u).await?.is_none() {
                e.add(field, "user.unknown");
            }
        }
    }
    if manager.is_none() && e.code_of("manager_id").is_none() {
        e.add("manager_id", "required");
    }
    let (rules, _) = crate::health::settings(&mut w.conn(), ws).await?;
    let scored = ratings.as_ref().map(|r| score(r, &rules));
    if let Some(s) = &scored {
        if !s.eligible {
            e.add("score", "key_account.not_eligible");
        }
    }
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let (Some(ratings), Some(scored), Some(manager)) = (ratings, scored, manager) else {
        return Err(AppError::field("score", "key_account.not_eligible"));
    };
    let r = |c: Criterion| i32::from(ratings.of(c).unwrap_or(1));
    store::save_ratings(
        &mut w.conn(),
        &RatingsRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            account_id: account,
            potential: r(Criterion::Potential),
            probability: r(Criterion::Probability),
            profitability: r(Criterion::Profitability),
            strategic_impact: r(Criterion::StrategicImpact),
            fit: r(Criterion::Fit),
            risk: r(Criterion::Risk),
            rated_by: Some(actor.user_id).filter(|_| !actor.via_cli),
            rated_at: now,
        },
    )
    .await?;
    let tier = tier.unwrap_or(scored.suggested_tier);
    match store::key_account(&mut w.conn(), ws, account).await? {
        Some(before) => {
            let after = KeyAccountRow {
                tier: tier.code().to_owned(),
                manager_id: manager,
                executive_sponsor_id: sponsor,
                notes,
                version: before.version + 1,
                updated_at: now,
                ..before.clone()
            };
            if !store::update_key_account(&mut w.conn(), &after, before.version).await? {
                return Err(AppError::Stale {
                    current_version: before.version + 1,
                });
            }
            w.audit_updated(&before, &after);
        }
        None => {
            let row = KeyAccountRow {
                id: bilan_db::new_id(),
                workspace_id: ws,
                account_id: account,
                tier: tier.code().to_owned(),
                manager_id: manager,
                executive_sponsor_id: sponsor,
                admitted_on: local_day(now),
                score_at_admission: i32::from(scored.score),
                notes,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            store::insert_key_account(&mut w.conn(), &row).await?;
            w.audit_created(&row);
        }
    }
    w.commit().await?;
    view(app, actor, account).await
}

/// Takes an account out of the programme (its plan stays, for the record).
pub async fn remove(app: &App, actor: &Actor, account: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::ManageProgramme).await?;
    let ws = w.workspace_id();
    let before = store::key_account(&mut w.conn(), ws, account)
        .await?
        .ok_or(AppError::NotFound)?;
    store::delete_key_account(&mut w.conn(), ws, account).await?;
    w.audit_deleted(&before);
    w.commit().await?;
    Ok(())
}

/// A key account in the programme's list.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeItem {
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub name: String,
    /// Tier.
    pub tier: String,
    /// Key-account manager.
    pub manager_id: Uuid,
    /// Their name.
    pub manager_name: String,
    /// Executive sponsor.
    pub executive_sponsor_id: Option<Uuid>,
    /// Admitted on.
    pub admitted_on: NaiveDate,
    /// Renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Last day to give notice before the renewal.
    pub notice_by: Option<NaiveDate>,
    /// Contract value, minor units.
    pub annual_value_minor: i64,
    /// Currency.
    pub currency: String,
    /// Health today.
    pub health: Option<i32>,
    /// Open objectives.
    pub open_objectives: i64,
    /// Open risks.
    pub open_risks: i64,
}

/// One manager's load.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManagerLoad {
    /// The manager.
    pub manager_id: Uuid,
    /// Their name.
    pub manager_name: String,
    /// Key accounts held.
    pub key_accounts: i64,
    /// Open complaints on them.
    pub open_complaints: i64,
    /// Their renewals in the next 90 days.
    pub renewals_90_days: i64,
    /// `none`, `light` (under 3) or `overloaded` (over 8).
    pub warning: String,
}

/// The programme: its key accounts and each manager's load.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Programme {
    /// Key accounts, by tier then name.
    pub items: Vec<ProgrammeItem>,
    /// Each manager's load.
    pub load: Vec<ManagerLoad>,
}

/// The programme, optionally one manager's part of it.
pub async fn programme(app: &App, actor: &Actor, manager: Option<Uuid>) -> AppResult<Programme> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let today = local_day(app.now());
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let names: std::collections::HashMap<Uuid, String> = bilan_db::users::list(&mut c, ws)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let rows = store::programme(&mut c, ws, manager).await?;
    let load_rows = store::load(&mut c, ws, today, today + Duration::days(90)).await?;
    let mut load: Vec<ManagerLoad> = load_rows
        .into_iter()
        .filter(|l| manager.is_none_or(|m| m == l.manager_id))
        .map(|l| ManagerLoad {
            manager_name: names.get(&l.manager_id).cloned().unwrap_or_default(),
            manager_id: l.manager_id,
            key_accounts: l.key_accounts,
            open_complaints: l.open_complaints,
            renewals_90_days: l.renewals,
            warning: warning(u32::try_from(l.key_accounts).unwrap_or(u32::MAX))
                .code()
                .to_owned(),
        })
        .collect();
    load.sort_by(|a, b| {
        b.key_accounts
            .cmp(&a.key_accounts)
            .then(a.manager_name.cmp(&b.manager_name))
    });
    Ok(Programme {
        items: rows
            .into_iter()
            .map(|r| ProgrammeItem {
                manager_name: names.get(&r.manager_id).cloned().unwrap_or_default(),
                notice_by: r
                    .renewal_date
                    .zip(r.notice_days)
                    .map(|(d, n)| d - Duration::days(i64::from(n))),
                account_id: r.account_id,
                name: r.name,
                tier: r.tier,
                manager_id: r.manager_id,
                executive_sponsor_id: r.executive_sponsor_id,
                admitted_on: r.admitted_on,
                renewal_date: r.renewal_date,
                annual_value_minor: r.annual_value_minor,
                currency: r.currency,
                health: r.health,
                open_objectives: r.open_objectives,
                open_risks: r.open_risks,
            })
            .collect(),
        load,
    })
}

/// Whether a load warning is shown.
pub fn is_warned(l: &ManagerLoad) -> bool {
    l.warning != LoadWarning::None.code()
}
