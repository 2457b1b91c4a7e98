//! Login, CSRF, session expiry, throttling, the last admin, languages.

use crate::{danone, logged_in};
use axum::http::{header, StatusCode};
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

db_test!(a_guesser_is_slowed_down_but_cannot_lock_the_user_out, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut guesser = PageClient::from_address(t.router(), "203.0.113.7");
    let retry_after = |res: &bilan_testkit::http::TestResponse| -> i64 {
        res.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap()
    };
    for _ in 0..3 {
        assert_eq!(
            guesser.login(&admin.email, "wrong password!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // From then on each failure doubles the wait before the next try, even with
    // the right password: that is what slows guessing down.
    let mut waits = Vec::new();
    for _ in 0..4 {
        let res = guesser.login(&admin.email, bilan_testkit::PASSWORD).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        let wait = retry_after(&res);
        waits.push(wait);
        t.clock.advance(chrono::Duration::seconds(wait));
        assert_eq!(
            guesser.login(&admin.email, "another guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(waits, vec![1, 2, 4, 8], "short, growing waits, not a 15-minute lock");
    // The real user, at their own desk, signs in at once.
    let mut user = PageClient::from_address(t.router(), "198.51.100.20");
    assert_eq!(
        user.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "an address that never failed is never refused"
    );
    let res = guesser.login(&admin.email, bilan_testkit::PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    t.clock.advance(chrono::Duration::seconds(retry_after(&res)));
    assert_eq!(
        guesser.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "once the wait is over, the right password works"
    );
    // Unknown e-mails answer like wrong passwords.
    let res = user.login("nobody@nowhere.test", "whatever it is").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
});

db_test!(an_office_address_is_slowed_never_shut_out, |t| async move {
    // Someone behind the office's one public address sprays 30 accounts.
    let mut sprayer = PageClient::from_address(t.router(), "192.0.2.44");
    for i in 0..30 {
        sprayer
            .login(&format!("nobody{i}@nowhere.test"), "wrong password!")
            .await;
    }
    let admin = t.with_user(Role::Admin).await;
    let mut colleague = PageClient::from_address(t.router(), "192.0.2.44");
    let res = colleague.login(&admin.email, bilan_testkit::PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "the address is slowed down");
    let wait: i64 = res.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(wait <= 60, "a colleague waits a minute at most, not 15: {wait} s");
    assert!(
        res.body.contains("Patientez") || res.body.contains("Wait"),
        "the page says why"
    );
    t.clock.advance(chrono::Duration::seconds(wait));
    assert_eq!(
        colleague.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
});

db_test!(last_admin_stays_and_disabled_users_are_out, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let res = bilan_app::users::update_user(&t.app, &admin, admin.user_id, None, Some("viewer"), None, None).await;
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

db_test!(behind_a_trusted_proxy_each_client_is_counted_apart, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let proxy = "10.0.0.2";
    let router = bilan_web::router(bilan_web::AppState::new(
        t.app.clone(),
        bilan_web::WebConfig {
            trusted_proxies: vec![proxy.parse().unwrap()],
            ..bilan_web::WebConfig::for_tests()
        },
    ));
    let mut guesser = PageClient::behind_proxy(router.clone(), proxy, "203.0.113.7");
    for _ in 0..3 {
        assert_eq!(
            guesser.login(&admin.email, "wrong password!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        guesser.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another person behind the same proxy is not the guesser.
    let mut user = PageClient::behind_proxy(router.clone(), proxy, "198.51.100.20");
    assert_eq!(
        user.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Without the proxy being trusted, a forged header changes nothing: the peer counts.
    let plain = t.router();
    let mut forger = PageClient::behind_proxy(plain.clone(), "192.0.2.50", "198.51.100.99");
    assert_eq!(
        forger.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "this peer never failed"
    );
    let mut guesser_direct = PageClient::behind_proxy(plain, "192.0.2.51", "198.51.100.98");
    for _ in 0..3 {
        guesser_direct.login(&admin.email, "wrong password!").await;
    }
    assert_eq!(
        guesser_direct.login(&admin.email, bilan_testkit::PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged X-Forwarded-For does not escape the delays"
    );
});
