//! Accounts and contacts through pages and API: forms with field errors,
//! optimistic concurrency, search, filters and keyset pagination.

use crate::{danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_domain::accounts::AccountInput;
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::api;
use serde_json::json;

db_test!(form_shows_errors_at_the_field, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut c = logged_in(&t, &admin).await;
    let res = c
        .post_form(
            "/accounts",
            &[
                ("name", "Typo SA"),
                ("siren", "552032535"),
                ("renewal_date", "31/02/2026"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("The SIREN check key is wrong"), "{}", res.body);
    assert!(res.body.contains("id=\"e-siren\">The SIREN check key is wrong"));
    assert!(res.body.contains("Invalid date"));
    assert!(res.body.contains("value=\"Typo SA\""), "typed values are kept");
    assert!(bilan_app::accounts::list_accounts(&t.app, &admin, &Default::default())
        .await
        .unwrap()
        .items
        .is_empty());
});

db_test!(create_edit_and_see_the_change, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut c = logged_in(&t, &admin).await;
    let res = c
        .post_form(
            "/accounts",
            &[
                ("name", "Société Générale"),
                ("siren", "552 120 222"),
                ("annual_value", "12 345,67"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let url = res.location().unwrap();
    let page = c.get(&url).await;
    assert!(page.body.contains("Société Générale") && page.body.contains("552120222"));
    assert!(page.body.contains("12\u{202f}345,67") || page.body.contains("€12,345.67"));
    let id = url
        .trim_start_matches("/accounts/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let edit = c.get(&format!("/accounts/{id}/edit")).await;
    assert!(edit.body.contains("name=\"version\" value=\"1\""));
    let saved = c
        .post_form(
            &format!("/accounts/{id}"),
            &[
                ("name", "Société Générale SA"),
                ("siren", "552120222"),
                ("version", "1"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(c
        .get(&format!("/accounts/{id}"))
        .await
        .body
        .contains("Société Générale SA"));
    // A second edit from the stale form is refused and nothing is overwritten.
    let stale = c
        .post_form(
            &format!("/accounts/{id}"),
            &[("name", "Écrasé"), ("version", "1"), ("status", "active")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone changed this record"));
    assert!(c
        .get(&format!("/accounts/{id}"))
        .await
        .body
        .contains("Société Générale SA"));
});

db_test!(api_stale_updates_are_refused, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let created = api(
        &router,
        Method::POST,
        "/api/v1/accounts",
        &token,
        Some(json!({"name": "Acme Industrie", "siren": "552032534", "annual_value": "1500.50"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(body["version"], 1);
    assert_eq!(body["annual_value"]["amount"], "1500.50");
    assert_eq!(created.headers["etag"], "\"1\"");
    let ok = api(
        &router,
        Method::PATCH,
        &format!("/api/v1/accounts/{id}"),
        &token,
        Some(json!({"city": "Lyon", "version": 1})),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["city"], "Lyon");
    assert_eq!(ok.json()["name"], "Acme Industrie", "patch keeps absent fields");
    let stale = api(
        &router,
        Method::PATCH,
        &format!("/api/v1/accounts/{id}"),
        &token,
        Some(json!({"city": "Lille", "version": 1})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["code"], "stale_version");
    assert_eq!(stale.json()["current_version"], 2);
    let req = axum::http::Request::builder()
        .method(Method::PATCH)
        .uri(format!("/api/v1/accounts/{id}"))
        .header("authorization", format!("Bearer {token}"))
        .header("if-match", "\"1\"")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"city":"Nice"}"#))
        .unwrap();
    let pre = bilan_testkit::http::send(&router, req).await;
    assert_eq!(pre.status, StatusCode::PRECONDITION_FAILED);
    let now = api(&router, Method::GET, &format!("/api/v1/accounts/{id}"), &token, None)
        .await
        .json();
    assert_eq!(now["city"], "Lyon");
    assert_eq!(now["version"], 2);
    let missing = api(
        &router,
        Method::PATCH,
        &format!("/api/v1/accounts/{id}"),
        &token,
        Some(json!({"city": "Nice"})),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.json()["errors"][0]["field"], "version");
});

db_test!(api_errors_name_the_field, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let res = api(
        &router,
        Method::POST,
        "/api/v1/accounts",
        &token,
        Some(json!({"name": "", "vat_number": "FR28552032534", "country": "Atlantide"})),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers["content-type"], "application/problem+json");
    let errors = res.json()["errors"].as_array().unwrap().clone();
    let fields: Vec<_> = errors
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(fields.contains(&("name".into(), "required".into())));
    assert!(fields.contains(&("vat_number".into(), "vat.invalid_key".into())));
    assert!(fields.contains(&("country".into(), "country.invalid".into())));
    let bad = bilan_testkit::http::send(
        &router,
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/v1/accounts")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["detail"].as_str().unwrap().contains("line 1"));
    let nf = api(&router, Method::GET, "/api/v1/accounts/not-a-uuid", &token, None).await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    let sort = api(&router, Method::GET, "/api/v1/accounts?sort=sideways", &token, None).await;
    assert_eq!(sort.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sort.json()["errors"][0]["field"], "sort");
});

db_test!(search_ignores_accents_and_case, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    for (name, siren) in [
        ("Société Générale", "552120222"),
        ("Crédit Agricole", "784608416"),
        ("Générale de Santé", ""),
    ] {
        let input = AccountInput {
            name: Some(name.into()),
            siren: (!siren.is_empty()).then(|| siren.into()),
            ..Default::default()
        };
        bilan_app::accounts::create_account(&t.app, &admin, &input)
            .await
            .unwrap();
    }
    let search = |q: &str| {
        let q = bilan_app::accounts::AccountQuery {
            q: Some(q.into()),
            ..Default::default()
        };
        let app = t.app.clone();
        let admin = admin.clone();
        async move {
            bilan_app::accounts::list_accounts(&app, &admin, &q)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("societe").await, vec!["Société Générale"]);
    assert_eq!(search("GENERALE").await, vec!["Générale de Santé", "Société Générale"]);
    assert_eq!(search("gén").await.len(), 2, "word prefixes match");
    assert_eq!(search("credit agri").await, vec!["Crédit Agricole"]);
    assert_eq!(
        search("784608").await,
        vec!["Crédit Agricole"],
        "identifiers are searchable"
    );
    assert!(search("banque").await.is_empty());
    assert!(search("\"*) OR 1=1 --").await.is_empty(), "query syntax is neutralised");
});

db_test!(keyset_pagination_walks_every_row_once, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    for i in 0..57 {
        let input = AccountInput {
            name: Some(format!("Client {:02}", i % 20)),
            annual_value: Some(format!("{}", (i * 37) % 11 * 1000)),
            status: Some(if i % 3 == 0 { "active" } else { "prospect" }.into()),
            owner_id: Some(if i % 2 == 0 { kam.user_id } else { admin.user_id }.to_string()),
            tags: Some(if i % 5 == 0 { "export" } else { "" }.into()),
            ..Default::default()
        };
        bilan_app::accounts::create_account(&t.app, &admin, &input)
            .await
            .unwrap();
    }
    for sort in ["name", "-name", "-value", "value", "-updated"] {
        let mut seen = std::collections::HashSet::new();
        let mut cursor = None;
        let mut previous: Option<(String, i64)> = None;
        loop {
            let q = bilan_app::accounts::AccountQuery {
                sort: Some(sort.into()),
                cursor: cursor.clone(),
                limit: Some(10),
                ..Default::default()
            };
            let page = bilan_app::accounts::list_accounts(&t.app, &admin, &q).await.unwrap();
            for a in &page.items {
                assert!(seen.insert(a.id), "{sort}: {} twice", a.name);
                let key = (a.name.clone(), a.annual_value.minor);
                if let Some(p) = &previous {
                    match sort {
                        "name" => assert!(p.0 <= key.0),
                        "-name" => assert!(p.0 >= key.0),
                        "value" => assert!(p.1 <= key.1),
                        "-value" => assert!(p.1 >= key.1),
                        _ => {}
                    }
                }
                previous = Some(key);
            }
            match page.next {
                Some(c) => cursor = Some(c.encode()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 57, "{sort}");
    }
    let q = bilan_app::accounts::AccountQuery {
        owner: Some(kam.user_id.to_string()),
        status: Some("active".into()),
        limit: Some(200),
        ..Default::default()
    };
    let items = bilan_app::accounts::list_accounts(&t.app, &admin, &q)
        .await
        .unwrap()
        .items;
    assert_eq!(items.len(), (0..57).filter(|i| i % 2 == 0 && i % 3 == 0).count());
    let q = bilan_app::accounts::AccountQuery {
        tag: Some("Export".into()),
        limit: Some(200),
        ..Default::default()
    };
    assert_eq!(
        bilan_app::accounts::list_accounts(&t.app, &admin, &q)
            .await
            .unwrap()
            .items
            .len(),
        12
    );
    // The page's "show more" fragment for htmx carries the next cursor.
    let mut c = logged_in(&t, &admin).await;
    let frag = c.get_htmx("/accounts?sort=name").await;
    assert!(!frag.body.contains("<html"), "htmx gets a fragment");
    assert!(frag.body.contains("id=\"more-row\"") && frag.body.contains("cursor="));
});

db_test!(contacts_with_roles_sites_and_departures, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let mut c = logged_in(&t, &admin).await;
    let site = c
        .post_form(
            &format!("/accounts/{}/sites", acc.id),
            &[("name", "Usine de Rouen"), ("kind", "site"), ("city", "Rouen")],
        )
        .await;
    assert_eq!(site.status, StatusCode::SEE_OTHER);
    let sites = bilan_app::accounts::list_sites(&t.app, &admin, acc.id).await.unwrap();
    let form = c.get(&format!("/contacts/new?account={}", acc.id)).await;
    assert!(form.body.contains("Usine de Rouen"));
    let res = c
        .post_form(
            "/contacts",
            &[
                ("account_id", &acc.id.to_string()),
                ("first_name", "Élodie"),
                ("last_name", "Marchand"),
                ("email", "Elodie.Marchand@Danone.com"),
                ("roles", "decision_maker"),
                ("roles", "sponsor"),
                ("site_id", &sites[0].id.to_string()),
                ("language", "fr"),
                ("survey_consent", "true"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = c.get(&res.location().unwrap()).await;
    assert!(
        page.body.contains("Élodie Marchand")
            && page.body.contains("elodie.marchand@danone.com")
            && page.body.contains("Usine de Rouen")
    );
    let q = bilan_app::contacts::ContactQuery {
        role: Some("sponsor".into()),
        ..Default::default()
    };
    let found = bilan_app::contacts::list_contacts(&t.app, &admin, &q)
        .await
        .unwrap()
        .items;
    assert_eq!(found.len(), 1);
    let contact = &found[0];
    assert_eq!(contact.roles.len(), 2);
    let mut input = contact.to_input();
    input.left_on = Some("2026-10-01".into());
    bilan_app::contacts::update_contact(&t.app, &admin, contact.id, contact.version, &input)
        .await
        .unwrap();
    assert!(bilan_app::contacts::list_contacts(&t.app, &admin, &Default::default())
        .await
        .unwrap()
        .items
        .is_empty());
    let q = bilan_app::contacts::ContactQuery {
        include_left: Some("true".into()),
        q: Some("elodie".into()),
        ..Default::default()
    };
    assert_eq!(
        bilan_app::contacts::list_contacts(&t.app, &admin, &q)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let detail = bilan_app::accounts::show_account(&t.app, &admin, acc.id).await.unwrap();
    assert_eq!(
        (
            detail.figures.contacts,
            detail.figures.contacts_left,
            detail.figures.sites
        ),
        (0, 1, 1)
    );
});
