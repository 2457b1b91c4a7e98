//! `bilan jobs …`: the background jobs of the installation, those that failed
//! with their error, and putting a failed one back in the queue.

use crate::commands::{describe, workspace_actor};
use anyhow::Result;
use bilan_app::jobs::{self as uc, JobsOverview};
use bilan_app::App;
use clap::Subcommand;

/// The `jobs` subcommands.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List jobs, newest first (tab-separated: id, kind, status, run at, attempts, error).
    List {
        /// Only this workspace's jobs (default: every job of the installation).
        #[arg(long)]
        workspace: Option<String>,
        /// pending, running, done or failed.
        #[arg(long)]
        status: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Put a failed job back in the queue, to run at once.
    Retry {
        /// The job's id.
        id: uuid::Uuid,
    },
    /// Run the jobs that are due now, once, then exit (no e-mail is sent).
    Run,
}

/// Runs one `jobs` subcommand.
pub async fn run(app: &App, cmd: JobsCommand) -> Result<()> {
    match cmd {
        JobsCommand::List {
            workspace,
            status,
            limit,
            json,
        } => {
            let overview = match workspace {
                Some(name) => {
                    let actor = workspace_actor(app, &name).await?;
                    uc::list_jobs(app, &actor, status.as_deref(), limit).await
                }
                None => uc::list_all_jobs(app, status.as_deref(), limit).await,
            }
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            print_overview(&overview, json)?;
        }
        JobsCommand::Retry { id } => {
            uc::retry_any_job(app, id)
                .await
                .map_err(|e| anyhow::anyhow!("job {id}: {} (only a failed job can be retried)", describe(&e)))?;
            eprintln!("job {id} is queued again");
        }
        JobsCommand::Run => {
            let worker = bilan_app::outbox::worker_name();
            let mut memory = bilan_app::jobs::worker::SlotMemory::default();
            bilan_app::jobs::worker::enqueue_due_slots(app, &mut memory)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let mut total = bilan_app::jobs::JobReport::default();
            loop {
                let r = uc::run_pending(app, &worker, 50)
                    .await
                    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
                if r.handled() == 0 {
                    break;
                }
                total.done += r.done;
                total.retried += r.retried;
                total.failed += r.failed;
            }
            eprintln!(
                "{} done, {} to retry later, {} failed",
                total.done, total.retried, total.failed
            );
        }
    }
    Ok(())
}

fn print_overview(o: &JobsOverview, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(o)?);
        return Ok(());
    }
    let counts: Vec<String> = o.counts.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    eprintln!(
        "{}",
        if counts.is_empty() {
            "no jobs".to_owned()
        } else {
            counts.join(", ")
        }
    );
    for j in &o.items {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            j.id,
            j.kind,
            j.status,
            j.run_at.to_rfc3339(),
            j.attempts,
            j.last_error.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
