//! The audit trail's vocabulary and the field-by-field difference shown to people.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Created.
    Create,
    /// Changed.
    Update,
    /// Deleted.
    Delete,
}

impl AuditAction {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }

    /// Parses a stable code.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "create" => Some(Self::Create),
            "update" => Some(Self::Update),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }
}

/// One field that changed: its value before and after (JSON, `null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Field name.
    pub field: String,
    /// Value before.
    pub before: Value,
    /// Value after.
    pub after: Value,
}

/// Fields that change on every write and would drown the real changes.
const NOISE: [&str; 3] = ["version", "updated_at", "search_text"];

/// The fields that differ between two snapshots of a record, in field order.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut fields: Vec<&String> = b.keys().chain(a.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !NOISE.contains(&f.as_str()))
        .filter_map(|f| {
            let (x, y) = (b.get(f).unwrap_or(&Value::Null), a.get(f).unwrap_or(&Value::Null));
            (x != y).then(|| FieldChange {
                field: f.clone(),
                before: x.clone(),
                after: y.clone(),
            })
        })
        .collect()
}

/// A JSON value as a short text for people (strings without quotes, `—` for null).
pub fn show(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before = json!({"name": "Acme", "city": "Lyon", "version": 1, "tags": ["a"]});
        let after = json!({"name": "Acme SA", "city": "Lyon", "version": 2, "tags": ["a", "b"], "siren": "552032534"});
        let d = diff(Some(&before), Some(&after));
        let fields: Vec<_> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "siren", "tags"]);
        assert_eq!(show(&d[0].before), "Acme");
        assert_eq!(show(&d[1].before), "—");
        assert_eq!(show(&d[2].after), "a, b");
    }

    #[test]
    fn creation_and_deletion() {
        let rec = json!({"name": "Acme"});
        assert_eq!(diff(None, Some(&rec)).len(), 1);
        assert_eq!(diff(Some(&rec), None)[0].after, Value::Null);
        assert!(diff(None, None).is_empty());
        assert_eq!(AuditAction::parse("update"), Some(AuditAction::Update));
    }
}
