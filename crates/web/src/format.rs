//! How values are shown to people: dates, instants in the workspace's zone, money.

use bilan_domain::money::Money;
use bilan_i18n::Lang;
use chrono::{DateTime, NaiveDate, Utc};

/// The zone instants are shown in (the workspace default).
pub const DEFAULT_ZONE: chrono_tz::Tz = chrono_tz::Europe::Paris;

/// A calendar date: `31/03/2026` in French, `2026-03-31` in English.
pub fn date(lang: Lang, d: &NaiveDate) -> String {
    match lang {
        Lang::Fr => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// An optional date, or a dash.
pub fn opt_date(lang: Lang, d: &Option<NaiveDate>) -> String {
    d.as_ref().map(|d| date(lang, d)).unwrap_or_else(|| "—".into())
}

/// An instant in the workspace's zone.
pub fn instant(lang: Lang, t: &DateTime<Utc>) -> String {
    let local = t.with_timezone(&DEFAULT_ZONE);
    match lang {
        Lang::Fr => local.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// An amount of money.
pub fn money(lang: Lang, m: &Money) -> String {
    m.format(lang == Lang::Fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_paris_time() {
        let t = DateTime::parse_from_rfc3339("2026-07-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(instant(Lang::Fr, &t), "01/07/2026 12:00");
        let w = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(instant(Lang::En, &w), "2026-12-01 11:00");
    }
}
