//! The `bilan` command: serve, worker, demo, migrate, users, tokens, import,
//! export, openapi, database backup and copy, benchmarks.

mod bench;
mod commands;
mod complaints;
mod config;
mod invoices;
mod jobs;
mod key_accounts;
mod my_day;
mod reviews;
mod surveys;
mod timeline;

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = config::Cli::parse();
    config::init_tracing(cli.log_json);
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
