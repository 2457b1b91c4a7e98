//! Keyset pagination: opaque cursors that carry the last row's sort key.

use serde::{Deserialize, Serialize};

/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 200;
/// Page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// Clamps a requested page size to 1..=MAX_PAGE_SIZE.
pub fn page_size(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
}

/// The position after the last row of a page: its sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort column's value for the last row, as text.
    pub key: String,
    /// The last row's id, to break ties.
    pub id: String,
}

impl Cursor {
    /// Encodes as URL-safe text (hex of the JSON; no extra dependency, unambiguous).
    pub fn encode(&self) -> String {
        let json = serde_json_lite(self);
        json.bytes().map(|b| format!("{b:02x}")).collect()
    }

    /// Decodes a cursor; `None` when it was not made by `encode`.
    pub fn decode(raw: &str) -> Option<Cursor> {
        if raw.len() % 2 != 0 || raw.len() > 2000 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..raw.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(raw.get(i..i + 2)?, 16).ok())
            .collect();
        let text = String::from_utf8(bytes?).ok()?;
        let (key, id) = text.split_once('\u{1f}')?;
        Some(Cursor {
            key: key.to_owned(),
            id: id.to_owned(),
        })
    }
}

fn serde_json_lite(c: &Cursor) -> String {
    // A unit separator never appears in a sort key or an id.
    format!("{}\u{1f}{}", c.key.replace('\u{1f}', ""), c.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = Cursor {
            key: "société générale".into(),
            id: "0192-abc".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("zz"), None);
        assert_eq!(Cursor::decode("abc"), None);
        assert_eq!(page_size(Some(10_000)), MAX_PAGE_SIZE);
        assert_eq!(page_size(Some(0)), 1);
        assert_eq!(page_size(None), DEFAULT_PAGE_SIZE);
    }
}
