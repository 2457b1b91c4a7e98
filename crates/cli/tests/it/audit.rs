//! The audit trail: an entry for every kind of change, none for a rolled-back one,
//! readable per record and per user by admins and managers only.

use crate::{danone, logged_in};
use axum::http::{Method, StatusCode};
use bilan_db::audit::AuditScope;
use bilan_domain::contacts::ContactInput;
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::api;

async fn actions(t: &bilan_testkit::TestApp, admin: &bilan_app::Actor, scope: AuditScope) -> Vec<(String, String)> {
    let page = bilan_app::audit::history(&t.app, admin, scope, None, 200)
        .await
        .unwrap();
    page.items.into_iter().map(|e| (e.action, e.entity)).collect()
}

db_test!(every_change_is_recorded_with_before_and_after, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let kam = t.with_user(Role::AccountManager).await;
    let acc = bilan_app::accounts::create_account(&t.app, &kam, &danone())
        .await
        .unwrap();
    let mut input = acc.to_input();
    input.city = Some("Lyon".into());
    bilan_app::accounts::update_account(&t.app, &kam, acc.id, acc.version, &input)
        .await
        .unwrap();
    let site = bilan_app::accounts::add_site(
        &t.app,
        &kam,
        acc.id,
        &bilan_domain::accounts::SiteInput {
            name: Some("Usine".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    bilan_app::accounts::delete_site(&t.app, &kam, acc.id, site.id)
        .await
        .unwrap();
    let contact = bilan_app::contacts::create_contact(
        &t.app,
        &kam,
        &ContactInput {
            account_id: Some(acc.id.to_string()),
            last_name: Some("Leroy".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut ci = contact.to_input();
    ci.phone = Some("04 72 00 00 00".into());
    bilan_app::contacts::update_contact(&t.app, &kam, contact.id, contact.version, &ci)
        .await
        .unwrap();
    bilan_app::contacts::delete_contact(&t.app, &kam, contact.id)
        .await
        .unwrap();
    bilan_app::users::update_user(&t.app, &admin, kam.user_id, None, Some("manager"), None, None)
        .await
        .unwrap();
    let token = bilan_app::auth::create_token(&t.app, &admin, "ci").await.unwrap();
    bilan_app::auth::revoke_token(&t.app, &admin, token.token.id)
        .await
        .unwrap();
    bilan_app::accounts::delete_account(&t.app, &admin, acc.id)
        .await
        .unwrap();

    let on_account = actions(&t, &admin, AuditScope::Record(acc.id)).await;
    assert_eq!(
        on_account,
        vec![
            ("delete".into(), "account".into()),
            ("update".into(), "account".into()),
            ("create".into(), "account".into())
        ]
    );
    let history = bilan_app::audit::history(&t.app, &admin, AuditScope::Record(acc.id), None, 10)
        .await
        .unwrap();
    let update = &history.items[1];
    assert_eq!(update.user_id, Some(kam.user_id));
    let city = update.changes.iter().find(|c| c.field == "city").unwrap();
    assert_eq!(
        (city.before.as_str(), city.after.as_str()),
        (Some("Paris"), Some("Lyon"))
    );
    assert!(update
        .changes
        .iter()
        .all(|c| c.field != "version" && c.field != "updated_at"));
    assert_eq!(actions(&t, &admin, AuditScope::Record(site.id)).await.len(), 2);
    assert_eq!(
        actions(&t, &admin, AuditScope::Record(contact.id)).await,
        vec![
            ("delete".into(), "contact".into()),
            ("update".into(), "contact".into()),
            ("create".into(), "contact".into())
        ]
    );
    let on_user = bilan_app::audit::history(&t.app, &admin, AuditScope::Record(kam.user_id), None, 10)
        .await
        .unwrap();
    let role = on_user.items[0].changes.iter().find(|c| c.field == "role").unwrap();
    assert_eq!(
        (role.before.as_str(), role.after.as_str()),
        (Some("account_manager"), Some("manager"))
    );
    assert!(on_user
        .items
        .iter()
        .flat_map(|e| &e.changes)
        .all(|c| c.field != "password_hash"));
    assert_eq!(actions(&t, &admin, AuditScope::Record(token.token.id)).await.len(), 2);
    // Per user: what the account manager did, newest first.
    let by_kam = actions(&t, &admin, AuditScope::User(kam.user_id)).await;
    assert_eq!(by_kam.len(), 7);
    assert_eq!(by_kam[0], ("delete".into(), "contact".into()));
});

db_test!(rolled_back_changes_leave_no_entry, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    // A stale update is refused: its transaction rolls back, audit entry included.
    let mut input = acc.to_input();
    input.city = Some("Lille".into());
    bilan_app::accounts::update_account(&t.app, &admin, acc.id, acc.version, &input)
        .await
        .unwrap();
    input.city = Some("Nice".into());
    assert!(
        bilan_app::accounts::update_account(&t.app, &admin, acc.id, acc.version, &input)
            .await
            .is_err()
    );
    assert_eq!(actions(&t, &admin, AuditScope::Record(acc.id)).await.len(), 2);
    // An all-or-nothing import with a bad line writes neither rows nor entries.
    let csv = b"Raison sociale;SIREN\nNouvelle;552120222\nTypo;552032535\n";
    let report = bilan_app::imports::import_accounts(&t.app, &admin, csv, &Default::default())
        .await
        .unwrap();
    assert!(!report.committed);
    assert_eq!(actions(&t, &admin, AuditScope::User(admin.user_id)).await.len(), 2);
    // A committed import records each created row.
    let opts = bilan_app::imports::ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    bilan_app::imports::import_accounts(&t.app, &admin, csv, &opts)
        .await
        .unwrap();
    assert_eq!(actions(&t, &admin, AuditScope::User(admin.user_id)).await.len(), 3);
});

db_test!(history_pages_and_api_are_for_admins_and_managers, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &danone())
        .await
        .unwrap();
    let mut input = acc.to_input();
    input.name = Some("Danone Nutricia".into());
    bilan_app::accounts::update_account(&t.app, &admin, acc.id, acc.version, &input)
        .await
        .unwrap();
    let mut page = logged_in(&t, &admin).await;
    let show = page.get(&format!("/accounts/{}", acc.id)).await;
    assert!(show.body.contains(&format!("/accounts/{}/history", acc.id)));
    let history = page.get(&format!("/accounts/{}/history", acc.id)).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(
        history.body.contains("<del>Danone</del> → <ins>Danone Nutricia</ins>"),
        "{}",
        history.body
    );
    let by_user = page.get(&format!("/users/{}/history", admin.user_id)).await;
    assert!(by_user.body.contains("Danone Nutricia"));
    let token = t.token_for(&admin).await;
    let res = api(
        &router,
        Method::GET,
        &format!("/api/v1/audit?record={}", acc.id),
        &token,
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let items = res.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["changes"][0]["field"], "name");
    for role in [Role::AccountManager, Role::Finance, Role::Support, Role::Viewer] {
        let actor = t.with_user(role).await;
        let mut p = logged_in(&t, &actor).await;
        assert_eq!(
            p.get(&format!("/accounts/{}/history", acc.id)).await.status,
            StatusCode::FORBIDDEN,
            "{}",
            role.code()
        );
        assert!(!p.get(&format!("/accounts/{}", acc.id)).await.body.contains("/history"));
        let tk = t.token_for(&actor).await;
        let res = api(
            &router,
            Method::GET,
            &format!("/api/v1/audit?record={}", acc.id),
            &tk,
            None,
        )
        .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
    let other = t.user_in("Elsewhere", Role::Admin).await;
    let ot = t.token_for(&other).await;
    let res = api(
        &router,
        Method::GET,
        &format!("/api/v1/audit?record={}", acc.id),
        &ot,
        None,
    )
    .await;
    assert_eq!(
        res.json()["items"].as_array().unwrap().len(),
        0,
        "another workspace sees nothing"
    );
});
