//! The profile page: language, open sessions (revocable), API tokens.

use super::{error_response, field, form_pairs, render, see_other, FormErrors, Layout};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::auth;
use bilan_app::auth::{ApiToken, Session};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "me/show.html")]
struct MePage {
    l: Layout,
    sessions: Vec<Session>,
    current: String,
    tokens: Vec<ApiToken>,
    new_secret: Option<String>,
    errors: FormErrors,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    notice: Option<String>,
    new_secret: Option<String>,
    errors: FormErrors,
) -> Response {
    let sessions = match auth::list_sessions(&state.app, &user.actor).await {
        Ok(s) => s,
        Err(e) => return error_response(user, headers, &e),
    };
    let tokens = match auth::list_tokens(&state.app, &user.actor).await {
        Ok(t) => t,
        Err(e) => return error_response(user, headers, &e),
    };
    let mut l = Layout::for_user(user, "me");
    l.notice = notice;
    render(&MePage {
        l,
        sessions,
        current: user.session.id.clone(),
        tokens,
        new_secret,
        errors,
    })
}

/// GET /me
pub async fn show_me(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = super::accounts::notice(&user, raw.as_deref());
    page(&state, &user, &headers, notice, None, FormErrors::none(user.lang)).await
}

/// POST /me/sessions/{id}/revoke
pub async fn revoke_session(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match auth::revoke_session(&state.app, &user.actor, &id).await {
        Ok(()) if id == user.session.id => see_other("/login"),
        Ok(()) => see_other("/me?done=saved"),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /me/tokens — the secret is shown on this response only.
pub async fn create_token(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    match auth::create_token(&state.app, &user.actor, field(&pairs, "name").unwrap_or("")).await {
        Ok(t) => {
            page(
                &state,
                &user,
                &headers,
                None,
                Some(t.secret),
                FormErrors::none(user.lang),
            )
            .await
        }
        Err(e @ bilan_app::AppError::Validation(_)) => {
            page(
                &state,
                &user,
                &headers,
                None,
                None,
                FormErrors::from_error(user.lang, &e),
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /me/tokens/{id}/revoke
pub async fn revoke_token(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match auth::revoke_token(&state.app, &user.actor, id).await {
        Ok(()) => see_other("/me?done=saved"),
        Err(e) => error_response(&user, &headers, &e),
    }
}
