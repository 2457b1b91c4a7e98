//! Contact use cases: list, show, create, edit (optimistic), delete.

use crate::{Actor, App, AppError, AppResult, Audited};
use bilan_db::accounts::UpdateOutcome;
use bilan_db::contacts::{self, ContactFilter};

pub use bilan_db::contacts::ContactPage;
use bilan_db::{accounts, sites, Conn};
use bilan_domain::contacts::{BuyingRole, Contact, ContactInput, NewContact};
use bilan_domain::pagination::{page_size, Cursor};
use bilan_domain::roles::Permission;
use bilan_domain::search::query_terms;
use uuid::Uuid;

/// The contact list's parameters.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactQuery {
    /// Search text.
    pub q: Option<String>,
    /// Only this account's contacts.
    pub account: Option<String>,
    /// Only this buying-centre role.
    pub role: Option<String>,
    /// Include people who left (`true`).
    pub include_left: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
}

impl ContactQuery {
    fn parse(&self) -> AppResult<(ContactFilter, Option<Cursor>, u32)> {
        let mut e = bilan_domain::ValidationErrors::new();
        let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let account_id =
            nonempty(&self.account).and_then(|a| Uuid::parse_str(&a).map_err(|_| e.add("account", "id.invalid")).ok());
        let role = nonempty(&self.role).and_then(|r| {
            let role = BuyingRole::parse(&r);
            if role.is_none() {
                e.add("role", "roles.invalid");
            }
            role
        });
        let cursor = nonempty(&self.cursor).and_then(|c| {
            let cur = Cursor::decode(&c);
            if cur.is_none() {
                e.add("cursor", "cursor.invalid");
            }
            cur
        });
        let include_left = nonempty(&self.include_left)
            .map(|v| bilan_domain::contacts::parse_bool(&v).unwrap_or(false))
            .unwrap_or(false);
        e.into_result()?;
        let filter = ContactFilter {
            terms: self.q.as_deref().map(query_terms).unwrap_or_default(),
            account_id,
            role,
            include_left,
        };
        Ok((filter, cursor, page_size(self.limit)))
    }
}

/// Lists contacts.
pub async fn list_contacts(app: &App, actor: &Actor, query: &ContactQuery) -> AppResult<ContactPage> {
    actor.require(Permission::ReadContacts)?;
    let (filter, cursor, limit) = query.parse()?;
    let mut pc = app.db.acquire().await?;
    Ok(contacts::list(&mut pc.conn(), actor.workspace_id, &filter, cursor.as_ref(), limit).await?)
}

/// How many contacts match the list's filters.
pub async fn count_contacts(app: &App, actor: &Actor, query: &ContactQuery) -> AppResult<i64> {
    actor.require(Permission::ReadContacts)?;
    let (filter, ..) = query.parse()?;
    let mut pc = app.db.acquire().await?;
    Ok(contacts::count(&mut pc.conn(), actor.workspace_id, &filter).await?)
}

/// How many key contacts of each buying-centre role an account page shows.
pub const KEY_CONTACTS_PER_ROLE: u32 = 4;

/// The people of one buying-centre role at an account.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RoleContacts {
    /// The role.
    pub role: BuyingRole,
    /// Its current contacts, by name, at most [`KEY_CONTACTS_PER_ROLE`].
    pub contacts: Vec<Contact>,
    /// Whether there are more.
    pub more: bool,
}

/// An account's key contacts: its current people of each buying-centre role
/// (sponsor, decision maker, buyer…), the first few of each by name.
pub async fn key_contacts(app: &App, actor: &Actor, account: Uuid) -> AppResult<Vec<RoleContacts>> {
    actor.require(Permission::ReadContacts)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let mut out = Vec::with_capacity(BuyingRole::ALL.len());
    for role in BuyingRole::ALL {
        let filter = ContactFilter {
            account_id: Some(account),
            role: Some(role),
            ..Default::default()
        };
        let page = contacts::list(&mut c, actor.workspace_id, &filter, None, KEY_CONTACTS_PER_ROLE).await?;
        out.push(RoleContacts {
            role,
            more: page.next.is_some(),
            contacts: page.items,
        });
    }
    Ok(out)
}

/// One contact of the workspace.
pub async fn find_contact(app: &App, actor: &Actor, id: Uuid) -> AppResult<Contact> {
    actor.require(Permission::ReadContacts)?;
    let mut pc = app.db.acquire().await?;
    contacts::find(&mut pc.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The workspace's contacts among `ids`, in one query (unknown ids are skipped).
pub async fn find_contacts(app: &App, actor: &Actor, ids: &[Uuid]) -> AppResult<Vec<Contact>> {
    actor.require(Permission::ReadContacts)?;
    let mut pc = app.db.acquire().await?;
    let rows = bilan_db::imports::contacts_by_ids(&mut pc.conn(), actor.workspace_id, ids).await?;
    Ok(rows.into_iter().map(|r| r.into_contact()).collect::<Result<_, _>>()?)
}

/// Checks the account and site references of a contact; returns the account id.
async fn check_refs(c: &mut Conn<'_>, workspace: Uuid, new: &NewContact) -> AppResult<Uuid> {
    let account = new
        .account_id
        .ok_or_else(|| AppError::field("account_id", "required"))?;
    if accounts::find(c, workspace, account).await?.is_none() {
        return Err(AppError::field("account_id", "account.unknown"));
    }
    if let Some(site) = new.site_id {
        match sites::find(c, workspace, site).await? {
            Some(s) if s.account_id == account => {}
            _ => return Err(AppError::field("site_id", "site.unknown")),
        }
    }
    Ok(account)
}

/// Creates a contact on an account.
pub async fn create_contact(app: &App, actor: &Actor, input: &ContactInput) -> AppResult<Contact> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::WriteContacts).await?;
    let new = new?;
    let account = check_refs(&mut w.conn(), actor.workspace_id, &new).await?;
    let now = w.now();
    let contact = contacts::insert(
        &mut w.conn(),
        actor.workspace_id,
        bilan_db::new_id(),
        account,
        &new,
        now,
    )
    .await?;
    w.audit_created(&contact);
    w.commit().await?;
    Ok(contact)
}

/// Replaces a contact's fields if nobody changed it since `version`.
pub async fn update_contact(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: &ContactInput,
) -> AppResult<Contact> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::WriteContacts).await?;
    let new = new?;
    let account = check_refs(&mut w.conn(), actor.workspace_id, &new).await?;
    let before = contacts::find(&mut w.conn(), actor.workspace_id, id).await?;
    let now = w.now();
    match contacts::update(&mut w.conn(), actor.workspace_id, id, version, account, &new, now).await? {
        UpdateOutcome::Updated(contact) => {
            if let Some(before) = &before {
                w.audit_updated(before, &contact);
            }
            w.commit().await?;
            Ok(contact)
        }
        UpdateOutcome::Stale(current_version) => Err(AppError::Stale { current_version }),
        UpdateOutcome::NotFound => Err(AppError::NotFound),
    }
}

/// Deletes a contact.
pub async fn delete_contact(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::WriteContacts).await?;
    let before = contacts::find(&mut w.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    contacts::delete(&mut w.conn(), actor.workspace_id, id).await?;
    w.audit_deleted(&before);
    w.commit().await?;
    Ok(())
}

impl Audited for Contact {
    const ENTITY: &'static str = "contact";

    fn audit_id(&self) -> Uuid {
        self.id
    }

    fn health_account(&self) -> Option<Uuid> {
        Some(self.account_id)
    }
}
