//! Token introspection (RFC 7662) and revocation (RFC 7009): the form naming the token, and
//! what introspection tells about it.

use poem::Request;
use poem_openapi::Object;
use poem_openapi::payload::Json;

use super::OAuthApi;
use super::client_auth::{FormCredentials, client_auth};
use super::errors::{NO_STORE, TokenResponse};
use crate::service::{ClientAuth, Introspection, TokenError};

/// A token to introspect or revoke (RFC 7662 §2.1, RFC 7009 §2.1), form encoded, with the
/// client's credentials as at the token endpoint.
#[derive(Debug, Object, serde::Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
    /// `access_token` or `refresh_token`; a hint only.
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
}

/// The client and the token of an introspection or revocation request.
fn token_query(req: &Request, form: TokenQuery) -> Result<(ClientAuth, String), TokenError> {
    let auth = client_auth(
        req,
        FormCredentials {
            client_id: form.client_id,
            client_secret: form.client_secret,
            client_assertion_type: form.client_assertion_type,
            client_assertion: form.client_assertion,
        },
    )?;
    let token = form
        .token
        .ok_or_else(|| TokenError::InvalidRequest("token is required".into()))?;
    Ok((auth, token))
}

/// RFC 7662 §2.2. Only `active` when the token is inactive, unknown or another tenant's.
#[derive(Debug, Object)]
pub(super) struct IntrospectionBody {
    active: bool,
    #[oai(skip_serializing_if_is_none)]
    token_type: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    scope: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    client_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    sub: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    username: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    iss: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    aud: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    exp: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    iat: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    jti: Option<String>,
    /// The tenant's id (an extension to RFC 7662).
    #[oai(skip_serializing_if_is_none)]
    tid: Option<String>,
    /// A DPoP-bound access token's key (RFC 9449 §6.2): a request presenting it needs a proof
    /// signed with that key.
    #[oai(skip_serializing_if_is_none)]
    cnf: Option<KeyConfirmation>,
}

/// The key a token is bound to (RFC 7800 §3.1).
#[derive(Debug, Object)]
pub(super) struct KeyConfirmation {
    /// The RFC 7638 SHA-256 thumbprint of the key, base64url.
    jkt: String,
}

impl From<Option<Introspection>> for IntrospectionBody {
    fn from(found: Option<Introspection>) -> Self {
        match found {
            None => Self {
                active: false,
                token_type: None,
                scope: None,
                client_id: None,
                sub: None,
                username: None,
                iss: None,
                aud: None,
                exp: None,
                iat: None,
                jti: None,
                tid: None,
                cnf: None,
            },
            Some(t) => Self {
                active: true,
                token_type: Some(t.token_type.to_owned()),
                scope: Some(t.scope),
                client_id: Some(t.client_id),
                sub: Some(t.sub),
                username: t.username,
                iss: Some(t.iss),
                aud: t.aud,
                exp: Some(t.exp),
                iat: Some(t.iat),
                jti: t.jti,
                tid: t.tid,
                cnf: t.jkt.map(|jkt| KeyConfirmation { jkt }),
            },
        }
    }
}

impl OAuthApi {
    /// Answers an introspection request.
    #[tracing::instrument(skip_all, fields(tenant = %tenant))]
    pub(super) async fn introspection_response(
        &self,
        req: &Request,
        tenant: &str,
        form: TokenQuery,
    ) -> TokenResponse<IntrospectionBody> {
        let result = match token_query(req, form) {
            Ok((auth, token)) => self.service.introspect(tenant, auth, &token).await,
            Err(err) => Err(err),
        };
        match result {
            Ok(found) => TokenResponse::Ok(Json(found.into()), NO_STORE.into(), None, None),
            Err(err) => err.into(),
        }
    }

    /// Answers a revocation request: the same empty body whether or not the token was valid.
    #[tracing::instrument(skip_all, fields(tenant = %tenant))]
    pub(super) async fn revocation_response(
        &self,
        req: &Request,
        tenant: &str,
        form: TokenQuery,
    ) -> TokenResponse<IntrospectionBody> {
        let result = match token_query(req, form) {
            Ok((auth, token)) => self.service.revoke(tenant, auth, &token).await,
            Err(err) => Err(err),
        };
        match result {
            Ok(()) => TokenResponse::Ok(Json(None.into()), NO_STORE.into(), None, None),
            Err(err) => err.into(),
        }
    }
}
