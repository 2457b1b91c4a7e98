//! Interactions files: a CRM's activity export (HubSpot, Salesforce, Pipedrive,
//! Sellsy…) or a spreadsheet kept by hand, read into the shared history.
//!
//! A line names its account as the contacts files do (Bilan id, SIREN or SIRET,
//! external reference, or name), our side's person and the client's contacts by
//! e-mail address (or Bilan id); the use case resolves them. Activity exports
//! rarely say who started an exchange: a missing direction reads as outbound,
//! unless the activity type says otherwise ("Incoming email").

use super::{account_columns, build_table, duplicate, normalize, parse_file, rejections, Cells, ImportKind};
use super::{parse_in_batches, ParseOptions, Parsed, ParsedFile};
use super::{Mapping, RejectedLine, SeenKeys};
use crate::timeline::{InteractionInput, NewInteraction};
use crate::validation::{is_plausible_email, ValidationErrors};
use std::collections::HashMap;
use std::sync::LazyLock;
use uuid::Uuid;

/// Fields an interactions file may fill. `user`, `contacts` and `follow_up_user`
/// take e-mail addresses or Bilan ids; `time` completes a date-only `occurred_at`.
#[rustfmt::skip]
pub const INTERACTION_FIELDS: [&str; 17] = [
    "id", "account_id", "account_ref", "occurred_at", "time", "channel", "direction", "user", "contacts", "subject",
    "summary", "tags", "beyond_contract", "external_ref", "follow_up_what", "follow_up_due", "follow_up_user",
];

#[rustfmt::skip]
pub(crate) const ALIASES: &[(&str, &[&str])] = &[
    ("account_id", &[
        "id du compte", "id compte", "compte id", "associated company id", "associated company ids",
        "primary associated company id", "id societe", "id entreprise", "account uuid",
    ]),
    ("account_ref", &[
        "account", "account name", "account reference", "associated company", "company", "company name", "societe",
        "entreprise", "compte", "nom du compte", "nom de la societe", "nom de l entreprise", "organization",
        "organisation", "organization name", "organisation name", "client", "raison sociale", "siren", "siret",
        "reference client", "code client", "related to", "associe a",
    ]),
    ("occurred_at", &[
        "date", "datetime", "date time", "date heure", "date et heure", "activity date", "date de l activite",
        "date activite", "date de l echange", "date echange", "when", "quand", "timestamp", "start date",
        "start time", "date de debut", "debut", "due date", "date d echeance", "created date", "date de creation",
        "sent date", "date d envoi", "call date", "meeting date", "date du rendez vous",
    ]),
    ("time", &["heure", "heure de debut", "activity time", "hour"]),
    ("channel", &[
        "canal", "type", "activity type", "type d activite", "type de l activite", "type d echange",
        "type de l echange", "engagement type", "task subtype", "type de tache", "media", "moyen", "medium",
        "channel type",
    ]),
    ("direction", &[
        "sens", "call direction", "email direction", "entrant sortant", "inbound outbound", "sens de l echange",
    ]),
    ("user", &[
        "user email", "owner", "owner email", "assigned to", "activity assigned to", "activity owner",
        "assigned user", "utilisateur", "responsable", "proprietaire", "commercial", "attribue a", "created by",
        "cree par", "collaborateur", "auteur", "author", "hubspot owner", "activity created by",
    ]),
    ("contacts", &[
        "contact", "contact email", "contact emails", "contacts emails", "associated contact",
        "associated contacts", "associated contact email", "person email", "email du contact", "e mail du contact",
        "participants", "attendees", "attendee emails", "interlocuteur", "interlocuteurs", "destinataires",
        "recipients", "to",
    ]),
    ("subject", &[
        "objet", "titre", "title", "sujet", "call title", "meeting name", "meeting title", "email subject",
        "activity subject", "task subject", "intitule",
    ]),
    ("summary", &[
        "body", "notes", "note", "comments", "comment", "description", "resume", "compte rendu", "commentaire",
        "commentaires", "details", "contenu", "message", "call notes", "email body", "meeting description",
        "activity note", "texte", "text", "content",
    ]),
    ("tags", &["tag", "etiquettes", "etiquette", "labels", "label", "mots cles", "categorie", "category"]),
    ("beyond_contract", &[
        "hors contrat", "au dela du contrat", "beyond the contract", "valeur ajoutee",
        "geste commercial", "offert",
    ]),
    ("external_ref", &[
        "external reference", "external id", "activity id", "engagement id", "record id", "task id", "event id",
        "id activite", "id de l activite", "reference", "ref", "reference externe", "identifiant externe",
        "id externe", "message id", "hubspot id", "salesforce id", "zoho id",
    ]),
    ("follow_up_what", &[
        "follow up", "next step", "next steps", "prochaine etape", "prochaines etapes", "action a mener",
        "suite a donner", "relance", "a faire", "todo", "action",
    ]),
    ("follow_up_due", &[
        "follow up date", "follow up due date", "next step date", "date de relance",
        "relance le", "date de la prochaine etape", "echeance de la relance", "echeance de l action",
    ]),
    ("follow_up_user", &[
        "follow up owner", "next step owner", "responsable de la relance",
        "responsable de l action", "relance par",
    ]),
];

/// Prefixes CRMs put before an activity's own columns ("Activity - Subject").
pub(crate) const PREFIXES: &[&str] = &[
    "activity",
    "activite",
    "engagement",
    "interaction",
    "echange",
    "task",
    "tache",
];

/// Header recognition table of interactions files.
pub(crate) static TABLE: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let fields: Vec<&'static str> = INTERACTION_FIELDS.iter().copied().filter(|f| *f != "id").collect();
    build_table(&fields, ALIASES)
});

/// One valid interactions line; the use case resolves its references.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionLine {
    /// Physical line number.
    pub line: usize,
    /// The interaction validated. Until the use case resolves them, `account_id`
    /// is nil unless the file gave a Bilan id, and `user_id`, `contact_ids` and the
    /// follow-up's user hold only the Bilan ids the file gave.
    pub new: NewInteraction,
    /// Values naming the account (SIREN, external reference or name), best first.
    pub account_refs: Vec<String>,
    /// Our side's person, by e-mail address.
    pub user_email: Option<String>,
    /// The client's contacts, by e-mail address.
    pub contact_emails: Vec<String>,
    /// Who must do the follow-up, by e-mail address.
    pub follow_up_user_email: Option<String>,
}

/// Activity types of CRM exports that are not a channel code or label, with the
/// direction they imply.
fn crm_activity(raw: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match normalize(raw).replace('_', " ").as_str() {
        "incoming email" | "inbound email" | "email received" | "e mail recu" | "mail recu" | "email recu" => {
            ("email", Some("inbound"))
        }
        "outgoing email" | "email sent" | "forwarded email" | "e mail envoye" | "mail envoye" | "email envoye" => {
            ("email", Some("outbound"))
        }
        "inbound call" | "incoming call" | "appel entrant" | "appel recu" => ("phone", Some("inbound")),
        "outbound call" | "outgoing call" | "appel sortant" | "appel emis" => ("phone", Some("outbound")),
        "lunch" | "dejeuner" | "demo" | "demonstration" | "presentation" => ("meeting", None),
        _ => return None,
    })
}

/// Splits a cell into a Bilan id or an e-mail address ("Name <a@b.fr>" works too).
fn person_ref(raw: &str) -> Option<Result<Uuid, String>> {
    let v = raw.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(id) = Uuid::parse_str(v) {
        return Some(Ok(id));
    }
    let inner = match (v.rfind('<'), v.rfind('>')) {
        (Some(a), Some(b)) if a < b => &v[a + 1..b],
        _ => v,
    };
    Some(Err(inner.trim().to_lowercase()))
}

/// Reads an interactions file: every line validated, duplicates within the file
/// (same external reference) refused.
pub fn parse_interactions(bytes: &[u8], opts: &ParseOptions) -> Result<ParsedFile<InteractionLine>, ValidationErrors> {
    let mut seen = SeenKeys::default();
    parse_file(bytes, ImportKind::Interactions, opts, |mapping, line, fields| {
        let cells = Cells::new(mapping, fields);
        parse_line(mapping, line, &cells, opts.account_given, &mut seen)
    })
}

/// Reads an interactions file `batch` lines at a time (see
/// [`super::parse_in_batches`]); duplicates are refused across the whole file.
pub fn parse_interactions_in_batches(
    source: impl std::io::Read + std::io::Seek,
    opts: &ParseOptions,
    batch: usize,
    emit: impl FnMut(Parsed<InteractionLine>) -> bool,
) -> Result<(), ValidationErrors> {
    let file = super::stream::surveyed(source)?;
    let mut seen = SeenKeys::expecting(file.1.line_breaks);
    parse_in_batches(
        file,
        ImportKind::Interactions,
        opts,
        batch,
        |mapping, line, fields| {
            let cells = Cells::new(mapping, fields);
            parse_line(mapping, line, &cells, opts.account_given, &mut seen)
        },
        emit,
    )
}

fn parse_line(
    mapping: &Mapping,
    line: usize,
    cells: &Cells<'_>,
    account_given: bool,
    seen: &mut SeenKeys,
) -> Result<InteractionLine, Vec<RejectedLine>> {
    let mut e = ValidationErrors::new();
    let text = |f: &str| cells.first(f).map(str::to_owned);
    let mut input = InteractionInput {
        subject: text("subject"),
        summary: text("summary"),
        tags: text("tags"),
        beyond_contract: text("beyond_contract"),
        external_ref: text("external_ref").or_else(|| text("id")),
        follow_up_what: text("follow_up_what"),
        follow_up_due: text("follow_up_due"),
        ..Default::default()
    };
    // The instant: a date and time, or a date plus a separate time column; a
    // date alone is that day's midnight, Paris time.
    input.occurred_at = cells.first("occurred_at").map(|d| {
        let has_time = d.contains(':');
        match cells.first("time") {
            Some(t) if !has_time => format!("{} {t}", d.split([' ', 'T']).next().unwrap_or(d)),
            _ if !has_time => crate::accounts::parse_date(d).map_or_else(|| d.to_owned(), |day| format!("{day} 00:00")),
            _ => d.to_owned(),
        }
    });
    let mut implied_direction = None;
    input.channel = cells.first("channel").map(|c| match crm_activity(c) {
        Some((channel, direction)) => {
            implied_direction = direction;
            channel.to_owned()
        }
        None => c.to_owned(),
    });
    input.direction = text("direction").or_else(|| Some(implied_direction.unwrap_or("outbound").to_owned()));
    // Accounts: a Bilan id, else references resolved by the use case.
    let (account_id, account_refs) = account_columns(cells);
    input.account_id = account_id;
    let resolve_later = input.account_id.is_none();
    if resolve_later {
        input.account_id = Some(Uuid::nil().to_string());
    }
    let mut user_email = None;
    match cells.first("user").and_then(person_ref) {
        Some(Ok(id)) => input.user_id = Some(id.to_string()),
        Some(Err(email)) if is_plausible_email(&email) => user_email = Some(email),
        Some(Err(_)) => e.add("user_id", "email.invalid"),
        None => {}
    }
    let mut follow_up_user_email = None;
    match cells.first("follow_up_user").and_then(person_ref) {
        Some(Ok(id)) => input.follow_up_user_id = Some(id.to_string()),
        Some(Err(email)) if is_plausible_email(&email) => follow_up_user_email = Some(email),
        Some(Err(_)) => e.add("follow_up_user_id", "email.invalid"),
        None => {}
    }
    let mut contact_ids: Vec<String> = Vec::new();
    let mut contact_emails: Vec<String> = Vec::new();
    let mut bad_contact = false;
    for cell in cells.all("contacts") {
        for part in cell.split([',', ';', '\n']).flat_map(|p| {
            // "a@x.fr b@y.fr" lists several addresses; "Name <a@x.fr>" is one.
            if p.contains('<') {
                vec![p]
            } else {
                p.split_whitespace().collect()
            }
        }) {
            match person_ref(part) {
                Some(Ok(id)) => contact_ids.push(id.to_string()),
                Some(Err(email)) if is_plausible_email(&email) && !contact_emails.contains(&email) => {
                    contact_emails.push(email);
                }
                Some(Err(email)) if is_plausible_email(&email) => {}
                Some(Err(_)) => bad_contact = true,
                None => {}
            }
        }
    }
    if bad_contact {
        e.add("contact_ids", "email.invalid");
    }
    if !contact_ids.is_empty() {
        input.contact_ids = Some(contact_ids.join(","));
    }
    let mut new = match input.validate() {
        Ok(n) if e.is_empty() => n,
        Ok(_) => return Err(rejections(line, mapping, &e)),
        Err(v) => {
            e.0.extend(v.0);
            return Err(rejections(line, mapping, &e));
        }
    };
    if resolve_later {
        new.account_id = Uuid::nil();
        // An account chosen outside the file stands for lines that name none.
        if account_refs.is_empty() && !account_given {
            let mut e = ValidationErrors::new();
            e.add("account_ref", "required");
            return Err(rejections(line, mapping, &e));
        }
    }
    if let Some(key) = &new.external_ref {
        if let Some(earlier) = seen.first_seen("external_ref", key, line) {
            return Err(vec![duplicate(
                line,
                mapping.column_for("external_ref").or_else(|| mapping.column_for("id")),
                "external reference",
                earlier,
            )]);
        }
    }
    Ok(InteractionLine {
        line,
        new,
        account_refs,
        user_email,
        contact_emails,
        follow_up_user_email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{Channel, Direction};

    fn parse(csv: &str) -> ParsedFile<InteractionLine> {
        match parse_interactions(csv.as_bytes(), &ParseOptions::default()) {
            Ok(p) => p,
            Err(e) => panic!("file refused: {e}"),
        }
    }

    #[test]
    fn reads_a_hand_kept_french_file() {
        let p = parse(
            "Date;Heure;Canal;Sens;Compte;Commercial;Interlocuteurs;Objet;Compte rendu;Hors contrat\n\
             04/03/2025;14:30;Appel;entrant;552032534;kam1@demo.bilan.test;a.martin@client.fr, b.durand@client.fr;Retard de livraison;Le client attend sa commande;oui\n",
        );
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let l = &p.lines[0];
        assert_eq!(l.line, 2);
        assert_eq!(l.new.channel, Channel::Phone);
        assert_eq!(l.new.direction, Direction::Inbound);
        assert_eq!(l.new.occurred_at.to_rfc3339(), "2025-03-04T13:30:00+00:00");
        assert_eq!(l.account_refs, vec!["552032534".to_owned()]);
        assert_eq!(l.user_email.as_deref(), Some("kam1@demo.bilan.test"));
        assert_eq!(l.contact_emails, vec!["a.martin@client.fr", "b.durand@client.fr"]);
        assert!(l.new.beyond_contract);
        assert_eq!(l.new.account_id, Uuid::nil());
    }

    #[test]
    fn reads_a_hubspot_activity_export() {
        let p = parse(
            "Activity ID,Activity date,Activity type,Associated Company,Activity assigned to,Associated Contact,Subject,Body\n\
             9001,2025-06-02 09:15,INCOMING_EMAIL,Danone,\"Léa Roux <lea@bilan.test>\",Jean <jean@danone.fr>,Devis,Merci pour le devis\n\
             9002,2025-06-03,CALL,Danone,lea@bilan.test,,Rappel,\n",
        );
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let [a, b] = p.lines.as_slice() else {
            panic!("two lines expected")
        };
        assert_eq!(a.new.direction, Direction::Inbound);
        assert_eq!(a.new.channel, Channel::Email);
        assert_eq!(a.new.external_ref.as_deref(), Some("9001"));
        assert_eq!(a.user_email.as_deref(), Some("lea@bilan.test"));
        assert_eq!(a.contact_emails, vec!["jean@danone.fr"]);
        // A date alone is midnight in Paris; an activity without direction is ours.
        assert_eq!(b.new.occurred_at.to_rfc3339(), "2025-06-02T22:00:00+00:00");
        assert_eq!(b.new.direction, Direction::Outbound);
    }

    #[test]
    fn refuses_bad_lines_naming_the_column() {
        let p = parse(
            "Date,Type,Compte,Ref\n\
             31/02/2025 10:00,Appel,Danone,a\n\
             01/02/2025 10:00,Pigeon voyageur,Danone,b\n\
             01/02/2025 10:00,Appel,,c\n\
             01/02/2025 11:00,Appel,Danone,a\n",
        );
        assert!(p.lines.len() == 1, "{:?}", p.lines);
        let got: Vec<(usize, Option<&str>, &str)> = p
            .rejected
            .iter()
            .map(|r| (r.line, r.column.as_deref(), r.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, Some("Date"), "datetime.invalid"),
                (3, Some("Type"), "channel.invalid"),
                (4, Some("Compte"), "required"),
            ]
        );
        // Line 5 repeats line 2's reference, but line 2 was refused: line 5 stands.
        assert_eq!(p.lines[0].line, 5);
    }

    #[test]
    fn refuses_a_repeated_external_reference() {
        let p = parse("Date,Type,Compte,Ref\n01/02/2025 10:00,Appel,Danone,a\n01/02/2025 11:00,Appel,Danone,a\n");
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.rejected[0].line, 3);
        assert_eq!(p.rejected[0].code, "line.duplicate");
        assert_eq!(p.rejected[0].column.as_deref(), Some("Ref"));
    }

    #[test]
    fn requires_date_channel_and_account_columns() {
        let e = match parse_interactions(b"Objet,Notes\nx,y\n", &ParseOptions::default()) {
            Ok(_) => panic!("accepted"),
            Err(e) => e,
        };
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["occurred_at", "channel", "account_ref"]);
        let given = ParseOptions {
            account_given: true,
            ..Default::default()
        };
        assert!(parse_interactions(b"Date,Canal\n01/02/2025 10:00,visite\n", &given).is_ok());
        // With the account chosen outside the file, a line leaving its account empty stands.
        let p = match parse_interactions(b"Date,Canal,Compte\n01/02/2025 10:00,visite,\n", &given) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        assert!(p.rejected.is_empty() && p.lines.len() == 1, "{:?}", p.rejected);
    }

    #[test]
    fn a_bad_address_is_refused_at_its_column() {
        let p = parse("Date,Type,Compte,Contacts\n01/02/2025 10:00,Appel,Danone,pas une adresse\n");
        assert_eq!(p.rejected[0].column.as_deref(), Some("Contacts"));
        assert_eq!(p.rejected[0].code, "email.invalid");
    }
}
