//! What each subcommand does.

use crate::config::{Cli, Command, DbCommand, Entity, ServeArgs, Size, TokenCommand, UserCommand};
use anyhow::{bail, Context, Result};
use bilan_app::clock::SystemClock;
use bilan_app::users::NewUser;
use bilan_app::{App, AppConfig, AppError};
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// Opens the database, migrates it, and builds the application.
pub async fn open_app(url: &str, max_connections: u32) -> Result<App> {
    App::open(url, max_connections, AppConfig::default(), Arc::new(SystemClock))
        .await
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", bilan_app::database::redact(url)))
}

pub(crate) fn describe(e: &AppError) -> String {
    match e {
        AppError::Validation(v) => {
            v.0.iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        f.field,
                        bilan_i18n::error_message(bilan_i18n::Lang::En, &f.code)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        other => other.to_string(),
    }
}

/// Runs one subcommand.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    let url = cli
        .database_url
        .clone()
        .unwrap_or_else(|| "sqlite://bilan.db".to_owned());
    match cli.command {
        Command::Serve(args) => {
            let app = open_app(&url, args.db_max_connections).await?;
            serve(app, &args).await?;
        }
        Command::Worker {
            audit_retention_days,
            mail,
        } => {
            let mut app = open_app(&url, 4).await?;
            with_retention(&mut app, audit_retention_days);
            let mailer = mailer(&mail, "127.0.0.1:8080")?;
            eprintln!("worker started; e-mail: {}", mailer.describe());
            bilan_app::jobs::run_worker(
                app.clone(),
                Some(mailer),
                bilan_app::outbox::worker_name(),
                std::time::Duration::from_secs(2),
                shutdown(),
            )
            .await;
            app.close().await;
        }
        Command::Demo {
            size,
            no_serve,
            serve: args,
        } => {
            let url = cli
                .database_url
                .clone()
                .unwrap_or_else(|| "sqlite://bilan-demo.db".to_owned());
            let mut args = args;
            // The demo's e-mail lands as .eml files a newcomer can open.
            args.mail
                .transport
                .get_or_insert_with(|| "file://bilan-demo-mail".to_owned());
            let app = open_app(&url, args.db_max_connections).await?;
            demo(&app, size).await?;
            if !no_serve {
                serve(app, &args).await?;
            }
        }
        Command::Migrate => {
            let applied = App::migrate(&url).await.map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let target = bilan_app::database::redact(&url);
            if applied.is_empty() {
                eprintln!("{target}: the schema was already up to date");
            } else {
                eprintln!("{target}: applied {} migration(s):", applied.len());
                for m in applied {
                    eprintln!("  {m}");
                }
            }
        }
        Command::User(cmd) => user(&url, cmd).await?,
        Command::Token(cmd) => token(&url, cmd).await?,
        Command::Import {
            entity,
            file,
            workspace,
            dry_run,
            skip_invalid,
            mappings,
            account,
        } => {
            let app = open_app(&url, 4).await?;
            if matches!(entity, Entity::Emails) {
                return import_emails(&app, &file, &workspace, account, dry_run).await;
            }
            let opts = bilan_app::imports::ImportOptions {
                dry_run,
                skip_invalid,
                overrides: parse_mappings(&mappings)?,
                account_id: account,
                ..Default::default()
            };
            return import(&app, entity, &file, &workspace, opts).await;
        }
        Command::Export {
            entity,
            workspace,
            output,
            separator,
        } => {
            let app = open_app(&url, 4).await?;
            export(&app, entity, &workspace, output.as_deref(), separator).await?;
        }
        Command::Openapi => {
            println!("{}", bilan_web::api::openapi::openapi_json());
        }
        Command::Db(DbCommand::Backup { output }) => {
            let app = open_app(&url, 2).await?;
            backup(&app, &output).await?;
        }
        Command::Db(DbCommand::Copy { from, to, workspace }) => {
            let src = open_app(&from, 4).await?;
            let dst = open_app(&to, 4).await?;
            let r = bilan_app::database::copy_workspace(&src, &dst, &workspace)
                .await
                .context("copy failed; nothing was written to the target")?;
            eprintln!("copied workspace {workspace:?}: {}", r.summary());
        }
        Command::Bench(args) => crate::bench::run(&url, args).await?,
        Command::Timeline(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::timeline::run(&app, cmd).await?;
        }
        Command::Search { workspace, text } => {
            let app = open_app(&url, 2).await?;
            search(&app, &workspace, &text).await?;
        }
        Command::Surveys(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::surveys::run(&app, cmd).await?;
        }
        Command::Satisfaction(args) => {
            let app = open_app(&url, 2).await?;
            crate::surveys::satisfaction(&app, args).await?;
        }
        Command::Audit {
            workspace,
            record,
            user,
            limit,
        } => {
            let app = open_app(&url, 2).await?;
            audit(&app, &workspace, record, user.as_deref(), limit).await?;
        }
        Command::Jobs(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::jobs::run(&app, cmd).await?;
        }
        Command::Complaints(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::complaints::run(&app, cmd).await?;
        }
        Command::Invoices(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::invoices::run(&app, cmd).await?;
        }
        Command::Health(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::key_accounts::run_health(&app, cmd).await?;
        }
        Command::KeyAccounts(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::key_accounts::run_key_accounts(&app, cmd).await?;
        }
        Command::Reviews(cmd) => {
            let app = open_app(&url, 2).await?;
            crate::reviews::run(&app, cmd).await?;
        }
        Command::MyDay(args) => {
            let app = open_app(&url, 2).await?;
            crate::my_day::run(&app, args).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The mailer the settings describe; links point at `public_url`, else at `http://{addr}`.
pub fn mailer(m: &crate::config::MailArgs, addr: &str) -> Result<bilan_app::outbox::Mailer> {
    let public_url = m.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    bilan_app::outbox::Mailer::from_url(m.transport.as_deref().unwrap_or("log"), &m.mail_from, &public_url)
        .map_err(|e| anyhow::anyhow!(describe(&e)))
}

/// Sets the audit retention period the nightly job applies.
fn with_retention(app: &mut App, days: i64) {
    let mut config = (*app.config).clone();
    config.audit_retention_days = days;
    app.config = Arc::new(config);
}

/// Serves until Ctrl-C or SIGTERM; runs a worker too (jobs and the outbox's
/// e-mail) unless told not to.
pub async fn serve(mut app: App, args: &ServeArgs) -> Result<()> {
    with_retention(&mut app, args.audit_retention_days);
    let outbox = if args.no_mail_worker {
        None
    } else {
        let mailer = mailer(&args.mail, &args.addr)?;
        eprintln!("e-mail: {}", mailer.describe());
        Some(tokio::spawn(bilan_app::jobs::run_worker(
            app.clone(),
            Some(mailer),
            bilan_app::outbox::worker_name(),
            std::time::Duration::from_secs(2),
            shutdown(),
        )))
    };
    let config = bilan_web::WebConfig {
        secure_cookies: args.secure_cookies,
        public_requests_per_minute: args.public_rate_per_minute,
        trusted_proxies: args.trusted_proxies.clone(),
        ..Default::default()
    };
    let router = bilan_web::router(bilan_web::AppState::new(app.clone(), config));
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    eprintln!("Bilan is listening on http://{addr}/");
    tracing::info!(%addr, "listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    if let Some(o) = outbox {
        drop(o.await);
    }
    app.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        drop(tokio::signal::ctrl_c().await);
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn demo(app: &App, size: Size) -> Result<()> {
    let size = match size {
        Size::Small => bilan_app::demo::DemoSize::Small,
        Size::Medium => bilan_app::demo::DemoSize::Medium,
        Size::Large => bilan_app::demo::DemoSize::Large,
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("generating demo data (accounts, then their histories)");
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = bilan_app::demo::ensure_demo(app, size, Some(&progress))
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    bar.finish_and_clear();
    eprintln!();
    eprintln!(
        "Demo workspace {:?}: {} accounts, {} contacts, {} sites, {} interactions, {} survey answers{}",
        report.workspace,
        report.accounts,
        report.contacts,
        report.sites,
        report.interactions,
        report.survey_answers,
        if report.created { " (just generated)" } else { "" }
    );
    eprintln!("Log in with any of these (password: {}):", report.password);
    for (email, role) in &report.users {
        eprintln!("  {email:<32} {role}");
    }
    Ok(())
}

async fn user(url: &str, cmd: UserCommand) -> Result<()> {
    let app = open_app(url, 2).await?;
    match cmd {
        UserCommand::Add {
            workspace,
            email,
            role,
            name,
            password_stdin,
            language,
        } => {
            if !password_stdin {
                bail!("give the password on standard input with --password-stdin (it is never taken as an argument)");
            }
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let (ws, u) = bilan_app::users::add_user_to_workspace(
                &app,
                &workspace,
                &NewUser {
                    email,
                    display_name: name,
                    role,
                    password,
                    language,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            eprintln!("added {} ({}) to workspace {:?}", u.email, u.role, ws.name);
            println!("{}", u.id);
        }
        UserCommand::List => {
            for (ws, u) in bilan_app::users::list_all_users(&app)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?
            {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    ws,
                    u.email,
                    u.role,
                    u.display_name,
                    if u.disabled_at.is_some() { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::Invite {
            workspace,
            email,
            role,
            name,
            language,
        } => {
            let actor = workspace_actor(&app, &workspace).await?;
            let sent = bilan_app::invitations::invite(
                &app,
                &actor,
                &bilan_app::invitations::NewInvitation {
                    email,
                    display_name: name,
                    role,
                    language,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            eprintln!(
                "invited {} (the link, valid until {}, leaves with the next e-mail the worker sends)",
                sent.user.email,
                sent.expires_at.format("%Y-%m-%d %H:%M UTC")
            );
        }
        UserCommand::Disable { email } => {
            let u = bilan_app::users::disable_by_email(&app, &email)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            eprintln!("disabled {}", u.email);
        }
    }
    Ok(())
}

async fn token(url: &str, cmd: TokenCommand) -> Result<()> {
    let app = open_app(url, 2).await?;
    match cmd {
        TokenCommand::Create { email, name } => {
            let u = bilan_app::users::find_by_email(&app, &email)
                .await
                .map_err(|_| anyhow::anyhow!("no user with e-mail {email}"))?;
            let actor = bilan_app::auth::actor_of(&u).map_err(|_| anyhow::anyhow!("user {email} is disabled"))?;
            let t = bilan_app::auth::create_token(&app, &actor, &name)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!("{}", t.secret);
        }
        TokenCommand::Revoke { email, id } => {
            let u = bilan_app::users::find_by_email(&app, &email)
                .await
                .map_err(|_| anyhow::anyhow!("no user with e-mail {email}"))?;
            let actor = bilan_app::auth::actor_of(&u).map_err(|_| anyhow::anyhow!("user {email} is disabled"))?;
            bilan_app::auth::revoke_token(&app, &actor, id)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            eprintln!("revoked token {id}");
        }
    }
    Ok(())
}

async fn backup(app: &App, output: &std::path::Path) -> Result<()> {
    if output.exists() {
        bail!("{} already exists; choose a new file", output.display());
    }
    let path = output.to_str().context("the output path is not valid UTF-8")?;
    bilan_app::database::backup(app, path)
        .await
        .map_err(|e| anyhow::anyhow!("backup failed: {e}"))?;
    eprintln!("backup written to {}", output.display());
    Ok(())
}

/// The workspace's admin actor, for commands run by the operator.
pub(crate) async fn workspace_actor(app: &App, workspace: &str) -> Result<bilan_app::Actor> {
    bilan_app::users::operator_of(app, workspace)
        .await
        .map_err(|e| match e {
            AppError::NotFound => anyhow::anyhow!("no workspace named {workspace:?}"),
            other => anyhow::anyhow!(describe(&other)),
        })
}

async fn search(app: &App, workspace: &str, text: &str) -> Result<()> {
    let actor = workspace_actor(app, workspace).await?;
    let r = bilan_app::search::search_all(app, &actor, text, 20)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    let name = |id: &uuid::Uuid| r.account_names.get(id).map(String::as_str).unwrap_or("");
    for a in &r.accounts {
        println!("account\t{}\t{}\t{}", a.id, a.name, a.siren.as_deref().unwrap_or(""));
    }
    for c in &r.contacts {
        println!("contact\t{}\t{}\t{}", c.id, c.full_name(), name(&c.account_id));
    }
    for i in &r.interactions {
        let subject = i.subject.as_deref().unwrap_or("");
        println!(
            "interaction\t{}\t{}\t{}\t{}",
            i.id,
            i.occurred_at.to_rfc3339(),
            name(&i.account_id),
            subject
        );
    }
    Ok(())
}

async fn audit(app: &App, workspace: &str, record: Option<uuid::Uuid>, user: Option<&str>, limit: u32) -> Result<()> {
    let actor = workspace_actor(app, workspace).await?;
    let scope = match (record, user) {
        (Some(id), _) => bilan_app::audit::AuditScope::Record(id),
        (None, Some(email)) => {
            let u = bilan_app::users::find_by_email(app, email)
                .await
                .map_err(|_| anyhow::anyhow!("no user with e-mail {email}"))?;
            bilan_app::audit::AuditScope::User(u.id)
        }
        (None, None) => bail!("give --record ID or --user EMAIL"),
    };
    let page = bilan_app::audit::history(app, &actor, scope, None, limit)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    for e in page.items {
        let changes: Vec<String> = e
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} -> {}",
                    c.field,
                    bilan_domain::audit::show(&c.before),
                    bilan_domain::audit::show(&c.after)
                )
            })
            .collect();
        println!(
            "{}\t{}\t{} {} {}\t{}",
            e.at.to_rfc3339(),
            e.user_name.as_deref().unwrap_or("(command line)"),
            e.action,
            e.entity,
            e.entity_id,
            changes.join("; ")
        );
    }
    Ok(())
}

/// Parses `--map "Header=field"` options.
fn parse_mappings(mappings: &[String]) -> Result<Vec<(String, String)>> {
    mappings
        .iter()
        .map(|m| match m.rsplit_once('=') {
            Some((h, f)) => Ok((h.trim().to_owned(), f.trim().to_owned())),
            None => bail!("--map takes HEADER=FIELD, got {m:?}"),
        })
        .collect()
}

pub(crate) async fn import(
    app: &App,
    entity: Entity,
    file: &std::path::Path,
    workspace: &str,
    opts: bilan_app::imports::ImportOptions,
) -> Result<ExitCode> {
    let actor = workspace_actor(app, workspace).await?;
    let source = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (dry_run, skip_invalid) = (opts.dry_run, opts.skip_invalid);
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} lines ({per_sec}, {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(format!("importing {}", file.display()));
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let result = match entity {
        // The file is read a megabyte at a time: a million-line import never holds it whole.
        Entity::Accounts => bilan_app::imports::import_accounts_from(app, &actor, source, &opts, Some(&progress)).await,
        Entity::Contacts => bilan_app::imports::import_contacts_from(app, &actor, source, &opts, Some(&progress)).await,
        Entity::Interactions => {
            bilan_app::imports::import_interactions_from(app, &actor, source, &opts, Some(&progress)).await
        }
        Entity::Emails => {
            bar.finish_and_clear();
            return import_emails(app, file, workspace, None, dry_run).await;
        }
        Entity::Answers => {
            bar.finish_and_clear();
            bail!("survey answers are given through their links, not imported");
        }
    };
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(AppError::Validation(v)) => {
            for e in &v.0 {
                println!(
                    "{}: {} ({})",
                    e.field,
                    bilan_i18n::error_message(bilan_i18n::Lang::En, &e.code),
                    e.code
                );
            }
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => bail!(describe(&e)),
    };
    for r in &report.rejected {
        println!("line {}: {}: {}", r.line, r.column.as_deref().unwrap_or("-"), r.message);
    }
    eprintln!(
        "{} lines read ({}, separator {:?}): {} created, {} updated, {} unchanged, {} refused{}",
        report.total_lines,
        report.encoding,
        report.separator,
        report.created,
        report.updated,
        report.unchanged,
        report.rejected_lines(),
        if report.committed {
            ""
        } else if dry_run {
            " — dry run, nothing written"
        } else {
            " — nothing imported"
        }
    );
    if !report.rejected.is_empty() && !skip_invalid {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// `bilan import emails FILE`: one line per unmatched or refused message on
/// stdout, the summary on stderr; fails when messages were left out.
pub(crate) async fn import_emails(
    app: &App,
    file: &std::path::Path,
    workspace: &str,
    account: Option<uuid::Uuid>,
    dry_run: bool,
) -> Result<ExitCode> {
    let actor = workspace_actor(app, workspace).await?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let opts = bilan_app::mail_import::MailImportOptions {
        dry_run,
        account_id: account,
        mbox: file.extension().is_some_and(|e| e.eq_ignore_ascii_case("mbox")),
    };
    let report = match bilan_app::mail_import::import_mail(app, &actor, &bytes, &opts).await {
        Ok(r) => r,
        Err(AppError::Validation(v)) => {
            for e in &v.0 {
                println!(
                    "{}: {} ({})",
                    e.field,
                    bilan_i18n::error_message(bilan_i18n::Lang::En, &e.code),
                    e.code
                );
            }
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => bail!(describe(&e)),
    };
    for u in &report.unmatched {
        println!(
            "message {}: {}: no account found",
            u.index,
            u.from.as_deref().unwrap_or("-")
        );
    }
    for r in &report.refused {
        println!(
            "message {}: {} ({})",
            r.index,
            bilan_i18n::error_message(bilan_i18n::Lang::En, &r.code),
            r.code
        );
    }
    eprintln!(
        "{} messages read: {} imported, {} already imported, {} without an account, {} refused{}",
        report.total,
        report.imported,
        report.duplicates,
        report.unmatched.len(),
        report.refused.len(),
        if report.committed || report.imported == 0 {
            ""
        } else {
            " — dry run, nothing written"
        }
    );
    if report.unmatched.is_empty() && report.refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

async fn export(
    app: &App,
    entity: Entity,
    workspace: &str,
    output: Option<&std::path::Path>,
    separator: char,
) -> Result<()> {
    let actor = workspace_actor(app, workspace).await?;
    let bytes = match entity {
        Entity::Accounts => bilan_app::exports::export_accounts(app, &actor, None, separator).await,
        Entity::Contacts => bilan_app::exports::export_contacts(app, &actor, None, separator).await,
        Entity::Answers => {
            let today = bilan_domain::timeline::local_day(app.now());
            let range = bilan_app::surveys::SatisfactionQuery::default()
                .parse(today)
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            bilan_app::surveys::export_answers(app, &actor, &range, separator).await
        }
        Entity::Emails | Entity::Interactions => {
            bail!("only accounts, contacts and survey answers are exported as CSV; read exchanges with `bilan timeline` or the API")
        }
    }
    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    match output {
        Some(path) => std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}
