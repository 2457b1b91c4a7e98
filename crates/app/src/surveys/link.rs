//! The public link: opened and answered without login, once, before it expires.

use crate::{App, AppError, AppResult};
use bilan_db::surveys::{self as store, AnswerRow, InvitationRow};
use bilan_db::timeline as timeline_store;
use bilan_db::Conn;
use bilan_domain::audit::AuditAction;
use bilan_domain::contacts::BuyingRole;
use bilan_domain::surveys::{AnswerInput, Survey};
use bilan_domain::timeline::{local_day, Channel, Direction, NewFollowUp, NewInteraction};
use bilan_i18n::{t, Lang};
use chrono::{DateTime, Utc};
use uuid::Uuid;

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

/// The language and company of any invitation a secret stands for (answered or
/// expired ones too: its "stop" link works as long as the e-mail exists).
pub async fn open_any_link(app: &App, secret: &str) -> AppResult<Option<(Lang, String)>> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let hash = crate::auth::digest(&secret.to_ascii_lowercase());
    let Some(inv) = store::find_invitation_by_token(&mut c, &hash).await? else {
        return Ok(None);
    };
    let company = bilan_db::workspaces::find(&mut c, inv.workspace_id)
        .await?
        .map(|ws| ws.name)
        .unwrap_or_default();
    Ok(Some((Lang::parse(&inv.language).unwrap_or(Lang::Fr), company)))
}

/// Withdraws the contact's consent through the "stop receiving surveys" link of any
/// invitation they received (answered or not, expired or not): from then on no
/// rule nor person can survey them. Returns the page's language and the company's
/// name; `None` for an unknown link.
pub async fn stop_surveys(app: &App, secret: &str) -> AppResult<Option<(Lang, String)>> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = crate::auth::digest(&secret.to_ascii_lowercase());
    let inv = {
        let mut pc = app.db.acquire().await?;
        match store::find_invitation_by_token(&mut pc.conn(), &hash).await? {
            Some(inv) => inv,
            None => return Ok(None),
        }
    };
    let mut w = app.write_unchecked(inv.workspace_id, None).await?;
    let now = w.now();
    if bilan_db::contacts::withdraw_survey_consent(&mut w.conn(), inv.workspace_id, inv.contact_id, now).await? {
        w.audit_entry(
            AuditAction::Update,
            "contact",
            inv.contact_id,
            Some(&serde_json::json!({ "survey_consent": true })),
            Some(&serde_json::json!({ "survey_consent": false, "by": "the contact, through a survey e-mail" })),
        );
    }
    let company = bilan_db::workspaces::find(&mut w.conn(), inv.workspace_id)
        .await?
        .map(|ws| ws.name)
        .unwrap_or_default();
    w.commit().await?;
    Ok(Some((Lang::parse(&inv.language).unwrap_or(Lang::Fr), company)))
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
    // The link says which workspace it belongs to; the unit of work is opened in
    // it, and the invitation read again inside (it may have been answered since).
    let ws = {
        let mut pc = app.db.acquire().await?;
        match live_invitation(&mut pc.conn(), secret, now).await? {
            Ok(inv) => inv.workspace_id,
            Err(p) => return Ok(Err(p)),
        }
    };
    let mut w = app.write_unchecked(ws, None).await?;
    let now = w.now();
    let mut c = w.conn();
    let inv = match live_invitation(&mut c, secret, now).await? {
        Ok(inv) if inv.workspace_id == ws => inv,
        Ok(_) => return Err(AppError::NotFound),
        Err(p) => return Ok(Err(p)),
    };
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
    let owner = match account.owner_id.or(store::survey_creator(&mut c, ws, survey.id).await?) {
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
    let interaction_id = crate::timeline::insert_one(&mut c, ws, owner, &new, now).await?.id;
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
    let snapshot = serde_json::json!({
        "survey_id": survey.id, "contact_id": contact.id, "kind": survey.kind.code(),
        "score": answer.score, "comment": answer.comment,
    });
    let interaction = timeline_store::find(&mut c, ws, interaction_id)
        .await?
        .ok_or(AppError::NotFound)?;
    w.audit_entry(AuditAction::Create, "survey_answer", answer_id, None, Some(&snapshot));
    w.audit_created(&interaction);
    w.commit().await?;
    tracing::info!(answer.id = %answer_id, account.id = %account.id, negative = follow_up.is_some(), "survey answered");
    Ok(Ok(Answered {
        answer_id,
        interaction_id,
        follow_up: follow_up.is_some(),
        lang,
    }))
}

async fn first_admin(c: &mut Conn<'_>, ws: Uuid) -> AppResult<Option<Uuid>> {
    let users = bilan_db::users::list(c, ws).await?;
    Ok(users
        .iter()
        .find(|u| u.role == "admin" && u.disabled_at.is_none())
        .or(users.first())
        .map(|u| u.id))
}
