//! `/api/v1/users`: the workspace's users; admins add and change them.

use super::parse_id;
use super::problem::{ApiError, ApiResult, Problem};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use bilan_app::users::User;
use bilan_app::users::{self as uc, NewUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// Identifier.
    pub id: String,
    /// Login e-mail.
    pub email: String,
    /// Name shown.
    pub display_name: String,
    /// admin, manager, account_manager, finance, support or viewer.
    pub role: String,
    /// Interface language.
    pub language: Option<String>,
    /// Whether the user is disabled.
    pub disabled: bool,
    /// Creation instant.
    pub created_at: String,
    /// Last sign-in (UTC, RFC 3339); absent when never.
    pub last_login_at: Option<String>,
    /// Send it back as `If-Match` or `version` to change the user.
    pub version: i64,
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// The users, by name.
    pub items: Vec<UserResponse>,
    /// Always absent: a workspace's users fit on one page (kept for the shape every list has).
    pub next_cursor: Option<String>,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        UserResponse {
            id: u.id.to_string(),
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            language: u.language,
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at.to_rfc3339(),
            last_login_at: u.last_login_at.map(|t| t.to_rfc3339()),
            version: u.version,
        }
    }
}

/// A colleague to invite: they receive an e-mail with a single-use link to choose their password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InvitationBody {
    /// Login e-mail.
    pub email: String,
    /// Name shown (default: the e-mail's local part).
    #[serde(default)]
    pub display_name: Option<String>,
    /// admin, manager, account_manager, finance, support or viewer.
    pub role: String,
    /// fr or en (the e-mail is written in it).
    #[serde(default)]
    pub language: Option<String>,
}

/// An invitation sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    /// The colleague, who cannot sign in until they choose a password.
    pub user: UserResponse,
    /// Until when the link works (UTC, RFC 3339).
    pub expires_at: String,
}

/// Invites a colleague by e-mail (admin only): the link to choose their password goes through the outbox.
#[utoipa::path(post, path = "/api/v1/users/invitations", tag = "users", request_body = InvitationBody,
    responses((status = 201, body = InvitationResponse), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_users"))))]
pub async fn invite_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<InvitationResponse>)> {
    let b: InvitationBody = super::problem::parse_json(&body)?;
    let sent = bilan_app::invitations::invite(
        &state.app,
        &actor,
        &bilan_app::invitations::NewInvitation {
            email: b.email,
            display_name: b.display_name,
            role: b.role,
            language: b.language,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationResponse {
            user: sent.user.into(),
            expires_at: sent.expires_at.to_rfc3339(),
        }),
    ))
}

/// A new colleague.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserBody {
    /// Login e-mail.
    pub email: String,
    /// Name shown.
    pub display_name: Option<String>,
    /// Role code.
    pub role: String,
    /// Initial password (10 characters or more).
    pub password: String,
    /// fr or en.
    pub language: Option<String>,
}

/// Changes to a user; the version read is required (here or as `If-Match`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserPatch {
    /// The version read (or send `If-Match`).
    pub version: Option<super::bodies::Whole>,
    /// Name shown.
    pub display_name: Option<String>,
    /// Role code.
    pub role: Option<String>,
    /// Disable (true) or enable (false).
    pub disabled: Option<bool>,
}

/// Lists the workspace's users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = UserList)), security(("bearer" = [])), extensions(("x-permission" = json!("read_users"))))]
pub async fn list_users(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<UserList>> {
    let items = uc::list_users(&state.app, &actor)
        .await?
        .into_iter()
        .map(UserResponse::from)
        .collect();
    Ok(Json(UserList {
        items,
        next_cursor: None,
    }))
}

/// Adds a colleague (admin only).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = UserResponse), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("manage_users"))))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<UserResponse>)> {
    let b: NewUserBody = super::problem::parse_json(&body)?;
    let u = uc::create_user(
        &state.app,
        &actor,
        &NewUser {
            email: b.email,
            display_name: b.display_name,
            role: b.role,
            password: b.password,
            language: b.language,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

/// Finds a user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserResponse), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_users"))))]
pub async fn find_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<UserResponse>> {
    Ok(Json(uc::find_user(&state.app, &actor, parse_id(&id)?).await?.into()))
}

/// Changes a user's name, role or enabled state (admin only; the last admin stays).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = String, Path, description = "User id"), ("If-Match" = Option<String>, Header, description = "The version read; 412 when it moved")),
    responses((status = 200, body = UserResponse), (status = 403, body = Problem), (status = 409, description = "Stale version (body) or last admin", body = Problem),
              (status = 412, description = "Stale version (If-Match)", body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("manage_users"))))]
pub async fn update_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<UserResponse>> {
    let raw: serde_json::Value = super::problem::parse_json(&body)?;
    let expected = super::ExpectedVersion::from_request(&headers, &raw)?;
    let p: UserPatch = serde_json::from_value(raw).map_err(|e| ApiError::bad_body(e.to_string()))?;
    let u = uc::update_user(
        &state.app,
        &actor,
        parse_id(&id)?,
        p.display_name.as_deref(),
        p.role.as_deref(),
        p.disabled,
        Some(expected.value()),
    )
    .await
    .map_err(|e| expected.map_err(e))?;
    Ok(Json(u.into()))
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(find_user, update_user))
        .routes(routes!(invite_user))
}
