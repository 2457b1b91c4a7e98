//! The OpenAPI document: its header here, its operations from the router
//! (each capability's `routes()`), so the two cannot drift apart.

use axum::Json;
use std::sync::LazyLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Bilan's API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Bilan API", description = "The client relationship ledger: accounts, contacts, users, imports and exports. Errors are application/problem+json with a stable `code` and an `errors` array of {field, code, message}."),
    modifiers(&BearerAuth),
    tags((name = "accounts", description = "Client accounts (comptes) and their sites"), (name = "contacts", description = "People of client accounts"),
         (name = "users", description = "The team and its roles"), (name = "imports", description = "CSV import and export"),
         (name = "audit", description = "Who changed what, when"),
         (name = "timeline", description = "Shared history: interactions, follow-ups, response times"),
         (name = "surveys", description = "Hot satisfaction: surveys, sending rules, answers, NPS/CSAT/CES figures, outbox"),
         (name = "jobs", description = "Background jobs: what ran, what failed and why"))
)]
pub struct ApiDoc;

/// The document: the header above and every operation the router serves.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| super::operations().into_openapi());
    &DOCUMENT
}

/// The document as JSON text (also printed by `bilan openapi`).
pub fn openapi_json() -> String {
    document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// GET /api/v1/openapi.json
pub async fn serve_openapi() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(document())
}

/// What an operation requires of its caller, as its `x-permission` declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// Any signed-in user (the use case then shows each what their role allows).
    Authenticated,
    /// This permission.
    Permission(bilan_domain::roles::Permission),
}

/// The permission the operation at `method` and `path` (the router's pattern,
/// `/api/v1/accounts/{id}`) declares; `None` for an operation the document lacks.
pub fn required(method: &axum::http::Method, path: &str) -> Option<Required> {
    static TABLE: LazyLock<std::collections::HashMap<(String, String), Required>> = LazyLock::new(|| {
        let doc = serde_json::to_value(document()).unwrap_or_default();
        let mut table = std::collections::HashMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let needed = match op["x-permission"].as_str() {
                    Some("authenticated") => Some(Required::Authenticated),
                    Some(code) => bilan_domain::roles::Permission::ALL
                        .into_iter()
                        .find(|p| p.code() == code)
                        .map(Required::Permission),
                    None => None,
                };
                if let Some(n) = needed {
                    table.insert((method.to_uppercase(), path.clone()), n);
                }
            }
        }
        table
    });
    TABLE.get(&(method.as_str().to_owned(), path.to_owned())).copied()
}
