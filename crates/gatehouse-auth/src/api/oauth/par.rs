//! The pushed authorization request endpoint (RFC 9126 §2).

use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use super::OAuthApi;
use super::client_auth::{FormCredentials, client_auth};
use super::errors::{NO_STORE, OAuthErrorBody, TokenResponse};
use crate::service::TokenError;

/// An authorization request (RFC 6749 §4.1.1, RFC 7636, RFC 8707), form encoded, with the
/// client's authentication as at the token endpoint.
#[derive(Debug, Object, serde::Deserialize)]
pub(super) struct PushedAuthorizationRequest {
    /// `code`.
    response_type: Option<String>,
    /// The client; required unless it authenticates with HTTP Basic.
    client_id: Option<String>,
    /// One of the client's registered redirect URIs; may be left out if it has only one.
    redirect_uri: Option<String>,
    /// Space-separated scopes.
    scope: Option<String>,
    state: Option<String>,
    /// OpenID Connect: echoed in the ID token.
    nonce: Option<String>,
    /// The PKCE challenge (RFC 7636): 43 to 128 characters of base64url.
    code_challenge: Option<String>,
    /// `S256`.
    code_challenge_method: Option<String>,
    /// `none`, `login` or `consent`, space separated.
    prompt: Option<String>,
    /// The resource the tokens are for (RFC 8707); one here (several may be named on the
    /// authorization endpoint's query).
    resource: Option<String>,
    /// Not allowed here (RFC 9126 §2.1); refused with `invalid_request`.
    request_uri: Option<String>,
    /// The thumbprint of the DPoP key the code is bound to (RFC 9449 §10); a `DPoP` proof
    /// sent with this request binds it to the proof's key instead (§10.1).
    dpop_jkt: Option<String>,
    /// With `client_secret_post`: the client's secret.
    client_secret: Option<String>,
    /// With `private_key_jwt`: `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
    client_assertion_type: Option<String>,
    /// With `private_key_jwt`: a JWT signed with a registered key (RFC 7523).
    client_assertion: Option<String>,
}

/// The `request_uri` to send the browser to the authorization endpoint with (RFC 9126 §2.2).
#[derive(Debug, Object)]
pub(super) struct PushedBody {
    /// `urn:ietf:params:oauth:request_uri:…`: works once, until it expires.
    request_uri: String,
    /// Seconds until `request_uri` expires.
    expires_in: i64,
}

/// The answers of the pushed authorization request endpoint.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "malformed_push")]
pub(super) enum PushedResponse {
    /// The request is kept; send the browser to the authorization endpoint with `client_id`
    /// and `request_uri`.
    #[oai(status = 201)]
    Created(
        Json<PushedBody>,
        #[oai(header = "Cache-Control")] String,
        /// To a request with a DPoP proof: the nonce its next proof must carry (RFC 9449 §8).
        #[oai(header = "DPoP-Nonce")]
        Option<String>,
    ),
    /// The request is malformed, or not one the client may make (RFC 6749 §4.1.2.1 codes),
    /// or its DPoP proof is not valid (`invalid_dpop_proof`, `use_dpop_nonce`).
    #[oai(status = 400)]
    BadRequest(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
        /// With a refusal of a request with a DPoP proof: the nonce to retry with.
        #[oai(header = "DPoP-Nonce")]
        Option<String>,
    ),
    /// Client authentication failed.
    #[oai(status = 401)]
    Unauthorized(
        Json<OAuthErrorBody>,
        #[oai(header = "WWW-Authenticate")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// No tenant with this slug.
    #[oai(status = 404)]
    NotFound(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
    /// `temporarily_unavailable`; `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(
        Json<OAuthErrorBody>,
        #[oai(header = "Retry-After")] u32,
        #[oai(header = "Cache-Control")] String,
    ),
    /// An unexpected failure; the details are in the server log.
    #[oai(status = 500)]
    Internal(
        Json<OAuthErrorBody>,
        #[oai(header = "Cache-Control")] String,
    ),
}

fn malformed_push(err: poem::Error) -> PushedResponse {
    TokenResponse::<PushedBody>::BadRequest(
        super::errors::body("invalid_request", err.to_string()),
        NO_STORE.into(),
        None,
    )
    .into()
}

impl From<TokenResponse<PushedBody>> for PushedResponse {
    fn from(response: TokenResponse<PushedBody>) -> Self {
        match response {
            TokenResponse::Ok(body, cache, _, nonce) => Self::Created(body, cache, nonce),
            TokenResponse::BadRequest(e, c, nonce) => Self::BadRequest(e, c, nonce),
            TokenResponse::Unauthorized(e, w, c) => Self::Unauthorized(e, w, c),
            TokenResponse::NotFound(e, c) => Self::NotFound(e, c),
            TokenResponse::Unavailable(e, r, c) => Self::Unavailable(e, r, c),
            TokenResponse::Internal(e, c) => Self::Internal(e, c),
        }
    }
}

impl OAuthApi {
    pub(super) async fn push_response(
        &self,
        req: &Request,
        tenant: &str,
        form: PushedAuthorizationRequest,
    ) -> PushedResponse {
        let response = match self.push(req, tenant, form).await {
            Ok(body) => TokenResponse::Ok(Json(body), NO_STORE.into(), None, None),
            Err(err) => TokenResponse::from(err),
        };
        response
            .with_dpop_nonce(self.proof_nonce(req, tenant))
            .into()
    }

    async fn push(
        &self,
        req: &Request,
        tenant: &str,
        form: PushedAuthorizationRequest,
    ) -> Result<PushedBody, TokenError> {
        let auth = client_auth(
            req,
            FormCredentials {
                client_id: form.client_id.clone(),
                client_secret: form.client_secret,
                client_assertion_type: form.client_assertion_type,
                client_assertion: form.client_assertion,
            },
        )?;
        // A proof binds the code to its key (RFC 9449 §10.1), as `dpop_jkt` would.
        let url = format!("{}/oauth2/par", self.service.config().issuer(tenant));
        let proof = self
            .service
            .dpop_proof(req.headers(), tenant, ("POST", &url), None)
            .await?;
        let dpop_jkt = match (proof, form.dpop_jkt) {
            (Some(proof), Some(named)) if proof.jkt != named => {
                return Err(gatehouse_proto::DpopError::WrongKey.into());
            }
            (Some(proof), _) => Some(proof.jkt),
            (None, named) => named,
        };
        let params: Vec<(String, String)> = [
            ("response_type", form.response_type),
            ("client_id", form.client_id),
            ("redirect_uri", form.redirect_uri),
            ("scope", form.scope),
            ("state", form.state),
            ("nonce", form.nonce),
            ("code_challenge", form.code_challenge),
            ("code_challenge_method", form.code_challenge_method),
            ("prompt", form.prompt),
            ("resource", form.resource),
            ("request_uri", form.request_uri),
            ("dpop_jkt", dpop_jkt),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), value?)))
        .collect();
        let pushed = self
            .service
            .push_authorization_request(tenant, auth, params)
            .await?;
        Ok(PushedBody {
            request_uri: pushed.request_uri,
            expires_in: pushed.expires_in,
        })
    }
}
