//! Sets a [`Document`] as an A4 PDF with lopdf: DejaVu Sans (regular and bold,
//! embedded in the binary) subset to the glyphs used and written as CID fonts
//! with their Unicode map, so every accent prints and text can be copied or
//! extracted; paragraphs wrapped on measured widths, tables that break across
//! pages with their header repeated, bar and line charts drawn as vectors, and
//! "Page n / N" at the foot of each page.

use super::document::{rgb, Block, Document};
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Object, Stream, StringFormat};
use std::collections::BTreeMap;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BOTTOM: f32 = 64.0;
const BODY: f32 = 9.5;
const LEADING: f32 = 1.35;

/// A font with its measures.
struct Font {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    name: &'static str,
}

impl Font {
    fn load(data: &'static [u8], name: &'static str) -> Result<Font, String> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| format!("the font {name} cannot be read: {e}"))?;
        Ok(Font { data, face, name })
    }

    fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    /// Width of `text` at `size`, in points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let upem = f32::from(self.face.units_per_em());
        text.chars()
            .map(|c| {
                self.face
                    .glyph_hor_advance(ttf_parser::GlyphId(self.glyph(c)))
                    .map_or(0.0, f32::from)
            })
            .sum::<f32>()
            * size
            / upem
    }
}

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
        color: (u8, u8, u8),
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: (u8, u8, u8),
    },
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        color: (u8, u8, u8),
    },
}

const INK: (u8, u8, u8) = (0x22, 0x22, 0x22);
const MUTED: (u8, u8, u8) = (0x66, 0x66, 0x66);
const RULE: (u8, u8, u8) = (0xcc, 0xcc, 0xcc);
const SHADE: (u8, u8, u8) = (0xee, 0xf1, 0xf5);

struct Layout<'f> {
    regular: &'f Font,
    bold: &'f Font,
    pages: Vec<Vec<Op>>,
    y: f32,
    accent: (u8, u8, u8),
}

impl Layout<'_> {
    fn font(&self, bold: bool) -> &Font {
        if bold {
            self.bold
        } else {
            self.regular
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN;
    }

    /// Makes room for `h` points, on a new page if this one has not.
    fn need(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str, color: (u8, u8, u8)) {
        self.ops().push(Op::Text {
            x,
            y,
            size,
            bold,
            text: text.to_owned(),
            color,
        });
    }

    /// Splits `text` into lines no wider than `max` (its own line breaks kept;
    /// a word longer than a line is cut).
    fn wrap(&self, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        let font = self.font(bold);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if font.width(&candidate, size) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the line is cut where it must be.
                let mut rest = word.to_owned();
                while font.width(&rest, size) > max && rest.chars().count() > 1 {
                    let mut cut = String::new();
                    for c in rest.chars() {
                        if font.width(&format!("{cut}{c}"), size) > max {
                            break;
                        }
                        cut.push(c);
                    }
                    if cut.is_empty() {
                        break;
                    }
                    rest = rest[cut.len()..].to_owned();
                    lines.push(cut);
                }
                line = rest;
            }
            lines.push(line);
        }
        lines
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool, color: (u8, u8, u8), indent: f32) {
        let max = PAGE_W - 2.0 * MARGIN - indent;
        for line in self.wrap(text, size, bold, max) {
            self.need(size * LEADING);
            self.y -= size * LEADING;
            let y = self.y;
            self.text(MARGIN + indent, y, size, bold, &line, color);
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Title(t) => {
                self.paragraph(t, 20.0, true, self.accent, 0.0);
                self.y -= 4.0;
            }
            Block::Subtitle(t) => {
                self.paragraph(t, 11.0, false, MUTED, 0.0);
                self.y -= 6.0;
            }
            Block::Heading(t) => {
                // A heading never ends a page alone.
                self.need(14.0 * LEADING + 10.0 + 3.0 * BODY * LEADING);
                self.y -= 10.0;
                self.paragraph(t, 13.0, true, self.accent, 0.0);
                let y = self.y - 4.0;
                let accent = self.accent;
                self.ops().push(Op::Line {
                    points: vec![(MARGIN, y), (PAGE_W - MARGIN, y)],
                    width: 0.8,
                    color: accent,
                });
                self.y -= 8.0;
            }
            Block::Paragraph(t) => {
                self.paragraph(t, BODY, false, INK, 0.0);
                self.y -= 4.0;
            }
            Block::Bullets(items) => {
                for i in items {
                    self.need(BODY * LEADING);
                    let y = self.y - BODY * LEADING;
                    self.text(MARGIN + 4.0, y, BODY, false, "•", self.accent);
                    self.paragraph(i, BODY, false, INK, 16.0);
                }
                self.y -= 4.0;
            }
            Block::Figures(figures) => self.figures(figures),
            Block::Table { header, rows, widths } => self.table(header, rows, widths),
            Block::Bars { title, bars } => self.bars(title, bars),
            Block::Line { title, points } => self.line_chart(title, points),
        }
    }

    fn figures(&mut self, figures: &[(String, String)]) {
        let per_row = 4usize;
        let w = (PAGE_W - 2.0 * MARGIN) / per_row as f32;
        for chunk in figures.chunks(per_row) {
            let h = 46.0;
            self.need(h + 6.0);
            let top = self.y;
            for (i, (label, value)) in chunk.iter().enumerate() {
                let x = MARGIN + i as f32 * w;
                self.ops().push(Op::Rect {
                    x: x + 2.0,
                    y: top - h,
                    w: w - 4.0,
                    h,
                    color: SHADE,
                });
                let accent = self.accent;
                let value_lines = self.wrap(value, 14.0, true, w - 14.0);
                self.text(
                    x + 8.0,
                    top - 20.0,
                    14.0,
                    true,
                    value_lines.first().map_or("", |s| s),
                    accent,
                );
                let label_lines = self.wrap(label, 7.5, false, w - 14.0);
                self.text(
                    x + 8.0,
                    top - 36.0,
                    7.5,
                    false,
                    label_lines.first().map_or("", |s| s),
                    MUTED,
                );
            }
            self.y = top - h - 6.0;
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>], widths: &[u8]) {
        let total = PAGE_W - 2.0 * MARGIN;
        let sum: f32 = widths.iter().map(|w| f32::from(*w)).sum::<f32>().max(1.0);
        let cols: Vec<f32> = (0..header.len())
            .map(|i| total * f32::from(widths.get(i).copied().unwrap_or(10)) / sum)
            .collect();
        let pad = 4.0;
        let size = 8.5;
        let draw_row = |l: &mut Self, cells: &[String], bold: bool, shade: bool| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| l.wrap(c, size, bold, cols.get(i).copied().unwrap_or(40.0) - 2.0 * pad))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * size * LEADING + 2.0 * pad;
            (wrapped, h, shade)
        };
        let header_row = draw_row(self, header, true, true);
        let put = |l: &mut Self, (wrapped, h, shade): &(Vec<Vec<String>>, f32, bool), bold: bool| {
            let top = l.y;
            if *shade {
                l.ops().push(Op::Rect {
                    x: MARGIN,
                    y: top - h,
                    w: total,
                    h: *h,
                    color: SHADE,
                });
            }
            let mut x = MARGIN;
            for (i, cell) in wrapped.iter().enumerate() {
                for (n, line) in cell.iter().enumerate() {
                    let y = top - pad - (n as f32 + 1.0) * size * LEADING + 2.0;
                    l.text(x + pad, y, size, bold, line, INK);
                }
                x += cols.get(i).copied().unwrap_or(0.0);
            }
            l.ops().push(Op::Line {
                points: vec![(MARGIN, top - h), (MARGIN + total, top - h)],
                width: 0.4,
                color: RULE,
            });
            l.y = top - h;
        };
        self.need(header_row.1 * 2.0);
        put(self, &header_row, true);
        for r in rows {
            let row = draw_row(self, r, false, false);
            if self.y - row.1 < BOTTOM {
                self.new_page();
                put(self, &header_row, true);
            }
            put(self, &row, false);
        }
        self.y -= 8.0;
    }

    fn bars(&mut self, title: &str, bars: &[(String, i64, String)]) {
        if bars.is_empty() {
            return;
        }
        let bar_h = 12.0;
        let gap = 5.0;
        let h = 18.0 + bars.len() as f32 * (bar_h + gap);
        self.need(h + 6.0);
        self.y -= 12.0;
        let y = self.y;
        self.text(MARGIN, y, 9.0, true, title, INK);
        self.y -= 8.0;
        let label_w = 150.0;
        let value_w = 70.0;
        let max_w = PAGE_W - 2.0 * MARGIN - label_w - value_w;
        let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
        for (label, value, shown) in bars {
            let top = self.y;
            let w = max_w * (*value).max(0) as f32 / max as f32;
            self.text(MARGIN, top - bar_h + 3.0, 8.5, false, label, INK);
            let accent = self.accent;
            self.ops().push(Op::Rect {
                x: MARGIN + label_w,
                y: top - bar_h,
                w: w.max(0.5),
                h: bar_h,
                color: accent,
            });
            self.text(MARGIN + label_w + w + 6.0, top - bar_h + 3.0, 8.5, false, shown, MUTED);
            self.y = top - bar_h - gap;
        }
        self.y -= 6.0;
    }

    fn line_chart(&mut self, title: &str, points: &[(String, i64)]) {
        if points.len() < 2 {
            return;
        }
        let h = 110.0;
        self.need(h + 40.0);
        self.y -= 12.0;
        let y = self.y;
        self.text(MARGIN, y, 9.0, true, title, INK);
        let left = MARGIN + 24.0;
        let right = PAGE_W - MARGIN;
        let bottom = self.y - 10.0 - h;
        let top = bottom + h;
        for level in [0i64, 50, 100] {
            let ly = bottom + h * level as f32 / 100.0;
            self.ops().push(Op::Line {
                points: vec![(left, ly), (right, ly)],
                width: 0.3,
                color: RULE,
            });
            self.text(MARGIN, ly - 3.0, 7.0, false, &level.to_string(), MUTED);
        }
        let n = points.len() as f32 - 1.0;
        let xy: Vec<(f32, f32)> = points
            .iter()
            .enumerate()
            .map(|(i, (_, v))| {
                (
                    left + (right - left) * i as f32 / n,
                    bottom + h * (*v).clamp(0, 100) as f32 / 100.0,
                )
            })
            .collect();
        let accent = self.accent;
        self.ops().push(Op::Line {
            points: xy,
            width: 1.4,
            color: accent,
        });
        if let (Some(first), Some(last)) = (points.first(), points.last()) {
            self.text(left, bottom - 10.0, 7.0, false, &first.0, MUTED);
            let w = self.regular.width(&last.0, 7.0);
            self.text(right - w, bottom - 10.0, 7.0, false, &last.0, MUTED);
        }
        let _ = top;
        self.y = bottom - 22.0;
    }
}

/// The glyphs a font was asked for, renumbered for its subset.
struct Used {
    remapper: subsetter::GlyphRemapper,
    /// New glyph id → (advance in 1000ths, the character).
    glyphs: BTreeMap<u16, (i64, char)>,
}

impl Used {
    fn new() -> Self {
        Used {
            remapper: subsetter::GlyphRemapper::new(),
            glyphs: BTreeMap::new(),
        }
    }

    fn encode(&mut self, font: &Font, text: &str) -> Vec<u8> {
        let upem = i64::from(font.face.units_per_em()).max(1);
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let old = font.glyph(c);
            let new = self.remapper.remap(old);
            let advance = font
                .face
                .glyph_hor_advance(ttf_parser::GlyphId(old))
                .map_or(0, i64::from);
            self.glyphs.entry(new).or_insert((advance * 1000 / upem, c));
            bytes.extend_from_slice(&new.to_be_bytes());
        }
        bytes
    }
}

fn color_op(op: &str, (r, g, b): (u8, u8, u8)) -> Operation {
    Operation::new(
        op,
        vec![
            (f32::from(r) / 255.0).into(),
            (f32::from(g) / 255.0).into(),
            (f32::from(b) / 255.0).into(),
        ],
    )
}

/// The CID font objects of one subset font; returns the Type0 font's id.
fn embed(doc: &mut lopdf::Document, font: &Font, used: &Used, tag: &str) -> Result<lopdf::ObjectId, String> {
    let subset = subsetter::subset(font.data, 0, &used.remapper).map_err(|e| format!("font subset: {e}"))?;
    let base = format!("{tag}+{}", font.name);
    let mut file = Stream::new(dictionary! { "Length1" => subset.len() as i64 }, subset);
    file.compress().map_err(|e| e.to_string())?;
    let file_id = doc.add_object(file);
    let upem = f32::from(font.face.units_per_em()).max(1.0);
    let scale = |v: i16| (f32::from(v) * 1000.0 / upem).round() as i64;
    let bbox = font.face.global_bounding_box();
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base.clone().into_bytes()),
        "Flags" => 32,
        "FontBBox" => vec![scale(bbox.x_min).into(), scale(bbox.y_min).into(), scale(bbox.x_max).into(), scale(bbox.y_max).into()],
        "ItalicAngle" => 0,
        "Ascent" => scale(font.face.ascender()),
        "Descent" => scale(font.face.descender()),
        "CapHeight" => scale(font.face.capital_height().unwrap_or(font.face.ascender())),
        "StemV" => 80,
        "FontFile2" => file_id,
    });
    let mut widths: Vec<Object> = Vec::new();
    for (gid, (w, _)) in &used.glyphs {
        widths.push(i64::from(*gid).into());
        widths.push(Object::Array(vec![(*w).into()]));
    }
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(base.clone().into_bytes()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
            "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "DW" => 1000,
        "W" => widths,
        "CIDToGIDMap" => "Identity",
    });
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(u16, char)> = used.glyphs.iter().map(|(g, (_, c))| (*g, *c)).collect();
    for chunk in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (g, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            cmap.push_str(&format!("<{g:04X}> <{hex}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let mut to_unicode = Stream::new(dictionary! {}, cmap.into_bytes());
    to_unicode.compress().map_err(|e| e.to_string())?;
    let to_unicode_id = doc.add_object(to_unicode);
    Ok(doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => Object::Name(base.into_bytes()),
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![cid_font.into()],
        "ToUnicode" => to_unicode_id,
    }))
}

/// The document as PDF bytes.
pub fn render(d: &Document) -> Result<Vec<u8>, String> {
    let regular = Font::load(REGULAR, "DejaVuSans")?;
    let bold = Font::load(BOLD, "DejaVuSans-Bold")?;
    let mut layout = Layout {
        regular: &regular,
        bold: &bold,
        pages: vec![Vec::new()],
        y: PAGE_H - MARGIN,
        accent: rgb(&d.accent),
    };
    for b in &d.blocks {
        layout.block(b);
    }
    let total = layout.pages.len();
    // The foot of every page, now that their number is known.
    for (i, page) in layout.pages.iter_mut().enumerate() {
        let number = format!("{} {} / {}", d.page_word, i + 1, total);
        let w = regular.width(&number, 7.5);
        page.push(Op::Line {
            points: vec![(MARGIN, 44.0), (PAGE_W - MARGIN, 44.0)],
            width: 0.4,
            color: RULE,
        });
        page.push(Op::Text {
            x: MARGIN,
            y: 32.0,
            size: 7.5,
            bold: false,
            text: d.footer.clone(),
            color: MUTED,
        });
        page.push(Op::Text {
            x: PAGE_W - MARGIN - w,
            y: 32.0,
            size: 7.5,
            bold: false,
            text: number,
            color: MUTED,
        });
    }
    let mut used = [Used::new(), Used::new()];
    let mut contents: Vec<Vec<Operation>> = Vec::new();
    for page in &layout.pages {
        let mut ops = Vec::new();
        for op in page {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold: is_bold,
                    text,
                    color,
                } => {
                    let (font, slot, name) = if *is_bold {
                        (&bold, 1, "F2")
                    } else {
                        (&regular, 0, "F1")
                    };
                    let bytes = used[slot].encode(font, text);
                    ops.push(color_op("rg", *color));
                    ops.push(Operation::new("BT", vec![]));
                    ops.push(Operation::new("Tf", vec![name.into(), (*size).into()]));
                    ops.push(Operation::new("Td", vec![(*x).into(), (*y).into()]));
                    ops.push(Operation::new(
                        "Tj",
                        vec![Object::String(bytes, StringFormat::Hexadecimal)],
                    ));
                    ops.push(Operation::new("ET", vec![]));
                }
                Op::Rect { x, y, w, h, color } => {
                    ops.push(color_op("rg", *color));
                    ops.push(Operation::new(
                        "re",
                        vec![(*x).into(), (*y).into(), (*w).into(), (*h).into()],
                    ));
                    ops.push(Operation::new("f", vec![]));
                }
                Op::Line { points, width, color } => {
                    let Some(((x0, y0), rest)) = points.split_first() else {
                        continue;
                    };
                    ops.push(color_op("RG", *color));
                    ops.push(Operation::new("w", vec![(*width).into()]));
                    ops.push(Operation::new("m", vec![(*x0).into(), (*y0).into()]));
                    for (x, y) in rest {
                        ops.push(Operation::new("l", vec![(*x).into(), (*y).into()]));
                    }
                    ops.push(Operation::new("S", vec![]));
                }
            }
        }
        contents.push(ops);
    }
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let f1 = embed(&mut doc, &regular, &used[0], "BLNAAA")?;
    let f2 = embed(&mut doc, &bold, &used[1], "BLNAAB")?;
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => f1, "F2" => f2 } });
    let mut kids = Vec::new();
    for ops in contents {
        let encoded = Content { operations: ops }.encode().map_err(|e| e.to_string())?;
        let mut stream = Stream::new(dictionary! {}, encoded);
        stream.compress().map_err(|e| e.to_string())?;
        let content_id = doc.add_object(stream);
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let mut title = vec![0xfe, 0xff];
    for u in d.title.encode_utf16() {
        title.extend_from_slice(&u.to_be_bytes());
    }
    let info = doc.add_object(dictionary! {
        "Title" => Object::String(title, StringFormat::Hexadecimal),
        "Producer" => Object::String(b"Bilan".to_vec(), StringFormat::Literal),
    });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_document_breaks_into_pages_with_its_fonts_subset() {
        let rows: Vec<Vec<String>> = (0..120)
            .map(|i| {
                vec![
                    format!("Action n°{i} — réunion à préparer"),
                    "Élodie Martin".into(),
                    "15/01/2027".into(),
                ]
            })
            .collect();
        let d = Document {
            title: "Compte rendu".into(),
            blocks: vec![
                Block::Title("Revue annuelle — Société Générale d'Équipement".into()),
                Block::Subtitle("Le 15 décembre 2026".into()),
                Block::Heading("Plan d'action".into()),
                Block::Table {
                    header: vec!["Quoi".into(), "Qui".into(), "Échéance".into()],
                    rows,
                    widths: vec![60, 25, 15],
                },
                Block::Bars {
                    title: "Échanges".into(),
                    bars: vec![
                        ("E-mail".into(), 120, "120".into()),
                        ("Téléphone".into(), 40, "40".into()),
                    ],
                },
                Block::Line {
                    title: "Santé".into(),
                    points: vec![("01/01".into(), 70), ("01/06".into(), 55), ("01/12".into(), 80)],
                },
            ],
            footer: "Acme — confidentiel".into(),
            accent: "#1f4e8c".into(),
            page_word: "Page".into(),
        };
        let pdf = render(&d).unwrap();
        let parsed = lopdf::Document::load_mem(&pdf).unwrap();
        assert!(parsed.get_pages().len() >= 3, "120 rows need several pages");
        assert!(pdf.len() < 200_000, "fonts are subset: {} bytes", pdf.len());
        let text = parsed.extract_text(&[1]).unwrap();
        assert!(
            text.contains("Société Générale") && text.contains("d'Équipement"),
            "{text}"
        );
        assert!(text.contains("Page 1 / "), "{text}");
    }

    #[test]
    fn colours_read_or_fall_back() {
        assert_eq!(rgb("#ff8000"), (255, 128, 0));
        assert_eq!(rgb("nonsense"), (0x1f, 0x4e, 0x8c));
    }
}
