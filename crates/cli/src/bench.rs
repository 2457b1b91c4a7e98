//! `bilan bench`: the reproducible measurements recorded in BENCHMARKS.md.
//!
//! It imports a generated CSV into fresh databases (rows/s), then serves the demo
//! dataset in-process and loads it from client threads on the same machine: page
//! latency at a fixed rate, API get-by-id throughput, and search latency.

mod health;
mod outbox;
mod review;

use crate::commands::open_app;
use anyhow::{Context, Result};
use bilan_app::database::ScratchDatabase;
use bilan_app::imports::{self, ImportOptions};
use bilan_app::App;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `bilan bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Demo dataset for the latency runs: small, medium or large (generated once into --data).
    #[arg(long, default_value = "medium")]
    pub size: String,
    /// SQLite file holding the benchmark's demo dataset (reused between runs).
    #[arg(long, default_value = "bench-data.db")]
    pub data: String,
    /// Rows of the generated CSV for the import benchmark.
    #[arg(long, default_value_t = 100_000)]
    pub import_rows: usize,
    /// Also measure the import on this PostgreSQL server (a scratch database is created and dropped).
    #[arg(long, env = "BILAN_BENCH_POSTGRES_URL")]
    pub postgres: Option<String>,
    /// Seconds per latency run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Target rate of the page runs, requests per second.
    #[arg(long, default_value_t = 200)]
    pub rate: u32,
    /// Rate of the search run, requests per second.
    #[arg(long, default_value_t = 50)]
    pub search_rate: u32,
    /// Client threads of the throughput run.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// E-mails queued for the outbox benchmark.
    #[arg(long, default_value_t = 5_000)]
    pub outbox_mails: usize,
    /// Run only these groups (comma-separated): `import`, `ingest`, `outbox`, `serve`, `health`, `review`; all when absent.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// For `health` and `review`: a database already holding the demo (a
    /// PostgreSQL copy of --data made with `bilan db copy`); default --data.
    #[arg(long)]
    pub health_url: Option<String>,
    /// Write the generated accounts CSV (--import-rows lines) to this file and
    /// stop, to time `bilan import accounts` end to end.
    #[arg(long)]
    pub write_csv: Option<std::path::PathBuf>,
}

impl BenchArgs {
    fn runs(&self, group: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|g| g == group)
    }
}

/// Runs every benchmark and prints a Markdown report on stdout.
pub async fn run(_url: &str, args: BenchArgs) -> Result<()> {
    if let Some(path) = &args.write_csv {
        std::fs::write(path, generate_csv(args.import_rows))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("{} lines written to {}", args.import_rows, path.display());
        return Ok(());
    }
    let mut report = String::new();
    let _ = writeln!(report, "| benchmark | result |\n|---|---|");
    let dir = std::env::temp_dir().join(format!("bilan-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    if args.runs("import") {
        bench_imports(&args, &dir, &mut report).await?;
    }
    if args.runs("ingest") {
        bench_ingests(&args, &dir, &mut report).await?;
    }
    if args.runs("outbox") {
        bench_outboxes(&args, &dir, &mut report).await?;
    }
    drop(std::fs::remove_dir_all(&dir));
    if args.runs("health") && args.health_url.is_some() {
        let url = args.health_url.clone().unwrap_or_default();
        let app = open_app(&url, 8).await?;
        let admin = bench_health_admin(&app).await?;
        let engine = if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        health::recompute(&app, &admin, engine, &mut report).await?;
    }
    if args.runs("review") && args.only.iter().any(|g| g == "review") {
        let url = args
            .health_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", args.data));
        let app = open_app(&url, 8).await?;
        let admin = bench_health_admin(&app).await?;
        let engine = if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        review::run(&app, &admin, engine, &mut report).await?;
        if args.only.len() == 1 {
            println!("{report}");
            return Ok(());
        }
    }
    // `--only health` without --health-url serves the --data dataset for its pages.
    let health_pages = args.runs("health") && args.health_url.is_none();
    if !args.runs("serve") && !health_pages {
        println!("{report}");
        return Ok(());
    }

    let size = bilan_app::demo::DemoSize::parse(&args.size).context("--size is small, medium or large")?;
    let url = format!("sqlite://{}", args.data);
    let app = open_app(&url, 16).await?;
    let started = Instant::now();
    let demo = bilan_app::demo::ensure_demo(&app, size, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "dataset ready ({} accounts, {} contacts) in {:.1} s",
        demo.accounts,
        demo.contacts,
        started.elapsed().as_secs_f64()
    );
    let (base, cookie, token, ids) = serve_in_process(&app, &demo).await?;
    let secs = Duration::from_secs(args.seconds);
    let page = |path: String| (format!("{base}{path}"), Auth::Cookie(cookie.clone()));
    let call = |path: String| (format!("{base}{path}"), Auth::Bearer(token.clone()));
    if !args.runs("serve") {
        let admin = demo_admin(&app, &demo).await?;
        health::recompute(&app, &admin, "SQLite", &mut report).await?;
        health::pages(&args, secs, &page, &call, &mut report).await?;
        println!("{report}");
        return Ok(());
    }
    let list: Vec<_> = ["name", "-value", "-updated"]
        .iter()
        .map(|s| page(format!("/accounts?sort={s}")))
        .collect();
    let run = at_rate(args.rate, secs, list).await?;
    let _ = writeln!(
        report,
        "| account list page at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let detail: Vec<_> = ids.iter().map(|id| page(format!("/accounts/{id}"))).collect();
    let run = at_rate(args.rate, secs, detail).await?;
    let _ = writeln!(report, "| account page at {} req/s | {} |", args.rate, run.summary());
    // "My day" and the largest account's page, as the account manager who owns it
    // sees them every morning.
    let kam = kam_cookie(&app, &demo).await?;
    let as_kam = |path: String| (format!("{base}{path}"), Auth::Cookie(kam.clone()));
    let run = at_rate(args.rate, secs, vec![as_kam("/".into())]).await?;
    let _ = writeln!(
        report,
        "| my day (home page) of the largest account's manager at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let flagship_page = flagship_id(&app, &demo).await?;
    let run = at_rate(args.rate, secs, vec![as_kam(format!("/accounts/{flagship_page}"))]).await?;
    let _ = writeln!(
        report,
        "| page of the account with 20,000 contacts at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let terms = [
        "dupont",
        "indus",
        "lyon",
        "groupe+hexagone",
        "societe",
        "552",
        "transport",
        "sante",
    ];
    let search: Vec<_> = terms.iter().map(|t| call(format!("/api/v1/accounts?q={t}"))).collect();
    let run = at_rate(args.search_rate, secs, search).await?;
    let _ = writeln!(
        report,
        "| API search at {} req/s | {} |",
        args.search_rate,
        run.summary()
    );
    let flagship = flagship_id(&app, &demo).await?;
    let run = at_rate(
        args.rate,
        secs,
        vec![call(format!("/api/v1/accounts/{flagship}/interactions"))],
    )
    .await?;
    let _ = writeln!(
        report,
        "| timeline first page of the largest account at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let terms = [
        "livraison",
        "devis",
        "facture",
        "retard+livraison",
        "reclamation",
        "point+trimestriel",
        "incident",
        "relance",
    ];
    let exchanges: Vec<_> = terms.iter().map(|t| call(format!("/api/v1/search?q={t}"))).collect();
    let run = at_rate(args.search_rate, secs, exchanges).await?;
    let _ = writeln!(
        report,
        "| workspace search (accounts, contacts, exchanges) at {} req/s | {} |",
        args.search_rate,
        run.summary()
    );
    let run = at_rate(args.search_rate, secs, vec![page("/satisfaction".into())]).await?;
    let _ = writeln!(
        report,
        "| satisfaction page (12 months: scores, trend, 5 breakdowns, rates, verbatims) at {} req/s | {} |",
        args.search_rate,
        run.summary()
    );
    let run = satisfaction_uncached(&app, &demo, 30).await?;
    let _ = writeln!(
        report,
        "| satisfaction figures computed without the cache (use case, 30 in a row) | {} |",
        run.summary()
    );
    let run = at_rate(
        args.search_rate,
        secs,
        vec![call("/api/v1/satisfaction?period=quarter".into())],
    )
    .await?;
    let _ = writeln!(
        report,
        "| satisfaction API at {} req/s | {} |",
        args.search_rate,
        run.summary()
    );
    // Complaints: the list by next deadline (with its figures) and its API, then the
    // morning's deadline job over every case of the workspace.
    let lists: Vec<_> = [
        "/complaints",
        "/complaints?state=all",
        "/complaints?overdue=true&state=all",
    ]
    .iter()
    .map(|p| page((*p).to_owned()))
    .collect();
    let run = at_rate(args.rate, secs, lists).await?;
    let _ = writeln!(
        report,
        "| complaints page (next deadline first, with its figures) at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let run = at_rate(args.rate, secs, vec![call("/api/v1/complaints?state=open".into())]).await?;
    let _ = writeln!(
        report,
        "| complaints API list at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let admin = demo_admin(&app, &demo).await?;
    for pass in ["first run (alerts raised)", "second run (nothing new)"] {
        let started = Instant::now();
        let r = bilan_app::complaints::deadlines::raise_alerts(&app, admin.workspace_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = writeln!(
            report,
            "| complaint deadline job, {pass} | {:.0} ms for {} cases due or late, {} alerts |",
            started.elapsed().as_secs_f64() * 1000.0,
            r.cases,
            r.alerts
        );
    }
    bench_invoices(&app, &admin, &ids, &args, secs, &page, &call, &mut report).await?;
    health::recompute(&app, &admin, "SQLite", &mut report).await?;
    health::pages(&args, secs, &page, &call, &mut report).await?;
    let by_id = tokio::task::spawn_blocking({
        let (base, token, ids) = (base.clone(), token.clone(), Arc::clone(&ids));
        let c = args.concurrency;
        move || {
            saturate(c, secs, move |i| {
                get(
                    &format!("{base}/api/v1/accounts/{}", ids[i % ids.len()]),
                    None,
                    Some(&token),
                )
            })
        }
    })
    .await??;
    let _ = writeln!(
        report,
        "| API get-by-id, {} client threads | {} |",
        args.concurrency,
        by_id.summary()
    );
    println!("{report}");
    Ok(())
}

/// Invoices: the aging pages and API at the page rate, the figures computed cold,
/// the morning reminders over the whole workspace, and the invoice import rate.
#[allow(clippy::too_many_arguments)]
async fn bench_invoices(
    app: &App,
    admin: &bilan_app::Actor,
    ids: &[String],
    args: &BenchArgs,
    secs: Duration,
    page: &dyn Fn(String) -> (String, Auth),
    call: &dyn Fn(String) -> (String, Auth),
    report: &mut String,
) -> Result<()> {
    use bilan_app::invoices::{self as inv, figures as fig};
    let cold = App::new(app.db.clone(), (*app.config).clone(), Arc::clone(&app.clock));
    for by in [inv::Grouping::Workspace, inv::Grouping::Owner, inv::Grouping::Segment] {
        let started = Instant::now();
        let f = fig::invoice_figures(&cold, admin, by, &Default::default())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = writeln!(
            report,
            "| invoice figures ({by:?}) computed cold, {} open invoices | {:.0} ms |",
            f.total.iter().map(|t| t.open_invoices).sum::<i64>(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    let run = at_rate(
        args.rate,
        secs,
        vec![page("/invoices".into()), page("/invoices?status=overdue".into())],
    )
    .await?;
    let _ = writeln!(
        report,
        "| invoices page (totals, aging chart, list) at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let run = at_rate(
        args.rate,
        secs,
        vec![
            page("/invoices/figures?by=owner".into()),
            page("/invoices/figures?by=segment".into()),
        ],
    )
    .await?;
    let _ = writeln!(
        report,
        "| aging page per owner / segment at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    let run = at_rate(args.rate, secs, vec![call("/api/v1/invoice-figures?by=owner".into())]).await?;
    let _ = writeln!(
        report,
        "| invoice figures API at {} req/s | {} |",
        args.rate,
        run.summary()
    );
    for pass in ["first run", "second run (nothing new)"] {
        let started = Instant::now();
        let r = inv::dunning::run_reminders(app, admin.workspace_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = writeln!(
            report,
            "| morning reminders, {pass} | {:.0} ms: {} overdue invoices looked at, {} sent, {} held |",
            started.elapsed().as_secs_f64() * 1000.0,
            r.examined,
            r.sent,
            r.held_disputed + r.held_factored
        );
    }
    // The import rate: an accounting export of 20,000 invoices with payments, checked
    // and written in one transaction, then rolled back (a dry run) so the dataset stays.
    let mut csv =
        String::from("Numéro;Id du compte;Date facture;Conditions;Montant HT;Montant TTC;Réglé le;Montant réglé\n");
    for i in 0..20_000usize {
        let acc = &ids[i % ids.len().max(1)];
        let paid = if i % 3 == 0 { "15/10/2026;1200,00" } else { ";" };
        let _ = writeln!(csv, "BENCH-{i:06};{acc};01/09/2026;30 jours;1000,00;1200,00;{paid}");
    }
    let started = Instant::now();
    let r = inv::import::import_invoices(
        app,
        admin,
        csv.as_bytes(),
        &ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        r.rejected.is_empty(),
        "the bench export was refused: {:?}",
        r.rejected.first()
    );
    let _ = writeln!(
        report,
        "| invoice import (accounting CSV, 20,000 invoices, a third paid), SQLite, dry run | {:.0} lines/s |",
        r.total_lines as f64 / started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn bench_import(url: &str, csv: &[u8]) -> Result<f64> {
    let app = open_app(url, 4).await?;
    let actor = bench_admin(&app, "bench").await?;
    let started = Instant::now();
    let report = imports::import_accounts(&app, &actor, csv, &ImportOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.committed && report.created > 0,
        "the import wrote nothing: {:?}",
        report.rejected.first()
    );
    app.close().await;
    Ok(report.created as f64 / elapsed)
}

/// CSV import into fresh SQLite (and PostgreSQL) databases.
async fn bench_imports(args: &BenchArgs, dir: &std::path::Path, report: &mut String) -> Result<()> {
    let csv = generate_csv(args.import_rows);
    let sqlite = format!("sqlite://{}", dir.join("import.db").display());
    let rate = bench_import(&sqlite, &csv).await?;
    let _ = writeln!(
        report,
        "| CSV import, {} accounts, SQLite | {:.0} rows/s |",
        args.import_rows, rate
    );
    if let Some(pg) = &args.postgres {
        let scratch = ScratchDatabase::create(pg).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let rate = bench_import(&scratch.url, &csv).await;
        scratch.drop_now().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = writeln!(
            report,
            "| CSV import, {} accounts, PostgreSQL | {:.0} rows/s |",
            args.import_rows, rate?
        );
    }
    Ok(())
}

/// The outbox into a local SMTP sink, from fresh databases, with one and two workers.
async fn bench_outboxes(args: &BenchArgs, dir: &std::path::Path, report: &mut String) -> Result<()> {
    for workers in [1, 2] {
        let sqlite = format!("sqlite://{}", dir.join(format!("outbox-{workers}.db")).display());
        let rate = outbox::bench_outbox(&sqlite, args.outbox_mails, workers).await?;
        let _ = writeln!(
            report,
            "| outbox to SMTP, {} e-mails, {workers} worker(s), SQLite | {rate:.0} e-mails/s |",
            args.outbox_mails
        );
        if let Some(pg) = &args.postgres {
            let scratch = ScratchDatabase::create(pg).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let rate = outbox::bench_outbox(&scratch.url, args.outbox_mails, workers).await;
            scratch.drop_now().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let _ = writeln!(
                report,
                "| outbox to SMTP, {} e-mails, {workers} worker(s), PostgreSQL | {:.0} e-mails/s |",
                args.outbox_mails, rate?
            );
        }
    }
    Ok(())
}

/// Interaction batches through the use case into fresh databases.
/// Ingest runs per engine: one run lasts about a second on SQLite, where the
/// machine's disk and scheduler move a single figure by a quarter.
const INGEST_RUNS: usize = 5;

async fn bench_ingests(args: &BenchArgs, dir: &std::path::Path, report: &mut String) -> Result<()> {
    let mut rates = Vec::with_capacity(INGEST_RUNS);
    for run in 0..INGEST_RUNS {
        let sqlite = format!("sqlite://{}", dir.join(format!("ingest-{run}.db")).display());
        rates.push(bench_ingest(&sqlite).await?);
    }
    let _ = writeln!(
        report,
        "| interaction batch ingest (20 x 1,000 via log_batch), SQLite | {} |",
        spread(rates)
    );
    if let Some(pg) = &args.postgres {
        let mut rates = Vec::with_capacity(INGEST_RUNS);
        for _ in 0..INGEST_RUNS {
            let scratch = ScratchDatabase::create(pg).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let rate = bench_ingest(&scratch.url).await;
            scratch.drop_now().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            rates.push(rate?);
        }
        let _ = writeln!(
            report,
            "| interaction batch ingest (20 x 1,000 via log_batch), PostgreSQL | {} |",
            spread(rates)
        );
    }
    Ok(())
}

/// `median interactions/s (min – max over n runs)`.
fn spread(mut rates: Vec<f64>) -> String {
    rates.sort_by(f64::total_cmp);
    let (Some(min), Some(max)) = (rates.first(), rates.last()) else {
        return "no run".into();
    };
    format!(
        "{:.0} interactions/s median ({min:.0} – {max:.0} over {} runs)",
        rates[rates.len() / 2],
        rates.len()
    )
}

/// Logs 20 batches of 1,000 interactions through the use case (validation, de-duplication,
/// first responses, audit) on a fresh database.
async fn bench_ingest(url: &str) -> Result<f64> {
    let app = open_app(url, 4).await?;
    let actor = bench_admin(&app, "ingest").await?;
    let input = bilan_domain::accounts::AccountInput {
        name: Some("Ingest".into()),
        ..Default::default()
    };
    let account = bilan_app::accounts::create_account(&app, &actor, &input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = chrono::DateTime::parse_from_rfc3339("2025-01-06T08:00:00Z")?.with_timezone(&chrono::Utc);
    let started = Instant::now();
    let mut written = 0;
    for batch in 0..20 {
        let items: Vec<bilan_domain::timeline::InteractionInput> = (0..1000)
            .map(|i| {
                let n = batch * 1000 + i;
                bilan_domain::timeline::InteractionInput {
                    account_id: Some(account.id.to_string()),
                    channel: Some(if n % 3 == 0 { "phone" } else { "email" }.into()),
                    direction: Some(if n % 2 == 0 { "inbound" } else { "outbound" }.into()),
                    // Exchanges arrive roughly in time order, a few out of order
                    // within a batch, as from a mailbox or a CRM sync.
                    occurred_at: Some(
                        (start + chrono::Duration::minutes(7 * i64::from(n) - 90 * i64::from(n % 5)))
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    ),
                    subject: Some(format!("Échange {n} : retard de livraison")),
                    summary: Some("Le client demande où en est sa commande et la date de livraison prévue.".into()),
                    external_ref: Some(format!("<bench-{n}@bench.test>")),
                    ..Default::default()
                }
            })
            .collect();
        written += bilan_app::timeline::log_batch(&app, &actor, &items)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .inserted;
    }
    let elapsed = started.elapsed().as_secs_f64();
    app.close().await;
    Ok(written as f64 / elapsed)
}

/// The demo's admin.
/// The demo's administrator in a database that already holds it.
async fn bench_health_admin(app: &App) -> Result<bilan_app::Actor> {
    let user = bilan_app::users::find_by_email(app, bilan_app::demo::DEMO_ADMIN_EMAIL)
        .await
        .map_err(|e| anyhow::anyhow!("no demo in this database ({e}): copy --data into it first"))?;
    bilan_app::auth::actor_of(&user).map_err(|e| anyhow::anyhow!("{e}"))
}

async fn demo_admin(app: &App, demo: &bilan_app::demo::DemoReport) -> Result<bilan_app::Actor> {
    let admin = demo
        .users
        .iter()
        .find(|(_, r)| r == "admin")
        .map(|(e, _)| e.clone())
        .context("demo has no admin")?;
    let user = bilan_app::users::find_by_email(app, &admin)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bilan_app::auth::actor_of(&user).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Computes the default satisfaction dashboard `runs` times without the cache; returns the run.
async fn satisfaction_uncached(app: &App, demo: &bilan_app::demo::DemoReport, runs: usize) -> Result<Run> {
    let actor = demo_admin(app, demo).await?;
    let today = bilan_domain::timeline::local_day(app.now());
    let range = bilan_app::surveys::SatisfactionQuery::default()
        .parse(today)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        bilan_app::surveys::compute_satisfaction(app, &actor, &range)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        latencies.push(t.elapsed());
    }
    latencies.sort();
    Ok(Run {
        latencies,
        errors: 0,
        elapsed: started.elapsed(),
    })
}

/// The demo account with the largest history.
async fn flagship_id(app: &App, demo: &bilan_app::demo::DemoReport) -> Result<String> {
    let actor = demo_admin(app, demo).await?;
    let q = bilan_app::accounts::AccountQuery {
        q: Some(bilan_app::demo::FLAGSHIP_ACCOUNT.into()),
        ..Default::default()
    };
    let page = bilan_app::accounts::list_accounts(app, &actor, &q)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let first = page.items.first().context("the flagship account is missing")?;
    Ok(first.id.to_string())
}

/// An admin of a fresh "Bench" workspace.
async fn bench_admin(app: &App, label: &str) -> Result<bilan_app::Actor> {
    let new = bilan_app::users::NewUser {
        email: format!("{label}-{}@bench.test", uuid::Uuid::new_v4().simple()),
        display_name: None,
        role: "admin".into(),
        password: "benchmark password".into(),
        language: None,
    };
    let (_, user) = bilan_app::users::add_user_to_workspace(app, "Bench", &new)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bilan_app::auth::actor_of(&user).map_err(|e| anyhow::anyhow!("{e}"))
}

/// A CSV as a French spreadsheet saves it: `;`, decimal commas, day-first dates.
fn generate_csv(rows: usize) -> Vec<u8> {
    let mut out = String::from(
        "Raison sociale;SIREN;Ville;Code postal;Secteur;Statut;Montant annuel;Date de renouvellement;Référence\n",
    );
    for i in 0..rows {
        let body = format!("{:08}", 10_000_000 + i);
        let key = (0..10)
            .find(|k| bilan_domain::identifiers::luhn_valid(&format!("{body}{k}")))
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "Société {i} Industrie;{body}{key};Lyon;69003;Industrie;actif;{},{:02};{:02}/{:02}/2027;BENCH-{i}",
            1000 + i % 90_000,
            i % 100,
            1 + i % 28,
            1 + i % 12
        );
    }
    out.into_bytes()
}

/// A page session of the demo's first account manager (who owns the largest account).
async fn kam_cookie(app: &App, demo: &bilan_app::demo::DemoReport) -> Result<String> {
    let kam = demo
        .users
        .iter()
        .find(|(_, r)| r == "account_manager")
        .map(|(e, _)| e.clone())
        .context("demo has no account manager")?;
    let session = bilan_app::auth::login(app, &kam, &demo.password, Some("127.0.0.1"), Some("bilan bench"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!("bilan_session={}", session.token))
}

async fn serve_in_process(
    app: &App,
    demo: &bilan_app::demo::DemoReport,
) -> Result<(String, String, String, Arc<Vec<String>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = bilan_web::router(bilan_web::AppState::new(app.clone(), Default::default()));
    tokio::spawn(async move {
        drop(
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await,
        );
    });
    let admin = demo
        .users
        .iter()
        .find(|(_, r)| r == "admin")
        .map(|(e, _)| e.clone())
        .context("demo has no admin")?;
    let session = bilan_app::auth::login(app, &admin, &demo.password, Some("127.0.0.1"), Some("bilan bench"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let token = bilan_app::auth::create_token(app, &session.actor, "bench")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .secret;
    let q = bilan_app::accounts::AccountQuery {
        sort: Some("-value".into()),
        limit: Some(200),
        ..Default::default()
    };
    let ids: Vec<String> = bilan_app::accounts::list_accounts(app, &session.actor, &q)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .items
        .into_iter()
        .map(|a| a.id.to_string())
        .collect();
    anyhow::ensure!(!ids.is_empty(), "no account to read");
    Ok((base, format!("bilan_session={}", session.token), token, Arc::new(ids)))
}

/// How a benchmark request authenticates: a page session or an API token.
#[derive(Clone)]
enum Auth {
    /// `Cookie` header of a logged-in session.
    Cookie(String),
    /// API token.
    Bearer(String),
}

/// Requests `targets` in turn at a fixed rate for `duration`.
async fn at_rate(rate: u32, duration: Duration, targets: Vec<(String, Auth)>) -> Result<Run> {
    anyhow::ensure!(!targets.is_empty(), "nothing to request");
    tokio::task::spawn_blocking(move || {
        fixed_rate(rate, duration, move |i| {
            let (url, auth) = &targets[i % targets.len()];
            match auth {
                Auth::Cookie(c) => get(url, Some(c), None),
                Auth::Bearer(t) => get(url, None, Some(t)),
            }
        })
    })
    .await?
}

fn get(url: &str, cookie: Option<&str>, token: Option<&str>) -> bool {
    let mut req = ureq::get(url).timeout(Duration::from_secs(10));
    if let Some(c) = cookie {
        req = req.set("Cookie", c);
    }
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    match req.call() {
        Ok(res) => {
            let ok = res.status() == 200;
            drop(res.into_string());
            ok
        }
        Err(_) => false,
    }
}

/// Latencies of one run.
struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Run {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }

    fn summary(&self) -> String {
        format!(
            "{} requests, {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
            self.latencies.len(),
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            self.pct(0.50),
            self.pct(0.99),
            self.errors
        )
    }
}

/// Sends requests at a fixed rate (open loop, so slow answers do not slow the sender).
fn fixed_rate(rate: u32, duration: Duration, f: impl Fn(usize) -> bool + Send + Sync + 'static) -> Result<Run> {
    let f = Arc::new(f);
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut handles = Vec::new();
    let mut i = 0usize;
    while started.elapsed() < duration {
        let due = started + interval * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let (f, tx) = (Arc::clone(&f), tx.clone());
        handles.push(std::thread::spawn(move || {
            let t = Instant::now();
            let ok = f(i);
            let _ = tx.send((t.elapsed(), ok));
        }));
        i += 1;
        if handles.len() > 256 {
            handles.retain(|h| !h.is_finished());
        }
    }
    drop(tx);
    for h in handles {
        drop(h.join());
    }
    collect(rx, started.elapsed())
}

/// As many requests as `threads` closed-loop clients can send.
fn saturate(threads: usize, duration: Duration, f: impl Fn(usize) -> bool + Send + Sync + 'static) -> Result<Run> {
    let f = Arc::new(f);
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let handles: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let (f, tx, counter) = (Arc::clone(&f), tx.clone(), Arc::clone(&counter));
            std::thread::spawn(move || {
                while started.elapsed() < duration {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let ok = f(i);
                    let _ = tx.send((t.elapsed(), ok));
                }
            })
        })
        .collect();
    drop(tx);
    for h in handles {
        drop(h.join());
    }
    collect(rx, started.elapsed())
}

fn collect(rx: std::sync::mpsc::Receiver<(Duration, bool)>, elapsed: Duration) -> Result<Run> {
    let mut latencies = Vec::new();
    let mut errors = 0;
    for (d, ok) in rx {
        if ok {
            latencies.push(d);
        } else {
            errors += 1;
        }
    }
    latencies.sort();
    Ok(Run {
        latencies,
        errors,
        elapsed,
    })
}
