//! The registry of workspace tables: every table whose rows belong to a
//! workspace, parents before children, with how `bilan db copy` moves its rows
//! and which columns identify a person (for a GDPR export or erasure). The demo
//! purge deletes in the reverse order. A test fails when a migration adds a table
//! this registry does not know.

use crate::{with_conn, Conn, DbError, DbResult};
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// Copies a workspace's rows of one table in id order, 2,000 at a time, with
/// `$read(source, workspace, after, limit)` and `$write(target, &rows)`;
/// evaluates to `Ok(rows copied)`.
macro_rules! copy_batches {
    ($s:expr, $t:expr, $ws:expr, $read:path, $write:path) => {{
        let mut after = None;
        let mut copied = 0usize;
        loop {
            let rows = $read(&mut *$s, $ws, after, 2000).await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id);
            $write(&mut *$t, &rows).await?;
            copied += rows.len();
        }
        Ok(copied)
    }};
}
pub(crate) use copy_batches;

/// A workspace's rows of `table` after `after` in id order, `limit` at a time: what
/// [`copy_batches!`] reads. `columns` are the row type's, in its order.
pub(crate) async fn rows_after<T>(
    conn: &mut Conn<'_>,
    table: &str,
    columns: &str,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let sql = format!(
        "SELECT {columns} FROM {table} WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// A future a table's copy returns: the rows it copied.
pub type CopyFuture<'a> = Pin<Box<dyn Future<Output = DbResult<usize>> + Send + 'a>>;

/// Copies one workspace's rows of a table from a source connection to a target one.
pub type CopyFn = for<'a, 'b, 'c> fn(&'a mut Conn<'b>, &'a mut Conn<'c>, Uuid) -> CopyFuture<'a>;

/// How `bilan db copy` moves a table's rows.
#[derive(Clone, Copy)]
pub enum Copied {
    /// By this function, in batches.
    Rows(CopyFn),
    /// Together with the rows of the named table (tags with their accounts).
    WithParent(&'static str),
    /// Not copied, for the reason given.
    Skipped(&'static str),
}

/// A table whose rows belong to a workspace.
#[derive(Clone, Copy)]
pub struct WorkspaceTable {
    /// Table name.
    pub name: &'static str,
    /// How its rows are copied.
    pub copied: Copied,
    /// Columns that identify a person (names, e-mail addresses, phone numbers, free text about them).
    pub personal: &'static [&'static str],
}

const fn table(name: &'static str, copied: Copied, personal: &'static [&'static str]) -> WorkspaceTable {
    WorkspaceTable { name, copied, personal }
}

/// Every workspace table, parents before children (the order rows are inserted in).
pub const WORKSPACE_TABLES: &[WorkspaceTable] = &[
    table("users", Copied::Rows(crate::users::copy), &["email", "display_name"]),
    table(
        "user_invitations",
        Copied::Skipped("single-use links sent by e-mail: invite again from the target"),
        &[],
    ),
    table("api_tokens", Copied::Rows(crate::tokens::copy), &[]),
    table(
        "sessions",
        Copied::Skipped("people sign in again on the new database"),
        &["ip", "user_agent"],
    ),
    table("accounts", Copied::Rows(crate::accounts::copy), &[]),
    table("account_tags", Copied::WithParent("accounts"), &[]),
    table("sites", Copied::Rows(crate::sites::copy), &[]),
    table(
        "contacts",
        Copied::Rows(crate::contacts::copy),
        &[
            "first_name",
            "last_name",
            "sort_name",
            "email",
            "phone",
            "job_title",
            "search_text",
        ],
    ),
    table(
        "interactions",
        Copied::Rows(crate::timeline::copy),
        &["subject", "summary"],
    ),
    table("interaction_contacts", Copied::WithParent("interactions"), &[]),
    table("surveys", Copied::Rows(crate::surveys::copy_surveys), &[]),
    table("survey_rules", Copied::Rows(crate::surveys::copy_rules), &[]),
    table("events", Copied::Rows(crate::events::copy), &[]),
    table(
        "survey_invitations",
        Copied::Rows(crate::surveys::copy_invitations),
        &[],
    ),
    table(
        "survey_answers",
        Copied::Rows(crate::surveys::copy_answers),
        &["comment"],
    ),
    table(
        "factors",
        Copied::Rows(crate::invoices::copy_factors),
        &["email", "phone"],
    ),
    table("invoices", Copied::Rows(crate::invoices::copy_invoices), &[]),
    table("credit_notes", Copied::Rows(crate::invoices::copy_credit_notes), &[]),
    table("payments", Copied::Rows(crate::invoices::copy_payments), &[]),
    table(
        "payment_allocations",
        Copied::Rows(crate::invoices::copy_allocations),
        &[],
    ),
    table("reference_rates", Copied::Rows(crate::invoices::copy_rates), &[]),
    table("invoice_settings", Copied::Rows(crate::invoices::copy_settings), &[]),
    table("reminder_plans", Copied::Rows(crate::invoices::copy_plans), &[]),
    table("invoice_reminders", Copied::Rows(crate::invoices::copy_reminders), &[]),
    table("portal_links", Copied::Rows(crate::invoices::copy_portal_links), &[]),
    table(
        "complaint_settings",
        Copied::Rows(crate::complaints::copy_settings),
        &["mediator"],
    ),
    table("complaint_letters", Copied::Rows(crate::complaints::copy_letters), &[]),
    table(
        "complaints",
        Copied::Rows(crate::complaints::copy_complaints),
        &["summary", "concerns"],
    ),
    table(
        "complaint_steps",
        Copied::Rows(crate::complaints::copy_steps),
        &["reason"],
    ),
    table("complaint_alerts", Copied::Rows(crate::complaints::copy_alerts), &[]),
    table(
        "programme_settings",
        Copied::Rows(crate::key_accounts::copy_settings),
        &[],
    ),
    table("account_ratings", Copied::Rows(crate::key_accounts::copy_ratings), &[]),
    table(
        "key_accounts",
        Copied::Rows(crate::key_accounts::copy_key_accounts),
        &["notes"],
    ),
    table("objectives", Copied::Rows(crate::key_accounts::copy_objectives), &[]),
    table(
        "stakeholders",
        Copied::Rows(crate::key_accounts::copy_stakeholders),
        &["notes"],
    ),
    table("plan_risks", Copied::Rows(crate::key_accounts::copy_risks), &[]),
    table("plan_items", Copied::Rows(crate::key_accounts::copy_items), &[]),
    table(
        "plan_financials",
        Copied::Rows(crate::key_accounts::copy_financials),
        &[],
    ),
    table("usage_figures", Copied::Rows(crate::key_accounts::copy_usage), &[]),
    table("health_scores", Copied::Rows(crate::health::copy_scores), &[]),
    table("health_history", Copied::Rows(crate::health::copy_history), &[]),
    table(
        "health_dirty",
        Copied::Skipped("the target recomputes every account's health on its first night"),
        &[],
    ),
    table("health_alerts", Copied::Rows(crate::health::copy_alerts), &[]),
    table(
        "reviews",
        Copied::Rows(crate::reviews::copy_reviews),
        &["notes", "round_table_json", "draft_json"],
    ),
    table(
        "review_attendees",
        Copied::Rows(crate::reviews::copy_attendees),
        &["name", "email"],
    ),
    table(
        "review_actions",
        Copied::Rows(crate::reviews::copy_actions),
        &["owner_name"],
    ),
    table(
        "review_action_reminders",
        Copied::Rows(crate::reviews::copy_reminders),
        &[],
    ),
    table(
        "review_documents",
        Copied::Rows(crate::reviews::copy_documents),
        &["content"],
    ),
    table("review_settings", Copied::Rows(crate::reviews::copy_settings), &[]),
    table(
        "outbox",
        Copied::Skipped("messages still pending are sent by the source"),
        &["to_address", "to_name", "body_text", "body_html"],
    ),
    table(
        "outbox_attachments",
        Copied::Skipped("they go with their messages, which the source sends"),
        &["content"],
    ),
    table("jobs", Copied::Skipped("the source's workers finish its jobs"), &[]),
    table(
        "audit_log",
        Copied::Rows(crate::audit::copy),
        &["before_json", "after_json"],
    ),
];

/// Tables that belong to no workspace: the workspaces themselves, and login
/// throttling (looked up before anyone is known).
pub const INSTALLATION_TABLES: &[&str] = &["workspaces", "login_failures"];

/// The registered table named `name`.
pub fn find(name: &str) -> Option<&'static WorkspaceTable> {
    WORKSPACE_TABLES.iter().find(|t| t.name == name)
}

/// How many rows of a registered table belong to `workspace`.
pub async fn count_rows(conn: &mut Conn<'_>, name: &str, workspace: Uuid) -> DbResult<i64> {
    let t = find(name).ok_or_else(|| DbError::Corrupt(format!("{name} is not a registered workspace table")))?;
    let sql = format!("SELECT COUNT(*) FROM {} WHERE workspace_id = $1", t.name);
    Ok(with_conn!(conn, |c| sqlx::query_scalar::<_, i64>(&sql)
        .bind(workspace)
        .fetch_one(&mut **c)
        .await)?)
}

/// Deletes every row of a workspace, children first, then the workspace itself.
/// Children go first because SQLite checks foreign keys per deleted parent,
/// which is only cheap once the child tables hold no matching rows.
pub async fn delete_workspace(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<()> {
    for t in WORKSPACE_TABLES.iter().rev() {
        let sql = format!("DELETE FROM {} WHERE workspace_id = $1", t.name);
        with_conn!(&mut *conn, |c| sqlx::query(&sql)
            .bind(workspace)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    with_conn!(conn, |c| sqlx::query("DELETE FROM workspaces WHERE id = $1")
        .bind(workspace)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The application's tables as the database lists them (full-text indexes and
/// the migrations' bookkeeping left out).
pub async fn schema_tables(conn: &mut Conn<'_>) -> DbResult<Vec<String>> {
    let mut tables: Vec<String> = crate::schema_columns(conn)
        .await?
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| !t.contains("_fts"))
        .collect();
    tables.sort();
    tables.dedup();
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_the_tables_copied_with_them() {
        for (i, t) in WORKSPACE_TABLES.iter().enumerate() {
            if let Copied::WithParent(parent) = t.copied {
                let p = WORKSPACE_TABLES.iter().position(|x| x.name == parent);
                assert!(
                    p.is_some_and(|p| p < i),
                    "{} is copied with {parent}, listed after it",
                    t.name
                );
            }
        }
        let mut names: Vec<&str> = WORKSPACE_TABLES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "a table is registered twice");
    }
}
