use super::*;
use crate::contacts::BuyingRole;
use crate::surveys::SurveyKind;
use chrono::NaiveDate;
use proptest::prelude::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The account of the hand-computed case.
fn facts() -> HealthFacts {
    HealthFacts {
        today: day("2026-12-04"),
        answers: vec![(SurveyKind::Nps, 2, day("2026-11-20"))],
        last_inbound: Some(day("2026-11-24")),
        last_outbound: Some(day("2026-11-10")),
        inbound_90: 3,
        outbound_90: 6,
        invoiced: true,
        overdue_minor: 300_000,
        invoiced_12m_minor: 2_400_000,
        max_days_late: 30,
        average_days_late: Some(Decimal::from(6)),
        currency: "EUR".into(),
        open_complaints: 1,
        has_key_contact: true,
        last_key_contact_met: Some(day("2026-11-14")),
        renewal: Some(day("2027-03-04")),
        ..HealthFacts::default()
    }
}

fn component(h: &Health, c: Component) -> &Explained {
    h.components.iter().find(|e| e.component == c).unwrap()
}

#[test]
fn a_hand_computed_account() {
    let h = health(&facts(), &HealthSettings::default());
    // Satisfaction: the prior 70 and one NPS 2 (20 points): (70 + 20) / 2 = 45,
    // capped at 20 above that recent answer: 40.
    assert_eq!(component(&h, Component::Satisfaction).score, Some(40));
    // Engagement: 10 days since the client wrote (100); 3 in, 6 out: 25 + 50; mean 87.5.
    assert_eq!(component(&h, Component::Engagement).score, Some(88));
    // Payment: 30 days late 66.67 × 0.4; 3,000 € of 24,000 € owed: 75 × 0.3; 6 days habit: 90 × 0.3.
    assert_eq!(component(&h, Component::Payment).score, Some(76));
    assert_eq!(component(&h, Component::Complaints).score, Some(70));
    assert_eq!(
        component(&h, Component::Usage).score,
        None,
        "no usage figures: not judged"
    );
    assert_eq!(component(&h, Component::Relationship).score, Some(100));
    // Renewal in 90 days: 40 + 90 × 60 / 180.
    assert_eq!(component(&h, Component::Renewal).score, Some(70));
    // (25×40 + 20×88 + 20×76 + 15×70 + 5×100 + 5×70) / 90 = 68.67.
    assert_eq!(h.score, 69);
    assert_eq!(h.band, Band::Watch);
    let points: u32 = h.components.iter().map(|c| u32::from(c.points)).sum();
    assert_eq!(points, 69);
    assert_eq!(component(&h, Component::Usage).points, 0);
    assert_eq!(component(&h, Component::Payment).points, 17, "16.89 rounds up");
    assert_eq!(
        component(&h, Component::Satisfaction).points,
        11,
        "11.11 keeps its floor"
    );
}

#[test]
fn the_reasons_name_the_facts() {
    let h = health(&facts(), &HealthSettings::default());
    let sat = component(&h, Component::Satisfaction);
    assert_eq!(sat.reasons[0].code, "satisfaction_detractor");
    assert!(sat.reasons[0].args.contains(&("score".into(), "2".into())));
    let pay = component(&h, Component::Payment);
    assert_eq!(pay.reasons[0].code, "payment_overdue");
    assert!(pay.reasons[0].args.contains(&("amount".into(), "300000 EUR".into())));
    let main: Vec<&str> = h.main_reasons(3).iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        main,
        ["satisfaction_detractor"],
        "only components under 70 pull the account down"
    );
}

#[test]
fn a_detractor_and_an_overdue_invoice_put_an_account_at_risk() {
    let calm = HealthFacts {
        answers: vec![],
        overdue_minor: 0,
        max_days_late: 0,
        average_days_late: None,
        open_complaints: 0,
        ..facts()
    };
    let before = health(&calm, &HealthSettings::default());
    let after = health(
        &HealthFacts {
            answers: vec![(SurveyKind::Nps, 0, day("2026-12-03"))],
            overdue_minor: 2_400_000,
            max_days_late: 90,
            ..calm.clone()
        },
        &HealthSettings::default(),
    );
    assert_eq!(before.band, Band::Healthy, "{}", before.score);
    assert_eq!(after.band, Band::AtRisk, "{}", after.score);
    let main: Vec<&str> = after.main_reasons(3).iter().map(|r| r.code.as_str()).collect();
    assert!(
        main.contains(&"satisfaction_detractor") && main.contains(&"payment_overdue"),
        "{main:?}"
    );
}

#[test]
fn the_sponsor_gone_and_no_decision_maker_met_are_signals() {
    let gone = HealthFacts {
        departures: vec![Departure {
            name: "Claire Martin".into(),
            roles: vec![BuyingRole::Sponsor],
            left_on: day("2026-10-01"),
        }],
        last_key_contact_met: Some(day("2026-06-01")),
        ..facts()
    };
    let h = health(&gone, &HealthSettings::default());
    let rel = component(&h, Component::Relationship);
    // 100 − 50 (sponsor) − 25 (no decision maker met for 186 days, over 90).
    assert_eq!(rel.score, Some(25));
    let codes: Vec<&str> = rel.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes,
        ["relationship_sponsor_left", "relationship_decision_maker_not_met"]
    );
    assert!(components::key_contact_gap(&gone, 90));
    assert!(!components::key_contact_gap(&gone, 200), "the gap is the workspace's");
    let nobody = HealthFacts {
        has_key_contact: false,
        ..facts()
    };
    let h = health(&nobody, &HealthSettings::default());
    assert_eq!(
        component(&h, Component::Relationship).reasons[0].code,
        "relationship_no_decision_maker"
    );
}

#[test]
fn usage_compares_the_latest_period_with_the_ones_before() {
    let f = HealthFacts {
        usage: vec![
            UsageTrend {
                metric: "logins".into(),
                latest: Decimal::from(320),
                before: Decimal::from(400),
            },
            UsageTrend {
                metric: "orders".into(),
                latest: Decimal::from(110),
                before: Decimal::from(100),
            },
        ],
        ..facts()
    };
    let h = health(&f, &HealthSettings::default());
    let u = component(&h, Component::Usage);
    // logins: ratio 0.8 → (0.8 − 0.5) / 0.6 = 50; orders 1.1 → 100; mean 75.
    assert_eq!(u.score, Some(75));
    assert_eq!(u.reasons[0].code, "usage_falling");
    assert!(u.reasons[0].args.contains(&("change".into(), "-20".into())));
}

#[test]
fn settings_are_checked() {
    let mut s = HealthSettings::default();
    assert!(s.validate().is_ok());
    s.watch_below = 40;
    s.weights = vec![(Component::Satisfaction, 0)];
    let e = s.validate().unwrap_err();
    assert_eq!(e.code_of("watch_below"), Some("health.threshold_order"));
    assert_eq!(e.code_of("weights"), Some("health.weights_all_zero"));
}

#[test]
fn largest_remainder_adds_up() {
    let exact = [Decimal::new(125, 1), Decimal::new(125, 1), Decimal::new(250, 1)];
    assert_eq!(largest_remainder(&exact, 50), [13, 12, 25]);
}

fn arb_facts() -> impl Strategy<Value = HealthFacts> {
    let answers = prop::collection::vec((0..3_usize, 0_i16..=10, 0_i64..365), 0..6);
    (
        answers,
        (
            prop::option::of(0_i64..400),
            prop::option::of(0_i64..400),
            0_u32..20,
            0_u32..20,
        ),
        (
            0_i64..5_000_000,
            1_i64..5_000_000,
            0_i64..200,
            prop::option::of(0_i64..90),
        ),
        (0_u32..4, 0_u32..3, 0_u32..2, 0_u32..3),
        prop::collection::vec((0_i64..1000, 0_i64..1000), 0..3),
        (
            0_usize..3,
            any::<bool>(),
            prop::option::of(0_i64..400),
            prop::option::of(-30_i64..400),
        ),
    )
        .prop_map(|(answers, eng, pay, compl, usage, rel)| {
            let today = day("2026-12-04");
            let kinds = [SurveyKind::Nps, SurveyKind::Csat, SurveyKind::Ces];
            HealthFacts {
                today,
                answers: answers
                    .into_iter()
                    .map(|(k, s, ago)| {
                        let kind = kinds[k];
                        (
                            kind,
                            s.clamp(kind.min(), kind.max()),
                            today - chrono::Duration::days(ago),
                        )
                    })
                    .collect(),
                last_inbound: eng.0.map(|d| today - chrono::Duration::days(d)),
                last_outbound: eng.1.map(|d| today - chrono::Duration::days(d)),
                inbound_90: eng.2,
                outbound_90: eng.3,
                invoiced: true,
                overdue_minor: pay.0,
                invoiced_12m_minor: pay.1,
                max_days_late: pay.2,
                average_days_late: pay.3.map(Decimal::from),
                currency: "EUR".into(),
                open_complaints: compl.0,
                overdue_complaints: compl.1.min(compl.0),
                disputes: compl.2.min(compl.0),
                recently_closed_complaints: compl.3,
                usage: usage
                    .into_iter()
                    .enumerate()
                    .map(|(i, (l, b))| UsageTrend {
                        metric: format!("m{i}"),
                        latest: Decimal::from(l),
                        before: Decimal::from(b),
                    })
                    .collect(),
                departures: (0..rel.0)
                    .map(|i| Departure {
                        name: format!("c{i}"),
                        roles: vec![BuyingRole::ALL[i % 6]],
                        left_on: today - chrono::Duration::days(10),
                    })
                    .collect(),
                has_key_contact: rel.1,
                last_key_contact_met: rel.2.map(|d| today - chrono::Duration::days(d)),
                renewal: rel.3.map(|d| today + chrono::Duration::days(d)),
                notice_days: Some(60),
            }
        })
}

/// One input made worse, by `amount` (the kind of change picked by `which`).
fn worsen(f: &HealthFacts, which: u8, amount: i64) -> HealthFacts {
    let mut g = f.clone();
    let back = |d: Option<NaiveDate>| d.map(|d| d - chrono::Duration::days(amount));
    match which % 12 {
        0 => {
            if let Some(a) = g.answers.first_mut() {
                a.1 = (a.1 - i16::try_from(amount % 10).unwrap_or(1)).max(a.0.min());
            }
        }
        1 => g.last_inbound = back(g.last_inbound),
        2 => g.outbound_90 = g.outbound_90.saturating_sub(u32::try_from(amount % 7).unwrap_or(1)),
        3 => g.overdue_minor += amount * 1000,
        4 => g.max_days_late += amount,
        5 => g.average_days_late = Some(g.average_days_late.unwrap_or_default() + Decimal::from(amount)),
        6 => g.open_complaints += 1,
        7 => {
            if let Some(u) = g.usage.first_mut() {
                u.latest = (u.latest - Decimal::from(amount)).max(Decimal::ZERO);
            }
        }
        8 => g.departures.push(Departure {
            name: "gone".into(),
            roles: vec![BuyingRole::DecisionMaker],
            left_on: g.today,
        }),
        9 => g.last_key_contact_met = back(g.last_key_contact_met),
        10 => g.renewal = g.renewal.map(|d| d - chrono::Duration::days(amount)),
        _ => g.inbound_90 = g.inbound_90.saturating_sub(1),
    }
    g
}

proptest! {
    #[test]
    fn health_is_bounded_and_its_points_add_up(f in arb_facts()) {
        let h = health(&f, &HealthSettings::default());
        prop_assert!(h.score <= 100);
        let points: u32 = h.components.iter().map(|c| u32::from(c.points)).sum();
        prop_assert_eq!(points, u32::from(h.score));
        for c in &h.components {
            prop_assert!(c.score.is_none_or(|s| s <= 100));
            prop_assert!(!c.reasons.is_empty(), "{:?} has no reason", c.component);
        }
    }

    #[test]
    fn a_worse_input_never_raises_health(f in arb_facts(), which in 0_u8..12, amount in 1_i64..120) {
        let s = HealthSettings::default();
        let before = health(&f, &s);
        let after = health(&worsen(&f, which, amount), &s);
        prop_assert!(after.score <= before.score, "change {} raised {} to {}", which, before.score, after.score);
        for (a, b) in after.components.iter().zip(&before.components) {
            prop_assert!(a.score <= b.score, "{:?} rose with change {}", a.component, which);
        }
    }
}

#[test]
fn one_detractor_among_many_promoters_does_not_sink_satisfaction() {
    let mut answers: Vec<(SurveyKind, i16, NaiveDate)> =
        (0..10).map(|_| (SurveyKind::Nps, 10, day("2026-11-01"))).collect();
    answers.push((SurveyKind::Nps, 0, day("2026-11-30")));
    let h = health(&HealthFacts { answers, ..facts() }, &HealthSettings::default());
    // (70 + 10 × 100 + 0) / 12 = 89.2; the 90 days' mean is 90.9, so no cap.
    assert_eq!(component(&h, Component::Satisfaction).score, Some(89));
    assert_eq!(
        component(&h, Component::Satisfaction).reasons[0].code,
        "satisfaction_detractor"
    );
}

#[test]
fn departures_are_named_up_to_three_then_counted() {
    let departures = (0..5)
        .map(|i| Departure {
            name: format!("Contact {i}"),
            roles: vec![BuyingRole::KeyUser],
            left_on: day("2026-10-01"),
        })
        .collect();
    let h = health(&HealthFacts { departures, ..facts() }, &HealthSettings::default());
    let rel = component(&h, Component::Relationship);
    assert_eq!(rel.score, Some(25), "five key users gone: 100 − 5 × 15");
    assert_eq!(rel.reasons.len(), 4);
    assert_eq!(rel.reasons[3].code, "relationship_more_left");
    assert!(rel.reasons[3].args.contains(&("count".into(), "2".into())));
}
