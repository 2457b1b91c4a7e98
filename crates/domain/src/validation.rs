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
    if value.contains('\0') {
        errors.add(field, "control_character");
    }
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
        assert_eq!(e.0[0].code, "control_character");
    }
}
