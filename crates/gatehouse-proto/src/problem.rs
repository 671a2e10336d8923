use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::{ApiResponse, Object, payload::Json};
use serde::{Deserialize, Serialize};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// The `Retry-After` of a 503 that knows no better: about what a database restart, or a
/// failover behind a proxy, takes.
pub const RETRY_AFTER_SECONDS: u32 = 2;

/// The stable problem types. Their URIs never change once published: clients branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// The body or a parameter could not be parsed, or a field failed validation.
    Validation,
    /// The body is not JSON, or not the JSON the operation takes.
    MalformedRequest,
    NotFound,
    /// The request conflicts with the current state (a duplicate slug, say).
    Conflict,
    /// `If-Match` named a version that is not the current one.
    PreconditionFailed,
    /// The tenant requires `If-Match` on writes, and the request had none.
    PreconditionRequired,
    /// An order asked for more of a product than is in stock; nothing was changed.
    InsufficientStock,
    Unauthorized,
    Forbidden,
    PayloadTooLarge,
    UnsupportedMediaType,
    MethodNotAllowed,
    /// A rate limit is spent; `Retry-After` says when to try again.
    TooManyRequests,
    /// The gateway could not reach the service behind it.
    BadGateway,
    /// The service behind the gateway did not answer in time.
    GatewayTimeout,
    /// The gateway cannot tell now whether the token was revoked, and is set to refuse then.
    RevocationUnknown,
    /// The database cannot be reached for a moment (a restart, a failover); `Retry-After`
    /// says when to try again.
    Unavailable,
    Internal,
}

impl ProblemType {
    pub fn uri(self) -> &'static str {
        match self {
            Self::Validation => "urn:gatehouse:problem:validation",
            Self::MalformedRequest => "urn:gatehouse:problem:malformed-request",
            Self::NotFound => "urn:gatehouse:problem:not-found",
            Self::Conflict => "urn:gatehouse:problem:conflict",
            Self::PreconditionFailed => "urn:gatehouse:problem:precondition-failed",
            Self::PreconditionRequired => "urn:gatehouse:problem:precondition-required",
            Self::InsufficientStock => "urn:gatehouse:problem:insufficient-stock",
            Self::Unauthorized => "urn:gatehouse:problem:unauthorized",
            Self::Forbidden => "urn:gatehouse:problem:forbidden",
            Self::PayloadTooLarge => "urn:gatehouse:problem:payload-too-large",
            Self::UnsupportedMediaType => "urn:gatehouse:problem:unsupported-media-type",
            Self::MethodNotAllowed => "urn:gatehouse:problem:method-not-allowed",
            Self::TooManyRequests => "urn:gatehouse:problem:rate-limited",
            Self::BadGateway => "urn:gatehouse:problem:bad-gateway",
            Self::GatewayTimeout => "urn:gatehouse:problem:gateway-timeout",
            Self::RevocationUnknown => "urn:gatehouse:problem:revocation-unknown",
            Self::Unavailable => "urn:gatehouse:problem:unavailable",
            Self::Internal => "urn:gatehouse:problem:internal",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Validation => "The request is not valid",
            Self::MalformedRequest => "The request could not be parsed",
            Self::NotFound => "Not found",
            Self::Conflict => "Conflict with the current state",
            Self::PreconditionFailed => "The resource has changed",
            Self::PreconditionRequired => "If-Match is required",
            Self::InsufficientStock => "Not enough stock",
            Self::Unauthorized => "Authentication required",
            Self::Forbidden => "Forbidden",
            Self::PayloadTooLarge => "The request body is too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::MethodNotAllowed => "Method not allowed",
            Self::TooManyRequests => "Too many requests",
            Self::BadGateway => "The service behind the gateway did not answer",
            Self::GatewayTimeout => "The service behind the gateway did not answer in time",
            Self::RevocationUnknown => "Revocations cannot be checked now",
            Self::Unavailable => "Unavailable for a moment",
            Self::Internal => "Internal server error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::Validation | Self::MalformedRequest => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict | Self::InsufficientStock => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::BadGateway => StatusCode::BAD_GATEWAY,
            Self::GatewayTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::RevocationUnknown | Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct FieldError {
    /// The field's name as it appears in the request (`slug`, `price.currency`, or a query
    /// parameter's name).
    pub field: String,
    /// Why the value was refused.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct Problem {
    /// A URI that identifies the kind of problem; stable, for clients to branch on.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For validation problems: each field that is wrong, and why. Absent on other problems.
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            kind: kind.uri().to_owned(),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: Some(detail.into()),
            errors: Vec::new(),
        }
    }

    /// A validation problem listing every wrong field at once.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("invalid fields: {}", names.join(", "));
        Self {
            errors,
            ..Self::new(ProblemType::Validation, detail)
        }
    }

    /// A 422 listing every well-formed field that cannot be served: it names what does not
    /// exist, or disagrees with another field. (A malformed field is a 400: see
    /// [`Problem::invalid_fields`].)
    pub fn unprocessable_fields(errors: Vec<FieldError>) -> Self {
        Self {
            status: 422,
            errors,
            ..Self::new(
                ProblemType::Validation,
                "the request names what does not exist, or disagrees with itself; see `errors`",
            )
        }
    }

    /// The database cannot be reached for a moment: a 503 the client may retry as it is.
    pub fn database_unavailable() -> Self {
        Self::new(
            ProblemType::Unavailable,
            "the database is unavailable for a moment; nothing was changed",
        )
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Turns any error that poem or poem-openapi raised before a handler ran (a body that is
    /// not JSON, a parameter of the wrong type, a wrong content type, an oversize body) into
    /// a problem with the same status. A parameter that did not parse is named in `errors`.
    pub fn from_poem_error(err: &poem::Error) -> Self {
        if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
            return Self::invalid_fields(vec![FieldError {
                field: param.name.to_owned(),
                reason: param.reason.clone(),
            }]);
        }
        let status = err.status();
        let kind = match status {
            StatusCode::NOT_FOUND => ProblemType::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
            StatusCode::TOO_MANY_REQUESTS => ProblemType::TooManyRequests,
            StatusCode::PAYLOAD_TOO_LARGE => ProblemType::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
            StatusCode::UNAUTHORIZED => ProblemType::Unauthorized,
            StatusCode::FORBIDDEN => ProblemType::Forbidden,
            s if s.is_client_error() => ProblemType::MalformedRequest,
            _ => ProblemType::Internal,
        };
        let detail = if kind == ProblemType::Internal {
            // Never echo an internal error's text to the client; it goes to the log.
            tracing::error!(error = %crate::ErrorChain(err), "request failed");
            "the server could not complete the request".to_owned()
        } else {
            err.to_string()
        };
        Self {
            status: status.as_u16(),
            ..Self::new(kind, detail)
        }
    }
}

impl Problem {
    /// The problem as a response with its own status.
    pub fn into_response_with_status(self) -> Response {
        IntoResponse::into_response(self)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = Response::builder()
            .status(status)
            .content_type(PROBLEM_CONTENT_TYPE);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response = response.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        response.body(body)
    }
}

/// The error side of every typed (poem-openapi) operation outside OAuth: each variant is a
/// problem document, so the OpenAPI documents list them all with their media type.
///
/// Errors that poem-openapi raises before a handler runs (a body that does not parse) are not
/// these: serve typed APIs behind `catch_all_error(problem_for_error)`, which turns them into
/// problems too.
#[derive(Debug, ApiResponse)]
pub enum ApiProblem {
    /// `urn:gatehouse:problem:validation` (a field or parameter is not valid; `errors` lists
    /// each with its reason) or `urn:gatehouse:problem:malformed-request` (the body is not
    /// the JSON the operation takes).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// `urn:gatehouse:problem:unauthorized`: no valid access token was presented (answered by
    /// the gateway, with `WWW-Authenticate`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// `urn:gatehouse:problem:forbidden`: the token lacks a scope this operation requires, or
    /// was issued for another tenant.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// `urn:gatehouse:problem:not-found`: no such resource in this tenant.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// `urn:gatehouse:problem:conflict` (the request conflicts with the current state: a
    /// duplicate, a transition that is not allowed) or
    /// `urn:gatehouse:problem:insufficient-stock` (`errors` names each short order line).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// `urn:gatehouse:problem:precondition-failed`: `If-Match` named a version that is no
    /// longer current.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
    /// `urn:gatehouse:problem:precondition-required`: the tenant requires `If-Match` on
    /// writes.
    #[oai(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Json<Problem>),
    /// `urn:gatehouse:problem:payload-too-large`: the request body is larger than the limit.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// `urn:gatehouse:problem:validation`: the request is well-formed but names what does
    /// not exist (`errors` lists each), or reuses an `Idempotency-Key` with another request.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// `urn:gatehouse:problem:unsupported-media-type`: the body is not `application/json`.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// `urn:gatehouse:problem:rate-limited`: a rate limit of the gateway (the tenant's, the
    /// client's) is spent; `Retry-After` says when to try again.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>),
    /// `urn:gatehouse:problem:internal`: an unexpected failure; the details are in the server
    /// log, under the request id.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// `urn:gatehouse:problem:bad-gateway`: the gateway could not reach the service behind it.
    #[oai(status = 502, content_type = "application/problem+json")]
    BadGateway(Json<Problem>),
    /// `urn:gatehouse:problem:unavailable` (the database cannot be reached for a moment: a
    /// restart, a failover) or `urn:gatehouse:problem:revocation-unknown` (the gateway cannot
    /// tell now whether the token was revoked, and is set to refuse it then). Nothing was
    /// changed; `Retry-After` says when to try again.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(
        Json<Problem>,
        /// Seconds to wait before retrying.
        #[oai(header = "Retry-After")]
        u32,
    ),
    /// `urn:gatehouse:problem:gateway-timeout`: the service behind the gateway did not answer
    /// in time.
    #[oai(status = 504, content_type = "application/problem+json")]
    GatewayTimeout(Json<Problem>),
}

impl From<Problem> for ApiProblem {
    fn from(problem: Problem) -> Self {
        let wrap = Json(problem);
        match wrap.0.status {
            401 => Self::Unauthorized(wrap),
            403 => Self::Forbidden(wrap),
            404 => Self::NotFound(wrap),
            409 => Self::Conflict(wrap),
            412 => Self::PreconditionFailed(wrap),
            428 => Self::PreconditionRequired(wrap),
            413 => Self::PayloadTooLarge(wrap),
            422 => Self::Unprocessable(wrap),
            415 => Self::UnsupportedMediaType(wrap),
            429 => Self::TooManyRequests(wrap),
            502 => Self::BadGateway(wrap),
            503 => Self::Unavailable(wrap, RETRY_AFTER_SECONDS),
            504 => Self::GatewayTimeout(wrap),
            s if (400..500).contains(&s) => Self::BadRequest(wrap),
            _ => Self::Internal(wrap),
        }
    }
}

impl From<ProblemType> for Problem {
    fn from(kind: ProblemType) -> Self {
        Self::new(kind, kind.title())
    }
}

/// The one adapter from poem's errors to problems, for `catch_all_error`: keeps responses that
/// are already problem (or OAuth JSON) documents and turns every other error — a route not
/// found, a method not allowed, a parameter that did not parse — into a problem.
pub async fn problem_for_error(err: poem::Error) -> Response {
    if err.is_from_response() {
        let response = err.into_response();
        let keep = response
            .headers()
            .get(poem::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.starts_with(PROBLEM_CONTENT_TYPE) || ct.starts_with("application/json")
            });
        if keep {
            return response;
        }
        return Problem::from_poem_error(&poem::Error::from_status(response.status()))
            .into_response();
    }
    Problem::from_poem_error(&err).into_response()
}
