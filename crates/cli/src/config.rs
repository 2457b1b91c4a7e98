//! Command-line and environment configuration: flags override `BILAN_*`
//! variables, which override defaults. Secrets are never printed.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Bilan — the client relationship ledger.
#[derive(Debug, Parser)]
#[command(name = "bilan", version, about)]
pub struct Cli {
    /// Database: `sqlite://PATH` (created if missing) or `postgres://…`
    /// [default: sqlite://bilan.db; for `demo`, sqlite://bilan-demo.db].
    #[arg(long, env = "BILAN_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "BILAN_LOG_JSON", global = true)]
    pub log_json: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Server settings.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BILAN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Mark cookies Secure (when served behind HTTPS).
    #[arg(long, env = "BILAN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Maximum database connections of this process.
    #[arg(long, env = "BILAN_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,
    /// E-mail settings.
    #[command(flatten)]
    pub mail: MailArgs,
    /// Requests per minute one client address may make to the public survey pages (0: no limit,
    /// e.g. behind a proxy that rate-limits itself: every contact then shares its address).
    #[arg(long, env = "BILAN_PUBLIC_RATE_PER_MINUTE", default_value_t = 30)]
    pub public_rate_per_minute: u32,
    /// Run no worker in this process: no background job, no e-mail (a separate `bilan worker` does).
    #[arg(long, env = "BILAN_NO_MAIL_WORKER")]
    pub no_mail_worker: bool,
    /// Addresses of the reverse proxies in front of this server, comma-separated: their
    /// `X-Forwarded-For` gives the client's address (login delays, public page limits).
    /// Nobody else's is believed.
    #[arg(long, env = "BILAN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Days audit entries are kept (applied nightly by the worker).
    #[arg(long, env = "BILAN_AUDIT_RETENTION_DAYS", default_value_t = 3650)]
    pub audit_retention_days: i64,
}

/// Where e-mail goes.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// Transport: `smtp://[user:password@]host[:port]`, `file:///directory` (.eml files) or `log`
    /// [default: log; for `demo`, file://bilan-demo-mail, a folder of .eml files].
    #[arg(long = "mail", env = "BILAN_MAIL", hide_env_values = true)]
    pub transport: Option<String>,
    /// Sender of every e-mail.
    #[arg(long, env = "BILAN_MAIL_FROM", default_value = "Bilan <no-reply@bilan.localhost>")]
    pub mail_from: String,
    /// Base URL people reach the server at, for links in e-mails (survey answers);
    /// default `http://` + the listening address (`http://127.0.0.1:8080` for `worker`).
    #[arg(long, env = "BILAN_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Size of the demo dataset.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Size {
    /// ≈ 2,000 accounts and 100,000 exchanges.
    Small,
    /// ≈ 50,000 accounts and 2,000,000 exchanges.
    Medium,
    /// ≈ 1,000,000 accounts and 50,000,000 exchanges.
    Large,
}

/// Accounts, contacts, or (import only) e-mails.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Entity {
    /// Client accounts.
    Accounts,
    /// Contacts.
    Contacts,
    /// Interactions of the shared history (import only): a CRM's activity export or a spreadsheet.
    Interactions,
    /// E-mails (import only): one .eml file or an .mbox export, onto the timelines.
    Emails,
    /// Survey answers (export only), of the last twelve months.
    Answers,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages and the API.
    Serve(ServeArgs),
    /// Run background jobs: the outbox's e-mail, recurring jobs (expired sessions, audit retention) and queued ones.
    Worker {
        /// Days audit entries are kept.
        #[arg(long, env = "BILAN_AUDIT_RETENTION_DAYS", default_value_t = 3650)]
        audit_retention_days: i64,
        /// E-mail settings.
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Create the demo workspace once (default database sqlite://bilan-demo.db), print credentials, and serve.
    Demo {
        /// Dataset size.
        #[arg(long, value_enum, default_value = "small")]
        size: Size,
        /// Generate only, do not serve.
        #[arg(long)]
        no_serve: bool,
        /// Server settings.
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Create or upgrade the schema.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// An account's shared history: list or log exchanges.
    #[command(subcommand)]
    Timeline(crate::timeline::TimelineCommand),
    /// Import a CSV file (accounts, contacts, interactions) or e-mails (an .eml file or an .mbox).
    Import {
        /// What the file holds.
        #[arg(value_enum)]
        entity: Entity,
        /// The CSV, .eml or .mbox file.
        file: std::path::PathBuf,
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Check the file and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid lines even if some are refused.
        #[arg(long)]
        skip_invalid: bool,
        /// Map a column to a field: `--map "Raison sociale=name"` (repeatable; empty field ignores the column).
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        mappings: Vec<String>,
        /// Interactions and e-mails: put every exchange on this account (id).
        #[arg(long)]
        account: Option<uuid::Uuid>,
    },
    /// Export as CSV (UTF-8 with BOM, `;`-separated) to stdout or a file.
    Export {
        /// What to export.
        #[arg(value_enum)]
        entity: Entity,
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Output file (stdout when absent).
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// Separator: `;` (default, French spreadsheets) or `,`.
        #[arg(long, default_value = ";")]
        separator: char,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Measure import speed and page/API latency on a generated dataset.
    Bench(crate::bench::BenchArgs),
    /// Search accounts, contacts and exchanges (accent- and case-insensitive).
    Search {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Words to find.
        text: String,
    },
    /// Surveys and their sending rules; send one by hand.
    #[command(subcommand)]
    Surveys(crate::surveys::SurveyCommand),
    /// NPS, CSAT and CES over a period, with trend and breakdowns.
    Satisfaction(crate::surveys::SatisfactionArgs),
    /// A person's day: follow-ups due and late, renewals coming, satisfaction falling; snooze a follow-up.
    MyDay(crate::my_day::MyDayArgs),
    /// Complaints: list by next deadline, show, open, move by a dated step, figures, CSV, alerts.
    #[command(subcommand)]
    Complaints(crate::complaints::ComplaintsCommand),
    /// Invoices: list, show, add, pay, credit, aging figures, CSV, imports, rates, reminders, portal links.
    #[command(subcommand)]
    Invoices(crate::invoices::InvoicesCommand),
    /// Account health: an account's explained score, the accounts at risk, recompute, usage figures.
    #[command(subcommand)]
    Health(crate::key_accounts::HealthCommand),
    /// The key-account programme: list with each manager's load, plans, admission, objectives, risks.
    #[command(subcommand, name = "key-accounts")]
    KeyAccounts(crate::key_accounts::KeyAccountsCommand),
    /// Client reviews: list, show, plan, the data pack, hold, minutes, action items, reminders.
    #[command(subcommand)]
    Reviews(crate::reviews::ReviewsCommand),
    /// Background jobs: list them (failed ones with their error), retry, run the due ones.
    #[command(subcommand)]
    Jobs(crate::jobs::JobsCommand),
    /// Print the audit trail of a record or of a user, newest first.
    Audit {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Record id (account, contact, site, user, token).
        #[arg(long, conflicts_with = "user")]
        record: Option<uuid::Uuid>,
        /// The user's e-mail.
        #[arg(long)]
        user: Option<String>,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// `bilan user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (creates the workspace if it does not exist).
    Add {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// admin, manager, account_manager, finance, support or viewer.
        #[arg(long)]
        role: String,
        /// Name shown.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// fr or en.
        #[arg(long)]
        language: Option<String>,
    },
    /// Invite a colleague: they receive an e-mail (through the outbox) with a single-use link to choose their password.
    Invite {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// admin, manager, account_manager, finance, support or viewer.
        #[arg(long)]
        role: String,
        /// Name shown.
        #[arg(long)]
        name: Option<String>,
        /// fr or en (the e-mail is written in it).
        #[arg(long)]
        language: Option<String>,
    },
    /// List users of every workspace.
    List,
    /// Disable a user (ends their sessions and tokens).
    Disable {
        /// Login e-mail.
        #[arg(long)]
        email: String,
    },
}

/// `bilan token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user; prints only the token.
    Create {
        /// The user's e-mail.
        #[arg(long)]
        email: String,
        /// Label.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a token by id.
    Revoke {
        /// The token owner's e-mail.
        #[arg(long)]
        email: String,
        /// Token id.
        #[arg(long)]
        id: uuid::Uuid,
    },
}

/// `bilan db …`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Write a consistent copy of a SQLite database to a file (`VACUUM INTO`).
    Backup {
        /// Target file.
        #[arg(long, short)]
        output: std::path::PathBuf,
    },
    /// Copy one workspace, complete, between databases (e.g. SQLite to PostgreSQL).
    Copy {
        /// Source database URL.
        #[arg(long)]
        from: String,
        /// Target database URL (migrated first).
        #[arg(long)]
        to: String,
        /// Workspace name.
        #[arg(long)]
        workspace: String,
    },
}

/// Logs to stderr, text or JSON, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
