//! The invitation e-mail, plain text and HTML, in the contact's language.

use crate::{AppError, AppResult};
use askama::Template;
use bilan_db::surveys::InvitationRow;
use bilan_domain::surveys::Survey;
use bilan_domain::timeline::local_day;
use bilan_i18n::{t, Lang};

#[derive(Template)]
#[template(path = "mail/survey_invitation.txt")]
struct InvitationText<'a> {
    greeting: &'a str,
    intro: &'a str,
    question: &'a str,
    cta: &'a str,
    link: &'a str,
    expiry: &'a str,
    signature: &'a str,
    why: &'a str,
}

#[derive(Template)]
#[template(path = "mail/survey_invitation.html")]
struct InvitationHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    intro: &'a str,
    question: &'a str,
    cta: &'a str,
    link: &'a str,
    expiry: &'a str,
    signature: &'a str,
    why: &'a str,
}

/// The public address of a link under a base URL.
pub fn link_url(base: &str, secret: &str) -> String {
    format!("{}/s/{secret}", base.trim_end_matches('/'))
}

/// Subject, plain text and HTML of an invitation, in the contact's language.
pub(super) fn invitation_mail(
    survey: &Survey,
    inv: &InvitationRow,
    first_name: &Option<String>,
    full_name: &str,
    company: &str,
    secret: &str,
) -> AppResult<(String, String, String)> {
    let lang = Lang::parse(&inv.language).unwrap_or(Lang::Fr);
    let fill = |key: &str| t(lang, key).replace("{company}", company);
    let greeting = t(lang, "mail.survey.greeting").replace("{name}", first_name.as_deref().unwrap_or(full_name));
    let subject = fill("mail.survey.subject");
    let intro = fill("mail.survey.intro");
    let cta = fill("mail.survey.cta");
    let expires_on = local_day(inv.expires_at);
    let expiry = t(lang, "mail.survey.expiry").replace("{date}", &expires_on.format("%d/%m/%Y").to_string());
    let signature = fill("mail.survey.signature");
    let why = fill("mail.survey.why");
    let link = link_url(crate::outbox::PUBLIC_URL_MARKER, secret);
    let question = survey.question(lang.code());
    let text = InvitationText {
        greeting: &greeting,
        intro: &intro,
        question,
        cta: &cta,
        link: &link,
        expiry: &expiry,
        signature: &signature,
        why: &why,
    }
    .render()
    .map_err(|e| AppError::Internal(format!("mail template: {e}")))?;
    let html = InvitationHtml {
        lang: lang.code(),
        subject: &subject,
        greeting: &greeting,
        intro: &intro,
        question,
        cta: &cta,
        link: &link,
        expiry: &expiry,
        signature: &signature,
        why: &why,
    }
    .render()
    .map_err(|e| AppError::Internal(format!("mail template: {e}")))?;
    Ok((subject, text, html))
}
