//! Lines: parsing a file's lines into inputs, and the rejections with their column and message.

use super::*;
use std::io::{Read, Seek};

/// English text for a line-level or validation code, from the one message table
/// (`bilan_i18n`, where the code is the key of its French and English text).
pub fn message(code: &str) -> String {
    bilan_i18n::error_message(bilan_i18n::Lang::En, code).to_owned()
}

/// A refused line.
pub fn reject(line: usize, column: Option<String>, code: &str, message: String) -> RejectedLine {
    RejectedLine {
        line,
        column,
        code: code.to_owned(),
        message,
        earlier_line: None,
    }
}

/// A validation failure as rejected lines, one per field at fault.
pub fn rejections(line: usize, mapping: &Mapping, errors: &ValidationErrors) -> Vec<RejectedLine> {
    errors
        .0
        .iter()
        .map(|e| reject(line, mapping.column_for(&e.field), &e.code, message(&e.code)))
        .collect()
}

/// Remembers the keys of the lines seen so far to refuse duplicates in one file.
///
/// A key is kept as a 64-bit fingerprint with the 32-bit number of the line
/// that had it first (12 bytes), not as its text: a million-line file has two or
/// three million keys, and their strings were most of an import's memory. Each
/// kind of key has a small hash table of recent keys, merged now and then into
/// a sorted array searched by halves: 12 bytes a key instead of a hash table's
/// 26 (its load factor, control bytes and doubling). Two different keys among a
/// million share a fingerprint with a probability of about 3 × 10⁻⁸; the line
/// would be refused as a duplicate of the other.
#[derive(Debug, Default)]
pub struct SeenKeys {
    expected: usize,
    kinds: Vec<(&'static str, KeyTable)>,
}

/// The keys of one kind: recent ones hashed, older ones sorted.
#[derive(Debug, Default)]
struct KeyTable {
    recent: HashMap<[u32; 2], u32>,
    sorted: Vec<([u32; 2], u32)>,
}

/// Recent keys kept hashed before they are merged into the sorted array.
const RECENT_KEYS: usize = 1 << 16;

impl KeyTable {
    fn first_seen(&mut self, key: [u32; 2], line: u32, expected: usize) -> Option<u32> {
        if let Some(earlier) = self.recent.get(&key) {
            return Some(*earlier);
        }
        if let Ok(i) = self.sorted.binary_search_by_key(&key, |e| e.0) {
            return Some(self.sorted[i].1);
        }
        self.recent.insert(key, line);
        if self.recent.len() >= RECENT_KEYS {
            self.merge(expected);
        }
        None
    }

    /// Moves the recent keys into the sorted array, merging from its end so no
    /// second array is needed.
    fn merge(&mut self, expected: usize) {
        let mut run: Vec<([u32; 2], u32)> = self.recent.drain().collect();
        run.sort_unstable_by_key(|e| e.0);
        if self.sorted.capacity() < self.sorted.len() + run.len() {
            let wanted = expected.max(self.sorted.len() + run.len());
            self.sorted.reserve_exact(wanted - self.sorted.len());
        }
        let (mut i, mut j) = (self.sorted.len(), run.len());
        self.sorted.resize(i + j, ([0, 0], 0));
        let mut k = i + j;
        while j > 0 {
            if i > 0 && self.sorted[i - 1].0 > run[j - 1].0 {
                self.sorted[k - 1] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[k - 1] = run[j - 1];
                j -= 1;
            }
            k -= 1;
        }
    }
}

impl SeenKeys {
    /// Keys of a file of about `lines` lines.
    pub fn expecting(lines: usize) -> Self {
        SeenKeys {
            expected: lines,
            kinds: Vec::new(),
        }
    }

    /// Records `key` of kind `what` for `line`; the earlier line with the same key, if any.
    pub fn first_seen(&mut self, what: &'static str, key: &str, line: usize) -> Option<usize> {
        let i = match self.kinds.iter().position(|(k, _)| *k == what) {
            Some(i) => i,
            None => {
                self.kinds.push((what, KeyTable::default()));
                self.kinds.len() - 1
            }
        };
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        self.kinds[i]
            .1
            .first_seen(fingerprint(key), line32, self.expected)
            .map(|l| l as usize)
    }
}

/// The key's 64-bit SipHash, as two halves so a table entry takes 12 bytes, not 16.
fn fingerprint(key: &str) -> [u32; 2] {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    let a = h.finish();
    [a as u32, (a >> 32) as u32]
}

/// The rejection of a line repeating the `label` of line `earlier`.
pub fn duplicate(line: usize, column: Option<String>, label: &str, earlier: usize) -> RejectedLine {
    RejectedLine {
        earlier_line: Some(earlier),
        ..reject(
            line,
            column,
            "line.duplicate",
            format!("duplicate of line {earlier} (same {label})"),
        )
    }
}

/// One valid account line.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountLine {
    /// Physical line number.
    pub line: usize,
    /// Bilan's id of the account, when the file carries one (a Bilan export).
    pub id: Option<Uuid>,
    /// The values read.
    pub input: AccountInput,
    /// The values validated.
    pub new: NewAccount,
    /// The owner as another system names them (an e-mail or a name), for the use
    /// case to find among the workspace's users.
    pub owner_ref: Option<String>,
}

/// One valid contact line (its account is resolved by the use case).
#[derive(Debug, Clone, PartialEq)]
pub struct ContactLine {
    /// Physical line number.
    pub line: usize,
    /// Bilan's id of the contact, when the file carries one.
    pub id: Option<Uuid>,
    /// The values read.
    pub input: ContactInput,
    /// The values validated (`account_id` set when the file gives a Bilan id).
    pub new: NewContact,
    /// Values naming the account (SIREN, external reference or name), best first.
    pub account_refs: Vec<String>,
}

/// A parsed file: its valid lines and the refused ones.
#[derive(Debug, Clone)]
pub struct ParsedFile<T> {
    /// Encoding found.
    pub encoding: &'static str,
    /// Separator used.
    pub separator: char,
    /// Columns and fields.
    pub mapping: Mapping,
    /// Data lines read (blank lines excluded).
    pub total_lines: usize,
    /// Lines that passed every check.
    pub lines: Vec<T>,
    /// Lines refused, with reasons.
    pub rejected: Vec<RejectedLine>,
}

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Separator to use instead of detecting one.
    pub separator: Option<char>,
    /// `(header, field)` pairs replacing the recognised mapping (`""` ignores).
    pub overrides: Vec<(String, String)>,
    /// Contacts only: every line goes to an account chosen outside the file.
    pub account_given: bool,
}

/// The cells of one line keyed by field: the first non-empty cell of each field.
pub(crate) struct Cells<'a> {
    values: HashMap<&'static str, Vec<&'a str>>,
}

impl<'a> Cells<'a> {
    pub(crate) fn new(mapping: &Mapping, fields: &'a [String]) -> Self {
        let mut values: HashMap<&'static str, Vec<&'a str>> = HashMap::new();
        for (cell, field) in fields.iter().zip(&mapping.fields) {
            let Some(field) = field else { continue };
            let v = unguard_formula(cell).trim();
            if !v.is_empty() {
                values.entry(field).or_default().push(v);
            }
        }
        Cells { values }
    }

    pub(crate) fn first(&self, field: &str) -> Option<&'a str> {
        self.values.get(field).and_then(|v| v.first().copied())
    }

    pub(crate) fn all(&self, field: &str) -> Vec<&'a str> {
        self.values.get(field).cloned().unwrap_or_default()
    }
}

/// Reads a line's account columns: the first Bilan id of `account_id`, and every
/// other value naming the account (another system's "Account ID", then the
/// `account_ref` values), best first and without repeats.
pub(crate) fn account_columns(cells: &Cells<'_>) -> (Option<String>, Vec<String>) {
    let mut id = None;
    let mut refs: Vec<String> = Vec::new();
    for v in cells.all("account_id") {
        match Uuid::parse_str(v) {
            Ok(_) if id.is_none() => id = Some(v.to_owned()),
            Ok(_) => {}
            Err(_) => refs.push(v.to_owned()),
        }
    }
    for v in cells.all("account_ref") {
        if !refs.iter().any(|r| r == v) {
            refs.push(v.to_owned());
        }
    }
    (id, refs)
}

/// Splits an `id` cell: a Bilan id, or another system's id kept as external reference.
pub(super) fn split_id(raw: Option<&str>) -> (Option<Uuid>, Option<String>) {
    match raw {
        None => (None, None),
        Some(v) => match Uuid::parse_str(v) {
            Ok(id) => (Some(id), None),
            Err(_) => (None, Some(v.to_owned())),
        },
    }
}

pub(super) fn check_record(rec: &Record, bad_offsets: &[usize], mapping: &Mapping) -> Vec<RejectedLine> {
    let line = rec.line;
    if rec.unclosed_quote {
        return vec![reject(
            line,
            None,
            "line.unclosed_quote",
            message("line.unclosed_quote"),
        )];
    }
    let i = bad_offsets.partition_point(|&o| o < rec.start);
    if bad_offsets.get(i).is_some_and(|&o| o < rec.end) {
        return vec![reject(line, None, "line.encoding", message("line.encoding"))];
    }
    let width = mapping.headers.len();
    let extra_empty = rec.fields.len() > width && rec.fields[width..].iter().all(|f| f.trim().is_empty());
    if rec.fields.len() != width && !extra_empty {
        let msg = format!(
            "expected {width} columns, found {} (check the separator and quotes)",
            rec.fields.len()
        );
        return vec![reject(line, None, "line.column_count", msg)];
    }
    let mut out = Vec::new();
    for (i, f) in rec.fields.iter().take(width).enumerate() {
        let column = mapping.headers.get(i).cloned();
        if f.contains('\0') {
            out.push(reject(line, column.clone(), "line.nul", message("line.nul")));
        }
        if f.len() > MAX_FIELD_CHARS && f.chars().count() > MAX_FIELD_CHARS {
            out.push(reject(line, column, "line.too_long", message("line.too_long")));
        }
    }
    out
}

/// What a file's header says, known before any line is read.
#[derive(Debug, Clone, PartialEq)]
pub struct FileHead {
    /// Encoding found.
    pub encoding: &'static str,
    /// Separator used.
    pub separator: char,
    /// Columns and fields.
    pub mapping: Mapping,
    /// Line breaks in the whole file: at most one more than its data lines, for progress.
    pub line_breaks: usize,
}

/// Data lines of a file, handed over a batch at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct LineBatch<T> {
    /// Data lines read in this batch (blank lines excluded).
    pub total_lines: usize,
    /// Lines that passed every check.
    pub lines: Vec<T>,
    /// Lines refused, with reasons.
    pub rejected: Vec<RejectedLine>,
}

/// What a streaming parse hands over: the header first, then batches of lines.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<T> {
    /// The file's encoding, separator and columns.
    Head(FileHead),
    /// The next lines.
    Lines(LineBatch<T>),
}

/// Reads a file's header, then its lines `batch` at a time, handing each to
/// `emit` (which returns false to stop: its reader is gone). Memory holds one
/// batch, not the file's lines, and the writer can work on a batch while the
/// next is parsed.
pub(crate) fn parse_in_batches<T>(
    (source, survey): (impl Read, stream::Survey),
    kind: ImportKind,
    opts: &ParseOptions,
    batch: usize,
    mut per_line: impl FnMut(&Mapping, usize, &[String]) -> Result<T, Vec<RejectedLine>>,
    mut emit: impl FnMut(Parsed<T>) -> bool,
) -> Result<(), ValidationErrors> {
    let mut pieces = stream::TextPieces::new(source, &survey);
    // The text not yet read into records, and where its undecodable bytes are.
    let (mut text, mut bad) = (String::new(), Vec::new());
    let mut ended = !pieces.next_into(&mut text, &mut bad)?;
    let separator = match opts.separator {
        None => detect_separator(&text),
        Some(c) if c.is_ascii() && !matches!(c, '"' | '\n' | '\r') && !c.is_ascii_alphanumeric() => c,
        Some(_) => return Err(file_error("separator", "import.separator")),
    };
    let batch = batch.max(1);
    let empty = || LineBatch {
        total_lines: 0,
        lines: Vec::with_capacity(batch.min(10_000)),
        rejected: Vec::new(),
    };
    let mut current = empty();
    let mut mapping: Option<Mapping> = None;
    let mut line = 1;
    loop {
        let mut records = Records::resume(&text, separator, line);
        let mut used = 0;
        while let Some(rec) = records.next() {
            // A record reaching the end of the text may go on in the next piece.
            if !ended && rec.end >= text.len() {
                break;
            }
            used = rec.end;
            line = records.line;
            let Some(mapping) = mapping.as_ref() else {
                if rec.is_blank() {
                    continue;
                }
                if rec.unclosed_quote {
                    return Err(file_error("file", "import.no_header"));
                }
                let headers: Vec<String> = rec.fields.iter().map(|h| clean_header(h)).collect();
                let found = map_columns(kind, &headers, &opts.overrides, opts.account_given)?;
                let head = FileHead {
                    encoding: survey.encoding_name,
                    separator,
                    mapping: found.clone(),
                    line_breaks: survey.line_breaks,
                };
                mapping = Some(found);
                if !emit(Parsed::Head(head)) {
                    return Ok(());
                }
                continue;
            };
            if rec.is_blank() {
                continue;
            }
            current.total_lines += 1;
            let problems = check_record(&rec, &bad, mapping);
            if !problems.is_empty() {
                current.rejected.extend(problems);
            } else {
                match per_line(mapping, rec.line, &rec.fields) {
                    Ok(t) => current.lines.push(t),
                    Err(r) => current.rejected.extend(r),
                }
            }
            if current.total_lines >= batch && !emit(Parsed::Lines(std::mem::replace(&mut current, empty()))) {
                return Ok(());
            }
        }
        if ended {
            break;
        }
        text.drain(..used);
        bad.retain(|o| *o >= used);
        bad.iter_mut().for_each(|o| *o -= used);
        ended = !pieces.next_into(&mut text, &mut bad)?;
    }
    if mapping.is_none() {
        return Err(file_error("file", "import.empty"));
    }
    if current.total_lines > 0 {
        emit(Parsed::Lines(current));
    }
    Ok(())
}

/// Reads a whole file at once (the lines of [`parse_in_batches`], gathered).
pub(crate) fn parse_file<T>(
    bytes: &[u8],
    kind: ImportKind,
    opts: &ParseOptions,
    per_line: impl FnMut(&Mapping, usize, &[String]) -> Result<T, Vec<RejectedLine>>,
) -> Result<ParsedFile<T>, ValidationErrors> {
    let mut parsed: Option<ParsedFile<T>> = None;
    parse_in_batches(
        stream::surveyed(std::io::Cursor::new(bytes))?,
        kind,
        opts,
        usize::MAX,
        per_line,
        |event| {
            match event {
                Parsed::Head(head) => {
                    parsed = Some(ParsedFile {
                        encoding: head.encoding,
                        separator: head.separator,
                        mapping: head.mapping,
                        total_lines: 0,
                        lines: Vec::new(),
                        rejected: Vec::new(),
                    });
                }
                Parsed::Lines(b) => {
                    if let Some(p) = parsed.as_mut() {
                        p.total_lines += b.total_lines;
                        p.lines.extend(b.lines);
                        p.rejected.extend(b.rejected);
                    }
                }
            }
            true
        },
    )?;
    parsed.ok_or_else(|| file_error("file", "import.empty"))
}

/// Reads an accounts file: every line validated, duplicates within the file
/// (same id, external reference or SIREN) refused.
pub fn parse_accounts(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedFile<AccountLine>, ValidationErrors> {
    let mut seen = SeenKeys::default();
    parse_file(bytes, ImportKind::Accounts, opts, account_line(&mut seen))
}

/// Reads an accounts file `batch` lines at a time (see [`parse_in_batches`]);
/// duplicates are refused across the whole file.
pub fn parse_accounts_in_batches(
    source: impl Read + Seek,
    opts: &ParseOptions,
    batch: usize,
    emit: impl FnMut(Parsed<AccountLine>) -> bool,
) -> Result<(), ValidationErrors> {
    let file = stream::surveyed(source)?;
    let mut seen = SeenKeys::expecting(file.1.line_breaks);
    parse_in_batches(file, ImportKind::Accounts, opts, batch, account_line(&mut seen), emit)
}

/// Reads one account line: every field validated, its keys checked against the file's earlier lines.
fn account_line(
    seen: &mut SeenKeys,
) -> impl FnMut(&Mapping, usize, &[String]) -> Result<AccountLine, Vec<RejectedLine>> + '_ {
    move |mapping, line, fields| {
        let cells = Cells::new(mapping, fields);
        let mut input = AccountInput::default();
        for f in ACCOUNT_FIELDS {
            if let (Some(slot), Some(v)) = (account_slot(&mut input, f), cells.first(f)) {
                *slot = Some(v.to_owned());
            }
        }
        let (id, foreign_id) = split_id(cells.first("id"));
        if input.external_ref.is_none() {
            input.external_ref = foreign_id;
        }
        input.status = input.status.as_deref().and_then(crm_status);
        input.size = input.size.as_deref().and_then(crm_size);
        // An employee column holds a count, or a band ("De 10 à 19 salariés", "NN"):
        // a band says the size.
        if let Some(h) = input.headcount.take() {
            if crate::accounts::parse_headcount(&h).is_some() {
                input.headcount = Some(h);
            } else if input.size.is_none() {
                input.size = crm_size(&h);
            }
        }
        let new = input.validate().map_err(|e| rejections(line, mapping, &e))?;
        let keys = [
            ("id", "id", id.map(|i| i.to_string())),
            ("external_ref", "external reference", new.external_ref.clone()),
            ("siren", "SIREN", new.siren.clone()),
        ];
        for (field, label, key) in keys {
            if let Some(key) = key {
                if let Some(earlier) = seen.first_seen(field, &key, line) {
                    return Err(vec![duplicate(line, mapping.column_for(field), label, earlier)]);
                }
            }
        }
        let owner_ref = cells.first("owner").map(str::to_owned);
        Ok(AccountLine {
            line,
            id,
            input,
            new,
            owner_ref,
        })
    }
}

/// Reads a contacts file: every line validated, duplicates within the file
/// (same id or external reference) refused; e-mails are checked per account by
/// the use case once accounts are resolved.
pub fn parse_contacts(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedFile<ContactLine>, ValidationErrors> {
    let mut seen = SeenKeys::default();
    parse_file(bytes, ImportKind::Contacts, opts, contact_line(&mut seen))
}

/// Reads a contacts file `batch` lines at a time (see [`parse_in_batches`]);
/// duplicates are refused across the whole file.
pub fn parse_contacts_in_batches(
    source: impl Read + Seek,
    opts: &ParseOptions,
    batch: usize,
    emit: impl FnMut(Parsed<ContactLine>) -> bool,
) -> Result<(), ValidationErrors> {
    let file = stream::surveyed(source)?;
    let mut seen = SeenKeys::expecting(file.1.line_breaks);
    parse_in_batches(file, ImportKind::Contacts, opts, batch, contact_line(&mut seen), emit)
}

/// Reads one contact line: every field validated, its keys checked against the file's earlier lines.
fn contact_line(
    seen: &mut SeenKeys,
) -> impl FnMut(&Mapping, usize, &[String]) -> Result<ContactLine, Vec<RejectedLine>> + '_ {
    move |mapping, line, fields| {
        let cells = Cells::new(mapping, fields);
        let mut input = ContactInput::default();
        for f in CONTACT_FIELDS {
            if matches!(f, "account_id" | "account_ref") {
                continue;
            }
            if let (Some(slot), Some(v)) = (contact_slot(&mut input, f), cells.first(f)) {
                *slot = Some(v.to_owned());
            }
        }
        if input.last_name.is_none() {
            if let Some(full) = cells.first("full_name") {
                let (first, last) = split_full_name(full);
                input.last_name = last;
                if input.first_name.is_none() {
                    input.first_name = first;
                }
            }
        }
        let (id, foreign_id) = split_id(cells.first("id"));
        if input.external_ref.is_none() {
            input.external_ref = foreign_id;
        }
        input.email = input.email.as_deref().map(first_email);
        // An account id that is not Bilan's (Salesforce's "Account ID") is a reference.
        let (account_id, account_refs) = account_columns(&cells);
        if account_id.is_some() {
            input.account_id = account_id;
        }
        input.account_ref = account_refs.first().cloned();
        let new = input.validate().map_err(|e| rejections(line, mapping, &e))?;
        let keys = [
            ("id", "id", id.map(|i| i.to_string())),
            ("external_ref", "external reference", new.external_ref.clone()),
        ];
        for (field, label, key) in keys {
            if let Some(key) = key {
                if let Some(earlier) = seen.first_seen(field, &key, line) {
                    return Err(vec![duplicate(line, mapping.column_for(field), label, earlier)]);
                }
            }
        }
        Ok(ContactLine {
            line,
            id,
            input,
            new,
            account_refs,
        })
    }
}

/// The SIREN an account reference may stand for (a SIREN, or a SIRET's first 9 digits).
pub fn siren_of_ref(raw: &str) -> Option<String> {
    let d: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect();
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match d.len() {
        9 => Some(d),
        14 => d.get(..9).map(str::to_owned),
        _ => None,
    }
}
