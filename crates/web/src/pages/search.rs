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
    /// Exchanges asked for.
    limit: u32,
}

impl SearchPage {
    fn more_url(&self) -> String {
        format!(
            "/search?{}",
            serde_urlencoded::to_string([("q", self.q.as_str()), ("limit", &(self.limit + 40).to_string())])
                .unwrap_or_default()
        )
    }

    fn total(&self, n: &i64) -> String {
        let n = *n;
        if n >= uc::COUNT_CAP {
            format!("{}+", self.l.num(uc::COUNT_CAP))
        } else {
            self.l.num(n)
        }
    }

    fn marked(&self, text: &str) -> Vec<SnippetPart> {
        snippet(text, &self.r.terms, 40)
    }

    fn account_name(&self, id: &Uuid) -> String {
        self.r.account_names.get(id).cloned().unwrap_or_default()
    }
}

/// The search text, and how many exchanges to show.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<u32>,
}

/// Exchanges shown at first; "more" adds this many.
const PAGE: u32 = 10;

/// GET /search?q=
pub async fn search(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Response {
    let mut l = Layout::for_user(&user, "");
    l.q = query.q.clone();
    let limit = query.limit.unwrap_or(PAGE).clamp(PAGE, 200);
    let r = match uc::search_all(&state.app, &user.actor, &query.q, limit).await {
        Ok(r) => r,
        Err(AppError::Validation(_)) => SearchResults::default(),
        Err(e) => return error_response(&user, &headers, &e),
    };
    render(&SearchPage {
        l,
        q: query.q,
        r,
        limit,
    })
}

#[derive(Template)]
#[template(path = "search/_suggest.html")]
struct SuggestFragment {
    l: Layout,
    q: String,
    s: uc::Suggestions,
}

impl SuggestFragment {
    fn account_name(&self, id: &Uuid) -> String {
        self.s.account_names.get(id).cloned().unwrap_or_default()
    }
}

/// GET /search/suggest?q= — the search box's type-ahead: names first (htmx).
pub async fn suggest(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Response {
    match uc::suggest(&state.app, &user.actor, &query.q, 6).await {
        Ok(s) => render(&SuggestFragment {
            l: Layout::for_user(&user, ""),
            q: query.q,
            s,
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}
