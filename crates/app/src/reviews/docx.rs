//! Writes a [`Document`] as an editable Word document (.docx: Office Open XML, a
//! zip of XML parts), which Word, LibreOffice and Google Docs open: headings as
//! Word headings, tables as tables, charts as the tables of their values.

use super::document::{Block, Document};
use quick_xml::escape::escape;
use std::io::Write;
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

fn styles(accent: &str) -> String {
    let color = accent.trim_start_matches('#');
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/><w:sz w:val="20"/><w:lang w:val="fr-FR"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="80"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:rPr><w:b/><w:color w:val="{color}"/><w:sz w:val="40"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="666666"/><w:sz w:val="22"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="{color}"/><w:sz w:val="26"/></w:rPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:color="CCCCCC"/><w:bottom w:val="single" w:sz="4" w:color="CCCCCC"/><w:insideH w:val="single" w:sz="4" w:color="CCCCCC"/></w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#
    )
}

fn run(text: &str, bold: bool) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:r><w:br/></w:r>");
        }
        out.push_str("<w:r>");
        if bold {
            out.push_str("<w:rPr><w:b/></w:rPr>");
        }
        out.push_str(&format!(r#"<w:t xml:space="preserve">{}</w:t></w:r>"#, escape(line)));
    }
    out
}

fn paragraph(style: Option<&str>, text: &str, bold: bool) -> String {
    let props = style.map_or(String::new(), |s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#));
    format!("<w:p>{props}{}</w:p>", run(text, bold))
}

fn table(header: &[String], rows: &[Vec<String>], widths: &[u8]) -> String {
    let sum: u32 = widths.iter().map(|w| u32::from(*w)).sum::<u32>().max(1);
    // Table widths in fiftieths of a percent.
    let pct = |i: usize| u32::from(widths.get(i).copied().unwrap_or(10)) * 5000 / sum;
    let mut out = String::from(
        r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/></w:tblPr><w:tblGrid>"#,
    );
    for i in 0..header.len() {
        out.push_str(&format!(r#"<w:gridCol w:w="{}"/>"#, pct(i) * 2));
    }
    out.push_str("</w:tblGrid>");
    let row = |cells: &[String], head: bool| {
        let mut r = String::from("<w:tr>");
        if head {
            r.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        for (i, c) in cells.iter().enumerate() {
            let shade = if head {
                r#"<w:shd w:val="clear" w:color="auto" w:fill="EEF1F5"/>"#
            } else {
                ""
            };
            r.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{}" w:type="pct"/>{shade}</w:tcPr>{}</w:tc>"#,
                pct(i),
                paragraph(None, c, head)
            ));
        }
        r.push_str("</w:tr>");
        r
    };
    out.push_str(&row(header, true));
    for r in rows {
        out.push_str(&row(r, false));
    }
    out.push_str("</w:tbl>");
    out.push_str(&paragraph(None, "", false));
    out
}

fn body(d: &Document) -> String {
    let mut out = String::new();
    for b in &d.blocks {
        match b {
            Block::Title(t) => out.push_str(&paragraph(Some("Title"), t, false)),
            Block::Subtitle(t) => out.push_str(&paragraph(Some("Subtitle"), t, false)),
            Block::Heading(t) => out.push_str(&paragraph(Some("Heading1"), t, false)),
            Block::Paragraph(t) => out.push_str(&paragraph(None, t, false)),
            Block::Bullets(items) => {
                for i in items {
                    out.push_str(&paragraph(None, &format!("•\u{a0}{i}"), false));
                }
            }
            Block::Table { header, rows, widths } => out.push_str(&table(header, rows, widths)),
            Block::Figures(f) => {
                let header: Vec<String> = f.iter().map(|(l, _)| l.clone()).collect();
                let values: Vec<String> = f.iter().map(|(_, v)| v.clone()).collect();
                let widths = vec![1; f.len()];
                out.push_str(&table(&header, &[values], &widths));
            }
            Block::Bars { title, bars } => {
                out.push_str(&paragraph(None, title, true));
                let rows: Vec<Vec<String>> = bars.iter().map(|(l, _, v)| vec![l.clone(), v.clone()]).collect();
                out.push_str(&table(&[String::new(), String::new()], &rows, &[70, 30]));
            }
            Block::Line { title, points } => {
                out.push_str(&paragraph(None, title, true));
                let rows: Vec<Vec<String>> = points.iter().map(|(l, v)| vec![l.clone(), v.to_string()]).collect();
                out.push_str(&table(&[String::new(), String::new()], &rows, &[70, 30]));
            }
        }
    }
    out
}

/// The document as .docx bytes.
pub fn render(d: &Document) -> Result<Vec<u8>, String> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        body(d)
    );
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>Bilan</dc:creator></cp:coreProperties>"#,
        escape(&d.title)
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts: [(&str, String); 6] = [
            ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
            ("_rels/.rels", RELS.to_owned()),
            ("word/_rels/document.xml.rels", DOC_RELS.to_owned()),
            ("word/document.xml", document),
            ("word/styles.xml", styles(&d.accent)),
            ("docProps/core.xml", core),
        ];
        for (name, content) in parts {
            zip.start_file(name, opts).map_err(|e| e.to_string())?;
            zip.write_all(content.as_bytes()).map_err(|e| e.to_string())?;
        }
        zip.finish().map_err(|e| e.to_string())?;
    }
    Ok(buf.into_inner())
}
