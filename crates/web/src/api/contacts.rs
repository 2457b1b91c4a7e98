//! `/api/v1/contacts`: list, create, find, update, delete.

use super::bodies::{ContactCreate, ContactPatch};
use super::problem::{ApiResult, Problem};
use super::ApiQuery;
use super::{parse_id, ExpectedVersion};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::contacts::{self as uc, ContactQuery};
use bilan_domain::contacts::Contact;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactResponse {
    /// Identifier.
    pub id: String,
    /// Account.
    pub account_id: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Buying-centre roles: sponsor, decision_maker, buyer, prescriber, key_user, finance.
    pub roles: Vec<String>,
    /// Site id.
    pub site_id: Option<String>,
    /// Language: fr or en.
    pub language: String,
    /// Consent to surveys.
    pub survey_consent: bool,
    /// Date the person left the company.
    pub left_on: Option<String>,
    /// External reference.
    pub external_ref: Option<String>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Creation instant.
    pub created_at: String,
    /// Last update instant.
    pub updated_at: String,
}

impl From<Contact> for ContactResponse {
    fn from(c: Contact) -> Self {
        ContactResponse {
            id: c.id.to_string(),
            account_id: c.account_id.to_string(),
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            job_title: c.job_title,
            roles: c.roles.iter().map(|r| r.code().to_owned()).collect(),
            site_id: c.site_id.map(|s| s.to_string()),
            language: c.language.code().to_owned(),
            survey_consent: c.survey_consent,
            left_on: c.left_on.map(|d| d.to_string()),
            external_ref: c.external_ref,
            version: c.version,
            created_at: c.created_at.to_rfc3339(),
            updated_at: c.updated_at.to_rfc3339(),
        }
    }
}

/// A page of contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactList {
    /// The contacts.
    pub items: Vec<ContactResponse>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

fn with_etag(status: StatusCode, c: Contact) -> Response {
    let etag = format!("\"{}\"", c.version);
    (status, [(header::ETAG, etag)], Json(ContactResponse::from(c))).into_response()
}

/// Lists contacts.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts",
    params(
        ("q" = Option<String>, Query, description = "Full-text search on names, e-mail, job title"),
        ("account" = Option<String>, Query, description = "Only this account's contacts"),
        ("role" = Option<String>, Query, description = "Only this buying-centre role"),
        ("include_left" = Option<bool>, Query, description = "Include people who left"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200"),
    ),
    responses((status = 200, body = ContactList), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_contacts"))))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<ContactList>> {
    let page = uc::list_contacts(&state.app, &actor, &q).await?;
    Ok(Json(ContactList {
        items: page.items.into_iter().map(ContactResponse::from).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// Creates a contact.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactCreate,
    responses((status = 201, body = ContactResponse), (status = 400, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_contacts"))))]
pub async fn create_contact(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Response> {
    let input = super::problem::parse_json::<ContactCreate>(&body)?.into_input()?;
    let c = uc::create_contact(&state.app, &actor, &input).await?;
    Ok(with_etag(StatusCode::CREATED, c))
}

/// Finds a contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path, description = "Contact id")),
    responses((status = 200, body = ContactResponse), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_contacts"))))]
pub async fn find_contact(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(with_etag(
        StatusCode::OK,
        uc::find_contact(&state.app, &actor, parse_id(&id)?).await?,
    ))
}

/// Updates a contact (JSON merge patch with `version` or `If-Match`).
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path, description = "Contact id")), request_body = ContactPatch,
    responses((status = 200, body = ContactResponse), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_contacts"))))]
pub async fn update_contact(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let patch: serde_json::Value = super::problem::parse_json(&body)?;
    let expected = ExpectedVersion::from_request(&headers, &patch)?;
    let current = uc::find_contact(&state.app, &actor, id).await?;
    let input = ContactPatch::apply(&patch, &current.to_input())?;
    let c = uc::update_contact(&state.app, &actor, id, expected.value(), &input)
        .await
        .map_err(|e| expected.map_err(e))?;
    Ok(with_etag(StatusCode::OK, c))
}

/// Deletes a contact.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path, description = "Contact id")),
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_contacts"))))]
pub async fn delete_contact(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    uc::delete_contact(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(find_contact, update_contact, delete_contact))
}
