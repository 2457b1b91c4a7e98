//! `/api/v1/imports/*` (CSV, or e-mails, in the body) and `/api/v1/exports/*` (CSV out).

use super::problem::{ApiResult, Problem};
use super::ApiQuery;
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::accounts::AccountQuery;
use bilan_app::imports::{self as uc, ImportOptions, ImportReport};
use bilan_app::mail_import::{MailImportOptions, MailImportReport};
use bilan_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One refused line.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedLineResponse {
    /// Physical line number (the header is line 1).
    pub line: usize,
    /// Column header as in the file.
    pub column: Option<String>,
    /// Stable code.
    pub code: String,
    /// Message.
    pub message: String,
    /// For a duplicate (`line.duplicate`), the earlier line of the file it repeats.
    pub earlier_line: Option<usize>,
}

/// How a column was used.
#[derive(Debug, Serialize, ToSchema)]
pub struct MappedColumnResponse {
    /// Header as in the file.
    pub header: String,
    /// Field filled, or null when ignored.
    pub field: Option<String>,
}

/// What an import did (or would do, for a dry run).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportResponse {
    /// Data lines read.
    pub total_lines: usize,
    /// Rows created.
    pub created: usize,
    /// Rows updated.
    pub updated: usize,
    /// Rows found identical.
    pub unchanged: usize,
    /// Refused lines.
    pub rejected: Vec<RejectedLineResponse>,
    /// Column mapping used.
    pub mapping: Vec<MappedColumnResponse>,
    /// Separator.
    pub separator: String,
    /// Encoding.
    pub encoding: String,
    /// Whether anything was written.
    pub committed: bool,
}

impl From<ImportReport> for ImportReportResponse {
    fn from(r: ImportReport) -> Self {
        ImportReportResponse {
            total_lines: r.total_lines,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected: r
                .rejected
                .into_iter()
                .map(|l| RejectedLineResponse {
                    line: l.line,
                    column: l.column,
                    code: l.code,
                    message: l.message,
                    earlier_line: l.earlier_line,
                })
                .collect(),
            mapping: r
                .mapping
                .into_iter()
                .map(|m| MappedColumnResponse {
                    header: m.header,
                    field: m.field,
                })
                .collect(),
            separator: r.separator.to_string(),
            encoding: r.encoding,
            committed: r.committed,
        }
    }
}

/// Import options from the query string: `dry_run`, `skip_invalid`, `account`, and
/// `map=Header=field` (repeatable).
pub(super) fn options(raw: Option<&str>) -> ApiResult<ImportOptions> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let flag = |name: &str| {
        pairs
            .iter()
            .any(|(k, v)| k == name && matches!(v.as_str(), "true" | "1" | "yes" | ""))
    };
    let mut opts = ImportOptions {
        dry_run: flag("dry_run"),
        skip_invalid: flag("skip_invalid"),
        ..Default::default()
    };
    for (k, v) in &pairs {
        match k.as_str() {
            "map" => match v.rsplit_once('=') {
                Some((h, f)) => opts.overrides.push((h.to_owned(), f.to_owned())),
                None => return Err(AppError::field("map", "import.unknown_field").into()),
            },
            "account" => {
                opts.account_id = Some(uuid::Uuid::parse_str(v).map_err(|_| AppError::field("account", "id.invalid"))?);
            }
            _ => {}
        }
    }
    Ok(opts)
}

pub(super) fn answer(report: ImportReport) -> Response {
    // A refused all-or-nothing import is a client error; the report says why, line by line.
    let status = if report.committed || report.rejected.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, Json(ImportReportResponse::from(report))).into_response()
}

/// Imports accounts from the CSV body (UTF-8 or Windows-1252, separator detected).
/// All or nothing unless `skip_invalid`; `dry_run` writes nothing. Re-importing
/// updates accounts found by external reference or SIREN.
#[utoipa::path(post, path = "/api/v1/imports/accounts", tag = "imports", request_body(content = String, content_type = "text/csv"),
    params(("dry_run" = Option<bool>, Query, description = "Report only"), ("skip_invalid" = Option<bool>, Query, description = "Import the valid lines"),
           ("map" = Option<String>, Query, description = "Column override `Header=field`, repeatable")),
    responses((status = 200, body = ImportReportResponse), (status = 422, description = "Lines refused (report) or unreadable file (problem)", body = ImportReportResponse), (status = 403, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("import_data"))))]
pub async fn import_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let opts = options(raw.as_deref())?;
    Ok(answer(uc::import_accounts(&state.app, &actor, &body, &opts).await?))
}

/// Imports contacts from the CSV body; `account=ID` puts them all on one account.
#[utoipa::path(post, path = "/api/v1/imports/contacts", tag = "imports", request_body(content = String, content_type = "text/csv"),
    params(("dry_run" = Option<bool>, Query, description = "Report only"), ("skip_invalid" = Option<bool>, Query, description = "Import the valid lines"),
           ("account" = Option<String>, Query, description = "Account receiving every contact"), ("map" = Option<String>, Query, description = "Column override `Header=field`")),
    responses((status = 200, body = ImportReportResponse), (status = 422, body = ImportReportResponse), (status = 403, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("import_data"))))]
pub async fn import_contacts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let opts = options(raw.as_deref())?;
    Ok(answer(uc::import_contacts(&state.app, &actor, &body, &opts).await?))
}

/// Imports interactions (a CRM's activity export or a spreadsheet) from the CSV body
/// onto the accounts' timelines. Accounts are found by id, SIREN, external reference
/// or name, people by e-mail; `account=ID` puts every line on one account. Lines
/// whose external reference is already stored count as unchanged.
#[utoipa::path(post, path = "/api/v1/imports/interactions", tag = "imports", request_body(content = String, content_type = "text/csv"),
    params(("dry_run" = Option<bool>, Query, description = "Report only"), ("skip_invalid" = Option<bool>, Query, description = "Import the valid lines"),
           ("account" = Option<String>, Query, description = "Account receiving every line"), ("map" = Option<String>, Query, description = "Column override `Header=field`")),
    responses((status = 200, body = ImportReportResponse), (status = 422, body = ImportReportResponse), (status = 403, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("import_data"))))]
pub async fn import_interactions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let opts = options(raw.as_deref())?;
    Ok(answer(uc::import_interactions(&state.app, &actor, &body, &opts).await?))
}

/// Export parameters besides the list filters.
#[derive(Debug, serde::Deserialize, Default)]
pub struct ExportQuery {
    /// `;` or `,`.
    #[serde(default)]
    pub separator: Option<String>,
    /// Contacts: only this account's.
    #[serde(default)]
    pub account: Option<String>,
}

/// Reads the export parameters from a raw query string (unknown keys are the list filters).
pub fn export_query(raw: Option<&str>) -> ExportQuery {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    ExportQuery {
        separator: get("separator"),
        account: get("account"),
    }
}

/// Builds a CSV download.
pub fn csv_download(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// The separator asked for, `;` by default.
pub fn separator(q: &ExportQuery) -> char {
    q.separator.as_deref().and_then(|s| s.chars().next()).unwrap_or(';')
}

/// Exports accounts as CSV (UTF-8 with BOM; `;` by default, `separator=,` for commas), with the list's filters.
#[utoipa::path(get, path = "/api/v1/exports/accounts", tag = "imports",
    params(("separator" = Option<String>, Query, description = "; or ,"), ("q" = Option<String>, Query, description = "Same filters as the account list")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("export_data"))))]
pub async fn export_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(filters): ApiQuery<AccountQuery>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let q = export_query(raw.as_deref());
    let bytes = bilan_app::exports::export_accounts(&state.app, &actor, Some(&filters), separator(&q)).await?;
    Ok(csv_download("accounts.csv", bytes))
}

/// Exports contacts as CSV (`account=ID` for one account's).
#[utoipa::path(get, path = "/api/v1/exports/contacts", tag = "imports",
    params(("separator" = Option<String>, Query, description = "; or ,"), ("account" = Option<String>, Query, description = "Only this account's contacts")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("export_data"))))]
pub async fn export_contacts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let q = export_query(raw.as_deref());
    let account = match q.account.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(uuid::Uuid::parse_str(a).map_err(|_| AppError::field("account", "id.invalid"))?),
        None => None,
    };
    let bytes = bilan_app::exports::export_contacts(&state.app, &actor, account, separator(&q)).await?;
    Ok(csv_download("contacts.csv", bytes))
}

/// A message whose account could not be found (not imported).
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmatchedMailResponse {
    /// Position in the file, from 1.
    pub index: usize,
    /// Sender's address.
    pub from: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Date (RFC 3339, UTC).
    pub date: Option<String>,
    /// Client-side addresses that matched no contact nor account.
    pub addresses: Vec<String>,
}

/// A message refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedMailResponse {
    /// Position in the file, from 1.
    pub index: usize,
    /// Stable code (`mail.not_a_message`, `mail.no_date`, `mail.future`…).
    pub code: String,
    /// Message in English.
    pub message: String,
}

/// What an e-mail import did (or would do, for a dry run).
#[derive(Debug, Serialize, ToSchema)]
pub struct MailImportReportResponse {
    /// Messages in the file.
    pub total: usize,
    /// Interactions written (to be written, for a dry run).
    pub imported: usize,
    /// Messages already imported (same Message-ID), skipped.
    pub duplicates: usize,
    /// Messages whose account could not be found; re-import with `account=ID`.
    pub unmatched: Vec<UnmatchedMailResponse>,
    /// Messages refused.
    pub refused: Vec<RefusedMailResponse>,
    /// Whether anything was written.
    pub committed: bool,
}

impl From<MailImportReport> for MailImportReportResponse {
    fn from(r: MailImportReport) -> Self {
        MailImportReportResponse {
            total: r.total,
            imported: r.imported,
            duplicates: r.duplicates,
            unmatched: r
                .unmatched
                .into_iter()
                .map(|u| UnmatchedMailResponse {
                    index: u.index,
                    from: u.from,
                    subject: u.subject,
                    date: u.date.map(|d| d.to_rfc3339()),
                    addresses: u.addresses,
                })
                .collect(),
            refused: r
                .refused
                .into_iter()
                .map(|f| RefusedMailResponse {
                    index: f.index,
                    message: bilan_i18n::error_message(bilan_i18n::Lang::En, &f.code).to_owned(),
                    code: f.code,
                })
                .collect(),
            committed: r.committed,
        }
    }
}

/// Imports e-mails: the body is one `.eml` message or an mbox export (detected by
/// its `From ` line, or `mbox=true`). Senders and recipients are matched to
/// contacts by address and to accounts by domain; messages whose account cannot be
/// found are listed in `unmatched` and not imported (`account=ID` puts every
/// message on one account). Re-importing skips messages already imported.
#[utoipa::path(post, path = "/api/v1/imports/emails", tag = "imports", request_body(description = "One e-mail (.eml) or, with mbox=true, a mailbox", content((String = "message/rfc822"), (String = "application/mbox"), (String = "text/plain"))),
    params(("dry_run" = Option<bool>, Query, description = "Report only"), ("account" = Option<String>, Query, description = "Account receiving every message"),
           ("mbox" = Option<bool>, Query, description = "Read the body as an mbox")),
    responses((status = 200, body = MailImportReportResponse), (status = 422, description = "Unreadable file", body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("import_data"))))]
pub async fn import_emails(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Json<MailImportReportResponse>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let flag = |name: &str| {
        pairs
            .iter()
            .any(|(k, v)| k == name && matches!(v.as_str(), "true" | "1" | "yes" | ""))
    };
    let account = match pairs.iter().find(|(k, v)| k == "account" && !v.is_empty()) {
        Some((_, v)) => Some(uuid::Uuid::parse_str(v).map_err(|_| AppError::field("account", "id.invalid"))?),
        None => None,
    };
    let opts = MailImportOptions {
        dry_run: flag("dry_run"),
        account_id: account,
        mbox: flag("mbox"),
    };
    let report = bilan_app::mail_import::import_mail(&state.app, &actor, &body, &opts).await?;
    Ok(Json(report.into()))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_accounts))
        .routes(routes!(import_contacts))
        .routes(routes!(import_interactions))
        .routes(routes!(export_accounts))
        .routes(routes!(export_contacts))
        .routes(routes!(import_emails))
}
