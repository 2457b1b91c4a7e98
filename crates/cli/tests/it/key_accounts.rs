//! Key accounts and health on both engines: the API contract (health explained,
//! SMART objectives refused naming the missing part), health falling when a
//! detractor answers and an invoice runs late, with the account then on the
//! at-risk page with those two reasons and a follow-up for its owner; each kind of
//! input marking the account for a recompute that its job carries out; one
//! history row per day; admission under the eligibility threshold refused; pages
//! by role; the command line.

use crate::surveys::{answer, outbox, person, secret_in, survey};
use axum::http::{Method, StatusCode};
use bilan_app::{Actor, App};
use bilan_domain::accounts::AccountInput;
use bilan_domain::roles::Role;
use bilan_domain::timeline::InteractionInput;
use bilan_testkit::http::api;
use bilan_testkit::{db_test, TestApp};
use chrono::Duration;
use serde_json::{json, Value};
use uuid::Uuid;

async fn account(t: &TestApp, admin: &Actor, name: &str, owner: Option<Uuid>) -> Uuid {
    let input = AccountInput {
        name: Some(name.into()),
        status: Some("active".into()),
        size: Some("large".into()),
        annual_value: Some("120000".into()),
        owner_id: owner.map(|o| o.to_string()),
        renewal_date: Some("2027-03-31".into()),
        notice_days: Some("3 mois".into()),
        ..Default::default()
    };
    bilan_app::accounts::create_account(&t.app, admin, &input)
        .await
        .unwrap()
        .id
}

async fn exchange(t: &TestApp, actor: &Actor, account: Uuid, contact: Uuid, direction: &str, at: &str) {
    let input = InteractionInput {
        account_id: Some(account.to_string()),
        occurred_at: Some(at.into()),
        channel: Some("meeting".into()),
        direction: Some(direction.into()),
        subject: Some("Point d'avancement".into()),
        contact_ids: Some(contact.to_string()),
        ..Default::default()
    };
    bilan_app::timeline::log_interaction(&t.app, actor, &input)
        .await
        .unwrap();
}

async fn marked(app: &App, ws: Uuid, account: Uuid) -> bool {
    let mut pc = app.db.acquire().await.unwrap();
    bilan_db::health::marked_at(&mut pc.conn(), ws, account)
        .await
        .unwrap()
        .is_some()
}

async fn health(t: &TestApp, token: &str, account: Uuid) -> Value {
    let r = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/accounts/{account}/health"),
        token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn reason_of(h: &Value, component: &str) -> Vec<String> {
    h["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == component)
        .map(|c| {
            c["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A well-followed account: a decision maker met, three exchanges each way this month.
async fn followed_account(t: &TestApp, admin: &Actor, owner: Option<Uuid>) -> (Uuid, Uuid) {
    let acc = account(t, admin, "Delméo", owner).await;
    let dm = person(t, admin, acc, "Martin", true, false, "decision_maker", None).await;
    for (i, day) in ["2026-11-05", "2026-11-12", "2026-11-19"].iter().enumerate() {
        exchange(t, admin, acc, dm, "inbound", &format!("{day}T10:0{i}:00Z")).await;
        exchange(t, admin, acc, dm, "outbound", &format!("{day}T15:0{i}:00Z")).await;
    }
    (acc, dm)
}

db_test!(health_falls_with_a_detractor_and_an_overdue_invoice, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    let token = t.token_for(&admin).await;
    let (acc, dm) = followed_account(&t, &admin, Some(kam.user_id)).await;

    let before = health(&t, &token, acc).await;
    assert_eq!(before["band"], "healthy", "{before}");
    let score = before["score"].as_u64().unwrap();
    assert!(score <= 100);
    let components = before["components"].as_array().unwrap();
    assert_eq!(components.len(), 7);
    for c in components {
        assert!(
            c["name"].is_string() && c["weight"].is_u64() && c["reasons"].is_array(),
            "{c}"
        );
    }
    let points: u64 = components.iter().map(|c| c["points"].as_u64().unwrap()).sum();
    assert_eq!(points, score, "the components add up to the score");
    assert!(before["computed_at"].is_string());
    assert!(
        components
            .iter()
            .any(|c| c["name"] == "payment" && c["score"].is_null()),
        "never invoiced: not judged"
    );

    // An invoice of 12,000 € due on 31 August, unpaid on 23 November.
    let r = api(
        &t.router(),
        Method::POST,
        "/api/v1/invoices",
        &token,
        Some(json!({
            "account_id": acc.to_string(), "number": "F-2026-081", "issued_on": "2026-08-01",
            "terms": {"kind": "days", "days": 30},
            "amount_excl_tax": "10000.00", "amount_incl_tax": "12000.00", "currency": "EUR",
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(
        marked(&t.app, admin.workspace_id, acc).await,
        "the invoice marks the account"
    );
    // A detractor: NPS 0 from the decision maker.
    let s = survey(&t, &admin, "NPS relation", "nps").await;
    bilan_app::surveys::send_survey(&t.app, &admin, s, acc, &[dm])
        .await
        .unwrap();
    let secret = secret_in(&outbox(&t, &admin).await[0].body_text);
    answer(&t, &secret, "0", Some("Plus rien ne va")).await.unwrap();

    let after = health(&t, &token, acc).await;
    assert_eq!(after["band"], "at_risk", "{after}");
    assert!(after["score"].as_u64().unwrap() < score);
    assert!(reason_of(&after, "satisfaction")[0].contains("NPS 0"), "{after}");
    assert!(reason_of(&after, "payment")[0].contains("12,000.00"), "{after}");
    assert!(
        !marked(&t.app, admin.workspace_id, acc).await,
        "reading it recomputed it"
    );

    // The at-risk page lists it with those two reasons.
    let list = api(&t.router(), Method::GET, "/api/v1/health/at-risk", &token, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let item = &list.json()["items"][0];
    assert_eq!(item["account_id"], acc.to_string());
    let reasons = item["reasons"].to_string();
    assert!(reasons.contains("NPS 0") && reasons.contains("12,000.00"), "{reasons}");
    // Crossing into risk gave its owner a follow-up.
    let kam_token = t.token_for(&kam).await;
    let alerts = api(&t.router(), Method::GET, "/api/v1/health/alerts", &kam_token, None).await;
    let alerts = alerts.json();
    assert_eq!(alerts.as_array().unwrap().len(), 1, "{alerts}");
    assert_eq!(alerts[0]["account_id"], acc.to_string());
    let id = alerts[0]["id"].as_str().unwrap();
    let done = api(
        &t.router(),
        Method::POST,
        &format!("/api/v1/health/alerts/{id}/done"),
        &kam_token,
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    let again = api(&t.router(), Method::GET, "/api/v1/health/alerts", &kam_token, None).await;
    assert_eq!(again.json().as_array().unwrap().len(), 0);
    // The page shows the same.
    let mut page = crate::logged_in(&t, &admin).await;
    let html = page.get("/at-risk").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.body.contains("Delméo") && html.body.contains("NPS 0"),
        "{}",
        html.body
    );
    t.clock.advance(Duration::minutes(2));
    t.run_pending_jobs().await;
});

db_test!(
    each_kind_of_input_marks_the_account_and_its_job_recomputes_it,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let ws = admin.workspace_id;
        let token = t.token_for(&admin).await;
        let acc = account(&t, &admin, "Orbis", None).await;
        let c = person(&t, &admin, acc, "Petit", true, false, "sponsor", None).await;
        let computed = health(&t, &token, acc).await;
        assert!(marked(&t.app, ws, acc).await || computed["score"].is_u64());
        bilan_app::health::recompute_changed(&t.app, ws).await.unwrap();
        assert!(!marked(&t.app, ws, acc).await);

        // An exchange.
        exchange(&t, &admin, acc, c, "inbound", "2026-11-20T10:00:00Z").await;
        assert!(marked(&t.app, ws, acc).await, "an exchange marks it");
        // Its job, a minute later, recomputes and unmarks it.
        let before = health_row(&t.app, ws, acc).await;
        t.clock.advance(Duration::seconds(61));
        let report = t.run_pending_jobs().await;
        assert!(report.done >= 1);
        assert!(!marked(&t.app, ws, acc).await);
        assert!(health_row(&t.app, ws, acc).await.1 > before.1, "computed again");

        // A complaint.
        let complaint = bilan_domain::complaints::ComplaintInput {
            account_id: Some(acc.to_string()),
            received_on: Some("2026-11-23".into()),
            channel: Some("email".into()),
            category: Some("delivery".into()),
            summary: Some("Livraison en retard".into()),
            ..Default::default()
        };
        bilan_app::complaints::open_complaint(&t.app, &admin, &complaint)
            .await
            .unwrap();
        assert!(marked(&t.app, ws, acc).await, "a complaint marks it");
        bilan_app::health::recompute_changed(&t.app, ws).await.unwrap();
        let h = health(&t, &token, acc).await;
        assert!(reason_of(&h, "complaints")[0].contains('1'), "{h}");

        // The sponsor leaving.
        let mut input = bilan_app::contacts::find_contact(&t.app, &admin, c)
            .await
            .unwrap()
            .to_input();
        input.left_on = Some("2026-11-22".into());
        let version = bilan_app::contacts::find_contact(&t.app, &admin, c)
            .await
            .unwrap()
            .version;
        bilan_app::contacts::update_contact(&t.app, &admin, c, version, &input)
            .await
            .unwrap();
        assert!(marked(&t.app, ws, acc).await, "a contact change marks it");
        let h = health(&t, &token, acc).await;
        let rel = reason_of(&h, "relationship");
        assert!(
            rel.iter().any(|r| r.contains("sponsor") && r.contains("Petit")),
            "{rel:?}"
        );
        assert!(
            rel.iter().any(|r| r.contains("No decision maker or sponsor known")),
            "{rel:?}"
        );

        // Usage figures, by API: all or nothing, errors by line.
        let bad = api(
            &t.router(),
            Method::POST,
            "/api/v1/usage",
            &token,
            Some(json!({"figures": [
                {"account": acc.to_string(), "metric": "logins", "period": "2026-09", "value": "400"},
                {"account": "Inconnue SA", "metric": "logins", "period": "2026-13", "value": "x"},
            ]})),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let fields: Vec<String> = bad.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}:{}", e["line"], e["field"].as_str().unwrap()))
            .collect();
        assert_eq!(fields, ["3:period", "3:value", "3:account"]);
        let ok = api(&t.router(), Method::POST, "/api/v1/usage/import", &token, None).await;
        assert_eq!(
            ok.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "an empty file names its columns"
        );
        let csv = format!("Compte;Indicateur;Période;Valeur\n{acc};Connexions;2026-08;400\n{acc};Connexions;2026-09;400\nOrbis;Connexions;2026-10;400\nOrbis;Connexions;2026-11;200\n");
        let r = bilan_testkit::http::raw(
            &t.router(),
            Method::POST,
            "/api/v1/usage/import",
            &token,
            "text/csv",
            csv.into_bytes(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["saved"], 4);
        assert!(marked(&t.app, ws, acc).await, "usage figures mark it");
        let h = health(&t, &token, acc).await;
        let usage = reason_of(&h, "usage");
        assert!(usage[0].contains("connexions") && usage[0].contains("-50"), "{usage:?}");
        t.clock.advance(Duration::minutes(2));
        t.run_pending_jobs().await;
    }
);

async fn health_row(app: &App, ws: Uuid, account: Uuid) -> (i32, chrono::DateTime<chrono::Utc>) {
    let mut pc = app.db.acquire().await.unwrap();
    let r = bilan_db::health::score_of(&mut pc.conn(), ws, account)
        .await
        .unwrap()
        .unwrap();
    (r.score, r.computed_at)
}

db_test!(history_keeps_one_row_per_account_and_day, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let ws = admin.workspace_id;
    let acc = account(&t, &admin, "Quadra", None).await;
    bilan_app::health::recompute_all(&t.app, ws).await.unwrap();
    t.clock.advance(Duration::hours(2));
    bilan_app::health::recompute_all(&t.app, ws).await.unwrap();
    let days = |app: App| async move {
        let mut pc = app.db.acquire().await.unwrap();
        bilan_db::health::history(
            &mut pc.conn(),
            ws,
            acc,
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        )
        .await
        .unwrap()
    };
    assert_eq!(days(t.app.clone()).await.len(), 1, "twice the same day: one row");
    t.clock.advance(Duration::days(1));
    let job = bilan_app::health::NightlyHealth::default();
    use bilan_app::jobs::JobKind;
    job.run(
        &t.app,
        &bilan_app::jobs::JobContext {
            id: Uuid::nil(),
            workspace_id: Some(ws),
            attempt: 1,
        },
    )
    .await
    .unwrap();
    let rows = days(t.app.clone()).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[1].0 - rows[0].0).num_days(), 1);
    t.run_pending_jobs().await;
});

db_test!(objectives_and_admission_follow_the_rules, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin, "Lumière", None).await;
    let post = |path: String, body: Value| {
        let router = t.router();
        let token = token.clone();
        async move { api(&router, Method::POST, &path, &token, Some(body)).await }
    };
    let path = format!("/api/v1/accounts/{acc}/objectives");
    let ok = post(
        path.clone(),
        json!({"title": "Équiper les 12 sites", "metric": "sites équipés", "baseline": 4, "target": 12,
               "due_on": "2027-06-30", "owner_id": admin.user_id.to_string()}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.json()["target"], "12");
    for (missing, body) in [
        (
            "target",
            json!({"title": "Mieux servir", "metric": "NPS", "due_on": "2027-06-30", "owner_id": admin.user_id.to_string()}),
        ),
        (
            "due_on",
            json!({"title": "Mieux servir", "metric": "NPS", "target": 40, "owner_id": admin.user_id.to_string()}),
        ),
    ] {
        let r = post(path.clone(), body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], missing, "{}", r.body);
    }
    let r = post(
        path.clone(),
        json!({"title": "x", "metric": "y", "target": 1, "due_on": "2027-01-01", "colour": "red"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "unknown fields are refused");

    // A risk; exposure is probability × impact.
    let risk = post(
        format!("/api/v1/accounts/{acc}/risks"),
        json!({"title": "Départ du DSI", "probability": 3, "impact": 5, "mitigation": "Rencontrer son adjoint"}),
    )
    .await;
    assert_eq!(risk.status, StatusCode::CREATED, "{}", risk.body);
    assert_eq!(risk.json()["exposure"], 15);
    assert_eq!(risk.json()["severity"], "high");

    // Admission: under the threshold, refused naming the score.
    let put = |body: Value| {
        let router = t.router();
        let token = token.clone();
        async move {
            api(
                &router,
                Method::PUT,
                &format!("/api/v1/accounts/{acc}/key-account"),
                &token,
                Some(body),
            )
            .await
        }
    };
    let low = put(json!({"potential": "1", "probability": "1", "profitability": "2", "strategic_impact": "1", "fit": "2", "risk": "5", "manager_id": admin.user_id.to_string()})).await;
    assert_eq!(low.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", low.body);
    assert_eq!(low.json()["errors"][0]["field"], "score");
    let high = put(json!({"potential": "5", "probability": "4", "profitability": "3", "strategic_impact": "2", "fit": "5", "risk": "2", "manager_id": admin.user_id.to_string()})).await;
    assert_eq!(high.status, StatusCode::OK, "{}", high.body);
    assert_eq!(high.json()["tier"], "key", "71/100 suggests key");
    assert_eq!(high.json()["score"]["score"], 71);
    let prog = api(&t.router(), Method::GET, "/api/v1/key-accounts", &token, None)
        .await
        .json();
    assert_eq!(prog["items"][0]["open_objectives"], 1);
    assert_eq!(prog["items"][0]["open_risks"], 1);
    assert_eq!(prog["load"][0]["key_accounts"], 1);
    assert_eq!(prog["load"][0]["warning"], "light", "one key account is under three");
    assert_eq!(
        prog["items"][0]["notice_by"], "2026-12-31",
        "three months' notice before 31 March"
    );
    let a = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/accounts/{acc}"),
        &token,
        None,
    )
    .await
    .json();
    assert_eq!(a["notice_days"], 90);
    let plan = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/accounts/{acc}/plan"),
        &token,
        None,
    )
    .await
    .json();
    assert_eq!(plan["key_contact_gap"], true, "no decision maker known");
    assert_eq!(plan["objectives"][0]["title"], "Équiper les 12 sites");
});

db_test!(pages_follow_roles_and_keep_what_was_typed, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let viewer = t.with_user(Role::Viewer).await;
    let acc = account(&t, &admin, "Vega", None).await;
    let mut v = crate::logged_in(&t, &viewer).await;
    for path in [
        "/at-risk".to_owned(),
        "/key-accounts".to_owned(),
        format!("/accounts/{acc}/plan"),
        format!("/accounts/{acc}/health"),
    ] {
        let r = v.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    let plan = v.get(&format!("/accounts/{acc}/plan")).await;
    assert!(!plan.body.contains("id=\"objective-form\""), "a viewer has no forms");
    let beyond = v.get("/at-risk?page=7&watch=1").await;
    assert_eq!(
        beyond.status,
        StatusCode::OK,
        "a page beyond the last is empty, not an error"
    );
    assert!(!beyond.body.contains("id=\"next-page\""));
    let r = v
        .post_form(
            &format!("/accounts/{acc}/plan/objectives"),
            &[("title", "x"), ("target", "1"), ("due_on", "2027-01-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut a = crate::logged_in(&t, &admin).await;
    let r = a
        .post_form(
            &format!("/accounts/{acc}/plan/objectives"),
            &[
                ("title", "Doubler les commandes"),
                ("metric", "commandes par mois"),
                ("target", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Doubler les commandes"), "what was typed stays");
    assert!(r.body.contains("Target missing"), "{}", r.body);
    assert!(r.body.contains("Deadline missing"));
    let r = a
        .post_form(
            &format!("/accounts/{acc}/plan/objectives"),
            &[
                ("title", "Doubler les commandes"),
                ("metric", "commandes par mois"),
                ("baseline", "20"),
                ("target", "40"),
                ("due_on", "2027-09-30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let plan = a.get(&format!("/accounts/{acc}/plan")).await;
    assert!(plan.body.contains("Doubler les commandes") && plan.body.contains("stakeholder-map"));
    let r = a
        .post_form(
            &format!("/accounts/{acc}/plan/risks"),
            &[("title", "Départ du DSI"), ("probability", "9"), ("impact", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("id=\"e-risk-probability\">A level from 1 to 5"),
        "the error stands at its field"
    );
    let json = a.get(&format!("/accounts/{acc}/plan.json")).await;
    assert!(json.body.contains("Doubler les commandes"));
    // Updating its progress with words: refused in its row, the row left open.
    let plan = bilan_app::key_accounts::plan::plan(&t.app, &admin, acc).await.unwrap();
    let o = &plan.objectives[0];
    let acc_s = acc.to_string();
    let r = a
        .post_form(
            &format!("/objectives/{}", o.id),
            &[
                ("account", acc_s.as_str()),
                ("title", o.title.as_str()),
                ("metric", o.metric.as_str()),
                ("baseline", "20"),
                ("target", "40"),
                ("due_on", "2027-09-30"),
                ("current", "beaucoup"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("A number is expected") && r.body.contains("inline-edit\" open"),
        "{}",
        r.body
    );
    let r = a
        .post_form(
            &format!("/objectives/{}", o.id),
            &[
                ("account", acc_s.as_str()),
                ("title", o.title.as_str()),
                ("metric", o.metric.as_str()),
                ("baseline", "20"),
                ("target", "40"),
                ("due_on", "2027-09-30"),
                ("current", "30"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let plan = bilan_app::key_accounts::plan::plan(&t.app, &admin, acc).await.unwrap();
    assert_eq!(
        plan.objectives[0].progress.as_deref(),
        Some("50"),
        "(30 − 20) ÷ (40 − 20)"
    );
});

db_test!(the_command_line_shows_health_and_the_programme, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = account(&t, &admin, "Helios", Some(admin.user_id)).await;
    let run = |args: Vec<String>| crate::bilan_cli(&t, args);
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let a = acc.to_string();
    let out = run(s(&[
        "key-accounts",
        "admit",
        "--workspace",
        "Acme",
        &a,
        "--ratings",
        "5,5,5,4,4,1",
    ]))
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("strategic"));
    let out = run(s(&[
        "key-accounts",
        "objective",
        "--workspace",
        "Acme",
        &a,
        "--title",
        "Vague",
    ]))
    .await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("target"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(s(&["health", "show", "--workspace", "Acme", &a, "--english"])).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("satisfaction") && text.contains("No survey answer"),
        "{text}"
    );
    let out = run(s(&["key-accounts", "list", "--workspace", "Acme"])).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("Helios"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("light"));
});

db_test!(a_lost_account_keeps_its_health_but_leaves_the_lists, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let ws = admin.workspace_id;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin, "Perdu SA", None).await;
    health(&t, &token, acc).await;
    assert!(
        bilan_db::health::score_of(&mut t.app.db.acquire().await.unwrap().conn(), ws, acc)
            .await
            .unwrap()
            .is_some()
    );
    let a = bilan_app::accounts::show_account(&t.app, &admin, acc)
        .await
        .unwrap()
        .account;
    let mut input = a.to_input();
    input.status = Some("lost".into());
    input.lost_on = Some("2026-11-20".into());
    input.lost_reason = Some("Concurrent moins cher".into());
    bilan_app::accounts::update_account(&t.app, &admin, acc, a.version, &input)
        .await
        .unwrap();
    bilan_app::health::recompute_changed(&t.app, ws).await.unwrap();
    assert!(
        bilan_db::health::score_of(&mut t.app.db.acquire().await.unwrap().conn(), ws, acc)
            .await
            .unwrap()
            .is_none(),
        "a lost client is not scored among those one keeps"
    );
    let h = health(&t, &token, acc).await;
    assert!(h["score"].is_u64(), "its page still explains its health: {h}");
    let list = api(
        &t.router(),
        Method::GET,
        "/api/v1/health/at-risk?watch=true&limit=200",
        &token,
        None,
    )
    .await;
    assert!(!list.body.contains(&acc.to_string()));
    t.clock.advance(Duration::minutes(2));
    t.run_pending_jobs().await;
});

db_test!(settings_are_checked_saved_and_recompute_health, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin, "Réglages SA", None).await;
    let before = health(&t, &token, acc).await;
    let put = |tok: String, body: Value| {
        let router = t.router();
        async move { api(&router, Method::PUT, "/api/v1/key-accounts/settings", &tok, Some(body)).await }
    };
    let kam_token = t.token_for(&kam).await;
    assert_eq!(
        put(kam_token, json!({"at_risk_below": 70})).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = put(token.clone(), json!({"at_risk_below": 80, "watch_below": 70})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.json()["errors"][0]["field"], "watch_below");
    // Only usage counts now: an account without figures is judged on nothing, 50.
    let only_usage = json!({
        "health_weight_satisfaction": 0, "health_weight_engagement": 0, "health_weight_payment": 0,
        "health_weight_complaints": 0, "health_weight_relationship": 0, "health_weight_renewal": 0,
        "health_weight_usage": 10, "at_risk_below": 55, "watch_below": 70
    });
    let ok = put(token.clone(), only_usage).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["at_risk_below"], 55);
    assert_eq!(ok.json()["criteria_weights"]["potential"], 30, "left out: kept");
    t.run_pending_jobs().await;
    let after = health(&t, &token, acc).await;
    assert_eq!(after["score"], 50, "{after}");
    assert_ne!(before["score"], after["score"]);
    let mut page = crate::logged_in(&t, &admin).await;
    let form = page.get("/key-accounts/settings").await;
    assert!(form.body.contains("id=\"settings-form\""));
    let r = page
        .post_form(
            "/key-accounts/settings",
            &[("strategic_from", "40"), ("key_from", "abc")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("A whole number is expected") && r.body.contains("value=\"abc\""),
        "{}",
        r.body
    );
    t.clock.advance(Duration::minutes(2));
    t.run_pending_jobs().await;
});
