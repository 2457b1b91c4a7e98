//! Account use cases: list, show, create, edit (optimistic), delete, sites.

use crate::users::User;
use crate::{Actor, App, AppError, AppResult, Audited};
use bilan_db::accounts::{self, AccountFigures, AccountFilter, AccountPage, AccountSort, UpdateOutcome};
use bilan_db::users;
use bilan_db::{sites, Conn};
use bilan_domain::accounts::{Account, AccountInput, AccountStatus, NewAccount, Site, SiteInput};
use bilan_domain::pagination::{page_size, Cursor};
use bilan_domain::roles::Permission;
use bilan_domain::search::query_terms;
use uuid::Uuid;

/// The account list's parameters, as text from a query string or CLI flags.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    /// Search text.
    pub q: Option<String>,
    /// Owner user id.
    pub owner: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Sector.
    pub sector: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// Sort code (`name`, `-name`, `-value`, `value`, `-updated`).
    pub sort: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
}

impl AccountQuery {
    /// Parses the parameters; unknown values are errors naming the parameter.
    pub fn parse(&self) -> AppResult<(AccountFilter, AccountSort, Option<Cursor>, u32)> {
        let mut e = bilan_domain::ValidationErrors::new();
        let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let owner_id =
            nonempty(&self.owner).and_then(|o| Uuid::parse_str(&o).map_err(|_| e.add("owner", "id.invalid")).ok());
        let status = nonempty(&self.status).and_then(|s| {
            let st = AccountStatus::parse(&s);
            if st.is_none() {
                e.add("status", "status.invalid");
            }
            st
        });
        let sort = match nonempty(&self.sort) {
            None => AccountSort::default(),
            Some(s) => AccountSort::parse(&s).unwrap_or_else(|| {
                e.add("sort", "sort.invalid");
                AccountSort::default()
            }),
        };
        let cursor = nonempty(&self.cursor).and_then(|c| {
            let cur = Cursor::decode(&c);
            if cur.is_none() {
                e.add("cursor", "cursor.invalid");
            }
            cur
        });
        e.into_result()?;
        let filter = AccountFilter {
            terms: self.q.as_deref().map(query_terms).unwrap_or_default(),
            owner_id,
            status,
            sector: nonempty(&self.sector),
            country: nonempty(&self.country).map(|c| c.to_uppercase()),
            tag: nonempty(&self.tag).map(|t| t.to_lowercase()),
        };
        Ok((filter, sort, cursor, page_size(self.limit)))
    }
}

/// Lists the workspace's accounts.
pub async fn list_accounts(app: &App, actor: &Actor, query: &AccountQuery) -> AppResult<AccountPage> {
    actor.require(Permission::ReadAccounts)?;
    let (filter, sort, cursor, limit) = query.parse()?;
    let mut pc = app.db.acquire().await?;
    Ok(accounts::list(
        &mut pc.conn(),
        actor.workspace_id,
        &filter,
        sort,
        cursor.as_ref(),
        limit,
    )
    .await?)
}

/// What the account list shows beside each account: its last exchange and its NPS.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ListFacts {
    /// The last exchange on its timeline.
    pub last_exchange: Option<chrono::DateTime<chrono::Utc>>,
    /// NPS over the last 12 months (held back below the workspace's minimum answers).
    pub nps: Option<rust_decimal::Decimal>,
    /// NPS answers over the last 12 months.
    pub nps_answers: usize,
}

/// The list's facts about the caller's accounts `ids`, as of `today`.
pub async fn list_facts(
    app: &App,
    actor: &Actor,
    ids: &[Uuid],
    today: chrono::NaiveDate,
) -> AppResult<std::collections::HashMap<Uuid, ListFacts>> {
    actor.require(Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let mut out: std::collections::HashMap<Uuid, ListFacts> = std::collections::HashMap::new();
    for (id, at) in accounts::last_exchanges(&mut c, ws, ids).await? {
        out.entry(id).or_default().last_exchange = Some(at);
    }
    if actor.can(Permission::ReadSatisfaction) {
        let since = today.checked_sub_days(chrono::Days::new(365)).unwrap_or(today);
        let min = bilan_db::surveys::min_answers(&mut c, ws).await? as usize;
        let mut per: std::collections::HashMap<Uuid, Vec<_>> = std::collections::HashMap::new();
        for (id, kind, score, n) in bilan_db::surveys::counts_by_account(&mut c, ws, ids, since).await? {
            per.entry(id).or_default().push((kind, score, n));
        }
        for (id, groups) in per {
            let s = bilan_domain::surveys::Summary::of_counts(&groups).held_back(min);
            let f = out.entry(id).or_default();
            f.nps = s.nps;
            f.nps_answers = s.nps_answers;
        }
    }
    Ok(out)
}

/// Past this many matching accounts the list says "more than": counting a million
/// on every page would cost more than it tells.
pub const COUNT_CAP: i64 = 10_000;

/// How many of the caller's accounts match the list's filters, up to [`COUNT_CAP`]
/// (a result of `COUNT_CAP` means "that many or more").
pub async fn count_accounts(app: &App, actor: &Actor, query: &AccountQuery) -> AppResult<i64> {
    actor.require(Permission::ReadAccounts)?;
    let (filter, ..) = query.parse()?;
    let mut pc = app.db.acquire().await?;
    Ok(accounts::count(&mut pc.conn(), actor.workspace_id, &filter, COUNT_CAP).await?)
}

/// An account with what its page shows.
#[derive(Debug, Clone)]
pub struct AccountDetail {
    /// The account.
    pub account: Account,
    /// Its sites and business units.
    pub sites: Vec<Site>,
    /// Contact and site counts.
    pub figures: AccountFigures,
    /// The owner, if any.
    pub owner: Option<User>,
    /// The executive sponsor, if any.
    pub sponsor: Option<User>,
}

/// The names of the caller's accounts among `ids` (lists that show each row's company).
pub async fn account_names(
    app: &App,
    actor: &Actor,
    ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, String>> {
    actor.require(Permission::ReadAccounts)?;
    let mut unique: Vec<Uuid> = ids.to_vec();
    unique.sort();
    unique.dedup();
    let mut pc = app.db.acquire().await?;
    Ok(
        bilan_db::imports::accounts_by_ids(&mut pc.conn(), actor.workspace_id, &unique)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
    )
}

/// Finds one account of the caller's workspace (404 for any other workspace's id).
pub async fn find_account(app: &App, actor: &Actor, id: Uuid) -> AppResult<Account> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    accounts::find(&mut pc.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// An account with its sites, figures, owner and sponsor.
pub async fn show_account(app: &App, actor: &Actor, id: Uuid) -> AppResult<AccountDetail> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let ws = actor.workspace_id;
    let account = accounts::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    let sites = sites::list_for_account(&mut c, ws, id).await?;
    let figures = accounts::figures(&mut c, ws, id).await?;
    let owner = match account.owner_id {
        Some(o) => users::find(&mut c, ws, o).await?.map(User::from),
        None => None,
    };
    let sponsor = match account.sponsor_id {
        Some(s) => users::find(&mut c, ws, s).await?.map(User::from),
        None => None,
    };
    Ok(AccountDetail {
        account,
        sites,
        figures,
        owner,
        sponsor,
    })
}

/// Checks that owner and sponsor are users of the workspace.
pub(crate) async fn check_people(c: &mut Conn<'_>, workspace: Uuid, a: &NewAccount) -> AppResult<()> {
    let mut e = bilan_domain::ValidationErrors::new();
    for (field, id) in [("owner_id", a.owner_id), ("sponsor_id", a.sponsor_id)] {
        if let Some(id) = id {
            if users::find(c, workspace, id).await?.is_none() {
                e.add(field, "user.unknown");
            }
        }
    }
    Ok(e.into_result()?)
}

/// Creates an account.
pub async fn create_account(app: &App, actor: &Actor, input: &AccountInput) -> AppResult<Account> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::WriteAccounts).await?;
    let new = new?;
    check_people(&mut w.conn(), actor.workspace_id, &new).await?;
    let now = w.now();
    let account = accounts::insert(&mut w.conn(), actor.workspace_id, bilan_db::new_id(), &new, now).await?;
    w.audit_created(&account);
    w.commit().await?;
    tracing::info!(account.id = %account.id, user.id = %actor.user_id, "account created");
    Ok(account)
}

/// Replaces an account's fields if nobody changed it since `version`.
pub async fn update_account(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: &AccountInput,
) -> AppResult<Account> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::WriteAccounts).await?;
    let new = new?;
    check_people(&mut w.conn(), actor.workspace_id, &new).await?;
    let before = accounts::find(&mut w.conn(), actor.workspace_id, id).await?;
    let now = w.now();
    match accounts::update(&mut w.conn(), actor.workspace_id, id, version, &new, now).await? {
        UpdateOutcome::Updated(a) => {
            if let Some(before) = &before {
                w.audit_updated(before, &a);
            }
            w.commit().await?;
            Ok(a)
        }
        UpdateOutcome::Stale(current_version) => Err(AppError::Stale { current_version }),
        UpdateOutcome::NotFound => Err(AppError::NotFound),
    }
}

/// Deletes an account with its sites and contacts.
pub async fn delete_account(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::DeleteAccounts).await?;
    let before = accounts::find(&mut w.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    accounts::delete(&mut w.conn(), actor.workspace_id, id).await?;
    w.audit_deleted(&before);
    w.commit().await?;
    Ok(())
}

/// Adds a site or business unit to an account.
pub async fn add_site(app: &App, actor: &Actor, account: Uuid, input: &SiteInput) -> AppResult<Site> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::WriteAccounts).await?;
    let new = new?;
    accounts::find(&mut w.conn(), actor.workspace_id, account)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = w.now();
    let site = sites::insert(&mut w.conn(), actor.workspace_id, account, &new, now).await?;
    w.audit_created(&site);
    w.commit().await?;
    Ok(site)
}

/// An account's sites.
pub async fn list_sites(app: &App, actor: &Actor, account: Uuid) -> AppResult<Vec<Site>> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    accounts::find(&mut c, actor.workspace_id, account)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(sites::list_for_account(&mut c, actor.workspace_id, account).await?)
}

/// Removes a site (contacts attached to it keep their account).
pub async fn delete_site(app: &App, actor: &Actor, account: Uuid, site: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::WriteAccounts).await?;
    let before = sites::find(&mut w.conn(), actor.workspace_id, site)
        .await?
        .filter(|s| s.account_id == account);
    let before = before.ok_or(AppError::NotFound)?;
    sites::delete(&mut w.conn(), actor.workspace_id, account, site).await?;
    w.audit_deleted(&before);
    w.commit().await?;
    Ok(())
}

impl Audited for Account {
    const ENTITY: &'static str = "account";

    fn audit_id(&self) -> Uuid {
        self.id
    }

    fn health_account(&self) -> Option<Uuid> {
        Some(self.id)
    }
}

impl Audited for Site {
    const ENTITY: &'static str = "site";

    fn audit_id(&self) -> Uuid {
        self.id
    }
}
