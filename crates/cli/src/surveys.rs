//! `bilan surveys …` and `bilan satisfaction`: surveys, rules and manual sends,
//! and the satisfaction figures, from the command line.

use crate::commands::{describe, workspace_actor};
use anyhow::Result;
use bilan_app::surveys::{self as uc, SatisfactionQuery};
use bilan_app::App;
use bilan_domain::surveys::{RuleInput, Summary, SurveyInput};
use clap::{Args, Subcommand};

/// The `surveys` subcommands.
#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// List surveys and their rules (tab-separated).
    List {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
    },
    /// Create a survey; prints its id.
    Create {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// nps, csat or ces.
        #[arg(long)]
        kind: String,
        /// Scored question in French.
        #[arg(long)]
        question_fr: Option<String>,
        /// Scored question in English.
        #[arg(long)]
        question_en: Option<String>,
        /// Free-text question in French.
        #[arg(long)]
        comment_fr: Option<String>,
        /// Free-text question in English.
        #[arg(long)]
        comment_en: Option<String>,
        /// Days a link stays valid (default 14).
        #[arg(long)]
        expiry_days: Option<String>,
    },
    /// Add a sending rule to a survey; prints its id.
    Rule {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Survey id.
        #[arg(long)]
        survey: uuid::Uuid,
        /// delivery, intervention, support_exchange, meeting, invoice_sent, invoice_paid, complaint_resolved, review_held.
        #[arg(long)]
        event: String,
        /// Hours between the event and the e-mail.
        #[arg(long)]
        delay_hours: Option<String>,
        /// Buying-centre roles asked, comma-separated (default: the event's contacts).
        #[arg(long)]
        roles: Option<String>,
    },
    /// Send a survey now to contacts of one account; prints each contact's outcome.
    Send {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Survey id.
        #[arg(long)]
        survey: uuid::Uuid,
        /// Account id.
        #[arg(long)]
        account: uuid::Uuid,
        /// Contact ids, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        contacts: Vec<uuid::Uuid>,
    },
    /// Turn a survey off (rules and manual sends stop using it) or on again.
    Active {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Survey id.
        #[arg(long)]
        survey: uuid::Uuid,
        /// `true` or `false`.
        value: String,
    },
    /// The outgoing e-mail, newest first, with the count per status (tab-separated).
    Outbox {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Most messages printed.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Send a failed e-mail of the outbox again.
    Retry {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Message id (from `bilan surveys outbox`).
        #[arg(long)]
        id: uuid::Uuid,
    },
    /// Set the minimum number of days between two surveys of one contact.
    Interval {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Days (0–365).
        days: String,
    },
    /// Set the fewest answers a score needs before trends, breakdowns and "my day" show it.
    MinAnswers {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
        /// Answers (1–100).
        answers: String,
    },
}

/// `bilan satisfaction` flags.
#[derive(Debug, Args)]
pub struct SatisfactionArgs {
    /// Workspace name.
    #[arg(long)]
    workspace: String,
    /// First day (YYYY-MM-DD), default twelve months back.
    #[arg(long)]
    from: Option<String>,
    /// Last day, default today.
    #[arg(long)]
    to: Option<String>,
    /// month or quarter.
    #[arg(long)]
    period: Option<String>,
    /// One account only (id).
    #[arg(long)]
    account: Option<String>,
    /// Print the figures as JSON (the API's shape is richer; this is the use case's).
    #[arg(long)]
    json: bool,
}

fn err(e: bilan_app::AppError) -> anyhow::Error {
    anyhow::anyhow!(describe(&e))
}

/// Runs a `surveys` subcommand.
pub async fn run(app: &App, cmd: SurveyCommand) -> Result<()> {
    match cmd {
        SurveyCommand::List { workspace } => {
            let actor = workspace_actor(app, &workspace).await?;
            let (list, interval) = uc::list_surveys(app, &actor).await.map_err(err)?;
            println!("# a contact is surveyed at most once every {interval} days");
            for s in list {
                let rules: Vec<String> = s
                    .rules
                    .iter()
                    .map(|r| format!("{}+{}h", r.rule.event_kind.code(), r.rule.delay_hours))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    s.survey.id,
                    s.survey.kind.code(),
                    s.survey.name,
                    if s.survey.active { "active" } else { "inactive" },
                    rules.join(",")
                );
            }
        }
        SurveyCommand::Create {
            workspace,
            name,
            kind,
            question_fr,
            question_en,
            comment_fr,
            comment_en,
            expiry_days,
        } => {
            let actor = workspace_actor(app, &workspace).await?;
            let input = SurveyInput {
                name: Some(name),
                kind: Some(kind),
                question_fr,
                question_en,
                comment_question_fr: comment_fr,
                comment_question_en: comment_en,
                expiry_days,
                active: None,
            };
            let s = uc::create_survey(app, &actor, &input).await.map_err(err)?;
            println!("{}", s.id);
        }
        SurveyCommand::Rule {
            workspace,
            survey,
            event,
            delay_hours,
            roles,
        } => {
            let actor = workspace_actor(app, &workspace).await?;
            let input = RuleInput {
                survey_id: Some(survey.to_string()),
                event_kind: Some(event),
                delay_hours,
                roles,
            };
            let r = uc::add_rule(app, &actor, &input).await.map_err(err)?;
            println!("{}", r.id);
        }
        SurveyCommand::Send {
            workspace,
            survey,
            account,
            contacts,
        } => {
            let actor = workspace_actor(app, &workspace).await?;
            let r = uc::send_survey(app, &actor, survey, account, &contacts)
                .await
                .map_err(err)?;
            for c in &r.contacts {
                println!("{}\t{}\t{}", c.contact_id, c.name, c.outcome.code());
            }
            eprintln!("{} invitation(s) scheduled", r.scheduled);
        }
        SurveyCommand::Active {
            workspace,
            survey,
            value,
        } => {
            let actor = workspace_actor(app, &workspace).await?;
            let current = uc::find_survey(app, &actor, survey).await.map_err(err)?.survey;
            let mut input = current.to_input();
            input.active = Some(value);
            let s = uc::update_survey(app, &actor, survey, current.version, &input)
                .await
                .map_err(err)?;
            eprintln!("{} is now {}", s.name, if s.active { "active" } else { "inactive" });
        }
        SurveyCommand::Outbox { workspace, limit } => {
            let actor = workspace_actor(app, &workspace).await?;
            let (rows, counts) = bilan_app::outbox::overview(app, &actor, limit).await.map_err(err)?;
            let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{s} {n}")).collect();
            println!("# {}", counts.join(", "));
            for r in rows {
                let detail = r
                    .sent_at
                    .map(|t| t.to_rfc3339())
                    .or(r.last_error)
                    .unwrap_or_else(|| format!("not before {}", r.not_before.to_rfc3339()));
                println!("{}\t{}\t{}\t{}\t{}", r.id, r.status, r.to_address, r.subject, detail);
            }
        }
        SurveyCommand::Retry { workspace, id } => {
            let actor = workspace_actor(app, &workspace).await?;
            bilan_app::outbox::retry(app, &actor, id).await.map_err(err)?;
            eprintln!("{id} is queued again");
        }
        SurveyCommand::Interval { workspace, days } => {
            let actor = workspace_actor(app, &workspace).await?;
            let d = uc::set_interval(app, &actor, &days).await.map_err(err)?;
            eprintln!("a contact is now surveyed at most once every {d} days");
        }
        SurveyCommand::MinAnswers { workspace, answers } => {
            let actor = workspace_actor(app, &workspace).await?;
            let n = uc::set_min_answers(app, &actor, &answers).await.map_err(err)?;
            eprintln!("a score now shows once {n} answers or more stand behind it");
        }
    }
    Ok(())
}

fn line(label: &str, s: &Summary) -> String {
    let f = |v: Option<rust_decimal::Decimal>| v.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    format!(
        "{label}\tNPS {} ({} answers: {} promoters, {} passives, {} detractors)\tCSAT {} ({} answers)\tCES {} ({} answers)",
        f(s.nps),
        s.nps_answers,
        s.promoters,
        s.passives,
        s.detractors,
        f(s.csat),
        s.csat_answers,
        f(s.ces),
        s.ces_answers
    )
}

/// Prints the satisfaction figures.
pub async fn satisfaction(app: &App, a: SatisfactionArgs) -> Result<()> {
    let actor = workspace_actor(app, &a.workspace).await?;
    let q = SatisfactionQuery {
        from: a.from,
        to: a.to,
        period: a.period,
        account: a.account,
    };
    let today = bilan_domain::timeline::local_day(app.now());
    let range = q.parse(today).map_err(err)?;
    let d = uc::satisfaction(app, &actor, &range).await.map_err(err)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(());
    }
    println!("{}", line(&format!("{} – {}", d.from, d.to), &d.overall));
    println!(
        "response rate\t{} of {} invitations answered ({} %)",
        d.total_rate.answered,
        d.total_rate.sent,
        d.total_rate.rate.map(|r| r.to_string()).unwrap_or_else(|| "-".into())
    );
    println!("# trend");
    for (p, s) in &d.trend {
        println!("{}", line(p, s));
    }
    for (title, lines) in [
        ("site", &d.by_site),
        ("business unit", &d.by_unit),
        ("role", &d.by_role),
        ("segment", &d.by_segment),
        ("owner", &d.by_owner),
    ] {
        println!("# by {title}");
        for l in lines {
            let label = if l.key.as_deref() == Some("*") {
                "(all the others)"
            } else {
                &l.label
            };
            println!("{}", line(label, &l.summary));
        }
    }
    Ok(())
}
