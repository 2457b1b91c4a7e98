//! Shared history on both engines: logging and listing, keyset pages with
//! filters, workspace isolation, first responses, follow-ups, batches, search,
//! roles, and a large timeline that must stay index-ordered.

use bilan_app::timeline::{self as tl, ResponseQuery, TimelineQuery};
use bilan_app::{Actor, AppError};
use bilan_domain::accounts::AccountInput;
use bilan_domain::contacts::ContactInput;
use bilan_domain::roles::Role;
use bilan_domain::timeline::{Channel, Direction, Interaction, InteractionInput};
use bilan_testkit::{db_test, TestApp};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashSet;
use uuid::Uuid;

fn ix(account: Uuid, at: &str, channel: &str, direction: &str) -> InteractionInput {
    InteractionInput {
        account_id: Some(account.to_string()),
        occurred_at: Some(at.into()),
        channel: Some(channel.into()),
        direction: Some(direction.into()),
        ..Default::default()
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn account(t: &TestApp, actor: &Actor, name: &str) -> Uuid {
    let input = AccountInput {
        name: Some(name.into()),
        ..Default::default()
    };
    bilan_app::accounts::create_account(&t.app, actor, &input)
        .await
        .unwrap()
        .id
}

async fn contact(t: &TestApp, actor: &Actor, account: Uuid, last_name: &str) -> Uuid {
    let input = ContactInput {
        account_id: Some(account.to_string()),
        last_name: Some(last_name.into()),
        ..Default::default()
    };
    bilan_app::contacts::create_contact(&t.app, actor, &input)
        .await
        .unwrap()
        .id
}

async fn log(t: &TestApp, actor: &Actor, input: InteractionInput) -> Interaction {
    tl::log_interaction(&t.app, actor, &input).await.unwrap()
}

async fn get(t: &TestApp, actor: &Actor, id: Uuid) -> Interaction {
    tl::find_interaction(&t.app, actor, id).await.unwrap()
}

/// The (field, code) pairs of a validation error.
fn fields(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => v.0.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Walks every page of a timeline, checking order and that no row comes twice.
async fn walk(t: &TestApp, actor: &Actor, account: Uuid, mut q: TimelineQuery) -> Vec<Interaction> {
    let mut seen = HashSet::new();
    let mut all: Vec<Interaction> = Vec::new();
    loop {
        let page = tl::timeline(&t.app, actor, account, &q).await.unwrap();
        assert!(page.items.len() <= q.limit.unwrap_or(50) as usize);
        for i in page.items {
            assert!(seen.insert(i.id), "{} twice", i.id);
            if let Some(p) = all.last() {
                assert!((p.occurred_at, p.id) > (i.occurred_at, i.id), "newest first");
            }
            all.push(i);
        }
        match page.next {
            Some(c) => q.cursor = Some(c.encode()),
            None => break,
        }
    }
    all
}

db_test!(log_and_list_newest_first, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acme = account(&t, &admin, "Acme").await;
    let (c1, c2) = (
        contact(&t, &admin, acme, "Martin").await,
        contact(&t, &admin, acme, "Durand").await,
    );
    let mut quote = ix(acme, "2026-11-20 10:00", "E-mail", "reçu");
    quote.subject = Some("Demande de devis".into());
    quote.contact_ids = Some(format!("{c1}, {c2}"));
    let quote = log(&t, &admin, quote).await;
    log(&t, &admin, ix(acme, "2026-11-21T08:00:00Z", "phone", "outbound")).await;
    let mut committee = ix(acme, "2026-11-19 09:15", "Réunion", "sortant");
    committee.tags = Some("Comité; renouvellement".into());
    committee.beyond_contract = Some("oui".into());
    committee.follow_up_what = Some("Envoyer le compte rendu".into());
    committee.follow_up_due = Some("26/11/2026".into());
    log(&t, &admin, committee).await;

    let items = walk(&t, &admin, acme, TimelineQuery::default()).await;
    let at: Vec<_> = items.iter().map(|i| i.occurred_at).collect();
    assert_eq!(
        at,
        vec![
            utc("2026-11-21T08:00:00Z"),
            utc("2026-11-20T09:00:00Z"),
            utc("2026-11-19T08:15:00Z")
        ],
        "Paris local times, newest first"
    );
    let mut contacts = items[1].contact_ids.clone();
    contacts.sort();
    let mut expected = vec![c1, c2];
    expected.sort();
    assert_eq!(contacts, expected);
    assert_eq!(
        (items[1].channel, items[1].direction),
        (Channel::Email, Direction::Inbound)
    );
    assert_eq!(items[1].user_id, admin.user_id, "the person logging it by default");
    assert_eq!(items[1].answered_by, Some(items[0].id), "the call answered the e-mail");
    assert_eq!(items[1].response_seconds, Some(23 * 3600));
    assert_eq!(items[2].tags, vec!["comité", "renouvellement"]);
    assert!(items[2].beyond_contract);
    let f = items[2].follow_up.clone().unwrap();
    assert_eq!(
        (f.user_id, f.due),
        (admin.user_id, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
    );
    assert_eq!(
        get(&t, &admin, quote.id).await.subject.as_deref(),
        Some("Demande de devis")
    );

    // Not in the future (beyond a day of slack), and not in another form than the ones accepted.
    let late = tl::log_interaction(&t.app, &admin, &ix(acme, "2026-11-25 10:00", "email", "in"))
        .await
        .unwrap_err();
    assert_eq!(fields(late), vec![("occurred_at".into(), "datetime.future".into())]);

    // Optimistic edits.
    let mut edit = quote.to_input();
    edit.subject = Some("Demande de devis (v2)".into());
    let edited = tl::update_interaction(&t.app, &admin, quote.id, 1, &edit)
        .await
        .unwrap();
    assert_eq!((edited.version, edited.contact_ids.len()), (2, 2));
    assert!(matches!(
        tl::update_interaction(&t.app, &admin, quote.id, 1, &edit).await,
        Err(AppError::Stale { current_version: 2 })
    ));
    tl::delete_interaction(&t.app, &admin, quote.id).await.unwrap();
    assert!(matches!(
        tl::find_interaction(&t.app, &admin, quote.id).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(walk(&t, &admin, acme, TimelineQuery::default()).await.len(), 2);
});

db_test!(keyset_pages_walk_every_row_once_with_filters, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    let a = account(&t, &admin, "Alpha").await;
    let b = account(&t, &admin, "Beta").await;
    let (ca1, ca2) = (
        contact(&t, &admin, a, "Petit").await,
        contact(&t, &admin, a, "Grand").await,
    );
    let channels = ["email", "phone", "meeting", "portal"];
    let base = utc("2026-11-01T00:00:00Z");
    // Hours repeat (i and i + 50), so several rows share an instant and the id breaks ties.
    let hour = |i: usize| ((i * 37) % 50) as i64;
    let inputs: Vec<InteractionInput> = (0..80)
        .map(|i| {
            let at = base + chrono::Duration::hours(hour(i));
            let mut x = ix(
                a,
                &at.to_rfc3339(),
                channels[i % 4],
                if i % 3 == 0 { "in" } else { "out" },
            );
            x.user_id = Some(if i % 2 == 1 { kam.user_id } else { admin.user_id }.to_string());
            let mut cs = Vec::new();
            if i % 5 == 0 {
                cs.push(ca1.to_string());
            }
            if i % 7 == 0 {
                cs.push(ca2.to_string());
            }
            x.contact_ids = Some(cs.join(","));
            if i % 6 == 0 {
                x.tags = Some("Prix, 100%_sûr".into());
            }
            x
        })
        .chain((0..5).map(|i| ix(b, &format!("2026-11-0{} 12:00", i + 1), "email", "in")))
        .collect();
    let report = tl::log_batch(&t.app, &admin, &inputs).await.unwrap();
    assert_eq!((report.inserted, report.skipped_duplicates), (85, 0));
    let id_of = |i: usize| report.items[i].id;

    type Pred = Box<dyn Fn(usize) -> bool>;
    let cases: Vec<(TimelineQuery, Pred)> = vec![
        (TimelineQuery::default(), Box::new(|_| true)),
        (
            TimelineQuery {
                channel: Some("Courriel".into()),
                ..Default::default()
            },
            Box::new(|i| i % 4 == 0),
        ),
        (
            TimelineQuery {
                direction: Some("inbound".into()),
                ..Default::default()
            },
            Box::new(|i| i % 3 == 0),
        ),
        (
            TimelineQuery {
                user: Some(kam.user_id.to_string()),
                ..Default::default()
            },
            Box::new(|i| i % 2 == 1),
        ),
        (
            TimelineQuery {
                contact: Some(ca1.to_string()),
                ..Default::default()
            },
            Box::new(|i| i % 5 == 0),
        ),
        (
            TimelineQuery {
                tag: Some("PRIX".into()),
                ..Default::default()
            },
            Box::new(|i| i % 6 == 0),
        ),
        (
            TimelineQuery {
                tag: Some("100%_sûr".into()),
                ..Default::default()
            },
            Box::new(|i| i % 6 == 0),
        ),
        (
            TimelineQuery {
                tag: Some("100".into()),
                ..Default::default()
            },
            Box::new(|_| false),
        ),
        (
            // Paris days: 2026-11-02 is [2026-11-01T23:00Z, 2026-11-02T23:00Z).
            TimelineQuery {
                from: Some("2026-11-02".into()),
                to: Some("02/11/2026".into()),
                ..Default::default()
            },
            Box::new(move |i| (23..47).contains(&hour(i))),
        ),
        (
            TimelineQuery {
                channel: Some("phone".into()),
                user: Some(kam.user_id.to_string()),
                contact: Some(ca2.to_string()),
                ..Default::default()
            },
            Box::new(|i| i % 4 == 1 && i % 2 == 1 && i % 7 == 0),
        ),
    ];
    for (mut q, pred) in cases {
        q.limit = Some(7);
        let label = format!("{q:?}");
        let got: HashSet<Uuid> = walk(&t, &admin, a, q).await.into_iter().map(|i| i.id).collect();
        let want: HashSet<Uuid> = (0..80).filter(|&i| pred(i)).map(id_of).collect();
        assert_eq!(got, want, "{label}");
    }
    assert_eq!(walk(&t, &admin, b, TimelineQuery::default()).await.len(), 5);

    let bad = TimelineQuery {
        channel: Some("pigeon".into()),
        cursor: Some("zz".into()),
        from: Some("2026-11-05".into()),
        to: Some("2026-11-01".into()),
        ..Default::default()
    };
    let mut got = fields(tl::timeline(&t.app, &admin, a, &bad).await.unwrap_err());
    got.sort();
    assert_eq!(
        got,
        vec![
            ("channel".into(), "channel.invalid".into()),
            ("cursor".into(), "cursor.invalid".into()),
            ("to".into(), "period.invalid".into())
        ]
    );
});

db_test!(workspace_isolation, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let other = t.user_in("Globex", Role::Admin).await;
    let mine = account(&t, &admin, "Acme client").await;
    let theirs = account(&t, &other, "Globex client").await;
    let their_contact = contact(&t, &other, theirs, "Autre").await;

    let e = tl::log_interaction(&t.app, &admin, &ix(theirs, "2026-11-20 10:00", "email", "in"))
        .await
        .unwrap_err();
    assert_eq!(fields(e), vec![("account_id".into(), "account.unknown".into())]);
    let mut x = ix(mine, "2026-11-20 10:00", "email", "in");
    x.contact_ids = Some(their_contact.to_string());
    x.user_id = Some(other.user_id.to_string());
    x.follow_up_what = Some("Rappeler".into());
    x.follow_up_due = Some("2026-11-30".into());
    x.follow_up_user_id = Some(other.user_id.to_string());
    let mut got = fields(tl::log_interaction(&t.app, &admin, &x).await.unwrap_err());
    got.sort();
    assert_eq!(
        got,
        vec![
            ("contact_ids".into(), "contact.unknown".into()),
            ("follow_up_user_id".into(), "user.unknown".into()),
            ("user_id".into(), "user.unknown".into())
        ]
    );
    assert!(matches!(
        tl::timeline(&t.app, &admin, theirs, &TimelineQuery::default()).await,
        Err(AppError::NotFound)
    ));

    let mut theirs_in = ix(theirs, "2026-11-20 10:00", "email", "in");
    theirs_in.external_ref = Some("<abc@globex.example>".into());
    let theirs_in = log(&t, &other, theirs_in).await;
    let mut mine_in = ix(mine, "2026-11-20 10:00", "email", "in");
    mine_in.external_ref = Some("<abc@globex.example>".into());
    let mine_in = log(&t, &admin, mine_in).await;
    let mine_out = log(&t, &admin, ix(mine, "2026-11-20 11:00", "email", "out")).await;
    assert_eq!(
        get(&t, &other, theirs_in.id).await.answered_by,
        None,
        "another workspace's outbound answers nothing here"
    );
    assert_eq!(get(&t, &admin, mine_in.id).await.answered_by, Some(mine_out.id));
    for r in [
        tl::find_interaction(&t.app, &admin, theirs_in.id).await.map(|_| ()),
        tl::update_interaction(&t.app, &admin, theirs_in.id, 1, &mine_in.to_input())
            .await
            .map(|_| ()),
        tl::delete_interaction(&t.app, &admin, theirs_in.id).await,
        tl::link_answer(&t.app, &admin, theirs_in.id, mine_out.id)
            .await
            .map(|_| ()),
        tl::complete_follow_up(&t.app, &admin, theirs_in.id).await.map(|_| ()),
    ] {
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    }
    let e = tl::link_answer(&t.app, &other, theirs_in.id, mine_out.id)
        .await
        .unwrap_err();
    assert_eq!(fields(e), vec![("outbound_id".into(), "interaction.unknown".into())]);
    let stats = tl::response_stats(&t.app, &other, &ResponseQuery::default())
        .await
        .unwrap();
    assert_eq!(stats.count, 0);
});

db_test!(first_responses_on_hand_made_cases, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let a = account(&t, &admin, "Alpha").await;
    let elsewhere = account(&t, &admin, "Beta").await;
    let answer = |i: &Interaction| (i.answered_by, i.response_seconds, i.answer_linked);

    // Two requests, then one reply: both are answered by it.
    let i1 = log(&t, &admin, ix(a, "2026-11-02 09:00", "email", "in")).await;
    let i2 = log(&t, &admin, ix(a, "2026-11-02 09:30", "phone", "in")).await;
    assert_eq!(answer(&i1), (None, None, false));
    let o1 = log(&t, &admin, ix(a, "2026-11-02 10:00", "email", "out")).await;
    assert_eq!(answer(&get(&t, &admin, i1.id).await), (Some(o1.id), Some(3600), false));
    assert_eq!(answer(&get(&t, &admin, i2.id).await), (Some(o1.id), Some(1800), false));
    assert_eq!(
        answer(&o1),
        (None, None, false),
        "outbounds answer, they are not answered"
    );

    // A request logged after the fact is answered at once by the later reply.
    let i3 = log(&t, &admin, ix(a, "2026-11-02 09:45", "email", "in")).await;
    assert_eq!(answer(&i3), (Some(o1.id), Some(900), false));

    // A reply logged late, before the one known: it becomes the first response.
    let o0 = log(&t, &admin, ix(a, "2026-11-02 09:40", "phone", "out")).await;
    assert_eq!(answer(&get(&t, &admin, i1.id).await), (Some(o0.id), Some(2400), false));
    assert_eq!(answer(&get(&t, &admin, i2.id).await), (Some(o0.id), Some(600), false));
    assert_eq!(answer(&get(&t, &admin, i3.id).await), (Some(o1.id), Some(900), false));

    // An explicit link wins over the next outbound, and later outbounds leave it alone.
    let i4 = log(&t, &admin, ix(a, "2026-11-02 11:00", "portal", "in")).await;
    let o2 = log(&t, &admin, ix(a, "2026-11-02 11:05", "email", "out")).await;
    let o3 = log(&t, &admin, ix(a, "2026-11-02 14:00", "email", "out")).await;
    assert_eq!(answer(&get(&t, &admin, i4.id).await), (Some(o2.id), Some(300), false));
    let linked = tl::link_answer(&t.app, &admin, i4.id, o3.id).await.unwrap();
    assert_eq!(answer(&linked), (Some(o3.id), Some(3 * 3600), true));
    let o4 = log(&t, &admin, ix(a, "2026-11-02 11:01", "phone", "out")).await;
    assert_eq!(
        answer(&get(&t, &admin, i4.id).await),
        (Some(o3.id), Some(3 * 3600), true)
    );
    let other_out = log(&t, &admin, ix(elsewhere, "2026-11-02 12:00", "email", "out")).await;
    for (inbound, outbound, field, code) in [
        (i4.id, i1.id, "outbound_id", "answer.not_outbound"),
        (o2.id, o3.id, "inbound_id", "answer.not_inbound"),
        (i4.id, o1.id, "outbound_id", "answer.before_request"),
        (i4.id, other_out.id, "outbound_id", "answer.other_account"),
        (i4.id, Uuid::now_v7(), "outbound_id", "interaction.unknown"),
    ] {
        let e = tl::link_answer(&t.app, &admin, inbound, outbound).await.unwrap_err();
        assert_eq!(fields(e), vec![(field.into(), code.into())]);
    }

    // Deleting the linked reply frees the request: the next outbound answers it.
    tl::delete_interaction(&t.app, &admin, o3.id).await.unwrap();
    assert_eq!(answer(&get(&t, &admin, i4.id).await), (Some(o4.id), Some(60), false));
    // Deleting a reply hands its requests to the next one.
    tl::delete_interaction(&t.app, &admin, o0.id).await.unwrap();
    assert_eq!(answer(&get(&t, &admin, i1.id).await), (Some(o1.id), Some(3600), false));
    assert_eq!(answer(&get(&t, &admin, i2.id).await), (Some(o1.id), Some(1800), false));

    // Moving a reply later re-points its requests to the first reply now after them.
    let mut moved = get(&t, &admin, o1.id).await.to_input();
    moved.occurred_at = Some("2026-11-02 12:00".into());
    tl::update_interaction(&t.app, &admin, o1.id, 1, &moved).await.unwrap();
    assert_eq!(answer(&get(&t, &admin, i1.id).await), (Some(o4.id), Some(7260), false));
    assert_eq!(answer(&get(&t, &admin, i3.id).await), (Some(o4.id), Some(4560), false));
    // Turning a request into a reply: it answers the requests before it and loses its own answer.
    let mut turned = get(&t, &admin, i3.id).await.to_input();
    turned.direction = Some("outbound".into());
    let turned = tl::update_interaction(&t.app, &admin, i3.id, 1, &turned).await.unwrap();
    assert_eq!(answer(&turned), (None, None, false));
    assert_eq!(answer(&get(&t, &admin, i1.id).await), (Some(i3.id), Some(2700), false));
    assert_eq!(answer(&get(&t, &admin, i2.id).await), (Some(i3.id), Some(900), false));

    // Unlinking brings the automatic rule back.
    tl::link_answer(&t.app, &admin, i1.id, o2.id).await.unwrap();
    let unlinked = tl::unlink_answer(&t.app, &admin, i1.id).await.unwrap();
    assert_eq!(answer(&unlinked), (Some(i3.id), Some(2700), false));

    // Statistics on a second account with known figures.
    let kam = t.with_user(Role::AccountManager).await;
    let c = account(&t, &admin, "Gamma").await;
    let by = |mut x: InteractionInput, u: &Actor| {
        x.user_id = Some(u.user_id.to_string());
        x
    };
    for x in [
        ix(c, "2026-11-03 09:00", "email", "in"),
        by(ix(c, "2026-11-03 10:00", "email", "out"), &kam),
        ix(c, "2026-11-03 11:00", "phone", "in"),
        by(ix(c, "2026-11-03 11:30", "phone", "out"), &admin),
        ix(c, "2026-11-03 12:00", "email", "in"),
        by(ix(c, "2026-11-03 12:20", "email", "out"), &kam),
    ] {
        log(&t, &admin, x).await;
    }
    let q = |account: Option<Uuid>, channel: Option<&str>, user: Option<Uuid>, day: Option<&str>| ResponseQuery {
        account: account.map(|a| a.to_string()),
        channel: channel.map(str::to_owned),
        user: user.map(|u| u.to_string()),
        from: day.map(str::to_owned),
        to: day.map(str::to_owned),
    };
    let s = tl::response_stats(&t.app, &admin, &q(Some(c), None, None, None))
        .await
        .unwrap();
    assert_eq!((s.count, s.mean_seconds, s.median_seconds), (3, Some(2200), Some(1800)));
    assert_eq!(s.by_channel.len(), 2);
    assert_eq!(s.by_channel[0].0, Channel::Email);
    assert_eq!(
        (s.by_channel[0].1.count, s.by_channel[0].1.median_seconds),
        (2, Some(2400))
    );
    assert_eq!(s.by_user[0].0, kam.user_id, "most answers first");
    assert_eq!((s.by_user[0].1.count, s.by_user[0].1.mean_seconds), (2, Some(2400)));
    assert_eq!(
        s.by_user[1],
        (admin.user_id, bilan_domain::timeline::ResponseFigures::of(&[1800]))
    );
    let s = tl::response_stats(&t.app, &admin, &q(Some(c), Some("téléphone"), None, None))
        .await
        .unwrap();
    assert_eq!((s.count, s.median_seconds), (1, Some(1800)));
    let s = tl::response_stats(&t.app, &admin, &q(None, None, Some(kam.user_id), Some("2026-11-03")))
        .await
        .unwrap();
    assert_eq!(s.count, 2);
    let s = tl::response_stats(&t.app, &admin, &q(None, None, None, Some("2026-11-04")))
        .await
        .unwrap();
    assert_eq!(s.count, 0);
    let all = tl::response_stats(&t.app, &admin, &ResponseQuery::default())
        .await
        .unwrap();
    assert_eq!(all.count, 3 + 3, "i1, i2, i4 and the Gamma requests, i3 became a reply");
});

db_test!(follow_ups_due_overdue_and_done, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    let viewer = t.with_user(Role::Viewer).await;
    let a = account(&t, &admin, "Alpha").await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let promise = |due: &str, owner: &Actor, what: &str| {
        let mut x = ix(a, "2026-11-19 10:00", "meeting", "out");
        x.follow_up_what = Some(what.into());
        x.follow_up_due = Some(due.into());
        x.follow_up_user_id = Some(owner.user_id.to_string());
        x
    };
    let late = log(&t, &admin, promise("2026-11-20", &kam, "Envoyer l'offre")).await;
    log(&t, &admin, promise("2026-11-23", &kam, "Rappeler l'acheteur")).await;
    log(&t, &admin, promise("2026-11-30", &kam, "Point d'étape")).await;
    log(&t, &admin, promise("2026-12-01", &kam, "Plus tard")).await;
    log(&t, &admin, promise("2026-11-24", &admin, "Pas pour kam")).await;
    let plain = log(&t, &admin, ix(a, "2026-11-19 11:00", "email", "out")).await;

    let mine = tl::my_follow_ups(&t.app, &kam, today).await.unwrap();
    let whats = |v: &[bilan_db::timeline::FollowUpItem]| {
        v.iter()
            .map(|i| i.interaction.follow_up.clone().unwrap().what)
            .collect::<Vec<_>>()
    };
    assert_eq!(whats(&mine.overdue), vec!["Envoyer l'offre"]);
    assert_eq!(whats(&mine.due_soon), vec!["Rappeler l'acheteur", "Point d'étape"]);
    assert_eq!(mine.overdue[0].account_name, "Alpha");

    assert!(matches!(
        tl::complete_follow_up(&t.app, &viewer, late.id).await,
        Err(AppError::Forbidden)
    ));
    let done = tl::complete_follow_up(&t.app, &admin, late.id).await.unwrap();
    assert_eq!(done.follow_up.clone().unwrap().done_at, Some(t.app.now()));
    assert_eq!(done.version, 2);
    let again = tl::complete_follow_up(&t.app, &admin, late.id).await.unwrap();
    assert_eq!(again.version, 2, "completing twice changes nothing");
    assert!(tl::my_follow_ups(&t.app, &kam, today).await.unwrap().overdue.is_empty());
    assert!(matches!(
        tl::complete_follow_up(&t.app, &admin, plain.id).await,
        Err(AppError::Conflict(_))
    ));

    // Editing keeps the done mark; removing the follow-up removes it.
    let mut edit = done.to_input();
    edit.subject = Some("Offre envoyée".into());
    let edited = tl::update_interaction(&t.app, &admin, late.id, 2, &edit).await.unwrap();
    assert!(edited.follow_up.clone().unwrap().done_at.is_some());
    let mut edit = edited.to_input();
    edit.follow_up_what = None;
    edit.follow_up_due = None;
    edit.follow_up_user_id = None;
    let edited = tl::update_interaction(&t.app, &admin, late.id, 3, &edit).await.unwrap();
    assert_eq!(edited.follow_up, None);
    assert_eq!(
        tl::my_follow_ups(&t.app, &viewer, today).await.unwrap().due_soon.len(),
        0,
        "a viewer reads their own (empty) list"
    );
});

db_test!(batch_all_or_nothing_and_external_ref_dedup, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let a = account(&t, &admin, "Alpha").await;
    let bad = vec![
        ix(a, "2026-11-02 09:00", "email", "in"),
        ix(a, "2026-11-02 09:05", "pigeon", "in"),
        ix(a, "2026-11-02 09:10", "email", "out"),
        ix(Uuid::now_v7(), "2026-11-02 09:15", "email", "in"),
        ix(a, "2026-11-02 09:20", "email", "sideways"),
    ];
    let got = fields(tl::log_batch(&t.app, &admin, &bad).await.unwrap_err());
    assert_eq!(
        got,
        vec![
            ("items.1.channel".into(), "channel.invalid".into()),
            ("items.3.account_id".into(), "account.unknown".into()),
            ("items.4.direction".into(), "direction.invalid".into())
        ]
    );
    assert!(
        walk(&t, &admin, a, TimelineQuery::default()).await.is_empty(),
        "nothing written"
    );
    let too_many = vec![ix(a, "2026-11-02 09:00", "email", "in"); tl::BATCH_MAX + 1];
    assert_eq!(
        fields(tl::log_batch(&t.app, &admin, &too_many).await.unwrap_err()),
        vec![("items".into(), "batch.too_large".into())]
    );

    let with_ref = |at: &str, dir: &str, r: Option<&str>| {
        let mut x = ix(a, at, "email", dir);
        x.external_ref = r.map(str::to_owned);
        x
    };
    let batch = vec![
        with_ref("2026-11-02 09:00", "in", Some("<1@client.example>")),
        with_ref("2026-11-02 10:00", "out", Some("<2@client.example>")),
        with_ref("2026-11-02 09:00", "in", Some("<1@client.example>")),
        with_ref("2026-11-02 11:00", "in", None),
    ];
    let first = tl::log_batch(&t.app, &admin, &batch).await.unwrap();
    assert_eq!((first.inserted, first.skipped_duplicates), (3, 1));
    assert_eq!(first.items[2].id, first.items[0].id);
    assert!(first.items[2].duplicate && !first.items[0].duplicate);
    let answered = get(&t, &admin, first.items[0].id).await;
    assert_eq!(
        (answered.answered_by, answered.response_seconds),
        (Some(first.items[1].id), Some(3600)),
        "first responses are computed within the batch"
    );
    let again = tl::log_batch(&t.app, &admin, &batch).await.unwrap();
    assert_eq!(
        (again.inserted, again.skipped_duplicates),
        (1, 3),
        "only the item without a reference"
    );
    assert_eq!(again.items[0].id, first.items[0].id);
    assert_eq!(walk(&t, &admin, a, TimelineQuery::default()).await.len(), 4);
    assert!(matches!(
        tl::log_interaction(&t.app, &admin, &batch[1]).await,
        Err(AppError::Duplicate { field }) if field == "external_ref"
    ));
    let empty = tl::log_batch(&t.app, &admin, &[]).await.unwrap();
    assert_eq!((empty.inserted, empty.items.len()), (0, 0));
});

db_test!(text_search_ignores_accents_and_case, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let a = account(&t, &admin, "Alpha").await;
    let mut claim = ix(a, "2026-11-02 09:00", "email", "in");
    claim.subject = Some("Réclamation qualité".into());
    claim.summary = Some("L'usine de Lyon signale un défaut sur le lot 4711.".into());
    let claim = log(&t, &admin, claim).await;
    let mut renewal = ix(a, "2026-11-03 09:00", "meeting", "out");
    renewal.summary = Some("Renouvellement du contrat évoqué".into());
    renewal.tags = Some("Énergie".into());
    log(&t, &admin, renewal).await;
    let search = |q: &str| {
        let q = TimelineQuery {
            q: Some(q.into()),
            ..Default::default()
        };
        let (app, admin) = (t.app.clone(), admin.clone());
        async move {
            tl::timeline(&app, &admin, a, &q)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|i| i.channel)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("reclamation").await, vec![Channel::Email]);
    assert_eq!(search("DÉFAUT usine").await, vec![Channel::Email]);
    assert_eq!(search("4711").await, vec![Channel::Email]);
    assert_eq!(search("energie").await, vec![Channel::Meeting], "tags are searchable");
    assert_eq!(search("renouv").await, vec![Channel::Meeting], "word prefixes match");
    assert!(search("lyon renouvellement").await.is_empty(), "every word must match");
    assert!(search("\"*) OR 1=1 --").await.is_empty(), "query syntax is neutralised");

    let mut edit = claim.to_input();
    edit.summary = Some("Problème d'étiquetage à Marseille".into());
    tl::update_interaction(&t.app, &admin, claim.id, 1, &edit)
        .await
        .unwrap();
    assert!(search("lyon").await.is_empty(), "the old text is gone from the index");
    assert_eq!(search("etiquetage").await, vec![Channel::Email]);
    tl::delete_interaction(&t.app, &admin, claim.id).await.unwrap();
    assert!(search("marseille").await.is_empty());
});

db_test!(roles_who_may_log, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let a = account(&t, &admin, "Alpha").await;
    let viewer = t.with_user(Role::Viewer).await;
    let x = ix(a, "2026-11-02 09:00", "email", "in");
    assert!(matches!(
        tl::log_interaction(&t.app, &viewer, &x).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        tl::log_batch(&t.app, &viewer, std::slice::from_ref(&x)).await,
        Err(AppError::Forbidden)
    ));
    for role in [Role::Manager, Role::AccountManager, Role::Finance, Role::Support] {
        let who = t.with_user(role).await;
        log(&t, &who, x.clone()).await;
    }
    let logged = walk(&t, &viewer, a, TimelineQuery::default()).await;
    assert_eq!(logged.len(), 4, "a viewer reads the timeline");
    for r in [
        tl::delete_interaction(&t.app, &viewer, logged[0].id).await,
        tl::link_answer(&t.app, &viewer, logged[0].id, logged[1].id)
            .await
            .map(|_| ()),
        tl::update_interaction(&t.app, &viewer, logged[0].id, 1, &x)
            .await
            .map(|_| ()),
    ] {
        assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
    }
    assert!(tl::response_stats(&t.app, &viewer, &ResponseQuery::default())
        .await
        .is_ok());
});

db_test!(large_timeline_stays_index_ordered, |t| async move {
    use bilan_db::timeline::{self as store, InteractionRow, TimelineFilter};
    let admin = t.with_user(Role::Admin).await;
    let a = account(&t, &admin, "Big").await;
    let who = contact(&t, &admin, a, "Client").await;
    let ws = admin.workspace_id;
    let n = 20_000usize;
    let base = utc("2024-01-01T00:00:00Z");
    // (row, its (workspace, interaction, contact) links)
    type RowWithLinks = (InteractionRow, Vec<(Uuid, Uuid, Uuid)>);
    let rows: Vec<RowWithLinks> = (0..n)
        .map(|i| {
            let mut x = ix(
                a,
                &(base + chrono::Duration::minutes(i as i64 * 17)).to_rfc3339(),
                ["email", "phone", "portal"][i % 3],
                if i % 2 == 0 { "in" } else { "out" },
            );
            x.subject = Some(format!("Échange numéro {i}"));
            x.summary = Some("Le client demande un point sur la livraison et la facturation du trimestre.".into());
            let new = x.validate().unwrap();
            let row = InteractionRow::from_new(bilan_db::new_id(), ws, admin.user_id, &new, t.app.now());
            let links = if i % 10 == 0 { vec![(ws, row.id, who)] } else { vec![] };
            (row, links)
        })
        .collect();
    let started = std::time::Instant::now();
    let mut tx = t.app.db.begin().await.unwrap();
    for chunk in rows.chunks(1000) {
        let (r, l): (Vec<_>, Vec<_>) = chunk.iter().cloned().unzip();
        let l: Vec<_> = l.into_iter().flatten().collect();
        store::insert_rows(&mut tx.conn(), &r, &l).await.unwrap();
    }
    let inserted = started.elapsed();
    let answered = store::refresh_window(&mut tx.conn(), ws, a, None, None).await.unwrap();
    tx.commit().await.unwrap();
    eprintln!(
        "{:?}: {n} interactions stored in {inserted:?} ({:.0}/s, debug build), \
         first responses of the whole timeline in {:?}",
        t.engine,
        n as f64 / inserted.as_secs_f64(),
        started.elapsed() - inserted
    );
    assert_eq!(
        answered,
        n / 2,
        "every inbound is followed by an outbound 17 minutes later"
    );

    // Through the use case too (validation, reference checks, audit, first responses).
    let batch: Vec<InteractionInput> = (0..1000)
        .map(|i| {
            let at = utc("2026-01-01T00:00:00Z") + chrono::Duration::minutes(i);
            ix(a, &at.to_rfc3339(), "email", if i % 2 == 0 { "in" } else { "out" })
        })
        .collect();
    let started = std::time::Instant::now();
    tl::log_batch(&t.app, &admin, &batch).await.unwrap();
    eprintln!(
        "{:?}: log_batch of 1000 in {:?} (debug build)",
        t.engine,
        started.elapsed()
    );

    // Pages near the start and deep in the timeline.
    let mut q = TimelineQuery {
        limit: Some(50),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let first = tl::timeline(&t.app, &admin, a, &q).await.unwrap();
    let deep = rows[100].0.clone();
    q.cursor = Some(
        bilan_domain::pagination::Cursor {
            key: deep.occurred_at.to_rfc3339(),
            id: deep.id.to_string(),
        }
        .encode(),
    );
    let page = tl::timeline(&t.app, &admin, a, &q).await.unwrap();
    eprintln!("{:?}: two timeline pages in {:?}", t.engine, started.elapsed());
    assert_eq!(first.items.len(), 50);
    assert_eq!(page.items.len(), 50);
    assert_eq!(page.items[0].id, rows[99].0.id);
    q.contact = Some(who.to_string());
    let with_contact = tl::timeline(&t.app, &admin, a, &q).await.unwrap();
    assert_eq!(with_contact.items[0].id, rows[90].0.id);

    let mut pc = t.app.db.acquire().await.unwrap();
    for (label, filter) in [
        ("plain", TimelineFilter::default()),
        (
            "by direction",
            TimelineFilter {
                direction: Some(Direction::Inbound),
                ..Default::default()
            },
        ),
        (
            "by channel",
            TimelineFilter {
                channel: Some(Channel::Portal),
                ..Default::default()
            },
        ),
    ] {
        let plan = store::explain_timeline(&mut pc.conn(), ws, a, &filter, Some((deep.occurred_at, deep.id)), 50)
            .await
            .unwrap();
        eprintln!("{:?} {label}: {plan:#?}", t.engine);
        if t.engine == bilan_db::Engine::Sqlite {
            assert!(
                plan.iter().any(|l| l.contains("USING INDEX interactions_")),
                "{label}: {plan:?}"
            );
            assert!(
                !plan.iter().any(|l| l.contains("TEMP B-TREE")),
                "{label}: no sort: {plan:?}"
            );
        }
    }
});

/// A small deterministic generator, so a failure replays identically.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

db_test!(incremental_first_responses_match_a_full_recomputation, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    for seed in [42, 7, 2026] {
        check_incremental_first_responses(&t, &admin, seed).await;
    }
});

/// Logs random batches and single interactions on a fresh account and checks every
/// inbound's answer against a recomputation of the whole timeline after each.
async fn check_incremental_first_responses(t: &TestApp, admin: &Actor, seed: u64) {
    let acc = account(t, admin, &format!("Incremental {seed}")).await;
    let mut rng = Lcg(seed);
    // Batches and single logs out of order, with many ties, so additions land
    // before, between, at and after the instants already stored.
    for round in 0..12 {
        let size = if round % 3 == 2 { 1 } else { 1 + rng.next(40) as usize };
        let items: Vec<InteractionInput> = (0..size)
            .map(|_| {
                let minute = rng.next(240);
                let dir = if rng.next(2) == 0 { "inbound" } else { "outbound" };
                ix(
                    acc,
                    &format!("2025-03-10T{:02}:{:02}:00Z", 8 + minute / 60, minute % 60),
                    "email",
                    dir,
                )
            })
            .collect();
        if size == 1 {
            log(t, admin, items[0].clone()).await;
        } else {
            tl::log_batch(&t.app, admin, &items).await.unwrap();
        }
        assert_answers_recomputed(t, admin, acc, &format!("seed {seed}, round {round}")).await;
    }
}

/// Every inbound of the account has the answer a recomputation of its whole
/// timeline gives.
async fn assert_answers_recomputed(t: &TestApp, admin: &Actor, acc: Uuid, label: &str) {
    let all = walk(
        t,
        admin,
        acc,
        TimelineQuery {
            limit: Some(200),
            ..Default::default()
        },
    )
    .await;
    let events: Vec<_> = all.iter().map(|i| (i.id, i.direction, i.occurred_at, None)).collect();
    let want: std::collections::HashMap<Uuid, (Uuid, i64)> = bilan_domain::timeline::first_responses(&events)
        .into_iter()
        .map(|(i, o, s)| (i, (o, s)))
        .collect();
    for i in all.iter().filter(|i| i.direction == Direction::Inbound) {
        let got = i.answered_by.zip(i.response_seconds);
        assert_eq!(got, want.get(&i.id).copied(), "{label}: inbound at {}", i.occurred_at);
    }
}

db_test!(
    a_batch_spanning_a_long_stored_history_still_answers_right,
    |t| async move {
        // More stored rows in the batch's window than are read back before an insert
        // (2,000), so the answers go through the set-based path instead.
        let admin = t.with_user(Role::Admin).await;
        let acc = account(&t, &admin, "Long history").await;
        let start = utc("2025-01-06T08:00:00Z");
        let at = |minutes: i64| (start + chrono::Duration::minutes(minutes)).to_rfc3339();
        for batch in 0..3 {
            let items: Vec<InteractionInput> = (0..800)
                .map(|i| {
                    let n = batch * 800 + i;
                    let dir = if n % 3 == 0 { "outbound" } else { "inbound" };
                    ix(acc, &at(10 * n + 5), "email", dir)
                })
                .collect();
            tl::log_batch(&t.app, &admin, &items).await.unwrap();
        }
        assert_answers_recomputed(&t, &admin, acc, "stored history").await;
        // Outbounds in the middle and at the start, inbounds before and after them.
        let span = vec![
            ix(acc, &at(1), "email", "inbound"),
            ix(acc, &at(3), "phone", "outbound"),
            ix(acc, &at(10 * 1200 + 7), "email", "outbound"),
            ix(acc, &at(10 * 1200 + 6), "email", "inbound"),
            ix(acc, &at(10 * 2400 + 1), "email", "inbound"),
        ];
        tl::log_batch(&t.app, &admin, &span).await.unwrap();
        assert_answers_recomputed(&t, &admin, acc, "after a batch over the whole history").await;
    }
);
