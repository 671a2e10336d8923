//! Signing in as a third-party app makes a person do it: an app registered in a tenant with a
//! user `ada`, its authorization URL, then the login and consent pages.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenUrl,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Browser, Form, TestApp, oauth_http, query};

pub const REDIRECT: &str = "https://app.example/callback";
pub const PASSWORD: &str = "correct horse battery staple";

/// A third-party app registered in a tenant.
pub struct App {
    pub tenant: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect: String,
}

impl TestApp {
    /// A tenant with a user `ada` and an app allowed `scope`; `metadata` overrides the app's.
    pub async fn app_with(&self, tenant: &str, metadata: Value) -> App {
        if self
            .http
            .get(self.url(&format!("/t/{tenant}/jwks.json")))
            .send()
            .await
            .expect("jwks")
            .status()
            == 404
        {
            self.create_tenant(tenant).await;
            let operator = self.operator_token().await;
            let user = self
                .post(
                    &format!("/t/{tenant}/admin/v1/users"),
                    &operator,
                    json!({"username": "ada", "password": PASSWORD, "email": "ada@example.com"}),
                )
                .await;
            assert_eq!(user.status(), 201);
        }
        let mut body = json!({
            "client_name": "Photo Printer",
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [REDIRECT],
            "scope": "openid offline_access products:read",
        });
        if let (Some(base), Some(extra)) = (body.as_object_mut(), metadata.as_object()) {
            base.extend(extra.clone());
        }
        let operator = self.operator_token().await;
        let response = self
            .post(&format!("/t/{tenant}/admin/v1/clients"), &operator, body)
            .await;
        assert_eq!(response.status(), 201, "register the app");
        let client: Value = response.json().await.expect("json");
        App {
            tenant: tenant.to_owned(),
            client_id: client["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: client["client_secret"].as_str().map(str::to_owned),
            redirect: client["redirect_uris"][0]
                .as_str()
                .expect("redirect")
                .to_owned(),
        }
    }

    pub fn oauth_client(
        &self,
        app: &App,
    ) -> oauth2::Client<
        oauth2::basic::BasicErrorResponse,
        oauth2::basic::BasicTokenResponse,
        oauth2::basic::BasicTokenIntrospectionResponse,
        oauth2::StandardRevocableToken,
        oauth2::basic::BasicRevocationErrorResponse,
        oauth2::EndpointSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    > {
        let issuer = self.url(&format!("/t/{}", app.tenant));
        let mut client = BasicClient::new(ClientId::new(app.client_id.clone()))
            .set_auth_uri(AuthUrl::new(format!("{issuer}/oauth2/authorize")).expect("url"))
            .set_token_uri(TokenUrl::new(format!("{issuer}/oauth2/token")).expect("url"))
            .set_redirect_uri(RedirectUrl::new(app.redirect.clone()).expect("url"));
        if let Some(secret) = &app.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        client
    }

    /// Exchanges a code with its PKCE verifier through the oauth2 crate.
    pub async fn exchange(
        &self,
        app: &App,
        code: String,
        verifier: PkceCodeVerifier,
    ) -> oauth2::basic::BasicTokenResponse {
        self.oauth_client(app)
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&oauth_http)
            .await
            .expect("the code is exchanged")
    }

    /// Ada signs in with a new browser and approves; the app exchanges the code for tokens.
    pub async fn user_tokens(
        &self,
        app: &App,
        scopes: &[&str],
    ) -> oauth2::basic::BasicTokenResponse {
        let (code, verifier) = self.authorize(app, &Browser::new(), scopes).await;
        self.exchange(app, code, verifier).await
    }

    /// Runs the flow up to the redirect: the app's authorization URL, the login form, the
    /// consent form (approved). Returns the code and the PKCE verifier.
    pub async fn authorize(
        &self,
        app: &App,
        browser: &Browser,
        scopes: &[&str],
    ) -> (String, PkceCodeVerifier) {
        self.authorize_with(app, browser, scopes, &[]).await
    }

    /// The app's authorization URL with a fresh PKCE challenge, asking for `scopes` with
    /// `extra` parameters; its state and the PKCE verifier.
    pub fn authorization_url(
        &self,
        app: &App,
        scopes: &[&str],
        extra: &[(&str, &str)],
    ) -> (url::Url, CsrfToken, PkceCodeVerifier) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.oauth_client(app);
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge);
        for (name, value) in extra {
            request = request.add_extra_param(*name, *value);
        }
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let (url, state) = request.url();
        (url, state, verifier)
    }

    /// `authorize` with extra parameters on the authorization request (`nonce`, say).
    pub async fn authorize_with(
        &self,
        app: &App,
        browser: &Browser,
        scopes: &[&str],
        extra: &[(&str, &str)],
    ) -> (String, PkceCodeVerifier) {
        let (url, state, verifier) = self.authorization_url(app, scopes, extra);
        let params = self.approve_at(app, browser, url.as_str()).await;
        assert_eq!(
            params.get("state"),
            Some(state.secret()),
            "state is carried through"
        );
        (params["code"].clone(), verifier)
    }

    /// Ada signs in and approves at the authorization URL `url`; the parameters of the
    /// redirect back to the app.
    pub async fn approve_at(
        &self,
        app: &App,
        browser: &Browser,
        url: &str,
    ) -> std::collections::HashMap<String, String> {
        let mut response = browser.http.get(url).send().await.expect("authorize");
        let mut page_url = url.to_owned();
        if response.status() == StatusCode::OK {
            let html = response.text().await.expect("login page");
            assert!(html.contains("name=\"password\""), "the login page: {html}");
            page_url = self.url(&format!("/t/{}/oauth2/login", app.tenant));
            response = browser.sign_in(self, &app.tenant, &Form::of(&html)).await;
        }
        if response.status() == StatusCode::OK {
            let html = response.text().await.expect("consent page");
            assert!(
                html.contains("value=\"approve\""),
                "the consent page: {html}"
            );
            response = browser
                .consent(self, &app.tenant, &Form::of(&html), "approve")
                .await;
        }
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "redirected back from {page_url}"
        );
        let location = response.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned();
        assert!(location.starts_with(&app.redirect), "{location}");
        let params = query(&location);
        assert_eq!(
            params.get("iss"),
            Some(&self.url(&format!("/t/{}", app.tenant))),
            "RFC 9207 iss"
        );
        params
    }
}
