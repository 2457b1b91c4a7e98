//! The team page: colleagues, their roles, the permission matrix; admins add
//! colleagues, change roles and disable accounts.

use super::{error_response, field, form_pairs, render, see_other, FormErrors, Layout};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::users::User;
use bilan_app::users::{self as uc, NewUser};
use bilan_app::AppError;
use bilan_domain::roles::{Permission, Role};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "users/list.html")]
struct UsersPage {
    l: Layout,
    users: Vec<User>,
    roles: Vec<&'static str>,
    permissions: Vec<&'static str>,
    errors: FormErrors,
    draft_email: String,
    draft_name: String,
    /// Colleagues whose invitation is still open.
    pending: Vec<Uuid>,
}

impl UsersPage {
    fn is_me(&self, u: &User) -> bool {
        self.l.actor.as_ref().is_some_and(|a| a.user_id == u.id)
    }

    fn is_pending(&self, u: &User) -> bool {
        self.pending.contains(&u.id)
    }

    fn grants(&self, role: &str, permission: &str) -> bool {
        match (
            Role::from_code(role),
            Permission::ALL.into_iter().find(|p| p.code() == permission),
        ) {
            (Some(r), Some(p)) => r.can(p),
            _ => false,
        }
    }
}

async fn page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    notice: Option<String>,
    errors: FormErrors,
    draft: (String, String),
) -> Response {
    let users = match uc::list_users(&state.app, &user.actor).await {
        Ok(u) => u,
        Err(e) => return error_response(user, headers, &e),
    };
    let pending = bilan_app::invitations::pending(&state.app, &user.actor)
        .await
        .unwrap_or_default();
    let mut l = Layout::for_user(user, "users");
    l.notice = notice;
    let failed = errors.general.is_some();
    let mut res = render(&UsersPage {
        l,
        users,
        roles: Role::ALL.iter().map(|r| r.code()).collect(),
        permissions: Permission::ALL.iter().map(|p| p.code()).collect(),
        errors,
        draft_email: draft.0,
        draft_name: draft.1,
        pending,
    });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// GET /users
pub async fn list_users(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = super::accounts::notice(&user, raw.as_deref());
    page(
        &state,
        &user,
        &headers,
        notice,
        FormErrors::none(user.lang),
        Default::default(),
    )
    .await
}

/// POST /users
pub async fn create_user(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let new = NewUser {
        email: field(&pairs, "email").unwrap_or("").to_owned(),
        display_name: field(&pairs, "display_name").map(str::to_owned),
        role: field(&pairs, "role").unwrap_or("").to_owned(),
        password: field(&pairs, "password").unwrap_or("").to_owned(),
        language: field(&pairs, "language").map(str::to_owned),
    };
    match uc::create_user(&state.app, &user.actor, &new).await {
        Ok(_) => see_other("/users?done=created"),
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            page(
                &state,
                &user,
                &headers,
                None,
                errors,
                (new.email, new.display_name.unwrap_or_default()),
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /users/invite — invites a colleague by e-mail; they choose their own password.
pub async fn invite_user(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let input = bilan_app::invitations::NewInvitation {
        email: field(&pairs, "email").unwrap_or("").to_owned(),
        display_name: field(&pairs, "display_name").map(str::to_owned),
        role: field(&pairs, "role").unwrap_or("").to_owned(),
        language: field(&pairs, "language").map(str::to_owned),
    };
    match bilan_app::invitations::invite(&state.app, &user.actor, &input).await {
        Ok(_) => see_other("/users?done=invited"),
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            page(
                &state,
                &user,
                &headers,
                None,
                errors,
                (input.email, input.display_name.unwrap_or_default()),
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /users/{id} — role change, disable or enable.
pub async fn update_user(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let disabled = field(&pairs, "disabled").map(|v| v == "true");
    match uc::update_user(
        &state.app,
        &user.actor,
        id,
        field(&pairs, "display_name"),
        field(&pairs, "role"),
        disabled,
        field(&pairs, "version").and_then(|v| v.parse::<i64>().ok()),
    )
    .await
    {
        Ok(_) => see_other("/users?done=saved"),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let errors = FormErrors::from_error(user.lang, &e);
            page(&state, &user, &headers, None, errors, Default::default()).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}
