//! A tenant's signing keys and their rotation (`/t/{tenant}/admin/v1/keys`).

use gatehouse_proto::ApiProblem;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::AdminTag;
use crate::admin::Admin;
use crate::api::security::{TenantAdminAuth, TenantScope};
use crate::views::KeyList;

#[derive(ApiResponse)]
enum KeysListed {
    #[oai(status = 200)]
    Ok(Json<KeyList>),
}

#[derive(ApiResponse)]
enum KeysRotated {
    /// The new keys: published now, signing from `activates_at`.
    #[oai(status = 201)]
    Created(Json<KeyList>),
}

/// The admin API's signing key operations.
pub struct KeysApi {
    admin: Admin,
}

impl KeysApi {
    pub fn new(admin: Admin) -> Self {
        Self { admin }
    }
}

#[OpenApi]
impl KeysApi {
    /// List signing keys
    #[oai(
        path = "/t/:tenant/admin/v1/keys",
        method = "get",
        tag = "AdminTag::Keys"
    )]
    async fn list_keys(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<KeysListed, ApiProblem> {
        auth.require(&tenant)?;
        Ok(KeysListed::Ok(Json(self.admin.list_keys(&tenant).await?)))
    }

    /// Rotate signing keys
    ///
    /// Starts new keys: they are published in the JWKS at once and sign after the publish
    /// delay; the current keys stay published until the tokens they signed have expired.
    #[oai(
        path = "/t/:tenant/admin/v1/keys/rotate",
        method = "post",
        tag = "AdminTag::Keys"
    )]
    async fn rotate_keys(
        &self,
        #[oai(scope = "TenantScope::TenantAdmin")] auth: TenantAdminAuth,
        tenant: Path<String>,
    ) -> Result<KeysRotated, ApiProblem> {
        auth.require(&tenant)?;
        Ok(KeysRotated::Created(Json(
            self.admin.rotate_keys(&tenant).await?,
        )))
    }
}
