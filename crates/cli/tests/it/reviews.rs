//! Client reviews on both engines: the API contract with a data pack checked
//! against hand-computed figures, the pack frozen against later changes, holding
//! with its refusals (nothing half-written), the minutes as a PDF whose text is
//! extracted and as a Word document opened and read, the calendar invitation
//! parsed (REQUEST, then an update with a higher SEQUENCE, then CANCEL), the
//! minutes e-mailed with their files, action-item reminders sent once, the next
//! reviews scheduled, the programme's status, pages by role and the CLI.

use crate::surveys::{answer, outbox, person, secret_in, survey};
use crate::{danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_app::Actor;
use bilan_domain::roles::Role;
use bilan_domain::timeline::InteractionInput;
use bilan_testkit::http::api;
use bilan_testkit::{db_test, TestApp};
use chrono::Duration;
use serde_json::{json, Value};
use std::io::Read;
use uuid::Uuid;

async fn call(
    t: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> bilan_testkit::http::TestResponse {
    api(&t.router(), method, path, token, body).await
}

/// Logs an exchange: `[channel, direction, when, subject]`.
async fn exchange(t: &TestApp, actor: &Actor, account: Uuid, contact: Uuid, what: [&str; 4], beyond: bool) {
    let [channel, direction, at, subject] = what;
    let input = InteractionInput {
        account_id: Some(account.to_string()),
        occurred_at: Some(at.into()),
        channel: Some(channel.into()),
        direction: Some(direction.into()),
        subject: Some(subject.into()),
        contact_ids: Some(contact.to_string()),
        beyond_contract: beyond.then(|| "true".to_owned()),
        ..Default::default()
    };
    bilan_app::timeline::log_interaction(&t.app, actor, &input)
        .await
        .unwrap();
}

async fn invoice(
    t: &TestApp,
    token: &str,
    account: Uuid,
    number: &str,
    issued_on: &str,
    excl: &str,
    incl: &str,
) -> String {
    let r = call(
        t,
        token,
        Method::POST,
        "/api/v1/invoices",
        Some(json!({
            "account_id": account.to_string(),
            "number": number,
            "issued_on": issued_on,
            "terms": {"kind": "days", "days": 30},
            "amount_excl_tax": excl,
            "amount_incl_tax": incl,
            "currency": "EUR",
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_owned()
}

/// A decimal of the JSON as text ("212.9"), whether written as a string or a number.
fn dec(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// An account with a year of history: a decision maker and a buyer, exchanges (one
/// beyond the contract, one before the period), two NPS answers (10 and 4), an
/// open complaint, three invoices (one paid ten days late, one overdue, one not due).
pub(crate) struct Fixture {
    pub(crate) admin: Actor,
    pub(crate) kam: Actor,
    pub(crate) token: String,
    pub(crate) account: Uuid,
    pub(crate) dm: Uuid,
}

pub(crate) async fn fixture(t: &TestApp) -> Fixture {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    let token = t.token_for(&admin).await;
    let mut input = danone();
    input.name = Some("Delméo Équipements".into());
    input.owner_id = Some(kam.user_id.to_string());
    let account = bilan_app::accounts::create_account(&t.app, &admin, &input)
        .await
        .unwrap()
        .id;
    let dm = person(t, &admin, account, "Martin", true, false, "decision_maker", None).await;
    let buyer = person(t, &admin, account, "Durand", true, false, "buyer", None).await;
    exchange(
        t,
        &admin,
        account,
        dm,
        ["email", "inbound", "2026-10-01T08:00:00Z", "Question sur la facture"],
        false,
    )
    .await;
    exchange(
        t,
        &admin,
        account,
        dm,
        ["email", "outbound", "2026-10-01T11:00:00Z", "Réponse facture"],
        false,
    )
    .await;
    exchange(
        t,
        &admin,
        account,
        dm,
        [
            "meeting",
            "outbound",
            "2026-09-15T09:00:00Z",
            "Formation offerte aux nouveaux opérateurs",
        ],
        true,
    )
    .await;
    exchange(
        t,
        &admin,
        account,
        buyer,
        ["phone", "inbound", "2025-06-01T09:00:00Z", "Avant la période"],
        false,
    )
    .await;
    let s = survey(t, &admin, "NPS relation", "nps").await;
    bilan_app::surveys::send_survey(&t.app, &admin, s, account, &[dm, buyer])
        .await
        .unwrap();
    let mails = outbox(t, &admin).await;
    answer(
        t,
        &secret_in(&mails[0].body_text),
        "10",
        Some("Très réactifs, merci à l'équipe"),
    )
    .await
    .unwrap();
    answer(t, &secret_in(&mails[1].body_text), "4", None).await.unwrap();
    let r = call(
        t,
        &token,
        Method::POST,
        "/api/v1/complaints",
        Some(json!({
            "account_id": account.to_string(),
            "received_on": "2026-10-10",
            "channel": "email",
            "category": "delivery",
            "severity": "high",
            "client_kind": "business",
            "summary": "Trois palettes abîmées à la livraison.",
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let paid = invoice(t, &token, account, "F-2026-001", "2026-03-01", "10000.00", "12000.00").await;
    let r = call(
        t,
        &token,
        Method::POST,
        &format!("/api/v1/invoices/{paid}/payments"),
        Some(json!({"paid_on": "2026-04-10", "amount": "12000.00"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    invoice(t, &token, account, "F-2026-002", "2026-09-01", "12000.00", "14400.00").await;
    invoice(t, &token, account, "F-2026-003", "2026-11-01", "2000.00", "2400.00").await;
    Fixture {
        admin,
        kam,
        token,
        account,
        dm,
    }
}

async fn plan(t: &TestApp, f: &Fixture, planned_on: &str) -> Value {
    let r = call(
        t,
        &f.token,
        Method::POST,
        "/api/v1/reviews",
        Some(json!({
            "account_id": f.account.to_string(),
            "kind": "annual",
            "period_from": "2025-11-30",
            "period_to": "2026-11-29",
            "planned_on": planned_on,
            "starts_at": "14:30",
            "location": "Salle Delméo, Lyon",
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

fn hold_body(kam_email: &str) -> Value {
    json!({
        "held_on": "2026-11-23",
        "round_table": [{"attendee": "Claire Martin", "satisfactions": "Réactivité du support", "irritants": "Délais de livraison"}],
        "decisions": ["Livraisons hebdomadaires dès janvier"],
        "objectives": [{"title": "Relever le NPS du compte", "metric": "NPS", "baseline": 0, "target": 30, "due_on": "2027-11-30"}],
        "action_items": [
            {"what": "Envoyer le planning de livraison", "owner": kam_email, "due_on": "2026-12-15"},
            {"what": "Valider le budget 2027", "owner": "Claire Martin", "due_on": "2027-01-31"}
        ]
    })
}

db_test!(the_contract_and_a_pack_of_hand_computed_figures, |t| async move {
    let f = fixture(&t).await;
    let review = plan(&t, &f, "2026-11-30").await;
    let id = review["id"].as_str().unwrap().to_owned();
    assert_eq!(review["state"], "planned");
    assert_eq!(review["kind"], "annual");
    // Attendees by default: the decision maker and the buyer (they have an address), and the owner.
    let roles: Vec<&str> = review["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    assert!(
        roles.contains(&"decision_maker") && roles.contains(&"buyer") && roles.contains(&"account_manager"),
        "{roles:?}"
    );
    assert_eq!(
        review["agenda"][1]["title"],
        "Tour de table : satisfactions et irritants de chacun"
    );

    // Before it is prepared the pack is a live preview.
    let live = call(&t, &f.token, Method::GET, &format!("/api/v1/reviews/{id}/pack"), None).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert_eq!(live.json()["frozen"], false);

    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/prepare"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "prepared");
    let pack = call(&t, &f.token, Method::GET, &format!("/api/v1/reviews/{id}/pack"), None)
        .await
        .json();
    assert_eq!(pack["frozen"], true);
    // Satisfaction: a 10 and a 4 → one promoter, one detractor → NPS 0.
    let s = &pack["satisfaction"];
    assert_eq!(s["nps_answers"], 2);
    assert_eq!(dec(&s["nps"]), "0.0");
    assert_eq!(s["csat_answers"], 0);
    assert!(s["csat"].is_null() && s["ces"].is_null(), "{s}");
    assert_eq!(s["verbatims"][0]["comment"], "Très réactifs, merci à l'équipe");
    // The intervention beyond the contract.
    assert_eq!(pack["beyond_contract_count"], 1);
    assert_eq!(
        pack["beyond_contract"][0]["subject"],
        "Formation offerte aux nouveaux opérateurs"
    );
    assert_eq!(pack["beyond_contract"][0]["on"], "2026-09-15");
    // The exchange of June 2025 is before the period.
    let channels: Vec<&str> = pack["exchanges"]["by_channel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["channel"].as_str().unwrap())
        .collect();
    assert!(!channels.contains(&"phone"), "{channels:?}");
    assert!(channels.contains(&"meeting") && channels.contains(&"email"));
    // Complaints: one received, still open.
    assert_eq!(pack["complaints"]["received"], 1);
    assert_eq!(pack["complaints"]["open"], 1);
    assert!(pack["complaints"]["items"][0]["reference"]
        .as_str()
        .unwrap()
        .starts_with("R-2026-"));
    // Invoices: 12,000 + 14,400 + 2,400 invoiced; 16,800 owed of which 14,400 overdue;
    // DSO = 16,800 ÷ 28,800 × 365 = 212.9; one invoice settled, ten days late.
    let i = &pack["invoices"];
    assert_eq!(dec(&i["invoiced_amount"]), "28800.00");
    assert_eq!(dec(&i["open_amount"]), "16800.00");
    assert_eq!(dec(&i["overdue_amount"]), "14400.00");
    assert_eq!(dec(&i["dso"]), "212.9");
    assert_eq!(i["issued"], 3);
    assert_eq!(i["behaviour"]["invoices"], 1);
    assert_eq!(dec(&i["behaviour"]["on_time_pct"]).parse::<f64>().unwrap(), 0.0);
    assert_eq!(dec(&i["behaviour"]["mean_days_late"]).parse::<f64>().unwrap(), 10.0);
    // Revenue excluding tax: 10,000 + 12,000 + 2,000; nothing the year before.
    assert_eq!(dec(&pack["revenue"]["revenue"]), "24000.00");
    assert!(pack["revenue"]["growth_pct"].is_null());
    assert!(pack["health"]["score"].as_u64().unwrap() <= 100);

    // Later changes do not alter the frozen pack.
    exchange(
        &t,
        &f.admin,
        f.account,
        f.dm,
        ["visit", "outbound", "2026-11-20T09:00:00Z", "Audit gratuit du parc"],
        true,
    )
    .await;
    let again = call(&t, &f.token, Method::GET, &format!("/api/v1/reviews/{id}/pack"), None)
        .await
        .json();
    assert_eq!(again, pack, "the frozen pack does not move");
    t.run_pending_jobs().await;

    // Holding: a refused line writes nothing.
    let mut bad = hold_body(&f.kam.email);
    bad["action_items"][1]["due_on"] = json!("");
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/hold"),
        Some(bad),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "action_items[1].due_on");
    let objectives = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/accounts/{}/objectives", f.account),
        None,
    )
    .await
    .json();
    assert_eq!(objectives.as_array().unwrap().len(), 0, "nothing half-written");
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/hold"),
        Some(json!({"unknown": 1})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/hold"),
        Some(hold_body(&f.kam.email)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let held = r.json();
    assert_eq!(held["state"], "held");
    assert_eq!(held["held_on"], "2026-11-23");
    let items = held["action_items"].as_array().unwrap();
    assert_eq!(items[0]["owner_user_id"], f.kam.user_id.to_string());
    assert_eq!(items[0]["side"], "supplier");
    assert_eq!(items[1]["owner_contact_id"], f.dm.to_string());
    assert_eq!(items[1]["side"], "client");
    assert_eq!(held["objectives"][0]["title"], "Relever le NPS du compte");
    let objectives = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/accounts/{}/objectives", f.account),
        None,
    )
    .await
    .json();
    assert_eq!(
        objectives.as_array().unwrap().len(),
        1,
        "the objective joined the account plan"
    );
    // Held twice: refused.
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/hold"),
        Some(hold_body(&f.kam.email)),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // review_held was raised for the account.
    let mut pc = t.app.db.acquire().await.unwrap();
    let events = bilan_db::events::rows_after(&mut pc.conn(), f.admin.workspace_id, None, 1000)
        .await
        .unwrap();
    drop(pc);
    assert!(events
        .iter()
        .any(|e| e.kind == "review_held" && e.source_id.to_string() == id));
    // The next annual review and three checkpoints are planned.
    let next = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews?account_id={}&state=planned", f.account),
        None,
    )
    .await
    .json();
    let kinds: Vec<(&str, &str)> = next
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["planned_on"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("checkpoint", "2027-02-23"),
            ("checkpoint", "2027-05-23"),
            ("checkpoint", "2027-08-23"),
            ("annual", "2027-11-23")
        ]
    );
    t.run_pending_jobs().await;
});

fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:p" => out.push('\n'),
            quick_xml::events::Event::Text(t) if in_text => out.push_str(&t.decode().unwrap()),
            quick_xml::events::Event::GeneralRef(r) if in_text => out.push_str(match r.decode().unwrap().as_ref() {
                "apos" => "'",
                "quot" => "\"",
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                other => panic!("unexpected entity {other}"),
            }),
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Spaces of every width as one plain space: "14 400,00 €" whatever the separator.
fn plain(s: &str) -> String {
    s.replace(['\u{a0}', '\u{202f}'], " ")
}

db_test!(the_minutes_invitation_and_mail, |t| async move {
    let f = fixture(&t).await;
    let review = plan(&t, &f, "2026-11-30").await;
    let id = review["id"].as_str().unwrap().to_owned();
    // Minutes before the meeting: refused.
    let r = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews/{id}/minutes.pdf"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The invitation: REQUEST, SEQUENCE 0, every attendee, the Paris time in UTC.
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/invitation"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ics = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews/{id}/invitation.ics"),
        None,
    )
    .await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let cal: icalendar::Calendar = ics.body.parse().unwrap();
    assert_eq!(cal.property_value("METHOD"), Some("REQUEST"));
    let event = cal.events().next().unwrap();
    use icalendar::Component;
    let uid = event.get_uid().unwrap().to_owned();
    assert_eq!(event.property_value("SEQUENCE"), Some("0"));
    assert_eq!(
        event.property_value("DTSTART"),
        Some("20261130T133000Z"),
        "14:30 in Paris"
    );
    assert!(event.get_summary().unwrap().contains("Delméo Équipements"));
    assert_eq!(event.multi_properties().get("ATTENDEE").map(Vec::len), Some(3));
    let invitations: Vec<_> = outbox(&t, &f.admin)
        .await
        .into_iter()
        .filter(|m| m.purpose == "review_invitation")
        .collect();
    assert_eq!(invitations.len(), 3);
    let mut pc = t.app.db.acquire().await.unwrap();
    let files = bilan_db::outbox::attachments_of(&mut pc.conn(), &[invitations[0].id])
        .await
        .unwrap();
    drop(pc);
    assert_eq!(files[0].content_type, "text/calendar; method=REQUEST; charset=UTF-8");

    // Moved: the same UID, SEQUENCE 1, sent again.
    let version = call(&t, &f.token, Method::GET, &format!("/api/v1/reviews/{id}"), None)
        .await
        .json()["version"]
        .clone();
    let r = call(
        &t,
        &f.token,
        Method::PATCH,
        &format!("/api/v1/reviews/{id}"),
        Some(json!({"planned_on": "2026-12-01", "starts_at": "09:00", "period_from": "2025-11-30", "period_to": "2026-11-29", "version": version})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["ics_sequence"], 1);
    let cal: icalendar::Calendar = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews/{id}/invitation.ics"),
        None,
    )
    .await
    .body
    .parse()
    .unwrap();
    let event = cal.events().next().unwrap();
    assert_eq!(event.get_uid(), Some(uid.as_str()));
    assert_eq!(event.property_value("SEQUENCE"), Some("1"));
    assert_eq!(
        outbox(&t, &f.admin)
            .await
            .iter()
            .filter(|m| m.purpose == "review_invitation")
            .count(),
        6
    );
    // A stale version is refused.
    let r = call(
        &t,
        &f.token,
        Method::PATCH,
        &format!("/api/v1/reviews/{id}"),
        Some(json!({"planned_on": "2026-12-02", "version": version})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Held, then the minutes.
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/hold"),
        Some(hold_body(&f.kam.email)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pdf = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews/{id}/minutes.pdf"),
        None,
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let text = plain(&pdf_text(&pdf.bytes));
    for expected in [
        "Compte rendu — Revue annuelle",
        "Delméo Équipements",
        "Tour de table",
        "Réactivité du support",
        "Délais de livraison",
        "Livraisons hebdomadaires dès janvier",
        "Relever le NPS du compte",
        "Envoyer le planning de livraison",
        "Valider le budget 2027",
        "Formation offerte aux nouveaux opérateurs",
        "14 400,00 €",
        "212,9 j",
        "Très réactifs, merci à l'équipe",
    ] {
        assert!(text.contains(expected), "the PDF says {expected:?}:\n{text}");
    }
    let docx = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews/{id}/minutes.docx"),
        None,
    )
    .await;
    assert_eq!(docx.status, StatusCode::OK);
    let words = plain(&docx_text(&docx.bytes));
    for expected in [
        "Compte rendu — Revue annuelle",
        "Délais de livraison",
        "Valider le budget 2027",
        "14 400,00 €",
    ] {
        assert!(
            words.contains(expected),
            "the Word document says {expected:?}:\n{words}"
        );
    }

    // Sent: to every attendee with the PDF and the Word file, through the SMTP server.
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/minutes/send"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let sent = r.json();
    assert_eq!(sent["state"], "minutes_sent");
    assert_eq!(sent["documents"].as_array().unwrap().len(), 2);
    let smtp = bilan_testkit::smtp::SmtpServer::start().await.unwrap();
    let mailer = bilan_app::outbox::Mailer::from_url(
        &format!("smtp://127.0.0.1:{}", smtp.port()),
        "Acme <no-reply@acme.test>",
        "https://bilan.acme.test",
    )
    .unwrap();
    bilan_app::outbox::deliver_due(&t.app, &mailer, "w", 100).await.unwrap();
    let mails = smtp.messages();
    let minutes: Vec<_> = mails
        .iter()
        .filter(|m| m.subject().is_some_and(|s| s.starts_with("Compte rendu")))
        .collect();
    assert_eq!(minutes.len(), 3, "one per attendee");
    assert!(minutes[0].data.contains("application/pdf"));
    assert!(minutes[0].data.contains("wordprocessingml"));
    // Cancelling a held review is refused.
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/cancel"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    t.run_pending_jobs().await;
});

db_test!(a_cancelled_review_sends_the_cancellation, |t| async move {
    let f = fixture(&t).await;
    let id = plan(&t, &f, "2026-12-10").await["id"].as_str().unwrap().to_owned();
    call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/invitation"),
        None,
    )
    .await;
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/cancel"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "cancelled");
    let cal: icalendar::Calendar = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews/{id}/invitation.ics"),
        None,
    )
    .await
    .body
    .parse()
    .unwrap();
    assert_eq!(cal.property_value("METHOD"), Some("CANCEL"));
    use icalendar::Component;
    assert_eq!(cal.events().next().unwrap().property_value("SEQUENCE"), Some("1"));
    let cancels = outbox(&t, &f.admin)
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Annulé"))
        .count();
    assert_eq!(cancels, 3);
    // Planning in the past names the field.
    let r = call(
        &t,
        &f.token,
        Method::POST,
        "/api/v1/reviews",
        Some(json!({"account_id": f.account.to_string(), "planned_on": "2026-01-01"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "planned_on");
    let r = call(
        &t,
        &f.token,
        Method::POST,
        "/api/v1/reviews",
        Some(json!({"account_id": Uuid::now_v7().to_string(), "planned_on": "2026-12-10"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "account_id");
    t.run_pending_jobs().await;
});

db_test!(action_item_reminders_go_once_before_and_after, |t| async move {
    let f = fixture(&t).await;
    let id = plan(&t, &f, "2026-11-30").await["id"].as_str().unwrap().to_owned();
    let r = call(
        &t,
        &f.token,
        Method::POST,
        &format!("/api/v1/reviews/{id}/hold"),
        Some(hold_body(&f.kam.email)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ws = f.admin.workspace_id;
    let reminders = |t: &TestApp| {
        let app = t.app.clone();
        async move {
            let mut pc = app.db.acquire().await.unwrap();
            bilan_db::outbox::list(&mut pc.conn(), ws, 1000)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.purpose == "review_action_reminder")
                .collect::<Vec<_>>()
        }
    };
    // 23 November: the first item is due on 15 December, nothing yet.
    assert_eq!(bilan_app::reviews::reminders::remind(&t.app, ws).await.unwrap(), 0);
    // 12 December: three days before.
    t.clock.advance(Duration::days(19));
    assert_eq!(bilan_app::reviews::reminders::remind(&t.app, ws).await.unwrap(), 1);
    assert_eq!(
        bilan_app::reviews::reminders::remind(&t.app, ws).await.unwrap(),
        0,
        "once"
    );
    let sent = reminders(&t).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to_address, f.kam.email);
    assert!(
        sent[0].subject.contains("Envoyer le planning de livraison"),
        "{}",
        sent[0].subject
    );
    // 16 December: the day after, still open.
    t.clock.advance(Duration::days(4));
    assert_eq!(bilan_app::reviews::reminders::remind(&t.app, ws).await.unwrap(), 1);
    assert_eq!(bilan_app::reviews::reminders::remind(&t.app, ws).await.unwrap(), 0);
    // The item is late on its owner's list and the account's.
    let kam_token = t.token_for(&f.kam).await;
    let mine = call(
        &t,
        &kam_token,
        Method::GET,
        "/api/v1/review-actions?mine=true&overdue=true",
        None,
    )
    .await
    .json();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["days_late"], 1);
    let action = mine[0]["id"].as_str().unwrap().to_owned();
    // And in the owner's day.
    let day = call(&t, &kam_token, Method::GET, "/api/v1/my-day", None).await.json();
    assert_eq!(day["review_actions"][0]["id"], action.as_str(), "{day}");
    assert_eq!(day["review_actions"][0]["overdue"], true);
    let mut kam_page = logged_in(&t, &f.kam).await;
    assert!(kam_page
        .get("/")
        .await
        .body
        .contains("Envoyer le planning de livraison"));
    // A viewer may not mark it; its owner may.
    let viewer = t.with_user(Role::Viewer).await;
    let vt = t.token_for(&viewer).await;
    let r = call(
        &t,
        &vt,
        Method::PATCH,
        &format!("/api/v1/review-actions/{action}"),
        Some(json!({"status": "done"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let support = t.with_user(Role::Support).await;
    let st = t.token_for(&support).await;
    let r = call(
        &t,
        &st,
        Method::PATCH,
        &format!("/api/v1/review-actions/{action}"),
        Some(json!({"status": "done"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "support is not its owner");
    let r = call(
        &t,
        &kam_token,
        Method::PATCH,
        &format!("/api/v1/review-actions/{action}"),
        Some(json!({"status": "sideways"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "status");
    let r = call(
        &t,
        &kam_token,
        Method::PATCH,
        &format!("/api/v1/review-actions/{action}"),
        Some(json!({"status": "done", "note": "Envoyé le 16"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["done_on"], "2026-12-16");
    // The client's item: its follow-up reminder goes to the account's owner.
    t.clock.advance(Duration::days(43));
    assert_eq!(bilan_app::reviews::reminders::remind(&t.app, ws).await.unwrap(), 1);
    let last = reminders(&t).await;
    assert!(last
        .iter()
        .any(|m| m.subject.contains("Valider le budget 2027") && m.to_address == f.kam.email));
    // The next review's pack shows what became of each item.
    let next = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews?account_id={}&kind=checkpoint", f.account),
        None,
    )
    .await
    .json();
    let checkpoint = next[0]["id"].as_str().unwrap().to_owned();
    let pack = call(
        &t,
        &f.token,
        Method::GET,
        &format!("/api/v1/reviews/{checkpoint}/pack"),
        None,
    )
    .await
    .json();
    assert_eq!(pack["actions"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(pack["actions"]["progress_pct"], 50);
    assert_eq!(pack["actions"]["overdue"], 0, "the client's item is due on 31 January");
    t.run_pending_jobs().await;
});

db_test!(
    the_programme_shows_which_key_accounts_had_their_review,
    |t| async move {
        let f = fixture(&t).await;
        let r = call(
        &t,
        &f.token,
        Method::PUT,
        &format!("/api/v1/accounts/{}/key-account", f.account),
        Some(json!({"potential": "5", "probability": "4", "profitability": "4", "strategic_impact": "4", "fit": "4", "risk": "2", "manager_id": f.kam.user_id.to_string()})),
    )
    .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let status = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .find(|p| p["account_id"] == f.account.to_string())
                .unwrap()["status"]
                .clone()
        };
        let p = call(&t, &f.token, Method::GET, "/api/v1/key-accounts/reviews", None)
            .await
            .json();
        assert_eq!(status(&p), "due");
        let id = plan(&t, &f, "2026-11-30").await["id"].as_str().unwrap().to_owned();
        let p = call(&t, &f.token, Method::GET, "/api/v1/key-accounts/reviews", None)
            .await
            .json();
        assert_eq!(status(&p), "planned");
        call(
            &t,
            &f.token,
            Method::POST,
            &format!("/api/v1/reviews/{id}/hold"),
            Some(hold_body(&f.kam.email)),
        )
        .await;
        let p = call(&t, &f.token, Method::GET, "/api/v1/key-accounts/reviews", None)
            .await
            .json();
        assert_eq!(status(&p), "held");
        t.run_pending_jobs().await;
    }
);

db_test!(
    review_pages_by_role_and_the_meeting_keeps_what_was_typed,
    |t| async move {
        let f = fixture(&t).await;
        let id = plan(&t, &f, "2026-11-30").await["id"].as_str().unwrap().to_owned();
        let mut page = logged_in(&t, &f.admin).await;
        let list = page.get("/reviews").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Delméo Équipements"));
        let show = page.get(&format!("/reviews/{id}")).await;
        assert_eq!(show.status, StatusCode::OK);
        assert!(
            show.body.contains("Formation offerte aux nouveaux opérateurs"),
            "the live pack"
        );
        assert!(show.body.contains("id=\"pack-live\""));
        let form = page.get(&format!("/reviews/new?account={}", f.account)).await;
        assert_eq!(form.status, StatusCode::OK);
        // A plan with a reversed period and a bad time keeps what was typed.
        let r = page
            .post_form(
                "/reviews",
                &[
                    ("account_id", f.account.to_string().as_str()),
                    ("kind", "annual"),
                    ("planned_on", "2026-12-20"),
                    ("starts_at", "dix heures"),
                    ("location", "Siège de Delméo"),
                    ("period_from", "2026-06-01"),
                    ("period_to", "2026-01-01"),
                    ("agenda", "Tour de table — 30 min\nL'année en chiffres"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Siège de Delméo"), "the place typed is kept");
        assert!(r.body.contains("dix heures"));
        assert!(r.body.contains("The period ends before it starts"), "{}", r.body);
        assert!(r.body.contains("A time like 14:30 is expected"));

        // The meeting page: a wrong date keeps every line typed and shows its error.
        let meeting = page.get(&format!("/reviews/{id}/meeting")).await;
        assert_eq!(meeting.status, StatusCode::OK);
        assert!(meeting.body.contains("round_table[0].attendee"));
        let r = page
            .post_form(
                &format!("/reviews/{id}/hold"),
                &[
                    ("held_on", "2026-11-23"),
                    ("round_table[0].attendee", "Claire Martin"),
                    ("round_table[0].satisfactions", "Réactivité"),
                    ("decisions", "Livraisons hebdomadaires"),
                    ("action_items[0].what", "Envoyer le planning"),
                    ("action_items[0].owner", "Claire Martin"),
                    ("action_items[0].due_on", "2026-01-15"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Envoyer le planning") && r.body.contains("Livraisons hebdomadaires"));
        assert!(r.body.contains("The due date is before the review"), "{}", r.body);
        // Autosaved drafts come back.
        let saved = page
            .post_form(
                &format!("/reviews/{id}/draft"),
                &[("decisions", "Brouillon de décision")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let meeting = page.get(&format!("/reviews/{id}/meeting")).await;
        assert!(meeting.body.contains("Brouillon de décision"));
        let r = page
            .post_form(
                &format!("/reviews/{id}/hold"),
                &[
                    ("round_table[0].attendee", "Claire Martin"),
                    ("round_table[0].satisfactions", "Réactivité"),
                    ("action_items[0].what", "Envoyer le planning"),
                    ("action_items[0].owner", "Claire Martin"),
                    ("action_items[0].due_on", "2027-01-15"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let actions = page.get(&format!("/review-actions?account={}", f.account)).await;
        assert!(actions.body.contains("Envoyer le planning"));

        // A viewer reads but cannot change.
        let viewer = t.with_user(Role::Viewer).await;
        let mut vpage = logged_in(&t, &viewer).await;
        assert_eq!(vpage.get(&format!("/reviews/{id}")).await.status, StatusCode::OK);
        assert_eq!(
            vpage.get(&format!("/reviews/{id}/meeting")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            vpage.post_form(&format!("/reviews/{id}/prepare"), &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            vpage.get(&format!("/reviews/new?account={}", f.account)).await.status,
            StatusCode::FORBIDDEN
        );
        t.run_pending_jobs().await;
    }
);

db_test!(reviews_from_the_command_line, |t| async move {
    let f = fixture(&t).await;
    let ws = "Acme".to_owned();
    let out = crate::bilan_cli(
        &t,
        vec![
            "reviews".into(),
            "plan".into(),
            "--workspace".into(),
            ws.clone(),
            f.account.to_string(),
            "--on".into(),
            "2027-03-03".into(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let out = crate::bilan_cli(
        &t,
        vec![
            "reviews".into(),
            "pack".into(),
            "--workspace".into(),
            ws.clone(),
            id.clone(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pack: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pack["beyond_contract_count"], 1);
    let dir = std::env::temp_dir().join(format!("bilan-review-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let hold = dir.join("hold.json");
    std::fs::write(&hold, hold_body(&f.kam.email).to_string()).unwrap();
    let out = crate::bilan_cli(
        &t,
        vec![
            "reviews".into(),
            "hold".into(),
            "--workspace".into(),
            ws.clone(),
            id.clone(),
            hold.display().to_string(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pdf = dir.join("minutes.pdf");
    let out = crate::bilan_cli(
        &t,
        vec![
            "reviews".into(),
            "minutes".into(),
            "--workspace".into(),
            ws.clone(),
            id.clone(),
            "--out".into(),
            pdf.display().to_string(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(pdf_text(&std::fs::read(&pdf).unwrap()).contains("Valider le budget 2027"));
    let out = crate::bilan_cli(
        &t,
        vec!["reviews".into(), "list".into(), "--workspace".into(), ws.clone()],
    )
    .await;
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
    let out = crate::bilan_cli(&t, vec!["reviews".into(), "actions".into(), "--workspace".into(), ws]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("Envoyer le planning de livraison"));
    t.run_pending_jobs().await;
});
