//! The `bilan` binary's automation contract.

use std::io::Write;
use std::process::{Command, Stdio};

fn bilan(db: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bilan"))
        .args(args)
        .env("BILAN_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn temp_db() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("bilan-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("b.db").display());
    (dir, url)
}

/// Creates the workspace "Acme" with the admin a@acme.test.
fn add_acme_admin(db: &str) {
    let add = [
        "user",
        "add",
        "--workspace",
        "Acme",
        "--email",
        "a@acme.test",
        "--role",
        "admin",
        "--password-stdin",
    ];
    assert!(bilan(db, &add, Some("a long password\n")).status.success());
}

#[test]
fn users_tokens_and_openapi_from_the_command_line() {
    let (dir, db) = temp_db();
    let out = bilan(
        &db,
        &[
            "user",
            "add",
            "--workspace",
            "Acme",
            "--email",
            "Admin@Acme.test",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a long password\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let weak = bilan(
        &db,
        &[
            "user",
            "add",
            "--workspace",
            "Acme",
            "--email",
            "b@acme.test",
            "--role",
            "wizard",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!weak.status.success());
    let err = String::from_utf8_lossy(&weak.stderr);
    assert!(
        err.contains("role: Unknown role (admin, manager, account_manager")
            && err.contains("password: Too short: at least 10 characters"),
        "errors in words, never raw keys: {err}"
    );
    // `migrate` says what it did: everything on a new database, nothing the second time.
    let (fresh_dir, fresh) = temp_db();
    let first = bilan(&fresh, &["migrate"], None);
    let said = String::from_utf8_lossy(&first.stderr);
    assert!(
        first.status.success() && said.contains("applied") && said.contains("0001 foundation"),
        "{said}"
    );
    let second = bilan(&fresh, &["migrate"], None);
    assert!(String::from_utf8_lossy(&second.stderr).contains("already up to date"));
    drop(std::fs::remove_dir_all(fresh_dir));
    // The help names every command as it is typed, and the demo's own defaults.
    let help = String::from_utf8_lossy(&bilan(&db, &["--help"], None).stdout).into_owned();
    for cmd in [
        "serve", "worker", "demo", "migrate", "user", "token", "timeline", "import", "export", "my-day", "jobs",
    ] {
        assert!(help.contains(&format!("\n  {cmd} ")), "{cmd} missing from: {help}");
    }
    let demo = String::from_utf8_lossy(&bilan(&db, &["demo", "--help"], None).stdout).into_owned();
    assert!(
        demo.contains("for `demo`, sqlite://bilan-demo.db") && demo.contains("for `demo`, file://bilan-demo-mail"),
        "{demo}"
    );
    let token = bilan(&db, &["token", "create", "--email", "admin@acme.test"], None);
    assert!(token.status.success());
    let stdout = String::from_utf8(token.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "only the token on stdout");
    assert!(stdout.starts_with("bilan_") && stdout.trim().len() == 70);
    let list = bilan(&db, &["user", "list"], None);
    assert!(String::from_utf8_lossy(&list.stdout).contains("Acme\tadmin@acme.test\tadmin"));
    let doc = bilan(&db, &["openapi"], None);
    let v: serde_json::Value = serde_json::from_slice(&doc.stdout).unwrap();
    assert!(v["paths"]["/api/v1/accounts"].is_object());
    let disable = bilan(&db, &["user", "disable", "--email", "admin@acme.test"], None);
    assert!(!disable.status.success(), "the last admin cannot be disabled");
    let backup = dir.join("backup.db");
    let out = bilan(&db, &["db", "backup", "--output", backup.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(backup.metadata().unwrap().len() > 0);
    drop(std::fs::remove_dir_all(dir));
}

/// A file of several megabyte-long pieces is read from disk a piece at a time:
/// its encoding is decided on the whole file (the Windows-1252 accents come
/// after the first piece), and lines keep their numbers across pieces.
#[test]
fn a_large_file_is_read_in_pieces_with_its_line_numbers() {
    let (dir, db) = temp_db();
    add_acme_admin(&db);
    let mut bytes = b"Raison sociale;SIREN;Ville\r\n".to_vec();
    bytes.extend_from_slice(b"Danone;552032534;Paris\r\n");
    bytes.extend_from_slice(b"Danone bis;552032534;Paris\r\n");
    let mut line = 4;
    while bytes.len() < 2_500_000 {
        bytes.extend_from_slice(format!("Compte {line};;Lyon\r\n").as_bytes());
        line += 1;
    }
    for _ in 0..3 {
        bytes.extend_from_slice(b"Soci\xe9t\xe9 G\xe9n\xe9rale;;Orl\xe9ans\r\n");
        line += 1;
    }
    bytes.extend_from_slice(b"Typo SA;552032535;Lyon\r\n");
    let file = dir.join("grand.csv");
    std::fs::write(&file, &bytes).unwrap();
    let refused = bilan(
        &db,
        &["import", "accounts", file.to_str().unwrap(), "--workspace", "Acme"],
        None,
    );
    assert!(!refused.status.success());
    let stdout = String::from_utf8_lossy(&refused.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("line 3: SIREN: duplicate of line 2"), "{stdout}");
    assert!(lines[1].starts_with(&format!("line {line}: SIREN: ")), "{stdout}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&format!("{} lines read (windows-1252", line - 1)),
        "{stderr}"
    );
    drop(std::fs::remove_dir_all(dir));
}

#[test]
fn import_reports_refused_lines_and_is_all_or_nothing() {
    let (dir, db) = temp_db();
    add_acme_admin(&db);
    let file = dir.join("comptes.csv");
    // Windows-1252, `;`, decimal commas and day-first dates, as French spreadsheets save them.
    let mut bytes = b"Raison sociale;SIREN;Ville;Montant annuel;Date de renouvellement\r\n".to_vec();
    bytes.extend_from_slice(b"Soci\xe9t\xe9 G\xe9n\xe9rale;552120222;Paris;12 345,67;31/03/2027\r\n");
    bytes.extend_from_slice(b"Typo SA;552032535;Lyon;10;01/01/2027\r\n");
    bytes.extend_from_slice(b"Danone;552032534;Paris;1,5;15/06/2027\r\n");
    std::fs::write(&file, &bytes).unwrap();
    let path = file.to_str().unwrap();
    let refused = bilan(&db, &["import", "accounts", path, "--workspace", "Acme"], None);
    assert!(!refused.status.success());
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("line 3: SIREN: ")), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "one line per refused line: {stdout}");
    let export = bilan(&db, &["export", "accounts", "--workspace", "Acme"], None);
    assert_eq!(
        String::from_utf8_lossy(&export.stdout).lines().count(),
        1,
        "all or nothing: only the header"
    );
    let dry = bilan(
        &db,
        &[
            "import",
            "accounts",
            path,
            "--workspace",
            "Acme",
            "--dry-run",
            "--skip-invalid",
        ],
        None,
    );
    assert!(dry.status.success());
    let export = bilan(&db, &["export", "accounts", "--workspace", "Acme"], None);
    assert_eq!(
        String::from_utf8_lossy(&export.stdout).lines().count(),
        1,
        "a dry run writes nothing"
    );
    let partial = bilan(
        &db,
        &["import", "accounts", path, "--workspace", "Acme", "--skip-invalid"],
        None,
    );
    assert!(partial.status.success(), "{}", String::from_utf8_lossy(&partial.stderr));
    let again = bilan(
        &db,
        &["import", "accounts", path, "--workspace", "Acme", "--skip-invalid"],
        None,
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 created"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let export = bilan(
        &db,
        &["export", "accounts", "--workspace", "Acme", "--separator", ","],
        None,
    );
    let csv = String::from_utf8_lossy(&export.stdout).into_owned();
    assert_eq!(csv.lines().count(), 3, "re-import does not duplicate: {csv}");
    assert!(csv.contains("Société Générale"));
    let missing = bilan(
        &db,
        &["import", "accounts", "/nonexistent.csv", "--workspace", "Acme"],
        None,
    );
    assert!(!missing.status.success());
    let nobody = bilan(&db, &["import", "accounts", path, "--workspace", "Nobody"], None);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no workspace named"));
    drop(std::fs::remove_dir_all(dir));
}

#[test]
fn interactions_import_and_timeline_from_the_command_line() {
    let (dir, db) = temp_db();
    add_acme_admin(&db);
    let accounts = dir.join("comptes.csv");
    std::fs::write(&accounts, "Raison sociale;SIREN\nDanone;552032534\n").unwrap();
    let out = bilan(
        &db,
        &["import", "accounts", accounts.to_str().unwrap(), "--workspace", "Acme"],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = dir.join("echanges.csv");
    std::fs::write(
        &file,
        "Date;Canal;Sens;Compte;Objet\n03/02/2025 09:00;E-mail;entrant;552032534;Retard de livraison\n\
         03/02/2025 10:00;Pigeon;sortant;552032534;x\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let refused = bilan(&db, &["import", "interactions", path, "--workspace", "Acme"], None);
    assert!(!refused.status.success());
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(stdout.starts_with("line 3: Canal: "), "{stdout}");
    let ok = bilan(
        &db,
        &["import", "interactions", path, "--workspace", "Acme", "--skip-invalid"],
        None,
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stderr).contains("1 created"));
    let export = bilan(&db, &["export", "accounts", "--workspace", "Acme"], None);
    let csv = String::from_utf8_lossy(&export.stdout).into_owned();
    let account = csv
        .lines()
        .nth(1)
        .and_then(|l| l.trim_start_matches('\u{feff}').split(';').next())
        .unwrap();
    let log = bilan(
        &db,
        &[
            "timeline",
            "log",
            "--workspace",
            "Acme",
            "--account",
            account,
            "--channel",
            "phone",
            "--at",
            "2025-02-03 11:30",
            "--as",
            "a@acme.test",
            "--subject",
            "Rappel du client",
        ],
        None,
    );
    assert!(log.status.success(), "{}", String::from_utf8_lossy(&log.stderr));
    let list = bilan(
        &db,
        &["timeline", "list", "--workspace", "Acme", "--account", account],
        None,
    );
    let lines: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("2025-02-03 11:30\tphone\toutbound\tRappel du client"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("inbound\tRetard de livraison\tanswered in 9000 s"),
        "{lines:?}"
    );
    let bad = bilan(
        &db,
        &[
            "timeline",
            "log",
            "--workspace",
            "Acme",
            "--account",
            account,
            "--channel",
            "pigeon",
        ],
        None,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("channel: Unknown channel (e-mail, phone"));
    drop(std::fs::remove_dir_all(dir));
}

#[test]
fn surveys_from_the_command_line() {
    let (dir, db) = temp_db();
    add_acme_admin(&db);
    let ws = ["--workspace", "Acme"];
    let bad = bilan(
        &db,
        &[&["surveys", "create", "--name", "X", "--kind", "stars"][..], &ws].concat(),
        None,
    );
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("kind") && err.contains("question_fr"), "{err}");
    let created = bilan(
        &db,
        &[
            &[
                "surveys",
                "create",
                "--name",
                "NPS livraison",
                "--kind",
                "nps",
                "--question-fr",
                "Nous recommanderiez-vous ?",
            ][..],
            &ws,
        ]
        .concat(),
        None,
    );
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let id = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    let rule = bilan(
        &db,
        &[
            &[
                "surveys",
                "rule",
                "--survey",
                &id,
                "--event",
                "delivery",
                "--delay-hours",
                "2",
            ][..],
            &ws,
        ]
        .concat(),
        None,
    );
    assert!(rule.status.success(), "{}", String::from_utf8_lossy(&rule.stderr));
    let off = bilan(
        &db,
        &[&["surveys", "active", "--survey", &id, "false"][..], &ws].concat(),
        None,
    );
    assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
    let list =
        String::from_utf8_lossy(&bilan(&db, &[&["surveys", "list"][..], &ws].concat(), None).stdout).into_owned();
    assert!(list.contains("NPS livraison\tinactive\tdelivery+2h"), "{list}");
    let outbox = bilan(&db, &[&["surveys", "outbox"][..], &ws].concat(), None);
    assert!(outbox.status.success());
    let retry = bilan(
        &db,
        &[
            &["surveys", "retry", "--id", &uuid::Uuid::new_v4().to_string()][..],
            &ws,
        ]
        .concat(),
        None,
    );
    assert!(!retry.status.success(), "an unknown message cannot be sent again");
    let sat = bilan(&db, &[&["satisfaction", "--period", "quarter"][..], &ws].concat(), None);
    assert!(sat.status.success(), "{}", String::from_utf8_lossy(&sat.stderr));
    assert!(String::from_utf8_lossy(&sat.stdout).contains("response rate\t0 of 0"));
    let bad_period = bilan(&db, &[&["satisfaction", "--period", "week"][..], &ws].concat(), None);
    assert!(String::from_utf8_lossy(&bad_period.stderr).contains("period"));
    drop(std::fs::remove_dir_all(dir));
}

#[test]
fn jobs_from_the_command_line() {
    let (dir, db) = temp_db();
    add_acme_admin(&db);
    // `jobs run` enqueues the due slot of every schedule and runs them once: the
    // installation's three and the workspace's complaint deadlines, reminders,
    // nightly health, changed accounts' health and the action-item reminders.
    let run = bilan(&db, &["jobs", "run"], None);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(said.contains("8 done, 0 to retry later, 0 failed"), "{said}");
    let list = bilan(&db, &["jobs", "list", "--status", "done"], None);
    assert!(list.status.success());
    let lines = String::from_utf8_lossy(&list.stdout);
    for kind in [
        "purge_sessions",
        "apply_audit_retention",
        "purge_finished_jobs",
        "complaint_deadlines",
        "invoice_reminders",
        "nightly_health",
        "recompute_changed_health",
        "review_action_reminders",
    ] {
        assert!(lines.contains(kind), "{kind} missing from {lines}");
    }
    let json = bilan(&db, &["jobs", "list", "--workspace", "Acme", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        8,
        "admins see the installation's jobs and their workspace's"
    );
    // A second run in the same slots finds nothing to do: one run per slot.
    let again = bilan(&db, &["jobs", "run"], None);
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 done"));
    // Bad input says what is wrong.
    let bad = bilan(&db, &["jobs", "list", "--status", "lost"], None);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("status"));
    let missing = bilan(&db, &["jobs", "retry", &uuid::Uuid::now_v7().to_string()], None);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("only a failed job can be retried"));
    drop(std::fs::remove_dir_all(dir));
}
