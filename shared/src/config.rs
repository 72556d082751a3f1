//! Configuration, read from the environment once at start-up into a typed struct.
//!
//! Nothing else in the code base reads `std::env`: binaries call [`Config::from_env`] and pass
//! the result down. Parsing takes any variable lookup so tests can feed a map.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use crate::domain::{SupportAddress, check_sender_name};

/// A value that must never be printed: `Debug` and `Display` show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Which classification provider serves `/classify` and ticket creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassifierKind {
    Gemini,
    OpenAi,
    Rules,
}

impl FromStr for ClassifierKind {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "gemini" => Ok(Self::Gemini),
            "openai" => Ok(Self::OpenAi),
            "rules" => Ok(Self::Rules),
            _ => Err("must be one of: gemini, openai, rules".to_owned()),
        }
    }
}

/// Google Gemini settings.
#[derive(Debug, Clone)]
pub struct GeminiConfig {
    pub api_key: Option<Secret>,
    /// Secrets Manager id, or `ssm:` followed by an SSM parameter name, holding the key.
    pub api_key_secret_id: Option<String>,
    pub model: String,
    pub base_url: String,
}

/// Settings of an OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM…).
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    pub base_url: Option<String>,
    pub api_key: Option<Secret>,
    pub model: Option<String>,
}

/// Everything the binaries need, parsed and validated, one section per concern.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub classifier: ClassifierConfig,
    pub auth: AuthConfig,
    pub mail: MailConfig,
    pub log_filter: String,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: Secret,
    pub max_connections: u32,
    /// Prepared statements cached per connection; 0 turns the cache off (docs/deploy-aws.md
    /// explains the setting for poolers such as PgBouncer and RDS Proxy).
    pub statement_cache: usize,
    /// Close each connection when it goes back to the pool instead of keeping it (default
    /// false): behind a session pooler (PgBouncer `pool_mode = session`) that is what hands its
    /// server connection to the next instance waiting, at the cost of a connect per use
    /// (docs/scaling.md).
    pub close_after_use: bool,
}

/// What the HTTP layer needs: the router's settings, and the local server's listener and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    pub bind_addr: SocketAddr,
    /// Serve the built SPA from this folder (the local server only).
    pub static_dir: Option<PathBuf>,
    pub cors_allowed_origins: Vec<String>,
    /// Take the client address from `X-Forwarded-For`/`X-Real-IP` (set only behind a proxy
    /// that overwrites them, or clients can pick their own address).
    pub trust_proxy_headers: bool,
    /// Per-client limit on `/classify`; `None` when `CLASSIFY_RATE_LIMIT_PER_MINUTE=0`.
    pub classify_rate_limit: Option<RateLimit>,
    /// A request still running after this is answered 503 problem+json; its work goes on to
    /// its end.
    pub request_timeout: Duration,
    /// Time a client has to send a request head (local server).
    pub header_read_timeout: Duration,
    /// Connections the local server serves at once.
    pub max_connections: usize,
    /// Path prefix a custom domain's API mapping adds in front of `/api` (Lambda only), e.g.
    /// `/helpdesk`; normalised to a leading slash and no trailing one.
    pub api_base_path: Option<String>,
}

/// A per-client token bucket: `per_minute` requests a minute on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

#[derive(Debug, Clone)]
pub struct ClassifierConfig {
    /// Which provider serves `/classify` and ticket creation.
    pub kind: ClassifierKind,
    pub gemini: GeminiConfig,
    pub openai: OpenAiConfig,
    /// Overall budget of one model call, retry included.
    pub timeout: Duration,
}

/// Who may sign in, and how.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The built-in issuer's identifier: the `iss` of its tokens and the base URL of its
    /// discovery document (`AUTH_ISSUER`; the server's own URL by default).
    pub issuer: String,
    /// Built-in accounts (email and password) sign in (`AUTH_BUILTIN`, default true).
    pub builtin: bool,
    /// Anyone may create a requester account (`AUTH_SELF_SIGNUP`, default false).
    pub self_signup: bool,
    /// Anyone may submit a ticket (and ask for a classification) without an account
    /// (`PUBLIC_SUBMISSION`, default false).
    pub public_submission: bool,
    /// Lifetime of the built-in access tokens.
    pub access_token_ttl: Duration,
    /// Lifetime of a refresh token family without use.
    pub refresh_token_ttl: Duration,
    pub oidc: Option<OidcConfig>,
    /// An admin created at start when none exists (`HELPDESK_BOOTSTRAP_ADMIN_EMAIL` and
    /// `_PASSWORD`), for deployments without a shell.
    pub bootstrap_admin: Option<(String, Secret)>,
}

/// An external OpenID Connect provider whose access tokens the API accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// `AUTH_OIDC_ISSUER`, e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc.
    pub issuer: String,
    /// Accepted audiences (`AUTH_OIDC_AUDIENCE`, comma-separated; the client id by default):
    /// a token's `aud`, or its `client_id` where it has no `aud` (Cognito access tokens).
    pub audiences: Vec<String>,
    /// The SPA's client id (`AUTH_OIDC_CLIENT_ID`), for authorization code + PKCE.
    pub client_id: String,
    /// Shown as "Sign in with …" (`AUTH_OIDC_NAME`).
    pub display_name: String,
    /// The claim listing a user's groups or roles (`AUTH_ROLES_CLAIM`, e.g. `cognito:groups`).
    pub roles_claim: String,
    /// Claim values that make an agent (`AUTH_AGENT_ROLES`, default `agent`) or an admin
    /// (`AUTH_ADMIN_ROLES`, default `admin`); anyone else is a requester.
    pub agent_roles: Vec<String>,
    pub admin_roles: Vec<String>,
}

/// A missing or invalid variable, named so the operator knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {variable} {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

pub const DEFAULT_GEMINI_MODEL: &str = "gemini-2.5-flash-lite";
pub const DEFAULT_GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com";
/// Enough for a person filling in tickets (one suggestion per description blur), far too few
/// for a script draining the model budget.
pub const DEFAULT_CLASSIFY_RATE_LIMIT: RateLimit = RateLimit {
    per_minute: 30,
    burst: 10,
};
/// sqlx's own default.
pub const DEFAULT_STATEMENT_CACHE: usize = 100;

impl Default for HttpConfig {
    /// The local server's defaults, with no rate limit (tests set what they exercise).
    fn default() -> Self {
        Self {
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            static_dir: None,
            cors_allowed_origins: Vec::new(),
            trust_proxy_headers: false,
            classify_rate_limit: None,
            // Above the classification budget, so a slow model still ends in a fallback
            // answer rather than a timeout.
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            // Well above what a team's browsers and the proxies in front open, well below what
            // exhausts the process's file descriptors (about 10 MB of buffers if all are busy).
            max_connections: 1024,
            api_base_path: None,
        }
    }
}

/// The email channel (README "Email").
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub transport: MailTransportConfig,
    /// The support address and sender name to start with, while an admin has set none.
    pub support_address: Option<SupportAddress>,
    pub sender_name: Option<String>,
    /// Where people open the app: the links in mails.
    pub public_url: String,
    /// Where `helpdesk serve` accepts mail by SMTP (off unless set).
    pub inbound_addr: Option<SocketAddr>,
    /// Largest message accepted, in bytes.
    pub max_inbound_bytes: usize,
    /// The receiving service whose `Authentication-Results` verdicts are trusted; unset, the
    /// sender of a message is taken as it claims (development).
    pub authserv_id: Option<String>,
}

/// How outbound mail leaves.
#[derive(Debug, Clone)]
pub enum MailTransportConfig {
    /// Mails stay queued.
    None,
    /// An `smtp://` or `smtps://` URL, which may hold credentials.
    Smtp(Secret),
    /// Amazon SES v2, with the function's role.
    Ses,
}

/// Ten mebibytes: far above a support mail, below what makes parsing costly.
pub const DEFAULT_MAX_INBOUND_BYTES: usize = 10 * 1024 * 1024;

impl MailConfig {
    fn parse(
        vars: &Vars<impl Fn(&str) -> Option<String>>,
        runtime: Runtime,
    ) -> Result<Self, ConfigError> {
        let smtp_url = vars.get("SMTP_URL");
        let transport = match vars.get("MAIL_TRANSPORT").as_deref().map(str::trim) {
            None if smtp_url.is_some() => "smtp".to_owned(),
            None => "none".to_owned(),
            Some(kind) => kind.to_ascii_lowercase(),
        };
        let transport = match (transport.as_str(), smtp_url) {
            ("none", _) => MailTransportConfig::None,
            ("ses", _) => MailTransportConfig::Ses,
            ("smtp", Some(url)) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                MailTransportConfig::Smtp(Secret::new(url))
            }
            ("smtp", _) => {
                return Err(ConfigError {
                    variable: "SMTP_URL",
                    reason: "must be an smtp:// or smtps:// URL such as smtp://localhost:1025"
                        .to_owned(),
                });
            }
            _ => {
                return Err(ConfigError {
                    variable: "MAIL_TRANSPORT",
                    reason: "must be one of: smtp, ses, none".to_owned(),
                });
            }
        };
        let support_address = vars
            .get("MAIL_SUPPORT_ADDRESS")
            .map(|raw| SupportAddress::parse(&raw))
            .transpose()
            .map_err(|reason| ConfigError {
                variable: "MAIL_SUPPORT_ADDRESS",
                reason,
            })?;
        let sender_name = vars
            .get("MAIL_SENDER_NAME")
            .map(|raw| check_sender_name(&raw))
            .transpose()
            .map_err(|reason| ConfigError {
                variable: "MAIL_SENDER_NAME",
                reason,
            })?;
        let public_url = match (vars.get("PUBLIC_URL"), runtime) {
            (Some(url), _) => parse_url("PUBLIC_URL", &url)?,
            (None, Runtime::Server) => format!(
                "http://{}",
                vars.parse::<SocketAddr>("BIND_ADDR")?
                    .unwrap_or(HttpConfig::default().bind_addr)
            ),
            // Only the function that sends needs it, and refuses to start without it.
            (None, Runtime::Lambda) => String::new(),
        };
        Ok(Self {
            transport,
            support_address,
            sender_name,
            public_url: public_url.trim_end_matches('/').to_owned(),
            inbound_addr: vars.parse("SMTP_INBOUND_ADDR")?,
            max_inbound_bytes: vars
                .positive("MAIL_MAX_INBOUND_BYTES", DEFAULT_MAX_INBOUND_BYTES)?,
            authserv_id: vars.get("MAIL_AUTHSERV_ID"),
        })
    }
}

/// Where the binary runs: a few defaults differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Server,
    Lambda,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(runtime: Runtime) -> Result<Self, ConfigError> {
        Self::from_lookup(runtime, |name| std::env::var(name).ok())
    }

    /// Parses configuration from any variable lookup; blank values count as unset.
    pub fn from_lookup(
        runtime: Runtime,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let vars = Vars(&lookup);
        Ok(Self {
            database: DatabaseConfig::parse(&vars, runtime)?,
            http: HttpConfig::parse(&vars, runtime)?,
            classifier: ClassifierConfig::parse(&vars)?,
            auth: AuthConfig::parse(&vars, runtime)?,
            mail: MailConfig::parse(&vars, runtime)?,
            log_filter: vars.get("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
        })
    }
}

impl DatabaseConfig {
    fn parse(
        vars: &Vars<impl Fn(&str) -> Option<String>>,
        runtime: Runtime,
    ) -> Result<Self, ConfigError> {
        let url = vars
            .get("DATABASE_URL")
            .map(Secret::new)
            .ok_or(ConfigError {
                variable: "DATABASE_URL",
                reason: "is required (e.g. postgres://user:password@localhost:5432/helpdesk)"
                    .to_owned(),
            })?;
        let default_pool = match runtime {
            Runtime::Server => 10,
            Runtime::Lambda => 1,
        };
        Ok(Self {
            url,
            max_connections: vars.positive("DATABASE_MAX_CONNECTIONS", default_pool)?,
            statement_cache: vars
                .parse("DATABASE_STATEMENT_CACHE")?
                .unwrap_or(DEFAULT_STATEMENT_CACHE),
            close_after_use: vars.parse("DATABASE_CLOSE_AFTER_USE")?.unwrap_or(false),
        })
    }
}

impl HttpConfig {
    fn parse(
        vars: &Vars<impl Fn(&str) -> Option<String>>,
        runtime: Runtime,
    ) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let classify_rate_limit = RateLimit {
            per_minute: vars
                .parse("CLASSIFY_RATE_LIMIT_PER_MINUTE")?
                .unwrap_or(DEFAULT_CLASSIFY_RATE_LIMIT.per_minute),
            burst: vars
                .parse("CLASSIFY_RATE_LIMIT_BURST")?
                .unwrap_or(DEFAULT_CLASSIFY_RATE_LIMIT.burst),
        };
        Ok(Self {
            bind_addr: vars.parse("BIND_ADDR")?.unwrap_or(defaults.bind_addr),
            static_dir: vars.get("STATIC_DIR").map(PathBuf::from),
            cors_allowed_origins: parse_origins(vars.get("CORS_ALLOWED_ORIGINS").as_deref())?,
            trust_proxy_headers: vars
                .parse::<bool>("TRUST_PROXY_HEADERS")?
                .unwrap_or(runtime == Runtime::Lambda),
            classify_rate_limit: (classify_rate_limit.per_minute > 0
                && classify_rate_limit.burst > 0)
                .then_some(classify_rate_limit),
            request_timeout: vars.seconds(
                "HTTP_REQUEST_TIMEOUT_SECS",
                defaults.request_timeout,
                900.0,
            )?,
            header_read_timeout: vars.seconds(
                "HTTP_HEADER_READ_TIMEOUT_SECS",
                defaults.header_read_timeout,
                300.0,
            )?,
            max_connections: vars.positive("HTTP_MAX_CONNECTIONS", defaults.max_connections)?,
            api_base_path: parse_base_path(vars.get("API_BASE_PATH").as_deref())?,
        })
    }
}

/// `RUST_LOG`, or `default` when unset: for tools that read no other configuration.
pub fn log_filter_from_env(default: &str) -> String {
    std::env::var("RUST_LOG")
        .ok()
        .filter(|filter| !filter.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

impl ClassifierConfig {
    /// Only the classifier's settings, from the process environment: for tools that call a
    /// model and touch no database (`helpdesk eval`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let lookup = |name: &str| std::env::var(name).ok();
        Self::parse(&Vars(&lookup))
    }

    fn parse(vars: &Vars<impl Fn(&str) -> Option<String>>) -> Result<Self, ConfigError> {
        let gemini = GeminiConfig {
            api_key: vars.get("GEMINI_API_KEY").map(Secret::new),
            api_key_secret_id: vars.get("GEMINI_API_KEY_SECRET_ID"),
            model: vars
                .get("GEMINI_MODEL")
                .unwrap_or_else(|| DEFAULT_GEMINI_MODEL.to_owned()),
            base_url: vars
                .get("GEMINI_BASE_URL")
                .unwrap_or_else(|| DEFAULT_GEMINI_BASE_URL.to_owned()),
        };
        let openai = OpenAiConfig {
            base_url: vars.get("OPENAI_BASE_URL"),
            api_key: vars.get("OPENAI_API_KEY").map(Secret::new),
            model: vars.get("OPENAI_MODEL"),
        };
        let has_gemini_key = gemini.api_key.is_some() || gemini.api_key_secret_id.is_some();
        let kind = vars.parse("CLASSIFIER")?.unwrap_or(if has_gemini_key {
            ClassifierKind::Gemini
        } else {
            ClassifierKind::Rules
        });
        if kind == ClassifierKind::OpenAi {
            for (variable, value) in [
                ("OPENAI_BASE_URL", &openai.base_url),
                ("OPENAI_MODEL", &openai.model),
            ] {
                if value.is_none() {
                    return Err(ConfigError {
                        variable,
                        reason: "is required when CLASSIFIER=openai".to_owned(),
                    });
                }
            }
        }
        Ok(Self {
            kind,
            gemini,
            openai,
            timeout: vars.seconds("CLASSIFY_TIMEOUT_SECS", Duration::from_secs(10), 60.0)?,
        })
    }
}

struct Vars<'a, F>(&'a F);

impl<F: Fn(&str) -> Option<String>> Vars<'_, F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn parse<T>(&self, name: &'static str) -> Result<Option<T>, ConfigError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.get(name)
            .map(|raw| {
                raw.parse().map_err(|error| ConfigError {
                    variable: name,
                    reason: format!("is invalid ({raw:?}): {error}"),
                })
            })
            .transpose()
    }

    /// A duration in (fractional) seconds, above 0 and at most `max`.
    fn seconds(
        &self,
        name: &'static str,
        default: Duration,
        max: f64,
    ) -> Result<Duration, ConfigError> {
        let Some(seconds) = self.parse::<f64>(name)? else {
            return Ok(default);
        };
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|duration| !duration.is_zero() && duration.as_secs_f64() <= max)
            .ok_or_else(|| ConfigError {
                variable: name,
                reason: format!("must be a number of seconds above 0 and at most {max}"),
            })
    }

    /// A count of at least 1.
    fn positive<T>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + From<u8>,
        T::Err: fmt::Display,
    {
        let value = self.parse(name)?.unwrap_or(default);
        if value < T::from(1) {
            return Err(ConfigError {
                variable: name,
                reason: "must be at least 1".to_owned(),
            });
        }
        Ok(value)
    }
}

impl AuthConfig {
    fn parse(
        vars: &Vars<impl Fn(&str) -> Option<String>>,
        runtime: Runtime,
    ) -> Result<Self, ConfigError> {
        let issuer = match vars.get("AUTH_ISSUER") {
            Some(issuer) => parse_url("AUTH_ISSUER", &issuer)?,
            // Locally the server's own address; on Lambda a stable name (the template sets the
            // API's URL when it knows it).
            None => match runtime {
                Runtime::Server => format!(
                    "http://{}",
                    vars.parse::<SocketAddr>("BIND_ADDR")?
                        .unwrap_or(HttpConfig::default().bind_addr)
                ),
                Runtime::Lambda => "urn:helpdesk".to_owned(),
            },
        };
        let bootstrap_admin = match (
            vars.get("HELPDESK_BOOTSTRAP_ADMIN_EMAIL"),
            vars.get("HELPDESK_BOOTSTRAP_ADMIN_PASSWORD"),
        ) {
            (Some(email), Some(password)) => Some((email, Secret::new(password))),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                return Err(ConfigError {
                    variable: "HELPDESK_BOOTSTRAP_ADMIN_PASSWORD",
                    reason: "and HELPDESK_BOOTSTRAP_ADMIN_EMAIL must be set together".to_owned(),
                });
            }
        };
        Ok(Self {
            issuer,
            builtin: vars.parse("AUTH_BUILTIN")?.unwrap_or(true),
            self_signup: vars.parse("AUTH_SELF_SIGNUP")?.unwrap_or(false),
            public_submission: vars.parse("PUBLIC_SUBMISSION")?.unwrap_or(false),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 60 * 60),
            oidc: OidcConfig::parse(vars)?,
            bootstrap_admin,
        })
    }
}

impl OidcConfig {
    fn parse(vars: &Vars<impl Fn(&str) -> Option<String>>) -> Result<Option<Self>, ConfigError> {
        let Some(issuer) = vars.get("AUTH_OIDC_ISSUER") else {
            return Ok(None);
        };
        let issuer = parse_url("AUTH_OIDC_ISSUER", &issuer)?;
        let client_id = vars.get("AUTH_OIDC_CLIENT_ID").ok_or(ConfigError {
            variable: "AUTH_OIDC_CLIENT_ID",
            reason: "is required with AUTH_OIDC_ISSUER".to_owned(),
        })?;
        let list = |name: &str, default: &str| {
            vars.get(name)
                .unwrap_or_else(|| default.to_owned())
                .split(',')
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        Ok(Some(Self {
            issuer,
            audiences: list("AUTH_OIDC_AUDIENCE", &client_id),
            display_name: vars
                .get("AUTH_OIDC_NAME")
                .unwrap_or_else(|| "your organisation's account".to_owned()),
            client_id,
            roles_claim: vars
                .get("AUTH_ROLES_CLAIM")
                .unwrap_or_else(|| "roles".to_owned()),
            agent_roles: list("AUTH_AGENT_ROLES", "agent"),
            admin_roles: list("AUTH_ADMIN_ROLES", "admin"),
        }))
    }
}

/// An http(s) URL, kept as given: an issuer is compared with a token's `iss` exactly, trailing
/// slash included (some providers' issuers end in one).
fn parse_url(variable: &'static str, raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim();
    if (url.starts_with("https://") || url.starts_with("http://")) && url.len() > "https://".len() {
        Ok(url.to_owned())
    } else {
        Err(ConfigError {
            variable,
            reason: format!("is invalid ({raw:?}): expected an http(s) URL"),
        })
    }
}

fn parse_origins(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let origin = origin.trim_end_matches('/');
            let valid = (origin.starts_with("http://") || origin.starts_with("https://"))
                && axum::http::HeaderValue::from_str(origin).is_ok();
            if valid {
                Ok(origin.to_owned())
            } else {
                Err(ConfigError {
                    variable: "CORS_ALLOWED_ORIGINS",
                    reason: format!("has an invalid origin {origin:?}: expected e.g. https://helpdesk.example.com"),
                })
            }
        })
        .collect()
}

fn parse_base_path(raw: Option<&str>) -> Result<Option<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let path = raw.trim_end_matches('/');
    if path.is_empty() {
        return Ok(None);
    }
    let valid = path.starts_with('/')
        && path[1..].split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        });
    if valid {
        Ok(Some(path.to_owned()))
    } else {
        Err(ConfigError {
            variable: "API_BASE_PATH",
            reason: format!(
                "is invalid ({raw:?}): expected a path such as /helpdesk or /support/v1"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(runtime: Runtime, pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(runtime, |name| map.get(name).cloned())
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = parse(
            Runtime::Server,
            &[("DATABASE_URL", "postgres://localhost/helpdesk")],
        )
        .unwrap();
        assert_eq!(config.database.max_connections, 10);
        assert_eq!(config.http.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.classifier.kind, ClassifierKind::Rules);
        assert_eq!(config.classifier.gemini.model, "gemini-2.5-flash-lite");
        assert_eq!(config.classifier.timeout, Duration::from_secs(10));
        assert!(config.http.cors_allowed_origins.is_empty());
        assert_eq!(config.log_filter, "info");

        assert_eq!(config.database.statement_cache, 100);
        assert!(!config.database.close_after_use);
        assert_eq!(config.http.request_timeout, Duration::from_secs(30));
        assert_eq!(config.http.header_read_timeout, Duration::from_secs(10));
        assert_eq!(config.http.max_connections, 1024);
        assert_eq!(
            config.http.classify_rate_limit,
            Some(DEFAULT_CLASSIFY_RATE_LIMIT)
        );
        assert!(!config.http.trust_proxy_headers);
        assert_eq!(config.http.api_base_path, None);

        let lambda = parse(Runtime::Lambda, &[("DATABASE_URL", "postgres://x/y")]).unwrap();
        assert_eq!(lambda.database.max_connections, 1);
        assert!(lambda.http.trust_proxy_headers);
    }

    #[test]
    fn a_gemini_key_selects_gemini_and_is_never_printed() {
        let config = parse(
            Runtime::Server,
            &[
                ("DATABASE_URL", "postgres://x/y"),
                ("GEMINI_API_KEY", "AIza-very-secret"),
            ],
        )
        .unwrap();
        assert_eq!(config.classifier.kind, ClassifierKind::Gemini);
        let printed = format!("{config:?}");
        assert!(!printed.contains("AIza-very-secret"));
        assert!(!printed.contains("postgres://x/y"));
    }

    #[test]
    fn errors_name_the_variable() {
        let missing = parse(Runtime::Server, &[]).unwrap_err();
        assert_eq!(missing.variable, "DATABASE_URL");

        let cases = [
            ("BIND_ADDR", "localhost"),
            ("DATABASE_MAX_CONNECTIONS", "many"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("CLASSIFIER", "magic"),
            ("CLASSIFY_TIMEOUT_SECS", "-1"),
            ("CORS_ALLOWED_ORIGINS", "example.com"),
            ("OPENAI_BASE_URL", ""),
            ("DATABASE_STATEMENT_CACHE", "-1"),
            ("API_BASE_PATH", "helpdesk"),
            ("API_BASE_PATH", "/help desk"),
            ("API_BASE_PATH", "/a//b"),
            ("HTTP_REQUEST_TIMEOUT_SECS", "0"),
            ("HTTP_HEADER_READ_TIMEOUT_SECS", "soon"),
            ("HTTP_MAX_CONNECTIONS", "0"),
            ("SMTP_URL", "http://mail.example.com"),
            ("MAIL_TRANSPORT", "pigeon"),
            ("MAIL_SUPPORT_ADDRESS", "support+x@example.com"),
            ("MAIL_SENDER_NAME", "Evil\r\nBcc: x@example.net"),
            ("PUBLIC_URL", "help.example.com"),
            ("SMTP_INBOUND_ADDR", "anywhere"),
            ("MAIL_MAX_INBOUND_BYTES", "0"),
        ];
        for (variable, value) in cases {
            let mut pairs = vec![("DATABASE_URL", "postgres://x/y"), (variable, value)];
            if variable == "OPENAI_BASE_URL" {
                pairs.push(("CLASSIFIER", "openai"));
                pairs.push(("OPENAI_MODEL", "llama3"));
            }
            let error = parse(Runtime::Server, &pairs).unwrap_err();
            assert_eq!(error.variable, variable, "{variable}={value}: {error}");
        }
    }

    #[test]
    fn mail_is_off_until_a_transport_is_named_and_secrets_stay_hidden() {
        let off = parse(Runtime::Server, &[("DATABASE_URL", "postgres://x/y")]).unwrap();
        assert!(matches!(off.mail.transport, MailTransportConfig::None));
        assert_eq!(off.mail.public_url, "http://127.0.0.1:8080");
        assert_eq!(off.mail.inbound_addr, None);
        assert_eq!(off.mail.max_inbound_bytes, DEFAULT_MAX_INBOUND_BYTES);
        let smtp = parse(
            Runtime::Server,
            &[
                ("DATABASE_URL", "postgres://x/y"),
                ("SMTP_URL", "smtps://user:hunter2@smtp.example.com:465"),
                ("PUBLIC_URL", "https://help.example.com/"),
            ],
        )
        .unwrap();
        assert!(matches!(smtp.mail.transport, MailTransportConfig::Smtp(_)));
        assert!(!format!("{:?}", smtp.mail).contains("hunter2"));
        assert_eq!(smtp.mail.public_url, "https://help.example.com");
        let ses = parse(
            Runtime::Lambda,
            &[
                ("DATABASE_URL", "postgres://x/y"),
                ("MAIL_TRANSPORT", "SES"),
            ],
        )
        .unwrap();
        assert!(matches!(ses.mail.transport, MailTransportConfig::Ses));
        assert_eq!(
            ses.mail.public_url, "",
            "only the sending function needs it"
        );
    }

    #[test]
    fn cors_origins_are_split_and_trimmed() {
        let config = parse(
            Runtime::Server,
            &[
                ("DATABASE_URL", "postgres://x/y"),
                (
                    "CORS_ALLOWED_ORIGINS",
                    " https://a.example.com/ ,http://localhost:5173,",
                ),
            ],
        )
        .unwrap();
        assert_eq!(
            config.http.cors_allowed_origins,
            ["https://a.example.com", "http://localhost:5173"]
        );
    }

    #[test]
    fn pooler_and_custom_domain_settings_are_read() {
        let config = parse(
            Runtime::Lambda,
            &[
                ("DATABASE_URL", "postgres://x/y"),
                ("DATABASE_STATEMENT_CACHE", "0"),
                ("DATABASE_CLOSE_AFTER_USE", "true"),
                ("API_BASE_PATH", "/support/v1/"),
            ],
        )
        .unwrap();
        assert_eq!(config.database.statement_cache, 0);
        assert!(config.database.close_after_use);
        assert_eq!(config.http.api_base_path.as_deref(), Some("/support/v1"));

        let root = parse(
            Runtime::Lambda,
            &[("DATABASE_URL", "postgres://x/y"), ("API_BASE_PATH", "/")],
        )
        .unwrap();
        assert_eq!(root.http.api_base_path, None);
    }
}
