//! Token exchange (RFC 8693): a service swaps a user's access token for one aimed at another of
//! the tenant's resources, acting for the user (delegation, with an `act` claim) or as the user
//! (impersonation), as far as the tenant's policy lets that client.

use serde_json::json;

use super::{Subject, TokenError, TokenSet, grants, split};
use crate::entity::client;
use crate::policy::OAuthPolicy;
use crate::service::AuthService;
use crate::service::directory::TenantEntry;

/// The grant type (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The one token type exchanged and issued here (RFC 8693 §3).
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// A token exchange request's parameters (RFC 8693 §2.1).
#[derive(Debug)]
pub struct Exchange {
    pub subject_token: String,
    pub subject_token_type: String,
    pub actor_token: Option<String>,
    pub actor_token_type: Option<String>,
    pub requested_token_type: Option<String>,
    /// The target: `resource` or `audience`, a resource URL of the tenant.
    pub target: Option<String>,
    pub scope: Option<String>,
}

impl AuthService {
    /// The token exchange grant: the subject token must be a live user token of this tenant;
    /// the target, one of the resources the policy's rule for this client names.
    #[tracing::instrument(skip_all)]
    pub(super) async fn exchange_token(
        &self,
        tenant: &TenantEntry,
        client: &client::Model,
        exchange: Exchange,
        jkt: Option<&str>,
    ) -> Result<TokenSet, TokenError> {
        if !grants(client, TOKEN_EXCHANGE_GRANT) {
            return Err(TokenError::UnauthorizedClient(
                "this client may not use the token exchange grant".into(),
            ));
        }
        let policy = OAuthPolicy::of(tenant);
        let rule = policy
            .token_exchange
            .iter()
            .find(|r| r.client_id.0 == client.client_id)
            .filter(|_| client.token_endpoint_auth_method != "none")
            .ok_or_else(|| {
                TokenError::UnauthorizedClient(
                    "the tenant's policy does not let this client exchange tokens".into(),
                )
            })?;
        let access_token_type = |t: Option<&str>, name: &str| match t {
            Some(ACCESS_TOKEN_TYPE) => Ok(()),
            _ => Err(TokenError::InvalidRequest(format!(
                "{name} must be {ACCESS_TOKEN_TYPE}"
            ))),
        };
        access_token_type(Some(&exchange.subject_token_type), "subject_token_type")?;
        if let Some(requested) = &exchange.requested_token_type {
            access_token_type(Some(requested), "requested_token_type")?;
        }
        let subject = self
            .live_access_token(tenant, &exchange.subject_token)
            .await?
            .ok_or_else(|| {
                TokenError::InvalidGrant("the subject token is not valid here, or revoked".into())
            })?;
        // A sender-constrained token is exchanged only for another one (RFC 9449).
        if subject.cnf.is_some() && jkt.is_none() {
            return Err(gatehouse_proto::DpopError::BoundSubject.into());
        }
        let user = uuid::Uuid::parse_str(&subject.sub)
            .map_err(|_| TokenError::InvalidGrant("only a user's token can be exchanged".into()))?;
        let target = exchange.target.as_deref().ok_or_else(|| {
            TokenError::InvalidTarget("name the resource the new token is for".into())
        })?;
        if !rule.audiences.iter().any(|a| a.0 == target)
            || !self.is_resource_of(&tenant.slug, target)
        {
            return Err(TokenError::InvalidTarget(
                "the tenant's policy does not let this client exchange tokens for that resource"
                    .into(),
            ));
        }
        // No more than the user's token held.
        let held = split(&subject.scope);
        let scope: Vec<&str> = match exchange.scope.as_deref().map(split) {
            Some(asked) if !asked.is_empty() => asked,
            _ => held.clone(),
        };
        if scope.is_empty() || !scope.iter().all(|s| held.contains(s)) {
            return Err(TokenError::InvalidScope(
                "an exchanged token may hold only scopes of the subject token".into(),
            ));
        }
        let act = match (&exchange.actor_token, rule.delegation, rule.impersonation) {
            (Some(actor_token), true, _) => {
                access_token_type(exchange.actor_token_type.as_deref(), "actor_token_type")?;
                let actor = self
                    .live_access_token(tenant, actor_token)
                    .await?
                    .ok_or_else(|| {
                        TokenError::InvalidGrant(
                            "the actor token is not valid here, or revoked".into(),
                        )
                    })?;
                let mut act = json!({ "sub": actor.sub });
                if let Some(prior) = actor.act {
                    act["act"] = prior;
                }
                Some(act)
            }
            (Some(_), false, _) => {
                return Err(TokenError::UnauthorizedClient(
                    "the tenant's policy does not let this client delegate".into(),
                ));
            }
            (None, true, _) => Some(json!({ "sub": client.client_id })),
            (None, false, true) => None,
            (None, false, false) => {
                return Err(TokenError::UnauthorizedClient(
                    "the tenant's policy lets this client neither delegate nor impersonate".into(),
                ));
            }
        };
        let act = match (act, subject.act) {
            // The subject token was itself delegated: its actors stay on record.
            (Some(mut act), Some(prior)) if act.get("act").is_none() => {
                act["act"] = prior;
                Some(act)
            }
            (act, _) => act,
        };
        let auth_time = subject
            .auth_time
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
        let granted = Subject {
            user: Some(user),
            auth_time,
            code_hash: None,
            nonce: None,
            resource: Some(target),
            act,
            jkt,
        };
        let mut tokens = self
            .tokens(tenant, client, &granted, &scope.join(" "), None)
            .await?;
        tokens.issued_token_type = Some(ACCESS_TOKEN_TYPE);
        Ok(tokens)
    }
}
