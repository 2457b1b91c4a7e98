//! The words of payment reminders: humane, in French and English, from a helping
//! hand ("if anything is wrong with this invoice, tell us") to firm, personalised
//! with the invoice, the amount and the contact's name. Workspaces may write their
//! own, with the same placeholders; a firm step can add the amounts owed for paying
//! late (`{late_payment}`), written by [`late_payment_paragraph`].

use super::dunning::Tone;
pub use crate::complaint_letters::LetterTemplate;

/// The placeholders a reminder may use.
pub const PLACEHOLDERS: [&str; 12] = [
    "contact_name",
    "account",
    "company",
    "invoice",
    "issued_on",
    "due_on",
    "amount",
    "days_late",
    "interest",
    "indemnity",
    "late_payment",
    "owner",
];

/// The template Bilan ships for a reminder in `tone` and `lang` (`fr` or `en`).
pub fn default_template(tone: Tone, lang: &str) -> LetterTemplate {
    let (subject, body) = match (tone, lang) {
        (Tone::Helping, "en") => (
            "Invoice {invoice}: all in order on your side?",
            "Dear {contact_name},\n\nOur invoice {invoice} of {issued_on}, {amount}, was due on {due_on} and we have not received its payment yet. It may simply be on its way.\n\nIf anything is wrong with this invoice — an amount, a delivery, a missing purchase order number — tell us by replying to this e-mail and we will put it right.\n\nKind regards,\n{owner}\n{company}",
        ),
        (Tone::Helping, _) => (
            "Facture {invoice} : tout est en ordre de votre côté ?",
            "Bonjour {contact_name},\n\nNotre facture {invoice} du {issued_on}, d'un montant de {amount}, arrivait à échéance le {due_on} et nous n'en avons pas encore reçu le règlement. Il est peut-être simplement en route.\n\nSi quelque chose ne va pas avec cette facture — un montant, une livraison, un numéro de commande manquant —, dites-le-nous en répondant à ce message : nous corrigerons.\n\nBien cordialement,\n{owner}\n{company}",
        ),
        (Tone::Reminder, "en") => (
            "Reminder: invoice {invoice}, {amount}",
            "Dear {contact_name},\n\nUnless we are mistaken, invoice {invoice} of {issued_on} ({amount}, due on {due_on}) is still unpaid, {days_late} days after its due date.\n\nCould you let us know when it will be paid? If it has been paid in the meantime, please ignore this message.\n\nKind regards,\n{owner}\n{company}",
        ),
        (Tone::Reminder, _) => (
            "Rappel : facture {invoice}, {amount}",
            "Bonjour {contact_name},\n\nSauf erreur de notre part, la facture {invoice} du {issued_on} ({amount}, échue le {due_on}) reste impayée {days_late} jours après son échéance.\n\nPouvez-vous nous indiquer sa date de règlement ? S'il est intervenu entre-temps, ne tenez pas compte de ce message.\n\nBien cordialement,\n{owner}\n{company}",
        ),
        (Tone::Firm, "en") => (
            "Invoice {invoice} overdue by {days_late} days",
            "Dear {contact_name},\n\nDespite our reminders, invoice {invoice} of {issued_on} ({amount}, due on {due_on}) remains unpaid, {days_late} days after its due date.\n\n{late_payment}\n\nWe ask you to settle it within eight days. We remain available to discuss it.\n\nRegards,\n{owner}\n{company}",
        ),
        (Tone::Firm, _) => (
            "Facture {invoice} en retard de {days_late} jours",
            "Bonjour {contact_name},\n\nMalgré nos relances, la facture {invoice} du {issued_on} ({amount}, échue le {due_on}) reste impayée {days_late} jours après son échéance.\n\n{late_payment}\n\nNous vous demandons de la régler sous huit jours. Nous restons à votre disposition pour en parler.\n\nCordialement,\n{owner}\n{company}",
        ),
        (Tone::Final, "en") => (
            "Final notice: invoice {invoice}",
            "Dear {contact_name},\n\nInvoice {invoice} of {issued_on} ({amount}, due on {due_on}) is still unpaid {days_late} days after its due date, despite our previous letters.\n\n{late_payment}\n\nWithout payment within eight days of this notice, we will have to pursue recovery by other means. We would much rather settle this with you: call us.\n\nRegards,\n{owner}\n{company}",
        ),
        (Tone::Final, _) => (
            "Mise en demeure : facture {invoice}",
            "Bonjour {contact_name},\n\nLa facture {invoice} du {issued_on} ({amount}, échue le {due_on}) reste impayée {days_late} jours après son échéance, malgré nos précédents courriers.\n\n{late_payment}\n\nSans règlement sous huit jours à compter de la présente, nous devrons engager le recouvrement par d'autres voies. Nous préférerions de loin régler cela avec vous : appelez-nous.\n\nCordialement,\n{owner}\n{company}",
        ),
    };
    LetterTemplate {
        subject: subject.to_owned(),
        body: body.to_owned(),
    }
}

/// The paragraph naming the amounts owed for paying late (Code de commerce
/// L441-10), amounts already written for the reader (`12,40 €`).
pub fn late_payment_paragraph(lang: &str, interest: &str, indemnity: &str) -> String {
    match lang {
        "en" => format!(
            "As the law provides, late payment incurs interest, {interest} to date, and a fixed recovery indemnity of {indemnity}."
        ),
        _ => format!(
            "Conformément à la loi, ce retard entraîne des intérêts de retard, {interest} à ce jour, et une indemnité forfaitaire pour frais de recouvrement de {indemnity}."
        ),
    }
}

/// The placeholders of `text` a reminder may not use.
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    crate::templates::unknown(text, &PLACEHOLDERS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tone_in_both_languages_uses_known_placeholders() {
        for tone in [Tone::Helping, Tone::Reminder, Tone::Firm, Tone::Final] {
            for lang in ["fr", "en"] {
                let t = default_template(tone, lang);
                assert!(unknown_placeholders(&t.subject).is_empty(), "{tone:?} {lang}");
                assert!(unknown_placeholders(&t.body).is_empty(), "{tone:?} {lang}");
                assert!(t.body.contains("{invoice}") && t.body.contains("{amount}"));
            }
        }
        // The helping hand asks whether something is wrong before asking to pay.
        assert!(default_template(Tone::Helping, "fr")
            .body
            .contains("Si quelque chose ne va pas"));
        assert!(!default_template(Tone::Helping, "fr").body.contains("{late_payment}"));
    }

    #[test]
    fn a_firm_reminder_filled_in() {
        let t = default_template(Tone::Firm, "fr");
        let paragraph = late_payment_paragraph("fr", "12,40\u{a0}€", "40,00\u{a0}€");
        let value = |k: &str| -> Option<&str> {
            Some(match k {
                "contact_name" => "Claire Martin",
                "invoice" => "F-2026-0118",
                "issued_on" => "15 janvier 2026",
                "due_on" => "31 mars 2026",
                "amount" => "1\u{202f}200,00\u{a0}€",
                "days_late" => "40",
                "late_payment" => paragraph.as_str(),
                "owner" => "Julien Moreau",
                "company" => "Bilan Démo",
                _ => return None,
            })
        };
        let body = crate::templates::fill(&t.body, value);
        assert!(body.starts_with("Bonjour Claire Martin,"));
        assert!(body.contains("F-2026-0118 du 15 janvier 2026"));
        assert!(body.contains("12,40\u{a0}€ à ce jour"));
        assert!(!body.contains('{'), "{body}");
        let without = crate::templates::fill(&t.body, |k| if k == "late_payment" { Some("") } else { value(k) });
        assert!(!without.contains("\n\n\n"), "no gap without the amounts");
    }
}
