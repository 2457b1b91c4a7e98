//! The annual review of the largest account (the demo's flagship, a million
//! exchanges in the medium dataset): freezing its data pack, then writing its
//! minutes as PDF and Word.

use anyhow::{Context, Result};
use bilan_app::reviews::{self as uc, MinutesFormat, PlanInput};
use bilan_app::App;
use bilan_domain::reviews::hold::{ActionItemInput, HoldInput, RoundTableInput};
use bilan_domain::reviews::ReviewInput;
use std::fmt::Write as _;
use std::time::Instant;

fn fail(e: bilan_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Plans, prepares and holds a review of the flagship account, timing the pack
/// and the minutes; `engine` names the database.
pub(super) async fn run(app: &App, admin: &bilan_app::Actor, engine: &str, report: &mut String) -> Result<()> {
    let page = bilan_app::accounts::list_accounts(
        app,
        admin,
        &bilan_app::accounts::AccountQuery {
            q: Some(bilan_app::demo::FLAGSHIP_ACCOUNT.into()),
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    let account = page.items.first().context("no flagship account in this database")?;
    let today = bilan_app::health::today(app);
    let input = PlanInput {
        account_id: Some(account.id.to_string()),
        review: ReviewInput {
            planned_on: Some((today + chrono::Duration::days(7)).to_string()),
            ..ReviewInput::default()
        },
        attendees: None,
        agenda: None,
    };
    let review = uc::plan_review(app, admin, &input).await.map_err(fail)?;
    let started = Instant::now();
    uc::prepare_review(app, admin, review.id).await.map_err(fail)?;
    let prepare = started.elapsed().as_secs_f64();
    let pack = uc::review_pack(app, admin, review.id).await.map_err(fail)?;
    let _ = writeln!(
        report,
        "| review pack of the largest account ({} exchanges in its year), {engine} | {:.2} s |",
        pack.exchanges.total, prepare
    );
    let held = HoldInput {
        held_on: Some(today.to_string()),
        round_table: vec![RoundTableInput {
            attendee: Some("Directrice des achats".into()),
            satisfactions: Some("Réactivité".into()),
            irritants: Some("Délais".into()),
        }],
        decisions: vec!["Point trimestriel".into()],
        action_items: vec![ActionItemInput {
            what: Some("Planning de livraison".into()),
            owner: Some(admin.email.clone()),
            due_on: Some((today + chrono::Duration::days(30)).to_string()),
        }],
        ..HoldInput::default()
    };
    uc::hold_review(app, admin, review.id, &held).await.map_err(fail)?;
    for format in [MinutesFormat::Pdf, MinutesFormat::Docx] {
        let started = Instant::now();
        let f = uc::minutes_file(app, admin, review.id, format).await.map_err(fail)?;
        let _ = writeln!(
            report,
            "| its minutes as {}, {engine} | {:.0} ms, {} KB |",
            format.code(),
            started.elapsed().as_secs_f64() * 1000.0,
            f.bytes.len() / 1024
        );
    }
    Ok(())
}
