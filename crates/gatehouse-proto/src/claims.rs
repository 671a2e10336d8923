//! What an access token says, and the names both sides of the gateway give tenants and scopes.

use serde::{Deserialize, Serialize};

/// The operator's tenant: its clients alone may hold [`PLATFORM_ADMIN`].
pub const SYSTEM_TENANT: &str = "system";
/// Manages every tenant (`/admin/v1/tenants`, and any tenant's admin routes).
pub const PLATFORM_ADMIN: &str = "platform:admin";
/// Manages one tenant's clients, users and keys (`/t/{tenant}/admin/v1/`).
pub const TENANT_ADMIN: &str = "tenant:admin";
/// The scopes of a tenant's API (`/t/{tenant}/api/v1/`): `{resource}:read` and
/// `{resource}:write`, as the gateway asks them of each request.
pub const API_SCOPES: [&str; 6] = [
    "products:read",
    "products:write",
    "customers:read",
    "customers:write",
    "orders:read",
    "orders:write",
];

/// The path, under the public URL, of the platform's admin API: a resource (RFC 8707) of the
/// operator's tenant.
pub const PLATFORM_ADMIN_RESOURCE: &str = "/admin/v1";

/// The path, under the public URL, of a tenant's API.
pub fn api_resource(tenant: &str) -> String {
    format!("/t/{tenant}/api/v1")
}

/// The path, under the public URL, of a tenant's admin API.
pub fn tenant_admin_resource(tenant: &str) -> String {
    format!("/t/{tenant}/admin/v1")
}

/// The paths of the resources a tenant's tokens may be aimed at (RFC 8707 `resource`): its
/// API and its admin API, and for the operator's tenant the platform's admin API.
pub fn tenant_resources(tenant: &str) -> Vec<String> {
    let mut paths = vec![api_resource(tenant), tenant_admin_resource(tenant)];
    if tenant == SYSTEM_TENANT {
        paths.push(PLATFORM_ADMIN_RESOURCE.to_owned());
    }
    paths
}

/// The claims of an access token (RFC 9068 §2.2), plus `tid`, the tenant's id, which the
/// gateway passes on so that services scope their rows without knowing tenants. The auth
/// server signs these; the gateway verifies them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// `{public_url}/t/{tenant}`.
    pub iss: String,
    /// The user's id, or the client's id for a machine client.
    pub sub: String,
    /// The platform's public URL (valid on every resource of the tenant), or the URL of the
    /// one resource the client asked for (RFC 8707).
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub client_id: String,
    /// Space separated.
    #[serde(default)]
    pub scope: String,
    pub tid: String,
    /// When the user signed in (absent for machine clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// A token exchanged for delegation (RFC 8693 §4.1): who acts for `sub` (`{"sub": …}`,
    /// nested when the actor itself acted for another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<serde_json::Value>,
    /// A DPoP-bound token (RFC 9449 §6.1): only requests with a proof signed by this key may
    /// present it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

/// The key a token is bound to (RFC 7800 §3.1, RFC 9449 §6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The RFC 7638 SHA-256 thumbprint of the key, base64url.
    pub jkt: String,
}

impl AccessClaims {
    /// The token's scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }
}
