//! `bilan bench --only outbox`: e-mails handed to SMTP per second, from survey
//! invitations queued in the outbox to a local SMTP server that accepts everything.

use crate::commands::open_app;
use anyhow::{Context, Result};
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server on loopback that accepts and discards every message, so
/// the figure is Bilan's (claim, build, hand over, record), not a mail server's.
async fn smtp_sink() -> Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            // Replies are small writes: without this, delayed ACKs cost 40 ms a message.
            drop(socket.set_nodelay(true));
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
                    return;
                }
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line == "." {
                            in_data = false;
                            b"250 2.0.0 queued\r\n"
                        } else {
                            continue;
                        }
                    } else {
                        match line.get(..4).map(str::to_ascii_uppercase).as_deref() {
                            Some("EHLO") => b"250-sink\r\n250 8BITMIME\r\n",
                            Some("DATA") => {
                                in_data = true;
                                b"354 go ahead\r\n"
                            }
                            Some("QUIT") => {
                                drop(write.write_all(b"221 bye\r\n").await);
                                return;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(port)
}

/// Queues `n` survey invitations, then delivers them with `workers` workers; returns e-mails/s.
pub async fn bench_outbox(url: &str, n: usize, workers: usize) -> Result<f64> {
    let app = open_app(url, 8).await?;
    let actor = super::bench_admin(&app, "outbox").await?;
    let fail = |e: bilan_app::AppError| anyhow::anyhow!(crate::commands::describe(&e));
    let account = bilan_app::accounts::create_account(
        &app,
        &actor,
        &bilan_domain::accounts::AccountInput {
            name: Some("Outbox".into()),
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    let survey = bilan_app::surveys::create_survey(
        &app,
        &actor,
        &bilan_domain::surveys::SurveyInput {
            name: Some("NPS".into()),
            kind: Some("nps".into()),
            question_fr: Some("Nous recommanderiez-vous ?".into()),
            ..Default::default()
        },
    )
    .await
    .map_err(fail)?;
    let mut contacts = Vec::with_capacity(n);
    for i in 0..n {
        let c = bilan_app::contacts::create_contact(
            &app,
            &actor,
            &bilan_domain::contacts::ContactInput {
                account_id: Some(account.id.to_string()),
                first_name: Some("Client".into()),
                last_name: Some(format!("Numéro {i}")),
                email: Some(format!("client{i}@outbox.test")),
                survey_consent: Some("true".into()),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
        contacts.push(c.id);
    }
    for chunk in contacts.chunks(500) {
        bilan_app::surveys::send_survey(&app, &actor, survey.id, account.id, chunk)
            .await
            .map_err(fail)?;
    }
    let port = smtp_sink().await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let app = app.clone();
        let mailer = bilan_app::outbox::Mailer::from_url(
            &format!("smtp://127.0.0.1:{port}"),
            "Bench <bench@bilan.test>",
            "http://127.0.0.1:8080",
        )
        .map_err(fail)?;
        tasks.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let r = bilan_app::outbox::deliver_due(&app, &mailer, &format!("bench-{w}"), 100).await?;
                if r.handled() == 0 {
                    return Ok::<usize, bilan_app::AppError>(sent);
                }
                sent += r.sent;
            }
        }));
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await.context("a worker panicked")?.map_err(fail)?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    anyhow::ensure!(sent == n, "{sent} of {n} e-mails sent");
    app.close().await;
    Ok(sent as f64 / elapsed)
}
