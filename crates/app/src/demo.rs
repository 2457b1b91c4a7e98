//! Deterministic demo data: the "Démo Bilan" workspace, its users, and a realistic,
//! heavy-tailed portfolio of French and European accounts, sites and contacts.
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

mod satisfaction;

/// Name of the demo workspace.
pub const DEMO_WORKSPACE: &str = "Démo Bilan";

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "bilan-demo-2026";

/// The one account with 20,000 contacts, at every size, to exercise long lists.
pub const FLAGSHIP_ACCOUNT: &str = "Groupe Hexagone Distribution";

/// Contacts of the flagship account.
pub const FLAGSHIP_CONTACTS: usize = 20_000;

/// The admin is created last: its presence marks a demo whose data is complete.
const ADMIN_EMAIL: &str = "admin@demo.bilan.test";

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

// ---------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duty {
    Admin,
    /// Executive sponsor of the biggest accounts.
    Sponsor,
    /// Account manager; the weight skews portfolio sizes like a real sales team.
    Kam(u32),
    Other,
}

struct StaffMember {
    email: &'static str,
    name: &'static str,
    role: &'static str,
    language: &'static str,
    duty: Duty,
}

impl StaffMember {
    fn new_user(&self) -> NewUser {
        NewUser {
            email: self.email.to_owned(),
            display_name: Some(self.name.to_owned()),
            role: self.role.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            language: Some(self.language.to_owned()),
        }
    }
}

#[rustfmt::skip]
const STAFF: &[StaffMember] = &[
    StaffMember { email: ADMIN_EMAIL, name: "Camille Martin", role: "admin", language: "fr", duty: Duty::Admin },
    StaffMember { email: "direction@demo.bilan.test", name: "Hélène Dubois", role: "manager", language: "fr", duty: Duty::Sponsor },
    StaffMember { email: "manager@demo.bilan.test", name: "Nicolas Lefèvre", role: "manager", language: "fr", duty: Duty::Sponsor },
    StaffMember { email: "kam1@demo.bilan.test", name: "Julien Moreau", role: "account_manager", language: "fr", duty: Duty::Kam(22) },
    StaffMember { email: "kam2@demo.bilan.test", name: "Sophie Lambert", role: "account_manager", language: "fr", duty: Duty::Kam(18) },
    StaffMember { email: "kam3@demo.bilan.test", name: "Karim Benali", role: "account_manager", language: "fr", duty: Duty::Kam(15) },
    StaffMember { email: "kam4@demo.bilan.test", name: "Élodie Garnier", role: "account_manager", language: "fr", duty: Duty::Kam(13) },
    StaffMember { email: "kam5@demo.bilan.test", name: "Thomas Rousseau", role: "account_manager", language: "fr", duty: Duty::Kam(11) },
    StaffMember { email: "kam6@demo.bilan.test", name: "Claire Fontaine", role: "account_manager", language: "fr", duty: Duty::Kam(9) },
    StaffMember { email: "kam7@demo.bilan.test", name: "Antoine Mercier", role: "account_manager", language: "fr", duty: Duty::Kam(7) },
    StaffMember { email: "kam8@demo.bilan.test", name: "Emma Schneider", role: "account_manager", language: "en", duty: Duty::Kam(5) },
    StaffMember { email: "finance@demo.bilan.test", name: "Sandrine Petit", role: "finance", language: "fr", duty: Duty::Other },
    StaffMember { email: "support@demo.bilan.test", name: "Mehdi Haddad", role: "support", language: "fr", duty: Duty::Other },
    StaffMember { email: "viewer@demo.bilan.test", name: "Oliver Bennett", role: "viewer", language: "en", duty: Duty::Other },
];

// ---------------------------------------------------------------------------
// Pseudo-random numbers
// ---------------------------------------------------------------------------

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64: tiny, fast, and good enough for fake data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Mixing the index (rather than adding it) keeps neighbouring accounts'
    /// streams from being shifted copies of each other.
    fn for_account(index: usize) -> Self {
        Self::new(mix64(SEED ^ mix64(index as u64 ^ GOLDEN)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in `0..n` (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn pick_weighted<'a, T>(&mut self, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
        let total: usize = items.iter().map(|t| weight(t) as usize).sum();
        let mut r = self.below(total);
        for t in items {
            let w = weight(t) as usize;
            if r < w {
                return t;
            }
            r -= w;
        }
        &items[items.len() - 1]
    }

    /// Exponential with the given mean.
    fn exponential(&mut self, mean: f64) -> f64 {
        -(1.0 - self.unit()).ln() * mean
    }

    /// Pareto with scale 1: P(X > x) = x^-alpha.
    fn pareto(&mut self, alpha: f64) -> f64 {
        (1.0 - self.unit()).powf(-1.0 / alpha)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

// ---------------------------------------------------------------------------
// Pure generation
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Kam {
    id: Uuid,
    weight: u32,
    english: bool,
}

/// Everything the pure generator needs; no database access.
#[derive(Debug, Clone)]
struct Plan {
    workspace: Uuid,
    accounts: usize,
    extra_contacts: f64,
    kams: Vec<Kam>,
    /// Executives, most senior first.
    sponsors: Vec<Uuid>,
    /// Finance, then support: they handle invoices and incidents.
    staff: Vec<Uuid>,
    /// Mean interactions of an ordinary account.
    mean_interactions: f64,
    /// Interactions of the flagship account.
    flagship_interactions: usize,
}

/// The rows of one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
struct Chunk {
    accounts: Vec<AccountRow>,
    sites: Vec<SiteRow>,
    contacts: Vec<ContactRow>,
}

const ID_ACCOUNT: u64 = 1;
const ID_SITE: u64 = 2;
const ID_CONTACT: u64 = 3;

/// A UUIDv7-shaped id whose time prefix is the row's creation instant, so ids sort
/// like creation dates; kind and sequence fill the random bits and make it unique.
fn demo_id(kind: u64, seq: u64, at: DateTime<Utc>) -> Uuid {
    let ms = u128::from(at.timestamp_millis().max(0) as u64) & 0xFFFF_FFFF_FFFF;
    let rand_b = (u128::from(kind & 0xF) << 58) | u128::from(seq & ((1 << 58) - 1));
    Uuid::from_u128((ms << 80) | (0x7 << 76) | (0b10 << 62) | rand_b)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn instant(date: NaiveDate, secs: u32) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::seconds(i64::from(secs))
}

/// The demo's "today": nothing is updated after it, so the data looks the same
/// whenever it is generated.
fn demo_now() -> DateTime<Utc> {
    instant(ymd(2026, 11, 2), 17 * 3600)
}

/// Accounts are created in index order between these instants, so the oldest
/// clients come first and ids follow creation dates.
fn account_created_at(plan: &Plan, index: usize, rng: &mut Rng) -> DateTime<Utc> {
    let from = instant(ymd(2019, 1, 7), 8 * 3600);
    let span = (instant(ymd(2026, 9, 30), 0) - from).num_seconds().max(1) as u64;
    let total = plan.accounts.max(1) as u64;
    let step = (span / total).max(1);
    let offset = index as u64 * span / total + rng.below(step as usize) as u64;
    from + Duration::seconds(offset as i64)
}

fn generate_chunk(plan: &Plan, range: Range<usize>) -> Chunk {
    let mut chunk = Chunk::default();
    for index in range {
        generate_account(plan, index, &mut chunk);
    }
    chunk
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Fr,
    De,
    Es,
    It,
    Nl,
    En,
}

const ALL_LANGS: [Lang; 6] = [Lang::Fr, Lang::De, Lang::Es, Lang::It, Lang::Nl, Lang::En];

/// What the contacts of one account share.
struct AccountCtx<'a> {
    id: Uuid,
    index: usize,
    country: &'a str,
    lang: Lang,
    domain: String,
    mail_style: usize,
    created: DateTime<Utc>,
    flagship: bool,
}

fn generate_account(plan: &Plan, index: usize, out: &mut Chunk) {
    let mut rng = Rng::for_account(index);
    let created = account_created_at(plan, index, &mut rng);
    let id = demo_id(ID_ACCOUNT, index as u64, created);
    let (account, lang, sites_wanted, contacts_mean) = if index == 0 {
        flagship_account(plan)
    } else {
        regular_account(plan, index, &mut rng)
    };

    let sites = if index == 0 {
        flagship_sites(plan, id, created)
    } else {
        make_sites(plan, &mut rng, id, index, &account.country, lang, sites_wanted, created)
    };
    let site_ids: Vec<Uuid> = sites.iter().map(|s| s.id).collect();

    let count = if index == 0 {
        FLAGSHIP_CONTACTS
    } else {
        (1 + (rng.exponential(contacts_mean) + 0.5) as usize).min(300)
    };
    let ctx = AccountCtx {
        id,
        index,
        country: &account.country,
        lang,
        domain: format!("{}.{MAIL_TLD}", slug(&account.name)),
        mail_style: rng.pick_weighted(&[(0, 60), (1, 20), (2, 15), (3, 5)], |w| w.1).0,
        created,
        flagship: index == 0,
    };
    let mut emails = HashSet::with_capacity(count);
    for j in 0..count {
        out.contacts
            .push(make_contact(plan, &mut rng, &ctx, j, &site_ids, &mut emails));
    }

    let updated = (created + Duration::days(rng.below(600) as i64)).min(demo_now().max(created));
    let mut row = AccountRow::from_new(id, plan.workspace, &account, created);
    row.updated_at = updated;
    out.accounts.push(row);
    out.sites.extend(sites);
}

fn flagship_account(plan: &Plan) -> (NewAccount, Lang, usize, f64) {
    let siren = siren_for(0, false);
    let account = NewAccount {
        name: FLAGSHIP_ACCOUNT.to_owned(),
        legal_name: Some("Hexagone Distribution SA".to_owned()),
        siret: Some(siret_for(&siren, 1)),
        vat_number: french_vat_number(&siren),
        siren: Some(siren),
        sector: Some("Distribution".to_owned()),
        size: Some(CompanySize::Large),
        country: "FR".to_owned(),
        address: Some("18 avenue Carnot".to_owned()),
        postal_code: Some("91300".to_owned()),
        city: Some("Massy".to_owned()),
        status: AccountStatus::Active,
        lost_on: None,
        lost_reason: None,
        owner_id: plan.kams.first().map(|k| k.id),
        sponsor_id: plan.sponsors.first().copied(),
        contract_start: Some(ymd(2024, 1, 1)),
        renewal_date: Some(ymd(2026, 12, 31)),
        annual_value: eur(9_600_000),
        tags: ["grand compte", "stratégique", "multi-sites"]
            .map(str::to_owned)
            .to_vec(),
        external_ref: Some("CRM-0000001".to_owned()),
    };
    (account, Lang::Fr, 0, 0.0)
}

fn eur(euros: i64) -> Money {
    Money {
        minor: euros * 100,
        currency: Currency::EUR,
    }
}

fn regular_account(plan: &Plan, index: usize, rng: &mut Rng) -> (NewAccount, Lang, usize, f64) {
    let country = rng.pick_weighted(COUNTRIES, |c| c.weight);
    let fr = country.code == "FR";
    let sector = rng.pick_weighted(SECTORS, |s| if s.fr.is_empty() && !fr { 0 } else { s.weight });
    let public = sector.fr.is_empty();
    let (city, postal_code, lang) = if fr && rng.chance(0.35) {
        let (city, postal) = small_commune(rng);
        (city, postal, Lang::Fr)
    } else {
        let p = rng.pick_weighted(country.places, |p| p.3);
        (p.0.to_owned(), p.1.to_owned(), p.2)
    };

    let (name, legal_name, band) = if public {
        let (body, band) = *rng.pick(PUBLIC_BODIES);
        (format!("{body} {}", of_place(&city)), None, band)
    } else {
        let band = *rng.pick_weighted(
            &[
                (CompanySize::Micro, 20),
                (CompanySize::Small, 50),
                (CompanySize::Intermediate, 22),
                (CompanySize::Large, 8),
            ],
            |b| b.1,
        );
        let name = company_name(rng, lang, fr, sector);
        let form = legal_form(rng, country.code, lang, band.0);
        let legal = match name.strip_prefix("Groupe ") {
            Some(rest) => format!("{rest} {form}"),
            None => format!("{name} {form}"),
        };
        (name, Some(legal), band.0)
    };

    let (siren, siret, vat_number) = if fr {
        let siren = siren_for(index, public);
        let siret = siret_for(&siren, 1 + rng.below(9) as u32);
        (Some(siren.clone()), Some(siret), french_vat_number(&siren))
    } else {
        (None, None, foreign_vat(rng, country.code))
    };

    let status = rng
        .pick_weighted(
            &[
                (AccountStatus::Active, 65),
                (AccountStatus::Prospect, 25),
                (AccountStatus::Lost, 10),
            ],
            |s| s.1,
        )
        .0;
    let value_eur = if status == AccountStatus::Active {
        annual_value_eur(rng, band)
    } else {
        0
    };

    let owner_id = if status == AccountStatus::Prospect && rng.chance(0.03) {
        None
    } else {
        pick_owner(plan, rng, country.code)
    };
    let key_account = status == AccountStatus::Active && (value_eur >= 250_000 || band == CompanySize::Large);
    let sponsor_id = match (key_account, plan.sponsors.as_slice()) {
        (false, _) | (true, []) => None,
        (true, [senior, ..]) if value_eur >= 1_000_000 => Some(*senior),
        (true, all) => Some(*rng.pick(all)),
    };

    let (contract_start, renewal_date, lost_on, lost_reason) = match status {
        AccountStatus::Active => {
            let renewal = ymd(2026, 9, 1) + Duration::days(rng.below(487) as i64);
            let months = rng.pick_weighted(&[(12, 40), (24, 25), (36, 35)], |m| m.1).0;
            let start = renewal.checked_sub_months(Months::new(months)).unwrap_or(renewal);
            (Some(start), Some(renewal), None, None)
        }
        AccountStatus::Lost => {
            let lost = ymd(2023, 3, 1) + Duration::days(rng.below(1341) as i64);
            let start = lost
                .checked_sub_months(Months::new(12 + rng.below(49) as u32))
                .unwrap_or(lost);
            (
                Some(start),
                None,
                Some(lost),
                Some((*rng.pick(LOST_REASONS)).to_owned()),
            )
        }
        AccountStatus::Prospect => (None, None, None, None),
    };

    let sites_wanted = match band {
        CompanySize::Large => 2 + rng.below(5),
        CompanySize::Intermediate if rng.chance(0.35) => 1 + rng.below(3),
        CompanySize::Small if rng.chance(0.04) => 1,
        _ => 0,
    };

    let mut tags: Vec<&str> = Vec::new();
    if key_account {
        tags.push("grand compte");
    }
    if status == AccountStatus::Active && (value_eur >= 500_000 || (key_account && rng.chance(0.3))) {
        tags.push("stratégique");
    }
    if status == AccountStatus::Active {
        let soon = renewal_date.is_some_and(|r| r <= ymd(2027, 3, 1));
        if rng.chance(if soon { 0.18 } else { 0.05 }) {
            tags.push("à risque");
        }
        if contract_start.is_some_and(|s| s >= ymd(2026, 1, 1)) {
            tags.push("nouveau client");
        }
    }
    if (!fr && rng.chance(0.7)) || (fr && rng.chance(0.03)) {
        tags.push("export");
    }
    if public {
        tags.push("public");
    }
    if sites_wanted >= 2 {
        tags.push("multi-sites");
    }
    if status == AccountStatus::Prospect && rng.chance(0.12) {
        tags.push("salon 2026");
    }
    if rng.chance(0.01) {
        tags.push("pilote");
    }

    let status_weight = match status {
        AccountStatus::Active => 1.15,
        AccountStatus::Prospect => 0.6,
        AccountStatus::Lost => 0.9,
    };
    let band_weight = match band {
        CompanySize::Micro => 0.4,
        CompanySize::Small => 0.8,
        CompanySize::Intermediate => 1.4,
        CompanySize::Large => 2.5,
    };
    let contacts_mean = plan.extra_contacts * status_weight * band_weight;

    let account = NewAccount {
        name,
        legal_name,
        siren,
        siret,
        vat_number,
        sector: Some(sector.label.to_owned()),
        size: Some(band),
        country: country.code.to_owned(),
        address: Some(street_address(rng, lang)),
        postal_code: Some(postal_code),
        city: Some(city),
        status,
        lost_on,
        lost_reason,
        owner_id,
        sponsor_id,
        contract_start,
        renewal_date,
        annual_value: eur(value_eur),
        tags: tags.into_iter().map(str::to_owned).collect(),
        external_ref: rng.chance(0.7).then(|| format!("CRM-{:07}", index + 1)),
    };
    (account, lang, sites_wanted, contacts_mean)
}

/// Pareto(α = 1.1) scaled by company size: a few accounts carry most revenue, as in
/// real B2B portfolios. Whole hundreds of euros, as contracts are priced.
fn annual_value_eur(rng: &mut Rng, band: CompanySize) -> i64 {
    let scale = match band {
        CompanySize::Micro => 600.0,
        CompanySize::Small => 1_500.0,
        CompanySize::Intermediate => 5_000.0,
        CompanySize::Large => 18_000.0,
    };
    let euros = (scale * rng.pareto(1.1)).min(8_000_000.0);
    ((euros / 100.0).round() as i64).max(3) * 100
}

fn pick_owner(plan: &Plan, rng: &mut Rng, country: &str) -> Option<Uuid> {
    if plan.kams.is_empty() {
        return None;
    }
    // The English-speaking KAM carries most accounts where French is not spoken.
    if matches!(country, "DE" | "NL" | "GB" | "ES" | "IT") && rng.chance(0.6) {
        if let Some(k) = plan.kams.iter().find(|k| k.english) {
            return Some(k.id);
        }
    }
    Some(rng.pick_weighted(&plan.kams, |k| k.weight).id)
}

/// A unique, Luhn-valid SIREN per account index: an affine bijection spreads indexes
/// over the 8-digit body (2xx… for public bodies, 3xx–9xx for companies, as INSEE
/// numbers them), then the Luhn key is appended.
fn siren_for(index: usize, public: bool) -> String {
    const A: u64 = 48_271_139;
    let i = index as u64;
    let body = if public {
        20_000_000 + (A * i + 1_234_567) % 10_000_000
    } else {
        30_000_000 + (A * i + 7_654_321) % 70_000_000
    };
    with_luhn_key(&body.to_string())
}

fn with_luhn_key(body: &str) -> String {
    (0..10)
        .map(|k| format!("{body}{k}"))
        .find(|s| luhn_valid(s))
        .unwrap_or_else(|| format!("{body}0"))
}

/// SIRET of establishment `n` (head office NIC 0001x …).
fn siret_for(siren: &str, n: u32) -> String {
    with_luhn_key(&format!("{siren}{n:04}"))
}

/// VAT numbers in each country's shape (with its real check digits where cheap);
/// none for Switzerland and the United Kingdom, outside the EU VAT system.
fn foreign_vat(rng: &mut Rng, country: &str) -> Option<String> {
    match country {
        "DE" => Some(format!("DE{}{}", 1 + rng.below(9), rng.digits(8))),
        "BE" => {
            let n = 2_000_000 + rng.below(7_999_999) as u64;
            Some(format!("BE0{n}{:02}", 97 - (n % 97)))
        }
        "ES" => Some(format!("ES{}{}", rng.pick(&["A", "B", "B", "B"]), rng.digits(8))),
        "IT" => Some(format!("IT{}", with_luhn_key(&rng.digits(10)))),
        "NL" => Some(format!("NL{}{}B01", 1 + rng.below(9), rng.digits(8))),
        "LU" => {
            let n = 100_000 + rng.below(900_000) as u64;
            Some(format!("LU{n}{:02}", n % 89))
        }
        _ => None,
    }
}

fn legal_form(rng: &mut Rng, country: &str, lang: Lang, band: CompanySize) -> &'static str {
    let big = matches!(band, CompanySize::Large) || (band == CompanySize::Intermediate && rng.chance(0.4));
    let forms: &[(&'static str, u32)] = match (country, lang, big) {
        ("FR", _, true) => &[("SA", 45), ("SAS", 55)],
        ("FR", _, false) if band == CompanySize::Micro => &[("SARL", 35), ("EURL", 15), ("SASU", 25), ("SAS", 25)],
        ("FR", _, false) => &[("SAS", 55), ("SARL", 35), ("SA", 5), ("SCOP", 5)],
        ("BE", Lang::Nl, true) => &[("NV", 1)],
        ("BE", Lang::Nl, false) => &[("BV", 1)],
        ("BE", _, true) => &[("SA", 1)],
        ("BE", _, false) => &[("SRL", 1)],
        ("CH", Lang::De, true) => &[("AG", 1)],
        ("CH", Lang::De, false) => &[("GmbH", 2), ("AG", 1)],
        ("CH", Lang::It, false) => &[("Sagl", 1)],
        ("CH", _, true) => &[("SA", 1)],
        ("CH", _, false) => &[("Sàrl", 2), ("SA", 1)],
        ("LU", _, true) => &[("S.A.", 1)],
        ("LU", _, false) => &[("S.à r.l.", 1)],
        ("DE", _, true) => &[("AG", 3), ("SE", 1), ("GmbH", 2)],
        ("DE", _, false) => &[("GmbH", 14), ("GmbH & Co. KG", 5), ("KG", 1)],
        ("ES", _, true) => &[("S.A.", 1)],
        ("ES", _, false) => &[("S.L.", 1)],
        ("IT", _, true) => &[("S.p.A.", 1)],
        ("IT", _, false) => &[("S.r.l.", 1)],
        ("NL", _, true) => &[("N.V.", 1), ("B.V.", 1)],
        ("NL", _, false) => &[("B.V.", 1)],
        ("GB", _, true) => &[("PLC", 1)],
        _ => &[("Ltd", 1)],
    };
    rng.pick_weighted(forms, |f| f.1).0
}

fn company_name(rng: &mut Rng, lang: Lang, in_france: bool, sector: &Sector) -> String {
    let names = person_names(lang);
    let surname = *rng.pick(names.last);
    let other_surname = *rng.pick(names.last);
    let word = match lang {
        Lang::Fr => *rng.pick(sector.fr),
        Lang::De => sector.de,
        Lang::Es => sector.es,
        Lang::It => sector.it,
        Lang::Nl => sector.nl,
        Lang::En => sector.en,
    };
    let root = if lang == Lang::Fr && rng.chance(0.6) {
        *rng.pick(FR_ROOTS)
    } else {
        *rng.pick(ROOTS)
    };
    let coined = coined_name(rng);
    let initials = acronym(rng);
    // Weights favour the patterns with many combinations, so a large portfolio
    // repeats few names.
    let pattern = rng.below(100);
    match lang {
        Lang::Fr => match pattern {
            0..=19 => format!("{word} {surname}"),
            20..=37 => format!("{initials} {word}"),
            38..=43 => format!("{root} {word}"),
            44..=46 => format!(
                "{} {surname}",
                rng.pick(&["Groupe", "Société", "Établissements", "Compagnie", "Maison"])
            ),
            47..=64 => coined,
            65..=72 => format!("{coined} {word}"),
            73..=75 => format!("{surname} {}", rng.pick(&["& Fils", "Frères", "et Associés"])),
            76..=93 => format!("{word} {surname}-{other_surname}"),
            _ if in_france => format!("{word} {}", rng.pick(FR_REGIONS)),
            _ => format!("{initials} {surname}"),
        },
        _ => {
            let (region, family, family_prefix, group) = match lang {
                Lang::De => (*rng.pick(DE_REGIONS), "& Söhne", "Gebrüder", "Gruppe"),
                Lang::Es => (*rng.pick(ES_REGIONS), "e Hijos", "Hermanos", "Grupo"),
                Lang::It => (*rng.pick(IT_REGIONS), "& Figli", "Fratelli", "Gruppo"),
                Lang::Nl => (*rng.pick(NL_REGIONS), "& Zonen", "Gebroeders", "Groep"),
                _ => (*rng.pick(EN_REGIONS), "& Sons", "", "Group"),
            };
            // German, Dutch and English put the trade after the name; Romance languages before.
            let trade_first = matches!(lang, Lang::Es | Lang::It);
            match pattern {
                0..=21 if trade_first => format!("{word} {surname}"),
                0..=21 => format!("{surname} {word}"),
                22..=39 => format!("{initials} {word}"),
                40..=45 => format!("{root} {word}"),
                46..=62 => coined,
                63..=66 if lang == Lang::En => format!("{surname} {group}"),
                63..=66 => format!("{group} {surname}"),
                67..=68 if !family_prefix.is_empty() => format!("{family_prefix} {surname}"),
                67..=71 => format!("{surname} {family}"),
                72..=93 => format!("{surname} & {other_surname}"),
                _ if lang == Lang::De => format!("{region}-{word}"),
                _ if trade_first => format!("{word} {region}"),
                _ => format!("{region} {word}"),
            }
        }
    }
}

/// Company initials ("SMB", "CGTE"), as French and German firms often go by.
fn acronym(rng: &mut Rng) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHILMNPRSTV";
    let n = if rng.chance(0.75) { 3 } else { 2 + 2 * rng.below(2) };
    (0..n).map(|_| char::from(*rng.pick(LETTERS))).collect()
}

/// Invented brand names ("Valitek", "Norsivia"), ~130,000 of them.
fn coined_name(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        return format!(
            "{}{}{}{}",
            rng.pick(SYLLABLES_HEAD),
            rng.pick(SYLLABLES_MID),
            rng.pick(SYLLABLES_MID),
            rng.pick(SYLLABLES_TAIL)
        );
    }
    format!(
        "{}{}{}",
        rng.pick(SYLLABLES_HEAD),
        rng.pick(SYLLABLES_MID),
        rng.pick(SYLLABLES_TAIL)
    )
}

/// "de Lyon", "d'Angers", "du Havre".
fn of_place(city: &str) -> String {
    if let Some(rest) = city.strip_prefix("Le ") {
        return format!("du {rest}");
    }
    if let Some(rest) = city.strip_prefix("Les ") {
        return format!("des {rest}");
    }
    match city.chars().next() {
        Some(c) if "AEIOUYÉÈÊÎÔaeiouyéè".contains(c) => format!("d'{city}"),
        _ => format!("de {city}"),
    }
}

/// Most French companies sit in small towns, not in the 80 cities of the list.
fn small_commune(rng: &mut Rng) -> (String, String) {
    let name = format!("{}{}", rng.pick(COMMUNE_HEADS), rng.pick(COMMUNE_TAILS));
    let dept = *rng.pick(FR_DEPARTMENTS);
    (name, format!("{dept:02}{}{}0", rng.below(10), 1 + rng.below(9)))
}

fn street_address(rng: &mut Rng, lang: Lang) -> String {
    let max = if rng.chance(0.8) { 60 } else { 240 };
    let n = 1 + rng.below(max);
    match lang {
        // Many French firms sit in a business park named before the street.
        Lang::Fr if rng.chance(0.15) => {
            format!("{}, {n} {}", rng.pick(FR_BUSINESS_PARKS), rng.pick(FR_STREETS))
        }
        Lang::Fr => format!("{n} {}", rng.pick(FR_STREETS)),
        Lang::De => format!("{} {n}", rng.pick(DE_STREETS)),
        Lang::Es => format!("{}, {n}", rng.pick(ES_STREETS)),
        Lang::It => format!("{} {n}", rng.pick(IT_STREETS)),
        Lang::Nl => format!("{} {n}", rng.pick(NL_STREETS)),
        Lang::En => format!("{n} {}", rng.pick(EN_STREETS)),
    }
}

/// A domain-safe form of a company name: "Société Générale" → "societe-generale".
fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in normalize(name).split(' ').filter(|w| !w.is_empty()) {
        if out.len() + word.len() > 40 && !out.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out.push_str("entreprise");
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn make_sites(
    plan: &Plan,
    rng: &mut Rng,
    account: Uuid,
    index: usize,
    country: &str,
    lang: Lang,
    wanted: usize,
    created: DateTime<Utc>,
) -> Vec<SiteRow> {
    let places = COUNTRIES
        .iter()
        .find(|c| c.code == country)
        .map(|c| c.places)
        .unwrap_or(FR_PLACES);
    let mut names: Vec<String> = Vec::with_capacity(wanted);
    let mut sites = Vec::with_capacity(wanted);
    for j in 0..wanted {
        let business_unit = rng.chance(0.35);
        let city = rng.pick_weighted(places, |p| p.3).0;
        let name = match (business_unit, lang) {
            (true, Lang::Fr) => format!("Division {}", rng.pick(FR_DIVISIONS)),
            (true, _) => format!("{} division", rng.pick(EN_DIVISIONS)),
            (false, Lang::Fr) => format!("{} {}", rng.pick(FR_SITE_KINDS), of_place(city)),
            (false, _) => format!("{city} {}", rng.pick(EN_SITE_KINDS)),
        };
        if names.contains(&name) {
            continue;
        }
        names.push(name.clone());
        let at = created + Duration::days(1 + j as i64);
        sites.push(SiteRow {
            id: demo_id(ID_SITE, ((index as u64) << 12) | j as u64, at),
            workspace_id: plan.workspace,
            account_id: account,
            kind: if business_unit {
                SiteKind::BusinessUnit
            } else {
                SiteKind::Site
            }
            .code()
            .to_owned(),
            name,
            city: (!business_unit).then(|| city.to_owned()),
            country: Some(country.to_owned()),
            created_at: at,
        });
    }
    sites
}

/// The flagship's stores (one per French city of the list) and head-office units.
fn flagship_sites(plan: &Plan, account: Uuid, created: DateTime<Utc>) -> Vec<SiteRow> {
    let mut cities: Vec<&str> = Vec::new();
    for p in FR_PLACES {
        if !cities.contains(&p.0) {
            cities.push(p.0);
        }
    }
    let stores = cities
        .into_iter()
        .map(|c| (SiteKind::Site, format!("Hexagone {c}"), Some(c)));
    let units = FLAGSHIP_UNITS
        .iter()
        .map(|u| (SiteKind::BusinessUnit, (*u).to_owned(), None));
    stores
        .chain(units)
        .enumerate()
        .map(|(j, (kind, name, city))| {
            let at = created + Duration::days(1 + j as i64);
            SiteRow {
                id: demo_id(ID_SITE, j as u64, at),
                workspace_id: plan.workspace,
                account_id: account,
                kind: kind.code().to_owned(),
                name,
                city: city.map(str::to_owned),
                country: Some("FR".to_owned()),
                created_at: at,
            }
        })
        .collect()
}

fn make_contact(
    plan: &Plan,
    rng: &mut Rng,
    ctx: &AccountCtx<'_>,
    j: usize,
    sites: &[Uuid],
    emails: &mut HashSet<String>,
) -> ContactRow {
    let name_lang = if rng.chance(0.9) {
        ctx.lang
    } else {
        *rng.pick(&ALL_LANGS)
    };
    let names = person_names(name_lang);
    let female = rng.chance(0.5);
    let first = *rng.pick(if female { names.female } else { names.male });
    let last = *rng.pick(names.last);
    let french = matches!(ctx.country, "FR" | "BE" | "CH" | "LU");
    let language = if french { Language::Fr } else { Language::En };

    let mut roles = vec![first_role(rng, ctx, j)];
    if rng.chance(0.2) {
        let extra = *rng.pick(&BuyingRole::ALL);
        if !roles.contains(&extra) {
            roles.push(extra);
        }
    }
    let titles = match (ctx.flagship, roles[0]) {
        (true, BuyingRole::KeyUser) => FLAGSHIP_KEY_USER_TITLES,
        (_, role) => titles_of(role),
    };
    let (masc, fem, en) = *rng.pick(titles);
    let job_title = if language == Language::Fr {
        if female {
            fem
        } else {
            masc
        }
    } else {
        en
    };

    let email = rng.chance(0.95).then(|| {
        let f = normalize(first).replace(' ', "-");
        let l = normalize(last).replace(' ', "");
        let initial = f.chars().next().unwrap_or('x');
        let base = match ctx.mail_style {
            0 => format!("{f}.{l}"),
            1 => format!("{initial}.{l}"),
            2 => format!("{initial}{l}"),
            _ => format!("{l}.{f}"),
        };
        let mut local = base.clone();
        let mut n = 2;
        while emails.contains(&local) {
            local = format!("{base}{n}");
            n += 1;
        }
        emails.insert(local.clone());
        format!("{local}@{}", ctx.domain)
    });
    let phone = rng.chance(0.75).then(|| phone_number(rng, ctx.country));

    let at = ctx.created + Duration::minutes(11 * (j as i64 + 1)) + Duration::seconds(rng.below(600) as i64);
    let left_on = rng.chance(0.08).then(|| {
        let d = ymd(2023, 1, 1) + Duration::days(rng.below(1401) as i64);
        d.max(at.date_naive() + Duration::days(30))
    });
    let site_share = if ctx.flagship { 0.85 } else { 0.6 };
    let site_id = (!sites.is_empty() && rng.chance(site_share)).then(|| *rng.pick(sites));
    let contact = NewContact {
        account_id: Some(ctx.id),
        first_name: Some(first.to_owned()),
        last_name: last.to_owned(),
        email,
        phone,
        job_title: Some(job_title.to_owned()),
        roles,
        site_id,
        language,
        survey_consent: rng.chance(0.8),
        left_on,
        external_ref: None,
    };
    let id = demo_id(ID_CONTACT, ((ctx.index as u64) << 20) | j as u64, at);
    let mut row = ContactRow::from_new(id, plan.workspace, ctx.id, &contact, at);
    row.updated_at = (at + Duration::days(rng.below(300) as i64)).min(demo_now().max(at));
    row
}

/// A buying centre starts with a decision maker, a buyer and someone in finance;
/// further contacts spread over the roles.
fn first_role(rng: &mut Rng, ctx: &AccountCtx<'_>, j: usize) -> BuyingRole {
    use BuyingRole::*;
    match j {
        0 if ctx.flagship => Sponsor,
        0 => DecisionMaker,
        1 => Buyer,
        2 => Finance,
        _ if ctx.flagship => {
            rng.pick_weighted(
                &[
                    (KeyUser, 60),
                    (Buyer, 20),
                    (Prescriber, 10),
                    (Finance, 7),
                    (DecisionMaker, 3),
                ],
                |r| r.1,
            )
            .0
        }
        _ => {
            rng.pick_weighted(
                &[
                    (KeyUser, 30),
                    (Buyer, 20),
                    (Prescriber, 25),
                    (DecisionMaker, 8),
                    (Finance, 10),
                    (Sponsor, 7),
                ],
                |r| r.1,
            )
            .0
        }
    }
}

fn phone_number(rng: &mut Rng, country: &str) -> String {
    let (a, b, c) = (rng.digits(2), rng.digits(2), rng.digits(3));
    match country {
        // ARCEP and Ofcom reserve these ranges for fiction: nobody gets called.
        "FR" => match rng.below(10) {
            0..=2 => format!("06 39 98 {a} {b}"),
            3 => format!("+33 1 99 00 {a} {b}"),
            _ => format!("01 99 00 {a} {b}"),
        },
        "GB" => format!("+44 20 7946 0{c}"),
        "DE" => format!(
            "+49 {} {c}{}",
            rng.pick(&["30", "40", "89", "221", "69", "711", "211"]),
            rng.digits(4)
        ),
        "BE" => format!("+32 2 {c} {a} {b}"),
        "ES" => format!("+34 91 {c} {a} {b}"),
        "IT" => format!("+39 02 {a}{b} {c}{}", rng.digits(1)),
        "CH" => format!("+41 22 {c} {a} {b}"),
        "LU" => format!("+352 26 {a} {b} {}", rng.digits(2)),
        _ => format!("+31 20 {c} {a}{b}"),
    }
}

// ---------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------

struct Country {
    code: &'static str,
    weight: u32,
    places: &'static [Place],
}

/// City, postal code, language spoken there, weight.
type Place = (&'static str, &'static str, Lang, u32);

#[rustfmt::skip]
const COUNTRIES: &[Country] = &[
    Country {
        code: "FR",
        weight: 700,
        places: FR_PLACES,
    },
    Country {
        code: "DE",
        weight: 70,
        places: DE_PLACES,
    },
    Country {
        code: "BE",
        weight: 60,
        places: BE_PLACES,
    },
    Country {
        code: "ES",
        weight: 40,
        places: ES_PLACES,
    },
    Country {
        code: "IT",
        weight: 40,
        places: IT_PLACES,
    },
    Country {
        code: "CH",
        weight: 30,
        places: CH_PLACES,
    },
    Country {
        code: "NL",
        weight: 25,
        places: NL_PLACES,
    },
    Country {
        code: "GB",
        weight: 20,
        places: GB_PLACES,
    },
    Country {
        code: "LU",
        weight: 15,
        places: LU_PLACES,
    },
];

#[rustfmt::skip]
const FR_PLACES: &[Place] = &[
    ("Paris", "75008", Lang::Fr, 8), ("Paris", "75009", Lang::Fr, 4), ("Paris", "75015", Lang::Fr, 4),
    ("Paris", "75017", Lang::Fr, 3), ("Paris", "75002", Lang::Fr, 3), ("Paris", "75011", Lang::Fr, 3),
    ("Courbevoie", "92400", Lang::Fr, 4), ("Nanterre", "92000", Lang::Fr, 2),
    ("Boulogne-Billancourt", "92100", Lang::Fr, 3), ("Issy-les-Moulineaux", "92130", Lang::Fr, 2),
    ("Saint-Denis", "93200", Lang::Fr, 2), ("Massy", "91300", Lang::Fr, 2),
    ("Vélizy-Villacoublay", "78140", Lang::Fr, 1), ("Rungis", "94150", Lang::Fr, 1),
    ("Roissy-en-France", "95700", Lang::Fr, 1), ("Montreuil", "93100", Lang::Fr, 1), ("Lyon", "69003", Lang::Fr, 5),
    ("Lyon", "69007", Lang::Fr, 2), ("Villeurbanne", "69100", Lang::Fr, 2), ("Marseille", "13002", Lang::Fr, 3),
    ("Aix-en-Provence", "13100", Lang::Fr, 2), ("Toulouse", "31000", Lang::Fr, 4), ("Blagnac", "31700", Lang::Fr, 1),
    ("Nice", "06000", Lang::Fr, 2), ("Valbonne", "06560", Lang::Fr, 1), ("Nantes", "44000", Lang::Fr, 3),
    ("Saint-Herblain", "44800", Lang::Fr, 1), ("Montpellier", "34000", Lang::Fr, 2),
    ("Strasbourg", "67000", Lang::Fr, 2), ("Bordeaux", "33000", Lang::Fr, 3), ("Mérignac", "33700", Lang::Fr, 1),
    ("Lille", "59000", Lang::Fr, 3), ("Roubaix", "59100", Lang::Fr, 1), ("Villeneuve-d'Ascq", "59650", Lang::Fr, 1),
    ("Rennes", "35000", Lang::Fr, 2), ("Reims", "51100", Lang::Fr, 1), ("Toulon", "83000", Lang::Fr, 1),
    ("Saint-Étienne", "42000", Lang::Fr, 1), ("Le Havre", "76600", Lang::Fr, 1), ("Grenoble", "38000", Lang::Fr, 2),
    ("Dijon", "21000", Lang::Fr, 1), ("Angers", "49000", Lang::Fr, 1), ("Nîmes", "30000", Lang::Fr, 1),
    ("Clermont-Ferrand", "63000", Lang::Fr, 1), ("Le Mans", "72000", Lang::Fr, 1), ("Brest", "29200", Lang::Fr, 1),
    ("Tours", "37000", Lang::Fr, 1), ("Amiens", "80000", Lang::Fr, 1), ("Limoges", "87000", Lang::Fr, 1),
    ("Annecy", "74000", Lang::Fr, 1), ("Perpignan", "66000", Lang::Fr, 1), ("Metz", "57000", Lang::Fr, 1),
    ("Besançon", "25000", Lang::Fr, 1), ("Orléans", "45000", Lang::Fr, 1), ("Rouen", "76000", Lang::Fr, 1),
    ("Mulhouse", "68100", Lang::Fr, 1), ("Caen", "14000", Lang::Fr, 1), ("Nancy", "54000", Lang::Fr, 1),
    ("Poitiers", "86000", Lang::Fr, 1), ("Pau", "64000", Lang::Fr, 1), ("La Rochelle", "17000", Lang::Fr, 1),
    ("Valence", "26000", Lang::Fr, 1), ("Troyes", "10000", Lang::Fr, 1), ("Chambéry", "73000", Lang::Fr, 1),
    ("Lorient", "56100", Lang::Fr, 1), ("Niort", "79000", Lang::Fr, 1), ("Vannes", "56000", Lang::Fr, 1),
    ("Colmar", "68000", Lang::Fr, 1), ("Cholet", "49300", Lang::Fr, 1), ("Quimper", "29000", Lang::Fr, 1),
    ("Laval", "53000", Lang::Fr, 1), ("Bourges", "18000", Lang::Fr, 1), ("Albi", "81000", Lang::Fr, 1),
];

#[rustfmt::skip]
const DE_PLACES: &[Place] = &[
    ("Berlin", "10117", Lang::De, 4), ("Hamburg", "20095", Lang::De, 3), ("München", "80331", Lang::De, 4),
    ("Köln", "50667", Lang::De, 2), ("Frankfurt am Main", "60311", Lang::De, 3), ("Stuttgart", "70173", Lang::De, 2),
    ("Düsseldorf", "40213", Lang::De, 2), ("Leipzig", "04109", Lang::De, 1), ("Dortmund", "44135", Lang::De, 1),
    ("Essen", "45127", Lang::De, 1), ("Bremen", "28195", Lang::De, 1), ("Dresden", "01067", Lang::De, 1),
    ("Hannover", "30159", Lang::De, 1), ("Nürnberg", "90402", Lang::De, 1), ("Mannheim", "68159", Lang::De, 1),
    ("Karlsruhe", "76133", Lang::De, 1), ("Freiburg im Breisgau", "79098", Lang::De, 1),
    ("Saarbrücken", "66111", Lang::De, 1),
];

#[rustfmt::skip]
const BE_PLACES: &[Place] = &[
    ("Bruxelles", "1000", Lang::Fr, 5), ("Ixelles", "1050", Lang::Fr, 1), ("Antwerpen", "2000", Lang::Nl, 3),
    ("Gent", "9000", Lang::Nl, 2), ("Liège", "4000", Lang::Fr, 2), ("Charleroi", "6000", Lang::Fr, 1),
    ("Namur", "5000", Lang::Fr, 1), ("Leuven", "3000", Lang::Nl, 1), ("Mons", "7000", Lang::Fr, 1),
    ("Brugge", "8000", Lang::Nl, 1), ("Wavre", "1300", Lang::Fr, 1), ("Hasselt", "3500", Lang::Nl, 1),
];

#[rustfmt::skip]
const ES_PLACES: &[Place] = &[
    ("Madrid", "28001", Lang::Es, 5), ("Barcelona", "08001", Lang::Es, 4), ("Valencia", "46001", Lang::Es, 2),
    ("Sevilla", "41001", Lang::Es, 1), ("Zaragoza", "50001", Lang::Es, 1), ("Málaga", "29001", Lang::Es, 1),
    ("Bilbao", "48001", Lang::Es, 1), ("Alicante", "03001", Lang::Es, 1), ("Valladolid", "47001", Lang::Es, 1),
    ("Vigo", "36201", Lang::Es, 1),
];

#[rustfmt::skip]
const IT_PLACES: &[Place] = &[
    ("Milano", "20121", Lang::It, 5), ("Roma", "00184", Lang::It, 3), ("Torino", "10121", Lang::It, 2),
    ("Bologna", "40121", Lang::It, 2), ("Firenze", "50123", Lang::It, 1), ("Napoli", "80133", Lang::It, 1),
    ("Genova", "16121", Lang::It, 1), ("Verona", "37121", Lang::It, 1), ("Padova", "35121", Lang::It, 1),
    ("Bergamo", "24121", Lang::It, 1), ("Brescia", "25121", Lang::It, 1),
];

#[rustfmt::skip]
const CH_PLACES: &[Place] = &[
    ("Genève", "1201", Lang::Fr, 3), ("Lausanne", "1003", Lang::Fr, 2), ("Neuchâtel", "2000", Lang::Fr, 1),
    ("Fribourg", "1700", Lang::Fr, 1), ("Sion", "1950", Lang::Fr, 1), ("Zürich", "8001", Lang::De, 3),
    ("Basel", "4051", Lang::De, 2), ("Bern", "3011", Lang::De, 1), ("Lugano", "6900", Lang::It, 1),
];

#[rustfmt::skip]
const LU_PLACES: &[Place] = &[
    ("Luxembourg", "L-1855", Lang::Fr, 5), ("Esch-sur-Alzette", "L-4004", Lang::Fr, 1),
    ("Differdange", "L-4501", Lang::Fr, 1), ("Bertrange", "L-8080", Lang::Fr, 1),
    ("Munsbach", "L-5365", Lang::Fr, 1), ("Dudelange", "L-3401", Lang::Fr, 1),
];

#[rustfmt::skip]
const NL_PLACES: &[Place] = &[
    ("Amsterdam", "1012 AB", Lang::Nl, 4), ("Rotterdam", "3011 AA", Lang::Nl, 3),
    ("Den Haag", "2511 BT", Lang::Nl, 2), ("Utrecht", "3511 AX", Lang::Nl, 2), ("Eindhoven", "5611 AZ", Lang::Nl, 2),
    ("Tilburg", "5038 EA", Lang::Nl, 1), ("Groningen", "9711 LM", Lang::Nl, 1), ("Breda", "4811 XJ", Lang::Nl, 1),
    ("Nijmegen", "6511 PP", Lang::Nl, 1), ("Venlo", "5911 BE", Lang::Nl, 1),
];

#[rustfmt::skip]
const GB_PLACES: &[Place] = &[
    ("London", "EC2V 7HH", Lang::En, 5), ("Manchester", "M1 1AE", Lang::En, 2),
    ("Birmingham", "B1 1BB", Lang::En, 2), ("Leeds", "LS1 4AP", Lang::En, 1), ("Glasgow", "G1 1XQ", Lang::En, 1),
    ("Bristol", "BS1 4DJ", Lang::En, 1), ("Edinburgh", "EH1 1YZ", Lang::En, 1), ("Liverpool", "L1 8JQ", Lang::En, 1),
    ("Reading", "RG1 1AF", Lang::En, 1), ("Cambridge", "CB2 1TN", Lang::En, 1),
];

#[rustfmt::skip]
const FR_DEPARTMENTS: &[u32] = &[
    1, 2, 3, 7, 10, 14, 16, 17, 18, 21, 22, 24, 25, 26, 27, 28, 29, 33, 35, 37, 38, 39, 40, 41, 42,
    44, 45, 49, 50, 51, 53, 54, 56, 57, 59, 60, 62, 63, 64, 67, 68, 69, 71, 72, 73, 74, 76, 77, 78,
    79, 80, 81, 83, 84, 85, 86, 87, 88, 91, 95,
];

#[rustfmt::skip]
const COMMUNE_HEADS: &[&str] = &[
    "Saint-Martin", "Saint-Jean", "Saint-Pierre", "Sainte-Marie", "Villeneuve", "Montigny", "Fontaine", "Beaumont",
    "Neuville", "Châteauneuf", "Bourg", "Mont", "Bois", "Val", "Villers", "Champagne", "Roche", "Marly", "Chaumont",
    "Belleville", "Aubigny", "Brétigny", "Corbeil", "Mareuil",
];

#[rustfmt::skip]
const COMMUNE_TAILS: &[&str] = &[
    "-sur-Loire", "-sur-Seine", "-en-Provence", "-le-Château", "-les-Bains", "-sur-Mer", "-la-Forêt", "-du-Lac",
    "-de-Bretagne", "-en-Vexin", "-sous-Bois", "-le-Vieux", "-la-Rivière", "-sur-Marne", "-en-Bresse", "-sur-Saône",
    "-d'Aunis", "-en-Forez", "-le-Roi", "-sur-Orge",
];

#[rustfmt::skip]
const FR_STREETS: &[&str] = &[
    "rue de la République", "avenue Jean Jaurès", "boulevard Haussmann", "rue Victor Hugo", "rue Pasteur",
    "avenue du Général de Gaulle", "rue de la Gare", "rue des Frères Lumière", "cours Gambetta", "avenue Foch",
    "rue de Verdun", "rue Émile Zola", "rue du Commerce", "rue de l'Industrie", "allée des Artisans",
    "rue Clément Ader", "avenue Ampère", "rue Gustave Eiffel", "quai de la Loire", "chemin des Vignes",
    "route de Lyon", "place de la Mairie", "impasse des Tilleuls", "rue du Moulin", "rue de la Forge",
    "allée Newton", "rue Denis Papin", "avenue de l'Europe",
];

#[rustfmt::skip]
const FR_BUSINESS_PARKS: &[&str] = &[
    "ZI des Paluds", "Parc d'activités du Golf", "ZA du Moulin", "Technopôle Sud", "ZAC des Portes de l'Ouest",
    "Parc d'activités de la Vallée", "ZI Nord", "Espace Européen de l'Entreprise",
];

#[rustfmt::skip]
const DE_STREETS: &[&str] = &[
    "Hauptstraße", "Industriestraße", "Bahnhofstraße", "Friedrichstraße", "Am Hafen", "Gewerbering", "Lindenallee",
    "Schillerstraße", "Goethestraße", "Kaiserstraße", "Mühlenweg", "Im Technologiepark",
];

#[rustfmt::skip]
const ES_STREETS: &[&str] = &[
    "Calle Mayor", "Avenida de la Constitución", "Calle de Alcalá", "Paseo de la Castellana", "Calle Gran Vía",
    "Avenida Diagonal", "Polígono Industrial Las Mercedes", "Calle del Comercio", "Avenida de Andalucía",
    "Calle San Vicente",
];

#[rustfmt::skip]
const IT_STREETS: &[&str] = &[
    "Via Roma", "Corso Italia", "Via Giuseppe Garibaldi", "Viale dell'Industria", "Via Dante Alighieri",
    "Via Milano", "Corso Vittorio Emanuele II", "Via dell'Artigianato", "Via Torino", "Via Guglielmo Marconi",
];

#[rustfmt::skip]
const NL_STREETS: &[&str] = &[
    "Stationsstraat", "Industrieweg", "Havenstraat", "Kerkstraat", "Keizersgracht", "Marktplein", "Molenweg",
    "Nijverheidsstraat", "Dorpsstraat", "Schoolstraat",
];

#[rustfmt::skip]
const EN_STREETS: &[&str] = &[
    "High Street", "Station Road", "King Street", "Victoria Road", "Church Lane", "Queen's Road", "Mill Lane",
    "Park Road", "London Road", "Market Street",
];

/// A sector: French label (stored), its weight, and trade words for names in each language.
struct Sector {
    label: &'static str,
    weight: u32,
    /// Empty for the public sector, whose names follow other rules.
    fr: &'static [&'static str],
    de: &'static str,
    es: &'static str,
    it: &'static str,
    nl: &'static str,
    en: &'static str,
}

#[rustfmt::skip]
const SECTORS: &[Sector] = &[
    Sector {
        label: "Industrie agroalimentaire",
        weight: 9,
        fr: &[
            "Laiteries", "Conserverie", "Biscuiterie", "Fromagerie", "Minoterie", "Salaisons", "Brasserie", "Agro",
        ],
        de: "Lebensmittel",
        es: "Alimentación",
        it: "Alimentari",
        nl: "Voeding",
        en: "Foods",
    },
    Sector {
        label: "BTP",
        weight: 10,
        fr: &[
            "Bâtiment", "Construction", "Travaux Publics", "Charpente", "Menuiserie", "Maçonnerie", "Génie Civil",
            "Terrassement",
        ],
        de: "Bau",
        es: "Construcciones",
        it: "Costruzioni",
        nl: "Bouw",
        en: "Construction",
    },
    Sector {
        label: "Santé",
        weight: 6,
        fr: &[
            "Clinique", "Médical", "Santé", "Biologie", "Radiologie", "Orthopédie",
        ],
        de: "Medizintechnik",
        es: "Salud",
        it: "Sanità",
        nl: "Zorg",
        en: "Healthcare",
    },
    Sector {
        label: "Logiciels et services",
        weight: 8,
        fr: &[
            "Informatique", "Digital", "Logiciels", "Systèmes", "Data", "Cloud", "Technologies",
        ],
        de: "Software",
        es: "Software",
        it: "Software",
        nl: "Software",
        en: "Software",
    },
    Sector {
        label: "Distribution",
        weight: 9,
        fr: &[
            "Distribution", "Négoce", "Commerce", "Comptoir", "Magasins", "Fournitures",
        ],
        de: "Handel",
        es: "Distribuciones",
        it: "Distribuzione",
        nl: "Handel",
        en: "Retail",
    },
    Sector {
        label: "Transport et logistique",
        weight: 8,
        fr: &[
            "Transports", "Logistique", "Messagerie", "Fret", "Entrepôts", "Affrètement",
        ],
        de: "Logistik",
        es: "Transportes",
        it: "Trasporti",
        nl: "Transport",
        en: "Logistics",
    },
    Sector {
        label: "Industrie manufacturière",
        weight: 11,
        fr: &[
            "Ateliers", "Mécanique", "Usinage", "Fonderie", "Plasturgie", "Emballages", "Industries",
            "Chaudronnerie",
        ],
        de: "Maschinenbau",
        es: "Industrias",
        it: "Meccanica",
        nl: "Techniek",
        en: "Engineering",
    },
    Sector {
        label: "Énergie",
        weight: 4,
        fr: &["Énergie", "Solaire", "Éolien", "Électricité", "Thermique"],
        de: "Energie",
        es: "Energía",
        it: "Energia",
        nl: "Energie",
        en: "Energy",
    },
    Sector {
        label: "Banque et assurance",
        weight: 4,
        fr: &[
            "Assurances", "Mutuelle", "Finance", "Courtage", "Patrimoine",
        ],
        de: "Versicherung",
        es: "Seguros",
        it: "Assicurazioni",
        nl: "Verzekeringen",
        en: "Insurance",
    },
    Sector {
        label: "Chimie et pharmacie",
        weight: 5,
        fr: &[
            "Chimie", "Pharma", "Peintures", "Cosmétiques", "Laboratoires",
        ],
        de: "Chemie",
        es: "Química",
        it: "Chimica",
        nl: "Chemie",
        en: "Chemicals",
    },
    Sector {
        label: "Automobile",
        weight: 4,
        fr: &[
            "Automobiles", "Équipements Auto", "Carrosserie", "Pneumatiques", "Garage",
        ],
        de: "Automotive",
        es: "Automoción",
        it: "Automotive",
        nl: "Automotive",
        en: "Automotive",
    },
    Sector {
        label: "Aéronautique et défense",
        weight: 3,
        fr: &[
            "Aéronautique", "Aérospatiale", "Composites", "Précision", "Défense",
        ],
        de: "Luftfahrttechnik",
        es: "Aeronáutica",
        it: "Aerospazio",
        nl: "Luchtvaart",
        en: "Aerospace",
    },
    Sector {
        label: "Conseil et services aux entreprises",
        weight: 8,
        fr: &[
            "Conseil", "Audit", "Expertise", "Partenaires", "Services", "Ingénierie",
        ],
        de: "Beratung",
        es: "Consultoría",
        it: "Consulenza",
        nl: "Advies",
        en: "Consulting",
    },
    Sector {
        label: "Hôtellerie et restauration",
        weight: 4,
        fr: &[
            "Hôtels", "Restauration", "Traiteur", "Résidences", "Brasseries",
        ],
        de: "Gastronomie",
        es: "Hostelería",
        it: "Ristorazione",
        nl: "Horeca",
        en: "Hospitality",
    },
    Sector {
        label: "Télécommunications",
        weight: 2,
        fr: &["Télécom", "Réseaux", "Fibre", "Communications"],
        de: "Telekom",
        es: "Telecomunicaciones",
        it: "Telecomunicazioni",
        nl: "Telecom",
        en: "Telecom",
    },
    Sector {
        label: "Immobilier",
        weight: 3,
        fr: &["Immobilier", "Foncière", "Gestion Immobilière", "Promotion"],
        de: "Immobilien",
        es: "Inmobiliaria",
        it: "Immobiliare",
        nl: "Vastgoed",
        en: "Property",
    },
    Sector {
        label: "Secteur public",
        weight: 4,
        fr: &[],
        de: "",
        es: "",
        it: "",
        nl: "",
        en: "",
    },
];

#[rustfmt::skip]
const PUBLIC_BODIES: &[(&str, CompanySize)] = &[
    ("Mairie", CompanySize::Small), ("Communauté de communes", CompanySize::Small),
    ("Communauté d'agglomération", CompanySize::Intermediate), ("Centre hospitalier", CompanySize::Intermediate),
    ("Office public de l'habitat", CompanySize::Small), ("Syndicat intercommunal des eaux", CompanySize::Small),
    ("Centre communal d'action sociale", CompanySize::Micro), ("Lycée professionnel", CompanySize::Small),
];

#[rustfmt::skip]
const LOST_REASONS: &[&str] = &[
    "Prix jugé trop élevé", "Choix d'un concurrent", "Rachat par un groupe", "Cessation d'activité",
    "Insatisfaction sur la qualité de service", "Budget supprimé", "Internalisation de la prestation",
    "Appel d'offres perdu", "Changement de direction", "Délais de livraison non tenus",
];

#[rustfmt::skip]
const FR_ROOTS: &[&str] = &[
    "Armor", "Atlantique", "Provence", "Alpes", "Azur", "Horizon", "Vallée", "Boréal", "Méridien", "Cristal",
    "Lumière", "Arcadie", "Cévennes", "Jura", "Vosges", "Océane", "Garonne", "Rhône", "Loire", "Seine", "Durance",
    "Iroise", "Normandie", "Aquitaine", "Occitanie", "Opale", "Émeraude", "Ardoise", "Granit", "Silex", "Hermine",
    "Tilleul", "Cèdre", "Phare", "Ancre", "Boussole", "Comète", "Équinoxe", "Mistral", "Sémaphore",
];

#[rustfmt::skip]
const ROOTS: &[&str] = &[
    "Nova", "Vega", "Orion", "Delta", "Alpha", "Sigma", "Helios", "Atlas", "Aurora", "Cobalt",
    "Titan", "Zenit", "Polaris", "Vertex", "Axis", "Lumen", "Primus", "Optima", "Magna", "Terra",
    "Aqua", "Silva", "Iris", "Astra", "Nexus", "Summit", "Unitas", "Vita", "Fortis", "Quadra",
];

#[rustfmt::skip]
const SYLLABLES_HEAD: &[&str] = &[
    "Ka", "Lo", "Ve", "Ma", "Ti", "Ra", "No", "Se", "Di", "Ba", "Ce", "Fi", "Gra", "Pro", "Tex",
    "Zo", "Mé", "Ar", "Bel", "Cor", "Dal", "El", "Fer", "Gal", "Hel", "Ix", "Jo", "Lu", "Mir",
    "Nor", "Ol", "Pa", "Qui", "Ro", "Sa", "Tu", "Ul", "Va", "Wi", "Xa",
];

#[rustfmt::skip]
const SYLLABLES_MID: &[&str] = &[
    "ra", "li", "no", "ve", "ta", "mi", "do", "si", "ne", "lo", "ri", "va", "ma", "co", "ge", "pi",
    "nu", "be", "xi", "le",
];

#[rustfmt::skip]
const SYLLABLES_TAIL: &[&str] = &[
    "tek", "via", "lis", "nor", "gen", "tis", "ko", "ria", "lab", "sys", "ium", "o", "a", "is",
    "on",
];

#[rustfmt::skip]
const FR_REGIONS: &[&str] = &[
    "de Bretagne", "de Provence", "du Rhône", "d'Alsace", "de Normandie", "du Sud-Ouest", "de l'Ouest", "du Nord",
    "de Savoie", "d'Auvergne", "de Lorraine", "du Centre", "de Bourgogne", "de Touraine", "des Alpes",
    "du Languedoc", "de Picardie", "de l'Atlantique", "de la Loire", "des Flandres",
];
#[rustfmt::skip]
const DE_REGIONS: &[&str] = &[
    "Rhein", "Nord", "Süd", "West", "Ost", "Alpen", "Hanse", "Elbe", "Main", "Schwaben", "Franken",
    "Ruhr", "Bodensee", "Spree", "Donau",
];
#[rustfmt::skip]
const ES_REGIONS: &[&str] = &[
    "Levante", "Norte", "Sur", "Cantábrico", "Mediterráneo", "Ibérica", "Castilla", "Galicia", "Aragón", "Atlántico",
];
#[rustfmt::skip]
const IT_REGIONS: &[&str] = &[
    "Adriatica", "Tirrena", "Padana", "Lombarda", "Veneta", "Toscana", "Ligure", "Emiliana", "Piemontese", "Alpina",
];
#[rustfmt::skip]
const NL_REGIONS: &[&str] = &[
    "Noord", "Zuid", "Holland", "Brabant", "Delta", "Rijnmond", "Veluwe", "Kempen", "Limburg",
    "Zeeland",
];
#[rustfmt::skip]
const EN_REGIONS: &[&str] = &[
    "Northern", "Southern", "Midlands", "Pennine", "Thames", "Highland", "Western", "Eastern",
    "Albion", "Solent",
];

#[rustfmt::skip]
const FR_SITE_KINDS: &[&str] = &[
    "Usine", "Site", "Agence", "Entrepôt", "Établissement", "Plateforme logistique",
];
#[rustfmt::skip]
const EN_SITE_KINDS: &[&str] = &["plant", "office", "warehouse", "site"];
#[rustfmt::skip]
const FR_DIVISIONS: &[&str] = &[
    "Industrie", "Services", "Export", "Grands comptes", "Réseau", "Maintenance", "Innovation", "Produits", "Santé",
    "Énergie",
];
#[rustfmt::skip]
const EN_DIVISIONS: &[&str] = &[
    "Industrial", "Services", "Export", "Key Accounts", "Network", "Maintenance", "Innovation", "Products",
];

#[rustfmt::skip]
const FLAGSHIP_UNITS: &[&str] = &[
    "Hexagone Proximité", "Hexagone Hypermarchés", "Hexagone Drive", "Hexagone Pro", "Direction des achats",
    "Logistique et entrepôts",
];

/// (masculine French, feminine French, English) job titles.
type Titles = &'static [(&'static str, &'static str, &'static str)];

fn titles_of(role: BuyingRole) -> Titles {
    match role {
        BuyingRole::Sponsor => &[
            ("Directeur général", "Directrice générale", "Chief Executive Officer"),
            (
                "Directeur des opérations",
                "Directrice des opérations",
                "Chief Operating Officer",
            ),
            ("Président", "Présidente", "Managing Director"),
            (
                "Directeur général adjoint",
                "Directrice générale adjointe",
                "Deputy Managing Director",
            ),
        ],
        BuyingRole::DecisionMaker => &[
            (
                "Directeur des achats",
                "Directrice des achats",
                "Chief Procurement Officer",
            ),
            (
                "Directeur des systèmes d'information",
                "Directrice des systèmes d'information",
                "Chief Information Officer",
            ),
            (
                "Directeur industriel",
                "Directrice industrielle",
                "Head of Manufacturing",
            ),
            ("Directeur technique", "Directrice technique", "Technical Director"),
            ("Directeur de site", "Directrice de site", "Site Director"),
        ],
        BuyingRole::Buyer => &[
            ("Acheteur", "Acheteuse", "Buyer"),
            ("Responsable achats", "Responsable achats", "Purchasing Manager"),
            ("Acheteur projets", "Acheteuse projets", "Project Buyer"),
            ("Acheteur famille", "Acheteuse famille", "Category Buyer"),
            (
                "Responsable approvisionnements",
                "Responsable approvisionnements",
                "Supply Manager",
            ),
        ],
        BuyingRole::Prescriber => &[
            ("Ingénieur méthodes", "Ingénieure méthodes", "Process Engineer"),
            ("Chef de projet", "Cheffe de projet", "Project Manager"),
            ("Responsable qualité", "Responsable qualité", "Quality Manager"),
            ("Architecte technique", "Architecte technique", "Solutions Architect"),
            ("Responsable R&D", "Responsable R&D", "R&D Manager"),
        ],
        BuyingRole::KeyUser => &[
            ("Responsable logistique", "Responsable logistique", "Logistics Manager"),
            (
                "Technicien de maintenance",
                "Technicienne de maintenance",
                "Maintenance Technician",
            ),
            ("Chef d'atelier", "Cheffe d'atelier", "Workshop Supervisor"),
            (
                "Assistant de direction",
                "Assistante de direction",
                "Executive Assistant",
            ),
            ("Gestionnaire ADV", "Gestionnaire ADV", "Sales Administrator"),
        ],
        BuyingRole::Finance => &[
            (
                "Directeur administratif et financier",
                "Directrice administrative et financière",
                "Chief Financial Officer",
            ),
            (
                "Comptable fournisseurs",
                "Comptable fournisseurs",
                "Accounts Payable Clerk",
            ),
            (
                "Contrôleur de gestion",
                "Contrôleuse de gestion",
                "Financial Controller",
            ),
            ("Responsable comptable", "Responsable comptable", "Head of Accounting"),
        ],
    }
}

#[rustfmt::skip]
const FLAGSHIP_KEY_USER_TITLES: Titles = &[
    (
        "Directeur de magasin",
        "Directrice de magasin",
        "Store Manager",
    ),
    (
        "Responsable de rayon",
        "Responsable de rayon",
        "Department Manager",
    ),
    ("Chef de secteur", "Cheffe de secteur", "Area Manager"),
    (
        "Responsable de réception",
        "Responsable de réception",
        "Goods-in Manager",
    ),
    (
        "Adjoint de direction",
        "Adjointe de direction",
        "Assistant Store Manager",
    ),
];

struct PersonNames {
    male: &'static [&'static str],
    female: &'static [&'static str],
    last: &'static [&'static str],
}

fn person_names(lang: Lang) -> &'static PersonNames {
    match lang {
        Lang::Fr => &FR_NAMES,
        Lang::De => &DE_NAMES,
        Lang::Es => &ES_NAMES,
        Lang::It => &IT_NAMES,
        Lang::Nl => &NL_NAMES,
        Lang::En => &EN_NAMES,
    }
}

#[rustfmt::skip]
const FR_NAMES: PersonNames = PersonNames {
    male: &[
        "Jean", "Pierre", "Nicolas", "Thomas", "Julien", "Sébastien", "Laurent", "Philippe", "Éric", "Olivier",
        "Christophe", "Stéphane", "Mathieu", "Antoine", "Guillaume", "Alexandre", "Maxime", "Romain", "Vincent",
        "François", "David", "Frédéric", "Benoît", "Jérôme", "Hugo", "Lucas", "Louis", "Arthur", "Théo", "Paul",
        "Baptiste", "Damien", "Cédric", "Fabrice", "Patrick", "Alain", "Bernard", "Yannick", "Karim", "Mehdi",
        "Samir", "Kevin", "Jean-Pierre", "Jean-Marc",
    ],
    female: &[
        "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Céline", "Sandrine", "Valérie",
        "Christine", "Julie", "Aurélie", "Camille", "Émilie", "Claire", "Anne", "Laure", "Caroline", "Hélène",
        "Élodie", "Stéphanie", "Virginie", "Audrey", "Pauline", "Manon", "Léa", "Chloé", "Inès", "Sarah",
        "Charlotte", "Juliette", "Mathilde", "Amandine", "Delphine", "Florence", "Karine", "Nadia", "Leïla",
        "Fatima", "Agnès", "Anne-Sophie", "Marie-Claire",
    ],
    last: &[
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
        "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet",
        "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier",
        "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
        "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
        "Duval", "Denis", "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
        "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche",
        "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
        "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey",
        "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot",
        "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur",
        "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty", "Aubry",
        "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly",
        "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet",
        "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff",
        "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet", "Hamon",
        "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin",
        "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard",
        "Maréchal", "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon",
        "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "Benali", "Haddad", "Nguyen",
        "Diallo", "Traoré",
    ],
};

#[rustfmt::skip]
const DE_NAMES: PersonNames = PersonNames {
    male: &[
        "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Alexander", "Daniel", "Jan", "Tobias",
        "Florian", "Matthias", "Sebastian", "Jürgen", "Uwe", "Klaus", "Lukas", "Felix", "Jonas", "Maximilian",
    ],
    female: &[
        "Sabine", "Claudia", "Andrea", "Susanne", "Katrin", "Julia", "Anna", "Laura", "Lena",
        "Sarah", "Nicole", "Stefanie", "Birgit", "Petra", "Monika", "Sandra", "Melanie", "Johanna",
        "Lea", "Hannah",
    ],
    last: &[
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
        "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
        "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser",
        "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel",
    ],
};

#[rustfmt::skip]
const ES_NAMES: PersonNames = PersonNames {
    male: &[
        "Antonio", "José", "Manuel", "Francisco", "David", "Juan", "Javier", "Daniel", "Carlos", "Jesús",
        "Alejandro", "Miguel", "Rafael", "Pablo", "Sergio", "Jorge", "Alberto", "Luis", "Álvaro", "Diego",
    ],
    female: &[
        "María", "Carmen", "Ana", "Laura", "Isabel", "Lucía", "Cristina", "Marta", "Elena", "Sara",
        "Paula", "Raquel", "Pilar", "Rocío", "Beatriz", "Silvia", "Patricia", "Nuria", "Irene",
        "Andrea",
    ],
    last: &[
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez",
        "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina",
        "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Iglesias",
    ],
};

#[rustfmt::skip]
const IT_NAMES: PersonNames = PersonNames {
    male: &[
        "Marco", "Alessandro", "Giuseppe", "Francesco", "Luca", "Andrea", "Giovanni", "Roberto", "Stefano", "Matteo",
        "Lorenzo", "Davide", "Simone", "Paolo", "Antonio", "Fabio", "Riccardo", "Giorgio", "Massimo", "Federico",
    ],
    female: &[
        "Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Laura", "Alessandra", "Elena", "Martina", "Silvia",
        "Federica", "Paola", "Elisa", "Anna", "Roberta", "Marta", "Giorgia", "Cristina", "Serena", "Beatrice",
    ],
    last: &[
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
        "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri",
        "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
        "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    ],
};

#[rustfmt::skip]
const NL_NAMES: PersonNames = PersonNames {
    male: &[
        "Jan", "Pieter", "Dirk", "Bram", "Daan", "Sem", "Thijs", "Ruben", "Lars", "Joost",
        "Maarten", "Willem", "Hendrik", "Bas", "Jeroen", "Sander", "Koen", "Tim", "Niels",
        "Wouter",
    ],
    female: &[
        "Anna", "Emma", "Sanne", "Lotte", "Femke", "Eva", "Iris", "Anouk", "Fleur", "Lisa",
        "Marloes", "Inge", "Ilse", "Annelies", "Esther", "Mieke", "Saskia", "Renske", "Noor",
        "Julia",
    ],
    last: &[
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
        "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
        "Vermeulen", "Peeters", "Maes", "Claes", "Willems", "Goossens", "Wouters",
    ],
};

#[rustfmt::skip]
const EN_NAMES: PersonNames = PersonNames {
    male: &[
        "James", "John", "David", "Michael", "Paul", "Andrew", "Mark", "Richard", "Daniel", "Thomas", "Christopher",
        "Matthew", "Simon", "Peter", "Oliver", "Harry", "George", "Jack", "William", "Robert",
    ],
    female: &[
        "Sarah", "Emma", "Claire", "Rachel", "Laura", "Emily", "Charlotte", "Rebecca", "Hannah", "Sophie", "Lucy",
        "Amy", "Helen", "Jessica", "Katie", "Victoria", "Olivia", "Grace", "Alice", "Joanna",
    ],
    last: &[
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
        "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
        "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
        "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
        "Baker", "Harrison", "Morgan", "Allen",
    ],
};

// ---------------------------------------------------------------------------
// Shared history (interactions)
// ---------------------------------------------------------------------------

const ID_INTERACTION: u64 = 4;

/// Interactions per transaction.
const CHUNK_INTERACTIONS: usize = 20_000;

/// Bits of an interaction id's sequence holding its position in the account's timeline.
const POS_BITS: u32 = 28;

/// The timeline's "now": the history runs up to it and follow-ups are due around it.
fn timeline_now() -> DateTime<Utc> {
    instant(ymd(2026, 11, 23), 16 * 3600)
}

/// Who on our side handles a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Team {
    Owner,
    Finance,
    Support,
}

/// A kind of exchange. `{n}` in a text becomes a number, `{p}` a place.
struct Topic {
    fr: &'static str,
    en: &'static str,
    fr_summary: &'static str,
    en_summary: &'static str,
    tag: &'static str,
    inbound: bool,
    beyond: bool,
    team: Team,
    /// Channels as indexes in [`Channel::ALL`] with weights.
    channels: &'static [(u8, u32)],
    weight: u32,
}

// Channel::ALL order: email, phone, meeting, visit, chat, whatsapp, linkedin, web_form, letter, portal.
const CH_REQUEST: &[(u8, u32)] = &[(0, 45), (1, 24), (4, 5), (5, 4), (6, 2), (7, 6), (8, 3), (9, 11)];
const CH_FINANCE: &[(u8, u32)] = &[(0, 70), (1, 15), (8, 10), (9, 5)];
const CH_MEETING: &[(u8, u32)] = &[(2, 70), (3, 30)];
const CH_VISIT: &[(u8, u32)] = &[(3, 1)];
const CH_CALL: &[(u8, u32)] = &[(1, 70), (0, 20), (5, 5), (6, 5)];
const CH_NEWS: &[(u8, u32)] = &[(0, 70), (6, 30)];

#[rustfmt::skip]
const TOPICS: &[Topic] = &[
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

const FOLLOW_UPS_FR: &[&str] = &[
    "Envoyer le compte rendu",
    "Relancer le client",
    "Envoyer le devis révisé",
    "Planifier une visite",
    "Vérifier la livraison",
    "Transmettre l'avoir",
];
const FOLLOW_UPS_EN: &[&str] = &[
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
struct Beat {
    at: i64,
    topic: u8,
    channel: u8,
    /// An answer to a request of the same thread.
    answer: bool,
    /// Shared by a request and its answer, so both name the same order or site.
    thread: u64,
}

/// Interactions of one account: its timeline, skeleton first.
struct History {
    beats: Vec<Beat>,
    /// `(answering outbound, seconds)` by position.
    answers: Vec<Option<(Uuid, i64)>>,
}

/// Mean interactions of an ordinary account (the flagship aside).
fn mean_interactions(size: DemoSize) -> f64 {
    match size {
        DemoSize::Small => 40.0,
        DemoSize::Medium => 20.0,
        // 49 × 999,999 ordinary accounts + the flagship's million ≈ 50,000,000.
        DemoSize::Large => 49.0,
    }
}

/// Interactions of the flagship account.
fn flagship_interactions(size: DemoSize) -> usize {
    match size {
        DemoSize::Small => 20_000,
        DemoSize::Medium | DemoSize::Large => 1_000_000,
    }
}

/// Mean of the raw weight drawn in [`interaction_count`], measured on generated
/// portfolios, so counts average [`mean_interactions`].
const WEIGHT_MEAN: f64 = 2.78;

fn interaction_count(plan: &Plan, index: usize, account: &AccountRow, rng: &mut Rng) -> usize {
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

fn random_business_instant(rng: &mut Rng, from: i64, to: i64) -> i64 {
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
fn answer_delay(rng: &mut Rng, channel: u8) -> i64 {
    let secs = match channel {
        1 | 4 | 5 => 120.0 + rng.exponential(3.0 * 3600.0),
        8 => 86_400.0 * (2.0 + rng.exponential(5.0)),
        _ if rng.chance(0.55) => 300.0 + rng.exponential(4.0 * 3600.0),
        _ if rng.chance(0.8) => 86_400.0 * (0.5 + rng.exponential(1.5)),
        _ => 86_400.0 * (2.0 + rng.exponential(6.0)),
    };
    secs as i64
}

fn interaction_id(index: usize, pos: usize, at: DateTime<Utc>) -> Uuid {
    demo_id(ID_INTERACTION, ((index as u64) << POS_BITS) | pos as u64, at)
}

fn at_of(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// The skeleton of an account's timeline, ordered, with its first responses.
fn account_history(index: usize, account: &AccountRow, count: usize) -> History {
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
struct TimelineCtx<'a> {
    plan: &'a Plan,
    index: usize,
    account: &'a AccountRow,
    french: bool,
    contacts: Vec<Uuid>,
    places: Vec<&'a str>,
}

fn fill(template: &str, thread: u64, at: DateTime<Utc>, places: &[&str]) -> String {
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

fn interaction_row(
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
struct InteractionChunk {
    rows: Vec<InteractionRow>,
    links: Vec<(Uuid, Uuid, Uuid)>,
    /// Accounts whose history is complete once this chunk is written.
    accounts_done: usize,
}

/// Generates the history of accounts `range` and hands it over in chunks of about
/// [`CHUNK_INTERACTIONS`] rows; stops early when the receiver is gone.
fn generate_histories(plan: &Plan, range: Range<usize>, mut emit: impl FnMut(InteractionChunk) -> bool) {
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

async fn write_interactions(app: &App, chunk: &InteractionChunk) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    db_timeline::insert_rows(&mut c, &chunk.rows, &chunk.links).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::AppConfig;
    use bilan_db::with_conn;
    use bilan_domain::identifiers::{parse_siren, parse_siret, parse_vat_number};
    use std::collections::HashMap;

    fn plan(accounts: usize, size: DemoSize) -> Plan {
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
