//! The OAuth endpoints of a tenant's issuer: token, JWKS and the two discovery documents.
//! Errors here are RFC 6749 JSON, not problem documents.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gatehouse_proto::{ApiProblem, Problem, ProblemType};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::{Form, Json};
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use crate::service::{AuthService, ClientAuth, Grant, Introspection, TokenError, UserinfoError};

#[derive(Tags)]
enum OAuthTag {
    /// Issuing tokens.
    Token,
    /// Keys and metadata that clients and resource servers discover.
    Discovery,
}

/// A token request (RFC 6749 §4.1.3, §4.4.2, §6), form encoded.
#[derive(Debug, Object, serde::Deserialize)]
struct TokenRequest {
    /// `authorization_code`, `refresh_token` or `client_credentials`.
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
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Object)]
struct TokenBody {
    /// A JWT access token (RFC 9068).
    access_token: String,
    /// `Bearer`.
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
}

/// An error response (RFC 6749 §5.2).
#[derive(Debug, Object)]
struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type` or `invalid_scope`.
    error: String,
    #[oai(skip_serializing_if_is_none)]
    error_description: Option<String>,
}

/// The answers of the token, introspection and revocation endpoints: the result
/// (`TokenBody`, `IntrospectionBody`), or an RFC 6749 error.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "malformed_token_request")]
enum TokenResponse<T: ToJSON> {
    /// The endpoint's result: the issued token, the token's introspection (RFC 7662), or
    /// the revocation's empty answer (RFC 7009: also for tokens that were not valid).
    #[oai(status = 200)]
    Ok(
        Json<T>,
        #[oai(header = "Cache-Control")] String,
        /// `no-cache`, on issued tokens.
        #[oai(header = "Pragma")]
        Option<String>,
    ),
    /// The request is malformed, or the grant or scope is not acceptable.
    #[oai(status = 400)]
    BadRequest(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// Client authentication failed.
    #[oai(status = 401)]
    Unauthorized(
        Json<OAuthErrorBody>,
        #[oai(header = "WWW-Authenticate")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// No tenant with this slug.
    #[oai(status = 404)]
    NotFound(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// An unexpected failure; the details are in the server log.
    #[oai(status = 500)]
    Internal(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
}

fn body(error: &str, description: impl Into<String>) -> Json<OAuthErrorBody> {
    Json(OAuthErrorBody {
        error: error.to_owned(),
        error_description: Some(description.into()),
    })
}

const NO_STORE: &str = "no-store";

fn malformed_token_request<T: ToJSON>(err: poem::Error) -> TokenResponse<T> {
    TokenResponse::BadRequest(body("invalid_request", err.to_string()), NO_STORE.into())
}

impl<T: ToJSON> From<TokenError> for TokenResponse<T> {
    fn from(err: TokenError) -> Self {
        let bad = |code: &str, description: String| {
            TokenResponse::BadRequest(body(code, description), NO_STORE.into())
        };
        match err {
            TokenError::UnknownTenant => {
                TokenResponse::NotFound(body("invalid_request", "no such tenant"), NO_STORE.into())
            }
            TokenError::InvalidRequest(d) => bad("invalid_request", d),
            TokenError::InvalidClient => TokenResponse::Unauthorized(
                body("invalid_client", "client authentication failed"),
                r#"Basic realm="gatehouse", charset="UTF-8""#.into(),
                NO_STORE.into(),
            ),
            TokenError::InvalidGrant(d) => bad("invalid_grant", d),
            TokenError::UnauthorizedClient(d) => bad("unauthorized_client", d),
            TokenError::InvalidScope(d) => bad("invalid_scope", d),
            TokenError::UnsupportedGrantType => bad(
                "unsupported_grant_type",
                "supported grant types: authorization_code, refresh_token, client_credentials"
                    .into(),
            ),
            TokenError::Internal(err) => {
                tracing::error!(error = %err, "token endpoint failed");
                TokenResponse::Internal(
                    body("server_error", "the server could not issue a token"),
                    NO_STORE.into(),
                )
            }
        }
    }
}

/// One public key (RFC 7517).
#[derive(Debug, Object, serde::Deserialize)]
struct Jwk {
    kty: String,
    kid: String,
    #[oai(rename = "use")]
    #[serde(rename = "use")]
    key_use: String,
    alg: String,
    #[oai(skip_serializing_if_is_none)]
    crv: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    x: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    y: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    n: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    e: Option<String>,
}

/// The tenant's public signing keys (RFC 7517 JWK Set).
#[derive(Debug, Object, serde::Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

/// Authorization server metadata (RFC 8414 / OpenID Connect Discovery); lists only what this
/// server really supports.
#[derive(Debug, Object)]
struct ServerMetadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: String,
    introspection_endpoint: String,
    revocation_endpoint: String,
    scopes_supported: Vec<String>,
    claims_supported: Vec<String>,
    token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    introspection_endpoint_auth_methods_supported: Vec<String>,
    revocation_endpoint_auth_methods_supported: Vec<String>,
    jwks_uri: String,
    response_types_supported: Vec<String>,
    grant_types_supported: Vec<String>,
    token_endpoint_auth_methods_supported: Vec<String>,
    subject_types_supported: Vec<String>,
    id_token_signing_alg_values_supported: Vec<String>,
    code_challenge_methods_supported: Vec<String>,
    /// RFC 9207: authorization responses carry `iss`.
    authorization_response_iss_parameter_supported: bool,
    response_modes_supported: Vec<String>,
    prompt_values_supported: Vec<String>,
}

#[derive(ApiResponse)]
enum UserinfoResponse {
    /// The user's claims.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// No valid access token.
    #[oai(status = 401)]
    Unauthorized(
        Json<OAuthErrorBody>,
        #[oai(header = "WWW-Authenticate")] String,
    ),
    /// The token lacks the `openid` scope.
    #[oai(status = 403)]
    Forbidden(
        Json<OAuthErrorBody>,
        #[oai(header = "WWW-Authenticate")] String,
    ),
    /// An unexpected failure; the details are in the server log.
    #[oai(status = 500)]
    Internal(Json<OAuthErrorBody>),
}

#[derive(ApiResponse)]
enum JwksFound {
    #[oai(status = 200)]
    Ok(Json<Jwks>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
enum MetadataFound {
    #[oai(status = 200)]
    Ok(
        Json<ServerMetadata>,
        #[oai(header = "Cache-Control")] String,
    ),
}

pub struct OAuthApi {
    service: AuthService,
}

impl OAuthApi {
    pub fn new(service: AuthService) -> Self {
        Self { service }
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
            Some("client_credentials") => Grant::ClientCredentials { scope: form.scope },
            Some("authorization_code") => Grant::AuthorizationCode {
                code: required(form.code, "code")?,
                redirect_uri: form.redirect_uri,
                code_verifier: form.code_verifier,
            },
            Some("refresh_token") => Grant::RefreshToken {
                refresh_token: required(form.refresh_token, "refresh_token")?,
                scope: form.scope,
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
        let tokens = self.service.token(tenant, auth, grant).await?;
        Ok(TokenBody {
            access_token: tokens.access_token,
            token_type: "Bearer".into(),
            expires_in: tokens.expires_in,
            scope: tokens.scope,
            refresh_token: tokens.refresh_token,
            id_token: tokens.id_token,
        })
    }

    async fn metadata(&self, tenant: &str) -> Result<MetadataFound, ApiProblem> {
        let tenant = self.service.get_tenant(tenant).await?;
        let issuer = self.service.config().issuer(&tenant.slug);
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Ok(MetadataFound::Ok(
            Json(ServerMetadata {
                authorization_endpoint: format!("{issuer}/oauth2/authorize"),
                token_endpoint: format!("{issuer}/oauth2/token"),
                userinfo_endpoint: format!("{issuer}/oauth2/userinfo"),
                introspection_endpoint: format!("{issuer}/oauth2/introspect"),
                revocation_endpoint: format!("{issuer}/oauth2/revoke"),
                scopes_supported: strings(&["openid", "profile", "email", "offline_access"]),
                claims_supported: strings(&[
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "nonce",
                    "at_hash",
                    "azp",
                    "preferred_username",
                    "email",
                    "email_verified",
                ]),
                token_endpoint_auth_signing_alg_values_supported: strings(&["RS256", "ES256"]),
                introspection_endpoint_auth_methods_supported: strings(&[
                    "client_secret_basic",
                    "client_secret_post",
                    "private_key_jwt",
                ]),
                revocation_endpoint_auth_methods_supported: strings(
                    crate::service::clients::SUPPORTED_AUTH_METHODS,
                ),
                jwks_uri: format!("{issuer}/jwks.json"),
                issuer,
                response_types_supported: strings(&["code"]),
                grant_types_supported: strings(crate::service::clients::SUPPORTED_GRANT_TYPES),
                token_endpoint_auth_methods_supported: strings(
                    crate::service::clients::SUPPORTED_AUTH_METHODS,
                ),
                subject_types_supported: strings(&["public"]),
                id_token_signing_alg_values_supported: crate::service::keys::algorithms(
                    &tenant.signing_alg,
                )
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
                code_challenge_methods_supported: strings(&["S256"]),
                authorization_response_iss_parameter_supported: true,
                response_modes_supported: strings(&["query"]),
                prompt_values_supported: strings(&["none", "login", "consent"]),
            }),
            "public, max-age=300".into(),
        ))
    }
}

/// Reads HTTP Basic client credentials (RFC 6749 §2.3.1: both parts form-url-encoded).
fn basic_credentials(req: &Request) -> Result<Option<(String, String)>, TokenError> {
    let Some(value) = req.headers().get(poem::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || TokenError::InvalidClient;
    let value = value.to_str().map_err(|_| malformed())?;
    let Some(encoded) = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, rest)| rest.trim())
    else {
        return Err(malformed());
    };
    let decoded = STANDARD.decode(encoded).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| -> Result<String, TokenError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&format!("v={}", s.replace('&', "%26")))
                .map_err(|_| malformed())?;
        Ok(pairs.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    };
    Ok(Some((unescape(id)?, unescape(secret)?)))
}

/// The client authentication fields of a form (RFC 6749 §2.3, RFC 7523 §2.2).
struct FormCredentials {
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
}

const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How the client authenticated: HTTP Basic, a secret or a signed assertion in the form, or
/// (a public client) its id alone. More than one method is an error.
fn client_auth(req: &Request, form: FormCredentials) -> Result<ClientAuth, TokenError> {
    let basic = basic_credentials(req)?;
    let methods = usize::from(basic.is_some())
        + usize::from(form.client_secret.is_some())
        + usize::from(form.client_assertion.is_some());
    if methods > 1 {
        return Err(TokenError::InvalidRequest(
            "use one client authentication method, not two".into(),
        ));
    }
    if let Some(assertion) = form.client_assertion {
        if form.client_assertion_type.as_deref() != Some(JWT_BEARER_ASSERTION) {
            return Err(TokenError::InvalidRequest(format!(
                "client_assertion_type must be {JWT_BEARER_ASSERTION}"
            )));
        }
        // The client is named by the assertion's `sub`; the signature is checked later.
        let subject = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&assertion)
            .ok()
            .and_then(|t| t.claims["sub"].as_str().map(str::to_owned));
        let client_id = form
            .client_id
            .or(subject)
            .ok_or(TokenError::InvalidClient)?;
        return Ok(ClientAuth {
            client_id,
            secret: None,
            assertion: Some(assertion),
            method: "private_key_jwt",
        });
    }
    Ok(match (basic, form.client_id, form.client_secret) {
        (Some((id, secret)), body_id, _) => {
            if body_id.is_some_and(|b| b != id) {
                return Err(TokenError::InvalidRequest(
                    "client_id in the body differs from the one authenticated".into(),
                ));
            }
            ClientAuth {
                client_id: id,
                secret: Some(secret),
                assertion: None,
                method: "client_secret_basic",
            }
        }
        (None, Some(id), Some(secret)) => ClientAuth {
            client_id: id,
            secret: Some(secret),
            assertion: None,
            method: "client_secret_post",
        },
        (None, Some(id), None) => ClientAuth {
            client_id: id,
            secret: None,
            assertion: None,
            method: "none",
        },
        (None, None, _) => return Err(TokenError::InvalidClient),
    })
}

/// A token to introspect or revoke (RFC 7662 §2.1, RFC 7009 §2.1), form encoded, with the
/// client's credentials as at the token endpoint.
#[derive(Debug, Object, serde::Deserialize)]
struct TokenQuery {
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
struct IntrospectionBody {
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
            },
        }
    }
}

#[OpenApi]
impl OAuthApi {
    /// Token introspection (RFC 7662)
    ///
    /// For resource servers and confidential clients of the tenant: whether a token is active,
    /// and what it grants. Tokens of other tenants are inactive here.
    #[oai(
        path = "/t/:tenant/oauth2/introspect",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn introspect(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<TokenQuery>,
    ) -> TokenResponse<IntrospectionBody> {
        let result = match token_query(req, form.0) {
            Ok((auth, token)) => self.service.introspect(&tenant, auth, &token).await,
            Err(err) => Err(err),
        };
        match result {
            Ok(found) => TokenResponse::Ok(Json(found.into()), NO_STORE.into(), None),
            Err(err) => err.into(),
        }
    }

    /// Token revocation (RFC 7009)
    ///
    /// Revokes a refresh token (with its family) or an access token of the calling client. The
    /// gateway refuses a revoked access token from then on. Answers 200 also for tokens that
    /// were not valid.
    #[oai(
        path = "/t/:tenant/oauth2/revoke",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn revoke(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<TokenQuery>,
    ) -> TokenResponse<IntrospectionBody> {
        let result = match token_query(req, form.0) {
            Ok((auth, token)) => self.service.revoke(&tenant, auth, &token).await,
            Err(err) => Err(err),
        };
        match result {
            Ok(()) => TokenResponse::Ok(Json(None.into()), NO_STORE.into(), None),
            Err(err) => err.into(),
        }
    }

    /// Token endpoint
    ///
    /// Issues access tokens. Clients authenticate with HTTP Basic (`client_secret_basic`) or
    /// with `client_id` and `client_secret` in the form (`client_secret_post`), whichever they
    /// registered.
    #[oai(
        path = "/t/:tenant/oauth2/token",
        method = "post",
        tag = "OAuthTag::Token"
    )]
    async fn token(
        &self,
        req: &Request,
        tenant: Path<String>,
        form: Form<TokenRequest>,
    ) -> TokenResponse<TokenBody> {
        let metrics = self.service.metrics();
        let grant = form.0.grant_type.clone();
        match self.issue(req, &tenant, form.0).await {
            Ok(token) => {
                metrics.token_issued(grant.as_deref());
                TokenResponse::Ok(Json(token), NO_STORE.into(), Some("no-cache".into()))
            }
            Err(err) => {
                metrics.token_refused(err.code());
                err.into()
            }
        }
    }

    /// OpenID Connect UserInfo
    ///
    /// The claims of the signed-in user, for an access token with the `openid` scope
    /// (`profile`: `preferred_username`; `email`: `email`).
    #[oai(
        path = "/t/:tenant/oauth2/userinfo",
        method = "get",
        method = "post",
        tag = "OAuthTag::Discovery"
    )]
    async fn userinfo(&self, req: &Request, tenant: Path<String>) -> UserinfoResponse {
        let token = req
            .headers()
            .get(poem::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned());
        let Some(token) = token else {
            return UserinfoResponse::Unauthorized(
                body("invalid_request", "a bearer token is required"),
                r#"Bearer realm="gatehouse""#.into(),
            );
        };
        match self.service.userinfo(&tenant, &token).await {
            Ok(claims) => UserinfoResponse::Ok(Json(claims), NO_STORE.into()),
            Err(UserinfoError::InvalidToken(why)) => UserinfoResponse::Unauthorized(
                body("invalid_token", why),
                format!(
                    r#"Bearer realm="gatehouse", error="invalid_token", error_description="{why}""#
                ),
            ),
            Err(UserinfoError::InsufficientScope) => UserinfoResponse::Forbidden(
                body("insufficient_scope", "the token lacks the openid scope"),
                r#"Bearer realm="gatehouse", error="insufficient_scope", scope="openid""#.into(),
            ),
            Err(UserinfoError::Internal(err)) => {
                tracing::error!(error = %err, "userinfo failed");
                UserinfoResponse::Internal(body("server_error", "the server could not answer"))
            }
        }
    }

    /// JSON Web Key Set
    ///
    /// The public keys that verify the tenant's tokens.
    #[oai(
        path = "/t/:tenant/jwks.json",
        method = "get",
        tag = "OAuthTag::Discovery"
    )]
    async fn jwks(&self, tenant: Path<String>) -> Result<JwksFound, ApiProblem> {
        let jwks = self.service.jwks(&tenant).await?;
        let jwks: Jwks = serde_json::from_value(jwks).map_err(|e| {
            tracing::error!(error = %e, "stored JWK is malformed");
            ApiProblem::from(Problem::from(ProblemType::Internal))
        })?;
        Ok(JwksFound::Ok(Json(jwks), "public, max-age=300".into()))
    }

    /// OpenID Connect discovery
    #[oai(
        path = "/t/:tenant/.well-known/openid-configuration",
        method = "get",
        tag = "OAuthTag::Discovery"
    )]
    async fn openid_configuration(
        &self,
        tenant: Path<String>,
    ) -> Result<MetadataFound, ApiProblem> {
        self.metadata(&tenant).await
    }

    /// OAuth 2.0 authorization server metadata (RFC 8414)
    #[oai(
        path = "/.well-known/oauth-authorization-server/t/:tenant",
        method = "get",
        tag = "OAuthTag::Discovery"
    )]
    async fn oauth_metadata(&self, tenant: Path<String>) -> Result<MetadataFound, ApiProblem> {
        self.metadata(&tenant).await
    }
}
