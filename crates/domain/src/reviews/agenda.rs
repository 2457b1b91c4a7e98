//! The agenda: a template per kind of review — round table first (each
//! attendee's satisfactions and irritants, as the seed's Delméo story does it),
//! then the year in figures, then the year ahead — edited as lines of text.

use super::ReviewKind;
use crate::validation::{text_fault, ValidationErrors};
use serde::{Deserialize, Serialize};

/// One point of the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    /// What is discussed.
    pub title: String,
    /// Minutes planned for it (0 when not said).
    pub minutes: u32,
}

/// The template of a kind of review: message keys (said in the minutes' language
/// when the review is planned) and minutes.
pub fn template(kind: ReviewKind) -> &'static [(&'static str, u32)] {
    match kind {
        ReviewKind::Annual => &[
            ("review.agenda.welcome", 5),
            ("review.agenda.round_table", 30),
            ("review.agenda.year_in_figures", 25),
            ("review.agenda.value_delivered", 10),
            ("review.agenda.complaints_invoices", 10),
            ("review.agenda.year_ahead", 25),
            ("review.agenda.action_plan", 15),
        ],
        ReviewKind::Checkpoint => &[
            ("review.agenda.round_table", 15),
            ("review.agenda.action_progress", 20),
            ("review.agenda.figures_since", 15),
            ("review.agenda.next_steps", 10),
        ],
        ReviewKind::Steering => &[
            ("review.agenda.year_in_figures", 20),
            ("review.agenda.risks", 20),
            ("review.agenda.decisions", 20),
            ("review.agenda.action_plan", 15),
        ],
    }
}

/// Longest agenda, in points.
pub const MAX_ITEMS: usize = 40;

/// Reads an agenda typed one point per line, its length optionally at the end
/// ("Tour de table — 30 min", "Year ahead (25 min)"); blank lines are skipped.
/// Errors name the line (`agenda` field, code `review.agenda_line_too_long`…).
pub fn parse(text: &str) -> Result<Vec<AgendaItem>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches(['-', '*', '•']).trim();
        if line.is_empty() {
            continue;
        }
        let field = format!("agenda[{}]", n + 1);
        if line.chars().count() > 200 {
            e.add(&field, "review.agenda_line_too_long");
            continue;
        }
        if let Some(code) = text_fault(line) {
            e.add(&field, code);
            continue;
        }
        items.push(split_minutes(line));
    }
    if items.len() > MAX_ITEMS {
        e.add("agenda", "review.agenda_too_long");
    }
    e.into_result()?;
    Ok(items)
}

/// Splits "Title — 30 min" into its title and minutes.
fn split_minutes(line: &str) -> AgendaItem {
    let s = line.trim_end_matches(')').trim_end();
    if let Some(rest) = strip_suffix_ignoring_case(s, "min").or_else(|| strip_suffix_ignoring_case(s, "mn")) {
        let rest = rest.trim_end();
        let start = rest.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let title = rest[..start]
            .trim_end()
            .trim_end_matches(['—', '–', '-', '(', ',', ':'])
            .trim_end();
        if let Ok(minutes) = rest[start..].parse::<u32>() {
            if !title.is_empty() && minutes <= 600 {
                return AgendaItem {
                    title: title.to_owned(),
                    minutes,
                };
            }
        }
    }
    AgendaItem {
        title: line.to_owned(),
        minutes: 0,
    }
}

fn strip_suffix_ignoring_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

/// The agenda as lines of text, as [`parse`] reads them back.
pub fn to_text(items: &[AgendaItem]) -> String {
    items
        .iter()
        .map(|i| {
            if i.minutes > 0 {
                format!("{} — {} min", i.title, i.minutes)
            } else {
                i.title.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Minutes planned in all.
pub fn total_minutes(items: &[AgendaItem]) -> u32 {
    items.iter().map(|i| i.minutes).sum()
}
