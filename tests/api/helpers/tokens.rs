//! Tokens as third-party apps get them: the oauth2 crate over reqwest, registered clients,
//! the operator's token.

use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};

use super::TestApp;

/// oauth2's HTTP client interface, over reqwest.
pub async fn oauth_http(
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let response = reqwest::Client::new()
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut out = oauth2::HttpResponse::new(response.bytes().await?.to_vec());
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

pub type TokenError = oauth2::RequestTokenError<
    reqwest::Error,
    oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>,
>;

/// A registered client, as the admin API returned it.
#[derive(Debug, Clone)]
pub struct Registered {
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
}

impl TestApp {
    /// Gets a token the way a third-party app does: with the oauth2 crate.
    pub async fn try_token(
        &self,
        client: &Registered,
        scopes: &[&str],
        auth_type: AuthType,
    ) -> Result<String, TokenError> {
        let token_url = TokenUrl::new(self.url(&format!("/t/{}/oauth2/token", client.tenant)))
            .expect("token url");
        let oauth = BasicClient::new(ClientId::new(client.client_id.clone()))
            .set_client_secret(ClientSecret::new(client.client_secret.clone()))
            .set_auth_type(auth_type)
            .set_token_uri(token_url);
        let mut request = oauth.exchange_client_credentials();
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let response = request.request_async(&oauth_http).await?;
        Ok(response.access_token().secret().clone())
    }

    pub async fn token(&self, client: &Registered, scopes: &[&str]) -> String {
        self.try_token(client, scopes, AuthType::BasicAuth)
            .await
            .expect("a token")
    }

    /// Revokes `token` as `client` (RFC 7009, form-posted: the oauth2 crate revokes over https
    /// only, and the test platform speaks http), asserting the 200.
    pub async fn revoke(&self, client: &Registered, token: &str) {
        let response = self
            .http
            .post(self.url(&format!("/t/{}/oauth2/revoke", client.tenant)))
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .form(&[("token", token)])
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 200, "RFC 7009 answers 200");
    }

    pub fn operator(&self) -> Registered {
        Registered {
            tenant: "system".into(),
            client_id: "admin".into(),
            client_secret: self.admin_secret.clone(),
        }
    }

    pub async fn operator_token(&self) -> String {
        self.token(&self.operator(), &["platform:admin"]).await
    }
}

/// The claims of a JWT, unverified.
pub fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// The RFC 6749 error code of a refused token request.
pub fn error_code(err: TokenError) -> String {
    match err {
        oauth2::RequestTokenError::ServerResponse(r) => r.error().to_string(),
        other => panic!("expected an RFC 6749 error, got {other:?}"),
    }
}
