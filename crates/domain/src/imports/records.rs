//! CSV records: quoted values over several lines, and the separator a file uses.

use super::*;

/// One record of the file and where it lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Physical line of its first character (1-based).
    pub line: usize,
    /// The fields, unquoted.
    pub fields: Vec<String>,
    /// Byte offset of its start in the text.
    pub start: usize,
    /// Byte offset just past its end (line break included).
    pub end: usize,
    /// A quoted field ran to the end of the file without its closing quote.
    pub unclosed_quote: bool,
}

impl Record {
    /// True for an empty line or a line of separators only (of any kind, so
    /// `;;;` is blank whichever separator is tried).
    pub fn is_blank(&self) -> bool {
        self.fields
            .iter()
            .all(|f| f.chars().all(|c| c.is_whitespace() || SEPARATORS.contains(&c)))
    }
}

/// Reads records the way spreadsheets write them (RFC 4180, leniently): quotes
/// protect separators and line breaks, `""` is a quote, and `\n`, `\r\n` and a
/// lone `\r` all end a line, so line numbers match what an editor shows.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    pub(super) text: &'a str,
    pub(super) sep: u8,
    pub(super) pos: usize,
    pub(super) line: usize,
}

impl<'a> Records<'a> {
    /// Starts reading `text` with separator `sep` (an ASCII character).
    pub fn new(text: &'a str, sep: char) -> Self {
        let sep = if sep.is_ascii() { sep as u8 } else { b';' };
        Records {
            text,
            sep,
            pos: 0,
            line: 1,
        }
    }

    /// Goes on reading at the start of `text`, the rest of a file from physical `line`.
    pub(super) fn resume(text: &'a str, sep: char, line: usize) -> Self {
        Records {
            line,
            ..Records::new(text, sep)
        }
    }

    pub(super) fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or("")
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let b = self.text.as_bytes();
        let n = b.len();
        if self.pos >= n {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        let mut fields = Vec::new();
        let mut unclosed_quote = false;
        let mut i = self.pos;
        loop {
            let mut value = String::new();
            if b.get(i) == Some(&b'"') {
                i += 1;
                let mut seg = i;
                loop {
                    if i >= n {
                        value.push_str(self.slice(seg, n));
                        unclosed_quote = true;
                        break;
                    }
                    match b[i] {
                        b'"' => {
                            value.push_str(self.slice(seg, i));
                            if b.get(i + 1) == Some(&b'"') {
                                value.push('"');
                                i += 2;
                                seg = i;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        b'\n' => {
                            self.line += 1;
                            i += 1;
                        }
                        b'\r' => {
                            if b.get(i + 1) != Some(&b'\n') {
                                self.line += 1;
                            }
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                if unclosed_quote {
                    fields.push(value);
                    break;
                }
            }
            // Unquoted text, or whatever follows a closing quote (`"a"b` reads `ab`, as Excel does).
            let seg = i;
            while i < n && b[i] != self.sep && b[i] != b'\n' && b[i] != b'\r' {
                i += 1;
            }
            value.push_str(self.slice(seg, i));
            fields.push(value);
            if i >= n {
                break;
            }
            if b[i] == self.sep {
                i += 1;
                if i >= n {
                    fields.push(String::new());
                    break;
                }
                continue;
            }
            i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            self.line += 1;
            break;
        }
        self.pos = i;
        Some(Record {
            line,
            fields,
            start,
            end: i,
            unclosed_quote,
        })
    }
}

/// Picks the separator giving a consistent column count over the first lines,
/// quotes respected: more than one column first, then consistency, then width.
pub fn detect_separator(text: &str) -> char {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = text.get(..end).unwrap_or(text);
    let truncated = end < text.len();
    let mut best = (SEPARATORS[0], (false, 0usize, 0usize));
    for sep in SEPARATORS {
        let mut it = Records::new(sample, sep);
        let mut counts: Vec<usize> = Vec::new();
        for r in it.by_ref() {
            if !r.is_blank() {
                counts.push(r.fields.len());
            }
            if counts.len() >= 30 {
                break;
            }
        }
        // The record cut by the end of the sample proves nothing.
        if truncated && counts.len() < 30 && counts.len() > 1 {
            counts.pop();
        }
        let Some(&width) = counts.first() else { continue };
        let consistent = counts.iter().filter(|&&c| c == width).count() * 1000 / counts.len();
        let score = (width >= 2, consistent, width);
        if score > best.1 {
            best = (sep, score);
        }
    }
    best.0
}
