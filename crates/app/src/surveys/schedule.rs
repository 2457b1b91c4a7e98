//! Scheduling: the sending rules applied to events, and surveys sent by hand; each
//! invitation is written with its e-mail queued, in the caller's unit of work.

use super::mail::invitation_mail;
use crate::events::{Raised, StoredEvent, SubscriberFuture};
use crate::outbox::Outgoing;
use crate::unit_of_work::Work;
use crate::{Actor, App, AppError, AppResult};
use bilan_db::contacts::ContactRow;
use bilan_db::events::EventRow;
use bilan_db::surveys::{self as store, InvitationRow};
use bilan_domain::audit::AuditAction;
use bilan_domain::contacts::{BuyingRole, Language};
use bilan_domain::events::EventKind;
use bilan_domain::roles::Permission;
use bilan_domain::surveys::{
    eligibility, invitation_expires_at, ContactFacts, NewRule, SendEligibility, Survey, SurveyRule,
};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Why a contact was or was not asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactOutcome {
    /// The contact.
    pub contact_id: Uuid,
    /// Their name.
    pub name: String,
    /// `eligible` when an invitation was scheduled, else the reason it was not.
    pub outcome: SendEligibility,
}

/// Whom a survey may be sent to now on an account: its current contacts, each with
/// whether they may be asked and why not (no consent, gone, no address, asked
/// recently), the same rules a send applies. At most 200, by name.
pub async fn candidates(app: &App, actor: &Actor, account_id: Uuid) -> AppResult<Vec<ContactOutcome>> {
    actor.require(Permission::SendSurveys)?;
    let ws = actor.workspace_id;
    let now = app.now();
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let mut contacts = store::account_contacts(&mut c, ws, account_id, &[]).await?;
    contacts.retain(|r| r.left_on.is_none());
    contacts.sort_by(|a, b| a.sort_name.cmp(&b.sort_name));
    contacts.truncate(200);
    let interval = store::interval_days(&mut c, ws).await?;
    let ids: Vec<Uuid> = contacts.iter().map(|r| r.id).collect();
    let horizon = now + Duration::days(i64::from(interval)) + Duration::days(1);
    let last = store::last_surveyed_before(&mut c, ws, &ids, horizon).await?;
    Ok(contacts
        .into_iter()
        .map(|contact| {
            let facts = ContactFacts {
                survey_consent: contact.survey_consent,
                left_on: contact.left_on,
                email: contact.email.clone(),
                last_surveyed_at: last.get(&contact.id).copied(),
            };
            ContactOutcome {
                contact_id: contact.id,
                name: match &contact.first_name {
                    Some(f) => format!("{f} {}", contact.last_name),
                    None => contact.last_name.clone(),
                },
                outcome: eligibility(&facts, now, interval),
            }
        })
        .collect())
}

/// Plans invitations to `survey` for `contacts` at `send_at`, after the event
/// `event`, each with its e-mail queued for that instant. Skips contacts without
/// consent, gone, without an address, or surveyed within the workspace's interval
/// of `send_at` (on either side: an invitation planned later counts too).
#[allow(clippy::too_many_arguments)]
async fn schedule(
    w: &mut Work,
    (event_id, trigger): (Uuid, EventKind),
    survey: &Survey,
    contacts: &[ContactRow],
    send_at: DateTime<Utc>,
    interval: u32,
    planned: &mut HashMap<Uuid, DateTime<Utc>>,
) -> AppResult<Vec<ContactOutcome>> {
    let (workspace, now) = (w.workspace_id(), w.now());
    let ids: Vec<Uuid> = contacts.iter().map(|r| r.id).collect();
    let horizon = send_at + Duration::days(i64::from(interval)) + Duration::days(1);
    let last = store::last_surveyed_before(&mut w.conn(), workspace, &ids, horizon).await?;
    let mut outcomes = Vec::with_capacity(contacts.len());
    let mut company: Option<String> = None;
    for contact in contacts {
        let last_surveyed_at = [last.get(&contact.id), planned.get(&contact.id)]
            .into_iter()
            .flatten()
            .max()
            .copied();
        let facts = ContactFacts {
            survey_consent: contact.survey_consent,
            left_on: contact.left_on,
            email: contact.email.clone(),
            last_surveyed_at,
        };
        let verdict = eligibility(&facts, send_at, interval);
        let name = match &contact.first_name {
            Some(f) => format!("{f} {}", contact.last_name),
            None => contact.last_name.clone(),
        };
        if verdict.is_eligible() {
            let Some(email) = contact.email.clone() else { continue };
            let company = match &company {
                Some(n) => n.clone(),
                None => {
                    let n = bilan_db::workspaces::find(&mut w.conn(), workspace)
                        .await?
                        .map(|w| w.name)
                        .unwrap_or_default();
                    company = Some(n.clone());
                    n
                }
            };
            let secret = crate::auth::random_secret();
            let language = Language::parse(&contact.language).unwrap_or_default();
            let invitation = InvitationRow {
                id: bilan_db::new_id(),
                workspace_id: workspace,
                survey_id: survey.id,
                event_id,
                account_id: contact.account_id,
                contact_id: contact.id,
                token_hash: crate::auth::digest(&secret),
                language: language.code().to_owned(),
                send_at,
                expires_at: invitation_expires_at(send_at, survey.expiry_days),
                answered_at: None,
                created_at: now,
            };
            if store::insert_invitation(&mut w.conn(), &invitation).await? {
                let mail = invitation_mail(
                    trigger,
                    survey,
                    &invitation,
                    &contact.first_name,
                    &name,
                    &company,
                    &secret,
                )?;
                w.queue_mail(Outgoing {
                    purpose: "survey_invitation",
                    subject_id: Some(invitation.id),
                    to_address: email,
                    to_name: Some(name.clone()),
                    subject: mail.0,
                    text: mail.1,
                    html: mail.2,
                    not_before: send_at,
                    attachments: Vec::new(),
                });
                planned.insert(contact.id, send_at);
            }
        }
        outcomes.push(ContactOutcome {
            contact_id: contact.id,
            name,
            outcome: verdict,
        });
    }
    Ok(outcomes)
}

/// Subscriber of [`crate::events::raise`]: schedules the invitations the sending
/// rules call for. Returns how many were scheduled.
pub(crate) fn on_events<'a>(w: &'a mut Work, events: &'a [StoredEvent]) -> SubscriberFuture<'a> {
    Box::pin(async move {
        let invitations = schedule_after_events(w, events).await?;
        Ok(Raised { events: 0, invitations })
    })
}

async fn schedule_after_events(w: &mut Work, events: &[StoredEvent]) -> AppResult<usize> {
    let workspace = w.workspace_id();
    let now = w.now();
    let mut rules_by_kind: HashMap<EventKind, Vec<SurveyRule>> = HashMap::new();
    for StoredEvent { event: e, .. } in events {
        if let std::collections::hash_map::Entry::Vacant(slot) = rules_by_kind.entry(e.kind) {
            slot.insert(store::rules_for_event(&mut w.conn(), workspace, e.kind).await?);
        }
    }
    if rules_by_kind.values().all(Vec::is_empty) {
        return Ok(0);
    }
    let interval = store::interval_days(&mut w.conn(), workspace).await?;
    let mut surveys: HashMap<Uuid, Survey> = HashMap::new();
    let mut planned: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    let mut scheduled = 0;
    for StoredEvent { id: event_id, event: e } in events {
        let Some(rules) = rules_by_kind.get(&e.kind) else {
            continue;
        };
        if rules.is_empty() {
            continue;
        }
        let account_contacts = store::account_contacts(&mut w.conn(), workspace, e.account_id, &e.contact_ids).await?;
        for rule in rules {
            let survey = match surveys.get(&rule.rule.survey_id) {
                Some(s) => s.clone(),
                None => {
                    let Some(s) = store::find_survey(&mut w.conn(), workspace, rule.rule.survey_id).await? else {
                        continue;
                    };
                    surveys.insert(s.id, s.clone());
                    s
                }
            };
            let chosen = contacts_for_rule(&rule.rule, &e.contact_ids, &account_contacts);
            let outcomes = schedule(
                w,
                (*event_id, e.kind),
                &survey,
                &chosen,
                rule.rule.send_at(e.occurred_at.max(now)),
                interval,
                &mut planned,
            )
            .await?;
            scheduled += outcomes.iter().filter(|o| o.outcome.is_eligible()).count();
        }
    }
    Ok(scheduled)
}

/// The contacts a rule asks after an event: those the event names (or, when it
/// names none, the account's contacts), kept when they hold one of the rule's
/// roles. A rule without roles and an event without contacts ask nobody: it is
/// not known who took part.
fn contacts_for_rule(rule: &NewRule, named: &[Uuid], candidates: &[ContactRow]) -> Vec<ContactRow> {
    if named.is_empty() && rule.roles.is_empty() {
        return Vec::new();
    }
    candidates
        .iter()
        .filter(|c| named.is_empty() || named.contains(&c.id))
        .filter(|c| rule.applies_to(&BuyingRole::parse_list(&c.roles).unwrap_or_default()))
        .cloned()
        .collect()
}

/// What a survey sent by hand came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendReport {
    /// Invitations scheduled.
    pub scheduled: usize,
    /// One outcome per contact asked for.
    pub contacts: Vec<ContactOutcome>,
}

/// Sends a survey now to chosen contacts of one account (a manual event).
pub async fn send_survey(
    app: &App,
    actor: &Actor,
    survey_id: Uuid,
    account_id: Uuid,
    contact_ids: &[Uuid],
) -> AppResult<SendReport> {
    actor.require(Permission::SendSurveys)?;
    if contact_ids.is_empty() {
        return Err(AppError::field("contact_ids", "contacts.required"));
    }
    let ws = actor.workspace_id;
    let mut w = app.write(actor, Permission::SendSurveys).await?;
    let now = w.now();
    let survey = store::find_survey(&mut w.conn(), ws, survey_id)
        .await?
        .ok_or_else(|| AppError::field("survey_id", "survey.unknown"))?;
    if !survey.active {
        return Err(AppError::field("survey_id", "survey.inactive"));
    }
    if bilan_db::accounts::find(&mut w.conn(), ws, account_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let contacts = store::account_contacts(&mut w.conn(), ws, account_id, contact_ids).await?;
    let found: HashSet<Uuid> = contacts.iter().map(|r| r.id).collect();
    if contact_ids.iter().any(|id| !found.contains(id)) {
        return Err(AppError::field("contact_ids", "contact.unknown"));
    }
    let event = EventRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        kind: EventKind::Manual.code().to_owned(),
        account_id,
        contact_ids: contact_ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","),
        source_kind: "manual".to_owned(),
        source_id: actor.user_id,
        occurred_at: now,
        created_at: now,
    };
    bilan_db::events::insert(&mut w.conn(), &event).await?;
    let interval = store::interval_days(&mut w.conn(), ws).await?;
    let mut planned = HashMap::new();
    let outcomes = schedule(
        &mut w,
        (event.id, EventKind::Manual),
        &survey,
        &contacts,
        now,
        interval,
        &mut planned,
    )
    .await?;
    let scheduled = outcomes.iter().filter(|o| o.outcome.is_eligible()).count();
    let report = SendReport {
        scheduled,
        contacts: outcomes,
    };
    w.audit_entry(AuditAction::Create, "survey_send", event.id, None, Some(&report));
    w.commit().await?;
    tracing::info!(survey.id = %survey_id, account.id = %account_id, scheduled, "survey sent by hand");
    Ok(report)
}
