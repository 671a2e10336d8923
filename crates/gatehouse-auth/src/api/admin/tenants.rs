//! Tenants (`/admin/v1/tenants`): the operator's operations.

use gatehouse_proto::{ApiProblem, Text};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::{AdminTag, Deleted};
use crate::admin::Admin;
use crate::api::security::{PlatformAuth, PlatformScope};
use crate::keys::SigningAlg;
use crate::service::{NewTenant, TenantUpdate};
use crate::views::{Tenant, TenantList};

#[derive(Debug, Clone, Copy, Enum)]
enum Alg {
    ES256,
    RS256,
}

impl From<Alg> for SigningAlg {
    fn from(alg: Alg) -> Self {
        match alg {
            Alg::ES256 => SigningAlg::ES256,
            Alg::RS256 => SigningAlg::RS256,
        }
    }
}

/// A new tenant.
#[derive(Debug, Object)]
#[oai(example)]
struct TenantCreate {
    /// Lowercase letters, digits and `-`, at most 63; the tenant's path is `/t/{slug}`.
    slug: Text,
    /// The name shown to the tenant's users.
    display_name: Text,
    /// Algorithm of the tenant's signing keys; the installation's default when absent.
    signing_alg: Option<Alg>,
}

impl Example for TenantCreate {
    fn example() -> Self {
        TenantCreate {
            slug: "acme".into(),
            display_name: "Acme Corporation".into(),
            signing_alg: None,
        }
    }
}

/// Changes to a tenant (JSON Merge Patch: absent keeps, `null` resets to the default).
#[derive(Debug, Object)]
struct TenantPatch {
    display_name: Option<Text>,
    /// 60 seconds to 5 years.
    refresh_idle_seconds: MaybeUndefined<i64>,
    /// 60 seconds to 5 years; at least the idle lifetime.
    refresh_absolute_seconds: MaybeUndefined<i64>,
    /// Requests per minute the gateway allows the whole tenant; `null`: the configured one.
    rate_limit_per_minute: MaybeUndefined<i64>,
    /// `true`: writes to the tenant's resource API must carry `If-Match`, so that no client
    /// overwrites a change it has not seen (428 without).
    require_if_match: Option<bool>,
    /// `true`: the tenant issues nothing (its sign-in, token and introspection endpoints
    /// answer as for an unknown tenant), and every gateway refuses its tokens; `false` enables
    /// it again (earlier tokens stay revoked). The `system` tenant stays enabled.
    disabled: Option<bool>,
}

#[derive(ApiResponse)]
enum TenantCreated {
    /// The tenant was created with its first signing key.
    #[oai(status = 201)]
    Created(Json<Tenant>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum TenantFound {
    #[oai(status = 200)]
    Ok(Json<Tenant>),
}

#[derive(ApiResponse)]
enum TenantsListed {
    #[oai(status = 200)]
    Ok(Json<TenantList>),
}

/// The admin API's tenant operations.
pub struct TenantsApi {
    admin: Admin,
}

impl TenantsApi {
    pub fn new(admin: Admin) -> Self {
        Self { admin }
    }
}

#[OpenApi]
impl TenantsApi {
    /// Create a tenant
    ///
    /// Creates the tenant and its first signing key; its issuer is `{base}/t/{slug}`.
    #[oai(path = "/admin/v1/tenants", method = "post", tag = "AdminTag::Tenants")]
    async fn create_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        body: Json<TenantCreate>,
    ) -> Result<TenantCreated, ApiProblem> {
        auth.require()?;
        let body = body.0;
        let tenant = self
            .admin
            .create_tenant(NewTenant {
                slug: body.slug.0,
                display_name: body.display_name.0,
                signing_alg: body.signing_alg.map(Into::into),
            })
            .await?;
        let location = format!("/admin/v1/tenants/{}", tenant.slug());
        Ok(TenantCreated::Created(Json(tenant), location))
    }

    /// List tenants
    #[oai(path = "/admin/v1/tenants", method = "get", tag = "AdminTag::Tenants")]
    async fn list_tenants(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
    ) -> Result<TenantsListed, ApiProblem> {
        auth.require()?;
        Ok(TenantsListed::Ok(Json(self.admin.list_tenants().await?)))
    }

    /// Get a tenant
    #[oai(
        path = "/admin/v1/tenants/:slug",
        method = "get",
        tag = "AdminTag::Tenants"
    )]
    async fn get_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<TenantFound, ApiProblem> {
        auth.require()?;
        let tenant = self.admin.get_tenant(&slug).await?;
        Ok(TenantFound::Ok(Json(tenant)))
    }

    /// Change a tenant
    ///
    /// Its display name and its refresh token lifetimes.
    #[oai(
        path = "/admin/v1/tenants/:slug",
        method = "patch",
        tag = "AdminTag::Tenants"
    )]
    async fn update_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        slug: Path<String>,
        body: Json<TenantPatch>,
    ) -> Result<TenantFound, ApiProblem> {
        auth.require()?;
        let patch = body.0;
        let field = |v: MaybeUndefined<i64>| match v {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        };
        let tenant = self
            .admin
            .update_tenant(
                &slug,
                TenantUpdate {
                    display_name: patch.display_name.map(|t| t.0),
                    refresh_idle_seconds: field(patch.refresh_idle_seconds),
                    refresh_absolute_seconds: field(patch.refresh_absolute_seconds),
                    rate_limit_per_minute: field(patch.rate_limit_per_minute),
                    require_if_match: patch.require_if_match,
                    disabled: patch.disabled,
                },
            )
            .await?;
        Ok(TenantFound::Ok(Json(tenant)))
    }

    /// Delete a tenant
    ///
    /// Deletes the tenant with its clients, users and keys. The `system` tenant cannot be
    /// deleted.
    #[oai(
        path = "/admin/v1/tenants/:slug",
        method = "delete",
        tag = "AdminTag::Tenants"
    )]
    async fn delete_tenant(
        &self,
        #[oai(scope = "PlatformScope::PlatformAdmin")] auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require()?;
        self.admin.delete_tenant(&slug).await?;
        Ok(Deleted::NoContent)
    }
}
