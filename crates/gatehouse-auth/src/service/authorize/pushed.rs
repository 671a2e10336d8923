//! Pushed authorization requests (RFC 9126): a client posts its authorization request to the
//! server first, authenticated, and sends the browser with only a `request_uri` that works
//! once, for a minute.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::request::{Params, check_parameters};
use super::{Outcome, error_page};
use crate::entity::{pushed_request, tenant};
use crate::error::AuthError;
use crate::secrets::{random_token, sha256_hex};
use crate::service::{AuthService, ClientAuth, TokenError};

/// How long a `request_uri` may wait for the browser (RFC 9126 §2.2: short).
pub const PUSHED_REQUEST_TTL_SECONDS: i64 = 60;

/// The prefix of every `request_uri` (RFC 9126 §2.2).
const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Parameters of the push that authenticate the client, not part of the request.
const CLIENT_AUTH_PARAMS: [&str; 3] =
    ["client_secret", "client_assertion", "client_assertion_type"];

/// A pushed request: the `request_uri` the browser carries, and its lifetime.
#[derive(Debug)]
pub struct PushedRequest {
    pub request_uri: String,
    pub expires_in: i64,
}

impl AuthService {
    /// `POST {issuer}/oauth2/par`: authenticates the client, checks its authorization request
    /// as the authorization endpoint would, and keeps it under a new `request_uri`.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug, client_id = %auth.client_id))]
    pub async fn push_authorization_request(
        &self,
        tenant_slug: &str,
        auth: ClientAuth,
        mut params: Vec<(String, String)>,
    ) -> Result<PushedRequest, TokenError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(TokenError::UnknownTenant)?;
        let client = self.authenticate_client(&tenant, &auth).await?;
        params.retain(|(k, _)| !CLIENT_AUTH_PARAMS.contains(&k.as_str()));
        if params.iter().any(|(k, _)| k == "request_uri") {
            return Err(TokenError::InvalidRequest(
                "request_uri cannot be pushed (RFC 9126 §2.1)".into(),
            ));
        }
        match params.iter().find(|(k, _)| k == "client_id") {
            Some((_, id)) if *id != client.client_id => {
                return Err(TokenError::InvalidRequest(
                    "client_id is not the authenticated client".into(),
                ));
            }
            Some(_) => {}
            None => params.push(("client_id".into(), client.client_id.clone())),
        }
        let (trusted, redirect_uri) = match self.trusted_client(&tenant, &params).await? {
            Ok(trusted) => trusted,
            Err(Outcome::Error { detail, .. }) => return Err(TokenError::InvalidRequest(detail)),
            Err(_) => return Err(TokenError::InvalidRequest("invalid request".into())),
        };
        check_parameters(trusted, redirect_uri, &Params(&params), |uri| {
            self.is_resource_of(&tenant.slug, uri)
        })
        .map_err(|err| TokenError::refused_authorization(err.code, err.description))?;

        let request_uri = format!("{REQUEST_URI_PREFIX}{}", random_token(32));
        pushed_request::ActiveModel {
            request_uri_hash: Set(sha256_hex(&request_uri)),
            tenant_id: Set(tenant.id),
            client_id: Set(client.id),
            params: Set(serde_json::to_value(&params)
                .unwrap_or_default()
                .to_string()),
            expires_at: Set(Utc::now() + chrono::Duration::seconds(PUSHED_REQUEST_TTL_SECONDS)),
            used_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(PushedRequest {
            request_uri,
            expires_in: PUSHED_REQUEST_TTL_SECONDS,
        })
    }

    /// The parameters of the pushed request an authorization request names with `request_uri`,
    /// spent by this use; `None` when it names none; an error page when it is unknown, expired,
    /// spent, or another client's.
    pub(super) async fn pushed_parameters(
        &self,
        tenant: &tenant::Model,
        params: &[(String, String)],
    ) -> Result<Result<Option<Vec<(String, String)>>, Outcome>, AuthError> {
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let Some(request_uri) = get("request_uri") else {
            return Ok(Ok(None));
        };
        let refused = || {
            Ok(Err(error_page(
                400,
                "Sign-in link expired",
                "This sign-in link has expired or was already used. Go back to the application and start again.",
            )))
        };
        let Some(client_id) = get("client_id") else {
            return Ok(Err(error_page(
                400,
                "Invalid request",
                "The request names no client.",
            )));
        };
        let hash = sha256_hex(request_uri);
        let Some(row) = pushed_request::Entity::find_by_id(hash.clone())
            .filter(pushed_request::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?
        else {
            return refused();
        };
        let owner = self.find_client(tenant.id, client_id).await?;
        if owner.is_none_or(|c| c.id != row.client_id || c.disabled) {
            return refused();
        }
        // Spent atomically: of two uses, one wins.
        let now = Utc::now();
        let claimed = pushed_request::Entity::update_many()
            .col_expr(pushed_request::Column::UsedAt, Expr::value(now))
            .filter(pushed_request::Column::RequestUriHash.eq(hash))
            .filter(pushed_request::Column::UsedAt.is_null())
            .filter(pushed_request::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            return refused();
        }
        Ok(Ok(serde_json::from_str(&row.params).ok()))
    }
}
