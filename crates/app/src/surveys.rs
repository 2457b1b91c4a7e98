//! Hot satisfaction: surveys and their sending rules, invitations scheduled after
//! events (or sent by hand), the public single-use answer link, and the figures of
//! the satisfaction page.

use crate::audit::{entry, record};
use crate::events::Event;
use crate::outbox::{queue, Outgoing};
use crate::{Actor, App, AppError, AppResult};
use askama::Template;
use bilan_db::contacts::ContactRow;
use bilan_db::events::EventRow;
use bilan_db::surveys::{self as store, AnswerFilter, AnswerRow, AnswerView, Grouping, InvitationRow};
use bilan_db::timeline::{self as timeline_store, InteractionRow, Touches};
use bilan_db::Conn;
use bilan_domain::audit::AuditAction;
use bilan_domain::contacts::{BuyingRole, Language};
use bilan_domain::roles::Permission;
use bilan_domain::surveys::{
    breakdown_of_counts, eligibility, invitation_expires_at, response_rate, trend_of_counts, AnswerInput, ContactFacts,
    EventKind, NewRule, Period, RuleInput, SendEligibility, Summary, Survey, SurveyInput, SurveyKind, SurveyRule,
};
use bilan_domain::timeline::{local_day, local_day_start, Channel, Direction, NewFollowUp, NewInteraction};
use bilan_domain::ValidationErrors;
use bilan_i18n::{t, Lang};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Longest interval between two surveys of one contact that a workspace may set.
pub const INTERVAL_DAYS_MAX: u32 = 365;

// ---------------------------------------------------------------- surveys and rules

/// Creates a survey.
pub async fn create_survey(app: &App, actor: &Actor, input: &SurveyInput) -> AppResult<Survey> {
    actor.require(Permission::ManageSurveys)?;
    let new = input.validate()?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let creator = (!actor.via_cli).then_some(actor.user_id);
    let survey = store::insert_survey(&mut c, actor.workspace_id, bilan_db::new_id(), &new, creator, now).await?;
    record(
        &mut c,
        actor,
        now,
        AuditAction::Create,
        "survey",
        survey.id,
        None,
        Some(&survey),
    )
    .await?;
    tx.commit().await?;
    Ok(survey)
}

/// Replaces a survey's fields if nobody changed it since `version`.
pub async fn update_survey(app: &App, actor: &Actor, id: Uuid, version: i64, input: &SurveyInput) -> AppResult<Survey> {
    actor.require(Permission::ManageSurveys)?;
    let new = input.validate()?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::find_survey(&mut c, actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let after = store::update_survey(&mut c, actor.workspace_id, id, version, &new, now)
        .await?
        .ok_or(AppError::Stale {
            current_version: before.version,
        })?;
    record(
        &mut c,
        actor,
        now,
        AuditAction::Update,
        "survey",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A survey with its sending rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyWithRules {
    /// The survey.
    pub survey: Survey,
    /// Its rules.
    pub rules: Vec<SurveyRule>,
}

/// The workspace's surveys with their rules, and the anti-over-surveying interval.
pub async fn list_surveys(app: &App, actor: &Actor) -> AppResult<(Vec<SurveyWithRules>, u32)> {
    actor.require(Permission::ReadSatisfaction)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let ws = actor.workspace_id;
    let surveys = store::list_surveys(&mut c, ws).await?;
    let mut rules: HashMap<Uuid, Vec<SurveyRule>> = HashMap::new();
    for r in store::list_rules(&mut c, ws).await? {
        rules.entry(r.rule.survey_id).or_default().push(r);
    }
    let interval = store::interval_days(&mut c, ws).await?;
    let list = surveys
        .into_iter()
        .map(|survey| SurveyWithRules {
            rules: rules.remove(&survey.id).unwrap_or_default(),
            survey,
        })
        .collect();
    Ok((list, interval))
}

/// One survey with its rules.
pub async fn find_survey(app: &App, actor: &Actor, id: Uuid) -> AppResult<SurveyWithRules> {
    let (list, _) = list_surveys(app, actor).await?;
    list.into_iter().find(|s| s.survey.id == id).ok_or(AppError::NotFound)
}

/// Adds a sending rule to a survey.
pub async fn add_rule(app: &App, actor: &Actor, input: &RuleInput) -> AppResult<SurveyRule> {
    actor.require(Permission::ManageSurveys)?;
    let new = input.validate()?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if store::find_survey(&mut c, actor.workspace_id, new.survey_id)
        .await?
        .is_none()
    {
        return Err(AppError::field("survey_id", "survey.unknown"));
    }
    let rule = store::insert_rule(&mut c, actor.workspace_id, bilan_db::new_id(), &new, now).await?;
    record(
        &mut c,
        actor,
        now,
        AuditAction::Create,
        "survey_rule",
        rule.id,
        None,
        Some(&rule),
    )
    .await?;
    tx.commit().await?;
    Ok(rule)
}

/// Deletes a sending rule (invitations it scheduled stay).
pub async fn delete_rule(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    actor.require(Permission::ManageSurveys)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let gone = store::delete_rule(&mut c, actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut c,
        actor,
        now,
        AuditAction::Delete,
        "survey_rule",
        id,
        Some(&gone),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets how many days must pass between two surveys of one contact, whatever the rules.
pub async fn set_interval(app: &App, actor: &Actor, raw: &str) -> AppResult<u32> {
    actor.require(Permission::ManageSurveys)?;
    let days: u32 = raw
        .trim()
        .parse()
        .ok()
        .filter(|d| (0..=INTERVAL_DAYS_MAX).contains(d))
        .ok_or_else(|| AppError::field("interval_days", "interval_days.out_of_range"))?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::interval_days(&mut c, actor.workspace_id).await?;
    store::set_interval_days(&mut c, actor.workspace_id, days).await?;
    record(
        &mut c,
        actor,
        now,
        AuditAction::Update,
        "survey_settings",
        actor.workspace_id,
        Some(&serde_json::json!({ "interval_days": before })),
        Some(&serde_json::json!({ "interval_days": days })),
    )
    .await?;
    tx.commit().await?;
    Ok(days)
}

// ---------------------------------------------------------------- scheduling

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

/// Plans invitations to `survey` for `contacts` at `send_at`, after the event
/// `event`, each with its e-mail queued for that instant. Skips contacts without
/// consent, gone, without an address, or surveyed within the workspace's interval
/// of `send_at` (on either side: an invitation planned later counts too).
#[allow(clippy::too_many_arguments)]
async fn schedule(
    c: &mut Conn<'_>,
    workspace: Uuid,
    now: DateTime<Utc>,
    event_id: Uuid,
    survey: &Survey,
    contacts: &[ContactRow],
    send_at: DateTime<Utc>,
    interval: u32,
    planned: &mut HashMap<Uuid, DateTime<Utc>>,
) -> AppResult<Vec<ContactOutcome>> {
    let ids: Vec<Uuid> = contacts.iter().map(|r| r.id).collect();
    let horizon = send_at + Duration::days(i64::from(interval)) + Duration::days(1);
    let last = store::last_surveyed_before(c, workspace, &ids, horizon).await?;
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
                    let n = bilan_db::workspaces::find(c, workspace)
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
            if store::insert_invitation(c, &invitation).await? {
                let mail = invitation_mail(survey, &invitation, &contact.first_name, &name, &company, &secret)?;
                queue(
                    c,
                    workspace,
                    now,
                    Outgoing {
                        purpose: "survey_invitation",
                        subject_id: Some(invitation.id),
                        to_address: email,
                        to_name: Some(name.clone()),
                        subject: mail.0,
                        text: mail.1,
                        html: mail.2,
                        not_before: send_at,
                    },
                )
                .await?;
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
pub(crate) async fn on_events(
    c: &mut Conn<'_>,
    workspace: Uuid,
    now: DateTime<Utc>,
    events: &[(EventRow, &Event)],
) -> AppResult<usize> {
    let mut rules_by_kind: HashMap<EventKind, Vec<SurveyRule>> = HashMap::new();
    for (_, e) in events {
        if let std::collections::hash_map::Entry::Vacant(slot) = rules_by_kind.entry(e.kind) {
            slot.insert(store::rules_for_event(c, workspace, e.kind).await?);
        }
    }
    if rules_by_kind.values().all(Vec::is_empty) {
        return Ok(0);
    }
    let interval = store::interval_days(c, workspace).await?;
    let mut surveys: HashMap<Uuid, Survey> = HashMap::new();
    let mut planned: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    let mut scheduled = 0;
    for (row, e) in events {
        let Some(rules) = rules_by_kind.get(&e.kind) else {
            continue;
        };
        if rules.is_empty() {
            continue;
        }
        let account_contacts = store::account_contacts(c, workspace, e.account_id, &e.contact_ids).await?;
        for rule in rules {
            let survey = match surveys.get(&rule.rule.survey_id) {
                Some(s) => s.clone(),
                None => {
                    let Some(s) = store::find_survey(c, workspace, rule.rule.survey_id).await? else {
                        continue;
                    };
                    surveys.insert(s.id, s.clone());
                    s
                }
            };
            let chosen = contacts_for_rule(&rule.rule, &e.contact_ids, &account_contacts);
            let outcomes = schedule(
                c,
                workspace,
                now,
                row.id,
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
    let now = app.now();
    let ws = actor.workspace_id;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let survey = store::find_survey(&mut c, ws, survey_id)
        .await?
        .ok_or_else(|| AppError::field("survey_id", "survey.unknown"))?;
    if !survey.active {
        return Err(AppError::field("survey_id", "survey.inactive"));
    }
    if bilan_db::accounts::find(&mut c, ws, account_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let contacts = store::account_contacts(&mut c, ws, account_id, contact_ids).await?;
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
    bilan_db::events::insert(&mut c, &event).await?;
    let interval = store::interval_days(&mut c, ws).await?;
    let mut planned = HashMap::new();
    let outcomes = schedule(
        &mut c,
        ws,
        now,
        event.id,
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
    record(
        &mut c,
        actor,
        now,
        AuditAction::Create,
        "survey_send",
        event.id,
        None,
        Some(&report),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(survey.id = %survey_id, account.id = %account_id, scheduled, "survey sent by hand");
    Ok(report)
}

// ---------------------------------------------------------------- the e-mail

#[derive(Template)]
#[template(path = "mail/survey_invitation.txt")]
struct InvitationText<'a> {
    greeting: &'a str,
    intro: &'a str,
    question: &'a str,
    cta: &'a str,
    link: &'a str,
    expiry: &'a str,
    signature: &'a str,
    why: &'a str,
}

#[derive(Template)]
#[template(path = "mail/survey_invitation.html")]
struct InvitationHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    intro: &'a str,
    question: &'a str,
    cta: &'a str,
    link: &'a str,
    expiry: &'a str,
    signature: &'a str,
    why: &'a str,
}

/// The public address of a link under a base URL.
pub fn link_url(base: &str, secret: &str) -> String {
    format!("{}/s/{secret}", base.trim_end_matches('/'))
}

/// Subject, plain text and HTML of an invitation, in the contact's language.
fn invitation_mail(
    survey: &Survey,
    inv: &InvitationRow,
    first_name: &Option<String>,
    full_name: &str,
    company: &str,
    secret: &str,
) -> AppResult<(String, String, String)> {
    let lang = Lang::parse(&inv.language).unwrap_or(Lang::Fr);
    let fill = |key: &str| t(lang, key).replace("{company}", company);
    let greeting = t(lang, "mail.survey.greeting").replace("{name}", first_name.as_deref().unwrap_or(full_name));
    let subject = fill("mail.survey.subject");
    let intro = fill("mail.survey.intro");
    let cta = fill("mail.survey.cta");
    let expires_on = local_day(inv.expires_at);
    let expiry = t(lang, "mail.survey.expiry").replace("{date}", &expires_on.format("%d/%m/%Y").to_string());
    let signature = fill("mail.survey.signature");
    let why = fill("mail.survey.why");
    let link = link_url(crate::outbox::PUBLIC_URL_MARKER, secret);
    let question = survey.question(lang.code());
    let text = InvitationText {
        greeting: &greeting,
        intro: &intro,
        question,
        cta: &cta,
        link: &link,
        expiry: &expiry,
        signature: &signature,
        why: &why,
    }
    .render()
    .map_err(|e| AppError::Internal(format!("mail template: {e}")))?;
    let html = InvitationHtml {
        lang: lang.code(),
        subject: &subject,
        greeting: &greeting,
        intro: &intro,
        question,
        cta: &cta,
        link: &link,
        expiry: &expiry,
        signature: &signature,
        why: &why,
    }
    .render()
    .map_err(|e| AppError::Internal(format!("mail template: {e}")))?;
    Ok((subject, text, html))
}

// ---------------------------------------------------------------- the public link

/// Why a link cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// No invitation has this secret (mistyped, forged, or its survey deleted).
    Unknown,
    /// Already answered: each link works once.
    Answered,
    /// Past its expiry date.
    Expired,
    /// Not sent yet (a delayed survey whose link leaked early).
    NotYetSent,
}

impl LinkProblem {
    /// Stable code (also the page's message key suffix).
    pub fn code(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Answered => "answered",
            Self::Expired => "expired",
            Self::NotYetSent => "not_yet_sent",
        }
    }
}

/// What the public page shows for a live link.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicLink {
    /// The survey.
    pub survey: Survey,
    /// The page's language (the contact's).
    pub lang: Lang,
    /// The contact's first name, for the greeting.
    pub first_name: Option<String>,
    /// The supplier asking (the workspace's name).
    pub company: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Either a live link or why it is not.
pub type LinkResult<T> = Result<Result<T, (LinkProblem, Lang)>, AppError>;

async fn live_invitation(
    c: &mut Conn<'_>,
    secret: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<InvitationRow, (LinkProblem, Lang)>> {
    // A secret that is not 64 hex digits cannot be one of ours: no lookup.
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Err((LinkProblem::Unknown, Lang::Fr)));
    }
    let Some(inv) = store::find_invitation_by_token(c, &crate::auth::digest(&secret.to_ascii_lowercase())).await?
    else {
        return Ok(Err((LinkProblem::Unknown, Lang::Fr)));
    };
    let lang = Lang::parse(&inv.language).unwrap_or(Lang::Fr);
    let problem = if inv.answered_at.is_some() {
        Some(LinkProblem::Answered)
    } else if now >= inv.expires_at {
        Some(LinkProblem::Expired)
    } else if now < inv.send_at {
        Some(LinkProblem::NotYetSent)
    } else {
        None
    };
    Ok(match problem {
        Some(p) => Err((p, lang)),
        None => Ok(inv),
    })
}

/// Opens a link for the public answer page (no login: the secret is the key).
pub async fn open_link(app: &App, secret: &str) -> LinkResult<PublicLink> {
    let now = app.now();
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let inv = match live_invitation(&mut c, secret, now).await? {
        Ok(inv) => inv,
        Err(p) => return Ok(Err(p)),
    };
    let survey = store::find_survey(&mut c, inv.workspace_id, inv.survey_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = bilan_db::contacts::find(&mut c, inv.workspace_id, inv.contact_id).await?;
    let company = bilan_db::workspaces::find(&mut c, inv.workspace_id)
        .await?
        .map(|w| w.name)
        .unwrap_or_default();
    Ok(Ok(PublicLink {
        lang: Lang::parse(&inv.language).unwrap_or(Lang::Fr),
        first_name: contact.and_then(|c| c.first_name),
        survey,
        company,
        expires_at: inv.expires_at,
    }))
}

/// What an answer led to.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// The answer stored.
    pub answer_id: Uuid,
    /// The timeline entry showing it.
    pub interaction_id: Uuid,
    /// Whether a follow-up was created for the account owner.
    pub follow_up: bool,
    /// The page's language.
    pub lang: Lang,
}

/// Records the answer given through a link, once: the invitation is closed, the
/// answer shows on the account's timeline, and a bad score creates a follow-up for
/// the account owner due today. All in one transaction.
pub async fn answer_link(app: &App, secret: &str, input: &AnswerInput) -> LinkResult<Answered> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let inv = match live_invitation(&mut c, secret, now).await? {
        Ok(inv) => inv,
        Err(p) => return Ok(Err(p)),
    };
    let ws = inv.workspace_id;
    let lang = Lang::parse(&inv.language).unwrap_or(Lang::Fr);
    let survey = store::find_survey(&mut c, ws, inv.survey_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let answer = input.validate(survey.kind)?;
    // Two submissions racing: the second finds the invitation closed.
    if !store::mark_answered(&mut c, ws, inv.id, now).await? {
        return Ok(Err((LinkProblem::Answered, lang)));
    }
    let account = bilan_db::accounts::find(&mut c, ws, inv.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = bilan_db::contacts::find(&mut c, ws, inv.contact_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Someone on our side must own the timeline entry: the account owner, else the
    // survey's author, else the workspace's first admin.
    let owner = match account.owner_id.or(survey_creator(&mut c, ws, survey.id).await?) {
        Some(u) => u,
        None => first_admin(&mut c, ws).await?.ok_or(AppError::NotFound)?,
    };
    let answer_id = bilan_db::new_id();
    // The follow-up is read by the owner: in their language.
    let team_lang = bilan_db::users::find(&mut c, ws, owner)
        .await?
        .and_then(|u| u.language)
        .and_then(|l| Lang::parse(&l))
        .unwrap_or(Lang::Fr);
    let label = format!(
        "{} {}/{}",
        survey.kind.code().to_uppercase(),
        answer.score,
        survey.kind.max()
    );
    let follow_up = answer.is_negative().then(|| NewFollowUp {
        what: t(team_lang, "surveys.follow_up_what")
            .replace("{contact}", &contact.full_name())
            .replace("{score}", &label),
        user_id: account.owner_id.or(Some(owner)),
        due: local_day(now),
    });
    let new = NewInteraction {
        account_id: account.id,
        occurred_at: now,
        channel: Channel::WebForm,
        direction: Direction::Inbound,
        user_id: Some(owner),
        contact_ids: vec![contact.id],
        subject: Some(format!("{label} — {}", survey.name)),
        summary: answer.comment.clone(),
        tags: vec!["survey".to_owned(), survey.kind.code().to_owned()],
        beyond_contract: false,
        related_kind: Some("survey_answer".to_owned()),
        related_id: Some(answer_id),
        external_ref: None,
        follow_up: follow_up.clone(),
    };
    let row = InteractionRow::from_new(bilan_db::new_id(), ws, owner, &new, now);
    let interaction_id = row.id;
    timeline_store::lock_accounts(&mut c, ws, &[account.id]).await?;
    timeline_store::insert_rows(&mut c, std::slice::from_ref(&row), &[(ws, row.id, contact.id)]).await?;
    let mut touches = Touches::new();
    touches.row(&row);
    touches.apply(&mut c, ws).await?;
    let stored = AnswerRow {
        id: answer_id,
        workspace_id: ws,
        invitation_id: inv.id,
        survey_id: survey.id,
        account_id: account.id,
        contact_id: contact.id,
        kind: survey.kind.code().to_owned(),
        score: i32::from(answer.score),
        comment: answer.comment.clone(),
        answered_at: now,
        answered_on: local_day(now),
        site_id: contact.site_id,
        roles: BuyingRole::join(&contact.roles),
        segment: account.size.map(|s| s.code().to_owned()),
        owner_id: account.owner_id,
        interaction_id: Some(interaction_id),
    };
    store::insert_answers(&mut c, std::slice::from_ref(&stored)).await?;
    // The person answering is not a user: the entries are the system's.
    let system = Actor {
        workspace_id: ws,
        user_id: owner,
        role: bilan_domain::roles::Role::Viewer,
        display_name: String::new(),
        email: String::new(),
        language: None,
        via_cli: true,
    };
    let snapshot = serde_json::json!({
        "survey_id": survey.id, "contact_id": contact.id, "kind": survey.kind.code(),
        "score": answer.score, "comment": answer.comment,
    });
    let interaction = timeline_store::find(&mut c, ws, interaction_id)
        .await?
        .ok_or(AppError::NotFound)?;
    bilan_db::audit::insert_rows(
        &mut c,
        &[
            entry(
                &system,
                now,
                AuditAction::Create,
                "survey_answer",
                answer_id,
                None,
                Some(&snapshot),
            ),
            entry(
                &system,
                now,
                AuditAction::Create,
                "interaction",
                interaction_id,
                None,
                Some(&interaction),
            ),
        ],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(answer.id = %answer_id, account.id = %account.id, negative = follow_up.is_some(), "survey answered");
    Ok(Ok(Answered {
        answer_id,
        interaction_id,
        follow_up: follow_up.is_some(),
        lang,
    }))
}

async fn survey_creator(c: &mut Conn<'_>, ws: Uuid, survey: Uuid) -> AppResult<Option<Uuid>> {
    Ok(store::survey_creator(c, ws, survey).await?)
}

async fn first_admin(c: &mut Conn<'_>, ws: Uuid) -> AppResult<Option<Uuid>> {
    let users = bilan_db::users::list(c, ws).await?;
    Ok(users
        .iter()
        .find(|u| u.role == "admin" && u.disabled_at.is_none())
        .or(users.first())
        .map(|u| u.id))
}

// ---------------------------------------------------------------- the figures

/// The satisfaction page's parameters, as text from a query string or CLI flags.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SatisfactionQuery {
    /// First day (YYYY-MM-DD), default: the first day of the month eleven months ago.
    pub from: Option<String>,
    /// Last day, default today.
    pub to: Option<String>,
    /// `month` (default) or `quarter`.
    pub period: Option<String>,
    /// One account only.
    pub account: Option<String>,
}

/// The parsed parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SatisfactionRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Trend granularity.
    pub period: Period,
    /// One account only.
    pub account: Option<Uuid>,
}

impl SatisfactionQuery {
    /// Parses the parameters; `today` fills the defaults.
    pub fn parse(&self, today: NaiveDate) -> AppResult<SatisfactionRange> {
        let mut e = ValidationErrors::new();
        let date = |e: &mut ValidationErrors, field: &str, raw: &Option<String>| {
            let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            let d = bilan_domain::accounts::parse_date(raw);
            if d.is_none() {
                e.add(field, "date.invalid");
            }
            d
        };
        let to = date(&mut e, "to", &self.to).unwrap_or(today);
        let default_from = {
            let months_back = to.year() * 12 + i32::try_from(to.month0()).unwrap_or(0) - 11;
            NaiveDate::from_ymd_opt(
                months_back.div_euclid(12),
                u32::try_from(months_back.rem_euclid(12)).unwrap_or(0) + 1,
                1,
            )
            .unwrap_or(to)
        };
        let from = date(&mut e, "from", &self.from).unwrap_or(default_from);
        if from > to {
            e.add("to", "period.invalid");
        }
        if (to - from).num_days() > 366 * 5 {
            e.add("from", "period.too_long");
        }
        let period = match self.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Period::Month,
            Some(raw) => Period::parse(raw).unwrap_or_else(|| {
                e.add("period", "period.unknown");
                Period::Month
            }),
        };
        let account = match self.account.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => {
                let id = Uuid::parse_str(raw).ok();
                if id.is_none() {
                    e.add("account", "id.invalid");
                }
                id
            }
        };
        e.into_result()?;
        Ok(SatisfactionRange {
            from,
            to,
            period,
            account,
        })
    }
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownLine {
    /// The site, user… id, or the role or segment code; `None` for "not set".
    pub key: Option<String>,
    /// What people read.
    pub label: String,
    /// Scores of its answers.
    pub summary: Summary,
}

/// Invitations sent and answered for one kind of survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRate {
    /// The survey kind.
    pub kind: SurveyKind,
    /// Invitations sent in the period.
    pub sent: u64,
    /// Of which answered.
    pub answered: u64,
    /// Answered ÷ sent, in %.
    pub rate: Option<Decimal>,
}

/// Everything the satisfaction page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Trend granularity.
    pub period: Period,
    /// The account, when the page is about one.
    pub account: Option<Uuid>,
    /// Scores over the whole period.
    pub overall: Summary,
    /// Answers per score, per kind (for the distribution bars).
    pub distribution: Vec<(SurveyKind, Vec<(i16, u64)>)>,
    /// Scores per month or quarter, empty ones included.
    pub trend: Vec<(String, Summary)>,
    /// Per site.
    pub by_site: Vec<BreakdownLine>,
    /// Per business unit.
    pub by_unit: Vec<BreakdownLine>,
    /// Per buying-centre role (an answer counts for each of its contact's roles).
    pub by_role: Vec<BreakdownLine>,
    /// Per segment (company size).
    pub by_segment: Vec<BreakdownLine>,
    /// Per account owner.
    pub by_owner: Vec<BreakdownLine>,
    /// Response rates per kind.
    pub rates: Vec<ResponseRate>,
    /// All kinds together.
    pub total_rate: ResponseRate,
    /// The latest comments.
    pub verbatims: Vec<AnswerView>,
}

/// Comments shown beside the figures.
const VERBATIMS: i64 = 30;

/// The satisfaction figures of the workspace (or of one account) over a period.
pub async fn satisfaction(app: &App, actor: &Actor, range: &SatisfactionRange) -> AppResult<Dashboard> {
    actor.require(Permission::ReadSatisfaction)?;
    let ws = actor.workspace_id;
    let now = app.now();
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let f = AnswerFilter {
        from: Some(range.from),
        to: Some(range.to),
        account_id: range.account,
        kind: None,
    };
    let months = store::score_counts(&mut c, ws, &f, Grouping::Month).await?;
    let dated: Vec<(NaiveDate, SurveyKind, i16, u64)> = months
        .iter()
        .filter_map(|(k, kind, score, n)| {
            let day = k.as_deref().and_then(bilan_domain::accounts::parse_date)?;
            Some((day, *kind, *score, *n))
        })
        .collect();
    let flat: Vec<(SurveyKind, i16, u64)> = dated.iter().map(|(_, k, s, n)| (*k, *s, *n)).collect();
    let overall = Summary::of_counts(&flat);
    let mut distribution = Vec::new();
    for kind in SurveyKind::ALL {
        let mut per_score: Vec<(i16, u64)> = kind.scale().map(|s| (s, 0)).collect();
        for (k, s, n) in &flat {
            if *k == kind {
                if let Some(slot) = per_score.iter_mut().find(|(v, _)| v == s) {
                    slot.1 += n;
                }
            }
        }
        distribution.push((kind, per_score));
    }
    let trend = trend_of_counts(&dated, range.period, range.from, range.to);

    let sites = store::score_counts(&mut c, ws, &f, Grouping::Site).await?;
    let site_ids: Vec<Uuid> = sites
        .iter()
        .filter_map(|(k, ..)| k.as_deref().and_then(|s| Uuid::parse_str(s).ok()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let site_names = store::site_names(&mut c, ws, &site_ids).await?;
    let (mut on_sites, mut on_units) = (Vec::new(), Vec::new());
    for (k, kind, score, n) in sites {
        let id = k.as_deref().and_then(|s| Uuid::parse_str(s).ok());
        match id.and_then(|id| site_names.get(&id).map(|v| (id, v))) {
            Some((id, (site_kind, _))) if site_kind == "business_unit" => on_units.push((Some(id), kind, score, n)),
            Some((id, _)) => on_sites.push((Some(id), kind, score, n)),
            None => {
                on_sites.push((None, kind, score, n));
                on_units.push((None, kind, score, n));
            }
        }
    }
    let none_label = "—".to_owned();
    let label_site = |id: &Option<Uuid>| {
        id.and_then(|id| site_names.get(&id).map(|(_, n)| n.clone()))
            .unwrap_or_else(|| none_label.clone())
    };
    let by_site = lines(&on_sites, |k| (k.map(|u| u.to_string()), label_site(k)));
    let by_unit = lines(&on_units, |k| (k.map(|u| u.to_string()), label_site(k)));

    let roles = store::score_counts(&mut c, ws, &f, Grouping::Roles).await?;
    let mut per_role = Vec::new();
    for (k, kind, score, n) in roles {
        let parsed = k
            .as_deref()
            .map(BuyingRole::parse_list)
            .and_then(Result::ok)
            .unwrap_or_default();
        if parsed.is_empty() {
            per_role.push((None, kind, score, n));
        }
        for r in parsed {
            per_role.push((Some(r.code().to_owned()), kind, score, n));
        }
    }
    let by_role = lines(&per_role, |k| {
        (k.clone(), k.clone().unwrap_or_else(|| none_label.clone()))
    });

    let segments = store::score_counts(&mut c, ws, &f, Grouping::Segment).await?;
    let by_segment = lines(&segments, |k| {
        (k.clone(), k.clone().unwrap_or_else(|| none_label.clone()))
    });

    let owners = store::score_counts(&mut c, ws, &f, Grouping::Owner).await?;
    let team: HashMap<String, String> = bilan_db::users::list(&mut c, ws)
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.display_name))
        .collect();
    let by_owner = lines(&owners, |k| {
        let label = k
            .as_deref()
            .and_then(|id| Uuid::parse_str(id).ok())
            .and_then(|id| team.get(&id.to_string()).cloned())
            .unwrap_or_else(|| none_label.clone());
        (
            k.as_deref()
                .and_then(|id| Uuid::parse_str(id).ok())
                .map(|u| u.to_string()),
            label,
        )
    });

    let sent = store::sent_and_answered(
        &mut c,
        ws,
        Some(local_day_start(range.from)),
        range.to.succ_opt().map(local_day_start),
        range.account,
        now,
    )
    .await?;
    let rates: Vec<ResponseRate> = SurveyKind::ALL
        .into_iter()
        .map(|kind| {
            let (s, a) = sent
                .iter()
                .find(|(k, ..)| *k == kind)
                .map(|(_, s, a)| (*s, *a))
                .unwrap_or((0, 0));
            rate(kind, s, a)
        })
        .collect();
    let (s, a) = rates.iter().fold((0, 0), |(s, a), r| (s + r.sent, a + r.answered));
    let total_rate = rate(SurveyKind::Nps, s, a);
    let verbatims = store::list_answers(&mut c, ws, &f, true, None, VERBATIMS).await?;
    Ok(Dashboard {
        from: range.from,
        to: range.to,
        period: range.period,
        account: range.account,
        overall,
        distribution,
        trend,
        by_site,
        by_unit,
        by_role,
        by_segment,
        by_owner,
        rates,
        total_rate,
        verbatims,
    })
}

fn rate(kind: SurveyKind, sent: u64, answered: u64) -> ResponseRate {
    ResponseRate {
        kind,
        sent,
        answered,
        rate: response_rate(
            usize::try_from(sent).unwrap_or(usize::MAX),
            usize::try_from(answered).unwrap_or(0),
        ),
    }
}

/// Lines a breakdown shows: the keys with most answers, the rest summed up in one
/// "others" line (key `*`), so a portfolio of thousands of sites stays readable.
pub const BREAKDOWN_LINES: usize = 20;

fn lines<K: Ord + Clone + std::hash::Hash>(
    groups: &[(K, SurveyKind, i16, u64)],
    describe: impl Fn(&K) -> (Option<String>, String),
) -> Vec<BreakdownLine> {
    let mut totals: HashMap<&K, u64> = HashMap::new();
    for (k, _, _, n) in groups {
        *totals.entry(k).or_default() += n;
    }
    let mut ranked: Vec<(&K, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let kept: HashSet<&K> = ranked.iter().take(BREAKDOWN_LINES).map(|(k, _)| *k).collect();
    let (top, rest): (Vec<_>, Vec<_>) = groups.iter().cloned().partition(|(k, ..)| kept.contains(k));
    let mut out: Vec<BreakdownLine> = breakdown_of_counts(&top)
        .into_iter()
        .map(|(k, summary)| {
            let (key, label) = describe(&k);
            BreakdownLine { key, label, summary }
        })
        .collect();
    // Most answers first: the lines that weigh are read first.
    out.sort_by(|a, b| {
        b.summary
            .answers()
            .cmp(&a.summary.answers())
            .then(a.label.cmp(&b.label))
    });
    if !rest.is_empty() {
        let flat: Vec<(SurveyKind, i16, u64)> = rest.iter().map(|(_, k, s, n)| (*k, *s, *n)).collect();
        out.push(BreakdownLine {
            key: Some("*".to_owned()),
            label: "*".to_owned(),
            summary: Summary::of_counts(&flat),
        });
    }
    out
}

// ---------------------------------------------------------------- answers

/// Most answers one page lists.
pub const ANSWERS_PAGE_MAX: i64 = 200;

/// Answers of a period, newest first, after a keyset position.
pub async fn list_answers(
    app: &App,
    actor: &Actor,
    range: &SatisfactionRange,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> AppResult<Vec<AnswerView>> {
    actor.require(Permission::ReadSatisfaction)?;
    let mut pc = app.db.acquire().await?;
    let f = AnswerFilter {
        from: Some(range.from),
        to: Some(range.to),
        account_id: range.account,
        kind: None,
    };
    Ok(store::list_answers(
        &mut pc.conn(),
        actor.workspace_id,
        &f,
        false,
        after,
        limit.clamp(1, ANSWERS_PAGE_MAX),
    )
    .await?)
}

/// Header of the answers export.
pub const ANSWER_EXPORT_COLUMNS: [&str; 10] = [
    "answered_at",
    "survey",
    "kind",
    "score",
    "category",
    "comment",
    "account",
    "contact",
    "account_id",
    "contact_id",
];

/// The answers of a period as CSV (UTF-8 with BOM, `;` or `,`).
pub async fn export_answers(
    app: &App,
    actor: &Actor,
    range: &SatisfactionRange,
    separator: char,
) -> AppResult<Vec<u8>> {
    actor.require(Permission::ExportData)?;
    actor.require(Permission::ReadSatisfaction)?;
    if !matches!(separator, ';' | ',') {
        return Err(AppError::field("separator", "export.separator"));
    }
    let mut w = bilan_domain::imports::CsvWriter::new(separator, &[3]);
    w.record(&ANSWER_EXPORT_COLUMNS);
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let f = AnswerFilter {
        from: Some(range.from),
        to: Some(range.to),
        account_id: range.account,
        kind: None,
    };
    let mut after = None;
    loop {
        let page = store::list_answers(&mut c, actor.workspace_id, &f, false, after, 1000).await?;
        let full = page.len() == 1000;
        after = page.last().map(|v| (v.answer.answered_at, v.answer.id));
        for v in &page {
            let a = &v.answer;
            let category = match SurveyKind::parse(&a.kind) {
                Some(SurveyKind::Nps) => bilan_domain::surveys::NpsCategory::of(i16::try_from(a.score).unwrap_or(-1))
                    .map(|c| c.code().to_owned())
                    .unwrap_or_default(),
                Some(kind) if bilan_domain::surveys::is_negative(kind, i16::try_from(a.score).unwrap_or(0)) => {
                    "negative".to_owned()
                }
                _ => String::new(),
            };
            w.record(&[
                a.answered_at.to_rfc3339(),
                v.survey_name.clone(),
                a.kind.clone(),
                a.score.to_string(),
                category,
                a.comment.clone().unwrap_or_default(),
                v.account_name.clone(),
                v.contact_name(),
                a.account_id.to_string(),
                a.contact_id.to_string(),
            ]);
        }
        if !full {
            break;
        }
    }
    Ok(w.finish())
}

/// Raises the survey events of freshly written interactions (a delivery, an
/// intervention, a meeting, a support answer), in the caller's transaction.
pub(crate) async fn raise_for_interactions(
    c: &mut Conn<'_>,
    workspace: Uuid,
    now: DateTime<Utc>,
    rows: &[(&InteractionRow, &NewInteraction)],
) -> AppResult<crate::events::Raised> {
    let events: Vec<Event> = rows
        .iter()
        .filter_map(|(row, n)| {
            let kind = bilan_domain::surveys::event_of_interaction(n.channel, n.direction, &n.tags)?;
            Some(Event {
                kind,
                account_id: row.account_id,
                contact_ids: n.contact_ids.clone(),
                source_kind: "interaction",
                source_id: row.id,
                occurred_at: n.occurred_at,
            })
        })
        .collect();
    if events.is_empty() {
        return Ok(crate::events::Raised::default());
    }
    crate::events::raise(c, workspace, now, &events).await
}

/// What an account's page shows of its satisfaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSatisfaction {
    /// Scores of the last twelve months.
    pub overall: Summary,
    /// The latest answers.
    pub recent: Vec<AnswerView>,
    /// Active surveys, to send one by hand.
    pub surveys: Vec<Survey>,
}

/// An account's satisfaction over the last twelve months and its latest answers.
pub async fn account_satisfaction(app: &App, actor: &Actor, account: Uuid) -> AppResult<AccountSatisfaction> {
    actor.require(Permission::ReadSatisfaction)?;
    let today = local_day(app.now());
    let from = today - Duration::days(365);
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let f = AnswerFilter {
        from: Some(from),
        to: Some(today),
        account_id: Some(account),
        kind: None,
    };
    let counts = store::score_counts(&mut c, ws, &f, Grouping::Segment).await?;
    let flat: Vec<(SurveyKind, i16, u64)> = counts.iter().map(|(_, k, s, n)| (*k, *s, *n)).collect();
    let recent = store::list_answers(
        &mut c,
        ws,
        &AnswerFilter {
            from: None,
            to: None,
            ..f
        },
        false,
        None,
        5,
    )
    .await?;
    let surveys = store::list_surveys(&mut c, ws)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .collect();
    Ok(AccountSatisfaction {
        overall: Summary::of_counts(&flat),
        recent,
        surveys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breakdown_keeps_the_biggest_lines_and_sums_up_the_rest() {
        let mut groups = Vec::new();
        for k in 0..30u64 {
            // Key k has k + 1 answers, all promoters except key 0's detractor.
            let score = if k == 0 { 0 } else { 10 };
            groups.push((k, SurveyKind::Nps, score, k + 1));
        }
        let out = lines(&groups, |k| (Some(k.to_string()), format!("site {k}")));
        assert_eq!(out.len(), BREAKDOWN_LINES + 1);
        assert_eq!(out[0].label, "site 29", "most answers first");
        let others = out.last().unwrap();
        assert_eq!(others.key.as_deref(), Some("*"));
        // Keys 0..=9 are left out: 1 + 2 + … + 10 = 55 answers, one of them a detractor.
        assert_eq!(others.summary.nps_answers, 55);
        assert_eq!(others.summary.detractors, 1);
        let few = lines(&groups[..3], |k| (None, format!("{k}")));
        assert_eq!(few.len(), 3, "no others line when everything fits");
    }
}
