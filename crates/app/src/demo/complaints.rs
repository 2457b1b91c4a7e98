//! The demo's complaints: a year of cases across states and categories up to the
//! timeline's "now" — most settled, some still open and a few late, a few before
//! a mediator, gestures granted on part of the resolutions. Each case is built by
//! the domain's own steps ([`bilan_domain::complaints::apply`]), so its dates and
//! deadlines are what the application itself would have recorded.

use super::{demo_id, generate_account, mix64, timeline_now, Chunk, Plan, Rng, SEED};
use crate::{App, AppResult};
use bilan_db::complaints::{self as store, ComplaintRow, StepRow};
use bilan_domain::calendar::add_working_days;
use bilan_domain::complaints::{
    apply, deadlines, Category, ClientKind, Complaint, ComplaintRules, ComplaintState, Gesture, GestureKind, Severity,
    Step, Transition,
};
use bilan_domain::money::{Currency, Money};
use bilan_domain::timeline::{local_day, Channel};
use chrono::{Duration, NaiveDate};
use std::ops::Range;

const ID_COMPLAINT: u64 = 9;
const ID_STEP: u64 = 10;

/// The client's words: (category, French, English).
const WORDS: &[(Category, &str, &str)] = &[
    (
        Category::Delivery,
        "Livraison arrivée avec cinq jours de retard et deux palettes abîmées. Nous avons dû décaler notre production.",
        "Delivery five days late with two damaged pallets. We had to postpone our production.",
    ),
    (
        Category::Delivery,
        "Commande incomplète : il manque trois références sur le bon de livraison.",
        "Incomplete order: three items on the delivery note are missing.",
    ),
    (
        Category::Quality,
        "Le lot reçu ne respecte pas les tolérances convenues, 12 % de rebut à notre contrôle d'entrée.",
        "The batch received is out of the agreed tolerances, 12% rejected at our incoming inspection.",
    ),
    (
        Category::Quality,
        "Deuxième panne sur la même machine en un mois, malgré l'intervention du technicien.",
        "Second breakdown of the same machine in a month, despite the technician's visit.",
    ),
    (
        Category::Invoice,
        "La facture reprend l'ancien tarif alors que l'avenant signé en mars prévoit une remise.",
        "The invoice uses the old price although the amendment signed in March grants a discount.",
    ),
    (
        Category::Invoice,
        "Facturé deux fois pour la même prestation de maintenance.",
        "Invoiced twice for the same maintenance service.",
    ),
    (
        Category::Service,
        "Trois interlocuteurs différents en deux semaines, personne ne rappelle.",
        "Three different contacts in two weeks, nobody calls back.",
    ),
    (
        Category::Price,
        "Hausse de 9 % annoncée sans préavis, contraire à nos conditions.",
        "A 9% increase announced without notice, against our terms.",
    ),
    (
        Category::Other,
        "Notre badge d'accès au portail ne fonctionne plus depuis la migration.",
        "Our portal access no longer works since the migration.",
    ),
];

/// Answers sent: (French, English).
const ANSWERS: &[(&str, &str)] = &[
    (
        "Après vérification, le transporteur est en cause : nous prenons en charge le remplacement et revoyons nos délais d'enlèvement.",
        "Having checked, the carrier is at fault: we replace the goods and are reviewing our pick-up times.",
    ),
    (
        "Vous avez raison : un avoir correspondant à l'écart est émis et la facture corrigée suit.",
        "You are right: a credit note for the difference is issued and the corrected invoice follows.",
    ),
    (
        "Notre analyse montre que les pièces étaient conformes au cahier des charges ; nous vous proposons un essai conjoint.",
        "Our analysis shows the parts met the specification; we suggest a joint test.",
    ),
];

/// Every complaint of a range of accounts with its steps; pure. Numbers are
/// given in order by the caller.
fn generate(plan: &Plan, range: Range<usize>) -> Vec<(Complaint, Vec<Step>)> {
    let today = local_day(timeline_now());
    let rules = ComplaintRules::default();
    let mut out = Vec::new();
    for index in range {
        let mut rng = Rng::new(mix64(SEED ^ mix64(index as u64 ^ 0xC0_3A17)));
        let count = if index == 0 {
            8
        } else if rng.chance(0.04) {
            1 + usize::from(rng.chance(0.2))
        } else {
            0
        };
        if count == 0 {
            continue;
        }
        let mut scratch = Chunk::default();
        generate_account(plan, index, &mut scratch);
        let Some(account) = scratch.accounts.first() else {
            continue;
        };
        let contacts: Vec<_> = scratch.contacts.iter().filter(|c| c.email.is_some()).collect();
        for k in 0..count {
            let seq = ((index as u64) << 8) | k as u64;
            let age = rng.below(365) as u64;
            let received_on = today.checked_sub_days(chrono::Days::new(age)).unwrap_or(today);
            let (category, fr, en) = *rng.pick(WORDS);
            let english = contacts.first().is_some_and(|c| c.language == "en");
            let contact = (!contacts.is_empty()).then(|| rng.pick(&contacts).id);
            let client_kind = if rng.chance(0.1) {
                ClientKind::Consumer
            } else {
                ClientKind::Business
            };
            let owner = account
                .owner_id
                .or_else(|| plan.staff.last().copied())
                .unwrap_or(plan.workspace);
            let created = super::instant(received_on, 9 * 3600);
            let mut case = Complaint {
                id: demo_id(ID_COMPLAINT, seq, created),
                workspace_id: plan.workspace,
                number: 0,
                account_id: account.id,
                contact_id: contact,
                interaction_id: None,
                invoice_id: None,
                received_on,
                channel: rng
                    .pick_weighted(
                        &[
                            (Channel::Email, 10),
                            (Channel::Letter, 4),
                            (Channel::Phone, 3),
                            (Channel::WebForm, 2),
                            (Channel::Portal, 1),
                        ],
                        |(_, w)| *w,
                    )
                    .0,
                client_kind,
                category,
                severity: rng
                    .pick_weighted(
                        &[
                            (Severity::Low, 3),
                            (Severity::Medium, 5),
                            (Severity::High, 2),
                            (Severity::Critical, 1),
                        ],
                        |(_, w)| *w,
                    )
                    .0,
                concerns: match category {
                    Category::Invoice => Some(format!(
                        "Facture F-{}-{:04}",
                        received_on.format("%Y"),
                        rng.below(9000) + 1000
                    )),
                    Category::Delivery => Some(format!("BL {}", received_on.format("%d/%m/%Y"))),
                    _ => None,
                },
                summary: if english { en } else { fr }.to_owned(),
                owner_id: owner,
                state: ComplaintState::Received,
                deadlines: deadlines(rules, received_on, client_kind, None),
                mediation_notified_on: None,
                acknowledged_on: None,
                answered_on: None,
                resolved_on: None,
                closed_on: None,
                gesture: None,
                version: 1,
                created_at: created,
                updated_at: created,
            };
            let mut steps = vec![Step {
                id: demo_id(ID_STEP, seq << 4, created),
                complaint_id: case.id,
                from_state: None,
                to_state: ComplaintState::Received,
                on: received_on,
                user_id: Some(owner),
                reason: None,
                gesture: None,
                created_at: created,
            }];
            let answer = rng.pick(ANSWERS);
            let answer = if english { answer.1 } else { answer.0 }.to_owned();
            // The path this case takes, with the days between steps.
            let late_ack = rng.chance(0.08);
            let mut path: Vec<(ComplaintState, NaiveDate, Option<String>, Option<Gesture>)> = Vec::new();
            let ack = add_working_days(received_on, if late_ack { 4 } else { 1 + rng.below(2) as u32 })
                .unwrap_or(received_on);
            path.push((ComplaintState::Acknowledged, ack, None, None));
            let investigate = ack + Duration::days(1 + rng.below(4) as i64);
            path.push((ComplaintState::Investigating, investigate, None, None));
            let slow = rng.chance(0.12);
            let answered =
                investigate + Duration::days(if slow { 55 + rng.below(30) } else { 3 + rng.below(30) } as i64);
            let outcome = rng.below(100);
            if outcome < 62 {
                let gesture = rng.chance(0.45).then(|| {
                    let kind = *rng.pick(GestureKind::ALL);
                    let minor = match kind {
                        GestureKind::CreditNote | GestureKind::Discount => (50 + rng.below(4_950) as i64) * 100,
                        GestureKind::Replacement | GestureKind::FreeService => 0,
                    };
                    Gesture {
                        kind,
                        amount: Money {
                            minor,
                            currency: Currency::EUR,
                        },
                    }
                });
                path.push((ComplaintState::Resolved, answered, Some(answer.clone()), gesture));
                if rng.chance(0.6) {
                    path.push((
                        ComplaintState::Closed,
                        answered + Duration::days(10 + rng.below(20) as i64),
                        None,
                        None,
                    ));
                }
            } else if outcome < 75 {
                path.push((ComplaintState::Refused, answered, Some(answer.clone()), None));
                if rng.chance(0.3) {
                    let notified = answered + Duration::days(15 + rng.below(30) as i64);
                    path.push((ComplaintState::InMediation, notified, None, None));
                    mediation_outcome(&mut rng, &mut path, notified, &answer);
                } else if rng.chance(0.5) {
                    path.push((ComplaintState::Closed, answered + Duration::days(20), None, None));
                }
            } else {
                path.push((ComplaintState::Answered, answered, Some(answer.clone()), None));
                if rng.chance(0.3) {
                    let notified = answered + Duration::days(20 + rng.below(20) as i64);
                    path.push((ComplaintState::InMediation, notified, None, None));
                    mediation_outcome(&mut rng, &mut path, notified, &answer);
                }
            }
            // Some recent cases are still waiting at some step: the late ones among
            // them are what the list shows first.
            if age < 75 && rng.chance(0.35) {
                let keep = rng.below(path.len());
                path.truncate(keep);
            }
            for (n, (to, on, reason, gesture)) in path.into_iter().enumerate() {
                // A step still in the future has not happened: the case stops here.
                if on > today || !case.state.next().contains(&to) {
                    break;
                }
                let t = Transition {
                    from: case.state,
                    to,
                    on,
                    reason: reason.clone(),
                    gesture,
                    send_letter: false,
                };
                let at = super::instant(on, 10 * 3600);
                case = apply(&case, &t);
                case.updated_at = at;
                case.version += 1;
                steps.push(Step {
                    id: demo_id(ID_STEP, (seq << 4) | (n as u64 + 1), at),
                    complaint_id: case.id,
                    from_state: Some(t.from),
                    to_state: to,
                    on,
                    user_id: Some(owner),
                    reason,
                    gesture,
                    created_at: at,
                });
            }
            out.push((case, steps));
        }
    }
    out
}

/// A path's step after the mediation notified on `notified`: the mediator's
/// opinion, most often followed, some 30 to 80 days later.
fn mediation_outcome(
    rng: &mut Rng,
    path: &mut Vec<(ComplaintState, NaiveDate, Option<String>, Option<Gesture>)>,
    notified: NaiveDate,
    answer: &str,
) {
    let on = notified + Duration::days(30 + rng.below(50) as i64);
    let to = if rng.chance(0.7) {
        ComplaintState::Resolved
    } else {
        ComplaintState::Closed
    };
    path.push((to, on, Some(answer.to_owned()), None));
}

/// Writes the demo's complaints; returns how many.
pub(super) async fn write(app: &App, plan: &std::sync::Arc<Plan>) -> AppResult<usize> {
    let step = 5_000;
    let mut number = 0i64;
    let mut start = 0;
    while start < plan.accounts {
        let range = start..(start + step).min(plan.accounts);
        start = range.end;
        let p = std::sync::Arc::clone(plan);
        let cases = tokio::task::spawn_blocking(move || generate(&p, range))
            .await
            .map_err(|e| crate::AppError::Internal(format!("demo complaints generation failed: {e}")))?;
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        for (mut case, steps) in cases {
            number += 1;
            case.number = number;
            store::insert(&mut c, &ComplaintRow::from_complaint(&case)).await?;
            let rows: Vec<StepRow> = steps.iter().map(|s| StepRow::from_step(plan.workspace, s)).collect();
            store::insert_steps(&mut c, &rows).await?;
        }
        tx.commit().await?;
    }
    let mut tx = app.db.begin().await?;
    store::set_number(&mut tx.conn(), plan.workspace, number).await?;
    tx.commit().await?;
    Ok(usize::try_from(number).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_follow_the_domain_rules() {
        let plan = super::super::tests::plan(400, super::super::DemoSize::Small);
        let cases = generate(&plan, 0..400);
        assert!(cases.len() >= 10, "{} cases", cases.len());
        let today = local_day(timeline_now());
        let mut states = std::collections::HashSet::new();
        for (c, steps) in &cases {
            states.insert(c.state);
            assert!(c.received_on <= today);
            assert_eq!(steps.first().map(|s| s.to_state), Some(ComplaintState::Received));
            assert_eq!(steps.last().map(|s| s.to_state), Some(c.state));
            for w in steps.windows(2) {
                assert!(w[0].on <= w[1].on, "steps in date order");
                assert!(w[0].to_state.next().contains(&w[1].to_state));
            }
            assert!(steps.iter().all(|s| s.on <= today));
        }
        assert!(states.contains(&ComplaintState::Resolved));
        assert!(states.len() >= 4, "{states:?}");
    }
}
