//! Bilan's French and English messages: interface labels and the text of every
//! error code. A missing key shows itself (the key) rather than failing.

use std::collections::HashMap;
use std::sync::LazyLock;

mod complaint_messages;
pub mod format;
mod home_messages;
mod invoice_messages;
mod job_messages;
mod key_account_messages;
mod messages;
mod review_messages;
mod survey_messages;

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Parses `fr` or `en`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| all_messages().map(|(k, fr, en)| (*k, (*fr, *en))).collect());

/// Every message of every table.
fn all_messages() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    messages::MESSAGES
        .iter()
        .chain(survey_messages::MESSAGES)
        .chain(job_messages::MESSAGES)
        .chain(home_messages::MESSAGES)
        .chain(complaint_messages::MESSAGES)
        .chain(invoice_messages::MESSAGES)
        .chain(key_account_messages::MESSAGES)
        .chain(review_messages::MESSAGES)
}

/// Every message as `(key, French, English)`: for checks that a page speaks one language.
pub fn messages() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    all_messages()
}

/// The message for `key` in `lang`; the key itself when unknown.
pub fn t(lang: Lang, key: &str) -> &str {
    match TABLE.get(key) {
        Some((fr, en)) => match lang {
            Lang::Fr => fr,
            Lang::En => en,
        },
        None => key,
    }
}

/// Whether a message exists for `key`.
pub fn has(key: &str) -> bool {
    TABLE.contains_key(key)
}

/// The message of an error code (`error.<code>`), falling back to a generic one.
pub fn error_message(lang: Lang, code: &str) -> &str {
    let key = format!("error.{code}");
    match TABLE.get(key.as_str()) {
        Some((fr, en)) => match lang {
            Lang::Fr => fr,
            Lang::En => en,
        },
        None => t(lang, "error.invalid"),
    }
}

/// `n` with the right form of a message that has `KEY.one` and `KEY.other`
/// variants, each holding `{n}`: "2 invitations programmées", "1 answer".
pub fn plural_t(lang: Lang, key: &str, n: u64) -> String {
    let one = t(lang, &format!("{key}.one")).to_owned();
    let other = t(lang, &format!("{key}.other")).to_owned();
    format::plural(lang, n, &one, &other)
}

/// A translator bound to one language, handy in templates: `{{ tr.t("accounts.title") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Lang);

impl Tr {
    /// The message for `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match TABLE.get(key) {
            Some((fr, en)) => match self.0 {
                Lang::Fr => fr,
                Lang::En => en,
            },
            None => key,
        }
    }

    /// The message of an error code.
    pub fn error(&self, code: &str) -> &'static str {
        let key = format!("error.{code}");
        match TABLE.get(key.as_str()) {
            Some((fr, en)) => match self.0 {
                Lang::Fr => fr,
                Lang::En => en,
            },
            None => match self.0 {
                Lang::Fr => "Valeur invalide",
                Lang::En => "Invalid value",
            },
        }
    }

    /// The language.
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, fr, en) in all_messages() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!fr.is_empty() && !en.is_empty(), "empty message for {k}");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(t(Lang::Fr, "nav.accounts"), "Comptes");
        assert_eq!(t(Lang::En, "nav.accounts"), "Accounts");
        assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
        assert_eq!(
            Tr(Lang::En).error("siren.invalid_key"),
            "The SIREN check key is wrong (typo?)"
        );
        assert_eq!(error_message(Lang::Fr, "unheard_of"), t(Lang::Fr, "error.invalid"));
    }
}

#[cfg(test)]
mod template_keys {
    /// Every literal key a template passes to `l.t("…")` has a message: a missing one
    /// would show its raw key to people.
    #[test]
    fn every_template_key_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/templates");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(path) = stack.pop() {
            for entry in std::fs::read_dir(&path).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                for part in text.split(".t(\"").skip(1) {
                    let key = part.split('"').next().unwrap_or("");
                    if !super::has(key) {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "messages missing for: {missing:#?}");
    }

    /// Every prefix + code a template builds with `l.tk(…)` has a message for each code.
    #[test]
    fn dynamic_keys_exist() {
        let codes: &[(&str, &[&str])] = &[
            (
                "channel.",
                &[
                    "email", "phone", "meeting", "visit", "chat", "whatsapp", "linkedin", "web_form", "letter",
                    "portal",
                ],
            ),
            ("direction.", &["inbound", "outbound"]),
            ("status.", &["prospect", "active", "lost"]),
            (
                "role.",
                &[
                    "sponsor",
                    "decision_maker",
                    "buyer",
                    "prescriber",
                    "key_user",
                    "finance",
                ],
            ),
            (
                "user_role.",
                &["admin", "manager", "account_manager", "finance", "support", "viewer"],
            ),
            ("audit.action.", &["create", "update", "delete"]),
            ("survey_kind.", &["nps", "csat", "ces"]),
            (
                "event.",
                &[
                    "delivery",
                    "intervention",
                    "support_exchange",
                    "meeting",
                    "invoice_sent",
                    "invoice_paid",
                    "complaint_resolved",
                    "review_held",
                    "manual",
                ],
            ),
            (
                "eligibility.",
                &[
                    "eligible",
                    "no_consent",
                    "left_company",
                    "no_email",
                    "surveyed_recently",
                ],
            ),
            ("outbox.status.", &["pending", "sending", "sent", "failed"]),
            ("jobs.status.", &["pending", "running", "done", "failed"]),
            (
                "jobs.kind.",
                &["purge_sessions", "apply_audit_retention", "purge_finished_jobs"],
            ),
            ("period.", &["month", "quarter"]),
            (
                "public.",
                &[
                    "unknown",
                    "unknown_title",
                    "answered",
                    "answered_title",
                    "expired",
                    "expired_title",
                    "not_yet_sent",
                    "not_yet_sent_title",
                    "thanks",
                    "thanks_title",
                    "throttled",
                    "throttled_title",
                    "unavailable",
                    "unavailable_title",
                ],
            ),
            (
                "mail.survey.",
                &["subject", "greeting", "intro", "cta", "expiry", "signature", "why"],
            ),
            (
                "satisfaction.",
                &[
                    "trend_nps",
                    "trend_csat",
                    "trend_ces",
                    "by_site",
                    "by_unit",
                    "by_role",
                    "by_segment",
                    "by_owner",
                ],
            ),
            (
                "audit.entity.",
                &[
                    "account",
                    "site",
                    "contact",
                    "user",
                    "token",
                    "interaction",
                    "survey",
                    "survey_rule",
                    "survey_answer",
                    "survey_send",
                    "survey_settings",
                    "outbox",
                    "complaint",
                    "complaint_settings",
                    "complaint_letter",
                ],
            ),
        ];
        for (prefix, list) in codes {
            for c in *list {
                assert!(super::has(&format!("{prefix}{c}")), "missing {prefix}{c}");
            }
        }
    }
}
