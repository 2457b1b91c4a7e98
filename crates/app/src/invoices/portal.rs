//! The client's portal: a private link per account — unguessable, stored hashed,
//! expiring, revocable — that shows the account its invoices, payments, reminders
//! and open complaints in its language, and lets it flag a problem with an
//! invoice: that opens a complaint about the invoice, which holds its reminders.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::invoices::{self as store, InvoiceFilter, PaymentRow, PortalLinkRow, ReminderRow};
use bilan_domain::complaints::{ComplaintInput, ComplaintState};
use bilan_domain::invoices::invoice::{Invoice, InvoiceStatus};
use bilan_domain::roles::{Permission, Role};
use bilan_domain::timeline::{local_day, Channel, Direction, NewInteraction};
use bilan_domain::validation::{optional_text, required_text, ValidationErrors};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Days a new link lasts unless said otherwise.
pub const DEFAULT_DAYS: i64 = 90;
/// Longest a link may last.
pub const MAX_DAYS: i64 = 366;
/// Longest message a client may write when flagging a problem.
pub const MESSAGE_MAX: usize = 4_000;

/// A link just made: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewLink {
    /// The link as stored.
    pub link: PortalLinkRow,
    /// The path to give the client (`/portal/<secret>`).
    pub path: String,
}

/// Makes a portal link for an account, valid `days` (default 90), in `lang` (`fr` or `en`).
pub async fn create_link(
    app: &App,
    actor: &Actor,
    account: Uuid,
    lang: Option<&str>,
    days: Option<&str>,
) -> AppResult<NewLink> {
    let mut e = ValidationErrors::new();
    let lang = match lang.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(l @ ("fr" | "en")) => Some(l.to_owned()),
        Some(_) => {
            e.add("lang", "language.invalid");
            None
        }
    };
    let days = match days.map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_DAYS,
        Some(d) => match d.parse::<i64>() {
            Ok(n) if (1..=MAX_DAYS).contains(&n) => n,
            _ => {
                e.add("days", "portal.days_invalid");
                DEFAULT_DAYS
            }
        },
    };
    let mut w = app.write(actor, Permission::SharePortal).await?;
    e.into_result()?;
    let ws = actor.workspace_id;
    let Some(acc) = bilan_db::accounts::find(&mut w.conn(), ws, account).await? else {
        return Err(AppError::NotFound);
    };
    // The link speaks the language of the account's billing contact unless told.
    let lang = match lang {
        Some(l) => l,
        None => match store::billing_contact(&mut w.conn(), ws, acc.id).await? {
            Some(c) => bilan_db::contacts::find(&mut w.conn(), ws, c)
                .await?
                .map_or_else(|| "fr".to_owned(), |c| c.language.code().to_owned()),
            None => "fr".to_owned(),
        },
    };
    let secret = crate::auth::random_secret();
    let now = w.now();
    let link = PortalLinkRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        account_id: acc.id,
        token_hash: crate::auth::digest(&secret),
        lang,
        expires_at: now + Duration::days(days),
        revoked_at: None,
        created_by: (!actor.via_cli).then_some(actor.user_id),
        created_at: now,
        last_used_at: None,
    };
    store::insert_portal_link(&mut w.conn(), &link).await?;
    w.audit_entry(
        bilan_domain::audit::AuditAction::Create,
        "portal_link",
        link.id,
        None::<&PortalLinkRow>,
        Some(&link),
    );
    w.commit().await?;
    Ok(NewLink {
        path: format!("/portal/{secret}"),
        link,
    })
}

/// An account's links, newest first.
pub async fn links(app: &App, actor: &Actor, account: Uuid) -> AppResult<Vec<PortalLinkRow>> {
    actor.require(Permission::ReadInvoices)?;
    let mut pc = app.db.acquire().await?;
    Ok(store::portal_links_of(&mut pc.conn(), actor.workspace_id, account).await?)
}

/// Revokes a link at once.
pub async fn revoke_link(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::SharePortal).await?;
    let now = w.now();
    if !store::revoke_portal_link(&mut w.conn(), actor.workspace_id, id, now).await? {
        return Err(AppError::NotFound);
    }
    w.audit_entry(
        bilan_domain::audit::AuditAction::Update,
        "portal_link",
        id,
        None::<&serde_json::Value>,
        Some(&serde_json::json!({ "revoked_at": now })),
    );
    w.commit().await?;
    Ok(())
}

/// The link behind a secret, if it is still good: unknown, revoked and expired
/// links all answer "not found", so a guess learns nothing.
async fn live_link(app: &App, secret: &str) -> AppResult<PortalLinkRow> {
    let secret = secret.trim();
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let mut pc = app.db.acquire().await?;
    let link = store::portal_link_by_hash(&mut pc.conn(), &crate::auth::digest(secret))
        .await?
        .ok_or(AppError::NotFound)?;
    if link.revoked_at.is_some() || link.expires_at <= app.now() {
        return Err(AppError::NotFound);
    }
    Ok(link)
}

/// One invoice as the client sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PortalInvoice {
    /// The invoice.
    pub invoice: Invoice,
    /// Where it stands.
    pub status: InvoiceStatus,
    /// Whether the client already flagged a problem that is still open.
    pub flagged: bool,
}

/// An open complaint as the client sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PortalComplaint {
    /// Reference (`R-2026-0042`).
    pub reference: String,
    /// Received on.
    pub received_on: NaiveDate,
    /// State.
    pub state: ComplaintState,
    /// The answer is due by.
    pub answer_by: NaiveDate,
}

/// What the portal shows.
#[derive(Debug, Clone, Serialize)]
pub struct PortalView {
    /// The link (its language, its expiry).
    pub link: PortalLinkRow,
    /// The client's name.
    pub account_name: String,
    /// The supplier's name.
    pub company: String,
    /// Invoices: those still owing first, then the latest settled ones.
    pub invoices: Vec<PortalInvoice>,
    /// The latest payments received.
    pub payments: Vec<PaymentRow>,
    /// The reminders sent.
    pub reminders: Vec<(ReminderRow, String)>,
    /// Open complaints.
    pub complaints: Vec<PortalComplaint>,
    /// Today.
    pub today: NaiveDate,
}

/// The portal behind a secret.
pub async fn view(app: &App, secret: &str) -> AppResult<PortalView> {
    let link = live_link(app, secret).await?;
    let ws = link.workspace_id;
    let account = link.account_id;
    let today = local_day(app.now());
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    store::portal_link_used(&mut c, link.id, app.now()).await?;
    let account_name = bilan_db::accounts::find(&mut c, ws, account)
        .await?
        .map(|a| a.name)
        .ok_or(AppError::NotFound)?;
    let company = bilan_db::workspaces::find(&mut c, ws)
        .await?
        .map(|w| w.name)
        .unwrap_or_default();
    let open = store::list(
        &mut c,
        ws,
        &InvoiceFilter {
            account_id: Some(account),
            open_only: true,
            ..Default::default()
        },
        None,
        200,
    )
    .await?
    .items;
    let recent = store::list(
        &mut c,
        ws,
        &InvoiceFilter {
            account_id: Some(account),
            settled_only: true,
            ..Default::default()
        },
        None,
        24,
    )
    .await?
    .items;
    let complaints = bilan_db::complaints::list(
        &mut c,
        ws,
        &bilan_db::complaints::ComplaintFilter {
            account_id: Some(account),
            states: ComplaintState::open_states(),
            ..Default::default()
        },
        None,
        50,
    )
    .await?
    .items;
    let flagged: std::collections::HashSet<Uuid> = complaints.iter().filter_map(|k| k.complaint.invoice_id).collect();
    let invoices: Vec<PortalInvoice> = open
        .into_iter()
        .chain(recent)
        .map(|l| PortalInvoice {
            status: l.invoice.status(today),
            flagged: flagged.contains(&l.invoice.id),
            invoice: l.invoice,
        })
        .collect();
    let ids: Vec<Uuid> = invoices.iter().map(|i| i.invoice.id).collect();
    let numbers: std::collections::HashMap<Uuid, String> = invoices
        .iter()
        .map(|i| (i.invoice.id, i.invoice.number.clone()))
        .collect();
    let reminders = store::reminders_of(&mut c, ws, &ids)
        .await?
        .into_iter()
        .filter(|r| r.kind == "reminder")
        .map(|r| {
            let n = numbers.get(&r.invoice_id).cloned().unwrap_or_default();
            (r, n)
        })
        .collect();
    let payments = store::payments_of_account(&mut c, ws, account, 24).await?;
    Ok(PortalView {
        link,
        account_name,
        company,
        invoices,
        payments,
        reminders,
        complaints: complaints
            .into_iter()
            .map(|k| PortalComplaint {
                reference: k.complaint.reference(),
                received_on: k.complaint.received_on,
                state: k.complaint.state,
                answer_by: k.complaint.deadlines.answer_by,
            })
            .collect(),
        today,
    })
}

/// What the client typed to flag a problem.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct FlagInput {
    /// What is wrong.
    pub message: Option<String>,
    /// Who writes (free text: the portal knows no one).
    pub name: Option<String>,
}

/// The client flags a problem with one of its invoices: a complaint about it is
/// opened (received today, through the portal, category billing) for the
/// account's owner, the message lands on the timeline, and the invoice's
/// reminders wait until the complaint is settled. Returns the complaint's reference.
pub async fn flag_problem(app: &App, secret: &str, invoice: Uuid, input: &FlagInput) -> AppResult<String> {
    let mut e = ValidationErrors::new();
    let message = required_text(&mut e, "message", input.message.as_deref(), MESSAGE_MAX);
    let name = optional_text(&mut e, "name", input.name.as_deref(), 200);
    let link = live_link(app, secret).await?;
    e.into_result()?;
    let ws = link.workspace_id;
    let today = local_day(app.now());
    let (owner, inv) = {
        let mut pc = app.db.acquire().await?;
        let mut c = pc.conn();
        let inv = store::find(&mut c, ws, invoice).await?.ok_or(AppError::NotFound)?;
        if inv.account_id != link.account_id {
            // Another account's invoice is as unknown as a made-up one.
            return Err(AppError::NotFound);
        }
        let acc = bilan_db::accounts::find(&mut c, ws, link.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let owner = match acc.owner_id {
            Some(o) => Some(o),
            None => bilan_db::users::list(&mut c, ws)
                .await?
                .into_iter()
                .find(|u| u.role == "admin" && u.disabled_at.is_none())
                .map(|u| u.id),
        };
        (
            owner.ok_or_else(|| AppError::Conflict("the account has no one to answer".into()))?,
            inv,
        )
    };
    // The portal acts for the account's owner: the case and its exchange are theirs.
    let actor = Actor {
        user_id: owner,
        workspace_id: ws,
        role: Role::Admin,
        display_name: String::new(),
        email: String::new(),
        language: None,
        via_cli: false,
    };
    let mut w = app.write_unchecked(ws, Some(owner)).await?;
    let contact = store::billing_contact(&mut w.conn(), ws, link.account_id).await?;
    let words = match &name {
        Some(n) => format!("{message}\n\n— {n}"),
        None => message.clone(),
    };
    let subject = bilan_i18n::t(
        bilan_i18n::Lang::parse(&link.lang).unwrap_or(bilan_i18n::Lang::Fr),
        "portal.flag.subject",
    )
    .replace("{invoice}", &inv.number);
    let now = w.now();
    let interaction = crate::timeline::insert_one(
        &mut w.conn(),
        ws,
        owner,
        &NewInteraction {
            account_id: link.account_id,
            occurred_at: now,
            channel: Channel::Portal,
            direction: Direction::Inbound,
            user_id: Some(owner),
            contact_ids: contact.into_iter().collect(),
            subject: Some(subject),
            summary: Some(words.clone()),
            tags: vec!["portal".to_owned()],
            beyond_contract: false,
            related_kind: Some("invoice".to_owned()),
            related_id: Some(inv.id),
            external_ref: None,
            follow_up: None,
        },
        now,
    )
    .await?;
    let complaint = crate::complaints::open_in(
        &mut w,
        &actor,
        &ComplaintInput {
            account_id: Some(link.account_id.to_string()),
            contact_id: contact.map(|c| c.to_string()),
            interaction_id: Some(interaction.id.to_string()),
            invoice_id: Some(inv.id.to_string()),
            received_on: Some(today.to_string()),
            channel: Some(Channel::Portal.code().to_owned()),
            category: Some("invoice".to_owned()),
            concerns: Some(inv.number.clone()),
            summary: Some(words),
            owner_id: Some(owner.to_string()),
            ..Default::default()
        },
        today,
    )
    .await?;
    w.commit().await?;
    tracing::info!(invoice.id = %inv.id, complaint.id = %complaint.id, "problem flagged on the portal");
    Ok(complaint.reference())
}

/// Whether a link is still good at `now`.
pub fn is_live(link: &PortalLinkRow, now: DateTime<Utc>) -> bool {
    link.revoked_at.is_none() && link.expires_at > now
}
