//! Hot satisfaction through the API and the pages (the use cases are tested in `surveys`).

use crate::{danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::{api, PageClient};
use serde_json::json;

/// The link secret of the latest queued e-mail of the workspace.
async fn latest_secret(t: &bilan_testkit::TestApp, actor: &bilan_app::Actor) -> String {
    let mut pc = t.app.db.acquire().await.unwrap();
    let rows = bilan_db::outbox::list(&mut pc.conn(), actor.workspace_id, 1)
        .await
        .unwrap();
    let body = &rows[0].body_text;
    let start = body.find("/s/").unwrap() + 3;
    body[start..start + 64].to_owned()
}

db_test!(surveys_over_the_api, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let contact = crate::contact(&t, &admin, acc.id, "Durand", "durand@danone.test").await;
    // Consent is required: give it.
    let c = bilan_app::contacts::find_contact(&t.app, &admin, contact)
        .await
        .unwrap();
    let mut input = c.to_input();
    input.survey_consent = Some("true".into());
    bilan_app::contacts::update_contact(&t.app, &admin, contact, c.version, &input)
        .await
        .unwrap();

    let bad = api(
        &router,
        Method::POST,
        "/api/v1/surveys",
        &token,
        Some(json!({"name": "X", "kind": "stars"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "not a kind of the documented list");
    assert_eq!(bad.json()["errors"][0]["field"], "kind");
    let bad = api(
        &router,
        Method::POST,
        "/api/v1/surveys",
        &token,
        Some(json!({"name": "X", "kind": "nps", "question_fr": "", "question_en": ""})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.contains(&"question_fr".to_owned()), "{fields:?}");
    let created = api(
        &router,
        Method::POST,
        "/api/v1/surveys",
        &token,
        Some(json!({"name": "CSAT support", "kind": "csat", "question_fr": "Êtes-vous satisfait ?", "expiry_days": 7})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let rule = api(
        &router,
        Method::POST,
        &format!("/api/v1/surveys/{id}/rules"),
        &token,
        Some(json!({"event_kind": "support_exchange", "delay_hours": 2, "roles": ["key_user"]})),
    )
    .await;
    assert_eq!(rule.status, StatusCode::CREATED, "{}", rule.body);
    let patched = api(
        &router,
        Method::PATCH,
        &format!("/api/v1/surveys/{id}"),
        &token,
        Some(json!({"name": "CSAT après support", "version": 1})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["rules"][0]["event_kind"], "support_exchange");
    let stale = api(
        &router,
        Method::PATCH,
        &format!("/api/v1/surveys/{id}"),
        &token,
        Some(json!({"name": "Y", "version": 1})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let list = api(&router, Method::GET, "/api/v1/surveys", &token, None).await;
    assert_eq!(list.json()["interval_days"], 30);
    assert_eq!(list.json()["surveys"][0]["name"], "CSAT après support");

    let sent = api(
        &router,
        Method::POST,
        &format!("/api/v1/surveys/{id}/send"),
        &token,
        Some(json!({"account_id": acc.id.to_string(), "contact_ids": [contact.to_string()]})),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json()["scheduled"], 1);
    assert_eq!(sent.json()["contacts"][0]["outcome"], "eligible");
    let again = api(
        &router,
        Method::POST,
        &format!("/api/v1/surveys/{id}/send"),
        &token,
        Some(json!({"account_id": acc.id.to_string(), "contact_ids": [contact.to_string()]})),
    )
    .await;
    assert_eq!(again.json()["contacts"][0]["outcome"], "surveyed_recently");
    let outbox = api(&router, Method::GET, "/api/v1/outbox", &token, None).await;
    assert_eq!(outbox.json()["counts"]["pending"], 1);
    let message = outbox.json()["messages"][0]["id"].as_str().unwrap().to_owned();
    let not_failed = api(
        &router,
        Method::POST,
        &format!("/api/v1/outbox/{message}/retry"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        not_failed.status,
        StatusCode::NOT_FOUND,
        "only a failed message is sent again"
    );

    // The contact answers on the public page, without any login.
    let secret = latest_secret(&t, &admin).await;
    let mut public = PageClient::new(t.router());
    let page = public.get(&format!("/s/{secret}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Êtes-vous satisfait ?"), "{}", page.body);
    assert_eq!(page.body.matches("name=\"score\"").count(), 5, "CSAT is on 1–5");
    let off_scale = public.post_form(&format!("/s/{secret}"), &[("score", "6")]).await;
    assert_eq!(off_scale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(off_scale.body.contains("answer-error"));
    let done = public
        .post_form(
            &format!("/s/{secret}"),
            &[("score", "2"), ("comment", "Trop long <script>")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Merci"));
    let reused = public.get(&format!("/s/{secret}")).await;
    assert_eq!(reused.status, StatusCode::GONE);
    assert!(reused.body.contains("Déjà répondu"));
    let forged = public.get(&format!("/s/{}", "f".repeat(64))).await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    assert_eq!(
        forged.headers.get("referrer-policy").map(|v| v.to_str().unwrap()),
        Some("same-origin")
    );

    let sat = api(
        &router,
        Method::GET,
        "/api/v1/satisfaction?period=quarter",
        &token,
        None,
    )
    .await;
    assert_eq!(sat.status, StatusCode::OK, "{}", sat.body);
    let j = sat.json();
    assert_eq!(j["overall"]["csat"], "0.0");
    assert_eq!(j["overall"]["csat_answers"], 1);
    assert_eq!(j["period"], "quarter");
    assert_eq!(j["verbatims"][0]["comment"], "Trop long <script>");
    assert_eq!(j["by_segment"].as_array().unwrap().len(), 1);
    let bad_range = api(
        &router,
        Method::GET,
        "/api/v1/satisfaction?from=2026-12-01&to=2026-01-01",
        &token,
        None,
    )
    .await;
    assert_eq!(bad_range.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_range.json()["errors"][0]["field"], "to");
    let answers = api(&router, Method::GET, "/api/v1/survey-answers?limit=1", &token, None).await;
    assert_eq!(answers.json()["items"][0]["score"], 2);
    let csv = api(&router, Method::GET, "/api/v1/exports/survey-answers", &token, None).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Trop long <script>"));
    let rule_id = patched.json()["rules"][0]["id"].as_str().unwrap().to_owned();
    let gone = api(
        &router,
        Method::DELETE,
        &format!("/api/v1/survey-rules/{rule_id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let settings = api(
        &router,
        Method::PUT,
        "/api/v1/survey-settings",
        &token,
        Some(json!({"interval_days": 400})),
    )
    .await;
    assert_eq!(settings.status, StatusCode::UNPROCESSABLE_ENTITY);
    let settings = api(
        &router,
        Method::PUT,
        "/api/v1/survey-settings",
        &token,
        Some(json!({"interval_days": 45})),
    )
    .await;
    assert_eq!(settings.json()["interval_days"], 45);

    // Roles and workspaces.
    let viewer = t.with_user(Role::Viewer).await;
    let vt = t.token_for(&viewer).await;
    assert_eq!(
        api(&router, Method::GET, "/api/v1/satisfaction", &vt, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        api(
            &router,
            Method::POST,
            "/api/v1/surveys",
            &vt,
            Some(json!({"name": "Z", "kind": "nps", "question_fr": "?"}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api(&router, Method::GET, "/api/v1/outbox", &vt, None).await.status,
        StatusCode::FORBIDDEN
    );
    let stranger = t.user_in("Globex", Role::Admin).await;
    let st = t.token_for(&stranger).await;
    assert_eq!(
        api(&router, Method::GET, &format!("/api/v1/surveys/{id}"), &st, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(&router, Method::GET, "/api/v1/survey-answers", &st, None)
            .await
            .json()["items"],
        json!([])
    );
});

db_test!(surveys_in_the_pages, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut page = logged_in(&t, &admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let contact = crate::contact(&t, &admin, acc.id, "Durand", "durand@danone.test").await;
    let c = bilan_app::contacts::find_contact(&t.app, &admin, contact)
        .await
        .unwrap();
    let mut input = c.to_input();
    input.survey_consent = Some("true".into());
    bilan_app::contacts::update_contact(&t.app, &admin, contact, c.version, &input)
        .await
        .unwrap();

    let list = page.get("/surveys").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("survey-form"));
    let refused = page
        .post_form("/surveys", &[("name", ""), ("kind", "nps"), ("question_fr", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("form-error"));
    let created = page
        .post_form(
            "/surveys",
            &[
                ("name", "NPS trimestriel"),
                ("kind", "nps"),
                ("question_fr", "Nous recommanderiez-vous ?"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let at = created.location().unwrap();
    let survey_id = at.trim_start_matches("/surveys/").split('?').next().unwrap().to_owned();
    let shown = page.get(&at).await;
    assert!(shown.body.contains("rule-form"));
    let ruled = page
        .post_form(
            &format!("/surveys/{survey_id}/rules"),
            &[
                ("event_kind", "delivery"),
                ("delay_hours", "0"),
                ("roles", "key_user"),
                ("roles", "buyer"),
            ],
        )
        .await;
    assert_eq!(ruled.status, StatusCode::SEE_OTHER, "{}", ruled.body);
    let shown = page.get(&format!("/surveys/{survey_id}")).await;
    assert!(
        shown.body.contains("Key user") || shown.body.contains("Utilisateur"),
        "{}",
        shown.body
    );
    let interval = page.post_form("/surveys/settings", &[("interval_days", "abc")]).await;
    assert_eq!(interval.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        interval.body.contains("value=\"abc\""),
        "what was typed stays in the field"
    );
    let min = page.post_form("/surveys/min-answers", &[("min_answers", "0")]).await;
    assert_eq!(min.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        min.body.contains("id=\"e-min-answers\">A whole number from 1 to 100")
            || min.body.contains("id=\"e-min-answers\">Un nombre entier"),
        "{}",
        min.body
    );
    assert!(min
        .body
        .contains("name=\"min_answers\" inputmode=\"numeric\" value=\"0\""));
    let min = page.post_form("/surveys/min-answers", &[("min_answers", "1")]).await;
    assert_eq!(min.status, StatusCode::SEE_OTHER);

    // Send by hand from the account page; the report says who was asked.
    let account_page = page.get(&format!("/accounts/{}", acc.id)).await;
    assert!(
        account_page
            .body
            .contains(&format!("hx-get=\"/accounts/{}/satisfaction\"", acc.id)),
        "the account page loads its satisfaction card"
    );
    // A colleague without consent is listed, cannot be ticked, and says why.
    let silent = crate::contact(&t, &admin, acc.id, "Sansavis", "sansavis@danone.test").await;
    let card = page.get_htmx(&format!("/accounts/{}/satisfaction", acc.id)).await;
    assert!(card.body.contains("send-survey"), "the card offers to send a survey");
    let silent_box = card.body.find(&format!("value=\"{silent}\"")).unwrap();
    assert!(
        card.body[silent_box..silent_box + 120].contains("disabled"),
        "{}",
        card.body
    );
    assert!(card.body.contains("no consent to surveys") || card.body.contains("pas de consentement"));
    // Sent: the answer is a redirect to the account page (a reload sends nothing again).
    let sent = page
        .post_form(
            &format!("/accounts/{}/surveys/send", acc.id),
            &[("survey_id", &survey_id), ("contact_ids", &contact.to_string())],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let back = sent.location().unwrap();
    assert!(
        back.starts_with(&format!("/accounts/{}?done=surveys_sent&sent=1", acc.id)),
        "{back}"
    );
    let shown = page.get(&back).await;
    assert!(
        shown.body.contains("1 invitation scheduled") || shown.body.contains("1 invitation programmée"),
        "{}",
        shown.body
    );
    // The e-mail says it was sent by hand, and how to stop receiving surveys.
    {
        let mut pc = t.app.db.acquire().await.unwrap();
        let rows = bilan_db::outbox::list(&mut pc.conn(), admin.workspace_id, 10)
            .await
            .unwrap();
        let mail = rows.iter().find(|r| r.to_address == "durand@danone.test").unwrap();
        assert!(
            mail.body_text.contains("comment se passe notre collaboration")
                || mail.body_text.contains("how working with us is going"),
            "{}",
            mail.body_text
        );
        assert!(mail.body_text.contains("/stop"), "{}", mail.body_text);
        // The outgoing message opens, and leads to its account.
        let opened = page.get(&format!("/outbox/{}", mail.id)).await;
        assert_eq!(opened.status, StatusCode::OK);
        assert!(
            opened.body.contains(&format!("href=\"/accounts/{}\"", acc.id)),
            "{}",
            opened.body
        );
        assert!(!opened.body.contains("/s/"), "never the link's secret");
    }
    let secret = latest_secret(&t, &admin).await;
    let mut public = PageClient::new(t.router());
    let done = public
        .post_form(&format!("/s/{secret}"), &[("score", "9"), ("comment", "Très bien")])
        .await;
    assert_eq!(done.status, StatusCode::OK);

    let dash = page.get("/satisfaction").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("id=\"nps-value\">100.0<"), "one promoter: NPS 100");
    assert!(dash.body.contains("<svg class=\"chart\""), "trends drawn as SVG");
    assert!(dash.body.contains("Très bien"), "the verbatim is shown");
    let answers = page.get("/satisfaction/answers").await;
    assert!(answers.body.contains("Très bien"));
    let csv = page.get("/satisfaction/answers.csv?separator=,").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("promoter"));
    let card = page.get_htmx(&format!("/accounts/{}/satisfaction", acc.id)).await;
    assert!(card.body.contains("id=\"account-nps\">100.0<"), "{}", card.body);
    let direct = page.get(&format!("/accounts/{}/satisfaction", acc.id)).await;
    assert_eq!(
        direct.location().as_deref(),
        Some(format!("/satisfaction?account={}", acc.id).as_str())
    );
    let contact_page = page.get(&format!("/contacts/{contact}")).await;
    assert!(
        contact_page.body.contains("contact-surveys"),
        "the contact page shows their surveys"
    );
    assert!(contact_page.body.contains("NPS 9") && contact_page.body.contains("Très bien"));
    assert!(
        contact_page.body.contains("no new survey before") || contact_page.body.contains("pas de nouvelle enquête"),
        "the interval is shown"
    );
    let outbox = page.get("/outbox").await;
    assert!(outbox.body.contains("durand@danone.test"));

    // "Stop receiving surveys": a confirmation first (a mail scanner following the
    // link withdraws nothing), then the consent is withdrawn, and the card says so.
    let stop = public.get(&format!("/s/{secret}/stop")).await;
    assert_eq!(stop.status, StatusCode::OK);
    assert!(stop.body.contains("stop-form"));
    let still = bilan_app::contacts::find_contact(&t.app, &admin, contact)
        .await
        .unwrap();
    assert!(still.survey_consent, "opening the link changes nothing");
    let stopped = public.post_form(&format!("/s/{secret}/stop"), &[]).await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    let gone = bilan_app::contacts::find_contact(&t.app, &admin, contact)
        .await
        .unwrap();
    assert!(!gone.survey_consent, "the consent is withdrawn");
    let card = page.get_htmx(&format!("/accounts/{}/satisfaction", acc.id)).await;
    let durand_box = card.body.find(&format!("value=\"{contact}\"")).unwrap();
    assert!(card.body[durand_box..durand_box + 120].contains("disabled"));
    assert_eq!(
        public.get(&format!("/s/{}/stop", "0".repeat(64))).await.status,
        StatusCode::NOT_FOUND
    );

    // A viewer sees the figures, not the forms; cannot create.
    let viewer = t.with_user(Role::Viewer).await;
    let mut vp = logged_in(&t, &viewer).await;
    assert_eq!(vp.get("/satisfaction").await.status, StatusCode::OK);
    assert!(!vp.get("/surveys").await.body.contains("survey-form"));
    assert_eq!(
        vp.post_form("/surveys", &[("name", "X"), ("kind", "nps"), ("question_fr", "?")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(vp.get("/outbox").await.status, StatusCode::FORBIDDEN);
});
