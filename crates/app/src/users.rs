//! Users and roles: adding colleagues, changing roles, disabling, languages.

use crate::auth::{check_password_strength, hash_password};
use crate::{Actor, App, AppError, AppResult};
use bilan_db::users::{self, UserRow};
use bilan_db::workspaces::{self, WorkspaceRow};
use bilan_db::{sessions, tokens};
use bilan_domain::contacts::Language;
use bilan_domain::roles::{Permission, Role};
use bilan_domain::validation::{is_plausible_email, ValidationErrors};
use serde::Serialize;
use uuid::Uuid;

/// What the audit trail keeps of a user (never the password hash).
#[derive(Debug, Serialize)]
pub struct UserSnapshot<'a> {
    /// The user (the audit entry's record, not repeated in the snapshot).
    #[serde(skip)]
    pub id: Uuid,
    /// Login e-mail.
    pub email: &'a str,
    /// Name shown.
    pub display_name: &'a str,
    /// Role code.
    pub role: &'a str,
    /// Interface language.
    pub language: Option<&'a str>,
    /// Whether disabled.
    pub disabled: bool,
}

/// A member of the team as pages, API and CLI see them: never the password hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// Identifier.
    pub id: Uuid,
    /// Workspace.
    pub workspace_id: Uuid,
    /// Login e-mail.
    pub email: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role code (see `bilan_domain::roles::Role`).
    pub role: String,
    /// Preferred interface language code.
    pub language: Option<String>,
    /// When the user was disabled.
    pub disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// When they last signed in (`None`: never, e.g. an invitation not yet accepted).
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Bumped by every change (optimistic concurrency).
    pub version: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            workspace_id: r.workspace_id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            language: r.language,
            disabled_at: r.disabled_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_login_at: r.last_login_at,
            version: r.version,
        }
    }
}

impl<'a> From<&'a User> for UserSnapshot<'a> {
    fn from(u: &'a User) -> Self {
        UserSnapshot {
            id: u.id,
            email: &u.email,
            display_name: &u.display_name,
            role: &u.role,
            language: u.language.as_deref(),
            disabled: u.disabled_at.is_some(),
        }
    }
}

/// A new colleague, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// Login e-mail.
    pub email: String,
    /// Name shown (defaults to the e-mail's local part).
    pub display_name: Option<String>,
    /// Role code.
    pub role: String,
    /// Initial password.
    pub password: String,
    /// Interface language code.
    pub language: Option<String>,
}

fn validate(app: &App, u: &NewUser) -> AppResult<(String, String, Role, String, Option<String>)> {
    let (e, (email, display_name, role, language)) = validate_identity(u);
    let mut e = e;
    if let Err(AppError::Validation(pe)) = check_password_strength(&u.password) {
        e.0.extend(pe.0);
    }
    e.into_result()?;
    let hash = hash_password(app, &u.password)?;
    Ok((email, display_name, role, hash, language))
}

/// Who a new colleague is (e-mail, name, role, language), with what is wrong about it.
pub(crate) fn validate_identity(u: &NewUser) -> (ValidationErrors, (String, String, Role, Option<String>)) {
    let mut e = ValidationErrors::new();
    let email = u.email.trim().to_lowercase();
    if !is_plausible_email(&email) {
        e.add("email", "email.invalid");
    }
    let role = Role::from_code(u.role.trim());
    if role.is_none() {
        e.add("role", "role.invalid");
    }
    let display_name = u
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| email.split('@').next().unwrap_or("").to_owned());
    if display_name.chars().count() > 100 {
        e.add("display_name", "too_long");
    }
    let language = match u.language.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(l) => match Language::parse(l) {
            Some(l) => Some(l.code().to_owned()),
            None => {
                e.add("language", "language.invalid");
                None
            }
        },
    };
    (e, (email, display_name, role.unwrap_or(Role::Viewer), language))
}

/// Adds a user to a named workspace, creating the workspace if needed (CLI, set-up).
pub async fn add_user_to_workspace(app: &App, workspace_name: &str, u: &NewUser) -> AppResult<(WorkspaceRow, User)> {
    let name = workspace_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "workspace",
            if name.is_empty() { "required" } else { "too_long" },
        ));
    }
    let (email, display_name, role, hash, language) = validate(app, u)?;
    // The unit of work is opened in the workspace: an existing one's id, or the
    // id the new one will get (created below, in the same transaction).
    let existing = {
        let mut pc = app.db.acquire().await?;
        workspaces::find_by_name(&mut pc.conn(), name).await?
    };
    let ws_id = existing.as_ref().map_or_else(bilan_db::new_id, |w| w.id);
    let mut w = app.write_unchecked(ws_id, None).await?;
    let now = w.now();
    let mut c = w.conn();
    let ws = match workspaces::find_by_name(&mut c, name).await? {
        Some(ws) if ws.id == ws_id => ws,
        Some(_) => {
            return Err(AppError::Conflict(
                "the workspace was created meanwhile; try again".into(),
            ))
        }
        None => {
            let ws = WorkspaceRow {
                id: ws_id,
                name: name.to_owned(),
                timezone: "Europe/Paris".into(),
                created_at: now,
            };
            workspaces::insert(&mut c, &ws).await?;
            ws
        }
    };
    let row = UserRow {
        id: bilan_db::new_id(),
        workspace_id: ws.id,
        email,
        display_name,
        role: role.code().to_owned(),
        password_hash: Some(hash),
        language,
        disabled_at: None,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        version: 1,
    };
    users::insert(&mut c, &row).await?;
    let user = User::from(row);
    w.audit_created(&UserSnapshot::from(&user));
    w.commit().await?;
    Ok((ws, user))
}

/// Adds a colleague to the admin's own workspace.
pub async fn create_user(app: &App, actor: &Actor, u: &NewUser) -> AppResult<User> {
    actor.require(Permission::ManageUsers)?;
    let (email, display_name, role, hash, language) = validate(app, u)?;
    let mut w = app.write(actor, Permission::ManageUsers).await?;
    let now = w.now();
    let row = UserRow {
        id: bilan_db::new_id(),
        workspace_id: actor.workspace_id,
        email,
        display_name,
        role: role.code().to_owned(),
        password_hash: Some(hash),
        language,
        disabled_at: None,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        version: 1,
    };
    users::insert(&mut w.conn(), &row).await?;
    let user = User::from(row);
    w.audit_created(&UserSnapshot::from(&user));
    w.commit().await?;
    Ok(user)
}

/// The workspace's users.
pub async fn list_users(app: &App, actor: &Actor) -> AppResult<Vec<User>> {
    actor.require(Permission::ReadUsers)?;
    let mut pc = app.db.acquire().await?;
    Ok(users::list(&mut pc.conn(), actor.workspace_id)
        .await?
        .into_iter()
        .map(User::from)
        .collect())
}

/// One user of the workspace.
pub async fn find_user(app: &App, actor: &Actor, id: Uuid) -> AppResult<User> {
    actor.require(Permission::ReadUsers)?;
    let mut pc = app.db.acquire().await?;
    users::find(&mut pc.conn(), actor.workspace_id, id)
        .await?
        .map(User::from)
        .ok_or(AppError::NotFound)
}

/// Changes a colleague's name, role or enabled state. The last enabled admin can be
/// neither demoted nor disabled; disabling ends the user's sessions and tokens.
pub async fn update_user(
    app: &App,
    actor: &Actor,
    id: Uuid,
    display_name: Option<&str>,
    role: Option<&str>,
    disabled: Option<bool>,
    expected_version: Option<i64>,
) -> AppResult<User> {
    // Nobody changes their own role or locks themselves out: another admin does.
    if id == actor.user_id && !actor.via_cli && (role.is_some() || disabled.is_some()) {
        return Err(AppError::Conflict("user.self".into()));
    }
    let mut w = app.write(actor, Permission::ManageUsers).await?;
    let now = w.now();
    let mut c = w.conn();
    let current = users::find(&mut c, actor.workspace_id, id)
        .await?
        .map(User::from)
        .ok_or(AppError::NotFound)?;
    let new_role = match role.map(str::trim).filter(|r| !r.is_empty()) {
        None => current.role.clone(),
        Some(r) => Role::from_code(r)
            .ok_or_else(|| AppError::field("role", "role.invalid"))?
            .code()
            .to_owned(),
    };
    let name = match display_name.map(str::trim).filter(|n| !n.is_empty()) {
        None => current.display_name.clone(),
        Some(n) if n.chars().count() > 100 => return Err(AppError::field("display_name", "too_long")),
        Some(n) => n.to_owned(),
    };
    let disabled_at = match disabled {
        None => current.disabled_at,
        Some(true) => current.disabled_at.or(Some(now)),
        Some(false) => None,
    };
    let loses_admin =
        current.role == "admin" && current.disabled_at.is_none() && (new_role != "admin" || disabled_at.is_some());
    if loses_admin && users::count_active_admins(&mut c, actor.workspace_id).await? <= 1 {
        return Err(AppError::Conflict("last_admin".into()));
    }
    if let Some(name) = display_name {
        if let Some(code) = bilan_domain::validation::text_fault(name) {
            return Err(AppError::field("display_name", code));
        }
    }
    let change = users::AdminChange {
        display_name: &name,
        role: &new_role,
        disabled_at,
        expected_version,
    };
    if !users::update_admin_fields(&mut c, actor.workspace_id, id, &change, now).await? {
        return Err(AppError::Stale {
            current_version: current.version,
        });
    }
    if disabled_at.is_some() && current.disabled_at.is_none() {
        sessions::delete_all_for_user(&mut c, actor.workspace_id, id).await?;
        for t in tokens::list_for_user(&mut c, actor.workspace_id, id).await? {
            tokens::revoke(&mut c, actor.workspace_id, None, t.id, now).await?;
        }
    }
    let updated = users::find(&mut c, actor.workspace_id, id)
        .await?
        .map(User::from)
        .ok_or(AppError::NotFound)?;
    w.audit_updated(&UserSnapshot::from(&current), &UserSnapshot::from(&updated));
    w.commit().await?;
    Ok(updated)
}

/// Disables a user by e-mail (CLI).
pub async fn disable_by_email(app: &App, email: &str) -> AppResult<User> {
    let user = find_by_email(app, email).await?;
    let system = system_actor(&user);
    update_user(app, &system, user.id, None, None, Some(true), None).await
}

/// An admin acting for the operator at the command line, in the user's workspace.
pub fn system_actor(user: &User) -> Actor {
    Actor {
        workspace_id: user.workspace_id,
        user_id: user.id,
        role: Role::Admin,
        display_name: "bilan CLI".into(),
        email: String::new(),
        language: None,
        via_cli: true,
    }
}

/// The operator acting in the workspace named `name` (commands run at the
/// command line): an admin without a user of their own in the audit trail.
pub async fn operator_of(app: &App, name: &str) -> AppResult<Actor> {
    let ws = find_workspace(app, name).await?;
    let mut pc = app.db.acquire().await?;
    let users = users::list(&mut pc.conn(), ws.id).await?;
    let first = users
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Conflict(format!("the workspace {name:?} has no user")))?;
    Ok(system_actor(&User::from(first)))
}

/// Every user of every workspace (CLI `user list`), with their workspace name.
pub async fn list_all_users(app: &App) -> AppResult<Vec<(String, User)>> {
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let mut out = Vec::new();
    for ws in workspaces::list(&mut c).await? {
        for u in users::list(&mut c, ws.id).await? {
            out.push((ws.name.clone(), User::from(u)));
        }
    }
    Ok(out)
}

/// Remembers the caller's interface language.
pub async fn set_language(app: &App, actor: &Actor, language: Language) -> AppResult<()> {
    let mut w = app.write_own(actor).await?;
    users::set_language(&mut w.conn(), actor.workspace_id, actor.user_id, language.code()).await?;
    w.commit().await?;
    Ok(())
}

/// Finds a user by login e-mail (CLI `token create`).
pub async fn find_by_email(app: &App, email: &str) -> AppResult<User> {
    let mut pc = app.db.acquire().await?;
    users::find_by_email(&mut pc.conn(), &email.trim().to_lowercase())
        .await?
        .map(User::from)
        .ok_or(AppError::NotFound)
}

/// Looks up a workspace by name.
pub async fn find_workspace(app: &App, name: &str) -> AppResult<WorkspaceRow> {
    let mut pc = app.db.acquire().await?;
    workspaces::find_by_name(&mut pc.conn(), name.trim())
        .await?
        .ok_or(AppError::NotFound)
}

impl crate::Audited for UserSnapshot<'_> {
    const ENTITY: &'static str = "user";

    fn audit_id(&self) -> Uuid {
        self.id
    }
}
