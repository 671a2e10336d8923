//! The configuration: `config/default.toml` (compiled in), then the file named by
//! `GATEHOUSE_CONFIG`, then `GATEHOUSE_*` environment variables, into one typed struct that is
//! validated before anything starts.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// A secret from the configuration: never printed by `Debug`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The gateway's address, `host:port`.
    pub listen: String,
    /// The platform's public base URL; `http://{bound address}` when unset.
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    /// SQLite under `data_dir` when unset.
    pub database_url: Option<String>,
    /// The in-process cache when unset.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so that installations can share a Redis.
    pub redis_namespace: String,
    pub admin_client_secret: Option<Secret>,
    /// The key with which the gateway proves to the services that it sent a request; the same
    /// in every process of a split platform. `serve` (one process) makes its own when unset.
    pub internal_key: Option<Secret>,
    /// How long start-up waits for the database and Redis.
    pub startup_timeout_seconds: u64,
    pub log: LogConfig,
    pub ops: OpsConfig,
    pub telemetry: TelemetryConfig,
    pub sweeper: SweeperConfig,
    pub gateway: GatewayConfig,
    pub auth: AuthConfig,
    pub resources: ResourcesConfig,
}

/// The deletion of expired rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweeperConfig {
    /// Seconds between passes; 0: never.
    pub interval_seconds: u64,
    /// The most rows one statement deletes.
    pub batch_size: u64,
}

/// OpenTelemetry traces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// An OTLP/HTTP collector (`http://collector:4318`); unset: nothing is exported.
    pub otlp_endpoint: Option<String>,
    /// The share of new traces recorded; a request with a parent follows the parent.
    pub sampling_ratio: f64,
}

/// The operators' listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpsConfig {
    /// Unset: a loopback port per role (see [`Config::ops_listen`]).
    pub listen: Option<String>,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub drain_seconds: u64,
    /// The most tenants the gateway's request metrics name (the rest count as `_other`).
    pub metrics_max_tenants: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// One URL, or a list of the instances to balance over.
    pub auth_url: Urls,
    pub resources_url: Urls,
    pub balance: BalanceConfig,
    pub health_check_seconds: u64,
    pub max_body_bytes: usize,
    pub jwks_cache_seconds: u64,
    pub jwks_refetch_seconds: u64,
    pub clock_leeway_seconds: u64,
    pub cache_max_bytes: u64,
    pub count_cache_hits: bool,
    pub upstream_timeout_seconds: u64,
    pub rate_limits: RateLimits,
    pub cors: Cors,
    /// Tenant slug → the tenant's confidential client that introspects its opaque tokens.
    #[serde(default)]
    pub introspection: std::collections::HashMap<String, IntrospectionClient>,
    /// Addresses or CIDR networks of the proxies in front of the gateway, whose
    /// `forwarded_header` names the caller.
    pub trusted_proxies: Vec<String>,
    pub forwarded_header: ForwardedHeaderConfig,
    /// How often the auth server's revocation feed is read.
    pub revocation_poll_seconds: u64,
    /// What happens to tokens while the feed cannot be read.
    pub revocation_unknown: RevocationUnknownConfig,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RevocationUnknownConfig {
    Deny,
    Allow,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum ForwardedHeaderConfig {
    #[serde(rename = "x-forwarded-for")]
    XForwardedFor,
    #[serde(rename = "forwarded")]
    Forwarded,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntrospectionClient {
    pub client_id: String,
    pub client_secret: Secret,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    pub allowed_origins: Vec<String>,
    /// Tenant slug → origins.
    #[serde(default)]
    pub tenants: std::collections::HashMap<String, Vec<String>>,
}

/// One URL or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Urls {
    One(String),
    Many(Vec<String>),
}

impl Urls {
    pub fn list(&self) -> Vec<String> {
        match self {
            Self::One(url) => vec![url.clone()],
            Self::Many(urls) => urls.clone(),
        }
    }
}

impl From<String> for Urls {
    fn from(url: String) -> Self {
        Self::One(url)
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BalanceConfig {
    RoundRobin,
    LeastOutstanding,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    pub tenant_per_minute: u32,
    pub client_per_minute: u32,
    pub token_endpoint_per_minute: u32,
    pub oauth_per_minute: u32,
    /// Tenant slug → requests per minute.
    #[serde(default)]
    pub tenants: std::collections::HashMap<String, u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub listen: String,
    pub access_token_ttl_seconds: u64,
    pub code_ttl_seconds: u64,
    pub session_ttl_seconds: u64,
    pub refresh_absolute_ttl_seconds: u64,
    pub refresh_idle_ttl_seconds: u64,
    pub refresh_reuse_grace_seconds: u64,
    pub key_publish_seconds: u64,
    pub key_rotation_days: u64,
    pub login_slowdown_after: u32,
    pub login_max_failures: u32,
    pub login_lockout_seconds: u64,
    pub max_concurrent_password_checks: usize,
    pub default_signing_alg: gatehouse_auth::SigningAlg,
    /// Seals private signing keys and the client-secret HMAC key at rest.
    pub key_encryption_key: Option<Secret>,
    /// A file holding the key-encryption key instead.
    pub key_encryption_key_file: Option<PathBuf>,
    /// Older key-encryption keys, still opening what they sealed until it is resealed.
    #[serde(default)]
    pub previous_key_encryption_keys: Vec<Secret>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourcesConfig {
    pub listen: String,
    pub max_per_page: u64,
    pub cache_max_age_seconds: u64,
}

/// A configuration that cannot start the platform; the message names the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Parse(String),
    #[error("configuration key `{key}`: {reason}")]
    Invalid { key: &'static str, reason: String },
}

fn invalid(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        reason: reason.into(),
    }
}

/// Whether a `GATEHOUSE_*` variable (prefix removed, any case) is a configuration key:
/// `GATEHOUSE_CONFIG` names a file, and `GATEHOUSE_TEST_*` and `GATEHOUSE_*_TEST_*` belong to
/// the test suite.
fn is_config_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key != "config" && !key.starts_with("test_") && !key.contains("_test_")
}

impl Config {
    /// Reads the layers from the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Ok(path) = std::env::var("GATEHOUSE_CONFIG") {
            if !std::path::Path::new(&path).is_file() {
                return Err(invalid("GATEHOUSE_CONFIG", format!("no such file: {path}")));
            }
            figment = figment.merge(Toml::file(path));
        }
        let env = Env::prefixed("GATEHOUSE_")
            .split("__")
            .filter(|key| is_config_key(key.as_str()));
        Self::from_figment(figment.merge(env))
    }

    /// The compiled-in defaults alone: the base that tests adjust.
    pub fn defaults() -> Result<Self, ConfigError> {
        Self::from_figment(Figment::from(Toml::string(DEFAULTS)))
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Self = figment
            .extract()
            .map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let addr = |key: &'static str, value: &str| {
            value.parse::<SocketAddr>().map(|_| ()).map_err(|_| {
                invalid(
                    key,
                    format!("'{value}' is not a host:port address such as 127.0.0.1:8080"),
                )
            })
        };
        addr("listen", &self.listen)?;
        if let Some(ops) = &self.ops.listen {
            addr("ops.listen", ops)?;
        }
        if !(1..=3600).contains(&self.ops.drain_seconds) {
            return Err(invalid("ops.drain_seconds", "must be between 1 and 3600"));
        }
        if !(1..=3600).contains(&self.startup_timeout_seconds) {
            return Err(invalid(
                "startup_timeout_seconds",
                "must be between 1 and 3600",
            ));
        }
        addr("auth.listen", &self.auth.listen)?;
        addr("resources.listen", &self.resources.listen)?;
        if let Some(url) = &self.public_url
            && (!(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/'))
        {
            return Err(invalid(
                "public_url",
                "must be an http(s) URL without a trailing slash, such as https://api.example.com",
            ));
        }
        for (key, urls) in [
            ("gateway.auth_url", self.gateway.auth_url.list()),
            ("gateway.resources_url", self.gateway.resources_url.list()),
        ] {
            if urls.is_empty()
                || urls
                    .iter()
                    .any(|url| !(url.starts_with("http://") || url.starts_with("https://")))
            {
                return Err(invalid(key, "must be one http(s) URL or a list of them"));
            }
        }
        if self.gateway.health_check_seconds == 0 {
            return Err(invalid("gateway.health_check_seconds", "must be positive"));
        }
        if let Some(url) = &self.database_url {
            let supported = ["sqlite:", "postgres://", "postgresql://", "mysql://"];
            if !supported.iter().any(|p| url.starts_with(p)) {
                return Err(invalid(
                    "database_url",
                    "must start with sqlite:, postgres://, postgresql:// or mysql:// \
                     (MySQL and MariaDB)",
                ));
            }
        }
        if let Some(url) = &self.redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(invalid(
                "redis_url",
                "must start with redis:// or rediss://",
            ));
        }
        if self.redis_namespace.is_empty()
            || !self
                .redis_namespace
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid(
                "redis_namespace",
                "must be letters, digits, '-' or '_'",
            ));
        }
        if let Some(key) = &self.internal_key
            && key.expose().len() < gatehouse_proto::PROOF_KEY_MIN_LEN
        {
            return Err(invalid(
                "internal_key",
                format!(
                    "must be at least {} characters (for example the output of \
                     `openssl rand -base64 48`)",
                    gatehouse_proto::PROOF_KEY_MIN_LEN
                ),
            ));
        }
        self.trusted_proxy_networks()?;
        if self.auth.key_encryption_key.is_some() && self.auth.key_encryption_key_file.is_some() {
            return Err(invalid(
                "auth.key_encryption_key",
                "set either it or auth.key_encryption_key_file, not both",
            ));
        }
        let short = |s: &Secret| s.expose().len() < 32;
        if self.auth.key_encryption_key.as_ref().is_some_and(short)
            || self.auth.previous_key_encryption_keys.iter().any(short)
        {
            return Err(invalid(
                "auth.key_encryption_key",
                "must be at least 32 characters (e.g. the output of `openssl rand -base64 48`)",
            ));
        }
        if let Some(endpoint) = &self.telemetry.otlp_endpoint
            && url::Url::parse(endpoint).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
        {
            return Err(invalid(
                "telemetry.otlp_endpoint",
                "must be an http(s) URL of an OTLP/HTTP collector, such as http://127.0.0.1:4318",
            ));
        }
        if !(1..=100_000).contains(&self.sweeper.batch_size) {
            return Err(invalid(
                "sweeper.batch_size",
                "must be between 1 and 100000",
            ));
        }
        if !(0.0..=1.0).contains(&self.telemetry.sampling_ratio) {
            return Err(invalid(
                "telemetry.sampling_ratio",
                "must be between 0.0 and 1.0",
            ));
        }
        if let Some(secret) = &self.admin_client_secret
            && secret.expose().len() < 32
        {
            return Err(invalid(
                "admin_client_secret",
                "must be at least 32 characters; unset it to have one generated",
            ));
        }
        let limits = &self.gateway.rate_limits;
        if limits.tenant_per_minute == 0
            || limits.client_per_minute == 0
            || limits.token_endpoint_per_minute == 0
            || limits.oauth_per_minute == 0
            || limits.tenants.values().any(|v| *v == 0)
        {
            return Err(invalid(
                "gateway.rate_limits",
                "every limit must be positive",
            ));
        }
        if let Some(slug) = limits
            .tenants
            .keys()
            .find(|s| !gatehouse_proto::is_valid_slug(s))
        {
            return Err(invalid(
                "gateway.rate_limits.tenants",
                format!("'{slug}' is not a tenant slug"),
            ));
        }
        if !(1..=60).contains(&self.gateway.revocation_poll_seconds) {
            return Err(invalid(
                "gateway.revocation_poll_seconds",
                "must be between 1 and 60",
            ));
        }
        if !(1..=3600).contains(&self.gateway.upstream_timeout_seconds) {
            return Err(invalid(
                "gateway.upstream_timeout_seconds",
                "must be between 1 and 3600",
            ));
        }
        let origins = self
            .gateway
            .cors
            .allowed_origins
            .iter()
            .chain(self.gateway.cors.tenants.values().flatten());
        for origin in origins {
            let ok = origin == "*"
                || url::Url::parse(origin).is_ok_and(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && u.origin().ascii_serialization() == *origin
                });
            if !ok {
                return Err(invalid(
                    "gateway.cors",
                    format!("'{origin}' is not an origin such as https://app.example"),
                ));
            }
        }
        if self.gateway.max_body_bytes == 0 {
            return Err(invalid("gateway.max_body_bytes", "must be positive"));
        }
        if !(60..=86_400).contains(&self.auth.access_token_ttl_seconds) {
            return Err(invalid(
                "auth.access_token_ttl_seconds",
                "must be between 60 and 86400",
            ));
        }
        if !(1..=60).contains(&self.auth.code_ttl_seconds) {
            return Err(invalid("auth.code_ttl_seconds", "must be between 1 and 60"));
        }
        if self.auth.session_ttl_seconds == 0 {
            return Err(invalid("auth.session_ttl_seconds", "must be positive"));
        }
        if self.auth.refresh_idle_ttl_seconds == 0
            || self.auth.refresh_idle_ttl_seconds > self.auth.refresh_absolute_ttl_seconds
        {
            return Err(invalid(
                "auth.refresh_idle_ttl_seconds",
                "must be positive and at most auth.refresh_absolute_ttl_seconds",
            ));
        }
        if self.auth.refresh_reuse_grace_seconds > 60 {
            return Err(invalid(
                "auth.refresh_reuse_grace_seconds",
                "must be at most 60",
            ));
        }
        if self.auth.login_max_failures == 0
            || self.auth.login_slowdown_after > self.auth.login_max_failures
        {
            return Err(invalid(
                "auth.login_max_failures",
                "must be positive and at least auth.login_slowdown_after",
            ));
        }
        if !(1..=1000).contains(&self.resources.max_per_page) {
            return Err(invalid(
                "resources.max_per_page",
                "must be between 1 and 1000",
            ));
        }
        if self
            .log
            .filter
            .parse::<tracing_subscriber::EnvFilter>()
            .is_err()
        {
            return Err(invalid("log.filter", "is not a valid tracing filter"));
        }
        Ok(())
    }

    /// `gateway.trusted_proxies` as networks: an address alone is a network of one.
    pub fn trusted_proxy_networks(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.gateway
            .trusted_proxies
            .iter()
            .map(|entry| {
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        invalid(
                            "gateway.trusted_proxies",
                            format!(
                                "'{entry}' is neither an address nor a CIDR network such as \
                                 10.0.0.0/8"
                            ),
                        )
                    })
            })
            .collect()
    }

    /// The operators' listener of `role`: `ops.listen`, or loopback port 9090 for the gateway
    /// (and `serve`), 9091 for the auth server, 9092 for the resource service, so that the
    /// roles can run side by side on one host.
    pub fn ops_listen(&self, role: crate::Role) -> String {
        self.ops.listen.clone().unwrap_or_else(|| {
            let port = match role {
                crate::Role::All | crate::Role::Gateway => 9090,
                crate::Role::Auth => 9091,
                crate::Role::Resources => 9092,
            };
            format!("127.0.0.1:{port}")
        })
    }

    /// `PORT`, which Heroku, Cloud Run and their like set: the role's public listener then
    /// binds every interface on that port.
    pub fn with_platform_port(
        mut self,
        role: crate::Role,
        port: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let Some(port) = port else {
            return Ok(self);
        };
        let port: u16 = port
            .parse()
            .map_err(|_| invalid("PORT", format!("'{port}' is not a port number")))?;
        let listen = format!("0.0.0.0:{port}");
        match role {
            crate::Role::All | crate::Role::Gateway => self.listen = listen,
            crate::Role::Auth => self.auth.listen = listen,
            crate::Role::Resources => self.resources.listen = listen,
        }
        Ok(self)
    }

    /// The database URL: the configured one, or SQLite under `data_dir`.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("gatehouse.db").display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        let config = Config::defaults().expect("defaults");
        assert_eq!(config.listen, "127.0.0.1:8080");
        assert!(config.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn only_configuration_variables_are_read_from_the_environment() {
        for key in ["LISTEN", "GATEWAY__MAX_BODY_BYTES", "redis_url"] {
            assert!(is_config_key(key), "{key}");
        }
        for key in [
            "CONFIG",
            "config",
            "TEST_DATABASE_URL",
            "RESOURCES_TEST_DATABASE_URL",
        ] {
            assert!(!is_config_key(key), "{key}");
        }
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("listen", "nowhere"));
        let err = Config::from_figment(figment)
            .expect_err("invalid")
            .to_string();
        assert!(err.contains("`listen`"), "{err}");

        let figment =
            Figment::from(Toml::string(DEFAULTS)).merge(("auth.default_signing_alg", "HS256"));
        let err = Config::from_figment(figment)
            .expect_err("invalid")
            .to_string();
        assert!(err.contains("auth.default_signing_alg"), "{err}");

        let figment = Figment::from(Toml::string(DEFAULTS))
            .merge(("gateway.trusted_proxies", vec!["10.0.0.0/8", "10.0.0.300"]));
        let err = Config::from_figment(figment)
            .expect_err("invalid")
            .to_string();
        assert!(err.contains("gateway.trusted_proxies"), "{err}");
        assert!(err.contains("10.0.0.300"), "{err}");

        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("internal_key", "short"));
        let err = Config::from_figment(figment)
            .expect_err("invalid")
            .to_string();
        assert!(err.contains("`internal_key`"), "{err}");

        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("gateway.colour", "blue"));
        let err = Config::from_figment(figment)
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn port_from_the_platform_moves_the_roles_public_listener_only() {
        let config = Config::defaults().expect("defaults");
        let gateway = config
            .clone()
            .with_platform_port(crate::Role::Gateway, Some("5000"))
            .expect("a port");
        assert_eq!(gateway.listen, "0.0.0.0:5000");
        assert_eq!(gateway.ops_listen(crate::Role::Gateway), "127.0.0.1:9090");
        let auth = config
            .clone()
            .with_platform_port(crate::Role::Auth, Some("5001"))
            .expect("a port");
        assert_eq!(
            (auth.listen.as_str(), auth.auth.listen.as_str()),
            ("127.0.0.1:8080", "0.0.0.0:5001")
        );
        assert_eq!(auth.ops_listen(crate::Role::Auth), "127.0.0.1:9091");
        let err = config
            .with_platform_port(crate::Role::All, Some("http"))
            .expect_err("not a port")
            .to_string();
        assert!(err.contains("`PORT`"), "{err}");
    }

    #[test]
    fn the_database_url_names_a_supported_database() {
        for url in [
            "sqlite://data/gatehouse.db?mode=rwc",
            "postgres://gatehouse@127.0.0.1/gatehouse",
            "postgresql://gatehouse@127.0.0.1/gatehouse",
            "mysql://gatehouse@127.0.0.1/gatehouse",
        ] {
            let figment = Figment::from(Toml::string(DEFAULTS)).merge(("database_url", url));
            let config = Config::from_figment(figment).expect(url);
            assert_eq!(config.database_url(), url);
        }
        // sqlx knows MariaDB only as mysql://.
        for url in [
            "mariadb://gatehouse@127.0.0.1/gatehouse",
            "redis://127.0.0.1",
        ] {
            let figment = Figment::from(Toml::string(DEFAULTS)).merge(("database_url", url));
            let err = Config::from_figment(figment).expect_err(url).to_string();
            assert!(err.contains("database_url"), "{err}");
            assert!(err.contains("mysql://"), "{err}");
        }
    }
}
