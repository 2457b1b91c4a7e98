//! CSV import of accounts and contacts (and, in [`interactions`], of exchanges).
//!
//! One transaction per file: existing rows are looked up in batches, found rows
//! are updated (id kept, version + 1), others inserted with multi-row `INSERT`s.
//! All or nothing by default; a dry run always rolls back, so a preview checks
//! exactly what the import would do.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::accounts::{self, AccountRow, UpdateOutcome};
use bilan_db::contacts::{self, ContactRow};
use bilan_db::imports as lookups;
use bilan_db::Conn;
use bilan_domain::accounts::NewAccount;
use bilan_domain::contacts::NewContact;
use bilan_domain::imports::{self as format, AccountLine, ContactLine, Mapping, ParseOptions, SeenKeys};
use bilan_domain::roles::Permission;
use bilan_domain::search::normalize;
use bilan_domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub use bilan_domain::imports::{MappedColumn, RejectedLine};
pub use interactions::{import_interactions, import_interactions_from, import_interactions_with_progress};

pub mod interactions;

/// Rows written per multi-row insert call, between two progress reports.
const WRITE_CHUNK: usize = 1000;

/// How to run an import.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// Check everything and report, write nothing.
    pub dry_run: bool,
    /// Import the valid lines even when others are refused (default: all or nothing).
    pub skip_invalid: bool,
    /// `(header as in the file, field name or "" to ignore)`, replacing the recognised mapping.
    pub overrides: Vec<(String, String)>,
    /// Contacts only: put every contact on this account, whatever the file says.
    pub account_id: Option<Uuid>,
    /// Separator to use instead of detecting it.
    pub separator: Option<char>,
}

/// What an import did; when `committed` is false, what it would have done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Data lines in the file (header and blank lines excluded).
    pub total_lines: usize,
    /// Rows created.
    pub created: usize,
    /// Existing rows changed.
    pub updated: usize,
    /// Existing rows found identical.
    pub unchanged: usize,
    /// Refused lines with their reasons, by line number (a line may appear once per reason).
    pub rejected: Vec<RejectedLine>,
    /// Each column of the file and the field it fills.
    pub mapping: Vec<MappedColumn>,
    /// Separator found or given.
    pub separator: char,
    /// Encoding found.
    pub encoding: String,
    /// Whether the changes were written (false for a dry run or a refused all-or-nothing import).
    pub committed: bool,
}

impl ImportReport {
    /// Number of distinct lines refused.
    pub fn rejected_lines(&self) -> usize {
        self.rejected.iter().map(|r| r.line).collect::<HashSet<_>>().len()
    }
}

/// A progress callback: lines done, total lines.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

pub(crate) fn tick(progress: Option<Progress<'_>>, done: usize, total: usize) {
    if let Some(p) = progress {
        p(done.min(total), total);
    }
}

pub(crate) fn parse_options(opts: &ImportOptions, account_given: bool) -> ParseOptions {
    ParseOptions {
        separator: opts.separator,
        overrides: opts.overrides.clone(),
        account_given,
    }
}

pub(crate) use format::reject;

/// Everything decided before writing.
struct Plan<R, N> {
    inserts: Vec<R>,
    updates: Vec<(usize, Uuid, i64, N)>,
    unchanged: usize,
}

/// Imports accounts from a CSV file.
pub async fn import_accounts(app: &App, actor: &Actor, bytes: &[u8], opts: &ImportOptions) -> AppResult<ImportReport> {
    import_accounts_with_progress(app, actor, bytes, opts, None).await
}

/// Imports accounts, reporting progress (lines done, total) to `progress`.
pub async fn import_accounts_with_progress(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    opts: &ImportOptions,
    progress: Option<Progress<'_>>,
) -> AppResult<ImportReport> {
    import_accounts_from(app, actor, bytes.to_vec(), opts, progress).await
}

/// Where an import's file comes from: bytes already in memory (an upload), or
/// a file on disk, read a megabyte at a time so a million-line file is never
/// held whole.
#[derive(Debug)]
pub enum ImportSource {
    /// The file's bytes.
    Bytes(std::io::Cursor<Vec<u8>>),
    /// An open file.
    File(std::fs::File),
}

impl From<Vec<u8>> for ImportSource {
    fn from(bytes: Vec<u8>) -> Self {
        ImportSource::Bytes(std::io::Cursor::new(bytes))
    }
}

impl From<std::fs::File> for ImportSource {
    fn from(file: std::fs::File) -> Self {
        ImportSource::File(file)
    }
}

impl std::io::Read for ImportSource {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            ImportSource::Bytes(c) => c.read(buf),
            ImportSource::File(f) => f.read(buf),
        }
    }
}

impl std::io::Seek for ImportSource {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            ImportSource::Bytes(c) => c.seek(pos),
            ImportSource::File(f) => f.seek(pos),
        }
    }
}

/// Lines parsed, planned and written per batch of a streaming import.
const IMPORT_BATCH: usize = 2_000;

/// A file being parsed on a blocking thread, handed over a batch of lines at a
/// time through a bounded channel: memory holds two batches, and the writer works
/// on one while the next is parsed.
pub(crate) struct Streamed<L> {
    pub(crate) head: format::FileHead,
    batches: tokio::sync::mpsc::Receiver<format::Parsed<L>>,
    parser: tokio::task::JoinHandle<Result<(), ValidationErrors>>,
}

impl<L: Send + 'static> Streamed<L> {
    /// Starts `parse` on the file; returns once its header is read (or refused).
    pub(crate) async fn start(
        source: ImportSource,
        parse: impl FnOnce(ImportSource, &mut dyn FnMut(format::Parsed<L>) -> bool) -> Result<(), ValidationErrors>
            + Send
            + 'static,
    ) -> AppResult<Self> {
        let (sender, mut batches) = tokio::sync::mpsc::channel::<format::Parsed<L>>(2);
        let parser =
            tokio::task::spawn_blocking(move || parse(source, &mut |event| sender.blocking_send(event).is_ok()));
        match batches.recv().await {
            Some(format::Parsed::Head(head)) => Ok(Streamed { head, batches, parser }),
            _ => {
                // No header: the parser refused the file; its error says why.
                parser
                    .await
                    .map_err(|e| AppError::Internal(format!("import parser: {e}")))??;
                Err(AppError::Internal("the import parser stopped without a header".into()))
            }
        }
    }

    /// Data lines the file holds at most, for progress before it is all read.
    pub(crate) fn estimate(&self) -> usize {
        self.head.line_breaks.saturating_sub(1).max(1)
    }

    /// The next batch of lines, `None` at the end of the file.
    pub(crate) async fn next(&mut self) -> Option<format::LineBatch<L>> {
        loop {
            match self.batches.recv().await? {
                format::Parsed::Lines(batch) => return Some(batch),
                format::Parsed::Head(_) => {}
            }
        }
    }

    /// Waits for the parser to end; its error, if the file went bad half-way.
    pub(crate) async fn finish(self) -> AppResult<()> {
        drop(self.batches);
        self.parser
            .await
            .map_err(|e| AppError::Internal(format!("import parser: {e}")))??;
        Ok(())
    }

    /// The report of the file, before anything is counted.
    pub(crate) fn report(&self) -> ImportReport {
        ImportReport {
            total_lines: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            rejected: Vec::new(),
            mapping: self.head.mapping.columns(),
            separator: self.head.separator,
            encoding: self.head.encoding.to_owned(),
            committed: false,
        }
    }
}

/// Imports accounts from a file (bytes taken, not copied, or a file read a piece
/// at a time), streaming: a blocking thread parses and validates batches of
/// lines while the previous batch is looked up and written, so memory holds two
/// batches and a piece of the file, and parsing overlaps the writes. One transaction for the
/// file; audit entries are built on another core and written a batch at a time.
pub async fn import_accounts_from(
    app: &App,
    actor: &Actor,
    source: impl Into<ImportSource>,
    opts: &ImportOptions,
    progress: Option<Progress<'_>>,
) -> AppResult<ImportReport> {
    actor.require(Permission::ImportData)?;
    let parse_opts = parse_options(opts, false);
    let mut file = Streamed::start(source.into(), move |source, emit| {
        format::parse_accounts_in_batches(source, &parse_opts, IMPORT_BATCH, emit)
    })
    .await?;
    let estimate = file.estimate();
    let ws = actor.workspace_id;
    let mut w = app.write(actor, Permission::ImportData).await?;
    let now = w.now();
    let stamp = w.audit_stamp();
    let mut report = file.report();
    let mut rejected: Vec<RejectedLine> = Vec::new();
    let mut targets: HashMap<Uuid, usize> = HashMap::new();
    while let Some(batch) = file.next().await {
        report.total_lines += batch.total_lines;
        rejected.extend(batch.rejected);
        let plan = plan_accounts(
            &mut w.conn(),
            ws,
            now,
            &file.head.mapping,
            batch.lines,
            &mut rejected,
            &mut targets,
        )
        .await?;
        report.created += plan.inserts.len();
        report.updated += plan.updates.len();
        report.unchanged += plan.unchanged;
        // All or nothing: once a line is refused nothing more is written (the
        // transaction is rolled back), but the rest is still checked and counted.
        if rejected.is_empty() || opts.skip_invalid {
            write_account_plan(&mut w, stamp, plan, &mut report, &mut rejected).await?;
        }
        tick(progress, report.total_lines, estimate.max(report.total_lines));
    }
    file.finish().await?;
    finish(app, w, opts, &mut report, rejected, &["accounts", "account_tags"]).await?;
    tick(progress, report.total_lines, report.total_lines);
    tracing::info!(
        user.id = %actor.user_id, created = report.created, updated = report.updated,
        rejected = report.rejected_lines(), committed = report.committed, "accounts import"
    );
    Ok(report)
}

/// The audit entries of rows about to be inserted, built on another core while
/// the rows are written (a third of a batch's time otherwise).
fn creation_entries<R, T>(
    stamp: crate::unit_of_work::AuditStamp,
    rows: &[R],
    snapshot: fn(R) -> bilan_db::DbResult<T>,
) -> tokio::task::JoinHandle<AppResult<Vec<bilan_db::audit::AuditRow>>>
where
    R: Clone + Send + 'static,
    T: crate::Audited + 'static,
{
    let rows = rows.to_vec();
    tokio::task::spawn_blocking(move || rows.into_iter().map(|r| Ok(stamp.created(&snapshot(r)?))).collect())
}

/// Writes the entries [`creation_entries`] built, in the import's unit of work.
async fn audit_batch(
    w: &mut crate::Work,
    entries: tokio::task::JoinHandle<AppResult<Vec<bilan_db::audit::AuditRow>>>,
) -> AppResult<()> {
    let entries = entries
        .await
        .map_err(|e| AppError::Internal(format!("audit snapshots: {e}")))??;
    w.audit_rows(entries);
    w.flush_audit().await
}

/// Writes one batch's new and changed accounts and their audit entries.
async fn write_account_plan(
    w: &mut crate::Work,
    stamp: crate::unit_of_work::AuditStamp,
    plan: Plan<AccountRow, NewAccount>,
    report: &mut ImportReport,
    rejected: &mut Vec<RejectedLine>,
) -> AppResult<()> {
    let ws = w.workspace_id();
    let now = w.now();
    for chunk in plan.inserts.chunks(WRITE_CHUNK) {
        let audit = creation_entries(stamp, chunk, AccountRow::into_account);
        accounts::insert_rows(&mut w.conn(), chunk).await?;
        audit_batch(w, audit).await?;
    }
    for (line, id, version, new) in &plan.updates {
        let before = accounts::find(&mut w.conn(), ws, *id).await?;
        match accounts::update(&mut w.conn(), ws, *id, *version, new, now).await? {
            UpdateOutcome::Updated(after) => {
                if let Some(before) = &before {
                    w.audit_updated(before, &after);
                }
            }
            UpdateOutcome::Stale(_) | UpdateOutcome::NotFound => {
                report.updated -= 1;
                rejected.push(reject(*line, None, "record.changed", format::message("record.changed")));
            }
        }
    }
    w.flush_audit().await
}

/// Commits, or rolls back a dry run or a refused all-or-nothing import.
pub(crate) async fn finish(
    app: &App,
    w: crate::Work,
    opts: &ImportOptions,
    report: &mut ImportReport,
    mut rejected: Vec<RejectedLine>,
    tables: &[&str],
) -> AppResult<()> {
    rejected.sort_by_key(|r| r.line);
    let refused = !rejected.is_empty() && !opts.skip_invalid;
    report.rejected = rejected;
    if opts.dry_run || refused {
        w.rollback().await?;
        report.committed = false;
    } else {
        w.commit().await?;
        report.committed = true;
        if report.created + report.updated >= STATISTICS_AFTER_ROWS {
            crate::database::refresh_statistics(app, tables).await;
        }
    }
    Ok(())
}

/// Rows an import writes before the planner's statistics are refreshed after it.
pub(crate) const STATISTICS_AFTER_ROWS: usize = 1_000;

/// Finds what exists, merges and decides, without writing.
async fn plan_accounts(
    c: &mut Conn<'_>,
    ws: Uuid,
    now: chrono::DateTime<chrono::Utc>,
    mapping: &Mapping,
    lines: Vec<AccountLine>,
    rejected: &mut Vec<RejectedLine>,
    targets: &mut HashMap<Uuid, usize>,
) -> AppResult<Plan<AccountRow, NewAccount>> {
    let ids: Vec<Uuid> = lines.iter().filter_map(|l| l.id).collect();
    let people: Vec<Uuid> = lines
        .iter()
        .flat_map(|l| [l.new.owner_id, l.new.sponsor_id])
        .flatten()
        .collect();
    let mut existing: HashMap<Uuid, AccountRow> = HashMap::new();
    for r in lookups::accounts_by_ids(c, ws, &ids).await? {
        existing.insert(r.id, r);
    }
    // Lines already found need no further key, which keeps re-imports of exports cheap.
    let refs: Vec<String> = lines
        .iter()
        .filter(|l| !l.id.is_some_and(|id| existing.contains_key(&id)))
        .filter_map(|l| l.new.external_ref.clone())
        .collect();
    let mut by_ref: HashMap<String, Uuid> = HashMap::new();
    for r in lookups::accounts_by_external_refs(c, ws, &refs).await? {
        if let Some(x) = &r.external_ref {
            by_ref.insert(x.clone(), r.id);
        }
        existing.insert(r.id, r);
    }
    let sirens: Vec<String> = lines
        .iter()
        .filter(|l| !l.id.is_some_and(|id| existing.contains_key(&id)))
        .filter(|l| !l.new.external_ref.as_ref().is_some_and(|r| by_ref.contains_key(r)))
        .filter_map(|l| l.new.siren.clone())
        .collect();
    let mut by_siren: HashMap<String, Uuid> = HashMap::new();
    for r in lookups::accounts_by_sirens(c, ws, &sirens).await? {
        if let Some(s) = &r.siren {
            // Several accounts may share a SIREN: the oldest wins, as in `find_by_import_key`.
            let e = by_siren.entry(s.clone()).or_insert(r.id);
            *e = (*e).min(r.id);
        }
        existing.insert(r.id, r);
    }
    let users: HashSet<Uuid> = lookups::user_ids(c, ws, &people).await?.into_iter().collect();
    // Owners named as other systems name them: by e-mail or by display name.
    let mut owners_by_name: HashMap<String, Uuid> = HashMap::new();
    if lines.iter().any(|l| l.owner_ref.is_some()) {
        for u in bilan_db::users::list(c, ws).await? {
            owners_by_name.insert(normalize(&u.email), u.id);
            owners_by_name.entry(normalize(&u.display_name)).or_insert(u.id);
        }
    }

    let named: HashSet<Uuid> = owners_by_name.values().copied().collect();
    let mut plan = Plan {
        inserts: Vec::new(),
        updates: Vec::new(),
        unchanged: 0,
    };
    for mut l in lines {
        if let Some(name) = l.owner_ref.as_deref() {
            match owners_by_name.get(&normalize(name)) {
                Some(id) => {
                    l.new.owner_id = Some(*id);
                    l.input.owner_id = Some(id.to_string());
                }
                None => {
                    rejected.push(reject(
                        l.line,
                        mapping.column_for("owner"),
                        "owner.unknown",
                        format::message("owner.unknown"),
                    ));
                    continue;
                }
            }
        }
        let unknown: Vec<RejectedLine> = [("owner_id", l.new.owner_id), ("sponsor_id", l.new.sponsor_id)]
            .into_iter()
            .filter(|(_, id)| id.is_some_and(|id| !users.contains(&id) && !named.contains(&id)))
            .map(|(f, _)| {
                reject(
                    l.line,
                    mapping.column_for(f),
                    "user.unknown",
                    format::message("user.unknown"),
                )
            })
            .collect();
        if !unknown.is_empty() {
            rejected.extend(unknown);
            continue;
        }
        let found =
            l.id.filter(|id| existing.contains_key(id))
                .or_else(|| l.new.external_ref.as_ref().and_then(|r| by_ref.get(r).copied()))
                .or_else(|| l.new.siren.as_ref().and_then(|s| by_siren.get(s).copied()));
        let Some(row) = found.and_then(|id| existing.get(&id)) else {
            plan.inserts
                .push(AccountRow::from_new(bilan_db::new_id(), ws, &l.new, now));
            continue;
        };
        if let Some(earlier) = first_target(targets, row.id, l.line) {
            rejected.push(format::duplicate(l.line, None, "existing account", earlier));
            continue;
        }
        let mut input = row.clone().into_account()?.to_input();
        format::overlay_account(&mut input, &l.input, mapping);
        let new = match input.validate() {
            Ok(n) => n,
            Err(e) => {
                rejected.extend(format::rejections(l.line, mapping, &e));
                continue;
            }
        };
        let mut candidate = AccountRow::from_new(row.id, ws, &new, row.created_at);
        candidate.version = row.version;
        candidate.updated_at = row.updated_at;
        if candidate == *row {
            plan.unchanged += 1;
        } else {
            plan.updates.push((l.line, row.id, row.version, new));
        }
    }
    Ok(plan)
}

/// Records that `line` updates row `id`; the earlier line updating it, if any.
fn first_target(targets: &mut HashMap<Uuid, usize>, id: Uuid, line: usize) -> Option<usize> {
    match targets.entry(id) {
        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(line);
            None
        }
    }
}

/// Imports contacts from a CSV file.
pub async fn import_contacts(app: &App, actor: &Actor, bytes: &[u8], opts: &ImportOptions) -> AppResult<ImportReport> {
    import_contacts_with_progress(app, actor, bytes, opts, None).await
}

/// Imports contacts, reporting progress (lines done, total) to `progress`.
pub async fn import_contacts_with_progress(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    opts: &ImportOptions,
    progress: Option<Progress<'_>>,
) -> AppResult<ImportReport> {
    import_contacts_from(app, actor, bytes.to_vec(), opts, progress).await
}

/// Imports contacts from a file's bytes, streaming as [`import_accounts_from`] does.
pub async fn import_contacts_from(
    app: &App,
    actor: &Actor,
    source: impl Into<ImportSource>,
    opts: &ImportOptions,
    progress: Option<Progress<'_>>,
) -> AppResult<ImportReport> {
    actor.require(Permission::ImportData)?;
    let parse_opts = parse_options(opts, opts.account_id.is_some());
    let mut file = Streamed::start(source.into(), move |source, emit| {
        format::parse_contacts_in_batches(source, &parse_opts, IMPORT_BATCH, emit)
    })
    .await?;
    let estimate = file.estimate();
    let ws = actor.workspace_id;
    let mut w = app.write(actor, Permission::ImportData).await?;
    let now = w.now();
    let stamp = w.audit_stamp();
    if let Some(a) = opts.account_id {
        if lookups::accounts_by_ids(&mut w.conn(), ws, &[a]).await?.is_empty() {
            return Err(AppError::field("account_id", "account.unknown"));
        }
    }
    let mut report = file.report();
    let mut rejected: Vec<RejectedLine> = Vec::new();
    let mut seen = SeenKeys::default();
    let mut targets: HashMap<Uuid, usize> = HashMap::new();
    while let Some(batch) = file.next().await {
        report.total_lines += batch.total_lines;
        rejected.extend(batch.rejected);
        let plan = plan_contacts(
            &mut w.conn(),
            ws,
            now,
            opts.account_id,
            &file.head.mapping,
            batch.lines,
            &mut rejected,
            (&mut seen, &mut targets),
        )
        .await?;
        report.created += plan.inserts.len();
        report.updated += plan.updates.len();
        report.unchanged += plan.unchanged;
        if rejected.is_empty() || opts.skip_invalid {
            write_contact_plan(&mut w, stamp, plan, &mut report, &mut rejected).await?;
        }
        tick(progress, report.total_lines, estimate.max(report.total_lines));
    }
    file.finish().await?;
    finish(app, w, opts, &mut report, rejected, &["contacts"]).await?;
    tick(progress, report.total_lines, report.total_lines);
    tracing::info!(
        user.id = %actor.user_id, created = report.created, updated = report.updated,
        rejected = report.rejected_lines(), committed = report.committed, "contacts import"
    );
    Ok(report)
}

/// Writes one batch's new and changed contacts and their audit entries.
async fn write_contact_plan(
    w: &mut crate::Work,
    stamp: crate::unit_of_work::AuditStamp,
    plan: Plan<ContactRow, (Uuid, NewContact)>,
    report: &mut ImportReport,
    rejected: &mut Vec<RejectedLine>,
) -> AppResult<()> {
    let ws = w.workspace_id();
    let now = w.now();
    for chunk in plan.inserts.chunks(WRITE_CHUNK) {
        let audit = creation_entries(stamp, chunk, ContactRow::into_contact);
        contacts::insert_rows(&mut w.conn(), chunk).await?;
        audit_batch(w, audit).await?;
    }
    for (line, id, version, (account, new)) in &plan.updates {
        let before = contacts::find(&mut w.conn(), ws, *id).await?;
        match contacts::update(&mut w.conn(), ws, *id, *version, *account, new, now).await? {
            UpdateOutcome::Updated(after) => {
                if let Some(before) = &before {
                    w.audit_updated(before, &after);
                }
            }
            UpdateOutcome::Stale(_) | UpdateOutcome::NotFound => {
                report.updated -= 1;
                rejected.push(reject(*line, None, "record.changed", format::message("record.changed")));
            }
        }
    }
    w.flush_audit().await
}

/// The accounts a contacts file may name, looked up in batches.
#[derive(Default)]
pub(crate) struct AccountIndex {
    ids: HashSet<Uuid>,
    by_ref: HashMap<String, Uuid>,
    by_siren: HashMap<String, Uuid>,
    by_name: HashMap<String, Vec<Uuid>>,
}

impl AccountIndex {
    /// Loads the accounts that these Bilan ids and references may name.
    pub(crate) async fn load(c: &mut Conn<'_>, ws: Uuid, ids: &[Uuid], refs: &[String]) -> AppResult<Self> {
        let sirens: Vec<String> = refs.iter().filter_map(|r| format::siren_of_ref(r)).collect();
        let names: Vec<String> = refs.iter().map(|r| normalize(r)).filter(|n| !n.is_empty()).collect();
        let mut idx = AccountIndex::default();
        idx.ids
            .extend(lookups::accounts_by_ids(c, ws, ids).await?.into_iter().map(|r| r.id));
        for r in lookups::accounts_by_external_refs(c, ws, refs).await? {
            if let Some(x) = r.external_ref {
                idx.by_ref.insert(x, r.id);
            }
        }
        for r in lookups::accounts_by_sirens(c, ws, &sirens).await? {
            if let Some(s) = r.siren {
                let e = idx.by_siren.entry(s).or_insert(r.id);
                *e = (*e).min(r.id);
            }
        }
        for r in lookups::accounts_by_sort_names(c, ws, &names).await? {
            idx.by_name.entry(r.sort_name).or_default().push(r.id);
        }
        Ok(idx)
    }

    /// The account of a line: the one chosen for the whole file, else [`Self::resolve`].
    pub(crate) fn line_account(
        &self,
        fixed: Option<Uuid>,
        id: Option<Uuid>,
        refs: &[String],
    ) -> Result<Uuid, &'static str> {
        fixed.map(Ok).unwrap_or_else(|| self.resolve(id, refs))
    }

    /// The refused line of an account [`Self::resolve`] did not find, at the column
    /// that named it (the Bilan id's when it was the only one given).
    pub(crate) fn rejection(
        code: &str,
        line: usize,
        mapping: &Mapping,
        id: Option<Uuid>,
        refs: &[String],
    ) -> RejectedLine {
        let field = if refs.is_empty() && id.is_some() {
            "account_id"
        } else {
            "account_ref"
        };
        let message = match (code, refs.first()) {
            ("account.unknown", Some(r)) => format!("no account matches \"{r}\""),
            ("required", _) => "the account is missing".to_owned(),
            _ => format::message(code),
        };
        reject(line, mapping.column_for(field), code, message)
    }

    /// The account of a line: its Bilan id, else the first reference matching an
    /// external reference, a SIREN, or exactly one account name.
    pub(crate) fn resolve(&self, id: Option<Uuid>, refs: &[String]) -> Result<Uuid, &'static str> {
        if let Some(id) = id.filter(|id| self.ids.contains(id)) {
            return Ok(id);
        }
        let mut ambiguous = false;
        for r in refs {
            if let Some(id) = self.by_ref.get(r.as_str()) {
                return Ok(*id);
            }
            if let Some(id) = format::siren_of_ref(r).and_then(|s| self.by_siren.get(&s)) {
                return Ok(*id);
            }
            match self.by_name.get(&normalize(r)).map(Vec::as_slice) {
                Some([id]) => return Ok(*id),
                Some([_, _, ..]) => ambiguous = true,
                _ => {}
            }
        }
        Err(if ambiguous {
            "account.ambiguous"
        } else if refs.is_empty() && id.is_none() {
            "required"
        } else {
            "account.unknown"
        })
    }
}

/// Resolves accounts, finds what exists, merges and decides, without writing.
/// `seen` and `targets` carry the file's e-mails and matched contacts from batch to batch.
#[allow(clippy::too_many_arguments)]
async fn plan_contacts(
    c: &mut Conn<'_>,
    ws: Uuid,
    now: chrono::DateTime<chrono::Utc>,
    fixed_account: Option<Uuid>,
    mapping: &Mapping,
    lines: Vec<ContactLine>,
    rejected: &mut Vec<RejectedLine>,
    (seen, targets): (&mut SeenKeys, &mut HashMap<Uuid, usize>),
) -> AppResult<Plan<ContactRow, (Uuid, NewContact)>> {
    let index = match fixed_account {
        Some(_) => AccountIndex::default(),
        None => {
            let ids: Vec<Uuid> = lines.iter().filter_map(|l| l.new.account_id).collect();
            let refs: Vec<String> = lines.iter().flat_map(|l| l.account_refs.iter().cloned()).collect();
            AccountIndex::load(c, ws, &ids, &refs).await?
        }
    };
    let mut resolved: Vec<(ContactLine, Uuid)> = Vec::with_capacity(lines.len());
    for l in lines {
        let account = match index.line_account(fixed_account, l.new.account_id, &l.account_refs) {
            Ok(a) => a,
            Err(code) => {
                rejected.push(AccountIndex::rejection(
                    code,
                    l.line,
                    mapping,
                    l.new.account_id,
                    &l.account_refs,
                ));
                continue;
            }
        };
        if let Some(email) = &l.new.email {
            if let Some(earlier) = seen.first_seen("email", &format!("{account}|{email}"), l.line) {
                rejected.push(format::duplicate(
                    l.line,
                    mapping.column_for("email"),
                    "e-mail in the same account",
                    earlier,
                ));
                continue;
            }
        }
        resolved.push((l, account));
    }

    let ids: Vec<Uuid> = resolved.iter().filter_map(|(l, _)| l.id).collect();
    let mut existing: HashMap<Uuid, ContactRow> = HashMap::new();
    for r in lookups::contacts_by_ids(c, ws, &ids).await? {
        existing.insert(r.id, r);
    }
    let refs: Vec<String> = resolved
        .iter()
        .filter(|(l, _)| !l.id.is_some_and(|id| existing.contains_key(&id)))
        .filter_map(|(l, _)| l.new.external_ref.clone())
        .collect();
    let mut by_ref: HashMap<String, Uuid> = HashMap::new();
    for r in lookups::contacts_by_external_refs(c, ws, &refs).await? {
        if let Some(x) = &r.external_ref {
            by_ref.insert(x.clone(), r.id);
        }
        existing.insert(r.id, r);
    }
    let emails: Vec<String> = resolved
        .iter()
        .filter(|(l, _)| !l.id.is_some_and(|id| existing.contains_key(&id)))
        .filter(|(l, _)| !l.new.external_ref.as_ref().is_some_and(|r| by_ref.contains_key(r)))
        .filter_map(|(l, _)| l.new.email.clone())
        .collect();
    let mut by_email: HashMap<(Uuid, String), Uuid> = HashMap::new();
    for r in lookups::contacts_by_emails(c, ws, &emails).await? {
        if let Some(m) = &r.email {
            let e = by_email.entry((r.account_id, m.clone())).or_insert(r.id);
            *e = (*e).min(r.id);
        }
        existing.insert(r.id, r);
    }
    let site_ids: Vec<Uuid> = resolved
        .iter()
        .filter_map(|(l, _)| l.new.site_id)
        .chain(existing.values().filter_map(|r| r.site_id))
        .collect();
    let sites: HashMap<Uuid, Uuid> = lookups::site_accounts(c, ws, &site_ids).await?.into_iter().collect();
    let site_ok = |site: Option<Uuid>, account: Uuid| site.is_none_or(|s| sites.get(&s) == Some(&account));

    let mut plan = Plan {
        inserts: Vec::new(),
        updates: Vec::new(),
        unchanged: 0,
    };
    for (l, account) in resolved {
        let found =
            l.id.filter(|id| existing.contains_key(id))
                .or_else(|| l.new.external_ref.as_ref().and_then(|r| by_ref.get(r).copied()))
                .or_else(|| {
                    l.new
                        .email
                        .as_ref()
                        .and_then(|m| by_email.get(&(account, m.clone())).copied())
                });
        let Some(row) = found.and_then(|id| existing.get(&id)) else {
            if !site_ok(l.new.site_id, account) {
                rejected.push(reject(
                    l.line,
                    mapping.column_for("site_id"),
                    "site.unknown",
                    format::message("site.unknown"),
                ));
                continue;
            }
            plan.inserts
                .push(ContactRow::from_new(bilan_db::new_id(), ws, account, &l.new, now));
            continue;
        };
        if let Some(earlier) = first_target(targets, row.id, l.line) {
            rejected.push(format::duplicate(l.line, None, "existing contact", earlier));
            continue;
        }
        let mut input = row.clone().into_contact()?.to_input();
        format::overlay_contact(&mut input, &l.input, mapping);
        input.account_id = Some(account.to_string());
        let new = match input.validate() {
            Ok(n) => n,
            Err(e) => {
                rejected.extend(format::rejections(l.line, mapping, &e));
                continue;
            }
        };
        if !site_ok(new.site_id, account) {
            rejected.push(reject(
                l.line,
                mapping.column_for("site_id"),
                "site.unknown",
                format::message("site.unknown"),
            ));
            continue;
        }
        let mut candidate = ContactRow::from_new(row.id, ws, account, &new, row.created_at);
        candidate.version = row.version;
        candidate.updated_at = row.updated_at;
        if candidate == *row {
            plan.unchanged += 1;
        } else {
            plan.updates.push((l.line, row.id, row.version, (account, new)));
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Web handlers need `Send` futures: this only has to compile.
    #[allow(dead_code)]
    fn futures_are_send(app: &App, actor: &Actor, opts: &ImportOptions, p: Progress<'_>) {
        fn is_send<T: Send>(_: T) {}
        is_send(import_accounts_with_progress(app, actor, b"", opts, Some(p)));
        is_send(import_contacts_with_progress(app, actor, b"", opts, Some(p)));
    }

    #[test]
    fn counts_distinct_rejected_lines() {
        let r = |line| RejectedLine {
            line,
            column: None,
            code: "x".into(),
            message: String::new(),
            earlier_line: None,
        };
        let report = ImportReport {
            total_lines: 3,
            created: 0,
            updated: 0,
            unchanged: 0,
            rejected: vec![r(2), r(2), r(3)],
            mapping: vec![],
            separator: ';',
            encoding: "UTF-8".into(),
            committed: false,
        };
        assert_eq!(report.rejected_lines(), 2);
    }
}
