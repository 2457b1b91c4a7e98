//! Shared history through the API and the pages (the use cases are tested in `timeline`).

use crate::{danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::api;
use serde_json::json;

db_test!(timeline_over_the_api, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let a = acc.id.to_string();
    let batch = json!({"items": [
        {"account_id": a, "channel": "email", "direction": "inbound", "occurred_at": "2026-11-20T09:00:00Z", "subject": "Retard de livraison", "external_ref": "<m1@danone.fr>"},
        {"account_id": a, "channel": "email", "direction": "outbound", "occurred_at": "2026-11-20T11:30:00Z", "subject": "Re: Retard de livraison", "external_ref": "<m2@acme.fr>",
         "follow_up_what": "Rappeler le client", "follow_up_due": "2026-11-21"},
    ]});
    let res = api(
        &router,
        Method::POST,
        "/api/v1/interactions/batch",
        &token,
        Some(batch.clone()),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["inserted"], 2);
    let again = api(&router, Method::POST, "/api/v1/interactions/batch", &token, Some(batch)).await;
    assert_eq!(
        again.json()["skipped_duplicates"],
        2,
        "re-sending the same e-mails does not duplicate"
    );
    let bad = json!({"items": [{"account_id": a, "channel": "pigeon", "direction": "inbound", "occurred_at": "2026-11-20T09:00:00Z"}]});
    let res = api(&router, Method::POST, "/api/v1/interactions/batch", &token, Some(bad)).await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "not a channel of the documented list"
    );
    assert_eq!(res.json()["errors"][0]["field"], "items[0].channel");
    let list = api(
        &router,
        Method::GET,
        &format!("/api/v1/accounts/{a}/interactions"),
        &token,
        None,
    )
    .await
    .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["direction"], "outbound", "newest first");
    assert_eq!(items[1]["response_seconds"], 9000, "answered in 2 h 30");
    let found = api(
        &router,
        Method::GET,
        &format!("/api/v1/accounts/{a}/interactions?q=livraison&direction=inbound"),
        &token,
        None,
    )
    .await;
    assert_eq!(found.json()["items"].as_array().unwrap().len(), 1);
    let stats = api(&router, Method::GET, "/api/v1/response-times", &token, None)
        .await
        .json();
    assert_eq!(stats["count"], 1);
    assert_eq!(stats["median_seconds"], 9000);
    assert_eq!(stats["by_channel"][0]["key"], "email");
    let fu = api(&router, Method::GET, "/api/v1/follow-ups", &token, None)
        .await
        .json();
    let overdue = fu["overdue"].as_array().unwrap();
    assert_eq!(
        overdue.len(),
        1,
        "due 2026-11-21, today is 2026-11-23 in the test clock"
    );
    let id = overdue[0]["id"].as_str().unwrap().to_owned();
    let done = api(
        &router,
        Method::POST,
        &format!("/api/v1/follow-ups/{id}/done"),
        &token,
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.json()["follow_up"]["done_at"].is_string());
    let patch = api(
        &router,
        Method::PATCH,
        &format!("/api/v1/interactions/{id}"),
        &token,
        Some(json!({"summary": "Rappel fait", "version": 1})),
    )
    .await;
    assert_eq!(
        patch.status,
        StatusCode::CONFLICT,
        "completing the follow-up changed the version"
    );
    let viewer = t.with_user(Role::Viewer).await;
    let vt = t.token_for(&viewer).await;
    let denied = api(
        &router,
        Method::POST,
        &format!("/api/v1/accounts/{a}/interactions"),
        &vt,
        Some(json!({"channel": "phone", "direction": "outbound", "occurred_at": "2026-11-22T10:00:00Z"})),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        api(
            &router,
            Method::GET,
            &format!("/api/v1/accounts/{a}/interactions"),
            &vt,
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    let other = t.user_in("Elsewhere", Role::Admin).await;
    let ot = t.token_for(&other).await;
    assert_eq!(
        api(
            &router,
            Method::GET,
            &format!("/api/v1/accounts/{a}/interactions"),
            &ot,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(&router, Method::GET, &format!("/api/v1/interactions/{id}"), &ot, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

db_test!(timeline_pages, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let buyer = bilan_app::contacts::create_contact(
        &t.app,
        &admin,
        &bilan_domain::contacts::ContactInput {
            account_id: Some(acc.id.to_string()),
            first_name: Some("Inès".into()),
            last_name: Some("Barbier".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let buyer_id = buyer.id.to_string();
    let mut c = logged_in(&t, &admin).await;
    let res = c
        .post_form(
            &format!("/accounts/{}/interactions", acc.id),
            &[
                ("contact_ids", buyer_id.as_str()),
                ("channel", "phone"),
                ("direction", "inbound"),
                ("occurred_at", "2026-11-23T09:30"),
                ("subject", "Appel entrant"),
                ("follow_up_what", "Envoyer le devis"),
                ("follow_up_due", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = c.get(&format!("/accounts/{}", acc.id)).await;
    assert!(page.body.contains("Appel entrant") && page.body.contains("Envoyer le devis"));
    assert!(page.body.contains("↔ Inès Barbier"), "the contact involved is named");
    let on_contact = c.get(&format!("/contacts/{}", buyer.id)).await;
    assert!(
        on_contact.body.contains("Appel entrant"),
        "the contact page shows the exchanges involving her"
    );
    assert!(
        on_contact.body.contains("id=\"log-form\"") && on_contact.body.contains(&format!("value=\"{}\"", buyer.id))
    );
    let frag = c
        .get_htmx(&format!("/accounts/{}/timeline?contact={}", acc.id, buyer.id))
        .await;
    assert!(frag.body.contains("Appel entrant"));
    assert!(page.body.contains("Shared history"), "labels are translated");
    let frag = c.get_htmx(&format!("/accounts/{}/timeline?q=entrant", acc.id)).await;
    assert!(frag.body.contains("Appel entrant") && !frag.body.contains("<html"));
    let follow = c.get("/follow-ups").await;
    assert!(follow.body.contains("Envoyer le devis"), "{}", follow.body);
    let bad = c
        .post_form(
            &format!("/accounts/{}/interactions", acc.id),
            &[("channel", "phone"), ("direction", "sideways"), ("occurred_at", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(c.get("/response-times").await.status, StatusCode::OK);
    let viewer = t.with_user(Role::Viewer).await;
    let mut v = logged_in(&t, &viewer).await;
    let page = v.get(&format!("/accounts/{}", acc.id)).await;
    assert!(
        page.body.contains("Appel entrant") && !page.body.contains("id=\"log-form\""),
        "viewers read, do not log"
    );
    let denied = v
        .post_form(
            &format!("/accounts/{}/interactions", acc.id),
            &[
                ("channel", "phone"),
                ("direction", "inbound"),
                ("occurred_at", "2026-11-23T09:30"),
            ],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
});

db_test!(workspace_search_finds_exchanges_without_accents, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let input = bilan_domain::timeline::InteractionInput {
        account_id: Some(acc.id.to_string()),
        channel: Some("email".into()),
        direction: Some("inbound".into()),
        occurred_at: Some("2026-11-20T09:00:00Z".into()),
        subject: Some("Réclamation : colis abîmé".into()),
        summary: Some("Le colis est arrivé abîmé, retard de livraison de trois jours.".into()),
        ..Default::default()
    };
    bilan_app::timeline::log_interaction(&t.app, &admin, &input)
        .await
        .unwrap();
    let other = t.user_in("Elsewhere", Role::Admin).await;
    let other_acc = bilan_app::accounts::create_account(&t.app, &other, &danone())
        .await
        .unwrap();
    let mut theirs = input.clone();
    theirs.account_id = Some(other_acc.id.to_string());
    bilan_app::timeline::log_interaction(&t.app, &other, &theirs)
        .await
        .unwrap();
    let r = bilan_app::search::search_all(&t.app, &admin, "reclamation abime", 10)
        .await
        .unwrap();
    assert_eq!(r.interactions.len(), 1, "only this workspace's exchange");
    assert_eq!(r.interactions[0].account_id, acc.id);
    assert_eq!(r.account_names.get(&acc.id).map(String::as_str), Some("Danone"));
    let mut c = logged_in(&t, &admin).await;
    let page = c.get("/search?q=livraison").await;
    assert!(page.body.contains("<mark>livraison</mark>"), "{}", page.body);
    let page = c.get("/search?q=danone").await;
    assert!(page.body.contains(&format!("/accounts/{}", acc.id)) && !page.body.contains(&other_acc.id.to_string()));
    let token = t.token_for(&admin).await;
    let res = api(&router, Method::GET, "/api/v1/search?q=ABIME", &token, None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["interactions"].as_array().unwrap().len(), 1);
    let empty = api(&router, Method::GET, "/api/v1/search?q=", &token, None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(linking_an_answer_from_the_timeline_page, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let log = |direction: &str, at: &str, subject: &str| bilan_domain::timeline::InteractionInput {
        account_id: Some(acc.id.to_string()),
        channel: Some("email".into()),
        direction: Some(direction.into()),
        occurred_at: Some(at.into()),
        subject: Some(subject.into()),
        ..Default::default()
    };
    let request =
        bilan_app::timeline::log_interaction(&t.app, &admin, &log("inbound", "2026-11-20T09:00:00Z", "Question"))
            .await
            .unwrap();
    bilan_app::timeline::log_interaction(
        &t.app,
        &admin,
        &log("outbound", "2026-11-20T10:00:00Z", "Accusé de réception"),
    )
    .await
    .unwrap();
    let real = bilan_app::timeline::log_interaction(
        &t.app,
        &admin,
        &log("outbound", "2026-11-20T12:00:00Z", "Vraie réponse"),
    )
    .await
    .unwrap();
    let mut c = logged_in(&t, &admin).await;
    let page = c.get(&format!("/accounts/{}", acc.id)).await;
    assert!(
        page.body
            .contains(&format!("action=\"/interactions/{}/answer\"", request.id)),
        "inbound entries offer the link"
    );
    let res = c
        .post_form(
            &format!("/interactions/{}/answer", request.id),
            &[("outbound_id", &real.id.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let linked = bilan_app::timeline::find_interaction(&t.app, &admin, request.id)
        .await
        .unwrap();
    assert_eq!(linked.answered_by, Some(real.id));
    assert_eq!(linked.response_seconds, Some(3 * 3600));
    let page = c.get(&format!("/accounts/{}", acc.id)).await;
    assert!(
        !page
            .body
            .contains(&format!("action=\"/interactions/{}/answer\"", request.id)),
        "linked by hand: no more offer"
    );
    let bad = c
        .post_form(
            &format!("/interactions/{}/answer", real.id),
            &[("outbound_id", &request.id.to_string())],
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an outbound exchange awaits no answer"
    );
});

db_test!(contact_picker_finds_among_many_and_keeps_the_chosen, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for last in (0..40).map(|i| format!("Durand{i:02}")).chain(["Lefèvre".to_owned()]) {
        let c = bilan_domain::contacts::ContactInput {
            account_id: Some(acc.id.to_string()),
            last_name: Some(last),
            email: None,
            ..Default::default()
        };
        ids.push(
            bilan_app::contacts::create_contact(&t.app, &admin, &c)
                .await
                .unwrap()
                .id,
        );
    }
    let mut c = logged_in(&t, &admin).await;
    let page = c.get(&format!("/accounts/{}", acc.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let offered = page.body.matches("name=\"contact_ids\"").count();
    assert_eq!(offered, 12, "a short first list, not all 41 contacts");
    let chosen = ids[3];
    let found = c
        .get_htmx(&format!(
            "/accounts/{}/contact-picker?contact_q=lefevre&contact_ids={chosen}",
            acc.id
        ))
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("Lefèvre"), "{}", found.body);
    assert!(
        found.body.contains(&format!("value=\"{chosen}\" checked")),
        "the chosen stays checked"
    );
    assert!(!found.body.contains("Durand05"), "{}", found.body);
    let none = c
        .get_htmx(&format!("/accounts/{}/contact-picker?contact_q=zzz", acc.id))
        .await;
    assert!(!none.body.contains("checkbox"), "{}", none.body);
    assert!(
        none.body.contains("Aucun contact ne correspond") || none.body.contains("No contact matches"),
        "{}",
        none.body
    );
});
