//! Shared history use cases: log interactions (one, or a batch from a mailbox or
//! CRM export), an account's timeline, edits, answer links, follow-ups and
//! first-response statistics. First responses are kept up to date in the same
//! transaction as every change that can move them.

use crate::events::Event;
use crate::unit_of_work::{AuditStamp, Audited, Work};
use crate::{Actor, App, AppError, AppResult};
use bilan_db::accounts::UpdateOutcome;
pub use bilan_db::timeline::FollowUpItem;
use bilan_db::timeline::{
    self as store, InteractionRow, RefTable, ResponseFilter, TimelineFilter, TimelinePage, Touches,
};
use bilan_domain::accounts::parse_date;
use bilan_domain::pagination::{page_size, Cursor};
use bilan_domain::roles::Permission;
use bilan_domain::search::query_terms;
use bilan_domain::timeline::{
    follow_up_horizon, local_day_start, Channel, Direction, Interaction, InteractionInput, NewInteraction,
    ResponseStats,
};
use bilan_domain::ValidationErrors;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Most interactions one [`log_batch`] call takes.
pub const BATCH_MAX: usize = 1_000;

/// How far in the future an interaction may be dated: a day absorbs clock and
/// time-zone slips; anything later is a planned event, not history.
const FUTURE_TOLERANCE: Duration = Duration::hours(24);

/// Most open follow-ups [`my_follow_ups`] returns.
const FOLLOW_UPS_MAX: i64 = 500;

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn parse_opt<T>(
    e: &mut ValidationErrors,
    field: &str,
    raw: &Option<String>,
    code: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let raw = nonempty(raw)?;
    let v = parse(&raw);
    if v.is_none() {
        e.add(field, code);
    }
    v
}

/// A period of local (Paris) calendar days as instants `[from, until)`.
fn period(
    e: &mut ValidationErrors,
    from: &Option<String>,
    to: &Option<String>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let from = parse_opt(e, "from", from, "date.invalid", parse_date);
    let to = parse_opt(e, "to", to, "date.invalid", parse_date);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            e.add("to", "period.invalid");
        }
    }
    let next_day = |d: NaiveDate| d.succ_opt().unwrap_or(d);
    (from.map(local_day_start), to.map(|t| local_day_start(next_day(t))))
}

/// A timeline's parameters, as text from a query string or CLI flags.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TimelineQuery {
    /// Search text over subject, summary and tags.
    pub q: Option<String>,
    /// Channel code or label.
    pub channel: Option<String>,
    /// `inbound` or `outbound`.
    pub direction: Option<String>,
    /// Supplier-side user id.
    pub user: Option<String>,
    /// Client contact id.
    pub contact: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// First day, inclusive (Paris time).
    pub from: Option<String>,
    /// Last day, inclusive (Paris time).
    pub to: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
}

/// Where a timeline page starts: the last seen entry's instant and id.
pub type TimelinePosition = (DateTime<Utc>, Uuid);

impl TimelineQuery {
    /// Parses the parameters; unknown values are errors naming the parameter.
    pub fn parse(&self) -> AppResult<(TimelineFilter, Option<TimelinePosition>, u32)> {
        let mut e = ValidationErrors::new();
        let channel = parse_opt(&mut e, "channel", &self.channel, "channel.invalid", Channel::parse);
        let direction = parse_opt(
            &mut e,
            "direction",
            &self.direction,
            "direction.invalid",
            Direction::parse,
        );
        let user_id = parse_opt(&mut e, "user", &self.user, "id.invalid", |s| Uuid::parse_str(s).ok());
        let contact_id = parse_opt(&mut e, "contact", &self.contact, "id.invalid", |s| {
            Uuid::parse_str(s).ok()
        });
        let (from, until) = period(&mut e, &self.from, &self.to);
        let after = parse_opt(&mut e, "cursor", &self.cursor, "cursor.invalid", |c| {
            Cursor::decode(c).as_ref().and_then(store::cursor_position)
        });
        e.into_result()?;
        let filter = TimelineFilter {
            terms: self.q.as_deref().map(query_terms).unwrap_or_default(),
            channel,
            direction,
            user_id,
            contact_id,
            tag: nonempty(&self.tag).map(|t| t.to_lowercase()),
            from,
            until,
        };
        Ok((filter, after, page_size(self.limit)))
    }
}

/// One page of an account's timeline, newest first (404 for another workspace's account).
pub async fn timeline(app: &App, actor: &Actor, account_id: Uuid, query: &TimelineQuery) -> AppResult<TimelinePage> {
    actor.require(Permission::ReadAccounts)?;
    let (filter, after, limit) = query.parse()?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    bilan_db::accounts::find(&mut c, actor.workspace_id, account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(store::timeline(&mut c, actor.workspace_id, account_id, &filter, after, limit).await?)
}

/// One interaction of the caller's workspace.
pub async fn find_interaction(app: &App, actor: &Actor, id: Uuid) -> AppResult<Interaction> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    store::find(&mut pc.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Checks what validation alone cannot: the account, contacts and users belong
/// to the workspace, and the instant is not in the future. Returns each item's
/// problems as (field, code), one query per referenced table for the whole batch.
pub(crate) async fn check_refs(
    c: &mut bilan_db::Conn<'_>,
    workspace: Uuid,
    now: DateTime<Utc>,
    items: &[&NewInteraction],
) -> AppResult<Vec<Vec<(&'static str, &'static str)>>> {
    let mut accounts: Vec<Uuid> = items.iter().map(|n| n.account_id).collect();
    let mut contacts: Vec<Uuid> = items.iter().flat_map(|n| n.contact_ids.iter().copied()).collect();
    let mut users: Vec<Uuid> = items
        .iter()
        .flat_map(|n| [n.user_id, n.follow_up.as_ref().and_then(|f| f.user_id)])
        .flatten()
        .collect();
    for ids in [&mut accounts, &mut contacts, &mut users] {
        ids.sort();
        ids.dedup();
    }
    // Contacts only need to be of the workspace, not of the account: people move
    // between client companies and their past exchanges stay where they happened.
    let accounts = store::existing_ids(c, RefTable::Accounts, workspace, &accounts).await?;
    let contacts = store::existing_ids(c, RefTable::Contacts, workspace, &contacts).await?;
    let users = store::existing_ids(c, RefTable::Users, workspace, &users).await?;
    // What an exchange is about must be a record of the same workspace.
    let mut related: std::collections::HashSet<(String, Uuid)> = std::collections::HashSet::new();
    for kind in bilan_domain::timeline::RELATED_KINDS {
        let mut ids: Vec<Uuid> = items
            .iter()
            .filter(|n| n.related_kind.as_deref() == Some(kind))
            .filter_map(|n| n.related_id)
            .collect();
        ids.sort();
        ids.dedup();
        let Some(table) = RefTable::of_related_kind(kind).filter(|_| !ids.is_empty()) else {
            continue;
        };
        for id in store::existing_ids(c, table, workspace, &ids).await? {
            related.insert((kind.to_owned(), id));
        }
    }
    Ok(items
        .iter()
        .map(|n| {
            let mut errs = Vec::new();
            if !accounts.contains(&n.account_id) {
                errs.push(("account_id", "account.unknown"));
            }
            if n.occurred_at > now + FUTURE_TOLERANCE {
                errs.push(("occurred_at", "datetime.future"));
            }
            if n.user_id.is_some_and(|u| !users.contains(&u)) {
                errs.push(("user_id", "user.unknown"));
            }
            if n.follow_up
                .as_ref()
                .and_then(|f| f.user_id)
                .is_some_and(|u| !users.contains(&u))
            {
                errs.push(("follow_up_user_id", "user.unknown"));
            }
            if n.contact_ids.iter().any(|id| !contacts.contains(id)) {
                errs.push(("contact_ids", "contact.unknown"));
            }
            if let (Some(kind), Some(id)) = (&n.related_kind, n.related_id) {
                if !related.contains(&(kind.clone(), id)) {
                    errs.push(("related_id", "related.unknown"));
                }
            }
            errs
        })
        .collect())
}

fn contact_links(row: &InteractionRow, n: &NewInteraction) -> Vec<(Uuid, Uuid, Uuid)> {
    n.contact_ids.iter().map(|c| (row.workspace_id, row.id, *c)).collect()
}

/// Logs one interaction on an account's timeline and brings the account's first
/// responses up to date (an outbound answers the unanswered inbounds before it;
/// an inbound logged late is answered at once by an existing later outbound).
pub async fn log_interaction(app: &App, actor: &Actor, input: &InteractionInput) -> AppResult<Interaction> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let new = new?;
    let now = w.now();
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let problems = check_refs(&mut c, ws, now, &[&new]).await?;
    let mut e = ValidationErrors::new();
    for (field, code) in problems.into_iter().flatten() {
        e.add(field, code);
    }
    e.into_result()?;
    if let Some(r) = &new.external_ref {
        if !store::ids_by_external_ref(&mut c, ws, std::slice::from_ref(r))
            .await?
            .is_empty()
        {
            return Err(AppError::Duplicate {
                field: "external_ref".into(),
            });
        }
    }
    let user = new.user_id.unwrap_or(actor.user_id);
    let row = insert_one(&mut c, ws, user, &new, now).await?;
    let stored = store::find(&mut c, ws, row.id).await?.ok_or(AppError::NotFound)?;
    for event in events_of(&[(&row, &new)]) {
        w.raise(event);
    }
    w.audit_created(&stored);
    w.commit().await?;
    tracing::info!(
        interaction.id = %stored.id,
        account.id = %stored.account_id,
        user.id = %actor.user_id,
        "interaction logged"
    );
    Ok(stored)
}

/// Writes one exchange by `user` in the caller's transaction and brings its
/// account's first responses up to date: what logging an exchange, a complaint's
/// letter and a survey's answer have in common.
pub(crate) async fn insert_one(
    c: &mut bilan_db::Conn<'_>,
    ws: Uuid,
    user: Uuid,
    new: &NewInteraction,
    now: DateTime<Utc>,
) -> AppResult<InteractionRow> {
    let mut row = InteractionRow::from_new(bilan_db::new_id(), ws, user, new, now);
    store::lock_accounts(c, ws, &[row.account_id]).await?;
    let mut touches = Touches::new();
    let links = contact_links(&row, new);
    store::insert_new(c, std::slice::from_mut(&mut row), &links, &mut touches).await?;
    touches.apply(c, ws).await?;
    Ok(row)
}

/// What a batch came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchReport {
    /// Interactions written.
    pub inserted: usize,
    /// Items skipped because their external reference was already imported.
    pub skipped_duplicates: usize,
    /// One entry per item, in input order.
    pub items: Vec<BatchItem>,
}

/// The outcome of one batch item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BatchItem {
    /// The interaction written, or the one already holding its external reference.
    pub id: Uuid,
    /// True when skipped as already imported.
    pub duplicate: bool,
}

/// Logs up to [`BATCH_MAX`] interactions, all or nothing: every bad item is
/// reported as `items.<index>.<field>`. An item whose external reference is
/// already stored (or appears earlier in the batch) is skipped and counted, so
/// re-sending a mailbox export is harmless.
pub async fn log_batch(app: &App, actor: &Actor, inputs: &[InteractionInput]) -> AppResult<BatchReport> {
    actor.require(Permission::WriteInteractions)?;
    if inputs.len() > BATCH_MAX {
        return Err(AppError::field("items", "batch.too_large"));
    }
    let mut e = ValidationErrors::new();
    let mut valid: Vec<(usize, NewInteraction)> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        match input.validate() {
            Ok(n) => valid.push((i, n)),
            Err(errs) => {
                for f in errs.0 {
                    e.add(&format!("items.{i}.{}", f.field), &f.code);
                }
            }
        }
    }
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let now = w.now();
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let refs: Vec<&NewInteraction> = valid.iter().map(|(_, n)| n).collect();
    let problems = check_refs(&mut c, ws, now, &refs).await?;
    for ((i, _), errs) in valid.iter().zip(problems) {
        for (field, code) in errs {
            e.add(&format!("items.{i}.{field}"), code);
        }
    }
    if !e.is_empty() {
        // Report in input order, whichever check found the problem.
        e.0.sort_by_key(|f| {
            f.field
                .split('.')
                .nth(1)
                .and_then(|i| i.parse::<usize>().ok())
                .unwrap_or(usize::MAX)
        });
        return Err(AppError::Validation(e));
    }
    let valid: Vec<NewInteraction> = valid.into_iter().map(|(_, n)| n).collect();
    let items = write_checked(&mut w, actor, &valid).await?;
    w.commit().await?;
    let inserted = items.iter().filter(|i| !i.duplicate).count();
    let report = BatchReport {
        inserted,
        skipped_duplicates: items.len() - inserted,
        items,
    };
    tracing::info!(
        inserted = report.inserted,
        skipped = report.skipped_duplicates,
        user.id = %actor.user_id,
        "interactions batch"
    );
    Ok(report)
}

/// Writes interactions whose references [`check_refs`] accepted, in the caller's
/// unit of work: one whose external reference is already stored (or earlier in
/// `valid`) is skipped and reported as a duplicate. First responses of the
/// touched timelines are brought up to date, every row is audited, and their
/// events are raised.
pub(crate) async fn write_checked(w: &mut Work, actor: &Actor, valid: &[NewInteraction]) -> AppResult<Vec<BatchItem>> {
    let ws = actor.workspace_id;
    let now = w.now();
    let external: Vec<String> = valid.iter().filter_map(|n| n.external_ref.clone()).collect();
    let mut known: HashMap<String, Uuid> = store::ids_by_external_ref(&mut w.conn(), ws, &external).await?;
    let mut items = Vec::with_capacity(valid.len());
    let mut rows = Vec::new();
    let mut written: Vec<&NewInteraction> = Vec::new();
    let mut links = Vec::new();
    for n in valid {
        if let Some(id) = n.external_ref.as_ref().and_then(|r| known.get(r)) {
            items.push(BatchItem {
                id: *id,
                duplicate: true,
            });
            continue;
        }
        let row = InteractionRow::from_new(bilan_db::new_id(), ws, n.user_id.unwrap_or(actor.user_id), n, now);
        if let Some(r) = &n.external_ref {
            known.insert(r.clone(), row.id);
        }
        items.push(BatchItem {
            id: row.id,
            duplicate: false,
        });
        links.extend(contact_links(&row, n));
        rows.push(row);
        written.push(n);
    }
    if rows.is_empty() {
        return Ok(items);
    }
    // The audit snapshots are the rows as inserted: serialise them on another
    // core while the database writes (a third of a batch's time otherwise).
    let snapshots: Vec<(InteractionRow, Vec<Uuid>)> = rows
        .iter()
        .cloned()
        .zip(written.iter().map(|n| n.contact_ids.clone()))
        .collect();
    let stamp = w.audit_stamp();
    let audit_job = tokio::task::spawn_blocking(move || creation_entries(&stamp, snapshots));
    let accounts: Vec<Uuid> = rows.iter().map(|r| r.account_id).collect();
    let mut c = w.conn();
    store::lock_accounts(&mut c, ws, &accounts).await?;
    let mut touches = Touches::new();
    store::insert_new(&mut c, &mut rows, &links, &mut touches).await?;
    touches.apply(&mut c, ws).await?;
    let raised: Vec<(&InteractionRow, &NewInteraction)> = rows.iter().zip(written.iter().copied()).collect();
    for event in events_of(&raised) {
        w.raise(event);
    }
    let audit = audit_job
        .await
        .map_err(|e| AppError::Internal(format!("audit snapshots: {e}")))??;
    for a in &accounts {
        w.touch_health(*a);
    }
    w.audit_rows(audit);
    Ok(items)
}

/// The audit entries of newly created interactions, from their rows and contacts.
fn creation_entries(
    stamp: &AuditStamp,
    created: Vec<(InteractionRow, Vec<Uuid>)>,
) -> AppResult<Vec<bilan_db::audit::AuditRow>> {
    created
        .into_iter()
        .map(|(row, contacts)| Ok(stamp.created(&row.into_interaction(contacts)?)))
        .collect()
}

/// The events freshly written interactions stand for (a delivery, an
/// intervention, a meeting, a support answer).
fn events_of(rows: &[(&InteractionRow, &NewInteraction)]) -> Vec<Event> {
    rows.iter()
        .filter_map(|(row, n)| {
            let kind = bilan_domain::events::event_of_interaction(n.channel, n.direction, &n.tags)?;
            Some(Event {
                kind,
                account_id: row.account_id,
                contact_ids: n.contact_ids.clone(),
                source_kind: "interaction",
                source_id: row.id,
                occurred_at: n.occurred_at,
            })
        })
        .collect()
}

impl Audited for Interaction {
    const ENTITY: &'static str = "interaction";

    fn audit_id(&self) -> Uuid {
        self.id
    }

    fn health_account(&self) -> Option<Uuid> {
        Some(self.account_id)
    }
}

/// Replaces an interaction's fields if nobody changed it since `version`.
///
/// Moving it (another instant, direction or account) drops the explicit answer
/// links it is part of and recomputes the first responses it affected.
pub async fn update_interaction(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: &InteractionInput,
) -> AppResult<Interaction> {
    let new = input.validate();
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let new = new?;
    let now = w.now();
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let before = store::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    require_own(actor, &before, false)?;
    let mut e = ValidationErrors::new();
    for (field, code) in check_refs(&mut c, ws, now, &[&new]).await?.into_iter().flatten() {
        e.add(field, code);
    }
    e.into_result()?;
    store::lock_accounts(&mut c, ws, &[before.account_id, new.account_id]).await?;
    let row = InteractionRow::from_new(id, ws, new.user_id.unwrap_or(before.user_id), &new, now);
    let moved = before.account_id != new.account_id
        || before.direction != new.direction
        || before.occurred_at != new.occurred_at;
    let mut touches = Touches::new();
    if moved {
        for (inbound, account, at) in store::release_links_to(&mut c, ws, id).await? {
            touches.inbound(account, inbound, at);
        }
        if before.direction == Direction::Outbound {
            touches.outbound(before.account_id, before.occurred_at);
        }
        touches.row(&row);
    }
    match store::update(&mut c, version, &row, &new.contact_ids, moved).await? {
        UpdateOutcome::Updated(()) => {}
        UpdateOutcome::Stale(current_version) => return Err(AppError::Stale { current_version }),
        UpdateOutcome::NotFound => return Err(AppError::NotFound),
    }
    touches.apply(&mut c, ws).await?;
    commit_update(w, &before).await
}

/// Reads an interaction back after a change, records the change in the audit
/// trail and commits.
async fn commit_update(mut w: Work, before: &Interaction) -> AppResult<Interaction> {
    let ws = w.workspace_id();
    let after = store::find(&mut w.conn(), ws, before.id)
        .await?
        .ok_or(AppError::NotFound)?;
    w.audit_updated(before, &after);
    w.commit().await?;
    Ok(after)
}

/// People change their own exchanges (and close the follow-ups given to them); changing
/// a colleague's takes [`Permission::EditAnyInteraction`] (managers and admins).
pub fn require_own(actor: &Actor, i: &Interaction, follow_up_action: bool) -> AppResult<()> {
    let own = i.user_id == actor.user_id
        || (follow_up_action && i.follow_up.as_ref().is_some_and(|f| f.user_id == actor.user_id));
    if own || actor.via_cli {
        Ok(())
    } else {
        actor.require(Permission::EditAnyInteraction)
    }
}

/// Deletes an interaction; the inbounds it answered get the next outbound instead.
pub async fn delete_interaction(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let before = store::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    require_own(actor, &before, false)?;
    store::lock_accounts(&mut c, ws, &[before.account_id]).await?;
    let mut touches = Touches::new();
    for (inbound, account, at) in store::release_links_to(&mut c, ws, id).await? {
        touches.inbound(account, inbound, at);
    }
    if before.direction == Direction::Outbound {
        touches.outbound(before.account_id, before.occurred_at);
    }
    store::delete(&mut c, ws, id).await?;
    touches.apply(&mut c, ws).await?;
    w.audit_deleted(&before);
    w.commit().await?;
    Ok(())
}

/// Records that `outbound_id` is the answer to `inbound_id` (when the next
/// outbound was about something else): same account, not earlier than the request.
pub async fn link_answer(app: &App, actor: &Actor, inbound_id: Uuid, outbound_id: Uuid) -> AppResult<Interaction> {
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let now = w.now();
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let before = store::find(&mut c, ws, inbound_id).await?.ok_or(AppError::NotFound)?;
    let Some(answer) = store::find_row(&mut c, ws, outbound_id).await? else {
        return Err(AppError::field("outbound_id", "interaction.unknown"));
    };
    let mut e = ValidationErrors::new();
    if before.direction != Direction::Inbound {
        e.add("inbound_id", "answer.not_inbound");
    }
    if answer.direction() != Some(Direction::Outbound) {
        e.add("outbound_id", "answer.not_outbound");
    } else if answer.account_id != before.account_id {
        e.add("outbound_id", "answer.other_account");
    } else if answer.occurred_at < before.occurred_at {
        e.add("outbound_id", "answer.before_request");
    }
    e.into_result()?;
    store::lock_accounts(&mut c, ws, &[before.account_id]).await?;
    let seconds = (answer.occurred_at - before.occurred_at).num_seconds();
    store::set_link(&mut c, ws, inbound_id, outbound_id, seconds, now).await?;
    commit_update(w, &before).await
}

/// Removes an explicit answer link: the next outbound answers the inbound again.
pub async fn unlink_answer(app: &App, actor: &Actor, inbound_id: Uuid) -> AppResult<Interaction> {
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let now = w.now();
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let before = store::find(&mut c, ws, inbound_id).await?.ok_or(AppError::NotFound)?;
    if !before.answer_linked {
        return Ok(before);
    }
    store::lock_accounts(&mut c, ws, &[before.account_id]).await?;
    store::clear_link(&mut c, ws, inbound_id, now).await?;
    let mut touches = Touches::new();
    touches.inbound(before.account_id, inbound_id, before.occurred_at);
    touches.apply(&mut c, ws).await?;
    commit_update(w, &before).await
}

/// The caller's open follow-ups: late ones, and those due within
/// [`bilan_domain::timeline::FOLLOW_UP_HORIZON_DAYS`] days.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct MyFollowUps {
    /// Due before today, oldest first.
    pub overdue: Vec<FollowUpItem>,
    /// Due today or within the horizon, soonest first.
    pub due_soon: Vec<FollowUpItem>,
}

/// The caller's open follow-ups as of `today` (their local date, given by the caller).
pub async fn my_follow_ups(app: &App, actor: &Actor, today: NaiveDate) -> AppResult<MyFollowUps> {
    actor.require(Permission::ReadAccounts)?;
    let mut pc = app.db.acquire().await?;
    let items = store::open_follow_ups(
        &mut pc.conn(),
        actor.workspace_id,
        actor.user_id,
        follow_up_horizon(today),
        FOLLOW_UPS_MAX,
    )
    .await?;
    let (overdue, due_soon) = items
        .into_iter()
        .partition(|i| i.interaction.follow_up.as_ref().is_some_and(|f| f.due < today));
    Ok(MyFollowUps { overdue, due_soon })
}

/// Marks an interaction's follow-up done (doing it twice changes nothing).
pub async fn complete_follow_up(app: &App, actor: &Actor, id: Uuid) -> AppResult<Interaction> {
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let now = w.now();
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let before = store::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    require_own(actor, &before, true)?;
    match &before.follow_up {
        None => return Err(AppError::Conflict("no follow-up on this interaction".into())),
        Some(f) if f.done_at.is_some() => return Ok(before),
        Some(_) => {}
    }
    store::complete_follow_up(&mut c, ws, id, now).await?;
    commit_update(w, &before).await
}

/// Puts an open follow-up off ("snooze"): due tomorrow or next Monday, counted
/// from the workspace's today.
pub async fn snooze_follow_up(
    app: &App,
    actor: &Actor,
    id: Uuid,
    snooze: bilan_domain::my_day::Snooze,
) -> AppResult<Interaction> {
    let mut w = app.write(actor, Permission::WriteInteractions).await?;
    let now = w.now();
    let ws = actor.workspace_id;
    let mut c = w.conn();
    let before = store::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    require_own(actor, &before, true)?;
    match &before.follow_up {
        None => return Err(AppError::Conflict("no follow-up on this interaction".into())),
        Some(f) if f.done_at.is_some() => return Err(AppError::Conflict("follow-up already done".into())),
        Some(_) => {}
    }
    let due = snooze.due_from(bilan_domain::timeline::local_day(now));
    store::snooze_follow_up(&mut c, ws, id, due, now).await?;
    commit_update(w, &before).await
}

/// Which answered requests response statistics cover, as text parameters.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ResponseQuery {
    /// One account's id.
    pub account: Option<String>,
    /// The channel the client used.
    pub channel: Option<String>,
    /// The user who answered.
    pub user: Option<String>,
    /// First day of the requests, inclusive (Paris time).
    pub from: Option<String>,
    /// Last day of the requests, inclusive (Paris time).
    pub to: Option<String>,
}

impl ResponseQuery {
    /// Parses the parameters.
    pub fn parse(&self) -> AppResult<ResponseFilter> {
        let mut e = ValidationErrors::new();
        let account_id = parse_opt(&mut e, "account", &self.account, "id.invalid", |s| {
            Uuid::parse_str(s).ok()
        });
        let channel = parse_opt(&mut e, "channel", &self.channel, "channel.invalid", Channel::parse);
        let user_id = parse_opt(&mut e, "user", &self.user, "id.invalid", |s| Uuid::parse_str(s).ok());
        let (from, until) = period(&mut e, &self.from, &self.to);
        e.into_result()?;
        Ok(ResponseFilter {
            account_id,
            channel,
            user_id,
            from,
            until,
        })
    }
}

/// First-response times of answered requests: count, mean and median overall,
/// by the channel the client used and by the user who answered.
pub async fn response_stats(app: &App, actor: &Actor, query: &ResponseQuery) -> AppResult<ResponseStats> {
    actor.require(Permission::ReadAccounts)?;
    let filter = query.parse()?;
    let mut pc = app.db.acquire().await?;
    let samples = store::response_samples(&mut pc.conn(), actor.workspace_id, &filter).await?;
    Ok(ResponseStats::compute(&samples))
}
