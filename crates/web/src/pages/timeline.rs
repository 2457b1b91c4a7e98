//! Shared history pages: an account's timeline with the quick-log form, "my
//! follow-ups", and first-response times.

use super::{error_response, field, form_pairs, render, see_other, FormErrors, Layout};
use crate::session::{is_htmx, PageUser};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::timeline::{self as uc, ResponseQuery, TimelineQuery};
use bilan_app::users::User;
use bilan_app::{users, AppError};
use bilan_domain::contacts::Contact;
use bilan_domain::timeline::{Channel, Direction, Interaction, InteractionInput, ResponseStats};
use std::collections::HashMap;
use uuid::Uuid;

/// The timeline's entries and the link to older ones.
#[derive(Template)]
#[template(path = "timeline/_items.html")]
pub struct TimelineItems {
    /// Layout (language, permissions).
    pub l: Layout,
    /// Entries, newest first.
    pub items: Vec<Interaction>,
    /// Names of users and contacts, by id.
    pub names: HashMap<Uuid, String>,
    /// Older entries.
    pub more_url: Option<String>,
}

impl TimelineItems {
    fn name(&self, id: &Uuid) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| "—".into())
    }

    fn duration(&self, seconds: &i64) -> String {
        human_duration(*seconds)
    }

    /// Outbound entries of this page that could answer an inbound one (at or after it).
    fn answer_candidates(&self, inbound: &Interaction) -> Vec<&Interaction> {
        self.items
            .iter()
            .filter(|o| o.direction == Direction::Outbound && o.occurred_at >= inbound.occurred_at)
            .collect()
    }
}

/// "2 h 05", "3 j 4 h", "12 min".
pub fn human_duration(seconds: i64) -> String {
    let m = seconds / 60;
    match m {
        0..=59 => format!("{m} min"),
        60..=1439 => format!("{} h {:02}", m / 60, m % 60),
        _ => format!("{} j {} h", m / 1440, (m % 1440) / 60),
    }
}

/// Names of the workspace's users and of an account's contacts, for display.
pub fn names(team: &[User], contacts: &[Contact]) -> HashMap<Uuid, String> {
    let mut n: HashMap<Uuid, String> = team.iter().map(|u| (u.id, u.display_name.clone())).collect();
    n.extend(contacts.iter().map(|c| (c.id, c.full_name())));
    n
}

fn query_string(q: &TimelineQuery, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("q", &q.q),
        ("channel", &q.channel),
        ("direction", &q.direction),
        ("user", &q.user),
        ("contact", &q.contact),
        ("tag", &q.tag),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.to_owned()));
        }
    }
    if let Some(c) = cursor {
        pairs.push(("cursor", c.to_owned()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

/// The first page of an account's timeline (also used by the account page).
pub async fn timeline_items(
    state: &AppState,
    user: &PageUser,
    account: Uuid,
    q: &TimelineQuery,
    contacts: &[Contact],
    team: &[User],
) -> Result<TimelineItems, AppError> {
    let page = uc::timeline(&state.app, &user.actor, account, q).await?;
    let mut names = names(team, contacts);
    // Entries may involve contacts beyond the ones already loaded (accounts with thousands).
    let missing: Vec<Uuid> = page
        .items
        .iter()
        .flat_map(|i| i.contact_ids.iter().copied())
        .filter(|id| !names.contains_key(id))
        .collect();
    if !missing.is_empty() {
        for c in bilan_app::contacts::find_contacts(&state.app, &user.actor, &missing).await? {
            names.insert(c.id, c.full_name());
        }
    }
    Ok(TimelineItems {
        l: Layout::for_user(user, "accounts"),
        items: page.items,
        names,
        more_url: page
            .next
            .map(|c| format!("/accounts/{account}/timeline?{}", query_string(q, Some(&c.encode())))),
    })
}

/// GET /accounts/{id}/timeline — the filtered list (a fragment for htmx).
pub async fn account_timeline(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<TimelineQuery>,
) -> Response {
    // No contact list up front: the entries' own contacts are looked up by id.
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    match timeline_items(&state, &user, id, &q, &[], &team).await {
        Ok(items) if is_htmx(&headers) => {
            // The address bar follows the filters, so a filtered view can be shared and reloaded.
            let qs = query_string(&q, None);
            let url = if qs.is_empty() {
                format!("/accounts/{id}")
            } else {
                format!("/accounts/{id}?{qs}")
            };
            let mut res = render(&items);
            if let Ok(v) = axum::http::HeaderValue::from_str(&url) {
                res.headers_mut().insert("hx-replace-url", v);
            }
            res
        }
        Ok(_) => see_other(&format!("/accounts/{id}?{}#timeline", query_string(&q, None))),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The quick form's contact picker: the contacts already chosen (kept checked)
/// and up to [`PICKER_MAX`] of the account's current contacts matching what was typed.
#[derive(Template)]
#[template(path = "timeline/_contact_picker.html")]
pub struct ContactPicker {
    /// Layout (language).
    pub l: Layout,
    /// Chosen contacts.
    pub chosen: Vec<Contact>,
    /// Other matches.
    pub matches: Vec<Contact>,
}

/// Most matches the contact picker shows: enough to choose from, few enough for
/// an account with thousands of contacts.
pub const PICKER_MAX: u32 = 12;

impl ContactPicker {
    /// The first current contacts of an account, shown before anything is typed.
    pub fn first_of(l: Layout, contacts: &[Contact]) -> Self {
        let matches = contacts
            .iter()
            .filter(|c| c.left_on.is_none())
            .take(PICKER_MAX as usize)
            .cloned()
            .collect();
        ContactPicker {
            l,
            chosen: Vec::new(),
            matches,
        }
    }
}

/// GET /accounts/{id}/contact-picker?contact_q=…&contact_ids=… — the picker's
/// fragment: type-ahead over the account's contacts by name or e-mail.
pub async fn contact_picker(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let typed = pairs
        .iter()
        .find(|(k, _)| k == "contact_q")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let chosen_ids: Vec<Uuid> = pairs
        .iter()
        .filter(|(k, _)| k == "contact_ids")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .take(50)
        .collect();
    let chosen = match bilan_app::contacts::find_contacts(&state.app, &user.actor, &chosen_ids).await {
        Ok(found) => found,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let q = bilan_app::contacts::ContactQuery {
        q: typed,
        account: Some(id.to_string()),
        limit: Some(PICKER_MAX + chosen.len() as u32),
        ..Default::default()
    };
    let matches = match bilan_app::contacts::list_contacts(&state.app, &user.actor, &q).await {
        Ok(p) => p
            .items
            .into_iter()
            .filter(|c| !chosen_ids.contains(&c.id))
            .take(PICKER_MAX as usize)
            .collect(),
        Err(e) => return error_response(&user, &headers, &e),
    };
    render(&ContactPicker {
        l: Layout::for_user(&user, "accounts"),
        chosen,
        matches,
    })
}

/// The quick-log form's fields.
pub fn input_of(account: Uuid, pairs: &[(String, String)]) -> InteractionInput {
    let get = |k: &str| field(pairs, k).map(str::to_owned).filter(|v| !v.is_empty());
    let contacts: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "contact_ids")
        .map(|(_, v)| v.as_str())
        .collect();
    InteractionInput {
        account_id: Some(account.to_string()),
        occurred_at: get("occurred_at").map(|v| v.replace('T', " ")),
        channel: get("channel"),
        direction: get("direction"),
        user_id: get("user_id"),
        contact_ids: Some(contacts.join(",")),
        subject: get("subject"),
        summary: get("summary"),
        tags: get("tags"),
        beyond_contract: Some(
            if field(pairs, "beyond_contract").is_some() {
                "true"
            } else {
                "false"
            }
            .to_owned(),
        ),
        follow_up_what: get("follow_up_what"),
        follow_up_user_id: get("follow_up_user_id"),
        follow_up_due: get("follow_up_due"),
        ..Default::default()
    }
}

#[derive(Template)]
#[template(path = "timeline/_form_errors.html")]
struct FormErrorsFragment {
    l: Layout,
    errors: FormErrors,
}

/// POST /accounts/{id}/interactions — logs an exchange; htmx gets the refreshed timeline.
pub async fn log_interaction(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(refresh): Query<TimelineQuery>,
    body: Bytes,
) -> Response {
    let input = input_of(id, &form_pairs(&body));
    match uc::log_interaction(&state.app, &user.actor, &input).await {
        Ok(_) if is_htmx(&headers) => {
            let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
            // From a contact page, the refreshed list is that contact's (`?contact=`).
            let q = TimelineQuery {
                contact: refresh.contact,
                ..Default::default()
            };
            match timeline_items(&state, &user, id, &q, &[], &team).await {
                Ok(items) => {
                    let mut res = render(&items);
                    res.headers_mut()
                        .insert("hx-trigger", axum::http::HeaderValue::from_static("interaction-logged"));
                    res
                }
                Err(e) => error_response(&user, &headers, &e),
            }
        }
        Ok(_) => see_other(&format!("/accounts/{id}?done=saved#timeline")),
        Err(e @ AppError::Validation(_)) if is_htmx(&headers) => {
            let frag = FormErrorsFragment {
                l: Layout::for_user(&user, "accounts"),
                errors: FormErrors::from_error(user.lang, &e),
            };
            let mut res = render(&frag);
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res.headers_mut()
                .insert("hx-retarget", axum::http::HeaderValue::from_static("#log-errors"));
            res.headers_mut()
                .insert("hx-reswap", axum::http::HeaderValue::from_static("innerHTML"));
            res
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /interactions/{id}/answer — links the outbound exchange that answered this request.
pub async fn link_answer(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let Some(outbound) = field(&pairs, "outbound_id").and_then(|v| Uuid::parse_str(v).ok()) else {
        return error_response(&user, &headers, &AppError::field("outbound_id", "id.invalid"));
    };
    match uc::link_answer(&state.app, &user.actor, id, outbound).await {
        Ok(i) => see_other(&format!("/accounts/{}?done=saved#interaction-{}", i.account_id, i.id)),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /interactions/{id}/delete
pub async fn delete_interaction(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let account = uc::find_interaction(&state.app, &user.actor, id)
        .await
        .map(|i| i.account_id);
    match (account, uc::delete_interaction(&state.app, &user.actor, id).await) {
        (Ok(a), Ok(())) => see_other(&format!("/accounts/{a}?done=deleted#timeline")),
        (_, Err(e)) | (Err(e), _) => error_response(&user, &headers, &e),
    }
}

#[derive(Template)]
#[template(path = "timeline/follow_ups.html")]
struct FollowUpsPage {
    l: Layout,
    sections: Vec<FollowUpSection>,
}

/// One list of the follow-ups page.
struct FollowUpSection {
    title: String,
    class: &'static str,
    items: Vec<bilan_app::timeline::FollowUpItem>,
}

/// GET /follow-ups — what I promised, late first.
pub async fn my_follow_ups(State(state): State<AppState>, user: PageUser, headers: HeaderMap) -> Response {
    let today = bilan_domain::timeline::local_day(state.app.now());
    match uc::my_follow_ups(&state.app, &user.actor, today).await {
        Ok(f) => {
            let t = |k: &str| bilan_i18n::t(user.lang, k).to_owned();
            let sections = vec![
                FollowUpSection {
                    title: t("timeline.overdue"),
                    class: "lost",
                    items: f.overdue,
                },
                FollowUpSection {
                    title: t("timeline.due_soon"),
                    class: "prospect",
                    items: f.due_soon,
                },
            ];
            render(&FollowUpsPage {
                l: Layout::for_user(&user, "follow_ups"),
                sections,
            })
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /follow-ups/{id}/done
pub async fn complete_follow_up(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    match uc::complete_follow_up(&state.app, &user.actor, id).await {
        // From "my day" back to it; from "my follow-ups" (no `next`) back there.
        Ok(_) if field(&pairs, "next").is_some() => see_other(&super::home::back(&pairs)),
        Ok(_) => see_other("/follow-ups"),
        Err(e) => error_response(&user, &headers, &e),
    }
}

#[derive(Template)]
#[template(path = "timeline/responses.html")]
struct ResponsesPage {
    l: Layout,
    stats: ResponseStats,
    names: HashMap<Uuid, String>,
    query: ResponseQuery,
    channels: Vec<&'static str>,
}

impl ResponsesPage {
    fn duration(&self, s: &Option<i64>) -> String {
        s.map(human_duration).unwrap_or_else(|| "—".into())
    }

    fn name(&self, id: &Uuid) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| "—".into())
    }
}

/// GET /response-times — first-response times by channel and by person.
pub async fn response_times(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<ResponseQuery>,
) -> Response {
    let stats = match uc::response_stats(&state.app, &user.actor, &query).await {
        Ok(s) => s,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    render(&ResponsesPage {
        l: Layout::for_user(&user, "responses"),
        stats,
        names: names(&team, &[]),
        query,
        channels: Channel::ALL.iter().map(|c| c.code()).collect(),
    })
}

/// Channel and direction codes for the forms.
pub fn choices() -> (Vec<&'static str>, Vec<&'static str>) {
    (
        Channel::ALL.iter().map(|c| c.code()).collect(),
        Direction::ALL.iter().map(|d| d.code()).collect(),
    )
}
