//! A workspace's complaint settings: its deadlines, whether owners get an e-mail
//! about a deadline, the consumer mediator named in answers, and its letters.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::complaints::{self as store, LetterRow, SettingsRow};
use bilan_db::Conn;
use bilan_domain::audit::AuditAction;
use bilan_domain::complaint_letters::{default_template, LetterKind, LetterTemplate, TemplateInput};
use bilan_domain::complaints::{ComplaintRules, RulesInput};
use bilan_domain::roles::Permission;
use bilan_domain::validation::{optional_text, ValidationErrors};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest mediator text (name, address, web site).
pub const MEDIATOR_MAX: usize = 1_000;

/// The languages letters are written in.
pub const LETTER_LANGS: [&str; 2] = ["fr", "en"];

/// The settings as shown and edited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintSettings {
    /// Deadlines.
    pub rules: ComplaintRules,
    /// Whether owners get an e-mail on a deadline's eve and once it has passed.
    pub alert_by_email: bool,
    /// The consumer mediator's name and address.
    pub mediator: Option<String>,
    /// Version for optimistic concurrency (0: never saved).
    pub version: i64,
    /// Each letter in each language, and whether it is the workspace's own.
    pub letters: Vec<Letter>,
}

/// One letter template in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letter {
    /// Which letter.
    pub kind: LetterKind,
    /// `fr` or `en`.
    pub lang: &'static str,
    /// The template.
    pub template: LetterTemplate,
    /// Whether the workspace wrote it (otherwise Bilan's).
    pub custom: bool,
}

/// The settings as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsInput {
    /// Working days to acknowledge.
    pub acknowledge_working_days: Option<String>,
    /// Months to answer.
    pub answer_months: Option<String>,
    /// `true` or `false`.
    pub alert_by_email: Option<String>,
    /// The consumer mediator.
    pub mediator: Option<String>,
}

/// The rules in force in a workspace (Bilan's defaults until it saves its own).
pub(crate) async fn rules_in(c: &mut Conn<'_>, ws: Uuid) -> AppResult<ComplaintRules> {
    Ok(store::settings(c, ws)
        .await?
        .map_or_else(ComplaintRules::default, |s| s.rules()))
}

/// The settings row in force (defaults when never saved).
pub(crate) async fn row_in(c: &mut Conn<'_>, ws: Uuid) -> AppResult<SettingsRow> {
    Ok(match store::settings(c, ws).await? {
        Some(r) => r,
        None => {
            let d = ComplaintRules::default();
            SettingsRow {
                id: Uuid::nil(),
                workspace_id: ws,
                acknowledge_working_days: i32::try_from(d.acknowledge_working_days).unwrap_or(2),
                answer_months: i32::try_from(d.answer_months).unwrap_or(2),
                alert_by_email: true,
                mediator: None,
                version: 0,
                updated_at: chrono::DateTime::UNIX_EPOCH,
            }
        }
    })
}

/// The template of `kind` in `lang` in force in a workspace.
pub(crate) async fn template_in(c: &mut Conn<'_>, ws: Uuid, kind: LetterKind, lang: &str) -> AppResult<LetterTemplate> {
    let own = store::letters(c, ws)
        .await?
        .into_iter()
        .find(|l| l.kind == kind.code() && l.lang == lang);
    Ok(own.map_or_else(
        || default_template(kind, lang),
        |l| LetterTemplate {
            subject: l.subject,
            body: l.body,
        },
    ))
}

/// The workspace's settings.
pub async fn settings(app: &App, actor: &Actor) -> AppResult<ComplaintSettings> {
    actor.require(Permission::ReadComplaints)?;
    let ws = actor.workspace_id;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let row = row_in(&mut c, ws).await?;
    let own = store::letters(&mut c, ws).await?;
    let mut letters = Vec::new();
    for kind in LetterKind::ALL {
        for lang in LETTER_LANGS {
            let mine = own.iter().find(|l| l.kind == kind.code() && l.lang == lang);
            letters.push(Letter {
                kind,
                lang,
                template: mine.map_or_else(
                    || default_template(kind, lang),
                    |l| LetterTemplate {
                        subject: l.subject.clone(),
                        body: l.body.clone(),
                    },
                ),
                custom: mine.is_some(),
            });
        }
    }
    Ok(ComplaintSettings {
        rules: row.rules(),
        alert_by_email: row.alert_by_email,
        mediator: row.mediator,
        version: row.version,
        letters,
    })
}

/// Saves the deadlines, alerts and mediator, if still at `expected_version`.
/// New deadlines apply to cases opened from now on: a case keeps the deadlines
/// announced to the client.
pub async fn update_settings(
    app: &App,
    actor: &Actor,
    expected_version: i64,
    input: &SettingsInput,
) -> AppResult<ComplaintSettings> {
    let mut e = ValidationErrors::new();
    let rules = RulesInput {
        acknowledge_working_days: input.acknowledge_working_days.clone(),
        answer_months: input.answer_months.clone(),
    }
    .validate()
    .map_err(|v| {
        e.0.extend(v.0);
    })
    .ok();
    let alert_by_email = match input.alert_by_email.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => false,
        Some(v) => bilan_domain::contacts::parse_bool(v).unwrap_or_else(|| {
            e.add("alert_by_email", "bool.invalid");
            false
        }),
    };
    let mediator = optional_text(&mut e, "mediator", input.mediator.as_deref(), MEDIATOR_MAX);
    let mut w = app.write(actor, Permission::ConfigureComplaints).await?;
    e.into_result()?;
    let rules = rules.unwrap_or_default();
    let ws = actor.workspace_id;
    let before = row_in(&mut w.conn(), ws).await?;
    if before.version != expected_version {
        return Err(AppError::Stale {
            current_version: before.version,
        });
    }
    let row = SettingsRow {
        id: if before.id.is_nil() {
            bilan_db::new_id()
        } else {
            before.id
        },
        workspace_id: ws,
        acknowledge_working_days: i32::try_from(rules.acknowledge_working_days).unwrap_or(2),
        answer_months: i32::try_from(rules.answer_months).unwrap_or(2),
        alert_by_email,
        mediator,
        version: before.version + 1,
        updated_at: w.now(),
    };
    if !store::save_settings(&mut w.conn(), &row, Some(expected_version)).await? {
        return Err(AppError::Stale {
            current_version: expected_version + 1,
        });
    }
    let snap = |r: &SettingsRow| {
        serde_json::json!({
            "acknowledge_working_days": r.acknowledge_working_days,
            "answer_months": r.answer_months,
            "alert_by_email": r.alert_by_email,
            "mediator": r.mediator,
        })
    };
    w.audit_entry(
        AuditAction::Update,
        "complaint_settings",
        ws,
        Some(&snap(&before)),
        Some(&snap(&row)),
    );
    w.commit().await?;
    settings(app, actor).await
}

/// Saves the workspace's own template of `kind` in `lang`.
pub async fn save_letter(app: &App, actor: &Actor, kind: &str, lang: &str, input: &TemplateInput) -> AppResult<Letter> {
    let kind = LetterKind::parse(kind).ok_or_else(|| AppError::field("kind", "letter.kind_invalid"))?;
    let lang = LETTER_LANGS
        .into_iter()
        .find(|l| *l == lang.trim())
        .ok_or_else(|| AppError::field("lang", "language.invalid"))?;
    let template = input.validate();
    let mut w = app.write(actor, Permission::ConfigureComplaints).await?;
    let template = template?;
    let ws = actor.workspace_id;
    let before = template_in(&mut w.conn(), ws, kind, lang).await?;
    let now = w.now();
    store::save_letter(
        &mut w.conn(),
        &LetterRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            kind: kind.code().to_owned(),
            lang: lang.to_owned(),
            subject: template.subject.clone(),
            body: template.body.clone(),
            updated_at: now,
        },
    )
    .await?;
    w.audit_entry(
        AuditAction::Update,
        "complaint_letter",
        ws,
        Some(&before),
        Some(&template),
    );
    w.commit().await?;
    Ok(Letter {
        kind,
        lang,
        template,
        custom: true,
    })
}

/// Puts Bilan's template of `kind` in `lang` back.
pub async fn reset_letter(app: &App, actor: &Actor, kind: &str, lang: &str) -> AppResult<()> {
    let kind = LetterKind::parse(kind).ok_or_else(|| AppError::field("kind", "letter.kind_invalid"))?;
    let mut w = app.write(actor, Permission::ConfigureComplaints).await?;
    let ws = actor.workspace_id;
    let before = template_in(&mut w.conn(), ws, kind, lang).await?;
    if store::delete_letter(&mut w.conn(), ws, kind.code(), lang).await? {
        let after = default_template(kind, lang);
        w.audit_entry(AuditAction::Update, "complaint_letter", ws, Some(&before), Some(&after));
    }
    w.commit().await?;
    Ok(())
}
