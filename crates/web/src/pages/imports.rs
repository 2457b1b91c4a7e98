//! Import and export pages (wired once the import use cases land).

use crate::session::PageUser;
use axum::http::StatusCode;

/// GET /import
pub async fn show_import(_u: PageUser) -> StatusCode { StatusCode::NOT_IMPLEMENTED }
/// POST /import/preview
pub async fn preview_import(_u: PageUser) -> StatusCode { StatusCode::NOT_IMPLEMENTED }
/// POST /import/commit
pub async fn commit_import(_u: PageUser) -> StatusCode { StatusCode::NOT_IMPLEMENTED }
/// GET /accounts/export.csv
pub async fn export_accounts(_u: PageUser) -> StatusCode { StatusCode::NOT_IMPLEMENTED }
/// GET /contacts/export.csv
pub async fn export_contacts(_u: PageUser) -> StatusCode { StatusCode::NOT_IMPLEMENTED }
