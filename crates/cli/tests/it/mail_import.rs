//! E-mail import: matching by address and domain, unmatched messages, re-imports,
//! mbox errors, and the API route and page.

use crate::{danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_app::mail_import::{import_mail, MailImportOptions, MailImportReport};
use bilan_app::timeline::timeline;
use bilan_app::Actor;
use bilan_domain::roles::Role;
use bilan_domain::timeline::{Direction, Interaction};
use bilan_testkit::db_test;
use bilan_testkit::http::send;
use bilan_testkit::TestApp;
use uuid::Uuid;

/// A minimal message.
fn eml(from: &str, to: &str, id: &str, subject: &str, date: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour,\r\nvoici le point sur la livraison.\r\n"
    )
}

async fn items(t: &TestApp, actor: &Actor, account: Uuid) -> Vec<Interaction> {
    timeline(&t.app, actor, account, &Default::default())
        .await
        .unwrap()
        .items
}

async fn import(t: &TestApp, actor: &Actor, bytes: &str, account: Option<Uuid>) -> MailImportReport {
    let opts = MailImportOptions {
        account_id: account,
        ..Default::default()
    };
    import_mail(&t.app, actor, bytes.as_bytes(), &opts).await.unwrap()
}

db_test!(mail_matches_contacts_and_domains, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let marie = crate::contact(&t, &admin, acc.id, "Durand", "marie@danone.fr").await;

    // Inbound from a known contact: onto her account, with her linked.
    let inbound = eml(
        "Marie Durand <Marie@Danone.fr>",
        &admin.email,
        "m1@danone.fr",
        "Retard de livraison",
        "Fri, 20 Nov 2026 09:00:00 +0100",
    );
    let r = import(&t, &admin, &inbound, None).await;
    assert_eq!((r.total, r.imported, r.duplicates), (1, 1, 0), "{r:?}");
    assert!(r.committed && r.unmatched.is_empty() && r.refused.is_empty());
    // A complaint received by e-mail is opened from the message it became.
    assert_eq!(r.messages.len(), 1);
    assert!(r.messages[0].inbound);
    let prefilled = bilan_app::complaints::input_from_interaction(&t.app, &admin, r.messages[0].interaction_id)
        .await
        .unwrap();
    assert_eq!(prefilled.account_id, Some(acc.id.to_string()));
    assert_eq!(prefilled.contact_id, Some(marie.to_string()));
    assert_eq!(prefilled.channel.as_deref(), Some("email"));
    assert_eq!(prefilled.received_on.as_deref(), Some("2026-11-20"));
    let tl = items(&t, &admin, acc.id).await;
    assert_eq!(tl.len(), 1);
    assert_eq!(tl[0].direction, Direction::Inbound);
    assert_eq!(tl[0].contact_ids, vec![marie]);
    assert_eq!(tl[0].subject.as_deref(), Some("Retard de livraison"));
    assert_eq!(tl[0].tags, vec!["email".to_owned()]);
    assert_eq!(tl[0].external_ref.as_deref(), Some("m1@danone.fr"));
    assert!(tl[0].summary.as_deref().unwrap().contains("livraison"));

    // Re-import: de-duplicated by Message-ID.
    let again = import(&t, &admin, &inbound, None).await;
    assert_eq!((again.imported, again.duplicates), (0, 1));
    assert_eq!(items(&t, &admin, acc.id).await.len(), 1);

    // Outbound from a user to the client: matched by recipient, the user is the author.
    let colleague = t.with_user(Role::AccountManager).await;
    let outbound = eml(
        &colleague.email,
        "marie@danone.fr",
        "m2@acme.test",
        "Re: Retard de livraison",
        "Fri, 20 Nov 2026 11:30:00 +0100",
    );
    let r = import(&t, &admin, &outbound, None).await;
    assert_eq!(r.imported, 1, "{r:?}");
    let tl = items(&t, &admin, acc.id).await;
    assert_eq!(tl[0].direction, Direction::Outbound);
    assert_eq!(tl[0].user_id, colleague.user_id);
    assert_eq!(tl[0].contact_ids, vec![marie]);

    // Unknown sender with the client's domain: the account by domain, no contact.
    let by_domain = eml(
        "paul@danone.fr",
        &admin.email,
        "m3@danone.fr",
        "Question facture",
        "Sat, 21 Nov 2026 08:00:00 +0000",
    );
    let r = import(&t, &admin, &by_domain, None).await;
    assert_eq!(r.imported, 1, "{r:?}");
    let tl = items(&t, &admin, acc.id).await;
    assert_eq!(tl.len(), 3);
    assert!(tl[0].contact_ids.is_empty());

    // A gmail sender nobody knows: listed, not imported; with an account given, imported.
    let gmail = eml(
        "inconnu@gmail.com",
        &admin.email,
        "m4@gmail.com",
        "Demande de devis",
        "Sun, 22 Nov 2026 10:00:00 +0000",
    );
    let r = import(&t, &admin, &gmail, None).await;
    assert_eq!(r.imported, 0);
    assert!(!r.committed);
    assert_eq!(r.unmatched.len(), 1);
    assert_eq!(r.unmatched[0].from.as_deref(), Some("inconnu@gmail.com"));
    assert_eq!(r.unmatched[0].subject.as_deref(), Some("Demande de devis"));
    assert_eq!(r.unmatched[0].addresses, vec!["inconnu@gmail.com".to_owned()]);
    assert_eq!(items(&t, &admin, acc.id).await.len(), 3);
    let r = import(&t, &admin, &gmail, Some(acc.id)).await;
    assert_eq!(r.imported, 1);
    assert_eq!(items(&t, &admin, acc.id).await.len(), 4);

    // A domain shared by two accounts' contacts matches neither.
    let other = bilan_app::accounts::create_account(
        &t.app,
        &admin,
        &bilan_domain::accounts::AccountInput {
            name: Some("Danone Eaux".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    crate::contact(&t, &admin, other.id, "Martin", "luc@danone.fr").await;
    let ambiguous = eml(
        "zoe@danone.fr",
        &admin.email,
        "m5@danone.fr",
        "Bonjour",
        "Sun, 22 Nov 2026 11:00:00 +0000",
    );
    let r = import(&t, &admin, &ambiguous, None).await;
    assert_eq!((r.imported, r.unmatched.len()), (0, 1));
});

db_test!(mbox_reports_bad_messages_and_dry_runs, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    crate::contact(&t, &admin, acc.id, "Durand", "marie@danone.fr").await;
    let one = eml(
        "marie@danone.fr",
        &admin.email,
        "b1@danone.fr",
        "Un",
        "Fri, 20 Nov 2026 09:00:00 +0000",
    );
    let two = eml(
        "marie@danone.fr",
        &admin.email,
        "b2@danone.fr",
        "Deux",
        "Fri, 20 Nov 2026 10:00:00 +0000",
    );
    let mbox = format!(
        "From marie@danone.fr Fri Nov 20 09:00:00 2026\n{one}\nFrom x Fri Nov 20 09:30:00 2026\n\
         \u{1}\u{2} pas un message du tout\n\nFrom marie@danone.fr Fri Nov 20 10:00:00 2026\n{two}\n"
    );
    let dry = import_mail(
        &t.app,
        &admin,
        mbox.as_bytes(),
        &MailImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!((dry.total, dry.imported, dry.committed), (3, 2, false), "{dry:?}");
    assert_eq!(dry.refused.len(), 1);
    assert_eq!(dry.refused[0].index, 2);
    assert_eq!(dry.refused[0].code, "mail.not_a_message");
    assert!(items(&t, &admin, acc.id).await.is_empty(), "a dry run writes nothing");
    let r = import(&t, &admin, &mbox, None).await;
    assert_eq!((r.total, r.imported, r.refused.len()), (3, 2, 1));
    assert_eq!(items(&t, &admin, acc.id).await.len(), 2);

    // A message without a date is refused; an unreadable .eml is an error.
    let undated = "From: marie@danone.fr\r\nSubject: Sans date\r\nMessage-ID: <nd@x>\r\n\r\nTexte\r\n";
    let r = import(&t, &admin, undated, None).await;
    assert_eq!(r.refused[0].code, "mail.no_date");
    let err = import_mail(&t.app, &admin, b"pas un e-mail", &MailImportOptions::default())
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("mail.not_a_message"), "{err:?}");

    // A viewer may not import.
    let viewer = t.with_user(Role::Viewer).await;
    let denied = import_mail(&t.app, &viewer, one.as_bytes(), &MailImportOptions::default()).await;
    assert!(matches!(denied, Err(bilan_app::AppError::Forbidden)));
});

db_test!(mail_import_over_the_api_and_pages, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    crate::contact(&t, &admin, acc.id, "Durand", "marie@danone.fr").await;
    let known = eml(
        "marie@danone.fr",
        &admin.email,
        "a1@danone.fr",
        "Commande",
        "Fri, 20 Nov 2026 09:00:00 +0000",
    );
    let post = |path: String, token: &str, body: String| {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "message/rfc822")
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let dry = send(
        &router,
        post("/api/v1/imports/emails?dry_run=true".into(), &token, known.clone()),
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(dry.json()["imported"], 1);
    assert_eq!(dry.json()["committed"], false);
    let ok = send(&router, post("/api/v1/imports/emails".into(), &token, known.clone())).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["imported"], 1);
    assert_eq!(ok.json()["committed"], true);
    let stranger = eml(
        "qui@gmail.com",
        &admin.email,
        "a2@gmail.com",
        "Devis",
        "Fri, 20 Nov 2026 10:00:00 +0000",
    );
    let un = send(&router, post("/api/v1/imports/emails".into(), &token, stranger.clone())).await;
    assert_eq!(un.json()["unmatched"][0]["from"], "qui@gmail.com");
    assert_eq!(un.json()["unmatched"][0]["index"], 1);
    let forced = send(
        &router,
        post(
            format!("/api/v1/imports/emails?account={}", acc.id),
            &token,
            stranger.clone(),
        ),
    )
    .await;
    assert_eq!(forced.json()["imported"], 1, "{}", forced.body);
    let bad = send(
        &router,
        post("/api/v1/imports/emails".into(), &token, "n'importe quoi".into()),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let viewer = t.with_user(Role::Viewer).await;
    let vt = t.token_for(&viewer).await;
    let denied = send(&router, post("/api/v1/imports/emails".into(), &vt, known.clone())).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    // The pages: the form (with the account from its page), then the report.
    let mut c = logged_in(&t, &admin).await;
    let form = c.get(&format!("/import/mail?account={}", acc.id)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(&format!("name=\"account\" value=\"{}\"", acc.id)),
        "{}",
        form.body
    );
    let page = c.get(&format!("/accounts/{}", acc.id)).await;
    assert!(
        page.body.contains("/import/mail?account="),
        "the account page links to the import"
    );
    let boundary = "XBOUNDARY";
    let mbox = format!(
        "From marie@danone.fr Fri Nov 20 09:00:00 2026\n{known}\nFrom x Sat Nov 21 09:00:00 2026\n{}\n",
        eml(
            "lea@yahoo.fr",
            &admin.email,
            "p2@yahoo.fr",
            "Réclamation",
            "Sat, 21 Nov 2026 09:00:00 +0000"
        )
    );
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"boite.mbox\"\r\n\
         Content-Type: application/mbox\r\n\r\n{mbox}\r\n--{boundary}--\r\n"
    );
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/import/mail?_csrf={}", c.csrf))
        .header("cookie", c.cookie_header())
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let report = send(&t.router(), req).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert!(report.body.contains("id=\"unmatched\""), "{}", report.body);
    assert!(report.body.contains("lea@yahoo.fr") && report.body.contains("Réclamation"));
    assert!(
        report.body.contains("<b id=\"mail-duplicates\">1</b>"),
        "{}",
        report.body
    );
    let vc = logged_in(&t, &viewer).await;
    let mut vc = vc;
    assert_eq!(vc.get("/import/mail").await.status, StatusCode::FORBIDDEN);
});

db_test!(
    mail_from_an_unknown_person_lands_on_the_account_of_its_web_domain,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let mut input = danone();
        input.website = Some("https://www.danone.com/".into());
        let acc = bilan_app::accounts::create_account(&t.app, &admin, &input)
            .await
            .unwrap();
        assert_eq!(acc.website.as_deref(), Some("danone.com"));
        // Nobody at danone.com is a contact yet: the account's own domain says whose it is.
        let inbound = eml(
            "Paul Neuf <paul.neuf@danone.com>",
            &admin.email,
            "n1@danone.com",
            "Première commande",
            "Fri, 20 Nov 2026 09:00:00 +0100",
        );
        let r = import(&t, &admin, &inbound, None).await;
        assert_eq!((r.total, r.imported), (1, 1), "{r:?}");
        assert!(r.unmatched.is_empty());
        assert_eq!(items(&t, &admin, acc.id).await.len(), 1);
    }
);
