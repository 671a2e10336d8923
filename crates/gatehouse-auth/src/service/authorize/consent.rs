//! `POST {issuer}/oauth2/consent`: the user approves or denies, and an approval is remembered.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;

use super::{FormProof, Outcome, error_page, redirect_to_client, split_scope, unknown_tenant_page};
use crate::entity::{authorization_request, consent, tenant};
use crate::error::AuthError;
use crate::service::AuthService;

impl AuthService {
    /// `POST {issuer}/oauth2/consent`: the consent form.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug))]
    pub async fn consent(
        &self,
        tenant_slug: &str,
        form: FormProof<'_>,
        approve: bool,
        session_cookie: Option<&str>,
    ) -> Result<Outcome, AuthError> {
        let Some(tenant) = self.active_tenant(tenant_slug).await? else {
            return Ok(unknown_tenant_page());
        };
        let request = match self.pending(&tenant, form).await? {
            Ok(r) => r,
            Err(outcome) => return Ok(outcome),
        };
        let session = match session_cookie {
            Some(cookie) => self.valid_session(&tenant, cookie).await?,
            None => None,
        };
        let Some(session) = session.filter(|s| Some(s.user_id) == request.user_id) else {
            return Ok(error_page(
                403,
                "Not signed in",
                "Sign in again from the application to give your consent.",
            ));
        };
        if !approve && request.device_code_hash.is_some() {
            return self.finish_device(&tenant, request, None).await;
        }
        if !approve {
            authorization_request::Entity::delete_by_id(request.id.clone())
                .exec(&self.db)
                .await?;
            return Ok(redirect_to_client(
                &request.redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_description", "the user denied the request"),
                ],
                request.state.as_deref(),
                &self.config.issuer(&tenant.slug),
            ));
        }
        self.remember_consent(&tenant, session.user_id, request.client_id, &request.scope)
            .await?;
        self.finish(&tenant, request, session.user_id, session.auth_time)
            .await
    }

    async fn remember_consent(
        &self,
        tenant: &tenant::Model,
        user_id: Uuid,
        client_id: Uuid,
        scope: &str,
    ) -> Result<(), AuthError> {
        let existing = consent::Entity::find()
            .filter(consent::Column::UserId.eq(user_id))
            .filter(consent::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?;
        match existing {
            Some(row) => {
                let mut scopes = split_scope(&row.scope);
                scopes.extend(split_scope(scope));
                scopes.sort();
                scopes.dedup();
                let mut active = row.into_active_model();
                active.scope = Set(scopes.join(" "));
                active.update(&self.db).await?;
            }
            None => {
                consent::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant.id),
                    user_id: Set(user_id),
                    client_id: Set(client_id),
                    scope: Set(scope.to_owned()),
                    created_at: Set(Utc::now()),
                }
                .insert(&self.db)
                .await?;
            }
        }
        Ok(())
    }
}
