//! Each role's access to each route, and workspace isolation, in pages and API.

use crate::{danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::api;
use serde_json::json;

db_test!(api_role_matrix, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let account = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    for role in Role::ALL {
        let actor = t.with_user(role).await;
        let token = t.token_for(&actor).await;
        let id = account.id;
        let cases: Vec<(Method, String, Option<serde_json::Value>, bool)> = vec![
            (Method::GET, "/api/v1/accounts".into(), None, true),
            (Method::GET, format!("/api/v1/accounts/{id}"), None, true),
            (
                Method::POST,
                "/api/v1/accounts".into(),
                Some(json!({"name": format!("New {}", role.code())})),
                role.can(bilan_domain::roles::Permission::WriteAccounts),
            ),
            (Method::GET, "/api/v1/contacts".into(), None, true),
            (
                Method::POST,
                "/api/v1/contacts".into(),
                Some(json!({"account_id": id.to_string(), "last_name": "Durand"})),
                role.can(bilan_domain::roles::Permission::WriteContacts),
            ),
            (Method::GET, "/api/v1/users".into(), None, true),
            (
                Method::POST,
                "/api/v1/users".into(),
                Some(
                    json!({"email": format!("x-{}@acme.test", role.code()), "role": "viewer", "password": "long enough password"}),
                ),
                role == Role::Admin,
            ),
        ];
        for (method, path, body, allowed) in cases {
            let res = api(&router, method.clone(), &path, &token, body).await;
            if allowed {
                assert!(
                    res.status.is_success(),
                    "{} {method} {path}: {} {}",
                    role.code(),
                    res.status,
                    res.body
                );
            } else {
                assert_eq!(
                    res.status,
                    StatusCode::FORBIDDEN,
                    "{} {method} {path}: {}",
                    role.code(),
                    res.body
                );
                assert_eq!(res.json()["code"], "forbidden");
            }
        }
        let del = api(
            &router,
            Method::DELETE,
            &format!("/api/v1/accounts/{}", uuid::Uuid::now_v7()),
            &token,
            None,
        )
        .await;
        let expected = if role.can(bilan_domain::roles::Permission::DeleteAccounts) {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(del.status, expected, "{} delete", role.code());
    }
});

db_test!(every_api_route_checks_the_role, |t| async move {
    use bilan_domain::roles::Permission::*;
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    for role in Role::ALL {
        let actor = t.with_user(role).await;
        let token = t.token_for(&actor).await;
        // Fresh records per role, so deletions by one role do not hide another's answer.
        let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
            .await
            .unwrap();
        let site = bilan_app::accounts::add_site(
            &t.app,
            &admin,
            acc.id,
            &bilan_domain::accounts::SiteInput {
                name: Some("Site".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let contact = bilan_app::contacts::create_contact(
            &t.app,
            &admin,
            &bilan_domain::contacts::ContactInput {
                account_id: Some(acc.id.to_string()),
                last_name: Some("Roux".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let (a, s, c, u) = (acc.id, site.id, contact.id, admin.user_id);
        let routes: Vec<(
            Method,
            String,
            Option<serde_json::Value>,
            bilan_domain::roles::Permission,
        )> = vec![
            (Method::GET, "/api/v1/accounts?limit=5".into(), None, ReadAccounts),
            (Method::GET, format!("/api/v1/accounts/{a}"), None, ReadAccounts),
            (
                Method::PATCH,
                format!("/api/v1/accounts/{a}"),
                Some(json!({"city": "Nantes", "version": 1})),
                WriteAccounts,
            ),
            (Method::GET, format!("/api/v1/accounts/{a}/sites"), None, ReadAccounts),
            (
                Method::POST,
                format!("/api/v1/accounts/{a}/sites"),
                Some(json!({"name": "Entrepôt"})),
                WriteAccounts,
            ),
            (
                Method::DELETE,
                format!("/api/v1/accounts/{a}/sites/{s}"),
                None,
                WriteAccounts,
            ),
            (Method::GET, "/api/v1/contacts".into(), None, ReadContacts),
            (Method::GET, format!("/api/v1/contacts/{c}"), None, ReadContacts),
            (
                Method::PATCH,
                format!("/api/v1/contacts/{c}"),
                Some(json!({"phone": "01 23 45 67 89", "version": 1})),
                WriteContacts,
            ),
            (Method::DELETE, format!("/api/v1/contacts/{c}"), None, WriteContacts),
            (Method::GET, "/api/v1/users".into(), None, ReadUsers),
            (Method::GET, format!("/api/v1/users/{u}"), None, ReadUsers),
            (
                Method::PATCH,
                format!("/api/v1/users/{u}"),
                Some(json!({"display_name": "Camille"})),
                ManageUsers,
            ),
            (
                Method::POST,
                "/api/v1/imports/accounts?dry_run=true".into(),
                None,
                ImportData,
            ),
            (
                Method::POST,
                "/api/v1/imports/contacts?dry_run=true".into(),
                None,
                ImportData,
            ),
            (Method::GET, "/api/v1/exports/accounts".into(), None, ExportData),
            (Method::GET, "/api/v1/exports/contacts".into(), None, ExportData),
            (Method::DELETE, format!("/api/v1/accounts/{a}"), None, DeleteAccounts),
        ];
        for (method, path, body, permission) in routes {
            let res = api(&router, method.clone(), &path, &token, body).await;
            if role.can(permission) {
                assert_ne!(
                    res.status,
                    StatusCode::FORBIDDEN,
                    "{} {method} {path}: {}",
                    role.code(),
                    res.body
                );
                assert_ne!(res.status, StatusCode::UNAUTHORIZED, "{} {method} {path}", role.code());
            } else {
                assert_eq!(
                    res.status,
                    StatusCode::FORBIDDEN,
                    "{} {method} {path}: {}",
                    role.code(),
                    res.body
                );
            }
        }
    }
});

db_test!(api_query_errors_are_problems, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let res = api(&router, Method::GET, "/api/v1/accounts?limit=lots", &token, None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.headers["content-type"], "application/problem+json");
    assert_eq!(res.json()["errors"][0]["field"], "query");
    let res = api(&router, Method::GET, "/api/v1/nowhere", &token, None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["code"], "not_found");
});

db_test!(api_requires_a_valid_token, |t| async move {
    let router = t.router();
    for token in ["", "bilan_nope", "garbage"] {
        let res = api(&router, Method::GET, "/api/v1/accounts", token, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers["content-type"], "application/problem+json");
    }
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let listed = bilan_app::auth::list_tokens(&t.app, &admin).await.unwrap();
    bilan_app::auth::revoke_token(&t.app, &admin, listed[0].id)
        .await
        .unwrap();
    assert_eq!(
        api(&router, Method::GET, "/api/v1/accounts", &token, None).await.status,
        StatusCode::UNAUTHORIZED
    );
});

db_test!(workspaces_never_cross, |t| async move {
    let router = t.router();
    let a = t.user_in("Alpha", Role::Admin).await;
    let b = t.user_in("Beta", Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &a, &danone())
        .await
        .unwrap();
    let token_b = t.token_for(&b).await;
    for (m, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "Pwned", "version": 1}))),
        (Method::DELETE, None),
    ] {
        let res = api(
            &router,
            m.clone(),
            &format!("/api/v1/accounts/{}", acc.id),
            &token_b,
            body,
        )
        .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{m}");
    }
    let list = api(&router, Method::GET, "/api/v1/accounts?q=danone", &token_b, None).await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 0);
    let contact = api(
        &router,
        Method::POST,
        "/api/v1/contacts",
        &token_b,
        Some(json!({"account_id": acc.id.to_string(), "last_name": "Intrus"})),
    )
    .await;
    assert_eq!(contact.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(contact.json()["errors"][0]["field"], "account_id");
    let mut page_b = logged_in(&t, &b).await;
    assert_eq!(
        page_b.get(&format!("/accounts/{}", acc.id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        page_b.get(&format!("/accounts/{}/edit", acc.id)).await.status,
        StatusCode::NOT_FOUND
    );
    let list = page_b.get("/accounts?q=danone").await;
    assert!(!list.body.contains(&acc.id.to_string()));
    let still = bilan_app::accounts::find_account(&t.app, &a, acc.id).await.unwrap();
    assert_eq!(still.name, "Danone");
});

db_test!(page_role_matrix, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    for role in Role::ALL {
        let actor = t.with_user(role).await;
        let mut c = logged_in(&t, &actor).await;
        for path in [
            "/accounts",
            &format!("/accounts/{}", acc.id),
            "/contacts",
            "/users",
            "/me",
        ] {
            assert_eq!(c.get(path).await.status, StatusCode::OK, "{} GET {path}", role.code());
        }
        let new = c.get("/accounts/new").await.status;
        let can_write = role.can(bilan_domain::roles::Permission::WriteAccounts);
        assert_eq!(
            new,
            if can_write {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "{} /accounts/new",
            role.code()
        );
        let created = c
            .post_form("/accounts", &[("name", &format!("Page {}", role.code()))])
            .await
            .status;
        assert_eq!(
            created,
            if can_write {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "{} POST /accounts",
            role.code()
        );
        let add_user = c
            .post_form(
                "/users",
                &[
                    ("email", &format!("p-{}@acme.test", role.code())),
                    ("role", "viewer"),
                    ("password", "long enough password"),
                ],
            )
            .await
            .status;
        assert_eq!(
            add_user,
            if role == Role::Admin {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "{} POST /users",
            role.code()
        );
    }
    let mut anonymous = bilan_testkit::http::PageClient::new(t.router());
    let res = anonymous.get("/accounts").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().unwrap().starts_with("/login?next="));
});
