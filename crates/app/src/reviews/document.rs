//! The minutes as a document independent of its format: titled blocks of text,
//! tables, key figures and charts, which [`super::pdf`] sets as a PDF and
//! [`super::docx`] writes as an editable Word document.

/// One block of the document, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The document's title.
    Title(String),
    /// A line under the title (account, date, place).
    Subtitle(String),
    /// A section heading.
    Heading(String),
    /// A paragraph (its line breaks kept).
    Paragraph(String),
    /// A bulleted list.
    Bullets(Vec<String>),
    /// A table: header, rows, and each column's share of the width (in percent).
    Table {
        /// Column titles.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
        /// Column widths in percent of the text width.
        widths: Vec<u8>,
    },
    /// Key figures side by side: (label, value).
    Figures(Vec<(String, String)>),
    /// Horizontal bars: (label, value, value as shown).
    Bars {
        /// Chart title.
        title: String,
        /// Bars.
        bars: Vec<(String, i64, String)>,
    },
    /// A line of scores 0–100 over time: (label under the axis, score).
    Line {
        /// Chart title.
        title: String,
        /// Points, oldest first.
        points: Vec<(String, i64)>,
    },
}

/// A document: its blocks and how it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Title in the file's properties.
    pub title: String,
    /// The blocks.
    pub blocks: Vec<Block>,
    /// The line at the foot of every page (the company, "confidential").
    pub footer: String,
    /// Accent colour of headings and charts, `#rrggbb`.
    pub accent: String,
    /// "Page", for "Page 2 / 5".
    pub page_word: String,
}

/// An `#rrggbb` colour as red, green and blue in 0–255; the default blue when unreadable.
pub fn rgb(hex: &str) -> (u8, u8, u8) {
    let h = hex.trim().trim_start_matches('#');
    let part = |i: usize| h.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok());
    match (h.len(), part(0), part(2), part(4)) {
        (6, Some(r), Some(g), Some(b)) => (r, g, b),
        _ => (0x1f, 0x4e, 0x8c),
    }
}
