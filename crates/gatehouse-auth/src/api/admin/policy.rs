//! A tenant's OAuth policy (`/t/{tenant}/admin/v1/oauth-policy`).

use gatehouse_proto::ApiProblem;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::AdminTag;
use crate::admin::Admin;
use crate::api::security::{TenantAdminAuth, TenantScope};
use crate::policy::OAuthPolicy;

#[derive(ApiResponse)]
enum PolicyFound {
    #[oai(status = 200)]
    Ok(Json<OAuthPolicy>),
}

/// The admin API's OAuth policy operations.
pub struct PolicyApi {
    admin: Admin,
}

impl PolicyApi {
    pub fn new(admin: Admin) -> Self {
        Self { admin }
    }
}

#[OpenApi]
impl PolicyApi {
    /// Get the tenant's OAuth policy
    #[oai(
        path = "/t/:tenant/admin/v1/oauth-policy",
        method = "get",
        tag = "AdminTag::Policy"
    )]
    async fn get_policy(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<PolicyFound, ApiProblem> {
        auth.require(&tenant)?;
        Ok(PolicyFound::Ok(Json(
            self.admin.oauth_policy(&tenant).await?,
        )))
    }

    /// Replace the tenant's OAuth policy
    ///
    /// The whole document: a field left out takes its default. Every auth process applies it
    /// at once.
    #[oai(
        path = "/t/:tenant/admin/v1/oauth-policy",
        method = "put",
        tag = "AdminTag::Policy"
    )]
    async fn set_policy(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        body: Json<OAuthPolicy>,
    ) -> Result<PolicyFound, ApiProblem> {
        auth.require(&tenant)?;
        let policy = self.admin.set_oauth_policy(&tenant, body.0).await?;
        Ok(PolicyFound::Ok(Json(policy)))
    }
}
