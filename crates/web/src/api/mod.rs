//! The JSON API under `/api/v1`: bearer tokens, cursor pagination, problem+json
//! errors, optimistic concurrency, and its OpenAPI document.

pub mod accounts;
pub mod audit;
pub mod bodies;
pub mod complaints;
pub mod contacts;
pub mod imports;
pub mod invoices;
pub mod jobs;
pub mod key_accounts;
pub mod my_day;
pub mod openapi;
pub mod problem;
pub mod reviews;
pub mod search;
pub mod surveys;
pub mod timeline;
pub mod users;

use crate::AppState;
use axum::http::HeaderMap;
use axum::routing::{any, get};
use axum::Router;
use bilan_app::AppError;
use problem::{ApiError, ApiResult};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

/// Every API operation with its OpenAPI description, one list per capability:
/// a route cannot exist without its documentation. Paths are absolute (`/api/v1/…`).
pub fn operations() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(accounts::routes())
        .merge(contacts::routes())
        .merge(users::routes())
        .merge(imports::routes())
        .merge(audit::routes())
        .merge(search::routes())
        .merge(timeline::routes())
        .merge(surveys::routes())
        .merge(jobs::routes())
        .merge(my_day::routes())
        .merge(key_accounts::routes())
        .merge(complaints::routes())
        .merge(invoices::routes())
        .merge(reviews::routes())
}

/// The API's router: its operations, the OpenAPI document, and problem+json for
/// any other path under `/api/v1`.
pub fn router() -> Router<AppState> {
    let (router, _) = operations().split_for_parts();
    router
        .route("/api/v1/openapi.json", get(openapi::serve_openapi))
        .route("/api/v1/{*rest}", any(|| async { ApiError::from(AppError::NotFound) }))
        .route("/api/v1", any(|| async { ApiError::from(AppError::NotFound) }))
}

/// Query-string parameters whose malformed values answer problem+json (400), like bodies.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        check_limit(raw)?;
        serde_urlencoded::from_str(raw).map(ApiQuery).map_err(|e| ApiError {
            error: AppError::field("query", "query.invalid"),
            status: Some(axum::http::StatusCode::BAD_REQUEST),
            detail: Some(format!("invalid query string: {e}")),
        })
    }
}

/// The largest page any list answers (`limit`), as documented on every list.
pub const LIMIT_MAX: u32 = 200;

/// `limit`, when given, is a whole number from 1 to [`LIMIT_MAX`]: a larger one is
/// refused rather than silently cut, so a client learns the page size it gets.
fn check_limit(raw: &str) -> ApiResult<()> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "limit") {
        if !v.parse::<u32>().is_ok_and(|n| (1..=LIMIT_MAX).contains(&n)) {
            return Err(ApiError {
                error: AppError::field("limit", "limit.range"),
                status: Some(axum::http::StatusCode::BAD_REQUEST),
                detail: Some(format!("limit must be a whole number from 1 to {LIMIT_MAX}")),
            });
        }
    }
    Ok(())
}

/// Parses an id from a path; a malformed id is simply not found.
pub fn parse_id(raw: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::from(AppError::NotFound))
}

/// The version a client says it read: `If-Match` header (412 when stale) or the
/// body's `version` (409 when stale).
pub enum ExpectedVersion {
    /// From `If-Match`.
    Header(i64),
    /// From the body.
    Body(i64),
}

impl ExpectedVersion {
    /// Reads it from the request; one of the two is required.
    pub fn from_request(headers: &HeaderMap, body: &serde_json::Value) -> ApiResult<ExpectedVersion> {
        if let Some(v) = headers.get(axum::http::header::IF_MATCH).and_then(|v| v.to_str().ok()) {
            let n = v.trim().trim_start_matches("W/").trim_matches('"').parse::<i64>();
            return n
                .map(ExpectedVersion::Header)
                .map_err(|_| ApiError::from(AppError::field("If-Match", "version.required")));
        }
        let whole = |v: &serde_json::Value| {
            v.as_i64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        };
        match body.get("version").and_then(whole) {
            Some(v) => Ok(ExpectedVersion::Body(v)),
            None => Err(ApiError::from(AppError::field("version", "version.required"))),
        }
    }

    /// The number.
    pub fn value(&self) -> i64 {
        match self {
            ExpectedVersion::Header(v) | ExpectedVersion::Body(v) => *v,
        }
    }

    /// Maps a stale-version error to 412 when the client used `If-Match`.
    pub fn map_err(&self, e: AppError) -> ApiError {
        let stale = matches!(e, AppError::Stale { .. });
        let mut err = ApiError::from(e);
        if stale && matches!(self, ExpectedVersion::Header(_)) {
            err.status = Some(axum::http::StatusCode::PRECONDITION_FAILED);
        }
        err
    }
}
