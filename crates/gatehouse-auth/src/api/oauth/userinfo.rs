//! OpenID Connect UserInfo (Core §5.3), with the bearer token's errors of RFC 6750 §3.1.

use gatehouse_proto::ErrorChain;
use poem::Request;
use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;

use super::OAuthApi;
use super::errors::{NO_STORE, OAuthErrorBody, body};
use crate::service::UserinfoError;

#[derive(ApiResponse)]
pub(super) enum UserinfoResponse {
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

impl OAuthApi {
    /// Answers a UserInfo request with the claims the bearer token's user shares.
    #[tracing::instrument(skip_all, fields(tenant = %tenant))]
    pub(super) async fn userinfo_response(&self, req: &Request, tenant: &str) -> UserinfoResponse {
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
        match self.service.userinfo(tenant, &token).await {
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
                tracing::error!(error = %ErrorChain(&err), "userinfo failed");
                UserinfoResponse::Internal(body("server_error", "the server could not answer"))
            }
        }
    }
}
