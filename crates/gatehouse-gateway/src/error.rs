use gatehouse_proto::{Problem, ProblemType, dpop_challenge};
use poem::http::header::WWW_AUTHENTICATE;
use poem::{IntoResponse, Response};

/// Why the gateway answered a request itself. Each variant is one problem document; token
/// failures also carry the RFC 6750 `WWW-Authenticate` challenge.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("no route for this path")]
    NoRoute,
    /// No bearer token was presented (RFC 6750 §3.1: no error code).
    #[error("an access token is required")]
    MissingToken,
    #[error("{0}")]
    InvalidToken(String),
    #[error("the token lacks the scope '{0}'")]
    InsufficientScope(String),
    /// A DPoP-bound token without a good proof (RFC 9449 §7.1): `invalid_dpop_proof`, or
    /// `use_dpop_nonce` with the nonce to retry with.
    #[error("{why}")]
    Dpop {
        code: &'static str,
        why: String,
        nonce: Option<String>,
    },
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    /// The body is not what the operation takes; the client is told why (the source).
    #[error("the request body could not be read")]
    BadBody(#[source] BoxError),
    /// A service or the cache failed the gateway: what failed, and why if an error said so.
    /// The client is told no more than that the service did not answer.
    #[error("{0}")]
    Upstream(String, #[source] Option<BoxError>),
    #[error("the service did not answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("too many requests: the rate limit is spent")]
    RateLimited(crate::ratelimit::Verdict),
    /// A problem document answered as it is (validation of the gateway's own operations).
    #[error("{}", .0.0.title)]
    Problem(ProblemResponse),
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// The revocation feed has not been read for too long (`gateway.revocation_unknown`
    /// is `deny`).
    #[error(
        "the gateway cannot check revocations now (the auth server has not answered for {0:?}); try again shortly"
    )]
    RevocationUnknown(std::time::Duration),
    /// The same at the token endpoint, which answers in RFC 6749 form.
    #[error("too many token requests")]
    TokenRateLimited(crate::ratelimit::Verdict),
}

/// Any error, as a cause kept in a [`GatewayError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl GatewayError {
    /// A service or the cache failed, with the error that says why.
    pub(crate) fn upstream(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Upstream(what.into(), Some(source.into()))
    }

    /// A service answered what the gateway could not use.
    pub(crate) fn upstream_answered(what: impl Into<String>) -> Self {
        Self::Upstream(what.into(), None)
    }
}

const REALM: &str = "gatehouse";

fn quoted(s: &str) -> String {
    s.replace(['"', '\\'], "'")
}

/// A problem the gateway answers unchanged.
#[derive(Debug)]
pub struct ProblemResponse(pub Problem);

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        if let Self::Problem(ProblemResponse(problem)) = self {
            return problem.into_response();
        }
        if let Self::TokenRateLimited(verdict) = &self {
            let body = serde_json::json!({
                "error": "temporarily_unavailable",
                "error_description": "too many requests from this address; see Retry-After",
            });
            let mut response = Response::builder()
                .status(poem::http::StatusCode::TOO_MANY_REQUESTS)
                .content_type("application/json")
                .header("cache-control", "no-store")
                .body(body.to_string());
            verdict.apply(&mut response);
            return response;
        }
        let (kind, challenge) = match &self {
            Self::NoRoute => (ProblemType::NotFound, None),
            Self::MissingToken => (
                ProblemType::Unauthorized,
                Some(format!(r#"Bearer realm="{REALM}""#)),
            ),
            // The DPoP challenge alone, so that a client sees which scheme failed.
            Self::Dpop { code, why, .. } => (
                ProblemType::Unauthorized,
                Some(dpop_challenge(Some((code, why)))),
            ),
            Self::InvalidToken(why) => (
                ProblemType::Unauthorized,
                Some(format!(
                    r#"Bearer realm="{REALM}", error="invalid_token", error_description="{}""#,
                    quoted(why)
                )),
            ),
            Self::InsufficientScope(scope) => (
                ProblemType::Forbidden,
                Some(format!(
                    r#"Bearer realm="{REALM}", error="insufficient_scope", scope="{}""#,
                    quoted(scope)
                )),
            ),
            Self::BodyTooLarge(_) => (ProblemType::PayloadTooLarge, None),
            Self::MethodNotAllowed => (ProblemType::MethodNotAllowed, None),
            Self::Timeout(_) => (ProblemType::GatewayTimeout, None),
            Self::RevocationUnknown(_) => (ProblemType::RevocationUnknown, None),
            Self::Problem(_) => (ProblemType::Validation, None),
            Self::RateLimited(_) | Self::TokenRateLimited(_) => {
                (ProblemType::TooManyRequests, None)
            }
            Self::BadBody(_) => (ProblemType::MalformedRequest, None),
            Self::Upstream(..) => {
                tracing::error!(error = %gatehouse_proto::ErrorChain(&self), "upstream failed");
                (ProblemType::BadGateway, None)
            }
        };
        let detail = match &self {
            Self::Upstream(..) => kind.title().to_owned(),
            // The client is told why its body was refused: the immediate cause.
            Self::BadBody(why) => format!("{self}: {why}"),
            _ => self.to_string(),
        };
        let mut response = Problem::new(kind, detail).into_response();
        if let Self::RateLimited(verdict) = &self {
            verdict.apply(&mut response);
        }
        if let Self::RevocationUnknown(_) = &self {
            response.headers_mut().insert(
                poem::http::header::RETRY_AFTER,
                poem::http::HeaderValue::from_static("2"),
            );
        }
        if let Some(challenge) = challenge
            && let Ok(value) = challenge.parse()
        {
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
            // A Bearer refusal offers DPoP as well (RFC 9449 §7.1).
            if matches!(self, Self::MissingToken | Self::InvalidToken(_))
                && let Ok(value) = dpop_challenge(None).parse()
            {
                response.headers_mut().append(WWW_AUTHENTICATE, value);
            }
        }
        if let Self::Dpop {
            nonce: Some(nonce), ..
        } = &self
            && let Ok(value) = nonce.parse()
        {
            response.headers_mut().insert("dpop-nonce", value);
        }
        response
    }
}
