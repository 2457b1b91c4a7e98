//! E-mail import onto the shared history: one `.eml` file or an mbox export.
//!
//! Each message becomes an e-mail interaction. Its direction comes from the sender
//! (one of the workspace's users, or the workspace's own domain: outbound; anyone
//! else: inbound); the client-side addresses (the sender of an inbound message, the
//! recipients of an outbound one) are matched to contacts by exact e-mail, and the
//! account is the first matched contact's, else the only account whose web domain
//! it is, else the only account whose contacts use that (non free-mail) domain. Messages whose account cannot be found are listed
//! for a person to match, and can be re-imported onto a chosen account; the
//! Message-ID de-duplicates re-imports.
//!
//! Writing goes through [`crate::timeline::log_batch`]: one transaction per
//! [`BATCH_MAX`] messages (an import of more than that is written in several
//! transactions; a failure part-way leaves the earlier ones, and re-importing the
//! file skips them).

use crate::timeline::{log_batch, BATCH_MAX};
use crate::{Actor, App, AppError, AppResult};
use bilan_db::imports as lookups;
use bilan_domain::mail::{self, MailMessage};
use bilan_domain::roles::Permission;
use bilan_domain::timeline::{InteractionInput, CONTACTS_MAX, EXTERNAL_REF_MAX, SUBJECT_MAX};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most messages one import takes.
pub const MAX_MESSAGES: usize = 10_000;

/// How far in the future a message may be dated (as for any interaction).
const FUTURE_TOLERANCE: Duration = Duration::hours(24);

/// How to run an e-mail import.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MailImportOptions {
    /// Match and report, write nothing.
    pub dry_run: bool,
    /// Put every message on this account, whatever the addresses say.
    pub account_id: Option<Uuid>,
    /// Read the bytes as an mbox; otherwise an mbox is detected by its leading `From ` line.
    pub mbox: bool,
}

/// A message whose account could not be determined: not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedMail {
    /// Position of the message in the file, from 1.
    pub index: usize,
    /// Sender's address.
    pub from: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Date, UTC.
    pub date: Option<DateTime<Utc>>,
    /// The client-side addresses that matched nothing.
    pub addresses: Vec<String>,
}

/// A message that could not be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedMail {
    /// Position of the message in the file, from 1.
    pub index: usize,
    /// Stable code: `mail.not_a_message`, `mail.no_date`, `mail.future`…
    pub code: String,
}

/// What an e-mail import did; when `committed` is false, what it would have done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailImportReport {
    /// Messages in the file, readable or not.
    pub total: usize,
    /// Interactions written (or to be written, for a dry run).
    pub imported: usize,
    /// Messages skipped because already imported (same Message-ID).
    pub duplicates: usize,
    /// Messages whose account could not be found, for a person to match.
    pub unmatched: Vec<UnmatchedMail>,
    /// Messages refused, with the reason.
    pub refused: Vec<RefusedMail>,
    /// Whether anything was written.
    pub committed: bool,
    /// The messages written, in file order (at most [`MESSAGES_LISTED`]): a
    /// complaint received by e-mail is opened from its exchange.
    pub messages: Vec<ImportedMail>,
}

/// Most written messages a report lists.
pub const MESSAGES_LISTED: usize = 500;

/// A message written on a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedMail {
    /// The exchange it became.
    pub interaction_id: Uuid,
    /// Its subject.
    pub subject: Option<String>,
    /// Whether the client wrote it (rather than us).
    pub inbound: bool,
}

/// Who the workspace is, to tell outbound from inbound messages.
struct Us {
    users: HashMap<String, Uuid>,
    domain: Option<String>,
}

impl Us {
    fn user(&self, email: &str) -> Option<Uuid> {
        self.users.get(email).copied()
    }

    fn is_us(&self, email: &str) -> bool {
        self.users.contains_key(email) || self.domain.as_deref().is_some_and(|d| domain_of(email) == d)
    }
}

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Parses the file off the async workers: the messages with their 1-based index, and the refused ones.
async fn parse(bytes: &[u8], mbox: bool) -> AppResult<(Vec<(usize, MailMessage)>, Vec<RefusedMail>, usize)> {
    let trimmed = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes).trim_ascii_start();
    if trimmed.is_empty() {
        return Err(AppError::field("file", "mail.empty"));
    }
    let mbox = mbox || trimmed.starts_with(b"From ");
    if !mbox {
        let owned = bytes.to_vec();
        let parsed = tokio::task::spawn_blocking(move || mail::parse_eml(&owned))
            .await
            .map_err(|e| AppError::Internal(format!("mail parser: {e}")))??;
        return Ok((vec![(1, parsed)], Vec::new(), 1));
    }
    let owned = bytes.to_vec();
    let (messages, errors) = tokio::task::spawn_blocking(move || mail::parse_mbox(&owned))
        .await
        .map_err(|e| AppError::Internal(format!("mail parser: {e}")))?;
    let total = messages.len() + errors.len();
    if total == 0 {
        return Err(AppError::field("file", "mail.empty"));
    }
    if total > MAX_MESSAGES {
        return Err(AppError::field("file", "mail.too_many"));
    }
    // parse_mbox keeps the file's order: the good messages fill the indices the errors leave.
    let bad: HashSet<usize> = errors.iter().map(|e| e.index).collect();
    let indexed = (1..=total).filter(|i| !bad.contains(i)).zip(messages).collect();
    let refused = errors
        .into_iter()
        .map(|e| RefusedMail {
            index: e.index,
            code: e.code,
        })
        .collect();
    Ok((indexed, refused, total))
}

/// A stable reference for messages without a usable Message-ID, so re-imports still de-duplicate.
fn external_ref(m: &MailMessage) -> String {
    match &m.message_id {
        Some(id) if !id.is_empty() && id.chars().count() <= EXTERNAL_REF_MAX => id.clone(),
        _ => {
            let mut h = Sha256::new();
            for part in [
                m.message_id.as_deref().unwrap_or(""),
                &m.date.map(|d| d.to_rfc3339()).unwrap_or_default(),
                m.from.as_ref().map_or("", |a| a.email.as_str()),
                m.subject.as_deref().unwrap_or(""),
                &m.text,
            ] {
                h.update(part.as_bytes());
                h.update([0u8]);
            }
            let hex: String = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!("mail-sha256:{hex}")
        }
    }
}

/// One message, with what the look-ups decided.
struct Planned {
    index: usize,
    message: MailMessage,
    outbound: bool,
    user: Option<Uuid>,
    client: Vec<String>,
}

/// Imports an `.eml` file or an mbox onto the timelines (see the module documentation).
pub async fn import_mail(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    opts: &MailImportOptions,
) -> AppResult<MailImportReport> {
    // A mailbox is a bulk import into the shared history, like a CSV file.
    actor.require(Permission::ImportData)?;
    let (messages, mut refused, total) = parse(bytes, opts.mbox).await?;
    let ws = actor.workspace_id;
    let now = app.now();
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    if let Some(account) = opts.account_id {
        bilan_db::accounts::find(&mut c, ws, account)
            .await?
            .ok_or_else(|| AppError::field("account", "account.unknown"))?;
    }
    let own_domain = domain_of(&actor.email.to_lowercase()).to_owned();
    let us = Us {
        users: bilan_db::users::list(&mut c, ws)
            .await?
            .into_iter()
            .map(|u| (u.email.to_lowercase(), u.id))
            .collect(),
        domain: Some(own_domain).filter(|d| !d.is_empty() && !mail::is_free_mail_domain(d)),
    };

    // Direction and client-side addresses of each message.
    let mut planned = Vec::with_capacity(messages.len());
    for (index, message) in messages {
        let Some(date) = message.date else {
            refused.push(RefusedMail {
                index,
                code: "mail.no_date".into(),
            });
            continue;
        };
        if date > now + FUTURE_TOLERANCE {
            refused.push(RefusedMail {
                index,
                code: "mail.future".into(),
            });
            continue;
        }
        let sender = message.from.as_ref().map(|a| a.email.clone()).unwrap_or_default();
        let outbound = !sender.is_empty() && us.is_us(&sender);
        let mut client: Vec<String> = if outbound {
            message
                .to
                .iter()
                .chain(&message.cc)
                .map(|a| a.email.clone())
                .filter(|e| !us.is_us(e))
                .collect()
        } else {
            message.from.iter().map(|a| a.email.clone()).collect()
        };
        let mut seen = HashSet::new();
        client.retain(|e| !e.is_empty() && seen.insert(e.clone()));
        planned.push(Planned {
            index,
            user: if outbound { us.user(&sender) } else { None },
            outbound,
            client,
            message,
        });
    }

    // Batched look-ups: contacts by address, then accounts by domain for the rest.
    let emails: Vec<String> = planned.iter().flat_map(|p| p.client.iter().cloned()).collect();
    let mut by_email: HashMap<String, Vec<(Uuid, Uuid)>> = HashMap::new();
    for row in lookups::contacts_by_emails(&mut c, ws, &emails).await? {
        if let Some(e) = row.email.as_deref() {
            by_email
                .entry(e.to_lowercase())
                .or_default()
                .push((row.id, row.account_id));
        }
    }
    for v in by_email.values_mut() {
        v.sort();
    }
    let domains: Vec<String> = emails
        .iter()
        .filter(|e| !by_email.contains_key(*e))
        .map(|e| domain_of(e).to_owned())
        .filter(|d| !d.is_empty() && !mail::is_free_mail_domain(d))
        .collect();
    let mut domain_accounts: HashMap<String, HashSet<Uuid>> = HashMap::new();
    // An account's own web domain says whose the mail is; its people's addresses are the fallback.
    let mut website_accounts: HashMap<String, HashSet<Uuid>> = HashMap::new();
    if opts.account_id.is_none() && !domains.is_empty() {
        for (domain, account) in lookups::accounts_at_domains(&mut c, ws, &domains).await? {
            website_accounts.entry(domain).or_default().insert(account);
        }
        for (email, account) in lookups::contact_emails_at_domains(&mut c, ws, &domains).await? {
            domain_accounts
                .entry(domain_of(&email.to_lowercase()).to_owned())
                .or_default()
                .insert(account);
        }
    }
    let mut external: Vec<String> = Vec::new();
    let mut inputs: Vec<InteractionInput> = Vec::new();
    let mut unmatched = Vec::new();
    for p in planned {
        let contacts: Vec<(Uuid, Uuid)> = p
            .client
            .iter()
            .filter_map(|e| by_email.get(e).and_then(|v| v.first().copied()))
            .collect();
        let by_domain = || {
            p.client.iter().find_map(|e| {
                let d = domain_of(e);
                if mail::is_free_mail_domain(d) {
                    return None;
                }
                let only = |set: &HashSet<Uuid>| (set.len() == 1).then(|| set.iter().next().copied()).flatten();
                website_accounts
                    .get(d)
                    .and_then(only)
                    .or_else(|| domain_accounts.get(d).and_then(only))
            })
        };
        let account = opts
            .account_id
            .or_else(|| contacts.first().map(|(_, a)| *a))
            .or_else(by_domain);
        let m = &p.message;
        let Some(account) = account else {
            unmatched.push(UnmatchedMail {
                index: p.index,
                from: m.from.as_ref().map(|a| a.email.clone()),
                subject: m.subject.clone(),
                date: m.date,
                addresses: p.client.clone(),
            });
            continue;
        };
        let mut contact_ids: Vec<String> = Vec::new();
        for (id, _) in &contacts {
            let id = id.to_string();
            if !contact_ids.contains(&id) && contact_ids.len() < CONTACTS_MAX {
                contact_ids.push(id);
            }
        }
        let subject = m
            .subject
            .as_deref()
            .map(|s| s.chars().take(SUBJECT_MAX).collect::<String>());
        let summary = Some(mail::summary(&m.text)).filter(|s| !s.is_empty());
        let reference = external_ref(m);
        let input = InteractionInput {
            account_id: Some(account.to_string()),
            occurred_at: m.date.map(|d| d.to_rfc3339()),
            channel: Some("email".into()),
            direction: Some(if p.outbound { "outbound" } else { "inbound" }.into()),
            user_id: p.user.map(|u| u.to_string()),
            contact_ids: Some(contact_ids.join(",")).filter(|s| !s.is_empty()),
            subject,
            summary,
            tags: Some("email".into()),
            external_ref: Some(reference.clone()),
            ..Default::default()
        };
        // Whatever validation would refuse stays out of the batch, so one odd message cannot sink the file.
        if let Err(e) = input.validate() {
            refused.push(RefusedMail {
                index: p.index,
                code: e.0.first().map_or_else(|| "invalid".to_owned(), |f| f.code.clone()),
            });
            continue;
        }
        external.push(reference);
        inputs.push(input);
    }
    refused.sort_by_key(|r| r.index);

    let mut report = MailImportReport {
        total,
        imported: 0,
        duplicates: 0,
        unmatched,
        refused,
        committed: false,
        messages: Vec::new(),
    };
    if opts.dry_run || inputs.is_empty() {
        let known = bilan_db::timeline::ids_by_external_ref(&mut c, ws, &external).await?;
        let mut seen = HashSet::new();
        for r in &external {
            if known.contains_key(r) || !seen.insert(r.as_str()) {
                report.duplicates += 1;
            } else {
                report.imported += 1;
            }
        }
        return Ok(report);
    }
    drop(pc);
    for chunk in inputs.chunks(BATCH_MAX) {
        let batch = log_batch(app, actor, chunk).await?;
        for (input, item) in chunk.iter().zip(&batch.items) {
            if !item.duplicate && report.messages.len() < MESSAGES_LISTED {
                report.messages.push(ImportedMail {
                    interaction_id: item.id,
                    subject: input.subject.clone(),
                    inbound: input.direction.as_deref() == Some("inbound"),
                });
            }
        }
        report.imported += batch.inserted;
        report.duplicates += batch.skipped_duplicates;
    }
    report.committed = true;
    tracing::info!(
        total = report.total,
        imported = report.imported,
        duplicates = report.duplicates,
        unmatched = report.unmatched.len(),
        refused = report.refused.len(),
        user.id = %actor.user_id,
        "e-mails imported"
    );
    Ok(report)
}
