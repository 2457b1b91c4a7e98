//! "My day" through the API and the command line, with the same figures as the page.

use crate::first_week::portfolio;
use axum::http::{Method, StatusCode};
use bilan_domain::timeline::local_day;
use bilan_testkit::db_test;
use bilan_testkit::http::api;
use chrono::Days;

db_test!(my_day_and_snooze_through_the_api, |t| async move {
    let p = portfolio(&t).await;
    let token = t.token_for(&p.me).await;
    let router = t.router();
    let res = api(&router, Method::GET, "/api/v1/my-day", &token, None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let d = res.json();
    let today = local_day(t.app.now());
    assert_eq!(d["today"], today.to_string());
    assert_eq!(d["due_today"].as_array().unwrap().len(), 2);
    assert_eq!(
        d["due_today"][0]["satisfaction_callback"], true,
        "the call back comes first"
    );
    assert_eq!(d["due_today"][0]["account_name"], "Danone");
    let late = &d["overdue"][0]["interaction"];
    assert_eq!(d["overdue"].as_array().unwrap().len(), 1);
    let names: Vec<&str> = d["renewals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Lactalis Export", "Danone"],
        "the lapsed renewal first, then the one in 20 days"
    );

    // A snooze that is not one of the two is refused at its field.
    let id = late["id"].as_str().unwrap();
    let path = format!("/api/v1/follow-ups/{id}/snooze");
    let bad = api(
        &router,
        Method::POST,
        &path,
        &token,
        Some(serde_json::json!({"snooze": "later"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "snooze");
    let ok = api(
        &router,
        Method::POST,
        &path,
        &token,
        Some(serde_json::json!({"snooze": "tomorrow"})),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
    assert_eq!(ok.json()["follow_up"]["due"], tomorrow.to_string());
    let after = api(&router, Method::GET, "/api/v1/my-day", &token, None).await.json();
    assert_eq!(after["overdue"].as_array().unwrap().len(), 0);
    // The snooze is in the record's history.
    let history = bilan_app::audit::history(
        &t.app,
        &p.me,
        bilan_app::audit::AuditScope::Record(uuid::Uuid::parse_str(id).unwrap()),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(history.items.len(), 2, "logged, then snoozed");

    // The same day at the command line.
    // (The binary runs on the real clock, not the test's: what is due today here may be late there.)
    {
        let url = t.database_url();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bilan"))
            .args(["my-day", "--as", &p.me.email])
            .env("BILAN_DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            text.contains("unhappy client\tDanone\tRappeler Claire Vérité"),
            "{text}"
        );
        assert!(text.contains("Lactalis Export"), "{text}");
    }
});
