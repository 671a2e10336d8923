//! The pending authorization request between the browser's pages: its page, the forms that
//! may answer it, and the code that ends it.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;

use super::{FormProof, Outcome, PageContext, error_page, redirect_to_client, split_scope};
use crate::entity::{authorization_request, client, code, tenant};
use crate::error::AuthError;
use crate::secrets::{random_token, same, sha256_hex};
use crate::service::AuthService;

impl AuthService {
    /// The sign-in or consent page of a pending request, with a fresh CSRF token.
    pub(super) fn page(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        request: &authorization_request::Model,
        csrf: String,
    ) -> PageContext {
        PageContext {
            request_id: request.id.clone(),
            csrf,
            tenant_name: tenant.display_name.clone(),
            client_name: client.client_name.clone(),
            scopes: split_scope(&request.scope),
            username: None,
            message: None,
            redirect_uri: request.redirect_uri.clone(),
            user_code: request
                .device_code_hash
                .is_some()
                .then(|| request.state.clone())
                .flatten(),
        }
    }

    /// The pending request a form answers, if it is live and the form's CSRF token is its own.
    pub(super) async fn pending(
        &self,
        tenant: &tenant::Model,
        form: FormProof<'_>,
    ) -> Result<Result<authorization_request::Model, Outcome>, AuthError> {
        let FormProof {
            request_id,
            csrf,
            browser,
            ..
        } = form;
        let request = authorization_request::Entity::find_by_id(request_id.to_owned())
            .filter(authorization_request::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?;
        let Some(request) = request.filter(|r| r.expires_at > Utc::now()) else {
            return Ok(Err(error_page(
                400,
                "Sign-in expired",
                "This sign-in took too long or was already used. Go back to the application and start again.",
            )));
        };
        if !same(&sha256_hex(csrf), &request.csrf_hash) {
            return Ok(Err(error_page(
                403,
                "Form refused",
                "The form was not sent from this sign-in page (its security token is missing or stale).",
            )));
        }
        // Only the browser that opened the request may answer it: another site cannot sign a
        // visitor in with a request (and credentials) of its own.
        let same_browser = match (browser, &request.browser_hash) {
            (Some(cookie), Some(hash)) => same(&sha256_hex(cookie), hash),
            _ => false,
        };
        if !same_browser {
            return Ok(Err(error_page(
                403,
                "Form refused",
                "This sign-in was started in another browser. Go back to the application and start again here.",
            )));
        }
        Ok(Ok(request))
    }

    /// A new CSRF token for the request's next page; the old one is spent.
    pub(super) async fn renew_csrf(
        &self,
        request: authorization_request::Model,
    ) -> Result<String, AuthError> {
        let csrf = random_token(24);
        let mut active = request.into_active_model();
        active.csrf_hash = Set(sha256_hex(&csrf));
        active.update(&self.db).await?;
        Ok(csrf)
    }

    /// Issues the code for a consented request and redirects to the client with it. The
    /// pending request is used up.
    #[tracing::instrument(skip_all, fields(tenant = %tenant.slug))]
    pub(super) async fn finish(
        &self,
        tenant: &tenant::Model,
        request: authorization_request::Model,
        user_id: Uuid,
        auth_time: DateTime<Utc>,
    ) -> Result<Outcome, AuthError> {
        if request.device_code_hash.is_some() {
            return self
                .finish_device(tenant, request, Some((user_id, auth_time)))
                .await;
        }
        let code = random_token(32);
        let ttl = chrono::Duration::from_std(self.config.code_ttl).unwrap_or_default();
        code::ActiveModel {
            code_hash: Set(sha256_hex(&code)),
            tenant_id: Set(tenant.id),
            client_id: Set(request.client_id),
            user_id: Set(user_id),
            redirect_uri: Set(request.redirect_uri.clone()),
            scope: Set(request.scope.clone()),
            nonce: Set(request.nonce.clone()),
            code_challenge: Set(request.code_challenge.clone()),
            auth_time: Set(auth_time),
            expires_at: Set(Utc::now() + ttl),
            used_at: Set(None),
            resources: Set(request.resources.clone()),
            dpop_jkt: Set(request.dpop_jkt.clone()),
        }
        .insert(&self.db)
        .await?;
        authorization_request::Entity::delete_by_id(request.id.clone())
            .exec(&self.db)
            .await?;
        Ok(redirect_to_client(
            &request.redirect_uri,
            &[("code", code.as_str())],
            request.state.as_deref(),
            &self.config.issuer(&tenant.slug),
        ))
    }
}
