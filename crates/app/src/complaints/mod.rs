//! Complaint use cases (SPEC C4): open a case (by hand, from an exchange of the
//! timeline, from the API), move it through its states by dated steps, see what
//! is due, and the figures. Letters go out through the outbox and land on the
//! timeline; resolving raises `complaint_resolved` for the survey rules.

pub mod deadlines;
pub mod figures;
pub mod letters;
pub mod settings;

use crate::events::Event;
use crate::{Actor, App, AppError, AppResult, Audited};
use bilan_db::complaints::{self as store, ComplaintFilter, ComplaintRow, StepRow};
pub use bilan_db::complaints::{ComplaintPage, ListedComplaint};
use bilan_db::timeline::{self as timeline_store, RefTable};
use bilan_domain::complaints::{
    deadlines as compute_deadlines, required_permission, Category, Complaint, ComplaintInput, ComplaintState, Severity,
    Step, TransitionInput,
};
use bilan_domain::events::EventKind;
use bilan_domain::pagination::{page_size, Cursor};
use bilan_domain::roles::Permission;
use bilan_domain::timeline::{local_day, Interaction, LOCAL_TZ};
use bilan_domain::ValidationErrors;
use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

impl Audited for Complaint {
    const ENTITY: &'static str = "complaint";

    fn audit_id(&self) -> Uuid {
        self.id
    }

    fn health_account(&self) -> Option<Uuid> {
        Some(self.account_id)
    }
}

/// The list's parameters, as text from a query string or CLI flags.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ComplaintQuery {
    /// A case's reference (`R-2026-0042`, or its number) or words of its account's name.
    pub q: Option<String>,
    /// A state code, `open` (the default of the page) or `all`.
    pub state: Option<String>,
    /// Owner user id.
    pub owner: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Severity code.
    pub severity: Option<String>,
    /// Account id.
    pub account: Option<String>,
    /// Received on or after (date).
    pub from: Option<String>,
    /// Received on or before (date).
    pub to: Option<String>,
    /// `true`: only cases with a deadline passed.
    pub overdue: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl ComplaintQuery {
    /// Parses the parameters at `today`; unknown values are errors naming the parameter.
    pub fn parse(&self, today: NaiveDate) -> AppResult<(ComplaintFilter, Option<Cursor>, u32)> {
        let mut e = ValidationErrors::new();
        let states = match nonempty(&self.state).as_deref() {
            None | Some("all") => Vec::new(),
            Some("open") => ComplaintState::open_states(),
            Some(s) => match ComplaintState::parse(s) {
                Some(st) => vec![st],
                None => {
                    e.add("state", "state.invalid");
                    Vec::new()
                }
            },
        };
        let id = |e: &mut ValidationErrors, field: &str, v: &Option<String>| {
            nonempty(v).and_then(|s| Uuid::parse_str(&s).map_err(|_| e.add(field, "id.invalid")).ok())
        };
        let owner_id = id(&mut e, "owner", &self.owner);
        let account_id = id(&mut e, "account", &self.account);
        let category = nonempty(&self.category).and_then(|c| {
            let x = Category::parse(&c);
            if x.is_none() {
                e.add("category", "category.invalid");
            }
            x
        });
        let severity = nonempty(&self.severity).and_then(|c| {
            let x = Severity::parse(&c);
            if x.is_none() {
                e.add("severity", "severity.invalid");
            }
            x
        });
        let mut date = |field: &str, v: &Option<String>| {
            nonempty(v).and_then(|s| {
                let d = bilan_domain::accounts::parse_date(&s);
                if d.is_none() {
                    e.add(field, "date.invalid");
                }
                d
            })
        };
        let received_from = date("from", &self.from);
        let received_to = date("to", &self.to);
        let overdue = match nonempty(&self.overdue).as_deref() {
            None => false,
            Some(v) => bilan_domain::contacts::parse_bool(v).unwrap_or_else(|| {
                e.add("overdue", "bool.invalid");
                false
            }),
        };
        let cursor = nonempty(&self.cursor).and_then(|c| {
            let cur = Cursor::decode(&c);
            if cur.is_none() {
                e.add("cursor", "cursor.invalid");
            }
            cur
        });
        e.into_result()?;
        let (number, account_terms) = match nonempty(&self.q) {
            None => (None, Vec::new()),
            Some(q) => match reference_number(&q) {
                Some(n) => (Some(n), Vec::new()),
                None => (None, bilan_domain::search::query_terms(&q)),
            },
        };
        let filter = ComplaintFilter {
            number,
            account_terms,
            states,
            owner_id,
            category,
            severity,
            account_id,
            received_from,
            received_to,
            overdue_before: overdue.then_some(today),
            due_until: None,
        };
        Ok((filter, cursor, page_size(self.limit)))
    }
}

/// The case number a reference stands for: `R-2026-0042`, `r2026-42`, `0042`.
pub fn reference_number(raw: &str) -> Option<i64> {
    let t = raw.trim().to_ascii_uppercase();
    let t = t.strip_prefix('R').map_or(t.as_str(), |r| r.trim_start_matches('-'));
    let digits = match t.split_once('-') {
        Some((year, n)) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => n,
        Some(_) => return None,
        None if raw.trim().to_ascii_uppercase().starts_with('R') => t,
        None if t.len() <= 6 => t,
        None => return None,
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Today in the workspace's zone.
pub fn today(app: &App) -> NaiveDate {
    local_day(app.now())
}

/// Lists cases by next deadline (overdue first).
pub async fn list_complaints(app: &App, actor: &Actor, query: &ComplaintQuery) -> AppResult<ComplaintPage> {
    actor.require(Permission::ReadComplaints)?;
    let (filter, cursor, limit) = query.parse(today(app))?;
    let mut pc = app.db.acquire().await?;
    Ok(store::list(&mut pc.conn(), actor.workspace_id, &filter, cursor.as_ref(), limit).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_are_read_as_people_type_them() {
        use super::reference_number as n;
        assert_eq!(n("R-2026-0042"), Some(42));
        assert_eq!(n("r-2026-42"), Some(42));
        assert_eq!(n("R2026-0042"), Some(42));
        assert_eq!(n("0042"), Some(42));
        assert_eq!(n("R42"), Some(42));
        assert_eq!(n("Danone"), None);
        assert_eq!(n("2026-11-20"), None);
        assert_eq!(
            n("1234567"),
            None,
            "a long number is a word to search, not a case number"
        );
    }
}

/// A case with everything its page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComplaintDetail {
    /// The case.
    pub complaint: Complaint,
    /// Its account's name.
    pub account_name: String,
    /// Who complained: name and address.
    pub contact: Option<(Uuid, String, Option<String>)>,
    /// Who handles it.
    pub owner_name: String,
    /// Its steps, oldest first.
    pub steps: Vec<Step>,
    /// Names of the people who made the steps.
    pub step_users: Vec<(Uuid, String)>,
    /// Its exchanges: the one it came from and the letters, oldest first.
    pub exchanges: Vec<Interaction>,
}

/// A case of the workspace (404 for another's).
pub async fn find_complaint(app: &App, actor: &Actor, id: Uuid) -> AppResult<Complaint> {
    actor.require(Permission::ReadComplaints)?;
    let mut pc = app.db.acquire().await?;
    store::find(&mut pc.conn(), actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A case with its steps, people and exchanges.
pub async fn complaint_detail(app: &App, actor: &Actor, id: Uuid) -> AppResult<ComplaintDetail> {
    actor.require(Permission::ReadComplaints)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let complaint = store::find(&mut c, ws, id).await?.ok_or(AppError::NotFound)?;
    let account_name = bilan_db::imports::accounts_by_ids(&mut c, ws, &[complaint.account_id])
        .await?
        .into_iter()
        .next()
        .map(|a| a.name)
        .unwrap_or_default();
    let contact = match complaint.contact_id {
        Some(cid) => bilan_db::contacts::find(&mut c, ws, cid)
            .await?
            .map(|p| (p.id, p.full_name(), p.email)),
        None => None,
    };
    let steps = store::steps(&mut c, ws, id).await?;
    let mut user_ids: Vec<Uuid> = steps.iter().filter_map(|s| s.user_id).collect();
    user_ids.push(complaint.owner_id);
    user_ids.sort();
    user_ids.dedup();
    let mut step_users = Vec::new();
    for u in user_ids {
        if let Some(row) = bilan_db::users::find(&mut c, ws, u).await? {
            step_users.push((u, row.display_name));
        }
    }
    let owner_name = step_users
        .iter()
        .find(|(u, _)| *u == complaint.owner_id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let mut exchanges = timeline_store::related_to(&mut c, ws, "complaint", id).await?;
    if let Some(src) = complaint.interaction_id {
        if let Some(i) = timeline_store::find(&mut c, ws, src).await? {
            exchanges.insert(0, i);
        }
    }
    exchanges.sort_by_key(|i| (i.occurred_at, i.id));
    Ok(ComplaintDetail {
        complaint,
        account_name,
        contact,
        owner_name,
        steps,
        step_users,
        exchanges,
    })
}

/// A new case's fields taken from an exchange of the timeline: its account, its
/// first contact, its day, its channel and its words.
pub async fn input_from_interaction(app: &App, actor: &Actor, interaction: Uuid) -> AppResult<ComplaintInput> {
    actor.require(Permission::ReadComplaints)?;
    let mut pc = app.db.acquire().await?;
    let i = timeline_store::find(&mut pc.conn(), actor.workspace_id, interaction)
        .await?
        .ok_or(AppError::NotFound)?;
    let words = [i.subject.as_deref(), i.summary.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(ComplaintInput {
        account_id: Some(i.account_id.to_string()),
        contact_id: i.contact_ids.first().map(Uuid::to_string),
        interaction_id: Some(i.id.to_string()),
        received_on: Some(local_day(i.occurred_at).to_string()),
        channel: Some(i.channel.code().to_owned()),
        summary: Some(words),
        ..Default::default()
    })
}

/// Opens a case. With an exchange and no account, the exchange's account is taken;
/// with an exchange and no contact, its first contact.
pub async fn open_complaint(app: &App, actor: &Actor, input: &ComplaintInput) -> AppResult<Complaint> {
    let today = today(app);
    let mut w = app.write(actor, Permission::WriteComplaints).await?;
    let complaint = open_in(&mut w, actor, input, today).await?;
    w.commit().await?;
    tracing::info!(complaint.id = %complaint.id, account.id = %complaint.account_id, "complaint opened");
    Ok(complaint)
}

/// Opens a case inside a unit of work (the portal writes the client's message and
/// the case it opens together).
pub(crate) async fn open_in(
    w: &mut crate::Work,
    actor: &Actor,
    input: &ComplaintInput,
    today: NaiveDate,
) -> AppResult<Complaint> {
    let ws = actor.workspace_id;
    let mut input = input.clone();
    let source = match nonempty(&input.interaction_id).map(|s| Uuid::parse_str(&s)) {
        Some(Ok(iid)) => timeline_store::find(&mut w.conn(), ws, iid).await?,
        _ => None,
    };
    if let Some(src) = &source {
        if nonempty(&input.account_id).is_none() {
            input.account_id = Some(src.account_id.to_string());
        }
        if nonempty(&input.contact_id).is_none() {
            input.contact_id = src.contact_ids.first().map(Uuid::to_string);
        }
    }
    let new = input.validate(today)?;
    let mut e = ValidationErrors::new();
    let mut c = w.conn();
    let exists = |set: &std::collections::HashSet<Uuid>, id: Uuid| set.contains(&id);
    let accounts = timeline_store::existing_ids(&mut c, RefTable::Accounts, ws, &[new.account_id]).await?;
    if !exists(&accounts, new.account_id) {
        e.add("account_id", "account.unknown");
    }
    if let Some(cid) = new.contact_id {
        if !exists(
            &timeline_store::existing_ids(&mut c, RefTable::Contacts, ws, &[cid]).await?,
            cid,
        ) {
            e.add("contact_id", "contact.unknown");
        }
    }
    if new.interaction_id.is_some() {
        match &source {
            None => e.add("interaction_id", "interaction.unknown"),
            Some(src) if src.account_id != new.account_id => e.add("interaction_id", "complaint.other_account"),
            Some(src) if local_day(src.occurred_at) > new.received_on => {
                e.add("received_on", "complaint.before_exchange");
            }
            Some(_) => {}
        }
    }
    if let Some(inv) = new.invoice_id {
        match bilan_db::invoices::find(&mut c, ws, inv).await? {
            None => e.add("invoice_id", "invoice.unknown"),
            Some(i) if i.account_id != new.account_id => e.add("invoice_id", "complaint.invoice_other_account"),
            Some(_) => {}
        }
    }
    let owner = new.owner_id.unwrap_or(actor.user_id);
    if !exists(
        &timeline_store::existing_ids(&mut c, RefTable::Users, ws, &[owner]).await?,
        owner,
    ) {
        e.add("owner_id", "user.unknown");
    }
    e.into_result()?;
    let now = w.now();
    let mut c = w.conn();
    let rules = settings::rules_in(&mut c, ws).await?;
    let number = store::next_number(&mut c, ws).await?;
    let complaint = Complaint {
        id: bilan_db::new_id(),
        workspace_id: ws,
        number,
        account_id: new.account_id,
        contact_id: new.contact_id,
        interaction_id: new.interaction_id,
        invoice_id: new.invoice_id,
        received_on: new.received_on,
        channel: new.channel,
        client_kind: new.client_kind,
        category: new.category,
        severity: new.severity,
        concerns: new.concerns,
        summary: new.summary,
        owner_id: owner,
        state: ComplaintState::Received,
        deadlines: compute_deadlines(rules, new.received_on, new.client_kind, None),
        mediation_notified_on: None,
        acknowledged_on: None,
        answered_on: None,
        resolved_on: None,
        closed_on: None,
        gesture: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(&mut c, &ComplaintRow::from_complaint(&complaint)).await?;
    let step = Step {
        id: bilan_db::new_id(),
        complaint_id: complaint.id,
        from_state: None,
        to_state: ComplaintState::Received,
        on: complaint.received_on,
        user_id: w_user(actor),
        reason: None,
        gesture: None,
        created_at: now,
    };
    store::insert_steps(&mut c, &[StepRow::from_step(ws, &step)]).await?;
    w.audit_created(&complaint);
    Ok(complaint)
}

fn w_user(actor: &Actor) -> Option<Uuid> {
    (!actor.via_cli).then_some(actor.user_id)
}

/// What a step came to.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Moved {
    /// The case after the step.
    pub complaint: Complaint,
    /// The letter sent to the client, if the step called for one and the contact has an address.
    pub letter: Option<letters::LetterSent>,
}

/// Moves a case by one dated step, if it is still at `expected_version`: checks
/// the step against the case and the caller's role, records it, sends the letter
/// it calls for, and raises `complaint_resolved` on a resolution.
pub async fn move_complaint(
    app: &App,
    actor: &Actor,
    id: Uuid,
    expected_version: i64,
    input: &TransitionInput,
) -> AppResult<Moved> {
    actor.require(Permission::ReadComplaints)?;
    let to = input.to.as_deref().and_then(ComplaintState::parse);
    let with_gesture = nonempty(&input.gesture_kind).is_some() || nonempty(&input.gesture_amount).is_some();
    let permission = to.map_or(Permission::WriteComplaints, |t| required_permission(t, with_gesture));
    let today = today(app);
    let mut w = app.write(actor, permission).await?;
    let ws = actor.workspace_id;
    let before = store::find(&mut w.conn(), ws, id).await?.ok_or(AppError::NotFound)?;
    if before.version != expected_version {
        return Err(AppError::Stale {
            current_version: before.version,
        });
    }
    let last = store::last_step_on(&mut w.conn(), ws, id)
        .await?
        .unwrap_or(before.received_on);
    let t = input.check(&before, last, today)?;
    let now = w.now();
    let mut after = bilan_domain::complaints::apply(&before, &t);
    after.updated_at = now;
    if !store::update(&mut w.conn(), &ComplaintRow::from_complaint(&after), expected_version).await? {
        let current = store::find(&mut w.conn(), ws, id).await?.ok_or(AppError::NotFound)?;
        return Err(AppError::Stale {
            current_version: current.version,
        });
    }
    after.version = expected_version + 1;
    let step = Step {
        id: bilan_db::new_id(),
        complaint_id: id,
        from_state: Some(t.from),
        to_state: t.to,
        on: t.on,
        user_id: w_user(actor),
        reason: t.reason.clone(),
        gesture: t.gesture,
        created_at: now,
    };
    store::insert_steps(&mut w.conn(), &[StepRow::from_step(ws, &step)]).await?;
    w.audit_updated(&before, &after);
    let letter = if t.send_letter {
        letters::send_for_step(&mut w, actor, &before, &after, &t).await?
    } else {
        None
    };
    if t.to == ComplaintState::Resolved {
        w.raise(resolved_event(&after, t.on, now));
    }
    w.commit().await?;
    tracing::info!(complaint.id = %id, from = t.from.code(), to = t.to.code(), "complaint moved");
    Ok(Moved {
        complaint: after,
        letter,
    })
}

/// The `complaint_resolved` event: dated now when resolved today (the hot survey
/// goes out), otherwise at noon of the day typed (an old resolution logged late
/// is not hot and sends nothing).
fn resolved_event(c: &Complaint, on: NaiveDate, now: chrono::DateTime<Utc>) -> Event {
    let occurred_at = if on == local_day(now) {
        now
    } else {
        on.and_hms_opt(12, 0, 0)
            .and_then(|t| LOCAL_TZ.from_local_datetime(&t).earliest())
            .map_or(now, |t| t.with_timezone(&Utc))
    };
    Event {
        kind: EventKind::ComplaintResolved,
        account_id: c.account_id,
        contact_ids: c.contact_id.into_iter().collect(),
        source_kind: "complaint",
        source_id: c.id,
        occurred_at,
    }
}

/// Corrects a case's description — who complained, business or consumer, category,
/// severity, what it concerns, owner — if it is still at `expected_version`. Its
/// dated steps and the deadlines announced to the client stay.
pub async fn edit_complaint(
    app: &App,
    actor: &Actor,
    id: Uuid,
    expected_version: i64,
    input: &bilan_domain::complaints::EditInput,
) -> AppResult<Complaint> {
    let edit = input.validate();
    let mut w = app.write(actor, Permission::WriteComplaints).await?;
    let edit = edit?;
    let ws = actor.workspace_id;
    let before = store::find(&mut w.conn(), ws, id).await?.ok_or(AppError::NotFound)?;
    if before.version != expected_version {
        return Err(AppError::Stale {
            current_version: before.version,
        });
    }
    let mut e = ValidationErrors::new();
    if let Some(owner) = edit.owner_id {
        if !timeline_store::existing_ids(&mut w.conn(), RefTable::Users, ws, &[owner])
            .await?
            .contains(&owner)
        {
            e.add("owner_id", "user.unknown");
        }
    }
    if let Some(Some(contact)) = edit.contact_id {
        if !timeline_store::existing_ids(&mut w.conn(), RefTable::Contacts, ws, &[contact])
            .await?
            .contains(&contact)
        {
            e.add("contact_id", "contact.unknown");
        }
    }
    e.into_result()?;
    let mut after = bilan_domain::complaints::apply_edit(&before, &edit);
    after.updated_at = w.now();
    if !store::update(&mut w.conn(), &ComplaintRow::from_complaint(&after), expected_version).await? {
        return Err(AppError::Stale {
            current_version: expected_version + 1,
        });
    }
    after.version = expected_version + 1;
    w.audit_updated(&before, &after);
    w.commit().await?;
    Ok(after)
}

/// An account's cases, open ones first by next deadline, then the others (at most 200).
pub async fn account_complaints(app: &App, actor: &Actor, account: Uuid) -> AppResult<Vec<ListedComplaint>> {
    actor.require(Permission::ReadComplaints)?;
    let filter = ComplaintFilter {
        account_id: Some(account),
        ..Default::default()
    };
    let mut pc = app.db.acquire().await?;
    Ok(store::list(&mut pc.conn(), actor.workspace_id, &filter, None, 200)
        .await?
        .items)
}

/// The caller's own open cases with a deadline tomorrow at the latest ("my day").
pub async fn my_due_complaints(app: &App, actor: &Actor, today: NaiveDate) -> AppResult<Vec<ListedComplaint>> {
    if !actor.can(Permission::ReadComplaints) {
        return Ok(Vec::new());
    }
    let filter = ComplaintFilter {
        owner_id: Some(actor.user_id),
        due_until: today.succ_opt(),
        ..Default::default()
    };
    let mut pc = app.db.acquire().await?;
    Ok(store::list(&mut pc.conn(), actor.workspace_id, &filter, None, 50)
        .await?
        .items)
}
