//! Keys of the cache that processes share (in process, or one Redis for every instance): their
//! layout is part of the contract, since one side writes what another reads.

/// A cache key, `gh:{namespace}:{tenant}:{rest}`: every key names its tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// `namespace` names the user of the cache (`jwks`, `http`, …); `tenant` is the tenant's
    /// slug, which cannot contain `:`; `rest` identifies the entry within it.
    pub fn new(namespace: &str, tenant: &str, rest: &str) -> Self {
        Self(format!("gh:{namespace}:{tenant}:{rest}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A revoked access token of `tenant`: the auth server sets it until the token expires, the
    /// gateway refuses the token while it is there.
    pub fn revoked(tenant: &str, jti: &str) -> Self {
        Self::new("revoked", tenant, jti)
    }

    /// The gateway's copy of a tenant's [`crate::TenantPolicy`].
    pub fn tenant_policy(tenant: &str) -> Self {
        Self::new("policy", tenant, "")
    }
}
