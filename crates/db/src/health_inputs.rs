//! The batch reads health is computed from: for a set of accounts at once, what
//! their satisfaction answers, exchanges, invoices, complaints, usage figures and
//! contacts say. The application turns them into each account's facts.

use crate::{bind_args, with_conn, Arg, Conn, DbResult, SqlBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// An account's own fields that health reads.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AccountInput {
    /// Account.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// `active`, `prospect`, `lost`.
    pub status: String,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Contract currency.
    pub currency: String,
    /// Renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Notice period, days.
    pub notice_days: Option<i32>,
}

/// Exchanges one way with an account.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ExchangeInput {
    /// Account.
    pub account_id: Uuid,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// The last one.
    pub last_at: Option<DateTime<Utc>>,
    /// How many since the window's start.
    pub recent: i64,
}

/// An account's invoices, summed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InvoiceInput {
    /// Account.
    pub account_id: Uuid,
    /// Owed past due.
    pub overdue_minor: i64,
    /// Oldest due date still owed.
    pub oldest_overdue: Option<NaiveDate>,
    /// Invoiced over the last twelve months.
    pub invoiced_12m_minor: i64,
    /// Invoices of the last twelve months or still open.
    pub counted: i64,
}

/// A complaint, as health counts it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ComplaintInput {
    /// Account.
    pub account_id: Uuid,
    /// State code.
    pub state: String,
    /// Next deadline.
    pub next_due_on: Option<NaiveDate>,
    /// Whether it is about an invoice.
    pub about_invoice: bool,
    /// Closed or resolved on.
    pub ended_on: Option<NaiveDate>,
}

/// A contact in a buying role.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ContactInput {
    /// Contact.
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: String,
    /// Roles, comma-separated codes.
    pub roles: String,
    /// When they left.
    pub left_on: Option<NaiveDate>,
}

/// Everything health reads about a set of accounts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// The accounts.
    pub accounts: Vec<AccountInput>,
    /// Answers: account, kind, score, day.
    pub answers: Vec<(Uuid, String, i32, NaiveDate)>,
    /// Exchanges per account and direction.
    pub exchanges: Vec<ExchangeInput>,
    /// Invoices per account.
    pub invoices: Vec<InvoiceInput>,
    /// Settled invoices of the last year: account, due date, settled on.
    pub settled: Vec<(Uuid, NaiveDate, NaiveDate)>,
    /// Open or recently ended complaints.
    pub complaints: Vec<ComplaintInput>,
    /// Usage figures: account, metric, period start, value.
    pub usage: Vec<(Uuid, String, NaiveDate, String)>,
    /// Contacts in a buying role.
    pub contacts: Vec<ContactInput>,
    /// Last exchange per contact (of the key contacts asked).
    pub last_met: Vec<(Uuid, Option<DateTime<Utc>>)>,
}

fn scoped(sql: &str, workspace: Uuid, column: &str, ids: &[Uuid]) -> SqlBuilder {
    let mut b = SqlBuilder::new(sql);
    b.bind(Arg::Uuid(workspace)).push(" AND ").push_in(column, ids);
    b
}

macro_rules! fetch {
    ($conn:expr, $b:expr) => {{
        let b = $b;
        with_conn!(&mut *$conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
            .fetch_all(&mut **c)
            .await)?
    }};
}

/// Reads the inputs of `accounts` for the day `today`; `recent_from` starts the
/// 90-day window of exchanges, `year_from` the twelve months.
pub async fn read(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    accounts: &[Uuid],
    today: NaiveDate,
    recent_from: DateTime<Utc>,
    year_from: NaiveDate,
    key_roles: &[&str],
) -> DbResult<Inputs> {
    if accounts.is_empty() {
        return Ok(Inputs::default());
    }
    let mut out = Inputs {
        accounts: fetch!(
            conn,
            scoped(
                "SELECT id, name, status, owner_id, currency, renewal_date, notice_days FROM accounts WHERE workspace_id = ",
                workspace,
                "id",
                accounts,
            )
        ),
        ..Inputs::default()
    };
    let mut b = scoped(
        "SELECT account_id, kind, score, answered_on FROM survey_answers WHERE workspace_id = ",
        workspace,
        "account_id",
        accounts,
    );
    b.push(" AND answered_on >= ").bind(Arg::Date(year_from));
    out.answers = fetch!(conn, b);

    // Automated payment reminders are not engagement: an outbound exchange about
    // an invoice is left out.
    let mut b = SqlBuilder::new(
        "SELECT account_id, direction, MAX(occurred_at) AS last_at, \
         CAST(SUM(CASE WHEN occurred_at >= ",
    );
    b.bind(Arg::Instant(recent_from));
    b.push(" THEN 1 ELSE 0 END) AS BIGINT) AS recent FROM interactions WHERE workspace_id = ")
        .bind(Arg::Uuid(workspace))
        .push(" AND ")
        .push_in("account_id", accounts)
        .push(" AND (direction = 'inbound' OR related_kind IS NULL OR related_kind <> 'invoice') GROUP BY account_id, direction");
    out.exchanges = fetch!(conn, b);

    let mut b = SqlBuilder::new("SELECT account_id, CAST(COALESCE(SUM(CASE WHEN open_minor > 0 AND due_on < ");
    b.bind(Arg::Date(today));
    b.push(" THEN open_minor ELSE 0 END), 0) AS BIGINT) AS overdue_minor, MIN(CASE WHEN open_minor > 0 AND due_on < ");
    b.bind(Arg::Date(today));
    b.push(" THEN due_on END) AS oldest_overdue, CAST(COALESCE(SUM(CASE WHEN issued_on >= ");
    b.bind(Arg::Date(year_from));
    b.push(
        " THEN amount_incl_minor ELSE 0 END), 0) AS BIGINT) AS invoiced_12m_minor, CAST(SUM(CASE WHEN issued_on >= ",
    );
    b.bind(Arg::Date(year_from));
    b.push(" OR open_minor > 0 THEN 1 ELSE 0 END) AS BIGINT) AS counted FROM invoices WHERE workspace_id = ")
        .bind(Arg::Uuid(workspace))
        .push(" AND ")
        .push_in("account_id", accounts)
        .push(" GROUP BY account_id");
    out.invoices = fetch!(conn, b);

    let mut b = scoped(
        "SELECT account_id, due_on, settled_on FROM invoices WHERE workspace_id = ",
        workspace,
        "account_id",
        accounts,
    );
    b.push(" AND settled_on >= ").bind(Arg::Date(year_from));
    out.settled = fetch!(conn, b);

    let open: Vec<&str> = bilan_domain::complaints::ComplaintState::open_states()
        .into_iter()
        .map(|s| s.code())
        .collect();
    let mut b = scoped(
        "SELECT account_id, state, next_due_on, invoice_id IS NOT NULL AS about_invoice, \
         COALESCE(closed_on, resolved_on) AS ended_on FROM complaints WHERE workspace_id = ",
        workspace,
        "account_id",
        accounts,
    );
    b.push(" AND (state IN (");
    for (i, s) in open.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::Text((*s).to_owned()));
    }
    b.push(") OR COALESCE(closed_on, resolved_on) >= ")
        .bind(Arg::Date(recent_from.date_naive()))
        .push(")");
    out.complaints = fetch!(conn, b);

    let mut b = scoped(
        "SELECT account_id, metric, period_start, value FROM usage_figures WHERE workspace_id = ",
        workspace,
        "account_id",
        accounts,
    );
    b.push(" AND period_start >= ")
        .bind(Arg::Date(year_from - chrono::Duration::days(366)));
    out.usage = fetch!(conn, b);

    let mut b = scoped(
        "SELECT id, account_id, first_name, last_name, roles, left_on FROM contacts WHERE workspace_id = ",
        workspace,
        "account_id",
        accounts,
    );
    b.push(" AND roles <> ''");
    out.contacts = fetch!(conn, b);

    let key: Vec<Uuid> = out
        .contacts
        .iter()
        .filter(|c| c.left_on.is_none() && c.roles.split(',').any(|r| key_roles.contains(&r.trim())))
        .map(|c| c.id)
        .collect();
    out.last_met = last_met(conn, workspace, &key).await?;
    Ok(out)
}

/// The instant of the last exchange with each of `contacts` (those never met: none).
pub async fn last_met(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    contacts: &[Uuid],
) -> DbResult<Vec<(Uuid, Option<DateTime<Utc>>)>> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new(
        "SELECT ic.contact_id, MAX(i.occurred_at) FROM interaction_contacts ic \
         JOIN interactions i ON i.workspace_id = ic.workspace_id AND i.id = ic.interaction_id \
         WHERE ic.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace))
        .push(" AND ")
        .push_in("ic.contact_id", contacts)
        .push(" GROUP BY ic.contact_id");
    Ok(fetch!(conn, b))
}
