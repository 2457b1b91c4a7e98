//! Mbox files: split on `From ` lines (mboxrd or mboxo) and parsed one message at a time.

use super::*;

/// Splits an mbox (mboxrd or mboxo `From ` lines, `>From ` unescaped) and parses
/// each message; bad ones are reported with their 1-based index and byte offset.
pub fn parse_mbox(bytes: &[u8]) -> (Vec<MailMessage>, Vec<MboxError>) {
    let parser = MessageParser::new();
    let mut messages = Vec::new();
    let mut errors = Vec::new();
    for (i, (offset, raw)) in split_mbox(bytes).into_iter().enumerate() {
        match parse_with(&parser, &unescape_from(raw)) {
            Ok(message) => messages.push(message),
            Err(e) => errors.push(MboxError {
                index: i + 1,
                offset,
                code: e
                    .0
                    .first()
                    .map_or_else(|| "mail.not_a_message".to_owned(), |f| f.code.clone()),
            }),
        }
    }
    (messages, errors)
}

/// The messages of an mbox: the offset of each separator line and the bytes
/// after it. Text before the first separator (a lone .eml) is a message too.
pub(super) fn split_mbox(bytes: &[u8]) -> Vec<(usize, &[u8])> {
    let mut separators = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| start + i + 1);
        if is_separator(&bytes[start..end]) {
            separators.push((start, end));
        }
        start = end;
    }
    let mut chunks = Vec::new();
    let first = separators.first().map_or(bytes.len(), |(s, _)| *s);
    if !bytes[..first].trim_ascii().is_empty() {
        chunks.push((0, &bytes[..first]));
    }
    for (k, (sep_start, body_start)) in separators.iter().enumerate() {
        let body_end = separators.get(k + 1).map_or(bytes.len(), |(s, _)| *s);
        chunks.push((*sep_start, &bytes[*body_start..body_end]));
    }
    chunks
}

/// A `From ` envelope line: `From sender date`, with a time and a year, so a
/// stray unescaped "From now on…" in an mboxo body does not split a message.
pub(super) fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let has_time = rest
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    let has_year = rest.windows(4).any(|w| w.iter().all(u8::is_ascii_digit));
    has_time && has_year
}

/// Removes one `>` from `>From `, `>>From `… lines (mboxrd; also right for mboxo's `>From `).
pub(super) fn unescape_from(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.windows(6).any(|w| w == b">From ") {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    for line in raw.split_inclusive(|b| *b == b'\n') {
        let quotes = line.iter().take_while(|b| **b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    Cow::Owned(out)
}
