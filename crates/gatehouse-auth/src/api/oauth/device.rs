//! The device authorization endpoint (RFC 8628 §3.1, §3.2).

use poem::Request;
use poem_openapi::Object;
use poem_openapi::payload::Json;

use super::OAuthApi;
use super::client_auth::{FormCredentials, client_auth};
use super::errors::{NO_STORE, TokenResponse};
use crate::service::TokenError;

/// A device's request for a user code, form encoded, with the client's authentication as at
/// the token endpoint (a public client sends its `client_id`).
#[derive(Debug, Object, serde::Deserialize)]
pub(super) struct DeviceAuthorizationRequest {
    client_id: Option<String>,
    /// Space-separated scopes; all the client may have when absent.
    scope: Option<String>,
    /// The resource the tokens are for (RFC 8707).
    resource: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
}

/// What the device shows its user, and how it polls (RFC 8628 §3.2).
#[derive(Debug, Object)]
pub(super) struct DeviceAuthorizationBody {
    /// For the device's polls of the token endpoint
    /// (`grant_type=urn:ietf:params:oauth:grant-type:device_code`).
    device_code: String,
    /// The code the person types: `XXXX-XXXX`.
    user_code: String,
    /// Where the person goes, on a phone or computer.
    verification_uri: String,
    /// The same, with the code filled in (for a QR code).
    verification_uri_complete: String,
    /// Seconds until both codes expire.
    expires_in: i64,
    /// Seconds to wait between polls.
    interval: i32,
}

impl OAuthApi {
    pub(super) async fn device_authorization_response(
        &self,
        req: &Request,
        tenant: &str,
        form: DeviceAuthorizationRequest,
    ) -> TokenResponse<DeviceAuthorizationBody> {
        match self.authorize_device(req, tenant, form).await {
            Ok(body) => TokenResponse::Ok(Json(body), NO_STORE.into(), None, None),
            Err(err) => err.into(),
        }
    }

    async fn authorize_device(
        &self,
        req: &Request,
        tenant: &str,
        form: DeviceAuthorizationRequest,
    ) -> Result<DeviceAuthorizationBody, TokenError> {
        let auth = client_auth(
            req,
            FormCredentials {
                client_id: form.client_id,
                client_secret: form.client_secret,
                client_assertion_type: form.client_assertion_type,
                client_assertion: form.client_assertion,
            },
        )?;
        let granted = self
            .service
            .device_authorization(tenant, auth, form.scope, form.resource)
            .await?;
        let verification_uri = format!("{}/oauth2/device", self.service.config().issuer(tenant));
        let mut complete = url::Url::parse(&verification_uri)
            .map_err(|e| TokenError::InvalidRequest(format!("no verification URI: {e}")))?;
        complete
            .query_pairs_mut()
            .append_pair("user_code", &granted.user_code);
        Ok(DeviceAuthorizationBody {
            device_code: granted.device_code,
            user_code: granted.user_code,
            verification_uri_complete: complete.to_string(),
            verification_uri,
            expires_in: granted.expires_in,
            interval: granted.interval,
        })
    }
}
