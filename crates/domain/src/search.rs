//! Text normalisation for search and sorting: the same on every database, so
//! "Société Générale" is found by "societe generale" on SQLite and PostgreSQL alike.

/// Lower-cases, removes accents and folds ligatures and punctuation to spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars() {
        // Most text is ASCII, which compatibility decomposition leaves alone;
        // decomposing char by char is the same as decomposing the whole text
        // once combining marks are dropped (reordering only moves marks).
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            last_space = false;
        } else if c.is_ascii() {
            push_folded(&mut out, &mut last_space, c);
        } else {
            unicode_normalization::char::decompose_compatible(c, |d| push_folded(&mut out, &mut last_space, d));
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Appends one decomposed character of [`normalize`]'s output.
fn push_folded(out: &mut String, last_space: &mut bool, c: char) {
    if unicode_normalization::char::is_combining_mark(c) {
        return;
    }
    let folded: &str = match c {
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' => "ss",
        'ø' | 'Ø' => "o",
        'đ' | 'Đ' => "d",
        'ł' | 'Ł' => "l",
        _ => "",
    };
    if !folded.is_empty() {
        out.push_str(folded);
        *last_space = false;
    } else if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
        *last_space = false;
    } else if c.is_alphanumeric() {
        out.extend(c.to_lowercase());
        *last_space = false;
    } else if !*last_space {
        out.push(' ');
        *last_space = true;
    }
}

/// The words of a search query, normalised, each at most 64 characters, at most 8.
pub fn query_terms(query: &str) -> Vec<String> {
    normalize(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(64).collect())
        .take(8)
        .collect()
}

/// A piece of a snippet: text, and whether it matched a search term.
pub type SnippetPart = (String, bool);

/// A short excerpt of `text` around the first word matching a term (accent- and
/// case-insensitively, as a word prefix), with matching words marked; at most
/// `max_words` words, with "…" where it was cut.
pub fn snippet(text: &str, terms: &[String], max_words: usize) -> Vec<SnippetPart> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let matches = |w: &str| {
        let n = normalize(w);
        !n.is_empty()
            && terms
                .iter()
                .any(|t| n.split(' ').any(|part| part.starts_with(t.as_str())))
    };
    let first = words.iter().position(|w| matches(w)).unwrap_or(0);
    let start = first.saturating_sub(max_words / 3);
    let end = (start + max_words.max(1)).min(words.len());
    let mut parts: Vec<SnippetPart> = Vec::new();
    if start > 0 {
        parts.push(("… ".into(), false));
    }
    for (i, w) in words[start..end].iter().enumerate() {
        let sep = if i + 1 < end - start { " " } else { "" };
        if matches(w) {
            parts.push(((*w).to_owned(), true));
            if !sep.is_empty() {
                parts.push((sep.into(), false));
            }
        } else {
            match parts.last_mut() {
                Some((t, false)) => {
                    t.push_str(w);
                    t.push_str(sep);
                }
                _ => parts.push((format!("{w}{sep}"), false)),
            }
        }
    }
    if end < words.len() {
        parts.push((" …".into(), false));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(normalize("Société Générale"), "societe generale");
        assert_eq!(normalize("  L'Œuvre — Café!  "), "l oeuvre cafe");
        assert_eq!(normalize("ÉTÉ"), "ete");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("552 100 554"), "552 100 554");
    }

    /// The definition [`normalize`] speeds up: compatibility decomposition of the
    /// whole text, marks dropped, then the same folding.
    fn normalize_whole_text(text: &str) -> String {
        let mut out = String::new();
        let mut last_space = true;
        for c in text.nfkd() {
            push_folded(&mut out, &mut last_space, c);
        }
        if out.ends_with(' ') {
            out.pop();
        }
        out
    }

    #[test]
    fn char_by_char_decomposition_matches_the_whole_text() {
        let samples = [
            "Société Générale, L'Œuvre — Café ! Straße",
            "e\u{301}te\u{301} de\u{301}ja\u{300} vu", // marks already decomposed
            "Tiê\u{323}\u{302}ng Viê\u{323}t, tiếng Việt, ệ", // stacked marks in either order
            "ﬁnance ﬂux ＡＢＣ１２３ x² ½ ㎏ Å Ω ℌ",   // compatibility forms
            "한국어 日本語 Ελληνικά Ἀθῆναι русский ČŘŽ ąęłńóśźż",
            "\u{301}leading mark, trailing mark\u{301}",
            "tab\tnew\nline\r\u{a0}nbsp\u{200b}zero-width",
        ];
        for s in samples {
            assert_eq!(normalize(s), normalize_whole_text(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_normalises_as_the_whole_text_would(s in "\\PC{0,60}") {
            proptest::prop_assert_eq!(normalize(&s), normalize_whole_text(&s));
        }
    }

    #[test]
    fn snippets_mark_accent_insensitive_prefixes() {
        let terms = query_terms("livraison abime");
        let s = snippet("Bonjour, colis reçu abîmé : retard de livraison à Lyon.", &terms, 50);
        let marked: Vec<&str> = s.iter().filter(|(_, m)| *m).map(|(t, _)| t.as_str()).collect();
        assert_eq!(marked, vec!["abîmé", "livraison"]);
        let joined: String = s.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(joined, "Bonjour, colis reçu abîmé : retard de livraison à Lyon.");
        let long = format!("{} cible {}", "mot ".repeat(100), "fin ".repeat(100));
        let cut = snippet(&long, &query_terms("cible"), 10);
        let joined: String = cut.iter().map(|(t, _)| t.as_str()).collect();
        assert!(joined.starts_with("… ") && joined.ends_with(" …") && joined.contains("cible"));
        assert!(snippet("", &terms, 10).is_empty());
    }

    #[test]
    fn terms() {
        assert_eq!(query_terms("  Générale,  société "), vec!["generale", "societe"]);
        assert!(query_terms("  ,; ").is_empty());
    }
}
