//! "Ma journée" / "My day": what a person should do first this morning — the
//! follow-ups due today (calls back to unhappy clients first), what is late,
//! renewals coming, and their accounts whose satisfaction fell.

use crate::surveys::{Summary, SurveyKind};
use crate::timeline::Interaction;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

/// How far ahead renewals are shown: a renewal needs about a quarter's preparation.
pub const RENEWAL_HORIZON_DAYS: u64 = 90;

/// Length of each window compared to tell that satisfaction fell.
pub const SATISFACTION_WINDOW_DAYS: u64 = 90;

/// An NPS or CSAT fall of this many points or more between two windows is a fall.
pub const SCORE_FALL_POINTS: i64 = 10;

/// A mean CES fall of this much or more (on 1–7) is a fall.
pub const CES_FALL: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

/// The tag the survey answers carry on the timeline: a follow-up on such an entry
/// is a call back to a client who answered badly.
pub const SURVEY_TAG: &str = "survey";

/// Whether a follow-up is a call back to an unhappy client (left by a bad survey answer).
pub fn is_satisfaction_callback(i: &Interaction) -> bool {
    i.tags.iter().any(|t| t == SURVEY_TAG)
}

/// Orders the follow-ups due today: calls back to unhappy clients first, then by
/// account name, so two people reading the same list see the same order.
pub fn order_today<T>(items: &mut [T], interaction: impl Fn(&T) -> &Interaction, account: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| {
        let (ia, ib) = (interaction(a), interaction(b));
        is_satisfaction_callback(ib)
            .cmp(&is_satisfaction_callback(ia))
            .then_with(|| account(a).cmp(account(b)))
            .then_with(|| ia.id.cmp(&ib.id))
    });
}

/// Orders overdue follow-ups newest first (the most recently missed is the one
/// still worth saving), calls back to unhappy clients first within a day.
pub fn order_overdue<T>(items: &mut [T], interaction: impl Fn(&T) -> &Interaction) {
    items.sort_by(|a, b| {
        let (ia, ib) = (interaction(a), interaction(b));
        let due = |i: &Interaction| i.follow_up.as_ref().map(|f| f.due);
        due(ib)
            .cmp(&due(ia))
            .then_with(|| is_satisfaction_callback(ib).cmp(&is_satisfaction_callback(ia)))
            .then_with(|| ia.id.cmp(&ib.id))
    });
}

/// How long a follow-up is put off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Snooze {
    /// The next day.
    Tomorrow,
    /// The next Monday (from a Friday, that is three days).
    NextWeek,
}

impl Snooze {
    /// Parses `tomorrow` or `next_week`.
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "tomorrow" => Some(Self::Tomorrow),
            "next_week" => Some(Self::NextWeek),
            _ => None,
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Tomorrow => "tomorrow",
            Self::NextWeek => "next_week",
        }
    }

    /// The new due date, counted from today (not from the old due date: a
    /// follow-up late by a month snoozed "to tomorrow" is due tomorrow).
    pub fn due_from(self, today: NaiveDate) -> NaiveDate {
        match self {
            Self::Tomorrow => today.checked_add_days(Days::new(1)).unwrap_or(today),
            Self::NextWeek => {
                let to_monday = 7 - u64::from(today.weekday().num_days_from_monday());
                let monday = today.checked_add_days(Days::new(to_monday)).unwrap_or(today);
                debug_assert_eq!(monday.weekday(), Weekday::Mon);
                monday
            }
        }
    }
}

/// The last day renewals are shown for.
pub fn renewal_horizon(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(RENEWAL_HORIZON_DAYS)).unwrap_or(today)
}

/// The first day of the recent window and of the one before it.
pub fn satisfaction_windows(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let recent = today
        .checked_sub_days(Days::new(SATISFACTION_WINDOW_DAYS - 1))
        .unwrap_or(today);
    let before = recent
        .checked_sub_days(Days::new(SATISFACTION_WINDOW_DAYS))
        .unwrap_or(recent);
    (before, recent)
}

/// Answers of one account, grouped as the database gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerGroup {
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub account_name: String,
    /// Whether the answers are in the recent window (otherwise the one before).
    pub recent: bool,
    /// Survey kind.
    pub kind: SurveyKind,
    /// Score.
    pub score: i16,
    /// How many answers gave it.
    pub count: u64,
}

/// Which score fell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FallenScore {
    /// Net Promoter Score.
    Nps,
    /// Customer satisfaction.
    Csat,
    /// Customer effort.
    Ces,
}

impl FallenScore {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nps => "nps",
            Self::Csat => "csat",
            Self::Ces => "ces",
        }
    }
}

/// An account whose satisfaction fell between the two windows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatisfactionFall {
    /// Account.
    pub account_id: Uuid,
    /// Its name.
    pub account_name: String,
    /// The score that fell the most (NPS before CSAT before CES).
    pub score: FallenScore,
    /// Its value in the window before.
    pub before: Decimal,
    /// Its value now.
    pub now: Decimal,
    /// Answers behind the recent value.
    pub recent_answers: usize,
}

/// The accounts whose NPS or CSAT fell by [`SCORE_FALL_POINTS`] or more, or whose
/// CES fell by [`CES_FALL`], each window holding at least `min_answers` answers of
/// that kind (fewer answers would make noise of one unhappy person); the largest
/// NPS falls first.
pub fn satisfaction_falls(groups: &[AnswerGroup], min_answers: usize) -> Vec<SatisfactionFall> {
    let mut by_account: std::collections::BTreeMap<Uuid, (String, Vec<_>, Vec<_>)> = Default::default();
    for g in groups {
        let e = by_account
            .entry(g.account_id)
            .or_insert_with(|| (g.account_name.clone(), Vec::new(), Vec::new()));
        let side = if g.recent { &mut e.2 } else { &mut e.1 };
        side.push((g.kind, g.score, g.count));
    }
    let min = min_answers.max(1);
    let fell =
        |before: Option<Decimal>, n_before: usize, now: Option<Decimal>, n_now: usize, by: Decimal| match (before, now)
        {
            (Some(b), Some(n)) if n_before >= min && n_now >= min && b - n >= by => Some((b, n)),
            _ => None,
        };
    let points = Decimal::from(SCORE_FALL_POINTS);
    let mut out: Vec<SatisfactionFall> = by_account
        .into_iter()
        .filter_map(|(account_id, (account_name, before, recent))| {
            let (b, r) = (Summary::of_counts(&before), Summary::of_counts(&recent));
            let found = fell(b.nps, b.nps_answers, r.nps, r.nps_answers, points)
                .map(|v| (FallenScore::Nps, v, r.nps_answers))
                .or_else(|| {
                    fell(b.csat, b.csat_answers, r.csat, r.csat_answers, points)
                        .map(|v| (FallenScore::Csat, v, r.csat_answers))
                })
                .or_else(|| {
                    fell(b.ces, b.ces_answers, r.ces, r.ces_answers, CES_FALL)
                        .map(|v| (FallenScore::Ces, v, r.ces_answers))
                });
            found.map(|(score, (before, now), recent_answers)| SatisfactionFall {
                account_id,
                account_name,
                score,
                before,
                now,
                recent_answers,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (b.before - b.now)
            .cmp(&(a.before - a.now))
            .then_with(|| a.account_name.cmp(&b.account_name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{Channel, Direction, FollowUp};
    use chrono::Utc;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn entry(tags: &[&str], due: &str, n: u128) -> Interaction {
        Interaction {
            id: Uuid::from_u128(n),
            workspace_id: Uuid::nil(),
            account_id: Uuid::nil(),
            channel: Channel::Phone,
            direction: Direction::Outbound,
            occurred_at: Utc::now(),
            user_id: Uuid::nil(),
            contact_ids: vec![],
            subject: None,
            summary: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            beyond_contract: false,
            related_kind: None,
            related_id: None,
            external_ref: None,
            answered_by: None,
            response_seconds: None,
            answer_linked: false,
            follow_up: Some(FollowUp {
                what: "call".into(),
                user_id: Uuid::nil(),
                due: day(due),
                done_at: None,
            }),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn callbacks_to_unhappy_clients_come_first_today() {
        let mut items = vec![
            (entry(&["delivery"], "2026-12-04", 1), "Alpha"),
            (entry(&["survey", "nps"], "2026-12-04", 2), "Zeta"),
            (entry(&[], "2026-12-04", 3), "Beta"),
        ];
        order_today(&mut items, |x| &x.0, |x| x.1);
        let names: Vec<&str> = items.iter().map(|x| x.1).collect();
        assert_eq!(names, ["Zeta", "Alpha", "Beta"]);
    }

    #[test]
    fn overdue_newest_first() {
        let mut items = vec![
            entry(&[], "2026-11-01", 1),
            entry(&[], "2026-12-02", 2),
            entry(&["survey"], "2026-11-20", 3),
        ];
        order_overdue(&mut items, |x| x);
        let ids: Vec<u128> = items.iter().map(|i| i.id.as_u128()).collect();
        assert_eq!(ids, [2, 3, 1]);
    }

    #[test]
    fn snoozing_counts_from_today() {
        // 2026-12-04 is a Friday.
        assert_eq!(Snooze::Tomorrow.due_from(day("2026-12-04")), day("2026-12-05"));
        assert_eq!(Snooze::NextWeek.due_from(day("2026-12-04")), day("2026-12-07"));
        // From a Monday, next week is the Monday after.
        assert_eq!(Snooze::NextWeek.due_from(day("2026-12-07")), day("2026-12-14"));
        assert_eq!(Snooze::parse("next_week"), Some(Snooze::NextWeek));
        assert_eq!(Snooze::parse("later"), None);
    }

    #[test]
    fn windows_are_two_quarters_ending_today() {
        let (before, recent) = satisfaction_windows(day("2026-12-04"));
        assert_eq!(recent, day("2026-09-06"));
        assert_eq!(before, day("2026-06-08"));
        assert_eq!(renewal_horizon(day("2026-12-04")), day("2027-03-04"));
    }

    fn group(account: u128, recent: bool, kind: SurveyKind, score: i16, count: u64) -> AnswerGroup {
        AnswerGroup {
            account_id: Uuid::from_u128(account),
            account_name: format!("A{account}"),
            recent,
            kind,
            score,
            count,
        }
    }

    #[test]
    fn a_fall_needs_enough_answers_on_both_sides() {
        let groups = vec![
            // Account 1: NPS 100 → −20 with 5 answers each: a fall of 120 points.
            group(1, false, SurveyKind::Nps, 10, 5),
            group(1, true, SurveyKind::Nps, 10, 2),
            group(1, true, SurveyKind::Nps, 3, 3),
            // Account 2: one unhappy answer after one happy one: too few to tell.
            group(2, false, SurveyKind::Nps, 10, 1),
            group(2, true, SurveyKind::Nps, 0, 1),
            // Account 3: CSAT 100 → 80 (a 20-point fall), 5 answers each.
            group(3, false, SurveyKind::Csat, 5, 5),
            group(3, true, SurveyKind::Csat, 5, 4),
            group(3, true, SurveyKind::Csat, 1, 1),
            // Account 4: NPS up.
            group(4, false, SurveyKind::Nps, 6, 5),
            group(4, true, SurveyKind::Nps, 10, 5),
        ];
        let falls = satisfaction_falls(&groups, 3);
        assert_eq!(falls.len(), 2);
        assert_eq!(falls[0].account_name, "A1");
        assert_eq!(falls[0].score, FallenScore::Nps);
        assert_eq!(falls[0].before, Decimal::new(1000, 1));
        assert_eq!(falls[0].now, Decimal::new(-200, 1));
        assert_eq!(falls[0].recent_answers, 5);
        assert_eq!(falls[1].score, FallenScore::Csat);
        // With a minimum of one answer, account 2's single answers count.
        assert_eq!(satisfaction_falls(&groups, 1).len(), 3);
    }
}
