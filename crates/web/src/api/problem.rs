//! `application/problem+json` errors (RFC 9457) with a stable code and the fields at fault.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::AppError;
use bilan_i18n::{Lang, Tr};
use serde::Serialize;
use utoipa::ToSchema;

/// One field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field (JSON property, query parameter, or CSV column).
    pub field: String,
    /// Stable code, e.g. `siren.invalid_key`.
    pub code: String,
    /// Human message (English).
    pub message: String,
}

/// The body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Stable error code.
    pub code: String,
    /// Details for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Fields at fault.
    pub errors: Vec<FieldProblem>,
    /// Version now stored, for stale updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// Id to quote when reporting a server failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
}

/// An API failure: a use-case error, possibly with a status override.
#[derive(Debug)]
pub struct ApiError {
    /// The error.
    pub error: AppError,
    /// Status to use instead of the default (412 for a failed If-Match).
    pub status: Option<StatusCode>,
    /// Details for people (e.g. where a JSON body is malformed).
    pub detail: Option<String>,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError {
            error,
            status: None,
            detail: None,
        }
    }
}

impl ApiError {
    /// A 400 about the request body.
    pub fn bad_body(detail: String) -> Self {
        let mut e = bilan_domain::ValidationErrors::new();
        e.add("body", "body.invalid");
        ApiError {
            error: AppError::Validation(e),
            status: Some(StatusCode::BAD_REQUEST),
            detail: Some(detail),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status.unwrap_or_else(|| crate::error::status_of(&self.error));
        let operation_id = crate::error::log_if_internal(&self.error);
        let tr = Tr(Lang::En);
        let errors = match &self.error {
            AppError::Validation(v) => {
                v.0.iter()
                    .map(|e| FieldProblem {
                        field: e.field.clone(),
                        code: e.code.clone(),
                        message: tr.error(&e.code).to_owned(),
                    })
                    .collect()
            }
            AppError::Duplicate { field } => {
                vec![FieldProblem {
                    field: field.clone(),
                    code: "duplicate".into(),
                    message: tr.error("duplicate").into(),
                }]
            }
            _ => Vec::new(),
        };
        let code = match &self.error {
            AppError::Conflict(c) => c.clone(),
            other => other.code().to_owned(),
        };
        let detail = self.detail.clone().or_else(|| match &self.error {
            AppError::Throttled { retry_after_secs } => Some(format!("retry after {retry_after_secs} s")),
            AppError::TooLarge { limit_bytes } => {
                Some(format!("this route accepts bodies of at most {limit_bytes} bytes"))
            }
            _ => None,
        });
        let body = Problem {
            kind: format!("/problems/{code}"),
            title: crate::error::message(Lang::En, &self.error),
            status: status.as_u16(),
            code,
            detail,
            errors,
            current_version: match &self.error {
                AppError::Stale { current_version } => Some(*current_version),
                _ => None,
            },
            operation_id,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let res = (status, [(header::CONTENT_TYPE, "application/problem+json")], json).into_response();
        crate::error::with_retry_after(&self.error, res)
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// Parses a JSON body, answering 400 with the position of the fault.
/// Every body is a JSON object: a struct is never read from an array (`[null, null]`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_body(format!("invalid JSON body: {e}")))?;
    from_value(value)
}

/// Reads a typed body from a JSON object, naming the property at fault (`items[2].tags`).
pub fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> ApiResult<T> {
    if !value.is_object() {
        return Err(ApiError::bad_body("the body must be a JSON object".into()));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let mut err = ApiError::bad_body(format!("{path}: {}", e.inner()));
        if path != "." {
            let mut v = bilan_domain::ValidationErrors::new();
            v.add(&path, "body.invalid");
            err.error = AppError::Validation(v);
        }
        err
    })
}
