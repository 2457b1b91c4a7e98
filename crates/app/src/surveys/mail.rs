//! The invitation e-mail, plain text and HTML, in the contact's language.

use crate::{AppError, AppResult};
use askama::Template;
use bilan_db::surveys::InvitationRow;
use bilan_domain::surveys::Survey;
use bilan_domain::timeline::local_day;
use bilan_i18n::{t, Lang};

/// What the invitation says, in the contact's language.
struct Parts {
    lang: &'static str,
    subject: String,
    greeting: String,
    intro: String,
    question: String,
    cta: String,
    link: String,
    expiry: String,
    signature: String,
    why: String,
    stop: String,
    stop_link: String,
}

#[derive(Template)]
#[template(path = "mail/survey_invitation.txt")]
struct InvitationText<'a> {
    p: &'a Parts,
}

#[derive(Template)]
#[template(path = "mail/survey_invitation.html")]
struct InvitationHtml<'a> {
    p: &'a Parts,
}

/// The public address of a link under a base URL.
pub fn link_url(base: &str, secret: &str) -> String {
    format!("{}/s/{secret}", base.trim_end_matches('/'))
}

/// Subject, plain text and HTML of an invitation, in the contact's language.
pub(super) fn invitation_mail(
    trigger: bilan_domain::events::EventKind,
    survey: &Survey,
    inv: &InvitationRow,
    first_name: &Option<String>,
    full_name: &str,
    company: &str,
    secret: &str,
) -> AppResult<(String, String, String)> {
    let lang = Lang::parse(&inv.language).unwrap_or(Lang::Fr);
    let fill = |key: &str| t(lang, key).replace("{company}", company);
    let expires_on = local_day(inv.expires_at).format("%d/%m/%Y").to_string();
    let p = Parts {
        lang: lang.code(),
        subject: fill("mail.survey.subject"),
        greeting: t(lang, "mail.survey.greeting").replace("{name}", first_name.as_deref().unwrap_or(full_name)),
        // The opening names what happened: a delivery, a meeting, a support answer…
        intro: {
            let key = format!("mail.survey.intro.{}", trigger.code());
            if bilan_i18n::has(&key) {
                fill(&key)
            } else {
                fill("mail.survey.intro")
            }
        },
        question: survey.question(lang.code()).to_owned(),
        cta: fill("mail.survey.cta"),
        link: link_url(crate::outbox::PUBLIC_URL_MARKER, secret),
        expiry: t(lang, "mail.survey.expiry").replace("{date}", &expires_on),
        signature: fill("mail.survey.signature"),
        why: fill("mail.survey.why"),
        stop: fill("mail.survey.stop"),
        stop_link: format!("{}/stop", link_url(crate::outbox::PUBLIC_URL_MARKER, secret)),
    };
    let failed = |e: askama::Error| AppError::Internal(format!("mail template: {e}"));
    let text = InvitationText { p: &p }.render().map_err(failed)?;
    let html = InvitationHtml { p: &p }.render().map_err(failed)?;
    Ok((p.subject, text, html))
}
