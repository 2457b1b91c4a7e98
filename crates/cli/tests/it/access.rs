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

db_test!(every_api_operation_checks_the_role, |t| async move {
    // Derived from the served document, which the router builds: every operation,
    // every role. Each operation names its permission (`x-permission`); a role
    // without it gets 403 before anything else is looked at, a role with it never does.
    use bilan_domain::roles::Permission;
    let doc: serde_json::Value = serde_json::from_str(&bilan_web::api::openapi::openapi_json()).unwrap();
    let mut operations: Vec<(Method, String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // The fixtures are the admin's: where changing someone else's record takes
            // more than changing one's own, that is the permission that counts here.
            let permission = op["x-permission-others"]
                .as_str()
                .or(op["x-permission"].as_str())
                .unwrap_or_else(|| panic!("{method} {path} does not say which permission it needs"))
                .to_owned();
            operations.push((method.to_uppercase().parse().unwrap(), path.clone(), permission));
        }
    }
    // Deletions last, so each role's fixtures stay until then.
    operations.sort_by_key(|(m, p, _)| (*m == Method::DELETE, p.clone()));
    assert!(operations.len() >= 50, "{} operations", operations.len());
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let mut wrong = Vec::new();
    for role in Role::ALL {
        let actor = t.with_user(role).await;
        let token = t.token_for(&actor).await;
        let f = Fixtures::new(&t, &admin).await;
        for (method, path, permission) in &operations {
            let concrete = f.fill(path, admin.user_id);
            let body = matches!(*method, Method::POST | Method::PATCH | Method::PUT).then(|| f.body());
            let res = api(&router, method.clone(), &concrete, &token, body).await;
            let allowed = match permission.as_str() {
                "authenticated" => true,
                code => role.can(
                    Permission::ALL
                        .into_iter()
                        .find(|p| p.code() == code)
                        .unwrap_or_else(|| panic!("{method} {path}: unknown permission {code}")),
                ),
            };
            let what = format!("{} {method} {concrete}: {} {}", role.code(), res.status, res.body);
            let right = if allowed {
                ![StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED].contains(&res.status)
                    && !res.status.is_server_error()
            } else {
                res.status == StatusCode::FORBIDDEN && res.json()["code"] == "forbidden"
            };
            if !right {
                wrong.push(what);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers do not fit the roles:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
});

/// Records every path parameter can point at, fresh for each role.
struct Fixtures {
    account: uuid::Uuid,
    site: uuid::Uuid,
    contact: uuid::Uuid,
    interaction: uuid::Uuid,
    survey: uuid::Uuid,
    rule: uuid::Uuid,
    complaint: uuid::Uuid,
}

impl Fixtures {
    async fn new(t: &bilan_testkit::TestApp, admin: &bilan_app::Actor) -> Fixtures {
        let acc = bilan_app::accounts::create_account(&t.app, admin, &danone())
            .await
            .unwrap();
        let site = bilan_app::accounts::add_site(
            &t.app,
            admin,
            acc.id,
            &bilan_domain::accounts::SiteInput {
                name: Some("Site".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let contact = crate::contact(
            t,
            admin,
            acc.id,
            "Roux",
            &format!("roux-{}@client.test", acc.id.simple()),
        )
        .await;
        let interaction = bilan_app::timeline::log_interaction(
            &t.app,
            admin,
            &bilan_domain::timeline::InteractionInput {
                account_id: Some(acc.id.to_string()),
                channel: Some("phone".into()),
                direction: Some("inbound".into()),
                occurred_at: Some("2026-11-20T09:00:00Z".into()),
                follow_up_what: Some("Rappeler".into()),
                follow_up_due: Some("2026-11-25".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let survey = crate::surveys::survey(t, admin, &format!("S {}", acc.id.simple()), "nps").await;
        let rule = bilan_app::surveys::add_rule(
            &t.app,
            admin,
            &bilan_domain::surveys::RuleInput {
                survey_id: Some(survey.to_string()),
                event_kind: Some("delivery".into()),
                roles: Some("buyer".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let complaint = bilan_app::complaints::open_complaint(
            &t.app,
            admin,
            &bilan_domain::complaints::ComplaintInput {
                account_id: Some(acc.id.to_string()),
                received_on: Some("2026-11-20".into()),
                channel: Some("email".into()),
                category: Some("delivery".into()),
                summary: Some("Palettes abîmées".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        Fixtures {
            complaint: complaint.id,
            account: acc.id,
            site: site.id,
            contact,
            interaction: interaction.id,
            survey,
            rule: rule.id,
        }
    }

    /// The path with its parameters replaced by these records' ids.
    fn fill(&self, path: &str, user: uuid::Uuid) -> String {
        let id = match path.split('/').nth(3).unwrap_or("") {
            "accounts" => self.account,
            "contacts" => self.contact,
            "users" => user,
            "interactions" | "follow-ups" => self.interaction,
            "surveys" => self.survey,
            "survey-rules" => self.rule,
            "complaints" => self.complaint,
            _ => uuid::Uuid::now_v7(),
        };
        path.replace("{id}", &id.to_string())
            .replace("{site}", &self.site.to_string())
            .replace("{kind}", "acknowledgement")
            .replace("{lang}", "fr")
    }

    /// A body every write operation accepts far enough to reach its role check.
    fn body(&self) -> serde_json::Value {
        json!({
            "version": 1,
            "account_id": self.account.to_string(),
            "contact_ids": [self.contact.to_string()],
            "items": [],
            "snooze": "tomorrow",
        })
    }
}

db_test!(api_query_errors_are_problems, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    for bad in ["lots", "0", "201", "2147483648"] {
        let res = api(
            &router,
            Method::GET,
            &format!("/api/v1/accounts?limit={bad}"),
            &token,
            None,
        )
        .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "limit={bad}");
        assert_eq!(res.headers["content-type"], "application/problem+json");
        assert_eq!(res.json()["errors"][0]["field"], "limit");
    }
    let res = api(&router, Method::GET, "/api/v1/accounts?sort=sideways", &token, None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
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

db_test!(people_change_their_own_exchanges_managers_anyone, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let account = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let log = |actor: bilan_app::Actor| {
        let app = t.app.clone();
        async move {
            bilan_app::timeline::log_interaction(
                &app,
                &actor,
                &bilan_domain::timeline::InteractionInput {
                    account_id: Some(account.id.to_string()),
                    channel: Some("phone".into()),
                    direction: Some("outbound".into()),
                    occurred_at: Some("2026-11-20T09:00:00Z".into()),
                    follow_up_what: Some("Rappeler".into()),
                    follow_up_due: Some("2026-11-25".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .id
        }
    };
    for role in [Role::Finance, Role::Support, Role::AccountManager] {
        let me = t.with_user(role).await;
        let colleague = t.with_user(Role::AccountManager).await;
        let token = t.token_for(&me).await;
        let mine = log(me.clone()).await;
        let theirs = log(colleague.clone()).await;
        for (method, path) in [
            (Method::POST, "/api/v1/follow-ups/{id}/done"),
            (Method::DELETE, "/api/v1/interactions/{id}"),
        ] {
            let other = api(
                &router,
                method.clone(),
                &path.replace("{id}", &theirs.to_string()),
                &token,
                None,
            )
            .await;
            assert_eq!(
                other.status,
                StatusCode::FORBIDDEN,
                "{} {method} {path} on a colleague's: {}",
                role.code(),
                other.body
            );
            let own = api(
                &router,
                method.clone(),
                &path.replace("{id}", &mine.to_string()),
                &token,
                None,
            )
            .await;
            assert!(
                own.status.is_success(),
                "{} {method} {path} on their own: {} {}",
                role.code(),
                own.status,
                own.body
            );
        }
        // The colleague's exchange is still there, whole.
        assert!(bilan_app::timeline::find_interaction(&t.app, &colleague, theirs)
            .await
            .is_ok());
    }
    let manager = t.with_user(Role::Manager).await;
    let token = t.token_for(&manager).await;
    let theirs = log(t.with_user(Role::Support).await).await;
    let res = api(
        &router,
        Method::DELETE,
        &format!("/api/v1/interactions/{theirs}"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::NO_CONTENT,
        "a manager tidies the shared history: {}",
        res.body
    );
    // Mailboxes are bulk imports, like CSV files: not for roles without import_data.
    for role in [Role::Finance, Role::Support, Role::AccountManager] {
        let who = t.with_user(role).await;
        let token = t.token_for(&who).await;
        let res = api(
            &router,
            Method::POST,
            "/api/v1/imports/emails?dry_run=true",
            &token,
            None,
        )
        .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}: {}", role.code(), res.body);
    }
});
