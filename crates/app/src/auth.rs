//! Logging in and staying logged in: Argon2id passwords, database sessions with
//! idle and absolute expiry, login throttling, and hashed API tokens.

use crate::{Actor, App, AppError, AppResult};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use bilan_db::sessions::{self, SessionRow};
use bilan_db::tokens::{self, TokenRow};

/// A signed-in session as stored: the SHA-256 of its cookie and its CSRF token.
pub use bilan_db::sessions::SessionRow as Session;
use bilan_db::users;
use bilan_domain::audit::AuditAction;
use bilan_domain::contacts::Language;
use bilan_domain::login_throttle;
use bilan_domain::roles::Role;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Prefix of API tokens, so a leaked one is recognisable by secret scanners.
pub const TOKEN_PREFIX: &str = "bilan_";

fn argon2(app: &App) -> AppResult<Argon2<'static>> {
    let params = Params::new(app.config.argon2_memory_kib, app.config.argon2_iterations, 1, None)
        .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(app: &App, password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2(app)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing: {e}")))
}

fn verify_password(hash: &str, password: &str) -> bool {
    // Parameters come from the stored hash, so older hashes keep verifying.
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Checks a new password's strength; the error names the field.
pub fn check_password_strength(password: &str) -> AppResult<()> {
    if password.chars().count() < 10 {
        return Err(AppError::field("password", "password.too_short"));
    }
    if password.len() > 1024 {
        return Err(AppError::field("password", "password.too_long"));
    }
    Ok(())
}

/// 32 random bytes as hex.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex(&b)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a secret, hex: what is stored instead of the secret.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Builds the actor of a stored user, refusing disabled users.
pub fn actor_of(user: &crate::users::User) -> AppResult<Actor> {
    if user.disabled_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    let role = Role::from_code(&user.role).ok_or_else(|| AppError::Internal(format!("unknown role {}", user.role)))?;
    Ok(Actor {
        workspace_id: user.workspace_id,
        user_id: user.id,
        role,
        display_name: user.display_name.clone(),
        email: user.email.clone(),
        language: user.language.as_deref().and_then(Language::parse),
        via_cli: false,
    })
}

/// A session just opened: the cookie value is only ever in this struct and the browser.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Cookie value.
    pub token: String,
    /// The CSRF token of the session.
    pub csrf_token: String,
    /// Who logged in.
    pub actor: Actor,
}

/// Checks credentials, after the wait [`login_throttle`] asks for, then opens a session.
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> AppResult<NewSession> {
    let email = email.trim().to_lowercase();
    let now = app.now();
    let since = now - app.config.throttle_window;
    let ip_key = ip.unwrap_or("unknown");
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let pair_key = format!("{email}|{ip_key}");
    let failures = |(count, last)| login_throttle::Failures { count, last };
    let history = login_throttle::AttemptHistory {
        pair: failures(sessions::login_failures(&mut c, "pair", &pair_key, since).await?),
        account: failures(sessions::login_failures(&mut c, "email", &email, since).await?),
        address: failures(sessions::login_failures(&mut c, "ip", ip_key, since).await?),
    };
    if let Some(wait) = login_throttle::wait_before_attempt(&history, now) {
        return Err(AppError::Throttled {
            retry_after_secs: (wait.num_milliseconds() + 999) / 1000,
        });
    }
    let user = users::find_by_email(&mut c, &email).await?;
    let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(h) => verify_password(h, password),
        None => {
            // Same work whether or not the e-mail exists, so timing does not tell.
            drop(hash_password(app, password));
            false
        }
    };
    let user = match (ok, user) {
        (true, Some(u)) if u.disabled_at.is_none() => u,
        _ => {
            sessions::record_login_failure(&mut c, "pair", &pair_key, now).await?;
            sessions::record_login_failure(&mut c, "email", &email, now).await?;
            sessions::record_login_failure(&mut c, "ip", ip_key, now).await?;
            tx.commit().await?;
            return Err(AppError::InvalidCredentials);
        }
    };
    // The pair's own failures are forgiven; the account's and the address's stay,
    // so a guesser cannot reset them by signing in to an account of their own.
    sessions::clear_login_failures(&mut c, "pair", &pair_key).await?;
    users::touch_login(&mut c, user.workspace_id, user.id, now).await?;
    let actor = actor_of(&crate::users::User::from(user.clone()))?;
    let token = random_secret();
    let csrf_token = random_secret();
    sessions::insert(
        &mut c,
        &SessionRow {
            id: digest(&token),
            workspace_id: user.workspace_id,
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + app.config.session_absolute,
            user_agent: user_agent.map(|s| s.chars().take(300).collect()),
            ip: ip.map(str::to_owned),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        csrf_token,
        actor,
    })
}

/// A live session and its user.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// Who.
    pub actor: Actor,
    /// The stored session.
    pub session: SessionRow,
}

/// Resolves a session cookie, enforcing idle and absolute expiry.
pub async fn authenticate_session(app: &App, token: &str) -> AppResult<LiveSession> {
    let now = app.now();
    let id = digest(token);
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let session = sessions::find(&mut c, &id).await?.ok_or(AppError::Unauthenticated)?;
    if now >= session.expires_at || now - session.last_seen_at >= app.config.session_idle {
        sessions::delete(&mut c, &id).await?;
        return Err(AppError::Unauthenticated);
    }
    let user = users::find(&mut c, session.workspace_id, session.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let actor = actor_of(&crate::users::User::from(user))?;
    drop(pc);
    // Touch at most once a minute: one write per click would serialise SQLite.
    if now - session.last_seen_at > chrono::Duration::seconds(60) {
        let mut tx = app.db.begin().await?;
        sessions::touch(&mut tx.conn(), &id, now).await?;
        tx.commit().await?;
    }
    Ok(LiveSession { actor, session })
}

/// Ends a session.
pub async fn logout(app: &App, token: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    sessions::delete(&mut tx.conn(), &digest(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// The caller's own sessions.
pub async fn list_sessions(app: &App, actor: &Actor) -> AppResult<Vec<SessionRow>> {
    let mut pc = app.db.acquire().await?;
    Ok(sessions::list_for_user(&mut pc.conn(), actor.workspace_id, actor.user_id).await?)
}

/// Revokes one of the caller's sessions by its stored id.
pub async fn revoke_session(app: &App, actor: &Actor, session_id: &str) -> AppResult<()> {
    let mut w = app.write_own(actor).await?;
    let found = sessions::delete_for_user(&mut w.conn(), actor.workspace_id, actor.user_id, session_id).await?;
    w.commit().await?;
    if found {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// An API token as its owner sees it: never its hash.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApiToken {
    /// Identifier.
    pub id: Uuid,
    /// The user it acts as.
    pub user_id: Uuid,
    /// Label chosen by the user.
    pub name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(t: TokenRow) -> Self {
        ApiToken {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A token just created; `secret` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    /// The stored token.
    pub token: ApiToken,
    /// The secret to give the user.
    pub secret: String,
}

/// Creates an API token acting as `actor`.
pub async fn create_token(app: &App, actor: &Actor, name: &str) -> AppResult<CreatedToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            if name.is_empty() { "required" } else { "too_long" },
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_secret());
    let mut w = app.write_own(actor).await?;
    let row = TokenRow {
        id: bilan_db::new_id(),
        workspace_id: actor.workspace_id,
        user_id: actor.user_id,
        name: name.to_owned(),
        token_hash: digest(&secret),
        created_at: w.now(),
        last_used_at: None,
        revoked_at: None,
    };
    tokens::insert(&mut w.conn(), &row).await?;
    let snapshot = serde_json::json!({"name": row.name, "user_id": row.user_id, "revoked": false});
    w.audit_entry(AuditAction::Create, "token", row.id, None, Some(&snapshot));
    w.commit().await?;
    Ok(CreatedToken {
        token: row.into(),
        secret,
    })
}

/// Resolves a bearer token to its actor.
pub async fn authenticate_token(app: &App, secret: &str) -> AppResult<Actor> {
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
        return Err(AppError::Unauthenticated);
    }
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let token = tokens::find_live_by_hash(&mut c, &digest(secret))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let user = users::find(&mut c, token.workspace_id, token.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let actor = actor_of(&crate::users::User::from(user))?;
    drop(pc);
    let now = app.now();
    if token
        .last_used_at
        .is_none_or(|t: DateTime<Utc>| now - t > chrono::Duration::minutes(5))
    {
        let mut tx = app.db.begin().await?;
        tokens::touch(&mut tx.conn(), token.id, now).await?;
        tx.commit().await?;
    }
    Ok(actor)
}

/// The caller's tokens.
pub async fn list_tokens(app: &App, actor: &Actor) -> AppResult<Vec<ApiToken>> {
    let mut pc = app.db.acquire().await?;
    Ok(tokens::list_for_user(&mut pc.conn(), actor.workspace_id, actor.user_id)
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// Revokes one of the caller's tokens (an admin may revoke anyone's).
pub async fn revoke_token(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let only_own = (actor.role != Role::Admin).then_some(actor.user_id);
    let mut w = app.write_own(actor).await?;
    let now = w.now();
    if !tokens::revoke(&mut w.conn(), actor.workspace_id, only_own, id, now).await? {
        return Err(AppError::NotFound);
    }
    let (before, after) = (
        serde_json::json!({"revoked": false}),
        serde_json::json!({"revoked": true}),
    );
    w.audit_entry(AuditAction::Update, "token", id, Some(&before), Some(&after));
    w.commit().await?;
    Ok(())
}

/// Deletes expired sessions and login failures older than a day (every ten minutes).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PurgeSessions {}

impl crate::jobs::JobKind for PurgeSessions {
    const KIND: &'static str = "purge_sessions";

    async fn run(self, app: &App, _job: &crate::jobs::JobContext) -> AppResult<()> {
        let now = app.now();
        let mut tx = app.db.begin().await?;
        sessions::purge(&mut tx.conn(), now, now - chrono::Duration::days(1)).await?;
        tx.commit().await?;
        Ok(())
    }
}
