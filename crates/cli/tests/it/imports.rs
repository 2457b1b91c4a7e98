//! CSV import and export of accounts and contacts through the use cases, on
//! SQLite and PostgreSQL: one transaction, no duplicates on re-import, line
//! reports with numbers and columns, round trips and formula injection.

use bilan_app::accounts::{list_accounts, AccountQuery};
use bilan_app::contacts::{list_contacts, ContactQuery};
use bilan_app::exports::{export_accounts, export_contacts};
use bilan_app::imports::{
    import_accounts, import_accounts_with_progress, import_contacts, ImportOptions, ImportReport,
};
use bilan_app::{Actor, App, AppError};
use bilan_domain::accounts::{Account, AccountStatus};
use bilan_domain::contacts::Contact;
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use std::sync::Mutex;

const ACCOUNTS: &str = "Raison sociale;SIREN;Ville;Chiffre d'affaires annuel;Date de renouvellement;Statut;Référence\n\
    Danone;552 032 534;Paris;125 000,50;31/03/2027;client;R-1\n\
    Société Générale;552120222;Paris;12 345,67;;prospect;R-2\n\
    Atelier Dupont;;Lyon;0;;;R-3\n";

fn opts() -> ImportOptions {
    ImportOptions::default()
}

fn skip_invalid() -> ImportOptions {
    ImportOptions {
        skip_invalid: true,
        ..Default::default()
    }
}

fn rejected(r: &ImportReport) -> Vec<(usize, Option<&str>, &str)> {
    r.rejected
        .iter()
        .map(|x| (x.line, x.column.as_deref(), x.code.as_str()))
        .collect()
}

fn counts(r: &ImportReport) -> (usize, usize, usize) {
    (r.created, r.updated, r.unchanged)
}

fn field_errors(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => v.0.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn all_accounts(app: &App, actor: &Actor) -> Vec<Account> {
    let q = AccountQuery {
        limit: Some(200),
        ..Default::default()
    };
    list_accounts(app, actor, &q).await.unwrap().items
}

fn named<'a>(accounts: &'a [Account], name: &str) -> &'a Account {
    accounts
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no account {name}"))
}

async fn contacts_of(app: &App, actor: &Actor, account: &Account) -> Vec<Contact> {
    let q = ContactQuery {
        account: Some(account.id.to_string()),
        include_left: Some("true".into()),
        limit: Some(200),
        ..Default::default()
    };
    list_contacts(app, actor, &q).await.unwrap().items
}

async fn all_contacts(app: &App, actor: &Actor) -> Vec<Contact> {
    let q = ContactQuery {
        include_left: Some("true".into()),
        limit: Some(200),
        ..Default::default()
    };
    list_contacts(app, actor, &q).await.unwrap().items
}

db_test!(clean_import_creates_accounts, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let r = import_accounts(&t.app, &admin, ACCOUNTS.as_bytes(), &opts())
        .await
        .unwrap();
    assert_eq!((r.total_lines, counts(&r), r.committed), (3, (3, 0, 0), true), "{r:?}");
    assert!(r.rejected.is_empty());
    assert_eq!((r.separator, r.encoding.as_str()), (';', "UTF-8"));
    assert_eq!(r.mapping[0].header, "Raison sociale");
    assert_eq!(r.mapping[0].field.as_deref(), Some("name"));
    let all = all_accounts(&t.app, &admin).await;
    assert_eq!(all.len(), 3);
    let danone = named(&all, "Danone");
    assert_eq!(danone.siren.as_deref(), Some("552032534"));
    assert_eq!(danone.annual_value.minor, 12_500_050);
    assert_eq!(danone.status, AccountStatus::Active);
    assert_eq!(danone.renewal_date, chrono::NaiveDate::from_ymd_opt(2027, 3, 31));
    assert_eq!(danone.external_ref.as_deref(), Some("R-1"));
    assert_eq!(danone.version, 1);
});

db_test!(reimport_updates_and_creates_no_duplicate, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    import_accounts(&t.app, &admin, ACCOUNTS.as_bytes(), &opts())
        .await
        .unwrap();
    let before = all_accounts(&t.app, &admin).await;
    let changed = ACCOUNTS.replacen(";Paris;125", ";Lyon;125", 1) + "Nouvelle SAS;;Nice;;;;R-4\n";
    let r = import_accounts(&t.app, &admin, changed.as_bytes(), &opts())
        .await
        .unwrap();
    assert_eq!(counts(&r), (1, 1, 2), "{r:?}");
    let after = all_accounts(&t.app, &admin).await;
    assert_eq!(after.len(), 4);
    let (old, new) = (named(&before, "Danone"), named(&after, "Danone"));
    assert_eq!((new.id, new.version, new.city.as_deref()), (old.id, 2, Some("Lyon")));
    assert_eq!(
        named(&after, "Atelier Dupont").version,
        1,
        "unchanged rows are not rewritten"
    );
    // The same file again changes nothing.
    let r = import_accounts(&t.app, &admin, changed.as_bytes(), &opts())
        .await
        .unwrap();
    assert_eq!(counts(&r), (0, 0, 4));
    // Found by SIREN when the file has no reference; columns it lacks are kept.
    let r = import_accounts(&t.app, &admin, "Nom;SIREN\nDanone SA;552032534\n".as_bytes(), &opts())
        .await
        .unwrap();
    assert_eq!(counts(&r), (0, 1, 0), "{r:?}");
    let after = all_accounts(&t.app, &admin).await;
    assert_eq!(after.len(), 4);
    let d = named(&after, "Danone SA");
    assert_eq!(
        (d.id, d.city.as_deref(), d.external_ref.as_deref()),
        (old.id, Some("Lyon"), Some("R-1"))
    );
});

db_test!(all_or_nothing_writes_nothing_when_a_line_is_bad, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let bad = ACCOUNTS.replace("552120222", "552120223");
    let r = import_accounts(&t.app, &admin, bad.as_bytes(), &opts()).await.unwrap();
    assert!(!r.committed);
    assert_eq!(rejected(&r), vec![(3, Some("SIREN"), "siren.invalid_key")]);
    assert!(all_accounts(&t.app, &admin).await.is_empty());
});

db_test!(skip_invalid_imports_the_rest, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let bad = ACCOUNTS
        .replace("552120222", "552120223")
        .replace("R-3\n", "R-3\nSans ville;;Paris;douze;;;R-5\n");
    let r = import_accounts(&t.app, &admin, bad.as_bytes(), &skip_invalid())
        .await
        .unwrap();
    assert!(r.committed);
    assert_eq!(counts(&r), (2, 0, 0));
    assert_eq!(
        rejected(&r),
        vec![
            (3, Some("SIREN"), "siren.invalid_key"),
            (5, Some("Chiffre d'affaires annuel"), "amount.invalid")
        ]
    );
    assert!(r.rejected[0].message.contains("SIREN"), "{}", r.rejected[0].message);
    assert_eq!(r.rejected_lines(), 2);
    let names: Vec<String> = all_accounts(&t.app, &admin).await.into_iter().map(|a| a.name).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Danone".to_owned()) && names.contains(&"Atelier Dupont".to_owned()));
});

db_test!(dry_run_writes_nothing, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let dry = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    let r = import_accounts(&t.app, &admin, ACCOUNTS.as_bytes(), &dry)
        .await
        .unwrap();
    assert_eq!((counts(&r), r.committed), ((3, 0, 0), false));
    assert!(all_accounts(&t.app, &admin).await.is_empty());
    import_accounts(&t.app, &admin, ACCOUNTS.as_bytes(), &opts())
        .await
        .unwrap();
    let changed = ACCOUNTS.replacen(";Paris;125", ";Lyon;125", 1);
    let r = import_accounts(&t.app, &admin, changed.as_bytes(), &dry).await.unwrap();
    assert_eq!((counts(&r), r.committed), ((0, 1, 2), false));
    let d = named(&all_accounts(&t.app, &admin).await, "Danone").clone();
    assert_eq!((d.city.as_deref(), d.version), (Some("Paris"), 1));
});

db_test!(export_then_reimport_creates_no_duplicate, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let file =
        "Raison sociale;SIREN;Ville;Chiffre d'affaires annuel;Date de renouvellement;Statut;Référence;Étiquettes\n\
        Danone;552 032 534;Paris;125 000,50;31/03/2027;client;R-1;grand compte, agro\n\
        Société Générale;552120222;Paris;12 345,67;;prospect;R-2;\n\
        Atelier Dupont;;Lyon;0;;;R-3;\n\
        Sans Identifiant;;\"Aix-en-Provence\";1,5;;actif;;\n";
    let r = import_accounts(&t.app, &admin, file.as_bytes(), &opts()).await.unwrap();
    assert_eq!(counts(&r), (4, 0, 0), "{r:?}");
    let contacts = "Prénom;Nom;E-mail;Société;Rôle(s);Téléphone\n\
        Marie;Dupont;marie@danone.fr;552032534;Décideur, acheteur;+33 1 23 45 67 89\n\
        Jean;Sans Mail;;Sans Identifiant;;\n";
    let r = import_contacts(&t.app, &admin, contacts.as_bytes(), &opts())
        .await
        .unwrap();
    assert_eq!(counts(&r), (2, 0, 0), "{r:?}");
    for sep in [';', ','] {
        let bytes = export_accounts(&t.app, &admin, None, sep).await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text
            .lines()
            .next()
            .unwrap()
            .starts_with(&format!("\u{feff}id{sep}name{sep}legal_name{sep}siren")));
        let r = import_accounts(&t.app, &admin, &bytes, &opts()).await.unwrap();
        assert_eq!((r.separator, counts(&r)), (sep, (0, 0, 4)), "{r:?}");
        assert!(
            r.mapping.iter().all(|m| m.field.is_some()),
            "every exported column re-imports"
        );
        let bytes = export_contacts(&t.app, &admin, None, sep).await.unwrap();
        let r = import_contacts(&t.app, &admin, &bytes, &opts()).await.unwrap();
        assert_eq!(counts(&r), (0, 0, 2), "{r:?}");
    }
    assert_eq!(all_accounts(&t.app, &admin).await.len(), 4);
    assert_eq!(all_contacts(&t.app, &admin).await.len(), 2);
    // Filtered export: only what the list would show.
    let q = AccountQuery {
        status: Some("active".into()),
        ..Default::default()
    };
    let bytes = export_accounts(&t.app, &admin, Some(&q), ';').await.unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 3, "header + the two active accounts: {text}");
    let danone = named(&all_accounts(&t.app, &admin).await, "Danone").clone();
    let one = String::from_utf8(export_contacts(&t.app, &admin, Some(danone.id), ';').await.unwrap()).unwrap();
    assert_eq!(one.lines().count(), 2);
    assert!(
        one.contains(";R-1;Marie;Dupont;marie@danone.fr;'+33 1 23 45 67 89;"),
        "{one}"
    );
});

db_test!(export_neutralises_formula_injection, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let file = "Nom;Ville;Secteur;Montant annuel;Référence\n\
        \"=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\";+33;@SUM(A1);1234,5;-R1\n";
    let r = import_accounts(&t.app, &admin, file.as_bytes(), &opts()).await.unwrap();
    assert_eq!(counts(&r), (1, 0, 0), "{r:?}");
    let a = all_accounts(&t.app, &admin).await.remove(0);
    assert_eq!(a.name, "=HYPERLINK(\"http://evil.example\";\"x\")", "stored as typed");
    let text = String::from_utf8(export_accounts(&t.app, &admin, None, ';').await.unwrap()).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.contains(";\"'=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\";"),
        "{row}"
    );
    assert!(
        row.contains(";'+33;") && row.contains(";'@SUM(A1);") && row.contains(";'-R1"),
        "{row}"
    );
    assert!(row.contains(";1234,50;"), "plain numbers stay numbers: {row}");
    for cell in row.split(';') {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "unguarded cell {cell:?}"
        );
    }
    // The guard is undone on import: a round trip changes nothing.
    let r = import_accounts(&t.app, &admin, text.as_bytes(), &opts()).await.unwrap();
    assert_eq!(counts(&r), (0, 0, 1), "{r:?}");
});

db_test!(viewer_cannot_import_or_export, |t| async move {
    let viewer = t.with_user(Role::Viewer).await;
    let e = import_accounts(&t.app, &viewer, ACCOUNTS.as_bytes(), &opts())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden), "{e:?}");
    let e = import_contacts(&t.app, &viewer, b"Nom;Compte\nA;B\n", &opts())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden), "{e:?}");
    assert!(matches!(
        export_accounts(&t.app, &viewer, None, ';').await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        export_contacts(&t.app, &viewer, None, ';').await,
        Err(AppError::Forbidden)
    ));
    let finance = t.with_user(Role::Finance).await;
    assert!(
        export_accounts(&t.app, &finance, None, ';').await.is_ok(),
        "finance exports"
    );
    assert!(matches!(
        import_accounts(&t.app, &finance, ACCOUNTS.as_bytes(), &opts()).await,
        Err(AppError::Forbidden)
    ));
});

db_test!(contacts_find_their_account_by_siren_reference_or_name, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    import_accounts(&t.app, &admin, ACCOUNTS.as_bytes(), &opts())
        .await
        .unwrap();
    let file = "Prénom;Nom;E-mail;Société;Rôle(s)\n\
        Marie;Dupont;marie@danone.fr;552 032 534;Décideur\n\
        Jean;Martin;jean@sg.fr;societe generale;acheteur\n\
        Paul;Durand;paul@x.fr;Inconnue SA;\n\
        Luc;Petit;luc@dupont.fr;R-3;\n\
        Marie;Dupont bis;MARIE@danone.fr;Danone;\n";
    let r = import_contacts(&t.app, &admin, file.as_bytes(), &skip_invalid())
        .await
        .unwrap();
    assert_eq!(counts(&r), (3, 0, 0), "{r:?}");
    assert_eq!(
        rejected(&r),
        vec![
            (4, Some("Société"), "account.unknown"),
            (6, Some("E-mail"), "line.duplicate")
        ]
    );
    assert!(r.rejected[0].message.contains("Inconnue SA"));
    let all = all_accounts(&t.app, &admin).await;
    let of = |name: &str| named(&all, name).clone();
    let danone = contacts_of(&t.app, &admin, &of("Danone")).await;
    assert_eq!(danone.len(), 1);
    assert_eq!(
        (danone[0].last_name.as_str(), danone[0].email.as_deref()),
        ("Dupont", Some("marie@danone.fr"))
    );
    assert_eq!(
        contacts_of(&t.app, &admin, &of("Société Générale")).await[0].last_name,
        "Martin"
    );
    assert_eq!(
        contacts_of(&t.app, &admin, &of("Atelier Dupont")).await[0].last_name,
        "Petit"
    );
    // Re-import: found by e-mail within their account, nothing duplicated.
    let r = import_contacts(&t.app, &admin, file.as_bytes(), &skip_invalid())
        .await
        .unwrap();
    assert_eq!(counts(&r), (0, 0, 3), "{r:?}");
    assert_eq!(all_contacts(&t.app, &admin).await.len(), 3);
    // Into one chosen account, without any account column.
    let sg = of("Société Générale");
    let into = ImportOptions {
        account_id: Some(sg.id),
        ..Default::default()
    };
    let r = import_contacts(&t.app, &admin, "Nom;Email\nBernard;b@sg.fr\n".as_bytes(), &into)
        .await
        .unwrap();
    assert_eq!(counts(&r), (1, 0, 0), "{r:?}");
    assert_eq!(contacts_of(&t.app, &admin, &sg).await.len(), 2);
    let nowhere = ImportOptions {
        account_id: Some(uuid::Uuid::now_v7()),
        ..Default::default()
    };
    let e = import_contacts(&t.app, &admin, "Nom\nX\n".as_bytes(), &nowhere)
        .await
        .unwrap_err();
    assert_eq!(
        field_errors(e),
        vec![("account_id".to_owned(), "account.unknown".to_owned())]
    );
});

db_test!(file_level_problems_are_validation_errors, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let err = |code: &str, field: &str| vec![(field.to_owned(), code.to_owned())];
    let e = import_accounts(&t.app, &admin, b"", &opts()).await.unwrap_err();
    assert_eq!(field_errors(e), err("import.empty", "file"));
    let e = import_accounts(&t.app, &admin, b"PK\x03\x04rest-of-a-workbook", &opts())
        .await
        .unwrap_err();
    assert_eq!(field_errors(e), err("import.spreadsheet", "file"));
    let e = import_accounts(&t.app, &admin, b"Ville;SIREN\nParis;552032534\n", &opts())
        .await
        .unwrap_err();
    assert_eq!(field_errors(e), err("import.missing_column", "name"));
    let e = import_contacts(&t.app, &admin, b"Nom;E-mail\nDupont;d@x.fr\n", &opts())
        .await
        .unwrap_err();
    assert_eq!(field_errors(e), err("import.missing_column", "account_ref"));
    // A header alone is a clear, empty report.
    let r = import_accounts(&t.app, &admin, b"Nom;SIREN\n", &opts()).await.unwrap();
    assert_eq!((r.total_lines, counts(&r)), (0, (0, 0, 0)));
});

db_test!(overrides_windows_1252_and_progress, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let bytes = b"Soci\xE9t\xE9;Code;Note\r\nSoci\xE9t\xE9 G\xE9n\xE9rale;552120222;\x80 VIP\r\n";
    let calls = Mutex::new(Vec::new());
    let progress = |done: usize, total: usize| calls.lock().unwrap().push((done, total));
    let overrides = ImportOptions {
        overrides: vec![("Code".into(), "siren".into()), ("Note".into(), String::new())],
        ..Default::default()
    };
    let r = import_accounts_with_progress(&t.app, &admin, bytes, &overrides, Some(&progress))
        .await
        .unwrap();
    assert_eq!((r.encoding.as_str(), counts(&r)), ("windows-1252", (1, 0, 0)), "{r:?}");
    assert_eq!(r.mapping[1].field.as_deref(), Some("siren"));
    assert_eq!(r.mapping[2].field, None);
    assert_eq!(calls.lock().unwrap().last(), Some(&(1, 1)));
    let a = all_accounts(&t.app, &admin).await.remove(0);
    assert_eq!(
        (a.name.as_str(), a.siren.as_deref()),
        ("Société Générale", Some("552120222"))
    );
});

/// A file of `n` accounts with valid SIRENs, one per line.
fn many_accounts(n: usize) -> String {
    let mut out = String::from("Raison sociale;SIREN;Ville;Référence\n");
    for i in 0..n {
        let body = format!("{:08}", 30_000_000 + i);
        let key = (0..10)
            .find(|k| bilan_domain::identifiers::luhn_valid(&format!("{body}{k}")))
            .unwrap();
        out.push_str(&format!("Société {i};{body}{key};Lyon;BIG-{i}\n"));
    }
    out
}

db_test!(large_files_stream_in_batches_all_or_nothing, |t| async move {
    // More lines than one streamed batch: a duplicate far after the first batch
    // was written is still found, and nothing of the file stays.
    let admin = t.with_user(Role::Admin).await;
    let audit_rows = || async {
        let mut pc = t.app.db.acquire().await.unwrap();
        bilan_db::tables::count_rows(&mut pc.conn(), "audit_log", admin.workspace_id)
            .await
            .unwrap()
    };
    let audit_before = audit_rows().await;
    let mut file = many_accounts(12_000);
    let second_siren = file.lines().nth(2).unwrap().split(';').nth(1).unwrap().to_owned();
    file.push_str(&format!("Doublon;{second_siren};Nice;BIG-X\n"));
    let r = import_accounts(&t.app, &admin, file.as_bytes(), &opts()).await.unwrap();
    assert!(!r.committed);
    assert_eq!(r.total_lines, 12_001);
    assert_eq!(rejected(&r), vec![(12_002, Some("SIREN"), "line.duplicate")]);
    assert!(r.rejected[0].message.contains("line 3"), "{}", r.rejected[0].message);
    let q = AccountQuery {
        limit: Some(1),
        ..Default::default()
    };
    assert!(
        list_accounts(&t.app, &admin, &q).await.unwrap().items.is_empty(),
        "rolled back"
    );
    assert_eq!(
        audit_rows().await,
        audit_before,
        "the audit entries written batch by batch went with it"
    );

    // Without the duplicate, every line lands, searchable, each audited.
    let file = many_accounts(12_000);
    let r = import_accounts(&t.app, &admin, file.as_bytes(), &opts()).await.unwrap();
    assert!(r.committed);
    assert_eq!(counts(&r), (12_000, 0, 0));
    let q = AccountQuery {
        q: Some("Société 11999".into()),
        ..Default::default()
    };
    let found = list_accounts(&t.app, &admin, &q).await.unwrap().items;
    assert_eq!(found.len(), 1, "the last batch is searchable");
    let history = bilan_app::audit::history(
        &t.app,
        &admin,
        bilan_app::audit::AuditScope::Record(found[0].id),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(history.items.len(), 1, "its creation is in the audit trail");
});

db_test!(
    text_with_backslashes_tabs_and_line_breaks_is_stored_as_typed,
    |t| async move {
        // PostgreSQL receives bulk rows through COPY, whose text format gives a
        // meaning to backslashes, tabs and line breaks: they must come back as typed.
        let admin = t.with_user(Role::Admin).await;
        let file = "Raison sociale;Ville;Adresse;Référence\n\
        \"Dupont \\N & Fils\";Lyon;\"12 rue des Lilas\r\nBâtiment B\";R-10\n\
        Atelier\tTabulé;Nîmes;C:\\dossiers\\client;R-11\n\
        Îlot d'Œuvre;Saint-Étienne;;\\N\n";
        let r = import_accounts(&t.app, &admin, file.as_bytes(), &opts()).await.unwrap();
        assert!(r.committed, "{:?}", r.rejected);
        assert_eq!(counts(&r), (3, 0, 0));
        let all = all_accounts(&t.app, &admin).await;
        let dupont = named(&all, "Dupont \\N & Fils");
        assert_eq!(dupont.address.as_deref(), Some("12 rue des Lilas\r\nBâtiment B"));
        let atelier = named(&all, "Atelier\tTabulé");
        assert_eq!(atelier.address.as_deref(), Some("C:\\dossiers\\client"));
        assert_eq!(atelier.city.as_deref(), Some("Nîmes"));
        let ilot = named(&all, "Îlot d'Œuvre");
        assert_eq!(ilot.address, None, "an empty cell is no address");
        assert_eq!(
            ilot.external_ref.as_deref(),
            Some("\\N"),
            "a reference spelled \\N is not NULL"
        );
        let q = AccountQuery {
            q: Some("tabule".into()),
            ..Default::default()
        };
        let found = list_accounts(&t.app, &admin, &q).await.unwrap().items;
        assert_eq!(found.len(), 1, "searchable without its accent");
        assert_eq!(found[0].id, atelier.id);
    }
);

db_test!(large_contact_files_refuse_duplicates_across_batches, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    import_accounts(&t.app, &admin, ACCOUNTS.as_bytes(), &opts())
        .await
        .unwrap();
    let mut file = String::from("Prénom;Nom;E-mail;Société\n");
    for i in 0..6_000 {
        file.push_str(&format!("Marie;Dupont {i};marie.{i}@danone.fr;552 032 534\n"));
    }
    // The same person again, after the first batch was written.
    file.push_str("Marie;Dupont encore;MARIE.1@danone.fr;Danone\n");
    let r = import_contacts(&t.app, &admin, file.as_bytes(), &skip_invalid())
        .await
        .unwrap();
    assert!(r.committed);
    assert_eq!(counts(&r), (6_000, 0, 0));
    assert_eq!(rejected(&r), vec![(6_002, Some("E-mail"), "line.duplicate")]);
    assert!(r.rejected[0].message.contains("line 3"), "{}", r.rejected[0].message);
});

db_test!(
    a_hubspot_companies_export_keeps_every_column_with_a_home,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let kam = t.with_user(Role::AccountManager).await;
        // HubSpot's companies export, its columns as HubSpot writes them.
        let csv = format!(
        "Record ID,Company name,Company Domain Name,Phone Number,Industry,Number of Employees,Annual Revenue,\
         Street Address,City,Postal Code,Country/Region,Company owner,Lifecycle Stage,Create Date\n\
         9001,Danone,danone.com,+33 1 44 35 20 20,Food,96000,27600000000,17 bd Haussmann,Paris,75009,France,{},customer,2024-01-01\n\
         9002,Lactalis,lactalis.fr,,Food,,,,Laval,53000,France,Nobody Known,lead,2024-02-01\n",
        kam.email
    );
        let r = import_accounts(&t.app, &admin, csv.as_bytes(), &skip_invalid())
            .await
            .unwrap();
        assert_eq!(rejected(&r), vec![(3, Some("Company owner"), "owner.unknown")]);
        assert_eq!(r.created, 1);
        let ignored: Vec<&str> = r
            .mapping
            .iter()
            .filter(|m| m.field.is_none())
            .map(|m| m.header.as_str())
            .collect();
        assert_eq!(ignored, ["Create Date"], "only the creation date has no home in Bilan");
        let page = list_accounts(
            &t.app,
            &admin,
            &AccountQuery {
                q: Some("danone".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let a = &page.items[0];
        assert_eq!(a.website.as_deref(), Some("danone.com"));
        assert_eq!(a.phone.as_deref(), Some("+33 1 44 35 20 20"));
        assert_eq!(a.headcount, Some(96_000));
        assert_eq!(a.revenue.map(|m| m.minor), Some(2_760_000_000_000));
        assert_eq!(
            a.annual_value.minor, 0,
            "the client's revenue is not the contract value"
        );
        assert_eq!(a.owner_id, Some(kam.user_id), "the owner found by e-mail");
        assert_eq!(
            (a.address.as_deref(), a.postal_code.as_deref()),
            (Some("17 bd Haussmann"), Some("75009"))
        );
        // The export carries the new columns and re-imports unchanged.
        let csv = String::from_utf8(export_accounts(&t.app, &admin, None, ';').await.unwrap()).unwrap();
        assert!(csv.contains("website;phone;revenue;headcount"), "{csv}");
        let again = import_accounts(&t.app, &admin, csv.as_bytes(), &opts()).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1), "{again:?}");
    }
);
