//! The calendar invitation of a review (RFC 5545 through the icalendar crate):
//! METHOD:REQUEST with a UID that stays the review's and a SEQUENCE raised at
//! each change, so calendar programs update the meeting they already hold;
//! METHOD:CANCEL when it is called off.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};
use uuid::Uuid;

/// Request (or update) the meeting, or cancel it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A new or changed meeting.
    Request,
    /// The meeting is called off.
    Cancel,
}

impl Method {
    /// The iCalendar METHOD.
    pub fn code(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// What an invitation says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The review.
    pub review_id: Uuid,
    /// Raised at each change.
    pub sequence: u32,
    /// Request or cancel.
    pub method: Method,
    /// Title.
    pub summary: String,
    /// The agenda and a word.
    pub description: String,
    /// Where.
    pub location: Option<String>,
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// Who organises it: (name, address).
    pub organizer: (String, String),
    /// Who is invited: (name, address).
    pub attendees: Vec<(String, String)>,
    /// When this version was made.
    pub stamp: DateTime<Utc>,
}

/// The UID every version of a review's invitation shares.
pub fn uid(review: Uuid) -> String {
    format!("review-{}@bilan", review.simple())
}

/// The invitation as an iCalendar file.
pub fn ics(i: &Invitation) -> String {
    let mut event = icalendar::Event::new();
    event
        .uid(&uid(i.review_id))
        .sequence(i.sequence)
        .timestamp(i.stamp)
        .summary(&i.summary)
        .description(&i.description)
        .starts(i.starts)
        .ends(i.ends)
        .status(match i.method {
            Method::Request => EventStatus::Confirmed,
            Method::Cancel => EventStatus::Cancelled,
        });
    if let Some(l) = &i.location {
        event.location(l);
    }
    let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", i.organizer.1));
    organizer.add_parameter("CN", &i.organizer.0);
    event.append_property(organizer);
    for (name, address) in &i.attendees {
        let mut a = Property::new("ATTENDEE", format!("mailto:{address}"));
        a.add_parameter("CN", name)
            .add_parameter("ROLE", "REQ-PARTICIPANT")
            .add_parameter("PARTSTAT", "NEEDS-ACTION")
            .add_parameter("RSVP", "TRUE");
        event.append_multi_property(a);
    }
    let mut cal = Calendar::new();
    cal.append_property(Property::new("METHOD", i.method.code()));
    cal.push(event.done());
    cal.done().to_string()
}

/// The MIME type the invitation travels with.
pub fn content_type(method: Method) -> String {
    format!("text/calendar; method={}; charset=UTF-8", method.code())
}
