//! The configuration: `config/default.toml` (compiled in), then the file named by
//! `GATEHOUSE_CONFIG`, then `GATEHOUSE_*` environment variables, into one typed struct that is
//! validated before anything starts.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../../../../config/default.toml");

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
    /// Whether DPoP proofs must carry a nonce the platform gave (RFC 9449 §8, §9).
    pub dpop_nonce: bool,
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
    pub registration_per_minute: u32,
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
    /// How often each auth process reads the log of changes to tenants, clients and keys.
    pub directory_poll_seconds: u64,
    pub default_signing_alg: gatehouse_auth::SigningAlg,
    /// Seals private signing keys and the client-secret HMAC key at rest.
    pub key_encryption_key: Option<Secret>,
    /// A file holding the key-encryption key instead.
    pub key_encryption_key_file: Option<PathBuf>,
    /// Older key-encryption keys, still opening what they sealed until it is resealed.
    #[serde(default)]
    pub previous_key_encryption_keys: Vec<Secret>,
    /// PEM certificates trusted, besides the system's, when fetching client metadata documents.
    pub client_documents_ca_file: Option<PathBuf>,
    /// Whether client metadata documents may be fetched from non-public addresses.
    pub client_documents_private_networks: bool,
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
mod tests;
mod validate;
