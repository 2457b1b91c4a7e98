//! `bilan timeline list|log`: an account's shared history from the command line.

use crate::commands::{describe, workspace_actor};
use anyhow::Result;
use bilan_app::timeline::{self as uc, TimelineQuery};
use bilan_app::App;
use bilan_domain::timeline::InteractionInput;
use clap::Subcommand;

/// The `timeline` subcommands.
#[derive(Debug, Subcommand)]
pub enum TimelineCommand {
    /// Print an account's exchanges, newest first, one per line (tab-separated).
    List {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Account id.
        #[arg(long)]
        account: uuid::Uuid,
        /// Only this channel (code or label).
        #[arg(long)]
        channel: Option<String>,
        /// Only `inbound` or `outbound`.
        #[arg(long)]
        direction: Option<String>,
        /// Words of the subject, summary or tags.
        #[arg(long)]
        q: Option<String>,
        /// First day, inclusive (DD/MM/YYYY or YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Last day, inclusive.
        #[arg(long)]
        to: Option<String>,
        /// Most exchanges printed.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Log one exchange on an account's timeline; prints its id.
    Log {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Account id.
        #[arg(long)]
        account: uuid::Uuid,
        /// Channel: email, phone, meeting, visit, chat, whatsapp, linkedin, web_form, letter, portal.
        #[arg(long)]
        channel: String,
        /// `inbound` or `outbound`.
        #[arg(long, default_value = "outbound")]
        direction: String,
        /// When: RFC 3339, or "YYYY-MM-DD HH:MM" Paris time (default: now).
        #[arg(long)]
        at: Option<String>,
        /// Our side's person, by login e-mail (default: the workspace's first user).
        #[arg(long = "as")]
        user: Option<String>,
        /// Subject.
        #[arg(long)]
        subject: Option<String>,
        /// Summary.
        #[arg(long)]
        summary: Option<String>,
        /// Tags, comma-separated.
        #[arg(long)]
        tags: Option<String>,
        /// Contact ids, comma-separated.
        #[arg(long)]
        contacts: Option<String>,
    },
}

/// Runs a `timeline` subcommand.
pub async fn run(app: &App, cmd: TimelineCommand) -> Result<()> {
    match cmd {
        TimelineCommand::List {
            workspace,
            account,
            channel,
            direction,
            q,
            from,
            to,
            limit,
        } => {
            let actor = workspace_actor(app, &workspace).await?;
            let query = TimelineQuery {
                q,
                channel,
                direction,
                from,
                to,
                limit: Some(limit),
                ..Default::default()
            };
            let page = uc::timeline(app, &actor, account, &query)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            for i in page.items {
                let when = i
                    .occurred_at
                    .with_timezone(&bilan_domain::timeline::LOCAL_TZ)
                    .format("%Y-%m-%d %H:%M");
                let answered = i
                    .response_seconds
                    .map(|s| format!("answered in {s} s"))
                    .unwrap_or_default();
                println!(
                    "{}\t{when}\t{}\t{}\t{}\t{}",
                    i.id,
                    i.channel.code(),
                    i.direction.code(),
                    i.subject.as_deref().unwrap_or(""),
                    answered
                );
            }
        }
        TimelineCommand::Log {
            workspace,
            account,
            channel,
            direction,
            at,
            user,
            subject,
            summary,
            tags,
            contacts,
        } => {
            let actor = workspace_actor(app, &workspace).await?;
            let user_id = match user {
                Some(email) => {
                    let u = bilan_app::users::find_by_email(app, &email)
                        .await
                        .map_err(|_| anyhow::anyhow!("no user {email:?}"))?;
                    anyhow::ensure!(
                        u.workspace_id == actor.workspace_id,
                        "no user {email:?} in {workspace:?}"
                    );
                    Some(u.id.to_string())
                }
                None => None,
            };
            let at = at.unwrap_or_else(|| app.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            let input = InteractionInput {
                account_id: Some(account.to_string()),
                occurred_at: Some(at),
                channel: Some(channel),
                direction: Some(direction),
                user_id,
                contact_ids: contacts,
                subject,
                summary,
                tags,
                ..Default::default()
            };
            let logged = uc::log_interaction(app, &actor, &input)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!("{}", logged.id);
        }
    }
    Ok(())
}
