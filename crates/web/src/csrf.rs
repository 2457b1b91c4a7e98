//! CSRF protection of the pages: a per-session token that every form and htmx
//! request carries (hidden `_csrf` field or `X-CSRF-Token` header), plus an
//! Origin check. The token is compared in [`crate::session::PageUser`].

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The CSRF token a request carried, if any (set by [`capture`]).
#[derive(Debug, Clone)]
pub struct ProvidedCsrf(pub Option<String>);

/// Constant-time comparison, so the token cannot be guessed byte by byte.
pub fn tokens_match(provided: Option<&str>, expected: &str) -> bool {
    let Some(p) = provided else { return false };
    if p.len() != expected.len() || expected.is_empty() {
        return false;
    }
    p.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Reads the token from the header, the query string or a url-encoded body, and
/// refuses cross-origin unsafe requests outright.
pub async fn capture(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if !same_origin(&req) {
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    let from_header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let from_query = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v))
    });
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if from_header.is_some() || from_query.is_some() || !is_form {
        let mut req = req;
        req.extensions_mut().insert(ProvidedCsrf(from_header.or(from_query)));
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match to_bytes(body, 8 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response(),
    };
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v));
    parts.extensions.insert(ProvidedCsrf(token));
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn same_origin(req: &Request) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Browsers send Origin on cross-site POSTs; its absence means same-origin or a non-browser client.
        return true;
    };
    if origin == "null" {
        return false;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_tokens() {
        assert!(tokens_match(Some("abc"), "abc"));
        assert!(!tokens_match(Some("abd"), "abc"));
        assert!(!tokens_match(Some("ab"), "abc"));
        assert!(!tokens_match(None, "abc"));
        assert!(!tokens_match(Some(""), ""));
    }
}
