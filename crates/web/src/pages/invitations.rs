//! The page an invited colleague opens from their e-mail: they choose their own
//! password, then they are signed in. Public (the link's secret is the
//! credential), rate-limited like the survey pages, never cached.

use super::{render, FormErrors, Layout};
use crate::client_addr::ClientAddr;
use crate::session::{resolve_lang, set_cookie, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::invitations::{self as uc, OpenInvitation};
use bilan_app::AppError;
use bilan_i18n::Lang;

#[derive(Template)]
#[template(path = "invitations/accept.html")]
struct AcceptPage {
    l: Layout,
    title: String,
    secret: String,
    invitation: Option<OpenInvitation>,
    errors: FormErrors,
}

fn layout(lang: Lang) -> Layout {
    Layout::anonymous(lang)
}

fn page(
    lang: Lang,
    status: StatusCode,
    secret: &str,
    invitation: Option<OpenInvitation>,
    errors: FormErrors,
) -> Response {
    let title = match &invitation {
        Some(i) => bilan_i18n::t(lang, "invite.title").replace("{company}", &i.company),
        None => bilan_i18n::t(lang, "invite.closed_title").to_owned(),
    };
    let mut res = (
        status,
        render(&AcceptPage {
            l: layout(lang),
            title,
            secret: secret.to_owned(),
            invitation,
            errors,
        }),
    )
        .into_response();
    // The address holds a secret: no cache keeps it, no link to another site leaks
    // it ("same-origin", not "no-referrer": with that, browsers post the form with
    // `Origin: null`, which the CSRF check rightly refuses).
    res.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res.headers_mut()
        .insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    res
}

fn throttled(state: &AppState, client: Option<std::net::IpAddr>) -> Option<Response> {
    let ip = client?;
    match state.public_limiter.check(ip, std::time::Instant::now()) {
        Ok(()) => None,
        Err(wait) => {
            let mut res = StatusCode::TOO_MANY_REQUESTS.into_response();
            if let Ok(v) = wait.to_string().parse() {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Some(res)
        }
    }
}

fn lang_of(i: &OpenInvitation, headers: &HeaderMap) -> Lang {
    i.language
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(|| resolve_lang(None, headers))
}

/// GET /invitations/{secret}
pub async fn show(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    match uc::open(&state.app, &secret).await {
        Ok(Ok(i)) => {
            let lang = lang_of(&i, &headers);
            page(lang, StatusCode::OK, &secret, Some(i), FormErrors::none(lang))
        }
        Ok(Err(_)) => {
            let lang = resolve_lang(None, &headers);
            page(lang, StatusCode::GONE, &secret, None, FormErrors::none(lang))
        }
        Err(e) => super::error_page(resolve_lang(None, &headers), None, &e),
    }
}

/// POST /invitations/{secret} — sets the password, then signs the person in.
pub async fn accept(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    let pairs = super::form_pairs(&body);
    let password = super::field(&pairs, "password").unwrap_or("");
    let confirmation = super::field(&pairs, "confirmation").unwrap_or("");
    let open = match uc::open(&state.app, &secret).await {
        Ok(Ok(i)) => i,
        Ok(Err(_)) => {
            let lang = resolve_lang(None, &headers);
            return page(lang, StatusCode::GONE, &secret, None, FormErrors::none(lang));
        }
        Err(e) => return super::error_page(resolve_lang(None, &headers), None, &e),
    };
    let lang = lang_of(&open, &headers);
    match uc::accept(&state.app, &secret, password, confirmation).await {
        Ok(email) => {
            let ip = client.map(|c| c.to_string());
            let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
            match bilan_app::auth::login(&state.app, &email, password, ip.as_deref(), ua).await {
                Ok(s) => {
                    let mut res = super::see_other("/");
                    let max_age = state.app.config.session_absolute.num_seconds();
                    if let Ok(v) = set_cookie(SESSION_COOKIE, &s.token, max_age, state.config.secure_cookies).parse() {
                        res.headers_mut().append(header::SET_COOKIE, v);
                    }
                    res
                }
                // The password is saved; signing in is one form away.
                Err(_) => super::see_other("/login?done=invited"),
            }
        }
        Err(e @ AppError::Validation(_)) => page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &secret,
            Some(open),
            FormErrors::from_error(lang, &e),
        ),
        Err(AppError::Conflict(_)) => page(lang, StatusCode::GONE, &secret, None, FormErrors::none(lang)),
        Err(e) => super::error_page(lang, None, &e),
    }
}
