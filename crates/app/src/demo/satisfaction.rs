//! The demo's satisfaction: three surveys with their sending rules, and a year of
//! invitations and answers up to the timeline's "now", with plausible scores (each
//! account has a mood, the year improves a little, some account managers do better
//! than others), response rates around 40 % and verbatims in the contact's language.
//!
//! Demo answers are not put on the timelines: those are generated whole, with their
//! first responses computed, and an inbound entry added afterwards would make them
//! inconsistent. Live answers do go on the timeline.

use super::{demo_id, generate_account, mix64, timeline_now, Chunk, Plan, Rng, SEED};
use crate::{App, AppResult};
use bilan_db::events::{self as db_events, EventRow};
use bilan_db::surveys::{self as db_surveys, AnswerRow, InvitationRow};
use bilan_domain::contacts::BuyingRole;
use bilan_domain::events::EventKind;
use bilan_domain::surveys::{invitation_expires_at, NewRule, NewSurvey, SurveyKind};
use bilan_domain::timeline::local_day;
use chrono::Duration;
use std::ops::Range;
use uuid::Uuid;

const ID_EVENT: u64 = 5;
const ID_INVITATION: u64 = 6;
const ID_ANSWER: u64 = 7;
const ID_OUTBOX: u64 = 8;

/// How far back the demo's outgoing e-mail goes: enough for the page to show
/// what was sent lately, few enough rows for the large dataset.
const OUTBOX_DAYS: i64 = 45;

/// The demo's surveys: (name, kind, French question, English question, event, delay hours).
const SURVEYS: &[(&str, SurveyKind, &str, &str, EventKind, u32)] = &[
    (
        "NPS après livraison",
        SurveyKind::Nps,
        "Quelle est la probabilité que vous recommandiez nos services à un collègue ?",
        "How likely are you to recommend our services to a colleague?",
        EventKind::Delivery,
        // No delay: a newcomer who logs a delivery sees the e-mail at once.
        0,
    ),
    (
        "CSAT support",
        SurveyKind::Csat,
        "Êtes-vous satisfait de la réponse apportée à votre demande ?",
        "Are you satisfied with the answer to your request?",
        EventKind::SupportExchange,
        2,
    ),
    (
        "CES rendez-vous",
        SurveyKind::Ces,
        "Organiser ce rendez-vous avec nous a-t-il été facile ?",
        "Was it easy to organise this meeting with us?",
        EventKind::Meeting,
        4,
    ),
];

/// Verbatims by tone: (French, English).
const PRAISE: &[(&str, &str)] = &[
    (
        "Livraison à l'heure et équipe très pro, merci.",
        "Delivered on time, very professional team, thanks.",
    ),
    ("Réactivité excellente du support.", "Excellent support responsiveness."),
    (
        "Interlocuteur disponible, on se sent suivis.",
        "Our contact is available, we feel looked after.",
    ),
    ("Rien à redire, comme d'habitude.", "Nothing to add, as usual."),
    (
        "Le technicien a réglé le problème du premier coup.",
        "The technician fixed it the first time.",
    ),
];
const MIXED: &[(&str, &str)] = &[
    (
        "Correct, mais les délais pourraient être plus courts.",
        "Fine, but lead times could be shorter.",
    ),
    (
        "Bon produit, facturation parfois confuse.",
        "Good product, invoicing sometimes confusing.",
    ),
    (
        "Il a fallu relancer deux fois avant d'avoir une réponse.",
        "We had to chase twice before getting an answer.",
    ),
    (
        "Globalement bien, le portail reste peu pratique.",
        "Good overall, the portal is still awkward.",
    ),
];
const COMPLAINTS: &[(&str, &str)] = &[
    (
        "Retard de livraison sans prévenir, palette abîmée.",
        "Late delivery without notice, damaged pallet.",
    ),
    (
        "Trois interlocuteurs différents pour un seul problème.",
        "Three different contacts for a single problem.",
    ),
    (
        "Facture erronée, toujours pas d'avoir.",
        "Wrong invoice, still no credit note.",
    ),
    (
        "Personne ne rappelle quand on laisse un message.",
        "Nobody calls back when we leave a message.",
    ),
    ("Prix en hausse sans explication.", "Prices up without explanation."),
];

/// Everything the generator writes for one chunk of accounts.
#[derive(Debug, Default)]
pub(super) struct SatisfactionChunk {
    events: Vec<EventRow>,
    invitations: Vec<InvitationRow>,
    answers: Vec<AnswerRow>,
    /// The invitation e-mails of the last weeks, as sent (bodies emptied once sent, as for real).
    sent_mail: Vec<bilan_db::outbox::OutboxRow>,
}

/// Creates the surveys and rules; returns their ids in [`SURVEYS`] order.
async fn create_surveys(app: &App, plan: &Plan) -> AppResult<Vec<(Uuid, SurveyKind)>> {
    let now = timeline_now() - Duration::days(366);
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut ids = Vec::new();
    for (i, (name, kind, fr, en, event, delay)) in SURVEYS.iter().enumerate() {
        let survey = db_surveys::insert_survey(
            &mut c,
            plan.workspace,
            demo_id(ID_EVENT, (1 << 50) + i as u64, now),
            &NewSurvey {
                name: (*name).to_owned(),
                kind: *kind,
                question_fr: Some((*fr).to_owned()),
                question_en: Some((*en).to_owned()),
                comment_question_fr: Some("Que pourrions-nous améliorer ?".to_owned()),
                comment_question_en: Some("What could we do better?".to_owned()),
                expiry_days: 14,
                active: true,
            },
            None,
            now,
        )
        .await?;
        let roles = if *event == EventKind::Delivery {
            vec![BuyingRole::KeyUser, BuyingRole::Buyer]
        } else {
            Vec::new()
        };
        db_surveys::insert_rule(
            &mut c,
            plan.workspace,
            demo_id(ID_EVENT, (1 << 51) + i as u64, now),
            &NewRule {
                survey_id: survey.id,
                event_kind: *event,
                delay_hours: *delay,
                roles,
            },
            now,
        )
        .await?;
        ids.push((survey.id, *kind));
    }
    tx.commit().await?;
    Ok(ids)
}

/// A score on `kind`'s scale: `bias` above zero makes good scores likelier.
fn score(rng: &mut Rng, kind: SurveyKind, bias: f64) -> i16 {
    // A base B2B profile (NPS near +25, CSAT near 82 %, CES near 5.3) moved by the bias.
    let u = (rng.unit() + bias * 0.25).clamp(0.0, 0.999_999);
    match kind {
        SurveyKind::Nps => {
            const CUM: [(f64, i16); 11] = [
                (0.02, 0),
                (0.03, 1),
                (0.05, 2),
                (0.08, 3),
                (0.11, 4),
                (0.15, 5),
                (0.20, 6),
                (0.33, 7),
                (0.55, 8),
                (0.78, 9),
                (1.0, 10),
            ];
            CUM.iter().find(|(p, _)| u < *p).map(|(_, s)| *s).unwrap_or(10)
        }
        SurveyKind::Csat => {
            const CUM: [(f64, i16); 5] = [(0.05, 1), (0.10, 2), (0.18, 3), (0.55, 4), (1.0, 5)];
            CUM.iter().find(|(p, _)| u < *p).map(|(_, s)| *s).unwrap_or(5)
        }
        SurveyKind::Ces => {
            const CUM: [(f64, i16); 7] = [
                (0.03, 1),
                (0.07, 2),
                (0.13, 3),
                (0.25, 4),
                (0.48, 5),
                (0.78, 6),
                (1.0, 7),
            ];
            CUM.iter().find(|(p, _)| u < *p).map(|(_, s)| *s).unwrap_or(7)
        }
    }
}

fn verbatim(rng: &mut Rng, kind: SurveyKind, score: i16, english: bool) -> String {
    let list = if bilan_domain::surveys::is_negative(kind, score) {
        COMPLAINTS
    } else if matches!(kind, SurveyKind::Nps) && score >= 9
        || !matches!(kind, SurveyKind::Nps) && score >= kind.max() - 1
    {
        PRAISE
    } else {
        MIXED
    };
    let (fr, en) = rng.pick(list);
    if english { en } else { fr }.to_string()
}

/// The invitations and answers of a range of accounts; pure.
pub(super) fn generate(plan: &Plan, surveys: &[(Uuid, SurveyKind)], range: Range<usize>) -> SatisfactionChunk {
    let mut out = SatisfactionChunk::default();
    let end = timeline_now();
    let year = 365 * 86_400;
    let start = end - Duration::seconds(year);
    for index in range {
        let mut scratch = Chunk::default();
        generate_account(plan, index, &mut scratch);
        let Some(account) = scratch.accounts.first() else {
            continue;
        };
        let eligible: Vec<_> = scratch
            .contacts
            .iter()
            .filter(|c| c.survey_consent && c.left_on.is_none() && c.email.is_some())
            .collect();
        if eligible.is_empty() {
            continue;
        }
        let mut rng = Rng::new(mix64(SEED ^ mix64(index as u64 ^ 0x5A7_1500)));
        // An account's mood, and an owner effect: some managers' clients are happier.
        let owner_effect = account
            .owner_id
            .map(|o| ((o.as_u128() % 7) as f64 - 3.0) / 10.0)
            .unwrap_or(-0.2);
        let mood = (rng.unit() - 0.5) * 1.2 + owner_effect;
        let mean = if index == 0 {
            400.0
        } else {
            0.6 + eligible.len() as f64 * 0.25
        };
        let count = rng.exponential(mean).round() as usize;
        for k in 0..count.min(2_000) {
            let contact = *rng.pick(&eligible);
            let (survey, kind) = *rng.pick_weighted(surveys, |(_, kind)| match kind {
                SurveyKind::Nps => 5,
                SurveyKind::Csat => 4,
                SurveyKind::Ces => 2,
            });
            let event_kind = match kind {
                SurveyKind::Nps => EventKind::Delivery,
                SurveyKind::Csat => EventKind::SupportExchange,
                SurveyKind::Ces => EventKind::Meeting,
            };
            let offset = rng.below(year as usize) as i64;
            let occurred = start + Duration::seconds(offset);
            let send_at = occurred + Duration::hours(2);
            let seq = ((index as u64) << 20) | k as u64;
            let event = EventRow {
                id: demo_id(ID_EVENT, seq, occurred),
                workspace_id: plan.workspace,
                kind: event_kind.code().to_owned(),
                account_id: account.id,
                contact_ids: contact.id.to_string(),
                source_kind: "demo".to_owned(),
                source_id: demo_id(ID_EVENT, seq | (1 << 57), occurred),
                occurred_at: occurred,
                created_at: occurred,
            };
            let invitation_id = demo_id(ID_INVITATION, seq, send_at);
            let answered = rng.chance(0.42);
            let answered_at = answered.then(|| send_at + Duration::minutes(5 + rng.exponential(18.0 * 60.0) as i64));
            let answered_at = answered_at.filter(|t| *t < end && *t < invitation_expires_at(send_at, 14));
            out.invitations.push(InvitationRow {
                id: invitation_id,
                workspace_id: plan.workspace,
                survey_id: survey,
                event_id: event.id,
                account_id: account.id,
                contact_id: contact.id,
                // Nobody holds the demo links' secrets: the hash of the id stands in.
                token_hash: crate::auth::digest(&invitation_id.to_string()),
                language: contact.language.clone(),
                send_at,
                expires_at: invitation_expires_at(send_at, 14),
                answered_at,
                created_at: occurred,
            });
            out.events.push(event);
            if send_at > end - Duration::days(OUTBOX_DAYS) && send_at < end {
                if let Some(email) = contact.email.clone() {
                    let lang = bilan_i18n::Lang::parse(&contact.language).unwrap_or_default();
                    let name = match &contact.first_name {
                        Some(f) => format!("{f} {}", contact.last_name),
                        None => contact.last_name.clone(),
                    };
                    let id = demo_id(ID_OUTBOX, seq, send_at);
                    out.sent_mail.push(bilan_db::outbox::OutboxRow {
                        id,
                        workspace_id: plan.workspace,
                        purpose: "survey_invitation".to_owned(),
                        subject_id: Some(invitation_id),
                        to_address: email,
                        to_name: Some(name),
                        subject: bilan_i18n::t(lang, "mail.survey.subject").replace("{company}", super::DEMO_WORKSPACE),
                        body_text: String::new(),
                        body_html: String::new(),
                        message_id: format!("<{id}@demo.bilan.test>"),
                        status: "sent".to_owned(),
                        not_before: send_at,
                        attempts: 1,
                        claimed_by: None,
                        claimed_until: None,
                        last_error: None,
                        sent_at: Some(send_at + Duration::seconds(3)),
                        created_at: send_at,
                    });
                }
            }
            if let Some(at) = answered_at {
                // The year gets a little better: up to +0.3 of bias by its end.
                let progress = offset as f64 / year as f64;
                let s = score(&mut rng, kind, mood + progress * 0.3);
                let comment = rng
                    .chance(if bilan_domain::surveys::is_negative(kind, s) {
                        0.7
                    } else {
                        0.3
                    })
                    .then(|| verbatim(&mut rng, kind, s, contact.language == "en"));
                out.answers.push(AnswerRow {
                    id: demo_id(ID_ANSWER, seq, at),
                    workspace_id: plan.workspace,
                    invitation_id,
                    survey_id: survey,
                    account_id: account.id,
                    contact_id: contact.id,
                    kind: kind.code().to_owned(),
                    score: i32::from(s),
                    comment,
                    answered_at: at,
                    answered_on: local_day(at),
                    site_id: contact.site_id,
                    roles: contact.roles.clone(),
                    segment: account.size.clone(),
                    owner_id: account.owner_id,
                    interaction_id: None,
                });
            }
        }
    }
    out
}

/// Writes the demo's surveys and a year of answers; returns how many answers.
pub(super) async fn write(app: &App, plan: &std::sync::Arc<Plan>) -> AppResult<usize> {
    let surveys = std::sync::Arc::new(create_surveys(app, plan).await?);
    let step = 2_000;
    let mut answers = 0;
    let mut start = 0;
    while start < plan.accounts {
        let range = start..(start + step).min(plan.accounts);
        start = range.end;
        let (p, s) = (std::sync::Arc::clone(plan), std::sync::Arc::clone(&surveys));
        let chunk = tokio::task::spawn_blocking(move || generate(&p, &s, range))
            .await
            .map_err(|e| crate::AppError::Internal(format!("demo satisfaction generation failed: {e}")))?;
        // A range of accounts is a few thousand rows: one transaction, answers after
        // the invitations they refer to.
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        db_events::insert_many(&mut c, &chunk.events).await?;
        db_surveys::insert_invitations(&mut c, &chunk.invitations).await?;
        db_surveys::insert_answers(&mut c, &chunk.answers).await?;
        for m in &chunk.sent_mail {
            bilan_db::outbox::insert(&mut c, m).await?;
        }
        tx.commit().await?;
        answers += chunk.answers.len();
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_stay_on_their_scales_and_the_mood_moves_them() {
        let mut rng = Rng::new(7);
        for kind in SurveyKind::ALL {
            for bias in [-2.0, 0.0, 2.0] {
                for _ in 0..200 {
                    assert!(kind.is_valid_score(score(&mut rng, kind, bias)));
                }
            }
        }
        let mean = |bias: f64| {
            let mut rng = Rng::new(11);
            (0..2000)
                .map(|_| f64::from(score(&mut rng, SurveyKind::Nps, bias)))
                .sum::<f64>()
                / 2000.0
        };
        assert!(mean(0.8) > mean(0.0) && mean(0.0) > mean(-0.8));
    }

    #[test]
    fn a_verbatim_matches_the_score() {
        let mut rng = Rng::new(3);
        let bad = verbatim(&mut rng, SurveyKind::Nps, 2, false);
        assert!(COMPLAINTS.iter().any(|(fr, _)| *fr == bad));
        let good = verbatim(&mut rng, SurveyKind::Csat, 5, true);
        assert!(PRAISE.iter().any(|(_, en)| *en == good));
    }
}
