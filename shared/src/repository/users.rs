//! Accounts, refresh tokens and the built-in issuer's signing keys.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use crate::domain::{AccountChanges, Email, Role, User};

/// The selected columns of a [`User`], as a literal so queries stay static strings.
macro_rules! user_columns {
    () => {
        "id, email, name, role, disabled, created_at"
    };
}

pub async fn find_user(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The account of `email` (any case) and its password hash, if it has one.
pub async fn find_user_for_sign_in(
    db: impl PgExecutor<'_>,
    email: &Email,
) -> sqlx::Result<Option<(User, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        password_hash: Option<String>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, email, name, role, disabled, created_at, password_hash FROM users \
         WHERE lower(email) = lower($1)",
    )
    .bind(email.as_str())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.user, row.password_hash)))
}

/// A new account. A taken address fails on `users_email_key`, which the HTTP layer reports as
/// a field error.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: Option<String>,
}

pub async fn insert_user(db: impl PgExecutor<'_>, user: &NewUser<'_>) -> sqlx::Result<User> {
    sqlx::query_as(
        "INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4) \
         RETURNING id, email, name, role, disabled, created_at",
    )
    .bind(user.email.as_str())
    .bind(user.name)
    .bind(user.role)
    .bind(&user.password_hash)
    .fetch_one(db)
    .await
}

/// The account of `email`, created as a requester without a password when there is none: who
/// an agent files a ticket for.
pub async fn requester_by_email(
    db: impl PgExecutor<'_>,
    email: &Email,
    name: &str,
) -> sqlx::Result<User> {
    sqlx::query_as(
        "WITH created AS ( \
             INSERT INTO users (email, name) VALUES ($1, $2) \
             ON CONFLICT ((lower(email))) DO NOTHING \
             RETURNING id, email, name, role, disabled, created_at) \
         SELECT * FROM created \
         UNION ALL \
         SELECT id, email, name, role, disabled, created_at FROM users WHERE lower(email) = lower($1) \
         LIMIT 1",
    )
    .bind(email.as_str())
    .bind(name)
    .fetch_one(db)
    .await
}

/// What an OpenID Connect provider says of a person on each token.
#[derive(Debug, Clone)]
pub struct ExternalIdentity<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
}

/// The account of a provider's subject, if it has one; its role is set to `role`, as the
/// provider says on each token.
pub async fn external_account(
    pool: &PgPool,
    issuer: &str,
    subject: &str,
    role: Role,
) -> sqlx::Result<Option<User>> {
    sqlx::query_as(concat!(
        "UPDATE users SET role = $3 WHERE oidc_issuer = $1 AND oidc_subject = $2 RETURNING ",
        user_columns!()
    ))
    .bind(issuer)
    .bind(subject)
    .bind(role)
    .fetch_optional(pool)
    .await
}

/// The account of an external identity: created on first sight, its role kept as the provider
/// says. An account of the same address that nobody has signed in to (an agent filed tickets for
/// it) becomes this identity's; `None` when the address belongs to a password account or to
/// another provider's identity, which a token must not take over.
pub async fn account_of_external_identity(
    pool: &PgPool,
    identity: &ExternalIdentity<'_>,
) -> sqlx::Result<Option<User>> {
    // Twice at most: a concurrent first sign-in may create the account between the two.
    for _ in 0..2 {
        let found =
            external_account(pool, identity.issuer, identity.subject, identity.role).await?;
        if found.is_some() {
            return Ok(found);
        }
        let created: Option<User> = sqlx::query_as(
            "INSERT INTO users (email, name, role, oidc_issuer, oidc_subject) \
             VALUES ($3, $4, $5, $1, $2) \
             ON CONFLICT ((lower(email))) DO UPDATE SET oidc_issuer = excluded.oidc_issuer, \
                 oidc_subject = excluded.oidc_subject, role = excluded.role \
                 WHERE users.oidc_issuer IS NULL AND users.password_hash IS NULL \
             RETURNING id, email, name, role, disabled, created_at",
        )
        .bind(identity.issuer)
        .bind(identity.subject)
        .bind(identity.email)
        .bind(identity.name)
        .bind(identity.role)
        .fetch_optional(pool)
        .await?;
        if created.is_some() {
            return Ok(created);
        }
    }
    Ok(None)
}

/// Accounts in creation order, `limit` after the id `after`.
pub async fn list_users(
    db: impl PgExecutor<'_>,
    after: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<User>> {
    sqlx::query_as(
        "SELECT id, email, name, role, disabled, created_at FROM users \
         WHERE ($1::bigint IS NULL OR id > $1) ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What became of a change to an account.
#[derive(Debug)]
pub enum UserUpdate {
    Updated(User),
    NotFound,
    /// It would leave no enabled admin.
    LastAdmin,
    /// The account signs in through a provider, whose token sets its role.
    RoleFromProvider,
}

/// Applies the changes unless they would leave no enabled admin; the check and the change run
/// in one transaction holding a lock on the admins, so two admins demoting each other at once
/// cannot both succeed.
pub async fn update_user(
    pool: &PgPool,
    id: i64,
    changes: &AccountChanges,
) -> sqlx::Result<UserUpdate> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("SELECT id FROM users WHERE role = 'admin' AND NOT disabled FOR UPDATE")
        .execute(&mut *tx)
        .await?;
    if changes.role.is_some() {
        let external: Option<bool> =
            sqlx::query_scalar("SELECT oidc_issuer IS NOT NULL FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if external == Some(true) {
            tx.rollback().await?;
            return Ok(UserUpdate::RoleFromProvider);
        }
    }
    let updated: Option<User> = sqlx::query_as(concat!(
        "UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role), \
         disabled = COALESCE($4, disabled) WHERE id = $1 RETURNING ",
        user_columns!()
    ))
    .bind(id)
    .bind(&changes.name)
    .bind(changes.role)
    .bind(changes.disabled)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = updated else {
        tx.rollback().await?;
        return Ok(UserUpdate::NotFound);
    };
    let admins: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled")
            .fetch_one(&mut *tx)
            .await?;
    if admins == 0 {
        tx.rollback().await?;
        return Ok(UserUpdate::LastAdmin);
    }
    tx.commit().await?;
    Ok(UserUpdate::Updated(user))
}

pub async fn set_password(
    db: impl PgExecutor<'_>,
    id: i64,
    password_hash: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Makes the account of `email` an enabled account of `role` with this password, creating it
/// (named `name`) if needed: the operator's way in (`helpdesk users add`, the bootstrap admin).
pub async fn set_account(
    db: impl PgExecutor<'_>,
    email: &Email,
    name: &str,
    role: Role,
    password_hash: &str,
) -> sqlx::Result<User> {
    sqlx::query_as(concat!(
        "INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4) \
         ON CONFLICT ((lower(email))) DO UPDATE SET role = excluded.role, disabled = false, \
             password_hash = excluded.password_hash \
         RETURNING ",
        user_columns!()
    ))
    .bind(email.as_str())
    .bind(name)
    .bind(role)
    .bind(password_hash)
    .fetch_one(db)
    .await
}

pub async fn any_enabled_admin(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled)")
        .fetch_one(db)
        .await
}

/// Stores a refresh token (its SHA-256) in `family`.
pub async fn insert_refresh_token(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    family: Uuid,
    user_id: i64,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family, user_id, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(family)
    .bind(user_id)
    .bind(expires_at)
    .execute(db)
    .await
    .map(drop)
}

/// What presenting a refresh token did.
#[derive(Debug, PartialEq, Eq)]
pub enum Refresh {
    /// Spent; `next` is stored in its place, in the same family.
    Rotated { user_id: i64 },
    /// Spent or revoked already: the family is revoked now.
    Replayed,
    /// Unknown or expired.
    Invalid,
}

/// Spends the refresh token `presented` and stores `next` (with the same family) in its place,
/// in one transaction; a token presented a second time revokes its whole family.
pub async fn rotate_refresh_token(
    pool: &PgPool,
    presented: &[u8],
    next: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<Refresh> {
    let mut tx = crate::db::begin(pool).await?;
    let found: Option<(Uuid, i64, bool, bool)> = sqlx::query_as(
        "SELECT family, user_id, spent_at IS NOT NULL OR revoked_at IS NOT NULL, \
                expires_at <= now() \
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(presented)
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = match found {
        None | Some((_, _, false, true)) => Refresh::Invalid,
        Some((family, _, true, _)) => {
            revoke_family(&mut *tx, family).await?;
            Refresh::Replayed
        }
        Some((family, user_id, false, false)) => {
            sqlx::query("UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1")
                .bind(presented)
                .execute(&mut *tx)
                .await?;
            insert_refresh_token(&mut *tx, next, family, user_id, expires_at).await?;
            Refresh::Rotated { user_id }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Signs out: revokes the family of `presented`, if it is a token at all.
pub async fn revoke_refresh_family_of(pool: &PgPool, presented: &[u8]) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL \
         AND family = (SELECT family FROM refresh_tokens WHERE token_hash = $1)",
    )
    .bind(presented)
    .execute(pool)
    .await
    .map(drop)
}

async fn revoke_family(db: impl PgExecutor<'_>, family: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL",
    )
    .bind(family)
    .execute(db)
    .await
    .map(drop)
}

/// A signing key of the built-in issuer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub private_key_pem: String,
    pub retired_at: Option<DateTime<Utc>>,
}

/// The keys to publish: the current ones and those retired less than `grace` ago (tokens they
/// signed may still be alive), newest first; the first unretired one signs.
pub async fn signing_keys(
    db: impl PgExecutor<'_>,
    grace: std::time::Duration,
) -> sqlx::Result<Vec<SigningKeyRow>> {
    sqlx::query_as(
        "SELECT kid, private_key_pem, retired_at FROM signing_keys \
         WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) \
         ORDER BY retired_at IS NULL DESC, created_at DESC",
    )
    .bind(grace.as_secs_f64())
    .fetch_all(db)
    .await
}

/// Stores a new signing key. With `retire_current`, the keys signing until now are retired
/// (rotation) and keys retired longer than `grace` ago are deleted; without, the key is stored
/// only if no current key exists (first start; concurrent starts store one between them).
pub async fn add_signing_key(
    pool: &PgPool,
    kid: &str,
    private_key_pem: &str,
    retire_current: bool,
    grace: std::time::Duration,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(pool).await?;
    // One writer of keys at a time.
    sqlx::query("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    if retire_current {
        sqlx::query("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM signing_keys WHERE retired_at <= now() - make_interval(secs => $1)",
        )
        .bind(grace.as_secs_f64())
        .execute(&mut *tx)
        .await?;
    } else {
        let current: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM signing_keys WHERE retired_at IS NULL)",
        )
        .fetch_one(&mut *tx)
        .await?;
        if current {
            tx.rollback().await?;
            return Ok(false);
        }
    }
    sqlx::query("INSERT INTO signing_keys (kid, private_key_pem) VALUES ($1, $2)")
        .bind(kid)
        .bind(private_key_pem)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether account `id` may be assigned tickets: an enabled agent or admin.
pub async fn is_assignable(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role IN ('agent', 'admin') \
         AND NOT disabled)",
    )
    .bind(id)
    .fetch_one(db)
    .await
}

/// The enabled agents and admins, by name: who tickets can be assigned to.
pub async fn list_staff(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<User>> {
    sqlx::query_as(
        "SELECT id, email, name, role, disabled, created_at FROM users \
         WHERE role IN ('agent', 'admin') AND NOT disabled \
         ORDER BY lower(name), id LIMIT 1000",
    )
    .fetch_all(db)
    .await
}
