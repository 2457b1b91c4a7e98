//! Numbers, percentages and plurals as each language writes them: the one place
//! every page, e-mail and document formats a figure.
//!
//! French groups thousands with a narrow no-break space and writes decimals with
//! a comma (`18 406`, `24,9`, `80 %`); English groups with a comma and writes a
//! point (`18,406`, `24.9`, `80%`). Plural categories follow CLDR (French counts
//! 0 and 1 as singular, English only 1).

use crate::Lang;
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use rust_decimal::Decimal;
use std::sync::LazyLock;

/// The narrow no-break space French puts between thousands and before `%` or `:`.
pub const NNBSP: char = '\u{202F}';

fn group_separator(lang: Lang) -> char {
    match lang {
        Lang::Fr => NNBSP,
        Lang::En => ',',
    }
}

fn decimal_separator(lang: Lang) -> char {
    match lang {
        Lang::Fr => ',',
        Lang::En => '.',
    }
}

/// Groups the digits of an unsigned integer written in ASCII.
fn grouped(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    let first = digits.len() % 3;
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (i + 3 - first) % 3 == 0 {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A whole number: `18 406` / `18,406`; negatives with a true minus sign.
pub fn integer(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let body = grouped(&digits, group_separator(lang));
    if n < 0 {
        format!("\u{2212}{body}")
    } else {
        body
    }
}

/// A count of things (`usize` from a list's length).
pub fn count(lang: Lang, n: usize) -> String {
    integer(lang, i64::try_from(n).unwrap_or(i64::MAX))
}

/// A decimal with exactly `places` decimals: `24,9` / `24.9`, `5,32` / `5.32`.
pub fn decimal(lang: Lang, d: Decimal, places: u32) -> String {
    let mut r = d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    let text = r.abs().to_string();
    let (int_part, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (text, None),
    };
    let mut out = String::new();
    if r.is_sign_negative() {
        out.push('\u{2212}');
    }
    out.push_str(&grouped(&int_part, group_separator(lang)));
    if let Some(f) = frac {
        out.push(decimal_separator(lang));
        out.push_str(&f);
    }
    out
}

/// A score as the domain computed it (NPS one decimal, CES two): its own scale kept.
pub fn score(lang: Lang, d: Decimal) -> String {
    decimal(lang, d, d.scale())
}

/// A percentage of 0–100 given as a number: `80 %` / `80%`.
pub fn percent(lang: Lang, d: Decimal, places: u32) -> String {
    let n = decimal(lang, d, places);
    match lang {
        Lang::Fr => format!("{n}{NNBSP}%"),
        Lang::En => format!("{n}%"),
    }
}

/// "Label: value" punctuation: French puts a no-break space before the colon.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\u{a0}: ",
        Lang::En => ": ",
    }
}

/// Quotation marks around a quoted text: `« livraison »` / `“livraison”`.
pub fn quoted(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Fr => format!("«\u{a0}{text}\u{a0}»"),
        Lang::En => format!("\u{201c}{text}\u{201d}"),
    }
}

const WEEKDAYS_FR: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const MONTHS_FR_SHORT: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
];

/// A day written out: `vendredi 4 décembre 2026`, `Friday 4 December 2026`.
pub fn long_date(lang: Lang, d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let wd = d.weekday().num_days_from_monday() as usize;
    let m = d.month0() as usize;
    match lang {
        Lang::Fr => format!(
            "{} {} {} {}",
            WEEKDAYS_FR[wd],
            if d.day() == 1 {
                "1er".to_owned()
            } else {
                d.day().to_string()
            },
            MONTHS_FR[m],
            d.year()
        ),
        Lang::En => format!("{} {} {} {}", WEEKDAYS_EN[wd], d.day(), MONTHS_EN[m], d.year()),
    }
}

/// A month and year: `décembre 2026`, `December 2026`; short: `déc. 2026`, `Dec 2026`.
pub fn month(lang: Lang, d: chrono::NaiveDate, short: bool) -> String {
    use chrono::Datelike;
    let m = d.month0() as usize;
    let name = match (lang, short) {
        (Lang::Fr, false) => MONTHS_FR[m].to_owned(),
        (Lang::En, false) => MONTHS_EN[m].to_owned(),
        (Lang::Fr, true) => MONTHS_FR_SHORT[m].to_owned(),
        (Lang::En, true) => MONTHS_EN[m].chars().take(3).collect(),
    };
    format!("{name} {}", d.year())
}

/// A period code as people read it: `2026-11` → `nov. 2026` / `Nov 2026`,
/// `2026-Q4` → `T4 2026` / `Q4 2026`; anything else as it is.
pub fn period(lang: Lang, code: &str) -> String {
    if let Some((year, q)) = code.split_once("-Q") {
        return match lang {
            Lang::Fr => format!("T{q} {year}"),
            Lang::En => format!("Q{q} {year}"),
        };
    }
    match chrono::NaiveDate::parse_from_str(&format!("{code}-01"), "%Y-%m-%d") {
        Ok(d) => month(lang, d, true),
        Err(_) => code.to_owned(),
    }
}

static RULES_FR: LazyLock<Option<PluralRules>> = LazyLock::new(|| rules("fr"));
static RULES_EN: LazyLock<Option<PluralRules>> = LazyLock::new(|| rules("en"));

fn rules(code: &str) -> Option<PluralRules> {
    let id: unic_langid::LanguageIdentifier = code.parse().ok()?;
    PluralRules::create(id, PluralRuleType::CARDINAL).ok()
}

/// Whether `n` takes the singular ("one") form in a language, per CLDR.
pub fn is_singular(lang: Lang, n: u64) -> bool {
    let rules = match lang {
        Lang::Fr => &*RULES_FR,
        Lang::En => &*RULES_EN,
    };
    match rules.as_ref().and_then(|r| r.select(n).ok()) {
        Some(c) => c == PluralCategory::ONE,
        // The rules are compiled in; should they ever fail, the languages' own rule.
        None => n == 1 || (lang == Lang::Fr && n == 0),
    }
}

/// `n` and its noun in the right form: `0 invitation programmée`, `2 invitations
/// programmées`, `1 answer`, `0 answers`. `one` and `other` hold `{n}` where the
/// number goes.
pub fn plural(lang: Lang, n: u64, one: &str, other: &str) -> String {
    let form = if is_singular(lang, n) { one } else { other };
    form.replace("{n}", &integer(lang, i64::try_from(n).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_decimals_per_language() {
        assert_eq!(integer(Lang::Fr, 18_406), "18\u{202f}406");
        assert_eq!(integer(Lang::En, 18_406), "18,406");
        assert_eq!(integer(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(integer(Lang::En, 999), "999");
        assert_eq!(integer(Lang::Fr, -12_000), "\u{2212}12\u{202f}000");
        assert_eq!(integer(Lang::En, 0), "0");
        assert_eq!(decimal(Lang::Fr, Decimal::new(249, 1), 1), "24,9");
        assert_eq!(decimal(Lang::En, Decimal::new(249, 1), 1), "24.9");
        assert_eq!(score(Lang::Fr, Decimal::new(532, 2)), "5,32");
        assert_eq!(decimal(Lang::Fr, Decimal::new(-1000, 1), 1), "\u{2212}100,0");
        assert_eq!(decimal(Lang::En, Decimal::new(12_345_678, 2), 2), "123,456.78");
        // Rounding half away from zero, and never "−0,0".
        assert_eq!(decimal(Lang::En, Decimal::new(-4, 2), 1), "0.0");
        assert_eq!(decimal(Lang::En, Decimal::new(25, 2), 1), "0.3");
    }

    #[test]
    fn percentages_and_punctuation() {
        assert_eq!(percent(Lang::Fr, Decimal::from(80), 0), "80\u{202f}%");
        assert_eq!(percent(Lang::En, Decimal::from(80), 0), "80%");
        assert_eq!(colon(Lang::En), ": ");
        assert_eq!(quoted(Lang::En, "livraison"), "\u{201c}livraison\u{201d}");
        assert_eq!(quoted(Lang::Fr, "livraison"), "«\u{a0}livraison\u{a0}»");
    }

    #[test]
    fn dates_written_out() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(long_date(Lang::Fr, d), "vendredi 4 décembre 2026");
        assert_eq!(long_date(Lang::En, d), "Friday 4 December 2026");
        let first = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        assert_eq!(long_date(Lang::Fr, first), "dimanche 1er février 2026");
        assert_eq!(month(Lang::Fr, first, true), "févr. 2026");
        assert_eq!(month(Lang::Fr, d, true), "déc. 2026");
        assert_eq!(month(Lang::En, d, true), "Dec 2026");
        let sept = chrono::NaiveDate::from_ymd_opt(2026, 9, 4).unwrap();
        assert_eq!(month(Lang::Fr, sept, true), "sept. 2026");
        assert_eq!(month(Lang::Fr, sept, false), "septembre 2026");
    }

    #[test]
    fn periods_read_as_months_and_quarters() {
        assert_eq!(period(Lang::Fr, "2026-11"), "nov. 2026");
        assert_eq!(period(Lang::En, "2026-11"), "Nov 2026");
        assert_eq!(period(Lang::Fr, "2026-Q4"), "T4 2026");
        assert_eq!(period(Lang::En, "2026-Q4"), "Q4 2026");
        assert_eq!(period(Lang::En, "week 3"), "week 3");
    }

    #[test]
    fn plurals_follow_each_language() {
        let fr = |n| plural(Lang::Fr, n, "{n} invitation programmée", "{n} invitations programmées");
        assert_eq!(fr(0), "0 invitation programmée");
        assert_eq!(fr(1), "1 invitation programmée");
        assert_eq!(fr(2), "2 invitations programmées");
        assert_eq!(fr(1500), "1\u{202f}500 invitations programmées");
        let en = |n| plural(Lang::En, n, "{n} answer", "{n} answers");
        assert_eq!(en(0), "0 answers");
        assert_eq!(en(1), "1 answer");
        assert_eq!(en(21), "21 answers");
    }
}
