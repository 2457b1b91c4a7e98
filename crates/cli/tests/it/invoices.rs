//! Invoices on both engines: the API contract (terms, payments, late-payment
//! interest on a hand-computed case across two half-years), refusals naming their
//! field, the morning reminders (held by an open complaint, resumed once it is
//! resolved, once per step), the portal (its own account only, revocation,
//! expiry), CSV imports (clean, hostile, again), electronic invoices from files
//! made by tools, and aging at its borders.

use crate::{contact, danone};
use axum::http::{Method, StatusCode};
use bilan_app::Actor;
use bilan_domain::roles::Role;
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

async fn post(t: &TestApp, token: &str, path: &str, body: Value) -> bilan_testkit::http::TestResponse {
    api(&t.router(), Method::POST, path, token, Some(body)).await
}

fn invoice(account: Uuid, number: &str, issued_on: &str, terms: Value, incl: &str) -> Value {
    json!({
        "account_id": account.to_string(),
        "number": number,
        "issued_on": issued_on,
        "terms": terms,
        "amount_excl_tax": "1000.00",
        "amount_incl_tax": incl,
        "currency": "EUR",
    })
}

db_test!(the_api_contract_holds, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    for (half, rate) in [("1", "2.15"), ("2", "2.00")] {
        let r = api(
            &t.router(),
            Method::PUT,
            &format!("/api/v1/reference-rates/2026/{half}"),
            &token,
            Some(json!({ "rate": rate })),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let rates = api(&t.router(), Method::GET, "/api/v1/reference-rates", &token, None).await;
    assert_eq!(rates.json()["reference_rates"][1]["annual_rate"], "12.15");
    // Terms as the law counts them.
    let cases = [
        (json!({"kind": "days", "days": 30}), "2026-05-15", "2026-06-14"),
        (
            json!({"kind": "eom45", "method": "then_end_of_month"}),
            "2026-01-15",
            "2026-03-31",
        ),
        (
            json!({"kind": "eom45", "method": "end_of_month_then"}),
            "2026-01-15",
            "2026-03-17",
        ),
        (
            json!({"kind": "due_on", "due_on": "2026-02-20"}),
            "2026-01-15",
            "2026-02-20",
        ),
    ];
    let mut first = Value::Null;
    for (i, (terms, issued, due)) in cases.into_iter().enumerate() {
        let r = post(
            &t,
            &token,
            "/api/v1/invoices",
            invoice(acc, &format!("F-{i}"), issued, terms, "1200.00"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["due_on"], due, "case {i}");
        assert_eq!(r.json()["terms_beyond_legal_max"], false);
        if i == 0 {
            first = r.json();
        }
    }
    // A partial payment a month late, then the interest: 1,200 € at 12.15 % for 16
    // days (to 30 June), at 12.00 % for 14 days (to the payment, which still counts
    // that day), then 600 € at 12.00 % for 132 days to today (23 November):
    // 6.3912… + 5.5233… + 26.0384… = 37.95.
    let id = first["id"].as_str().unwrap();
    let r = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{id}/payments"),
        json!({"paid_on": "2026-07-14", "amount": "600.00", "reference": "VIR-0714"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let got = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/invoices/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(got.status, StatusCode::OK);
    let g = got.json();
    assert_eq!(g["late_payment"]["days_late"], 162);
    assert_eq!(g["late_payment"]["interest"], "37.95");
    assert_eq!(g["late_payment"]["indemnity"], "40");
    assert_eq!(g["open"], "600.00");
    assert_eq!(g["status"], "overdue");
    assert_eq!(g["payments"].as_array().unwrap().len(), 1);
    // Paying the rest settles it: interest stops at the day it was paid.
    let r = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{id}/payments"),
        json!({"paid_on": "2026-07-31", "amount": "600.00"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["settled"][0], id);
    let g = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/invoices/{id}"),
        &token,
        None,
    )
    .await
    .json();
    assert_eq!(g["status"], "paid");
    assert_eq!(g["settled_on"], "2026-07-31");
    assert_eq!(g["late_payment"]["days_late"], 47);
    assert_eq!(g["next_reminder"]["done"], true);
    // Paid in full on 31 July but recorded today: not hot, so no `invoice_paid` (no
    // survey about a payment months old).
    let events = |t: &TestApp| {
        let app = t.app.clone();
        let ws = admin.workspace_id;
        async move {
            let mut pc = app.db.acquire().await.unwrap();
            bilan_db::events::rows_after(&mut pc.conn(), ws, None, 100)
                .await
                .unwrap()
        }
    };
    assert!(!events(&t).await.iter().any(|e| e.kind == "invoice_paid"));
    // Marked as sent today: `invoice_sent`, hot, for the survey rules.
    let sent = post(&t, &token, &format!("/api/v1/invoices/{id}/sent"), json!({})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json()["sent_on"], "2026-11-23");
    let got = events(&t).await;
    assert!(got
        .iter()
        .any(|e| e.kind == "invoice_sent" && e.source_id.to_string() == id));
    // Another invoice paid in full today: `invoice_paid`.
    let other = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "F-9", "2026-11-02", json!({"kind": "days", "days": 30}), "1200.00"),
    )
    .await;
    let other_id = other.json()["id"].as_str().unwrap().to_owned();
    let paid = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{other_id}/payments"),
        json!({"paid_on": "2026-11-23", "amount": "1200.00"}),
    )
    .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let got = events(&t).await;
    assert!(got
        .iter()
        .any(|e| e.kind == "invoice_paid" && e.source_id.to_string() == other_id));
    let again = post(&t, &token, &format!("/api/v1/invoices/{id}/sent"), json!({})).await;
    assert_eq!(again.json()["errors"][0]["code"], "invoice.already_sent");
});

db_test!(wrong_input_is_refused_where_it_is_wrong, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    let field =
        |r: &bilan_testkit::http::TestResponse| r.json()["errors"][0]["field"].as_str().unwrap_or("").to_owned();
    let code = |r: &bilan_testkit::http::TestResponse| r.json()["errors"][0]["code"].as_str().unwrap_or("").to_owned();
    // Including VAT below excluding VAT.
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "F-1", "2026-01-15", json!({"kind": "days", "days": 30}), "900.00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        (field(&r), code(&r)),
        ("amount_incl_tax".into(), "invoice.incl_below_excl".into())
    );
    // Days terms without their days.
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "F-1", "2026-01-15", json!({"kind": "days"}), "1200.00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(field(&r), "terms.days");
    // Not an amount: the schema refuses it (400).
    let mut b = invoice(acc, "F-1", "2026-01-15", json!({"kind": "days", "days": 30}), "1200.00");
    b["amount_incl_tax"] = json!("12,00 €");
    let r = post(&t, &token, "/api/v1/invoices", b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // 90 days: beyond the legal maximum, flagged, not refused.
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "F-1", "2026-01-15", json!({"kind": "days", "days": 90}), "1200.00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["terms_beyond_legal_max"], true);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    // The same number again.
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "F-1", "2026-01-15", json!({"kind": "days", "days": 30}), "1200.00"),
    )
    .await;
    assert_eq!((field(&r), code(&r)), ("number".into(), "invoice.number_taken".into()));
    // Paying more than is owed, or in the future.
    let r = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{id}/payments"),
        json!({"paid_on": "2026-02-01", "amount": "1300.00"}),
    )
    .await;
    assert_eq!(
        (field(&r), code(&r)),
        ("amount".into(), "payment.more_than_owed".into())
    );
    let r = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{id}/payments"),
        json!({"paid_on": "2027-02-01", "amount": "10.00"}),
    )
    .await;
    assert_eq!((field(&r), code(&r)), ("paid_on".into(), "date.future".into()));
    // The same payment twice (same reference).
    let ok = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{id}/payments"),
        json!({"paid_on": "2026-02-01", "amount": "100.00", "reference": "VIR-1"}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let r = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{id}/payments"),
        json!({"paid_on": "2026-02-01", "amount": "100.00", "reference": "VIR-1"}),
    )
    .await;
    assert_eq!(code(&r), "payment.duplicate");
    // A credit note larger than what is owed.
    let r = post(&t, &token, &format!("/api/v1/invoices/{id}/credit-notes"), json!({"number": "AV-1", "issued_on": "2026-02-02", "amount_excl_tax": "1000.00", "amount_incl_tax": "1200.00"})).await;
    assert_eq!(code(&r), "credit_note.more_than_owed");
    // Nothing half-written: the invoice still owes 1,100.
    let g = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/invoices/{id}"),
        &token,
        None,
    )
    .await
    .json();
    assert_eq!(g["open"], "1100.00");
    // Rates: a half that does not exist, a rate that is not one.
    let r = api(
        &t.router(),
        Method::PUT,
        "/api/v1/reference-rates/2026/3",
        &token,
        Some(json!({"rate": "2.15"})),
    )
    .await;
    assert_eq!(field(&r), "half");
    // Another workspace's invoice is not found.
    let other = t.user_in("Globex", Role::Admin).await;
    let other_token = t.token_for(&other).await;
    let r = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/invoices/{id}"),
        &other_token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

/// Reminders of a workspace's purpose in the outbox.
async fn mails(t: &TestApp, actor: &Actor, purpose: &str) -> Vec<bilan_db::outbox::OutboxRow> {
    let mut pc = t.app.db.acquire().await.unwrap();
    bilan_db::outbox::list(&mut pc.conn(), actor.workspace_id, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.purpose == purpose)
        .collect()
}

db_test!(reminders_wait_for_a_complaint_and_resume_after, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    contact(&t, &admin, acc, "Martin", "claire.martin@danone.test").await;
    // Due 10 November; the default plan reminds 3 days after (helping), then 15.
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(
            acc,
            "F-2026-0101",
            "2026-10-11",
            json!({"kind": "days", "days": 30}),
            "1200.00",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id: Uuid = r.json()["id"].as_str().unwrap().parse().unwrap();
    let run = bilan_app::invoices::dunning::run_reminders(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!((run.examined, run.sent, run.emails), (1, 1, 1));
    let sent = mails(&t, &admin, "invoice_reminder").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to_address, "claire.martin@danone.test");
    assert!(sent[0].subject.contains("F-2026-0101"), "{}", sent[0].subject);
    assert!(
        sent[0].body_text.contains("Si quelque chose ne va pas"),
        "the helping hand first"
    );
    // Once per step, however often the job runs.
    let again = bilan_app::invoices::dunning::run_reminders(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!(again.sent, 0);
    // On the timeline, about the invoice.
    let d = bilan_app::invoices::invoice_detail(&t.app, &admin, id).await.unwrap();
    assert_eq!(d.reminders.len(), 1);
    assert!(d.reminders[0].interaction_id.is_some());
    // The client flags a problem through its portal: a complaint about the invoice.
    let link = bilan_app::invoices::portal::create_link(&t.app, &admin, acc, None, None)
        .await
        .unwrap();
    let secret = link.path.trim_start_matches("/portal/").to_owned();
    let reference = bilan_app::invoices::portal::flag_problem(
        &t.app,
        &secret,
        id,
        &bilan_app::invoices::portal::FlagInput {
            message: Some("Le bon de commande n'est pas le bon.".into()),
            name: Some("Claire Martin".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(reference, "R-2026-0001");
    // A week later the next step is due, but held.
    t.clock.advance(chrono::Duration::days(7));
    let held = bilan_app::invoices::dunning::run_reminders(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!((held.sent, held.held_disputed), (0, 1));
    let d = bilan_app::invoices::invoice_detail(&t.app, &admin, id).await.unwrap();
    assert_eq!(
        d.next_reminder.held,
        Some(bilan_domain::invoices::dunning::Hold::Disputed)
    );
    // Resolved: the held step goes out the next morning.
    let case = d.open_complaints[0];
    let resolved = bilan_app::complaints::move_complaint(
        &t.app,
        &admin,
        case,
        1,
        &bilan_domain::complaints::TransitionInput {
            to: Some("resolved".into()),
            on: Some("2026-11-30".into()),
            reason: Some("Bon de commande corrigé.".into()),
            send_letter: Some("false".into()),
            ..Default::default()
        },
    )
    .await;
    assert!(resolved.is_ok(), "{resolved:?}");
    let resumed = bilan_app::invoices::dunning::run_reminders(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!((resumed.sent, resumed.held_disputed), (1, 0));
    assert_eq!(mails(&t, &admin, "invoice_reminder").await.len(), 2);
    // Paid: nothing more.
    let pay = post(
        &t,
        &token,
        &format!("/api/v1/invoices/{id}/payments"),
        json!({"paid_on": "2026-11-30", "amount": "1200.00"}),
    )
    .await;
    assert_eq!(pay.status, StatusCode::CREATED, "{}", pay.body);
    t.clock.advance(chrono::Duration::days(30));
    let after = bilan_app::invoices::dunning::run_reminders(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!((after.examined, after.sent), (0, 0));
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

db_test!(a_factored_invoice_is_left_to_the_factor, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    contact(&t, &admin, acc, "Martin", "claire.martin@danone.test").await;
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "F-9", "2026-10-01", json!({"kind": "days", "days": 30}), "1200.00"),
    )
    .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let f = post(
        &t,
        &token,
        "/api/v1/factors",
        json!({"name": "BNP Factor", "details": "Réglez à BNP Factor, IBAN FR76…"}),
    )
    .await;
    assert_eq!(f.status, StatusCode::CREATED, "{}", f.body);
    let fid = f.json()["id"].as_str().unwrap().to_owned();
    let a = api(
        &t.router(),
        Method::PUT,
        &format!("/api/v1/invoices/{id}/factor"),
        &token,
        Some(json!({"factor_id": fid, "factored_on": "2026-10-02"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let run = bilan_app::invoices::dunning::run_reminders(&t.app, admin.workspace_id)
        .await
        .unwrap();
    assert_eq!((run.sent, run.held_factored), (0, 1));
    assert!(mails(&t, &admin, "invoice_reminder").await.is_empty());
});

db_test!(the_portal_shows_one_account_and_dies_when_revoked, |t| async move {
    use bilan_app::invoices::portal;
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let a = account(&t, &admin).await;
    let mut other = danone();
    other.name = Some("Lactalis".into());
    other.siren = None;
    other.vat_number = None;
    let b = bilan_app::accounts::create_account(&t.app, &admin, &other)
        .await
        .unwrap()
        .id;
    let ia = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(a, "A-1", "2026-10-01", json!({"kind": "days", "days": 30}), "1200.00"),
    )
    .await
    .json();
    let ib = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(b, "B-1", "2026-10-01", json!({"kind": "days", "days": 30}), "1200.00"),
    )
    .await
    .json();
    let link = post(
        &t,
        &token,
        &format!("/api/v1/accounts/{a}/portal-links"),
        json!({"lang": "en", "days": 30}),
    )
    .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    let path = link.json()["path"].as_str().unwrap().to_owned();
    let secret = path.trim_start_matches("/portal/").to_owned();
    // Only the secret's hash is stored.
    let stored = portal::links(&t.app, &admin, a).await.unwrap();
    assert_ne!(stored[0].token_hash, secret);
    let view = portal::view(&t.app, &secret).await.unwrap();
    assert_eq!(view.invoices.len(), 1);
    assert_eq!(view.invoices[0].invoice.number, "A-1");
    assert_eq!(view.link.lang, "en");
    // Another account's invoice cannot be flagged through it.
    let bid: Uuid = ib["id"].as_str().unwrap().parse().unwrap();
    let wrong = portal::FlagInput {
        message: Some("Wrong amount".into()),
        name: None,
    };
    let flag = |id: Uuid| portal::flag_problem(&t.app, &secret, id, &wrong);
    assert!(matches!(flag(bid).await, Err(bilan_app::AppError::NotFound)));
    // An empty message is refused by name.
    let aid: Uuid = ia["id"].as_str().unwrap().parse().unwrap();
    let empty = portal::flag_problem(&t.app, &secret, aid, &portal::FlagInput::default()).await;
    assert!(
        matches!(empty, Err(bilan_app::AppError::Validation(ref e)) if e.code_of("message") == Some("required")),
        "{empty:?}"
    );
    // A made-up secret, a revoked link and an expired one are all unknown.
    assert!(matches!(
        portal::view(&t.app, &"0".repeat(64)).await,
        Err(bilan_app::AppError::NotFound)
    ));
    let id = link.json()["id"].as_str().unwrap().to_owned();
    let r = api(
        &t.router(),
        Method::DELETE,
        &format!("/api/v1/portal-links/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(matches!(
        portal::view(&t.app, &secret).await,
        Err(bilan_app::AppError::NotFound)
    ));
    assert!(matches!(flag(aid).await, Err(bilan_app::AppError::NotFound)));
    let short = portal::create_link(&t.app, &admin, a, None, Some("1")).await.unwrap();
    let s2 = short.path.trim_start_matches("/portal/").to_owned();
    assert!(portal::view(&t.app, &s2).await.is_ok());
    t.clock.advance(chrono::Duration::days(2));
    assert!(matches!(
        portal::view(&t.app, &s2).await,
        Err(bilan_app::AppError::NotFound)
    ));
    // What these changes left for later (the accounts' health) runs too.
    t.run_pending_jobs().await;
});

/// An accounting export: invoices with their payments, and a credit note (negative amounts) on one.
const EXPORT: &str = "N° facture;Client;Date facture;Échéance;Montant HT;Montant TTC;Réglé le;Montant réglé;Référence règlement;Facture d'origine\n\
FA-001;Danone;15/09/2026;15/10/2026;1 000,00;1 200,00;20/10/2026;1 200,00;VIR-1;\n\
FA-002;Danone;20/09/2026;;500,00;600,00;;;;\n\
FA-003;552032534;01/10/2026;31/10/2026;100,00;120,00;05/11/2026;60,00;VIR-2;\n\
AV-001;Danone;25/09/2026;;-100,00;-120,00;;;;FA-002\n";

db_test!(accounting_exports_import_once_and_refuse_bad_lines, |t| async move {
    use bilan_app::imports::ImportOptions;
    use bilan_app::invoices::import::import_invoices;
    let admin = t.with_user(Role::Admin).await;
    account(&t, &admin).await;
    let csv = EXPORT;
    let r = import_invoices(&t.app, &admin, csv.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert!(r.committed, "{:?}", r.rejected);
    assert_eq!((r.created, r.updated), (4, 0), "3 invoices and a credit note");
    let page = bilan_app::invoices::list_invoices(&t.app, &admin, &Default::default())
        .await
        .unwrap();
    let by = |n: &str| {
        page.items
            .iter()
            .find(|x| x.invoice.number == n)
            .map(|x| x.invoice.clone())
            .unwrap()
    };
    assert_eq!(
        by("FA-001").settled_on.map(|d| d.to_string()).as_deref(),
        Some("2026-10-20")
    );
    assert_eq!(by("FA-002").credited_minor, 12_000);
    assert_eq!(by("FA-003").paid_minor, 6_000);
    // The same file again: nothing twice.
    let again = import_invoices(&t.app, &admin, csv.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((again.created, again.updated), (0, 0), "{:?}", again.rejected);
    assert!(again.committed);
    // A later export with the rest of FA-003 paid updates it.
    let later = "Numéro;Client;Date;Montant TTC;Réglé le;Montant réglé;Référence règlement\nFA-003;Danone;01/10/2026;120,00;12/11/2026;60,00;VIR-3\n";
    let r = import_invoices(&t.app, &admin, later.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(r.updated, 1, "{:?}", r.rejected);
    // Hostile lines: unknown account, bad date, overpayment, unknown invoice for a credit note.
    let bad = "Numéro;Client;Date;Montant TTC;Réglé le;Montant réglé;Type;Facture d'origine\n\
               FX-1;Nobody Inc;01/10/2026;120,00;;;;\n\
               FX-2;Danone;32/10/2026;120,00;;;;\n\
               FX-3;Danone;01/10/2026;120,00;02/10/2026;999,00;;\n\
               AV-9;Danone;01/10/2026;120,00;;;Avoir;FX-404\n\
               FX-5;Danone;01/10/2026;120,00;;;;\n";
    let r = import_invoices(&t.app, &admin, bad.as_bytes(), &ImportOptions::default())
        .await
        .unwrap();
    assert!(!r.committed, "all or nothing");
    let codes: Vec<(usize, &str)> = r.rejected.iter().map(|x| (x.line, x.code.as_str())).collect();
    assert!(codes.contains(&(2, "account.unknown")), "{codes:?}");
    assert!(codes.contains(&(3, "date.invalid")), "{codes:?}");
    assert!(codes.contains(&(4, "payment.more_than_owed")), "{codes:?}");
    assert!(codes.contains(&(5, "invoice.unknown")), "{codes:?}");
    assert!(
        r.rejected
            .iter()
            .any(|x| x.line == 4 && x.column.as_deref() == Some("Montant réglé")),
        "the column is named"
    );
    let page = bilan_app::invoices::list_invoices(&t.app, &admin, &Default::default())
        .await
        .unwrap();
    assert!(
        !page.items.iter().any(|x| x.invoice.number == "FX-5"),
        "nothing half-imported"
    );
    // Skipping the bad lines imports the good one.
    let r = import_invoices(
        &t.app,
        &admin,
        bad.as_bytes(),
        &ImportOptions {
            skip_invalid: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(r.committed);
    assert_eq!(r.created, 1);
});

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/einvoices/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

db_test!(electronic_invoices_from_real_files, |t| async move {
    use bilan_app::invoices::import::import_einvoice;
    let admin = t.with_user(Role::Admin).await;
    let mut delmeo = danone();
    delmeo.name = Some("Maison Delmeo SAS".into());
    delmeo.siren = Some("552100554".into());
    delmeo.vat_number = Some("FR96552100554".into());
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &delmeo)
        .await
        .unwrap()
        .id;
    // A Factur-X PDF made by the factur-x tool: its buyer found by SIREN.
    let r = import_einvoice(&t.app, &admin, &fixture("facturx-en16931.pdf"), None)
        .await
        .unwrap();
    assert!(r.from_pdf && r.created);
    assert_eq!((r.kind, r.number.as_str()), ("invoice", "FA-2026-0142"));
    let inv = bilan_app::invoices::find_invoice(&t.app, &admin, r.invoice_id)
        .await
        .unwrap();
    assert_eq!(inv.account_id, acc);
    assert_eq!(inv.amount_incl_tax.minor, 120_000);
    assert_eq!(inv.due_on.to_string(), "2026-11-30");
    assert_eq!(inv.source, "facturx");
    // Again: nothing twice.
    let again = import_einvoice(&t.app, &admin, &fixture("facturx-en16931.pdf"), None)
        .await
        .unwrap();
    assert!(!again.created);
    // Its credit note lowers what is owed.
    let cn = import_einvoice(&t.app, &admin, &fixture("facturx-credit-note.pdf"), None)
        .await
        .unwrap();
    assert_eq!(cn.kind, "credit_note");
    let inv = bilan_app::invoices::find_invoice(&t.app, &admin, r.invoice_id)
        .await
        .unwrap();
    assert_eq!(inv.open().minor, 96_000);
    // UBL.
    let u = import_einvoice(&t.app, &admin, &fixture("ubl-invoice.xml"), None)
        .await
        .unwrap();
    assert_eq!((u.syntax, u.created), ("ubl", true));
    // Hostile and broken files, each refused with its reason.
    let code = |r: Result<_, bilan_app::AppError>| match r {
        Err(bilan_app::AppError::Validation(e)) => e.0[0].code.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(
        code(import_einvoice(&t.app, &admin, &fixture("not-an-invoice.pdf"), None).await),
        "einvoice.pdf_no_invoice"
    );
    // An attachment under another name is not taken for the invoice.
    assert_eq!(
        code(import_einvoice(&t.app, &admin, &fixture("facturx-wrong-name.pdf"), None).await),
        "einvoice.pdf_no_invoice"
    );
    // Cut short, the PDF no longer reaches its attachment (lopdf reads what it can).
    let cut = code(import_einvoice(&t.app, &admin, &fixture("truncated.pdf"), None).await);
    assert!(
        cut == "einvoice.pdf_unreadable" || cut == "einvoice.pdf_no_invoice",
        "{cut}"
    );
    assert_eq!(
        code(import_einvoice(&t.app, &admin, &fixture("hostile-xxe.xml"), None).await),
        "einvoice.entity"
    );
    assert_eq!(
        code(import_einvoice(&t.app, &admin, &fixture("hostile-billion-laughs.xml"), None).await),
        "einvoice.entity"
    );
    assert_eq!(
        code(import_einvoice(&t.app, &admin, &fixture("cii-missing-number.xml"), None).await),
        "required"
    );
});

db_test!(aging_buckets_at_their_borders, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    // Today is 2026-11-23; due dates 0, 1, 30, 31, 60, 61, 90 and 91 days back.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    for (i, back) in [0u64, 1, 30, 31, 60, 61, 90, 91].into_iter().enumerate() {
        let due = today.checked_sub_days(chrono::Days::new(back)).unwrap();
        let r = post(
            &t,
            &token,
            "/api/v1/invoices",
            invoice(
                acc,
                &format!("AG-{i}"),
                "2026-01-02",
                json!({"kind": "due_on", "due_on": due.to_string()}),
                "1200.00",
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let f = api(&t.router(), Method::GET, "/api/v1/invoice-figures", &token, None).await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.body);
    let total = &f.json()["total"][0];
    assert_eq!(total["not_due"], "1200.00");
    assert_eq!(total["days_1_30"], "2400.00");
    assert_eq!(total["days_31_60"], "2400.00");
    assert_eq!(total["days_61_90"], "2400.00");
    assert_eq!(total["over_90"], "1200.00");
    assert_eq!(total["open"], "9600.00");
    assert_eq!(total["open_invoices"], 8);
    // DSO: all 9,600 invoiced in the 12 months is still owed → 365 days.
    assert_eq!(total["dso_days"], "365");
    // Per account.
    let by = api(
        &t.router(),
        Method::GET,
        "/api/v1/invoice-figures?by=account",
        &token,
        None,
    )
    .await
    .json();
    assert_eq!(by["lines"][0]["name"], "Danone");
    let r = api(
        &t.router(),
        Method::GET,
        "/api/v1/invoice-figures?by=planet",
        &token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(the_command_line_enters_pays_imports_and_reports, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = account(&t, &admin).await;
    let run = |args: Vec<String>| crate::bilan_cli(&t, args);
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let acc_s = acc.to_string();
    let out = run(s(&[
        "invoices",
        "add",
        "--workspace",
        "Acme",
        "--account",
        &acc_s,
        "--number",
        "C-1",
        "--issued-on",
        "15/01/2026",
        "--terms",
        "45 jours fin de mois",
        "--excl",
        "1000",
        "--incl",
        "1200",
    ]))
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(line.trim().ends_with("2026-03-31"), "{line}");
    let id = line.split('\t').next().unwrap().trim().to_owned();
    // A wrong amount is refused with its field named, and exits non-zero.
    let bad = run(s(&[
        "invoices",
        "pay",
        "--workspace",
        "Acme",
        &id,
        "--on",
        "2026-04-10",
        "--amount",
        "douze",
    ]))
    .await;
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("amount"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let ok = run(s(&[
        "invoices",
        "pay",
        "--workspace",
        "Acme",
        &id,
        "--on",
        "2026-04-10",
        "--amount",
        "1200",
    ]))
    .await;
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("settled"));
    let rate = run(s(&["invoices", "rate", "--workspace", "Acme", "2026", "1", "2,15"])).await;
    assert!(rate.status.success(), "{}", String::from_utf8_lossy(&rate.stderr));
    assert!(String::from_utf8_lossy(&rate.stdout).contains("12.15"));
    let show = run(s(&["invoices", "show", "--workspace", "Acme", &id])).await;
    let text = String::from_utf8_lossy(&show.stdout).to_string();
    assert!(text.contains("late: 10 days"), "{text}");
    // An accounting export, then the figures and their CSV.
    let dir = std::env::temp_dir().join(format!("bilan-inv-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("export.csv");
    std::fs::write(&csv, EXPORT).unwrap();
    let imp = run(vec![
        "invoices".into(),
        "import".into(),
        "--workspace".into(),
        "Acme".into(),
        csv.display().to_string(),
    ])
    .await;
    assert!(imp.status.success(), "{}", String::from_utf8_lossy(&imp.stderr));
    assert!(String::from_utf8_lossy(&imp.stdout).contains("4 created"));
    let list = run(s(&["invoices", "list", "--workspace", "Acme", "--status", "open"])).await;
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        2,
        "FA-002 and FA-003 owe"
    );
    let figures = run(s(&[
        "invoices",
        "figures",
        "--workspace",
        "Acme",
        "--by",
        "account",
        "--json",
    ]))
    .await;
    let v: Value = serde_json::from_slice(&figures.stdout).unwrap();
    assert_eq!(v["lines"][0]["name"], "Danone");
    let export = run(s(&["invoices", "export", "--workspace", "Acme", "--by", "segment"])).await;
    assert!(String::from_utf8_lossy(&export.stdout).starts_with("group;name;currency;not_due"));
    let einv = run(vec![
        "invoices".into(),
        "import".into(),
        "--workspace".into(),
        "Acme".into(),
        format!(
            "{}/tests/fixtures/einvoices/hostile-xxe.xml",
            env!("CARGO_MANIFEST_DIR")
        ),
    ])
    .await;
    assert!(!einv.status.success());
    assert!(
        String::from_utf8_lossy(&einv.stderr).contains("entities"),
        "{}",
        String::from_utf8_lossy(&einv.stderr)
    );
    drop(std::fs::remove_dir_all(dir));
});

db_test!(the_pages_answer_by_role, |t| async move {
    use bilan_domain::roles::Permission;
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let acc = account(&t, &admin).await;
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "P-1", "2026-10-01", json!({"kind": "days", "days": 30}), "1200.00"),
    )
    .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    for role in Role::ALL {
        let actor = t.with_user(role).await;
        let mut c = crate::logged_in(&t, &actor).await;
        let read = role.can(Permission::ReadInvoices);
        for path in [
            "/invoices".to_owned(),
            format!("/invoices/{id}"),
            "/invoices/figures?by=segment".to_owned(),
            format!("/accounts/{acc}/invoices"),
        ] {
            let got = c.get(&path).await;
            assert_eq!(
                got.status,
                if read { StatusCode::OK } else { StatusCode::FORBIDDEN },
                "{} GET {path}",
                role.code()
            );
        }
        let write = role.can(Permission::WriteInvoices);
        let new = c.get(&format!("/invoices/new?account={acc}")).await.status;
        assert_eq!(
            new,
            if write { StatusCode::OK } else { StatusCode::FORBIDDEN },
            "{} /invoices/new",
            role.code()
        );
        let pay = c
            .post_form(
                &format!("/invoices/{id}/payments"),
                &[("paid_on", "2026-11-02"), ("amount", "abc")],
            )
            .await;
        assert_eq!(
            pay.status,
            if write {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::FORBIDDEN
            },
            "{} a payment typed in words",
            role.code()
        );
        if write {
            assert!(pay.body.contains("id=\"e-amount\""), "the error shows at the amount");
            assert!(
                pay.body.contains("Montant invalide") || pay.body.contains("Invalid amount"),
                "{}",
                pay.body
            );
        }
        let settings = c.get("/invoices/settings").await.status;
        assert_eq!(
            settings,
            if read { StatusCode::OK } else { StatusCode::FORBIDDEN },
            "{} settings",
            role.code()
        );
        let rate = c
            .post_form(
                "/invoices/settings/rates",
                &[("year", "2026"), ("half", "3"), ("rate", "2,15")],
            )
            .await
            .status;
        let configure = role.can(Permission::ConfigureInvoices);
        assert_eq!(
            rate,
            if configure {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::FORBIDDEN
            },
            "{} a half-year that does not exist",
            role.code()
        );
    }
});

db_test!(a_key_accounts_owner_hears_first_and_letters_print, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let mut big = danone();
    big.size = Some("large".into());
    big.owner_id = Some(admin.user_id.to_string());
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &big)
        .await
        .unwrap()
        .id;
    contact(&t, &admin, acc, "Martin", "claire.martin@danone.test").await;
    // The large companies' plan: a helping e-mail, then a firm letter; the owner hears 5 days before.
    let plan = api(
        &t.router(),
        Method::PUT,
        "/api/v1/reminder-plans/large",
        &token,
        Some(json!({"steps": [
            {"days_after_due": 1, "channel": "email", "tone": "helping"},
            {"days_after_due": 10, "channel": "letter", "tone": "firm"}
        ], "owner_notice_days": 5})),
    )
    .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    assert_eq!(plan.json()["custom"], true);
    // A plan that repeats a day is refused at the step.
    let bad = api(
        &t.router(),
        Method::PUT,
        "/api/v1/reminder-plans/large",
        &token,
        Some(json!({"steps": [
            {"days_after_due": 1, "channel": "email", "tone": "helping"},
            {"days_after_due": 1, "channel": "letter", "tone": "firm"}
        ]})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "steps[1].days_after_due");
    for (half, rate) in [("2", "2.00")] {
        let r = api(
            &t.router(),
            Method::PUT,
            &format!("/api/v1/reference-rates/2026/{half}"),
            &token,
            Some(json!({"rate": rate})),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = post(
        &t,
        &token,
        "/api/v1/invoices",
        invoice(acc, "K-1", "2026-10-11", json!({"kind": "days", "days": 30}), "1200.00"),
    )
    .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let run = |t: &TestApp| {
        let app = t.app.clone();
        let ws = admin.workspace_id;
        async move { bilan_app::invoices::dunning::run_reminders(&app, ws).await.unwrap() }
    };
    let first = run(&t).await;
    assert_eq!((first.emails, first.owner_notices), (1, 0));
    t.clock.advance(chrono::Duration::days(2));
    let notice = run(&t).await;
    assert_eq!(
        (notice.sent, notice.owner_notices),
        (0, 1),
        "the owner hears five days before the firm step"
    );
    assert_eq!(mails(&t, &admin, "invoice_owner_notice").await.len(), 1);
    assert_eq!(run(&t).await.owner_notices, 0, "once");
    t.clock.advance(chrono::Duration::days(5));
    let letter = run(&t).await;
    assert_eq!(letter.letters, 1);
    let g = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/invoices/{id}"),
        &token,
        None,
    )
    .await
    .json();
    let reminder = g["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["channel"] == "letter")
        .cloned()
        .unwrap();
    assert_eq!(
        reminder["with_late_charges"], true,
        "a firm letter carries the late charges"
    );
    let rid = reminder["id"].as_str().unwrap();
    let pdf = api(
        &t.router(),
        Method::GET,
        &format!("/api/v1/invoices/{id}/reminders/{rid}/letter"),
        &token,
        None,
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"), "a PDF");
    // The letter left a task to print and post it for the owner.
    let today = bilan_app::invoices::today(&t.app);
    let day = bilan_app::my_day::my_day(&t.app, &admin, today, 50).await.unwrap();
    assert!(
        format!("{day:?}").contains("K-1"),
        "the print-and-post task is in the owner's day"
    );
    // The health of the accounts these reminders changed is recomputed too.
    t.run_pending_jobs().await;
});
