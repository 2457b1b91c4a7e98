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
        err.contains("role: role.invalid") && err.contains("password: password.too_short"),
        "{err}"
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
    let _ = std::fs::remove_dir_all(dir);
}
