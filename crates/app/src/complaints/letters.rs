//! The letters of a case: written from the workspace's templates in the contact's
//! language, queued in the outbox, and logged on the account's timeline as an
//! outbound e-mail about the case, in the unit of work of the step that sent it.

use super::settings::{row_in, template_in};
use crate::outbox::Outgoing;
use crate::{Actor, AppResult, Work};
use bilan_domain::complaint_letters::{fill, LetterFacts, LetterKind};
use bilan_domain::complaints::{ClientKind, Complaint, ComplaintState, Transition};
use bilan_domain::timeline::{Channel, Direction, NewInteraction};
use bilan_i18n::{format::long_date, t, Lang};
use serde::Serialize;
use uuid::Uuid;

/// The tag of the exchanges a case's letters leave on the timeline.
pub const LETTER_TAG: &str = "complaint";

/// A letter that went out with a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LetterSent {
    /// Which letter.
    pub kind: LetterKind,
    /// To whom.
    pub to: String,
    /// Its subject.
    pub subject: String,
    /// The exchange it left on the timeline.
    pub interaction_id: Uuid,
}

/// The letter a step calls for: the acknowledgement when receipt is acknowledged,
/// the answer when the first answer goes out (answered, refused or resolved) and
/// the step carries its text.
pub fn letter_for(before: &Complaint, t: &Transition) -> Option<LetterKind> {
    match t.to {
        ComplaintState::Acknowledged => Some(LetterKind::Acknowledgement),
        ComplaintState::Answered | ComplaintState::Refused | ComplaintState::Resolved
            if t.reason.is_some() && (before.answered_on.is_none() || t.to != ComplaintState::Resolved) =>
        {
            Some(LetterKind::Answer)
        }
        _ => None,
    }
}

/// Sends the step's letter, if it calls for one and the contact has an address.
pub(super) async fn send_for_step(
    w: &mut Work,
    actor: &Actor,
    before: &Complaint,
    after: &Complaint,
    step: &Transition,
) -> AppResult<Option<LetterSent>> {
    let Some(kind) = letter_for(before, step) else {
        return Ok(None);
    };
    let ws = w.workspace_id();
    let Some(contact_id) = after.contact_id else {
        return Ok(None);
    };
    let Some(contact) = bilan_db::contacts::find(&mut w.conn(), ws, contact_id).await? else {
        return Ok(None);
    };
    let Some(address) = contact.email.clone() else {
        return Ok(None);
    };
    let lang = Lang::parse(contact.language.code()).unwrap_or(Lang::Fr);
    let account = bilan_db::accounts::find(&mut w.conn(), ws, after.account_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let company = bilan_db::workspaces::find(&mut w.conn(), ws)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let owner = bilan_db::users::find(&mut w.conn(), ws, after.owner_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let settings = row_in(&mut w.conn(), ws).await?;
    let mediation = if after.client_kind == ClientKind::Consumer && kind == LetterKind::Answer {
        let mediator = settings
            .mediator
            .clone()
            .unwrap_or_else(|| t(lang, "complaints.letter.mediator_unset").to_owned());
        let until = after
            .deadlines
            .mediation_request_by
            .map(|d| long_date(lang, d))
            .unwrap_or_default();
        t(lang, "complaints.letter.mediation")
            .replace("{mediator}", &mediator)
            .replace("{until}", &until)
    } else {
        String::new()
    };
    let facts = LetterFacts {
        reference: after.reference(),
        contact_name: contact.full_name(),
        account,
        company,
        received_on: long_date(lang, after.received_on),
        answer_by: long_date(lang, after.deadlines.answer_by),
        summary: after.summary.clone(),
        answer: step.reason.clone().unwrap_or_default(),
        owner,
        mediation,
    };
    let template = template_in(&mut w.conn(), ws, kind, lang.code()).await?;
    let subject = fill(&template.subject, &facts);
    let text = fill(&template.body, &facts);
    let html = html_of(&text);
    let now = w.now();
    w.queue_mail(Outgoing {
        purpose: "complaint_letter",
        subject_id: Some(after.id),
        to_address: address.clone(),
        to_name: Some(contact.full_name()),
        subject: subject.clone(),
        text: text.clone(),
        html,
        not_before: now,
        attachments: Vec::new(),
    });
    let user = if actor.via_cli { after.owner_id } else { actor.user_id };
    let new = NewInteraction {
        account_id: after.account_id,
        occurred_at: now,
        channel: Channel::Email,
        direction: Direction::Outbound,
        user_id: Some(user),
        contact_ids: vec![contact.id],
        subject: Some(subject.clone()),
        summary: Some(text),
        tags: vec![LETTER_TAG.to_owned()],
        beyond_contract: false,
        related_kind: Some("complaint".to_owned()),
        related_id: Some(after.id),
        external_ref: None,
        follow_up: None,
    };
    let interaction_id = crate::timeline::insert_one(&mut w.conn(), ws, user, &new, now)
        .await?
        .id;
    Ok(Some(LetterSent {
        kind,
        to: address,
        subject,
        interaction_id,
    }))
}

/// The HTML part of a plain-text letter: escaped, one paragraph per block.
pub(crate) fn html_of(text: &str) -> String {
    let esc = |s: &str| {
        askama::filters::escape(s, askama::filters::Html)
            .map(|m| m.to_string())
            .unwrap_or_default()
    };
    let paragraphs: String = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", esc(p).replace('\n', "<br>")))
        .collect();
    format!("<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.5\">{paragraphs}</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_keeps_paragraphs() {
        let h = html_of("Bonjour <Claire>,\n\nLigne 1\nLigne 2");
        assert!(
            h.contains("<p>Bonjour &#60;Claire&#62;,</p>") || h.contains("<p>Bonjour &lt;Claire&gt;,</p>"),
            "{h}"
        );
        assert!(h.contains("<p>Ligne 1<br>Ligne 2</p>"));
    }
}
