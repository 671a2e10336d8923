use gatehouse_proto::{ApiProblem, FieldError, Problem, ProblemType};

/// Why the resource service could not serve a request.
#[derive(Debug, thiserror::Error)]
pub enum ResourcesError {
    /// The database failed; the cause is logged, never sent to the client.
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
    /// No such resource in the caller's tenant.
    #[error("not found")]
    NotFound,
    /// One or more fields (or query parameters) are not valid.
    #[error("invalid fields: {0:?}")]
    InvalidFields(Vec<FieldError>),
    /// The fields are well-formed but name what does not exist (a customer, a product), or
    /// disagree with each other.
    #[error("unprocessable fields: {0:?}")]
    UnprocessableFields(Vec<FieldError>),
    /// The request conflicts with the current state (a duplicate SKU, a transition an order
    /// may not make).
    #[error("conflict: {0}")]
    Conflict(String),
    /// An order wants more of some products than is in stock; each is named.
    #[error("insufficient stock: {0:?}")]
    InsufficientStock(Vec<FieldError>),
    /// The tenant requires `If-Match` on writes, and there was none.
    #[error("precondition required")]
    PreconditionRequired,
    /// The identity the gateway vouched for is not usable.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// The caller may not do this (wrong tenant, missing scope).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// `If-Match` named another version than the current one.
    #[error("precondition failed")]
    PreconditionFailed,
    /// An `Idempotency-Key` was used before with another request.
    #[error("idempotency key reused")]
    IdempotencyMismatch,
    /// The first request with this `Idempotency-Key` has not finished.
    #[error("idempotency key in use")]
    IdempotencyInProgress,
}

impl From<ResourcesError> for Problem {
    fn from(err: ResourcesError) -> Self {
        match err {
            ResourcesError::Database(err) if gatehouse_proto::database::is_unavailable(&err) => {
                tracing::warn!(
                    error = %gatehouse_proto::ErrorChain(&err),
                    "resources: the database is unavailable"
                );
                Problem::database_unavailable()
            }
            err @ ResourcesError::Database(_) => {
                tracing::error!(
                    error = %gatehouse_proto::ErrorChain(&err),
                    "resources: database error"
                );
                Problem::new(
                    ProblemType::Internal,
                    "the server could not complete the request",
                )
            }
            ResourcesError::NotFound => {
                Problem::new(ProblemType::NotFound, "no such resource in this tenant")
            }
            ResourcesError::InvalidFields(errors) => Problem::invalid_fields(errors),
            ResourcesError::UnprocessableFields(errors) => Problem::unprocessable_fields(errors),
            ResourcesError::Conflict(detail) => Problem::new(ProblemType::Conflict, detail),
            ResourcesError::InsufficientStock(errors) => Problem {
                errors,
                ..Problem::new(
                    ProblemType::InsufficientStock,
                    "not enough stock for the order; nothing was changed",
                )
            },
            ResourcesError::PreconditionRequired => Problem::new(
                ProblemType::PreconditionRequired,
                "this tenant requires If-Match on writes: GET the resource and send its ETag",
            ),
            ResourcesError::Unauthorized(detail) => Problem::new(ProblemType::Unauthorized, detail),
            ResourcesError::Forbidden(detail) => Problem::new(ProblemType::Forbidden, detail),
            ResourcesError::IdempotencyMismatch => Problem {
                status: 422,
                ..Problem::new(
                    ProblemType::Validation,
                    "this Idempotency-Key was used with another request; use a new key",
                )
            },
            ResourcesError::IdempotencyInProgress => Problem::new(
                ProblemType::Conflict,
                "a request with this Idempotency-Key is still in progress; retry shortly",
            ),
            ResourcesError::PreconditionFailed => Problem::new(
                ProblemType::PreconditionFailed,
                "the resource changed since the version named in If-Match; fetch it again",
            ),
        }
    }
}

impl From<ResourcesError> for ApiProblem {
    fn from(err: ResourcesError) -> Self {
        ApiProblem::from(Problem::from(err))
    }
}
