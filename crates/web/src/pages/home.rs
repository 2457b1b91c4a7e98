//! "Ma journée" / "My day": the page each person opens first in the morning.

use super::{error_response, field, form_pairs, render, see_other, Layout};
use crate::session::{is_htmx, PageUser};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use bilan_app::my_day::{self as uc, MyDay};
use bilan_app::timeline as timeline_uc;
use bilan_app::AppError;
use bilan_domain::my_day::{is_satisfaction_callback, Snooze};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "home/show.html")]
struct HomePage {
    l: Layout,
    d: MyDay,
}

impl HomePage {
    /// Whether a follow-up is a call back to an unhappy client (a badge says so).
    fn is_callback(&self, i: &bilan_app::timeline::FollowUpItem) -> bool {
        is_satisfaction_callback(&i.interaction)
    }

    /// Days from today to a date (negative when past).
    fn days_to(&self, d: &chrono::NaiveDate) -> i64 {
        (*d - self.d.today).num_days()
    }
}

/// Overdue follow-ups listed on the page; the rest are one click away.
const OVERDUE_SHOWN: usize = 15;

/// Entries of each list the page asks for (overdue, renewals, falls).
const PAGE_LIST: i64 = 15;

fn today(state: &AppState) -> chrono::NaiveDate {
    bilan_domain::timeline::local_day(state.app.now())
}

/// GET / — the signed-in person's day.
pub async fn show_home(State(state): State<AppState>, user: PageUser, headers: HeaderMap) -> Response {
    match uc::my_day(&state.app, &user.actor, today(&state), PAGE_LIST).await {
        Ok(d) => render(&HomePage {
            l: Layout::for_user(&user, "home"),
            d,
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// GET /my-day/badge — the menu's count of follow-ups due today or late (htmx).
pub async fn badge(State(state): State<AppState>, user: PageUser) -> Response {
    match uc::badge(&state.app, &user.actor, today(&state)).await {
        Ok(0) | Err(_) => Html(String::new()).into_response(),
        Ok(n) => {
            let title = bilan_i18n::plural_t(user.lang, "home.badge_title", u64::try_from(n).unwrap_or(0));
            Html(format!(
                "<span class=\"count\" id=\"my-day-count\" title=\"{}\">{}</span>",
                askama::filters::escape(&title, askama::filters::Html)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                bilan_i18n::format::integer(user.lang, n)
            ))
            .into_response()
        }
    }
}

/// POST /follow-ups/{id}/snooze — puts a follow-up off (`snooze=tomorrow|next_week`).
pub async fn snooze_follow_up(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let Some(snooze) = field(&pairs, "snooze").and_then(Snooze::parse) else {
        return error_response(&user, &headers, &AppError::field("snooze", "snooze.invalid"));
    };
    match timeline_uc::snooze_follow_up(&state.app, &user.actor, id, snooze).await {
        Ok(_) if is_htmx(&headers) => show_home(State(state), user, headers).await,
        Ok(_) => see_other(&back(&pairs)),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// Where a follow-up action returns: the page it came from, if it is one of ours.
pub fn back(pairs: &[(String, String)]) -> String {
    let next = field(pairs, "next").unwrap_or("/");
    crate::session::safe_next(Some(next))
}
