//! Batched look-ups for imports and exports: one query per [`BATCH`] keys, never
//! one per line, written once for both engines.

use crate::accounts::{AccountRow, COLUMNS as ACCOUNT_COLUMNS};
use crate::contacts::{ContactRow, COLUMNS as CONTACT_COLUMNS};
use crate::{bind_args, with_conn, Arg, Conn, DbResult, SqlBuilder};
use uuid::Uuid;

/// Most keys bound in one `IN` list (well under every engine's parameter limit).
pub const BATCH: usize = 500;

/// `SELECT … WHERE workspace_id = $1 AND <column> IN (…)`, one `IN` list per chunk.
fn in_query(engine: crate::Engine, select: &str, column: &str, workspace: Uuid, chunk: &[Arg]) -> SqlBuilder {
    let mut b = SqlBuilder::bulk(select, engine);
    b.bind(Arg::Uuid(workspace));
    b.push(" AND ").push(column).push(" IN (");
    for (i, a) in chunk.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(a.clone());
    }
    b.push(")");
    b
}

fn texts(values: &[String]) -> Vec<Arg> {
    let mut v: Vec<&String> = values.iter().filter(|s| !s.is_empty()).collect();
    v.sort();
    v.dedup();
    v.into_iter().map(|s| Arg::Text(s.clone())).collect()
}

fn uuids(values: &[Uuid]) -> Vec<Arg> {
    let mut v = values.to_vec();
    v.sort();
    v.dedup();
    v.into_iter().map(Arg::Uuid).collect()
}

async fn account_rows(conn: &mut Conn<'_>, workspace: Uuid, column: &str, keys: Vec<Arg>) -> DbResult<Vec<AccountRow>> {
    let select = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.workspace_id = ");
    let mut out = Vec::new();
    for chunk in keys.chunks(BATCH) {
        let b = in_query(conn.engine(), &select, column, workspace, chunk);
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<AccountRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(rows);
    }
    Ok(out)
}

async fn contact_rows(conn: &mut Conn<'_>, workspace: Uuid, column: &str, keys: Vec<Arg>) -> DbResult<Vec<ContactRow>> {
    let select = format!("SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.workspace_id = ");
    let mut out = Vec::new();
    for chunk in keys.chunks(BATCH) {
        let b = in_query(conn.engine(), &select, column, workspace, chunk);
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<ContactRow> = with_conn!(conn, |cn| bind_args!(sqlx::query_as(&sql), &args)
            .fetch_all(&mut **cn)
            .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The workspace's accounts among `ids`.
pub async fn accounts_by_ids(conn: &mut Conn<'_>, workspace: Uuid, ids: &[Uuid]) -> DbResult<Vec<AccountRow>> {
    account_rows(conn, workspace, "a.id", uuids(ids)).await
}

/// The workspace's accounts whose external reference is one of `refs`.
pub async fn accounts_by_external_refs(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    refs: &[String],
) -> DbResult<Vec<AccountRow>> {
    account_rows(conn, workspace, "a.external_ref", texts(refs)).await
}

/// The workspace's accounts whose SIREN is one of `sirens` (several may share one).
pub async fn accounts_by_sirens(conn: &mut Conn<'_>, workspace: Uuid, sirens: &[String]) -> DbResult<Vec<AccountRow>> {
    account_rows(conn, workspace, "a.siren", texts(sirens)).await
}

/// The workspace's accounts whose normalised name is one of `sort_names`.
pub async fn accounts_by_sort_names(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    sort_names: &[String],
) -> DbResult<Vec<AccountRow>> {
    account_rows(conn, workspace, "a.sort_name", texts(sort_names)).await
}

/// The workspace's contacts among `ids`.
pub async fn contacts_by_ids(conn: &mut Conn<'_>, workspace: Uuid, ids: &[Uuid]) -> DbResult<Vec<ContactRow>> {
    contact_rows(conn, workspace, "c.id", uuids(ids)).await
}

/// The workspace's contacts whose external reference is one of `refs`.
pub async fn contacts_by_external_refs(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    refs: &[String],
) -> DbResult<Vec<ContactRow>> {
    contact_rows(conn, workspace, "c.external_ref", texts(refs)).await
}

/// The workspace's contacts whose (lower-case) e-mail is one of `emails`, any account.
pub async fn contacts_by_emails(conn: &mut Conn<'_>, workspace: Uuid, emails: &[String]) -> DbResult<Vec<ContactRow>> {
    contact_rows(conn, workspace, "c.email", texts(emails)).await
}

/// `(e-mail, account id)` of the workspace's contacts whose e-mail is at one of
/// `domains` (lower-case, without `@`): to match a sender to an account by domain.
/// Accounts whose web domain is one of `domains`, as `(domain, account)`.
pub async fn accounts_at_domains(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    domains: &[String],
) -> DbResult<Vec<(String, Uuid)>> {
    let mut keys: Vec<&String> = domains.iter().filter(|d| !d.is_empty()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for chunk in keys.chunks(BATCH) {
        let mut b = SqlBuilder::bulk(
            "SELECT a.website, a.id FROM accounts a WHERE a.workspace_id = ",
            conn.engine(),
        );
        b.bind(Arg::Uuid(workspace));
        b.push(" AND a.website IN (");
        for (i, domain) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(Arg::Text((*domain).clone()));
        }
        b.push(")");
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<(String, Uuid)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Contacts' e-mail addresses at any of `domains`, with their accounts.
pub async fn contact_emails_at_domains(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    domains: &[String],
) -> DbResult<Vec<(String, Uuid)>> {
    let mut keys: Vec<&String> = domains.iter().filter(|d| !d.is_empty()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for chunk in keys.chunks(BATCH) {
        let mut b = SqlBuilder::bulk(
            "SELECT c.email, c.account_id FROM contacts c WHERE c.email IS NOT NULL AND c.workspace_id = ",
            conn.engine(),
        );
        b.bind(Arg::Uuid(workspace));
        b.push(" AND (");
        for (i, domain) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(" OR ");
            }
            let escaped = domain.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            b.push("c.email LIKE ");
            b.bind(Arg::Text(format!("%@{escaped}")));
            b.push(" ESCAPE '\\'");
        }
        b.push(")");
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<(String, Uuid)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// `(site id, account id)` of the workspace's sites among `ids`.
pub async fn site_accounts(conn: &mut Conn<'_>, workspace: Uuid, ids: &[Uuid]) -> DbResult<Vec<(Uuid, Uuid)>> {
    let mut out = Vec::new();
    for chunk in uuids(ids).chunks(BATCH) {
        let b = in_query(
            conn.engine(),
            "SELECT id, account_id FROM sites WHERE workspace_id = ",
            "id",
            workspace,
            chunk,
        );
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<(Uuid, Uuid)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The ids among `ids` that are users of the workspace.
pub async fn user_ids(conn: &mut Conn<'_>, workspace: Uuid, ids: &[Uuid]) -> DbResult<Vec<Uuid>> {
    let mut out = Vec::new();
    for chunk in uuids(ids).chunks(BATCH) {
        let b = in_query(
            conn.engine(),
            "SELECT id FROM users WHERE workspace_id = ",
            "id",
            workspace,
            chunk,
        );
        let (sql, args) = (b.sql, b.args);
        let rows: Vec<Uuid> = with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&sql), &args)
            .fetch_all(&mut **c)
            .await)?;
        out.extend(rows);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_one_in_list_per_chunk() {
        let ws = Uuid::nil();
        let keys = texts(&["b".into(), "a".into(), "b".into(), String::new()]);
        assert_eq!(keys, vec![Arg::Text("a".into()), Arg::Text("b".into())]);
        let b = in_query(
            crate::Engine::Postgres,
            "SELECT id FROM t WHERE workspace_id = ",
            "k",
            ws,
            &keys,
        );
        assert_eq!(b.sql, "SELECT id FROM t WHERE workspace_id = $1 AND k IN ($2, $3)");
        assert_eq!(b.args.len(), 3);
        let b = in_query(
            crate::Engine::Sqlite,
            "SELECT id FROM t WHERE workspace_id = ",
            "k",
            ws,
            &keys,
        );
        assert_eq!(b.sql, "SELECT id FROM t WHERE workspace_id = ? AND k IN (?, ?)");
    }
}
