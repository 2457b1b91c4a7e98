//! Complaints on both engines: the API contract, deadlines on hand-computed dates,
//! every step by state and role, refusals that name their field, stale versions,
//! workspace isolation, letters through the outbox onto the timeline, the hot
//! survey after a resolution, the deadline job, settings, figures and export,
//! the pages and the command line.

use crate::{contact, danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_app::Actor;
use bilan_domain::roles::{Permission, Role};
use bilan_testkit::http::api;
use bilan_testkit::{db_test, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

async fn account(t: &TestApp, admin: &Actor) -> Uuid {
    bilan_app::accounts::create_account(&t.app, admin, &danone())
        .await
        .unwrap()
        .id
}

fn case_body(account: Uuid, received_on: &str, kind: &str) -> Value {
    json!({
        "account_id": account.to_string(),
        "received_on": received_on,
        "channel": "email",
        "category": "delivery",
        "severity": "high",
        "client_kind": kind,
        "summary": "Trois palettes abîmées à la livraison du 2 novembre.",
    })
}

async fn open(t: &TestApp, token: &str, body: Value) -> Value {
    let res = api(&t.router(), Method::POST, "/api/v1/complaints", token, Some(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.json()
}

async fn step(t: &TestApp, token: &str, case: &Value, body: Value) -> bilan_testkit::http::TestResponse {
    let id = case["id"].as_str().unwrap();
    api(
        &t.router(),
        Method::POST,
        &format!("/api/v1/complaints/{id}/transitions"),
        token,
        Some(body),
    )
    .await
}

db_test!(the_api_contract_holds, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    // Business: acknowledgement and answer deadlines, no consumer mediation date.
    let b = open(&t, &token, case_body(acc, "2026-11-20", "business")).await;
    assert_eq!(b["state"], "received");
    assert_eq!(
        b["deadlines"]["acknowledge_by"], "2026-11-24",
        "Friday + 2 working days"
    );
    assert_eq!(b["deadlines"]["answer_by"], "2027-01-20");
    assert!(b["deadlines"].get("mediation_request_by").is_none());
    assert_eq!(b["reference"], "R-2026-0001");
    // Consumer: the date until which they may ask the mediator.
    let c = open(&t, &token, case_body(acc, "2026-09-01", "consumer")).await;
    assert_eq!(c["deadlines"]["mediation_request_by"], "2027-09-01");
    assert_eq!(c["reference"], "R-2026-0002");
    // Acknowledge, answer, then the consumer goes to the mediator.
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "acknowledged", "on": "2026-09-02", "version": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "acknowledged");
    assert_eq!(r.json()["acknowledged_on"], "2026-09-02");
    let c = r.json();
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "refused", "on": "2026-10-01", "reason": "Les palettes ont été signées sans réserve.", "version": c["version"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = r.json();
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "in_mediation", "on": "2026-10-15", "version": c["version"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["deadlines"]["mediation_concludes_by"], "2027-01-13");
    assert_eq!(r.json()["due"][0]["kind"], "mediation_conclusion");
    // A stale version is refused and changes nothing.
    let stale = step(
        &t,
        &token,
        &c,
        json!({"to": "resolved", "on": "2026-11-01", "version": c["version"]}),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(stale.json()["code"], "stale_version");
    // The list: items and next_cursor; overdue=true keeps cases with a deadline passed.
    let list = api(
        &t.router(),
        Method::GET,
        "/api/v1/complaints?state=&overdue=true",
        &token,
        None,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.json()["items"].as_array().unwrap().is_empty(), "{}", list.body);
    assert!(list.json().get("next_cursor").is_some());
    t.clock.advance(chrono::Duration::days(3));
    let list = api(
        &t.router(),
        Method::GET,
        "/api/v1/complaints?overdue=true",
        &token,
        None,
    )
    .await;
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{}", list.body);
    assert_eq!(items[0]["id"], b["id"]);
    assert_eq!(items[0]["overdue"], true);
    let page = api(
        &t.router(),
        Method::GET,
        "/api/v1/complaints?state=all&limit=1",
        &token,
        None,
    )
    .await;
    assert_eq!(page.json()["items"].as_array().unwrap().len(), 1);
    let cursor = page.json()["next_cursor"].as_str().unwrap().to_owned();
    let next = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/complaints?state=all&limit=1&cursor={cursor}"),
        &token,
        None,
    )
    .await;
    assert_ne!(next.json()["items"][0]["id"], page.json()["items"][0]["id"]);
    // A case found by the reference people quote, or by its account's name.
    let found = api(
        &t.router(),
        Method::GET,
        "/api/v1/complaints?q=R-2026-0002",
        &token,
        None,
    )
    .await;
    let found = found.json()["items"].as_array().unwrap().clone();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["reference"], "R-2026-0002");
    let by_name = api(&t.router(), Method::GET, "/api/v1/complaints?q=danon", &token, None).await;
    assert_eq!(by_name.json()["items"].as_array().unwrap().len(), 2, "{}", by_name.body);
    let none = api(&t.router(), Method::GET, "/api/v1/complaints?q=michelin", &token, None).await;
    assert!(none.json()["items"].as_array().unwrap().is_empty());
    let f = api(
        &t.router(),
        Method::GET,
        "/api/v1/complaints/figures?q=0001",
        &token,
        None,
    )
    .await;
    assert_eq!(f.json()["cases"], 1);
    // The steps, oldest first.
    let id = c["id"].as_str().unwrap();
    let steps = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/complaints/{id}/steps"),
        &token,
        None,
    )
    .await;
    let states: Vec<String> = steps
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["to_state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(states, ["received", "acknowledged", "refused", "in_mediation"]);
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

db_test!(deadlines_on_hand_computed_dates, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    for (received, ack, answer, mediation) in [
        // Saturday 31 January: Monday and Tuesday; two months keep the 31st.
        ("2026-01-31", "2026-02-03", "2026-03-31", "2027-01-31"),
        // 29 February (a Thursday): Friday 1 and Monday 4 March; a year later is 28 February.
        ("2024-02-29", "2024-03-04", "2024-04-29", "2025-02-28"),
        // 31 December: 1 January is a holiday; two months clamp to 28 February.
        ("2025-12-31", "2026-01-05", "2026-02-28", "2026-12-31"),
    ] {
        let c = open(&t, &token, case_body(acc, received, "consumer")).await;
        assert_eq!(c["deadlines"]["acknowledge_by"], ack, "{received}");
        assert_eq!(c["deadlines"]["answer_by"], answer, "{received}");
        assert_eq!(c["deadlines"]["mediation_request_by"], mediation, "{received}");
    }
});

db_test!(wrong_input_names_its_field, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    let c = open(&t, &token, case_body(acc, "2026-11-10", "business")).await;
    // An answer dated before the receipt.
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "answered", "on": "2026-11-09", "version": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "on");
    assert_eq!(r.json()["errors"][0]["code"], "complaint.before_receipt");
    assert!(r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("before the complaint was received"));
    // A step the state does not allow.
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "closed", "on": "2026-11-12", "version": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "to");
    // A refusal without a reason; a gesture without a resolution.
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "refused", "on": "2026-11-12", "version": 1}),
    )
    .await;
    assert_eq!(r.json()["errors"][0]["field"], "reason");
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "answered", "on": "2026-11-12", "gesture": {"kind": "credit_note", "amount": "10.00"}, "version": 1}),
    )
    .await;
    assert_eq!(r.json()["errors"][0]["code"], "complaint.gesture_on_resolution");
    // Malformed bodies are 400 naming the property.
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "sideways", "on": "2026-11-12", "version": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "resolved", "on": "2026-11-12", "gesture": {"kind": "credit_note", "amount": 12.5}, "version": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // Opening: a date in the future, an unknown account, an exchange of another account.
    let mut bad = case_body(acc, "2026-12-24", "business");
    let r = api(
        &t.router(),
        Method::POST,
        "/api/v1/complaints",
        &token,
        Some(bad.clone()),
    )
    .await;
    assert_eq!(r.json()["errors"][0]["field"], "received_on");
    bad["received_on"] = json!("2026-11-01");
    bad["account_id"] = json!(Uuid::now_v7().to_string());
    let r = api(&t.router(), Method::POST, "/api/v1/complaints", &token, Some(bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "account_id");
    // Nothing half-written: still one case, still received, one step.
    let list = api(&t.router(), Method::GET, "/api/v1/complaints", &token, None).await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.json()["items"][0]["state"], "received");
    assert_eq!(list.json()["items"][0]["version"], 1);
});

db_test!(every_step_by_role, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let admin_token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    for role in Role::ALL {
        let actor = t.with_user(role).await;
        let token = t.token_for(&actor).await;
        // Handling: acknowledge.
        let c = open(&t, &admin_token, case_body(acc, "2026-11-16", "business")).await;
        let r = step(
            &t,
            &token,
            &c,
            json!({"to": "acknowledged", "on": "2026-11-17", "version": 1}),
        )
        .await;
        let can_write = role.can(Permission::WriteComplaints);
        assert_eq!(
            r.status.is_success(),
            can_write,
            "{} acknowledge: {}",
            role.code(),
            r.body
        );
        if !can_write {
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        }
        // Settling: a gesture, a refusal, mediation.
        let c = open(&t, &admin_token, case_body(acc, "2026-11-16", "business")).await;
        for (body, what) in [
            (
                json!({"to": "resolved", "on": "2026-11-20", "gesture": {"kind": "credit_note", "amount": "150.00", "currency": "EUR"}, "version": 1}),
                "gesture",
            ),
            (
                json!({"to": "refused", "on": "2026-11-20", "reason": "Non fondée", "version": 1}),
                "refusal",
            ),
        ] {
            let r = step(&t, &token, &c, body).await;
            let allowed = role.can(Permission::SettleComplaints);
            if allowed {
                assert_eq!(r.status, StatusCode::OK, "{} {what}: {}", role.code(), r.body);
                break;
            }
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{} {what}: {}", role.code(), r.body);
        }
        // Resolving without a gesture is handling.
        let c = open(&t, &admin_token, case_body(acc, "2026-11-16", "business")).await;
        let r = step(
            &t,
            &token,
            &c,
            json!({"to": "resolved", "on": "2026-11-20", "version": 1}),
        )
        .await;
        assert_eq!(r.status.is_success(), can_write, "{} resolve: {}", role.code(), r.body);
        // Everybody reads.
        let r = api(&t.router(), Method::GET, "/api/v1/complaints", &token, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", role.code());
        // Settings: admins and managers.
        let r = api(
            &t.router(),
            Method::PATCH,
            "/api/v1/complaints/settings",
            &token,
            Some(json!({"answer_months": 2, "version": 0})),
        )
        .await;
        if role.can(Permission::ConfigureComplaints) {
            assert_ne!(r.status, StatusCode::FORBIDDEN, "{}", role.code());
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", role.code());
        }
    }
    t.run_pending_jobs().await;
});

db_test!(a_case_of_another_workspace_is_never_visible, |t| async move {
    let a = t.user_in("Alpha", Role::Admin).await;
    let b = t.user_in("Beta", Role::Admin).await;
    let token_a = t.token_for(&a).await;
    let token_b = t.token_for(&b).await;
    let acc = account(&t, &a).await;
    let c = open(&t, &token_a, case_body(acc, "2026-11-16", "business")).await;
    let id = c["id"].as_str().unwrap();
    for (m, path, body) in [
        (Method::GET, format!("/api/v1/complaints/{id}"), None),
        (Method::GET, format!("/api/v1/complaints/{id}/steps"), None),
        (
            Method::POST,
            format!("/api/v1/complaints/{id}/transitions"),
            Some(json!({"to": "acknowledged", "on": "2026-11-17", "version": 1})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/complaints/{id}"),
            Some(json!({"owner_id": b.user_id.to_string(), "version": 1})),
        ),
    ] {
        let r = api(&t.router(), m.clone(), &path, &token_b, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}: {}", r.body);
    }
    let list = api(&t.router(), Method::GET, "/api/v1/complaints?state=all", &token_b, None).await;
    assert!(list.json()["items"].as_array().unwrap().is_empty());
    let figures = api(&t.router(), Method::GET, "/api/v1/complaints/figures", &token_b, None).await;
    assert_eq!(figures.json()["cases"], 0);
    // Opening a case on the other workspace's account is refused at the field.
    let r = api(
        &t.router(),
        Method::POST,
        "/api/v1/complaints",
        &token_b,
        Some(case_body(acc, "2026-11-16", "business")),
    )
    .await;
    assert_eq!(r.json()["errors"][0]["field"], "account_id");
    let mut page_b = logged_in(&t, &b).await;
    assert_eq!(
        page_b.get(&format!("/complaints/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Its numbers are its own.
    let acc_b = account(&t, &b).await;
    let own = open(&t, &token_b, case_body(acc_b, "2026-11-16", "business")).await;
    assert_eq!(own["reference"], "R-2026-0001");
});

/// Outbox rows of a purpose.
async fn mail(t: &TestApp, actor: &Actor, purpose: &str) -> Vec<bilan_db::outbox::OutboxRow> {
    let mut pc = t.app.db.acquire().await.unwrap();
    bilan_db::outbox::list(&mut pc.conn(), actor.workspace_id, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.purpose == purpose)
        .collect()
}

db_test!(letters_go_out_and_land_on_the_timeline, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    let claire = contact(&t, &admin, acc, "Martin", "claire.martin@danone.test").await;
    let mut body = case_body(acc, "2026-11-20", "consumer");
    body["contact_id"] = json!(claire.to_string());
    let c = open(&t, &token, body).await;
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "acknowledged", "on": "2026-11-23", "version": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["letter"]["kind"], "acknowledgement");
    assert_eq!(r.json()["letter"]["to"], "claire.martin@danone.test");
    let sent = mail(&t, &admin, "complaint_letter").await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].subject.contains("R-2026-0001"), "{}", sent[0].subject);
    assert!(sent[0].body_text.contains("Trois palettes abîmées"));
    assert!(sent[0].body_text.contains("20 janvier 2027"), "{}", sent[0].body_text);
    // On the timeline, about the case.
    let interaction = r.json()["letter"]["interaction_id"].as_str().unwrap().to_owned();
    let i = bilan_app::timeline::find_interaction(&t.app, &admin, interaction.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(i.related_kind.as_deref(), Some("complaint"));
    assert_eq!(i.contact_ids, vec![claire]);
    // The answer to a consumer names the mediator and the last day to ask.
    let c = r.json();
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "answered", "on": "2026-11-23", "reason": "Nous remplaçons les palettes.", "version": c["version"]}),
    )
    .await;
    assert_eq!(r.json()["letter"]["kind"], "answer");
    let sent = mail(&t, &admin, "complaint_letter").await;
    let answer = sent.iter().find(|m| m.subject.contains("réponse")).unwrap();
    assert!(answer.body_text.contains("Nous remplaçons les palettes."));
    assert!(answer.body_text.contains("médiateur"), "{}", answer.body_text);
    assert!(answer.body_text.contains("20 novembre 2027"), "{}", answer.body_text);
    // Without the letter box ticked, nothing goes out.
    let c = open(&t, &token, case_body(acc, "2026-11-20", "business")).await;
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "acknowledged", "on": "2026-11-23", "send_letter": false, "version": 1}),
    )
    .await;
    assert!(r.json().get("letter").is_none());
    assert_eq!(mail(&t, &admin, "complaint_letter").await.len(), 2);
    // The workspace's own template, with an unknown placeholder refused.
    let bad = api(
        &t.router(),
        Method::PUT,
        "/api/v1/complaints/letters/acknowledgement/fr",
        &token,
        Some(json!({"subject": "Réf. {reference}", "body": "Bonjour {nom}"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "body");
    let ok = api(
        &t.router(),
        Method::PUT,
        "/api/v1/complaints/letters/acknowledgement/fr",
        &token,
        Some(json!({"subject": "Bien reçu : {reference}", "body": "Bonjour {contact_name}, c'est noté."})),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let mut body = case_body(acc, "2026-11-21", "business");
    body["contact_id"] = json!(claire.to_string());
    let c = open(&t, &token, body).await;
    step(
        &t,
        &token,
        &c,
        json!({"to": "acknowledged", "on": "2026-11-23", "version": 1}),
    )
    .await;
    let sent = mail(&t, &admin, "complaint_letter").await;
    assert!(sent.iter().any(|m| m.subject == "Bien reçu : R-2026-0003"), "{sent:?}");
    t.run_pending_jobs().await;
});

db_test!(resolving_sends_the_hot_survey, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    let claire = crate::surveys::person(&t, &admin, acc, "Dupont", true, false, "buyer", None).await;
    let survey = crate::surveys::survey(&t, &admin, "Après réclamation", "csat").await;
    crate::surveys::rule(&t, &admin, survey, "complaint_resolved", "0", "").await;
    let mut body = case_body(acc, "2026-11-20", "business");
    body["contact_id"] = json!(claire.to_string());
    let c = open(&t, &token, body).await;
    let r = step(
        &t,
        &token,
        &c,
        json!({"to": "resolved", "on": "2026-11-23", "gesture": {"kind": "credit_note", "amount": "1250.50"}, "version": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["gesture"]["amount"]["amount"], "1250.50");
    let invitations = mail(&t, &admin, "survey_invitation").await;
    assert_eq!(invitations.len(), 1, "the rule on complaint_resolved asks the client");
    assert_eq!(invitations[0].to_address, "dupont@client.test");
    // A resolution logged weeks late is not hot: no survey.
    let mut body = case_body(acc, "2026-10-01", "business");
    body["contact_id"] = json!(claire.to_string());
    let c = open(&t, &token, body).await;
    step(
        &t,
        &token,
        &c,
        json!({"to": "resolved", "on": "2026-10-10", "version": 1}),
    )
    .await;
    assert_eq!(mail(&t, &admin, "survey_invitation").await.len(), 1);
    // The figures count the gesture in exact money.
    let f = api(&t.router(), Method::GET, "/api/v1/complaints/figures", &token, None).await;
    assert_eq!(f.json()["gestures"][0]["amount"], "1250.50");
    assert_eq!(f.json()["gesture_count"], 1);
    t.run_pending_jobs().await;
});

db_test!(the_deadline_job_alerts_once, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    // Received Friday 20 November: acknowledgement due Tuesday 24 — tomorrow.
    let c = open(&t, &token, case_body(acc, "2026-11-20", "business")).await;
    let r = bilan_app::complaints::deadlines::raise_alerts(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!((r.cases, r.alerts, r.mails), (1, 1, 1), "the eve");
    let again = bilan_app::complaints::deadlines::raise_alerts(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!(again.alerts, 0, "once per deadline and stage");
    let mails = mail(&t, &admin, "complaint_alert").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to_address, admin.email);
    // In the owner's day.
    let today = bilan_domain::timeline::local_day(t.app.now());
    let day = bilan_app::my_day::my_day(&t.app, &admin, today, 50).await.unwrap();
    assert_eq!(day.complaints_due.len(), 1);
    // Two days later the deadline has passed: the overdue alert, through the job.
    t.clock.advance(chrono::Duration::days(2));
    let owner_badge = bilan_app::my_day::badge(&t.app, &admin, bilan_domain::timeline::local_day(t.app.now()))
        .await
        .unwrap();
    assert!(owner_badge >= 1);
    let id: Uuid = c["id"].as_str().unwrap().parse().unwrap();
    bilan_app::jobs::worker::enqueue_due_slots(&t.app, &mut bilan_app::jobs::worker::SlotMemory::default())
        .await
        .unwrap();
    t.clock.advance(chrono::Duration::days(1));
    bilan_app::jobs::worker::enqueue_due_slots(&t.app, &mut bilan_app::jobs::worker::SlotMemory::default())
        .await
        .unwrap();
    let report = t.run_pending_jobs().await;
    assert_eq!(report.failed, 0);
    let mut pc = t.app.db.acquire().await.unwrap();
    let alerts = bilan_db::complaints::alerts(&mut pc.conn(), admin.workspace_id, id)
        .await
        .unwrap();
    drop(pc);
    let stages: Vec<&str> = alerts.iter().map(|a| a.stage.as_str()).collect();
    assert_eq!(stages, ["eve", "overdue"]);
    // Without e-mail alerts, the owner still sees it in their day but gets no mail.
    api(
        &t.router(),
        Method::PATCH,
        "/api/v1/complaints/settings",
        &token,
        Some(json!({"alert_by_email": false, "version": 0})),
    )
    .await;
    open(&t, &token, case_body(acc, "2026-11-23", "business")).await;
    t.clock.advance(chrono::Duration::days(1));
    let r = bilan_app::complaints::deadlines::raise_alerts(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert!(r.alerts >= 1 && r.mails == 0, "{r:?}");
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

db_test!(a_case_description_is_corrected, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    let claire = contact(&t, &admin, acc, "Martin", "claire.martin@danone.test").await;
    let mut body = case_body(acc, "2026-03-02", "business");
    body["contact_id"] = json!(claire.to_string());
    body["concerns"] = json!("Facture F-1");
    let c = open(&t, &token, body).await;
    let id = c["id"].as_str().unwrap();
    let patch = |v: Value| api_patch(&t, &token, id, v);
    let r = patch(json!({"category": "invoice", "client_kind": "consumer", "concerns": null, "version": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["category"], "invoice");
    assert_eq!(v["client_kind"], "consumer");
    assert_eq!(v["deadlines"]["mediation_request_by"], "2027-03-02");
    assert_eq!(
        v["deadlines"]["answer_by"], c["deadlines"]["answer_by"],
        "announced deadlines stay"
    );
    assert!(v["concerns"].is_null(), "null clears");
    assert_eq!(v["contact_id"], claire.to_string(), "absent keeps");
    assert_eq!(v["severity"], "high");
    let stale = patch(json!({"severity": "low", "version": 1})).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let bad = patch(json!({"contact_id": Uuid::now_v7().to_string(), "version": 2})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "contact_id");
    let bad = patch(json!({"severity": "apocalyptic", "version": 2})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // The page: a wrong value shows at its field and the rest typed stays.
    let mut page = logged_in(&t, &admin).await;
    let r = page
        .post_form(
            &format!("/complaints/{id}/edit"),
            &[
                ("version", "2"),
                ("owner_id", &admin.user_id.to_string()),
                ("contact_id", ""),
                ("category", "quality"),
                ("severity", "apocalyptic"),
                ("client_kind", "business"),
                ("concerns", "Lot 42 à garder"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"Lot 42 à garder\""));
    assert!(r.body.contains("id=\"edit-case\" open"));
    assert!(r.body.contains("Unknown severity"));
    let r = page
        .post_form(
            &format!("/complaints/{id}/edit"),
            &[
                ("version", "2"),
                ("owner_id", &admin.user_id.to_string()),
                ("contact_id", ""),
                ("category", "quality"),
                ("severity", "critical"),
                ("client_kind", "business"),
                ("concerns", "Lot 42"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = bilan_app::complaints::find_complaint(&t.app, &admin, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(after.contact_id, None, "cleared from the page");
    assert_eq!(after.deadlines.mediation_request_by, None, "business again");
    assert_eq!(after.concerns.as_deref(), Some("Lot 42"));
    assert_eq!(after.version, 3);
});

async fn api_patch(t: &TestApp, token: &str, id: &str, body: Value) -> bilan_testkit::http::TestResponse {
    api(
        &t.router(),
        Method::PATCH,
        &format!("/api/v1/complaints/{id}"),
        token,
        Some(body),
    )
    .await
}

db_test!(settings_apply_to_new_cases, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    let before = open(&t, &token, case_body(acc, "2026-11-02", "business")).await;
    let r = api(
        &t.router(),
        Method::PATCH,
        "/api/v1/complaints/settings",
        &token,
        Some(json!({"acknowledge_working_days": 5, "answer_months": 1, "mediator": "CM2C, 14 rue Saint-Jean, 75017 Paris", "version": 0})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 1);
    let bad = api(
        &t.router(),
        Method::PATCH,
        "/api/v1/complaints/settings",
        &token,
        Some(json!({"answer_months": 13, "version": 1})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "answer_months");
    let stale = api(
        &t.router(),
        Method::PATCH,
        "/api/v1/complaints/settings",
        &token,
        Some(json!({"answer_months": 3, "version": 0})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let after = open(&t, &token, case_body(acc, "2026-11-02", "business")).await;
    assert_eq!(after["deadlines"]["acknowledge_by"], "2026-11-09");
    assert_eq!(after["deadlines"]["answer_by"], "2026-12-02");
    let kept = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/complaints/{}", before["id"].as_str().unwrap()),
        &token,
        None,
    )
    .await;
    assert_eq!(
        kept.json()["deadlines"]["answer_by"],
        "2027-01-02",
        "a case keeps the deadlines announced"
    );
});

db_test!(figures_and_export_agree, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    for (received, ack, resolved) in [
        ("2026-10-01", "2026-10-02", "2026-10-11"),
        ("2026-10-05", "2026-10-08", "2026-11-04"),
    ] {
        let c = open(&t, &token, case_body(acc, received, "business")).await;
        let r = step(&t, &token, &c, json!({"to": "acknowledged", "on": ack, "version": 1})).await;
        step(
            &t,
            &token,
            &r.json(),
            json!({"to": "resolved", "on": resolved, "version": 2}),
        )
        .await;
    }
    open(&t, &token, case_body(acc, "2026-11-01", "business")).await;
    let f = api(&t.router(), Method::GET, "/api/v1/complaints/figures", &token, None)
        .await
        .json();
    assert_eq!(f["cases"], 3);
    assert_eq!(f["open"], 1);
    assert_eq!(f["overdue"], 1, "the third case was never acknowledged");
    assert_eq!(f["median_days_to_acknowledge"], "2");
    assert_eq!(f["median_days_to_resolve"], "20");
    assert_eq!(f["answered_within_period_pct"], "100.0");
    assert_eq!(f["by_category"][0]["category"], "delivery");
    // The figures are cached, yet any change shows at once (the clock has not moved).
    let third = api(
        &t.router(),
        Method::GET,
        "/api/v1/complaints?state=received",
        &token,
        None,
    )
    .await
    .json()["items"][0]
        .clone();
    step(
        &t,
        &token,
        &third,
        json!({"to": "acknowledged", "on": "2026-11-23", "version": 1}),
    )
    .await;
    let f = api(&t.router(), Method::GET, "/api/v1/complaints/figures", &token, None)
        .await
        .json();
    assert_eq!(f["overdue"], 0, "acknowledged: nothing late any more");
    open(&t, &token, case_body(acc, "2026-11-01", "business")).await;
    let f = api(&t.router(), Method::GET, "/api/v1/complaints/figures", &token, None)
        .await
        .json();
    assert_eq!((f["cases"].as_i64(), f["overdue"].as_i64()), (Some(4), Some(1)));
    let csv =
        bilan_app::complaints::figures::export_csv(&t.app, &admin, &bilan_app::complaints::ComplaintQuery::default())
            .await
            .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("reference,id,account_id,account"));
    assert!(lines[1].starts_with("R-2026-0004"), "overdue first: {csv}");
    // The page shows the same figures.
    let mut page = logged_in(&t, &admin).await;
    let body = page.get("/complaints?state=all").await.body;
    assert!(body.contains("R-2026-0001") && body.contains("R-2026-0004"));
    assert!(body.contains("100.0%"), "answered in time: {body}");
    let export = page.get("/complaints/export.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.body.lines().count(), 5);
});

db_test!(
    pages_open_a_case_from_an_exchange_and_keep_what_was_typed,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let acc = account(&t, &admin).await;
        let claire = contact(&t, &admin, acc, "Martin", "claire.martin@danone.test").await;
        let exchange = bilan_app::timeline::log_interaction(
            &t.app,
            &admin,
            &bilan_domain::timeline::InteractionInput {
                account_id: Some(acc.to_string()),
                channel: Some("email".into()),
                direction: Some("inbound".into()),
                occurred_at: Some("2026-11-20T10:00:00Z".into()),
                contact_ids: Some(claire.to_string()),
                subject: Some("Palettes abîmées".into()),
                summary: Some("Trois palettes sont arrivées cassées.".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut page = logged_in(&t, &admin).await;
        // The exchange offers to open a complaint.
        let timeline = page.get(&format!("/accounts/{acc}")).await;
        assert!(timeline
            .body
            .contains(&format!("/complaints/new?interaction={}", exchange.id)));
        let form = page.get(&format!("/complaints/new?interaction={}", exchange.id)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("Trois palettes sont arrivées cassées."));
        assert!(form.body.contains("2026-11-20"));
        // A wrong date and no category: 422, the errors at their fields, the words kept.
        let bad = page
            .post_form(
                "/complaints",
                &[
                    ("account_id", &acc.to_string()),
                    ("interaction_id", &exchange.id.to_string()),
                    ("received_on", "31/02/2026"),
                    ("channel", "email"),
                    ("category", ""),
                    ("summary", "Les mots du client, à garder"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("Les mots du client, à garder"));
        assert!(
            bad.body
                .contains("id=\"e-received_on\">Invalid date (DD/MM/YYYY or YYYY-MM-DD)"),
            "{}",
            bad.body
        );
        assert!(bad
            .body
            .contains("aria-invalid=\"true\" aria-describedby=\"e-category\""));
        let ok = page
            .post_form(
                "/complaints",
                &[
                    ("account_id", &acc.to_string()),
                    ("interaction_id", &exchange.id.to_string()),
                    ("received_on", "2026-11-20"),
                    ("channel", "email"),
                    ("category", "delivery"),
                    ("client_kind", "business"),
                    ("severity", "high"),
                    ("summary", "Trois palettes sont arrivées cassées."),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let case_url = ok.location().unwrap();
        let case_url = case_url.split('?').next().unwrap().to_owned();
        let case = page.get(&case_url).await;
        assert!(case.body.contains("R-2026-0001"));
        assert!(
            case.body.contains("Palettes abîmées"),
            "the exchange is the case's first entry"
        );
        // A step dated before the receipt: 422 on the case page, the answer's text kept.
        let bad = page
            .post_form(
                &format!("{case_url}/transitions"),
                &[
                    ("version", "1"),
                    ("to", "answered"),
                    ("on", "2026-11-19"),
                    ("reason", "Texte de réponse à garder"),
                    ("send_letter", "true"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Texte de réponse à garder"));
        assert!(bad.body.contains("This date is before the complaint was received"));
        assert!(bad.body.contains("id=\"step-answered\" open"));
        let moved = page
            .post_form(
                &format!("{case_url}/transitions"),
                &[
                    ("version", "1"),
                    ("to", "acknowledged"),
                    ("on", "2026-11-23"),
                    ("send_letter", "true"),
                ],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let after = page.get(&moved.location().unwrap()).await;
        assert!(after.body.contains("The letter is on its way to the client."));
        // The account page's section lists it.
        let section = page.get_htmx(&format!("/accounts/{acc}/complaints")).await;
        assert!(section.body.contains("R-2026-0001"));
        // Stale form: 409 with the form again.
        let stale = page
            .post_form(
                &format!("{case_url}/transitions"),
                &[("version", "1"), ("to", "investigating"), ("on", "2026-11-23")],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        // A viewer sees the case but no step to take.
        let viewer = t.with_user(Role::Viewer).await;
        let mut vpage = logged_in(&t, &viewer).await;
        let seen = vpage.get(&case_url).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(!seen.body.contains("id=\"next-steps\""));
        assert_eq!(vpage.get("/complaints/new").await.status, StatusCode::FORBIDDEN);
        assert_eq!(vpage.get("/complaints/settings").await.status, StatusCode::FORBIDDEN);
        t.run_pending_jobs().await;
    }
);

db_test!(a_large_accounts_contact_stays_in_the_forms, |t| async move {
    // More contacts than a select lists: the one who wrote is still offered, selected.
    let admin = t.with_user(Role::Admin).await;
    let acc = account(&t, &admin).await;
    for i in 0..205 {
        contact(&t, &admin, acc, &format!("Aaron{i:03}"), &format!("a{i}@danone.test")).await;
    }
    let zoe = contact(&t, &admin, acc, "Zola", "zoe.zola@danone.test").await;
    let exchange = bilan_app::timeline::log_interaction(
        &t.app,
        &admin,
        &bilan_domain::timeline::InteractionInput {
            account_id: Some(acc.to_string()),
            channel: Some("email".into()),
            direction: Some("inbound".into()),
            occurred_at: Some("2026-11-20T10:00:00Z".into()),
            contact_ids: Some(zoe.to_string()),
            subject: Some("Palettes".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut page = logged_in(&t, &admin).await;
    let form = page.get(&format!("/complaints/new?interaction={}", exchange.id)).await;
    assert!(
        form.body.contains(&format!("<option value=\"{zoe}\" selected>")),
        "the exchange's contact is offered and selected"
    );
    let c = bilan_app::complaints::input_from_interaction(&t.app, &admin, exchange.id)
        .await
        .unwrap();
    let case = bilan_app::complaints::open_complaint(
        &t.app,
        &admin,
        &bilan_domain::complaints::ComplaintInput {
            category: Some("delivery".into()),
            ..c
        },
    )
    .await
    .unwrap();
    let show = page.get(&format!("/complaints/{}", case.id)).await;
    assert!(show.body.contains(&format!("<option value=\"{zoe}\" selected>")));
});

db_test!(settings_page_keeps_a_refused_template, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut page = logged_in(&t, &admin).await;
    let form = page.get("/complaints/settings").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("{reference}"));
    let bad = page
        .post_form(
            "/complaints/letters/answer/en",
            &[("subject", "About {reference}"), ("body", "Dear {client}, our answer.")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Dear {client}, our answer."));
    assert!(bad.body.contains("Unknown field in braces"));
    let bad = page
        .post_form(
            "/complaints/settings",
            &[
                ("version", "0"),
                ("acknowledge_working_days", "deux"),
                ("answer_months", "2"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"deux\""));
    assert!(bad.body.contains("From 0 to 30 working days"));
});

db_test!(the_command_line_opens_moves_and_lists, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = account(&t, &admin).await;
    let ws = {
        let mut pc = t.app.db.acquire().await.unwrap();
        bilan_db::workspaces::find(&mut pc.conn(), admin.workspace_id)
            .await
            .unwrap()
            .unwrap()
            .name
    };
    let run = |args: Vec<String>| crate::bilan_cli(&t, args);
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let out = run(s(&[
        "complaints",
        "open",
        "--workspace",
        &ws,
        "--account",
        &acc.to_string(),
        "--received-on",
        "2026-11-20",
        "--category",
        "invoice",
        "--summary",
        "Facture en double",
    ]))
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    let id = line.split('\t').next().unwrap().trim().to_owned();
    assert!(line.contains("R-2026-0001"));
    let bad = run(s(&[
        "complaints",
        "move",
        "--workspace",
        &ws,
        &id,
        "--to",
        "answered",
        "--on",
        "2026-11-01",
    ]))
    .await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("on: This date is before the complaint was received"));
    let ok = run(s(&[
        "complaints",
        "move",
        "--workspace",
        &ws,
        &id,
        "--to",
        "acknowledged",
        "--on",
        "2026-11-20",
    ]))
    .await;
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let list = run(s(&["complaints", "list", "--workspace", &ws, "--state", "open"])).await;
    let listed = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(listed.contains(&id) && listed.contains("acknowledged"), "{listed}");
    let show = run(s(&["complaints", "show", "--workspace", &ws, &id])).await;
    assert!(String::from_utf8_lossy(&show.stdout).contains("answer by 2027-01-20"));
    let export = run(s(&["complaints", "export", "--workspace", &ws])).await;
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 2);
});
