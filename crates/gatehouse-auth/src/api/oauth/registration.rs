//! Dynamic client registration (RFC 7591) at `{issuer}/oauth2/register`, and each
//! registration's management (RFC 7592) at its `registration_client_uri`.

use gatehouse_proto::Text;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use super::OAuthApi;
use super::errors::{NO_STORE, OAuthErrorBody, body};
use crate::entity::client;
use crate::service::{NewClient, RegistrationError};

/// A client's metadata (RFC 7591 §2). Fields this server does not know are ignored; what it
/// registers is in the answer.
#[derive(Debug, Object)]
pub(super) struct ClientMetadata {
    /// A name shown to people on the consent page; `Registered client` when absent.
    client_name: Option<Text>,
    /// Where the browser returns with a code: `https`, `http` on loopback, or a private-use
    /// scheme (RFC 8252).
    redirect_uris: Option<Vec<Text>>,
    /// `["authorization_code"]` when absent; the tenant's policy says which are allowed.
    grant_types: Option<Vec<Text>>,
    /// `["code"]`, the only one.
    response_types: Option<Vec<Text>>,
    /// Space separated; narrowed to what the tenant's policy allows (all of it when absent).
    scope: Option<Text>,
    /// `client_secret_basic` (default), `client_secret_post`, `private_key_jwt` (with `jwks`)
    /// or `none` (a public client).
    token_endpoint_auth_method: Option<Text>,
    /// For `private_key_jwt`: the client's public keys.
    jwks: Option<serde_json::Value>,
    /// `RS256` (default) or `ES256`.
    id_token_signed_response_alg: Option<Text>,
    /// `true`: every token request must carry a DPoP proof (RFC 9449 §5.2); `false` when
    /// absent.
    dpop_bound_access_tokens: Option<bool>,
    /// With RFC 7592 `PUT`: the client's id, which must be this registration's.
    client_id: Option<Text>,
}

/// A registered client (RFC 7591 §3.2.1, RFC 7592 §3).
#[derive(Debug, Object)]
pub(super) struct RegisteredClient {
    client_id: String,
    /// Only when the client is registered, and only for clients with a secret.
    #[oai(skip_serializing_if_is_none)]
    client_secret: Option<String>,
    client_id_issued_at: i64,
    /// `0`: the secret does not expire.
    #[oai(skip_serializing_if_is_none)]
    client_secret_expires_at: Option<i64>,
    /// The bearer token for this registration's `registration_client_uri`. Each answer
    /// carries a new one, which replaces the last.
    registration_access_token: String,
    registration_client_uri: String,
    client_name: String,
    redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    response_types: Vec<String>,
    scope: String,
    token_endpoint_auth_method: String,
    #[oai(skip_serializing_if_is_none)]
    jwks: Option<serde_json::Value>,
    id_token_signed_response_alg: String,
    dpop_bound_access_tokens: bool,
}

/// The answers of the registration endpoints.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "malformed_metadata")]
pub(super) enum RegistrationResponse {
    /// Registered: store `client_secret` and `registration_access_token` now.
    #[oai(status = 201)]
    Created(
        Json<RegisteredClient>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// The registration as it now is, with a new registration access token.
    #[oai(status = 200)]
    Ok(
        Json<RegisteredClient>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// The client is deleted, with every token it was given.
    #[oai(status = 204)]
    Deleted,
    /// `invalid_client_metadata` or `invalid_redirect_uri`: nothing was registered or changed.
    #[oai(status = 400)]
    BadRequest(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// `invalid_token`: a missing or unusable initial access token, or not this
    /// registration's access token (also when the client does not exist).
    #[oai(status = 401)]
    Unauthorized(
        Json<OAuthErrorBody>,
        #[oai(header = "WWW-Authenticate")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// `access_denied`: the tenant does not let clients register themselves.
    #[oai(status = 403)]
    Forbidden(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// No tenant with this slug.
    #[oai(status = 404)]
    NotFound(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// `temporarily_unavailable`; `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(
        Json<OAuthErrorBody>,
        #[oai(header = "Retry-After")] u32,
        #[oai(header = "Cache-Control")] String,
    ),
    /// An unexpected failure; the details are in the server log.
    #[oai(status = 500)]
    Internal(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
}

fn malformed_metadata(err: poem::Error) -> RegistrationResponse {
    RegistrationResponse::BadRequest(
        body("invalid_client_metadata", err.to_string()),
        NO_STORE.into(),
    )
}

impl From<RegistrationError> for RegistrationResponse {
    fn from(err: RegistrationError) -> Self {
        let code = err.code();
        match err {
            RegistrationError::UnknownTenant => {
                Self::NotFound(body(code, "no such tenant"), NO_STORE.into())
            }
            RegistrationError::Closed => {
                Self::Forbidden(body(code, err.to_string()), NO_STORE.into())
            }
            RegistrationError::InvalidToken(why) => Self::Unauthorized(
                body(code, why),
                format!(r#"Bearer realm="gatehouse", error="{code}""#),
                NO_STORE.into(),
            ),
            RegistrationError::InvalidRedirectUri(why)
            | RegistrationError::InvalidClientMetadata(why) => {
                Self::BadRequest(body(code, why), NO_STORE.into())
            }
            RegistrationError::Internal(err) if err.is_unavailable() => Self::Unavailable(
                body(
                    "temporarily_unavailable",
                    "retry after the time in Retry-After",
                ),
                gatehouse_proto::RETRY_AFTER_SECONDS,
                NO_STORE.into(),
            ),
            RegistrationError::Internal(err) => {
                tracing::error!(error = %gatehouse_proto::ErrorChain(&err), "client registration failed");
                Self::Internal(
                    body("server_error", "the registration could not be completed"),
                    NO_STORE.into(),
                )
            }
        }
    }
}

/// The bearer token of the request, if it has one.
fn bearer(req: &Request) -> Option<&str> {
    let value = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl ClientMetadata {
    fn into_new_client(self) -> Result<NewClient, RegistrationError> {
        if self
            .response_types
            .as_ref()
            .is_some_and(|types| types.iter().any(|t| t.0 != "code"))
        {
            return Err(RegistrationError::InvalidClientMetadata(
                "response_types: only code is supported".into(),
            ));
        }
        let texts = |list: Vec<Text>| list.into_iter().map(|t| t.0).collect::<Vec<_>>();
        Ok(NewClient {
            client_name: self
                .client_name
                .map_or_else(|| "Registered client".into(), |t| t.0),
            grant_types: self
                .grant_types
                .map_or_else(|| vec!["authorization_code".into()], texts),
            redirect_uris: self.redirect_uris.map(texts).unwrap_or_default(),
            scope: self.scope.map(|t| t.0).unwrap_or_default(),
            token_endpoint_auth_method: self.token_endpoint_auth_method.map(|t| t.0),
            id_token_signed_response_alg: self.id_token_signed_response_alg.map(|t| t.0),
            jwks: self.jwks,
            dpop_bound_access_tokens: self.dpop_bound_access_tokens.unwrap_or(false),
            ..NewClient::default()
        })
    }
}

impl OAuthApi {
    fn registered(
        &self,
        tenant: &str,
        client: client::Model,
        secret: Option<String>,
        registration_access_token: String,
    ) -> RegisteredClient {
        let list = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let grant_types = list(&client.grant_types);
        let issuer = self.service.config().issuer(tenant);
        RegisteredClient {
            registration_client_uri: format!("{issuer}/oauth2/register/{}", client.client_id),
            client_secret_expires_at: secret.as_ref().map(|_| 0),
            client_secret: secret,
            client_id_issued_at: client.created_at.timestamp(),
            registration_access_token,
            response_types: if grant_types.iter().any(|g| g == "authorization_code") {
                vec!["code".into()]
            } else {
                vec![]
            },
            grant_types,
            redirect_uris: list(&client.redirect_uris),
            client_name: client.client_name,
            scope: client.scope,
            token_endpoint_auth_method: client.token_endpoint_auth_method,
            jwks: client.jwks.and_then(|j| serde_json::from_str(&j).ok()),
            id_token_signed_response_alg: client
                .id_token_signed_response_alg
                .unwrap_or_else(|| "RS256".into()),
            dpop_bound_access_tokens: client.dpop_bound_access_tokens,
            client_id: client.client_id,
        }
    }

    pub(super) async fn register(
        &self,
        req: &Request,
        tenant: &str,
        metadata: ClientMetadata,
    ) -> RegistrationResponse {
        let result = async {
            let new = metadata.into_new_client()?;
            self.service.register_client(tenant, bearer(req), new).await
        }
        .await;
        match result {
            Ok(done) => {
                let secret = done.secret.map(|s| s.0);
                let body =
                    self.registered(tenant, done.client, secret, done.registration_access_token);
                RegistrationResponse::Created(Json(body), NO_STORE.into())
            }
            Err(err) => err.into(),
        }
    }

    /// A registration as it now is, with its new registration access token.
    fn current(
        &self,
        tenant: &str,
        result: Result<(client::Model, String), RegistrationError>,
    ) -> RegistrationResponse {
        match result {
            Ok((client, token)) => RegistrationResponse::Ok(
                Json(self.registered(tenant, client, None, token)),
                NO_STORE.into(),
            ),
            Err(err) => err.into(),
        }
    }

    pub(super) async fn read_registration(
        &self,
        req: &Request,
        tenant: &str,
        client_id: &str,
    ) -> RegistrationResponse {
        let result = async {
            let client = self
                .service
                .registered_client(tenant, client_id, bearer(req))
                .await?;
            self.service.rotate_registration_token(client).await
        }
        .await;
        self.current(tenant, result)
    }

    pub(super) async fn update_registration(
        &self,
        req: &Request,
        tenant: &str,
        client_id: &str,
        metadata: ClientMetadata,
    ) -> RegistrationResponse {
        let result = async {
            // The token first: nothing about the client is told to a caller without it.
            let client = self
                .service
                .registered_client(tenant, client_id, bearer(req))
                .await?;
            if metadata
                .client_id
                .as_ref()
                .is_some_and(|id| id.0 != client_id)
            {
                return Err(RegistrationError::InvalidClientMetadata(
                    "client_id is not this registration's".into(),
                ));
            }
            let new = metadata.into_new_client()?;
            let client = self
                .service
                .update_registered_client(tenant, client, new)
                .await?;
            self.service.rotate_registration_token(client).await
        }
        .await;
        self.current(tenant, result)
    }

    pub(super) async fn delete_registration(
        &self,
        req: &Request,
        tenant: &str,
        client_id: &str,
    ) -> RegistrationResponse {
        match self
            .service
            .delete_registered_client(tenant, client_id, bearer(req))
            .await
        {
            Ok(()) => RegistrationResponse::Deleted,
            Err(err) => err.into(),
        }
    }
}
