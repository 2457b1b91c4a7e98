//! Invoices files, as French accounting programs export them (Sage, Cegid, EBP,
//! Pennylane, QuickBooks…): one line per invoice or credit note (« avoir »), with
//! its account, dates, terms and amounts, and optionally what was paid and when.
//! A credit note is a line whose type says so, or whose amounts are negative.

use super::{account_columns, build_table, duplicate, parse_file, rejections, Cells, ImportKind};
use super::{Mapping, ParseOptions, ParsedFile, RejectedLine, SeenKeys};
use crate::invoices::invoice::{InvoiceInput, NewInvoice};
use crate::invoices::payment::{CreditNoteInput, PaymentInput};
use crate::money::parse_amount;
use crate::search::normalize;
use crate::validation::ValidationErrors;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Fields an invoices file may fill.
#[rustfmt::skip]
pub const INVOICE_FIELDS: [&str; 16] = [
    "number", "kind", "account_id", "account_ref", "issued_on", "delivered_on", "due_on",
    "terms", "amount_excl_tax", "amount_incl_tax", "currency", "paid_amount", "paid_on", "payment_reference",
    "invoice_ref", "sent_on",
];

#[rustfmt::skip]
pub(crate) const ALIASES: &[(&str, &[&str])] = &[
    ("number", &[
        "numero", "numero de facture", "n facture", "no facture", "num facture", "facture", "invoice",
        "invoice number", "invoice no", "piece", "numero de piece", "n piece", "document number", "reference facture",
    ]),
    ("kind", &["type", "type de piece", "type de document", "document type", "nature", "sens"]),
    ("account_id", &["id du compte", "account uuid"]),
    ("account_ref", &[
        "client", "nom du client", "customer", "customer name", "compte", "account", "account name", "societe",
        "raison sociale", "code client", "compte client", "compte tiers", "tiers", "siren", "siret",
        "reference client", "company",
    ]),
    ("issued_on", &[
        "date", "date de facture", "date facture", "date de la facture", "invoice date", "date d emission",
        "issue date", "date de piece", "date piece",
    ]),
    ("delivered_on", &["date de livraison", "delivery date", "livraison", "date de prestation", "service date"]),
    ("due_on", &["echeance", "date d echeance", "date echeance", "due date", "payment due date", "a regler le"]),
    ("terms", &[
        "conditions de paiement", "conditions de reglement", "delai de paiement", "delai de reglement",
        "payment terms", "mode de reglement",
    ]),
    ("amount_excl_tax", &[
        "montant ht", "total ht", "ht", "net", "amount excluding tax", "net amount", "subtotal",
        "base ht",
    ]),
    ("amount_incl_tax", &[
        "montant ttc", "total ttc", "ttc", "montant", "amount", "total", "amount including tax",
        "gross amount", "total amount", "net a payer",
    ]),
    ("currency", &["devise", "monnaie", "currency code"]),
    ("paid_amount", &[
        "montant regle", "regle", "montant paye", "paye", "paid", "amount paid", "reglement",
        "montant du reglement", "encaisse", "montant encaisse",
    ]),
    ("paid_on", &[
        "date de reglement", "date reglement", "regle le", "paye le", "date de paiement", "payment date",
        "date d encaissement", "encaisse le",
    ]),
    ("payment_reference", &[
        "reference du reglement", "reference reglement", "reference de paiement",
        "reference bancaire", "n de remise", "numero de remise", "libelle bancaire",
    ]),
    ("invoice_ref", &[
        "facture d origine", "facture origine", "facture liee", "facture concernee", "invoice reference",
        "original invoice", "applies to", "avoir sur facture",
    ]),
    ("sent_on", &["date d envoi", "envoyee le", "sent date", "date of sending"]),
];

/// Header recognition table of invoices files.
pub(crate) static TABLE: LazyLock<HashMap<String, &'static str>> =
    LazyLock::new(|| build_table(&INVOICE_FIELDS, ALIASES));

/// Prefixes accounting exports put before columns ("Facture - Date").
pub(crate) const PREFIXES: &[&str] = &["facture", "invoice", "piece"];

/// What a line stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceLineKind {
    /// An invoice (with, maybe, its payment).
    Invoice(NewInvoice),
    /// A credit note on the invoice numbered `invoice_ref`.
    CreditNote {
        /// The credit note as typed (checked once its invoice is found).
        input: CreditNoteInput,
        /// The invoice's number.
        invoice_ref: String,
    },
}

/// A payment read from a line, checked once its invoice's currency is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePayment {
    /// As typed.
    pub input: PaymentInput,
}

/// One valid line; the use case resolves its account and writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// Physical line number.
    pub line: usize,
    /// The invoice's number (for a credit note, the credit note's).
    pub number: String,
    /// What it is.
    pub kind: InvoiceLineKind,
    /// A Bilan account id, if the file gave one.
    pub account_id: Option<String>,
    /// Values naming the account, best first.
    pub account_refs: Vec<String>,
    /// The payment on the line.
    pub payment: Option<LinePayment>,
    /// The day it was sent.
    pub sent_on: Option<NaiveDate>,
}

fn is_credit_note(kind: Option<&str>, incl: Option<&str>) -> bool {
    if let Some(k) = kind {
        let k = normalize(k);
        if ["avoir", "credit note", "credit", "avoir client", "av", "cn", "381"]
            .iter()
            .any(|x| k == *x)
        {
            return true;
        }
    }
    incl.and_then(parse_amount)
        .is_some_and(|d| d.is_sign_negative() && !d.is_zero())
}

fn abs_text(raw: Option<&str>) -> Option<String> {
    raw.map(|v| v.trim().trim_start_matches('-').trim().to_owned())
}

/// Reads an invoices file; a number twice in the file is refused.
pub fn parse_invoices(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedFile<InvoiceLine>, ValidationErrors> {
    let mut seen = SeenKeys::default();
    parse_file(bytes, ImportKind::Invoices, opts, |mapping, line, fields| {
        let cells = Cells::new(mapping, fields);
        parse_line(mapping, line, &cells, opts.account_given, &mut seen)
    })
}

fn parse_line(
    mapping: &Mapping,
    line: usize,
    cells: &Cells<'_>,
    account_given: bool,
    seen: &mut SeenKeys,
) -> Result<InvoiceLine, Vec<RejectedLine>> {
    let text = |f: &str| cells.first(f).map(str::to_owned);
    let mut e = ValidationErrors::new();
    let (account_id, account_refs) = account_columns(cells);
    if account_id.is_none() && account_refs.is_empty() && !account_given {
        e.add("account_ref", "required");
    }
    let credit = is_credit_note(cells.first("kind"), cells.first("amount_incl_tax"));
    let number = text("number").unwrap_or_default();
    let kind = if credit {
        let invoice_ref = text("invoice_ref").unwrap_or_default();
        if invoice_ref.is_empty() {
            e.add("invoice_ref", "required");
        }
        if number.is_empty() {
            e.add("number", "required");
        }
        InvoiceLineKind::CreditNote {
            input: CreditNoteInput {
                number: text("number"),
                issued_on: text("issued_on"),
                amount_excl_tax: abs_text(cells.first("amount_excl_tax")),
                amount_incl_tax: abs_text(cells.first("amount_incl_tax")),
            },
            invoice_ref,
        }
    } else {
        let input = InvoiceInput {
            number: text("number"),
            issued_on: text("issued_on"),
            delivered_on: text("delivered_on"),
            terms: text("terms"),
            due_on: text("due_on"),
            // Exports of receivables often carry only the amount due (TTC): without
            // the amount before VAT, the invoice is recorded without VAT.
            amount_excl_tax: text("amount_excl_tax").or_else(|| text("amount_incl_tax")),
            amount_incl_tax: text("amount_incl_tax"),
            currency: text("currency"),
            structured_terms: None,
        };
        match input.validate() {
            Ok(n) => InvoiceLineKind::Invoice(n),
            Err(v) => {
                e.0.extend(v.0);
                return Err(rejections(line, mapping, &e));
            }
        }
    };
    let payment = match (cells.first("paid_amount"), cells.first("paid_on")) {
        (None, None) => None,
        (Some(a), paid_on) if parse_amount(a).is_some_and(|d| d.is_zero()) && paid_on.is_none() => None,
        (amount, paid_on) => {
            if credit {
                e.add("paid_amount", "import.payment_on_credit_note");
            }
            Some(LinePayment {
                input: PaymentInput {
                    paid_on: paid_on.map(str::to_owned),
                    amount: amount.map(str::to_owned),
                    reference: text("payment_reference"),
                },
            })
        }
    };
    let sent_on = match cells.first("sent_on") {
        None => None,
        Some(v) => {
            let d = crate::accounts::parse_date(v);
            if d.is_none() {
                e.add("sent_on", "date.invalid");
            }
            d
        }
    };
    if !e.is_empty() {
        return Err(rejections(line, mapping, &e));
    }
    let key = if credit {
        format!("avoir:{number}")
    } else {
        number.clone()
    };
    if let Some(earlier) = seen.first_seen("number", &key, line) {
        return Err(vec![duplicate(line, mapping.column_for("number"), "number", earlier)]);
    }
    Ok(InvoiceLine {
        line,
        number,
        kind,
        account_id,
        account_refs,
        payment,
        sent_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(csv: &str) -> (Vec<InvoiceLine>, Vec<RejectedLine>) {
        let p = parse_invoices(csv.as_bytes(), &ParseOptions::default()).unwrap();
        (p.lines, p.rejected)
    }

    #[test]
    fn a_french_accounting_export() {
        let csv = "N° facture;Client;Date facture;Échéance;Montant HT;Montant TTC;Réglé le;Montant réglé\n\
                   FA-001;Delméo;15/01/2026;15/03/2026;1 000,00;1 200,00;20/03/2026;1 200,00\n\
                   FA-002;Delméo;20/01/2026;;500,00;600,00;;\n\
                   AV-001;Delméo;25/01/2026;;-100,00;-120,00;;\n\
                   FA-001;Delméo;15/01/2026;;1,00;1,20;;\n\
                   FA-003;;32/01/2026;;abc;600,00;;\n";
        let (lines, rejected) = parse(csv);
        assert_eq!(lines.len(), 2, "{rejected:?}");
        let InvoiceLineKind::Invoice(first) = &lines[0].kind else {
            panic!("an invoice")
        };
        assert_eq!(first.amount_incl_tax.minor, 120_000);
        assert_eq!(first.due_on, NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
        assert!(lines[0].payment.is_some());
        assert_eq!(lines[0].account_refs, vec!["Delméo".to_owned()]);
        // The credit note without its invoice's number, the repeated number, the bad line.
        let codes: Vec<(usize, &str)> = rejected.iter().map(|r| (r.line, r.code.as_str())).collect();
        assert!(codes.contains(&(4, "required")), "{codes:?}");
        assert!(codes.contains(&(5, "line.duplicate")), "{codes:?}");
        assert!(codes.contains(&(6, "date.invalid")), "{codes:?}");
        assert!(codes.contains(&(6, "amount.invalid")), "{codes:?}");
        assert!(codes.contains(&(6, "required")), "the account is missing: {codes:?}");
    }

    #[test]
    fn credit_notes_by_type_or_sign() {
        let csv = "Type,Number,Customer,Invoice date,Total,Net,Original invoice\n\
                   Avoir,AV-9,Acme,2026-02-01,120.00,100.00,FA-1\n\
                   Invoice,FA-10,Acme,2026-02-01,-60.00,-50.00,FA-2\n";
        let (lines, rejected) = parse(csv);
        assert!(rejected.is_empty(), "{rejected:?}");
        for l in &lines {
            let InvoiceLineKind::CreditNote { input, invoice_ref } = &l.kind else {
                panic!("credit notes")
            };
            assert!(!invoice_ref.is_empty());
            assert!(!input.amount_incl_tax.as_deref().unwrap_or("").starts_with('-'));
        }
    }
}
