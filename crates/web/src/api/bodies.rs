//! The API's request bodies, typed as JSON types: a string field takes a string,
//! booleans are booleans, lists are arrays, dates are `YYYY-MM-DD`, instants RFC 3339,
//! ids UUIDs, amounts decimal strings, codes from their documented lists; unknown
//! properties are refused. A body that breaks its schema is a 400 naming the
//! property; a well-typed body then goes into the domain's input, where the
//! business rules (a SIREN's check digit, a record that must exist) answer 422.
//!
//! Forms and CSV files keep their lenient text parsing on the way into the same
//! domain inputs; only the API is strict.

use super::problem::{from_value, ApiError, ApiResult};
use bilan_domain::accounts::{AccountInput, AccountStatus, CompanySize, SiteInput, SiteKind};
use bilan_domain::complaint_letters::TemplateInput;
use bilan_domain::complaints::{
    Category, ClientKind, ComplaintInput, ComplaintState, GestureKind, Severity, TransitionInput,
};
use bilan_domain::contacts::{BuyingRole, ContactInput};
use bilan_domain::surveys::{RuleInput, SurveyInput, SurveyKind};
use bilan_domain::timeline::{Channel, Direction, InteractionInput};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// A typed value as the text the domain's input takes.
pub trait AsText {
    /// The text.
    fn as_text(&self) -> String;
}

impl AsText for String {
    fn as_text(&self) -> String {
        self.clone()
    }
}

/// Values whose text is their `Display` (`true`, `42`, a hyphenated UUID).
macro_rules! display_as_text {
    ($($t:ty),*) => {$(
        impl AsText for $t {
            fn as_text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_as_text!(bool, i64, Uuid);

impl AsText for NaiveDate {
    fn as_text(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

impl AsText for DateTime<Utc> {
    fn as_text(&self) -> String {
        self.to_rfc3339()
    }
}

impl<T: AsText> AsText for Vec<T> {
    fn as_text(&self) -> String {
        self.iter().map(AsText::as_text).collect::<Vec<_>>().join(",")
    }
}

/// Codes are their serialised names (`video_call`), which the domain parses back.
macro_rules! code_as_text {
    ($($t:ty),*) => {$(
        impl AsText for $t {
            fn as_text(&self) -> String {
                serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            }
        }
    )*};
}
code_as_text!(
    AccountStatus,
    CompanySize,
    SiteKind,
    BuyingRole,
    SurveyKind,
    Channel,
    Direction,
    ClientKind,
    Category,
    Severity,
    ComplaintState,
    GestureKind
);

/// An exact decimal amount as text, dot as separator: `"125000.00"`. Never a float.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, pattern = r"^-?[0-9]{1,13}(\.[0-9]{1,4})?$", example = "125000.00")]
pub struct DecimalText(String);

impl TryFrom<String> for DecimalText {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        let digits = s.strip_prefix('-').unwrap_or(&s);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let ok = (1..=13).contains(&int.len())
            && int.bytes().all(|b| b.is_ascii_digit())
            && (!digits.contains('.') || (1..=4).contains(&frac.len()))
            && frac.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(DecimalText(s))
        } else {
            Err(format!("{s:?} is not a decimal amount such as \"1234.50\""))
        }
    }
}

impl AsText for DecimalText {
    fn as_text(&self) -> String {
        self.0.clone()
    }
}

/// A whole number: JSON Schema counts `10.0` as the integer 10, so it is taken;
/// `10.5` is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = i64)]
pub struct Whole(pub i64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        if let Some(i) = n.as_i64() {
            return Ok(Whole(i));
        }
        match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Whole(f as i64)),
            _ => Err(serde::de::Error::custom(format!("{n} is not a whole number"))),
        }
    }
}

impl AsText for Whole {
    fn as_text(&self) -> String {
        self.0.to_string()
    }
}

/// Defines a resource's create body (its required properties, then optional ones),
/// optionally its patch body (every property optional, `null` clears, plus
/// `version`), and their conversion into the domain's text input.
macro_rules! bodies {
    (
        $(#[$cdoc:meta])* create $create:ident,
        $( $(#[$pdoc:meta])* patch $patch:ident, )?
        input $input:ty,
        required $req:tt
        optional $opt:tt
    ) => {
        create_body! { $(#[$cdoc])* $create, $input, $req, $opt }
        $( patch_body! { $(#[$pdoc])* $patch, $input, $req, $opt } )?
    };
}

macro_rules! create_body {
    (
        $(#[$cdoc:meta])* $create:ident, $input:ty,
        { $( $(#[$rmeta:meta])* $rname:ident : $rty:ty ),* $(,)? },
        { $( $(#[$ometa:meta])* $oname:ident : $oty:ty ),* $(,)? }
    ) => {
        $(#[$cdoc])*
        #[derive(Debug, Clone, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $create {
            $( $(#[$rmeta])* pub $rname: $rty, )*
            $( $(#[$ometa])* #[serde(default)] pub $oname: Option<$oty>, )*
        }

        impl $create {
            /// The domain's input.
            pub fn into_input(self) -> ApiResult<$input> {
                let mut m = Map::new();
                $( m.insert(stringify!($rname).to_owned(), Value::String(self.$rname.as_text())); )*
                $( if let Some(v) = &self.$oname { m.insert(stringify!($oname).to_owned(), Value::String(v.as_text())); } )*
                serde_json::from_value(Value::Object(m)).map_err(|e| ApiError::bad_body(e.to_string()))
            }
        }
    };
}

macro_rules! patch_body {
    (
        $(#[$pdoc:meta])* $patch:ident, $input:ty,
        { $( $(#[$rmeta:meta])* $rname:ident : $rty:ty ),* $(,)? },
        { $( $(#[$ometa:meta])* $oname:ident : $oty:ty ),* $(,)? }
    ) => {
        $(#[$pdoc])*
        #[derive(Debug, Clone, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $patch {
            /// The version read (or send `If-Match`).
            #[serde(default)]
            pub version: Option<Whole>,
            $( $(#[$rmeta])* #[serde(default)] pub $rname: Option<$rty>, )*
            $( $(#[$ometa])* #[serde(default)] pub $oname: Option<$oty>, )*
        }

        impl $patch {
            /// Each property as text (`None`: absent or `null`).
            fn texts(&self) -> Vec<(&'static str, Option<String>)> {
                vec![
                    $( (stringify!($rname), self.$rname.as_ref().map(AsText::as_text)), )*
                    $( (stringify!($oname), self.$oname.as_ref().map(AsText::as_text)), )*
                ]
            }

            /// The record's current input with the patch applied (JSON merge patch:
            /// a present property replaces, `null` clears, an absent one keeps).
            pub fn apply(raw: &Value, current: &$input) -> ApiResult<$input> {
                let patch: $patch = from_value(raw.clone())?;
                let present: Vec<&str> = raw.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
                let Value::Object(mut m) = serde_json::to_value(current).map_err(|e| ApiError::bad_body(e.to_string()))? else {
                    return Err(ApiError::bad_body("the record cannot be patched".into()));
                };
                for (name, text) in patch.texts() {
                    if present.contains(&name) {
                        m.insert(name.to_owned(), text.map(Value::String).unwrap_or(Value::Null));
                    }
                }
                serde_json::from_value(Value::Object(m)).map_err(|e| ApiError::bad_body(e.to_string()))
            }
        }
    };
}

bodies! {
    /// A new account.
    create AccountCreate,
    /// Changes to an account.
    patch AccountPatch,
    input AccountInput,
    required {
        /// Usual name.
        name: String,
    }
    optional {
        /// Registered legal name.
        legal_name: String,
        /// SIREN: 9 digits with a valid check digit.
        siren: String,
        /// SIRET: 14 digits.
        siret: String,
        /// Intra-EU VAT number.
        vat_number: String,
        /// Sector.
        sector: String,
        /// Size band.
        size: CompanySize,
        /// ISO 3166 country code (default FR; empty means the default).
        #[schema(pattern = "^([A-Za-z]{2})?$", example = "FR")]
        country: String,
        /// Street address.
        address: String,
        /// Postal code.
        postal_code: String,
        /// City.
        city: String,
        /// Status (default prospect).
        status: AccountStatus,
        /// Date lost (with status lost).
        lost_on: NaiveDate,
        /// Reason lost.
        lost_reason: String,
        /// Owner: a user of the workspace.
        owner_id: Uuid,
        /// Executive sponsor: a user of the workspace.
        sponsor_id: Uuid,
        /// Contract start date.
        contract_start: NaiveDate,
        /// Renewal date.
        renewal_date: NaiveDate,
        /// Notice period in days before the renewal date (0 to 730).
        #[schema(minimum = 0, maximum = 730)]
        notice_days: Whole,
        /// Annual contract value, in `currency`.
        annual_value: DecimalText,
        /// ISO 4217 currency code (default EUR; empty means the default).
        #[schema(pattern = "^([A-Za-z]{3})?$", example = "EUR")]
        currency: String,
        /// Tags (at most 20, each at most 40 characters; a comma separates tags).
        tags: Vec<String>,
        /// Reference in the source system, for de-duplication on re-import.
        external_ref: String,
        /// Web site or domain.
        website: String,
        /// Switchboard phone.
        phone: String,
        /// The client's own annual revenue, in the account's currency.
        revenue: DecimalText,
        /// Head count.
        #[schema(minimum = 0)]
        headcount: Whole,
    }
}

bodies! {
    /// A new site or business unit of an account.
    create SiteCreate,
    input SiteInput,
    required {
        /// Name.
        name: String,
    }
    optional {
        /// Site or business unit (default site).
        kind: SiteKind,
        /// City.
        city: String,
        /// ISO 3166 country code.
        #[schema(pattern = "^([A-Za-z]{2})?$", example = "FR")]
        country: String,
    }
}

bodies! {
    /// A new contact.
    create ContactCreate,
    /// Changes to a contact.
    patch ContactPatch,
    input ContactInput,
    required {
        /// The account the person works for.
        account_id: Uuid,
        /// Last name.
        last_name: String,
    }
    optional {
        /// First name.
        first_name: String,
        /// E-mail address.
        email: String,
        /// Phone.
        phone: String,
        /// Job title.
        job_title: String,
        /// Roles in the buying centre.
        roles: Vec<BuyingRole>,
        /// Site of the account.
        site_id: Uuid,
        /// Language: fr or en.
        #[schema(example = "fr")]
        language: String,
        /// Consent to satisfaction surveys.
        survey_consent: bool,
        /// Date the person left the company.
        left_on: NaiveDate,
        /// Reference in the source system.
        external_ref: String,
    }
}

bodies! {
    /// An exchange on a timeline; the account comes from the path, or `account_id` in a batch.
    create InteractionCreate,
    /// Changes to an exchange (`account_id` moves it to another account).
    patch InteractionPatch,
    input InteractionInput,
    required {
        /// When it took place (RFC 3339).
        occurred_at: DateTime<Utc>,
        /// How.
        channel: Channel,
        /// Who started it.
        direction: Direction,
    }
    optional {
        /// The account (required in a batch; a single exchange takes the path's).
        account_id: Uuid,
        /// The supplier-side user who had the exchange (default: the caller).
        user_id: Uuid,
        /// Client contacts involved.
        contact_ids: Vec<Uuid>,
        /// Subject, at most 300 characters.
        subject: String,
        /// What was said, at most 20,000 characters.
        summary: String,
        /// Tags.
        tags: Vec<String>,
        /// Value delivered beyond the contract.
        beyond_contract: bool,
        /// What else it is about: account, contact, interaction, survey_answer or complaint.
        #[schema(example = "contact")]
        related_kind: String,
        /// The id of that record, in the same workspace.
        related_id: Uuid,
        /// Reference in the source system (an e-mail's Message-ID), for de-duplication.
        external_ref: String,
        /// Follow-up: what was promised.
        follow_up_what: String,
        /// Follow-up: who must do it (default: the exchange's user).
        follow_up_user_id: Uuid,
        /// Follow-up: by when.
        follow_up_due: NaiveDate,
    }
}

bodies! {
    /// A new survey.
    create SurveyCreate,
    /// Changes to a survey.
    patch SurveyPatch,
    input SurveyInput,
    required {
        /// Name, at most 200 characters.
        name: String,
        /// NPS, CSAT or CES.
        kind: SurveyKind,
    }
    optional {
        /// Question in French (this or the English one is required).
        question_fr: String,
        /// Question in English.
        question_en: String,
        /// Comment question in French.
        comment_question_fr: String,
        /// Comment question in English.
        comment_question_en: String,
        /// Days an invitation link stays valid, 1 to 90 (default 14).
        #[schema(minimum = 1, maximum = 90)]
        expiry_days: Whole,
        /// Whether rules may send it (default true).
        active: bool,
    }
}

bodies! {
    /// A new sending rule of the survey in the path.
    create RuleCreate,
    input RuleInput,
    required {
        /// The event that triggers it, e.g. `delivery`.
        #[schema(example = "delivery")]
        event_kind: String,
    }
    optional {
        /// Hours between the event and the invitation, 0 to 720 (default 0).
        #[schema(minimum = 0, maximum = 720)]
        delay_hours: Whole,
        /// Buying-centre roles surveyed; empty or absent means every role.
        roles: Vec<BuyingRole>,
    }
}

bodies! {
    /// A new complaint. With `interaction_id`, the exchange's account and first
    /// contact are taken when `account_id` or `contact_id` is absent.
    create ComplaintCreate,
    input ComplaintInput,
    required {
        /// When the written complaint was received.
        received_on: NaiveDate,
        /// How it came.
        channel: Channel,
        /// What it is about.
        category: Category,
        /// The client's own words, at most 20,000 characters.
        summary: String,
    }
    optional {
        /// The account (required unless `interaction_id` gives it).
        account_id: Uuid,
        /// Who complained: a contact of the workspace.
        contact_id: Uuid,
        /// The exchange of the timeline it came from (its first entry).
        interaction_id: Uuid,
        /// The invoice it is about: its reminders wait while the case is open.
        invoice_id: Uuid,
        /// Business (default) or consumer: decides the route to mediation.
        client_kind: ClientKind,
        /// Severity (default medium).
        severity: Severity,
        /// What it concerns: an invoice number, a delivery, a site (at most 300 characters).
        concerns: String,
        /// Who handles it (default: the caller).
        owner_id: Uuid,
    }
}

/// A commercial gesture granted with a resolution.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GestureBody {
    /// Its kind.
    pub kind: GestureKind,
    /// Its value, exact decimal (required for a credit note or a discount).
    #[serde(default)]
    pub amount: Option<DecimalText>,
    /// ISO 4217 currency (default EUR).
    #[serde(default)]
    #[schema(pattern = "^([A-Za-z]{3})?$", example = "EUR")]
    pub currency: Option<String>,
}

/// One dated step of a case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionCreate {
    /// The state the case moves to.
    pub to: ComplaintState,
    /// The day it happened (between the last step and today).
    pub on: NaiveDate,
    /// Why, or the answer's text (required to refuse; it is the answer letter's text).
    #[serde(default)]
    pub reason: Option<String>,
    /// A commercial gesture (with `to: resolved` only).
    #[serde(default)]
    pub gesture: Option<GestureBody>,
    /// Whether the client gets the letter the step calls for (default true).
    #[serde(default)]
    pub send_letter: Option<bool>,
    /// The version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<Whole>,
}

impl TransitionCreate {
    /// The domain's input.
    pub fn into_input(self) -> TransitionInput {
        TransitionInput {
            to: Some(self.to.as_text()),
            on: Some(self.on.as_text()),
            reason: self.reason,
            gesture_kind: self.gesture.as_ref().map(|g| g.kind.as_text()),
            gesture_amount: self
                .gesture
                .as_ref()
                .and_then(|g| g.amount.as_ref().map(AsText::as_text)),
            gesture_currency: self.gesture.and_then(|g| g.currency),
            send_letter: self.send_letter.map(|b| b.to_string()),
        }
    }
}

/// Changes to a case's description (JSON merge patch: absent keeps, `null` clears
/// the contact or what it concerns). Its steps and announced deadlines stay.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintPatch {
    /// Who handles it.
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    /// Who complained (`null`: nobody named).
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// Business or consumer (a consumer gets the date until which they may ask the mediator).
    #[serde(default)]
    pub client_kind: Option<ClientKind>,
    /// Category.
    #[serde(default)]
    pub category: Option<Category>,
    /// Severity.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// What it concerns (`null` clears).
    #[serde(default)]
    pub concerns: Option<String>,
    /// The version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<Whole>,
}

impl ComplaintPatch {
    /// The domain's input; `raw` tells a `null` (clear) from an absent property (keep).
    pub fn into_input(self, raw: &Value) -> bilan_domain::complaints::EditInput {
        let present = |k: &str| raw.get(k).is_some();
        let cleared = |k: &str, v: Option<String>| if present(k) { Some(v.unwrap_or_default()) } else { None };
        bilan_domain::complaints::EditInput {
            owner_id: self.owner_id.map(|u| u.to_string()),
            contact_id: cleared("contact_id", self.contact_id.map(|u| u.to_string())),
            client_kind: self.client_kind.map(|k| k.as_text()),
            category: self.category.map(|k| k.as_text()),
            severity: self.severity.map(|k| k.as_text()),
            concerns: cleared("concerns", self.concerns),
        }
    }
}

/// Changes to the complaint settings (absent properties keep their value).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintSettingsPatch {
    /// Working days to acknowledge, 0 to 30.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 30)]
    pub acknowledge_working_days: Option<Whole>,
    /// Months to answer, 1 to 12.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 12)]
    pub answer_months: Option<Whole>,
    /// Whether owners get an e-mail on a deadline's eve and once it passed.
    #[serde(default)]
    pub alert_by_email: Option<bool>,
    /// The consumer mediator's name and address (`null` clears).
    #[serde(default)]
    pub mediator: Option<String>,
    /// The version read (0 before the first save; or send `If-Match`).
    #[serde(default)]
    pub version: Option<Whole>,
}

/// A letter template: subject and body with `{placeholders}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterBody {
    /// Subject, at most 200 characters.
    pub subject: String,
    /// Body, at most 10,000 characters.
    pub body: String,
}

impl LetterBody {
    /// The domain's input.
    pub fn into_input(self) -> TemplateInput {
        TemplateInput {
            subject: Some(self.subject),
            body: Some(self.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_are_strict() {
        assert!(from_value::<AccountCreate>(json!({"name": "Acme"})).is_ok());
        for bad in [
            json!({"name": 12345}),
            json!({"name": [null, null]}),
            json!({}),
            json!({"name": "Acme", "nmae": "typo"}),
            json!({"name": "Acme", "tags": "a,b"}),
            json!({"name": "Acme", "annual_value": 12.5}),
            json!({"name": "Acme", "annual_value": "1 234,50"}),
            json!({"name": "Acme", "renewal_date": "31/12/2026"}),
            json!({"name": "Acme", "status": "gone"}),
            json!(["Acme"]),
        ] {
            assert!(from_value::<AccountCreate>(bad.clone()).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn typed_values_become_the_domain_text() {
        let b: InteractionCreate = from_value(json!({
            "account_id": "01a24152-6795-7074-96c4-db7183fe7000",
            "occurred_at": "2026-11-20T09:00:00Z", "channel": "phone", "direction": "inbound",
            "contact_ids": ["01a24152-6795-7074-96c4-db7183fe7513"], "beyond_contract": true,
            "tags": ["export", "urgent"], "follow_up_what": "Rappeler", "follow_up_due": "2026-11-25"
        }))
        .unwrap();
        let i = b.into_input().unwrap();
        assert_eq!(i.channel.as_deref(), Some("phone"));
        assert_eq!(i.beyond_contract.as_deref(), Some("true"));
        assert_eq!(i.tags.as_deref(), Some("export,urgent"));
        assert_eq!(i.follow_up_due.as_deref(), Some("2026-11-25"));
        assert!(i.validate().is_ok(), "{:?}", i.validate());
    }

    #[test]
    fn a_patch_replaces_clears_and_keeps() {
        let current = AccountInput {
            name: Some("Acme".into()),
            city: Some("Lyon".into()),
            sector: Some("BTP".into()),
            ..Default::default()
        };
        let raw = json!({"city": null, "name": "Acme SA", "version": 3});
        let after = AccountPatch::apply(&raw, &current).unwrap();
        assert_eq!(after.name.as_deref(), Some("Acme SA"));
        assert_eq!(after.city, None, "null clears");
        assert_eq!(after.sector.as_deref(), Some("BTP"), "absent keeps");
        assert!(AccountPatch::apply(&json!({"name": 5}), &current).is_err());
    }

    #[test]
    fn whole_numbers_may_be_written_with_a_point_zero() {
        assert_eq!(serde_json::from_value::<Whole>(json!(10.0)).ok(), Some(Whole(10)));
        assert_eq!(serde_json::from_value::<Whole>(json!(-3)).ok(), Some(Whole(-3)));
        assert!(serde_json::from_value::<Whole>(json!(10.5)).is_err());
        assert!(serde_json::from_value::<Whole>(json!("10")).is_err());
    }

    #[test]
    fn decimals_are_text_with_a_dot() {
        for ok in ["0", "125000.00", "-3.5", "1234567890123.1234"] {
            assert!(DecimalText::try_from(ok.to_owned()).is_ok(), "{ok}");
        }
        for bad in ["", "1,5", "1.", ".5", "1e3", "12345678901234", "1.23456", "--1"] {
            assert!(DecimalText::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }
}

/// How payment terms are given: `days` (with `days`), `eom45` (with `method`),
/// `due_on` (with `due_on`) or `not_agreed` (30 days after delivery).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TermsKind {
    /// So many days from the invoice date.
    Days,
    /// 45 days end of month.
    Eom45,
    /// A due date.
    DueOn,
    /// Nothing agreed.
    NotAgreed,
}

/// Payment terms.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsBody {
    /// Which terms.
    pub kind: TermsKind,
    /// For `days`: days from the invoice date, 0 to 365.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 365)]
    pub days: Option<Whole>,
    /// For `eom45`: `then_end_of_month` (invoice date + 45 days, then end of month) or
    /// `end_of_month_then` (end of month, then + 45 days).
    #[serde(default)]
    pub method: Option<bilan_domain::invoices::terms::Eom45Method>,
    /// For `due_on`: the due date.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

impl TermsBody {
    /// The terms, or the field missing for their kind (422).
    pub fn into_terms(self) -> Result<bilan_domain::invoices::terms::PaymentTerms, bilan_app::AppError> {
        use bilan_domain::invoices::terms::PaymentTerms;
        let missing = |f: &str| bilan_app::AppError::field(&format!("terms.{f}"), "required");
        Ok(match self.kind {
            TermsKind::Days => {
                let d = self.days.ok_or_else(|| missing("days"))?.0;
                let days = u32::try_from(d)
                    .ok()
                    .filter(|d| *d <= 365)
                    .ok_or_else(|| bilan_app::AppError::field("terms.days", "terms.invalid"))?;
                PaymentTerms::Days { days }
            }
            TermsKind::Eom45 => PaymentTerms::Eom45 {
                method: self.method.ok_or_else(|| missing("method"))?,
            },
            TermsKind::DueOn => PaymentTerms::DueOn {
                due_on: self.due_on.ok_or_else(|| missing("due_on"))?,
            },
            TermsKind::NotAgreed => PaymentTerms::NotAgreed,
        })
    }
}

/// A new invoice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceCreate {
    /// The client company.
    pub account_id: Uuid,
    /// Its number, unique in the workspace (at most 50 characters).
    pub number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Delivery (or service) date.
    #[serde(default)]
    pub delivered_on: Option<NaiveDate>,
    /// Payment terms (default: not agreed, 30 days after delivery).
    #[serde(default)]
    pub terms: Option<TermsBody>,
    /// Amount excluding VAT, exact decimal.
    pub amount_excl_tax: DecimalText,
    /// Amount including VAT, exact decimal (what is owed).
    pub amount_incl_tax: DecimalText,
    /// ISO 4217 currency (default EUR).
    #[serde(default)]
    #[schema(pattern = "^([A-Za-z]{3})?$", example = "EUR")]
    pub currency: Option<String>,
    /// The day it was sent to the client (raises `invoice_sent`).
    #[serde(default)]
    pub sent_on: Option<NaiveDate>,
}

impl InvoiceCreate {
    /// The use case's input.
    pub fn into_input(self) -> Result<bilan_app::invoices::NewInvoiceInput, bilan_app::AppError> {
        let terms = self.terms.map(TermsBody::into_terms).transpose()?;
        Ok(bilan_app::invoices::NewInvoiceInput {
            account_id: Some(self.account_id.to_string()),
            invoice: bilan_domain::invoices::invoice::InvoiceInput {
                number: Some(self.number),
                issued_on: Some(self.issued_on.as_text()),
                delivered_on: self.delivered_on.map(|d| d.as_text()),
                terms: None,
                due_on: None,
                amount_excl_tax: Some(self.amount_excl_tax.as_text()),
                amount_incl_tax: Some(self.amount_incl_tax.as_text()),
                currency: self.currency,
                structured_terms: terms,
            },
            sent_on: self.sent_on.map(|d| d.as_text()),
        })
    }
}

/// A payment of one invoice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentCreate {
    /// The day it was received (today at the latest).
    pub paid_on: NaiveDate,
    /// The amount, exact decimal, at most what the invoice still owes.
    pub amount: DecimalText,
    /// The bank or accounting reference (a payment is recorded once per reference).
    #[serde(default)]
    pub reference: Option<String>,
}

impl PaymentCreate {
    /// The domain's input.
    pub fn into_input(self) -> bilan_domain::invoices::payment::PaymentInput {
        bilan_domain::invoices::payment::PaymentInput {
            paid_on: Some(self.paid_on.as_text()),
            amount: Some(self.amount.as_text()),
            reference: self.reference,
        }
    }
}

/// A payment from an account over several invoices.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPaymentCreate {
    /// The paying account.
    pub account_id: Uuid,
    /// The day it was received.
    pub paid_on: NaiveDate,
    /// The amount, exact decimal.
    pub amount: DecimalText,
    /// The bank or accounting reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// The invoices it pays, in order; absent or empty: the oldest due first.
    #[serde(default)]
    pub invoice_ids: Option<Vec<Uuid>>,
}

/// A credit note on an invoice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditNoteCreate {
    /// Its number, unique in the workspace.
    pub number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Amount excluding VAT.
    pub amount_excl_tax: DecimalText,
    /// Amount including VAT, at most what the invoice still owes.
    pub amount_incl_tax: DecimalText,
}

/// The day an invoice was sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SentBody {
    /// Default today.
    #[serde(default)]
    pub sent_on: Option<NaiveDate>,
}

/// An invoice's factor.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorAssignment {
    /// The factor (null: the invoice is taken back).
    #[serde(default)]
    pub factor_id: Option<Uuid>,
    /// Since when (default today).
    #[serde(default)]
    pub factored_on: Option<NaiveDate>,
}

/// A new factor.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorCreate {
    /// Name, unique in the workspace.
    pub name: String,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Where the client pays now.
    #[serde(default)]
    pub details: Option<String>,
}

/// A half-year's reference rate.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateBody {
    /// The ECB main refinancing rate in force on the half-year's first day, in percent
    /// (decimal string, e.g. "2.15"); Bilan adds the legal 10 points.
    pub rate: DecimalText,
}

/// The workspace's invoice settings.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceSettingsBody {
    /// An annual late-payment rate in percent agreed in the general terms
    /// (replacing ECB + 10 points); null removes it.
    #[serde(default)]
    pub contractual_rate: Option<DecimalText>,
}

/// One step of a reminder plan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanStepBody {
    /// Days after the due date, 0 to 365.
    #[schema(minimum = 0, maximum = 365)]
    pub days_after_due: Whole,
    /// email, letter or phone_task.
    pub channel: bilan_domain::invoices::dunning::Channel,
    /// helping, reminder, firm or final.
    pub tone: bilan_domain::invoices::dunning::Tone,
}

/// A segment's reminder plan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// Steps (1 to 10, each day once).
    pub steps: Vec<PlanStepBody>,
    /// Tell the account's owner this many days before a firm step (absent: never).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 60)]
    pub owner_notice_days: Option<Whole>,
    /// Add the late-payment interest and indemnity to firm and final reminders (default true).
    #[serde(default)]
    pub add_late_charges: Option<bool>,
}

impl PlanBody {
    /// The domain's input.
    pub fn into_input(self) -> bilan_domain::invoices::plan::PlanInput {
        bilan_domain::invoices::plan::PlanInput {
            steps: self
                .steps
                .into_iter()
                .map(|s| bilan_domain::invoices::plan::StepInput {
                    days_after_due: Some(s.days_after_due.0.to_string()),
                    channel: Some(s.channel.code().to_owned()),
                    tone: Some(s.tone.code().to_owned()),
                })
                .collect(),
            owner_notice_days: self.owner_notice_days.map(|d| d.0.to_string()),
            add_late_charges: Some(self.add_late_charges.unwrap_or(true).to_string()),
        }
    }
}

/// A new portal link.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLinkCreate {
    /// fr or en (default: the billing contact's language).
    #[serde(default)]
    #[schema(pattern = "^(fr|en)?$")]
    pub lang: Option<String>,
    /// Days it lasts, 1 to 366 (default 90).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 366)]
    pub days: Option<Whole>,
}
