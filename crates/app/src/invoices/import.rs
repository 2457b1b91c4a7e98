//! Bringing invoices in from the accounting software: a CSV export (invoices,
//! credit notes and payments; each bad line reported, nothing imported twice —
//! an invoice number already stored is skipped, a payment already recorded under
//! the same key too — and nothing half-imported), or one electronic invoice
//! (Factur-X PDF, CII or UBL XML).

use super::facturx::{extract_xml, is_pdf};
use super::NewInvoiceInput;
use crate::imports::{finish, parse_options, reject, AccountIndex, ImportOptions, ImportReport, RejectedLine};
use crate::{Actor, App, AppError, AppResult};
use bilan_db::invoices::{self as store, AllocationRow, CreditNoteRow, InvoiceRow, PaymentRow};
use bilan_domain::events::EventKind;
use bilan_domain::imports::invoices::{parse_invoices, InvoiceLineKind};
use bilan_domain::imports::{self as format, Mapping};
use bilan_domain::invoices::einvoice::{self, ReadInvoice};
use bilan_domain::invoices::invoice::Invoice;
use bilan_domain::invoices::payment::dedup_key;
use bilan_domain::roles::Permission;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Imports an invoices file. Lines are taken in order: an invoice, then a later
/// line's payment or credit note on it, both land.
pub async fn import_invoices(app: &App, actor: &Actor, bytes: &[u8], opts: &ImportOptions) -> AppResult<ImportReport> {
    actor.require(Permission::WriteInvoices)?;
    let today = super::today(app);
    let parsed = parse_invoices(bytes, &parse_options(opts, opts.account_id.is_some()))?;
    let mapping = parsed.mapping.clone();
    let mut report = ImportReport {
        total_lines: parsed.total_lines,
        created: 0,
        updated: 0,
        unchanged: 0,
        rejected: Vec::new(),
        mapping: mapping.columns(),
        separator: parsed.separator,
        encoding: parsed.encoding.to_owned(),
        committed: false,
    };
    let mut rejected: Vec<RejectedLine> = parsed.rejected;
    let mut w = app.write(actor, Permission::WriteInvoices).await?;
    let ws = actor.workspace_id;
    let now = w.now();
    if let Some(a) = opts.account_id {
        if bilan_db::imports::accounts_by_ids(&mut w.conn(), ws, &[a])
            .await?
            .is_empty()
        {
            return Err(AppError::field("account_id", "account.unknown"));
        }
    }
    let lines = parsed.lines;
    let ids: Vec<Uuid> = lines
        .iter()
        .filter_map(|l| l.account_id.as_deref().and_then(|s| Uuid::parse_str(s).ok()))
        .collect();
    let refs: Vec<String> = lines.iter().flat_map(|l| l.account_refs.iter().cloned()).collect();
    let index = AccountIndex::load(&mut w.conn(), ws, &ids, &refs).await?;
    // Invoices already stored that the file names (its numbers and its credit notes' invoices).
    let mut numbers: Vec<String> = lines
        .iter()
        .map(|l| match &l.kind {
            InvoiceLineKind::Invoice(_) => l.number.clone(),
            InvoiceLineKind::CreditNote { invoice_ref, .. } => invoice_ref.clone(),
        })
        .collect();
    numbers.sort();
    numbers.dedup();
    let mut known: HashMap<String, Invoice> = store::by_numbers(&mut w.conn(), ws, &numbers)
        .await?
        .into_iter()
        .map(|i| (i.number.clone(), i))
        .collect();
    let stored: HashSet<String> = known.keys().cloned().collect();
    let before_file: HashMap<String, Invoice> = known.clone();
    let credit_numbers: Vec<String> = lines
        .iter()
        .filter(|l| matches!(l.kind, InvoiceLineKind::CreditNote { .. }))
        .map(|l| l.number.clone())
        .collect();
    let mut credit_seen: HashSet<String> = store::existing_credit_notes(&mut w.conn(), ws, &credit_numbers)
        .await?
        .into_iter()
        .collect();
    let mut keys: Vec<String> = Vec::new();
    // A line refused for its payment writes nothing, not even its invoice.
    let mut created_on_line: HashMap<usize, String> = HashMap::new();
    let mut new_invoices: Vec<Uuid> = Vec::new();
    let mut credit_rows: Vec<CreditNoteRow> = Vec::new();
    let mut touched: HashSet<String> = HashSet::new();
    let mut payments: Vec<(usize, String, bilan_domain::invoices::payment::NewPayment, String)> = Vec::new();
    for l in &lines {
        let given = l.account_id.as_deref().and_then(|s| Uuid::parse_str(s).ok());
        let account = match index.line_account(opts.account_id, given, &l.account_refs) {
            Ok(a) => a,
            Err(code) => {
                rejected.push(AccountIndex::rejection(code, l.line, &mapping, given, &l.account_refs));
                continue;
            }
        };
        match &l.kind {
            InvoiceLineKind::Invoice(n) => match known.get(&n.number) {
                Some(existing) if existing.account_id != account => {
                    rejected.push(line_error(l.line, &mapping, "number", "invoice.other_account"));
                    continue;
                }
                Some(_) => {}
                None => {
                    let inv = Invoice {
                        id: bilan_db::new_id(),
                        workspace_id: ws,
                        account_id: account,
                        number: n.number.clone(),
                        issued_on: n.issued_on,
                        delivered_on: n.delivered_on,
                        terms: n.terms,
                        due_on: n.due_on,
                        terms_beyond_legal_max: n.terms_beyond_legal_max,
                        amount_excl_tax: n.amount_excl_tax,
                        amount_incl_tax: n.amount_incl_tax,
                        paid_minor: 0,
                        credited_minor: 0,
                        settled_on: None,
                        sent_on: l.sent_on.filter(|s| *s >= n.issued_on),
                        factor_id: None,
                        factored_on: None,
                        source: "csv".to_owned(),
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    };
                    new_invoices.push(inv.id);
                    created_on_line.insert(l.line, inv.number.clone());
                    known.insert(inv.number.clone(), inv);
                    report.created += 1;
                }
            },
            InvoiceLineKind::CreditNote { input, invoice_ref } => {
                if credit_seen.contains(&l.number) {
                    report.unchanged += 1;
                    continue;
                }
                let Some(inv) = known.get_mut(invoice_ref) else {
                    rejected.push(line_error(l.line, &mapping, "invoice_ref", "invoice.unknown"));
                    continue;
                };
                if inv.account_id != account {
                    rejected.push(line_error(l.line, &mapping, "invoice_ref", "invoice.other_account"));
                    continue;
                }
                let n = match input.validate(inv.amount_incl_tax.currency, inv.issued_on, today) {
                    Ok(n) => n,
                    Err(e) => {
                        rejected.extend(format::rejections(l.line, &mapping, &e));
                        continue;
                    }
                };
                if n.amount_incl_tax.minor > inv.open().minor {
                    rejected.push(line_error(
                        l.line,
                        &mapping,
                        "amount_incl_tax",
                        "credit_note.more_than_owed",
                    ));
                    continue;
                }
                inv.credited_minor += n.amount_incl_tax.minor;
                if inv.open().minor == 0 && inv.settled_on.is_none() {
                    inv.settled_on = Some(n.issued_on);
                }
                touched.insert(inv.number.clone());
                credit_seen.insert(n.number.clone());
                credit_rows.push(CreditNoteRow {
                    id: bilan_db::new_id(),
                    workspace_id: ws,
                    account_id: account,
                    invoice_id: Some(inv.id),
                    number: n.number,
                    issued_on: n.issued_on,
                    amount_excl_minor: n.amount_excl_tax.minor,
                    amount_incl_minor: n.amount_incl_tax.minor,
                    currency: n.amount_incl_tax.currency.as_str().to_owned(),
                    source: "csv".to_owned(),
                    created_at: now,
                });
                report.created += 1;
                continue;
            }
        }
        // The line's payment, on its invoice (new or stored).
        let Some(p) = &l.payment else {
            if stored.contains(&l.number) {
                report.unchanged += 1;
            }
            continue;
        };
        let Some(inv) = known.get(&l.number) else { continue };
        let checked = match p.input.validate(inv.amount_incl_tax.currency, today) {
            Ok(x) => x,
            Err(e) => {
                let e = rename(
                    e,
                    &[
                        ("paid_on", "paid_on"),
                        ("amount", "paid_amount"),
                        ("reference", "payment_reference"),
                    ],
                );
                rejected.extend(format::rejections(l.line, &mapping, &e));
                undo_line(l.line, &mut created_on_line, &mut known, &mut new_invoices, &mut report);
                continue;
            }
        };
        let key = dedup_key(
            checked.reference.as_deref(),
            &inv.number,
            checked.paid_on,
            checked.amount,
        );
        keys.push(key.clone());
        payments.push((l.line, inv.number.clone(), checked, key));
    }
    // Payments already recorded (by an earlier import) are skipped.
    let done: HashSet<String> = store::existing_payment_keys(&mut w.conn(), ws, &keys)
        .await?
        .into_iter()
        .collect();
    let mut in_file: HashSet<String> = HashSet::new();
    let mut to_pay: Vec<(String, bilan_domain::invoices::payment::NewPayment, String)> = Vec::new();
    for (line, number, p, key) in payments {
        if done.contains(&key) || !in_file.insert(key.clone()) {
            if stored.contains(&number) {
                report.unchanged += 1;
            }
            continue;
        }
        let Some(inv) = known.get_mut(&number) else { continue };
        let refused = if p.paid_on < inv.issued_on {
            Some(("paid_on", "payment.before_invoice"))
        } else if p.amount.minor > inv.open().minor {
            Some(("paid_amount", "payment.more_than_owed"))
        } else {
            None
        };
        if let Some((field, code)) = refused {
            rejected.push(line_error(line, &mapping, field, code));
            undo_line(line, &mut created_on_line, &mut known, &mut new_invoices, &mut report);
            continue;
        }
        // Counted on the invoice now so a second line sees the new balance.
        inv.paid_minor += p.amount.minor;
        if inv.open().minor == 0 && inv.settled_on.is_none() {
            inv.settled_on = Some(p.paid_on);
        }
        touched.insert(number.clone());
        to_pay.push((number, p, key));
    }
    if rejected.is_empty() || opts.skip_invalid {
        // Everything was settled in memory, in the file's order: write the end state.
        let new_set: HashSet<Uuid> = new_invoices.iter().copied().collect();
        let mut created: Vec<&Invoice> = known.values().filter(|i| new_set.contains(&i.id)).collect();
        created.sort_by(|a, b| a.number.cmp(&b.number));
        let rows: Vec<InvoiceRow> = created.iter().map(|i| InvoiceRow::from_invoice(i)).collect();
        for chunk in rows.chunks(5_000) {
            store::insert(&mut w.conn(), chunk).await?;
        }
        store::insert_credit_notes(&mut w.conn(), &credit_rows).await?;
        let mut pay_rows = Vec::with_capacity(to_pay.len());
        let mut parts = Vec::with_capacity(to_pay.len());
        for (number, p, key) in &to_pay {
            let Some(inv) = known.get(number) else { continue };
            let payment_id = bilan_db::new_id();
            pay_rows.push(PaymentRow {
                id: payment_id,
                workspace_id: ws,
                account_id: inv.account_id,
                paid_on: p.paid_on,
                amount_minor: p.amount.minor,
                currency: p.amount.currency.as_str().to_owned(),
                reference: p.reference.clone(),
                dedup_key: key.clone(),
                unallocated_minor: 0,
                source: "csv".to_owned(),
                created_at: now,
            });
            parts.push(AllocationRow {
                id: bilan_db::new_id(),
                workspace_id: ws,
                payment_id,
                invoice_id: inv.id,
                amount_minor: p.amount.minor,
            });
        }
        store::insert_payments(&mut w.conn(), &pay_rows, &parts).await?;
        for inv in &created {
            w.audit_created(*inv);
            if let Some(s) = inv.sent_on {
                w.raise(super::invoice_event(EventKind::InvoiceSent, inv, s, now));
            }
        }
        let mut changed: Vec<&String> = touched.iter().filter(|n| stored.contains(*n)).collect();
        changed.sort();
        for number in changed {
            let (Some(before), Some(after)) = (before_file.get(number), known.get(number)) else {
                continue;
            };
            let mut after = after.clone();
            after.updated_at = now;
            if !store::update(&mut w.conn(), &after, before.version).await? {
                return Err(AppError::Stale {
                    current_version: before.version + 1,
                });
            }
            w.audit_updated(before, &after);
            report.updated += 1;
        }
        // Paid in full by this file: `invoice_paid`, dated the day of the last payment.
        for inv in known.values() {
            let was_settled = before_file.get(&inv.number).is_some_and(|b| b.settled_on.is_some());
            if let (false, Some(on)) = (was_settled, inv.settled_on) {
                if inv.paid_minor > 0 && inv.credited_minor < inv.amount_incl_tax.minor {
                    w.raise(super::invoice_event(EventKind::InvoicePaid, inv, on, now));
                }
            }
        }
        w.flush_audit().await?;
        w.flush_events().await?;
    }
    finish(
        app,
        w,
        opts,
        &mut report,
        rejected,
        &["invoices", "payments", "payment_allocations", "credit_notes"],
    )
    .await?;
    tracing::info!(
        user.id = %actor.user_id, created = report.created, updated = report.updated,
        rejected = report.rejected_lines(), committed = report.committed, "invoices import"
    );
    Ok(report)
}

/// Forgets the invoice a refused line would have created.
fn undo_line(
    line: usize,
    created_on_line: &mut HashMap<usize, String>,
    known: &mut HashMap<String, Invoice>,
    new_invoices: &mut Vec<Uuid>,
    report: &mut ImportReport,
) {
    if let Some(number) = created_on_line.remove(&line) {
        if let Some(inv) = known.remove(&number) {
            new_invoices.retain(|id| *id != inv.id);
            report.created -= 1;
        }
    }
}

fn line_error(line: usize, mapping: &Mapping, field: &str, code: &str) -> RejectedLine {
    reject(line, mapping.column_for(field), code, format::message(code))
}

fn rename(e: bilan_domain::ValidationErrors, map: &[(&str, &str)]) -> bilan_domain::ValidationErrors {
    let mut out = bilan_domain::ValidationErrors::new();
    for f in e.0 {
        let field = map
            .iter()
            .find(|(a, _)| *a == f.field)
            .map_or(f.field.as_str(), |(_, b)| *b);
        out.add(field, &f.code);
    }
    out
}

/// What an electronic invoice came to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EinvoiceReport {
    /// `cii` or `ubl`.
    pub syntax: &'static str,
    /// Whether the file was a Factur-X PDF.
    pub from_pdf: bool,
    /// `invoice` or `credit_note`.
    pub kind: &'static str,
    /// The invoice created (or corrected by the credit note).
    pub invoice_id: Uuid,
    /// Its number.
    pub number: String,
    /// False when the invoice (or credit note) was already there: nothing was written.
    pub created: bool,
}

/// Imports one electronic invoice: a Factur-X PDF, or CII / UBL XML. Its buyer is
/// found among the accounts by SIREN, VAT number or exact name, unless `account`
/// is given.
pub async fn import_einvoice(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    account: Option<Uuid>,
) -> AppResult<EinvoiceReport> {
    actor.require(Permission::WriteInvoices)?;
    let from_pdf = is_pdf(bytes);
    let xml = if from_pdf {
        extract_xml(bytes).map_err(|p| AppError::field("file", p.code()))?
    } else {
        bytes.to_vec()
    };
    let read: ReadInvoice = einvoice::read(&xml)?;
    let syntax = match read.syntax {
        Some(einvoice::Syntax::Ubl) => "ubl",
        _ => "cii",
    };
    let ws = actor.workspace_id;
    let account = match account {
        Some(a) => a,
        None => {
            let mut refs: Vec<String> = Vec::new();
            refs.extend(read.buyer_legal_id.clone());
            if let Some(v) = &read.buyer_vat {
                // A French VAT number carries the SIREN in its last nine digits.
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                if v.starts_with("FR") && digits.len() == 11 {
                    refs.push(digits[2..].to_owned());
                }
            }
            refs.extend(read.buyer_name.clone());
            let mut pc = app.db.acquire().await?;
            let index = AccountIndex::load(&mut pc.conn(), ws, &[], &refs).await?;
            index
                .resolve(None, &refs)
                .map_err(|code| AppError::field("buyer", if code == "required" { "account.unknown" } else { code }))?
        }
    };
    if read.credit_note {
        let Some(invoice_ref) = read.invoice_ref.clone() else {
            return Err(AppError::field("invoice_ref", "einvoice.credit_note_without_invoice"));
        };
        let inv = {
            let mut pc = app.db.acquire().await?;
            store::by_numbers(&mut pc.conn(), ws, std::slice::from_ref(&invoice_ref))
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| AppError::field("invoice_ref", "invoice.unknown"))?
        };
        if inv.account_id != account {
            return Err(AppError::field("invoice_ref", "invoice.other_account"));
        }
        let number = read.invoice.number.clone().unwrap_or_default();
        let exists = {
            let mut pc = app.db.acquire().await?;
            !store::existing_credit_notes(&mut pc.conn(), ws, std::slice::from_ref(&number))
                .await?
                .is_empty()
        };
        if !exists {
            super::add_credit_note(
                app,
                actor,
                inv.id,
                &bilan_domain::invoices::payment::CreditNoteInput {
                    number: read.invoice.number.clone(),
                    issued_on: read.invoice.issued_on.clone(),
                    amount_excl_tax: read.invoice.amount_excl_tax.clone(),
                    amount_incl_tax: read.invoice.amount_incl_tax.clone(),
                },
            )
            .await?;
        }
        return Ok(EinvoiceReport {
            syntax,
            from_pdf,
            kind: "credit_note",
            invoice_id: inv.id,
            number,
            created: !exists,
        });
    }
    let number = read.invoice.number.clone().unwrap_or_default();
    let existing = {
        let mut pc = app.db.acquire().await?;
        store::by_numbers(&mut pc.conn(), ws, std::slice::from_ref(&number))
            .await?
            .into_iter()
            .next()
    };
    if let Some(inv) = existing {
        if inv.account_id != account {
            return Err(AppError::field("number", "invoice.number_taken"));
        }
        return Ok(EinvoiceReport {
            syntax,
            from_pdf,
            kind: "invoice",
            invoice_id: inv.id,
            number,
            created: false,
        });
    }
    let inv = super::create_invoice(
        app,
        actor,
        &NewInvoiceInput {
            account_id: Some(account.to_string()),
            invoice: read.invoice.clone(),
            sent_on: None,
        },
        if from_pdf { "facturx" } else { syntax },
    )
    .await?;
    Ok(EinvoiceReport {
        syntax,
        from_pdf,
        kind: "invoice",
        invoice_id: inv.id,
        number,
        created: true,
    })
}
