//! The unit of work and background jobs on both engines: what a rolled-back
//! change leaves (nothing), recurring slots that fire once however many workers
//! race and after downtime, failed jobs shown and retried, and the jobs page, API
//! and CLI.

use crate::logged_in;
use crate::surveys::{account_owned_by, person, rule, survey};
use axum::http::{Method, StatusCode};
use bilan_app::events::Event;
use bilan_app::jobs::worker::{enqueue_due_slots, SlotMemory};
use bilan_app::outbox::Outgoing;
use bilan_domain::audit::AuditAction;
use bilan_domain::events::EventKind;
use bilan_domain::roles::{Permission, Role};
use bilan_testkit::http::api;
use bilan_testkit::{db_test, TestApp};
use chrono::Duration;
use uuid::Uuid;

async fn count(t: &TestApp, table: &str, ws: Uuid) -> i64 {
    let mut pc = t.app.db.acquire().await.unwrap();
    bilan_db::tables::count_rows(&mut pc.conn(), table, ws).await.unwrap()
}

async fn counts(t: &TestApp, ws: Uuid) -> [i64; 5] {
    [
        count(t, "audit_log", ws).await,
        count(t, "events", ws).await,
        count(t, "jobs", ws).await,
        count(t, "outbox", ws).await,
        count(t, "survey_invitations", ws).await,
    ]
}

/// A unit of work that audits, raises a delivery (which schedules an invitation
/// and its e-mail), enqueues a job and queues a message of its own.
async fn eventful_work(t: &TestApp, admin: &bilan_app::Actor, account: Uuid, contact: Uuid) -> bilan_app::Work {
    let mut w = t.app.write(admin, Permission::WriteInteractions).await.unwrap();
    let now = w.now();
    w.audit_entry(
        AuditAction::Update,
        "account",
        account,
        None,
        Some(&serde_json::json!({"x": 1})),
    );
    let raised = w
        .raise_now(vec![Event {
            kind: EventKind::Delivery,
            account_id: account,
            contact_ids: vec![contact],
            source_kind: "manual",
            source_id: Uuid::now_v7(),
            occurred_at: now,
        }])
        .await
        .unwrap();
    assert_eq!(
        (raised.events, raised.invitations),
        (1, 1),
        "the survey subscriber reacted"
    );
    w.enqueue_at(&bilan_app::auth::PurgeSessions::default(), now + Duration::days(1))
        .unwrap();
    w.queue_mail(Outgoing {
        purpose: "test",
        subject_id: None,
        to_address: "someone@client.test".into(),
        to_name: None,
        subject: "Hello".into(),
        text: "Hello".into(),
        html: "<p>Hello</p>".into(),
        not_before: now,
        attachments: Vec::new(),
    });
    w
}

db_test!(a_rolled_back_unit_of_work_leaves_nothing, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let ws = admin.workspace_id;
    let account = account_owned_by(&t, &admin, "Danone", None, "ge").await;
    let contact = person(&t, &admin, account, "Durand", true, false, "buyer", None).await;
    let s = survey(&t, &admin, "Livraison", "nps").await;
    rule(&t, &admin, s, "delivery", "0", "buyer").await;
    let before = counts(&t, ws).await;

    let w = eventful_work(&t, &admin, account, contact).await;
    drop(w);
    assert_eq!(
        counts(&t, ws).await,
        before,
        "dropped without commit: no entry, event, job, mail or invitation"
    );

    let w = eventful_work(&t, &admin, account, contact).await;
    w.rollback().await.unwrap();
    assert_eq!(counts(&t, ws).await, before, "rolled back explicitly: the same");

    let w = eventful_work(&t, &admin, account, contact).await;
    w.commit().await.unwrap();
    let [audit, events, jobs, outbox, invitations] = counts(&t, ws).await;
    assert_eq!(
        [
            audit - before[0],
            events - before[1],
            jobs - before[2],
            outbox - before[3],
            invitations - before[4]
        ],
        [1, 1, 1, 2, 1],
        "committed: everything at once (the health recompute its exchange asks for was already pending)"
    );
    // The job is due tomorrow: run it then, with the pending health recompute,
    // so the harness finds nothing left.
    t.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(t.run_pending_jobs().await.done, 2);
});

db_test!(a_failed_use_case_leaves_no_trace_of_its_unit_of_work, |t| async move {
    // A use case that fails half-way (a duplicate external reference after the
    // first item was written) leaves no audit entry, event or row.
    let admin = t.with_user(Role::Admin).await;
    let ws = admin.workspace_id;
    let account = account_owned_by(&t, &admin, "Danone", None, "ge").await;
    let forbidden = t.with_user(Role::Viewer).await;
    let before = counts(&t, ws).await;
    let item = |r: &str| bilan_domain::timeline::InteractionInput {
        account_id: Some(account.to_string()),
        channel: Some("visit".into()),
        direction: Some("outbound".into()),
        occurred_at: Some("2026-11-23T08:00:00Z".into()),
        tags: Some("livraison".into()),
        external_ref: Some(r.into()),
        ..Default::default()
    };
    let err = bilan_app::timeline::log_interaction(&t.app, &forbidden, &item("a")).await;
    assert!(matches!(err, Err(bilan_app::AppError::Forbidden)));
    bilan_app::timeline::log_interaction(&t.app, &admin, &item("a"))
        .await
        .unwrap();
    let dup = bilan_app::timeline::log_interaction(&t.app, &admin, &item("a")).await;
    assert!(dup.is_err());
    let after = counts(&t, ws).await;
    assert_eq!(after[0] - before[0], 1, "only the logged visit is audited");
    assert_eq!(after[1] - before[1], 1, "only its delivery event is stored");
});

db_test!(a_recurring_job_fires_once_per_slot, |t| async move {
    // Two workers race for the same slots: each schedule's slot is inserted once.
    let (a, b) = tokio::join!(
        async {
            let mut m = SlotMemory::default();
            enqueue_due_slots(&t.app, &mut m).await.unwrap()
        },
        async {
            let mut m = SlotMemory::default();
            enqueue_due_slots(&t.app, &mut m).await.unwrap()
        }
    );
    // No workspace yet: the per-workspace schedules have nobody to run for.
    let schedules = bilan_app::jobs::registry::SCHEDULES
        .iter()
        .filter(|s| s.scope == bilan_app::jobs::registry::Scope::Installation)
        .count();
    assert_eq!(a + b, schedules, "one job per schedule, whoever inserted it");
    let (w1, w2) = tokio::join!(
        bilan_app::jobs::run_pending(&t.app, "worker-1", 100),
        bilan_app::jobs::run_pending(&t.app, "worker-2", 100)
    );
    let (w1, w2) = (w1.unwrap(), w2.unwrap());
    assert_eq!(w1.done + w2.done, schedules, "each slot's job ran once");
    // A worker that already enqueued this slot writes nothing on its next pass.
    let mut m = SlotMemory::default();
    assert_eq!(enqueue_due_slots(&t.app, &mut m).await.unwrap(), 0);
    assert_eq!(enqueue_due_slots(&t.app, &mut m).await.unwrap(), 0);

    // Three days down: on restart each schedule catches up with one run (the latest slot).
    t.clock.advance(Duration::days(3));
    let mut fresh = SlotMemory::default();
    assert_eq!(enqueue_due_slots(&t.app, &mut fresh).await.unwrap(), schedules);
    let mut other = SlotMemory::default();
    assert_eq!(enqueue_due_slots(&t.app, &mut other).await.unwrap(), 0, "no duplicate");
    assert_eq!(t.run_pending_jobs().await.done, schedules);
    let all = bilan_app::jobs::list_all_jobs(&t.app, Some("done"), 500).await.unwrap();
    assert_eq!(all.items.len(), 2 * schedules);
    let mut keys: Vec<_> = all.items.iter().map(|j| (j.kind.clone(), j.run_at)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 2 * schedules, "no slot ran twice");
});

db_test!(failed_jobs_are_retried_then_shown_and_run_again, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let ws = admin.workspace_id;
    // A job whose payload this version cannot read fails on every attempt.
    let mut w = t.app.write(&admin, Permission::ManageJobs).await.unwrap();
    w.enqueue(&bilan_app::jobs::PurgeFinishedJobs::default()).unwrap();
    w.commit().await.unwrap();
    {
        let mut pc = t.app.db.acquire().await.unwrap();
        bilan_db::with_conn!(&mut pc.conn(), |c| sqlx::query(
            "UPDATE jobs SET kind = 'vanished_kind' WHERE workspace_id = $1"
        )
        .bind(ws)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    let first = t.run_pending_jobs().await;
    assert_eq!(first.retried, 1, "a failure is tried again later");
    for _ in 0..bilan_domain::jobs::MAX_ATTEMPTS {
        t.clock.advance(Duration::hours(3));
        t.run_pending_jobs().await;
    }
    let failed = bilan_app::jobs::list_jobs(&t.app, &admin, Some("failed"), 10)
        .await
        .unwrap();
    assert_eq!(failed.items.len(), 1);
    let job = &failed.items[0];
    assert!(
        job.last_error.as_deref().unwrap_or("").contains("vanished_kind"),
        "{job:?}"
    );
    assert_eq!(job.attempts, bilan_domain::jobs::MAX_ATTEMPTS);

    // Admins only: on the page, through the API, and its retry is audited.
    let manager = t.with_user(Role::Manager).await;
    assert!(matches!(
        bilan_app::jobs::list_jobs(&t.app, &manager, None, 10).await,
        Err(bilan_app::AppError::Forbidden)
    ));
    let mut page = logged_in(&t, &admin).await;
    let html = page.get("/jobs?status=failed").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("vanished_kind") && html.body.contains(&format!("/jobs/{}/retry", job.id)));
    let typed = page.get("/jobs?status=lost").await;
    assert_eq!(typed.status, StatusCode::OK, "a bad filter shows the page");
    assert!(
        typed
            .body
            .contains("id=\"e-status\">Unknown status (pending, running, done, failed)"),
        "{}",
        typed.body
    );
    assert!(
        typed.body.contains("aria-invalid=\"true\""),
        "the error is at the filter"
    );
    let users = page.get("/users").await;
    assert!(
        users.body.contains("id=\"jobs-link\""),
        "the team page links to the jobs"
    );
    let mut other = logged_in(&t, &manager).await;
    assert_eq!(other.get("/jobs").await.status, StatusCode::FORBIDDEN);
    assert!(!other.get("/users").await.body.contains("id=\"jobs-link\""));

    let token = t.token_for(&admin).await;
    let router = t.router();
    let listed = api(&router, Method::GET, "/api/v1/jobs?status=failed", &token, None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.json()["items"][0]["id"], job.id.to_string());
    assert_eq!(listed.json()["counts"]["failed"], 1);
    let bad = api(&router, Method::GET, "/api/v1/jobs?status=lost", &token, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "status");

    let retried = page.post_form(&format!("/jobs/{}/retry", job.id), &[]).await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
    let again = api(
        &router,
        Method::POST,
        &format!("/api/v1/jobs/{}/retry", job.id),
        &token,
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "only a failed job can be retried");
    let history = bilan_app::audit::history(&t.app, &admin, bilan_db::audit::AuditScope::Record(job.id), None, 10)
        .await
        .unwrap();
    assert_eq!(history.items.len(), 1, "the retry is audited");
    // Fix the cause (the kind exists again), and the retried job runs.
    {
        let mut pc = t.app.db.acquire().await.unwrap();
        bilan_db::with_conn!(&mut pc.conn(), |c| sqlx::query(
            "UPDATE jobs SET kind = 'purge_finished_jobs' WHERE workspace_id = $1"
        )
        .bind(ws)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    assert_eq!(t.run_pending_jobs().await.done, 1);
    assert!(t.leftover_jobs().await.is_empty());
});

#[test]
fn every_job_kind_has_a_label_in_both_languages() {
    for kind in bilan_app::jobs::registry::JOBS {
        let key = format!("jobs.kind.{}", kind.kind);
        assert!(bilan_i18n::has(&key), "no message for {key}");
    }
}

db_test!(
    the_operator_retries_any_failed_job_audited_in_its_workspace,
    |t| async move {
        let admin = t.with_user(Role::Admin).await;
        let mut w = t.app.write(&admin, Permission::ManageJobs).await.unwrap();
        w.enqueue(&bilan_app::jobs::PurgeFinishedJobs::default()).unwrap();
        w.commit().await.unwrap();
        let rename = |kind: &'static str| {
            let app = t.app.clone();
            async move {
                let mut pc = app.db.acquire().await.unwrap();
                bilan_db::with_conn!(&mut pc.conn(), |c| sqlx::query("UPDATE jobs SET kind = $1")
                    .bind(kind)
                    .execute(&mut **c)
                    .await
                    .map(|r| r.rows_affected()))
                .unwrap();
            }
        };
        rename("vanished_kind").await;
        for _ in 0..=bilan_domain::jobs::MAX_ATTEMPTS {
            t.run_pending_jobs().await;
            t.clock.advance(Duration::hours(3));
        }
        let failed = bilan_app::jobs::list_all_jobs(&t.app, Some("failed"), 10)
            .await
            .unwrap();
        assert_eq!(failed.items.len(), 1);
        let id = failed.items[0].id;
        assert!(matches!(
            bilan_app::jobs::retry_any_job(&t.app, Uuid::now_v7()).await,
            Err(bilan_app::AppError::NotFound)
        ));
        rename("purge_finished_jobs").await;
        bilan_app::jobs::retry_any_job(&t.app, id).await.unwrap();
        let history = bilan_app::audit::history(&t.app, &admin, bilan_app::audit::AuditScope::Record(id), None, 10)
            .await
            .unwrap();
        assert_eq!(history.items.len(), 1, "the retry is in the workspace's trail");
        assert_eq!(history.items[0].user_id, None, "by the command line");
        assert_eq!(t.run_pending_jobs().await.done, 1);
    }
);
