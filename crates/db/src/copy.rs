//! `bilan db copy`: moves one workspace, complete, from one database to another.

use crate::{accounts, contacts, sites, tokens, users, workspaces, Db, DbError, DbResult};

/// What a copy moved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Users copied.
    pub users: usize,
    /// API tokens copied.
    pub tokens: usize,
    /// Accounts copied.
    pub accounts: usize,
    /// Sites copied.
    pub sites: usize,
    /// Contacts copied.
    pub contacts: usize,
    /// Audit entries copied.
    pub audit: usize,
    /// Interactions of the shared history copied.
    pub interactions: usize,
    /// Surveys copied (with their rules).
    pub surveys: usize,
    /// Survey answers copied (with their invitations and events).
    pub survey_answers: usize,
}

/// Copies the workspace named `name` from `from` into `to` in one transaction on
/// the target: it lands whole or not at all. Sessions are not copied (people log in again).
pub async fn copy_workspace(from: &Db, to: &Db, name: &str) -> DbResult<CopyReport> {
    let mut src = from.acquire().await?;
    let mut s = src.conn();
    let ws = workspaces::find_by_name(&mut s, name)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("no workspace named {name:?} in the source")))?;
    let mut tx = to.begin().await?;
    let mut t = tx.conn();
    if workspaces::find_by_name(&mut t, name).await?.is_some() {
        return Err(DbError::Conflict(format!(
            "workspace {name:?} already exists in the target"
        )));
    }
    workspaces::insert(&mut t, &ws).await?;
    let mut report = CopyReport::default();
    for u in users::list(&mut s, ws.id).await? {
        users::insert(&mut t, &u).await?;
        report.users += 1;
    }
    for tok in tokens::list_for_workspace(&mut s, ws.id).await? {
        tokens::insert(&mut t, &tok).await?;
        report.tokens += 1;
    }
    let mut after = None;
    loop {
        let rows = accounts::rows_after(&mut s, ws.id, after, 2000).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        accounts::insert_rows(&mut t, &rows).await?;
        report.accounts += rows.len();
    }
    for site in sites::rows_for_workspace(&mut s, ws.id).await? {
        sites::insert_row(&mut t, &site).await?;
        report.sites += 1;
    }
    let mut after = None;
    loop {
        let rows = contacts::rows_after(&mut s, ws.id, after, 2000).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        contacts::insert_rows(&mut t, &rows).await?;
        report.contacts += rows.len();
    }
    let mut after = None;
    loop {
        let rows = crate::timeline::rows_after(&mut s, ws.id, after, 2000).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
        let links: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid)> = crate::timeline::contacts_of(&mut s, ws.id, &ids)
            .await?
            .into_iter()
            .flat_map(|(interaction, contacts)| contacts.into_iter().map(move |c| (ws.id, interaction, c)))
            .collect();
        crate::timeline::insert_rows(&mut t, &rows, &links).await?;
        report.interactions += rows.len();
    }
    copy_surveys(&mut s, &mut t, ws.id, &mut report).await?;
    let mut before = None;
    loop {
        let rows = crate::audit::rows_after(&mut s, ws.id, before, 2000).await?;
        let Some(last) = rows.last() else { break };
        before = Some(last.id);
        crate::audit::insert_rows(&mut t, &rows).await?;
        report.audit += rows.len();
    }
    tx.commit().await?;
    Ok(report)
}

/// Surveys, rules, events, invitations and answers, and the anti-over-surveying
/// interval. The outbox is not copied: messages still pending are sent by the source.
async fn copy_surveys(
    s: &mut crate::Conn<'_>,
    t: &mut crate::Conn<'_>,
    ws: uuid::Uuid,
    report: &mut CopyReport,
) -> DbResult<()> {
    use crate::{events, surveys};
    let interval = surveys::interval_days(s, ws).await?;
    surveys::set_interval_days(t, ws, interval).await?;
    for row in surveys::survey_rows(s, ws).await? {
        surveys::insert_survey_row(t, &row).await?;
        report.surveys += 1;
    }
    for r in surveys::list_rules(s, ws).await? {
        surveys::insert_rule(t, ws, r.id, &r.rule, chrono::Utc::now()).await?;
    }
    let mut after = None;
    loop {
        let rows = events::rows_after(s, ws, after, 2000).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        events::insert_many(t, &rows).await?;
    }
    let mut after = None;
    loop {
        let rows = surveys::invitation_rows_after(s, ws, after, 2000).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        surveys::insert_invitations(t, &rows).await?;
    }
    let mut after = None;
    loop {
        let rows = surveys::answer_rows_after(s, ws, after, 2000).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        surveys::insert_answers(t, &rows).await?;
        report.survey_answers += rows.len();
    }
    Ok(())
}
