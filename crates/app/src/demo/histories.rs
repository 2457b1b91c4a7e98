//! The shared history: each account's exchanges over the years.

use super::*;

pub(super) const ID_INTERACTION: u64 = 4;

/// Interactions per transaction.
pub(super) const CHUNK_INTERACTIONS: usize = 20_000;

/// Bits of an interaction id's sequence holding its position in the account's timeline.
pub(super) const POS_BITS: u32 = 28;

/// The timeline's "now": the history runs up to it and follow-ups are due around it.
pub(super) fn timeline_now() -> DateTime<Utc> {
    instant(ymd(2026, 11, 23), 16 * 3600)
}

/// Who on our side handles a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Team {
    Owner,
    Finance,
    Support,
}

/// A kind of exchange. `{n}` in a text becomes a number, `{p}` a place.
pub(super) struct Topic {
    pub(super) fr: &'static str,
    pub(super) en: &'static str,
    pub(super) fr_summary: &'static str,
    pub(super) en_summary: &'static str,
    pub(super) tag: &'static str,
    pub(super) inbound: bool,
    pub(super) beyond: bool,
    pub(super) team: Team,
    /// Channels as indexes in [`Channel::ALL`] with weights.
    pub(super) channels: &'static [(u8, u32)],
    pub(super) weight: u32,
}

// Channel::ALL order: email, phone, meeting, visit, chat, whatsapp, linkedin, web_form, letter, portal.
pub(super) const CH_REQUEST: &[(u8, u32)] = &[(0, 45), (1, 24), (4, 5), (5, 4), (6, 2), (7, 6), (8, 3), (9, 11)];
pub(super) const CH_FINANCE: &[(u8, u32)] = &[(0, 70), (1, 15), (8, 10), (9, 5)];
pub(super) const CH_MEETING: &[(u8, u32)] = &[(2, 70), (3, 30)];
pub(super) const CH_VISIT: &[(u8, u32)] = &[(3, 1)];
pub(super) const CH_CALL: &[(u8, u32)] = &[(1, 70), (0, 20), (5, 5), (6, 5)];
pub(super) const CH_NEWS: &[(u8, u32)] = &[(0, 70), (6, 30)];

#[rustfmt::skip]
pub(super) const TOPICS: &[Topic] = &[
    Topic { fr: "Retard de livraison sur la commande {n}", en: "Late delivery on order {n}", fr_summary: "Le client signale que la commande {n} n'est pas arrivée à la date prévue sur le site de {p}.", en_summary: "The client reports that order {n} did not reach the {p} site on the expected date.", tag: "livraison", inbound: true, beyond: false, team: Team::Support, channels: CH_REQUEST, weight: 14 },
    Topic { fr: "Demande de devis", en: "Quote request", fr_summary: "Demande de devis pour un renouvellement de matériel sur le site de {p}.", en_summary: "Request for a quote to renew equipment at the {p} site.", tag: "devis", inbound: true, beyond: false, team: Team::Owner, channels: CH_REQUEST, weight: 12 },
    Topic { fr: "Réclamation facture {n}", en: "Invoice dispute {n}", fr_summary: "Le client conteste le montant de la facture {n} (écart avec le bon de commande).", en_summary: "The client disputes the amount of invoice {n} (it differs from the purchase order).", tag: "facturation", inbound: true, beyond: false, team: Team::Finance, channels: CH_FINANCE, weight: 7 },
    Topic { fr: "Question technique sur l'installation de {p}", en: "Technical question about the {p} installation", fr_summary: "Question sur le paramétrage et la maintenance de l'installation.", en_summary: "Question about the set-up and maintenance of the installation.", tag: "support", inbound: true, beyond: false, team: Team::Support, channels: CH_REQUEST, weight: 10 },
    Topic { fr: "Incident signalé sur le site de {p}", en: "Incident reported at the {p} site", fr_summary: "Panne signalée, ticket {n} ouvert, intervention demandée en urgence.", en_summary: "Breakdown reported, ticket {n} opened, urgent intervention requested.", tag: "incident", inbound: true, beyond: false, team: Team::Support, channels: CH_REQUEST, weight: 8 },
    Topic { fr: "Modification de la commande {n}", en: "Change to order {n}", fr_summary: "Le client souhaite modifier les quantités et la date de livraison de la commande {n}.", en_summary: "The client wants to change the quantities and delivery date of order {n}.", tag: "commande", inbound: true, beyond: false, team: Team::Owner, channels: CH_REQUEST, weight: 7 },
    Topic { fr: "Question sur le renouvellement du contrat", en: "Question about the contract renewal", fr_summary: "Le client demande les conditions de renouvellement et un calendrier.", en_summary: "The client asks for the renewal terms and a timeline.", tag: "contrat", inbound: true, beyond: false, team: Team::Owner, channels: CH_REQUEST, weight: 4 },
    Topic { fr: "Demande de documentation", en: "Documentation request", fr_summary: "Demande des fiches techniques et certificats de conformité.", en_summary: "Request for the data sheets and compliance certificates.", tag: "documentation", inbound: true, beyond: false, team: Team::Support, channels: CH_REQUEST, weight: 4 },
    Topic { fr: "Point trimestriel {q}", en: "Quarterly review {q}", fr_summary: "Revue des volumes, de la qualité de service et des projets à venir.", en_summary: "Review of volumes, service quality and upcoming projects.", tag: "revue", inbound: false, beyond: false, team: Team::Owner, channels: CH_MEETING, weight: 6 },
    Topic { fr: "Visite du site de {p}", en: "Visit to the {p} site", fr_summary: "Visite des installations avec le responsable du site, recueil des besoins.", en_summary: "Tour of the facilities with the site manager, needs gathered.", tag: "visite", inbound: false, beyond: false, team: Team::Owner, channels: CH_VISIT, weight: 4 },
    Topic { fr: "Relance paiement facture {n}", en: "Payment reminder for invoice {n}", fr_summary: "Relance pour la facture {n} échue depuis plus de 30 jours.", en_summary: "Reminder for invoice {n}, more than 30 days overdue.", tag: "recouvrement", inbound: false, beyond: false, team: Team::Finance, channels: CH_FINANCE, weight: 5 },
    Topic { fr: "Incident résolu (ticket {n})", en: "Incident resolved (ticket {n})", fr_summary: "Confirmation de la résolution et du retour à la normale.", en_summary: "Confirmation that the issue is fixed and service is back to normal.", tag: "incident", inbound: false, beyond: false, team: Team::Support, channels: CH_CALL, weight: 4 },
    Topic { fr: "Envoi de la proposition commerciale", en: "Commercial proposal sent", fr_summary: "Proposition envoyée, à valider avant la fin du mois.", en_summary: "Proposal sent, to be approved before the end of the month.", tag: "proposition", inbound: false, beyond: false, team: Team::Owner, channels: CH_NEWS, weight: 4 },
    Topic { fr: "Prise de nouvelles", en: "Check-in call", fr_summary: "Échange informel sur l'activité et les priorités du moment.", en_summary: "Informal call about their business and current priorities.", tag: "suivi", inbound: false, beyond: false, team: Team::Owner, channels: CH_CALL, weight: 6 },
    Topic { fr: "Invitation au salon professionnel", en: "Trade show invitation", fr_summary: "Invitation sur notre stand, badges envoyés.", en_summary: "Invitation to our booth, badges sent.", tag: "événement", inbound: false, beyond: false, team: Team::Owner, channels: CH_NEWS, weight: 2 },
    Topic { fr: "Formation offerte aux équipes de {p}", en: "Complimentary training for the {p} team", fr_summary: "Session de formation offerte, hors périmètre du contrat.", en_summary: "Training session offered free of charge, outside the contract.", tag: "geste commercial", inbound: false, beyond: true, team: Team::Owner, channels: CH_MEETING, weight: 1 },
    Topic { fr: "Audit gratuit du site de {p}", en: "Free audit of the {p} site", fr_summary: "Audit énergétique réalisé gracieusement, rapport remis au client.", en_summary: "Energy audit carried out free of charge, report handed over.", tag: "geste commercial", inbound: false, beyond: true, team: Team::Owner, channels: CH_VISIT, weight: 1 },
    Topic { fr: "Intervention hors contrat offerte", en: "Out-of-contract intervention at no charge", fr_summary: "Dépannage réalisé sans facturation, au-delà des engagements contractuels.", en_summary: "Repair done without charge, beyond our contractual commitments.", tag: "geste commercial", inbound: false, beyond: true, team: Team::Support, channels: CH_CALL, weight: 1 },
];

pub(super) const FOLLOW_UPS_FR: &[&str] = &[
    "Envoyer le compte rendu",
    "Relancer le client",
    "Envoyer le devis révisé",
    "Planifier une visite",
    "Vérifier la livraison",
    "Transmettre l'avoir",
];
pub(super) const FOLLOW_UPS_EN: &[&str] = &[
    "Send the minutes",
    "Follow up with the client",
    "Send the revised quote",
    "Schedule a visit",
    "Check the delivery",
    "Send the credit note",
];

/// One interaction before its text is written: enough to order the timeline and
/// compute first responses.
#[derive(Debug, Clone, Copy)]
pub(super) struct Beat {
    pub(super) at: i64,
    pub(super) topic: u8,
    pub(super) channel: u8,
    /// An answer to a request of the same thread.
    pub(super) answer: bool,
    /// Shared by a request and its answer, so both name the same order or site.
    pub(super) thread: u64,
}

/// Interactions of one account: its timeline, skeleton first.
pub(super) struct History {
    pub(super) beats: Vec<Beat>,
    /// `(answering outbound, seconds)` by position.
    pub(super) answers: Vec<Option<(Uuid, i64)>>,
}

/// Mean interactions of an ordinary account (the flagship aside).
pub(super) fn mean_interactions(size: DemoSize) -> f64 {
    match size {
        DemoSize::Small => 40.0,
        DemoSize::Medium => 20.0,
        // 49 × 999,999 ordinary accounts + the flagship's million ≈ 50,000,000.
        DemoSize::Large => 49.0,
    }
}

/// Interactions of the flagship account.
pub(super) fn flagship_interactions(size: DemoSize) -> usize {
    match size {
        DemoSize::Small => 20_000,
        DemoSize::Medium | DemoSize::Large => 1_000_000,
    }
}

/// Mean of the raw weight drawn in [`interaction_count`], measured on generated
/// portfolios, so counts average [`mean_interactions`].
pub(super) const WEIGHT_MEAN: f64 = 2.78;

pub(super) fn interaction_count(plan: &Plan, index: usize, account: &AccountRow, rng: &mut Rng) -> usize {
    if index == 0 {
        return plan.flagship_interactions;
    }
    let status = match account.status.as_str() {
        "active" => 1.0,
        "lost" => 0.5,
        _ => 0.15,
    };
    let band = match account.size.as_deref() {
        Some("micro") => 0.3,
        Some("small") => 0.7,
        Some("intermediate") => 1.6,
        _ => 3.5,
    };
    let value = 1.0 + (account.annual_value_minor as f64 / 100.0 / 50_000.0).sqrt().min(6.0);
    let w = status * band * value * rng.pareto(1.6).min(40.0);
    (plan.mean_interactions * w / WEIGHT_MEAN).round() as usize
}

pub(super) fn random_business_instant(rng: &mut Rng, from: i64, to: i64) -> i64 {
    let span = (to - from).max(1);
    loop {
        let t = from + rng.below(span as usize) as i64;
        let day = t.div_euclid(86_400);
        // 1970-01-01 was a Thursday: day 2 and 3 of each week are Saturday, Sunday.
        let weekend = matches!(day.rem_euclid(7), 2 | 3);
        if weekend && rng.chance(0.92) {
            continue;
        }
        let secs = 6 * 3600 + rng.below(11 * 3600) as i64 + rng.below(3600) as i64 / 2;
        let at = day * 86_400 + secs;
        if at >= from && at < to {
            return at;
        }
        if span < 86_400 {
            return t;
        }
    }
}

/// Seconds until the answer, by the channel of the request.
pub(super) fn answer_delay(rng: &mut Rng, channel: u8) -> i64 {
    let secs = match channel {
        1 | 4 | 5 => 120.0 + rng.exponential(3.0 * 3600.0),
        8 => 86_400.0 * (2.0 + rng.exponential(5.0)),
        _ if rng.chance(0.55) => 300.0 + rng.exponential(4.0 * 3600.0),
        _ if rng.chance(0.8) => 86_400.0 * (0.5 + rng.exponential(1.5)),
        _ => 86_400.0 * (2.0 + rng.exponential(6.0)),
    };
    secs as i64
}

pub(super) fn interaction_id(index: usize, pos: usize, at: DateTime<Utc>) -> Uuid {
    demo_id(ID_INTERACTION, ((index as u64) << POS_BITS) | pos as u64, at)
}

pub(super) fn at_of(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// The skeleton of an account's timeline, ordered, with its first responses.
pub(super) fn account_history(index: usize, account: &AccountRow, count: usize) -> History {
    let mut rng = Rng::new(mix64(SEED ^ mix64(index as u64 ^ 0x7117_E11E)));
    let now = timeline_now().timestamp();
    let end = match account.lost_on {
        Some(lost) => instant(lost, 17 * 3600).timestamp().min(now),
        None => now,
    };
    let horizon = if account.status == "prospect" { 420 } else { 1_000 };
    let start = account
        .created_at
        .timestamp()
        .max(end - horizon * 86_400)
        .min(end - 30 * 86_400);
    let mut beats = Vec::with_capacity(count + 1);
    while beats.len() < count {
        let total: u32 = TOPICS.iter().map(|t| t.weight).sum();
        let mut r = rng.below(total as usize) as u32;
        let mut topic_index = 0;
        while r >= TOPICS[topic_index].weight && topic_index + 1 < TOPICS.len() {
            r -= TOPICS[topic_index].weight;
            topic_index += 1;
        }
        let topic = &TOPICS[topic_index];
        let channel = rng.pick_weighted(topic.channels, |c| c.1).0;
        let at = random_business_instant(&mut rng, start, end);
        let thread = rng.next_u64();
        beats.push(Beat {
            at,
            topic: topic_index as u8,
            channel,
            answer: false,
            thread,
        });
        if topic.inbound && beats.len() < count && rng.chance(0.9) {
            let answer_at = at + answer_delay(&mut rng, channel);
            if answer_at < now {
                let channel = match channel {
                    7 | 8 => 0,
                    4 | 5 if rng.chance(0.3) => 1,
                    c => c,
                };
                beats.push(Beat {
                    at: answer_at,
                    topic: topic_index as u8,
                    channel,
                    answer: true,
                    thread,
                });
            }
        }
    }
    beats.sort_by_key(|b| (b.at, b.thread, b.answer));
    let events: Vec<bilan_domain::timeline::ResponseEvent> = beats
        .iter()
        .enumerate()
        .map(|(pos, b)| {
            let inbound = TOPICS[usize::from(b.topic)].inbound && !b.answer;
            let dir = if inbound {
                Direction::Inbound
            } else {
                Direction::Outbound
            };
            (interaction_id(index, pos, at_of(b.at)), dir, at_of(b.at), None)
        })
        .collect();
    let mut answers = vec![None; beats.len()];
    for (inbound, outbound, secs) in first_responses(&events) {
        let pos = (inbound.as_u128() & ((1 << POS_BITS) - 1)) as usize;
        answers[pos] = Some((outbound, secs));
    }
    History { beats, answers }
}

/// What the rows of one account's timeline share.
pub(super) struct TimelineCtx<'a> {
    pub(super) plan: &'a Plan,
    pub(super) index: usize,
    pub(super) account: &'a AccountRow,
    pub(super) french: bool,
    pub(super) contacts: Vec<Uuid>,
    pub(super) places: Vec<&'a str>,
}

pub(super) fn fill(template: &str, thread: u64, at: DateTime<Utc>, places: &[&str]) -> String {
    let mut out = template.to_owned();
    if out.contains("{n}") {
        out = out.replace("{n}", &format!("{}-{:06}", at.format("%y"), thread % 1_000_000));
    }
    if out.contains("{p}") {
        let place = places
            .get((thread >> 24) as usize % places.len().max(1))
            .copied()
            .unwrap_or("Paris");
        out = out.replace("{p}", place);
    }
    if out.contains("{q}") {
        let month = at.format("%m").to_string().parse::<u32>().unwrap_or(1);
        out = out.replace("{q}", &format!("T{} {}", month.div_ceil(3), at.format("%Y")));
    }
    out
}

pub(super) fn interaction_row(
    ctx: &TimelineCtx<'_>,
    history: &History,
    pos: usize,
    links: &mut Vec<(Uuid, Uuid, Uuid)>,
) -> InteractionRow {
    let beat = history.beats[pos];
    let topic = &TOPICS[usize::from(beat.topic)];
    let plan = ctx.plan;
    let mut rng = Rng::new(mix64(beat.thread ^ u64::from(beat.answer)));
    let at = at_of(beat.at);
    let now = timeline_now();
    let id = interaction_id(ctx.index, pos, at);
    let inbound = topic.inbound && !beat.answer;
    let channel = Channel::ALL[usize::from(beat.channel) % Channel::ALL.len()];

    let owner = ctx
        .account
        .owner_id
        .or_else(|| plan.kams.first().map(|k| k.id))
        .unwrap_or(plan.workspace);
    let user_id = match topic.team {
        Team::Finance if !plan.staff.is_empty() => plan.staff[0],
        Team::Support if plan.staff.len() > 1 && rng.chance(0.7) => plan.staff[1],
        _ if ctx.account.sponsor_id.is_some() && channel == Channel::Meeting && rng.chance(0.25) => {
            ctx.account.sponsor_id.unwrap_or(owner)
        }
        _ if !plan.kams.is_empty() && rng.chance(0.12) => rng.pick(&plan.kams).id,
        _ => owner,
    };

    let base = fill(
        if ctx.french { topic.fr } else { topic.en },
        beat.thread,
        at,
        &ctx.places,
    );
    let subject = if beat.answer {
        match (channel, ctx.french) {
            (Channel::Phone, true) => format!("Rappel : {base}"),
            (Channel::Phone, false) => format!("Call back: {base}"),
            (_, true) => format!("RE : {base}"),
            (_, false) => format!("Re: {base}"),
        }
    } else {
        base
    };
    let summary = if beat.answer {
        Some(
            (if ctx.french {
                *rng.pick(&[
                    "Réponse apportée, solution proposée au client.",
                    "Point fait avec le client, action engagée de notre côté.",
                    "Explications données, le client confirme que c'est clair.",
                    "Nouvelle date confirmée au client.",
                ])
            } else {
                *rng.pick(&[
                    "Answered, solution offered to the client.",
                    "Discussed with the client, action under way on our side.",
                    "Explained, the client confirms it is clear.",
                    "New date confirmed to the client.",
                ])
            })
            .to_owned(),
        )
    } else if rng.chance(0.8) {
        Some(fill(
            if ctx.french { topic.fr_summary } else { topic.en_summary },
            beat.thread,
            at,
            &ctx.places,
        ))
    } else {
        None
    };

    let mut tags = vec![topic.tag.to_owned()];
    if !ctx.french && topic.tag != "geste commercial" {
        tags.clear();
    }
    if inbound && rng.chance(0.08) {
        tags.push("urgent".to_owned());
    }
    if topic.beyond {
        tags.push(if ctx.french { "gratuit" } else { "free of charge" }.to_owned());
    }

    let contacts_wanted = match channel {
        Channel::Meeting | Channel::Visit => 1 + rng.below(3),
        _ if rng.chance(0.06) => 0,
        _ if rng.chance(0.12) => 2,
        _ => 1,
    };
    let mut contact_ids: Vec<Uuid> = Vec::with_capacity(contacts_wanted);
    if !ctx.contacts.is_empty() {
        // The same person usually writes and gets the answer.
        let mut pick = Rng::new(beat.thread);
        for _ in 0..contacts_wanted {
            let c = *pick.pick(&ctx.contacts);
            if !contact_ids.contains(&c) {
                contact_ids.push(c);
            }
        }
    }

    let wants_follow_up = !inbound
        && match channel {
            Channel::Meeting | Channel::Visit => rng.chance(0.35),
            _ => rng.chance(0.06),
        };
    let follow_up = wants_follow_up.then(|| {
        let what = if ctx.french {
            *rng.pick(FOLLOW_UPS_FR)
        } else {
            *rng.pick(FOLLOW_UPS_EN)
        };
        bilan_domain::timeline::NewFollowUp {
            what: what.to_owned(),
            user_id: None,
            due: at.date_naive() + Duration::days(2 + rng.below(20) as i64),
        }
    });

    let new = NewInteraction {
        account_id: ctx.account.id,
        occurred_at: at,
        channel,
        direction: if inbound {
            Direction::Inbound
        } else {
            Direction::Outbound
        },
        user_id: Some(user_id),
        contact_ids,
        subject: Some(subject),
        summary,
        tags,
        beyond_contract: topic.beyond,
        related_kind: None,
        related_id: None,
        external_ref: (channel == Channel::Portal).then(|| format!("TKT-{}-{pos}", ctx.index)),
        follow_up,
    };
    let created = (at + Duration::seconds(30 + rng.below(3_600) as i64)).min(now.max(at));
    let mut row = InteractionRow::from_new(id, plan.workspace, user_id, &new, created);
    if let Some(due) = row.follow_up_due {
        let today = now.date_naive();
        let done_chance = if due < today - Duration::days(14) {
            0.95
        } else if due < today {
            0.6
        } else {
            0.15
        };
        if rng.chance(done_chance) {
            let latest = (instant(due, 17 * 3600) + Duration::days(3)).min(now);
            let span = (latest - at).num_seconds().max(60);
            let done = at + Duration::seconds(60 + rng.below(span as usize) as i64);
            row.follow_up_done_at = Some(done.min(now));
            row.updated_at = done.min(now).max(created);
            row.version = 2;
        }
    }
    if let Some((by, secs)) = history.answers[pos] {
        row.answered_by = Some(by);
        row.response_seconds = Some(secs);
    }
    links.extend(new.contact_ids.iter().map(|c| (plan.workspace, id, *c)));
    row
}

/// Rows of one transaction of the history phase.
#[derive(Debug, Default)]
pub(super) struct InteractionChunk {
    pub(super) rows: Vec<InteractionRow>,
    pub(super) links: Vec<(Uuid, Uuid, Uuid)>,
    /// Accounts whose history is complete once this chunk is written.
    pub(super) accounts_done: usize,
}

/// Generates the history of accounts `range` and hands it over in chunks of about
/// [`CHUNK_INTERACTIONS`] rows; stops early when the receiver is gone.
pub(super) fn generate_histories(plan: &Plan, range: Range<usize>, mut emit: impl FnMut(InteractionChunk) -> bool) {
    let mut out = InteractionChunk::default();
    for index in range {
        let mut scratch = Chunk::default();
        generate_account(plan, index, &mut scratch);
        let Some(account) = scratch.accounts.first() else {
            continue;
        };
        let mut rng = Rng::new(mix64(SEED ^ mix64(index as u64 ^ 0xC0_7247)));
        let count = interaction_count(plan, index, account, &mut rng);
        let history = account_history(index, account, count);
        let contacts: Vec<Uuid> = scratch
            .contacts
            .iter()
            .filter(|c| c.left_on.is_none())
            .map(|c| c.id)
            .collect();
        let mut places: Vec<&str> = scratch.sites.iter().filter_map(|s| s.city.as_deref()).collect();
        if places.is_empty() {
            places.extend(account.city.as_deref());
        }
        let ctx = TimelineCtx {
            plan,
            index,
            account,
            french: matches!(account.country.as_str(), "FR" | "BE" | "CH" | "LU"),
            contacts,
            places,
        };
        for pos in 0..history.beats.len() {
            out.rows.push(interaction_row(&ctx, &history, pos, &mut out.links));
            if out.rows.len() >= CHUNK_INTERACTIONS && !emit(std::mem::take(&mut out)) {
                return;
            }
        }
        out.accounts_done += 1;
    }
    if !out.rows.is_empty() || out.accounts_done > 0 {
        emit(out);
    }
}

pub(super) async fn write_interactions(app: &App, chunk: &InteractionChunk) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    db_timeline::insert_rows(&mut c, &chunk.rows, &chunk.links).await?;
    tx.commit().await?;
    Ok(())
}
