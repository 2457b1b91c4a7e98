//! `bilan invoices list|show|add|pay|credit|figures|export|import|rate|remind|portal-link|portal-revoke`:
//! invoices, payments, aging and reminders from the command line.

use crate::complaints::{actor, fail, Who};
use anyhow::{Context, Result};
use bilan_app::invoices::{self as uc, figures as fig, import as imp, portal, rates, InvoiceQuery, NewInvoiceInput};
use bilan_app::App;
use bilan_domain::invoices::invoice::InvoiceInput;
use bilan_domain::invoices::payment::{CreditNoteInput, PaymentInput};
use clap::Subcommand;

/// The `invoices` subcommands.
#[derive(Debug, Subcommand)]
pub enum InvoicesCommand {
    /// Invoices (tab-separated: id, number, account, issued on, due on, amount, still owed, status).
    List {
        #[command(flatten)]
        who: Who,
        /// An invoice number or words of its account's name.
        #[arg(long)]
        q: Option<String>,
        /// all (default, newest first), open, overdue (oldest due first) or paid.
        #[arg(long)]
        status: Option<String>,
        /// Account id.
        #[arg(long)]
        account: Option<String>,
        /// The accounts' owner (user id).
        #[arg(long)]
        owner: Option<String>,
        /// micro, small, intermediate or large.
        #[arg(long)]
        segment: Option<String>,
        /// Most lines.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// One invoice with its payments, reminders and late-payment charges.
    Show {
        #[command(flatten)]
        who: Who,
        /// Invoice id.
        id: String,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Enters an invoice; prints its id and due date.
    Add {
        #[command(flatten)]
        who: Who,
        /// Account id.
        #[arg(long)]
        account: String,
        /// Invoice number.
        #[arg(long)]
        number: String,
        /// Issue date.
        #[arg(long)]
        issued_on: String,
        /// Delivery date.
        #[arg(long)]
        delivered_on: Option<String>,
        /// Terms as written: "30 jours", "45 jours fin de mois", "fin de mois 45 jours", "à réception".
        #[arg(long)]
        terms: Option<String>,
        /// A due date written on the invoice (instead of terms).
        #[arg(long)]
        due_on: Option<String>,
        /// Amount excluding VAT.
        #[arg(long)]
        excl: String,
        /// Amount including VAT.
        #[arg(long)]
        incl: String,
        /// Currency (default EUR).
        #[arg(long)]
        currency: Option<String>,
        /// The day it was sent.
        #[arg(long)]
        sent_on: Option<String>,
    },
    /// Records a payment of an invoice.
    Pay {
        #[command(flatten)]
        who: Who,
        /// Invoice id.
        id: String,
        /// Day received.
        #[arg(long)]
        on: String,
        /// Amount.
        #[arg(long)]
        amount: String,
        /// Bank reference.
        #[arg(long)]
        reference: Option<String>,
    },
    /// Adds a credit note to an invoice.
    Credit {
        #[command(flatten)]
        who: Who,
        /// Invoice id.
        id: String,
        /// Credit note number.
        #[arg(long)]
        number: String,
        /// Issue date.
        #[arg(long)]
        on: String,
        /// Amount excluding VAT.
        #[arg(long)]
        excl: String,
        /// Amount including VAT.
        #[arg(long)]
        incl: String,
    },
    /// Aging, DSO and payment behaviour (tab-separated, or JSON).
    Figures {
        #[command(flatten)]
        who: Who,
        /// workspace (default), owner, segment or account.
        #[arg(long)]
        by: Option<String>,
        /// JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// The figures as CSV on standard output.
    Export {
        #[command(flatten)]
        who: Who,
        /// workspace, owner (default), segment or account.
        #[arg(long, default_value = "owner")]
        by: String,
    },
    /// Imports an accounting export (CSV) or one electronic invoice (.pdf Factur-X, .xml CII or UBL).
    Import {
        #[command(flatten)]
        who: Who,
        /// The file.
        file: std::path::PathBuf,
        /// Report only.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid lines even when others are refused.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Sets the ECB reference rate of a half-year (percent; Bilan adds the 10 points).
    Rate {
        #[command(flatten)]
        who: Who,
        /// Year.
        year: i32,
        /// 1 (January–June) or 2 (July–December).
        half: u8,
        /// Rate in percent, e.g. 2.15.
        rate: String,
    },
    /// Runs today's reminders now (the worker does it every morning at 08:00).
    Remind {
        #[command(flatten)]
        who: Who,
    },
    /// Makes a client portal link for an account; prints its path (shown only once).
    PortalLink {
        #[command(flatten)]
        who: Who,
        /// Account id.
        #[arg(long)]
        account: String,
        /// fr or en.
        #[arg(long)]
        lang: Option<String>,
        /// Days it lasts (default 90).
        #[arg(long)]
        days: Option<String>,
    },
    /// Writes a letter reminder as a PDF to print.
    Letter {
        #[command(flatten)]
        who: Who,
        /// Invoice id.
        invoice: String,
        /// Reminder id (`invoices show --json` lists them).
        reminder: String,
        /// Where to write it.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Revokes a portal link.
    PortalRevoke {
        #[command(flatten)]
        who: Who,
        /// Link id.
        id: String,
    },
}

fn id(raw: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(raw.trim()).with_context(|| format!("{raw:?} is not an id"))
}

/// Runs one `invoices` subcommand.
pub async fn run(app: &App, cmd: InvoicesCommand) -> Result<()> {
    let today = uc::today(app);
    match cmd {
        InvoicesCommand::List {
            who,
            q,
            status,
            account,
            owner,
            segment,
            limit,
            json,
        } => {
            let actor = actor(app, &who).await?;
            let query = InvoiceQuery {
                q,
                status,
                account,
                owner,
                segment,
                limit: Some(limit),
                ..Default::default()
            };
            let page = uc::list_invoices(app, &actor, &query).await.map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page.items)?);
                return Ok(());
            }
            for x in &page.items {
                let i = &x.invoice;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    i.id,
                    i.number,
                    x.account_name,
                    i.issued_on,
                    i.due_on,
                    i.amount_incl_tax.to_decimal(),
                    i.open().to_decimal(),
                    i.status(today).code()
                );
            }
        }
        InvoicesCommand::Show { who, id: raw, json } => {
            let actor = actor(app, &who).await?;
            let d = uc::invoice_detail(app, &actor, id(&raw)?).await.map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
                return Ok(());
            }
            let i = &d.invoice;
            println!("{} — {} ({})", i.number, d.account_name, d.status.code());
            println!(
                "issued {}, due {}, {} incl. VAT, still owed {}",
                i.issued_on,
                i.due_on,
                i.amount_incl_tax.to_decimal(),
                i.open().to_decimal()
            );
            match (&d.late.amounts, &d.late.missing_rate) {
                (Some(l), _) => println!(
                    "late: {} days, interest {} €, indemnity {} €",
                    l.days_late, l.interest, l.indemnity
                ),
                (None, Some(m)) => println!("late charges: the reference rate of {m} is missing"),
                _ => {}
            }
            for p in &d.payments {
                println!(
                    "paid {}\t{}\t{}",
                    p.paid_on,
                    p.amount_minor,
                    p.reference.as_deref().unwrap_or("")
                );
            }
            for r in &d.reminders {
                println!("{} {}\t{}\t{}\t{}", r.kind, r.step_index, r.sent_on, r.tone, r.channel);
            }
            if let Some(h) = d.next_reminder.held {
                println!("next reminder held: {h:?}");
            }
        }
        InvoicesCommand::Add {
            who,
            account,
            number,
            issued_on,
            delivered_on,
            terms,
            due_on,
            excl,
            incl,
            currency,
            sent_on,
        } => {
            let actor = actor(app, &who).await?;
            let input = NewInvoiceInput {
                account_id: Some(account),
                invoice: InvoiceInput {
                    number: Some(number),
                    issued_on: Some(issued_on),
                    delivered_on,
                    terms,
                    due_on,
                    amount_excl_tax: Some(excl),
                    amount_incl_tax: Some(incl),
                    currency,
                    structured_terms: None,
                },
                sent_on,
            };
            let i = uc::create_invoice(app, &actor, &input, "cli").await.map_err(fail)?;
            println!("{}\t{}", i.id, i.due_on);
            if i.terms_beyond_legal_max {
                eprintln!("warning: these terms exceed the legal maximum (60 days, or 45 days end of month)");
            }
        }
        InvoicesCommand::Pay {
            who,
            id: raw,
            on,
            amount,
            reference,
        } => {
            let actor = actor(app, &who).await?;
            let input = PaymentInput {
                paid_on: Some(on),
                amount: Some(amount),
                reference,
            };
            let r = uc::record_payment(app, &actor, id(&raw)?, &input).await.map_err(fail)?;
            println!(
                "{}{}",
                r.payment_id,
                if r.settled.is_empty() { "" } else { "\tsettled" }
            );
        }
        InvoicesCommand::Credit {
            who,
            id: raw,
            number,
            on,
            excl,
            incl,
        } => {
            let actor = actor(app, &who).await?;
            let input = CreditNoteInput {
                number: Some(number),
                issued_on: Some(on),
                amount_excl_tax: Some(excl),
                amount_incl_tax: Some(incl),
            };
            let i = uc::add_credit_note(app, &actor, id(&raw)?, &input)
                .await
                .map_err(fail)?;
            println!("{}\tstill owed {}", i.id, i.open().to_decimal());
        }
        InvoicesCommand::Figures { who, by, json } => {
            let actor = actor(app, &who).await?;
            let grouping = fig::parse_grouping(by.as_deref())
                .ok_or_else(|| anyhow::anyhow!("--by: workspace, owner, segment or account"))?;
            let f = fig::invoice_figures(app, &actor, grouping, &Default::default())
                .await
                .map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&*f)?);
                return Ok(());
            }
            println!("{}", fig::EXPORT_HEADER.join("\t"));
            for l in f.total.iter().chain(f.lines.iter()) {
                println!("{}", fig::export_row(l).join("\t"));
            }
        }
        InvoicesCommand::Export { who, by } => {
            let actor = actor(app, &who).await?;
            let grouping = fig::parse_grouping(Some(&by))
                .ok_or_else(|| anyhow::anyhow!("--by: workspace, owner, segment or account"))?;
            print!("{}", fig::export_csv(app, &actor, grouping).await.map_err(fail)?);
        }
        InvoicesCommand::Import {
            who,
            file,
            dry_run,
            skip_invalid,
        } => {
            let actor = actor(app, &who).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ext == "pdf" || ext == "xml" {
                let r = imp::import_einvoice(app, &actor, &bytes, None).await.map_err(fail)?;
                println!(
                    "{}\t{}\t{}\t{}",
                    r.invoice_id,
                    r.number,
                    r.kind,
                    if r.created { "created" } else { "already there" }
                );
            } else {
                let opts = bilan_app::imports::ImportOptions {
                    dry_run,
                    skip_invalid,
                    ..Default::default()
                };
                let r = imp::import_invoices(app, &actor, &bytes, &opts).await.map_err(fail)?;
                for x in &r.rejected {
                    eprintln!(
                        "line {}{}: {} ({})",
                        x.line,
                        x.column
                            .as_deref()
                            .map(|c| format!(", column {c:?}"))
                            .unwrap_or_default(),
                        x.message,
                        x.code
                    );
                }
                println!(
                    "{} lines: {} created, {} updated, {} unchanged, {} refused{}",
                    r.total_lines,
                    r.created,
                    r.updated,
                    r.unchanged,
                    r.rejected_lines(),
                    if r.committed { "" } else { " — nothing written" }
                );
                anyhow::ensure!(r.committed || dry_run, "the file was refused");
            }
        }
        InvoicesCommand::Rate { who, year, half, rate } => {
            let actor = actor(app, &who).await?;
            let r = rates::set_reference_rate(app, &actor, year, half, &rate)
                .await
                .map_err(fail)?;
            println!("{}-{}\t{}\t{}", r.year, r.half, r.rate, r.annual);
        }
        InvoicesCommand::Remind { who } => {
            let actor = actor(app, &who).await?;
            actor
                .require(bilan_domain::roles::Permission::ConfigureInvoices)
                .map_err(fail)?;
            let r = uc::dunning::run_reminders(app, actor.workspace_id)
                .await
                .map_err(fail)?;
            println!("{}", serde_json::to_string(&r)?);
        }
        InvoicesCommand::PortalLink {
            who,
            account,
            lang,
            days,
        } => {
            let actor = actor(app, &who).await?;
            let l = portal::create_link(app, &actor, id(&account)?, lang.as_deref(), days.as_deref())
                .await
                .map_err(fail)?;
            println!("{}\t{}\t{}", l.link.id, l.path, l.link.expires_at.to_rfc3339());
        }
        InvoicesCommand::Letter {
            who,
            invoice,
            reminder,
            output,
        } => {
            let actor = actor(app, &who).await?;
            let (_, bytes) = uc::reminder_letter(app, &actor, id(&invoice)?, id(&reminder)?)
                .await
                .map_err(fail)?;
            std::fs::write(&output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
            println!("{}", output.display());
        }
        InvoicesCommand::PortalRevoke { who, id: raw } => {
            let actor = actor(app, &who).await?;
            portal::revoke_link(app, &actor, id(&raw)?).await.map_err(fail)?;
            println!("revoked");
        }
    }
    Ok(())
}
