//! Helpdesk as its own small OpenID issuer: RSA signing keys kept in the database (generated on
//! first use, rotated with `helpdesk keys rotate`), short-lived access tokens, and the key set
//! and discovery document it publishes. Its tokens are verified like any other issuer's
//! ([`super::verify`]), by the published keys.

use std::time::{Duration, Instant};

use aws_lc_rs::{
    encoding::AsDer,
    rsa::{KeyPair, KeySize},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse},
};
use serde::Serialize;
use sqlx::PgPool;
use tokio::sync::RwLock;

use crate::{domain::User, repository};

/// The audience of the built-in access tokens.
pub const AUDIENCE: &str = "helpdesk";
/// How long a process keeps the keys it read before reading them again: the longest a process
/// signs with a key after it was rotated out.
const KEYS_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("signing key: {0}")]
    Key(String),
}

/// The claims of a built-in access token.
#[derive(Debug, Serialize)]
struct AccessClaims<'a> {
    iss: &'a str,
    sub: String,
    aud: &'static str,
    iat: u64,
    nbf: u64,
    exp: u64,
    email: &'a str,
    name: &'a str,
}

/// The built-in issuer of one process: its identifier, token lifetime, and the keys it read.
pub struct BuiltinIssuer {
    issuer: String,
    token_ttl: Duration,
    pool: PgPool,
    keys: RwLock<Option<Keys>>,
}

struct Keys {
    read_at: Instant,
    /// The key that signs, and its id.
    signing: Option<(String, EncodingKey)>,
    published: JwkSet,
}

impl BuiltinIssuer {
    pub fn new(issuer: String, token_ttl: Duration, pool: PgPool) -> Self {
        Self {
            issuer,
            token_ttl,
            pool,
            keys: RwLock::new(None),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn token_ttl(&self) -> Duration {
        self.token_ttl
    }

    /// An access token for `user`, signed with the current key (made on first use).
    pub async fn access_token(&self, user: &User) -> Result<String, IssuerError> {
        let (kid, key) = match self.signing_key().await? {
            Some(signing) => signing,
            None => {
                // First sign-in ever: make the first key (concurrent first uses store one).
                add_key(&self.pool, false, self.token_ttl).await?;
                self.reload().await?;
                self.signing_key()
                    .await?
                    .ok_or_else(|| IssuerError::Key("no signing key after creating one".into()))?
            }
        };
        let now = jsonwebtoken::get_current_timestamp();
        let claims = AccessClaims {
            iss: &self.issuer,
            sub: user.id.to_string(),
            aud: AUDIENCE,
            iat: now,
            nbf: now,
            exp: now + self.token_ttl.as_secs(),
            email: &user.email,
            name: &user.name,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid);
        jsonwebtoken::encode(&header, &claims, &key)
            .map_err(|error| IssuerError::Key(error.to_string()))
    }

    /// The public keys tokens may be signed with: the current key and those rotated out less
    /// than a token lifetime (and the cache time) ago.
    pub async fn published_keys(&self) -> Result<JwkSet, IssuerError> {
        self.fresh_keys().await?;
        Ok(self
            .keys
            .read()
            .await
            .as_ref()
            .map(|keys| keys.published.clone())
            .unwrap_or(JwkSet { keys: Vec::new() }))
    }

    /// Reads the keys again now, whatever their age (an unknown `kid` may be a new key).
    pub async fn reload(&self) -> Result<(), IssuerError> {
        let rows = repository::signing_keys(&self.pool, retired_key_grace(self.token_ttl)).await?;
        let mut signing = None;
        let mut published = Vec::with_capacity(rows.len());
        for row in rows {
            let key = EncodingKey::from_rsa_pem(row.private_key_pem.as_bytes())
                .map_err(|error| IssuerError::Key(format!("{}: {error}", row.kid)))?;
            let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256)
                .map_err(|error| IssuerError::Key(format!("{}: {error}", row.kid)))?;
            jwk.common.key_id = Some(row.kid.clone());
            jwk.common.public_key_use = Some(PublicKeyUse::Signature);
            jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
            published.push(jwk);
            if row.retired_at.is_none() && signing.is_none() {
                signing = Some((row.kid, key));
            }
        }
        *self.keys.write().await = Some(Keys {
            read_at: Instant::now(),
            signing,
            published: JwkSet { keys: published },
        });
        Ok(())
    }

    async fn signing_key(&self) -> Result<Option<(String, EncodingKey)>, IssuerError> {
        self.fresh_keys().await?;
        Ok(self
            .keys
            .read()
            .await
            .as_ref()
            .and_then(|keys| keys.signing.clone()))
    }

    async fn fresh_keys(&self) -> Result<(), IssuerError> {
        let stale = self
            .keys
            .read()
            .await
            .as_ref()
            .is_none_or(|keys| keys.read_at.elapsed() >= KEYS_TTL);
        if stale {
            self.reload().await?;
        }
        Ok(())
    }

    /// The OpenID discovery document: where the keys are, and how tokens are signed.
    pub fn discovery_document(&self) -> serde_json::Value {
        let base = self.issuer.trim_end_matches('/');
        serde_json::json!({
            "issuer": self.issuer,
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "token_endpoint": format!("{base}/api/auth/login"),
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none"],
        })
    }
}

/// How long a rotated-out key stays published: tokens it signed live at most a token lifetime,
/// and a process may sign with it for up to the cache time after the rotation.
pub fn retired_key_grace(token_ttl: Duration) -> Duration {
    token_ttl + KEYS_TTL + Duration::from_secs(60)
}

/// Makes a new 2048-bit RSA key and stores it: as the first key (`rotate` false: only when
/// there is no current key), or as the next one, retiring the current ones. Returns its id
/// when stored.
pub async fn add_key(
    pool: &PgPool,
    rotate: bool,
    token_ttl: Duration,
) -> Result<Option<String>, IssuerError> {
    let (kid, pem) = tokio::task::spawn_blocking(new_key)
        .await
        .map_err(|error| IssuerError::Key(error.to_string()))??;
    let stored =
        repository::add_signing_key(pool, &kid, &pem, rotate, retired_key_grace(token_ttl)).await?;
    Ok(stored.then_some(kid))
}

/// A new RSA key pair as PKCS#8 PEM, and a random key id.
fn new_key() -> Result<(String, String), IssuerError> {
    let pair =
        KeyPair::generate(KeySize::Rsa2048).map_err(|error| IssuerError::Key(error.to_string()))?;
    let der = pair
        .as_der()
        .map_err(|error| IssuerError::Key(error.to_string()))?;
    let body = STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    Ok((uuid::Uuid::new_v4().simple().to_string(), pem))
}
