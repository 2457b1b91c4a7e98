//! `/api/v1/search`: accounts, contacts and interactions matching a text.

use super::accounts::AccountResponse;
use super::contacts::ContactResponse;
use super::problem::{ApiResult, Problem};
use super::timeline::InteractionResponse;
use super::ApiQuery;
use crate::session::ApiActor;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What a search found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Accounts, by name.
    pub accounts: Vec<AccountResponse>,
    /// Contacts, by name.
    pub contacts: Vec<ContactResponse>,
    /// Interactions, newest first.
    pub interactions: Vec<InteractionResponse>,
    /// Accounts matching in all.
    pub accounts_total: i64,
    /// Contacts matching in all.
    pub contacts_total: i64,
    /// Interactions matching, counted up to 1,000 (1000 means "1,000 or more").
    pub interactions_total: i64,
}

/// Search parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    q: String,
    limit: Option<u32>,
}

/// Searches accounts (names, identifiers, city), contacts (names, e-mail, job title) and
/// interactions (subject, summary, tags): accent- and case-insensitive word prefixes.
#[utoipa::path(get, path = "/api/v1/search", tag = "accounts",
    params(("q" = String, Query, description = "Words to find"), ("limit" = Option<u32>, Query, description = "Per section, 1 to 200 (default 10)")),
    responses((status = 200, body = SearchResponse), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("authenticated"))))]
pub async fn search(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResponse>> {
    let r = bilan_app::search::search_all(&state.app, &actor, &p.q, p.limit.unwrap_or(10)).await?;
    Ok(Json(SearchResponse {
        accounts_total: r.accounts_total,
        contacts_total: r.contacts_total,
        interactions_total: r.interactions_total,
        accounts: r.accounts.into_iter().map(AccountResponse::from).collect(),
        contacts: r.contacts.into_iter().map(ContactResponse::from).collect(),
        interactions: r.interactions.into_iter().map(InteractionResponse::from).collect(),
    }))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}
