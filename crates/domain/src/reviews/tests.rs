use super::actions::{self, ActionStatus, ReminderStep};
use super::agenda;
use super::hold::{ActionItemInput, HoldInput, RoundTableInput};
use super::pack;
use super::*;
use crate::key_accounts::objectives::ObjectiveInput;
use rust_decimal::Decimal;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn plan(planned_on: &str) -> ReviewInput {
    ReviewInput {
        planned_on: Some(planned_on.into()),
        ..ReviewInput::default()
    }
}

#[test]
fn an_annual_review_looks_back_twelve_months_by_default() {
    let r = plan("2026-12-15").validate(day("2026-12-01"), true).unwrap();
    assert_eq!(r.kind, ReviewKind::Annual);
    assert_eq!((r.period_from, r.period_to), (day("2025-12-15"), day("2026-12-14")));
    assert_eq!(r.starts_at, NaiveTime::from_hms_opt(10, 0, 0).unwrap());
    assert_eq!(r.duration_minutes, 120);
    let c = ReviewInput {
        kind: Some("checkpoint".into()),
        ..plan("2027-03-15")
    }
    .validate(day("2026-12-01"), true)
    .unwrap();
    assert_eq!(c.period_from, day("2026-12-15"));
}

#[test]
fn a_plan_names_each_wrong_field() {
    let e = ReviewInput {
        kind: Some("yearly".into()),
        period_from: Some("2026-06-01".into()),
        period_to: Some("2026-01-01".into()),
        planned_on: Some("2026-11-01".into()),
        starts_at: Some("25:00".into()),
        duration_minutes: Some("5".into()),
        location: None,
        lang: Some("de".into()),
    }
    .validate(day("2026-12-01"), true)
    .unwrap_err();
    assert_eq!(e.code_of("kind"), Some("review.kind_invalid"));
    assert_eq!(e.code_of("planned_on"), Some("review.date_past"));
    assert_eq!(e.code_of("period_to"), Some("review.period_reversed"));
    assert_eq!(e.code_of("starts_at"), Some("review.time_invalid"));
    assert_eq!(e.code_of("duration_minutes"), Some("review.duration_invalid"));
    assert_eq!(e.code_of("lang"), Some("review.lang_invalid"));
    let ok = ReviewInput {
        starts_at: Some("14h30".into()),
        ..plan("2026-12-15")
    }
    .validate(day("2026-12-01"), true)
    .unwrap();
    assert_eq!(ok.starts_at, NaiveTime::from_hms_opt(14, 30, 0).unwrap());
    assert!(ReviewInput {
        starts_at: Some("9h".into()),
        ..plan("2026-12-15")
    }
    .validate(day("2026-12-01"), true)
    .is_ok());
}

#[test]
fn steps_follow_the_review_life() {
    use ReviewState::*;
    assert!(check_step(Planned, Prepared).is_ok());
    assert!(check_step(Planned, Held).is_ok());
    assert_eq!(check_step(Planned, MinutesSent), Err("review.not_held"));
    assert_eq!(check_step(Held, Cancelled), Err("review.cannot_cancel"));
    assert_eq!(check_step(Cancelled, Held), Err("review.cannot_hold"));
    assert!(check_step(MinutesSent, Closed).is_ok());
    assert!(Held.was_held() && !Prepared.was_held());
}

#[test]
fn attendees_are_checked_by_their_place_in_the_list() {
    let e = check_attendees(&[
        AttendeeInput {
            name: Some("Claire Martin".into()),
            email: Some("claire@client.test".into()),
            role: Some("buyer".into()),
            ..AttendeeInput::default()
        },
        AttendeeInput {
            user_id: Some(Uuid::nil().to_string()),
            role: Some("buyer".into()),
            ..AttendeeInput::default()
        },
        AttendeeInput {
            email: Some("not an address".into()),
            ..AttendeeInput::default()
        },
        AttendeeInput::default(),
    ])
    .unwrap_err();
    assert_eq!(e.code_of("attendees[1].role"), Some("review.role_wrong_side"));
    assert_eq!(e.code_of("attendees[2].email"), Some("email.invalid"));
    assert_eq!(e.code_of("attendees[3].name"), Some("review.attendee_missing"));
    assert!(e.for_field("attendees[0].name").is_none());
    assert_eq!(AttendeeRole::CustomerSuccess.side(), Side::Supplier);
    assert_eq!(AttendeeRole::of_side(Side::Client).len(), 5);
}

#[test]
fn the_agenda_reads_one_point_a_line_with_its_minutes() {
    let items =
        agenda::parse("Tour de table — 30 min\n\n- L'année en chiffres (25 min)\nÉchanges: 10mn\nQuestions diverses\n")
            .unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0].title, "Tour de table");
    assert_eq!(items[0].minutes, 30);
    assert_eq!(items[1].title, "L'année en chiffres");
    assert_eq!(items[1].minutes, 25);
    assert_eq!(items[2].title, "Échanges");
    assert_eq!(items[2].minutes, 10);
    assert_eq!(items[3].minutes, 0);
    assert_eq!(agenda::total_minutes(&items), 65);
    assert_eq!(agenda::parse(&agenda::to_text(&items)).unwrap(), items);
    let long = format!("ok\n{}", "x".repeat(201));
    assert_eq!(
        agenda::parse(&long).unwrap_err().code_of("agenda[2]"),
        Some("review.agenda_line_too_long")
    );
    assert_eq!(agenda::template(ReviewKind::Annual)[1].0, "review.agenda.round_table");
}

#[test]
fn holding_checks_every_line_and_skips_blank_ones() {
    let input = HoldInput {
        held_on: None,
        round_table: vec![
            RoundTableInput {
                attendee: Some("Claire Martin".into()),
                satisfactions: Some("Réactivité du support".into()),
                irritants: Some("Délais de livraison".into()),
            },
            RoundTableInput::default(),
            RoundTableInput {
                attendee: Some("Paul Durand".into()),
                ..RoundTableInput::default()
            },
        ],
        decisions: vec!["Passer en livraison hebdomadaire".into(), "  ".into()],
        objectives: vec![ObjectiveInput {
            title: Some("NPS du compte".into()),
            metric: Some("NPS".into()),
            baseline: Some("20".into()),
            target: Some("40".into()),
            due_on: Some("2027-12-01".into()),
            ..ObjectiveInput::default()
        }],
        risks: vec![],
        action_items: vec![
            ActionItemInput {
                what: Some("Envoyer le planning".into()),
                owner: Some("Paul".into()),
                due_on: Some("15/01/2027".into()),
            },
            ActionItemInput::default(),
        ],
        notes: None,
    };
    let held = input.validate(day("2026-12-10"), day("2026-12-12")).unwrap();
    assert_eq!(held.held_on, day("2026-12-10"));
    assert_eq!(held.round_table.len(), 1, "a name with nothing said is skipped");
    assert_eq!(held.decisions.len(), 1);
    assert_eq!(held.objectives.len(), 1);
    assert_eq!(held.action_items[0].due_on, day("2027-01-15"));

    let bad = HoldInput {
        held_on: Some("2026-12-20".into()),
        objectives: vec![ObjectiveInput {
            title: Some("Be better".into()),
            ..ObjectiveInput::default()
        }],
        action_items: vec![ActionItemInput {
            what: Some("Call back".into()),
            owner: None,
            due_on: None,
        }],
        ..HoldInput::default()
    };
    let e = bad.validate(day("2026-12-10"), day("2026-12-12")).unwrap_err();
    assert_eq!(e.code_of("held_on"), Some("review.held_in_future"));
    assert_eq!(e.code_of("objectives[0].target"), Some("objective.target_missing"));
    assert_eq!(e.code_of("objectives[0].due_on"), Some("objective.date_missing"));
    assert_eq!(e.code_of("action_items[0].owner"), Some("required"));
    assert_eq!(e.code_of("action_items[0].due_on"), Some("review.action_date_missing"));
    assert!(HoldInput::default().is_empty());
}

#[test]
fn each_reminder_goes_once_at_its_time() {
    let due = day("2027-01-15");
    let created = day("2026-12-10");
    let r =
        |today: &str, sent: &[ReminderStep]| actions::reminder_due(ActionStatus::Open, due, created, day(today), sent);
    assert_eq!(r("2027-01-11", &[]), None);
    assert_eq!(r("2027-01-12", &[]), Some(ReminderStep::Before));
    assert_eq!(r("2027-01-13", &[ReminderStep::Before]), None);
    assert_eq!(r("2027-01-15", &[ReminderStep::Before]), None, "not on the day itself");
    assert_eq!(r("2027-01-16", &[ReminderStep::Before]), Some(ReminderStep::After));
    assert_eq!(r("2027-01-20", &[ReminderStep::Before, ReminderStep::After]), None);
    assert_eq!(
        r("2027-02-01", &[]),
        Some(ReminderStep::After),
        "a late worker sends the after one only"
    );
    assert_eq!(
        actions::reminder_due(ActionStatus::Done, due, created, day("2027-01-16"), &[]),
        None
    );
    // Created inside the window: no "before" reminder of what was just agreed.
    assert_eq!(
        actions::reminder_due(ActionStatus::Open, due, day("2027-01-14"), day("2027-01-14"), &[]),
        None
    );
    assert!(actions::is_overdue(ActionStatus::Open, due, day("2027-01-16")));
    assert_eq!(actions::days_late(ActionStatus::Open, due, day("2027-01-20")), 5);
    assert_eq!(
        actions::progress(&[ActionStatus::Done, ActionStatus::Open, ActionStatus::Dropped]),
        Some(50)
    );
    assert_eq!(actions::progress(&[ActionStatus::Dropped]), None);
}

#[test]
fn the_packs_own_ratios() {
    assert_eq!(pack::mean_response_hours(3 * 3600 + 1800, 1), Some(Decimal::new(35, 1)));
    assert_eq!(pack::mean_response_hours(0, 0), None);
    assert_eq!(pack::mean_days(25, 3), Some(Decimal::new(83, 1)));
    assert_eq!(
        pack::change_pct(Decimal::from(80), Decimal::from(100)),
        Some(Decimal::from(25))
    );
    assert_eq!(pack::change_pct(Decimal::ZERO, Decimal::from(100)), None);
    assert_eq!(
        pack::margin(Decimal::new(12345, 0), Decimal::from(30)),
        Decimal::new(370350, 2)
    );
    assert_eq!(
        pack::previous_period(day("2026-01-01"), day("2026-12-31")),
        (day("2025-01-01"), day("2025-12-31"))
    );
    assert_eq!(pack::days_in(day("2026-01-01"), day("2026-12-31")), 365);
}

#[test]
fn the_next_reviews_are_dated_from_the_last() {
    assert_eq!(next_annual_due(Some(day("2026-02-28"))), Some(day("2027-02-28")));
    assert_eq!(next_annual_due(None), None);
    assert_eq!(
        checkpoints_after(day("2026-11-30")),
        vec![day("2027-02-28"), day("2027-05-30"), day("2027-08-30")]
    );
}
