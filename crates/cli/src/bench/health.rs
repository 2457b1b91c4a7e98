//! Health: the full recompute over every active account, the incremental one
//! after a single change, and the at-risk page under load.

use super::{at_rate, Auth, BenchArgs};
use anyhow::Result;
use bilan_app::App;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Times the nightly recompute of the whole workspace and the recompute of one
/// account after an exchange is logged on it; `engine` names the database.
pub(super) async fn recompute(app: &App, admin: &bilan_app::Actor, engine: &str, report: &mut String) -> Result<()> {
    let started = Instant::now();
    let n = bilan_app::health::recompute_all(app, admin.workspace_id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let full = started.elapsed().as_secs_f64();
    let _ = writeln!(
        report,
        "| full health recompute, {engine}, {n} active accounts | {:.1} s ({:.0} accounts/s) |",
        full,
        n as f64 / full.max(0.001)
    );
    // One change: an exchange logged on an account marks it; its job recomputes it.
    let page = bilan_app::health::at_risk(app, admin, None, true, 1, 0, bilan_i18n::Lang::Fr)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(item) = page.items.first() {
        let input = bilan_domain::timeline::InteractionInput {
            account_id: Some(item.account_id.to_string()),
            occurred_at: Some(app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            channel: Some("phone".into()),
            direction: Some("inbound".into()),
            subject: Some("Benchmark".into()),
            ..Default::default()
        };
        let logged = bilan_app::timeline::log_interaction(app, admin, &input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = Instant::now();
        let n = bilan_app::health::recompute_changed(app, admin.workspace_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = writeln!(
            report,
            "| incremental health recompute after one exchange, {engine} | {:.1} ms for {n} account(s) |",
            started.elapsed().as_secs_f64() * 1000.0
        );
        bilan_app::timeline::delete_interaction(app, admin, logged.id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        bilan_app::health::recompute_changed(app, admin.workspace_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// The at-risk page and its API at the page rate.
pub(super) async fn pages(
    args: &BenchArgs,
    secs: Duration,
    page: &dyn Fn(String) -> (String, Auth),
    call: &dyn Fn(String) -> (String, Auth),
    report: &mut String,
) -> Result<()> {
    let run = at_rate(
        args.rate,
        secs,
        vec![page("/at-risk".into()), page("/at-risk?watch=1".into())],
    )
    .await?;
    let _ = writeln!(
        report,
        "| at-risk page (with sparklines) at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let run = at_rate(args.rate, secs, vec![call("/api/v1/health/at-risk".into())]).await?;
    let _ = writeln!(report, "| at-risk API at {} req/s | {} |", args.rate, run.summary());
    let run = at_rate(args.rate, secs, vec![page("/key-accounts".into())]).await?;
    let _ = writeln!(
        report,
        "| key-account programme page at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    Ok(())
}
