//! A tenant's OAuth policy (`/t/{tenant}/admin/v1/oauth-policy`) and the initial access tokens
//! of its client registration (`/t/{tenant}/admin/v1/registration-tokens`).

use gatehouse_proto::ApiProblem;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::{AdminTag, Deleted};
use crate::admin::Admin;
use crate::api::security::{TenantAdminAuth, TenantScope};
use crate::policy::OAuthPolicy;
use crate::views::{InitialAccessTokenCreated, InitialAccessTokenList};

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

/// A new initial access token.
#[derive(Debug, Object)]
struct InitialAccessTokenCreate {
    /// Seconds until it expires: 60 to 2592000 (30 days); a day when absent.
    expires_in: Option<i64>,
    /// How many clients it may register: 1 to 10000; unlimited (until it expires) when absent.
    max_uses: Option<i32>,
}

#[derive(ApiResponse)]
enum InitialAccessTokenMade {
    /// The token is shown only in this answer.
    #[oai(status = 201)]
    Created(Json<InitialAccessTokenCreated>),
}

#[derive(ApiResponse)]
enum InitialAccessTokensListed {
    #[oai(status = 200)]
    Ok(Json<InitialAccessTokenList>),
}

/// The admin API's initial access token operations.
pub struct RegistrationTokensApi {
    admin: Admin,
}

impl RegistrationTokensApi {
    pub fn new(admin: Admin) -> Self {
        Self { admin }
    }
}

#[OpenApi]
impl RegistrationTokensApi {
    /// Make an initial access token
    ///
    /// For a tenant whose policy registers clients with an initial access token (RFC 7591 §3):
    /// whoever holds it may register clients until it expires or is used up.
    #[oai(
        path = "/t/:tenant/admin/v1/registration-tokens",
        method = "post",
        tag = "AdminTag::Policy"
    )]
    async fn create_registration_token(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        body: Json<InitialAccessTokenCreate>,
    ) -> Result<InitialAccessTokenMade, ApiProblem> {
        auth.require(&tenant)?;
        let made = self
            .admin
            .create_initial_access_token(&tenant, body.0.expires_in, body.0.max_uses)
            .await?;
        Ok(InitialAccessTokenMade::Created(Json(made)))
    }

    /// List the initial access tokens that have not expired
    #[oai(
        path = "/t/:tenant/admin/v1/registration-tokens",
        method = "get",
        tag = "AdminTag::Policy"
    )]
    async fn list_registration_tokens(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<InitialAccessTokensListed, ApiProblem> {
        auth.require(&tenant)?;
        let list = self.admin.list_initial_access_tokens(&tenant).await?;
        Ok(InitialAccessTokensListed::Ok(Json(list)))
    }

    /// Withdraw an initial access token
    #[oai(
        path = "/t/:tenant/admin/v1/registration-tokens/:id",
        method = "delete",
        tag = "AdminTag::Policy"
    )]
    async fn delete_registration_token(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
        id: Path<uuid::Uuid>,
    ) -> Result<Deleted, ApiProblem> {
        auth.require(&tenant)?;
        self.admin
            .delete_initial_access_token(&tenant, id.0)
            .await?;
        Ok(Deleted::NoContent)
    }
}
