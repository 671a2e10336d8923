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
}

impl AuthConfig {
    pub fn issuer(&self, slug: &str) -> String {
        format!("{}/t/{slug}", self.public_url)
    }
}
