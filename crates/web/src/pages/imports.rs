//! Import pages (upload, preview with the column mapping and every refused line,
//! then import all-or-nothing or the valid lines) and CSV downloads.

use super::{error_response, render, Layout};
use crate::api::imports::{csv_download, export_query, separator};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::accounts::AccountQuery;
use bilan_app::imports::{self as uc, ImportOptions, ImportReport};
use bilan_app::AppError;
use bilan_domain::imports::ImportKind;
use bilan_domain::roles::Permission;

#[derive(Template)]
#[template(path = "imports/form.html")]
struct ImportPage {
    l: Layout,
    error: Option<String>,
}

/// GET /import
pub async fn show_import(user: PageUser, headers: HeaderMap) -> Response {
    if let Err(e) = user.actor.require(Permission::ImportData) {
        return error_response(&user, &headers, &e);
    }
    render(&ImportPage {
        l: Layout::for_user(&user, "import"),
        error: None,
    })
}

#[derive(Template)]
#[template(path = "imports/report.html")]
struct ReportPage {
    l: Layout,
    kind: &'static str,
    report: ImportReport,
    content: String,
    fields: Vec<&'static str>,
    skip_invalid: bool,
    done: bool,
}

impl ReportPage {
    fn rejected_lines(&self) -> usize {
        self.report.rejected_lines()
    }

    /// The file's columns that land nowhere (the preview says so before anything is written).
    fn ignored_columns(&self) -> Vec<&str> {
        self.report
            .mapping
            .iter()
            .filter(|m| m.field.is_none())
            .map(|m| m.header.as_str())
            .collect()
    }
}

/// What the upload and confirmation forms send.
#[derive(Default)]
struct Upload {
    kind: String,
    content: Vec<u8>,
    skip_invalid: bool,
    overrides: Vec<(String, String)>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut up = Upload::default();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut maps: Vec<(String, String)> = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::field("file", "import.binary"))?
    {
        let name = field.name().unwrap_or("").to_owned();
        let data = field
            .bytes()
            .await
            .map_err(|_| AppError::field("file", "import.binary"))?;
        let text = || String::from_utf8_lossy(&data).into_owned();
        match name.as_str() {
            "kind" => up.kind = text(),
            "file" | "content" => up.content = data.to_vec(),
            "mode" => up.skip_invalid = text() == "skip_invalid",
            n if n.starts_with("header_") => headers.push((n.trim_start_matches("header_").to_owned(), text())),
            n if n.starts_with("map_") => maps.push((n.trim_start_matches("map_").to_owned(), text())),
            _ => {}
        }
    }
    for (i, header) in headers {
        if let Some((_, field)) = maps.iter().find(|(j, _)| *j == i) {
            up.overrides.push((header, field.clone()));
        }
    }
    Ok(up)
}

async fn run(state: &AppState, user: &PageUser, headers: &HeaderMap, multipart: Multipart, commit: bool) -> Response {
    let up = match read_upload(multipart).await {
        Ok(u) => u,
        Err(e) => return error_response(user, headers, &e),
    };
    let kind = match up.kind.as_str() {
        "contacts" => ImportKind::Contacts,
        "interactions" => ImportKind::Interactions,
        "invoices" => ImportKind::Invoices,
        _ => ImportKind::Accounts,
    };
    let opts = ImportOptions {
        dry_run: !commit,
        skip_invalid: up.skip_invalid,
        overrides: up.overrides,
        ..Default::default()
    };
    let result = match kind {
        ImportKind::Accounts => uc::import_accounts(&state.app, &user.actor, &up.content, &opts).await,
        ImportKind::Contacts => uc::import_contacts(&state.app, &user.actor, &up.content, &opts).await,
        ImportKind::Interactions => uc::import_interactions(&state.app, &user.actor, &up.content, &opts).await,
        ImportKind::Invoices => {
            bilan_app::invoices::import::import_invoices(&state.app, &user.actor, &up.content, &opts).await
        }
    };
    match result {
        Ok(report) => {
            let done = commit && report.committed;
            render(&ReportPage {
                l: Layout::for_user(user, "import"),
                kind: match kind {
                    ImportKind::Accounts => "accounts",
                    ImportKind::Contacts => "contacts",
                    ImportKind::Interactions => "interactions",
                    ImportKind::Invoices => "invoices",
                },
                // The preview carries the decoded text to the confirmation, so servers stay stateless.
                content: if done {
                    String::new()
                } else {
                    decode_for_form(&up.content)
                },
                fields: bilan_domain::imports::fields(kind).to_vec(),
                skip_invalid: up.skip_invalid,
                report,
                done,
            })
        }
        Err(e @ AppError::Validation(_)) => {
            let mut res = render(&ImportPage {
                l: Layout::for_user(user, "import"),
                error: Some(describe(user, &e)),
            });
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => error_response(user, headers, &e),
    }
}

fn describe(user: &PageUser, e: &AppError) -> String {
    match e {
        AppError::Validation(v) => {
            v.0.iter()
                .map(|f| {
                    format!(
                        "{} : {}",
                        bilan_i18n::t(user.lang, &format!("field.{}", f.field)),
                        bilan_i18n::Tr(user.lang).error(&f.code)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ")
        }
        other => crate::error::message(user.lang, other),
    }
}

fn decode_for_form(bytes: &[u8]) -> String {
    match bilan_domain::imports::decode(bytes) {
        Ok(d) => d.text.into_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// POST /import/preview — a dry run.
pub async fn preview_import(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    run(&state, &user, &headers, multipart, false).await
}

/// POST /import/commit — the import itself, in one transaction.
pub async fn commit_import(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    run(&state, &user, &headers, multipart, true).await
}

/// GET /accounts/export.csv — the list's filters apply.
pub async fn export_accounts(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(filters): Query<AccountQuery>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = export_query(raw.as_deref());
    match bilan_app::exports::export_accounts(&state.app, &user.actor, Some(&filters), separator(&q)).await {
        Ok(bytes) => csv_download("comptes.csv", bytes),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// GET /contacts/export.csv
pub async fn export_contacts(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = export_query(raw.as_deref());
    let account = q.account.as_deref().and_then(|a| uuid::Uuid::parse_str(a).ok());
    match bilan_app::exports::export_contacts(&state.app, &user.actor, account, separator(&q)).await {
        Ok(bytes) => csv_download("contacts.csv", bytes),
        Err(e) => error_response(&user, &headers, &e),
    }
}

#[cfg(test)]
mod tests {
    use bilan_domain::imports::{fields, ImportKind};

    /// The mapping selects label every field of every kind: a missing message would
    /// show its raw key.
    #[test]
    fn every_import_field_has_a_label() {
        for kind in [
            ImportKind::Accounts,
            ImportKind::Contacts,
            ImportKind::Interactions,
            ImportKind::Invoices,
        ] {
            for f in fields(kind) {
                assert!(bilan_i18n::has(&format!("field.{f}")), "field.{f} ({kind:?})");
            }
            let code = serde_json::to_value(kind).unwrap_or_default();
            let code = code.as_str().unwrap_or_default();
            assert!(bilan_i18n::has(&format!("import.kind.{code}")), "import.kind.{code}");
        }
    }
}
