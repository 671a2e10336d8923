//! A tenant's settings that the gateway enforces, as the auth server reports them.

use serde::{Deserialize, Serialize};

/// The auth server's route of a tenant's policy (poem's path syntax).
pub const TENANT_POLICY_ROUTE: &str = "/internal/v1/tenants/:tenant/policy";

/// The path of `tenant`'s policy, for the gateway to read.
pub fn tenant_policy_path(tenant: &str) -> String {
    TENANT_POLICY_ROUTE.replace(":tenant", tenant)
}

/// What a tenant's settings ask of the gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantPolicy {
    /// Replaces the configured per-tenant rate limit.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
    /// Writes to the resource API must carry `If-Match` (the service answers 428 without).
    #[serde(default)]
    pub require_if_match: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_fills_the_route() {
        assert_eq!(
            tenant_policy_path("acme"),
            "/internal/v1/tenants/acme/policy"
        );
    }
}
