//! Production hardening: one text rule at the edge, body limits, security headers.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::{api, send};
use serde_json::json;

/// The field and code of a 422 problem.
fn fault(res: &bilan_testkit::http::TestResponse) -> (String, String) {
    let p = res.json();
    (
        p["errors"][0]["field"].as_str().unwrap_or_default().to_owned(),
        p["errors"][0]["code"].as_str().unwrap_or_default().to_owned(),
    )
}

db_test!(control_characters_are_refused_with_the_field_named, |t| async move {
    let router = t.router();
    let viewer = t.with_user(Role::Viewer).await;
    let vtoken = t.token_for(&viewer).await;
    // Read-only filters, any role: a 422 naming the parameter, never a 500.
    for (path, field) in [
        ("/api/v1/accounts?tag=%00", "tag"),
        ("/api/v1/accounts?sector=a%00b", "sector"),
        ("/api/v1/accounts?country=%E2%80%AEFR", "country"),
        ("/api/v1/search?q=x%00", "q"),
    ] {
        let res = api(&router, Method::GET, path, &vtoken, None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", res.body);
        assert_eq!(res.headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(fault(&res).0, field, "{path}");
    }
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let account = api(
        &router,
        Method::POST,
        "/api/v1/accounts",
        &token,
        Some(json!({"name": "Acme"})),
    )
    .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    let id = account.json()["id"].as_str().unwrap().to_owned();
    let res = api(
        &router,
        Method::GET,
        &format!("/api/v1/accounts/{id}/interactions?tag=%00"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        (res.status, fault(&res).0),
        (StatusCode::UNPROCESSABLE_ENTITY, "tag".into())
    );
    // Bodies: the JSON path of the string at fault, and nothing written.
    let cases = [
        ("/api/v1/accounts", json!({"name": "Nul\u{0}Corp"}), "name", "text.nul"),
        (
            "/api/v1/accounts",
            json!({"name": "exe.\u{202E}fdp"}),
            "name",
            "text.bidi_control",
        ),
        (
            "/api/v1/accounts",
            json!({"name": "Bell", "tags": ["ok", "b\u{7}"]}),
            "tags[1]",
            "control_character",
        ),
        (
            "/api/v1/interactions/batch",
            json!({"items": [{"account_id": id, "subject": "ok", "tags": ["\u{0}"]}]}),
            "items[0].tags[0]",
            "text.nul",
        ),
    ];
    for (path, body, field, code) in cases {
        let res = api(&router, Method::POST, path, &token, Some(body)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", res.body);
        assert_eq!(fault(&res), (field.to_owned(), code.to_owned()), "{path}");
    }
    let list = api(&router, Method::GET, "/api/v1/accounts", &token, None).await;
    assert_eq!(
        list.json()["items"].as_array().map(Vec::len),
        Some(1),
        "nothing half-written"
    );
    let res = api(
        &router,
        Method::PATCH,
        &format!("/api/v1/users/{}", admin.user_id),
        &token,
        Some(json!({"display_name": "Admin\u{0}", "version": 1})),
    )
    .await;
    assert_eq!(fault(&res), ("display_name".into(), "text.nul".into()));
    // Line breaks and tabs are free text.
    let res = api(
        &router,
        Method::POST,
        &format!("/api/v1/accounts/{id}/interactions"),
        &token,
        Some(json!({"subject": "Visite", "summary": "ligne 1\nligne 2\tfin", "channel": "meeting", "direction": "outbound", "occurred_at": "2024-01-15T10:00:00Z"})),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    // Forms get the same rule, shown as a page in the person's language.
    let mut page = crate::logged_in(&t, &admin).await;
    let res = page.post_form("/accounts", &[("name", "Nul\u{0}Corp")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("U+0000"), "the page says what is wrong: {}", res.body);
    // CSV cells go through the domain's check of the same rule, with the line.
    let csv = "name;sector\nGood;BTP\nBad\u{202E}Name;BTP\n";
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports/accounts")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("text.bidi_control"), "{}", res.body);
});

db_test!(bodies_have_limits_per_route, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let big = "x".repeat(2 * 1024 * 1024);
    let res = api(
        &router,
        Method::POST,
        "/api/v1/accounts",
        &token,
        Some(json!({"name": big})),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(res.json()["code"], "too_large");
    // An import takes a larger file.
    let mut csv = String::from("name;sector\n");
    let mut n = 0;
    while csv.len() < 2 * 1024 * 1024 {
        csv.push_str(&format!(
            "Compte numéro {n} avec un nom assez long pour peser;Industrie\n"
        ));
        n += 1;
    }
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports/accounts?dry_run=true")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, StatusCode::OK, "{}", &res.body[..res.body.len().min(400)]);
});

db_test!(every_answer_carries_the_security_headers, |t| async move {
    let router = t.router();
    let get = |p: &str| Request::builder().uri(p).body(Body::empty()).unwrap();
    for path in [
        "/login",
        "/api/v1/openapi.json",
        "/nowhere",
        "/api/v1/nowhere",
        "/static/app.js",
    ] {
        let res = send(&router, get(path)).await;
        let csp = res.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(res.headers[header::REFERRER_POLICY], "same-origin", "{path}");
        assert!(
            !res.headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "no HSTS over plain HTTP"
        );
    }
    let res = send(&router, get("/nowhere")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("<html"), "the app's own 404 page");
    let res = send(&router, get("/api/v1/nowhere")).await;
    assert_eq!(res.headers[header::CONTENT_TYPE], "application/problem+json");
    // Pages hold no inline script or style for the policy to block.
    let admin = t.with_user(Role::Admin).await;
    let mut page = crate::logged_in(&t, &admin).await;
    for path in ["/", "/accounts", "/satisfaction", "/users", "/me", "/import"] {
        let body = page.get(path).await.body;
        for bad in [" style=\"", " onsubmit=", " onclick=", " hx-on", "<script>"] {
            assert!(!body.contains(bad), "{path} holds {bad}");
        }
    }
    let secure = bilan_web::router(bilan_web::AppState::new(
        t.app.clone(),
        bilan_web::WebConfig {
            secure_cookies: true,
            ..bilan_web::WebConfig::for_tests()
        },
    ));
    let res = send(&secure, get("/login")).await;
    assert!(res.headers[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .contains("max-age="));
});

db_test!(
    users_list_like_every_list_and_changes_need_the_version,
    |t| async move {
        let router = t.router();
        let admin = t.with_user(Role::Admin).await;
        let kam = t.with_user(Role::AccountManager).await;
        let token = t.token_for(&admin).await;
        let list = api(&router, Method::GET, "/api/v1/users", &token, None).await.json();
        assert!(list["items"].is_array() && list.get("next_cursor").is_some(), "{list}");
        let path = format!("/api/v1/users/{}", kam.user_id);
        let me = api(&router, Method::GET, &path, &token, None).await.json();
        let version = me["version"].as_i64().unwrap();
        let res = api(&router, Method::PATCH, &path, &token, Some(json!({"role": "manager"}))).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no version, no change: {}",
            res.body
        );
        assert_eq!(fault(&res).0, "version");
        let res = api(
            &router,
            Method::PATCH,
            &path,
            &token,
            Some(json!({"role": "manager", "version": version})),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.json()["version"], version + 1);
        // A second admin who read the old version is told, not obeyed.
        let res = api(
            &router,
            Method::PATCH,
            &path,
            &token,
            Some(json!({"role": "viewer", "version": version})),
        )
        .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert_eq!(res.json()["current_version"], version + 1);
        let req = Request::builder()
            .method(Method::PATCH)
            .uri(&path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, format!("\"{version}\""))
            .body(Body::from(r#"{"role":"viewer"}"#))
            .unwrap();
        assert_eq!(send(&router, req).await.status, StatusCode::PRECONDITION_FAILED);
        let again = api(&router, Method::GET, &path, &token, None).await.json();
        assert_eq!(again["role"], "manager", "the stale change wrote nothing");
    }
);

db_test!(
    what_an_exchange_is_about_must_be_in_the_same_workspace,
    |t| async move {
        let router = t.router();
        let admin = t.with_user(Role::Admin).await;
        let token = t.token_for(&admin).await;
        let stranger = t.user_in("Another supplier", Role::Admin).await;
        let theirs = bilan_app::accounts::create_account(&t.app, &stranger, &crate::danone())
            .await
            .unwrap();
        let mine = bilan_app::accounts::create_account(&t.app, &admin, &crate::danone())
            .await
            .unwrap();
        let body = |kind: &str, id: uuid::Uuid| {
            json!({"subject": "Suivi", "channel": "email", "direction": "outbound",
               "occurred_at": "2024-01-15T10:00:00Z", "related_kind": kind, "related_id": id.to_string()})
        };
        let path = format!("/api/v1/accounts/{}/interactions", mine.id);
        for (kind, id, expected) in [
            ("account", theirs.id, Some(("related_id", "related.unknown"))),
            ("account", uuid::Uuid::now_v7(), Some(("related_id", "related.unknown"))),
            ("invoice", mine.id, Some(("related_kind", "related_kind.invalid"))),
            ("account", mine.id, None),
        ] {
            let res = api(&router, Method::POST, &path, &token, Some(body(kind, id))).await;
            match expected {
                Some((field, code)) => {
                    assert_eq!(
                        res.status,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{kind} {id}: {}",
                        res.body
                    );
                    assert_eq!(fault(&res), (field.to_owned(), code.to_owned()));
                }
                None => assert_eq!(res.status, StatusCode::CREATED, "{}", res.body),
            }
        }
    }
);

db_test!(a_large_import_leaves_the_planner_statistics_fresh, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut csv = String::from("name;sector\n");
    for n in 0..1_500 {
        csv.push_str(&format!("Compte {n};Industrie\n"));
    }
    let report = bilan_app::imports::import_accounts(&t.app, &admin, csv.as_bytes(), &Default::default())
        .await
        .unwrap();
    assert_eq!(report.created, 1_500);
    if t.app.db.engine() != bilan_app::database::Engine::Postgres {
        return; // SQLite runs `PRAGMA optimize`, which leaves nothing to read back.
    }
    let mut pc = t.app.db.acquire().await.unwrap();
    let bilan_db::Conn::Postgres(c) = &mut pc.conn() else {
        unreachable!()
    };
    let tuples: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'accounts'::regclass")
        .fetch_one(&mut **c)
        .await
        .unwrap();
    assert!(tuples >= 1_500.0, "ANALYZE ran after the import: reltuples = {tuples}");
});

db_test!(api_inputs_take_json_types_and_nothing_loose, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    for (path, body, field) in [
        ("/api/v1/accounts", json!({"name": [null, null]}), "name"),
        ("/api/v1/accounts", json!({"name": 12345}), "name"),
        ("/api/v1/accounts", json!({"name": "Acme", "tags": "a,b"}), "tags"),
        (
            "/api/v1/accounts",
            json!({"name": "Acme", "annual_value": 12.5}),
            "annual_value",
        ),
        ("/api/v1/accounts", json!({"name": "Acme", "nmae": "typo"}), "nmae"),
        ("/api/v1/interactions/batch", json!({"items": {}}), "items"),
        ("/api/v1/survey-settings", json!([null, null]), "body"),
    ] {
        let method = if path.ends_with("settings") {
            Method::PUT
        } else {
            Method::POST
        };
        let res = api(&router, method, path, &token, Some(body.clone())).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.body);
        assert_eq!(res.headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(fault(&res).0, field, "{body}");
    }
    let list = api(&router, Method::GET, "/api/v1/accounts", &token, None).await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "nothing was created");
    let res = api(&router, Method::GET, "/api/v1/accounts?limit=2147483648", &token, None).await;
    assert_eq!((res.status, fault(&res).0), (StatusCode::BAD_REQUEST, "limit".into()));
    // Booleans, arrays, dates and decimals in their JSON types go through.
    let res = api(
        &router,
        Method::POST,
        "/api/v1/accounts",
        &token,
        Some(json!({"name": "Acme", "tags": ["export", "btp"], "annual_value": "1234.50", "renewal_date": "2027-03-31", "headcount": 120})),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["annual_value"]["amount"], "1234.50");
});

/// Whether the PostgreSQL session at `url` is encrypted, or the connection error.
async fn encrypted(url: &str) -> Result<bool, String> {
    tokio::time::timeout(std::time::Duration::from_secs(45), encrypted_within(url))
        .await
        .unwrap_or_else(|_| panic!("connecting to {url} hung for 45 s"))
}

async fn encrypted_within(url: &str) -> Result<bool, String> {
    let db = bilan_db::Db::connect(url, &bilan_db::PoolOptions { max_connections: 1 })
        .await
        .map_err(|e| e.to_string())?;
    let mut pc = db.acquire().await.map_err(|e| e.to_string())?;
    let bilan_db::Conn::Postgres(c) = &mut pc.conn() else {
        unreachable!()
    };
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut **c)
        .await
        .map_err(|e| e.to_string())?;
    drop(pc);
    db.close().await;
    Ok(ssl)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_connections_honour_sslmode() {
    let Some(t) = bilan_testkit::TestApp::postgres().await else {
        return;
    };
    let url = t.database_url().to_owned();
    if encrypted(&format!("{url}?sslmode=require")).await.is_err() {
        // Debian's PostgreSQL has TLS on with its "snakeoil" certificate.
        assert!(std::env::var("CI").is_err(), "PostgreSQL has TLS off; CI needs it on");
        eprintln!("\n*** SKIPPED: the PostgreSQL server at {url} does not speak TLS ***\n");
        return;
    }
    assert_eq!(encrypted(&format!("{url}?sslmode=disable")).await, Ok(false));
    assert_eq!(
        encrypted(&format!("{url}?sslmode=require")).await,
        Ok(true),
        "require encrypts"
    );
    // verify-full checks the certificate against the host name: the server's is for
    // `localhost`, so reaching it as 127.0.0.1 is refused, with the reason.
    let wrong_name = encrypted(&format!("{url}?sslmode=verify-full")).await;
    assert!(
        wrong_name.as_ref().is_err_and(|e| e.contains("certificate")),
        "{wrong_name:?}"
    );
    let snakeoil = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    if std::path::Path::new(snakeoil).exists() && url.contains("127.0.0.1") {
        let by_name = url.replace("127.0.0.1", "localhost");
        assert_eq!(
            encrypted(&format!("{by_name}?sslmode=verify-full&sslrootcert={snakeoil}")).await,
            Ok(true),
            "verified against the given CA file"
        );
    }
}

db_test!(survey_settings_are_written_whole_or_not_at_all, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let before = api(&router, Method::PUT, "/api/v1/survey-settings", &token, Some(json!({})))
        .await
        .json();
    let res = api(
        &router,
        Method::PUT,
        "/api/v1/survey-settings",
        &token,
        Some(json!({"interval_days": 7, "min_answers": 0})),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(fault(&res).0, "min_answers");
    let after = api(&router, Method::PUT, "/api/v1/survey-settings", &token, Some(json!({})))
        .await
        .json();
    assert_eq!(after, before, "the valid interval was not written alone");
    let res = api(
        &router,
        Method::PUT,
        "/api/v1/survey-settings",
        &token,
        Some(json!({"interval_days": 7, "min_answers": 3})),
    )
    .await;
    assert_eq!(res.json(), json!({"interval_days": 7, "min_answers": 3}));
});

db_test!(a_huge_account_list_is_counted_up_to_a_cap, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut csv = String::from("name;sector\n");
    for n in 0..10_005 {
        csv.push_str(&format!(
            "Compte {n};{}\n",
            if n < 3 { "Verrerie" } else { "Industrie" }
        ));
    }
    bilan_app::imports::import_accounts(&t.app, &admin, csv.as_bytes(), &Default::default())
        .await
        .unwrap();
    let mut page = crate::logged_in(&t, &admin).await;
    let all = page.get("/accounts").await.body;
    assert!(
        all.contains("comptes ou plus") || all.contains("accounts or more"),
        "capped count shown"
    );
    let few = page.get("/accounts?sector=Verrerie").await.body;
    assert!(
        few.contains(">3 comptes<") || few.contains(">3 accounts<"),
        "an exact count below the cap"
    );
});
