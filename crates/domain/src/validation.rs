//! Field-level validation errors shared by every input type.

use serde::Serialize;

/// One problem with one field of an input: `code` is a stable key that is also
/// the translation key of the message shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input field at fault, as named in forms, API bodies and CSV mappings.
    pub field: String,
    /// Stable error code, e.g. `siren.invalid_key`.
    pub code: String,
}

/// Every problem found in one input, so a form can show them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// An empty set of errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is wrong for the reason `code`.
    pub fn add(&mut self, field: &str, code: &str) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
        });
    }

    /// One error.
    pub fn single(field: &str, code: &str) -> Self {
        let mut e = Self::new();
        e.add(field, code);
        e
    }

    /// The code of the first error recorded for `field`, if any.
    pub fn code_of(&self, field: &str) -> Option<&str> {
        self.for_field(field).map(|e| e.code.as_str())
    }

    /// True when no error was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error recorded for `field`, if any.
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// `Ok(())` when empty, the errors otherwise.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.code)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// Trims a text input and turns an empty one into `None`.
pub fn clean(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// Checks a required text field and its maximum length in characters.
pub fn required_text(errors: &mut ValidationErrors, field: &str, value: Option<&str>, max: usize) -> String {
    match clean(value) {
        None => {
            errors.add(field, "required");
            String::new()
        }
        Some(v) => {
            check_length(errors, field, &v, max);
            v
        }
    }
}

/// Checks an optional text field's maximum length in characters.
pub fn optional_text(errors: &mut ValidationErrors, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    let v = clean(value)?;
    check_length(errors, field, &v, max);
    Some(v)
}

fn check_length(errors: &mut ValidationErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, "too_long");
    }
    if let Some(code) = text_fault(value) {
        errors.add(field, code);
    }
}

/// What is wrong with a text received from outside, as an error code, if anything.
///
/// The one rule for every text Bilan accepts (API bodies and queries, forms, CSV
/// cells), the same on both engines: PostgreSQL cannot store NUL, and SQLite would.
/// Refused: NUL and the other control characters but tab, line feed and carriage
/// return (free text has lines); DEL and the C1 controls; and the bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can
/// make a name display as something else ("Trojan source"). The harmless marks
/// LRM/RLM (U+200E, U+200F) stay allowed for right-to-left text.
pub fn text_fault(value: &str) -> Option<&'static str> {
    value.chars().find_map(|c| match c {
        '\0' => Some("text.nul"),
        '\t' | '\n' | '\r' => None,
        c if c.is_control() => Some("control_character"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some("text.bidi_control"),
        _ => None,
    })
}

/// A loose but useful e-mail check: one `@`, a dot in the domain, no spaces.
pub fn is_plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.len() <= 254
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_plausible_email("marie.dupont@acme.fr"));
        assert!(!is_plausible_email("marie.dupont@acme"));
        assert!(!is_plausible_email("marie dupont@acme.fr"));
        assert!(!is_plausible_email("@acme.fr"));
        assert!(!is_plausible_email("a@b@c.fr"));
    }

    #[test]
    fn required_and_lengths() {
        let mut e = ValidationErrors::new();
        assert_eq!(required_text(&mut e, "name", Some("  "), 10), "");
        assert_eq!(e.for_field("name").map(|e| e.code.as_str()), Some("required"));
        let mut e = ValidationErrors::new();
        required_text(&mut e, "name", Some("abcdefghijk"), 10);
        assert_eq!(e.for_field("name").map(|e| e.code.as_str()), Some("too_long"));
        let mut e = ValidationErrors::new();
        optional_text(&mut e, "city", Some("a\0b"), 10);
        assert_eq!(e.0[0].code, "text.nul");
    }

    #[test]
    fn text_faults() {
        assert_eq!(text_fault("Dupont & fils"), None);
        assert_eq!(
            text_fault("ligne 1\r\nligne 2\tfin"),
            None,
            "lines and tabs are free text"
        );
        assert_eq!(text_fault("שלום\u{200F} Acme"), None, "RTL marks are allowed");
        assert_eq!(text_fault("a\0b"), Some("text.nul"));
        assert_eq!(text_fault("bell\u{7}"), Some("control_character"));
        assert_eq!(text_fault("del\u{7F}"), Some("control_character"));
        assert_eq!(text_fault("c1\u{85}"), Some("control_character"));
        assert_eq!(text_fault("exe.\u{202E}fdp"), Some("text.bidi_control"));
        assert_eq!(text_fault("\u{2066}x\u{2069}"), Some("text.bidi_control"));
    }
}
