//! The demo's invoices: two years of them per account up to the timeline's "now",
//! with payments whose lateness depends on the segment (large companies pay later,
//! micro-companies sooner or not at all), a few partial payments and credit notes,
//! some invoices assigned to a factor, reminders already sent along the default
//! plans, complaints about invoices linked to an open invoice, and the ECB reference
//! rates of the period.

use super::{demo_id, generate_account, mix64, timeline_now, Chunk, Plan, Rng, SEED};
use crate::{App, AppResult};
use bilan_db::invoices::{
    self as store, AllocationRow, CreditNoteRow, FactorRow, InvoiceRow, PaymentRow, RateRow, ReminderRow,
};
use bilan_domain::invoices::dunning::{next_date, InvoiceState};
use bilan_domain::invoices::invoice::open_minor;
use bilan_domain::invoices::plan::{default_plan, DEFAULT_SEGMENT};
use bilan_domain::invoices::terms::{Eom45Method, PaymentTerms};
use bilan_domain::timeline::local_day;
use chrono::{Duration, NaiveDate};
use std::ops::Range;

const ID_INVOICE: u64 = 11;
const ID_PAYMENT: u64 = 12;
const ID_ALLOCATION: u64 = 13;
const ID_CREDIT: u64 = 14;
const ID_REMINDER: u64 = 15;

/// The ECB main refinancing rate in force on each half-year's first day.
const ECB_RATES: [(i64, i64, &str); 6] = [
    (2024, 1, "4.5"),
    (2024, 2, "4.25"),
    (2025, 1, "3.15"),
    (2025, 2, "2.15"),
    (2026, 1, "2.15"),
    (2026, 2, "2.15"),
];

/// What a range of accounts gives.
#[derive(Default)]
struct Rows {
    invoices: Vec<InvoiceRow>,
    payments: Vec<PaymentRow>,
    allocations: Vec<AllocationRow>,
    credit_notes: Vec<CreditNoteRow>,
    reminders: Vec<ReminderRow>,
}

/// Days after the due date an invoice of this segment is paid (0: on time).
fn lateness(rng: &mut Rng, size: Option<&str>) -> i64 {
    let (on_time, slow) = match size {
        Some("large") => (0.35, 0.2),
        Some("intermediate") => (0.5, 0.12),
        Some("micro") => (0.6, 0.15),
        _ => (0.6, 0.08),
    };
    if rng.chance(on_time) {
        -(rng.below(8) as i64)
    } else if rng.chance(slow) {
        30 + rng.below(90) as i64
    } else {
        1 + rng.below(29) as i64
    }
}

fn generate(plan: &Plan, range: Range<usize>, factor: uuid::Uuid) -> Rows {
    let today = local_day(timeline_now());
    let mut out = Rows::default();
    for index in range {
        let mut rng = Rng::new(mix64(SEED ^ mix64(index as u64 ^ 0x1_4F01CE)));
        let mut scratch = Chunk::default();
        generate_account(plan, index, &mut scratch);
        let Some(account) = scratch.accounts.first() else {
            continue;
        };
        let size = account.size.as_deref();
        let (count, scale) = match size {
            Some("large") => (18 + rng.below(12), 8_000),
            Some("intermediate") => (10 + rng.below(10), 3_000),
            Some("micro") => (2 + rng.below(5), 400),
            _ => (6 + rng.below(10), 1_200),
        };
        let count = if index == 0 { 40 } else { count };
        let segment = size.unwrap_or(DEFAULT_SEGMENT);
        let steps = default_plan(segment).steps;
        for k in 0..count {
            let seq = ((index as u64) << 8) | k as u64;
            let issued_on = today - Duration::days(rng.below(730) as i64);
            let terms = match rng.below(20) {
                0..=11 => PaymentTerms::Days { days: 30 },
                12..=15 => PaymentTerms::Eom45 {
                    method: Eom45Method::ThenEndOfMonth,
                },
                16..=18 => PaymentTerms::Days { days: 60 },
                _ => PaymentTerms::Days { days: 90 },
            };
            let due_on = terms.due_on(issued_on, None);
            let excl = (scale as i64 / 4 + rng.below(scale * 2) as i64) * 100;
            let incl = excl * 12 / 10;
            let created = super::instant(issued_on, 8 * 3600);
            let id = demo_id(ID_INVOICE, seq, created);
            let number = format!("F{}-{index:06}-{k:02}", issued_on.format("%y%m"));
            let mut row = InvoiceRow {
                id,
                workspace_id: plan.workspace,
                account_id: account.id,
                number: number.clone(),
                issued_on,
                delivered_on: None,
                terms_kind: String::new(),
                terms_days: None,
                terms_method: None,
                due_on,
                terms_beyond_legal_max: terms.beyond_legal_max(issued_on, None),
                amount_excl_minor: excl,
                amount_incl_minor: incl,
                currency: "EUR".into(),
                vat_lines: None,
                paid_minor: 0,
                credited_minor: 0,
                open_minor: incl,
                settled_on: None,
                sent_on: Some(issued_on),
                factor_id: None,
                factored_on: None,
                source: "demo".into(),
                version: 1,
                created_at: created,
                updated_at: created,
            };
            match terms {
                PaymentTerms::Days { days } => {
                    row.terms_kind = "days".into();
                    row.terms_days = Some(i64::from(days));
                }
                PaymentTerms::Eom45 { method } => {
                    row.terms_kind = "eom45".into();
                    row.terms_method = Some(method.code().into());
                }
                _ => row.terms_kind = "not_agreed".into(),
            }
            if size == Some("intermediate") && rng.chance(0.05) {
                row.factor_id = Some(factor);
                row.factored_on = Some(issued_on + Duration::days(2));
            }
            // A credit note on a few invoices.
            if rng.chance(0.03) {
                let credit = incl / 10;
                let on = issued_on + Duration::days(5 + rng.below(20) as i64);
                if on <= today {
                    row.credited_minor = credit;
                    out.credit_notes.push(CreditNoteRow {
                        id: demo_id(ID_CREDIT, seq, super::instant(on, 9 * 3600)),
                        workspace_id: plan.workspace,
                        account_id: account.id,
                        invoice_id: Some(id),
                        number: format!("AV-{number}"),
                        issued_on: on,
                        amount_excl_minor: credit * 10 / 12,
                        amount_incl_minor: credit,
                        currency: "EUR".into(),
                        source: "demo".into(),
                        created_at: super::instant(on, 9 * 3600),
                    });
                }
            }
            let owed = incl - row.credited_minor;
            let paid_on = due_on + Duration::days(lateness(&mut rng, size));
            let paid_on = paid_on.max(issued_on + Duration::days(1));
            let pay = |on: NaiveDate, amount: i64, n: u64, out: &mut Rows| {
                let at = super::instant(on, 11 * 3600);
                let pid = demo_id(ID_PAYMENT, (seq << 2) | n, at);
                out.payments.push(PaymentRow {
                    id: pid,
                    workspace_id: plan.workspace,
                    account_id: account.id,
                    paid_on: on,
                    amount_minor: amount,
                    currency: "EUR".into(),
                    reference: Some(format!("VIR-{}-{seq:x}-{n}", on.format("%Y%m%d"))),
                    dedup_key: format!("ref:VIR-{}-{seq:x}-{n}", on.format("%Y%m%d")),
                    unallocated_minor: 0,
                    source: "demo".into(),
                    created_at: at,
                });
                out.allocations.push(AllocationRow {
                    id: demo_id(ID_ALLOCATION, (seq << 2) | n, at),
                    workspace_id: plan.workspace,
                    payment_id: pid,
                    invoice_id: id,
                    amount_minor: amount,
                });
            };
            if paid_on <= today {
                if rng.chance(0.06) && paid_on - Duration::days(15) > issued_on {
                    // Paid in two halves.
                    let half = owed / 2;
                    pay(paid_on - Duration::days(15), half, 0, &mut out);
                    pay(paid_on, owed - half, 1, &mut out);
                } else {
                    pay(paid_on, owed, 0, &mut out);
                }
                row.paid_minor = owed;
                row.settled_on = Some(paid_on);
            } else if rng.chance(0.1) && due_on < today {
                // A partial payment on an invoice still open.
                let on = (due_on + Duration::days(3)).min(today);
                pay(on, owed / 3, 0, &mut out);
                row.paid_minor = owed / 3;
            }
            row.open_minor = open_minor(incl, row.paid_minor, row.credited_minor);
            // Reminders already sent (up to yesterday) by the segment's plan.
            if row.factor_id.is_none() {
                let until = row.settled_on.unwrap_or(today).min(today - Duration::days(1));
                let mut st = InvoiceState {
                    due_on,
                    paid: false,
                    credited: false,
                    factored: false,
                    disputed: false,
                    sent: Vec::new(),
                    last_sent_on: None,
                };
                while let Some((i, on)) = next_date(&steps, &st) {
                    if on > until {
                        break;
                    }
                    let at = super::instant(on, 7 * 3600);
                    out.reminders.push(ReminderRow {
                        id: demo_id(ID_REMINDER, (seq << 4) | i as u64, at),
                        workspace_id: plan.workspace,
                        invoice_id: id,
                        step_index: i as i64,
                        kind: "reminder".into(),
                        channel: steps[i].channel.code().into(),
                        tone: steps[i].tone.code().into(),
                        sent_on: on,
                        contact_id: None,
                        interaction_id: None,
                        with_late_charges: steps[i].tone.is_firm(),
                        created_at: at,
                    });
                    st.sent.push(i);
                    st.last_sent_on = Some(on);
                }
            }
            out.invoices.push(row);
        }
    }
    out
}

/// Writes the demo's invoices, payments, credit notes, reminders, factor and
/// rates; links open complaints about invoices to an open invoice of their
/// account. Returns how many invoices.
pub(super) async fn write(app: &App, plan: &std::sync::Arc<Plan>) -> AppResult<usize> {
    let ws = plan.workspace;
    let now = timeline_now();
    let factor = FactorRow {
        id: demo_id(ID_INVOICE, u64::MAX >> 8, now),
        workspace_id: ws,
        name: "BNP Paribas Factor".into(),
        email: Some("gestion@factor.example".into()),
        phone: Some("+33 1 40 14 00 00".into()),
        details: Some(
            "Réglez à BNP Paribas Factor, IBAN FR76 3000 4000 0000 0000 0000 000, en rappelant le numéro de facture."
                .into(),
        ),
        created_at: now,
    };
    {
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        store::insert_factors(&mut c, std::slice::from_ref(&factor)).await?;
        for (year, half, rate) in ECB_RATES {
            store::save_rate(
                &mut c,
                &RateRow {
                    id: demo_id(ID_INVOICE, (u64::MAX >> 9) - (year as u64 * 2 + half as u64), now),
                    workspace_id: ws,
                    year,
                    half,
                    rate: rate.into(),
                    updated_at: now,
                },
            )
            .await?;
        }
        tx.commit().await?;
    }
    let step = 2_000;
    let mut total = 0;
    let mut start = 0;
    // Generating the next range while the previous one is written keeps both cores busy.
    let spawn = |range: Range<usize>| {
        let p = std::sync::Arc::clone(plan);
        tokio::task::spawn_blocking(move || generate(&p, range, factor.id))
    };
    let mut pending = Some(spawn(0..step.min(plan.accounts)));
    while let Some(handle) = pending.take() {
        let rows = handle
            .await
            .map_err(|e| crate::AppError::Internal(format!("demo invoices generation failed: {e}")))?;
        start += step;
        if start < plan.accounts {
            pending = Some(spawn(start..(start + step).min(plan.accounts)));
        }
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        store::insert(&mut c, &rows.invoices).await?;
        store::insert_credit_notes(&mut c, &rows.credit_notes).await?;
        store::insert_payments(&mut c, &rows.payments, &rows.allocations).await?;
        store::insert_reminders(&mut c, &rows.reminders).await?;
        tx.commit().await?;
        total += rows.invoices.len();
    }
    let mut tx = app.db.begin().await?;
    store::link_open_invoice_complaints(&mut tx.conn(), ws).await?;
    tx.commit().await?;
    Ok(total)
}
