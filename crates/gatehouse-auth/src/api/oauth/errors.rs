//! The RFC 6749 §5.2 error responses of the token, introspection and revocation endpoints:
//! JSON, not problem documents, and never cached.

use gatehouse_proto::ErrorChain;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object};

use crate::service::TokenError;

/// An error response (RFC 6749 §5.2).
#[derive(Debug, Object)]
pub(crate) struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `invalid_target` (RFC 8707),
    /// `unsupported_response_type` (pushed authorization requests), `authorization_pending`,
    /// `slow_down`, `expired_token`, `access_denied` (the device code grant),
    /// `invalid_dpop_proof`, `use_dpop_nonce` (RFC 9449),
    /// `temporarily_unavailable` or `server_error`.
    error: String,
    #[oai(skip_serializing_if_is_none)]
    error_description: Option<String>,
}

/// The answers of the token, introspection and revocation endpoints: the result
/// (`TokenBody`, `IntrospectionBody`), or an RFC 6749 error.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "malformed_token_request")]
pub(super) enum TokenResponse<T: ToJSON> {
    /// The endpoint's result: the issued token, the token's introspection (RFC 7662), or
    /// the revocation's empty answer (RFC 7009: also for tokens that were not valid).
    #[oai(status = 200)]
    Ok(
        Json<T>,
        #[oai(header = "Cache-Control")] String,
        /// `no-cache`, on issued tokens.
        #[oai(header = "Pragma")]
        Option<String>,
        /// To a request with a DPoP proof: the nonce its next proof must carry (RFC 9449 §8).
        #[oai(header = "DPoP-Nonce")]
        Option<String>,
    ),
    /// The request is malformed, or the grant or scope is not acceptable.
    #[oai(status = 400)]
    BadRequest(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
        /// With `use_dpop_nonce` (and any refusal of a request with a DPoP proof): the nonce to
        /// retry with (RFC 9449 §8).
        #[oai(header = "DPoP-Nonce")]
        Option<String>,
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
    /// `temporarily_unavailable`: the database cannot be reached for a moment (a restart, a
    /// failover); nothing was changed. `Retry-After` says when to try again.
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

pub(super) fn body(error: &str, description: impl Into<String>) -> Json<OAuthErrorBody> {
    Json(OAuthErrorBody {
        error: error.to_owned(),
        error_description: Some(description.into()),
    })
}

pub(super) const NO_STORE: &str = "no-store";

impl<T: ToJSON> TokenResponse<T> {
    /// The answer with the DPoP nonce the client's next proof must carry.
    pub(super) fn with_dpop_nonce(mut self, nonce: Option<String>) -> Self {
        if let Self::Ok(.., slot) | Self::BadRequest(_, _, slot) = &mut self {
            *slot = nonce;
        }
        self
    }
}

fn malformed_token_request<T: ToJSON>(err: poem::Error) -> TokenResponse<T> {
    TokenResponse::BadRequest(
        body("invalid_request", err.to_string()),
        NO_STORE.into(),
        None,
    )
}

impl<T: ToJSON> From<TokenError> for TokenResponse<T> {
    fn from(err: TokenError) -> Self {
        let bad = |code: &str, description: String| {
            TokenResponse::BadRequest(body(code, description), NO_STORE.into(), None)
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
            TokenError::InvalidTarget(d) => bad("invalid_target", d),
            TokenError::UnsupportedResponseType(d) => bad("unsupported_response_type", d),
            TokenError::Dpop(err) => bad(err.code(), err.to_string()),
            err @ (TokenError::AuthorizationPending
            | TokenError::SlowDown
            | TokenError::ExpiredToken
            | TokenError::AccessDenied) => bad(err.code(), err.to_string()),
            TokenError::UnsupportedGrantType => bad(
                "unsupported_grant_type",
                "supported grant types: authorization_code, refresh_token, client_credentials, \
                 urn:ietf:params:oauth:grant-type:device_code"
                    .into(),
            ),
            TokenError::Internal(err) if err.is_unavailable() => {
                tracing::warn!(error = %ErrorChain(&err), "token endpoint: the database is unavailable");
                TokenResponse::Unavailable(
                    body(
                        "temporarily_unavailable",
                        "the server cannot answer for a moment; retry after the time in Retry-After",
                    ),
                    gatehouse_proto::RETRY_AFTER_SECONDS,
                    NO_STORE.into(),
                )
            }
            TokenError::Internal(err) => {
                tracing::error!(error = %ErrorChain(&err), "token endpoint failed");
                TokenResponse::Internal(
                    body("server_error", "the server could not issue a token"),
                    NO_STORE.into(),
                )
            }
        }
    }
}
