//! OpenID Connect UserInfo (Core §5.3), with the bearer token's errors of RFC 6750 §3.1.

use gatehouse_proto::ErrorChain;
use poem::Request;
use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;

use super::OAuthApi;
use super::errors::{NO_STORE, OAuthErrorBody, body};
use crate::service::UserinfoError;

/// The challenges of a 401 (RFC 6750 §3, RFC 9449 §7.1): Bearer and DPoP, the error on those
/// whose scheme it belongs to (a DPoP proof's errors on the DPoP challenge only).
fn challenge(error: Option<(&str, &str)>) -> String {
    let dpop_only = error.is_some_and(|(code, _)| code.contains("dpop"));
    let bearer = match error.filter(|_| !dpop_only) {
        Some((code, why)) => {
            let why = why.replace(['"', '\\'], "'");
            format!(r#"Bearer realm="gatehouse", error="{code}", error_description="{why}""#)
        }
        None => r#"Bearer realm="gatehouse""#.to_owned(),
    };
    format!("{bearer}, {}", gatehouse_proto::dpop_challenge(error))
}

#[derive(ApiResponse)]
pub(super) enum UserinfoResponse {
    /// The user's claims.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// No valid access token, or no valid DPoP proof for a DPoP-bound one.
    #[oai(status = 401)]
    Unauthorized(
        Json<OAuthErrorBody>,
        #[oai(header = "WWW-Authenticate")] String,
        /// With `use_dpop_nonce`: the nonce to retry with (RFC 9449 §9).
        #[oai(header = "DPoP-Nonce")]
        Option<String>,
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
        let presented = req
            .headers()
            .get(poem::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| {
                scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("dpop")
            })
            .map(|(scheme, token)| (scheme.eq_ignore_ascii_case("dpop"), token.trim()));
        let Some((dpop, token)) = presented else {
            return UserinfoResponse::Unauthorized(
                body("invalid_request", "a bearer token is required"),
                challenge(None),
                None,
            );
        };
        let result = async {
            let jkt = if dpop {
                let url = format!("{}/oauth2/userinfo", self.service.config().issuer(tenant));
                let method = (req.method().as_str(), url.as_str());
                let proof = self
                    .service
                    .dpop_proof(req.headers(), tenant, method, Some(token))
                    .await?;
                Some(proof.ok_or(gatehouse_proto::DpopError::NotAProof)?.jkt)
            } else {
                None
            };
            self.service.userinfo(tenant, token, jkt.as_deref()).await
        };
        match result.await {
            Ok(claims) => UserinfoResponse::Ok(Json(claims), NO_STORE.into()),
            Err(UserinfoError::InvalidToken(why)) => UserinfoResponse::Unauthorized(
                body("invalid_token", why),
                challenge(Some(("invalid_token", why))),
                None,
            ),
            Err(UserinfoError::Dpop(err)) => UserinfoResponse::Unauthorized(
                body(err.code(), err.to_string()),
                challenge(Some((err.code(), &err.to_string()))),
                self.service.dpop_nonce(tenant),
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
