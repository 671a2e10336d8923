//! Start-up checks of the configuration: a value that cannot work stops start-up with a message
//! naming its key.

use std::fmt::Display;
use std::net::SocketAddr;
use std::ops::RangeInclusive;

use super::{Config, ConfigError, Secret, invalid};

impl Config {
    /// Checks every key; the first wrong one is named.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_listeners()?;
        self.validate_stores()?;
        self.validate_secrets()?;
        self.validate_gateway()?;
        self.validate_auth()?;
        self.validate_operations()?;
        Ok(())
    }

    /// The addresses this process listens on and is known by.
    fn validate_listeners(&self) -> Result<(), ConfigError> {
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
        within("ops.drain_seconds", self.ops.drain_seconds, 1..=3600)?;
        within(
            "startup_timeout_seconds",
            self.startup_timeout_seconds,
            1..=3600,
        )?;
        Ok(())
    }

    /// The database and the cache.
    fn validate_stores(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.database_url {
            let supported = ["sqlite:", "postgres://", "postgresql://", "mysql://"];
            if !supported.iter().any(|p| url.starts_with(p)) {
                return Err(invalid(
                    "database_url",
                    "must start with sqlite:, postgres://, postgresql:// or mysql:// \
                     (MySQL and MariaDB)",
                ));
            }
            // The driver's own parse error would quote the URL, password and all.
            if !url.starts_with("sqlite:") && url::Url::parse(url).is_err() {
                let authority = url.split_once("://").map_or("", |(_, rest)| {
                    rest.split(['/', '?']).next().unwrap_or_default()
                });
                let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                return Err(invalid(
                    "database_url",
                    if hosts.contains(',') {
                        "names several hosts, which the driver does not support: give one \
                         read-write address (a proxy or virtual IP that follows the primary; \
                         see deploy/README.md)"
                    } else {
                        "is not a valid URL (a password with special characters must be \
                         percent-encoded)"
                    },
                ));
            }
        }
        if let Some(url) = &self.redis_url
            && let Err(err) = gatehouse_cache::RedisTarget::parse(url)
        {
            return Err(invalid("redis_url", err.to_string()));
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
        Ok(())
    }

    /// Keys and secrets: long enough to resist guessing.
    fn validate_secrets(&self) -> Result<(), ConfigError> {
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
        if let Some(secret) = &self.admin_client_secret
            && secret.expose().len() < 32
        {
            return Err(invalid(
                "admin_client_secret",
                "must be at least 32 characters; unset it to have one generated",
            ));
        }
        Ok(())
    }

    /// The gateway: its upstreams, proxies, limits and CORS.
    fn validate_gateway(&self) -> Result<(), ConfigError> {
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
        self.trusted_proxy_networks()?;
        let limits = &self.gateway.rate_limits;
        if limits.tenant_per_minute == 0
            || limits.client_per_minute == 0
            || limits.token_endpoint_per_minute == 0
            || limits.oauth_per_minute == 0
            || limits.registration_per_minute == 0
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
        within(
            "auth.directory_poll_seconds",
            self.auth.directory_poll_seconds,
            1..=60,
        )?;
        within(
            "gateway.revocation_poll_seconds",
            self.gateway.revocation_poll_seconds,
            1..=60,
        )?;
        within(
            "gateway.upstream_timeout_seconds",
            self.gateway.upstream_timeout_seconds,
            1..=3600,
        )?;
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
        Ok(())
    }

    /// The auth server's lifetimes and sign-in protection.
    fn validate_auth(&self) -> Result<(), ConfigError> {
        within(
            "auth.access_token_ttl_seconds",
            self.auth.access_token_ttl_seconds,
            60..=86_400,
        )?;
        within("auth.code_ttl_seconds", self.auth.code_ttl_seconds, 1..=60)?;
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
        Ok(())
    }

    /// Telemetry, logs, the sweeper and the resource service's pages.
    fn validate_operations(&self) -> Result<(), ConfigError> {
        if let Some(endpoint) = &self.telemetry.otlp_endpoint
            && url::Url::parse(endpoint).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
        {
            return Err(invalid(
                "telemetry.otlp_endpoint",
                "must be an http(s) URL of an OTLP/HTTP collector, such as http://127.0.0.1:4318",
            ));
        }
        within("sweeper.batch_size", self.sweeper.batch_size, 1..=100_000)?;
        if !(0.0..=1.0).contains(&self.telemetry.sampling_ratio) {
            return Err(invalid(
                "telemetry.sampling_ratio",
                "must be between 0.0 and 1.0",
            ));
        }
        within(
            "resources.max_per_page",
            self.resources.max_per_page,
            1..=1000,
        )?;
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
}

/// `value` within `range`, or an error naming `key`.
fn within<T: PartialOrd + Display>(
    key: &'static str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), ConfigError> {
    if range.contains(&value) {
        return Ok(());
    }
    Err(invalid(
        key,
        format!("must be between {} and {}", range.start(), range.end()),
    ))
}
