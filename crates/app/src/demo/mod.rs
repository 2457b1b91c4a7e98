//! Deterministic demo data: the "Démo Bilan" workspace, its users, and a realistic,
//! heavy-tailed portfolio of French and European accounts, sites and contacts.
//!
//! This module runs the demo's life (create once, reuse, start over after a run that
//! died); `staff`, `rng`, `portfolio`, `words`, `histories` and `satisfaction` generate.
//!
//! Every row comes from a SplitMix64 stream seeded by a constant and the account's
//! index, so a size always yields the same portfolio and chunks can be generated in
//! any order (and off the async threads) without changing a byte.

use crate::users::{add_user_to_workspace, NewUser};
use crate::{App, AppError, AppResult};
use bilan_db::accounts::{self as db_accounts, AccountRow};
use bilan_db::contacts::{self as db_contacts, ContactRow};
use bilan_db::sites::{self as db_sites, SiteRow};
use bilan_db::timeline::{self as db_timeline, InteractionRow};
use bilan_db::users as db_users;
use bilan_db::workspaces::{self, WorkspaceRow};
use bilan_db::{Conn, DbResult};
use bilan_domain::accounts::{AccountStatus, CompanySize, NewAccount, SiteKind};
use bilan_domain::contacts::{BuyingRole, Language, NewContact};
use bilan_domain::identifiers::{french_vat_number, luhn_valid};
use bilan_domain::money::{Currency, Money};
use bilan_domain::search::normalize;
use bilan_domain::timeline::{first_responses, Channel, Direction, NewInteraction};
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;
use uuid::Uuid;

mod complaints;
mod histories;
mod invoices;
mod key_accounts;
mod portfolio;
mod reviews;
mod rng;
mod satisfaction;
mod staff;
mod words;

use histories::*;
use portfolio::*;
use rng::*;
use staff::*;
use words::*;

/// Name of the demo workspace.
pub const DEMO_WORKSPACE: &str = "Démo Bilan";

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "bilan-demo-2026";

/// The one account with 20,000 contacts, at every size, to exercise long lists.
pub const FLAGSHIP_ACCOUNT: &str = "Groupe Hexagone Distribution";

/// Contacts of the flagship account.
pub const FLAGSHIP_CONTACTS: usize = 20_000;

/// The admin is created last: its presence marks a demo whose data is complete.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.bilan.test";
const ADMIN_EMAIL: &str = DEMO_ADMIN_EMAIL;

/// Accounts per transaction: big enough to amortise commits, small enough to keep
/// memory flat and let other writers in between on SQLite.
const CHUNK_ACCOUNTS: usize = 5_000;

/// Demo e-mails end in a reserved TLD (RFC 2606): survey mailings must never reach
/// a real company that happens to share a demo name.
const MAIL_TLD: &str = "test";

const SEED: u64 = 0x00B1_1A2D_E302_0260;

/// A second call arriving mid-generation would see no admin yet and purge the
/// demo being written.
static DEMO_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How big a portfolio to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoSize {
    /// About 2,000 accounts and 6,000 contacts (plus the flagship's 20,000), and
    /// about 100,000 interactions (20,000 of them the flagship's).
    Small,
    /// About 50,000 accounts, 200,000 contacts and 2,000,000 interactions (1,000,000
    /// of them the flagship's).
    Medium,
    /// About 1,000,000 accounts, 5,000,000 contacts and 50,000,000 interactions
    /// (1,000,000 of them the flagship's).
    Large,
}

impl DemoSize {
    /// Every size.
    pub const ALL: [DemoSize; 3] = [Self::Small, Self::Medium, Self::Large];

    /// Parses a size code (`small`, `medium`, `large`, or `s`, `m`, `l`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "small" | "s" => Some(Self::Small),
            "medium" | "m" => Some(Self::Medium),
            "large" | "l" => Some(Self::Large),
            _ => None,
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }

    /// Number of accounts generated.
    pub fn accounts(self) -> usize {
        match self {
            Self::Small => 2_000,
            Self::Medium => 50_000,
            Self::Large => 1_000_000,
        }
    }

    /// Mean contacts per account beyond the first, tuned so totals land near the
    /// nominal 3, 4 and 5 contacts per account.
    fn extra_contacts(self) -> f64 {
        match self {
            Self::Small => 2.08,
            Self::Medium => 3.11,
            Self::Large => 4.12,
        }
    }
}

/// What [`ensure_demo`] found or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    /// Workspace name.
    pub workspace: String,
    /// Demo users as (e-mail, role code).
    pub users: Vec<(String, String)>,
    /// The password of every demo user.
    pub password: String,
    /// Accounts in the workspace.
    pub accounts: usize,
    /// Contacts in the workspace.
    pub contacts: usize,
    /// Sites and business units in the workspace.
    pub sites: usize,
    /// Interactions (the shared history) in the workspace.
    pub interactions: usize,
    /// Survey answers in the workspace.
    pub survey_answers: usize,
    /// False when the demo already existed and nothing was written.
    pub created: bool,
}

/// Creates the demo workspace "Démo Bilan" once: if it already exists, returns created=false quickly with counts from the DB.
///
/// A workspace left half-written by an interrupted run (its admin, written last, is
/// missing) is deleted and generated again. An existing complete demo is kept
/// whatever `size` asks for. Calls are serialised within a process; two processes
/// must not run it at once (the second would take the first's demo for a wreck).
pub async fn ensure_demo(
    app: &App,
    size: DemoSize,
    progress: Option<&(dyn Fn(usize, usize) + Send + Sync)>,
) -> AppResult<DemoReport> {
    let _running = DEMO_LOCK.lock().await;
    if let Some(ws) = find_workspace(app).await? {
        if has_admin(app, &ws).await? {
            return existing_report(app, &ws).await;
        }
        tracing::warn!(workspace = %ws.id, "incomplete demo workspace found: deleting it and starting again");
        purge_workspace(app, ws.id).await?;
    }
    let started = std::time::Instant::now();

    let mut workspace = None;
    let mut kams = Vec::new();
    let mut sponsors = Vec::new();
    let mut staff = Vec::new();
    for member in STAFF.iter().filter(|m| m.duty != Duty::Admin) {
        let (ws, user) = add_user_to_workspace(app, DEMO_WORKSPACE, &member.new_user()).await?;
        match member.duty {
            Duty::Kam(weight) => kams.push(Kam {
                id: user.id,
                weight,
                english: member.language == "en",
            }),
            Duty::Sponsor => sponsors.push(user.id),
            Duty::Other if member.role != "viewer" => staff.push(user.id),
            Duty::Admin | Duty::Other => {}
        }
        workspace = Some(ws.id);
    }
    let workspace = workspace.ok_or_else(|| AppError::Internal("demo staff list has no users".into()))?;

    let plan = Arc::new(Plan {
        workspace,
        accounts: size.accounts(),
        extra_contacts: size.extra_contacts(),
        kams,
        sponsors,
        staff,
        mean_interactions: mean_interactions(size),
        flagship_interactions: flagship_interactions(size),
    });
    let ranges: Vec<Range<usize>> = (0..plan.accounts)
        .step_by(CHUNK_ACCOUNTS)
        .map(|start| start..(start + CHUNK_ACCOUNTS).min(plan.accounts))
        .collect();
    let spawn = |range: Range<usize>| {
        let plan = Arc::clone(&plan);
        tokio::task::spawn_blocking(move || generate_chunk(&plan, range))
    };
    // Generating chunk n+1 while chunk n is written keeps both cores busy.
    let mut pending = ranges.first().cloned().map(spawn);
    let (mut accounts, mut contacts, mut sites) = (0, 0, 0);
    for k in 0..ranges.len() {
        let Some(handle) = pending.take() else { break };
        let chunk = handle
            .await
            .map_err(|e| AppError::Internal(format!("demo generation failed: {e}")))?;
        pending = ranges.get(k + 1).cloned().map(spawn);
        write_chunk(app, &chunk).await?;
        accounts += chunk.accounts.len();
        contacts += chunk.contacts.len();
        sites += chunk.sites.len();
        if let Some(report) = progress {
            report(accounts, plan.accounts);
        }
    }

    let interactions = write_histories(app, &plan, progress).await?;
    let survey_answers = satisfaction::write(app, &plan).await?;
    let complaints = complaints::write(app, &plan).await?;
    let invoices = invoices::write(app, &plan).await?;
    let key_accounts = key_accounts::write(app, &plan).await?;
    let reviews = reviews::write(app, &plan).await?;

    let every_table: Vec<&str> = bilan_db::tables::WORKSPACE_TABLES.iter().map(|t| t.name).collect();
    crate::database::refresh_statistics(app, &every_table).await;
    for member in STAFF.iter().filter(|m| m.duty == Duty::Admin) {
        add_user_to_workspace(app, DEMO_WORKSPACE, &member.new_user()).await?;
    }
    tracing::info!(
        size = size.code(),
        accounts,
        contacts,
        sites,
        interactions,
        survey_answers,
        complaints,
        invoices,
        key_accounts,
        reviews,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo workspace generated"
    );
    Ok(DemoReport {
        workspace: DEMO_WORKSPACE.to_owned(),
        users: STAFF.iter().map(|m| (m.email.to_owned(), m.role.to_owned())).collect(),
        password: DEMO_PASSWORD.to_owned(),
        accounts,
        contacts,
        sites,
        interactions,
        survey_answers,
        created: true,
    })
}

/// Second phase: every account's shared history, generated on a blocking thread
/// while the previous chunk is written. Progress counts accounts again.
async fn write_histories(
    app: &App,
    plan: &Arc<Plan>,
    progress: Option<&(dyn Fn(usize, usize) + Send + Sync)>,
) -> AppResult<usize> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<InteractionChunk>(2);
    let generator = {
        let plan = Arc::clone(plan);
        tokio::task::spawn_blocking(move || {
            generate_histories(&plan, 0..plan.accounts, |chunk| tx.blocking_send(chunk).is_ok());
        })
    };
    let (mut written, mut accounts) = (0, 0);
    while let Some(chunk) = rx.recv().await {
        // On error the receiver is dropped, which stops the generator.
        write_interactions(app, &chunk).await?;
        written += chunk.rows.len();
        accounts += chunk.accounts_done;
        if let Some(report) = progress {
            report(accounts, plan.accounts);
        }
    }
    generator
        .await
        .map_err(|e| AppError::Internal(format!("demo history generation failed: {e}")))?;
    Ok(written)
}

async fn find_workspace(app: &App) -> AppResult<Option<WorkspaceRow>> {
    let mut pc = app.db.acquire().await?;
    Ok(workspaces::find_by_name(&mut pc.conn(), DEMO_WORKSPACE).await?)
}

async fn has_admin(app: &App, ws: &WorkspaceRow) -> AppResult<bool> {
    let mut pc = app.db.acquire().await?;
    let admin = db_users::find_by_email(&mut pc.conn(), ADMIN_EMAIL).await?;
    Ok(admin.is_some_and(|u| u.workspace_id == ws.id))
}

async fn existing_report(app: &App, ws: &WorkspaceRow) -> AppResult<DemoReport> {
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let mut users: Vec<(String, String)> = db_users::list(&mut c, ws.id)
        .await?
        .into_iter()
        .map(|u| (u.email, u.role))
        .collect();
    users.sort_by_key(|(email, _)| {
        STAFF
            .iter()
            .position(|m| m.email == email.as_str())
            .unwrap_or(usize::MAX)
    });
    let accounts = count_rows(&mut c, "accounts", ws.id).await?;
    let contacts = count_rows(&mut c, "contacts", ws.id).await?;
    let sites = count_rows(&mut c, "sites", ws.id).await?;
    let interactions = count_rows(&mut c, "interactions", ws.id).await?;
    let survey_answers = count_rows(&mut c, "survey_answers", ws.id).await?;
    Ok(DemoReport {
        workspace: ws.name.clone(),
        users,
        password: DEMO_PASSWORD.to_owned(),
        accounts,
        contacts,
        sites,
        interactions,
        survey_answers,
        created: false,
    })
}

/// Rows of a registered workspace table.
async fn count_rows(conn: &mut Conn<'_>, table: &str, workspace: Uuid) -> DbResult<usize> {
    let n = bilan_db::tables::count_rows(conn, table, workspace).await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Deletes every row of a workspace, in the order of the table registry.
async fn purge_workspace(app: &App, workspace: Uuid) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    bilan_db::tables::delete_workspace(&mut tx.conn(), workspace).await?;
    tx.commit().await?;
    Ok(())
}

async fn write_chunk(app: &App, chunk: &Chunk) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    db_accounts::insert_rows(&mut c, &chunk.accounts).await?;
    for site in &chunk.sites {
        db_sites::insert_row(&mut c, site).await?;
    }
    db_contacts::insert_rows(&mut c, &chunk.contacts).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::AppConfig;
    use bilan_db::with_conn;
    use bilan_domain::identifiers::{parse_siren, parse_siret, parse_vat_number};
    use std::collections::HashMap;

    pub(super) fn plan(accounts: usize, size: DemoSize) -> Plan {
        let id = |n: u128| Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n);
        Plan {
            workspace: id(1),
            accounts,
            extra_contacts: size.extra_contacts(),
            kams: (0..8)
                .map(|k| Kam {
                    id: id(10 + k),
                    weight: 22 - 2 * k as u32,
                    english: k == 7,
                })
                .collect(),
            sponsors: vec![id(2), id(3)],
            staff: vec![id(4), id(5)],
            mean_interactions: mean_interactions(size),
            flagship_interactions: flagship_interactions(DemoSize::Small),
        }
    }

    #[test]
    fn prng_is_deterministic() {
        // The published SplitMix64 reference output for seed 0.
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let a: Vec<u64> = (0..100)
            .map({
                let mut r = Rng::for_account(42);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..100)
            .map({
                let mut r = Rng::for_account(42);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(Rng::for_account(42).next_u64(), Rng::for_account(43).next_u64());
        let mut r = Rng::new(7);
        assert!((0..10_000).all(|_| r.below(7) < 7));
        assert!((0..10_000).all(|_| (0.0..1.0).contains(&r.unit())));
    }

    #[test]
    fn sizes_parse() {
        for s in DemoSize::ALL {
            assert_eq!(DemoSize::parse(s.code()), Some(s));
        }
        assert_eq!(DemoSize::parse(" Medium "), Some(DemoSize::Medium));
        assert_eq!(DemoSize::parse("huge"), None);
    }

    #[test]
    fn ids_are_v7_shaped_unique_and_ordered_by_time() {
        let t = instant(ymd(2024, 5, 1), 0);
        let a = demo_id(ID_ACCOUNT, 5, t);
        assert_eq!(a.get_version_num(), 7);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert!(demo_id(ID_ACCOUNT, 6, t) > a);
        assert!(demo_id(ID_ACCOUNT, 0, t + Duration::milliseconds(1)) > a);
        assert_ne!(demo_id(ID_CONTACT, 5, t), a);
    }

    #[test]
    fn generation_is_deterministic_and_independent_of_chunking() {
        let p = plan(400, DemoSize::Small);
        let whole = generate_chunk(&p, 1..400);
        assert_eq!(whole, generate_chunk(&p, 1..400));
        let mut parts = generate_chunk(&p, 1..150);
        let rest = generate_chunk(&p, 150..400);
        parts.accounts.extend(rest.accounts);
        parts.sites.extend(rest.sites);
        parts.contacts.extend(rest.contacts);
        assert_eq!(whole, parts);
        let ids: HashSet<Uuid> = whole
            .accounts
            .iter()
            .map(|a| a.id)
            .chain(whole.contacts.iter().map(|c| c.id))
            .collect();
        assert_eq!(ids.len(), whole.accounts.len() + whole.contacts.len());
        assert!(whole
            .accounts
            .windows(2)
            .all(|w| w[0].id < w[1].id && w[0].created_at < w[1].created_at));
    }

    #[test]
    fn identifiers_are_valid_and_unique() {
        let p = plan(5_000, DemoSize::Medium);
        let chunk = generate_chunk(&p, 0..5_000);
        let mut sirens = HashSet::new();
        let mut french = 0;
        for a in &chunk.accounts {
            if a.country == "FR" {
                french += 1;
                let siren = a.siren.clone().unwrap_or_default();
                assert_eq!(parse_siren(&siren).as_deref(), Ok(siren.as_str()), "{}", a.name);
                let siret = a.siret.clone().unwrap_or_default();
                assert_eq!(parse_siret(&siret).as_deref(), Ok(siret.as_str()), "{}", a.name);
                assert!(siret.starts_with(&siren));
                assert_eq!(a.vat_number, french_vat_number(&siren));
                assert!(sirens.insert(siren), "duplicate SIREN");
            } else {
                assert!(a.siren.is_none() && a.siret.is_none());
            }
            if let Some(vat) = &a.vat_number {
                assert_eq!(parse_vat_number(vat).as_deref(), Ok(vat.as_str()), "{}", a.country);
            }
            assert!(
                !a.name.is_empty() && a.name.trim() == a.name && !a.name.contains("  "),
                "{:?}",
                a.name
            );
        }
        let share = f64::from(french) / chunk.accounts.len() as f64;
        assert!((0.65..0.75).contains(&share), "France share {share}");
    }

    #[test]
    fn rows_survive_the_edit_forms() {
        let p = plan(1_500, DemoSize::Small);
        let chunk = generate_chunk(&p, 1..1_500);
        for row in &chunk.accounts {
            let account = row.clone().into_account().unwrap();
            let again = account
                .to_input()
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e:?}", row.name));
            let mut rebuilt = AccountRow::from_new(row.id, row.workspace_id, &again, row.created_at);
            rebuilt.updated_at = row.updated_at;
            assert_eq!(&rebuilt, row);
        }
        for row in chunk.contacts.iter().take(3_000) {
            let contact = row.clone().into_contact().unwrap();
            let again = contact
                .to_input()
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e:?}", row.last_name));
            let mut rebuilt = ContactRow::from_new(row.id, row.workspace_id, row.account_id, &again, row.created_at);
            rebuilt.updated_at = row.updated_at;
            assert_eq!(&rebuilt, row);
        }
    }

    #[test]
    fn value_is_heavy_tailed() {
        let p = plan(4_000, DemoSize::Medium);
        let chunk = generate_chunk(&p, 1..4_000);
        let mut values: Vec<i64> = chunk
            .accounts
            .iter()
            .filter(|a| a.status == "active")
            .map(|a| a.annual_value_minor)
            .collect();
        assert!(values.iter().all(|v| *v > 0));
        values.sort_unstable_by(|a, b| b.cmp(a));
        let total: i64 = values.iter().sum();
        let top: i64 = values.iter().take(values.len() / 5).sum();
        assert!(
            top as f64 > 0.6 * total as f64,
            "top 20% carry {:.2}",
            top as f64 / total as f64
        );
        assert!(chunk
            .accounts
            .iter()
            .filter(|a| a.status != "active")
            .all(|a| a.annual_value_minor == 0));
    }

    #[test]
    fn portfolio_looks_like_a_real_one() {
        let p = plan(6_000, DemoSize::Medium);
        let chunk = generate_chunk(&p, 1..6_000);
        let n = chunk.accounts.len() as f64;
        let share = |f: &dyn Fn(&AccountRow) -> bool| chunk.accounts.iter().filter(|a| f(a)).count() as f64 / n;
        assert!((0.61..0.69).contains(&share(&|a| a.status == "active")));
        assert!((0.21..0.29).contains(&share(&|a| a.status == "prospect")));
        assert!((0.07..0.13).contains(&share(&|a| a.status == "lost")));
        assert!(chunk
            .accounts
            .iter()
            .filter(|a| a.status == "lost")
            .all(|a| a.lost_on.is_some() && a.lost_reason.is_some()));
        assert!(chunk
            .accounts
            .iter()
            .all(|a| a.renewal_date.is_none() || a.renewal_date >= a.contract_start));
        assert!(share(&|a| a.tags.contains("grand compte")) > 0.03);
        assert!(chunk.accounts.iter().any(|a| a.sponsor_id.is_some()));

        let mut per_owner: HashMap<Option<Uuid>, usize> = HashMap::new();
        for a in &chunk.accounts {
            *per_owner.entry(a.owner_id).or_default() += 1;
        }
        let biggest = per_owner
            .iter()
            .filter(|(k, _)| k.is_some())
            .map(|(_, v)| *v)
            .max()
            .unwrap_or(0);
        let smallest = per_owner
            .iter()
            .filter(|(k, _)| k.is_some())
            .map(|(_, v)| *v)
            .min()
            .unwrap_or(0);
        assert!(biggest > 2 * smallest, "owners should be unequal");

        let c = chunk.contacts.len() as f64;
        let per_account = c / n;
        assert!((3.5..4.5).contains(&per_account), "contacts per account {per_account}");
        let left = chunk.contacts.iter().filter(|c| c.left_on.is_some()).count() as f64 / c;
        assert!((0.06..0.10).contains(&left), "left {left}");
        let consent = chunk.contacts.iter().filter(|c| c.survey_consent).count() as f64 / c;
        assert!((0.77..0.83).contains(&consent), "consent {consent}");
        let countries: HashMap<Uuid, &str> = chunk.accounts.iter().map(|a| (a.id, a.country.as_str())).collect();
        for contact in &chunk.contacts {
            let french = matches!(countries.get(&contact.account_id), Some(&("FR" | "BE" | "CH" | "LU")));
            assert_eq!(contact.language, if french { "fr" } else { "en" });
            assert!(!contact.roles.is_empty());
        }
    }

    #[test]
    fn flagship_has_twenty_thousand_distinct_contacts() {
        let p = plan(10, DemoSize::Small);
        let chunk = generate_chunk(&p, 0..1);
        assert_eq!(chunk.accounts[0].name, FLAGSHIP_ACCOUNT);
        assert_eq!(chunk.contacts.len(), FLAGSHIP_CONTACTS);
        let emails: HashSet<&str> = chunk.contacts.iter().filter_map(|c| c.email.as_deref()).collect();
        assert_eq!(
            emails.len(),
            chunk.contacts.iter().filter(|c| c.email.is_some()).count()
        );
        assert!(emails.iter().all(|e| e.ends_with("@groupe-hexagone-distribution.test")));
        assert!(chunk.sites.len() > 50);
        assert!(chunk.contacts.iter().filter(|c| c.site_id.is_some()).count() > 15_000);
    }

    #[test]
    fn each_size_lands_near_its_nominal_history() {
        for (size, nominal) in [
            (DemoSize::Small, 100_000.0),
            (DemoSize::Medium, 2_000_000.0),
            (DemoSize::Large, 50_000_000.0),
        ] {
            let p = plan(size.accounts(), size);
            let sample = 4_000.min(size.accounts());
            let mut total = 0;
            for index in 1..sample {
                let mut scratch = Chunk::default();
                generate_account(&p, index, &mut scratch);
                let mut rng = Rng::new(mix64(SEED ^ mix64(index as u64 ^ 0xC0_7247)));
                total += interaction_count(&p, index, &scratch.accounts[0], &mut rng);
            }
            let mean = total as f64 / (sample - 1) as f64;
            let expected = mean * (size.accounts() - 1) as f64 + flagship_interactions(size) as f64;
            assert!(
                (0.8..1.25).contains(&(expected / nominal)),
                "{}: about {expected:.0} interactions",
                size.code()
            );
        }
    }

    #[test]
    fn histories_are_heavy_tailed_and_answered() {
        let p = plan(3_000, DemoSize::Medium);
        let mut counts = Vec::new();
        for index in 1..3_000 {
            let mut scratch = Chunk::default();
            generate_account(&p, index, &mut scratch);
            let mut rng = Rng::new(mix64(SEED ^ mix64(index as u64 ^ 0xC0_7247)));
            counts.push(interaction_count(&p, index, &scratch.accounts[0], &mut rng));
        }
        let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
        eprintln!("mean interactions per account {mean}");
        assert!((0.8..1.25).contains(&(mean / p.mean_interactions)), "mean {mean}");
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let top: usize = counts.iter().take(counts.len() / 10).sum();
        assert!(top as f64 > 0.35 * counts.iter().sum::<usize>() as f64);

        let mut rows = Vec::new();
        let mut links = Vec::new();
        generate_histories(&p, 1..200, |c| {
            rows.extend(c.rows);
            links.extend(c.links);
            true
        });
        let mut again = Vec::new();
        generate_histories(&p, 1..200, |c| {
            again.extend(c.rows);
            true
        });
        assert_eq!(rows, again);
        let ids: HashSet<Uuid> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), rows.len());
        let now = timeline_now();
        assert!(rows
            .iter()
            .all(|r| r.occurred_at <= now && r.created_at >= r.occurred_at));
        let inbound = rows.iter().filter(|r| r.direction == "inbound").count();
        let answered = rows.iter().filter(|r| r.response_seconds.is_some()).count();
        assert!(answered as f64 > 0.8 * inbound as f64, "{answered}/{inbound}");
        assert!(rows.iter().any(|r| r.beyond_contract));
        assert!(rows
            .iter()
            .any(|r| r.follow_up_due.is_some() && r.follow_up_done_at.is_none()));
        assert!(rows.iter().any(|r| r.follow_up_done_at.is_some()));
        assert!(links.len() > rows.len() / 2);
    }

    #[tokio::test]
    async fn ensure_demo_small_on_sqlite() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("bilan-demo-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = bilan_db::Db::connect(&format!("sqlite://{}/x.db", dir.display()), &Default::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let app = App::new(db, AppConfig::for_tests(), Arc::new(SystemClock));

        let calls = std::sync::Mutex::new(Vec::new());
        let progress = |done: usize, total: usize| calls.lock().unwrap().push((done, total));
        let started = std::time::Instant::now();
        let first = ensure_demo(&app, DemoSize::Small, Some(&progress)).await.unwrap();
        eprintln!("small demo generated in {:?}: {first:?}", started.elapsed());
        assert!(first.created);
        assert_eq!(first.accounts, 2_000);
        assert!(
            first.contacts > FLAGSHIP_CONTACTS + 4_000 && first.contacts < FLAGSHIP_CONTACTS + 8_000,
            "{}",
            first.contacts
        );
        assert!(first.sites > 60);
        assert_eq!(first.users.len(), STAFF.len());
        assert_eq!(first.users[0], (ADMIN_EMAIL.to_owned(), "admin".to_owned()));
        assert_eq!(calls.lock().unwrap().last(), Some(&(2_000, 2_000)));
        assert!(
            (80_000..130_000).contains(&first.interactions),
            "{}",
            first.interactions
        );
        let flagship: i64 = {
            let mut pc = app.db.acquire().await.unwrap();
            with_conn!(&mut pc.conn(), |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM interactions i JOIN accounts a ON a.id = i.account_id WHERE a.name = $1"
            )
            .bind(FLAGSHIP_ACCOUNT)
            .fetch_one(&mut **c)
            .await)
            .unwrap()
        };
        assert!((19_000..=20_000).contains(&flagship), "{flagship}");
        let answered: i64 = {
            let mut pc = app.db.acquire().await.unwrap();
            with_conn!(&mut pc.conn(), |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM interactions WHERE direction = 'inbound' AND response_seconds IS NOT NULL"
            )
            .fetch_one(&mut **c)
            .await)
            .unwrap()
        };
        assert!(answered > 10_000, "{answered}");
        // The outgoing e-mail page is not empty: the last weeks' invitations were sent.
        let sent: i64 = {
            let mut pc = app.db.acquire().await.unwrap();
            with_conn!(&mut pc.conn(), |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND purpose = 'survey_invitation'"
            )
            .fetch_one(&mut **c)
            .await)
            .unwrap()
        };
        assert!(sent > 50, "{sent}");

        let started = std::time::Instant::now();
        let second = ensure_demo(&app, DemoSize::Medium, None).await.unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(
            second,
            DemoReport {
                created: false,
                ..first.clone()
            }
        );

        let session = crate::auth::login(&app, ADMIN_EMAIL, DEMO_PASSWORD, None, None)
            .await
            .unwrap();
        assert_eq!(session.actor.role.code(), "admin");

        // Simulate a run that died before its last step: the demo must start over.
        let ws = find_workspace(&app).await.unwrap().unwrap();
        let mut tx = app.db.begin().await.unwrap();
        with_conn!(&mut tx.conn(), |c| sqlx::query("DELETE FROM sessions")
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
        with_conn!(&mut tx.conn(), |c| sqlx::query("DELETE FROM users WHERE email = $1")
            .bind(ADMIN_EMAIL)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
        tx.commit().await.unwrap();
        assert!(!has_admin(&app, &ws).await.unwrap());
        purge_workspace(&app, ws.id).await.unwrap();
        assert!(find_workspace(&app).await.unwrap().is_none());
        let mut pc = app.db.acquire().await.unwrap();
        assert_eq!(count_rows(&mut pc.conn(), "contacts", ws.id).await.unwrap(), 0);
        drop(pc);

        app.db.close().await;
        drop(std::fs::remove_dir_all(&dir));
    }
}
