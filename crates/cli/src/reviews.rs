//! `bilan reviews list|show|plan|pack|prepare|hold|minutes|send-minutes|actions|done|remind`:
//! client reviews from the command line.

use crate::complaints::{actor, fail, Who};
use anyhow::{Context, Result};
use bilan_app::reviews::{self as uc, ActionQuery, ActionUpdate, MinutesFormat, PlanInput, ReviewQuery};
use bilan_app::App;
use bilan_domain::reviews::hold::HoldInput;
use bilan_domain::reviews::ReviewInput;
use clap::Subcommand;
use uuid::Uuid;

/// The `reviews` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewsCommand {
    /// Reviews, soonest first (tab-separated: id, day, kind, state, open actions, account).
    List {
        #[command(flatten)]
        who: Who,
        /// One account.
        #[arg(long)]
        account: Option<Uuid>,
        /// One state (planned, prepared, held, minutes_sent, closed, cancelled).
        #[arg(long)]
        state: Option<String>,
        /// Where each key account's review stands this year instead.
        #[arg(long)]
        programme: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A review as JSON: attendees, agenda, what was recorded, the action plan.
    Show {
        #[command(flatten)]
        who: Who,
        /// Review id.
        review: Uuid,
    },
    /// Plans a review of an account (attendees and agenda by default); prints its id.
    Plan {
        #[command(flatten)]
        who: Who,
        /// Account id.
        account: Uuid,
        /// Day of the meeting (YYYY-MM-DD).
        #[arg(long)]
        on: String,
        /// annual (default), checkpoint or steering.
        #[arg(long)]
        kind: Option<String>,
        /// Local start time, HH:MM.
        #[arg(long)]
        at: Option<String>,
        /// Where.
        #[arg(long)]
        location: Option<String>,
    },
    /// The data pack as JSON (frozen once prepared, live before).
    Pack {
        #[command(flatten)]
        who: Who,
        /// Review id.
        review: Uuid,
    },
    /// Freezes the data pack now.
    Prepare {
        #[command(flatten)]
        who: Who,
        /// Review id.
        review: Uuid,
    },
    /// Records the review as held from a JSON file (held_on, round_table, decisions, objectives, risks, action_items, notes).
    Hold {
        #[command(flatten)]
        who: Who,
        /// Review id.
        review: Uuid,
        /// The JSON file.
        file: std::path::PathBuf,
    },
    /// Writes the minutes to a file (PDF, or Word with --docx).
    Minutes {
        #[command(flatten)]
        who: Who,
        /// Review id.
        review: Uuid,
        /// Where to write them (default: their own file name, here).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The editable Word document instead of the PDF.
        #[arg(long)]
        docx: bool,
    },
    /// Sends the minutes to the attendees and keeps them on the review.
    SendMinutes {
        #[command(flatten)]
        who: Who,
        /// Review id.
        review: Uuid,
    },
    /// Action items (tab-separated: id, due, status, owner, account, what).
    Actions {
        #[command(flatten)]
        who: Who,
        /// One account.
        #[arg(long)]
        account: Option<Uuid>,
        /// Only the late ones.
        #[arg(long)]
        overdue: bool,
        /// Only those of the person acting (--as).
        #[arg(long)]
        mine: bool,
    },
    /// Marks an action item done.
    Done {
        #[command(flatten)]
        who: Who,
        /// Action item id.
        action: Uuid,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Sends today's action-item reminders now (the 07:15 job).
    Remind {
        #[command(flatten)]
        who: Who,
    },
}

/// Numbers written as numbers (a target of 30) read as the text the checks expect.
fn numbers_as_text(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_text).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_text(v))).collect()),
        other => other,
    }
}

/// Runs one `reviews` subcommand.
pub async fn run(app: &App, cmd: ReviewsCommand) -> Result<()> {
    match cmd {
        ReviewsCommand::List {
            who,
            account,
            state,
            programme,
            json,
        } => {
            let actor = actor(app, &who).await?;
            if programme {
                let rows = uc::programme_reviews(app, &actor, false).await.map_err(fail)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                    return Ok(());
                }
                for r in rows {
                    let last = r.last_held_on.map_or("—".to_owned(), |d| d.to_string());
                    let next = r.next_planned_on.map_or("—".to_owned(), |d| d.to_string());
                    println!(
                        "{}\t{}\t{last}\t{next}\t{}\t{}",
                        r.account_id, r.status, r.open_actions, r.name
                    );
                }
                return Ok(());
            }
            let q = ReviewQuery {
                account_id: account,
                state,
                ..ReviewQuery::default()
            };
            let rows = uc::list_reviews(app, &actor, &q).await.map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            for r in rows {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.id, r.planned_on, r.kind, r.state, r.open_actions, r.account_name
                );
            }
        }
        ReviewsCommand::Show { who, review } => {
            let actor = actor(app, &who).await?;
            let r = uc::review(app, &actor, review).await.map_err(fail)?;
            println!("{}", serde_json::to_string_pretty(&r)?);
        }
        ReviewsCommand::Plan {
            who,
            account,
            on,
            kind,
            at,
            location,
        } => {
            let actor = actor(app, &who).await?;
            let input = PlanInput {
                account_id: Some(account.to_string()),
                review: ReviewInput {
                    kind,
                    planned_on: Some(on),
                    starts_at: at,
                    location,
                    ..ReviewInput::default()
                },
                attendees: None,
                agenda: None,
            };
            let r = uc::plan_review(app, &actor, &input).await.map_err(fail)?;
            println!("{}", r.id);
        }
        ReviewsCommand::Pack { who, review } => {
            let actor = actor(app, &who).await?;
            let p = uc::review_pack(app, &actor, review).await.map_err(fail)?;
            println!("{}", serde_json::to_string_pretty(&p)?);
        }
        ReviewsCommand::Prepare { who, review } => {
            let actor = actor(app, &who).await?;
            let r = uc::prepare_review(app, &actor, review).await.map_err(fail)?;
            println!("{}\t{}", r.id, r.state);
        }
        ReviewsCommand::Hold { who, review, file } => {
            let actor = actor(app, &who).await?;
            let raw = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let value: serde_json::Value =
                serde_json::from_str(&raw).with_context(|| format!("{} is not JSON", file.display()))?;
            let input: HoldInput = serde_json::from_value(numbers_as_text(value))
                .with_context(|| format!("{} is not a review record", file.display()))?;
            let r = uc::hold_review(app, &actor, review, &input).await.map_err(fail)?;
            println!("{}\t{}\t{} action item(s)", r.id, r.state, r.action_items.len());
        }
        ReviewsCommand::Minutes { who, review, out, docx } => {
            let actor = actor(app, &who).await?;
            let format = if docx { MinutesFormat::Docx } else { MinutesFormat::Pdf };
            let f = uc::minutes_file(app, &actor, review, format).await.map_err(fail)?;
            let path = out.unwrap_or_else(|| std::path::PathBuf::from(&f.filename));
            std::fs::write(&path, &f.bytes).with_context(|| format!("cannot write {}", path.display()))?;
            println!("{}", path.display());
        }
        ReviewsCommand::SendMinutes { who, review } => {
            let actor = actor(app, &who).await?;
            let r = uc::send_minutes(app, &actor, review).await.map_err(fail)?;
            println!("{}\t{}", r.id, r.state);
        }
        ReviewsCommand::Actions {
            who,
            account,
            overdue,
            mine,
        } => {
            let actor = actor(app, &who).await?;
            let q = ActionQuery {
                account_id: account,
                overdue,
                mine,
                status: (!overdue).then(|| "open".to_owned()),
                ..ActionQuery::default()
            };
            for a in uc::action_items(app, &actor, &q).await.map_err(fail)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    a.id,
                    a.due_on,
                    if a.overdue { "overdue" } else { a.status.as_str() },
                    a.owner,
                    a.account_name.unwrap_or_default(),
                    a.what
                );
            }
        }
        ReviewsCommand::Done { who, action, note } => {
            let actor = actor(app, &who).await?;
            let input = ActionUpdate {
                status: Some("done".into()),
                note,
                ..ActionUpdate::default()
            };
            let a = uc::update_action(app, &actor, action, &input).await.map_err(fail)?;
            println!("{}\t{}", a.id, a.status);
        }
        ReviewsCommand::Remind { who } => {
            let actor = actor(app, &who).await?;
            let n = bilan_app::reviews::reminders::remind(app, actor.workspace_id)
                .await
                .map_err(fail)?;
            println!("{n} reminder(s) queued");
        }
    }
    Ok(())
}
