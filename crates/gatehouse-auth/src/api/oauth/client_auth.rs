//! Client authentication at the token, introspection and revocation endpoints: HTTP Basic,
//! a secret or a signed assertion in the form, or a public client's id alone.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::Request;

use crate::service::{ClientAuth, TokenError};

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
pub(super) struct FormCredentials {
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<String>,
    pub(super) client_assertion_type: Option<String>,
    pub(super) client_assertion: Option<String>,
}

const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How the client authenticated: HTTP Basic, a secret or a signed assertion in the form, or
/// (a public client) its id alone. More than one method is an error.
pub(super) fn client_auth(req: &Request, form: FormCredentials) -> Result<ClientAuth, TokenError> {
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
