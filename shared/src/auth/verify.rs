//! The one verification path for every bearer token, whoever issued it: the built-in issuer or
//! an OpenID Connect provider. Per trusted issuer: the signature against its published keys
//! (RS256 only: never `none`, never a symmetric algorithm, so a public key can never be used as
//! an HMAC secret), `iss`, `exp` and `nbf` with a small leeway, and the audience (`aud`, or
//! `client_id` where a token has no `aud`, as Cognito access tokens).
//!
//! Keys are cached per issuer. A token signed by a key the cache does not know makes it fetch
//! the keys again, at most once per [`KeySet::min_refresh`] however many such tokens arrive.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::{Mutex, RwLock};

use super::issuer::BuiltinIssuer;

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;
/// At most one fetch of a provider's keys a minute for unknown key ids.
const REMOTE_REFRESH: Duration = Duration::from_secs(60);
/// The built-in keys live in the database: re-reading them is cheap, and a key rotated in by
/// another process is found within seconds.
const BUILTIN_REFRESH: Duration = Duration::from_secs(5);

/// Why a token was not accepted. Each becomes a 401; the reason is logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("algorithm {0:?} is not accepted")]
    Algorithm(Algorithm),
    #[error("issuer {0:?} is not trusted")]
    UnknownIssuer(String),
    #[error("no key {0:?} for this issuer")]
    UnknownKey(String),
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("audience not accepted")]
    Audience,
    /// The keys cannot be read now (the database or the provider is down): not the token's
    /// fault, so not a 401.
    #[error("the issuer's keys cannot be read: {0}")]
    Keys(String),
}

/// A token whose signature and claims were verified.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// The issuer that vouches for it.
    pub issuer: Arc<TrustedIssuer>,
    pub subject: String,
    pub claims: Map<String, Value>,
}

/// Who signs the keys of an issuer.
pub enum KeySource {
    /// The built-in issuer's keys, from the database.
    Builtin(Arc<BuiltinIssuer>),
    /// An OpenID provider's JWKS, found through its discovery document.
    Discovery { client: reqwest::Client },
}

/// An issuer whose tokens the API accepts.
pub struct TrustedIssuer {
    pub issuer: String,
    pub audiences: Vec<String>,
    pub keys: KeySet,
}

impl std::fmt::Debug for TrustedIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedIssuer")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl TrustedIssuer {
    pub fn is_builtin(&self) -> bool {
        matches!(self.keys.source, KeySource::Builtin(_))
    }
}

/// The keys of one issuer, cached.
pub struct KeySet {
    source: KeySource,
    issuer: String,
    keys: RwLock<HashMap<String, Arc<DecodingKey>>>,
    /// The last fetch; held while fetching, so one fetch serves all waiters.
    fetched: Mutex<Option<Fetch>>,
}

/// When the keys were last fetched, and why that failed if it did.
struct Fetch {
    at: Instant,
    failure: Option<String>,
}

impl KeySet {
    pub fn new(issuer: &str, source: KeySource) -> Self {
        Self {
            source,
            issuer: issuer.to_owned(),
            keys: RwLock::new(HashMap::new()),
            fetched: Mutex::new(None),
        }
    }

    /// The shortest time between two fetches.
    pub fn min_refresh(&self) -> Duration {
        match self.source {
            KeySource::Builtin(_) => BUILTIN_REFRESH,
            KeySource::Discovery { .. } => REMOTE_REFRESH,
        }
    }

    async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, TokenError> {
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        let mut fetched = self.fetched.lock().await;
        // Another request may have fetched while this one waited for the lock.
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        if let Some(last) = fetched
            .as_ref()
            .filter(|last| last.at.elapsed() < self.min_refresh())
        {
            // Within the interval the last answer stands: the key is unknown, or the keys
            // cannot be read (which is not the token's fault).
            return Err(match &last.failure {
                Some(reason) => TokenError::Keys(reason.clone()),
                None => TokenError::UnknownKey(kid.to_owned()),
            });
        }
        let result = self.fetch().await;
        *fetched = Some(Fetch {
            at: Instant::now(),
            failure: result.as_ref().err().map(ToString::to_string),
        });
        let set = result?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let (Some(id), Ok(key)) = (&jwk.common.key_id, DecodingKey::from_jwk(jwk)) else {
                continue;
            };
            keys.insert(id.clone(), Arc::new(key));
        }
        let found = keys.get(kid).cloned();
        *self.keys.write().await = keys;
        found.ok_or_else(|| TokenError::UnknownKey(kid.to_owned()))
    }

    async fn fetch(&self) -> Result<JwkSet, TokenError> {
        match &self.source {
            KeySource::Builtin(issuer) => {
                issuer
                    .reload()
                    .await
                    .map_err(|error| TokenError::Keys(error.to_string()))?;
                issuer
                    .published_keys()
                    .await
                    .map_err(|error| TokenError::Keys(error.to_string()))
            }
            KeySource::Discovery { client } => {
                let discovery = discovery_document(client, &self.issuer).await?;
                get_json(client, &discovery.jwks_uri).await
            }
        }
    }
}

/// The members of a discovery document the API uses.
#[derive(Debug, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
}

/// `{issuer}/.well-known/openid-configuration`, checked to name the same issuer.
pub async fn discovery_document(
    client: &reqwest::Client,
    issuer: &str,
) -> Result<Discovery, TokenError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let discovery: Discovery = get_json(client, &url).await?;
    if discovery.issuer != issuer {
        return Err(TokenError::Keys(format!(
            "the discovery document names issuer {:?}",
            discovery.issuer
        )));
    }
    Ok(discovery)
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
) -> Result<T, TokenError> {
    let fail = |error: reqwest::Error| TokenError::Keys(format!("{url}: {}", error.without_url()));
    client
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(fail)?
        .json()
        .await
        .map_err(fail)
}

/// The claims read before the signature is checked, only to choose the issuer and its key.
#[derive(Debug, Deserialize)]
struct Unverified {
    iss: Option<String>,
}

/// How long a verified token is remembered: the same token on the next requests skips the
/// signature check (an RSA verification, most of a request's token cost). Never past the
/// token's own `exp`.
const VERIFIED_TTL: Duration = Duration::from_secs(60);
/// Beyond this many remembered tokens the memory is cleared (a bound on memory, not a policy).
const VERIFIED_REMEMBERED: usize = 10_000;

/// Verifies tokens against the trusted issuers.
#[derive(Clone)]
pub struct Verifier {
    issuers: Arc<Vec<Arc<TrustedIssuer>>>,
    verified: Arc<std::sync::Mutex<Remembered>>,
}

/// Tokens verified lately, by their SHA-256 (no token is kept), with when to forget each.
type Remembered = HashMap<Vec<u8>, (Instant, Arc<VerifiedToken>)>;

impl Verifier {
    pub fn new(issuers: Vec<TrustedIssuer>) -> Self {
        Self {
            issuers: Arc::new(issuers.into_iter().map(Arc::new).collect()),
            verified: Arc::default(),
        }
    }

    /// The token's verified claims: remembered for [`VERIFIED_TTL`] (at most until it expires)
    /// once checked, so a client sending the same token again costs a hash.
    pub async fn verify(&self, token: &str) -> Result<Arc<VerifiedToken>, TokenError> {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
        let key = digest.as_ref().to_vec();
        let remembered = self.verified.lock().ok().and_then(|verified| {
            verified
                .get(&key)
                .filter(|(until, _)| Instant::now() < *until)
                .map(|(_, token)| token.clone())
        });
        if let Some(token) = remembered {
            return Ok(token);
        }
        let verified = Arc::new(self.check(token).await?);
        let expires_in = verified
            .claims
            .get("exp")
            .and_then(Value::as_u64)
            .map(|exp| {
                Duration::from_secs(exp.saturating_sub(jsonwebtoken::get_current_timestamp()))
            })
            .unwrap_or_default();
        if let Ok(mut remembered) = self.verified.lock() {
            if remembered.len() >= VERIFIED_REMEMBERED {
                remembered.clear();
            }
            let until = Instant::now() + VERIFIED_TTL.min(expires_in);
            remembered.insert(key, (until, verified.clone()));
        }
        Ok(verified)
    }

    async fn check(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|error| TokenError::Malformed(error.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::Algorithm(header.alg));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Malformed("no key id (kid)".to_owned()))?;
        let unverified: Unverified = jsonwebtoken::dangerous::insecure_decode_claims(token)
            .map_err(|error| TokenError::Malformed(error.to_string()))?;
        let iss = unverified.iss.unwrap_or_default();
        let issuer = self
            .issuers
            .iter()
            .find(|trusted| trusted.issuer == iss)
            .ok_or(TokenError::UnknownIssuer(iss))?;
        let key = issuer.keys.key(&kid).await?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&issuer.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        // Checked below: `aud`, or `client_id` for tokens without one.
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|error| TokenError::Invalid(error.to_string()))?;
        let claims = data.claims;
        if !audience_accepted(&claims, &issuer.audiences) {
            return Err(TokenError::Audience);
        }
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|sub| !sub.is_empty())
            .ok_or_else(|| TokenError::Malformed("empty subject".to_owned()))?
            .to_owned();
        Ok(VerifiedToken {
            issuer: issuer.clone(),
            subject,
            claims,
        })
    }
}

/// `aud` (a string or a list) names an accepted audience; a token without `aud` qualifies by
/// its `client_id` instead.
fn audience_accepted(claims: &Map<String, Value>, accepted: &[String]) -> bool {
    let accepts = |value: &Value| {
        value
            .as_str()
            .is_some_and(|v| accepted.iter().any(|a| a == v))
    };
    match claims.get("aud") {
        Some(Value::Array(audiences)) => audiences.iter().any(accepts),
        Some(audience) => accepts(audience),
        None => claims.get("client_id").is_some_and(accepts),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn the_audience_is_aud_or_else_client_id() {
        let accepted = ["spa".to_owned()];
        assert!(audience_accepted(&claims(json!({"aud": "spa"})), &accepted));
        assert!(audience_accepted(
            &claims(json!({"aud": ["x", "spa"]})),
            &accepted
        ));
        assert!(audience_accepted(
            &claims(json!({"client_id": "spa"})),
            &accepted
        ));
        assert!(!audience_accepted(
            &claims(json!({"aud": "other", "client_id": "spa"})),
            &accepted
        ));
        assert!(!audience_accepted(&claims(json!({})), &accepted));
    }
}
