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

/// Answers given since `since` about the accounts `owner` owns now, counted per
/// account, window (on or after `recent_from`, or before), kind and score.
pub async fn answer_groups_of_owner(
    conn: &mut Conn<'_>,
    workspace: Uuid,
    owner: Uuid,
    since: NaiveDate,
    recent_from: NaiveDate,
) -> DbResult<Vec<AnswerGroup>> {
    type Row = (Uuid, String, i64, String, i32, i64);
    let rows: Vec<Row> = with_conn!(conn, |c| sqlx::query_as(
        "SELECT s.account_id, a.name, CAST(CASE WHEN s.answered_on >= $4 THEN 1 ELSE 0 END AS BIGINT) AS recent, \
         s.kind, s.score, COUNT(*) FROM accounts a \
         JOIN survey_answers s ON s.workspace_id = a.workspace_id AND s.account_id = a.id AND s.answered_on >= $3 \
         WHERE a.workspace_id = $1 AND a.owner_id = $2 \
         GROUP BY s.account_id, a.name, recent, s.kind, s.score"
    )
    .bind(workspace)
    .bind(owner)
    .bind(since)
    .bind(recent_from)
    .fetch_all(&mut **c)
    .await)?;
    rows.into_iter()
        .map(|(account_id, account_name, recent, kind, score, count)| {
            Ok(AnswerGroup {
                account_id,
                account_name,
                recent: recent == 1,
                kind: SurveyKind::parse(&kind).ok_or_else(|| DbError::Corrupt("survey_answers.kind".into()))?,
                score: i16::try_from(score).map_err(|_| DbError::Corrupt("survey_answers.score".into()))?,
                count: u64::try_from(count).unwrap_or(0),
            })
        })
        .collect()
}
