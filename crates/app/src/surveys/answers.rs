//! The list of answers and its CSV export.

use super::figures::SatisfactionRange;
use crate::{Actor, App, AppError, AppResult};
use bilan_db::surveys as store;
use bilan_db::surveys::AnswerView;
use bilan_domain::roles::Permission;
use bilan_domain::surveys::SurveyKind;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Most answers one page lists.
pub const ANSWERS_PAGE_MAX: i64 = 200;

/// Answers of a period, newest first, after a keyset position.
pub async fn list_answers(
    app: &App,
    actor: &Actor,
    range: &SatisfactionRange,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> AppResult<Vec<AnswerView>> {
    actor.require(Permission::ReadSatisfaction)?;
    let mut pc = app.db.acquire().await?;
    let f = range.filter();
    Ok(store::list_answers(
        &mut pc.conn(),
        actor.workspace_id,
        &f,
        false,
        after,
        limit.clamp(1, ANSWERS_PAGE_MAX),
    )
    .await?)
}

/// Header of the answers export.
pub const ANSWER_EXPORT_COLUMNS: [&str; 10] = [
    "answered_at",
    "survey",
    "kind",
    "score",
    "category",
    "comment",
    "account",
    "contact",
    "account_id",
    "contact_id",
];

/// The answers of a period as CSV (UTF-8 with BOM, `;` or `,`).
pub async fn export_answers(
    app: &App,
    actor: &Actor,
    range: &SatisfactionRange,
    separator: char,
) -> AppResult<Vec<u8>> {
    actor.require(Permission::ExportData)?;
    actor.require(Permission::ReadSatisfaction)?;
    if !matches!(separator, ';' | ',') {
        return Err(AppError::field("separator", "export.separator"));
    }
    let mut w = bilan_domain::imports::CsvWriter::new(separator, &[3]);
    w.record(&ANSWER_EXPORT_COLUMNS);
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let f = range.filter();
    let mut after = None;
    loop {
        let page = store::list_answers(&mut c, actor.workspace_id, &f, false, after, 1000).await?;
        let full = page.len() == 1000;
        after = page.last().map(|v| (v.answer.answered_at, v.answer.id));
        for v in &page {
            let a = &v.answer;
            let category = match SurveyKind::parse(&a.kind) {
                Some(SurveyKind::Nps) => bilan_domain::surveys::NpsCategory::of(i16::try_from(a.score).unwrap_or(-1))
                    .map(|c| c.code().to_owned())
                    .unwrap_or_default(),
                Some(kind) if bilan_domain::surveys::is_negative(kind, i16::try_from(a.score).unwrap_or(0)) => {
                    "negative".to_owned()
                }
                _ => String::new(),
            };
            w.record(&[
                a.answered_at.to_rfc3339(),
                v.survey_name.clone(),
                a.kind.clone(),
                a.score.to_string(),
                category,
                a.comment.clone().unwrap_or_default(),
                v.account_name.clone(),
                v.contact_name(),
                a.account_id.to_string(),
                a.contact_id.to_string(),
            ]);
        }
        if !full {
            break;
        }
    }
    Ok(w.finish())
}
