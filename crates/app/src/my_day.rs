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

/// Most entries of each list a caller may ask for: a morning's work, not an
/// archive (the totals say the rest).
pub const LIST_MAX: i64 = 50;

/// How far back a renewal already past still shows (a contract lapsed last month
/// is still to be saved; one lapsed a year ago is another matter).
const LAPSED_RENEWAL_DAYS: u64 = 90;

/// What one person should see first this morning.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MyDay {
    /// The day it is for (the workspace's today).
    pub today: NaiveDate,
    /// Whose day it is.
    pub owner_id: uuid::Uuid,
    /// Follow-ups due today: calls back to unhappy clients first.
    pub due_today: Vec<FollowUpItem>,
    /// How many of those are calls back to unhappy clients.
    pub callbacks: usize,
    /// Follow-ups due before today, the most recently missed first (at most 50).
    pub overdue: Vec<FollowUpItem>,
    /// How many follow-ups are late in all.
    pub overdue_total: i64,
    /// My accounts renewing in the next 90 days, or lapsed within 90 days, soonest first (at most 50).
    pub renewals: Vec<Account>,
    /// How many renewals in all.
    pub renewals_total: i64,
    /// My accounts whose satisfaction fell over the last quarter.
    pub satisfaction_falls: Vec<SatisfactionFall>,
    /// The fewest answers a score needs before it is compared.
    pub min_answers: u32,
    /// My open complaints with a deadline tomorrow or passed, the most urgent first.
    pub complaints_due: Vec<crate::complaints::ListedComplaint>,
    /// My review action items due within three days or late, the oldest date first.
    pub review_actions: Vec<crate::reviews::ActionView>,
}

impl MyDay {
    /// What the menu's badge counts: follow-ups due today or late, and complaint
    /// deadlines due today or passed.
    pub fn badge(&self) -> i64 {
        let complaints = self
            .complaints_due
            .iter()
            .filter(|x| x.complaint.next_due().is_some_and(|d| d.by <= self.today))
            .count();
        i64::try_from(self.due_today.len() + complaints).unwrap_or(i64::MAX) + self.overdue_total
    }
}

/// The caller's day as of `today` (their workspace's date), at most `shown`
/// entries per list (up to [`LIST_MAX`]; the totals count them all).
pub async fn my_day(app: &App, actor: &Actor, today: NaiveDate, shown: i64) -> AppResult<MyDay> {
    let shown = shown.clamp(1, LIST_MAX);
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let me = actor.user_id;
    let mut due_today =
        timeline_store::open_follow_ups_between(&mut c, ws, me, (Some(today), today), false, LIST_MAX * 4).await?;
    order_today(&mut due_today, |i| &i.interaction, |i| i.account_name.as_str());
    let yesterday = today.pred_opt().unwrap_or(today);
    let mut overdue = timeline_store::open_follow_ups_between(&mut c, ws, me, (None, yesterday), true, shown).await?;
    order_overdue(&mut overdue, |i| &i.interaction);
    let overdue_total = timeline_store::count_open_follow_ups(&mut c, ws, me, yesterday).await?;
    let callbacks = due_today
        .iter()
        .filter(|i| is_satisfaction_callback(&i.interaction))
        .count();
    let lapsed_since = today.checked_sub_days(Days::new(LAPSED_RENEWAL_DAYS)).unwrap_or(today);
    let horizon = renewal_horizon(today);
    let renewals = store::renewals_of_owner(&mut c, ws, me, lapsed_since, horizon, shown).await?;
    let renewals_total = store::count_renewals_of_owner(&mut c, ws, me, lapsed_since, horizon).await?;
    let min_answers = survey_store::min_answers(&mut c, ws).await?;
    let satisfaction_falls = if actor.can(Permission::ReadSatisfaction) {
        let (since, recent_from) = satisfaction_windows(today);
        let groups =
            store::answer_groups_of_owner(&mut c, ws, me, (since, recent_from), i64::from(min_answers.max(1))).await?;
        let mut falls = satisfaction_falls(&groups, min_answers as usize);
        falls.truncate(usize::try_from(shown).unwrap_or(50));
        let ids: Vec<uuid::Uuid> = falls.iter().map(|f| f.account_id).collect();
        let names: std::collections::HashMap<uuid::Uuid, String> = bilan_db::imports::accounts_by_ids(&mut c, ws, &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        for f in &mut falls {
            f.account_name = names.get(&f.account_id).cloned().unwrap_or_default();
        }
        falls
    } else {
        Vec::new()
    };
    let complaints_due = if actor.can(Permission::ReadComplaints) {
        let filter = bilan_db::complaints::ComplaintFilter {
            owner_id: Some(me),
            due_until: today.succ_opt(),
            ..Default::default()
        };
        let limit = u32::try_from(shown).unwrap_or(50);
        bilan_db::complaints::list(&mut c, ws, &filter, None, limit)
            .await?
            .items
    } else {
        Vec::new()
    };
    let soon = today + chrono::Duration::days(bilan_domain::reviews::actions::DAYS_BEFORE);
    let review_actions = bilan_db::reviews::list_actions(
        &mut c,
        ws,
        &bilan_db::reviews::ActionFilter {
            owner_user_id: Some(me),
            status: Some("open".into()),
            due_until: Some(soon),
            ..Default::default()
        },
        shown,
    )
    .await?
    .into_iter()
    .map(|l| crate::reviews::action_view(&l.action, Some(l.account_name), today))
    .collect();
    Ok(MyDay {
        today,
        owner_id: me,
        complaints_due,
        review_actions,
        due_today,
        callbacks,
        overdue,
        overdue_total,
        renewals,
        renewals_total,
        satisfaction_falls,
        min_answers,
    })
}

/// The menu's badge: the caller's follow-ups due today or late.
pub async fn badge(app: &App, actor: &Actor, today: NaiveDate) -> AppResult<i64> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let follow_ups = timeline_store::count_open_follow_ups(&mut c, actor.workspace_id, actor.user_id, today).await?;
    let complaints = if actor.can(Permission::ReadComplaints) {
        bilan_db::complaints::count_due_of_owner(&mut c, actor.workspace_id, actor.user_id, today).await?
    } else {
        0
    };
    Ok(follow_ups + complaints)
}
