//! Factur-X: the CII invoice a PDF/A-3 carries as an attached file named
//! `factur-x.xml` (older ZUGFeRD files name it `zugferd-invoice.xml` or
//! `ZUGFeRD-invoice.xml`, XRechnung `xrechnung.xml`). Read with lopdf: the
//! catalog's `/Names /EmbeddedFiles` name tree, then the file specification's
//! `/EF /F` stream.

use lopdf::{Dictionary, Document, Object};

/// Names the embedded invoice goes by.
pub const XML_NAMES: [&str; 4] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "ZUGFeRD-invoice.xml",
    "xrechnung.xml",
];
/// Largest PDF accepted.
pub const MAX_PDF_BYTES: usize = 32 * 1024 * 1024;
/// Largest embedded XML decompressed (a PDF bomb stops here).
const MAX_XML_BYTES: usize = bilan_domain::invoices::einvoice::MAX_XML_BYTES;

/// Why a PDF gave no invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfProblem {
    /// Not a PDF lopdf can read (truncated, damaged, encrypted).
    Unreadable,
    /// A PDF without a Factur-X attachment.
    NoInvoice,
    /// Too large.
    TooLarge,
}

impl PdfProblem {
    /// Stable code, also the message key.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unreadable => "einvoice.pdf_unreadable",
            Self::NoInvoice => "einvoice.pdf_no_invoice",
            Self::TooLarge => "einvoice.too_large",
        }
    }
}

/// Whether bytes look like a PDF.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.len() >= 5 && bytes[..1024.min(bytes.len())].windows(5).any(|w| w == b"%PDF-")
}

/// The Factur-X XML inside a PDF.
pub fn extract_xml(pdf: &[u8]) -> Result<Vec<u8>, PdfProblem> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(PdfProblem::TooLarge);
    }
    let doc = Document::load_mem(pdf).map_err(|_| PdfProblem::Unreadable)?;
    let catalog = doc.catalog().map_err(|_| PdfProblem::Unreadable)?;
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(tree) = deref_dict(&doc, catalog.get(b"Names").ok())
        .and_then(|names| deref_dict(&doc, names.get(b"EmbeddedFiles").ok()))
    {
        walk_name_tree(&doc, tree, 0, &mut found);
    }
    // PDF/A-3 also lists associated files in the catalog's /AF array.
    if let Some(Object::Array(af)) = catalog.get(b"AF").ok().and_then(|o| deref(&doc, o)) {
        for spec in af {
            if let Some(d) = deref_dict(&doc, Some(spec)) {
                if let Some(name) = spec_name(&doc, d) {
                    if let Some(bytes) = spec_content(&doc, d) {
                        found.push((name, bytes));
                    }
                }
            }
        }
    }
    for wanted in XML_NAMES {
        if let Some((_, bytes)) = found.iter().find(|(n, _)| n.eq_ignore_ascii_case(wanted)) {
            return Ok(bytes.clone());
        }
    }
    Err(PdfProblem::NoInvoice)
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
}

fn deref_dict<'a>(doc: &'a Document, o: Option<&'a Object>) -> Option<&'a Dictionary> {
    deref(doc, o?)?.as_dict().ok()
}

/// Collects the files of a name tree (its `/Names` pairs and its `/Kids`).
fn walk_name_tree(doc: &Document, node: &Dictionary, depth: usize, out: &mut Vec<(String, Vec<u8>)>) {
    if depth > 16 {
        return;
    }
    if let Some(Object::Array(pairs)) = node.get(b"Names").ok().and_then(|o| deref(doc, o)) {
        for pair in pairs.chunks(2) {
            let [key, spec] = pair else { continue };
            let key_name = deref(doc, key).and_then(|k| k.as_str().ok()).map(decode_text);
            if let Some(d) = deref_dict(doc, Some(spec)) {
                let name = spec_name(doc, d).or(key_name);
                if let (Some(name), Some(bytes)) = (name, spec_content(doc, d)) {
                    out.push((name, bytes));
                }
            }
        }
    }
    if let Some(Object::Array(kids)) = node.get(b"Kids").ok().and_then(|o| deref(doc, o)) {
        for kid in kids {
            if let Some(d) = deref_dict(doc, Some(kid)) {
                walk_name_tree(doc, d, depth + 1, out);
            }
        }
    }
}

fn spec_name(doc: &Document, spec: &Dictionary) -> Option<String> {
    [b"UF".as_slice(), b"F".as_slice()].iter().find_map(|k| {
        spec.get(k)
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_str().ok())
            .map(decode_text)
    })
}

fn spec_content(doc: &Document, spec: &Dictionary) -> Option<Vec<u8>> {
    let ef = deref_dict(doc, spec.get(b"EF").ok())?;
    let stream = ef
        .get(b"F")
        .or_else(|_| ef.get(b"UF"))
        .ok()
        .and_then(|o| deref(doc, o))?
        .as_stream()
        .ok()?;
    let bytes = if stream.dict.get(b"Filter").is_ok() {
        stream.decompressed_content_with_limit(MAX_XML_BYTES).ok()?
    } else {
        stream.content.clone()
    };
    (bytes.len() <= MAX_XML_BYTES).then_some(bytes)
}

/// A PDF text string: UTF-16BE with its byte-order mark, or PDFDocEncoding (Latin-1 here).
fn decode_text(raw: &[u8]) -> String {
    if raw.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = raw[2..]
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        raw.iter().map(|b| char::from(*b)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_in_both_encodings() {
        assert_eq!(decode_text(b"factur-x.xml"), "factur-x.xml");
        assert_eq!(decode_text(&[0xFE, 0xFF, 0, b'f', 0, b'x']), "fx");
    }

    #[test]
    fn garbage_is_not_a_pdf() {
        assert!(!is_pdf(b"numero;client\n"));
        assert!(is_pdf(b"%PDF-1.7\n..."));
        assert_eq!(extract_xml(b"%PDF-1.7\nnot really"), Err(PdfProblem::Unreadable));
    }
}
