//! Plain-text templates with `{placeholders}`, as workspaces write their letters
//! (complaint acknowledgements and answers, payment reminders): the placeholders a
//! text uses, those it may not, and the text filled in.

/// The placeholders `text` uses, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if !after[..end].contains('{') => {
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// The placeholders of `text` that are not among `known`.
pub fn unknown(text: &str, known: &[&str]) -> Vec<String> {
    placeholders(text)
        .into_iter()
        .filter(|p| !known.contains(&p.as_str()))
        .collect()
}

/// Fills `text`'s placeholders with `value`; one it does not know stays as
/// written. Blank lines left by an empty value collapse, so an optional paragraph
/// leaves no gap.
pub fn fill<'a>(text: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').and_then(|end| value(&after[..end]).map(|v| (end, v))) {
            Some((end, v)) => {
                out.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_unknown_and_filled() {
        assert_eq!(placeholders("a {x} b {y}{z} {"), vec!["x", "y", "z"]);
        assert_eq!(unknown("{x} {nope}", &["x"]), vec!["nope".to_owned()]);
        let v = |k: &str| match k {
            "x" => Some("1"),
            "empty" => Some(""),
            _ => None,
        };
        assert_eq!(fill("{x} {y}", v), "1 {y}");
        assert_eq!(fill("a\n\n{empty}\n\nb", v), "a\n\nb");
        assert_eq!(fill("a { b", v), "a { b");
    }
}
