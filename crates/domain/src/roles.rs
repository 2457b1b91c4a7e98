//! Roles of a workspace's users and what each may do (the permission matrix).

use serde::{Deserialize, Serialize};

/// A user's role in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users, roles and workspace settings.
    Admin,
    /// Runs the team: every account, imports and exports, no user administration.
    Manager,
    /// KAM or salesperson: reads and edits accounts and contacts.
    AccountManager,
    /// Finance staff: reads everything, exports.
    Finance,
    /// Support staff: reads accounts, keeps contacts up to date.
    Support,
    /// Read only.
    Viewer,
}

/// Something a user may or may not do; every page and API route requires one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See accounts, their sites and key figures.
    ReadAccounts,
    /// Create and edit accounts and their sites.
    WriteAccounts,
    /// Delete accounts.
    DeleteAccounts,
    /// See contacts.
    ReadContacts,
    /// Create and edit contacts.
    WriteContacts,
    /// Import CSV files.
    ImportData,
    /// Export CSV files.
    ExportData,
    /// See the workspace's users.
    ReadUsers,
    /// Add users, change roles, disable users.
    ManageUsers,
    /// Read the audit trail (who changed what, when).
    ReadAudit,
    /// Log interactions on accounts' timelines and link answers; edit, delete and
    /// close the follow-ups of one's own exchanges (and of follow-ups one was given).
    WriteInteractions,
    /// Edit, delete and close exchanges and follow-ups that others logged: the
    /// team's managers tidy the shared history, everyone else only their own.
    EditAnyInteraction,
    /// See satisfaction scores, answers and verbatims.
    ReadSatisfaction,
    /// Define surveys and their sending rules.
    ManageSurveys,
    /// Send a survey by hand to chosen contacts.
    SendSurveys,
    /// See background jobs and retry failed ones.
    ManageJobs,
    /// See complaints and their figures.
    ReadComplaints,
    /// Open complaints and move them through their handling (acknowledge,
    /// investigate, answer, resolve without a gesture, close).
    WriteComplaints,
    /// Commit the company on a complaint: grant a commercial gesture, refuse a
    /// claim, go to mediation or to court.
    SettleComplaints,
    /// Set the complaint deadlines, alerts, mediator and letter templates.
    ConfigureComplaints,
    /// See invoices, payments, aging and payment behaviour.
    ReadInvoices,
    /// Enter and import invoices, payments and credit notes; assign to a factor.
    WriteInvoices,
    /// Set the reference rates, the contractual rate and the reminder plans.
    ConfigureInvoices,
    /// Give a client a link to its portal, and revoke it.
    SharePortal,
    /// Rate accounts and keep account plans: objectives, stakeholders, risks, roadmap.
    WritePlans,
    /// Run the key-account programme: admit accounts, tiers, managers, scoring and health settings.
    ManageProgramme,
}

impl Role {
    /// Every role, in order of decreasing power.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Manager,
        Role::AccountManager,
        Role::Finance,
        Role::Support,
        Role::Viewer,
    ];

    /// The stable code stored in the database and used by the API and CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::AccountManager => "account_manager",
            Role::Finance => "finance",
            Role::Support => "support",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stable code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The permission matrix: whether this role grants `permission`.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Manager => !matches!(permission, ManageUsers | ManageJobs),
            Role::AccountManager => matches!(
                permission,
                ReadAccounts
                    | WriteAccounts
                    | ReadContacts
                    | WriteContacts
                    | ExportData
                    | ReadUsers
                    | WriteInteractions
                    | ReadSatisfaction
                    | SendSurveys
                    | ReadComplaints
                    | WriteComplaints
                    | SettleComplaints
                    | ReadInvoices
                    | SharePortal
                    | WritePlans
            ),
            Role::Finance => matches!(
                permission,
                ReadAccounts
                    | ReadContacts
                    | ExportData
                    | ReadUsers
                    | WriteInteractions
                    | ReadSatisfaction
                    | ReadComplaints
                    | WriteComplaints
                    | SettleComplaints
                    | ReadInvoices
                    | WriteInvoices
                    | ConfigureInvoices
                    | SharePortal
            ),
            Role::Support => matches!(
                permission,
                ReadAccounts
                    | ReadContacts
                    | WriteContacts
                    | ReadUsers
                    | WriteInteractions
                    | ReadSatisfaction
                    | SendSurveys
                    | ReadComplaints
                    | WriteComplaints
                    | ReadInvoices
            ),
            Role::Viewer => matches!(
                permission,
                ReadAccounts | ReadContacts | ReadUsers | ReadSatisfaction | ReadComplaints | ReadInvoices
            ),
        }
    }
}

impl Permission {
    /// Every permission, for the matrix shown on the users page and tested exhaustively.
    pub const ALL: [Permission; 26] = [
        Permission::ReadAccounts,
        Permission::WriteAccounts,
        Permission::DeleteAccounts,
        Permission::ReadContacts,
        Permission::WriteContacts,
        Permission::ImportData,
        Permission::ExportData,
        Permission::ReadUsers,
        Permission::ManageUsers,
        Permission::ReadAudit,
        Permission::WriteInteractions,
        Permission::EditAnyInteraction,
        Permission::ReadSatisfaction,
        Permission::ManageSurveys,
        Permission::SendSurveys,
        Permission::ManageJobs,
        Permission::ReadComplaints,
        Permission::WriteComplaints,
        Permission::SettleComplaints,
        Permission::ConfigureComplaints,
        Permission::ReadInvoices,
        Permission::WriteInvoices,
        Permission::ConfigureInvoices,
        Permission::SharePortal,
        Permission::WritePlans,
        Permission::ManageProgramme,
    ];

    /// The stable code, also the translation key suffix.
    pub fn code(self) -> &'static str {
        match self {
            Permission::ReadAccounts => "read_accounts",
            Permission::WriteAccounts => "write_accounts",
            Permission::DeleteAccounts => "delete_accounts",
            Permission::ReadContacts => "read_contacts",
            Permission::WriteContacts => "write_contacts",
            Permission::ImportData => "import_data",
            Permission::ExportData => "export_data",
            Permission::ReadUsers => "read_users",
            Permission::ManageUsers => "manage_users",
            Permission::ReadAudit => "read_audit",
            Permission::WriteInteractions => "write_interactions",
            Permission::EditAnyInteraction => "edit_any_interaction",
            Permission::ReadSatisfaction => "read_satisfaction",
            Permission::ManageSurveys => "manage_surveys",
            Permission::SendSurveys => "send_surveys",
            Permission::ManageJobs => "manage_jobs",
            Permission::ReadComplaints => "read_complaints",
            Permission::WriteComplaints => "write_complaints",
            Permission::SettleComplaints => "settle_complaints",
            Permission::ConfigureComplaints => "configure_complaints",
            Permission::ReadInvoices => "read_invoices",
            Permission::WriteInvoices => "write_invoices",
            Permission::ConfigureInvoices => "configure_invoices",
            Permission::SharePortal => "share_portal",
            Permission::WritePlans => "write_plans",
            Permission::ManageProgramme => "manage_programme",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn matrix() {
        use Permission::*;
        assert!(Permission::ALL.iter().all(|p| Role::Admin.can(*p)));
        assert!(!Role::Manager.can(ManageUsers));
        let job_keepers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(ManageJobs)).collect();
        assert_eq!(
            job_keepers,
            vec![Role::Admin],
            "failed jobs are an administrator's business"
        );
        assert!(Role::Manager.can(ReadAudit) && !Role::AccountManager.can(ReadAudit));
        assert!(Role::Manager.can(ImportData));
        let tidiers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(EditAnyInteraction)).collect();
        assert_eq!(
            tidiers,
            vec![Role::Admin, Role::Manager],
            "others' exchanges are a manager's to change"
        );
        assert!(!Role::AccountManager.can(ImportData));
        assert!(!Role::AccountManager.can(DeleteAccounts));
        assert!(!Role::Finance.can(WriteAccounts));
        assert!(Role::Support.can(WriteContacts) && !Role::Support.can(WriteAccounts));
        assert!(!Role::Support.can(ExportData));
        let loggers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(WriteInteractions)).collect();
        assert_eq!(
            loggers,
            vec![
                Role::Admin,
                Role::Manager,
                Role::AccountManager,
                Role::Finance,
                Role::Support
            ]
        );
        let viewer: Vec<_> = Permission::ALL.into_iter().filter(|p| Role::Viewer.can(*p)).collect();
        assert_eq!(
            viewer,
            vec![
                ReadAccounts,
                ReadContacts,
                ReadUsers,
                ReadSatisfaction,
                ReadComplaints,
                ReadInvoices
            ]
        );
        let invoicers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(WriteInvoices)).collect();
        assert_eq!(
            invoicers,
            vec![Role::Admin, Role::Manager, Role::Finance],
            "invoices and payments are finance's and managers'"
        );
        assert!(Role::AccountManager.can(SharePortal) && !Role::Support.can(SharePortal));
        let planners: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(WritePlans)).collect();
        assert_eq!(planners, vec![Role::Admin, Role::Manager, Role::AccountManager]);
        let programme: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(ManageProgramme)).collect();
        assert_eq!(
            programme,
            vec![Role::Admin, Role::Manager],
            "admission is a sales director's call"
        );
        assert!(!Role::Finance.can(ImportData), "finance imports invoices, not accounts");
        let settlers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(SettleComplaints)).collect();
        assert_eq!(
            settlers,
            vec![Role::Admin, Role::Manager, Role::AccountManager, Role::Finance],
            "a gesture or a refusal commits the company: not support's alone"
        );
        assert!(Role::Support.can(WriteComplaints) && !Role::Viewer.can(WriteComplaints));
        let configurers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(ConfigureComplaints)).collect();
        assert_eq!(configurers, vec![Role::Admin, Role::Manager]);
        let designers: Vec<_> = Role::ALL.into_iter().filter(|r| r.can(ManageSurveys)).collect();
        assert_eq!(designers, vec![Role::Admin, Role::Manager]);
        assert!(Role::Support.can(SendSurveys) && !Role::Finance.can(SendSurveys));
    }
}
