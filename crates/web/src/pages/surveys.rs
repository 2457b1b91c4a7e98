//! Survey management pages: surveys and their sending rules, the interval against
//! over-surveying, a survey sent by hand from an account's page, and the outbox.

use super::{
    conflict_if_stale, error_response, field, form_pairs, form_version, render, see_other, FormErrors, Layout,
};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::outbox::OutboxMessage;
use bilan_app::surveys::{self as uc, SurveyWithRules};
use bilan_app::AppError;
use bilan_domain::contacts::BuyingRole;
use bilan_domain::events::EventKind;
use bilan_domain::surveys::{RuleInput, SurveyInput, SurveyKind};
use uuid::Uuid;

/// The surveys page.
#[derive(Template)]
#[template(path = "surveys/list.html")]
pub struct SurveysPage {
    /// Layout.
    pub l: Layout,
    /// Surveys with rules.
    pub surveys: Vec<SurveyWithRules>,
    /// The anti-over-surveying interval.
    pub interval_days: u32,
    /// The new-survey form's values.
    pub input: SurveyInput,
    /// Its errors.
    pub errors: FormErrors,
    /// Errors of the interval form.
    pub interval_errors: FormErrors,
    /// The interval as shown in its field (what was typed, after a refusal).
    pub interval_value: String,
    /// The fewest answers a score needs, as shown in its field.
    pub min_answers_value: String,
}

impl SurveysPage {
    fn kinds(&self) -> Vec<&'static str> {
        SurveyKind::ALL.iter().map(|k| k.code()).collect()
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    fn is_kind(&self, k: &str) -> bool {
        self.input.kind.as_deref() == Some(k)
    }
}

/// One survey's page: its fields and its rules.
#[derive(Template)]
#[template(path = "surveys/edit.html")]
pub struct SurveyPage {
    /// Layout.
    pub l: Layout,
    /// The survey.
    pub s: SurveyWithRules,
    /// The form's values.
    pub input: SurveyInput,
    /// Version the form was rendered with.
    pub version: i64,
    /// Its errors.
    pub errors: FormErrors,
    /// The new-rule form's errors.
    pub rule_errors: FormErrors,
}

impl SurveyPage {
    fn kinds(&self) -> Vec<&'static str> {
        SurveyKind::ALL.iter().map(|k| k.code()).collect()
    }

    fn events(&self) -> Vec<&'static str> {
        EventKind::ALL
            .iter()
            .filter(|e| **e != EventKind::Manual)
            .map(|e| e.code())
            .collect()
    }

    fn roles(&self) -> Vec<&'static str> {
        BuyingRole::ALL.iter().map(|r| r.code()).collect()
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    fn is_kind(&self, k: &str) -> bool {
        self.input.kind.as_deref() == Some(k)
    }

    fn is_active(&self) -> bool {
        self.input.active.as_deref() != Some("false")
    }
}

fn survey_input(pairs: &[(String, String)]) -> SurveyInput {
    let get = |k: &str| field(pairs, k).map(str::to_owned);
    SurveyInput {
        name: get("name"),
        kind: get("kind"),
        question_fr: get("question_fr"),
        question_en: get("question_en"),
        comment_question_fr: get("comment_question_fr"),
        comment_question_en: get("comment_question_en"),
        expiry_days: get("expiry_days"),
        // An unticked checkbox sends nothing.
        active: Some(
            if field(pairs, "active").is_some() {
                "true"
            } else {
                "false"
            }
            .to_owned(),
        ),
    }
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    input: SurveyInput,
    errors: FormErrors,
    settings: SettingsForms<'_>,
    notice: Option<String>,
) -> Response {
    let SettingsForms {
        errors: interval_errors,
        typed,
    } = settings;
    let min_answers = match uc::min_answers(&state.app, &user.actor).await {
        Ok(n) => n,
        Err(e) => return error_response(user, headers, &e),
    };
    match uc::list_surveys(&state.app, &user.actor).await {
        Ok((surveys, interval_days)) => {
            let mut l = Layout::for_user(user, "surveys");
            l.notice = notice;
            let kept = |name: &str, stored: u32| field(typed, name).map_or_else(|| stored.to_string(), str::to_owned);
            render(&SurveysPage {
                l,
                surveys,
                interval_value: kept("interval_days", interval_days),
                min_answers_value: kept("min_answers", min_answers),
                interval_days,
                input,
                errors,
                interval_errors,
            })
        }
        Err(e) => error_response(user, headers, &e),
    }
}

/// GET /surveys
pub async fn list_surveys(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = super::accounts::notice(&user, raw.as_deref());
    let input = SurveyInput {
        question_fr: Some(bilan_i18n::t(bilan_i18n::Lang::Fr, "surveys.default_question_nps").to_owned()),
        question_en: Some(bilan_i18n::t(bilan_i18n::Lang::En, "surveys.default_question_nps").to_owned()),
        ..Default::default()
    };
    list_page(
        &state,
        &user,
        &headers,
        input,
        FormErrors::none(user.lang),
        SettingsForms::untouched(user.lang),
        notice,
    )
    .await
}

/// POST /surveys
pub async fn create_survey(State(state): State<AppState>, user: PageUser, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let input = survey_input(&pairs);
    match uc::create_survey(&state.app, &user.actor, &input).await {
        Ok(s) => see_other(&format!("/surveys/{}?done=created", s.id)),
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            let mut res = list_page(
                &state,
                &user,
                &headers,
                input,
                errors,
                SettingsForms::untouched(user.lang),
                None,
            )
            .await;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The settings forms' state: their errors, and what was typed when refused.
struct SettingsForms<'a> {
    errors: FormErrors,
    typed: &'a [(String, String)],
}

impl SettingsForms<'_> {
    fn untouched(lang: bilan_i18n::Lang) -> Self {
        SettingsForms {
            errors: FormErrors::none(lang),
            typed: &[],
        }
    }
}

/// POST /surveys/settings
pub async fn update_settings(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let saved = uc::set_interval(&state.app, &user.actor, field(&pairs, "interval_days").unwrap_or("")).await;
    settings_saved(&state, &user, &headers, &pairs, saved.map(drop)).await
}

/// POST /surveys/min-answers — the fewest answers a score needs before it shows.
pub async fn update_min_answers(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let saved = uc::set_min_answers(&state.app, &user.actor, field(&pairs, "min_answers").unwrap_or("")).await;
    settings_saved(&state, &user, &headers, &pairs, saved.map(drop)).await
}

/// After a settings form: back to the page, or the page again with the error at
/// the field and what was typed still in it.
async fn settings_saved(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    saved: Result<(), AppError>,
) -> Response {
    match saved {
        Ok(()) => see_other("/surveys?done=saved"),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            let mut res = list_page(
                state,
                user,
                headers,
                SurveyInput::default(),
                FormErrors::none(user.lang),
                SettingsForms { errors, typed: pairs },
                None,
            )
            .await;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => error_response(user, headers, &e),
    }
}

async fn survey_page(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    id: Uuid,
    form: Option<(SurveyInput, i64, FormErrors)>,
    rule_errors: FormErrors,
    notice: Option<String>,
) -> Response {
    match uc::find_survey(&state.app, &user.actor, id).await {
        Ok(s) => {
            let (input, version, errors) =
                form.unwrap_or_else(|| (s.survey.to_input(), s.survey.version, FormErrors::none(user.lang)));
            let mut l = Layout::for_user(user, "surveys");
            l.notice = notice;
            render(&SurveyPage {
                l,
                s,
                input,
                version,
                errors,
                rule_errors,
            })
        }
        Err(e) => error_response(user, headers, &e),
    }
}

/// GET /surveys/{id}
pub async fn show_survey(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = super::accounts::notice(&user, raw.as_deref());
    survey_page(&state, &user, &headers, id, None, FormErrors::none(user.lang), notice).await
}

/// POST /surveys/{id}
pub async fn update_survey(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let input = survey_input(&pairs);
    let version = form_version(&pairs);
    match uc::update_survey(&state.app, &user.actor, id, version, &input).await {
        Ok(s) => see_other(&format!("/surveys/{}?done=saved", s.id)),
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. } | AppError::Stale { .. })) => {
            let errors = FormErrors::from_error(user.lang, &e);
            let mut res = survey_page(
                &state,
                &user,
                &headers,
                id,
                Some((input, version, errors)),
                FormErrors::none(user.lang),
                None,
            )
            .await;
            if !matches!(e, AppError::Stale { .. }) {
                *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            }
            conflict_if_stale(res, &e)
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /surveys/{id}/rules
pub async fn add_rule(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let roles: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.as_str())
        .collect();
    let input = RuleInput {
        survey_id: Some(id.to_string()),
        event_kind: field(&pairs, "event_kind").map(str::to_owned),
        delay_hours: field(&pairs, "delay_hours").map(str::to_owned),
        roles: Some(roles.join(",")),
    };
    match uc::add_rule(&state.app, &user.actor, &input).await {
        Ok(_) => see_other(&format!("/surveys/{id}?done=created")),
        Err(e @ AppError::Validation(_)) => {
            let errors = FormErrors::from_error(user.lang, &e);
            let mut res = survey_page(&state, &user, &headers, id, None, errors, None).await;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /survey-rules/{id}/delete
pub async fn delete_rule(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let back = field(&pairs, "survey_id")
        .and_then(|s| Uuid::parse_str(s).ok())
        .map(|s| format!("/surveys/{s}?done=deleted"))
        .unwrap_or_else(|| "/surveys?done=deleted".into());
    match uc::delete_rule(&state.app, &user.actor, id).await {
        Ok(()) => see_other(&back),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /accounts/{id}/surveys/send
pub async fn send_survey(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(account): Path<Uuid>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let survey = field(&pairs, "survey_id").and_then(|s| Uuid::parse_str(s).ok());
    let contacts: Vec<Uuid> = pairs
        .iter()
        .filter(|(k, _)| k == "contact_ids")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .collect();
    let Some(survey) = survey else {
        return error_response(&user, &headers, &AppError::field("survey_id", "required"));
    };
    match uc::send_survey(&state.app, &user.actor, survey, account, &contacts).await {
        // Post/redirect/get: the result shows on the account page, and a reload
        // there sends nothing again.
        Ok(report) => see_other(&format!(
            "/accounts/{account}?done=surveys_sent&sent={}&skipped={}#satisfaction",
            report.scheduled,
            report.contacts.len() - report.scheduled
        )),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The outbox page.
#[derive(Template)]
#[template(path = "surveys/outbox.html")]
pub struct OutboxPage {
    /// Layout.
    pub l: Layout,
    /// Latest messages.
    pub rows: Vec<OutboxMessage>,
    /// Count per status.
    pub counts: Vec<(String, i64)>,
}

/// One outgoing message.
#[derive(Template)]
#[template(path = "surveys/outbox_message.html")]
pub struct OutboxMessagePage {
    /// Layout.
    pub l: Layout,
    /// The message.
    pub d: bilan_app::outbox::OutboxDetail,
}

/// GET /outbox/{id} — one message: to whom, about which account, what became of it.
pub async fn show_outbox_message(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match bilan_app::outbox::message(&state.app, &user.actor, id).await {
        Ok(d) => render(&OutboxMessagePage {
            l: Layout::for_user(&user, "outbox"),
            d,
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// GET /outbox
pub async fn show_outbox(State(state): State<AppState>, user: PageUser, headers: HeaderMap) -> Response {
    match bilan_app::outbox::overview(&state.app, &user.actor, 200).await {
        Ok((rows, counts)) => render(&OutboxPage {
            l: Layout::for_user(&user, "outbox"),
            rows,
            counts,
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// POST /outbox/{id}/retry
pub async fn retry_outbox(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Response {
    match bilan_app::outbox::retry(&state.app, &user.actor, id).await {
        Ok(()) => see_other("/outbox"),
        Err(e) => error_response(&user, &headers, &e),
    }
}
