//! The demo's key-account programme: about thirty large active accounts admitted
//! with their ratings, a manager and an executive sponsor, each with a living plan
//! (objectives in every state, stakeholders placed, a roadmap, risks, financial
//! hypotheses), usage figures for half a year, and a health history of 90 days in
//! which some slide into risk and others recover, ending on the score the real
//! computation gives today.

use super::{demo_id, generate_account, mix64, timeline_now, Chunk, Plan, Rng, SEED};
use crate::{App, AppResult};
use bilan_db::health::HealthDayRow;
use bilan_db::key_accounts::{
    self as store, FinancialsRow, KeyAccountRow, ObjectiveRow, PlanItemRow, RatingsRow, RiskRow, StakeholderRow,
    UsageRow,
};
use bilan_domain::contacts::BuyingRole;
use bilan_domain::key_accounts::scoring::{score, Criterion, Ratings, ScoringRules};
use bilan_domain::timeline::local_day;
use chrono::{Duration, Months, NaiveDate};
use uuid::Uuid;

/// Accounts admitted to the demo programme.
const KEY_ACCOUNTS: usize = 30;
const ID_KEY: u64 = 21;

const OBJECTIVES: [(&str, &str, i64, i64); 6] = [
    ("Équiper tous les sites du groupe", "sites équipés", 4, 12),
    ("Porter le NPS des utilisateurs à 40", "NPS", 12, 40),
    ("Réduire les délais de livraison", "jours de délai moyen", 9, 5),
    ("Signer l'accord-cadre pluriannuel", "accords signés", 0, 1),
    ("Développer la part de portefeuille", "% du budget achats", 18, 30),
    ("Former les utilisateurs clés", "personnes formées", 10, 60),
];

const RISKS: [(&str, &str); 5] = [
    (
        "Départ du directeur des achats",
        "Rencontrer son adjoint et le futur décideur",
    ),
    (
        "Appel d'offres concurrent annoncé",
        "Préparer une offre de renouvellement anticipé",
    ),
    (
        "Baisse d'usage sur deux sites",
        "Session de formation et revue d'usage trimestrielle",
    ),
    (
        "Retards de paiement récurrents",
        "Point avec la direction financière, affacturage",
    ),
    (
        "Fusion avec un groupe déjà équipé ailleurs",
        "Sponsor exécutif auprès de la nouvelle direction",
    ),
];

const PROJECTS: [(&str, &str); 4] = [
    ("Déploiement des sites de Lyon et Lille", "Délai de livraison −20 %"),
    ("Portail de commande intégré à leur ERP", "Zéro ressaisie des commandes"),
    ("Extension au Benelux", "Trois nouvelles filiales servies"),
    ("Programme qualité fournisseurs", "Taux de non-conformité < 1 %"),
];

fn roles_of(c: &bilan_db::contacts::ContactRow) -> Vec<BuyingRole> {
    BuyingRole::parse_list(&c.roles).unwrap_or_default()
}

/// Writes the programme; returns the key accounts admitted.
pub(super) async fn write(app: &App, plan: &Plan) -> AppResult<usize> {
    let now = timeline_now();
    let today = local_day(now);
    let rules = ScoringRules::default();
    let mut chosen: Vec<Chunk> = Vec::new();
    for index in 0..plan.accounts {
        if chosen.len() == KEY_ACCOUNTS {
            break;
        }
        let mut scratch = Chunk::default();
        generate_account(plan, index, &mut scratch);
        let fits = scratch
            .accounts
            .first()
            .is_some_and(|a| a.status == "active" && a.size.as_deref() == Some("large"));
        if fits {
            chosen.push(scratch);
        }
    }
    let mut key = Vec::new();
    let mut ratings = Vec::new();
    let (mut objectives, mut risks, mut stakeholders, mut items, mut financials, mut usage) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let ws = plan.workspace;
    for (k, chunk) in chosen.iter().enumerate() {
        let Some(account) = chunk.accounts.first() else {
            continue;
        };
        let mut rng = Rng::new(mix64(SEED ^ 0x0004_BA11 ^ k as u64));
        let id = |seq: u64| demo_id(ID_KEY, (k as u64) * 100 + seq, now);
        let r: Vec<u8> = (0..6)
            .map(|c| {
                if c == 5 {
                    1 + rng.below(3) as u8
                } else {
                    3 + rng.below(3) as u8
                }
            })
            .collect();
        let rated = Ratings(Criterion::ALL.into_iter().zip(r.iter().copied()).collect());
        let s = score(&rated, &rules);
        ratings.push(RatingsRow {
            id: id(0),
            workspace_id: ws,
            account_id: account.id,
            potential: i32::from(r[0]),
            probability: i32::from(r[1]),
            profitability: i32::from(r[2]),
            strategic_impact: i32::from(r[3]),
            fit: i32::from(r[4]),
            risk: i32::from(r[5]),
            rated_by: account.owner_id,
            rated_at: now - Duration::days(200),
        });
        let manager = account.owner_id.or_else(|| plan.kams.first().map(|m| m.id));
        let Some(manager) = manager else { continue };
        key.push(KeyAccountRow {
            id: id(1),
            workspace_id: ws,
            account_id: account.id,
            tier: s.suggested_tier.code().to_owned(),
            manager_id: manager,
            executive_sponsor_id: plan.sponsors.get(k % plan.sponsors.len().max(1)).copied(),
            admitted_on: today - Duration::days(150 + rng.below(400) as i64),
            score_at_admission: i32::from(s.score),
            notes: None,
            version: 1,
            created_at: now - Duration::days(200),
            updated_at: now - Duration::days(200),
        });
        for j in 0..(2 + rng.below(2)) {
            let (title, metric, base, target) = OBJECTIVES[(k + j) % OBJECTIVES.len()];
            let status = match (k + j) % 7 {
                0 => "achieved",
                1 => "missed",
                _ => "open",
            };
            let due = if status == "open" {
                today + Duration::days(60 + rng.below(300) as i64)
            } else {
                today - Duration::days(20 + rng.below(100) as i64)
            };
            let current = base + (target - base) * (rng.below(90) as i64) / 100;
            objectives.push(ObjectiveRow {
                id: id(10 + j as u64),
                workspace_id: ws,
                account_id: account.id,
                title: title.to_owned(),
                metric: metric.to_owned(),
                baseline: Some(base.to_string()),
                target: target.to_string(),
                current_value: Some(if status == "achieved" { target } else { current }.to_string()),
                due_on: due,
                owner_id: Some(manager),
                status: status.to_owned(),
                created_at: now - Duration::days(180),
                updated_at: now - Duration::days(10),
                review_id: None,
            });
        }
        for j in 0..(1 + rng.below(2)) {
            let (title, mitigation) = RISKS[(k * 2 + j) % RISKS.len()];
            risks.push(RiskRow {
                id: id(20 + j as u64),
                workspace_id: ws,
                account_id: account.id,
                title: title.to_owned(),
                probability: 1 + rng.below(5) as i32,
                impact: 2 + rng.below(4) as i32,
                mitigation: Some(mitigation.to_owned()),
                owner_id: Some(manager),
                status: if rng.chance(0.2) { "closed" } else { "open" }.to_owned(),
                created_at: now - Duration::days(120),
                updated_at: now - Duration::days(5),
            });
        }
        for (j, c) in chunk
            .contacts
            .iter()
            .filter(|c| c.left_on.is_none())
            .take(8)
            .enumerate()
        {
            let roles = roles_of(c);
            let influence = if roles.contains(&BuyingRole::DecisionMaker) || roles.contains(&BuyingRole::Sponsor) {
                "high"
            } else if roles.contains(&BuyingRole::Buyer) || roles.contains(&BuyingRole::Prescriber) {
                "medium"
            } else {
                "low"
            };
            let attitude = *rng.pick_weighted(
                &["champion", "supporter", "neutral", "sceptic", "opponent"],
                |a| match *a {
                    "champion" => 2,
                    "supporter" => 4,
                    "neutral" => 3,
                    "sceptic" => 2,
                    _ => 1,
                },
            );
            stakeholders.push(StakeholderRow {
                id: id(30 + j as u64),
                workspace_id: ws,
                account_id: account.id,
                contact_id: c.id,
                influence: influence.to_owned(),
                attitude: attitude.to_owned(),
                notes: None,
                updated_at: now - Duration::days(30),
            });
        }
        for j in 0..2 {
            let (title, value) = PROJECTS[(k + j) % PROJECTS.len()];
            let start = today - Duration::days(60) + Duration::days(90 * j as i64);
            items.push(PlanItemRow {
                id: id(40 + j as u64),
                workspace_id: ws,
                account_id: account.id,
                kind: "project".into(),
                title: title.to_owned(),
                starts_on: Some(start),
                due_on: start + Duration::days(120),
                value: Some(value.to_owned()),
                status: if j == 0 { "in_progress" } else { "planned" }.into(),
                created_at: now - Duration::days(90),
                updated_at: now - Duration::days(10),
            });
        }
        items.push(PlanItemRow {
            id: id(45),
            workspace_id: ws,
            account_id: account.id,
            kind: "milestone".into(),
            title: "Premier site en production".into(),
            starts_on: None,
            due_on: today + Duration::days(30 + rng.below(60) as i64),
            value: Some("Commandes passées sans ressaisie".into()),
            status: "planned".into(),
            created_at: now - Duration::days(90),
            updated_at: now - Duration::days(90),
        });
        financials.push(FinancialsRow {
            id: id(50),
            workspace_id: ws,
            account_id: account.id,
            nrr_target: Some((105 + rng.below(11)).to_string()),
            margin_target: Some((30 + rng.below(10)).to_string()),
            margin_actual: Some((24 + rng.below(16)).to_string()),
            cac_payback_target: Some("12".into()),
            cac_payback_actual: Some((8 + rng.below(12)).to_string()),
            updated_at: now - Duration::days(15),
        });
        // Six months of logins and orders; every third account's use is falling.
        let falling = k % 3 == 0;
        for m in 0..6u32 {
            let Some(period) = today
                .checked_sub_months(Months::new(6 - m))
                .map(bilan_domain::health::usage::month_of)
            else {
                continue;
            };
            let base = 300 + rng.below(200) as i64;
            let logins = if falling && m >= 4 {
                base / 2
            } else {
                base + rng.below(40) as i64
            };
            for (n, (metric, value)) in [("connexions", logins), ("commandes", logins / 10)]
                .into_iter()
                .enumerate()
            {
                usage.push(UsageRow {
                    id: id(60 + u64::from(m) * 2 + n as u64),
                    workspace_id: ws,
                    account_id: account.id,
                    metric: metric.to_owned(),
                    period_start: period,
                    value: value.to_string(),
                    imported_at: now - Duration::days(3),
                });
            }
        }
    }
    {
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        bilan_db::bulk::insert_rows(&mut c, &ratings).await?;
        bilan_db::bulk::insert_rows(&mut c, &key).await?;
        bilan_db::bulk::insert_rows(&mut c, &objectives).await?;
        bilan_db::bulk::insert_rows(&mut c, &risks).await?;
        bilan_db::bulk::insert_rows(&mut c, &stakeholders).await?;
        bilan_db::bulk::insert_rows(&mut c, &items).await?;
        bilan_db::bulk::insert_rows(&mut c, &financials).await?;
        store::save_usage(&mut c, &usage).await?;
        tx.commit().await?;
    }
    // Today's health of every account, computed for real.
    crate::health::recompute_all(app, ws).await?;
    // The history ends on the day the computation ran.
    write_histories(app, ws, &key, local_day(app.now())).await?;
    Ok(key.len())
}

/// 89 days before today for each key account: a third slid into risk over the
/// last weeks, a third dipped and recovered, the rest wandered near their score.
async fn write_histories(app: &App, ws: Uuid, key: &[KeyAccountRow], today: NaiveDate) -> AppResult<()> {
    let ids: Vec<Uuid> = key.iter().map(|k| k.account_id).collect();
    let scores = {
        let mut pc = app.db.acquire().await?;
        bilan_db::health::scores_of(&mut pc.conn(), ws, &ids).await?
    };
    let mut days = Vec::new();
    for (k, s) in scores.iter().enumerate() {
        let mut rng = Rng::new(mix64(SEED ^ 0x0004_EA17 ^ k as u64));
        let end = f64::from(s.score);
        for back in 1..90i64 {
            let t = back as f64 / 89.0;
            let shape = match k % 3 {
                // Sliding: well above the line three months ago.
                0 => end + (85.0 - end).max(0.0) * t,
                // A dip six weeks ago, recovered since.
                1 => end - 25.0 * (1.0 - ((t - 0.5) * 4.0).powi(2)).max(0.0),
                _ => end,
            };
            let noise = rng.below(7) as f64 - 3.0;
            let score = (shape + noise).round().clamp(0.0, 100.0) as i32;
            days.push(HealthDayRow {
                id: demo_id(ID_KEY + 1, (k as u64) * 1000 + back as u64, timeline_now()),
                workspace_id: ws,
                account_id: s.account_id,
                day: today - Duration::days(back),
                score,
            });
        }
    }
    let mut tx = app.db.begin().await?;
    bilan_db::health::save_scores(&mut tx.conn(), &[], &days).await?;
    tx.commit().await?;
    Ok(())
}
