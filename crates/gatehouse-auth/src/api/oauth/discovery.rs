//! What clients and resource servers discover: the tenant's JWK Set and its authorization
//! server metadata (RFC 8414, OpenID Connect Discovery).

use gatehouse_proto::{ApiProblem, ErrorChain, Problem, ProblemType};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use super::OAuthApi;

/// One public key (RFC 7517).
#[derive(Debug, Object, serde::Deserialize)]
pub(super) struct Jwk {
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
pub(super) struct Jwks {
    keys: Vec<Jwk>,
}

/// Authorization server metadata (RFC 8414 / OpenID Connect Discovery); lists only what this
/// server really supports.
#[derive(Debug, Object)]
pub(super) struct ServerMetadata {
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
    /// The algorithms of DPoP proofs (RFC 9449 §5.1).
    dpop_signing_alg_values_supported: Vec<String>,
    /// RFC 9207: authorization responses carry `iss`.
    authorization_response_iss_parameter_supported: bool,
    response_modes_supported: Vec<String>,
    prompt_values_supported: Vec<String>,
    /// RFC 9126.
    pushed_authorization_request_endpoint: String,
    /// RFC 9126 §5: every authorization request of this tenant must be pushed first.
    require_pushed_authorization_requests: bool,
    /// RFC 8628.
    device_authorization_endpoint: String,
    /// RFC 7591: where clients register themselves; only when the tenant's policy lets them.
    #[oai(skip_serializing_if_is_none)]
    registration_endpoint: Option<String>,
    /// Whether a `client_id` may be the https URL of the client's metadata document (Client ID
    /// Metadata Documents), per the tenant's policy.
    client_id_metadata_document_supported: bool,
}

#[derive(ApiResponse)]
pub(super) enum JwksFound {
    #[oai(status = 200)]
    Ok(Json<Jwks>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
pub(super) enum MetadataFound {
    #[oai(status = 200)]
    Ok(
        Json<ServerMetadata>,
        #[oai(header = "Cache-Control")] String,
    ),
}

impl OAuthApi {
    /// The tenant's public keys, as they are published.
    #[tracing::instrument(skip_all, fields(tenant = %tenant))]
    pub(super) async fn published_jwks(&self, tenant: &str) -> Result<JwksFound, ApiProblem> {
        let jwks = self.service.jwks(tenant).await?;
        let jwks: Jwks = serde_json::from_value(jwks).map_err(|e| {
            tracing::error!(error = %ErrorChain(&e), "stored JWK is malformed");
            ApiProblem::from(Problem::from(ProblemType::Internal))
        })?;
        Ok(JwksFound::Ok(Json(jwks), "public, max-age=300".into()))
    }

    /// The authorization server metadata, the same for both discovery documents.
    #[tracing::instrument(skip_all, fields(tenant = %tenant))]
    pub(super) async fn metadata(&self, tenant: &str) -> Result<MetadataFound, ApiProblem> {
        let tenant = self.service.get_tenant(tenant).await?;
        let issuer = self.service.config().issuer(&tenant.slug);
        let policy = crate::policy::OAuthPolicy::of(&tenant);
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Ok(MetadataFound::Ok(
            Json(ServerMetadata {
                authorization_endpoint: format!("{issuer}/oauth2/authorize"),
                token_endpoint: format!("{issuer}/oauth2/token"),
                userinfo_endpoint: format!("{issuer}/oauth2/userinfo"),
                introspection_endpoint: format!("{issuer}/oauth2/introspect"),
                revocation_endpoint: format!("{issuer}/oauth2/revoke"),
                pushed_authorization_request_endpoint: format!("{issuer}/oauth2/par"),
                device_authorization_endpoint: format!("{issuer}/oauth2/device_authorization"),
                require_pushed_authorization_requests: policy.require_pushed_authorization_requests,
                client_id_metadata_document_supported: policy.client_id_metadata_documents,
                registration_endpoint: (policy.registration.mode
                    != crate::policy::RegistrationMode::Closed)
                    .then(|| format!("{issuer}/oauth2/register")),
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
                id_token_signing_alg_values_supported: crate::service::keys::algorithms(&tenant)
                    .iter()
                    .map(|a| a.as_str().to_owned())
                    .collect(),
                code_challenge_methods_supported: strings(&["S256"]),
                dpop_signing_alg_values_supported: strings(&gatehouse_proto::DPOP_ALGORITHMS),
                authorization_response_iss_parameter_supported: true,
                response_modes_supported: strings(&["query"]),
                prompt_values_supported: strings(&["none", "login", "consent"]),
            }),
            "public, max-age=300".into(),
        ))
    }
}
