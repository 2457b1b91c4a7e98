//! `bilan health show|at-risk|recompute|usage` and `bilan key-accounts
//! list|show|admit|objective|risk`: account health and the key-account programme
//! from the command line.

use crate::complaints::{actor, fail, Who};
use anyhow::{Context, Result};
use bilan_app::health::{self as h, usage};
use bilan_app::key_accounts::plan as p;
use bilan_app::key_accounts::{self as ka, AdmissionInput};
use bilan_app::App;
use bilan_domain::key_accounts::objectives::ObjectiveInput;
use bilan_domain::key_accounts::risks::RiskInput;
use bilan_i18n::Lang;
use clap::Subcommand;
use uuid::Uuid;

/// The `health` subcommands.
#[derive(Debug, Subcommand)]
pub enum HealthCommand {
    /// An account's health, component by component with its reasons.
    Show {
        #[command(flatten)]
        who: Who,
        /// Account id.
        account: Uuid,
        /// Reasons in English (default French).
        #[arg(long)]
        english: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Accounts at risk, lowest first (tab-separated: id, score, name, reasons).
    AtRisk {
        #[command(flatten)]
        who: Who,
        /// Also the accounts to watch.
        #[arg(long)]
        watch: bool,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Reasons in English.
        #[arg(long)]
        english: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Recomputes every active account's health now.
    Recompute {
        #[command(flatten)]
        who: Who,
    },
    /// Imports usage figures from a CSV (account, metric, period, value); all or nothing.
    Usage {
        #[command(flatten)]
        who: Who,
        /// The CSV file.
        file: std::path::PathBuf,
    },
}

/// The `key-accounts` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyAccountsCommand {
    /// The programme (tab-separated: account id, tier, manager, health, name) and each manager's load.
    List {
        #[command(flatten)]
        who: Who,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// An account's plan as JSON: objectives, stakeholders, roadmap, risks, financials.
    Show {
        #[command(flatten)]
        who: Who,
        /// Account id.
        account: Uuid,
    },
    /// Rates an account (1–5 per criterion) and admits it to the programme.
    Admit {
        #[command(flatten)]
        who: Who,
        /// Account id.
        account: Uuid,
        /// Six ratings, in order: potential, probability, profitability, strategic impact, fit, risk (e.g. 5,4,3,2,5,2).
        #[arg(long)]
        ratings: String,
        /// strategic, key or developing (default: the one the score suggests).
        #[arg(long)]
        tier: Option<String>,
        /// Key-account manager (user id; default: the account's owner).
        #[arg(long)]
        manager: Option<String>,
        /// Executive sponsor (user id).
        #[arg(long)]
        sponsor: Option<String>,
    },
    /// Adds a SMART objective to an account's plan.
    Objective {
        #[command(flatten)]
        who: Who,
        /// Account id.
        account: Uuid,
        /// What is to be achieved.
        #[arg(long)]
        title: String,
        /// What measures it.
        #[arg(long)]
        metric: Option<String>,
        /// Where it starts.
        #[arg(long)]
        baseline: Option<String>,
        /// Where it must get.
        #[arg(long)]
        target: Option<String>,
        /// By when (YYYY-MM-DD).
        #[arg(long)]
        due: Option<String>,
        /// Who answers for it (user id).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Adds a risk to an account's register.
    Risk {
        #[command(flatten)]
        who: Who,
        /// Account id.
        account: Uuid,
        /// What could go wrong.
        #[arg(long)]
        title: String,
        /// 1–5.
        #[arg(long)]
        probability: String,
        /// 1–5.
        #[arg(long)]
        impact: String,
        /// What is done about it.
        #[arg(long)]
        mitigation: Option<String>,
    },
}

fn lang(english: bool) -> Lang {
    if english {
        Lang::En
    } else {
        Lang::Fr
    }
}

/// Runs a `health` subcommand.
pub async fn run_health(app: &App, cmd: HealthCommand) -> Result<()> {
    match cmd {
        HealthCommand::Show {
            who,
            account,
            english,
            json,
        } => {
            let actor = actor(app, &who).await?;
            let v = h::account_health(app, &actor, account, lang(english))
                .await
                .map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(());
            }
            println!("{}/100\t{}", v.score, v.band);
            for c in &v.components {
                let score = c.score.map_or("—".to_owned(), |s| s.to_string());
                println!(
                    "{}\t{score}\tweight {}\t+{}\t{}",
                    c.name,
                    c.weight,
                    c.points,
                    c.reasons.join(" · ")
                );
            }
        }
        HealthCommand::AtRisk {
            who,
            watch,
            limit,
            english,
            json,
        } => {
            let actor = actor(app, &who).await?;
            let page = h::at_risk(app, &actor, None, watch, limit, 0, lang(english))
                .await
                .map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page)?);
                return Ok(());
            }
            for i in &page.items {
                println!("{}\t{}\t{}\t{}", i.account_id, i.score, i.name, i.reasons.join(" · "));
            }
            eprintln!(
                "{} account(s) under {}",
                page.total,
                if watch { page.watch_below } else { page.at_risk_below }
            );
        }
        HealthCommand::Recompute { who } => {
            let actor = actor(app, &who).await?;
            let n = h::recompute_workspace(app, &actor).await.map_err(fail)?;
            println!("health recomputed for {n} account(s)");
        }
        HealthCommand::Usage { who, file } => {
            let actor = actor(app, &who).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = match usage::read_csv(&bytes) {
                Ok(r) => r,
                Err(errors) => anyhow::bail!(usage_errors(&errors)),
            };
            match usage::save(app, &actor, &rows).await {
                Ok(r) => println!("{} figure(s) saved for {} account(s)", r.saved, r.accounts),
                Err(usage::UsageFailure::Invalid(errors)) => anyhow::bail!(usage_errors(&errors)),
                Err(usage::UsageFailure::App(e)) => return Err(fail(e)),
            }
        }
    }
    Ok(())
}

fn usage_errors(errors: &[usage::UsageLineError]) -> String {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| {
            format!(
                "line {}: {}: {}",
                e.line,
                e.field,
                bilan_i18n::t(Lang::En, &format!("error.{}", e.code))
            )
        })
        .collect();
    format!("nothing was saved:\n{}", lines.join("\n"))
}

/// Runs a `key-accounts` subcommand.
pub async fn run_key_accounts(app: &App, cmd: KeyAccountsCommand) -> Result<()> {
    match cmd {
        KeyAccountsCommand::List { who, json } => {
            let actor = actor(app, &who).await?;
            let prog = ka::programme(app, &actor, None).await.map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&prog)?);
                return Ok(());
            }
            for i in &prog.items {
                let health = i.health.map_or("—".to_owned(), |s| s.to_string());
                println!("{}\t{}\t{}\t{health}\t{}", i.account_id, i.tier, i.manager_name, i.name);
            }
            for m in &prog.load {
                eprintln!(
                    "{}: {} key account(s), {} open complaint(s), {} renewal(s) in 90 days{}",
                    m.manager_name,
                    m.key_accounts,
                    m.open_complaints,
                    m.renewals_90_days,
                    if ka::is_warned(m) {
                        format!(" — {}", m.warning)
                    } else {
                        String::new()
                    }
                );
            }
        }
        KeyAccountsCommand::Show { who, account } => {
            let actor = actor(app, &who).await?;
            let plan = p::plan(app, &actor, account).await.map_err(fail)?;
            let membership = ka::view(app, &actor, account).await.map_err(fail)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "key_account": membership, "plan": plan }))?
            );
        }
        KeyAccountsCommand::Admit {
            who,
            account,
            ratings,
            tier,
            manager,
            sponsor,
        } => {
            let actor = actor(app, &who).await?;
            let r: Vec<String> = ratings.split(',').map(|s| s.trim().to_owned()).collect();
            anyhow::ensure!(
                r.len() == 6,
                "--ratings takes six ratings: potential, probability, profitability, strategic impact, fit, risk"
            );
            let input = AdmissionInput {
                potential: Some(r[0].clone()),
                probability: Some(r[1].clone()),
                profitability: Some(r[2].clone()),
                strategic_impact: Some(r[3].clone()),
                fit: Some(r[4].clone()),
                risk: Some(r[5].clone()),
                tier,
                manager_id: manager,
                executive_sponsor_id: sponsor,
                notes: None,
            };
            let v = ka::admit(app, &actor, account, &input).await.map_err(fail)?;
            let score = v.score.map_or(0, |s| s.score);
            println!("{account}\t{}\t{score}", v.tier.unwrap_or_default());
        }
        KeyAccountsCommand::Objective {
            who,
            account,
            title,
            metric,
            baseline,
            target,
            due,
            owner,
        } => {
            let actor = actor(app, &who).await?;
            let input = ObjectiveInput {
                title: Some(title),
                metric,
                baseline,
                target,
                due_on: due,
                owner_id: owner,
                ..ObjectiveInput::default()
            };
            let o = p::add_objective(app, &actor, account, &input).await.map_err(fail)?;
            println!("{}", o.id);
        }
        KeyAccountsCommand::Risk {
            who,
            account,
            title,
            probability,
            impact,
            mitigation,
        } => {
            let actor = actor(app, &who).await?;
            let input = RiskInput {
                title: Some(title),
                probability: Some(probability),
                impact: Some(impact),
                mitigation,
                ..RiskInput::default()
            };
            let r = p::add_risk(app, &actor, account, &input).await.map_err(fail)?;
            println!("{}\t{}\t{}", r.id, r.exposure, r.severity);
        }
    }
    Ok(())
}
