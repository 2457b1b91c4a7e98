//! The full column sets of the CRM exports people bring, as their documentation
//! lists them: every column with a home in Bilan lands there; the others are
//! named here as knowingly left out, so a new column is a decision, not an accident.

#[cfg(test)]
mod tests {
    use super::super::*;

    fn check(kind: ImportKind, layout: &str, columns: &[(&str, Option<&str>)]) {
        let mut wrong = Vec::new();
        for (header, expected) in columns {
            let got = recognise(kind, header);
            if got != *expected {
                wrong.push(format!("{header:?}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(wrong.is_empty(), "{layout}:\n{}", wrong.join("\n"));
    }

    #[test]
    fn salesforce_accounts() {
        // Salesforce Data Export, Account object (API names).
        check(
            ImportKind::Accounts,
            "Salesforce",
            &[
                ("Id", Some("id")),
                ("Name", Some("name")),
                ("Type", Some("status")),
                ("ParentId", None),
                ("BillingStreet", Some("address")),
                ("BillingCity", Some("city")),
                ("BillingState", None),
                ("BillingPostalCode", Some("postal_code")),
                ("BillingCountry", Some("country")),
                ("ShippingStreet", None),
                ("ShippingCity", None),
                ("ShippingPostalCode", None),
                ("ShippingCountry", None),
                ("Phone", Some("phone")),
                ("Fax", None),
                ("AccountNumber", Some("external_ref")),
                ("Website", Some("website")),
                ("Sic", None),
                ("Industry", Some("sector")),
                ("AnnualRevenue", Some("revenue")),
                ("NumberOfEmployees", Some("headcount")),
                ("Ownership", None),
                ("Description", None),
                ("Rating", None),
                ("OwnerId", None),
                ("CreatedDate", None),
                ("LastActivityDate", None),
            ],
        );
    }

    #[test]
    fn hubspot_companies() {
        check(
            ImportKind::Accounts,
            "HubSpot",
            &[
                ("Record ID", Some("external_ref")),
                ("Company name", Some("name")),
                ("Company Domain Name", Some("website")),
                ("Website URL", Some("website")),
                ("Phone Number", Some("phone")),
                ("Industry", Some("sector")),
                ("Number of Employees", Some("headcount")),
                ("Annual Revenue", Some("revenue")),
                ("Street Address", Some("address")),
                ("Street Address 2", None),
                ("City", Some("city")),
                ("State/Region", None),
                ("Postal Code", Some("postal_code")),
                ("Country/Region", Some("country")),
                ("Company owner", Some("owner")),
                ("Lifecycle Stage", Some("status")),
                ("Create Date", None),
                ("Last Activity Date", None),
                ("Description", None),
                ("LinkedIn Company Page", None),
                ("Time Zone", None),
            ],
        );
    }

    #[test]
    fn pipedrive_organizations() {
        check(
            ImportKind::Accounts,
            "Pipedrive",
            &[
                ("Organization - ID", Some("external_ref")),
                ("Organization - Name", Some("name")),
                ("Organization - Owner", Some("owner")),
                ("Organization - Label", Some("tags")),
                ("Organization - Address", Some("address")),
                ("Organization - Street/house number of Address", Some("address")),
                ("Organization - City/town/village/locality of Address", Some("city")),
                ("Organization - ZIP/Postal code of Address", Some("postal_code")),
                ("Organization - Country of Address", Some("country")),
                ("Organization - Website", Some("website")),
                ("Organization - Industry", Some("sector")),
                ("Organization - Annual revenue", Some("revenue")),
                ("Organization - Number of employees", Some("headcount")),
                ("Organization - People", None),
                ("Organization - Open deals", None),
            ],
        );
    }

    #[test]
    fn zoho_accounts() {
        check(
            ImportKind::Accounts,
            "Zoho",
            &[
                ("Record Id", Some("external_ref")),
                ("Account Name", Some("name")),
                ("Account Owner", Some("owner")),
                ("Phone", Some("phone")),
                ("Website", Some("website")),
                ("Account Type", Some("status")),
                ("Industry", Some("sector")),
                ("Annual Revenue", Some("revenue")),
                ("Employees", Some("headcount")),
                ("Billing Street", Some("address")),
                ("Billing City", Some("city")),
                ("Billing State", None),
                ("Billing Code", Some("postal_code")),
                ("Billing Country", Some("country")),
                ("Account Number", Some("external_ref")),
                ("Ownership", None),
                ("Rating", None),
                ("SIC Code", None),
                ("Ticker Symbol", None),
                ("Description", None),
                ("Fax", None),
            ],
        );
    }

    #[test]
    fn sellsy_and_axonaut_companies_in_french() {
        check(
            ImportKind::Accounts,
            "Sellsy",
            &[
                ("Raison sociale", Some("legal_name")),
                ("Site web", Some("website")),
                ("Téléphone", Some("phone")),
                ("SIREN", Some("siren")),
                ("SIRET", Some("siret")),
                ("N° TVA intracommunautaire", Some("vat_number")),
                ("Code NAF", Some("sector")),
                ("Effectif", Some("headcount")),
                ("Chiffre d'affaires", Some("revenue")),
                ("Adresse", Some("address")),
                ("Code postal", Some("postal_code")),
                ("Ville", Some("city")),
                ("Pays", Some("country")),
                ("Propriétaire", Some("owner")),
                ("Étiquettes", Some("tags")),
                ("Référence", Some("external_ref")),
                ("Capital", None),
                ("Email", None),
            ],
        );
        check(
            ImportKind::Accounts,
            "Axonaut",
            &[
                ("Nom de l'entreprise", Some("name")),
                ("Adresse", Some("address")),
                ("Code postal", Some("postal_code")),
                ("Ville", Some("city")),
                ("Pays", Some("country")),
                ("Téléphone", Some("phone")),
                ("Site internet", Some("website")),
                ("SIRET", Some("siret")),
                ("TVA intracommunautaire", Some("vat_number")),
                ("Commercial", Some("owner")),
                ("Code NAF", Some("sector")),
                ("Tranche d'effectif", Some("size")),
            ],
        );
    }

    #[test]
    fn hubspot_and_salesforce_contacts() {
        check(
            ImportKind::Contacts,
            "HubSpot contacts",
            &[
                ("Record ID", Some("external_ref")),
                ("First Name", Some("first_name")),
                ("Last Name", Some("last_name")),
                ("Email", Some("email")),
                ("Phone Number", Some("phone")),
                ("Job Title", Some("job_title")),
                ("Associated Company", Some("account_ref")),
                ("Preferred language", Some("language")),
                ("Lifecycle Stage", None),
            ],
        );
        check(
            ImportKind::Contacts,
            "Salesforce contacts",
            &[
                ("Id", Some("id")),
                ("AccountId", Some("account_id")),
                ("FirstName", Some("first_name")),
                ("LastName", Some("last_name")),
                ("Email", Some("email")),
                ("Phone", Some("phone")),
                ("Title", Some("job_title")),
                ("MailingStreet", None),
            ],
        );
    }

    #[test]
    fn a_salesforce_file_keeps_its_billing_address_and_splits_revenue_from_contract_value() {
        let csv = "Id,Name,BillingStreet,BillingCity,BillingPostalCode,BillingCountry,Phone,Website,AnnualRevenue,NumberOfEmployees,OwnerId\n\
                   001A000001,Danone,17 boulevard Haussmann,Paris,75009,France,+33 1 44 35 20 20,https://www.danone.com,27600000000,96000,005A00000012345\n";
        let p = parse_accounts(csv.as_bytes(), &ParseOptions::default()).unwrap();
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let a = &p.lines[0].new;
        assert_eq!(a.address.as_deref(), Some("17 boulevard Haussmann"));
        assert_eq!(a.city.as_deref(), Some("Paris"));
        assert_eq!(a.postal_code.as_deref(), Some("75009"));
        assert_eq!(a.website.as_deref(), Some("danone.com"));
        assert_eq!(a.phone.as_deref(), Some("+33 1 44 35 20 20"));
        assert_eq!(a.revenue.map(|m| m.minor), Some(2_760_000_000_000));
        assert_eq!(
            a.annual_value.minor, 0,
            "the client's revenue is not what it buys from us"
        );
        assert_eq!(a.headcount, Some(96_000));
        assert_eq!(a.owner_id, None, "a Salesforce user id names no Bilan user");
        assert_eq!(a.external_ref.as_deref(), Some("001A000001"));
    }
}
