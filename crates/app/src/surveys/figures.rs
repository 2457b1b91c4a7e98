//! The satisfaction figures: scores, trends, breakdowns, response rates, verbatims.

use crate::{Actor, App, AppResult};
use bilan_db::surveys::{self as store, AnswerFilter, AnswerView, IdKey, TextKey};
use bilan_domain::contacts::BuyingRole;
use bilan_domain::roles::Permission;
use bilan_domain::surveys::{breakdown_of_counts, response_rate, trend_of_counts, Period, Summary, Survey, SurveyKind};
use bilan_domain::timeline::{local_day, local_day_start};
use bilan_domain::ValidationErrors;
use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The satisfaction page's parameters, as text from a query string or CLI flags.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SatisfactionQuery {
    /// First day (YYYY-MM-DD), default: the first day of the month eleven months ago.
    pub from: Option<String>,
    /// Last day, default today.
    pub to: Option<String>,
    /// `month` (default) or `quarter`.
    pub period: Option<String>,
    /// One account only.
    pub account: Option<String>,
}

/// The parsed parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SatisfactionRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Trend granularity.
    pub period: Period,
    /// One account only.
    pub account: Option<Uuid>,
}

impl SatisfactionRange {
    /// The answers this range covers.
    pub fn filter(&self) -> AnswerFilter {
        AnswerFilter {
            from: Some(self.from),
            to: Some(self.to),
            account_id: self.account,
            kind: None,
            contact_id: None,
        }
    }
}

impl SatisfactionQuery {
    /// Parses the parameters; `today` fills the defaults.
    pub fn parse(&self, today: NaiveDate) -> AppResult<SatisfactionRange> {
        let mut e = ValidationErrors::new();
        let date = |e: &mut ValidationErrors, field: &str, raw: &Option<String>| {
            let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            let d = bilan_domain::accounts::parse_date(raw);
            if d.is_none() {
                e.add(field, "date.invalid");
            }
            d
        };
        let to = date(&mut e, "to", &self.to).unwrap_or(today);
        let default_from = {
            let months_back = to.year() * 12 + i32::try_from(to.month0()).unwrap_or(0) - 11;
            NaiveDate::from_ymd_opt(
                months_back.div_euclid(12),
                u32::try_from(months_back.rem_euclid(12)).unwrap_or(0) + 1,
                1,
            )
            .unwrap_or(to)
        };
        let from = date(&mut e, "from", &self.from).unwrap_or(default_from);
        if from > to {
            e.add("to", "period.invalid");
        }
        if (to - from).num_days() > 366 * 5 {
            e.add("from", "period.too_long");
        }
        let period = match self.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Period::Month,
            Some(raw) => Period::parse(raw).unwrap_or_else(|| {
                e.add("period", "period.unknown");
                Period::Month
            }),
        };
        let account = match self.account.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => {
                let id = Uuid::parse_str(raw).ok();
                if id.is_none() {
                    e.add("account", "id.invalid");
                }
                id
            }
        };
        e.into_result()?;
        Ok(SatisfactionRange {
            from,
            to,
            period,
            account,
        })
    }
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownLine {
    /// The site, user… id, or the role or segment code; `None` for "not set".
    pub key: Option<String>,
    /// What people read.
    pub label: String,
    /// Scores of its answers.
    pub summary: Summary,
}

/// Invitations sent and answered for one kind of survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRate {
    /// The survey kind.
    pub kind: SurveyKind,
    /// Invitations sent in the period.
    pub sent: u64,
    /// Of which answered.
    pub answered: u64,
    /// Answered ÷ sent, in %.
    pub rate: Option<Decimal>,
}

/// Everything the satisfaction page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Trend granularity.
    pub period: Period,
    /// The account, when the page is about one.
    pub account: Option<Uuid>,
    /// Scores over the whole period.
    pub overall: Summary,
    /// Answers per score, per kind (for the distribution bars).
    pub distribution: Vec<(SurveyKind, Vec<(i16, u64)>)>,
    /// Scores per month or quarter, empty ones included.
    pub trend: Vec<(String, Summary)>,
    /// Per site.
    pub by_site: Vec<BreakdownLine>,
    /// Per business unit.
    pub by_unit: Vec<BreakdownLine>,
    /// Per buying-centre role (an answer counts for each of its contact's roles).
    pub by_role: Vec<BreakdownLine>,
    /// Per segment (company size).
    pub by_segment: Vec<BreakdownLine>,
    /// Per account owner.
    pub by_owner: Vec<BreakdownLine>,
    /// Response rates per kind.
    pub rates: Vec<ResponseRate>,
    /// All kinds together.
    pub total_rate: ResponseRate,
    /// The latest comments.
    pub verbatims: Vec<AnswerView>,
    /// The fewest answers a score needs before trends and breakdowns show it.
    pub min_answers: u32,
}

/// Comments shown beside the figures.
const VERBATIMS: i64 = 30;

/// The satisfaction figures of the workspace (or of one account) over a period.
///
/// A dashboard computed in the last minute for the same workspace and range is
/// served again, unless an answer arrived since through this process (see
/// [`DashboardCache`]).
pub async fn satisfaction(app: &App, actor: &Actor, range: &SatisfactionRange) -> AppResult<Dashboard> {
    actor.require(Permission::ReadSatisfaction)?;
    let cache = &app.satisfaction_cache;
    let ws = actor.workspace_id;
    // One primary-key read tells whether anything changed since, through any server.
    let generation = {
        let mut pc = app.db.acquire().await?;
        bilan_db::workspaces::satisfaction_generation(&mut pc.conn(), ws).await?
    };
    if let Some(d) = cache.get(ws, range, generation) {
        return Ok(d);
    }
    let _turn = cache.computing.lock().await;
    if let Some(d) = cache.get(ws, range, generation) {
        return Ok(d);
    }
    let d = compute_satisfaction(app, actor, range).await?;
    cache.put(ws, *range, generation, d.clone());
    Ok(d)
}

/// [`satisfaction`] computed from the database, without the cache.
pub async fn compute_satisfaction(app: &App, actor: &Actor, range: &SatisfactionRange) -> AppResult<Dashboard> {
    actor.require(Permission::ReadSatisfaction)?;
    let ws = actor.workspace_id;
    let now = app.now();
    let f = range.filter();
    // Each count, the response rates and the verbatims read their own index: on
    // separate connections they run side by side.
    let sent = async {
        let mut pc = app.db.acquire().await?;
        let until = range.to.succ_opt().map(local_day_start);
        let from = Some(local_day_start(range.from));
        Ok::<_, crate::AppError>(store::sent_and_answered(&mut pc.conn(), ws, from, until, range.account, now).await?)
    };
    let verbatims = async {
        let mut pc = app.db.acquire().await?;
        Ok::<_, crate::AppError>(store::list_answers(&mut pc.conn(), ws, &f, true, None, VERBATIMS).await?)
    };
    let (months, roles, segments, sites, owners, sent, verbatims) = tokio::try_join!(
        by_text(app, ws, &f, TextKey::Month),
        by_text(app, ws, &f, TextKey::Roles),
        by_text(app, ws, &f, TextKey::Segment),
        by_id(app, ws, &f, IdKey::Site),
        by_id(app, ws, &f, IdKey::Owner),
        sent,
        verbatims,
    )?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let dated: Vec<(NaiveDate, SurveyKind, i16, u64)> = months
        .iter()
        .filter_map(|(k, kind, score, n)| {
            let day = k.as_deref().and_then(bilan_domain::accounts::parse_date)?;
            Some((day, *kind, *score, *n))
        })
        .collect();
    let flat: Vec<(SurveyKind, i16, u64)> = dated.iter().map(|(_, k, s, n)| (*k, *s, *n)).collect();
    let overall = Summary::of_counts(&flat);
    let mut distribution = Vec::new();
    for kind in SurveyKind::ALL {
        let mut per_score: Vec<(i16, u64)> = kind.scale().map(|s| (s, 0)).collect();
        for (k, s, n) in &flat {
            if *k == kind {
                if let Some(slot) = per_score.iter_mut().find(|(v, _)| v == s) {
                    slot.1 += n;
                }
            }
        }
        distribution.push((kind, per_score));
    }
    let min_answers = store::min_answers(&mut c, ws).await?;
    let min = min_answers as usize;
    let trend: Vec<(String, Summary)> = trend_of_counts(&dated, range.period, range.from, range.to)
        .into_iter()
        .map(|(p, s)| (p, s.held_back(min)))
        .collect();

    let site_ids: Vec<Uuid> = sites
        .iter()
        .filter_map(|(k, ..)| *k)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let site_names = store::site_names(&mut c, ws, &site_ids).await?;
    let (mut on_sites, mut on_units) = (Vec::new(), Vec::new());
    for (id, kind, score, n) in sites {
        match id.and_then(|id| site_names.get(&id).map(|v| (id, v))) {
            Some((id, (site_kind, _))) if site_kind == "business_unit" => on_units.push((Some(id), kind, score, n)),
            Some((id, _)) => on_sites.push((Some(id), kind, score, n)),
            None => {
                on_sites.push((None, kind, score, n));
                on_units.push((None, kind, score, n));
            }
        }
    }
    let none_label = "—".to_owned();
    let label_site = |id: &Option<Uuid>| {
        id.and_then(|id| site_names.get(&id).map(|(_, n)| n.clone()))
            .unwrap_or_else(|| none_label.clone())
    };
    let by_site = lines(&on_sites, |k| (k.map(|u| u.to_string()), label_site(k)));
    let by_unit = lines(&on_units, |k| (k.map(|u| u.to_string()), label_site(k)));

    let mut per_role = Vec::new();
    for (k, kind, score, n) in roles {
        let parsed = BuyingRole::parse_list(k.as_deref().unwrap_or_default()).unwrap_or_default();
        if parsed.is_empty() {
            per_role.push((None, kind, score, n));
        }
        for r in parsed {
            per_role.push((Some(r.code().to_owned()), kind, score, n));
        }
    }
    let by_role = lines(&per_role, |k| {
        (k.clone(), k.clone().unwrap_or_else(|| none_label.clone()))
    });

    let by_segment = lines(&segments, |k| {
        (k.clone(), k.clone().unwrap_or_else(|| none_label.clone()))
    });

    let team: HashMap<String, String> = bilan_db::users::list(&mut c, ws)
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.display_name))
        .collect();
    let by_owner = lines(&owners, |k| {
        let label = k
            .and_then(|id| team.get(&id.to_string()).cloned())
            .unwrap_or_else(|| none_label.clone());
        (k.map(|u| u.to_string()), label)
    });

    let held = |v: Vec<BreakdownLine>| -> Vec<BreakdownLine> {
        v.into_iter()
            .map(|l| BreakdownLine {
                summary: l.summary.held_back(min),
                ..l
            })
            .collect()
    };
    let (by_site, by_unit, by_role, by_segment, by_owner) = (
        held(by_site),
        held(by_unit),
        held(by_role),
        held(by_segment),
        held(by_owner),
    );
    let rates: Vec<ResponseRate> = SurveyKind::ALL
        .into_iter()
        .map(|kind| {
            let (s, a) = sent
                .iter()
                .find(|(k, ..)| *k == kind)
                .map(|(_, s, a)| (*s, *a))
                .unwrap_or((0, 0));
            rate(kind, s, a)
        })
        .collect();
    let (s, a) = rates.iter().fold((0, 0), |(s, a), r| (s + r.sent, a + r.answered));
    let total_rate = rate(SurveyKind::Nps, s, a);
    Ok(Dashboard {
        from: range.from,
        to: range.to,
        period: range.period,
        account: range.account,
        overall,
        distribution,
        trend,
        by_site,
        by_unit,
        by_role,
        by_segment,
        by_owner,
        rates,
        total_rate,
        verbatims,
        min_answers,
    })
}

/// How long a computed dashboard is served again.
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);
/// Dashboards kept at most (the whole cache is dropped beyond).
const CACHE_MAX: usize = 512;

/// Dashboards computed recently, per workspace and range.
///
/// A dashboard reads every answer of its period: on the medium demo that is tens of
/// milliseconds, and managers open it over and over while answers arrive a few an
/// hour. Each entry is kept with the workspace's satisfaction generation, which every
/// answer, invitation and setting bumps in the database in its own transaction: an
/// answer given through any server is seen by every server's next request.
#[derive(Debug, Default)]
pub struct DashboardCache {
    entries: std::sync::Mutex<HashMap<(Uuid, SatisfactionRange), CacheEntry>>,
    // Misses are computed one at a time: a burst of requests for a cold dashboard
    // computes it once instead of once per request.
    computing: tokio::sync::Mutex<()>,
}

type CacheEntry = (i64, std::time::Instant, Dashboard);

impl DashboardCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Uuid, SatisfactionRange), CacheEntry>> {
        // A panic elsewhere while holding the lock leaves plain data: keep using it.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, ws: Uuid, range: &SatisfactionRange, generation: i64) -> Option<Dashboard> {
        let entries = self.lock();
        let (at_generation, at, d) = entries.get(&(ws, *range))?;
        (*at_generation == generation && at.elapsed() < CACHE_TTL).then(|| d.clone())
    }

    fn put(&self, ws: Uuid, range: SatisfactionRange, generation: i64, d: Dashboard) {
        let mut entries = self.lock();
        if entries.len() >= CACHE_MAX {
            entries.clear();
        }
        entries.insert((ws, range), (generation, std::time::Instant::now(), d));
    }
}

/// Counts by a text key, on a connection of its own.
async fn by_text(
    app: &App,
    ws: Uuid,
    f: &AnswerFilter,
    key: TextKey,
) -> AppResult<Vec<(Option<String>, SurveyKind, i16, u64)>> {
    let mut pc = app.db.acquire().await?;
    Ok(store::counts_by_text(&mut pc.conn(), ws, f, key).await?)
}

/// Counts by an id key, on a connection of its own.
async fn by_id(
    app: &App,
    ws: Uuid,
    f: &AnswerFilter,
    key: IdKey,
) -> AppResult<Vec<(Option<Uuid>, SurveyKind, i16, u64)>> {
    let mut pc = app.db.acquire().await?;
    Ok(store::counts_by_id(&mut pc.conn(), ws, f, key).await?)
}

fn rate(kind: SurveyKind, sent: u64, answered: u64) -> ResponseRate {
    ResponseRate {
        kind,
        sent,
        answered,
        rate: response_rate(
            usize::try_from(sent).unwrap_or(usize::MAX),
            usize::try_from(answered).unwrap_or(0),
        ),
    }
}

/// Lines a breakdown shows: the keys with most answers, the rest summed up in one
/// "others" line (key `*`), so a portfolio of thousands of sites stays readable.
pub const BREAKDOWN_LINES: usize = 20;

fn lines<K: Ord + Clone + std::hash::Hash>(
    groups: &[(K, SurveyKind, i16, u64)],
    describe: impl Fn(&K) -> (Option<String>, String),
) -> Vec<BreakdownLine> {
    let mut totals: HashMap<&K, u64> = HashMap::new();
    for (k, _, _, n) in groups {
        *totals.entry(k).or_default() += n;
    }
    let mut ranked: Vec<(&K, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let kept: HashSet<&K> = ranked.iter().take(BREAKDOWN_LINES).map(|(k, _)| *k).collect();
    let (top, rest): (Vec<_>, Vec<_>) = groups.iter().cloned().partition(|(k, ..)| kept.contains(k));
    let mut out: Vec<BreakdownLine> = breakdown_of_counts(&top)
        .into_iter()
        .map(|(k, summary)| {
            let (key, label) = describe(&k);
            BreakdownLine { key, label, summary }
        })
        .collect();
    // Most answers first: the lines that weigh are read first.
    out.sort_by(|a, b| {
        b.summary
            .answers()
            .cmp(&a.summary.answers())
            .then(a.label.cmp(&b.label))
    });
    if !rest.is_empty() {
        let flat: Vec<(SurveyKind, i16, u64)> = rest.iter().map(|(_, k, s, n)| (*k, *s, *n)).collect();
        out.push(BreakdownLine {
            key: Some("*".to_owned()),
            label: "*".to_owned(),
            summary: Summary::of_counts(&flat),
        });
    }
    out
}

/// What an account's page shows of its satisfaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSatisfaction {
    /// Scores of the last twelve months.
    pub overall: Summary,
    /// The latest answers.
    pub recent: Vec<AnswerView>,
    /// Active surveys, to send one by hand.
    pub surveys: Vec<Survey>,
}

/// An account's satisfaction over the last twelve months and its latest answers.
pub async fn account_satisfaction(app: &App, actor: &Actor, account: Uuid) -> AppResult<AccountSatisfaction> {
    actor.require(Permission::ReadSatisfaction)?;
    let today = local_day(app.now());
    let from = today - Duration::days(365);
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let f = AnswerFilter {
        from: Some(from),
        to: Some(today),
        account_id: Some(account),
        kind: None,
        contact_id: None,
    };
    // One account has few answers: any grouping will do, the counts are summed.
    let flat: Vec<(SurveyKind, i16, u64)> = store::counts_by_text(&mut c, ws, &f, TextKey::Segment)
        .await?
        .into_iter()
        .map(|(_, k, s, n)| (k, s, n))
        .collect();
    let recent = store::list_answers(
        &mut c,
        ws,
        &AnswerFilter {
            from: None,
            to: None,
            ..f
        },
        false,
        None,
        5,
    )
    .await?;
    let surveys = store::list_surveys(&mut c, ws)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .collect();
    Ok(AccountSatisfaction {
        overall: Summary::of_counts(&flat),
        recent,
        surveys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_forgets_a_workspace_when_it_changes() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let range = SatisfactionRange {
            from: day(1),
            to: day(30),
            period: Period::Month,
            account: None,
        };
        let d = Dashboard {
            from: range.from,
            to: range.to,
            period: range.period,
            account: None,
            overall: Summary::default(),
            distribution: vec![],
            trend: vec![],
            by_site: vec![],
            by_unit: vec![],
            by_role: vec![],
            by_segment: vec![],
            by_owner: vec![],
            rates: vec![],
            total_rate: rate(SurveyKind::Nps, 0, 0),
            verbatims: vec![],
            min_answers: 5,
        };
        let (ws, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let cache = DashboardCache::default();
        assert!(cache.get(ws, &range, 0).is_none());
        cache.put(ws, range, 4, d.clone());
        cache.put(other, range, 7, d.clone());
        assert_eq!(cache.get(ws, &range, 4), Some(d.clone()));
        // Once the database's generation moved (an answer, through any server), the
        // dashboard computed before is not served.
        assert!(cache.get(ws, &range, 5).is_none());
        assert!(cache.get(other, &range, 7).is_some(), "other workspaces keep theirs");
        let later = SatisfactionRange { to: day(29), ..range };
        assert!(cache.get(other, &later, 7).is_none(), "another range is another entry");
    }

    #[test]
    fn a_breakdown_keeps_the_biggest_lines_and_sums_up_the_rest() {
        let mut groups = Vec::new();
        for k in 0..30u64 {
            // Key k has k + 1 answers, all promoters except key 0's detractor.
            let score = if k == 0 { 0 } else { 10 };
            groups.push((k, SurveyKind::Nps, score, k + 1));
        }
        let out = lines(&groups, |k| (Some(k.to_string()), format!("site {k}")));
        assert_eq!(out.len(), BREAKDOWN_LINES + 1);
        assert_eq!(out[0].label, "site 29", "most answers first");
        let others = out.last().unwrap();
        assert_eq!(others.key.as_deref(), Some("*"));
        // Keys 0..=9 are left out: 1 + 2 + … + 10 = 55 answers, one of them a detractor.
        assert_eq!(others.summary.nps_answers, 55);
        assert_eq!(others.summary.detractors, 1);
        let few = lines(&groups[..3], |k| (None, format!("{k}")));
        assert_eq!(few.len(), 3, "no others line when everything fits");
    }
}

/// What a contact's page shows of their surveys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactSurveys {
    /// When they were last asked (or will be, for a delayed invitation).
    pub last_surveyed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The first day they may be asked again, if the interval still holds.
    pub next_allowed_on: Option<NaiveDate>,
    /// Their latest answers.
    pub answers: Vec<AnswerView>,
}

/// A contact's surveys: when they were last asked, when they may be again, their answers.
pub async fn contact_surveys(app: &App, actor: &Actor, contact: Uuid) -> AppResult<ContactSurveys> {
    actor.require(Permission::ReadSatisfaction)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    // Invitations planned later count too; a bound within four-digit years keeps
    // SQLite's text comparison of instants right.
    let horizon = app.now() + Duration::days(3660);
    let last = store::last_surveyed_before(&mut c, ws, &[contact], horizon)
        .await?
        .remove(&contact);
    let interval = store::interval_days(&mut c, ws).await?;
    let next_allowed_on = last
        .map(|t| local_day(t) + Duration::days(i64::from(interval)))
        .filter(|d| *d > local_day(app.now()));
    let f = AnswerFilter {
        contact_id: Some(contact),
        ..AnswerFilter::default()
    };
    let answers = store::list_answers(&mut c, ws, &f, false, None, 10).await?;
    Ok(ContactSurveys {
        last_surveyed_at: last,
        next_allowed_on,
        answers,
    })
}
