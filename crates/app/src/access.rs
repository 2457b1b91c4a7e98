//! Who is acting: the authenticated user, their workspace and role.

use crate::{AppError, AppResult};
use bilan_domain::contacts::Language;
use bilan_domain::roles::{Permission, Role};
use uuid::Uuid;

/// The authenticated caller of a use case; every query is scoped to its workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The workspace everything is scoped to.
    pub workspace_id: Uuid,
    /// The user.
    pub user_id: Uuid,
    /// Their role.
    pub role: Role,
    /// Name shown.
    pub display_name: String,
    /// Login e-mail.
    pub email: String,
    /// Preferred language, if chosen.
    pub language: Option<Language>,
    /// Acting for the operator at the command line (audited without a user).
    pub via_cli: bool,
}

impl Actor {
    /// Fails with `Forbidden` unless the role grants `permission`.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the role grants `permission` (to show or hide buttons).
    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }
}
