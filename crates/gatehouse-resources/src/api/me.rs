//! `/t/{tenant}/api/v1/me`: who the access token speaks for.

use gatehouse_proto::ApiProblem;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::{ApiTags, ResourcesAuth};
use crate::ResourcesError;

/// Whether a token speaks for a person or for an application acting on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub(crate) enum SubjectType {
    /// A user who authorized an app (authorization code flow).
    User,
    /// A client for itself (client credentials).
    Client,
}

/// The caller, as its access token describes it.
#[derive(Debug, Object)]
pub(crate) struct Me {
    /// The tenant's slug.
    tenant: String,
    /// The token's subject: the user's id, or the client's id.
    subject: String,
    subject_type: SubjectType,
    /// The client the token was issued to.
    client_id: String,
    /// The scopes the token grants.
    scopes: Vec<String>,
}

#[derive(ApiResponse)]
pub(crate) enum MeResponse {
    /// Who the token speaks for.
    #[oai(status = 200)]
    Ok(
        Json<Me>,
        /// Per caller, never shared.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

pub(crate) struct MeApi;

#[OpenApi(tag = "ApiTags::Profile")]
impl MeApi {
    /// Who am I
    ///
    /// The user or client the access token speaks for, and its scopes. Any valid token of the
    /// tenant may ask; no scope is needed.
    #[oai(path = "/t/:tenant/api/v1/me", method = "get", operation_id = "getMe")]
    #[tracing::instrument(skip_all, fields(tenant = %tenant.0))]
    async fn me(
        &self,
        auth: ResourcesAuth,
        /// The tenant's slug.
        tenant: Path<String>,
    ) -> Result<MeResponse, ApiProblem> {
        let identity = auth.0;
        if identity.tenant != tenant.0 {
            return Err(ResourcesError::Forbidden(
                "the token was not issued for this tenant".into(),
            )
            .into());
        }
        let subject_type = if identity.subject == identity.client_id {
            SubjectType::Client
        } else {
            SubjectType::User
        };
        Ok(MeResponse::Ok(
            Json(Me {
                tenant: identity.tenant,
                subject: identity.subject,
                subject_type,
                client_id: identity.client_id,
                scopes: identity.scopes,
            }),
            "private, no-store".into(),
        ))
    }
}
