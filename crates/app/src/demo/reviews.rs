//! The demo's client reviews: every key account had its annual review last year
//! (held, minutes sent or closed, with its round table, decisions and an action
//! plan whose items are done, late, still ahead or dropped); this year some
//! accounts had theirs already, some have it planned (a few with the pack frozen
//! and the invitation sent), and the rest are due or overdue.

use super::{timeline_now, Plan};
use crate::reviews::{pack, template_agenda};
use crate::{Actor, App, AppResult};
use bilan_db::reviews::{self as store, ActionRow, AttendeeRow, ReviewRow};
use bilan_domain::contacts::BuyingRole;
use bilan_domain::reviews::hold::RoundTableEntry;
use bilan_domain::reviews::{default_period, ReviewKind};
use bilan_domain::roles::Role;
use bilan_domain::timeline::{local_day, local_day_start};
use bilan_i18n::Lang;
use chrono::{Duration, NaiveDate};
use uuid::Uuid;

const SATISFACTIONS: [&str; 5] = [
    "La réactivité du support quand une ligne s'arrête",
    "Les livraisons tenues même pendant les pics de fin d'année",
    "Un interlocuteur unique qui connaît nos sites",
    "La formation des nouveaux opérateurs, faite sur place",
    "Des factures claires, faciles à rapprocher",
];
const IRRITANTS: [&str; 5] = [
    "Les délais de livraison sur les références spéciales",
    "Trop de relances pour les mêmes bons de commande",
    "Le portail ne montre pas l'état des commandes en cours",
    "Des hausses de prix annoncées tard",
    "Les interventions du vendredi après-midi difficiles à obtenir",
];
const DECISIONS: [&str; 4] = [
    "Passer aux livraisons hebdomadaires planifiées",
    "Un point d'étape trimestriel avec les responsables de site",
    "Étendre le contrat aux deux sites de l'Est",
    "Revoir ensemble le catalogue des références spéciales",
];
const ACTIONS: [(&str, bool); 6] = [
    ("Envoyer le planning de livraison du premier semestre", true),
    ("Valider le budget de l'extension", false),
    ("Organiser la formation des opérateurs de Lille", true),
    ("Transmettre la liste des références spéciales", false),
    ("Proposer un avenant pour les sites de l'Est", true),
    ("Mettre en place l'accès au portail pour les acheteurs", true),
];

fn review(ws: Uuid, account: Uuid, kind: ReviewKind, planned_on: NaiveDate, manager: Uuid) -> ReviewRow {
    let (from, to) = default_period(kind, planned_on);
    let created = local_day_start(planned_on - Duration::days(30));
    ReviewRow {
        id: bilan_db::new_id(),
        workspace_id: ws,
        account_id: account,
        kind: kind.code().to_owned(),
        state: "planned".to_owned(),
        period_from: from,
        period_to: to,
        planned_on,
        starts_at: "10:00".to_owned(),
        duration_minutes: 120,
        location: Some("Dans leurs locaux".to_owned()),
        lang: "fr".to_owned(),
        agenda_json: serde_json::to_string(&template_agenda(kind, Lang::Fr)).unwrap_or_else(|_| "[]".into()),
        ics_sequence: 0,
        invitation_sent_at: None,
        pack_json: None,
        prepared_at: None,
        draft_json: None,
        held_on: None,
        held_at: None,
        round_table_json: None,
        decisions_json: None,
        notes: None,
        minutes_sent_at: None,
        closed_at: None,
        cancelled_at: None,
        follows_id: None,
        created_by: Some(manager),
        version: 1,
        created_at: created,
        updated_at: created,
    }
}

/// Writes the demo's reviews; returns how many.
pub(super) async fn write(app: &App, plan: &Plan) -> AppResult<usize> {
    let now = timeline_now();
    let today = local_day(now);
    let ws = plan.workspace;
    let programme = {
        let mut pc = app.db.acquire().await?;
        bilan_db::key_accounts::programme(&mut pc.conn(), ws, None).await?
    };
    let mut reviews = Vec::new();
    let mut attendees = Vec::new();
    let mut actions = Vec::new();
    for (k, p) in programme.iter().enumerate() {
        let (manager, contacts) = {
            let mut pc = app.db.acquire().await?;
            let mut c = pc.conn();
            (
                bilan_db::users::find(&mut c, ws, p.manager_id).await?,
                bilan_db::contacts::buying_centre(&mut c, ws, p.account_id, 20).await?,
            )
        };
        let Some(manager) = manager else { continue };
        let people: Vec<_> = contacts
            .iter()
            .filter(|c| c.left_on.is_none())
            .filter(|c| {
                c.roles
                    .iter()
                    .any(|r| matches!(r, BuyingRole::DecisionMaker | BuyingRole::Buyer | BuyingRole::Sponsor))
            })
            .take(2)
            .collect();
        let group = k % 4;
        // Last annual review: this year for the first group, 13 to 16 months ago for the others.
        let ago = [290, 395, 420, 480][group] + (k as i64 * 3) % 20;
        let held_on = today - Duration::days(ago);
        let mut last = review(ws, p.account_id, ReviewKind::Annual, held_on, p.manager_id);
        let actor = Actor {
            workspace_id: ws,
            user_id: p.manager_id,
            role: Role::Admin,
            display_name: manager.display_name.clone(),
            email: manager.email.clone(),
            language: None,
            via_cli: true,
        };
        let mut frozen = pack::assemble(
            app,
            &actor,
            p.account_id,
            last.period_from,
            last.period_to,
            Some(last.id),
        )
        .await?;
        frozen.frozen = true;
        frozen.taken_at = local_day_start(held_on - Duration::days(2));
        let held_at = local_day_start(held_on) + Duration::hours(12);
        let round_table: Vec<RoundTableEntry> = people
            .iter()
            .enumerate()
            .map(|(i, c)| RoundTableEntry {
                attendee: c.full_name(),
                satisfactions: SATISFACTIONS[(k + i) % SATISFACTIONS.len()].to_owned(),
                irritants: IRRITANTS[(k + 2 * i) % IRRITANTS.len()].to_owned(),
            })
            .collect();
        let decisions: Vec<String> = (0..2)
            .map(|i| DECISIONS[(k + i) % DECISIONS.len()].to_owned())
            .collect();
        last.state = if k % 3 == 0 { "closed" } else { "minutes_sent" }.to_owned();
        last.pack_json = serde_json::to_string(&frozen).ok();
        last.prepared_at = Some(frozen.taken_at);
        last.held_on = Some(held_on);
        last.held_at = Some(held_at);
        last.round_table_json = serde_json::to_string(&round_table).ok();
        last.decisions_json = serde_json::to_string(&decisions).ok();
        last.invitation_sent_at = Some(local_day_start(held_on - Duration::days(25)));
        last.minutes_sent_at = Some(held_at + Duration::days(2));
        last.closed_at = (k % 3 == 0).then(|| held_at + Duration::days(30));
        last.updated_at = held_at + Duration::days(2);
        let mut position = 0;
        let mut attend = |review: Uuid,
                          side: &str,
                          role: &str,
                          contact: Option<Uuid>,
                          user: Option<Uuid>,
                          name: String,
                          email: Option<String>| {
            position += 1;
            AttendeeRow {
                id: bilan_db::new_id(),
                workspace_id: ws,
                review_id: review,
                side: side.to_owned(),
                role: role.to_owned(),
                contact_id: contact,
                user_id: user,
                name,
                email,
                position,
            }
        };
        let mut these = vec![attend(
            last.id,
            "supplier",
            "account_manager",
            None,
            Some(manager.id),
            manager.display_name.clone(),
            Some(manager.email.clone()),
        )];
        for c in &people {
            let role = if c.roles.contains(&BuyingRole::DecisionMaker) {
                "decision_maker"
            } else if c.roles.contains(&BuyingRole::Sponsor) {
                "sponsor"
            } else {
                "buyer"
            };
            these.push(attend(
                last.id,
                "client",
                role,
                Some(c.id),
                None,
                c.full_name(),
                c.email.clone(),
            ));
        }
        // The action plan: one done, one late, one ahead, one dropped.
        for j in 0..4usize {
            let (what, ours) = ACTIONS[(k + j) % ACTIONS.len()];
            let (status, due, done_on) = match j {
                0 => ("done", held_on + Duration::days(30), Some(held_on + Duration::days(26))),
                1 => ("open", today - Duration::days(5 + (k as i64 % 40)), None),
                2 => ("open", today + Duration::days(10 + (k as i64 % 50)), None),
                _ => ("dropped", held_on + Duration::days(60), None),
            };
            let client = people.first().filter(|_| !ours);
            actions.push(ActionRow {
                id: bilan_db::new_id(),
                workspace_id: ws,
                review_id: last.id,
                account_id: p.account_id,
                what: what.to_owned(),
                side: if client.is_some() { "client" } else { "supplier" }.to_owned(),
                owner_user_id: client.is_none().then_some(manager.id),
                owner_contact_id: client.map(|c| c.id),
                owner_name: client.map_or_else(|| manager.display_name.clone(), |c| c.full_name()),
                due_on: due,
                status: status.to_owned(),
                done_on,
                note: (status == "dropped").then(|| "Remplacé par l'avenant de juin".to_owned()),
                position: i32::try_from(j).unwrap_or(0),
                version: 1,
                created_at: held_at,
                updated_at: held_at,
            });
        }
        // This year's review: planned for the first two groups (some prepared, invited).
        if group < 2 {
            let on = today + Duration::days(7 + (k as i64 * 5) % 45);
            let mut next = review(ws, p.account_id, ReviewKind::Annual, on, p.manager_id);
            next.follows_id = Some(last.id);
            if k % 2 == 0 {
                next.invitation_sent_at = Some(now - Duration::days(3));
            }
            if group == 1 && k % 3 == 0 {
                let mut live = pack::assemble(
                    app,
                    &actor,
                    p.account_id,
                    next.period_from,
                    next.period_to,
                    Some(next.id),
                )
                .await?;
                live.frozen = true;
                next.state = "prepared".into();
                next.pack_json = serde_json::to_string(&live).ok();
                next.prepared_at = Some(now);
            }
            for a in &these {
                attendees.push(AttendeeRow {
                    id: bilan_db::new_id(),
                    review_id: next.id,
                    ..a.clone()
                });
            }
            reviews.push(next);
        }
        // A quarterly checkpoint three months after this year's held review.
        if group == 0 {
            let on = held_on + Duration::days(91);
            let mut cp = review(ws, p.account_id, ReviewKind::Checkpoint, on, p.manager_id);
            cp.follows_id = Some(last.id);
            cp.state = "closed".into();
            cp.held_on = Some(on);
            cp.held_at = Some(local_day_start(on) + Duration::hours(11));
            cp.closed_at = cp.held_at;
            cp.decisions_json = Some("[\"Plan d'action tenu aux deux tiers ; relancer le budget\"]".into());
            cp.round_table_json = Some("[]".into());
            reviews.push(cp);
        }
        attendees.extend(these);
        reviews.push(last);
    }
    let n = reviews.len();
    let mut tx = app.db.begin().await?;
    {
        let mut c = tx.conn();
        bilan_db::bulk::insert_rows(&mut c, &reviews).await?;
        bilan_db::bulk::insert_rows(&mut c, &attendees).await?;
        store::insert_actions(&mut c, &actions).await?;
    }
    tx.commit().await?;
    Ok(n)
}
