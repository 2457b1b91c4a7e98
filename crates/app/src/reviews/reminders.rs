//! The action items' reminders: every morning, each open item gets its owner
//! reminded a few days before its date and the day after it, once each however
//! often the job runs or on however many workers. An item the client owns is
//! followed by the account's owner, who is reminded in its place.

use crate::jobs::{JobContext, JobKind};
use crate::outbox::Outgoing;
use crate::{App, AppResult};
use bilan_db::reviews::{self as store, ReminderRow};
use bilan_domain::reviews::actions::{reminder_due, ActionStatus, ReminderStep, DAYS_BEFORE};
use bilan_domain::timeline::local_day;
use bilan_i18n::{format::long_date, t, Lang};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// Reminds the owners of action items due soon or late (daily at 07:15 in each
/// workspace's zone; `bilan reviews remind` runs it at once).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ActionReminders {}

impl JobKind for ActionReminders {
    const KIND: &'static str = "review_action_reminders";

    async fn run(self, app: &App, job: &JobContext) -> AppResult<()> {
        let Some(ws) = job.workspace_id else {
            return Ok(());
        };
        let sent = remind(app, ws).await?;
        tracing::info!(workspace.id = %ws, sent, "action items reminded");
        Ok(())
    }
}

/// Sends the reminders due today in `ws`, in one unit of work; returns how many.
pub async fn remind(app: &App, ws: Uuid) -> AppResult<usize> {
    let mut w = app.write_unchecked(ws, None).await?;
    let now = w.now();
    let today = local_day(now);
    let until = today + chrono::Duration::days(DAYS_BEFORE);
    let mut users: HashMap<Uuid, Option<bilan_db::users::UserRow>> = HashMap::new();
    let mut accounts: HashMap<Uuid, Option<bilan_domain::accounts::Account>> = HashMap::new();
    let mut sent = 0;
    let mut after = None;
    loop {
        let page = store::open_actions_due(&mut w.conn(), ws, until, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let ids: Vec<Uuid> = page.iter().map(|a| a.id).collect();
        let already = store::reminders_sent(&mut w.conn(), ws, &ids).await?;
        for a in &page {
            let done: Vec<ReminderStep> = already
                .iter()
                .filter(|(id, _)| *id == a.id)
                .filter_map(|(_, s)| ReminderStep::parse(s))
                .collect();
            let Some(step) = reminder_due(
                ActionStatus::parse(&a.status).unwrap_or(ActionStatus::Open),
                a.due_on,
                local_day(a.created_at),
                today,
                &done,
            ) else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = accounts.entry(a.account_id) {
                slot.insert(bilan_db::accounts::find(&mut w.conn(), ws, a.account_id).await?);
            }
            let Some(Some(account)) = accounts.get(&a.account_id) else {
                continue;
            };
            // The client's items are followed up by the account's owner.
            let Some(recipient) = a.owner_user_id.or(account.owner_id) else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = users.entry(recipient) {
                slot.insert(bilan_db::users::find(&mut w.conn(), ws, recipient).await?);
            }
            let Some(Some(user)) = users.get(&recipient) else {
                continue;
            };
            if user.disabled_at.is_some() {
                continue;
            }
            let row = ReminderRow {
                id: bilan_db::new_id(),
                workspace_id: ws,
                action_id: a.id,
                step: step.code().to_owned(),
                sent_at: now,
            };
            if !store::record_reminder(&mut w.conn(), &row).await? {
                continue;
            }
            let lang = user.language.as_deref().and_then(Lang::parse).unwrap_or(Lang::Fr);
            let key = match (step, a.owner_user_id.is_some()) {
                (ReminderStep::Before, true) => "review.mail.action_before",
                (ReminderStep::After, true) => "review.mail.action_after",
                (ReminderStep::Before, false) => "review.mail.client_action_before",
                (ReminderStep::After, false) => "review.mail.client_action_after",
            };
            let fill = |s: &str| {
                s.replace("{what}", &a.what)
                    .replace("{account}", &account.name)
                    .replace("{owner}", &a.owner_name)
                    .replace("{date}", &long_date(lang, a.due_on))
            };
            let subject = fill(t(lang, &format!("{key}_subject")));
            let text = fill(t(lang, &format!("{key}_body")));
            w.queue_mail(Outgoing {
                purpose: "review_action_reminder",
                subject_id: Some(a.id),
                to_address: user.email.clone(),
                to_name: Some(user.display_name.clone()),
                subject,
                html: crate::complaints::letters::html_of(&text),
                text,
                not_before: now,
                attachments: Vec::new(),
            });
            sent += 1;
        }
    }
    w.commit().await?;
    Ok(sent)
}
