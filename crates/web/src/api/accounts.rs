//! `/api/v1/accounts`: list, create, find, update, delete, and sites.

use super::bodies::{AccountCreate, AccountPatch, SiteCreate};
use super::problem::parse_json;
use super::problem::{ApiResult, Problem};
use super::ApiQuery;
use super::{parse_id, ExpectedVersion};
use crate::session::ApiActor;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bilan_app::accounts::{self as uc, AccountQuery};
use bilan_domain::accounts::{Account, Site};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An amount of money: exact decimal as text, and its currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyResponse {
    /// Decimal amount, e.g. "125000.00".
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponse {
    /// Identifier (UUIDv7).
    pub id: String,
    /// Usual name.
    pub name: String,
    /// Legal name.
    pub legal_name: Option<String>,
    /// SIREN.
    pub siren: Option<String>,
    /// SIRET.
    pub siret: Option<String>,
    /// Intra-EU VAT number.
    pub vat_number: Option<String>,
    /// Sector.
    pub sector: Option<String>,
    /// Size band: micro, small, intermediate, large.
    pub size: Option<String>,
    /// ISO country code.
    pub country: String,
    /// Address.
    pub address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// prospect, active or lost.
    pub status: String,
    /// Date lost.
    pub lost_on: Option<String>,
    /// Reason lost.
    pub lost_reason: Option<String>,
    /// Owner user id.
    pub owner_id: Option<String>,
    /// Executive sponsor user id.
    pub sponsor_id: Option<String>,
    /// Contract start date.
    pub contract_start: Option<String>,
    /// Renewal date.
    pub renewal_date: Option<String>,
    /// Notice period in days: notice must be given this many days before the renewal date.
    pub notice_days: Option<u32>,
    /// Annual contract value.
    pub annual_value: MoneyResponse,
    /// Tags.
    pub tags: Vec<String>,
    /// External reference.
    pub external_ref: Option<String>,
    /// The client's web domain (`danone.com`); ties incoming e-mail to the account.
    pub website: Option<String>,
    /// Switchboard phone.
    pub phone: Option<String>,
    /// The client's own annual revenue (not the contract value), in the account's currency.
    pub revenue: Option<MoneyResponse>,
    /// Head count.
    pub headcount: Option<i64>,
    /// Version for optimistic concurrency (send it back, or as If-Match).
    pub version: i64,
    /// Creation instant (UTC, RFC 3339).
    pub created_at: String,
    /// Last update instant (UTC, RFC 3339).
    pub updated_at: String,
}

impl From<Account> for AccountResponse {
    fn from(a: Account) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        AccountResponse {
            id: a.id.to_string(),
            name: a.name,
            legal_name: a.legal_name,
            siren: a.siren,
            siret: a.siret,
            vat_number: a.vat_number,
            sector: a.sector,
            size: a.size.map(|s| s.code().to_owned()),
            country: a.country,
            address: a.address,
            postal_code: a.postal_code,
            city: a.city,
            status: a.status.code().to_owned(),
            lost_on: d(a.lost_on),
            lost_reason: a.lost_reason,
            owner_id: a.owner_id.map(|u| u.to_string()),
            sponsor_id: a.sponsor_id.map(|u| u.to_string()),
            contract_start: d(a.contract_start),
            renewal_date: d(a.renewal_date),
            notice_days: a.notice_days,
            annual_value: MoneyResponse {
                amount: format!("{:.2}", a.annual_value.to_decimal()),
                currency: a.annual_value.currency.as_str().to_owned(),
            },
            tags: a.tags,
            external_ref: a.external_ref,
            website: a.website,
            phone: a.phone,
            revenue: a.revenue.map(|m| MoneyResponse {
                amount: format!("{:.2}", m.to_decimal()),
                currency: m.currency.as_str().to_owned(),
            }),
            headcount: a.headcount,
            version: a.version,
            created_at: a.created_at.to_rfc3339(),
            updated_at: a.updated_at.to_rfc3339(),
        }
    }
}

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    /// The accounts.
    pub items: Vec<AccountResponse>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A site or business unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteResponse {
    /// Identifier.
    pub id: String,
    /// Account.
    pub account_id: String,
    /// site or business_unit.
    pub kind: String,
    /// Name.
    pub name: String,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<String>,
}

impl From<Site> for SiteResponse {
    fn from(s: Site) -> Self {
        SiteResponse {
            id: s.id.to_string(),
            account_id: s.account_id.to_string(),
            kind: s.kind.code().to_owned(),
            name: s.name,
            city: s.city,
            country: s.country,
        }
    }
}

fn with_etag(status: StatusCode, a: Account) -> Response {
    let etag = format!("\"{}\"", a.version);
    (status, [(header::ETAG, etag)], Json(AccountResponse::from(a))).into_response()
}

/// Lists accounts: search, filters, sort and cursor pagination.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    params(
        ("q" = Option<String>, Query, description = "Full-text search on names and identifiers (accent-insensitive, word prefixes)"),
        ("owner" = Option<String>, Query, description = "Owner user id"),
        ("status" = Option<String>, Query, description = "prospect, active or lost"),
        ("sector" = Option<String>, Query, description = "Sector, exact"),
        ("country" = Option<String>, Query, description = "ISO country code"),
        ("tag" = Option<String>, Query, description = "Tag"),
        ("sort" = Option<String>, Query, description = "name, -name, -value, value, -updated"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)"),
    ),
    responses((status = 200, body = AccountList), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn list_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Json<AccountList>> {
    let page = uc::list_accounts(&state.app, &actor, &q).await?;
    Ok(Json(AccountList {
        items: page.items.into_iter().map(AccountResponse::from).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountCreate,
    responses((status = 201, body = AccountResponse), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_accounts"))))]
pub async fn create_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> ApiResult<Response> {
    let input = parse_json::<AccountCreate>(&body)?.into_input()?;
    let a = uc::create_account(&state.app, &actor, &input).await?;
    let location = format!("/api/v1/accounts/{}", a.id);
    let mut res = with_etag(StatusCode::CREATED, a);
    if let Ok(v) = location.parse() {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Finds an account by id (404 for another workspace's id).
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = AccountResponse), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn find_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let a = uc::find_account(&state.app, &actor, parse_id(&id)?).await?;
    Ok(with_etag(StatusCode::OK, a))
}

/// Updates an account (JSON merge patch). Send the `version` you read in the body
/// (409 if stale) or as `If-Match` (412 if stale); nothing is overwritten when stale.
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path, description = "Account id")), request_body = AccountPatch,
    responses((status = 200, body = AccountResponse), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])), extensions(("x-permission" = json!("write_accounts"))))]
pub async fn update_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let patch: serde_json::Value = parse_json(&body)?;
    let expected = ExpectedVersion::from_request(&headers, &patch)?;
    let current = uc::find_account(&state.app, &actor, id).await?;
    let input = AccountPatch::apply(&patch, &current.to_input())?;
    let a = uc::update_account(&state.app, &actor, id, expected.value(), &input)
        .await
        .map_err(|e| expected.map_err(e))?;
    Ok(with_etag(StatusCode::OK, a))
}

/// Deletes an account with its sites and contacts.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path, description = "Account id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("delete_accounts"))))]
pub async fn delete_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    uc::delete_account(&state.app, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists an account's sites and business units.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/sites", tag = "accounts", params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = [SiteResponse]), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("read_accounts"))))]
pub async fn list_sites(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SiteResponse>>> {
    let sites = uc::list_sites(&state.app, &actor, parse_id(&id)?).await?;
    Ok(Json(sites.into_iter().map(SiteResponse::from).collect()))
}

/// Adds a site or business unit to an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/sites", tag = "accounts", params(("id" = String, Path, description = "Account id")), request_body = SiteCreate,
    responses((status = 201, body = SiteResponse), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_accounts"))))]
pub async fn create_site(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<SiteResponse>)> {
    let input = parse_json::<SiteCreate>(&body)?.into_input()?;
    let site = uc::add_site(&state.app, &actor, parse_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}

/// Removes a site.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/sites/{site}", tag = "accounts",
    params(("id" = String, Path, description = "Account id"), ("site" = String, Path, description = "Site id")),
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])), extensions(("x-permission" = json!("write_accounts"))))]
pub async fn delete_site(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, site)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    uc::delete_site(&state.app, &actor, parse_id(&id)?, parse_id(&site)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's operations, each with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(find_account, update_account, delete_account))
        .routes(routes!(list_sites, create_site))
        .routes(routes!(delete_site))
}
