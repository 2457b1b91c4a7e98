//! Text normalisation for search and sorting: the same on every database, so
//! "Société Générale" is found by "societe generale" on SQLite and PostgreSQL alike.

use unicode_normalization::UnicodeNormalization;

/// Lower-cases, removes accents and folds ligatures and punctuation to spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
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
            last_space = false;
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(normalize("Société Générale"), "societe generale");
        assert_eq!(normalize("  L'Œuvre — Café!  "), "l oeuvre cafe");
        assert_eq!(normalize("ÉTÉ"), "ete");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("552 100 554"), "552 100 554");
    }

    #[test]
    fn terms() {
        assert_eq!(query_terms("  Générale,  société "), vec!["generale", "societe"]);
        assert!(query_terms("  ,; ").is_empty());
    }
}
