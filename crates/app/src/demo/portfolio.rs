//! Pure generation of the portfolio: accounts, their sites and contacts.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Kam {
    pub(super) id: Uuid,
    pub(super) weight: u32,
    pub(super) english: bool,
}

/// Everything the pure generator needs; no database access.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) workspace: Uuid,
    pub(super) accounts: usize,
    pub(super) extra_contacts: f64,
    pub(super) kams: Vec<Kam>,
    /// Executives, most senior first.
    pub(super) sponsors: Vec<Uuid>,
    /// Finance, then support: they handle invoices and incidents.
    pub(super) staff: Vec<Uuid>,
    /// Mean interactions of an ordinary account.
    pub(super) mean_interactions: f64,
    /// Interactions of the flagship account.
    pub(super) flagship_interactions: usize,
}

/// The rows of one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Chunk {
    pub(super) accounts: Vec<AccountRow>,
    pub(super) sites: Vec<SiteRow>,
    pub(super) contacts: Vec<ContactRow>,
}

pub(super) const ID_ACCOUNT: u64 = 1;
pub(super) const ID_SITE: u64 = 2;
pub(super) const ID_CONTACT: u64 = 3;

/// A UUIDv7-shaped id whose time prefix is the row's creation instant, so ids sort
/// like creation dates; kind and sequence fill the random bits and make it unique.
pub(super) fn demo_id(kind: u64, seq: u64, at: DateTime<Utc>) -> Uuid {
    let ms = u128::from(at.timestamp_millis().max(0) as u64) & 0xFFFF_FFFF_FFFF;
    let rand_b = (u128::from(kind & 0xF) << 58) | u128::from(seq & ((1 << 58) - 1));
    Uuid::from_u128((ms << 80) | (0x7 << 76) | (0b10 << 62) | rand_b)
}

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

pub(super) fn instant(date: NaiveDate, secs: u32) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::seconds(i64::from(secs))
}

/// The demo's "today": nothing is updated after it, so the data looks the same
/// whenever it is generated.
pub(super) fn demo_now() -> DateTime<Utc> {
    instant(ymd(2026, 11, 2), 17 * 3600)
}

/// Accounts are created in index order between these instants, so the oldest
/// clients come first and ids follow creation dates.
pub(super) fn account_created_at(plan: &Plan, index: usize, rng: &mut Rng) -> DateTime<Utc> {
    let from = instant(ymd(2019, 1, 7), 8 * 3600);
    let span = (instant(ymd(2026, 9, 30), 0) - from).num_seconds().max(1) as u64;
    let total = plan.accounts.max(1) as u64;
    let step = (span / total).max(1);
    let offset = index as u64 * span / total + rng.below(step as usize) as u64;
    from + Duration::seconds(offset as i64)
}

pub(super) fn generate_chunk(plan: &Plan, range: Range<usize>) -> Chunk {
    let mut chunk = Chunk::default();
    for index in range {
        generate_account(plan, index, &mut chunk);
    }
    chunk
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Fr,
    De,
    Es,
    It,
    Nl,
    En,
}

pub(super) const ALL_LANGS: [Lang; 6] = [Lang::Fr, Lang::De, Lang::Es, Lang::It, Lang::Nl, Lang::En];

/// What the contacts of one account share.
pub(super) struct AccountCtx<'a> {
    pub(super) id: Uuid,
    pub(super) index: usize,
    pub(super) country: &'a str,
    pub(super) lang: Lang,
    pub(super) domain: String,
    pub(super) mail_style: usize,
    pub(super) created: DateTime<Utc>,
    pub(super) flagship: bool,
}

pub(super) fn generate_account(plan: &Plan, index: usize, out: &mut Chunk) {
    let mut rng = Rng::for_account(index);
    let created = account_created_at(plan, index, &mut rng);
    let id = demo_id(ID_ACCOUNT, index as u64, created);
    let (account, lang, sites_wanted, contacts_mean) = if index == 0 {
        flagship_account(plan)
    } else {
        regular_account(plan, index, &mut rng)
    };

    let sites = if index == 0 {
        flagship_sites(plan, id, created)
    } else {
        make_sites(plan, &mut rng, id, index, &account.country, lang, sites_wanted, created)
    };
    let site_ids: Vec<Uuid> = sites.iter().map(|s| s.id).collect();

    let count = if index == 0 {
        FLAGSHIP_CONTACTS
    } else {
        (1 + (rng.exponential(contacts_mean) + 0.5) as usize).min(300)
    };
    let ctx = AccountCtx {
        id,
        index,
        country: &account.country,
        lang,
        domain: format!("{}.{MAIL_TLD}", slug(&account.name)),
        mail_style: rng.pick_weighted(&[(0, 60), (1, 20), (2, 15), (3, 5)], |w| w.1).0,
        created,
        flagship: index == 0,
    };
    let mut emails = HashSet::with_capacity(count);
    for j in 0..count {
        out.contacts
            .push(make_contact(plan, &mut rng, &ctx, j, &site_ids, &mut emails));
    }

    let updated = (created + Duration::days(rng.below(600) as i64)).min(demo_now().max(created));
    let mut row = AccountRow::from_new(id, plan.workspace, &account, created);
    row.updated_at = updated;
    out.accounts.push(row);
    out.sites.extend(sites);
}

pub(super) fn flagship_account(plan: &Plan) -> (NewAccount, Lang, usize, f64) {
    let siren = siren_for(0, false);
    let account = NewAccount {
        name: FLAGSHIP_ACCOUNT.to_owned(),
        legal_name: Some("Hexagone Distribution SA".to_owned()),
        siret: Some(siret_for(&siren, 1)),
        vat_number: french_vat_number(&siren),
        siren: Some(siren),
        sector: Some("Distribution".to_owned()),
        size: Some(CompanySize::Large),
        country: "FR".to_owned(),
        address: Some("18 avenue Carnot".to_owned()),
        postal_code: Some("91300".to_owned()),
        city: Some("Massy".to_owned()),
        status: AccountStatus::Active,
        lost_on: None,
        lost_reason: None,
        owner_id: plan.kams.first().map(|k| k.id),
        sponsor_id: plan.sponsors.first().copied(),
        contract_start: Some(ymd(2024, 1, 1)),
        renewal_date: Some(ymd(2026, 12, 31)),
        notice_days: Some(90),
        annual_value: eur(9_600_000),
        tags: ["grand compte", "stratégique", "multi-sites"]
            .map(str::to_owned)
            .to_vec(),
        external_ref: Some("CRM-0000001".to_owned()),
        website: Some(format!("{}.{MAIL_TLD}", slug(FLAGSHIP_ACCOUNT))),
        phone: Some("+33 1 69 00 00 00".to_owned()),
        revenue: Some(eur(2_400_000_000)),
        headcount: Some(21_000),
    };
    (account, Lang::Fr, 0, 0.0)
}

pub(super) fn eur(euros: i64) -> Money {
    Money {
        minor: euros * 100,
        currency: Currency::EUR,
    }
}

pub(super) fn regular_account(plan: &Plan, index: usize, rng: &mut Rng) -> (NewAccount, Lang, usize, f64) {
    let country = rng.pick_weighted(COUNTRIES, |c| c.weight);
    let fr = country.code == "FR";
    let sector = rng.pick_weighted(SECTORS, |s| if s.fr.is_empty() && !fr { 0 } else { s.weight });
    let public = sector.fr.is_empty();
    let (city, postal_code, lang) = if fr && rng.chance(0.35) {
        let (city, postal) = small_commune(rng);
        (city, postal, Lang::Fr)
    } else {
        let p = rng.pick_weighted(country.places, |p| p.3);
        (p.0.to_owned(), p.1.to_owned(), p.2)
    };

    let (name, legal_name, band) = if public {
        let (body, band) = *rng.pick(PUBLIC_BODIES);
        (format!("{body} {}", of_place(&city)), None, band)
    } else {
        let band = *rng.pick_weighted(
            &[
                (CompanySize::Micro, 20),
                (CompanySize::Small, 50),
                (CompanySize::Intermediate, 22),
                (CompanySize::Large, 8),
            ],
            |b| b.1,
        );
        let name = company_name(rng, lang, fr, sector);
        let form = legal_form(rng, country.code, lang, band.0);
        let legal = match name.strip_prefix("Groupe ") {
            Some(rest) => format!("{rest} {form}"),
            None => format!("{name} {form}"),
        };
        (name, Some(legal), band.0)
    };

    let (siren, siret, vat_number) = if fr {
        let siren = siren_for(index, public);
        let siret = siret_for(&siren, 1 + rng.below(9) as u32);
        (Some(siren.clone()), Some(siret), french_vat_number(&siren))
    } else {
        (None, None, foreign_vat(rng, country.code))
    };

    let status = rng
        .pick_weighted(
            &[
                (AccountStatus::Active, 65),
                (AccountStatus::Prospect, 25),
                (AccountStatus::Lost, 10),
            ],
            |s| s.1,
        )
        .0;
    let value_eur = if status == AccountStatus::Active {
        annual_value_eur(rng, band)
    } else {
        0
    };

    let owner_id = if status == AccountStatus::Prospect && rng.chance(0.03) {
        None
    } else {
        pick_owner(plan, rng, country.code)
    };
    let key_account = status == AccountStatus::Active && (value_eur >= 250_000 || band == CompanySize::Large);
    let sponsor_id = match (key_account, plan.sponsors.as_slice()) {
        (false, _) | (true, []) => None,
        (true, [senior, ..]) if value_eur >= 1_000_000 => Some(*senior),
        (true, all) => Some(*rng.pick(all)),
    };

    let (contract_start, renewal_date, lost_on, lost_reason) = match status {
        AccountStatus::Active => {
            let renewal = ymd(2026, 9, 1) + Duration::days(rng.below(487) as i64);
            let months = rng.pick_weighted(&[(12, 40), (24, 25), (36, 35)], |m| m.1).0;
            let start = renewal.checked_sub_months(Months::new(months)).unwrap_or(renewal);
            (Some(start), Some(renewal), None, None)
        }
        AccountStatus::Lost => {
            let lost = ymd(2023, 3, 1) + Duration::days(rng.below(1341) as i64);
            let start = lost
                .checked_sub_months(Months::new(12 + rng.below(49) as u32))
                .unwrap_or(lost);
            (
                Some(start),
                None,
                Some(lost),
                Some((*rng.pick(LOST_REASONS)).to_owned()),
            )
        }
        AccountStatus::Prospect => (None, None, None, None),
    };

    let sites_wanted = match band {
        CompanySize::Large => 2 + rng.below(5),
        CompanySize::Intermediate if rng.chance(0.35) => 1 + rng.below(3),
        CompanySize::Small if rng.chance(0.04) => 1,
        _ => 0,
    };

    let mut tags: Vec<&str> = Vec::new();
    if key_account {
        tags.push("grand compte");
    }
    if status == AccountStatus::Active && (value_eur >= 500_000 || (key_account && rng.chance(0.3))) {
        tags.push("stratégique");
    }
    if status == AccountStatus::Active {
        let soon = renewal_date.is_some_and(|r| r <= ymd(2027, 3, 1));
        if rng.chance(if soon { 0.18 } else { 0.05 }) {
            tags.push("à risque");
        }
        if contract_start.is_some_and(|s| s >= ymd(2026, 1, 1)) {
            tags.push("nouveau client");
        }
    }
    if (!fr && rng.chance(0.7)) || (fr && rng.chance(0.03)) {
        tags.push("export");
    }
    if public {
        tags.push("public");
    }
    if sites_wanted >= 2 {
        tags.push("multi-sites");
    }
    if status == AccountStatus::Prospect && rng.chance(0.12) {
        tags.push("salon 2026");
    }
    if rng.chance(0.01) {
        tags.push("pilote");
    }

    let status_weight = match status {
        AccountStatus::Active => 1.15,
        AccountStatus::Prospect => 0.6,
        AccountStatus::Lost => 0.9,
    };
    let band_weight = match band {
        CompanySize::Micro => 0.4,
        CompanySize::Small => 0.8,
        CompanySize::Intermediate => 1.4,
        CompanySize::Large => 2.5,
    };
    let contacts_mean = plan.extra_contacts * status_weight * band_weight;

    let website = Some(format!("{}.{MAIL_TLD}", slug(&name)));
    let account = NewAccount {
        name,
        legal_name,
        siren,
        siret,
        vat_number,
        sector: Some(sector.label.to_owned()),
        size: Some(band),
        country: country.code.to_owned(),
        address: Some(street_address(rng, lang)),
        postal_code: Some(postal_code),
        city: Some(city),
        status,
        lost_on,
        lost_reason,
        owner_id,
        sponsor_id,
        contract_start,
        renewal_date,
        // Notice of one to three months, as B2B contracts usually say.
        notice_days: renewal_date.map(|_| [30, 60, 90][index % 3]),
        annual_value: eur(value_eur),
        tags: tags.into_iter().map(str::to_owned).collect(),
        external_ref: rng.chance(0.7).then(|| format!("CRM-{:07}", index + 1)),
        website,
        phone: None,
        revenue: None,
        headcount: None,
    };
    (account, lang, sites_wanted, contacts_mean)
}

/// Pareto(α = 1.1) scaled by company size: a few accounts carry most revenue, as in
/// real B2B portfolios. Whole hundreds of euros, as contracts are priced.
pub(super) fn annual_value_eur(rng: &mut Rng, band: CompanySize) -> i64 {
    let scale = match band {
        CompanySize::Micro => 600.0,
        CompanySize::Small => 1_500.0,
        CompanySize::Intermediate => 5_000.0,
        CompanySize::Large => 18_000.0,
    };
    let euros = (scale * rng.pareto(1.1)).min(8_000_000.0);
    ((euros / 100.0).round() as i64).max(3) * 100
}

pub(super) fn pick_owner(plan: &Plan, rng: &mut Rng, country: &str) -> Option<Uuid> {
    if plan.kams.is_empty() {
        return None;
    }
    // The English-speaking KAM carries most accounts where French is not spoken.
    if matches!(country, "DE" | "NL" | "GB" | "ES" | "IT") && rng.chance(0.6) {
        if let Some(k) = plan.kams.iter().find(|k| k.english) {
            return Some(k.id);
        }
    }
    Some(rng.pick_weighted(&plan.kams, |k| k.weight).id)
}

/// A unique, Luhn-valid SIREN per account index: an affine bijection spreads indexes
/// over the 8-digit body (2xx… for public bodies, 3xx–9xx for companies, as INSEE
/// numbers them), then the Luhn key is appended.
pub(super) fn siren_for(index: usize, public: bool) -> String {
    const A: u64 = 48_271_139;
    let i = index as u64;
    let body = if public {
        20_000_000 + (A * i + 1_234_567) % 10_000_000
    } else {
        30_000_000 + (A * i + 7_654_321) % 70_000_000
    };
    with_luhn_key(&body.to_string())
}

pub(super) fn with_luhn_key(body: &str) -> String {
    (0..10)
        .map(|k| format!("{body}{k}"))
        .find(|s| luhn_valid(s))
        .unwrap_or_else(|| format!("{body}0"))
}

/// SIRET of establishment `n` (head office NIC 0001x …).
pub(super) fn siret_for(siren: &str, n: u32) -> String {
    with_luhn_key(&format!("{siren}{n:04}"))
}

/// VAT numbers in each country's shape (with its real check digits where cheap);
/// none for Switzerland and the United Kingdom, outside the EU VAT system.
pub(super) fn foreign_vat(rng: &mut Rng, country: &str) -> Option<String> {
    match country {
        "DE" => Some(format!("DE{}{}", 1 + rng.below(9), rng.digits(8))),
        "BE" => {
            let n = 2_000_000 + rng.below(7_999_999) as u64;
            Some(format!("BE0{n}{:02}", 97 - (n % 97)))
        }
        "ES" => Some(format!("ES{}{}", rng.pick(&["A", "B", "B", "B"]), rng.digits(8))),
        "IT" => Some(format!("IT{}", with_luhn_key(&rng.digits(10)))),
        "NL" => Some(format!("NL{}{}B01", 1 + rng.below(9), rng.digits(8))),
        "LU" => {
            let n = 100_000 + rng.below(900_000) as u64;
            Some(format!("LU{n}{:02}", n % 89))
        }
        _ => None,
    }
}

pub(super) fn legal_form(rng: &mut Rng, country: &str, lang: Lang, band: CompanySize) -> &'static str {
    let big = matches!(band, CompanySize::Large) || (band == CompanySize::Intermediate && rng.chance(0.4));
    let forms: &[(&'static str, u32)] = match (country, lang, big) {
        ("FR", _, true) => &[("SA", 45), ("SAS", 55)],
        ("FR", _, false) if band == CompanySize::Micro => &[("SARL", 35), ("EURL", 15), ("SASU", 25), ("SAS", 25)],
        ("FR", _, false) => &[("SAS", 55), ("SARL", 35), ("SA", 5), ("SCOP", 5)],
        ("BE", Lang::Nl, true) => &[("NV", 1)],
        ("BE", Lang::Nl, false) => &[("BV", 1)],
        ("BE", _, true) => &[("SA", 1)],
        ("BE", _, false) => &[("SRL", 1)],
        ("CH", Lang::De, true) => &[("AG", 1)],
        ("CH", Lang::De, false) => &[("GmbH", 2), ("AG", 1)],
        ("CH", Lang::It, false) => &[("Sagl", 1)],
        ("CH", _, true) => &[("SA", 1)],
        ("CH", _, false) => &[("Sàrl", 2), ("SA", 1)],
        ("LU", _, true) => &[("S.A.", 1)],
        ("LU", _, false) => &[("S.à r.l.", 1)],
        ("DE", _, true) => &[("AG", 3), ("SE", 1), ("GmbH", 2)],
        ("DE", _, false) => &[("GmbH", 14), ("GmbH & Co. KG", 5), ("KG", 1)],
        ("ES", _, true) => &[("S.A.", 1)],
        ("ES", _, false) => &[("S.L.", 1)],
        ("IT", _, true) => &[("S.p.A.", 1)],
        ("IT", _, false) => &[("S.r.l.", 1)],
        ("NL", _, true) => &[("N.V.", 1), ("B.V.", 1)],
        ("NL", _, false) => &[("B.V.", 1)],
        ("GB", _, true) => &[("PLC", 1)],
        _ => &[("Ltd", 1)],
    };
    rng.pick_weighted(forms, |f| f.1).0
}

pub(super) fn company_name(rng: &mut Rng, lang: Lang, in_france: bool, sector: &Sector) -> String {
    let names = person_names(lang);
    let surname = *rng.pick(names.last);
    let other_surname = *rng.pick(names.last);
    let word = match lang {
        Lang::Fr => *rng.pick(sector.fr),
        Lang::De => sector.de,
        Lang::Es => sector.es,
        Lang::It => sector.it,
        Lang::Nl => sector.nl,
        Lang::En => sector.en,
    };
    let root = if lang == Lang::Fr && rng.chance(0.6) {
        *rng.pick(FR_ROOTS)
    } else {
        *rng.pick(ROOTS)
    };
    let coined = coined_name(rng);
    let initials = acronym(rng);
    // Weights favour the patterns with many combinations, so a large portfolio
    // repeats few names.
    let pattern = rng.below(100);
    match lang {
        Lang::Fr => match pattern {
            0..=19 => format!("{word} {surname}"),
            20..=37 => format!("{initials} {word}"),
            38..=43 => format!("{root} {word}"),
            44..=46 => format!(
                "{} {surname}",
                rng.pick(&["Groupe", "Société", "Établissements", "Compagnie", "Maison"])
            ),
            47..=64 => coined,
            65..=72 => format!("{coined} {word}"),
            73..=75 => format!("{surname} {}", rng.pick(&["& Fils", "Frères", "et Associés"])),
            76..=93 => format!("{word} {surname}-{other_surname}"),
            _ if in_france => format!("{word} {}", rng.pick(FR_REGIONS)),
            _ => format!("{initials} {surname}"),
        },
        _ => {
            let (region, family, family_prefix, group) = match lang {
                Lang::De => (*rng.pick(DE_REGIONS), "& Söhne", "Gebrüder", "Gruppe"),
                Lang::Es => (*rng.pick(ES_REGIONS), "e Hijos", "Hermanos", "Grupo"),
                Lang::It => (*rng.pick(IT_REGIONS), "& Figli", "Fratelli", "Gruppo"),
                Lang::Nl => (*rng.pick(NL_REGIONS), "& Zonen", "Gebroeders", "Groep"),
                _ => (*rng.pick(EN_REGIONS), "& Sons", "", "Group"),
            };
            // German, Dutch and English put the trade after the name; Romance languages before.
            let trade_first = matches!(lang, Lang::Es | Lang::It);
            match pattern {
                0..=21 if trade_first => format!("{word} {surname}"),
                0..=21 => format!("{surname} {word}"),
                22..=39 => format!("{initials} {word}"),
                40..=45 => format!("{root} {word}"),
                46..=62 => coined,
                63..=66 if lang == Lang::En => format!("{surname} {group}"),
                63..=66 => format!("{group} {surname}"),
                67..=68 if !family_prefix.is_empty() => format!("{family_prefix} {surname}"),
                67..=71 => format!("{surname} {family}"),
                72..=93 => format!("{surname} & {other_surname}"),
                _ if lang == Lang::De => format!("{region}-{word}"),
                _ if trade_first => format!("{word} {region}"),
                _ => format!("{region} {word}"),
            }
        }
    }
}

/// Company initials ("SMB", "CGTE"), as French and German firms often go by.
pub(super) fn acronym(rng: &mut Rng) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHILMNPRSTV";
    let n = if rng.chance(0.75) { 3 } else { 2 + 2 * rng.below(2) };
    (0..n).map(|_| char::from(*rng.pick(LETTERS))).collect()
}

/// Invented brand names ("Valitek", "Norsivia"), ~130,000 of them.
pub(super) fn coined_name(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        return format!(
            "{}{}{}{}",
            rng.pick(SYLLABLES_HEAD),
            rng.pick(SYLLABLES_MID),
            rng.pick(SYLLABLES_MID),
            rng.pick(SYLLABLES_TAIL)
        );
    }
    format!(
        "{}{}{}",
        rng.pick(SYLLABLES_HEAD),
        rng.pick(SYLLABLES_MID),
        rng.pick(SYLLABLES_TAIL)
    )
}

/// "de Lyon", "d'Angers", "du Havre".
pub(super) fn of_place(city: &str) -> String {
    if let Some(rest) = city.strip_prefix("Le ") {
        return format!("du {rest}");
    }
    if let Some(rest) = city.strip_prefix("Les ") {
        return format!("des {rest}");
    }
    match city.chars().next() {
        Some(c) if "AEIOUYÉÈÊÎÔaeiouyéè".contains(c) => format!("d'{city}"),
        _ => format!("de {city}"),
    }
}

/// Most French companies sit in small towns, not in the 80 cities of the list.
pub(super) fn small_commune(rng: &mut Rng) -> (String, String) {
    let name = format!("{}{}", rng.pick(COMMUNE_HEADS), rng.pick(COMMUNE_TAILS));
    let dept = *rng.pick(FR_DEPARTMENTS);
    (name, format!("{dept:02}{}{}0", rng.below(10), 1 + rng.below(9)))
}

pub(super) fn street_address(rng: &mut Rng, lang: Lang) -> String {
    let max = if rng.chance(0.8) { 60 } else { 240 };
    let n = 1 + rng.below(max);
    match lang {
        // Many French firms sit in a business park named before the street.
        Lang::Fr if rng.chance(0.15) => {
            format!("{}, {n} {}", rng.pick(FR_BUSINESS_PARKS), rng.pick(FR_STREETS))
        }
        Lang::Fr => format!("{n} {}", rng.pick(FR_STREETS)),
        Lang::De => format!("{} {n}", rng.pick(DE_STREETS)),
        Lang::Es => format!("{}, {n}", rng.pick(ES_STREETS)),
        Lang::It => format!("{} {n}", rng.pick(IT_STREETS)),
        Lang::Nl => format!("{} {n}", rng.pick(NL_STREETS)),
        Lang::En => format!("{n} {}", rng.pick(EN_STREETS)),
    }
}

/// A domain-safe form of a company name: "Société Générale" → "societe-generale".
pub(super) fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in normalize(name).split(' ').filter(|w| !w.is_empty()) {
        if out.len() + word.len() > 40 && !out.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out.push_str("entreprise");
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub(super) fn make_sites(
    plan: &Plan,
    rng: &mut Rng,
    account: Uuid,
    index: usize,
    country: &str,
    lang: Lang,
    wanted: usize,
    created: DateTime<Utc>,
) -> Vec<SiteRow> {
    let places = COUNTRIES
        .iter()
        .find(|c| c.code == country)
        .map(|c| c.places)
        .unwrap_or(FR_PLACES);
    let mut names: Vec<String> = Vec::with_capacity(wanted);
    let mut sites = Vec::with_capacity(wanted);
    for j in 0..wanted {
        let business_unit = rng.chance(0.35);
        let city = rng.pick_weighted(places, |p| p.3).0;
        let name = match (business_unit, lang) {
            (true, Lang::Fr) => format!("Division {}", rng.pick(FR_DIVISIONS)),
            (true, _) => format!("{} division", rng.pick(EN_DIVISIONS)),
            (false, Lang::Fr) => format!("{} {}", rng.pick(FR_SITE_KINDS), of_place(city)),
            (false, _) => format!("{city} {}", rng.pick(EN_SITE_KINDS)),
        };
        if names.contains(&name) {
            continue;
        }
        names.push(name.clone());
        let at = created + Duration::days(1 + j as i64);
        sites.push(SiteRow {
            id: demo_id(ID_SITE, ((index as u64) << 12) | j as u64, at),
            workspace_id: plan.workspace,
            account_id: account,
            kind: if business_unit {
                SiteKind::BusinessUnit
            } else {
                SiteKind::Site
            }
            .code()
            .to_owned(),
            name,
            city: (!business_unit).then(|| city.to_owned()),
            country: Some(country.to_owned()),
            created_at: at,
        });
    }
    sites
}

/// The flagship's stores (one per French city of the list) and head-office units.
pub(super) fn flagship_sites(plan: &Plan, account: Uuid, created: DateTime<Utc>) -> Vec<SiteRow> {
    let mut cities: Vec<&str> = Vec::new();
    for p in FR_PLACES {
        if !cities.contains(&p.0) {
            cities.push(p.0);
        }
    }
    let stores = cities
        .into_iter()
        .map(|c| (SiteKind::Site, format!("Hexagone {c}"), Some(c)));
    let units = FLAGSHIP_UNITS
        .iter()
        .map(|u| (SiteKind::BusinessUnit, (*u).to_owned(), None));
    stores
        .chain(units)
        .enumerate()
        .map(|(j, (kind, name, city))| {
            let at = created + Duration::days(1 + j as i64);
            SiteRow {
                id: demo_id(ID_SITE, j as u64, at),
                workspace_id: plan.workspace,
                account_id: account,
                kind: kind.code().to_owned(),
                name,
                city: city.map(str::to_owned),
                country: Some("FR".to_owned()),
                created_at: at,
            }
        })
        .collect()
}

pub(super) fn make_contact(
    plan: &Plan,
    rng: &mut Rng,
    ctx: &AccountCtx<'_>,
    j: usize,
    sites: &[Uuid],
    emails: &mut HashSet<String>,
) -> ContactRow {
    let name_lang = if rng.chance(0.9) {
        ctx.lang
    } else {
        *rng.pick(&ALL_LANGS)
    };
    let names = person_names(name_lang);
    let female = rng.chance(0.5);
    let first = *rng.pick(if female { names.female } else { names.male });
    let last = *rng.pick(names.last);
    let french = matches!(ctx.country, "FR" | "BE" | "CH" | "LU");
    let language = if french { Language::Fr } else { Language::En };

    let mut roles = vec![first_role(rng, ctx, j)];
    if rng.chance(0.2) {
        let extra = *rng.pick(&BuyingRole::ALL);
        if !roles.contains(&extra) {
            roles.push(extra);
        }
    }
    let titles = match (ctx.flagship, roles[0]) {
        (true, BuyingRole::KeyUser) => FLAGSHIP_KEY_USER_TITLES,
        (_, role) => titles_of(role),
    };
    let (masc, fem, en) = *rng.pick(titles);
    let job_title = if language == Language::Fr {
        if female {
            fem
        } else {
            masc
        }
    } else {
        en
    };

    let email = rng.chance(0.95).then(|| {
        let f = normalize(first).replace(' ', "-");
        let l = normalize(last).replace(' ', "");
        let initial = f.chars().next().unwrap_or('x');
        let base = match ctx.mail_style {
            0 => format!("{f}.{l}"),
            1 => format!("{initial}.{l}"),
            2 => format!("{initial}{l}"),
            _ => format!("{l}.{f}"),
        };
        let mut local = base.clone();
        let mut n = 2;
        while emails.contains(&local) {
            local = format!("{base}{n}");
            n += 1;
        }
        emails.insert(local.clone());
        format!("{local}@{}", ctx.domain)
    });
    let phone = rng.chance(0.75).then(|| phone_number(rng, ctx.country));

    let at = ctx.created + Duration::minutes(11 * (j as i64 + 1)) + Duration::seconds(rng.below(600) as i64);
    let left_on = rng.chance(0.08).then(|| {
        let d = ymd(2023, 1, 1) + Duration::days(rng.below(1401) as i64);
        d.max(at.date_naive() + Duration::days(30))
    });
    let site_share = if ctx.flagship { 0.85 } else { 0.6 };
    let site_id = (!sites.is_empty() && rng.chance(site_share)).then(|| *rng.pick(sites));
    let contact = NewContact {
        account_id: Some(ctx.id),
        first_name: Some(first.to_owned()),
        last_name: last.to_owned(),
        email,
        phone,
        job_title: Some(job_title.to_owned()),
        roles,
        site_id,
        language,
        survey_consent: rng.chance(0.8),
        left_on,
        external_ref: None,
    };
    let id = demo_id(ID_CONTACT, ((ctx.index as u64) << 20) | j as u64, at);
    let mut row = ContactRow::from_new(id, plan.workspace, ctx.id, &contact, at);
    row.updated_at = (at + Duration::days(rng.below(300) as i64)).min(demo_now().max(at));
    row
}

/// A buying centre starts with a decision maker, a buyer and someone in finance;
/// further contacts spread over the roles.
pub(super) fn first_role(rng: &mut Rng, ctx: &AccountCtx<'_>, j: usize) -> BuyingRole {
    use BuyingRole::*;
    match j {
        0 if ctx.flagship => Sponsor,
        0 => DecisionMaker,
        1 => Buyer,
        2 => Finance,
        _ if ctx.flagship => {
            rng.pick_weighted(
                &[
                    (KeyUser, 60),
                    (Buyer, 20),
                    (Prescriber, 10),
                    (Finance, 7),
                    (DecisionMaker, 3),
                ],
                |r| r.1,
            )
            .0
        }
        _ => {
            rng.pick_weighted(
                &[
                    (KeyUser, 30),
                    (Buyer, 20),
                    (Prescriber, 25),
                    (DecisionMaker, 8),
                    (Finance, 10),
                    (Sponsor, 7),
                ],
                |r| r.1,
            )
            .0
        }
    }
}

pub(super) fn phone_number(rng: &mut Rng, country: &str) -> String {
    let (a, b, c) = (rng.digits(2), rng.digits(2), rng.digits(3));
    match country {
        // ARCEP and Ofcom reserve these ranges for fiction: nobody gets called.
        "FR" => match rng.below(10) {
            0..=2 => format!("06 39 98 {a} {b}"),
            3 => format!("+33 1 99 00 {a} {b}"),
            _ => format!("01 99 00 {a} {b}"),
        },
        "GB" => format!("+44 20 7946 0{c}"),
        "DE" => format!(
            "+49 {} {c}{}",
            rng.pick(&["30", "40", "89", "221", "69", "711", "211"]),
            rng.digits(4)
        ),
        "BE" => format!("+32 2 {c} {a} {b}"),
        "ES" => format!("+34 91 {c} {a} {b}"),
        "IT" => format!("+39 02 {a}{b} {c}{}", rng.digits(1)),
        "CH" => format!("+41 22 {c} {a} {b}"),
        "LU" => format!("+352 26 {a} {b} {}", rng.digits(2)),
        _ => format!("+31 20 {c} {a}{b}"),
    }
}
