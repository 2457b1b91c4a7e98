//! Journeys in a real headless Chromium against a served Bilan.

use bilan_domain::roles::Role;
use bilan_testkit::browser::Browser;
use bilan_testkit::{db_test, TestApp};
use std::time::Duration;

/// Serves the test app on a free local port; returns its base URL.
pub(crate) async fn serve(t: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = t.router();
    tokio::spawn(async move {
        drop(
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await,
        );
    });
    format!("http://{addr}")
}

fn journey(base: &str, email: &str, password: &str) -> Result<(), String> {
    let b = Browser::start()?;
    let wait = Duration::from_secs(10);
    b.goto(&format!("{base}/accounts"))?;
    b.wait_for_url("/login", wait)?;
    b.find("#email")?.send_keys(email)?;
    b.find("#password")?.send_keys(password)?;
    b.find("button[type=submit].primary")?.click()?;
    b.wait_for_url("/accounts", wait)?;
    // Create an account, with a typo in the SIREN first: the error shows at the field.
    b.find("#new-account")?.click()?;
    b.find("#f-name")?.send_keys("Boulangeries Émile Durand")?;
    b.find("#f-siren")?.send_keys("552032535")?;
    b.find("#f-city")?.send_keys("Lyon")?;
    b.find("#save-account")?.click()?;
    b.wait_for_text("#e-siren", "SIREN", wait)?;
    let siren = b.find("#f-siren")?;
    siren.clear()?;
    siren.send_keys("552032534")?;
    b.find("#save-account")?.click()?;
    b.wait_for_text("#account-name", "Boulangeries Émile Durand", wait)?;
    // Find it by search, typed without accents, from the header search box.
    b.goto(&format!("{base}/accounts"))?;
    let search = b.find("#global-search")?;
    search.send_keys("emile durand")?;
    search.send_keys(bilan_testkit::browser::KEY_ENTER)?;
    b.wait_for_text("#search-accounts", "Boulangeries Émile Durand", wait)?;
    b.find("#search-accounts li a")?.click()?;
    b.wait_for_text("#account-siren", "552032534", wait)?;
    // Edit it and see the change.
    b.find("#edit-account")?.click()?;
    let name = b.find("#f-name")?;
    name.clear()?;
    name.send_keys("Boulangeries Durand & Fils")?;
    b.find("#save-account")?.click()?;
    b.wait_for_text("#account-name", "Boulangeries Durand & Fils", wait)?;
    b.wait_for_text(".notice", "", wait)?;
    // The filter form narrows the list without a reload (htmx).
    b.goto(&format!("{base}/accounts"))?;
    b.find("#q")?.send_keys("fils")?;
    b.wait_for_text("#accounts-rows", "Boulangeries Durand & Fils", wait)?;
    Ok(())
}

db_test!(journey_login_create_search_edit, |t| async move {
    if !Browser::available() {
        eprintln!(
            "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
        );
        assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
        return;
    }
    let admin = t.with_user(Role::Admin).await;
    let base = serve(&t).await;
    let email = admin.email.clone();
    let result = tokio::task::spawn_blocking(move || journey(&base, &email, bilan_testkit::PASSWORD))
        .await
        .unwrap();
    result.unwrap();
    let page = bilan_app::accounts::list_accounts(
        &t.app,
        &admin,
        &bilan_app::accounts::AccountQuery {
            q: Some("durand".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].name, "Boulangeries Durand & Fils");
    assert_eq!(page.items[0].version, 2);
});

fn timeline_journey(base: &str, email: &str, password: &str, account: &str) -> Result<(), String> {
    let b = Browser::start()?;
    let wait = Duration::from_secs(10);
    b.goto(&format!("{base}/login"))?;
    b.find("#email")?.send_keys(email)?;
    b.find("#password")?.send_keys(password)?;
    b.find("button[type=submit].primary")?.click()?;
    b.wait_for_text("#home-title", "", wait)?;
    // Log a call from the account page: it appears at the top without a reload.
    b.goto(&format!("{base}/accounts/{account}"))?;
    // The contact picker finds one contact among many by a name typed without accents.
    b.find("#log-contact-search")?.send_keys("verite")?;
    b.wait_for_text("#log-contact-picker", "Vérité", wait)?;
    b.find("#log-contact-picker input[type=checkbox]")?.click()?;
    b.find("#log-subject")?
        .send_keys("Appel : retard de livraison à Lyon")?;
    b.find("#log-summary")?
        .send_keys("Colis reçu abîmé, et retard de livraison sur la commande de novembre.")?;
    b.find("#log-submit")?.click()?;
    b.wait_for_text("#timeline-items li:first-child", "retard de livraison", wait)?;
    if !b.find("#log-subject")?.value()?.is_empty() {
        return Err("the quick-log form was not reset after logging".into());
    }
    // Search the timeline for a word typed without its accent.
    b.find("#tl-q")?.send_keys("zebre")?;
    b.wait_for_text("#timeline-empty", "", wait)?;
    let q = b.find("#tl-q")?;
    q.clear()?;
    q.send_keys("abime recu")?;
    b.wait_for_text("#timeline-items", "Appel : retard de livraison à Lyon", wait)?;
    // Who changed what: the account's history after an edit.
    b.goto(&format!("{base}/accounts/{account}/edit"))?;
    let city = b.find("#f-city")?;
    city.clear()?;
    city.send_keys("Villeurbanne")?;
    b.find("#save-account")?.click()?;
    b.wait_for_text("#account-name", "", wait)?;
    b.find("#account-history")?.click()?;
    b.wait_for_text("#history", "Villeurbanne", wait)?;
    b.wait_for_text("#history", "Lyon", wait)?;
    Ok(())
}

db_test!(journey_log_a_call_search_it_and_read_the_history, |t| async move {
    if !Browser::available() {
        eprintln!(
            "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
        );
        assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
        return;
    }
    let admin = t.with_user(Role::Admin).await;
    let mut input = crate::danone();
    input.city = Some("Lyon".into());
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &input)
        .await
        .unwrap();
    let mut zoe = None;
    for (i, last) in (0..30)
        .map(|i| format!("Martin{i:02}"))
        .chain(["Vérité".to_owned()])
        .enumerate()
    {
        let c = bilan_domain::contacts::ContactInput {
            account_id: Some(acc.id.to_string()),
            first_name: Some(if i == 30 { "Zoé".into() } else { "Jean".into() }),
            last_name: Some(last),
            ..Default::default()
        };
        zoe = Some(
            bilan_app::contacts::create_contact(&t.app, &admin, &c)
                .await
                .unwrap()
                .id,
        );
    }
    let base = serve(&t).await;
    let email = admin.email.clone();
    let account = acc.id.to_string();
    let result =
        tokio::task::spawn_blocking(move || timeline_journey(&base, &email, bilan_testkit::PASSWORD, &account))
            .await
            .unwrap();
    result.unwrap();
    let page = bilan_app::timeline::timeline(&t.app, &admin, acc.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].user_id, admin.user_id);
    assert_eq!(
        page.items[0].contact_ids,
        vec![zoe.unwrap()],
        "the contact picked is on the call"
    );
});

/// A test SMTP server and the worker loop sending the outbox to it, as a served
/// Bilan would, with links to `base`.
struct MailWorker {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl MailWorker {
    async fn start(t: &TestApp, base: &str) -> (std::sync::Arc<bilan_testkit::smtp::SmtpServer>, MailWorker) {
        let smtp = std::sync::Arc::new(bilan_testkit::smtp::SmtpServer::start().await.unwrap());
        let mailer = bilan_app::outbox::Mailer::from_url(
            &format!("smtp://127.0.0.1:{}", smtp.port()),
            "Acme <no-reply@acme.test>",
            base,
        )
        .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(bilan_app::jobs::run_worker(
            t.app.clone(),
            Some(mailer),
            "journey".into(),
            Duration::from_millis(200),
            async move {
                let _ = stopped.await;
            },
        ));
        (smtp, MailWorker { stop, task })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        drop(self.task.await);
    }
}

/// Polls the test SMTP server from a blocking thread.
fn wait_for_mail(smtp: &bilan_testkit::smtp::SmtpServer, timeout: Duration) -> Result<String, String> {
    let start = std::time::Instant::now();
    while start.elapsed() < timeout {
        if let Some(m) = smtp.messages().first() {
            return m.text_body().ok_or_else(|| "a mail without a text part".to_owned());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("no survey e-mail reached the SMTP server".into())
}

fn survey_journey(
    base: &str,
    email: &str,
    password: &str,
    account: &str,
    smtp: &bilan_testkit::smtp::SmtpServer,
) -> Result<(), String> {
    let b = Browser::start()?;
    let wait = Duration::from_secs(10);
    b.goto(&format!("{base}/login"))?;
    b.find("#email")?.send_keys(email)?;
    b.find("#password")?.send_keys(password)?;
    b.find("button[type=submit].primary")?.click()?;
    b.wait_for_text("#home-title", "", wait)?;
    b.goto(&format!("{base}/satisfaction"))?;
    b.wait_for_text("#nps-value", "—", wait)?;
    // A delivery logged on the account's timeline…
    b.goto(&format!("{base}/accounts/{account}"))?;
    b.find("#log-contact-picker input[type=checkbox]")?.click()?;
    b.find("#log-subject")?.send_keys("Livraison de la commande 42")?;
    b.find("#log-tags")?.send_keys("livraison")?;
    b.find("#log-submit")?.click()?;
    b.wait_for_text("#timeline-items li:first-child", "Livraison de la commande 42", wait)?;
    // …sends the contact a survey e-mail with a personal link.
    let body = wait_for_mail(smtp, Duration::from_secs(15))?;
    let start = body.find(base).ok_or_else(|| format!("no link to {base} in: {body}"))?;
    let link: String = body[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    // The contact answers 3/10 with a comment, without logging in (French: their language).
    b.set_window_size(390, 844)?;
    b.goto(&link)?;
    b.wait_for_text("legend", "Recommanderiez-vous", wait)?;
    // On a phone the eleven answers sit on one line, and the page fits the screen.
    let tops = b.execute(
        "return Array.from(document.querySelectorAll('.scale-option')).map(e => Math.round(e.getBoundingClientRect().top));",
        &[],
    )?;
    let tops: Vec<i64> = tops
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
        .unwrap_or_default();
    if tops.len() != 11 || tops.iter().any(|t| *t != tops[0]) {
        return Err(format!("the 0–10 scale wraps on a phone: {tops:?}"));
    }
    let (content, window) = b.page_width()?;
    if content > window {
        return Err(format!("the answer page is {content} px wide on a {window} px phone"));
    }
    b.find("label.scale-option:nth-child(4)")?.click()?;
    b.find("#comment")?.send_keys("Livraison en retard, palette abîmée.")?;
    b.find("#survey-answer button[type=submit]")?.click()?;
    b.wait_for_text("#public-title", "Merci", wait)?;
    // The link no longer works.
    b.goto(&link)?;
    b.wait_for_text("#public-title", "Déjà répondu", wait)?;
    // The account owner has a follow-up, and the NPS moved.
    b.goto(&format!("{base}/follow-ups"))?;
    b.wait_for_text("#follow-ups-prospect", "NPS 3/10", wait)?;
    b.goto(&format!("{base}/satisfaction"))?;
    b.wait_for_text("#nps-value", "\u{2212}100.0", wait)?;
    b.wait_for_text("#verbatims", "palette abîmée", wait)?;
    b.goto(&format!("{base}/accounts/{account}"))?;
    b.wait_for_text("#timeline-items li:first-child", "NPS 3/10", wait)?;
    // The account's satisfaction card arrives after the page (htmx).
    b.wait_for_text("#account-nps", "\u{2212}100.0", wait)?;
    Ok(())
}

db_test!(
    journey_a_delivery_sends_a_survey_answered_through_its_link,
    |t| async move {
        if !Browser::available() {
            eprintln!(
                "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
            );
            assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
            return;
        }
        let admin = t.with_user(Role::Admin).await;
        let mut input = crate::danone();
        input.owner_id = Some(admin.user_id.to_string());
        let acc = bilan_app::accounts::create_account(&t.app, &admin, &input)
            .await
            .unwrap();
        let contact = bilan_domain::contacts::ContactInput {
            account_id: Some(acc.id.to_string()),
            first_name: Some("Claire".into()),
            last_name: Some("Durand".into()),
            email: Some("claire.durand@danone.test".into()),
            survey_consent: Some("true".into()),
            language: Some("fr".into()),
            ..Default::default()
        };
        bilan_app::contacts::create_contact(&t.app, &admin, &contact)
            .await
            .unwrap();
        let survey = bilan_app::surveys::create_survey(
            &t.app,
            &admin,
            &bilan_domain::surveys::SurveyInput {
                name: Some("NPS livraison".into()),
                kind: Some("nps".into()),
                question_fr: Some("Recommanderiez-vous nos livraisons ?".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        bilan_app::surveys::add_rule(
            &t.app,
            &admin,
            &bilan_domain::surveys::RuleInput {
                survey_id: Some(survey.id.to_string()),
                event_kind: Some("delivery".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let base = serve(&t).await;
        let (smtp, worker) = MailWorker::start(&t, &base).await;
        let email = admin.email.clone();
        let account = acc.id.to_string();
        let smtp2 = std::sync::Arc::clone(&smtp);
        let result = tokio::task::spawn_blocking(move || {
            survey_journey(&base, &email, bilan_testkit::PASSWORD, &account, &smtp2)
        })
        .await
        .unwrap();
        worker.stop().await;
        result.unwrap();
        assert_eq!(smtp.messages().len(), 1, "one delivery, one e-mail");
    }
);

/// Polls the test SMTP server until `n` messages arrived; returns their subjects.
fn wait_for_mails(smtp: &bilan_testkit::smtp::SmtpServer, n: usize, timeout: Duration) -> Result<Vec<String>, String> {
    let start = std::time::Instant::now();
    loop {
        let subjects: Vec<String> = smtp.messages().iter().filter_map(|m| m.subject()).collect();
        if subjects.len() >= n {
            return Ok(subjects);
        }
        if start.elapsed() > timeout {
            return Err(format!(
                "{} e-mails reached the SMTP server, not {n}: {subjects:?}",
                subjects.len()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn complaint_journey(
    base: &str,
    email: &str,
    account: &str,
    exchange: &str,
    smtp: &bilan_testkit::smtp::SmtpServer,
) -> Result<(), String> {
    let b = Browser::start()?;
    let wait = Duration::from_secs(10);
    b.goto(&format!("{base}/login"))?;
    b.find("#email")?.send_keys(email)?;
    b.find("#password")?.send_keys(bilan_testkit::PASSWORD)?;
    b.find("button[type=submit].primary")?.click()?;
    b.wait_for_text("#home-title", "", wait)?;
    // From the exchange on the account's timeline.
    b.goto(&format!("{base}/accounts/{account}"))?;
    b.find(&format!("#open-complaint-{exchange}"))?.click()?;
    b.wait_for_url("/complaints/new", wait)?;
    let words = b.find("#f-summary")?.value()?;
    if !words.contains("Trois palettes cassées") {
        return Err(format!("the exchange's words are not in the form: {words:?}"));
    }
    // Forgetting the category: the error shows at the field, the words stay.
    b.find("#f-concerns")?.send_keys("BL 2026-1120")?;
    b.find("#create-complaint")?.click()?;
    b.wait_for_text("#e-category", "", wait)?;
    if b.find("#e-category")?.text()?.trim().is_empty() {
        return Err("no error at the category".into());
    }
    if b.find("#f-concerns")?.value()? != "BL 2026-1120" {
        return Err("the form lost what was typed".into());
    }
    b.find("#f-category option[value=delivery]")?.click()?;
    b.find("#create-complaint")?.click()?;
    b.wait_for_text("h1", "R-2026-0001", wait)?;
    // Acknowledge: the letter goes out and lands on the case's exchanges.
    b.find("#step-acknowledged summary")?.click()?;
    b.find("#do-acknowledged")?.click()?;
    b.wait_for_text("#case-state", "", wait)?;
    let subjects = wait_for_mails(smtp, 1, Duration::from_secs(15))?;
    if !subjects[0].contains("R-2026-0001") {
        return Err(format!("the acknowledgement's subject: {subjects:?}"));
    }
    b.wait_for_text("#case-exchanges", "R-2026-0001", wait)?;
    // Resolve with a gesture; a value typed in words is refused at its field first.
    b.find("#step-resolved summary")?.click()?;
    b.find("#gk-resolved option[value=credit_note]")?.click()?;
    b.find("#ga-resolved")?.send_keys("cent cinquante")?;
    b.find("#reason-resolved")?.send_keys("Avoir pour les palettes.")?;
    b.find("#do-resolved")?.click()?;
    b.wait_for_text("#e-ga-resolved", "", wait)?;
    if b.find("#e-ga-resolved")?.text()?.trim().is_empty() {
        return Err("no error at the gesture's value".into());
    }
    if b.find("#reason-resolved")?.value()? != "Avoir pour les palettes." {
        return Err("the answer's text was lost".into());
    }
    let amount = b.find("#ga-resolved")?;
    amount.clear()?;
    amount.send_keys("150,00")?;
    b.find("#do-resolved")?.click()?;
    b.wait_for_text("#case-gesture", "150", wait)?;
    // The answer letter and the hot survey both go out.
    let subjects = wait_for_mails(smtp, 3, Duration::from_secs(15))?;
    if subjects.len() != 3 {
        return Err(format!(
            "expected the acknowledgement, the answer and the survey: {subjects:?}"
        ));
    }
    // The account's page shows it in its complaint history.
    b.goto(&format!("{base}/accounts/{account}"))?;
    b.wait_for_text("#complaint-history summary", "", wait)?.click()?;
    b.wait_for_text("#complaint-history", "R-2026-0001", wait)?;
    Ok(())
}

db_test!(journey_a_complaint_from_an_exchange_to_its_resolution, |t| async move {
    if !Browser::available() {
        eprintln!(
            "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
        );
        assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
        return;
    }
    let admin = t.with_user(Role::Admin).await;
    let mut input = crate::danone();
    input.owner_id = Some(admin.user_id.to_string());
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &input)
        .await
        .unwrap();
    let claire = bilan_app::contacts::create_contact(
        &t.app,
        &admin,
        &bilan_domain::contacts::ContactInput {
            account_id: Some(acc.id.to_string()),
            first_name: Some("Claire".into()),
            last_name: Some("Durand".into()),
            email: Some("claire.durand@danone.test".into()),
            survey_consent: Some("true".into()),
            language: Some("fr".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let exchange = bilan_app::timeline::log_interaction(
        &t.app,
        &admin,
        &bilan_domain::timeline::InteractionInput {
            account_id: Some(acc.id.to_string()),
            channel: Some("email".into()),
            direction: Some("inbound".into()),
            occurred_at: Some("2026-11-20T10:00:00Z".into()),
            contact_ids: Some(claire.id.to_string()),
            subject: Some("Livraison du 19".into()),
            summary: Some("Trois palettes cassées à l'arrivée.".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let survey = crate::surveys::survey(&t, &admin, "Après réclamation", "csat").await;
    crate::surveys::rule(&t, &admin, survey, "complaint_resolved", "0", "").await;
    let base = serve(&t).await;
    let (smtp, worker) = MailWorker::start(&t, &base).await;
    let email = admin.email.clone();
    let (account, exchange_id) = (acc.id.to_string(), exchange.id.to_string());
    let smtp2 = std::sync::Arc::clone(&smtp);
    let result = tokio::task::spawn_blocking(move || complaint_journey(&base, &email, &account, &exchange_id, &smtp2))
        .await
        .unwrap();
    worker.stop().await;
    result.unwrap();
    let cases = bilan_app::complaints::account_complaints(&t.app, &admin, acc.id)
        .await
        .unwrap();
    assert_eq!(cases.len(), 1);
    let c = &cases[0].complaint;
    assert_eq!(c.state, bilan_domain::complaints::ComplaintState::Resolved);
    assert_eq!(c.interaction_id, Some(exchange.id));
    assert_eq!(c.gesture.map(|g| g.amount.minor), Some(15_000));
});

fn sign_in(b: &Browser, base: &str, email: &str) -> Result<(), String> {
    b.goto(&format!("{base}/login"))?;
    b.find("#email")?.send_keys(email)?;
    b.find("#password")?.send_keys(bilan_testkit::PASSWORD)?;
    b.find("button[type=submit].primary")?.click()?;
    b.wait_for_text("#home-title", "", Duration::from_secs(10))?;
    Ok(())
}

/// Subjects of the e-mails about one invoice that reached the SMTP server.
fn reminder_subjects(smtp: &bilan_testkit::smtp::SmtpServer, number: &str) -> Vec<String> {
    smtp.messages()
        .iter()
        .filter_map(|m| m.subject())
        .filter(|s| s.contains(number))
        .collect()
}

fn wait_for_reminders(smtp: &bilan_testkit::smtp::SmtpServer, number: &str, n: usize) -> Result<Vec<String>, String> {
    let start = std::time::Instant::now();
    loop {
        let got = reminder_subjects(smtp, number);
        if got.len() >= n {
            return Ok(got);
        }
        if start.elapsed() > Duration::from_secs(15) {
            return Err(format!(
                "{} reminders of {number} reached the SMTP server, not {n}: {got:?}",
                got.len()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An invoice entered by hand passes its due date; the morning run sends the first
/// reminder (through the outbox to the SMTP server) onto the timeline; the client
/// opens its portal and flags the invoice; the next reminder is held; the complaint
/// is resolved and the reminders resume.
fn invoice_journey(
    base: &str,
    email: &str,
    account: &str,
    clock: &bilan_app::clock::FakeClock,
    smtp: &bilan_testkit::smtp::SmtpServer,
) -> Result<(), String> {
    let b = Browser::start()?;
    let wait = Duration::from_secs(10);
    sign_in(&b, base, email)?;
    // Entering the invoice: an amount typed in words is refused at its field, the rest stays.
    b.goto(&format!("{base}/invoices/new?account={account}"))?;
    b.find("#f-number")?.send_keys("F-JOURNEY-1")?;
    b.find("#f-amount_excl_tax")?.send_keys("1 000,00")?;
    b.find("#f-amount_incl_tax")?.send_keys("mille deux cents")?;
    b.find("#save-invoice")?.click()?;
    b.wait_for_text("#e-amount_incl_tax", "", wait)?;
    if b.find("#e-amount_incl_tax")?.text()?.trim().is_empty() {
        return Err("no error at the amount including VAT".into());
    }
    if b.find("#f-number")?.value()? != "F-JOURNEY-1" {
        return Err("the form lost the number typed".into());
    }
    let incl = b.find("#f-amount_incl_tax")?;
    incl.clear()?;
    incl.send_keys("1 200,00")?;
    b.find("#save-invoice")?.click()?;
    b.wait_for_text("h1", "F-JOURNEY-1", wait)?;
    let invoice_url = b.current_url()?;
    // 33 days later the invoice is 3 days late: the morning run sends the helping hand.
    clock.advance(chrono::Duration::days(33));
    sign_in(&b, base, email)?;
    b.goto(&format!("{base}/invoices/settings"))?;
    b.find("#run-reminders")?.click()?;
    b.wait_for_text("#run-report", "", wait)?;
    let first = wait_for_reminders(smtp, "F-JOURNEY-1", 1)?;
    if !first[0].contains("tout est en ordre") {
        return Err(format!("the first reminder is not the helping hand: {first:?}"));
    }
    b.goto(&format!("{base}/accounts/{account}"))?;
    b.wait_for_text("#timeline-items", "F-JOURNEY-1", wait)?;
    // The client's portal link, made on the account page.
    b.wait_for_text("#invoices", "F-JOURNEY-1", wait)?;
    b.find("#create-portal-link")?.click()?;
    b.wait_for_text("#new-portal-link", "", wait)?;
    let portal = b.find("#portal-url")?.value()?;
    if !portal.contains("/portal/") {
        return Err(format!("no portal link: {portal:?}"));
    }
    // The client flags the invoice; an empty message is refused where it was left empty.
    b.goto(&portal)?;
    b.wait_for_text("#portal-title", "", wait)?;
    b.find("#inv-F-JOURNEY-1 summary.flag-problem")?.click()?;
    b.find("#inv-F-JOURNEY-1 button[type=submit]")?.click()?;
    b.wait_for_text("#flag-error", "", wait)?;
    if b.find("#flag-error")?.text()?.trim().is_empty() {
        return Err("no error for the empty message".into());
    }
    b.find("#inv-F-JOURNEY-1 textarea")?
        .send_keys("Le bon de commande indiqué n'est pas le nôtre.")?;
    b.find("#inv-F-JOURNEY-1 button[type=submit]")?.click()?;
    b.wait_for_text("#portal-notice", "R-2026-0001", wait)?;
    b.wait_for_text("#inv-F-JOURNEY-1", "", wait)?;
    // Two weeks later the next step is due, but held by the complaint.
    clock.advance(chrono::Duration::days(15));
    sign_in(&b, base, email)?;
    b.goto(&format!("{base}/invoices/settings"))?;
    b.find("#run-reminders")?.click()?;
    b.wait_for_text("#run-report", "", wait)?;
    b.goto(&invoice_url)?;
    b.wait_for_text("#reminder-held", "", wait)?;
    std::thread::sleep(Duration::from_millis(600));
    if reminder_subjects(smtp, "F-JOURNEY-1").len() != 1 {
        return Err("a reminder went out while the complaint was open".into());
    }
    // The complaint is resolved from its page; the reminders resume.
    b.find("a.open-complaint")?.click()?;
    b.wait_for_text("h1", "R-2026-0001", wait)?;
    b.find("#step-resolved summary")?.click()?;
    b.find("#reason-resolved")?
        .send_keys("Bon de commande corrigé, facture confirmée.")?;
    b.find("#do-resolved")?.click()?;
    b.wait_for_text("#case-state", "", wait)?;
    b.goto(&format!("{base}/invoices/settings"))?;
    b.find("#run-reminders")?.click()?;
    b.wait_for_text("#run-report", "", wait)?;
    let both = wait_for_reminders(smtp, "F-JOURNEY-1", 2)?;
    if both.len() != 2 {
        return Err(format!("expected two reminders: {both:?}"));
    }
    b.goto(&invoice_url)?;
    b.wait_for_text("#reminders-sent", "", wait)?;
    if b.find_all("#reminders-sent li")?.len() != 2 {
        return Err("the invoice does not list its two reminders".into());
    }
    Ok(())
}

db_test!(
    journey_an_invoice_reminded_held_by_the_portal_and_resumed,
    |t| async move {
        if !Browser::available() {
            eprintln!(
                "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
            );
            assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
            return;
        }
        let admin = t.with_user(Role::Admin).await;
        let mut input = crate::danone();
        input.owner_id = Some(admin.user_id.to_string());
        let acc = bilan_app::accounts::create_account(&t.app, &admin, &input)
            .await
            .unwrap();
        bilan_app::contacts::create_contact(
            &t.app,
            &admin,
            &bilan_domain::contacts::ContactInput {
                account_id: Some(acc.id.to_string()),
                first_name: Some("Claire".into()),
                last_name: Some("Durand".into()),
                email: Some("claire.durand@danone.test".into()),
                roles: Some("finance".into()),
                language: Some("fr".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let base = serve(&t).await;
        let (smtp, worker) = MailWorker::start(&t, &base).await;
        let email = admin.email.clone();
        let account = acc.id.to_string();
        let clock = std::sync::Arc::clone(&t.clock);
        let smtp2 = std::sync::Arc::clone(&smtp);
        let result = tokio::task::spawn_blocking(move || invoice_journey(&base, &email, &account, &clock, &smtp2))
            .await
            .unwrap();
        worker.stop().await;
        result.unwrap();
        let page = bilan_app::invoices::list_invoices(&t.app, &admin, &Default::default())
            .await
            .unwrap();
        let d = bilan_app::invoices::invoice_detail(&t.app, &admin, page.items[0].invoice.id)
            .await
            .unwrap();
        assert_eq!(d.reminders.iter().filter(|r| r.kind == "reminder").count(), 2);
        assert!(d.open_complaints.is_empty());
    }
);

/// Sets a form field's value by script (a date input types differently per locale).
fn set_value(b: &Browser, css: &str, value: &str) -> Result<(), String> {
    b.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        &[serde_json::json!(css), serde_json::json!(value)],
    )
    .map(|_| ())
}

fn key_account_journey(base: &str, email: &str, account: &str, secret: &str) -> Result<(), String> {
    let b = Browser::start()?;
    let wait = Duration::from_secs(10);
    sign_in(&b, base, email)?;
    b.goto(&format!("{base}/accounts/{account}/plan"))?;
    let band = b.wait_for_text("#health-band", "", wait)?.text()?;
    if band != "Healthy" {
        return Err(format!("a well-followed account starts healthy, not {band:?}"));
    }
    // Admission: rated criterion by criterion, then admitted at the tier its score suggests.
    for (criterion, rating) in [
        ("potential", "5"),
        ("probability", "4"),
        ("profitability", "3"),
        ("strategic_impact", "2"),
        ("fit", "5"),
        ("risk", "2"),
    ] {
        b.find(&format!("#f-{criterion} option[value='{rating}']"))?.click()?;
    }
    b.find("#admit")?.click()?;
    b.wait_for_text("#plan-tier", "Key", wait)?;
    b.wait_for_text("#account-score", "71/100", wait)?;
    // A vague objective: refused, the missing parts named, what was typed kept.
    b.find("#f-objective-title")?.send_keys("Mieux servir le client")?;
    b.find("#f-objective-metric")?.send_keys("NPS des utilisateurs")?;
    b.find("#add-objective")?.click()?;
    b.wait_for_text("#e-objective-target", "Target missing", wait)?;
    b.wait_for_text("#e-objective-due", "Deadline missing", wait)?;
    if b.find("#f-objective-title")?.value()? != "Mieux servir le client" {
        return Err("the objective form lost its title".into());
    }
    b.find("#f-objective-baseline")?.send_keys("12")?;
    b.find("#f-objective-target")?.send_keys("40")?;
    set_value(&b, "#f-objective-due", "2027-06-30")?;
    b.find("#add-objective")?.click()?;
    b.wait_for_text("#objectives-table", "Mieux servir le client", wait)?;
    // A risk: exposure is probability × impact.
    b.find("#f-risk-title")?.send_keys("Départ du DSI")?;
    b.find("#f-risk-probability option[value='3']")?.click()?;
    b.find("#f-risk-impact option[value='5']")?.click()?;
    b.find("#f-risk-mitigation")?.send_keys("Rencontrer son adjoint")?;
    b.find("#add-risk")?.click()?;
    b.wait_for_text("#risks-table", "3 × 5 = 15", wait)?;
    // An invoice of 12,000 € issued in August, due in September, still unpaid.
    b.goto(&format!("{base}/invoices/new?account={account}"))?;
    b.find("#f-number")?.send_keys("F-2026-081")?;
    set_value(&b, "#f-issued_on", "2026-08-01")?;
    b.find("#f-amount_excl_tax")?.send_keys("10 000,00")?;
    b.find("#f-amount_incl_tax")?.send_keys("12 000,00")?;
    b.find("#save-invoice")?.click()?;
    b.wait_for_text("h1", "F-2026-081", wait)?;
    // The decision maker answers the survey: 0.
    b.goto(&format!("{base}/s/{secret}"))?;
    b.find("input[name=score][value='0']")?.click()?;
    b.find("#comment")?.send_keys("Plus rien ne va.")?;
    b.find("#survey-answer button[type=submit]")?.click()?;
    std::thread::sleep(Duration::from_millis(300));
    // Health fell, and the account is on the at-risk page with those two reasons.
    b.goto(&format!("{base}/accounts/{account}/plan"))?;
    b.wait_for_text("#health-band", "At risk", wait)?;
    b.goto(&format!("{base}/at-risk"))?;
    let row = b.wait_for_text("#at-risk", "Delméo", wait)?.text()?;
    if !(row.contains("NPS 0") && row.contains("12,000.00")) {
        return Err(format!("the at-risk row lacks its reasons: {row}"));
    }
    b.wait_for_text("#health-alerts", "Delméo", wait)?;
    Ok(())
}

db_test!(journey_a_key_account_admitted_planned_then_at_risk, |t| async move {
    if !Browser::available() {
        eprintln!(
            "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
        );
        assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
        return;
    }
    let admin = t.with_user(Role::Admin).await;
    let input = bilan_domain::accounts::AccountInput {
        name: Some("Delméo".into()),
        status: Some("active".into()),
        size: Some("large".into()),
        owner_id: Some(admin.user_id.to_string()),
        ..Default::default()
    };
    let acc = bilan_app::accounts::create_account(&t.app, &admin, &input)
        .await
        .unwrap()
        .id;
    let dm = crate::surveys::person(&t, &admin, acc, "Martin", true, false, "decision_maker", None).await;
    for (i, day) in ["2026-11-05", "2026-11-12", "2026-11-19"].iter().enumerate() {
        for (direction, hour) in [("inbound", 10), ("outbound", 15)] {
            let x = bilan_domain::timeline::InteractionInput {
                account_id: Some(acc.to_string()),
                occurred_at: Some(format!("{day}T{hour}:0{i}:00Z")),
                channel: Some("meeting".into()),
                direction: Some(direction.into()),
                subject: Some("Point d'avancement".into()),
                contact_ids: Some(dm.to_string()),
                ..Default::default()
            };
            bilan_app::timeline::log_interaction(&t.app, &admin, &x).await.unwrap();
        }
    }
    let s = crate::surveys::survey(&t, &admin, "NPS relation", "nps").await;
    bilan_app::surveys::send_survey(&t.app, &admin, s, acc, &[dm])
        .await
        .unwrap();
    let secret = crate::surveys::secret_in(&crate::surveys::outbox(&t, &admin).await[0].body_text);
    let base = serve(&t).await;
    let email = admin.email.clone();
    let account = acc.to_string();
    let result = tokio::task::spawn_blocking(move || key_account_journey(&base, &email, &account, &secret))
        .await
        .unwrap();
    result.unwrap();
    let plan = bilan_app::key_accounts::plan::plan(&t.app, &admin, acc).await.unwrap();
    assert_eq!(plan.objectives.len(), 1);
    assert_eq!(plan.risks[0].exposure, 15);
    t.clock.advance(chrono::Duration::minutes(2));
    t.run_pending_jobs().await;
});

/// Polls the test SMTP server for a message whose subject starts with `prefix`.
fn wait_for_subject(smtp: &bilan_testkit::smtp::SmtpServer, prefix: &str, timeout: Duration) -> Result<usize, String> {
    let start = std::time::Instant::now();
    loop {
        let n = smtp
            .messages()
            .iter()
            .filter(|m| m.subject().is_some_and(|s| s.starts_with(prefix)))
            .count();
        if n > 0 {
            return Ok(n);
        }
        if start.elapsed() > timeout {
            let subjects: Vec<String> = smtp.messages().iter().filter_map(|m| m.subject()).collect();
            return Err(format!("no e-mail {prefix:?} reached the SMTP server: {subjects:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn review_journey(
    base: &str,
    email: &str,
    account: &str,
    smtp: &bilan_testkit::smtp::SmtpServer,
) -> Result<(), String> {
    let b = Browser::start()?;
    let wait = Duration::from_secs(10);
    sign_in(&b, base, email)?;
    // Plan it: a time in words is refused at its field, the place typed is kept.
    b.goto(&format!("{base}/reviews/new?account={account}"))?;
    set_value(&b, "#f-planned-on", "2026-11-30")?;
    b.find("#f-starts-at")?.clear()?;
    b.find("#f-starts-at")?.send_keys("dix heures")?;
    b.find("#f-location")?.send_keys("Salle Delméo, Lyon")?;
    b.find("#save-review")?.click()?;
    b.wait_for_text("#e-starts-at", "A time like 14:30", wait)?;
    if b.find("#f-location")?.value()? != "Salle Delméo, Lyon" {
        return Err("the plan form lost the place".into());
    }
    b.find("#f-starts-at")?.clear()?;
    b.find("#f-starts-at")?.send_keys("14:30")?;
    b.find("#save-review")?.click()?;
    b.wait_for_text("#review-state", "Planned", wait)?;
    // The pack, live: the intervention beyond the contract, NPS, complaints, invoices, health.
    b.wait_for_text("#pack-beyond", "1", wait)?;
    b.wait_for_text("#pack-beyond-list", "Formation offerte aux nouveaux opérateurs", wait)?;
    b.wait_for_text("#pack-nps", "0.0", wait)?;
    b.wait_for_text("#pack-complaints", "1", wait)?;
    b.wait_for_text("#pack-overdue", "14,400.00", wait)?;
    b.wait_for_text("#pack-dso", "212.9", wait)?;
    b.find("#pack-health")?;
    b.find("#prepare-review")?.click()?;
    b.wait_for_text("#pack-frozen", "Figures frozen", wait)?;
    // The meeting: typed while listening, autosaved.
    b.find("#open-meeting")?.click()?;
    b.find("textarea[name='round_table[0].satisfactions']")?
        .send_keys("Réactivité du support")?;
    b.find("textarea[name='round_table[0].irritants']")?
        .send_keys("Délais de livraison")?;
    b.wait_for_text("#autosave-status", "Draft saved", wait)?;
    b.find("#f-decisions")?
        .send_keys("Livraisons hebdomadaires dès janvier")?;
    b.find("#f-objective0-title")?.send_keys("Relever le NPS du compte")?;
    b.find("input[name='objectives[0].metric']")?.send_keys("NPS")?;
    b.find("input[name='objectives[0].baseline']")?.send_keys("0")?;
    b.find("#f-objective0-target")?.send_keys("30")?;
    set_value(&b, "input[name='objectives[0].due_on']", "2027-11-30")?;
    b.find("#f-action0-what")?
        .send_keys("Envoyer le planning de livraison")?;
    b.find("#f-action0-owner")?.send_keys(email)?;
    b.find("#f-action1-what")?.send_keys("Valider le budget 2027")?;
    b.find("#f-action1-owner")?.send_keys("Claire Martin")?;
    set_value(&b, "#f-action1-due", "2027-01-31")?;
    // The first action has no date: refused at its line, every line kept.
    b.find("#hold-review")?.click()?;
    b.wait_for_text("#e-action0-due", "Due date missing", wait)?;
    if b.find("#f-action1-what")?.value()? != "Valider le budget 2027" {
        return Err("the meeting form lost an action".into());
    }
    set_value(&b, "#f-action0-due", "2026-12-15")?;
    b.find("#hold-review")?.click()?;
    if let Err(e) = b.wait_for_text("#review-state", "Held", wait) {
        let errors: Vec<String> = b
            .find_all(".field-error, .form-error")?
            .iter()
            .filter_map(|x| x.text().ok())
            .filter(|t| !t.is_empty())
            .collect();
        return Err(format!("{e}; the page says {errors:?}"));
    }
    b.wait_for_text("#round-table", "Délais de livraison", wait)?;
    b.wait_for_text("#review-actions", "Valider le budget 2027", wait)?;
    b.find("#minutes-pdf")?;
    // The minutes, e-mailed to the attendees.
    b.find("#send-minutes")?.click()?;
    b.wait_for_text("#review-state", "Minutes sent", wait)?;
    wait_for_subject(smtp, "Compte rendu", Duration::from_secs(20))?;
    // The action items on their owners' lists.
    b.goto(&format!("{base}/review-actions?mine=1"))?;
    b.wait_for_text("#actions-table", "Envoyer le planning de livraison", wait)?;
    b.goto(&format!("{base}/review-actions?account={account}"))?;
    b.wait_for_text("#actions-table", "Valider le budget 2027", wait)?;
    Ok(())
}

db_test!(journey_a_review_planned_held_and_its_minutes_sent, |t| async move {
    if !Browser::available() {
        eprintln!(
            "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
        );
        assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
        return;
    }
    let f = crate::reviews::fixture(&t).await;
    let base = serve(&t).await;
    let (smtp, worker) = MailWorker::start(&t, &base).await;
    let email = f.admin.email.clone();
    let account = f.account.to_string();
    let smtp2 = std::sync::Arc::clone(&smtp);
    let result = tokio::task::spawn_blocking(move || review_journey(&base, &email, &account, &smtp2))
        .await
        .unwrap();
    worker.stop().await;
    result.unwrap();
    let reviews = bilan_app::reviews::list_reviews(
        &t.app,
        &f.admin,
        &bilan_app::reviews::ReviewQuery {
            account_id: Some(f.account),
            state: Some("minutes_sent".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(reviews.len(), 1);
    let mine = bilan_app::reviews::action_items(
        &t.app,
        &f.admin,
        &bilan_app::reviews::ActionQuery {
            mine: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(mine.len(), 1, "the supplier's item is the admin's");
    let _ = &f.kam;
    t.run_pending_jobs().await;
});
