//! E-mail import for the shared history: an `.eml` file or an mbox reduced to
//! what an account's timeline shows (who, when, subject, the new text, the list
//! of attachments).
//!
//! RFC 5322 and MIME parsing is `mail-parser`'s; this module adds the limits, the
//! normalisation (UTC dates, lower-cased addresses), an HTML-to-text conversion
//! that keeps line breaks, and the removal of quoted replies, so the timeline
//! shows what the sender wrote rather than the whole thread again.
//!
//! Whole-message problems are [`ValidationErrors`] whose field is `file` with one
//! of these codes: `mail.empty`, `mail.not_a_message`, `mail.too_large`.

use crate::validation::ValidationErrors;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use mail_parser::{Addr, Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use serde::Serialize;
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

mod html;
mod mbox;
mod quoting;
mod summary;

use html::*;
pub use mbox::*;
use quoting::*;
pub use summary::*;

/// Largest message accepted, in bytes: the usual attachment limit of mail servers.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// Longest summary, in characters, ellipsis included.
pub const SUMMARY_CHARS: usize = 500;

/// One e-mail, reduced to what the timeline needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailMessage {
    /// Message-ID without angle brackets; de-duplicates re-imports of the same message.
    pub message_id: Option<String>,
    /// First Message-ID of In-Reply-To, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The Date header, converted to UTC.
    pub date: Option<DateTime<Utc>>,
    /// The first address of From.
    pub from: Option<MailAddress>,
    /// Addresses of To, groups flattened.
    pub to: Vec<MailAddress>,
    /// Addresses of Cc, groups flattened.
    pub cc: Vec<MailAddress>,
    /// The decoded subject (RFC 2047 encoded words), trimmed.
    pub subject: Option<String>,
    /// Plain-text body without quoted replies: text/plain, else text/html converted to text.
    pub text: String,
    /// Attachments, listed only: their content is never kept.
    pub attachments: Vec<AttachmentInfo>,
}

/// One mailbox of an address header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailAddress {
    /// Display name, decoded, without surrounding quotes.
    pub name: Option<String>,
    /// The address, lower-cased.
    pub email: String,
}

impl MailAddress {
    /// The part after the `@`, used to match a sender to an account.
    pub fn domain(&self) -> &str {
        self.email.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// An attachment as listed on a timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    /// File name as sent (RFC 2231/2047 decoded), without any directory part.
    pub name: Option<String>,
    /// MIME type, lower-cased, e.g. `application/pdf`.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// A message of an mbox that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MboxError {
    /// Position of the message in the file, from 1.
    pub index: usize,
    /// Byte offset of its `From ` separator line (or of its first byte) in the file.
    pub offset: usize,
    /// Stable code, as for [`parse_eml`]: `mail.empty`, `mail.not_a_message`, `mail.too_large`.
    pub code: String,
}

fn file_error(code: &str) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    e.add("file", code);
    e
}

// ---------------------------------------------------------------------------
// Messages

/// Parses one .eml file; malformed input gives `mail.empty`, `mail.not_a_message` or `mail.too_large`.
pub fn parse_eml(bytes: &[u8]) -> Result<MailMessage, ValidationErrors> {
    parse_with(&MessageParser::new(), bytes)
}

fn parse_with(parser: &MessageParser, bytes: &[u8]) -> Result<MailMessage, ValidationErrors> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(file_error("mail.too_large"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes).trim_ascii_start();
    if bytes.is_empty() {
        return Err(file_error("mail.empty"));
    }
    // Thunderbird and mbox extractors save single messages with their envelope line.
    let bytes = if bytes.starts_with(b"From ") {
        bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(&b""[..], |i| &bytes[i + 1..])
    } else {
        bytes
    };
    // mail-parser reads almost anything as a body; a message starts with a header field.
    if !starts_with_header_field(bytes) {
        return Err(file_error("mail.not_a_message"));
    }
    let Some(message) = parser.parse(bytes) else {
        return Err(file_error("mail.not_a_message"));
    };
    let from = addresses(message.from()).into_iter().next();
    let date = message.date().and_then(to_utc);
    let subject = message.subject().map(clean_header).filter(|s| !s.is_empty());
    if from.is_none() && date.is_none() && subject.is_none() {
        return Err(file_error("mail.not_a_message"));
    }
    let in_reply_to = match message.in_reply_to() {
        HeaderValue::Text(id) => Some(id.as_ref()),
        HeaderValue::TextList(ids) => ids.first().map(AsRef::as_ref),
        _ => None,
    };
    let is_forward = subject.as_deref().is_some_and(is_forward_subject);
    let raw_text = body_text(&message);
    let text = if is_forward {
        tidy(&raw_text)
    } else {
        strip_quoted(&raw_text)
    };
    Ok(MailMessage {
        message_id: message.message_id().and_then(clean_id),
        in_reply_to: in_reply_to.and_then(clean_id),
        date,
        from,
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        subject,
        text,
        attachments: attachments(&message),
    })
}

/// True when the first line is `Name:` with a printable ASCII name (RFC 5322 §2.2).
fn starts_with_header_field(bytes: &[u8]) -> bool {
    let line = bytes.split(|b| *b == b'\n').next().unwrap_or(bytes);
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return false;
    };
    let name = line[..colon].trim_ascii_end();
    !name.is_empty() && name.iter().all(u8::is_ascii_graphic)
}

fn clean_header(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clean_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty()).then(|| id.to_owned())
}

fn to_utc(date: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    // A leap second (`:60`) is kept as the last second of its minute.
    let local = NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day))?
        .and_hms_opt(
            u32::from(date.hour),
            u32::from(date.minute),
            u32::from(date.second.min(59)),
        )?;
    let seconds = i32::from(date.tz_hour) * 3600 + i32::from(date.tz_minute) * 60;
    let offset = FixedOffset::east_opt(if date.tz_before_gmt { -seconds } else { seconds })?;
    offset
        .from_local_datetime(&local)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn addresses(header: Option<&Address<'_>>) -> Vec<MailAddress> {
    header.map_or_else(Vec::new, |a| a.iter().filter_map(mail_address).collect())
}

fn mail_address(addr: &Addr<'_>) -> Option<MailAddress> {
    let email = addr
        .address()?
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_lowercase();
    let (local, domain) = email.split_once('@')?;
    if local.is_empty() || domain.is_empty() || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    // Outlook quotes names twice (`"'Marie Dupont'"`) and some clients repeat the address as name.
    let name = addr
        .name()
        .map(|n| clean_header(n.trim().trim_matches(['"', '\'']).trim()))
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(&email));
    Some(MailAddress { name, email })
}

fn attachments(message: &Message<'_>) -> Vec<AttachmentInfo> {
    let html: Vec<&str> = message
        .html_body
        .iter()
        .filter_map(|id| usize::try_from(*id).ok().and_then(|i| message.parts.get(i)))
        .filter_map(|part| match &part.body {
            PartType::Html(html) => Some(html.as_ref()),
            _ => None,
        })
        .collect();
    message
        .attachments()
        .filter(|part| !is_embedded(part, &html))
        .map(|part| AttachmentInfo {
            name: part
                .attachment_name()
                .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).trim().to_owned())
                .filter(|n| !n.is_empty()),
            content_type: content_type(part),
            size: part.contents().len(),
        })
        .collect()
}

/// Parts the HTML shows through `cid:` (signature logos, pasted pictures) are part
/// of the body, not files sent: listing them would put `image001.png` on nearly every entry.
fn is_embedded(part: &MessagePart<'_>, html: &[&str]) -> bool {
    let Some(id) = part
        .content_id()
        .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>'))
    else {
        return false;
    };
    let reference = format!("cid:{id}");
    !id.is_empty() && html.iter().any(|h| h.contains(&reference))
}

fn content_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => match part.body {
            PartType::Text(_) => "text/plain".to_owned(),
            PartType::Html(_) => "text/html".to_owned(),
            PartType::Message(_) => "message/rfc822".to_owned(),
            _ => "application/octet-stream".to_owned(),
        },
    }
}

/// The readable body: the text parts (HTML ones converted), else the HTML parts,
/// for the senders whose text/plain alternative is empty.
fn body_text(message: &Message<'_>) -> String {
    let text = join_parts(message, &message.text_body);
    if text.trim().is_empty() {
        join_parts(message, &message.html_body)
    } else {
        text
    }
}

fn join_parts(message: &Message<'_>, ids: &[u32]) -> String {
    let mut out = String::new();
    for id in ids {
        let Some(part) = usize::try_from(*id).ok().and_then(|i| message.parts.get(i)) else {
            continue;
        };
        let piece: Cow<'_, str> = match &part.body {
            PartType::Text(text) => Cow::Borrowed(text.as_ref()),
            PartType::Html(html) => Cow::Owned(html_to_text(html)),
            _ => continue,
        };
        if piece.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn code(result: Result<MailMessage, ValidationErrors>) -> String {
        match result {
            Ok(m) => panic!("expected an error, got {m:?}"),
            Err(e) => e.0[0].code.clone(),
        }
    }

    const ALTERNATIVE: &str = "Return-Path: <m.dupont@acme.fr>\r
Message-ID: <CAF+3xZ=abc123@mail.acme.fr>\r
Date: Thu, 12 Nov 2026 10:00:00 +0100\r
From: =?UTF-8?Q?Marie_Dupont_=28Acm=C3=A9=29?= <M.Dupont@ACME.fr>\r
To: \"Jean-François Lefèvre\" <jf.lefevre@bilan.example>, achats@bilan.example\r
Cc: =?ISO-8859-1?Q?H=E9l=E8ne_Ma=EFa?= <helene@acme.fr>\r
Subject: =?UTF-8?Q?Retard_de_livraison_=C3=A0_Lyon?=\r
MIME-Version: 1.0\r
Content-Type: multipart/alternative; boundary=\"000000000000b1c2d3\"\r
\r
--000000000000b1c2d3\r
Content-Type: text/plain; charset=\"UTF-8\"\r
Content-Transfer-Encoding: quoted-printable\r
\r
Bonjour, la livraison est en retard=E2=80=A6 Le camion pr=C3=A9vu =C3=A0 Lyon=\r
 n'est pas arriv=C3=A9.\r
\r
Merci de nous tenir inform=C3=A9s.\r
Marie\r
\r
--000000000000b1c2d3\r
Content-Type: text/html; charset=\"UTF-8\"\r
Content-Transfer-Encoding: quoted-printable\r
\r
<div dir=3D\"ltr\">Bonjour, la livraison est en retard=E2=80=A6 (HTML)</div>\r
\r
--000000000000b1c2d3--\r
";

    #[test]
    fn multipart_alternative_prefers_text_plain() {
        let m = parse_eml(ALTERNATIVE.as_bytes()).unwrap();
        assert_eq!(m.subject.as_deref(), Some("Retard de livraison à Lyon"));
        assert_eq!(
            m.text,
            "Bonjour, la livraison est en retard… Le camion prévu à Lyon n'est pas arrivé.\n\n\
             Merci de nous tenir informés.\nMarie"
        );
        assert_eq!(m.message_id.as_deref(), Some("CAF+3xZ=abc123@mail.acme.fr"));
        assert_eq!(m.in_reply_to, None);
        let from = m.from.unwrap();
        assert_eq!(from.email, "m.dupont@acme.fr");
        assert_eq!(from.name.as_deref(), Some("Marie Dupont (Acmé)"));
        assert_eq!(from.domain(), "acme.fr");
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.to[0].name.as_deref(), Some("Jean-François Lefèvre"));
        assert_eq!(m.to[1].name, None);
        assert_eq!(m.to[1].email, "achats@bilan.example");
        assert_eq!(m.cc[0].name.as_deref(), Some("Hélène Maïa"));
        assert!(m.attachments.is_empty());
    }

    #[test]
    fn date_offset_is_converted_to_utc() {
        let m = parse_eml(ALTERNATIVE.as_bytes()).unwrap();
        assert_eq!(m.date, Some(Utc.with_ymd_and_hms(2026, 11, 12, 9, 0, 0).unwrap()));
        let west = ALTERNATIVE.replace("10:00:00 +0100", "23:30:00 -0500");
        let m = parse_eml(west.as_bytes()).unwrap();
        assert_eq!(m.date, Some(Utc.with_ymd_and_hms(2026, 11, 13, 4, 30, 0).unwrap()));
        let broken = ALTERNATIVE.replace("Thu, 12 Nov 2026 10:00:00 +0100", "demain matin");
        assert_eq!(parse_eml(broken.as_bytes()).unwrap().date, None);
    }

    #[test]
    fn latin1_encoded_words_and_bodies() {
        let raw = b"From: =?ISO-8859-1?Q?Fran=E7ois_B=E9rang=E8re?= <fb@btp-sud.fr>\n\
Subject: =?ISO-8859-1?B?Uul1bmlvbiBkZSBjaGFudGllciDgIE7ubWVz?=\n\
Date: Mon, 2 Nov 2026 08:15:00 +0100\n\
Content-Type: text/plain; charset=windows-1252\n\
Content-Transfer-Encoding: 8bit\n\
\n\
R\xe9union confirm\xe9e jeudi \x96 l\x92\xe9quipe sera l\xe0.\n";
        let m = parse_eml(raw).unwrap();
        assert_eq!(m.subject.as_deref(), Some("Réunion de chantier à Nîmes"));
        assert_eq!(m.from.unwrap().name.as_deref(), Some("François Bérangère"));
        assert_eq!(m.text, "Réunion confirmée jeudi – l’équipe sera là.");
    }

    #[test]
    fn pdf_attachment_is_listed_and_body_kept() {
        let raw = "From: Comptabilité <compta@fournisseur.fr>\r
To: achats@bilan.example\r
Subject: =?UTF-8?B?RGV2aXMgc2lnbsOpIG7CsDIwMjYtMTE0?=\r
Date: Tue, 3 Nov 2026 14:02:11 +0000\r
MIME-Version: 1.0\r
Content-Type: multipart/mixed; boundary=\"----=_Part_42\"\r
\r
------=_Part_42\r
Content-Type: multipart/related; boundary=\"----=_Rel_7\"\r
\r
------=_Rel_7\r
Content-Type: text/html; charset=utf-8\r
\r
<html><body><p>Veuillez trouver ci-joint le devis sign&eacute;.</p><img src=\"cid:logo@x\"></body></html>\r
------=_Rel_7\r
Content-Type: image/png\r
Content-ID: <logo@x>\r
Content-Disposition: inline; filename=\"image001.png\"\r
Content-Transfer-Encoding: base64\r
\r
iVBORw0KGgo=\r
------=_Rel_7--\r
\r
------=_Part_42\r
Content-Type: application/pdf; name=\"Devis 2026-114.pdf\"\r
Content-Disposition: attachment; filename*=UTF-8''Devis%20sign%C3%A9%202026-114.pdf\r
Content-Transfer-Encoding: base64\r
\r
JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKdHJhaWxlciA8PCAv\r
Um9vdCAxIDAgUiA+PgolJUVPRgo=\r
------=_Part_42--\r
";
        let m = parse_eml(raw.as_bytes()).unwrap();
        assert_eq!(m.subject.as_deref(), Some("Devis signé n°2026-114"));
        assert_eq!(m.text, "Veuillez trouver ci-joint le devis signé.");
        assert_eq!(
            m.attachments,
            vec![AttachmentInfo {
                name: Some("Devis signé 2026-114.pdf".to_owned()),
                content_type: "application/pdf".to_owned(),
                size: 77,
            }]
        );
        assert_eq!(m.from.unwrap().name.as_deref(), Some("Comptabilité"));
        // An image the HTML does not show is a file sent, and is listed.
        let unreferenced = parse_eml(raw.replace("cid:logo@x", "cid:other").as_bytes()).unwrap();
        assert_eq!(unreferenced.attachments[0].name.as_deref(), Some("image001.png"));
        assert_eq!(unreferenced.attachments[0].content_type, "image/png");
        assert_eq!(unreferenced.attachments[0].size, 8);
    }

    #[test]
    fn html_only_message() {
        let raw = "From: \"Lefèvre, Jean-François\" <jf@transports-lefevre.fr>\n\
Subject: Planning\n\
Date: Wed, 4 Nov 2026 09:00:00 +0100\n\
Content-Type: text/html; charset=utf-8\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
<html><head><style>p {margin:0}</style><title>x</title></head><body>\n\
<div>Bonjour Marie,</div><div><br></div>\n\
<div>Voici le planning&nbsp;: <b>livraison&nbsp;mardi</b> &amp; mercredi.</div>\n\
<ul><li>Lyon</li><li>Saint-=C3=89tienne</li></ul>\n\
<p class=3DMsoNormal>Cordialement,<o:p></o:p></p><p>J.-F. L=C3=A9f=C3=A8vre &lt;direction&gt;</p>\n\
<script>alert('x')</script></body></html>\n";
        let m = parse_eml(raw.as_bytes()).unwrap();
        assert_eq!(m.from.unwrap().name.as_deref(), Some("Lefèvre, Jean-François"));
        assert_eq!(
            m.text,
            "Bonjour Marie,\n\nVoici le planning\u{a0}: livraison\u{a0}mardi & mercredi.\nLyon\nSaint-Étienne\n\
             Cordialement,\nJ.-F. Léfèvre <direction>"
        );
    }

    #[test]
    fn reply_tail_is_removed() {
        let raw = "From: Paul Martin <p.martin@bilan.example>\n\
To: Marie Dupont <m.dupont@acme.fr>\n\
Subject: RE: Retard de livraison\n\
Date: Thu, 12 Nov 2026 11:30:00 +0100\n\
Message-ID: <reply-1@bilan.example>\n\
In-Reply-To: <CAF+3xZ=abc123@mail.acme.fr>\n\
Content-Type: text/plain; charset=utf-8\n\
\n\
Bonjour Marie,\n\
\n\
Le camion partira demain à 8 h.\n\
\n\
Le 12 nov. 2026 à 10:00, Marie Dupont <m.dupont@acme.fr> a écrit :\n\
> Bonjour, la livraison est en retard…\n\
>\n\
> Marie\n";
        let m = parse_eml(raw.as_bytes()).unwrap();
        assert_eq!(m.text, "Bonjour Marie,\n\nLe camion partira demain à 8 h.");
        assert_eq!(m.in_reply_to.as_deref(), Some("CAF+3xZ=abc123@mail.acme.fr"));
        assert_eq!(m.message_id.as_deref(), Some("reply-1@bilan.example"));
    }

    #[test]
    fn quote_variants() {
        // Gmail wraps the attribution line; a narrow no-break space precedes the colon.
        let gmail =
            "Merci !\n\nLe jeu. 12 nov. 2026 à 10:00, Marie Dupont <m.dupont@acme.fr> a\nécrit\u{202f}:\n\n> texte";
        assert_eq!(strip_quoted(gmail), "Merci !");
        let english = "Thanks.\n\nOn Thu, Nov 12, 2026 at 10:00 AM Marie <m@acme.fr> wrote:\n> text";
        assert_eq!(strip_quoted(english), "Thanks.");
        let outlook = "D'accord.\n\n________________________________\nDe : Marie Dupont <m.dupont@acme.fr>\n\
Envoyé : jeudi 12 novembre 2026 10:00\nÀ : Paul\nObjet : Retard\n\nBonjour, la livraison est en retard";
        assert_eq!(strip_quoted(outlook), "D'accord.");
        let old_outlook = "Vu.\n-----Message d'origine-----\nDe : X\nBlabla";
        assert_eq!(strip_quoted(old_outlook), "Vu.");
        let inline = "> Pouvez-vous livrer mardi ?\nOui.\n> Et mercredi ?\nNon.";
        assert_eq!(strip_quoted(inline), "Oui.\nNon.");
        // Prose that merely looks like an attribution stays.
        let prose = "Le client a écrit :\nil attend la facture.";
        assert_eq!(strip_quoted(prose), prose);
        let forward = "Pour info.\n\n---------- Forwarded message ---------\nDe : Client <c@client.fr>\n\
Date: jeu. 12 nov. 2026\nObjet: Réclamation\n\nLe produit est abîmé.";
        assert!(strip_quoted(forward).ends_with("Le produit est abîmé."));
        let quoted_forward =
            "Reçu.\n\nLe 12/11/2026 à 10:00, Paul a écrit :\n> ---------- Forwarded message ---------\n> x";
        assert_eq!(strip_quoted(quoted_forward), "Reçu.");
        let reply_above_forward =
            "Vu.\nOn Thu, Nov 12, 2026 at 10:00 Paul wrote:\n---------- Message transféré ---------\nx";
        assert_eq!(strip_quoted(reply_above_forward), "Vu.");
        let only_quotes = "> tout est cité";
        assert_eq!(strip_quoted(only_quotes), "> tout est cité");
    }

    #[test]
    fn forwarded_subject_keeps_outlook_block() {
        let raw = "From: p.martin@bilan.example\nSubject: TR: Réclamation\nContent-Type: text/plain\n\n\
Pour info.\n\nDe : Client <c@client.fr>\nEnvoyé : jeudi 12 novembre 2026 10:00\nObjet : Réclamation\n\nAbîmé.\n";
        let m = parse_eml(raw.as_bytes()).unwrap();
        assert!(m.text.ends_with("Abîmé."), "{}", m.text);
        assert_eq!(m.date, None);
    }

    #[test]
    fn html_blockquote_reply_is_removed() {
        let html = "<div dir=\"ltr\">Parfait, merci.</div><br><div class=\"gmail_quote\">\
<div class=\"gmail_attr\">Le jeu. 12 nov. 2026 à 10:00, Marie &lt;m@acme.fr&gt; a écrit&nbsp;:<br></div>\
<blockquote class=\"gmail_quote\">Bonjour,<br>la livraison est en retard</blockquote></div>";
        let text = html_to_text(html);
        assert!(text.contains("> Bonjour,\n> la livraison"), "{text}");
        assert_eq!(strip_quoted(&text), "Parfait, merci.");
    }

    #[test]
    fn outlook_html_reply_is_removed() {
        let html = "<div class=WordSection1><p class=MsoNormal>D'accord, merci.<o:p></o:p></p>\
<p class=MsoNormal><o:p>&nbsp;</o:p></p><div><div style='border:none;border-top:solid #E1E1E1 1.0pt'>\
<p class=MsoNormal><b>De&nbsp;:</b> Marie Dupont &lt;m.dupont@acme.fr&gt; <br><b>Envoy&eacute;&nbsp;:</b> \
jeudi 12 novembre 2026 10:00<br><b>&Agrave;&nbsp;:</b> Paul<br><b>Objet&nbsp;:</b> Retard<o:p></o:p></p></div></div>\
<p class=MsoNormal>Bonjour, la livraison est en retard<o:p></o:p></p></div>";
        assert_eq!(strip_quoted(&html_to_text(html)), "D'accord, merci.");
    }

    #[test]
    fn html_entities_and_oddities() {
        assert_eq!(html_to_text("a &lt; b &amp;&amp; c &gt; d"), "a < b && c > d");
        assert_eq!(
            html_to_text("l&#146;&eacute;t&#xE9; &unknown; &#0; 3 < 4"),
            "l’été &unknown; \u{fffd} 3 < 4"
        );
        assert_eq!(html_to_text("<p>un</p><p>deux</p>"), "un\ndeux");
        assert_eq!(html_to_text("<table><tr><td>A</td><td>B</td></tr></table>"), "A B");
        assert_eq!(html_to_text("<pre>x  y\nz</pre>"), "x  y\nz");
        assert_eq!(html_to_text("<a href=\"x>y\">lien</a> <!-- c --> fin"), "lien fin");
        // An unclosed <style> hides nothing: broken HTML must not lose the whole body.
        assert_eq!(html_to_text("<style>unterminated"), "unterminated");
        assert_eq!(html_to_text("sans <b"), "sans <b");
        assert_eq!(html_to_text("co&shy;opé&zwnj;ration"), "coopération");
    }

    #[test]
    fn errors() {
        assert_eq!(code(parse_eml(b"")), "mail.empty");
        assert_eq!(code(parse_eml(b" \r\n\t ")), "mail.empty");
        let binary: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(code(parse_eml(&binary)), "mail.not_a_message");
        assert_eq!(code(parse_eml(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")), "mail.not_a_message");
        assert_eq!(
            code(parse_eml(b"Bonjour, ceci n'est pas un e-mail.")),
            "mail.not_a_message"
        );
        assert_eq!(
            code(parse_eml(b"X-Mailer: nothing useful\n\nbody")),
            "mail.not_a_message"
        );
        let mut big = b"From: a@b.fr\nSubject: gros\n\n".to_vec();
        big.resize(30 * 1024 * 1024, b'a');
        assert_eq!(code(parse_eml(&big)), "mail.too_large");
        let err = parse_eml(b"").unwrap_err();
        assert_eq!(err.0[0].field, "file");
    }

    #[test]
    fn envelope_line_and_bom_are_skipped() {
        let raw = b"\xEF\xBB\xBFFrom - Thu Nov 12 10:00:00 2026\nFrom: a@acme.fr\nSubject: Test\n\nCorps\n";
        let m = parse_eml(raw).unwrap();
        assert_eq!(m.subject.as_deref(), Some("Test"));
        assert_eq!(m.text, "Corps");
    }

    #[test]
    fn mbox_with_a_bad_message() {
        let mbox = b"From m.dupont@acme.fr Thu Nov 12 10:00:00 2026\n\
From: Marie Dupont <m.dupont@acme.fr>\n\
Subject: Premier\n\
Date: Thu, 12 Nov 2026 10:00:00 +0100\n\
\n\
Bonjour,\n\
>From Lyon we ship daily.\n\
>>From quoted stays quoted once.\n\
\n\
From MAILER-DAEMON Thu Nov 12 10:05:00 2026\n\
\x00\x01\x02\xff\xfe garbage \x00\n\
\n\
From p.martin@bilan.example Thu Nov 12 11:30:00 2026\n\
From: p.martin@bilan.example\n\
Subject: Second\n\
\n\
Merci.\n";
        let (messages, errors) = parse_mbox(mbox);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].subject.as_deref(), Some("Premier"));
        assert_eq!(messages[0].text, "Bonjour,\nFrom Lyon we ship daily.");
        assert_eq!(messages[1].subject.as_deref(), Some("Second"));
        let garbage_offset = mbox
            .windows(15)
            .position(|w| w == b"\nFrom MAILER-DA")
            .map_or(0, |i| i + 1);
        assert_eq!(
            errors,
            vec![MboxError {
                index: 2,
                offset: garbage_offset,
                code: "mail.not_a_message".to_owned()
            }]
        );
    }

    #[test]
    fn mbox_unescaping_keeps_quote_levels() {
        assert_eq!(
            unescape_from(b">From a\n>>From b\n> From c\n").as_ref(),
            b"From a\n>From b\n> From c\n"
        );
        assert!(matches!(unescape_from(b"plain\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn mbox_edge_cases() {
        assert_eq!(parse_mbox(b""), (vec![], vec![]));
        assert_eq!(parse_mbox(b"\n\n"), (vec![], vec![]));
        // A lone .eml given as an mbox is one message.
        let (messages, errors) = parse_mbox(ALTERNATIVE.as_bytes());
        assert_eq!((messages.len(), errors.len()), (1, 0));
        // "From now on" in an mboxo body is not a separator.
        let mbox = b"From a@b.fr Mon Nov  2 08:00:00 2026\r\nFrom: a@b.fr\r\nSubject: x\r\n\r\nFrom now on, hello.\r\n";
        let (messages, errors) = parse_mbox(mbox);
        assert_eq!(errors, vec![]);
        assert_eq!(messages[0].text, "From now on, hello.");
        // Two separators in a row: the empty message is reported, not skipped silently.
        let mbox = b"From a Mon Nov  2 08:00:00 2026\nFrom b Mon Nov  2 08:00:00 2026\nSubject: y\n\nz\n";
        let (messages, errors) = parse_mbox(mbox);
        assert_eq!(messages.len(), 1);
        assert_eq!(
            (errors[0].index, errors[0].offset, errors[0].code.as_str()),
            (1, 0, "mail.empty")
        );
    }

    #[test]
    fn summaries() {
        assert_eq!(
            summary("  Bonjour,\n\n  la   livraison\test en retard.  "),
            "Bonjour, la livraison est en retard."
        );
        let long = "mot ".repeat(300);
        let s = summary(&long);
        assert!(s.ends_with("mot…"), "{s}");
        assert!(s.chars().count() <= SUMMARY_CHARS);
        let exact = "é".repeat(SUMMARY_CHARS);
        assert_eq!(summary(&exact), exact);
        let one_word = "x".repeat(SUMMARY_CHARS + 10);
        assert_eq!(summary(&one_word).chars().count(), SUMMARY_CHARS);
        let commas = format!("{}, suite", "a".repeat(SUMMARY_CHARS - 5));
        assert!(summary(&commas).ends_with("a…"));
        assert_eq!(summary(""), "");
    }

    #[test]
    fn free_mail_domains() {
        for d in [
            "gmail.com",
            "Orange.fr",
            "wanadoo.fr",
            "free.fr",
            "laposte.net",
            "yahoo.fr",
            "yahoo.com",
        ] {
            assert!(is_free_mail_domain(d), "{d}");
        }
        for d in [
            "hotmail.fr",
            "hotmail.com",
            "icloud.com",
            "sfr.fr",
            "gmx.fr",
            "gmx.de",
            "proton.me",
            "@outlook.fr",
        ] {
            assert!(is_free_mail_domain(d), "{d}");
        }
        assert!(is_free_mail_domain("yahoo.co.uk"));
        for d in [
            "acme.fr",
            "orange-business.com",
            "gmx.example-corp.fr",
            "free.fr.acme.com",
            "",
            "gmx",
        ] {
            assert!(!is_free_mail_domain(d), "{d}");
        }
        let address = MailAddress {
            name: None,
            email: "jean@gmail.com".to_owned(),
        };
        assert!(is_free_mail_domain(address.domain()));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            drop(parse_eml(&bytes));
            drop(parse_mbox(&bytes));
        }

        #[test]
        fn arbitrary_bodies_never_panic(
            content_type in "(text/plain|text/html|multipart/mixed|multipart/alternative|message/rfc822)",
            body in proptest::collection::vec(any::<u8>(), 0..1024),
        ) {
            let mut raw = format!(
                "From: a@b.fr\nSubject: =?UTF-8?Q?x=C3?=\nDate: Thu, 31 Feb 2026 25:61:00 +9999\n\
                 Content-Type: {content_type}; boundary=\"b\"; charset=iso-8859-1\n\n--b\n"
            )
            .into_bytes();
            raw.extend_from_slice(&body);
            drop(parse_eml(&raw));
            let mut mbox = b"From x Thu Nov 12 10:00:00 2026\n".to_vec();
            mbox.extend_from_slice(&raw);
            drop(parse_mbox(&mbox));
        }

        #[test]
        fn text_helpers_never_panic(text in "\\PC{0,600}") {
            drop(html_to_text(&text));
            drop(strip_quoted(&text));
            prop_assert!(summary(&text).chars().count() <= SUMMARY_CHARS);
        }
    }
}
