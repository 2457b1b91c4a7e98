//! Turning use-case errors into HTTP answers: problem+json for the API, an error
//! page (or an htmx toast) for the pages. Bad input is never a 500.

use axum::http::StatusCode;
use bilan_app::AppError;
use bilan_i18n::{Lang, Tr};

/// The HTTP status of a use-case error.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Duplicate { .. } | AppError::Stale { .. } | AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Logs server-side failures once, here, where they are handled; returns an operation id.
pub fn log_if_internal(e: &AppError) -> Option<String> {
    if matches!(e, AppError::Db(_) | AppError::Internal(_)) {
        let op = uuid::Uuid::new_v4().simple().to_string();
        tracing::error!(operation.id = %op, error = %e, "request failed");
        Some(op)
    } else {
        None
    }
}

/// The human message of an error in a language.
pub fn message(lang: Lang, e: &AppError) -> String {
    let tr = Tr(lang);
    match e {
        AppError::Conflict(code) if bilan_i18n::has(&format!("error.{code}")) => tr.error(code).to_owned(),
        AppError::Duplicate { field } => format!("{} ({})", tr.error("duplicate"), tr.t(&format!("field.{field}"))),
        other => tr.error(other.code()).to_owned(),
    }
}

/// The `Retry-After` header a refusal carries: every 429 says when to come back.
pub fn with_retry_after(e: &AppError, mut res: axum::response::Response) -> axum::response::Response {
    if let AppError::Throttled { retry_after_secs } = e {
        if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_secs.max(&1).to_string()) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
    }
    res
}
