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
}

/// Searches `q` everywhere the caller may look; at most `limit` per section.
pub async fn search_all(app: &App, actor: &Actor, q: &str, limit: u32) -> AppResult<SearchResults> {
    let terms = query_terms(q);
    if terms.is_empty() {
        return Err(AppError::field("q", "required"));
    }
    let limit = limit.clamp(1, 50);
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
        let mut pc = app.db.acquire().await?;
        out.interactions = bilan_db::timeline::search(&mut pc.conn(), actor.workspace_id, &terms, limit).await?;
    }
    if actor.can(Permission::ReadContacts) {
        let cq = ContactQuery {
            q: Some(q.to_owned()),
            limit: Some(limit),
            ..Default::default()
        };
        out.contacts = crate::contacts::list_contacts(app, actor, &cq).await?.items;
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
