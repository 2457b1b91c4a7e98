//! Inviting a colleague: an admin names them and their role; Bilan e-mails them a
//! single-use link (through the outbox) where they choose their own password. No
//! one ever types a password for someone else.

use crate::auth::{check_password_strength, digest, hash_password, random_secret};
use crate::outbox::{Outgoing, PUBLIC_URL_MARKER};
use crate::users::{validate_identity, NewUser, User, UserSnapshot};
use crate::{Actor, App, AppError, AppResult};
use bilan_db::invitations::{self as store, InvitationRow};
use bilan_db::users::{self as users_store, UserRow};
use bilan_domain::audit::AuditAction;
use bilan_domain::roles::Permission;
use bilan_i18n::{t, Lang};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// A colleague to invite: who they are; they choose their password themselves.
#[derive(Debug, Clone, Default)]
pub struct NewInvitation {
    /// Login e-mail.
    pub email: String,
    /// Name shown (defaults to the e-mail's local part).
    pub display_name: Option<String>,
    /// Role code.
    pub role: String,
    /// Interface language code (the e-mail is written in it).
    pub language: Option<String>,
}

/// An invitation sent.
#[derive(Debug, Clone)]
pub struct SentInvitation {
    /// The colleague, who cannot sign in until they choose a password.
    pub user: User,
    /// Until when the link works.
    pub expires_at: DateTime<Utc>,
}

/// Invites a colleague into the caller's workspace; the e-mail goes through the outbox.
pub async fn invite(app: &App, actor: &Actor, input: &NewInvitation) -> AppResult<SentInvitation> {
    actor.require(Permission::ManageUsers)?;
    let as_user = NewUser {
        email: input.email.clone(),
        display_name: input.display_name.clone(),
        role: input.role.clone(),
        password: String::new(),
        language: input.language.clone(),
    };
    let (errors, (email, display_name, role, language)) = validate_identity(&as_user);
    errors.into_result()?;
    let mut w = app.write(actor, Permission::ManageUsers).await?;
    let now = w.now();
    if users_store::find_by_email(&mut w.conn(), &email).await?.is_some() {
        return Err(AppError::Duplicate { field: "email".into() });
    }
    let row = UserRow {
        id: bilan_db::new_id(),
        workspace_id: actor.workspace_id,
        email: email.clone(),
        display_name: display_name.clone(),
        role: role.code().to_owned(),
        password_hash: None,
        language: language.clone(),
        disabled_at: None,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        version: 1,
    };
    users_store::insert(&mut w.conn(), &row).await?;
    let secret = random_secret();
    let expires_at = now + Duration::days(INVITATION_DAYS);
    let invitation = InvitationRow {
        id: bilan_db::new_id(),
        workspace_id: actor.workspace_id,
        user_id: row.id,
        token_hash: digest(&secret),
        expires_at,
        used_at: None,
        created_by: (!actor.via_cli).then_some(actor.user_id),
        created_at: now,
    };
    store::insert(&mut w.conn(), &invitation).await?;
    let company = bilan_db::workspaces::find(&mut w.conn(), actor.workspace_id)
        .await?
        .map(|ws| ws.name)
        .unwrap_or_default();
    let lang = language.as_deref().and_then(Lang::parse).unwrap_or_default();
    let inviter = if actor.via_cli {
        company.clone()
    } else {
        actor.display_name.clone()
    };
    let (subject, text, html) = invitation_mail(lang, &display_name, &email, &inviter, &company, &secret, expires_at);
    w.queue_mail(Outgoing {
        purpose: "user_invitation",
        subject_id: Some(invitation.id),
        to_address: email,
        to_name: Some(display_name),
        subject,
        text,
        html,
        not_before: now,
        attachments: Vec::new(),
    });
    let user = User::from(row);
    w.audit_created(&UserSnapshot::from(&user));
    w.commit().await?;
    Ok(SentInvitation { user, expires_at })
}

fn invitation_mail(
    lang: Lang,
    name: &str,
    email: &str,
    inviter: &str,
    company: &str,
    secret: &str,
    expires_at: DateTime<Utc>,
) -> (String, String, String) {
    let link = format!("{PUBLIC_URL_MARKER}/invitations/{secret}");
    let until = bilan_i18n::format::long_date(lang, bilan_domain::timeline::local_day(expires_at));
    let fill = |key: &str| {
        t(lang, key)
            .replace("{company}", company)
            .replace("{name}", name)
            .replace("{inviter}", inviter)
            .replace("{email}", email)
            .replace("{date}", &until)
    };
    let subject = fill("mail.invite.subject");
    let (greeting, intro, cta, login, expiry) = (
        fill("mail.invite.greeting"),
        fill("mail.invite.intro"),
        fill("mail.invite.cta"),
        fill("mail.invite.login"),
        fill("mail.invite.expiry"),
    );
    let text = format!("{greeting}\n\n{intro}\n\n{cta}\n{link}\n\n{login}\n{expiry}\n");
    let esc = |s: &str| {
        askama::filters::escape(s, askama::filters::Html)
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family:sans-serif\"><p>{}</p><p>{}</p>\
         <p><a href=\"{link}\" style=\"display:inline-block;padding:10px 16px;background:#1f5fbf;color:#fff;text-decoration:none;border-radius:4px\">{}</a></p>\
         <p>{}</p><p style=\"color:#5b6475\">{}</p></body></html>",
        lang.code(),
        esc(&greeting),
        esc(&intro),
        esc(&cta),
        esc(&login),
        esc(&expiry)
    );
    (subject, text, html)
}

/// What a person who opens an invitation link sees.
#[derive(Debug, Clone)]
pub struct OpenInvitation {
    /// Their login e-mail.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// The workspace's name.
    pub company: String,
    /// Their language, for the page.
    pub language: Option<String>,
}

/// Why a link no longer works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedInvitation {
    /// Unknown secret.
    Unknown,
    /// Already used.
    Used,
    /// Past its date.
    Expired,
}

/// The invitation behind a link's secret, if it still works.
pub async fn open(app: &App, secret: &str) -> AppResult<Result<OpenInvitation, ClosedInvitation>> {
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let Some(inv) = store::find_by_token_hash(&mut c, &digest(secret.trim())).await? else {
        return Ok(Err(ClosedInvitation::Unknown));
    };
    if inv.used_at.is_some() {
        return Ok(Err(ClosedInvitation::Used));
    }
    if inv.expires_at <= app.now() {
        return Ok(Err(ClosedInvitation::Expired));
    }
    let Some(user) = users_store::find(&mut c, inv.workspace_id, inv.user_id).await? else {
        return Ok(Err(ClosedInvitation::Unknown));
    };
    let company = bilan_db::workspaces::find(&mut c, inv.workspace_id)
        .await?
        .map(|w| w.name)
        .unwrap_or_default();
    Ok(Ok(OpenInvitation {
        email: user.email,
        display_name: user.display_name,
        company,
        language: user.language,
    }))
}

/// Sets the invited colleague's password through their link, once; returns their
/// e-mail so they can sign in. The link stops working.
pub async fn accept(app: &App, secret: &str, password: &str, confirmation: &str) -> AppResult<String> {
    let mut e = bilan_domain::ValidationErrors::new();
    if let Err(AppError::Validation(pe)) = check_password_strength(password) {
        e.0.extend(pe.0);
    }
    if password != confirmation {
        e.add("confirmation", "password.mismatch");
    }
    e.into_result()?;
    let hash = hash_password(app, password)?;
    let inv = {
        let mut pc = app.db.acquire().await?;
        store::find_by_token_hash(&mut pc.conn(), &digest(secret.trim()))
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mut w = app.write_unchecked(inv.workspace_id, Some(inv.user_id)).await?;
    let now = w.now();
    if inv.expires_at <= now || !store::mark_used(&mut w.conn(), inv.id, now).await? {
        return Err(AppError::Conflict("invitation.closed".into()));
    }
    users_store::set_password_hash(&mut w.conn(), inv.workspace_id, inv.user_id, &hash, now).await?;
    let user = users_store::find(&mut w.conn(), inv.workspace_id, inv.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    w.audit_entry(
        AuditAction::Update,
        "user",
        user.id,
        Some(&serde_json::json!({ "invitation": "open" })),
        Some(&serde_json::json!({ "invitation": "accepted" })),
    );
    w.commit().await?;
    Ok(user.email)
}

/// The workspace's colleagues with an invitation still open (the team page marks them).
pub async fn pending(app: &App, actor: &Actor) -> AppResult<Vec<Uuid>> {
    actor.require(Permission::ReadUsers)?;
    let mut pc = app.db.acquire().await?;
    Ok(store::pending_users(&mut pc.conn(), actor.workspace_id, app.now()).await?)
}
