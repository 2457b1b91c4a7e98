//! `bilan my-day`: a person's day at the command line — follow-ups due and late,
//! renewals coming, accounts whose satisfaction fell; and putting a follow-up off.

use crate::commands::describe;
use anyhow::{Context, Result};
use bilan_app::App;
use bilan_domain::my_day::{is_satisfaction_callback, Snooze};
use clap::Args;

/// `bilan my-day` flags.
#[derive(Debug, Args)]
pub struct MyDayArgs {
    /// Whose day, by login e-mail.
    #[arg(long = "as")]
    user: String,
    /// Put this follow-up (interaction id) off instead: `tomorrow` or `next_week`.
    #[arg(long, requires = "until")]
    snooze: Option<uuid::Uuid>,
    /// With `--snooze`: `tomorrow` or `next_week`.
    #[arg(long)]
    until: Option<String>,
}

/// Runs `bilan my-day`.
pub async fn run(app: &App, args: MyDayArgs) -> Result<()> {
    let user = bilan_app::users::find_by_email(app, &args.user)
        .await
        .map_err(|_| anyhow::anyhow!("no user {:?}", args.user))?;
    let actor = bilan_app::auth::actor_of(&user).map_err(|e| anyhow::anyhow!(describe(&e)))?;
    if let (Some(id), Some(until)) = (args.snooze, args.until.as_deref()) {
        let snooze = Snooze::parse(until).context("--until: tomorrow or next_week")?;
        let i = bilan_app::timeline::snooze_follow_up(app, &actor, id, snooze)
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
        let due = i.follow_up.map(|f| f.due.to_string()).unwrap_or_default();
        eprintln!("{id} is now due {due}");
        return Ok(());
    }
    let today = bilan_domain::timeline::local_day(app.now());
    let d = bilan_app::my_day::my_day(app, &actor, today, bilan_app::my_day::LIST_MAX)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    println!("# {} — {}", user.display_name, d.today);
    for (title, items) in [("due today", &d.due_today), ("overdue", &d.overdue)] {
        println!("\n## {title} ({})", items.len());
        for i in items {
            let Some(f) = &i.interaction.follow_up else { continue };
            let flag = if is_satisfaction_callback(&i.interaction) {
                "unhappy client\t"
            } else {
                ""
            };
            println!("{}\t{}\t{flag}{}\t{}", i.interaction.id, f.due, i.account_name, f.what);
        }
    }
    println!("\n## complaint deadlines ({})", d.complaints_due.len());
    for x in &d.complaints_due {
        let Some(due) = x.complaint.next_due() else { continue };
        let late = if due.is_overdue(d.today) { "overdue\t" } else { "" };
        println!(
            "{}\t{}\t{late}{}\t{} {}",
            x.complaint.id,
            x.complaint.reference(),
            x.account_name,
            due.kind.code(),
            due.by
        );
    }
    println!("\n## review actions ({})", d.review_actions.len());
    for a in &d.review_actions {
        let late = if a.overdue { "overdue\t" } else { "" };
        println!(
            "{}\t{}\t{late}{}\t{}",
            a.id,
            a.due_on,
            a.account_name.as_deref().unwrap_or(""),
            a.what
        );
    }
    println!("\n## renewals ({})", d.renewals.len());
    for a in &d.renewals {
        let when = a.renewal_date.map(|r| r.to_string()).unwrap_or_default();
        println!("{}\t{when}\t{}\t{}", a.id, a.name, a.annual_value.format(false));
    }
    println!("\n## satisfaction falling ({})", d.satisfaction_falls.len());
    for f in &d.satisfaction_falls {
        println!(
            "{}\t{}\t{} {} -> {}",
            f.account_id,
            f.account_name,
            f.score.code(),
            f.before,
            f.now
        );
    }
    Ok(())
}
