//! The satisfaction page: NPS, CSAT and CES with their promoters, passives and
//! detractors, trends drawn as SVG, breakdowns, response rates and verbatims; the
//! list of answers and its CSV export.

use super::{error_response, render, Layout};
use crate::api::surveys::{answer_cursor, parse_answer_cursor};
use crate::session::PageUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bilan_app::surveys::AnswerView;
use bilan_app::surveys::{self as uc, BreakdownLine, Dashboard, SatisfactionQuery};
use bilan_domain::surveys::{is_negative, NpsCategory, Period, Summary, SurveyKind};
use rust_decimal::Decimal;

/// The satisfaction dashboard.
#[derive(Template)]
#[template(path = "satisfaction/dashboard.html")]
pub struct DashboardPage {
    /// Layout.
    pub l: Layout,
    /// The figures.
    pub d: Dashboard,
    /// The query, to keep the form filled.
    pub query: SatisfactionQuery,
    /// The query string, for the export and answers links.
    pub qs: String,
}

/// One breakdown table.
pub struct Section<'a> {
    /// Title key.
    pub title: &'static str,
    /// Lines.
    pub lines: &'a [BreakdownLine],
    /// Whether labels are codes to translate with this prefix.
    pub code_prefix: Option<&'static str>,
}

/// CSS class of a score badge.
pub fn score_class(kind: &str, score: &i32) -> &'static str {
    let Some(kind) = SurveyKind::parse(kind) else { return "" };
    let s = i16::try_from(*score).unwrap_or(0);
    match kind {
        SurveyKind::Nps => match NpsCategory::of(s) {
            Some(NpsCategory::Promoter) => "good",
            Some(NpsCategory::Passive) => "neutral",
            _ => "bad",
        },
        _ if is_negative(kind, s) => "bad",
        SurveyKind::Csat if s >= 4 => "good",
        SurveyKind::Ces if s >= 5 => "good",
        _ => "neutral",
    }
}

impl DashboardPage {
    fn sections(&self) -> Vec<Section<'_>> {
        vec![
            Section {
                title: "satisfaction.by_site",
                lines: &self.d.by_site,
                code_prefix: None,
            },
            Section {
                title: "satisfaction.by_unit",
                lines: &self.d.by_unit,
                code_prefix: None,
            },
            Section {
                title: "satisfaction.by_role",
                lines: &self.d.by_role,
                code_prefix: Some("role."),
            },
            Section {
                title: "satisfaction.by_segment",
                lines: &self.d.by_segment,
                code_prefix: Some("size."),
            },
            Section {
                title: "satisfaction.by_owner",
                lines: &self.d.by_owner,
                code_prefix: None,
            },
        ]
    }

    fn label(&self, s: &Section<'_>, line: &BreakdownLine) -> String {
        match line.key.as_deref() {
            Some("*") => return self.l.t("satisfaction.others").to_owned(),
            None => return self.l.t("satisfaction.not_set").to_owned(),
            _ => {}
        }
        match (s.code_prefix, &line.key) {
            (Some(prefix), Some(code)) => self.l.tk(prefix, code),
            _ => line.label.clone(),
        }
    }

    fn fig(&self, v: &Option<Decimal>) -> String {
        self.l.opt_score(v)
    }

    fn period_label(&self, code: &str) -> String {
        bilan_i18n::format::period(self.l.tr.0, code)
    }

    /// The promoters, passives and detractors as (class, x, width) in percent of the bar.
    fn stack(&self) -> Vec<(&'static str, String, String)> {
        let o = &self.d.overall;
        let whole = o.nps_answers.max(1) as f64;
        let mut x = 0.0;
        [("good", o.promoters), ("neutral", o.passives), ("bad", o.detractors)]
            .into_iter()
            .map(|(class, n)| {
                let w = n as f64 * 100.0 / whole;
                let part = (class, format!("{x:.2}"), format!("{w:.2}"));
                x += w;
                part
            })
            .collect()
    }

    fn badge(&self, a: &AnswerView) -> &'static str {
        score_class(&a.answer.kind, &a.answer.score)
    }

    fn chart(&self, kind: &str) -> String {
        let pick = |s: &Summary| match kind {
            "nps" => s.nps,
            "csat" => s.csat,
            _ => s.ces,
        };
        let answers = |s: &Summary| match kind {
            "nps" => s.nps_answers,
            "csat" => s.csat_answers,
            _ => s.ces_answers,
        };
        let points: Vec<crate::charts::Point> = self
            .d
            .trend
            .iter()
            .map(|(p, s)| crate::charts::Point {
                label: self.period_label(p),
                value: pick(s),
                answers: answers(s),
            })
            .collect();
        let lang = self.l.tr.0;
        let value = move |d: Decimal| bilan_i18n::format::score(lang, d);
        let count = move |n: usize| format!("n\u{a0}=\u{a0}{}", bilan_i18n::format::count(lang, n));
        let (min, max) = match kind {
            "nps" => (Decimal::from(-100), Decimal::from(100)),
            "csat" => (Decimal::ZERO, Decimal::ONE_HUNDRED),
            _ => (Decimal::ONE, Decimal::from(7)),
        };
        crate::charts::trend_line(
            self.l.t(&format!("satisfaction.trend_{kind}")),
            &points,
            min,
            max,
            &crate::charts::Notation {
                value: &value,
                answers: &count,
            },
        )
    }

    fn is_period(&self, p: &str) -> bool {
        self.d.period.code() == p
    }

    fn periods(&self) -> Vec<&'static str> {
        Period::ALL.iter().map(|p| p.code()).collect()
    }

    fn distribution(&self, kind: &str) -> Vec<(i16, u64, String)> {
        let Some((_, per)) = self.d.distribution.iter().find(|(k, _)| k.code() == kind) else {
            return Vec::new();
        };
        let most = per.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        per.iter()
            .map(|(s, n)| (*s, *n, format!("{:.1}", *n as f64 * 100.0 / most as f64)))
            .collect()
    }
}

fn query_string(raw: Option<&str>) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, v)| matches!(k.as_str(), "from" | "to" | "period" | "account") && !v.is_empty())
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// GET /satisfaction
pub async fn show_satisfaction(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<SatisfactionQuery>,
    RawQuery(raw): RawQuery,
) -> Response {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let range = match query.parse(today) {
        Ok(r) => r,
        Err(e) => return error_response(&user, &headers, &e),
    };
    match uc::satisfaction(&state.app, &user.actor, &range).await {
        Ok(d) => render(&DashboardPage {
            l: Layout::for_user(&user, "satisfaction"),
            d,
            query,
            qs: query_string(raw.as_deref()),
        }),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The answers list.
#[derive(Template)]
#[template(path = "satisfaction/answers.html")]
pub struct AnswersPage {
    /// Layout.
    pub l: Layout,
    /// Answers, newest first.
    pub items: Vec<AnswerView>,
    /// The next page.
    pub more_url: Option<String>,
    /// Query string of the range.
    pub qs: String,
}

impl AnswersPage {
    fn badge(&self, a: &AnswerView) -> &'static str {
        score_class(&a.answer.kind, &a.answer.score)
    }
}

/// Query of the answers page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AnswersPageQuery {
    #[serde(flatten)]
    range: SatisfactionQuery,
    cursor: Option<String>,
}

/// GET /satisfaction/answers
pub async fn list_answers(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(q): Query<AnswersPageQuery>,
    RawQuery(raw): RawQuery,
) -> Response {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let range = match q.range.parse(today) {
        Ok(r) => r,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let after = q.cursor.as_deref().and_then(parse_answer_cursor);
    const PAGE: i64 = 50;
    match uc::list_answers(&state.app, &user.actor, &range, after, PAGE).await {
        Ok(items) => {
            let qs = query_string(raw.as_deref());
            let more_url = (items.len() as i64 == PAGE)
                .then(|| items.last().map(answer_cursor))
                .flatten()
                .map(|c| format!("/satisfaction/answers?{qs}&cursor={c}"));
            render(&AnswersPage {
                l: Layout::for_user(&user, "satisfaction"),
                items,
                more_url,
                qs,
            })
        }
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// GET /satisfaction/answers.csv
pub async fn export_answers(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(query): Query<SatisfactionQuery>,
    RawQuery(raw): RawQuery,
) -> Response {
    let today = bilan_domain::timeline::local_day(state.app.now());
    let range = match query.parse(today) {
        Ok(r) => r,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let sep = crate::api::imports::separator(&crate::api::imports::export_query(raw.as_deref()));
    match uc::export_answers(&state.app, &user.actor, &range, sep).await {
        Ok(bytes) => crate::api::imports::csv_download("survey-answers.csv", bytes),
        Err(e) => error_response(&user, &headers, &e),
    }
}

/// The satisfaction card of an account's page, loaded after the page itself.
#[derive(Template)]
#[template(path = "satisfaction/_account_card.html")]
pub struct AccountCard {
    /// Layout.
    pub l: Layout,
    /// The account.
    pub account_id: uuid::Uuid,
    /// Its satisfaction.
    pub sat: bilan_app::surveys::AccountSatisfaction,
    /// Its contacts still there, each with whether a survey may be sent to them now.
    pub candidates: Vec<bilan_app::surveys::ContactOutcome>,
}

impl AccountCard {
    fn fig(&self, v: &Option<Decimal>) -> String {
        self.l.opt_score(v)
    }

    fn badge(&self, a: &AnswerView) -> &'static str {
        score_class(&a.answer.kind, &a.answer.score)
    }
}

/// GET /accounts/{id}/satisfaction — the card (htmx), or the account's satisfaction page.
pub async fn account_card(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<uuid::Uuid>,
) -> Response {
    if !crate::session::is_htmx(&headers) {
        return super::see_other(&format!("/satisfaction?account={id}"));
    }
    let sat = match uc::account_satisfaction(&state.app, &user.actor, id).await {
        Ok(s) => s,
        Err(e) => return error_response(&user, &headers, &e),
    };
    let candidates = if user.actor.can(bilan_domain::roles::Permission::SendSurveys) {
        match uc::candidates(&state.app, &user.actor, id).await {
            Ok(c) => c,
            Err(e) => return error_response(&user, &headers, &e),
        }
    } else {
        Vec::new()
    };
    render(&AccountCard {
        l: Layout::for_user(&user, "accounts"),
        account_id: id,
        sat,
        candidates,
    })
}
