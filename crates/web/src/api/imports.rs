//! `/api/v1/imports` and `/api/v1/exports` (wired once the import use cases land).

use super::problem::ApiResult;
use crate::session::ApiActor;
use axum::http::StatusCode;

/// Imports accounts from CSV.
#[utoipa::path(post, path = "/api/v1/imports/accounts", tag = "imports", responses((status = 200)))]
pub async fn import_accounts(ApiActor(_a): ApiActor) -> ApiResult<StatusCode> { Ok(StatusCode::NOT_IMPLEMENTED) }
/// Imports contacts from CSV.
#[utoipa::path(post, path = "/api/v1/imports/contacts", tag = "imports", responses((status = 200)))]
pub async fn import_contacts(ApiActor(_a): ApiActor) -> ApiResult<StatusCode> { Ok(StatusCode::NOT_IMPLEMENTED) }
/// Exports accounts as CSV.
#[utoipa::path(get, path = "/api/v1/exports/accounts", tag = "imports", responses((status = 200)))]
pub async fn export_accounts(ApiActor(_a): ApiActor) -> ApiResult<StatusCode> { Ok(StatusCode::NOT_IMPLEMENTED) }
/// Exports contacts as CSV.
#[utoipa::path(get, path = "/api/v1/exports/contacts", tag = "imports", responses((status = 200)))]
pub async fn export_contacts(ApiActor(_a): ApiActor) -> ApiResult<StatusCode> { Ok(StatusCode::NOT_IMPLEMENTED) }
