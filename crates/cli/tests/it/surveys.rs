//! Hot satisfaction on both engines: events raise invitations in the change's
//! transaction, the public link works once and expires, over-surveying and
//! consent rules, the satisfaction figures over stored answers, and the outbox
//! delivering through a real SMTP conversation exactly once.

use bilan_app::surveys::{self as uc, LinkProblem, SatisfactionQuery};
use bilan_app::timeline as tl;
use bilan_app::{Actor, AppError};
use bilan_domain::accounts::{AccountInput, SiteInput};
use bilan_domain::contacts::ContactInput;
use bilan_domain::roles::Role;
use bilan_domain::surveys::{AnswerInput, RuleInput, SendEligibility, SurveyInput};
use bilan_domain::timeline::InteractionInput;
use bilan_testkit::smtp::SmtpServer;
use bilan_testkit::{db_test, TestApp};
use chrono::Duration;
use rust_decimal::Decimal;
use std::collections::HashSet;
use uuid::Uuid;

pub(crate) async fn account_owned_by(t: &TestApp, actor: &Actor, name: &str, owner: Option<Uuid>, size: &str) -> Uuid {
    let input = AccountInput {
        name: Some(name.into()),
        owner_id: owner.map(|o| o.to_string()),
        size: Some(size.into()),
        ..Default::default()
    };
    bilan_app::accounts::create_account(&t.app, actor, &input)
        .await
        .unwrap()
        .id
}

/// A contact: `consent` to surveys, `left` the company or not, some roles and a site.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn person(
    t: &TestApp,
    actor: &Actor,
    account: Uuid,
    name: &str,
    consent: bool,
    left: bool,
    roles: &str,
    site: Option<Uuid>,
) -> Uuid {
    let input = ContactInput {
        account_id: Some(account.to_string()),
        first_name: Some("Claire".into()),
        last_name: Some(name.into()),
        email: Some(format!("{}@client.test", name.to_lowercase())),
        roles: Some(roles.into()),
        survey_consent: Some(consent.to_string()),
        left_on: left.then(|| "2026-01-01".into()),
        site_id: site.map(|s| s.to_string()),
        language: Some("fr".into()),
        ..Default::default()
    };
    bilan_app::contacts::create_contact(&t.app, actor, &input)
        .await
        .unwrap()
        .id
}

pub(crate) async fn survey(t: &TestApp, actor: &Actor, name: &str, kind: &str) -> Uuid {
    let input = SurveyInput {
        name: Some(name.into()),
        kind: Some(kind.into()),
        question_fr: Some("Recommanderiez-vous nos services ?".into()),
        question_en: Some("Would you recommend us?".into()),
        ..Default::default()
    };
    uc::create_survey(&t.app, actor, &input).await.unwrap().id
}

pub(crate) async fn rule(t: &TestApp, actor: &Actor, survey: Uuid, event: &str, delay: &str, roles: &str) {
    let input = RuleInput {
        survey_id: Some(survey.to_string()),
        event_kind: Some(event.into()),
        delay_hours: Some(delay.into()),
        roles: Some(roles.into()),
    };
    uc::add_rule(&t.app, actor, &input).await.unwrap();
}

fn delivery(account: Uuid, contacts: &[Uuid], at: &str) -> InteractionInput {
    InteractionInput {
        account_id: Some(account.to_string()),
        occurred_at: Some(at.into()),
        channel: Some("visit".into()),
        direction: Some("outbound".into()),
        subject: Some("Livraison de la commande 42".into()),
        tags: Some("Livraison".into()),
        contact_ids: Some(contacts.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",")),
        ..Default::default()
    }
}

/// Queued e-mails: (recipient, body text) oldest first.
pub(crate) async fn outbox(t: &TestApp, actor: &Actor) -> Vec<bilan_db::outbox::OutboxRow> {
    let mut pc = t.app.db.acquire().await.unwrap();
    let mut rows = bilan_db::outbox::list(&mut pc.conn(), actor.workspace_id, 1000)
        .await
        .unwrap();
    rows.reverse();
    rows
}

/// The link secret in a queued e-mail's text.
pub(crate) fn secret_in(body: &str) -> String {
    let start = body.find("/s/").expect("a survey link") + 3;
    body[start..start + 64].to_owned()
}

pub(crate) async fn answer(
    t: &TestApp,
    secret: &str,
    score: &str,
    comment: Option<&str>,
) -> Result<uc::Answered, LinkProblem> {
    let input = AnswerInput {
        score: Some(score.into()),
        comment: comment.map(str::to_owned),
    };
    uc::answer_link(&t.app, secret, &input)
        .await
        .unwrap()
        .map_err(|(p, _)| p)
}

fn range(t: &TestApp, q: SatisfactionQuery) -> bilan_app::surveys::SatisfactionRange {
    q.parse(bilan_domain::timeline::local_day(t.app.now())).unwrap()
}

db_test!(
    a_delivery_sends_a_survey_whose_answer_reaches_the_owner,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let owner = t.with_user(Role::AccountManager).await;
        let acc = account_owned_by(&t, &admin, "Durand SA", Some(owner.user_id), "small").await;
        let consenting = person(&t, &admin, acc, "Durand", true, false, "key_user", None).await;
        let refusing = person(&t, &admin, acc, "Martin", false, false, "key_user", None).await;
        let gone = person(&t, &admin, acc, "Petit", true, true, "key_user", None).await;
        let s = survey(&t, &admin, "NPS livraison", "nps").await;
        rule(&t, &admin, s, "delivery", "0", "").await;

        let logged = tl::log_interaction(
            &t.app,
            &owner,
            &delivery(acc, &[consenting, refusing, gone], "2026-11-23T08:30:00Z"),
        )
        .await
        .unwrap();
        let mails = outbox(&t, &admin).await;
        assert_eq!(
            mails.len(),
            1,
            "only the consenting contact still in the company is asked"
        );
        assert_eq!(mails[0].to_address, "durand@client.test");
        assert_eq!(mails[0].status, "pending");
        assert!(mails[0].subject.contains("Acme"), "{}", mails[0].subject);
        assert!(
            mails[0].body_html.contains("Recommanderiez-vous"),
            "French for a French contact"
        );
        let secret = secret_in(&mails[0].body_text);

        let page = uc::open_link(&t.app, &secret).await.unwrap().unwrap();
        assert_eq!(page.survey.id, s);
        assert_eq!(page.first_name.as_deref(), Some("Claire"));

        t.clock.advance(Duration::hours(2));
        let done = answer(&t, &secret, "3", Some("Livraison en retard, palette abîmée"))
            .await
            .unwrap();
        assert!(done.follow_up, "a detractor creates a follow-up");
        assert_eq!(answer(&t, &secret, "9", None).await.unwrap_err(), LinkProblem::Answered);
        assert_eq!(
            uc::open_link(&t.app, &secret).await.unwrap().unwrap_err().0,
            LinkProblem::Answered
        );

        let today = bilan_domain::timeline::local_day(t.app.now());
        let mine = tl::my_follow_ups(&t.app, &owner, today).await.unwrap();
        let fu = mine
            .due_soon
            .iter()
            .find(|i| i.interaction.id == done.interaction_id)
            .expect("the owner's follow-up");
        assert!(fu.interaction.follow_up.as_ref().unwrap().what.contains("NPS 3/10"));
        let entry = tl::find_interaction(&t.app, &owner, done.interaction_id).await.unwrap();
        assert_eq!(entry.account_id, acc);
        assert_eq!(entry.summary.as_deref(), Some("Livraison en retard, palette abîmée"));
        assert_eq!(entry.related_id, Some(done.answer_id));
        assert!(
            entry.occurred_at > logged.occurred_at,
            "the answer is at the top of the timeline"
        );

        let d = uc::satisfaction(&t.app, &admin, &range(&t, SatisfactionQuery::default()))
            .await
            .unwrap();
        assert_eq!(d.overall.nps, Some(Decimal::new(-1000, 1)));
        assert_eq!(d.overall.detractors, 1);
        assert_eq!(d.verbatims.len(), 1);
        assert_eq!(d.total_rate.sent, 1);
        assert_eq!(d.total_rate.answered, 1);
        // A promoter's answer creates no follow-up.
        uc::set_interval(&t.app, &admin, "0").await.unwrap();
        uc::send_survey(&t.app, &admin, s, acc, &[consenting]).await.unwrap();
        let secret = secret_in(&outbox(&t, &admin).await[1].body_text);
        assert!(!answer(&t, &secret, "10", None).await.unwrap().follow_up);
        let d = uc::satisfaction(&t.app, &admin, &range(&t, SatisfactionQuery::default()))
            .await
            .unwrap();
        assert_eq!(d.overall.nps, Some(Decimal::ZERO), "one promoter, one detractor");
        // What these changes left for later (the accounts' health) runs too.
        t.run_pending_jobs().await;
    }
);

db_test!(links_are_single_use_bound_expiring_and_unforgeable, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = account_owned_by(&t, &admin, "Durand SA", None, "large").await;
    let a = person(&t, &admin, acc, "Durand", true, false, "", None).await;
    let b = person(&t, &admin, acc, "Leroy", true, false, "", None).await;
    let s = survey(&t, &admin, "CSAT", "csat").await;
    let r = uc::send_survey(&t.app, &admin, s, acc, &[a, b]).await.unwrap();
    assert_eq!(r.scheduled, 2);
    let mails = outbox(&t, &admin).await;
    let (sa, sb) = (secret_in(&mails[0].body_text), secret_in(&mails[1].body_text));
    assert_ne!(sa, sb, "each contact has their own link");

    for forged in [
        "",
        "abc",
        &"0".repeat(64),
        &format!("{}x", &sa[..63]),
        "../../etc/passwd",
    ] {
        assert_eq!(
            uc::open_link(&t.app, forged).await.unwrap().unwrap_err().0,
            LinkProblem::Unknown,
            "{forged:?}"
        );
    }
    // Off the scale: refused, and the link still works.
    let bad = uc::answer_link(
        &t.app,
        &sa,
        &AnswerInput {
            score: Some("9".into()),
            comment: None,
        },
    )
    .await;
    assert!(matches!(bad, Err(AppError::Validation(_))), "{bad:?}");
    // Two submissions racing: one wins.
    let (x, y) = tokio::join!(answer(&t, &sa, "5", None), answer(&t, &sa, "4", None));
    assert_eq!(
        [x.is_ok(), y.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{x:?} {y:?}"
    );
    let d = uc::satisfaction(&t.app, &admin, &range(&t, SatisfactionQuery::default()))
        .await
        .unwrap();
    assert_eq!(d.overall.csat_answers, 1);
    // Fourteen days later the other link is dead.
    t.clock.advance(Duration::days(14));
    assert_eq!(answer(&t, &sb, "5", None).await.unwrap_err(), LinkProblem::Expired);
    assert_eq!(
        uc::open_link(&t.app, &sb).await.unwrap().unwrap_err().0,
        LinkProblem::Expired
    );
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

db_test!(
    contacts_are_not_over_surveyed_nor_asked_about_old_history,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let acc = account_owned_by(&t, &admin, "Durand SA", None, "small").await;
        let user = person(&t, &admin, acc, "Durand", true, false, "key_user", None).await;
        let buyer = person(&t, &admin, acc, "Achat", true, false, "buyer", None).await;
        let s = survey(&t, &admin, "NPS", "nps").await;
        // A delayed rule for key users and one for every contact named.
        rule(&t, &admin, s, "meeting", "24", "key_user").await;
        let meeting = |at: &str| InteractionInput {
            account_id: Some(acc.to_string()),
            occurred_at: Some(at.into()),
            channel: Some("meeting".into()),
            direction: Some("outbound".into()),
            ..Default::default()
        };
        // No contacts named: the rule's role picks the account's key users.
        tl::log_interaction(&t.app, &admin, &meeting("2026-11-23T08:00:00Z"))
            .await
            .unwrap();
        let mails = outbox(&t, &admin).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to_address, "durand@client.test");
        assert_eq!(
            mails[0].not_before,
            t.app.now() + Duration::hours(24),
            "sent a day after"
        );
        // Ten days later another meeting: within the 30-day interval, nobody is asked.
        t.clock.advance(Duration::days(10));
        tl::log_interaction(&t.app, &admin, &meeting("2026-12-03T08:00:00Z"))
            .await
            .unwrap();
        assert_eq!(outbox(&t, &admin).await.len(), 1);
        let r = uc::send_survey(&t.app, &admin, s, acc, &[user, buyer]).await.unwrap();
        let outcomes: Vec<SendEligibility> = r.contacts.iter().map(|c| c.outcome).collect();
        assert!(outcomes.contains(&SendEligibility::SurveyedRecently) && outcomes.contains(&SendEligibility::Eligible));
        // A month later they may be asked again.
        t.clock.advance(Duration::days(31));
        tl::log_interaction(&t.app, &admin, &meeting("2027-01-03T08:00:00Z"))
            .await
            .unwrap();
        assert_eq!(outbox(&t, &admin).await.len(), 3);
        // A meeting imported long after it happened sends nothing.
        t.clock.advance(Duration::days(60));
        tl::log_interaction(&t.app, &admin, &meeting("2027-01-10T08:00:00Z"))
            .await
            .unwrap();
        assert_eq!(outbox(&t, &admin).await.len(), 3);
        // A rolled-back change raises nothing: an invalid batch writes no invitation.
        let bad = vec![meeting("2027-03-04T08:00:00Z"), InteractionInput::default()];
        assert!(tl::log_batch(&t.app, &admin, &bad).await.is_err());
        assert_eq!(outbox(&t, &admin).await.len(), 3);
        // What these changes left for later (the accounts' health) runs too.
        t.run_pending_jobs().await;
    }
);

db_test!(satisfaction_figures_by_period_and_breakdown, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let owner = t.with_user(Role::AccountManager).await;
    let big = account_owned_by(&t, &admin, "Grand Compte", Some(owner.user_id), "large").await;
    let small = account_owned_by(&t, &admin, "Petit Client", None, "micro").await;
    let site = bilan_app::accounts::add_site(
        &t.app,
        &admin,
        big,
        &SiteInput {
            kind: Some("site".into()),
            name: Some("Usine de Lyon".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let unit = bilan_app::accounts::add_site(
        &t.app,
        &admin,
        big,
        &SiteInput {
            kind: Some("business_unit".into()),
            name: Some("BU Santé".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let at_site = person(&t, &admin, big, "Site", true, false, "key_user", Some(site)).await;
    let in_unit = person(&t, &admin, big, "Unit", true, false, "buyer,sponsor", Some(unit)).await;
    let other = person(&t, &admin, small, "Other", true, false, "", None).await;
    let nps = survey(&t, &admin, "NPS", "nps").await;
    let ces = survey(&t, &admin, "CES", "ces").await;
    uc::set_interval(&t.app, &admin, "0").await.unwrap();
    let mut sent = 0;
    let mut ask = |t: &TestApp, s: Uuid, acc: Uuid, c: Uuid| {
        sent += 1;
        let n = sent;
        let admin = admin.clone();
        let t_app = t.app.clone();
        async move {
            uc::send_survey(&t_app, &admin, s, acc, &[c]).await.unwrap();
            n
        }
    };
    // January (the clock starts 2026-11-23; move back is impossible, so the year is 2027).
    t.clock.advance(Duration::days(45)); // 2027-01-07
    for (s, acc, c, score) in [
        (nps, big, at_site, "10"),
        (nps, big, in_unit, "10"),
        (nps, small, other, "3"),
    ] {
        let n = ask(&t, s, acc, c).await;
        let secret = secret_in(&outbox(&t, &admin).await[n - 1].body_text);
        answer(&t, &secret, score, Some("ok")).await.unwrap();
    }
    // March: only detractors; and a CES answer.
    t.clock.advance(Duration::days(60)); // 2027-03-08
    for (s, acc, c, score) in [
        (nps, big, at_site, "0"),
        (nps, big, in_unit, "6"),
        (ces, small, other, "6"),
    ] {
        let n = ask(&t, s, acc, c).await;
        let secret = secret_in(&outbox(&t, &admin).await[n - 1].body_text);
        answer(&t, &secret, score, None).await.unwrap();
    }
    // One invitation left unanswered.
    let _ = ask(&t, nps, small, other).await;

    let q = SatisfactionQuery {
        from: Some("2027-01-01".into()),
        to: Some("2027-03-31".into()),
        ..Default::default()
    };
    // By default a score needs 5 answers: none of these months or sites has that
    // many, so their scores are held back while their counts still show.
    let held = uc::satisfaction(&t.app, &admin, &range(&t, q.clone())).await.unwrap();
    assert_eq!(held.min_answers, 5);
    assert!(held.trend.iter().all(|(_, s)| s.nps.is_none()), "{:?}", held.trend);
    assert_eq!(held.trend[0].1.nps_answers, 3);
    assert!(held.by_site.iter().all(|l| l.summary.nps.is_none()));
    assert_eq!(
        held.overall.nps,
        Some(Decimal::new(-200, 1)),
        "the whole period is not held back"
    );
    assert_eq!(
        uc::set_min_answers(&t.app, &admin, "0").await.unwrap_err().code(),
        "validation_failed"
    );
    uc::set_min_answers(&t.app, &admin, "1").await.unwrap();
    let d = uc::satisfaction(&t.app, &admin, &range(&t, q)).await.unwrap();
    // 5 NPS answers: 2 promoters, 3 detractors → (2 − 3) / 5 = −20.0.
    assert_eq!(d.overall.nps, Some(Decimal::new(-200, 1)));
    assert_eq!(d.overall.ces, Some(Decimal::new(600, 2)));
    let months: Vec<(&str, Option<Decimal>)> = d.trend.iter().map(|(k, s)| (k.as_str(), s.nps)).collect();
    assert_eq!(
        months,
        [
            ("2027-01", Some(Decimal::new(333, 1))),
            ("2027-02", None),
            ("2027-03", Some(Decimal::new(-1000, 1)))
        ],
        "January 2 of 3 promoters and 1 detractor; an empty February; an all-detractor March"
    );
    let quarter = SatisfactionQuery {
        from: Some("2027-01-01".into()),
        to: Some("2027-03-31".into()),
        period: Some("quarter".into()),
        ..Default::default()
    };
    let dq = uc::satisfaction(&t.app, &admin, &range(&t, quarter)).await.unwrap();
    assert_eq!(dq.trend.len(), 1);
    assert_eq!(dq.trend[0].1.nps, Some(Decimal::new(-200, 1)));
    let by = |lines: &[uc::BreakdownLine], label: &str| {
        lines
            .iter()
            .find(|l| l.label == label)
            .map(|l| l.summary.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        by(&d.by_site, "Usine de Lyon (Grand Compte)").nps,
        Some(Decimal::ZERO),
        "10 then 0"
    );
    assert_eq!(
        by(&d.by_unit, "BU Santé (Grand Compte)").nps,
        Some(Decimal::ZERO),
        "10 then 6"
    );
    assert!(
        d.by_site.iter().all(|l| !l.label.starts_with("BU Santé")),
        "business units are not sites"
    );
    let sponsor = d.by_role.iter().find(|l| l.key.as_deref() == Some("sponsor")).unwrap();
    assert_eq!(
        sponsor.summary.nps_answers, 2,
        "an answer counts for each of its contact's roles"
    );
    let large = d.by_segment.iter().find(|l| l.key.as_deref() == Some("large")).unwrap();
    assert_eq!(large.summary.nps_answers, 4);
    let owned = d
        .by_owner
        .iter()
        .find(|l| l.key == Some(owner.user_id.to_string()))
        .unwrap();
    assert_eq!(owned.summary.nps_answers, 4);
    // 7 invitations, 6 answered.
    assert_eq!((d.total_rate.sent, d.total_rate.answered), (7, 6));
    assert_eq!(d.total_rate.rate, Some(Decimal::new(857, 1)));
    assert_eq!(d.verbatims.len(), 3);

    // The CSV export holds every answer, with the verbatims.
    let csv = String::from_utf8(
        uc::export_answers(
            &t.app,
            &admin,
            &range(
                &t,
                SatisfactionQuery {
                    from: Some("2027-01-01".into()),
                    ..Default::default()
                },
            ),
            ';',
        )
        .await
        .unwrap(),
    )
    .unwrap();
    assert_eq!(csv.lines().count(), 7, "{csv}");
    assert!(csv.contains(";detractor;") && csv.contains(";promoter;"));

    // Another workspace sees none of it.
    let stranger = t.user_in("Globex", Role::Admin).await;
    let other_ws = uc::satisfaction(&t.app, &stranger, &range(&t, SatisfactionQuery::default()))
        .await
        .unwrap();
    assert_eq!(other_ws.overall.answers(), 0);
    assert!(matches!(
        uc::find_survey(&t.app, &stranger, nps).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        uc::send_survey(&t.app, &stranger, nps, big, &[at_site]).await,
        Err(AppError::Validation(_))
    ));
    // Roles: a viewer reads the figures but defines nothing; finance sends nothing.
    let viewer = t.with_user(Role::Viewer).await;
    assert!(
        uc::satisfaction(&t.app, &viewer, &range(&t, SatisfactionQuery::default()))
            .await
            .is_ok()
    );
    assert!(matches!(
        uc::create_survey(&t.app, &viewer, &SurveyInput::default()).await,
        Err(AppError::Forbidden)
    ));
    let finance = t.with_user(Role::Finance).await;
    assert!(matches!(
        uc::send_survey(&t.app, &finance, nps, big, &[at_site]).await,
        Err(AppError::Forbidden)
    ));
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

async fn queue_mails(t: &TestApp, admin: &Actor, n: usize, tag: &str) {
    let acc = account_owned_by(t, admin, &format!("Durand {tag}"), None, "small").await;
    let s = survey(t, admin, &format!("NPS {tag}"), "nps").await;
    let mut contacts = Vec::new();
    for i in 0..n {
        contacts.push(person(t, admin, acc, &format!("Client{tag}{i}"), true, false, "", None).await);
    }
    let r = uc::send_survey(&t.app, admin, s, acc, &contacts).await.unwrap();
    assert_eq!(r.scheduled, n);
}

fn mailer(smtp: &SmtpServer) -> bilan_app::outbox::Mailer {
    bilan_app::outbox::Mailer::from_url(
        &format!("smtp://127.0.0.1:{}", smtp.port()),
        "Bilan <no-reply@acme.test>",
        "https://bilan.acme.test",
    )
    .unwrap()
}

db_test!(two_workers_racing_send_each_mail_once, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    queue_mails(&t, &admin, 30, "a").await;
    let smtp = SmtpServer::start().await.unwrap();
    let (m1, m2) = (mailer(&smtp), mailer(&smtp));
    let (a, b) = tokio::join!(
        bilan_app::outbox::deliver_due(&t.app, &m1, "worker-a", 100),
        bilan_app::outbox::deliver_due(&t.app, &m2, "worker-b", 100)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 30, "{a:?} {b:?}");
    let got = smtp.wait_for(30, std::time::Duration::from_secs(10)).await;
    assert_eq!(got.len(), 30);
    let ids: HashSet<String> = got.iter().map(|m| m.header("Message-ID").unwrap()).collect();
    assert_eq!(ids.len(), 30, "no message twice");
    let to: HashSet<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to.len(), 30);
    let body = got[0].text_body().unwrap();
    assert!(
        body.contains("https://bilan.acme.test/s/"),
        "links use the public URL: {body}"
    );
    // Nothing left to send, and sent bodies no longer hold the link secrets.
    let again = bilan_app::outbox::deliver_due(&t.app, &m1, "worker-a", 100)
        .await
        .unwrap();
    assert_eq!(again.handled(), 0);
    assert!(outbox(&t, &admin)
        .await
        .iter()
        .all(|r| r.status == "sent" && r.body_text.is_empty()));
});

db_test!(a_failed_send_is_retried_later_without_duplicating, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    queue_mails(&t, &admin, 2, "a").await;
    let smtp = SmtpServer::start().await.unwrap();
    let m = mailer(&smtp);
    smtp.fail_next(1);
    smtp.reject_next(0);
    let first = bilan_app::outbox::deliver_due(&t.app, &m, "w", 100).await.unwrap();
    assert_eq!((first.sent, first.retried, first.failed), (1, 1, 0));
    let rows = outbox(&t, &admin).await;
    let waiting: Vec<_> = rows.iter().filter(|r| r.status == "pending").collect();
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].last_error.as_deref().unwrap_or("").contains("451"));
    assert_eq!(waiting[0].not_before, t.app.now() + Duration::minutes(1));
    // Not due yet: nothing happens.
    assert_eq!(
        bilan_app::outbox::deliver_due(&t.app, &m, "w", 100)
            .await
            .unwrap()
            .handled(),
        0
    );
    t.clock.advance(Duration::minutes(2));
    let second = bilan_app::outbox::deliver_due(&t.app, &m, "w", 100).await.unwrap();
    assert_eq!(second.sent, 1);
    let got = smtp.wait_for(2, std::time::Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2, "the failed one once, after its retry; the other once");
    assert!(outbox(&t, &admin).await.iter().all(|r| r.status == "sent"));

    // A permanent refusal is not retried.
    queue_mails(&t, &admin, 1, "b").await;
    smtp.reject_next(1);
    let third = bilan_app::outbox::deliver_due(&t.app, &m, "w", 100).await.unwrap();
    assert_eq!(third.failed, 1);
    t.clock.advance(Duration::days(2));
    assert_eq!(
        bilan_app::outbox::deliver_due(&t.app, &m, "w", 100)
            .await
            .unwrap()
            .handled(),
        0
    );
    let failed = outbox(&t, &admin)
        .await
        .into_iter()
        .find(|r| r.status == "failed")
        .unwrap();
    // Once the relay is fixed, an admin sends it again; a sent one cannot be re-sent.
    let support = t.with_user(Role::Support).await;
    assert!(matches!(
        bilan_app::outbox::retry(&t.app, &support, failed.id).await,
        Err(AppError::Forbidden)
    ));
    bilan_app::outbox::retry(&t.app, &admin, failed.id).await.unwrap();
    assert_eq!(
        bilan_app::outbox::deliver_due(&t.app, &m, "w", 100).await.unwrap().sent,
        1
    );
    assert!(matches!(
        bilan_app::outbox::retry(&t.app, &admin, failed.id).await,
        Err(AppError::NotFound)
    ));
    let stranger = t.user_in("Globex", Role::Admin).await;
    assert!(matches!(
        bilan_app::outbox::retry(&t.app, &stranger, failed.id).await,
        Err(AppError::NotFound)
    ));
    assert!(outbox(&t, &admin).await.iter().all(|r| r.status == "sent"));
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

db_test!(mail_goes_over_tls_to_a_verified_relay, |t| async move {
    use bilan_testkit::smtp::TlsMode;
    let admin = t.with_user(Role::Admin).await;
    let dir = tempfile_dir();
    for (mode, scheme, query) in [
        (TlsMode::StartTls, "smtp", "tls=starttls&"),
        (TlsMode::Implicit, "smtps", ""),
    ] {
        let smtp = SmtpServer::start_tls(mode).await.unwrap();
        let ca = dir.join(format!("ca-{scheme}.pem"));
        std::fs::write(&ca, smtp.ca_pem().unwrap()).unwrap();
        // The relay's certificate is signed by a private authority: without it the
        // system's roots refuse the relay, and nothing leaves in clear instead.
        let untrusted = bilan_app::outbox::Mailer::from_url(
            &format!("{scheme}://localhost:{}?{}", smtp.port(), query.trim_end_matches('&')),
            "Bilan <no-reply@acme.test>",
            "https://bilan.acme.test",
        )
        .unwrap();
        queue_mails(&t, &admin, 1, &format!("{scheme}-a")).await;
        let r = bilan_app::outbox::deliver_due(&t.app, &untrusted, "w", 100)
            .await
            .unwrap();
        assert_eq!((r.sent, r.retried), (0, 1), "{scheme}: an unknown authority is refused");
        let rows = outbox(&t, &admin).await;
        let error = rows.iter().find_map(|r| r.last_error.clone()).unwrap_or_default();
        assert!(
            error.to_lowercase().contains("certificate"),
            "{scheme}: the error says why: {error}"
        );
        assert!(smtp.messages().is_empty());
        // Told to trust the authority, the worker delivers over TLS.
        let trusted = bilan_app::outbox::Mailer::from_url(
            &format!("{scheme}://localhost:{}?{query}ca={}", smtp.port(), ca.display()),
            "Bilan <no-reply@acme.test>",
            "https://bilan.acme.test",
        )
        .unwrap();
        assert!(trusted.describe().contains("TLS"), "{}", trusted.describe());
        t.clock.advance(Duration::minutes(2));
        let r = bilan_app::outbox::deliver_due(&t.app, &trusted, "w", 100)
            .await
            .unwrap();
        assert_eq!(r.sent, 1, "{scheme}: {r:?}");
        assert_eq!(smtp.wait_for(1, std::time::Duration::from_secs(5)).await.len(), 1);
    }
    // STARTTLS required and not offered: nothing is sent in clear.
    let plain = SmtpServer::start().await.unwrap();
    let strict = bilan_app::outbox::Mailer::from_url(
        &format!("smtp://localhost:{}?tls=starttls", plain.port()),
        "Bilan <no-reply@acme.test>",
        "https://bilan.acme.test",
    )
    .unwrap();
    queue_mails(&t, &admin, 1, "plain").await;
    t.clock.advance(Duration::minutes(2));
    let r = bilan_app::outbox::deliver_due(&t.app, &strict, "w", 100).await.unwrap();
    assert_eq!(r.sent, 0);
    assert!(plain.messages().is_empty(), "no plain-text fallback");
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

/// A directory of its own for files a test writes.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bilan-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
