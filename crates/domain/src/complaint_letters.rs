//! The letters a complaint calls for — the acknowledgement of receipt and the
//! answer — in French and English, from templates each workspace may edit.
//!
//! A template is plain text with `{placeholders}`; an unknown placeholder is
//! refused when the template is saved, so a letter never goes out with a
//! `{typo}` in it. The answer to a consumer names the consumer mediator, as the
//! law asks (Code de la consommation L616-1).

use crate::validation::{required_text, ValidationErrors};
use serde::{Deserialize, Serialize};

/// Longest subject of a letter.
pub const SUBJECT_MAX: usize = 200;
/// Longest body of a letter.
pub const BODY_MAX: usize = 10_000;

/// Which letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// Acknowledgement of receipt (accusé de réception).
    Acknowledgement,
    /// The answer (réponse).
    Answer,
}

impl LetterKind {
    /// Both kinds.
    pub const ALL: [LetterKind; 2] = [LetterKind::Acknowledgement, LetterKind::Answer];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            LetterKind::Acknowledgement => "acknowledgement",
            LetterKind::Answer => "answer",
        }
    }

    /// Parses a code.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == raw.trim())
    }
}

/// A letter's template: subject and body with placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterTemplate {
    /// Subject line.
    pub subject: String,
    /// Body.
    pub body: String,
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 10] = [
    "reference",
    "contact_name",
    "account",
    "company",
    "received_on",
    "answer_by",
    "summary",
    "answer",
    "owner",
    "mediation",
];

/// The template Bilan ships for `kind` in `lang` (`fr` or `en`).
pub fn default_template(kind: LetterKind, lang: &str) -> LetterTemplate {
    let (subject, body) = match (kind, lang) {
        (LetterKind::Acknowledgement, "en") => (
            "Your complaint {reference}: we have received it",
            "Dear {contact_name},\n\nWe have received your complaint of {received_on} and thank you for taking the time to write to us.\n\nYour words, as we recorded them:\n{summary}\n\nYour complaint is registered under the reference {reference} and {owner} is looking after it. You will have our answer by {answer_by} at the latest.\n\nKind regards,\n{owner}\n{company}",
        ),
        (LetterKind::Acknowledgement, _) => (
            "Votre réclamation {reference} : nous l'avons bien reçue",
            "Bonjour {contact_name},\n\nNous avons bien reçu votre réclamation du {received_on} et vous remercions de nous l'avoir signalée.\n\nVos mots, tels que nous les avons notés :\n{summary}\n\nElle est enregistrée sous la référence {reference} et suivie par {owner}. Vous aurez notre réponse au plus tard le {answer_by}.\n\nBien cordialement,\n{owner}\n{company}",
        ),
        (LetterKind::Answer, "en") => (
            "Your complaint {reference}: our answer",
            "Dear {contact_name},\n\nFurther to your complaint of {received_on} (reference {reference}), here is our answer.\n\n{answer}\n\n{mediation}\n\nKind regards,\n{owner}\n{company}",
        ),
        (LetterKind::Answer, _) => (
            "Votre réclamation {reference} : notre réponse",
            "Bonjour {contact_name},\n\nSuite à votre réclamation du {received_on} (référence {reference}), voici notre réponse.\n\n{answer}\n\n{mediation}\n\nBien cordialement,\n{owner}\n{company}",
        ),
    };
    LetterTemplate {
        subject: subject.to_owned(),
        body: body.to_owned(),
    }
}

/// What fills a letter's placeholders, already written for its reader (dates in
/// their language).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterFacts {
    /// The case's reference.
    pub reference: String,
    /// The contact's name (or the account's, without a contact).
    pub contact_name: String,
    /// The client company.
    pub account: String,
    /// The supplier (the workspace).
    pub company: String,
    /// Receipt date, written out.
    pub received_on: String,
    /// Answer deadline, written out.
    pub answer_by: String,
    /// The client's words.
    pub summary: String,
    /// The answer's text (the step's reason).
    pub answer: String,
    /// Who handles the case.
    pub owner: String,
    /// For a consumer: how to reach the mediator; empty otherwise.
    pub mediation: String,
}

impl LetterFacts {
    fn value(&self, name: &str) -> Option<&str> {
        Some(match name {
            "reference" => &self.reference,
            "contact_name" => &self.contact_name,
            "account" => &self.account,
            "company" => &self.company,
            "received_on" => &self.received_on,
            "answer_by" => &self.answer_by,
            "summary" => &self.summary,
            "answer" => &self.answer,
            "owner" => &self.owner,
            "mediation" => &self.mediation,
            _ => return None,
        })
    }
}

/// The placeholders of `text` that Bilan does not know.
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    crate::templates::unknown(text, &PLACEHOLDERS)
}

/// Fills `text`'s placeholders. Blank lines left by an empty value collapse, so
/// a business's answer has no gap where a consumer's names the mediator.
pub fn fill(text: &str, facts: &LetterFacts) -> String {
    crate::templates::fill(text, |k| facts.value(k))
}

/// A template as typed in the settings form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateInput {
    /// Subject.
    pub subject: Option<String>,
    /// Body.
    pub body: Option<String>,
}

impl TemplateInput {
    /// Checks lengths and placeholders.
    pub fn validate(&self) -> Result<LetterTemplate, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let subject = required_text(&mut e, "subject", self.subject.as_deref(), SUBJECT_MAX);
        let body = required_text(&mut e, "body", self.body.as_deref(), BODY_MAX);
        if !unknown_placeholders(&subject).is_empty() {
            e.add("subject", "letter.unknown_placeholder");
        }
        if !unknown_placeholders(&body).is_empty() {
            e.add("body", "letter.unknown_placeholder");
        }
        e.into_result()?;
        Ok(LetterTemplate { subject, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> LetterFacts {
        LetterFacts {
            reference: "R-2026-0007".into(),
            contact_name: "Claire Martin".into(),
            account: "Danone".into(),
            company: "Bilan Démo".into(),
            received_on: "2 novembre 2026".into(),
            answer_by: "2 janvier 2027".into(),
            summary: "Trois palettes abîmées".into(),
            answer: "Nous vous adressons un avoir.".into(),
            owner: "Julie Petit".into(),
            mediation: String::new(),
        }
    }

    #[test]
    fn default_templates_use_known_placeholders_only() {
        for kind in LetterKind::ALL {
            for lang in ["fr", "en"] {
                let t = default_template(kind, lang);
                assert!(unknown_placeholders(&t.subject).is_empty());
                assert!(unknown_placeholders(&t.body).is_empty());
                let body = fill(&t.body, &facts());
                assert!(!body.contains('{'), "{kind:?} {lang}: {body}");
            }
        }
    }

    #[test]
    fn filling_keeps_unknown_braces_and_collapses_empty_lines() {
        let body = fill(&default_template(LetterKind::Answer, "fr").body, &facts());
        assert!(
            body.contains("Nous vous adressons un avoir.\n\nBien cordialement"),
            "{body}"
        );
        assert_eq!(fill("{x} {reference}", &facts()), "{x} R-2026-0007");
        assert_eq!(fill("a { b", &facts()), "a { b");
    }

    #[test]
    fn unknown_placeholders_are_refused() {
        assert_eq!(
            unknown_placeholders("Bonjour {nom}, {reference}"),
            vec!["nom".to_owned()]
        );
        let e = TemplateInput {
            subject: Some("Réf {reference}".into()),
            body: Some("Bonjour {contact}".into()),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("body").unwrap().code, "letter.unknown_placeholder");
        assert!(e.for_field("subject").is_none());
    }
}
