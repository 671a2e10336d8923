//! The gateway of a process: its proof key for the services behind it, and its upstreams.

use std::time::Duration;

use gatehouse_cache::SharedCache;
use gatehouse_gateway::{ForwardedHeader, Gateway, GatewayMetrics, RevocationUnknown, Upstream};
use gatehouse_proto::ProofKey;
use poem::endpoint::BoxEndpoint;
use poem::{EndpointExt, IntoEndpoint, Response};

use super::{Readiness, Role};
use crate::config::{Config, ForwardedHeaderConfig};
use crate::metrics::Metrics;

/// The key of the gateway's proofs: configured, or (one process, where nothing crosses a
/// network) made now. Split, every process must have the same one.
pub(super) fn proof_key(config: &Config, role: Role) -> anyhow::Result<ProofKey> {
    match &config.internal_key {
        Some(key) => Ok(ProofKey::new(key.expose().as_bytes())),
        None if role == Role::All => {
            let mut key = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            Ok(ProofKey::new(&key))
        }
        None => anyhow::bail!(
            "configuration key `internal_key` is not set: when the services run separately, the \
             gateway proves to the auth and resource services that a request came through it \
             with a key they share. Set GATEHOUSE_INTERNAL_KEY (or internal_key in the \
             GATEHOUSE_CONFIG file) to the same random value of at least {} characters in every \
             gateway, auth and resources process, e.g. `openssl rand -base64 48`",
            gatehouse_proto::PROOF_KEY_MIN_LEN
        ),
    }
}

/// The gateway in front of `auth` and `resources`, its metrics registered, the revocation feed
/// read once before it serves (a feed that cannot be read yet, the auth server still
/// starting, say, is read again on the gateway's interval): its endpoint and readiness.
pub(super) async fn gateway(
    config: &Config,
    public_url: &str,
    (auth, resources): (Upstream, Upstream),
    (cache, dpop_nonces): (SharedCache, Option<gatehouse_proto::DpopNonces>),
    gateway_metrics: &GatewayMetrics,
    metrics: &mut Metrics,
) -> anyhow::Result<(BoxEndpoint<'static, Response>, Readiness)> {
    gateway_metrics.register(metrics.registry().sub_registry_with_prefix("gateway"));
    let gateway_config = gatehouse_gateway::GatewayConfig {
        public_url: public_url.to_owned(),
        audience: public_url.to_owned(),
        max_body_bytes: config.gateway.max_body_bytes,
        jwks_ttl: Duration::from_secs(config.gateway.jwks_cache_seconds),
        jwks_refetch_interval: Duration::from_secs(config.gateway.jwks_refetch_seconds),
        leeway: Duration::from_secs(config.gateway.clock_leeway_seconds),
        count_cache_hits: config.gateway.count_cache_hits,
        dpop_nonces,
        introspection: config
            .gateway
            .introspection
            .iter()
            .map(|(tenant, c)| {
                let client = gatehouse_gateway::IntrospectionClient {
                    client_id: c.client_id.clone(),
                    client_secret: c.client_secret.expose().to_owned(),
                };
                (tenant.clone(), client)
            })
            .collect(),
        cors: gatehouse_gateway::CorsConfig {
            allowed_origins: config.gateway.cors.allowed_origins.clone(),
            tenants: config.gateway.cors.tenants.clone(),
        },
        upstream_timeout: Duration::from_secs(config.gateway.upstream_timeout_seconds),
        rate_limits: gatehouse_gateway::RateLimitConfig {
            tenant_per_minute: config.gateway.rate_limits.tenant_per_minute,
            tenant_overrides: config.gateway.rate_limits.tenants.clone(),
            client_per_minute: config.gateway.rate_limits.client_per_minute,
            token_endpoint_per_minute: config.gateway.rate_limits.token_endpoint_per_minute,
            oauth_per_minute: config.gateway.rate_limits.oauth_per_minute,
            registration_per_minute: config.gateway.rate_limits.registration_per_minute,
        },
        revocation_poll: Duration::from_secs(config.gateway.revocation_poll_seconds),
        revocation_unknown: match config.gateway.revocation_unknown {
            crate::config::RevocationUnknownConfig::Deny => RevocationUnknown::Deny,
            crate::config::RevocationUnknownConfig::Allow => RevocationUnknown::Allow,
        },
        trusted_proxies: gatehouse_gateway::TrustedProxies {
            networks: config.trusted_proxy_networks()?,
            header: match config.gateway.forwarded_header {
                ForwardedHeaderConfig::XForwardedFor => ForwardedHeader::XForwardedFor,
                ForwardedHeaderConfig::Forwarded => ForwardedHeader::Forwarded,
            },
        },
    };
    let gateway = Gateway::new(
        gateway_config,
        auth,
        resources,
        cache,
        gateway_metrics.clone(),
    );
    if let Err(err) = gateway.sync_revocations().await {
        tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "the revocation feed could not be read yet");
    }
    let endpoint = gateway.clone().endpoint().into_endpoint().boxed();
    Ok((endpoint, Readiness::Gateway(gateway)))
}
