//! Scale-out proven, not claimed: two `bilan serve` and two `bilan worker` processes
//! on one PostgreSQL database, as behind a proxy.

use bilan_domain::roles::Role;
use bilan_testkit::smtp::SmtpServer;
use bilan_testkit::TestApp;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `bilan` process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        drop(self.0.kill());
        drop(self.0.wait());
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

fn start(db: &str, args: &[&str]) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_bilan"))
        .args(args)
        .env("BILAN_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Process(child)
}

fn serve(db: &str) -> (Process, String) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let p = start(db, &["serve", "--addr", &addr, "--no-mail-worker"]);
    let base = format!("http://{addr}");
    let until = Instant::now() + Duration::from_secs(30);
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(Instant::now() < until, "server {base} did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (p, base)
}

/// The cookies a response sets, as `name=value` pairs.
fn cookies(res: &ureq::Response) -> Vec<String> {
    res.all("set-cookie")
        .iter()
        .filter_map(|c| c.split(';').next().map(str::to_owned))
        .collect()
}

/// Signs in through the login form of `base`; returns the session cookie.
fn sign_in(base: &str, email: &str, password: &str) -> Result<String, u16> {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let page = agent.get(&format!("{base}/login")).call().map_err(|_| 0_u16)?;
    let jar = cookies(&page).join("; ");
    let body = page.into_string().unwrap_or_default();
    let marker = "name=\"_csrf\" value=\"";
    let start = body.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    let csrf = &body[start..start + body[start..].find('"').unwrap_or(0)];
    let res = agent.post(&format!("{base}/login")).set("Cookie", &jar).send_form(&[
        ("email", email),
        ("password", password),
        ("_csrf", csrf),
    ]);
    match res {
        Ok(r) if r.status() == 303 => cookies(&r)
            .into_iter()
            .find(|c| c.starts_with("bilan_session="))
            .ok_or(0),
        Ok(r) => Err(r.status()),
        Err(ureq::Error::Status(code, _)) => Err(code),
        Err(_) => Err(0),
    }
}

fn api(method: &str, url: &str, token: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
    let req = ureq::request(method, url).set("Authorization", &format!("Bearer {token}"));
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let res = match res {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = res.status();
    (status, res.into_json().unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_and_two_workers_on_one_postgresql() {
    let Some(t) = TestApp::postgres().await else { return };
    let db = t.database_url().to_owned();
    let smtp = SmtpServer::start().await.unwrap();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let account = bilan_app::accounts::create_account(&t.app, &admin, &crate::danone())
        .await
        .unwrap();
    let survey = crate::surveys::survey(&t, &admin, "Après livraison", "nps").await;
    let mut people = Vec::new();
    for i in 0..12 {
        let name = format!("Client{i}");
        people.push(crate::surveys::person(&t, &admin, account.id, &name, true, false, "buyer", None).await);
    }

    let (_a, a) = serve(&db);
    let (_b, b) = serve(&db);
    let mail = format!("smtp://127.0.0.1:{}", smtp.port());
    let public = format!("--public-url={a}");
    let _w1 = start(&db, &["worker", "--mail", &mail, &public]);
    let _w2 = start(&db, &["worker", "--mail", &mail, &public]);

    // A session opened on one server works on the other.
    let session = sign_in(&a, &admin.email, bilan_testkit::PASSWORD).unwrap();
    let res = ureq::get(&format!("{b}/accounts"))
        .set("Cookie", &session)
        .call()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.into_string().unwrap().contains("Danone"),
        "server B knows server A's session"
    );

    // A write through one is read through the other.
    let (status, created) = api(
        "POST",
        &format!("{a}/api/v1/accounts"),
        &token,
        Some(serde_json::json!({"name": "Écrit par A"})),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let (status, read) = api("GET", &format!("{b}/api/v1/accounts/{id}"), &token, None);
    assert_eq!((status, read["name"].as_str()), (200, Some("Écrit par A")));

    // Server B computes (and caches) the satisfaction dashboard.
    let dashboard = |base: &str| {
        let (status, d) = api("GET", &format!("{base}/api/v1/satisfaction"), &token, None);
        assert_eq!(status, 200, "{d}");
        d["overall"]["nps_answers"].as_u64().unwrap_or(0)
    };
    assert_eq!(dashboard(&b), 0);

    // Twelve invitations sent through A: both workers take e-mails from the one
    // outbox, and each e-mail leaves exactly once.
    let ids: Vec<String> = people.iter().map(ToString::to_string).collect();
    let (status, sent) = api(
        "POST",
        &format!("{a}/api/v1/surveys/{survey}/send"),
        &token,
        Some(serde_json::json!({"account_id": account.id.to_string(), "contact_ids": ids})),
    );
    assert_eq!((status, sent["scheduled"].as_u64()), (200, Some(12)), "{sent}");
    let mails = smtp.wait_for(12, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = if smtp.messages().len() > mails.len() {
        smtp.messages()
    } else {
        mails
    };
    let mut to: Vec<String> = mails.iter().filter_map(|m| m.header("To")).collect();
    to.sort();
    to.dedup();
    assert_eq!(
        (mails.len(), to.len()),
        (12, 12),
        "each e-mail once, to each person once"
    );

    // An answer given through A is on B's dashboard at once, cache or not.
    let body = mails[0].text_body().unwrap_or_default();
    let start = body.find("/s/").unwrap() + 3;
    let secret = &body[start..start + 64];
    let res = ureq::post(&format!("{a}/s/{secret}"))
        .send_form(&[("score", "9")])
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(dashboard(&b), 1, "server B's cached dashboard saw server A's answer");

    // Every job ran once, by one worker or the other, and none failed.
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, jobs) = api("GET", &format!("{b}/api/v1/jobs?status=failed"), &token, None);
        assert_eq!(jobs["items"].as_array().map(Vec::len), Some(0), "{jobs}");
        let mut pc = t.app.db.acquire().await.unwrap();
        let rows = bilan_db::jobs::list(&mut pc.conn(), None, None, 1000).await.unwrap();
        let now = chrono::Utc::now();
        let pending = rows
            .iter()
            .filter(|j| j.status == "running" || (j.status == "pending" && j.run_at <= now))
            .count();
        if pending == 0 {
            break;
        }
        assert!(Instant::now() < until, "{pending} jobs left unprocessed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Login throttling is counted in the database: failures through A slow the
    // same address down on B too.
    for _ in 0..3 {
        assert_eq!(sign_in(&a, &admin.email, "wrong password!"), Err(401));
    }
    assert_eq!(sign_in(&b, &admin.email, bilan_testkit::PASSWORD), Err(429));
}
