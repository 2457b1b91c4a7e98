//! Events: "a delivery happened on this account". A capability raises its events
//! through the unit of work ([`crate::unit_of_work::Work::raise`]); they are stored
//! and the subscribers registered in [`SUBSCRIBERS`] react in that same
//! transaction, so an e-mail is queued exactly when its cause commits.

use crate::unit_of_work::Work;
use crate::AppResult;
use bilan_db::events::{self as store, EventRow};
use bilan_domain::events::{is_hot, EventKind};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// Something that happened to an account.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// To which account.
    pub account_id: Uuid,
    /// The contacts concerned (may be empty).
    pub contact_ids: Vec<Uuid>,
    /// What caused it: `interaction`, `manual`, later `invoice`, `complaint`, `review`.
    pub source_kind: &'static str,
    /// The causing record.
    pub source_id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// An event as stored, handed to subscribers.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The stored event's id.
    pub id: Uuid,
    /// The event.
    pub event: Event,
}

/// What raising events led to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raised {
    /// Events stored.
    pub events: usize,
    /// Survey invitations scheduled because of them.
    pub invitations: usize,
}

/// A future a subscriber returns.
pub type SubscriberFuture<'a> = Pin<Box<dyn Future<Output = AppResult<Raised>> + Send + 'a>>;

/// Reacts to stored events inside the unit of work that raised them.
pub type Subscriber = for<'a> fn(&'a mut Work, &'a [StoredEvent]) -> SubscriberFuture<'a>;

/// Every subscriber, one line per capability that reacts to events.
pub const SUBSCRIBERS: &[(&str, Subscriber)] = &[("surveys", crate::surveys::on_events)];

/// Stores the hot ones among `events` and lets every subscriber react. Events
/// older than the hot window (history imported after the fact) are dropped:
/// nothing is to be done about them now.
pub(crate) async fn store_and_notify(w: &mut Work, events: Vec<Event>) -> AppResult<Raised> {
    let now = w.now();
    let workspace = w.workspace_id();
    let stored: Vec<StoredEvent> = events
        .into_iter()
        .filter(|e| is_hot(e.occurred_at, now))
        .map(|event| StoredEvent {
            id: bilan_db::new_id(),
            event,
        })
        .collect();
    if stored.is_empty() {
        return Ok(Raised::default());
    }
    let rows: Vec<EventRow> = stored
        .iter()
        .map(|s| EventRow {
            id: s.id,
            workspace_id: workspace,
            kind: s.event.kind.code().to_owned(),
            account_id: s.event.account_id,
            contact_ids: s
                .event
                .contact_ids
                .iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(","),
            source_kind: s.event.source_kind.to_owned(),
            source_id: s.event.source_id,
            occurred_at: s.event.occurred_at,
            created_at: now,
        })
        .collect();
    store::insert_many(&mut w.conn(), &rows).await?;
    let mut raised = Raised {
        events: stored.len(),
        invitations: 0,
    };
    for (_, subscriber) in SUBSCRIBERS {
        let r = subscriber(w, &stored).await?;
        raised.invitations += r.invitations;
    }
    Ok(raised)
}
