//! Login, logout and the language switch.

use super::{field, form_pairs, render, see_other, Layout};
use crate::client_addr::ClientAddr;
use crate::session::{
    cookie, resolve_lang, safe_next, set_cookie, PageUser, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::{auth, users, AppError};
use bilan_domain::contacts::Language;
use bilan_i18n::{Lang, Tr};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

/// Query of the login page.
#[derive(Debug, serde::Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    lang: Lang,
    email: &str,
    next: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = auth::random_secret();
    let page = LoginPage {
        l: Layout {
            csrf: csrf.clone(),
            ..Layout::anonymous(lang)
        },
        email: email.to_owned(),
        next: next.to_owned(),
        error,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.config.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// GET /login
pub async fn show_login(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let lang = resolve_lang(None, &headers);
    login_page(&state, lang, "", &safe_next(q.next.as_deref()), None, StatusCode::OK)
}

/// POST /login
pub async fn submit_login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = resolve_lang(None, &headers);
    let pairs = form_pairs(&body);
    let email = field(&pairs, "email").unwrap_or("").to_owned();
    let next = safe_next(field(&pairs, "next"));
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !crate::csrf::tokens_match(field(&pairs, "_csrf"), &expected) {
        let msg = Tr(lang).error("csrf").to_owned();
        return login_page(&state, lang, &email, &next, Some(msg), StatusCode::FORBIDDEN);
    }
    let ip = client.map(|c| c.to_string());
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    match auth::login(
        &state.app,
        &email,
        field(&pairs, "password").unwrap_or(""),
        ip.as_deref(),
        ua,
    )
    .await
    {
        Ok(s) => {
            let mut res = see_other(&next);
            let max_age = state.app.config.session_absolute.num_seconds();
            if let Ok(v) = set_cookie(SESSION_COOKIE, &s.token, max_age, state.config.secure_cookies).parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            if matches!(e, AppError::Db(_) | AppError::Internal(_)) {
                crate::error::log_if_internal(&e);
            }
            let page = login_page(
                &state,
                lang,
                &email,
                &next,
                Some(crate::error::message(lang, &e)),
                status,
            );
            crate::error::with_retry_after(&e, page)
        }
    }
}

/// POST /logout
pub async fn logout(State(state): State<AppState>, _user: PageUser, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = auth::logout(&state.app, &token).await {
            crate::error::log_if_internal(&e);
        }
    }
    let mut res = see_other("/login");
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// POST /language — remembered on the user when logged in, in a cookie always.
pub async fn switch_language(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let lang = field(&pairs, "lang").and_then(Lang::parse).unwrap_or_default();
    let back = safe_next(field(&pairs, "next"));
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(live) = auth::authenticate_session(&state.app, &token).await {
            let provided = field(&pairs, "_csrf").map(str::to_owned);
            if !crate::csrf::tokens_match(provided.as_deref(), &live.session.csrf_token) {
                return super::error_page(lang, Some(&live.actor), &AppError::Forbidden);
            }
            let language = if lang == Lang::En { Language::En } else { Language::Fr };
            if let Err(e) = users::set_language(&state.app, &live.actor, language).await {
                return super::error_page(lang, Some(&live.actor), &e);
            }
        }
    }
    let mut res = see_other(&back);
    if let Ok(v) = set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, state.config.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.into_response()
}
