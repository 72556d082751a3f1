//! Who is calling: bearer tokens verified by one path for every issuer ([`verify`]), the
//! built-in issuer ([`issuer`]), passwords ([`passwords`]) and refresh tokens. [`Auth`] turns a
//! token into the caller's account, checked per request (a disabled account stops at once).
//! What each role may do is decided by the account itself (`domain::User`); the HTTP layer's
//! `AuthUser` extractor asks [`Auth`].

pub mod issuer;
pub mod passwords;
pub mod verify;

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use aws_lc_rs::{digest, rand::SecureRandom};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use governor::{DefaultKeyedRateLimiter, Quota};
use serde_json::Value;
use sqlx::PgPool;

use crate::{
    config::{AuthConfig, OidcConfig},
    domain::{Role, User},
    repository::{self, ExternalIdentity},
};
use issuer::BuiltinIssuer;
use verify::{KeySource, TokenError, TrustedIssuer, VerifiedToken, Verifier};

/// Why a request is not let in.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No usable credentials: 401.
    #[error("not signed in: {0}")]
    Unauthenticated(String),
    /// A valid identity that may not do this: 403.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The credentials cannot be checked now (the keys or the account cannot be read): 503.
    #[error("sign-in cannot be checked: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<TokenError> for AuthError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Keys(reason) => Self::Unavailable(reason),
            other => Self::Unauthenticated(other.to_string()),
        }
    }
}

/// Sign-in state shared by every request; cheap to clone.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    config: AuthConfig,
    db: PgPool,
    verifier: Verifier,
    builtin: Option<Arc<BuiltinIssuer>>,
    /// The HTTP client for an OpenID provider, made when first needed: without a provider a
    /// cold start builds none (building one reads the system's root certificates).
    http: fn() -> reqwest::Client,
    /// Sign-in attempts per address, whatever client sends them.
    sign_in_by_email: DefaultKeyedRateLimiter<String>,
    /// Tickets and classifications without an account, per client address.
    public_by_client: DefaultKeyedRateLimiter<Option<IpAddr>>,
    /// Built-in accounts recently read for their tokens; see [`ACCOUNT_TTL`].
    accounts: Mutex<HashMap<i64, (Instant, User)>>,
}

/// How long an account read for a token is reused. Reading it for every request cost a
/// database round trip per request (bench/README.md); for this long a disabled account's token
/// still works in other processes. In the process where an admin disables or changes an
/// account, [`Auth::forget_account`] makes the change count at once.
pub const ACCOUNT_TTL: Duration = Duration::from_secs(2);
/// Beyond this many remembered accounts the memory is cleared (a bound, not an eviction policy:
/// a team's accounts fit many times over).
const ACCOUNTS_REMEMBERED: usize = 10_000;

/// Sign-in attempts an address gets: 10 a minute, 5 at once.
const SIGN_INS_PER_MINUTE: u32 = 10;
const SIGN_IN_BURST: u32 = 5;
/// Submissions without an account a client address gets: 5 a minute, 5 at once.
const PUBLIC_PER_MINUTE: u32 = 5;
const PUBLIC_BURST: u32 = 5;

impl Auth {
    pub fn new(config: &AuthConfig, db: PgPool, http: fn() -> reqwest::Client) -> Self {
        let builtin = config.builtin.then(|| {
            Arc::new(BuiltinIssuer::new(
                config.issuer.clone(),
                config.access_token_ttl,
                db.clone(),
            ))
        });
        let mut issuers = Vec::new();
        if let Some(builtin) = &builtin {
            issuers.push(TrustedIssuer {
                issuer: builtin.issuer().to_owned(),
                audiences: vec![issuer::AUDIENCE.to_owned()],
                keys: verify::KeySet::new(builtin.issuer(), KeySource::Builtin(builtin.clone())),
            });
        }
        if let Some(oidc) = &config.oidc {
            issuers.push(TrustedIssuer {
                issuer: oidc.issuer.clone(),
                audiences: oidc.audiences.clone(),
                keys: verify::KeySet::new(&oidc.issuer, KeySource::Discovery { client: http() }),
            });
        }
        let quota =
            |per_minute, burst| Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst));
        Self {
            inner: Arc::new(Inner {
                config: config.clone(),
                db,
                verifier: Verifier::new(issuers),
                builtin,
                http,
                sign_in_by_email: DefaultKeyedRateLimiter::keyed(quota(
                    SIGN_INS_PER_MINUTE,
                    SIGN_IN_BURST,
                )),
                public_by_client: DefaultKeyedRateLimiter::keyed(quota(
                    PUBLIC_PER_MINUTE,
                    PUBLIC_BURST,
                )),
                accounts: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn config(&self) -> &AuthConfig {
        &self.inner.config
    }

    /// The one verification path of every bearer token.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The built-in issuer, when built-in accounts are on.
    pub fn builtin(&self) -> Option<&BuiltinIssuer> {
        self.inner.builtin.as_deref()
    }

    /// The account behind a bearer token, enabled.
    pub async fn authenticate(&self, token: &str) -> Result<User, AuthError> {
        let verified = self.inner.verifier.verify(token).await?;
        let user = if verified.issuer.is_builtin() {
            let id = verified.subject.parse::<i64>().map_err(|_| {
                AuthError::Unauthenticated("the subject is not an account id".to_owned())
            })?;
            self.builtin_account(id).await?
        } else {
            self.external_account(&verified, token).await?
        };
        if user.disabled {
            return Err(AuthError::Unauthenticated(
                "the account is disabled".to_owned(),
            ));
        }
        Ok(user)
    }

    /// The built-in account `id`, from memory if read less than [`ACCOUNT_TTL`] ago.
    async fn builtin_account(&self, id: i64) -> Result<User, AuthError> {
        if let Some(user) = self.remembered(id) {
            return Ok(user);
        }
        let user = repository::find_user(&self.inner.db, id)
            .await?
            .ok_or_else(|| AuthError::Unauthenticated("the account no longer exists".into()))?;
        if let Ok(mut accounts) = self.inner.accounts.lock() {
            if accounts.len() >= ACCOUNTS_REMEMBERED {
                accounts.clear();
            }
            accounts.insert(id, (Instant::now(), user.clone()));
        }
        Ok(user)
    }

    fn remembered(&self, id: i64) -> Option<User> {
        let accounts = self.inner.accounts.lock().ok()?;
        let (read_at, user) = accounts.get(&id)?;
        (read_at.elapsed() < ACCOUNT_TTL).then(|| user.clone())
    }

    /// Makes this process read the account again on its next token (after an admin changed it).
    pub fn forget_account(&self, id: i64) {
        if let Ok(mut accounts) = self.inner.accounts.lock() {
            accounts.remove(&id);
        }
    }

    /// The local account of a provider's identity: found by issuer and subject (its role kept
    /// as the token says), or made on first sight from the token's claims.
    async fn external_account(
        &self,
        verified: &VerifiedToken,
        token: &str,
    ) -> Result<User, AuthError> {
        let Some(oidc) = &self.inner.config.oidc else {
            return Err(AuthError::Unauthenticated("no such issuer".to_owned()));
        };
        let claims = &verified.claims;
        let role = role_from_claims(oidc, claims);
        let issuer = &verified.issuer.issuer;
        if let Some(user) =
            repository::external_account(&self.inner.db, issuer, &verified.subject, role).await?
        {
            return Ok(user);
        }
        let claim = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        // Access tokens often carry no address (Cognito's do not): ask the provider, once, when
        // the account is made.
        let (email, name) = match claim("email") {
            Some(email) => (email, claim("name")),
            None => self.userinfo(&oidc.issuer, token).await?,
        };
        let name = name
            .or_else(|| claim("preferred_username"))
            .or_else(|| claim("username"))
            .unwrap_or_else(|| email.clone());
        let identity = ExternalIdentity {
            issuer,
            subject: &verified.subject,
            email: &email,
            name: &name,
            role,
        };
        repository::account_of_external_identity(&self.inner.db, &identity)
            .await?
            .ok_or_else(|| {
                AuthError::Forbidden(
                    "This address belongs to another Helpdesk account; an admin can help."
                        .to_owned(),
                )
            })
    }

    async fn userinfo(
        &self,
        issuer: &str,
        token: &str,
    ) -> Result<(String, Option<String>), AuthError> {
        let unavailable =
            |reason: String| AuthError::Unauthenticated(format!("userinfo: {reason}"));
        let http = (self.inner.http)();
        let discovery = verify::discovery_document(&http, issuer).await?;
        let endpoint = discovery
            .userinfo_endpoint
            .ok_or_else(|| unavailable("the provider has no userinfo endpoint".to_owned()))?;
        let info: serde_json::Map<String, Value> = http
            .get(&endpoint)
            .bearer_auth(token)
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|error| unavailable(error.without_url().to_string()))?
            .json()
            .await
            .map_err(|error| unavailable(error.without_url().to_string()))?;
        let field = |name: &str| info.get(name).and_then(Value::as_str).map(str::to_owned);
        let email = field("email").ok_or_else(|| unavailable("no email".to_owned()))?;
        Ok((email, field("name")))
    }

    /// Whether `email` may try to sign in now (10 attempts a minute per address).
    pub fn sign_in_allowed(&self, email: &str) -> bool {
        self.inner
            .sign_in_by_email
            .check_key(&email.to_lowercase())
            .is_ok()
    }

    /// Whether a client may submit without an account now; `None` when such submissions are
    /// off.
    pub fn public_submission_allowed(&self, client: Option<IpAddr>) -> Option<bool> {
        self.inner
            .config
            .public_submission
            .then(|| self.inner.public_by_client.check_key(&client).is_ok())
    }
}

/// At start: when `HELPDESK_BOOTSTRAP_ADMIN_EMAIL`/`_PASSWORD` are set and no enabled admin
/// exists, makes that admin (or makes the existing account of that address an admin with that
/// password). Returns whether it did.
pub async fn bootstrap_admin(config: &AuthConfig, db: &PgPool) -> Result<bool, BootstrapError> {
    let Some((email, password)) = &config.bootstrap_admin else {
        return Ok(false);
    };
    if repository::any_enabled_admin(db).await? {
        return Ok(false);
    }
    let email = crate::domain::Email::parse(email).map_err(|reason| {
        BootstrapError::Invalid(format!("HELPDESK_BOOTSTRAP_ADMIN_EMAIL {reason}"))
    })?;
    let password = crate::domain::Password::parse(password.expose()).map_err(|reason| {
        BootstrapError::Invalid(format!("HELPDESK_BOOTSTRAP_ADMIN_PASSWORD {reason}"))
    })?;
    let hash = passwords::hash(&password)
        .await
        .map_err(|error| BootstrapError::Invalid(error.to_string()))?;
    repository::set_account(db, &email, email.as_str(), Role::Admin, &hash).await?;
    Ok(true)
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The role a provider's claims give: admin if any listed value is an admin value, else agent
/// if any is an agent value, else requester. The claim may be a list or one string.
pub fn role_from_claims(oidc: &OidcConfig, claims: &serde_json::Map<String, Value>) -> Role {
    let values: Vec<&str> = match claims.get(&oidc.roles_claim) {
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(value)) => value.split([' ', ',']).collect(),
        _ => Vec::new(),
    };
    let has = |wanted: &[String]| values.iter().any(|value| wanted.iter().any(|w| w == value));
    if has(&oidc.admin_roles) {
        Role::Admin
    } else if has(&oidc.agent_roles) {
        Role::Agent
    } else {
        Role::Requester
    }
}

/// A new refresh token: 256 random bits, URL-safe.
pub fn new_refresh_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AuthError::Unauthenticated("no randomness".to_owned()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a refresh token: its SHA-256 (a database leak yields no usable token).
pub fn refresh_token_hash(token: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn oidc() -> OidcConfig {
        OidcConfig {
            issuer: "https://id.example.com".to_owned(),
            audiences: vec!["spa".to_owned()],
            client_id: "spa".to_owned(),
            display_name: "Example".to_owned(),
            roles_claim: "cognito:groups".to_owned(),
            agent_roles: vec!["agent".to_owned(), "support".to_owned()],
            admin_roles: vec!["admin".to_owned()],
        }
    }

    #[test]
    fn roles_come_from_the_configured_claim_and_the_highest_wins() {
        let role = |claims: Value| role_from_claims(&oidc(), claims.as_object().unwrap());
        assert_eq!(role(json!({"cognito:groups": ["support"]})), Role::Agent);
        assert_eq!(
            role(json!({"cognito:groups": ["support", "admin"]})),
            Role::Admin
        );
        assert_eq!(role(json!({"cognito:groups": "admin"})), Role::Admin);
        assert_eq!(role(json!({"cognito:groups": ["staff"]})), Role::Requester);
        assert_eq!(
            role(json!({"roles": ["admin"]})),
            Role::Requester,
            "another claim"
        );
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_refresh_token().unwrap(), new_refresh_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(refresh_token_hash(&a).len(), 32);
        assert_ne!(refresh_token_hash(&a), a.as_bytes());
    }
}
