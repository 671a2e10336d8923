use std::time::Duration;

use crate::keys::SigningAlg;

/// What the auth server needs to know of the installation's configuration.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The public base URL of the platform (the gateway's), without a trailing slash; a
    /// tenant's issuer is `{public_url}/t/{slug}`.
    pub public_url: String,
    /// The `aud` of access tokens: the platform's resource servers, as one audience.
    pub audience: String,
    pub access_token_ttl: Duration,
    /// Algorithm of the keys of new tenants.
    pub default_signing_alg: SigningAlg,
    /// Lifetime of an authorization code (RFC 9700: short; at most 60 s here).
    pub code_ttl: Duration,
    /// How long a user stays signed in at the authorization server.
    pub session_ttl: Duration,
    /// A refresh token family ends this long after the user authorized, whatever happens.
    pub refresh_absolute_ttl: Duration,
    /// A refresh token unused this long expires.
    pub refresh_idle_ttl: Duration,
    /// A rotated refresh token presented again within this period gets the same successor
    /// instead of revoking the family: two concurrent refreshes both succeed.
    pub refresh_reuse_grace: Duration,
    /// A new signing key is published this long before it signs.
    pub key_publish_delay: Duration,
    /// Keys older than this are rotated.
    pub key_rotation_interval: Duration,
    /// Failed sign-ins (per username, and per address) after which each attempt is slowed.
    pub login_slowdown_after: u32,
    /// Failed sign-ins after which sign-in is refused for `login_lockout`.
    pub login_max_failures: u32,
    pub login_lockout: Duration,
    /// The most argon2 password checks that run at once.
    pub max_concurrent_password_checks: usize,
    /// Seals private signing keys and the client-secret HMAC key at rest.
    pub sealer: crate::Sealer,
    /// With DPoP server nonces (RFC 9449 §8): a proof without a current one is refused with
    /// `use_dpop_nonce`.
    pub dpop_nonces: Option<gatehouse_proto::DpopNonces>,
    /// How client metadata documents are fetched.
    pub client_documents: crate::service::DocumentFetch,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            public_url: String::new(),
            audience: String::new(),
            access_token_ttl: Duration::from_secs(900),
            default_signing_alg: SigningAlg::ES256,
            code_ttl: Duration::from_secs(60),
            session_ttl: Duration::from_secs(12 * 3600),
            refresh_absolute_ttl: Duration::from_secs(90 * 86_400),
            refresh_idle_ttl: Duration::from_secs(14 * 86_400),
            refresh_reuse_grace: Duration::from_secs(10),
            key_publish_delay: Duration::from_secs(600),
            key_rotation_interval: Duration::from_secs(90 * 86_400),
            login_slowdown_after: 5,
            login_max_failures: 10,
            login_lockout: Duration::from_secs(900),
            max_concurrent_password_checks: 4,
            sealer: crate::Sealer::default(),
            dpop_nonces: None,
            client_documents: crate::service::DocumentFetch::default(),
        }
    }
}

impl AuthConfig {
    pub fn issuer(&self, slug: &str) -> String {
        format!("{}/t/{slug}", self.public_url)
    }

    /// Cookies are `Secure` when the platform is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
