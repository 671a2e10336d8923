//! OpenID Connect UserInfo (Core §5.3).

use crate::error::AuthError;
use crate::service::AuthService;

/// Why the UserInfo endpoint refused a token (RFC 6750 §3.1).
#[derive(Debug, thiserror::Error)]
pub enum UserinfoError {
    #[error("{0}")]
    InvalidToken(&'static str),
    #[error("the token lacks the openid scope")]
    InsufficientScope,
    /// The DPoP proof (RFC 9449 §7.1) is missing, invalid, or for another key.
    #[error(transparent)]
    Dpop(#[from] gatehouse_proto::DpopError),
    #[error(transparent)]
    Internal(#[from] AuthError),
}

impl AuthService {
    /// OpenID Connect UserInfo (Core §5.3): the claims of the user an access token with the
    /// `openid` scope speaks for. `jkt` is the key of the request's checked DPoP proof, when
    /// the token came with the `DPoP` scheme: a DPoP-bound token needs it, and only it.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug))]
    pub async fn userinfo(
        &self,
        tenant_slug: &str,
        token: &str,
        jkt: Option<&str>,
    ) -> Result<serde_json::Value, UserinfoError> {
        let tenant = self
            .active_tenant(tenant_slug)
            .await?
            .ok_or(UserinfoError::InvalidToken("no such tenant"))?;
        let claims =
            self.live_access_token(&tenant, token)
                .await?
                .ok_or(UserinfoError::InvalidToken(
                    "the token is not valid here, or has been revoked",
                ))?;
        match (claims.cnf.as_ref().map(|c| c.jkt.as_str()), jkt) {
            (None, None) => {}
            (Some(bound), Some(proved)) if bound == proved => {}
            (Some(_), Some(_)) => return Err(gatehouse_proto::DpopError::WrongKey.into()),
            (Some(_), None) => {
                return Err(UserinfoError::InvalidToken(
                    "a DPoP-bound token needs the DPoP scheme and a proof",
                ));
            }
            (None, Some(_)) => {
                return Err(UserinfoError::InvalidToken(
                    "the token is not DPoP-bound: present it as a Bearer token",
                ));
            }
        }
        if !claims.scope.split(' ').any(|s| s == "openid") {
            return Err(UserinfoError::InsufficientScope);
        }
        let user_id = uuid::Uuid::parse_str(&claims.sub)
            .map_err(|_| UserinfoError::InvalidToken("the token does not speak for a user"))?;
        let mut body = serde_json::json!({ "sub": claims.sub });
        self.user_claims(user_id, &claims.scope, &mut body).await?;
        Ok(body)
    }
}
