//! Contacts: storage and keyset-paginated listing.

use crate::accounts::UpdateOutcome;
use crate::{bind_args, dialect, with_conn, Arg, Conn, DbError, DbResult, SqlBuilder};
use bilan_domain::contacts::{BuyingRole, Contact, Language, NewContact};
use bilan_domain::pagination::Cursor;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A contact row as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ContactRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: String,
    /// Normalised "last first" for sorting.
    pub sort_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Role codes, comma-separated.
    pub roles: String,
    /// Site.
    pub site_id: Option<Uuid>,
    /// Language code.
    pub language: String,
    /// Consent to surveys.
    pub survey_consent: bool,
    /// Left on.
    pub left_on: Option<NaiveDate>,
    /// External reference.
    pub external_ref: Option<String>,
    /// Normalised search text.
    pub search_text: String,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

/// Column list shared by every contact query.
pub const COLUMNS: &str = "c.id, c.workspace_id, c.account_id, c.first_name, c.last_name, c.sort_name, c.email, \
    c.phone, c.job_title, c.roles, c.site_id, c.language, c.survey_consent, c.left_on, c.external_ref, \
    c.search_text, c.version, c.created_at, c.updated_at";

const INSERT_COLUMNS: &str = "id, workspace_id, account_id, first_name, last_name, sort_name, email, phone, \
    job_title, roles, site_id, language, survey_consent, left_on, external_ref, search_text, version, created_at, updated_at";

impl ContactRow {
    /// Converts to the domain type.
    pub fn into_contact(self) -> DbResult<Contact> {
        let roles = BuyingRole::parse_list(&self.roles)
            .map_err(|_| DbError::Corrupt(format!("contacts.roles of {}", self.id)))?;
        let language = Language::parse(&self.language)
            .ok_or_else(|| DbError::Corrupt(format!("contacts.language of {}", self.id)))?;
        Ok(Contact {
            id: self.id,
            workspace_id: self.workspace_id,
            account_id: self.account_id,
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            job_title: self.job_title,
            roles,
            site_id: self.site_id,
            language,
            survey_consent: self.survey_consent,
            left_on: self.left_on,
            external_ref: self.external_ref,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    /// Builds the row for a validated contact of `account`.
    pub fn from_new(id: Uuid, workspace: Uuid, account: Uuid, c: &NewContact, now: DateTime<Utc>) -> ContactRow {
        let sort = match &c.first_name {
            Some(f) => format!("{} {}", c.last_name, f),
            None => c.last_name.clone(),
        };
        ContactRow {
            id,
            workspace_id: workspace,
            account_id: account,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            sort_name: bilan_domain::search::normalize(&sort),
            email: c.email.clone(),
            phone: c.phone.clone(),
            job_title: c.job_title.clone(),
            roles: BuyingRole::join(&c.roles),
            site_id: c.site_id,
            language: c.language.code().to_owned(),
            survey_consent: c.survey_consent,
            left_on: c.left_on,
            external_ref: c.external_ref.clone(),
            search_text: c.search_text(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A row's values in the order of `INSERT_COLUMNS`.
fn row_args(r: &ContactRow) -> Vec<Arg> {
    vec![
        Arg::Uuid(r.id),
        Arg::Uuid(r.workspace_id),
        Arg::Uuid(r.account_id),
        Arg::OptText(r.first_name.clone()),
        Arg::Text(r.last_name.clone()),
        Arg::Text(r.sort_name.clone()),
        Arg::OptText(r.email.clone()),
        Arg::OptText(r.phone.clone()),
        Arg::OptText(r.job_title.clone()),
        Arg::Text(r.roles.clone()),
        Arg::OptUuid(r.site_id),
        Arg::Text(r.language.clone()),
        Arg::Bool(r.survey_consent),
        Arg::OptDate(r.left_on),
        Arg::OptText(r.external_ref.clone()),
        Arg::Text(r.search_text.clone()),
        Arg::I64(r.version),
        Arg::Instant(r.created_at),
        Arg::Instant(r.updated_at),
    ]
}

/// Inserts many rows in bulk.
pub async fn insert_rows(conn: &mut Conn<'_>, rows: &[ContactRow]) -> DbResult<()> {
    let mark = dialect::search_mark(conn, "contacts").await?;
    crate::bulk::insert_values(conn, "contacts", INSERT_COLUMNS, rows, row_args).await?;
    dialect::index_new_rows(conn, "contacts", mark).await?;
    dialect::refresh_statistics(conn, "contacts", rows.len()).await?;
    Ok(())
}

/// Inserts one contact and returns it.
pub async fn insert(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    account: Uuid,
    c: &NewContact,
    now: DateTime<Utc>,
) -> DbResult<Contact> {
    let row = ContactRow::from_new(id, workspace, account, c, now);
    insert_rows(conn, std::slice::from_ref(&row)).await?;
    row.into_contact()
}

/// Finds a contact of a workspace.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Contact>> {
    let sql = format!("SELECT {COLUMNS} FROM contacts c WHERE c.workspace_id = $1 AND c.id = $2");
    let row: Option<ContactRow> = with_conn!(conn, |cn| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **cn)
        .await)?;
    row.map(ContactRow::into_contact).transpose()
}

/// An account's buying centre: its current contacts holding a role, and those
/// placed on its stakeholder map; the placed first, then by name, at most `limit`.
pub async fn buying_centre(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid, limit: i64) -> DbResult<Vec<Contact>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM contacts c \
         LEFT JOIN stakeholders s ON s.workspace_id = c.workspace_id AND s.contact_id = c.id \
         WHERE c.workspace_id = $1 AND c.account_id = $2 AND c.left_on IS NULL \
         AND (c.roles <> '' OR s.id IS NOT NULL) \
         ORDER BY CASE WHEN s.id IS NULL THEN 1 ELSE 0 END, c.sort_name, c.id LIMIT $3"
    );
    let rows: Vec<ContactRow> = with_conn!(conn, |cn| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(account)
        .bind(limit)
        .fetch_all(&mut **cn)
        .await)?;
    rows.into_iter().map(ContactRow::into_contact).collect()
}

/// How many people an account's buying centre holds (see [`buying_centre`]).
pub async fn buying_centre_size(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<i64> {
    Ok(with_conn!(conn, |cn| sqlx::query_scalar(
        "SELECT COUNT(*) FROM contacts c \
         LEFT JOIN stakeholders s ON s.workspace_id = c.workspace_id AND s.contact_id = c.id \
         WHERE c.workspace_id = $1 AND c.account_id = $2 AND c.left_on IS NULL \
         AND (c.roles <> '' OR s.id IS NOT NULL)"
    )
    .bind(workspace)
    .bind(account)
    .fetch_one(&mut **cn)
    .await)?)
}

/// Finds a contact by import key: external reference, then e-mail within the account.
pub async fn find_by_import_key(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    external_ref: Option<&str>,
    account: Uuid,
    email: Option<&str>,
) -> DbResult<Option<Contact>> {
    let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM contacts c WHERE c.workspace_id = "));
    b.bind(Arg::Uuid(workspace));
    match (external_ref, email) {
        (Some(r), _) => {
            b.push(" AND c.external_ref = ").bind(Arg::Text(r.to_owned()));
        }
        (None, Some(m)) => {
            b.push(" AND c.account_id = ").bind(Arg::Uuid(account));
            b.push(" AND c.email = ").bind(Arg::Text(m.to_owned()));
        }
        (None, None) => return Ok(None),
    }
    b.push(" ORDER BY c.id LIMIT 1");
    let (sql, args) = (b.sql, b.args);
    let row: Option<ContactRow> = with_conn!(conn, |cn| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_optional(&mut **cn)
        .await)?;
    row.map(ContactRow::into_contact).transpose()
}

/// Replaces a contact's fields if its version is still `expected_version`.
pub async fn update(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    expected_version: i64,
    account: Uuid,
    c: &NewContact,
    now: DateTime<Utc>,
) -> DbResult<UpdateOutcome<Contact>> {
    let r = ContactRow::from_new(id, workspace, account, c, now);
    let n = with_conn!(conn, |cn| {
        sqlx::query(
        "UPDATE contacts SET account_id = $3, first_name = $4, last_name = $5, sort_name = $6, email = $7, phone = $8, \
         job_title = $9, roles = $10, site_id = $11, language = $12, survey_consent = $13, left_on = $14, \
         external_ref = $15, search_text = $16, version = version + 1, updated_at = $17 \
         WHERE workspace_id = $1 AND id = $2 AND version = $18"
    )
    .bind(workspace)
    .bind(id)
    .bind(r.account_id)
    .bind(&r.first_name)
    .bind(&r.last_name)
    .bind(&r.sort_name)
    .bind(&r.email)
    .bind(&r.phone)
    .bind(&r.job_title)
    .bind(&r.roles)
    .bind(r.site_id)
    .bind(&r.language)
    .bind(r.survey_consent)
    .bind(r.left_on)
    .bind(&r.external_ref)
    .bind(&r.search_text)
    .bind(now)
    .bind(expected_version)
    .execute(&mut **cn)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        let v = crate::accounts::current_version(conn, "contacts", workspace, id).await?;
        return Ok(match v {
            Some(v) => UpdateOutcome::Stale(v),
            None => UpdateOutcome::NotFound,
        });
    }
    Ok(match find(conn, workspace, id).await? {
        Some(c) => UpdateOutcome::Updated(c),
        None => UpdateOutcome::NotFound,
    })
}

/// Deletes a contact.
pub async fn delete(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM contacts WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Filters of the contact list.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Search words (normalised).
    pub terms: Vec<String>,
    /// Only this account's contacts.
    pub account_id: Option<Uuid>,
    /// Only contacts holding this role.
    pub role: Option<BuyingRole>,
    /// Include people who left the company.
    pub include_left: bool,
}

/// One page of contacts.
#[derive(Debug)]
pub struct ContactPage {
    /// The contacts.
    pub items: Vec<Contact>,
    /// Cursor of the next page.
    pub next: Option<Cursor>,
}

/// `select` from the contacts matching `filter` (the FROM and WHERE of the list and its count).
async fn filtered(conn: &mut Conn<'_>, workspace: Uuid, filter: &ContactFilter, select: &str) -> DbResult<SqlBuilder> {
    let from_matches =
        !filter.terms.is_empty() && dialect::search_from_matches(conn, "contacts", &filter.terms).await?;
    let mut b = SqlBuilder::new(select);
    if from_matches {
        dialect::push_from_matches(&mut b, "contacts", "c", &filter.terms);
    } else {
        b.push("contacts c");
    }
    b.push(" WHERE c.workspace_id = ").bind(Arg::Uuid(workspace));
    if let Some(a) = filter.account_id {
        b.push(" AND c.account_id = ").bind(Arg::Uuid(a));
    }
    if !filter.terms.is_empty() && !from_matches {
        b.push(" AND ");
        dialect::push_text_match(&mut b, conn.engine(), "contacts", "c", &filter.terms);
    }
    if let Some(r) = filter.role {
        b.push(" AND (',' || c.roles || ',') LIKE ")
            .bind(Arg::Text(format!("%,{},%", r.code())));
    }
    if !filter.include_left {
        b.push(" AND c.left_on IS NULL");
    }
    Ok(b)
}

/// Withdraws a contact's consent to surveys; false when it was already withdrawn.
pub async fn withdraw_survey_consent(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE contacts SET survey_consent = $3, version = version + 1, updated_at = $4 \
         WHERE workspace_id = $1 AND id = $2 AND survey_consent = $5"
    )
    .bind(workspace)
    .bind(id)
    .bind(false)
    .bind(now)
    .bind(true)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many contacts match `filter`.
pub async fn count(conn: &mut Conn<'_>, workspace: Uuid, filter: &ContactFilter) -> DbResult<i64> {
    let b = filtered(conn, workspace, filter, "SELECT COUNT(*) FROM ").await?;
    let (sql, args) = (b.sql, b.args);
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&sql), &args)
        .fetch_one(&mut **c)
        .await)?)
}

/// Lists contacts by name with filters, keyset-paginated.
pub async fn list(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    filter: &ContactFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> DbResult<ContactPage> {
    let mut b = filtered(conn, workspace, filter, &format!("SELECT {COLUMNS} FROM ")).await?;
    if let Some(cur) = after {
        if let Ok(id) = Uuid::parse_str(&cur.id) {
            b.push(" AND (c.sort_name, c.id) > (").bind(Arg::Text(cur.key.clone()));
            b.push(", ").bind(Arg::Uuid(id)).push(")");
        }
    }
    b.push(" ORDER BY c.sort_name, c.id LIMIT ")
        .bind(Arg::I64(i64::from(limit) + 1));
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<ContactRow> = with_conn!(conn, |cn| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **cn)
        .await)?;
    let mut next = None;
    let mut rows = rows;
    if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        next = rows.last().map(|r| Cursor {
            key: r.sort_name.clone(),
            id: r.id.to_string(),
        });
    }
    let items = rows
        .into_iter()
        .map(ContactRow::into_contact)
        .collect::<DbResult<Vec<_>>>()?;
    Ok(ContactPage { items, next })
}

/// Every contact row of a workspace in id order, a batch at a time.
pub async fn rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<ContactRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM contacts c WHERE c.workspace_id = $1 AND ($2 IS NULL OR c.id > $2) ORDER BY c.id LIMIT $3"
    );
    Ok(with_conn!(conn, |cn| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **cn)
        .await)?)
}

/// `bilan db copy`: this table's rows of a workspace (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, rows_after, insert_rows) })
}
