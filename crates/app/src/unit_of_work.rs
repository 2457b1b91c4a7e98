//! The unit of work: the one way a use case writes.
//!
//! [`App::write`] checks the caller's permission and opens the transaction; the use
//! case changes its rows through [`Work::conn`] and states what else the change
//! means — an audit entry ([`Work::audit_created`]…), an event for other
//! capabilities ([`Work::raise`]), a job for later ([`Work::enqueue_at`]), an e-mail
//! ([`Work::queue_mail`]) — and [`Work::commit`] writes all of it in that same
//! transaction. Dropped without a commit, nothing of it exists: no entry, no event,
//! no job, no mail.
//!
//! ```ignore
//! let mut w = app.write(actor, Permission::WriteAccounts).await?;
//! let account = accounts::insert(&mut w.conn(), ws, id, &new, w.now()).await?;
//! w.audit_created(&account);
//! w.commit().await?;
//! ```

use crate::events::{Event, Raised};
use crate::jobs::JobKind;
use crate::outbox::Outgoing;
use crate::{Actor, App, AppResult};
use bilan_db::audit::AuditRow;
use bilan_db::jobs::JobRow;
use bilan_db::{Conn, Tx};
use bilan_domain::audit::AuditAction;
use bilan_domain::roles::Permission;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A record the audit trail knows: its entity name and its id; the snapshot is
/// its serialised form.
pub trait Audited: Serialize {
    /// The entity's name in the audit trail (`account`, `contact`…).
    const ENTITY: &'static str;

    /// The record's id.
    fn audit_id(&self) -> Uuid;

    /// The account whose health this record feeds, if any: auditing a change to it
    /// marks the account for a health recompute.
    fn health_account(&self) -> Option<Uuid> {
        None
    }
}

/// Implements [`Audited`] for a stored row with an `id`: `audited!(Row, "entity")`,
/// or `audited!(Row, "entity", health)` for a row whose `account_id` feeds health.
macro_rules! audited {
    ($row:ty, $entity:literal) => {
        impl $crate::Audited for $row {
            const ENTITY: &'static str = $entity;
            fn audit_id(&self) -> uuid::Uuid {
                self.id
            }
        }
    };
    ($row:ty, $entity:literal, health) => {
        impl $crate::Audited for $row {
            const ENTITY: &'static str = $entity;
            fn audit_id(&self) -> uuid::Uuid {
                self.id
            }
            fn health_account(&self) -> Option<uuid::Uuid> {
                Some(self.account_id)
            }
        }
    };
}
pub(crate) use audited;

/// Who made a change and when: what every audit entry of one unit of work shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditStamp {
    workspace_id: Uuid,
    user_id: Option<Uuid>,
    at: DateTime<Utc>,
}

impl AuditStamp {
    /// The entry of a created record.
    pub fn created<T: Audited>(&self, after: &T) -> AuditRow {
        self.entry(AuditAction::Create, T::ENTITY, after.audit_id(), None, Some(after))
    }

    /// One entry; snapshots are serialised as JSON.
    pub fn entry<T: Serialize + ?Sized>(
        &self,
        action: AuditAction,
        entity: &str,
        entity_id: Uuid,
        before: Option<&T>,
        after: Option<&T>,
    ) -> AuditRow {
        let json = |v: Option<&T>| v.and_then(|v| serde_json::to_string(v).ok());
        AuditRow {
            id: bilan_db::new_id(),
            workspace_id: self.workspace_id,
            at: self.at,
            user_id: self.user_id,
            action: action.code().to_owned(),
            entity: entity.to_owned(),
            entity_id,
            before_json: json(before),
            after_json: json(after),
        }
    }
}

/// An open unit of work; see the module documentation.
pub struct Work {
    tx: Tx,
    workspace_id: Uuid,
    /// The acting user for the audit trail; `None` at the command line and in jobs.
    user_id: Option<Uuid>,
    now: DateTime<Utc>,
    audit: Vec<AuditRow>,
    events: Vec<Event>,
    jobs: Vec<JobRow>,
    mail: Vec<Outgoing>,
    raised: Raised,
    /// Accounts whose health inputs changed.
    health: Vec<Uuid>,
}

impl App {
    /// Opens a unit of work for `actor`, who must hold `permission`.
    pub async fn write(&self, actor: &Actor, permission: Permission) -> AppResult<Work> {
        actor.require(permission)?;
        self.write_unchecked(actor.workspace_id, (!actor.via_cli).then_some(actor.user_id))
            .await
    }

    /// Opens a unit of work for `actor` on their own things (their tokens, their
    /// profile), which every role may change.
    pub async fn write_own(&self, actor: &Actor) -> AppResult<Work> {
        self.write_unchecked(actor.workspace_id, (!actor.via_cli).then_some(actor.user_id))
            .await
    }

    /// Opens a unit of work in `workspace` without a permission check: for the
    /// system itself (a job, an answer through a survey link, a sign-in), where
    /// the caller established the right to act some other way.
    pub async fn write_unchecked(&self, workspace: Uuid, user: Option<Uuid>) -> AppResult<Work> {
        Ok(Work {
            tx: self.db.begin().await?,
            workspace_id: workspace,
            user_id: user,
            now: self.now(),
            audit: Vec::new(),
            events: Vec::new(),
            jobs: Vec::new(),
            mail: Vec::new(),
            raised: Raised::default(),
            health: Vec::new(),
        })
    }
}

impl Work {
    /// The transaction's connection.
    pub fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }

    /// The instant of this unit of work (one for all its rows).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The workspace everything is written in.
    pub fn workspace_id(&self) -> Uuid {
        self.workspace_id
    }

    /// Records that `after` was created.
    pub fn audit_created<T: Audited>(&mut self, after: &T) {
        if let Some(a) = after.health_account() {
            self.touch_health(a);
        }
        self.audit_entry(AuditAction::Create, T::ENTITY, after.audit_id(), None, Some(after));
    }

    /// Records that `before` became `after`.
    pub fn audit_updated<T: Audited>(&mut self, before: &T, after: &T) {
        for a in [before.health_account(), after.health_account()].into_iter().flatten() {
            self.touch_health(a);
        }
        self.audit_entry(
            AuditAction::Update,
            T::ENTITY,
            after.audit_id(),
            Some(before),
            Some(after),
        );
    }

    /// Records that `before` was deleted.
    pub fn audit_deleted<T: Audited>(&mut self, before: &T) {
        if let Some(a) = before.health_account() {
            self.touch_health(a);
        }
        self.audit_entry(AuditAction::Delete, T::ENTITY, before.audit_id(), Some(before), None);
    }

    /// Records an entry about something that is not a stored record of its own
    /// (a survey sent by hand, a message put back in the queue).
    pub fn audit_entry<T: Serialize + ?Sized>(
        &mut self,
        action: AuditAction,
        entity: &'static str,
        entity_id: Uuid,
        before: Option<&T>,
        after: Option<&T>,
    ) {
        let row = self.audit_stamp().entry(action, entity, entity_id, before, after);
        self.audit.push(row);
    }

    /// Who and when, to build a batch's audit entries elsewhere (on another core
    /// while the rows are written); hand them back with [`Work::audit_rows`].
    pub fn audit_stamp(&self) -> AuditStamp {
        AuditStamp {
            workspace_id: self.workspace_id,
            user_id: self.user_id,
            at: self.now,
        }
    }

    /// Adds entries built from [`Work::audit_stamp`]: a bulk write audits per batch.
    pub fn audit_rows(&mut self, rows: Vec<AuditRow>) {
        self.audit.extend(rows);
    }

    /// Raises an event: stored, and its subscribers run, when the work commits.
    pub fn raise(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Raises the events now, so the caller can report what they led to (the
    /// invitations a delivery scheduled).
    pub async fn raise_now(&mut self, events: Vec<Event>) -> AppResult<Raised> {
        let before = self.raised.clone();
        self.events.extend(events);
        self.flush_events().await?;
        Ok(Raised {
            events: self.raised.events - before.events,
            invitations: self.raised.invitations - before.invitations,
        })
    }

    /// Runs `job` as soon as a worker is free, once this work commits.
    pub fn enqueue<J: JobKind>(&mut self, job: &J) -> AppResult<()> {
        let now = self.now;
        self.enqueue_at(job, now)
    }

    /// Runs `job` at `when` (or as soon as a worker is free after it).
    pub fn enqueue_at<J: JobKind>(&mut self, job: &J, when: DateTime<Utc>) -> AppResult<()> {
        let row = crate::jobs::new_row(Some(self.workspace_id), job, when, None, self.now)?;
        self.jobs.push(row);
        Ok(())
    }

    /// Marks an account whose health inputs changed: once this work commits, a job
    /// recomputes its health.
    pub fn touch_health(&mut self, account: Uuid) {
        if !self.health.contains(&account) {
            self.health.push(account);
        }
    }

    /// Queues an e-mail, sent by a worker once this work commits.
    pub fn queue_mail(&mut self, mail: Outgoing) {
        self.mail.push(mail);
    }

    /// Writes the audit entries gathered so far, in the transaction: a bulk write
    /// calls it after each batch, so its memory stays bounded.
    pub async fn flush_audit(&mut self) -> AppResult<()> {
        if !self.audit.is_empty() {
            bilan_db::audit::insert_rows(&mut self.tx.conn(), &self.audit).await?;
            self.audit.clear();
        }
        Ok(())
    }

    /// Abandons the work: nothing of it is written.
    pub async fn rollback(self) -> AppResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Writes the audit entries, events, jobs and mail, then commits: all of it
    /// or none of it.
    pub async fn commit(mut self) -> AppResult<Raised> {
        self.flush_events().await?;
        let mut c = self.tx.conn();
        if !self.audit.is_empty() {
            bilan_db::audit::insert_rows(&mut c, &self.audit).await?;
        }
        if !self.health.is_empty() {
            bilan_db::health::mark_dirty(&mut c, self.workspace_id, &self.health, self.now).await?;
            use crate::jobs::JobKind;
            let kind = crate::health::RecomputeChangedHealth::KIND;
            if !bilan_db::jobs::pending_exists(&mut c, self.workspace_id, kind).await? {
                // A minute later: the changes of a busy minute are recomputed together
                // (a page that shows health recomputes a marked account on the spot).
                let job = crate::health::RecomputeChangedHealth::default();
                let at = self.now + chrono::Duration::seconds(crate::health::RECOMPUTE_DELAY_SECONDS);
                self.jobs
                    .push(crate::jobs::new_row(Some(self.workspace_id), &job, at, None, self.now)?);
            }
        }
        if !self.jobs.is_empty() {
            bilan_db::jobs::insert(&mut c, &self.jobs).await?;
        }
        for m in std::mem::take(&mut self.mail) {
            crate::outbox::queue(&mut c, self.workspace_id, self.now, m).await?;
        }
        self.tx.commit().await?;
        Ok(self.raised)
    }

    /// Stores pending events and lets their subscribers react, until none is left
    /// (a subscriber may raise more). A bulk write calls it after each batch, as
    /// it does [`Work::flush_audit`]; `commit` calls it in any case.
    pub async fn flush_events(&mut self) -> AppResult<()> {
        while !self.events.is_empty() {
            let events = std::mem::take(&mut self.events);
            let raised = crate::events::store_and_notify(self, events).await?;
            self.raised.events += raised.events;
            self.raised.invitations += raised.invitations;
        }
        Ok(())
    }
}
