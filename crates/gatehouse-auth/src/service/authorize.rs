//! The authorization code flow up to the code: the request, the user's sign-in and consent,
//! and the redirect back to the client (RFC 6749 §4.1, PKCE per RFC 7636, RFC 9700).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use url::{Host, Url};
use uuid::Uuid;

use super::AuthService;
use crate::entity::{authorization_request, client, code, consent, session, tenant, user};
use crate::error::AuthError;
use crate::secrets::{random_token, same, sha256_hex, verify_password};

/// How long a user may take to sign in and consent.
const REQUEST_TTL_SECONDS: i64 = 600;

/// What the browser is shown next.
#[derive(Debug)]
pub enum Outcome {
    /// An error page. Used when the client or its redirect URI cannot be trusted, so the
    /// user is never sent anywhere.
    Error {
        status: u16,
        title: String,
        detail: String,
    },
    Login(Box<PageContext>),
    Consent(Box<PageContext>),
    /// A redirect to the client, with a code or an error.
    Redirect(String),
}

/// What the login and consent pages show and post back.
#[derive(Debug)]
pub struct PageContext {
    pub request_id: String,
    /// The CSRF token of the page's form; only its hash is stored.
    pub csrf: String,
    pub tenant_name: String,
    pub client_name: String,
    pub scopes: Vec<String>,
    pub username: Option<String>,
    pub message: Option<String>,
    /// Where the form's answer may redirect to (for the page's `form-action` policy).
    pub redirect_uri: String,
}

/// A new browser session: the cookie's value, shown once.
#[derive(Debug)]
pub struct NewSession {
    pub cookie: String,
    pub max_age_seconds: i64,
    /// The browser's `gh_device` cookie: it signed in as this user here.
    pub device: String,
}

fn error_page(status: u16, title: &str, detail: impl Into<String>) -> Outcome {
    Outcome::Error {
        status,
        title: title.to_owned(),
        detail: detail.into(),
    }
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// Exact match with a registered redirect URI, except that a native app's loopback redirect
/// may use any port (RFC 8252 §7.3).
pub fn redirect_uri_matches(registered: &str, given: &str) -> bool {
    if registered == given {
        return true;
    }
    let (Ok(r), Ok(g)) = (Url::parse(registered), Url::parse(given)) else {
        return false;
    };
    r.scheme() == "http"
        && g.scheme() == "http"
        && is_loopback(&r)
        && r.host() == g.host()
        && r.path() == g.path()
        && r.query() == g.query()
        && r.fragment().is_none()
        && g.fragment().is_none()
        && g.username().is_empty()
        && g.password().is_none()
}

/// `uri` with the response parameters appended to its query.
fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    match Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (k, v) in params {
                    query.append_pair(k, v);
                }
            }
            url.to_string()
        }
        Err(_) => uri.to_owned(),
    }
}

fn is_pkce_value(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn split_scope(s: &str) -> Vec<String> {
    let mut scopes: Vec<String> = s
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// The checked parameters of an authorization request.
struct Checked {
    client: client::Model,
    redirect_uri: String,
    scope: Vec<String>,
    state: Option<String>,
    nonce: Option<String>,
    challenge: String,
    prompt: Vec<String>,
}

/// What a posted sign-in or consent form proves: which pending request it answers, with that
/// page's CSRF token, from which browser (its `gh_browser` cookie).
#[derive(Debug, Clone, Copy)]
pub struct FormProof<'a> {
    pub request_id: &'a str,
    pub csrf: &'a str,
    pub browser: Option<&'a str>,
    /// The browser's `gh_device` cookie, if it signed in here before.
    pub device: Option<&'a str>,
}

impl AuthService {
    /// `GET {issuer}/oauth2/authorize`, from the browser whose `gh_browser` cookie is `browser`.
    pub async fn authorize(
        &self,
        tenant_slug: &str,
        params: &[(String, String)],
        session_cookie: Option<&str>,
        browser: &str,
    ) -> Result<Outcome, AuthError> {
        let Some(tenant) = self.active_tenant(tenant_slug).await? else {
            return Ok(error_page(
                404,
                "Unknown organisation",
                "There is no such tenant.",
            ));
        };
        let checked = match self.check_request(&tenant, params).await? {
            Ok(checked) => checked,
            Err(outcome) => return Ok(outcome),
        };
        let issuer = self.config.issuer(&tenant.slug);
        let fail = |error: &str, description: &str| {
            let mut response = vec![("error", error), ("error_description", description)];
            if let Some(state) = &checked.state {
                response.push(("state", state));
            }
            response.push(("iss", &issuer));
            Outcome::Redirect(redirect_with(&checked.redirect_uri, &response))
        };
        let wants = |p: &str| checked.prompt.iter().any(|x| x == p);
        let session = match session_cookie {
            Some(cookie) if !wants("login") => self.valid_session(&tenant, cookie).await?,
            _ => None,
        };
        let csrf = random_token(24);
        let request = authorization_request::ActiveModel {
            id: Set(random_token(24)),
            tenant_id: Set(tenant.id),
            client_id: Set(checked.client.id),
            redirect_uri: Set(checked.redirect_uri.clone()),
            scope: Set(checked.scope.join(" ")),
            state: Set(checked.state.clone()),
            nonce: Set(checked.nonce.clone()),
            code_challenge: Set(checked.challenge.clone()),
            csrf_hash: Set(sha256_hex(&csrf)),
            user_id: Set(session.as_ref().map(|s| s.user_id)),
            expires_at: Set(Utc::now() + chrono::Duration::seconds(REQUEST_TTL_SECONDS)),
            browser_hash: Set(Some(sha256_hex(browser))),
            force_consent: Set(wants("consent")),
        }
        .insert(&self.db)
        .await?;
        match session {
            Some(session) => {
                if !wants("consent")
                    && self
                        .has_consent(session.user_id, checked.client.id, &checked.scope)
                        .await?
                {
                    return self
                        .finish(&tenant, request, session.user_id, session.auth_time)
                        .await;
                }
                if wants("none") {
                    return Ok(fail("consent_required", "the user has not consented"));
                }
                let user = user::Entity::find_by_id(session.user_id)
                    .one(&self.db)
                    .await?;
                let mut page = self.page(&tenant, &checked.client, &request, csrf);
                page.username = user.map(|u| u.username);
                Ok(Outcome::Consent(Box::new(page)))
            }
            None if wants("none") => Ok(fail("login_required", "the user is not signed in")),
            None => {
                let page = self.page(&tenant, &checked.client, &request, csrf);
                Ok(Outcome::Login(Box::new(page)))
            }
        }
    }

    /// Validates the request. Until the redirect URI is known to be the client's, problems are
    /// error pages; after that, error redirects (RFC 6749 §4.1.2.1).
    async fn check_request(
        &self,
        tenant: &tenant::Model,
        params: &[(String, String)],
    ) -> Result<Result<Checked, Outcome>, AuthError> {
        let mut seen = std::collections::HashSet::new();
        if let Some((dup, _)) = params.iter().find(|(k, _)| !seen.insert(k.as_str())) {
            return Ok(Err(error_page(
                400,
                "Invalid request",
                format!("The parameter '{dup}' is given more than once."),
            )));
        }
        let get = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let Some(client_id) = get("client_id") else {
            return Ok(Err(error_page(
                400,
                "Invalid request",
                "The request names no client.",
            )));
        };
        let Some(client) = self
            .find_client(tenant.id, client_id)
            .await?
            .filter(|c| !c.disabled)
        else {
            return Ok(Err(error_page(
                400,
                "Unknown application",
                "The application that sent you here is not registered with this organisation.",
            )));
        };
        let registered: Vec<&str> = client
            .redirect_uris
            .split(' ')
            .filter(|u| !u.is_empty())
            .collect();
        let redirect_uri = match (get("redirect_uri"), registered.as_slice()) {
            (Some(given), _) if registered.iter().any(|r| redirect_uri_matches(r, given)) => {
                given.to_owned()
            }
            (None, [only]) => (*only).to_owned(),
            _ => {
                return Ok(Err(error_page(
                    400,
                    "Invalid redirect",
                    "The application asked to return to an address it has not registered.",
                )));
            }
        };
        let state = get("state").map(str::to_owned);
        let redirect_error = |error: &str, description: &str| {
            let mut response = vec![("error", error), ("error_description", description)];
            if let Some(state) = &state {
                response.push(("state", state.as_str()));
            }
            let issuer = self.config.issuer(&tenant.slug);
            response.push(("iss", issuer.as_str()));
            Err(Outcome::Redirect(redirect_with(&redirect_uri, &response)))
        };
        if get("response_type") != Some("code") {
            return Ok(redirect_error(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
        if !client
            .grant_types
            .split(' ')
            .any(|g| g == "authorization_code")
        {
            return Ok(redirect_error(
                "unauthorized_client",
                "this client may not use the authorization code grant",
            ));
        }
        if get("code_challenge_method") != Some("S256") {
            return Ok(redirect_error(
                "invalid_request",
                "PKCE is required, with code_challenge_method=S256",
            ));
        }
        let challenge = match get("code_challenge") {
            Some(c) if is_pkce_value(c) => c.to_owned(),
            _ => {
                return Ok(redirect_error(
                    "invalid_request",
                    "code_challenge must be 43 to 128 characters of base64url",
                ));
            }
        };
        let too_long = |v: Option<&str>| v.is_some_and(|v| v.len() > 512);
        if too_long(get("state")) || too_long(get("nonce")) {
            return Ok(redirect_error(
                "invalid_request",
                "state and nonce are limited to 512 characters",
            ));
        }
        let allowed = split_scope(&client.scope);
        let scope = match get("scope") {
            None => allowed,
            Some(requested) => {
                let granted: Vec<String> = split_scope(requested)
                    .into_iter()
                    .filter(|s| allowed.contains(s))
                    .collect();
                if granted.is_empty() {
                    return Ok(redirect_error(
                        "invalid_scope",
                        "none of the requested scopes is allowed for this client",
                    ));
                }
                granted
            }
        };
        Ok(Ok(Checked {
            client,
            redirect_uri,
            scope,
            state,
            nonce: get("nonce").map(str::to_owned),
            challenge,
            prompt: get("prompt").map(split_scope).unwrap_or_default(),
        }))
    }

    fn page(
        &self,
        tenant: &tenant::Model,
        client: &client::Model,
        request: &authorization_request::Model,
        csrf: String,
    ) -> PageContext {
        PageContext {
            request_id: request.id.clone(),
            csrf,
            tenant_name: tenant.display_name.clone(),
            client_name: client.client_name.clone(),
            scopes: split_scope(&request.scope),
            username: None,
            message: None,
            redirect_uri: request.redirect_uri.clone(),
        }
    }

    async fn valid_session(
        &self,
        tenant: &tenant::Model,
        cookie: &str,
    ) -> Result<Option<session::Model>, AuthError> {
        Ok(session::Entity::find_by_id(sha256_hex(cookie))
            .filter(session::Column::TenantId.eq(tenant.id))
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await?)
    }

    async fn has_consent(
        &self,
        user_id: Uuid,
        client_id: Uuid,
        scope: &[String],
    ) -> Result<bool, AuthError> {
        let granted = consent::Entity::find()
            .filter(consent::Column::UserId.eq(user_id))
            .filter(consent::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?;
        Ok(granted.is_some_and(|c| {
            let granted = split_scope(&c.scope);
            scope.iter().all(|s| granted.contains(s))
        }))
    }

    /// The pending request a form answers, if it is live and the form's CSRF token is its own.
    async fn pending(
        &self,
        tenant: &tenant::Model,
        form: FormProof<'_>,
    ) -> Result<Result<authorization_request::Model, Outcome>, AuthError> {
        let FormProof {
            request_id,
            csrf,
            browser,
            ..
        } = form;
        let request = authorization_request::Entity::find_by_id(request_id.to_owned())
            .filter(authorization_request::Column::TenantId.eq(tenant.id))
            .one(&self.db)
            .await?;
        let Some(request) = request.filter(|r| r.expires_at > Utc::now()) else {
            return Ok(Err(error_page(
                400,
                "Sign-in expired",
                "This sign-in took too long or was already used. Go back to the application and start again.",
            )));
        };
        if !same(&sha256_hex(csrf), &request.csrf_hash) {
            return Ok(Err(error_page(
                403,
                "Form refused",
                "The form was not sent from this sign-in page (its security token is missing or stale).",
            )));
        }
        // Only the browser that opened the request may answer it: another site cannot sign a
        // visitor in with a request (and credentials) of its own.
        let same_browser = match (browser, &request.browser_hash) {
            (Some(cookie), Some(hash)) => same(&sha256_hex(cookie), hash),
            _ => false,
        };
        if !same_browser {
            return Ok(Err(error_page(
                403,
                "Form refused",
                "This sign-in was started in another browser. Go back to the application and start again here.",
            )));
        }
        Ok(Ok(request))
    }

    /// `POST {issuer}/oauth2/login`: the login form.
    pub async fn login(
        &self,
        tenant_slug: &str,
        form: FormProof<'_>,
        username: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<(Outcome, Option<NewSession>), AuthError> {
        let Some(tenant) = self.active_tenant(tenant_slug).await? else {
            return Ok((
                error_page(404, "Unknown organisation", "There is no such tenant."),
                None,
            ));
        };
        let request = match self.pending(&tenant, form).await? {
            Ok(r) => r,
            Err(outcome) => return Ok((outcome, None)),
        };
        let device = form
            .device
            .and_then(|cookie| self.device_of(&tenant.slug, username, cookie));
        let device = device.as_deref();
        match self
            .login_gate(&tenant.slug, username, address, device)
            .await
        {
            super::throttle::Gate::Locked => {
                tracing::warn!(tenant = %tenant.slug, "sign-in refused after repeated failures");
                return Ok((
                    error_page(
                        429,
                        "Too many failed sign-ins",
                        "Sign-in is paused for this account or network after repeated failures. Try again later.",
                    ),
                    None,
                ));
            }
            super::throttle::Gate::Slowed(wait) => tokio::time::sleep(wait).await,
            super::throttle::Gate::Open => {}
        }
        let found = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant.id))
            .filter(user::Column::Username.eq(username))
            .one(&self.db)
            .await?;
        let phc = found.as_ref().map(|u| u.password_hash.clone());
        let attempt = password.to_owned();
        // A bounded number of argon2 checks at once: a flood of sign-ins waits, then is told to
        // come back, rather than taking every core.
        let Ok(Ok(_permit)) = tokio::time::timeout(
            Duration::from_secs(5),
            self.password_checks.clone().acquire_owned(),
        )
        .await
        else {
            return Ok((
                error_page(
                    503,
                    "Too many sign-ins at once",
                    "The service is busy signing people in. Try again in a moment.",
                ),
                None,
            ));
        };
        // The span is made here, so that the blocking thread's work is part of this request.
        let span = tracing::info_span!("password.verify");
        let verified = tokio::task::spawn_blocking(move || {
            span.in_scope(|| verify_password(&attempt, phc.as_deref()))
        })
        .await
        .map_err(|e| AuthError::PasswordHash(e.to_string()))?;
        let client = client::Entity::find_by_id(request.client_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AuthError::NotFound("the client is gone".into()))?;
        // A disabled account fails like a wrong password: the form tells nobody it exists.
        let Some(user) = found.filter(|u| verified && !u.disabled) else {
            tracing::info!(tenant = %tenant.slug, "failed sign-in");
            self.record_login_failure(&tenant.slug, address).await;
            let csrf = self.renew_csrf(request.clone()).await?;
            let mut page = self.page(&tenant, &client, &request, csrf);
            page.username = Some(username.to_owned());
            page.message = Some("Wrong username or password.".into());
            return Ok((Outcome::Login(Box::new(page)), None));
        };
        self.clear_login_attempts(&tenant.slug, username, address, device)
            .await;
        let cookie = random_token(32);
        let now = Utc::now();
        let ttl = chrono::Duration::from_std(self.config.session_ttl).unwrap_or_default();
        session::ActiveModel {
            id_hash: Set(sha256_hex(&cookie)),
            tenant_id: Set(tenant.id),
            user_id: Set(user.id),
            auth_time: Set(now),
            expires_at: Set(now + ttl),
        }
        .insert(&self.db)
        .await?;
        let new_session = NewSession {
            cookie,
            max_age_seconds: ttl.num_seconds(),
            device: self.new_device_cookie(&tenant.slug, &user.username),
        };
        let scope = split_scope(&request.scope);
        if !request.force_consent && self.has_consent(user.id, client.id, &scope).await? {
            let outcome = self.finish(&tenant, request, user.id, now).await?;
            return Ok((outcome, Some(new_session)));
        }
        let mut active = request.clone().into_active_model();
        active.user_id = Set(Some(user.id));
        let request = active.update(&self.db).await?;
        let csrf = self.renew_csrf(request.clone()).await?;
        let mut page = self.page(&tenant, &client, &request, csrf);
        page.username = Some(user.username);
        Ok((Outcome::Consent(Box::new(page)), Some(new_session)))
    }

    /// `POST {issuer}/oauth2/consent`: the consent form.
    pub async fn consent(
        &self,
        tenant_slug: &str,
        form: FormProof<'_>,
        approve: bool,
        session_cookie: Option<&str>,
    ) -> Result<Outcome, AuthError> {
        let Some(tenant) = self.active_tenant(tenant_slug).await? else {
            return Ok(error_page(
                404,
                "Unknown organisation",
                "There is no such tenant.",
            ));
        };
        let request = match self.pending(&tenant, form).await? {
            Ok(r) => r,
            Err(outcome) => return Ok(outcome),
        };
        let session = match session_cookie {
            Some(cookie) => self.valid_session(&tenant, cookie).await?,
            None => None,
        };
        let Some(session) = session.filter(|s| Some(s.user_id) == request.user_id) else {
            return Ok(error_page(
                403,
                "Not signed in",
                "Sign in again from the application to give your consent.",
            ));
        };
        if !approve {
            authorization_request::Entity::delete_by_id(request.id.clone())
                .exec(&self.db)
                .await?;
            let issuer = self.config.issuer(&tenant.slug);
            let mut response = vec![
                ("error", "access_denied"),
                ("error_description", "the user denied the request"),
            ];
            if let Some(state) = &request.state {
                response.push(("state", state));
            }
            response.push(("iss", &issuer));
            return Ok(Outcome::Redirect(redirect_with(
                &request.redirect_uri,
                &response,
            )));
        }
        self.remember_consent(&tenant, session.user_id, request.client_id, &request.scope)
            .await?;
        self.finish(&tenant, request, session.user_id, session.auth_time)
            .await
    }

    async fn remember_consent(
        &self,
        tenant: &tenant::Model,
        user_id: Uuid,
        client_id: Uuid,
        scope: &str,
    ) -> Result<(), AuthError> {
        let existing = consent::Entity::find()
            .filter(consent::Column::UserId.eq(user_id))
            .filter(consent::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?;
        match existing {
            Some(row) => {
                let mut scopes = split_scope(&row.scope);
                scopes.extend(split_scope(scope));
                scopes.sort();
                scopes.dedup();
                let mut active = row.into_active_model();
                active.scope = Set(scopes.join(" "));
                active.update(&self.db).await?;
            }
            None => {
                consent::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant.id),
                    user_id: Set(user_id),
                    client_id: Set(client_id),
                    scope: Set(scope.to_owned()),
                    created_at: Set(Utc::now()),
                }
                .insert(&self.db)
                .await?;
            }
        }
        Ok(())
    }

    async fn renew_csrf(&self, request: authorization_request::Model) -> Result<String, AuthError> {
        let csrf = random_token(24);
        let mut active = request.into_active_model();
        active.csrf_hash = Set(sha256_hex(&csrf));
        active.update(&self.db).await?;
        Ok(csrf)
    }

    /// Issues the code for a consented request and redirects to the client with it. The
    /// pending request is used up.
    async fn finish(
        &self,
        tenant: &tenant::Model,
        request: authorization_request::Model,
        user_id: Uuid,
        auth_time: DateTime<Utc>,
    ) -> Result<Outcome, AuthError> {
        let code = random_token(32);
        let ttl = chrono::Duration::from_std(self.config.code_ttl).unwrap_or_default();
        code::ActiveModel {
            code_hash: Set(sha256_hex(&code)),
            tenant_id: Set(tenant.id),
            client_id: Set(request.client_id),
            user_id: Set(user_id),
            redirect_uri: Set(request.redirect_uri.clone()),
            scope: Set(request.scope.clone()),
            nonce: Set(request.nonce.clone()),
            code_challenge: Set(request.code_challenge.clone()),
            auth_time: Set(auth_time),
            expires_at: Set(Utc::now() + ttl),
            used_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        authorization_request::Entity::delete_by_id(request.id.clone())
            .exec(&self.db)
            .await?;
        let issuer = self.config.issuer(&tenant.slug);
        let mut response = vec![("code", code.as_str())];
        if let Some(state) = &request.state {
            response.push(("state", state));
        }
        response.push(("iss", &issuer));
        Ok(Outcome::Redirect(redirect_with(
            &request.redirect_uri,
            &response,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_may_change_port_and_nothing_else() {
        let registered = "http://127.0.0.1/callback";
        assert!(redirect_uri_matches(
            registered,
            "http://127.0.0.1:51234/callback"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "http://127.0.0.1:51234/other"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "http://evil.example:51234/callback"
        ));
        assert!(!redirect_uri_matches(
            "https://app.example/cb",
            "https://app.example:444/cb"
        ));
        assert!(!redirect_uri_matches(
            "https://app.example/cb",
            "https://app.example/cb/"
        ));
        assert!(redirect_uri_matches(
            "https://app.example/cb",
            "https://app.example/cb"
        ));
    }
}
