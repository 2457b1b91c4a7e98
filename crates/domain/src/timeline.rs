//! Shared history (SPEC C2): interactions on an account's timeline, their
//! follow-ups, and first-response times.
//!
//! A first response is computed, never typed: an inbound interaction (the client
//! wrote, called, filed a form…) is answered by the next outbound interaction on
//! the same account at or after it, unless someone linked a specific outbound.

use crate::accounts::{parse_date, parse_tags};
use crate::validation::{optional_text, ValidationErrors};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The time zone of local times typed without an offset ("2026-03-31 14:30").
///
/// Bilan's users are French; a per-workspace zone (the `workspaces.timezone`
/// column) can replace this constant once something else than Paris is asked for.
pub const LOCAL_TZ: Tz = chrono_tz::Europe::Paris;

/// Longest subject, in characters.
pub const SUBJECT_MAX: usize = 300;
/// Longest summary, in characters (a long e-mail fits).
pub const SUMMARY_MAX: usize = 20_000;
/// Longest external reference (e-mail Message-IDs are long).
pub const EXTERNAL_REF_MAX: usize = 300;
/// Most contacts one interaction may name.
pub const CONTACTS_MAX: usize = 50;

/// How the exchange took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// E-mail.
    Email,
    /// Phone call.
    Phone,
    /// Meeting, in person or by video.
    Meeting,
    /// Visit on the client's site.
    Visit,
    /// Instant messaging.
    Chat,
    /// WhatsApp.
    Whatsapp,
    /// LinkedIn message.
    Linkedin,
    /// Form on a web site.
    WebForm,
    /// Paper letter.
    Letter,
    /// Client portal or extranet (tickets, messages).
    Portal,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 10] = [
        Self::Email,
        Self::Phone,
        Self::Meeting,
        Self::Visit,
        Self::Chat,
        Self::Whatsapp,
        Self::Linkedin,
        Self::WebForm,
        Self::Letter,
        Self::Portal,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Meeting => "meeting",
            Self::Visit => "visit",
            Self::Chat => "chat",
            Self::Whatsapp => "whatsapp",
            Self::Linkedin => "linkedin",
            Self::WebForm => "web_form",
            Self::Letter => "letter",
            Self::Portal => "portal",
        }
    }

    /// Parses a code or a French/English label as found in CRM and mailbox exports.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).replace('_', " ").as_str() {
            "email" | "e mail" | "mail" | "courriel" | "mel" => Some(Self::Email),
            "phone" | "telephone" | "tel" | "call" | "appel" | "appel telephonique" | "phone call" => Some(Self::Phone),
            "meeting" | "reunion" | "rendez vous" | "rdv" | "visio" | "visioconference" | "video call" => {
                Some(Self::Meeting)
            }
            "visit" | "visite" | "site visit" | "visite sur site" | "visite client" => Some(Self::Visit),
            "chat" | "tchat" | "messagerie" | "messagerie instantanee" | "instant message" => Some(Self::Chat),
            "whatsapp" => Some(Self::Whatsapp),
            "linkedin" => Some(Self::Linkedin),
            "web form"
            | "webform"
            | "form"
            | "formulaire"
            | "formulaire web"
            | "formulaire de contact"
            | "contact form" => Some(Self::WebForm),
            "letter" | "lettre" | "courrier" | "courrier postal" | "post" | "mail post" => Some(Self::Letter),
            "portal" | "portail" | "portail client" | "extranet" | "client portal" => Some(Self::Portal),
            _ => None,
        }
    }
}

/// Who started the exchange: the client (inbound) or the supplier (outbound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Direction {
    /// From the client to the supplier: a request that waits for an answer.
    Inbound,
    /// From the supplier to the client.
    Outbound,
}

impl Direction {
    /// Both directions.
    pub const ALL: [Direction; 2] = [Self::Inbound, Self::Outbound];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }

    /// Parses a code or a French/English label.
    pub fn parse(raw: &str) -> Option<Self> {
        match crate::search::normalize(raw).as_str() {
            "inbound" | "in" | "incoming" | "received" | "entrant" | "entrante" | "recu" | "recue" | "entree" => {
                Some(Self::Inbound)
            }
            "outbound" | "out" | "outgoing" | "sent" | "sortant" | "sortante" | "envoye" | "envoyee" | "sortie" => {
                Some(Self::Outbound)
            }
            _ => None,
        }
    }
}

/// Parses an instant: RFC 3339 with an offset, or a local time in [`LOCAL_TZ`]
/// written "YYYY-MM-DD HH:MM[:SS]" (a `T` instead of the space works too) or
/// day-first "DD/MM/YYYY HH:MM". Seconds fractions are dropped: the timeline
/// orders by whole seconds, the same way on both databases.
pub fn parse_instant(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return whole_seconds(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, fmt) {
            // A time skipped by the spring clock change does not exist: refuse it
            // rather than guess; a repeated autumn hour takes its first occurrence.
            return LOCAL_TZ
                .from_local_datetime(&local)
                .earliest()
                .and_then(|d| whole_seconds(d.with_timezone(&Utc)));
        }
    }
    None
}

fn whole_seconds(d: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let year = chrono::Datelike::year(&d);
    if !(1900..=2200).contains(&year) {
        return None;
    }
    d.with_nanosecond(0)
}

/// The instant a local calendar day starts in [`LOCAL_TZ`], for period filters.
pub fn local_day_start(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match LOCAL_TZ.from_local_datetime(&midnight).earliest() {
        Some(d) => d.with_timezone(&Utc),
        // Paris never skips midnight; fall back to UTC midnight if a zone ever does.
        None => Utc.from_utc_datetime(&midnight),
    }
}

/// The local calendar day of an instant in [`LOCAL_TZ`].
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&LOCAL_TZ).date_naive()
}

/// A follow-up promised during an interaction: what, by whom, by when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    /// What was promised.
    pub what: String,
    /// Who must do it.
    pub user_id: Uuid,
    /// By when.
    pub due: NaiveDate,
    /// When it was marked done.
    pub done_at: Option<DateTime<Utc>>,
}

/// An interaction as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interaction {
    /// UUIDv7 identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// The account whose timeline it is on.
    pub account_id: Uuid,
    /// How it took place.
    pub channel: Channel,
    /// Who started it.
    pub direction: Direction,
    /// When it took place (whole seconds, UTC).
    pub occurred_at: DateTime<Utc>,
    /// The supplier-side user who had the exchange.
    pub user_id: Uuid,
    /// Client-side people involved.
    pub contact_ids: Vec<Uuid>,
    /// Subject or title.
    pub subject: Option<String>,
    /// What was said (e-mail body, call notes, minutes).
    pub summary: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Value delivered beyond the contract (a gesture to remember at renewal time).
    pub beyond_contract: bool,
    /// Kind of a linked record (`invoice`, `complaint`, `review`…).
    pub related_kind: Option<String>,
    /// Id of the linked record.
    pub related_id: Option<Uuid>,
    /// Reference in the source system (e-mail Message-ID), unique per workspace.
    pub external_ref: Option<String>,
    /// For an inbound: the outbound interaction that answered it.
    pub answered_by: Option<Uuid>,
    /// For an inbound: seconds until that answer.
    pub response_seconds: Option<i64>,
    /// Whether a person chose the answer (otherwise it is the next outbound).
    pub answer_linked: bool,
    /// The follow-up promised, if any.
    pub follow_up: Option<FollowUp>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last update instant.
    pub updated_at: DateTime<Utc>,
}

impl Interaction {
    /// The interaction's fields as input text, to prefill an edit form or merge a partial update.
    pub fn to_input(&self) -> InteractionInput {
        let f = self.follow_up.as_ref();
        InteractionInput {
            account_id: Some(self.account_id.to_string()),
            occurred_at: Some(self.occurred_at.to_rfc3339()),
            channel: Some(self.channel.code().to_owned()),
            direction: Some(self.direction.code().to_owned()),
            user_id: Some(self.user_id.to_string()),
            contact_ids: Some(
                self.contact_ids
                    .iter()
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            subject: self.subject.clone(),
            summary: self.summary.clone(),
            tags: Some(self.tags.join(", ")),
            beyond_contract: Some(if self.beyond_contract { "true" } else { "false" }.to_owned()),
            related_kind: self.related_kind.clone(),
            related_id: self.related_id.map(|r| r.to_string()),
            external_ref: self.external_ref.clone(),
            follow_up_what: f.map(|f| f.what.clone()),
            follow_up_user_id: f.map(|f| f.user_id.to_string()),
            follow_up_due: f.map(|f| f.due.to_string()),
        }
    }
}

/// What an exchange can be about besides its account (`related_kind`): a record of
/// the same workspace, checked to exist when the exchange is written.
pub const RELATED_KINDS: [&str; 5] = ["account", "contact", "interaction", "survey_answer", "complaint"];

/// Raw interaction input (forms, API, CSV, mailbox import): text everywhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionInput {
    /// Account id (required).
    pub account_id: Option<String>,
    /// When (required): RFC 3339, or "YYYY-MM-DD HH:MM" Paris time.
    pub occurred_at: Option<String>,
    /// Channel code or label (required).
    pub channel: Option<String>,
    /// `inbound` or `outbound` (French labels accepted; required).
    pub direction: Option<String>,
    /// Supplier-side user id (default: the person logging it).
    pub user_id: Option<String>,
    /// Client contact ids, comma-separated.
    pub contact_ids: Option<String>,
    /// Subject, at most 300 characters.
    pub subject: Option<String>,
    /// Summary, at most 20,000 characters.
    pub summary: Option<String>,
    /// Tags separated by commas or semicolons.
    pub tags: Option<String>,
    /// Value delivered beyond the contract: yes/no.
    pub beyond_contract: Option<String>,
    /// Kind of a linked record (`invoice`, `complaint`, `review`…).
    pub related_kind: Option<String>,
    /// Id of the linked record.
    pub related_id: Option<String>,
    /// Reference in the source system, for de-duplication (e-mail Message-ID).
    pub external_ref: Option<String>,
    /// Follow-up: what was promised.
    pub follow_up_what: Option<String>,
    /// Follow-up: who must do it (default: the interaction's user).
    pub follow_up_user_id: Option<String>,
    /// Follow-up: due date (required with a follow-up).
    pub follow_up_due: Option<String>,
}

/// A validated follow-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFollowUp {
    /// What was promised.
    pub what: String,
    /// Who must do it; `None` means the interaction's user.
    pub user_id: Option<Uuid>,
    /// Due date.
    pub due: NaiveDate,
}

/// A validated interaction, ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewInteraction {
    /// Account.
    pub account_id: Uuid,
    /// When, whole seconds.
    pub occurred_at: DateTime<Utc>,
    /// Channel.
    pub channel: Channel,
    /// Direction.
    pub direction: Direction,
    /// User; `None` means the person logging it.
    pub user_id: Option<Uuid>,
    /// Contacts, without duplicates, in the order given.
    pub contact_ids: Vec<Uuid>,
    /// Subject.
    pub subject: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Tags, normalised and de-duplicated.
    pub tags: Vec<String>,
    /// Value delivered beyond the contract.
    pub beyond_contract: bool,
    /// Linked record kind.
    pub related_kind: Option<String>,
    /// Linked record id.
    pub related_id: Option<Uuid>,
    /// External reference.
    pub external_ref: Option<String>,
    /// Follow-up.
    pub follow_up: Option<NewFollowUp>,
}

fn opt_uuid(e: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<Uuid> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let id = Uuid::parse_str(raw).ok();
    if id.is_none() {
        e.add(field, "id.invalid");
    }
    id
}

fn required_parsed<T>(
    e: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    invalid: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add(field, "required");
            None
        }
        Some(s) => {
            let v = parse(s);
            if v.is_none() {
                e.add(field, invalid);
            }
            v
        }
    }
}

impl InteractionInput {
    /// Validates every field, reporting all problems at once.
    pub fn validate(&self) -> Result<NewInteraction, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let account_id = required_parsed(&mut e, "account_id", self.account_id.as_deref(), "id.invalid", |s| {
            Uuid::parse_str(s).ok()
        });
        let occurred_at = required_parsed(
            &mut e,
            "occurred_at",
            self.occurred_at.as_deref(),
            "datetime.invalid",
            parse_instant,
        );
        let channel = required_parsed(
            &mut e,
            "channel",
            self.channel.as_deref(),
            "channel.invalid",
            Channel::parse,
        );
        let direction = required_parsed(
            &mut e,
            "direction",
            self.direction.as_deref(),
            "direction.invalid",
            Direction::parse,
        );
        let user_id = opt_uuid(&mut e, "user_id", self.user_id.as_deref());
        let mut contact_ids: Vec<Uuid> = Vec::new();
        let mut bad_contact = false;
        for part in self
            .contact_ids
            .as_deref()
            .unwrap_or("")
            .split([',', ';', ' ', '\n'])
            .filter(|p| !p.is_empty())
        {
            match Uuid::parse_str(part) {
                Ok(id) if !contact_ids.contains(&id) => contact_ids.push(id),
                Ok(_) => {}
                Err(_) => bad_contact = true,
            }
        }
        if bad_contact {
            e.add("contact_ids", "id.invalid");
        } else if contact_ids.len() > CONTACTS_MAX {
            e.add("contact_ids", "contacts.too_many");
        }
        let subject = optional_text(&mut e, "subject", self.subject.as_deref(), SUBJECT_MAX);
        let summary = optional_text(&mut e, "summary", self.summary.as_deref(), SUMMARY_MAX);
        let tags = self.tags.as_deref().map(parse_tags).unwrap_or_default();
        let beyond_contract = match self.beyond_contract.as_deref() {
            None => false,
            Some(raw) => crate::contacts::parse_bool(raw).unwrap_or_else(|| {
                e.add("beyond_contract", "bool.invalid");
                false
            }),
        };
        let related_kind = optional_text(&mut e, "related_kind", self.related_kind.as_deref(), 40)
            .map(|k| k.to_lowercase())
            .filter(|k| {
                let ok = RELATED_KINDS.contains(&k.as_str());
                if !ok {
                    e.add("related_kind", "related_kind.invalid");
                }
                ok
            });
        let related_id = opt_uuid(&mut e, "related_id", self.related_id.as_deref());
        let related_kind_given = self.related_kind.as_deref().is_some_and(|s| !s.trim().is_empty());
        let related_id_given = self.related_id.as_deref().is_some_and(|s| !s.trim().is_empty());
        match (related_kind_given, related_id_given) {
            (true, false) => e.add("related_id", "required"),
            (false, true) => e.add("related_kind", "required"),
            _ => {}
        }
        let external_ref = optional_text(&mut e, "external_ref", self.external_ref.as_deref(), EXTERNAL_REF_MAX);
        let follow_up = self.validate_follow_up(&mut e);
        e.into_result()?;
        // Every required value is present when no error was recorded.
        match (account_id, occurred_at, channel, direction) {
            (Some(account_id), Some(occurred_at), Some(channel), Some(direction)) => Ok(NewInteraction {
                account_id,
                occurred_at,
                channel,
                direction,
                user_id,
                contact_ids,
                subject,
                summary,
                tags,
                beyond_contract,
                related_kind,
                related_id,
                external_ref,
                follow_up,
            }),
            _ => {
                let mut e = ValidationErrors::new();
                e.add("account_id", "required");
                Err(e)
            }
        }
    }

    fn validate_follow_up(&self, e: &mut ValidationErrors) -> Option<NewFollowUp> {
        let what = optional_text(e, "follow_up_what", self.follow_up_what.as_deref(), 500);
        let user_id = opt_uuid(e, "follow_up_user_id", self.follow_up_user_id.as_deref());
        let due_raw = self.follow_up_due.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let due = due_raw.and_then(|raw| {
            let d = parse_date(raw);
            if d.is_none() {
                e.add("follow_up_due", "date.invalid");
            }
            d
        });
        match (what, due) {
            (Some(what), Some(due)) => Some(NewFollowUp { what, user_id, due }),
            (Some(_), None) => {
                if due_raw.is_none() {
                    e.add("follow_up_due", "required");
                }
                None
            }
            (None, _) => {
                if due_raw.is_some() || user_id.is_some() {
                    e.add("follow_up_what", "required");
                }
                None
            }
        }
    }
}

impl NewInteraction {
    /// The normalised text indexed for search: subject, summary and tags.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = Vec::with_capacity(2 + self.tags.len());
        for p in [&self.subject, &self.summary].into_iter().flatten() {
            parts.push(p);
        }
        parts.extend(self.tags.iter().map(String::as_str));
        crate::search::normalize(&parts.join(" "))
    }
}

/// One event for [`first_responses`]: id, direction, instant, and the outbound a
/// person explicitly linked as the answer (inbounds only).
pub type ResponseEvent = (Uuid, Direction, DateTime<Utc>, Option<Uuid>);

/// Pairs each inbound with the outbound that answered it, with the seconds between.
///
/// The answer is the linked outbound when one is given (it must be among `events`,
/// outbound, and not earlier than the inbound, otherwise the inbound is left
/// unanswered: a broken link never silently becomes another answer). Without a
/// link it is the earliest outbound at or after the inbound (ties count as
/// answered in 0 s; among outbounds at the same instant the smallest id), so
/// several inbounds before one outbound are all answered by it. Events are all of
/// one account, in any order. The result follows the inbounds' (instant, id) order.
pub fn first_responses(events: &[ResponseEvent]) -> Vec<(Uuid, Uuid, i64)> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| (events[i].2, events[i].0));
    let outbound_at: HashMap<Uuid, DateTime<Utc>> = events
        .iter()
        .filter(|e| e.1 == Direction::Outbound)
        .map(|e| (e.0, e.2))
        .collect();
    // Walk back in time, one instant at a time, remembering the earliest outbound
    // seen so far: that is the next outbound after any earlier inbound.
    let mut answers: Vec<Option<(Uuid, i64)>> = vec![None; events.len()];
    let mut next: Option<(Uuid, DateTime<Utc>)> = None;
    let mut end = order.len();
    while end > 0 {
        let at = events[order[end - 1]].2;
        let mut start = end;
        while start > 0 && events[order[start - 1]].2 == at {
            start -= 1;
        }
        let group = &order[start..end];
        if let Some(&first_out) = group.iter().find(|&&i| events[i].1 == Direction::Outbound) {
            next = Some((events[first_out].0, at));
        }
        for &i in group {
            let (_, dir, inbound_at, link) = events[i];
            if dir != Direction::Inbound {
                continue;
            }
            answers[i] = match link {
                Some(out) => outbound_at
                    .get(&out)
                    .filter(|&&t| t >= inbound_at)
                    .map(|&t| (out, (t - inbound_at).num_seconds())),
                None => next.map(|(out, t)| (out, (t - inbound_at).num_seconds())),
            };
        }
        end = start;
    }
    order
        .into_iter()
        .filter_map(|i| answers[i].map(|(out, secs)| (events[i].0, out, secs)))
        .collect()
}

/// The median, the mean of the two middle values for an even count; `None` when empty.
pub fn median(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        // Halve each before adding so two huge values cannot overflow.
        v[mid - 1] / 2 + v[mid] / 2 + (v[mid - 1] % 2 + v[mid] % 2) / 2
    })
}

/// The arithmetic mean rounded to the nearest integer; `None` when empty.
pub fn mean(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
    let n = values.len() as i128;
    let rounded = if sum >= 0 { (sum + n / 2) / n } else { (sum - n / 2) / n };
    i64::try_from(rounded).ok()
}

/// Count, mean and median of a set of response times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ResponseFigures {
    /// Answered inbounds.
    pub count: usize,
    /// Mean seconds to the first response.
    pub mean_seconds: Option<i64>,
    /// Median seconds to the first response.
    pub median_seconds: Option<i64>,
}

impl ResponseFigures {
    /// The figures of these response times.
    pub fn of(seconds: &[i64]) -> Self {
        Self {
            count: seconds.len(),
            mean_seconds: mean(seconds),
            median_seconds: median(seconds),
        }
    }
}

/// First-response statistics, overall and broken down.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ResponseStats {
    /// Answered inbounds.
    pub count: usize,
    /// Mean seconds to the first response.
    pub mean_seconds: Option<i64>,
    /// Median seconds to the first response.
    pub median_seconds: Option<i64>,
    /// By the channel the client used (the inbound's), in [`Channel::ALL`] order.
    pub by_channel: Vec<(Channel, ResponseFigures)>,
    /// By the user who answered (the outbound's), most answers first.
    pub by_user: Vec<(Uuid, ResponseFigures)>,
}

impl ResponseStats {
    /// Statistics of `(inbound channel, answering user, seconds)` triples.
    pub fn compute(samples: &[(Channel, Uuid, i64)]) -> Self {
        let all: Vec<i64> = samples.iter().map(|s| s.2).collect();
        let mut channels: HashMap<Channel, Vec<i64>> = HashMap::new();
        let mut users: HashMap<Uuid, Vec<i64>> = HashMap::new();
        for &(c, u, s) in samples {
            channels.entry(c).or_default().push(s);
            users.entry(u).or_default().push(s);
        }
        let by_channel = Channel::ALL
            .into_iter()
            .filter_map(|c| channels.get(&c).map(|v| (c, ResponseFigures::of(v))))
            .collect();
        let mut by_user: Vec<(Uuid, ResponseFigures)> =
            users.into_iter().map(|(u, v)| (u, ResponseFigures::of(&v))).collect();
        by_user.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
        let overall = ResponseFigures::of(&all);
        Self {
            count: overall.count,
            mean_seconds: overall.mean_seconds,
            median_seconds: overall.median_seconds,
            by_channel,
            by_user,
        }
    }
}

/// How far ahead "due soon" follow-ups reach, in days from today.
pub const FOLLOW_UP_HORIZON_DAYS: i64 = 7;

/// The last day a follow-up counts as "due soon" when today is `today`.
pub fn follow_up_horizon(today: NaiveDate) -> NaiveDate {
    today + Duration::days(FOLLOW_UP_HORIZON_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn input() -> InteractionInput {
        InteractionInput {
            account_id: Some(id(1).to_string()),
            occurred_at: Some("2026-03-31 14:30".into()),
            channel: Some("Téléphone".into()),
            direction: Some("entrant".into()),
            ..Default::default()
        }
    }

    #[test]
    fn channels_and_directions_parse_in_both_languages() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
        }
        assert_eq!(Channel::parse("E-mail"), Some(Channel::Email));
        assert_eq!(Channel::parse("Courriel"), Some(Channel::Email));
        assert_eq!(Channel::parse("Réunion"), Some(Channel::Meeting));
        assert_eq!(Channel::parse("Formulaire web"), Some(Channel::WebForm));
        assert_eq!(Channel::parse("Courrier"), Some(Channel::Letter));
        assert_eq!(Channel::parse("Portail client"), Some(Channel::Portal));
        assert_eq!(Channel::parse("pigeon"), None);
        for d in Direction::ALL {
            assert_eq!(Direction::parse(d.code()), Some(d));
        }
        assert_eq!(Direction::parse("Reçu"), Some(Direction::Inbound));
        assert_eq!(Direction::parse("Sortant"), Some(Direction::Outbound));
        assert_eq!(Direction::parse("sideways"), None);
    }

    #[test]
    fn instants_local_to_paris_or_with_offset() {
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(parse_instant("2026-01-15 09:00"), Some(at("2026-01-15T08:00:00Z")));
        assert_eq!(parse_instant("2026-07-15T09:00"), Some(at("2026-07-15T07:00:00Z")));
        assert_eq!(parse_instant("15/07/2026 09:00"), Some(at("2026-07-15T07:00:00Z")));
        assert_eq!(
            parse_instant("2026-07-15T09:00:00.750+02:00"),
            Some(at("2026-07-15T07:00:00Z"))
        );
        assert_eq!(parse_instant("2026-07-15T09:00:00Z"), Some(at("2026-07-15T09:00:00Z")));
        // 2026-03-29 02:30 does not exist in Paris; 2026-10-25 02:30 happens twice.
        assert_eq!(parse_instant("2026-03-29 02:30"), None);
        assert_eq!(parse_instant("2026-10-25 02:30"), Some(at("2026-10-25T00:30:00Z")));
        assert_eq!(parse_instant("2026-02-30 10:00"), None);
        assert_eq!(parse_instant("yesterday"), None);
        assert_eq!(parse_instant("2026-07-15"), None, "a date alone is not an instant");
        assert_eq!(
            local_day_start(NaiveDate::from_ymd_opt(2026, 7, 15).unwrap()),
            at("2026-07-14T22:00:00Z")
        );
        assert_eq!(
            local_day(at("2026-07-14T22:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 7, 15).unwrap()
        );
    }

    #[test]
    fn valid_input() {
        let mut i = input();
        i.contact_ids = Some(format!("{}, {};{}", id(7), id(8), id(7)));
        i.subject = Some("Relance facture".into());
        i.summary = Some("Le client signale une erreur sur la facture".into());
        i.tags = Some("Facturation; urgent".into());
        i.beyond_contract = Some("oui".into());
        i.related_kind = Some("Contact".into());
        i.related_id = Some(id(9).to_string());
        i.follow_up_what = Some("Envoyer l'avoir".into());
        i.follow_up_due = Some("02/04/2026".into());
        let n = i.validate().unwrap();
        assert_eq!(n.account_id, id(1));
        assert_eq!(n.occurred_at, at("2026-03-31T12:30:00Z"));
        assert_eq!((n.channel, n.direction), (Channel::Phone, Direction::Inbound));
        assert_eq!(n.contact_ids, vec![id(7), id(8)]);
        assert_eq!(n.tags, vec!["facturation", "urgent"]);
        assert!(n.beyond_contract);
        assert_eq!(n.related_kind.as_deref(), Some("contact"));
        let f = n.follow_up.clone().unwrap();
        assert_eq!(f.due, NaiveDate::from_ymd_opt(2026, 4, 2).unwrap());
        assert_eq!(f.user_id, None);
        assert_eq!(
            n.search_text(),
            "relance facture le client signale une erreur sur la facture facturation urgent"
        );
    }

    #[test]
    fn reports_every_bad_field() {
        let i = InteractionInput {
            account_id: Some("nope".into()),
            occurred_at: Some("31/02/2026 10:00".into()),
            channel: Some("pigeon".into()),
            direction: None,
            user_id: Some("x".into()),
            contact_ids: Some("not-an-id".into()),
            subject: Some("s".repeat(SUBJECT_MAX + 1)),
            summary: Some("é".repeat(SUMMARY_MAX + 1)),
            beyond_contract: Some("maybe".into()),
            related_kind: Some("bad kind!".into()),
            external_ref: Some("r".repeat(EXTERNAL_REF_MAX + 1)),
            follow_up_what: Some("Rappeler".into()),
            follow_up_due: Some("bientôt".into()),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        let got: Vec<_> = e.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        for expected in [
            ("account_id", "id.invalid"),
            ("occurred_at", "datetime.invalid"),
            ("channel", "channel.invalid"),
            ("direction", "required"),
            ("user_id", "id.invalid"),
            ("contact_ids", "id.invalid"),
            ("subject", "too_long"),
            ("summary", "too_long"),
            ("beyond_contract", "bool.invalid"),
            ("related_kind", "related_kind.invalid"),
            ("related_id", "required"),
            ("external_ref", "too_long"),
            ("follow_up_due", "date.invalid"),
        ] {
            assert!(got.contains(&expected), "missing {expected:?} in {got:?}");
        }
        assert_eq!(got.len(), 13, "{got:?}");
    }

    #[test]
    fn follow_up_needs_what_and_due() {
        let mut i = input();
        i.follow_up_what = Some("Rappeler".into());
        assert_eq!(i.validate().unwrap_err().0[0].field, "follow_up_due");
        let mut i = input();
        i.follow_up_due = Some("2026-04-02".into());
        assert_eq!(i.validate().unwrap_err().0[0].field, "follow_up_what");
        let mut i = input();
        i.follow_up_what = Some("Rappeler".into());
        i.follow_up_due = Some("2026-04-02".into());
        i.follow_up_user_id = Some(id(3).to_string());
        assert_eq!(i.validate().unwrap().follow_up.unwrap().user_id, Some(id(3)));
    }

    #[test]
    fn round_trips_through_input() {
        let mut i = input();
        i.contact_ids = Some(id(7).to_string());
        i.tags = Some("a, b".into());
        i.follow_up_what = Some("x".into());
        i.follow_up_due = Some("2026-04-02".into());
        let n = i.validate().unwrap();
        let stored = Interaction {
            id: id(100),
            workspace_id: id(200),
            account_id: n.account_id,
            channel: n.channel,
            direction: n.direction,
            occurred_at: n.occurred_at,
            user_id: id(5),
            contact_ids: n.contact_ids.clone(),
            subject: None,
            summary: None,
            tags: n.tags.clone(),
            beyond_contract: false,
            related_kind: None,
            related_id: None,
            external_ref: None,
            answered_by: None,
            response_seconds: None,
            answer_linked: false,
            follow_up: Some(FollowUp {
                what: "x".into(),
                user_id: id(5),
                due: NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
                done_at: None,
            }),
            version: 1,
            created_at: n.occurred_at,
            updated_at: n.occurred_at,
        };
        let again = stored.to_input().validate().unwrap();
        assert_eq!(again.occurred_at, n.occurred_at);
        assert_eq!(again.contact_ids, n.contact_ids);
        assert_eq!(again.tags, n.tags);
        assert_eq!(again.user_id, Some(id(5)));
    }

    fn ev(n: u128, d: Direction, t: &str) -> ResponseEvent {
        (id(n), d, at(t), None)
    }

    use Direction::{Inbound as In, Outbound as Out};

    #[test]
    fn two_inbounds_then_one_outbound() {
        let events = [
            ev(3, Out, "2026-03-02T10:00:00Z"),
            ev(1, In, "2026-03-02T08:00:00Z"),
            ev(2, In, "2026-03-02T09:30:00Z"),
        ];
        assert_eq!(
            first_responses(&events),
            vec![(id(1), id(3), 7200), (id(2), id(3), 1800)]
        );
    }

    #[test]
    fn next_outbound_only_and_unanswered_tail() {
        let events = [
            ev(1, Out, "2026-03-01T08:00:00Z"),
            ev(2, In, "2026-03-01T09:00:00Z"),
            ev(3, Out, "2026-03-01T09:05:00Z"),
            ev(4, Out, "2026-03-01T09:10:00Z"),
            ev(5, In, "2026-03-01T10:00:00Z"),
        ];
        assert_eq!(first_responses(&events), vec![(id(2), id(3), 300)]);
        assert!(first_responses(&[]).is_empty());
        assert!(first_responses(&[ev(1, In, "2026-03-01T09:00:00Z")]).is_empty());
    }

    #[test]
    fn same_instant_counts_as_answered_and_earliest_id_wins() {
        let events = [
            ev(9, Out, "2026-03-01T09:00:00Z"),
            ev(5, In, "2026-03-01T09:00:00Z"),
            ev(7, Out, "2026-03-01T09:00:00Z"),
            ev(6, In, "2026-03-01T08:59:00Z"),
        ];
        assert_eq!(first_responses(&events), vec![(id(6), id(7), 60), (id(5), id(7), 0)]);
    }

    #[test]
    fn explicit_links_win_and_broken_links_answer_nothing() {
        let mut linked = ev(1, In, "2026-03-01T09:00:00Z");
        linked.3 = Some(id(4));
        let mut to_earlier = ev(5, In, "2026-03-01T13:00:00Z");
        to_earlier.3 = Some(id(3));
        let mut to_missing = ev(6, In, "2026-03-01T08:00:00Z");
        to_missing.3 = Some(id(99));
        let mut to_inbound = ev(7, In, "2026-03-01T08:30:00Z");
        to_inbound.3 = Some(id(2));
        let events = [
            linked,
            ev(2, In, "2026-03-01T09:30:00Z"),
            ev(3, Out, "2026-03-01T10:00:00Z"),
            ev(4, Out, "2026-03-01T12:00:00Z"),
            to_earlier,
            to_missing,
            to_inbound,
        ];
        assert_eq!(
            first_responses(&events),
            vec![(id(1), id(4), 3 * 3600), (id(2), id(3), 1800)]
        );
    }

    #[test]
    fn medians_and_means() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[9, 1, 5]), Some(5));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2));
        assert_eq!(median(&[1, 4]), Some(2));
        assert_eq!(median(&[3, 5]), Some(4));
        assert_eq!(median(&[i64::MAX, i64::MAX]), Some(i64::MAX));
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1, 2]), Some(2), "rounds half up");
        assert_eq!(mean(&[1, 2, 2]), Some(2));
        assert_eq!(mean(&[60, 120, 3600]), Some(1260));
        assert_eq!(mean(&[i64::MAX, i64::MAX]), Some(i64::MAX));
    }

    #[test]
    fn stats_by_channel_and_user() {
        let (a, b) = (id(1), id(2));
        let s = ResponseStats::compute(&[
            (Channel::Email, a, 100),
            (Channel::Email, b, 300),
            (Channel::Phone, a, 60),
            (Channel::Email, a, 200),
        ]);
        assert_eq!((s.count, s.mean_seconds, s.median_seconds), (4, Some(165), Some(150)));
        assert_eq!(
            s.by_channel,
            vec![
                (
                    Channel::Email,
                    ResponseFigures {
                        count: 3,
                        mean_seconds: Some(200),
                        median_seconds: Some(200)
                    }
                ),
                (Channel::Phone, ResponseFigures::of(&[60])),
            ]
        );
        assert_eq!(s.by_user[0].0, a);
        assert_eq!(s.by_user[0].1, ResponseFigures::of(&[100, 60, 200]));
        assert_eq!(s.by_user[1], (b, ResponseFigures::of(&[300])));
        assert_eq!(ResponseStats::compute(&[]), ResponseStats::default());
    }

    #[test]
    fn horizon() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
        assert_eq!(follow_up_horizon(d), NaiveDate::from_ymd_opt(2027, 1, 4).unwrap());
    }
}
