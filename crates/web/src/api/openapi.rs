//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
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
    paths(
        super::accounts::list_accounts, super::accounts::create_account, super::accounts::find_account,
        super::accounts::update_account, super::accounts::delete_account, super::accounts::list_sites,
        super::accounts::create_site, super::accounts::delete_site,
        super::contacts::list_contacts, super::contacts::create_contact, super::contacts::find_contact,
        super::contacts::update_contact, super::contacts::delete_contact,
        super::users::list_users, super::users::create_user, super::users::find_user, super::users::update_user,
        super::imports::import_accounts, super::imports::import_contacts, super::imports::import_interactions, super::imports::import_emails, super::imports::export_accounts, super::imports::export_contacts, super::audit::list_audit, super::search::search,
        super::timeline::list_interactions, super::timeline::create_interaction, super::timeline::create_batch,
        super::timeline::find_interaction, super::timeline::update_interaction, super::timeline::delete_interaction,
        super::timeline::link_answer, super::timeline::list_follow_ups, super::timeline::complete_follow_up,
        super::timeline::response_times,
        super::surveys::list_surveys, super::surveys::create_survey, super::surveys::find_survey,
        super::surveys::update_survey, super::surveys::create_rule, super::surveys::delete_rule,
        super::surveys::update_settings, super::surveys::send_survey, super::surveys::satisfaction,
        super::surveys::list_answers, super::surveys::export_answers, super::surveys::outbox,
        super::surveys::retry_outbox,
        super::jobs::list_jobs, super::jobs::retry_job,
    ),
    modifiers(&BearerAuth),
    tags((name = "accounts", description = "Client accounts (comptes) and their sites"), (name = "contacts", description = "People of client accounts"),
         (name = "users", description = "The team and its roles"), (name = "imports", description = "CSV import and export"),
         (name = "audit", description = "Who changed what, when"),
         (name = "timeline", description = "Shared history: interactions, follow-ups, response times"),
         (name = "surveys", description = "Hot satisfaction: surveys, sending rules, answers, NPS/CSAT/CES figures, outbox"),
         (name = "jobs", description = "Background jobs: what ran, what failed and why"))
)]
pub struct ApiDoc;

/// The document as JSON text (also printed by `bilan openapi`).
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// GET /api/v1/openapi.json
pub async fn serve_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
