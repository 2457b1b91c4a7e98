//! Accounts: storage, filters and keyset-paginated listing.

use crate::{bind_args, dialect, with_conn, Arg, Conn, DbError, DbResult, SqlBuilder};
use bilan_domain::accounts::{Account, AccountStatus, CompanySize, NewAccount};
use bilan_domain::money::{Currency, Money};
use bilan_domain::pagination::Cursor;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// An account row as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AccountRow {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Name.
    pub name: String,
    /// Normalised name for sorting.
    pub sort_name: String,
    /// Legal name.
    pub legal_name: Option<String>,
    /// SIREN.
    pub siren: Option<String>,
    /// SIRET.
    pub siret: Option<String>,
    /// VAT number.
    pub vat_number: Option<String>,
    /// Sector.
    pub sector: Option<String>,
    /// Size code.
    pub size: Option<String>,
    /// Country code.
    pub country: String,
    /// Address.
    pub address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Status code.
    pub status: String,
    /// Lost on.
    pub lost_on: Option<NaiveDate>,
    /// Lost reason.
    pub lost_reason: Option<String>,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Sponsor.
    pub sponsor_id: Option<Uuid>,
    /// Contract start.
    pub contract_start: Option<NaiveDate>,
    /// Renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Annual value in minor units.
    pub annual_value_minor: i64,
    /// Currency code.
    pub currency: String,
    /// Tags, comma-separated.
    pub tags: String,
    /// Web domain.
    pub website: Option<String>,
    /// Switchboard phone.
    pub phone: Option<String>,
    /// The client's own revenue, in minor units of `currency`.
    pub revenue_minor: Option<i64>,
    /// Head count.
    pub headcount: Option<i64>,
    /// Notice period, days.
    pub notice_days: Option<i32>,
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

/// Column list shared by every account query.
pub const COLUMNS: &str = "a.id, a.workspace_id, a.name, a.sort_name, a.legal_name, a.siren, a.siret, a.vat_number, \
    a.sector, a.size, a.country, a.address, a.postal_code, a.city, a.status, a.lost_on, a.lost_reason, a.owner_id, \
    a.sponsor_id, a.contract_start, a.renewal_date, a.annual_value_minor, a.currency, a.tags, a.external_ref, \
    a.website, a.phone, a.revenue_minor, a.headcount, a.notice_days, a.search_text, a.version, a.created_at, a.updated_at";

impl AccountRow {
    /// Converts to the domain type, refusing values the code never writes.
    pub fn into_account(self) -> DbResult<Account> {
        let corrupt = |what: &str| DbError::Corrupt(format!("accounts.{what} of {}", self.id));
        let status = AccountStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?;
        let size = match &self.size {
            None => None,
            Some(s) => Some(CompanySize::parse(s).ok_or_else(|| corrupt("size"))?),
        };
        let currency = Currency::parse(&self.currency).ok_or_else(|| corrupt("currency"))?;
        Ok(Account {
            id: self.id,
            workspace_id: self.workspace_id,
            name: self.name,
            legal_name: self.legal_name,
            siren: self.siren,
            siret: self.siret,
            vat_number: self.vat_number,
            sector: self.sector,
            size,
            country: self.country,
            address: self.address,
            postal_code: self.postal_code,
            city: self.city,
            status,
            lost_on: self.lost_on,
            lost_reason: self.lost_reason,
            owner_id: self.owner_id,
            sponsor_id: self.sponsor_id,
            contract_start: self.contract_start,
            renewal_date: self.renewal_date,
            notice_days: self.notice_days.and_then(|n| u32::try_from(n).ok()),
            annual_value: Money {
                minor: self.annual_value_minor,
                currency,
            },
            tags: self
                .tags
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            external_ref: self.external_ref,
            website: self.website,
            phone: self.phone,
            revenue: self.revenue_minor.map(|minor| Money { minor, currency }),
            headcount: self.headcount,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    /// Builds the row for a validated account.
    pub fn from_new(id: Uuid, workspace: Uuid, a: &NewAccount, now: DateTime<Utc>) -> AccountRow {
        AccountRow {
            id,
            workspace_id: workspace,
            name: a.name.clone(),
            sort_name: bilan_domain::search::normalize(&a.name),
            legal_name: a.legal_name.clone(),
            siren: a.siren.clone(),
            siret: a.siret.clone(),
            vat_number: a.vat_number.clone(),
            sector: a.sector.clone(),
            size: a.size.map(|s| s.code().to_owned()),
            country: a.country.clone(),
            address: a.address.clone(),
            postal_code: a.postal_code.clone(),
            city: a.city.clone(),
            status: a.status.code().to_owned(),
            lost_on: a.lost_on,
            lost_reason: a.lost_reason.clone(),
            owner_id: a.owner_id,
            sponsor_id: a.sponsor_id,
            contract_start: a.contract_start,
            renewal_date: a.renewal_date,
            annual_value_minor: a.annual_value.minor,
            currency: a.annual_value.currency.as_str().to_owned(),
            tags: a.tags.join(","),
            external_ref: a.external_ref.clone(),
            website: a.website.clone(),
            phone: a.phone.clone(),
            revenue_minor: a.revenue.map(|m| m.minor),
            headcount: a.headcount,
            notice_days: a.notice_days.and_then(|n| i32::try_from(n).ok()),
            search_text: a.search_text(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

const INSERT_COLUMNS: &str = "id, workspace_id, name, sort_name, legal_name, siren, siret, vat_number, sector, size, \
    country, address, postal_code, city, status, lost_on, lost_reason, owner_id, sponsor_id, contract_start, \
    renewal_date, annual_value_minor, currency, tags, external_ref, website, phone, revenue_minor, headcount, \
    notice_days, search_text, version, created_at, updated_at";

fn row_args(r: &AccountRow) -> Vec<Arg> {
    vec![
        Arg::Uuid(r.id),
        Arg::Uuid(r.workspace_id),
        Arg::Text(r.name.clone()),
        Arg::Text(r.sort_name.clone()),
        Arg::OptText(r.legal_name.clone()),
        Arg::OptText(r.siren.clone()),
        Arg::OptText(r.siret.clone()),
        Arg::OptText(r.vat_number.clone()),
        Arg::OptText(r.sector.clone()),
        Arg::OptText(r.size.clone()),
        Arg::Text(r.country.clone()),
        Arg::OptText(r.address.clone()),
        Arg::OptText(r.postal_code.clone()),
        Arg::OptText(r.city.clone()),
        Arg::Text(r.status.clone()),
        Arg::OptDate(r.lost_on),
        Arg::OptText(r.lost_reason.clone()),
        Arg::OptUuid(r.owner_id),
        Arg::OptUuid(r.sponsor_id),
        Arg::OptDate(r.contract_start),
        Arg::OptDate(r.renewal_date),
        Arg::I64(r.annual_value_minor),
        Arg::Text(r.currency.clone()),
        Arg::Text(r.tags.clone()),
        Arg::OptText(r.external_ref.clone()),
        Arg::OptText(r.website.clone()),
        Arg::OptText(r.phone.clone()),
        Arg::OptI64(r.revenue_minor),
        Arg::OptI64(r.headcount),
        Arg::OptI32(r.notice_days),
        Arg::Text(r.search_text.clone()),
        Arg::I64(r.version),
        Arg::Instant(r.created_at),
        Arg::Instant(r.updated_at),
    ]
}

/// Inserts many rows (tags included) in bulk, for imports and demo data.
pub async fn insert_rows(conn: &mut Conn<'_>, rows: &[AccountRow]) -> DbResult<()> {
    let mark = dialect::search_mark(conn, "accounts").await?;
    crate::bulk::insert_values(conn, "accounts", INSERT_COLUMNS, rows, row_args).await?;
    let tags: Vec<(Uuid, Uuid, String)> = rows
        .iter()
        .flat_map(|r| {
            r.tags
                .split(',')
                .filter(|t| !t.is_empty())
                .map(move |t| (r.workspace_id, r.id, t.to_owned()))
        })
        .collect();
    insert_tags(conn, &tags).await?;
    dialect::index_new_rows(conn, "accounts", mark).await?;
    dialect::refresh_statistics(conn, "accounts", rows.len()).await?;
    Ok(())
}

async fn insert_tags(conn: &mut Conn<'_>, tags: &[(Uuid, Uuid, String)]) -> DbResult<()> {
    for chunk in tags.chunks(300) {
        let mut b = SqlBuilder::bulk(
            "INSERT INTO account_tags (workspace_id, account_id, tag) VALUES ",
            conn.engine(),
        );
        for (i, (w, a, t)) in chunk.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.push("(")
                .bind(Arg::Uuid(*w))
                .push(", ")
                .bind(Arg::Uuid(*a))
                .push(", ");
            b.bind(Arg::Text(t.clone())).push(")");
        }
        b.push(" ON CONFLICT DO NOTHING");
        let (sql, args) = (b.sql, b.args);
        with_conn!(conn, |c| bind_args!(sqlx::query(&sql), &args)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Inserts one new account and returns it as stored.
pub async fn insert(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    a: &NewAccount,
    now: DateTime<Utc>,
) -> DbResult<Account> {
    let row = AccountRow::from_new(id, workspace, a, now);
    insert_rows(conn, std::slice::from_ref(&row)).await?;
    row.into_account()
}

/// Finds an account of a workspace.
pub async fn find(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM accounts a WHERE a.workspace_id = $1 AND a.id = $2");
    let row: Option<AccountRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?;
    row.map(AccountRow::into_account).transpose()
}

/// Finds an account by an import key: external reference, then SIREN.
pub async fn find_by_import_key(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    external_ref: Option<&str>,
    siren: Option<&str>,
) -> DbResult<Option<Account>> {
    if let Some(r) = external_ref {
        let sql = format!("SELECT {COLUMNS} FROM accounts a WHERE a.workspace_id = $1 AND a.external_ref = $2");
        let row: Option<AccountRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
            .bind(workspace)
            .bind(r)
            .fetch_optional(&mut **c)
            .await)?;
        if let Some(row) = row {
            return row.into_account().map(Some);
        }
    }
    if let Some(s) = siren {
        let sql = format!(
            "SELECT {COLUMNS} FROM accounts a WHERE a.workspace_id = $1 AND a.siren = $2 ORDER BY a.id LIMIT 1"
        );
        let row: Option<AccountRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
            .bind(workspace)
            .bind(s)
            .fetch_optional(&mut **c)
            .await)?;
        return row.map(AccountRow::into_account).transpose();
    }
    Ok(None)
}

/// Finds an account id by exact name (import of contacts naming their company).
pub async fn find_id_by_name(conn: &mut Conn<'_>, workspace: Uuid, name: &str) -> DbResult<Option<Uuid>> {
    let sort = bilan_domain::search::normalize(name);
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM accounts WHERE workspace_id = $1 AND sort_name = $2 ORDER BY id LIMIT 1"
    )
    .bind(workspace)
    .bind(sort)
    .fetch_optional(&mut **c)
    .await)?)
}

/// What an optimistic update came to.
#[derive(Debug)]
pub enum UpdateOutcome<T> {
    /// Written; the new state.
    Updated(T),
    /// Someone else changed it first; the version now stored.
    Stale(i64),
    /// No such row in this workspace.
    NotFound,
}

/// Replaces an account's fields if its version is still `expected_version`.
pub async fn update(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    id: Uuid,
    expected_version: i64,
    a: &NewAccount,
    now: DateTime<Utc>,
) -> DbResult<UpdateOutcome<Account>> {
    let r = AccountRow::from_new(id, workspace, a, now);
    let n = with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE accounts SET name = $3, sort_name = $4, legal_name = $5, siren = $6, siret = $7, vat_number = $8, \
         sector = $9, size = $10, country = $11, address = $12, postal_code = $13, city = $14, status = $15, \
         lost_on = $16, lost_reason = $17, owner_id = $18, sponsor_id = $19, contract_start = $20, renewal_date = $21, \
         annual_value_minor = $22, currency = $23, tags = $24, external_ref = $25, search_text = $26, \
         version = version + 1, updated_at = $27, website = $29, phone = $30, revenue_minor = $31, headcount = $32, notice_days = $33 \
         WHERE workspace_id = $1 AND id = $2 AND version = $28"
    )
    .bind(workspace)
    .bind(id)
    .bind(&r.name)
    .bind(&r.sort_name)
    .bind(&r.legal_name)
    .bind(&r.siren)
    .bind(&r.siret)
    .bind(&r.vat_number)
    .bind(&r.sector)
    .bind(&r.size)
    .bind(&r.country)
    .bind(&r.address)
    .bind(&r.postal_code)
    .bind(&r.city)
    .bind(&r.status)
    .bind(r.lost_on)
    .bind(&r.lost_reason)
    .bind(r.owner_id)
    .bind(r.sponsor_id)
    .bind(r.contract_start)
    .bind(r.renewal_date)
    .bind(r.annual_value_minor)
    .bind(&r.currency)
    .bind(&r.tags)
    .bind(&r.external_ref)
    .bind(&r.search_text)
    .bind(now)
    .bind(expected_version)
    .bind(&r.website)
    .bind(&r.phone)
    .bind(r.revenue_minor)
    .bind(r.headcount)
    .bind(r.notice_days)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(match current_version(conn, "accounts", workspace, id).await? {
            Some(v) => UpdateOutcome::Stale(v),
            None => UpdateOutcome::NotFound,
        });
    }
    with_conn!(conn, |c| sqlx::query(
        "DELETE FROM account_tags WHERE workspace_id = $1 AND account_id = $2"
    )
    .bind(workspace)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    let tags: Vec<_> = a.tags.iter().map(|t| (workspace, id, t.clone())).collect();
    insert_tags(conn, &tags).await?;
    match find(conn, workspace, id).await? {
        Some(acc) => Ok(UpdateOutcome::Updated(acc)),
        None => Ok(UpdateOutcome::NotFound),
    }
}

/// The version now stored of a versioned row (`accounts` or `contacts`), to tell
/// a stale update from a missing row.
pub(crate) async fn current_version(
    conn: &mut Conn<'_>,
    table: &'static str,
    workspace: Uuid,
    id: Uuid,
) -> DbResult<Option<i64>> {
    let sql = format!("SELECT version FROM {table} WHERE workspace_id = $1 AND id = $2");
    Ok(with_conn!(conn, |c| sqlx::query_scalar(&sql)
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Deletes an account (its sites, contacts and tags go with it).
pub async fn delete(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM accounts WHERE workspace_id = $1 AND id = $2"
    )
    .bind(workspace)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The orders the account list offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountSort {
    /// By name, A to Z.
    #[default]
    Name,
    /// By name, Z to A.
    NameDesc,
    /// Largest annual value first.
    ValueDesc,
    /// Smallest annual value first.
    Value,
    /// Most recently updated first.
    UpdatedDesc,
}

impl AccountSort {
    /// Parses the `sort` parameter.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "name" => Some(Self::Name),
            "-name" => Some(Self::NameDesc),
            "-value" => Some(Self::ValueDesc),
            "value" => Some(Self::Value),
            "-updated" => Some(Self::UpdatedDesc),
            _ => None,
        }
    }

    /// The parameter value.
    pub fn code(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NameDesc => "-name",
            Self::ValueDesc => "-value",
            Self::Value => "value",
            Self::UpdatedDesc => "-updated",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::Name | Self::NameDesc => "a.sort_name",
            Self::ValueDesc | Self::Value => "a.annual_value_minor",
            Self::UpdatedDesc => "a.updated_at",
        }
    }

    fn descending(self) -> bool {
        matches!(self, Self::NameDesc | Self::ValueDesc | Self::UpdatedDesc)
    }

    fn key_of(self, a: &Account) -> String {
        match self {
            Self::Name | Self::NameDesc => bilan_domain::search::normalize(&a.name),
            Self::ValueDesc | Self::Value => a.annual_value.minor.to_string(),
            Self::UpdatedDesc => a.updated_at.to_rfc3339(),
        }
    }

    fn key_arg(self, key: &str) -> Option<Arg> {
        match self {
            Self::Name | Self::NameDesc => Some(Arg::Text(key.to_owned())),
            Self::ValueDesc | Self::Value => key.parse().ok().map(Arg::I64),
            Self::UpdatedDesc => DateTime::parse_from_rfc3339(key)
                .ok()
                .map(|d| Arg::Instant(d.with_timezone(&Utc))),
        }
    }
}

/// Filters of the account list; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Search words (already normalised).
    pub terms: Vec<String>,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Status.
    pub status: Option<AccountStatus>,
    /// Sector, exact.
    pub sector: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Tag.
    pub tag: Option<String>,
}

/// One page of accounts and the cursor of the next page.
#[derive(Debug)]
pub struct AccountPage {
    /// The accounts.
    pub items: Vec<Account>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// `select` from the accounts matching `filter` (the FROM and WHERE of the list and its count).
async fn filtered(conn: &mut Conn<'_>, workspace: Uuid, filter: &AccountFilter, select: &str) -> DbResult<SqlBuilder> {
    let from_matches =
        !filter.terms.is_empty() && dialect::search_from_matches(conn, "accounts", &filter.terms).await?;
    let mut b = SqlBuilder::new(select);
    if from_matches {
        dialect::push_from_matches(&mut b, "accounts", "a", &filter.terms);
    } else {
        b.push("accounts a");
    }
    b.push(" WHERE a.workspace_id = ").bind(Arg::Uuid(workspace));
    if !filter.terms.is_empty() && !from_matches {
        b.push(" AND ");
        dialect::push_text_match(&mut b, conn.engine(), "accounts", "a", &filter.terms);
    }
    if let Some(o) = filter.owner_id {
        b.push(" AND a.owner_id = ").bind(Arg::Uuid(o));
    }
    if let Some(s) = filter.status {
        b.push(" AND a.status = ").bind(Arg::Text(s.code().to_owned()));
    }
    if let Some(s) = &filter.sector {
        b.push(" AND a.sector = ").bind(Arg::Text(s.clone()));
    }
    if let Some(c) = &filter.country {
        b.push(" AND a.country = ").bind(Arg::Text(c.clone()));
    }
    if let Some(t) = &filter.tag {
        b.push(" AND a.id IN (SELECT account_id FROM account_tags WHERE workspace_id = ");
        b.bind(Arg::Uuid(workspace))
            .push(" AND tag = ")
            .bind(Arg::Text(t.clone()))
            .push(")");
    }
    Ok(b)
}

/// How many accounts match `filter` (the list's count).
pub async fn count(conn: &mut Conn<'_>, workspace: Uuid, filter: &AccountFilter, cap: i64) -> DbResult<i64> {
    // Counted up to `cap`: a workspace of a million accounts is not scanned whole to
    // print its size on every page (116 ms on PostgreSQL; this reads `cap` entries).
    let mut b = filtered(conn, workspace, filter, "SELECT COUNT(*) FROM (SELECT 1 FROM ").await?;
    b.push(" LIMIT ").bind(Arg::I64(cap)).push(") capped");
    let (sql, args) = (b.sql, b.args);
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_scalar(&sql), &args)
        .fetch_one(&mut **c)
        .await)?)
}

/// When each of `ids` last had an exchange on its timeline (accounts without one are absent).
pub async fn last_exchanges(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    ids: &[Uuid],
) -> DbResult<Vec<(Uuid, DateTime<Utc>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One correlated MAX per account walks the timeline index backwards: a few
    // reads even for the account holding a million exchanges.
    let mut b = SqlBuilder::new(
        "SELECT a.id, (SELECT MAX(i.occurred_at) FROM interactions i \
         WHERE i.workspace_id = a.workspace_id AND i.account_id = a.id) AS last FROM accounts a WHERE a.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace)).push(" AND a.id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::Uuid(*id));
    }
    b.push(")");
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows.into_iter().filter_map(|(id, t)| t.map(|t| (id, t))).collect())
}

/// Lists accounts with filters, in `sort` order, `limit` at a time after `after`.
pub async fn list(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    filter: &AccountFilter,
    sort: AccountSort,
    after: Option<&Cursor>,
    limit: u32,
) -> DbResult<AccountPage> {
    let mut b = filtered(conn, workspace, filter, &format!("SELECT {COLUMNS} FROM ")).await?;
    let col = sort.column();
    let (cmp, dir) = if sort.descending() { ("<", "DESC") } else { (">", "ASC") };
    if let Some(cur) = after {
        if let (Some(key), Ok(id)) = (sort.key_arg(&cur.key), Uuid::parse_str(&cur.id)) {
            b.push(&format!(" AND ({col}, a.id) {cmp} ("));
            b.bind(key).push(", ").bind(Arg::Uuid(id)).push(")");
        }
    }
    b.push(&format!(" ORDER BY {col} {dir}, a.id {dir} LIMIT "));
    b.bind(Arg::I64(i64::from(limit) + 1));
    let (sql, args) = (b.sql, b.args);
    let rows: Vec<AccountRow> = with_conn!(conn, |c| bind_args!(sqlx::query_as(&sql), &args)
        .fetch_all(&mut **c)
        .await)?;
    let mut items = rows
        .into_iter()
        .map(AccountRow::into_account)
        .collect::<DbResult<Vec<_>>>()?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|a| Cursor {
            key: sort.key_of(a),
            id: a.id.to_string(),
        })
    } else {
        None
    };
    Ok(AccountPage { items, next })
}

/// Every account row of a workspace in id order, a batch at a time (export, copy).
pub async fn rows_after(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<AccountRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM accounts a WHERE a.workspace_id = $1 AND ($2 IS NULL OR a.id > $2) ORDER BY a.id LIMIT $3"
    );
    Ok(with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// Counts of an account's sub-records for its page.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountFigures {
    /// Contacts still at the company.
    pub contacts: i64,
    /// Contacts who left.
    pub contacts_left: i64,
    /// Sites and business units.
    pub sites: i64,
}

/// Key figures of one account.
pub async fn figures(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<AccountFigures> {
    let (contacts, contacts_left): (i64, i64) = with_conn!(conn, |c| {
        sqlx::query_as(
        "SELECT COUNT(*) - COUNT(left_on), COUNT(left_on) FROM contacts WHERE workspace_id = $1 AND account_id = $2"
    )
    .bind(workspace)
    .bind(id)
    .fetch_one(&mut **c)
    .await
    })?;
    let sites: i64 = with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sites WHERE workspace_id = $1 AND account_id = $2"
    )
    .bind(workspace)
    .bind(id)
    .fetch_one(&mut **c)
    .await)?;
    Ok(AccountFigures {
        contacts,
        contacts_left,
        sites,
    })
}

/// `bilan db copy`: this table's rows of a workspace, with their tags (see [`crate::tables`]).
pub fn copy<'a>(s: &'a mut Conn<'_>, t: &'a mut Conn<'_>, ws: Uuid) -> crate::tables::CopyFuture<'a> {
    Box::pin(async move { crate::tables::copy_batches!(s, t, ws, rows_after, insert_rows) })
}
