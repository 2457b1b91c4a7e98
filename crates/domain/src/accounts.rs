//! Accounts (comptes clients): legal identity, status, ownership and contract dates.

use crate::identifiers::{parse_siren, parse_siret, parse_vat_number, siren_of_siret};
use crate::money::{parse_amount, Currency, Money};
use crate::validation::{optional_text, required_text, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where an account stands in the relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AccountStatus {
    /// Not yet a client.
    Prospect,
    /// A client under contract.
    Active,
    /// A former client (date and reason recorded).
    Lost,
}

impl AccountStatus {
    /// Every status.
    pub const ALL: [AccountStatus; 3] = [Self::Prospect, Self::Active, Self::Lost];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Prospect => "prospect",
            Self::Active => "active",
            Self::Lost => "lost",
        }
    }

    /// Parses a stable code or a French/English label as found in CRM exports.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).as_str() {
            "prospect" | "lead" | "opportunity" | "opportunite" | "piste" => Some(Self::Prospect),
            "active" | "actif" | "client" | "customer" | "en cours" => Some(Self::Active),
            "lost" | "perdu" | "churned" | "inactif" | "inactive" | "ancien client" => Some(Self::Lost),
            _ => None,
        }
    }
}

/// Company size bands as INSEE defines them (TPE, PME, ETI, GE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CompanySize {
    /// Micro-entreprise: fewer than 10 people.
    Micro,
    /// PME: fewer than 250 people.
    Small,
    /// ETI: fewer than 5,000 people.
    Intermediate,
    /// Grande entreprise.
    Large,
}

impl CompanySize {
    /// Every size band.
    pub const ALL: [CompanySize; 4] = [Self::Micro, Self::Small, Self::Intermediate, Self::Large];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Micro => "micro",
            Self::Small => "small",
            Self::Intermediate => "intermediate",
            Self::Large => "large",
        }
    }

    /// Parses a code, a French acronym (TPE, PME, ETI, GE) or a head-count band.
    pub fn parse(raw: &str) -> Option<Self> {
        let n = crate::search::normalize(raw);
        match n.as_str() {
            "micro" | "tpe" | "1 9" | "0 9" => Some(Self::Micro),
            "small" | "pme" | "10 49" | "50 249" | "10 249" => Some(Self::Small),
            "intermediate" | "eti" | "250 4999" | "250 999" | "1000 4999" => Some(Self::Intermediate),
            "large" | "ge" | "grande entreprise" | "5000" | "5000 plus" => Some(Self::Large),
            _ => {
                let count: u32 = n.split(' ').next()?.parse().ok()?;
                Some(match count {
                    0..=9 => Self::Micro,
                    10..=249 => Self::Small,
                    250..=4999 => Self::Intermediate,
                    _ => Self::Large,
                })
            }
        }
    }
}

/// An account as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// UUIDv7 identifier.
    pub id: Uuid,
    /// The workspace (supplier company) the account belongs to.
    pub workspace_id: Uuid,
    /// Usual name.
    pub name: String,
    /// Registered legal name (raison sociale), when it differs.
    pub legal_name: Option<String>,
    /// SIREN, 9 digits, key checked.
    pub siren: Option<String>,
    /// SIRET of the head office, 14 digits, key checked.
    pub siret: Option<String>,
    /// Intra-EU VAT number.
    pub vat_number: Option<String>,
    /// Business sector (free label, e.g. NAF section).
    pub sector: Option<String>,
    /// Size band.
    pub size: Option<CompanySize>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Street address.
    pub address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Relationship status.
    pub status: AccountStatus,
    /// When the account was lost.
    pub lost_on: Option<NaiveDate>,
    /// Why the account was lost.
    pub lost_reason: Option<String>,
    /// The user who owns the account (KAM).
    pub owner_id: Option<Uuid>,
    /// The executive sponsor on the supplier side.
    pub sponsor_id: Option<Uuid>,
    /// Start of the current contract.
    pub contract_start: Option<NaiveDate>,
    /// Renewal date of the current contract.
    pub renewal_date: Option<NaiveDate>,
    /// Notice period (préavis de résiliation): notice must be given this many days before the renewal date.
    pub notice_days: Option<u32>,
    /// Annual contract value.
    pub annual_value: Money,
    /// Free tags.
    pub tags: Vec<String>,
    /// Identifier in the system the account was imported from.
    pub external_ref: Option<String>,
    /// The client's web domain (`danone.com`), which also ties its people's e-mail to it.
    pub website: Option<String>,
    /// The client's switchboard number.
    pub phone: Option<String>,
    /// The client's own annual revenue (chiffre d'affaires), not what it buys from us.
    pub revenue: Option<Money>,
    /// The client's head count (effectif).
    pub headcount: Option<i64>,
    /// Optimistic-concurrency version, incremented by every update.
    pub version: i64,
    /// Creation instant (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last update instant (UTC).
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Raw account input as it comes from a form, the API or a CSV line: text everywhere,
/// so every layer validates the same way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountInput {
    /// Usual name (required).
    pub name: Option<String>,
    /// Registered legal name.
    pub legal_name: Option<String>,
    /// SIREN.
    pub siren: Option<String>,
    /// SIRET.
    pub siret: Option<String>,
    /// Intra-EU VAT number.
    pub vat_number: Option<String>,
    /// Sector.
    pub sector: Option<String>,
    /// Size band code.
    pub size: Option<String>,
    /// ISO country code (default FR).
    pub country: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Status code (default prospect).
    pub status: Option<String>,
    /// Date lost (ISO or day-first).
    pub lost_on: Option<String>,
    /// Reason lost.
    pub lost_reason: Option<String>,
    /// Owner user id.
    pub owner_id: Option<String>,
    /// Executive sponsor user id.
    pub sponsor_id: Option<String>,
    /// Contract start date.
    pub contract_start: Option<String>,
    /// Renewal date.
    pub renewal_date: Option<String>,
    /// Notice period in days (`90`, `90 jours`, `3 mois`).
    pub notice_days: Option<String>,
    /// Annual contract value, decimal (French or English notation).
    pub annual_value: Option<String>,
    /// Currency code (default EUR).
    pub currency: Option<String>,
    /// Tags separated by commas or semicolons.
    pub tags: Option<String>,
    /// External reference for de-duplication on re-import.
    pub external_ref: Option<String>,
    /// Web site or domain (`https://www.danone.com` is kept as `danone.com`).
    pub website: Option<String>,
    /// Switchboard phone number.
    pub phone: Option<String>,
    /// The client's own annual revenue (amount, in the account's currency).
    pub revenue: Option<String>,
    /// The client's head count (a whole number; a band such as "50-249" sets the size instead).
    pub headcount: Option<String>,
}

/// A validated account, ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewAccount {
    /// Usual name.
    pub name: String,
    /// Legal name.
    pub legal_name: Option<String>,
    /// SIREN (derived from the SIRET when only that is given).
    pub siren: Option<String>,
    /// SIRET.
    pub siret: Option<String>,
    /// VAT number.
    pub vat_number: Option<String>,
    /// Sector.
    pub sector: Option<String>,
    /// Size band.
    pub size: Option<CompanySize>,
    /// Country code.
    pub country: String,
    /// Address.
    pub address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Status.
    pub status: AccountStatus,
    /// Date lost.
    pub lost_on: Option<NaiveDate>,
    /// Reason lost.
    pub lost_reason: Option<String>,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Executive sponsor.
    pub sponsor_id: Option<Uuid>,
    /// Contract start.
    pub contract_start: Option<NaiveDate>,
    /// Renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Notice period, days.
    pub notice_days: Option<u32>,
    /// Annual contract value.
    pub annual_value: Money,
    /// Tags, normalised and de-duplicated.
    pub tags: Vec<String>,
    /// External reference.
    pub external_ref: Option<String>,
    /// Web domain.
    pub website: Option<String>,
    /// Switchboard phone.
    pub phone: Option<String>,
    /// The client's own revenue.
    pub revenue: Option<Money>,
    /// Head count.
    pub headcount: Option<i64>,
}

/// The domain of a web address: `https://www.Danone.com/fr/` → `danone.com`;
/// `None` when it holds no dotted host name.
pub fn parse_website(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    let s = s.split("://").last().unwrap_or(&s);
    let host = s.split(['/', '?', '#']).next().unwrap_or(s);
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let host = host.strip_prefix("www.").unwrap_or(host).trim_end_matches('.');
    let ok = host.contains('.')
        && host.len() <= 253
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    ok.then(|| host.to_owned())
}

/// A head count written as a whole number (`1 250`, `1,250`); `None` for a band or text.
pub fn parse_headcount(raw: &str) -> Option<i64> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | ',' | '.' | '\''))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Reads a notice period as days: `90`, `90 jours`, `90 days`, `3 mois` (30 days a
/// month); from 0 to 730 days.
pub fn parse_notice_days(raw: &str) -> Option<u32> {
    let t = crate::search::normalize(raw);
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let n: u32 = digits.parse().ok()?;
    let unit = t[digits.len()..].trim();
    let days = match unit {
        "" | "j" | "jour" | "jours" | "d" | "day" | "days" => n,
        "mois" | "month" | "months" => n.checked_mul(30)?,
        _ => return None,
    };
    (days <= 730).then_some(days)
}

/// Parses a calendar date written ISO (2026-03-31) or day-first (31/03/2026, 31.03.26).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    for fmt in [
        "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y", "%d.%m.%y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            if (1900..=2200).contains(&chrono::Datelike::year(&d)) {
                return Some(d);
            }
        }
    }
    None
}

/// Splits a tag list ("grand compte; industrie, Lyon") into clean, unique tags.
pub fn parse_tags(raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw.split([',', ';', '|']) {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && t.chars().count() <= 40 && !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags.truncate(20);
    tags
}

fn opt_date(errors: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_date(raw);
    if d.is_none() {
        errors.add(field, "date.invalid");
    }
    d
}

fn opt_uuid(errors: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<Uuid> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let id = Uuid::parse_str(raw).ok();
    if id.is_none() {
        errors.add(field, "id.invalid");
    }
    id
}

/// ISO 3166-1 alpha-2 codes of the countries Bilan's users sell to most, for
/// recognising country names in imports; any other two-letter code is accepted as is.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("france", "FR"),
    ("allemagne", "DE"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("belgique", "BE"),
    ("belgium", "BE"),
    ("espagne", "ES"),
    ("spain", "ES"),
    ("italie", "IT"),
    ("italy", "IT"),
    ("suisse", "CH"),
    ("switzerland", "CH"),
    ("luxembourg", "LU"),
    ("pays bas", "NL"),
    ("netherlands", "NL"),
    ("royaume uni", "GB"),
    ("united kingdom", "GB"),
    ("portugal", "PT"),
    ("irlande", "IE"),
    ("ireland", "IE"),
    ("autriche", "AT"),
    ("austria", "AT"),
    ("pologne", "PL"),
    ("poland", "PL"),
    ("suede", "SE"),
    ("sweden", "SE"),
    ("danemark", "DK"),
    ("denmark", "DK"),
];

/// Parses a country given as ISO code or as a common French or English name.
pub fn parse_country(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(t.to_ascii_uppercase());
    }
    let n = crate::search::normalize(t);
    COUNTRY_NAMES
        .iter()
        .find(|(name, _)| *name == n)
        .map(|(_, code)| (*code).to_owned())
}

impl AccountInput {
    /// Validates every field, reporting all problems at once.
    pub fn validate(&self) -> Result<NewAccount, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", self.name.as_deref(), 200);
        let legal_name = optional_text(&mut e, "legal_name", self.legal_name.as_deref(), 200);
        let siret = optional_text(&mut e, "siret", self.siret.as_deref(), 40).and_then(|raw| {
            parse_siret(&raw)
                .map_err(|err| e.add("siret", &format!("siret.{}", err.code())))
                .ok()
        });
        let mut siren = optional_text(&mut e, "siren", self.siren.as_deref(), 40).and_then(|raw| {
            parse_siren(&raw)
                .map_err(|err| e.add("siren", &format!("siren.{}", err.code())))
                .ok()
        });
        if let Some(siret) = &siret {
            let from_siret = siren_of_siret(siret).map(str::to_owned);
            match (&siren, from_siret) {
                (Some(s), Some(f)) if *s != f => e.add("siret", "siret.siren_mismatch"),
                (None, Some(f)) => siren = Some(f),
                _ => {}
            }
        }
        let vat_number = optional_text(&mut e, "vat_number", self.vat_number.as_deref(), 40).and_then(|raw| {
            parse_vat_number(&raw)
                .map_err(|err| e.add("vat_number", &format!("vat.{}", err.code())))
                .ok()
        });
        if let (Some(vat), Some(siren)) = (&vat_number, &siren) {
            if vat.starts_with("FR") && !vat.ends_with(siren.as_str()) {
                e.add("vat_number", "vat.siren_mismatch");
            }
        }
        let sector = optional_text(&mut e, "sector", self.sector.as_deref(), 100);
        let size = optional_text(&mut e, "size", self.size.as_deref(), 40).and_then(|raw| {
            let s = CompanySize::parse(&raw);
            if s.is_none() {
                e.add("size", "size.invalid");
            }
            s
        });
        let country = match optional_text(&mut e, "country", self.country.as_deref(), 60) {
            None => "FR".to_owned(),
            Some(raw) => parse_country(&raw).unwrap_or_else(|| {
                e.add("country", "country.invalid");
                String::new()
            }),
        };
        let address = optional_text(&mut e, "address", self.address.as_deref(), 300);
        let postal_code = optional_text(&mut e, "postal_code", self.postal_code.as_deref(), 20);
        let city = optional_text(&mut e, "city", self.city.as_deref(), 100);
        let status = match optional_text(&mut e, "status", self.status.as_deref(), 40) {
            None => AccountStatus::Prospect,
            Some(raw) => AccountStatus::parse(&raw).unwrap_or_else(|| {
                e.add("status", "status.invalid");
                AccountStatus::Prospect
            }),
        };
        let lost_on = opt_date(&mut e, "lost_on", self.lost_on.as_deref());
        let lost_reason = optional_text(&mut e, "lost_reason", self.lost_reason.as_deref(), 500);
        let owner_id = opt_uuid(&mut e, "owner_id", self.owner_id.as_deref());
        let sponsor_id = opt_uuid(&mut e, "sponsor_id", self.sponsor_id.as_deref());
        let contract_start = opt_date(&mut e, "contract_start", self.contract_start.as_deref());
        let renewal_date = opt_date(&mut e, "renewal_date", self.renewal_date.as_deref());
        if let (Some(s), Some(r)) = (contract_start, renewal_date) {
            if r < s {
                e.add("renewal_date", "renewal_date.before_start");
            }
        }
        let notice_days = match self.notice_days.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(raw) => parse_notice_days(raw).or_else(|| {
                e.add("notice_days", "notice_days.invalid");
                None
            }),
        };
        let currency = match optional_text(&mut e, "currency", self.currency.as_deref(), 3) {
            None => Currency::EUR,
            Some(raw) => Currency::parse(&raw).unwrap_or_else(|| {
                e.add("currency", "currency.invalid");
                Currency::EUR
            }),
        };
        let annual_value = match optional_text(&mut e, "annual_value", self.annual_value.as_deref(), 30) {
            None => Money { minor: 0, currency },
            Some(raw) => match parse_amount(&raw).and_then(|d| Money::from_decimal(d, currency)) {
                Some(m) if m.minor >= 0 => m,
                Some(_) => {
                    e.add("annual_value", "amount.negative");
                    Money { minor: 0, currency }
                }
                None => {
                    e.add("annual_value", "amount.invalid");
                    Money { minor: 0, currency }
                }
            },
        };
        let tags = self.tags.as_deref().map(parse_tags).unwrap_or_default();
        let external_ref = optional_text(&mut e, "external_ref", self.external_ref.as_deref(), 100);
        let website = optional_text(&mut e, "website", self.website.as_deref(), 300).and_then(|raw| {
            let w = parse_website(&raw);
            if w.is_none() {
                e.add("website", "website.invalid");
            }
            w
        });
        let phone = optional_text(&mut e, "phone", self.phone.as_deref(), 40);
        let revenue =
            optional_text(&mut e, "revenue", self.revenue.as_deref(), 30).and_then(|raw| {
                match parse_amount(&raw).and_then(|d| Money::from_decimal(d, currency)) {
                    Some(m) if m.minor >= 0 => Some(m),
                    Some(_) => {
                        e.add("revenue", "amount.negative");
                        None
                    }
                    None => {
                        e.add("revenue", "amount.invalid");
                        None
                    }
                }
            });
        let mut size = size;
        let headcount = optional_text(&mut e, "headcount", self.headcount.as_deref(), 30).and_then(|raw| {
            match parse_headcount(&raw) {
                Some(n) => Some(n),
                // A band ("50-249", "10 à 19") says the size, not a count.
                None => match CompanySize::parse(&raw) {
                    Some(band) => {
                        size = size.or(Some(band));
                        None
                    }
                    None => {
                        e.add("headcount", "headcount.invalid");
                        None
                    }
                },
            }
        });
        if size.is_none() {
            size = headcount.and_then(|n| CompanySize::parse(&n.to_string()));
        }
        if status == AccountStatus::Lost && lost_on.is_none() {
            e.add("lost_on", "lost_on.required");
        }
        e.into_result()?;
        Ok(NewAccount {
            name,
            legal_name,
            siren,
            siret,
            vat_number,
            sector,
            size,
            country,
            address,
            postal_code,
            city,
            status,
            lost_on: if status == AccountStatus::Lost { lost_on } else { None },
            lost_reason: if status == AccountStatus::Lost {
                lost_reason
            } else {
                None
            },
            owner_id,
            sponsor_id,
            contract_start,
            renewal_date,
            notice_days,
            annual_value,
            tags,
            external_ref,
            website,
            phone,
            revenue,
            headcount,
        })
    }
}

impl NewAccount {
    /// The normalised text indexed for search: names, identifiers, city.
    pub fn search_text(&self) -> String {
        let mut parts = vec![self.name.as_str()];
        for p in [
            &self.legal_name,
            &self.siren,
            &self.siret,
            &self.vat_number,
            &self.city,
            &self.external_ref,
        ]
        .into_iter()
        .flatten()
        {
            parts.push(p);
        }
        crate::search::normalize(&parts.join(" "))
    }
}

/// Where an account's renewal stands on a given day: what the account page and
/// "my day" show beside the renewal date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RenewalState {
    /// No renewal date, a prospect or a lost account: nothing to watch.
    None,
    /// Further away than the notice horizon.
    Later {
        /// Days left.
        days: i64,
    },
    /// Within [`RENEWAL_NOTICE_DAYS`] days: prepare it.
    Soon {
        /// Days left (0 on the day).
        days: i64,
    },
    /// Past, on an active account: the contract runs without a renewal decided.
    Lapsed {
        /// Days since.
        days: i64,
    },
}

/// How many days ahead a renewal stands out: about a quarter to prepare it.
pub const RENEWAL_NOTICE_DAYS: i64 = 90;

/// Where a renewal stands on `today`.
pub fn renewal_state(status: AccountStatus, renewal: Option<NaiveDate>, today: NaiveDate) -> RenewalState {
    let Some(r) = renewal else { return RenewalState::None };
    if status != AccountStatus::Active {
        return RenewalState::None;
    }
    let days = (r - today).num_days();
    if days < 0 {
        RenewalState::Lapsed { days: -days }
    } else if days <= RENEWAL_NOTICE_DAYS {
        RenewalState::Soon { days }
    } else {
        RenewalState::Later { days }
    }
}

impl Account {
    /// Where the account's renewal stands on `today`.
    pub fn renewal_state(&self, today: NaiveDate) -> RenewalState {
        renewal_state(self.status, self.renewal_date, today)
    }

    /// Whether the contract value means something: a prospect, or a lost account
    /// with nothing recorded, has none to show ("—", not "0,00 €").
    pub fn shows_value(&self) -> bool {
        self.status == AccountStatus::Active || self.annual_value.minor != 0
    }

    /// The account's fields as input text, to prefill an edit form or merge a partial update.
    pub fn to_input(&self) -> AccountInput {
        let d = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        AccountInput {
            name: Some(self.name.clone()),
            legal_name: self.legal_name.clone(),
            siren: self.siren.clone(),
            siret: self.siret.clone(),
            vat_number: self.vat_number.clone(),
            sector: self.sector.clone(),
            size: self.size.map(|s| s.code().to_owned()),
            country: Some(self.country.clone()),
            address: self.address.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            status: Some(self.status.code().to_owned()),
            lost_on: d(self.lost_on),
            lost_reason: self.lost_reason.clone(),
            owner_id: self.owner_id.map(|u| u.to_string()),
            sponsor_id: self.sponsor_id.map(|u| u.to_string()),
            contract_start: d(self.contract_start),
            renewal_date: d(self.renewal_date),
            notice_days: self.notice_days.map(|n| n.to_string()),
            annual_value: Some(self.annual_value.to_decimal().to_string()),
            currency: Some(self.annual_value.currency.as_str().to_owned()),
            tags: Some(self.tags.join(", ")),
            external_ref: self.external_ref.clone(),
            website: self.website.clone(),
            phone: self.phone.clone(),
            revenue: self.revenue.map(|m| m.to_decimal().to_string()),
            headcount: self.headcount.map(|n| n.to_string()),
        }
    }
}

/// Kind of an account's sub-unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SiteKind {
    /// A physical site (plant, office, store).
    Site,
    /// A business unit (division, department).
    BusinessUnit,
}

impl SiteKind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::BusinessUnit => "business_unit",
        }
    }

    /// Parses a stable code.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "site" => Some(Self::Site),
            "business_unit" | "bu" => Some(Self::BusinessUnit),
            _ => None,
        }
    }
}

/// A site or business unit of an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    /// Identifier.
    pub id: Uuid,
    /// Owning account.
    pub account_id: Uuid,
    /// Site or business unit.
    pub kind: SiteKind,
    /// Name.
    pub name: String,
    /// City.
    pub city: Option<String>,
    /// Country code.
    pub country: Option<String>,
}

/// Raw input of a site.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteInput {
    /// `site` or `business_unit`.
    pub kind: Option<String>,
    /// Name (required).
    pub name: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<String>,
}

/// A validated site.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSite {
    /// Kind.
    pub kind: SiteKind,
    /// Name.
    pub name: String,
    /// City.
    pub city: Option<String>,
    /// Country code.
    pub country: Option<String>,
}

impl SiteInput {
    /// Validates the site.
    pub fn validate(&self) -> Result<NewSite, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", self.name.as_deref(), 200);
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => SiteKind::Site,
            Some(k) => SiteKind::parse(k).unwrap_or_else(|| {
                e.add("kind", "site_kind.invalid");
                SiteKind::Site
            }),
        };
        let city = optional_text(&mut e, "city", self.city.as_deref(), 100);
        let country = optional_text(&mut e, "country", self.country.as_deref(), 60).and_then(|c| {
            let p = parse_country(&c);
            if p.is_none() {
                e.add("country", "country.invalid");
            }
            p
        });
        e.into_result()?;
        Ok(NewSite {
            kind,
            name,
            city,
            country,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn notice_periods_read_in_days_or_months() {
        use super::parse_notice_days;
        assert_eq!(parse_notice_days("90"), Some(90));
        assert_eq!(parse_notice_days("90 jours"), Some(90));
        assert_eq!(parse_notice_days("3 mois"), Some(90));
        assert_eq!(parse_notice_days("60 days"), Some(60));
        assert_eq!(parse_notice_days("trois mois"), None);
        assert_eq!(parse_notice_days("800"), None);
    }

    #[test]
    fn websites_become_domains_and_head_counts_numbers() {
        use super::{parse_headcount, parse_website};
        assert_eq!(
            parse_website("https://www.Danone.com/fr/?x=1").as_deref(),
            Some("danone.com")
        );
        assert_eq!(parse_website("danone.fr").as_deref(), Some("danone.fr"));
        assert_eq!(
            parse_website("http://shop.danone.co.uk:8080").as_deref(),
            Some("shop.danone.co.uk")
        );
        assert_eq!(parse_website("not a site"), None);
        assert_eq!(parse_website("localhost"), None);
        assert_eq!(parse_headcount("1 250"), Some(1250));
        assert_eq!(parse_headcount("12,000"), Some(12000));
        assert_eq!(parse_headcount("50-249"), None);
    }

    #[test]
    fn the_clients_own_revenue_and_head_count_are_not_the_contract_value() {
        use super::{AccountInput, CompanySize};
        let input = AccountInput {
            name: Some("Danone".into()),
            annual_value: Some("120 000".into()),
            revenue: Some("27 600 000 000".into()),
            headcount: Some("96 000".into()),
            website: Some("https://www.danone.com".into()),
            ..Default::default()
        };
        let a = input.validate().unwrap();
        assert_eq!(a.annual_value.minor, 12_000_000);
        assert_eq!(a.revenue.unwrap().minor, 2_760_000_000_000);
        assert_eq!(a.headcount, Some(96_000));
        assert_eq!(a.size, Some(CompanySize::Large), "the size follows the head count");
        assert_eq!(a.website.as_deref(), Some("danone.com"));
        // A band sets the size only.
        let band = AccountInput {
            name: Some("PME".into()),
            headcount: Some("50-249".into()),
            ..Default::default()
        };
        let b = band.validate().unwrap();
        assert_eq!((b.headcount, b.size), (None, Some(CompanySize::Small)));
        let bad = AccountInput {
            name: Some("X".into()),
            website: Some("nope".into()),
            headcount: Some("beaucoup".into()),
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        assert!(e.0.iter().any(|x| x.field == "website") && e.0.iter().any(|x| x.field == "headcount"));
    }

    #[test]
    fn renewals_stand_out_within_ninety_days_or_when_lapsed() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        use super::{renewal_state, AccountStatus::*, RenewalState};
        assert_eq!(
            renewal_state(Active, on(2026, 12, 31), today),
            RenewalState::Soon { days: 27 }
        );
        assert_eq!(
            renewal_state(Active, on(2026, 12, 4), today),
            RenewalState::Soon { days: 0 }
        );
        assert_eq!(
            renewal_state(Active, on(2027, 3, 4), today),
            RenewalState::Soon { days: 90 }
        );
        assert_eq!(
            renewal_state(Active, on(2027, 3, 5), today),
            RenewalState::Later { days: 91 }
        );
        assert_eq!(
            renewal_state(Active, on(2026, 11, 30), today),
            RenewalState::Lapsed { days: 4 }
        );
        // A lost account or a prospect has no renewal to watch.
        assert_eq!(renewal_state(Lost, on(2026, 11, 30), today), RenewalState::None);
        assert_eq!(renewal_state(Prospect, on(2026, 12, 31), today), RenewalState::None);
        assert_eq!(renewal_state(Active, None, today), RenewalState::None);
    }

    use super::*;

    fn input(name: &str) -> AccountInput {
        AccountInput {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    #[test]
    fn minimal_account_defaults() {
        let a = input("Acme").validate().unwrap();
        assert_eq!(a.country, "FR");
        assert_eq!(a.status, AccountStatus::Prospect);
        assert_eq!(a.annual_value.minor, 0);
    }

    #[test]
    fn reports_every_bad_field() {
        let i = AccountInput {
            name: Some(" ".into()),
            siren: Some("552032535".into()),
            vat_number: Some("FR00".into()),
            renewal_date: Some("31/02/2026".into()),
            annual_value: Some("douze".into()),
            status: Some("sleeping".into()),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert!(fields.contains(&("name", "required")));
        assert!(fields.contains(&("siren", "siren.invalid_key")));
        assert!(fields.contains(&("vat_number", "vat.format")));
        assert!(fields.contains(&("renewal_date", "date.invalid")));
        assert!(fields.contains(&("annual_value", "amount.invalid")));
        assert!(fields.contains(&("status", "status.invalid")));
    }

    #[test]
    fn siren_derived_from_siret_and_checked_against_vat() {
        let mut i = input("Danone");
        i.siret = Some("552 032 534 00018".into());
        i.vat_number = Some("FR27552032534".into());
        let a = i.validate().unwrap();
        assert_eq!(a.siren.as_deref(), Some("552032534"));
        let mut i = input("Danone");
        i.siren = Some("441639465".into());
        i.vat_number = Some("FR27552032534".into());
        assert_eq!(i.validate().unwrap_err().0[0].code, "vat.siren_mismatch");
    }

    #[test]
    fn lost_needs_a_date() {
        let mut i = input("Gone");
        i.status = Some("perdu".into());
        assert_eq!(i.validate().unwrap_err().0[0].field, "lost_on");
        i.lost_on = Some("15/09/2026".into());
        let a = i.validate().unwrap();
        assert_eq!(a.lost_on, NaiveDate::from_ymd_opt(2026, 9, 15));
    }

    #[test]
    fn dates_tags_sizes_countries() {
        assert_eq!(parse_date("2026-03-31"), NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(parse_date("31/03/2026"), NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(parse_date("31.03.26"), NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(parse_date("2026-03-31T10:00:00Z"), NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(parse_date("03/31/2026"), None);
        assert_eq!(
            parse_tags("Grand compte; industrie, grand compte"),
            vec!["grand compte", "industrie"]
        );
        assert_eq!(CompanySize::parse("PME"), Some(CompanySize::Small));
        assert_eq!(CompanySize::parse("1200"), Some(CompanySize::Intermediate));
        assert_eq!(parse_country("Allemagne").as_deref(), Some("DE"));
        assert_eq!(parse_country("fr").as_deref(), Some("FR"));
        assert_eq!(parse_country("Atlantis"), None);
    }

    #[test]
    fn search_text_is_normalised() {
        let mut i = input("Société Générale");
        i.siren = Some("552120222".into());
        i.city = Some("Paris".into());
        let a = i.validate().unwrap();
        assert_eq!(a.search_text(), "societe generale 552120222 paris");
    }
}
