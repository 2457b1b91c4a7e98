//! A user's first week in a real browser: "my day", the account page to work
//! from, the quick log with the keyboard only and its refused submission, the
//! timeline's filters in the address, the 404 page, the phone, and pages that
//! speak one language.

use crate::browser::serve;
use bilan_app::Actor;
use bilan_domain::roles::Role;
use bilan_domain::timeline::{local_day, InteractionInput};
use bilan_testkit::browser::{Browser, KEY_CONTROL, KEY_ENTER};
use bilan_testkit::{db_test, TestApp};
use chrono::{Days, NaiveDate};
use std::time::Duration;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

/// Skips (loudly) without a browser; CI always has one.
macro_rules! need_browser {
    () => {
        if !Browser::available() {
            eprintln!(
                "\n*** SKIPPED browser journey: chromium/chromedriver not installed (scripts/test installs them) ***\n"
            );
            assert!(std::env::var("CI").is_err(), "CI must run the browser journeys");
            return;
        }
    };
}

/// An account manager's small portfolio: one account renewing in 20 days with two
/// key contacts, one whose renewal lapsed, and three follow-ups (one a call back
/// to an unhappy client, one late).
pub(crate) struct Portfolio {
    pub(crate) me: Actor,
    pub(crate) account: Uuid,
    pub(crate) lapsed: Uuid,
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) async fn portfolio(t: &TestApp) -> Portfolio {
    let me = t.with_user(Role::Admin).await;
    let today = local_day(t.app.now());
    let mut input = crate::danone();
    input.owner_id = Some(me.user_id.to_string());
    input.renewal_date = Some(day_text(today.checked_add_days(Days::new(20)).unwrap()));
    let account = bilan_app::accounts::create_account(&t.app, &me, &input)
        .await
        .unwrap()
        .id;
    let lapsed_input = bilan_domain::accounts::AccountInput {
        name: Some("Lactalis Export".into()),
        status: Some("active".into()),
        owner_id: Some(me.user_id.to_string()),
        renewal_date: Some(day_text(today.checked_sub_days(Days::new(10)).unwrap())),
        annual_value: Some("48 000".into()),
        ..Default::default()
    };
    let lapsed = bilan_app::accounts::create_account(&t.app, &me, &lapsed_input)
        .await
        .unwrap()
        .id;
    for (first, last, roles, email) in [
        ("Claire", "Vérité", "decision_maker", "claire.verite@danone.test"),
        ("Paul", "Martin", "buyer", "paul.martin@danone.test"),
    ] {
        let c = bilan_domain::contacts::ContactInput {
            account_id: Some(account.to_string()),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            roles: Some(roles.into()),
            email: Some(email.into()),
            phone: Some("+33 1 23 45 67 89".into()),
            ..Default::default()
        };
        bilan_app::contacts::create_contact(&t.app, &me, &c).await.unwrap();
    }
    let five_days_ago = t.app.now() - chrono::Duration::days(5);
    for (subject, tags, what, due) in [
        ("Point trimestriel", "", "Envoyer le devis révisé", today),
        ("NPS 3/10", "survey, nps", "Rappeler Claire Vérité : NPS 3/10", today),
        (
            "Réunion de lancement",
            "",
            "Envoyer le compte rendu",
            today.checked_sub_days(Days::new(3)).unwrap(),
        ),
    ] {
        let i = InteractionInput {
            account_id: Some(account.to_string()),
            occurred_at: Some(five_days_ago.to_rfc3339()),
            channel: Some("meeting".into()),
            direction: Some("outbound".into()),
            subject: Some(subject.into()),
            tags: Some(tags.into()),
            follow_up_what: Some(what.into()),
            follow_up_user_id: Some(me.user_id.to_string()),
            follow_up_due: Some(day_text(due)),
            ..Default::default()
        };
        bilan_app::timeline::log_interaction(&t.app, &me, &i).await.unwrap();
    }
    Portfolio { me, account, lapsed }
}

fn log_in(b: &Browser, base: &str, email: &str) -> Result<(), String> {
    b.goto(&format!("{base}/login"))?;
    b.find("#email")?.send_keys(email)?;
    b.find("#password")?.send_keys(bilan_testkit::PASSWORD)?;
    b.find("button[type=submit].primary")?.click()?;
    // Signing in opens "my day", in the browser's language (English here): switch to French.
    b.wait_for_text("#home-title", "", WAIT)?;
    if !b.find("#home-title")?.text()?.contains("Ma journée") {
        b.find("form[action='/language'] button")?.click()?;
    }
    b.wait_for_text("#home-title", "Ma journée", WAIT)?;
    Ok(())
}

fn my_day_journey(base: &str, email: &str, account: &str, lapsed: &str) -> Result<(), String> {
    let b = Browser::start()?;
    b.set_window_size(1440, 900)?;
    log_in(&b, base, email)?;
    // Due today: the call back to the unhappy client comes first.
    let first = b.find("#today ul.timeline li:first-child")?;
    if !first.text()?.contains("Rappeler Claire Vérité") {
        return Err(format!("the call back is not first: {}", first.text()?));
    }
    b.wait_for_text("#today", "Envoyer le devis révisé", WAIT)?;
    b.wait_for_text("#callbacks-note", "1 rappel", WAIT)?;
    // Late, and the menu's badge counts all three.
    b.wait_for_text("#overdue", "Envoyer le compte rendu", WAIT)?;
    b.wait_for_text("#my-day-count", "3", WAIT)?;
    // Renewals: one in 20 days, one lapsed 10 days ago.
    b.wait_for_text("#renewals", "dans 20 jours", WAIT)?;
    b.wait_for_text("#renewals", "échu depuis 10 jours", WAIT)?;
    b.find(&format!("#renewals a[href='/accounts/{lapsed}']"))?;
    // Snoozed to tomorrow, the late one leaves the page; done, today's leaves too.
    b.find("#overdue button[value=tomorrow]")?.click()?;
    b.wait_for_text("#overdue", "Aucune relance en retard", WAIT)?;
    b.find("#today ul.timeline li:first-child button.done")?.click()?;
    b.wait_for_text("#home-title", "Ma journée", WAIT)?;
    if b.find("#today")?.text()?.contains("Rappeler Claire") {
        return Err("a follow-up marked done is still due".into());
    }
    b.wait_for_text("#my-day-count", "1", WAIT)?;

    // The account page: facts on the left, the timeline in the centre, people on the right.
    b.goto(&format!("{base}/accounts/{account}"))?;
    b.wait_for_text("#account-renewal", "dans 20 jours", WAIT)?;
    b.wait_for_text("#renewal-warning", "préparez-le", WAIT)?;
    b.wait_for_text("#contacts", "Décideur", WAIT)?;
    b.wait_for_text("#contacts", "Claire Vérité", WAIT)?;
    b.find("#contacts a[href^='tel:']")?;
    // The tags Bilan sets itself read in French on a French page.
    b.wait_for_text("#timeline-items", "enquête", WAIT)?;
    let x = b.execute(
        "return ['.account-facts', '.account-timeline', '.account-people'].map(s => document.querySelector(s).getBoundingClientRect().left);",
        &[],
    )?;
    let lefts: Vec<f64> = x
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    if !(lefts.len() == 3 && lefts[0] < lefts[1] && lefts[1] < lefts[2]) {
        return Err(format!("not three columns side by side on a desktop: {lefts:?}"));
    }
    // The lapsed account says so.
    b.goto(&format!("{base}/accounts/{lapsed}"))?;
    b.wait_for_text("#renewal-warning", "dépassée", WAIT)?;

    // On a phone, the same pages fit 390 px, one column, the menu folded.
    b.set_window_size(390, 844)?;
    for path in [
        "/".to_owned(),
        format!("/accounts/{account}"),
        "/accounts".to_owned(),
        "/contacts".to_owned(),
        "/satisfaction".to_owned(),
        "/satisfaction/answers".to_owned(),
        "/follow-ups".to_owned(),
        "/users".to_owned(),
        "/search?q=danone".to_owned(),
    ] {
        b.goto(&format!("{base}{path}"))?;
        let (content, window) = b.page_width()?;
        if content > window {
            return Err(format!("{path} is {content} px wide on a {window} px phone"));
        }
    }
    b.goto(&format!("{base}/accounts/{account}"))?;
    if b.find("#main-nav")?.is_displayed()? {
        return Err("the menu is open on a phone before it is asked for".into());
    }
    b.find("#menu-toggle")?.click()?;
    if !b.find("#main-nav")?.is_displayed()? {
        return Err("the menu button does not open the menu".into());
    }
    let y = b.execute(
        "return ['.account-facts', '.account-timeline', '.account-people'].map(s => document.querySelector(s).getBoundingClientRect().top);",
        &[],
    )?;
    let tops: Vec<f64> = y
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    if !(tops.len() == 3 && tops[0] < tops[1] && tops[1] < tops[2]) {
        return Err(format!("not one column on a phone: {tops:?}"));
    }
    Ok(())
}

db_test!(
    journey_my_day_then_the_account_page_on_a_desktop_and_a_phone,
    |t| async move {
        need_browser!();
        let p = portfolio(&t).await;
        let base = serve(&t).await;
        let (email, account, lapsed) = (p.me.email.clone(), p.account.to_string(), p.lapsed.to_string());
        tokio::task::spawn_blocking(move || my_day_journey(&base, &email, &account, &lapsed))
            .await
            .unwrap()
            .unwrap();
        let day = bilan_app::my_day::my_day(&t.app, &p.me, local_day(t.app.now()), 50)
            .await
            .unwrap();
        assert_eq!(
            day.due_today.len() + day.overdue.len(),
            1,
            "one done, one snoozed to tomorrow"
        );
    }
);

fn quick_log_journey(base: &str, email: &str, account: &str) -> Result<(), String> {
    let b = Browser::start()?;
    b.set_window_size(1440, 900)?;
    log_in(&b, base, email)?;
    b.goto(&format!("{base}/accounts/{account}"))?;
    // Keyboard only: a visit, inbound, with Claire picked by typing her name.
    let channel = b.find("#log-channel")?;
    channel.send_keys("Visite")?;
    b.find("#log-direction")?.send_keys("Entrant")?;
    b.find("#log-contact-search")?.send_keys("verite")?;
    b.settle()?;
    b.wait_for_text("#log-contact-picker", "Vérité", WAIT)?;
    // Typing in the picker ran its own request: nothing typed before was reset.
    if b.find("#log-channel")?.value()? != "visit" || b.find("#log-direction")?.value()? != "inbound" {
        return Err("the contact picker's request reset the channel or the direction".into());
    }
    // Found again if a late answer of the picker replaced the box.
    b.type_into("#log-contact-picker input[type=checkbox]", " ")?;
    b.find("#log-subject")?.send_keys("Visite du site de Lyon")?;
    b.find("#log-summary")?.send_keys("Palettes abîmées à la livraison.")?;
    // A follow-up without its due date is refused: the error shows, nothing typed is lost.
    b.execute("document.getElementById('log-more').open = true;", &[])?;
    b.find("#log-fu")?.send_keys("Rappeler le client")?;
    b.find("#log-summary")?
        .send_keys(&format!("{KEY_CONTROL}{KEY_ENTER}"))?;
    b.wait_for_text("#log-errors", "Échéance", WAIT)?;
    if b.find("#log-subject")?.value()? != "Visite du site de Lyon" || b.find("#log-channel")?.value()? != "visit" {
        return Err("a refused submission erased what was typed".into());
    }
    // Given a date, Ctrl+Enter logs it; a toast confirms and the form is fresh again.
    // (A date field's typing order follows the browser's locale; the value is set directly.)
    b.execute("document.getElementById('log-fu-due').value = '2030-12-31';", &[])?;
    b.find("#log-subject")?
        .send_keys(&format!("{KEY_CONTROL}{KEY_ENTER}"))?;
    b.wait_for_text("#timeline-items li:first-child", "Visite du site de Lyon", WAIT)?;
    b.wait_for_text("#toasts", "Échange consigné", WAIT)?;
    if !b.find("#log-subject")?.value()?.is_empty() || !b.find("#log-errors")?.text()?.is_empty() {
        return Err("the quick log was not reset after it was saved".into());
    }
    // The timeline's filter is in the address: a reload keeps it and says so.
    b.find("#tl-channel")?.send_keys("Visite")?;
    b.wait_for_url("channel=visit", WAIT)?;
    let url = b.current_url()?;
    b.goto(&url)?;
    if b.find("#tl-channel")?.value()? != "visit" {
        return Err("after a reload, the channel filter no longer shows what the list is filtered on".into());
    }
    b.wait_for_text("#timeline-items", "Visite du site de Lyon", WAIT)?;
    if b.find("#timeline-items")?.text()?.contains("Point trimestriel") {
        return Err("the reloaded list is not filtered".into());
    }
    // Ctrl+K opens the search box; its type-ahead puts names first.
    b.find("body")?.send_keys(&format!("{KEY_CONTROL}k"))?;
    b.active()?.send_keys("verit")?;
    b.wait_for_text("#suggest", "Claire Vérité", WAIT)?;
    b.find("#suggest a[href^='/contacts/']")?.click()?;
    b.wait_for_url("/contacts/", WAIT)?;
    // An unknown address: a page with the menu and a way back; the icon exists.
    b.goto(&format!("{base}/no-such-page"))?;
    b.wait_for_text("#error-message", "Introuvable", WAIT)?;
    b.find("#main-nav")?;
    b.find("#error-home")?.click()?;
    b.wait_for_text("#home-title", "Ma journée", WAIT)?;
    let icon = b.execute(
        "var r = new XMLHttpRequest(); r.open('GET', '/favicon.ico', false); r.send(); return r.status;",
        &[],
    )?;
    if icon.as_i64() != Some(200) {
        return Err(format!("/favicon.ico answered {icon}"));
    }
    Ok(())
}

db_test!(journey_quick_log_with_the_keyboard_only, |t| async move {
    need_browser!();
    let p = portfolio(&t).await;
    let base = serve(&t).await;
    let (email, account) = (p.me.email.clone(), p.account.to_string());
    tokio::task::spawn_blocking(move || quick_log_journey(&base, &email, &account))
        .await
        .unwrap()
        .unwrap();
    let page = bilan_app::timeline::timeline(&t.app, &p.me, p.account, &Default::default())
        .await
        .unwrap();
    let visit = page
        .items
        .iter()
        .find(|i| i.subject.as_deref() == Some("Visite du site de Lyon"))
        .unwrap();
    assert_eq!(visit.channel.code(), "visit");
    assert_eq!(
        visit.direction.code(),
        "inbound",
        "logged as typed, not as an outbound call"
    );
    assert_eq!(visit.contact_ids.len(), 1);
    assert_eq!(
        visit.follow_up.as_ref().unwrap().due,
        NaiveDate::from_ymd_opt(2030, 12, 31).unwrap()
    );
});

/// Bilan's own messages longer than a word that differ between the languages.
fn foreign_messages(lang: bilan_i18n::Lang) -> Vec<&'static str> {
    bilan_i18n::messages()
        .filter(|(_, fr, en)| fr != en)
        .map(|(_, fr, en)| if lang == bilan_i18n::Lang::Fr { *en } else { *fr })
        .filter(|m| m.contains(' ') && m.len() >= 12 && !m.contains('{'))
        .collect()
}

fn one_language_journey(base: &str, email: &str, account: &str) -> Result<(), String> {
    let b = Browser::start()?;
    log_in(&b, base, email)?;
    let pages = [
        "/".to_owned(),
        format!("/accounts/{account}"),
        "/accounts".to_owned(),
        "/contacts".to_owned(),
        "/satisfaction".to_owned(),
        "/follow-ups".to_owned(),
        "/surveys".to_owned(),
        "/users".to_owned(),
        "/import".to_owned(),
    ];
    for lang in [bilan_i18n::Lang::Fr, bilan_i18n::Lang::En] {
        let foreign = foreign_messages(lang);
        for path in &pages {
            b.goto(&format!("{base}{path}"))?;
            let text = b.execute("return document.body.innerText;", &[])?;
            let text = text.as_str().unwrap_or_default();
            if let Some(m) = foreign.iter().find(|m| text.contains(**m)) {
                return Err(format!("{path} in {lang:?} shows {m:?}"));
            }
        }
        if lang == bilan_i18n::Lang::Fr {
            b.goto(&format!("{base}/"))?;
            b.find("form[action='/language'] button")?.click()?;
            b.wait_for_text("#home-title", "My day", WAIT)?;
        }
    }
    Ok(())
}

db_test!(journey_every_page_speaks_one_language, |t| async move {
    need_browser!();
    let p = portfolio(&t).await;
    let base = serve(&t).await;
    let (email, account) = (p.me.email.clone(), p.account.to_string());
    tokio::task::spawn_blocking(move || one_language_journey(&base, &email, &account))
        .await
        .unwrap()
        .unwrap();
});

db_test!(
    search_counts_true_totals_hides_empty_groups_and_ranks_people_by_their_own_name,
    |t| async move {
        let p = portfolio(&t).await;
        // A company called like the query, and a person called like it at another company.
        let mut martin = crate::danone();
        martin.name = Some("Martin Logistique".into());
        martin.siren = None;
        martin.vat_number = None;
        let acc = bilan_app::accounts::create_account(&t.app, &p.me, &martin)
            .await
            .unwrap();
        for i in 0..12 {
            crate::contact(&t, &p.me, acc.id, &format!("Zola{i:02}"), &format!("z{i}@martin.test")).await;
        }
        let mut c = crate::logged_in(&t, &p.me).await;
        let page = c.get("/search?q=martin").await;
        assert_eq!(page.status, axum::http::StatusCode::OK);
        // True totals, not page sizes: 13 contacts match (12 at Martin Logistique, Paul Martin).
        assert!(page.body.contains("(13)"), "{}", page.body);
        // Paul Martin, named like the query, comes before the people of "Martin Logistique".
        let paul = page.body.find("Paul <mark>Martin</mark>").unwrap();
        let zola = page.body.find("Zola00").unwrap_or(usize::MAX);
        assert!(paul < zola, "the person named Martin first");
        // No exchange matches: the group is not shown at all.
        assert!(!page.body.contains("id=\"search-interactions\""));
        let suggest = c.get("/search/suggest?q=martin").await;
        assert!(
            suggest.body.find("Martin Logistique").unwrap() < suggest.body.find("Paul Martin").unwrap(),
            "accounts, then people"
        );
    }
);

/// The invitation link in the last queued e-mail to `to`.
async fn invitation_link(t: &TestApp, actor: &Actor, to: &str, base: &str) -> String {
    let mut pc = t.app.db.acquire().await.unwrap();
    let rows = bilan_db::outbox::list(&mut pc.conn(), actor.workspace_id, 100)
        .await
        .unwrap();
    let mail = rows
        .iter()
        .find(|r| r.to_address == to && r.purpose == "user_invitation")
        .unwrap();
    let start = mail.body_text.find("/invitations/").unwrap();
    let path: String = mail.body_text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    format!("{base}{path}")
}

fn invite_journey(base: &str, email: &str) -> Result<(), String> {
    let b = Browser::start()?;
    log_in(&b, base, email)?;
    b.goto(&format!("{base}/users"))?;
    // Your own row offers neither a role change nor "disable".
    let own = b.execute(
        "return Array.from(document.querySelectorAll('#users-table tbody tr')).filter(r => r.textContent.includes('(vous)')).map(r => r.querySelectorAll('select, button').length);",
        &[],
    )?;
    if own.as_array().map(|a| a.len()) != Some(1) || own[0].as_i64() != Some(0) {
        return Err(format!("your own row offers controls: {own}"));
    }
    // A mistyped address is refused at its field, with what was typed kept.
    b.find("#u-email")?.send_keys("claire.martin@")?;
    b.find("#u-name")?.send_keys("Claire Martin")?;
    b.find("#invite-submit")?.click()?;
    b.wait_for_text("#e-email", "e-mail", WAIT)?;
    if b.find("#u-name")?.value()? != "Claire Martin" {
        return Err("a refused invitation erased the name typed".into());
    }
    let address = b.find("#u-email")?;
    address.clear()?;
    address.send_keys("claire.martin@acme.test")?;
    b.find("#invite-submit")?.click()?;
    b.wait_for_text(".notice", "Invitation envoyée", WAIT)?;
    b.wait_for_text("#users-table", "invitation en attente", WAIT)?;
    Ok(())
}

fn accept_journey(link: &str, base: &str) -> Result<(), String> {
    let b = Browser::start()?;
    b.goto(link)?;
    b.wait_for_text("#invite-title", "", WAIT)?;
    // Too short, then two different passwords: each refusal says why, at its field.
    b.find("#i-password")?.send_keys("court")?;
    b.find("#i-confirmation")?.send_keys("court")?;
    b.find("#invite-submit")?.click()?;
    b.wait_for_text("#e-password", "10", WAIT)?;
    b.find("#i-password")?.send_keys("un mot de passe solide")?;
    b.find("#i-confirmation")?.send_keys("un autre mot de passe")?;
    b.find("#invite-submit")?.click()?;
    b.wait_for_text("#e-confirmation", "", WAIT)?;
    if b.find("#e-confirmation")?.text()?.is_empty() {
        return Err("two different passwords were accepted".into());
    }
    b.find("#i-password")?.send_keys("un mot de passe solide")?;
    b.find("#i-confirmation")?.send_keys("un mot de passe solide")?;
    b.find("#invite-submit")?.click()?;
    // Signed in at once, on their day.
    b.wait_for_text("#home-title", "", WAIT)?;
    // The link worked once.
    b.goto(link)?;
    b.wait_for_text("#invite-closed", "", WAIT)?;
    b.goto(&format!("{base}/users"))?;
    Ok(())
}

db_test!(
    journey_a_colleague_is_invited_and_accepts_from_the_e_mail,
    |t| async move {
        need_browser!();
        let admin = t.with_user(Role::Admin).await;
        let base = serve(&t).await;
        let (b2, email) = (base.clone(), admin.email.clone());
        tokio::task::spawn_blocking(move || invite_journey(&b2, &email))
            .await
            .unwrap()
            .unwrap();
        let link = invitation_link(&t, &admin, "claire.martin@acme.test", &base).await;
        let b3 = base.clone();
        tokio::task::spawn_blocking(move || accept_journey(&link, &b3))
            .await
            .unwrap()
            .unwrap();
        let claire = bilan_app::users::find_by_email(&t.app, "claire.martin@acme.test")
            .await
            .unwrap();
        assert!(claire.last_login_at.is_some(), "signed in after choosing the password");
        assert_eq!(claire.role, "account_manager");
        let pending = bilan_app::invitations::pending(&t.app, &admin).await.unwrap();
        assert!(pending.is_empty(), "the invitation is used");
        // Nobody changes their own role, whatever the way in.
        let own = bilan_app::users::update_user(&t.app, &admin, admin.user_id, None, Some("viewer"), None, None).await;
        assert!(matches!(own, Err(bilan_app::AppError::Conflict(_))));
    }
);

db_test!(invitations_through_the_api_and_the_command_line, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let router = t.router();
    let body = serde_json::json!({"email": "paul@acme.test", "role": "support", "language": "en"});
    let res = bilan_testkit::http::api(
        &router,
        axum::http::Method::POST,
        "/api/v1/users/invitations",
        &token,
        Some(body.clone()),
    )
    .await;
    assert_eq!(res.status, axum::http::StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["user"]["email"], "paul@acme.test");
    assert!(res.json()["user"]["last_login_at"].is_null());
    let again = bilan_testkit::http::api(
        &router,
        axum::http::Method::POST,
        "/api/v1/users/invitations",
        &token,
        Some(body),
    )
    .await;
    assert_eq!(
        again.status,
        axum::http::StatusCode::CONFLICT,
        "one person, one invitation"
    );
    let bad = serde_json::json!({"email": "paul", "role": "wizard"});
    let refused = bilan_testkit::http::api(
        &router,
        axum::http::Method::POST,
        "/api/v1/users/invitations",
        &token,
        Some(bad),
    )
    .await;
    assert_eq!(refused.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    // The e-mail is in English, as asked, and carries the link.
    let link = invitation_link(&t, &admin, "paul@acme.test", "").await;
    assert!(link.starts_with("/invitations/"));
    let mut pc = t.app.db.acquire().await.unwrap();
    let rows = bilan_db::outbox::list(&mut pc.conn(), admin.workspace_id, 10)
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r.subject.contains("your access to Bilan")));
    drop(pc);
    // An unknown or used link says so, and is never cached.
    let page = bilan_testkit::http::send(
        &router,
        axum::http::Request::builder()
            .uri("/invitations/nope")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, axum::http::StatusCode::GONE);
    assert_eq!(
        page.headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    // The command line invites too.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bilan"))
        .args([
            "user",
            "invite",
            "--workspace",
            "Acme",
            "--email",
            "zoe@acme.test",
            "--role",
            "viewer",
        ])
        .env("BILAN_DATABASE_URL", t.database_url())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.contains("invited zoe@acme.test"), "{said}");
});

fn preview_and_formats_journey(base: &str, email: &str, file: &str) -> Result<(), String> {
    let b = Browser::start()?;
    b.set_window_size(1440, 900)?;
    log_in(&b, base, email)?;
    // The import preview, in French: nothing written yet says "à créer"; reasons once;
    // field labels, never internal names; the ignored column named; selects inside their card.
    b.goto(&format!("{base}/import"))?;
    b.find("#i-file")?.send_keys(file)?;
    b.find("#import-form button[type=submit]")?.click()?;
    b.wait_for_text("#import-summary", "à créer", WAIT)?;
    let page = b.execute("return document.body.innerText;", &[])?;
    let text = page.as_str().unwrap_or_default();
    if text.contains("créés") || text.contains("(name)") || text.contains("Invalid") {
        return Err(format!("the preview reads wrong: {text}"));
    }
    b.wait_for_text("#ignored-columns", "Couleur préférée", WAIT)?;
    let overflow = b.execute(
        "var card = document.getElementById('import-confirm').getBoundingClientRect();\
         return Array.from(document.querySelectorAll('#import-confirm select')).filter(s => s.getBoundingClientRect().right > card.right + 1).length;",
        &[],
    )?;
    if overflow.as_i64() != Some(0) {
        return Err(format!("{overflow} mapping selects overflow their card"));
    }
    // The satisfaction page in French: decimal commas, French percentages, chart
    // labels inside the chart, each period's sample size.
    b.goto(&format!("{base}/satisfaction"))?;
    b.wait_for_text("#nps-value", "100,0", WAIT)?;
    b.wait_for_text("#min-answers-note", "5 réponses", WAIT)?;
    let clipped = b.execute(
        "return Array.from(document.querySelectorAll('svg.chart')).map(svg => { var box = svg.getBoundingClientRect();\
           return Array.from(svg.querySelectorAll('text.axis')).filter(t => { var r = t.getBoundingClientRect();\
             return r.left < box.left - 1 || r.right > box.right + 1; }).length; }).reduce((a, b) => a + b, 0);",
        &[],
    )?;
    if clipped.as_i64() != Some(0) {
        return Err(format!("{clipped} chart labels stick out of their chart"));
    }
    let sizes = b.execute(
        "return Array.from(document.querySelectorAll('svg.chart text.n')).map(t => t.textContent).join('|');",
        &[],
    )?;
    if !sizes.as_str().unwrap_or_default().contains("n\u{a0}=\u{a0}1") {
        return Err("the charts do not show each period's sample size".into());
    }
    Ok(())
}

db_test!(journey_import_preview_and_french_figures, |t| async move {
    need_browser!();
    let p = portfolio(&t).await;
    // One NPS answer (9/10), given through its link.
    let survey = bilan_app::surveys::create_survey(
        &t.app,
        &p.me,
        &bilan_domain::surveys::SurveyInput {
            name: Some("NPS".into()),
            kind: Some("nps".into()),
            question_fr: Some("Recommanderiez-vous ?".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let claire = bilan_app::contacts::list_contacts(
        &t.app,
        &p.me,
        &bilan_app::contacts::ContactQuery {
            q: Some("verite".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let mut input = claire.to_input();
    input.survey_consent = Some("true".into());
    bilan_app::contacts::update_contact(&t.app, &p.me, claire.id, claire.version, &input)
        .await
        .unwrap();
    bilan_app::surveys::send_survey(&t.app, &p.me, survey.id, p.account, &[claire.id])
        .await
        .unwrap();
    let secret = {
        let mut pc = t.app.db.acquire().await.unwrap();
        let rows = bilan_db::outbox::list(&mut pc.conn(), p.me.workspace_id, 10)
            .await
            .unwrap();
        let body = &rows
            .iter()
            .find(|r| r.purpose == "survey_invitation")
            .unwrap()
            .body_text;
        let start = body.find("/s/").unwrap() + 3;
        body[start..start + 64].to_owned()
    };
    let answer = bilan_domain::surveys::AnswerInput {
        score: Some("9".into()),
        comment: None,
    };
    bilan_app::surveys::answer_link(&t.app, &secret, &answer)
        .await
        .unwrap()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("bilan-preview-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("comptes.csv");
    std::fs::write(
        &file,
        "Raison sociale;SIREN;Couleur préférée\nDanone Export;552032534;bleu\nFaute de frappe;552032535;vert\n",
    )
    .unwrap();
    let base = serve(&t).await;
    let (email, path) = (p.me.email.clone(), file.display().to_string());
    let result = tokio::task::spawn_blocking(move || preview_and_formats_journey(&base, &email, &path))
        .await
        .unwrap();
    drop(std::fs::remove_dir_all(&dir));
    result.unwrap();
});
