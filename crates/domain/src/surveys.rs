//! Hot satisfaction surveys (SPEC C3, "satisfaction à chaud"): NPS, CSAT and CES
//! surveys sent after an event, the scores of their answers, and the rules that
//! keep a contact from being surveyed too often.
//!
//! Scores follow SPEC "Formulas" and are computed with `rust_decimal`, never with
//! floats, so the figure on a page, in an export and in the API is the same.

use crate::contacts::{parse_bool, BuyingRole};
use crate::events::EventKind;
use crate::timeline::local_day;
use crate::validation::{clean, is_plausible_email, optional_text, required_text, ValidationErrors};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use uuid::Uuid;

/// Longest survey name, in characters.
pub const NAME_MAX: usize = 200;
/// Longest question (score or comment question), in characters.
pub const QUESTION_MAX: usize = 500;
/// Longest verbatim comment, in characters.
pub const COMMENT_MAX: usize = 5_000;
/// Days an invitation link stays valid when the survey does not say.
pub const EXPIRY_DAYS_DEFAULT: u32 = 14;
/// Allowed link validity, in days: a hot survey answered months later is no longer hot.
pub const EXPIRY_DAYS: RangeInclusive<u32> = 1..=90;
/// Longest delay between an event and its survey, in hours (30 days).
pub const DELAY_HOURS_MAX: u32 = 720;

/// The kind of a survey, which fixes its answer scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SurveyKind {
    /// Net Promoter Score: "would you recommend us?", 0–10.
    Nps,
    /// Customer satisfaction: "how satisfied are you?", 1–5.
    Csat,
    /// Customer effort score: "it was easy to…", 1–7 (7 = very easy).
    Ces,
}

impl SurveyKind {
    /// Every kind.
    pub const ALL: [SurveyKind; 3] = [Self::Nps, Self::Csat, Self::Ces];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nps => "nps",
            Self::Csat => "csat",
            Self::Ces => "ces",
        }
    }

    /// Parses a code, in any case, or the English name of the measure.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).as_str() {
            "nps" | "net promoter score" => Some(Self::Nps),
            "csat" | "customer satisfaction" | "customer satisfaction score" => Some(Self::Csat),
            "ces" | "customer effort score" => Some(Self::Ces),
            _ => None,
        }
    }

    /// Lowest score of the scale.
    pub fn min(self) -> i16 {
        match self {
            Self::Nps => 0,
            Self::Csat | Self::Ces => 1,
        }
    }

    /// Highest score of the scale.
    pub fn max(self) -> i16 {
        match self {
            Self::Nps => 10,
            Self::Csat => 5,
            Self::Ces => 7,
        }
    }

    /// The scale, both ends included.
    pub fn scale(self) -> RangeInclusive<i16> {
        self.min()..=self.max()
    }

    /// Whether `score` is on this kind's scale.
    pub fn is_valid_score(self, score: i16) -> bool {
        self.scale().contains(&score)
    }
}

/// Where an NPS answer puts the person who gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NpsCategory {
    /// 9 or 10: recommends us.
    Promoter,
    /// 7 or 8: satisfied but not enthusiastic.
    Passive,
    /// 0 to 6: unhappy, may speak ill of us.
    Detractor,
}

impl NpsCategory {
    /// The category of an NPS score; `None` off the 0–10 scale.
    pub fn of(score: i16) -> Option<Self> {
        match score {
            9..=10 => Some(Self::Promoter),
            7..=8 => Some(Self::Passive),
            0..=6 => Some(Self::Detractor),
            _ => None,
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Promoter => "promoter",
            Self::Passive => "passive",
            Self::Detractor => "detractor",
        }
    }
}

/// Whether an answer is bad enough to create a follow-up for the account owner.
///
/// NPS detractors (0–6), CSAT 1–2, CES 1–3 (CES asks "it was easy to…", so a low
/// score means a hard time). Scores off the scale are never negative: they are not
/// answers.
pub fn is_negative(kind: SurveyKind, score: i16) -> bool {
    if !kind.is_valid_score(score) {
        return false;
    }
    match kind {
        SurveyKind::Nps => score <= 6,
        SurveyKind::Csat => score <= 2,
        SurveyKind::Ces => score <= 3,
    }
}

/// Rounds half away from zero (the rounding people expect, not the banker's) to
/// exactly `dp` decimals, so 30 shows as "30.0", and never yields "-0.0".
fn rounded(value: Decimal, dp: u32) -> Decimal {
    let mut r = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r
}

/// `part / whole × 100`, one decimal; `None` when `whole` is zero.
fn percent(part: Decimal, whole: usize) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let ratio = part
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(Decimal::from(whole))?;
    Some(rounded(ratio, 1))
}

/// Scores of a set of answers, per SPEC "Formulas".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    /// NPS answers counted.
    pub nps_answers: usize,
    /// NPS answers 9–10.
    pub promoters: usize,
    /// NPS answers 7–8.
    pub passives: usize,
    /// NPS answers 0–6.
    pub detractors: usize,
    /// % promoters − % detractors, −100.0 to 100.0, one decimal; `None` without NPS answers.
    pub nps: Option<Decimal>,
    /// CSAT answers counted.
    pub csat_answers: usize,
    /// CSAT answers 4–5.
    pub csat_satisfied: usize,
    /// Share of CSAT answers 4–5, in %, one decimal; `None` without CSAT answers.
    pub csat: Option<Decimal>,
    /// CES answers counted.
    pub ces_answers: usize,
    /// Mean CES answer, 1.00 to 7.00, two decimals; `None` without CES answers.
    pub ces: Option<Decimal>,
}

impl Summary {
    /// The scores of `(kind, score)` answers; scores off their kind's scale are ignored.
    pub fn of(answers: &[(SurveyKind, i16)]) -> Self {
        let counted: Vec<(SurveyKind, i16, u64)> = answers.iter().map(|&(k, v)| (k, v, 1)).collect();
        Self::of_counts(&counted)
    }

    /// The scores of `(kind, score, how many)` groups, as a database `GROUP BY` gives them.
    pub fn of_counts(groups: &[(SurveyKind, i16, u64)]) -> Self {
        let mut s = Self::default();
        let mut ces_sum: u64 = 0;
        for &(kind, score, n) in groups.iter().filter(|(k, v, _)| k.is_valid_score(*v)) {
            let n_usize = usize::try_from(n).unwrap_or(usize::MAX);
            match kind {
                SurveyKind::Nps => {
                    s.nps_answers += n_usize;
                    match NpsCategory::of(score) {
                        Some(NpsCategory::Promoter) => s.promoters += n_usize,
                        Some(NpsCategory::Passive) => s.passives += n_usize,
                        Some(NpsCategory::Detractor) | None => s.detractors += n_usize,
                    }
                }
                SurveyKind::Csat => {
                    s.csat_answers += n_usize;
                    if score >= 4 {
                        s.csat_satisfied += n_usize;
                    }
                }
                SurveyKind::Ces => {
                    s.ces_answers += n_usize;
                    // Valid CES scores are 1–7, never negative.
                    ces_sum = ces_sum.saturating_add(u64::try_from(score).unwrap_or(0).saturating_mul(n));
                }
            }
        }
        // The difference is rounded once: rounding each share first could be 0.1 off.
        s.nps = percent(Decimal::from(s.promoters) - Decimal::from(s.detractors), s.nps_answers);
        s.csat = percent(Decimal::from(s.csat_satisfied), s.csat_answers);
        s.ces = if s.ces_answers == 0 {
            None
        } else {
            Decimal::from(ces_sum)
                .checked_div(Decimal::from(s.ces_answers))
                .map(|m| rounded(m, 2))
        };
        s
    }

    /// The same figures with each score held back (`None`) when fewer than `min`
    /// answers of its kind stand behind it: a site with three answers does not
    /// show an NPS of −100. The counts stay, so the sample size still shows.
    pub fn held_back(mut self, min: usize) -> Self {
        if self.nps_answers < min {
            self.nps = None;
        }
        if self.csat_answers < min {
            self.csat = None;
        }
        if self.ces_answers < min {
            self.ces = None;
        }
        self
    }

    /// Every answer counted, all kinds together.
    pub fn answers(&self) -> usize {
        self.nps_answers + self.csat_answers + self.ces_answers
    }
}

/// Answers ÷ invitations sent × 100, one decimal; `None` when nothing was sent.
///
/// More answers than invitations cannot happen with single-use links; should a
/// data import produce it, the rate is capped at 100.0 rather than shown absurd.
pub fn response_rate(sent: usize, answered: usize) -> Option<Decimal> {
    percent(Decimal::from(answered.min(sent)), sent)
}

/// The length of the periods of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar month, keyed "2026-03".
    Month,
    /// Calendar quarter, keyed "2026-Q1".
    Quarter,
}

impl Period {
    /// Both period lengths.
    pub const ALL: [Period; 2] = [Self::Month, Self::Quarter];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
        }
    }

    /// Parses a code or a French/English label.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).as_str() {
            "month" | "monthly" | "mois" | "mensuel" => Some(Self::Month),
            "quarter" | "quarterly" | "trimestre" | "trimestriel" => Some(Self::Quarter),
            _ => None,
        }
    }
}

/// One month or quarter: a year and the month (1–12) or quarter (1–4) in it.
/// Ordered as time goes, which the derived order gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    year: i32,
    index: u32,
}

impl Slot {
    fn of(day: NaiveDate, period: Period) -> Self {
        let index = match period {
            Period::Month => day.month(),
            Period::Quarter => (day.month() - 1) / 3 + 1,
        };
        Self {
            year: day.year(),
            index,
        }
    }

    fn next(self, period: Period) -> Self {
        let last = match period {
            Period::Month => 12,
            Period::Quarter => 4,
        };
        if self.index >= last {
            Self {
                year: self.year + 1,
                index: 1,
            }
        } else {
            Self {
                year: self.year,
                index: self.index + 1,
            }
        }
    }

    fn key(self, period: Period) -> String {
        match period {
            Period::Month => format!("{:04}-{:02}", self.year, self.index),
            Period::Quarter => format!("{:04}-Q{}", self.year, self.index),
        }
    }
}

/// The key of the period an instant falls in, by its local day in Paris: "2026-03"
/// or "2026-Q1". Keys of years 1000–9999 sort as time goes.
pub fn period_key(at: DateTime<Utc>, period: Period) -> String {
    Slot::of(local_day(at), period).key(period)
}

/// Scores per period of `(answered at, kind, score)` answers whose local day is
/// within `from..=to`, for every period touching that range, empty ones included
/// (their scores are `None`), oldest first. Empty when `from` is after `to`.
///
/// Answers are kept by day, not by period, so a range starting mid-month gives a
/// first month of only the days asked for.
pub fn trend(
    answers: &[(DateTime<Utc>, SurveyKind, i16)],
    period: Period,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(String, Summary)> {
    if from > to {
        return Vec::new();
    }
    let mut grouped: BTreeMap<Slot, Vec<(SurveyKind, i16)>> = BTreeMap::new();
    for &(at, kind, score) in answers {
        let day = local_day(at);
        if (from..=to).contains(&day) {
            grouped.entry(Slot::of(day, period)).or_default().push((kind, score));
        }
    }
    let last = Slot::of(to, period);
    let mut slot = Slot::of(from, period);
    let mut out = Vec::new();
    while slot <= last {
        let in_slot = grouped.get(&slot).map(Vec::as_slice).unwrap_or_default();
        out.push((slot.key(period), Summary::of(in_slot)));
        slot = slot.next(period);
    }
    out
}

/// [`trend`] over `(local day, kind, score, how many)` groups, as a database gives
/// them grouped by day or by month (any day of the month stands for it).
pub fn trend_of_counts(
    groups: &[(NaiveDate, SurveyKind, i16, u64)],
    period: Period,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(String, Summary)> {
    if from > to {
        return Vec::new();
    }
    let mut grouped: BTreeMap<Slot, Vec<(SurveyKind, i16, u64)>> = BTreeMap::new();
    for &(day, kind, score, n) in groups {
        grouped.entry(Slot::of(day, period)).or_default().push((kind, score, n));
    }
    let last = Slot::of(to, period);
    let mut slot = Slot::of(from, period);
    let mut out = Vec::new();
    while slot <= last {
        let in_slot = grouped.get(&slot).map(Vec::as_slice).unwrap_or_default();
        out.push((slot.key(period), Summary::of_counts(in_slot)));
        slot = slot.next(period);
    }
    out
}

/// [`breakdown`] over `(key, kind, score, how many)` groups.
pub fn breakdown_of_counts<K: Ord + Clone>(groups: &[(K, SurveyKind, i16, u64)]) -> Vec<(K, Summary)> {
    let mut grouped: BTreeMap<K, Vec<(SurveyKind, i16, u64)>> = BTreeMap::new();
    for (key, kind, score, n) in groups {
        grouped.entry(key.clone()).or_default().push((*kind, *score, *n));
    }
    grouped.into_iter().map(|(k, v)| (k, Summary::of_counts(&v))).collect()
}

/// Scores per key (site, business unit, persona…) of `(key, kind, score)` answers,
/// keys in ascending order, only keys that have answers.
pub fn breakdown<K: Ord + Clone>(answers: &[(K, SurveyKind, i16)]) -> Vec<(K, Summary)> {
    let mut grouped: BTreeMap<K, Vec<(SurveyKind, i16)>> = BTreeMap::new();
    for (key, kind, score) in answers {
        grouped.entry(key.clone()).or_default().push((*kind, *score));
    }
    grouped.into_iter().map(|(k, v)| (k, Summary::of(&v))).collect()
}

/// Whether a contact last surveyed at `last_surveyed_at` may be surveyed again at `now`.
///
/// Counted in Paris calendar days, not 24-hour spans: a contact surveyed on
/// 1 March may be surveyed again from 31 March with a 30-day interval whatever the
/// hour, so a daily sending job does not drift a day later each time. A last survey
/// in the future (clock skew between servers) blocks, which errs on the quiet side.
pub fn may_survey(last_surveyed_at: Option<DateTime<Utc>>, now: DateTime<Utc>, min_interval_days: u32) -> bool {
    match last_surveyed_at {
        None => true,
        Some(last) => (local_day(now) - local_day(last)).num_days() >= i64::from(min_interval_days),
    }
}

/// Why a contact may or may not receive a survey invitation now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendEligibility {
    /// The contact did not agree to surveys.
    NoConsent,
    /// The contact left the client company.
    LeftCompany,
    /// No usable e-mail address.
    NoEmail,
    /// Surveyed within the minimum interval.
    SurveyedRecently,
    /// The invitation may be sent.
    Eligible,
}

impl SendEligibility {
    /// Stable code, also the translation key suffix of the reason shown.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoConsent => "no_consent",
            Self::LeftCompany => "left_company",
            Self::NoEmail => "no_email",
            Self::SurveyedRecently => "surveyed_recently",
            Self::Eligible => "eligible",
        }
    }

    /// Whether the invitation may be sent.
    pub fn is_eligible(self) -> bool {
        self == Self::Eligible
    }
}

/// What eligibility needs to know of a contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactFacts {
    /// The contact agreed to surveys.
    pub survey_consent: bool,
    /// The day the contact left the client company, if known.
    pub left_on: Option<NaiveDate>,
    /// E-mail address.
    pub email: Option<String>,
    /// When the contact was last sent a survey.
    pub last_surveyed_at: Option<DateTime<Utc>>,
}

/// Whether a contact may receive an invitation at `now`, and if not, why.
///
/// Reasons are checked in this order, so the one shown is the one no retry will
/// fix first: consent, departure (on or before today in Paris), a plausible e-mail
/// address, then the minimum interval of [`may_survey`].
pub fn eligibility(contact: &ContactFacts, now: DateTime<Utc>, interval_days: u32) -> SendEligibility {
    if !contact.survey_consent {
        return SendEligibility::NoConsent;
    }
    if contact.left_on.is_some_and(|d| d <= local_day(now)) {
        return SendEligibility::LeftCompany;
    }
    if !contact.email.as_deref().map(str::trim).is_some_and(is_plausible_email) {
        return SendEligibility::NoEmail;
    }
    if !may_survey(contact.last_surveyed_at, now, interval_days) {
        return SendEligibility::SurveyedRecently;
    }
    SendEligibility::Eligible
}

/// Where an invitation link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    /// Waiting for an answer; the link works.
    Open,
    /// Answered; the single-use link no longer accepts an answer.
    Answered,
    /// Not answered in time; the link no longer works.
    Expired,
}

impl InvitationState {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Expired => "expired",
        }
    }
}

/// The state of an invitation at `now`: an answer wins over expiry (an answer
/// recorded is never lost), and the link is expired from `expires_at` on.
pub fn invitation_state(
    expires_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> InvitationState {
    if answered_at.is_some() {
        InvitationState::Answered
    } else if now >= expires_at {
        InvitationState::Expired
    } else {
        InvitationState::Open
    }
}

/// When an invitation sent at `sent_at` expires, `expiry_days` × 24 hours later.
pub fn invitation_expires_at(sent_at: DateTime<Utc>, expiry_days: u32) -> DateTime<Utc> {
    sent_at
        .checked_add_signed(Duration::days(i64::from(expiry_days)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Raw survey input (forms, API): text everywhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyInput {
    /// Name (required), at most 200 characters.
    pub name: Option<String>,
    /// `nps`, `csat` or `ces` (required).
    pub kind: Option<String>,
    /// Question in French, at most 500 characters (this or the English one required).
    pub question_fr: Option<String>,
    /// Question in English, at most 500 characters.
    pub question_en: Option<String>,
    /// Comment question in French ("Pourquoi ?"), at most 500 characters.
    pub comment_question_fr: Option<String>,
    /// Comment question in English, at most 500 characters.
    pub comment_question_en: Option<String>,
    /// Days the invitation link stays valid, 1 to 90 (default 14).
    pub expiry_days: Option<String>,
    /// Whether rules may send it: yes/no (default yes).
    pub active: Option<String>,
}

/// A validated survey, ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewSurvey {
    /// Name.
    pub name: String,
    /// Kind, which fixes the scale.
    pub kind: SurveyKind,
    /// Question in French.
    pub question_fr: Option<String>,
    /// Question in English.
    pub question_en: Option<String>,
    /// Comment question in French.
    pub comment_question_fr: Option<String>,
    /// Comment question in English.
    pub comment_question_en: Option<String>,
    /// Days the invitation link stays valid.
    pub expiry_days: u32,
    /// Whether rules may send it.
    pub active: bool,
}

/// Why an integer field was refused.
enum IntError {
    Invalid,
    OutOfRange,
}

/// Parses a whole number within `range`; a number too long for any integer type
/// is out of range rather than invalid, which is what the person typed.
fn parse_int_in(raw: &str, range: RangeInclusive<i64>) -> Result<i64, IntError> {
    let s = raw.trim();
    match s.parse::<i64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        Ok(_) => Err(IntError::OutOfRange),
        Err(_) => {
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                Err(IntError::OutOfRange)
            } else {
                Err(IntError::Invalid)
            }
        }
    }
}

/// An optional whole number within `range`, `default` when blank; errors are
/// reported as `{field}.invalid` and `{field}.out_of_range`.
fn optional_int(
    e: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    range: RangeInclusive<u32>,
    default: u32,
) -> u32 {
    let Some(raw) = clean(raw) else {
        return default;
    };
    let wide = i64::from(*range.start())..=i64::from(*range.end());
    match parse_int_in(&raw, wide) {
        Ok(n) => u32::try_from(n).unwrap_or(default),
        Err(IntError::Invalid) => {
            e.add(field, &format!("{field}.invalid"));
            default
        }
        Err(IntError::OutOfRange) => {
            e.add(field, &format!("{field}.out_of_range"));
            default
        }
    }
}

impl SurveyInput {
    /// Validates every field, reporting all problems at once.
    pub fn validate(&self) -> Result<NewSurvey, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", self.name.as_deref(), NAME_MAX);
        let kind = match clean(self.kind.as_deref()) {
            None => {
                e.add("kind", "required");
                None
            }
            Some(raw) => {
                let k = SurveyKind::parse(&raw);
                if k.is_none() {
                    e.add("kind", "kind.invalid");
                }
                k
            }
        };
        let question_fr = optional_text(&mut e, "question_fr", self.question_fr.as_deref(), QUESTION_MAX);
        let question_en = optional_text(&mut e, "question_en", self.question_en.as_deref(), QUESTION_MAX);
        if question_fr.is_none() && question_en.is_none() {
            // Reported on the French field, the one forms show first.
            e.add("question_fr", "question.required");
        }
        let comment_question_fr = optional_text(
            &mut e,
            "comment_question_fr",
            self.comment_question_fr.as_deref(),
            QUESTION_MAX,
        );
        let comment_question_en = optional_text(
            &mut e,
            "comment_question_en",
            self.comment_question_en.as_deref(),
            QUESTION_MAX,
        );
        let expiry_days = optional_int(
            &mut e,
            "expiry_days",
            self.expiry_days.as_deref(),
            EXPIRY_DAYS,
            EXPIRY_DAYS_DEFAULT,
        );
        let active = match clean(self.active.as_deref()) {
            None => true,
            Some(raw) => parse_bool(&raw).unwrap_or_else(|| {
                e.add("active", "bool.invalid");
                true
            }),
        };
        e.into_result()?;
        // The kind is present when no error was recorded.
        match kind {
            Some(kind) => Ok(NewSurvey {
                name,
                kind,
                question_fr,
                question_en,
                comment_question_fr,
                comment_question_en,
                expiry_days,
                active,
            }),
            None => {
                let mut e = ValidationErrors::new();
                e.add("kind", "required");
                Err(e)
            }
        }
    }
}

/// Raw input of a sending rule ("after a delivery, send this survey"): text everywhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleInput {
    /// Survey id (required).
    pub survey_id: Option<String>,
    /// Event code, e.g. `delivery` (required).
    pub event_kind: Option<String>,
    /// Hours between the event and the invitation, 0 to 720 (default 0).
    pub delay_hours: Option<String>,
    /// Buying-centre roles surveyed, comma-separated; empty means every role.
    pub roles: Option<String>,
}

/// A validated sending rule, ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRule {
    /// Survey sent.
    pub survey_id: Uuid,
    /// Event that triggers it.
    pub event_kind: EventKind,
    /// Hours between the event and the invitation.
    pub delay_hours: u32,
    /// Roles surveyed, without duplicates; empty means every role.
    pub roles: Vec<BuyingRole>,
}

impl NewRule {
    /// Whether a contact holding `contact_roles` is surveyed by this rule; a rule
    /// naming roles skips contacts whose role is not known.
    pub fn applies_to(&self, contact_roles: &[BuyingRole]) -> bool {
        self.roles.is_empty() || contact_roles.iter().any(|r| self.roles.contains(r))
    }

    /// When the invitation for an event at `event_at` is due.
    pub fn send_at(&self, event_at: DateTime<Utc>) -> DateTime<Utc> {
        event_at
            .checked_add_signed(Duration::hours(i64::from(self.delay_hours)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

impl RuleInput {
    /// Validates every field, reporting all problems at once.
    pub fn validate(&self) -> Result<NewRule, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let survey_id = match clean(self.survey_id.as_deref()) {
            None => {
                e.add("survey_id", "required");
                None
            }
            Some(raw) => {
                let id = Uuid::parse_str(&raw).ok();
                if id.is_none() {
                    e.add("survey_id", "id.invalid");
                }
                id
            }
        };
        let event_kind = match clean(self.event_kind.as_deref()) {
            None => {
                e.add("event_kind", "required");
                None
            }
            Some(raw) => {
                let k = EventKind::parse(&raw);
                if k.is_none() {
                    e.add("event_kind", "event_kind.invalid");
                }
                k
            }
        };
        let delay_hours = optional_int(
            &mut e,
            "delay_hours",
            self.delay_hours.as_deref(),
            0..=DELAY_HOURS_MAX,
            0,
        );
        let roles = match self.roles.as_deref() {
            None => Vec::new(),
            Some(raw) => BuyingRole::parse_list(raw).unwrap_or_else(|_| {
                e.add("roles", "roles.invalid");
                Vec::new()
            }),
        };
        e.into_result()?;
        // Every required value is present when no error was recorded.
        match (survey_id, event_kind) {
            (Some(survey_id), Some(event_kind)) => Ok(NewRule {
                survey_id,
                event_kind,
                delay_hours,
                roles,
            }),
            _ => {
                let mut e = ValidationErrors::new();
                e.add("survey_id", "required");
                Err(e)
            }
        }
    }
}

/// Raw answer from the public survey page: text everywhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    /// Score on the survey's scale (required).
    pub score: Option<String>,
    /// Verbatim comment, at most 5,000 characters.
    pub comment: Option<String>,
}

/// A validated answer, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAnswer {
    /// Kind of the survey answered.
    pub kind: SurveyKind,
    /// Score, on the kind's scale.
    pub score: i16,
    /// Verbatim, trimmed.
    pub comment: Option<String>,
}

impl NewAnswer {
    /// Whether the answer calls for a follow-up by the account owner.
    pub fn is_negative(&self) -> bool {
        is_negative(self.kind, self.score)
    }
}

impl AnswerInput {
    /// Validates the answer against the scale of the survey's `kind`.
    pub fn validate(&self, kind: SurveyKind) -> Result<NewAnswer, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let range = i64::from(kind.min())..=i64::from(kind.max());
        let score = match clean(self.score.as_deref()) {
            None => {
                e.add("score", "score.required");
                None
            }
            Some(raw) => match parse_int_in(&raw, range) {
                Ok(n) => i16::try_from(n).ok(),
                Err(IntError::Invalid) => {
                    e.add("score", "score.invalid");
                    None
                }
                Err(IntError::OutOfRange) => {
                    e.add("score", "score.out_of_range");
                    None
                }
            },
        };
        let comment = optional_text(&mut e, "comment", self.comment.as_deref(), COMMENT_MAX);
        e.into_result()?;
        match score {
            Some(score) => Ok(NewAnswer { kind, score, comment }),
            None => {
                let mut e = ValidationErrors::new();
                e.add("score", "score.required");
                Err(e)
            }
        }
    }
}

/// A survey as stored: what is asked, on which scale, in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    /// Identifier.
    pub id: Uuid,
    /// Name shown to the team.
    pub name: String,
    /// NPS, CSAT or CES.
    pub kind: SurveyKind,
    /// The scored question in French.
    pub question_fr: Option<String>,
    /// The scored question in English.
    pub question_en: Option<String>,
    /// The optional free-text question in French.
    pub comment_question_fr: Option<String>,
    /// The optional free-text question in English.
    pub comment_question_en: Option<String>,
    /// Days a link stays valid.
    pub expiry_days: u32,
    /// Whether rules and manual sends may use it.
    pub active: bool,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

impl Survey {
    /// The scored question in `lang` (`fr` or `en`), falling back to the other language.
    pub fn question(&self, lang: &str) -> &str {
        let (first, second) = if lang == "en" {
            (&self.question_en, &self.question_fr)
        } else {
            (&self.question_fr, &self.question_en)
        };
        first.as_deref().or(second.as_deref()).unwrap_or_default()
    }

    /// The survey as the text input that would recreate it (forms, merge patches).
    pub fn to_input(&self) -> SurveyInput {
        SurveyInput {
            name: Some(self.name.clone()),
            kind: Some(self.kind.code().to_owned()),
            question_fr: self.question_fr.clone(),
            question_en: self.question_en.clone(),
            comment_question_fr: self.comment_question_fr.clone(),
            comment_question_en: self.comment_question_en.clone(),
            expiry_days: Some(self.expiry_days.to_string()),
            active: Some(self.active.to_string()),
        }
    }

    /// The free-text question in `lang`, if the survey asks one.
    pub fn comment_question(&self, lang: &str) -> Option<&str> {
        let (first, second) = if lang == "en" {
            (&self.comment_question_en, &self.comment_question_fr)
        } else {
            (&self.comment_question_fr, &self.comment_question_en)
        };
        first.as_deref().or(second.as_deref())
    }
}

/// A sending rule as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyRule {
    /// Identifier.
    pub id: Uuid,
    /// The rule itself.
    #[serde(flatten)]
    pub rule: NewRule,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_below_the_minimum_are_held_back_with_their_counts_kept() {
        let s = Summary::of(&[(SurveyKind::Nps, 0), (SurveyKind::Nps, 2), (SurveyKind::Csat, 5)]);
        assert_eq!(s.nps, Some(Decimal::new(-1000, 1)));
        let held = s.clone().held_back(3);
        assert_eq!((held.nps, held.nps_answers), (None, 2));
        assert_eq!(held.csat, None);
        assert_eq!(s.clone().held_back(2).nps, Some(Decimal::new(-1000, 1)));
        assert_eq!(s.held_back(0).csat, Some(Decimal::new(1000, 1)));
    }
    use proptest::prelude::*;

    #[test]
    fn counted_groups_give_the_same_scores_as_single_answers() {
        let single = [
            (SurveyKind::Nps, 10),
            (SurveyKind::Nps, 10),
            (SurveyKind::Nps, 3),
            (SurveyKind::Nps, 8),
            (SurveyKind::Ces, 2),
            (SurveyKind::Ces, 5),
            (SurveyKind::Ces, 5),
        ];
        let counted = [
            (SurveyKind::Nps, 10, 2),
            (SurveyKind::Nps, 3, 1),
            (SurveyKind::Nps, 8, 1),
            (SurveyKind::Ces, 2, 1),
            (SurveyKind::Ces, 5, 2),
        ];
        let s = Summary::of_counts(&counted);
        assert_eq!(s, Summary::of(&single));
        // 2 promoters, 1 detractor of 4: 25.0; CES (2+5+5)/3 = 4.00.
        assert_eq!(s.nps, Some(Decimal::new(250, 1)));
        assert_eq!(s.ces, Some(Decimal::new(400, 2)));
    }

    #[test]
    fn counted_trend_keeps_empty_quarters() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let groups = [
            (d("2026-01-01"), SurveyKind::Nps, 0, 3),
            (d("2026-03-01"), SurveyKind::Nps, 10, 1),
        ];
        let t = trend_of_counts(&groups, Period::Quarter, d("2026-01-01"), d("2026-09-30"));
        let keys: Vec<&str> = t.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["2026-Q1", "2026-Q2", "2026-Q3"]);
        assert_eq!(t[0].1.nps, Some(Decimal::new(-500, 1)));
        assert_eq!(t[1].1.nps, None);
        let b = breakdown_of_counts(&[("b", SurveyKind::Csat, 5, 2), ("a", SurveyKind::Csat, 1, 1)]);
        assert_eq!(b[0].0, "a");
        assert_eq!(b[1].1.csat, Some(Decimal::new(1000, 1)));
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn codes(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect()
    }

    fn nps(scores: &[i16]) -> Vec<(SurveyKind, i16)> {
        scores.iter().map(|&s| (SurveyKind::Nps, s)).collect()
    }

    #[test]
    fn kinds_scales_and_codes() {
        for k in SurveyKind::ALL {
            assert_eq!(SurveyKind::parse(k.code()), Some(k));
            assert_eq!(SurveyKind::parse(&k.code().to_uppercase()), Some(k));
            assert!(k.is_valid_score(k.min()) && k.is_valid_score(k.max()));
            assert!(!k.is_valid_score(k.min() - 1) && !k.is_valid_score(k.max() + 1));
        }
        assert_eq!(SurveyKind::parse(" Nps "), Some(SurveyKind::Nps));
        assert_eq!(SurveyKind::parse("smiley"), None);
        assert_eq!(SurveyKind::Nps.scale(), 0..=10);
        assert_eq!(SurveyKind::Csat.scale(), 1..=5);
        assert_eq!(SurveyKind::Ces.scale(), 1..=7);
        assert_eq!(Period::parse("Trimestre"), Some(Period::Quarter));
        assert_eq!(Period::parse("mois"), Some(Period::Month));
    }

    #[test]
    fn nps_categories_and_negatives_at_the_boundaries() {
        assert_eq!(NpsCategory::of(10), Some(NpsCategory::Promoter));
        assert_eq!(NpsCategory::of(9), Some(NpsCategory::Promoter));
        assert_eq!(NpsCategory::of(8), Some(NpsCategory::Passive));
        assert_eq!(NpsCategory::of(7), Some(NpsCategory::Passive));
        assert_eq!(NpsCategory::of(6), Some(NpsCategory::Detractor));
        assert_eq!(NpsCategory::of(0), Some(NpsCategory::Detractor));
        assert_eq!(NpsCategory::of(-1), None);
        assert_eq!(NpsCategory::of(11), None);
        assert!(is_negative(SurveyKind::Nps, 6) && !is_negative(SurveyKind::Nps, 7));
        assert!(is_negative(SurveyKind::Nps, 0));
        assert!(is_negative(SurveyKind::Csat, 2) && !is_negative(SurveyKind::Csat, 3));
        assert!(is_negative(SurveyKind::Ces, 3) && !is_negative(SurveyKind::Ces, 4));
        assert!(!is_negative(SurveyKind::Csat, 0), "off the scale");
        assert!(!is_negative(SurveyKind::Nps, -3), "off the scale");
    }

    #[test]
    fn nps_formula() {
        let s = Summary::of(&nps(&[9, 10, 9, 10, 9, 7, 8, 7, 3, 6]));
        assert_eq!((s.promoters, s.passives, s.detractors, s.nps_answers), (5, 3, 2, 10));
        assert_eq!(s.nps, Some(dec("30.0")));
        assert_eq!(s.nps.map(|n| n.to_string()).as_deref(), Some("30.0"));
        assert_eq!(Summary::of(&nps(&[0, 6, 3])).nps, Some(dec("-100.0")));
        assert_eq!(Summary::of(&nps(&[10, 9])).nps, Some(dec("100.0")));
        assert_eq!(
            Summary::of(&nps(&[7, 8])).nps.map(|n| n.to_string()).as_deref(),
            Some("0.0")
        );
        // 1 promoter, 2 passives out of 3: 33.333… → 33.3; 2 of 3: 66.666… → 66.7.
        assert_eq!(Summary::of(&nps(&[9, 7, 8])).nps, Some(dec("33.3")));
        assert_eq!(Summary::of(&nps(&[9, 10, 8])).nps, Some(dec("66.7")));
        // 1 net of 16 is 6.25: half away from zero gives 6.3 (the banker's rounding 6.2).
        let mut v = nps(&[10]);
        v.extend(nps(&[8; 15]));
        assert_eq!(Summary::of(&v).nps, Some(dec("6.3")));
        let mut v = nps(&[0]);
        v.extend(nps(&[7; 15]));
        assert_eq!(Summary::of(&v).nps, Some(dec("-6.3")));
        let empty = Summary::of(&[]);
        assert_eq!((empty.nps, empty.csat, empty.ces), (None, None, None));
        assert_eq!(empty.answers(), 0);
    }

    #[test]
    fn no_negative_zero() {
        // −1 net out of 2,001 answers is −0.0499…, shown as 0.0.
        let mut v = nps(&[0]);
        v.extend(nps(&[8; 2000]));
        assert_eq!(Summary::of(&v).nps.map(|n| n.to_string()).as_deref(), Some("0.0"));
    }

    #[test]
    fn csat_and_ces_formulas() {
        let csat = |s: &[i16]| s.iter().map(|&v| (SurveyKind::Csat, v)).collect::<Vec<_>>();
        let ces = |s: &[i16]| s.iter().map(|&v| (SurveyKind::Ces, v)).collect::<Vec<_>>();
        let s = Summary::of(&csat(&[5, 4, 4, 5, 3]));
        assert_eq!((s.csat_answers, s.csat_satisfied, s.csat), (5, 4, Some(dec("80.0"))));
        assert_eq!(Summary::of(&csat(&[1, 2, 3])).csat, Some(dec("0.0")));
        assert_eq!(Summary::of(&csat(&[4, 1, 1])).csat, Some(dec("33.3")));
        let s = Summary::of(&ces(&[7, 6, 5]));
        assert_eq!((s.ces_answers, s.ces), (3, Some(dec("6.00"))));
        assert_eq!(s.ces.map(|n| n.to_string()).as_deref(), Some("6.00"));
        assert_eq!(Summary::of(&ces(&[1, 2, 2])).ces, Some(dec("1.67")));
        assert_eq!(Summary::of(&ces(&[7, 7, 6, 6, 6, 6, 6, 6])).ces, Some(dec("6.25")));
        // Kinds are kept apart and off-scale scores are ignored.
        let mut mixed = csat(&[5, 9]);
        mixed.extend(ces(&[4, 0]));
        mixed.extend(nps(&[10, 11]));
        let s = Summary::of(&mixed);
        assert_eq!(
            (s.nps_answers, s.csat_answers, s.ces_answers, s.answers()),
            (1, 1, 1, 3)
        );
        assert_eq!(
            (s.nps, s.csat, s.ces),
            (Some(dec("100.0")), Some(dec("100.0")), Some(dec("4.00")))
        );
    }

    #[test]
    fn response_rates() {
        assert_eq!(response_rate(0, 0), None);
        assert_eq!(response_rate(8, 2), Some(dec("25.0")));
        assert_eq!(response_rate(3, 1), Some(dec("33.3")));
        assert_eq!(response_rate(4, 0), Some(dec("0.0")));
        assert_eq!(response_rate(2, 5), Some(dec("100.0")), "capped");
    }

    #[test]
    fn period_keys_in_paris_time() {
        // Summer time: 21:30 UTC on 31 March is 23:30 in Paris, 22:30 UTC is past midnight.
        assert_eq!(period_key(at("2026-03-31T21:30:00Z"), Period::Month), "2026-03");
        assert_eq!(period_key(at("2026-03-31T22:30:00Z"), Period::Month), "2026-04");
        assert_eq!(period_key(at("2026-03-31T23:30:00Z"), Period::Month), "2026-04");
        assert_eq!(period_key(at("2026-03-31T21:30:00Z"), Period::Quarter), "2026-Q1");
        assert_eq!(period_key(at("2026-03-31T23:30:00Z"), Period::Quarter), "2026-Q2");
        // Winter time across the year boundary: 23:30 UTC on 31 December is next year in Paris.
        assert_eq!(period_key(at("2025-12-31T22:59:59Z"), Period::Quarter), "2025-Q4");
        assert_eq!(period_key(at("2025-12-31T23:30:00Z"), Period::Quarter), "2026-Q1");
        assert_eq!(period_key(at("2025-12-31T23:30:00Z"), Period::Month), "2026-01");
        assert_eq!(period_key(at("2026-09-30T12:00:00Z"), Period::Quarter), "2026-Q3");
        assert_eq!(period_key(at("2026-10-01T12:00:00Z"), Period::Quarter), "2026-Q4");
    }

    #[test]
    fn trend_fills_empty_periods() {
        let answers = [
            (at("2026-01-10T10:00:00Z"), SurveyKind::Nps, 10),
            (at("2026-01-20T10:00:00Z"), SurveyKind::Nps, 0),
            (at("2026-03-31T22:30:00Z"), SurveyKind::Csat, 5),
            (at("2025-12-31T10:00:00Z"), SurveyKind::Nps, 10),
            (at("2026-04-30T22:30:00Z"), SurveyKind::Nps, 10),
        ];
        let t = trend(&answers, Period::Month, day(2026, 1, 1), day(2026, 4, 30));
        let keys: Vec<&str> = t.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["2026-01", "2026-02", "2026-03", "2026-04"]);
        assert_eq!((t[0].1.nps_answers, t[0].1.nps), (2, Some(dec("0.0"))));
        assert_eq!(t[1].1, Summary::default());
        assert_eq!(t[2].1, Summary::default(), "22:30 UTC on 31 March is April in Paris");
        assert_eq!(t[3].1.csat, Some(dec("100.0")));
        assert_eq!(t[3].1.nps, None, "1 May in Paris is outside the range");

        let q = trend(&answers, Period::Quarter, day(2025, 11, 15), day(2026, 4, 2));
        let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(q[0].1.nps_answers, 1);
        assert_eq!(q[1].1.nps_answers, 2);
        assert_eq!(q[2].1.csat_answers, 1);

        assert_eq!(
            trend(&answers, Period::Month, day(2026, 2, 1), day(2026, 2, 1)).len(),
            1
        );
        assert!(trend(&answers, Period::Month, day(2026, 2, 2), day(2026, 2, 1)).is_empty());
    }

    #[test]
    fn breakdown_by_key() {
        let answers = [
            ("lyon", SurveyKind::Nps, 10),
            ("annecy", SurveyKind::Nps, 3),
            ("lyon", SurveyKind::Nps, 6),
            ("lyon", SurveyKind::Csat, 4),
        ];
        let b = breakdown(&answers);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].0, "annecy");
        assert_eq!(b[0].1.nps, Some(dec("-100.0")));
        assert_eq!(b[1].0, "lyon");
        assert_eq!((b[1].1.nps, b[1].1.csat), (Some(dec("0.0")), Some(dec("100.0"))));
        assert!(breakdown::<u8>(&[]).is_empty());
    }

    #[test]
    fn over_surveying_counts_paris_days() {
        let last = at("2026-03-01T17:00:00Z");
        assert!(may_survey(None, last, 30));
        assert!(!may_survey(Some(last), at("2026-03-30T21:59:00Z"), 30));
        // 22:00 UTC on 30 March is 31 March in Paris: 30 days later.
        assert!(may_survey(Some(last), at("2026-03-30T22:00:00Z"), 30));
        assert!(may_survey(Some(last), last, 0));
        assert!(
            !may_survey(Some(last), at("2026-02-27T10:00:00Z"), 0),
            "a survey in the future blocks"
        );
    }

    #[test]
    fn eligibility_reasons() {
        let now = at("2026-06-15T10:00:00Z");
        let ok = ContactFacts {
            survey_consent: true,
            left_on: None,
            email: Some("marie.dupont@acme.fr".into()),
            last_surveyed_at: Some(at("2026-01-15T10:00:00Z")),
        };
        assert_eq!(eligibility(&ok, now, 90), SendEligibility::Eligible);
        assert!(eligibility(&ok, now, 90).is_eligible());
        let c = ContactFacts {
            survey_consent: false,
            ..ok.clone()
        };
        assert_eq!(eligibility(&c, now, 90), SendEligibility::NoConsent);
        let c = ContactFacts {
            left_on: Some(day(2026, 6, 15)),
            ..ok.clone()
        };
        assert_eq!(eligibility(&c, now, 90), SendEligibility::LeftCompany);
        let c = ContactFacts {
            left_on: Some(day(2026, 6, 16)),
            ..ok.clone()
        };
        assert_eq!(eligibility(&c, now, 90), SendEligibility::Eligible, "leaves tomorrow");
        // 22:30 UTC on 15 June is 16 June in Paris.
        assert_eq!(
            eligibility(&c, at("2026-06-15T22:30:00Z"), 90),
            SendEligibility::LeftCompany
        );
        for email in [None, Some("  ".to_owned()), Some("marie.dupont".to_owned())] {
            let c = ContactFacts { email, ..ok.clone() };
            assert_eq!(eligibility(&c, now, 90), SendEligibility::NoEmail);
        }
        assert_eq!(eligibility(&ok, now, 180), SendEligibility::SurveyedRecently);
        assert_eq!(SendEligibility::SurveyedRecently.code(), "surveyed_recently");
        // Consent is the first reason given.
        assert_eq!(
            eligibility(&ContactFacts::default(), now, 0),
            SendEligibility::NoConsent
        );
    }

    #[test]
    fn invitation_states() {
        let expires = at("2026-04-14T10:00:00Z");
        assert_eq!(
            invitation_state(expires, None, at("2026-04-14T09:59:59Z")),
            InvitationState::Open
        );
        assert_eq!(invitation_state(expires, None, expires), InvitationState::Expired);
        assert_eq!(
            invitation_state(expires, Some(at("2026-04-01T10:00:00Z")), at("2026-05-01T10:00:00Z")),
            InvitationState::Answered
        );
        assert_eq!(invitation_expires_at(at("2026-03-31T10:00:00Z"), 14), expires);
    }

    fn survey() -> SurveyInput {
        SurveyInput {
            name: Some("  Après livraison ".into()),
            kind: Some("NPS".into()),
            question_fr: Some("Recommanderiez-vous Acme ?".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_survey_with_defaults() {
        let s = survey().validate().unwrap();
        assert_eq!(s.name, "Après livraison");
        assert_eq!(s.kind, SurveyKind::Nps);
        assert_eq!(s.question_en, None);
        assert_eq!((s.expiry_days, s.active), (EXPIRY_DAYS_DEFAULT, true));
        let mut i = survey();
        i.question_fr = None;
        i.question_en = Some("Would you recommend Acme?".into());
        i.expiry_days = Some(" 90 ".into());
        i.active = Some("non".into());
        let s = i.validate().unwrap();
        assert_eq!((s.expiry_days, s.active), (90, false));
    }

    #[test]
    fn survey_errors_name_their_field() {
        let i = SurveyInput {
            name: Some("n".repeat(NAME_MAX + 1)),
            kind: Some("smiley".into()),
            question_fr: Some("   ".into()),
            question_en: None,
            comment_question_fr: Some("q".repeat(QUESTION_MAX + 1)),
            comment_question_en: None,
            expiry_days: Some("91".into()),
            active: Some("peut-être".into()),
        };
        let e = i.validate().unwrap_err();
        assert_eq!(
            codes(&e),
            vec![
                ("name", "too_long"),
                ("kind", "kind.invalid"),
                ("question_fr", "question.required"),
                ("comment_question_fr", "too_long"),
                ("expiry_days", "expiry_days.out_of_range"),
                ("active", "bool.invalid"),
            ]
        );
        let e = SurveyInput::default().validate().unwrap_err();
        assert_eq!(
            codes(&e),
            vec![
                ("name", "required"),
                ("kind", "required"),
                ("question_fr", "question.required")
            ]
        );
        for (raw, code) in [
            ("0", "expiry_days.out_of_range"),
            ("-3", "expiry_days.out_of_range"),
            ("14.5", "expiry_days.invalid"),
            ("deux semaines", "expiry_days.invalid"),
        ] {
            let mut i = survey();
            i.expiry_days = Some(raw.into());
            assert_eq!(codes(&i.validate().unwrap_err()), vec![("expiry_days", code)], "{raw}");
        }
        let mut i = survey();
        i.question_en = Some("é".repeat(QUESTION_MAX + 1));
        assert_eq!(codes(&i.validate().unwrap_err()), vec![("question_en", "too_long")]);
    }

    #[test]
    fn rules() {
        let id = Uuid::from_u128(7);
        let r = RuleInput {
            survey_id: Some(id.to_string()),
            event_kind: Some("Complaint_Resolved".into()),
            delay_hours: Some("48".into()),
            roles: Some("Acheteur, key_user; buyer".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(r.survey_id, id);
        assert_eq!(r.event_kind, EventKind::ComplaintResolved);
        assert_eq!(r.delay_hours, 48);
        assert_eq!(r.roles, vec![BuyingRole::Buyer, BuyingRole::KeyUser]);
        assert!(r.applies_to(&[BuyingRole::Finance, BuyingRole::Buyer]));
        assert!(!r.applies_to(&[BuyingRole::Finance]));
        assert!(!r.applies_to(&[]));
        assert_eq!(r.send_at(at("2026-03-01T10:00:00Z")), at("2026-03-03T10:00:00Z"));

        let all = RuleInput {
            survey_id: Some(id.to_string()),
            event_kind: Some("delivery".into()),
            roles: Some(" ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!((all.delay_hours, all.roles.len()), (0, 0));
        assert!(all.applies_to(&[]));

        let e = RuleInput {
            survey_id: Some("nope".into()),
            event_kind: Some("birthday".into()),
            delay_hours: Some("721".into()),
            roles: Some("buyer, astronaut".into()),
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            codes(&e),
            vec![
                ("survey_id", "id.invalid"),
                ("event_kind", "event_kind.invalid"),
                ("delay_hours", "delay_hours.out_of_range"),
                ("roles", "roles.invalid"),
            ]
        );
        let e = RuleInput::default().validate().unwrap_err();
        assert_eq!(codes(&e), vec![("survey_id", "required"), ("event_kind", "required")]);
    }

    #[test]
    fn answers() {
        let a = AnswerInput {
            score: Some(" 6 ".into()),
            comment: Some("  Livraison en retard.  ".into()),
        }
        .validate(SurveyKind::Nps)
        .unwrap();
        assert_eq!(a.score, 6);
        assert_eq!(a.comment.as_deref(), Some("Livraison en retard."));
        assert!(a.is_negative());
        let a = AnswerInput {
            score: Some("0".into()),
            comment: Some("   ".into()),
        }
        .validate(SurveyKind::Nps)
        .unwrap();
        assert_eq!((a.score, a.comment), (0, None));
        let check = |kind: SurveyKind, raw: Option<&str>| {
            let input = AnswerInput {
                score: raw.map(str::to_owned),
                comment: None,
            };
            input.validate(kind).err().map(|e| e.0[0].code.clone())
        };
        assert_eq!(check(SurveyKind::Nps, None).as_deref(), Some("score.required"));
        assert_eq!(check(SurveyKind::Nps, Some(" ")).as_deref(), Some("score.required"));
        assert_eq!(check(SurveyKind::Nps, Some("dix")).as_deref(), Some("score.invalid"));
        assert_eq!(check(SurveyKind::Nps, Some("7.5")).as_deref(), Some("score.invalid"));
        assert_eq!(
            check(SurveyKind::Nps, Some("11")).as_deref(),
            Some("score.out_of_range")
        );
        assert_eq!(
            check(SurveyKind::Nps, Some("-1")).as_deref(),
            Some("score.out_of_range")
        );
        assert_eq!(
            check(SurveyKind::Nps, Some("99999999999999999999999")).as_deref(),
            Some("score.out_of_range")
        );
        assert_eq!(check(SurveyKind::Nps, Some("10")), None);
        assert_eq!(
            check(SurveyKind::Csat, Some("0")).as_deref(),
            Some("score.out_of_range")
        );
        assert_eq!(
            check(SurveyKind::Csat, Some("6")).as_deref(),
            Some("score.out_of_range")
        );
        assert_eq!(check(SurveyKind::Csat, Some("1")), None);
        assert_eq!(check(SurveyKind::Ces, Some("7")), None);
        assert_eq!(check(SurveyKind::Ces, Some("8")).as_deref(), Some("score.out_of_range"));
        let e = AnswerInput {
            score: Some("5".into()),
            comment: Some("x".repeat(COMMENT_MAX + 1)),
        }
        .validate(SurveyKind::Csat)
        .unwrap_err();
        assert_eq!(codes(&e), vec![("comment", "too_long")]);
    }

    fn any_kind() -> impl Strategy<Value = SurveyKind> {
        prop_oneof![Just(SurveyKind::Nps), Just(SurveyKind::Csat), Just(SurveyKind::Ces)]
    }

    proptest! {
        #[test]
        fn scores_stay_within_their_bounds(answers in proptest::collection::vec((any_kind(), -2i16..13), 0..300)) {
            let s = Summary::of(&answers);
            prop_assert_eq!(s.promoters + s.passives + s.detractors, s.nps_answers);
            prop_assert!(s.csat_satisfied <= s.csat_answers);
            if let Some(n) = s.nps {
                prop_assert!(n >= Decimal::from(-100) && n <= Decimal::ONE_HUNDRED, "{}", n);
                prop_assert_eq!(n.scale(), 1);
            } else {
                prop_assert_eq!(s.nps_answers, 0);
            }
            if let Some(c) = s.csat {
                prop_assert!(c >= Decimal::ZERO && c <= Decimal::ONE_HUNDRED);
            }
            if let Some(c) = s.ces {
                prop_assert!(c >= Decimal::ONE && c <= Decimal::from(7));
                prop_assert_eq!(c.scale(), 2);
            }
            let valid = answers.iter().filter(|(k, v)| k.is_valid_score(*v)).count();
            prop_assert_eq!(s.answers(), valid);
        }

        #[test]
        fn trend_covers_the_range_once(
            offsets in proptest::collection::vec(0i64..800 * 86_400, 0..60),
            start in 0i64..400,
            len in 0i64..500,
            quarterly in any::<bool>(),
        ) {
            let period = if quarterly { Period::Quarter } else { Period::Month };
            let base = at("2025-01-01T00:00:00Z");
            let answers: Vec<_> = offsets
                .iter()
                .map(|&s| (base + Duration::seconds(s), SurveyKind::Nps, 9))
                .collect();
            let from = day(2025, 1, 1) + Duration::days(start);
            let to = from + Duration::days(len);
            let t = trend(&answers, period, from, to);
            prop_assert!(t.windows(2).all(|w| w[0].0 < w[1].0));
            prop_assert_eq!(t.first().map(|p| p.0.clone()), Some(Slot::of(from, period).key(period)));
            prop_assert_eq!(t.last().map(|p| p.0.clone()), Some(Slot::of(to, period).key(period)));
            let in_range = answers.iter().filter(|a| (from..=to).contains(&local_day(a.0))).count();
            prop_assert_eq!(t.iter().map(|p| p.1.nps_answers).sum::<usize>(), in_range);
            for (key, s) in &t {
                prop_assert_eq!(s.nps.is_some(), s.nps_answers > 0, "{}", key);
            }
        }

        #[test]
        fn answers_on_the_scale_are_accepted(kind in any_kind(), score in -20i16..20) {
            let r = AnswerInput { score: Some(score.to_string()), comment: None }.validate(kind);
            prop_assert_eq!(r.is_ok(), kind.is_valid_score(score));
        }
    }
}
