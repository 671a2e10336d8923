use gatehouse_proto::Identity;
use poem_openapi::{OAuthScopes, SecurityScheme};

use crate::error::AuthError;
use crate::service::{PLATFORM_ADMIN_SCOPE, SYSTEM_TENANT, TENANT_ADMIN_SCOPE};

#[derive(OAuthScopes)]
pub enum PlatformScope {
    /// Manage tenants (held by the `system` tenant's `admin` client).
    #[oai(rename = "platform:admin")]
    PlatformAdmin,
}

#[derive(OAuthScopes)]
pub enum TenantScope {
    /// Manage one tenant's clients, users and keys.
    #[oai(rename = "tenant:admin")]
    TenantAdmin,
    /// Manage every tenant (the `system` tenant's operator). Listed for clients to request;
    /// no operation requires it alone, so it is never constructed.
    #[allow(dead_code)]
    #[oai(rename = "platform:admin")]
    PlatformAdmin,
}

/// An access token of the `system` tenant with `platform:admin`, from its `client_credentials`
/// grant. The gateway validates the token; this service reads the identity it vouches for.
#[derive(SecurityScheme)]
#[oai(
    ty = "oauth2",
    flows(client_credentials(token_url = "/t/system/oauth2/token", scopes = "PlatformScope")),
    checker = "gatehouse_proto::identity_checker"
)]
pub struct PlatformAuth(pub Identity);

/// An access token of the tenant in the path with `tenant:admin`, or of the `system` tenant
/// with `platform:admin`.
#[derive(SecurityScheme)]
#[oai(
    ty = "oauth2",
    flows(client_credentials(token_url = "/t/{tenant}/oauth2/token", scopes = "TenantScope")),
    checker = "gatehouse_proto::identity_checker"
)]
pub struct TenantAdminAuth(pub Identity);

impl PlatformAuth {
    pub fn require(&self) -> Result<(), AuthError> {
        let id = &self.0;
        if id.token_tenant == SYSTEM_TENANT && id.has_scope(PLATFORM_ADMIN_SCOPE) {
            Ok(())
        } else {
            Err(AuthError::Forbidden(format!(
                "requires a '{SYSTEM_TENANT}' token with scope '{PLATFORM_ADMIN_SCOPE}'"
            )))
        }
    }
}

impl TenantAdminAuth {
    /// Whether the caller is the operator (a `system` token with `platform:admin`).
    pub fn is_operator(&self) -> bool {
        self.0.token_tenant == SYSTEM_TENANT && self.0.has_scope(PLATFORM_ADMIN_SCOPE)
    }

    pub fn require(&self, tenant: &str) -> Result<(), AuthError> {
        let id = &self.0;
        let own_admin = id.token_tenant == tenant && id.has_scope(TENANT_ADMIN_SCOPE);
        let operator = id.token_tenant == SYSTEM_TENANT && id.has_scope(PLATFORM_ADMIN_SCOPE);
        if own_admin || operator {
            Ok(())
        } else {
            Err(AuthError::Forbidden(format!(
                "requires this tenant's scope '{TENANT_ADMIN_SCOPE}' or the operator's '{PLATFORM_ADMIN_SCOPE}'"
            )))
        }
    }
}
