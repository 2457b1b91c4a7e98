//! The JSON API under `/api/v1`: bearer tokens, cursor pagination, problem+json
//! errors, optimistic concurrency, and its OpenAPI document.

pub mod accounts;
pub mod audit;
pub mod contacts;
pub mod imports;
pub mod jobs;
pub mod openapi;
pub mod problem;
pub mod search;
pub mod surveys;
pub mod timeline;
pub mod users;

use crate::AppState;
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};
use axum::Router;
use bilan_app::AppError;
use problem::{ApiError, ApiResult};
use uuid::Uuid;

/// Every API route (mounted under `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::serve_openapi))
        .route("/audit", get(audit::list_audit))
        .route("/search", get(search::search))
        .route("/accounts", get(accounts::list_accounts).post(accounts::create_account))
        .route(
            "/accounts/{id}",
            get(accounts::find_account)
                .patch(accounts::update_account)
                .delete(accounts::delete_account),
        )
        .route(
            "/accounts/{id}/sites",
            get(accounts::list_sites).post(accounts::create_site),
        )
        .route("/accounts/{id}/sites/{site}", delete(accounts::delete_site))
        .route(
            "/accounts/{id}/interactions",
            get(timeline::list_interactions).post(timeline::create_interaction),
        )
        .route("/interactions/batch", post(timeline::create_batch))
        .route(
            "/interactions/{id}",
            get(timeline::find_interaction)
                .patch(timeline::update_interaction)
                .delete(timeline::delete_interaction),
        )
        .route("/interactions/{id}/answer", post(timeline::link_answer))
        .route("/follow-ups", get(timeline::list_follow_ups))
        .route("/follow-ups/{id}/done", post(timeline::complete_follow_up))
        .route("/response-times", get(timeline::response_times))
        .route("/contacts", get(contacts::list_contacts).post(contacts::create_contact))
        .route(
            "/contacts/{id}",
            get(contacts::find_contact)
                .patch(contacts::update_contact)
                .delete(contacts::delete_contact),
        )
        .route("/users", get(users::list_users).post(users::create_user))
        .route("/users/{id}", get(users::find_user).patch(users::update_user))
        .route("/imports/accounts", post(imports::import_accounts))
        .route("/imports/contacts", post(imports::import_contacts))
        .route("/imports/interactions", post(imports::import_interactions))
        .route("/imports/emails", post(imports::import_emails))
        .route("/exports/accounts", get(imports::export_accounts))
        .route("/exports/contacts", get(imports::export_contacts))
        .route("/exports/survey-answers", get(surveys::export_answers))
        .route("/surveys", get(surveys::list_surveys).post(surveys::create_survey))
        .route("/surveys/{id}", get(surveys::find_survey).patch(surveys::update_survey))
        .route("/surveys/{id}/rules", post(surveys::create_rule))
        .route("/surveys/{id}/send", post(surveys::send_survey))
        .route("/survey-rules/{id}", axum::routing::delete(surveys::delete_rule))
        .route("/survey-settings", axum::routing::put(surveys::update_settings))
        .route("/satisfaction", get(surveys::satisfaction))
        .route("/survey-answers", get(surveys::list_answers))
        .route("/outbox", get(surveys::outbox))
        .route("/outbox/{id}/retry", post(surveys::retry_outbox))
        .route("/jobs", get(jobs::list_jobs))
        .route("/jobs/{id}/retry", post(jobs::retry_job))
        .fallback(|| async { ApiError::from(AppError::NotFound) })
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
