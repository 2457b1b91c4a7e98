//! `bilan db copy`: a workspace moves whole from SQLite to PostgreSQL.

use crate::danone;
use bilan_domain::contacts::ContactInput;
use bilan_domain::roles::Role;
use bilan_testkit::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_a_workspace_from_sqlite_to_postgres() {
    let from = TestApp::sqlite().await;
    let Some(to) = TestApp::postgres().await else { return };
    let admin = from.user_in("Acme", Role::Admin).await;
    let _other = from.user_in("Other", Role::Admin).await;
    let acc = bilan_app::accounts::create_account(&from.app, &admin, &danone())
        .await
        .unwrap();
    let site = bilan_app::accounts::add_site(
        &from.app,
        &admin,
        acc.id,
        &bilan_domain::accounts::SiteInput {
            name: Some("Siège".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let contact = ContactInput {
        account_id: Some(acc.id.to_string()),
        last_name: Some("Martin".into()),
        site_id: Some(site.id.to_string()),
        roles: Some("buyer,finance".into()),
        ..Default::default()
    };
    bilan_app::contacts::create_contact(&from.app, &admin, &contact)
        .await
        .unwrap();
    let call = bilan_domain::timeline::InteractionInput {
        account_id: Some(acc.id.to_string()),
        channel: Some("phone".into()),
        direction: Some("inbound".into()),
        occurred_at: Some("2026-11-20T09:00:00Z".into()),
        subject: Some("Appel du client".into()),
        ..Default::default()
    };
    bilan_app::timeline::log_interaction(&from.app, &admin, &call)
        .await
        .unwrap();
    // A survey answered by a consenting contact.
    let asked = bilan_app::contacts::create_contact(
        &from.app,
        &admin,
        &ContactInput {
            account_id: Some(acc.id.to_string()),
            last_name: Some("Durand".into()),
            email: Some("durand@danone.test".into()),
            survey_consent: Some("true".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let survey = bilan_app::surveys::create_survey(
        &from.app,
        &admin,
        &bilan_domain::surveys::SurveyInput {
            name: Some("NPS".into()),
            kind: Some("nps".into()),
            question_fr: Some("Nous recommanderiez-vous ?".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    bilan_app::surveys::set_interval(&from.app, &admin, "45").await.unwrap();
    bilan_app::surveys::send_survey(&from.app, &admin, survey.id, acc.id, &[asked.id])
        .await
        .unwrap();
    let body = {
        let mut pc = from.app.db.acquire().await.unwrap();
        bilan_db::outbox::list(&mut pc.conn(), admin.workspace_id, 1)
            .await
            .unwrap()[0]
            .body_text
            .clone()
    };
    let at = body.find("/s/").unwrap() + 3;
    let answer = bilan_domain::surveys::AnswerInput {
        score: Some("9".into()),
        comment: None,
    };
    bilan_app::surveys::answer_link(&from.app, &body[at..at + 64], &answer)
        .await
        .unwrap()
        .unwrap();
    let token = from.token_for(&admin).await;
    let report = bilan_db::copy::copy_workspace(&from.app.db, &to.app.db, "Acme")
        .await
        .unwrap();
    assert_eq!(
        [
            "users",
            "api_tokens",
            "accounts",
            "sites",
            "contacts",
            "surveys",
            "survey_answers"
        ]
        .map(|t| report.of(t)),
        [1, 1, 1, 1, 2, 1, 1]
    );
    let (surveys, interval) = bilan_app::surveys::list_surveys(&to.app, &admin).await.unwrap();
    assert_eq!((surveys.len(), interval), (1, 45));
    let range = bilan_app::surveys::SatisfactionQuery::default()
        .parse(bilan_domain::timeline::local_day(to.app.now()))
        .unwrap();
    let d = bilan_app::surveys::satisfaction(&to.app, &admin, &range).await.unwrap();
    assert_eq!(
        (d.overall.promoters, d.total_rate.sent),
        (1, 1),
        "answers and invitations moved"
    );
    // The copy is complete: same account, same tags and money, the token and password still work.
    let copied = bilan_app::accounts::find_account(&to.app, &admin, acc.id)
        .await
        .unwrap();
    assert_eq!(copied, acc);
    let actor = bilan_app::auth::authenticate_token(&to.app, &token).await.unwrap();
    assert_eq!(actor.user_id, admin.user_id);
    assert!(
        bilan_app::auth::login(&to.app, &admin.email, bilan_testkit::PASSWORD, None, None)
            .await
            .is_ok()
    );
    let q = bilan_app::accounts::AccountQuery {
        q: Some("danone".into()),
        ..Default::default()
    };
    assert_eq!(
        bilan_app::accounts::list_accounts(&to.app, &admin, &q)
            .await
            .unwrap()
            .items
            .len(),
        1,
        "search index filled"
    );
    // Copying again is refused, and nothing is half-written.
    assert!(bilan_db::copy::copy_workspace(&from.app.db, &to.app.db, "Acme")
        .await
        .is_err());
    assert!(
        bilan_app::users::find_workspace(&to.app, "Other").await.is_err(),
        "only the named workspace moves"
    );
}
