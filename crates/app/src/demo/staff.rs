//! The demo's team: who they are and what they do.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Duty {
    Admin,
    /// Executive sponsor of the biggest accounts.
    Sponsor,
    /// Account manager; the weight skews portfolio sizes like a real sales team.
    Kam(u32),
    Other,
}

pub(super) struct StaffMember {
    pub(super) email: &'static str,
    pub(super) name: &'static str,
    pub(super) role: &'static str,
    pub(super) language: &'static str,
    pub(super) duty: Duty,
}

impl StaffMember {
    pub(super) fn new_user(&self) -> NewUser {
        NewUser {
            email: self.email.to_owned(),
            display_name: Some(self.name.to_owned()),
            role: self.role.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            language: Some(self.language.to_owned()),
        }
    }
}

#[rustfmt::skip]
pub(super) const STAFF: &[StaffMember] = &[
    StaffMember { email: ADMIN_EMAIL, name: "Camille Martin", role: "admin", language: "fr", duty: Duty::Admin },
    StaffMember { email: "direction@demo.bilan.test", name: "Hélène Dubois", role: "manager", language: "fr", duty: Duty::Sponsor },
    StaffMember { email: "manager@demo.bilan.test", name: "Nicolas Lefèvre", role: "manager", language: "fr", duty: Duty::Sponsor },
    StaffMember { email: "kam1@demo.bilan.test", name: "Julien Moreau", role: "account_manager", language: "fr", duty: Duty::Kam(22) },
    StaffMember { email: "kam2@demo.bilan.test", name: "Sophie Lambert", role: "account_manager", language: "fr", duty: Duty::Kam(18) },
    StaffMember { email: "kam3@demo.bilan.test", name: "Karim Benali", role: "account_manager", language: "fr", duty: Duty::Kam(15) },
    StaffMember { email: "kam4@demo.bilan.test", name: "Élodie Garnier", role: "account_manager", language: "fr", duty: Duty::Kam(13) },
    StaffMember { email: "kam5@demo.bilan.test", name: "Thomas Rousseau", role: "account_manager", language: "fr", duty: Duty::Kam(11) },
    StaffMember { email: "kam6@demo.bilan.test", name: "Claire Fontaine", role: "account_manager", language: "fr", duty: Duty::Kam(9) },
    StaffMember { email: "kam7@demo.bilan.test", name: "Antoine Mercier", role: "account_manager", language: "fr", duty: Duty::Kam(7) },
    StaffMember { email: "kam8@demo.bilan.test", name: "Emma Schneider", role: "account_manager", language: "en", duty: Duty::Kam(5) },
    StaffMember { email: "finance@demo.bilan.test", name: "Sandrine Petit", role: "finance", language: "fr", duty: Duty::Other },
    StaffMember { email: "support@demo.bilan.test", name: "Mehdi Haddad", role: "support", language: "fr", duty: Duty::Other },
    StaffMember { email: "viewer@demo.bilan.test", name: "Oliver Bennett", role: "viewer", language: "en", duty: Duty::Other },
];
