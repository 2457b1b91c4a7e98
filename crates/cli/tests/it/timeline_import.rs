//! CSV import of interactions on both engines: accounts found by SIREN, name or
//! reference, people by e-mail, refused lines reported at their column, all or
//! nothing, re-import without duplicates, first responses and audit entries;
//! the same import through the page, the API and the CLI contract.

use axum::http::{Method, StatusCode};
use bilan_app::imports::{import_interactions, ImportOptions, ImportReport};
use bilan_app::timeline::{self as tl, TimelineQuery};
use bilan_app::{Actor, App};
use bilan_db::audit::AuditScope;
use bilan_domain::accounts::AccountInput;
use bilan_domain::roles::Role;
use bilan_domain::timeline::{Channel, Direction, Interaction};
use bilan_testkit::http::{api, send};
use bilan_testkit::{db_test, TestApp};
use uuid::Uuid;

async fn account(t: &TestApp, actor: &Actor, name: &str, siren: Option<&str>) -> Uuid {
    let input = AccountInput {
        name: Some(name.into()),
        siren: siren.map(str::to_owned),
        ..Default::default()
    };
    bilan_app::accounts::create_account(&t.app, actor, &input)
        .await
        .unwrap()
        .id
}

async fn history(app: &App, actor: &Actor, account: Uuid) -> Vec<Interaction> {
    let q = TimelineQuery {
        limit: Some(200),
        ..Default::default()
    };
    tl::timeline(app, actor, account, &q).await.unwrap().items
}

fn rejected(r: &ImportReport) -> Vec<(usize, Option<&str>, &str)> {
    r.rejected
        .iter()
        .map(|x| (x.line, x.column.as_deref(), x.code.as_str()))
        .collect()
}

fn file(kam: &str) -> String {
    format!(
        "Date;Canal;Sens;Compte;Commercial;Interlocuteurs;Objet;Compte rendu;Référence\n\
         03/02/2025 09:00;E-mail;entrant;552032534;;jean@danone.fr;Retard de livraison;Où en est la commande ?;A-1\n\
         03/02/2025 11:30;Appel;sortant;Danone;{kam};jean@danone.fr, lea@danone.fr;Rappel;Livraison jeudi;A-2\n\
         10/02/2025 15:00;Réunion;sortant;Atelier Dupont;{kam};;Revue trimestrielle;;A-3\n"
    )
}

db_test!(imports_a_file_onto_the_timelines, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    let danone = account(&t, &admin, "Danone", Some("552032534")).await;
    let dupont = account(&t, &admin, "Atelier Dupont", None).await;
    let jean = crate::contact(&t, &admin, danone, "Martin", "jean@danone.fr").await;
    let lea = crate::contact(&t, &admin, danone, "Roux", "lea@danone.fr").await;
    let csv = file(&kam.email);
    let r = import_interactions(&t.app, &admin, csv.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!((r.total_lines, r.created, r.unchanged, r.committed), (3, 3, 0, true));
    let d = history(&t.app, &admin, danone).await;
    assert_eq!(d.len(), 2);
    let (call, mail) = (&d[0], &d[1]);
    assert_eq!((call.channel, call.direction), (Channel::Phone, Direction::Outbound));
    assert_eq!(call.user_id, kam.user_id);
    assert_eq!(call.contact_ids, vec![jean, lea]);
    assert_eq!((mail.channel, mail.direction), (Channel::Email, Direction::Inbound));
    assert_eq!(mail.user_id, admin.user_id, "no person given: the importer");
    // The call answered the e-mail two and a half hours later.
    assert_eq!(mail.response_seconds, Some(9_000));
    assert_eq!(mail.answered_by, Some(call.id));
    assert_eq!(history(&t.app, &admin, dupont).await.len(), 1);
    // Every imported exchange is in the audit trail.
    let audit = bilan_app::audit::history(&t.app, &admin, AuditScope::Record(call.id), None, 10)
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
    assert_eq!(audit.items[0].action, "create");
    // The same file again writes nothing and says so.
    let again = import_interactions(&t.app, &admin, csv.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((again.created, again.unchanged, again.committed), (0, 3, true));
    assert_eq!(history(&t.app, &admin, danone).await.len(), 2);
});

db_test!(
    refused_lines_name_their_column_and_nothing_is_half_written,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let danone = account(&t, &admin, "Danone", Some("552032534")).await;
        crate::contact(&t, &admin, danone, "Martin", "jean@danone.fr").await;
        account(&t, &admin, "Homonyme", None).await;
        account(&t, &admin, "Homonyme", None).await;
        let csv = "Date;Canal;Compte;Commercial;Contacts;Ref\n\
               03/02/2025 09:00;Appel;Danone;;jean@danone.fr;ok\n\
               03/02/2025 09:00;Appel;Inconnue SA;;;r1\n\
               03/02/2025 09:00;Appel;Danone;personne@bilan.test;;r2\n\
               03/02/2025 09:00;Appel;Danone;;inconnu@danone.fr;r3\n\
               03/02/2025 09:00;Appel;Homonyme;;;r4\n\
               03/02/2099 09:00;Appel;Danone;;;r5\n";
        let r = import_interactions(&t.app, &admin, csv.as_bytes(), &ImportOptions::default())
            .await
            .unwrap();
        assert_eq!(
            rejected(&r),
            vec![
                (3, Some("Compte"), "account.unknown"),
                (4, Some("Commercial"), "user.unknown"),
                (5, Some("Contacts"), "contact.unknown"),
                (6, Some("Compte"), "account.ambiguous"),
                (7, Some("Date"), "datetime.future"),
            ]
        );
        assert!(!r.committed);
        assert!(history(&t.app, &admin, danone).await.is_empty(), "all or nothing");
        let opts = ImportOptions {
            skip_invalid: true,
            ..Default::default()
        };
        let r = import_interactions(&t.app, &admin, csv.as_bytes(), &opts)
            .await
            .unwrap();
        assert_eq!((r.created, r.committed), (1, true));
        assert_eq!(history(&t.app, &admin, danone).await.len(), 1);
        // A dry run reports and writes nothing.
        let dry = ImportOptions {
            dry_run: true,
            skip_invalid: true,
            ..Default::default()
        };
        let csv2 = "Date;Canal;Compte;Ref\n04/02/2025 09:00;Visite;Danone;new\n";
        let r = import_interactions(&t.app, &admin, csv2.as_bytes(), &dry)
            .await
            .unwrap();
        assert_eq!((r.created, r.committed), (1, false));
        assert_eq!(history(&t.app, &admin, danone).await.len(), 1);
    }
);

db_test!(one_account_for_the_whole_file_and_roles, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let other = t.user_in("other", Role::Admin).await;
    let mine = account(&t, &admin, "Danone", None).await;
    let theirs = account(&t, &other, "Ailleurs", None).await;
    let csv = "Date;Canal\n03/02/2025 09:00;Appel\n";
    let opts = ImportOptions {
        account_id: Some(mine),
        ..Default::default()
    };
    let r = import_interactions(&t.app, &admin, csv.as_bytes(), &opts)
        .await
        .unwrap();
    assert_eq!(r.created, 1);
    // The chosen account also takes lines whose account column is empty.
    let with_column = "Date;Canal;Compte\n04/02/2025 09:00;Appel;\n";
    let r = import_interactions(&t.app, &admin, with_column.as_bytes(), &opts)
        .await
        .unwrap();
    assert_eq!((r.created, r.rejected.len()), (1, 0), "{:?}", r.rejected);
    // Another workspace's account is not found.
    let foreign = ImportOptions {
        account_id: Some(theirs),
        ..Default::default()
    };
    assert!(import_interactions(&t.app, &admin, csv.as_bytes(), &foreign)
        .await
        .is_err());
    assert!(history(&t.app, &other, theirs).await.is_empty());
    // Importing is for admins and managers.
    let kam = t.with_user(Role::AccountManager).await;
    let denied = import_interactions(&t.app, &kam, csv.as_bytes(), &opts).await;
    assert!(matches!(denied, Err(bilan_app::AppError::Forbidden)), "{denied:?}");
});

db_test!(api_and_page_import_interactions, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let danone = account(&t, &admin, "Danone", Some("552032534")).await;
    let token = t.token_for(&admin).await;
    let router = t.router();
    let csv = "Activity date,Activity type,Associated Company,Subject\n2025-06-02 09:15,INCOMING_EMAIL,Danone,Devis\n2025-06-02 10:00,Pigeon,Danone,x\n";
    let post = |path: &str| {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(csv))
            .unwrap()
    };
    let refused = send(&router, post("/api/v1/imports/interactions")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json()["rejected"][0]["line"], 3);
    assert_eq!(refused.json()["rejected"][0]["column"], "Activity type");
    let ok = send(&router, post("/api/v1/imports/interactions?skip_invalid=true")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["created"], 1);
    let got = history(&t.app, &admin, danone).await;
    assert_eq!(
        (got[0].direction, got[0].subject.as_deref()),
        (Direction::Inbound, Some("Devis"))
    );
    let viewer = t.with_user(Role::Viewer).await;
    let vt = t.token_for(&viewer).await;
    let denied = api(&router, Method::POST, "/api/v1/imports/interactions", &vt, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    // The import page offers the kind and previews the file with its mapping.
    let mut c = crate::logged_in(&t, &admin).await;
    let form = c.get("/import").await;
    assert!(form.body.contains("value=\"interactions\""), "{}", form.body);
    let boundary = "XBOUNDARY";
    let payload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ninteractions\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n\
         Date;Canal;Compte;Objet\r\n05/06/2025 10:00;Visite;Danone;Visite d'usine\r\n--{boundary}--\r\n"
    );
    let preview = send(
        &router,
        axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("/import/preview?_csrf={}", c.csrf))
            .header("cookie", c.cookie_header())
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(axum::body::Body::from(payload))
            .unwrap(),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("name=\"kind\" value=\"interactions\""),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("value=\"occurred_at\" selected"),
        "{}",
        preview.body
    );
    assert_eq!(
        history(&t.app, &admin, danone).await.len(),
        1,
        "a preview writes nothing"
    );
});

db_test!(long_interaction_files_stream_and_stay_all_or_nothing, |t| async move {
    // More lines than one streamed batch, and a bad line after the first batch
    // was written: nothing of the file stays; without it, every line lands.
    let admin = t.with_user(Role::Admin).await;
    let danone = account(&t, &admin, "Danone", Some("552032534")).await;
    let mut csv = String::from("Date;Canal;Sens;Compte;Objet;Référence\n");
    for i in 0..5_200 {
        csv.push_str(&format!(
            "{:02}/01/2025 {:02}:{:02};Appel;sortant;552032534;Appel {i};L-{i}\n",
            1 + i % 28,
            8 + (i / 60) % 10,
            i % 60
        ));
    }
    let bad = format!("{csv}31/01/2025 10:00;Pigeon;sortant;552032534;Mauvais canal;L-X\n");
    let r = import_interactions(&t.app, &admin, bad.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert!(!r.committed);
    assert_eq!(r.total_lines, 5_201);
    assert_eq!(rejected(&r), vec![(5_202, Some("Canal"), "channel.invalid")]);
    assert!(history(&t.app, &admin, danone).await.is_empty(), "rolled back");
    let r = import_interactions(&t.app, &admin, csv.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert!(r.committed && r.rejected.is_empty(), "{:?}", r.rejected.first());
    assert_eq!((r.total_lines, r.created), (5_200, 5_200));
});
