//! The client's portal: no login, the link's secret is the key (and the forms'
//! CSRF protection, on top of the Origin check every POST gets); rate-limited per
//! address like the survey pages; in the link's language. An unknown, revoked or
//! expired link is one and the same "not found".

use super::render;
use crate::client_addr::ClientAddr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::invoices::portal::{self, FlagInput, PortalView};
use bilan_app::invoices::Payment;
use bilan_app::AppError;
use bilan_domain::money::{Currency, Money};
use bilan_i18n::{Lang, Tr};
use chrono::NaiveDate;
use uuid::Uuid;

/// The portal page.
#[derive(Template)]
#[template(path = "invoices/portal.html")]
struct PortalPage {
    tr: Tr,
    v: PortalView,
    secret: String,
    notice: Option<String>,
    error: Option<String>,
    failed: Option<Uuid>,
    field_error: String,
    typed_message: String,
    typed_name: String,
}

impl PortalPage {
    fn day(&self, d: &NaiveDate) -> String {
        bilan_i18n::format::long_date(self.tr.0, *d)
    }

    fn money(&self, m: &Money) -> String {
        m.format(self.tr.0 == Lang::Fr)
    }

    fn owed(&self, i: &bilan_domain::invoices::invoice::Invoice) -> String {
        i.open().format(self.tr.0 == Lang::Fr)
    }

    fn pay(&self, p: &Payment) -> String {
        Money {
            minor: p.amount_minor,
            currency: Currency::parse(&p.currency).unwrap_or(Currency::EUR),
        }
        .format(self.tr.0 == Lang::Fr)
    }

    fn status(&self, code: &str) -> &'static str {
        self.tr.t(match code {
            "open" => "invoices.status.open",
            "partly_paid" => "invoices.status.partly_paid",
            "overdue" => "invoices.status.overdue",
            "paid" => "invoices.status.paid",
            _ => "invoices.status.credited",
        })
    }

    fn expires(&self) -> String {
        self.day(&bilan_domain::timeline::local_day(self.v.link.expires_at))
    }

    fn failed_on(&self, i: &bilan_domain::invoices::invoice::Invoice) -> bool {
        self.failed == Some(i.id)
    }
}

fn private(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    res
}

fn gone() -> Response {
    let tr = Tr(Lang::Fr);
    private(
        (
            StatusCode::NOT_FOUND,
            render(&super::survey_link::MessagePage {
                tr,
                title: tr.t("portal.unknown_title").to_owned(),
                message: tr.t("portal.unknown").to_owned(),
            }),
        )
            .into_response(),
    )
}

fn throttled(state: &AppState, client: Option<std::net::IpAddr>) -> Option<Response> {
    let ip = client?;
    match state.public_limiter.check(ip, std::time::Instant::now()) {
        Ok(()) => None,
        Err(wait) => {
            let tr = Tr(Lang::Fr);
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                render(&super::survey_link::MessagePage {
                    tr,
                    title: tr.t("public.throttled_title").to_owned(),
                    message: tr.t("public.throttled").to_owned(),
                }),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Some(private(res))
        }
    }
}

struct Shown {
    notice: Option<String>,
    error: Option<String>,
    failed: Option<Uuid>,
    field_error: String,
    typed: FlagInput,
}

async fn page(state: &AppState, secret: String, shown: Shown, status: StatusCode) -> Response {
    match portal::view(&state.app, &secret).await {
        Ok(v) => {
            let tr = Tr(Lang::parse(&v.link.lang).unwrap_or(Lang::Fr));
            private(
                (
                    status,
                    render(&PortalPage {
                        tr,
                        v,
                        secret,
                        notice: shown.notice,
                        error: shown.error,
                        failed: shown.failed,
                        field_error: shown.field_error,
                        typed_message: shown.typed.message.unwrap_or_default(),
                        typed_name: shown.typed.name.unwrap_or_default(),
                    }),
                )
                    .into_response(),
            )
        }
        Err(AppError::NotFound) => gone(),
        Err(e) => super::error_page(Lang::Fr, None, &e),
    }
}

/// GET /portal/{secret}
pub async fn show_portal(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(secret): Path<String>,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    let shown = Shown {
        notice: None,
        error: None,
        failed: None,
        field_error: String::new(),
        typed: FlagInput::default(),
    };
    page(&state, secret, shown, StatusCode::OK).await
}

/// POST /portal/{secret}/invoices/{id}/flag
pub async fn flag_problem(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path((secret, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return gone();
    };
    let pairs = super::form_pairs(&body);
    let input = FlagInput {
        message: super::field(&pairs, "message").map(str::to_owned),
        name: super::field(&pairs, "name").map(str::to_owned),
    };
    match portal::flag_problem(&state.app, &secret, id, &input).await {
        Ok(reference) => {
            // The page in the link's language says which case was opened.
            let lang = match portal::view(&state.app, &secret).await {
                Ok(v) => Lang::parse(&v.link.lang).unwrap_or(Lang::Fr),
                Err(_) => Lang::Fr,
            };
            let shown = Shown {
                notice: Some(Tr(lang).t("portal.flag_done").replace("{reference}", &reference)),
                error: None,
                failed: None,
                field_error: String::new(),
                typed: FlagInput::default(),
            };
            page(&state, secret, shown, StatusCode::OK).await
        }
        Err(AppError::Validation(v)) => {
            let lang = match portal::view(&state.app, &secret).await {
                Ok(view) => Lang::parse(&view.link.lang).unwrap_or(Lang::Fr),
                Err(_) => return gone(),
            };
            let tr = Tr(lang);
            let field_error =
                v.0.iter()
                    .map(|f| tr.error(&f.code).to_owned())
                    .collect::<Vec<_>>()
                    .join(" ");
            let shown = Shown {
                notice: None,
                error: Some(tr.t("portal.flag_fix").to_owned()),
                failed: Some(id),
                field_error,
                typed: input,
            };
            page(&state, secret, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::NotFound) => gone(),
        Err(e) => super::error_page(Lang::Fr, None, &e),
    }
}
