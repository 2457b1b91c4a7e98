//! CSV import and export formats: decoding, separator detection, column
//! recognition, line parsing and formula-safe writing.
//!
//! Everything here is pure, so every rule about files is tested without a
//! database; the use cases in `bilan-app` add the look-ups and the writes.
//!
//! Whole-file problems are [`ValidationErrors`] whose field is `file` (or the
//! missing field, or `overrides` / `separator`) with one of these codes:
//! `import.empty`, `import.encoding`, `import.binary`, `import.spreadsheet`,
//! `import.no_header`, `import.missing_column`, `import.unknown_column`,
//! `import.unknown_field`, `import.separator`.
//!
//! Refused lines are [`RejectedLine`]s: a validation code of the input types
//! (`siren.invalid_key`, `required`…) or one of `line.column_count`,
//! `line.too_long`, `line.nul`, `line.encoding`, `line.unclosed_quote`,
//! `line.duplicate`, and, from the use cases, `account.unknown`,
//! `account.ambiguous`, `site.unknown`, `user.unknown`, `record.changed`.

use crate::accounts::{Account, AccountInput, AccountStatus, NewAccount};
use crate::contacts::{Contact, ContactInput, NewContact};
use crate::search::normalize;
use crate::validation::ValidationErrors;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;
use uuid::Uuid;

pub mod interactions;

/// Longest field accepted, in characters.
pub const MAX_FIELD_CHARS: usize = 10_000;

/// The separators recognised, in order of preference when several fit equally.
pub const SEPARATORS: [char; 4] = [';', ',', '\t', '|'];

/// Which records a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// Accounts (companies).
    Accounts,
    /// Contacts (people of accounts).
    Contacts,
    /// Interactions (exchanges of the shared history), from a CRM's activity export.
    Interactions,
}

/// One refused line of a file and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedLine {
    /// Physical line number in the file (the header is line 1).
    pub line: usize,
    /// The column at fault, as its header is written in the file.
    pub column: Option<String>,
    /// Stable code, e.g. `siren.invalid_key` or `line.duplicate`.
    pub code: String,
    /// What is wrong, for people (English).
    pub message: String,
}

/// How one column of the file is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedColumn {
    /// The header as written in the file.
    pub header: String,
    /// The field it fills, or `None` when the column is ignored.
    pub field: Option<String>,
}

// ---------------------------------------------------------------------------
// Decoding

/// A file decoded to text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The text, without byte-order mark.
    pub text: String,
    /// The encoding found: `UTF-8`, `UTF-8 BOM`, `windows-1252`, `UTF-16LE` or `UTF-16BE`.
    pub encoding: &'static str,
    /// Byte offsets in `text` where undecodable bytes were replaced (sorted).
    pub bad_offsets: Vec<usize>,
}

fn file_error(field: &str, code: &str) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    e.add(field, code);
    e
}

/// Decodes a file as spreadsheet programs save it: UTF-8 with or without BOM,
/// UTF-16 (Excel's "Unicode text"), otherwise Windows-1252.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ValidationErrors> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(file_error("file", "import.empty"));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(file_error("file", "import.spreadsheet"));
    }
    if [
        &b"%PDF"[..],
        b"\x1F\x8B",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"\x7FELF",
        b"MZ\x90\x00",
    ]
    .iter()
    .any(|magic| bytes.starts_with(magic))
    {
        return Err(file_error("file", "import.binary"));
    }
    let decoded = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let (text, bad_offsets, _) = utf8_lossy(rest);
        Decoded {
            text,
            encoding: "UTF-8 BOM",
            bad_offsets,
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, encoding_rs::UTF_16LE)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, encoding_rs::UTF_16BE)?
    } else if let Some(enc) = sniff_utf16(bytes) {
        utf16(bytes, enc)?
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        Decoded {
            text: text.to_owned(),
            encoding: "UTF-8",
            bad_offsets: Vec::new(),
        }
    } else {
        let (text, bad_offsets, valid_multibyte) = utf8_lossy(bytes);
        // Windows-1252 accents are invalid UTF-8 almost every time, while a UTF-8
        // file with one pasted Windows line still has many valid accented letters.
        if valid_multibyte > bad_offsets.len() {
            Decoded {
                text,
                encoding: "UTF-8",
                bad_offsets,
            }
        } else {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Decoded {
                text: text.into_owned(),
                encoding: "windows-1252",
                bad_offsets: Vec::new(),
            }
        }
    };
    let Decoded {
        text,
        encoding,
        bad_offsets,
    } = decoded;
    let (text, bad_offsets) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (
            rest.to_owned(),
            bad_offsets.into_iter().map(|o| o.saturating_sub(3)).collect(),
        ),
        None => (text, bad_offsets),
    };
    if text.trim().is_empty() {
        return Err(file_error("file", "import.empty"));
    }
    if looks_binary(&text) {
        return Err(file_error("file", "import.binary"));
    }
    Ok(Decoded {
        text,
        encoding,
        bad_offsets,
    })
}

/// Decodes UTF-8, replacing each invalid sequence by U+FFFD; also counts valid
/// non-ASCII characters, the evidence that the file really is UTF-8.
fn utf8_lossy(bytes: &[u8]) -> (String, Vec<usize>, usize) {
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut bad = Vec::new();
    let mut valid_multibyte = 0;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        valid_multibyte += valid.chars().filter(|c| !c.is_ascii()).count();
        text.push_str(valid);
        if !chunk.invalid().is_empty() {
            bad.push(text.len());
            text.push('\u{fffd}');
        }
    }
    (text, bad, valid_multibyte)
}

fn utf16(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> Result<Decoded, ValidationErrors> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(file_error("file", "import.encoding"));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        bad_offsets: Vec::new(),
    })
}

/// Recognises UTF-16 without BOM by the NUL high bytes of its ASCII characters.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(1024) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd * 10 >= pairs * 3 && even * 20 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 3 && odd * 20 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Binary data decodes to text full of control characters; a few stray NULs in
/// a real CSV are reported line by line instead.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars().take(8192) {
        total += 1;
        if (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) || c == '\u{fffd}' {
            controls += 1;
        }
    }
    controls >= 4 && controls * 20 > total
}

// ---------------------------------------------------------------------------
// CSV records

/// One record of the file and where it lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Physical line of its first character (1-based).
    pub line: usize,
    /// The fields, unquoted.
    pub fields: Vec<String>,
    /// Byte offset of its start in the text.
    pub start: usize,
    /// Byte offset just past its end (line break included).
    pub end: usize,
    /// A quoted field ran to the end of the file without its closing quote.
    pub unclosed_quote: bool,
}

impl Record {
    /// True for an empty line or a line of separators only (of any kind, so
    /// `;;;` is blank whichever separator is tried).
    pub fn is_blank(&self) -> bool {
        self.fields
            .iter()
            .all(|f| f.chars().all(|c| c.is_whitespace() || SEPARATORS.contains(&c)))
    }
}

/// Reads records the way spreadsheets write them (RFC 4180, leniently): quotes
/// protect separators and line breaks, `""` is a quote, and `\n`, `\r\n` and a
/// lone `\r` all end a line, so line numbers match what an editor shows.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    text: &'a str,
    sep: u8,
    pos: usize,
    line: usize,
}

impl<'a> Records<'a> {
    /// Starts reading `text` with separator `sep` (an ASCII character).
    pub fn new(text: &'a str, sep: char) -> Self {
        let sep = if sep.is_ascii() { sep as u8 } else { b';' };
        Records {
            text,
            sep,
            pos: 0,
            line: 1,
        }
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or("")
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let b = self.text.as_bytes();
        let n = b.len();
        if self.pos >= n {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        let mut fields = Vec::new();
        let mut unclosed_quote = false;
        let mut i = self.pos;
        loop {
            let mut value = String::new();
            if b.get(i) == Some(&b'"') {
                i += 1;
                let mut seg = i;
                loop {
                    if i >= n {
                        value.push_str(self.slice(seg, n));
                        unclosed_quote = true;
                        break;
                    }
                    match b[i] {
                        b'"' => {
                            value.push_str(self.slice(seg, i));
                            if b.get(i + 1) == Some(&b'"') {
                                value.push('"');
                                i += 2;
                                seg = i;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        b'\n' => {
                            self.line += 1;
                            i += 1;
                        }
                        b'\r' => {
                            if b.get(i + 1) != Some(&b'\n') {
                                self.line += 1;
                            }
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                if unclosed_quote {
                    fields.push(value);
                    break;
                }
            }
            // Unquoted text, or whatever follows a closing quote (`"a"b` reads `ab`, as Excel does).
            let seg = i;
            while i < n && b[i] != self.sep && b[i] != b'\n' && b[i] != b'\r' {
                i += 1;
            }
            value.push_str(self.slice(seg, i));
            fields.push(value);
            if i >= n {
                break;
            }
            if b[i] == self.sep {
                i += 1;
                if i >= n {
                    fields.push(String::new());
                    break;
                }
                continue;
            }
            i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            self.line += 1;
            break;
        }
        self.pos = i;
        Some(Record {
            line,
            fields,
            start,
            end: i,
            unclosed_quote,
        })
    }
}

/// Picks the separator giving a consistent column count over the first lines,
/// quotes respected: more than one column first, then consistency, then width.
pub fn detect_separator(text: &str) -> char {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = text.get(..end).unwrap_or(text);
    let truncated = end < text.len();
    let mut best = (SEPARATORS[0], (false, 0usize, 0usize));
    for sep in SEPARATORS {
        let mut it = Records::new(sample, sep);
        let mut counts: Vec<usize> = Vec::new();
        for r in it.by_ref() {
            if !r.is_blank() {
                counts.push(r.fields.len());
            }
            if counts.len() >= 30 {
                break;
            }
        }
        // The record cut by the end of the sample proves nothing.
        if truncated && counts.len() < 30 && counts.len() > 1 {
            counts.pop();
        }
        let Some(&width) = counts.first() else { continue };
        let consistent = counts.iter().filter(|&&c| c == width).count() * 1000 / counts.len();
        let score = (width >= 2, consistent, width);
        if score > best.1 {
            best = (sep, score);
        }
    }
    best.0
}

// ---------------------------------------------------------------------------
// Column recognition

/// Fields an accounts file may fill: `AccountInput`'s, plus `id` (Bilan's own id,
/// as exported).
#[rustfmt::skip]
pub const ACCOUNT_FIELDS: [&str; 23] = [
    "id", "name", "legal_name", "siren", "siret", "vat_number", "sector", "size", "country", "address", "postal_code",
    "city", "status", "lost_on", "lost_reason", "owner_id", "sponsor_id", "contract_start", "renewal_date",
    "annual_value", "currency", "tags", "external_ref",
];

/// Fields a contacts file may fill: `ContactInput`'s, plus `id` and `full_name`
/// (one "First Last" column, split on import).
#[rustfmt::skip]
pub const CONTACT_FIELDS: [&str; 15] = [
    "id", "account_id", "account_ref", "first_name", "last_name", "full_name", "email", "phone", "job_title", "roles",
    "site_id", "language", "survey_consent", "left_on", "external_ref",
];

#[rustfmt::skip]
const ACCOUNT_ALIASES: &[(&str, &[&str])] = &[
    ("id", &["bilan id", "identifiant bilan", "uuid"]),
    ("name", &[
        "nom", "company name", "company", "account name", "account", "organization name", "organisation name",
        "organization", "organisation", "nom de la societe", "nom societe", "nom de l entreprise", "nom entreprise",
        "nom du compte", "nom compte", "societe", "entreprise", "compte", "nom du client", "client", "nom commercial",
        "enseigne",
    ]),
    ("legal_name", &[
        "raison sociale", "denomination sociale", "denomination", "nom legal", "registered name", "company legal name",
    ]),
    ("siren", &["n siren", "no siren", "numero siren", "num siren", "siren number", "numero de siren"]),
    ("siret", &[
        "n siret", "no siret", "numero siret", "num siret", "siret number", "numero de siret", "siret du siege",
        "siret siege",
    ]),
    ("vat_number", &[
        "vat", "vat id", "vat no", "tva", "n tva", "no tva", "numero tva", "numero de tva", "tva intra",
        "tva intracommunautaire", "n tva intracommunautaire", "no tva intracommunautaire",
        "numero de tva intracommunautaire", "no tva intra", "n de tva intracommunautaire",
        "numero tva intracommunautaire", "tva intracom", "n tva intra", "identifiant tva",
    ]),
    ("sector", &[
        "industry", "secteur", "secteur d activite", "secteur activite", "activite", "industrie", "code naf", "naf",
        "code ape", "ape", "naf ape",
    ]),
    ("size", &[
        "company size", "taille", "taille de l entreprise", "taille entreprise", "effectif", "effectifs",
        "tranche d effectif", "tranche effectif", "number of employees", "employees", "nombre d employes",
        "nombre de salaries", "headcount", "categorie d entreprise",
    ]),
    ("country", &[
        "country region", "pays", "billing country", "code pays", "country code", "country of address",
        "organization country of address",
    ]),
    ("address", &[
        "street address", "street", "billing street", "billing address", "adresse", "adresse postale",
        "adresse ligne 1", "adresse 1", "rue", "adresse de facturation", "adresse du siege", "address line 1",
        "street house number of address", "full combined address of address",
    ]),
    ("postal_code", &[
        "postcode", "zip", "zip code", "billing zip postal code", "billing postal code", "billing zip", "billing code",
        "code postal", "cp", "zip postal code of address",
    ]),
    ("city", &["town", "billing city", "ville", "commune", "localite", "city town village locality of address"]),
    ("status", &["statut", "lifecycle stage", "type", "account type", "type de compte", "type de client", "etat"]),
    ("lost_on", &[
        "lost date", "churn date", "date de perte", "perdu le", "date perdu", "date de resiliation", "resilie le",
        "date de churn",
    ]),
    ("lost_reason", &[
        "churn reason", "motif de perte", "raison de la perte", "motif de resiliation", "raison perte", "motif perte",
    ]),
    ("owner_id", &["id proprietaire", "id du proprietaire", "owner uuid"]),
    ("sponsor_id", &["executive sponsor id", "id sponsor"]),
    ("contract_start", &[
        "contract start date", "date de debut de contrat", "debut de contrat", "date debut contrat", "debut contrat",
        "date de debut du contrat", "client depuis", "customer since", "became a customer date", "date de signature",
    ]),
    ("renewal_date", &[
        "renewal", "date de renouvellement", "renouvellement", "date renouvellement", "prochain renouvellement",
        "contract end date", "date de fin de contrat", "fin de contrat", "echeance du contrat", "date d echeance",
    ]),
    ("annual_value", &[
        "annual revenue", "annual contract value", "acv", "arr", "chiffre d affaires annuel", "chiffre d affaires",
        "ca annuel", "ca", "montant annuel", "montant annuel du contrat", "valeur annuelle", "montant", "ca ht",
        "chiffre d affaires ht",
    ]),
    ("currency", &["devise", "monnaie", "currency code", "account currency", "code devise"]),
    ("tags", &["tag", "etiquettes", "etiquette", "labels", "label", "mots cles"]),
    ("external_ref", &[
        "external reference", "external id", "record id", "account id", "organization id", "organisation id",
        "company id", "reference", "ref", "reference externe", "identifiant externe", "id externe", "identifiant",
        "code client", "numero client", "n client", "no client", "reference client", "hubspot id", "salesforce id",
        "zoho id",
    ]),
];

#[rustfmt::skip]
const CONTACT_ALIASES: &[(&str, &[&str])] = &[
    ("id", &["bilan id", "identifiant bilan", "uuid"]),
    ("account_id", &[
        "id du compte", "id compte", "compte id", "company id", "associated company id", "associated company ids",
        "primary associated company id", "organization id", "organisation id", "id societe", "id entreprise",
    ]),
    ("account_ref", &[
        "account reference", "account", "account name", "associated company", "company", "company name", "societe",
        "entreprise", "compte", "nom du compte", "nom de la societe", "nom de l entreprise", "nom entreprise",
        "nom societe", "organization", "organisation", "organization name", "organisation name", "client",
        "raison sociale", "siren", "siret", "siren du compte", "siren de la societe", "reference du compte",
        "reference compte", "reference client", "code client",
    ]),
    ("first_name", &["firstname", "prenom", "given name", "first"]),
    ("last_name", &["lastname", "nom", "nom de famille", "surname", "family name", "last"]),
    ("full_name", &[
        "name", "nom complet", "contact name", "contact", "nom et prenom", "prenom et nom", "prenom nom", "nom prenom",
        "person name", "interlocuteur",
    ]),
    ("email", &[
        "e mail", "courriel", "mail", "adresse e mail", "adresse email", "adresse mail", "email address",
        "e mail address", "work email", "email work", "email professionnel", "e mail professionnel", "primary email",
        "adresse electronique",
    ]),
    ("phone", &[
        "phone number", "telephone", "tel", "portable", "mobile", "mobile phone", "mobile phone number",
        "telephone portable", "telephone mobile", "numero de telephone", "n telephone", "work phone", "business phone",
        "phone work", "phone mobile", "telephone fixe", "telephone professionnel", "ligne directe",
    ]),
    ("job_title", &[
        "title", "fonction", "poste", "intitule de poste", "intitule du poste", "position", "titre du poste", "job",
    ]),
    ("roles", &[
        "role", "role s", "roles dans le centre d achat", "role dans le centre d achat", "buying role", "buying roles",
        "centre d achat",
    ]),
    ("site_id", &["id site", "id du site"]),
    ("language", &["langue", "preferred language", "langue preferee", "langue de correspondance"]),
    ("survey_consent", &[
        "consentement enquetes", "consentement enquete", "consentement aux enquetes", "consentement", "consent",
        "opt in", "opt in enquetes", "accepte les enquetes",
    ]),
    ("left_on", &[
        "parti le", "date de depart", "depart le", "left date", "date left", "a quitte l entreprise le",
        "date de sortie",
    ]),
    ("external_ref", &[
        "external reference", "external id", "record id", "contact id", "person id", "reference", "ref",
        "reference externe", "identifiant externe", "id externe", "identifiant", "hubspot id", "salesforce id",
        "zoho id", "id contact",
    ]),
];

/// Prefixes CRMs put before their own entity's columns ("Organization - Name",
/// "Person - Email"), tried after the full header.
const ACCOUNT_PREFIXES: &[&str] = &[
    "organization",
    "organisation",
    "company",
    "account",
    "societe",
    "entreprise",
];
const CONTACT_PREFIXES: &[&str] = &["person", "contact"];

pub(crate) fn build_table(
    fields: &[&'static str],
    aliases: &[(&'static str, &[&'static str])],
) -> HashMap<String, &'static str> {
    let mut table = HashMap::new();
    for f in fields {
        table.insert(normalize(f), *f);
    }
    for (field, names) in aliases {
        for n in *names {
            table.insert(normalize(n), *field);
        }
    }
    table
}

static ACCOUNT_TABLE: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let fields: Vec<&'static str> = ACCOUNT_FIELDS.iter().copied().filter(|f| *f != "id").collect();
    build_table(&fields, ACCOUNT_ALIASES)
});

static CONTACT_TABLE: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let fields: Vec<&'static str> = CONTACT_FIELDS.iter().copied().filter(|f| *f != "id").collect();
    build_table(&fields, CONTACT_ALIASES)
});

/// The fields a file of `kind` may fill (the values accepted in overrides).
pub fn fields(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Accounts => &ACCOUNT_FIELDS,
        ImportKind::Contacts => &CONTACT_FIELDS,
        ImportKind::Interactions => &interactions::INTERACTION_FIELDS,
    }
}

/// The field a column header stands for, case- and accent-insensitively.
pub fn recognise(kind: ImportKind, header: &str) -> Option<&'static str> {
    let n = normalize(header);
    if n == "id" {
        return Some("id");
    }
    let (table, prefixes) = match kind {
        ImportKind::Accounts => (&*ACCOUNT_TABLE, ACCOUNT_PREFIXES),
        ImportKind::Contacts => (&*CONTACT_TABLE, CONTACT_PREFIXES),
        ImportKind::Interactions => (&*interactions::TABLE, interactions::PREFIXES),
    };
    if let Some(f) = table.get(&n) {
        return Some(f);
    }
    prefixes.iter().find_map(|p| {
        let rest = n.strip_prefix(p)?.strip_prefix(' ')?;
        if rest == "id" {
            return Some("external_ref");
        }
        table.get(rest).copied()
    })
}

/// Which field each column of a file fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// What the file holds.
    pub kind: ImportKind,
    /// Headers as written in the file (trimmed).
    pub headers: Vec<String>,
    /// The field of each column, `None` when ignored.
    pub fields: Vec<Option<&'static str>>,
}

impl Mapping {
    /// The mapping as reported to people.
    pub fn columns(&self) -> Vec<MappedColumn> {
        self.headers
            .iter()
            .zip(&self.fields)
            .map(|(h, f)| MappedColumn {
                header: h.clone(),
                field: f.map(str::to_owned),
            })
            .collect()
    }

    /// Whether some column fills `field`.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains(&Some(field))
    }

    /// The header of the first column filling `field`.
    pub fn header_of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .position(|f| *f == Some(field))
            .and_then(|i| self.headers.get(i))
            .map(String::as_str)
    }

    /// The header to blame for a problem with `field` (derived fields blame their source).
    pub fn column_for(&self, field: &str) -> Option<String> {
        let fallback = match field {
            "first_name" | "last_name" => "full_name",
            "siren" => "siret",
            "external_ref" | "account_id" => "id",
            "account_ref" => "account_id",
            "user_id" => "user",
            "contact_ids" => "contacts",
            "follow_up_user_id" => "follow_up_user",
            _ => field,
        };
        self.header_of(field)
            .or_else(|| self.header_of(fallback))
            .map(str::to_owned)
    }

    /// Input fields the file provides a value for, so an update keeps the others.
    fn present_fields(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for f in self.fields.iter().flatten() {
            let derived: &[&'static str] = match *f {
                "full_name" => &["first_name", "last_name"],
                "id" | "account_id" | "account_ref" => &[],
                _ => std::slice::from_ref(f),
            };
            for d in derived {
                if !out.contains(d) {
                    out.push(d);
                }
            }
        }
        out
    }
}

fn clean_header(raw: &str) -> String {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '"' || c == '\0')
        .to_owned()
}

/// Recognises the columns, applies the person's overrides (`(header, field)`,
/// an empty field ignoring the column) and checks the required ones are there.
pub fn map_columns(
    kind: ImportKind,
    headers: &[String],
    overrides: &[(String, String)],
    account_given: bool,
) -> Result<Mapping, ValidationErrors> {
    let mut mapped: Vec<Option<&'static str>> = headers.iter().map(|h| recognise(kind, h)).collect();
    let mut explicit = vec![false; headers.len()];
    let mut errors = ValidationErrors::new();
    for (header, field) in overrides {
        let wanted = header.trim();
        let mut idx: Vec<usize> = (0..headers.len()).filter(|&i| headers[i] == wanted).collect();
        if idx.is_empty() {
            let n = normalize(wanted);
            idx = (0..headers.len()).filter(|&i| normalize(&headers[i]) == n).collect();
        }
        if idx.is_empty() {
            errors.add("overrides", "import.unknown_column");
            continue;
        }
        let target = match field.trim() {
            "" => None,
            f => match fields(kind).iter().find(|n| **n == f) {
                Some(n) => Some(*n),
                None => {
                    errors.add("overrides", "import.unknown_field");
                    continue;
                }
            },
        };
        for i in idx {
            mapped[i] = target;
            explicit[i] = true;
        }
    }
    errors.into_result()?;
    // Sellsy and Axonaut name a company only by its "Raison sociale".
    if kind == ImportKind::Accounts && !mapped.contains(&Some("name")) {
        if let Some(i) = (0..mapped.len()).find(|&i| mapped[i] == Some("legal_name") && !explicit[i]) {
            mapped[i] = Some("name");
        }
    }
    let mapping = Mapping {
        kind,
        headers: headers.to_vec(),
        fields: mapped,
    };
    if mapping.fields.iter().all(Option::is_none) {
        return Err(file_error("file", "import.no_header"));
    }
    let mut missing = ValidationErrors::new();
    match kind {
        ImportKind::Accounts => {
            if !mapping.has("name") {
                missing.add("name", "import.missing_column");
            }
        }
        ImportKind::Contacts => {
            if !mapping.has("last_name") && !mapping.has("full_name") {
                missing.add("last_name", "import.missing_column");
            }
            if !account_given && !mapping.has("account_ref") && !mapping.has("account_id") {
                missing.add("account_ref", "import.missing_column");
            }
        }
        ImportKind::Interactions => {
            for field in ["occurred_at", "channel"] {
                if !mapping.has(field) {
                    missing.add(field, "import.missing_column");
                }
            }
            if !account_given && !mapping.has("account_ref") && !mapping.has("account_id") {
                missing.add("account_ref", "import.missing_column");
            }
        }
    }
    missing.into_result()?;
    Ok(mapping)
}

// ---------------------------------------------------------------------------
// Values

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `value` is a plain number (`-40`, `12,5`, `1234.56`), harmless in a spreadsheet.
pub fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let mut parts = digits.splitn(2, ['.', ',']);
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Neutralises formula injection: a cell starting with `=`, `+`, `-`, `@`, tab
/// or carriage return gets a leading `'`, except a plain number in a numeric column.
pub fn guard_formula(value: &str, numeric: bool) -> Cow<'_, str> {
    match value.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) && !(numeric && is_plain_number(value)) => {
            Cow::Owned(format!("'{value}"))
        }
        _ => Cow::Borrowed(value),
    }
}

/// Undoes [`guard_formula`] on import, so an export re-imports unchanged.
pub fn unguard_formula(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

/// Splits one "full name" cell: "Marie Dupont", "DUPONT Marie", "Dupont, Marie".
pub fn split_full_name(raw: &str) -> (Option<String>, Option<String>) {
    if let Some((last, first)) = raw.split_once(',') {
        let (first, last) = (first.trim(), last.trim());
        if !first.is_empty() && !last.is_empty() {
            return (Some(first.to_owned()), Some(last.to_owned()));
        }
    }
    let words: Vec<&str> = raw.split_whitespace().collect();
    let join = |w: &[&str]| Some(w.join(" "));
    // French usage writes the family name in capitals, before or after the first name.
    let caps = |w: &str| w.chars().filter(|c| c.is_alphabetic()).count() > 1 && !w.chars().any(char::is_lowercase);
    match words.len() {
        0 => (None, None),
        1 => (None, join(&words)),
        len => {
            let lead = words.iter().take_while(|w| caps(w)).count();
            if lead > 0 && lead < len {
                return (join(&words[lead..]), join(&words[..lead]));
            }
            let trail = words.iter().rev().take_while(|w| caps(w)).count();
            if trail > 0 && trail < len {
                return (join(&words[..len - trail]), join(&words[len - trail..]));
            }
            (join(&words[..1]), join(&words[1..]))
        }
    }
}

/// Words spreadsheets use for "no value" in enumerated columns.
fn is_null_word(raw: &str) -> bool {
    matches!(
        normalize(raw).as_str(),
        "" | "nn" | "na" | "n a" | "non renseigne" | "inconnu" | "unknown" | "none"
    )
}

/// Maps the lifecycle values of common CRMs to Bilan's statuses.
fn crm_status(raw: &str) -> Option<String> {
    if is_null_word(raw) {
        return None;
    }
    if AccountStatus::parse(raw).is_some() {
        return Some(raw.to_owned());
    }
    let n = normalize(raw);
    let code = if n.starts_with("customer") || n.starts_with("client") || n == "evangelist" {
        "active"
    } else if n.contains("lead") || n.starts_with("prospect") || n == "subscriber" || n == "suspect" {
        "prospect"
    } else if n.starts_with("former") || n.starts_with("ex client") || n.contains("churn") || n.starts_with("resilie") {
        "lost"
    } else {
        return Some(raw.to_owned());
    };
    Some(code.to_owned())
}

/// Reads head-count bands as exports write them ("De 10 à 19 salariés", "1 000 et
/// plus"): their first number, thousands separators included, decides the band.
fn crm_size(raw: &str) -> Option<String> {
    if is_null_word(raw) {
        return None;
    }
    let chars: Vec<char> = raw.chars().collect();
    let Some(first) = chars.iter().position(char::is_ascii_digit) else {
        return Some(raw.to_owned());
    };
    let mut number = String::new();
    let mut i = first;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            number.push(chars[i]);
            i += 1;
        } else if matches!(chars[i], ' ' | '\u{a0}' | '\u{202f}' | '.')
            && chars.len() >= i + 4
            && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            i += 1;
        } else {
            break;
        }
    }
    Some(number)
}

/// Keeps the first address of a cell listing several ("a@x.fr; b@x.fr").
fn first_email(raw: &str) -> String {
    raw.split([';', ',', ' '])
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or(raw)
        .to_owned()
}

fn account_slot<'a>(a: &'a mut AccountInput, field: &str) -> Option<&'a mut Option<String>> {
    Some(match field {
        "name" => &mut a.name,
        "legal_name" => &mut a.legal_name,
        "siren" => &mut a.siren,
        "siret" => &mut a.siret,
        "vat_number" => &mut a.vat_number,
        "sector" => &mut a.sector,
        "size" => &mut a.size,
        "country" => &mut a.country,
        "address" => &mut a.address,
        "postal_code" => &mut a.postal_code,
        "city" => &mut a.city,
        "status" => &mut a.status,
        "lost_on" => &mut a.lost_on,
        "lost_reason" => &mut a.lost_reason,
        "owner_id" => &mut a.owner_id,
        "sponsor_id" => &mut a.sponsor_id,
        "contract_start" => &mut a.contract_start,
        "renewal_date" => &mut a.renewal_date,
        "annual_value" => &mut a.annual_value,
        "currency" => &mut a.currency,
        "tags" => &mut a.tags,
        "external_ref" => &mut a.external_ref,
        _ => return None,
    })
}

fn contact_slot<'a>(c: &'a mut ContactInput, field: &str) -> Option<&'a mut Option<String>> {
    Some(match field {
        "account_id" => &mut c.account_id,
        "first_name" => &mut c.first_name,
        "last_name" => &mut c.last_name,
        "email" => &mut c.email,
        "phone" => &mut c.phone,
        "job_title" => &mut c.job_title,
        "roles" => &mut c.roles,
        "site_id" => &mut c.site_id,
        "language" => &mut c.language,
        "survey_consent" => &mut c.survey_consent,
        "left_on" => &mut c.left_on,
        "external_ref" => &mut c.external_ref,
        "account_ref" => &mut c.account_ref,
        _ => return None,
    })
}

/// Overlays the fields the file provides on an existing account's input, so a
/// re-import updates those columns and keeps everything else.
pub fn overlay_account(base: &mut AccountInput, file: &AccountInput, mapping: &Mapping) {
    let mut file = file.clone();
    for f in mapping.present_fields() {
        if let (Some(dst), Some(src)) = (account_slot(base, f), account_slot(&mut file, f)) {
            dst.clone_from(src);
        }
    }
    if mapping.has("id") && file.external_ref.is_some() {
        base.external_ref.clone_from(&file.external_ref);
    }
}

/// Overlays the fields the file provides on an existing contact's input (the
/// account is set by the caller once resolved).
pub fn overlay_contact(base: &mut ContactInput, file: &ContactInput, mapping: &Mapping) {
    let mut file = file.clone();
    for f in mapping.present_fields() {
        if matches!(f, "account_id" | "account_ref") {
            continue;
        }
        if let (Some(dst), Some(src)) = (contact_slot(base, f), contact_slot(&mut file, f)) {
            dst.clone_from(src);
        }
    }
    if mapping.has("id") && file.external_ref.is_some() {
        base.external_ref.clone_from(&file.external_ref);
    }
}

// ---------------------------------------------------------------------------
// Lines

/// English text for a line-level or validation code (the code is also the translation key).
pub fn message(code: &str) -> String {
    match code {
        "line.column_count" => "wrong number of columns (wrong separator or an unquoted separator in a value)",
        "line.too_long" => "value longer than 10,000 characters",
        "line.nul" => "contains a NUL byte (binary data)",
        "line.encoding" => "contains bytes that are not valid text",
        "line.unclosed_quote" => "a quoted value is never closed",
        "line.duplicate" => "duplicate of an earlier line of the file",
        "account.unknown" => "no account matches this reference",
        "account.ambiguous" => "several accounts have this name; use the SIREN or external reference",
        "site.unknown" => "site not found on this account",
        "user.unknown" => "unknown user in this workspace",
        "record.changed" => "the record was changed by someone else during the import",
        "required" => "required",
        "too_long" => "too long",
        "control_character" => "control character not allowed",
        "siren.format" => "a SIREN has 9 digits",
        "siren.invalid_key" => "the SIREN check key is wrong (typo?)",
        "siret.format" => "a SIRET has 14 digits",
        "siret.invalid_key" => "the SIRET check key is wrong (typo?)",
        "siret.siren_mismatch" => "this SIRET does not belong to the SIREN given",
        "vat.format" => "unknown VAT number format",
        "vat.invalid_key" => "the VAT number's key does not match its SIREN",
        "vat.siren_mismatch" => "this VAT number does not match the SIREN given",
        "size.invalid" => "unknown company size",
        "country.invalid" => "unknown country",
        "status.invalid" => "unknown status (prospect, active, lost)",
        "date.invalid" => "invalid date (DD/MM/YYYY or YYYY-MM-DD)",
        "id.invalid" => "invalid identifier",
        "renewal_date.before_start" => "renewal comes before the contract start",
        "currency.invalid" => "unknown currency (3-letter ISO code)",
        "amount.invalid" => "invalid amount",
        "amount.negative" => "the amount cannot be negative",
        "lost_on.required" => "a lost account needs the date it was lost",
        "email.invalid" => "invalid e-mail address",
        "phone.invalid" => "invalid phone number",
        "roles.invalid" => "unknown buying-centre role",
        "language.invalid" => "unsupported language (fr, en)",
        "bool.invalid" => "answer yes or no",
        "contact.unknown" => "no contact of this workspace has this e-mail address",
        "channel.invalid" => {
            "unknown channel (e-mail, phone, meeting, visit, chat, WhatsApp, LinkedIn, web form, letter, portal)"
        }
        "direction.invalid" => "unknown direction (inbound or outbound)",
        "datetime.invalid" => "invalid date and time (DD/MM/YYYY HH:MM or YYYY-MM-DD HH:MM, Paris time)",
        "datetime.future" => "this exchange is dated in the future",
        "contacts.too_many" => "too many contacts on one exchange",
        "line.already_imported" => "already imported (same external reference)",
        _ => "invalid value",
    }
    .to_owned()
}

fn reject(line: usize, column: Option<String>, code: &str, message: String) -> RejectedLine {
    RejectedLine {
        line,
        column,
        code: code.to_owned(),
        message,
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
#[derive(Debug, Default)]
pub struct SeenKeys(HashMap<(&'static str, String), usize>);

impl SeenKeys {
    /// Records `key` of kind `what` for `line`; the earlier line with the same key, if any.
    pub fn first_seen(&mut self, what: &'static str, key: &str, line: usize) -> Option<usize> {
        match self.0.entry((what, key.to_owned())) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
                None
            }
        }
    }
}

/// The rejection of a line repeating the `label` of line `earlier`.
pub fn duplicate(line: usize, column: Option<String>, label: &str, earlier: usize) -> RejectedLine {
    reject(
        line,
        column,
        "line.duplicate",
        format!("duplicate of line {earlier} (same {label})"),
    )
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
fn split_id(raw: Option<&str>) -> (Option<Uuid>, Option<String>) {
    match raw {
        None => (None, None),
        Some(v) => match Uuid::parse_str(v) {
            Ok(id) => (Some(id), None),
            Err(_) => (None, Some(v.to_owned())),
        },
    }
}

fn check_record(rec: &Record, decoded: &Decoded, mapping: &Mapping) -> Vec<RejectedLine> {
    let line = rec.line;
    if rec.unclosed_quote {
        return vec![reject(
            line,
            None,
            "line.unclosed_quote",
            message("line.unclosed_quote"),
        )];
    }
    let i = decoded.bad_offsets.partition_point(|&o| o < rec.start);
    if decoded.bad_offsets.get(i).is_some_and(|&o| o < rec.end) {
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

pub(crate) fn parse_file<T>(
    bytes: &[u8],
    kind: ImportKind,
    opts: &ParseOptions,
    mut per_line: impl FnMut(&Mapping, usize, &[String]) -> Result<T, Vec<RejectedLine>>,
) -> Result<ParsedFile<T>, ValidationErrors> {
    let decoded = decode(bytes)?;
    let separator = match opts.separator {
        None => detect_separator(&decoded.text),
        Some(c) if c.is_ascii() && !matches!(c, '"' | '\n' | '\r') && !c.is_ascii_alphanumeric() => c,
        Some(_) => return Err(file_error("separator", "import.separator")),
    };
    let mut records = Records::new(&decoded.text, separator);
    let header = loop {
        match records.next() {
            None => return Err(file_error("file", "import.empty")),
            Some(r) if r.is_blank() => {}
            Some(r) => break r,
        }
    };
    if header.unclosed_quote {
        return Err(file_error("file", "import.no_header"));
    }
    let headers: Vec<String> = header.fields.iter().map(|h| clean_header(h)).collect();
    let mapping = map_columns(kind, &headers, &opts.overrides, opts.account_given)?;
    let mut parsed = ParsedFile {
        encoding: decoded.encoding,
        separator,
        mapping,
        total_lines: 0,
        lines: Vec::new(),
        rejected: Vec::new(),
    };
    for rec in records {
        if rec.is_blank() {
            continue;
        }
        parsed.total_lines += 1;
        let problems = check_record(&rec, &decoded, &parsed.mapping);
        if !problems.is_empty() {
            parsed.rejected.extend(problems);
            continue;
        }
        match per_line(&parsed.mapping, rec.line, &rec.fields) {
            Ok(t) => parsed.lines.push(t),
            Err(r) => parsed.rejected.extend(r),
        }
    }
    Ok(parsed)
}

/// Reads an accounts file: every line validated, duplicates within the file
/// (same id, external reference or SIREN) refused.
pub fn parse_accounts(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedFile<AccountLine>, ValidationErrors> {
    let mut seen = SeenKeys::default();
    parse_file(bytes, ImportKind::Accounts, opts, |mapping, line, fields| {
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
        Ok(AccountLine { line, id, input, new })
    })
}

/// Reads a contacts file: every line validated, duplicates within the file
/// (same id or external reference) refused; e-mails are checked per account by
/// the use case once accounts are resolved.
pub fn parse_contacts(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedFile<ContactLine>, ValidationErrors> {
    let mut seen = SeenKeys::default();
    parse_file(bytes, ImportKind::Contacts, opts, |mapping, line, fields| {
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
    })
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

// ---------------------------------------------------------------------------
// Export

/// Columns of an accounts export: Bilan's own field names, so it re-imports as is.
pub const ACCOUNT_EXPORT_COLUMNS: [&str; 23] = ACCOUNT_FIELDS;

/// Columns of a contacts export.
#[rustfmt::skip]
pub const CONTACT_EXPORT_COLUMNS: [&str; 14] = [
    "id", "account_id", "account_ref", "first_name", "last_name", "email", "phone", "job_title", "roles", "site_id",
    "language", "survey_consent", "left_on", "external_ref",
];

/// An account's cells in [`ACCOUNT_EXPORT_COLUMNS`] order; amounts with a decimal
/// comma for French spreadsheets when `decimal_comma`.
pub fn account_cells(a: &Account, decimal_comma: bool) -> Vec<String> {
    let i = a.to_input();
    let value = i.annual_value.unwrap_or_default();
    let value = if decimal_comma { value.replace('.', ",") } else { value };
    let o = |v: Option<String>| v.unwrap_or_default();
    vec![
        a.id.to_string(),
        o(i.name),
        o(i.legal_name),
        o(i.siren),
        o(i.siret),
        o(i.vat_number),
        o(i.sector),
        o(i.size),
        o(i.country),
        o(i.address),
        o(i.postal_code),
        o(i.city),
        o(i.status),
        o(i.lost_on),
        o(i.lost_reason),
        o(i.owner_id),
        o(i.sponsor_id),
        o(i.contract_start),
        o(i.renewal_date),
        value,
        o(i.currency),
        o(i.tags),
        o(i.external_ref),
    ]
}

/// A contact's cells in [`CONTACT_EXPORT_COLUMNS`] order; `account_ref` names the
/// account for people and for imports into another workspace.
pub fn contact_cells(c: &Contact, account_ref: &str) -> Vec<String> {
    let i = c.to_input();
    let o = |v: Option<String>| v.unwrap_or_default();
    vec![
        c.id.to_string(),
        c.account_id.to_string(),
        account_ref.to_owned(),
        o(i.first_name),
        o(i.last_name),
        o(i.email),
        o(i.phone),
        o(i.job_title),
        o(i.roles),
        o(i.site_id),
        o(i.language),
        o(i.survey_consent),
        o(i.left_on),
        o(i.external_ref),
    ]
}

/// The best reference to an account in a contacts export: external reference, SIREN, or name.
pub fn account_ref_of(a: &Account) -> String {
    a.external_ref
        .clone()
        .or_else(|| a.siren.clone())
        .unwrap_or_else(|| a.name.clone())
}

/// Writes CSV for spreadsheets: UTF-8 with BOM, CRLF, quotes where needed and
/// formula injection neutralised.
#[derive(Debug, Clone)]
pub struct CsvWriter {
    out: Vec<u8>,
    sep: char,
    numeric: Vec<usize>,
}

impl CsvWriter {
    /// Starts a file; `numeric` lists the columns whose plain numbers need no guard.
    pub fn new(sep: char, numeric: &[usize]) -> Self {
        let mut out = Vec::with_capacity(64 * 1024);
        out.extend_from_slice(b"\xEF\xBB\xBF");
        CsvWriter {
            out,
            sep,
            numeric: numeric.to_vec(),
        }
    }

    /// Appends one record.
    pub fn record<S: AsRef<str>>(&mut self, cells: &[S]) {
        let mut buf = [0u8; 4];
        let sep = self.sep.encode_utf8(&mut buf).as_bytes().to_vec();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.extend_from_slice(&sep);
            }
            let v = guard_formula(cell.as_ref(), self.numeric.contains(&i));
            let needs_quotes = v.contains(self.sep)
                || v.contains(['"', '\n', '\r'])
                || v.starts_with(char::is_whitespace)
                || v.ends_with(char::is_whitespace);
            if needs_quotes {
                self.out.push(b'"');
                self.out.extend_from_slice(v.replace('"', "\"\"").as_bytes());
                self.out.push(b'"');
            } else {
                self.out.extend_from_slice(v.as_bytes());
            }
        }
        self.out.extend_from_slice(b"\r\n");
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::CompanySize;
    use crate::contacts::{BuyingRole, Language};
    use crate::money::{Currency, Money};
    use chrono::{NaiveDate, TimeZone, Utc};

    fn accounts(text: &str) -> ParsedFile<AccountLine> {
        parse_accounts(text.as_bytes(), &ParseOptions::default()).unwrap()
    }

    fn file_err(bytes: &[u8]) -> Vec<(String, String)> {
        parse_accounts(bytes, &ParseOptions::default())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    fn codes(p: &ParsedFile<impl Sized>) -> Vec<(usize, Option<&str>, &str)> {
        p.rejected
            .iter()
            .map(|r| (r.line, r.column.as_deref(), r.code.as_str()))
            .collect()
    }

    // -- decoding --------------------------------------------------------

    #[test]
    fn decodes_utf8_with_and_without_bom() {
        let d = decode("nom;ville\nSociété;Orléans\n".as_bytes()).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.starts_with("nom;"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("nom;ville\nSociété;Orléans\n".as_bytes());
        let d = decode(&bom).unwrap();
        assert_eq!(d.encoding, "UTF-8 BOM");
        assert!(d.text.starts_with("nom;"), "BOM stripped");
        let p = parse_accounts(&bom, &ParseOptions::default()).unwrap();
        assert_eq!(p.mapping.fields[0], Some("name"), "BOM must not hide the first header");
    }

    #[test]
    fn decodes_windows_1252() {
        // "Raison sociale;Ville\nSociété Générale;Orléans" as Excel saves it on Windows.
        let bytes = b"Raison sociale;Ville\r\nSoci\xE9t\xE9 G\xE9n\xE9rale;Orl\xE9ans\r\n\x80 Caf\xE9 \x9C;Paris\r\n";
        let d = decode(bytes).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("Société Générale;Orléans"));
        assert!(d.text.contains("€ Café œ"));
        let p = parse_accounts(bytes, &ParseOptions::default()).unwrap();
        assert_eq!(p.encoding, "windows-1252");
        assert_eq!(p.lines[0].new.name, "Société Générale");
        assert_eq!(p.lines[0].new.city.as_deref(), Some("Orléans"));
    }

    #[test]
    fn decodes_utf16_excel_unicode_text() {
        let text = "Nom\tVille\r\nSociété\tLyon\r\n";
        let mut le = b"\xFF\xFE".to_vec();
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&le).unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16LE", text));
        let no_bom: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&no_bom).unwrap().encoding, "UTF-16LE");
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be).unwrap().text, text);
        let p = parse_accounts(&le, &ParseOptions::default()).unwrap();
        assert_eq!(p.separator, '\t');
        assert_eq!(p.lines[0].new.name, "Société");
        // An odd trailing byte is a broken UTF-16 file, not a panic.
        let mut broken = le.clone();
        broken.push(b'x');
        assert_eq!(decode(&broken).unwrap_err().0[0].code, "import.encoding");
    }

    #[test]
    fn undecodable_line_in_a_utf8_file_is_rejected_alone() {
        let mut bytes = "nom;ville\nSociété;Orléans\nÉtoile;Nîmes\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"Bad \xFF\xFE name;Paris\nCaf\xC3\xA9;Lyon\n");
        let p = parse_accounts(&bytes, &ParseOptions::default()).unwrap();
        assert_eq!(p.encoding, "UTF-8");
        assert_eq!(codes(&p), vec![(4, None, "line.encoding")]);
        assert_eq!(p.lines.len(), 3);
        assert_eq!(p.lines[2].new.name, "Café");
    }

    #[test]
    fn empty_and_binary_files_are_file_errors() {
        assert_eq!(file_err(b""), vec![("file".into(), "import.empty".into())]);
        assert_eq!(file_err(b"  \r\n\n "), vec![("file".into(), "import.empty".into())]);
        assert_eq!(file_err(b"\xEF\xBB\xBF"), vec![("file".into(), "import.empty".into())]);
        assert_eq!(file_err(b";;;\n;;\n"), vec![("file".into(), "import.empty".into())]);
        assert_eq!(
            file_err(b"PK\x03\x04\x14\x00\x06\x00"),
            vec![("file".into(), "import.spreadsheet".into())]
        );
        assert_eq!(file_err(b"%PDF-1.7\n"), vec![("file".into(), "import.binary".into())]);
        // Pseudo-random garbage: deterministic, covers every byte value.
        let mut x: u32 = 0x1234_5678;
        let garbage: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        let e = file_err(&garbage);
        assert_eq!(e.len(), 1);
        assert!(e[0].1 == "import.binary" || e[0].1 == "import.no_header", "{e:?}");
        let nuls = vec![0u8; 1000];
        assert_eq!(file_err(&nuls)[0].1, "import.binary");
    }

    #[test]
    fn every_prefix_of_hostile_bytes_is_handled_without_panic() {
        let mut samples: Vec<Vec<u8>> = vec![
            b"\"unterminated;x\nname\n".to_vec(),
            b"name;\"a\"\"b\n\r\r\n\"".to_vec(),
            b"\xFF\xFE\x00".to_vec(),
            b"\xFE\xFF\xD8\x00".to_vec(),
            b"\xEF\xBB\xBFname\n\xC3".to_vec(),
            "nom;siren\n\u{0}Acme;552032534\n".as_bytes().to_vec(),
        ];
        let mut x: u32 = 7;
        samples.push(
            (0..600)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect(),
        );
        for s in &samples {
            for end in 0..=s.len() {
                drop(parse_accounts(&s[..end], &ParseOptions::default()));
                drop(parse_contacts(&s[..end], &ParseOptions::default()));
            }
        }
    }

    // -- separators and records --------------------------------------------

    #[test]
    fn detects_separators() {
        assert_eq!(detect_separator("name,city\nAcme,Paris\nBeta,Lyon\n"), ',');
        assert_eq!(
            detect_separator("nom;montant;ville\nAcme;12,5;Paris\nBeta;3,2;Lyon\n"),
            ';'
        );
        assert_eq!(detect_separator("name\tcity\nDupont, Martin\tParis\n"), '\t');
        assert_eq!(detect_separator("name|city\nA|B\n"), '|');
        // Commas inside quotes do not count.
        assert_eq!(detect_separator("name,note\n\"A; B; C\",\"x; y\"\n\"D; E\",z\n"), ',');
        // A comma in a header label does not beat the real separator.
        assert_eq!(
            detect_separator("Raison sociale;Chiffre d'affaires (k€, annuel);Ville\nAcme;12,5;Paris\nBeta;3;Lyon\n"),
            ';'
        );
        // A single column: any separator is as good; French files win ties.
        assert_eq!(detect_separator("nom\nAcme\n"), ';');
    }

    #[test]
    fn records_keep_physical_line_numbers() {
        let text = "a;b\r\n\"multi\r\nline\nvalue\";x\n\n\"q\"\"uote\";\"sep;inside\"\rlast;\"\"\n";
        let recs: Vec<Record> = Records::new(text, ';').collect();
        let lines: Vec<usize> = recs.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 5, 6, 7]);
        assert_eq!(recs[1].fields, vec!["multi\r\nline\nvalue", "x"]);
        assert!(recs[2].is_blank());
        assert_eq!(recs[3].fields, vec!["q\"uote", "sep;inside"]);
        assert_eq!(recs[4].fields, vec!["last", ""]);
        // Text after a closing quote is kept, like Excel.
        let r: Vec<Record> = Records::new("\"a\"b;c", ';').collect();
        assert_eq!(r[0].fields, vec!["ab", "c"]);
        let r: Vec<Record> = Records::new("a;", ';').collect();
        assert_eq!(r[0].fields, vec!["a", ""]);
        let r: Vec<Record> = Records::new("\"open;x\ny\n", ';').collect();
        assert!(r[0].unclosed_quote);
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn multi_line_fields_keep_later_line_numbers_right() {
        let text = "nom;adresse;siren\n\
                    Acme;\"12 rue de la Paix\n75002 Paris\nFrance\";\n\
                    Beta;\"1 place X\";123456789\n";
        let p = accounts(text);
        assert_eq!(p.lines[0].line, 2);
        assert_eq!(
            p.lines[0].new.address.as_deref(),
            Some("12 rue de la Paix\n75002 Paris\nFrance")
        );
        assert_eq!(codes(&p), vec![(5, Some("siren"), "siren.invalid_key")]);
        assert_eq!(p.total_lines, 2);
    }

    #[test]
    fn semicolon_file_with_decimal_commas_and_day_first_dates() {
        let text = "Raison sociale;SIREN;Chiffre d'affaires annuel;Date de renouvellement;Devise\n\
                    Danone;552 032 534;12 345,67;31/03/2027;EUR\n";
        let p = accounts(text);
        assert_eq!(p.separator, ';');
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let a = &p.lines[0].new;
        assert_eq!(
            a.name, "Danone",
            "raison sociale stands for the name when no name column exists"
        );
        assert_eq!(a.siren.as_deref(), Some("552032534"));
        assert_eq!(
            a.annual_value,
            Money {
                minor: 1_234_567,
                currency: Currency::EUR
            }
        );
        assert_eq!(a.renewal_date, NaiveDate::from_ymd_opt(2027, 3, 31));
    }

    // -- mapping -------------------------------------------------------------

    fn mapped(kind: ImportKind, headers: &[&str]) -> Vec<Option<&'static str>> {
        headers.iter().map(|h| recognise(kind, h)).collect()
    }

    #[test]
    fn recognises_crm_headers() {
        use ImportKind::*;
        assert_eq!(
            mapped(
                Accounts,
                &[
                    "Company name",
                    "Record ID",
                    "Industry",
                    "Country/Region",
                    "City",
                    "Postal Code",
                    "Street Address",
                    "Annual Revenue",
                    "Lifecycle Stage",
                    "Company owner"
                ]
            ),
            vec![
                Some("name"),
                Some("external_ref"),
                Some("sector"),
                Some("country"),
                Some("city"),
                Some("postal_code"),
                Some("address"),
                Some("annual_value"),
                Some("status"),
                None
            ]
        );
        assert_eq!(
            mapped(
                Accounts,
                &[
                    "Account Name",
                    "Account ID",
                    "Billing Street",
                    "Billing City",
                    "Billing Zip/Postal Code",
                    "Billing Country",
                    "Type",
                    "Annual Revenue"
                ]
            ),
            vec![
                Some("name"),
                Some("external_ref"),
                Some("address"),
                Some("city"),
                Some("postal_code"),
                Some("country"),
                Some("status"),
                Some("annual_value")
            ]
        );
        assert_eq!(
            mapped(
                Accounts,
                &[
                    "Organization - Name",
                    "Organization - Address",
                    "Organization - ID",
                    "Organization - Labels"
                ]
            ),
            vec![Some("name"), Some("address"), Some("external_ref"), Some("tags")]
        );
        assert_eq!(
            mapped(
                Accounts,
                &[
                    "Raison sociale",
                    "Nom de la société",
                    "SIREN",
                    "SIRET",
                    "N° TVA intracommunautaire",
                    "TVA intra",
                    "Code postal",
                    "Ville",
                    "Pays",
                    "Adresse",
                    "Secteur d'activité",
                    "Effectif",
                    "Taille",
                    "Statut",
                    "Date de début de contrat",
                    "Date de renouvellement",
                    "Chiffre d'affaires annuel",
                    "Montant annuel",
                    "Devise",
                    "Étiquettes",
                    "Tags",
                    "Référence",
                    "Identifiant externe"
                ]
            ),
            vec![
                Some("legal_name"),
                Some("name"),
                Some("siren"),
                Some("siret"),
                Some("vat_number"),
                Some("vat_number"),
                Some("postal_code"),
                Some("city"),
                Some("country"),
                Some("address"),
                Some("sector"),
                Some("size"),
                Some("size"),
                Some("status"),
                Some("contract_start"),
                Some("renewal_date"),
                Some("annual_value"),
                Some("annual_value"),
                Some("currency"),
                Some("tags"),
                Some("tags"),
                Some("external_ref"),
                Some("external_ref")
            ]
        );
        assert_eq!(
            mapped(
                Contacts,
                &[
                    "First Name",
                    "Last Name",
                    "Email",
                    "Phone Number",
                    "Job Title",
                    "Associated Company",
                    "Record ID"
                ]
            ),
            vec![
                Some("first_name"),
                Some("last_name"),
                Some("email"),
                Some("phone"),
                Some("job_title"),
                Some("account_ref"),
                Some("external_ref")
            ]
        );
        assert_eq!(
            mapped(
                Contacts,
                &[
                    "Contact ID",
                    "First Name",
                    "Last Name",
                    "Email",
                    "Phone",
                    "Title",
                    "Account Name",
                    "Account ID"
                ]
            ),
            vec![
                Some("external_ref"),
                Some("first_name"),
                Some("last_name"),
                Some("email"),
                Some("phone"),
                Some("job_title"),
                Some("account_ref"),
                Some("account_id")
            ]
        );
        assert_eq!(
            mapped(
                Contacts,
                &[
                    "Person - Name",
                    "Person - Email",
                    "Person - Phone",
                    "Person - Organization",
                    "Person - ID"
                ]
            ),
            vec![
                Some("full_name"),
                Some("email"),
                Some("phone"),
                Some("account_ref"),
                Some("external_ref")
            ]
        );
        assert_eq!(
            mapped(
                Contacts,
                &[
                    "Prénom",
                    "NOM",
                    "E-mail",
                    "Courriel",
                    "Téléphone",
                    "Portable",
                    "Fonction",
                    "Poste",
                    "Société",
                    "Entreprise",
                    "Compte",
                    "Rôle(s)",
                    "Langue",
                    "Consentement enquêtes",
                    "Parti le",
                    "Date de départ"
                ]
            ),
            vec![
                Some("first_name"),
                Some("last_name"),
                Some("email"),
                Some("email"),
                Some("phone"),
                Some("phone"),
                Some("job_title"),
                Some("job_title"),
                Some("account_ref"),
                Some("account_ref"),
                Some("account_ref"),
                Some("roles"),
                Some("language"),
                Some("survey_consent"),
                Some("left_on"),
                Some("left_on")
            ]
        );
    }

    #[test]
    fn recognises_bilan_own_headers() {
        for f in ACCOUNT_EXPORT_COLUMNS {
            assert_eq!(recognise(ImportKind::Accounts, f), Some(f), "{f}");
        }
        for f in CONTACT_EXPORT_COLUMNS {
            assert_eq!(recognise(ImportKind::Contacts, f), Some(f), "{f}");
        }
        assert_eq!(recognise(ImportKind::Contacts, "full_name"), Some("full_name"));
        assert_eq!(recognise(ImportKind::Accounts, "  ANNUAL VALUE "), Some("annual_value"));
    }

    #[test]
    fn no_alias_is_claimed_by_two_fields() {
        for (kind, aliases) in [
            (ImportKind::Accounts, ACCOUNT_ALIASES),
            (ImportKind::Contacts, CONTACT_ALIASES),
            (ImportKind::Interactions, interactions::ALIASES),
        ] {
            let mut seen: HashMap<String, &str> = HashMap::new();
            for f in fields(kind) {
                seen.insert(normalize(f), f);
            }
            for (field, names) in aliases {
                assert!(fields(kind).contains(field), "{field}");
                for n in *names {
                    let key = normalize(n);
                    assert_eq!(key, *n, "aliases are written normalised: {n}");
                    if let Some(other) = seen.insert(key, field) {
                        panic!("{kind:?}: {n} claimed by {other} and {field}");
                    }
                }
            }
        }
    }

    #[test]
    fn overrides_and_missing_columns() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let m = map_columns(ImportKind::Accounts, &h(&["Nom", "Code", "Blah"]), &[], false).unwrap();
        assert_eq!(m.fields, vec![Some("name"), None, None]);
        let o = vec![
            ("Code".to_string(), "siren".to_string()),
            ("nom".to_string(), String::new()),
        ];
        let e = map_columns(ImportKind::Accounts, &h(&["Nom", "Code"]), &o, false).unwrap_err();
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].code.as_str()),
            ("name", "import.missing_column")
        );
        let o = vec![
            ("Code".to_string(), "siren".to_string()),
            ("Blah".to_string(), "external_ref".to_string()),
        ];
        let m = map_columns(ImportKind::Accounts, &h(&["Nom", "Code", "Blah"]), &o, false).unwrap();
        assert_eq!(m.fields, vec![Some("name"), Some("siren"), Some("external_ref")]);
        assert_eq!(
            m.columns()[1],
            MappedColumn {
                header: "Code".into(),
                field: Some("siren".into())
            }
        );
        let o = vec![("Missing".to_string(), "siren".to_string())];
        let e = map_columns(ImportKind::Accounts, &h(&["Nom"]), &o, false).unwrap_err();
        assert_eq!(e.0[0].code, "import.unknown_column");
        let o = vec![("Nom".to_string(), "shoe_size".to_string())];
        let e = map_columns(ImportKind::Accounts, &h(&["Nom"]), &o, false).unwrap_err();
        assert_eq!(e.0[0].code, "import.unknown_field");
        let e = map_columns(ImportKind::Contacts, &h(&["Email", "Phone"]), &[], false).unwrap_err();
        let missing: Vec<_> = e.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            missing,
            vec![
                ("last_name", "import.missing_column"),
                ("account_ref", "import.missing_column")
            ]
        );
        assert!(map_columns(ImportKind::Contacts, &h(&["Nom"]), &[], true).is_ok());
        let e = map_columns(ImportKind::Accounts, &h(&["foo", "bar"]), &[], false).unwrap_err();
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].code.as_str()),
            ("file", "import.no_header")
        );
    }

    #[test]
    fn headerless_file_and_header_only_file() {
        assert_eq!(file_err(b"Acme;552032534;Paris\n")[0].1, "import.no_header");
        let p = accounts("Nom;SIREN\n");
        assert_eq!((p.total_lines, p.lines.len(), p.rejected.len()), (0, 0, 0));
        let p = accounts("Nom;SIREN");
        assert_eq!(p.total_lines, 0);
    }

    #[test]
    fn unknown_columns_are_reported_in_the_mapping() {
        let p = accounts("Nom;Couleur préférée;Ville\nAcme;bleu;Paris\n");
        assert_eq!(
            p.mapping.columns(),
            vec![
                MappedColumn {
                    header: "Nom".into(),
                    field: Some("name".into())
                },
                MappedColumn {
                    header: "Couleur préférée".into(),
                    field: None
                },
                MappedColumn {
                    header: "Ville".into(),
                    field: Some("city".into())
                },
            ]
        );
        assert_eq!(p.lines[0].new.city.as_deref(), Some("Paris"));
    }

    // -- lines ---------------------------------------------------------------

    #[test]
    fn dirty_lines_are_rejected_with_line_column_and_code() {
        let long = "x".repeat(20_000);
        let text = format!(
            "Nom;SIREN;Ville;Statut\n\
             Acme;552032534;Paris;client\n\
             ;;;\n\
             Beta;552032535;Lyon;prospect\n\
             Gamma;;Nice\n\
             Delta;;Brest;actif;extra\n\
             Epsilon;;{long};perdu\n\
             Zeta\0;;Metz;\n\
             Eta;;Caen;sleeping\n\
             Acme bis;552 032 534;Paris;\n\
             Theta;;Rouen;;;\n"
        );
        let p = accounts(&text);
        assert_eq!(p.total_lines, 9, "blank line not counted");
        assert_eq!(
            codes(&p),
            vec![
                (4, Some("SIREN"), "siren.invalid_key"),
                (5, None, "line.column_count"),
                (6, None, "line.column_count"),
                (7, Some("Ville"), "line.too_long"),
                (8, Some("Nom"), "line.nul"),
                (9, Some("Statut"), "status.invalid"),
                (10, Some("SIREN"), "line.duplicate"),
            ]
        );
        assert_eq!(p.rejected[6].message, "duplicate of line 2 (same SIREN)");
        assert_eq!(
            p.rejected[1].message,
            "expected 4 columns, found 3 (check the separator and quotes)"
        );
        let names: Vec<&str> = p.lines.iter().map(|l| l.new.name.as_str()).collect();
        assert_eq!(names, vec!["Acme", "Theta"], "trailing empty cells are tolerated");
        assert_eq!(p.lines[0].new.status, AccountStatus::Active);
    }

    #[test]
    fn duplicates_by_external_ref_and_id() {
        let id = Uuid::now_v7();
        let text = format!("id;name;external_ref\n{id};A;R1\n{id};B;R2\n;C;R1\n;D;\n;E;\n");
        let p = accounts(&text);
        assert_eq!(
            codes(&p),
            vec![
                (3, Some("id"), "line.duplicate"),
                (4, Some("external_ref"), "line.duplicate")
            ]
        );
        assert_eq!(p.lines.len(), 3, "lines without keys are never duplicates");
        assert_eq!(p.lines[0].id, Some(id));
    }

    #[test]
    fn foreign_ids_become_external_references() {
        let p = accounts("ID;Name\n1234;Acme\n");
        assert_eq!(p.lines[0].id, None);
        assert_eq!(p.lines[0].new.external_ref.as_deref(), Some("1234"));
    }

    #[test]
    fn crm_status_and_size_values() {
        let p = accounts(
            "Company name;Lifecycle Stage;Number of Employees\n\
             A;customer;250\nB;Customer - Direct;De 10 à 19 salariés\nC;marketingqualifiedlead;1 000 et plus\n\
             D;;NN\nE;Channel Partner;\n",
        );
        let got: Vec<_> = p
            .lines
            .iter()
            .map(|l| (l.new.name.as_str(), l.new.status, l.new.size))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A", AccountStatus::Active, Some(CompanySize::Intermediate)),
                ("B", AccountStatus::Active, Some(CompanySize::Small)),
                ("C", AccountStatus::Prospect, Some(CompanySize::Intermediate)),
                ("D", AccountStatus::Prospect, None),
            ]
        );
        assert_eq!(codes(&p), vec![(6, Some("Lifecycle Stage"), "status.invalid")]);
    }

    #[test]
    fn formula_cells_are_kept_as_text_and_unguarded() {
        let p = accounts("Nom;Ville;Secteur\n'=HYPERLINK(\"http://x\");'+33;=1+1\n");
        let a = &p.lines[0].new;
        assert_eq!(a.name, "=HYPERLINK(\"http://x\")");
        assert_eq!(a.city.as_deref(), Some("+33"));
        assert_eq!(a.sector.as_deref(), Some("=1+1"));
        assert_eq!(guard_formula("=cmd|' /C calc'!A0", false), "'=cmd|' /C calc'!A0");
        assert_eq!(guard_formula("@SUM(A1)", false), "'@SUM(A1)");
        assert_eq!(guard_formula("\tx", false), "'\tx");
        assert_eq!(guard_formula("\rx", false), "'\rx");
        assert_eq!(guard_formula("-40", true), "-40");
        assert_eq!(guard_formula("-40,5", true), "-40,5");
        assert_eq!(guard_formula("-40", false), "'-40");
        assert_eq!(guard_formula("-1+1", true), "'-1+1");
        assert_eq!(guard_formula("Acme", false), "Acme");
        assert_eq!(unguard_formula("'-40"), "-40");
        assert_eq!(unguard_formula("'abc"), "'abc");
        assert!(
            is_plain_number("12.50") && !is_plain_number("12.") && !is_plain_number("1e5") && !is_plain_number("-")
        );
    }

    #[test]
    fn contacts_lines() {
        let acc = Uuid::now_v7();
        let text = "Person - Name;Person - Email;Person - Phone;Person - Organization;Account ID;Rôle(s);Consentement enquêtes\n\
             Marie Dupont;Marie.Dupont@Acme.fr; b@acme.fr;+33 1 23 45 67 89;Acme;001XX;Décideur, acheteur;oui\n";
        // The e-mail cell above holds an unquoted ';': the line has one column too many.
        let p = parse_contacts(text.as_bytes(), &ParseOptions::default()).unwrap();
        assert_eq!(codes(&p), vec![(2, None, "line.column_count")]);
        let text = format!(
            "Person - Name;Person - Email;Person - Phone;Person - Organization;Account ID;Rôle(s);Consentement enquêtes\n\
             DUPONT Marie;\"Marie.Dupont@Acme.fr; b@acme.fr\";+33 1 23 45 67 89;Acme;001XX;Décideur, acheteur;oui\n\
             Jean Martin;jean@beta.fr;;;{acc};;non\n\
             Solo;;;;;;\n\
             ;x@y.fr;;Acme;;;\n"
        );
        let p = parse_contacts(text.as_bytes(), &ParseOptions::default()).unwrap();
        assert_eq!(codes(&p), vec![(5, Some("Person - Name"), "required")]);
        let l = &p.lines[0];
        assert_eq!(l.new.first_name.as_deref(), Some("Marie"));
        assert_eq!(l.new.last_name, "DUPONT");
        assert_eq!(l.new.email.as_deref(), Some("marie.dupont@acme.fr"));
        assert_eq!(l.new.roles, vec![BuyingRole::DecisionMaker, BuyingRole::Buyer]);
        assert!(l.new.survey_consent);
        assert_eq!(
            l.account_refs,
            vec!["001XX", "Acme"],
            "a foreign account id is a reference"
        );
        assert_eq!(l.new.account_id, None);
        let l = &p.lines[1];
        assert_eq!(l.new.account_id, Some(acc));
        assert_eq!(
            (l.new.first_name.as_deref(), l.new.last_name.as_str()),
            (Some("Jean"), "Martin")
        );
        assert!(p.lines[2].account_refs.is_empty());
        assert_eq!(p.lines[2].new.language, Language::Fr);
    }

    #[test]
    fn contact_duplicates_by_external_ref() {
        let p = parse_contacts(
            b"Record ID;Last Name;Company\n1;Dupont;Acme\n2;Martin;Acme\n1;Durand;Beta\n",
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(codes(&p), vec![(4, Some("Record ID"), "line.duplicate")]);
    }

    #[test]
    fn splits_full_names() {
        let s = |v: &str| split_full_name(v);
        let o = |a: Option<&str>, b: Option<&str>| (a.map(str::to_owned), b.map(str::to_owned));
        assert_eq!(s("Marie Dupont"), o(Some("Marie"), Some("Dupont")));
        assert_eq!(s("DUPONT Marie"), o(Some("Marie"), Some("DUPONT")));
        assert_eq!(s("Jean-Pierre DE LA TOUR"), o(Some("Jean-Pierre"), Some("DE LA TOUR")));
        assert_eq!(s("Jean-Pierre de La Tour"), o(Some("Jean-Pierre"), Some("de La Tour")));
        assert_eq!(s("Dupont, Marie"), o(Some("Marie"), Some("Dupont")));
        assert_eq!(s("Cher"), o(None, Some("Cher")));
        assert_eq!(s("  "), o(None, None));
    }

    #[test]
    fn references_to_accounts() {
        assert_eq!(siren_of_ref("552 032 534").as_deref(), Some("552032534"));
        assert_eq!(siren_of_ref("55203253400018").as_deref(), Some("552032534"));
        assert_eq!(siren_of_ref("Acme"), None);
        assert_eq!(siren_of_ref("1234"), None);
    }

    #[test]
    fn separator_override() {
        let p = parse_accounts(
            b"name|city\nA|B\n",
            &ParseOptions {
                separator: Some('|'),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.lines[0].new.city.as_deref(), Some("B"));
        let e = parse_accounts(
            b"name\n",
            &ParseOptions {
                separator: Some('"'),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.0[0].code, "import.separator");
    }

    #[test]
    fn many_lines_parse_quickly() {
        let mut text = String::from("Raison sociale;SIREN;Ville;Montant annuel;Référence\n");
        for i in 0..20_000 {
            text.push_str(&format!("Société {i};;Paris;{i},50;R{i}\n"));
        }
        let start = std::time::Instant::now();
        let p = accounts(&text);
        assert_eq!(p.lines.len(), 20_000);
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    // -- overlay and export ----------------------------------------------------

    fn account(input: AccountInput) -> Account {
        let n = input.validate().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        Account {
            id: Uuid::now_v7(),
            workspace_id: Uuid::now_v7(),
            name: n.name,
            legal_name: n.legal_name,
            siren: n.siren,
            siret: n.siret,
            vat_number: n.vat_number,
            sector: n.sector,
            size: n.size,
            country: n.country,
            address: n.address,
            postal_code: n.postal_code,
            city: n.city,
            status: n.status,
            lost_on: n.lost_on,
            lost_reason: n.lost_reason,
            owner_id: n.owner_id,
            sponsor_id: n.sponsor_id,
            contract_start: n.contract_start,
            renewal_date: n.renewal_date,
            annual_value: n.annual_value,
            tags: n.tags,
            external_ref: n.external_ref,
            version: 3,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn overlay_keeps_columns_the_file_lacks() {
        let existing = account(AccountInput {
            name: Some("Acme".into()),
            city: Some("Paris".into()),
            sector: Some("Industrie".into()),
            tags: Some("vip".into()),
            ..Default::default()
        });
        let p = accounts("Nom;Ville;Secteur\nAcme SA;Lyon;\n");
        let mut base = existing.to_input();
        overlay_account(&mut base, &p.lines[0].input, &p.mapping);
        let merged = base.validate().unwrap();
        assert_eq!(merged.name, "Acme SA");
        assert_eq!(merged.city.as_deref(), Some("Lyon"));
        assert_eq!(
            merged.sector, None,
            "an empty cell of a present column clears the field"
        );
        assert_eq!(merged.tags, vec!["vip"], "absent columns are kept");
    }

    #[test]
    fn export_round_trips_through_import() {
        let a = account(AccountInput {
            name: Some("=cmd|' /C calc'!A0".into()),
            legal_name: Some("Dupont; Fils \"et\" Cie".into()),
            siren: Some("552032534".into()),
            address: Some("1 rue X\n75001 Paris".into()),
            annual_value: Some("12345.67".into()),
            tags: Some("grand compte, industrie".into()),
            status: Some("lost".into()),
            lost_on: Some("2026-05-01".into()),
            contract_start: Some("2024-01-01".into()),
            external_ref: Some("-R1".into()),
            ..Default::default()
        });
        for (sep, comma) in [(';', true), (',', false)] {
            let mut w = CsvWriter::new(sep, &[19]);
            w.record(&ACCOUNT_EXPORT_COLUMNS);
            w.record(&account_cells(&a, comma));
            let bytes = w.finish();
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
            let text = std::str::from_utf8(&bytes).unwrap();
            assert!(text.contains(&format!("{sep}'=cmd|' /C calc'!A0{sep}")), "{text}");
            assert!(text.contains("'-R1"));
            assert!(text.contains(if comma { "12345,67" } else { "12345.67" }));
            let p = parse_accounts(&bytes, &ParseOptions::default()).unwrap();
            assert_eq!(p.separator, sep);
            assert!(p.rejected.is_empty(), "{:?}", p.rejected);
            assert!(p.mapping.fields.iter().all(Option::is_some));
            let l = &p.lines[0];
            assert_eq!(l.id, Some(a.id));
            assert_eq!(
                l.new,
                a.to_input().validate().unwrap(),
                "re-imported values equal the stored ones"
            );
        }
    }

    #[test]
    fn contact_export_round_trips() {
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let c = Contact {
            id: Uuid::now_v7(),
            workspace_id: Uuid::now_v7(),
            account_id: Uuid::now_v7(),
            first_name: Some("Marie".into()),
            last_name: "Dupont".into(),
            email: Some("marie@acme.fr".into()),
            phone: Some("+33 1 23 45 67 89".into()),
            job_title: Some("@DAF".into()),
            roles: vec![BuyingRole::Buyer, BuyingRole::Finance],
            site_id: None,
            language: Language::En,
            survey_consent: true,
            left_on: NaiveDate::from_ymd_opt(2026, 2, 1),
            external_ref: None,
            version: 1,
            created_at: t,
            updated_at: t,
        };
        let mut w = CsvWriter::new(';', &[]);
        w.record(&CONTACT_EXPORT_COLUMNS);
        w.record(&contact_cells(&c, "552032534"));
        let bytes = w.finish();
        assert!(std::str::from_utf8(&bytes)
            .unwrap()
            .contains(";'+33 1 23 45 67 89;'@DAF;"));
        let p = parse_contacts(&bytes, &ParseOptions::default()).unwrap();
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let l = &p.lines[0];
        assert_eq!(l.id, Some(c.id));
        assert_eq!(l.new.account_id, Some(c.account_id));
        assert_eq!(l.account_refs, vec!["552032534"]);
        let mut expected = c.to_input();
        expected.account_ref = Some("552032534".into());
        assert_eq!(l.input, expected);
    }
}
