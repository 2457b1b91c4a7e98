//! Quoted replies: where the sender's new text ends and the thread they answered begins.

use super::*;

/// Removes the quoted part of a reply: `>` lines and everything from the
/// attribution line (`Le … a écrit :`, `On … wrote:`) or Outlook's header block
/// (`De : … Envoyé : …`) on. Forwarded messages below a forward marker are kept.
pub(super) fn strip_quoted(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let folded: Vec<String> = lines.iter().map(|l| fold(l)).collect();
    let forward = folded
        .iter()
        .position(|l| !l.starts_with('>') && is_forward_marker(l))
        .unwrap_or(lines.len());
    let cut = (0..forward).find_map(|i| reply_start(&folded, i));
    let mut kept: Vec<&str> = lines[..cut.unwrap_or(forward)]
        .iter()
        .copied()
        .filter(|l| !l.trim_start().starts_with('>'))
        .collect();
    // A forward below the reply is part of the quoted thread; on its own it is the content.
    if cut.is_none() {
        kept.extend_from_slice(&lines[forward..]);
    }
    let stripped = tidy(&kept.join("\n"));
    // A message made only of quotes (an inline forward with `>`) keeps its text.
    if stripped.is_empty() {
        tidy(&text)
    } else {
        stripped
    }
}

/// Lower-cased, without accents or `*` (bold in plain text), whitespace collapsed:
/// quote headers are matched whatever the client's typography.
pub(super) fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) || c == '*' {
            continue;
        }
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The line where the quoted part starts if line `i` opens it, looking back over
/// the separator line Outlook draws above its header block.
pub(super) fn reply_start(folded: &[String], i: usize) -> Option<usize> {
    let line = folded[i].as_str();
    let dashes = line.trim_matches(|c: char| c == '-' || c == ' ');
    if dashes == "original message" || dashes == "message d'origine" || dashes == "message d’origine" {
        return Some(i);
    }
    if is_attribution(folded, i) {
        return Some(i);
    }
    if has_label(line, &["de", "from"])
        && folded
            .iter()
            .skip(i + 1)
            .take(4)
            .any(|l| has_label(l, &["envoye", "sent", "date", "envoye le"]))
    {
        let mut start = i;
        while start > 0 {
            let previous = folded[start - 1].as_str();
            let rule = previous.len() >= 5 && previous.chars().all(|c| matches!(c, '_' | '-' | '='));
            if previous.is_empty() || rule {
                start -= 1;
            } else {
                break;
            }
        }
        return Some(start);
    }
    None
}

/// `Le 12 nov. 2026 à 10:00, Marie <m@acme.fr> a écrit :` or `On … wrote:`,
/// possibly wrapped over up to three lines; a date digit rules out prose such
/// as "Le client a écrit :".
pub(super) fn is_attribution(folded: &[String], i: usize) -> bool {
    let first = folded[i].as_str();
    if !(first.starts_with("le ") || first.starts_with("on ")) {
        return false;
    }
    let mut joined = String::new();
    for (k, line) in folded.iter().skip(i).take(3).enumerate() {
        // A wrapped attribution has no blank line, ends no sentence and starts only once.
        if k > 0 && (line.is_empty() || line.starts_with("le ") || line.starts_with("on ")) {
            return false;
        }
        if joined.ends_with(['.', '!', '?']) {
            return false;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(line);
        if joined.len() > 400 {
            return false;
        }
        let end = joined.trim_end_matches([':', ' ']);
        if end.ends_with(" a ecrit") || end.ends_with(" wrote") {
            return joined.chars().any(|c| c.is_ascii_digit());
        }
    }
    false
}

/// True when `line` starts with one of `labels` followed by a colon.
pub(super) fn has_label(line: &str, labels: &[&str]) -> bool {
    labels.iter().any(|label| {
        line.strip_prefix(label)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

pub(super) fn is_forward_marker(line: &str) -> bool {
    [
        "forwarded message",
        "message transfere",
        "debut du message reexpedie",
        "begin forwarded message",
    ]
    .iter()
    .any(|marker| line.contains(marker))
}

pub(super) fn is_forward_subject(subject: &str) -> bool {
    let subject = fold(subject);
    ["tr", "fw", "fwd", "wg"]
        .iter()
        .any(|prefix| has_label(&subject, &[prefix]))
}

/// Trims line ends and the whole text, and keeps at most one blank line in a row.
pub(super) fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}
