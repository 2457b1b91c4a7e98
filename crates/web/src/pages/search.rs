//! The search page behind the header's search box: accounts, contacts and
//! exchanges at once, with the matched words highlighted.

use super::{error_response, render, Layout};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::search::{self as uc, SearchResults};
use bilan_app::AppError;
use bilan_domain::search::{snippet, SnippetPart};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "search/results.html")]
struct SearchPage {
    l: Layout,
    q: String,
    r: SearchResults,
}

impl SearchPage {
    fn marked(&self, text: &str) -> Vec<SnippetPart> {
        snippet(text, &self.r.terms, 40)
    }

    fn account_name(&self, id: &Uuid) -> String {
        self.r.account_names.get(id).cloned().unwrap_or_default()
    }
}

/// The search text.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// GET /search?q=
pub async fn search(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Response {
    let mut l = Layout::for_user(&user, "");
    l.q = query.q.clone();
    let r = match uc::search_all(&state.app, &user.actor, &query.q, 10).await {
        Ok(r) => r,
        Err(AppError::Validation(_)) => SearchResults::default(),
        Err(e) => return error_response(&user, &headers, &e),
    };
    render(&SearchPage { l, q: query.q, r })
}
