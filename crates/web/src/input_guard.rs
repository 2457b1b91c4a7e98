//! The one gate every request's input passes before any handler: the body's size
//! (a small limit for JSON and forms, a larger one for the file uploads of imports),
//! and the text rule of [`bilan_domain::validation::text_fault`] on every query
//! parameter, form field and JSON string. A NUL or a bidirectional override is
//! refused here with a 422 naming the field, the same way on both engines, before
//! it can reach a filter or a statement.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bilan_app::AppError;
use bilan_domain::validation::text_fault;

/// Whether a path takes file uploads (CSV, e-mails), which get the larger limit.
pub fn is_upload(path: &str) -> bool {
    path.starts_with("/api/v1/imports/") || path.starts_with("/import/") || path.starts_with("/invoices/import/")
}

/// Whether a path takes a batch of records (a mailbox's 1,000 e-mails in one body).
pub fn is_batch(path: &str) -> bool {
    path.ends_with("/batch")
}

/// Checks and buffers the request's input; see the module documentation.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let api = path.starts_with("/api/");
    if let Some(fault) = req.uri().query().and_then(query_fault) {
        return refuse(api, &req, fault);
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let limit = if is_upload(&path) {
        state.config.max_upload_bytes
    } else if is_batch(&path) {
        state.config.max_batch_bytes
    } else {
        state.config.max_body_bytes
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return refuse(api, &req, too_large(limit));
    }
    let kind = content_kind(&req);
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            let req = Request::from_parts(parts, Body::empty());
            return refuse(api, &req, too_large(limit));
        }
    };
    let fault = match kind {
        ContentKind::Json => json_fault(&bytes),
        ContentKind::Form => form_fault(&bytes),
        ContentKind::Other => None,
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    if let Some(fault) = fault {
        return refuse(api, &req, fault);
    }
    next.run(req).await
}

enum ContentKind {
    Json,
    Form,
    Other,
}

fn content_kind(req: &Request) -> ContentKind {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/x-www-form-urlencoded") {
        ContentKind::Form
    } else if ct.starts_with("multipart/")
        || ct.starts_with("text/")
        || ct.starts_with("message/")
        || ct.starts_with("application/pdf")
        || ct.starts_with("application/xml")
        || ct.starts_with("application/octet-stream")
    {
        // Files are checked cell by cell by their importer, which names the line.
        ContentKind::Other
    } else {
        // JSON bodies, also when a client forgot the content type.
        ContentKind::Json
    }
}

fn too_large(limit: usize) -> AppError {
    AppError::TooLarge { limit_bytes: limit }
}

/// The first bad text among `name=value` pairs.
fn pairs_fault(raw: &[u8]) -> Option<AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).ok()?;
    pairs.iter().find_map(|(k, v)| {
        text_fault(k)
            .map(|code| AppError::field("query", code))
            .or_else(|| text_fault(v).map(|code| AppError::field(k, code)))
    })
}

fn query_fault(query: &str) -> Option<AppError> {
    pairs_fault(query.as_bytes())
}

fn form_fault(body: &Bytes) -> Option<AppError> {
    pairs_fault(body)
}

/// The first bad string in a JSON body, named by its path (`items[2].tags[0]`).
/// A body that is not JSON is left to its handler, which says where it breaks.
fn json_fault(body: &Bytes) -> Option<AppError> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut path = String::new();
    walk(&value, &mut path)
}

fn walk(v: &serde_json::Value, path: &mut String) -> Option<AppError> {
    match v {
        serde_json::Value::String(s) => {
            text_fault(s).map(|code| AppError::field(if path.is_empty() { "body" } else { path }, code))
        }
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = walk(item, path);
            path.truncate(len);
            found
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
            if let Some(code) = text_fault(k) {
                return Some(AppError::field(if path.is_empty() { "body" } else { path }, code));
            }
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            let found = walk(item, path);
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// A problem for the API, a page (or an htmx toast) for a browser.
fn refuse(api: bool, req: &Request, e: AppError) -> Response {
    if api {
        return crate::api::problem::ApiError::from(e).into_response();
    }
    let lang = crate::session::resolve_lang(None, req.headers());
    if crate::session::is_htmx(req.headers()) {
        let msg = crate::pages::detailed_message(lang, &e);
        let status = crate::error::status_of(&e);
        let body = format!(
            "<div class=\"toast error\" role=\"alert\">{}</div>",
            askama::filters::escape(&msg, askama::filters::Html)
                .map(|m| m.to_string())
                .unwrap_or_default()
        );
        return (
            status,
            [("hx-retarget", "#toasts"), ("hx-reswap", "innerHTML")],
            axum::response::Html(body),
        )
            .into_response();
    }
    crate::pages::detailed_error_page(lang, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: Option<AppError>) -> Option<(String, String)> {
        match e? {
            AppError::Validation(v) => v.0.first().map(|f| (f.field.clone(), f.code.clone())),
            _ => None,
        }
    }

    #[test]
    fn a_nul_in_a_query_names_its_parameter() {
        assert_eq!(
            field_of(query_fault("tag=%00&limit=5")),
            Some(("tag".into(), "text.nul".into()))
        );
        assert_eq!(field_of(query_fault("tag=export&sector=BTP")), None);
    }

    #[test]
    fn json_strings_are_named_by_their_path() {
        let body = Bytes::from(r#"{"name":"ok","items":[{"tags":["a","b\u202Ec"]}]}"#);
        assert_eq!(
            field_of(json_fault(&body)),
            Some(("items[0].tags[1]".into(), "text.bidi_control".into()))
        );
        let fine = Bytes::from(r#"{"summary":"ligne 1\nligne 2","n":3}"#);
        assert!(json_fault(&fine).is_none());
        assert!(
            json_fault(&Bytes::from("not json")).is_none(),
            "left to the handler's 400"
        );
    }

    #[test]
    fn form_fields_are_checked() {
        assert_eq!(
            field_of(form_fault(&Bytes::from("_csrf=x&display_name=a%07b"))),
            Some(("display_name".into(), "control_character".into()))
        );
    }
}
