//! Events: "a delivery happened on this account". A module raises its events in
//! the transaction of the change that causes them; subscribers (hot surveys today,
//! health scores and reminders tomorrow) react in that same transaction, so an
//! e-mail is queued exactly when its cause commits.

use crate::AppResult;
use bilan_db::events::{self as store, EventRow};
use bilan_db::Conn;
use bilan_domain::surveys::{is_hot, EventKind};
use chrono::{DateTime, Utc};
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

/// What raising events led to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raised {
    /// Events stored.
    pub events: usize,
    /// Survey invitations scheduled because of them.
    pub invitations: usize,
}

/// Stores the hot ones among `events` and lets the subscribers react, in the
/// caller's transaction. Events older than the hot window (history imported after
/// the fact) are dropped: nothing is to be done about them now.
pub async fn raise(c: &mut Conn<'_>, workspace: Uuid, now: DateTime<Utc>, events: &[Event]) -> AppResult<Raised> {
    let rows: Vec<(EventRow, &Event)> = events
        .iter()
        .filter(|e| is_hot(e.occurred_at, now))
        .map(|e| {
            let row = EventRow {
                id: bilan_db::new_id(),
                workspace_id: workspace,
                kind: e.kind.code().to_owned(),
                account_id: e.account_id,
                contact_ids: e.contact_ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","),
                source_kind: e.source_kind.to_owned(),
                source_id: e.source_id,
                occurred_at: e.occurred_at,
                created_at: now,
            };
            (row, e)
        })
        .collect();
    if rows.is_empty() {
        return Ok(Raised::default());
    }
    let stored: Vec<EventRow> = rows.iter().map(|(r, _)| r.clone()).collect();
    store::insert_many(c, &stored).await?;
    let invitations = crate::surveys::on_events(c, workspace, now, &rows).await?;
    Ok(Raised {
        events: rows.len(),
        invitations,
    })
}
