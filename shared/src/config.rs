//! Configuration, read from the environment once at start-up into a typed struct.
//!
//! Nothing else in the code base reads `std::env`: binaries call [`Config::from_env`] and pass
//! the result down. Parsing takes any variable lookup so tests can feed a map.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

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

/// Everything the binaries need, parsed and validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: Secret,
    pub database_max_connections: u32,
    /// Prepared statements cached per connection; 0 turns the cache off (docs/deploy-aws.md
    /// explains the setting for poolers such as PgBouncer and RDS Proxy).
    pub database_statement_cache: usize,
    pub bind_addr: SocketAddr,
    pub static_dir: Option<PathBuf>,
    pub cors_allowed_origins: Vec<String>,
    pub classifier: ClassifierKind,
    pub gemini: GeminiConfig,
    pub openai: OpenAiConfig,
    pub classify_timeout: Duration,
    pub log_filter: String,
    /// Per-client limit on `/classify`; `None` when `CLASSIFY_RATE_LIMIT_PER_MINUTE=0`.
    pub classify_rate_limit: Option<crate::http::RateLimit>,
    pub trust_proxy_headers: bool,
    /// A request still running after this is answered 503 (`HTTP_REQUEST_TIMEOUT_SECS`).
    pub http_request_timeout: Duration,
    /// Time a client has to send a request head (`HTTP_HEADER_READ_TIMEOUT_SECS`; local server).
    pub http_header_read_timeout: Duration,
    /// Connections the local server serves at once (`HTTP_MAX_CONNECTIONS`).
    pub http_max_connections: usize,
    /// Path prefix a custom domain's API mapping adds in front of `/api` (Lambda only), e.g.
    /// `/helpdesk`; normalised to a leading slash and no trailing one.
    pub api_base_path: Option<String>,
}

/// A missing or invalid variable, named so the operator knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {variable} {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

pub const DEFAULT_GEMINI_MODEL: &str = "gemini-2.5-flash-lite";
/// Enough for a person filling in tickets (one suggestion per description blur), far too few
/// for a script draining the model budget.
pub const DEFAULT_CLASSIFY_PER_MINUTE: u32 = 30;
pub const DEFAULT_CLASSIFY_BURST: u32 = 10;
/// Well above what a team's browsers and the proxies in front open, well below what exhausts
/// the process's file descriptors (and about 10 MB of buffers if all are busy).
pub const DEFAULT_HTTP_MAX_CONNECTIONS: usize = 1024;
/// sqlx's own default.
pub const DEFAULT_STATEMENT_CACHE: usize = 100;
pub const DEFAULT_GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// Where the binary runs; only the pool-size default differs.
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
        let classifier = vars.parse("CLASSIFIER")?.unwrap_or(if has_gemini_key {
            ClassifierKind::Gemini
        } else {
            ClassifierKind::Rules
        });
        if classifier == ClassifierKind::OpenAi {
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

        let default_pool = match runtime {
            Runtime::Server => 10,
            Runtime::Lambda => 1,
        };
        let database_max_connections = vars
            .parse("DATABASE_MAX_CONNECTIONS")?
            .unwrap_or(default_pool);
        if database_max_connections == 0 {
            return Err(ConfigError {
                variable: "DATABASE_MAX_CONNECTIONS",
                reason: "must be at least 1".to_owned(),
            });
        }
        let classify_timeout = vars.seconds("CLASSIFY_TIMEOUT_SECS", 10.0, 60.0)?;
        let http_max_connections = vars
            .parse("HTTP_MAX_CONNECTIONS")?
            .unwrap_or(DEFAULT_HTTP_MAX_CONNECTIONS);
        if http_max_connections == 0 {
            return Err(ConfigError {
                variable: "HTTP_MAX_CONNECTIONS",
                reason: "must be at least 1".to_owned(),
            });
        }

        Ok(Self {
            database_url: vars
                .get("DATABASE_URL")
                .map(Secret::new)
                .ok_or(ConfigError {
                    variable: "DATABASE_URL",
                    reason: "is required (e.g. postgres://user:password@localhost:5432/helpdesk)"
                        .to_owned(),
                })?,
            database_max_connections,
            database_statement_cache: vars
                .parse("DATABASE_STATEMENT_CACHE")?
                .unwrap_or(DEFAULT_STATEMENT_CACHE),
            bind_addr: vars
                .parse("BIND_ADDR")?
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            static_dir: vars.get("STATIC_DIR").map(PathBuf::from),
            cors_allowed_origins: parse_origins(vars.get("CORS_ALLOWED_ORIGINS").as_deref())?,
            classifier,
            gemini,
            openai,
            classify_timeout,
            log_filter: vars.get("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            classify_rate_limit: {
                let per_minute = vars
                    .parse("CLASSIFY_RATE_LIMIT_PER_MINUTE")?
                    .unwrap_or(DEFAULT_CLASSIFY_PER_MINUTE);
                let burst = vars
                    .parse("CLASSIFY_RATE_LIMIT_BURST")?
                    .unwrap_or(DEFAULT_CLASSIFY_BURST);
                (per_minute > 0 && burst > 0)
                    .then_some(crate::http::RateLimit { per_minute, burst })
            },
            trust_proxy_headers: vars
                .parse::<bool>("TRUST_PROXY_HEADERS")?
                .unwrap_or(runtime == Runtime::Lambda),
            http_request_timeout: vars.seconds("HTTP_REQUEST_TIMEOUT_SECS", 30.0, 900.0)?,
            http_header_read_timeout: vars.seconds("HTTP_HEADER_READ_TIMEOUT_SECS", 10.0, 300.0)?,
            http_max_connections,
            api_base_path: parse_base_path(vars.get("API_BASE_PATH").as_deref())?,
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
    fn seconds(&self, name: &'static str, default: f64, max: f64) -> Result<Duration, ConfigError> {
        let seconds: f64 = self.parse(name)?.unwrap_or(default);
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|duration| !duration.is_zero() && duration.as_secs_f64() <= max)
            .ok_or_else(|| ConfigError {
                variable: name,
                reason: format!("must be a number of seconds above 0 and at most {max}"),
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
        assert_eq!(config.database_max_connections, 10);
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.classifier, ClassifierKind::Rules);
        assert_eq!(config.gemini.model, "gemini-2.5-flash-lite");
        assert_eq!(config.classify_timeout, Duration::from_secs(10));
        assert!(config.cors_allowed_origins.is_empty());
        assert_eq!(config.log_filter, "info");

        assert_eq!(config.database_statement_cache, 100);
        assert_eq!(config.http_request_timeout, Duration::from_secs(30));
        assert_eq!(config.http_header_read_timeout, Duration::from_secs(10));
        assert_eq!(config.http_max_connections, 1024);
        assert_eq!(config.api_base_path, None);

        let lambda = parse(Runtime::Lambda, &[("DATABASE_URL", "postgres://x/y")]).unwrap();
        assert_eq!(lambda.database_max_connections, 1);
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
        assert_eq!(config.classifier, ClassifierKind::Gemini);
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
            config.cors_allowed_origins,
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
                ("API_BASE_PATH", "/support/v1/"),
            ],
        )
        .unwrap();
        assert_eq!(config.database_statement_cache, 0);
        assert_eq!(config.api_base_path.as_deref(), Some("/support/v1"));

        let root = parse(
            Runtime::Lambda,
            &[("DATABASE_URL", "postgres://x/y"), ("API_BASE_PATH", "/")],
        )
        .unwrap();
        assert_eq!(root.api_base_path, None);
    }
}
