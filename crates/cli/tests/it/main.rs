//! The one integration-test binary: every database test runs on SQLite and on
//! PostgreSQL (`db_test!`), pages are driven like a browser, the API with tokens.

// Test helpers outside #[test] functions panic on failure by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod accounts;
mod api;
mod audit;
mod auth;
mod browser;
mod cli;
mod complaints;
mod copy;
mod first_week;
mod hardening;
mod imports;
mod invoices;
mod jobs;
mod key_accounts;
mod mail_import;
mod my_day;
mod reviews;
mod scale_out;
mod schema;
mod surveys;
mod surveys_web;
mod timeline;
mod timeline_import;
mod timeline_web;

use bilan_testkit::http::PageClient;
use bilan_testkit::{TestApp, PASSWORD};

/// A page client logged in as `actor`.
pub async fn logged_in(t: &TestApp, actor: &bilan_app::Actor) -> PageClient {
    let mut c = PageClient::new(t.router());
    let res = c.login(&actor.email, PASSWORD).await;
    assert_eq!(
        res.status,
        axum::http::StatusCode::SEE_OTHER,
        "login failed: {}",
        res.body
    );
    c.get("/accounts").await;
    c
}

/// Creates a contact with an e-mail address on `account`.
pub async fn contact(
    t: &TestApp,
    actor: &bilan_app::Actor,
    account: uuid::Uuid,
    last_name: &str,
    email: &str,
) -> uuid::Uuid {
    let input = bilan_domain::contacts::ContactInput {
        account_id: Some(account.to_string()),
        last_name: Some(last_name.into()),
        email: Some(email.into()),
        ..Default::default()
    };
    bilan_app::contacts::create_contact(&t.app, actor, &input)
        .await
        .unwrap()
        .id
}

/// A valid account input with a known SIREN.
pub fn danone() -> bilan_domain::accounts::AccountInput {
    bilan_domain::accounts::AccountInput {
        name: Some("Danone".into()),
        siren: Some("552032534".into()),
        vat_number: Some("FR27552032534".into()),
        city: Some("Paris".into()),
        status: Some("active".into()),
        annual_value: Some("125 000,50".into()),
        tags: Some("grand compte, agro".into()),
        ..Default::default()
    }
}

/// Runs the `bilan` binary on `t`'s database with `args` (quiet logs); its output.
pub async fn bilan_cli(t: &TestApp, args: Vec<String>) -> std::process::Output {
    let url = t.database_url().to_owned();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bilan"))
            .env("BILAN_DATABASE_URL", url)
            .env("RUST_LOG", "error")
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}
