//! What a client may register: RFC 7591 metadata, as far as this release supports it, and the
//! rules each field and the fields together must follow.

use gatehouse_proto::FieldError;

use crate::error::AuthError;
use crate::service::{PLATFORM_ADMIN_SCOPE, SYSTEM_TENANT};

#[derive(Default)]
pub struct NewClient {
    pub client_name: String,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    /// Space separated scopes the client may be granted.
    pub scope: String,
    /// `client_secret_basic` when `None`.
    pub token_endpoint_auth_method: Option<String>,
    /// OpenID Connect: the algorithm of the client's ID tokens; RS256 when `None`.
    pub id_token_signed_response_alg: Option<String>,
    /// For `private_key_jwt`: the client's public keys (a JWK Set).
    pub jwks: Option<serde_json::Value>,
    /// `jwt` when `None`, or `opaque`.
    pub access_token_format: Option<String>,
    /// May introspect every access token of the tenant.
    pub resource_server: bool,
    /// Its authorization requests must be pushed first (RFC 9126 §6).
    pub require_pushed_authorization_requests: bool,
    /// Its access tokens must be DPoP-bound (RFC 9449 §5.2).
    pub dpop_bound_access_tokens: bool,
}

/// The device authorization grant (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub const SUPPORTED_GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "client_credentials",
    DEVICE_CODE_GRANT,
    crate::service::TOKEN_EXCHANGE_GRANT,
];
pub const SUPPORTED_AUTH_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
];

/// A redirect URI a client may register: `https`, `http` on a loopback address (RFC 8252 §7.3),
/// or a private-use scheme in reverse-domain form (RFC 8252 §7.1), with no fragment.
pub fn redirect_uri_problem(uri: &str) -> Option<&'static str> {
    let Ok(parsed) = url::Url::parse(uri) else {
        return Some("must be an absolute URI");
    };
    if parsed.fragment().is_some() {
        return Some("must not have a fragment");
    }
    match parsed.scheme() {
        "https" => None,
        "http" if crate::service::authorize::is_loopback(&parsed) => None,
        "http" => Some("http is allowed only for loopback addresses; use https"),
        scheme if scheme.contains('.') => None,
        _ => Some("a private-use scheme must be in reverse-domain form, such as com.example.app"),
    }
}

/// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
pub fn is_scope_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// A client's JWK Set: public keys only, each with a `kid` and an `alg` this server verifies.
fn check_client_jwks(jwks: &serde_json::Value) -> Result<(), String> {
    let set: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(jwks.clone()).map_err(|e| format!("not a JWK Set: {e}"))?;
    if set.keys.is_empty() || set.keys.len() > 10 {
        return Err("must hold 1 to 10 keys".into());
    }
    for key in &set.keys {
        if key.common.key_id.is_none() {
            return Err("every key needs a kid".into());
        }
        let supported = matches!(
            key.common.key_algorithm,
            Some(jsonwebtoken::jwk::KeyAlgorithm::RS256 | jsonwebtoken::jwk::KeyAlgorithm::ES256)
        );
        if !supported {
            return Err("every key needs an alg: RS256 or ES256".into());
        }
        if jwks.to_string().contains("\"d\"") {
            return Err("register public keys only".into());
        }
        if jsonwebtoken::DecodingKey::from_jwk(key).is_err() {
            return Err("a key is not usable".into());
        }
    }
    Ok(())
}

/// A client's longest name, in characters.
pub const CLIENT_NAME_MAX_CHARS: usize = 200;
/// The most redirect URIs a client registers, and the longest one.
pub const REDIRECT_URIS_MAX: usize = 20;
pub const REDIRECT_URI_MAX_CHARS: usize = 2000;
/// The longest `scope` a client registers.
pub const SCOPE_MAX_CHARS: usize = 2000;
/// A `scope`: scope tokens (RFC 6749 §3.3) separated by spaces.
pub const SCOPE_PATTERN: &str = "^[!#-\\[\\]-~ ]*$";
pub const ACCESS_TOKEN_FORMATS: [&str; 2] = ["jwt", "opaque"];
pub const ID_TOKEN_ALGS: [&str; 2] = ["RS256", "ES256"];

impl NewClient {
    /// Each field alone (400: what the OpenAPI document says), then the fields together and
    /// the platform's policy on redirect URIs, scopes and keys (422).
    pub(super) fn validate(&self, tenant_slug: &str) -> Result<(), AuthError> {
        let malformed = self.malformed();
        if !malformed.is_empty() {
            return Err(AuthError::Invalid(malformed));
        }
        let unprocessable = self.unprocessable(tenant_slug);
        if !unprocessable.is_empty() {
            return Err(AuthError::Unprocessable(unprocessable));
        }
        Ok(())
    }

    /// The fields that break a rule of their own, as the OpenAPI document states it.
    fn malformed(&self) -> Vec<FieldError> {
        let mut malformed = Vec::new();
        let mut wrong =
            |field: &str, reason: String| malformed.push(FieldError::new(field, reason));
        let name = &self.client_name;
        if name.trim().is_empty() || name.chars().count() > CLIENT_NAME_MAX_CHARS {
            wrong(
                "client_name",
                format!("must be 1 to {CLIENT_NAME_MAX_CHARS} characters, not blank"),
            );
        }
        if self.grant_types.is_empty() {
            wrong("grant_types", "must name at least one grant type".into());
        }
        for grant in &self.grant_types {
            if !SUPPORTED_GRANT_TYPES.contains(&grant.as_str()) {
                wrong(
                    "grant_types",
                    format!(
                        "'{grant}' is not supported; supported: {}",
                        SUPPORTED_GRANT_TYPES.join(", ")
                    ),
                );
            }
        }
        if let Some(format) = &self.access_token_format
            && !ACCESS_TOKEN_FORMATS.contains(&format.as_str())
        {
            wrong(
                "access_token_format",
                format!("'{format}' is not supported; supported: jwt, opaque"),
            );
        }
        if let Some(alg) = &self.id_token_signed_response_alg
            && !ID_TOKEN_ALGS.contains(&alg.as_str())
        {
            wrong(
                "id_token_signed_response_alg",
                format!("'{alg}' is not supported; supported: RS256, ES256"),
            );
        }
        if self.redirect_uris.len() > REDIRECT_URIS_MAX {
            wrong("redirect_uris", format!("at most {REDIRECT_URIS_MAX}"));
        }
        if self
            .redirect_uris
            .iter()
            .any(|uri| uri.chars().count() > REDIRECT_URI_MAX_CHARS)
        {
            wrong(
                "redirect_uris",
                format!("each at most {REDIRECT_URI_MAX_CHARS} characters"),
            );
        }
        if self.scope.chars().count() > SCOPE_MAX_CHARS {
            wrong(
                "scope",
                format!("must be at most {SCOPE_MAX_CHARS} characters"),
            );
        }
        for token in self.scope.split(' ').filter(|t| !t.is_empty()) {
            if !is_scope_token(token) {
                wrong("scope", format!("'{token}' is not a valid scope token"));
            }
        }
        if let Some(method) = &self.token_endpoint_auth_method
            && !SUPPORTED_AUTH_METHODS.contains(&method.as_str())
        {
            wrong(
                "token_endpoint_auth_method",
                format!(
                    "'{method}' is not supported; supported: {}",
                    SUPPORTED_AUTH_METHODS.join(", ")
                ),
            );
        }
        malformed
    }

    /// The fields that disagree with each other, or with the platform's policy.
    fn unprocessable(&self, tenant_slug: &str) -> Vec<FieldError> {
        let mut unprocessable = Vec::new();
        let mut wrong = |field: &str, reason: String| {
            unprocessable.push(FieldError::new(field, reason));
        };
        let grants = |g: &str| self.grant_types.iter().any(|x| x == g);
        let method = self
            .token_endpoint_auth_method
            .as_deref()
            .unwrap_or("client_secret_basic");
        if grants("authorization_code") && self.redirect_uris.is_empty() {
            wrong(
                "redirect_uris",
                "the authorization_code grant needs at least one redirect URI".into(),
            );
        }
        if !grants("authorization_code") && !self.redirect_uris.is_empty() {
            wrong(
                "redirect_uris",
                "only the authorization_code grant uses redirect URIs".into(),
            );
        }
        if grants("refresh_token") && !grants("authorization_code") && !grants(DEVICE_CODE_GRANT) {
            wrong(
                "grant_types",
                "refresh_token comes with authorization_code or the device code grant".into(),
            );
        }
        if method == "none" && grants("client_credentials") {
            wrong(
                "grant_types",
                "a public client (token_endpoint_auth_method none) cannot use client_credentials"
                    .into(),
            );
        }
        match (method, &self.jwks) {
            ("private_key_jwt", None) => wrong(
                "jwks",
                "private_key_jwt needs the client's public keys".into(),
            ),
            ("private_key_jwt", Some(jwks)) => {
                if let Err(reason) = check_client_jwks(jwks) {
                    wrong("jwks", reason);
                }
            }
            (_, Some(_)) => wrong("jwks", "only private_key_jwt clients register keys".into()),
            (_, None) => {}
        }
        for uri in &self.redirect_uris {
            if let Some(reason) = redirect_uri_problem(uri) {
                wrong("redirect_uris", format!("'{uri}' {reason}"));
            }
        }
        if tenant_slug != SYSTEM_TENANT && self.scope.split(' ').any(|t| t == PLATFORM_ADMIN_SCOPE)
        {
            wrong(
                "scope",
                format!("'{PLATFORM_ADMIN_SCOPE}' is only for the system tenant"),
            );
        }
        unprocessable
    }
}
