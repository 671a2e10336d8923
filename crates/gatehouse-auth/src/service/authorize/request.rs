//! `GET {issuer}/oauth2/authorize`: the request is checked, then the browser signs in, gives
//! its consent, or goes straight back to the client with a code.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{
    Outcome, error_page, redirect_to_client, redirect_uri_matches, split_scope, unknown_tenant_page,
};
use crate::entity::{authorization_request, client, consent, session, tenant, user};
use crate::error::AuthError;
use crate::policy::OAuthPolicy;
use crate::secrets::{random_token, sha256_hex};
use crate::service::AuthService;

/// How long a user may take to sign in and consent.
const REQUEST_TTL_SECONDS: i64 = 600;

/// The most resources (RFC 8707) one authorization request may name.
const MAX_RESOURCES: usize = 4;

/// The checked parameters of an authorization request.
pub(super) struct Checked {
    client: client::Model,
    redirect_uri: String,
    scope: Vec<String>,
    state: Option<String>,
    nonce: Option<String>,
    challenge: String,
    prompt: Vec<String>,
    /// The resources the tokens may be aimed at (RFC 8707), space separated.
    resources: Option<String>,
    /// The DPoP key the code is bound to (RFC 9449 §10).
    dpop_jkt: Option<String>,
}

fn is_pkce_value(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl AuthService {
    /// `GET {issuer}/oauth2/authorize`, from the browser whose `gh_browser` cookie is `browser`.
    #[tracing::instrument(skip_all, fields(tenant = %tenant_slug))]
    pub async fn authorize(
        &self,
        tenant_slug: &str,
        params: &[(String, String)],
        session_cookie: Option<&str>,
        browser: &str,
    ) -> Result<Outcome, AuthError> {
        let Some(tenant) = self.active_tenant(tenant_slug).await? else {
            return Ok(unknown_tenant_page());
        };
        // A pushed request (RFC 9126) brings its parameters; the URL's others are ignored.
        let (params, pushed) = match self.pushed_parameters(&tenant, params).await? {
            Ok(Some(stored)) => (stored, true),
            Ok(None) => (params.to_vec(), false),
            Err(page) => return Ok(page),
        };
        let checked = match self.check_request(&tenant, &params, pushed).await? {
            Ok(checked) => checked,
            Err(outcome) => return Ok(outcome),
        };
        let issuer = self.config.issuer(&tenant.slug);
        let fail = |error: &str, description: &str| {
            redirect_to_client(
                &checked.redirect_uri,
                &[("error", error), ("error_description", description)],
                checked.state.as_deref(),
                &issuer,
            )
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
            resources: Set(checked.resources.clone()),
            device_code_hash: Set(None),
            dpop_jkt: Set(checked.dpop_jkt.clone()),
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

    /// Validates the request, `pushed` first or not. Until the redirect URI is known to be the
    /// client's, problems are error pages; after that, error redirects (RFC 6749 §4.1.2.1).
    async fn check_request(
        &self,
        tenant: &tenant::Model,
        params: &[(String, String)],
        pushed: bool,
    ) -> Result<Result<Checked, Outcome>, AuthError> {
        let (client, redirect_uri) = match self.trusted_client(tenant, params).await? {
            Ok(trusted) => trusted,
            Err(page) => return Ok(Err(page)),
        };
        let params = Params(params);
        let issuer = self.config.issuer(&tenant.slug);
        let state = params.get("state");
        let must_push = OAuthPolicy::of(tenant).require_pushed_authorization_requests
            || client.require_pushed_authorization_requests;
        let checked = if must_push && !pushed {
            Err(RequestError::new(
                "invalid_request",
                "authorization requests must be pushed first (RFC 9126)",
            ))
        } else {
            check_parameters(client, redirect_uri.clone(), &params, |uri| {
                self.is_resource_of(&tenant.slug, uri)
            })
        };
        Ok(checked.map_err(|err| {
            redirect_to_client(
                &redirect_uri,
                &[("error", err.code), ("error_description", &err.description)],
                state,
                &issuer,
            )
        }))
    }

    /// The client a request names and the redirect URI it may be answered at, with each
    /// parameter given once; or the error page that sends the user nowhere.
    pub(super) async fn trusted_client(
        &self,
        tenant: &tenant::Model,
        params: &[(String, String)],
    ) -> Result<Result<(client::Model, String), Outcome>, AuthError> {
        let mut seen = std::collections::HashSet::new();
        // `resource` alone may be repeated (RFC 8707 §2).
        let mut repeated = |k: &str| k != "resource" && !seen.insert(k.to_owned());
        if let Some((dup, _)) = params.iter().find(|(k, _)| repeated(k)) {
            return Ok(Err(error_page(
                400,
                "Invalid request",
                format!("The parameter '{dup}' is given more than once."),
            )));
        }
        self.trusted_redirect(tenant, &Params(params)).await
    }

    /// The client the request names and the redirect URI it may be answered at, or the error
    /// page that sends the user nowhere.
    async fn trusted_redirect(
        &self,
        tenant: &tenant::Model,
        params: &Params<'_>,
    ) -> Result<Result<(client::Model, String), Outcome>, AuthError> {
        let Some(client_id) = params.get("client_id") else {
            return Ok(Err(error_page(
                400,
                "Invalid request",
                "The request names no client.",
            )));
        };
        let found = match self.document_client(tenant, client_id).await {
            Ok(Some(described)) => Some(described),
            Ok(None) => self.find_client(tenant.id, client_id).await?,
            Err(crate::service::DocumentError::Internal(err)) => return Err(err),
            Err(err) => {
                tracing::info!(tenant = %tenant.slug, client_id, error = %err, "client metadata document refused");
                return Ok(Err(error_page(
                    400,
                    "Unknown application",
                    format!(
                        "The application that sent you here describes itself at {client_id}, but {}.",
                        err.public_reason()
                    ),
                )));
            }
        };
        let Some(client) = found.filter(|c| !c.disabled) else {
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
        let redirect_uri = match (params.get("redirect_uri"), registered.as_slice()) {
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
        Ok(Ok((client, redirect_uri)))
    }

    pub(super) async fn valid_session(
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

    pub(super) async fn has_consent(
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
}

/// The request's parameters, each given at most once.
pub(super) struct Params<'a>(pub(super) &'a [(String, String)]);

impl<'a> Params<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, key: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Why an authorization request is refused once its client and redirect URI are trusted: an
/// RFC 6749 §4.1.2.1 error code and a description.
#[derive(Debug)]
pub(super) struct RequestError {
    pub code: &'static str,
    pub description: String,
}

impl RequestError {
    fn new(code: &'static str, description: &str) -> Self {
        Self {
            code,
            description: description.to_owned(),
        }
    }
}

/// The request's parameters for `client`, whose `redirect_uri` is known to be its own,
/// checked.
pub(super) fn check_parameters(
    client: client::Model,
    redirect_uri: String,
    params: &Params<'_>,
    is_resource: impl Fn(&str) -> bool,
) -> Result<Checked, RequestError> {
    let state = params.get("state").map(str::to_owned);
    let redirect_error =
        |code: &'static str, description: &str| Err(RequestError::new(code, description));
    if params.get("response_type") != Some("code") {
        return redirect_error(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    if !client
        .grant_types
        .split(' ')
        .any(|g| g == "authorization_code")
    {
        return redirect_error(
            "unauthorized_client",
            "this client may not use the authorization code grant",
        );
    }
    if params.get("code_challenge_method") != Some("S256") {
        return redirect_error(
            "invalid_request",
            "PKCE is required, with code_challenge_method=S256",
        );
    }
    let challenge = match params.get("code_challenge") {
        Some(c) if is_pkce_value(c) => c.to_owned(),
        _ => {
            return redirect_error(
                "invalid_request",
                "code_challenge must be 43 to 128 characters of base64url",
            );
        }
    };
    let too_long = |v: Option<&str>| v.is_some_and(|v| v.len() > 512);
    if too_long(params.get("state")) || too_long(params.get("nonce")) {
        return redirect_error(
            "invalid_request",
            "state and nonce are limited to 512 characters",
        );
    }
    let allowed = split_scope(&client.scope);
    let scope = match params.get("scope") {
        None => allowed,
        Some(requested) => {
            let granted: Vec<String> = split_scope(requested)
                .into_iter()
                .filter(|s| allowed.contains(s))
                .collect();
            if granted.is_empty() {
                return redirect_error(
                    "invalid_scope",
                    "none of the requested scopes is allowed for this client",
                );
            }
            granted
        }
    };
    let mut resources: Vec<&str> = params.all("resource").collect();
    resources.dedup();
    if resources.len() > MAX_RESOURCES {
        return redirect_error("invalid_target", "at most 4 resources may be named");
    }
    if !resources.iter().all(|uri| is_resource(uri)) {
        return redirect_error(
            "invalid_target",
            "resource must be the URL of one of this tenant's APIs",
        );
    }
    // A JWK SHA-256 thumbprint: 43 characters of base64url.
    let dpop_jkt = params.get("dpop_jkt");
    if dpop_jkt.is_some_and(|j| {
        j.len() != 43
            || !j
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return redirect_error(
            "invalid_request",
            "dpop_jkt must be the base64url SHA-256 thumbprint of a JWK",
        );
    }
    Ok(Checked {
        client,
        redirect_uri,
        scope,
        state,
        nonce: params.get("nonce").map(str::to_owned),
        challenge,
        prompt: params.get("prompt").map(split_scope).unwrap_or_default(),
        resources: (!resources.is_empty()).then(|| resources.join(" ")),
        dpop_jkt: dpop_jkt.map(str::to_owned),
    })
}
