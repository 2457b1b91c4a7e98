//! Reads of "my day": an owner's renewals coming and the answers behind their
//! accounts' satisfaction trend.

use crate::accounts::{AccountRow, COLUMNS};
use crate::{with_conn, Conn, DbError, DbResult};
use bilan_domain::accounts::Account;
use bilan_domain::my_day::AnswerGroup;
use bilan_domain::surveys::SurveyKind;
use chrono::NaiveDate;
use uuid::Uuid;

/// An owner's accounts not lost whose renewal date falls between `from` and
/// `until` (inclusive), soonest first, at most `limit`.
pub async fn renewals_of_owner(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    owner: Uuid,
    from: NaiveDate,
    until: NaiveDate,
    limit: i64,
) -> DbResult<Vec<Account>> {
    // The owner index narrows to a few hundred rows; the date filter reads those.
    let sql = format!(
        "SELECT {COLUMNS} FROM accounts a WHERE a.workspace_id = $1 AND a.owner_id = $2 \
         AND a.renewal_date >= $3 AND a.renewal_date <= $4 AND a.status <> 'lost' \
         ORDER BY a.renewal_date, a.id LIMIT $5"
    );
    let rows: Vec<AccountRow> = with_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(workspace)
        .bind(owner)
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?;
    rows.into_iter().map(AccountRow::into_account).collect()
}

/// How many of an owner's accounts, not lost, renew between `from` and `until`.
pub async fn count_renewals_of_owner(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    owner: Uuid,
    from: NaiveDate,
    until: NaiveDate,
) -> DbResult<i64> {
    Ok(with_conn!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts a WHERE a.workspace_id = $1 AND a.owner_id = $2 \
         AND a.renewal_date >= $3 AND a.renewal_date <= $4 AND a.status <> 'lost'"
    )
    .bind(workspace)
    .bind(owner)
    .bind(from)
    .bind(until)
    .fetch_one(&mut **c)
    .await)?)
}

/// Answers given since `since` about the accounts `owner` owned when they were
/// given (the answer keeps its owner), counted per account, window (on or after
/// `recent_from`, or before), kind and score; account names are left empty for
/// the caller to fetch for the few it shows.
pub async fn answer_groups_of_owner(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    owner: Uuid,
    (since, recent_from): (NaiveDate, NaiveDate),
    min_answers: i64,
) -> DbResult<Vec<AnswerGroup>> {
    type Row = (Uuid, i64, String, i32, i64);
    // Only accounts with `min_answers` of one kind in both windows can show a fall:
    // the inner query finds those few on the (workspace, owner, day, account, kind,
    // score) index alone, so the outer one hands over a few rows, not thousands.
    let rows: Vec<Row> = with_conn!(conn, |c| sqlx::query_as(
        "SELECT s.account_id, CAST(CASE WHEN s.answered_on >= $4 THEN 1 ELSE 0 END AS BIGINT) AS recent, \
         s.kind, s.score, COUNT(*) FROM survey_answers s \
         WHERE s.workspace_id = $1 AND s.owner_id = $2 AND s.answered_on >= $3 AND s.account_id IN ( \
           SELECT t.account_id FROM survey_answers t \
           WHERE t.workspace_id = $1 AND t.owner_id = $2 AND t.answered_on >= $3 \
           GROUP BY t.account_id, t.kind \
           HAVING SUM(CASE WHEN t.answered_on < $4 THEN 1 ELSE 0 END) >= $5 \
              AND SUM(CASE WHEN t.answered_on >= $4 THEN 1 ELSE 0 END) >= $5) \
         GROUP BY s.account_id, recent, s.kind, s.score"
    )
    .bind(workspace)
    .bind(owner)
    .bind(since)
    .bind(recent_from)
    .bind(min_answers)
    .fetch_all(&mut **c)
    .await)?;
    rows.into_iter()
        .map(|(account_id, recent, kind, score, count)| {
            Ok(AnswerGroup {
                account_id,
                account_name: String::new(),
                recent: recent == 1,
                kind: SurveyKind::parse(&kind).ok_or_else(|| DbError::Corrupt("survey_answers.kind".into()))?,
                score: i16::try_from(score).map_err(|_| DbError::Corrupt("survey_answers.score".into()))?,
                count: u64::try_from(count).unwrap_or(0),
            })
        })
        .collect()
}
