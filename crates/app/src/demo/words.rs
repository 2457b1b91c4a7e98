//! Reference data the generators draw from: places, sectors, names, titles.

use super::*;

pub(super) struct Country {
    pub(super) code: &'static str,
    pub(super) weight: u32,
    pub(super) places: &'static [Place],
}

/// City, postal code, language spoken there, weight.
pub(super) type Place = (&'static str, &'static str, Lang, u32);

#[rustfmt::skip]
pub(super) const COUNTRIES: &[Country] = &[
    Country {
        code: "FR",
        weight: 700,
        places: FR_PLACES,
    },
    Country {
        code: "DE",
        weight: 70,
        places: DE_PLACES,
    },
    Country {
        code: "BE",
        weight: 60,
        places: BE_PLACES,
    },
    Country {
        code: "ES",
        weight: 40,
        places: ES_PLACES,
    },
    Country {
        code: "IT",
        weight: 40,
        places: IT_PLACES,
    },
    Country {
        code: "CH",
        weight: 30,
        places: CH_PLACES,
    },
    Country {
        code: "NL",
        weight: 25,
        places: NL_PLACES,
    },
    Country {
        code: "GB",
        weight: 20,
        places: GB_PLACES,
    },
    Country {
        code: "LU",
        weight: 15,
        places: LU_PLACES,
    },
];

#[rustfmt::skip]
pub(super) const FR_PLACES: &[Place] = &[
    ("Paris", "75008", Lang::Fr, 8), ("Paris", "75009", Lang::Fr, 4), ("Paris", "75015", Lang::Fr, 4),
    ("Paris", "75017", Lang::Fr, 3), ("Paris", "75002", Lang::Fr, 3), ("Paris", "75011", Lang::Fr, 3),
    ("Courbevoie", "92400", Lang::Fr, 4), ("Nanterre", "92000", Lang::Fr, 2),
    ("Boulogne-Billancourt", "92100", Lang::Fr, 3), ("Issy-les-Moulineaux", "92130", Lang::Fr, 2),
    ("Saint-Denis", "93200", Lang::Fr, 2), ("Massy", "91300", Lang::Fr, 2),
    ("Vélizy-Villacoublay", "78140", Lang::Fr, 1), ("Rungis", "94150", Lang::Fr, 1),
    ("Roissy-en-France", "95700", Lang::Fr, 1), ("Montreuil", "93100", Lang::Fr, 1), ("Lyon", "69003", Lang::Fr, 5),
    ("Lyon", "69007", Lang::Fr, 2), ("Villeurbanne", "69100", Lang::Fr, 2), ("Marseille", "13002", Lang::Fr, 3),
    ("Aix-en-Provence", "13100", Lang::Fr, 2), ("Toulouse", "31000", Lang::Fr, 4), ("Blagnac", "31700", Lang::Fr, 1),
    ("Nice", "06000", Lang::Fr, 2), ("Valbonne", "06560", Lang::Fr, 1), ("Nantes", "44000", Lang::Fr, 3),
    ("Saint-Herblain", "44800", Lang::Fr, 1), ("Montpellier", "34000", Lang::Fr, 2),
    ("Strasbourg", "67000", Lang::Fr, 2), ("Bordeaux", "33000", Lang::Fr, 3), ("Mérignac", "33700", Lang::Fr, 1),
    ("Lille", "59000", Lang::Fr, 3), ("Roubaix", "59100", Lang::Fr, 1), ("Villeneuve-d'Ascq", "59650", Lang::Fr, 1),
    ("Rennes", "35000", Lang::Fr, 2), ("Reims", "51100", Lang::Fr, 1), ("Toulon", "83000", Lang::Fr, 1),
    ("Saint-Étienne", "42000", Lang::Fr, 1), ("Le Havre", "76600", Lang::Fr, 1), ("Grenoble", "38000", Lang::Fr, 2),
    ("Dijon", "21000", Lang::Fr, 1), ("Angers", "49000", Lang::Fr, 1), ("Nîmes", "30000", Lang::Fr, 1),
    ("Clermont-Ferrand", "63000", Lang::Fr, 1), ("Le Mans", "72000", Lang::Fr, 1), ("Brest", "29200", Lang::Fr, 1),
    ("Tours", "37000", Lang::Fr, 1), ("Amiens", "80000", Lang::Fr, 1), ("Limoges", "87000", Lang::Fr, 1),
    ("Annecy", "74000", Lang::Fr, 1), ("Perpignan", "66000", Lang::Fr, 1), ("Metz", "57000", Lang::Fr, 1),
    ("Besançon", "25000", Lang::Fr, 1), ("Orléans", "45000", Lang::Fr, 1), ("Rouen", "76000", Lang::Fr, 1),
    ("Mulhouse", "68100", Lang::Fr, 1), ("Caen", "14000", Lang::Fr, 1), ("Nancy", "54000", Lang::Fr, 1),
    ("Poitiers", "86000", Lang::Fr, 1), ("Pau", "64000", Lang::Fr, 1), ("La Rochelle", "17000", Lang::Fr, 1),
    ("Valence", "26000", Lang::Fr, 1), ("Troyes", "10000", Lang::Fr, 1), ("Chambéry", "73000", Lang::Fr, 1),
    ("Lorient", "56100", Lang::Fr, 1), ("Niort", "79000", Lang::Fr, 1), ("Vannes", "56000", Lang::Fr, 1),
    ("Colmar", "68000", Lang::Fr, 1), ("Cholet", "49300", Lang::Fr, 1), ("Quimper", "29000", Lang::Fr, 1),
    ("Laval", "53000", Lang::Fr, 1), ("Bourges", "18000", Lang::Fr, 1), ("Albi", "81000", Lang::Fr, 1),
];

#[rustfmt::skip]
pub(super) const DE_PLACES: &[Place] = &[
    ("Berlin", "10117", Lang::De, 4), ("Hamburg", "20095", Lang::De, 3), ("München", "80331", Lang::De, 4),
    ("Köln", "50667", Lang::De, 2), ("Frankfurt am Main", "60311", Lang::De, 3), ("Stuttgart", "70173", Lang::De, 2),
    ("Düsseldorf", "40213", Lang::De, 2), ("Leipzig", "04109", Lang::De, 1), ("Dortmund", "44135", Lang::De, 1),
    ("Essen", "45127", Lang::De, 1), ("Bremen", "28195", Lang::De, 1), ("Dresden", "01067", Lang::De, 1),
    ("Hannover", "30159", Lang::De, 1), ("Nürnberg", "90402", Lang::De, 1), ("Mannheim", "68159", Lang::De, 1),
    ("Karlsruhe", "76133", Lang::De, 1), ("Freiburg im Breisgau", "79098", Lang::De, 1),
    ("Saarbrücken", "66111", Lang::De, 1),
];

#[rustfmt::skip]
pub(super) const BE_PLACES: &[Place] = &[
    ("Bruxelles", "1000", Lang::Fr, 5), ("Ixelles", "1050", Lang::Fr, 1), ("Antwerpen", "2000", Lang::Nl, 3),
    ("Gent", "9000", Lang::Nl, 2), ("Liège", "4000", Lang::Fr, 2), ("Charleroi", "6000", Lang::Fr, 1),
    ("Namur", "5000", Lang::Fr, 1), ("Leuven", "3000", Lang::Nl, 1), ("Mons", "7000", Lang::Fr, 1),
    ("Brugge", "8000", Lang::Nl, 1), ("Wavre", "1300", Lang::Fr, 1), ("Hasselt", "3500", Lang::Nl, 1),
];

#[rustfmt::skip]
pub(super) const ES_PLACES: &[Place] = &[
    ("Madrid", "28001", Lang::Es, 5), ("Barcelona", "08001", Lang::Es, 4), ("Valencia", "46001", Lang::Es, 2),
    ("Sevilla", "41001", Lang::Es, 1), ("Zaragoza", "50001", Lang::Es, 1), ("Málaga", "29001", Lang::Es, 1),
    ("Bilbao", "48001", Lang::Es, 1), ("Alicante", "03001", Lang::Es, 1), ("Valladolid", "47001", Lang::Es, 1),
    ("Vigo", "36201", Lang::Es, 1),
];

#[rustfmt::skip]
pub(super) const IT_PLACES: &[Place] = &[
    ("Milano", "20121", Lang::It, 5), ("Roma", "00184", Lang::It, 3), ("Torino", "10121", Lang::It, 2),
    ("Bologna", "40121", Lang::It, 2), ("Firenze", "50123", Lang::It, 1), ("Napoli", "80133", Lang::It, 1),
    ("Genova", "16121", Lang::It, 1), ("Verona", "37121", Lang::It, 1), ("Padova", "35121", Lang::It, 1),
    ("Bergamo", "24121", Lang::It, 1), ("Brescia", "25121", Lang::It, 1),
];

#[rustfmt::skip]
pub(super) const CH_PLACES: &[Place] = &[
    ("Genève", "1201", Lang::Fr, 3), ("Lausanne", "1003", Lang::Fr, 2), ("Neuchâtel", "2000", Lang::Fr, 1),
    ("Fribourg", "1700", Lang::Fr, 1), ("Sion", "1950", Lang::Fr, 1), ("Zürich", "8001", Lang::De, 3),
    ("Basel", "4051", Lang::De, 2), ("Bern", "3011", Lang::De, 1), ("Lugano", "6900", Lang::It, 1),
];

#[rustfmt::skip]
pub(super) const LU_PLACES: &[Place] = &[
    ("Luxembourg", "L-1855", Lang::Fr, 5), ("Esch-sur-Alzette", "L-4004", Lang::Fr, 1),
    ("Differdange", "L-4501", Lang::Fr, 1), ("Bertrange", "L-8080", Lang::Fr, 1),
    ("Munsbach", "L-5365", Lang::Fr, 1), ("Dudelange", "L-3401", Lang::Fr, 1),
];

#[rustfmt::skip]
pub(super) const NL_PLACES: &[Place] = &[
    ("Amsterdam", "1012 AB", Lang::Nl, 4), ("Rotterdam", "3011 AA", Lang::Nl, 3),
    ("Den Haag", "2511 BT", Lang::Nl, 2), ("Utrecht", "3511 AX", Lang::Nl, 2), ("Eindhoven", "5611 AZ", Lang::Nl, 2),
    ("Tilburg", "5038 EA", Lang::Nl, 1), ("Groningen", "9711 LM", Lang::Nl, 1), ("Breda", "4811 XJ", Lang::Nl, 1),
    ("Nijmegen", "6511 PP", Lang::Nl, 1), ("Venlo", "5911 BE", Lang::Nl, 1),
];

#[rustfmt::skip]
pub(super) const GB_PLACES: &[Place] = &[
    ("London", "EC2V 7HH", Lang::En, 5), ("Manchester", "M1 1AE", Lang::En, 2),
    ("Birmingham", "B1 1BB", Lang::En, 2), ("Leeds", "LS1 4AP", Lang::En, 1), ("Glasgow", "G1 1XQ", Lang::En, 1),
    ("Bristol", "BS1 4DJ", Lang::En, 1), ("Edinburgh", "EH1 1YZ", Lang::En, 1), ("Liverpool", "L1 8JQ", Lang::En, 1),
    ("Reading", "RG1 1AF", Lang::En, 1), ("Cambridge", "CB2 1TN", Lang::En, 1),
];

#[rustfmt::skip]
pub(super) const FR_DEPARTMENTS: &[u32] = &[
    1, 2, 3, 7, 10, 14, 16, 17, 18, 21, 22, 24, 25, 26, 27, 28, 29, 33, 35, 37, 38, 39, 40, 41, 42,
    44, 45, 49, 50, 51, 53, 54, 56, 57, 59, 60, 62, 63, 64, 67, 68, 69, 71, 72, 73, 74, 76, 77, 78,
    79, 80, 81, 83, 84, 85, 86, 87, 88, 91, 95,
];

#[rustfmt::skip]
pub(super) const COMMUNE_HEADS: &[&str] = &[
    "Saint-Martin", "Saint-Jean", "Saint-Pierre", "Sainte-Marie", "Villeneuve", "Montigny", "Fontaine", "Beaumont",
    "Neuville", "Châteauneuf", "Bourg", "Mont", "Bois", "Val", "Villers", "Champagne", "Roche", "Marly", "Chaumont",
    "Belleville", "Aubigny", "Brétigny", "Corbeil", "Mareuil",
];

#[rustfmt::skip]
pub(super) const COMMUNE_TAILS: &[&str] = &[
    "-sur-Loire", "-sur-Seine", "-en-Provence", "-le-Château", "-les-Bains", "-sur-Mer", "-la-Forêt", "-du-Lac",
    "-de-Bretagne", "-en-Vexin", "-sous-Bois", "-le-Vieux", "-la-Rivière", "-sur-Marne", "-en-Bresse", "-sur-Saône",
    "-d'Aunis", "-en-Forez", "-le-Roi", "-sur-Orge",
];

#[rustfmt::skip]
pub(super) const FR_STREETS: &[&str] = &[
    "rue de la République", "avenue Jean Jaurès", "boulevard Haussmann", "rue Victor Hugo", "rue Pasteur",
    "avenue du Général de Gaulle", "rue de la Gare", "rue des Frères Lumière", "cours Gambetta", "avenue Foch",
    "rue de Verdun", "rue Émile Zola", "rue du Commerce", "rue de l'Industrie", "allée des Artisans",
    "rue Clément Ader", "avenue Ampère", "rue Gustave Eiffel", "quai de la Loire", "chemin des Vignes",
    "route de Lyon", "place de la Mairie", "impasse des Tilleuls", "rue du Moulin", "rue de la Forge",
    "allée Newton", "rue Denis Papin", "avenue de l'Europe",
];

#[rustfmt::skip]
pub(super) const FR_BUSINESS_PARKS: &[&str] = &[
    "ZI des Paluds", "Parc d'activités du Golf", "ZA du Moulin", "Technopôle Sud", "ZAC des Portes de l'Ouest",
    "Parc d'activités de la Vallée", "ZI Nord", "Espace Européen de l'Entreprise",
];

#[rustfmt::skip]
pub(super) const DE_STREETS: &[&str] = &[
    "Hauptstraße", "Industriestraße", "Bahnhofstraße", "Friedrichstraße", "Am Hafen", "Gewerbering", "Lindenallee",
    "Schillerstraße", "Goethestraße", "Kaiserstraße", "Mühlenweg", "Im Technologiepark",
];

#[rustfmt::skip]
pub(super) const ES_STREETS: &[&str] = &[
    "Calle Mayor", "Avenida de la Constitución", "Calle de Alcalá", "Paseo de la Castellana", "Calle Gran Vía",
    "Avenida Diagonal", "Polígono Industrial Las Mercedes", "Calle del Comercio", "Avenida de Andalucía",
    "Calle San Vicente",
];

#[rustfmt::skip]
pub(super) const IT_STREETS: &[&str] = &[
    "Via Roma", "Corso Italia", "Via Giuseppe Garibaldi", "Viale dell'Industria", "Via Dante Alighieri",
    "Via Milano", "Corso Vittorio Emanuele II", "Via dell'Artigianato", "Via Torino", "Via Guglielmo Marconi",
];

#[rustfmt::skip]
pub(super) const NL_STREETS: &[&str] = &[
    "Stationsstraat", "Industrieweg", "Havenstraat", "Kerkstraat", "Keizersgracht", "Marktplein", "Molenweg",
    "Nijverheidsstraat", "Dorpsstraat", "Schoolstraat",
];

#[rustfmt::skip]
pub(super) const EN_STREETS: &[&str] = &[
    "High Street", "Station Road", "King Street", "Victoria Road", "Church Lane", "Queen's Road", "Mill Lane",
    "Park Road", "London Road", "Market Street",
];

/// A sector: French label (stored), its weight, and trade words for names in each language.
pub(super) struct Sector {
    pub(super) label: &'static str,
    pub(super) weight: u32,
    /// Empty for the public sector, whose names follow other rules.
    pub(super) fr: &'static [&'static str],
    pub(super) de: &'static str,
    pub(super) es: &'static str,
    pub(super) it: &'static str,
    pub(super) nl: &'static str,
    pub(super) en: &'static str,
}

#[rustfmt::skip]
pub(super) const SECTORS: &[Sector] = &[
    Sector {
        label: "Industrie agroalimentaire",
        weight: 9,
        fr: &[
            "Laiteries", "Conserverie", "Biscuiterie", "Fromagerie", "Minoterie", "Salaisons", "Brasserie", "Agro",
        ],
        de: "Lebensmittel",
        es: "Alimentación",
        it: "Alimentari",
        nl: "Voeding",
        en: "Foods",
    },
    Sector {
        label: "BTP",
        weight: 10,
        fr: &[
            "Bâtiment", "Construction", "Travaux Publics", "Charpente", "Menuiserie", "Maçonnerie", "Génie Civil",
            "Terrassement",
        ],
        de: "Bau",
        es: "Construcciones",
        it: "Costruzioni",
        nl: "Bouw",
        en: "Construction",
    },
    Sector {
        label: "Santé",
        weight: 6,
        fr: &[
            "Clinique", "Médical", "Santé", "Biologie", "Radiologie", "Orthopédie",
        ],
        de: "Medizintechnik",
        es: "Salud",
        it: "Sanità",
        nl: "Zorg",
        en: "Healthcare",
    },
    Sector {
        label: "Logiciels et services",
        weight: 8,
        fr: &[
            "Informatique", "Digital", "Logiciels", "Systèmes", "Data", "Cloud", "Technologies",
        ],
        de: "Software",
        es: "Software",
        it: "Software",
        nl: "Software",
        en: "Software",
    },
    Sector {
        label: "Distribution",
        weight: 9,
        fr: &[
            "Distribution", "Négoce", "Commerce", "Comptoir", "Magasins", "Fournitures",
        ],
        de: "Handel",
        es: "Distribuciones",
        it: "Distribuzione",
        nl: "Handel",
        en: "Retail",
    },
    Sector {
        label: "Transport et logistique",
        weight: 8,
        fr: &[
            "Transports", "Logistique", "Messagerie", "Fret", "Entrepôts", "Affrètement",
        ],
        de: "Logistik",
        es: "Transportes",
        it: "Trasporti",
        nl: "Transport",
        en: "Logistics",
    },
    Sector {
        label: "Industrie manufacturière",
        weight: 11,
        fr: &[
            "Ateliers", "Mécanique", "Usinage", "Fonderie", "Plasturgie", "Emballages", "Industries",
            "Chaudronnerie",
        ],
        de: "Maschinenbau",
        es: "Industrias",
        it: "Meccanica",
        nl: "Techniek",
        en: "Engineering",
    },
    Sector {
        label: "Énergie",
        weight: 4,
        fr: &["Énergie", "Solaire", "Éolien", "Électricité", "Thermique"],
        de: "Energie",
        es: "Energía",
        it: "Energia",
        nl: "Energie",
        en: "Energy",
    },
    Sector {
        label: "Banque et assurance",
        weight: 4,
        fr: &[
            "Assurances", "Mutuelle", "Finance", "Courtage", "Patrimoine",
        ],
        de: "Versicherung",
        es: "Seguros",
        it: "Assicurazioni",
        nl: "Verzekeringen",
        en: "Insurance",
    },
    Sector {
        label: "Chimie et pharmacie",
        weight: 5,
        fr: &[
            "Chimie", "Pharma", "Peintures", "Cosmétiques", "Laboratoires",
        ],
        de: "Chemie",
        es: "Química",
        it: "Chimica",
        nl: "Chemie",
        en: "Chemicals",
    },
    Sector {
        label: "Automobile",
        weight: 4,
        fr: &[
            "Automobiles", "Équipements Auto", "Carrosserie", "Pneumatiques", "Garage",
        ],
        de: "Automotive",
        es: "Automoción",
        it: "Automotive",
        nl: "Automotive",
        en: "Automotive",
    },
    Sector {
        label: "Aéronautique et défense",
        weight: 3,
        fr: &[
            "Aéronautique", "Aérospatiale", "Composites", "Précision", "Défense",
        ],
        de: "Luftfahrttechnik",
        es: "Aeronáutica",
        it: "Aerospazio",
        nl: "Luchtvaart",
        en: "Aerospace",
    },
    Sector {
        label: "Conseil et services aux entreprises",
        weight: 8,
        fr: &[
            "Conseil", "Audit", "Expertise", "Partenaires", "Services", "Ingénierie",
        ],
        de: "Beratung",
        es: "Consultoría",
        it: "Consulenza",
        nl: "Advies",
        en: "Consulting",
    },
    Sector {
        label: "Hôtellerie et restauration",
        weight: 4,
        fr: &[
            "Hôtels", "Restauration", "Traiteur", "Résidences", "Brasseries",
        ],
        de: "Gastronomie",
        es: "Hostelería",
        it: "Ristorazione",
        nl: "Horeca",
        en: "Hospitality",
    },
    Sector {
        label: "Télécommunications",
        weight: 2,
        fr: &["Télécom", "Réseaux", "Fibre", "Communications"],
        de: "Telekom",
        es: "Telecomunicaciones",
        it: "Telecomunicazioni",
        nl: "Telecom",
        en: "Telecom",
    },
    Sector {
        label: "Immobilier",
        weight: 3,
        fr: &["Immobilier", "Foncière", "Gestion Immobilière", "Promotion"],
        de: "Immobilien",
        es: "Inmobiliaria",
        it: "Immobiliare",
        nl: "Vastgoed",
        en: "Property",
    },
    Sector {
        label: "Secteur public",
        weight: 4,
        fr: &[],
        de: "",
        es: "",
        it: "",
        nl: "",
        en: "",
    },
];

#[rustfmt::skip]
pub(super) const PUBLIC_BODIES: &[(&str, CompanySize)] = &[
    ("Mairie", CompanySize::Small), ("Communauté de communes", CompanySize::Small),
    ("Communauté d'agglomération", CompanySize::Intermediate), ("Centre hospitalier", CompanySize::Intermediate),
    ("Office public de l'habitat", CompanySize::Small), ("Syndicat intercommunal des eaux", CompanySize::Small),
    ("Centre communal d'action sociale", CompanySize::Micro), ("Lycée professionnel", CompanySize::Small),
];

#[rustfmt::skip]
pub(super) const LOST_REASONS: &[&str] = &[
    "Prix jugé trop élevé", "Choix d'un concurrent", "Rachat par un groupe", "Cessation d'activité",
    "Insatisfaction sur la qualité de service", "Budget supprimé", "Internalisation de la prestation",
    "Appel d'offres perdu", "Changement de direction", "Délais de livraison non tenus",
];

#[rustfmt::skip]
pub(super) const FR_ROOTS: &[&str] = &[
    "Armor", "Atlantique", "Provence", "Alpes", "Azur", "Horizon", "Vallée", "Boréal", "Méridien", "Cristal",
    "Lumière", "Arcadie", "Cévennes", "Jura", "Vosges", "Océane", "Garonne", "Rhône", "Loire", "Seine", "Durance",
    "Iroise", "Normandie", "Aquitaine", "Occitanie", "Opale", "Émeraude", "Ardoise", "Granit", "Silex", "Hermine",
    "Tilleul", "Cèdre", "Phare", "Ancre", "Boussole", "Comète", "Équinoxe", "Mistral", "Sémaphore",
];

#[rustfmt::skip]
pub(super) const ROOTS: &[&str] = &[
    "Nova", "Vega", "Orion", "Delta", "Alpha", "Sigma", "Helios", "Atlas", "Aurora", "Cobalt",
    "Titan", "Zenit", "Polaris", "Vertex", "Axis", "Lumen", "Primus", "Optima", "Magna", "Terra",
    "Aqua", "Silva", "Iris", "Astra", "Nexus", "Summit", "Unitas", "Vita", "Fortis", "Quadra",
];

#[rustfmt::skip]
pub(super) const SYLLABLES_HEAD: &[&str] = &[
    "Ka", "Lo", "Ve", "Ma", "Ti", "Ra", "No", "Se", "Di", "Ba", "Ce", "Fi", "Gra", "Pro", "Tex",
    "Zo", "Mé", "Ar", "Bel", "Cor", "Dal", "El", "Fer", "Gal", "Hel", "Ix", "Jo", "Lu", "Mir",
    "Nor", "Ol", "Pa", "Qui", "Ro", "Sa", "Tu", "Ul", "Va", "Wi", "Xa",
];

#[rustfmt::skip]
pub(super) const SYLLABLES_MID: &[&str] = &[
    "ra", "li", "no", "ve", "ta", "mi", "do", "si", "ne", "lo", "ri", "va", "ma", "co", "ge", "pi",
    "nu", "be", "xi", "le",
];

#[rustfmt::skip]
pub(super) const SYLLABLES_TAIL: &[&str] = &[
    "tek", "via", "lis", "nor", "gen", "tis", "ko", "ria", "lab", "sys", "ium", "o", "a", "is",
    "on",
];

#[rustfmt::skip]
pub(super) const FR_REGIONS: &[&str] = &[
    "de Bretagne", "de Provence", "du Rhône", "d'Alsace", "de Normandie", "du Sud-Ouest", "de l'Ouest", "du Nord",
    "de Savoie", "d'Auvergne", "de Lorraine", "du Centre", "de Bourgogne", "de Touraine", "des Alpes",
    "du Languedoc", "de Picardie", "de l'Atlantique", "de la Loire", "des Flandres",
];
#[rustfmt::skip]
pub(super) const DE_REGIONS: &[&str] = &[
    "Rhein", "Nord", "Süd", "West", "Ost", "Alpen", "Hanse", "Elbe", "Main", "Schwaben", "Franken",
    "Ruhr", "Bodensee", "Spree", "Donau",
];
#[rustfmt::skip]
pub(super) const ES_REGIONS: &[&str] = &[
    "Levante", "Norte", "Sur", "Cantábrico", "Mediterráneo", "Ibérica", "Castilla", "Galicia", "Aragón", "Atlántico",
];
#[rustfmt::skip]
pub(super) const IT_REGIONS: &[&str] = &[
    "Adriatica", "Tirrena", "Padana", "Lombarda", "Veneta", "Toscana", "Ligure", "Emiliana", "Piemontese", "Alpina",
];
#[rustfmt::skip]
pub(super) const NL_REGIONS: &[&str] = &[
    "Noord", "Zuid", "Holland", "Brabant", "Delta", "Rijnmond", "Veluwe", "Kempen", "Limburg",
    "Zeeland",
];
#[rustfmt::skip]
pub(super) const EN_REGIONS: &[&str] = &[
    "Northern", "Southern", "Midlands", "Pennine", "Thames", "Highland", "Western", "Eastern",
    "Albion", "Solent",
];

#[rustfmt::skip]
pub(super) const FR_SITE_KINDS: &[&str] = &[
    "Usine", "Site", "Agence", "Entrepôt", "Établissement", "Plateforme logistique",
];
#[rustfmt::skip]
pub(super) const EN_SITE_KINDS: &[&str] = &["plant", "office", "warehouse", "site"];
#[rustfmt::skip]
pub(super) const FR_DIVISIONS: &[&str] = &[
    "Industrie", "Services", "Export", "Grands comptes", "Réseau", "Maintenance", "Innovation", "Produits", "Santé",
    "Énergie",
];
#[rustfmt::skip]
pub(super) const EN_DIVISIONS: &[&str] = &[
    "Industrial", "Services", "Export", "Key Accounts", "Network", "Maintenance", "Innovation", "Products",
];

#[rustfmt::skip]
pub(super) const FLAGSHIP_UNITS: &[&str] = &[
    "Hexagone Proximité", "Hexagone Hypermarchés", "Hexagone Drive", "Hexagone Pro", "Direction des achats",
    "Logistique et entrepôts",
];

/// (masculine French, feminine French, English) job titles.
pub(super) type Titles = &'static [(&'static str, &'static str, &'static str)];

pub(super) fn titles_of(role: BuyingRole) -> Titles {
    match role {
        BuyingRole::Sponsor => &[
            ("Directeur général", "Directrice générale", "Chief Executive Officer"),
            (
                "Directeur des opérations",
                "Directrice des opérations",
                "Chief Operating Officer",
            ),
            ("Président", "Présidente", "Managing Director"),
            (
                "Directeur général adjoint",
                "Directrice générale adjointe",
                "Deputy Managing Director",
            ),
        ],
        BuyingRole::DecisionMaker => &[
            (
                "Directeur des achats",
                "Directrice des achats",
                "Chief Procurement Officer",
            ),
            (
                "Directeur des systèmes d'information",
                "Directrice des systèmes d'information",
                "Chief Information Officer",
            ),
            (
                "Directeur industriel",
                "Directrice industrielle",
                "Head of Manufacturing",
            ),
            ("Directeur technique", "Directrice technique", "Technical Director"),
            ("Directeur de site", "Directrice de site", "Site Director"),
        ],
        BuyingRole::Buyer => &[
            ("Acheteur", "Acheteuse", "Buyer"),
            ("Responsable achats", "Responsable achats", "Purchasing Manager"),
            ("Acheteur projets", "Acheteuse projets", "Project Buyer"),
            ("Acheteur famille", "Acheteuse famille", "Category Buyer"),
            (
                "Responsable approvisionnements",
                "Responsable approvisionnements",
                "Supply Manager",
            ),
        ],
        BuyingRole::Prescriber => &[
            ("Ingénieur méthodes", "Ingénieure méthodes", "Process Engineer"),
            ("Chef de projet", "Cheffe de projet", "Project Manager"),
            ("Responsable qualité", "Responsable qualité", "Quality Manager"),
            ("Architecte technique", "Architecte technique", "Solutions Architect"),
            ("Responsable R&D", "Responsable R&D", "R&D Manager"),
        ],
        BuyingRole::KeyUser => &[
            ("Responsable logistique", "Responsable logistique", "Logistics Manager"),
            (
                "Technicien de maintenance",
                "Technicienne de maintenance",
                "Maintenance Technician",
            ),
            ("Chef d'atelier", "Cheffe d'atelier", "Workshop Supervisor"),
            (
                "Assistant de direction",
                "Assistante de direction",
                "Executive Assistant",
            ),
            ("Gestionnaire ADV", "Gestionnaire ADV", "Sales Administrator"),
        ],
        BuyingRole::Finance => &[
            (
                "Directeur administratif et financier",
                "Directrice administrative et financière",
                "Chief Financial Officer",
            ),
            (
                "Comptable fournisseurs",
                "Comptable fournisseurs",
                "Accounts Payable Clerk",
            ),
            (
                "Contrôleur de gestion",
                "Contrôleuse de gestion",
                "Financial Controller",
            ),
            ("Responsable comptable", "Responsable comptable", "Head of Accounting"),
        ],
    }
}

#[rustfmt::skip]
pub(super) const FLAGSHIP_KEY_USER_TITLES: Titles = &[
    (
        "Directeur de magasin",
        "Directrice de magasin",
        "Store Manager",
    ),
    (
        "Responsable de rayon",
        "Responsable de rayon",
        "Department Manager",
    ),
    ("Chef de secteur", "Cheffe de secteur", "Area Manager"),
    (
        "Responsable de réception",
        "Responsable de réception",
        "Goods-in Manager",
    ),
    (
        "Adjoint de direction",
        "Adjointe de direction",
        "Assistant Store Manager",
    ),
];

pub(super) struct PersonNames {
    pub(super) male: &'static [&'static str],
    pub(super) female: &'static [&'static str],
    pub(super) last: &'static [&'static str],
}

pub(super) fn person_names(lang: Lang) -> &'static PersonNames {
    match lang {
        Lang::Fr => &FR_NAMES,
        Lang::De => &DE_NAMES,
        Lang::Es => &ES_NAMES,
        Lang::It => &IT_NAMES,
        Lang::Nl => &NL_NAMES,
        Lang::En => &EN_NAMES,
    }
}

#[rustfmt::skip]
pub(super) const FR_NAMES: PersonNames = PersonNames {
    male: &[
        "Jean", "Pierre", "Nicolas", "Thomas", "Julien", "Sébastien", "Laurent", "Philippe", "Éric", "Olivier",
        "Christophe", "Stéphane", "Mathieu", "Antoine", "Guillaume", "Alexandre", "Maxime", "Romain", "Vincent",
        "François", "David", "Frédéric", "Benoît", "Jérôme", "Hugo", "Lucas", "Louis", "Arthur", "Théo", "Paul",
        "Baptiste", "Damien", "Cédric", "Fabrice", "Patrick", "Alain", "Bernard", "Yannick", "Karim", "Mehdi",
        "Samir", "Kevin", "Jean-Pierre", "Jean-Marc",
    ],
    female: &[
        "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Céline", "Sandrine", "Valérie",
        "Christine", "Julie", "Aurélie", "Camille", "Émilie", "Claire", "Anne", "Laure", "Caroline", "Hélène",
        "Élodie", "Stéphanie", "Virginie", "Audrey", "Pauline", "Manon", "Léa", "Chloé", "Inès", "Sarah",
        "Charlotte", "Juliette", "Mathilde", "Amandine", "Delphine", "Florence", "Karine", "Nadia", "Leïla",
        "Fatima", "Agnès", "Anne-Sophie", "Marie-Claire",
    ],
    last: &[
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
        "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet",
        "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier",
        "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
        "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
        "Duval", "Denis", "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
        "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche",
        "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
        "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey",
        "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot",
        "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur",
        "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty", "Aubry",
        "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly",
        "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet",
        "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff",
        "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet", "Hamon",
        "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin",
        "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard",
        "Maréchal", "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon",
        "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "Benali", "Haddad", "Nguyen",
        "Diallo", "Traoré",
    ],
};

#[rustfmt::skip]
pub(super) const DE_NAMES: PersonNames = PersonNames {
    male: &[
        "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Alexander", "Daniel", "Jan", "Tobias",
        "Florian", "Matthias", "Sebastian", "Jürgen", "Uwe", "Klaus", "Lukas", "Felix", "Jonas", "Maximilian",
    ],
    female: &[
        "Sabine", "Claudia", "Andrea", "Susanne", "Katrin", "Julia", "Anna", "Laura", "Lena",
        "Sarah", "Nicole", "Stefanie", "Birgit", "Petra", "Monika", "Sandra", "Melanie", "Johanna",
        "Lea", "Hannah",
    ],
    last: &[
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
        "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
        "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser",
        "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel",
    ],
};

#[rustfmt::skip]
pub(super) const ES_NAMES: PersonNames = PersonNames {
    male: &[
        "Antonio", "José", "Manuel", "Francisco", "David", "Juan", "Javier", "Daniel", "Carlos", "Jesús",
        "Alejandro", "Miguel", "Rafael", "Pablo", "Sergio", "Jorge", "Alberto", "Luis", "Álvaro", "Diego",
    ],
    female: &[
        "María", "Carmen", "Ana", "Laura", "Isabel", "Lucía", "Cristina", "Marta", "Elena", "Sara",
        "Paula", "Raquel", "Pilar", "Rocío", "Beatriz", "Silvia", "Patricia", "Nuria", "Irene",
        "Andrea",
    ],
    last: &[
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez",
        "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina",
        "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Iglesias",
    ],
};

#[rustfmt::skip]
pub(super) const IT_NAMES: PersonNames = PersonNames {
    male: &[
        "Marco", "Alessandro", "Giuseppe", "Francesco", "Luca", "Andrea", "Giovanni", "Roberto", "Stefano", "Matteo",
        "Lorenzo", "Davide", "Simone", "Paolo", "Antonio", "Fabio", "Riccardo", "Giorgio", "Massimo", "Federico",
    ],
    female: &[
        "Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Laura", "Alessandra", "Elena", "Martina", "Silvia",
        "Federica", "Paola", "Elisa", "Anna", "Roberta", "Marta", "Giorgia", "Cristina", "Serena", "Beatrice",
    ],
    last: &[
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
        "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri",
        "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
        "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    ],
};

#[rustfmt::skip]
pub(super) const NL_NAMES: PersonNames = PersonNames {
    male: &[
        "Jan", "Pieter", "Dirk", "Bram", "Daan", "Sem", "Thijs", "Ruben", "Lars", "Joost",
        "Maarten", "Willem", "Hendrik", "Bas", "Jeroen", "Sander", "Koen", "Tim", "Niels",
        "Wouter",
    ],
    female: &[
        "Anna", "Emma", "Sanne", "Lotte", "Femke", "Eva", "Iris", "Anouk", "Fleur", "Lisa",
        "Marloes", "Inge", "Ilse", "Annelies", "Esther", "Mieke", "Saskia", "Renske", "Noor",
        "Julia",
    ],
    last: &[
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
        "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
        "Vermeulen", "Peeters", "Maes", "Claes", "Willems", "Goossens", "Wouters",
    ],
};

#[rustfmt::skip]
pub(super) const EN_NAMES: PersonNames = PersonNames {
    male: &[
        "James", "John", "David", "Michael", "Paul", "Andrew", "Mark", "Richard", "Daniel", "Thomas", "Christopher",
        "Matthew", "Simon", "Peter", "Oliver", "Harry", "George", "Jack", "William", "Robert",
    ],
    female: &[
        "Sarah", "Emma", "Claire", "Rachel", "Laura", "Emily", "Charlotte", "Rebecca", "Hannah", "Sophie", "Lucy",
        "Amy", "Helen", "Jessica", "Katie", "Victoria", "Olivia", "Grace", "Alice", "Joanna",
    ],
    last: &[
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
        "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
        "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
        "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
        "Baker", "Harrison", "Morgan", "Allen",
    ],
};
