//! E-mail import pages: upload an `.eml` or an mbox, then the report with the
//! messages whose account could not be found, to re-import onto a chosen account.

use super::{error_response, render, Layout};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bilan_app::mail_import::{import_mail, MailImportOptions, MailImportReport};
use bilan_app::AppError;
use bilan_domain::roles::Permission;
use bilan_domain::timeline::LOCAL_TZ;
use uuid::Uuid;

/// `?account=ID` when coming from an account page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct MailImportQuery {
    /// Account receiving every message.
    #[serde(default)]
    pub account: Option<String>,
}

#[derive(Template)]
#[template(path = "imports/mail_form.html")]
struct FormPage {
    l: Layout,
    account: Option<(Uuid, String)>,
    error: Option<String>,
}

/// One unmatched message, ready to show.
struct UnmatchedRow {
    index: usize,
    from: String,
    subject: String,
    date: String,
    /// What to search in the account list to find the client.
    search: String,
}

#[derive(Template)]
#[template(path = "imports/mail_report.html")]
struct ReportPage {
    l: Layout,
    report: MailImportReport,
    unmatched: Vec<UnmatchedRow>,
    account: Option<(Uuid, String)>,
    dry_run: bool,
}

/// The account named by `raw`, with its name, if it is one of the workspace's.
async fn account_of(state: &AppState, user: &PageUser, raw: Option<&str>) -> Result<Option<(Uuid, String)>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let id = Uuid::parse_str(raw).map_err(|_| AppError::field("account", "id.invalid"))?;
    let account = bilan_app::accounts::find_account(&state.app, &user.actor, id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::field("account", "account.unknown"),
            other => other,
        })?;
    Ok(Some((account.id, account.name)))
}

/// GET /import/mail
pub async fn show_mail_import(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(q): Query<MailImportQuery>,
) -> Response {
    if let Err(e) = user.actor.require(Permission::ImportData) {
        return error_response(&user, &headers, &e);
    }
    match account_of(&state, &user, q.account.as_deref()).await {
        Ok(account) => render(&FormPage {
            l: Layout::for_user(&user, "import"),
            account,
            error: None,
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /import/mail — multipart: `file`, optional `account`, optional `dry_run`.
pub async fn post_mail_import(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    if let Err(e) = user.actor.require(Permission::ImportData) {
        return error_response(&user, &headers, &e);
    }
    let mut file = Vec::new();
    let mut account_raw = String::new();
    let mut dry_run = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let Ok(data) = field.bytes().await else {
                    return error_response(&user, &headers, &AppError::field("file", "mail.not_a_message"));
                };
                match name.as_str() {
                    "file" => file = data.to_vec(),
                    "account" => account_raw = String::from_utf8_lossy(&data).into_owned(),
                    "dry_run" => dry_run = !data.is_empty(),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return error_response(&user, &headers, &AppError::field("file", "mail.not_a_message")),
        }
    }
    let account = match account_of(&state, &user, Some(&account_raw)).await {
        Ok(a) => a,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let opts = MailImportOptions {
        dry_run,
        account_id: account.as_ref().map(|(id, _)| *id),
        mbox: false,
    };
    match import_mail(&state.app, &user.actor, &file, &opts).await {
        Ok(report) => {
            let unmatched = report
                .unmatched
                .iter()
                .map(|u| UnmatchedRow {
                    index: u.index,
                    from: u.from.clone().unwrap_or_else(|| "—".into()),
                    subject: u.subject.clone().unwrap_or_else(|| "—".into()),
                    date: u.date.map_or_else(
                        || "—".into(),
                        |d| d.with_timezone(&LOCAL_TZ).format("%d/%m/%Y %H:%M").to_string(),
                    ),
                    search: u
                        .addresses
                        .first()
                        .and_then(|a| a.rsplit_once('@'))
                        .map(|(_, d)| d.split('.').next().unwrap_or(d).to_owned())
                        .unwrap_or_default(),
                })
                .collect();
            render(&ReportPage {
                l: Layout::for_user(&user, "import"),
                report,
                unmatched,
                account,
                dry_run,
            })
        }
        Err(AppError::Validation(v)) => {
            let message =
                v.0.iter()
                    .map(|f| bilan_i18n::Tr(user.lang).error(&f.code).to_owned())
                    .collect::<Vec<_>>()
                    .join(" · ");
            let mut res = render(&FormPage {
                l: Layout::for_user(&user, "import"),
                account,
                error: Some(message),
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}
