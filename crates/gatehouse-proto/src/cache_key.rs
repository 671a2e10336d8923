//! Keys of the cache that processes share (in process, or one Redis for every instance): their
//! layout is part of the contract, since one side writes what another reads.

/// A cache key, `gh:{namespace:tenant}:rest` with the braces written out: every key names its
/// tenant, and `{namespace:tenant}` is its Redis Cluster hash tag. So a tenant's entries of one
/// kind share a slot (a prefix purge deletes them together, on one node), while its kinds and
/// all tenants spread over the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// `namespace` names the user of the cache (`jwks`, `http`, …); `tenant` is the tenant's
    /// slug, which cannot contain `:`; `rest` identifies the entry within it.
    pub fn new(namespace: &str, tenant: &str, rest: &str) -> Self {
        Self(format!("gh:{{{namespace}:{tenant}}}:{rest}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A revoked access token of `tenant`: the auth server sets it until the token expires, the
    /// gateway refuses the token while it is there.
    pub fn revoked(tenant: &str, jti: &str) -> Self {
        Self::new("revoked", tenant, jti)
    }

    /// A DPoP proof seen (RFC 9449 §11.1), by its key's thumbprint and its `jti`: the first
    /// process to count it accepts it; the auth server and every gateway share the count.
    pub fn dpop_proof(tenant: &str, jkt: &str, jti: &str) -> Self {
        Self::new("dpop", tenant, &format!("{jkt}:{jti}"))
    }

    /// The gateway's copy of a tenant's [`crate::TenantPolicy`].
    pub fn tenant_policy(tenant: &str) -> Self {
        Self::new("policy", tenant, "")
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn the_hash_tag_comes_first_so_that_braces_in_the_rest_do_not_move_it() {
        let key = Key::new("http", "acme", "/api/v1/{x}\n{y}");
        assert_eq!(key.as_str(), "gh:{http:acme}:/api/v1/{x}\n{y}");
        assert_eq!(Key::revoked("acme", "j1").as_str(), "gh:{revoked:acme}:j1");
    }
}
