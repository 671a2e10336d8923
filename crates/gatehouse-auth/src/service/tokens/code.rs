//! The authorization code grant: a code is exchanged once, by its client, with its PKCE
//! verifier; a replayed code revokes everything it issued.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Subject, TokenError, TokenSet, grants, split};
use crate::entity::{client, code, refresh_token};
use crate::secrets::{random_token, same, sha256_hex};
use crate::service::AuthService;
use crate::service::directory::TenantEntry;

/// What a refresh token family starts from: a user's authorization.
pub(super) struct FamilyStart<'a> {
    pub user_id: Uuid,
    pub scope: &'a str,
    pub auth_time: chrono::DateTime<Utc>,
    pub resources: Option<&'a str>,
    /// The code it came from, if any: a replay of the code revokes the family.
    pub code_hash: Option<&'a str>,
    /// The DPoP key of the token request (RFC 9449 §5): a public client's family is bound to
    /// it.
    pub jkt: Option<&'a str>,
}

/// What a token request presents with an authorization code.
pub(super) struct Presented<'a> {
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub resource: Option<String>,
    pub jkt: Option<&'a str>,
}

impl AuthService {
    /// The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.6). A code works once: a
    /// second use fails and revokes what the first issued.
    #[tracing::instrument(skip_all)]
    pub(super) async fn exchange_code(
        &self,
        tenant: &TenantEntry,
        client: &client::Model,
        code: &str,
        presented: Presented<'_>,
    ) -> Result<TokenSet, TokenError> {
        let Presented {
            redirect_uri,
            code_verifier,
            resource,
            jkt,
        } = presented;
        if !grants(client, "authorization_code") {
            return Err(TokenError::UnauthorizedClient(
                "this client may not use the authorization_code grant".into(),
            ));
        }
        let invalid = |why: &str| TokenError::InvalidGrant(why.to_owned());
        let code_hash = sha256_hex(code);
        let row = code::Entity::find_by_id(code_hash.clone())
            .filter(code::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
            .ok_or_else(|| invalid("the code is not valid"))?;
        // Whoever presents the code must be its client, with its PKCE verifier and redirect
        // URI, before the code is spent: a stolen code alone cannot burn it (and with it what it
        // issued).
        if row.client_id != client.id {
            return Err(invalid("the code was issued to another client"));
        }
        let verifier = code_verifier
            .ok_or_else(|| TokenError::InvalidRequest("code_verifier is required".into()))?;
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if !same(&challenge, &row.code_challenge) {
            return Err(invalid(
                "the code_verifier does not match the code_challenge",
            ));
        }
        if redirect_uri.as_deref() != Some(row.redirect_uri.as_str()) {
            return Err(invalid(
                "redirect_uri must be the one of the authorization request",
            ));
        }
        // A code bound to a DPoP key (RFC 9449 §10) goes only with a proof of that key.
        if let Some(bound) = &row.dpop_jkt
            && jkt != Some(bound.as_str())
        {
            return Err(gatehouse_proto::DpopError::BoundCode.into());
        }
        // Then claimed, atomically: of two exchanges only one wins; the other is a replay.
        let claimed = code::Entity::update_many()
            .col_expr(code::Column::UsedAt, Expr::value(Utc::now()))
            .filter(code::Column::CodeHash.eq(&code_hash))
            .filter(code::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            self.revoke_code_descendants(tenant, &code_hash).await?;
            tracing::warn!(tenant = %tenant.slug, client_id = %client.client_id, "authorization code replayed; its tokens are revoked");
            return Err(invalid(
                "the code was already used; the tokens issued from it are revoked",
            ));
        }
        if row.expires_at <= Utc::now() {
            return Err(invalid("the code has expired"));
        }
        let resource =
            self.pick_resource(&tenant.slug, row.resources.as_deref(), resource.as_deref())?;
        let subject = Subject {
            user: Some(row.user_id),
            auth_time: Some(row.auth_time),
            code_hash: Some(&code_hash),
            nonce: row.nonce.as_deref(),
            resource: resource.as_deref(),
            act: None,
            jkt,
        };
        let refresh =
            if grants(client, "refresh_token") && split(&row.scope).contains(&"offline_access") {
                let start = FamilyStart {
                    user_id: row.user_id,
                    scope: &row.scope,
                    auth_time: row.auth_time,
                    resources: row.resources.as_deref(),
                    code_hash: Some(&code_hash),
                    jkt,
                };
                Some(self.new_refresh_family(tenant, client, start).await?)
            } else {
                None
            };
        self.tokens(tenant, client, &subject, &row.scope, refresh)
            .await
    }

    /// A new refresh token family for what a user authorized; its first token.
    pub(super) async fn new_refresh_family(
        &self,
        tenant: &TenantEntry,
        client: &client::Model,
        start: FamilyStart<'_>,
    ) -> Result<String, TokenError> {
        let token = random_token(32);
        let now = Utc::now();
        let (idle, absolute) = self.refresh_lifetimes(tenant);
        let family_expires = now + absolute;
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            token_hash: Set(sha256_hex(&token)),
            family_id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.id),
            client_id: Set(client.id),
            user_id: Set(start.user_id),
            scope: Set(start.scope.to_owned()),
            code_hash: Set(start.code_hash.map(str::to_owned)),
            auth_time: Set(start.auth_time),
            issued_at: Set(now),
            family_expires_at: Set(family_expires),
            idle_expires_at: Set((now + idle).min(family_expires)),
            rotated_at: Set(None),
            revoked_at: Set(None),
            resources: Set(start.resources.map(str::to_owned)),
            // A confidential client's refresh token is bound by its authentication instead.
            dpop_jkt: Set(start
                .jkt
                .filter(|_| client.token_endpoint_auth_method == "none")
                .map(str::to_owned)),
        }
        .insert(&self.db)
        .await?;
        Ok(token)
    }

    /// Revokes every token descending from a code: refresh families and access tokens.
    async fn revoke_code_descendants(
        &self,
        tenant: &TenantEntry,
        code_hash: &str,
    ) -> Result<(), TokenError> {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::TenantId.eq(tenant.id))
            .filter(refresh_token::Column::CodeHash.eq(code_hash))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        self.revoke_access_tokens_of_code(tenant, code_hash).await
    }
}
