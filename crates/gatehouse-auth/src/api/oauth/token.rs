//! The token endpoint (RFC 6749 §3.2): the form, the grant it names, and the token set.

use poem::Request;
use poem_openapi::Object;
use poem_openapi::payload::Json;

use super::OAuthApi;
use super::client_auth::{FormCredentials, client_auth};
use super::errors::{NO_STORE, TokenResponse};
use crate::service::{Grant, TokenError};

/// A token request (RFC 6749 §4.1.3, §4.4.2, §6), form encoded.
#[derive(Debug, Object, serde::Deserialize)]
pub(super) struct TokenRequest {
    /// `authorization_code`, `refresh_token`, `client_credentials` or
    /// `urn:ietf:params:oauth:grant-type:device_code`.
    grant_type: Option<String>,
    /// Space-separated scopes: with `client_credentials`, all the client may have when absent;
    /// with `refresh_token`, a narrowing of the granted ones.
    scope: Option<String>,
    /// With `client_secret_post` or a public client: the client's id.
    client_id: Option<String>,
    /// With `client_secret_post`: the client's secret.
    client_secret: Option<String>,
    /// With `private_key_jwt`: `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
    client_assertion_type: Option<String>,
    /// With `private_key_jwt`: a JWT signed with a registered key (RFC 7523).
    client_assertion: Option<String>,
    /// With `authorization_code`: the code.
    code: Option<String>,
    /// With `authorization_code`: the redirect URI of the authorization request.
    redirect_uri: Option<String>,
    /// With `authorization_code`: the PKCE verifier (RFC 7636).
    code_verifier: Option<String>,
    /// With `refresh_token`: the refresh token.
    refresh_token: Option<String>,
    /// The URL of the one resource the access token is for (RFC 8707), e.g.
    /// `{public_url}/t/{tenant}/api/v1`; with a code or a refresh token, one of those the
    /// authorization request named. Without it the token is good on every resource of the
    /// tenant, or on the one resource the authorization request named.
    resource: Option<String>,
    /// With the device code grant: the `device_code` of the device authorization.
    device_code: Option<String>,
    /// Token exchange (RFC 8693): the user's access token to exchange.
    subject_token: Option<String>,
    /// Token exchange: `urn:ietf:params:oauth:token-type:access_token`.
    subject_token_type: Option<String>,
    /// Token exchange, for delegation: the access token of whoever acts for the user.
    actor_token: Option<String>,
    /// Token exchange: `urn:ietf:params:oauth:token-type:access_token`, with `actor_token`.
    actor_token_type: Option<String>,
    /// Token exchange: `urn:ietf:params:oauth:token-type:access_token` (the only one).
    requested_token_type: Option<String>,
    /// Token exchange: the resource the new token is for, like `resource`.
    audience: Option<String>,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Object)]
pub(super) struct TokenBody {
    /// A JWT access token (RFC 9068).
    access_token: String,
    /// `Bearer`, or `DPoP` for a token bound to the key of the request's DPoP proof
    /// (RFC 9449 §5).
    token_type: String,
    /// Seconds until the access token expires.
    expires_in: u64,
    /// The scopes granted, space separated.
    scope: String,
    /// A refresh token, when the client may refresh and `offline_access` was granted. Each
    /// use returns a new one; the old one is then spent.
    #[oai(skip_serializing_if_is_none)]
    refresh_token: Option<String>,
    /// An OpenID Connect ID token, with the `openid` scope.
    #[oai(skip_serializing_if_is_none)]
    id_token: Option<String>,
    /// Token exchange (RFC 8693): `urn:ietf:params:oauth:token-type:access_token`.
    #[oai(skip_serializing_if_is_none)]
    issued_token_type: Option<String>,
}

impl OAuthApi {
    /// To a request with a DPoP proof: the nonce the client's next proof must carry.
    pub(super) fn proof_nonce(&self, req: &Request, tenant: &str) -> Option<String> {
        req.headers()
            .contains_key("dpop")
            .then(|| self.service.dpop_nonce(tenant))
            .flatten()
    }

    /// Runs a token request and counts its outcome.
    #[tracing::instrument(skip_all, fields(tenant = %tenant, grant_type = form.grant_type.as_deref()))]
    pub(super) async fn token_response(
        &self,
        req: &Request,
        tenant: &str,
        form: TokenRequest,
    ) -> TokenResponse<TokenBody> {
        let metrics = self.service.metrics();
        let grant = form.grant_type.clone();
        let response = match self.issue(req, tenant, form).await {
            Ok(token) => {
                metrics.token_issued(grant.as_deref());
                TokenResponse::Ok(Json(token), NO_STORE.into(), Some("no-cache".into()), None)
            }
            Err(err) => {
                metrics.token_refused(err.code());
                err.into()
            }
        };
        response.with_dpop_nonce(self.proof_nonce(req, tenant))
    }

    async fn issue(
        &self,
        req: &Request,
        tenant: &str,
        form: TokenRequest,
    ) -> Result<TokenBody, TokenError> {
        let required = |value: Option<String>, name: &str| {
            value.ok_or_else(|| TokenError::InvalidRequest(format!("{name} is required")))
        };
        let grant = match form.grant_type.as_deref() {
            Some("client_credentials") => Grant::ClientCredentials {
                scope: form.scope,
                resource: form.resource,
            },
            Some("authorization_code") => Grant::AuthorizationCode {
                code: required(form.code, "code")?,
                redirect_uri: form.redirect_uri,
                code_verifier: form.code_verifier,
                resource: form.resource,
            },
            Some("refresh_token") => Grant::RefreshToken {
                refresh_token: required(form.refresh_token, "refresh_token")?,
                scope: form.scope,
                resource: form.resource,
            },
            Some(crate::service::TOKEN_EXCHANGE_GRANT) => {
                Grant::TokenExchange(Box::new(crate::service::Exchange {
                    subject_token: required(form.subject_token, "subject_token")?,
                    subject_token_type: required(form.subject_token_type, "subject_token_type")?,
                    actor_token: form.actor_token,
                    actor_token_type: form.actor_token_type,
                    requested_token_type: form.requested_token_type,
                    target: form.resource.or(form.audience),
                    scope: form.scope,
                }))
            }
            Some(crate::service::clients::DEVICE_CODE_GRANT) => Grant::DeviceCode {
                device_code: required(form.device_code, "device_code")?,
            },
            Some(_) => return Err(TokenError::UnsupportedGrantType),
            None => return Err(TokenError::InvalidRequest("grant_type is required".into())),
        };
        let auth = client_auth(
            req,
            FormCredentials {
                client_id: form.client_id,
                client_secret: form.client_secret,
                client_assertion_type: form.client_assertion_type,
                client_assertion: form.client_assertion,
            },
        )?;
        let url = format!("{}/oauth2/token", self.service.config().issuer(tenant));
        let proof = self
            .service
            .dpop_proof(req.headers(), tenant, ("POST", &url), None)
            .await?;
        let jkt = proof.as_ref().map(|p| p.jkt.as_str());
        let tokens = self.service.token(tenant, auth, grant, jkt).await?;
        Ok(TokenBody {
            access_token: tokens.access_token,
            token_type: if tokens.dpop_bound { "DPoP" } else { "Bearer" }.into(),
            expires_in: tokens.expires_in,
            scope: tokens.scope,
            refresh_token: tokens.refresh_token,
            id_token: tokens.id_token,
            issued_token_type: tokens.issued_token_type.map(str::to_owned),
        })
    }
}
