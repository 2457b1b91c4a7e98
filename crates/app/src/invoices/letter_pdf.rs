//! A reminder letter to print, as a one- or few-page A4 PDF: the sender, the client's
//! address block, the place and date, the subject and the letter's text. Written
//! with lopdf in the standard Helvetica (every PDF reader has it, nothing to embed)
//! in WinAnsi encoding, which holds French's accents, « », — and €.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, StringFormat};

/// What a letter says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The sender's lines (company name first).
    pub sender: Vec<String>,
    /// The recipient's address block.
    pub recipient: Vec<String>,
    /// "Paris, le 4 décembre 2026".
    pub place_date: String,
    /// The subject line.
    pub subject: String,
    /// The letter's text (paragraphs separated by blank lines).
    pub body: String,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 64.0;
const SIZE: f32 = 11.0;
const LEADING: f32 = 15.0;

/// A character in Windows-1252 (what Helvetica's WinAnsiEncoding reads); `?` when it has none.
fn win_ansi(c: char) -> u8 {
    match c {
        '\u{20}'..='\u{7e}' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '\u{202f}' | '\u{2009}' => 0xa0,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        'œ' => 0x9c,
        'Œ' => 0x8c,
        'Ÿ' => 0x9f,
        _ => b'?',
    }
}

/// Roughly how wide a character of Helvetica is, in thousandths of the font size.
fn width(c: char) -> f32 {
    match c {
        'i' | 'j' | 'l' | '\'' | '’' | '.' | ',' | ':' | ';' | '!' | '|' => 240.0,
        'f' | 't' | 'r' | ' ' | '\u{a0}' | '\u{202f}' | '(' | ')' | '-' => 320.0,
        'm' | 'w' | 'M' | 'W' | '—' | '%' | '@' => 860.0,
        c if c.is_uppercase() => 680.0,
        c if c.is_ascii_digit() => 556.0,
        _ => 540.0,
    }
}

/// Splits a paragraph into lines that fit `max` points at `size`.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    let space = width(' ') * size / 1000.0;
    for word in text.split(' ') {
        let ww: f32 = word.chars().map(width).sum::<f32>() * size / 1000.0;
        if !line.is_empty() && w + space + ww > max {
            lines.push(std::mem::take(&mut line));
            w = 0.0;
        }
        if !line.is_empty() {
            line.push(' ');
            w += space;
        }
        line.push_str(word);
        w += ww;
    }
    lines.push(line);
    lines
}

fn text_op(x: f32, y: f32, font: &str, size: f32, text: &str) -> Vec<Operation> {
    let bytes: Vec<u8> = text.chars().map(win_ansi).collect();
    vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec![font.into(), size.into()]),
        Operation::new("Td", vec![x.into(), y.into()]),
        Operation::new("Tj", vec![Object::String(bytes, StringFormat::Literal)]),
        Operation::new("ET", vec![]),
    ]
}

/// The letter as PDF bytes.
pub fn render(letter: &Letter) -> Result<Vec<u8>, String> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let regular = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold } });
    let text_w = PAGE_W - 2.0 * MARGIN;
    let mut pages: Vec<Vec<Operation>> = vec![Vec::new()];
    let mut y = PAGE_H - MARGIN;
    let put = |pages: &mut Vec<Vec<Operation>>, y: &mut f32, x: f32, font: &str, text: &str| {
        if *y < MARGIN {
            pages.push(Vec::new());
            *y = PAGE_H - MARGIN;
        }
        if let Some(ops) = pages.last_mut() {
            ops.extend(text_op(x, *y, font, SIZE, text));
        }
        *y -= LEADING;
    };
    for (i, l) in letter.sender.iter().enumerate() {
        put(&mut pages, &mut y, MARGIN, if i == 0 { "F2" } else { "F1" }, l);
    }
    // The address block sits where a window envelope shows it.
    y = y.min(PAGE_H - 170.0);
    for l in &letter.recipient {
        put(&mut pages, &mut y, PAGE_W / 2.0 + 20.0, "F1", l);
    }
    y -= LEADING;
    put(&mut pages, &mut y, PAGE_W / 2.0 + 20.0, "F1", &letter.place_date);
    y -= LEADING;
    for l in wrap(&letter.subject, SIZE, text_w) {
        put(&mut pages, &mut y, MARGIN, "F2", &l);
    }
    y -= LEADING;
    for paragraph in letter.body.split("\n\n") {
        for raw in paragraph.lines() {
            for l in wrap(raw, SIZE, text_w) {
                put(&mut pages, &mut y, MARGIN, "F1", &l);
            }
        }
        y -= LEADING * 0.6;
    }
    let mut kids = Vec::new();
    for ops in pages {
        let content = Content { operations: ops }.encode().map_err(|e| e.to_string())?;
        let content_id = doc.add_object(lopdf::Stream::new(dictionary! {}, content));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(Object::Reference(page));
    }
    let count = i64::try_from(kids.len()).unwrap_or(1);
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_letters_keep_their_accents_and_fit_the_page() {
        assert_eq!(win_ansi('é'), 0xe9);
        assert_eq!(win_ansi('€'), 0x80);
        assert_eq!(win_ansi('«'), 0xab);
        assert_eq!(win_ansi('—'), 0x97);
        assert_eq!(win_ansi('\u{202f}'), 0xa0);
        assert_eq!(win_ansi('漢'), b'?');
        let lines = wrap(&"mot ".repeat(200), SIZE, 400.0);
        assert!(lines.len() > 5);
        assert!(lines
            .iter()
            .all(|l| l.chars().map(width).sum::<f32>() * SIZE / 1000.0 <= 400.0 + 1.0));
        let pdf = render(&Letter {
            sender: vec!["Bilan Démo".into(), "12 rue de la Paix, 75002 Paris".into()],
            recipient: vec![
                "Danone".into(),
                "Mme Claire Martin".into(),
                "17 bd Haussmann".into(),
                "75009 Paris".into(),
            ],
            place_date: "Paris, le 4 décembre 2026".into(),
            subject: "Mise en demeure : facture F-2026-0118".into(),
            body: "Bonjour Claire Martin,\n\nLa facture reste impayée. « Intérêts » : 12,40 €.\n\n".repeat(30),
        })
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-1.5"));
        // Read back: two pages or more for a long letter.
        let doc = Document::load_mem(&pdf).unwrap();
        assert!(doc.get_pages().len() >= 2);
    }
}
