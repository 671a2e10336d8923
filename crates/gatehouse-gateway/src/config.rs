use std::time::Duration;

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The platform's public base URL, without a trailing slash; a tenant's issuer is
    /// `{public_url}/t/{slug}`.
    pub public_url: String,
    /// The `aud` every access token must carry.
    pub audience: String,
    /// Larger request bodies are refused with 413 before reaching a service.
    pub max_body_bytes: usize,
    /// How long a tenant's JWKS is kept before it is fetched again.
    pub jwks_ttl: Duration,
    /// At most one JWKS fetch per tenant in this period when a token names an unknown `kid`,
    /// so that tokens with made-up key ids cannot flood the auth server.
    pub jwks_refetch_interval: Duration,
    /// Allowed clock difference when checking `exp` and `nbf`.
    pub leeway: Duration,
    pub rate_limits: crate::RateLimitConfig,
    /// Whether a response served from the cache spends rate-limit budget.
    pub count_cache_hits: bool,
    /// How long a request may wait for an upstream answer (and a cache miss for a concurrent
    /// fetch of the same key).
    pub upstream_timeout: Duration,
    pub cors: crate::CorsConfig,
    /// Tenants whose opaque access tokens are introspected, with the client that asks.
    pub introspection: crate::IntrospectionConfig,
    /// The proxies in front of the gateway whose word on the caller's address is believed.
    pub trusted_proxies: crate::TrustedProxies,
    /// How often the auth server's revocation feed is read.
    pub revocation_poll: Duration,
    /// What happens to tokens while the feed cannot be read.
    pub revocation_unknown: crate::RevocationUnknown,
    /// With DPoP server nonces (RFC 9449 §9): a proof without a current one is refused with
    /// `use_dpop_nonce`.
    pub dpop_nonces: Option<gatehouse_proto::DpopNonces>,
}
