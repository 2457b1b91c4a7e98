//! Column recognition: the headers French and European spreadsheets and CRM exports use, mapped to Bilan's fields.

use super::*;

/// Fields an accounts file may fill: `AccountInput`'s, plus `id` (Bilan's own id,
/// as exported).
#[rustfmt::skip]
pub const ACCOUNT_FIELDS: [&str; 29] = [
    "id", "name", "legal_name", "siren", "siret", "vat_number", "sector", "size", "country", "address", "postal_code",
    "city", "status", "lost_on", "lost_reason", "owner_id", "sponsor_id", "contract_start", "renewal_date",
    "annual_value", "currency", "tags", "external_ref", "website", "phone", "revenue", "headcount", "owner",
    "notice_days",
];

/// Fields a contacts file may fill: `ContactInput`'s, plus `id` and `full_name`
/// (one "First Last" column, split on import).
#[rustfmt::skip]
pub const CONTACT_FIELDS: [&str; 15] = [
    "id", "account_id", "account_ref", "first_name", "last_name", "full_name", "email", "phone", "job_title", "roles",
    "site_id", "language", "survey_consent", "left_on", "external_ref",
];

#[rustfmt::skip]
pub(super) const ACCOUNT_ALIASES: &[(&str, &[&str])] = &[
    ("id", &["bilan id", "identifiant bilan", "uuid"]),
    ("name", &[
        "nom", "company name", "company", "account name", "account", "organization name", "organisation name",
        "organization", "organisation", "nom de la societe", "nom societe", "nom de l entreprise", "nom entreprise",
        "nom du compte", "nom compte", "societe", "entreprise", "compte", "nom du client", "client", "nom commercial",
        "enseigne",
    ]),
    ("legal_name", &[
        "raison sociale", "denomination sociale", "denomination", "nom legal", "registered name", "company legal name",
    ]),
    ("siren", &["n siren", "no siren", "numero siren", "num siren", "siren number", "numero de siren"]),
    ("siret", &[
        "n siret", "no siret", "numero siret", "num siret", "siret number", "numero de siret", "siret du siege",
        "siret siege",
    ]),
    ("vat_number", &[
        "vat", "vat id", "vat no", "tva", "n tva", "no tva", "numero tva", "numero de tva", "tva intra",
        "tva intracommunautaire", "n tva intracommunautaire", "no tva intracommunautaire",
        "numero de tva intracommunautaire", "no tva intra", "n de tva intracommunautaire",
        "numero tva intracommunautaire", "tva intracom", "n tva intra", "identifiant tva",
    ]),
    ("sector", &[
        "industry", "secteur", "secteur d activite", "secteur activite", "activite", "industrie", "code naf", "naf",
        "code ape", "ape", "naf ape",
    ]),
    ("size", &[
        "company size", "taille", "taille de l entreprise", "taille entreprise", "tranche d effectif",
        "tranche effectif", "tranche d effectifs", "categorie d entreprise", "categorie entreprise",
    ]),
    ("headcount", &[
        "effectif", "effectifs", "number of employees", "employees", "nombre d employes", "nombre de salaries",
        "nombre d employes total", "head count", "no of employees", "staff",
    ]),
    ("website", &[
        "web site", "site web", "site internet", "site", "web", "url", "website url", "company domain name",
        "domain", "domain name", "domaine", "nom de domaine", "adresse du site", "adresse web",
    ]),
    ("phone", &[
        "phone number", "telephone", "tel", "standard", "telephone standard", "company phone", "main phone",
        "numero de telephone", "telephone fixe", "telephone de l entreprise", "tel standard",
    ]),
    // "Chiffre d'affaires" alone is the company's own (Sellsy's company field);
    // "CA" and "CA annuel" in a supplier's spreadsheet are what it sells the client.
    ("revenue", &[
        "annual revenue", "total revenue", "chiffre d affaires", "chiffre d affaires du client",
        "chiffre d affaires de l entreprise", "turnover", "company revenue",
    ]),
    ("owner", &[
        "account owner", "company owner", "organization owner", "owner name", "account owner name", "proprietaire",
        "proprietaire du compte", "responsable", "responsable du compte", "responsable commercial", "commercial",
        "commercial attitre", "kam", "charge de compte", "charge d affaires", "suivi par", "assigned to",
    ]),
    ("country", &[
        "country region", "pays", "billing country", "code pays", "country code", "country of address",
        "organization country of address",
    ]),
    ("address", &[
        "street address", "street", "billing street", "billing address", "adresse", "adresse postale",
        "adresse ligne 1", "adresse 1", "rue", "adresse de facturation", "adresse du siege", "address line 1",
        "street house number of address", "full combined address of address",
    ]),
    ("postal_code", &[
        "postcode", "zip", "zip code", "billing zip postal code", "billing postal code", "billing zip", "billing code",
        "code postal", "cp", "zip postal code of address",
    ]),
    ("city", &[
        "town", "billing city", "ville", "commune", "localite", "city town village locality of address",
        "ville de facturation",
    ]),
    ("status", &["statut", "lifecycle stage", "type", "account type", "type de compte", "type de client", "etat"]),
    ("lost_on", &[
        "lost date", "churn date", "date de perte", "perdu le", "date perdu", "date de resiliation", "resilie le",
        "date de churn",
    ]),
    ("lost_reason", &[
        "churn reason", "motif de perte", "raison de la perte", "motif de resiliation", "raison perte", "motif perte",
    ]),
    ("owner_id", &["id proprietaire", "id du proprietaire", "owner uuid", "bilan owner id"]),
    ("sponsor_id", &["executive sponsor id", "id sponsor"]),
    ("contract_start", &[
        "contract start date", "date de debut de contrat", "debut de contrat", "date debut contrat", "debut contrat",
        "date de debut du contrat", "client depuis", "customer since", "became a customer date", "date de signature",
    ]),
    ("renewal_date", &[
        "renewal", "date de renouvellement", "renouvellement", "date renouvellement", "prochain renouvellement",
        "contract end date", "date de fin de contrat", "fin de contrat", "echeance du contrat", "date d echeance",
    ]),
    ("notice_days", &[
        "notice period", "notice", "preavis", "preavis de resiliation", "delai de preavis", "preavis jours",
        "notice period days",
    ]),
    ("annual_value", &[
        "annual contract value", "acv", "arr", "montant annuel", "montant annuel du contrat", "valeur annuelle",
        "valeur annuelle du contrat", "montant", "contract value", "montant du contrat", "valeur du contrat", "ca",
        "ca annuel", "ca ht", "chiffre d affaires annuel", "chiffre d affaires ht", "ca realise", "ca client",
    ]),
    ("currency", &["devise", "monnaie", "currency code", "account currency", "code devise"]),
    ("tags", &["tag", "etiquettes", "etiquette", "labels", "label", "mots cles"]),
    ("external_ref", &[
        "external reference", "external id", "record id", "account id", "organization id", "organisation id",
        "company id", "reference", "ref", "reference externe", "identifiant externe", "id externe", "identifiant",
        "code client", "numero client", "n client", "no client", "reference client", "hubspot id", "salesforce id",
        "zoho id", "account number", "numero de compte",
    ]),
];

#[rustfmt::skip]
pub(super) const CONTACT_ALIASES: &[(&str, &[&str])] = &[
    ("id", &["bilan id", "identifiant bilan", "uuid"]),
    ("account_id", &[
        "id du compte", "id compte", "compte id", "company id", "associated company id", "associated company ids",
        "primary associated company id", "organization id", "organisation id", "id societe", "id entreprise",
    ]),
    ("account_ref", &[
        "account reference", "account", "account name", "associated company", "company", "company name", "societe",
        "entreprise", "compte", "nom du compte", "nom de la societe", "nom de l entreprise", "nom entreprise",
        "nom societe", "organization", "organisation", "organization name", "organisation name", "client",
        "raison sociale", "siren", "siret", "siren du compte", "siren de la societe", "reference du compte",
        "reference compte", "reference client", "code client",
    ]),
    ("first_name", &["firstname", "prenom", "given name", "first"]),
    ("last_name", &["lastname", "nom", "nom de famille", "surname", "family name", "last"]),
    ("full_name", &[
        "name", "nom complet", "contact name", "contact", "nom et prenom", "prenom et nom", "prenom nom", "nom prenom",
        "person name", "interlocuteur",
    ]),
    ("email", &[
        "e mail", "courriel", "mail", "adresse e mail", "adresse email", "adresse mail", "email address",
        "e mail address", "work email", "email work", "email professionnel", "e mail professionnel", "primary email",
        "adresse electronique",
    ]),
    ("phone", &[
        "phone number", "telephone", "tel", "portable", "mobile", "mobile phone", "mobile phone number",
        "telephone portable", "telephone mobile", "numero de telephone", "n telephone", "work phone", "business phone",
        "phone work", "phone mobile", "telephone fixe", "telephone professionnel", "ligne directe",
    ]),
    ("job_title", &[
        "title", "fonction", "poste", "intitule de poste", "intitule du poste", "position", "titre du poste", "job",
    ]),
    ("roles", &[
        "role", "role s", "roles dans le centre d achat", "role dans le centre d achat", "buying role", "buying roles",
        "centre d achat",
    ]),
    ("site_id", &["id site", "id du site"]),
    ("language", &["langue", "preferred language", "langue preferee", "langue de correspondance"]),
    ("survey_consent", &[
        "consentement enquetes", "consentement enquete", "consentement aux enquetes", "consentement", "consent",
        "opt in", "opt in enquetes", "accepte les enquetes",
    ]),
    ("left_on", &[
        "parti le", "date de depart", "depart le", "left date", "date left", "a quitte l entreprise le",
        "date de sortie",
    ]),
    ("external_ref", &[
        "external reference", "external id", "record id", "contact id", "person id", "reference", "ref",
        "reference externe", "identifiant externe", "id externe", "identifiant", "hubspot id", "salesforce id",
        "zoho id", "id contact",
    ]),
];

/// Prefixes CRMs put before their own entity's columns ("Organization - Name",
/// "Person - Email"), tried after the full header.
pub(super) const ACCOUNT_PREFIXES: &[&str] = &[
    "organization",
    "organisation",
    "company",
    "account",
    "societe",
    "entreprise",
];
pub(super) const CONTACT_PREFIXES: &[&str] = &["person", "contact"];

pub(crate) fn build_table(
    fields: &[&'static str],
    aliases: &[(&'static str, &[&'static str])],
) -> HashMap<String, &'static str> {
    let mut table = HashMap::new();
    for f in fields {
        table.insert(normalize(f), *f);
    }
    for (field, names) in aliases {
        for n in *names {
            table.insert(normalize(n), *field);
        }
    }
    table
}

pub(super) static ACCOUNT_TABLE: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let fields: Vec<&'static str> = ACCOUNT_FIELDS.iter().copied().filter(|f| *f != "id").collect();
    build_table(&fields, ACCOUNT_ALIASES)
});

pub(super) static CONTACT_TABLE: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let fields: Vec<&'static str> = CONTACT_FIELDS.iter().copied().filter(|f| *f != "id").collect();
    build_table(&fields, CONTACT_ALIASES)
});

/// The fields a file of `kind` may fill (the values accepted in overrides).
pub fn fields(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Accounts => &ACCOUNT_FIELDS,
        ImportKind::Contacts => &CONTACT_FIELDS,
        ImportKind::Interactions => &interactions::INTERACTION_FIELDS,
        ImportKind::Invoices => &invoices::INVOICE_FIELDS,
    }
}

/// A header's words, camel case split (`BillingPostalCode` → `Billing Postal Code`,
/// as Salesforce writes its columns).
fn header_words(header: &str) -> String {
    let mut out = String::with_capacity(header.len() + 4);
    let mut prev: Option<char> = None;
    for c in header.chars() {
        if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
            out.push(' ');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// Another system's user ids (Salesforce's `OwnerId`, HubSpot's owner id) name no
/// Bilan user: only Bilan's own export columns fill the owner and sponsor ids.
fn is_foreign_user_id(header: &str, field: &str) -> bool {
    matches!(field, "owner_id" | "sponsor_id") && header.trim() != field
}

/// The field a column header stands for, case- and accent-insensitively.
pub fn recognise(kind: ImportKind, header: &str) -> Option<&'static str> {
    let found =
        recognise_words(kind, &normalize(&header_words(header))).or_else(|| recognise_words(kind, &normalize(header)));
    found.filter(|f| kind != ImportKind::Accounts || !is_foreign_user_id(header, f))
}

fn recognise_words(kind: ImportKind, n: &str) -> Option<&'static str> {
    let n = n.to_owned();
    if n == "id" {
        return Some("id");
    }
    let (table, prefixes) = match kind {
        ImportKind::Accounts => (&*ACCOUNT_TABLE, ACCOUNT_PREFIXES),
        ImportKind::Contacts => (&*CONTACT_TABLE, CONTACT_PREFIXES),
        ImportKind::Interactions => (&*interactions::TABLE, interactions::PREFIXES),
        ImportKind::Invoices => (&*invoices::TABLE, invoices::PREFIXES),
    };
    if let Some(f) = table.get(&n) {
        return Some(f);
    }
    prefixes.iter().find_map(|p| {
        let rest = n.strip_prefix(p)?.strip_prefix(' ')?;
        if rest == "id" {
            return Some("external_ref");
        }
        table.get(rest).copied()
    })
}

/// Which field each column of a file fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// What the file holds.
    pub kind: ImportKind,
    /// Headers as written in the file (trimmed).
    pub headers: Vec<String>,
    /// The field of each column, `None` when ignored.
    pub fields: Vec<Option<&'static str>>,
}

impl Mapping {
    /// The mapping as reported to people.
    pub fn columns(&self) -> Vec<MappedColumn> {
        self.headers
            .iter()
            .zip(&self.fields)
            .map(|(h, f)| MappedColumn {
                header: h.clone(),
                field: f.map(str::to_owned),
            })
            .collect()
    }

    /// Whether some column fills `field`.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains(&Some(field))
    }

    /// The header of the first column filling `field`.
    pub fn header_of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .position(|f| *f == Some(field))
            .and_then(|i| self.headers.get(i))
            .map(String::as_str)
    }

    /// The header to blame for a problem with `field` (derived fields blame their source).
    pub fn column_for(&self, field: &str) -> Option<String> {
        let fallback = match field {
            "first_name" | "last_name" => "full_name",
            "siren" => "siret",
            "external_ref" | "account_id" => "id",
            "account_ref" => "account_id",
            "user_id" => "user",
            "contact_ids" => "contacts",
            "follow_up_user_id" => "follow_up_user",
            _ => field,
        };
        self.header_of(field)
            .or_else(|| self.header_of(fallback))
            .map(str::to_owned)
    }

    /// Input fields the file provides a value for, so an update keeps the others.
    pub(super) fn present_fields(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for f in self.fields.iter().flatten() {
            let derived: &[&'static str] = match *f {
                "full_name" => &["first_name", "last_name"],
                "owner" => &["owner_id"],
                "id" | "account_id" | "account_ref" => &[],
                _ => std::slice::from_ref(f),
            };
            for d in derived {
                if !out.contains(d) {
                    out.push(d);
                }
            }
        }
        out
    }
}

pub(super) fn clean_header(raw: &str) -> String {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '"' || c == '\0')
        .to_owned()
}

/// Recognises the columns, applies the person's overrides (`(header, field)`,
/// an empty field ignoring the column) and checks the required ones are there.
pub fn map_columns(
    kind: ImportKind,
    headers: &[String],
    overrides: &[(String, String)],
    account_given: bool,
) -> Result<Mapping, ValidationErrors> {
    let mut mapped: Vec<Option<&'static str>> = headers.iter().map(|h| recognise(kind, h)).collect();
    let mut explicit = vec![false; headers.len()];
    let mut errors = ValidationErrors::new();
    for (header, field) in overrides {
        let wanted = header.trim();
        let mut idx: Vec<usize> = (0..headers.len()).filter(|&i| headers[i] == wanted).collect();
        if idx.is_empty() {
            let n = normalize(wanted);
            idx = (0..headers.len()).filter(|&i| normalize(&headers[i]) == n).collect();
        }
        if idx.is_empty() {
            errors.add("overrides", "import.unknown_column");
            continue;
        }
        let target = match field.trim() {
            "" => None,
            f => match fields(kind).iter().find(|n| **n == f) {
                Some(n) => Some(*n),
                None => {
                    errors.add("overrides", "import.unknown_field");
                    continue;
                }
            },
        };
        for i in idx {
            mapped[i] = target;
            explicit[i] = true;
        }
    }
    errors.into_result()?;
    // Sellsy and Axonaut name a company only by its "Raison sociale".
    if kind == ImportKind::Accounts && !mapped.contains(&Some("name")) {
        if let Some(i) = (0..mapped.len()).find(|&i| mapped[i] == Some("legal_name") && !explicit[i]) {
            mapped[i] = Some("name");
        }
    }
    let mapping = Mapping {
        kind,
        headers: headers.to_vec(),
        fields: mapped,
    };
    if mapping.fields.iter().all(Option::is_none) {
        return Err(file_error("file", "import.no_header"));
    }
    let mut missing = ValidationErrors::new();
    match kind {
        ImportKind::Accounts => {
            if !mapping.has("name") {
                missing.add("name", "import.missing_column");
            }
        }
        ImportKind::Contacts => {
            if !mapping.has("last_name") && !mapping.has("full_name") {
                missing.add("last_name", "import.missing_column");
            }
            if !account_given && !mapping.has("account_ref") && !mapping.has("account_id") {
                missing.add("account_ref", "import.missing_column");
            }
        }
        ImportKind::Invoices => {
            for field in ["number", "issued_on", "amount_incl_tax"] {
                if !mapping.has(field) {
                    missing.add(field, "import.missing_column");
                }
            }
            if !account_given && !mapping.has("account_ref") && !mapping.has("account_id") {
                missing.add("account_ref", "import.missing_column");
            }
        }
        ImportKind::Interactions => {
            for field in ["occurred_at", "channel"] {
                if !mapping.has(field) {
                    missing.add(field, "import.missing_column");
                }
            }
            if !account_given && !mapping.has("account_ref") && !mapping.has("account_id") {
                missing.add("account_ref", "import.missing_column");
            }
        }
    }
    missing.into_result()?;
    Ok(mapping)
}
