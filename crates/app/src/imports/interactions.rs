//! CSV import of interactions into the shared history: a CRM's activity export
//! or a spreadsheet kept by hand.
//!
//! Accounts are found as for contacts files; our side's people by their login
//! e-mail, the client's contacts by e-mail (on the line's account first, then
//! anywhere in the workspace: people move between client companies). One
//! transaction for the file; lines whose external reference is already stored
//! are counted as unchanged, so re-importing the same export is harmless.

use super::{finish, parse_options, reject, tick, AccountIndex, ImportOptions, ImportReport, Streamed};
use super::{Progress, RejectedLine};
use crate::timeline::{check_refs, write_checked, BATCH_MAX};
use crate::{Actor, App, AppError, AppResult};
use bilan_db::imports as lookups;
use bilan_domain::imports::interactions::{parse_interactions_in_batches, InteractionLine};
use bilan_domain::imports::{self as format, Mapping};
use bilan_domain::roles::Permission;
use bilan_domain::timeline::NewInteraction;
use std::collections::HashMap;
use uuid::Uuid;

/// Imports interactions from a CSV file.
pub async fn import_interactions(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    opts: &ImportOptions,
) -> AppResult<ImportReport> {
    import_interactions_with_progress(app, actor, bytes, opts, None).await
}

/// Imports interactions, reporting progress (lines done, total) to `progress`.
pub async fn import_interactions_with_progress(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    opts: &ImportOptions,
    progress: Option<Progress<'_>>,
) -> AppResult<ImportReport> {
    import_interactions_from(app, actor, bytes.to_vec(), opts, progress).await
}

/// Imports interactions from a file in memory or on disk, streaming as
/// [`super::import_accounts_from`] does.
pub async fn import_interactions_from(
    app: &App,
    actor: &Actor,
    source: impl Into<super::ImportSource>,
    opts: &ImportOptions,
    progress: Option<Progress<'_>>,
) -> AppResult<ImportReport> {
    actor.require(Permission::ImportData)?;
    actor.require(Permission::WriteInteractions)?;
    let parse_opts = parse_options(opts, opts.account_id.is_some());
    let mut file = Streamed::start(source.into(), move |source, emit| {
        parse_interactions_in_batches(source, &parse_opts, BATCH_MAX * 5, emit)
    })
    .await?;
    let estimate = file.estimate();
    let ws = actor.workspace_id;
    let mut w = app.write(actor, Permission::ImportData).await?;
    let now = w.now();
    if let Some(a) = opts.account_id {
        if lookups::accounts_by_ids(&mut w.conn(), ws, &[a]).await?.is_empty() {
            return Err(AppError::field("account_id", "account.unknown"));
        }
    }
    let mut report = file.report();
    let mut rejected: Vec<RejectedLine> = Vec::new();
    while let Some(batch) = file.next().await {
        report.total_lines += batch.total_lines;
        rejected.extend(batch.rejected);
        let mapping = &file.head.mapping;
        let resolved = resolve(&mut w.conn(), ws, opts.account_id, mapping, batch.lines, &mut rejected).await?;
        // References the file gave as Bilan ids, and instants in the future.
        let refs: Vec<&NewInteraction> = resolved.iter().map(|(_, n)| n).collect();
        let problems = check_refs(&mut w.conn(), ws, now, &refs).await?;
        let mut valid: Vec<NewInteraction> = Vec::with_capacity(resolved.len());
        for ((line, n), errs) in resolved.into_iter().zip(problems) {
            if errs.is_empty() {
                valid.push(n);
                continue;
            }
            for (field, code) in errs {
                rejected.push(reject(line, mapping.column_for(field), code, format::message(code)));
            }
        }
        // All or nothing: once a line is refused nothing more is written.
        if rejected.is_empty() || opts.skip_invalid {
            for chunk in valid.chunks(BATCH_MAX) {
                let items = write_checked(&mut w, actor, chunk).await?;
                // Audit and events a batch at a time: memory stays bounded on big files.
                w.flush_audit().await?;
                w.flush_events().await?;
                let created = items.iter().filter(|i| !i.duplicate).count();
                report.created += created;
                report.unchanged += items.len() - created;
            }
        }
        tick(progress, report.total_lines, estimate.max(report.total_lines));
    }
    file.finish().await?;
    let total = report.total_lines;
    finish(
        app,
        w,
        opts,
        &mut report,
        rejected,
        &["interactions", "interaction_contacts"],
    )
    .await?;
    tick(progress, total, total);
    tracing::info!(
        user.id = %actor.user_id, created = report.created, unchanged = report.unchanged,
        rejected = report.rejected_lines(), committed = report.committed, "interactions import"
    );
    Ok(report)
}

/// Puts the workspace's ids in place of the file's references; a line whose
/// account, user or contact is not found is refused at the column that named it.
async fn resolve(
    c: &mut bilan_db::Conn<'_>,
    ws: Uuid,
    fixed_account: Option<Uuid>,
    mapping: &Mapping,
    lines: Vec<InteractionLine>,
    rejected: &mut Vec<RejectedLine>,
) -> AppResult<Vec<(usize, NewInteraction)>> {
    let given = |l: &InteractionLine| Some(l.new.account_id).filter(|id| !id.is_nil());
    let index = match fixed_account {
        Some(_) => AccountIndex::default(),
        None => {
            let ids: Vec<Uuid> = lines.iter().filter_map(given).collect();
            let refs: Vec<String> = lines.iter().flat_map(|l| l.account_refs.iter().cloned()).collect();
            AccountIndex::load(c, ws, &ids, &refs).await?
        }
    };
    let users: HashMap<String, Uuid> = bilan_db::users::list(c, ws)
        .await?
        .into_iter()
        .map(|u| (u.email.to_lowercase(), u.id))
        .collect();
    let mut emails: Vec<String> = lines.iter().flat_map(|l| l.contact_emails.iter().cloned()).collect();
    emails.sort();
    emails.dedup();
    // Several contacts may share an address across accounts: keep them all.
    let mut contacts: HashMap<String, Vec<(Uuid, Uuid)>> = HashMap::new();
    for r in lookups::contacts_by_emails(c, ws, &emails).await? {
        if let Some(e) = r.email {
            contacts.entry(e.to_lowercase()).or_default().push((r.account_id, r.id));
        }
    }
    let mut out = Vec::with_capacity(lines.len());
    for mut l in lines {
        let account = match index.line_account(fixed_account, given(&l), &l.account_refs) {
            Ok(a) => a,
            Err(code) => {
                rejected.push(AccountIndex::rejection(
                    code,
                    l.line,
                    mapping,
                    given(&l),
                    &l.account_refs,
                ));
                continue;
            }
        };
        let mut refused = false;
        let mut person = |email: &Option<String>, field: &str| -> Option<Uuid> {
            let email = email.as_ref()?;
            let id = users.get(email).copied();
            if id.is_none() {
                rejected.push(reject(
                    l.line,
                    mapping.column_for(field),
                    "user.unknown",
                    format!("no user of this workspace has the address {email}"),
                ));
                refused = true;
            }
            id
        };
        let user = person(&l.user_email, "user_id");
        let follow_up_user = person(&l.follow_up_user_email, "follow_up_user_id");
        for email in &l.contact_emails {
            let found = contacts.get(email).and_then(|cs| {
                cs.iter()
                    .find(|(a, _)| *a == account)
                    .or_else(|| cs.first())
                    .map(|(_, id)| *id)
            });
            match found {
                Some(id) if !l.new.contact_ids.contains(&id) => l.new.contact_ids.push(id),
                Some(_) => {}
                None => {
                    rejected.push(reject(
                        l.line,
                        mapping.column_for("contact_ids"),
                        "contact.unknown",
                        format!("no contact of this workspace has the address {email}"),
                    ));
                    refused = true;
                }
            }
        }
        if refused {
            continue;
        }
        l.new.account_id = account;
        if user.is_some() {
            l.new.user_id = user;
        }
        if let (Some(f), Some(u)) = (l.new.follow_up.as_mut(), follow_up_user) {
            f.user_id = Some(u);
        }
        out.push((l.line, l.new));
    }
    Ok(out)
}
