//! Use-case errors: each has a stable code (also its translation key) and
//! maps to one HTTP status in the web layer.

use bilan_db::DbError;
use bilan_domain::ValidationErrors;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input is invalid; every field at fault is listed.
    #[error("invalid input: {0}")]
    Validation(ValidationErrors),
    /// No such record in the caller's workspace.
    #[error("not found")]
    NotFound,
    /// The caller's role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// No valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong e-mail or password (deliberately not saying which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many attempts; retry later.
    #[error("too many attempts, retry in {retry_after_secs} s")]
    Throttled {
        /// Seconds until a retry may succeed.
        retry_after_secs: i64,
    },
    /// A unique value is already taken (`field` names it).
    #[error("{field} already exists")]
    Duplicate {
        /// The field whose value is taken.
        field: String,
    },
    /// The record changed since the caller read it.
    #[error("stale version: the record is now at version {current_version}")]
    Stale {
        /// The version now stored.
        current_version: i64,
    },
    /// The request contradicts the current state (e.g. demoting the last admin).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request body is larger than the route accepts.
    #[error("the body exceeds {limit_bytes} bytes")]
    TooLarge {
        /// The route's limit.
        limit_bytes: usize,
    },
    /// Storage failure.
    #[error(transparent)]
    Db(DbError),
    /// Anything else unexpected.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable code, also the translation key of the message shown in pages.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation_failed",
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Throttled { .. } => "throttled",
            AppError::Duplicate { .. } => "duplicate",
            AppError::Stale { .. } => "stale_version",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge { .. } => "too_large",
            AppError::Db(_) | AppError::Internal(_) => "internal",
        }
    }

    /// A validation error on a single field.
    pub fn field(field: &str, code: &str) -> Self {
        let mut e = ValidationErrors::new();
        e.add(field, code);
        AppError::Validation(e)
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Conflict(what) => AppError::Duplicate {
                field: constraint_field(&what),
            },
            DbError::MissingReference(_) => AppError::field("reference", "reference.missing"),
            other => AppError::Db(other),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Validation(e)
    }
}

/// Names the input field behind a unique index, whatever the engine said.
fn constraint_field(what: &str) -> String {
    if what.contains("external_ref") {
        "external_ref".into()
    } else if what.contains("email") {
        "email".into()
    } else if what.contains("name") {
        "name".into()
    } else {
        "id".into()
    }
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;
