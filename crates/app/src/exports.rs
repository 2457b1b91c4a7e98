//! CSV export of accounts and contacts for spreadsheets: UTF-8 with BOM, `;` by
//! default (French Excel), Bilan's own field names as headers so that a file
//! re-imports as is, and formula injection neutralised.

use crate::accounts::AccountQuery;
use crate::{Actor, App, AppError, AppResult};
use bilan_db::accounts;
use bilan_db::contacts::{self, ContactFilter};
use bilan_db::imports as lookups;
use bilan_db::Conn;
use bilan_domain::contacts::Contact;
use bilan_domain::imports::{
    account_cells, account_ref_of, contact_cells, CsvWriter, ACCOUNT_EXPORT_COLUMNS, CONTACT_EXPORT_COLUMNS,
};
use bilan_domain::roles::Permission;
use std::collections::HashMap;
use uuid::Uuid;

/// Rows read per query.
const BATCH: u32 = 1000;

/// Checks the separator: `;` (French spreadsheets, decimal commas) or `,`.
fn check_separator(separator: char) -> AppResult<char> {
    match separator {
        ';' | ',' => Ok(separator),
        _ => Err(AppError::field("separator", "export.separator")),
    }
}

/// The accounts of the workspace (those matching `query`'s filters when given;
/// its cursor and limit are ignored) as CSV.
pub async fn export_accounts(
    app: &App,
    actor: &Actor,
    query: Option<&AccountQuery>,
    separator: char,
) -> AppResult<Vec<u8>> {
    actor.require(Permission::ExportData)?;
    let sep = check_separator(separator)?;
    let decimal_comma = sep == ';';
    let value_column = ACCOUNT_EXPORT_COLUMNS
        .iter()
        .position(|c| *c == "annual_value")
        .unwrap_or(usize::MAX);
    let mut w = CsvWriter::new(sep, &[value_column]);
    w.record(&ACCOUNT_EXPORT_COLUMNS);
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    match query {
        None => {
            let mut after = None;
            loop {
                let rows = accounts::rows_after(&mut c, ws, after, i64::from(BATCH)).await?;
                let full = rows.len() == BATCH as usize;
                after = rows.last().map(|r| r.id);
                for r in rows {
                    w.record(&account_cells(&r.into_account()?, decimal_comma));
                }
                if !full {
                    break;
                }
            }
        }
        Some(q) => {
            let (filter, sort, _, _) = q.parse()?;
            let mut cursor = None;
            loop {
                let page = accounts::list(&mut c, ws, &filter, sort, cursor.as_ref(), BATCH).await?;
                for a in &page.items {
                    w.record(&account_cells(a, decimal_comma));
                }
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
    }
    Ok(w.finish())
}

/// The contacts of the workspace, or of one account, as CSV (people who left included).
pub async fn export_contacts(app: &App, actor: &Actor, account: Option<Uuid>, separator: char) -> AppResult<Vec<u8>> {
    actor.require(Permission::ExportData)?;
    let sep = check_separator(separator)?;
    let mut w = CsvWriter::new(sep, &[]);
    w.record(&CONTACT_EXPORT_COLUMNS);
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let mut refs: HashMap<Uuid, String> = HashMap::new();
    match account {
        None => {
            let mut after = None;
            loop {
                let rows = contacts::rows_after(&mut c, ws, after, i64::from(BATCH)).await?;
                let full = rows.len() == BATCH as usize;
                after = rows.last().map(|r| r.id);
                let batch = rows
                    .into_iter()
                    .map(|r| r.into_contact())
                    .collect::<Result<Vec<_>, _>>()?;
                write_contacts(&mut c, ws, &mut w, &mut refs, &batch).await?;
                if !full {
                    break;
                }
            }
        }
        Some(a) => {
            if lookups::accounts_by_ids(&mut c, ws, &[a]).await?.is_empty() {
                return Err(AppError::NotFound);
            }
            let filter = ContactFilter {
                account_id: Some(a),
                include_left: true,
                ..Default::default()
            };
            let mut cursor = None;
            loop {
                let page = contacts::list(&mut c, ws, &filter, cursor.as_ref(), BATCH).await?;
                write_contacts(&mut c, ws, &mut w, &mut refs, &page.items).await?;
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
    }
    Ok(w.finish())
}

/// Writes a batch of contacts, looking up the references of accounts not seen yet in one query.
async fn write_contacts(
    c: &mut Conn<'_>,
    ws: Uuid,
    w: &mut CsvWriter,
    refs: &mut HashMap<Uuid, String>,
    batch: &[Contact],
) -> AppResult<()> {
    let missing: Vec<Uuid> = batch
        .iter()
        .map(|x| x.account_id)
        .filter(|a| !refs.contains_key(a))
        .collect();
    if !missing.is_empty() {
        for row in lookups::accounts_by_ids(c, ws, &missing).await? {
            let account = row.into_account()?;
            refs.insert(account.id, account_ref_of(&account));
        }
    }
    for contact in batch {
        let r = refs.get(&contact.account_id).map(String::as_str).unwrap_or("");
        w.record(&contact_cells(contact, r));
    }
    Ok(())
}
