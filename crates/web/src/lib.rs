//! Bilan's web server: server-rendered pages (askama + htmx), the JSON API under
//! `/api/v1` with its OpenAPI document, and the operational endpoints.

pub mod api;
pub mod assets;
pub mod charts;
pub mod client_addr;
pub mod csrf;
pub mod error;
pub mod format;
pub mod input_guard;
pub mod ops;
pub mod pages;
pub mod rate_limit;
pub mod security_headers;
pub mod session;

use axum::Router;
use bilan_app::App;
use std::sync::Arc;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (on behind HTTPS).
    pub secure_cookies: bool,
    /// Largest request body accepted by JSON and form routes, in bytes.
    pub max_body_bytes: usize,
    /// Largest file upload accepted by the import routes, in bytes.
    pub max_upload_bytes: usize,
    /// Largest body of a batch route (up to 1,000 records), in bytes.
    pub max_batch_bytes: usize,
    /// Requests per minute one address may make to the public survey pages (0: no limit).
    pub public_requests_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see [`client_addr`]).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
            max_batch_bytes: 16 * 1024 * 1024,
            public_requests_per_minute: 30,
            trusted_proxies: Vec::new(),
        }
    }
}

impl WebConfig {
    /// Settings for tests.
    pub fn for_tests() -> Self {
        Self::default()
    }
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// Web settings.
    pub config: Arc<WebConfig>,
    /// The limit on the public survey pages.
    pub public_limiter: Arc<rate_limit::RateLimiter>,
}

impl AppState {
    /// Builds the state.
    pub fn new(app: App, config: WebConfig) -> Self {
        let public_limiter = Arc::new(rate_limit::RateLimiter::new(
            config.public_requests_per_minute,
            std::time::Duration::from_secs(60),
        ));
        Self {
            app,
            config: Arc::new(config),
            public_limiter,
        }
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let pages = pages::router(state.clone());
    Router::new()
        .merge(pages)
        .merge(api::router())
        .merge(ops::router())
        .merge(assets::router())
        .fallback(pages::not_found)
        // The input guard has buffered and measured every body already.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(state.clone(), input_guard::guard))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers::apply,
        ))
        .layer(axum::middleware::from_fn(ops::observe))
        .with_state(state)
}
