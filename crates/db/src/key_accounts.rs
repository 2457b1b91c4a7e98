//! The key-account programme and account plans: ratings, membership, objectives,
//! the stakeholder map, risks, roadmap items, financial hypotheses, usage figures
//! and the programme's settings.

use crate::bulk::{columns, insert_rows, select, upsert_rows};
use crate::health::copier;
use crate::{bind_args, table_row, with_conn, Arg, Conn, DbResult, SqlBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

table_row! {
    /// The programme's settings: scoring rules and health settings, as JSON.
    pub struct SettingsRow in "programme_settings" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `scoring_json`.
        scoring_json: String => Text,
        /// Column `health_json`.
        health_json: String => Text,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// An account's ratings, 1–5 per criterion.
    pub struct RatingsRow in "account_ratings" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `potential`.
        potential: i32 => I32,
        /// Column `probability`.
        probability: i32 => I32,
        /// Column `profitability`.
        profitability: i32 => I32,
        /// Column `strategic_impact`.
        strategic_impact: i32 => I32,
        /// Column `fit`.
        fit: i32 => I32,
        /// Column `risk`.
        risk: i32 => I32,
        /// Column `rated_by`.
        rated_by: Option<Uuid> => OptUuid,
        /// Column `rated_at`.
        rated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// An account admitted to the programme.
    pub struct KeyAccountRow in "key_accounts" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `tier`.
        tier: String => Text,
        /// Column `manager_id`.
        manager_id: Uuid => Uuid,
        /// Column `executive_sponsor_id`.
        executive_sponsor_id: Option<Uuid> => OptUuid,
        /// Column `admitted_on`.
        admitted_on: NaiveDate => Date,
        /// Column `score_at_admission`.
        score_at_admission: i32 => I32,
        /// Column `notes`.
        notes: Option<String> => OptText,
        /// Column `version`.
        version: i64 => I64,
        /// Column `created_at`.
        created_at: DateTime<Utc> => Instant,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// A SMART objective.
    pub struct ObjectiveRow in "objectives" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `title`.
        title: String => Text,
        /// Column `metric`.
        metric: String => Text,
        /// Column `baseline` (exact decimal as text).
        baseline: Option<String> => OptText,
        /// Column `target`.
        target: String => Text,
        /// Column `current_value`.
        current_value: Option<String> => OptText,
        /// Column `due_on`.
        due_on: NaiveDate => Date,
        /// Column `owner_id`.
        owner_id: Option<Uuid> => OptUuid,
        /// Column `status`.
        status: String => Text,
        /// Column `created_at`.
        created_at: DateTime<Utc> => Instant,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
        /// Column `review_id`: the review that set it.
        review_id: Option<Uuid> => OptUuid,
    }
}

table_row! {
    /// A contact's place on the stakeholder map.
    pub struct StakeholderRow in "stakeholders" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `contact_id`.
        contact_id: Uuid => Uuid,
        /// Column `influence`.
        influence: String => Text,
        /// Column `attitude`.
        attitude: String => Text,
        /// Column `notes`.
        notes: Option<String> => OptText,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// A risk of the register.
    pub struct RiskRow in "plan_risks" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `title`.
        title: String => Text,
        /// Column `probability`.
        probability: i32 => I32,
        /// Column `impact`.
        impact: i32 => I32,
        /// Column `mitigation`.
        mitigation: Option<String> => OptText,
        /// Column `owner_id`.
        owner_id: Option<Uuid> => OptUuid,
        /// Column `status`.
        status: String => Text,
        /// Column `created_at`.
        created_at: DateTime<Utc> => Instant,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// A roadmap project or value milestone.
    pub struct PlanItemRow in "plan_items" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `kind`.
        kind: String => Text,
        /// Column `title`.
        title: String => Text,
        /// Column `starts_on`.
        starts_on: Option<NaiveDate> => OptDate,
        /// Column `due_on`.
        due_on: NaiveDate => Date,
        /// Column `value`.
        value: Option<String> => OptText,
        /// Column `status`.
        status: String => Text,
        /// Column `created_at`.
        created_at: DateTime<Utc> => Instant,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// An account plan's financial hypotheses and actuals (decimals as text).
    pub struct FinancialsRow in "plan_financials" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `nrr_target`.
        nrr_target: Option<String> => OptText,
        /// Column `margin_target`.
        margin_target: Option<String> => OptText,
        /// Column `margin_actual`.
        margin_actual: Option<String> => OptText,
        /// Column `cac_payback_target`.
        cac_payback_target: Option<String> => OptText,
        /// Column `cac_payback_actual`.
        cac_payback_actual: Option<String> => OptText,
        /// Column `updated_at`.
        updated_at: DateTime<Utc> => Instant,
    }
}

table_row! {
    /// A usage figure: one value of one metric for one period.
    pub struct UsageRow in "usage_figures" {
        /// Column `id`.
        id: Uuid => Uuid,
        /// Column `workspace_id`.
        workspace_id: Uuid => Uuid,
        /// Column `account_id`.
        account_id: Uuid => Uuid,
        /// Column `metric`.
        metric: String => Text,
        /// Column `period_start`.
        period_start: NaiveDate => Date,
        /// Column `value` (exact decimal as text).
        value: String => Text,
        /// Column `imported_at`.
        imported_at: DateTime<Utc> => Instant,
    }
}

/// The workspace's settings, if saved.
pub async fn settings(conn: &mut Conn<'_>, workspace: Uuid) -> DbResult<Option<SettingsRow>> {
    Ok(select(conn, workspace, &[], "").await?.into_iter().next())
}

/// Saves the settings.
pub async fn save_settings(conn: &mut Conn<'_>, row: &SettingsRow) -> DbResult<()> {
    upsert_rows(
        conn,
        std::slice::from_ref(row),
        "(workspace_id) DO UPDATE SET scoring_json = excluded.scoring_json, health_json = excluded.health_json, \
         updated_at = excluded.updated_at",
    )
    .await
}

/// An account's ratings.
pub async fn ratings(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Option<RatingsRow>> {
    Ok(select(conn, workspace, &[("account_id", Arg::Uuid(account))], "")
        .await?
        .into_iter()
        .next())
}

/// Saves an account's ratings.
pub async fn save_ratings(conn: &mut Conn<'_>, row: &RatingsRow) -> DbResult<()> {
    upsert_rows(
        conn,
        std::slice::from_ref(row),
        "(workspace_id, account_id) DO UPDATE SET potential = excluded.potential, probability = excluded.probability, \
         profitability = excluded.profitability, strategic_impact = excluded.strategic_impact, fit = excluded.fit, \
         risk = excluded.risk, rated_by = excluded.rated_by, rated_at = excluded.rated_at",
    )
    .await
}

/// An account's membership of the programme.
pub async fn key_account(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Option<KeyAccountRow>> {
    Ok(select(conn, workspace, &[("account_id", Arg::Uuid(account))], "")
        .await?
        .into_iter()
        .next())
}

/// Admits an account.
pub async fn insert_key_account(conn: &mut Conn<'_>, row: &KeyAccountRow) -> DbResult<()> {
    insert_rows(conn, std::slice::from_ref(row)).await
}

/// Changes a membership (tier, manager, sponsor, notes) if still at `version`.
pub async fn update_key_account(conn: &mut Conn<'_>, row: &KeyAccountRow, version: i64) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE key_accounts SET tier = $3, manager_id = $4, executive_sponsor_id = $5, notes = $6, \
         version = version + 1, updated_at = $7 WHERE workspace_id = $1 AND account_id = $2 AND version = $8"
    )
    .bind(row.workspace_id)
    .bind(row.account_id)
    .bind(&row.tier)
    .bind(row.manager_id)
    .bind(row.executive_sponsor_id)
    .bind(&row.notes)
    .bind(row.updated_at)
    .bind(version)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Takes an account out of the programme.
pub async fn delete_key_account(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "DELETE FROM key_accounts WHERE workspace_id = $1 AND account_id = $2"
    )
    .bind(workspace)
    .bind(account)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A key account as the programme page lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProgrammeRow {
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub name: String,
    /// Tier.
    pub tier: String,
    /// Manager.
    pub manager_id: Uuid,
    /// Executive sponsor.
    pub executive_sponsor_id: Option<Uuid>,
    /// Admitted on.
    pub admitted_on: NaiveDate,
    /// Renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Notice period, days.
    pub notice_days: Option<i32>,
    /// Contract value.
    pub annual_value_minor: i64,
    /// Currency.
    pub currency: String,
    /// Health today.
    pub health: Option<i32>,
    /// Open objectives.
    pub open_objectives: i64,
    /// Open risks.
    pub open_risks: i64,
}

/// The programme's accounts, by tier then name, optionally of one manager.
pub async fn programme(conn: &mut Conn<'_>, workspace: Uuid, manager: Option<Uuid>) -> DbResult<Vec<ProgrammeRow>> {
    let mut b = SqlBuilder::new(
        "SELECT k.account_id, a.name, k.tier, k.manager_id, k.executive_sponsor_id, k.admitted_on, a.renewal_date, \
         a.notice_days, a.annual_value_minor, a.currency, h.score AS health, \
         (SELECT COUNT(*) FROM objectives o WHERE o.workspace_id = k.workspace_id AND o.account_id = k.account_id \
          AND o.status = 'open') AS open_objectives, \
         (SELECT COUNT(*) FROM plan_risks r WHERE r.workspace_id = k.workspace_id AND r.account_id = k.account_id \
          AND r.status = 'open') AS open_risks \
         FROM key_accounts k JOIN accounts a ON a.workspace_id = k.workspace_id AND a.id = k.account_id \
         LEFT JOIN health_scores h ON h.workspace_id = k.workspace_id AND h.account_id = k.account_id \
         WHERE k.workspace_id = ",
    );
    b.bind(Arg::Uuid(workspace));
    if let Some(m) = manager {
        b.push(" AND k.manager_id = ").bind(Arg::Uuid(m));
    }
    b.push(" ORDER BY CASE k.tier WHEN 'strategic' THEN 0 WHEN 'key' THEN 1 ELSE 2 END, a.sort_name, k.account_id");
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// Per manager: key accounts, open complaints on them, renewals within the window.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LoadRow {
    /// Manager.
    pub manager_id: Uuid,
    /// Key accounts held.
    pub key_accounts: i64,
    /// Open complaints on them.
    pub open_complaints: i64,
    /// Their renewals from today to the window's end.
    pub renewals: i64,
}

/// Every manager's load.
pub async fn load(conn: &mut Conn<'_>, workspace: Uuid, today: NaiveDate, until: NaiveDate) -> DbResult<Vec<LoadRow>> {
    let open: Vec<&str> = bilan_domain::complaints::ComplaintState::open_states()
        .into_iter()
        .map(|s| s.code())
        .collect();
    let mut b = SqlBuilder::new(
        "SELECT k.manager_id, COUNT(*) AS key_accounts, \
         CAST(COALESCE(SUM((SELECT COUNT(*) FROM complaints c WHERE c.workspace_id = k.workspace_id \
         AND c.account_id = k.account_id AND c.state IN (",
    );
    for (i, s) in open.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::Text((*s).to_owned()));
    }
    b.push("))), 0) AS BIGINT) AS open_complaints, CAST(COALESCE(SUM(CASE WHEN a.renewal_date >= ")
        .bind(Arg::Date(today))
        .push(" AND a.renewal_date <= ")
        .bind(Arg::Date(until))
        .push(
            " THEN 1 ELSE 0 END), 0) AS BIGINT) AS renewals \
               FROM key_accounts k JOIN accounts a ON a.workspace_id = k.workspace_id AND a.id = k.account_id \
               WHERE k.workspace_id = ",
        )
        .bind(Arg::Uuid(workspace))
        .push(" GROUP BY k.manager_id");
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// An account's objectives, by deadline.
pub async fn objectives(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Vec<ObjectiveRow>> {
    select(conn, workspace, &[("account_id", Arg::Uuid(account))], "due_on, id").await
}

/// One objective.
pub async fn objective(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<ObjectiveRow>> {
    Ok(select(conn, workspace, &[("id", Arg::Uuid(id))], "")
        .await?
        .into_iter()
        .next())
}

/// Adds an objective.
pub async fn insert_objective(conn: &mut Conn<'_>, row: &ObjectiveRow) -> DbResult<()> {
    insert_rows(conn, std::slice::from_ref(row)).await
}

/// Replaces an objective's fields.
pub async fn update_objective(conn: &mut Conn<'_>, row: &ObjectiveRow) -> DbResult<bool> {
    let n = with_conn!(conn, |c| {
        sqlx::query(
        "UPDATE objectives SET title = $3, metric = $4, baseline = $5, target = $6, current_value = $7, due_on = $8, \
         owner_id = $9, status = $10, updated_at = $11 WHERE workspace_id = $1 AND id = $2"
    )
    .bind(row.workspace_id)
    .bind(row.id)
    .bind(&row.title)
    .bind(&row.metric)
    .bind(&row.baseline)
    .bind(&row.target)
    .bind(&row.current_value)
    .bind(row.due_on)
    .bind(row.owner_id)
    .bind(&row.status)
    .bind(row.updated_at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Deletes a row of one of the plan tables by id; false when unknown.
pub async fn delete_by_id(conn: &mut Conn<'_>, table: PlanTable, workspace: Uuid, id: Uuid) -> DbResult<bool> {
    let sql = format!("DELETE FROM {} WHERE workspace_id = $1 AND id = $2", table.name());
    let n = with_conn!(conn, |c| sqlx::query(&sql)
        .bind(workspace)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The plan tables whose rows are deleted by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanTable {
    /// `objectives`.
    Objectives,
    /// `plan_risks`.
    Risks,
    /// `plan_items`.
    Items,
    /// `stakeholders`.
    Stakeholders,
}

impl PlanTable {
    fn name(self) -> &'static str {
        match self {
            Self::Objectives => "objectives",
            Self::Risks => "plan_risks",
            Self::Items => "plan_items",
            Self::Stakeholders => "stakeholders",
        }
    }
}

/// An account's stakeholder map.
pub async fn stakeholders(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Vec<StakeholderRow>> {
    select(conn, workspace, &[("account_id", Arg::Uuid(account))], "id").await
}

/// Places a contact on the map (or moves them).
pub async fn save_stakeholder(conn: &mut Conn<'_>, row: &StakeholderRow) -> DbResult<()> {
    upsert_rows(
        conn,
        std::slice::from_ref(row),
        "(workspace_id, contact_id) DO UPDATE SET influence = excluded.influence, attitude = excluded.attitude, \
         notes = excluded.notes, updated_at = excluded.updated_at",
    )
    .await
}

/// An account's risks, most exposed first.
pub async fn risks(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Vec<RiskRow>> {
    select(
        conn,
        workspace,
        &[("account_id", Arg::Uuid(account))],
        "status DESC, probability * impact DESC, id",
    )
    .await
}

/// One risk.
pub async fn risk(conn: &mut Conn<'_>, workspace: Uuid, id: Uuid) -> DbResult<Option<RiskRow>> {
    Ok(select(conn, workspace, &[("id", Arg::Uuid(id))], "")
        .await?
        .into_iter()
        .next())
}

/// Adds a risk.
pub async fn insert_risk(conn: &mut Conn<'_>, row: &RiskRow) -> DbResult<()> {
    insert_rows(conn, std::slice::from_ref(row)).await
}

/// Replaces a risk's fields.
pub async fn update_risk(conn: &mut Conn<'_>, row: &RiskRow) -> DbResult<bool> {
    let n = with_conn!(conn, |c| sqlx::query(
        "UPDATE plan_risks SET title = $3, probability = $4, impact = $5, mitigation = $6, owner_id = $7, \
         status = $8, updated_at = $9 WHERE workspace_id = $1 AND id = $2"
    )
    .bind(row.workspace_id)
    .bind(row.id)
    .bind(&row.title)
    .bind(row.probability)
    .bind(row.impact)
    .bind(&row.mitigation)
    .bind(row.owner_id)
    .bind(&row.status)
    .bind(row.updated_at)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// An account's roadmap and milestones, by date.
pub async fn items(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Vec<PlanItemRow>> {
    select(conn, workspace, &[("account_id", Arg::Uuid(account))], "due_on, id").await
}

/// Adds a roadmap item.
pub async fn insert_item(conn: &mut Conn<'_>, row: &PlanItemRow) -> DbResult<()> {
    insert_rows(conn, std::slice::from_ref(row)).await
}

/// An account's financial hypotheses.
pub async fn financials(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid) -> DbResult<Option<FinancialsRow>> {
    Ok(select(conn, workspace, &[("account_id", Arg::Uuid(account))], "")
        .await?
        .into_iter()
        .next())
}

/// Saves an account's financial hypotheses.
pub async fn save_financials(conn: &mut Conn<'_>, row: &FinancialsRow) -> DbResult<()> {
    upsert_rows(
        conn,
        std::slice::from_ref(row),
        "(workspace_id, account_id) DO UPDATE SET nrr_target = excluded.nrr_target, \
         margin_target = excluded.margin_target, margin_actual = excluded.margin_actual, \
         cac_payback_target = excluded.cac_payback_target, cac_payback_actual = excluded.cac_payback_actual, \
         updated_at = excluded.updated_at",
    )
    .await
}

/// What an account was invoiced (net of credit notes) between two days, end excluded.
pub async fn invoiced_between(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    account: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_incl_minor - credited_minor), 0) AS BIGINT) FROM invoices \
         WHERE workspace_id = $1 AND account_id = $2 AND issued_on >= $3 AND issued_on < $4"
    )
    .bind(workspace)
    .bind(account)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **c)
    .await)?)
}

/// Saves usage figures, replacing a value already given for the same account,
/// metric and period.
pub async fn save_usage(conn: &mut Conn<'_>, rows: &[UsageRow]) -> DbResult<()> {
    upsert_rows(
        conn,
        rows,
        "(workspace_id, account_id, metric, period_start) DO UPDATE SET value = excluded.value, \
         imported_at = excluded.imported_at",
    )
    .await
}

/// An account's usage figures from `since` on, by metric and period.
pub async fn usage(conn: &mut Conn<'_>, workspace: Uuid, account: Uuid, since: NaiveDate) -> DbResult<Vec<UsageRow>> {
    let mut b = SqlBuilder::new(&format!(
        "SELECT {} FROM usage_figures WHERE workspace_id = ",
        columns::<UsageRow>()
    ));
    b.bind(Arg::Uuid(workspace))
        .push(" AND account_id = ")
        .bind(Arg::Uuid(account))
        .push(" AND period_start >= ")
        .bind(Arg::Date(since))
        .push(" ORDER BY metric, period_start");
    Ok(with_conn!(conn, |c| bind_args!(sqlx::query_as(&b.sql), &b.args)
        .fetch_all(&mut **c)
        .await)?)
}

copier!(
    copy_settings,
    SettingsRow,
    "programme_settings",
    &columns::<SettingsRow>()
);
copier!(copy_ratings, RatingsRow, "account_ratings", &columns::<RatingsRow>());
copier!(
    copy_key_accounts,
    KeyAccountRow,
    "key_accounts",
    &columns::<KeyAccountRow>()
);
copier!(copy_objectives, ObjectiveRow, "objectives", &columns::<ObjectiveRow>());
copier!(
    copy_stakeholders,
    StakeholderRow,
    "stakeholders",
    &columns::<StakeholderRow>()
);
copier!(copy_risks, RiskRow, "plan_risks", &columns::<RiskRow>());
copier!(copy_items, PlanItemRow, "plan_items", &columns::<PlanItemRow>());
copier!(
    copy_financials,
    FinancialsRow,
    "plan_financials",
    &columns::<FinancialsRow>()
);
copier!(copy_usage, UsageRow, "usage_figures", &columns::<UsageRow>());
