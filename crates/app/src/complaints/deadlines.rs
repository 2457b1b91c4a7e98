//! The due-and-overdue job: every morning, for each workspace, each open case
//! whose deadline is tomorrow (the eve) or has passed gets an alert for its owner
//! — once per case, deadline and stage, however often the job runs — shown in the
//! owner's day and, if the workspace wants, sent by e-mail.

use super::settings::row_in;
use crate::jobs::{JobContext, JobKind};
use crate::outbox::Outgoing;
use crate::{App, AppResult};
use bilan_db::complaints::{self as store, AlertRow, ComplaintFilter};
use bilan_domain::complaints::{alert_stage, AlertStage, ComplaintState, Due};
use bilan_domain::pagination::Cursor;
use bilan_domain::timeline::local_day;
use bilan_i18n::{format::long_date, t, Lang};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Raises the alerts of one workspace's deadlines (scheduled daily at 07:00 in
/// the workspace's zone; `bilan complaints alerts` runs it at once).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ComplaintDeadlines {}

impl JobKind for ComplaintDeadlines {
    const KIND: &'static str = "complaint_deadlines";

    async fn run(self, app: &App, job: &JobContext) -> AppResult<()> {
        let Some(ws) = job.workspace_id else {
            return Ok(());
        };
        let report = raise_alerts(app, ws).await?;
        tracing::info!(workspace.id = %ws, cases = report.cases, alerts = report.alerts, mails = report.mails, "complaint deadlines checked");
        Ok(())
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlertReport {
    /// Cases with a deadline tomorrow or passed.
    pub cases: usize,
    /// Alerts raised (new ones).
    pub alerts: usize,
    /// E-mails queued to owners.
    pub mails: usize,
}

/// Raises the alerts due today in `ws`, in one unit of work.
pub async fn raise_alerts(app: &App, ws: Uuid) -> AppResult<AlertReport> {
    let mut w = app.write_unchecked(ws, None).await?;
    let now = w.now();
    let today = local_day(now);
    let settings = row_in(&mut w.conn(), ws).await?;
    let filter = ComplaintFilter {
        states: ComplaintState::open_states(),
        due_until: today.succ_opt(),
        ..Default::default()
    };
    let mut report = AlertReport::default();
    // Each owner is read once, however many of their cases are due.
    let mut owners: std::collections::HashMap<Uuid, Option<bilan_db::users::UserRow>> =
        std::collections::HashMap::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = store::list(&mut w.conn(), ws, &filter, cursor.as_ref(), 200).await?;
        for listed in &page.items {
            let case = &listed.complaint;
            report.cases += 1;
            for due in case.due() {
                let Some(stage) = alert_stage(due.by, today) else {
                    continue;
                };
                let row = AlertRow {
                    id: bilan_db::new_id(),
                    workspace_id: ws,
                    complaint_id: case.id,
                    deadline: due.kind.code().to_owned(),
                    stage: stage.code().to_owned(),
                    due_on: due.by,
                    owner_id: case.owner_id,
                    created_at: now,
                };
                if !store::insert_alert(&mut w.conn(), &row).await? {
                    continue;
                }
                report.alerts += 1;
                if !settings.alert_by_email {
                    continue;
                }
                if let std::collections::hash_map::Entry::Vacant(slot) = owners.entry(case.owner_id) {
                    slot.insert(bilan_db::users::find(&mut w.conn(), ws, case.owner_id).await?);
                }
                let Some(Some(owner)) = owners.get(&case.owner_id) else {
                    continue;
                };
                if owner.disabled_at.is_some() {
                    continue;
                }
                let lang = owner.language.as_deref().and_then(Lang::parse).unwrap_or(Lang::Fr);
                let (subject, text) = alert_mail(lang, &case.reference(), &listed.account_name, due, stage, case.id);
                w.queue_mail(Outgoing {
                    purpose: "complaint_alert",
                    subject_id: Some(case.id),
                    to_address: owner.email.clone(),
                    to_name: Some(owner.display_name.clone()),
                    subject,
                    html: super::letters::html_of(&text),
                    text,
                    not_before: now,
                    attachments: Vec::new(),
                });
                report.mails += 1;
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    w.commit().await?;
    Ok(report)
}

/// The owner's e-mail about one deadline.
fn alert_mail(lang: Lang, reference: &str, account: &str, due: Due, stage: AlertStage, id: Uuid) -> (String, String) {
    let what_key = format!("complaints.deadline.{}", due.kind.code());
    let what = t(lang, &what_key);
    let key = match stage {
        AlertStage::Eve => "complaints.alert.eve",
        AlertStage::Overdue => "complaints.alert.overdue",
    };
    let fill = |s: &str| {
        s.replace("{reference}", reference)
            .replace("{account}", account)
            .replace("{what}", what)
            .replace("{date}", &long_date(lang, due.by))
    };
    let subject = fill(t(lang, &format!("{key}.subject")));
    let text = format!(
        "{}\n\n{}/complaints/{id}",
        fill(t(lang, &format!("{key}.body"))),
        crate::outbox::PUBLIC_URL_MARKER
    );
    (subject, text)
}
