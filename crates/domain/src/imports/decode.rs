//! Decoding a file's bytes: UTF-8, UTF-16 or Windows-1252, and what is not text at all.

use super::*;

/// A file decoded to text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<'a> {
    /// The text, without byte-order mark: the file itself when it is valid UTF-8
    /// (a large import is not held twice), else a decoded copy.
    pub text: Cow<'a, str>,
    /// The encoding found: `UTF-8`, `UTF-8 BOM`, `windows-1252`, `UTF-16LE` or `UTF-16BE`.
    pub encoding: &'static str,
    /// Byte offsets in `text` where undecodable bytes were replaced (sorted).
    pub bad_offsets: Vec<usize>,
}

pub(super) fn file_error(field: &str, code: &str) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    e.add(field, code);
    e
}

/// Refuses a file whose first bytes say it is a spreadsheet, a PDF, an archive,
/// an image or a program rather than CSV text.
pub(super) fn refuse_by_signature(start: &[u8]) -> Result<(), ValidationErrors> {
    if start.starts_with(b"PK\x03\x04") || start.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(file_error("file", "import.spreadsheet"));
    }
    let binary = [
        &b"%PDF"[..],
        b"\x1F\x8B",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"\x7FELF",
        b"MZ\x90\x00",
    ];
    if binary.iter().any(|magic| start.starts_with(magic)) {
        return Err(file_error("file", "import.binary"));
    }
    Ok(())
}

/// Decodes a file as spreadsheet programs save it: UTF-8 with or without BOM,
/// UTF-16 (Excel's "Unicode text"), otherwise Windows-1252.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, ValidationErrors> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(file_error("file", "import.empty"));
    }
    refuse_by_signature(bytes)?;
    let decoded = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let (text, bad_offsets, _) = utf8_lossy(rest);
        Decoded {
            text: Cow::Owned(text),
            encoding: "UTF-8 BOM",
            bad_offsets,
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, encoding_rs::UTF_16LE)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, encoding_rs::UTF_16BE)?
    } else if let Some(enc) = sniff_utf16(bytes) {
        utf16(bytes, enc)?
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        Decoded {
            text: Cow::Borrowed(text),
            encoding: "UTF-8",
            bad_offsets: Vec::new(),
        }
    } else {
        let (text, bad_offsets, valid_multibyte) = utf8_lossy(bytes);
        // Windows-1252 accents are invalid UTF-8 almost every time, while a UTF-8
        // file with one pasted Windows line still has many valid accented letters.
        if valid_multibyte > bad_offsets.len() {
            Decoded {
                text: Cow::Owned(text),
                encoding: "UTF-8",
                bad_offsets,
            }
        } else {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Decoded {
                text: Cow::Owned(text.into_owned()),
                encoding: "windows-1252",
                bad_offsets: Vec::new(),
            }
        }
    };
    let Decoded {
        text,
        encoding,
        bad_offsets,
    } = decoded;
    let (text, bad_offsets) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (
            Cow::Owned(rest.to_owned()),
            bad_offsets.into_iter().map(|o| o.saturating_sub(3)).collect(),
        ),
        None => (text, bad_offsets),
    };
    if text.trim().is_empty() {
        return Err(file_error("file", "import.empty"));
    }
    if looks_binary(&text) {
        return Err(file_error("file", "import.binary"));
    }
    Ok(Decoded {
        text,
        encoding,
        bad_offsets,
    })
}

/// Decodes UTF-8, replacing each invalid sequence by U+FFFD; also counts valid
/// non-ASCII characters, the evidence that the file really is UTF-8.
pub(super) fn utf8_lossy(bytes: &[u8]) -> (String, Vec<usize>, usize) {
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut bad = Vec::new();
    let mut valid_multibyte = 0;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        valid_multibyte += valid.chars().filter(|c| !c.is_ascii()).count();
        text.push_str(valid);
        if !chunk.invalid().is_empty() {
            bad.push(text.len());
            text.push('\u{fffd}');
        }
    }
    (text, bad, valid_multibyte)
}

pub(super) fn utf16(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
) -> Result<Decoded<'static>, ValidationErrors> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(file_error("file", "import.encoding"));
    }
    Ok(Decoded {
        text: Cow::Owned(text.into_owned()),
        encoding: encoding.name(),
        bad_offsets: Vec::new(),
    })
}

/// Recognises UTF-16 without BOM by the NUL high bytes of its ASCII characters.
pub(super) fn sniff_utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(1024) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd * 10 >= pairs * 3 && even * 20 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 3 && odd * 20 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Binary data decodes to text full of control characters; a few stray NULs in
/// a real CSV are reported line by line instead.
pub(super) fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars().take(8192) {
        total += 1;
        if (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) || c == '\u{fffd}' {
            controls += 1;
        }
    }
    controls >= 4 && controls * 20 > total
}
