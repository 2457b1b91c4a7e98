//! Login, CSRF, session expiry, throttling, the last admin, languages.

use crate::{danone, logged_in};
use axum::http::StatusCode;
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::PageClient;

db_test!(csrf_is_required_on_every_form, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut c = logged_in(&t, &admin).await;
    let res = c
        .post_form("/accounts", &[("name", "Sans jeton"), ("_csrf", "forged")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = c.post_form("/accounts", &[("name", "Sans jeton"), ("_csrf", "")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let page = bilan_app::accounts::list_accounts(&t.app, &admin, &Default::default())
        .await
        .unwrap();
    assert!(page.items.is_empty(), "a forged form wrote something");
    let ok = c.post_form("/accounts", &[("name", "Avec jeton")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    // The login form has its own token, before any session exists.
    let mut anon = PageClient::new(t.router());
    anon.get("/login").await;
    let res = anon
        .post_form(
            "/login",
            &[
                ("email", &admin.email),
                ("password", bilan_testkit::PASSWORD),
                ("_csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
});

db_test!(sessions_expire_when_idle_and_absolutely, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut c = logged_in(&t, &admin).await;
    t.clock.advance(chrono::Duration::minutes(119));
    assert_eq!(c.get("/accounts").await.status, StatusCode::OK);
    t.clock.advance(chrono::Duration::minutes(121));
    let res = c.get("/accounts").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "idle session still valid");
    // Absolute expiry: active every hour, still out after 12 hours.
    let mut c = logged_in(&t, &admin).await;
    for _ in 0..11 {
        t.clock.advance(chrono::Duration::minutes(61));
        assert_eq!(c.get("/accounts").await.status, StatusCode::OK);
    }
    t.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        c.get("/accounts").await.status,
        StatusCode::SEE_OTHER,
        "absolute expiry not enforced"
    );
});

db_test!(logout_and_revocation_end_sessions, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut laptop = logged_in(&t, &admin).await;
    let mut phone = logged_in(&t, &admin).await;
    let sessions = bilan_app::auth::list_sessions(&t.app, &admin).await.unwrap();
    assert_eq!(sessions.len(), 2);
    let me = laptop.get("/me").await;
    for s in &sessions {
        assert!(
            me.body.contains(&format!("/me/sessions/{}/revoke", s.id)),
            "session {} not listed",
            s.id
        );
    }
    // The phone's session is the one whose CSRF token the phone holds.
    let other = sessions.iter().find(|s| s.csrf_token == phone.csrf).unwrap();
    let res = laptop
        .post_form(&format!("/me/sessions/{}/revoke", other.id), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        phone.get("/accounts").await.status,
        StatusCode::SEE_OTHER,
        "a revoked session still works"
    );
    assert_eq!(laptop.get("/accounts").await.status, StatusCode::OK);
    // Someone else's session cannot be revoked.
    let intruder = t.with_user(Role::Admin).await;
    let mut intruder_page = logged_in(&t, &intruder).await;
    let mine = bilan_app::auth::list_sessions(&t.app, &admin).await.unwrap();
    let res = intruder_page
        .post_form(&format!("/me/sessions/{}/revoke", mine[0].id), &[])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(laptop.post_form("/logout", &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(laptop.get("/accounts").await.status, StatusCode::SEE_OTHER);
});

db_test!(login_is_throttled_per_account, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut c = PageClient::new(t.router());
    for _ in 0..5 {
        assert_eq!(
            c.login(&admin.email, "wrong password!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let res = c.login(&admin.email, bilan_testkit::PASSWORD).await;
    assert_eq!(
        res.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password must wait too"
    );
    t.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        c.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Unknown e-mails answer like wrong passwords.
    let res = c.login("nobody@nowhere.test", "whatever it is").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
});

db_test!(login_is_throttled_per_address, |t| async move {
    let mut c = PageClient::new(t.router());
    for i in 0..30 {
        c.login(&format!("nobody{i}@nowhere.test"), "wrong password!").await;
    }
    let admin = t.with_user(Role::Admin).await;
    assert_eq!(
        c.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
});

db_test!(last_admin_stays_and_disabled_users_are_out, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let res = bilan_app::users::update_user(&t.app, &admin, admin.user_id, None, Some("viewer"), None).await;
    assert!(matches!(res, Err(bilan_app::AppError::Conflict(_))));
    let kam = t.with_user(Role::AccountManager).await;
    let mut c = logged_in(&t, &kam).await;
    let token = t.token_for(&kam).await;
    let mut admin_page = logged_in(&t, &admin).await;
    let res = admin_page
        .post_form(&format!("/users/{}", kam.user_id), &[("disabled", "true")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/accounts").await.status, StatusCode::SEE_OTHER);
    let api = bilan_testkit::http::api(&t.router(), axum::http::Method::GET, "/api/v1/accounts", &token, None).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        PageClient::new(t.router())
            .login(&kam.email, bilan_testkit::PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
});

db_test!(language_switch_is_remembered, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut c = logged_in(&t, &admin).await;
    assert!(c.get("/accounts").await.body.contains("Client accounts"));
    c.post_form("/language", &[("lang", "fr"), ("next", "/accounts")]).await;
    let mut fresh = logged_in(&t, &admin).await;
    let page = fresh.get("/accounts").await;
    assert!(
        page.body.contains("Comptes clients"),
        "language not remembered for the user"
    );
    assert!(page.body.contains("lang=\"fr\""));
    drop(danone());
});
