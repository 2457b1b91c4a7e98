//! What the timeline keeps of a message: a short summary, and whether an address is a free-mail one.

use super::*;

/// A one-paragraph summary of `text`: whitespace collapsed, at most [`SUMMARY_CHARS`]
/// characters, cut at a word boundary with "…".
pub fn summary(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some((limit, _)) = collapsed.char_indices().nth(SUMMARY_CHARS) else {
        return collapsed;
    };
    // Room for the ellipsis.
    let limit = collapsed[..limit].char_indices().last().map_or(0, |(i, _)| i);
    let head = &collapsed[..limit];
    let cut = if collapsed[limit..].starts_with(' ') {
        head
    } else {
        match head.rfind(' ') {
            Some(space) if space > limit / 2 => &head[..space],
            _ => head,
        }
    };
    let cut = cut.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '('));
    format!("{cut}…")
}

/// Free-mail and consumer ISP domains: a sender there says nothing about their
/// company, so they must never match an account by domain.
pub fn is_free_mail_domain(domain: &str) -> bool {
    const DOMAINS: &[&str] = &[
        // France
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "cegetel.net",
        "club-internet.fr",
        "numericable.fr",
        "noos.fr",
        "bbox.fr",
        "laposte.net",
        "aliceadsl.fr",
        "libertysurf.fr",
        "voila.fr",
        "netcourrier.com",
        "caramail.com",
        "akeonet.com",
        // Belgium, Switzerland, Quebec
        "skynet.be",
        "telenet.be",
        "proximus.be",
        "bluewin.ch",
        "videotron.ca",
        "sympatico.ca",
        // International
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "outlook.fr",
        "live.com",
        "live.fr",
        "live.be",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "aol.fr",
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
        "tutanota.com",
        "tuta.io",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "web.de",
        "t-online.de",
        "libero.it",
        "fastmail.com",
        "hey.com",
    ];
    // These providers have one domain per country (yahoo.co.uk, gmx.de, hotmail.it…).
    const ANY_COUNTRY: &[&str] = &["gmx", "yahoo", "ymail", "hotmail"];
    let domain = domain
        .trim()
        .trim_start_matches('@')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if DOMAINS.contains(&domain.as_str()) {
        return true;
    }
    domain.split_once('.').is_some_and(|(provider, suffix)| {
        ANY_COUNTRY.contains(&provider)
            && suffix.split('.').count() <= 2
            && suffix
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphabetic()))
    })
}
