//! CSV import and export formats: decoding, separator detection, column
//! recognition, line parsing and formula-safe writing.
//!
//! Everything here is pure, so every rule about files is tested without a
//! database; the use cases in `bilan-app` add the look-ups and the writes.
//!
//! Whole-file problems are [`ValidationErrors`] whose field is `file` (or the
//! missing field, or `overrides` / `separator`) with one of these codes:
//! `import.empty`, `import.encoding`, `import.binary`, `import.spreadsheet`,
//! `import.no_header`, `import.unreadable`, `import.missing_column`, `import.unknown_column`,
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

mod columns;
mod crm_layouts;
mod decode;
mod export;
pub mod interactions;
pub mod invoices;
mod lines;
mod records;
pub mod stream;
mod values;

pub use columns::*;
pub use decode::*;
pub use export::*;
pub use lines::*;
pub use records::*;
pub use values::*;

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
    /// Invoices, credit notes and payments, from an accounting program's export.
    Invoices,
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
    /// For a duplicate, the earlier line of the file it repeats.
    pub earlier_line: Option<usize>,
}

/// How one column of the file is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedColumn {
    /// The header as written in the file.
    pub header: String,
    /// The field it fills, or `None` when the column is ignored.
    pub field: Option<String>,
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
        assert_eq!((d.encoding, d.text.as_ref()), ("UTF-16LE", text));
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
                Some("revenue"),
                Some("status"),
                Some("owner")
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
                Some("revenue")
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
                Some("headcount"),
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
            (ImportKind::Invoices, invoices::ALIASES),
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
            notice_days: n.notice_days,
            annual_value: n.annual_value,
            tags: n.tags,
            external_ref: n.external_ref,
            website: n.website,
            phone: n.phone,
            revenue: n.revenue,
            headcount: n.headcount,
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

    #[test]
    fn streamed_batches_carry_the_header_first_then_every_line_once() {
        let mut file = String::from("Raison sociale;SIREN\n");
        for i in 0..25 {
            file.push_str(&format!("Société {i};\n"));
        }
        file.push_str("Société 3;\nSociété X;123\n;\n");
        let mut events = Vec::new();
        parse_accounts_in_batches(
            std::io::Cursor::new(file.as_bytes()),
            &ParseOptions::default(),
            10,
            |e| {
                events.push(e);
                true
            },
        )
        .unwrap();
        assert!(matches!(&events[0], Parsed::Head(h) if h.separator == ';'));
        let batches: Vec<&LineBatch<AccountLine>> = events[1..]
            .iter()
            .map(|e| match e {
                Parsed::Lines(b) => b,
                Parsed::Head(_) => panic!("a second header"),
            })
            .collect();
        assert_eq!(
            batches.iter().map(|b| b.total_lines).collect::<Vec<_>>(),
            vec![10, 10, 7]
        );
        let lines: usize = batches.iter().map(|b| b.lines.len()).sum();
        let refused: usize = batches.iter().map(|b| b.rejected.len()).sum();
        assert_eq!(
            (lines, refused),
            (26, 1),
            "the bad SIREN is refused, the blank line skipped"
        );
        // A reader that goes away stops the parse.
        let mut seen = 0;
        parse_accounts_in_batches(
            std::io::Cursor::new(file.as_bytes()),
            &ParseOptions::default(),
            10,
            |_| {
                seen += 1;
                seen < 2
            },
        )
        .unwrap();
        assert_eq!(seen, 2);
    }

    #[test]
    fn a_file_of_several_pieces_reads_as_one() {
        // Over two pieces of 1 MiB, with CRLF line ends, quoted names over two
        // lines and accents, so records, characters and line breaks are cut
        // by piece boundaries somewhere.
        let mut file = String::from("Raison sociale;Ville\r\n");
        let mut expected = Vec::new();
        let mut line = 2;
        let mut i = 0;
        while file.len() < 2 * stream::PIECE_BYTES + 4_096 {
            let name = if i % 7 == 0 {
                format!("Société\r\n{i} « été »")
            } else {
                format!("Éts {i}")
            };
            file.push_str(&format!("\"{name}\";Orléans\r\n"));
            expected.push((line, name.clone()));
            line += 1 + usize::from(i % 7 == 0);
            i += 1;
        }
        let mut got = Vec::new();
        parse_accounts_in_batches(
            std::io::Cursor::new(file.as_bytes()),
            &ParseOptions::default(),
            1_000,
            |e| {
                if let Parsed::Lines(b) = e {
                    assert!(b.rejected.is_empty(), "{:?}", b.rejected.first());
                    got.extend(b.lines.into_iter().map(|l| (l.line, l.new.name)));
                }
                true
            },
        )
        .unwrap();
        assert_eq!(got.len(), expected.len());
        assert_eq!(got, expected);
    }

    #[test]
    fn seen_keys_find_the_first_line_of_a_key_hashed_or_merged() {
        let mut seen = SeenKeys::expecting(200_000);
        for i in 0..150_000usize {
            assert_eq!(seen.first_seen("siren", &format!("k{i}"), i + 2), None);
        }
        // Keys long merged into the sorted array, and recent ones still hashed.
        assert_eq!(seen.first_seen("siren", "k0", 200_000), Some(2));
        assert_eq!(seen.first_seen("siren", "k70000", 200_001), Some(70_002));
        assert_eq!(seen.first_seen("siren", "k149999", 200_002), Some(150_001));
        // Kinds are apart; a repeated line is not recorded again.
        assert_eq!(seen.first_seen("external_ref", "k0", 200_003), None);
        assert_eq!(seen.first_seen("siren", "k0", 200_004), Some(2));
    }
}
