//! Client authentication at the token, introspection and revocation endpoints.

use std::sync::Arc;

use super::{ClientAuth, TokenError};
use crate::entity::client;
use crate::service::AuthService;
use crate::service::directory::TenantEntry;

impl AuthService {
    /// Authenticates a client as it presented itself. Every failure looks the same to the
    /// caller; the method must be the one the client registered.
    pub(in crate::service) async fn authenticate_client(
        &self,
        tenant: &TenantEntry,
        auth: &ClientAuth,
    ) -> Result<Arc<client::Model>, TokenError> {
        // A client described by a metadata document is as fresh as the shared cache says.
        let described = match self.document_client(tenant, &auth.client_id).await {
            Ok(described) => described.map(Arc::new),
            Err(crate::service::DocumentError::Internal(err)) => return Err(err.into()),
            Err(err) => {
                tracing::info!(tenant = %tenant.slug, client_id = %auth.client_id, error = %err, "client metadata document refused");
                return Err(TokenError::InvalidClient);
            }
        };
        let found = match described {
            Some(client) => Some(client),
            None => self.tenant_client(tenant, &auth.client_id).await?,
        };
        // A disabled client authenticates like an unknown one.
        let found = found.filter(|c| !c.disabled);
        let Some(client) = found else {
            // Spend the same work as for a known client, so timing does not reveal ids.
            let _ = self.hasher.verify(auth.secret.as_deref().unwrap_or(""), "");
            return Err(TokenError::InvalidClient);
        };
        let authenticated = client.token_endpoint_auth_method == auth.method
            && match (&auth.secret, &auth.assertion) {
                (Some(secret), None) => self.hasher.verify(secret, &client.secret_hash),
                (None, Some(assertion)) => {
                    self.verify_client_assertion(tenant, &client, assertion)
                        .await?
                }
                (None, None) => auth.method == "none",
                (Some(_), Some(_)) => false,
            };
        if !authenticated {
            tracing::info!(tenant = %tenant.slug, client_id = %auth.client_id, method = auth.method, "client authentication failed");
            return Err(TokenError::InvalidClient);
        }
        Ok(client)
    }
}
