//! Search across the workspace: accounts, contacts and the shared history, each
//! section only when the caller's role may read it.

use crate::accounts::AccountQuery;
use crate::contacts::ContactQuery;
use crate::{Actor, App, AppError, AppResult};
use bilan_domain::accounts::Account;
use bilan_domain::contacts::Contact;
use bilan_domain::roles::Permission;
use bilan_domain::search::query_terms;
use bilan_domain::timeline::Interaction;
use std::collections::HashMap;
use uuid::Uuid;

/// What a search found, section by section.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// The words searched (normalised).
    pub terms: Vec<String>,
    /// Matching accounts, by name.
    pub accounts: Vec<Account>,
    /// Matching contacts, by name.
    pub contacts: Vec<Contact>,
    /// Matching interactions, newest first.
    pub interactions: Vec<Interaction>,
    /// Names of the accounts the contacts and interactions belong to.
    pub account_names: HashMap<Uuid, String>,
    /// How many accounts match in all.
    pub accounts_total: i64,
    /// How many contacts match in all.
    pub contacts_total: i64,
    /// How many exchanges match, counted up to [`COUNT_CAP`].
    pub interactions_total: i64,
}

/// Past this many matching exchanges a search says "more than": counting them all
/// would cost more than it tells.
pub const COUNT_CAP: i64 = 1_000;

/// Whether a person's own name holds every term (a contact called like the query
/// ranks above the people of a company called like it).
fn own_name_matches(c: &Contact, terms: &[String]) -> bool {
    let name = bilan_domain::search::normalize(&c.full_name());
    terms.iter().all(|t| name.split(' ').any(|w| w.starts_with(t.as_str())))
}

/// Type-ahead suggestions: names first.
#[derive(Debug, Clone, Default)]
pub struct Suggestions {
    /// Accounts whose name matches, then other matching accounts.
    pub accounts: Vec<Account>,
    /// Contacts whose own name matches, then others.
    pub contacts: Vec<Contact>,
    /// Names of the contacts' accounts.
    pub account_names: HashMap<Uuid, String>,
}

/// At most `limit` accounts and contacts for the search box's type-ahead, those
/// whose own name matches first.
pub async fn suggest(app: &App, actor: &Actor, q: &str, limit: usize) -> AppResult<Suggestions> {
    let terms = query_terms(q);
    let mut out = Suggestions::default();
    if terms.is_empty() {
        return Ok(out);
    }
    let fetch = u32::try_from(limit * 4).unwrap_or(40).clamp(4, 50);
    if actor.can(Permission::ReadAccounts) {
        let aq = AccountQuery {
            q: Some(q.to_owned()),
            limit: Some(fetch),
            ..Default::default()
        };
        let mut accounts = crate::accounts::list_accounts(app, actor, &aq).await?.items;
        accounts.sort_by_key(|a| {
            let name = bilan_domain::search::normalize(&a.name);
            !terms.iter().all(|t| name.split(' ').any(|w| w.starts_with(t.as_str())))
        });
        accounts.truncate(limit);
        out.accounts = accounts;
    }
    if actor.can(Permission::ReadContacts) {
        let cq = ContactQuery {
            q: Some(q.to_owned()),
            limit: Some(fetch),
            ..Default::default()
        };
        let mut contacts = crate::contacts::list_contacts(app, actor, &cq).await?.items;
        contacts.sort_by_key(|c| !own_name_matches(c, &terms));
        contacts.truncate(limit);
        let ids: Vec<Uuid> = contacts.iter().map(|c| c.account_id).collect();
        out.account_names = crate::accounts::account_names(app, actor, &ids).await?;
        out.contacts = contacts;
    }
    Ok(out)
}

/// Searches `q` everywhere the caller may look; at most `limit` per section.
pub async fn search_all(app: &App, actor: &Actor, q: &str, limit: u32) -> AppResult<SearchResults> {
    let terms = query_terms(q);
    if terms.is_empty() {
        return Err(AppError::field("q", "required"));
    }
    let limit = limit.clamp(1, 200);
    let mut out = SearchResults {
        terms: terms.clone(),
        ..Default::default()
    };
    if actor.can(Permission::ReadAccounts) {
        let aq = AccountQuery {
            q: Some(q.to_owned()),
            limit: Some(limit),
            ..Default::default()
        };
        out.accounts = crate::accounts::list_accounts(app, actor, &aq).await?.items;
        out.accounts_total = crate::accounts::count_accounts(app, actor, &aq).await?;
        let mut pc = app.db.acquire().await?;
        let mut c = pc.conn();
        out.interactions = bilan_db::timeline::search(&mut c, actor.workspace_id, &terms, limit).await?;
        out.interactions_total =
            bilan_db::timeline::count_matches(&mut c, actor.workspace_id, &terms, COUNT_CAP).await?;
    }
    if actor.can(Permission::ReadContacts) {
        // Fetched wider, then the people whose own name matches come first.
        let cq = ContactQuery {
            q: Some(q.to_owned()),
            limit: Some((limit * 3).min(200)),
            ..Default::default()
        };
        let mut contacts = crate::contacts::list_contacts(app, actor, &cq).await?.items;
        contacts.sort_by_key(|c| !own_name_matches(c, &terms));
        contacts.truncate(limit as usize);
        out.contacts = contacts;
        out.contacts_total = crate::contacts::count_contacts(app, actor, &cq).await?;
    }
    let mut ids: Vec<Uuid> = out.contacts.iter().map(|c| c.account_id).collect();
    ids.extend(out.interactions.iter().map(|i| i.account_id));
    ids.sort();
    ids.dedup();
    let mut pc = app.db.acquire().await?;
    for row in bilan_db::imports::accounts_by_ids(&mut pc.conn(), actor.workspace_id, &ids).await? {
        out.account_names.insert(row.id, row.name);
    }
    Ok(out)
}
