//! The JSON API under `/api/v1`: bearer tokens, cursor pagination, problem+json
//! errors, optimistic concurrency, and its OpenAPI document.

pub mod accounts;
pub mod audit;
pub mod contacts;
pub mod imports;
pub mod jobs;
pub mod my_day;
pub mod openapi;
pub mod problem;
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
        serde_urlencoded::from_str(raw).map(ApiQuery).map_err(|e| ApiError {
            error: AppError::field("query", "query.invalid"),
            status: Some(axum::http::StatusCode::BAD_REQUEST),
            detail: Some(format!("invalid query string: {e}")),
        })
    }
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
        match body.get("version").and_then(serde_json::Value::as_i64) {
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

/// Merges a JSON patch object onto the current record's fields (JSON merge patch:
/// a present key replaces, `null` clears, an absent key keeps).
pub fn merge_patch(current: serde_json::Value, patch: &serde_json::Value) -> ApiResult<serde_json::Value> {
    let (serde_json::Value::Object(mut cur), serde_json::Value::Object(p)) = (current, patch.clone()) else {
        return Err(ApiError::bad_body("the body must be a JSON object".into()));
    };
    for (k, v) in p {
        if k == "version" {
            continue;
        }
        let v = match v {
            serde_json::Value::Number(n) => serde_json::Value::String(n.to_string()),
            serde_json::Value::Bool(b) => serde_json::Value::String(b.to_string()),
            serde_json::Value::Array(items) => serde_json::Value::String(
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string()))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            other => other,
        };
        cur.insert(k, v);
    }
    Ok(serde_json::Value::Object(cur))
}

/// Converts JSON numbers, booleans and arrays to the text inputs the domain validates.
pub fn textify(body: &serde_json::Value) -> ApiResult<serde_json::Value> {
    merge_patch(serde_json::json!({}), body)
}

/// Parses a JSON body into a domain input (numbers and arrays accepted as text).
pub fn parse_input<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let value: serde_json::Value = problem::parse_json(body)?;
    serde_json::from_value(textify(&value)?).map_err(|e| ApiError::bad_body(e.to_string()))
}

/// The input of a record after applying a JSON merge patch to its current fields.
pub fn patched_input<T: serde::Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: &serde_json::Value,
) -> ApiResult<T> {
    let current = serde_json::to_value(current).map_err(|e| ApiError::bad_body(e.to_string()))?;
    serde_json::from_value(merge_patch(current, patch)?).map_err(|e| ApiError::bad_body(e.to_string()))
}
