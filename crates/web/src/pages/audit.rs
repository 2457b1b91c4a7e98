//! The "history" pages: who changed what on a record, and what a user changed.

use super::{error_response, render, Layout};
use crate::session::{is_htmx, PageUser};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::audit::AuditScope;
use bilan_app::audit::{self as uc, AuditEntry};
use bilan_domain::audit::show;
use uuid::Uuid;

/// Rows of a history and the link to older ones.
#[derive(Template)]
#[template(path = "audit/_rows.html")]
struct AuditRows {
    l: Layout,
    items: Vec<AuditEntry>,
    more_url: Option<String>,
}

impl AuditRows {
    fn show(&self, v: &serde_json::Value) -> String {
        show(v)
    }

    fn who(&self, e: &AuditEntry) -> String {
        e.user_name.clone().unwrap_or_else(|| self.l.t("audit.cli").to_owned())
    }
}

#[derive(Template)]
#[template(path = "audit/history.html")]
struct HistoryPage {
    l: Layout,
    title: String,
    back: String,
    rows: AuditRows,
}

/// The cursor of a history page.
#[derive(Debug, serde::Deserialize, Default)]
pub struct HistoryQuery {
    cursor: Option<String>,
}

/// Whose history a page shows, and how it links.
struct HistoryOf {
    scope: AuditScope,
    /// The page's own path, for "show more".
    base: String,
    title: String,
    /// Where "back" goes.
    back: String,
}

async fn page(state: &AppState, user: &PageUser, headers: &HeaderMap, of: HistoryOf, q: HistoryQuery) -> Response {
    let HistoryOf {
        scope,
        base,
        title,
        back,
    } = of;
    let page = match uc::history(&state.app, &user.actor, scope, q.cursor.as_deref(), 50).await {
        Ok(p) => p,
        Err(e) => return error_response(user, headers, &e),
    };
    let l = Layout::for_user(user, "");
    let rows = AuditRows {
        l: l.clone(),
        items: page.items,
        more_url: page.next_cursor.map(|c| format!("{base}?cursor={c}")),
    };
    if is_htmx(headers) {
        return render(&rows);
    }
    render(&HistoryPage { l, title, back, rows })
}

/// GET /accounts/{id}/history
pub async fn account_history(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let name = match bilan_app::accounts::find_account(&state.app, &user.actor, id).await {
        Ok(a) => a.name,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let title = format!("{} · {}", bilan_i18n::t(user.lang, "audit.title"), name);
    let base = format!("/accounts/{id}/history");
    let of = HistoryOf {
        scope: AuditScope::Record(id),
        base,
        title,
        back: format!("/accounts/{id}"),
    };
    page(&state, &user, &headers, of, q).await
}

/// GET /contacts/{id}/history
pub async fn contact_history(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let name = match bilan_app::contacts::find_contact(&state.app, &user.actor, id).await {
        Ok(c) => c.full_name(),
        Err(e) => return error_response(&user, &headers, &e),
    };
    let title = format!("{} · {}", bilan_i18n::t(user.lang, "audit.title"), name);
    let base = format!("/contacts/{id}/history");
    let of = HistoryOf {
        scope: AuditScope::Record(id),
        base,
        title,
        back: format!("/contacts/{id}"),
    };
    page(&state, &user, &headers, of, q).await
}

/// GET /users/{id}/history — what a user changed.
pub async fn user_history(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let name = match bilan_app::users::find_user(&state.app, &user.actor, id).await {
        Ok(u) => u.display_name,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let title = format!("{} {}", bilan_i18n::t(user.lang, "audit.user_title"), name);
    let base = format!("/users/{id}/history");
    let of = HistoryOf {
        scope: AuditScope::User(id),
        base,
        title,
        back: "/users".into(),
    };
    page(&state, &user, &headers, of, q).await
}
