//! Who is calling: the session cookie for pages, the bearer token for the API,
//! and the interface language.

use crate::csrf::ProvidedCsrf;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use bilan_app::auth::Session;
use bilan_app::auth::{self, LiveSession};
use bilan_app::{Actor, AppError};
use bilan_domain::contacts::Language;
use bilan_i18n::Lang;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "bilan_session";
/// Name of the language cookie (used before login).
pub const LANG_COOKIE: &str = "bilan_lang";
/// Name of the login form's CSRF cookie (before a session exists).
pub const LOGIN_CSRF_COOKIE: &str = "bilan_login_csrf";

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The language for a request: the user's choice, then the cookie, then the browser's.
pub fn resolve_lang(user: Option<&Actor>, headers: &HeaderMap) -> Lang {
    if let Some(l) = user.and_then(|a| a.language) {
        return to_lang(l);
    }
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language)
        .map(to_lang)
        .unwrap_or_default()
}

fn to_lang(l: Language) -> Lang {
    match l {
        Language::Fr => Lang::Fr,
        Language::En => Lang::En,
    }
}

/// Whether the request came from htmx (it then wants a fragment).
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some()
}

/// A logged-in person on a page; unsafe methods must carry the session's CSRF token.
#[derive(Debug, Clone)]
pub struct PageUser {
    /// Who.
    pub actor: Actor,
    /// The session.
    pub session: Session,
    /// The interface language.
    pub lang: Lang,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = |parts: &Parts| {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let target = format!("/login?next={}", urlencode(next));
            if is_htmx(&parts.headers) {
                ([("hx-redirect", target)], StatusCode::UNAUTHORIZED).into_response()
            } else {
                Redirect::to(&target).into_response()
            }
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login(parts));
        };
        let LiveSession { actor, session } = match auth::authenticate_session(&state.app, &token).await {
            Ok(s) => s,
            Err(AppError::Unauthenticated) => return Err(to_login(parts)),
            Err(e) => return Err(crate::pages::error_page(Lang::default(), None, &e)),
        };
        let lang = resolve_lang(Some(&actor), &parts.headers);
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let provided = parts.extensions.get::<ProvidedCsrf>().and_then(|p| p.0.clone());
            if !crate::csrf::tokens_match(provided.as_deref(), &session.csrf_token) {
                return Err(crate::pages::error_page(lang, Some(&actor), &AppError::Forbidden).map_csrf());
            }
        }
        Ok(PageUser { actor, session, lang })
    }
}

/// Marks a forbidden response as a CSRF refusal.
trait MapCsrf {
    fn map_csrf(self) -> Response;
}

impl MapCsrf for Response {
    fn map_csrf(mut self) -> Response {
        self.headers_mut()
            .insert("x-bilan-error", header::HeaderValue::from_static("csrf"));
        self
    }
}

/// The caller of an API route, authenticated by `Authorization: Bearer TOKEN` and
/// holding the permission the operation declares (`x-permission` in the document).
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = crate::api::problem::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or(AppError::Unauthenticated)?;
        let actor = auth::authenticate_token(&state.app, token).await?;
        // The operation's declared permission is checked here, before any other
        // extractor reads the body: a caller without the role gets 403, whatever
        // they sent. An operation the document does not describe is refused.
        let path = parts
            .extensions
            .get::<axum::extract::MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        match crate::api::openapi::required(&parts.method, &path) {
            Some(crate::api::openapi::Required::Authenticated) => {}
            Some(crate::api::openapi::Required::Permission(p)) => actor.require(p)?,
            None => {
                tracing::error!(http.path = %path, "API operation without a declared permission");
                return Err(AppError::Forbidden.into());
            }
        }
        if let Some((param, takes)) =
            crate::api::openapi::query_fault(&parts.method, &path, parts.uri.query().unwrap_or(""))
        {
            return Err(crate::api::problem::ApiError {
                error: AppError::field(&param, "query.invalid"),
                status: Some(StatusCode::BAD_REQUEST),
                detail: Some(format!("{param} takes {takes}")),
            });
        }
        Ok(ApiActor(actor))
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A redirect target from a `next` parameter, only if it stays on this site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_redirects() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; bilan_session=xyz; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
        assert_eq!(safe_next(Some("/accounts?q=a")), "/accounts?q=a");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(urlencode("/a?b=c d"), "/a%3Fb%3Dc%20d");
    }

    #[test]
    fn language_resolution() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
        assert_eq!(resolve_lang(None, &h), Lang::En);
        h.insert(header::COOKIE, "bilan_lang=fr".parse().unwrap());
        assert_eq!(resolve_lang(None, &h), Lang::Fr);
        assert_eq!(resolve_lang(None, &HeaderMap::new()), Lang::Fr);
    }
}
