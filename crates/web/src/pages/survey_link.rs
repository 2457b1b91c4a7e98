//! The public answer page of a survey link: no login, the link's secret is the
//! key. It is its own CSRF protection (a cross-site form cannot know it) on top of
//! the Origin check every POST gets; requests are rate-limited per address.

use super::render;
use crate::client_addr::ClientAddr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bilan_app::surveys::{self as uc, LinkProblem, PublicLink};
use bilan_domain::surveys::{AnswerInput, SurveyKind};
use bilan_i18n::{Lang, Tr};

/// The answer form.
#[derive(Template)]
#[template(path = "surveys/public_answer.html")]
pub struct AnswerPage {
    /// Translator (the contact's language).
    pub tr: Tr,
    /// The link.
    pub link: PublicLink,
    /// The secret, for the form's action.
    pub secret: String,
    /// The score chosen, kept when the form comes back with an error.
    pub chosen: Option<i16>,
    /// The comment typed.
    pub comment: String,
    /// What is wrong, if anything.
    pub error: Option<String>,
}

impl AnswerPage {
    fn scale(&self) -> Vec<i16> {
        self.link.survey.kind.scale().collect()
    }

    fn low_label(&self) -> &'static str {
        match self.link.survey.kind {
            SurveyKind::Nps => self.tr.t("public.nps_low"),
            SurveyKind::Csat => self.tr.t("public.csat_low"),
            SurveyKind::Ces => self.tr.t("public.ces_low"),
        }
    }

    fn high_label(&self) -> &'static str {
        match self.link.survey.kind {
            SurveyKind::Nps => self.tr.t("public.nps_high"),
            SurveyKind::Csat => self.tr.t("public.csat_high"),
            SurveyKind::Ces => self.tr.t("public.ces_high"),
        }
    }

    fn question(&self) -> &str {
        self.link.survey.question(self.tr.0.code())
    }

    fn comment_question(&self) -> &str {
        self.link
            .survey
            .comment_question(self.tr.0.code())
            .unwrap_or_else(|| self.tr.t("public.comment_default"))
    }

    fn expires(&self) -> String {
        crate::format::date(self.tr.0, &bilan_domain::timeline::local_day(self.link.expires_at))
    }

    fn is_chosen(&self, v: &i16) -> bool {
        self.chosen == Some(*v)
    }
}

/// A page with one message: thanks, or why the link does not work.
#[derive(Template)]
#[template(path = "surveys/public_message.html")]
pub struct MessagePage {
    /// Translator.
    pub tr: Tr,
    /// Title.
    pub title: String,
    /// Message.
    pub message: String,
}

/// The "stop receiving surveys" confirmation: a button, so a mail scanner that
/// follows links withdraws nobody's consent.
#[derive(Template)]
#[template(path = "surveys/public_stop.html")]
struct StopPage {
    tr: Tr,
    title: String,
    message: String,
    secret: String,
}

/// GET /s/{secret}/stop
pub async fn show_stop(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(secret): Path<String>,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    match uc::open_any_link(&state.app, &secret).await {
        Ok(Some((lang, company))) => {
            let tr = Tr(lang);
            private(render(&StopPage {
                tr,
                title: tr.t("public.stop_confirm_title").to_owned(),
                message: tr.t("public.stop_confirm").replace("{company}", &company),
                secret,
            }))
        }
        Ok(None) => problem(LinkProblem::Unknown, Lang::Fr),
        Err(e) => super::error_page(Lang::Fr, None, &e),
    }
}

/// POST /s/{secret}/stop — withdraws the contact's consent to surveys.
pub async fn submit_stop(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(secret): Path<String>,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    match uc::stop_surveys(&state.app, &secret).await {
        Ok(Some((lang, company))) => {
            let tr = Tr(lang);
            let page = MessagePage {
                tr,
                title: tr.t("public.stop_title").to_owned(),
                message: tr.t("public.stop").replace("{company}", &company),
            };
            private(render(&page))
        }
        Ok(None) => problem(LinkProblem::Unknown, Lang::Fr),
        Err(e) => super::error_page(Lang::Fr, None, &e),
    }
}

fn private(mut res: Response) -> Response {
    let h = res.headers_mut();
    // The URL holds the secret: never send it to another site, never cache, never
    // index. (`no-referrer` would also make the browser send `Origin: null` with the
    // form, which the Origin check rightly refuses.)
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    res
}

fn message(lang: Lang, status: StatusCode, title: &str, msg: &str) -> Response {
    let tr = Tr(lang);
    let page = MessagePage {
        tr,
        title: tr.t(title).to_owned(),
        message: tr.t(msg).to_owned(),
    };
    private((status, render(&page)).into_response())
}

fn problem(p: LinkProblem, lang: Lang) -> Response {
    let status = match p {
        LinkProblem::Unknown => StatusCode::NOT_FOUND,
        LinkProblem::Answered | LinkProblem::Expired => StatusCode::GONE,
        LinkProblem::NotYetSent => StatusCode::CONFLICT,
    };
    message(
        lang,
        status,
        &format!("public.{}_title", p.code()),
        &format!("public.{}", p.code()),
    )
}

fn throttled(state: &AppState, client: Option<std::net::IpAddr>) -> Option<Response> {
    let ip = client?;
    match state.public_limiter.check(ip, std::time::Instant::now()) {
        Ok(()) => None,
        Err(wait) => {
            let mut res = message(
                Lang::Fr,
                StatusCode::TOO_MANY_REQUESTS,
                "public.throttled_title",
                "public.throttled",
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Some(res)
        }
    }
}

fn internal(e: &bilan_app::AppError) -> Response {
    drop(crate::error::log_if_internal(e));
    message(
        Lang::Fr,
        StatusCode::SERVICE_UNAVAILABLE,
        "public.unavailable_title",
        "public.unavailable",
    )
}

/// GET /s/{secret}
pub async fn show_answer_page(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(secret): Path<String>,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    match uc::open_link(&state.app, &secret).await {
        Ok(Ok(link)) => private(render(&AnswerPage {
            tr: Tr(link.lang),
            link,
            secret,
            chosen: None,
            comment: String::new(),
            error: None,
        })),
        Ok(Err((p, lang))) => problem(p, lang),
        Err(e) => internal(&e),
    }
}

/// POST /s/{secret}
pub async fn submit_answer(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = throttled(&state, client) {
        return r;
    }
    let pairs = super::form_pairs(&body);
    let input = AnswerInput {
        score: super::field(&pairs, "score").map(str::to_owned),
        comment: super::field(&pairs, "comment").map(str::to_owned),
    };
    match uc::answer_link(&state.app, &secret, &input).await {
        Ok(Ok(done)) => message(done.lang, StatusCode::OK, "public.thanks_title", "public.thanks"),
        Ok(Err((p, lang))) => problem(p, lang),
        Err(bilan_app::AppError::Validation(v)) => match uc::open_link(&state.app, &secret).await {
            Ok(Ok(link)) => {
                let tr = Tr(link.lang);
                let error = v.0.first().map(|f| tr.error(&f.code).to_owned());
                let chosen = input.score.as_deref().and_then(|s| s.trim().parse::<i16>().ok());
                private(
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        render(&AnswerPage {
                            tr,
                            link,
                            secret,
                            chosen,
                            comment: input.comment.unwrap_or_default(),
                            error,
                        }),
                    )
                        .into_response(),
                )
            }
            Ok(Err((p, lang))) => problem(p, lang),
            Err(e) => internal(&e),
        },
        Err(e) => internal(&e),
    }
}
