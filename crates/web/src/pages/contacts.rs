//! Contact pages: list (search, role, account), contact page, create/edit forms.

use super::accounts::notice;
use super::{
    conflict_if_stale, error_response, field, form_pairs, form_version, render, see_other, FormErrors, Layout,
};
use crate::session::{is_htmx, PageUser};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::accounts as accounts_uc;
use bilan_app::contacts::{self as uc, ContactQuery};
use bilan_app::AppError;
use bilan_domain::accounts::{Account, Site};
use bilan_domain::contacts::{BuyingRole, Contact, ContactInput};
use bilan_domain::roles::Permission;
use uuid::Uuid;

/// Rows of the contact list and the next-page link.
#[derive(Template)]
#[template(path = "contacts/_table.html")]
pub struct ContactsTable {
    l: Layout,
    items: Vec<Contact>,
    next_url: Option<String>,
    first_page: bool,
    /// Each row's company.
    account_names: std::collections::HashMap<Uuid, String>,
}

impl ContactsTable {
    fn company(&self, c: &Contact) -> &str {
        self.account_names.get(&c.account_id).map_or("—", String::as_str)
    }
}

#[derive(Template)]
#[template(path = "contacts/list.html")]
struct ContactsPage {
    l: Layout,
    table: ContactsTable,
    query: ContactQuery,
    account: Option<Account>,
    roles: Vec<&'static str>,
    export_url: String,
}

fn query_string(q: &ContactQuery, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("q", &q.q),
        ("account", &q.account),
        ("role", &q.role),
        ("include_left", &q.include_left),
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

/// GET /contacts
pub async fn list_contacts(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<ContactQuery>,
) -> Response {
    let page = match uc::list_contacts(&state.app, &user.actor, &query).await {
        Ok(p) => p,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let l = Layout::for_user(&user, "contacts");
    let ids: Vec<Uuid> = page.items.iter().map(|c| c.account_id).collect();
    let account_names = accounts_uc::account_names(&state.app, &user.actor, &ids)
        .await
        .unwrap_or_default();
    let table = ContactsTable {
        l: l.clone(),
        account_names,
        items: page.items,
        next_url: page
            .next
            .map(|c| format!("/contacts?{}", query_string(&query, Some(&c.encode())))),
        first_page: query.cursor.is_none(),
    };
    if is_htmx(&headers) {
        return render(&table);
    }
    let account = match query.account.as_deref().and_then(|a| Uuid::parse_str(a).ok()) {
        Some(id) => accounts_uc::find_account(&state.app, &user.actor, id).await.ok(),
        None => None,
    };
    render(&ContactsPage {
        l,
        table,
        export_url: format!("/contacts/export.csv?{}", query_string(&query, None)),
        query,
        account,
        roles: BuyingRole::ALL.iter().map(|r| r.code()).collect(),
    })
}

#[derive(Template)]
#[template(path = "contacts/show.html")]
struct ContactPage {
    l: Layout,
    c: Contact,
    account: Account,
    site: Option<Site>,
    /// Exchanges involving this contact.
    timeline: Option<super::timeline::TimelineItems>,
    channels: Vec<&'static str>,
    directions: Vec<&'static str>,
    now_local: String,
    /// Their surveys (absent when the role may not read satisfaction).
    surveys: Option<bilan_app::surveys::ContactSurveys>,
    /// Our side's people, for a follow-up's owner.
    team: Vec<bilan_app::users::User>,
}

impl ContactPage {
    fn badge(&self, a: &bilan_app::surveys::AnswerView) -> &'static str {
        super::satisfaction::score_class(&a.answer.kind, &a.answer.score)
    }
}

/// GET /contacts/{id}
pub async fn show_contact(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
) -> Response {
    let c = match uc::find_contact(&state.app, &user.actor, id).await {
        Ok(c) => c,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let detail = match accounts_uc::show_account(&state.app, &user.actor, c.account_id).await {
        Ok(d) => d,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let site = c.site_id.and_then(|s| detail.sites.iter().find(|x| x.id == s).cloned());
    let mut l = Layout::for_user(&user, "contacts");
    l.notice = notice(&user, raw.as_deref());
    let tq = bilan_app::timeline::TimelineQuery {
        contact: Some(c.id.to_string()),
        ..Default::default()
    };
    let team = bilan_app::users::list_users(&state.app, &user.actor)
        .await
        .unwrap_or_default();
    let timeline = super::timeline::timeline_items(&state, &user, c.account_id, &tq, std::slice::from_ref(&c), &team)
        .await
        .ok();
    let (channels, directions) = super::timeline::choices();
    let now_local = state
        .app
        .now()
        .with_timezone(&crate::format::DEFAULT_ZONE)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let surveys = bilan_app::surveys::contact_surveys(&state.app, &user.actor, c.id)
        .await
        .ok();
    render(&ContactPage {
        surveys,
        l,
        c,
        account: detail.account,
        site,
        timeline,
        channels,
        directions,
        now_local,
        team,
    })
}

#[derive(Template)]
#[template(path = "contacts/form.html")]
struct ContactForm {
    l: Layout,
    id: Option<Uuid>,
    version: i64,
    v: ContactInput,
    account: Account,
    sites: Vec<Site>,
    roles: Vec<&'static str>,
    errors: FormErrors,
}

impl ContactForm {
    fn val<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    fn has_role(&self, role: &str) -> bool {
        self.v
            .roles
            .as_deref()
            .unwrap_or("")
            .split(',')
            .any(|r| r.trim() == role)
    }

    fn consent(&self) -> bool {
        self.v
            .survey_consent
            .as_deref()
            .and_then(bilan_domain::contacts::parse_bool)
            .unwrap_or(false)
    }
}

async fn form(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Option<Uuid>,
    version: i64,
    v: ContactInput,
    errors: FormErrors,
) -> Response {
    let account_id = v.account_id.as_deref().and_then(|a| Uuid::parse_str(a).ok());
    let Some(account_id) = account_id else {
        return error_response(user, headers, &AppError::field("account_id", "required"));
    };
    let detail = match accounts_uc::show_account(&state.app, &user.actor, account_id).await {
        Ok(d) => d,
        Err(e) => return error_response(user, headers, &e),
    };
    let failed = errors.general.is_some();
    let mut res = render(&ContactForm {
        l: Layout::for_user(user, "contacts"),
        id,
        version,
        v,
        account: detail.account,
        sites: detail.sites,
        roles: BuyingRole::ALL.iter().map(|r| r.code()).collect(),
        errors,
    });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// Query of the new-contact form.
#[derive(Debug, serde::Deserialize)]
pub struct NewContactQuery {
    account: Option<String>,
}

/// GET /contacts/new?account=ID
pub async fn new_contact(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(q): Query<NewContactQuery>,
) -> Response {
    if let Err(e) = user.actor.require(Permission::WriteContacts) {
        return error_response(&user, &headers, &e);
    }
    let v = ContactInput {
        account_id: q.account,
        language: Some(user.lang.code().into()),
        ..Default::default()
    };
    form(&state, &user, &headers, None, 0, v, FormErrors::none(user.lang)).await
}

/// GET /contacts/{id}/edit
pub async fn edit_contact(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    if let Err(e) = user.actor.require(Permission::WriteContacts) {
        return error_response(&user, &headers, &e);
    }
    match uc::find_contact(&state.app, &user.actor, id).await {
        Ok(c) => {
            form(
                &state,
                &user,
                &headers,
                Some(id),
                c.version,
                c.to_input(),
                FormErrors::none(user.lang),
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

fn input_of(pairs: &[(String, String)]) -> ContactInput {
    let get = |k: &str| field(pairs, k).map(str::to_owned);
    let roles: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.as_str())
        .collect();
    ContactInput {
        account_id: get("account_id"),
        first_name: get("first_name"),
        last_name: get("last_name"),
        email: get("email"),
        phone: get("phone"),
        job_title: get("job_title"),
        roles: Some(roles.join(",")),
        site_id: get("site_id"),
        language: get("language"),
        survey_consent: Some(
            if field(pairs, "survey_consent").is_some() {
                "true"
            } else {
                "false"
            }
            .to_owned(),
        ),
        left_on: get("left_on"),
        external_ref: get("external_ref"),
        account_ref: None,
    }
}

/// POST /contacts
pub async fn create_contact(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = input_of(&form_pairs(&body));
    match uc::create_contact(&state.app, &user.actor, &input).await {
        Ok(c) => see_other(&format!("/contacts/{}?done=created", c.id)),
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            form(&state, &user, &headers, None, 0, input, errors).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /contacts/{id}
pub async fn update_contact(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = input_of(&pairs);
    let version = form_version(&pairs);
    match uc::update_contact(&state.app, &user.actor, id, version, &input).await {
        Ok(c) => see_other(&format!("/contacts/{}?done=saved", c.id)),
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. } | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            conflict_if_stale(
                form(&state, &user, &headers, Some(id), version, input, errors).await,
                &e,
            )
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /contacts/{id}/delete
pub async fn delete_contact(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    let account = uc::find_contact(&state.app, &user.actor, id)
        .await
        .map(|c| c.account_id);
    match uc::delete_contact(&state.app, &user.actor, id).await {
        Ok(()) => see_other(&match account {
            Ok(a) => format!("/accounts/{a}?done=deleted#contacts"),
            Err(_) => "/contacts".into(),
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}
