//! HTML bodies to text: line breaks kept, `<blockquote>` as `> ` lines, entities decoded.

use super::*;

/// Converts an HTML body to text: tags removed, entities decoded, one line per
/// block element, `<blockquote>` lines prefixed with `> ` like a plain-text quote.
pub(super) fn html_to_text(html: &str) -> String {
    let mut out = TextWriter::default();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(after) = rest.strip_prefix("<!--") {
                rest = after.find("-->").map_or("", |i| &after[i + 3..]);
                continue;
            }
            if let Some(end) = tag_end(rest) {
                let (closing, name) = tag_name(&rest[1..end]);
                rest = &rest[end + 1..];
                if !closing && matches!(name.as_str(), "script" | "style" | "head" | "title") {
                    if let Some(after) = skip_element(rest, &name) {
                        rest = after;
                    }
                    continue;
                }
                out.tag(&name, closing);
                continue;
            }
        } else if c == '&' {
            let (decoded, len) = entity(rest);
            if let Some(d) = decoded {
                out.push(d);
            }
            rest = &rest[len..];
            continue;
        }
        if c.is_whitespace() && c != '\u{a0}' {
            out.space(c);
        } else if !c.is_control() {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    tidy(&out.text)
}

#[derive(Default)]
pub(super) struct TextWriter {
    pub(super) text: String,
    pub(super) pending_space: bool,
    pub(super) quote_depth: usize,
    pub(super) pre_depth: usize,
}

impl TextWriter {
    pub(super) fn at_line_start(&self) -> bool {
        self.text.is_empty() || self.text.ends_with('\n')
    }

    pub(super) fn push(&mut self, c: char) {
        if self.pending_space && !self.at_line_start() {
            self.text.push(' ');
        }
        self.pending_space = false;
        if self.at_line_start() {
            for _ in 0..self.quote_depth {
                self.text.push_str("> ");
            }
        }
        self.text.push(c);
    }

    pub(super) fn space(&mut self, c: char) {
        if self.pre_depth > 0 {
            if c == '\n' {
                self.line_break();
            } else {
                self.push(' ');
            }
        } else {
            self.pending_space = true;
        }
    }

    pub(super) fn line_break(&mut self) {
        self.text.push('\n');
        self.pending_space = false;
    }

    pub(super) fn end_line(&mut self) {
        if !self.at_line_start() {
            self.text.push('\n');
        }
        self.pending_space = false;
    }

    pub(super) fn tag(&mut self, name: &str, closing: bool) {
        match name {
            "br" => self.line_break(),
            "blockquote" => {
                self.end_line();
                self.quote_depth = if closing {
                    self.quote_depth.saturating_sub(1)
                } else {
                    self.quote_depth + 1
                };
            }
            "pre" => {
                self.end_line();
                self.pre_depth = if closing {
                    self.pre_depth.saturating_sub(1)
                } else {
                    self.pre_depth + 1
                };
            }
            "p" | "div" | "li" | "tr" | "table" | "ul" | "ol" | "dl" | "dt" | "dd" | "h1" | "h2" | "h3" | "h4"
            | "h5" | "h6" | "hr" | "section" | "article" | "header" | "footer" | "address" | "center" | "form"
            | "fieldset" => self.end_line(),
            "td" | "th" => self.pending_space = true,
            _ => {}
        }
    }
}

/// Byte index of the `>` closing the tag that starts `rest`, quotes respected;
/// `None` when `<` does not open a tag (`a < b`).
pub(super) fn tag_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let next = *bytes.get(1)?;
    if !(next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')) {
        return None;
    }
    let mut quote = None;
    for (i, b) in bytes.iter().enumerate().skip(1) {
        match (quote, *b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Whether the tag closes an element, and its lower-cased name (`o:p`, `br` of `br/`).
pub(super) fn tag_name(tag: &str) -> (bool, String) {
    let tag = tag.trim_start();
    let (closing, tag) = match tag.strip_prefix('/') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, tag),
    };
    let name = tag
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect::<String>()
        .to_ascii_lowercase();
    (closing, name)
}

/// What follows the closing tag of `name`, if there is one.
pub(super) fn skip_element<'a>(rest: &'a str, name: &str) -> Option<&'a str> {
    for (i, _) in rest.match_indices("</") {
        let after = &rest[i + 2..];
        let matches = after
            .as_bytes()
            .get(..name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
        if matches {
            return Some(after.find('>').map_or("", |j| &after[j + 1..]));
        }
    }
    None
}

/// Decodes the character reference starting `rest` (at `&`): the character, if
/// any (soft hyphens and zero-width joiners give none), and the bytes consumed.
pub(super) fn entity(rest: &str) -> (Option<char>, usize) {
    let semicolon = rest.char_indices().take(34).find(|(_, c)| *c == ';').map(|(i, _)| i);
    let Some(end) = semicolon else {
        return (Some('&'), 1);
    };
    let body = &rest[1..end];
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse::<u32>().ok(),
        };
        code.map(numeric_reference)
    } else {
        match named_entity(body) {
            NamedEntity::Char(c) => Some(Some(c)),
            NamedEntity::Invisible => Some(None),
            NamedEntity::Unknown => None,
        }
    };
    match decoded {
        Some(c) => (c, end + 1),
        None => (Some('&'), 1),
    }
}

/// HTML maps references in 128–159 to Windows-1252, as Outlook still writes `&#146;` for ’.
pub(super) fn numeric_reference(code: u32) -> Option<char> {
    match code {
        0 => Some('\u{fffd}'),
        0x80..=0x9f => {
            let byte = [u8::try_from(code).unwrap_or(b'?')];
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&byte)
                .0
                .chars()
                .next()
        }
        _ => char::from_u32(code).filter(|c| !c.is_control() || *c == '\n' || *c == '\t'),
    }
}

/// What a named character reference stands for.
pub(super) enum NamedEntity {
    /// A character.
    Char(char),
    /// Nothing visible (soft hyphen, zero-width joiners, direction marks).
    Invisible,
    /// Not a reference HTML knows: the `&` is kept as text.
    Unknown,
}

/// Decodes a named reference (`eacute`) with mail-parser's table of every HTML5
/// entity, rather than a hand-kept list of the common ones.
pub(super) fn named_entity(name: &str) -> NamedEntity {
    let token = format!("&{name};");
    let mut decoded = String::new();
    mail_parser::decoders::html::add_html_token(&mut decoded, token.as_bytes(), false);
    if decoded == token {
        return NamedEntity::Unknown;
    }
    match decoded.chars().next() {
        Some('\u{ad}' | '\u{200b}'..='\u{200f}') => NamedEntity::Invisible,
        // Typographic spaces read as plain spaces in a timeline entry.
        Some('\u{2002}'..='\u{200a}') => NamedEntity::Char(' '),
        Some(c) => NamedEntity::Char(c),
        None => NamedEntity::Unknown,
    }
}
