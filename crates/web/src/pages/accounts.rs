//! Account pages: the list (search, filters, sort, keyset pages), the account
//! page, and the create/edit forms with errors shown at the field.

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
use bilan_app::accounts::{self as uc, AccountDetail, AccountQuery};
use bilan_app::contacts::{self as contacts_uc, ContactQuery};
use bilan_app::users::User;
use bilan_app::{users, AppError};
use bilan_domain::accounts::{Account, AccountInput, AccountStatus, CompanySize, RenewalState, SiteInput};
use std::collections::HashMap;
use uuid::Uuid;

/// The list's rows and the link to the next page.
#[derive(Template)]
#[template(path = "accounts/_table.html")]
pub struct AccountsTable {
    l: Layout,
    items: Vec<Account>,
    owners: HashMap<Uuid, String>,
    next_url: Option<String>,
    first_page: bool,
    /// Each row's last exchange and NPS.
    facts: HashMap<Uuid, bilan_app::accounts::ListFacts>,
}

/// The list's results: the count of matching accounts and their table (what the
/// filters refresh).
#[derive(Template)]
#[template(path = "accounts/_results.html")]
pub struct AccountsResults {
    l: Layout,
    table: AccountsTable,
    total: i64,
    query: AccountQuery,
}

impl AccountsResults {
    /// "1 234 comptes", or "10 000 comptes ou plus" past the count's cap.
    fn count_text(&self) -> String {
        if self.total >= uc::COUNT_CAP {
            self.l
                .t("accounts.count_capped")
                .replace("{n}", &self.l.num(uc::COUNT_CAP))
        } else {
            self.l.plural("accounts.count", self.total)
        }
    }

    /// The address that sorts the list by `column`, the other way round when it already is.
    fn sort_url(&self, column: &str) -> String {
        let current = self.query.sort.as_deref().unwrap_or("name");
        let next = match column {
            "name" if current == "name" => "-name",
            "name" => "name",
            _ if current == "-value" => "value",
            _ => "-value",
        };
        let q = AccountQuery {
            sort: Some(next.to_owned()),
            ..self.query.clone()
        };
        format!("/accounts?{}", query_string(&q, None))
    }

    /// `aria-sort` of a column header.
    fn aria_sort(&self, column: &str) -> &'static str {
        match (column, self.query.sort.as_deref().unwrap_or("name")) {
            ("name", "name") | ("value", "value") => "ascending",
            ("name", "-name") | ("value", "-value") => "descending",
            _ => "none",
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct AccountsPage {
    l: Layout,
    results: AccountsResults,
    query: AccountQuery,
    users: Vec<User>,
    sorts: Vec<&'static str>,
    statuses: Vec<&'static str>,
    export_url: String,
}

impl AccountsTable {
    fn last_exchange(&self, a: &Account) -> String {
        self.facts
            .get(&a.id)
            .and_then(|f| f.last_exchange)
            .map_or_else(|| "—".to_owned(), |t| self.l.day(&bilan_domain::timeline::local_day(t)))
    }

    fn nps(&self, a: &Account) -> String {
        self.l.opt_score(&self.facts.get(&a.id).and_then(|f| f.nps))
    }

    fn owner(&self, a: &Account) -> String {
        a.owner_id
            .and_then(|o| self.owners.get(&o).cloned())
            .unwrap_or_else(|| "—".into())
    }
}

fn owner_names(users: &[User]) -> HashMap<Uuid, String> {
    users.iter().map(|u| (u.id, u.display_name.clone())).collect()
}

fn query_string(q: &AccountQuery, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("q", &q.q),
        ("owner", &q.owner),
        ("status", &q.status),
        ("sector", &q.sector),
        ("country", &q.country),
        ("tag", &q.tag),
        ("sort", &q.sort),
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

/// GET /accounts
pub async fn list_accounts(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<AccountQuery>,
) -> Response {
    let page = match uc::list_accounts(&state.app, &user.actor, &query).await {
        Ok(p) => p,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let team = match users::list_users(&state.app, &user.actor).await {
        Ok(u) => u,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let mut l = Layout::for_user(&user, "accounts");
    l.q = query.q.clone().unwrap_or_default();
    let ids: Vec<Uuid> = page.items.iter().map(|a| a.id).collect();
    let today = bilan_domain::timeline::local_day(state.app.now());
    let facts = uc::list_facts(&state.app, &user.actor, &ids, today)
        .await
        .unwrap_or_default();
    let table = AccountsTable {
        l: l.clone(),
        items: page.items,
        owners: owner_names(&team),
        next_url: page
            .next
            .map(|c| format!("/accounts?{}", query_string(&query, Some(&c.encode())))),
        first_page: query.cursor.is_none(),
        facts,
    };
    // "More" asks for the next rows only; the filters refresh the count and the table.
    if is_htmx(&headers) && query.cursor.is_some() {
        return render(&table);
    }
    let total = match uc::count_accounts(&state.app, &user.actor, &query).await {
        Ok(n) => n,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let results = AccountsResults {
        l: l.clone(),
        table,
        total,
        query: query.clone(),
    };
    if is_htmx(&headers) {
        return render(&results);
    }
    render(&AccountsPage {
        l,
        results,
        export_url: format!("/accounts/export.csv?{}", query_string(&query, None)),
        query,
        users: team,
        sorts: vec!["name", "-name", "-value", "value", "-updated"],
        statuses: AccountStatus::ALL.iter().map(|s| s.code()).collect(),
    })
}

#[derive(Template)]
#[template(path = "accounts/show.html")]
struct AccountPage {
    l: Layout,
    d: AccountDetail,
    /// The key contacts by buying-centre role (empty when the role may not read contacts).
    key_contacts: Vec<bilan_app::contacts::RoleContacts>,
    /// The workspace's today (renewal warnings).
    today: chrono::NaiveDate,
    site_errors: FormErrors,
    /// The shared history (absent when the role may not read it).
    timeline: Option<super::timeline::TimelineItems>,
    team: Vec<User>,
    channels: Vec<&'static str>,
    directions: Vec<&'static str>,
    /// Now in the workspace's zone, to prefill the quick-log form.
    now_local: String,
    /// The quick-log form's contact picker, rendered (its own template escapes).
    picker: String,
    /// The timeline's filters, from the address (kept in the form).
    tq: bilan_app::timeline::TimelineQuery,
}

impl AccountPage {
    /// Whether no contact holds any buying-centre role.
    fn no_key_contacts(&self) -> bool {
        self.key_contacts.iter().all(|r| r.contacts.is_empty())
    }
}

/// GET /accounts/{id}
pub async fn show_account(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
) -> Response {
    show(&state, &user, &headers, id, raw.as_deref(), FormErrors::none(user.lang)).await
}

async fn show(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    raw: Option<&str>,
    site_errors: FormErrors,
) -> Response {
    let d = match uc::show_account(&state.app, &user.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_response(user, headers, &e),
    };
    // The quick log's picker starts with the first few current contacts; the
    // timeline looks up the names it needs beyond them (an account may have 20,000).
    let cq = ContactQuery {
        account: Some(id.to_string()),
        limit: Some(super::timeline::PICKER_MAX),
        ..Default::default()
    };
    let contacts = match contacts_uc::list_contacts(&state.app, &user.actor, &cq).await {
        Ok(p) => p,
        Err(AppError::Forbidden) => bilan_app::contacts::ContactPage {
            items: vec![],
            next: None,
        },
        Err(e) => return error_response(user, headers, &e),
    };
    let mut l = Layout::for_user(user, "accounts");
    l.notice = notice(user, raw);
    let tq: bilan_app::timeline::TimelineQuery =
        raw.and_then(|r| serde_urlencoded::from_str(r).ok()).unwrap_or_default();
    let team = users::list_users(&state.app, &user.actor).await.unwrap_or_default();
    let timeline = super::timeline::timeline_items(state, user, id, &tq, &contacts.items, &team)
        .await
        .ok();
    let (channels, directions) = super::timeline::choices();
    let now_local = state
        .app
        .now()
        .with_timezone(&crate::format::DEFAULT_ZONE)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let picker = super::timeline::ContactPicker::first_of(Layout::for_user(user, "accounts"), &contacts.items)
        .render()
        .unwrap_or_default();
    let key_contacts = match contacts_uc::key_contacts(&state.app, &user.actor, id).await {
        Ok(k) => k,
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return error_response(user, headers, &e),
    };
    render(&AccountPage {
        picker,
        l,
        d,
        key_contacts,
        today: bilan_domain::timeline::local_day(state.app.now()),
        site_errors,
        timeline,
        team,
        channels,
        directions,
        now_local,
        tq,
    })
}

/// The notice announced by a redirect's `?done=` parameter.
pub fn notice(user: &PageUser, raw: Option<&str>) -> Option<String> {
    let done = raw.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))?;
    if done == "surveys_sent" {
        let count = |name: &str| {
            raw.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix(name)))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let (sent, skipped) = (count("sent="), count("skipped="));
        let mut text = bilan_i18n::plural_t(user.lang, "surveys.scheduled", sent);
        if skipped > 0 {
            text.push(' ');
            text.push_str(&bilan_i18n::plural_t(user.lang, "surveys.skipped", skipped));
        }
        return Some(text);
    }
    let key = match done {
        "saved" => "common.saved",
        "created" => "common.created",
        "deleted" => "common.deleted",
        "invited" => "users.invited",
        _ => return None,
    };
    Some(bilan_i18n::t(user.lang, key).to_owned())
}

#[derive(Template)]
#[template(path = "accounts/form.html")]
struct AccountForm {
    l: Layout,
    id: Option<Uuid>,
    version: i64,
    v: AccountInput,
    errors: FormErrors,
    users: Vec<User>,
    statuses: Vec<&'static str>,
    sizes: Vec<&'static str>,
}

impl AccountForm {
    fn val<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    /// The input value of a field by name (the form loops over field names).
    fn v_of(&self, f: &str) -> &Option<String> {
        let v = &self.v;
        match f {
            "name" => &v.name,
            "legal_name" => &v.legal_name,
            "siren" => &v.siren,
            "siret" => &v.siret,
            "vat_number" => &v.vat_number,
            "sector" => &v.sector,
            "address" => &v.address,
            "postal_code" => &v.postal_code,
            "city" => &v.city,
            "country" => &v.country,
            "lost_on" => &v.lost_on,
            "lost_reason" => &v.lost_reason,
            "owner_id" => &v.owner_id,
            "sponsor_id" => &v.sponsor_id,
            "contract_start" => &v.contract_start,
            "renewal_date" => &v.renewal_date,
            "notice_days" => &v.notice_days,
            "annual_value" => &v.annual_value,
            "currency" => &v.currency,
            "tags" => &v.tags,
            "external_ref" => &v.external_ref,
            "website" => &v.website,
            "phone" => &v.phone,
            "revenue" => &v.revenue,
            "headcount" => &v.headcount,
            _ => &NONE,
        }
    }
}

static NONE: Option<String> = None;

async fn form(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Option<Uuid>,
    version: i64,
    v: AccountInput,
    errors: FormErrors,
) -> Response {
    let team = match users::list_users(&state.app, &user.actor).await {
        Ok(u) => u,
        Err(e) => return error_response(user, headers, &e),
    };
    let mut res = render(&AccountForm {
        l: Layout::for_user(user, "accounts"),
        id,
        version,
        v,
        users: team,
        statuses: AccountStatus::ALL.iter().map(|s| s.code()).collect(),
        sizes: CompanySize::ALL.iter().map(|s| s.code()).collect(),
        errors: errors.clone(),
    });
    if errors.general.is_some() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// GET /accounts/new
pub async fn new_account(State(state): State<AppState>, user: PageUser, headers: HeaderMap) -> Response {
    if let Err(e) = user.actor.require(bilan_domain::roles::Permission::WriteAccounts) {
        return error_response(&user, &headers, &e);
    }
    let v = AccountInput {
        owner_id: Some(user.actor.user_id.to_string()),
        ..Default::default()
    };
    form(&state, &user, &headers, None, 0, v, FormErrors::none(user.lang)).await
}

/// GET /accounts/{id}/edit
pub async fn edit_account(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    if let Err(e) = user.actor.require(bilan_domain::roles::Permission::WriteAccounts) {
        return error_response(&user, &headers, &e);
    }
    match uc::find_account(&state.app, &user.actor, id).await {
        Ok(a) => {
            form(
                &state,
                &user,
                &headers,
                Some(id),
                a.version,
                a.to_input(),
                FormErrors::none(user.lang),
            )
            .await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

fn input_of(pairs: &[(String, String)]) -> AccountInput {
    let get = |k: &str| field(pairs, k).map(str::to_owned);
    AccountInput {
        name: get("name"),
        legal_name: get("legal_name"),
        siren: get("siren"),
        siret: get("siret"),
        vat_number: get("vat_number"),
        sector: get("sector"),
        size: get("size"),
        country: get("country"),
        address: get("address"),
        postal_code: get("postal_code"),
        city: get("city"),
        status: get("status"),
        lost_on: get("lost_on"),
        lost_reason: get("lost_reason"),
        owner_id: get("owner_id"),
        sponsor_id: get("sponsor_id"),
        contract_start: get("contract_start"),
        renewal_date: get("renewal_date"),
        notice_days: get("notice_days"),
        annual_value: get("annual_value"),
        currency: get("currency"),
        tags: get("tags"),
        external_ref: get("external_ref"),
        website: get("website"),
        phone: get("phone"),
        revenue: get("revenue"),
        headcount: get("headcount"),
    }
}

/// POST /accounts
pub async fn create_account(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input = input_of(&form_pairs(&body));
    match uc::create_account(&state.app, &user.actor, &input).await {
        Ok(a) => see_other(&format!("/accounts/{}?done=created", a.id)),
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            form(&state, &user, &headers, None, 0, input, errors).await
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /accounts/{id}
pub async fn update_account(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = input_of(&pairs);
    let version = form_version(&pairs);
    match uc::update_account(&state.app, &user.actor, id, version, &input).await {
        Ok(a) => see_other(&format!("/accounts/{}?done=saved", a.id)),
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

/// POST /accounts/{id}/delete
pub async fn delete_account(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match uc::delete_account(&state.app, &user.actor, id).await {
        Ok(()) => see_other("/accounts"),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /accounts/{id}/sites
pub async fn add_site(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = SiteInput {
        kind: field(&pairs, "kind").map(str::to_owned),
        name: field(&pairs, "name").map(str::to_owned),
        city: field(&pairs, "city").map(str::to_owned),
        country: field(&pairs, "country").map(str::to_owned),
    };
    match uc::add_site(&state.app, &user.actor, id, &input).await {
        Ok(_) => see_other(&format!("/accounts/{id}?done=saved#sites")),
        Err(e @ AppError::Validation(_)) => {
            let mut res = show(&state, &user, &headers, id, None, FormErrors::from_error(user.lang, &e)).await;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /accounts/{id}/sites/{site}/delete
pub async fn delete_site(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path((id, site)): Path<(Uuid, Uuid)>,
) -> Response {
    match uc::delete_site(&state.app, &user.actor, id, site).await {
        Ok(()) => see_other(&format!("/accounts/{id}?done=saved#sites")),
        Err(e) => error_response(&user, &headers, &e),
    }
}
