//! `bilan complaints list|show|open|move|edit|figures|export|alerts`: complaints and
//! their deadlines from the command line.

use crate::commands::{describe, workspace_actor};
use anyhow::{Context, Result};
use bilan_app::complaints::{self as uc, figures as fig, ComplaintQuery};
use bilan_app::{Actor, App};
use bilan_domain::complaints::{ComplaintInput, TransitionInput};
use clap::{Args, Subcommand};

/// Who acts: the workspace, and optionally a person of it.
#[derive(Debug, Args)]
pub(crate) struct Who {
    /// Workspace name.
    #[arg(long)]
    workspace: String,
    /// Act as this person (login e-mail) instead of the workspace's operator.
    #[arg(long = "as")]
    user: Option<String>,
}

/// The list's filters.
#[derive(Debug, Args)]
pub struct Filters {
    /// A case's reference (R-2026-0042) or words of its account's name.
    #[arg(long)]
    q: Option<String>,
    /// A state, `open` or `all` (default).
    #[arg(long)]
    state: Option<String>,
    /// Owner user id.
    #[arg(long)]
    owner: Option<String>,
    /// delivery, quality, invoice, service, price or other.
    #[arg(long)]
    category: Option<String>,
    /// low, medium, high or critical.
    #[arg(long)]
    severity: Option<String>,
    /// Account id.
    #[arg(long)]
    account: Option<String>,
    /// Received on or after (YYYY-MM-DD or DD/MM/YYYY).
    #[arg(long)]
    from: Option<String>,
    /// Received on or before.
    #[arg(long)]
    to: Option<String>,
    /// Only cases with a deadline passed.
    #[arg(long)]
    overdue: bool,
}

impl Filters {
    fn query(&self, limit: Option<u32>) -> ComplaintQuery {
        ComplaintQuery {
            q: self.q.clone(),
            state: self.state.clone(),
            owner: self.owner.clone(),
            category: self.category.clone(),
            severity: self.severity.clone(),
            account: self.account.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            overdue: self.overdue.then(|| "true".to_owned()),
            cursor: None,
            limit,
        }
    }
}

/// The `complaints` subcommands.
#[derive(Debug, Subcommand)]
pub enum ComplaintsCommand {
    /// Cases by next deadline, overdue first (tab-separated: id, reference, state,
    /// next deadline, due on, overdue, account).
    List {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        filters: Filters,
        /// Most cases printed (1 to 200).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// One case with its deadlines and steps.
    Show {
        #[command(flatten)]
        who: Who,
        /// The case's id.
        id: uuid::Uuid,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Open a case; prints its id, reference and deadlines.
    Open {
        #[command(flatten)]
        who: Who,
        /// Account id (or give --interaction).
        #[arg(long)]
        account: Option<String>,
        /// The exchange it comes from.
        #[arg(long)]
        interaction: Option<String>,
        /// The invoice it is about (its reminders wait while the case is open).
        #[arg(long)]
        invoice: Option<String>,
        /// Contact id.
        #[arg(long)]
        contact: Option<String>,
        /// Date received (default: today).
        #[arg(long)]
        received_on: Option<String>,
        /// Channel: email, phone, letter, web_form, portal…
        #[arg(long, default_value = "email")]
        channel: String,
        /// business or consumer.
        #[arg(long, default_value = "business")]
        client_kind: String,
        /// delivery, quality, invoice, service, price or other.
        #[arg(long)]
        category: String,
        /// low, medium, high or critical.
        #[arg(long, default_value = "medium")]
        severity: String,
        /// What it concerns (an invoice number, a delivery).
        #[arg(long)]
        concerns: Option<String>,
        /// The client's words.
        #[arg(long)]
        summary: String,
        /// Owner user id (default: the acting person).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Move a case by one dated step.
    Move {
        #[command(flatten)]
        who: Who,
        /// The case's id.
        id: uuid::Uuid,
        /// The state to move to.
        #[arg(long)]
        to: String,
        /// The day it happened (default: today).
        #[arg(long)]
        on: Option<String>,
        /// Why, or the answer's text.
        #[arg(long)]
        reason: Option<String>,
        /// Gesture: credit_note, discount, replacement or free_service.
        #[arg(long)]
        gesture: Option<String>,
        /// Gesture's value, e.g. 150.00.
        #[arg(long)]
        amount: Option<String>,
        /// Gesture's currency (default EUR).
        #[arg(long)]
        currency: Option<String>,
        /// Do not send the step's letter.
        #[arg(long)]
        no_letter: bool,
        /// The version read (default: the current one).
        #[arg(long)]
        version: Option<i64>,
    },
    /// Correct a case's description (owner, contact, business or consumer,
    /// category, severity, what it concerns); an empty value clears the contact or
    /// what it concerns.
    Edit {
        #[command(flatten)]
        who: Who,
        /// The case's id.
        id: uuid::Uuid,
        /// Owner user id.
        #[arg(long)]
        owner: Option<String>,
        /// Contact id ("" for none).
        #[arg(long)]
        contact: Option<String>,
        /// business or consumer.
        #[arg(long)]
        client_kind: Option<String>,
        /// Category.
        #[arg(long)]
        category: Option<String>,
        /// Severity.
        #[arg(long)]
        severity: Option<String>,
        /// What it concerns ("" for nothing).
        #[arg(long)]
        concerns: Option<String>,
    },
    /// The figures of the cases the filters select.
    Figures {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        filters: Filters,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The cases the filters select, as CSV on standard output.
    Export {
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        filters: Filters,
    },
    /// Raise today's deadline alerts now (what the daily 07:00 job does).
    Alerts {
        /// Workspace name.
        #[arg(long)]
        workspace: String,
    },
}

pub(crate) async fn actor(app: &App, who: &Who) -> Result<Actor> {
    let operator = workspace_actor(app, &who.workspace).await?;
    let Some(email) = &who.user else {
        return Ok(operator);
    };
    let user = bilan_app::users::find_by_email(app, email)
        .await
        .map_err(|_| anyhow::anyhow!("no user {email:?}"))?;
    let actor = bilan_app::auth::actor_of(&user).map_err(|e| anyhow::anyhow!(describe(&e)))?;
    anyhow::ensure!(
        actor.workspace_id == operator.workspace_id,
        "{email} is not a user of {:?}",
        who.workspace
    );
    Ok(actor)
}

pub(crate) fn fail(e: bilan_app::AppError) -> anyhow::Error {
    anyhow::anyhow!(describe(&e))
}

/// Runs one `complaints` subcommand.
pub async fn run(app: &App, cmd: ComplaintsCommand) -> Result<()> {
    let today = uc::today(app);
    match cmd {
        ComplaintsCommand::List {
            who,
            filters,
            limit,
            json,
        } => {
            let actor = actor(app, &who).await?;
            let page = uc::list_complaints(app, &actor, &filters.query(Some(limit)))
                .await
                .map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page.items)?);
                return Ok(());
            }
            for x in &page.items {
                let c = &x.complaint;
                let (what, by) = c
                    .next_due()
                    .map(|d| (d.kind.code().to_owned(), d.by.to_string()))
                    .unwrap_or_default();
                let late = if c.is_overdue(today) { "overdue" } else { "" };
                println!(
                    "{}\t{}\t{}\t{what}\t{by}\t{late}\t{}",
                    c.id,
                    c.reference(),
                    c.state.code(),
                    x.account_name
                );
            }
            if page.next.is_some() {
                eprintln!("(more: raise --limit or narrow the filters)");
            }
        }
        ComplaintsCommand::Show { who, id, json } => {
            let actor = actor(app, &who).await?;
            let d = uc::complaint_detail(app, &actor, id).await.map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
                return Ok(());
            }
            let c = &d.complaint;
            println!("{} — {} ({})", c.reference(), d.account_name, c.state.code());
            println!(
                "received {} by {}, {}",
                c.received_on,
                c.channel.code(),
                c.client_kind.code()
            );
            println!("{} / {} — owner {}", c.category.code(), c.severity.code(), d.owner_name);
            println!(
                "acknowledge by {}, answer by {}",
                c.deadlines.acknowledge_by, c.deadlines.answer_by
            );
            if let Some(m) = c.deadlines.mediation_request_by {
                println!("consumer may ask the mediator until {m}");
            }
            if let Some(m) = c.deadlines.mediation_concludes_by {
                println!("mediation concludes by {m}");
            }
            for due in c.due() {
                let late = if due.is_overdue(today) { " (overdue)" } else { "" };
                println!("due: {} by {}{late}", due.kind.code(), due.by);
            }
            println!("\n{}\n", c.summary);
            for s in &d.steps {
                let g = s
                    .gesture
                    .map(|g| format!(" [{} {}]", g.kind.code(), g.amount.format(false)))
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}{g}",
                    s.on,
                    s.to_state.code(),
                    s.reason.as_deref().unwrap_or("")
                );
            }
        }
        ComplaintsCommand::Open {
            who,
            account,
            interaction,
            invoice,
            contact,
            received_on,
            channel,
            client_kind,
            category,
            severity,
            concerns,
            summary,
            owner,
        } => {
            let actor = actor(app, &who).await?;
            let input = ComplaintInput {
                account_id: account,
                contact_id: contact,
                interaction_id: interaction,
                invoice_id: invoice,
                received_on: Some(received_on.unwrap_or_else(|| today.to_string())),
                channel: Some(channel),
                client_kind: Some(client_kind),
                category: Some(category),
                severity: Some(severity),
                concerns,
                summary: Some(summary),
                owner_id: owner,
            };
            let c = uc::open_complaint(app, &actor, &input).await.map_err(fail)?;
            println!("{}\t{}", c.id, c.reference());
            eprintln!(
                "acknowledge by {}, answer by {}{}",
                c.deadlines.acknowledge_by,
                c.deadlines.answer_by,
                c.deadlines
                    .mediation_request_by
                    .map(|d| format!(", mediator until {d}"))
                    .unwrap_or_default()
            );
        }
        ComplaintsCommand::Move {
            who,
            id,
            to,
            on,
            reason,
            gesture,
            amount,
            currency,
            no_letter,
            version,
        } => {
            let actor = actor(app, &who).await?;
            let version = match version {
                Some(v) => v,
                None => uc::find_complaint(app, &actor, id).await.map_err(fail)?.version,
            };
            let input = TransitionInput {
                to: Some(to),
                on: Some(on.unwrap_or_else(|| today.to_string())),
                reason,
                gesture_kind: gesture,
                gesture_amount: amount,
                gesture_currency: currency,
                send_letter: Some((!no_letter).to_string()),
            };
            let m = uc::move_complaint(app, &actor, id, version, &input)
                .await
                .map_err(fail)
                .with_context(|| format!("complaint {id}"))?;
            println!(
                "{}\t{}\t{}",
                m.complaint.id,
                m.complaint.state.code(),
                m.complaint.version
            );
            if let Some(l) = m.letter {
                eprintln!("letter sent to {}: {}", l.to, l.subject);
            }
        }
        ComplaintsCommand::Edit {
            who,
            id,
            owner,
            contact,
            client_kind,
            category,
            severity,
            concerns,
        } => {
            let actor = actor(app, &who).await?;
            let version = uc::find_complaint(app, &actor, id).await.map_err(fail)?.version;
            let input = bilan_domain::complaints::EditInput {
                contact_id: contact,
                client_kind,
                category,
                severity,
                concerns,
                owner_id: owner,
            };
            let c = uc::edit_complaint(app, &actor, id, version, &input)
                .await
                .map_err(fail)?;
            println!("{}\t{}\t{}", c.id, c.category.code(), c.version);
        }
        ComplaintsCommand::Figures { who, filters, json } => {
            let actor = actor(app, &who).await?;
            let f = fig::complaint_figures(app, &actor, &filters.query(None))
                .await
                .map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&f)?);
                return Ok(());
            }
            let x = &f.figures;
            let opt =
                |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_else(|| "—".into());
            println!("cases\t{}\nopen\t{}\noverdue\t{}", x.cases, x.open, x.overdue);
            println!("median days to acknowledge\t{}", opt(x.median_days_to_acknowledge));
            println!("median days to resolve\t{}", opt(x.median_days_to_resolve));
            println!("answered within the period (%)\t{}", opt(x.answered_within_period_pct));
            for (c, n) in &x.by_category {
                println!("category {}\t{n}", c.code());
            }
            for (_, name, n) in &f.by_account {
                println!("account {name}\t{n}");
            }
            for m in &x.gestures {
                println!("gestures\t{}\t({} cases)", m.format(false), x.gesture_count);
            }
        }
        ComplaintsCommand::Export { who, filters } => {
            let actor = actor(app, &who).await?;
            let csv = fig::export_csv(app, &actor, &filters.query(None)).await.map_err(fail)?;
            print!("{csv}");
        }
        ComplaintsCommand::Alerts { workspace } => {
            let actor = workspace_actor(app, &workspace).await?;
            let r = uc::deadlines::raise_alerts(app, actor.workspace_id)
                .await
                .map_err(fail)?;
            eprintln!(
                "{} cases due tomorrow or late, {} new alerts, {} e-mails queued",
                r.cases, r.alerts, r.mails
            );
        }
    }
    Ok(())
}
