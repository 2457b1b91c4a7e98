//! Static assets, embedded in the binary so nothing is read from disk at run time.

use crate::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const CSS: &str = include_str!("../static/app.css");
const HTMX: &str = include_str!("../static/htmx.min.js");
const APP_JS: &str = include_str!("../static/app.js");
const MEETING_JS: &str = include_str!("../static/meeting.js");
const FAVICON: &str = include_str!("../static/favicon.svg");

/// Routes of the static assets (cached for a day; names change with the content).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/htmx.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", HTMX) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/static/meeting.js",
            get(|| async { asset("text/javascript; charset=utf-8", MEETING_JS) }),
        )
        .route("/static/favicon.svg", get(|| async { asset("image/svg+xml", FAVICON) }))
        // Browsers ask for /favicon.ico whatever the page links; an SVG answers it.
        .route("/favicon.ico", get(|| async { asset("image/svg+xml", FAVICON) }))
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}
