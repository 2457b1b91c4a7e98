//! "Ma journée" / "My day": the home page of each person, gathered in one read.

use crate::timeline::FollowUpItem;
use crate::{Actor, App, AppResult};
use bilan_db::{my_day as store, surveys as survey_store, timeline as timeline_store};
use bilan_domain::accounts::Account;
use bilan_domain::my_day::{
    is_satisfaction_callback, order_overdue, order_today, renewal_horizon, satisfaction_falls, satisfaction_windows,
    SatisfactionFall,
};
use bilan_domain::roles::Permission;
use chrono::{Days, NaiveDate};

/// Most entries of each list: a morning's work, not an archive.
const LIST_MAX: i64 = 200;

/// How far back a renewal already past still shows (a contract lapsed last month
/// is still to be saved; one lapsed a year ago is another matter).
const LAPSED_RENEWAL_DAYS: u64 = 90;

/// What one person should see first this morning.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MyDay {
    /// The day it is for (the workspace's today).
    pub today: NaiveDate,
    /// Follow-ups due today: calls back to unhappy clients first.
    pub due_today: Vec<FollowUpItem>,
    /// How many of those are calls back to unhappy clients.
    pub callbacks: usize,
    /// Follow-ups due before today, the most recently missed first.
    pub overdue: Vec<FollowUpItem>,
    /// My accounts renewing in the next 90 days, or lapsed within 90 days, soonest first.
    pub renewals: Vec<Account>,
    /// My accounts whose satisfaction fell over the last quarter.
    pub satisfaction_falls: Vec<SatisfactionFall>,
    /// The fewest answers a score needs before it is compared.
    pub min_answers: u32,
}

impl MyDay {
    /// What the menu's badge counts: follow-ups due today or late.
    pub fn badge(&self) -> usize {
        self.due_today.len() + self.overdue.len()
    }
}

/// The caller's day as of `today` (their workspace's date).
pub async fn my_day(app: &App, actor: &Actor, today: NaiveDate) -> AppResult<MyDay> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let open = timeline_store::open_follow_ups(&mut c, ws, actor.user_id, today, LIST_MAX * 2).await?;
    let (mut overdue, mut due_today): (Vec<_>, Vec<_>) = open
        .into_iter()
        .partition(|i| i.interaction.follow_up.as_ref().is_some_and(|f| f.due < today));
    order_today(&mut due_today, |i| &i.interaction, |i| i.account_name.as_str());
    order_overdue(&mut overdue, |i| &i.interaction);
    overdue.truncate(usize::try_from(LIST_MAX).unwrap_or(200));
    let callbacks = due_today
        .iter()
        .filter(|i| is_satisfaction_callback(&i.interaction))
        .count();
    let lapsed_since = today.checked_sub_days(Days::new(LAPSED_RENEWAL_DAYS)).unwrap_or(today);
    let renewals = store::renewals_of_owner(
        &mut c,
        ws,
        actor.user_id,
        lapsed_since,
        renewal_horizon(today),
        LIST_MAX,
    )
    .await?;
    let min_answers = survey_store::min_answers(&mut c, ws).await?;
    let satisfaction_falls = if actor.can(Permission::ReadSatisfaction) {
        let (since, recent_from) = satisfaction_windows(today);
        let groups = store::answer_groups_of_owner(&mut c, ws, actor.user_id, since, recent_from).await?;
        satisfaction_falls(&groups, min_answers as usize)
    } else {
        Vec::new()
    };
    Ok(MyDay {
        today,
        due_today,
        callbacks,
        overdue,
        renewals,
        satisfaction_falls,
        min_answers,
    })
}

/// The menu's badge: the caller's follow-ups due today or late.
pub async fn badge(app: &App, actor: &Actor, today: NaiveDate) -> AppResult<i64> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    Ok(timeline_store::count_open_follow_ups(&mut pc.conn(), actor.workspace_id, actor.user_id, today).await?)
}
