//! Events: the catalogue of what can happen to an account, which events are still
//! "hot", and which event an exchange of the timeline stands for.
//!
//! Capabilities raise events through the unit of work; subscribers registered by
//! other capabilities react in the same transaction (see `bilan_app::events`).

use crate::timeline::{Channel, Direction};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Something that happened to an account, after which a subscriber may act (a hot
/// survey today; health, reminders and reviews as their capabilities arrive).
/// Each capability adds its kinds here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A delivery to the client.
    Delivery,
    /// A technical intervention (on site or remote).
    Intervention,
    /// A support request answered.
    SupportExchange,
    /// A meeting or a visit.
    Meeting,
    /// An invoice sent.
    InvoiceSent,
    /// An invoice paid in full.
    InvoicePaid,
    /// A complaint resolved.
    ComplaintResolved,
    /// An account review held.
    ReviewHeld,
    /// Sent by hand, without an event.
    Manual,
}

impl EventKind {
    /// Every event kind.
    pub const ALL: [EventKind; 9] = [
        Self::Delivery,
        Self::Intervention,
        Self::SupportExchange,
        Self::Meeting,
        Self::InvoiceSent,
        Self::InvoicePaid,
        Self::ComplaintResolved,
        Self::ReviewHeld,
        Self::Manual,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Intervention => "intervention",
            Self::SupportExchange => "support_exchange",
            Self::Meeting => "meeting",
            Self::InvoiceSent => "invoice_sent",
            Self::InvoicePaid => "invoice_paid",
            Self::ComplaintResolved => "complaint_resolved",
            Self::ReviewHeld => "review_held",
            Self::Manual => "manual",
        }
    }

    /// Parses a code, in any case; spaces or hyphens may stand for underscores.
    pub fn parse(raw: &str) -> Option<Self> {
        let code = crate::search::normalize(raw).replace(' ', "_");
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Tags (normalised) that mark an interaction as a delivery.
pub const DELIVERY_TAGS: [&str; 2] = ["livraison", "delivery"];
/// Tags (normalised) that mark an interaction as an intervention.
pub const INTERVENTION_TAGS: [&str; 1] = ["intervention"];
/// Tags (normalised) that mark an interaction as a support exchange.
pub const SUPPORT_TAGS: [&str; 1] = ["support"];

/// The survey-triggering event an interaction of the timeline stands for, if any.
///
/// The first rule that matches wins, most specific first:
/// 1. tagged `livraison` or `delivery` → [`EventKind::Delivery`];
/// 2. tagged `intervention` → [`EventKind::Intervention`];
/// 3. on the meeting or visit channel → [`EventKind::Meeting`];
/// 4. outbound on e-mail, phone, chat, WhatsApp or the portal, tagged `support`
///    → [`EventKind::SupportExchange`] (the inbound request is not surveyed: the
///    client is asked once the answer went out).
///
/// Tags match whole, ignoring case and accents ("Livraison", "LIVRAISON" match,
/// "livraison partielle" does not), so a tag typed for another purpose does not
/// send a survey by accident. A visit tagged `intervention` is an intervention:
/// that is what the client will judge, not the meeting.
pub fn event_of_interaction(channel: Channel, direction: Direction, tags: &[String]) -> Option<EventKind> {
    let normalised: Vec<String> = tags.iter().map(|t| crate::search::normalize(t)).collect();
    let tagged = |wanted: &[&str]| normalised.iter().any(|t| wanted.contains(&t.as_str()));
    if tagged(&DELIVERY_TAGS) {
        return Some(EventKind::Delivery);
    }
    if tagged(&INTERVENTION_TAGS) {
        return Some(EventKind::Intervention);
    }
    if matches!(channel, Channel::Meeting | Channel::Visit) {
        return Some(EventKind::Meeting);
    }
    let support_channel = matches!(
        channel,
        Channel::Email | Channel::Phone | Channel::Chat | Channel::Whatsapp | Channel::Portal
    );
    if direction == Direction::Outbound && support_channel && tagged(&SUPPORT_TAGS) {
        return Some(EventKind::SupportExchange);
    }
    None
}

/// How old an event may be and still send a survey: satisfaction is measured hot.
pub const HOT_WINDOW_DAYS: i64 = 7;

/// Whether an event that occurred at `occurred_at` is recent enough at `now` to
/// survey anybody about it. History logged after the fact (an import of last year's
/// deliveries) sends nothing: asking about a months-old delivery is not "à chaud".
pub fn is_hot(occurred_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.signed_duration_since(occurred_at) <= Duration::days(HOT_WINDOW_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recent_events_are_hot() {
        let now = DateTime::parse_from_rfc3339("2026-06-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(is_hot(now, now));
        assert!(is_hot(now - Duration::days(7), now));
        assert!(!is_hot(now - Duration::days(7) - Duration::seconds(1), now));
        // A meeting planned for tomorrow and logged today is hot.
        assert!(is_hot(now + Duration::days(1), now));
    }

    #[test]
    fn kinds_have_stable_codes() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.code()), Some(k));
        }
        assert_eq!(EventKind::parse("Invoice-Sent"), Some(EventKind::InvoiceSent));
        assert_eq!(EventKind::parse("support exchange"), Some(EventKind::SupportExchange));
        assert_eq!(EventKind::parse("party"), None);
    }

    #[test]
    fn events_of_interactions() {
        let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        use Channel as C;
        use Direction::{Inbound as In, Outbound as Out};
        assert_eq!(
            event_of_interaction(C::Email, Out, &tags(&["LIVRAISON"])),
            Some(EventKind::Delivery)
        );
        assert_eq!(
            event_of_interaction(C::Phone, In, &tags(&["Delivery"])),
            Some(EventKind::Delivery)
        );
        assert_eq!(
            event_of_interaction(C::Visit, Out, &tags(&["Intervention"])),
            Some(EventKind::Intervention),
            "an intervention on site is judged as an intervention"
        );
        assert_eq!(
            event_of_interaction(C::Visit, Out, &tags(&["intervention", "livraison"])),
            Some(EventKind::Delivery)
        );
        assert_eq!(event_of_interaction(C::Meeting, In, &[]), Some(EventKind::Meeting));
        assert_eq!(
            event_of_interaction(C::Visit, Out, &tags(&["support"])),
            Some(EventKind::Meeting)
        );
        for c in [C::Email, C::Phone, C::Chat, C::Whatsapp, C::Portal] {
            assert_eq!(
                event_of_interaction(c, Out, &tags(&["Support"])),
                Some(EventKind::SupportExchange)
            );
            assert_eq!(
                event_of_interaction(c, In, &tags(&["support"])),
                None,
                "the request is not surveyed"
            );
        }
        assert_eq!(event_of_interaction(C::Letter, Out, &tags(&["support"])), None);
        assert_eq!(event_of_interaction(C::Linkedin, Out, &tags(&["support"])), None);
        assert_eq!(event_of_interaction(C::Email, Out, &tags(&["facturation"])), None);
        assert_eq!(
            event_of_interaction(C::Email, Out, &tags(&["livraison partielle"])),
            None
        );
        // Accents and case do not matter.
        assert_eq!(
            event_of_interaction(C::Email, Out, &tags(&["Intérvention"])),
            Some(EventKind::Intervention)
        );
    }
}
