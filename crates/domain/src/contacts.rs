//! Contacts: the people of a client account and their roles in the buying centre.

use crate::validation::{is_plausible_email, optional_text, required_text, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A contact's role in the buying centre (centre d'achat); a contact may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BuyingRole {
    /// Sponsor on the client side.
    Sponsor,
    /// Décideur.
    DecisionMaker,
    /// Acheteur.
    Buyer,
    /// Prescripteur.
    Prescriber,
    /// Utilisateur clé.
    KeyUser,
    /// Finance (comptabilité fournisseurs, DAF).
    Finance,
}

impl BuyingRole {
    /// Every role.
    pub const ALL: [BuyingRole; 6] = [
        Self::Sponsor,
        Self::DecisionMaker,
        Self::Buyer,
        Self::Prescriber,
        Self::KeyUser,
        Self::Finance,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sponsor => "sponsor",
            Self::DecisionMaker => "decision_maker",
            Self::Buyer => "buyer",
            Self::Prescriber => "prescriber",
            Self::KeyUser => "key_user",
            Self::Finance => "finance",
        }
    }

    /// Parses a code or a French/English label.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).replace(' ', "_").as_str() {
            "sponsor" => Some(Self::Sponsor),
            "decision_maker" | "decideur" | "decisionnaire" => Some(Self::DecisionMaker),
            "buyer" | "acheteur" | "achats" | "purchasing" => Some(Self::Buyer),
            "prescriber" | "prescripteur" | "influencer" | "influenceur" => Some(Self::Prescriber),
            "key_user" | "utilisateur_cle" | "user" | "utilisateur" => Some(Self::KeyUser),
            "finance" | "comptabilite" | "daf" | "accounting" => Some(Self::Finance),
            _ => None,
        }
    }

    /// Parses a list of roles separated by commas, semicolons or pipes.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, String> {
        let mut roles = Vec::new();
        for part in raw.split([',', ';', '|']).map(str::trim).filter(|p| !p.is_empty()) {
            let r = Self::parse(part).ok_or_else(|| part.to_owned())?;
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
        Ok(roles)
    }

    /// Stores a role list as text (`buyer,finance`).
    pub fn join(roles: &[Self]) -> String {
        roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

/// Interface and survey languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// French (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Language {
    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// Parses a code or a name; `fr-FR`, `en_GB` accepted.
    pub fn parse(raw: &str) -> Option<Self> {
        let n = crate::search::normalize(raw);
        let head = n.split(' ').next().unwrap_or("");
        match head {
            "fr" | "french" | "francais" | "fra" => Some(Self::Fr),
            "en" | "english" | "anglais" | "eng" => Some(Self::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            if let Some(lang) = Self::parse(tag.split('-').next().unwrap_or("")) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

/// A contact as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// The account the person works for.
    pub account_id: Uuid,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: String,
    /// E-mail address, lower-cased.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Buying-centre roles.
    pub roles: Vec<BuyingRole>,
    /// Site or business unit the person belongs to.
    pub site_id: Option<Uuid>,
    /// Preferred language.
    pub language: Language,
    /// Consent to be surveyed.
    pub survey_consent: bool,
    /// Date the person left the company (a churn signal when a sponsor leaves).
    pub left_on: Option<NaiveDate>,
    /// External reference for re-imports.
    pub external_ref: Option<String>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation instant.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last update instant.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Contact {
    /// "First Last", or the last name alone.
    pub fn full_name(&self) -> String {
        match &self.first_name {
            Some(f) => format!("{f} {}", self.last_name),
            None => self.last_name.clone(),
        }
    }

    /// The contact's fields as input text.
    pub fn to_input(&self) -> ContactInput {
        ContactInput {
            account_id: Some(self.account_id.to_string()),
            first_name: self.first_name.clone(),
            last_name: Some(self.last_name.clone()),
            email: self.email.clone(),
            phone: self.phone.clone(),
            job_title: self.job_title.clone(),
            roles: Some(BuyingRole::join(&self.roles)),
            site_id: self.site_id.map(|s| s.to_string()),
            language: Some(self.language.code().to_owned()),
            survey_consent: Some(if self.survey_consent { "true" } else { "false" }.to_owned()),
            left_on: self.left_on.map(|d| d.to_string()),
            external_ref: self.external_ref.clone(),
            account_ref: None,
        }
    }
}

/// Raw contact input (forms, API, CSV).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactInput {
    /// Account id (required unless `account_ref` finds the account).
    pub account_id: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name (required).
    pub last_name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Roles, comma-separated codes or labels.
    pub roles: Option<String>,
    /// Site id.
    pub site_id: Option<String>,
    /// Language code.
    pub language: Option<String>,
    /// Consent to surveys: yes/no, oui/non, true/false, 1/0.
    pub survey_consent: Option<String>,
    /// Date the person left.
    pub left_on: Option<String>,
    /// External reference.
    pub external_ref: Option<String>,
    /// In imports: the account's SIREN, external reference or exact name.
    pub account_ref: Option<String>,
}

/// A validated contact.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    /// Account id, when given directly.
    pub account_id: Option<Uuid>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: String,
    /// E-mail, lower-cased.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Roles.
    pub roles: Vec<BuyingRole>,
    /// Site.
    pub site_id: Option<Uuid>,
    /// Language.
    pub language: Language,
    /// Consent.
    pub survey_consent: bool,
    /// Left on.
    pub left_on: Option<NaiveDate>,
    /// External reference.
    pub external_ref: Option<String>,
}

/// Parses a yes/no value as found in forms and spreadsheets.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match crate::search::normalize(raw).as_str() {
        "1" | "true" | "yes" | "oui" | "y" | "o" | "on" | "x" | "vrai" => Some(true),
        "0" | "false" | "no" | "non" | "n" | "off" | "faux" | "" => Some(false),
        _ => None,
    }
}

impl ContactInput {
    /// Validates every field.
    pub fn validate(&self) -> Result<NewContact, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let account_id = self
            .account_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|raw| {
                let id = Uuid::parse_str(raw).ok();
                if id.is_none() {
                    e.add("account_id", "id.invalid");
                }
                id
            });
        let first_name = optional_text(&mut e, "first_name", self.first_name.as_deref(), 100);
        let last_name = required_text(&mut e, "last_name", self.last_name.as_deref(), 100);
        let email = optional_text(&mut e, "email", self.email.as_deref(), 254).map(|m| m.to_lowercase());
        if let Some(m) = &email {
            if !is_plausible_email(m) {
                e.add("email", "email.invalid");
            }
        }
        let phone = optional_text(&mut e, "phone", self.phone.as_deref(), 40);
        if let Some(p) = &phone {
            if !p.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c)) {
                e.add("phone", "phone.invalid");
            }
        }
        let job_title = optional_text(&mut e, "job_title", self.job_title.as_deref(), 150);
        let roles = match self.roles.as_deref() {
            None => Vec::new(),
            Some(raw) => BuyingRole::parse_list(raw).unwrap_or_else(|_| {
                e.add("roles", "roles.invalid");
                Vec::new()
            }),
        };
        let site_id = self
            .site_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|raw| {
                let id = Uuid::parse_str(raw).ok();
                if id.is_none() {
                    e.add("site_id", "id.invalid");
                }
                id
            });
        let language = match self.language.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Language::Fr,
            Some(raw) => Language::parse(raw).unwrap_or_else(|| {
                e.add("language", "language.invalid");
                Language::Fr
            }),
        };
        let survey_consent = match self.survey_consent.as_deref() {
            None => false,
            Some(raw) => parse_bool(raw).unwrap_or_else(|| {
                e.add("survey_consent", "bool.invalid");
                false
            }),
        };
        let left_on = self
            .left_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|raw| {
                let d = crate::accounts::parse_date(raw);
                if d.is_none() {
                    e.add("left_on", "date.invalid");
                }
                d
            });
        let external_ref = optional_text(&mut e, "external_ref", self.external_ref.as_deref(), 100);
        e.into_result()?;
        Ok(NewContact {
            account_id,
            first_name,
            last_name,
            email,
            phone,
            job_title,
            roles,
            site_id,
            language,
            survey_consent,
            left_on,
            external_ref,
        })
    }
}

impl NewContact {
    /// Normalised text indexed for search.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = vec![self.last_name.as_str()];
        for p in [&self.first_name, &self.email, &self.job_title].into_iter().flatten() {
            parts.push(p);
        }
        crate::search::normalize(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_in_both_languages() {
        assert_eq!(
            BuyingRole::parse_list("Décideur; acheteur, key_user"),
            Ok(vec![BuyingRole::DecisionMaker, BuyingRole::Buyer, BuyingRole::KeyUser])
        );
        assert_eq!(BuyingRole::parse_list("pilote"), Err("pilote".into()));
        assert_eq!(
            BuyingRole::join(&[BuyingRole::Buyer, BuyingRole::Finance]),
            "buyer,finance"
        );
    }

    #[test]
    fn accept_language() {
        assert_eq!(
            Language::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"),
            Some(Language::En)
        );
        assert_eq!(
            Language::from_accept_language("de-DE,fr;q=0.5,en;q=0.7"),
            Some(Language::En)
        );
        assert_eq!(Language::from_accept_language("de"), None);
    }

    #[test]
    fn contact_validation() {
        let c = ContactInput {
            last_name: Some("Dupont".into()),
            email: Some("Marie.Dupont@ACME.fr".into()),
            roles: Some("buyer".into()),
            survey_consent: Some("oui".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(c.email.as_deref(), Some("marie.dupont@acme.fr"));
        assert!(c.survey_consent);
        let e = ContactInput {
            email: Some("nope".into()),
            phone: Some("call me".into()),
            survey_consent: Some("maybe".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let codes: Vec<_> = e.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            vec!["required", "email.invalid", "phone.invalid", "bool.invalid"]
        );
    }
}
